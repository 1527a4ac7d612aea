//! Propensity score matching: a comparison group like the treated on
//! everything recorded.
//!
//! The propensity score is the fitted probability of treatment from a
//! logistic regression on the covariates ([`logistic`]); units are matched
//! on its logit (the linear predictor, MatchIt's `link = "linear.logit"`),
//! with the caliper in standard deviations of that logit across all units
//! (default 0.2, as Austin recommends); [`nearest`] has the algorithms and
//! the weights, [`balance`] the checks.

pub mod balance;
mod data;
pub mod input;
pub mod logistic;
pub mod nearest;

use serde::Serialize;

pub use self::data::{Covariate, DataError, Dataset, Design, Outcome, Values};
use self::logistic::{Control, Fit, FitError};
use self::nearest::{Discard, Matched, Method};

/// How to match.
#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    /// Nearest neighbour (with its ratio and replacement) or radius.
    pub method: Method,
    /// Caliper in standard deviations of the logit of the propensity
    /// score; `None` for no caliper (not allowed for radius matching).
    pub caliper: Option<f64>,
    /// Covariates to match exactly on (by name).
    pub exact: Vec<String>,
    /// Common-support trimming.
    pub discard: Discard,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            method: Method::Nearest {
                ratio: 1,
                replace: false,
            },
            caliper: Some(0.2),
            exact: Vec::new(),
            discard: Discard::None,
        }
    }
}

/// Why matching could not be done.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MatchError {
    /// The data are not usable as they stand.
    #[error(transparent)]
    Data(#[from] DataError),
    /// The propensity model failed.
    #[error(transparent)]
    Fit(#[from] FitError),
    /// A setting is wrong.
    #[error("{0}")]
    Setting(String),
    /// Nothing could be matched.
    #[error(
        "no treated unit has a control within the caliper ({caliper}); widen the caliper, drop exact-matching variables, or check the covariates"
    )]
    NoMatches {
        /// The caliper, in standard deviations of the logit.
        caliper: f64,
    },
}

/// The matched comparison group and how it was made.
#[derive(Debug, Clone)]
pub struct Matching {
    /// The propensity model.
    pub fit: Fit,
    /// The design matrix the model was fitted on.
    pub design: Design,
    /// Matched sets and weights.
    pub matched: Matched,
    /// The caliper in logit units (infinite for none).
    pub caliper_logit: f64,
    /// Balance of each design column before and after.
    pub balance: Vec<balance::Row>,
    /// Propensity-score overlap, for a plot.
    pub overlap: balance::Overlap,
}

/// Sample standard deviation of the values where `keep` is set.
fn sd(v: &[f64], keep: &[bool]) -> f64 {
    let kept = || v.iter().zip(keep).filter(|(_, k)| **k).map(|(x, _)| *x);
    let n = kept().count() as f64;
    let mean = kept().sum::<f64>() / n;
    (kept().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0)).sqrt()
}

/// Fits the propensity model and matches.
pub fn run(data: &Dataset, settings: &Settings) -> Result<Matching, MatchError> {
    data.check()?;
    if let Method::Nearest { ratio: 0, .. } = settings.method {
        return Err(MatchError::Setting("the ratio must be at least 1".into()));
    }
    if settings.method == Method::Radius && settings.caliper.is_none() {
        return Err(MatchError::Setting(
            "radius matching needs a caliper: give one, such as 0.2".into(),
        ));
    }
    if let Some(c) = settings.caliper
        && !(c > 0.0 && c.is_finite())
    {
        return Err(MatchError::Setting(format!(
            "the caliper must be a positive number of standard deviations; got {c}"
        )));
    }
    let strata = exact_strata(data, &settings.exact)?;
    let design = data.design();
    let fit = logistic::fit(&design, &data.treated, Control::default())?;
    // The caliper's standard deviation is taken over the units that survive
    // common-support trimming, as MatchIt takes it.
    let kept = nearest::support(&fit.linear, &data.treated, settings.discard);
    let caliper_logit = settings
        .caliper
        .map_or(f64::INFINITY, |c| c * sd(&fit.linear, &kept));
    let matched = nearest::match_on(
        &fit.linear,
        &data.treated,
        settings.method,
        caliper_logit,
        strata.as_deref(),
        settings.discard,
    );
    if matched.treated_matched() == 0 {
        return Err(MatchError::NoMatches {
            caliper: settings.caliper.unwrap_or(f64::INFINITY),
        });
    }
    let balance = balance::table(&design, &data.treated, &matched.weights);
    let overlap = balance::overlap(&fit.scores, &data.treated, &matched.weights, 20);
    Ok(Matching {
        fit,
        design,
        matched,
        caliper_logit,
        balance,
        overlap,
    })
}

