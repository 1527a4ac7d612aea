//! Comparisons: how far two records agree on one field, as a level.
//!
//! Every comparison has level 0, "missing" (either side has no value; it
//! counts for nothing), and level 1, "different"; higher levels are closer
//! kinds of agreement, the last being exact. A pair's level is the closest
//! one its values reach. The Fellegi-Sunter model then learns how often
//! each level occurs among true matches (m) and among random pairs (u).

use super::prepare::{NameColumn, NameValue, PostcodeKey};
use crate::names;

/// One field compared between a left and a right record.
pub(crate) trait Comparison: Send + Sync {
    /// The field's name, as shown in explanations.
    fn label(&self) -> &str;
    /// The levels' names, level 0 being "missing".
    fn levels(&self) -> &'static [&'static str];
    /// The level a pair reaches.
    fn level(&self, left: usize, right: usize) -> u8;
    /// For term-frequency adjusted comparisons: the frequency, among right
    /// records, of the value both sides share at the exact level.
    fn exact_frequency(&self, _left: usize, _right: usize) -> Option<f64> {
        None
    }
    /// The level's index that counts as exact agreement.
    fn exact_level(&self) -> u8 {
        (self.levels().len() - 1) as u8
    }
    /// Columns (by the engine's own names) this comparison reads, so a
    /// blocking rule on them can be told apart when estimating.
    fn columns(&self) -> &[&str];
}

