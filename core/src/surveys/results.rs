//! A survey's results, computed by the database: a constant number of grouped scans of the
//! answer rows, whatever the number of responses (never a response loaded into memory).
//!
//! Who sees what follows the survey's results visibility: `LIVE` everyone (its admins also
//! while it is a draft); `AFTER_CLOSE` only the number of responses until it closes, admins
//! included, then everyone; `ADMINS_ONLY` its admins, always.

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

use super::entity::{answer, response};
use super::service::may_manage;
use super::settings::{ResultsVisibility, Survey, SurveyStatus};
use super::{QuestionKind, SurveyError};
use crate::auth::Caller;
use crate::context::Context;
use crate::ids::{DistrictId, SurveyId};
use crate::tickets::Channel;

/// Which responses to count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ResultsFilter {
    /// Only those that came through this channel.
    pub channel: Option<Channel>,
    /// Only those of respondents from this district (city surveys).
    pub district_id: Option<DistrictId>,
}

/// A survey's results.
#[derive(Debug, Clone, PartialEq)]
pub struct SurveyResults {
    /// How many responses.
    pub responses: u64,
    /// How many of them came from callers without a token (not limited to one each).
    pub unauthenticated_responses: u64,
    /// Per question, in order; `None` while the results are hidden (`AFTER_CLOSE` before the
    /// close).
    pub questions: Option<Vec<QuestionResult>>,
}

/// The results of one question.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QuestionResult {
    /// The question's key.
    pub key: String,
    /// Responses that answered it.
    pub answered: u64,
    /// Responses to which it was shown but that left it unanswered (hidden questions count in
    /// neither).
    pub skipped: u64,
    /// Choice counts, each with its share of `answered` (0 to 1), in the question's order.
    pub options: Vec<OptionCount>,
    /// Mean of ratings and numbers.
    pub mean: Option<f64>,
    /// Median of ratings and numbers (the mean of the two middle values for an even count).
    pub median: Option<f64>,
    /// How many gave each rating (ratings and NPS).
    pub distribution: Vec<ValueCount>,
    /// Net Promoter Score, −100 to 100: % promoters (9–10) − % detractors (0–6).
    pub nps: Option<f64>,
    /// Rankings: per option its average rank and how often it was ranked first.
    pub ranking: Vec<RankResult>,
    /// Matrices: per row its mean and count.
    pub rows: Vec<RowResult>,
}

/// How often an option was chosen.
#[derive(Debug, Clone, PartialEq)]
pub struct OptionCount {
    /// The option's key.
    pub key: String,
    /// How many chose it.
    pub count: u64,
    /// `count / answered` (0 when nobody answered).
    pub share: f64,
}

/// How many gave one value.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueCount {
    /// The value.
    pub value: f64,
    /// How many gave it.
    pub count: u64,
}

/// One option of a ranking question.
#[derive(Debug, Clone, PartialEq)]
pub struct RankResult {
    /// The option's key.
    pub key: String,
    /// Its average place among those who ranked it (1 is first).
    pub average_rank: Option<f64>,
    /// How many ranked it first.
    pub first_place: u64,
}

/// One row of a matrix question.
#[derive(Debug, Clone, PartialEq)]
pub struct RowResult {
    /// The row's key.
    pub key: String,
    /// How many rated it.
    pub count: u64,
    /// Its mean rating.
    pub mean: Option<f64>,
}

/// The results of a survey the caller may see, as far as its results visibility allows.
pub async fn results(
    ctx: &Context,
    caller: &Caller,
    id: SurveyId,
    filter: ResultsFilter,
) -> Result<SurveyResults, SurveyError> {
    let survey = super::get(ctx, caller, id).await?;
    let shown = results_shown(&survey, caller)?;
    let responses = response_filter(&survey, filter);
    let total = response::Entity::find().filter(responses.clone()).count(&ctx.db).await?;
    let unauthenticated = response::Entity::find()
        .filter(responses)
        .filter(response::Column::Authenticated.eq(false))
        .count(&ctx.db)
        .await?;
    let questions = if shown { Some(question_results(ctx, &survey, filter).await?) } else { None };
    Ok(SurveyResults { responses: total, unauthenticated_responses: unauthenticated, questions })
}

