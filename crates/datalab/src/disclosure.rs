//! Statistical disclosure control: what of an analysis may leave the lab.
//!
//! The lab promises providers aggregate results and promises the people in
//! the records that nothing about any one of them can be read out of a
//! report. Two things here keep that promise:
//!
//! - [`release`] turns an analysis's [`Results`] into [`Released`]: each
//!   measure shown (rounded) or suppressed with a reason in plain English,
//!   and the attrition counts with small cells hidden. [`Released`] has no
//!   place for anything individual-level, so nothing individual can be
//!   serialised into a report by mistake.
//! - [`check_differencing`] refuses a request whose cohort is so close to
//!   an earlier one (from any organisation) that subtracting one report from
//!   the other would reveal the outcomes of the few people who differ.
//!
//! The rules are the lab's: results only where at least 10 people in the
//! treatment group reoffended (30 for the time to first reoffence), rates to
//! whole numbers per 100, frequencies and p-values to 2 decimal places, and
//! counts of people below 10 shown as "<10".

use std::collections::BTreeMap;
use std::fmt;

use serde::{Serialize, Serializer};

use crate::analysis::{Flow, MeasureResult, Results};
use crate::stats::{self, Estimate, Headline, Measure};

/// The disclosure rules' thresholds. [`Default`] gives the lab's policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Settings {
    /// No measure is shown unless at least this many people in the
    /// treatment group reoffended (10).
    pub min_reoffenders: u64,
    /// The time to first reoffence is shown only where at least this many
    /// people in the treatment group reoffended (30): it is an average over
    /// reoffenders alone, so it needs more of them to hide any one.
    pub min_reoffenders_for_time: u64,
    /// Counts of people below this are shown as "<10" (10).
    pub min_cell: u64,
    /// A cohort that differs from an earlier one by fewer than this many
    /// people (one way or the other) is refused (10).
    pub differencing_threshold: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            min_reoffenders: 10,
            min_reoffenders_for_time: 30,
            min_cell: 10,
            differencing_threshold: 10,
        }
    }
}

/// A count of people as it may be released: exact, or only known to be
/// below the smallest cell the lab shows.
///
/// Serialises as a number when exact, as the text `"<10"` (with the
/// threshold in force) when suppressed, and as `"withheld"` when withheld
/// only so that a suppressed neighbour cannot be worked out by subtraction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    /// The count, at or above the threshold.
    Exact(u64),
    /// Suppressed: the count is below this threshold.
    Below(u64),
    /// Large enough to show, but withheld to protect a suppressed count
    /// that it would otherwise give away (secondary suppression).
    Withheld,
}

impl Count {
    /// `n` as it may be shown with cells below `min_cell` suppressed.
    pub fn new(n: u64, min_cell: u64) -> Count {
        if n < min_cell {
            Count::Below(min_cell)
        } else {
            Count::Exact(n)
        }
    }
}

impl fmt::Display for Count {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Count::Exact(n) => write!(f, "{n}"),
            Count::Below(t) => write!(f, "<{t}"),
            Count::Withheld => f.write_str("withheld"),
        }
    }
}

impl Serialize for Count {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Count::Exact(n) => s.serialize_u64(*n),
            Count::Below(_) | Count::Withheld => s.collect_str(self),
        }
    }
}

/// Everything of one analysis that may leave the lab.
///
/// Only aggregates: one entry per measure and one count per stage of the
/// flow. There is deliberately no field that could hold per-person data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Released {
    /// Each measure, in the analysis's order.
    pub measures: Vec<ReleasedMeasure>,
    /// Who went where, with small cells suppressed.
    pub flow: ReleasedFlow,
}

/// One measure as released.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReleasedMeasure {
    /// Which measure.
    pub measure: Measure,
    /// Its figures, or why they are withheld.
    #[serde(flatten)]
    pub status: Status,
}

/// Whether a measure's result is shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Status {
    /// The result, rounded for release (boxed: it is much the larger).
    Shown(Box<Figures>),
    /// The result is withheld.
    Suppressed(Suppression),
}

