//! Running tallies of a survey's answers, so that its results are a read of a few thousand
//! counters instead of a scan of every answer: each submission, replacement and withdrawal adds
//! (or takes back) its response's counts in its own transaction.
//!
//! A counter is keyed by question, counted thing (`facet`), option or row (`item`), value, and
//! the facets results are filtered by (channel, respondent district). Each response counts in
//! one of [`SHARDS`] copies of its counters, picked by its random ID, so concurrent submissions
//! on PostgreSQL rarely wait for one another's row locks; the rows of a transaction are written
//! in one sorted statement, so two transactions never lock the same rows in opposite orders.

use std::collections::{BTreeMap, HashSet};

use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, TransactionTrait,
};

use super::entity::{answer, response, tally};
use super::results::ResultsFilter;
use super::settings::Survey;
use super::{QuestionKind, SurveyError};
use crate::auth::Caller;
use crate::context::Context;
use crate::ids::SurveyId;

/// How many copies of each counter a survey's responses are spread over.
const SHARDS: i64 = 8;

/// What a counter counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) enum Facet {
    /// Responses (question key empty).
    Responses,
    /// Responses from callers without a token (question key empty).
    Unauthenticated,
    /// Responses that answered the question.
    Answered,
    /// Responses to which it was shown, unanswered.
    Skipped,
    /// Choices of an option.
    Option,
    /// Ratings of a value (`item` is the matrix row, empty for rating and NPS questions).
    Value,
    /// Rankings of an option, `total` summing its places.
    Rank,
    /// First places of an option.
    First,
    /// Numbers given, `total` summing them.
    Number,
}

impl Facet {
    const ALL: [Facet; 9] = [
        Facet::Responses,
        Facet::Unauthenticated,
        Facet::Answered,
        Facet::Skipped,
        Facet::Option,
        Facet::Value,
        Facet::Rank,
        Facet::First,
        Facet::Number,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Facet::Responses => "responses",
            Facet::Unauthenticated => "unauthenticated",
            Facet::Answered => "answered",
            Facet::Skipped => "skipped",
            Facet::Option => "option",
            Facet::Value => "value",
            Facet::Rank => "rank",
            Facet::First => "first",
            Facet::Number => "number",
        }
    }

    fn parse(text: &str) -> Option<Facet> {
        Facet::ALL.into_iter().find(|facet| facet.as_str() == text)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    question: String,
    facet: Facet,
    item: String,
    // The value's bits: a total order, the same in every transaction.
    value: u64,
    channel: String,
    district: i64,
    shard: i64,
}

/// The change one or more responses make to a survey's tallies.
pub(super) struct TallyChange<'s> {
    survey: &'s Survey,
    counted_values: HashSet<&'s str>,
    changes: BTreeMap<Key, (i64, f64)>,
}

