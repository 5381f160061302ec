//! Tickets, their timeline, and the inputs that create and filter them.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, ContextSelectionSet, ID, InputObject, InputType, Object, SimpleObject, Value};
use chrono::{DateTime, Utc};
use civitas_core::ids::TicketEventId;
use civitas_core::tickets;

use super::plain::{Paged, PlainFields};
use super::totals::TimelineTotal;
use super::{Category, Channel, Department, District, Priority, Street, TicketEventKind, TicketStatus};
use crate::errors::IntoGraphql;
use crate::relay::{PageArgs, cursor};
use crate::schema::{core_context, loaders, request};

/// Contact details of a reporter, in full or masked depending on who asks.
#[derive(SimpleObject)]
pub struct Contact {
    /// Name.
    pub name: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// Email address.
    pub email: Option<String>,
}

/// Contact details captured with a ticket.
#[derive(InputObject, Default)]
pub struct ContactInput {
    /// Name.
    pub name: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// Email address.
    pub email: Option<String>,
}

/// The reporter's rating of a resolution.
#[derive(SimpleObject)]
pub struct Rating {
    /// 1 to 5.
    pub score: i32,
    /// Comment.
    pub comment: Option<String>,
}

/// A ticket to submit.
#[derive(InputObject)]
pub struct SubmitTicketInput {
    /// The district (`dst_…`).
    pub district_id: ID,
    /// A category of that district (`cat_…`).
    pub category_id: ID,
    /// Short summary, 1–200 characters.
    pub title: String,
    /// Details, 1–5000 characters.
    pub description: String,
    /// How the ticket came in.
    pub channel: Channel,
    /// A street of that district (`str_…`).
    pub street_id: Option<ID>,
    /// Free-form address.
    pub address: Option<String>,
    /// Latitude (WGS 84), with `longitude`.
    pub latitude: Option<f64>,
    /// Longitude (WGS 84), with `latitude`.
    pub longitude: Option<f64>,
    /// The reporter's contact details (personal data: shown masked to most readers).
    pub contact: Option<ContactInput>,
    /// Urgency; `NORMAL` when not given.
    pub priority: Option<Priority>,
}

/// Narrows a ticket list; the caller's own scope always applies.
#[derive(InputObject, Default)]
pub struct TicketFilterInput {
    /// Only this district.
    pub district_id: Option<ID>,
    /// Only tickets dispatched to this department.
    pub department_id: Option<ID>,
    /// Only this category.
    pub category_id: Option<ID>,
    /// Only these statuses.
    pub status: Option<Vec<TicketStatus>>,
    /// Only this channel.
    pub channel: Option<Channel>,
    /// Only overdue (`true`) or on-time (`false`) tickets.
    pub overdue: Option<bool>,
}

/// A hotline ticket.
pub struct Ticket(pub tickets::Ticket);

#[Object]
impl Ticket {
    /// Its ID (`tkt_…`).
    pub(crate) async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Human tracking code, e.g. `T-2026-000123`.
    async fn code(&self) -> &str {
        &self.0.code
    }

    /// Lifecycle state.
    async fn status(&self) -> TicketStatus {
        self.0.status.into()
    }

    /// How it came in.
    async fn channel(&self) -> Channel {
        self.0.channel.into()
    }

    /// Urgency.
    async fn priority(&self) -> Priority {
        self.0.priority.into()
    }

    /// Short summary.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// Details.
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// Free-form address.
    async fn address(&self) -> Option<&str> {
        self.0.address.as_deref()
    }

    /// Latitude.
    async fn latitude(&self) -> Option<f64> {
        self.0.location.map(|point| point.latitude)
    }

    /// Longitude.
    async fn longitude(&self) -> Option<f64> {
        self.0.location.map(|point| point.longitude)
    }

    /// The reporter's contact details: in full for the operator who took the ticket, the
    /// assigned department, the district admin and the reporter; masked for everyone else.
    async fn contact(&self, ctx: &Context<'_>) -> Option<Contact> {
        let contact = tickets::contact_for(&request(ctx).caller, &self.0);
        (!contact.is_empty()).then_some(Contact { name: contact.name, phone: contact.phone, email: contact.email })
    }

