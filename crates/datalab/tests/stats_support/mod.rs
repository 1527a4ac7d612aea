//! What the statistics tests share.

use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

/// The p-value at treatment group size `n`, computed independently from the
/// raw data by the documented formulas.
pub fn p_at(x: &[f64], y: &[f64], w: &[f64], n: f64) -> f64 {
    let nt = x.len() as f64;
    let xm = x.iter().sum::<f64>() / nt;
    let vt = x.iter().map(|a| (a - xm).powi(2)).sum::<f64>() / (nt - 1.0);
    let v1: f64 = w.iter().sum();
    let v2: f64 = w.iter().map(|a| a * a).sum();
    let ym = y.iter().zip(w).map(|(a, b)| a * b).sum::<f64>() / v1;
    let vc = y
        .iter()
        .zip(w)
        .map(|(a, b)| b * (a - ym).powi(2))
        .sum::<f64>()
        / (v1 - v2 / v1);
    let r = v1 * v1 / v2 / nt;
    let (a, b) = (vt / n, vc / (r * n));
    let df = (a + b).powi(2) / (a * a / (n - 1.0) + b * b / (r * n - 1.0));
    let t = (xm - ym).abs() / (a + b).sqrt();
    // The documented method: beyond 1e7 degrees of freedom Student's t is
    // the normal distribution to every digit that matters (and statrs's t
    // loses its way there), so the boundary at tens of millions of people
    // is found on the normal curve.
    if df > 1e7 {
        return 2.0 * Normal::standard().sf(t);
    }
    2.0 * StudentsT::new(0.0, 1.0, df).unwrap().sf(t)
}
