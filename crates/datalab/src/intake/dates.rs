//! Reading the dates providers write, and settling the order of day and
//! month from the whole file rather than row by row.
//!
//! A date such as 03/04/1985 is 3 April in the UK and 4 March in the US; a
//! file that also holds 23/04/1985 can only be day-first. Parsing therefore
//! happens in two steps: [`parse`] says what a text is (a settled date, two
//! numbers whose order is still open, or nothing readable), and
//! [`Evidence`] collects, over a first pass of the file, which order the
//! numbers prove.

use chrono::{Datelike, NaiveDate};

use super::request::DateOrder;

/// Serial numbers are days counted from this date, as Excel's 1900 date
/// system counts them for any date after February 1900.
fn excel_epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default()
}

/// The smallest and largest serial number read as a date from text: five
/// digits, 1927 to 2173. Shorter numbers are more likely a bare year or a
/// typing slip than a date.
const SERIAL_TEXT: std::ops::RangeInclusive<u32> = 10_000..=99_999;

/// How two-digit years become four-digit ones: the latest year ending in
/// those digits that is not after `last_year` (the extract's year), so that
/// no date lands in the future by this rule alone.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Years {
    pub last_year: i32,
}

impl Years {
    /// The rule for records extracted on `extract`.
    pub(crate) fn before(extract: NaiveDate) -> Self {
        Years {
            last_year: extract.year(),
        }
    }

    pub(crate) fn full(self, yy: u32) -> i32 {
        let century = self.last_year - self.last_year.rem_euclid(100);
        let year = century + yy as i32;
        if year > self.last_year {
            year - 100
        } else {
            year
        }
    }

    /// The rule in words, for the report.
    pub(crate) fn describe(self) -> String {
        let example = |yy: u32| format!("{yy:02} as {}", self.full(yy));
        let after = (self.last_year + 1).rem_euclid(100) as u32;
        format!(
            "each was read as the latest year ending in those digits that is not after {} (so {}, {} and {})",
            self.last_year,
            example(85),
            example(self.last_year.rem_euclid(100) as u32),
            example(after),
        )
    }
}

/// How a date was written, when that matters to the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Form {
    /// The year had only two digits.
    pub two_digit_year: bool,
    /// The date was an Excel serial number.
    pub serial: bool,
}

/// What a text (or cell) turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Parsed {
    /// Nothing there.
    Empty,
    /// A date whose reading does not depend on the day/month order.
    Date(NaiveDate, Form),
    /// Two numbers and a year, whose order the file must settle.
    Numeric {
        first: u32,
        second: u32,
        year: i32,
        form: Form,
    },
    /// Not a date.
    Invalid(Unreadable),
}

/// Why a text is not a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unreadable {
    /// Not in any format the lab reads.
    Format,
    /// In a date format, but no such day exists (31/02/1985).
    NoSuchDay,
    /// A bare year.
    YearOnly,
    /// A run of digits with no separators, which could be read several ways.
    Compact,
    /// An Excel error or a true/false cell.
    Cell,
    /// Readable only in the day/month order the file does not use.
    WrongOrder,
    /// Could be day-first or month-first and nothing settled which.
    Ambiguous,
}

impl Unreadable {
    /// A short explanation to follow the quoted value.
    pub(crate) fn explain(self) -> &'static str {
        match self {
            Unreadable::Format => "is not a date in a format the lab can read",
            Unreadable::NoSuchDay => "is not a real date (no such day in that month)",
            Unreadable::YearOnly => "is only a year, not a full date",
            Unreadable::Compact => {
                "is a run of digits that could be read more than one way, not a date"
            }
            Unreadable::Cell => "is not a date (the cell holds an error or true/false)",
            Unreadable::WrongOrder => {
                "is not a real date in the day/month order the rest of the file uses"
            }
            Unreadable::Ambiguous => "could be day-first or month-first",
        }
    }
}

