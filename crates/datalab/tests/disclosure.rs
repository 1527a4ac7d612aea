//! Statistical disclosure control: what a report may show, and refusing
//! cohorts that would let two reports be subtracted.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use datalab::analysis::{Flow, MeasureResult, Results, Timings};
use datalab::cohort::{Attrition, Kind};
use datalab::disclosure::{
    self, Count, PersonKey, Register, RegisterError, Rule, Settings, Status, check_differencing,
};
use datalab::matching::balance::Overlap;
use datalab::matching::logistic::Fit;
use datalab::stats::{Estimate, Measure, headline};
use proptest::prelude::*;

fn estimate(n_treated: usize, treated_mean: f64, comparison_mean: f64, p_value: f64) -> Estimate {
    let difference = treated_mean - comparison_mean;
    Estimate {
        n_treated,
        n_comparison: 4 * n_treated,
        effective_comparison: 3.0 * n_treated as f64,
        treated_mean,
        comparison_mean,
        difference,
        standard_error: 0.02,
        degrees_of_freedom: 200.0,
        t: difference / 0.02,
        p_value,
        ci_low: difference - 0.04,
        ci_high: difference + 0.04,
        confidence: 0.95,
        significant: p_value <= 0.05,
        treated_interval: (treated_mean - 0.03, treated_mean + 0.03),
        comparison_interval: (comparison_mean - 0.02, comparison_mean + 0.02),
        needed_for_significance: None,
    }
}

fn measure(measure: Measure, e: Option<Estimate>) -> MeasureResult {
    MeasureResult {
        measure,
        headline: e.as_ref().map(|e| headline(measure, e)),
        error: e
            .is_none()
            .then(|| "every treated outcome is 1".to_string()),
        estimate: e,
    }
}

fn flow() -> Flow {
    Flow {
        cohort: Attrition {
            linked: 250,
            with_index: 243,
            reasons: BTreeMap::from([
                ("no index event".to_string(), 4),
                ("died".to_string(), 3),
                ("in custody all year".to_string(), 0),
            ]),
            pool: 120_000,
        },
        matched: 236,
        unmatched: 5,
        outside_support: 2,
        comparison: 900,
    }
}

