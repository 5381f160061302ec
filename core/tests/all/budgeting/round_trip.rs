//! Writing `.pb` files: every shared file survives parse → write → parse unchanged, and an
//! election exported from Civitas tallies the same after the round trip.

use super::support::{instances, load};
use civitas_core::budgeting::{Rule, TallyOptions, pabulib_string, parse_pabulib_str, tally};

#[test]
fn every_shared_file_round_trips() {
    for instance in instances() {
        let election = load(&instance);
        let written = pabulib_string(&election).expect("writing to a string cannot fail");
        let reread = parse_pabulib_str(&written).unwrap_or_else(|error| panic!("{instance} rewritten: {error}"));
        assert_eq!(reread, election, "{instance} changed in the round trip");
        // Writing is deterministic: a second round trip gives the same text.
        assert_eq!(pabulib_string(&reread).expect("write"), written, "{instance} is not written stably");
    }
}

#[test]
fn a_round_tripped_election_tallies_the_same() {
    let election = load("Poland_Swiecie_2023.pb");
    let reread = parse_pabulib_str(&pabulib_string(&election).expect("write")).expect("parse");
    for rule in Rule::ALL.into_iter().filter(|rule| rule.applies_to(election.vote_type)) {
        let before = tally(&election, rule, &TallyOptions::default()).expect("tally");
        let after = tally(&reread, rule, &TallyOptions::default()).expect("tally");
        assert_eq!(before.selected, after.selected, "{rule}");
    }
}
