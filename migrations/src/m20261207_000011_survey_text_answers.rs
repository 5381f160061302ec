//! Reading a question's text answers page by page: the rows of one question in response-ID
//! order, so that each page is one index range scan, never a sort of every answer.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SurveyAnswers {
    Table,
    SurveyId,
    QuestionKey,
    ResponseId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("idx_survey_answers_texts")
                    .table(SurveyAnswers::Table)
                    .col(SurveyAnswers::SurveyId)
                    .col(SurveyAnswers::QuestionKey)
                    .col(SurveyAnswers::ResponseId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("idx_survey_answers_texts").table(SurveyAnswers::Table).to_owned()).await
    }
}
