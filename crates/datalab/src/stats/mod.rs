//! The lab's statistics: one outcome of the treatment group against its
//! weighted, propensity-score-matched comparison group.
//!
//! [`compare`] runs a weighted Welch two-sample t-test and reports the
//! difference, its confidence interval, its p-value and, when the difference
//! is not significant, how large a treatment group would have had to be for
//! the same difference to be significant. [`headline()`] turns an
//! [`Estimate`] into the lab's standard plain-English statements.
//!
//! Binary outcomes (reoffended or not, custody or not) are compared in
//! exactly the same way as counts and durations: a t-test on the 0/1 values,
//! whose means are the rates. That is how the Justice Data Lab tests rates;
//! there is no continuity correction and no separate test of proportions.

mod headline;

pub use headline::{Headline, Measure, headline};

use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

/// One outcome's comparison of the treatment group with the comparison
/// group. Every number is finite: [`compare`] returns an error rather than
/// an estimate with NaN or infinity in it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Estimate {
    /// People in the treatment group.
    pub n_treated: usize,
    /// People in the comparison group with a weight above zero.
    pub n_comparison: usize,
    /// Kish's effective size of the weighted comparison group,
    /// `(Σ w)² / Σ w²`: the number of equally weighted people that would
    /// carry the same information.
    pub effective_comparison: f64,
    /// Mean outcome in the treatment group (a rate, for a 0/1 outcome).
    pub treated_mean: f64,
    /// Weighted mean outcome in the comparison group, `Σ w y / Σ w`.
    pub comparison_mean: f64,
    /// `treated_mean − comparison_mean`.
    pub difference: f64,
    /// Standard error of the difference.
    pub standard_error: f64,
    /// Welch–Satterthwaite degrees of freedom.
    pub degrees_of_freedom: f64,
    /// `difference / standard_error`.
    pub t: f64,
    /// Two-sided p-value from Student's t with `degrees_of_freedom`.
    pub p_value: f64,
    /// Lower end of the confidence interval for the difference.
    pub ci_low: f64,
    /// Upper end of the confidence interval for the difference.
    pub ci_high: f64,
    /// Confidence interval of the treatment group's mean on its own, from
    /// Student's t with `n_treated − 1` degrees of freedom: what the
    /// report's chart draws around each group's bar.
    pub treated_interval: (f64, f64),
    /// Confidence interval of the comparison group's weighted mean on its
    /// own, with the effective size `n_eff − 1` degrees of freedom.
    pub comparison_interval: (f64, f64),
    /// Confidence level of the interval, such as 0.95.
    pub confidence: f64,
    /// Whether `p_value ≤ 1 − confidence` (p ≤ 0.05 at 95% confidence).
    pub significant: bool,
    /// For a difference that is not significant: the smallest treatment
    /// group that would have made the same difference significant, with the
    /// same means and variances and the comparison group's effective size
    /// growing in proportion. `None` when the difference is already
    /// significant, when it is exactly zero, or when it would take more than
    /// 2⁵³ people (a difference that small against the spread of outcomes
    /// could never be shown).
    pub needed_for_significance: Option<u64>,
}

/// The two groups, for naming the one an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Group {
    /// The provider's cohort.
    Treatment,
    /// The matched, weighted comparison group.
    Comparison,
}

impl std::fmt::Display for Group {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Group::Treatment => "treatment group",
            Group::Comparison => "comparison group",
        })
    }
}

