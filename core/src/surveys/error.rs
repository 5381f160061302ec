//! Errors of the survey domain.

use crate::error::{Classify, ErrorKind, INTERNAL_ERROR, InvalidInput};
use crate::i18n::Message;
use crate::problems::Problems;

/// Why a survey operation failed.
#[derive(Debug, thiserror::Error)]
pub enum SurveyError {
    /// No credential.
    #[error("sign in to do this")]
    Unauthenticated,
    /// Not one of the survey's admins.
    #[error("only the survey's district admins (or city admins) manage it")]
    Forbidden,
    /// No such survey, or none the caller may see.
    #[error("survey not found")]
    NotFound,
    /// One invalid field.
    #[error(transparent)]
    InvalidInput(#[from] InvalidInput),
    /// The definition or the answers have problems, every one listed.
    #[error("{0}")]
    Invalid(Problems),
    /// The survey's status does not allow this.
    #[error("cannot {action} a survey that is {from}")]
    InvalidTransition {
        /// What was attempted.
        action: &'static str,
        /// Its status.
        from: super::SurveyStatus,
    },
    /// The resident has answered already and did not ask to replace it.
    #[error("you have answered this survey already; send replace: true to replace your response")]
    AlreadyAnswered,
    /// There is no response of the caller's to replace.
    #[error("you have no response to this survey")]
    NoResponse,
    /// Answering on behalf of a resident is for operators.
    #[error("only hotline operators answer on behalf of a resident")]
    OperatorsOnly,
    /// The caller is not in the survey's audience.
    #[error("this survey is for other residents")]
    NotInAudience,
    /// Someone else changed the survey meanwhile.
    #[error("the survey was changed concurrently; reload it and try again")]
    Conflict,
    /// Storage failed.
    #[error("storage error: {0}")]
    Storage(#[from] sea_orm::DbErr),
    /// Stored data could not be read.
    #[error("corrupt stored survey data: {0}")]
    Corrupt(String),
}

impl Classify for SurveyError {
    fn kind(&self) -> ErrorKind {
        match self {
            SurveyError::Unauthenticated => ErrorKind::Unauthenticated,
            SurveyError::Forbidden => ErrorKind::Forbidden,
            SurveyError::NotFound | SurveyError::NoResponse => ErrorKind::NotFound,
            SurveyError::InvalidInput(invalid) => ErrorKind::BadInput { field: invalid.field },
            SurveyError::Invalid(problems) => ErrorKind::Problems(problems.clone()),
            SurveyError::InvalidTransition { .. } => ErrorKind::InvalidTransition,
            SurveyError::Conflict | SurveyError::AlreadyAnswered => ErrorKind::Conflict,
            SurveyError::NotInAudience | SurveyError::OperatorsOnly => ErrorKind::Forbidden,
            SurveyError::Storage(_) | SurveyError::Corrupt(_) => ErrorKind::Internal,
        }
    }

    fn message(&self) -> Message {
        match self {
            SurveyError::Unauthenticated => Message::new("sign in to do this"),
            SurveyError::Forbidden => Message::new("only the survey's district admins (or city admins) manage it"),
            SurveyError::NotFound => Message::new("survey not found"),
            SurveyError::NoResponse => Message::new("you have no response to this survey"),
            SurveyError::InvalidInput(invalid) => invalid.to_message(),
            SurveyError::Invalid(problems) => Message::new("the input has {count} problems (see extensions.problems)")
                .arg("count", problems.list().len()),
            SurveyError::InvalidTransition { action, from } => Message::new("cannot {action} a survey that is {from}")
                .arg_message("action", Message::new(action))
                .arg("from", from),
            SurveyError::Conflict => Message::new("the survey was changed concurrently; reload it and try again"),
            SurveyError::AlreadyAnswered => {
                Message::new("you have answered this survey already; send replace: true to replace your response")
            }
            SurveyError::NotInAudience => Message::new("this survey is for other residents"),
            SurveyError::OperatorsOnly => Message::new("only hotline operators answer on behalf of a resident"),
            SurveyError::Storage(_) | SurveyError::Corrupt(_) => INTERNAL_ERROR,
        }
    }
}

impl From<Problems> for SurveyError {
    fn from(problems: Problems) -> Self {
        SurveyError::Invalid(problems)
    }
}
