//! The email writer: an event consumer that turns a ticket's changes into messages to its
//! reporter, written to the outbox in the transaction that moves the writer's cursor.

use chrono::{DateTime, Utc};
use minijinja::context;
use sea_orm::DatabaseTransaction;

use super::EmailError;
use super::model::EmailKind;
use super::outbox::{self, NewEmail};
use super::templates;
use super::unsubscribe;
use crate::context::Context;
use crate::directory;
use crate::events::{Decision, DeliveryError, DomainEvent, EventConsumer, EventScope, StoredEvent, TicketFacts};
use crate::i18n::Locale;
use crate::tickets::{self, TicketStatus};

/// Writes the reporter's mail about their ticket: received (with the tracking code),
/// dispatched or transferred, resolved (asking for a rating), reopened and closed — when the
/// ticket has an email address, in the language the reporter asked in.
#[derive(Debug, Clone, Copy)]
pub struct EmailWriter {
    /// The language for reporters who did not say (no `Accept-Language`).
    pub default_locale: Locale,
}

impl Default for EmailWriter {
    fn default() -> Self {
        EmailWriter { default_locale: Locale::ZhHans }
    }
}

/// What a ticket event means for its reporter, if anything.
fn reporter_mail(event: &DomainEvent) -> Option<(EmailKind, &TicketFacts)> {
    match event {
        DomainEvent::TicketSubmitted(facts) => Some((EmailKind::TicketReceived, facts)),
        DomainEvent::TicketDispatched(facts) | DomainEvent::TicketTransferred(facts) => {
            Some((EmailKind::TicketDispatched, facts))
        }
        DomainEvent::TicketResolved(facts) => Some((EmailKind::TicketResolved, facts)),
        DomainEvent::TicketRated(rating) if rating.ticket.status == TicketStatus::Closed => {
            Some((EmailKind::TicketClosed, &rating.ticket))
        }
        DomainEvent::TicketRated(rating) => Some((EmailKind::TicketReopened, &rating.ticket)),
        DomainEvent::TicketAutoClosed(facts) => Some((EmailKind::TicketClosed, facts)),
        _ => None,
    }
}

#[async_trait::async_trait]
impl EventConsumer for EmailWriter {
    type Decision = NewEmail;

    fn name(&self) -> &'static str {
        "email-writer"
    }

    async fn scopes(&self, _ctx: &Context) -> Result<Vec<EventScope>, DeliveryError> {
        Ok(vec![EventScope::All])
    }

    async fn decide(
        &self,
        ctx: &Context,
        _scope: EventScope,
        event: &StoredEvent,
    ) -> Result<Decision<NewEmail>, DeliveryError> {
        let Some((kind, facts)) = reporter_mail(&event.event) else {
            return Ok(Decision::Skip);
        };
        let ticket = tickets::storage::reload(&ctx.db, facts.ticket).await?;
        let Some(recipient) = ticket.contact.email.clone() else {
            return Ok(Decision::Skip);
        };
        if unsubscribe::opted_out(ctx, &ctx.db, &recipient, kind).await.map_err(storage)? {
            return Ok(Decision::Skip);
        }
        let locale = ticket.contact.language.unwrap_or(self.default_locale);
        let district = directory::districts_by_ids(ctx, &[ticket.district_id]).await?;
        let district = district.first().map(|district| district.name.get(locale).to_owned()).unwrap_or_default();
        // The department of the change (after a transfer, the new one), else the district.
        let department = match facts.department.or(ticket.department_id) {
            Some(id) => directory::departments_by_ids(ctx, &[id]).await?.first().map(|d| d.name.get(locale).to_owned()),
            None => None,
        }
        .unwrap_or_else(|| district.clone());
        let values = context! { code => &ticket.code, title => &ticket.title, district, department };
        let rendered =
            templates::render(kind, locale, values).map_err(|error| DeliveryError::Corrupt(error.to_string()))?;
        Ok(Decision::Apply(NewEmail {
            kind,
            recipient,
            locale,
            rendered,
            ticket: Some(ticket.id),
            district: Some(ticket.district_id),
        }))
    }

    async fn apply(
        &self,
        txn: &DatabaseTransaction,
        _event: &StoredEvent,
        email: NewEmail,
        now: DateTime<Utc>,
    ) -> Result<u64, DeliveryError> {
        outbox::enqueue(txn, email, now).await.map_err(storage)?;
        Ok(1)
    }
}

fn storage(error: EmailError) -> DeliveryError {
    match error {
        EmailError::Storage(error) => DeliveryError::Storage(error),
        other => DeliveryError::Corrupt(other.to_string()),
    }
}
