//! Voting: one secret ballot per resident, changeable until the vote closes.
//!
//! A ballot row holds a random ID, its receipt code, its channel and what it marks: no
//! identity, no time. Who has voted is kept apart, under a participation key (an HMAC of the
//! process and the voter under a secret outside the database, [`crate::participation`]) whose
//! row holds only the ballot's ID masked under that secret: the server finds a voter's ballot to
//! replace or withdraw it, a copy of the database cannot. No audit entry, event or log line of a
//! ballot names the voter.

use std::collections::{HashMap, HashSet};

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QuerySelect, SqlErr, TransactionTrait,
};

use super::eligibility;
use super::entity::{ballot, participation, process, review};
use super::model::{
    BallotChoices, BallotFormat, BallotStatus, BudgetPhase, BudgetProcess, CastOnBehalf, CastReceipt, MyBallot,
    ProjectStatus, PublishedBallot, Turnout,
};
use super::money::Money;
use super::reviews::ReviewStatus;
use super::service::{json, load};
use super::{BudgetError, projects};
use crate::auth::{Caller, Role};
use crate::context::Context;
use crate::error::InvalidInput;
use crate::events::{self, BallotFacts, DomainEvent};
use crate::hooks::EligibilityAnswer;
use crate::i18n::Message;
use crate::ids::{BudgetProcessId, BudgetProjectId};
use crate::paging::{Order, Page, Window};
use crate::participation::{self as keys, Scope};
use crate::problems::Problems;
use crate::tickets::Channel;
use crate::time::to_millis;

/// Ballots' participation labels.
const BALLOTS: Scope = Scope { key: b"ballot-participation", pad: b"ballot-reference" };

/// The most published ballots one page holds.
pub const MAX_RECEIPTS_PAGE: u64 = 500;

/// Casts (or replaces) the caller's ballot, or with `on_behalf_of` an operator casts for a
/// resident at a service window or by phone: checked against the ballot's rules (every problem
/// listed, nothing stored on failure); returns the receipt, shown once.
pub async fn cast(
    ctx: &Context,
    caller: &Caller,
    id: BudgetProcessId,
    choices: BallotChoices,
    channel: Channel,
    on_behalf_of: Option<CastOnBehalf>,
) -> Result<CastReceipt, BudgetError> {
    let process = load(&ctx.db, id).await?;
    if process.phase != BudgetPhase::Voting {
        return Err(BudgetError::InvalidTransition { action: "vote in", from: process.phase });
    }
    let (participant, channel) = voter(caller, &process, channel, on_behalf_of.as_ref())?;
    let choices = checked(ctx, &process, choices).await?;
    // The district's rule of who may vote, asked with what the city verified (no identity),
    // before any transaction.
    let resident_district = on_behalf_of.is_none().then(|| caller.district()).flatten();
    let age = voter_age(ctx, caller, on_behalf_of.is_some());
    let mut reviews = Vec::new();
    match (process.minimum_age, age) {
        (Some(minimum), Some(age)) if age < minimum => {
            return Err(BudgetError::Ineligible(format!("the minimum age is {minimum}")));
        }
        (Some(minimum), None) => {
            reviews.push(format!("no verified year of birth; the minimum age is {minimum}: check an ID card"));
        }
        _ => {}
    }
    match eligibility::decide(ctx, &process, age, resident_district, channel).await? {
        EligibilityAnswer::Eligible => {}
        EligibilityAnswer::Ineligible(reason) => return Err(BudgetError::Ineligible(reason)),
        EligibilityAnswer::ManualReview(reason) => reviews.push(reason),
    }
    let review = (!reviews.is_empty()).then(|| reviews.join("; "));
    let key = keys::key(ctx, BALLOTS, process.id.0, &participant);
    let earlier = participation::Entity::find_by_id((process.id.0, key.clone())).one(&ctx.db).await?;
    let txn = ctx.db.begin().await?;
    let (receipt, status) =
        store_ballot(ctx, &txn, &process, &key, earlier.as_ref(), &choices, channel, review).await?;
    let replaced = earlier.is_some();
    let facts = BallotFacts {
        process: process.id,
        district: process.district_id,
        channel: channel.as_str().to_owned(),
        replaced,
    };
    events::append(&txn, &DomainEvent::BallotCast(facts), to_millis(ctx.clock.now())).await?;
    still_voting(&txn, process.id).await?;
    txn.commit().await?;
    Ok(CastReceipt { receipt, status, replaced })
}

