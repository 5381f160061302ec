//! A tally's outcome told in plain words, for the city official who has to explain it to
//! residents: the projects by name, what was funded in what order, and for each project one
//! or two sentences on why it won or lost. The precise figures (exact rationals, the rule's
//! internal prices) are in the JSON outcome; here amounts are rounded to cents.

use std::fmt::Write as _;

use super::explain::{ProjectExplanation, Reason};
use super::model::Election;
use super::number::Exact;
use super::rules::{Outcome, Rule, Satisfaction};

/// The outcome of `election` under its rule, in plain English.
pub fn plain_report(election: &Election, outcome: &Outcome) -> String {
    let supporters = supporters_per_project(election);
    let currency = election.meta_value("currency").map(|currency| format!(" {currency}")).unwrap_or_default();
    let budget = Exact::from(election.budget.clone());
    let left = Exact::from(&election.budget - outcome.total_cost.value());
    let mut text = String::new();
    let title = ["description", "unit", "instance"]
        .iter()
        .filter_map(|key| election.meta_value(key))
        .collect::<Vec<_>>()
        .join(" · ");
    if !title.is_empty() {
        let _ = writeln!(text, "{title}");
    }
    let _ = writeln!(text, "Rule: {}.", rule_in_words(outcome.rule));
    let funded = outcome.explanations.iter().filter(|explanation| explanation.selected).count();
    let _ = writeln!(
        text,
        "Budget {}{currency}. {funded} of {} projects funded, costing {}{currency} ({}{currency} left unspent). {} voters.",
        money(&budget),
        outcome.explanations.len(),
        money(&outcome.total_cost),
        money(&left),
        election.voter_count(),
    );
    if let Some(per_voter) = &outcome.per_voter_budget {
        let _ = writeln!(
            text,
            "Under equal shares every voter controls the same part of the budget: {}{currency} each.",
            money(per_voter)
        );
    }

    let mut rows: Vec<(usize, &ProjectExplanation)> = outcome.explanations.iter().enumerate().collect();
    rows.sort_by_key(|(_, explanation)| (explanation.position.is_none(), explanation.position));
    let _ = writeln!(text, "\nFunded, in the order the rule chose them:");
    for (index, explanation) in rows.iter().filter(|(_, explanation)| explanation.selected) {
        let position = explanation.position.map_or_else(String::new, |position| format!("{position:>3}. "));
        write_project(&mut text, &position, explanation, supporters[*index], outcome.rule, &currency);
    }
    if funded < outcome.explanations.len() {
        let _ = writeln!(text, "\nNot funded:");
        for (index, explanation) in rows.iter().filter(|(_, explanation)| !explanation.selected) {
            write_project(&mut text, "   - ", explanation, supporters[*index], outcome.rule, &currency);
        }
    }
    text
}

fn write_project(
    text: &mut String,
    bullet: &str,
    explanation: &ProjectExplanation,
    supporters: u64,
    rule: Rule,
    currency: &str,
) {
    let name = match &explanation.name {
        Some(name) => format!("{name} (project {})", explanation.project_id),
        None => format!("Project {}", explanation.project_id),
    };
    let voters = match supporters {
        1 => "1 voter".to_owned(),
        n => format!("{n} voters"),
    };
    let _ = writeln!(text, "{bullet}{name}: costs {}{currency}, supported by {voters}.", money(&explanation.cost));
    let _ = writeln!(text, "       {}", why(explanation, rule, currency));
}

