//! Cohort intake: checking a provider's file and request before anything
//! else touches them.
//!
//! [`validate`] reads a cohort file (CSV, or an Excel workbook) and its
//! `request.toml`, checks both against the lab's rules, hands every usable
//! row to the caller and returns a [`Report`] that says whether the cohort
//! is accepted and, row by row, what is wrong and how to fix it.
//!
//! # Decision rule
//!
//! A cohort is **accepted** when all of these hold:
//!
//! 1. the request is complete and both confirmations are given (without
//!    them the cohort file is not even read);
//! 2. the file can be read and has a header with every required column
//!    (forename, surname, date_of_birth, gender, intervention_start), each
//!    only once;
//! 3. the order of day and month in numeric dates is settled, by dates in
//!    the file that can only be read one way or else by the request's
//!    `date_order`, and the file's dates do not contradict each other or
//!    the request;
//! 4. at least [`Settings::min_records`] rows are usable, a row being
//!    usable when it has no error.
//!
//! Otherwise it is **rejected**, with a reason for each failed condition.
//! Rows with errors are listed and left out; warnings never block.
//!
//! # Row rules
//!
//! A row has an **error** (and is left out) when a name, the date of birth,
//! the gender or the intervention start is missing or unreadable; when the
//! person is under 10 or over 100 at the start; when the start is outside
//! the period the lab can measure ([`Coverage::index_from`] to
//! [`Coverage::index_to`]); when any date is after the extract; when the
//! sentence ends before it starts or does not start after the birth; or
//! when it repeats an earlier row (exactly, or the same person and start
//! with other details differing). It has a **warning** (and is used) when
//! an optional value (postcode, PNC ID, prison number, a sentence date) is
//! malformed and so ignored, when the same person appears on an earlier
//! row with another start, or when it has more or fewer values than the
//! header.
//!
//! Rows are numbered as a spreadsheet shows them: the header is row 1 when
//! it is the first row, and blank lines count.
//!
//! # Reading files
//!
//! CSV files are streamed and read twice (once to settle the date order,
//! once to check the rows), so their size is limited by disk, not memory.
//! The delimiter (comma, semicolon, tab or bar), a UTF-8 byte-order mark and
//! Windows-1252 text are detected and said so in the report's notes and
//! warnings. Workbooks are read whole; the first sheet with the template's
//! header is used.

mod columns;
mod dates;
mod read;
mod report;
mod request;
mod rules;

use std::fs::File;
use std::io::{self, Read, Seek};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

pub use report::{Counts, Decision, Issue, Report, Rule, Severity, Tally};
pub use request::{Confirmation, DateOrder, Request, parse_request};

use crate::ids::{PncId, PrisonNumber};
use crate::national::Coverage;
use crate::person::Gender;
use crate::postcode::Postcode;
use columns::{Columns, DATES, REQUIRED};
use dates::{Evidence, Example, Settled, Years};
use read::{CsvSource, Header, ScanError, SheetSource, Sniffed, Source};
use report::{Collector, echo};
use rules::{Checker, Sighting};

/// The columns of the lab's cohort template, in order.
pub const TEMPLATE_COLUMNS: [&str; 10] = [
    "forename",
    "surname",
    "date_of_birth",
    "gender",
    "postcode",
    "intervention_start",
    "sentence_start",
    "sentence_end",
    "pnc_id",
    "prison_number",
];

/// What intake checks against.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Usable rows needed to accept a cohort (60 by default: fewer people
    /// give too wide a margin of error to report).
    pub min_records: usize,
    /// The span of the national records, which bounds the interventions the
    /// lab can measure and the dates it can believe.
    pub coverage: Coverage,
    /// Row-level problems listed in the report (1000 by default); beyond
    /// that they are only counted.
    pub max_listed_issues: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            min_records: 60,
            coverage: Coverage::default(),
            max_listed_issues: 1000,
        }
    }
}