/// A shown measure's figures, as display strings already rounded by the
/// lab's rules, so that no consumer can print more precision than allowed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    /// What the treatment, comparison and difference figures are in, such
    /// as "per 100 people".
    pub unit: &'static str,
    /// The treatment group's figure.
    pub treatment: String,
    /// The comparison group's figure.
    pub comparison: String,
    /// Treatment minus comparison.
    pub difference: String,
    /// Lower end of the confidence interval for the difference.
    pub ci_low: String,
    /// Upper end of the confidence interval for the difference.
    pub ci_high: String,
    /// The treatment group's own confidence interval, low and high.
    pub treatment_interval: (String, String),
    /// The comparison group's own confidence interval, low and high.
    pub comparison_interval: (String, String),
    /// The p-value: 2 decimal places, "<0.01", or more places only where 2
    /// would put it on the wrong side of the significance threshold.
    pub p_value: String,
    /// Whether the difference is statistically significant.
    pub significant: bool,
    /// People in the treatment group the figure is over.
    pub treated_people: Count,
    /// People in the comparison group the figure is over.
    pub comparison_people: Count,
    /// The standard plain-English statements.
    pub headline: Headline,
}

/// Why a measure is withheld.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suppression {
    /// The rule that withheld it.
    pub rule: Rule,
    /// The reason in plain English, for the report.
    pub reason: String,
}

/// The rules that withhold a measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// The analysis could not estimate it.
    NotEstimated,
    /// The number of treated reoffenders could not be established, so the
    /// other rules cannot be checked.
    ReoffendersUnknown,
    /// Fewer than [`Settings::min_reoffenders`] treated people reoffended.
    TooFewReoffenders,
    /// Fewer than [`Settings::min_reoffenders_for_time`] treated people
    /// reoffended (time to first reoffence only).
    TooFewReoffendersForTime,
    /// Fewer than [`Settings::min_reoffenders`] treated people did *not*
    /// reoffend: a rate near 100 would say of almost everyone in the
    /// cohort that they reoffended (measures over the whole group only).
    TooFewNonReoffenders,
}

/// The attrition and matching counts, with cells below
/// [`Settings::min_cell`] suppressed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReleasedFlow {
    /// People linked to the national records.
    pub linked: Count,
    /// Of those, with a usable index event.
    pub with_index: Count,
    /// Why people left before matching.
    pub reasons: BTreeMap<String, Count>,
    /// People in the comparison pool.
    pub pool: Count,
    /// Treated people matched to a comparison person.
    pub matched: Count,
    /// Treated people with no comparison person within the caliper.
    pub unmatched: Count,
    /// Treated people outside common support.
    pub outside_support: Count,
    /// Distinct comparison people used.
    pub comparison: Count,
}

/// What of `results` may be released under `settings`.
///
/// The naive comparison, the propensity model, balance and overlap are not
/// part of the release: the report builds those from other checks.
pub fn release(results: &Results, settings: &Settings) -> Released {
    let reoffenders = treated_reoffenders(&results.measures);
    Released {
        measures: results
            .measures
            .iter()
            .map(|m| release_measure(m, reoffenders, settings))
            .collect(),
        flow: release_flow(&results.flow, settings),
    }
}

/// How many people in the treatment group reoffended, from the measures:
/// the reoffending rate times the group's size or, failing that, the size
/// of the time-to-reoffence group (which is made of the reoffenders).
pub fn treated_reoffenders(measures: &[MeasureResult]) -> Option<u64> {
    let estimate = |wanted: Measure| {
        measures
            .iter()
            .find(|m| m.measure == wanted)
            .and_then(|m| m.estimate.as_ref())
    };
    if let Some(e) = estimate(Measure::Reoffending) {
        // The mean of 0/1 values times their number is an integer up to
        // floating-point error, so rounding recovers it exactly.
        let k = (e.treated_mean * e.n_treated as f64).round();
        return Some(if k > 0.0 { k as u64 } else { 0 });
    }
    estimate(Measure::DaysToReoffence).map(|e| e.n_treated as u64)
}

/// One measure as released, given the number of treated reoffenders
/// (from [`treated_reoffenders`]).
pub fn release_measure(
    m: &MeasureResult,
    reoffenders: Option<u64>,
    settings: &Settings,
) -> ReleasedMeasure {
    let status = match check(m, reoffenders, settings) {
        Ok(e) => Status::Shown(Box::new(figures(m.measure, e, settings))),
        Err(rule) => Status::Suppressed(Suppression {
            rule,
            reason: reason(rule, settings),
        }),
    };
    ReleasedMeasure {
        measure: m.measure,
        status,
    }
}

