//! `civitas pb tally`, `check` and `sweep` as a user runs them on real Pabulib files.

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

/// `civitas pb sweep` on a directory: every file × every rule `pb check` lists, each with the
/// selection `pb tally` prints; a broken file is one refused row, not the end of the sweep.
#[test]
fn sweep_tallies_a_directory_with_every_rule_like_tally_does() {
    let dir = std::env::temp_dir().join(format!("civitas-sweep-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let names =
        ["Netherlands_Assen_2024.pb", "Poland_Czestochowa_2020_Grabowka.pb", "Poland_Warszawa_2018_Grochow_Kinowa.pb"];
    for name in names {
        let source = shared_file(name);
        std::fs::copy(&source, dir.join(source.file_name().expect("name"))).expect("copy");
    }
    std::fs::write(dir.join("broken.pb"), "META\nkey;value\nbudget;ten\n").expect("write");
    let swept = civitas(&["pb", "sweep", "--jobs", "2"], &dir);
    let table = stdout(&swept);
    let rows: Vec<Vec<&str>> = table.lines().skip(1).map(|line| line.split('\t').collect()).collect();
    let summary = String::from_utf8_lossy(&swept.stderr);
    assert!(summary.contains("files: 4"), "{summary}");

    let broken: Vec<_> = rows.iter().filter(|row| row[0] == "broken.pb").collect();
    assert_eq!(broken.len(), 1, "{table}");
    assert_eq!(broken[0][1..3], ["(read)", "refused"], "{table}");
    for name in names {
        let file = shared_file(name);
        let check: serde_json::Value =
            serde_json::from_str(&stdout(&civitas(&["pb", "check", "--json"], &file))).expect("JSON");
        let rules: Vec<&str> =
            check["applicable_rules"].as_array().expect("rules").iter().filter_map(|rule| rule.as_str()).collect();
        let file_name = file.file_name().expect("name").to_string_lossy().into_owned();
        let swept_rules: Vec<&str> =
            rows.iter().filter(|row| row[0] == file_name && row[1] != "(read)").map(|row| row[1]).collect();
        assert_eq!(swept_rules, rules, "{file_name}: every applicable rule, in the engine's order");
        for row in rows.iter().filter(|row| row[0] == file_name && row[1] != "(read)") {
            assert_eq!(row[2], "ok", "{row:?}");
            let printed = stdout(&civitas(&["pb", "tally", "--rule", row[1]], &file));
            assert_eq!(row[4], printed.lines().count().to_string(), "{file_name} {}: projects selected", row[1]);
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// `civitas pb export` on a server's data dir: refused before the tally; after it, a `.pb` file
/// that `civitas pb tally` counts to the stored outcome.
#[tokio::test]
async fn export_writes_a_tallied_process_that_pb_tally_counts_to_the_stored_outcome() {
    use civitas_core::auth::{Caller, Role};
    use civitas_core::budget_processes::{self as pb, BallotChoices, BudgetProcessDraft, Feasibility, ProjectProposal};
    use civitas_core::i18n::LocalizedText;
    use civitas_core::tickets::Channel;

    let data_dir = std::env::temp_dir().join(format!("civitas-pb-export-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&data_dir).expect("data dir");
    let db = civitas_core::db::connect(&civitas_core::db::sqlite_url_in(&data_dir)).await.expect("connect");
    civitas_core::db::migrate(&db).await.expect("migrate");
    let ctx = civitas_core::Context::new(db);
    let city = civitas_core::demo::seed_directory(&ctx).await.expect("seed").expect("empty database");
    let district = city.districts[0].district.id;
    let admin = Caller::district_admin("admin", district);
    let text = |en: &str| LocalizedText::new(en, en, en);
    let draft = BudgetProcessDraft {
        title: Some(text("Export")),
        budget: Some("1000".into()),
        currency: Some("CNY".into()),
        ..BudgetProcessDraft::default()
    };
    let process = pb::create(&ctx, &admin, Some(district), draft).await.expect("create");
    let mut projects = Vec::new();
    for (title, cost) in [("a", "600"), ("b", "500"), ("c", "400"), ("d", "100")] {
        let proposal = ProjectProposal {
            title: text(title),
            description: None,
            cost: cost.into(),
            street_id: None,
            latitude: None,
            longitude: None,
        };
        projects.push(pb::propose(&ctx, &admin, process.id, proposal).await.expect("propose").id);
    }
    pb::advance(&ctx, &admin, process.id).await.expect("review");
    for project in &projects {
        pb::review(&ctx, &admin, *project, Feasibility::Feasible { cost: None }).await.expect("review");
    }
    pb::advance(&ctx, &admin, process.id).await.expect("voting");
    for voter in 0..9usize {
        let approvals = match voter % 3 {
            0 => vec![projects[0], projects[3]],
            1 => vec![projects[1], projects[2]],
            _ => vec![projects[2]],
        };
        let resident = Caller::User {
            subject: format!("v{voter}"),
            role: Role::Resident,
            district: Some(district),
            department: None,
            phone: None,
            birth_year: None,
            email: None,
        };
        let ballot = BallotChoices { approvals, ..BallotChoices::default() };
        pb::cast(&ctx, &resident, process.id, ballot, Channel::App, None).await.expect("cast");
    }
    let out = data_dir.join("ballots.pb");
    let export = || {
        Command::new(BINARY)
            .args(["pb", "export", &process.id.to_string(), "--out"])
            .arg(&out)
            .arg("--data-dir")
            .arg(&data_dir)
            .env_remove("DATABASE_URL")
            .output()
            .expect("run civitas")
    };
    let early = export();
    assert!(!early.status.success());
    assert!(String::from_utf8_lossy(&early.stderr).contains("cannot export"), "{early:?}");

    pb::advance(&ctx, &admin, process.id).await.expect("tally");
    let stored = pb::results(&ctx, process.id).await.expect("results").expect("tallied");
    let exported = export();
    assert!(exported.status.success(), "{}", String::from_utf8_lossy(&exported.stderr));
    let counted: Vec<String> =
        stdout(&civitas(&["pb", "tally", "--rule", "mes-cost+greedy"], &out)).lines().map(str::to_owned).collect();
    let expected: Vec<String> = stored.selected.iter().map(ToString::to_string).collect();
    assert!(!expected.is_empty());
    assert_eq!(counted, expected);
    std::fs::remove_dir_all(&data_dir).ok();
}
