//! Tallying one election with several rules through a `Tallier` (as `civitas pb sweep` does)
//! gives exactly the outcomes of separate `tally` calls, explanations included.

use super::support::load;
use civitas_core::budgeting::{Rule, Tallier, TallyOptions, TieBreaking, tally};

fn check(instance: &str, tie_breaking: TieBreaking) {
    let election = load(instance);
    let options = TallyOptions { tie_breaking, ..TallyOptions::default() };
    let mut tallier = Tallier::new(&election);
    let rules: Vec<Rule> = Rule::ALL.into_iter().filter(|rule| rule.applies_to(election.vote_type)).collect();
    assert!(rules.contains(&Rule::MesCostAdd1Greedy) || rules.contains(&Rule::MesPoints), "{instance}: {rules:?}");
    // Twice over, so that the second pass takes every rule from the shared runs.
    for rule in rules.iter().chain(&rules) {
        let shared = tallier.tally(*rule, &options).unwrap_or_else(|error| panic!("{instance} {rule}: {error}"));
        let alone = tally(&election, *rule, &options).unwrap_or_else(|error| panic!("{instance} {rule}: {error}"));
        assert_eq!(shared, alone, "{instance} {rule}: a shared run changed the outcome");
    }
}

#[test]
fn approval_elections_share_runs_without_changing_outcomes() {
    check("Poland_Warszawa_2018_Grochow_Kinowa.pb", TieBreaking::Lexicographic);
    check("Poland_Wieliczka_2023_Green_Budget.pb", TieBreaking::Lexicographic);
}

#[test]
fn tie_breaking_is_part_of_what_is_shared() {
    let election = load("Poland_Krakow_2018_Wzgorza_Krzeslawickie.pb");
    let mut tallier = Tallier::new(&election);
    for tie_breaking in [TieBreaking::Lexicographic, TieBreaking::LowestCost, TieBreaking::MostVotes] {
        let options = TallyOptions { tie_breaking, ..TallyOptions::default() };
        for rule in [Rule::MesCost, Rule::MesCostGreedy, Rule::GreedyCost] {
            let alone = tally(&election, rule, &options).expect("tallies");
            assert_eq!(tallier.tally(rule, &options).expect("tallies"), alone, "{rule} with {tie_breaking:?}");
        }
    }
}

#[test]
fn other_ballot_formats_share_runs_without_changing_outcomes() {
    check("Poland_Czestochowa_2020_Grabowka.pb", TieBreaking::Lexicographic);
}
