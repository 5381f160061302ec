//! Storage rows of tickets (sea-orm entities), private to the crate.

pub(crate) mod ticket {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "tickets")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub code: String,
        pub channel: String,
        pub district_id: i64,
        pub street_id: Option<i64>,
        pub category_id: i64,
        pub title: String,
        pub description: String,
        pub address: Option<String>,
        pub latitude: Option<f64>,
        pub longitude: Option<f64>,
        pub reporter_subject: Option<String>,
        pub intake_subject: Option<String>,
        pub contact_name: Option<String>,
        pub contact_phone: Option<String>,
        pub contact_email: Option<String>,
        pub contact_language: Option<String>,
        pub priority: String,
        pub status: String,
        pub department_id: Option<i64>,
        pub respond_by_ms: i64,
        pub resolve_by_ms: i64,
        pub accepted_at_ms: Option<i64>,
        pub resolved_at_ms: Option<i64>,
        pub closed_at_ms: Option<i64>,
        pub escalation_level: i16,
        pub rating_score: Option<i16>,
        pub rating_comment: Option<String>,
        pub merged_into_id: Option<i64>,
        pub reopen_count: i32,
        pub version: i32,
        pub created_at_ms: i64,
        pub updated_at_ms: i64,
        /// SHA-256 (hex) of the tracking token an anonymous reporter was given.
        pub tracking_token_hash: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Which ticket a submission with an `Idempotency-Key` made, for 24 hours.
pub(crate) mod idempotency_key {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "idempotency_keys")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub scope: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub key: String,
        pub ticket_id: i64,
        /// The anonymous reporter's tracking token, given again to a retry within the 24 hours.
        pub tracking_token: Option<String>,
        pub created_at_ms: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub(crate) mod ticket_event {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "ticket_events")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ticket_id: i64,
        pub kind: String,
        pub actor_subject: Option<String>,
        pub actor_role: Option<String>,
        pub at_ms: i64,
        pub note: Option<String>,
        pub department_id: Option<i64>,
        pub score: Option<i16>,
        pub related_ticket_id: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub(crate) mod ticket_follower {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "ticket_followers")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub ticket_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub subject: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub(crate) mod ticket_code_counter {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "ticket_code_counters")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub year: i32,
        pub last_value: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
