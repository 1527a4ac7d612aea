//! Properties of intake over inputs no one would write by hand.

mod intake_support;

use std::io::Cursor;

use datalab::intake::{self, Report, Request, Rule, Settings, Severity, TEMPLATE_COLUMNS};
use intake_support::*;
use proptest::prelude::*;

fn request() -> Request {
    intake::parse_request(&good_request()).unwrap()
}

fn validate(bytes: Vec<u8>, settings: &Settings) -> (Report, Vec<u64>) {
    let mut rows = Vec::new();
    let report = intake::validate_csv(Cursor::new(bytes), &request(), settings, |r| {
        rows.push(r.row)
    })
    .expect("in-memory input cannot fail to read");
    (report, rows)
}

fn csv_like() -> impl Strategy<Value = String> {
    // Delimiters, quotes, line ends, digits, date punctuation, formula
    // starters and a few letters, so that rows are often half-plausible.
    let line = proptest::string::string_regex("[a-zA-Z0-9,;|\t\"/. :=+@-]{0,80}").unwrap();
    (
        proptest::sample::select(vec![',', ';', '\t', '|']),
        proptest::collection::vec(line, 0..40),
        proptest::sample::select(vec!["\n", "\r\n", "\r"]),
    )
        .prop_map(|(delimiter, lines, ending)| {
            let mut text = TEMPLATE_COLUMNS.join(&delimiter.to_string());
            for l in lines {
                text.push_str(ending);
                text.push_str(&l);
            }
            text
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let settings = Settings { max_listed_issues: 7, ..Settings::default() };
        let (report, rows) = validate(bytes, &settings);
        prop_assert!(report.issues.len() <= 7);
        prop_assert_eq!(rows.len() as u64, report.counts.usable);
    }

    #[test]
    fn arbitrary_csv_like_text_never_panics_and_counts_add_up(text in csv_like()) {
        let settings = Settings { max_listed_issues: 10, ..Settings::default() };
        let (report, rows) = validate(text.into_bytes(), &settings);
        let c = &report.counts;
        prop_assert!(report.issues.len() <= 10);
        prop_assert_eq!(rows.len() as u64, c.usable);
        prop_assert!(c.usable + c.with_errors <= c.rows_read, "{:?}", c);
        prop_assert!(rows.windows(2).all(|w| w[0] < w[1]), "rows out of order: {:?}", rows);
        let counted: u64 = report.rules.values().map(|t| t.errors + t.warnings).sum();
        prop_assert_eq!(counted, report.issues.len() as u64 + report.unlisted_issues);
        prop_assert_eq!(report.accepted(), report.reasons.is_empty());
    }

    #[test]
    fn a_blanked_required_value_excludes_exactly_that_row(
        index in 0usize..60,
        field in proptest::sample::select(vec!["forename", "surname", "date_of_birth", "gender", "intervention_start"]),
    ) {
        let mut rows = good_rows(61);
        rows[index] = rows[index].clone().with(field, "");
        let (report, usable) = validate(csv(&rows).into_bytes(), &Settings::default());
        let row = index as u64 + 2;
        prop_assert!(report.accepted());
        prop_assert_eq!(report.issues.len(), 1);
        let issue = &report.issues[0];
        prop_assert_eq!((issue.row, issue.field, issue.severity, issue.rule), (row, Some(field), Severity::Error, Rule::MissingValue));
        prop_assert!(!usable.contains(&row));
        prop_assert_eq!(usable.len(), 60);
    }

    #[test]
    fn any_echoed_value_is_safe_to_show(value in "\\PC{0,100}|[=+@\t-][\\PC\\p{Cc}]{0,20}") {
        let mut rows = good_rows(60);
        rows[0] = rows[0].clone().with("gender", &value);
        let (report, _) = validate(csv(&rows).into_bytes(), &Settings::default());
        if let Some(shown) = report.issues.iter().find(|i| i.row == 2).and_then(|i| i.value.clone()) {
            prop_assert!(!shown.chars().any(char::is_control), "{:?}", shown);
            prop_assert!(!shown.starts_with(['=', '+', '-', '@']), "{:?}", shown);
            prop_assert!(shown.chars().count() <= 62, "{:?}", shown);
        }
    }
}
