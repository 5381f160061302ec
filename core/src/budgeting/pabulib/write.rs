//! Writing an [`Election`] as a Pabulib file that pabutools (and [`super::parse_pabulib`]) read
//! back as the same election.

use crate::budgeting::model::Election;
use crate::budgeting::number::pabulib_number;
use std::io::{self, Write};

/// Writes the election in the Pabulib format (LF line ends, no byte-order mark).
///
/// Fails with [`io::ErrorKind::InvalidInput`] when a project id contains a comma or a line
/// break, which the format cannot represent inside a vote.
pub fn write_pabulib(election: &Election, output: &mut impl Write) -> io::Result<()> {
    for project in &election.projects {
        if project.id.contains([',', '\n', '\r']) || project.id.trim() != project.id || project.id.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("project id `{}` cannot be written in a Pabulib vote", project.id),
            ));
        }
    }
    writeln!(output, "META")?;
    writeln!(output, "key;value")?;
    let budget = pabulib_number(&election.budget);
    let mut wrote_budget = false;
    let mut wrote_vote_type = false;
    for (key, value) in &election.meta {
        let value = match key.as_str() {
            "budget" => {
                wrote_budget = true;
                budget.as_str()
            }
            "vote_type" => {
                wrote_vote_type = true;
                election.vote_type.pabulib_name()
            }
            _ => value.as_str(),
        };
        writeln!(output, "{};{}", quoted(key), quoted(value))?;
    }
    if !wrote_budget {
        writeln!(output, "budget;{budget}")?;
    }
    if !wrote_vote_type {
        writeln!(output, "vote_type;{}", election.vote_type.pabulib_name())?;
    }

    writeln!(output, "PROJECTS")?;
    let mut header = vec!["project_id".to_owned(), "cost".to_owned()];
    header.extend(election.project_columns.iter().cloned());
    write_row(output, header.iter().map(String::as_str))?;
    for project in &election.projects {
        let cost = pabulib_number(&project.cost);
        let mut row = vec![project.id.as_str(), cost.as_str()];
        row.extend(project.attributes.iter().map(|value| value.as_deref().unwrap_or("None")));
        write_row(output, row.into_iter())?;
    }

    writeln!(output, "VOTES")?;
    let has_points = election.vote_type.has_points();
    let mut header = vec!["voter_id".to_owned(), "vote".to_owned()];
    if has_points {
        header.push("points".to_owned());
    }
    header.extend(election.voter_columns.iter().cloned());
    write_row(output, header.iter().map(String::as_str))?;
    // Each distinct ballot's vote (and points) text is built once, however many voters cast it.
    let ballot_texts: Vec<(String, String)> = election
        .ballots
        .iter()
        .map(|ballot| {
            let vote = ballot
                .projects
                .iter()
                .filter_map(|&project| election.projects.get(project))
                .map(|project| project.id.as_str())
                .collect::<Vec<_>>()
                .join(",");
            let points = ballot.points.iter().map(pabulib_number).collect::<Vec<_>>().join(",");
            (vote, points)
        })
        .collect();
    for voter in &election.voters {
        let (vote, points) =
            ballot_texts.get(voter.ballot).map(|(vote, points)| (vote.as_str(), points.as_str())).unwrap_or(("", ""));
        let mut row = vec![voter.id.as_str(), vote];
        if has_points {
            row.push(points);
        }
        row.extend(voter.attributes.iter().map(|value| value.as_deref().unwrap_or("None")));
        write_row(output, row.into_iter())?;
    }
    Ok(())
}

/// The election as a Pabulib string.
pub fn pabulib_string(election: &Election) -> io::Result<String> {
    let mut bytes = Vec::new();
    write_pabulib(election, &mut bytes)?;
    String::from_utf8(bytes).map_err(|error| io::Error::new(io::ErrorKind::InvalidData, error))
}

fn write_row<'a>(output: &mut impl Write, fields: impl Iterator<Item = &'a str>) -> io::Result<()> {
    let line = fields.map(quoted).collect::<Vec<_>>().join(";");
    writeln!(output, "{line}")
}

/// CSV-quotes a value when a reader would otherwise split or alter it.
fn quoted(value: &str) -> String {
    if value.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::budgeting::pabulib::parse_pabulib_str;

    #[test]
    fn round_trips_quotes_points_and_missing_values() {
        let text = "META\nkey;value\nbudget;10.5\nvote_type;scoring\ncomment;\"a;b \"\"c\"\"\"\nPROJECTS\nproject_id;cost;name\nA;1/3;\"x\ny\"\nB;2;None\nVOTES\nvoter_id;vote;points;sex\n1;A,B;-1,0.25;F\n2;;;None\n";
        let election = parse_pabulib_str(text).expect("valid");
        let written = pabulib_string(&election).expect("writable");
        assert_eq!(parse_pabulib_str(&written).expect("re-readable"), election);
    }
}
