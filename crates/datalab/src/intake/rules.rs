//! The checks each cohort row must pass.
//!
//! Required values (name, date of birth, gender, intervention start) that
//! are missing, unreadable or implausible make a row unusable: it is listed
//! as an error and left out. Optional values that are malformed (postcode,
//! PNC ID, prison number, an unreadable sentence date) are warned about and
//! ignored, since the row can still be linked by name and date of birth; a
//! readable but impossible sentence date is an error, because it would
//! mislead the matching rather than just be missing from it.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, DefaultHasher, Hash, Hasher};

use chrono::NaiveDate;

use super::CohortRow;
use super::TEMPLATE_COLUMNS;
use super::columns::{
    Columns, DATE_OF_BIRTH, FORENAME, GENDER, INTERVENTION_START, PNC_ID, POSTCODE, PRISON_NUMBER,
    SENTENCE_END, SENTENCE_START, SURNAME, letter,
};
use super::dates::{Example, Form, Unreadable, Years, long};
use super::read::{Cell, RowView};
use super::report::{Collector, Rule, Severity, echo};
use super::request::DateOrder;
use crate::ids::{IdError, PncId, PrisonNumber};
use crate::national::Coverage;
use crate::person::Gender;
use crate::postcode::{Postcode, PostcodeError};

/// Youngest and oldest age at intervention start the lab accepts.
const AGES: std::ops::RangeInclusive<u32> = 10..=100;

const LEAVE_OUT: &str = "or leave the row out and count it in excluded_incomplete in request.toml";

/// The duplicate table's keys are already hashes; hashing them again
/// would only cost time.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// What is remembered of a usable row for duplicate checks: 8 bytes, so
/// that with its 8-byte key a table entry is 16.
#[derive(Debug, Clone, Copy)]
struct Seen {
    /// Spreadsheet row, saturating at `u32::MAX` (four billion rows).
    row: u32,
    /// Intervention start, as days after the coverage's first index date
    /// (usable starts lie inside it, which spans far fewer than 65,536 days).
    start: u16,
    /// 16 bits of a hash of everything else on the row. It only ever tells
    /// an exact repeat from a near one of the same person and start, and
    /// both are errors; at worst one in 65,536 near repeats is called exact.
    details: u16,
}

type Table = HashMap<u64, Seen, BuildHasherDefault<Prehashed>>;

/// The first place something was seen, and how often.
#[derive(Debug, Default)]
pub(crate) struct Sighting {
    pub first: Option<Example>,
    pub count: u64,
}

impl Sighting {
    fn see(&mut self, row: u64, field: usize, cell: &Cell<'_>) {
        self.count += 1;
        if self.first.is_none() {
            self.first = Some(Example {
                row,
                field: TEMPLATE_COLUMNS[field],
                text: echo(&cell.text()),
            });
        }
    }
}

/// What one row has run into so far.
#[derive(Default)]
struct Found {
    errors: u32,
    warnings: u32,
}

/// Checks rows one at a time, remembering what it needs to spot duplicates.
///
/// Duplicate detection keeps one 16-byte table entry per person (a 64-bit
/// hash of their normalised name and date of birth) and one more for each
/// further intervention start of the same person. The table is sized once
/// from the first pass's row count, so it never grows (and never holds two
/// copies while growing): 20 to 40 bytes a row with its overhead, under
/// 600 MB for the 20 million rows of a 2 GB file. Nothing else grows with
/// the file.
pub(crate) struct Checker {
    coverage: Coverage,
    order: Option<DateOrder>,
    pub years: Years,
    seen: Table,
    key: String,
    pub two_digit_years: Sighting,
    pub serials: Sighting,
    pub recoded: Sighting,
    pub with_errors: u64,
    pub with_warnings: u64,
}

/// A row number as the tables store it; a file with more than four billion
/// rows would have its later duplicates named as the last such row.
fn short_row(row: u64) -> u32 {
    u32::try_from(row).unwrap_or(u32::MAX)
}

