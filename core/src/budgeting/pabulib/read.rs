//! Reading a Pabulib file into an [`Election`].

use super::fields::{Row, RowReader};
use crate::budgeting::error::PabulibError;
use crate::budgeting::model::{Ballot, Election, FileWarning, Project, VoteType, Voter};
use crate::budgeting::number::{pabulib_number, parse_exact};
use num_rational::BigRational;
use num_traits::{Signed, Zero};
use std::collections::HashMap;
use std::io::BufRead;

/// Bounds that protect the parser from hostile input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseLimits {
    /// The longest line (or quoted record spanning lines) accepted, in bytes.
    pub max_line_bytes: usize,
}

impl Default for ParseLimits {
    fn default() -> Self {
        // Real vote lines are well under a kilobyte and project descriptions a few kilobytes.
        ParseLimits { max_line_bytes: 4 * 1024 * 1024 }
    }
}

/// Parses a Pabulib file from a string.
pub fn parse_pabulib_str(text: &str) -> Result<Election, PabulibError> {
    parse_pabulib(text.as_bytes())
}

/// Parses a Pabulib file from any buffered reader with the default [`ParseLimits`].
pub fn parse_pabulib(input: impl BufRead) -> Result<Election, PabulibError> {
    parse_pabulib_with_limits(input, ParseLimits::default())
}

/// Parses a Pabulib file from any buffered reader.
///
/// Follows pabutools 1.2.3: section names are case-insensitive, values are trimmed, a value
/// `None` (any case) means "no value", an approval ballot is a set (a project named twice counts
/// once), a cumulative or scoring ballot keeps the last points given to a project named twice,
/// and an ordinal ballot keeps a project's first position. Unlike pabutools it rejects, with
/// the line and field, what pabutools would crash on or silently misread: unknown projects in
/// votes, duplicate project ids, costs that are not non-negative numbers, rows wider than their
/// header, and points that do not match the vote. A ballot above META `max_sum_cost` is read,
/// as pabutools reads it, and listed in [`Election::warnings`] (real files hold such ballots;
/// a tool that refuses them cannot check an official election).
pub fn parse_pabulib_with_limits(input: impl BufRead, limits: ParseLimits) -> Result<Election, PabulibError> {
    let mut reader = RowReader::new(input, limits.max_line_bytes);
    let mut builder = Builder::default();
    let mut section = Section::None;
    let mut header: Vec<String> = Vec::new();
    while let Some(row) = reader.next_row()? {
        if row.fields.iter().all(|field| field.trim().is_empty()) {
            continue;
        }
        if let Some(next) = row.fields.first().and_then(|field| Section::from_marker(field.trim())) {
            builder.enter(next, row.line)?;
            section = next;
            let Some(header_row) = reader.next_row()? else {
                return Err(PabulibError::Missing { what: format!("header line after section {}", next.name()) });
            };
            header = header_row.fields.iter().map(|field| field.trim().to_owned()).collect();
            builder.start_section(next, &header, header_row.line)?;
            continue;
        }
        match section {
            Section::None => {
                return Err(PabulibError::InvalidLine {
                    line: row.line,
                    message: "data before the first section (expected `META`)".to_owned(),
                });
            }
            Section::Meta => builder.meta_row(&row)?,
            Section::Projects => builder.project_row(&row, &header)?,
            Section::Votes => builder.vote_row(&row, &header)?,
        }
    }
    builder.finish()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    None,
    Meta,
    Projects,
    Votes,
}

impl Section {
    /// The section a row's first field opens, in any case (without allocating: every row is
    /// checked).
    fn from_marker(marker: &str) -> Option<Section> {
        [Section::Meta, Section::Projects, Section::Votes]
            .into_iter()
            .find(|section| marker.eq_ignore_ascii_case(section.name()))
    }

    fn name(self) -> &'static str {
        match self {
            Section::None => "none",
            Section::Meta => "META",
            Section::Projects => "PROJECTS",
            Section::Votes => "VOTES",
        }
    }
}

