//! The API keys of a district's Open311 clients, for its admins.

use async_graphql::{Context, ID, Object};
use civitas_core::ids::{DistrictId, Open311ClientId};
use civitas_core::open311;

use crate::errors::{IntoGraphql, parse_id};
use crate::schema::{core_context, request};
use crate::types::open311::{Open311Client, Open311ClientCreation};

/// Open311 queries.
#[derive(Default)]
pub struct Open311Query;

#[Object]
impl Open311Query {
    /// A district's Open311 clients, newest first, revoked ones included (its admin or a city
    /// admin).
    async fn open311_clients(&self, ctx: &Context<'_>, district_id: ID) -> async_graphql::Result<Vec<Open311Client>> {
        let district_id: DistrictId = parse_id("districtId", &district_id)?;
        let clients = open311::clients(core_context(ctx), &request(ctx).caller, district_id).await.gql()?;
        Ok(clients.into_iter().map(Open311Client).collect())
    }
}

/// Open311 mutations.
#[derive(Default)]
pub struct Open311Mutation;

#[Object]
impl Open311Mutation {
    /// Issues an API key to a new Open311 client of a district (its admin or a city admin); the
    /// key is in this answer only. Audited.
    async fn create_open311_client(
        &self,
        ctx: &Context<'_>,
        district_id: ID,
        name: String,
    ) -> async_graphql::Result<Open311ClientCreation> {
        let district_id: DistrictId = parse_id("districtId", &district_id)?;
        let issued = open311::create_client(core_context(ctx), &request(ctx).caller, district_id, &name).await.gql()?;
        Ok(Open311ClientCreation { client: Open311Client(issued.client), api_key: issued.api_key })
    }

    /// Revokes a client's API key at once (its district's admin or a city admin). Audited.
    async fn revoke_open311_client(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Open311Client> {
        let id: Open311ClientId = parse_id("id", &id)?;
        Ok(Open311Client(open311::revoke_client(core_context(ctx), &request(ctx).caller, id).await.gql()?))
    }
}
