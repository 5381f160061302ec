//! `civitas pb tally` and `civitas pb check` as a user runs them on real Pabulib files.

use std::path::PathBuf;
use std::process::{Command, Output};

const BINARY: &str = env!("CARGO_BIN_EXE_civitas");

/// A real Pabulib file of the repository: the README's example, or one of the core tests'
/// (stored gzip-compressed, as `civitas pb` reads them too).
fn shared_file(name: &str) -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    [root.join("examples/data").join(name), root.join("core/tests/data/pabulib").join(format!("{name}.gz"))]
        .into_iter()
        .find(|path| path.is_file())
        .unwrap_or_else(|| panic!("{name} is not in the repository"))
}

fn civitas(args: &[&str], file: &PathBuf) -> Output {
    Command::new(BINARY).args(args).arg(file).output().expect("run civitas")
}

fn stdout(output: &Output) -> String {
    assert!(output.status.success(), "civitas failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

#[test]
fn tally_prints_the_selection_in_order_of_selection() {
    let file = shared_file("Netherlands_Assen_2024.pb");
    // reference.tsv: pabutools' selection order for greedy-cost on Assen is 3,9,8,11,2,13,14.
    let lines: Vec<String> =
        stdout(&civitas(&["pb", "tally", "--rule", "greedy-cost"], &file)).lines().map(str::to_owned).collect();
    assert_eq!(lines, ["3", "9", "8", "11", "2", "13", "14"]);
    let mes: Vec<String> =
        stdout(&civitas(&["pb", "tally", "--rule", "mes-cost"], &file)).lines().map(str::to_owned).collect();
    assert_eq!(mes, ["3", "9", "2", "13", "11", "14", "12"]);
}

#[test]
fn explain_and_json_say_why_each_project_won_or_lost() {
    let file = shared_file("Netherlands_Assen_2024.pb");
    let report = stdout(&civitas(&["pb", "tally", "--rule", "mes-cost", "--explain"], &file));
    assert!(report.contains("Budget 100,000 EUR. 7 of 14 projects funded, costing 60,700 EUR"), "{report}");
    assert!(report.contains("1. PopUp Podium (project 3): costs 7,200 EUR, supported by 43 voters."), "{report}");
    assert!(
        report.contains("Crossbaan in Peelo (project 8): costs 40,000 EUR, supported by 25 voters.\n       Its 25 supporters had spent most of their equal shares"),
        "a loser, by name, and why in words: {report}"
    );
    assert!(!report.contains('ρ'), "no jargon: {report}");
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&civitas(&["pb", "tally", "--rule", "mes-cost", "--json"], &file))).expect("JSON");
    assert_eq!(json["selected"][0], "3");
    let explanations = json["explanations"].as_array().expect("explanations");
    assert_eq!(explanations.len(), 14, "one per project");
    let first = explanations.iter().find(|entry| entry["project_id"] == "3").expect("project 3");
    assert_eq!(first["reason"]["kind"], "equal_shares_bought");
    assert_eq!(first["reason"]["round"], 1);
    let losers: Vec<_> = explanations.iter().filter(|entry| entry["selected"] == false).collect();
    assert!(!losers.is_empty());
    for loser in losers {
        let kind = loser["reason"]["kind"].as_str().expect("kind");
        assert!(kind == "equal_shares_unaffordable" || kind == "no_supporters", "{loser}");
    }
}

#[test]
fn payer_ids_name_the_voters_of_each_payer_group() {
    let file = shared_file("Netherlands_Assen_2024.pb");
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&civitas(&["pb", "tally", "--rule", "mes-cost", "--json", "--payer-ids"], &file)))
            .expect("JSON");
    let first = json["explanations"].as_array().expect("explanations").iter().find(|entry| entry["project_id"] == "3");
    let groups = first.expect("project 3")["reason"]["payers"].as_array().expect("payer groups");
    assert!(!groups.is_empty());
    for group in groups {
        let ids = group["voter_ids"].as_array().expect("voter ids asked for");
        assert_eq!(ids.len() as u64, group["voters"].as_u64().expect("voters"), "{group}");
    }
    // Without the flag the lists are left out.
    let plain = stdout(&civitas(&["pb", "tally", "--rule", "mes-cost", "--json"], &file));
    assert!(!plain.contains("voter_ids"));
    let table = stdout(&civitas(&["pb", "tally", "--rule", "mes-cost", "--explain", "--payer-ids"], &file));
    assert!(table.lines().any(|line| line.starts_with("  PopUp Podium (project 3), round 1, ")), "{table}");
}

