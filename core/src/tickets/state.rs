//! The ticket lifecycle as a typed state machine.
//!
//! The service computes every change with [`TicketState::apply`], and replaying a ticket's
//! timeline through the same function reproduces its stored state, so there is one definition
//! of what each transition does.

use super::model::{TicketEventKind, TicketStatus};
use crate::i18n::Message;
use crate::ids::{DepartmentId, TicketId};

impl TicketStatus {
    /// The statuses no transition leaves.
    pub const TERMINAL: &'static [TicketStatus] = &[TicketStatus::Closed, TicketStatus::Rejected, TicketStatus::Merged];
    /// The statuses of a ticket still waiting for a department to accept it.
    pub const AWAITING_RESPONSE: &'static [TicketStatus] = &[TicketStatus::Received, TicketStatus::Dispatched];
    /// The statuses of a ticket still waiting to be resolved.
    pub const AWAITING_RESOLUTION: &'static [TicketStatus] =
        &[TicketStatus::Received, TicketStatus::Dispatched, TicketStatus::Accepted];
    /// The statuses of tickets that the rates leave out: not actionable, or counted as another.
    pub const NOT_RATED: &'static [TicketStatus] = &[TicketStatus::Rejected, TicketStatus::Merged];

    /// Whether no further transition is possible.
    pub fn is_terminal(self) -> bool {
        Self::TERMINAL.contains(&self)
    }

    /// Whether the ticket still waits for a department to accept it.
    pub fn awaits_response(self) -> bool {
        Self::AWAITING_RESPONSE.contains(&self)
    }

    /// Whether the ticket still waits for resolution.
    pub fn awaits_resolution(self) -> bool {
        Self::AWAITING_RESOLUTION.contains(&self)
    }
}

/// The lowest score that closes a ticket; lower scores reopen it.
pub const LOWEST_SATISFIED_SCORE: u8 = 3;

/// A change of a ticket's lifecycle state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// Submission; straight to a department when routed at intake.
    Submit {
        /// The department it was routed to, if any.
        department: Option<DepartmentId>,
    },
    /// RECEIVED → DISPATCHED.
    Dispatch {
        /// The department.
        department: DepartmentId,
    },
    /// DISPATCHED → ACCEPTED.
    Accept,
    /// A misrouted ticket goes back to dispatch: DISPATCHED | ACCEPTED → RECEIVED.
    Return,
    /// Re-dispatch: DISPATCHED | ACCEPTED → DISPATCHED to another department.
    Transfer {
        /// The new department.
        department: DepartmentId,
    },
    /// ACCEPTED → RESOLVED.
    Resolve,
    /// RESOLVED → CLOSED (score ≥ 3) or back to RECEIVED (score ≤ 2, reopened).
    Rate {
        /// 1 to 5.
        score: u8,
    },
    /// RESOLVED → CLOSED when left unrated.
    AutoClose,
    /// Any open state → REJECTED.
    Reject,
    /// Any open state → MERGED into a primary ticket.
    MergeInto {
        /// The primary ticket.
        primary: TicketId,
    },
}

impl Transition {
    /// The timeline entry that records this transition.
    pub fn event_kind(self) -> TicketEventKind {
        match self {
            Transition::Submit { .. } => TicketEventKind::Submitted,
            Transition::Dispatch { .. } => TicketEventKind::Dispatched,
            Transition::Accept => TicketEventKind::Accepted,
            Transition::Return => TicketEventKind::Returned,
            Transition::Transfer { .. } => TicketEventKind::Transferred,
            Transition::Resolve => TicketEventKind::Resolved,
            Transition::Rate { .. } => TicketEventKind::Rated,
            Transition::AutoClose => TicketEventKind::AutoClosed,
            Transition::Reject => TicketEventKind::Rejected,
            Transition::MergeInto { .. } => TicketEventKind::MergedInto,
        }
    }

    /// The department this transition names, if any.
    pub fn department(self) -> Option<DepartmentId> {
        match self {
            Transition::Submit { department } => department,
            Transition::Dispatch { department } | Transition::Transfer { department } => Some(department),
            _ => None,
        }
    }
}