/// Jaro-Winkler similarity of two folded names.
///
/// Folded names are short ASCII, and this runs for every candidate pair
/// (millions), so those get an allocation-free version over bytes; anything
/// else goes to `strsim`, which the tests hold this to.
pub(crate) fn jaro_winkler(a: &str, b: &str) -> f64 {
    const MAX: usize = 64;
    let (x, y) = (a.as_bytes(), b.as_bytes());
    if !(a.is_ascii() && b.is_ascii()) || x.len() > MAX || y.len() > MAX {
        return strsim::jaro_winkler(a, b);
    }
    if x.is_empty() && y.is_empty() {
        return 1.0;
    }
    if x.is_empty() || y.is_empty() {
        return 0.0;
    }
    let window = (x.len().max(y.len()) / 2).saturating_sub(1);
    let mut x_hit = [false; MAX];
    let mut y_hit = [false; MAX];
    let mut matches = 0usize;
    for (i, &c) in x.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(y.len());
        for j in lo..hi {
            if !y_hit[j] && y[j] == c {
                x_hit[i] = true;
                y_hit[j] = true;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut j = 0;
    for (i, &c) in x.iter().enumerate() {
        if x_hit[i] {
            while !y_hit[j] {
                j += 1;
            }
            if c != y[j] {
                transpositions += 1;
            }
            j += 1;
        }
    }
    let m = matches as f64;
    let jaro =
        (m / x.len() as f64 + m / y.len() as f64 + (m - (transpositions / 2) as f64) / m) / 3.0;
    // Winkler's boost for a shared prefix applies to strings already alike.
    if jaro <= 0.7 {
        return jaro;
    }
    let prefix = x.iter().zip(y).take(4).take_while(|(p, q)| p == q).count() as f64;
    jaro + prefix * 0.1 * (1.0 - jaro)
}

/// Edit distance with adjacent transpositions counted once (optimal
/// string alignment), the usual measure of a typing error.
#[cfg(test)]
pub(crate) fn edits(a: &str, b: &str) -> usize {
    strsim::osa_distance(a, b)
}

/// Whether two strings are at most one typing error apart (one letter
/// changed, dropped, added, or two neighbours swapped), in linear time.
pub(crate) fn within_one_edit(a: &str, b: &str) -> bool {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    let (x, y) = if x.len() <= y.len() { (x, y) } else { (y, x) };
    if y.len() - x.len() > 1 {
        return false;
    }
    let start = x.iter().zip(y).take_while(|(p, q)| p == q).count();
    if start == x.len() {
        return true;
    }
    if x.len() == y.len() {
        let rest = |from: usize| x[from..] == y[from..];
        // One substitution, or one swap of neighbours.
        rest(start + 1)
            || (start + 1 < x.len()
                && x[start] == y[start + 1]
                && x[start + 1] == y[start]
                && rest(start + 2))
    } else {
        x[start..] == y[start + 1..]
    }
}

fn phonetic(a: &NameValue, b: &NameValue) -> bool {
    let (ap, aa) = a.sounds;
    let (bp, ba) = b.sounds;
    ap != 0 && (ap == bp || ap == ba || aa == bp || (aa != 0 && aa == ba))
}

/// Whether one name is a whole part of the other: "smith" in "smith jones",
/// "santos" in "santos ferreira".
fn part_of(a: &NameValue, b: &NameValue) -> bool {
    (a.parts.len() > 1 || b.parts.len() > 1)
        && (a.parts.iter().any(|p| b.parts.contains(p)) || a.compact == b.compact)
}

/// Name levels, weakest to closest.
pub(crate) mod name_level {
    pub const MISSING: u8 = 0;
    pub const DIFFERENT: u8 = 1;
    /// Forename and surname transposed between the two records.
    pub const SWAPPED: u8 = 2;
    /// Same Double Metaphone code.
    pub const PHONETIC: u8 = 3;
    /// Jaro-Winkler at least 0.88.
    pub const SIMILAR: u8 = 4;
    /// One is a whole part of the other (double-barrelled, compound names).
    pub const PART: u8 = 5;
    /// The name given is one of the person's middle names.
    pub const MIDDLE: u8 = 6;
    /// Nickname, short form or spelling variant (Bob and Robert).
    pub const ALIAS: u8 = 7;
    /// One typing error, or Jaro-Winkler at least 0.95.
    pub const CLOSE: u8 = 8;
    pub const EXACT: u8 = 9;
}

const NAME_LEVELS: &[&str] = &[
    "missing",
    "different",
    "forename and surname swapped",
    "sounds alike",
    "similar (Jaro-Winkler >= 0.88)",
    "part of a compound name",
    "one of the middle names",
    "nickname or variant",
    "one typing error (or Jaro-Winkler >= 0.95)",
    "exact",
];

/// The level two name values reach, without the swap check.
pub(crate) fn name_level(a: &NameValue, b: &NameValue, aliases: bool) -> u8 {
    use name_level::*;
    if a.folded == b.folded {
        return EXACT;
    }
    let jw = jaro_winkler(&a.folded, &b.folded);
    let (la, lb) = (a.folded.len(), b.folded.len());
    // One edit changes the length by at most one: skip the edit distance
    // when it cannot be one.
    if jw >= 0.95 || (la.min(lb) >= 4 && within_one_edit(&a.folded, &b.folded)) {
        return CLOSE;
    }
    if aliases && names::same_first_name(&a.folded, &b.folded) {
        return ALIAS;
    }
    if part_of(a, b) {
        return PART;
    }
    if jw >= 0.88 {
        return SIMILAR;
    }
    if phonetic(a, b) {
        return PHONETIC;
    }
    DIFFERENT
}

/// Names agree "broadly" when they at least sound alike.
pub(crate) fn broadly(level: u8) -> bool {
    level >= name_level::SWAPPED
}

/// A name field (forename or surname), with its partner field for spotting
/// forename and surname recorded the wrong way round.
pub(crate) struct Name<'a> {
    pub label: &'a str,
    pub column: &'a str,
    pub this: &'a NameColumn,
    pub partner: Option<&'a NameColumn>,
    /// Right-hand middle names, for a first name given as a middle name.
    pub middle: Option<&'a NameColumn>,
    /// Whether nicknames and spelling variants count (first names).
    pub aliases: bool,
    pub term_frequency: bool,
}

impl Name<'_> {
    fn value<'b>(col: &'b NameColumn, ids: &[Option<u32>], i: usize) -> Option<&'b NameValue> {
        ids[i].map(|id| &col.vocab.values[id as usize])
    }
}

