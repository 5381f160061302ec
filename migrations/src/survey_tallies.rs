//! Recounting a survey's tallies from its answer rows, in SQL that SQLite and PostgreSQL both
//! run: the backfill of the migration that introduced the tallies, and a repair for surveys
//! whose answer rows were written without them (bulk imports, the benchmark's seeding tool).

use sea_orm_migration::sea_orm::{ConnectionTrait, DbErr};

/// Replaces the tallies of survey `survey` by counts of its stored responses and answers.
/// `value_questions` are the keys of its rating and NPS questions (whose values are counted one
/// by one; a number question's are summed). Run it in a transaction no submission interleaves
/// with, or the counts may miss one.
pub async fn recount(db: &impl ConnectionTrait, survey: i64, value_questions: &[String]) -> Result<(), DbErr> {
    let insert = "INSERT INTO survey_tallies \
        (survey_id, question_key, facet, item, value, channel, district_id, shard, tally, total)";
    let district = "COALESCE(district_id, 0)";
    let answers = format!("FROM survey_answers WHERE survey_id = {survey}");
    let by = format!("GROUP BY question_key, channel, {district}");
    let values = if value_questions.is_empty() {
        "AND 1 = 0".to_owned()
    } else {
        let keys: Vec<String> = value_questions.iter().map(|key| format!("'{}'", key.replace('\'', "''"))).collect();
        format!("AND question_key IN ({})", keys.join(", "))
    };
    let statements = [
        format!("DELETE FROM survey_tallies WHERE survey_id = {survey}"),
        format!(
            "{insert} SELECT survey_id, '', 'responses', '', 0, channel, COALESCE(respondent_district_id, 0), 0, \
             COUNT(*), 0 FROM survey_responses WHERE survey_id = {survey} \
             GROUP BY survey_id, channel, COALESCE(respondent_district_id, 0)"
        ),
        format!(
            "{insert} SELECT survey_id, '', 'unauthenticated', '', 0, channel, COALESCE(respondent_district_id, 0), \
             0, COUNT(*), 0 FROM survey_responses WHERE survey_id = {survey} AND NOT authenticated \
             GROUP BY survey_id, channel, COALESCE(respondent_district_id, 0)"
        ),
        format!(
            "{insert} SELECT {survey}, question_key, 'answered', '', 0, channel, {district}, 0, \
             COUNT(DISTINCT response_id), 0 {answers} AND NOT skipped {by}"
        ),
        format!(
            "{insert} SELECT {survey}, question_key, 'skipped', '', 0, channel, {district}, 0, COUNT(*), 0 \
             {answers} AND skipped {by}"
        ),
        format!(
            "{insert} SELECT {survey}, question_key, 'option', option_key, 0, channel, {district}, 0, COUNT(*), 0 \
             {answers} AND option_key IS NOT NULL AND rank IS NULL {by}, option_key"
        ),
        format!(
            "{insert} SELECT {survey}, question_key, 'rank', option_key, 0, channel, {district}, 0, COUNT(*), \
             CAST(SUM(rank) AS DOUBLE PRECISION) {answers} AND rank IS NOT NULL {by}, option_key"
        ),
        format!(
            "{insert} SELECT {survey}, question_key, 'first', option_key, 0, channel, {district}, 0, COUNT(*), 0 \
             {answers} AND rank = 1 {by}, option_key"
        ),
        format!(
            "{insert} SELECT {survey}, question_key, 'value', row_key, number, channel, {district}, 0, COUNT(*), 0 \
             {answers} AND row_key IS NOT NULL AND number IS NOT NULL {by}, row_key, number"
        ),
        format!(
            "{insert} SELECT {survey}, question_key, 'value', '', number, channel, {district}, 0, COUNT(*), 0 \
             {answers} AND row_key IS NULL AND number IS NOT NULL {values} {by}, number"
        ),
        format!(
            "{insert} SELECT {survey}, question_key, 'number', '', 0, channel, {district}, 0, COUNT(*), SUM(number) \
             {answers} AND row_key IS NULL AND number IS NOT NULL {by}"
        ),
    ];
    for statement in statements {
        db.execute_unprepared(&statement).await?;
    }
    Ok(())
}
