//! Reading what people typed: field-level checks that produce the messages
//! a GOV.UK error summary shows.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

/// A submitted form, field name to value.
pub type Fields = BTreeMap<String, String>;

/// Problems found, in the order of the fields on the page: each names the
/// field it belongs to (the id the error summary links to).
#[derive(Debug, Default, Clone)]
pub struct Errors(pub Vec<(String, String)>);

impl Errors {
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        let field = field.into();
        if self.get(&field).is_none() {
            self.0.push((field, message.into()));
        }
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The longest value any single-line field accepts.
pub const MAX_LINE: usize = 100;
/// The longest free-text answer.
pub const MAX_TEXT: usize = 1000;

pub fn get<'a>(fields: &'a BTreeMap<String, String>, name: &str) -> &'a str {
    fields.get(name).map(|s| s.as_str()).unwrap_or("")
}

/// Whether `s` has control characters (other than line breaks and tabs,
/// when `multiline`).
pub fn has_control(s: &str, multiline: bool) -> bool {
    s.chars()
        .any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')))
}

/// A person's name: letters (any script), spaces, hyphens, apostrophes and
/// full stops. Anything else (markup, SQL punctuation, control characters)
/// is refused with a message rather than stored.
pub fn name(value: &str, field: &str, label: &str, errors: &mut Errors) -> Option<String> {
    let v = value.trim();
    if v.is_empty() {
        errors.add(field, format!("Enter {label}"));
        return None;
    }
    if v.chars().count() > MAX_LINE {
        errors.add(
            field,
            format!("{} must be {MAX_LINE} characters or fewer", capital(label)),
        );
        return None;
    }
    if !v
        .chars()
        .all(|c| c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '’' | '.'))
    {
        errors.add(
            field,
            format!(
                "{} must only include letters, spaces, hyphens and apostrophes",
                capital(label)
            ),
        );
        return None;
    }
    Some(v.split_whitespace().collect::<Vec<_>>().join(" "))
}

pub fn capital(label: &str) -> String {
    let mut c = label.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// A date from a GOV.UK date input: fields `{prefix}-day`, `-month`,
/// `-year`. The error is attached to `{prefix}` (whose first box the
/// summary links to as `{prefix}-day`).
pub fn date(
    fields: &BTreeMap<String, String>,
    prefix: &str,
    label: &str,
    errors: &mut Errors,
) -> Option<NaiveDate> {
    let d = get(fields, &format!("{prefix}-day")).trim();
    let m = get(fields, &format!("{prefix}-month")).trim();
    let y = get(fields, &format!("{prefix}-year")).trim();
    if d.is_empty() && m.is_empty() && y.is_empty() {
        errors.add(prefix, format!("Enter {label}"));
        return None;
    }
    let missing: Vec<&str> = [("day", d), ("month", m), ("year", y)]
        .iter()
        .filter(|(_, v)| v.is_empty())
        .map(|(n, _)| *n)
        .collect();
    if !missing.is_empty() {
        errors.add(
            prefix,
            format!(
                "{} must include a {}",
                capital(label),
                missing.join(" and ")
            ),
        );
        return None;
    }
    let parse = |s: &str| -> Option<u32> {
        if s.len() <= 4 && s.chars().all(|c| c.is_ascii_digit()) {
            s.parse().ok()
        } else {
            None
        }
    };
    let (Some(d), Some(m), Some(y)) = (parse(d), parse(m), parse(y)) else {
        errors.add(prefix, format!("{} must be a real date", capital(label)));
        return None;
    };
    if y < 1000 {
        errors.add(prefix, "Year must include 4 numbers");
        return None;
    }
    match NaiveDate::from_ymd_opt(y as i32, m, d) {
        Some(date) => Some(date),
        None => {
            errors.add(prefix, format!("{} must be a real date", capital(label)));
            None
        }
    }
}

/// A date of birth: a real date in the past, not more than 120 years ago.
pub fn date_of_birth(
    fields: &BTreeMap<String, String>,
    prefix: &str,
    label: &str,
    today: NaiveDate,
    errors: &mut Errors,
) -> Option<NaiveDate> {
    let dob = date(fields, prefix, label, errors)?;
    if dob >= today {
        errors.add(prefix, format!("{} must be in the past", capital(label)));
        return None;
    }
    if age_on(dob, today) > 120 {
        errors.add(
            prefix,
            format!("{} must be within the last 120 years", capital(label)),
        );
        return None;
    }
    Some(dob)
}

/// Whole years between a date of birth and a day.
pub fn age_on(dob: NaiveDate, day: NaiveDate) -> i32 {
    let mut age = day.year() - dob.year();
    if (day.month(), day.day()) < (dob.month(), dob.day()) {
        age -= 1;
    }
    age
}

/// An email address: one `@`, something either side, a dot in the domain,
/// no spaces or control characters.
pub fn email(value: &str, field: &str, errors: &mut Errors) -> Option<String> {
    let v = value.trim();
    if v.is_empty() {
        errors.add(field, "Enter an email address");
        return None;
    }
    let ok = v.len() <= 254
        && !has_control(v, false)
        && !v.contains(char::is_whitespace)
        && !v.contains(['<', '>', '"', ',', ';'])
        && matches!(v.split_once('@'), Some((local, domain))
            if !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
               && !domain.ends_with('.') && !domain.contains('@'));
    if !ok {
        errors.add(
            field,
            "Enter an email address in the correct format, like name@example.com",
        );
        return None;
    }
    Some(v.to_lowercase())
}

/// A UK or international phone number: digits with optional spaces,
/// brackets, hyphens and a leading plus; 10 to 15 digits.
pub fn phone(value: &str, field: &str, errors: &mut Errors) -> Option<String> {
    let v = value.trim();
    if v.is_empty() {
        errors.add(field, "Enter a phone number");
        return None;
    }
    let digits = v.chars().filter(char::is_ascii_digit).count();
    let allowed = v
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '(' | ')' | '-'));
    if !allowed || !(10..=15).contains(&digits) || v.len() > 30 {
        errors.add(
            field,
            "Enter a phone number, like 07700 900 982 or +44 808 157 0192",
        );
        return None;
    }
    Some(v.to_owned())
}

