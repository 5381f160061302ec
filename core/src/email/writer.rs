//! The email writer: an event consumer that turns changes into messages — to a ticket's
//! reporter, to the department a ticket goes to, to a district's admins — written to the outbox
//! in the transaction that moves the writer's cursor.

use chrono::{DateTime, Utc};
use minijinja::{Value, context};
use sea_orm::DatabaseTransaction;

use super::EmailError;
use super::model::EmailKind;
use super::outbox::{self, NewEmail};
use super::templates;
use super::unsubscribe;
use crate::context::Context;
use crate::directory::{self, Department, District};
use crate::events::{Decision, DeliveryError, DomainEvent, EventConsumer, EventScope, StoredEvent, TicketFacts};
use crate::i18n::Locale;
use crate::tickets::{self, Ticket, TicketStatus};

/// Writes the mail events call for: the reporter's about their ticket (received with the
/// tracking code, dispatched or transferred, resolved asking for a rating, reopened, closed —
/// when the ticket has an email address, in the language the reporter asked in); a
/// department's (`notificationEmail`) about each ticket dispatched or transferred to it; a
/// district's about escalations and plugins its failure policy disabled.
#[derive(Debug, Clone, Copy)]
pub struct EmailWriter {
    /// The language for reporters who did not say, and for work addresses.
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
    type Decision = Vec<NewEmail>;

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
    ) -> Result<Decision<Vec<NewEmail>>, DeliveryError> {
        let mut mail = Vec::new();
        if let Some((kind, facts)) = reporter_mail(&event.event) {
            let ticket = tickets::storage::reload(&ctx.db, facts.ticket).await?;
            // The directory entries every message about this ticket names, read once.
            let district = directory::district(ctx, ticket.district_id).await?;
            let department = match facts.department.or(ticket.department_id) {
                Some(id) => Some(directory::department(ctx, id).await?),
                None => None,
            };
            if let Some(address) = ticket.contact.email.clone() {
                let locale = ticket.contact.language.unwrap_or(self.default_locale);
                let values = ticket_values(&ticket, &district, department.as_ref(), locale);
                mail.push(message(kind, address, locale, values, &ticket)?);
            }
            let to_department =
                matches!(event.event, DomainEvent::TicketDispatched(_) | DomainEvent::TicketTransferred(_));
            if let (true, Some(department)) = (to_department, &department)
                && let Some(address) = department.notification_email.clone()
            {
                let locale = self.default_locale;
                let values = ticket_values(&ticket, &district, Some(department), locale);
                mail.push(message(EmailKind::DepartmentTicketDispatched, address, locale, values, &ticket)?);
            }
        }
        if let DomainEvent::TicketEscalated(escalation) = &event.event {
            let district = directory::district(ctx, escalation.district).await?;
            if let Some(address) = district.notification_email.clone() {
                let ticket = tickets::storage::reload(&ctx.db, escalation.ticket).await?;
                let locale = self.default_locale;
                let values = ticket_values(&ticket, &district, None, locale);
                let values = context! { reason => &escalation.reason, ..values };
                mail.push(message(EmailKind::TicketEscalated, address, locale, values, &ticket)?);
            }
        }
        if let DomainEvent::PluginDisabled(disabled) = &event.event
            && disabled.automatic
            && let Some(district) = disabled.plugin.district
        {
            let district = directory::district(ctx, district).await?;
            if let Some(address) = district.notification_email.clone() {
                let locale = self.default_locale;
                let values = context! {
                    name => &disabled.plugin.name, version => &disabled.plugin.version, reason => &disabled.reason,
                    district => district.name.get(locale),
                };
                let rendered = render(EmailKind::PluginAutoDisabled, locale, values)?;
                let kind = EmailKind::PluginAutoDisabled;
                mail.push(NewEmail {
                    kind,
                    recipient: address,
                    locale,
                    rendered,
                    ticket: None,
                    district: Some(district.id),
                });
            }
        }
        let mut wanted = Vec::with_capacity(mail.len());
        for email in mail {
            if !unsubscribe::opted_out(ctx, &ctx.db, &email.recipient, email.kind).await.map_err(storage)? {
                wanted.push(email);
            }
        }
        Ok(if wanted.is_empty() { Decision::Skip } else { Decision::Apply(wanted) })
    }

    async fn apply(
        &self,
        txn: &DatabaseTransaction,
        _event: &StoredEvent,
        mail: Vec<NewEmail>,
        now: DateTime<Utc>,
    ) -> Result<u64, DeliveryError> {
        let count = mail.len() as u64;
        for email in mail {
            outbox::enqueue(txn, email, now).await.map_err(storage)?;
        }
        Ok(count)
    }
}

/// A ticket's code, title, district and department (the change's, else the ticket's, else the
/// district's name) in `locale`.
fn ticket_values(ticket: &Ticket, district: &District, department: Option<&Department>, locale: Locale) -> Value {
    let district = district.name.get(locale);
    let department = department.map_or(district, |department| department.name.get(locale));
    context! { code => &ticket.code, title => &ticket.title, district, department }
}

fn render(kind: EmailKind, locale: Locale, values: Value) -> Result<templates::Rendered, DeliveryError> {
    templates::render(kind, locale, values).map_err(|error| DeliveryError::Corrupt(error.to_string()))
}

fn message(
    kind: EmailKind,
    recipient: String,
    locale: Locale,
    values: Value,
    ticket: &Ticket,
) -> Result<NewEmail, DeliveryError> {
    Ok(NewEmail {
        kind,
        recipient,
        locale,
        rendered: render(kind, locale, values)?,
        ticket: Some(ticket.id),
        district: Some(ticket.district_id),
    })
}

fn storage(error: EmailError) -> DeliveryError {
    match error {
        EmailError::Storage(error) => DeliveryError::Storage(error),
        other => DeliveryError::Corrupt(other.to_string()),
    }
}
