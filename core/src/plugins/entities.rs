//! Storage rows of plugins (sea-orm entities), private to the crate.

pub(crate) mod component {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "plugin_components")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub sha256: String,
        pub bytes: Vec<u8>,
        pub size: i64,
        pub created_at_ms: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub(crate) mod plugin {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "plugins")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub district_id: Option<i64>,
        pub name: String,
        pub version: String,
        pub sha256: String,
        pub config: String,
        pub limits: Option<String>,
        pub enabled: bool,
        pub disabled_reason: Option<String>,
        pub consecutive_failures: i32,
        pub installed_by: String,
        pub installed_at_ms: i64,
        pub updated_at_ms: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(has_many = "super::plugin_hook::Entity")]
        Hooks,
    }

    impl Related<super::plugin_hook::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Hooks.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// The hooks a plugin serves, a row each.
pub(crate) mod plugin_hook {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "plugin_hooks")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub plugin_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub hook: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(belongs_to = "super::plugin::Entity", from = "Column::PluginId", to = "super::plugin::Column::Id")]
        Plugin,
    }

    impl Related<super::plugin::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Plugin.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub(crate) mod call {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "plugin_calls")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub plugin_id: i64,
        pub district_id: Option<i64>,
        pub hook: String,
        pub outcome: String,
        pub detail: Option<String>,
        pub fuel_used: i64,
        pub wall_micros: i64,
        pub at_ms: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
