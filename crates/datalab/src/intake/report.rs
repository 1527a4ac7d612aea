//! What intake found: the decision, its reasons and every listed problem,
//! as text for a person at a terminal and as JSON for machines.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::request::{DateOrder, Request};

/// Accept or reject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// The cohort can go on to linkage.
    Accepted,
    /// It cannot; [`Report::reasons`] says why.
    Rejected,
}

/// How much a row-level problem matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The row is excluded.
    Error,
    /// The row is used; something in it is ignored or worth checking.
    Warning,
}

/// The rule a row-level problem breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// A required value (name, date of birth, gender, intervention start)
    /// is empty.
    MissingValue,
    /// A name has no letters in it.
    Name,
    /// A date cannot be read.
    UnreadableDate,
    /// A gender other than the national records' M or F.
    Gender,
    /// Under 10 or over 100 at the start of the intervention.
    Age,
    /// The intervention started outside the period the lab can measure.
    Coverage,
    /// A date after the national records' extract.
    FutureDate,
    /// Date of birth not before the sentence dates.
    BirthOrder,
    /// Sentence end before sentence start.
    SentenceOrder,
    /// An exact repeat of an earlier row, or the same person and
    /// intervention start with other details differing.
    Duplicate,
    /// The same person as an earlier row with another intervention start.
    SamePerson,
    /// A PNC ID that is malformed or fails its check character.
    PncId,
    /// A malformed prison number.
    PrisonNumber,
    /// A malformed postcode.
    Postcode,
    /// More or fewer values than the header has columns.
    RaggedRow,
}

impl Rule {
    const ALL: [Rule; 15] = [
        Rule::MissingValue,
        Rule::Name,
        Rule::UnreadableDate,
        Rule::Gender,
        Rule::Age,
        Rule::Coverage,
        Rule::FutureDate,
        Rule::BirthOrder,
        Rule::SentenceOrder,
        Rule::Duplicate,
        Rule::SamePerson,
        Rule::PncId,
        Rule::PrisonNumber,
        Rule::Postcode,
        Rule::RaggedRow,
    ];

    /// The rule in a few words.
    pub fn describe(self) -> &'static str {
        match self {
            Rule::MissingValue => "required value missing",
            Rule::Name => "name without letters",
            Rule::UnreadableDate => "date not readable",
            Rule::Gender => "gender not M or F",
            Rule::Age => "age not 10 to 100 at intervention start",
            Rule::Coverage => "intervention outside the measurable period",
            Rule::FutureDate => "date after the national records' extract",
            Rule::BirthOrder => "date of birth not before sentence",
            Rule::SentenceOrder => "sentence end before sentence start",
            Rule::Duplicate => "duplicate row",
            Rule::SamePerson => "same person on another row",
            Rule::PncId => "PNC ID not valid",
            Rule::PrisonNumber => "prison number not valid",
            Rule::Postcode => "postcode not valid",
            Rule::RaggedRow => "wrong number of values",
        }
    }
}

/// One problem on one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    /// The spreadsheet row: the header is row 1 (when it is the first row),
    /// the first data row row 2.
    pub row: u64,
    /// The template column, or `None` for a problem with the row as a whole.
    pub field: Option<&'static str>,
    /// Error (row excluded) or warning (row used).
    pub severity: Severity,
    /// The rule broken.
    pub rule: Rule,
    /// The value as the file has it, made safe to show: at most 60
    /// characters, no control characters, and a leading `'` on anything a
    /// spreadsheet would run as a formula.
    pub value: Option<String>,
    /// What is wrong.
    pub problem: String,
    /// How to put it right.
    pub fix: String,
}

/// How often a rule was broken, whether or not each time is listed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Times it made a row unusable.
    pub errors: u64,
    /// Times it was a warning.
    pub warnings: u64,
}

/// Row counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Data rows read (blank rows not counted).
    pub rows_read: u64,
    /// Rows with no error, handed on for linkage.
    pub usable: u64,
    /// Rows with at least one error, excluded.
    pub with_errors: u64,
    /// Rows with at least one warning (some may also have errors).
    pub with_warnings: u64,
    /// Rows with no values at all, skipped.
    pub blank_rows: u64,
    /// Usable rows the lab needs to accept the cohort.
    pub min_records: usize,
}

