//! Linking a provider's cohort to the national records.
//!
//! # Stages
//!
//! 1. **Identifiers.** A PNC ID or prison number that exists nationally
//!    makes that person a candidate. It is confirmed only when the name and
//!    date of birth also broadly agree (at least one name sounds alike, and
//!    the date of birth is exact, transposed or one field out); an
//!    identifier pointing at a clearly different person is a suspect match,
//!    never a match on its own.
//! 2. **Probabilistic.** Blocking rules (surname sound and birth year; date
//!    of birth; postcode sector and forename initial; forename and surname
//!    sounds) find the other candidates; the Fellegi-Sunter model scores
//!    every candidate on forename, surname, date of birth, gender, postcode,
//!    identifiers, sentence dates and the intervention date.
//!
//! # Decisions
//!
//! A candidate can be accepted only with enough of the evidence the Privacy
//! Impact Assessment ranks highest, in its order: an identifier (tier 1),
//! sentence dates within a week of a national custody or order date (tier
//! 2), or both names and the date of birth (tier 3), each with names and
//! date of birth broadly agreeing; and only when its match probability
//! reaches the threshold. Then, one-to-one: the strongest accepted pairs
//! are taken first, each national person going to at most one row and each
//! row to at most one person.
//!
//! Each row ends as one of:
//! - **matched**, with a pseudonymous ID, its tier, weight and a field by
//!   field explanation;
//! - **duplicate**: the same national person as an earlier matched row;
//! - **suspect, discarded**: a candidate exists but is below the threshold,
//!   has too little evidence, conflicts on identifiers, or another
//!   candidate is nearly as strong (ambiguous);
//! - **not found**: no candidate comes close.
//!
//! Only the row number, status and pseudonym leave this stage: no name,
//! date of birth or identifier is carried past it.

use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, UInt32Type};
use arrow_array::{Array, RecordBatch, StringArray};
use rayon::prelude::*;
use serde::Serialize;

use super::block::{self, BlockingError, Part, Rule};
use super::compare::{self, Comparison, date_level};
use super::model::{self, Contribution, Model, Training};
use super::prepare::{self, NameColumn, PostcodeKey, hash};
use super::pseudonym::LabKey;
use crate::ids::PncId;
use crate::intake::CohortRow;
use crate::national::{self, Disposal, ReadError, column, tables};
use crate::progress::Progress;

/// The national records, ready to link against.
///
/// Names and PNC IDs stay in the Arrow arrays they were read into (one per
/// Parquet part) rather than becoming millions of separate strings.
pub struct National {
    people: usize,
    /// Where each part's people start, for finding a person's part.
    starts: Vec<usize>,
    pnc: Vec<StringArray>,
    forename: Vec<StringArray>,
    middle: Vec<StringArray>,
    surname: Vec<StringArray>,
    pnc_hash: Vec<Option<u64>>,
    prison_hash: Vec<Option<u64>>,
    dob: Vec<Option<i32>>,
    gender: Vec<Option<u64>>,
    postcode: Vec<Option<PostcodeKey>>,
    /// Each person's sentences as (start, end) day numbers, in a flat list
    /// indexed by `sentence_index[person]..sentence_index[person + 1]`.
    sentences: Vec<(i32, i32)>,
    sentence_index: Vec<u32>,
    /// The national `person_id` of each row.
    person_id: Vec<u32>,
}

const PEOPLE_COLUMNS: [&str; 9] = [
    "person_id",
    "pnc_id",
    "prison_number",
    "forename",
    "middle_names",
    "surname",
    "date_of_birth",
    "gender",
    "postcode",
];

const OFFENCE_COLUMNS: [&str; 5] = [
    "person_id",
    "disposal",
    "disposal_date",
    "sentence_days",
    "release_date",
];

