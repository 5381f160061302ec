//! Storage rows of Open311 clients and posted requests (sea-orm entities), private to the crate.

pub(crate) mod client {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "open311_clients")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub district_id: i64,
        pub name: String,
        /// SHA-256 (hex) of the API key, which is shown once and never stored.
        pub key_hash: String,
        pub created_at_ms: i64,
        pub revoked_at_ms: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub(crate) mod request {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "open311_requests")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub token: String,
        pub ticket_id: i64,
        pub client_id: i64,
        pub media_url: Option<String>,
        pub created_at_ms: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