impl Comparison for Name<'_> {
    fn label(&self) -> &str {
        self.label
    }

    fn levels(&self) -> &'static [&'static str] {
        NAME_LEVELS
    }

    fn columns(&self) -> &[&str] {
        std::slice::from_ref(&self.column)
    }

    fn level(&self, l: usize, r: usize) -> u8 {
        // Ids are shared by equal folded names: equal ids are exact agreement.
        match (self.this.left[l], self.this.right[r]) {
            (Some(a), Some(b)) if a == b => return name_level::EXACT,
            (None, _) | (_, None) => return name_level::MISSING,
            _ => {}
        }
        let (Some(a), Some(b)) = (
            Self::value(self.this, &self.this.left, l),
            Self::value(self.this, &self.this.right, r),
        ) else {
            return name_level::MISSING;
        };
        let direct = name_level(a, b, self.aliases);
        if direct >= name_level::SIMILAR {
            return direct;
        }
        // Transposed names: this field on one side matches the partner
        // field on the other, both ways round.
        if let Some(p) = self.partner
            && let (Some(pa), Some(pb)) = (Self::value(p, &p.left, l), Self::value(p, &p.right, r))
        {
            // Most pairs fail on the first letter, so that is checked before
            // anything costlier; a nickname (Bob for Robert) can be on either
            // side of a swap, and is looked for only once the other side agrees.
            let loose = |x: &NameValue, y: &NameValue| {
                x.initial() == y.initial() && name_level(x, y, false) >= name_level::SIMILAR
            };
            let alias = |x: &NameValue, y: &NameValue| names::same_first_name(&x.folded, &y.folded);
            let (ab, ba) = (loose(a, pb), loose(pa, b));
            if (ab && (ba || alias(pa, b))) || (ba && alias(a, pb)) {
                return name_level::SWAPPED;
            }
        }
        if let Some(m) = self.middle
            && let Some(mid) = Self::value(m, &m.right, r)
            && mid
                .parts
                .iter()
                .any(|p| *p == a.folded || (p.len() >= 4 && within_one_edit(p, &a.folded)))
        {
            return name_level::MIDDLE;
        }
        direct
    }

    fn exact_frequency(&self, l: usize, r: usize) -> Option<f64> {
        if !self.term_frequency {
            return None;
        }
        let (Some(a), Some(b)) = (self.this.left[l], self.this.right[r]) else {
            return None;
        };
        (a == b).then(|| self.this.vocab.frequency(a))
    }
}

/// Date-of-birth levels.
pub(crate) mod date_level {
    pub const MISSING: u8 = 0;
    pub const DIFFERENT: u8 = 1;
    /// Same year of birth.
    pub const SAME_YEAR: u8 = 2;
    /// Two of day, month and year agree and the third is one out (or two of
    /// its digits are swapped).
    pub const ONE_OFF: u8 = 3;
    /// Day and month transposed.
    pub const SWAPPED: u8 = 4;
    pub const EXACT: u8 = 5;
}

const DATE_LEVELS: &[&str] = &[
    "missing",
    "different",
    "same year only",
    "one of day, month or year out",
    "day and month transposed",
    "exact",
];

/// Year, month and day of a day number (days since 1970-01-01), by the
/// proleptic Gregorian calendar in integer arithmetic: called for every
/// candidate pair, so it avoids building dates.
pub(crate) fn ymd(days: i32) -> (i32, u32, u32) {
    // Days from 0000-03-01, in 400-year eras of 146,097 days.
    let z = i64::from(days) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
    (year, month, day)
}

/// Whether two date fields, written with `width` digits (04, 1985), differ
/// by one, or in a single digit, or by two neighbouring digits swapped: the
/// typing errors a date field suffers.
fn one_out(a: u32, b: u32, width: u32) -> bool {
    if a.abs_diff(b) == 1 {
        return true;
    }
    let digit = |n: u32, k: u32| (n / 10u32.pow(k)) % 10;
    let differ: Vec<u32> = (0..width).filter(|&k| digit(a, k) != digit(b, k)).collect();
    match differ[..] {
        [_] => true,
        [k, l] => l == k + 1 && digit(a, k) == digit(b, l) && digit(a, l) == digit(b, k),
        _ => false,
    }
}

/// The level two dates (as day numbers) reach.
pub(crate) fn date_level(a: i32, b: i32) -> u8 {
    use date_level::*;
    if a == b {
        return EXACT;
    }
    // A day out, even across the end of a month (31/10 for 01/11).
    if (a - b).abs() == 1 {
        return ONE_OFF;
    }
    let (ya, ma, da) = ymd(a);
    let (yb, mb, db) = ymd(b);
    if ya == yb && ma == db && da == mb {
        return SWAPPED;
    }
    let same = [ya == yb, ma == mb, da == db];
    if same.iter().filter(|s| **s).count() == 2 {
        let off = if ya != yb {
            one_out(ya.unsigned_abs(), yb.unsigned_abs(), 4)
        } else if ma != mb {
            one_out(ma, mb, 2)
        } else {
            one_out(da, db, 2)
        };
        if off {
            return ONE_OFF;
        }
    }
    if ya == yb { SAME_YEAR } else { DIFFERENT }
}