#[derive(Default)]
struct Builder {
    meta: Vec<(String, String)>,
    /// The line each META key was (last) given on, so that a bad value is reported there.
    meta_lines: HashMap<String, usize>,
    seen_sections: Vec<Section>,
    vote_type: Option<VoteType>,
    budget: Option<BigRational>,
    max_sum_cost: Option<BigRational>,
    project_columns: Vec<String>,
    project_column_positions: Vec<usize>,
    cost_position: usize,
    projects: Vec<Project>,
    project_lookup: HashMap<String, usize>,
    voter_columns: Vec<String>,
    voter_column_positions: Vec<usize>,
    vote_position: usize,
    points_position: Option<usize>,
    ballots: Vec<Ballot>,
    ballot_lookup: HashMap<(Vec<usize>, Vec<BigRational>), usize>,
    /// Per distinct ballot, its total cost when that is above META `max_sum_cost`: worked out
    /// once per distinct ballot rather than once per voter.
    over_limit: Vec<Option<BigRational>>,
    voters: Vec<Voter>,
    warnings: Vec<FileWarning>,
}

fn none_if_missing(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.eq_ignore_ascii_case("none")).then(|| value.to_owned())
}

fn invalid(line: usize, field: &str, message: impl Into<String>) -> PabulibError {
    PabulibError::InvalidField { line, field: field.to_owned(), message: message.into() }
}

impl Builder {
    fn enter(&mut self, section: Section, line: usize) -> Result<(), PabulibError> {
        if self.seen_sections.contains(&section) {
            return Err(PabulibError::InvalidLine {
                line,
                message: format!("section {} appears twice", section.name()),
            });
        }
        let expected_before: &[Section] = match section {
            Section::Meta | Section::None => &[],
            Section::Projects => &[Section::Meta],
            Section::Votes => &[Section::Meta, Section::Projects],
        };
        if let Some(absent) = expected_before.iter().find(|needed| !self.seen_sections.contains(needed)) {
            return Err(PabulibError::InvalidLine {
                line,
                message: format!("section {} must come after section {}", section.name(), absent.name()),
            });
        }
        if section == Section::Projects {
            self.read_meta_values(line)?;
        }
        self.seen_sections.push(section);
        Ok(())
    }

    fn read_meta_values(&mut self, section_line: usize) -> Result<(), PabulibError> {
        let value = |key: &str| self.meta.iter().find(|(name, _)| name == key).map(|(_, value)| value.clone());
        let line_of = |key: &str| self.meta_lines.get(key).copied().unwrap_or(section_line);
        let vote_type =
            value("vote_type").ok_or_else(|| PabulibError::Missing { what: "META key `vote_type`".to_owned() })?;
        self.vote_type = Some(VoteType::from_pabulib_name(&vote_type).ok_or_else(|| {
            invalid(
                line_of("vote_type"),
                "vote_type",
                format!(
                    "unknown vote type `{vote_type}` (expected approval, choose-1, cumulative, ordinal or scoring)"
                ),
            )
        })?);
        let budget = value("budget").ok_or_else(|| PabulibError::Missing { what: "META key `budget`".to_owned() })?;
        let budget = parse_exact(&budget.replace(',', "."))
            .filter(|budget| !budget.is_negative())
            .ok_or_else(|| invalid(line_of("budget"), "budget", format!("`{budget}` is not a non-negative number")))?;
        self.budget = Some(budget);
        if let Some(limit) = value("max_sum_cost") {
            self.max_sum_cost = Some(parse_exact(&limit.replace(',', ".")).ok_or_else(|| {
                invalid(line_of("max_sum_cost"), "max_sum_cost", format!("`{limit}` is not a number"))
            })?);
        }
        Ok(())
    }

