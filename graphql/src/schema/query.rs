//! Queries.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use civitas_core::i18n::Message;
use civitas_core::ids::{AuditEntryId, CategoryId, DepartmentId, DistrictId, TicketId};
use civitas_core::tickets::{self, StatsQuery, TicketFilter};
use civitas_core::{audit, directory, notifications, tickets::MAX_PAGE_SIZE};

use super::{core_context, loaders, request};
use crate::errors::{IntoGraphql, bad_input, page_size, parse_id};
use crate::loaders::Needs;
use crate::relay::{self, MAX_NODES, Node, PageArgs, cursor};
use crate::types::totals::{AuditTotal, TicketTotal};
use crate::types::{
    AuditEntry, Category, Department, District, Me, Notification, Paged, Street, Ticket, TicketFilterInput,
    TicketStats, TrackedTicket,
};

/// The root of every query.
pub struct QueryRoot;

#[Object]
impl QueryRoot {
    /// Who the caller is.
    async fn me(&self, ctx: &Context<'_>) -> Me {
        Me(request(ctx).caller.clone())
    }

    /// Every district (public).
    async fn districts(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<District>> {
        Ok(directory::districts(core_context(ctx)).await.gql()?.into_iter().map(District).collect())
    }

    /// One district (public).
    async fn district(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<District> {
        let id: DistrictId = parse_id("id", &id)?;
        Ok(District(directory::district(core_context(ctx), id).await.gql()?))
    }

    /// The departments of a district (public).
    async fn departments(&self, ctx: &Context<'_>, district_id: ID) -> async_graphql::Result<Vec<Department>> {
        let id: DistrictId = parse_id("districtId", &district_id)?;
        Ok(directory::departments(core_context(ctx), id).await.gql()?.into_iter().map(Department).collect())
    }

    /// The streets of a district (public).
    async fn streets(&self, ctx: &Context<'_>, district_id: ID) -> async_graphql::Result<Vec<Street>> {
        let id: DistrictId = parse_id("districtId", &district_id)?;
        Ok(directory::streets(core_context(ctx), id).await.gql()?.into_iter().map(Street).collect())
    }

    /// The ticket categories of a district (public).
    async fn categories(&self, ctx: &Context<'_>, district_id: ID) -> async_graphql::Result<Vec<Category>> {
        let id: DistrictId = parse_id("districtId", &district_id)?;
        Ok(directory::categories(core_context(ctx), id).await.gql()?.into_iter().map(Category).collect())
    }

    /// The latest notifications of a department, newest first: for its staff, its district's
    /// admin and city admins (at most 200).
    async fn department_notifications(
        &self,
        ctx: &Context<'_>,
        department_id: ID,
        #[graphql(default = 50)] first: i32,
    ) -> async_graphql::Result<Vec<Notification>> {
        let id: DepartmentId = parse_id("departmentId", &department_id)?;
        let limit = page_size(first, notifications::MAX_PAGE)?;
        let found = notifications::for_department(core_context(ctx), &request(ctx).caller, id, limit).await.gql()?;
        Ok(found.into_iter().map(Notification).collect())
    }

    /// One ticket the caller may see.
    async fn ticket(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Ticket> {
        let id: TicketId = parse_id("id", &id)?;
        Ok(Ticket(tickets::get(core_context(ctx), &request(ctx).caller, id).await.gql()?))
    }

    /// The ticket a tracking token was given for (to an anonymous reporter, by `submitTicket`):
    /// its status and timeline, no contact details. A wrong token finds nothing (`NOT_FOUND`).
    async fn ticket_by_tracking_token(&self, ctx: &Context<'_>, token: String) -> async_graphql::Result<TrackedTicket> {
        let (ticket, timeline) = tickets::get_by_tracking_token(core_context(ctx), &token).await.gql()?;
        Ok(TrackedTicket { ticket, timeline })
    }

    /// One ticket by tracking code, if the caller may see it.
    async fn ticket_by_code(&self, ctx: &Context<'_>, code: String) -> async_graphql::Result<Ticket> {
        Ok(Ticket(tickets::get_by_code(core_context(ctx), &request(ctx).caller, &code).await.gql()?))
    }

    /// The tickets the caller may see, newest first (Relay connection: opaque keyset cursors,
    /// `first`/`after` forwards, `last`/`before` backwards, `totalCount`; at most 100 per page).
    #[graphql(complexity = "PageArgs::requested(first, last) * child_complexity")]
    async fn tickets(
        &self,
        ctx: &Context<'_>,
        filter: Option<TicketFilterInput>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<String, Paged<Ticket>, TicketTotal>> {
        let window = PageArgs { first, after, last, before }.window(MAX_PAGE_SIZE, |id: TicketId| id.0)?;
        let filter = filter.unwrap_or_default();
        let filter = TicketFilter {
            district_id: filter.district_id.map(|id| parse_id::<DistrictId>("filter.districtId", &id)).transpose()?,
            department_id: filter
                .department_id
                .map(|id| parse_id::<DepartmentId>("filter.departmentId", &id))
                .transpose()?,
            category_id: filter.category_id.map(|id| parse_id::<CategoryId>("filter.categoryId", &id)).transpose()?,
            statuses: statuses(filter.status.unwrap_or_default())?,
            channel: filter.channel.map(Into::into),
            overdue: filter.overdue,
        };
        let caller = &request(ctx).caller;
        let page = tickets::list(core_context(ctx), caller, &filter, window).await.gql()?;
        let look_ahead = ctx.look_ahead();
        let (edge_nodes, nodes) = (look_ahead.field("edges").field("node"), look_ahead.field("nodes"));
        let selected = |field: &str| edge_nodes.field(field).exists() || nodes.field(field).exists();
        let needs = Needs {
            districts: selected("district"),
            departments: selected("department"),
            categories: selected("category"),
            streets: selected("street"),
            timelines: selected("events"),
        };
        loaders(ctx).prefetch(&page.items, needs).await?;
        let total = TicketTotal { caller: caller.clone(), filter };
        let mut connection = Connection::with_additional_fields(page.has_previous_page, page.has_next_page, total);
        connection
            .edges
            .extend(page.items.into_iter().map(|ticket| Edge::new(cursor(ticket.id), Paged(Ticket(ticket)))));
        Ok(connection)
    }

    /// The audit log of a district, or with `districtId: null` of the city-wide changes, newest
    /// first (Relay connection like `tickets`; at most 100 per page): for the district's admin
    /// and city admins.
    #[graphql(complexity = "PageArgs::requested(first, last) * child_complexity")]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        district_id: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<String, AuditEntry, AuditTotal>> {
        let district = district_id.map(|id| parse_id::<DistrictId>("districtId", &id)).transpose()?;
        let window = PageArgs { first, after, last, before }.window(audit::MAX_PAGE_SIZE, |id: AuditEntryId| id.0)?;
        let caller = &request(ctx).caller;
        let page = audit::log(core_context(ctx), caller, district, window).await.gql()?;
        let total = AuditTotal { caller: caller.clone(), district };
        let mut connection = Connection::with_additional_fields(page.has_previous_page, page.has_next_page, total);
        connection.edges.extend(page.items.into_iter().map(|entry| Edge::new(cursor(entry.id), AuditEntry(entry))));
        Ok(connection)
    }

    /// The object with this global ID (`tkt_12`, `dst_3`, …), if the caller may see it; `null`
    /// otherwise (Relay's object identification).
    async fn node(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Node>> {
        relay::node(ctx, "id", &id).await
    }

    /// The objects with these global IDs, in order, `null` for each the caller may not see (at
    /// most 100).
    #[graphql(complexity = "ids.len() * child_complexity")]
    async fn nodes(&self, ctx: &Context<'_>, ids: Vec<ID>) -> async_graphql::Result<Vec<Option<Node>>> {
        if ids.len() > MAX_NODES {
            return Err(bad_input("ids", Message::new("at most {max} IDs").arg("max", MAX_NODES)));
        }
        let mut found = Vec::with_capacity(ids.len());
        for id in &ids {
            found.push(relay::node(ctx, "ids", id).await?);
        }
        Ok(found)
    }

    /// Counts and rates of the tickets submitted in `[from, to)` in a district (and one of its
    /// departments). Aggregates are public: anyone may read them. The same question is answered
    /// from memory for 10 seconds.
    #[graphql(complexity = 50)]
    async fn ticket_stats(
        &self,
        ctx: &Context<'_>,
        district_id: Option<ID>,
        department_id: Option<ID>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> async_graphql::Result<TicketStats> {
        let query = StatsQuery {
            district_id: district_id.map(|id| parse_id::<DistrictId>("districtId", &id)).transpose()?,
            department_id: department_id.map(|id| parse_id::<DepartmentId>("departmentId", &id)).transpose()?,
            from,
            to,
        };
        let cache = ctx.data_unchecked::<crate::stats_cache::StatsCache>();
        Ok(TicketStats(cache.stats(core_context(ctx), &query).await.gql()?))
    }
}

/// A status filter: each status at most once, and a list no longer than there are statuses (a
/// list of 36,000 would otherwise become 36,000 SQL parameters).
fn statuses(given: Vec<crate::types::TicketStatus>) -> async_graphql::Result<Vec<tickets::TicketStatus>> {
    let all = tickets::TicketStatus::ALL.len();
    if given.len() > all {
        return Err(bad_input("filter.status", Message::new("lists at most {max} statuses").arg("max", all)));
    }
    let mut statuses: Vec<tickets::TicketStatus> = Vec::new();
    for status in given {
        let status = status.into();
        if statuses.contains(&status) {
            continue;
        }
        statuses.push(status);
    }
    Ok(statuses)
}