/// A day number as an ISO date, `YYYY-MM-DD`.
pub(crate) fn iso(days: i32) -> String {
    let (y, m, d) = ymd(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// A date of birth on both sides (day numbers).
pub(crate) struct Date<'a> {
    pub label: &'a str,
    pub column: &'a str,
    pub left: &'a [Option<i32>],
    pub right: &'a [Option<i32>],
}

impl Comparison for Date<'_> {
    fn label(&self) -> &str {
        self.label
    }

    fn levels(&self) -> &'static [&'static str] {
        DATE_LEVELS
    }

    fn columns(&self) -> &[&str] {
        std::slice::from_ref(&self.column)
    }

    fn level(&self, l: usize, r: usize) -> u8 {
        match (self.left[l], self.right[r]) {
            (Some(a), Some(b)) => date_level(a, b),
            _ => date_level::MISSING,
        }
    }
}

const POSTCODE_LEVELS: &[&str] = &[
    "missing",
    "different",
    "same area",
    "same district",
    "same sector",
    "exact",
];

/// A postcode on both sides.
pub(crate) struct Postcode<'a> {
    pub label: &'a str,
    pub column: &'a str,
    pub left: &'a [Option<PostcodeKey>],
    pub right: &'a [Option<PostcodeKey>],
}

impl Comparison for Postcode<'_> {
    fn label(&self) -> &str {
        self.label
    }

    fn levels(&self) -> &'static [&'static str] {
        POSTCODE_LEVELS
    }

    fn columns(&self) -> &[&str] {
        std::slice::from_ref(&self.column)
    }

    fn level(&self, l: usize, r: usize) -> u8 {
        match (self.left[l], self.right[r]) {
            (Some(a), Some(b)) if a.unit == b.unit => 5,
            (Some(a), Some(b)) if a.sector == b.sector => 4,
            (Some(a), Some(b)) if a.district == b.district => 3,
            (Some(a), Some(b)) if a.area == b.area => 2,
            (Some(_), Some(_)) => 1,
            _ => 0,
        }
    }
}

const EXACT_LEVELS: &[&str] = &["missing", "different", "exact"];

/// Exact agreement of hashed values (gender, identifiers, codes).
pub(crate) struct Exact<'a> {
    pub label: &'a str,
    pub column: &'a str,
    pub left: &'a [Option<u64>],
    pub right: &'a [Option<u64>],
}

impl Comparison for Exact<'_> {
    fn label(&self) -> &str {
        self.label
    }

    fn levels(&self) -> &'static [&'static str] {
        EXACT_LEVELS
    }

    fn columns(&self) -> &[&str] {
        std::slice::from_ref(&self.column)
    }

    fn level(&self, l: usize, r: usize) -> u8 {
        match (self.left[l], self.right[r]) {
            (Some(a), Some(b)) => 1 + u8::from(a == b),
            _ => 0,
        }
    }
}

const TEXT_LEVELS: &[&str] = &[
    "missing",
    "different",
    "similar (Jaro-Winkler >= 0.88)",
    "close (Jaro-Winkler >= 0.95)",
    "exact",
];

/// Free text compared by Jaro-Winkler on its folded form.
pub(crate) struct Text<'a> {
    pub label: &'a str,
    pub column: &'a str,
    pub this: &'a NameColumn,
    pub term_frequency: bool,
}

