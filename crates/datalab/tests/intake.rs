//! Intake rules: each with a good and a bad file, checked by row, field and
//! decision. Data row `i` of a generated file is spreadsheet row `i + 2`.

mod intake_support;

use datalab::intake::{
    self, DateOrder, Decision, IntakeError, Rule, Settings, Severity, TEMPLATE_COLUMNS,
};
use datalab::person::Gender;
use intake_support::*;

#[test]
fn a_good_file_is_accepted_and_every_row_handed_over_in_order() {
    let rows = good_rows(60);
    let run = run_csv(&rows);
    run.assert_accepted();
    assert!(run.report.reasons.is_empty());
    let c = &run.report.counts;
    assert_eq!(
        (c.rows_read, c.usable, c.with_errors, c.with_warnings),
        (60, 60, 0, 0)
    );
    assert!(run.report.issues.is_empty(), "{}", run.text());
    assert_eq!(run.usable_rows(), (2..=61).collect::<Vec<u64>>());
    assert_eq!(run.report.date_order, Some(DateOrder::Dmy));

    let first = &run.rows[0];
    let (dob, start) = good_dates(0);
    assert_eq!(first.forename, "James");
    assert_eq!(first.surname, "O'Neill");
    assert_eq!(first.date_of_birth, dob);
    assert_eq!(first.intervention_start, start);
    assert_eq!(first.gender, Gender::Male);
    assert_eq!(first.postcode.as_ref().map(|p| p.as_str()), Some("M14 5QT"));
    assert_eq!(
        first.pnc_id.map(|p| p.to_string()).as_deref(),
        Some(rows[0].get("pnc_id"))
    );
    // Names stay as typed: accents, apostrophes, hyphens and spaces.
    let names: Vec<_> = run
        .rows
        .iter()
        .map(|r| format!("{} {}", r.forename, r.surname))
        .collect();
    for expected in [
        "Zoë O'Neill",
        "Anne-Marie O'Neill",
        "Siobhán O'Neill",
        "James de la Cruz",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
    let json = serde_json::to_value(&run.report).unwrap();
    assert_eq!(json["decision"], "accepted");
    assert_eq!(json["counts"]["usable"], 60);
    assert!(run.text().starts_with("ACCEPTED: cohort file cohort.csv"));
}

#[test]
fn names_are_trimmed_and_inner_spaces_collapsed_but_otherwise_kept() {
    let mut rows = good_rows(60);
    rows[0] = rows[0]
        .clone()
        .with("forename", "  Anne-Marie  ")
        .with("surname", " de   la  Cruz ");
    let run = run_csv(&rows);
    run.assert_accepted();
    assert_eq!(run.rows[0].forename, "Anne-Marie");
    assert_eq!(run.rows[0].surname, "de la Cruz");
}

#[test]
fn fewer_usable_rows_than_the_minimum_is_a_rejection_and_the_minimum_is_settable() {
    let run = run_csv(&good_rows(59));
    run.assert_rejected();
    assert!(run.reasons().contains("only 59 rows"), "{}", run.reasons());
    assert!(run.reasons().contains("at least 60 people"));
    // Rows were still checked and handed over.
    assert_eq!(run.rows.len(), 59);

    let mut rows = good_rows(60);
    rows[3] = rows[3].clone().with("gender", "");
    let run = run_csv(&rows);
    run.assert_rejected();
    assert!(
        run.reasons()
            .contains("Only 59 of the 60 rows are usable (1 have errors"),
        "{}",
        run.reasons()
    );

    let settings = Settings {
        min_records: 5,
        ..Settings::default()
    };
    let run = run_with(
        "c.csv",
        csv(&good_rows(5)).as_bytes(),
        &good_request(),
        &settings,
    );
    run.assert_accepted();
    assert_eq!(run.report.counts.min_records, 5);
}

#[test]
fn required_values_missing_are_row_errors_and_the_row_is_excluded() {
    let mut rows = good_rows(64);
    rows[1] = rows[1].clone().with("forename", "");
    rows[2] = rows[2].clone().with("surname", "  ");
    rows[3] = rows[3].clone().with("date_of_birth", "");
    rows[4] = rows[4].clone().with("gender", "");
    rows[5] = rows[5].clone().with("intervention_start", "");
    rows[6] = rows[6].clone().with("surname", "???");
    let run = run_csv(&rows);
    for (row, field, rule) in [
        (3, "forename", Rule::MissingValue),
        (4, "surname", Rule::MissingValue),
        (5, "date_of_birth", Rule::MissingValue),
        (6, "gender", Rule::MissingValue),
        (7, "intervention_start", Rule::MissingValue),
        (8, "surname", Rule::Name),
    ] {
        let i = run.assert_issue(row, Some(field), Severity::Error, rule);
        assert!(!i.fix.is_empty());
    }
    assert!(
        run.issue(3, Some("forename"))
            .fix
            .contains("excluded_incomplete")
    );
    assert!(!run.usable_rows().iter().any(|r| (3..=8).contains(r)));
    assert_eq!(run.report.counts.with_errors, 6);
    assert_eq!(run.report.counts.usable, 58);
    assert_eq!(run.report.rules[&Rule::MissingValue].errors, 5);
    run.assert_rejected();
}

#[test]
fn optional_columns_may_be_empty() {
    let rows: Vec<_> = good_rows(60)
        .into_iter()
        .map(|r| {
            r.with("postcode", "")
                .with("sentence_start", "")
                .with("sentence_end", "")
                .with("pnc_id", "")
                .with("prison_number", "")
        })
        .collect();
    let run = run_csv(&rows);
    run.assert_accepted();
    assert!(run.report.issues.is_empty());
    assert!(
        run.rows
            .iter()
            .all(|r| r.postcode.is_none() && r.pnc_id.is_none())
    );
}

#[test]
fn gender_must_be_one_the_national_records_hold() {
    let mut rows = good_rows(62);
    rows[0] = rows[0].clone().with("gender", "Female");
    rows[1] = rows[1].clone().with("gender", "X");
    let run = run_csv(&rows);
    assert_eq!(run.rows[0].gender, Gender::Female);
    let i = run.assert_issue(3, Some("gender"), Severity::Error, Rule::Gender);
    assert_eq!(i.value.as_deref(), Some("X"));
    assert!(i.fix.contains("M or F"));
    run.assert_accepted();
}

#[test]
fn unreadable_dates_say_why() {
    let mut rows = good_rows(63);
    rows[0] = rows[0].clone().with("date_of_birth", "31/02/1985");
    rows[1] = rows[1].clone().with("intervention_start", "soon");
    rows[2] = rows[2].clone().with("date_of_birth", "1985");
    let run = run_csv(&rows);
    let i = run.assert_issue(
        2,
        Some("date_of_birth"),
        Severity::Error,
        Rule::UnreadableDate,
    );
    assert!(i.problem.contains("not a real date"), "{}", i.problem);
    let i = run.assert_issue(
        3,
        Some("intervention_start"),
        Severity::Error,
        Rule::UnreadableDate,
    );
    assert!(i.fix.contains("full date"), "{}", i.fix);
    let i = run.assert_issue(
        4,
        Some("date_of_birth"),
        Severity::Error,
        Rule::UnreadableDate,
    );
    assert!(i.problem.contains("only a year"), "{}", i.problem);
    run.assert_accepted();
}

#[test]
fn every_common_date_format_is_read() {
    let formats = [
        "1985-04-23",
        "23/04/1985",
        "23/4/1985",
        "23-04-1985",
        "23.04.1985",
        "23 April 1985",
        "23 Apr 1985",
        "23-Apr-85",
        "Tuesday 23 April 1985",
    ];
    let mut rows = good_rows(60);
    for (r, f) in rows.iter_mut().zip(formats) {
        *r = r.clone().with("date_of_birth", f);
    }
    let run = run_csv(&rows);
    run.assert_accepted();
    for r in &run.rows[..formats.len()] {
        assert_eq!(r.date_of_birth, ymd(1985, 4, 23), "row {}", r.row);
    }
}

#[test]
fn malformed_optional_identifiers_are_warnings_and_the_row_is_still_used() {
    let mut rows = good_rows(60);
    rows[0] = rows[0].clone().with("pnc_id", "2008/0056560A");
    rows[1] = rows[1].clone().with("prison_number", "A12345");
    rows[2] = rows[2].clone().with("postcode", "QQ1 1AA");
    rows[3] = rows[3].clone().with("postcode", "not known");
    rows[4] = rows[4].clone().with("pnc_id", "banana");
    let run = run_csv(&rows);
    run.assert_accepted();
    assert_eq!(run.report.counts.usable, 60);
    assert_eq!(run.report.counts.with_warnings, 5);

    let i = run.assert_issue(2, Some("pnc_id"), Severity::Warning, Rule::PncId);
    assert!(
        i.problem
            .contains("check character A but its number needs Z"),
        "{}",
        i.problem
    );
    assert!(i.problem.contains("will be ignored"));
    assert!(i.fix.contains("matched by name and date of birth"));
    let i = run.assert_issue(
        3,
        Some("prison_number"),
        Severity::Warning,
        Rule::PrisonNumber,
    );
    assert!(i.problem.contains("A1234BC"), "{}", i.problem);
    let i = run.assert_issue(4, Some("postcode"), Severity::Warning, Rule::Postcode);
    assert!(
        i.problem.contains("QQ, which is not a UK postcode area"),
        "{}",
        i.problem
    );
    run.assert_issue(5, Some("postcode"), Severity::Warning, Rule::Postcode);
    run.assert_issue(6, Some("pnc_id"), Severity::Warning, Rule::PncId);

    assert_eq!(run.rows[0].pnc_id, None);
    assert_eq!(run.rows[1].prison_number, None);
    assert_eq!(run.rows[2].postcode, None);
    // The untouched values on those rows are kept.
    assert!(run.rows[0].prison_number.is_some());
}

#[test]
fn unreadable_sentence_dates_are_ignored_but_impossible_ones_exclude_the_row() {
    let mut rows = good_rows(64);
    rows[0] = rows[0].clone().with("sentence_start", "unknown");
    rows[1] = rows[1]
        .clone()
        .with("sentence_start", "01/06/2010")
        .with("sentence_end", "01/05/2010");
    rows[2] = rows[2]
        .clone()
        .with("date_of_birth", "15/03/1990")
        .with("sentence_start", "14/03/1990");
    let run = run_csv(&rows);
    run.assert_issue(
        2,
        Some("sentence_start"),
        Severity::Warning,
        Rule::UnreadableDate,
    );
    assert_eq!(run.rows[0].row, 2);
    assert_eq!(run.rows[0].sentence_start, None);
    let i = run.assert_issue(
        3,
        Some("sentence_end"),
        Severity::Error,
        Rule::SentenceOrder,
    );
    assert!(
        i.problem
            .contains("sentence_end (1 May 2010) is before sentence_start (1 June 2010)"),
        "{}",
        i.problem
    );
    run.assert_issue(4, Some("sentence_start"), Severity::Error, Rule::BirthOrder);
    assert_eq!(run.report.counts.usable, 62);
}

#[test]
fn age_must_be_10_to_100_at_intervention_start() {
    let start = "01/06/2010";
    let mut rows = good_rows(64);
    let set = |r: &intake_support::Row, dob: &str| {
        r.clone()
            .with("date_of_birth", dob)
            .with("intervention_start", start)
            .with("sentence_start", "")
            .with("sentence_end", "")
    };
    rows[0] = set(&rows[0], "02/06/2000"); // 9
    rows[1] = set(&rows[1], "01/06/2000"); // 10 exactly
    rows[2] = set(&rows[2], "01/06/1910"); // 100 exactly
    rows[3] = set(&rows[3], "31/05/1909"); // 101
    rows[4] = set(&rows[4], "02/06/2010"); // born after the start
    let run = run_csv(&rows);
    let i = run.assert_issue(2, Some("date_of_birth"), Severity::Error, Rule::Age);
    assert!(
        i.problem.contains("age at intervention start is 9"),
        "{}",
        i.problem
    );
    assert!(
        run.at(3).is_empty() && run.at(4).is_empty(),
        "{}",
        run.text()
    );
    let i = run.assert_issue(5, Some("date_of_birth"), Severity::Error, Rule::Age);
    assert!(i.problem.contains("is 101"), "{}", i.problem);
    let i = run.assert_issue(6, Some("date_of_birth"), Severity::Error, Rule::Age);
    assert!(
        i.problem.contains("after the intervention start"),
        "{}",
        i.problem
    );
    assert_eq!(run.report.rules[&Rule::Age].errors, 3);
    run.assert_accepted();
}

#[test]
fn interventions_outside_the_measurable_period_are_errors_that_say_what_is_measurable() {
    // Default coverage: index dates 1 January 2002 to 30 June 2019, extract
    // 31 December 2020.
    let mut rows = good_rows(65);
    rows[0] = rows[0].clone().with("intervention_start", "31/12/2001");
    rows[1] = rows[1].clone().with("intervention_start", "01/01/2002");
    rows[2] = rows[2]
        .clone()
        .with("intervention_start", "30/06/2019")
        .with("sentence_end", "");
    rows[3] = rows[3]
        .clone()
        .with("intervention_start", "01/07/2019")
        .with("sentence_end", "");
    rows[4] = rows[4]
        .clone()
        .with("intervention_start", "01/01/2021")
        .with("sentence_end", "");
    rows[5] = rows[5].clone().with("date_of_birth", "01/01/2021");
    let run = run_csv(&rows);
    let i = run.assert_issue(
        2,
        Some("intervention_start"),
        Severity::Error,
        Rule::Coverage,
    );
    assert!(i.problem.contains("before the earliest"), "{}", i.problem);
    assert!(
        i.fix.contains("from 1 January 2002 to 30 June 2019"),
        "{}",
        i.fix
    );
    assert!(i.fix.contains("31 December 2020"));
    assert!(
        run.at(3).is_empty() && run.at(4).is_empty(),
        "{}",
        run.text()
    );
    let i = run.assert_issue(
        5,
        Some("intervention_start"),
        Severity::Error,
        Rule::Coverage,
    );
    assert!(i.problem.contains("after the latest"), "{}", i.problem);
    run.assert_issue(
        6,
        Some("intervention_start"),
        Severity::Error,
        Rule::FutureDate,
    );
    let i = run.assert_issue(7, Some("date_of_birth"), Severity::Error, Rule::FutureDate);
    assert!(
        i.problem.contains("after 31 December 2020"),
        "{}",
        i.problem
    );
    assert_eq!(run.report.counts.usable, 61);
}

#[test]
fn coverage_comes_from_the_settings() {
    let settings = Settings {
        coverage: datalab::national::Coverage {
            index_from: ymd(2010, 1, 1),
            extract_date: ymd(2024, 3, 31),
        },
        ..Settings::default()
    };
    let mut rows = good_rows(60);
    rows[0] = rows[0].clone().with("intervention_start", "01/06/2009");
    let run = run_with("c.csv", csv(&rows).as_bytes(), &good_request(), &settings);
    let i = run.assert_issue(
        2,
        Some("intervention_start"),
        Severity::Error,
        Rule::Coverage,
    );
    assert!(
        i.fix.contains("from 1 January 2010 to 30 September 2022"),
        "{}",
        i.fix
    );
}

#[test]
fn exact_repeats_are_errors_and_the_same_person_again_is_a_warning() {
    let mut rows = good_rows(62);
    // Row 12 repeats row 4 exactly.
    rows.insert(10, rows[2].clone());
    // Row 14: row 5's person (name case and spacing differ) with another start.
    let (_, other_start) = good_dates(40);
    rows.insert(
        12,
        rows[3]
            .clone()
            .with("forename", &rows[3].get("forename").to_uppercase())
            .with("surname", &format!(" {} ", rows[3].get("surname")))
            .with("intervention_start", &dmy(other_start))
            .with("sentence_start", "")
            .with("sentence_end", ""),
    );
    // Row 16: row 6's person and start, with a different postcode.
    rows.insert(14, rows[4].clone().with("postcode", "NE1 4ST"));
    // The last row repeats row 14, the same person's second intervention.
    rows.push(rows[12].clone());
    let last = rows.len() as u64 + 1;
    let run = run_csv(&rows);

    let i = run.assert_issue(12, None, Severity::Error, Rule::Duplicate);
    assert_eq!(i.problem, "same as row 4");
    assert!(i.fix.starts_with("Remove it"));
    let i = run.assert_issue(14, None, Severity::Warning, Rule::SamePerson);
    assert!(i.problem.contains("as row 5"), "{}", i.problem);
    let i = run.assert_issue(16, None, Severity::Error, Rule::Duplicate);
    assert!(
        i.problem
            .contains("same person and intervention start as row 6"),
        "{}",
        i.problem
    );

    let i = run.assert_issue(last, None, Severity::Error, Rule::Duplicate);
    assert_eq!(i.problem, "same as row 14");

    let usable = run.usable_rows();
    assert!(
        usable.contains(&4)
            && usable.contains(&14)
            && !usable.contains(&12)
            && !usable.contains(&16)
            && !usable.contains(&last)
    );
    assert_eq!(run.report.counts.usable, 63);
    run.assert_accepted();
}

#[test]
fn ambiguous_dates_are_settled_by_a_date_that_can_only_be_day_first() {
    let mut rows: Vec<_> = good_rows(60)
        .into_iter()
        .map(|r| {
            // ISO elsewhere, so only the dates below bear on the order.
            let (dob, start) = good_dates(0);
            r.with("date_of_birth", &dob.to_string())
                .with("intervention_start", &start.to_string())
                .with("sentence_start", "")
                .with("sentence_end", "")
        })
        .enumerate()
        .map(|(i, r)| r.with("surname", &format!("Smith{}", "e".repeat(i))))
        .collect();
    rows[0] = rows[0].clone().with("date_of_birth", "03/04/1985");
    rows[20] = rows[20].clone().with("date_of_birth", "23/04/1985");
    let run = run_csv(&rows);
    run.assert_accepted();
    assert_eq!(run.rows[0].date_of_birth, ymd(1985, 4, 3));
    assert_eq!(run.report.date_order, Some(DateOrder::Dmy));
    assert!(
        run.notes()
            .contains("row 22 date_of_birth \"23/04/1985\" can only be read that way"),
        "{}",
        run.notes()
    );
}

fn ambiguous_only() -> Vec<intake_support::Row> {
    good_rows(60)
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let d = 1 + (i % 12);
            r.with(
                "date_of_birth",
                &format!("{:02}/{:02}/1985", d, 1 + (i / 12)),
            )
            .with("intervention_start", "2010-06-15")
            .with("sentence_start", "")
            .with("sentence_end", "")
        })
        .collect()
}