    fn start_section(&mut self, section: Section, header: &[String], line: usize) -> Result<(), PabulibError> {
        let position = |name: &str| header.iter().position(|column| column == name);
        let mut seen = std::collections::HashSet::new();
        if let Some(duplicate) = header.iter().find(|column| !seen.insert(column.as_str())) {
            return Err(invalid(line, duplicate, "column appears twice in the header"));
        }
        match section {
            Section::Projects => {
                if header.first().map(String::as_str) != Some("project_id") {
                    return Err(invalid(
                        line,
                        header.first().map_or("", String::as_str),
                        "the first PROJECTS column must be `project_id`",
                    ));
                }
                self.cost_position =
                    position("cost").ok_or_else(|| invalid(line, "cost", "PROJECTS header has no `cost` column"))?;
                for (index, column) in header.iter().enumerate().skip(1) {
                    if index != self.cost_position {
                        self.project_columns.push(column.clone());
                        self.project_column_positions.push(index);
                    }
                }
            }
            Section::Votes => {
                if header.first().map(String::as_str) != Some("voter_id") {
                    return Err(invalid(
                        line,
                        header.first().map_or("", String::as_str),
                        "the first VOTES column must be `voter_id`",
                    ));
                }
                self.vote_position =
                    position("vote").ok_or_else(|| invalid(line, "vote", "VOTES header has no `vote` column"))?;
                self.points_position = position("points");
                for (index, column) in header.iter().enumerate().skip(1) {
                    if index != self.vote_position && Some(index) != self.points_position {
                        self.voter_columns.push(column.clone());
                        self.voter_column_positions.push(index);
                    }
                }
            }
            Section::Meta | Section::None => {}
        }
        Ok(())
    }

    fn meta_row(&mut self, row: &Row) -> Result<(), PabulibError> {
        let key = row.fields.first().map(|key| key.trim().to_owned()).unwrap_or_default();
        let Some(value) = row.fields.get(1) else {
            return Err(invalid(row.line, &key, "META row has no value (expected `key;value`)"));
        };
        if row.fields.len() > 2 {
            return Err(invalid(row.line, &key, "META row has more than two fields (quote values that contain `;`)"));
        }
        let value = value.trim().to_owned();
        self.meta_lines.insert(key.clone(), row.line);
        // A repeated key overrides the earlier value, as in pabutools' dictionary.
        match self.meta.iter_mut().find(|(existing, _)| *existing == key) {
            Some(entry) => entry.1 = value,
            None => self.meta.push((key, value)),
        }
        Ok(())
    }

    fn project_row(&mut self, row: &Row, header: &[String]) -> Result<(), PabulibError> {
        if row.fields.len() > header.len() {
            return Err(PabulibError::InvalidLine {
                line: row.line,
                message: format!("{} fields but the PROJECTS header has {}", row.fields.len(), header.len()),
            });
        }
        let id = row.fields.first().map(|id| id.trim().to_owned()).unwrap_or_default();
        if id.is_empty() {
            return Err(invalid(row.line, "project_id", "empty project id"));
        }
        let cost_text = row.fields.get(self.cost_position).map(|cost| cost.trim()).unwrap_or_default();
        let cost = parse_exact(&cost_text.replace(',', "."))
            .filter(|cost| !cost.is_negative())
            .ok_or_else(|| invalid(row.line, "cost", format!("`{cost_text}` is not a non-negative number")))?;
        let attributes = self
            .project_column_positions
            .iter()
            .map(|&position| row.fields.get(position).and_then(|value| none_if_missing(value)))
            .collect();
        if self.project_lookup.insert(id.clone(), self.projects.len()).is_some() {
            return Err(invalid(row.line, "project_id", format!("project `{id}` is listed twice")));
        }
        self.projects.push(Project { id, cost, attributes });
        Ok(())
    }

