//! The stored form of budgeting processes.

pub(crate) mod process {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "budget_processes")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub district_id: Option<i64>,
        pub title: String,
        pub description: Option<String>,
        pub budget: i64,
        pub currency: String,
        pub format: String,
        pub rules: String,
        pub rule: String,
        pub phase: String,
        pub proposals_from_ms: Option<i64>,
        pub review_from_ms: Option<i64>,
        pub voting_from_ms: Option<i64>,
        pub voting_until_ms: Option<i64>,
        pub outcome: Option<String>,
        pub version: i32,
        pub minimum_age: Option<i32>,
        pub created_at_ms: i64,
        pub updated_at_ms: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub(crate) mod project {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "budget_projects")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub process_id: i64,
        pub title: String,
        pub description: Option<String>,
        pub cost: i64,
        pub estimated_cost: i64,
        pub street_id: Option<i64>,
        pub latitude: Option<f64>,
        pub longitude: Option<f64>,
        pub status: String,
        pub reason: Option<String>,
        pub created_at_ms: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub(crate) mod ballot {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "budget_ballots")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: i64,
        pub process_id: i64,
        pub receipt: String,
        pub channel: String,
        pub status: String,
        pub choices: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub(crate) mod participation {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "budget_participations")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub process_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub participant_key: String,
        pub ballot_ref: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub(crate) mod milestone {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "budget_milestones")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub project_id: i64,
        pub title: String,
        pub status: String,
        pub progress: i32,
        pub date: Option<String>,
        pub note: Option<String>,
        pub created_at_ms: i64,
        pub updated_at_ms: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub(crate) mod review {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "budget_reviews")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: i64,
        pub process_id: i64,
        pub ballot_id: i64,
        pub reason: String,
        pub status: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
