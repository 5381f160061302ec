//! A survey's results, read from its running tallies (one grouped read of its counters, however
//! many responses) and, for number questions' medians, the middle of an index: never a scan of
//! its answers, never a response loaded into memory.
//!
//! Who sees what follows the survey's results visibility: `LIVE` everyone (its admins also
//! while it is a draft); `AFTER_CLOSE` only the number of responses until it closes, admins
//! included, then everyone; `ADMINS_ONLY` its admins, always.

use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::entity::answer;
use super::service::may_manage;
use super::settings::{ResultsVisibility, Survey, SurveyStatus};
use super::tally::{self, Counted, Facet};
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
    let counted = tally::read(&ctx.db, survey.id, filter).await?;
    let total = |facet: Facet| -> u64 {
        counted.iter().filter(|counter| counter.question.is_empty() && counter.facet == facet).map(|c| c.count).sum()
    };
    let questions = if shown { Some(question_results(ctx, &survey, filter, &counted).await?) } else { None };
    Ok(SurveyResults {
        responses: total(Facet::Responses),
        unauthenticated_responses: total(Facet::Unauthenticated),
        questions,
    })
}

/// How many responses a survey the caller may see has (what its results would say; refused for
/// `ADMINS_ONLY` results to anyone but its admins).
pub async fn response_total(ctx: &Context, caller: &Caller, id: SurveyId) -> Result<u64, SurveyError> {
    let survey = super::get(ctx, caller, id).await?;
    results_shown(&survey, caller)?;
    super::response_count(ctx, &survey).await
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
    counted: &[Counted],
) -> Result<Vec<QuestionResult>, SurveyError> {
    let mut results = Vec::with_capacity(survey.questions.len());
    for question in &survey.questions {
        let key = question.key.as_str();
        let of = |facet: Facet| counted.iter().filter(move |c| c.question == key && c.facet == facet);
        let sum = |facet: Facet| of(facet).map(|counter| counter.count).sum::<u64>();
        let mut result = QuestionResult {
            key: key.to_owned(),
            answered: sum(Facet::Answered),
            skipped: sum(Facet::Skipped),
            ..QuestionResult::default()
        };
        let answered = result.answered;
        let item_count = |facet: Facet, item: &str| of(facet).filter(|c| c.item == item).map(|c| c.count).sum::<u64>();
        let distribution = |item: &str| -> Vec<ValueCount> {
            of(Facet::Value)
                .filter(|counter| counter.item == item)
                .map(|counter| ValueCount { value: counter.value, count: counter.count })
                .collect()
        };
        match &question.kind {
            QuestionKind::SingleChoice { options, .. } | QuestionKind::MultipleChoice { options, .. } => {
                result.options = options
                    .iter()
                    .map(|option| {
                        let count = item_count(Facet::Option, &option.key);
                        OptionCount { key: option.key.clone(), count, share: share(count, answered) }
                    })
                    .collect();
            }
            QuestionKind::Rating { .. } | QuestionKind::Nps => {
                let mut values = distribution("");
                values.sort_by(|a, b| a.value.total_cmp(&b.value));
                let (mean, median) = mean_and_median(&values);
                result.mean = mean;
                result.median = median;
                if matches!(question.kind, QuestionKind::Nps) {
                    result.nps = nps(&values);
                }
                result.distribution = values;
            }
            QuestionKind::Matrix { rows: matrix_rows, .. } => {
                result.rows = matrix_rows
                    .iter()
                    .map(|row| {
                        let values = distribution(&row.key);
                        let count = values.iter().map(|value| value.count).sum();
                        RowResult { key: row.key.clone(), count, mean: mean_and_median(&values).0 }
                    })
                    .collect();
            }
            QuestionKind::Ranking { options, .. } => {
                result.ranking = options
                    .iter()
                    .map(|option| {
                        let ranked = of(Facet::Rank).filter(|c| c.item == option.key);
                        let (times, places) = ranked.fold((0u64, 0.0), |(n, sum), c| (n + c.count, sum + c.total));
                        #[allow(clippy::cast_precision_loss)]
                        let average_rank = (times > 0).then(|| places / times as f64);
                        RankResult {
                            key: option.key.clone(),
                            average_rank,
                            first_place: item_count(Facet::First, &option.key),
                        }
                    })
                    .collect();
            }
            QuestionKind::Number { .. } => {
                let (given, sum) = of(Facet::Number).fold((0u64, 0.0), |(n, total), c| (n + c.count, total + c.total));
                #[allow(clippy::cast_precision_loss)]
                let mean = (given > 0).then(|| sum / given as f64);
                result.mean = mean;
                result.median = number_median(ctx, survey, filter, key, given).await?;
            }
            QuestionKind::Text { .. } | QuestionKind::Date => {}
        }
        results.push(result);
    }
    Ok(results)
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

/// The median of a number question: the one or two middle values, read from the
/// `(survey, question, number)` index (numbers may all differ, so no distribution is kept).
async fn number_median(
    ctx: &Context,
    survey: &Survey,
    filter: ResultsFilter,
    key: &str,
    given: u64,
) -> Result<Option<f64>, SurveyError> {
    if given == 0 {
        return Ok(None);
    }
    let middle: Vec<f64> = answer::Entity::find()
        .filter(answer_filter(survey, filter))
        .filter(answer::Column::QuestionKey.eq(key))
        .filter(answer::Column::Number.is_not_null())
        .select_only()
        .column(answer::Column::Number)
        .order_by_asc(answer::Column::Number)
        .offset((given - 1) / 2)
        .limit(if given.is_multiple_of(2) { 2 } else { 1 })
        .into_tuple()
        .all(&ctx.db)
        .await?;
    #[allow(clippy::cast_precision_loss)]
    let median = (!middle.is_empty()).then(|| middle.iter().sum::<f64>() / middle.len() as f64);
    Ok(median)
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
