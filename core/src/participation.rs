//! One participation per person in a survey or a budgeting vote, kept so that a copy of the
//! database cannot link a response or a ballot to the person who gave it.
//!
//! A participation key is an HMAC, under a secret kept outside the database
//! ([`crate::secrets::Secrets`]), of the scope (survey or process), its ID and the participant
//! (`sub:…` or `phone:…`); its row keeps only the ID of the response or ballot masked under the
//! same secret, so that the server can find it again to replace or withdraw it and a dump
//! cannot. Each domain passes its own scope labels, so keys never collide across domains.

use crate::auth::Caller;
use crate::context::Context;
use crate::error::InvalidInput;

/// The labels one domain's keys and masks are derived under.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scope {
    /// Label of participation keys.
    pub key: &'static [u8],
    /// Label of the pads that mask stored IDs.
    pub pad: &'static [u8],
}

/// A signed-in resident as participation keys name them: the phone their identity provider
/// verified, so that their own and operator-assisted participations (keyed by that phone) are
/// one; else their token's subject.
pub(crate) fn resident(caller: &Caller) -> Option<String> {
    match caller.phone() {
        Some(phone) => Some(format!("phone:{}", phone.digits())),
        None => caller.subject().map(|subject| format!("sub:{subject}")),
    }
}

/// A resident an operator names by phone (any common way of writing it; see
/// [`crate::text::international_phone`]).
pub(crate) fn by_phone(field: &'static str, phone: &str) -> Result<String, InvalidInput> {
    Ok(format!("phone:{}", crate::text::international_phone(field, phone)?))
}

/// A resident an operator names by ID-card number: letters and digits (spaces and dashes
/// dropped), upper-cased.
pub(crate) fn by_id_number(field: &'static str, text: &str) -> Result<String, InvalidInput> {
    let cleaned: String = text.chars().filter(|c| !matches!(c, ' ' | '-')).map(|c| c.to_ascii_uppercase()).collect();
    if (6..=32).contains(&cleaned.len()) && cleaned.chars().all(|c| c.is_ascii_alphanumeric()) {
        Ok(format!("id:{cleaned}"))
    } else {
        Err(InvalidInput::new(field, "must be 6 to 32 letters and digits"))
    }
}

/// The participation key of `participant` in `owner` (hex of an HMAC).
pub(crate) fn key(ctx: &Context, scope: Scope, owner: i64, participant: &str) -> String {
    let mac = ctx.secrets.participation_mac(&[scope.key, &owner.to_be_bytes(), participant.as_bytes()]);
    mac.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// An ID masked for a participation row: XOR with a pad only the secret gives.
pub(crate) fn mask(ctx: &Context, scope: Scope, owner: i64, key: &str, id: i64) -> i64 {
    id ^ pad(ctx, scope, owner, key)
}

/// The ID a participation row's masked reference stands for.
pub(crate) fn unmask(ctx: &Context, scope: Scope, owner: i64, key: &str, reference: i64) -> i64 {
    reference ^ pad(ctx, scope, owner, key)
}

fn pad(ctx: &Context, scope: Scope, owner: i64, key: &str) -> i64 {
    let mac = ctx.secrets.participation_mac(&[scope.pad, &owner.to_be_bytes(), key.as_bytes()]);
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&mac[..8]);
    i64::from_be_bytes(bytes)
}

/// A random positive ID below 2^53 (exact in JavaScript clients), so that IDs do not follow the
/// order rows were written in.
pub(crate) fn random_id() -> i64 {
    let value: u64 = rand::random::<u64>() >> 11;
    i64::try_from(value.max(1)).unwrap_or(1)
}