impl National {
    /// Reads the people and their sentences from a national dataset
    /// directory (`DIR/people/`, `DIR/offences/`).
    pub fn load(dir: &Path) -> Result<Self, ReadError> {
        let batches = national::read_columns(dir, tables::PEOPLE, Some(&PEOPLE_COLUMNS))?;
        let n: usize = batches.iter().map(RecordBatch::num_rows).sum();
        let strings = |name: &str| -> Vec<StringArray> {
            batches
                .iter()
                .map(|b| column(b, name).as_string::<i32>().clone())
                .collect()
        };
        let mut starts = Vec::with_capacity(batches.len());
        let mut at = 0;
        for b in &batches {
            starts.push(at);
            at += b.num_rows();
        }
        let mut out = National {
            people: n,
            starts,
            pnc: strings("pnc_id"),
            forename: strings("forename"),
            middle: strings("middle_names"),
            surname: strings("surname"),
            pnc_hash: Vec::with_capacity(n),
            prison_hash: Vec::with_capacity(n),
            dob: Vec::with_capacity(n),
            gender: Vec::with_capacity(n),
            postcode: Vec::with_capacity(n),
            sentences: Vec::new(),
            sentence_index: Vec::new(),
            person_id: Vec::with_capacity(n),
        };
        for b in &batches {
            let ids = column(b, "person_id").as_primitive::<UInt32Type>();
            let pnc = column(b, "pnc_id").as_string::<i32>();
            let prison = column(b, "prison_number").as_string::<i32>();
            let dob = column(b, "date_of_birth").as_primitive::<Date32Type>();
            let gender = column(b, "gender").as_string::<i32>();
            let postcode = column(b, "postcode").as_string::<i32>();
            out.person_id.extend(ids.values().iter().copied());
            // National PNC IDs are stored in the long form, as the cohort's
            // are written for hashing: the text itself can be hashed.
            out.pnc_hash.extend(pnc.iter().map(|p| p.map(hash)));
            out.prison_hash.extend(prison.iter().map(|p| p.map(hash)));
            out.dob.extend(dob.iter());
            out.gender.extend(gender.iter().map(|g| g.map(hash)));
            out.postcode
                .extend(postcode.iter().map(|p| p.and_then(PostcodeKey::normalised)));
        }
        out.load_sentences(dir)?;
        Ok(out)
    }

    fn load_sentences(&mut self, dir: &Path) -> Result<(), ReadError> {
        let max_id = self.person_id.iter().copied().max().unwrap_or(0) as usize;
        let mut row_of = vec![u32::MAX; max_id + 1];
        for (row, &id) in self.person_id.iter().enumerate() {
            row_of[id as usize] = row as u32;
        }
        let batches = national::read_columns(dir, tables::OFFENCES, Some(&OFFENCE_COLUMNS))?;
        let mut flat: Vec<(u32, i32, i32)> = batches
            .par_iter()
            .flat_map_iter(|b| {
                let ids = column(b, "person_id").as_primitive::<UInt32Type>();
                let disposal = column(b, "disposal").as_string::<i32>();
                let date = column(b, "disposal_date").as_primitive::<Date32Type>();
                let days = column(b, "sentence_days").as_primitive::<UInt32Type>();
                let release = column(b, "release_date").as_primitive::<Date32Type>();
                let row_of = &row_of;
                (0..b.num_rows()).filter_map(move |i| {
                    let start = date.value(i);
                    let end = match Disposal::from_name(disposal.value(i))? {
                        Disposal::Custody if release.is_valid(i) => release.value(i),
                        Disposal::Custody => start + days.value(i) as i32 / 2,
                        Disposal::CommunityOrder => start + days.value(i) as i32,
                        Disposal::SuspendedSentence => start + 365,
                        _ => return None,
                    };
                    let row = *row_of.get(ids.value(i) as usize)?;
                    (row != u32::MAX).then_some((row, start, end))
                })
            })
            .collect();
        flat.par_sort_unstable();
        self.sentence_index = Vec::with_capacity(self.people + 1);
        self.sentence_index.push(0);
        let mut k = 0;
        for person in 0..self.people as u32 {
            while k < flat.len() && flat[k].0 == person {
                k += 1;
            }
            self.sentence_index.push(k as u32);
        }
        self.sentences = flat.into_iter().map(|(_, s, e)| (s, e)).collect();
        Ok(())
    }

    /// People in the records.
    pub fn len(&self) -> usize {
        self.people
    }

    /// Whether there are no people.
    pub fn is_empty(&self) -> bool {
        self.people == 0
    }

    fn sentences_of(&self, person: usize) -> &[(i32, i32)] {
        &self.sentences
            [self.sentence_index[person] as usize..self.sentence_index[person + 1] as usize]
    }

    /// The national `person_id` of the person at a position.
    pub fn person_id(&self, person: usize) -> u32 {
        self.person_id[person]
    }