    /// The district.
    async fn district(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Paged<District>>> {
        Ok(loaders(ctx).directory.load_one(self.0.district_id).await?.map(|d| Paged(District(d))))
    }

    /// The street.
    async fn street(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Paged<Street>>> {
        let Some(id) = self.0.street_id else { return Ok(None) };
        Ok(loaders(ctx).directory.load_one(id).await?.map(|s| Paged(Street(s))))
    }

    /// The category.
    async fn category(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Paged<Category>>> {
        Ok(loaders(ctx).directory.load_one(self.0.category_id).await?.map(|c| Paged(Category(c))))
    }

    /// The department it is dispatched to.
    async fn department(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Paged<Department>>> {
        let Some(id) = self.0.department_id else { return Ok(None) };
        Ok(loaders(ctx).directory.load_one(id).await?.map(|d| Paged(Department(d))))
    }

    /// A department must accept it by then.
    async fn respond_by(&self) -> DateTime<Utc> {
        self.0.respond_by
    }

    /// It must be resolved by then.
    async fn resolve_by(&self) -> DateTime<Utc> {
        self.0.resolve_by
    }

    /// Whether a deadline has passed while the ticket still waits for what it sets.
    async fn overdue(&self, ctx: &Context<'_>) -> bool {
        self.0.is_overdue(core_context(ctx).clock.now())
    }

    /// Whether the district admin was alerted of a missed deadline in the current cycle.
    async fn escalated(&self) -> bool {
        self.0.escalation_level > 0
    }

    /// When a department accepted it in the current cycle.
    async fn accepted_at(&self) -> Option<DateTime<Utc>> {
        self.0.accepted_at
    }

    /// When it was resolved.
    async fn resolved_at(&self) -> Option<DateTime<Utc>> {
        self.0.resolved_at
    }

    /// When it was closed, rejected or merged.
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.closed_at
    }

    /// The reporter's rating.
    async fn rating(&self) -> Option<Rating> {
        self.0.rating.as_ref().map(|rating| Rating { score: rating.score.into(), comment: rating.comment.clone() })
    }

    /// The primary ticket, when merged as a duplicate.
    async fn merged_into_id(&self) -> Option<ID> {
        self.0.merged_into.map(|id| ID(id.to_string()))
    }

    /// How many times a poor rating reopened it.
    async fn reopen_count(&self) -> i32 {
        self.0.reopen_count
    }

    /// Version for optimistic concurrency: every transition of the ticket's lifecycle (and a
    /// merge into it) increments it. Comments, tags and escalations do not: they change no
    /// lifecycle state, and must not make a department's concurrent action fail with a conflict.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// Submission time.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// Last change.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// The secret an anonymous reporter follows the ticket with (`ticketByTrackingToken`): only
    /// in `submitTicket`'s answer to an anonymous caller (and to a retry with the same
    /// `Idempotency-Key`); keep it, it is shown once.
    async fn tracking_token(&self) -> Option<&str> {
        self.0.tracking_token.as_deref()
    }

    /// The timeline, oldest first.
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 50, validator(minimum = 1, maximum = 500))] first: i32,
    ) -> async_graphql::Result<Vec<TicketEvent>> {
        let timeline = loaders(ctx).timelines.load_one(self.0.id).await?.unwrap_or_default();
        let take = usize::try_from(first).unwrap_or(0);
        Ok(timeline.into_iter().take(take).map(TicketEvent).collect())
    }

