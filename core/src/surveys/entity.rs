//! The stored form of a survey.

pub(crate) mod survey {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "surveys")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub district_id: Option<i64>,
        pub title: String,
        pub description: Option<String>,
        pub status: String,
        pub audience: String,
        pub anonymity: String,
        pub results_visibility: String,
        pub opens_at_ms: Option<i64>,
        pub closes_at_ms: Option<i64>,
        pub questions: String,
        pub version: i32,
        pub created_by: Option<String>,
        pub created_at_ms: i64,
        pub updated_at_ms: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub(crate) mod response {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "survey_responses")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: i64,
        pub survey_id: i64,
        pub channel: String,
        pub submitted_on: String,
        pub submitted_at_ms: Option<i64>,
        pub respondent_subject: Option<String>,
        pub respondent_district_id: Option<i64>,
        pub authenticated: bool,
        pub answers: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub(crate) mod answer {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "survey_answers")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub response_id: i64,
        pub survey_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub question_key: String,
        pub option_key: Option<String>,
        pub number: Option<f64>,
        pub text: Option<String>,
        pub date: Option<String>,
        pub rank: Option<i32>,
        pub row_key: Option<String>,
        pub skipped: bool,
        pub channel: String,
        pub district_id: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub(crate) mod participation {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "survey_participations")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub survey_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub participant_key: String,
        pub response_ref: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub(crate) mod tally {
    use sea_orm::entity::prelude::*;

    // The table's key is every column but the last two; only its first is declared here, as
    // tallies are only ever upserted and summed, never found by key.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "survey_tallies")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub survey_id: i64,
        pub question_key: String,
        pub facet: String,
        pub item: String,
        pub value: f64,
        pub channel: String,
        pub district_id: i64,
        pub shard: i32,
        pub tally: i64,
        pub total: f64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
