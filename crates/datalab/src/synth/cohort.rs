//! Who attends the intervention, and how the provider records them.
//!
//! # Selection
//!
//! Anyone whose first release from custody, community order or suspended
//! sentence falls inside the intervention window is eligible, with that
//! event as their index event. Attendance is not random: each eligible
//! person's weight is `exp(eta)` with
//!
//! ```text
//! eta = 2.5 home_region + 0.5 female - 0.03 (age - 30) - 0.08 min(previous offences, 40)
//!       - 0.15 min(previous custodial sentences, 10) + 0.8 employed_in_year_before + 0.4 released_from_custody
//! ```
//!
//! and the cohort is a weighted sample without replacement of that size
//! (the smallest `Exp(1) / weight` keys). Every term is observable in the
//! national records, so selection is on observables: matching on them can
//! remove the bias, while a naive comparison with everyone else overstates
//! the benefit (attendees have fewer previous offences and more work).
//!
//! # Recording errors
//!
//! The provider's copy of each attendee has the errors hand-kept records
//! have. At noise level 1 (the default), each applies with the probability
//! below; at level `k`, with `k` times that (capped at 1); at 0, the copy is
//! exact apart from harmless formatting (capitals, postcode spacing).
//!
//! | field | error | probability |
//! |---|---|---|
//! | forename | nickname (Bob for Robert) | 0.06 where one exists |
//! | forename | middle name used instead | 0.01 |
//! | forename | typing error | 0.03 |
//! | forename, surname | accents dropped | 0.5 where present |
//! | names | forename and surname swapped | 0.01 |
//! | surname | typing error | 0.03 |
//! | surname | only the first part of a double-barrelled name | 0.3 where hyphenated |
//! | surname | apostrophe dropped (ONeill, O Neill) | 0.2 where present |
//! | surname | a different (married or former) surname, women | 0.02 |
//! | date of birth | day and month swapped | 0.02 |
//! | date of birth | day, month or year off by one | 0.02 |
//! | gender | wrong | 0.003 |
//! | postcode | missing / an old address | 0.08 / 0.15 |
//! | sentence dates | shifted by up to 30 days | 0.1 of those given |
//! | PNC ID | wrong: mistyped digit or another person's | 0.03 of those given (given for 55%) |
//! | prison number | mistyped digit | 0.03 of those given (given for half of those with one) |
//! | person | absent from national records | 0.015 of rows |

use chrono::Datelike;
use rand::{Rng, RngExt};
use rand_chacha::ChaCha8Rng;

use super::life::{self, Day, Identity, Life, YEAR, date, exp1};
use crate::ids::{PncId, PrisonNumber};
use crate::names;
use crate::national::Disposal;
use crate::person::Gender;
use crate::postcode::Region;

/// Which kind of event starts a person's one-year follow-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IndexKind {
    Release,
    CommunityOrder,
    SuspendedSentence,
}

impl IndexKind {
    pub fn name(self) -> &'static str {
        match self {
            IndexKind::Release => "release from custody",
            IndexKind::CommunityOrder => "community order start",
            IndexKind::SuspendedSentence => "suspended sentence start",
        }
    }
}

/// A person's eligible index event in the intervention window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct IndexEvent {
    pub date: Day,
    pub kind: IndexKind,
    /// The sentence behind the event: start and end (release, or the end
    /// of the order's supervision).
    pub sentence_start: Day,
    pub sentence_end: Day,
}

/// The first release or order start inside `[from, to]`.
pub(crate) fn index_event(life: &Life, from: Day, to: Day) -> Option<IndexEvent> {
    life.offences
        .iter()
        .filter_map(|o| match o.disposal {
            Disposal::Custody => o.release_date.map(|r| IndexEvent {
                date: r,
                kind: IndexKind::Release,
                sentence_start: o.disposal_date,
                sentence_end: r,
            }),
            Disposal::CommunityOrder => Some(IndexEvent {
                date: o.disposal_date,
                kind: IndexKind::CommunityOrder,
                sentence_start: o.disposal_date,
                sentence_end: o.disposal_date + o.sentence_days as Day,
            }),
            Disposal::SuspendedSentence => Some(IndexEvent {
                date: o.disposal_date,
                kind: IndexKind::SuspendedSentence,
                sentence_start: o.disposal_date,
                sentence_end: o.disposal_date + 365,
            }),
            _ => None,
        })
        .filter(|e| e.date >= from && e.date <= to)
        .min_by_key(|e| e.date)
}

