//! Open311 clients as GraphQL types.

use async_graphql::{ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use civitas_core::open311;

/// A 311 client (an app, FixMyStreet, a data portal) holding an API key of a district's
/// Open311 endpoint.
pub struct Open311Client(pub open311::Open311Client);

#[Object]
impl Open311Client {
    /// Its ID (`o311_…`).
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The district its key posts to.
    async fn district_id(&self) -> ID {
        ID(self.0.district_id.to_string())
    }

    /// Who it is.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// When its key was issued.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When its key was revoked; a revoked key posts nothing.
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
}

/// A new client and its API key, shown this once: only its hash is kept.
#[derive(SimpleObject)]
pub struct Open311ClientCreation {
    /// The client.
    pub client: Open311Client,
    /// The key to give the client (`o311k_…`), for `api_key` in Open311 posts.
    pub api_key: String,
}
