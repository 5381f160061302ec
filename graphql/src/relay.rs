//! What Relay and other clients that follow the GraphQL Cursor Connections and Global Object
//! Identification specs expect: opaque cursors, pages forwards (`first`/`after`) and backwards
//! (`last`/`before`), and `node(id)` for every object with an ID.
//!
//! IDs are already global (`tkt_12`, `dst_3`: the prefix names the type), so `node` reads the
//! prefix and asks the owning domain for the object, scoped by the caller like any other read.

use std::fmt::Display;
use std::str::FromStr;

use async_graphql::{Context, ID, Interface};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use civitas_core::error::{Classify, ErrorKind};
use civitas_core::i18n::Message;
use civitas_core::ids::{
    AuditEntryId, CategoryId, DepartmentId, DistrictId, MalformedId, NotificationId, PluginCallId, PluginId, StreetId,
    SurveyId, TicketEventId, TicketId,
};
use civitas_core::paging::Window;
use civitas_core::{audit, directory, notifications, plugins, surveys, tickets};

use crate::errors::{bad_input, page_size, parse_id, to_graphql};
use crate::schema::{core_context, request};
use crate::types::{
    AuditEntry, Category, Department, District, Notification, Plugin, PluginCall, Street, Survey, Ticket, TicketEvent,
};

/// The page size when a client gives neither `first` nor `last`.
pub const DEFAULT_PAGE_SIZE: i32 = 20;

/// Every object with an ID, refetchable with `node(id)`.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Its global ID: a type prefix and a number (`tkt_12`)."))]
pub enum Node {
    /// A district.
    District(District),
    /// A street.
    Street(Street),
    /// A department.
    Department(Department),
    /// A ticket category.
    Category(Category),
    /// A ticket.
    Ticket(Ticket),
    /// An entry of a ticket's timeline.
    TicketEvent(TicketEvent),
    /// A plugin.
    Plugin(Plugin),
    /// A recorded plugin call.
    PluginCall(PluginCall),
    /// A department's notification.
    Notification(Notification),
    /// An audit log entry.
    AuditEntry(AuditEntry),
    /// A survey.
    Survey(Survey),
}

/// The cursor of the row with `key`: opaque to clients (base64 of the row's ID), stable across
/// pages and requests.
pub fn cursor(key: impl Display) -> String {
    URL_SAFE_NO_PAD.encode(key.to_string())
}

/// The row ID a cursor of a list of `T`s stands for, or `BAD_USER_INPUT` naming `field`.
/// The row's plain ID is accepted too (what cursors were before they became opaque).
pub fn decode_cursor<T: FromStr<Err = MalformedId>>(field: &'static str, cursor: &str) -> async_graphql::Result<T> {
    if let Ok(id) = cursor.parse::<T>() {
        return Ok(id);
    }
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.parse::<T>().ok())
        .ok_or_else(|| bad_input(field, "is not a cursor of this list (use an edge's cursor or pageInfo's)"))
}

/// The arguments of a connection field, as the page of a list keyed by `K` to read.
pub struct PageArgs {
    /// `first`.
    pub first: Option<i32>,
    /// `after`.
    pub after: Option<String>,
    /// `last`.
    pub last: Option<i32>,
    /// `before`.
    pub before: Option<String>,
}

impl PageArgs {
    /// The page size the arguments ask for (for complexity: before any checking).
    pub fn requested(first: Option<i32>, last: Option<i32>) -> usize {
        usize::try_from(first.or(last).unwrap_or(DEFAULT_PAGE_SIZE).clamp(1, 100)).unwrap_or(1)
    }