/// Whether more than the number of responses may be shown to `caller` (an error when not even
/// that: `ADMINS_ONLY` results for anyone but the survey's admins).
pub(super) fn results_shown(survey: &Survey, caller: &Caller) -> Result<bool, SurveyError> {
    let closed = matches!(survey.status, SurveyStatus::Closed | SurveyStatus::Archived);
    match survey.results_visibility {
        ResultsVisibility::Live => Ok(true),
        ResultsVisibility::AfterClose => Ok(closed),
        ResultsVisibility::AdminsOnly => may_manage(caller, survey.district_id).map(|()| true),
    }
}

fn response_filter(survey: &Survey, filter: ResultsFilter) -> Condition {
    let mut condition = Condition::all().add(response::Column::SurveyId.eq(survey.id.0));
    if let Some(channel) = filter.channel {
        condition = condition.add(response::Column::Channel.eq(channel.as_str()));
    }
    if let Some(district) = filter.district_id {
        condition = condition.add(response::Column::RespondentDistrictId.eq(district.0));
    }
    condition
}

pub(super) fn answer_filter(survey: &Survey, filter: ResultsFilter) -> Condition {
    let mut condition = Condition::all().add(answer::Column::SurveyId.eq(survey.id.0));
    if let Some(channel) = filter.channel {
        condition = condition.add(answer::Column::Channel.eq(channel.as_str()));
    }
    if let Some(district) = filter.district_id {
        condition = condition.add(answer::Column::DistrictId.eq(district.0));
    }
    condition
}

