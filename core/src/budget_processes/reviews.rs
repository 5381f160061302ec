//! The manual-review queue of a vote: ballots the district's eligibility rule could not decide
//! (or whose plugin failed: it fails closed) wait there, uncounted, until one of the process's
//! admins accepts or rejects them, before the close. A review shows the reason and the channel,
//! never who voted nor what the ballot marks.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};

use super::BudgetError;
use super::entity::{ballot, review};
use super::model::{BallotStatus, BudgetPhase};
use super::service::{facts, load, may_manage};
use crate::audit::{self, Change};
use crate::auth::Caller;
use crate::context::Context;
use crate::events::DomainEvent;
use crate::ids::{BudgetProcessId, EligibilityReviewId};
use crate::paging::{Order, Page, Window};
use crate::tickets::Channel;

/// The most reviews one page holds.
pub const MAX_REVIEWS_PAGE: u64 = 200;

stored_enum!(
    /// Where a review stands.
    ReviewStatus {
        /// Waiting for an admin.
        Pending = "PENDING",
        /// Accepted: the ballot is counted.
        Accepted = "ACCEPTED",
        /// Rejected: the ballot is not counted.
        Rejected = "REJECTED",
    }
);

/// A ballot waiting for (or having had) an eligibility decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EligibilityReview {
    /// Its ID (random, unrelated to the ballot's).
    pub id: EligibilityReviewId,
    /// The process.
    pub process_id: BudgetProcessId,
    /// Why it needs a person: the eligibility rule's reason.
    pub reason: String,
    /// How the ballot came in.
    pub channel: Channel,
    /// Where it stands.
    pub status: ReviewStatus,
}

/// A process's reviews, for its admins, in an order unrelated to casting; `pending_only` keeps
/// those still waiting.
pub async fn list(
    ctx: &Context,
    caller: &Caller,
    id: BudgetProcessId,
    pending_only: bool,
    window: Window,
) -> Result<Page<EligibilityReview>, BudgetError> {
    let window = window.checked(if window.from_end { "last" } else { "first" }, MAX_REVIEWS_PAGE)?;
    let process = load(&ctx.db, id).await?;
    may_manage(caller, process.district_id)?;
    let mut query = review::Entity::find().filter(review::Column::ProcessId.eq(id.0));
    if pending_only {
        query = query.filter(review::Column::Status.eq(ReviewStatus::Pending.as_str()));
    }
    let rows = window.apply(query, review::Column::Id, Order::OldestFirst).all(&ctx.db).await?;
    let ballots: Vec<i64> = rows.iter().map(|row| row.ballot_id).collect();
    let channels: std::collections::HashMap<i64, String> = ballot::Entity::find()
        .filter(ballot::Column::Id.is_in(ballots))
        .all(&ctx.db)
        .await?
        .into_iter()
        .map(|row| (row.id, row.channel))
        .collect();
    window.page(rows).try_map(|row| {
        let channel = channels.get(&row.ballot_id).and_then(|channel| Channel::parse(channel));
        to_review(row, channel.ok_or_else(|| BudgetError::Corrupt("a review without its ballot".into()))?)
    })
}

/// Accepts (the ballot is counted) or rejects a pending review while the vote is open.
pub async fn decide(
    ctx: &Context,
    caller: &Caller,
    id: EligibilityReviewId,
    accept: bool,
) -> Result<EligibilityReview, BudgetError> {
    let row = review::Entity::find_by_id(id.0).one(&ctx.db).await?.ok_or(BudgetError::NotFound)?;
    let process = load(&ctx.db, BudgetProcessId(row.process_id)).await?;
    may_manage(caller, process.district_id)?;
    if process.phase != BudgetPhase::Voting {
        return Err(BudgetError::InvalidTransition {
            action: "decide the eligibility reviews of",
            from: process.phase,
        });
    }
    let (status, ballot_status) = if accept {
        (ReviewStatus::Accepted, BallotStatus::Counted)
    } else {
        (ReviewStatus::Rejected, BallotStatus::Rejected)
    };
    let now = ctx.clock.now();
    let txn = ctx.db.begin().await?;
    let updated = review::Entity::update_many()
        .filter(review::Column::Id.eq(id.0))
        .filter(review::Column::Status.eq(ReviewStatus::Pending.as_str()))
        .col_expr(review::Column::Status, status.as_str().into())
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        return Err(BudgetError::Conflict);
    }
    ballot::Entity::update_many()
        .filter(ballot::Column::Id.eq(row.ballot_id))
        .filter(ballot::Column::Status.eq(BallotStatus::PendingReview.as_str()))
        .col_expr(ballot::Column::Status, ballot_status.as_str().into())
        .exec(&txn)
        .await?;
    let channel = ballot::Entity::find_by_id(row.ballot_id)
        .one(&txn)
        .await?
        .and_then(|ballot| Channel::parse(&ballot.channel))
        .ok_or_else(|| BudgetError::Corrupt("a review without its ballot".into()))?;
    let audited =
        |status: ReviewStatus| serde_json::json!({ "review": id, "reason": row.reason, "status": status.as_str() });
    let change = Change {
        event: DomainEvent::BudgetEligibilityDecided(facts(&process)),
        before: Some(audited(ReviewStatus::Pending)),
        after: Some(audited(status)),
    };
    audit::record(&txn, caller, now, change).await?;
    super::ballots::still_voting(&txn, process.id).await?;
    txn.commit().await?;
    Ok(EligibilityReview { status, ..to_review(row, channel)? })
}

fn to_review(row: review::Model, channel: Channel) -> Result<EligibilityReview, BudgetError> {
    Ok(EligibilityReview {
        id: EligibilityReviewId(row.id),
        process_id: BudgetProcessId(row.process_id),
        status: ReviewStatus::parse(&row.status).ok_or_else(|| BudgetError::Corrupt("review status".into()))?,
        reason: row.reason,
        channel,
    })
}
