//! How alike the groups are, before and after matching.
//!
//! For each design column (each numeric covariate and each level of a
//! categorical one), the standardised mean difference is the difference of
//! the treated and comparison means (weighted after matching) divided by
//! the standard deviation of the treated group before matching, the usual
//! denominator for the effect on the treated; it is the same before and
//! after, so the two are comparable. The variance ratio is the treated
//! variance over the comparison variance (weighted after matching). Each
//! covariate is flagged green below 5% (|SMD| < 0.05), amber from 5 to
//! 10%, red above 10%.

use rayon::prelude::*;
use serde::Serialize;

use super::data::Design;

/// The traffic light of a standardised mean difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Flag {
    /// Under 5%.
    Green,
    /// 5% to 10%.
    Amber,
    /// Over 10%.
    Red,
}

impl Flag {
    /// Its name, as written in tables.
    pub fn name(self) -> &'static str {
        match self {
            Flag::Green => "green",
            Flag::Amber => "amber",
            Flag::Red => "red",
        }
    }

    /// How many rows carry each flag: green, amber, red.
    pub fn tally(rows: &[Row]) -> [usize; 3] {
        let mut counts = [0; 3];
        for r in rows {
            counts[match r.flag {
                Flag::Green => 0,
                Flag::Amber => 1,
                Flag::Red => 2,
            }] += 1;
        }
        counts
    }

    /// The flag for a standardised mean difference.
    pub fn of(smd: f64) -> Self {
        match smd.abs() {
            d if d < 0.05 => Flag::Green,
            d if d <= 0.10 => Flag::Amber,
            _ => Flag::Red,
        }
    }
}

/// One covariate's balance.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// The design column.
    pub covariate: String,
    /// Treated mean before matching (every treated unit).
    pub treated_mean: f64,
    /// Treated mean after matching (matched treated units only).
    pub matched_treated_mean: f64,
    /// Comparison mean before matching (everyone in the pool).
    pub pool_mean: f64,
    /// Weighted comparison mean after matching.
    pub matched_mean: f64,
    /// Standardised mean difference before matching.
    pub smd_before: f64,
    /// Standardised mean difference after matching.
    pub smd_after: f64,
    /// Variance ratio (treated / comparison) before matching.
    pub variance_ratio_before: f64,
    /// Variance ratio after matching.
    pub variance_ratio_after: f64,
    /// The traffic light after matching.
    pub flag: Flag,
}

/// Weighted mean and variance (weights as frequencies of the sample).
fn moments(values: impl Iterator<Item = (f64, f64)> + Clone) -> (f64, f64) {
    let (mut sw, mut swx) = (0.0, 0.0);
    for (x, w) in values.clone() {
        sw += w;
        swx += w * x;
    }
    if sw <= 0.0 {
        return (f64::NAN, f64::NAN);
    }
    let mean = swx / sw;
    let (mut sw2, mut ss) = (0.0, 0.0);
    for (x, w) in values {
        sw2 += w * w;
        ss += w * (x - mean) * (x - mean);
    }
    // The unbiased weighted variance for reliability weights; with all
    // weights 1 the ordinary sample variance.
    let denom = sw - sw2 / sw;
    (mean, if denom > 0.0 { ss / denom } else { 0.0 })
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { f64::NAN }
}

