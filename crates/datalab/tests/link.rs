//! Linkage, end to end on generated data with ground truth.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, UInt32Type};
use datalab::intake::{self, CohortRow};
use datalab::link::lab::{self, National, Status};
use datalab::link::table::Table;
use datalab::link::tool::{self, Settings};
use datalab::link::{LabKey, probability};
use datalab::national::{self, tables};
use datalab::progress::Silent;
use datalab::synth::{self, Config};

#[derive(Debug, serde::Deserialize)]
struct Truth {
    row: u64,
    person_id: Option<u32>,
    pnc_id: String,
}

fn generate(dir: &Path, people: u64, cohort: usize, noise: f64) {
    let cfg = Config {
        people,
        cohort,
        noise,
        seed: 11,
        ..Config::default()
    };
    synth::generate(&cfg, dir, &Silent).unwrap();
}

fn cohort_rows(dir: &Path) -> Vec<CohortRow> {
    let mut rows = Vec::new();
    let report = intake::validate(
        &dir.join("cohort.csv"),
        &dir.join("request.toml"),
        &intake::Settings::default(),
        |r| rows.push(r),
    )
    .unwrap();
    assert!(report.accepted(), "{}", report.to_text());
    rows
}

fn truth(dir: &Path) -> HashMap<u64, Truth> {
    csv::Reader::from_path(dir.join("truth/cohort_truth.csv"))
        .unwrap()
        .deserialize::<Truth>()
        .map(|t| {
            let t = t.unwrap();
            (t.row, t)
        })
        .collect()
}

#[test]
fn the_lab_links_a_noisy_cohort_accurately_and_carries_no_identifiers() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), 40_000, 500, 1.0);
    let rows = cohort_rows(dir.path());
    let national = National::load(&dir.path().join("national")).unwrap();
    let key = LabKey::from_bytes([3; 32]);
    let linkage =
        lab::link_cohort(&rows, &national, &lab::Settings::default(), &key, &Silent).unwrap();
    let truth = truth(dir.path());

    let (mut right, mut wrong) = (0, 0);
    for r in &linkage.rows {
        if r.status != Status::Matched {
            continue;
        }
        let t = &truth[&r.row];
        let expected = t.pnc_id.parse().map(|p| key.pseudonym(&p)).ok();
        let person = r.person.map(|p| national.person_id(p));
        if t.person_id.is_some() && person == t.person_id && r.pseudonym == expected {
            right += 1;
        } else {
            wrong += 1;
        }
        assert!(r.tier.is_some() && r.match_probability.unwrap() >= 0.99);
        assert!(!r.explanation.is_empty(), "every match is explained");
    }
    let present = truth.values().filter(|t| t.person_id.is_some()).count();
    let precision = f64::from(right) / f64::from(right + wrong);
    let recall = f64::from(right) / present as f64;
    assert!(
        precision >= 0.995,
        "precision {precision} ({wrong} false matches)"
    );
    assert!(recall >= 0.98, "recall {recall}");
    let t = &linkage.tally;
    assert_eq!(
        (t.matched + t.duplicate + t.suspect_discarded + t.not_found) as usize,
        rows.len()
    );
    assert!((linkage.match_rate - t.matched as f64 / rows.len() as f64).abs() < 1e-12);

    // What leaves this stage holds no name, date of birth or identifier.
    let json = serde_json::to_string(&linkage).unwrap();
    for row in rows.iter().take(200) {
        for needle in [
            row.surname.clone(),
            row.date_of_birth.format("%Y-%m-%d").to_string(),
        ] {
            assert!(
                !json.contains(&format!("\"{needle}\"")),
                "{needle} leaked into the linkage output"
            );
        }
        if let Some(p) = row.pnc_id {
            assert!(
                !json.contains(&p.to_string()),
                "a PNC ID leaked into the linkage output"
            );
        }
    }
    // The model reports on its EM sessions honestly.
    assert!(linkage.model.sessions.iter().any(|s| s.used));
    assert_eq!(
        linkage.model.converged,
        linkage.model.sessions.iter().all(|s| s.converged)
    );
}