fn check<'a>(
    m: &'a MeasureResult,
    reoffenders: Option<u64>,
    settings: &Settings,
) -> Result<&'a Estimate, Rule> {
    // The analysis's own error text is not passed on: some of it describes
    // the outcomes themselves ("every treated outcome is 1"), which for a
    // small group is individual information.
    let e = m.estimate.as_ref().ok_or(Rule::NotEstimated)?;
    let reoffenders = match m.measure {
        // This estimate is over the reoffenders alone, so its size is the
        // count, whatever the other measures say.
        Measure::DaysToReoffence => e.n_treated as u64,
        _ => reoffenders.ok_or(Rule::ReoffendersUnknown)?,
    };
    if reoffenders < settings.min_reoffenders {
        return Err(Rule::TooFewReoffenders);
    }
    let whole_group = m.measure != Measure::DaysToReoffence;
    if whole_group && (e.n_treated as u64).saturating_sub(reoffenders) < settings.min_reoffenders {
        return Err(Rule::TooFewNonReoffenders);
    }
    if m.measure == Measure::DaysToReoffence && reoffenders < settings.min_reoffenders_for_time {
        return Err(Rule::TooFewReoffendersForTime);
    }
    Ok(e)
}

fn reason(rule: Rule, settings: &Settings) -> String {
    // Thresholds only, never the actual count: "only 3 reoffended" would
    // itself be a small cell.
    match rule {
        Rule::NotEstimated => "Not shown: this measure could not be estimated for this cohort \
                               with its matched comparison group."
            .to_string(),
        Rule::ReoffendersUnknown => "Not shown: the number of people in the treatment group who \
                                     reoffended could not be established, so the result cannot \
                                     be checked for disclosure."
            .to_string(),
        Rule::TooFewReoffenders => format!(
            "Not shown: fewer than {} people in the treatment group committed a proven \
             reoffence within one year, and a result based on so few people could reveal \
             individuals' reoffending.",
            settings.min_reoffenders
        ),
        Rule::TooFewReoffendersForTime => format!(
            "Not shown: the average time to the first proven reoffence is given only where at \
             least {} people in the treatment group committed a proven reoffence within one \
             year, and fewer did.",
            settings.min_reoffenders_for_time
        ),
        Rule::TooFewNonReoffenders => format!(
            "Not shown: fewer than {} people in the treatment group did not commit a proven \
             reoffence within one year, so the result would reveal that almost everyone in the \
             cohort reoffended.",
            settings.min_reoffenders
        ),
    }
}

fn figures(measure: Measure, e: &Estimate, settings: &Settings) -> Figures {
    let (unit, show): (&'static str, fn(f64) -> String) = match measure {
        Measure::Reoffending | Measure::Custody => ("per 100 people", |x| whole(x * 100.0)),
        Measure::Frequency => ("proven reoffences per person", two_places),
        Measure::DaysToReoffence => ("days", whole),
    };
    Figures {
        unit,
        treatment: show(e.treated_mean),
        comparison: show(e.comparison_mean),
        difference: show(e.difference),
        ci_low: show(e.ci_low),
        ci_high: show(e.ci_high),
        treatment_interval: (show(e.treated_interval.0), show(e.treated_interval.1)),
        comparison_interval: (show(e.comparison_interval.0), show(e.comparison_interval.1)),
        p_value: p_value(e.p_value, 1.0 - e.confidence, e.significant),
        significant: e.significant,
        treated_people: Count::new(e.n_treated as u64, settings.min_cell),
        comparison_people: Count::new(e.n_comparison as u64, settings.min_cell),
        headline: stats::headline(measure, e),
    }
}

/// The flow's counts with cells below [`Settings::min_cell`] suppressed.
pub fn release_flow(flow: &Flow, settings: &Settings) -> ReleasedFlow {
    let c = |n: u64| Count::new(n, settings.min_cell);
    ReleasedFlow {
        linked: c(flow.cohort.linked),
        with_index: c(flow.cohort.with_index),
        reasons: protect_parts(
            flow.cohort
                .reasons
                .iter()
                .map(|(why, &n)| (why.clone(), n))
                .collect(),
            settings.min_cell,
        ),
        pool: c(flow.cohort.pool),
        matched: c(flow.matched),
        unmatched: c(flow.unmatched),
        outside_support: c(flow.outside_support),
        comparison: c(flow.comparison),
    }
}

