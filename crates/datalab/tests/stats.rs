//! The statistics module against R's `t.test`, its documented weighting, its
//! error cases and the headline wording.
//!
//! Reference figures are from R 4.2.2: `t.test(x, y)` (Welch, the default)
//! printed at the default precision and, for the tighter checks, with
//! `options(digits = 15)`.

use datalab::stats::{self, Estimate, Group, Headline, Measure, StatsError, compare, headline};
use statrs::distribution::{ContinuousCDF, StudentsT};

mod stats_support;
use stats_support::p_at;

const SLEEP_1: [f64; 10] = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
const SLEEP_2: [f64; 10] = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

fn ones(n: usize) -> Vec<f64> {
    vec![1.0; n]
}

/// `x` rounded to `decimals` places equals R's printed `printed`.
fn prints_as(x: f64, decimals: i32, printed: f64) {
    let factor = 10f64.powi(decimals);
    assert_eq!(
        (x * factor).round(),
        (printed * factor).round(),
        "{x} does not print as {printed}"
    );
}

fn close(x: f64, expected: f64, tolerance: f64) {
    assert!(
        (x - expected).abs() <= tolerance * expected.abs().max(1.0),
        "{x} is not within {tolerance} of {expected}"
    );
}

// R: t = -1.8608, df = 17.776, p-value = 0.07939,
// 95 percent confidence interval: -3.3654832  0.2054832
#[test]
fn sleep_data_matches_r_to_its_printed_precision() {
    let e = compare(&SLEEP_1, &SLEEP_2, &ones(10), 0.95).unwrap();
    prints_as(e.t, 4, -1.8608);
    prints_as(e.degrees_of_freedom, 3, 17.776);
    prints_as(e.p_value, 5, 0.07939);
    prints_as(e.ci_low, 7, -3.3654832);
    prints_as(e.ci_high, 7, 0.2054832);
    prints_as(e.treated_mean, 2, 0.75);
    prints_as(e.comparison_mean, 2, 2.33);
    assert_eq!((e.n_treated, e.n_comparison), (10, 10));
    assert_eq!(e.effective_comparison, 10.0);
    assert!(!e.significant);
}

// R: t.test(extra[group == 1]) gives 95 percent confidence interval
// -0.5297804 2.0297804, and for group 2, 0.8976775 3.7623225.
#[test]
fn each_group_has_the_one_sample_t_interval_of_its_mean() {
    let e = compare(&SLEEP_1, &SLEEP_2, &ones(10), 0.95).unwrap();
    prints_as(e.treated_interval.0, 7, -0.5297804);
    prints_as(e.treated_interval.1, 7, 2.0297804);
    prints_as(e.comparison_interval.0, 7, 0.8976775);
    prints_as(e.comparison_interval.1, 7, 3.7623225);
}

#[test]
fn sleep_data_matches_r_to_fifteen_digits() {
    let e = compare(&SLEEP_1, &SLEEP_2, &ones(10), 0.95).unwrap();
    close(e.t, -1.860_813_467_486_853, 1e-12);
    close(e.degrees_of_freedom, 17.776_473_516_178_5, 1e-12);
    close(e.p_value, 0.0793941401873582, 1e-10);
    close(e.ci_low, -3.3654832307117104, 1e-10);
    close(e.ci_high, 0.2054832307117102, 1e-10);
    close(e.standard_error, 0.849_091_017_238_762, 1e-12);
    close(e.difference, -1.58, 1e-12);
}

#[test]
fn sleep_data_at_ninety_percent_matches_r() {
    // R: t.test(x, y, conf.level = 0.9)$conf.int
    let e = compare(&SLEEP_1, &SLEEP_2, &ones(10), 0.90).unwrap();
    close(e.ci_low, -3.053381497331606, 1e-10);
    close(e.ci_high, -0.106618502668394, 1e-10);
    assert_eq!(e.confidence, 0.90);
    // At 90%, p = 0.079 is below 0.10: significant, and the interval
    // excludes 0.
    assert!(e.significant);
    assert_eq!(e.needed_for_significance, None);
}

fn binary(yes: usize, no: usize) -> Vec<f64> {
    let mut v = vec![1.0; yes];
    v.extend(vec![0.0; no]);
    v
}

