//! The generator's invariants, checked on what it writes to disk.

use std::collections::HashMap;
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, UInt32Type};
use arrow_array::{Array, RecordBatch};
use datalab::ids::{PncId, PrisonNumber};
use datalab::national::{self, Disposal, Manifest, OffenceGroup, tables};
use datalab::postcode::Postcode;
use datalab::progress::Silent;
use datalab::synth::{Config, Effect, generate};

fn small(people: u64, cohort: usize) -> Config {
    Config {
        people,
        cohort,
        seed: 42,
        ..Config::default()
    }
}

fn read(dir: &Path, table: &str) -> Vec<RecordBatch> {
    national::read_table(&dir.join("national"), table).expect("table reads back")
}

fn strings<'a>(b: &'a RecordBatch, col: &str) -> impl Iterator<Item = Option<&'a str>> + 'a {
    b.column_by_name(col)
        .expect("column exists")
        .as_string::<i32>()
        .iter()
}

fn dates<'a>(b: &'a RecordBatch, col: &str) -> impl Iterator<Item = Option<i32>> + 'a {
    b.column_by_name(col)
        .expect("column exists")
        .as_primitive::<Date32Type>()
        .iter()
}

fn ids<'a>(b: &'a RecordBatch) -> impl Iterator<Item = u32> + 'a {
    b.column_by_name("person_id")
        .expect("person_id")
        .as_primitive::<UInt32Type>()
        .values()
        .iter()
        .copied()
}

#[test]
fn people_carry_valid_identifiers_names_and_postcodes() {
    let dir = tempfile::tempdir().unwrap();
    generate(&small(20_000, 200), dir.path(), &Silent).unwrap();
    let people = read(dir.path(), tables::PEOPLE);
    let mut seen_pnc = std::collections::HashSet::new();
    let mut seen_prison = std::collections::HashSet::new();
    let mut rows = 0;
    for b in &people {
        for (i, pnc) in strings(b, "pnc_id").enumerate() {
            let pnc = pnc.expect("every person has a PNC ID");
            let parsed: PncId = pnc.parse().unwrap_or_else(|e| panic!("row {i}: {e}"));
            assert_eq!(
                parsed.to_string(),
                pnc,
                "PNC IDs are written in the long form"
            );
            assert!(seen_pnc.insert(pnc.to_string()), "PNC ID {pnc} repeated");
            rows += 1;
        }
        for p in strings(b, "prison_number").flatten() {
            p.parse::<PrisonNumber>().unwrap_or_else(|e| panic!("{e}"));
            assert!(
                seen_prison.insert(p.to_string()),
                "prison number {p} repeated"
            );
        }
        for (postcode, region) in strings(b, "postcode").zip(strings(b, "region")) {
            let p: Postcode = postcode.unwrap().parse().unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(
                p.as_str(),
                postcode.unwrap(),
                "postcodes are stored normalised"
            );
            assert_eq!(p.region().name(), region.unwrap());
        }
        for name in strings(b, "forename").chain(strings(b, "surname")) {
            let name = name.unwrap();
            assert!(
                !name.trim().is_empty() && name.trim() == name,
                "bad name {name:?}"
            );
        }
    }
    assert_eq!(rows, 20_000);
    // Only people who have been in custody have a prison number.
    assert!(
        seen_prison.len() > 2_000 && seen_prison.len() < 18_000,
        "{} prison numbers",
        seen_prison.len()
    );
}