#[test]
fn ambiguous_dates_with_nothing_to_settle_them_are_rejected_not_guessed() {
    let run = run_csv(&ambiguous_only());
    run.assert_rejected();
    let r = run.reasons();
    assert!(r.contains("could be day-first or month-first"), "{r}");
    assert!(r.contains("row 3 date_of_birth \"02/01/1985\""), "{r}");
    assert!(r.contains("date_order = \"dmy\""), "{r}");
    assert!(run.rows.is_empty());
    assert_eq!(run.report.date_order, None);
}

#[test]
fn the_request_date_order_settles_what_the_file_cannot() {
    let text = csv(&ambiguous_only());
    let run = run_with(
        "c.csv",
        text.as_bytes(),
        &request_with("date_order = \"mdy\""),
        &Settings::default(),
    );
    run.assert_accepted();
    assert_eq!(run.report.date_order, Some(DateOrder::Mdy));
    // Row 3's "02/01/1985" is 1 February when month-first.
    assert_eq!(run.rows[1].date_of_birth, ymd(1985, 2, 1));
    assert!(
        run.notes()
            .contains("because request.toml sets date_order = \"mdy\"")
    );
}

#[test]
fn conflicting_date_evidence_is_rejected_quoting_one_of_each() {
    let mut rows = good_rows(60);
    rows[7] = rows[7].clone().with("date_of_birth", "04/23/1985");
    let run = run_csv(&rows);
    run.assert_rejected();
    let r = run.reasons();
    assert!(r.contains("disagree"), "{r}");
    assert!(
        r.contains("row 9 date_of_birth \"04/23/1985\" can only be month-first"),
        "{r}"
    );
    assert!(r.contains("can only be day-first"), "{r}");

    // A request that says the opposite of what the file proves is refused.
    let run = run_with(
        "c.csv",
        csv(&good_rows(60)).as_bytes(),
        &request_with("date_order = \"mdy\""),
        &Settings::default(),
    );
    run.assert_rejected();
    assert!(
        run.reasons()
            .contains("request.toml says date_order = \"mdy\""),
        "{}",
        run.reasons()
    );
}

