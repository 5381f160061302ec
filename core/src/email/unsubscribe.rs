//! One-click unsubscribe (RFC 8058): every message carries a link signed with the server's
//! participation key that opts its recipient out of that kind of mail (or of all mail). The
//! opt-out is stored under a keyed hash of the address, so the table holds no address and a
//! copy of the database cannot tell whose opt-out a row is.

use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::EmailError;
use super::model::EmailKind;
use crate::context::Context;
use crate::time::to_millis;

/// The kind column's value for "every kind of mail".
pub(super) const ALL: &str = "ALL";

pub(crate) mod opt_out {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "email_opt_outs")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub recipient_key: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub kind: String,
        pub created_at_ms: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// What an unsubscribe link opted out of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptedOut {
    /// One kind of mail.
    Kind(EmailKind),
    /// Every kind.
    Everything,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The key a recipient's opt-outs are stored under (an HMAC of the address, lower-cased).
pub(super) fn recipient_key(ctx: &Context, address: &str) -> String {
    hex(&ctx.secrets.participation_mac(&[b"email-recipient", address.trim().to_lowercase().as_bytes()]))
}

fn signature(ctx: &Context, kind: &str, key: &str) -> String {
    hex(&ctx.secrets.participation_mac(&[b"email-unsubscribe", kind.as_bytes(), key.as_bytes()])[..16])
}

/// The signed token of the unsubscribe link of a `kind` message to `address`.
pub(crate) fn token(ctx: &Context, address: &str, kind: EmailKind) -> String {
    let key = recipient_key(ctx, address);
    format!("{}.{key}.{}", kind.as_str(), signature(ctx, kind.as_str(), &key))
}

/// Records the opt-out a token stands for (of its kind, or with `everything` of all mail);
/// `NotFound` for a token this server did not sign. Repeating it changes nothing.
pub async fn unsubscribe(ctx: &Context, token: &str, everything: bool) -> Result<OptedOut, EmailError> {
    let mut parts = token.split('.');
    let (Some(kind), Some(key), Some(given), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(EmailError::NotFound);
    };
    let kind = EmailKind::parse(kind).ok_or(EmailError::NotFound)?;
    let expected = signature(ctx, kind.as_str(), key);
    // Compared in constant time: the signature is a secret-derived value.
    let same = expected.len() == given.len()
        && expected.bytes().zip(given.bytes()).fold(0u8, |diff, (a, b)| diff | (a ^ b)) == 0;
    if !same {
        return Err(EmailError::NotFound);
    }
    let (stored, opted) = if everything { (ALL, OptedOut::Everything) } else { (kind.as_str(), OptedOut::Kind(kind)) };
    let row = opt_out::ActiveModel {
        recipient_key: Set(key.to_owned()),
        kind: Set(stored.to_owned()),
        created_at_ms: Set(to_millis(ctx.clock.now())),
    };
    opt_out::Entity::insert(row)
        .on_conflict_do_nothing_on([opt_out::Column::RecipientKey, opt_out::Column::Kind])
        .exec_without_returning(&ctx.db)
        .await?;
    Ok(opted)
}

/// Whether `address` opted out of `kind` (or of all mail).
pub(crate) async fn opted_out(
    ctx: &Context,
    db: &impl ConnectionTrait,
    address: &str,
    kind: EmailKind,
) -> Result<bool, EmailError> {
    let found = opt_out::Entity::find()
        .filter(opt_out::Column::RecipientKey.eq(recipient_key(ctx, address)))
        .filter(opt_out::Column::Kind.is_in([kind.as_str(), ALL]))
        .one(db)
        .await?;
    Ok(found.is_some())
}