    /// The PNC ID of the person at a position (for pseudonymising), if it
    /// is well formed.
    pub fn pnc(&self, person: usize) -> Option<PncId> {
        let part = self.starts.partition_point(|&s| s <= person) - 1;
        self.pnc[part]
            .value(person - self.starts[part])
            .parse()
            .ok()
    }

    fn names<'a>(parts: &'a [StringArray]) -> impl Iterator<Item = Option<&'a str>> + 'a {
        parts.iter().flat_map(|a| a.iter())
    }
}

/// How the lab links.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Settings {
    /// Match probability a candidate must reach.
    pub threshold: f64,
    /// A runner-up within this many bits of the best makes a row ambiguous.
    pub ambiguity_bits: f64,
    /// Candidates below this probability are not even suspects.
    pub suspect_floor: f64,
    /// Refuse blocking rules making more candidate pairs than this.
    pub max_pairs: u64,
    /// Model training.
    #[serde(skip)]
    pub training: Training,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            threshold: 0.99,
            ambiguity_bits: 4.0,
            suspect_floor: 0.5,
            max_pairs: 200_000_000,
            training: Training::default(),
        }
    }
}

/// The strongest kind of evidence behind a match, in the order the Privacy
/// Impact Assessment ranks them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// PNC ID or prison number, with name and date of birth agreeing.
    Identifier,
    /// Sentence dates within a week of national records, with name and date of birth agreeing.
    SentenceDates,
    /// Both names and the date of birth.
    NameAndBirth,
}

/// What became of a cohort row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Linked to one national person.
    Matched,
    /// The same person as an earlier matched row.
    Duplicate,
    /// A possible match too uncertain to use: discarded.
    SuspectDiscarded,
    /// Nobody in the national records resembles the row.
    NotFound,
}

impl Tier {
    /// The tier as written in outputs.
    pub fn name(self) -> &'static str {
        match self {
            Tier::Identifier => "identifier",
            Tier::SentenceDates => "sentence dates",
            Tier::NameAndBirth => "name and date of birth",
        }
    }
}

impl Status {
    /// The status as written in outputs.
    pub fn name(self) -> &'static str {
        match self {
            Status::Matched => "matched",
            Status::Duplicate => "duplicate",
            Status::SuspectDiscarded => "suspect discarded",
            Status::NotFound => "not found",
        }
    }
}

/// The outcome for one cohort row.
#[derive(Debug, Clone, Serialize)]
pub struct RowLink {
    /// The cohort's spreadsheet row.
    pub row: u64,
    /// What became of it.
    pub status: Status,
    /// Why, for anything but a plain match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The matched person's pseudonymous ID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pseudonym: Option<String>,
    /// The strongest evidence behind the match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<Tier>,
    /// Match weight (bits) of the chosen or best candidate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub match_weight: Option<f64>,
    /// Its match probability.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub match_probability: Option<f64>,
    /// Its weight, field by field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub explanation: Vec<Contribution>,
    /// The national person (position in [`National`]); never serialised.
    #[serde(skip)]
    pub person: Option<usize>,
}

/// Counts of rows by status.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Tally {
    /// Rows matched.
    pub matched: u64,
    /// Rows that repeat a matched person.
    pub duplicate: u64,
    /// Rows with a suspect match, discarded.
    pub suspect_discarded: u64,
    /// Rows with no candidate.
    pub not_found: u64,
}

/// The result of linking a cohort.
#[derive(Debug, Clone, Serialize)]
pub struct Linkage {
    /// Rows by status.
    pub tally: Tally,
    /// Matched rows as a share of all rows.
    pub match_rate: f64,
    /// One entry per cohort row, in cohort order.
    pub rows: Vec<RowLink>,
    /// Candidate pairs after the union of blocking rules.
    pub candidate_pairs: u64,
    /// Pairs each blocking rule produced.
    pub blocking: Vec<(String, u64)>,
    /// The fitted model, with how EM went.
    pub model: Model,
    /// The settings used.
    pub settings: Settings,
}

/// Why linkage could not run.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// Blocking would make too many pairs.
    #[error(transparent)]
    Blocking(#[from] BlockingError),
    /// There is nothing to link.
    #[error("{0}")]
    Empty(&'static str),
}

const IDENTIFIER_LEVELS: &[&str] = &["missing", "different", "exact"];

/// PNC ID or prison number: agrees if any identifier given agrees.
struct Identifier<'a> {
    left_pnc: Vec<Option<u64>>,
    left_prison: Vec<Option<u64>>,
    national: &'a National,
}

