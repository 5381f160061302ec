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
use crate::directory;
use crate::events::{Decision, DeliveryError, DomainEvent, EventConsumer, EventScope, StoredEvent, TicketFacts};
use crate::i18n::Locale;
use crate::ids::{DepartmentId, DistrictId};
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
            if let Some(address) = ticket.contact.email.clone() {
                let locale = ticket.contact.language.unwrap_or(self.default_locale);
                let values = ticket_values(ctx, &ticket, facts.department, locale).await?;
                mail.push(message(kind, address, locale, values, &ticket)?);
            }
            let to_department =
                matches!(event.event, DomainEvent::TicketDispatched(_) | DomainEvent::TicketTransferred(_));
            if let (true, Some(department)) = (to_department, facts.department) {
                let address = directory::department(ctx, department).await?.notification_email;
                if let Some(address) = address {
                    let locale = self.default_locale;
                    let values = ticket_values(ctx, &ticket, Some(department), locale).await?;
                    mail.push(message(EmailKind::DepartmentTicketDispatched, address, locale, values, &ticket)?);
                }
            }
        }
        if let DomainEvent::TicketEscalated(escalation) = &event.event
            && let Some(address) = district_address(ctx, escalation.district).await?
        {
            let ticket = tickets::storage::reload(&ctx.db, escalation.ticket).await?;
            let locale = self.default_locale;
            let values = ticket_values(ctx, &ticket, None, locale).await?;
            let values = context! { reason => &escalation.reason, ..values };
            mail.push(message(EmailKind::TicketEscalated, address, locale, values, &ticket)?);
        }
        if let DomainEvent::PluginDisabled(disabled) = &event.event
            && disabled.automatic
            && let Some(district) = disabled.plugin.district
            && let Some(address) = district_address(ctx, district).await?
        {
            let locale = self.default_locale;
            let values = context! {
                name => &disabled.plugin.name, version => &disabled.plugin.version, reason => &disabled.reason,
                district => district_name(ctx, district, locale).await?,
            };
            let rendered = render(EmailKind::PluginAutoDisabled, locale, values)?;
            let kind = EmailKind::PluginAutoDisabled;
            mail.push(NewEmail { kind, recipient: address, locale, rendered, ticket: None, district: Some(district) });
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
async fn ticket_values(
    ctx: &Context,
    ticket: &Ticket,
    department: Option<DepartmentId>,
    locale: Locale,
) -> Result<Value, DeliveryError> {
    let district = district_name(ctx, ticket.district_id, locale).await?;
    let department = match department.or(ticket.department_id) {
        Some(id) => Some(directory::department(ctx, id).await?.name.get(locale).to_owned()),
        None => None,
    }
    .unwrap_or_else(|| district.clone());
    Ok(context! { code => &ticket.code, title => &ticket.title, district, department })
}

async fn district_name(ctx: &Context, district: DistrictId, locale: Locale) -> Result<String, DeliveryError> {
    Ok(directory::district(ctx, district).await?.name.get(locale).to_owned())
}

async fn district_address(ctx: &Context, district: DistrictId) -> Result<Option<String>, DeliveryError> {
    Ok(directory::district(ctx, district).await?.notification_email)
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
