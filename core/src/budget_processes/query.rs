//! Reading processes: every process is public (residents propose to, vote in and follow them).

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::BudgetError;
use super::entity::process;
use super::model::{BudgetPhase, BudgetProcess};
use super::service::load;
use crate::context::Context;
use crate::ids::{BudgetProcessId, DistrictId};
use crate::paging::{Order, Page, Window};

/// The most processes one page holds.
pub const MAX_PROCESSES_PAGE: u64 = 100;

/// Which processes to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BudgetProcessFilter {
    /// Only this district's.
    pub district_id: Option<DistrictId>,
    /// Only city-wide processes.
    pub city_wide: bool,
    /// Only processes in these phases (all when empty).
    pub phases: Vec<BudgetPhase>,
}

/// One process.
pub async fn get(ctx: &Context, id: BudgetProcessId) -> Result<BudgetProcess, BudgetError> {
    load(&ctx.db, id).await
}

/// The processes matching `filter`, newest first, in `window`.
pub async fn list(
    ctx: &Context,
    filter: &BudgetProcessFilter,
    window: Window,
) -> Result<Page<BudgetProcess>, BudgetError> {
    let window = window.checked(if window.from_end { "last" } else { "first" }, MAX_PROCESSES_PAGE)?;
    let mut query = process::Entity::find();
    if let Some(district) = filter.district_id {
        query = query.filter(process::Column::DistrictId.eq(district.0));
    }
    if filter.city_wide {
        query = query.filter(process::Column::DistrictId.is_null());
    }
    if !filter.phases.is_empty() {
        query = query.filter(process::Column::Phase.is_in(filter.phases.iter().map(|phase| phase.as_str())));
    }
    let query = window.apply(query, process::Column::Id, Order::NewestFirst);
    window.page(query.all(&ctx.db).await?).try_map(BudgetProcess::try_from)
}