#[test]
fn binary_rates_are_compared_by_a_t_test_on_zeros_and_ones() {
    // 12 of 40 treated reoffended (30%) against 27 of 60 (45%).
    // R: t = -1.5325658488234446, df = 88.094_096_560_118_44,
    // p = 0.1289663669057151, CI -0.3445032523329094 0.0445032523329094.
    let e = compare(&binary(12, 28), &binary(27, 33), &ones(60), 0.95).unwrap();
    close(e.treated_mean, 0.30, 1e-15);
    close(e.comparison_mean, 0.45, 1e-15);
    close(e.t, -1.5325658488234446, 1e-12);
    close(e.degrees_of_freedom, 88.094_096_560_118_44, 1e-12);
    close(e.p_value, 0.1289663669057151, 1e-10);
    close(e.ci_low, -0.3445032523329094, 1e-10);
    close(e.ci_high, 0.0445032523329094, 1e-10);
    close(e.standard_error, 0.0978750766990896, 1e-12);
    assert!(!e.significant);
}

#[test]
fn a_significant_binary_difference_matches_r() {
    // 50 of 200 (25%) against 120 of 300 (40%).
    // R: t = -3.59093587897204, df = 460.197179576067, p = 3.64934749938426e-04,
    // CI -0.232087190059619 -0.0679128099403815.
    let e = compare(&binary(50, 150), &binary(120, 180), &ones(300), 0.95).unwrap();
    close(e.t, -3.59093587897204, 1e-12);
    close(e.degrees_of_freedom, 460.197179576067, 1e-12);
    close(e.p_value, 3.64934749938426e-04, 1e-12);
    close(e.ci_low, -0.232087190059619, 1e-10);
    close(e.ci_high, -0.0679128099403815, 1e-10);
    assert!(e.significant);
    assert_eq!(e.needed_for_significance, None);
}

#[test]
fn counts_in_groups_of_different_sizes_match_r() {
    let treated = [0., 2., 1., 0., 0., 3., 1., 0., 5., 0., 1., 2.];
    let comparison = [
        1., 0., 4., 2., 0., 0., 6., 1., 3., 0., 2., 1., 0., 5., 2., 1., 0.,
    ];
    // R: t = -0.624447239152978, df = 26.225339366228877,
    // p = 0.537729016184802, CI -1.703534168540618 0.909416521481795.
    let e = compare(&treated, &comparison, &ones(17), 0.95).unwrap();
    close(e.t, -0.624447239152978, 1e-12);
    close(e.degrees_of_freedom, 26.225339366228877, 1e-12);
    close(e.p_value, 0.537729016184802, 1e-10);
    close(e.ci_low, -1.703534168540618, 1e-10);
    close(e.ci_high, 0.909416521481795, 1e-10);
    close(e.comparison_mean, 1.647058823529412, 1e-14);
}

const WEIGHTED_Y: [f64; 6] = [3.1, 4.7, 2.2, 5.9, 4.4, 3.8];
const WEIGHTS: [f64; 6] = [0.5, 2.0, 1.25, 0.75, 3.0, 1.0];

#[test]
fn weighted_mean_variance_and_effective_size_match_r_cov_wt() {
    // A constant treatment group contributes nothing to the standard
    // error, which leaves s_c² / n_eff on its own and df = n_eff − 1.
    // R: cov.wt(matrix(y), wt = w / sum(w), method = "unbiased") gives
    // centre 4.13235294117647 and variance 1.29513422818792 (the
    // reliability-weights form); sum(w)^2 / sum(w^2) = 4.41221374045802.
    let e = compare(&[4.0, 4.0, 4.0], &WEIGHTED_Y, &WEIGHTS, 0.95).unwrap();
    close(e.comparison_mean, 4.13235294117647, 1e-13);
    close(e.effective_comparison, 4.41221374045802, 1e-13);
    close(
        e.standard_error,
        (1.29513422818792_f64 / 4.41221374045802).sqrt(),
        1e-13,
    );
    close(e.degrees_of_freedom, 4.41221374045802 - 1.0, 1e-13);
    assert_eq!(e.n_comparison, 6);
}