/// One usable row of a cohort file, parsed.
///
/// Names are as the provider typed them, trimmed and with runs of spaces
/// made single; accents, apostrophes and hyphens are kept, for the linkage
/// stage to normalise as it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CohortRow {
    /// The spreadsheet row it came from.
    pub row: u64,
    /// Forename(s).
    pub forename: String,
    /// Surname.
    pub surname: String,
    /// Date of birth.
    pub date_of_birth: NaiveDate,
    /// Gender.
    pub gender: Gender,
    /// Postcode, when given and valid.
    pub postcode: Option<Postcode>,
    /// The date the person started the intervention.
    pub intervention_start: NaiveDate,
    /// Start of the sentence the intervention relates to, when given.
    pub sentence_start: Option<NaiveDate>,
    /// End of that sentence, when given.
    pub sentence_end: Option<NaiveDate>,
    /// PNC ID, when given and valid.
    pub pnc_id: Option<PncId>,
    /// Prison number, when given and valid.
    pub prison_number: Option<PrisonNumber>,
}

/// Why validation could not run at all: a usage problem, not a rejection.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    /// A file could not be opened (missing, a directory, no permission).
    #[error("cannot open {}: {source}", path.display())]
    Open {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: io::Error,
    },
    /// A file could not be read to the end.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: io::Error,
    },
    /// The cohort file's type is not one intake reads.
    #[error(
        "{}: .{extension} files cannot be read; send the cohort as CSV (.csv, also .tsv or .txt) or as an Excel workbook (.xlsx, also .xlsm, .xls or .ods)",
        path.display()
    )]
    UnsupportedType {
        /// The file.
        path: PathBuf,
        /// Its extension.
        extension: String,
    },
}

/// Largest request file read.
const MAX_REQUEST_BYTES: u64 = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Csv,
    Workbook,
}

fn kind_of(path: &Path) -> Result<Kind, IntakeError> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "csv" | "tsv" | "txt" => Ok(Kind::Csv),
        "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" => Ok(Kind::Workbook),
        _ => Err(IntakeError::UnsupportedType {
            path: path.to_path_buf(),
            extension: ext,
        }),
    }
}

