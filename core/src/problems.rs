//! Every problem of an input at once: a form with five mistakes gets five answers, each with
//! the path of what is wrong (`questions[4].condition.any[1].value`,
//! `answers[question=q7].choices`) and why, in the reader's language.

use crate::i18n::Message;

/// One problem of an input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where: a path into the input, as the API names its parts.
    pub path: String,
    /// Why.
    pub reason: Message,
}

/// The problems found in one input, in the order they were found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Problems(Vec<Problem>);

impl Problems {
    /// Records a problem at `path`.
    pub fn add(&mut self, path: impl Into<String>, reason: impl Into<Message>) {
        self.0.push(Problem { path: path.into(), reason: reason.into() });
    }

    /// Adds `other`'s problems after these.
    pub fn extend(&mut self, other: Problems) {
        self.0.extend(other.0);
    }

    /// Whether none were found.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The problems found.
    pub fn list(&self) -> &[Problem] {
        &self.0
    }

    /// `Ok(value)` when none were found.
    pub fn into_result<T>(self, value: T) -> Result<T, Problems> {
        if self.0.is_empty() { Ok(value) } else { Err(self) }
    }
}

impl std::fmt::Display for Problems {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (index, problem) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {}", problem.path, problem.reason)?;
        }
        Ok(())
    }
}
