//! The Civitas domain: hotline tickets, participatory-budgeting tallies (and later surveys) for
//! a city organised in districts.
//!
//! This crate knows nothing of HTTP or GraphQL. Every operation is a service function that
//! takes a [`Context`] (storage, clock, settings) and the [`auth::Caller`] on whose behalf it
//! runs, enforces who may do what, and returns domain values or a domain error that classifies
//! itself as an [`error::ErrorKind`].

#[macro_use]
mod macros;

pub mod audit;
pub mod auth;
pub mod background;
pub mod budget_processes;
pub mod budgeting;
pub mod clock;
pub mod context;
pub mod db;
#[cfg(feature = "demo")]
pub mod demo;
pub mod digest;
pub mod directory;
pub mod email;
pub mod error;
pub mod events;
pub mod hooks;
pub mod i18n;
pub mod ids;
pub mod notifications;
pub mod open311;
pub mod paging;
pub(crate) mod participation;
pub mod plugins;
pub mod problems;
pub mod realtime;
pub mod secrets;
pub mod surveys;
#[cfg(feature = "testing")]
pub mod testing;
pub mod text;
pub mod tickets;
pub mod time;

pub use context::{Config, Context};