async fn question_results(
    ctx: &Context,
    survey: &Survey,
    filter: ResultsFilter,
) -> Result<Vec<QuestionResult>, SurveyError> {
    let rows = || answer::Entity::find().filter(answer_filter(survey, filter));
    // Who answered and who skipped, per question.
    let reach: Vec<(String, bool, i64)> = rows()
        .select_only()
        .column(answer::Column::QuestionKey)
        .column(answer::Column::Skipped)
        .column_as(Expr::col(answer::Column::ResponseId).count_distinct(), "responses")
        .group_by(answer::Column::QuestionKey)
        .group_by(answer::Column::Skipped)
        .into_tuple()
        .all(&ctx.db)
        .await?;
    // Choices (rank and row rows are rankings and matrices).
    let chosen: Vec<(String, String, i64)> = rows()
        .select_only()
        .column(answer::Column::QuestionKey)
        .column(answer::Column::OptionKey)
        .column_as(Expr::col(answer::Column::ResponseId).count(), "count")
        .filter(answer::Column::OptionKey.is_not_null())
        .filter(answer::Column::Rank.is_null())
        .group_by(answer::Column::QuestionKey)
        .group_by(answer::Column::OptionKey)
        .into_tuple()
        .all(&ctx.db)
        .await?;
    // Values of ratings, NPS and matrices: few distinct ones, so their distribution is small
    // and gives mean and median exactly.
    let values: Vec<(String, Option<String>, f64, i64)> = rows()
        .select_only()
        .column(answer::Column::QuestionKey)
        .column(answer::Column::RowKey)
        .column(answer::Column::Number)
        .column_as(Expr::col(answer::Column::ResponseId).count(), "count")
        .filter(answer::Column::Number.is_not_null())
        .filter(answer::Column::QuestionKey.is_in(keys(survey, |kind| {
            matches!(kind, QuestionKind::Rating { .. } | QuestionKind::Nps | QuestionKind::Matrix { .. })
        })))
        .group_by(answer::Column::QuestionKey)
        .group_by(answer::Column::RowKey)
        .group_by(answer::Column::Number)
        .into_tuple()
        .all(&ctx.db)
        .await?;
    let rankings: Vec<(String, String, Option<f64>, i64)> = rows()
        .select_only()
        .column(answer::Column::QuestionKey)
        .column(answer::Column::OptionKey)
        // AVG of an integer is NUMERIC on PostgreSQL: both backends average doubles.
        .column_as(Expr::cust("AVG(CAST(rank AS DOUBLE PRECISION))"), "average")
        .column_as(Expr::cust("SUM(CASE WHEN rank = 1 THEN 1 ELSE 0 END)"), "first")
        .filter(answer::Column::Rank.is_not_null())
        .group_by(answer::Column::QuestionKey)
        .group_by(answer::Column::OptionKey)
        .into_tuple()
        .all(&ctx.db)
        .await?;

    let mut results = Vec::with_capacity(survey.questions.len());
    for question in &survey.questions {
        let key = question.key.as_str();
        let count = |skipped: bool| -> u64 {
            reach
                .iter()
                .filter(|(question, flag, _)| question == key && *flag == skipped)
                .map(|(_, _, count)| u64::try_from(*count).unwrap_or(0))
                .sum()
        };
        let mut result = QuestionResult {
            key: key.to_owned(),
            answered: count(false),
            skipped: count(true),
            ..QuestionResult::default()
        };
        let answered = result.answered;
        match &question.kind {
            QuestionKind::SingleChoice { options, .. } | QuestionKind::MultipleChoice { options, .. } => {
                let counts: HashMap<&str, u64> = chosen
                    .iter()
                    .filter(|(question, _, _)| question == key)
                    .map(|(_, option, count)| (option.as_str(), u64::try_from(*count).unwrap_or(0)))
                    .collect();
                result.options = options
                    .iter()
                    .map(|option| {
                        let count = counts.get(option.key.as_str()).copied().unwrap_or(0);
                        OptionCount { key: option.key.clone(), count, share: share(count, answered) }
                    })
                    .collect();
            }
            QuestionKind::Rating { .. } | QuestionKind::Nps => {
                let distribution: Vec<ValueCount> = values
                    .iter()
                    .filter(|(question, row, _, _)| question == key && row.is_none())
                    .map(|(_, _, value, count)| ValueCount { value: *value, count: u64::try_from(*count).unwrap_or(0) })
                    .collect();
                let (mean, median) = mean_and_median(&distribution);
                result.mean = mean;
                result.median = median;
                if matches!(question.kind, QuestionKind::Nps) {
                    result.nps = nps(&distribution);
                }
                result.distribution = distribution;
            }
            QuestionKind::Matrix { rows: matrix_rows, .. } => {
                result.rows = matrix_rows
                    .iter()
                    .map(|row| {
                        let distribution: Vec<ValueCount> = values
                            .iter()
                            .filter(|(question, row_key, _, _)| {
                                question == key && row_key.as_deref() == Some(row.key.as_str())
                            })
                            .map(|(_, _, value, count)| ValueCount {
                                value: *value,
                                count: u64::try_from(*count).unwrap_or(0),
                            })
                            .collect();
                        let count = distribution.iter().map(|value| value.count).sum();
                        RowResult { key: row.key.clone(), count, mean: mean_and_median(&distribution).0 }
                    })
                    .collect();
            }
            QuestionKind::Ranking { options, .. } => {
                result.ranking = options
                    .iter()
                    .map(|option| {
                        let found =
                            rankings.iter().find(|(question, ranked, _, _)| question == key && ranked == &option.key);
                        RankResult {
                            key: option.key.clone(),
                            average_rank: found.and_then(|(_, _, average, _)| *average),
                            first_place: found.map_or(0, |(_, _, _, first)| u64::try_from(*first).unwrap_or(0)),
                        }
                    })
                    .collect();
            }
            QuestionKind::Number { .. } => {
                let (mean, median) = number_mean_and_median(ctx, survey, filter, key, answered).await?;
                result.mean = mean;
                result.median = median;
            }
            QuestionKind::Text { .. } | QuestionKind::Date => {}
        }
        results.push(result);
    }
    Ok(results)
}

fn keys(survey: &Survey, kind: impl Fn(&QuestionKind) -> bool) -> Vec<String> {
    survey.questions.iter().filter(|question| kind(&question.kind)).map(|question| question.key.clone()).collect()
}

fn share(count: u64, of: u64) -> f64 {
    if of == 0 {
        0.0
    } else {
        #[allow(clippy::cast_precision_loss)]
        let share = count as f64 / of as f64;
        share
    }
}