#[test]
fn two_digit_years_are_read_by_a_stated_rule() {
    let mut rows = good_rows(60);
    rows[0] = rows[0].clone().with("date_of_birth", "12/05/85");
    rows[1] = rows[1]
        .clone()
        .with("date_of_birth", "15/01/15")
        .with("intervention_start", "15/01/2018");
    let run = run_csv(&rows);
    assert_eq!(run.rows[0].date_of_birth, ymd(1985, 5, 12));
    let n = run.notes();
    assert!(
        n.contains("2 dates had two-digit years (first: row 2 date_of_birth \"12/05/85\")"),
        "{n}"
    );
    assert!(n.contains("not after 2020"), "{n}");
    let i = run.assert_issue(3, Some("date_of_birth"), Severity::Error, Rule::Age);
    assert!(i.fix.contains("two digits and read as 2015"), "{}", i.fix);
}

#[test]
fn excel_serial_numbers_in_csv_are_dates() {
    let mut rows = good_rows(60);
    rows[0] = rows[0].clone().with("date_of_birth", "31048");
    rows[1] = rows[1].clone().with("intervention_start", "40179");
    let run = run_csv(&rows);
    run.assert_accepted();
    assert_eq!(run.rows[0].date_of_birth, ymd(1985, 1, 1));
    assert_eq!(run.rows[1].intervention_start, ymd(2010, 1, 1));
    assert!(
        run.notes()
            .contains("2 dates were Excel serial numbers (first: row 2 date_of_birth \"31048\")")
    );
}

