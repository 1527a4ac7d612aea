//! A simulation study of the lab's method: does the matched estimate find
//! the effect the generator planted, and do its 95% intervals cover it as
//! often as they claim? The naive comparison (the cohort against everyone
//! else, unmatched) is measured beside it.
//!
//! Each replicate generates a national dataset with a cohort whose
//! reoffending was changed by a known hazard ratio, analyses it as the lab
//! would (index events, matching, t-test), and compares the estimate of
//! one-year proven reoffending with the truth for the same people: the
//! generator knows, for every cohort member, whether they reoffended as
//! treated and whether they would have had they not attended, so the true
//! effect on the matched treated is the mean of the difference. Linkage is
//! not under study here: cohort rows are joined to their true national
//! person.

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use crate::analysis::{self, AnalysisError};
use crate::cohort::Member;
use crate::intake::{self, IntakeError};
use crate::national::Manifest;
use crate::progress::Silent;
use crate::synth::{self, Config, SynthError};

/// One replicate's estimates and truth.
#[derive(Debug, Clone, Serialize)]
pub struct Replicate {
    /// The generator's seed.
    pub seed: u64,
    /// Matched treated people.
    pub matched: u64,
    /// The true effect on the matched treated: their reoffending rate as
    /// treated minus their rate had they not attended.
    pub truth: f64,
    /// The matched treated people's reoffending rate as the lab measures
    /// it from the records.
    pub treated_rate: f64,
    /// The same people's rate as the generator knows it (treated).
    pub true_treated_rate: f64,
    /// The matched estimate.
    pub estimate: f64,
    /// Its 95% interval.
    pub ci: (f64, f64),
    /// The naive estimate: cohort rate minus the whole pool's rate.
    pub naive: f64,
    /// Its 95% interval.
    pub naive_ci: (f64, f64),
}

/// Bias, spread and coverage of one estimator over the replicates.
#[derive(Debug, Clone, Serialize)]
pub struct Performance {
    /// Mean of estimate − truth.
    pub bias: f64,
    /// Standard error of that mean.
    pub bias_se: f64,
    /// Root mean squared error.
    pub rmse: f64,
    /// Share of intervals that contain the truth.
    pub coverage: f64,
    /// Mean interval width.
    pub width: f64,
}

/// The study's result.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Replicates run.
    pub replicates: usize,
    /// Mean true effect.
    pub truth: f64,
    /// The lab's matched estimate.
    pub matched: Performance,
    /// The naive comparison.
    pub naive: Performance,
}