/// A transition that the current state does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action} a ticket that is {from}")]
pub struct InvalidTransition {
    /// The state the ticket was in.
    pub from: TicketStatus,
    /// What was attempted, in words.
    pub action: &'static str,
}

impl InvalidTransition {
    /// The refusal, translatable.
    pub fn message(&self) -> Message {
        Message::new("cannot {action} a ticket that is {from}")
            .arg_message("action", Message::new(self.action))
            .arg("from", self.from)
    }
}

/// The part of a ticket that its lifecycle determines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TicketState {
    /// Status.
    pub status: TicketStatus,
    /// Assigned department.
    pub department: Option<DepartmentId>,
    /// Times a poor rating reopened it.
    pub reopen_count: i32,
    /// Last rating score.
    pub rating: Option<u8>,
    /// Primary ticket, when merged.
    pub merged_into: Option<TicketId>,
}

impl TicketState {
    /// The state before submission; only [`Transition::Submit`] applies to it.
    pub const UNSUBMITTED: TicketState = TicketState {
        status: TicketStatus::Received,
        department: None,
        reopen_count: -1,
        rating: None,
        merged_into: None,
    };

    /// The state after `transition`, or why it is not allowed.
    pub fn apply(self, transition: Transition) -> Result<TicketState, InvalidTransition> {
        use TicketStatus::*;
        let refuse = |action| Err(InvalidTransition { from: self.status, action });
        let submitted = self.reopen_count >= 0;
        if !submitted {
            return match transition {
                Transition::Submit { department } => Ok(TicketState {
                    status: if department.is_some() { Dispatched } else { Received },
                    department,
                    reopen_count: 0,
                    ..self
                }),
                _ => refuse("change an unsubmitted ticket"),
            };
        }
        match (self.status, transition) {
            (_, Transition::Submit { .. }) => refuse("submit again"),
            (Received, Transition::Dispatch { department }) => {
                Ok(TicketState { status: Dispatched, department: Some(department), ..self })
            }
            (_, Transition::Dispatch { .. }) => refuse("dispatch"),
            (Dispatched, Transition::Accept) => Ok(TicketState { status: Accepted, ..self }),
            (_, Transition::Accept) => refuse("accept"),
            (Dispatched | Accepted, Transition::Return) => {
                Ok(TicketState { status: Received, department: None, ..self })
            }
            (_, Transition::Return) => refuse("return"),
            (Dispatched | Accepted, Transition::Transfer { department }) if self.department != Some(department) => {
                Ok(TicketState { status: Dispatched, department: Some(department), ..self })
            }
            (_, Transition::Transfer { .. }) => refuse("transfer"),
            (Accepted, Transition::Resolve) => Ok(TicketState { status: Resolved, ..self }),
            (_, Transition::Resolve) => refuse("resolve"),
            (Resolved, Transition::Rate { score }) if score >= LOWEST_SATISFIED_SCORE => {
                Ok(TicketState { status: Closed, rating: Some(score), ..self })
            }
            (Resolved, Transition::Rate { score }) => Ok(TicketState {
                status: Received,
                department: None,
                rating: Some(score),
                reopen_count: self.reopen_count + 1,
                ..self
            }),
            (_, Transition::Rate { .. }) => refuse("rate"),
            (Resolved, Transition::AutoClose) => Ok(TicketState { status: Closed, ..self }),
            (_, Transition::AutoClose) => refuse("auto-close"),
            (Received | Dispatched | Accepted, Transition::Reject) => Ok(TicketState { status: Rejected, ..self }),
            (_, Transition::Reject) => refuse("reject"),
            (Received | Dispatched | Accepted, Transition::MergeInto { primary }) => {
                Ok(TicketState { status: Merged, merged_into: Some(primary), ..self })
            }
            (_, Transition::MergeInto { .. }) => refuse("merge"),
        }
    }