#[test]
fn linking_twice_gives_the_same_pseudonyms_and_decisions() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), 12_000, 120, 1.0);
    let rows = cohort_rows(dir.path());
    let national = National::load(&dir.path().join("national")).unwrap();
    let key = LabKey::from_bytes([9; 32]);
    let s = lab::Settings::default();
    let a = lab::link_cohort(&rows, &national, &s, &key, &Silent).unwrap();
    let b = lab::link_cohort(&rows, &national, &s, &key, &Silent).unwrap();
    let view = |l: &lab::Linkage| {
        l.rows
            .iter()
            .map(|r| (r.row, r.status, r.pseudonym.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(view(&a), view(&b));
}

#[test]
fn a_person_entered_twice_is_matched_once_and_flagged_as_a_duplicate() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), 12_000, 120, 0.0);
    let mut rows = cohort_rows(dir.path());
    let mut again = rows[0].clone();
    again.row = 999;
    again.forename = again.forename.to_uppercase();
    rows.push(again);
    let national = National::load(&dir.path().join("national")).unwrap();
    let linkage = lab::link_cohort(
        &rows,
        &national,
        &lab::Settings::default(),
        &LabKey::from_bytes([1; 32]),
        &Silent,
    )
    .unwrap();
    let first = &linkage.rows[0];
    let last = linkage.rows.last().unwrap();
    assert_eq!(first.status, Status::Matched);
    assert_eq!(last.status, Status::Duplicate);
    assert_eq!(
        last.reason.as_deref(),
        Some(format!("the same person as row {}", first.row).as_str())
    );
}

#[test]
fn an_identifier_belonging_to_someone_else_is_never_a_match_on_its_own() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), 12_000, 120, 0.0);
    let mut rows = cohort_rows(dir.path());
    // A made-up person carrying a real person's PNC ID.
    let truth = truth(dir.path());
    let mut fake = rows[0].clone();
    fake.row = 500;
    fake.forename = "Zebedee".into();
    fake.surname = "Quattlebaum".into();
    fake.date_of_birth = chrono::NaiveDate::from_ymd_opt(1951, 7, 7).unwrap();
    fake.pnc_id = truth[&rows[1].row].pnc_id.parse().ok();
    fake.postcode = None;
    fake.sentence_start = None;
    fake.sentence_end = None;
    rows.push(fake);
    let national = National::load(&dir.path().join("national")).unwrap();
    let linkage = lab::link_cohort(
        &rows,
        &national,
        &lab::Settings::default(),
        &LabKey::from_bytes([1; 32]),
        &Silent,
    )
    .unwrap();
    let last = linkage.rows.last().unwrap();
    assert_eq!(last.status, Status::SuspectDiscarded, "{last:?}");
    assert!(
        last.reason
            .as_deref()
            .unwrap_or_default()
            .contains("clearly different person")
    );
    assert!(last.pseudonym.is_none());
}

/// Writes the national people and the cohort as two plain tables with the
/// column names an analyst might use.
fn plain_tables(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let left = dir.join("left.csv");
    let right = dir.join("right.csv");
    let mut w = csv::Writer::from_path(&right).unwrap();
    w.write_record([
        "person_id",
        "first_name",
        "last_name",
        "date_of_birth",
        "sex",
        "postcode",
    ])
    .unwrap();
    for b in national::read_table(&dir.join("national"), tables::PEOPLE).unwrap() {
        let ids = b
            .column_by_name("person_id")
            .unwrap()
            .as_primitive::<UInt32Type>();
        let text = |c: &str| b.column_by_name(c).unwrap().as_string::<i32>().clone();
        let (f, s, g, p) = (
            text("forename"),
            text("surname"),
            text("gender"),
            text("postcode"),
        );
        let dob = b
            .column_by_name("date_of_birth")
            .unwrap()
            .as_primitive::<Date32Type>();
        for i in 0..b.num_rows() {
            let d = chrono::NaiveDate::default() + chrono::TimeDelta::days(i64::from(dob.value(i)));
            w.write_record([
                ids.value(i).to_string(),
                f.value(i).to_string(),
                s.value(i).to_string(),
                d.to_string(),
                g.value(i).to_string(),
                p.value(i).to_string(),
            ])
            .unwrap();
        }
    }
    w.flush().unwrap();
    let mut w = csv::Writer::from_path(&left).unwrap();
    w.write_record([
        "record_id",
        "first_name",
        "last_name",
        "date_of_birth",
        "sex",
        "postcode",
    ])
    .unwrap();
    let mut r = csv::Reader::from_path(dir.join("cohort.csv")).unwrap();
    for (i, rec) in r.records().enumerate() {
        let rec = rec.unwrap();
        let dob = chrono::NaiveDate::parse_from_str(&rec[2], "%d/%m/%Y").unwrap();
        w.write_record([
            (i + 2).to_string(),
            rec[0].into(),
            rec[1].into(),
            dob.to_string(),
            rec[3].into(),
            rec[4].into(),
        ])
        .unwrap();
    }
    w.flush().unwrap();
    (left, right)
}

