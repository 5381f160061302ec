//! The audit log: who changed what, when, in which role, with the state before and after, for
//! every administrative change of every domain (directory entries, plugin administration and
//! the plugin host's automatic disabling).
//!
//! A domain writes through `record`, in the change's own transaction: one call appends the
//! audit entry and the change's domain event together, so neither exists without the other.
//! Tickets keep their own audit trail, the timeline (one entry per change, with its actor and
//! note, public to whoever may see the ticket); they append their events directly.
//!
//! The admins of a scope read it: a district's admin their district's entries, city admins
//! every district's and the city-wide ones ([`log`]).

mod error;
mod query;
mod record;

pub use error::AuditError;
pub use query::{AuditEntry, MAX_PAGE_SIZE, count, entry, log};
pub(crate) use record::{Change, record};
