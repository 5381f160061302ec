//! Errors of budgeting processes.

use crate::error::{Classify, ErrorKind, INTERNAL_ERROR, InvalidInput};
use crate::i18n::Message;
use crate::problems::Problems;

/// Why a budgeting-process operation failed.
#[derive(Debug, thiserror::Error)]
pub enum BudgetError {
    /// No credential.
    #[error("sign in to do this")]
    Unauthenticated,
    /// Not allowed to the caller.
    #[error("only the process's district admins (or city admins) manage it")]
    Forbidden,
    /// No such process or project, or none the caller may see.
    #[error("budgeting process or project not found")]
    NotFound,
    /// One invalid field.
    #[error(transparent)]
    InvalidInput(#[from] InvalidInput),
    /// The input has problems, every one listed.
    #[error("{0}")]
    Invalid(Problems),
    /// The process's phase does not allow this.
    #[error("cannot {action} a budgeting process in phase {from}")]
    InvalidTransition {
        /// What was attempted.
        action: &'static str,
        /// Its phase.
        from: super::BudgetPhase,
    },
    /// Voting is for residents (of the process's district).
    #[error("this vote is for other residents")]
    NotEligible,
    /// The district's eligibility rule refuses the voter (its reason).
    #[error("you may not vote in this process: {0}")]
    Ineligible(String),
    /// Casting for someone else is for operators.
    #[error("only hotline operators cast a ballot on behalf of a resident")]
    OperatorsOnly,
    /// The caller has no ballot in this process.
    #[error("you have no ballot in this process")]
    NoBallot,
    /// Someone else changed the same thing meanwhile.
    #[error("changed concurrently; reload and try again")]
    Conflict,
    /// Storage failed.
    #[error("storage error: {0}")]
    Storage(#[from] sea_orm::DbErr),
    /// The tally failed (a bug: ballots are checked when cast).
    #[error("tally failed: {0}")]
    Tally(String),
    /// Stored data could not be read.
    #[error("corrupt stored budgeting data: {0}")]
    Corrupt(String),
}

impl Classify for BudgetError {
    fn kind(&self) -> ErrorKind {
        match self {
            BudgetError::Unauthenticated => ErrorKind::Unauthenticated,
            BudgetError::Forbidden
            | BudgetError::NotEligible
            | BudgetError::Ineligible(_)
            | BudgetError::OperatorsOnly => ErrorKind::Forbidden,
            BudgetError::NotFound | BudgetError::NoBallot => ErrorKind::NotFound,
            BudgetError::InvalidInput(invalid) => ErrorKind::BadInput { field: invalid.field },
            BudgetError::Invalid(problems) => ErrorKind::Problems(problems.clone()),
            BudgetError::InvalidTransition { .. } => ErrorKind::InvalidTransition,
            BudgetError::Conflict => ErrorKind::Conflict,
            BudgetError::Storage(_) | BudgetError::Tally(_) | BudgetError::Corrupt(_) => ErrorKind::Internal,
        }
    }

    fn message(&self) -> Message {
        match self {
            BudgetError::Unauthenticated => Message::new("sign in to do this"),
            BudgetError::Forbidden => Message::new("only the process's district admins (or city admins) manage it"),
            BudgetError::NotFound => Message::new("budgeting process or project not found"),
            BudgetError::InvalidInput(invalid) => invalid.to_message(),
            BudgetError::Invalid(problems) => Message::new("the input has {count} problems (see extensions.problems)")
                .arg("count", problems.list().len()),
            BudgetError::InvalidTransition { action, from } => {
                Message::new("cannot {action} a budgeting process in phase {from}")
                    .arg_message("action", Message::new(action))
                    .arg("from", from)
            }
            BudgetError::NotEligible => Message::new("this vote is for other residents"),
            BudgetError::Ineligible(reason) => {
                Message::new("you may not vote in this process: {reason}").arg("reason", reason)
            }
            BudgetError::OperatorsOnly => Message::new("only hotline operators cast a ballot on behalf of a resident"),
            BudgetError::NoBallot => Message::new("you have no ballot in this process"),
            BudgetError::Conflict => Message::new("changed concurrently; reload and try again"),
            BudgetError::Storage(_) | BudgetError::Tally(_) | BudgetError::Corrupt(_) => INTERNAL_ERROR,
        }
    }
}

impl From<Problems> for BudgetError {
    fn from(problems: Problems) -> Self {
        BudgetError::Invalid(problems)
    }
}
