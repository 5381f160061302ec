//! Mutations: each one is one domain service call.

use async_graphql::{Context, ID, InputObject, Object};
use civitas_core::directory::{self, NewCategory, NewDepartment, NewDistrict, NewStreet};
use civitas_core::i18n::LocalizedText;
use civitas_core::ids::{CategoryId, DepartmentId, DistrictId, StreetId, TicketId};
use civitas_core::tickets::{self, GeoPoint, NewTicket};

use super::{core_context, request};
use crate::errors::{IntoGraphql, bad_input, parse_id};
use crate::types::{Category, Department, District, Street, SubmitTicketInput, Ticket};

/// A name in every supported locale.
#[derive(InputObject)]
pub struct LocalizedNameInput {
    /// English.
    pub en: String,
    /// Simplified Chinese.
    pub zh_hans: String,
    /// Traditional Chinese.
    pub zh_hant: String,
}

impl From<LocalizedNameInput> for LocalizedText {
    fn from(name: LocalizedNameInput) -> Self {
        LocalizedText { en: name.en, zh_hans: name.zh_hans, zh_hant: name.zh_hant }
    }
}

/// The root of every mutation.
pub struct MutationRoot;

#[Object]
impl MutationRoot {
    /// Takes in a ticket. Residents report for themselves, operators capture callers' contact
    /// details; anonymous callers may submit where the district allows it, and get a
    /// `trackingToken` to follow it with (`ticketByTrackingToken`). Send an `Idempotency-Key`
    /// header (a UUID, say) to make a retry after a cut connection return the same ticket.
    async fn submit_ticket(&self, ctx: &Context<'_>, input: SubmitTicketInput) -> async_graphql::Result<Ticket> {
        let contact = input.contact.unwrap_or_default();
        let new = NewTicket {
            district_id: parse_id::<DistrictId>("districtId", &input.district_id)?,
            category_id: parse_id::<CategoryId>("categoryId", &input.category_id)?,
            title: input.title,
            description: input.description,
            channel: input.channel.into(),
            street_id: input.street_id.map(|id| parse_id::<StreetId>("streetId", &id)).transpose()?,
            address: input.address,
            location: GeoPoint::from_pair(input.latitude, input.longitude)
                .map_err(|invalid| bad_input(invalid.field, invalid.to_message()))?,
            // Mail about the ticket is written in the language the reporter asked in.
            contact: tickets::Contact {
                name: contact.name,
                phone: contact.phone,
                email: contact.email,
                language: Some(request(ctx).locale),
            },
            priority: input.priority.map(Into::into),
            idempotency_key: request(ctx).idempotency_key.clone(),
        };
        Ok(Ticket(tickets::submit(core_context(ctx), &request(ctx).caller, new).await.gql()?))
    }

    /// Sends a received ticket to a department of its district.
    async fn dispatch_ticket(
        &self,
        ctx: &Context<'_>,
        id: ID,
        department_id: ID,
        note: Option<String>,
    ) -> async_graphql::Result<Ticket> {
        let id: TicketId = parse_id("id", &id)?;
        let department: DepartmentId = parse_id("departmentId", &department_id)?;
        let caller = &request(ctx).caller;
        Ok(Ticket(tickets::dispatch(core_context(ctx), caller, id, department, note.as_deref()).await.gql()?))
    }