    fn vote_row(&mut self, row: &Row, header: &[String]) -> Result<(), PabulibError> {
        if row.fields.len() > header.len() {
            return Err(PabulibError::InvalidLine {
                line: row.line,
                message: format!("{} fields but the VOTES header has {}", row.fields.len(), header.len()),
            });
        }
        let vote_type = self.vote_type.unwrap_or(VoteType::Approval);
        let id = row.fields.first().map(|id| id.trim().to_owned()).unwrap_or_default();
        let vote = row
            .fields
            .get(self.vote_position)
            .and_then(|vote| none_if_missing(vote))
            .ok_or_else(|| invalid(row.line, "vote", "no vote"))?;
        let names: Vec<&str> = vote.split(',').map(str::trim).collect();
        let names: Vec<&str> = if names == [""] { Vec::new() } else { names };
        let mut projects = Vec::with_capacity(names.len());
        for name in &names {
            if name.is_empty() && vote_type.is_approval() {
                continue;
            }
            projects.push(
                *self
                    .project_lookup
                    .get(*name)
                    .ok_or_else(|| invalid(row.line, "vote", format!("unknown project `{name}`")))?,
            );
        }
        let mut points = Vec::new();
        if vote_type.has_points() {
            let text = self
                .points_position
                .and_then(|position| row.fields.get(position))
                .and_then(|points| none_if_missing(points));
            match text {
                // pabutools reads a cumulative or scoring vote without points as an empty ballot.
                None => projects.clear(),
                Some(text) => {
                    let values: Vec<&str> = if text.is_empty() { Vec::new() } else { text.split(',').collect() };
                    if values.len() != projects.len() {
                        return Err(invalid(
                            row.line,
                            "points",
                            format!("{} points for {} projects in the vote", values.len(), projects.len()),
                        ));
                    }
                    for value in values {
                        points.push(parse_exact(value).ok_or_else(|| {
                            invalid(row.line, "points", format!("`{}` is not a number", value.trim()))
                        })?);
                    }
                }
            }
        }
        let (projects, points) = normalise_ballot(vote_type, projects, points);
        let key = (projects, points);
        let ballot = match self.ballot_lookup.get(&key) {
            Some(&known) => known,
            None => {
                let index = self.ballots.len();
                let over_limit = self.max_sum_cost.as_ref().and_then(|limit| {
                    let total = key
                        .0
                        .iter()
                        .filter_map(|&project| self.projects.get(project))
                        .fold(BigRational::zero(), |sum, project| sum + &project.cost);
                    (&total > limit).then_some(total)
                });
                self.over_limit.push(over_limit);
                self.ballots.push(Ballot { projects: key.0.clone(), points: key.1.clone(), multiplicity: 0 });
                self.ballot_lookup.insert(key, index);
                index
            }
        };
        if let (Some(Some(total)), Some(limit)) = (self.over_limit.get(ballot), &self.max_sum_cost) {
            self.warnings.push(FileWarning {
                line: row.line,
                field: "vote".to_owned(),
                message: format!(
                    "the ballot costs {} in total, more than max_sum_cost {}",
                    pabulib_number(total),
                    pabulib_number(limit)
                ),
            });
        }
        if let Some(entry) = self.ballots.get_mut(ballot) {
            entry.multiplicity += 1;
        }
        let attributes = self
            .voter_column_positions
            .iter()
            .map(|&position| row.fields.get(position).and_then(|value| none_if_missing(value)))
            .collect();
        self.voters.push(Voter { id, ballot, attributes });
        Ok(())
    }

    fn finish(self) -> Result<Election, PabulibError> {
        for section in [Section::Meta, Section::Projects, Section::Votes] {
            if !self.seen_sections.contains(&section) {
                return Err(PabulibError::Missing { what: format!("section {}", section.name()) });
            }
        }
        let (Some(vote_type), Some(budget)) = (self.vote_type, self.budget) else {
            return Err(PabulibError::Missing { what: "META keys `vote_type` and `budget`".to_owned() });
        };
        Ok(Election {
            meta: self.meta,
            budget,
            vote_type,
            project_columns: self.project_columns,
            projects: self.projects,
            voter_columns: self.voter_columns,
            ballots: self.ballots,
            voters: self.voters,
            warnings: self.warnings,
        })
    }
}