/// The selection weight `exp(eta)` of the module documentation.
pub(crate) fn selection_weight(
    who: &Identity,
    life: &Life,
    event: &IndexEvent,
    home: Region,
) -> f64 {
    let age = f64::from(event.date - who.dob) / YEAR;
    let before = life
        .offences
        .iter()
        .filter(|o| o.disposal_date < event.sentence_start);
    let (mut priors, mut custodies) = (0.0f64, 0.0f64);
    for o in before {
        priors += 1.0;
        if o.disposal == Disposal::Custody {
            custodies += 1.0;
        }
    }
    let year_before = event.date - 365;
    let employed = life
        .employment
        .iter()
        .any(|&(start, end)| start < event.date && end.is_none_or(|e| e > year_before));
    let eta = if who.region() == home { 2.5 } else { 0.0 }
        + if who.gender == Gender::Female {
            0.5
        } else {
            0.0
        }
        - 0.03 * (age - 30.0)
        - 0.08 * priors.min(40.0)
        - 0.15 * custodies.min(10.0)
        + if employed { 0.8 } else { 0.0 }
        + if event.kind == IndexKind::Release {
            0.4
        } else {
            0.0
        };
    eta.exp()
}

/// The race key for weighted sampling without replacement: the `n`
/// smallest keys over the population are a weighted sample of size `n`.
pub(crate) fn selection_key(rng: &mut ChaCha8Rng, weight: f64) -> f64 {
    exp1(rng) / weight
}

/// When the provider says the intervention started: in prison up to six
/// months before release, or at (sometimes just before) an order's start.
pub(crate) fn intervention_start(rng: &mut ChaCha8Rng, event: &IndexEvent) -> Day {
    match event.kind {
        IndexKind::Release => {
            let earliest = event.sentence_start + 1;
            (event.date - rng.random_range(0..=180))
                .max(earliest)
                .min(event.date)
        }
        _ if rng.random_bool(0.3) => event.date - rng.random_range(1..=28),
        _ => event.date,
    }
}

/// The identifiers a national person carries.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Identifiers {
    pub pnc: PncId,
    pub prison_number: Option<PrisonNumber>,
}

/// Scrambles a person's position into a serial number, so that serials
/// look arbitrary but never collide (an affine map is a bijection on
/// `0..m` when the multiplier is coprime with `m`).
fn scramble(n: u64, m: u64, a: u64, b: u64) -> u64 {
    (n.wrapping_mul(a).wrapping_add(b)) % m
}

pub(crate) fn identifiers(person: u64, who: &Identity, ever_in_custody: bool) -> Identifiers {
    let serial = scramble(person, 10_000_000, 7_368_787, 1_234_567) as u32;
    let year = date(who.first_offence).year() as u16;
    let pnc = PncId::new(year, serial).unwrap_or_else(|| PncId::new(2000, 0).expect("valid"));
    let prison_number = ever_in_custody
        .then(|| PrisonNumber::from_index(scramble(person, PrisonNumber::SPACE, 48_271, 9_876_543)))
        .flatten();
    Identifiers { pnc, prison_number }
}

/// Recording-error rates, scaled by the noise level.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Noise(pub f64);

impl Noise {
    fn hit(self, rng: &mut ChaCha8Rng, p: f64) -> bool {
        let p = (p * self.0).clamp(0.0, 1.0);
        p > 0.0 && rng.random_bool(p)
    }
}

/// One provider row, in template order, as text, with the list of errors
/// that went into it (for the ground truth).
#[derive(Debug, Clone)]
pub(crate) struct ProviderRow {
    pub fields: [String; 10],
    pub errors: Vec<&'static str>,
}

/// Everything the provider's copy is made from.
pub(crate) struct Source<'a> {
    pub who: &'a Identity,
    pub ids: Identifiers,
    pub event: IndexEvent,
    pub intervention_start: Day,
    /// A valid PNC ID of somebody else, for wrong-identifier errors.
    pub other_pnc: PncId,
}

