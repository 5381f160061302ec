//! Every example runs to completion and prints what it promises.

use std::process::Command;

#[test]
fn embed_district_runs_a_ticket_to_closure() {
    let output = Command::new(env!("CARGO_BIN_EXE_embed_district"))
        .env_remove("DATABASE_URL")
        .output()
        .expect("run the example");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("dispatched T-"), "{stdout}");
    assert!(stdout.contains("-> CLOSED"), "{stdout}");
    assert!(
        stdout.contains("Harbour District: 1 ticket(s), response 100%, resolution 100%, satisfaction 100%"),
        "{stdout}"
    );
}