#[test]
fn echoed_values_cannot_become_formulas_in_text_or_json() {
    let mut rows = good_rows(60);
    rows[0] = rows[0]
        .clone()
        .with("gender", "=HYPERLINK(\"http://x\",\"y\")");
    rows[1] = rows[1].clone().with("postcode", "+44 1234");
    rows[2] = rows[2].clone().with("pnc_id", "@SUM(A1:A9)");
    rows[3] = rows[3].clone().with("date_of_birth", "-2+3");
    rows[4] = rows[4].clone().with("prison_number", "A\u{1b}[2J\u{7}1234");
    let mut header = TEMPLATE_COLUMNS.to_vec();
    header.push("=cmd|' /C calc'!A0");
    let text = csv_with(&header, &rows, ',');
    let run = intake_support::run("c.csv", text.as_bytes());

    let values: Vec<_> = [
        (2, "gender"),
        (3, "postcode"),
        (4, "pnc_id"),
        (5, "date_of_birth"),
    ]
    .iter()
    .map(|&(row, f)| run.issue(row, Some(f)).value.clone().unwrap())
    .collect();
    assert_eq!(
        values,
        [
            "'=HYPERLINK(\"http://x\",\"y\")",
            "'+44 1234",
            "'@SUM(A1:A9)",
            "'-2+3"
        ]
    );
    assert_eq!(
        run.issue(6, Some("prison_number")).value.as_deref(),
        Some("A[2J1234")
    );

    let text = run.text();
    let json = serde_json::to_string(&run.report).unwrap();
    for out in [&text, &json] {
        assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'));
        for risky in ["\"=HYPERLINK", "\"+44", "\"@SUM", "\"-2+3", "\"=cmd"] {
            assert!(!out.contains(risky), "{risky} in {out}");
        }
    }
    assert!(text.contains("gender \"'=HYPERLINK("), "{text}");
    assert!(json.contains("\"value\":\"'=HYPERLINK("), "{json}");
    assert!(
        run.notes().contains("\"'=cmd|' /C calc'!A0\" (column K)"),
        "{}",
        run.notes()
    );
}