/// Welch's test written out plainly, as a second implementation to hold the
/// module to.
fn textbook_welch(x: &[f64], y: &[f64], confidence: f64) -> (f64, f64, f64, f64, f64, f64) {
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let var = |v: &[f64]| {
        let m = mean(v);
        v.iter().map(|a| (a - m) * (a - m)).sum::<f64>() / (v.len() as f64 - 1.0)
    };
    let (nx, ny) = (x.len() as f64, y.len() as f64);
    let (sx, sy) = (var(x) / nx, var(y) / ny);
    let se = (sx + sy).sqrt();
    let df = (sx + sy).powi(2) / (sx * sx / (nx - 1.0) + sy * sy / (ny - 1.0));
    let d = mean(x) - mean(y);
    let t = d / se;
    let dist = StudentsT::new(0.0, 1.0, df).unwrap();
    let p = 2.0 * dist.cdf(-t.abs());
    let q = dist.inverse_cdf(1.0 - (1.0 - confidence) / 2.0);
    (t, df, p, d - q * se, d + q * se, se)
}

#[test]
fn unit_weights_give_the_unweighted_welch_test() {
    let x = [3.5, 1.0, 2.25, 7.0, 0.5, 4.0, 2.0];
    let y = [1.5, 2.0, 0.0, 3.0, 1.0, 2.5, 0.5, 1.0, 4.0];
    let e = compare(&x, &y, &ones(9), 0.95).unwrap();
    let (t, df, p, low, high, se) = textbook_welch(&x, &y, 0.95);
    close(e.t, t, 1e-13);
    close(e.degrees_of_freedom, df, 1e-13);
    close(e.p_value, p, 1e-12);
    close(e.ci_low, low, 1e-12);
    close(e.ci_high, high, 1e-12);
    close(e.standard_error, se, 1e-14);
    assert_eq!(e.effective_comparison, 9.0);
}

#[test]
fn multiplying_every_weight_by_a_constant_changes_nothing() {
    let x = [0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0];
    let base = compare(&x, &WEIGHTED_Y, &WEIGHTS, 0.95).unwrap();
    // A power of two rescales exactly, so the answer is bit for bit the same.
    for factor in [2.0, 0.25, 1024.0] {
        let scaled: Vec<f64> = WEIGHTS.iter().map(|w| w * factor).collect();
        assert_eq!(compare(&x, &WEIGHTED_Y, &scaled, 0.95).unwrap(), base);
    }
    // Any other constant agrees to rounding.
    for factor in [3.7, 1e-9, 1e12] {
        let scaled: Vec<f64> = WEIGHTS.iter().map(|w| w * factor).collect();
        let e = compare(&x, &WEIGHTED_Y, &scaled, 0.95).unwrap();
        close(e.comparison_mean, base.comparison_mean, 1e-14);
        close(e.effective_comparison, base.effective_comparison, 1e-13);
        close(e.standard_error, base.standard_error, 1e-13);
        close(e.degrees_of_freedom, base.degrees_of_freedom, 1e-12);
        close(e.p_value, base.p_value, 1e-12);
    }
}

#[test]
fn a_zero_weight_is_the_same_as_leaving_the_person_out() {
    let x = [2.0, 3.0, 5.0, 1.0];
    let with: Vec<f64> = WEIGHTED_Y.iter().copied().chain([99.0, -40.0]).collect();
    let weights: Vec<f64> = WEIGHTS.iter().copied().chain([0.0, 0.0]).collect();
    let e = compare(&x, &with, &weights, 0.95).unwrap();
    assert_eq!(e, compare(&x, &WEIGHTED_Y, &WEIGHTS, 0.95).unwrap());
    assert_eq!(e.n_comparison, 6);
}

#[test]
fn weights_are_reliability_weights_not_frequency_weights() {
    // A weight of 2 makes a person count twice as much as the others, but
    // it does not make two people: the mean is the same as listing them
    // twice, the effective size and so the uncertainty are not.
    let x = [1.0, 2.0, 3.0, 4.0, 5.0];
    let weighted = compare(&x, &[1.0, 2.0, 6.0], &[2.0, 1.0, 1.0], 0.95).unwrap();
    let listed = compare(&x, &[1.0, 1.0, 2.0, 6.0], &[1.0; 4], 0.95).unwrap();
    close(weighted.comparison_mean, listed.comparison_mean, 1e-15);
    close(weighted.effective_comparison, 16.0 / 6.0, 1e-15);
    assert_eq!(listed.effective_comparison, 4.0);
    assert!(weighted.standard_error > listed.standard_error);
}