/// Which day/month orders make a real date of two numbers and a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reading {
    /// Only day-first does: the file is day-first.
    DayFirst(NaiveDate),
    /// Only month-first does.
    MonthFirst(NaiveDate),
    /// Both, giving different dates.
    Either,
    /// Neither.
    Neither,
}

/// Whether a day exists, without building the date (this runs for every
/// date cell of every row, twice).
fn exists(year: i32, month: u32, day: u32) -> bool {
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let last = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=last).contains(&day)
}

pub(crate) fn reading(first: u32, second: u32, year: i32) -> Reading {
    match (exists(year, second, first), exists(year, first, second)) {
        (true, false) => {
            NaiveDate::from_ymd_opt(year, second, first).map_or(Reading::Neither, Reading::DayFirst)
        }
        (false, true) => NaiveDate::from_ymd_opt(year, first, second)
            .map_or(Reading::Neither, Reading::MonthFirst),
        (true, true) => Reading::Either,
        (false, false) => Reading::Neither,
    }
}

impl Parsed {
    /// The date, once the order (if any was needed) is known.
    pub(crate) fn resolve(self, order: Option<DateOrder>) -> Result<(NaiveDate, Form), Unreadable> {
        match self {
            Parsed::Date(d, form) => Ok((d, form)),
            Parsed::Invalid(why) => Err(why),
            Parsed::Empty => Err(Unreadable::Format),
            Parsed::Numeric {
                first,
                second,
                year,
                form,
            } => {
                let (day, month) = match order {
                    Some(DateOrder::Dmy) => (first, second),
                    Some(DateOrder::Mdy) => (second, first),
                    None if reading(first, second, year) == Reading::Neither => {
                        return Err(Unreadable::NoSuchDay);
                    }
                    None => return Err(Unreadable::Ambiguous),
                };
                match NaiveDate::from_ymd_opt(year, month, day) {
                    Some(d) => Ok((d, form)),
                    None if reading(first, second, year) == Reading::Neither => {
                        Err(Unreadable::NoSuchDay)
                    }
                    None => Err(Unreadable::WrongOrder),
                }
            }
        }
    }
}

/// A date from an Excel serial number (days since 30 December 1899).
pub(crate) fn from_serial(serial: f64) -> Option<NaiveDate> {
    if !serial.is_finite() || !(61.0..3_000_000.0).contains(&serial) {
        // Below 61 Excel's serials count a 29 February 1900 that never was;
        // no date the lab deals with is that early.
        return None;
    }
    excel_epoch().checked_add_days(chrono::Days::new(serial.floor() as u64))
}