    /// The window to read, with keys of `K` (`BAD_USER_INPUT` for both `first` and `last`, a
    /// size outside 1..=`max`, or a foreign cursor).
    pub fn window<K>(self, max: u64, key: impl Fn(K) -> i64) -> async_graphql::Result<Window>
    where
        K: FromStr<Err = MalformedId>,
    {
        let after = self.after.map(|cursor| decode_cursor::<K>("after", &cursor).map(&key)).transpose()?;
        let before = self.before.map(|cursor| decode_cursor::<K>("before", &cursor).map(&key)).transpose()?;
        let (size, from_end) = match (self.first, self.last) {
            (Some(_), Some(_)) => return Err(bad_input("last", "give first or last, not both")),
            (None, Some(last)) => (
                u64::try_from(last)
                    .ok()
                    .filter(|size| (1..=max).contains(size))
                    .ok_or_else(|| bad_input("last", Message::new("must be between 1 and {max}").arg("max", max)))?,
                true,
            ),
            (first, None) => (page_size(first.unwrap_or(DEFAULT_PAGE_SIZE), max)?, false),
        };
        Ok(Window { after, before, size, from_end })
    }
}

/// The most IDs one `nodes` call takes.
pub const MAX_NODES: usize = 100;

/// The object with global ID `id`, if it exists and the caller may see it (`None` otherwise,
/// as the Global Object Identification spec has it); a malformed ID is `BAD_USER_INPUT`.
pub async fn node(ctx: &Context<'_>, field: &'static str, id: &ID) -> async_graphql::Result<Option<Node>> {
    let (prefix, _) = id
        .split_once('_')
        .ok_or_else(|| bad_input(field, Message::new("`{id}` is not an ID").arg("id", id.as_str())))?;
    let core = core_context(ctx);
    let caller = &request(ctx).caller;
    match prefix {
        DistrictId::PREFIX => {
            found(directory::district(core, parse_id(field, id)?).await, |d| Node::District(District(d)))
        }
        StreetId::PREFIX => found(directory::street(core, parse_id(field, id)?).await, |s| Node::Street(Street(s))),
        DepartmentId::PREFIX => {
            found(directory::department(core, parse_id(field, id)?).await, |d| Node::Department(Department(d)))
        }
        CategoryId::PREFIX => {
            found(directory::category(core, parse_id(field, id)?).await, |c| Node::Category(Category(c)))
        }
        TicketId::PREFIX => found(tickets::get(core, caller, parse_id(field, id)?).await, |t| Node::Ticket(Ticket(t))),
        TicketEventId::PREFIX => {
            found(tickets::event(core, caller, parse_id(field, id)?).await, |e| Node::TicketEvent(TicketEvent(e)))
        }
        PluginId::PREFIX => found(plugins::get(core, caller, parse_id(field, id)?).await, |p| Node::Plugin(Plugin(p))),
        PluginCallId::PREFIX => {
            found(plugins::call(core, caller, parse_id(field, id)?).await, |c| Node::PluginCall(PluginCall(c)))
        }
        NotificationId::PREFIX => {
            found(notifications::get(core, caller, parse_id(field, id)?).await, |n| Node::Notification(Notification(n)))
        }
        AuditEntryId::PREFIX => {
            found(audit::entry(core, caller, parse_id(field, id)?).await, |a| Node::AuditEntry(AuditEntry(a)))
        }
        SurveyId::PREFIX => found(surveys::get(core, caller, parse_id(field, id)?).await, |s| Node::Survey(Survey(s))),
        _ => Err(bad_input(field, Message::new("`{id}` is not the ID of any type").arg("id", id.as_str()))),
    }
}

/// The domain's answer as a node: `None` when it says not found.
fn found<T, E: Classify + Display>(
    result: Result<T, E>,
    node: impl FnOnce(T) -> Node,
) -> async_graphql::Result<Option<Node>> {
    match result {
        Ok(value) => Ok(Some(node(value))),
        Err(error) if error.kind() == ErrorKind::NotFound => Ok(None),
        Err(error) => Err(to_graphql(error)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_are_opaque_and_round_trip() {
        let encoded = cursor(TicketId(42));
        assert!(!encoded.contains("tkt"), "{encoded}");
        assert_eq!(decode_cursor::<TicketId>("after", &encoded).expect("decodes"), TicketId(42));
        assert_eq!(decode_cursor::<TicketId>("after", "tkt_42").expect("plain ID"), TicketId(42));
        let foreign = cursor(AuditEntryId(42));
        assert!(decode_cursor::<TicketId>("after", &foreign).is_err(), "another list's cursor");
        assert!(decode_cursor::<TicketId>("after", "!!!").is_err());
    }
}