/// Why a replicate failed.
#[derive(Debug, thiserror::Error)]
pub enum StudyError {
    /// Generating failed.
    #[error(transparent)]
    Synth(#[from] SynthError),
    /// Reading the generated cohort failed.
    #[error(transparent)]
    Intake(#[from] IntakeError),
    /// The analysis failed.
    #[error(transparent)]
    Analysis(#[from] AnalysisError),
    /// Reading the generated files failed.
    #[error("reading the generated data: {0}")]
    Read(String),
}

/// Runs one replicate in `scratch` (emptied and reused).
pub fn replicate(
    cfg: &Config,
    settings: &analysis::Settings,
    scratch: &Path,
) -> Result<Replicate, StudyError> {
    if scratch.exists() {
        std::fs::remove_dir_all(scratch).map_err(|e| StudyError::Read(e.to_string()))?;
    }
    synth::generate(cfg, scratch, &Silent)?;
    let national = scratch.join("national");
    let manifest = Manifest::read(&national).map_err(|e| StudyError::Read(e.to_string()))?;

    // The truth: each cohort row's national person and both outcomes.
    let truth_path = scratch.join("truth").join("cohort_truth.csv");
    let mut truth: HashMap<u64, (u32, f64, f64)> = HashMap::new();
    let mut reader =
        csv::Reader::from_path(&truth_path).map_err(|e| StudyError::Read(e.to_string()))?;
    for record in reader.records() {
        let r = record.map_err(|e| StudyError::Read(e.to_string()))?;
        let field = |i: usize| r.get(i).unwrap_or_default();
        let (Ok(row), Ok(person)) = (field(0).parse::<u64>(), field(1).parse::<u32>()) else {
            continue; // not in the national records
        };
        let y0 = f64::from(field(6) == "1");
        let y1 = f64::from(field(7) == "1");
        truth.insert(row, (person, y0, y1));
    }

    let intake_settings = intake::Settings {
        coverage: manifest.coverage,
        ..intake::Settings::default()
    };
    let mut members = Vec::new();
    intake::validate(
        &scratch.join("cohort.csv"),
        &scratch.join("request.toml"),
        &intake_settings,
        |row| {
            if let Some(&(person_id, _, _)) = truth.get(&row.row) {
                members.push(Member {
                    row: row.row,
                    person_id,
                    intervention_start: row.intervention_start,
                    sentence: (row.sentence_start, row.sentence_end),
                });
            }
        },
    )?;
    let history =
        crate::cohort::History::load(&national).map_err(|e| StudyError::Read(e.to_string()))?;
    let mut settings = settings.clone();
    settings.cohort.coverage = manifest.coverage;
    let results = analysis::analyse(&history, &members, &settings)?;

    let matched: Vec<(f64, f64)> = results
        .matched_rows
        .iter()
        .filter_map(|r| truth.get(r).map(|&(_, y0, y1)| (y0, y1)))
        .collect();
    let n = matched.len() as f64;
    let truth_effect = matched.iter().map(|(y0, y1)| y1 - y0).sum::<f64>() / n;
    let estimate = results
        .measures
        .first()
        .and_then(|m| m.estimate.clone())
        .ok_or_else(|| StudyError::Read("no reoffending estimate".into()))?;
    let naive = results
        .unmatched_reoffending
        .clone()
        .ok_or_else(|| StudyError::Read("no naive estimate".into()))?;
    Ok(Replicate {
        seed: cfg.seed,
        matched: matched.len() as u64,
        truth: truth_effect,
        treated_rate: estimate.treated_mean,
        true_treated_rate: matched.iter().map(|(_, y1)| y1).sum::<f64>() / n,
        estimate: estimate.difference,
        ci: (estimate.ci_low, estimate.ci_high),
        naive: naive.difference,
        naive_ci: (naive.ci_low, naive.ci_high),
    })
}

fn performance(reps: &[Replicate], pick: impl Fn(&Replicate) -> (f64, (f64, f64))) -> Performance {
    let n = reps.len() as f64;
    let errors: Vec<f64> = reps.iter().map(|r| pick(r).0 - r.truth).collect();
    let bias = errors.iter().sum::<f64>() / n;
    let var = errors.iter().map(|e| (e - bias) * (e - bias)).sum::<f64>() / (n - 1.0).max(1.0);
    Performance {
        bias,
        bias_se: (var / n).sqrt(),
        rmse: (errors.iter().map(|e| e * e).sum::<f64>() / n).sqrt(),
        coverage: reps
            .iter()
            .filter(|r| {
                let (_, (lo, hi)) = pick(r);
                lo <= r.truth && r.truth <= hi
            })
            .count() as f64
            / n,
        width: reps
            .iter()
            .map(|r| {
                let (_, (lo, hi)) = pick(r);
                hi - lo
            })
            .sum::<f64>()
            / n,
    }
}

/// Summarises replicates.
pub fn summarise(reps: &[Replicate]) -> Summary {
    Summary {
        replicates: reps.len(),
        truth: reps.iter().map(|r| r.truth).sum::<f64>() / reps.len() as f64,
        matched: performance(reps, |r| (r.estimate, r.ci)),
        naive: performance(reps, |r| (r.naive, r.naive_ci)),
    }
}