/// An analysis whose reoffending estimate has `reoffenders` of 100 treated
/// people reoffending and `timed` people in the time-to-reoffence estimate.
fn results(reoffenders: u64, timed: usize) -> Results {
    let n = 100;
    Results {
        flow: flow(),
        period: (
            NaiveDate::from_ymd_opt(2015, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(2016, 12, 31).unwrap(),
        ),
        kinds: vec![Kind::Release, Kind::CommunityOrder],
        model: Fit {
            names: vec!["(Intercept)".to_string()],
            coefficients: vec![0.0],
            standard_errors: vec![0.1],
            iterations: 4,
            converged: true,
            deviance: 1.0,
            dropped: vec![],
            warnings: vec![],
            scores: vec![0.5; 10],
            linear: vec![0.0; 10],
        },
        caliper_logit: Some(0.2),
        balance: vec![],
        overlap: Overlap {
            edges: vec![0.0, 1.0],
            treated: vec![3.0],
            pool: vec![7.0],
            matched: vec![3.0],
        },
        measures: vec![
            measure(
                Measure::Reoffending,
                Some(estimate(n, reoffenders as f64 / n as f64, 0.4567, 0.004)),
            ),
            measure(Measure::Frequency, Some(estimate(n, 1.2345, 1.2391, 0.6))),
            measure(
                Measure::DaysToReoffence,
                Some(estimate(timed, 120.4, 131.6, 0.0503)),
            ),
            measure(Measure::Custody, Some(estimate(n, 0.12, 0.124, 0.8))),
        ],
        unmatched_reoffending: Some(estimate(n, 0.3, 0.5, 0.001)),
        timings: Timings::default(),
        matched_rows: (1000..1100).collect(),
    }
}

fn status(released: &disclosure::Released, m: Measure) -> &Status {
    &released
        .measures
        .iter()
        .find(|r| r.measure == m)
        .expect("measure released")
        .status
}

fn suppressed_rule(released: &disclosure::Released, m: Measure) -> Option<Rule> {
    match status(released, m) {
        Status::Suppressed(s) => Some(s.rule),
        Status::Shown(_) => None,
    }
}

#[test]
fn nine_treated_reoffenders_suppress_every_measure_and_ten_show_them() {
    let settings = Settings::default();
    let nine = disclosure::release(&results(9, 9), &settings);
    for m in [Measure::Reoffending, Measure::Frequency, Measure::Custody] {
        assert_eq!(
            suppressed_rule(&nine, m),
            Some(Rule::TooFewReoffenders),
            "{m:?}"
        );
    }
    assert_eq!(
        suppressed_rule(&nine, Measure::DaysToReoffence),
        Some(Rule::TooFewReoffenders)
    );
    let ten = disclosure::release(&results(10, 30), &settings);
    for m in [
        Measure::Reoffending,
        Measure::Frequency,
        Measure::DaysToReoffence,
        Measure::Custody,
    ] {
        assert_eq!(suppressed_rule(&ten, m), None, "{m:?}");
    }
}

#[test]
fn time_to_reoffence_needs_thirty_reoffenders() {
    let settings = Settings::default();
    let r = disclosure::release(&results(50, 29), &settings);
    assert_eq!(
        suppressed_rule(&r, Measure::DaysToReoffence),
        Some(Rule::TooFewReoffendersForTime)
    );
    assert_eq!(suppressed_rule(&r, Measure::Reoffending), None);
    let r = disclosure::release(&results(50, 30), &settings);
    assert_eq!(suppressed_rule(&r, Measure::DaysToReoffence), None);
}

#[test]
fn suppression_reasons_give_the_threshold_never_the_count() {
    let r = disclosure::release(&results(7, 7), &Settings::default());
    let Status::Suppressed(s) = status(&r, Measure::Reoffending) else {
        panic!("shown")
    };
    assert!(s.reason.contains("fewer than 10 people"), "{}", s.reason);
    assert!(!s.reason.contains('7'), "{}", s.reason);
    let json = serde_json::to_value(&r).unwrap();
    let first = &json["measures"][0];
    assert_eq!(first["status"], "suppressed");
    assert_eq!(first["rule"], "too_few_reoffenders");
    assert!(
        first.get("headline").is_none(),
        "no headline when suppressed"
    );
}

#[test]
fn shown_figures_are_rounded_by_the_rules() {
    let r = disclosure::release(&results(40, 40), &Settings::default());
    let Status::Shown(f) = status(&r, Measure::Reoffending) else {
        panic!("suppressed")
    };
    assert_eq!(f.unit, "per 100 people");
    assert_eq!(f.treatment, "40");
    assert_eq!(f.comparison, "46");
    assert_eq!(f.difference, "-6");
    assert_eq!(f.p_value, "<0.01");
    assert_eq!(f.treated_people, Count::Exact(100));
    assert!(f.headline.statement.contains("40"));

    let Status::Shown(f) = status(&r, Measure::Frequency) else {
        panic!("suppressed")
    };
    assert_eq!(f.treatment, "1.23");
    assert_eq!(f.comparison, "1.24");
    // -0.0046 rounds to 0.00, which must not read "-0.00".
    assert_eq!(f.difference, "0.00");
    assert_eq!(f.p_value, "0.60");

    let Status::Shown(f) = status(&r, Measure::Custody) else {
        panic!("suppressed")
    };
    // -0.4 per 100 rounds to 0, not "-0".
    assert_eq!(f.difference, "0");

    let Status::Shown(f) = status(&r, Measure::DaysToReoffence) else {
        panic!("suppressed")
    };
    assert_eq!(f.unit, "days");
    assert_eq!(f.treatment, "120");
    assert_eq!(f.difference, "-11");
    assert_eq!(
        f.p_value, "0.0503",
        "never '0.05' for a result that is not significant"
    );
}

#[test]
fn an_analysis_error_is_not_passed_on() {
    let mut res = results(40, 40);
    res.measures[3] = measure(Measure::Custody, None);
    let r = disclosure::release(&res, &Settings::default());
    let Status::Suppressed(s) = status(&r, Measure::Custody) else {
        panic!("shown")
    };
    assert_eq!(s.rule, Rule::NotEstimated);
    assert!(!s.reason.contains("every treated outcome"), "{}", s.reason);
}

#[test]
fn without_a_reoffending_estimate_the_timed_group_gives_the_count() {
    let mut res = results(40, 12);
    res.measures[0] = measure(Measure::Reoffending, None);
    let r = disclosure::release(&res, &Settings::default());
    assert_eq!(suppressed_rule(&r, Measure::Frequency), None);
    res.measures[2] = measure(Measure::DaysToReoffence, None);
    let r = disclosure::release(&res, &Settings::default());
    assert_eq!(
        suppressed_rule(&r, Measure::Frequency),
        Some(Rule::ReoffendersUnknown)
    );
}

#[test]
fn small_flow_cells_are_suppressed_and_nothing_individual_is_serialised() {
    let r = disclosure::release(&results(40, 40), &Settings::default());
    assert_eq!(r.flow.linked, Count::Exact(250));
    assert_eq!(r.flow.unmatched, Count::Below(10));
    assert_eq!(r.flow.outside_support, Count::Below(10));
    assert_eq!(r.flow.reasons["died"], Count::Below(10));
    assert_eq!(r.flow.reasons["in custody all year"], Count::Below(10));
    let json = serde_json::to_string(&r).unwrap();
    assert!(json.contains(r#""unmatched":"<10""#), "{json}");
    assert!(json.contains(r#""linked":250"#), "{json}");
    for leak in ["1000", "matched_rows", "scores", "unmatched_reoffending"] {
        assert!(!json.contains(leak), "{leak} in {json}");
    }
}

// ---------------------------------------------------------------------------
// Differencing
// ---------------------------------------------------------------------------

fn keys(ids: impl IntoIterator<Item = u64>) -> Vec<PersonKey> {
    ids.into_iter().map(PersonKey::from).collect()
}

/// An earlier release of 500 people by another organisation.
fn register() -> Register {
    let mut r = Register::new();
    r.record("JDL-2024-017", "Hope Street Trust", keys(0..500))
        .unwrap();
    r
}

#[test]
fn the_same_cohort_plus_one_target_is_refused() {
    let cohort = keys((0..500).chain([9_999]));
    let refusal = check_differencing(&cohort, &register(), 10).unwrap_err();
    assert_eq!(refusal.conflicts.len(), 1);
    assert_eq!(refusal.conflicts[0].request, "JDL-2024-017");
    assert_eq!(
        (refusal.conflicts[0].added, refusal.conflicts[0].removed),
        (1, 0)
    );
    let text = refusal.to_string();
    assert!(text.contains("JDL-2024-017"), "{text}");
    assert!(text.contains("1 person"), "{text}");
    assert!(
        text.contains("add at least 9 more people who were not in request JDL-2024-017"),
        "{text}"
    );
    assert!(
        !text.contains("Hope Street"),
        "never the other organisation: {text}"
    );
}

#[test]
fn the_same_cohort_minus_three_is_refused() {
    let cohort = keys(3..500);
    let refusal = check_differencing(&cohort, &register(), 10).unwrap_err();
    assert_eq!(
        (refusal.conflicts[0].added, refusal.conflicts[0].removed),
        (0, 3)
    );
    assert!(
        refusal
            .to_string()
            .contains("leave out at least 7 more people who were in request JDL-2024-017")
    );
}

#[test]
fn ten_or_more_differences_each_way_are_accepted() {
    let cohort = keys(10..510);
    let cleared = check_differencing(&cohort, &register(), 10).unwrap();
    assert!(cleared.identical_to.is_empty());
    // The same cohort against a stricter threshold.
    let refusal = check_differencing(&cohort, &register(), 11).unwrap_err();
    assert_eq!(
        (refusal.conflicts[0].added, refusal.conflicts[0].removed),
        (10, 10)
    );
}

#[test]
fn disjoint_and_identical_cohorts_are_accepted() {
    assert!(check_differencing(&keys(1000..1300), &register(), 10).is_ok());
    let mut shuffled = keys((0..500).rev());
    shuffled.push(PersonKey::from(7)); // a duplicate counts once
    let cleared = check_differencing(&shuffled, &register(), 10).unwrap();
    assert_eq!(cleared.identical_to, vec!["JDL-2024-017".to_string()]);
}

#[test]
fn every_earlier_cohort_is_checked_whoever_released_it() {
    let mut r = register();
    r.record("JDL-2024-031", "Another Org", keys(2000..2100))
        .unwrap();
    let cohort = keys((2000..2098).chain(500..600));
    let refusal = check_differencing(&cohort, &r, 10).unwrap_err();
    assert_eq!(refusal.conflicts.len(), 1);
    assert_eq!(refusal.conflicts[0].request, "JDL-2024-031");
    assert_eq!(
        (refusal.conflicts[0].added, refusal.conflicts[0].removed),
        (100, 2)
    );
}

#[test]
fn string_pseudonyms_work_too() {
    let mut r = Register::new();
    let earlier: Vec<PersonKey> = (0..20)
        .map(|i| PersonKey::from(format!("p{i:03}")))
        .collect();
    r.record("R1", "Org", earlier.clone()).unwrap();
    let mut new = earlier;
    new.push(PersonKey::from("target"));
    assert!(check_differencing(&new, &r, 10).is_err());
}

#[test]
fn register_rejects_duplicate_and_empty_ids() {
    let mut r = register();
    assert_eq!(
        r.record("JDL-2024-017", "X", keys(0..5)),
        Err(RegisterError::DuplicateRequest("JDL-2024-017".to_string()))
    );
    assert_eq!(
        r.record("", "X", keys(0..5)),
        Err(RegisterError::EmptyRequestId)
    );
    assert_eq!(r.len(), 1);
}

fn naive(new: &BTreeSet<u64>, earlier: &BTreeSet<u64>) -> (usize, usize) {
    (
        new.difference(earlier).count(),
        earlier.difference(new).count(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn refusals_and_acceptances_follow_the_threshold(
        earlier in prop::collection::vec(prop::collection::btree_set(0u64..80, 0..60), 0..4),
        new in prop::collection::btree_set(0u64..80, 0..60),
        threshold in 0usize..15,
    ) {
        let mut register = Register::new();
        for (i, cohort) in earlier.iter().enumerate() {
            register.record(format!("R{i}"), "org", keys(cohort.iter().copied())).unwrap();
        }
        let small = |d: usize| d > 0 && d < threshold;
        match check_differencing(&keys(new.iter().copied()), &register, threshold) {
            Err(refusal) => {
                prop_assert!(!refusal.conflicts.is_empty());
                for c in &refusal.conflicts {
                    prop_assert!(small(c.added) || small(c.removed));
                    let i: usize = c.request[1..].parse().unwrap();
                    prop_assert_eq!((c.added, c.removed), naive(&new, &earlier[i]));
                }
            }
            Ok(cleared) => {
                for (i, cohort) in earlier.iter().enumerate() {
                    let (added, removed) = naive(&new, cohort);
                    prop_assert!(added == 0 || added >= threshold);
                    prop_assert!(removed == 0 || removed >= threshold);
                    let identical = cleared.identical_to.contains(&format!("R{i}"));
                    prop_assert_eq!(identical, added == 0 && removed == 0);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// The high side, secondary suppression and the report
// ---------------------------------------------------------------------------

#[test]
fn almost_everyone_reoffending_is_suppressed_like_almost_nobody() {
    let r = disclosure::release(&results(91, 40), &Settings::default());
    for m in [Measure::Reoffending, Measure::Frequency, Measure::Custody] {
        assert_eq!(
            suppressed_rule(&r, m),
            Some(Rule::TooFewNonReoffenders),
            "{m:?}"
        );
    }
    // Time to reoffence is over the reoffenders alone: nothing about the
    // few who did not reoffend is in it.
    assert_eq!(suppressed_rule(&r, Measure::DaysToReoffence), None);
    let r = disclosure::release(&results(90, 40), &Settings::default());
    assert_eq!(suppressed_rule(&r, Measure::Reoffending), None);
}

fn flow_with(reasons: &[(&str, u64)]) -> Results {
    let mut r = results(40, 40);
    r.flow.cohort.reasons = reasons.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    r
}

#[test]
fn a_lone_small_reason_cannot_be_worked_out_from_the_others() {
    let r = flow_with(&[("no index event", 40), ("died", 3), ("moved abroad", 25)]);
    let released = disclosure::release(&r, &Settings::default());
    let reasons = &released.flow.reasons;
    assert_eq!(reasons["died"], Count::Below(10));
    // Without this, "died" would be the total lost minus 40 minus 25.
    assert_eq!(reasons["moved abroad"], Count::Withheld);
    assert_eq!(reasons["no index event"], Count::Exact(40));
    let json = serde_json::to_string(&released.flow).unwrap();
    assert!(json.contains(r#""moved abroad":"withheld""#), "{json}");

    // Two small cells already hide each other; nothing more is withheld.
    let r = flow_with(&[("no index event", 40), ("died", 3), ("moved abroad", 4)]);
    let released = disclosure::release(&r, &Settings::default());
    assert_eq!(released.flow.reasons["no index event"], Count::Exact(40));
}

fn report(r: &Results) -> datalab::report::Report {
    use datalab::report::{Context, Report};
    let request: datalab::intake::Request = toml::from_str(
        r#"
organisation = "Second Chance <Trust>"
intervention = "mentoring & housing support"
collection = "case management system export"
excluded_incomplete = 2
[confirmation]
data_protection = true
section_14_gateway = true
"#,
    )
    .unwrap();
    let settings = Settings::default();
    Report::build(
        Context {
            request_id: "JDL-TEST",
            request: &request,
            rows_read: 262,
            rows_usable: 258,
            linkage: datalab::link::lab::Tally {
                matched: 250,
                duplicate: 2,
                suspect_discarded: 1,
                not_found: 5,
            },
            match_rate: 250.0 / 258.0,
            link_threshold: 0.99,
            produced: NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
        },
        r,
        disclosure::release(r, &settings),
        &datalab::analysis::Settings::default(),
        &settings,
    )
}

#[test]
fn the_report_draws_what_was_released_and_escapes_what_the_provider_wrote() {
    let rep = report(&results(40, 40));
    let html = datalab::report::html(&rep);
    // Every measure shown gets a chart; the provider's words are escaped.
    assert_eq!(html.matches("<svg class=\"chart\"").count(), 4);
    assert!(html.contains("Second Chance &lt;Trust&gt;"));
    assert!(!html.contains("<Trust>"));
    assert!(html.contains("mentoring &amp; housing support"));
    let statement = &rep
        .figures(Measure::Reoffending)
        .unwrap()
        .headline
        .statement;
    assert!(html.contains(statement.as_str()), "{statement}");
    // The chevron: six stages, the linkage losses protected together
    // (5 not found, 2 duplicates and 1 uncertain are all under 10).
    assert_eq!(rep.stages.len(), 6);
    assert_eq!(rep.stages[0].people, Count::Exact(262));
    assert_eq!(rep.stages[1].lost.len(), 3);
    assert!(
        rep.stages[1]
            .lost
            .iter()
            .all(|(_, n)| *n == Count::Below(10))
    );
    assert!(html.contains("Technical annex"));
    assert!(!html.contains("<script"));
    let json = rep.to_json();
    for leak in ["1000", "matched_rows", "scores", "pseudonym"] {
        assert!(!json.contains(leak), "{leak} in the report");
    }
}

#[test]
fn a_suppressed_measure_has_its_reason_and_no_chart() {
    let rep = report(&results(9, 9));
    let html = datalab::report::html(&rep);
    assert_eq!(html.matches("<svg class=\"chart\"").count(), 0);
    assert!(html.contains("fewer than 10 people in the treatment group committed a proven"));
    assert!(
        rep.caveats
            .iter()
            .any(|c| c.contains("Some results are not shown"))
    );
    assert!(
        rep.conclusions
            .iter()
            .any(|c| c.contains("cannot be reported"))
    );
}