#[test]
fn the_general_tool_infers_settings_and_links_accurately() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), 20_000, 300, 1.0);
    let (left, right) = plain_tables(dir.path());
    let (left, right) = (Table::read(&left).unwrap(), Table::read(&right).unwrap());
    let settings = Settings::infer(&left, &right).unwrap();
    assert_eq!(settings.left_id.as_deref(), Some("record_id"));
    assert_eq!(settings.right_id.as_deref(), Some("person_id"));
    let kinds: Vec<_> = settings
        .comparisons
        .iter()
        .map(|c| (c.column.clone().unwrap(), c.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("first_name".to_string(), tool::Kind::Forename),
            ("last_name".into(), tool::Kind::Surname),
            ("date_of_birth".into(), tool::Kind::Date),
            ("postcode".into(), tool::Kind::Postcode),
            ("sex".into(), tool::Kind::Exact),
        ]
    );
    // The inferred settings survive a round trip through TOML.
    assert_eq!(Settings::from_toml(&settings.to_toml()).unwrap(), settings);

    let outcome = tool::run(&left, Some(&right), &settings, &Silent).unwrap();
    let truth = truth(dir.path());
    let mut best: HashMap<String, (f64, String)> = HashMap::new();
    for p in &outcome.pairs {
        assert!(p.match_probability >= settings.threshold);
        assert!((probability(p.match_weight) - p.match_probability).abs() < 1e-3);
        let e = best
            .entry(p.left_id.clone())
            .or_insert((f64::MIN, String::new()));
        if p.match_probability > e.0 {
            *e = (p.match_probability, p.right_id.clone());
        }
    }
    let right_answers = best
        .iter()
        .filter(|(row, (_, id))| {
            truth[&row.parse::<u64>().unwrap()]
                .person_id
                .map(|p| p.to_string())
                .as_ref()
                == Some(id)
        })
        .count();
    let present = truth.values().filter(|t| t.person_id.is_some()).count();
    let precision = right_answers as f64 / best.len() as f64;
    let recall = right_answers as f64 / present as f64;
    assert!(
        precision > 0.99 && recall > 0.97,
        "precision {precision}, recall {recall}"
    );
}

#[test]
fn dedupe_puts_each_duplicate_in_its_originals_cluster() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("people.csv");
    let mut w = csv::Writer::from_path(&path).unwrap();
    w.write_record(["id", "forename", "surname", "dob", "postcode"])
        .unwrap();
    let people = [
        ("Robert", "Smith", "1980-02-03", "M1 1AE"),
        ("Aisha", "Khan", "1992-11-30", "LS1 4DY"),
        ("Zoë", "O'Neill", "1975-06-15", "CF10 1AA"),
        ("Anne-Marie", "Fisher-Gallagher", "2001-01-09", "B1 1BB"),
        ("Piotr", "Nowak", "1988-08-08", "NG1 5FS"),
        ("Mohammed", "Ali", "1990-05-05", "E1 6AN"),
    ];
    for (i, (f, s, d, p)) in people.iter().enumerate() {
        w.write_record([
            format!("a{i}"),
            f.to_string(),
            s.to_string(),
            d.to_string(),
            p.to_string(),
        ])
        .unwrap();
    }
    // The same people again, typed as hand-kept records are.
    let again = [
        ("Bob", "Smith", "1980-02-03", "M1 1AE"),
        ("Aisha", "Kahn", "1992-11-30", "LS1 4DY"),
        ("ZOE", "ONEILL", "1975-06-15", "cf101aa"),
        ("Anne Marie", "Fisher", "2001-09-01", "B1 1BB"),
        ("Nowak", "Piotr", "1988-08-08", ""),
        ("Muhammad", "Ali", "1990-05-05", "E1 6AN"),
    ];
    for (i, (f, s, d, p)) in again.iter().enumerate() {
        w.write_record([
            format!("b{i}"),
            f.to_string(),
            s.to_string(),
            d.to_string(),
            p.to_string(),
        ])
        .unwrap();
    }
    // And strangers who share some details.
    for i in 0..300 {
        let f = ["John", "Sarah", "David", "Emma", "Mark"][i % 5];
        let s = ["Jones", "Brown", "Taylor", "Wilson", "Evans", "Patel"][i % 6];
        let d = format!("19{:02}-{:02}-{:02}", 50 + i % 45, 1 + i % 12, 1 + i % 28);
        w.write_record([
            format!("c{i}"),
            f.into(),
            s.into(),
            d,
            format!("M{} {}AB", 1 + i % 9, i % 10),
        ])
        .unwrap();
    }
    w.flush().unwrap();
    let table = Table::read(&path).unwrap();
    let mut settings = Settings::infer(&table, &table).unwrap();
    settings.threshold = 0.5;
    let outcome = tool::run(&table, None, &settings, &Silent).unwrap();
    let clusters: HashMap<String, u32> = outcome.clusters.unwrap().into_iter().collect();
    for i in 0..people.len() {
        assert_eq!(
            clusters[&format!("a{i}")],
            clusters[&format!("b{i}")],
            "{:?} and {:?}",
            people[i],
            again[i]
        );
    }
    let distinct: HashSet<u32> = (0..people.len())
        .map(|i| clusters[&format!("a{i}")])
        .collect();
    assert_eq!(
        distinct.len(),
        people.len(),
        "different people share a cluster"
    );
    for p in &outcome.pairs {
        assert_ne!(p.left_id, p.right_id, "a record paired with itself");
    }
}