#[test]
fn long_values_are_cut_short_when_echoed() {
    let mut rows = good_rows(60);
    rows[0] = rows[0].clone().with("gender", &"x".repeat(500));
    let run = run_csv(&rows);
    let v = run.issue(2, Some("gender")).value.clone().unwrap();
    assert_eq!(v.chars().count(), 61);
    assert!(v.ends_with('…'));
}

#[test]
fn the_listing_stops_at_the_cap_but_every_problem_is_counted() {
    let mut rows = good_rows(100);
    for r in rows.iter_mut().take(40) {
        *r = r.clone().with("gender", "?").with("postcode", "nowhere");
    }
    let settings = Settings {
        max_listed_issues: 25,
        ..Settings::default()
    };
    let run = run_with("c.csv", csv(&rows).as_bytes(), &good_request(), &settings);
    assert_eq!(run.report.issues.len(), 25);
    assert_eq!(run.report.unlisted_issues, 55);
    assert_eq!(run.report.rules[&Rule::Gender].errors, 40);
    assert_eq!(run.report.rules[&Rule::Postcode].warnings, 40);
    // Errors claim the listing before warnings.
    assert!(
        run.report
            .issues
            .iter()
            .all(|i| i.severity == Severity::Error)
    );
    assert_eq!(run.report.counts.with_errors, 40);
    assert_eq!(run.report.counts.with_warnings, 40);
    assert!(run.text().contains("55 more problems are not listed"));
    run.assert_accepted();
}

