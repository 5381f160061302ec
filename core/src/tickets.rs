//! Hotline tickets: intake on any channel, dispatch, work under deadlines, resolution, rating,
//! reopening, merging — every step audited on the ticket's timeline.

mod access;
mod decode;
mod district_logic;
mod entities;
mod error;
mod idempotency;
mod input;
mod model;
mod public;
mod query;
mod queue;
pub(crate) mod reactions;
mod service;
mod state;
mod stats;
pub(crate) mod storage;
mod sweeper;
mod tracking;

pub use access::{contact_for, contact_visible_to, mask_email, mask_name, mask_phone};
pub use district_logic::{RouteTicket, SetDeadlines};
pub use error::TicketError;
pub use idempotency::{KEY_LIFETIME, MAX_KEY_CHARS};
pub use input::{MAX_DESCRIPTION_CHARS, MAX_NOTE_CHARS, MAX_TAG_CHARS, MAX_TAGS, MAX_TITLE_CHARS, NewTicket};
pub use model::{Channel, Contact, GeoPoint, Priority, Rating, Ticket, TicketEvent, TicketEventKind, TicketStatus};
pub use public::{MAX_PUBLIC_PAGE, PUBLIC_NOTE_KINDS, PublicFilter, PublicTicket, public_tickets};
pub use query::{
    MAX_PAGE_SIZE, TicketFilter, count, event, events_of, get, get_by_code, list, replay, timeline, timeline_length,
    timeline_page,
};
pub use queue::{MAX_QUEUE_READ, Queue, may_watch, newest_entry, queue_entries};
pub use reactions::MAX_ACTIONS;
pub use service::{accept, comment, dispatch, merge, rate, reject, resolve, return_to_dispatch, submit, transfer};
pub use state::{InvalidTransition, LOWEST_SATISFIED_SCORE, TicketState, Transition};
pub use stats::{Breakdown, StatsQuery, TicketStats, TicketTimes, stats, stats_by, times};
pub use sweeper::{SweepReport, sweep};
pub use tracking::get_by_tracking_token;