/// Why two groups could not be compared.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StatsError {
    /// The confidence level is not strictly between 0 and 1.
    #[error("the confidence level must be strictly between 0 and 1 (such as 0.95), not {0}")]
    Confidence(f64),
    /// A group has nobody in it.
    #[error("the {0} is empty")]
    EmptyGroup(Group),
    /// The comparison outcomes and their weights do not pair up.
    #[error(
        "the comparison group has {values} outcomes but {weights} weights: \
         every comparison person needs exactly one weight"
    )]
    LengthMismatch {
        /// Number of comparison outcomes.
        values: usize,
        /// Number of weights.
        weights: usize,
    },
    /// An outcome is NaN or infinite.
    #[error("outcome {index} in the {group} is {value}: outcomes must be finite numbers")]
    InvalidValue {
        /// The group the outcome is in.
        group: Group,
        /// Its position (from 0).
        index: usize,
        /// The offending value.
        value: f64,
    },
    /// A weight is negative, NaN or infinite.
    #[error("comparison weight {index} is {weight}: weights must be finite and not negative")]
    InvalidWeight {
        /// Its position (from 0).
        index: usize,
        /// The offending weight.
        weight: f64,
    },
    /// Every comparison weight is zero, so nobody is in the comparison.
    #[error("every comparison weight is zero, so there is no comparison group to compare with")]
    AllWeightsZero,
    /// A group has too few people (with weight above zero) to measure how
    /// much its outcomes vary.
    #[error(
        "the {group} has only {n} person, but a t-test needs at least 2 in each group \
         (comparison people counting only with a weight above zero) to measure variation"
    )]
    TooFewPeople {
        /// The group that is too small.
        group: Group,
        /// How many people it has.
        n: usize,
    },
    /// The weights put (almost) everything on one comparison person, so the
    /// comparison group's variation cannot be estimated.
    #[error(
        "the comparison weights are concentrated on one person (effective size {effective}), \
         so the comparison group's variation cannot be estimated"
    )]
    ConcentratedWeights {
        /// Kish's effective size, `(Σ w)² / Σ w²`, which is 1 or barely above.
        effective: f64,
    },
    /// Neither group's outcomes vary but their means differ: the difference
    /// has no standard error, so no p-value or interval can be given.
    #[error(
        "the t-test is undefined because neither group varies: every treated outcome is \
         {treated_mean} and every comparison outcome is {comparison_mean}, so the difference \
         has no standard error to measure it against"
    )]
    NoVariation {
        /// The treatment group's (constant) outcome.
        treated_mean: f64,
        /// The comparison group's (constant) outcome.
        comparison_mean: f64,
    },
    /// A result is too large (or its degrees of freedom too small) to be a
    /// finite number.
    #[error("the {0} is not a finite number: the outcomes or weights are too extreme for a t-test")]
    NotFinite(&'static str),
}