#[test]
fn histories_are_consistent() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = small(20_000, 200);
    generate(&cfg, dir.path(), &Silent).unwrap();
    let extract = national::Manifest::read(&dir.path().join("national"))
        .unwrap()
        .coverage
        .extract_date;
    let extract = (extract - chrono::NaiveDate::default()).num_days() as i32;

    let mut dob = HashMap::new();
    let mut has_prison_number = HashMap::new();
    for b in read(dir.path(), tables::PEOPLE) {
        for ((id, d), p) in ids(&b)
            .zip(dates(&b, "date_of_birth"))
            .zip(strings(&b, "prison_number"))
        {
            dob.insert(id, d.unwrap());
            has_prison_number.insert(id, p.is_some());
        }
    }
    let mut custody: HashMap<u32, Vec<(i32, i32)>> = HashMap::new();
    let mut offences: HashMap<u32, Vec<i32>> = HashMap::new();
    let mut groups = HashMap::new();
    for b in read(dir.path(), tables::OFFENCES) {
        let sentence = b
            .column_by_name("sentence_days")
            .unwrap()
            .as_primitive::<UInt32Type>();
        for (i, (((id, off), disp), (group, disposal))) in ids(&b)
            .zip(dates(&b, "offence_date"))
            .zip(dates(&b, "disposal_date"))
            .zip(strings(&b, "offence_group").zip(strings(&b, "disposal")))
            .enumerate()
        {
            let (off, disp) = (off.unwrap(), disp.unwrap());
            let group = OffenceGroup::from_name(group.unwrap()).expect("known offence group");
            let disposal = Disposal::from_name(disposal.unwrap()).expect("known disposal");
            *groups.entry(group).or_insert(0u32) += 1;
            assert!(off <= disp, "offence after its disposal for person {id}");
            assert!(disp < extract, "disposal after the extract");
            let age = f64::from(off - dob[&id]) / 365.25;
            assert!((9.9..=110.0).contains(&age), "offence at age {age}");
            let release = b
                .column_by_name("release_date")
                .unwrap()
                .as_primitive::<Date32Type>();
            match disposal {
                Disposal::Custody => {
                    assert!(sentence.value(i) >= 14 || group == OffenceGroup::Breach);
                    assert!(
                        has_prison_number[&id],
                        "person {id} was in custody without a prison number"
                    );
                    if release.is_valid(i) {
                        assert!(release.value(i) > disp);
                        custody
                            .entry(id)
                            .or_default()
                            .push((disp, release.value(i)));
                    }
                }
                Disposal::CommunityOrder | Disposal::SuspendedSentence => {
                    assert!(sentence.is_valid(i) && !release.is_valid(i));
                }
                _ => assert!(!sentence.is_valid(i) && !release.is_valid(i)),
            }
            offences.entry(id).or_default().push(off);
        }
    }
    assert_eq!(
        offences.len(),
        20_000,
        "everyone in the national records has a proven offence"
    );
    assert!(groups.len() >= 13, "offence groups seen: {groups:?}");
    // Nobody commits an offence while inside.
    for (id, stays) in &custody {
        for &(from, to) in stays {
            assert!(
                !offences[id].iter().any(|&o| o > from && o < to),
                "person {id} offended between {from} and {to} while in custody"
            );
        }
    }
    // Jobs never overlap; spells end after they start.
    let mut last_end: HashMap<u32, i32> = HashMap::new();
    for b in read(dir.path(), tables::EMPLOYMENT) {
        for ((id, s), e) in ids(&b)
            .zip(dates(&b, "start_date"))
            .zip(dates(&b, "end_date"))
        {
            let s = s.unwrap();
            if let Some(prev) = last_end.get(&id) {
                assert!(s >= *prev, "overlapping jobs for {id}");
            }
            let e = e.unwrap_or(i32::MAX);
            assert!(e >= s);
            last_end.insert(id, e);
        }
    }
    for b in read(dir.path(), tables::BENEFITS) {
        for ((kind, s), e) in strings(&b, "benefit")
            .zip(dates(&b, "start_date"))
            .zip(dates(&b, "end_date"))
        {
            assert!(["JSA", "IB", "ESA", "IS", "UC"].contains(&kind.unwrap()));
            assert!(e.is_none_or(|e| e > s.unwrap()));
        }
    }
    for b in read(dir.path(), tables::NEEDS) {
        for need in national::NEEDS {
            let scores = b
                .column_by_name(need)
                .unwrap()
                .as_primitive::<arrow_array::types::UInt8Type>();
            assert!(scores.values().iter().all(|&s| s <= 2));
        }
    }
}