/// One or two sentences on why a project won or lost.
fn why(explanation: &ProjectExplanation, rule: Rule, currency: &str) -> String {
    let selected = explanation.selected;
    let cost = money(&explanation.cost);
    match &explanation.reason {
        Reason::Greedy { rank, remaining_budget, completion, .. } => {
            let ranking = match rule.satisfaction() {
                Satisfaction::Cost => format!("{} in the ranking by votes", ordinal(*rank)),
                _ => format!("{} in the ranking by support for its cost", ordinal(*rank)),
            };
            let pass = if *completion {
                "After the equal-shares rounds, the money left was spent down the ranking: it was "
            } else {
                "Projects were funded down the ranking while money lasted: it was "
            };
            let left = money(remaining_budget);
            if selected {
                format!("{pass}{ranking}, and {left}{currency} was still available when its turn came.")
            } else {
                format!(
                    "{pass}{ranking}, but only {left}{currency} was left when its turn came, less than its cost of {cost}{currency}."
                )
            }
        }
        Reason::MaxWelfare { welfare, optimal_welfare } => {
            if selected {
                format!(
                    "It belongs to the combination of projects within the budget that gives voters the most in total ({}); it adds {}.",
                    money(optimal_welfare),
                    money(welfare)
                )
            } else {
                format!(
                    "It is not in the combination of projects within the budget that gives voters the most in total ({}): funding it would mean dropping projects worth more to voters.",
                    money(optimal_welfare)
                )
            }
        }
        Reason::PhragmenBought { round, load } => format!(
            "Chosen in round {round}: of the projects still open, its supporters could pay for it with the least burden on any one of them ({load:.2}{currency} at most each, counting earlier projects)."
        ),
        Reason::PhragmenNotBought { next_load, stopped_at_round } => match next_load {
            Some(load) => format!(
                "Not reached: the rule stopped in round {stopped_at_round}, when the next project in line no longer fit the budget (its supporters would have carried {load:.2}{currency} each)."
            ),
            None => "Nobody voted for it.".to_owned(),
        },
        Reason::EqualSharesBought { round, payers, .. } => {
            let voters: u64 = payers.iter().map(|group| group.voters).sum();
            let exhausted: u64 =
                payers.iter().filter(|group| group.paid_everything_left).map(|group| group.voters).sum();
            // Supporters with nothing left pay nothing; they do not make the range.
            let paid: Vec<f64> = payers.iter().map(|group| group.paid_each).filter(|paid| *paid >= 0.005).collect();
            let (least, most) =
                paid.iter().fold((f64::INFINITY, 0.0f64), |(low, high), paid| (low.min(*paid), high.max(*paid)));
            let shares = if (most - least).abs() < 0.005 {
                format!("{}{currency} each", money_f64(most))
            } else {
                format!("{} to {}{currency} each", money_f64(least), money_f64(most))
            };
            let exhausted = match exhausted {
                0 => String::new(),
                1 => "; 1 of them spent all they had left".to_owned(),
                n => format!("; {n} of them spent all they had left"),
            };
            format!(
                "Bought in round {round} of equal shares: its {voters} supporters paid for it together from their shares of the budget ({shares}{exhausted}), and no other project was cheaper for its supporters at that point."
            )
        }
        Reason::EqualSharesUnaffordable { supporters, supporters_money_left, .. } => format!(
            "Its {supporters} supporters had spent most of their equal shares on projects they liked more: together they had only {}{currency} left, less than its cost of {cost}{currency}.",
            money_f64(*supporters_money_left)
        ),
        Reason::FreeProject => "It costs nothing and has supporters, so it was funded first.".to_owned(),
        Reason::NoSupporters => "Nobody voted for it.".to_owned(),
    }
}

/// The rule's name and what it does, in a sentence.
pub fn rule_in_words(rule: Rule) -> String {
    let base = match rule {
        Rule::GreedyCost => "most votes first (greedy): projects are funded in order of votes while money lasts",
        Rule::GreedyCard | Rule::GreedyPoints | Rule::GreedyBorda => {
            "greedy: projects are funded in order of support for their cost while money lasts"
        }
        Rule::MaxWelfareCost | Rule::MaxWelfareCard | Rule::MaxWelfarePoints => {
            "maximum total satisfaction: the combination of projects within the budget that gives voters the most in total"
        }
        Rule::Phragmen => {
            "sequential Phragmén: projects are bought one by one, each time the one whose supporters can pay for it with the least burden on any of them"
        }
        Rule::MesCost | Rule::MesCard | Rule::MesPoints | Rule::MesBorda => {
            "Method of Equal Shares: every voter controls an equal part of the budget, and a project is bought when its supporters can pay for it from their parts"
        }
        Rule::MesCostGreedy => {
            "Method of Equal Shares, then the money left spent in order of votes: every voter controls an equal part of the budget, and a project is bought when its supporters can pay for it from their parts"
        }
        Rule::MesCostAdd1 | Rule::MesCostAdd1Greedy | Rule::MesCostAdd1Exhaustive => {
            "Method of Equal Shares with the voters' parts raised step by step until the budget is used: every voter controls an equal part of the budget, and a project is bought when its supporters can pay for it from their parts"
        }
    };
    let completion =
        if rule == Rule::MesCostAdd1Greedy { "; the money left is then spent in order of votes" } else { "" };
    format!("{base}{completion} ({})", rule.name())
}

