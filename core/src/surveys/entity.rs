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