    /// Replays a timeline's transitions from before submission.
    pub fn replay(transitions: impl IntoIterator<Item = Transition>) -> Result<TicketState, InvalidTransition> {
        transitions.into_iter().try_fold(TicketState::UNSUBMITTED, TicketState::apply)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn submitted() -> TicketState {
        TicketState::UNSUBMITTED.apply(Transition::Submit { department: None }).expect("submit")
    }

    #[test]
    fn happy_path_reaches_closed() {
        let state = TicketState::replay([
            Transition::Submit { department: None },
            Transition::Dispatch { department: DepartmentId(1) },
            Transition::Accept,
            Transition::Resolve,
            Transition::Rate { score: 4 },
        ])
        .expect("valid path");
        assert_eq!(state.status, TicketStatus::Closed);
        assert_eq!(state.rating, Some(4));
    }

    #[test]
    fn poor_rating_reopens_to_dispatch() {
        let state = TicketState::replay([
            Transition::Submit { department: Some(DepartmentId(2)) },
            Transition::Accept,
            Transition::Resolve,
            Transition::Rate { score: 2 },
        ])
        .expect("valid path");
        assert_eq!(state.status, TicketStatus::Received);
        assert_eq!(state.department, None);
        assert_eq!(state.reopen_count, 1);
    }

    #[test]
    fn refuses_skipping_steps() {
        let error = submitted().apply(Transition::Resolve).expect_err("must accept first");
        assert_eq!(error.from, TicketStatus::Received);
        assert!(submitted().apply(Transition::Accept).is_err());
        assert!(submitted().apply(Transition::Rate { score: 5 }).is_err());
        let dispatched = submitted().apply(Transition::Dispatch { department: DepartmentId(1) }).expect("dispatch");
        assert!(dispatched.apply(Transition::Transfer { department: DepartmentId(1) }).is_err());
    }

    fn any_transition() -> impl Strategy<Value = Transition> {
        prop_oneof![
            proptest::option::of(1..4i64).prop_map(|d| Transition::Submit { department: d.map(DepartmentId) }),
            (1..4i64).prop_map(|d| Transition::Dispatch { department: DepartmentId(d) }),
            Just(Transition::Accept),
            Just(Transition::Return),
            (1..4i64).prop_map(|d| Transition::Transfer { department: DepartmentId(d) }),
            Just(Transition::Resolve),
            (1..=5u8).prop_map(|score| Transition::Rate { score }),
            Just(Transition::AutoClose),
            Just(Transition::Reject),
            (1..4i64).prop_map(|p| Transition::MergeInto { primary: TicketId(p) }),
        ]
    }

    proptest! {
        /// Whatever is attempted, the state stays consistent: a department exactly when one is
        /// working on it, and terminal states never change.
        #[test]
        fn random_sequences_keep_invariants(attempts in proptest::collection::vec(any_transition(), 0..40)) {
            let mut state = submitted();
            for transition in attempts {
                let before = state;
                match state.apply(transition) {
                    Ok(next) => {
                        prop_assert!(!before.status.is_terminal(), "{before:?} left a terminal state");
                        state = next;
                    }
                    Err(error) => prop_assert_eq!(error.from, before.status),
                }
                let needs_department = matches!(
                    state.status,
                    TicketStatus::Dispatched | TicketStatus::Accepted | TicketStatus::Resolved
                );
                if needs_department {
                    prop_assert!(state.department.is_some(), "{state:?} has no department");
                }
                if state.status == TicketStatus::Received {
                    prop_assert!(state.department.is_none(), "{state:?} awaits dispatch with a department");
                }
                prop_assert_eq!(state.status == TicketStatus::Merged, state.merged_into.is_some());
            }
        }

        /// Replaying exactly the accepted transitions gives the same state as applying them live.
        #[test]
        fn replay_reproduces_live_state(attempts in proptest::collection::vec(any_transition(), 0..40)) {
            let mut live = TicketState::UNSUBMITTED;
            let mut accepted = Vec::new();
            for transition in std::iter::once(Transition::Submit { department: None }).chain(attempts) {
                if let Ok(next) = live.apply(transition) {
                    live = next;
                    accepted.push(transition);
                }
            }
            prop_assert_eq!(TicketState::replay(accepted), Ok(live));
        }
    }
}