    /// The timeline, oldest first, as a Relay connection (opaque cursors, `first`/`after`,
    /// `last`/`before`, `totalCount`; at most 100 per page). For long timelines, where
    /// `events` would return them all at once.
    #[graphql(complexity = "PageArgs::requested(first, last) * child_complexity")]
    async fn events_connection(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<String, TicketEvent, TimelineTotal>> {
        let window =
            PageArgs { first, after, last, before }.window(tickets::MAX_PAGE_SIZE, |id: TicketEventId| id.0)?;
        let caller = &request(ctx).caller;
        let page = tickets::timeline_page(core_context(ctx), caller, self.0.id, window).await.gql()?;
        let total = TimelineTotal { caller: caller.clone(), ticket: self.0.id };
        let mut connection = Connection::with_additional_fields(page.has_previous_page, page.has_next_page, total);
        connection.edges.extend(page.items.into_iter().map(|event| Edge::new(cursor(event.id), TicketEvent(event))));
        Ok(connection)
    }
}

impl PlainFields for Ticket {
    fn plain(&self, ctx: &ContextSelectionSet<'_>, name: &str) -> Option<Value> {
        let ticket = &self.0;
        Some(match name {
            "id" => Value::String(ticket.id.to_string()),
            "code" => Value::String(ticket.code.clone()),
            "status" => TicketStatus::from(ticket.status).to_value(),
            "channel" => Channel::from(ticket.channel).to_value(),
            "priority" => Priority::from(ticket.priority).to_value(),
            "title" => Value::String(ticket.title.clone()),
            "description" => Value::String(ticket.description.clone()),
            "address" => ticket.address.clone().to_value(),
            "latitude" => ticket.location.map(|point| point.latitude).to_value(),
            "longitude" => ticket.location.map(|point| point.longitude).to_value(),
            "respondBy" => ticket.respond_by.to_value(),
            "resolveBy" => ticket.resolve_by.to_value(),
            "overdue" => Value::Boolean(ticket.is_overdue(ctx.data_unchecked::<civitas_core::Context>().clock.now())),
            "escalated" => Value::Boolean(ticket.escalation_level > 0),
            "acceptedAt" => ticket.accepted_at.to_value(),
            "resolvedAt" => ticket.resolved_at.to_value(),
            "closedAt" => ticket.closed_at.to_value(),
            "mergedIntoId" => ticket.merged_into.map(|id| id.to_string()).to_value(),
            "reopenCount" => ticket.reopen_count.to_value(),
            "version" => ticket.version.to_value(),
            "createdAt" => ticket.created_at.to_value(),
            "updatedAt" => ticket.updated_at.to_value(),
            "trackingToken" => ticket.tracking_token.clone().to_value(),
            _ => return None,
        })
    }
}

/// One entry of a ticket's timeline.
pub struct TicketEvent(pub tickets::TicketEvent);

#[Object]
impl TicketEvent {
    /// Its ID.
    pub(crate) async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// What happened.
    async fn kind(&self) -> TicketEventKind {
        self.0.kind.into()
    }

    /// When.
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }

    /// Reason, resolution or comment.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }

    /// The actor's role (`system` for automatic steps; null for an anonymous reporter).
    async fn actor_role(&self) -> Option<&str> {
        self.0.actor_role.as_deref()
    }

    /// The department involved (dispatch, transfer).
    async fn department_id(&self) -> Option<ID> {
        self.0.department_id.map(|id| ID(id.to_string()))
    }

    /// The score of a rating.
    async fn score(&self) -> Option<i32> {
        self.0.score.map(i32::from)
    }

    /// The other ticket of a merge.
    async fn related_ticket_id(&self) -> Option<ID> {
        self.0.related_ticket_id.map(|id| ID(id.to_string()))
    }
}

/// A ticket as its anonymous reporter follows it with a tracking token: its public state and
/// timeline, no contact details.
pub struct TrackedTicket {
    /// The ticket, contact details removed.
    pub ticket: tickets::Ticket,
    /// Its timeline, oldest first.
    pub timeline: Vec<tickets::TicketEvent>,
}

#[Object]
impl TrackedTicket {
    /// Its tracking code (`T-2026-000042`), to quote on the phone.
    async fn code(&self) -> &str {
        &self.ticket.code
    }

    /// Where it is in its lifecycle.
    async fn status(&self) -> TicketStatus {
        self.ticket.status.into()
    }

    /// What it is about.
    async fn title(&self) -> &str {
        &self.ticket.title
    }

    /// The district.
    async fn district(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<District>> {
        Ok(loaders(ctx).directory.load_one(self.ticket.district_id).await?.map(District))
    }

    /// The category.
    async fn category(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Category>> {
        Ok(loaders(ctx).directory.load_one(self.ticket.category_id).await?.map(Category))
    }

    /// The department working on it.
    async fn department(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Department>> {
        let Some(id) = self.ticket.department_id else { return Ok(None) };
        Ok(loaders(ctx).directory.load_one(id).await?.map(Department))
    }

    /// A department must accept it by then.
    async fn respond_by(&self) -> DateTime<Utc> {
        self.ticket.respond_by
    }

    /// It must be resolved by then.
    async fn resolve_by(&self) -> DateTime<Utc> {
        self.ticket.resolve_by
    }

    /// When it was resolved.
    async fn resolved_at(&self) -> Option<DateTime<Utc>> {
        self.ticket.resolved_at
    }

    /// Submission time.
    async fn created_at(&self) -> DateTime<Utc> {
        self.ticket.created_at
    }

    /// Last change.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.ticket.updated_at
    }

    /// The timeline, oldest first.
    async fn events(&self) -> Vec<TicketEvent> {
        self.timeline.iter().cloned().map(TicketEvent).collect()
    }
}