impl Comparison for Text<'_> {
    fn label(&self) -> &str {
        self.label
    }

    fn levels(&self) -> &'static [&'static str] {
        TEXT_LEVELS
    }

    fn columns(&self) -> &[&str] {
        std::slice::from_ref(&self.column)
    }

    fn level(&self, l: usize, r: usize) -> u8 {
        let (Some(a), Some(b)) = (self.this.left[l], self.this.right[r]) else {
            return 0;
        };
        if a == b {
            return 4;
        }
        let v = &self.this.vocab.values;
        let jw = jaro_winkler(&v[a as usize].folded, &v[b as usize].folded);
        if jw >= 0.95 {
            3
        } else if jw >= 0.88 {
            2
        } else {
            1
        }
    }

    fn exact_frequency(&self, l: usize, r: usize) -> Option<f64> {
        if !self.term_frequency {
            return None;
        }
        let (Some(a), Some(b)) = (self.this.left[l], self.this.right[r]) else {
            return None;
        };
        (a == b).then(|| self.this.vocab.frequency(a))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::prepare;

    fn day(y: i32, m: u32, d: u32) -> i32 {
        (chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap() - chrono::NaiveDate::default())
            .num_days() as i32
    }

    fn level(a: &str, b: &str, aliases: bool) -> u8 {
        let col = prepare::names([Some(a)], [Some(b)]);
        let cmp = Name {
            label: "forename",
            column: "forename",
            this: &col,
            partner: None,
            middle: None,
            aliases,
            term_frequency: false,
        };
        cmp.level(0, 0)
    }

    #[test]
    fn name_levels_cover_the_errors_people_make() {
        use name_level::*;
        assert_eq!(level("Zoë", "ZOE", true), EXACT);
        assert_eq!(level("O'Neill", "ONeill", true), EXACT);
        assert_eq!(level("Jonathon", "Jonathan", true), CLOSE);
        assert_eq!(
            level("Mcdonald", "Mcdnoald", true),
            CLOSE,
            "a transposition is one edit"
        );
        assert_eq!(level("Bob", "Robert", true), ALIAS);
        assert_eq!(level("Bill", "William", true), ALIAS);
        assert_eq!(
            level("Bob", "Robert", false),
            DIFFERENT,
            "surnames have no nicknames"
        );
        assert_eq!(level("Smith", "Smith-Jones", false), PART);
        assert_eq!(level("Santos", "Santos Ferreira", false), PART);
        assert_eq!(level("Catherine", "Kathryn", false), PHONETIC);
        assert_eq!(level("Martinez", "Martines", false), CLOSE);
        assert_eq!(level("Johnson", "Johnston", false), CLOSE);
        assert_eq!(
            level("Fitzgerald", "Fitzgerrel", false),
            SIMILAR,
            "Jaro-Winkler 0.92, two edits"
        );
        assert_eq!(
            level("Robinson", "Robertson", false),
            DIFFERENT,
            "Jaro-Winkler 0.86, sounds different"
        );
        assert_eq!(level("Smith", "Patel", false), DIFFERENT);
        assert_eq!(level("", "Patel", false), MISSING);
    }

    #[test]
    fn compound_and_middle_names_agree_partly() {
        use name_level::*;
        assert_eq!(level("John Paul", "John", true), PART);
        // "Ina" and "John" share a Double Metaphone code (AN); Mark shares nothing.
        let fore = prepare::names([Some("Paul"), Some("Ina")], [Some("John"), Some("Mark")]);
        let middle = prepare::names([None, None], [Some("Paul Anthony"), Some("Ian")]);
        let cmp = Name {
            label: "forename",
            column: "forename",
            this: &fore,
            partner: None,
            middle: Some(&middle),
            aliases: true,
            term_frequency: true,
        };
        assert_eq!(cmp.level(0, 0), MIDDLE);
        assert_eq!(
            cmp.level(1, 1),
            DIFFERENT,
            "short middle names must match exactly"
        );
    }

    #[test]
    fn swapped_names_are_recognised_both_ways_round() {
        let fore = prepare::names(
            [Some("Smith"), Some("John"), Some("Santos Fernandes")],
            [Some("John"), Some("John"), Some("Manuel")],
        );
        let sur = prepare::names(
            [Some("John"), Some("Smith"), Some("Manuel")],
            [Some("Smith"), Some("Smith"), Some("Santos Fernandes")],
        );
        let cmp = Name {
            label: "forename",
            column: "forename",
            this: &fore,
            partner: Some(&sur),
            middle: None,
            aliases: true,
            term_frequency: true,
        };
        assert_eq!(cmp.level(0, 0), name_level::SWAPPED);
        assert_eq!(cmp.level(1, 1), name_level::EXACT);
        assert_eq!(
            cmp.level(2, 2),
            name_level::SWAPPED,
            "compound surnames swap whole"
        );
        // Two of the three right-hand forenames are John.
        assert_eq!(cmp.exact_frequency(1, 1), Some(2.0 / 3.0));
        assert_eq!(cmp.exact_frequency(0, 0), None);
        let fore = prepare::names(
            [Some("Fisher"), Some("Murphy")],
            [Some("Daniel"), Some("Robert")],
        );
        let sur = prepare::names(
            [Some("Daniel"), Some("Bob")],
            [Some("Fisher-Gallagher"), Some("Murphy")],
        );
        let cmp = Name {
            label: "forename",
            column: "forename",
            this: &fore,
            partner: Some(&sur),
            middle: None,
            aliases: true,
            term_frequency: false,
        };
        assert_eq!(
            cmp.level(0, 0),
            name_level::SWAPPED,
            "part of a compound name, swapped"
        );
        assert_eq!(cmp.level(1, 1), name_level::SWAPPED, "a nickname, swapped");
    }

    #[test]
    fn date_levels_cover_transposition_and_one_field_out() {
        use date_level::*;
        let dob = day(1985, 3, 4);
        assert_eq!(date_level(dob, dob), EXACT);
        assert_eq!(date_level(dob, day(1985, 4, 3)), SWAPPED);
        assert_eq!(date_level(dob, day(1985, 3, 5)), ONE_OFF);
        assert_eq!(date_level(dob, day(1986, 3, 4)), ONE_OFF);
        assert_eq!(
            date_level(dob, day(1958, 3, 4)),
            ONE_OFF,
            "year digits swapped"
        );
        assert_eq!(
            date_level(dob, day(1985, 3, 14)),
            ONE_OFF,
            "one digit wrong"
        );
        assert_eq!(date_level(dob, day(1985, 9, 20)), SAME_YEAR);
        assert_eq!(date_level(dob, day(1979, 11, 30)), DIFFERENT);
        assert_eq!(
            date_level(day(1994, 11, 1), day(1994, 10, 31)),
            ONE_OFF,
            "a day out across a month end"
        );
        // 12/12 cannot be transposed into anything else.
        assert_eq!(date_level(day(1990, 12, 12), day(1990, 12, 12)), EXACT);
    }

    proptest::proptest! {
        #[test]
        fn byte_jaro_winkler_matches_strsim(a in "[a-z ]{0,12}", b in "[a-z ]{0,12}") {
            let ours = jaro_winkler(&a, &b);
            let theirs = strsim::jaro_winkler(&a, &b);
            proptest::prop_assert!((ours - theirs).abs() < 1e-12, "{a:?} {b:?}: {ours} vs {theirs}");
        }

                #[test]
        fn any_names_in_any_script_compare_without_panicking(a in "\\PC{0,20}", b in "\\PC{0,20}", c in "\\PC{0,8}") {
            let fore = prepare::names([Some(a.as_str()), Some(c.as_str())], [Some(b.as_str()), Some(a.as_str())]);
            let sur = prepare::names([Some(b.as_str()), Some(a.as_str())], [Some(a.as_str()), Some(c.as_str())]);
            let cmp = Name {
                label: "forename",
                column: "forename",
                this: &fore,
                partner: Some(&sur),
                middle: Some(&sur),
                aliases: true,
                term_frequency: true,
            };
            for (l, r) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
                let level = cmp.level(l, r);
                proptest::prop_assert!((level as usize) < cmp.levels().len());
            }
            let jw = jaro_winkler(&a, &b);
            proptest::prop_assert!((0.0..=1.0).contains(&jw));
        }

        #[test]
        fn one_edit_agrees_with_the_edit_distance(a in "[a-e]{0,7}", b in "[a-e]{0,7}") {
            proptest::prop_assert_eq!(within_one_edit(&a, &b), edits(&a, &b) <= 1, "{:?} {:?}", a, b);
        }
    }

    #[test]
    fn jaro_winkler_on_accented_text_uses_the_general_version() {
        assert_eq!(
            jaro_winkler("zoë", "zoe"),
            strsim::jaro_winkler("zoë", "zoe")
        );
        assert_eq!(
            jaro_winkler("martha", "marhta"),
            strsim::jaro_winkler("martha", "marhta")
        );
    }

    #[test]
    fn integer_calendar_agrees_with_chrono() {
        use chrono::Datelike;
        for d in (-80_000..80_000)
            .step_by(7)
            .chain([-1, 0, 1, 11_016, 11_017])
        {
            let date = chrono::NaiveDate::default() + chrono::TimeDelta::days(i64::from(d));
            assert_eq!(ymd(d), (date.year(), date.month(), date.day()), "day {d}");
        }
    }

    #[test]
    fn postcode_and_exact_levels() {
        let l = [
            PostcodeKey::parse("M14 5QT"),
            PostcodeKey::parse("M14 5QT"),
            None,
        ];
        let r = [
            PostcodeKey::parse("M14 5QT"),
            PostcodeKey::parse("M14 6AB"),
            PostcodeKey::parse("LS1 1AA"),
        ];
        let p = Postcode {
            label: "postcode",
            column: "postcode",
            left: &l,
            right: &r,
        };
        assert_eq!(p.level(0, 0), 5);
        assert_eq!(p.level(1, 1), 3);
        assert_eq!(p.level(0, 2), 1);
        assert_eq!(p.level(2, 0), 0);
        let e = Exact {
            label: "gender",
            column: "gender",
            left: &[Some(1), None],
            right: &[Some(1), Some(2)],
        };
        assert_eq!((e.level(0, 0), e.level(0, 1), e.level(1, 0)), (2, 1, 0));
    }
}