#[test]
fn a_missing_required_column_is_rejected_naming_it_and_the_template() {
    let header: Vec<_> = TEMPLATE_COLUMNS
        .iter()
        .copied()
        .filter(|c| *c != "date_of_birth")
        .collect();
    let rows: Vec<_> = good_rows(60)
        .into_iter()
        .map(|r| {
            let mut cells = r.0.to_vec();
            cells.remove(2);
            let mut fixed: [String; 10] = Default::default();
            for (slot, c) in fixed.iter_mut().zip(cells) {
                *slot = c;
            }
            intake_support::Row(fixed)
        })
        .collect();
    let text = csv_with(&header, &rows, ',');
    let run = intake_support::run("c.csv", text.as_bytes());
    run.assert_rejected();
    let r = run.reasons();
    assert!(r.contains("has no date_of_birth column"), "{r}");
    assert!(
        r.contains("The template's columns are forename, surname, date_of_birth"),
        "{r}"
    );
    assert!(run.rows.is_empty());
}

#[test]
fn two_columns_for_one_template_column_are_rejected() {
    let mut header = TEMPLATE_COLUMNS.to_vec();
    header[4] = "DOB";
    let text = csv_with(&header, &good_rows(60), ',');
    let run = intake_support::run("c.csv", text.as_bytes());
    run.assert_rejected();
    assert!(
        run.reasons().contains(
            "\"date_of_birth\" (column C), \"DOB\" (column E) all look like date_of_birth"
        ),
        "{}",
        run.reasons()
    );
}

