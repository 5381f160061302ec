//! Survey responses, kept so that an anonymous one cannot be linked to a person from the
//! database alone: a response row has a random ID and only the day it came in; each answer
//! value is its own row (results are SQL aggregates over them); and the one-per-resident
//! participation keys (HMACs under a secret kept outside the database) live in their own table
//! with no ID, timestamp or response ID of theirs — only the response's ID masked under the
//! same secret, so that the server can find a resident's response to replace it.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SurveyResponses {
    Table,
    Id,
    SurveyId,
    Channel,
    SubmittedOn,
    SubmittedAtMs,
    RespondentSubject,
    RespondentDistrictId,
    Authenticated,
    Answers,
}

#[derive(DeriveIden)]
enum SurveyAnswers {
    Table,
    ResponseId,
    SurveyId,
    QuestionKey,
    OptionKey,
    Number,
    Text,
    Date,
    Rank,
    RowKey,
}

#[derive(DeriveIden)]
enum SurveyParticipations {
    Table,
    SurveyId,
    ParticipantKey,
    ResponseRef,
}

#[derive(DeriveIden)]
enum Surveys {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SurveyResponses::Table)
                    .col(ColumnDef::new(SurveyResponses::Id).big_integer().not_null().primary_key())
                    .col(ColumnDef::new(SurveyResponses::SurveyId).big_integer().not_null())
                    .col(ColumnDef::new(SurveyResponses::Channel).string().not_null())
                    .col(ColumnDef::new(SurveyResponses::SubmittedOn).string().not_null())
                    .col(ColumnDef::new(SurveyResponses::SubmittedAtMs).big_integer().null())
                    .col(ColumnDef::new(SurveyResponses::RespondentSubject).string().null())
                    .col(ColumnDef::new(SurveyResponses::RespondentDistrictId).big_integer().null())
                    .col(ColumnDef::new(SurveyResponses::Authenticated).boolean().not_null())
                    .col(ColumnDef::new(SurveyResponses::Answers).text().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_survey_responses_survey")
                            .from(SurveyResponses::Table, SurveyResponses::SurveyId)
                            .to(Surveys::Table, Surveys::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_survey_responses_survey")
                    .table(SurveyResponses::Table)
                    .col(SurveyResponses::SurveyId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SurveyAnswers::Table)
                    .col(ColumnDef::new(SurveyAnswers::ResponseId).big_integer().not_null())
                    .col(ColumnDef::new(SurveyAnswers::SurveyId).big_integer().not_null())
                    .col(ColumnDef::new(SurveyAnswers::QuestionKey).string().not_null())
                    .col(ColumnDef::new(SurveyAnswers::OptionKey).string().null())
                    .col(ColumnDef::new(SurveyAnswers::Number).double().null())
                    .col(ColumnDef::new(SurveyAnswers::Text).text().null())
                    .col(ColumnDef::new(SurveyAnswers::Date).string().null())
                    .col(ColumnDef::new(SurveyAnswers::Rank).integer().null())
                    .col(ColumnDef::new(SurveyAnswers::RowKey).string().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_survey_answers_question")
                    .table(SurveyAnswers::Table)
                    .col(SurveyAnswers::SurveyId)
                    .col(SurveyAnswers::QuestionKey)
                    .col(SurveyAnswers::OptionKey)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_survey_answers_response")
                    .table(SurveyAnswers::Table)
                    .col(SurveyAnswers::ResponseId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SurveyParticipations::Table)
                    .col(ColumnDef::new(SurveyParticipations::SurveyId).big_integer().not_null())
                    .col(ColumnDef::new(SurveyParticipations::ParticipantKey).string().not_null())
                    .col(ColumnDef::new(SurveyParticipations::ResponseRef).big_integer().not_null())
                    .primary_key(
                        Index::create().col(SurveyParticipations::SurveyId).col(SurveyParticipations::ParticipantKey),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(SurveyParticipations::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(SurveyAnswers::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(SurveyResponses::Table).to_owned()).await
    }
}