/// Compares the treatment group's outcomes with the comparison group's
/// weighted outcomes by a weighted Welch two-sample t-test.
///
/// `treated` holds one outcome per treated person; `comparison` and
/// `weights` hold one outcome and one matching (ATT) weight per comparison
/// person. `confidence` is the interval's level, such as 0.95.
///
/// # How the weights enter
///
/// With `n_t` treated people (outcomes `x`) and comparison outcomes `y`
/// with weights `w`:
///
/// ```text
/// treated mean              x̄   = Σ x / n_t
/// treated variance          s_t² = Σ (x − x̄)² / (n_t − 1)
/// comparison mean           ȳ_w  = Σ w y / Σ w
/// comparison variance       s_c² = Σ w (y − ȳ_w)² / (Σ w − Σ w² / Σ w)
///                                = V1 / (V1² − V2) · Σ w (y − ȳ_w)²,   V1 = Σ w, V2 = Σ w²
/// effective comparison size n_eff = (Σ w)² / Σ w²
/// standard error            SE   = sqrt(s_t² / n_t + s_c² / n_eff)
/// degrees of freedom        df   = (s_t²/n_t + s_c²/n_eff)²
///                                  / ((s_t²/n_t)² / (n_t − 1) + (s_c²/n_eff)² / (n_eff − 1))
/// difference                d    = x̄ − ȳ_w
/// t                              = d / SE
/// p (two-sided)                  = 2 · P(T_df > |t|)
/// confidence interval            = d ± t_{1−α/2, df} · SE,   α = 1 − confidence
/// significant                    ⇔ p ≤ α
/// ```
///
/// The comparison variance is the unbiased estimator for *reliability*
/// weights: weights say how much each person counts relative to the others,
/// not how many people they stand for. So multiplying every weight by the
/// same constant changes nothing, a weight of 0 is the same as leaving the
/// person out, and a weight of 2 is *not* the same as listing the person
/// twice (the effective size, not the raw count, is what the test treats as
/// the comparison group's size). With every weight 1, `s_c²` is the
/// ordinary sample variance, `n_eff` is the head count, and the result is
/// Welch's two-sample t-test exactly as R's `t.test(x, y)` computes it.
///
/// Binary outcomes are tested the same way, on their 0/1 values, with no
/// continuity correction.
///
/// # Degenerate groups
///
/// A group whose outcomes are all equal has a variance of exactly 0. If both
/// groups are constant and equal, the difference is 0 with no uncertainty:
/// `t = 0`, `p = 1`, the interval is `[0, 0]` and `df` is reported as
/// `n_t + n_eff − 2`, the largest value the Welch formula can take (its
/// value when the two groups' variance terms are in balance). If both are
/// constant but different the test is undefined and
/// [`StatsError::NoVariation`] is returned: any nonzero difference would be
/// "infinitely significant", which no reader should be told.
///
/// # Errors
///
/// A [`StatsError`] when the confidence level is outside (0, 1), a group is
/// empty or has fewer than 2 people (comparison people counted only with a
/// weight above zero), outcomes and weights differ in number, an outcome is
/// not finite, a weight is negative or not finite, every weight is zero,
/// the weights rest on a single person, neither group varies while their
/// means differ, or the inputs are so extreme that a result would not be a
/// finite number.
pub fn compare(
    treated: &[f64],
    comparison: &[f64],
    weights: &[f64],
    confidence: f64,
) -> Result<Estimate, StatsError> {
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(StatsError::Confidence(confidence));
    }
    if treated.is_empty() {
        return Err(StatsError::EmptyGroup(Group::Treatment));
    }
    if comparison.is_empty() {
        return Err(StatsError::EmptyGroup(Group::Comparison));
    }
    if comparison.len() != weights.len() {
        return Err(StatsError::LengthMismatch {
            values: comparison.len(),
            weights: weights.len(),
        });
    }
    check_finite(treated, Group::Treatment)?;
    check_finite(comparison, Group::Comparison)?;
    if let Some((index, &weight)) = weights
        .iter()
        .enumerate()
        .find(|(_, w)| !(w.is_finite() && **w >= 0.0))
    {
        return Err(StatsError::InvalidWeight { index, weight });
    }
    if treated.len() < 2 {
        return Err(StatsError::TooFewPeople {
            group: Group::Treatment,
            n: treated.len(),
        });
    }
    // Zero-weight people are dropped here so that they cannot influence
    // anything, not even the rescaling below.
    let (ys, ws): (Vec<f64>, Vec<f64>) = comparison
        .iter()
        .zip(weights)
        .filter(|(_, w)| **w > 0.0)
        .map(|(y, w)| (*y, *w))
        .unzip();
    match ys.len() {
        0 => return Err(StatsError::AllWeightsZero),
        1 => {
            return Err(StatsError::TooFewPeople {
                group: Group::Comparison,
                n: 1,
            });
        }
        _ => {}
    }

    // Outcomes and weights are divided by powers of two, which is exact, so
    // that squares and sums can neither overflow nor underflow for any
    // finite input, while ordinary data give bit-for-bit the same answer as
    // the unscaled formulas.
    let scale = power_of_two_below(treated.iter().chain(&ys).fold(0.0, |m, y| m.max(y.abs())));
    let weight_scale = power_of_two_below(ws.iter().fold(0.0_f64, |m, w| m.max(*w)));
    let xs: Vec<f64> = treated.iter().map(|x| x / scale).collect();
    let ys: Vec<f64> = ys.iter().map(|y| y / scale).collect();
    let ws: Vec<f64> = ws.iter().map(|w| w / weight_scale).collect();

    let n_t = xs.len() as f64;
    let (treated_mean, treated_var) = weighted_moments(&xs, None);
    let v1: f64 = ws.iter().sum();
    let v2: f64 = ws.iter().map(|w| w * w).sum();
    let n_eff = v1 * v1 / v2;
    let denominator = v1 - v2 / v1;
    if !(denominator > 0.0 && n_eff > 1.0) {
        return Err(StatsError::ConcentratedWeights { effective: n_eff });
    }
    let (comparison_mean, comparison_var) = weighted_moments(&ys, Some((&ws, denominator)));

    let difference = treated_mean - comparison_mean;
    let alpha = 1.0 - confidence;
    let welch = if treated_var == 0.0 && comparison_var == 0.0 {
        if difference != 0.0 {
            return Err(StatsError::NoVariation {
                treated_mean: treated_mean * scale,
                comparison_mean: comparison_mean * scale,
            });
        }
        Welch {
            standard_error: 0.0,
            df: n_t + n_eff - 2.0,
            t: 0.0,
            p: 1.0,
            half_width: 0.0,
        }
    } else {
        Welch::new(
            difference,
            treated_var / n_t,
            comparison_var / n_eff,
            n_t,
            n_eff,
            alpha,
        )
        .ok_or(StatsError::NotFinite("degrees of freedom"))?
    };
    let significant = welch.p <= alpha;
    let needed_for_significance = if significant || difference == 0.0 {
        None
    } else {
        size_needed(
            difference,
            treated_var,
            comparison_var,
            n_eff / n_t,
            alpha,
            treated.len() as u64,
        )
    };

    let estimate = Estimate {
        n_treated: treated.len(),
        n_comparison: ys.len(),
        effective_comparison: n_eff,
        treated_mean: treated_mean * scale,
        comparison_mean: comparison_mean * scale,
        difference: difference * scale,
        standard_error: welch.standard_error * scale,
        degrees_of_freedom: welch.df,
        t: welch.t,
        p_value: welch.p,
        ci_low: (difference - welch.half_width) * scale,
        ci_high: (difference + welch.half_width) * scale,
        treated_interval: mean_interval(treated_mean, treated_var, n_t, alpha, scale),
        comparison_interval: mean_interval(comparison_mean, comparison_var, n_eff, alpha, scale),
        confidence,
        significant,
        needed_for_significance,
    };
    for (name, value) in [
        ("effective comparison size", estimate.effective_comparison),
        ("treated mean", estimate.treated_mean),
        ("comparison mean", estimate.comparison_mean),
        ("difference", estimate.difference),
        ("standard error", estimate.standard_error),
        ("degrees of freedom", estimate.degrees_of_freedom),
        ("t statistic", estimate.t),
        ("p-value", estimate.p_value),
        ("confidence interval", estimate.ci_low),
        ("confidence interval", estimate.ci_high),
    ] {
        if !value.is_finite() {
            return Err(StatsError::NotFinite(name));
        }
    }
    Ok(estimate)
}

