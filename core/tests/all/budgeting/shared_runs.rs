//! Tallying one election with several rules through a `Tallier` (as `civitas pb sweep` does)
//! gives exactly the outcomes of separate `tally` calls, explanations included.

use super::support::load;
use civitas_core::budgeting::{Outcome, Rule, Tallier, TallyOptions, TieBreaking, tally};

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
        // The number of runs counts the path taken (the cities' variant resumes pabutools').
        let runs = |outcome: &Outcome| outcome.add_one_runs.is_some();
        assert_eq!(runs(&shared), runs(&alone), "{instance} {rule}");
        let same_path = Outcome { add_one_runs: alone.add_one_runs, ..shared };
        assert_eq!(same_path, alone, "{instance} {rule}: a shared run changed the outcome");
    }
}

#[test]
fn approval_elections_share_runs_without_changing_outcomes() {
    check("Poland_Warszawa_2018_Grochow_Kinowa.pb", TieBreaking::Lexicographic);
    check("Poland_Wieliczka_2023_Green_Budget.pb", TieBreaking::Lexicographic);
}

/// Wieliczka's official (cities') add-one result goes further than pabutools' stop, so there the
/// cities' variant resumed from pabutools' run rather than reusing it — and still matches.
#[test]
fn the_cities_add_one_variant_resumes_where_pabutools_stopped() {
    let election = load("Poland_Wieliczka_2023_Green_Budget.pb");
    let options = TallyOptions::default();
    let mut tallier = Tallier::new(&election);
    let pabutools = tallier.tally(Rule::MesCostAdd1, &options).expect("tallies");
    let cities = tallier.tally(Rule::MesCostAdd1Exhaustive, &options).expect("tallies");
    assert_ne!(pabutools.selected, cities.selected, "the two stops differ on this election");
    assert_ne!(pabutools.per_voter_budget, cities.per_voter_budget, "the cities' variant raised the budget further");
    let alone = tally(&election, Rule::MesCostAdd1Exhaustive, &options).expect("tallies");
    assert_eq!((&cities.selected, &cities.explanations), (&alone.selected, &alone.explanations));
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
