//! `lifeline match` and `lifeline datalab analyse`: outputs and bad input.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Output;

mod support;
use support::{lifeline, text};

/// A table where treatment depends on age and region, with a known
/// layout: deterministic (a linear congruential sequence), 600 rows.
fn table(dir: &Path) -> std::path::PathBuf {
    let mut csv = String::from("person,treated,age,region,constant,score,y\n");
    let mut state: u64 = 12345;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as f64 / (1u64 << 31) as f64
    };
    for i in 0..600 {
        let age = 18.0 + (next() * 50.0).floor();
        let region = ["London", "Wales", "North West"][(next() * 3.0) as usize % 3];
        let p = 1.0 / (1.0 + (-(-2.0 + 0.03 * (age - 30.0))).exp());
        let treated = u8::from(next() < p);
        let y = u8::from(next() < 0.3);
        let score = next();
        writeln!(csv, "P{i},{treated},{age},{region},1,{score},{y}").unwrap();
    }
    let path = dir.join("data.csv");
    std::fs::write(&path, csv).unwrap();
    path
}

fn run_match(data: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "match",
        "--data",
        data.to_str().unwrap(),
        "--treatment",
        "treated",
        "--covariates",
        "age,region",
        "--outcome",
        "y",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    lifeline(&args)
}

#[test]
fn match_writes_every_output_with_consistent_weights() {
    let dir = tempfile::tempdir().unwrap();
    let data = table(dir.path());
    let out = dir.path().join("out");
    let o = run_match(&data, &out, &["--id", "person", "--ratio", "2"]);
    assert!(o.status.success(), "{}", text(&o));
    for f in [
        "matched.csv",
        "pairs.csv",
        "coefficients.csv",
        "balance.csv",
        "effect.csv",
        "effect.json",
    ] {
        assert!(out.join(f).exists(), "{f} missing");
    }
    let coefficients = std::fs::read_to_string(out.join("coefficients.csv")).unwrap();
    assert!(
        coefficients.contains("regionNorth West") && coefficients.contains("regionWales"),
        "{coefficients}"
    );
    assert!(
        !coefficients.contains("regionLondon"),
        "London is the reference level"
    );

    // Every control in pairs.csv has a weight; treated weights are 1.
    let mut reader = csv::Reader::from_path(out.join("matched.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    assert_eq!(
        headers.iter().collect::<Vec<_>>(),
        [
            "row",
            "id",
            "treated",
            "propensity",
            "distance",
            "weight",
            "subclass"
        ]
    );
    let mut weight = std::collections::HashMap::new();
    for r in reader.records() {
        let r = r.unwrap();
        let w: f64 = r[5].parse().unwrap();
        assert!(w == 0.0 || &r[2] == "0" || w == 1.0);
        assert_eq!(&r[1], &format!("P{}", r[0].parse::<usize>().unwrap() - 1));
        weight.insert(r[0].to_string(), w);
    }
    let pairs = std::fs::read_to_string(out.join("pairs.csv")).unwrap();
    let mut lines = 0;
    for line in pairs.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        assert!(weight[f[0]] > 0.0 && weight[f[1]] > 0.0, "{line}");
        lines += 1;
    }
    assert!(lines > 20, "{pairs}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("effect.json")).unwrap()).unwrap();
    let e = &json["outcomes"][0];
    assert_eq!(e["outcome"], "y");
    let (low, high, d) = (
        e["ci_low"].as_f64().unwrap(),
        e["ci_high"].as_f64().unwrap(),
        e["difference"].as_f64().unwrap(),
    );
    assert!(low < d && d < high);
}

#[test]
fn a_treatment_that_is_not_zero_or_one_is_refused_with_its_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.csv");
    std::fs::write(&path, "treated,age,y\n1,20,0\n0,30,1\n2,40,0\n0,50,1\n").unwrap();
    let o = lifeline(&[
        "match",
        "--data",
        path.to_str().unwrap(),
        "--treatment",
        "treated",
        "--covariates",
        "age",
        "--out",
        dir.path().join("o").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("row 3 holds '2'") && text(&o).contains("1 means treated"),
        "{}",
        text(&o)
    );
}

#[test]
fn missing_values_are_refused_or_dropped_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let data = table(dir.path());
    let body = std::fs::read_to_string(&data).unwrap();
    // Blank the age of rows 5 and 9.
    let lines: Vec<String> = body
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 5 || i == 9 {
                let mut f: Vec<&str> = l.split(',').collect();
                f[2] = "";
                f.join(",")
            } else {
                l.to_string()
            }
        })
        .collect();
    std::fs::write(&data, lines.join("\n") + "\n").unwrap();
    let out = dir.path().join("out");
    let o = run_match(&data, &out, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("'age' has 2 missing values (the first in row 5)")
            && text(&o).contains("--missing drop"),
        "{}",
        text(&o)
    );
    let o = run_match(&data, &out, &["--missing", "drop"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("dropped 2 rows missing age"),
        "{}",
        text(&o)
    );
    let matched = std::fs::read_to_string(out.join("matched.csv")).unwrap();
    assert_eq!(matched.lines().count(), 1 + 598);
}

