//! Builders shared by the intake tests: good rows made to order, files
//! written to a temporary directory, and lookups into the report.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use chrono::{Days, NaiveDate};
use datalab::ids::{PncId, PrisonNumber};
use datalab::intake::{self, CohortRow, Issue, Report, Rule, Settings, Severity, TEMPLATE_COLUMNS};
use tempfile::TempDir;

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/intake")
        .join(name)
}

pub fn good_request() -> String {
    std::fs::read_to_string(fixture("request.toml")).unwrap()
}

/// The good request with extra top-level lines (e.g. `date_order = "mdy"`).
pub fn request_with(extra: &str) -> String {
    good_request().replace("[confirmation]", &format!("{extra}\n\n[confirmation]"))
}

const FORENAMES: [&str; 10] = [
    "James",
    "Zoë",
    "Anne-Marie",
    "Mohammed",
    "Siobhán",
    "Liam",
    "Grace",
    "Kwame",
    "Aleksandra",
    "Tom",
];
const SURNAMES: [&str; 11] = [
    "O'Neill",
    "de la Cruz",
    "Smith",
    "Nowak",
    "Okafor",
    "Jones",
    "MacDonald",
    "Ahmed",
    "Brown",
    "Evans",
    "Wright",
];
const POSTCODES: [&str; 7] = [
    "M14 5QT", "LS1 4DY", "SW1A 1AA", "CR2 6XH", "B1 1AA", "CF10 1EP", "NE1 4ST",
];

pub fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub fn dmy(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// One row of a cohort file, in template column order.
#[derive(Debug, Clone, PartialEq)]
pub struct Row(pub [String; 10]);

impl Row {
    /// The row with one template column's value replaced.
    pub fn with(mut self, field: &str, value: &str) -> Row {
        let i = TEMPLATE_COLUMNS
            .iter()
            .position(|c| *c == field)
            .unwrap_or_else(|| panic!("no column {field}"));
        self.0[i] = value.to_string();
        self
    }

    pub fn get(&self, field: &str) -> &str {
        let i = TEMPLATE_COLUMNS.iter().position(|c| *c == field).unwrap();
        &self.0[i]
    }
}

/// The dates of good row `i`: birth, intervention start.
pub fn good_dates(i: usize) -> (NaiveDate, NaiveDate) {
    let dob = ymd(1960, 1, 1) + Days::new((i as u64 * 131) % 12_000);
    let start = ymd(2005, 1, 1) + Days::new((i as u64 * 17) % 5_000);
    (dob, start)
}

/// A valid, distinct person: names and dates vary with `i`; dates are
/// dd/mm/yyyy, and many have a day over 12, which settles the order.
pub fn good_row(i: usize) -> Row {
    let (dob, start) = good_dates(i);
    let sentence_start = start - Days::new(20);
    let sentence_end = start + Days::new(200 + (i as u64 % 300));
    let pnc = if i % 5 == 4 {
        String::new()
    } else {
        PncId::new(1990 + (i % 25) as u16, i as u32 + 1000)
            .unwrap()
            .to_string()
    };
    let prison = if i % 3 == 2 {
        String::new()
    } else {
        PrisonNumber::from_index((i as u64 * 7919) % PrisonNumber::SPACE)
            .unwrap()
            .to_string()
    };
    let postcode = if i % 7 == 6 { "" } else { POSTCODES[i % 7] };
    Row([
        FORENAMES[i % FORENAMES.len()].to_string(),
        SURNAMES[(i / FORENAMES.len()) % SURNAMES.len()].to_string(),
        dmy(dob),
        if i.is_multiple_of(2) { "M" } else { "F" }.to_string(),
        postcode.to_string(),
        dmy(start),
        dmy(sentence_start),
        dmy(sentence_end),
        pnc,
        prison,
    ])
}

pub fn good_rows(n: usize) -> Vec<Row> {
    (0..n).map(good_row).collect()
}

fn field(value: &str, delimiter: char) -> String {
    if value.contains([delimiter, '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

/// CSV text with the given header and rows.
pub fn csv_with(header: &[&str], rows: &[Row], delimiter: char) -> String {
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        cells
            .map(|c| field(c, delimiter))
            .collect::<Vec<_>>()
            .join(&delimiter.to_string())
    };
    let mut out = line(&mut header.iter().copied());
    out.push('\n');
    for r in rows {
        out.push_str(&line(&mut r.0.iter().map(String::as_str)));
        out.push('\n');
    }
    out
}

/// CSV text with the template header, comma separated.
pub fn csv(rows: &[Row]) -> String {
    csv_with(&TEMPLATE_COLUMNS, rows, ',')
}

/// What one validation returned.
pub struct Run {
    pub report: Report,
    pub rows: Vec<CohortRow>,
    pub dir: TempDir,
}

pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Validates `bytes`, saved as `name`, with `request` and `settings`.
pub fn run_with(name: &str, bytes: &[u8], request: &str, settings: &Settings) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let cohort = write(dir.path(), name, bytes);
    let request = write(dir.path(), "request.toml", request.as_bytes());
    let mut rows = Vec::new();
    let report = intake::validate(&cohort, &request, settings, |r| rows.push(r)).unwrap();
    Run { report, rows, dir }
}

/// Validates `bytes`, saved as `name`, with the good request.
pub fn run(name: &str, bytes: &[u8]) -> Run {
    run_with(name, bytes, &good_request(), &Settings::default())
}

pub fn run_csv(rows: &[Row]) -> Run {
    run("cohort.csv", csv(rows).as_bytes())
}

impl Run {
    pub fn text(&self) -> String {
        self.report.to_text()
    }

    /// The listed problems on a spreadsheet row.
    pub fn at(&self, row: u64) -> Vec<&Issue> {
        self.report.issues.iter().filter(|i| i.row == row).collect()
    }

    /// The one listed problem on `row` in `field` (`None`: the whole row).
    pub fn issue(&self, row: u64, field: Option<&str>) -> &Issue {
        let found: Vec<_> = self
            .at(row)
            .into_iter()
            .filter(|i| i.field == field)
            .collect();
        assert_eq!(
            found.len(),
            1,
            "expected one issue at row {row} {field:?}, report:\n{}",
            self.text()
        );
        found[0]
    }

    pub fn assert_issue(
        &self,
        row: u64,
        field: Option<&str>,
        severity: Severity,
        rule: Rule,
    ) -> &Issue {
        let i = self.issue(row, field);
        assert_eq!(
            (i.severity, i.rule),
            (severity, rule),
            "row {row} {field:?}: {i:?}"
        );
        i
    }

    pub fn usable_rows(&self) -> Vec<u64> {
        self.rows.iter().map(|r| r.row).collect()
    }

    pub fn reasons(&self) -> String {
        self.report.reasons.join("\n")
    }

    pub fn notes(&self) -> String {
        self.report.notes.join("\n")
    }

    pub fn assert_accepted(&self) {
        assert!(
            self.report.accepted(),
            "expected acceptance:\n{}",
            self.text()
        );
    }

    pub fn assert_rejected(&self) {
        assert!(
            !self.report.accepted(),
            "expected rejection:\n{}",
            self.text()
        );
    }
}
