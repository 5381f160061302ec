//! Property tests on random small elections, where ties and near-ties are common: every outcome
//! fits the budget, greedy, sequential Phragmén and equal shares agree with the naive implementations, equal shares
//! keep their promises to voters, and the add-one strategies agree with unit steps.

use super::naive;
use civitas_core::budgeting::{
    AddOneStrategy, Election, Reason, Rule, Satisfaction, TallyOptions, TieBreaking, parse_pabulib_str, tally,
};
use num_rational::BigRational;
use num_traits::Zero;
use proptest::prelude::*;

/// Ids that sort differently as strings and as numbers ("10" < "9").
const IDS: [&str; 8] = ["1", "2", "9", "10", "11", "a", "b7", "20"];

/// A random election as Pabulib text: costs 0–12 (mostly positive), budgets 0–40, up to 9
/// distinct ballots cast by 1–3 voters each.
fn election(vote_type: &'static str) -> impl Strategy<Value = Election> {
    scaled_election(vote_type, 1)
}

/// Like [`election`] with costs and budget multiplied by `scale`: with large amounts the add-one
/// completion takes many unit steps, which its horizon jumps over.
fn scaled_election(vote_type: &'static str, scale: u32) -> impl Strategy<Value = Election> {
    (1usize..=7)
        .prop_flat_map(move |projects| {
            let costs = proptest::collection::vec(prop_oneof![1 => Just(0u32), 9 => 1u32..=12], projects);
            let ballot = proptest::collection::vec((any::<bool>(), 1u32..=4), projects);
            let ballots = proptest::collection::vec((ballot, 1u32..=3), 0..=9);
            (Just(projects), costs, (0u32..=40).prop_map(move |budget| budget * scale), ballots)
        })
        .prop_map(move |(projects, costs, budget, ballots)| {
            let mut text =
                format!("META\nkey;value\nbudget;{budget}\nvote_type;{vote_type}\nPROJECTS\nproject_id;cost\n");
            for (id, cost) in IDS.iter().zip(&costs).take(projects) {
                text.push_str(&format!("{id};{}\n", cost * scale));
            }
            text.push_str("VOTES\nvoter_id;vote;points\n");
            let mut voter = 0;
            for (ballot, multiplicity) in &ballots {
                let named: Vec<(&str, u32)> = IDS
                    .iter()
                    .zip(ballot)
                    .filter(|(_, (named, _))| *named)
                    .map(|(id, (_, points))| (*id, *points))
                    .collect();
                let vote: Vec<&str> = named.iter().map(|(id, _)| *id).collect();
                let points: Vec<String> = named.iter().map(|(_, points)| points.to_string()).collect();
                for _ in 0..*multiplicity {
                    voter += 1;
                    text.push_str(&format!("v{voter};{};{}\n", vote.join(","), points.join(",")));
                }
            }
            parse_pabulib_str(&text).unwrap_or_else(|error| panic!("generated an invalid file: {error}\n{text}"))
        })
}

fn selected_ids(election: &Election, projects: &[usize]) -> Vec<String> {
    projects.iter().map(|&project| election.projects[project].id.clone()).collect()
}

