//! The general linkage tool: link any two tables, or find the duplicates
//! in one, with the same engine the lab uses.
//!
//! Settings name the columns to compare and how, the blocking rules and the
//! threshold (TOML, see [`Settings`]); without settings, sensible ones are
//! inferred from the column names ([`Settings::infer`]) and can be printed
//! for the user to keep and edit.

use serde::{Deserialize, Serialize};

use super::block::{self, BlockingError, Part, Rule};
use super::compare::{self, Comparison};
use super::model::{self, Contribution, Model, Training};
use super::prepare::{self, NameColumn, PostcodeKey, hash};
use super::table::{Table, Values};
use crate::progress::Progress;

/// How a column is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Equal after trimming and ignoring case (codes, gender, identifiers).
    Exact,
    /// A name: exact, one typing error, Jaro-Winkler bands, sound, parts.
    Name,
    /// A first name: as `name`, plus nicknames and spelling variants, and
    /// recognising forename and surname swapped with a `surname` column.
    Forename,
    /// A surname: as `name`, recognising swaps with a `forename` column.
    Surname,
    /// Free text: exact or Jaro-Winkler bands.
    String,
    /// A date: exact, day and month transposed, one field out, same year.
    Date,
    /// A UK postcode: exact, sector, district, area.
    Postcode,
}

/// One comparison in the settings (`[[comparison]]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComparisonSetting {
    /// The column, when it has the same name in both tables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// The left table's column, when the names differ.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left_column: Option<String>,
    /// The right table's column, when the names differ.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub right_column: Option<String>,
    /// How to compare.
    pub kind: Kind,
    /// Weigh exact agreement by how common the value is (default: on for
    /// names, off otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term_frequency: Option<bool>,
    /// For text dates not in ISO (YYYY-MM-DD) form: a strftime format such
    /// as "%d/%m/%Y".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_format: Option<String>,
}

/// One blocking rule (`[[blocking]]`): pairs are compared only when every
/// key agrees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockingSetting {
    /// Key expressions: `column` (exact), `metaphone(column)`,
    /// `initial(column)`, `year(column)`, `sector(column)`,
    /// `district(column)`.
    pub keys: Vec<String>,
}

/// Model training settings (`[training]`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TrainingSetting {
    /// Random pairs used to estimate u.
    pub u_samples: u64,
    /// EM iteration limit per blocking rule.
    pub max_iterations: u32,
    /// Seed for the random pairs.
    pub seed: u64,
}

impl Default for TrainingSetting {
    fn default() -> Self {
        let t = Training::default();
        Self {
            u_samples: t.u_samples,
            max_iterations: t.max_iterations,
            seed: t.seed,
        }
    }
}

/// Everything the tool needs to know (a TOML file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The left table's ID column (inferred when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left_id: Option<String>,
    /// The right table's ID column (inferred when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub right_id: Option<String>,
    /// Match probability a pair must reach to be output.
    #[serde(default = "default_threshold")]
    pub threshold: f64,
    /// Refuse blocking rules making more candidate pairs than this.
    #[serde(default = "default_max_pairs")]
    pub max_pairs: u64,
    /// The comparisons.
    #[serde(rename = "comparison")]
    pub comparisons: Vec<ComparisonSetting>,
    /// The blocking rules.
    #[serde(rename = "blocking")]
    pub blocking: Vec<BlockingSetting>,
    /// Training.
    #[serde(default)]
    pub training: TrainingSetting,
}

fn default_threshold() -> f64 {
    0.9
}

fn default_max_pairs() -> u64 {
    200_000_000
}

/// What is wrong with the settings or the tables.
#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    /// The settings file does not parse.
    #[error("settings: {0}")]
    Parse(String),
    /// A setting is wrong; the message names the key and the fix.
    #[error("settings: {key}: {problem}")]
    Setting {
        /// Where in the settings.
        key: String,
        /// What is wrong and how to fix it.
        problem: String,
    },
    /// Blocking would make too many pairs.
    #[error(transparent)]
    Blocking(#[from] BlockingError),
}

fn setting(key: impl Into<String>, problem: impl Into<String>) -> ToolError {
    ToolError::Setting {
        key: key.into(),
        problem: problem.into(),
    }
}

