//! Batched loading, so that a page of tickets with their districts, departments, categories
//! and timelines costs a constant number of queries.
//!
//! Loaders are created per request: they carry the caller, and never serve one request's
//! data to another.

use std::collections::HashMap;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use civitas_core::Context;
use civitas_core::auth::Caller;
use civitas_core::budget_processes::milestones::{self, Milestone};
use civitas_core::directory::{self, Category, Department, District, Street};
use civitas_core::ids::{BudgetProjectId, CategoryId, DepartmentId, DistrictId, StreetId, TicketId};
use civitas_core::tickets::{self, Ticket, TicketEvent};

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

/// Loads budget projects' implementation milestones (public) by project ID.
pub struct MilestoneLoader {
    ctx: Context,
}

/// The loaders of one request, caching what they loaded for the request's lifetime.
pub struct Loaders {
    /// Directory entries.
    pub directory: DataLoader<DirectoryLoader, HashMapCache>,
    /// Ticket timelines.
    pub timelines: DataLoader<TimelineLoader, HashMapCache>,
    /// Budget projects' milestones.
    pub milestones: DataLoader<MilestoneLoader, HashMapCache>,
}

/// Which related objects a page of tickets needs, from the query's selection.
#[derive(Debug, Clone, Copy, Default)]
pub struct Needs {
    /// `district`.
    pub districts: bool,
    /// `department`.
    pub departments: bool,
    /// `category`.
    pub categories: bool,
    /// `street`.
    pub streets: bool,
    /// `events`.
    pub timelines: bool,
}

impl Loaders {
    /// Loads afresh every time (still batched): for a long-lived connection, whose cache would
    /// go stale.
    pub fn uncached(&self) {
        self.directory.enable_all_cache(false);
        self.timelines.enable_all_cache(false);
        self.milestones.enable_all_cache(false);
    }

    /// Fresh loaders for one request of `caller`.
    pub fn new(ctx: &Context, caller: &Caller) -> Self {
        Loaders {
            directory: DataLoader::with_cache(
                DirectoryLoader { ctx: ctx.clone() },
                tokio::spawn,
                HashMapCache::default(),
            ),
            timelines: DataLoader::with_cache(
                TimelineLoader { ctx: ctx.clone(), caller: caller.clone() },
                tokio::spawn,
                HashMapCache::default(),
            ),
            milestones: DataLoader::with_cache(
                MilestoneLoader { ctx: ctx.clone() },
                tokio::spawn,
                HashMapCache::default(),
            ),
        }
    }

    /// Loads, in one batch per kind, what a page of tickets will ask for, so that the page
    /// costs the same number of queries whatever its size. (Batching by the loaders' delay
    /// alone depends on timing: a slow resolver can split a batch.) Each batch is loaded at
    /// once and fed to the loader's cache, without the loader's delay (1 ms, which every page
    /// waited for even when its directory entries came from memory).
    pub async fn prefetch(&self, tickets: &[Ticket], needs: Needs) -> Result<(), async_graphql::Error> {
        fn keys<K: Ord>(tickets: &[Ticket], key: impl Fn(&Ticket) -> Option<K>) -> Vec<K> {
            let mut keys: Vec<K> = tickets.iter().filter_map(key).collect();
            keys.sort();
            keys.dedup();
            keys
        }
        async fn batch<T, K>(loader: &DataLoader<T, HashMapCache>, keys: Vec<K>) -> Result<(), async_graphql::Error>
        where
            T: Loader<K, Error = async_graphql::Error>,
            K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
        {
            if !keys.is_empty() {
                let values = loader.loader().load(&keys).await?;
                loader.feed_many(values).await;
            }
            Ok(())
        }
        let districts = async {
            if needs.districts {
                batch(&self.directory, keys(tickets, |t| Some(t.district_id))).await?;
            }
            Ok::<_, async_graphql::Error>(())
        };
        let departments = async {
            if needs.departments {
                batch(&self.directory, keys(tickets, |t| t.department_id)).await?;
            }
            Ok(())
        };
        let categories = async {
            if needs.categories {
                batch(&self.directory, keys(tickets, |t| Some(t.category_id))).await?;
            }
            Ok(())
        };
        let streets = async {
            if needs.streets {
                batch(&self.directory, keys(tickets, |t| t.street_id)).await?;
            }
            Ok(())
        };
        let timelines = async {
            if needs.timelines {
                batch(&self.timelines, keys(tickets, |t| Some(t.id))).await?;
            }
            Ok(())
        };
        futures::try_join!(districts, departments, categories, streets, timelines)?;
        Ok(())
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

impl Loader<BudgetProjectId> for MilestoneLoader {
    type Value = Vec<Milestone>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[BudgetProjectId]) -> Result<HashMap<BudgetProjectId, Vec<Milestone>>, Self::Error> {
        milestones::of_projects(&self.ctx, keys).await.map_err(to_graphql)
    }
}
