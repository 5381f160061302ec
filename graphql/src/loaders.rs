//! Batched loading, so that a page of tickets with their districts, departments, categories
//! and timelines costs a constant number of queries.
//!
//! Loaders are created per request: they carry the caller, and never serve one request's
//! data to another.

use std::collections::HashMap;

use async_graphql::dataloader::{DataLoader, Loader};
use civitas_core::Context;
use civitas_core::auth::Caller;
use civitas_core::directory::{self, Category, Department, District, Street};
use civitas_core::ids::{CategoryId, DepartmentId, DistrictId, StreetId, TicketId};
use civitas_core::tickets::{self, TicketEvent};

use crate::errors::to_graphql;

/// Loads directory entries by ID.
pub struct DirectoryLoader {
    ctx: Context,
}

/// Loads ticket timelines by ticket ID, as the caller may see them.
pub struct TimelineLoader {
    ctx: Context,
    caller: Caller,
}

/// The loaders of one request.
pub struct Loaders {
    /// Directory entries.
    pub directory: DataLoader<DirectoryLoader>,
    /// Ticket timelines.
    pub timelines: DataLoader<TimelineLoader>,
}

impl Loaders {
    /// Fresh loaders for one request of `caller`.
    pub fn new(ctx: &Context, caller: &Caller) -> Self {
        Loaders {
            directory: DataLoader::new(DirectoryLoader { ctx: ctx.clone() }, tokio::spawn),
            timelines: DataLoader::new(TimelineLoader { ctx: ctx.clone(), caller: caller.clone() }, tokio::spawn),
        }
    }
}

/// The longest timeline returned for one ticket.
pub const MAX_TIMELINE: usize = 500;

macro_rules! directory_loader {
    ($id:ty, $value:ty, $fetch:path) => {
        impl Loader<$id> for DirectoryLoader {
            type Value = $value;
            type Error = async_graphql::Error;

            async fn load(&self, keys: &[$id]) -> Result<HashMap<$id, $value>, Self::Error> {
                let rows = $fetch(&self.ctx, keys).await.map_err(to_graphql)?;
                Ok(rows.into_iter().map(|row| (row.id, row)).collect())
            }
        }
    };
}

directory_loader!(DistrictId, District, directory::districts_by_ids);
directory_loader!(DepartmentId, Department, directory::departments_by_ids);
directory_loader!(CategoryId, Category, directory::categories_by_ids);
directory_loader!(StreetId, Street, directory::streets_by_ids);

impl Loader<TicketId> for TimelineLoader {
    type Value = Vec<TicketEvent>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[TicketId]) -> Result<HashMap<TicketId, Vec<TicketEvent>>, Self::Error> {
        tickets::events_of(&self.ctx, &self.caller, keys, MAX_TIMELINE).await.map_err(to_graphql)
    }
}