fn all_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().display().to_string();
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn the_same_seed_gives_identical_files_whatever_the_threads() {
    let cfg = small(12_000, 150);
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    generate(&cfg, a.path(), &Silent).unwrap();
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(|| generate(&cfg, b.path(), &Silent).unwrap());
    let (fa, fb) = (all_files(a.path()), all_files(b.path()));
    assert!(fa.len() >= 10, "{} files", fa.len());
    assert_eq!(fa.len(), fb.len());
    for ((na, da), (nb, db)) in fa.iter().zip(&fb) {
        assert_eq!(na, nb);
        assert!(da == db, "{na} differs between runs");
    }
    // A different seed gives different people.
    let c = tempfile::tempdir().unwrap();
    generate(&Config { seed: 43, ..cfg }, c.path(), &Silent).unwrap();
    assert_ne!(
        std::fs::read(a.path().join("cohort.csv")).unwrap(),
        std::fs::read(c.path().join("cohort.csv")).unwrap()
    );
}

fn effect(dir: &Path) -> Effect {
    toml::from_str(&std::fs::read_to_string(dir.join("truth/effect.toml")).unwrap()).unwrap()
}

#[test]
fn the_planted_selection_bias_is_real() {
    // With no true effect, a naive comparison must still show the cohort
    // doing better, because attendees were chosen for lower risk.
    let dir = tempfile::tempdir().unwrap();
    let cfg = Config {
        hazard_ratio: 1.0,
        ..small(150_000, 1_200)
    };
    generate(&cfg, dir.path(), &Silent).unwrap();
    let e = effect(dir.path());
    assert_eq!(
        e.true_effect, 0.0,
        "no planted effect means identical outcomes"
    );
    assert_eq!(e.cohort_rate_treated, e.cohort_rate_untreated);
    // The pool is large; the cohort's rate carries nearly all the sampling
    // error, so three of its standard errors is a clear signal.
    let p = e.cohort_rate_untreated;
    let se = (p * (1.0 - p) / e.in_national as f64).sqrt();
    assert!(
        e.naive_difference < -3.0 * se,
        "naive difference {} is within three standard errors ({se}) of zero",
        e.naive_difference
    );
    assert!((e.selection_bias - e.naive_difference).abs() < 1e-6);
}

#[test]
fn the_planted_effect_lowers_the_cohorts_reoffending() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = Config {
        hazard_ratio: 0.5,
        ..small(60_000, 800)
    };
    generate(&cfg, dir.path(), &Silent).unwrap();
    let e = effect(dir.path());
    assert!(e.true_effect < -0.04, "true effect {}", e.true_effect);
    assert!(e.cohort_rate_treated < e.cohort_rate_untreated);
    assert_eq!(e.cohort_rows, 800);
    assert!(
        e.in_national >= 780 && e.in_national < 800,
        "{} in national records",
        e.in_national
    );
}

#[derive(Debug, serde::Deserialize)]
struct Truth {
    row: u64,
    person_id: Option<u32>,
    pnc_id: String,
    recording_errors: String,
}