#[test]
fn groups_that_do_not_vary_but_agree_have_p_one_and_an_empty_interval() {
    let e = compare(&[0.0; 5], &[0.0; 8], &[0.5; 8], 0.95).unwrap();
    assert_eq!((e.difference, e.standard_error, e.t), (0.0, 0.0, 0.0));
    assert_eq!(e.p_value, 1.0);
    assert_eq!((e.ci_low, e.ci_high), (0.0, 0.0));
    assert_eq!(e.degrees_of_freedom, 5.0 + 8.0 - 2.0);
    assert!(!e.significant);
    assert_eq!(e.needed_for_significance, None);
}

#[test]
fn a_constant_group_beside_a_varying_one_is_tested_normally() {
    // 0.1 cannot be summed exactly; the mean must still be 0.1 and the
    // variance exactly 0, so df is the comparison's n − 1.
    let e = compare(&[0.1; 6], &[0.0, 0.5, 0.25, 0.75], &ones(4), 0.95).unwrap();
    assert_eq!(e.treated_mean, 0.1);
    close(e.degrees_of_freedom, 3.0, 1e-15);
    let (t, _, p, ..) = textbook_welch(&[0.1; 6], &[0.0, 0.5, 0.25, 0.75], 0.95);
    close(e.t, t, 1e-12);
    close(e.p_value, p, 1e-12);
}

#[test]
fn extreme_but_finite_outcomes_are_compared_without_overflow() {
    let big: Vec<f64> = SLEEP_1.iter().map(|v| v * 1e300).collect();
    let big2: Vec<f64> = SLEEP_2.iter().map(|v| v * 1e300).collect();
    let e = compare(&big, &big2, &ones(10), 0.95).unwrap();
    let base = compare(&SLEEP_1, &SLEEP_2, &ones(10), 0.95).unwrap();
    close(e.t, base.t, 1e-12);
    close(e.p_value, base.p_value, 1e-12);
    close(e.ci_low / 1e300, base.ci_low, 1e-12);
    let tiny: Vec<f64> = SLEEP_1.iter().map(|v| v * 1e-300).collect();
    let tiny2: Vec<f64> = SLEEP_2.iter().map(|v| v * 1e-300).collect();
    let e = compare(&tiny, &tiny2, &ones(10), 0.95).unwrap();
    close(e.t, base.t, 1e-12);
    close(e.degrees_of_freedom, base.degrees_of_freedom, 1e-12);
}

// ---- errors ----

fn error(treated: &[f64], comparison: &[f64], weights: &[f64], confidence: f64) -> StatsError {
    compare(treated, comparison, weights, confidence).unwrap_err()
}

#[test]
fn confidence_must_lie_strictly_between_zero_and_one() {
    for c in [0.0, 1.0, -0.5, 1.5, f64::NAN, f64::INFINITY] {
        let err = error(&SLEEP_1, &SLEEP_2, &ones(10), c);
        assert!(matches!(err, StatsError::Confidence(_)), "{c}: {err}");
        assert!(err.to_string().contains("strictly between 0 and 1"));
    }
}

#[test]
fn empty_groups_are_refused() {
    assert_eq!(
        error(&[], &SLEEP_2, &ones(10), 0.95),
        StatsError::EmptyGroup(Group::Treatment)
    );
    let err = error(&SLEEP_1, &[], &[], 0.95);
    assert_eq!(err, StatsError::EmptyGroup(Group::Comparison));
    assert_eq!(err.to_string(), "the comparison group is empty");
}

#[test]
fn one_person_is_too_few() {
    let err = error(&[1.0], &SLEEP_2, &ones(10), 0.95);
    assert_eq!(
        err,
        StatsError::TooFewPeople {
            group: Group::Treatment,
            n: 1
        }
    );
    assert!(err.to_string().contains("at least 2"), "{err}");
    // Only comparison people with weight above zero count.
    assert_eq!(
        error(&SLEEP_1, &[1.0, 2.0, 3.0], &[0.0, 4.0, 0.0], 0.95),
        StatsError::TooFewPeople {
            group: Group::Comparison,
            n: 1
        }
    );
    assert!(matches!(
        error(&SLEEP_1, &[1.0], &[1.0], 0.95),
        StatsError::TooFewPeople {
            group: Group::Comparison,
            ..
        }
    ));
}