/// Counts that add up to a shown total (the people lost at one stage, by
/// reason), with small ones suppressed. Where exactly one is suppressed,
/// the smallest of the others is withheld too: otherwise the suppressed
/// count would be the total minus the rest.
pub(crate) fn protect_parts(parts: Vec<(String, u64)>, min_cell: u64) -> BTreeMap<String, Count> {
    let mut shown: BTreeMap<String, Count> = parts
        .iter()
        .map(|(why, n)| (why.clone(), Count::new(*n, min_cell)))
        .collect();
    let small = shown
        .values()
        .filter(|c| matches!(c, Count::Below(_)))
        .count();
    if small == 1 && parts.len() > 1 {
        let next = parts
            .iter()
            .filter(|(_, n)| *n >= min_cell)
            .min_by_key(|(_, n)| *n)
            .map(|(why, _)| why.clone());
        if let Some(why) = next {
            shown.insert(why, Count::Withheld);
        }
    }
    shown
}

/// `x` to the nearest whole number, halves away from zero, never "-0".
pub fn whole(x: f64) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    let r = x.round();
    // Adding 0.0 turns -0.0 into +0.0, so -0.4 shows as "0".
    format!("{:.0}", r + 0.0)
}

/// `x` to 2 decimal places, never "-0.00".
pub fn two_places(x: f64) -> String {
    let shown = format!("{x:.2}");
    match shown.strip_prefix('-') {
        Some(rest) if rest.bytes().all(|b| b == b'0' || b == b'.') => rest.to_string(),
        _ => shown,
    }
}

/// A p-value for release: 2 decimal places, or "<0.01" below 0.005, with
/// more places (up to 6) only where fewer would put the shown value on the
/// other side of `alpha` from the verdict (0.0503 is not shown as "0.05"
/// when it is not significant at 0.05).
pub fn p_value(p: f64, alpha: f64, significant: bool) -> String {
    for decimals in 2..=6 {
        let shown = format!("{p:.decimals$}");
        let value: f64 = shown.parse().unwrap_or(p);
        if value == 0.0 {
            let bound = 10f64.powi(-(decimals as i32));
            // "<0.01" only says p is below 0.01, which settles the verdict
            // only when 0.01 is itself within the threshold.
            if significant && bound <= alpha {
                return format!("<{bound:.decimals$}");
            }
            continue;
        }
        if (value <= alpha) == significant {
            return shown;
        }
    }
    format!("{p:.6}")
}

// ---------------------------------------------------------------------------
// Differencing
// ---------------------------------------------------------------------------

/// A pseudonymous person identifier from linkage: the same person has the
/// same key in every request, which is what lets cohorts be compared.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PersonKey(String);

impl PersonKey {
    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<String> for PersonKey {
    fn from(s: String) -> Self {
        PersonKey(s)
    }
}

impl From<&str> for PersonKey {
    fn from(s: &str) -> Self {
        PersonKey(s.to_string())
    }
}

impl From<u64> for PersonKey {
    /// Fixed-width hexadecimal, so numeric keys sort as numbers do.
    fn from(n: u64) -> Self {
        PersonKey(format!("{n:016x}"))
    }
}

/// The cohorts of earlier released requests, from every organisation.
///
/// Holds pseudonymous individual-level data, so it is deliberately not
/// `Serialize`: it stays inside the lab.
#[derive(Debug, Clone, Default)]
pub struct Register {
    entries: Vec<Entry>,
}

#[derive(Debug, Clone)]
struct Entry {
    request: String,
    organisation: String,
    /// Sorted and without duplicates, for a linear merge.
    people: Vec<PersonKey>,
}

/// Why a cohort cannot be added to the [`Register`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegisterError {
    /// The request id is empty.
    #[error("a released request needs an id to be recorded, but the id is empty")]
    EmptyRequestId,
    /// A request with this id is already recorded.
    #[error(
        "request {0} is already in the register of released cohorts; each request is recorded once, under its own id"
    )]
    DuplicateRequest(String),
}

impl Register {
    /// An empty register.
    pub fn new() -> Self {
        Register::default()
    }

