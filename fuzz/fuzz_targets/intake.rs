//! Feeds arbitrary bytes to cohort intake as a CSV file (and, when they are
//! text, to the request parser). Intake must never panic, and its report
//! must stay consistent with what it handed over.

#![no_main]

use std::io::Cursor;
use std::sync::OnceLock;

use datalab::intake::{self, Request, Settings};
use libfuzzer_sys::fuzz_target;

const REQUEST: &str = r#"
organisation = "Fuzz Trust"
intervention = "Arbitrary bytes"
collection = "libFuzzer"
excluded_incomplete = 0

[confirmation]
data_protection = true
section_14_gateway = true
"#;

fn request() -> &'static Request {
    static REQUEST_PARSED: OnceLock<Request> = OnceLock::new();
    REQUEST_PARSED
        .get_or_init(|| intake::parse_request(REQUEST).expect("the fixed request is valid"))
}

fuzz_target!(|data: &[u8]| {
    let settings = Settings {
        min_records: 1,
        max_listed_issues: 50,
        ..Settings::default()
    };
    let mut handed = 0u64;
    let report = intake::validate_csv(Cursor::new(data), request(), &settings, |_| handed += 1)
        .expect("bytes in memory are always readable");
    assert_eq!(handed, report.counts.usable);
    assert!(report.issues.len() <= settings.max_listed_issues);
    assert_eq!(report.accepted(), report.reasons.is_empty());
    let _ = report.to_text();
    let _ = serde_json::to_string(&report).expect("reports serialise");

    if let Ok(text) = std::str::from_utf8(data) {
        let _ = intake::parse_request(text);
    }
});