/// How many voters name each project on their ballot.
fn supporters_per_project(election: &Election) -> Vec<u64> {
    let mut supporters = vec![0u64; election.projects.len()];
    for ballot in &election.ballots {
        for project in &ballot.projects {
            if let Some(count) = supporters.get_mut(*project) {
                *count += ballot.multiplicity;
            }
        }
    }
    supporters
}

/// An amount for people: thousands grouped, cents only when there are any.
fn money(amount: &Exact) -> String {
    money_f64(amount.approximate())
}

/// [`money`] of a figure the tally only gives rounded.
fn money_f64(value: f64) -> String {
    let cents = (value * 100.0).round() as i128;
    let (whole, fraction) = (cents / 100, (cents % 100).abs());
    let digits = whole.abs().to_string();
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let sign = if cents < 0 { "-" } else { "" };
    if fraction == 0 { format!("{sign}{grouped}") } else { format!("{sign}{grouped}.{fraction:02}") }
}

fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (1, hundred) if hundred != 11 => "st",
        (2, hundred) if hundred != 12 => "nd",
        (3, hundred) if hundred != 13 => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::budgeting::{TallyOptions, parse_pabulib_str, tally};

    const ELECTION: &str = "META\nkey;value\ndescription;Riverside\nnum_projects;3\nnum_votes;4\nbudget;100\nvote_type;approval\ncurrency;EUR\nPROJECTS\nproject_id;cost;name\n1;60;Playground\n2;50;Bike racks\n3;40;Benches\nVOTES\nvoter_id;vote\na;1,2\nb;1\nc;2,3\nd;3\n";

    #[test]
    fn names_every_project_and_says_why_in_words() {
        let election = parse_pabulib_str(ELECTION).expect("valid");
        let outcome = tally(&election, Rule::GreedyCost, &TallyOptions::default()).expect("tally");
        let report = plain_report(&election, &outcome);
        assert!(
            report.contains("Budget 100 EUR. 2 of 3 projects funded, costing 100 EUR (0 EUR left unspent). 4 voters."),
            "{report}"
        );
        assert!(report.contains("Playground (project 1): costs 60 EUR, supported by 2 voters."), "{report}");
        assert!(report.contains("Benches (project 3): costs 40 EUR, supported by 2 voters."), "{report}");
        assert!(
            report.contains("but only 40 EUR was left when its turn came, less than its cost of 50 EUR."),
            "Bike racks lose for lack of money: {report}"
        );
        assert!(!report.contains('ρ') && !report.contains("rho"), "no jargon: {report}");
    }

    #[test]
    fn equal_shares_is_explained_as_voters_paying_from_their_shares() {
        let election = parse_pabulib_str(ELECTION).expect("valid");
        let outcome = tally(&election, Rule::MesCost, &TallyOptions::default()).expect("tally");
        let report = plain_report(&election, &outcome);
        assert!(report.contains("every voter controls the same part of the budget: 25 EUR each"), "{report}");
        assert!(report.contains("supporters paid for it together from their shares of the budget"), "{report}");
    }

    #[test]
    fn amounts_are_grouped_and_rounded_to_cents() {
        assert_eq!(money(&Exact::from(num_rational::BigRational::from_integer(1_234_567.into()))), "1,234,567");
        let third = num_rational::BigRational::new(25_000.into(), 21.into());
        assert_eq!(money(&Exact::from(third)), "1,190.48");
        assert_eq!(ordinal(1), "1st");
        assert_eq!(ordinal(12), "12th");
        assert_eq!(ordinal(23), "23rd");
    }
}