    /// Records the cohort of a released request. Duplicate keys count once.
    pub fn record(
        &mut self,
        request: impl Into<String>,
        organisation: impl Into<String>,
        people: impl IntoIterator<Item = PersonKey>,
    ) -> Result<(), RegisterError> {
        let request = request.into();
        if request.is_empty() {
            return Err(RegisterError::EmptyRequestId);
        }
        if self.entries.iter().any(|e| e.request == request) {
            return Err(RegisterError::DuplicateRequest(request));
        }
        self.entries.push(Entry {
            request,
            organisation: organisation.into(),
            people: sorted(people.into_iter().collect()),
        });
        Ok(())
    }

    /// Number of recorded requests.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no request is recorded.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Each recorded request's id, organisation and cohort size, for the
    /// lab's own audit (never for a provider's report).
    pub fn requests(&self) -> impl Iterator<Item = (&str, &str, usize)> {
        self.entries
            .iter()
            .map(|e| (e.request.as_str(), e.organisation.as_str(), e.people.len()))
    }
}

/// How a new cohort differs from one earlier request's cohort.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    /// The earlier request's id (never its organisation).
    pub request: String,
    /// People in the new cohort who were not in the earlier one.
    pub added: usize,
    /// People in the earlier cohort who are not in the new one.
    pub removed: usize,
}

/// A request refused because comparing its report with an earlier one
/// would reveal the outcomes of a few people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{}", explain(.conflicts, *.threshold))]
pub struct Refusal {
    /// Every earlier request the cohort is too close to.
    pub conflicts: Vec<Conflict>,
    /// The smallest difference allowed.
    pub threshold: usize,
}

/// A cohort cleared of differencing, with anything worth telling the
/// analyst.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Clearance {
    /// Earlier requests with exactly the same people. Allowed, since a
    /// second report on the same people reveals nothing new, but worth
    /// knowing: it is likely a resubmission.
    pub identical_to: Vec<String>,
}

/// Checks a new cohort against every earlier released cohort.
///
/// Refuses when, for some earlier cohort E, the new cohort N has between 1
/// and `threshold − 1` people not in E, or E has between 1 and
/// `threshold − 1` people not in N: those few people's outcomes would be
/// the difference between the two reports. Each comparison is a linear
/// merge of sorted keys, O(|N| + |E|).
pub fn check_differencing(
    new: &[PersonKey],
    register: &Register,
    threshold: usize,
) -> Result<Clearance, Refusal> {
    let new = sorted(new.to_vec());
    let mut conflicts = Vec::new();
    let mut clearance = Clearance::default();
    let small = |d: usize| d > 0 && d < threshold;
    for entry in &register.entries {
        let (added, removed) = differences(&new, &entry.people);
        if small(added) || small(removed) {
            conflicts.push(Conflict {
                request: entry.request.clone(),
                added,
                removed,
            });
        } else if added == 0 && removed == 0 {
            clearance.identical_to.push(entry.request.clone());
        }
    }
    if conflicts.is_empty() {
        Ok(clearance)
    } else {
        Err(Refusal {
            conflicts,
            threshold,
        })
    }
}

fn sorted(mut people: Vec<PersonKey>) -> Vec<PersonKey> {
    people.sort_unstable();
    people.dedup();
    people
}

/// `(|a \ b|, |b \ a|)` for sorted, duplicate-free `a` and `b`.
fn differences(a: &[PersonKey], b: &[PersonKey]) -> (usize, usize) {
    let (mut i, mut j) = (0, 0);
    let (mut only_a, mut only_b) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => {
                only_a += 1;
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                only_b += 1;
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                i += 1;
                j += 1;
            }
        }
    }
    (only_a + a.len() - i, only_b + b.len() - j)
}

fn people(n: usize) -> String {
    if n == 1 {
        "1 person".to_string()
    } else {
        format!("{n} people")
    }
}

fn was(n: usize) -> &'static str {
    if n == 1 { "was" } else { "were" }
}

fn more_people(n: usize) -> String {
    if n == 1 {
        "1 more person".to_string()
    } else {
        format!("{n} more people")
    }
}

