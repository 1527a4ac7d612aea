//! Matching a provider's header to the template's columns.
//!
//! Providers rename columns ("Date of Birth", "DOB", "PNC Number"), change
//! their case and spacing, and add columns of their own. Common names are
//! mapped to the template's; anything else is reported and ignored.

use super::TEMPLATE_COLUMNS;
use super::report::echo;

/// Indexes into [`TEMPLATE_COLUMNS`], named for readability.
pub(crate) const FORENAME: usize = 0;
pub(crate) const SURNAME: usize = 1;
pub(crate) const DATE_OF_BIRTH: usize = 2;
pub(crate) const GENDER: usize = 3;
pub(crate) const POSTCODE: usize = 4;
pub(crate) const INTERVENTION_START: usize = 5;
pub(crate) const SENTENCE_START: usize = 6;
pub(crate) const SENTENCE_END: usize = 7;
pub(crate) const PNC_ID: usize = 8;
pub(crate) const PRISON_NUMBER: usize = 9;

/// Columns every file must have.
pub(crate) const REQUIRED: [usize; 5] =
    [FORENAME, SURNAME, DATE_OF_BIRTH, GENDER, INTERVENTION_START];

/// Columns that hold dates.
pub(crate) const DATES: [usize; 4] = [
    DATE_OF_BIRTH,
    INTERVENTION_START,
    SENTENCE_START,
    SENTENCE_END,
];

/// Other names for each template column, after [`key`] has simplified them.
const ALIASES: [&[&str]; 10] = [
    &[
        "forename",
        "forenames",
        "firstname",
        "firstnames",
        "first",
        "givenname",
        "givennames",
        "christianname",
    ],
    &["surname", "lastname", "familyname", "last"],
    &["dateofbirth", "dob", "birthdate", "dateborn"],
    &["gender", "sex"],
    &["postcode", "postalcode", "pcode"],
    &[
        "interventionstart",
        "interventionstartdate",
        "interventiondate",
        "startofintervention",
        "startdate",
        "start",
        "datestarted",
        "programmestart",
        "programmestartdate",
        "programstart",
        "programstartdate",
    ],
    &["sentencestart", "sentencestartdate", "sentencedate"],
    &[
        "sentenceend",
        "sentenceenddate",
        "sentenceexpiry",
        "sentenceexpirydate",
        "sed",
    ],
    &[
        "pncid",
        "pnc",
        "pncnumber",
        "pncno",
        "pncnum",
        "pncref",
        "pncreference",
        "pncidnumber",
    ],
    &[
        "prisonnumber",
        "prisonno",
        "prisonnum",
        "prisonernumber",
        "prisonerno",
        "nomsnumber",
        "nomsno",
        "noms",
        "nomsid",
        "nomisnumber",
        "nomisid",
    ],
];

/// A header name reduced to lower-case letters and digits, with anything in
/// brackets dropped: "Date of Birth (dd/mm/yyyy)" becomes "dateofbirth".
fn key(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut depth = 0usize;
    for c in name.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 && c.is_alphanumeric() => out.extend(c.to_lowercase()),
            _ => {}
        }
    }
    out
}

/// The template column a header name stands for, if any.
pub(crate) fn recognise(name: &str) -> Option<usize> {
    let k = key(name);
    ALIASES.iter().position(|names| names.contains(&k.as_str()))
}

