//! Explanations: for every project, whether it was funded and why — the answer to a resident's
//! "why did my project lose?".

use crate::budgeting::number::Exact;
use crate::i18n::{Locale, Message};
use serde::Serialize;
use std::fmt::Write as _;

/// Why one project was or was not selected.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectExplanation {
    /// The project's id.
    pub project_id: String,
    /// The project's name, if the election gives one.
    pub name: Option<String>,
    /// What the project costs.
    pub cost: Exact,
    /// Whether the rule funds it.
    pub selected: bool,
    /// Its 1-based place in the order of selection, if selected.
    pub position: Option<usize>,
    /// The rule-specific reason.
    pub reason: Reason,
}

/// A group of supporters who paid the same amount for a project bought by equal shares.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PayerGroup {
    /// How many voters are in the group.
    pub voters: u64,
    /// The satisfaction each of them gets from the project (its cost, 1, points or Borda score).
    pub satisfaction: Exact,
    /// What each of them paid (rounded: the tally itself is exact).
    pub paid_each: f64,
    /// Whether they paid all the money they had left (they could not pay the full price ρ·satisfaction).
    pub paid_everything_left: bool,
    /// The ids of the voters in the group, when the tally was asked for them
    /// ([`crate::budgeting::TallyOptions::payer_ids`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voter_ids: Option<Vec<String>>,
}

/// The rule-specific reason of a [`ProjectExplanation`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// Greedy rules (and greedy completion): the project's place in the order of scores.
    Greedy {
        /// 1-based place in the greedy order (by score, then tie-breaking).
        rank: usize,
        /// Score = total satisfaction per unit of cost; `None` when the project costs nothing.
        score: Option<Exact>,
        /// Budget left when the greedy pass reached the project (before buying it).
        remaining_budget: Exact,
        /// Whether the greedy pass ran as a completion after another rule.
        completion: bool,
    },
    /// Maximum welfare: the chosen set has the highest total satisfaction among feasible sets.
    MaxWelfare {
        /// The project's total satisfaction.
        welfare: Exact,
        /// Total satisfaction of the whole selected set (the optimum).
        optimal_welfare: Exact,
    },
    /// Sequential Phragmén: the project was bought when its supporters' maximal load reached `load`.
    PhragmenBought {
        /// 1-based round.
        round: usize,
        /// The supporters' load after buying it, in the election's currency (rounded: the tally
        /// itself compares loads exactly).
        load: f64,
    },
    /// Sequential Phragmén stopped before buying the project.
    PhragmenNotBought {
        /// The load its supporters would have reached next, rounded (`None`: no supporters).
        next_load: Option<f64>,
        /// Why the rule stopped: the next project in line did not fit the budget.
        stopped_at_round: usize,
    },
    /// Equal shares: the project was bought in `round` at price ρ per unit of satisfaction.
    EqualSharesBought {
        /// 1-based round of the equal-shares run.
        round: usize,
        /// ρ: every supporter pays ρ × satisfaction, or everything left if that is less
        /// (rounded: the tally itself compares prices exactly).
        rho: f64,
        /// The budget each voter started with in the run that produced the outcome.
        per_voter_budget: Exact,
        /// Who paid and how much.
        payers: Vec<PayerGroup>,
    },
    /// Equal shares: the project's supporters never had enough money left to buy it.
    EqualSharesUnaffordable {
        /// Number of voters who support it.
        supporters: u64,
        /// The money its supporters had left when the rule stopped (rounded: whether it is
        /// enough is decided exactly).
        supporters_money_left: f64,
        /// The budget each voter started with in the run that produced the outcome.
        per_voter_budget: Exact,
    },
    /// The project costs nothing and has supporters, so equal shares funds it up front.
    FreeProject,
    /// Nobody gets any satisfaction from the project under this rule's satisfaction.
    NoSupporters,
}

/// A plain-text table of explanations, one project per line, selected projects first in order
/// of selection.
pub fn explanation_table(explanations: &[ProjectExplanation]) -> String {
    let mut rows: Vec<&ProjectExplanation> = explanations.iter().collect();
    rows.sort_by_key(|explanation| (explanation.position.is_none(), explanation.position));
    let mut table = String::from("project\tselected\tcost\twhy\n");
    for row in rows {
        let _ = writeln!(
            table,
            "{}\t{}\t{}\t{}",
            row.project_id,
            row.position.map_or_else(|| "no".to_owned(), |position| format!("#{position}")),
            row.cost,
            describe(&row.reason, row.selected)
        );
    }
    table
}

/// One sentence for a reason, in English.
pub fn describe(reason: &Reason, selected: bool) -> String {
    reason_message(reason, selected).render(Locale::En)
}

/// One sentence for a reason, to be shown in the reader's language.
pub fn reason_message(reason: &Reason, selected: bool) -> Message {
    match reason {
        Reason::Greedy { rank, score, remaining_budget, completion } => {
            let score = score
                .as_ref()
                .map_or_else(|| Message::new("infinite (free)"), |score| Message::verbatim(score.to_string()));
            let pass = if *completion { Message::new("greedy completion") } else { Message::new("greedy order") };
            let template = if selected {
                Message::new("rank {rank} in the {pass} (score {score}); {left} left when reached")
            } else {
                Message::new("rank {rank} in the {pass} (score {score}); only {left} left when reached: does not fit")
            };
            template
                .arg("rank", rank)
                .arg_message("pass", pass)
                .arg_message("score", score)
                .arg("left", remaining_budget)
        }
        Reason::MaxWelfare { welfare, optimal_welfare } => {
            let template = if selected {
                Message::new("part of the feasible set of maximum welfare {optimal} (adds {welfare})")
            } else {
                Message::new("not in the feasible set of maximum welfare {optimal} (would add {welfare})")
            };
            template.arg("optimal", optimal_welfare).arg("welfare", welfare)
        }
        Reason::PhragmenBought { round, load } => Message::new("bought in round {round}, supporters' load {load}")
            .arg("round", round)
            .arg("load", format!("{load:.6}")),
        Reason::PhragmenNotBought { next_load, stopped_at_round } => match next_load {
            Some(load) => Message::new("not reached: rule stopped in round {round} (supporters' load would be {load})")
                .arg("round", stopped_at_round)
                .arg("load", format!("{load:.6}")),
            None => Message::new("no supporters; rule stopped in round {round}").arg("round", stopped_at_round),
        },
        Reason::EqualSharesBought { round, rho, per_voter_budget, payers } => {
            let voters: u64 = payers.iter().map(|group| group.voters).sum();
            let exhausted: u64 =
                payers.iter().filter(|group| group.paid_everything_left).map(|group| group.voters).sum();
            Message::new("bought in round {round} at ρ = {rho} per unit of satisfaction; {voters} supporters paid ({exhausted} of them all they had left); each voter started with {budget}")
            .arg("round", round)
            .arg("rho", format!("{rho:.6}"))
            .arg("voters", voters)
            .arg("exhausted", exhausted)
            .arg("budget", per_voter_budget)
        }
        Reason::EqualSharesUnaffordable { supporters, supporters_money_left, per_voter_budget } => Message::new(
            "never affordable: its {supporters} supporters had only {left} left in total (each started with {budget})",
        )
        .arg("supporters", supporters)
        .arg("left", format!("{supporters_money_left:.2}"))
        .arg("budget", per_voter_budget),
        Reason::FreeProject => Message::new("costs nothing and has supporters: funded up front"),
        Reason::NoSupporters => Message::new("nobody supports it"),
    }
}
