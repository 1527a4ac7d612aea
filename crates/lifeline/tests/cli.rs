//! The binary's contract: its commands, outputs and exit codes.

use std::path::Path;

mod support;
use support::{lifeline, text};

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

#[test]
fn foi_deadline_prints_the_due_date_first_and_refuses_what_cannot_be() {
    let first = |o: &std::process::Output| {
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    // Seed 000's request, received Friday 3 July 2020: Northern Ireland's
    // 13 July and Scotland's 3 August are not working days.
    let o = lifeline(&["foi", "deadline", "--received", "2020-07-03"]);
    assert!(o.status.success());
    assert_eq!(first(&o), "2020-08-04");
    let t = text(&o);
    assert!(
        t.contains("skipped 2020-07-13") && t.contains("skipped 2020-08-03"),
        "{t}"
    );
    let o = lifeline(&[
        "foi",
        "deadline",
        "--received",
        "2025-03-03",
        "--clarified",
        "2025-03-10",
        "--fee-notice",
        "2025-03-17",
        "--fee-paid",
        "2025-03-21",
        "--extension",
        "10",
    ]);
    assert_eq!(first(&o), "2025-04-30");
    assert!(text(&o).contains("refusal notice due on day 20: 2025-04-14"));
    let o = lifeline(&[
        "foi",
        "deadline",
        "--received",
        "2025-03-03",
        "--extension",
        "21",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("at most 20 working days"), "{}", text(&o));
    let o = lifeline(&[
        "foi",
        "deadline",
        "--received",
        "2025-03-03",
        "--fee-notice",
        "2025-03-04",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn foi_generate_then_stats_and_redact_refuses_what_is_not_a_pdf() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("foi.db").display());
    let o = lifeline(&[
        "foi",
        "generate",
        "--year",
        "2025",
        "--count",
        "40",
        "--seed",
        "3",
        "--database-url",
        &url,
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let generated = String::from_utf8_lossy(&o.stdout).to_string();
    let o = lifeline(&[
        "foi",
        "stats",
        "--database-url",
        &url,
        "--from",
        "2025-01-01",
        "--to",
        "2025-12-31",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let stats = String::from_utf8_lossy(&o.stdout).to_string();
    assert_eq!(stats, generated, "the same figures from the same database");
    assert!(stats.starts_with("quarter,received,"));
    let received: u64 = stats
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().parse::<u64>().unwrap())
        .sum();
    assert!(received > 30 && received <= 40, "{stats}");
    let not_pdf = dir.path().join("letter.docx");
    std::fs::write(&not_pdf, b"PK\x03\x04 not a pdf").unwrap();
    let out = dir.path().join("out.pdf");
    let o = lifeline(&[
        "foi",
        "redact",
        "--input",
        not_pdf.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
        "--term",
        "Smith",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("not a PDF"), "{}", text(&o));
    assert!(!out.exists(), "nothing written");
}

#[test]
fn datalab_link_writes_statuses_and_pseudonyms_but_no_personal_details() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), &[]);
    let d = |p: &str| dir.path().join(p).to_str().unwrap().to_string();
    let o = lifeline(&[
        "datalab",
        "link",
        "--cohort",
        &d("cohort.csv"),
        "--request",
        &d("request.toml"),
        "--reference",
        &d(""),
        "--out",
        &d("out"),
        "--key",
        &d("lab.key"),
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("match rate"), "{}", text(&o));
    let csv = std::fs::read_to_string(dir.path().join("out/linkage.csv")).unwrap();
    assert!(csv.starts_with("row,status,pseudonym,tier,match_weight,match_probability,reason"));
    // A line per usable row (intake may exclude a row or two with errors).
    let rows = csv.lines().count() - 1;
    assert!((115..=120).contains(&rows), "{rows} rows");
    assert!(csv.contains(",matched,"));
    let cohort = std::fs::read_to_string(dir.path().join("cohort.csv")).unwrap();
    for line in cohort.lines().skip(1).take(30) {
        let surname = line.split(',').nth(1).unwrap();
        assert!(!csv.contains(&format!(",{surname},")), "{surname} leaked");
    }
    assert!(
        std::fs::read_to_string(dir.path().join("lab.key"))
            .unwrap()
            .trim()
            .len()
            == 64
    );
    // A bad threshold is a usage error with the fix.
    let o = lifeline(&[
        "datalab",
        "link",
        "--cohort",
        &d("cohort.csv"),
        "--request",
        &d("request.toml"),
        "--reference",
        &d(""),
        "--out",
        &d("out"),
        "--key",
        &d("lab.key"),
        "--threshold",
        "99",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("between 0 and 1"), "{}", text(&o));
}

#[test]
fn link_and_dedupe_infer_settings_show_them_and_write_pairs() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.csv");
    let b = dir.path().join("b.csv");
    std::fs::write(&a, "id,first_name,surname,dob\n1,Robert,Smith,1980-02-03\n2,Aisha,Khan,1992-11-30\n3,Zoë,O'Neill,1975-06-15\n").unwrap();
    std::fs::write(&b, "id,first_name,surname,dob\nx,Bob,Smith,1980-02-03\ny,Aisha,Kahn,1992-11-30\nz,Mark,Jones,1960-01-01\nw,ZOE,ONEILL,1975-06-15\n").unwrap();
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    let o = lifeline(&["link", "--left", a, "--right", b, "--print-settings"]);
    assert!(o.status.success(), "{}", text(&o));
    let shown = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(
        shown.contains("kind = \"forename\"") && shown.contains("[[blocking]]"),
        "{shown}"
    );

    let pairs = dir.path().join("pairs.csv");
    let o = lifeline(&[
        "link",
        "--left",
        a,
        "--right",
        b,
        "--out",
        pairs.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("inferred from the column names"),
        "{}",
        text(&o)
    );
    let out = std::fs::read_to_string(&pairs).unwrap();
    let header = out.lines().next().unwrap();
    assert!(header.starts_with(
        "left_id,right_id,match_weight,match_probability,first_name_level,first_name_weight"
    ));
    let linked: Vec<(String, String)> = out
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].to_string(), f[1].to_string())
        })
        .collect();
    for want in [("1", "x"), ("2", "y"), ("3", "w")] {
        assert!(
            linked.contains(&(want.0.into(), want.1.into())),
            "{want:?} missing from {linked:?}"
        );
    }

    let clusters = dir.path().join("clusters.csv");
    let o = lifeline(&[
        "dedupe",
        "--input",
        b,
        "--out",
        pairs.to_str().unwrap(),
        "--clusters",
        clusters.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(
        std::fs::read_to_string(&clusters).unwrap().lines().count(),
        5
    );

    let o = lifeline(&[
        "link",
        "--left",
        a,
        "--right",
        "missing.parquet",
        "--out",
        pairs.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("missing.parquet"), "{}", text(&o));
}
