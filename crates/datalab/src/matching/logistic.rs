//! Logistic regression by iteratively reweighted least squares, as R's
//! `glm(family = binomial)` fits it.
//!
//! Each iteration solves the weighted least-squares problem
//! `(X' W X) b = X' W z` with `W = mu (1 - mu)` and the working response
//! `z = eta + (y - mu) / W`, starting, as R does, from `mu = (y + 1/2) / 2`.
//! It stops when the deviance changes by less than `tolerance` relative to
//! itself (R's rule, with a tighter default), or at the iteration limit,
//! which is reported rather than hidden.
//!
//! `X' W X` is summed over fixed chunks of rows in parallel and the chunk
//! sums added in order, so the fit is the same whatever the number of
//! threads.
//!
//! Columns that are constant or a linear combination of earlier ones are
//! dropped before fitting and named (R reports them as `NA`), and
//! fitted probabilities of 0 or 1 (separation) are warned about, naming the
//! covariates that predict treatment perfectly where a single one does.

use faer::linalg::solvers::DenseSolveCore;
use faer::prelude::*;
use faer::{Accum, Mat, Par, Side};
use rayon::prelude::*;
use serde::Serialize;

use super::data::Design;

/// Why the model could not be fitted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FitError {
    /// Too few rows for the columns.
    #[error(
        "{rows} rows cannot estimate {columns} coefficients; use fewer covariates or more data"
    )]
    TooFewRows {
        /// Rows.
        rows: usize,
        /// Coefficients to estimate.
        columns: usize,
    },
    /// The weighted cross-product became singular during fitting.
    #[error(
        "the model could not be fitted: the covariates became collinear among the rows that carry weight (often separation); look at the warnings and drop or merge the covariates named there"
    )]
    Singular,
}

/// A fitted propensity model.
#[derive(Debug, Clone, Serialize)]
pub struct Fit {
    /// Coefficients' names, as R names them.
    pub names: Vec<String>,
    /// Estimates (`NaN` for columns dropped as aliased, as R's `NA`).
    pub coefficients: Vec<f64>,
    /// Standard errors (`NaN` where dropped).
    pub standard_errors: Vec<f64>,
    /// Iterations run.
    pub iterations: u32,
    /// Whether the deviance settled before the iteration limit.
    pub converged: bool,
    /// Residual deviance at the end.
    pub deviance: f64,
    /// Columns dropped as constant or collinear, with why.
    pub dropped: Vec<String>,
    /// Things the analyst should know (non-convergence, separation).
    pub warnings: Vec<String>,
    /// Fitted probabilities of treatment (the propensity scores).
    #[serde(skip)]
    pub scores: Vec<f64>,
    /// The linear predictor (the logit of the propensity score).
    #[serde(skip)]
    pub linear: Vec<f64>,
}

/// Settings for fitting.
#[derive(Debug, Clone, Copy)]
pub struct Control {
    /// Relative change in deviance at which to stop.
    pub tolerance: f64,
    /// Iteration limit.
    pub max_iterations: u32,
}

impl Default for Control {
    fn default() -> Self {
        Self {
            tolerance: 1e-12,
            max_iterations: 50,
        }
    }
}

const CHUNK: usize = 16_384;