impl Settings {
    /// Parses settings from TOML text.
    pub fn from_toml(text: &str) -> Result<Self, ToolError> {
        toml::from_str(text).map_err(|e| ToolError::Parse(e.to_string().trim().to_string()))
    }

    /// The settings as TOML, to show or save.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_default()
    }

    /// Settings inferred from the column names both tables share.
    pub fn infer(left: &Table, right: &Table) -> Result<Self, ToolError> {
        let norm = |s: &str| {
            s.chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_lowercase()
        };
        let shared: Vec<&String> = left
            .names
            .iter()
            .filter(|n| right.column(n).is_some())
            .collect();
        let find = |aliases: &[&str]| {
            shared
                .iter()
                .find(|n| aliases.contains(&norm(n).as_str()))
                .map(|n| n.to_string())
        };
        let left_id = infer_id(left);
        let right_id = infer_id(right);
        let is_id = |n: &str| left_id.as_deref() == Some(n) || right_id.as_deref() == Some(n);
        let forename = find(&[
            "forename",
            "firstname",
            "givenname",
            "fname",
            "first",
            "forenames",
        ]);
        let surname = find(&["surname", "lastname", "familyname", "lname", "last"]);
        let fullname = find(&["name", "fullname"]);
        let dob = find(&["dob", "dateofbirth", "birthdate", "birthday", "bornon"]);
        let postcode = find(&["postcode", "postalcode", "zip", "zipcode", "postcd"]);
        let gender = find(&["gender", "sex"]);
        let mut comparisons = Vec::new();
        let mut add = |column: &Option<String>, kind: Kind| {
            if let Some(c) = column.as_ref().filter(|c| !is_id(c)) {
                comparisons.push(ComparisonSetting {
                    column: Some(c.clone()),
                    left_column: None,
                    right_column: None,
                    kind,
                    term_frequency: None,
                    date_format: None,
                });
            }
        };
        add(&forename, Kind::Forename);
        add(&surname, Kind::Surname);
        add(&fullname, Kind::Name);
        add(&dob, Kind::Date);
        add(&postcode, Kind::Postcode);
        add(&gender, Kind::Exact);
        for other in [
            "email",
            "phone",
            "telephone",
            "mobile",
            "nino",
            "nationalinsurancenumber",
            "pncid",
            "pnc",
        ] {
            add(&find(&[other]), Kind::Exact);
        }
        for other in ["city", "town", "address", "addressline1", "street"] {
            add(&find(&[other]), Kind::String);
        }
        if comparisons.is_empty() {
            return Err(setting(
                "comparison",
                format!(
                    "no column both tables share has a name the tool recognises (shared: {}); write a settings file naming the columns to compare",
                    shared
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        let name = surname.clone().or(fullname.clone());
        let mut blocking = Vec::new();
        let rule = |blocking: &mut Vec<BlockingSetting>, keys: Vec<String>| {
            blocking.push(BlockingSetting { keys })
        };
        if let (Some(n), Some(d)) = (&name, &dob) {
            rule(
                &mut blocking,
                vec![format!("metaphone({n})"), format!("year({d})")],
            );
        }
        if let Some(d) = &dob {
            rule(&mut blocking, vec![d.clone()]);
        }
        if let (Some(f), Some(s)) = (&forename, &surname) {
            rule(
                &mut blocking,
                vec![format!("metaphone({f})"), format!("metaphone({s})")],
            );
        }
        if let Some(p) = &postcode {
            match forename.as_ref().or(name.as_ref()) {
                Some(f) => rule(
                    &mut blocking,
                    vec![format!("sector({p})"), format!("initial({f})")],
                ),
                None => rule(&mut blocking, vec![format!("sector({p})")]),
            }
        }
        if blocking.is_empty() {
            // Without names or dates, block on each exactly compared column.
            for c in comparisons
                .iter()
                .filter(|c| c.kind == Kind::Exact)
                .filter_map(|c| c.column.clone())
            {
                rule(&mut blocking, vec![c]);
            }
        }
        if blocking.is_empty() {
            return Err(setting(
                "blocking",
                "no blocking rule could be inferred from the shared columns; add [[blocking]] rules to a settings file",
            ));
        }
        Ok(Settings {
            left_id,
            right_id,
            threshold: default_threshold(),
            max_pairs: default_max_pairs(),
            comparisons,
            blocking,
            training: TrainingSetting::default(),
        })
    }
}

/// The first column called `id` or ending in `id` whose values are all
/// present and unique.
pub fn infer_id(table: &Table) -> Option<String> {
    table
        .names
        .iter()
        .enumerate()
        .filter(|(_, n)| {
            let n = n.to_lowercase();
            n == "id" || n.ends_with("id")
        })
        .find(|(c, _)| {
            let mut seen = rustc_hash::FxHashSet::default();
            (0..table.rows).all(|i| table.text(*c, i).is_some_and(|v| seen.insert(v)))
        })
        .map(|(_, n)| n.clone())
}

/// A pair above the threshold.
#[derive(Debug, Clone, Serialize)]
pub struct Pair {
    /// The left record's ID.
    pub left_id: String,
    /// The right record's ID.
    pub right_id: String,
    /// Match weight, in bits.
    pub match_weight: f64,
    /// Match probability.
    pub match_probability: f64,
    /// Each comparison's part in the weight.
    pub contributions: Vec<Contribution>,
}

/// The result of a run.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// The settings used (inferred or given, with IDs filled in).
    pub settings: Settings,
    /// Pairs above the threshold, strongest first.
    pub pairs: Vec<Pair>,
    /// Candidate pairs compared.
    pub candidate_pairs: u64,
    /// Pairs each blocking rule produced.
    pub blocking: Vec<(String, u64)>,
    /// The fitted model.
    pub model: Model,
    /// For deduplication: each record's ID and cluster number (records
    /// linked through pairs above the threshold share a cluster).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clusters: Option<Vec<(String, u32)>>,
    /// Things the user should know (unreadable dates, ignored columns).
    pub notes: Vec<String>,
}

/// What a comparison or blocking key needs prepared from a column.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Prep {
    Name,
    Date,
    Postcode,
    Exact,
}

/// Prepared values of one column pair.
enum Prepared {
    Name(NameColumn),
    Date(Vec<Option<i32>>, Vec<Option<i32>>),
    Postcode(Vec<Option<PostcodeKey>>, Vec<Option<PostcodeKey>>),
    Exact(Vec<Option<u64>>, Vec<Option<u64>>),
}

/// Column pairs and how each is prepared, built once and shared by the
/// comparisons and blocking keys that read them.
struct Store {
    keys: Vec<(usize, usize, Prep, Option<String>)>,
    values: Vec<Prepared>,
}

fn text_iter<'a>(t: &'a Table, c: usize) -> Box<dyn Iterator<Item = Option<&'a str>> + 'a> {
    match &t.columns[c] {
        Values::Text(s) => Box::new(s.iter()),
        Values::Date(d) => Box::new(d.iter().map(|_| None)),
    }
}