#[test]
fn check_summarises_a_file() {
    let file = shared_file("Poland_Wieliczka_2023_Green_Budget.pb");
    let summary: serde_json::Value =
        serde_json::from_str(&stdout(&civitas(&["pb", "check", "--json"], &file))).expect("JSON");
    assert_eq!(summary["vote_type"], "approval");
    assert!(summary["projects"].as_u64().expect("projects") > 0);
    assert!(summary["voters"].as_u64().expect("voters") > 0);
    let text = stdout(&civitas(&["pb", "check"], &file));
    assert!(text.contains("valid Pabulib file") && text.contains("vote type: approval"), "{text}");
}

#[test]
fn bad_input_fails_with_a_clear_message_and_no_panic() {
    let broken = std::env::temp_dir().join(format!("civitas-broken-{}.pb", uuid::Uuid::new_v4().simple()));
    std::fs::write(&broken, "META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;ten\n")
        .expect("write");
    let output = civitas(&["pb", "check"], &broken);
    let _ = std::fs::remove_file(&broken);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("line 7") && stderr.contains("cost"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");

    let file = shared_file("Netherlands_Assen_2024.pb");
    let output = civitas(&["pb", "tally", "--rule", "mes-points"], &file);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("cumulative or scoring"));
    let output = civitas(&["pb", "tally", "--rule", "nonsense"], &file);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("mes-cost"));
}

#[test]
fn an_official_warsaw_file_with_ballots_over_its_limit_is_read_as_pabutools_reads_it_unless_strict() {
    // Warszawa 2018, Grochów Kinowa: costs were revised after the vote, so two ballots now cost
    // more than the file's max_sum_cost (lines 837 and 838).
    let file = shared_file("Poland_Warszawa_2018_Grochow_Kinowa.pb");
    let check = stdout(&civitas(&["pb", "check"], &file));
    let warnings: Vec<&str> = check.lines().filter(|line| line.contains("more than max_sum_cost")).collect();
    assert_eq!(
        warnings,
        [
            "warning: line 837, field `vote`: the ballot costs 236698 in total, more than max_sum_cost 214386.4",
            "warning: line 838, field `vote`: the ballot costs 254998 in total, more than max_sum_cost 214386.4",
        ],
        "{check}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&civitas(&["pb", "check", "--json"], &file))).expect("JSON");
    assert_eq!(json["voters"], 826, "every ballot counted");
    let listed = json["warnings"].as_array().expect("warnings");
    assert_eq!(listed.iter().filter(|w| w.as_str().unwrap_or("").contains("max_sum_cost")).count(), 2);

    // reference.tsv: pabutools 1.2.3's mes-cost on this file.
    let tallied = civitas(&["pb", "tally", "--rule", "mes-cost"], &file);
    let mut selected: Vec<String> = stdout(&tallied).lines().map(str::to_owned).collect();
    selected.sort();
    assert_eq!(selected, ["1110", "2042", "2264", "2492", "2654", "2680", "2734", "696"]);
    let said = String::from_utf8_lossy(&tallied.stderr);
    assert!(said.contains("2 ballots break the file's declarations"), "{said}");

    for command in [&["pb", "check", "--strict"][..], &["pb", "tally", "--rule", "mes-cost", "--strict"]] {
        let refused = civitas(command, &file);
        let said = String::from_utf8_lossy(&refused.stderr);
        assert!(!refused.status.success(), "{command:?}");
        assert!(said.contains("line 837, field `vote`") && said.contains("--strict"), "{command:?}: {said}");
        assert!(refused.stdout.is_empty(), "{command:?}: nothing printed on refusal");
    }
}