/// Columns kept after dropping aliased ones, checked on `X'X` scaled to
/// correlations: a column is aliased when what is left of it after the
/// earlier kept columns is below `1e-7` of it (R's QR tolerance).
fn aliased(design: &Design) -> (Vec<usize>, Vec<String>) {
    let p = design.columns.len();
    let n = design.rows as f64;
    let mean: Vec<f64> = design
        .columns
        .iter()
        .map(|c| c.iter().sum::<f64>() / n)
        .collect();
    // Centre the columns (not the intercept) so that a constant column is
    // seen as aliased with the intercept.
    let centred = |j: usize, i: usize| {
        if j == 0 {
            1.0
        } else {
            design.columns[j][i] - mean[j]
        }
    };
    let mut gram = vec![vec![0.0; p]; p];
    let partial: Vec<Vec<Vec<f64>>> = (0..design.rows.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| {
            let mut g = vec![vec![0.0; p]; p];
            for i in c * CHUNK..((c + 1) * CHUNK).min(design.rows) {
                for (a, ga) in g.iter_mut().enumerate() {
                    let xa = centred(a, i);
                    if xa == 0.0 {
                        continue;
                    }
                    for (b, gb) in ga.iter_mut().enumerate().skip(a) {
                        *gb += xa * centred(b, i);
                    }
                }
            }
            g
        })
        .collect();
    for g in partial {
        for (total, part) in gram.iter_mut().zip(&g) {
            for (x, y) in total.iter_mut().zip(part) {
                *x += y;
            }
        }
    }
    // Sequential Cholesky in column order, skipping aliased columns.
    let mut kept: Vec<usize> = Vec::new();
    let mut l: Vec<Vec<f64>> = Vec::new();
    let mut dropped = Vec::new();
    // `j` indexes the Gram matrix's rows and columns and the names alike.
    #[allow(clippy::needless_range_loop)]
    for j in 0..p {
        let diag = gram[j][j];
        let mut row = Vec::with_capacity(kept.len());
        for (k, &m) in kept.iter().enumerate() {
            let g = if m <= j { gram[m][j] } else { gram[j][m] };
            let s: f64 = (0..k).map(|q| row[q] * l[k][q]).sum();
            row.push((g - s) / l[k][k]);
        }
        let rest = diag - row.iter().map(|x| x * x).sum::<f64>();
        if diag <= 0.0 || rest <= 1e-7 * diag {
            dropped.push(if diag <= 0.0 || (j > 0 && gram[j][j] <= 1e-14 * n) {
                format!("{} (constant)", design.names[j])
            } else {
                format!("{} (a combination of earlier columns)", design.names[j])
            });
            continue;
        }
        row.push(rest.sqrt());
        l.push(row);
        kept.push(j);
    }
    (kept, dropped)
}

fn deviance(y: &[bool], mu: &[f64]) -> f64 {
    y.par_iter()
        .zip(mu)
        .with_min_len(CHUNK)
        .map(|(&y, &m)| {
            -2.0 * if y {
                m.max(f64::MIN_POSITIVE).ln()
            } else {
                (1.0 - m).max(f64::MIN_POSITIVE).ln()
            }
        })
        .sum()
}