fn uk_date(d: Day) -> String {
    date(d).format("%d/%m/%Y").to_string()
}

/// Keyboard neighbours on a UK QWERTY layout, for realistic typing errors.
fn neighbour(c: char, rng: &mut ChaCha8Rng) -> char {
    const ROWS: [&str; 3] = ["qwertyuiop", "asdfghjkl", "zxcvbnm"];
    let lower = c.to_ascii_lowercase();
    for row in ROWS {
        if let Some(i) = row.find(lower) {
            let bytes = row.as_bytes();
            let j = if i == 0 {
                1
            } else if i + 1 == bytes.len() || rng.random_bool(0.5) {
                i - 1
            } else {
                i + 1
            };
            let n = bytes[j] as char;
            return if c.is_uppercase() {
                n.to_ascii_uppercase()
            } else {
                n
            };
        }
    }
    c
}

/// One typing error: a neighbouring key, a dropped, doubled or transposed letter.
pub(crate) fn typo(s: &str, rng: &mut ChaCha8Rng) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    if chars.len() < 3 {
        return s.to_string();
    }
    // First letters are mistyped less often than the rest.
    let i = if rng.random_bool(0.15) {
        0
    } else {
        rng.random_range(1..chars.len())
    };
    if !chars[i].is_alphabetic() {
        return s.to_string();
    }
    match rng.random_range(0..4) {
        0 => chars[i] = neighbour(chars[i], rng),
        1 => {
            chars.remove(i);
        }
        2 => {
            // A doubled letter: never in front of the capital ("jJames").
            let at = i.max(1);
            let c = chars[at].to_lowercase().next().unwrap_or(chars[at]);
            chars.insert(at, c);
        }
        _ => {
            let j = if i + 1 < chars.len() { i + 1 } else { i - 1 };
            chars.swap(i, j);
        }
    }
    chars.into_iter().collect()
}

fn mistype_digit(s: &str, rng: &mut ChaCha8Rng) -> String {
    let digits: Vec<usize> = s
        .char_indices()
        .filter(|(_, c)| c.is_ascii_digit())
        .map(|(i, _)| i)
        .collect();
    if digits.is_empty() {
        return s.to_string();
    }
    let at = digits[rng.random_range(0..digits.len())];
    let old = s.as_bytes()[at] - b'0';
    let new = (old + rng.random_range(1..10)) % 10;
    let mut out = s.to_string();
    out.replace_range(at..=at, &new.to_string());
    out
}

fn shift_date(d: Day, rng: &mut ChaCha8Rng) -> Day {
    let k = rng.random_range(1..=30);
    if rng.random_bool(0.5) { d + k } else { d - k }
}

/// A date of birth with one field off by one (or two digits of the year
/// transposed), kept a real date.
fn dob_off(d: Day, rng: &mut ChaCha8Rng) -> Day {
    let dt = date(d);
    let candidate = match rng.random_range(0..4) {
        0 => dt.with_day(if dt.day() > 1 && rng.random_bool(0.5) {
            dt.day() - 1
        } else {
            dt.day() + 1
        }),
        1 => dt.with_month(if dt.month() > 1 && rng.random_bool(0.5) {
            dt.month() - 1
        } else {
            dt.month() + 1
        }),
        2 => dt.with_year(dt.year() + if rng.random_bool(0.5) { 1 } else { -1 }),
        _ => {
            let y = dt.year();
            let swapped = (y / 100) * 100 + (y % 10) * 10 + (y / 10) % 10;
            dt.with_year(swapped)
        }
    };
    candidate.map_or(d + 1, life::day)
}

fn swap_day_month(d: Day) -> Option<Day> {
    let dt = date(d);
    (dt.day() <= 12 && dt.day() != dt.month())
        .then(|| chrono::NaiveDate::from_ymd_opt(dt.year(), dt.day(), dt.month()))
        .flatten()
        .map(life::day)
}