#[derive(Debug, Clone, Copy)]
enum Token<'a> {
    Num { value: u32, digits: usize },
    Word(&'a str),
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Full names, three-letter abbreviations, and "sept", in any case.
fn month(word: &str) -> Option<u32> {
    let w = word.to_ascii_lowercase();
    if w == "sept" {
        return Some(9);
    }
    MONTHS
        .iter()
        .position(|m| w.len() >= 3 && (w == *m || (w.len() == 3 && m.starts_with(&w))))
        .map(|i| i as u32 + 1)
}

fn weekday(word: &str) -> bool {
    let w = word.to_ascii_lowercase();
    WEEKDAYS
        .iter()
        .any(|d| w.len() >= 3 && (w == *d || (w.len() == 3 && d.starts_with(&w))))
}

/// Drops a time of day after the date ("01/03/2024 00:00",
/// "2024-03-01T09:30:00"), as database and Excel exports often add one.
fn without_time(s: &str) -> &str {
    match s.find(':') {
        None => s,
        Some(colon) => s[..colon]
            .trim_end_matches(|c: char| c.is_ascii_digit())
            .trim_end_matches([' ', 'T', 't', ',']),
    }
}

/// Splits a date text into numbers and words; `None` if it has anything
/// else, or too many parts to be a date.
fn tokens(s: &str) -> Option<([Option<Token<'_>>; 5], usize)> {
    let mut out = [None; 5];
    let mut n = 0;
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if matches!(c, b'/' | b'-' | b'.' | b' ' | b',' | b'\t') {
            i += 1;
            continue;
        }
        let start = i;
        let token = if c.is_ascii_digit() {
            // Saturating: nine digits or more cannot be part of a date.
            let mut value: u32 = 0;
            while i < b.len() && b[i].is_ascii_digit() {
                value = value
                    .saturating_mul(10)
                    .saturating_add(u32::from(b[i] - b'0'));
                i += 1;
            }
            Token::Num {
                value,
                digits: i - start,
            }
        } else if c.is_ascii_alphabetic() {
            while i < b.len() && b[i].is_ascii_alphabetic() {
                i += 1;
            }
            let word = &s[start..i];
            // "1st", "22nd": the suffix belongs to the number before it.
            let ordinal = ["st", "nd", "rd", "th"]
                .iter()
                .any(|o| word.eq_ignore_ascii_case(o));
            if ordinal && start > 0 && b[start - 1].is_ascii_digit() {
                continue;
            }
            Token::Word(word)
        } else {
            return None;
        };
        if n == out.len() {
            return None;
        }
        out[n] = Some(token);
        n += 1;
    }
    Some((out, n))
}

/// Reads a date written as text.
pub(crate) fn parse(text: &str, years: Years) -> Parsed {
    let s = text.trim();
    if s.is_empty() {
        return Parsed::Empty;
    }
    if let Some(p) = serial_text(s) {
        return p;
    }
    // A date with a time is longer than any date alone.
    let s = if s.len() > 10 { without_time(s) } else { s };
    let Some((toks, n)) = tokens(s) else {
        return Parsed::Invalid(Unreadable::Format);
    };
    let mut parts: &[Option<Token<'_>>] = &toks[..n];
    if let [Some(Token::Word(w)), rest @ ..] = parts
        && weekday(w)
    {
        parts = rest;
    }
    let year = |value: u32, digits: usize| -> Option<(i32, bool)> {
        match digits {
            4 => Some((value as i32, false)),
            2 => Some((years.full(value), true)),
            _ => None,
        }
    };
    let day_month_year = |day: u32, month: u32, y: i32, two: bool| -> Parsed {
        let form = Form {
            two_digit_year: two,
            serial: false,
        };
        match NaiveDate::from_ymd_opt(y, month, day) {
            Some(d) => Parsed::Date(d, form),
            None => Parsed::Invalid(Unreadable::NoSuchDay),
        }
    };
    use Token::{Num, Word};
    match parts {
        [Some(Num { digits, .. })] => Parsed::Invalid(match digits {
            4 => Unreadable::YearOnly,
            6.. => Unreadable::Compact,
            _ => Unreadable::Format,
        }),
        [
            Some(Num {
                value: y,
                digits: 4,
            }),
            Some(Num {
                value: m,
                digits: 1..=2,
            }),
            Some(Num {
                value: d,
                digits: 1..=2,
            }),
        ] => day_month_year(*d, *m, *y as i32, false),
        [
            Some(Num {
                value: a,
                digits: 1..=2,
            }),
            Some(Num {
                value: b,
                digits: 1..=2,
            }),
            Some(Num {
                value: y,
                digits: yd,
            }),
        ] => {
            let Some((y, two)) = year(*y, *yd) else {
                return Parsed::Invalid(Unreadable::Format);
            };
            let form = Form {
                two_digit_year: two,
                serial: false,
            };
            // Whether either order gives a real day is left to `resolve` and
            // `Evidence::add`, which need to know anyway.
            match () {
                // The same number twice reads the same either way.
                _ if a == b => day_month_year(*a, *b, y, two),
                _ if !exists(y, *a, *b) && !exists(y, *b, *a) => {
                    Parsed::Invalid(Unreadable::NoSuchDay)
                }
                _ => Parsed::Numeric {
                    first: *a,
                    second: *b,
                    year: y,
                    form,
                },
            }
        }
        [
            Some(Num {
                value: d,
                digits: 1..=2,
            }),
            Some(Word(w)),
            Some(Num {
                value: y,
                digits: yd,
            }),
        ]
        | [
            Some(Word(w)),
            Some(Num {
                value: d,
                digits: 1..=2,
            }),
            Some(Num {
                value: y,
                digits: yd,
            }),
        ] => match (month(w), year(*y, *yd)) {
            (Some(m), Some((y, two))) => day_month_year(*d, m, y, two),
            _ => Parsed::Invalid(Unreadable::Format),
        },
        _ => Parsed::Invalid(Unreadable::Format),
    }
}

/// A five-digit number (with or without a fraction) is an Excel serial
/// date, as a date column formatted "General" exports to CSV.
fn serial_text(s: &str) -> Option<Parsed> {
    let b = s.as_bytes();
    if b.len() < 5 || !b[..5].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let (whole, frac) = s.split_once('.').unwrap_or((s, "0"));
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if whole.len() != 5 || !digits(whole) || !digits(frac) {
        return None;
    }
    let n: u32 = whole.parse().ok()?;
    if !SERIAL_TEXT.contains(&n) {
        return None;
    }
    from_serial(f64::from(n)).map(|d| {
        Parsed::Date(
            d,
            Form {
                two_digit_year: false,
                serial: true,
            },
        )
    })
}

/// The date shown as people in the UK write it, for messages: "1 March 2024".
pub(crate) fn long(date: NaiveDate) -> String {
    let m = MONTHS[date.month0() as usize];
    let mut cap = m.to_string();
    cap[..1].make_ascii_uppercase();
    format!("{} {} {}", date.day(), cap, date.year())
}

/// One value quoted as evidence: where it is and what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Example {
    pub row: u64,
    pub field: &'static str,
    /// Already made safe to echo.
    pub text: String,
}

impl std::fmt::Display for Example {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "row {} {} \"{}\"", self.row, self.field, self.text)
    }
}