    /// The assigned department takes the ticket on.
    async fn accept_ticket(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Ticket> {
        let id: TicketId = parse_id("id", &id)?;
        Ok(Ticket(tickets::accept(core_context(ctx), &request(ctx).caller, id).await.gql()?))
    }

    /// The assigned department sends a misrouted ticket back to dispatch.
    async fn return_ticket(&self, ctx: &Context<'_>, id: ID, reason: String) -> async_graphql::Result<Ticket> {
        let id: TicketId = parse_id("id", &id)?;
        Ok(Ticket(tickets::return_to_dispatch(core_context(ctx), &request(ctx).caller, id, &reason).await.gql()?))
    }

    /// Re-dispatches a ticket to another department of its district.
    async fn transfer_ticket(
        &self,
        ctx: &Context<'_>,
        id: ID,
        department_id: ID,
        reason: String,
    ) -> async_graphql::Result<Ticket> {
        let id: TicketId = parse_id("id", &id)?;
        let department: DepartmentId = parse_id("departmentId", &department_id)?;
        let caller = &request(ctx).caller;
        Ok(Ticket(tickets::transfer(core_context(ctx), caller, id, department, &reason).await.gql()?))
    }

    /// The assigned department reports the ticket done.
    async fn resolve_ticket(&self, ctx: &Context<'_>, id: ID, resolution: String) -> async_graphql::Result<Ticket> {
        let id: TicketId = parse_id("id", &id)?;
        Ok(Ticket(tickets::resolve(core_context(ctx), &request(ctx).caller, id, &resolution).await.gql()?))
    }

    /// The reporter (or, for a caller without an account, an operator) rates the resolution:
    /// 3–5 closes the ticket, 1–2 reopens it.
    async fn rate_ticket(
        &self,
        ctx: &Context<'_>,
        id: ID,
        score: i32,
        comment: Option<String>,
    ) -> async_graphql::Result<Ticket> {
        let id: TicketId = parse_id("id", &id)?;
        let caller = &request(ctx).caller;
        Ok(Ticket(tickets::rate(core_context(ctx), caller, id, score, comment.as_deref()).await.gql()?))
    }

    /// Rejects a ticket as not actionable.
    async fn reject_ticket(&self, ctx: &Context<'_>, id: ID, reason: String) -> async_graphql::Result<Ticket> {
        let id: TicketId = parse_id("id", &id)?;
        Ok(Ticket(tickets::reject(core_context(ctx), &request(ctx).caller, id, &reason).await.gql()?))
    }

    /// Closes duplicates into a primary ticket; their reporters follow the primary.
    async fn merge_tickets(
        &self,
        ctx: &Context<'_>,
        primary_id: ID,
        duplicate_ids: Vec<ID>,
    ) -> async_graphql::Result<Ticket> {
        let primary: TicketId = parse_id("primaryId", &primary_id)?;
        let duplicates =
            duplicate_ids.iter().map(|id| parse_id::<TicketId>("duplicateIds", id)).collect::<Result<Vec<_>, _>>()?;
        Ok(Ticket(tickets::merge(core_context(ctx), &request(ctx).caller, primary, &duplicates).await.gql()?))
    }

    /// Comments on a ticket the caller can see.
    async fn comment_on_ticket(&self, ctx: &Context<'_>, id: ID, body: String) -> async_graphql::Result<Ticket> {
        let id: TicketId = parse_id("id", &id)?;
        Ok(Ticket(tickets::comment(core_context(ctx), &request(ctx).caller, id, &body).await.gql()?))
    }

    /// Creates a district (city administrators).
    async fn create_district(
        &self,
        ctx: &Context<'_>,
        code: String,
        name: LocalizedNameInput,
        #[graphql(default = false)] allow_anonymous_tickets: bool,
    ) -> async_graphql::Result<District> {
        let new = NewDistrict { code, name: name.into(), allow_anonymous_tickets };
        Ok(District(directory::create_district(core_context(ctx), &request(ctx).caller, new).await.gql()?))
    }

    /// Creates a street (the district's administrator or a city administrator).
    async fn create_street(
        &self,
        ctx: &Context<'_>,
        district_id: ID,
        name: LocalizedNameInput,
    ) -> async_graphql::Result<Street> {
        let new = NewStreet { district_id: parse_id("districtId", &district_id)?, name: name.into() };
        Ok(Street(directory::create_street(core_context(ctx), &request(ctx).caller, new).await.gql()?))
    }

    /// Creates a department (the district's administrator or a city administrator).
    async fn create_department(
        &self,
        ctx: &Context<'_>,
        district_id: ID,
        name: LocalizedNameInput,
    ) -> async_graphql::Result<Department> {
        let new = NewDepartment { district_id: parse_id("districtId", &district_id)?, name: name.into() };
        Ok(Department(directory::create_department(core_context(ctx), &request(ctx).caller, new).await.gql()?))
    }

    /// Sets the work address that hears of escalations and of plugins disabled by their
    /// failures; null or empty clears it (the district's administrator or a city administrator).
    async fn set_district_notification_email(
        &self,
        ctx: &Context<'_>,
        id: ID,
        email: Option<String>,
    ) -> async_graphql::Result<District> {
        let id = parse_id("id", &id)?;
        let caller = &request(ctx).caller;
        Ok(District(directory::set_district_notification_email(core_context(ctx), caller, id, email).await.gql()?))
    }

    /// Sets the work address that hears of each ticket dispatched or transferred to a
    /// department; null or empty clears it (its district's administrator or a city administrator).
    async fn set_department_notification_email(
        &self,
        ctx: &Context<'_>,
        id: ID,
        email: Option<String>,
    ) -> async_graphql::Result<Department> {
        let id = parse_id("id", &id)?;
        let caller = &request(ctx).caller;
        Ok(Department(directory::set_department_notification_email(core_context(ctx), caller, id, email).await.gql()?))
    }

    /// Creates a ticket category with its deadlines (the district's administrator or a city
    /// administrator).
    async fn create_category(
        &self,
        ctx: &Context<'_>,
        district_id: ID,
        name: LocalizedNameInput,
        respond_within_hours: i32,
        resolve_within_hours: i32,
        default_department_id: Option<ID>,
    ) -> async_graphql::Result<Category> {
        let new = NewCategory {
            district_id: parse_id("districtId", &district_id)?,
            name: name.into(),
            respond_within_hours,
            resolve_within_hours,
            default_department_id: default_department_id
                .map(|id| parse_id::<DepartmentId>("defaultDepartmentId", &id))
                .transpose()?,
        };
        Ok(Category(directory::create_category(core_context(ctx), &request(ctx).caller, new).await.gql()?))
    }
}