#[test]
fn outcomes_and_weights_must_pair_up() {
    let err = error(&SLEEP_1, &SLEEP_2, &ones(9), 0.95);
    assert_eq!(
        err,
        StatsError::LengthMismatch {
            values: 10,
            weights: 9
        }
    );
    assert!(
        err.to_string().contains("10 outcomes but 9 weights"),
        "{err}"
    );
}

#[test]
fn outcomes_must_be_finite() {
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let mut x = SLEEP_1.to_vec();
        x[3] = bad;
        assert!(matches!(
            error(&x, &SLEEP_2, &ones(10), 0.95),
            StatsError::InvalidValue {
                group: Group::Treatment,
                index: 3,
                ..
            }
        ));
        let mut y = SLEEP_2.to_vec();
        y[7] = bad;
        let err = error(&SLEEP_1, &y, &ones(10), 0.95);
        assert!(matches!(
            err,
            StatsError::InvalidValue {
                group: Group::Comparison,
                index: 7,
                ..
            }
        ));
        assert!(err.to_string().contains("must be finite"), "{err}");
    }
}

#[test]
fn weights_must_be_finite_and_not_negative() {
    for bad in [-0.5, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let mut w = ones(10);
        w[2] = bad;
        let err = error(&SLEEP_1, &SLEEP_2, &w, 0.95);
        assert!(
            matches!(err, StatsError::InvalidWeight { index: 2, .. }),
            "{bad}: {err}"
        );
        assert!(err.to_string().contains("not negative"));
    }
}

#[test]
fn all_zero_weights_leave_no_comparison_group() {
    let err = error(&SLEEP_1, &SLEEP_2, &[0.0; 10], 0.95);
    assert_eq!(err, StatsError::AllWeightsZero);
    assert!(err.to_string().contains("no comparison group"));
}

#[test]
fn weight_on_a_single_person_cannot_estimate_variation() {
    let err = error(&SLEEP_1, &[1.0, 5.0], &[1.0, 1e-300], 0.95);
    assert!(
        matches!(err, StatsError::ConcentratedWeights { effective } if effective <= 1.0),
        "{err}"
    );
    assert!(err.to_string().contains("concentrated on one person"));
}

#[test]
fn groups_that_do_not_vary_but_differ_have_no_test() {
    let err = error(&[1.0; 4], &[0.0; 6], &[2.0; 6], 0.95);
    assert_eq!(
        err,
        StatsError::NoVariation {
            treated_mean: 1.0,
            comparison_mean: 0.0
        }
    );
    assert!(err.to_string().contains("neither group varies"), "{err}");
}

#[test]
fn a_difference_too_large_to_represent_is_an_error_not_infinity() {
    let err = error(
        &[1.5e308, 1.7e308],
        &[-1.5e308, -1.7e308],
        &[1.0, 1.0],
        0.95,
    );
    assert_eq!(err, StatsError::NotFinite("difference"));
    assert!(err.to_string().contains("not a finite number"));
}

// ---- size needed for significance ----

#[test]
fn sleep_data_would_need_a_larger_group_to_be_significant() {
    let e = compare(&SLEEP_1, &SLEEP_2, &ones(10), 0.95).unwrap();
    let n = e.needed_for_significance.unwrap();
    assert!(n > 10);
    assert!(p_at(&SLEEP_1, &SLEEP_2, &ones(10), n as f64) <= 0.05);
    assert!(p_at(&SLEEP_1, &SLEEP_2, &ones(10), (n - 1) as f64) > 0.05);
    // With twice the people at the same means and spreads, t grows by √2:
    // from 1.86 to 2.63, comfortably significant, so n is well under 20.
    assert!(n < 20, "{n}");
}