/// Excel's letters for a zero-based column index: A, B, ..., Z, AA, ...
pub(crate) fn letter(index: usize) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        out.push(b'A' + r as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// How a header maps onto the template.
#[derive(Debug, Default)]
pub(crate) struct Columns {
    /// For each template column, the file's column holding it.
    pub index: [Option<usize>; 10],
    /// How many columns the header has.
    pub width: usize,
    /// Header names that are not template columns, as "'Name' (column K)".
    pub extra: Vec<String>,
    /// Header names that differ from the template name they were read as.
    pub renamed: Vec<String>,
    /// Template columns that more than one header name maps to.
    pub clashes: Vec<String>,
    /// Leftmost column's absolute index, for naming columns by letter.
    pub first_col: usize,
}

impl Columns {
    /// Maps a header. `first_col` is the absolute index of its first cell.
    pub(crate) fn map(header: &[String], first_col: usize) -> Self {
        let mut cols = Columns {
            width: header.len(),
            first_col,
            ..Columns::default()
        };
        let mut seen: [Vec<String>; 10] = Default::default();
        for (i, raw) in header.iter().enumerate() {
            let name = raw.trim();
            let at = format!("\"{}\" (column {})", echo(name), letter(first_col + i));
            if name.is_empty() {
                continue;
            }
            match recognise(name) {
                Some(t) => {
                    if cols.index[t].is_none() {
                        cols.index[t] = Some(i);
                        if key(name) != key(TEMPLATE_COLUMNS[t]) {
                            cols.renamed
                                .push(format!("{at} as {}", TEMPLATE_COLUMNS[t]));
                        }
                    }
                    seen[t].push(at);
                }
                None => cols.extra.push(at),
            }
        }
        for (t, names) in seen.iter().enumerate() {
            if names.len() > 1 {
                cols.clashes.push(format!(
                    "Columns {} all look like {}: keep one of them and rename or remove the others.",
                    names.join(", "),
                    TEMPLATE_COLUMNS[t]
                ));
            }
        }
        cols
    }

    /// How many distinct template columns the header has: how much it looks
    /// like the template's header.
    pub(crate) fn score(&self) -> usize {
        self.index.iter().filter(|i| i.is_some()).count()
    }

    /// Required template columns the header lacks.
    pub(crate) fn missing(&self) -> Vec<&'static str> {
        REQUIRED
            .iter()
            .filter(|&&t| self.index[t].is_none())
            .map(|&t| TEMPLATE_COLUMNS[t])
            .collect()
    }

    /// Optional template columns the header lacks.
    pub(crate) fn absent_optional(&self) -> Vec<&'static str> {
        (0..TEMPLATE_COLUMNS.len())
            .filter(|t| !REQUIRED.contains(t) && self.index[*t].is_none())
            .map(|t| TEMPLATE_COLUMNS[t])
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_header_variations_map_to_the_template() {
        for (name, t) in [
            ("forename", FORENAME),
            ("First Name", FORENAME),
            ("SURNAME", SURNAME),
            ("Last name", SURNAME),
            ("Date of Birth", DATE_OF_BIRTH),
            ("DOB", DATE_OF_BIRTH),
            ("D.O.B.", DATE_OF_BIRTH),
            ("date_of_birth", DATE_OF_BIRTH),
            ("Date of birth (dd/mm/yyyy)", DATE_OF_BIRTH),
            ("Sex", GENDER),
            ("Post Code", POSTCODE),
            ("Intervention Start Date", INTERVENTION_START),
            ("Sentence start", SENTENCE_START),
            ("Sentence End Date", SENTENCE_END),
            ("PNC", PNC_ID),
            ("PNC Number", PNC_ID),
            ("PNC ID", PNC_ID),
            ("Prison No", PRISON_NUMBER),
            ("Prison No.", PRISON_NUMBER),
            ("NOMS Number", PRISON_NUMBER),
        ] {
            assert_eq!(recognise(name), Some(t), "{name}");
        }
        assert_eq!(recognise("Key worker"), None);
        assert_eq!(recognise(""), None);
    }

    #[test]
    fn mapping_reports_extras_renames_clashes_and_gaps() {
        let header: Vec<String> = ["Forename", "surname", "DOB", "Notes", "Date of Birth", ""]
            .map(String::from)
            .to_vec();
        let cols = Columns::map(&header, 1);
        assert_eq!(cols.index[DATE_OF_BIRTH], Some(2));
        assert_eq!(cols.extra, vec!["\"Notes\" (column E)".to_string()]);
        assert!(
            cols.renamed
                .iter()
                .any(|r| r.starts_with("\"DOB\" (column D) as date_of_birth"))
        );
        assert_eq!(cols.clashes.len(), 1);
        assert!(cols.clashes[0].contains("\"DOB\" (column D), \"Date of Birth\" (column F)"));
        assert_eq!(cols.missing(), vec!["gender", "intervention_start"]);
        assert_eq!(cols.score(), 3);
    }

    #[test]
    fn column_letters_follow_excel() {
        assert_eq!(letter(0), "A");
        assert_eq!(letter(25), "Z");
        assert_eq!(letter(26), "AA");
        assert_eq!(letter(701), "ZZ");
        assert_eq!(letter(702), "AAA");
    }
}