fn dates(t: &Table, c: usize, format: Option<&str>, bad: &mut u64) -> Vec<Option<i32>> {
    match &t.columns[c] {
        Values::Date(d) => d.clone(),
        Values::Text(s) => s
            .iter()
            .map(|v| {
                let v = v?;
                let parsed = match format {
                    Some(f) => chrono::NaiveDate::parse_from_str(v, f),
                    None => chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d"),
                };
                match parsed {
                    Ok(d) => Some((d - chrono::NaiveDate::default()).num_days() as i32),
                    Err(_) => {
                        *bad += 1;
                        None
                    }
                }
            })
            .collect(),
    }
}

fn exact_hashes(t: &Table, c: usize) -> Vec<Option<u64>> {
    (0..t.rows)
        .map(|i| {
            t.text(c, i).map(|v| {
                hash(
                    &v.split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                        .to_lowercase(),
                )
            })
        })
        .collect()
}

impl Store {
    fn prepare(
        &mut self,
        left: &Table,
        right: &Table,
        (l, r): (usize, usize),
        prep: Prep,
        format: Option<String>,
        notes: &mut Vec<String>,
    ) -> usize {
        if let Some(i) = self
            .keys
            .iter()
            .position(|k| (k.0, k.1, k.2) == (l, r, prep))
        {
            return i;
        }
        let value = match prep {
            Prep::Name => Prepared::Name(prepare::names(text_iter(left, l), text_iter(right, r))),
            Prep::Date => {
                let mut bad = 0;
                let lv = dates(left, l, format.as_deref(), &mut bad);
                let rv = dates(right, r, format.as_deref(), &mut bad);
                if bad > 0 {
                    notes.push(format!(
                        "{bad} values of {} / {} are not dates in the {} form and count as missing; set date_format in the settings if they are in another form",
                        left.names[l],
                        right.names[r],
                        format.as_deref().unwrap_or("YYYY-MM-DD")
                    ));
                }
                Prepared::Date(lv, rv)
            }
            Prep::Postcode => {
                let parse = |t: &Table, c: usize| -> Vec<Option<PostcodeKey>> {
                    (0..t.rows)
                        .map(|i| t.text(c, i).and_then(|v| PostcodeKey::parse(&v)))
                        .collect()
                };
                Prepared::Postcode(parse(left, l), parse(right, r))
            }
            Prep::Exact => Prepared::Exact(exact_hashes(left, l), exact_hashes(right, r)),
        };
        self.keys.push((l, r, prep, format));
        self.values.push(value);
        self.values.len() - 1
    }
}

