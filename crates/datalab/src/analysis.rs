//! The lab's analysis of one request, from linked people to results: index
//! events and covariates ([`cohort`]), the matched comparison group
//! ([`matching`]), and each one-year measure compared by a weighted t-test
//! with its headline statements ([`stats`]).

use std::time::Instant;

use serde::Serialize;

use crate::cohort::{self, Attrition, CohortError, History, Member, outcome};
use crate::matching::{self, EffectResult, MatchError, balance, logistic::Fit};
use crate::stats::{self, Estimate, Headline, Measure};

/// How a request is analysed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Settings {
    /// Index events, the pool and covariates.
    pub cohort: cohort::Settings,
    /// The propensity model and matching.
    pub matching: matching::Settings,
}

/// Confidence level of every interval the lab reports.
pub const CONFIDENCE: f64 = 0.95;

/// The measures the lab reports, with their outcome columns.
pub const MEASURES: [(Measure, &str); 4] = [
    (Measure::Reoffending, outcome::REOFFENDED),
    (Measure::Frequency, outcome::FREQUENCY),
    (Measure::DaysToReoffence, outcome::DAYS_TO_FIRST),
    (Measure::Custody, outcome::CUSTODY),
];

/// One measure's result.
#[derive(Debug, Clone, Serialize)]
pub struct MeasureResult {
    /// Which measure.
    pub measure: Measure,
    /// The comparison, or `None` when it could not be made.
    pub estimate: Option<Estimate>,
    /// The plain-English statements (with an estimate).
    pub headline: Option<Headline>,
    /// Why there is no estimate.
    pub error: Option<String>,
}

/// People at each stage, for the attrition chevron.
#[derive(Debug, Clone, Serialize)]
pub struct Flow {
    /// Index events and who was lost before matching.
    pub cohort: Attrition,
    /// Treated people matched to at least one comparison person.
    pub matched: u64,
    /// Treated people with no comparison person within the caliper.
    pub unmatched: u64,
    /// Treated people outside common support.
    pub outside_support: u64,
    /// Distinct comparison people used.
    pub comparison: u64,
}

/// How long each stage took, in seconds.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Timings {
    /// Index events, covariates and outcomes.
    pub dataset: f64,
    /// Propensity model, matching and balance.
    pub matching: f64,
    /// The t-tests.
    pub tests: f64,
}

/// Everything the analysis found.
#[derive(Debug, Clone, Serialize)]
pub struct Results {
    /// Who went where.
    pub flow: Flow,
    /// The comparison pool's index period.
    pub period: (chrono::NaiveDate, chrono::NaiveDate),
    /// The kinds of event that were index events, for treated and pool.
    pub kinds: Vec<crate::cohort::Kind>,
    /// The propensity model.
    pub model: Fit,
    /// The caliper in logit units (`None` for no caliper).
    pub caliper_logit: Option<f64>,
    /// Balance before and after matching.
    pub balance: Vec<balance::Row>,
    /// Propensity-score overlap.
    pub overlap: balance::Overlap,
    /// The measures.
    pub measures: Vec<MeasureResult>,
    /// The naive comparison (treated against the whole pool, unweighted)
    /// of the first measure, for reference; never a result.
    pub unmatched_reoffending: Option<Estimate>,
    /// Stage times.
    pub timings: Timings,
    /// The cohort rows of the matched treated people. Individual-level:
    /// never serialised, used only to check the method against a known
    /// truth.
    #[serde(skip)]
    pub matched_rows: Vec<u64>,
}

/// Why a request could not be analysed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnalysisError {
    /// Building the dataset failed.
    #[error(transparent)]
    Cohort(#[from] CohortError),
    /// Matching failed.
    #[error(transparent)]
    Matching(#[from] MatchError),
}

/// Analyses linked cohort members against everyone else in the records.
pub fn analyse(
    history: &History,
    members: &[Member],
    settings: &Settings,
) -> Result<Results, AnalysisError> {
    let mut timings = Timings::default();
    let clock = Instant::now();
    let analysis = cohort::build(history, members, &settings.cohort)?;
    timings.dataset = clock.elapsed().as_secs_f64();

    let clock = Instant::now();
    let data = &analysis.data;
    let m = matching::run(data, &settings.matching)?;
    timings.matching = clock.elapsed().as_secs_f64();

    let clock = Instant::now();
    let effects = matching::effects(data, &m.matched.weights, CONFIDENCE);
    let measures = MEASURES
        .iter()
        .map(|&(measure, name)| {
            let effect = effects.iter().find(|e| e.outcome == name);
            match effect.map(|e| &e.result) {
                Some(EffectResult::Estimate(e)) => MeasureResult {
                    measure,
                    headline: Some(stats::headline(measure, e)),
                    estimate: Some(e.clone()),
                    error: None,
                },
                Some(EffectResult::Error { error }) => MeasureResult {
                    measure,
                    estimate: None,
                    headline: None,
                    error: Some(error.clone()),
                },
                None => MeasureResult {
                    measure,
                    estimate: None,
                    headline: None,
                    error: Some(format!("the dataset has no outcome {name}")),
                },
            }
        })
        .collect();
    // Only the first measure is compared naively: it is shown for
    // reference, and a size search against a whole pool is not free.
    let everyone = vec![1.0; data.len()];
    let unmatched_reoffending = data
        .outcomes
        .iter()
        .find(|o| o.name == outcome::REOFFENDED)
        .and_then(
            |o| match matching::effect(o, &data.treated, &everyone, CONFIDENCE).result {
                EffectResult::Estimate(e) => Some(e),
                EffectResult::Error { .. } => None,
            },
        );
    timings.tests = clock.elapsed().as_secs_f64();

    let treated_total = data.treated.iter().filter(|t| **t).count() as u64;
    let matched = m.matched.treated_matched() as u64;
    let comparison = m.matched.controls_used(&data.treated) as u64;
    let matched_rows = m
        .matched
        .pairs
        .iter()
        .filter(|(_, c)| !c.is_empty())
        .filter_map(|(t, _)| analysis.rows[*t])
        .collect();
    debug_assert_eq!(
        treated_total,
        matched + m.matched.unmatched_treated as u64 + m.matched.discarded_treated as u64
    );
    Ok(Results {
        flow: Flow {
            cohort: analysis.attrition,
            matched,
            unmatched: m.matched.unmatched_treated as u64,
            outside_support: m.matched.discarded_treated as u64,
            comparison,
        },
        period: analysis.period,
        kinds: analysis.kinds,
        caliper_logit: m.caliper_logit.is_finite().then_some(m.caliper_logit),
        model: m.fit,
        balance: m.balance,
        overlap: m.overlap,
        measures,
        unmatched_reoffending,
        timings,
        matched_rows,
    })
}