#[test]
fn size_needed_holds_for_a_weighted_comparison_group() {
    let x = [2.0, 3.0, 5.0, 1.0, 4.0, 4.5, 3.5];
    let e = compare(&x, &WEIGHTED_Y, &WEIGHTS, 0.95).unwrap();
    assert!(!e.significant);
    let n = e.needed_for_significance.unwrap() as f64;
    assert!(p_at(&x, &WEIGHTED_Y, &WEIGHTS, n) <= 0.05);
    assert!(p_at(&x, &WEIGHTED_Y, &WEIGHTS, n - 1.0) > 0.05);
}

#[test]
fn no_size_is_needed_for_a_zero_difference() {
    let e = compare(&[1.0, 3.0], &[0.0, 4.0, 2.0], &ones(3), 0.95).unwrap();
    assert_eq!(e.difference, 0.0);
    assert_eq!(e.p_value, 1.0);
    assert_eq!(e.needed_for_significance, None);
}

#[test]
fn a_vanishing_difference_needs_no_impossible_size() {
    // Means 1e-15 apart against a spread of about 1.4: it would take some
    // 1e31 people, which no cohort could have.
    let e = compare(&[-1.0, 1.0 + 2e-15], &[-1.0, 1.0], &[1.0, 1.0], 0.95).unwrap();
    assert!(e.difference > 0.0);
    assert_eq!(e.needed_for_significance, None);
}

// ---- headlines ----

fn estimate(
    treated_mean: f64,
    difference: f64,
    ci: (f64, f64),
    p_value: f64,
    needed: Option<u64>,
) -> Estimate {
    Estimate {
        n_treated: 120,
        n_comparison: 900,
        effective_comparison: 640.0,
        treated_mean,
        comparison_mean: treated_mean - difference,
        difference,
        standard_error: 0.02,
        degrees_of_freedom: 300.0,
        t: -2.0,
        p_value,
        ci_low: ci.0,
        ci_high: ci.1,
        confidence: 0.95,
        significant: p_value <= 0.05,
        treated_interval: (treated_mean - 0.04, treated_mean + 0.04),
        comparison_interval: (
            treated_mean - difference - 0.03,
            treated_mean - difference + 0.03,
        ),
        needed_for_significance: needed,
    }
}

#[test]
fn reoffending_headline_with_fewer_and_a_reduction() {
    let h = headline(
        Measure::Reoffending,
        &estimate(0.32, -0.06, (-0.10, -0.02), 0.01, None),
    );
    assert_eq!(
        h,
        Headline {
            statement: "For 100 typical people in the treatment group, the equivalent of 32 \
                        committed a proven reoffence within one year, 6 fewer than in the \
                        comparison group."
                .into(),
            interval: "The best estimate is that the intervention reduces the number of people \
                       who commit a proven reoffence within one year by between 2 and 10 per \
                       100 people."
                .into(),
            significance: "This is a statistically significant result: the difference is \
                           unlikely to be due to chance (p = 0.01)."
                .into(),
        }
    );
}

#[test]
fn reoffending_headline_with_more_and_an_increase() {
    let h = headline(
        Measure::Reoffending,
        &estimate(0.41, 0.07, (0.031, 0.109), 0.0004, None),
    );
    assert_eq!(
        h.statement,
        "For 100 typical people in the treatment group, the equivalent of 41 committed a \
         proven reoffence within one year, 7 more than in the comparison group."
    );
    assert_eq!(
        h.interval,
        "The best estimate is that the intervention increases the number of people who commit \
         a proven reoffence within one year by between 3 and 11 per 100 people."
    );
    assert_eq!(
        h.significance,
        "This is a statistically significant result: the difference is unlikely to be due to \
         chance (p < 0.01)."
    );
}

#[test]
fn an_interval_spanning_zero_could_go_either_way() {
    let h = headline(
        Measure::Reoffending,
        &estimate(0.30, -0.04, (-0.10, 0.02), 0.23, Some(1234)),
    );
    assert_eq!(
        h.interval,
        "The best estimate is that the intervention could reduce the number of people who \
         commit a proven reoffence within one year by as many as 10 or increase it by as many \
         as 2 per 100 people."
    );
    assert_eq!(
        h.significance,
        "This result is not statistically significant: the difference could be due to chance \
         (p = 0.23). With the same difference, a treatment group of about 1,234 people would \
         have been needed for it to be significant."
    );
}