/// Mean and median of a distribution (sorted here), the median of an even count being the mean
/// of the two middle values.
fn mean_and_median(distribution: &[ValueCount]) -> (Option<f64>, Option<f64>) {
    let total: u64 = distribution.iter().map(|value| value.count).sum();
    if total == 0 {
        return (None, None);
    }
    #[allow(clippy::cast_precision_loss)]
    let mean = distribution.iter().map(|value| value.value * value.count as f64).sum::<f64>() / total as f64;
    let mut sorted: Vec<&ValueCount> = distribution.iter().collect();
    sorted.sort_by(|a, b| a.value.total_cmp(&b.value));
    let nth = |n: u64| -> f64 {
        let mut seen = 0;
        for value in &sorted {
            seen += value.count;
            if seen > n {
                return value.value;
            }
        }
        sorted.last().map_or(0.0, |value| value.value)
    };
    let median = if total.is_multiple_of(2) { (nth(total / 2 - 1) + nth(total / 2)) / 2.0 } else { nth(total / 2) };
    (Some(mean), Some(median))
}

/// % promoters (9–10) − % detractors (0–6).
fn nps(distribution: &[ValueCount]) -> Option<f64> {
    let total: u64 = distribution.iter().map(|value| value.count).sum();
    if total == 0 {
        return None;
    }
    let promoters: u64 = distribution.iter().filter(|value| value.value >= 9.0).map(|value| value.count).sum();
    let detractors: u64 = distribution.iter().filter(|value| value.value <= 6.0).map(|value| value.count).sum();
    #[allow(clippy::cast_precision_loss)]
    let score = (promoters as f64 - detractors as f64) * 100.0 / total as f64;
    Some(score)
}

/// Mean by `AVG`, median by reading the one or two middle values in order: numbers may all
/// differ, so their distribution is not read.
async fn number_mean_and_median(
    ctx: &Context,
    survey: &Survey,
    filter: ResultsFilter,
    key: &str,
    answered: u64,
) -> Result<(Option<f64>, Option<f64>), SurveyError> {
    if answered == 0 {
        return Ok((None, None));
    }
    let numbers = || {
        answer::Entity::find()
            .filter(answer_filter(survey, filter))
            .filter(answer::Column::QuestionKey.eq(key))
            .filter(answer::Column::Number.is_not_null())
    };
    let mean: Option<f64> = numbers()
        .select_only()
        .column_as(Expr::col(answer::Column::Number).avg(), "mean")
        .into_tuple()
        .one(&ctx.db)
        .await?
        .flatten();
    let middle: Vec<f64> = numbers()
        .select_only()
        .column(answer::Column::Number)
        .order_by_asc(answer::Column::Number)
        .offset((answered - 1) / 2)
        .limit(if answered.is_multiple_of(2) { 2 } else { 1 })
        .into_tuple()
        .all(&ctx.db)
        .await?;
    #[allow(clippy::cast_precision_loss)]
    let median = (!middle.is_empty()).then(|| middle.iter().sum::<f64>() / middle.len() as f64);
    Ok((mean, median))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn distribution(values: &[(f64, u64)]) -> Vec<ValueCount> {
        values.iter().map(|(value, count)| ValueCount { value: *value, count: *count }).collect()
    }

    #[test]
    fn medians_of_even_counts_are_the_mean_of_the_two_middle_values() {
        assert_eq!(mean_and_median(&distribution(&[(1.0, 1), (2.0, 1), (4.0, 1), (5.0, 1)])), (Some(3.0), Some(3.0)));
        assert_eq!(mean_and_median(&distribution(&[(5.0, 1), (1.0, 2)])), (Some(7.0 / 3.0), Some(1.0)));
        assert_eq!(mean_and_median(&[]), (None, None));
    }

    #[test]
    fn nps_is_promoters_minus_detractors_in_percent() {
        // 2 promoters, 1 passive, 1 detractor of 4.
        assert_eq!(nps(&distribution(&[(10.0, 1), (9.0, 1), (8.0, 1), (3.0, 1)])), Some(25.0));
        assert_eq!(nps(&distribution(&[(0.0, 2)])), Some(-100.0));
        assert_eq!(nps(&[]), None);
    }
}