/// What the file's numeric dates say about their order.
#[derive(Debug, Default)]
pub(crate) struct Evidence {
    pub day_first: Option<Example>,
    pub day_first_count: u64,
    pub month_first: Option<Example>,
    pub month_first_count: u64,
    pub ambiguous: Option<Example>,
    pub ambiguous_count: u64,
}

/// How the order was settled, or why it could not be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Settled {
    /// The order to read numeric dates in (if any needed one), and a note
    /// saying how it was decided.
    Order(Option<DateOrder>, String),
    /// The reason to reject the file.
    Unsettled(String),
}

fn order_name(order: DateOrder) -> &'static str {
    match order {
        DateOrder::Dmy => "day-first (dd/mm/yyyy)",
        DateOrder::Mdy => "month-first (mm/dd/yyyy)",
    }
}

fn order_key(order: DateOrder) -> &'static str {
    match order {
        DateOrder::Dmy => "dmy",
        DateOrder::Mdy => "mdy",
    }
}

impl Evidence {
    /// Notes what one date text says. `example` makes the quoted text only
    /// when it is going to be kept.
    pub(crate) fn add(&mut self, parsed: Parsed, example: impl FnOnce() -> Example) {
        let Parsed::Numeric {
            first,
            second,
            year,
            ..
        } = parsed
        else {
            return;
        };
        let (slot, count) = match reading(first, second, year) {
            Reading::DayFirst(_) => (&mut self.day_first, &mut self.day_first_count),
            Reading::MonthFirst(_) => (&mut self.month_first, &mut self.month_first_count),
            Reading::Either => (&mut self.ambiguous, &mut self.ambiguous_count),
            Reading::Neither => return,
        };
        *count += 1;
        if slot.is_none() {
            *slot = Some(example());
        }
    }