#[test]
fn a_rounded_difference_of_zero_is_the_same_and_never_minus_zero() {
    let h = headline(
        Measure::Reoffending,
        &estimate(0.3504, -0.004, (-0.0041, 0.0032), 0.88, Some(95_000)),
    );
    assert_eq!(
        h.statement,
        "For 100 typical people in the treatment group, the equivalent of 35 committed a \
         proven reoffence within one year, the same as in the comparison group."
    );
    assert_eq!(
        h.interval,
        "The best estimate is that the intervention changes the number of people who commit a \
         proven reoffence within one year by less than 1 per 100 people either way."
    );
    for text in [&h.statement, &h.interval, &h.significance] {
        assert!(!text.contains("-0"), "{text}");
    }
    // An interval end that rounds to -0 is "less than 1", not "-0".
    let h = headline(
        Measure::Reoffending,
        &estimate(0.3, -0.02, (-0.062, 0.003), 0.3, None),
    );
    assert_eq!(
        h.interval,
        "The best estimate is that the intervention could reduce the number of people who \
         commit a proven reoffence within one year by as many as 6 or increase it by less than \
         1 per 100 people."
    );
}

#[test]
fn a_difference_of_one_is_singular() {
    let h = headline(
        Measure::Custody,
        &estimate(0.09, -0.011, (-0.02, -0.002), 0.04, None),
    );
    assert_eq!(
        h.statement,
        "For 100 typical people in the treatment group, the equivalent of 9 received a \
         custodial sentence for a proven reoffence within one year, 1 fewer than in the \
         comparison group."
    );
    assert_eq!(
        h.interval,
        "The best estimate is that the intervention reduces the number of people who receive a \
         custodial sentence for a proven reoffence within one year by between 0 and 2 per 100 \
         people."
    );
    assert_eq!(
        h.significance,
        "This is a statistically significant result: the difference is unlikely to be due to \
         chance (p = 0.04)."
    );
}

#[test]
fn custody_headline_with_fewer() {
    let h = headline(
        Measure::Custody,
        &estimate(0.09, -0.02, (-0.05, 0.01), 0.19, Some(410)),
    );
    assert_eq!(
        h.statement,
        "For 100 typical people in the treatment group, the equivalent of 9 received a \
         custodial sentence for a proven reoffence within one year, 2 fewer than in the \
         comparison group."
    );
    assert_eq!(
        h.interval,
        "The best estimate is that the intervention could reduce the number of people who \
         receive a custodial sentence for a proven reoffence within one year by as many as 5 or \
         increase it by as many as 1 per 100 people."
    );
}

#[test]
fn frequency_headline_counts_reoffences_per_100_people() {
    let h = headline(
        Measure::Frequency,
        &estimate(0.85, -0.20, (-0.41, -0.03), 0.02, None),
    );
    assert_eq!(
        h.statement,
        "For 100 typical people in the treatment group, 85 proven reoffences were committed \
         during the one-year period, 20 fewer than in the comparison group."
    );
    assert_eq!(
        h.interval,
        "The best estimate is that the intervention reduces the number of proven reoffences \
         committed during the one-year period by between 3 and 41 per 100 people."
    );
    let h = headline(
        Measure::Frequency,
        &estimate(0.012, 0.005, (-0.01, 0.02), 0.6, None),
    );
    assert_eq!(
        h.statement,
        "For 100 typical people in the treatment group, 1 proven reoffence was committed \
         during the one-year period, 1 more than in the comparison group."
    );
}

