//! Survey results read from running tallies instead of scanning every answer: per survey,
//! question, counted thing (`facet`: responses, answered, skipped, option, value, rank, first,
//! number), its option or row (`item`) and value, and the facets results are filtered by
//! (channel, respondent district, `0` for none), a count and a sum. A submission adds to them in
//! its own transaction; each response adds to one of a few `shard`s (by its random ID) so that
//! concurrent submissions on PostgreSQL do not all wait for the same row. Number medians read
//! the middle of a new index instead. Existing surveys are recounted from their answer rows.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SurveyTallies {
    Table,
    SurveyId,
    QuestionKey,
    Facet,
    Item,
    Value,
    Channel,
    DistrictId,
    Shard,
    Tally,
    Total,
}

#[derive(DeriveIden)]
enum SurveyAnswers {
    Table,
    SurveyId,
    QuestionKey,
    Number,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SurveyTallies::Table)
                    .col(ColumnDef::new(SurveyTallies::SurveyId).big_integer().not_null())
                    .col(ColumnDef::new(SurveyTallies::QuestionKey).string().not_null())
                    .col(ColumnDef::new(SurveyTallies::Facet).string().not_null())
                    .col(ColumnDef::new(SurveyTallies::Item).string().not_null())
                    .col(ColumnDef::new(SurveyTallies::Value).double().not_null())
                    .col(ColumnDef::new(SurveyTallies::Channel).string().not_null())
                    .col(ColumnDef::new(SurveyTallies::DistrictId).big_integer().not_null())
                    .col(ColumnDef::new(SurveyTallies::Shard).integer().not_null())
                    .col(ColumnDef::new(SurveyTallies::Tally).big_integer().not_null())
                    .col(ColumnDef::new(SurveyTallies::Total).double().not_null())
                    .primary_key(
                        Index::create()
                            .col(SurveyTallies::SurveyId)
                            .col(SurveyTallies::QuestionKey)
                            .col(SurveyTallies::Facet)
                            .col(SurveyTallies::Item)
                            .col(SurveyTallies::Value)
                            .col(SurveyTallies::Channel)
                            .col(SurveyTallies::DistrictId)
                            .col(SurveyTallies::Shard),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_survey_answers_numbers")
                    .table(SurveyAnswers::Table)
                    .col(SurveyAnswers::SurveyId)
                    .col(SurveyAnswers::QuestionKey)
                    .col(SurveyAnswers::Number)
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        let backend = db.get_database_backend();
        let surveys = db.query_all_raw(Statement::from_string(backend, "SELECT id, questions FROM surveys")).await?;
        for survey in surveys {
            let id: i64 = survey.try_get_by_index(0)?;
            let questions: String = survey.try_get_by_index(1)?;
            crate::survey_tallies::recount(db, id, &value_questions(&questions)?).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name("idx_survey_answers_numbers").table(SurveyAnswers::Table).to_owned())
            .await?;
        manager.drop_table(Table::drop().table(SurveyTallies::Table).to_owned()).await
    }
}

/// The keys of the rating and NPS questions of a stored definition.
fn value_questions(questions: &str) -> Result<Vec<String>, DbErr> {
    let questions: serde_json::Value =
        serde_json::from_str(questions).map_err(|error| DbErr::Custom(format!("a survey's questions: {error}")))?;
    Ok(questions
        .as_array()
        .into_iter()
        .flatten()
        .filter(|question| matches!(question["kind"]["type"].as_str(), Some("RATING" | "NPS")))
        .filter_map(|question| question["key"].as_str().map(str::to_owned))
        .collect())
}