fn explain(conflicts: &[Conflict], threshold: usize) -> String {
    let mut text = String::from(
        "This request cannot be analysed: its cohort is so close to the cohort of an earlier \
         request that comparing the two reports would reveal the outcomes of the few people \
         who differ.",
    );
    for c in conflicts {
        text.push_str(&format!(
            " Compared with request {}, {} in this cohort {} not in it and {} in it {} not in \
             this one.",
            c.request,
            people(c.added),
            was(c.added),
            people(c.removed),
            if c.removed == 1 { "is" } else { "are" },
        ));
        if c.added > 0 && c.added < threshold {
            text.push_str(&format!(
                " To go ahead, add at least {} who {} not in request {} (or leave out the {} who \
                 {} not).",
                more_people(threshold - c.added),
                was(threshold - c.added),
                c.request,
                people(c.added),
                was(c.added),
            ));
        }
        if c.removed > 0 && c.removed < threshold {
            text.push_str(&format!(
                " To go ahead, leave out at least {} who {} in request {} (or include the {} \
                 missing from it).",
                more_people(threshold - c.removed),
                was(threshold - c.removed),
                c.request,
                people(c.removed),
            ));
        }
    }
    text.push_str(&format!(
        " Against every earlier request, the people a cohort adds and the people it leaves \
         out must each be none or at least {}.",
        threshold
    ));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_round_to_whole_numbers_without_negative_zero() {
        assert_eq!(whole(-0.4), "0");
        assert_eq!(whole(-0.0), "0");
        assert_eq!(whole(0.4), "0");
        assert_eq!(whole(0.5), "1");
        assert_eq!(whole(-0.5), "-1");
        assert_eq!(whole(-0.6), "-1");
        assert_eq!(whole(42.49), "42");
        // A rate of 0.004 per person is 0.4 per 100: "0", not "-0".
        assert_eq!(whole(-0.004 * 100.0), "0");
    }

    #[test]
    fn frequencies_round_to_two_places_without_negative_zero() {
        assert_eq!(two_places(1.234), "1.23");
        assert_eq!(two_places(1.236), "1.24");
        assert_eq!(two_places(-0.004), "0.00");
        assert_eq!(two_places(-0.0), "0.00");
        assert_eq!(two_places(-0.006), "-0.01");
        assert_eq!(two_places(0.0), "0.00");
    }

    #[test]
    fn p_values_to_two_places_with_below_one_hundredth() {
        let alpha = 1.0 - 0.95;
        assert_eq!(p_value(0.004, alpha, true), "<0.01");
        assert_eq!(p_value(0.0049, alpha, true), "<0.01");
        // 0.005 is not below 0.005: it rounds to 0.01, not "<0.01". (The
        // nearest double to 0.005 is a hair above it.)
        assert_eq!(p_value(0.005, alpha, true), "0.01");
        assert_eq!(p_value(0.0051, alpha, true), "0.01");
        assert_eq!(p_value(0.234, alpha, false), "0.23");
        assert_eq!(p_value(0.04, alpha, true), "0.04");
    }

    #[test]
    fn p_values_never_cross_the_threshold() {
        let alpha = 1.0 - 0.95;
        // 0.0503 is not significant; "0.05" would read as significant.
        assert_eq!(p_value(0.0503, alpha, false), "0.0503");
        assert_eq!(p_value(0.0497, alpha, true), "0.05");
        // At a 0.001 threshold, "<0.01" does not settle the verdict.
        assert_eq!(p_value(0.004, 0.001, false), "0.004");
        assert_eq!(p_value(0.0004, 0.001, true), "<0.001");
    }

    #[test]
    fn counts_below_the_cell_size_are_suppressed() {
        assert_eq!(Count::new(9, 10), Count::Below(10));
        assert_eq!(Count::new(0, 10), Count::Below(10));
        assert_eq!(Count::new(10, 10), Count::Exact(10));
        assert_eq!(Count::new(9, 10).to_string(), "<10");
        assert_eq!(
            serde_json::to_string(&Count::new(9, 10)).unwrap(),
            "\"<10\""
        );
        assert_eq!(serde_json::to_string(&Count::new(12, 10)).unwrap(), "12");
    }

    #[test]
    fn differences_by_merge() {
        let k = |v: &[u64]| v.iter().map(|&n| PersonKey::from(n)).collect::<Vec<_>>();
        assert_eq!(differences(&k(&[1, 2, 3]), &k(&[2, 3, 4, 5])), (1, 2));
        assert_eq!(differences(&k(&[]), &k(&[1])), (0, 1));
        assert_eq!(differences(&k(&[1, 2]), &k(&[1, 2])), (0, 0));
    }
}
