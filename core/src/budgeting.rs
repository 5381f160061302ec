//! Participatory budgeting: exact tallies of PB elections by every standard rule, with
//! explanations, and the Pabulib `.pb` file format.
//!
//! This module is pure and storage-free: an [`Election`] (projects, budget, ballots) goes in,
//! an [`Outcome`] (selected projects in order, and why each project was or was not selected)
//! comes out. Outcomes never depend on floating-point rounding: money, satisfactions and prices
//! are exact integers and rationals. Ties are broken by an explicit [`TieBreaking`]; the
//! default compares project ids as strings, like pabutools, whose outcomes the tests reproduce
//! on real Pabulib files.
//!
//! ```
//! use civitas_core::budgeting::{parse_pabulib_str, tally, Rule, TallyOptions};
//! let election = parse_pabulib_str(
//!     "META\nkey;value\nbudget;10\nvote_type;approval\n\
//!      PROJECTS\nproject_id;cost\na;6\nb;5\nc;4\n\
//!      VOTES\nvoter_id;vote\n1;a,c\n2;b\n3;a,c\n",
//! )?;
//! let outcome = tally(&election, Rule::GreedyCost, &TallyOptions::default())?;
//! assert_eq!(outcome.selected, ["a", "c"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod error;
pub mod explain;
pub mod model;
pub mod number;
pub mod pabulib;
pub mod report;
pub mod rules;

pub use error::{PabulibError, TallyError};
pub use explain::{PayerGroup, ProjectExplanation, Reason, explanation_table};
pub use model::{Ballot, Election, FileWarning, Project, VoteType, Voter};
pub use number::Exact;
pub use pabulib::{
    ParseLimits, decompressed, pabulib_string, parse_pabulib, parse_pabulib_str, parse_pabulib_with_limits,
    write_pabulib,
};
pub use report::{plain_report, rule_in_words};
pub use rules::{
    AddOneStrategy, Outcome, Rule, Satisfaction, Tallier, TallyOptions, TallyProgress, TieBreaking, tally,
};