#[test]
fn constant_covariates_are_dropped_by_name_and_impossible_calipers_explained() {
    let dir = tempfile::tempdir().unwrap();
    let data = table(dir.path());
    let out = dir.path().join("out");
    let o = lifeline(&[
        "match",
        "--data",
        data.to_str().unwrap(),
        "--treatment",
        "treated",
        "--covariates",
        "age,constant",
        "--outcome",
        "y",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("dropped column constant (constant)"),
        "{}",
        text(&o)
    );
    let coefficients = std::fs::read_to_string(out.join("coefficients.csv")).unwrap();
    assert!(coefficients.contains("constant,NA,NA"), "{coefficients}");

    // A caliper of a ten-millionth of a standard deviation leaves nobody a
    // control.
    let o = lifeline(&[
        "match",
        "--data",
        data.to_str().unwrap(),
        "--treatment",
        "treated",
        "--covariates",
        "score",
        "--caliper",
        "0.0000001",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("no treated unit has a control within the caliper"),
        "{}",
        text(&o)
    );
}

#[test]
fn unknown_columns_are_named_with_the_ones_that_exist() {
    let dir = tempfile::tempdir().unwrap();
    let data = table(dir.path());
    let o = run_match(&data, &dir.path().join("out"), &["--exact", "gender"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains(
            "exact matching on 'gender', which is not one of the covariates (age, region)"
        ),
        "{}",
        text(&o)
    );
    let o = lifeline(&[
        "match",
        "--data",
        data.to_str().unwrap(),
        "--treatment",
        "treatment",
        "--covariates",
        "age",
        "--out",
        dir.path().join("o").to_str().unwrap(),
    ]);
    assert!(
        text(&o).contains("no column 'treatment'")
            && text(&o).contains("person, treated, age, region, constant, score, y"),
        "{}",
        text(&o)
    );
}

#[test]
fn analyse_estimates_the_planted_effect_from_a_generated_cohort() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_str().unwrap();
    let o = lifeline(&[
        "datalab", "generate", "--people", "20000", "--cohort", "400", "--out", root, "--quiet",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let out = dir.path().join("analysis");
    let o = lifeline(&[
        "datalab",
        "analyse",
        "--cohort",
        dir.path().join("cohort.csv").to_str().unwrap(),
        "--request",
        dir.path().join("request.toml").to_str().unwrap(),
        "--reference",
        root,
        "--key",
        dir.path().join("lab.key").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let t = text(&o);
    assert!(
        t.contains("For 100 typical people in the treatment group"),
        "{t}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    let r = &json["results"];
    let truth = std::fs::read_to_string(dir.path().join("truth/effect.toml")).unwrap();
    let true_effect: f64 = truth
        .lines()
        .find_map(|l| l.strip_prefix("true_effect = "))
        .unwrap()
        .parse()
        .unwrap();
    let e = &r["measures"][0]["estimate"];
    let (low, high) = (
        e["ci_low"].as_f64().unwrap(),
        e["ci_high"].as_f64().unwrap(),
    );
    assert!(
        low <= true_effect && true_effect <= high,
        "planted {true_effect} outside [{low}, {high}]"
    );
    // The attrition adds up: everyone linked is matched or left for a
    // stated reason.
    let flow = &r["flow"];
    let reasons: u64 = flow["cohort"]["reasons"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(
        flow["cohort"]["linked"].as_u64().unwrap(),
        reasons
            + flow["matched"].as_u64().unwrap()
            + flow["unmatched"].as_u64().unwrap()
            + flow["outside_support"].as_u64().unwrap()
    );
}
