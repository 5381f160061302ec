//! Paper ballots: a district admin imports a batch counted at a polling station, as CSV, while
//! the vote is open. Each row is one voter — by phone or ID-card number, their participation as
//! for an assisted vote, so a resident who voted on paper and online has one ballot (the later
//! replaces the earlier) — and what their ballot marks. The whole batch is checked first, every
//! problem listed with its row; nothing is stored unless all rows are valid; then one
//! transaction stores every ballot, one audit entry and one event for the batch (counts only:
//! no identity, no row order). Staff checked each voter at the station: no eligibility rule is
//! asked again.
//!
//! ```text
//! phone,id_number,approvals,points,ranking
//! 138 0000 0001,,prj_1 prj_4,,
//! ,31010119900101123X,prj_2,,
//! ```
//!
//! Columns: exactly one of `phone` / `id_number` per row; the field of the process's ballot
//! format — `approvals` and `ranking` as project IDs separated by spaces, `points` as
//! `prj_1:3 prj_2:2`.

use std::collections::HashSet;

use sea_orm::TransactionTrait;

use super::BudgetError;
use super::ballots::{
    ballot_participant_key, ballot_problems, ballot_projects, earlier_participations, still_voting, store_paper_ballot,
};
use super::model::{BallotChoices, BudgetPhase};
use super::service::{facts, load, may_manage};
use crate::audit::{self, Change};
use crate::auth::Caller;
use crate::context::Context;
use crate::events::DomainEvent;
use crate::i18n::Message;
use crate::ids::{BudgetProcessId, BudgetProjectId};
use crate::participation;
use crate::problems::Problems;

/// The most ballots one batch holds.
pub const MAX_PAPER_BATCH: usize = 10_000;

/// What a batch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaperImport {
    /// Ballots stored.
    pub ballots: usize,
    /// Of them, how many replaced a voter's earlier ballot (online or on paper).
    pub replaced: usize,
}

struct Row {
    participant: String,
    choices: BallotChoices,
}

/// Imports a batch of paper ballots into a voting process (its admins).
pub async fn import(
    ctx: &Context,
    caller: &Caller,
    id: BudgetProcessId,
    csv: &str,
) -> Result<PaperImport, BudgetError> {
    let process = load(&ctx.db, id).await?;
    may_manage(caller, process.district_id)?;
    if process.phase != BudgetPhase::Voting {
        return Err(BudgetError::InvalidTransition { action: "import paper ballots into", from: process.phase });
    }
    let on_ballot = ballot_projects(ctx, &process).await?;
    let mut problems = Problems::default();
    let rows = parse(csv, &mut problems);
    let mut seen = HashSet::new();
    for (line, row) in &rows {
        for problem in ballot_problems(&process, &on_ballot, &row.choices).list() {
            problems.add(format!("csv[line {line}].{}", problem.path), problem.reason.clone());
        }
        if !seen.insert(row.participant.as_str()) {
            problems.add(format!("csv[line {line}]"), Message::new("the same voter is on another line of the batch"));
        }
    }
    if rows.is_empty() && problems.is_empty() {
        problems.add("csv", Message::new("no ballots in the batch"));
    }
    problems.into_result(())?;

    let now = ctx.clock.now();
    // The voters' earlier ballots are looked up before the transaction (as a cast does), so
    // that its first statement is a write: SQLite then holds its write lock from the start
    // instead of failing to upgrade a read lock when another instance writes. Each replacement
    // is conditional on the ballot found here; a concurrent change fails the batch (`CONFLICT`).
    let keys: Vec<String> =
        rows.iter().map(|(_, row)| ballot_participant_key(ctx, &process, &row.participant)).collect();
    let earlier = earlier_participations(&ctx.db, &process, &keys).await?;
    let txn = ctx.db.begin().await?;
    let mut replaced = 0;
    for ((_, row), key) in rows.iter().zip(&keys) {
        let earlier = earlier.get(key.as_str());
        if store_paper_ballot(ctx, &txn, &process, key, earlier, &row.choices).await? {
            replaced += 1;
        }
    }
    let summary = serde_json::json!({ "paperBallots": rows.len(), "replaced": replaced });
    let change =
        Change { event: DomainEvent::BudgetPaperBallotsImported(facts(&process)), before: None, after: Some(summary) };
    audit::record(&txn, caller, now, change).await?;
    still_voting(&txn, process.id).await?;
    txn.commit().await?;
    Ok(PaperImport { ballots: rows.len(), replaced })
}

/// The rows of the batch with their line numbers; their problems added.
fn parse(csv: &str, problems: &mut Problems) -> Vec<(usize, Row)> {
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(false).from_reader(csv.as_bytes());
    let headers = match reader.headers() {
        Ok(headers) => headers.clone(),
        Err(error) => {
            problems.add("csv", Message::new("not CSV: {reason}").arg("reason", error));
            return Vec::new();
        }
    };
    let column = |name: &str| headers.iter().position(|header| header == name);
    let (phone, id_number) = (column("phone"), column("id_number"));
    let (approvals, points, ranking) = (column("approvals"), column("points"), column("ranking"));
    if phone.is_none() && id_number.is_none() {
        problems.add("csv", Message::new("the header needs a phone or an id_number column"));
        return Vec::new();
    }
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let line = index + 2;
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                problems.add(format!("csv[line {line}]"), Message::new("not CSV: {reason}").arg("reason", error));
                continue;
            }
        };
        if rows.len() + 1 > MAX_PAPER_BATCH {
            problems.add("csv", Message::new("at most {max} ballots per batch").arg("max", MAX_PAPER_BATCH));
            break;
        }
        let field = |column: Option<usize>| column.and_then(|at| record.get(at)).filter(|value| !value.is_empty());
        let (column, participant) = match (field(phone), field(id_number)) {
            (Some(phone), None) => ("phone", participation::by_phone("phone", phone)),
            (None, Some(number)) => ("id_number", participation::by_id_number("id_number", number)),
            _ => {
                problems.add(format!("csv[line {line}]"), Message::new("give a phone or an id_number, one of them"));
                continue;
            }
        };
        let participant = match participant {
            Ok(participant) => participant,
            Err(invalid) => {
                problems.add(format!("csv[line {line}].{column}"), invalid.message);
                continue;
            }
        };
        let mut choices = BallotChoices::default();
        let mut ok = true;
        let mut ids = |name: &str, text: Option<&str>| -> Vec<BudgetProjectId> {
            let mut found = Vec::new();
            for (position, id) in text.unwrap_or_default().split_whitespace().enumerate() {
                match id.parse() {
                    Ok(id) => found.push(id),
                    Err(_) => {
                        problems.add(format!("csv[line {line}].{name}[{position}]"), Message::new("not a project ID"));
                        ok = false;
                    }
                }
            }
            found
        };
        choices.approvals = ids("approvals", field(approvals));
        choices.ranking = ids("ranking", field(ranking));
        for (position, entry) in field(points).unwrap_or_default().split_whitespace().enumerate() {
            let parsed = entry.split_once(':').and_then(|(id, points)| Some((id.parse().ok()?, points.parse().ok()?)));
            match parsed {
                Some(pair) => choices.points.push(pair),
                None => {
                    problems
                        .add(format!("csv[line {line}].points[{position}]"), Message::new("write points as prj_1:3"));
                    ok = false;
                }
            }
        }
        if ok {
            rows.push((line, Row { participant, choices }));
        }
    }
    rows
}
