//! The API keys of Open311 clients: issued by a district's admin (or the city's) to one client,
//! shown once, stored as a SHA-256, valid for that district only, revocable. Both changes are
//! audited.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};
use serde::Serialize;

use super::Open311Error;
use super::entities::client;
use crate::audit::{self, Change};
use crate::auth::{AdminRefusal, Caller};
use crate::context::Context;
use crate::digest::{random_hex, sha256_hex};
use crate::directory;
use crate::events::{DomainEvent, Open311ClientFacts};
use crate::ids::{DistrictId, Open311ClientId};
use crate::text;
use crate::time::{from_millis, to_millis};

/// The prefix of every API key, so that one pasted in the wrong place is recognisable.
const KEY_PREFIX: &str = "o311k_";

/// A client holding an API key of a district.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Open311Client {
    /// Its ID.
    pub id: Open311ClientId,
    /// The district its key posts to.
    pub district_id: DistrictId,
    /// Who it is (an app, a vendor, a portal).
    pub name: String,
    /// When its key was issued.
    pub created_at: DateTime<Utc>,
    /// When its key was revoked; a revoked key posts nothing.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<client::Model> for Open311Client {
    fn from(row: client::Model) -> Self {
        Open311Client {
            id: Open311ClientId(row.id),
            district_id: DistrictId(row.district_id),
            name: row.name,
            created_at: from_millis(row.created_at_ms),
            revoked_at: row.revoked_at_ms.map(from_millis),
        }
    }
}

/// A new client and its API key, which is shown this once and cannot be read again.
#[derive(Clone)]
pub struct IssuedKey {
    /// The client.
    pub client: Open311Client,
    /// The key (`o311k_` and 64 hex digits).
    pub api_key: String,
}

impl std::fmt::Debug for IssuedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedKey").field("client", &self.client).field("api_key", &"<redacted>").finish()
    }
}

fn require_admin(caller: &Caller, district: DistrictId) -> Result<(), Open311Error> {
    caller.administers(Some(district)).map_err(|refusal| match refusal {
        AdminRefusal::Unauthenticated => Open311Error::Unauthenticated,
        AdminRefusal::Forbidden => Open311Error::Forbidden,
    })
}

fn new_key() -> String {
    format!("{KEY_PREFIX}{}", random_hex::<32>())
}

/// Issues an API key to a new client of `district_id` (its admin or a city admin).
pub async fn create_client(
    ctx: &Context,
    caller: &Caller,
    district_id: DistrictId,
    name: &str,
) -> Result<IssuedKey, Open311Error> {
    require_admin(caller, district_id)?;
    let name = text::required("name", name, 200)?;
    directory::district(ctx, district_id).await?;
    let api_key = new_key();
    let now = ctx.clock.now();
    let txn = ctx.db.begin().await?;
    let row = client::ActiveModel {
        district_id: Set(district_id.0),
        name: Set(name),
        key_hash: Set(sha256_hex(api_key.as_bytes())),
        created_at_ms: Set(to_millis(now)),
        revoked_at_ms: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let client = Open311Client::from(row);
    let event = DomainEvent::Open311ClientCreated(Open311ClientFacts { client: client.id, district: district_id });
    let after = serde_json::to_value(&client).ok();
    audit::record(&txn, caller, now, Change { event, before: None, after }).await?;
    txn.commit().await?;
    Ok(IssuedKey { client, api_key })
}

/// Revokes a client's key (its district's admin or a city admin); revoking twice changes nothing.
pub async fn revoke_client(ctx: &Context, caller: &Caller, id: Open311ClientId) -> Result<Open311Client, Open311Error> {
    if matches!(caller, Caller::Anonymous) {
        return Err(Open311Error::Unauthenticated);
    }
    let row = client::Entity::find_by_id(id.0).one(&ctx.db).await?.ok_or(Open311Error::NotFound)?;
    let before = Open311Client::from(row.clone());
    // Another district's client is as good as absent.
    require_admin(caller, before.district_id).map_err(|_| Open311Error::NotFound)?;
    if before.revoked_at.is_some() {
        return Ok(before);
    }
    let now = ctx.clock.now();
    let txn = ctx.db.begin().await?;
    let mut active: client::ActiveModel = row.into();
    active.revoked_at_ms = Set(Some(to_millis(now)));
    let revoked = Open311Client::from(active.update(&txn).await?);
    let event = DomainEvent::Open311ClientRevoked(Open311ClientFacts { client: id, district: revoked.district_id });
    let change =
        Change { event, before: serde_json::to_value(&before).ok(), after: serde_json::to_value(&revoked).ok() };
    audit::record(&txn, caller, now, change).await?;
    txn.commit().await?;
    Ok(revoked)
}

/// The clients of a district, newest first (its admin or a city admin).
pub async fn clients(
    ctx: &Context,
    caller: &Caller,
    district_id: DistrictId,
) -> Result<Vec<Open311Client>, Open311Error> {
    require_admin(caller, district_id)?;
    Ok(client::Entity::find()
        .filter(client::Column::DistrictId.eq(district_id.0))
        .order_by_desc(client::Column::Id)
        .all(&ctx.db)
        .await?
        .into_iter()
        .map(Open311Client::from)
        .collect())
}

/// The client an API key was issued to, if the key is valid (not revoked) for `district_id`.
pub async fn client_for_key(
    ctx: &Context,
    api_key: &str,
    district_id: DistrictId,
) -> Result<Open311Client, Open311Error> {
    let api_key = api_key.trim();
    if !api_key.starts_with(KEY_PREFIX) || api_key.len() != KEY_PREFIX.len() + 64 {
        return Err(Open311Error::BadKey);
    }
    client::Entity::find()
        .filter(client::Column::KeyHash.eq(sha256_hex(api_key.as_bytes())))
        .filter(client::Column::RevokedAtMs.is_null())
        .filter(client::Column::DistrictId.eq(district_id.0))
        .one(&ctx.db)
        .await?
        .map(Open311Client::from)
        .ok_or(Open311Error::BadKey)
}
