//! GraphQL types built from domain values (storage entities are never GraphQL types).

mod audit;
mod budget;
mod directory;
pub mod email;
mod enums;
mod me;
mod notification;
pub mod open311;
mod plain;
mod plugin;
mod stats;
mod survey;
mod ticket;
pub mod totals;

pub use audit::AuditEntry;
pub use budget::{
    BallotContent, BallotFormat, BallotInput, BallotReceipt, BallotRules, BallotRulesInput, BallotStatus,
    BudgetMilestone, BudgetPhase, BudgetProcess, BudgetProcessFilterInput, BudgetProject, BudgetProjectInput,
    BudgetProjectStatus, BudgetResults, BudgetTurnout, CastBallotResult, ChannelCount, CreateBudgetProcessInput,
    EligibilityReview, EligibilityReviewStatus, FeasibilityDecision, MilestoneInput, MilestoneStatus, MyBallot,
    OnBehalfOfVoterInput, ProjectExplanation, ProjectPoints, ProjectPointsInput, ProjectVoteCount,
    UpdateBudgetProcessInput,
};
pub use directory::{Category, Department, District, LocalizedName, Street};
pub use enums::{Channel, Priority, TicketEventKind, TicketStatus};
pub use me::Me;
pub use notification::Notification;
pub use plain::{Paged, PlainFields};
pub use plugin::{Plugin, PluginCall, PluginCallLimits, PluginCallOutcome, PluginCallStats, PluginHook};
pub use stats::{StatusCount, TicketStats};
pub use survey::{
    ConditionInput, ConditionOp, CreateSurveyInput, Date, MatrixAnswer, MatrixAnswerInput, OnBehalfOfInput,
    QuestionType, ResultsVisibility, Survey, SurveyAnonymity, SurveyAnswer, SurveyAnswerInput, SurveyAudience,
    SurveyChoice, SurveyChoiceInput, SurveyCondition, SurveyFilterInput, SurveyQuestion, SurveyQuestionInput,
    SurveyResponse, SurveyResults, SurveyResultsFilterInput, SurveyStatus, SurveyTextAnswer, UpdateSurveyInput,
    problems_error, question_from, questions_from,
};
pub use ticket::{
    Contact, ContactInput, Rating, SubmitTicketInput, Ticket, TicketEvent, TicketFilterInput, TrackedTicket,
};