/// Holds the process row in share mode until `txn` ends (on PostgreSQL; SQLite runs one writer
/// at a time) and checks it still votes: a close waits for this transaction, and this one is
/// refused if the close came first — no ballot changes after the count. Called last, after the
/// transaction's first write (so that SQLite takes its write lock before reading).
pub(super) async fn still_voting(txn: &DatabaseTransaction, id: BudgetProcessId) -> Result<(), BudgetError> {
    let row = process::Entity::find_by_id(id.0).lock_shared().one(txn).await?.ok_or(BudgetError::NotFound)?;
    match BudgetPhase::parse(&row.phase) {
        Some(BudgetPhase::Voting) => Ok(()),
        Some(phase) => Err(BudgetError::InvalidTransition { action: "vote in", from: phase }),
        None => Err(BudgetError::Corrupt(format!("process {}: phase", row.id))),
    }
}

/// The participation key of `participant` (`phone:…`, `id:…`, `sub:…`) in `process`.
pub(super) fn ballot_participant_key(ctx: &Context, process: &BudgetProcess, participant: &str) -> String {
    keys::key(ctx, BALLOTS, process.id.0, participant)
}

/// The participations of these keys in `process` (the voters who have a ballot), by key.
pub(super) async fn earlier_participations(
    db: &impl ConnectionTrait,
    process: &BudgetProcess,
    keys: &[String],
) -> Result<HashMap<String, participation::Model>, BudgetError> {
    let mut found = HashMap::new();
    // Chunks keep each statement well under the databases' limits on bound parameters.
    for chunk in keys.chunks(1_000) {
        let rows = participation::Entity::find()
            .filter(participation::Column::ProcessId.eq(process.id.0))
            .filter(participation::Column::ParticipantKey.is_in(chunk.iter().cloned()))
            .all(db)
            .await?;
        found.extend(rows.into_iter().map(|row| (row.participant_key.clone(), row)));
    }
    Ok(found)
}

/// Stores a paper ballot of an imported batch in `txn` (counted: staff checked the voter),
/// replacing `earlier` (read before the transaction) if the voter had a ballot; whether it did.
pub(super) async fn store_paper_ballot(
    ctx: &Context,
    txn: &DatabaseTransaction,
    process: &BudgetProcess,
    key: &str,
    earlier: Option<&participation::Model>,
    choices: &BallotChoices,
) -> Result<bool, BudgetError> {
    store_ballot(ctx, txn, process, key, earlier, choices, Channel::Paper, None).await?;
    Ok(earlier.is_some())
}