/// Each row's exact-matching stratum: the combination of its values on the
/// named covariates.
fn exact_strata(data: &Dataset, names: &[String]) -> Result<Option<Vec<u32>>, MatchError> {
    if names.is_empty() {
        return Ok(None);
    }
    let mut keys: Vec<Vec<u64>> = vec![Vec::with_capacity(names.len()); data.len()];
    for name in names {
        let c = data
            .covariates
            .iter()
            .find(|c| &c.name == name)
            .ok_or_else(|| {
                MatchError::Setting(format!(
                    "exact matching on '{name}', which is not one of the covariates ({})",
                    data.covariates
                        .iter()
                        .map(|c| c.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
        match &c.values {
            Values::Numeric(v) => keys
                .iter_mut()
                .zip(v)
                .for_each(|(k, x)| k.push(x.to_bits())),
            Values::Categorical { codes, .. } => keys
                .iter_mut()
                .zip(codes)
                .for_each(|(k, x)| k.push(u64::from(*x))),
        }
    }
    let mut ids: rustc_hash::FxHashMap<Vec<u64>, u32> = rustc_hash::FxHashMap::default();
    Ok(Some(
        keys.into_iter()
            .map(|k| {
                let next = ids.len() as u32;
                *ids.entry(k).or_insert(next)
            })
            .collect(),
    ))
}

/// One outcome's comparison after matching.
#[derive(Debug, Clone, Serialize)]
pub struct Effect {
    /// The outcome.
    pub outcome: String,
    /// Rows left out because the outcome is missing there (matched rows
    /// only).
    pub missing: usize,
    /// The estimate, or why there is none.
    #[serde(flatten)]
    pub result: EffectResult,
}

/// An estimate or the reason there is none.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum EffectResult {
    /// The comparison.
    Estimate(crate::stats::Estimate),
    /// Why it could not be made.
    Error {
        /// The reason, for a person.
        error: String,
    },
}

/// Compares every outcome between the matched treated units and their
/// weighted comparison group (the effect on the treated), leaving out rows
/// where the outcome is missing.
pub fn effects(data: &Dataset, weights: &[f64], confidence: f64) -> Vec<Effect> {
    data.outcomes
        .iter()
        .map(|o| effect(o, &data.treated, weights, confidence))
        .collect()
}

/// Compares one outcome as [`effects`] does.
pub fn effect(o: &Outcome, treated: &[bool], weights: &[f64], confidence: f64) -> Effect {
    let (mut t_values, mut comparison, mut w) = (Vec::new(), Vec::new(), Vec::new());
    let mut missing = 0;
    for ((&y, &t), &wt) in o.values.iter().zip(treated).zip(weights) {
        if wt <= 0.0 {
            continue;
        }
        if y.is_nan() {
            missing += 1;
        } else if t {
            t_values.push(y);
        } else {
            comparison.push(y);
            w.push(wt);
        }
    }
    let result = match crate::stats::compare(&t_values, &comparison, &w, confidence) {
        Ok(e) => EffectResult::Estimate(e),
        Err(e) => EffectResult::Error {
            error: e.to_string(),
        },
    };
    Effect {
        outcome: o.name.clone(),
        missing,
        result,
    }
}