/// Fits `P(y) = 1 / (1 + exp(-X b))`.
pub fn fit(design: &Design, y: &[bool], control: Control) -> Result<Fit, FitError> {
    let n = design.rows;
    let (kept, dropped) = aliased(design);
    let p = kept.len();
    if n <= p {
        return Err(FitError::TooFewRows {
            rows: n,
            columns: p,
        });
    }
    // R's start: mu = (y + 0.5) / 2.
    let mut eta: Vec<f64> = y
        .iter()
        .map(|&t| if t { 3f64.ln() } else { -(3f64.ln()) })
        .collect();
    let mut mu: Vec<f64> = eta.iter().map(|e| 1.0 / (1.0 + (-e).exp())).collect();
    let mut dev = deviance(y, &mu);
    let mut beta = vec![0.0; p];
    let mut cov = Mat::<f64>::zeros(p, p);
    let (mut iterations, mut converged) = (0, false);
    while iterations < control.max_iterations {
        iterations += 1;
        let chunks: Vec<(Mat<f64>, Vec<f64>)> = (0..n.div_ceil(CHUNK))
            .into_par_iter()
            .map(|c| {
                let (from, to) = (c * CHUNK, ((c + 1) * CHUNK).min(n));
                let m = to - from;
                let w: Vec<f64> = (from..to)
                    .map(|i| (mu[i] * (1.0 - mu[i])).max(1e-300))
                    .collect();
                let sw: Vec<f64> = w.iter().map(|w| w.sqrt()).collect();
                // Working response times weight, w z = w eta + (y - mu).
                let wz: Vec<f64> = (from..to)
                    .zip(&w)
                    .map(|(i, w)| w * eta[i] + (f64::from(u8::from(y[i])) - mu[i]))
                    .collect();
                // Column by column over contiguous slices, so that the
                // loops vectorise.
                let mut buffer = vec![0.0; m * p];
                let mut r = vec![0.0; p];
                for ((j, rj), target) in r.iter_mut().enumerate().zip(buffer.chunks_mut(m)) {
                    let column = &design.columns[kept[j]][from..to];
                    for ((t, x), s) in target.iter_mut().zip(column).zip(&sw) {
                        *t = x * s;
                    }
                    *rj = column.iter().zip(&wz).map(|(x, v)| x * v).sum();
                }
                let a = faer::MatRef::from_column_major_slice(&buffer, m, p);
                let mut g = Mat::<f64>::zeros(p, p);
                faer::linalg::matmul::matmul(
                    &mut g,
                    Accum::Replace,
                    a.transpose(),
                    a,
                    1.0,
                    Par::Seq,
                );
                (g, r)
            })
            .collect();
        let mut g = Mat::<f64>::zeros(p, p);
        let mut rhs = Mat::<f64>::zeros(p, 1);
        for (cg, cr) in &chunks {
            g += cg;
            for (j, v) in cr.iter().enumerate() {
                rhs[(j, 0)] += v;
            }
        }
        let llt = g.llt(Side::Lower).map_err(|_| FitError::Singular)?;
        llt.solve_in_place(&mut rhs);
        cov = llt.inverse();
        beta = (0..p).map(|j| rhs[(j, 0)]).collect();
        eta = vec![0.0; n];
        eta.par_chunks_mut(CHUNK).enumerate().for_each(|(c, out)| {
            let from = c * CHUNK;
            for (j, b) in beta.iter().enumerate() {
                let column = &design.columns[kept[j]][from..from + out.len()];
                for (e, x) in out.iter_mut().zip(column) {
                    *e += b * x;
                }
            }
        });
        mu = eta.par_iter().map(|e| 1.0 / (1.0 + (-e).exp())).collect();
        let new = deviance(y, &mu);
        let change = (new - dev).abs() / (new.abs() + 0.1);
        dev = new;
        if change < control.tolerance {
            converged = true;
            break;
        }
    }

    let mut warnings = Vec::new();
    if !converged {
        warnings.push(format!(
            "the propensity model did not converge in {} iterations: its estimates may be unreliable (often a sign of separation)",
            control.max_iterations
        ));
    }
    let extreme = mu
        .iter()
        .filter(|&&m| !(1e-10..=1.0 - 1e-10).contains(&m))
        .count();
    if extreme > 0 {
        let perfect = perfect_predictors(design, y);
        warnings.push(format!(
            "fitted propensity scores of 0 or 1 for {extreme} rows (separation){}: matching cannot balance what the scores cannot tell apart",
            if perfect.is_empty() {
                String::new()
            } else {
                format!("; {} alone predict treatment perfectly", perfect.join(", "))
            }
        ));
    }
    let mut coefficients = vec![f64::NAN; design.columns.len()];
    let mut standard_errors = vec![f64::NAN; design.columns.len()];
    for (k, &j) in kept.iter().enumerate() {
        coefficients[j] = beta[k];
        standard_errors[j] = cov[(k, k)].sqrt();
    }
    Ok(Fit {
        names: design.names.clone(),
        coefficients,
        standard_errors,
        iterations,
        converged,
        deviance: dev,
        dropped,
        warnings,
        scores: mu,
        linear: eta,
    })
}

