//! Integration tests of civitas-core, on SQLite, and on PostgreSQL when `DATABASE_URL` is set.

mod support;
mod tenancy;
mod ticket_lifecycle;