impl Comparison for Identifier<'_> {
    fn label(&self) -> &str {
        "identifier"
    }

    fn levels(&self) -> &'static [&'static str] {
        IDENTIFIER_LEVELS
    }

    fn columns(&self) -> &[&str] {
        &["identifier"]
    }

    fn level(&self, l: usize, r: usize) -> u8 {
        let pnc = self.left_pnc[l].map(|p| Some(p) == self.national.pnc_hash[r]);
        let prison = self.left_prison[l].map(|p| Some(p) == self.national.prison_hash[r]);
        match (pnc, prison) {
            (None, None) => 0,
            (Some(true), _) | (_, Some(true)) => 2,
            _ => 1,
        }
    }
}

const SENTENCE_LEVELS: &[&str] = &[
    "missing",
    "no national sentence near",
    "within 31 days",
    "within 7 days",
    "exact",
];

/// Provider's sentence dates against the person's national custody and
/// order dates.
struct Sentence<'a> {
    rows: &'a [CohortRow],
    national: &'a National,
}

fn day(d: chrono::NaiveDate) -> i32 {
    (d - chrono::NaiveDate::default()).num_days() as i32
}

impl Comparison for Sentence<'_> {
    fn label(&self) -> &str {
        "sentence dates"
    }

    fn levels(&self) -> &'static [&'static str] {
        SENTENCE_LEVELS
    }

    fn columns(&self) -> &[&str] {
        &["sentence"]
    }

    fn level(&self, l: usize, r: usize) -> u8 {
        let row = &self.rows[l];
        let (start, end) = (row.sentence_start.map(day), row.sentence_end.map(day));
        if start.is_none() && end.is_none() {
            return 0;
        }
        let gap = self
            .national
            .sentences_of(r)
            .iter()
            .map(|&(s, e)| {
                let a = start.map_or(i32::MAX, |x| (x - s).abs());
                let b = end.map_or(i32::MAX, |x| (x - e).abs());
                a.min(b)
            })
            .min()
            .unwrap_or(i32::MAX);
        match gap {
            0 => 4,
            1..=7 => 3,
            8..=31 => 2,
            _ => 1,
        }
    }
}

const INTERVENTION_LEVELS: &[&str] = &[
    "missing",
    "not near a sentence",
    "during or just before a sentence",
];

/// Whether the intervention start fits the person's history: during a
/// sentence, or within six months before a release or an order starting.
struct Intervention<'a> {
    rows: &'a [CohortRow],
    national: &'a National,
}

impl Comparison for Intervention<'_> {
    fn label(&self) -> &str {
        "intervention date"
    }

    fn levels(&self) -> &'static [&'static str] {
        INTERVENTION_LEVELS
    }

    fn columns(&self) -> &[&str] {
        &["intervention"]
    }

    fn level(&self, l: usize, r: usize) -> u8 {
        let t = day(self.rows[l].intervention_start);
        let fits = self.national.sentences_of(r).iter().any(|&(s, e)| {
            (t >= s - 31 && t <= e + 31) || (s >= t && s - t <= 183) || (e >= t && e - t <= 183)
        });
        if fits { 2 } else { 1 }
    }
}

/// Prepared columns of both sides, for the comparisons to borrow.
struct Prepared {
    forename: NameColumn,
    middle: NameColumn,
    surname: NameColumn,
    dob: (Vec<Option<i32>>, Vec<Option<i32>>),
    gender: (Vec<Option<u64>>, Vec<Option<u64>>),
    postcode: (Vec<Option<PostcodeKey>>, Vec<Option<PostcodeKey>>),
    pnc: Vec<Option<u64>>,
    prison: Vec<Option<u64>>,
}

