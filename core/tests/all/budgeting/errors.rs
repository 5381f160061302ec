//! Malformed files are rejected with the line and field at fault, never a panic; rules that do
//! not fit the ballots are refused by name.

use civitas_core::budgeting::{
    PabulibError, ParseLimits, Rule, TallyError, TallyOptions, parse_pabulib, parse_pabulib_str,
    parse_pabulib_with_limits, tally,
};
use std::io::{BufReader, Read};

const HEAD: &str =
    "META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;10\n2;20\nVOTES\nvoter_id;vote\n";

fn field_error(text: &str) -> (usize, String, String) {
    match parse_pabulib_str(text) {
        Err(PabulibError::InvalidField { line, field, message }) => (line, field, message),
        other => panic!("expected a field error, got {other:?}"),
    }
}

#[test]
fn a_two_gigabyte_line_is_refused_without_reading_it_all() {
    // 2 GiB of one line, produced on the fly: the parser must stop at its line limit.
    let endless = std::io::repeat(b'x').take(2 * 1024 * 1024 * 1024);
    let error = parse_pabulib(BufReader::new(endless)).expect_err("must be rejected");
    assert!(matches!(error, PabulibError::InvalidLine { line: 1, .. }), "{error}");
    assert!(error.to_string().contains("line 1"), "{error}");
}

#[test]
fn the_line_limit_is_configurable() {
    let long_name = format!(
        "META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost;name\n1;10;{}\n",
        "n".repeat(500)
    );
    let error = parse_pabulib_with_limits(long_name.as_bytes(), ParseLimits { max_line_bytes: 100 })
        .expect_err("must be rejected");
    assert!(matches!(error, PabulibError::InvalidLine { line: 7, .. }), "{error}");
}

#[test]
fn each_kind_of_malformed_value_names_its_line_and_field() {
    let (line, field, message) = field_error(&format!("{HEAD}v1;1,7\n"));
    assert_eq!((line, field.as_str()), (11, "vote"));
    assert!(message.contains('7'), "{message}");

    let (line, field, _) = field_error(&HEAD.replace("2;20", "2;twenty"));
    assert_eq!((line, field.as_str()), (8, "cost"));

    let (line, field, _) = field_error(&HEAD.replace("budget;100", "budget;lots"));
    assert_eq!((line, field.as_str()), (3, "budget"));

    let (line, field, _) = field_error(&HEAD.replace("2;20", "2;-20"));
    assert_eq!((line, field.as_str()), (8, "cost"));

    let (_, field, _) = field_error(&HEAD.replace("approval", "plurality-ish"));
    assert_eq!(field, "vote_type");

    let cumulative = "META\nkey;value\nbudget;100\nvote_type;cumulative\nPROJECTS\nproject_id;cost\n1;10\n2;20\nVOTES\nvoter_id;vote;points\n";
    let (line, field, _) = field_error(&format!("{cumulative}v1;1,2;3\n"));
    assert_eq!((line, field.as_str()), (11, "points"));
}

#[test]
fn a_knapsack_ballot_over_its_limit_is_read_as_pabutools_reads_it_with_a_warning_naming_it() {
    // Official files hold such ballots (costs revised after the vote); `--strict` refuses them.
    let knapsack = HEAD.replace("vote_type;approval", "vote_type;approval\nmax_sum_cost;25");
    let election = parse_pabulib_str(&format!("{knapsack}v1;1\nv2;1,2\n")).expect("read");
    assert_eq!(election.voter_count(), 2);
    let [warning] = election.warnings.as_slice() else { panic!("one warning: {:?}", election.warnings) };
    assert_eq!((warning.line, warning.field.as_str()), (13, "vote"));
    assert!(warning.message.contains("max_sum_cost 25"), "{}", warning.message);
}

#[test]
fn missing_sections_are_named() {
    for (text, what) in [
        ("META\nkey;value\nbudget;100\nvote_type;approval\nVOTES\nvoter_id;vote\n", "PROJECTS"),
        ("META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;10\n", "VOTES"),
        ("PROJECTS\nproject_id;cost\n1;10\nVOTES\nvoter_id;vote\n", "META"),
        ("", "META"),
    ] {
        let error = parse_pabulib_str(text).expect_err("must be rejected");
        assert!(error.to_string().contains(what), "{what}: {error}");
    }
}

#[test]
fn bytes_that_are_not_utf8_are_an_error_with_the_line() {
    let mut bytes = HEAD.as_bytes().to_vec();
    bytes.extend_from_slice(b"v1;1\nv2;\xff\n");
    let error = parse_pabulib(&bytes[..]).expect_err("must be rejected");
    assert!(matches!(error, PabulibError::InvalidLine { line: 12, .. }), "{error}");
}

#[test]
fn rules_that_do_not_fit_the_ballots_are_refused() {
    let election = parse_pabulib_str(&format!("{HEAD}v1;1\n")).expect("valid");
    for rule in [Rule::GreedyPoints, Rule::MesBorda, Rule::MaxWelfarePoints] {
        let error = tally(&election, rule, &TallyOptions::default()).expect_err("must be refused");
        assert!(matches!(error, TallyError::IncompatibleBallots { .. }), "{rule}: {error}");
    }
    let error = "mes-cost-add2".parse::<Rule>().expect_err("unknown");
    assert!(error.to_string().contains("mes-cost-add1"), "the error lists the known rules: {error}");
}