#[test]
fn settings_errors_name_the_key_and_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.csv");
    std::fs::write(
        &path,
        "id,forename,surname,dob\n1,A,B,1990-01-01\n2,C,D,1991-02-02\n",
    )
    .unwrap();
    let table = Table::read(&path).unwrap();
    let base = "threshold = 0.9\n[[comparison]]\ncolumn = \"forename\"\nkind = \"forename\"\n[[blocking]]\nkeys = [\"dob\"]\n";
    let cases: &[(&str, &str)] = &[
        (
            &base.replace("kind = \"forename\"", "kind = \"nmae\""),
            "unknown variant `nmae`",
        ),
        (
            &base.replace("column = \"forename\"", "column = \"first\""),
            "has no column \"first\"",
        ),
        (
            &base.replace("keys = [\"dob\"]", "keys = [\"soundex(surname)\"]"),
            "unknown key function \"soundex\"",
        ),
        (
            &base.replace("threshold = 0.9", "threshold = 1.5"),
            "threshold: must be a match probability",
        ),
        (
            &format!("{base}colour = \"red\"\n"),
            "unknown field `colour`",
        ),
        (
            &base.replace("[[blocking]]\nkeys = [\"dob\"]\n", ""),
            "missing field `blocking`",
        ),
        (
            &base.replace("column = \"forename\"", "left_column = \"forename\""),
            "give either column",
        ),
    ];
    for (text, needle) in cases {
        let err = Settings::from_toml(text)
            .and_then(|s| tool::run(&table, Some(&table), &s, &Silent).map(|_| ()));
        let msg = err.expect_err(needle).to_string();
        assert!(msg.contains(needle), "{msg:?} should mention {needle:?}");
    }
    // A table with no unique ID column is refused with the fix.
    let path = dir.path().join("noid.csv");
    std::fs::write(&path, "name,dob\nA,1990-01-01\nA,1990-01-01\n").unwrap();
    let t = Table::read(&path).unwrap();
    let s = Settings::from_toml(
        "[[comparison]]\ncolumn = \"name\"\nkind = \"name\"\n[[blocking]]\nkeys = [\"dob\"]\n",
    )
    .unwrap();
    let msg = tool::run(&t, Some(&t), &s, &Silent)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("left_id") && msg.contains("unique"), "{msg}");
}

#[test]
fn a_blocking_rule_that_would_explode_is_caught_before_it_runs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.csv");
    let mut text = String::from("id,forename\n");
    for i in 0..3_000 {
        text.push_str(&format!("{i},Sam\n"));
    }
    std::fs::write(&path, text).unwrap();
    let t = Table::read(&path).unwrap();
    let s = Settings::from_toml(
        "max_pairs = 1000000\n[[comparison]]\ncolumn = \"forename\"\nkind = \"forename\"\n[[blocking]]\nkeys = [\"initial(forename)\"]\n",
    )
    .unwrap();
    let msg = tool::run(&t, Some(&t), &s, &Silent)
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("9000000 candidate pairs") && msg.contains("more selective"),
        "{msg}"
    );
}
