//! `lifeline datalab run`: a request from the provider's files to the
//! issued report, and the stages that stop one.

mod support;

use std::path::Path;

use support::{lifeline, text};

/// A generated national dataset with its provider cohort.
fn generated(dir: &Path) {
    let o = lifeline(&[
        "datalab",
        "generate",
        "--people",
        "20000",
        "--cohort",
        "400",
        "--out",
        dir.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", text(&o));
}

fn run(dir: &Path, cohort: &Path, out: &str, extra: &[&str]) -> std::process::Output {
    let p = |name: &str| dir.join(name).to_str().unwrap().to_string();
    let mut args = vec![
        "datalab".to_string(),
        "run".into(),
        "--cohort".into(),
        cohort.to_str().unwrap().into(),
        "--request".into(),
        p("request.toml"),
        "--reference".into(),
        dir.to_str().unwrap().into(),
        "--key".into(),
        p("lab.key"),
        "--register".into(),
        p("register.csv"),
        "--out".into(),
        p(out),
        "--quiet".into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    lifeline(&args)
}

fn planted(dir: &Path) -> f64 {
    let truth = std::fs::read_to_string(dir.join("truth/effect.toml")).unwrap();
    truth
        .lines()
        .find_map(|l| l.strip_prefix("true_effect = "))
        .unwrap()
        .parse()
        .unwrap()
}

/// The unrounded interval the command prints for the lab's own checks.
fn interval(printed: &str) -> (f64, f64) {
    let line = printed
        .lines()
        .find(|l| l.contains("lab only, unrounded"))
        .unwrap_or_else(|| panic!("no unrounded line in:\n{printed}"));
    let after = line.split("95% CI ").nth(1).unwrap();
    let mut parts = after.trim_end_matches(')').split(" to ");
    let low = parts.next().unwrap().trim().parse().unwrap();
    let high = parts.next().unwrap().trim().parse().unwrap();
    (low, high)
}

#[test]
fn a_request_runs_to_its_report_and_a_near_copy_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    generated(root);
    let cohort = root.join("cohort.csv");

    let o = run(root, &cohort, "first", &["--id", "JDL-1", "--no-pdf"]);
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    let (low, high) = interval(&t);
    let truth = planted(root);
    assert!(
        low <= truth && truth <= high,
        "planted {truth} outside [{low}, {high}]"
    );

    let html = std::fs::read_to_string(root.join("first/report.html")).unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("first/report.json")).unwrap())
            .unwrap();
    assert_eq!(json["request_id"], "JDL-1");
    assert_eq!(json["measures"][0]["measure"], "reoffending");
    assert_eq!(json["measures"][0]["status"], "shown");
    // The headline in the lab's wording, a chart per shown measure, the
    // chevron, the balance table and the annex.
    let statement = json["measures"][0]["headline"]["statement"]
        .as_str()
        .unwrap();
    assert!(html.contains(&html_escaped(statement)), "{statement}");
    let shown = json["measures"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["status"] == "shown")
        .count();
    assert_eq!(html.matches("<svg class=\"chart\"").count(), shown);
    assert_eq!(html.matches("<svg class=\"chevron\"").count(), 1);
    assert!(html.contains("Technical annex"));
    // The generator's cohort starts from releases and order starts, never
    // from cautions, and the annex says which kinds counted.
    let kinds = json["method"]["index_events"].as_str().unwrap();
    assert!(
        kinds.contains("release from custody") && !kinds.contains("caution"),
        "{kinds}"
    );
    assert!(html.contains(&html_escaped(kinds)), "{kinds}");
    assert_eq!(json["stages"].as_array().unwrap().len(), 6);
    assert!(!html.contains("<script"), "the report runs no scripts");

    // Nothing individual-level: none of the analysed people's pseudonyms
    // (now in the register) is in the report.
    let register = std::fs::read_to_string(root.join("register.csv")).unwrap();
    let pseudonyms: Vec<&str> = register
        .lines()
        .skip(1)
        .map(|l| l.rsplit(',').next().unwrap())
        .collect();
    assert!(pseudonyms.len() > 100, "{} people", pseudonyms.len());
    let json_text = std::fs::read_to_string(root.join("first/report.json")).unwrap();
    for p in &pseudonyms {
        assert!(!html.contains(p) && !json_text.contains(p));
    }

    // Running the same request again changes nothing in the register.
    let o = run(root, &cohort, "again", &["--id", "JDL-1", "--no-pdf"]);
    assert!(o.status.success(), "{}", text(&o));
    let after = std::fs::read_to_string(root.join("register.csv")).unwrap();
    assert_eq!(after.lines().count(), register.lines().count());

    // The same cohort less three people, as a new request: subtracting the
    // two reports would give those three people's outcomes.
    let full = std::fs::read_to_string(&cohort).unwrap();
    let lines: Vec<&str> = full.lines().collect();
    let fewer = root.join("fewer.csv");
    std::fs::write(&fewer, lines[..lines.len() - 3].join("\n") + "\n").unwrap();
    let o = run(root, &fewer, "second", &["--id", "JDL-2", "--no-pdf"]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains("stopped at disclosure control"), "{t}");
    assert!(t.contains("JDL-1"), "{t}");
    assert!(!root.join("second/report.html").exists());
}

fn html_escaped(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[test]
fn an_unconfirmed_request_stops_at_intake() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    generated(root);
    let request = std::fs::read_to_string(root.join("request.toml")).unwrap();
    assert!(request.contains("data_protection = true"));
    std::fs::write(
        root.join("request.toml"),
        request.replace("data_protection = true", "data_protection = false"),
    )
    .unwrap();
    let o = run(root, &root.join("cohort.csv"), "out", &["--no-pdf"]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains("Stopped at intake"), "{t}");
    assert!(t.contains("has not confirmed that sharing"), "{t}");
    assert!(!root.join("out/report.html").exists());
}

#[test]
fn the_pdf_is_the_printed_report_or_says_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    generated(root);
    let o = run(root, &root.join("cohort.csv"), "out", &[]);
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    let pdf = root.join("out/report.pdf");
    if pdf.exists() {
        let bytes = std::fs::read(&pdf).unwrap();
        assert!(bytes.starts_with(b"%PDF"));
        assert!(bytes.len() > 10_000, "{} bytes", bytes.len());
    } else {
        // Only where no Chromium is installed; CI installs it.
        assert!(t.contains("install Debian's chromium"), "{t}");
    }
}