/// A prison number: a letter, four digits, two letters (A1234BC).
pub fn prisoner_number(value: &str, field: &str, errors: &mut Errors) -> Option<String> {
    let v: String = value
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    if v.is_empty() {
        errors.add(field, "Enter the prisoner number");
        return None;
    }
    let b = v.as_bytes();
    let ok = b.len() == 7
        && b[0].is_ascii_uppercase()
        && b[1..5].iter().all(u8::is_ascii_digit)
        && b[5..7].iter().all(u8::is_ascii_uppercase);
    if !ok {
        errors.add(
            field,
            "Prisoner number must be a letter, 4 numbers and 2 letters, like A1234BC",
        );
        return None;
    }
    Some(v)
}

/// Free text: at most `MAX_TEXT` characters, no control characters other
/// than line breaks and tabs. Markup is allowed (it is text, and always
/// escaped when shown).
pub fn free_text(value: &str, field: &str, label: &str, errors: &mut Errors) -> Option<String> {
    let v = value.trim();
    if v.chars().count() > MAX_TEXT {
        errors.add(
            field,
            format!("{} must be {MAX_TEXT} characters or fewer", capital(label)),
        );
        return None;
    }
    if has_control(v, true) {
        errors.add(
            field,
            format!("{} must not include control characters", capital(label)),
        );
        return None;
    }
    Some(v.replace("\r\n", "\n"))
}

/// [`free_text`] that must not be empty: `missing` is the error when it is.
pub fn required_text(
    value: &str,
    field: &str,
    label: &str,
    missing: &str,
    errors: &mut Errors,
) -> Option<String> {
    let v = free_text(value, field, label, errors)?;
    if v.is_empty() {
        errors.add(field, missing);
        return None;
    }
    Some(v)
}

/// A password for a new account: 10 to 128 characters.
pub fn new_password(value: &str, field: &str, errors: &mut Errors) -> Option<String> {
    let n = value.chars().count();
    if n == 0 {
        errors.add(field, "Enter a password");
        None
    } else if n < 10 {
        errors.add(field, "Password must be 10 characters or more");
        None
    } else if n > 128 {
        errors.add(field, "Password must be 128 characters or fewer");
        None
    } else {
        Some(value.to_owned())
    }
}

/// Bounds every stored raw value so that a hostile client cannot fill the
/// session store: anything longer than this is cut (and then fails its own
/// check with a message, since every limit is lower).
pub fn bounded(value: &str) -> String {
    value.chars().take(MAX_TEXT + 1).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn impossible_dates_are_refused() {
        let mut e = Errors::default();
        let f = fields(&[("d-day", "31"), ("d-month", "2"), ("d-year", "1990")]);
        assert_eq!(date(&f, "d", "date of birth", &mut e), None);
        assert_eq!(e.get("d"), Some("Date of birth must be a real date"));
        let mut e = Errors::default();
        let f = fields(&[("d-day", "29"), ("d-month", "2"), ("d-year", "2024")]);
        assert!(date(&f, "d", "date of birth", &mut e).is_some());
        let mut e = Errors::default();
        let f = fields(&[("d-day", "1"), ("d-month", ""), ("d-year", "")]);
        assert_eq!(date(&f, "d", "date of birth", &mut e), None);
        assert_eq!(
            e.get("d"),
            Some("Date of birth must include a month and year")
        );
    }

    #[test]
    fn names_refuse_markup_and_sql() {
        for bad in [
            "<script>alert(1)</script>",
            "Robert'); DROP TABLE visits;--",
            "A\u{0}B",
            "x".repeat(101).as_str(),
        ] {
            let mut e = Errors::default();
            assert_eq!(name(bad, "n", "your full name", &mut e), None, "{bad:?}");
            assert!(!e.is_empty());
        }
        let mut e = Errors::default();
        assert_eq!(
            name("  Siân  O'Neill-Smith ", "n", "name", &mut e).as_deref(),
            Some("Siân O'Neill-Smith")
        );
    }

    #[test]
    fn prisoner_numbers() {
        let mut e = Errors::default();
        assert_eq!(
            prisoner_number(" a1234bc ", "p", &mut e).as_deref(),
            Some("A1234BC")
        );
        for bad in ["A123BC", "11234BC", "A1234B1", "A12345BC"] {
            let mut e = Errors::default();
            assert_eq!(prisoner_number(bad, "p", &mut e), None, "{bad}");
        }
    }

    #[test]
    fn ages_count_birthdays() {
        let dob = NaiveDate::from_ymd_opt(2007, 6, 15).unwrap();
        assert_eq!(
            age_on(dob, NaiveDate::from_ymd_opt(2025, 6, 14).unwrap()),
            17
        );
        assert_eq!(
            age_on(dob, NaiveDate::from_ymd_opt(2025, 6, 15).unwrap()),
            18
        );
    }

    #[test]
    fn emails_and_phones() {
        let mut e = Errors::default();
        assert_eq!(
            email("Jo@Example.com", "e", &mut e).as_deref(),
            Some("jo@example.com")
        );
        assert_eq!(email("jo@example", "e", &mut e), None);
        assert_eq!(email("<a>@x.com", "f", &mut e), None);
        assert!(phone("07700 900 982", "p", &mut e).is_some());
        assert_eq!(phone("123", "q", &mut e), None);
    }
}