/// Balance of every design column but the intercept. `weights` are the
/// matching weights (0 for rows left out).
pub fn table(design: &Design, treated: &[bool], weights: &[f64]) -> Vec<Row> {
    design
        .columns
        .par_iter()
        .zip(&design.names)
        .skip(1)
        .map(|(col, name)| {
            let t_all = col
                .iter()
                .zip(treated)
                .filter(|(_, t)| **t)
                .map(|(x, _)| (*x, 1.0));
            let c_all = col
                .iter()
                .zip(treated)
                .filter(|(_, t)| !**t)
                .map(|(x, _)| (*x, 1.0));
            let t_after = col
                .iter()
                .zip(treated)
                .zip(weights)
                .filter(|((_, t), w)| **t && **w > 0.0)
                .map(|((x, _), w)| (*x, *w));
            let c_after = col
                .iter()
                .zip(treated)
                .zip(weights)
                .filter(|((_, t), w)| !**t && **w > 0.0)
                .map(|((x, _), w)| (*x, *w));
            let (mt, vt) = moments(t_all);
            let (mc, vc) = moments(c_all);
            let (mta, vta) = moments(t_after);
            let (mca, vca) = moments(c_after);
            // A column constant among the treated has no spread to
            // standardise by: fall back to the pooled one.
            let sd = if vt > 0.0 {
                vt.sqrt()
            } else {
                ((vt + vc) / 2.0).sqrt()
            };
            let smd = |a: f64, b: f64| if sd > 0.0 { (a - b) / sd } else { 0.0 };
            let smd_after = smd(mta, mca);
            Row {
                covariate: name.clone(),
                treated_mean: mt,
                matched_treated_mean: mta,
                pool_mean: mc,
                matched_mean: mca,
                smd_before: smd(mt, mc),
                smd_after,
                variance_ratio_before: ratio(vt, vc),
                variance_ratio_after: ratio(vta, vca),
                flag: Flag::of(smd_after),
            }
        })
        .collect()
}

/// Counts of propensity scores in equal bins, for an overlap plot.
#[derive(Debug, Clone, Serialize)]
pub struct Overlap {
    /// Bin edges (one more than bins).
    pub edges: Vec<f64>,
    /// Treated per bin.
    pub treated: Vec<f64>,
    /// Pool per bin, before matching.
    pub pool: Vec<f64>,
    /// Matched comparison per bin (weighted).
    pub matched: Vec<f64>,
}

/// The overlap of propensity scores in `bins` equal bins between the
/// smallest and largest score.
pub fn overlap(scores: &[f64], treated: &[bool], weights: &[f64], bins: usize) -> Overlap {
    let bins = bins.max(1);
    let lo = scores.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let width = if hi > lo {
        (hi - lo) / bins as f64
    } else {
        1.0
    };
    let mut o = Overlap {
        edges: (0..=bins).map(|k| lo + k as f64 * width).collect(),
        treated: vec![0.0; bins],
        pool: vec![0.0; bins],
        matched: vec![0.0; bins],
    };
    for ((&s, &t), &w) in scores.iter().zip(treated).zip(weights) {
        let k = (((s - lo) / width) as usize).min(bins - 1);
        if t {
            o.treated[k] += 1.0;
        } else {
            o.pool[k] += 1.0;
            o.matched[k] += w;
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_follow_the_labs_thresholds() {
        assert_eq!(Flag::of(0.049), Flag::Green);
        assert_eq!(Flag::of(-0.05), Flag::Amber);
        assert_eq!(Flag::of(0.10), Flag::Amber);
        assert_eq!(Flag::of(-0.1001), Flag::Red);
    }

    #[test]
    fn balance_uses_the_treated_spread_and_the_weights() {
        let design = Design {
            names: vec!["(Intercept)".into(), "age".into()],
            columns: vec![vec![1.0; 6], vec![20.0, 30.0, 40.0, 50.0, 20.0, 30.0]],
            rows: 6,
            source: vec![None, Some(0)],
        };
        let treated = [true, true, false, false, false, false];
        // Treated ages 20 and 30: mean 25, sd sqrt(50). Pool mean 35.
        // Matched: the controls aged 20 and 30 with weight 1 each.
        let weights = [1.0, 1.0, 0.0, 0.0, 1.0, 1.0];
        let rows = table(&design, &treated, &weights);
        let r = &rows[0];
        assert!((r.treated_mean - 25.0).abs() < 1e-12);
        assert!((r.pool_mean - 35.0).abs() < 1e-12);
        assert!((r.smd_before - (25.0 - 35.0) / 50f64.sqrt()).abs() < 1e-12);
        assert_eq!(r.smd_after, 0.0);
        assert_eq!(r.flag, Flag::Green);
        assert!((r.variance_ratio_after - 1.0).abs() < 1e-12);
        let o = overlap(&[0.1, 0.2, 0.3, 0.4, 0.1, 0.2], &treated, &weights, 3);
        assert_eq!(o.treated.iter().sum::<f64>(), 2.0);
        assert_eq!(o.pool.iter().sum::<f64>(), 4.0);
        assert_eq!(o.matched.iter().sum::<f64>(), 2.0);
    }
}