/// What intake decided about a cohort and why.
///
/// Serialises to JSON with the same content as [`Report::to_text`]. Every
/// value taken from the provider's file (cells, header names, sheet names)
/// is made safe to show before it is stored here, so neither form can carry
/// a spreadsheet formula or a control character.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Accepted or rejected.
    pub decision: Decision,
    /// Why it was rejected: each reason says what to change. Empty when
    /// accepted.
    pub reasons: Vec<String>,
    /// The cohort file's name.
    pub file: String,
    /// The request, when it was read and complete.
    pub request: Option<Request>,
    /// The order numeric dates were read in, when one was needed.
    pub date_order: Option<DateOrder>,
    /// Row counts.
    pub counts: Counts,
    /// How often each rule was broken, counting every row, listed or not.
    pub rules: BTreeMap<Rule, Tally>,
    /// Row-level problems in row order: errors first claim the listing
    /// limit, then warnings fill what is left of it.
    pub issues: Vec<Issue>,
    /// Problems counted in [`Report::rules`] but not listed, past the limit.
    pub unlisted_issues: u64,
    /// Problems with the file as a whole that did not stop it (an encoding
    /// guessed, a file type corrected).
    pub warnings: Vec<String>,
    /// How the file was read: delimiter, encoding, sheet, columns, date
    /// order and its evidence.
    pub notes: Vec<String>,
}