/// Binary design columns one of whose values occurs only among the
/// treated, or only among the untreated.
fn perfect_predictors(design: &Design, y: &[bool]) -> Vec<String> {
    let mut out = Vec::new();
    for (j, col) in design.columns.iter().enumerate().skip(1) {
        if !col.iter().all(|&v| v == 0.0 || v == 1.0) {
            continue;
        }
        for value in [0.0, 1.0] {
            let mut seen = (false, false);
            for (&v, &t) in col.iter().zip(y) {
                if v == value {
                    if t { seen.0 = true } else { seen.1 = true }
                }
            }
            if seen.0 != seen.1 {
                out.push(format!("{} = {}", design.names[j], value));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::data::{Covariate, Dataset, Values};

    fn design(cols: Vec<(&str, Vec<f64>)>, treated: Vec<bool>) -> (Design, Vec<bool>) {
        let d = Dataset {
            treated: treated.clone(),
            covariates: cols
                .into_iter()
                .map(|(n, v)| Covariate {
                    name: n.into(),
                    values: Values::Numeric(v),
                })
                .collect(),
            outcomes: vec![],
        };
        (d.design(), treated)
    }

    #[test]
    fn matches_rs_glm_on_a_small_example() {
        // x = 1..10, y = 0,0,0,1,0,1,1,0,1,1: the maximum-likelihood
        // estimates (by Newton's method, computed independently) are
        // -2.990331925646 and 0.543696713754; they satisfy the score
        // equations, which are checked exactly below too.
        let x: Vec<f64> = (1..=10).map(f64::from).collect();
        let y = vec![
            false, false, false, true, false, true, true, false, true, true,
        ];
        let (d, y) = design(vec![("x", x.clone())], y);
        let f = fit(&d, &y, Control::default()).unwrap();
        assert!(f.converged);
        assert!(
            (f.coefficients[0] - (-2.990331925646)).abs() < 1e-9,
            "{:?}",
            f.coefficients
        );
        assert!(
            (f.coefficients[1] - 0.543696713754).abs() < 1e-10,
            "{:?}",
            f.coefficients
        );
        // Score equations: X'(y - mu) = 0 at the maximum.
        let s0: f64 = y
            .iter()
            .zip(&f.scores)
            .map(|(&t, m)| f64::from(u8::from(t)) - m)
            .sum();
        let s1: f64 = y
            .iter()
            .zip(&f.scores)
            .zip(&x)
            .map(|((&t, m), x)| (f64::from(u8::from(t)) - m) * x)
            .sum();
        assert!(s0.abs() < 1e-9 && s1.abs() < 1e-9, "{s0} {s1}");
        assert!(f.warnings.is_empty());
    }

    #[test]
    fn constant_and_collinear_columns_are_dropped_and_named() {
        let a: Vec<f64> = (0..40).map(|i| f64::from(i % 7)).collect();
        let b: Vec<f64> = a.iter().map(|v| 2.0 * v + 1.0).collect();
        let c = vec![3.0; 40];
        let t: Vec<bool> = (0..40).map(|i| (i * 7919) % 5 < 2).collect();
        let (d, y) = design(vec![("a", a), ("b", b), ("c", c)], t);
        let f = fit(&d, &y, Control::default()).unwrap();
        assert_eq!(
            f.dropped,
            ["b (a combination of earlier columns)", "c (constant)"]
        );
        assert!(f.coefficients[2].is_nan() && f.coefficients[3].is_nan());
        assert!(f.coefficients[1].is_finite());
    }

    #[test]
    fn separation_is_warned_about_by_name() {
        let x: Vec<f64> = (0..30).map(|i| f64::from(u8::from(i < 10))).collect();
        let t: Vec<bool> = (0..30).map(|i| i < 10).collect();
        let noise: Vec<f64> = (0..30).map(|i| f64::from((i * 37) % 11)).collect();
        let (d, y) = design(vec![("female", x), ("z", noise)], t);
        let f = fit(&d, &y, Control::default()).unwrap();
        let w = f.warnings.join(" ");
        assert!(w.contains("separation") && w.contains("female = 1"), "{w}");
    }

    #[test]
    fn the_fit_does_not_depend_on_the_number_of_threads() {
        let n = 40_000;
        let a: Vec<f64> = (0..n).map(|i| f64::from((i * 31) % 97) / 10.0).collect();
        let b: Vec<f64> = (0..n).map(|i| f64::from(u8::from(i % 3 == 0))).collect();
        let t: Vec<bool> = (0..n).map(|i| (i * 7919 + (i * i) % 13) % 17 < 3).collect();
        let (d, y) = design(vec![("a", a), ("b", b)], t);
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let f1 = one.install(|| fit(&d, &y, Control::default()).unwrap());
        let f2 = fit(&d, &y, Control::default()).unwrap();
        assert_eq!(f1.coefficients, f2.coefficients);
        assert_eq!(f1.scores, f2.scores);
    }
}