/// Stores one voter's ballot in `txn`: a new participation (a unique violation is `CONFLICT`)
/// or a conditional move of the existing one to the new ballot (a concurrent twin that moved
/// it first makes this a `CONFLICT`) with the earlier ballot deleted; the ballot row, and its
/// review when it waits for one. Returns its receipt and status.
#[allow(clippy::too_many_arguments)]
async fn store_ballot(
    ctx: &Context,
    txn: &DatabaseTransaction,
    process: &BudgetProcess,
    key: &str,
    earlier: Option<&participation::Model>,
    choices: &BallotChoices,
    channel: Channel,
    review: Option<String>,
) -> Result<(String, BallotStatus), BudgetError> {
    let ballot_id = keys::random_id();
    let receipt = receipt_code();
    match earlier {
        Some(earlier) => {
            let moved = participation::Entity::update_many()
                .filter(participation::Column::ProcessId.eq(process.id.0))
                .filter(participation::Column::ParticipantKey.eq(key))
                .filter(participation::Column::BallotRef.eq(earlier.ballot_ref))
                .col_expr(
                    participation::Column::BallotRef,
                    keys::mask(ctx, BALLOTS, process.id.0, key, ballot_id).into(),
                )
                .exec(txn)
                .await?;
            if moved.rows_affected != 1 {
                return Err(BudgetError::Conflict);
            }
            let old = keys::unmask(ctx, BALLOTS, process.id.0, key, earlier.ballot_ref);
            review::Entity::delete_many().filter(review::Column::BallotId.eq(old)).exec(txn).await?;
            ballot::Entity::delete_by_id(old).exec(txn).await?;
        }
        None => {
            let inserted = participation::ActiveModel {
                process_id: Set(process.id.0),
                participant_key: Set(key.to_owned()),
                ballot_ref: Set(keys::mask(ctx, BALLOTS, process.id.0, key, ballot_id)),
            }
            .insert(txn)
            .await;
            match inserted {
                Ok(_) => {}
                Err(error) if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                    return Err(BudgetError::Conflict);
                }
                Err(error) => return Err(error.into()),
            }
        }
    }
    let status = if review.is_some() { BallotStatus::PendingReview } else { BallotStatus::Counted };
    ballot::ActiveModel {
        id: Set(ballot_id),
        process_id: Set(process.id.0),
        receipt: Set(receipt.clone()),
        channel: Set(channel.as_str().to_owned()),
        status: Set(status.as_str().to_owned()),
        choices: Set(json(choices)?),
    }
    .insert(txn)
    .await?;
    if let Some(reason) = review {
        review::ActiveModel {
            id: Set(keys::random_id()),
            process_id: Set(process.id.0),
            ballot_id: Set(ballot_id),
            reason: Set(reason),
            status: Set(ReviewStatus::Pending.as_str().to_owned()),
        }
        .insert(txn)
        .await?;
    }
    Ok((receipt, status))
}

/// Withdraws the caller's ballot while the vote is open; they may vote again.
pub async fn withdraw(ctx: &Context, caller: &Caller, id: BudgetProcessId) -> Result<(), BudgetError> {
    let process = load(&ctx.db, id).await?;
    if process.phase != BudgetPhase::Voting {
        return Err(BudgetError::InvalidTransition { action: "withdraw a ballot from", from: process.phase });
    }
    let (participant, _) = voter(caller, &process, Channel::Web, None)?;
    let key = keys::key(ctx, BALLOTS, process.id.0, &participant);
    let found = participation::Entity::find_by_id((process.id.0, key.clone()))
        .one(&ctx.db)
        .await?
        .ok_or(BudgetError::NoBallot)?;
    let ballot_id = keys::unmask(ctx, BALLOTS, process.id.0, &key, found.ballot_ref);
    let txn = ctx.db.begin().await?;
    let removed = participation::Entity::delete_many()
        .filter(participation::Column::ProcessId.eq(process.id.0))
        .filter(participation::Column::ParticipantKey.eq(key))
        .filter(participation::Column::BallotRef.eq(found.ballot_ref))
        .exec(&txn)
        .await?;
    if removed.rows_affected != 1 {
        return Err(BudgetError::Conflict);
    }
    let row = ballot::Entity::find_by_id(ballot_id).one(&txn).await?;
    review::Entity::delete_many().filter(review::Column::BallotId.eq(ballot_id)).exec(&txn).await?;
    ballot::Entity::delete_by_id(ballot_id).exec(&txn).await?;
    let channel = row.map_or_else(|| Channel::Web.as_str().to_owned(), |row| row.channel);
    let facts = BallotFacts { process: process.id, district: process.district_id, channel, replaced: false };
    events::append(&txn, &DomainEvent::BallotWithdrawn(facts), to_millis(ctx.clock.now())).await?;
    still_voting(&txn, process.id).await?;
    txn.commit().await?;
    Ok(())
}