impl Report {
    pub(crate) fn new(file: String, min_records: usize) -> Self {
        Report {
            decision: Decision::Rejected,
            reasons: Vec::new(),
            file,
            request: None,
            date_order: None,
            counts: Counts {
                min_records,
                ..Counts::default()
            },
            rules: BTreeMap::new(),
            issues: Vec::new(),
            unlisted_issues: 0,
            warnings: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Whether the cohort was accepted, by the [decision rule](super#decision-rule).
    pub fn accepted(&self) -> bool {
        self.decision == Decision::Accepted
    }

    /// The report as a person at a terminal should read it.
    pub fn to_text(&self) -> String {
        let mut t = String::new();
        let verdict = match self.decision {
            Decision::Accepted => "ACCEPTED",
            Decision::Rejected => "REJECTED",
        };
        let _ = writeln!(t, "{verdict}: cohort file {}", self.file);
        if let Some(r) = &self.request {
            let _ = writeln!(
                t,
                "Request from {}: {}",
                echo(&r.organisation),
                echo(&r.intervention)
            );
        }
        if !self.reasons.is_empty() {
            let _ = writeln!(t, "\nWhy it was rejected:");
            for (i, r) in self.reasons.iter().enumerate() {
                let _ = writeln!(t, "  {}. {r}", i + 1);
            }
        }
        let c = &self.counts;
        let _ = writeln!(
            t,
            "\nRows: {} read, {} usable, {} with errors (excluded), {} with warnings; at least {} usable rows are needed.",
            c.rows_read, c.usable, c.with_errors, c.with_warnings, c.min_records
        );
        if !self.warnings.is_empty() {
            let _ = writeln!(t, "\nWarnings about the file:");
            for w in &self.warnings {
                let _ = writeln!(t, "  ! {w}");
            }
        }
        if !self.notes.is_empty() {
            let _ = writeln!(t, "\nHow the file was read:");
            for n in &self.notes {
                let _ = writeln!(t, "  - {n}");
            }
        }
        for (severity, title) in [
            (Severity::Error, "Errors (these rows are excluded)"),
            (Severity::Warning, "Warnings (these rows are used)"),
        ] {
            let listed: Vec<_> = self
                .issues
                .iter()
                .filter(|i| i.severity == severity)
                .collect();
            if listed.is_empty() {
                continue;
            }
            let _ = writeln!(t, "\n{title}:");
            for i in listed {
                let field = i.field.unwrap_or("whole row");
                let _ = writeln!(t, "  Row {}, {field}: {}", i.row, i.problem);
                let _ = writeln!(t, "      Fix: {}", i.fix);
            }
        }
        if self.unlisted_issues > 0 {
            let _ = writeln!(
                t,
                "\n{} more problems are not listed; the counts below include them.",
                self.unlisted_issues
            );
        }
        if !self.rules.is_empty() {
            let _ = writeln!(
                t,
                "\nProblems by rule:\n  {:>8} {:>8}  rule",
                "errors", "warnings"
            );
            for (rule, tally) in &self.rules {
                let _ = writeln!(
                    t,
                    "  {:>8} {:>8}  {}",
                    tally.errors,
                    tally.warnings,
                    rule.describe()
                );
            }
        }
        t
    }
}

/// Makes a value from the file safe to show in a message, a terminal or a
/// spreadsheet cell.
///
/// Control and text-direction characters are dropped (they can rewrite a
/// terminal line or disguise text); values are cut at 60 characters; and a
/// value that starts with `=`, `+`, `-`, `@`, a tab or a carriage return
/// gets a leading `'`, so that a spreadsheet opening the JSON or a copy of
/// the text shows it rather than running it as a formula.
pub(crate) fn echo(value: &str) -> String {
    const MAX_CHARS: usize = 60;
    let risky = |s: &str| s.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let mut out = String::with_capacity(value.len().min(MAX_CHARS * 4) + 4);
    if risky(value) {
        out.push('\'');
    }
    let mut kept = 0;
    for c in value.chars() {
        let hidden = c.is_control()
            || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
        if hidden {
            continue;
        }
        if kept == MAX_CHARS {
            out.push('…');
            break;
        }
        if kept == 0 && !out.starts_with('\'') && risky(c.encode_utf8(&mut [0; 4])) {
            out.push('\'');
        }
        out.push(c);
        kept += 1;
    }
    out
}

/// Counts every problem and keeps the first ones to list.
pub(crate) struct Collector {
    cap: usize,
    errors: Vec<Issue>,
    warnings: Vec<Issue>,
    tallies: [Tally; Rule::ALL.len()],
}

impl Collector {
    pub(crate) fn new(cap: usize) -> Self {
        Collector {
            cap,
            errors: Vec::new(),
            warnings: Vec::new(),
            tallies: [Tally::default(); Rule::ALL.len()],
        }
    }

    /// Records a problem. `describe` gets the value made safe to show and
    /// returns the problem and the fix; it only runs when the problem will
    /// be listed, so a file with millions of errors costs no more than
    /// counting them.
    pub(crate) fn add(
        &mut self,
        severity: Severity,
        row: u64,
        field: Option<&'static str>,
        rule: Rule,
        value: Option<&str>,
        describe: impl FnOnce(&str) -> (String, String),
    ) {
        let tally = &mut self.tallies[rule as usize];
        let list = match severity {
            Severity::Error => {
                tally.errors += 1;
                &mut self.errors
            }
            Severity::Warning => {
                tally.warnings += 1;
                &mut self.warnings
            }
        };
        if list.len() >= self.cap {
            return;
        }
        let shown = value.map(echo);
        let (problem, fix) = describe(shown.as_deref().unwrap_or(""));
        list.push(Issue {
            row,
            field,
            severity,
            rule,
            value: shown,
            problem,
            fix,
        });
    }

    /// Moves the tallies and the listed problems into the report.
    pub(crate) fn finish(self, report: &mut Report) {
        let Collector {
            cap,
            mut errors,
            mut warnings,
            tallies,
        } = self;
        warnings.truncate(cap.saturating_sub(errors.len()));
        let total: u64 = tallies.iter().map(|t| t.errors + t.warnings).sum();
        errors.append(&mut warnings);
        // A stable sort keeps each row's problems in the order found.
        errors.sort_by_key(|i| i.row);
        report.unlisted_issues = total - errors.len() as u64;
        report.issues = errors;
        report.rules = Rule::ALL
            .iter()
            .zip(tallies)
            .filter(|(_, t)| t.errors + t.warnings > 0)
            .map(|(r, t)| (*r, t))
            .collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echo_neutralises_formulas_and_bounds_length() {
        assert_eq!(echo("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(echo("+44"), "'+44");
        assert_eq!(echo("-1"), "'-1");
        assert_eq!(echo("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(echo("\t=1"), "'=1");
        assert_eq!(echo("\r\n@x"), "'@x");
        assert_eq!(echo("O'Neill"), "O'Neill");
        assert_eq!(echo("a\u{1b}[31mb\u{202E}c"), "a[31mbc");
        let long = "x".repeat(100);
        let shown = echo(&long);
        assert_eq!(shown.chars().count(), 61);
        assert!(shown.ends_with('…'));
        assert_eq!(echo(""), "");
    }

    #[test]
    fn collector_lists_errors_first_and_counts_everything() {
        let mut c = Collector::new(3);
        for row in 2..10 {
            c.add(
                Severity::Warning,
                row,
                Some("postcode"),
                Rule::Postcode,
                Some("x"),
                |v| (format!("{v} bad"), "fix".into()),
            );
        }
        for row in [5, 7] {
            c.add(Severity::Error, row, None, Rule::Duplicate, None, |_| {
                ("dup".into(), "fix".into())
            });
        }
        let mut r = Report::new("f".into(), 60);
        c.finish(&mut r);
        let listed: Vec<_> = r.issues.iter().map(|i| (i.row, i.severity)).collect();
        assert_eq!(
            listed,
            vec![
                (2, Severity::Warning),
                (5, Severity::Error),
                (7, Severity::Error)
            ]
        );
        assert_eq!(r.unlisted_issues, 7);
        assert_eq!(
            r.rules[&Rule::Postcode],
            Tally {
                errors: 0,
                warnings: 8
            }
        );
        assert_eq!(
            r.rules[&Rule::Duplicate],
            Tally {
                errors: 2,
                warnings: 0
            }
        );
    }
}