#[test]
fn no_confirmation_means_the_cohort_is_not_processed() {
    let dir = tempfile::tempdir().unwrap();
    let cohort = write(dir.path(), "c.csv", csv(&good_rows(60)).as_bytes());
    let mut handed = 0;
    let report = intake::validate(
        &cohort,
        &fixture("request_unconfirmed.toml"),
        &Settings::default(),
        |_| handed += 1,
    )
    .unwrap();
    assert_eq!(report.decision, Decision::Rejected);
    assert_eq!(handed, 0);
    let r = report.reasons.join("\n");
    assert!(
        r.contains("section 14 of the Offender Management Act 2007"),
        "{r}"
    );
    assert!(
        r.contains("set `section_14_gateway = true` under `[confirmation]`"),
        "{r}"
    );
    assert!(!r.contains("Data Protection Act"), "{r}");
    assert_eq!(report.counts.rows_read, 0);
    assert!(report.notes.iter().any(|n| n.contains("was not read")));

    // The in-memory entry point refuses in the same way.
    let mut request = intake::parse_request(&good_request()).unwrap();
    request.confirmation.data_protection = false;
    let text = csv(&good_rows(60));
    let report = intake::validate_csv(
        std::io::Cursor::new(text),
        &request,
        &Settings::default(),
        |_| handed += 1,
    )
    .unwrap();
    assert!(!report.accepted());
    assert!(report.reasons[0].contains("Data Protection Act 2018"));
    assert_eq!(handed, 0);
}

