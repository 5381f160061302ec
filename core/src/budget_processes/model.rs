//! A budgeting process, its projects and its ballots, as residents and admins see them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::money::Money;
use crate::i18n::LocalizedText;
use crate::ids::{BudgetProcessId, BudgetProjectId, DistrictId, StreetId};
use crate::tickets::Channel;

stored_enum!(
    /// Where a process is in its life.
    BudgetPhase {
        /// Residents propose projects.
        Proposals = "PROPOSALS",
        /// Staff decide which proposals are feasible.
        Review = "REVIEW",
        /// Residents vote on the feasible projects; the ballot is frozen.
        Voting = "VOTING",
        /// The votes are counted and the results public.
        Tallied = "TALLIED",
        /// The selected projects are being built.
        Implementation = "IMPLEMENTATION",
        /// Stopped; nothing more happens.
        Cancelled = "CANCELLED",
    }
);

impl BudgetPhase {
    /// The phase `advanceBudgetPhase` moves to, if any.
    pub fn next(self) -> Option<BudgetPhase> {
        match self {
            BudgetPhase::Proposals => Some(BudgetPhase::Review),
            BudgetPhase::Review => Some(BudgetPhase::Voting),
            BudgetPhase::Voting => Some(BudgetPhase::Tallied),
            BudgetPhase::Tallied => Some(BudgetPhase::Implementation),
            BudgetPhase::Implementation | BudgetPhase::Cancelled => None,
        }
    }
}

stored_enum!(
    /// What a ballot holds.
    BallotFormat {
        /// A set of approved projects.
        Approval = "APPROVAL",
        /// Points distributed over projects.
        Cumulative = "CUMULATIVE",
        /// Projects ranked, most preferred first.
        Ordinal = "ORDINAL",
    }
);

stored_enum!(
    /// A project's review.
    ProjectStatus {
        /// Proposed, not reviewed yet.
        Proposed = "PROPOSED",
        /// Feasible: on the ballot.
        Feasible = "FEASIBLE",
        /// Not feasible, with a public reason.
        Infeasible = "INFEASIBLE",
    }
);

stored_enum!(
    /// A cast ballot's state.
    BallotStatus {
        /// Counted in the tally.
        Counted = "COUNTED",
        /// Waiting for the district admin's eligibility decision.
        PendingReview = "PENDING_REVIEW",
        /// Refused by the district admin's eligibility decision: not counted.
        Rejected = "REJECTED",
    }
);

/// The rules of a ballot: which limits apply depends on its format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct BallotRules {
    /// Approval: the fewest projects to approve.
    pub min_projects: Option<u32>,
    /// Approval: the most projects to approve.
    pub max_projects: Option<u32>,
    /// Approval: the most the approved projects may cost together (a knapsack ballot).
    pub max_total_cost: Option<Money>,
    /// Cumulative: the points each voter distributes.
    pub points: Option<u32>,
    /// Cumulative: the most points one project may get from one voter.
    pub max_points_per_project: Option<u32>,
    /// Ordinal: the most projects a voter ranks.
    pub rank_top: Option<u32>,
}

/// A budgeting process.
#[derive(Debug, Clone, PartialEq)]
pub struct BudgetProcess {
    /// Its ID.
    pub id: BudgetProcessId,
    /// Its district (`None`: the whole city).
    pub district_id: Option<DistrictId>,
    /// Its title.
    pub title: LocalizedText,
    /// What it is for.
    pub description: Option<LocalizedText>,
    /// The money to spend.
    pub budget: Money,
    /// Its currency (`CNY`, `EUR`).
    pub currency: String,
    /// What a ballot holds.
    pub format: BallotFormat,
    /// A ballot's limits.
    pub rules: BallotRules,
    /// The tally rule (an engine rule name, `mes-cost+greedy`).
    pub rule: String,
    /// The youngest age, in the year of the vote, at which residents vote (checked against
    /// their verified year of birth); `None`: any age.
    pub minimum_age: Option<u8>,
    /// Where it is.
    pub phase: BudgetPhase,
    /// When proposals open (informative).
    pub proposals_from: Option<DateTime<Utc>>,
    /// When the sweeper moves it to review.
    pub review_from: Option<DateTime<Utc>>,
    /// When the sweeper opens the vote.
    pub voting_from: Option<DateTime<Utc>>,
    /// When the sweeper closes the vote and tallies it.
    pub voting_until: Option<DateTime<Utc>>,
    /// Optimistic-concurrency version.
    pub version: i32,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// What an admin gives to create (or change) a process; `None` keeps the current value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BudgetProcessDraft {
    /// Its title.
    pub title: Option<LocalizedText>,
    /// What it is for (`Some(None)` removes it).
    pub description: Option<Option<LocalizedText>>,
    /// The budget, an exact decimal (`"1000000"`, `"2500.50"`).
    pub budget: Option<String>,
    /// Its currency.
    pub currency: Option<String>,
    /// The ballot's format.
    pub format: Option<BallotFormat>,
    /// The ballot's limits.
    pub rules: Option<BallotRules>,
    /// The tally rule's name.
    pub rule: Option<String>,
    /// The minimum age (`Some(None)` removes it).
    pub minimum_age: Option<Option<u8>>,
    /// Phase dates.
    pub proposals_from: Option<Option<DateTime<Utc>>>,
    /// Phase dates.
    pub review_from: Option<Option<DateTime<Utc>>>,
    /// Phase dates.
    pub voting_from: Option<Option<DateTime<Utc>>>,
    /// Phase dates.
    pub voting_until: Option<Option<DateTime<Utc>>>,
}

