//! The election model: projects, a budget limit and a profile of ballots of one type.

use num_rational::BigRational;
use num_traits::Zero;
use std::fmt;

/// The kind of ballots an election collects (the Pabulib `vote_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VoteType {
    /// Each voter approves a set of projects.
    Approval,
    /// Each voter approves exactly one project (tallied as approval).
    ChooseOne,
    /// Each voter distributes points over projects.
    Cumulative,
    /// Each voter ranks projects, most preferred first.
    Ordinal,
    /// Each voter gives each project a score.
    Scoring,
}

impl VoteType {
    /// The name used in Pabulib files.
    pub fn pabulib_name(self) -> &'static str {
        match self {
            VoteType::Approval => "approval",
            VoteType::ChooseOne => "choose-1",
            VoteType::Cumulative => "cumulative",
            VoteType::Ordinal => "ordinal",
            VoteType::Scoring => "scoring",
        }
    }

    /// Reads a Pabulib `vote_type` value.
    pub fn from_pabulib_name(name: &str) -> Option<VoteType> {
        match name {
            "approval" => Some(VoteType::Approval),
            "choose-1" => Some(VoteType::ChooseOne),
            "cumulative" => Some(VoteType::Cumulative),
            "ordinal" => Some(VoteType::Ordinal),
            "scoring" => Some(VoteType::Scoring),
            _ => None,
        }
    }

    /// Whether ballots carry points (cumulative and scoring ballots).
    pub fn has_points(self) -> bool {
        matches!(self, VoteType::Cumulative | VoteType::Scoring)
    }

    /// Whether ballots are sets of approved projects (approval and choose-1).
    pub fn is_approval(self) -> bool {
        matches!(self, VoteType::Approval | VoteType::ChooseOne)
    }
}

impl fmt::Display for VoteType {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.pabulib_name())
    }
}

/// A project that can be funded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    /// The project's identifier; ids are strings and compared as strings ("10" < "9").
    pub id: String,
    /// What the project costs, exactly.
    pub cost: BigRational,
    /// Further columns of the project (name, category, target, votes, selected...), aligned
    /// with [`Election::project_columns`]; `None` where the file says `None` or has no value.
    pub attributes: Vec<Option<String>>,
}

/// One distinct ballot and how many voters cast it.
///
/// Ballots are normalised so that two voters with the same preferences share one ballot:
/// approval ballots are sets (sorted project indices), cumulative and scoring ballots map each
/// project to its points (sorted by project index; when a vote names a project twice, the last
/// points given count, as in pabutools), ordinal ballots keep the order of first appearance.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ballot {
    /// Indices into [`Election::projects`]; for ordinal ballots, most preferred first.
    pub projects: Vec<usize>,
    /// Points given to `projects[i]`; empty unless the vote type has points.
    pub points: Vec<BigRational>,
    /// Number of voters who cast exactly this ballot.
    pub multiplicity: u64,
}

/// One voter as written in the file: an id, a ballot and optional attributes (age, sex...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Voter {
    /// The voter's identifier from the file.
    pub id: String,
    /// Index into [`Election::ballots`].
    pub ballot: usize,
    /// Values of [`Election::voter_columns`] for this voter.
    pub attributes: Vec<Option<String>>,
}

/// A participatory-budgeting election: META data, projects, budget and ballots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Election {
    /// The META section in file order (including `budget` and `vote_type`).
    pub meta: Vec<(String, String)>,
    /// The budget limit.
    pub budget: BigRational,
    /// The kind of ballots.
    pub vote_type: VoteType,
    /// Names of the project columns besides `project_id` and `cost`.
    pub project_columns: Vec<String>,
    /// The projects in file order.
    pub projects: Vec<Project>,
    /// Names of the voter columns besides `voter_id`, `vote` and `points`.
    pub voter_columns: Vec<String>,
    /// The distinct ballots, in order of first appearance.
    pub ballots: Vec<Ballot>,
    /// The voters in file order.
    pub voters: Vec<Voter>,
    /// What the file breaks of its own declarations but pabutools reads anyway (official
    /// Warsaw 2017/2018 files hold ballots above their `max_sum_cost`: costs were revised
    /// after the vote). The election is read as pabutools reads it; a strict reader refuses it.
    pub warnings: Vec<FileWarning>,
}

/// A declaration of the file that a row breaks, with where.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FileWarning {
    /// The line of the row (1-based).
    pub line: usize,
    /// The field at fault.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for FileWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}, field `{}`: {}", self.line, self.field, self.message)
    }
}

impl Election {
    /// The value of a META key, if present.
    pub fn meta_value(&self, key: &str) -> Option<&str> {
        self.meta.iter().find(|(candidate, _)| candidate == key).map(|(_, value)| value.as_str())
    }

    /// Number of voters (the sum of the ballots' multiplicities).
    pub fn voter_count(&self) -> u64 {
        self.ballots.iter().map(|ballot| ballot.multiplicity).sum()
    }

    /// The index of the project with this id.
    pub fn project_index(&self, id: &str) -> Option<usize> {
        self.projects.iter().position(|project| project.id == id)
    }

    /// The value of a project column for a project, if present.
    pub fn project_attribute(&self, project: usize, column: &str) -> Option<&str> {
        let column_index = self.project_columns.iter().position(|name| name == column)?;
        self.projects.get(project)?.attributes.get(column_index)?.as_deref()
    }

    /// The human-readable name of a project, if the file gives one.
    pub fn project_name(&self, project: usize) -> Option<&str> {
        self.project_attribute(project, "name")
    }

    /// The categories of a project (the `category` or `categories` column, comma-separated).
    pub fn project_categories(&self, project: usize) -> Vec<String> {
        self.list_attribute(project, &["category", "categories"])
    }

    /// The target groups of a project (the `target` or `targets` column, comma-separated).
    pub fn project_targets(&self, project: usize) -> Vec<String> {
        self.list_attribute(project, &["target", "targets"])
    }

    fn list_attribute(&self, project: usize, columns: &[&str]) -> Vec<String> {
        columns
            .iter()
            .find_map(|column| self.project_attribute(project, column))
            .map(|value| value.split(',').map(|entry| entry.trim().to_owned()).collect())
            .unwrap_or_default()
    }

    /// Number of voters whose ballot names the project (its approval score).
    pub fn supporter_counts(&self) -> Vec<u64> {
        let mut counts = vec![0u64; self.projects.len()];
        for ballot in &self.ballots {
            for &project in &ballot.projects {
                if let Some(count) = counts.get_mut(project) {
                    *count += ballot.multiplicity;
                }
            }
        }
        counts
    }

    /// The ids of the projects the file marks as selected (`selected` column equal to 1), if the
    /// file has that column — the official outcome of the election.
    pub fn officially_selected(&self) -> Option<Vec<String>> {
        let column = self.project_columns.iter().position(|name| name == "selected")?;
        Some(
            self.projects
                .iter()
                .filter(|project| {
                    project
                        .attributes
                        .get(column)
                        .and_then(|value| value.as_deref())
                        .is_some_and(|value| value.trim() == "1")
                })
                .map(|project| project.id.clone())
                .collect(),
        )
    }

    /// Total cost of a set of projects given by index.
    pub fn total_cost(&self, projects: &[usize]) -> BigRational {
        projects
            .iter()
            .filter_map(|&project| self.projects.get(project))
            .fold(BigRational::zero(), |sum, project| sum + &project.cost)
    }
}