fn prepare(rows: &[CohortRow], national: &National) -> Prepared {
    // A provider's forename may hold more than one name ("John Paul"): it
    // is compared whole, and the comparison sees its parts.
    let forename = prepare::names(
        rows.iter().map(|r| Some(r.forename.as_str())),
        National::names(&national.forename),
    );
    let middle = prepare::names(rows.iter().map(|_| None), National::names(&national.middle));
    let surname = prepare::names(
        rows.iter().map(|r| Some(r.surname.as_str())),
        National::names(&national.surname),
    );
    Prepared {
        forename,
        middle,
        surname,
        dob: (
            rows.iter().map(|r| Some(day(r.date_of_birth))).collect(),
            national.dob.clone(),
        ),
        gender: (
            rows.iter().map(|r| Some(hash(r.gender.code()))).collect(),
            national.gender.clone(),
        ),
        postcode: (
            rows.iter()
                .map(|r| r.postcode.as_ref().map(PostcodeKey::from))
                .collect(),
            national.postcode.clone(),
        ),
        pnc: rows
            .iter()
            .map(|r| r.pnc_id.map(|p| hash(&p.to_string())))
            .collect(),
        prison: rows
            .iter()
            .map(|r| r.prison_number.map(|p| hash(p.as_str())))
            .collect(),
    }
}

// Positions of the comparisons in the list `comparisons` builds.
const FORENAME: usize = 0;
const SURNAME: usize = 1;
const DOB: usize = 2;
const IDENTIFIER: usize = 5;
const SENTENCE: usize = 6;

fn comparisons<'a>(
    p: &'a Prepared,
    rows: &'a [CohortRow],
    national: &'a National,
) -> Vec<Box<dyn Comparison + 'a>> {
    vec![
        Box::new(compare::Name {
            label: "forename",
            column: "forename",
            this: &p.forename,
            partner: Some(&p.surname),
            middle: Some(&p.middle),
            aliases: true,
            term_frequency: true,
        }),
        Box::new(compare::Name {
            label: "surname",
            column: "surname",
            this: &p.surname,
            partner: Some(&p.forename),
            middle: None,
            aliases: false,
            term_frequency: true,
        }),
        Box::new(compare::Date {
            label: "date of birth",
            column: "dob",
            left: &p.dob.0,
            right: &p.dob.1,
        }),
        Box::new(compare::Exact {
            label: "gender",
            column: "gender",
            left: &p.gender.0,
            right: &p.gender.1,
        }),
        Box::new(compare::Postcode {
            label: "postcode",
            column: "postcode",
            left: &p.postcode.0,
            right: &p.postcode.1,
        }),
        Box::new(Identifier {
            left_pnc: p.pnc.clone(),
            left_prison: p.prison.clone(),
            national,
        }),
        Box::new(Sentence { rows, national }),
        Box::new(Intervention { rows, national }),
    ]
}

fn rules<'a>(p: &'a Prepared, national: &'a National) -> Vec<Rule<'a>> {
    vec![
        Rule {
            name: "identifier: PNC ID".into(),
            columns: vec!["identifier"],
            parts: vec![Part::Hashed(&p.pnc, &national.pnc_hash)],
        },
        Rule {
            name: "identifier: prison number".into(),
            columns: vec!["identifier"],
            parts: vec![Part::Hashed(&p.prison, &national.prison_hash)],
        },
        Rule {
            name: "metaphone(surname), year(dob)".into(),
            columns: vec!["surname", "dob"],
            parts: vec![Part::Metaphone(&p.surname), Part::Year(&p.dob.0, &p.dob.1)],
        },
        Rule {
            name: "dob".into(),
            columns: vec!["dob"],
            parts: vec![Part::Date(&p.dob.0, &p.dob.1)],
        },
        Rule {
            name: "sector(postcode), initial(forename)".into(),
            columns: vec!["postcode", "forename"],
            parts: vec![
                Part::Sector(&p.postcode.0, &p.postcode.1),
                Part::Initial(&p.forename),
            ],
        },
        Rule {
            name: "metaphone(forename), metaphone(surname)".into(),
            columns: vec!["forename", "surname"],
            parts: vec![Part::Metaphone(&p.forename), Part::Metaphone(&p.surname)],
        },
        Rule {
            name: "forename and surname swapped: metaphone of each".into(),
            columns: vec!["forename", "surname"],
            parts: vec![
                Part::CrossMetaphone {
                    left: &p.surname,
                    right: &p.forename,
                },
                Part::CrossMetaphone {
                    left: &p.forename,
                    right: &p.surname,
                },
            ],
        },
    ]
}

const IDENTIFIER_CONFLICT: &str =
    "the PNC ID or prison number belongs to a clearly different person";