/// A different address: most moves are local.
fn moved(rng: &mut ChaCha8Rng, who: &Identity) -> String {
    let district = who
        .postcode
        .rsplit_once(' ')
        .map_or(who.postcode.as_str(), |(d, _)| d);
    match rng.random_range(0..10) {
        0..4 => life::postcode_in(rng, district),
        4..8 => {
            let d = life::random_district(rng, who.area);
            life::postcode_in(rng, &d)
        }
        _ => {
            let area = life::random_area(rng);
            let d = life::random_district(rng, area);
            life::postcode_in(rng, &d)
        }
    }
}

/// The provider's copy of a person.
pub(crate) fn provider_row(rng: &mut ChaCha8Rng, noise: Noise, src: &Source<'_>) -> ProviderRow {
    let who = src.who;
    let mut errors = Vec::new();
    let mut forename = who.forename.to_string();
    let mut surname = who.surname.clone();

    let nicks = names::nicknames(&forename);
    if !nicks.is_empty() && noise.hit(rng, 0.06) {
        forename = nicks[rng.random_range(0..nicks.len())].to_string();
        errors.push("forename:nickname");
    } else if let Some(middle) = who.middle_names.as_deref().filter(|_| noise.hit(rng, 0.01)) {
        forename = middle.split(' ').next().unwrap_or(middle).to_string();
        errors.push("forename:middle-name");
    } else if noise.hit(rng, 0.03) {
        forename = typo(&forename, rng);
        errors.push("forename:typo");
    }

    if surname.contains('-') && noise.hit(rng, 0.3) {
        surname = surname.split('-').next().unwrap_or(&surname).to_string();
        errors.push("surname:first-part");
    } else if who.gender == Gender::Female && noise.hit(rng, 0.02) {
        surname = names::surname_for(who.heritage, who.gender, rng);
        errors.push("surname:changed");
    } else if noise.hit(rng, 0.03) {
        surname = typo(&surname, rng);
        errors.push("surname:typo");
    }
    if surname.contains('\'') && noise.hit(rng, 0.2) {
        surname = surname.replace('\'', if rng.random_bool(0.5) { "" } else { " " });
        errors.push("surname:apostrophe");
    }
    if !(forename.is_ascii() && surname.is_ascii()) && noise.hit(rng, 0.5) {
        forename = deunicode::deunicode(&forename);
        surname = deunicode::deunicode(&surname);
        errors.push("names:accents-dropped");
    }
    if noise.hit(rng, 0.01) {
        std::mem::swap(&mut forename, &mut surname);
        errors.push("names:swapped");
    }
    // Some systems keep names in capitals: not an error, just a style.
    if rng.random_bool(0.1) {
        forename = forename.to_uppercase();
        surname = surname.to_uppercase();
    }

    let mut dob = who.dob;
    if noise.hit(rng, 0.02)
        && let Some(swapped) = swap_day_month(dob)
    {
        dob = swapped;
        errors.push("date_of_birth:day-month-swapped");
    } else if noise.hit(rng, 0.02) {
        dob = dob_off(dob, rng);
        errors.push("date_of_birth:off-by-one");
    }

    let mut gender = who.gender;
    if noise.hit(rng, 0.003) {
        gender = if gender == Gender::Male {
            Gender::Female
        } else {
            Gender::Male
        };
        errors.push("gender:wrong");
    }

    let postcode = if noise.hit(rng, 0.08) {
        errors.push("postcode:missing");
        String::new()
    } else {
        let p = if noise.hit(rng, 0.15) {
            errors.push("postcode:old-address");
            moved(rng, who)
        } else {
            who.postcode.clone()
        };
        match rng.random_range(0..10) {
            0 | 1 => p.to_lowercase(),
            2 => p.replace(' ', ""),
            _ => p,
        }
    };

    let (sentence_start, sentence_end) = if rng.random_bool(0.7) {
        let (mut start, mut end) = (src.event.sentence_start, src.event.sentence_end);
        if noise.hit(rng, 0.1) {
            start = shift_date(start, rng);
            end = shift_date(end, rng).max(start);
            errors.push("sentence_dates:shifted");
        }
        (uk_date(start), uk_date(end))
    } else {
        (String::new(), String::new())
    };

    let pnc = if rng.random_bool(0.55) {
        if noise.hit(rng, 0.03) {
            if rng.random_bool(0.5) {
                errors.push("pnc_id:mistyped");
                let text = src.ids.pnc.to_string();
                // Keep the original check letter, as a person retyping would.
                let (body, check) = text.split_at(text.len() - 1);
                let serial_start = body.find('/').map_or(0, |i| i + 1);
                let (year, serial) = body.split_at(serial_start);
                format!("{year}{}{check}", mistype_digit(serial, rng))
            } else {
                errors.push("pnc_id:another-person");
                src.other_pnc.to_string()
            }
        } else {
            src.ids.pnc.to_string()
        }
    } else {
        String::new()
    };

    let prison_number = match src.ids.prison_number {
        Some(p) if rng.random_bool(0.5) => {
            if noise.hit(rng, 0.03) {
                errors.push("prison_number:mistyped");
                mistype_digit(p.as_str(), rng)
            } else {
                p.to_string()
            }
        }
        _ => String::new(),
    };

    ProviderRow {
        fields: [
            forename,
            surname,
            uk_date(dob),
            gender.code().to_string(),
            postcode,
            uk_date(src.intervention_start),
            sentence_start,
            sentence_end,
            pnc,
            prison_number,
        ],
        errors,
    }
}

