//! Participatory-budgeting processes: the storage-backed domain residents and districts use —
//! phases, proposals, feasibility review, secret one-per-resident ballots with receipts, and
//! results counted by the pure tally engine in [`crate::budgeting`] (which knows nothing of
//! storage, callers or phases).
//!
//! A process moves `PROPOSALS → REVIEW → VOTING → TALLIED → IMPLEMENTATION` (or `CANCELLED`);
//! every change is one service function, one transaction, one audit entry and one domain event.
//! While the vote runs nobody sees per-project counts, only the turnout; entering `TALLIED`
//! tallies the counted ballots by the process's rule and stores the outcome with the process.

mod ballots;
pub mod eligibility;
mod entity;
mod error;
pub mod milestones;
mod model;
mod money;
mod outcome;
pub mod paper;
mod projects;
mod query;
pub mod reviews;
mod service;

pub use ballots::{MAX_RECEIPTS_PAGE, cast, my_ballot, published, turnout, withdraw};
pub use error::BudgetError;
pub use model::{
    BallotChoices, BallotFormat, BallotRules, BallotStatus, BudgetPhase, BudgetProcess, BudgetProcessDraft,
    BudgetProject, CastOnBehalf, CastReceipt, Feasibility, MyBallot, ProjectProposal, ProjectStatus, PublishedBallot,
    Turnout,
};
pub use money::Money;
pub use outcome::{BudgetResults, ProjectOutcome, ProjectVotes, StoredTurnout, pabulib_export, results};
pub use projects::{MAX_PROJECTS_PAGE, MAX_PROJECTS_PER_PROCESS, MAX_REASON_CHARS, all_projects, propose, review};
pub use query::{BudgetProcessFilter, MAX_PROCESSES_PAGE, get, list};
pub use service::{BudgetSweep, advance, cancel, create, sweep, update};

/// One project.
pub use projects::get as project;
/// A process's projects.
pub use projects::list as projects;