fn truth(dir: &Path) -> Vec<Truth> {
    csv::Reader::from_path(dir.join("truth/cohort_truth.csv"))
        .unwrap()
        .deserialize()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn cohort(dir: &Path) -> Vec<HashMap<String, String>> {
    csv::Reader::from_path(dir.join("cohort.csv"))
        .unwrap()
        .deserialize()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn the_truth_names_the_right_people_and_their_recording_errors() {
    let dir = tempfile::tempdir().unwrap();
    generate(&small(30_000, 400), dir.path(), &Silent).unwrap();
    let mut national = HashMap::new();
    for b in read(dir.path(), tables::PEOPLE) {
        for (id, pnc) in ids(&b).zip(strings(&b, "pnc_id")) {
            national.insert(id, pnc.unwrap().to_string());
        }
    }
    let truth = truth(dir.path());
    let rows = cohort(dir.path());
    assert_eq!(truth.len(), rows.len());
    let mut errors = 0;
    for (i, (t, row)) in truth.iter().zip(&rows).enumerate() {
        assert_eq!(t.row, i as u64 + 2, "rows are numbered as in a spreadsheet");
        match t.person_id {
            Some(id) => assert_eq!(national[&id], t.pnc_id),
            None => assert!(
                !national.values().any(|p| *p == t.pnc_id),
                "absent person found nationally"
            ),
        }
        // A PNC ID given without a recorded error is the person's own.
        let given = &row["pnc_id"];
        if !given.is_empty() && !t.recording_errors.contains("pnc_id") {
            assert_eq!(given, &t.pnc_id);
        }
        errors += usize::from(!t.recording_errors.is_empty());
    }
    // At the default level most rows carry no error but many carry one.
    assert!(
        errors > 40 && errors < 300,
        "{errors} of 400 rows have recording errors"
    );
}

#[test]
fn noise_zero_copies_people_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = Config {
        noise: 0.0,
        ..small(20_000, 200)
    };
    generate(&cfg, dir.path(), &Silent).unwrap();
    let mut national = HashMap::new();
    for b in read(dir.path(), tables::PEOPLE) {
        for (((id, f), s), d) in ids(&b)
            .zip(strings(&b, "forename"))
            .zip(strings(&b, "surname"))
            .zip(dates(&b, "date_of_birth"))
        {
            national.insert(
                id,
                (
                    f.unwrap().to_uppercase(),
                    s.unwrap().to_uppercase(),
                    d.unwrap(),
                ),
            );
        }
    }
    for (t, row) in truth(dir.path()).iter().zip(cohort(dir.path())) {
        assert_eq!(t.recording_errors, "", "row {}", t.row);
        let id = t.person_id.expect("nobody is absent at noise 0");
        let (f, s, d) = &national[&id];
        assert_eq!(&row["forename"].to_uppercase(), f);
        assert_eq!(&row["surname"].to_uppercase(), s);
        let dob = chrono::NaiveDate::parse_from_str(&row["date_of_birth"], "%d/%m/%Y").unwrap();
        assert_eq!((dob - chrono::NaiveDate::default()).num_days() as i32, *d);
    }
}

#[test]
fn settings_that_cannot_work_are_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    for (cfg, needle) in [
        (small(0, 10), "--people"),
        (small(1_000, 0), "--cohort"),
        (
            Config {
                noise: -1.0,
                ..small(1_000, 10)
            },
            "--noise",
        ),
        (small(2_000, 1_500), "fewer than"),
        (
            Config {
                window_from: chrono::NaiveDate::from_ymd_opt(1995, 1, 1).unwrap(),
                ..small(1_000, 10)
            },
            "window",
        ),
    ] {
        let err = generate(&cfg, dir.path(), &Silent).unwrap_err().to_string();
        assert!(err.contains(needle), "{err:?} should mention {needle}");
    }
}

#[test]
fn the_manifest_describes_the_dataset() {
    let dir = tempfile::tempdir().unwrap();
    let summary = generate(&small(8_000, 60), dir.path(), &Silent).unwrap();
    let m = Manifest::read(&dir.path().join("national")).unwrap();
    assert_eq!(m.people, 8_000);
    assert_eq!(m.seed, 42);
    assert_eq!(m.rows, summary.rows);
    let offences: usize = read(dir.path(), tables::OFFENCES)
        .iter()
        .map(RecordBatch::num_rows)
        .sum();
    assert_eq!(m.rows["offences"], offences as u64);
    let request = std::fs::read_to_string(dir.path().join("request.toml")).unwrap();
    let request: datalab::intake::Request = toml::from_str(&request).unwrap();
    assert!(request.confirmation.data_protection && request.confirmation.section_14_gateway);
}