fn collapse(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

impl Checker {
    /// A checker for about `rows` rows (more or fewer only costs time).
    pub(crate) fn new(coverage: Coverage, order: Option<DateOrder>, rows: u64) -> Self {
        Checker {
            coverage,
            order,
            years: Years::before(coverage.extract_date),
            seen: Table::with_capacity_and_hasher(
                usize::try_from(rows).unwrap_or(usize::MAX).min(1 << 30),
                BuildHasherDefault::default(),
            ),
            key: String::new(),
            two_digit_years: Sighting::default(),
            serials: Sighting::default(),
            recoded: Sighting::default(),
            with_errors: 0,
            with_warnings: 0,
        }
    }

    /// Checks one data row. Returns it, ready for linkage, when it has no
    /// errors.
    pub(crate) fn check(
        &mut self,
        row: u64,
        view: &RowView<'_>,
        cols: &Columns,
        out: &mut Collector,
    ) -> Option<CohortRow> {
        let cells: [Cell<'_>; 10] =
            std::array::from_fn(|t| cols.index[t].map_or(Cell::Empty, |i| view.cell(i)));
        for (t, c) in cells.iter().enumerate() {
            if c.recoded() {
                self.recoded.see(row, t, c);
            }
        }
        let mut found = Found::default();
        self.ragged(row, view, cols, out, &mut found);

        let forename = self.name(row, FORENAME, &cells[FORENAME], out, &mut found);
        let surname = self.name(row, SURNAME, &cells[SURNAME], out, &mut found);
        let dob = self.date(
            row,
            DATE_OF_BIRTH,
            &cells[DATE_OF_BIRTH],
            true,
            out,
            &mut found,
        );
        let gender = self.gender(row, &cells[GENDER], out, &mut found);
        let start = self.date(
            row,
            INTERVENTION_START,
            &cells[INTERVENTION_START],
            true,
            out,
            &mut found,
        );
        let sentence_start = self.date(
            row,
            SENTENCE_START,
            &cells[SENTENCE_START],
            false,
            out,
            &mut found,
        );
        let sentence_end = self.date(
            row,
            SENTENCE_END,
            &cells[SENTENCE_END],
            false,
            out,
            &mut found,
        );
        let postcode = optional(row, POSTCODE, &cells[POSTCODE], out, &mut found, |s| {
            s.parse::<Postcode>().map_err(|e| postcode_problem(&e))
        });
        let pnc_id = optional(row, PNC_ID, &cells[PNC_ID], out, &mut found, |s| {
            s.parse::<PncId>().map_err(|e| id_problem(&e))
        });
        let prison_number = optional(
            row,
            PRISON_NUMBER,
            &cells[PRISON_NUMBER],
            out,
            &mut found,
            |s| s.parse::<PrisonNumber>().map_err(|e| id_problem(&e)),
        );

        if let Some(start) = start {
            self.coverage_check(row, start.0, &cells[INTERVENTION_START], out, &mut found);
        }
        if let (Some(dob), Some(start)) = (dob, start) {
            age_check(row, dob, start.0, &cells[DATE_OF_BIRTH], out, &mut found);
        }
        sentence_checks(row, dob, sentence_start, sentence_end, out, &mut found);

        let ready = match (forename, surname, dob, gender, start) {
            (Some(f), Some(s), Some(d), Some(g), Some(i)) if found.errors == 0 => {
                Some((f, s, d.0, g, i.0))
            }
            _ => None,
        };
        let cohort_row = ready.and_then(|(forename, surname, dob, gender, start)| {
            let optional_text = |t: usize| cells[t].text();
            let details = {
                let mut h = DefaultHasher::new();
                (&forename, &surname, gender).hash(&mut h);
                (sentence_start.map(|d| d.0), sentence_end.map(|d| d.0)).hash(&mut h);
                match &postcode {
                    Some(p) => p.as_str().hash(&mut h),
                    None => optional_text(POSTCODE).hash(&mut h),
                }
                match pnc_id {
                    Some(p) => p.hash(&mut h),
                    None => optional_text(PNC_ID).hash(&mut h),
                }
                match prison_number {
                    Some(p) => p.hash(&mut h),
                    None => optional_text(PRISON_NUMBER).to_uppercase().hash(&mut h),
                }
                (h.finish() >> 48) as u16
            };
            let person = self.person_key(&forename, &surname, dob);
            let seen = Seen {
                row: short_row(row),
                start: u16::try_from((start - self.coverage.index_from).num_days())
                    .unwrap_or(u16::MAX),
                details,
            };
            if !self.duplicates(row, person, seen, out, &mut found) {
                return None;
            }
            Some(CohortRow {
                row,
                forename,
                surname,
                date_of_birth: dob,
                gender,
                postcode,
                intervention_start: start,
                sentence_start: sentence_start.map(|d| d.0),
                sentence_end: sentence_end.map(|d| d.0),
                pnc_id,
                prison_number,
            })
        });
        if found.errors > 0 {
            self.with_errors += 1;
        }
        if found.warnings > 0 {
            self.with_warnings += 1;
        }
        cohort_row
    }

    fn person_key(&mut self, forename: &str, surname: &str, dob: NaiveDate) -> u64 {
        self.key.clear();
        for name in [forename, surname] {
            if name.is_ascii() {
                self.key.extend(
                    name.bytes()
                        .filter(|b| !b.is_ascii_whitespace())
                        .map(|b| char::from(b.to_ascii_lowercase())),
                );
            } else {
                self.key.extend(
                    name.chars()
                        .filter(|c| !c.is_whitespace())
                        .flat_map(char::to_lowercase),
                );
            }
            self.key.push('\u{0}');
        }
        let mut h = DefaultHasher::new();
        (&self.key, dob).hash(&mut h);
        h.finish()
    }

    /// Records a usable row for duplicate checks; false if it repeats an
    /// earlier one and so is not usable after all.
    ///
    /// A person's first row is filed under the person's hash; each later
    /// row with another start is filed under a hash of person and start, so
    /// that a repeat of any of them is found in one or two look-ups.
    fn duplicates(
        &mut self,
        row: u64,
        person: u64,
        seen: Seen,
        out: &mut Collector,
        found: &mut Found,
    ) -> bool {
        let Some(&first) = self.seen.get(&person) else {
            self.seen.insert(person, seen);
            return true;
        };
        let again = {
            let mut h = DefaultHasher::new();
            (person, seen.start).hash(&mut h);
            h.finish()
        };
        let earlier = if first.start == seen.start {
            Some(first)
        } else {
            self.seen.get(&again).copied()
        };
        if let Some(earlier) = earlier {
            found.errors += 1;
            let n = earlier.row;
            let (problem, fix) = if earlier.details == seen.details {
                (
                    format!("same as row {n}"),
                    "Remove it: each person and intervention should be in the file once."
                        .to_string(),
                )
            } else {
                (
                    format!(
                        "same person and intervention start as row {n}, but other details differ"
                    ),
                    format!("Keep whichever of rows {n} and {row} is right and remove the other."),
                )
            };
            out.add(Severity::Error, row, None, Rule::Duplicate, None, |_| {
                (problem, fix)
            });
            return false;
        }
        found.warnings += 1;
        let index_from = self.coverage.index_from;
        out.add(Severity::Warning, row, None, Rule::SamePerson, None, |_| {
            let when = |s: Seen| long(index_from + chrono::Days::new(u64::from(s.start)));
            let n = first.row;
            (
                format!(
                    "same person (name and date of birth) as row {n}, with a different intervention start ({} there, {} here)",
                    when(first),
                    when(seen)
                ),
                format!(
                    "Nothing to do if these are two separate interventions; if one is a mistake, correct or remove row {n} or row {row}."
                ),
            )
        });
        self.seen.insert(again, seen);
        true
    }

    fn ragged(
        &self,
        row: u64,
        view: &RowView<'_>,
        cols: &Columns,
        out: &mut Collector,
        found: &mut Found,
    ) {
        let (have, want) = (view.len(), cols.width);
        if have > want && view.has_values_from(want) {
            found.warnings += 1;
            out.add(Severity::Warning, row, None, Rule::RaggedRow, None, |_| {
                (
                    format!(
                        "the row has {have} values but the header has {want} columns; the values after column {} were ignored",
                        letter(cols.first_col + want - 1)
                    ),
                    match view {
                        RowView::Csv(_) => "A value probably contains the delimiter: put double quotes around it, or save the file again from Excel.",
                        RowView::Sheet(_) => "Move the values into the template's columns, or give their column a header.",
                    }
                    .to_string(),
                )
            });
        } else if cols.index.iter().flatten().any(|&i| i >= have) {
            found.warnings += 1;
            out.add(Severity::Warning, row, None, Rule::RaggedRow, None, |_| {
                (
                    format!(
                        "the row has {have} values but the header has {want} columns; the missing ones were read as empty"
                    ),
                    "Check that the row was not cut short or split across two lines.".to_string(),
                )
            });
        }
    }

    fn name(
        &self,
        row: u64,
        t: usize,
        cell: &Cell<'_>,
        out: &mut Collector,
        found: &mut Found,
    ) -> Option<String> {
        let field = TEMPLATE_COLUMNS[t];
        if cell.is_empty() {
            found.errors += 1;
            out.add(Severity::Error, row, Some(field), Rule::MissingValue, None, |_| {
                (
                    format!("{field} is empty"),
                    format!("Every row needs a forename and a surname: fill it in from your records, {LEAVE_OUT}."),
                )
            });
            return None;
        }
        let text = cell.text();
        if !text.chars().any(char::is_alphabetic) {
            found.errors += 1;
            out.add(
                Severity::Error,
                row,
                Some(field),
                Rule::Name,
                Some(&text),
                |v| {
                    (
                        format!("{field} \"{v}\" has no letters in it"),
                        format!("Give the name as your records have it, {LEAVE_OUT}."),
                    )
                },
            );
            return None;
        }
        Some(collapse(&text))
    }

    fn gender(
        &self,
        row: u64,
        cell: &Cell<'_>,
        out: &mut Collector,
        found: &mut Found,
    ) -> Option<Gender> {
        if cell.is_empty() {
            found.errors += 1;
            out.add(Severity::Error, row, Some("gender"), Rule::MissingValue, None, |_| {
                (
                    "gender is empty".to_string(),
                    format!("Every row needs a gender, M or F, as the national records hold it: fill it in, {LEAVE_OUT}."),
                )
            });
            return None;
        }
        let text = cell.text();
        // Nearly every row says M or F; the general parse allocates.
        match text.as_ref() {
            "M" | "m" => return Some(Gender::Male),
            "F" | "f" => return Some(Gender::Female),
            _ => {}
        }
        match text.parse::<Gender>() {
            Ok(g) => Some(g),
            Err(_) => {
                found.errors += 1;
                out.add(Severity::Error, row, Some("gender"), Rule::Gender, Some(&text), |v| {
                    (
                        format!("gender \"{v}\" is not one the national records hold"),
                        "Use M or F (Male and Female are also read), as the person's criminal record has it.".to_string(),
                    )
                });
                None
            }
        }
    }

    /// Reads a date cell. Required dates that are missing or unreadable are
    /// errors; optional ones are warnings and the value is ignored. Any date
    /// after the extract is an error.
    fn date(
        &mut self,
        row: u64,
        t: usize,
        cell: &Cell<'_>,
        required: bool,
        out: &mut Collector,
        found: &mut Found,
    ) -> Option<(NaiveDate, Form)> {
        let field = TEMPLATE_COLUMNS[t];
        let example = match t {
            DATE_OF_BIRTH => "23/04/1985",
            _ => "01/03/2015",
        };
        if cell.is_empty() {
            if required {
                found.errors += 1;
                let what = if t == DATE_OF_BIRTH {
                    "a date of birth"
                } else {
                    "the date the person started the intervention"
                };
                out.add(
                    Severity::Error,
                    row,
                    Some(field),
                    Rule::MissingValue,
                    None,
                    |_| {
                        (
                            format!("{field} is empty"),
                            format!("Every row needs {what}: fill it in, {LEAVE_OUT}."),
                        )
                    },
                );
            }
            return None;
        }
        let (date, form) = match cell.date(self.years).resolve(self.order) {
            Ok(d) => d,
            Err(why) => {
                let text = cell.text();
                let (severity, then) = if required {
                    (Severity::Error, "")
                } else {
                    (Severity::Warning, "; it will be ignored")
                };
                match severity {
                    Severity::Error => found.errors += 1,
                    Severity::Warning => found.warnings += 1,
                }
                out.add(severity, row, Some(field), Rule::UnreadableDate, Some(&text), |v| {
                    let fix = match why {
                        Unreadable::NoSuchDay | Unreadable::WrongOrder => {
                            "Check the date against your records and correct it.".to_string()
                        }
                        _ if required => format!(
                            "Write the full date, e.g. {example}, 1 March 2015 or 2015-03-01."
                        ),
                        _ => format!(
                            "Write the full date, e.g. {example} or 2015-03-01, or leave it empty."
                        ),
                    };
                    (format!("{field} \"{v}\" {}{then}", why.explain()), fix)
                });
                return None;
            }
        };
        if form.two_digit_year {
            self.two_digit_years.see(row, t, cell);
        }
        if form.serial {
            self.serials.see(row, t, cell);
        }
        let extract = self.coverage.extract_date;
        if date > extract {
            found.errors += 1;
            let text = cell.text();
            out.add(Severity::Error, row, Some(field), Rule::FutureDate, Some(&text), |v| {
                (
                    format!(
                        "{field} \"{v}\" ({}) is after {}, the date of the national records extract",
                        long(date),
                        long(extract)
                    ),
                    "Check the date against your records: the lab can only use dates up to the extract.".to_string(),
                )
            });
            return None;
        }
        Some((date, form))
    }

    fn coverage_check(
        &self,
        row: u64,
        start: NaiveDate,
        cell: &Cell<'_>,
        out: &mut Collector,
        found: &mut Found,
    ) {
        let c = self.coverage;
        if c.contains_index(start) {
            return;
        }
        found.errors += 1;
        let text = cell.text();
        out.add(
            Severity::Error,
            row,
            Some("intervention_start"),
            Rule::Coverage,
            Some(&text),
            |v| {
                let side = if start < c.index_from {
                    "before the earliest"
                } else {
                    "after the latest"
                };
                (
                    format!(
                        "intervention_start \"{v}\" ({}) is {side} start the lab can measure",
                        long(start)
                    ),
                    format!(
                        "The lab can measure interventions that started from {} to {}: the national records run to {} and each person needs {} months after the start (a year of follow-up and six months for offences to be proven). Correct the date, or leave the row out.",
                        long(c.index_from),
                        long(c.index_to()),
                        long(c.extract_date),
                        Coverage::FOLLOW_UP_MONTHS
                    ),
                )
            },
        );
    }
}

fn age_check(
    row: u64,
    dob: (NaiveDate, Form),
    start: NaiveDate,
    dob_cell: &Cell<'_>,
    out: &mut Collector,
    found: &mut Found,
) {
    let (born, form) = dob;
    let age = start.years_since(born);
    if age.is_some_and(|a| AGES.contains(&a)) {
        return;
    }
    found.errors += 1;
    let text = dob_cell.text();
    out.add(
        Severity::Error,
        row,
        Some("date_of_birth"),
        Rule::Age,
        Some(&text),
        |v| {
            let problem = match age {
                Some(a) => format!(
                    "age at intervention start is {a} (born {}, started {}); the lab measures people aged {} to {}",
                    long(born),
                    long(start),
                    AGES.start(),
                    AGES.end()
                ),
                None => format!(
                    "date_of_birth \"{v}\" ({}) is after the intervention start ({})",
                    long(born),
                    long(start)
                ),
            };
            let mut fix = "Check the date of birth and the intervention start against your records.".to_string();
            if form.two_digit_year {
                fix.push_str(&format!(
                    " The year of birth was written with two digits and read as {}: write it in full if that is wrong.",
                    chrono::Datelike::year(&born)
                ));
            }
            (problem, fix)
        },
    );
}

fn sentence_checks(
    row: u64,
    dob: Option<(NaiveDate, Form)>,
    start: Option<(NaiveDate, Form)>,
    end: Option<(NaiveDate, Form)>,
    out: &mut Collector,
    found: &mut Found,
) {
    if let (Some((s, _)), Some((e, _))) = (start, end)
        && e < s
    {
        found.errors += 1;
        out.add(
            Severity::Error,
            row,
            Some("sentence_end"),
            Rule::SentenceOrder,
            None,
            |_| {
                (
                    format!(
                        "sentence_end ({}) is before sentence_start ({})",
                        long(e),
                        long(s)
                    ),
                    "Check both dates against the sentence record; leave a date empty if it is not known.".to_string(),
                )
            },
        );
    }
    let Some((born, _)) = dob else { return };
    for (field, date) in [("sentence_start", start), ("sentence_end", end)] {
        if let Some((d, _)) = date
            && d <= born
        {
            found.errors += 1;
            out.add(
                Severity::Error,
                row,
                Some(field),
                Rule::BirthOrder,
                None,
                |_| {
                    (
                        format!(
                            "{field} ({}) is not after the date of birth ({})",
                            long(d),
                            long(born)
                        ),
                        "Check the date of birth and the sentence dates against your records."
                            .to_string(),
                    )
                },
            );
        }
    }
}

/// Reads an optional identifier: empty is fine, and a malformed one is a
/// warning and ignored, since the row still links by name and date of birth.
fn optional<T>(
    row: u64,
    t: usize,
    cell: &Cell<'_>,
    out: &mut Collector,
    found: &mut Found,
    parse: impl FnOnce(&str) -> Result<T, Problem>,
) -> Option<T> {
    if cell.is_empty() {
        return None;
    }
    let text = cell.text();
    match parse(&text) {
        Ok(v) => Some(v),
        Err(problem) => {
            found.warnings += 1;
            let field = TEMPLATE_COLUMNS[t];
            let rule = match t {
                POSTCODE => Rule::Postcode,
                PNC_ID => Rule::PncId,
                _ => Rule::PrisonNumber,
            };
            out.add(
                Severity::Warning,
                row,
                Some(field),
                rule,
                Some(&text),
                |v| {
                    (
                        format!("{field} \"{v}\" {}; it will be ignored", problem.what),
                        format!(
                            "{} The row is still used, matched by name and date of birth.",
                            problem.fix
                        ),
                    )
                },
            );
            None
        }
    }
}

/// What is wrong with an identifier, without repeating its text (which the
/// message quotes once, made safe).
struct Problem {
    what: String,
    fix: &'static str,
}

fn id_problem(e: &IdError) -> Problem {
    match e {
        IdError::Format { kind, expected, .. } => Problem {
            what: format!("is not in the {kind} format ({expected})"),
            fix: "Correct it from the person's record, or leave it empty.",
        },
        IdError::CheckCharacter {
            expected, found, ..
        } => Problem {
            what: format!(
                "has check character {found} but its number needs {expected}: a digit or the year is probably mistyped"
            ),
            fix: "Correct it from the person's PNC record, or leave it empty.",
        },
    }
}

fn postcode_problem(e: &PostcodeError) -> Problem {
    match e {
        PostcodeError::Format(_) => Problem {
            what: "is not a full UK postcode".to_string(),
            fix: "Give the full postcode, e.g. M14 5QT, or leave it empty.",
        },
        PostcodeError::UnknownArea { area, .. } => Problem {
            what: format!("starts with {area}, which is not a UK postcode area"),
            fix: "Correct the postcode, or leave it empty.",
        },
    }
}