/// The caller's current ballot in a process, if they cast one.
pub async fn my_ballot(ctx: &Context, caller: &Caller, id: BudgetProcessId) -> Result<Option<MyBallot>, BudgetError> {
    let process = load(&ctx.db, id).await?;
    let (participant, _) = voter(caller, &process, Channel::Web, None)?;
    let key = keys::key(ctx, BALLOTS, process.id.0, &participant);
    let Some(found) = participation::Entity::find_by_id((process.id.0, key.clone())).one(&ctx.db).await? else {
        return Ok(None);
    };
    let ballot_id = keys::unmask(ctx, BALLOTS, process.id.0, &key, found.ballot_ref);
    let Some(row) = ballot::Entity::find_by_id(ballot_id).one(&ctx.db).await? else {
        return Ok(None);
    };
    Ok(Some(MyBallot {
        choices: serde_json::from_str(&row.choices).map_err(|error| BudgetError::Corrupt(error.to_string()))?,
        channel: Channel::parse(&row.channel).ok_or_else(|| BudgetError::Corrupt("ballot channel".into()))?,
        status: BallotStatus::parse(&row.status).ok_or_else(|| BudgetError::Corrupt("ballot status".into()))?,
    }))
}

/// How many have voted, by channel: public at any time (the only vote figure shown while the
/// vote runs).
pub async fn turnout(ctx: &Context, id: BudgetProcessId) -> Result<Turnout, BudgetError> {
    load(&ctx.db, id).await?;
    let rows: Vec<(String, i64)> = ballot::Entity::find()
        .select_only()
        .column(ballot::Column::Channel)
        .column_as(ballot::Column::Id.count(), "count")
        .filter(ballot::Column::ProcessId.eq(id.0))
        .filter(ballot::Column::Status.eq(BallotStatus::Counted.as_str()))
        .group_by(ballot::Column::Channel)
        .into_tuple()
        .all(&ctx.db)
        .await?;
    let mut by_channel: Vec<(Channel, u64)> = rows
        .into_iter()
        .filter_map(|(channel, count)| Some((Channel::parse(&channel)?, u64::try_from(count).ok()?)))
        .collect();
    by_channel.sort_by_key(|(channel, _)| *channel);
    Ok(Turnout { total: by_channel.iter().map(|(_, count)| count).sum(), by_channel })
}

/// The counted ballots with their receipts, once the process is tallied (before: none), in an
/// order that follows neither casting order nor time.
pub async fn published(
    ctx: &Context,
    id: BudgetProcessId,
    window: Window,
) -> Result<Page<(i64, PublishedBallot)>, BudgetError> {
    let window = window.checked(if window.from_end { "last" } else { "first" }, MAX_RECEIPTS_PAGE)?;
    let process = load(&ctx.db, id).await?;
    if !matches!(process.phase, BudgetPhase::Tallied | BudgetPhase::Implementation) {
        return Err(BudgetError::InvalidTransition { action: "publish the ballots of", from: process.phase });
    }
    let query = ballot::Entity::find()
        .filter(ballot::Column::ProcessId.eq(id.0))
        .filter(ballot::Column::Status.eq(BallotStatus::Counted.as_str()));
    let query = window.apply(query, ballot::Column::Id, Order::OldestFirst);
    window.page(query.all(&ctx.db).await?).try_map(|row| {
        let choices = serde_json::from_str(&row.choices).map_err(|error| BudgetError::Corrupt(error.to_string()))?;
        Ok((row.id, PublishedBallot { receipt: row.receipt, choices }))
    })
}