    /// Decides the order from the evidence and the request's `date_order`.
    pub(crate) fn settle(&self, stated: Option<DateOrder>) -> Settled {
        let stated_note = |o: DateOrder| format!("date_order = \"{}\"", order_key(o));
        match (&self.day_first, &self.month_first) {
            (Some(d), Some(m)) => Settled::Unsettled(format!(
                "The file's dates disagree about the order of day and month: {d} can only be day-first ({} such dates) but {m} can only be month-first ({} such dates). Write every date the same way, preferably as dd/mm/yyyy or yyyy-mm-dd, and send the file again.",
                self.day_first_count, self.month_first_count
            )),
            (Some(e), None) | (None, Some(e)) => {
                let proven = if self.day_first.is_some() {
                    DateOrder::Dmy
                } else {
                    DateOrder::Mdy
                };
                match stated {
                    Some(s) if s != proven => Settled::Unsettled(format!(
                        "request.toml says {} but {e} can only be {}. Correct date_order in request.toml (or remove it and let the file decide).",
                        stated_note(s),
                        order_name(proven)
                    )),
                    _ => Settled::Order(
                        Some(proven),
                        format!(
                            "Dates with day and month as numbers were read {}: {e} can only be read that way.",
                            order_name(proven)
                        ),
                    ),
                }
            }
            (None, None) => match (&self.ambiguous, stated) {
                (Some(a), Some(s)) => Settled::Order(
                    Some(s),
                    format!(
                        "Dates with day and month as numbers were read {} because request.toml sets {}; nothing in the file settles it (e.g. {a}).",
                        order_name(s),
                        stated_note(s)
                    ),
                ),
                (Some(a), None) => Settled::Unsettled(format!(
                    "{} dates, such as {a}, could be day-first or month-first, and no date in the file settles which. Add date_order = \"dmy\" (day first, as in the UK) or date_order = \"mdy\" (month first) to request.toml, or write the dates as yyyy-mm-dd or with the month as a word (1 March 2024).",
                    self.ambiguous_count
                )),
                (None, _) => Settled::Order(
                    stated,
                    "No date depended on the order of day and month.".to_string(),
                ),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const Y: Years = Years { last_year: 2020 };

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn date(text: &str) -> NaiveDate {
        match parse(text, Y) {
            Parsed::Date(d, _) => d,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn reads_the_common_unambiguous_forms() {
        let march = ymd(2024, 3, 1);
        for text in [
            "2024-03-01",
            "2024/3/1",
            "1 March 2024",
            "1 Mar 2024",
            "01-Mar-2024",
            "1st March 2024",
            "Friday 1 March 2024",
            "March 1, 2024",
            "2024-03-01T00:00:00",
            "2024-03-01 09:30",
            " 1 mar 2024 ",
            "1 Sept 2024",
        ] {
            let expected = if text.contains("Sept") {
                ymd(2024, 9, 1)
            } else {
                march
            };
            assert_eq!(date(text), expected, "{text}");
        }
        assert_eq!(date("01/01/2024"), ymd(2024, 1, 1));
    }

    #[test]
    fn numeric_day_month_waits_for_the_order() {
        for text in [
            "01/03/2024",
            "1/3/2024",
            "01-03-2024",
            "01.03.2024",
            "01/03/2024 00:00",
        ] {
            let p = parse(text, Y);
            assert!(matches!(p, Parsed::Numeric { .. }), "{text}: {p:?}");
            assert_eq!(p.resolve(Some(DateOrder::Dmy)).unwrap().0, ymd(2024, 3, 1));
            assert_eq!(p.resolve(Some(DateOrder::Mdy)).unwrap().0, ymd(2024, 1, 3));
            assert_eq!(p.resolve(None), Err(Unreadable::Ambiguous));
        }
        let p = parse("23/04/1985", Y);
        assert_eq!(reading(23, 4, 1985), Reading::DayFirst(ymd(1985, 4, 23)));
        assert_eq!(p.resolve(Some(DateOrder::Dmy)).unwrap().0, ymd(1985, 4, 23));
        assert_eq!(p.resolve(Some(DateOrder::Mdy)), Err(Unreadable::WrongOrder));
    }

    #[test]
    fn two_digit_years_never_land_after_the_extract_year() {
        assert_eq!(Y.full(85), 1985);
        assert_eq!(Y.full(20), 2020);
        assert_eq!(Y.full(21), 1921);
        assert_eq!(Y.full(3), 2003);
        match parse("12/05/85", Y) {
            Parsed::Numeric { year, form, .. } => {
                assert_eq!(year, 1985);
                assert!(form.two_digit_year);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(date("1 Mar 19"), ymd(2019, 3, 1));
        assert!(Y.describe().contains("85 as 1985"), "{}", Y.describe());
    }

    #[test]
    fn excel_serials_count_from_the_end_of_1899() {
        assert_eq!(date("43466"), ymd(2019, 1, 1));
        assert_eq!(date("31048.0"), ymd(1985, 1, 1));
        assert_eq!(from_serial(43466.75), Some(ymd(2019, 1, 1)));
        assert_eq!(from_serial(f64::NAN), None);
        assert_eq!(from_serial(-4.0), None);
        match parse("43466", Y) {
            Parsed::Date(_, form) => assert!(form.serial),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn says_why_a_text_is_not_a_date() {
        for (text, why) in [
            ("31/02/1985", Unreadable::NoSuchDay),
            ("2023-02-29", Unreadable::NoSuchDay),
            ("32 March 2024", Unreadable::NoSuchDay),
            ("1985", Unreadable::YearOnly),
            ("19850423", Unreadable::Compact),
            ("soon", Unreadable::Format),
            ("1 Smarch 2024", Unreadable::Format),
            ("01/03/198", Unreadable::Format),
            ("1/2/3/4/5/6", Unreadable::Format),
            ("1\u{e9}/03/2024", Unreadable::Format),
            ("99999999999999999999/1/2", Unreadable::Format),
        ] {
            assert_eq!(parse(text, Y), Parsed::Invalid(why), "{text}");
        }
        assert_eq!(parse("  ", Y), Parsed::Empty);
    }

    fn ex(row: u64, text: &str) -> Example {
        Example {
            row,
            field: "date_of_birth",
            text: text.to_string(),
        }
    }

    #[test]
    fn evidence_settles_or_refuses_the_order() {
        let mut e = Evidence::default();
        e.add(parse("03/04/1985", Y), || ex(2, "03/04/1985"));
        assert!(
            matches!(e.settle(None), Settled::Unsettled(r) if r.contains("row 2 date_of_birth \"03/04/1985\""))
        );
        assert!(matches!(
            e.settle(Some(DateOrder::Mdy)),
            Settled::Order(Some(DateOrder::Mdy), _)
        ));

        e.add(parse("23/04/1985", Y), || ex(3, "23/04/1985"));
        match e.settle(None) {
            Settled::Order(Some(DateOrder::Dmy), note) => assert!(note.contains("row 3"), "{note}"),
            other => panic!("{other:?}"),
        }
        assert!(
            matches!(e.settle(Some(DateOrder::Mdy)), Settled::Unsettled(r) if r.contains("date_order = \"mdy\""))
        );

        e.add(parse("04/23/1985", Y), || ex(4, "04/23/1985"));
        match e.settle(Some(DateOrder::Dmy)) {
            Settled::Unsettled(r) => {
                assert!(r.contains("row 3") && r.contains("row 4"), "{r}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            Evidence::default().settle(None),
            Settled::Order(
                None,
                "No date depended on the order of day and month.".into()
            )
        );
    }

    #[test]
    fn long_form_for_messages() {
        assert_eq!(long(ymd(2019, 6, 30)), "30 June 2019");
    }
}
