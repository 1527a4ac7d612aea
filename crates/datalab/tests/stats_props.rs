//! Properties of the statistics module over generated data.

use datalab::stats::{Measure, compare, headline};
use proptest::prelude::*;
use statrs::distribution::{ContinuousCDF, StudentsT};

mod stats_support;
use stats_support::p_at;

/// Any finite number, with the extremes as likely as the ordinary.
fn any_finite() -> impl Strategy<Value = f64> {
    prop_oneof![
        -10.0..10.0,
        Just(0.0),
        Just(1.0),
        prop::num::f64::POSITIVE
            | prop::num::f64::NEGATIVE
            | prop::num::f64::NORMAL
            | prop::num::f64::SUBNORMAL
            | prop::num::f64::ZERO,
    ]
}

fn any_weight() -> impl Strategy<Value = f64> {
    prop_oneof![
        0.0..5.0,
        Just(0.0),
        Just(1.0),
        prop::num::f64::POSITIVE
            | prop::num::f64::NORMAL
            | prop::num::f64::SUBNORMAL
            | prop::num::f64::ZERO,
    ]
}

/// Outcomes spread around `mean`, like a group's scores.
fn group(len: std::ops::Range<usize>) -> impl Strategy<Value = (f64, Vec<f64>)> {
    (-3.0..3.0_f64, 0.1..4.0_f64).prop_flat_map(move |(mean, spread)| {
        (
            Just(mean),
            prop::collection::vec(-1.0..1.0_f64, len.clone())
                .prop_map(move |v| v.into_iter().map(|z| mean + spread * z).collect()),
        )
    })
}

proptest! {
    // A fixed seed: the same cases every run, so CI cannot fail on a draw
    // no one has seen (new cases come from changing the seed on purpose).
    #![proptest_config(ProptestConfig {
        cases: 512,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x11fe_11e0),
        ..ProptestConfig::default()
    })]

    /// Whatever finite numbers come in, the answer is an error or an
    /// estimate of finite, coherent numbers, and its headline reads cleanly.
    #[test]
    fn accepted_inputs_give_finite_coherent_estimates(
        treated in prop::collection::vec(any_finite(), 0..12),
        comparison in prop::collection::vec((any_finite(), any_weight()), 0..12),
        confidence in prop_oneof![Just(0.95), 0.001..0.999_f64],
    ) {
        let (ys, ws): (Vec<f64>, Vec<f64>) = comparison.into_iter().unzip();
        let Ok(e) = compare(&treated, &ys, &ws, confidence) else {
            return Ok(());
        };
        for v in [
            e.effective_comparison, e.treated_mean, e.comparison_mean, e.difference,
            e.standard_error, e.degrees_of_freedom, e.t, e.p_value, e.ci_low, e.ci_high,
        ] {
            prop_assert!(v.is_finite(), "{e:?}");
        }
        prop_assert!((0.0..=1.0).contains(&e.p_value));
        prop_assert!(e.ci_low <= e.difference && e.difference <= e.ci_high, "{e:?}");
        prop_assert!(e.standard_error >= 0.0 && e.degrees_of_freedom > 0.0);
        prop_assert!(e.effective_comparison > 1.0);
        prop_assert!(e.effective_comparison <= e.n_comparison as f64 * (1.0 + 1e-12));
        prop_assert!(e.n_treated >= 2 && e.n_comparison >= 2);
        prop_assert_eq!(e.significant, e.p_value <= 1.0 - confidence);
        if let Some(n) = e.needed_for_significance {
            prop_assert!(!e.significant && n > e.n_treated as u64);
        }
        for measure in [
            Measure::Reoffending, Measure::Frequency, Measure::DaysToReoffence, Measure::Custody,
        ] {
            let h = headline(measure, &e);
            for text in [&h.statement, &h.interval, &h.significance] {
                prop_assert!(!text.contains("NaN") && !text.contains("inf"), "{text}");
                prop_assert!(!text.contains("-0"), "{text}");
            }
        }
    }

    /// The size needed for significance is exactly the boundary: significant
    /// there, not one person earlier.
    #[test]
    fn size_needed_is_the_smallest_significant_size(
        (_, treated) in group(3..40),
        (_, comparison) in group(3..80),
        weights in prop::collection::vec(0.05..3.0_f64, 80),
    ) {
        let weights = &weights[..comparison.len()];
        let e = compare(&treated, &comparison, weights, 0.95).unwrap();
        if let Some(n) = e.needed_for_significance {
            let alpha = 1.0 - 0.95;
            prop_assert!(p_at(&treated, &comparison, weights, n as f64) <= alpha, "{e:?}");
            // Past a billion people (a difference of a millionth) the
            // p-values at n and n - 1 differ by less than a double can
            // tell apart: the boundary is exact only below that.
            if n < 1_000_000_000 {
                prop_assert!(p_at(&treated, &comparison, weights, (n - 1) as f64) > alpha, "{e:?}");
            }
        } else {
            prop_assert!(e.significant || e.difference == 0.0, "{e:?}");
        }
    }

    /// Multiplying every weight by one positive constant changes nothing.
    #[test]
    fn weights_are_scale_free(
        (_, treated) in group(2..20),
        (_, comparison) in group(2..20),
        weights in prop::collection::vec(0.05..3.0_f64, 20),
        factor in prop_oneof![1e-6..1e-3_f64, 0.5..2.0_f64, 1e3..1e6_f64],
    ) {
        let weights = &weights[..comparison.len()];
        let scaled: Vec<f64> = weights.iter().map(|w| w * factor).collect();
        let a = compare(&treated, &comparison, weights, 0.95).unwrap();
        let b = compare(&treated, &comparison, &scaled, 0.95).unwrap();
        let near = |x: f64, y: f64| (x - y).abs() <= 1e-9 * x.abs().max(1.0);
        prop_assert!(near(a.comparison_mean, b.comparison_mean));
        prop_assert!(near(a.effective_comparison, b.effective_comparison));
        prop_assert!(near(a.standard_error, b.standard_error));
        prop_assert!(near(a.degrees_of_freedom, b.degrees_of_freedom));
        prop_assert!(near(a.p_value, b.p_value));
        prop_assert!(near(a.ci_low, b.ci_low) && near(a.ci_high, b.ci_high));
    }

    /// Unit weights are Welch's unweighted test.
    #[test]
    fn unit_weights_are_welch(
        (_, x) in group(2..30),
        (_, y) in group(2..30),
    ) {
        let e = compare(&x, &y, &vec![1.0; y.len()], 0.95).unwrap();
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        let var = |v: &[f64]| {
            let m = mean(v);
            v.iter().map(|a| (a - m).powi(2)).sum::<f64>() / (v.len() as f64 - 1.0)
        };
        let (sx, sy) = (var(&x) / x.len() as f64, var(&y) / y.len() as f64);
        let df = (sx + sy).powi(2)
            / (sx * sx / (x.len() as f64 - 1.0) + sy * sy / (y.len() as f64 - 1.0));
        let t = (mean(&x) - mean(&y)) / (sx + sy).sqrt();
        let near = |a: f64, b: f64| (a - b).abs() <= 1e-10 * b.abs().max(1.0);
        prop_assert_eq!(e.effective_comparison, y.len() as f64);
        prop_assert!(near(e.t, t), "{} {}", e.t, t);
        prop_assert!(near(e.degrees_of_freedom, df));
        let p = 2.0 * StudentsT::new(0.0, 1.0, df).unwrap().sf(t.abs());
        prop_assert!(near(e.p_value, p));
    }
}
