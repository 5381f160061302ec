//! `totalCount` of the connections: counted by the database, only when a client asks for it,
//! over exactly the rows the connection pages through.

use async_graphql::{Context, Object};
use civitas_core::auth::Caller;
use civitas_core::ids::{DistrictId, TicketId};
use civitas_core::tickets::{self, TicketFilter};

use crate::errors::IntoGraphql;
use crate::schema::core_context;

/// Cost of a `COUNT` (it reads an index range, not one row).
const COUNT_COMPLEXITY: usize = 20;

/// The totals of a `tickets` connection.
pub struct TicketTotal {
    pub(crate) caller: Caller,
    pub(crate) filter: TicketFilter,
}

#[Object]
impl TicketTotal {
    /// How many tickets match, on every page together.
    #[graphql(complexity = "COUNT_COMPLEXITY")]
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<u64> {
        tickets::count(core_context(ctx), &self.caller, &self.filter).await.gql()
    }
}

/// The totals of an `auditLog` connection.
pub struct AuditTotal {
    pub(crate) caller: Caller,
    pub(crate) district: Option<DistrictId>,
}

#[Object]
impl AuditTotal {
    /// How many entries the log has.
    #[graphql(complexity = "COUNT_COMPLEXITY")]
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<u64> {
        civitas_core::audit::count(core_context(ctx), &self.caller, self.district).await.gql()
    }
}

/// The totals of a ticket's `eventsConnection`.
pub struct TimelineTotal {
    pub(crate) caller: Caller,
    pub(crate) ticket: TicketId,
}

#[Object]
impl TimelineTotal {
    /// How many entries the timeline has.
    #[graphql(complexity = "COUNT_COMPLEXITY")]
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<u64> {
        tickets::timeline_length(core_context(ctx), &self.caller, self.ticket).await.gql()
    }
}