/// The tier a pair's evidence reaches, or why it cannot be accepted.
fn tier(levels: &[u8]) -> Result<Tier, &'static str> {
    let fore = levels[FORENAME];
    let sur = levels[SURNAME];
    let dob = levels[DOB];
    let name_broadly = compare::broadly(fore) || compare::broadly(sur);
    let dob_broadly = dob >= date_level::ONE_OFF;
    if levels[IDENTIFIER] == 2 {
        return if name_broadly && dob_broadly {
            Ok(Tier::Identifier)
        } else {
            Err(IDENTIFIER_CONFLICT)
        };
    }
    if levels[SENTENCE] >= 3 && name_broadly && dob_broadly {
        return Ok(Tier::SentenceDates);
    }
    if compare::broadly(fore) && compare::broadly(sur) && dob_broadly {
        return Ok(Tier::NameAndBirth);
    }
    Err(
        "only part of the name and date of birth agree, with no identifier or sentence dates to confirm it",
    )
}

struct Scored {
    pair: usize,
    left: usize,
    right: usize,
    weight: f64,
    tier: Result<Tier, &'static str>,
}

/// Links a validated cohort to the national records.
pub fn link_cohort(
    rows: &[CohortRow],
    national: &National,
    settings: &Settings,
    key: &LabKey,
    progress: &dyn Progress,
) -> Result<Linkage, LinkError> {
    if rows.is_empty() {
        return Err(LinkError::Empty("the cohort has no rows to link"));
    }
    if national.is_empty() {
        return Err(LinkError::Empty("the national records hold nobody"));
    }
    progress.start("preparing names and dates", 0);
    let prepared = prepare(rows, national);
    let comparisons = comparisons(&prepared, rows, national);
    let rules = rules(&prepared, national);
    progress.finish();

    progress.start("blocking", 0);
    let candidates = block::link_pairs(&rules, rows.len(), national.len(), settings.max_pairs)?;
    progress.finish();

    progress.start("comparing candidate pairs", candidates.len() as u64);
    let levels = model::Levels::compute(&comparisons, &candidates);
    progress.advance(candidates.len() as u64);
    progress.finish();

    progress.start("estimating the model", 0);
    let rule_columns: Vec<(String, Vec<&str>)> = rules
        .iter()
        .map(|r| (r.name.clone(), r.columns.clone()))
        .collect();
    let model = model::train(
        &comparisons,
        &rule_columns,
        &candidates,
        &levels,
        rows.len(),
        national.len(),
        false,
        &settings.training,
    );
    progress.finish();

    progress.start("deciding matches", 0);
    let floor_weight = (settings.suspect_floor / (1.0 - settings.suspect_floor)).log2() - 10.0;
    let mut scored: Vec<Scored> = (0..candidates.len())
        .into_par_iter()
        .filter_map(|i| {
            let (l, r) = candidates.get(i);
            let lv = levels.row(i);
            let weight = model.weight(&comparisons, &lv, l, r);
            // A pair sharing an identifier stays whatever its weight: if it
            // is a different person, the row must be reported as suspect.
            (weight >= floor_weight || lv[IDENTIFIER] == 2).then(|| Scored {
                pair: i,
                left: l,
                right: r,
                weight,
                tier: tier(&lv),
            })
        })
        .collect();
    scored.sort_by(|a, b| b.weight.total_cmp(&a.weight).then(a.pair.cmp(&b.pair)));
    let decided = decide(rows, &scored, settings);

    let explain = |s: &Scored| model.explain(&comparisons, &levels.row(s.pair), s.left, s.right);
    let mut out = Vec::with_capacity(rows.len());
    let mut tally = Tally::default();
    for (l, d) in decided.into_iter().enumerate() {
        let best = d.pair.map(|k| &scored[k]);
        let status = d.status;
        match status {
            Status::Matched => tally.matched += 1,
            Status::Duplicate => tally.duplicate += 1,
            Status::SuspectDiscarded => tally.suspect_discarded += 1,
            Status::NotFound => tally.not_found += 1,
        }
        let matched = status == Status::Matched;
        out.push(RowLink {
            row: rows[l].row,
            status,
            reason: d.reason,
            pseudonym: best
                .filter(|_| matched)
                .and_then(|s| national.pnc(s.right))
                .map(|p| key.pseudonym(&p)),
            tier: best.filter(|_| matched).and_then(|s| s.tier.ok()),
            match_weight: best.map(|s| (s.weight * 1000.0).round() / 1000.0),
            match_probability: best.map(|s| model::probability(s.weight)),
            explanation: best.map(explain).unwrap_or_default(),
            person: best.filter(|_| matched).map(|s| s.right),
        });
    }
    progress.finish();
    Ok(Linkage {
        match_rate: tally.matched as f64 / rows.len() as f64,
        tally,
        rows: out,
        candidate_pairs: candidates.len() as u64,
        blocking: rules
            .iter()
            .map(|r| r.name.clone())
            .zip(candidates.per_rule.iter().copied())
            .collect(),
        model,
        settings: *settings,
    })
}