impl<'s> TallyChange<'s> {
    pub(super) fn new(survey: &'s Survey) -> TallyChange<'s> {
        TallyChange { survey, counted_values: counted_values(survey).collect(), changes: BTreeMap::new() }
    }

    /// Counts a stored response and its answer rows (`sign` 1), or takes them back (−1).
    pub(super) fn count(&mut self, response: &response::Model, answers: &[answer::Model], sign: i64) {
        let channel = response.channel.as_str();
        let district = response.respondent_district_id.unwrap_or(0);
        let shard = response.id.rem_euclid(SHARDS);
        let mut add = |question: &str, facet: Facet, item: &str, value: f64, total: f64| {
            // 0.0 and -0.0 are one key in SQL: one here too.
            let value = if value == 0.0 { 0.0 } else { value };
            let key = Key {
                question: question.to_owned(),
                facet,
                item: item.to_owned(),
                value: value.to_bits(),
                channel: channel.to_owned(),
                district,
                shard,
            };
            #[allow(clippy::cast_precision_loss)]
            let signed = sign as f64;
            let entry = self.changes.entry(key).or_insert((0, 0.0));
            entry.0 += sign;
            entry.1 += signed * total;
        };
        add("", Facet::Responses, "", 0.0, 0.0);
        if !response.authenticated {
            add("", Facet::Unauthenticated, "", 0.0, 0.0);
        }
        let mut answered = HashSet::new();
        for row in answers {
            let question = row.question_key.as_str();
            if row.skipped {
                add(question, Facet::Skipped, "", 0.0, 0.0);
                continue;
            }
            if answered.insert(question) {
                add(question, Facet::Answered, "", 0.0, 0.0);
            }
            match (&row.option_key, row.rank, &row.row_key, row.number) {
                (Some(option), Some(rank), _, _) => {
                    add(question, Facet::Rank, option, 0.0, f64::from(rank));
                    if rank == 1 {
                        add(question, Facet::First, option, 0.0, 0.0);
                    }
                }
                (Some(option), None, _, _) => add(question, Facet::Option, option, 0.0, 0.0),
                (None, _, Some(matrix_row), Some(value)) => add(question, Facet::Value, matrix_row, value, 0.0),
                (None, _, None, Some(number)) => {
                    if self.counted_values.contains(question) {
                        add(question, Facet::Value, "", number, 0.0);
                    }
                    add(question, Facet::Number, "", 0.0, number);
                }
                _ => {}
            }
        }
    }

    /// Writes the change: one upsert of the counters it touches, in key order.
    pub(super) async fn apply(self, db: &impl ConnectionTrait) -> Result<(), SurveyError> {
        let survey = self.survey.id.0;
        let rows: Vec<tally::ActiveModel> = self
            .changes
            .into_iter()
            .filter(|(_, (count, total))| *count != 0 || *total != 0.0)
            .map(|(key, (count, total))| tally::ActiveModel {
                survey_id: Set(survey),
                question_key: Set(key.question),
                facet: Set(key.facet.as_str().to_owned()),
                item: Set(key.item),
                value: Set(f64::from_bits(key.value)),
                channel: Set(key.channel),
                district_id: Set(key.district),
                shard: Set(i32::try_from(key.shard).unwrap_or(0)),
                tally: Set(count),
                total: Set(total),
            })
            .collect();
        if rows.is_empty() {
            return Ok(());
        }
        let added =
            |column: tally::Column| Expr::col((tally::Entity, column)).add(Expr::col((Alias::new("excluded"), column)));
        let upsert = OnConflict::columns([
            tally::Column::SurveyId,
            tally::Column::QuestionKey,
            tally::Column::Facet,
            tally::Column::Item,
            tally::Column::Value,
            tally::Column::Channel,
            tally::Column::DistrictId,
            tally::Column::Shard,
        ])
        .value(tally::Column::Tally, added(tally::Column::Tally))
        .value(tally::Column::Total, added(tally::Column::Total))
        .to_owned();
        tally::Entity::insert_many(rows).on_conflict(upsert).exec_without_returning(db).await?;
        Ok(())
    }
}

/// The questions whose values are counted one by one (few distinct ones: ratings and NPS).
fn counted_values(survey: &Survey) -> impl Iterator<Item = &str> {
    survey
        .questions
        .iter()
        .filter(|question| matches!(question.kind, QuestionKind::Rating { .. } | QuestionKind::Nps))
        .map(|question| question.key.as_str())
}

/// One summed counter.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Counted {
    pub question: String,
    pub facet: Facet,
    pub item: String,
    pub value: f64,
    pub count: u64,
    pub total: f64,
}

/// A survey's counters under `filter`, summed over shards (and channels and districts when the
/// filter does not pick one); counters back at zero left out.
pub(super) async fn read(
    db: &impl ConnectionTrait,
    survey: SurveyId,
    filter: ResultsFilter,
) -> Result<Vec<Counted>, SurveyError> {
    let mut query = tally::Entity::find()
        .select_only()
        .column(tally::Column::QuestionKey)
        .column(tally::Column::Facet)
        .column(tally::Column::Item)
        .column(tally::Column::Value)
        // SUM of a BIGINT is NUMERIC on PostgreSQL.
        .column_as(Expr::cust("CAST(SUM(tally) AS BIGINT)"), "tally")
        .column_as(Expr::cust("SUM(total)"), "total")
        .filter(tally::Column::SurveyId.eq(survey.0))
        .group_by(tally::Column::QuestionKey)
        .group_by(tally::Column::Facet)
        .group_by(tally::Column::Item)
        .group_by(tally::Column::Value);
    if let Some(channel) = filter.channel {
        query = query.filter(tally::Column::Channel.eq(channel.as_str()));
    }
    if let Some(district) = filter.district_id {
        query = query.filter(tally::Column::DistrictId.eq(district.0));
    }
    let rows: Vec<(String, String, String, f64, i64, f64)> = query.into_tuple().all(db).await?;
    let mut counted = Vec::with_capacity(rows.len());
    for (question, facet, item, value, count, total) in rows {
        let facet = Facet::parse(&facet).ok_or_else(|| SurveyError::Corrupt(format!("tally facet {facet}")))?;
        let Ok(count) = u64::try_from(count) else {
            return Err(SurveyError::Corrupt(format!("a negative tally of {question}")));
        };
        if count > 0 {
            counted.push(Counted { question, facet, item, value, count, total });
        }
    }
    Ok(counted)
}

/// Recounts the tallies of a survey the caller manages from its stored answers: for answers
/// written without them (bulk imports, the benchmark's seeding tool). Submissions to the survey
/// must wait meanwhile (close it first, or recount before opening it).
pub async fn recount_tallies(ctx: &Context, caller: &Caller, id: SurveyId) -> Result<(), SurveyError> {
    let survey = super::get_managed(ctx, caller, id).await?;
    let counted: Vec<String> = counted_values(&survey).map(str::to_owned).collect();
    let txn = ctx.db.begin().await?;
    civitas_migration::survey_tallies::recount(&txn, survey.id.0, &counted).await?;
    txn.commit().await?;
    Ok(())
}