/// A proposed project.
#[derive(Debug, Clone, PartialEq)]
pub struct BudgetProject {
    /// Its ID.
    pub id: BudgetProjectId,
    /// Its process.
    pub process_id: BudgetProcessId,
    /// Its title.
    pub title: LocalizedText,
    /// What it is.
    pub description: Option<LocalizedText>,
    /// What it costs: the proposer's estimate, or the reviewed cost.
    pub cost: Money,
    /// The proposer's estimate.
    pub estimated_cost: Money,
    /// Where (a street of the process's district).
    pub street_id: Option<StreetId>,
    /// Where exactly.
    pub latitude: Option<f64>,
    /// Where exactly.
    pub longitude: Option<f64>,
    /// Its review.
    pub status: ProjectStatus,
    /// Why it is infeasible (public).
    pub reason: Option<String>,
    /// When it was proposed.
    pub created_at: DateTime<Utc>,
}

/// What a resident proposes.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectProposal {
    /// Its title.
    pub title: LocalizedText,
    /// What it is.
    pub description: Option<LocalizedText>,
    /// The estimated cost, an exact decimal.
    pub cost: String,
    /// Where.
    pub street_id: Option<StreetId>,
    /// Where exactly.
    pub latitude: Option<f64>,
    /// Where exactly.
    pub longitude: Option<f64>,
}

/// A review decision.
#[derive(Debug, Clone, PartialEq)]
pub enum Feasibility {
    /// On the ballot, at a revised cost or at its estimate.
    Feasible {
        /// The revised cost (an exact decimal), or `None` to keep the estimate.
        cost: Option<String>,
    },
    /// Not on the ballot.
    Infeasible {
        /// Why, shown to everyone.
        reason: String,
    },
}

/// What a voter marks, by the ballot's format.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BallotChoices {
    /// Approval: the approved projects.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approvals: Vec<BudgetProjectId>,
    /// Cumulative: points per project.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub points: Vec<(BudgetProjectId, u32)>,
    /// Ordinal: projects, most preferred first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranking: Vec<BudgetProjectId>,
}

/// The voter an operator casts for, at a service window or by phone.
#[derive(Debug, Clone, PartialEq)]
pub struct CastOnBehalf {
    /// Their phone number.
    pub phone: Option<String>,
    /// Their ID-card number.
    pub id_number: Option<String>,
    /// `PHONE` or `WALK_IN`.
    pub channel: Channel,
}

/// What a cast returns: the receipt, shown once.
#[derive(Debug, Clone, PartialEq)]
pub struct CastReceipt {
    /// The receipt code (80 random bits); after the tally the counted ballots are published
    /// with it, so the voter can check theirs was counted as cast.
    pub receipt: String,
    /// Counted, or waiting for an eligibility review.
    pub status: BallotStatus,
    /// Whether it replaced the voter's earlier ballot.
    pub replaced: bool,
}

/// A voter's current ballot.
#[derive(Debug, Clone, PartialEq)]
pub struct MyBallot {
    /// What it marks.
    pub choices: BallotChoices,
    /// How it came in.
    pub channel: Channel,
    /// Its state.
    pub status: BallotStatus,
}

/// How many voted, by channel.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Turnout {
    /// Counted ballots.
    pub total: u64,
    /// Per channel, in the channels' order.
    pub by_channel: Vec<(Channel, u64)>,
}

/// One counted ballot with its receipt, published after the tally.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedBallot {
    /// The receipt code.
    pub receipt: String,
    /// What it marked.
    pub choices: BallotChoices,
}