fn check_finite(values: &[f64], group: Group) -> Result<(), StatsError> {
    match values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        Some((index, &value)) => Err(StatsError::InvalidValue {
            group,
            index,
            value,
        }),
        None => Ok(()),
    }
}

/// The largest power of two not above `m` (within the normal range), or 1
/// for 0.
fn power_of_two_below(m: f64) -> f64 {
    if m == 0.0 {
        return 1.0;
    }
    let exponent = (m.log2().floor() as i32).clamp(-1022, 1023);
    f64::from_bits(((exponent + 1023) as u64) << 52)
}

/// Mean and variance; unweighted (divisor n − 1) when `weights` is `None`,
/// else weighted with the given reliability-weight divisor.
fn weighted_moments(values: &[f64], weights: Option<(&[f64], f64)>) -> (f64, f64) {
    // A constant group's mean is its value and its variance exactly 0; the
    // summed mean could be an ulp off and leave a spurious variance of
    // 1e-33 that would make any difference look "significant".
    if values.iter().all(|v| *v == values[0]) {
        return (values[0], 0.0);
    }
    match weights {
        None => {
            let n = values.len() as f64;
            let mean = values.iter().sum::<f64>() / n;
            let ss: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
            (mean, ss / (n - 1.0))
        }
        Some((ws, denominator)) => {
            let total: f64 = ws.iter().sum();
            let mean = values.iter().zip(ws).map(|(v, w)| w * v).sum::<f64>() / total;
            let ss: f64 = values
                .iter()
                .zip(ws)
                .map(|(v, w)| w * (v - mean) * (v - mean))
                .sum();
            (mean, ss / denominator)
        }
    }
}

/// The confidence interval of one group's mean, `mean ± t · √(var / n)`,
/// unscaled back to the data's units. A group of one, or one without any
/// spread, has the mean itself as its interval.
fn mean_interval(mean: f64, var: f64, n: f64, alpha: f64, scale: f64) -> (f64, f64) {
    let df = n - 1.0;
    let quantile = if df.is_nan() || df <= 0.0 || var == 0.0 {
        0.0
    } else if df > NORMAL_DF {
        Normal::standard().inverse_cdf(alpha / 2.0)
    } else {
        StudentsT::new(0.0, 1.0, df).map_or(f64::NAN, |d| d.inverse_cdf(alpha / 2.0))
    };
    let half = -quantile * (var / n).sqrt();
    ((mean - half) * scale, (mean + half) * scale)
}