fn open(path: &Path) -> Result<File, IntakeError> {
    let err = |source| IntakeError::Open {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(err)?;
    if file.metadata().map_err(err)?.is_dir() {
        return Err(err(io::Error::other("it is a directory, not a file")));
    }
    Ok(file)
}

/// Validates a cohort file and its request.
///
/// Every usable row is handed to `sink` as soon as it has been checked, in
/// file order, before the decision is known: a caller that only wants an
/// accepted cohort should keep them aside until [`Report::accepted`] says
/// so. Nothing is handed over when the request is incomplete or
/// unconfirmed, as the cohort file is then not read.
///
/// Problems with the provider's files are rejections, in the report; an
/// `Err` means validation could not run (a file missing or unreadable, or
/// of a type intake does not read). The [decision rule](self#decision-rule)
/// is in the module documentation.
pub fn validate(
    cohort: &Path,
    request: &Path,
    settings: &Settings,
    mut sink: impl FnMut(CohortRow),
) -> Result<Report, IntakeError> {
    let kind = kind_of(cohort)?;
    let file = open(cohort)?;
    let mut request_bytes = Vec::new();
    // A request is a dozen lines; reading at most a little more than the
    // limit keeps a cohort passed as the request by mistake out of memory.
    open(request)?
        .take(MAX_REQUEST_BYTES + 1)
        .read_to_end(&mut request_bytes)
        .map_err(|source| IntakeError::Read {
            path: request.to_path_buf(),
            source,
        })?;
    let name = cohort.file_name().map_or_else(
        || cohort.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let mut report = Report::new(echo(&name), settings.min_records);
    let too_big = request_bytes.len() as u64 > MAX_REQUEST_BYTES;
    let parsed = match String::from_utf8(request_bytes) {
        _ if too_big => Err(vec![format!(
            "The request file is over {} KiB, far more than a request.toml holds: check that it is the request and not the cohort.",
            MAX_REQUEST_BYTES >> 10
        )]),
        Ok(text) => parse_request(&text),
        Err(_) => Err(vec![
            "request.toml is not UTF-8 text: save it again as UTF-8 (any plain text editor can)."
                .to_string(),
        ]),
    };
    let request = match parsed {
        Ok(r) => r,
        Err(problems) => {
            refuse_unconfirmed(&mut report, problems);
            return Ok(report);
        }
    };
    report.request = Some(request.clone());
    let outcome = match kind {
        Kind::Csv => run_csv(file, &request, settings, &mut report, &mut sink),
        Kind::Workbook => {
            let mut bytes = Vec::new();
            let mut file = file;
            file.read_to_end(&mut bytes)
                .map_err(ScanError::Io)
                .map(|_| run_workbook(bytes, &request, settings, &mut report, &mut sink))
        }
    };
    finish(outcome, cohort, report)
}

/// Validates CSV text from any seekable reader (a file, or bytes in memory)
/// against an already-read request, exactly as [`validate`] does a `.csv`
/// file. The request's confirmations are still required.
pub fn validate_csv<R: Read + Seek>(
    input: R,
    request: &Request,
    settings: &Settings,
    mut sink: impl FnMut(CohortRow),
) -> Result<Report, IntakeError> {
    let mut report = Report::new("CSV input".to_string(), settings.min_records);
    let missing = request::unconfirmed(request);
    if !missing.is_empty() {
        refuse_unconfirmed(&mut report, missing);
        return Ok(report);
    }
    report.request = Some(request.clone());
    let outcome = run_csv(input, request, settings, &mut report, &mut sink);
    finish(outcome, Path::new("CSV input"), report)
}

fn refuse_unconfirmed(report: &mut Report, problems: Vec<String>) {
    report.reasons = problems;
    report.notes.push(
        "The cohort file was not read: nothing is processed until request.toml is complete and confirmed."
            .to_string(),
    );
}

fn finish(
    outcome: Result<(), ScanError>,
    path: &Path,
    mut report: Report,
) -> Result<Report, IntakeError> {
    match outcome {
        Ok(()) => Ok(report),
        Err(ScanError::Io(source)) => Err(IntakeError::Read {
            path: path.to_path_buf(),
            source,
        }),
        Err(ScanError::RecordTooLong { after_row }) => {
            report.decision = Decision::Rejected;
            report.reasons.push(format!(
                "After row {after_row} the file has a value more than {} MiB long: a double quote (\") that opens a value is probably never closed. Check the row after row {after_row}, or save the file again from Excel.",
                read::MAX_RECORD_BYTES >> 20
            ));
            Ok(report)
        }
    }
}

fn delimiter_note(d: u8) -> &'static str {
    match d {
        b';' => {
            "semicolons (;), as Excel saves CSV files when set to a language that writes decimals with a comma"
        }
        b'\t' => "tabs",
        b'|' => "vertical bars (|)",
        _ => "commas",
    }
}

fn run_csv<R: Read + Seek>(
    mut input: R,
    request: &Request,
    settings: &Settings,
    report: &mut Report,
    sink: &mut dyn FnMut(CohortRow),
) -> Result<(), ScanError> {
    match read::sniff(&mut input).map_err(ScanError::Io)? {
        Sniffed::Empty => {
            report.reasons.push(format!(
                "The cohort file is empty. Fill in the lab's template (columns {}) with one row per person, and send it again.",
                TEMPLATE_COLUMNS.join(", ")
            ));
            Ok(())
        }
        Sniffed::Utf16 => {
            report.reasons.push(
                "The file is UTF-16 text (Excel's \"Unicode Text\"), which the lab does not read. In Excel choose Save As, \"CSV UTF-8 (Comma delimited)\", or send the workbook as .xlsx."
                    .to_string(),
            );
            Ok(())
        }
        Sniffed::Workbook => {
            report.warnings.push(
                "The file is named as CSV but holds an Excel workbook; it was read as a workbook."
                    .to_string(),
            );
            let mut bytes = Vec::new();
            input.seek(io::SeekFrom::Start(0)).map_err(ScanError::Io)?;
            input.read_to_end(&mut bytes).map_err(ScanError::Io)?;
            run_workbook(bytes, request, settings, report, sink);
            Ok(())
        }
        Sniffed::Text { bom } => {
            let source = CsvSource::new(input, bom).map_err(ScanError::Io)?;
            report.notes.push(format!(
                "Read as CSV text with values separated by {}.",
                delimiter_note(source.delimiter)
            ));
            if bom {
                report.notes.push(
                    "The file starts with a UTF-8 byte-order mark (as Excel's \"CSV UTF-8\" writes); it was skipped."
                        .to_string(),
                );
            }
            let mut source = Source::Csv(source);
            let header = source.header()?;
            run(source, header, request, settings, report, sink)
        }
    }
}

fn run_workbook(
    bytes: Vec<u8>,
    request: &Request,
    settings: &Settings,
    report: &mut Report,
    sink: &mut dyn FnMut(CohortRow),
) {
    let sheets = match read::workbook(bytes) {
        Ok(s) => s,
        Err(e) => {
            report.reasons.push(format!(
                "The file could not be read as an Excel workbook ({}). Open it in Excel and save it again as .xlsx, or save it as \"CSV UTF-8\".",
                echo(&e)
            ));
            return;
        }
    };
    let mut names = Vec::new();
    let mut best: Option<(SheetSource, Option<Header>)> = None;
    let mut chosen = None;
    for sheet in sheets {
        let sheet = match sheet {
            Ok(s) => s,
            Err(e) => {
                report.warnings.push(format!(
                    "A sheet could not be read and was skipped: {}.",
                    echo(&e)
                ));
                continue;
            }
        };
        names.push(sheet.name.clone());
        if chosen.is_some() {
            continue;
        }
        let mut source = Source::<io::Empty>::Sheet(sheet);
        // Scanning a sheet in memory cannot fail.
        let header = source.header().ok().flatten();
        let Source::Sheet(sheet) = source else {
            continue;
        };
        let score = |h: &Option<Header>| h.as_ref().map_or(0, |h| h.columns.score());
        if header
            .as_ref()
            .is_some_and(|h| h.columns.missing().is_empty())
        {
            chosen = Some((sheet, header));
        } else if best.as_ref().is_none_or(|(_, b)| score(&header) > score(b)) {
            best = Some((sheet, header));
        }
    }
    let found = chosen.is_some();
    let Some((sheet, header)) = chosen.or(best) else {
        report.reasons.push(
            "The workbook has no sheets with anything in them. Fill in the lab's template and send it again."
                .to_string(),
        );
        return;
    };
    let others: Vec<String> = names
        .iter()
        .filter(|n| **n != sheet.name)
        .map(|n| format!("\"{}\"", echo(n)))
        .collect();
    let which = if found {
        "the first sheet with the template's header"
    } else {
        "no sheet has all the template's required columns; this one comes closest"
    };
    let mut note = format!("Read sheet \"{}\" ({which})", echo(&sheet.name));
    if !others.is_empty() {
        note.push_str(&format!("; other sheets ignored: {}", others.join(", ")));
    }
    note.push('.');
    report.notes.push(note);
    // Scanning a sheet in memory cannot fail.
    let _ = run(
        Source::<io::Empty>::Sheet(sheet),
        header,
        request,
        settings,
        report,
        sink,
    );
}

fn column_list() -> String {
    let required: Vec<_> = REQUIRED.iter().map(|&t| TEMPLATE_COLUMNS[t]).collect();
    format!(
        "The template's columns are {}; {} must be there.",
        TEMPLATE_COLUMNS.join(", "),
        required.join(", ")
    )
}

/// Checks the header, settles the date order and checks every row.
fn run<R: Read + Seek>(
    mut source: Source<R>,
    header: Option<Header>,
    request: &Request,
    settings: &Settings,
    report: &mut Report,
    sink: &mut dyn FnMut(CohortRow),
) -> Result<(), ScanError> {
    let Some(Header {
        row: header_row,
        columns,
    }) = header
    else {
        report.reasons.push(format!(
            "The file has no values in it. {} Fill it in with one row per person and send it again.",
            column_list()
        ));
        return Ok(());
    };
    if !header_ok(header_row, &columns, report) {
        return Ok(());
    }

    let coverage = settings.coverage;
    let years = Years::before(coverage.extract_date);
    let date_columns: Vec<(usize, usize)> = DATES
        .iter()
        .filter_map(|&t| columns.index[t].map(|i| (t, i)))
        .collect();
    let mut evidence = Evidence::default();
    let (mut rows_read, mut blank) = (0u64, 0u64);
    let mut last_row = header_row;
    source.scan(|row, view| {
        if row <= header_row {
            return ControlFlow::Continue(());
        }
        // The CSV reader passes over empty lines; they show up as gaps.
        blank += row.saturating_sub(last_row + 1);
        last_row = row;
        if view.is_blank() {
            blank += 1;
            return ControlFlow::Continue(());
        }
        rows_read += 1;
        for &(t, i) in &date_columns {
            let cell = view.cell(i);
            evidence.add(cell.date(years), || Example {
                row,
                field: TEMPLATE_COLUMNS[t],
                text: echo(&cell.text()),
            });
        }
        ControlFlow::Continue(())
    })?;
    report.counts.rows_read = rows_read;
    report.counts.blank_rows = blank;
    if blank > 0 {
        report
            .notes
            .push(format!("{blank} blank rows were skipped."));
    }
    if rows_read == 0 {
        report.reasons.push(
            "The file has a header but no rows of data under it: add one row per person."
                .to_string(),
        );
        return Ok(());
    }
    let order = match evidence.settle(request.date_order) {
        Settled::Order(order, note) => {
            report.notes.push(note);
            order
        }
        Settled::Unsettled(reason) => {
            report.reasons.push(reason);
            report.notes.push(
                "Rows were not checked one by one: that needs the date order settled first."
                    .to_string(),
            );
            return Ok(());
        }
    };
    report.date_order = order;

    let mut checker = Checker::new(coverage, order, rows_read);
    let mut issues = Collector::new(settings.max_listed_issues);
    let mut usable = 0u64;
    source.scan(|row, view| {
        if row > header_row
            && !view.is_blank()
            && let Some(r) = checker.check(row, view, &columns, &mut issues)
        {
            usable += 1;
            sink(r);
        }
        ControlFlow::Continue(())
    })?;
    issues.finish(report);
    let counts = &mut report.counts;
    counts.usable = usable;
    counts.with_errors = checker.with_errors;
    counts.with_warnings = checker.with_warnings;
    sighting_notes(&checker, report);

    let needed = settings.min_records as u64;
    if usable < needed {
        let why = if checker.with_errors > 0 {
            format!(
                "Only {usable} of the {rows_read} rows are usable ({} have errors, listed below)",
                checker.with_errors
            )
        } else {
            format!("The file has only {rows_read} rows")
        };
        report.reasons.push(format!(
            "{why}; the lab needs at least {needed} people to measure reoffending reliably. Correct the rows with errors, or add more people."
        ));
    } else {
        report.decision = Decision::Accepted;
    }
    Ok(())
}

/// Notes how the header was read; false (with reasons) if it cannot be used.
fn header_ok(header_row: u64, columns: &Columns, report: &mut Report) -> bool {
    let missing = columns.missing();
    if columns.score() == 0 {
        report.reasons.push(format!(
            "No row at the top of the file is the template's header. The first row should name the columns. {}",
            column_list()
        ));
        return false;
    }
    report.reasons.extend(columns.clashes.iter().cloned());
    if !missing.is_empty() {
        let (names, noun) = match missing.as_slice() {
            [one] => (one.to_string(), "column"),
            [rest @ .., last] => (format!("{} or {last}", rest.join(", ")), "columns"),
            [] => (String::new(), "columns"),
        };
        report.reasons.push(format!(
            "The header (row {header_row}) has no {names} {noun}. Add it, or rename the column that holds it. {}",
            column_list()
        ));
    }
    if !report.reasons.is_empty() {
        return false;
    }
    if header_row > 1 {
        report.notes.push(format!(
            "The header is on row {header_row}; the rows above it were ignored."
        ));
    }
    if !columns.renamed.is_empty() {
        report.notes.push(format!(
            "Columns read as template columns: {}.",
            columns.renamed.join(", ")
        ));
    }
    if !columns.extra.is_empty() {
        report.notes.push(format!(
            "Columns not in the template were ignored: {}.",
            columns.extra.join(", ")
        ));
    }
    let absent = columns.absent_optional();
    if !absent.is_empty() {
        report.notes.push(format!(
            "Optional columns not in the file: {}.",
            absent.join(", ")
        ));
    }
    true
}

fn sighting_notes(checker: &Checker, report: &mut Report) {
    let first = |s: &Sighting| {
        s.first
            .as_ref()
            .map_or_else(String::new, |e| format!(" (first: {e})"))
    };
    let s = &checker.two_digit_years;
    if s.count > 0 {
        report.notes.push(format!(
            "{} dates had two-digit years{}; {}. Write years in full wherever that is wrong.",
            s.count,
            first(s),
            checker.years.describe()
        ));
    }
    let s = &checker.serials;
    if s.count > 0 {
        report.notes.push(format!(
            "{} dates were Excel serial numbers{}, read as days counted from 30 December 1899, as Excel counts them.",
            s.count,
            first(s)
        ));
    }
    let s = &checker.recoded;
    if s.count > 0 {
        report.warnings.push(format!(
            "{} values were not valid UTF-8 and were read as Windows-1252, the encoding Excel on Windows uses for plain CSV{}. Check that accented names look right; saving as \"CSV UTF-8\" avoids the guess.",
            s.count,
            first(s)
        ));
    }
}
