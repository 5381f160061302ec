//! A stored survey: who it belongs to, who may answer, how answers are kept and shown, its
//! lifecycle and its questions.

use chrono::{DateTime, Utc};

use super::model::Question;
use crate::i18n::LocalizedText;
use crate::ids::{DistrictId, SurveyId};

stored_enum! {
    /// Where a survey is in its life.
    SurveyStatus {
        /// Being written: only its admins see it, its questions may change.
        Draft = "DRAFT",
        /// Taking answers; its definition is frozen.
        Open = "OPEN",
        /// No longer taking answers.
        Closed = "CLOSED",
        /// Put away: only its admins see it.
        Archived = "ARCHIVED",
    }
}

stored_enum! {
    /// Who may answer.
    Audience {
        /// Anyone, signed in or not.
        Everyone = "EVERYONE",
        /// Any signed-in resident.
        Residents = "RESIDENTS",
        /// Residents whose token carries the survey's district.
        DistrictResidents = "DISTRICT_RESIDENTS",
    }
}

stored_enum! {
    /// Whether answers are kept with who gave them.
    Anonymity {
        /// The survey's admins see who answered.
        Identified = "IDENTIFIED",
        /// No identity is stored with the answers.
        Anonymous = "ANONYMOUS",
    }
}

stored_enum! {
    /// Who sees the results, and when.
    ResultsVisibility {
        /// Everyone, while the survey is open and after.
        Live = "LIVE",
        /// Only the number of responses until the survey closes (admins included); then everyone.
        AfterClose = "AFTER_CLOSE",
        /// The survey's admins, always.
        AdminsOnly = "ADMINS_ONLY",
    }
}

/// A survey as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Survey {
    /// Its ID.
    pub id: SurveyId,
    /// Its district; `None` for a city-wide survey.
    pub district_id: Option<DistrictId>,
    /// Its title.
    pub title: LocalizedText,
    /// Its description.
    pub description: Option<LocalizedText>,
    /// Where it is in its life.
    pub status: SurveyStatus,
    /// Who may answer.
    pub audience: Audience,
    /// Whether answers are kept with who gave them.
    pub anonymity: Anonymity,
    /// Who sees the results, and when.
    pub results_visibility: ResultsVisibility,
    /// When the sweeper opens it (a draft).
    pub opens_at: Option<DateTime<Utc>>,
    /// When the sweeper closes it (an open survey).
    pub closes_at: Option<DateTime<Utc>>,
    /// Its questions, in order.
    pub questions: Vec<Question>,
    /// Incremented by every change.
    pub version: i32,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// What an author sets on a survey: at creation all of it, on update what changes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SurveyDraft {
    /// The title.
    pub title: Option<LocalizedText>,
    /// The description (`Some(None)` removes it).
    pub description: Option<Option<LocalizedText>>,
    /// Who may answer (default `EVERYONE`).
    pub audience: Option<Audience>,
    /// Anonymity (default `IDENTIFIED`).
    pub anonymity: Option<Anonymity>,
    /// Results visibility (default `LIVE`).
    pub results_visibility: Option<ResultsVisibility>,
    /// When the sweeper opens it (`Some(None)` removes it).
    pub opens_at: Option<Option<DateTime<Utc>>>,
    /// When the sweeper closes it (`Some(None)` removes it).
    pub closes_at: Option<Option<DateTime<Utc>>>,
    /// The questions, replacing all of them.
    pub questions: Option<Vec<Question>>,
}

/// A change to a draft's questions, by key.
#[derive(Debug, Clone, PartialEq)]
pub enum QuestionEdit {
    /// Insert a question at `position` (0-based; the end when `None` or past it).
    Add {
        /// The question.
        question: Question,
        /// Where.
        position: Option<usize>,
    },
    /// Replace the question with key `key` (the new one may have another key).
    Update {
        /// The question's current key.
        key: String,
        /// Its new definition.
        question: Question,
    },
    /// Remove the question with this key.
    Remove {
        /// Its key.
        key: String,
    },
    /// Put the questions in this order (every key exactly once).
    Reorder {
        /// The keys in their new order.
        keys: Vec<String>,
    },
}