/// The test statistics for one difference, shared by [`compare`] and the
/// size search so that "significant" means the same in both.
struct Welch {
    standard_error: f64,
    df: f64,
    t: f64,
    p: f64,
    half_width: f64,
}

impl Welch {
    /// `a` and `b` are the two variance terms, `s_t²/n_t` and `s_c²/n_eff`;
    /// `None` if the degrees of freedom are not a usable number.
    fn new(difference: f64, a: f64, b: f64, n1: f64, n2: f64, alpha: f64) -> Option<Welch> {
        let total = a + b;
        let standard_error = total.sqrt();
        // Written with the shares of the variance rather than its fourth
        // powers, which underflow for tiny but nonzero spreads.
        let (u, v) = (a / total, b / total);
        let df = 1.0 / (u * u / (n1 - 1.0) + v * v / (n2 - 1.0));
        // NaN (no spread at all) is not a usable number of degrees either.
        if df.is_nan() || df <= 0.0 {
            return None;
        }
        let t = difference / standard_error;
        // Beyond NORMAL_DF degrees of freedom Student's t is the normal
        // distribution to within 3e-7 in its 97.5% quantile, and statrs's
        // inverse incomplete beta function stops converging (it loops for
        // ever at around 1e15): the size search reaches such sizes.
        let (p, quantile) = if df > NORMAL_DF {
            let normal = Normal::standard();
            (2.0 * normal.sf(t.abs()), normal.inverse_cdf(alpha / 2.0))
        } else {
            let dist = StudentsT::new(0.0, 1.0, df).ok()?;
            // The lower tail is asked for because statrs inverts it
            // directly; asking for 1 − α/2 would round it twice.
            (2.0 * dist.sf(t.abs()), dist.inverse_cdf(alpha / 2.0))
        };
        let p = p.min(1.0);
        let half_width = -quantile * standard_error;
        Some(Welch {
            standard_error,
            df,
            t,
            p,
            half_width,
        })
    }
}

/// Degrees of freedom above which the normal distribution stands in for
/// Student's t.
const NORMAL_DF: f64 = 1e7;

/// Above this many people a size is no longer an exact integer in f64, and
/// no cohort could be that large anyway.
const LARGEST_SIZE: f64 = 9_007_199_254_740_992.0;

/// The smallest treatment group size `n` at which `difference` is
/// significant when the treated variance term is `var_t / n` and the
/// comparison's is `var_c / (ratio · n)`.
///
/// Significance only grows with `n` (t grows like √n and the degrees of
/// freedom grow too, lowering the critical value), so the answer is found
/// by starting at the normal approximation, which can only undershoot,
/// doubling until significant and then bisecting.
fn size_needed(
    difference: f64,
    var_t: f64,
    var_c: f64,
    ratio: f64,
    alpha: f64,
    current: u64,
) -> Option<u64> {
    let significant_at = |n: f64| {
        Welch::new(
            difference,
            var_t / n,
            var_c / (ratio * n),
            n,
            ratio * n,
            alpha,
        )
        .is_some_and(|w| w.p <= alpha)
    };
    let z = -Normal::standard().inverse_cdf(alpha / 2.0);
    let normal_guess = (z * z * (var_t + var_c / ratio) / (difference * difference)).ceil();
    // `current` is not significant (that is why we are here); so, below the
    // normal guess, is everything else.
    let mut low = current as f64;
    if normal_guess - 1.0 > low && normal_guess - 1.0 <= LARGEST_SIZE {
        low = normal_guess - 1.0;
    }
    let mut high = (low + 1.0).max(normal_guess);
    loop {
        if high > LARGEST_SIZE {
            return None;
        }
        if significant_at(high) {
            break;
        }
        low = high;
        high *= 2.0;
    }
    while high - low > 1.0 {
        let middle = ((low + high) / 2.0).floor();
        if significant_at(middle) {
            high = middle;
        } else {
            low = middle;
        }
    }
    Some(high as u64)
}