/// The home regions' names of the synthetic provider organisations.
pub(crate) fn organisation(rng: &mut impl Rng, home: Region) -> String {
    const NAMES: [&str; 8] = [
        "Second Chance Mentoring",
        "Fresh Start Trust",
        "Open Doors Partnership",
        "Through the Gate Project",
        "New Leaf Foundation",
        "Steps to Work",
        "Hope Street Community Trust",
        "Bridges Resettlement Service",
    ];
    format!(
        "{} {}",
        NAMES[rng.random_range(0..NAMES.len())],
        home.name()
    )
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    fn rng(n: u64) -> ChaCha8Rng {
        ChaCha8Rng::seed_from_u64(n)
    }

    #[test]
    fn every_area_has_districts() {
        assert!(crate::postcode::AREAS.iter().all(|a| a.districts >= 1));
    }

    #[test]
    fn typos_change_names_by_one_edit() {
        let mut r = rng(1);
        let mut changed = 0;
        for _ in 0..500 {
            let t = typo("Robertson", &mut r);
            let len_diff = t.chars().count().abs_diff(9);
            assert!(len_diff <= 1, "{t}");
            changed += usize::from(t != "Robertson");
        }
        // Doubling a letter before itself can leave "rr" -> "rrr"... but most change.
        assert!(
            changed > 450,
            "only {changed} of 500 typos changed the name"
        );
    }

    #[test]
    fn mistyped_digits_always_differ() {
        let mut r = rng(2);
        for _ in 0..200 {
            let t = mistype_digit("A1234BC", &mut r);
            assert_ne!(t, "A1234BC");
            assert_eq!(t.len(), 7);
            assert!(t.parse::<PrisonNumber>().is_ok());
        }
    }

    #[test]
    fn day_month_swap_only_when_possible() {
        let d = life::day(chrono::NaiveDate::from_ymd_opt(1985, 4, 3).unwrap());
        assert_eq!(
            date(swap_day_month(d).unwrap()),
            chrono::NaiveDate::from_ymd_opt(1985, 3, 4).unwrap()
        );
        let late = life::day(chrono::NaiveDate::from_ymd_opt(1985, 4, 23).unwrap());
        assert_eq!(swap_day_month(late), None);
    }

    #[test]
    fn identifiers_are_unique_and_valid() {
        let who = life::identity(
            &mut rng(3),
            life::day(chrono::NaiveDate::from_ymd_opt(2020, 12, 31).unwrap()),
        );
        let mut seen = std::collections::HashSet::new();
        for person in 0..50_000u64 {
            let ids = identifiers(person, &who, true);
            assert!(seen.insert(ids.pnc.serial()), "serial repeated at {person}");
            let text = ids.pnc.to_string();
            assert_eq!(text.parse::<PncId>(), Ok(ids.pnc));
            assert!(ids.prison_number.is_some());
        }
    }
}