/// Who votes, as the participation key sees them, and through which channel.
fn voter(
    caller: &Caller,
    process: &BudgetProcess,
    channel: Channel,
    on_behalf_of: Option<&CastOnBehalf>,
) -> Result<(String, Channel), BudgetError> {
    match on_behalf_of {
        None => {
            if !caller.is(Role::Resident) {
                return Err(match caller {
                    Caller::Anonymous => BudgetError::Unauthenticated,
                    _ => BudgetError::NotEligible,
                });
            }
            if !matches!(channel, Channel::Web | Channel::App) {
                return Err(InvalidInput::new("channel", "residents vote through WEB or APP").into());
            }
            if let Some(district) = process.district_id
                && caller.district() != Some(district)
            {
                return Err(BudgetError::NotEligible);
            }
            let participant = keys::resident(caller).ok_or(BudgetError::NotEligible)?;
            Ok((participant, channel))
        }
        Some(assisted) => {
            match caller {
                Caller::Anonymous => return Err(BudgetError::Unauthenticated),
                _ if !caller.is(Role::Operator) => return Err(BudgetError::OperatorsOnly),
                _ => {}
            }
            if !matches!(assisted.channel, Channel::Phone | Channel::WalkIn) {
                return Err(InvalidInput::new("onBehalfOf.channel", "assisted votes come by PHONE or WALK_IN").into());
            }
            let participant = match (&assisted.phone, &assisted.id_number) {
                (Some(phone), None) => keys::by_phone("onBehalfOf.phone", phone)?,
                (None, Some(number)) => keys::by_id_number("onBehalfOf.idNumber", number)?,
                _ => {
                    return Err(InvalidInput::new(
                        "onBehalfOf",
                        "give the resident's phone or ID-card number, one of them",
                    )
                    .into());
                }
            };
            Ok((participant, assisted.channel))
        }
    }
}

/// The voter's age in the year of the vote, from a birth year their identity provider verified
/// (`None` for assisted votes: the operator's caller is not the voter).
fn voter_age(ctx: &Context, caller: &Caller, assisted: bool) -> Option<u8> {
    use chrono::Datelike;
    if assisted {
        return None;
    }
    let year = ctx.clock.now().year();
    caller.birth_year().and_then(|born| u8::try_from(year - born).ok())
}

/// The ballot checked against the process's rules and ballot, every problem at once.
async fn checked(ctx: &Context, process: &BudgetProcess, choices: BallotChoices) -> Result<BallotChoices, BudgetError> {
    let on_ballot = ballot_projects(ctx, process).await?;
    let problems = ballot_problems(process, &on_ballot, &choices);
    Ok(problems.into_result(choices)?)
}

/// The projects on a process's ballot and their costs.
pub(super) async fn ballot_projects(
    ctx: &Context,
    process: &BudgetProcess,
) -> Result<HashMap<BudgetProjectId, Money>, BudgetError> {
    Ok(projects::all(&ctx.db, process.id)
        .await?
        .into_iter()
        .filter(|project| project.status == ProjectStatus::Feasible)
        .map(|project| (project.id, project.cost))
        .collect())
}

