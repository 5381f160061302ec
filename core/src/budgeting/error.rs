//! Errors of the budgeting domain: reading Pabulib files and running tallies.

use thiserror::Error;

/// Why a Pabulib `.pb` file was rejected.
///
/// Every variant that concerns a particular place in the file names its 1-based line number
/// and, where there is one, the column (field) at fault, so that an election officer can fix
/// the file without reading our source code.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PabulibError {
    /// A value in the file is malformed or inconsistent with the rest of the file.
    #[error("line {line}, field `{field}`: {message}")]
    InvalidField {
        /// 1-based line number in the file.
        line: usize,
        /// The column name (or META key) of the offending value.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// A line is not well-formed as a whole (too long, not UTF-8, wrong number of fields...).
    #[error("line {line}: {message}")]
    InvalidLine {
        /// 1-based line number in the file.
        line: usize,
        /// What is wrong with it.
        message: String,
    },
    /// A mandatory section (`META`, `PROJECTS`, `VOTES`) or META key is absent.
    #[error("missing {what}")]
    Missing {
        /// The section or key that is absent, e.g. "section VOTES" or "META key `budget`".
        what: String,
    },
    /// Reading the underlying input failed.
    #[error("cannot read the file: {0}")]
    Io(String),
}

/// Why a tally could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TallyError {
    /// The rule needs another kind of ballots than the election has.
    #[error("rule `{rule}` cannot be used with {vote_type} ballots: {reason}")]
    IncompatibleBallots {
        /// The rule's CLI name.
        rule: String,
        /// The election's vote type.
        vote_type: String,
        /// Which ballots the rule needs.
        reason: String,
    },
    /// No rule has this name.
    #[error("unknown rule `{name}`; known rules: {known}")]
    UnknownRule {
        /// The name that was asked for.
        name: String,
        /// The known rule names, comma-separated.
        known: String,
    },
    /// The election's numbers are out of the range the engine computes with exactly.
    #[error("election out of range: {0}")]
    OutOfRange(String),
    /// The election itself is not valid for tallying (negative cost or budget...).
    #[error("invalid election: {0}")]
    InvalidElection(String),
}
