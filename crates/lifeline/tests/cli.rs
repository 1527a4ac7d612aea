//! The binary's contract: its commands, outputs and exit codes.

use std::path::Path;
use std::process::{Command, Output};

fn lifeline(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lifeline"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn generate(dir: &Path, extra: &[&str]) {
    let out = dir.to_str().unwrap();
    let mut args = vec![
        "datalab", "generate", "--people", "8000", "--cohort", "120", "--out", out, "--quiet",
    ];
    args.extend_from_slice(extra);
    let o = lifeline(&args);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("Provider cohort"), "{}", text(&o));
}

#[test]
fn generate_then_validate_accepts_the_generated_cohort() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), &[]);
    let cohort = dir.path().join("cohort.csv");
    let request = dir.path().join("request.toml");
    let o = lifeline(&[
        "datalab",
        "validate",
        "--cohort",
        cohort.to_str().unwrap(),
        "--request",
        request.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).starts_with("ACCEPTED"), "{}", text(&o));

    let o = lifeline(&[
        "datalab",
        "validate",
        "--json",
        "--cohort",
        cohort.to_str().unwrap(),
        "--request",
        request.to_str().unwrap(),
    ]);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON report");
    assert_eq!(report["decision"], "accepted");
    assert_eq!(report["counts"]["rows_read"], 120);
}

#[test]
fn a_rejected_cohort_exits_1_and_a_usage_error_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), &[]);
    let cohort = dir.path().join("cohort.csv");
    let request = dir.path().join("request.toml");
    // Asking for more rows than the file has is a rejection, not an error.
    let o = lifeline(&[
        "datalab",
        "validate",
        "--min-records",
        "500",
        "--cohort",
        cohort.to_str().unwrap(),
        "--request",
        request.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).starts_with("REJECTED"), "{}", text(&o));

    let missing = dir.path().join("nope.csv");
    let o = lifeline(&[
        "datalab",
        "validate",
        "--cohort",
        missing.to_str().unwrap(),
        "--request",
        request.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("nope.csv"), "{}", text(&o));

    let o = lifeline(&["datalab", "validate", "--cohort"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

#[test]
fn generate_refuses_impossible_settings_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let o = lifeline(&[
        "datalab",
        "generate",
        "--people",
        "0",
        "--out",
        dir.path().to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("--people must be between 1 and"),
        "{}",
        text(&o)
    );
}

#[test]
fn calendar_commands_answer_with_published_dates() {
    let o = lifeline(&[
        "calendar",
        "holidays",
        "--year",
        "2022",
        "--region",
        "england-and-wales",
    ]);
    assert!(o.status.success());
    let t = text(&o);
    assert!(
        t.contains("Thu  2 Jun 2022") && t.contains("Mon 19 Sep 2022"),
        "{t}"
    );
    // An FOI request received on Friday 20 December 2024: its 20th working
    // day counts 2 January out, as a Scottish bank holiday.
    let o = lifeline(&[
        "calendar",
        "add",
        "--from",
        "2024-12-20",
        "--days",
        "20",
        "--region",
        "uk",
    ]);
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        "2025-01-23 (Thursday)"
    );
    let o = lifeline(&[
        "calendar",
        "between",
        "--from",
        "2024-12-20",
        "--to",
        "2025-01-23",
        "--region",
        "uk",
    ]);
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "20 working days");
    let o = lifeline(&["calendar", "holidays", "--year", "1800"]);
    assert_eq!(o.status.code(), Some(2));
}