fn columns_of(c: &ComparisonSetting, i: usize) -> Result<(String, String), ToolError> {
    match (&c.column, &c.left_column, &c.right_column) {
        (Some(col), None, None) => Ok((col.clone(), col.clone())),
        (None, Some(l), Some(r)) => Ok((l.clone(), r.clone())),
        _ => Err(setting(
            format!("comparison[{}]", i + 1),
            "give either column = \"name\" (the same in both tables) or both left_column and right_column",
        )),
    }
}

fn find_column(t: &Table, name: &str, key: String, side: &str) -> Result<usize, ToolError> {
    t.column(name).ok_or_else(|| {
        setting(
            key,
            format!(
                "the {side} table {} has no column \"{name}\"; its columns are: {}",
                t.path.display(),
                t.names.join(", ")
            ),
        )
    })
}

/// Parses a blocking key such as `metaphone(surname)`.
fn parse_key(key: &str) -> Option<(&str, &str)> {
    let key = key.trim();
    match key.split_once('(') {
        Some((f, rest)) => rest.strip_suffix(')').map(|c| (f.trim(), c.trim())),
        None => Some(("exact", key)),
    }
}

/// Links two tables (or, with `right` as `None`, deduplicates `left`).
pub fn run(
    left: &Table,
    right: Option<&Table>,
    settings: &Settings,
    progress: &dyn Progress,
) -> Result<Outcome, ToolError> {
    let dedupe = right.is_none();
    let right = right.unwrap_or(left);
    let mut settings = settings.clone();
    if !(settings.threshold > 0.0 && settings.threshold < 1.0) {
        return Err(setting(
            "threshold",
            "must be a match probability between 0 and 1, such as 0.9",
        ));
    }
    if settings.comparisons.is_empty() {
        return Err(setting("comparison", "add at least one [[comparison]]"));
    }
    if settings.comparisons.len() > model::MAX_COMPARISONS {
        return Err(setting(
            "comparison",
            format!("at most {} comparisons", model::MAX_COMPARISONS),
        ));
    }
    if settings.blocking.is_empty() || settings.blocking.len() > 32 {
        return Err(setting(
            "blocking",
            "give between 1 and 32 [[blocking]] rules",
        ));
    }
    let ids = |t: &Table, given: &Option<String>, key: &str| -> Result<usize, ToolError> {
        match given {
            Some(name) => find_column(t, name, key.into(), "ID column's"),
            None => infer_id(t).and_then(|n| t.column(&n)).ok_or_else(|| {
                setting(
                    key,
                    format!(
                        "no ID column found in {}: name one whose values are unique, e.g. {key} = \"{}\"",
                        t.path.display(),
                        t.names.first().map_or("id", |s| s.as_str())
                    ),
                )
            }),
        }
    };
    let left_id = ids(left, &settings.left_id, "left_id")?;
    let right_id = if dedupe {
        left_id
    } else {
        ids(right, &settings.right_id, "right_id")?
    };
    settings.left_id = Some(left.names[left_id].clone());
    settings.right_id = Some(right.names[right_id].clone());

    progress.start("preparing columns", 0);
    let mut notes = Vec::new();
    let mut store = Store {
        keys: Vec::new(),
        values: Vec::new(),
    };
    // Resolve every comparison's columns and preparation first.
    let mut plan = Vec::new();
    for (i, c) in settings.comparisons.iter().enumerate() {
        let (l, r) = columns_of(c, i)?;
        let key = format!("comparison[{}].column", i + 1);
        let cols = (
            find_column(left, &l, key.clone(), "left")?,
            find_column(right, &r, key, "right")?,
        );
        let prep = match c.kind {
            Kind::Name | Kind::Forename | Kind::Surname | Kind::String => Prep::Name,
            Kind::Date => Prep::Date,
            Kind::Postcode => Prep::Postcode,
            Kind::Exact => Prep::Exact,
        };
        let slot = store.prepare(left, right, cols, prep, c.date_format.clone(), &mut notes);
        plan.push((l, slot));
    }
    let mut rule_plan = Vec::new();
    for (i, b) in settings.blocking.iter().enumerate() {
        if b.keys.is_empty() {
            return Err(setting(
                format!("blocking[{}].keys", i + 1),
                "give at least one key",
            ));
        }
        let mut parts = Vec::new();
        for k in &b.keys {
            let key = format!("blocking[{}].keys", i + 1);
            let (func, col) = parse_key(k).ok_or_else(|| {
                setting(
                    key.clone(),
                    format!("\"{k}\" is not a key: write column or function(column)"),
                )
            })?;
            let prep = match func {
                "exact" => Prep::Exact,
                "metaphone" | "initial" => Prep::Name,
                "year" => Prep::Date,
                "sector" | "district" => Prep::Postcode,
                other => {
                    return Err(setting(
                        key,
                        format!(
                            "unknown key function \"{other}\" in \"{k}\"; use metaphone, initial, year, sector or district, or the bare column"
                        ),
                    ));
                }
            };
            let cols = (
                find_column(left, col, key.clone(), "left")?,
                find_column(right, col, key, "right")?,
            );
            // Dates key on the comparison's date format when there is one.
            let format = settings
                .comparisons
                .iter()
                .find(|c| c.kind == Kind::Date && c.column.as_deref() == Some(col))
                .and_then(|c| c.date_format.clone());
            let slot = store.prepare(left, right, cols, prep, format, &mut notes);
            parts.push((func.to_string(), col.to_string(), slot));
        }
        rule_plan.push((b.keys.join(", "), parts));
    }
    progress.finish();

    let forename = settings
        .comparisons
        .iter()
        .position(|c| c.kind == Kind::Forename);
    let surname = settings
        .comparisons
        .iter()
        .position(|c| c.kind == Kind::Surname);
    let name_of = |slot: usize| match &store.values[slot] {
        Prepared::Name(n) => Some(n),
        _ => None,
    };
    let mut comparisons: Vec<Box<dyn Comparison + '_>> = Vec::new();
    let column_label: Vec<&str> = plan.iter().map(|(l, _)| l.as_str()).collect();
    for (i, c) in settings.comparisons.iter().enumerate() {
        let slot = plan[i].1;
        let col = column_label[i];
        let partner = match c.kind {
            Kind::Forename => surname.and_then(|s| name_of(plan[s].1)),
            Kind::Surname => forename.and_then(|f| name_of(plan[f].1)),
            _ => None,
        };
        let tf = c.term_frequency.unwrap_or(matches!(
            c.kind,
            Kind::Name | Kind::Forename | Kind::Surname
        ));
        let cmp: Box<dyn Comparison + '_> = match (&store.values[slot], c.kind) {
            (Prepared::Name(n), Kind::String) => Box::new(compare::Text {
                label: col,
                column: col,
                this: n,
                term_frequency: tf,
            }),
            (Prepared::Name(n), kind) => Box::new(compare::Name {
                label: col,
                column: col,
                this: n,
                partner,
                middle: None,
                aliases: kind == Kind::Forename,
                term_frequency: tf,
            }),
            (Prepared::Date(l, r), _) => Box::new(compare::Date {
                label: col,
                column: col,
                left: l,
                right: r,
            }),
            (Prepared::Postcode(l, r), _) => Box::new(compare::Postcode {
                label: col,
                column: col,
                left: l,
                right: r,
            }),
            (Prepared::Exact(l, r), _) => Box::new(compare::Exact {
                label: col,
                column: col,
                left: l,
                right: r,
            }),
        };
        comparisons.push(cmp);
    }
    let rules: Vec<Rule<'_>> = rule_plan
        .iter()
        .map(|(name, parts)| Rule {
            name: name.clone(),
            columns: parts.iter().map(|(_, col, _)| col.as_str()).collect(),
            parts: parts
                .iter()
                .map(
                    |(func, _, slot)| match (&store.values[*slot], func.as_str()) {
                        (Prepared::Name(n), "metaphone") => Part::Metaphone(n),
                        (Prepared::Name(n), _) => Part::Initial(n),
                        (Prepared::Date(l, r), _) => Part::Year(l, r),
                        (Prepared::Postcode(l, r), "sector") => Part::Sector(l, r),
                        (Prepared::Postcode(l, r), _) => Part::District(l, r),
                        (Prepared::Exact(l, r), _) => Part::Hashed(l, r),
                    },
                )
                .collect(),
        })
        .collect();

    progress.start("blocking", 0);
    let candidates = if dedupe {
        block::dedupe_pairs(&rules, left.rows, settings.max_pairs)?
    } else {
        block::link_pairs(&rules, left.rows, right.rows, settings.max_pairs)?
    };
    progress.finish();
    progress.start("comparing candidate pairs", candidates.len() as u64);
    let levels = model::Levels::compute(&comparisons, &candidates);
    progress.advance(candidates.len() as u64);
    progress.finish();
    progress.start("estimating the model", 0);
    let training = Training {
        u_samples: settings.training.u_samples,
        max_iterations: settings.training.max_iterations,
        seed: settings.training.seed,
        ..Training::default()
    };
    let rule_columns: Vec<(String, Vec<&str>)> = rules
        .iter()
        .map(|r| (r.name.clone(), r.columns.clone()))
        .collect();
    let model = model::train(
        &comparisons,
        &rule_columns,
        &candidates,
        &levels,
        left.rows,
        right.rows,
        dedupe,
        &training,
    );
    progress.finish();

    progress.start("scoring pairs", candidates.len() as u64);
    let threshold = (settings.threshold / (1.0 - settings.threshold)).log2();
    use rayon::prelude::*;
    let mut kept: Vec<(usize, f64)> = (0..candidates.len())
        .into_par_iter()
        .filter_map(|i| {
            let (l, r) = candidates.get(i);
            let w = model.weight(&comparisons, &levels.row(i), l, r);
            (w >= threshold).then_some((i, w))
        })
        .collect();
    kept.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let pairs: Vec<Pair> = kept
        .iter()
        .map(|&(i, w)| {
            let (l, r) = candidates.get(i);
            Pair {
                left_id: left.text(left_id, l).unwrap_or_default(),
                right_id: right.text(right_id, r).unwrap_or_default(),
                match_weight: (w * 1000.0).round() / 1000.0,
                match_probability: model::probability(w),
                contributions: model.explain(&comparisons, &levels.row(i), l, r),
            }
        })
        .collect();
    progress.finish();
    let clusters = dedupe.then(|| {
        let mut uf = UnionFind::new(left.rows);
        for &(i, _) in &kept {
            let (l, r) = candidates.get(i);
            uf.union(l, r);
        }
        let mut number = rustc_hash::FxHashMap::default();
        (0..left.rows)
            .map(|i| {
                let root = uf.find(i);
                let next = number.len() as u32 + 1;
                let cluster = *number.entry(root).or_insert(next);
                (left.text(left_id, i).unwrap_or_default(), cluster)
            })
            .collect()
    });
    Ok(Outcome {
        settings,
        pairs,
        candidate_pairs: candidates.len() as u64,
        blocking: rules
            .iter()
            .map(|r| r.name.clone())
            .zip(candidates.per_rule.iter().copied())
            .collect(),
        model,
        clusters,
        notes,
    })
}

/// Connected components of records linked by pairs above the threshold.
struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    fn new(n: usize) -> Self {
        Self {
            parent: (0..n).collect(),
        }
    }

    fn find(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }

    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            // The smaller root wins, so cluster roots do not depend on order.
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent[hi] = lo;
        }
    }
}