struct Decision {
    status: Status,
    reason: Option<String>,
    /// Index into the scored pairs of the pair behind the decision.
    pair: Option<usize>,
}

/// One-to-one assignment and each row's status. `scored` is sorted by
/// weight, strongest first.
fn decide(rows: &[CohortRow], scored: &[Scored], s: &Settings) -> Vec<Decision> {
    let threshold = (s.threshold / (1.0 - s.threshold)).log2();
    let suspect = (s.suspect_floor / (1.0 - s.suspect_floor)).log2();
    let n = rows.len();
    let acceptable = |p: &Scored| p.weight >= threshold && p.tier.is_ok();
    // Each row's strongest acceptable candidate, and its runner-up among
    // other people.
    let mut best: Vec<Option<usize>> = vec![None; n];
    let mut runner_up: Vec<Option<usize>> = vec![None; n];
    let mut strongest: Vec<Option<usize>> = vec![None; n];
    let mut conflict: Vec<Option<usize>> = vec![None; n];
    for (k, p) in scored.iter().enumerate() {
        if strongest[p.left].is_none() {
            strongest[p.left] = Some(k);
        }
        if p.tier == Err(IDENTIFIER_CONFLICT) && conflict[p.left].is_none() {
            conflict[p.left] = Some(k);
        }
        if acceptable(p) {
            match best[p.left] {
                None => best[p.left] = Some(k),
                Some(b) if runner_up[p.left].is_none() && scored[b].right != p.right => {
                    runner_up[p.left] = Some(k)
                }
                _ => {}
            }
        }
    }
    let mut taken: rustc_hash::FxHashMap<usize, usize> = rustc_hash::FxHashMap::default();
    let mut out: Vec<Option<Decision>> = (0..n).map(|_| None).collect();
    // Rows whose best candidate is ambiguous never take anyone.
    for l in 0..n {
        if let (Some(b), Some(r)) = (best[l], runner_up[l])
            && scored[b].weight - scored[r].weight < s.ambiguity_bits
        {
            out[l] = Some(Decision {
                status: Status::SuspectDiscarded,
                reason: Some(format!(
                    "ambiguous: two national records match almost equally well ({:.1} and {:.1} bits)",
                    scored[b].weight, scored[r].weight
                )),
                pair: Some(b),
            });
        }
    }
    // Strongest first, one person per row and one row per person.
    for (k, p) in scored.iter().enumerate() {
        if out[p.left].is_some() || best[p.left] != Some(k) {
            continue;
        }
        match taken.get(&p.right) {
            None => {
                taken.insert(p.right, p.left);
                out[p.left] = Some(Decision {
                    status: Status::Matched,
                    reason: None,
                    pair: Some(k),
                });
            }
            Some(&first) => {
                out[p.left] = Some(Decision {
                    status: Status::Duplicate,
                    reason: Some(format!("the same person as row {}", rows[first].row)),
                    pair: Some(k),
                });
            }
        }
    }
    out.into_iter()
        .enumerate()
        .map(|(l, d)| {
            d.unwrap_or_else(|| match strongest[l] {
                Some(k) if scored[k].weight >= suspect => {
                    let p = &scored[k];
                    let reason = match p.tier {
                        Err(why) => why.to_string(),
                        Ok(_) => format!(
                            "the best candidate's match probability {:.3} is below the threshold {}",
                            model::probability(p.weight),
                            s.threshold
                        ),
                    };
                    Decision {
                        status: Status::SuspectDiscarded,
                        reason: Some(reason),
                        pair: Some(k),
                    }
                }
                                k => match conflict[l] {
                    Some(c) => Decision {
                        status: Status::SuspectDiscarded,
                        reason: Some(IDENTIFIER_CONFLICT.into()),
                        pair: Some(c),
                    },
                    None => Decision {
                        status: Status::NotFound,
                        reason: Some("no national record resembles this row closely enough".into()),
                        pair: k,
                    },
                },
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::compare::name_level;

    fn row(n: u64) -> CohortRow {
        CohortRow {
            row: n,
            forename: "A".into(),
            surname: "B".into(),
            date_of_birth: chrono::NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
            gender: crate::person::Gender::Male,
            postcode: None,
            intervention_start: chrono::NaiveDate::from_ymd_opt(2015, 1, 1).unwrap(),
            sentence_start: None,
            sentence_end: None,
            pnc_id: None,
            prison_number: None,
        }
    }

    #[test]
    fn assignment_is_one_to_one_and_discards_what_is_uncertain() {
        let rows: Vec<CohortRow> = (2..9).map(row).collect();
        let conflict = Err(IDENTIFIER_CONFLICT);
        let mut scored: Vec<Scored> = [
            (0, 5, 30.0, Ok(Tier::NameAndBirth)),
            (1, 5, 25.0, Ok(Tier::NameAndBirth)),
            (2, 7, 20.0, Ok(Tier::NameAndBirth)),
            (2, 8, 18.0, Ok(Tier::SentenceDates)),
            (3, 9, 3.0, Ok(Tier::NameAndBirth)),
            (4, 10, -25.0, conflict),
            (5, 13, -20.0, Ok(Tier::NameAndBirth)),
            (6, 11, 30.0, Ok(Tier::Identifier)),
            (6, 12, 10.0, Ok(Tier::NameAndBirth)),
        ]
        .into_iter()
        .enumerate()
        .map(|(pair, (left, right, weight, tier))| Scored {
            pair,
            left,
            right,
            weight,
            tier,
        })
        .collect();
        scored.sort_by(|a, b| b.weight.total_cmp(&a.weight).then(a.pair.cmp(&b.pair)));
        let d = decide(&rows, &scored, &Settings::default());
        let status: Vec<Status> = d.iter().map(|d| d.status).collect();
        assert_eq!(
            status,
            [
                Status::Matched,
                Status::Duplicate,
                Status::SuspectDiscarded,
                Status::SuspectDiscarded,
                Status::SuspectDiscarded,
                Status::NotFound,
                Status::Matched,
            ]
        );
        let reason = |i: usize| d[i].reason.clone().unwrap_or_default();
        assert_eq!(reason(1), "the same person as row 2");
        assert!(reason(2).starts_with("ambiguous"), "{}", reason(2));
        assert!(reason(3).contains("below the threshold"), "{}", reason(3));
        assert!(
            reason(4).contains("clearly different person"),
            "{}",
            reason(4)
        );
        // The matched rows point at their own people.
        let person = |i: usize| d[i].pair.map(|k| scored[k].right);
        assert_eq!((person(0), person(6)), (Some(5), Some(11)));
    }

    fn levels(fore: u8, sur: u8, dob: u8, id: u8, sentence: u8) -> Vec<u8> {
        vec![fore, sur, dob, 2, 5, id, sentence, 2]
    }

    #[test]
    fn tiers_follow_the_assessments_order_of_evidence() {
        use name_level::*;
        assert_eq!(
            tier(&levels(EXACT, EXACT, date_level::EXACT, 2, 0)),
            Ok(Tier::Identifier)
        );
        assert_eq!(
            tier(&levels(EXACT, DIFFERENT, date_level::ONE_OFF, 2, 0)),
            Ok(Tier::Identifier)
        );
        assert!(
            tier(&levels(DIFFERENT, DIFFERENT, date_level::EXACT, 2, 4)).is_err(),
            "identifier, different person"
        );
        assert!(
            tier(&levels(EXACT, EXACT, date_level::DIFFERENT, 2, 4)).is_err(),
            "identifier, different birth date"
        );
        assert_eq!(
            tier(&levels(ALIAS, DIFFERENT, date_level::SWAPPED, 0, 3)),
            Ok(Tier::SentenceDates)
        );
        assert_eq!(
            tier(&levels(ALIAS, CLOSE, date_level::SWAPPED, 1, 0)),
            Ok(Tier::NameAndBirth)
        );
        assert!(
            tier(&levels(EXACT, DIFFERENT, date_level::EXACT, 0, 0)).is_err(),
            "forename and birth date alone"
        );
        assert!(
            tier(&levels(EXACT, EXACT, date_level::SAME_YEAR, 0, 1)).is_err(),
            "name alone"
        );
    }
}
