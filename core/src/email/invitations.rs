//! Survey invitations: a survey's admin asks a list of addresses to answer it. The messages are
//! written to the outbox in the request's own transaction (the invitation is the change), and
//! delivered by the worker like any other; an address that opted out of invitations is
//! skipped, and each message carries its unsubscribe link.

use std::collections::BTreeSet;

use minijinja::context;
use sea_orm::TransactionTrait;

use super::model::EmailKind;
use super::outbox::{NewEmail, enqueue};
use super::templates::render;
use super::unsubscribe::opted_out;
use crate::auth::Caller;
use crate::context::Context;
use crate::error::InvalidInput;
use crate::i18n::{Locale, Message};
use crate::ids::SurveyId;
use crate::surveys::{self, SurveyError, SurveyStatus};
use crate::{directory, text};

/// The most addresses one invitation may name.
pub const MAX_INVITATIONS: usize = 500;

/// What an invitation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Invited {
    /// Messages written to the outbox.
    pub queued: u64,
    /// Addresses skipped: named twice, or opted out of invitations.
    pub skipped: u64,
}

/// Invites `addresses` to answer an open survey the caller administers, in `locale`.
pub async fn invite_to_survey(
    ctx: &Context,
    caller: &Caller,
    id: SurveyId,
    addresses: &[String],
    locale: Locale,
) -> Result<Invited, SurveyError> {
    if addresses.len() > MAX_INVITATIONS {
        let message = Message::new("at most {max} addresses at once").arg("max", MAX_INVITATIONS);
        return Err(InvalidInput::new("emails", message).into());
    }
    let mut unique = BTreeSet::new();
    for (index, address) in addresses.iter().enumerate() {
        let address = text::email("emails", address).map_err(|_| {
            InvalidInput::new("emails", Message::new("entry {index} is not an email address").arg("index", index))
        })?;
        unique.insert(address.to_lowercase());
    }
    let survey = surveys::get_managed(ctx, caller, id).await?;
    if survey.status != SurveyStatus::Open {
        return Err(SurveyError::InvalidTransition { action: "invite people to", from: survey.status });
    }
    let district = match survey.district_id {
        Some(district) => {
            directory::district(ctx, district).await.map_err(|error| SurveyError::Corrupt(error.to_string()))?.name
        }
        None => crate::i18n::LocalizedText::new("The city", "本市", "本市"),
    };
    let values =
        context! { code => survey.id.to_string(), title => survey.title.get(locale), district => district.get(locale) };
    let rendered =
        render(EmailKind::SurveyInvitation, locale, values).map_err(|error| SurveyError::Corrupt(error.to_string()))?;
    let mut invited = Invited { skipped: (addresses.len() - unique.len()) as u64, ..Invited::default() };
    let mut recipients = Vec::with_capacity(unique.len());
    // Read before the transaction, which then only writes.
    for address in unique {
        let out = opted_out(ctx, &ctx.db, &address, EmailKind::SurveyInvitation)
            .await
            .map_err(|error| SurveyError::Corrupt(error.to_string()))?;
        if out {
            invited.skipped += 1;
        } else {
            recipients.push(address);
        }
    }
    let now = ctx.clock.now();
    let txn = ctx.db.begin().await?;
    for recipient in recipients {
        let email = NewEmail {
            kind: EmailKind::SurveyInvitation,
            recipient,
            locale,
            rendered: rendered.clone(),
            ticket: None,
            district: survey.district_id,
        };
        enqueue(&txn, email, now).await.map_err(|error| SurveyError::Corrupt(error.to_string()))?;
        invited.queued += 1;
    }
    txn.commit().await?;
    Ok(invited)
}
