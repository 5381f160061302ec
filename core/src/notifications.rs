//! Notifications for departments: short messages about a ticket that district logic (a
//! listener plugin) enqueued, read by the department's staff and its district's admin.
//!
//! This is an outbox: delivery channels (email, SMS, push) read it later; until then the
//! department reads its notifications through the API.

mod entity;
mod error;
mod model;
mod service;

pub use error::NotificationError;
pub use model::{MAX_MESSAGE_CHARS, Notification};
pub use service::{MAX_PAGE, added_after, for_department, get, newest_of};
pub(crate) use service::{NewNotification, enqueue};