#[test]
fn a_bad_request_is_a_rejection_naming_the_key_and_fix() {
    let dir = tempfile::tempdir().unwrap();
    let cohort = write(dir.path(), "c.csv", csv(&good_rows(60)).as_bytes());
    let report = intake::validate(
        &cohort,
        &fixture("request_bad_keys.toml"),
        &Settings::default(),
        |_| {},
    )
    .unwrap();
    assert!(!report.accepted());
    let r = report.reasons.join("\n");
    assert!(
        r.contains("a key `collected_how` that the lab does not use"),
        "{r}"
    );
    assert!(
        r.contains("has no `collection` key: add a line such as `collection = "),
        "{r}"
    );

    for (text, expect) in [
        ("organisation = \"x\n", "not valid TOML at line 1"),
        (
            &"# padding\n".repeat(8_000),
            "The request file is over 64 KiB",
        ),
        ("", "has no `organisation` key"),
        (
            &good_request().replace("excluded_incomplete = 4", "excluded_incomplete = -1"),
            "`excluded_incomplete` in request.toml is negative",
        ),
        (
            &request_with("date_order = \"ymd\""),
            "`date_order` in request.toml must be \"dmy\"",
        ),
        (
            &good_request().replace("section_14_gateway = true", "section_14_gateway = \"yes\""),
            "`section_14_gateway` under [confirmation] should be true or false",
        ),
    ] {
        let run = run_with(
            "c.csv",
            csv(&good_rows(60)).as_bytes(),
            text,
            &Settings::default(),
        );
        run.assert_rejected();
        assert!(
            run.reasons().contains(expect),
            "{expect}: {}",
            run.reasons()
        );
        assert!(run.rows.is_empty());
    }
}

#[test]
fn files_that_cannot_be_opened_are_usage_errors_not_rejections() {
    let dir = tempfile::tempdir().unwrap();
    let request = fixture("request.toml");
    let missing = dir.path().join("nope.csv");
    let err = intake::validate(&missing, &request, &Settings::default(), |_| {}).unwrap_err();
    assert!(matches!(err, IntakeError::Open { ref path, .. } if *path == missing));
    assert!(err.to_string().starts_with("cannot open"), "{err}");

    let cohort = write(dir.path(), "c.csv", b"forename\n");
    let err = intake::validate(
        &cohort,
        &dir.path().join("r.toml"),
        &Settings::default(),
        |_| {},
    )
    .unwrap_err();
    assert!(matches!(err, IntakeError::Open { .. }));

    let pdf = write(dir.path(), "cohort.pdf", b"%PDF");
    let err = intake::validate(&pdf, &request, &Settings::default(), |_| {}).unwrap_err();
    assert!(
        matches!(err, IntakeError::UnsupportedType { ref extension, .. } if extension == "pdf")
    );
    assert!(err.to_string().contains(".csv") && err.to_string().contains(".xlsx"));

    let sub = dir.path().join("folder.csv");
    std::fs::create_dir(&sub).unwrap();
    let err = intake::validate(&sub, &request, &Settings::default(), |_| {}).unwrap_err();
    assert!(err.to_string().contains("directory"), "{err}");
}

#[test]
fn the_text_report_reads_as_a_list_of_fixes() {
    let mut rows = good_rows(58);
    rows[2] = rows[2].clone().with("date_of_birth", "31/02/1985");
    rows[5] = rows[5].clone().with("postcode", "M1");
    rows.push(rows[0].clone());
    let run = run_csv(&rows);
    let text = run.text();
    for expected in [
        "REJECTED: cohort file cohort.csv",
        "Request from Hope Trust: Through-the-gate mentoring",
        "Why it was rejected:\n  1. Only 57 of the 59 rows are usable (2 have errors, listed below)",
        "Rows: 59 read, 57 usable, 2 with errors (excluded), 1 with warnings",
        "  - Read as CSV text with values separated by commas.",
        "Errors (these rows are excluded):\n  Row 4, date_of_birth: date_of_birth \"31/02/1985\" is not a real date",
        "  Row 60, whole row: same as row 2\n      Fix: Remove it",
        "Warnings (these rows are used):\n  Row 7, postcode: postcode \"M1\" is not a full UK postcode; it will be ignored",
        "Problems by rule:",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}