/// Every problem of a ballot by the process's rules.
pub(super) fn ballot_problems(
    process: &BudgetProcess,
    on_ballot: &HashMap<BudgetProjectId, Money>,
    choices: &BallotChoices,
) -> Problems {
    let mut problems = Problems::default();
    let rules = &process.rules;
    let mut seen = HashSet::new();
    let mut known = |problems: &mut Problems, path: String, id: &BudgetProjectId| {
        if !on_ballot.contains_key(id) {
            problems.add(path, Message::new("not a project on this ballot"));
            false
        } else if !seen.insert(*id) {
            problems.add(path, Message::new("named twice"));
            false
        } else {
            true
        }
    };
    let unused = |problems: &mut Problems, field: &str, used: bool| {
        if used {
            problems.add(field, Message::new("does not apply to {format} ballots").arg("format", process.format));
        }
    };
    match process.format {
        BallotFormat::Approval => {
            unused(&mut problems, "points", !choices.points.is_empty());
            unused(&mut problems, "ranking", !choices.ranking.is_empty());
            let mut total = 0i64;
            for (index, id) in choices.approvals.iter().enumerate() {
                if known(&mut problems, format!("approvals[{index}]"), id) {
                    total += on_ballot[id].0;
                }
            }
            let count = u32::try_from(choices.approvals.len()).unwrap_or(u32::MAX);
            if let Some(min) = rules.min_projects
                && count < min
            {
                problems.add("approvals", Message::new("approve at least {min} projects").arg("min", min));
            }
            if let Some(max) = rules.max_projects
                && count > max
            {
                problems.add("approvals", Message::new("approve at most {max} projects").arg("max", max));
            }
            if let Some(limit) = rules.max_total_cost
                && total > limit.0
            {
                problems.add(
                    "approvals",
                    Message::new("the approved projects cost {total}, more than {max}")
                        .arg("total", Money(total))
                        .arg("max", limit),
                );
            }
        }
        BallotFormat::Cumulative => {
            unused(&mut problems, "approvals", !choices.approvals.is_empty());
            unused(&mut problems, "ranking", !choices.ranking.is_empty());
            let mut total = 0u64;
            for (index, (id, points)) in choices.points.iter().enumerate() {
                known(&mut problems, format!("points[{index}].projectId"), id);
                if *points == 0 {
                    problems.add(format!("points[{index}].points"), Message::new("must be more than zero"));
                }
                if let Some(max) = rules.max_points_per_project
                    && *points > max
                {
                    problems.add(
                        format!("points[{index}].points"),
                        Message::new("at most {max} points per project").arg("max", max),
                    );
                }
                total += u64::from(*points);
            }
            let available = rules.points.unwrap_or(0);
            if total > u64::from(available) {
                problems.add(
                    "points",
                    Message::new("{total} points given, more than the {max} available")
                        .arg("total", total)
                        .arg("max", available),
                );
            }
        }
        BallotFormat::Ordinal => {
            unused(&mut problems, "approvals", !choices.approvals.is_empty());
            unused(&mut problems, "points", !choices.points.is_empty());
            for (index, id) in choices.ranking.iter().enumerate() {
                known(&mut problems, format!("ranking[{index}]"), id);
            }
            if let Some(top) = rules.rank_top
                && choices.ranking.len() > usize::try_from(top).unwrap_or(usize::MAX)
            {
                problems.add("ranking", Message::new("rank at most {max} projects").arg("max", top));
            }
        }
    }
    if choices.approvals.is_empty() && choices.points.is_empty() && choices.ranking.is_empty() && problems.is_empty() {
        problems.add("ballot", Message::new("an empty ballot: withdraw your ballot instead"));
    }
    problems
}

/// A receipt code: 80 random bits in 16 characters of an alphabet without look-alikes.
fn receipt_code() -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let bits: u128 = rand::random::<u128>() >> 48;
    (0..16).map(|place| char::from(ALPHABET[usize::try_from((bits >> (5 * place)) & 31).unwrap_or(0)])).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipts_are_sixteen_unambiguous_characters_and_differ() {
        let codes: HashSet<String> = (0..1000).map(|_| receipt_code()).collect();
        assert_eq!(codes.len(), 1000);
        assert!(codes.iter().all(|code| code.len() == 16 && !code.contains(['0', 'O', '1', 'I'])));
    }

    #[test]
    fn id_numbers_are_normalised() {
        let id_number = |text| keys::by_id_number("idNumber", text);
        assert_eq!(id_number("3101 0119-9001 01123x").expect("valid"), "id:31010119900101123X");
        assert!(id_number("12").is_err());
        assert!(id_number("31010119900101123$").is_err());
    }
}