#[test]
fn days_headline_is_in_days_not_per_100() {
    let h = headline(
        Measure::DaysToReoffence,
        &estimate(152.3, 12.4, (3.2, 21.1), 0.008, None),
    );
    assert_eq!(
        h.statement,
        "For typical people in the treatment group who committed a proven reoffence within \
         one year, the average time to the first proven reoffence was 152 days, 12 days longer \
         than in the comparison group."
    );
    assert_eq!(
        h.interval,
        "The best estimate is that the intervention increases the average time to the first \
         proven reoffence by between 3 and 21 days."
    );
    let h = headline(
        Measure::DaysToReoffence,
        &estimate(140.0, -1.2, (-30.4, 28.0), 0.93, Some(52_000)),
    );
    assert_eq!(
        h.statement,
        "For typical people in the treatment group who committed a proven reoffence within \
         one year, the average time to the first proven reoffence was 140 days, 1 day shorter \
         than in the comparison group."
    );
    assert_eq!(
        h.interval,
        "The best estimate is that the intervention could reduce the average time to the first \
         proven reoffence by as many as 30 or increase it by as many as 28 days."
    );
    assert!(h.significance.ends_with(
        "a treatment group of about 52,000 people would have \
                                      been needed for it to be significant."
    ));
    let h = headline(
        Measure::DaysToReoffence,
        &estimate(150.0, 0.3, (-6.0, 6.6), 0.9, None),
    );
    assert!(
        h.statement
            .ends_with("was 150 days, the same as in the comparison group.")
    );
}

#[test]
fn an_interval_whose_ends_round_alike_says_about() {
    let h = headline(
        Measure::Reoffending,
        &estimate(0.3, -0.03, (-0.034, -0.026), 0.001, None),
    );
    assert_eq!(
        h.interval,
        "The best estimate is that the intervention reduces the number of people who commit a \
         proven reoffence within one year by about 3 per 100 people."
    );
}

#[test]
fn a_p_value_is_never_shown_on_the_wrong_side_of_the_threshold() {
    let e = estimate(0.3, -0.04, (-0.08, 0.0001), 0.0503, Some(900));
    assert!(!e.significant);
    assert!(headline(Measure::Reoffending, &e).significance.starts_with(
        "This result is not statistically significant: the difference could be \
                      due to chance (p = 0.0503)."
    ));
    let e = estimate(0.3, -0.04, (-0.08, -0.0001), 0.0496, None);
    assert!(
        headline(Measure::Reoffending, &e)
            .significance
            .contains("(p = 0.05)")
    );
}

#[test]
fn a_non_significant_result_without_a_size_says_no_more() {
    let e = estimate(0.3, 0.0, (-0.05, 0.05), 1.0, None);
    assert_eq!(
        headline(Measure::Reoffending, &e).significance,
        "This result is not statistically significant: the difference could be due to chance \
         (p = 1.00)."
    );
}

#[test]
fn a_computed_estimate_reads_end_to_end() {
    // 12 of 40 against 27 of 60: 30 against 45 per 100, p = 0.13.
    let e = compare(&binary(12, 28), &binary(27, 33), &ones(60), 0.95).unwrap();
    let h = stats::headline(Measure::Reoffending, &e);
    assert_eq!(
        h.statement,
        "For 100 typical people in the treatment group, the equivalent of 30 committed a \
         proven reoffence within one year, 15 fewer than in the comparison group."
    );
    assert_eq!(
        h.interval,
        "The best estimate is that the intervention could reduce the number of people who \
         commit a proven reoffence within one year by as many as 34 or increase it by as many \
         as 4 per 100 people."
    );
    let n = e.needed_for_significance.unwrap();
    assert!(h.significance.starts_with(
        "This result is not statistically significant: the difference could be due to chance \
         (p = 0.13). With the same difference, a treatment group of about "
    ));
    assert!(h.significance.contains(&format!(" {n} people")));
    let json = serde_json::to_value(&h).unwrap();
    assert_eq!(json["statement"], h.statement);
    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(json["needed_for_significance"], n);
    assert_eq!(json["n_treated"], 40);
}

/// A difference of a millionth needs trillions of people; the size search
/// goes through degrees of freedom where statrs's t quantile would never
/// return, and must still end with a size.
#[test]
fn tiny_differences_end_with_an_astronomical_but_finite_size() {
    let treated: Vec<f64> = (0..100).map(|i| f64::from(i % 2)).collect();
    let mut comparison = treated.clone();
    comparison[0] = 1e-4;
    let weights = vec![1.0; comparison.len()];
    let e = compare(&treated, &comparison, &weights, 0.95).unwrap();
    assert!(!e.significant);
    let n = e.needed_for_significance.expect("a size is found") as f64;
    // Normal approximation: (1.96² · 2 · 0.25) / (1e-6)² ≈ 1.9e12.
    assert!((1e12..1e13).contains(&n), "{n}");
}