fn default_tally(election: &Election, rule: Rule) -> civitas_core::budgeting::Outcome {
    tally(election, rule, &TallyOptions::default()).unwrap_or_else(|error| panic!("{rule}: {error}"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn every_outcome_fits_the_budget_and_explains_every_project(
        election in prop_oneof![election("approval"), election("cumulative"), election("ordinal")],
        tie_breaking in prop_oneof![Just(TieBreaking::Lexicographic), Just(TieBreaking::MostVotes), Just(TieBreaking::LowestCost)],
    ) {
        for rule in Rule::ALL.into_iter().filter(|rule| rule.applies_to(election.vote_type)) {
            let outcome = tally(&election, rule, &TallyOptions { tie_breaking, ..TallyOptions::default() })
                .map_err(|error| TestCaseError::fail(format!("{rule}: {error}")))?;
            prop_assert!(outcome.total_cost.value() <= election.budget, "{} overspends", rule);
            prop_assert_eq!(outcome.total_cost.value(), election.total_cost(&outcome.selected_indices));
            let mut distinct = outcome.selected_indices.clone();
            distinct.sort_unstable();
            distinct.dedup();
            prop_assert_eq!(distinct.len(), outcome.selected.len(), "{} selects a project twice", rule);
            prop_assert_eq!(outcome.explanations.len(), election.projects.len());
            for explanation in &outcome.explanations {
                let position = outcome.selected.iter().position(|id| *id == explanation.project_id);
                prop_assert_eq!(explanation.selected, position.is_some());
                prop_assert_eq!(explanation.position, position.map(|position| position + 1));
            }
        }
    }

    #[test]
    fn greedy_picks_by_score_like_the_naive_greedy(election in prop_oneof![election("approval"), election("cumulative")]) {
        let mut rules = vec![(Rule::GreedyCost, Satisfaction::Cost), (Rule::GreedyCard, Satisfaction::Cardinality)];
        if election.vote_type.has_points() {
            rules.push((Rule::GreedyPoints, Satisfaction::Points));
        }
        for (rule, satisfaction) in rules {
            let outcome = default_tally(&election, rule);
            prop_assert_eq!(&outcome.selected, &selected_ids(&election, &naive::greedy(&election, satisfaction)), "{}", rule);
        }
    }

    #[test]
    fn phragmen_buys_like_the_naive_phragmen(election in election("approval")) {
        let outcome = default_tally(&election, Rule::Phragmen);
        prop_assert_eq!(&outcome.selected, &selected_ids(&election, &naive::phragmen(&election)));
    }

    #[test]
    fn max_welfare_reaches_the_brute_force_optimum(election in prop_oneof![election("approval"), election("cumulative")]) {
        let mut rules = vec![(Rule::MaxWelfareCost, Satisfaction::Cost), (Rule::MaxWelfareCard, Satisfaction::Cardinality)];
        if election.vote_type.has_points() {
            rules.push((Rule::MaxWelfarePoints, Satisfaction::Points));
        }
        for (rule, satisfaction) in rules {
            let outcome = default_tally(&election, rule);
            let voters = naive::satisfactions(&election, satisfaction);
            prop_assert_eq!(naive::welfare(&voters, &outcome.selected_indices), naive::max_welfare(&election, satisfaction), "{}", rule);
        }
    }

    #[test]
    fn equal_shares_is_exact_and_keeps_its_promises(election in prop_oneof![election("approval"), election("cumulative")]) {
        let mut rules = vec![(Rule::MesCost, Satisfaction::Cost), (Rule::MesCard, Satisfaction::Cardinality)];
        if election.vote_type.has_points() {
            rules.push((Rule::MesPoints, Satisfaction::Points));
        }
        for (rule, satisfaction) in rules {
            let outcome = default_tally(&election, rule);
            let expected = naive::equal_shares(&election, satisfaction);
            prop_assert_eq!(&outcome.selected, &selected_ids(&election, &expected.selected), "{}", rule);
            if !expected.selected.is_empty() {
                prop_assert_eq!(outcome.per_voter_budget.map(|budget| budget.value()), Some(expected.per_voter_budget.clone()));
            }
            // No voter pays more than their share, and nobody's money goes negative.
            prop_assert!(expected.money.iter().all(|money| *money >= BigRational::zero()));
            // Every project left out is unaffordable for its supporters at the end.
            let voters = naive::satisfactions(&election, satisfaction);
            for project in 0..election.projects.len() {
                let cost = &election.projects[project].cost;
                if expected.selected.contains(&project) || cost.is_zero() {
                    continue;
                }
                let money: BigRational = (0..voters.len())
                    .filter(|&voter| voters[voter][project] > BigRational::zero())
                    .fold(BigRational::zero(), |sum, voter| sum + &expected.money[voter]);
                prop_assert!(&money < cost || voters.iter().all(|row| row[project].is_zero()));
            }
        }
    }

    #[test]
    fn equal_shares_names_who_paid_for_each_project(election in prop_oneof![election("approval"), election("cumulative")]) {
        for (rule, satisfaction) in [(Rule::MesCost, Satisfaction::Cost), (Rule::MesCard, Satisfaction::Cardinality)] {
            payers_are_who_paid(&election, rule, satisfaction)?;
        }
    }

    #[test]
    fn add_one_strategies_give_the_unit_step_outcome(
        election in prop_oneof![election("approval"), scaled_election("approval", 1000), scaled_election("approval", 97)],
    ) {
        for rule in [Rule::MesCostAdd1, Rule::MesCostAdd1Greedy, Rule::MesCostAdd1Exhaustive] {
            let with = |add_one_strategy| {
                tally(&election, rule, &TallyOptions { add_one_strategy, ..TallyOptions::default() }).expect("tally")
            };
            let unit = with(AddOneStrategy::UnitSteps);
            for strategy in [AddOneStrategy::Adaptive, AddOneStrategy::AlwaysJump] {
                let jumped = with(strategy);
                prop_assert_eq!(&jumped.selected, &unit.selected, "{} {:?}", rule, strategy);
                prop_assert_eq!(&jumped.per_voter_budget, &unit.per_voter_budget, "{} {:?}", rule, strategy);
            }
            let plain = default_tally(&election, Rule::MesCost);
            prop_assert!(unit.per_voter_budget >= plain.per_voter_budget || plain.selected.is_empty());
        }
    }
}

/// The payer groups of every project bought name its supporters — each once — and, among them,
/// exactly those who paid all they had left in the naive run.
fn payers_are_who_paid(election: &Election, rule: Rule, satisfaction: Satisfaction) -> Result<(), TestCaseError> {
    let outcome = tally(election, rule, &TallyOptions { payer_ids: true, ..TallyOptions::default() }).expect("tally");
    let expected = naive::equal_shares(election, satisfaction);
    let voters = naive::satisfactions(election, satisfaction);
    let voter_ballots = naive::voter_ballots(election);
    let ballot_of: std::collections::HashMap<&str, usize> =
        election.voters.iter().map(|voter| (voter.id.as_str(), voter.ballot)).collect();
    for (project, exhausted) in &expected.paid_everything {
        let Reason::EqualSharesBought { payers, .. } = &outcome.explanations[*project].reason else {
            return Err(TestCaseError::fail(format!("{rule}: project {project} has no payers")));
        };
        let mut paid: Vec<usize> = Vec::new();
        let mut paid_all: Vec<usize> = Vec::new();
        for group in payers {
            let ids = group.voter_ids.as_ref().expect("asked for payer ids");
            prop_assert_eq!(ids.len() as u64, group.voters);
            let ballots: Vec<usize> = ids.iter().filter_map(|id| ballot_of.get(id.as_str()).copied()).collect();
            prop_assert_eq!(ballots.len(), ids.len());
            if group.paid_everything_left {
                paid_all.extend(&ballots);
            }
            paid.extend(ballots);
        }
        let mut supporters: Vec<usize> = (0..voters.len())
            .filter(|&voter| voters[voter][*project] > BigRational::zero())
            .map(|voter| voter_ballots[voter])
            .collect();
        let mut expected_all: Vec<usize> = exhausted.iter().map(|&voter| voter_ballots[voter]).collect();
        for list in [&mut paid, &mut paid_all, &mut supporters, &mut expected_all] {
            list.sort_unstable();
        }
        prop_assert_eq!(&paid, &supporters, "{}: payers of project {}", rule, project);
        prop_assert_eq!(&paid_all, &expected_all, "{}: who paid all they had for project {}", rule, project);
    }
    Ok(())
}

/// The shared files small enough for the naive implementations and unit steps.
const SMALL_REAL_ELECTIONS: [&str; 4] = [
    "Netherlands_Assen_2024.pb",
    "Poland_Czestochowa_2020_Grabowka.pb",
    "Worldwide_Mechanical_Turk_Knapsack_7.pb",
    "Poland_Krakow_2018_Wzgorza_Krzeslawickie.pb",
];

#[test]
fn equal_shares_names_who_paid_on_small_real_elections() {
    for instance in SMALL_REAL_ELECTIONS {
        let election = super::support::load(instance);
        payers_are_who_paid(&election, Rule::MesCost, Satisfaction::Cost)
            .unwrap_or_else(|error| panic!("{instance}: {error}"));
    }
}

#[test]
fn add_one_strategies_agree_on_small_real_elections() {
    let mut jumps_skipped_runs = false;
    for instance in SMALL_REAL_ELECTIONS {
        let election = super::support::load(instance);
        for rule in [Rule::MesCostAdd1, Rule::MesCostAdd1Exhaustive] {
            let with = |add_one_strategy| {
                tally(&election, rule, &TallyOptions { add_one_strategy, ..TallyOptions::default() }).expect("tally")
            };
            let unit = with(AddOneStrategy::UnitSteps);
            let adaptive = with(AddOneStrategy::Adaptive);
            assert_eq!(adaptive.selected, unit.selected, "{instance} {rule}");
            assert_eq!(adaptive.per_voter_budget, unit.per_voter_budget, "{instance} {rule}");
            assert!(adaptive.add_one_runs <= unit.add_one_runs, "{instance} {rule}: jumping computed more runs");
            let jumping = with(AddOneStrategy::AlwaysJump);
            assert_eq!(jumping.selected, unit.selected, "{instance} {rule}");
            assert_eq!(jumping.per_voter_budget, unit.per_voter_budget, "{instance} {rule}");
            jumps_skipped_runs |= jumping.add_one_runs < unit.add_one_runs;
        }
    }
    assert!(jumps_skipped_runs, "the horizon never let the completion skip a unit step");
}