/// Puts a ballot into the canonical form described on [`Ballot`].
fn normalise_ballot(
    vote_type: VoteType,
    projects: Vec<usize>,
    points: Vec<BigRational>,
) -> (Vec<usize>, Vec<BigRational>) {
    match vote_type {
        VoteType::Approval | VoteType::ChooseOne => {
            let mut projects = projects;
            projects.sort_unstable();
            projects.dedup();
            (projects, Vec::new())
        }
        VoteType::Ordinal => {
            let mut seen = std::collections::HashSet::new();
            (projects.into_iter().filter(|project| seen.insert(*project)).collect(), Vec::new())
        }
        VoteType::Cumulative | VoteType::Scoring => {
            let mut by_project: std::collections::BTreeMap<usize, BigRational> = std::collections::BTreeMap::new();
            for (project, value) in projects.into_iter().zip(points) {
                by_project.insert(project, value);
            }
            by_project.into_iter().unzip()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = "\u{feff}META\r\nkey;value\r\nbudget;100,5\r\nvote_type;cumulative\r\n\
        PROJECTS\r\nproject_id;cost;name;category\r\n1;50.0;\"Park; \"\"green\"\"\";a, b\r\n10;25;Orlik \"x\";None\r\n\
        VOTES\r\nvoter_id;vote;points;age\r\nv1;1,10,1;2,3,4;30\r\nv2;10,1;3,4;none\r\nv3;;;\r\n";

    #[test]
    fn reads_a_small_file_with_every_quirk() {
        let election = parse_pabulib_str(SMALL).expect("valid file");
        assert_eq!(election.vote_type, VoteType::Cumulative);
        assert_eq!(election.budget, BigRational::new(201.into(), 2.into()));
        assert_eq!(election.projects.len(), 2);
        assert_eq!(election.project_name(0), Some("Park; \"green\""));
        assert_eq!(election.project_categories(0), vec!["a".to_owned(), "b".to_owned()]);
        assert!(election.project_categories(1).is_empty());
        // v1 names project 1 twice: the last points (4) count; v2 gives the same points.
        assert_eq!(election.ballots.len(), 2);
        assert_eq!(election.ballots[0].multiplicity, 2);
        assert_eq!(
            election.ballots[0].points,
            vec![BigRational::from_integer(4.into()), BigRational::from_integer(3.into())]
        );
        assert_eq!(election.voters[1].attributes, vec![None]);
        assert!(election.ballots[1].projects.is_empty());
    }

    fn error_of(text: &str) -> PabulibError {
        parse_pabulib_str(text).expect_err("must be rejected")
    }

    const HEAD: &str = "META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;10\n2;20\nVOTES\nvoter_id;vote\n";

    #[test]
    fn names_line_and_field_of_errors() {
        assert_eq!(
            error_of(&format!("{HEAD}a;1,3\n")),
            PabulibError::InvalidField {
                line: 11,
                field: "vote".to_owned(),
                message: "unknown project `3`".to_owned()
            }
        );
        let cost = error_of(
            "META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;ten\nVOTES\nvoter_id;vote\n",
        );
        assert!(matches!(cost, PabulibError::InvalidField { line: 7, ref field, .. } if field == "cost"), "{cost}");
        assert!(matches!(
            error_of("META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;10\n"),
            PabulibError::Missing { .. }
        ));
        assert!(matches!(
            error_of("META\nkey;value\nbudget;100\nPROJECTS\nproject_id;cost\n"),
            PabulibError::Missing { .. }
        ));
        assert!(matches!(error_of("hello\nMETA\n"), PabulibError::InvalidLine { line: 1, .. }));
        assert!(matches!(error_of(&format!("{HEAD}a;1;extra\n")), PabulibError::InvalidLine { line: 11, .. }));
        assert!(matches!(
            error_of(
                "META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;10\n1;20\nVOTES\nvoter_id;vote\n"
            ),
            PabulibError::InvalidField { line: 8, .. }
        ));
    }

    #[test]
    fn ballots_above_max_sum_cost_are_read_as_pabutools_reads_them_and_listed() {
        let over = "META\nkey;value\nbudget;100\nmax_sum_cost;25\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;10\n2;20\nVOTES\nvoter_id;vote\na;1,2\nb;1\n";
        let election = parse_pabulib_str(over).expect("read");
        assert_eq!(election.voter_count(), 2);
        assert_eq!(election.ballots[0].projects, vec![0, 1], "kept whole");
        assert_eq!(election.warnings.len(), 1);
        assert_eq!(election.warnings[0].line, 12);
        assert_eq!(
            election.warnings[0].to_string(),
            "line 12, field `vote`: the ballot costs 30 in total, more than max_sum_cost 25"
        );
    }

    #[test]
    fn approval_duplicates_count_once_and_ordinal_keeps_first_position() {
        let election = parse_pabulib_str(&format!("{HEAD}a;2,1,2\nb;1,2\n")).expect("valid");
        assert_eq!(election.ballots.len(), 1);
        assert_eq!(election.ballots[0].multiplicity, 2);
        let ordinal = HEAD.replace("approval", "ordinal");
        let election = parse_pabulib_str(&format!("{ordinal}a;2,1,2\n")).expect("valid");
        assert_eq!(election.ballots[0].projects, vec![1, 0]);
    }
}
