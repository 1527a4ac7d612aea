//! Nearest-neighbour and radius matching on a distance, with MatchIt's
//! conventions so that the same settings give the same matched sets.
//!
//! - Treated units are matched one at a time, largest distance first
//!   (MatchIt's default order for an estimated propensity score); equal
//!   distances keep the data's order.
//! - Each takes the available control nearest in distance; an exact tie
//!   goes to the control that comes first in the data.
//! - With a ratio k > 1 and no replacement, matching runs in k rounds:
//!   every treated unit receives its first control before any receives a
//!   second, so that early units do not take all the close controls.
//! - A control farther than the caliper is never taken; a treated unit with
//!   none within it is left unmatched (weight 0).
//! - With exact matching, units are matched only within the same exact
//!   stratum.
//! - Radius matching takes every control within the caliper of each
//!   treated unit, controls being reusable.
//!
//! Weights are the effect-on-the-treated weights MatchIt computes: 1 for a
//! matched treated unit; for a control, the sum over the treated units it
//! was matched to of one over the number of controls each received; then
//! control weights are scaled to add up to the number of distinct matched
//! controls.

use serde::Serialize;

/// How controls are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "method")]
pub enum Method {
    /// `ratio` nearest controls per treated unit.
    Nearest {
        /// Controls per treated unit.
        ratio: usize,
        /// Whether a control can be matched to more than one treated unit.
        replace: bool,
    },
    /// Every control within the caliper.
    Radius,
}

/// Which units outside the other group's range of distances to drop
/// before matching (common support).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Discard {
    /// Keep everyone.
    None,
    /// Drop treated units outside the controls' range.
    Treated,
    /// Drop controls outside the treated units' range.
    Control,
    /// Both.
    Both,
}

/// The outcome of matching.
#[derive(Debug, Clone)]
pub struct Matched {
    /// Each row's weight (0: not matched).
    pub weights: Vec<f64>,
    /// For each treated row, the control rows matched to it, in the order
    /// taken.
    pub pairs: Vec<(usize, Vec<usize>)>,
    /// Treated rows dropped by common support.
    pub discarded_treated: usize,
    /// Control rows dropped by common support.
    pub discarded_control: usize,
    /// Treated rows left without a control (none within the caliper or
    /// stratum).
    pub unmatched_treated: usize,
}

impl Matched {
    /// Treated rows that received at least one control.
    pub fn treated_matched(&self) -> usize {
        self.pairs.iter().filter(|(_, c)| !c.is_empty()).count()
    }

    /// Distinct controls used (`treated` is each row's treatment flag).
    pub fn controls_used(&self, treated: &[bool]) -> usize {
        self.weights
            .iter()
            .zip(treated)
            .filter(|(w, t)| **w > 0.0 && !**t)
            .count()
    }
}

/// Finds the nearest free control positions in a sorted array, skipping
/// taken ones in near-constant time (union-find with path halving).
struct Free {
    left: Vec<usize>,
    right: Vec<usize>,
}

impl Free {
    fn new(n: usize) -> Self {
        // Positions are 1-based in `left` (0 = none to the left) and
        // `right` has a sentinel at n (none to the right).
        Self {
            left: (0..=n).collect(),
            right: (0..=n).collect(),
        }
    }

    /// The free position at or before `p` (1-based), 0 if none.
    fn at_or_before(&mut self, mut p: usize) -> usize {
        while self.left[p] != p {
            self.left[p] = self.left[self.left[p]];
            p = self.left[p];
        }
        p
    }

    /// The free position at or after `p` (0-based), n if none.
    fn at_or_after(&mut self, mut p: usize) -> usize {
        while self.right[p] != p {
            self.right[p] = self.right[self.right[p]];
            p = self.right[p];
        }
        p
    }

    fn take(&mut self, p: usize) {
        self.left[p + 1] = p;
        self.right[p] = p + 1;
    }
}

/// Matches within one stratum. `treated` in matching order; `controls`
/// sorted by (distance, row).
fn stratum(
    distance: &[f64],
    treated: &[usize],
    controls: &[usize],
    method: Method,
    caliper: f64,
    out: &mut [(usize, Vec<usize>)],
    slot: &dyn Fn(usize) -> usize,
) {
    let d: Vec<f64> = controls.iter().map(|&c| distance[c]).collect();
    let n = controls.len();
    let better = |a: usize, b: usize, t: f64| -> usize {
        // The nearer of two sorted positions; a tie goes to the earlier row.
        let (da, db) = ((d[a] - t).abs(), (d[b] - t).abs());
        if da < db || (da == db && controls[a] < controls[b]) {
            a
        } else {
            b
        }
    };
    match method {
        Method::Radius => {
            for &t in treated {
                let x = distance[t];
                let lo = d.partition_point(|&v| v < x - caliper);
                let hi = d.partition_point(|&v| v <= x + caliper);
                let mut taken: Vec<usize> = controls[lo..hi].to_vec();
                taken.sort_unstable();
                out[slot(t)].1 = taken;
            }
        }
        Method::Nearest {
            ratio,
            replace: true,
        } => {
            for &t in treated {
                let x = distance[t];
                let pos = d.partition_point(|&v| v < x);
                let mut right = pos;
                // Left candidates are taken a run of equal distances at a
                // time, from the run's start (its earliest row): `run` is
                // the part of the current run not yet taken.
                let mut left_end = pos;
                let mut run = pos..pos;
                let mut taken = Vec::with_capacity(ratio);
                while taken.len() < ratio {
                    if run.is_empty() && left_end > 0 {
                        let v = d[left_end - 1];
                        let start = d[..left_end].partition_point(|&u| u < v);
                        run = start..left_end;
                        left_end = start;
                    }
                    let left = (!run.is_empty()).then_some(run.start);
                    let pick = match (left, (right < n).then_some(right)) {
                        (Some(a), Some(b)) => better(a, b, x),
                        (Some(a), None) => a,
                        (None, Some(b)) => b,
                        (None, None) => break,
                    };
                    if (d[pick] - x).abs() > caliper {
                        break;
                    }
                    taken.push(controls[pick]);
                    if Some(pick) == left {
                        run.start += 1;
                    } else {
                        right += 1;
                    }
                }
                out[slot(t)].1 = taken;
            }
        }
        Method::Nearest {
            ratio,
            replace: false,
        } => {
            let mut free = Free::new(n);
            // Units that missed a round (nothing within the caliper) get no
            // further rounds.
            let mut active: Vec<bool> = vec![true; treated.len()];
            for _round in 0..ratio {
                for (k, &t) in treated.iter().enumerate() {
                    if !active[k] {
                        continue;
                    }
                    let x = distance[t];
                    let pos = d.partition_point(|&v| v < x);
                    let left = free.at_or_before(pos);
                    let right = free.at_or_after(pos);
                    // `left` is 1-based (0: none); a run of equal distances
                    // on the left is entered at its last free position:
                    // move to its first, the earliest row.
                    let mut left = (left > 0).then(|| left - 1);
                    while let Some(p) = left
                        && p > 0
                    {
                        let q = free.at_or_before(p);
                        if q > 0 && d[q - 1] == d[p] {
                            left = Some(q - 1);
                        } else {
                            break;
                        }
                    }
                    let right = (right < n).then_some(right);
                    let pick = match (left, right) {
                        (Some(a), Some(b)) => Some(better(a, b, x)),
                        (a, b) => a.or(b),
                    };
                    match pick.filter(|&p| (d[p] - x).abs() <= caliper) {
                        Some(p) => {
                            free.take(p);
                            out[slot(t)].1.push(controls[p]);
                        }
                        None => active[k] = false,
                    }
                }
            }
        }
    }
}

/// Which rows common-support trimming keeps: with [`Discard::Treated`],
/// treated rows outside the range of the controls' distances are dropped,
/// and the other way round for [`Discard::Control`]. Both ranges come from
/// the full sample, as MatchIt takes them.
pub fn support(distance: &[f64], treated: &[bool], discard: Discard) -> Vec<bool> {
    let range = |want: bool| {
        distance
            .iter()
            .zip(treated)
            .filter(|(_, t)| **t == want)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), (&d, _)| {
                (lo.min(d), hi.max(d))
            })
    };
    let (tlo, thi) = range(true);
    let (clo, chi) = range(false);
    let outside = |d: f64, (lo, hi): (f64, f64)| d < lo || d > hi;
    distance
        .iter()
        .zip(treated)
        .map(|(&d, &t)| {
            !if t {
                matches!(discard, Discard::Treated | Discard::Both) && outside(d, (clo, chi))
            } else {
                matches!(discard, Discard::Control | Discard::Both) && outside(d, (tlo, thi))
            }
        })
        .collect()
}

/// Matches treated rows to controls on `distance`.
///
/// `strata` (exact matching) gives each row a stratum; `caliper` is in the
/// distance's own units (`f64::INFINITY` for none).
pub fn match_on(
    distance: &[f64],
    treated: &[bool],
    method: Method,
    caliper: f64,
    strata: Option<&[u32]>,
    discard: Discard,
) -> Matched {
    let n = distance.len();
    let keep = support(distance, treated, discard);
    let dropped = |want: bool| (0..n).filter(|&i| treated[i] == want && !keep[i]).count();
    let (discarded_treated, discarded_control) = (dropped(true), dropped(false));
    // Matching order: largest distance first, the data's order for ties.
    let mut order: Vec<usize> = (0..n).filter(|&i| treated[i] && keep[i]).collect();
    order.sort_by(|&a, &b| distance[b].total_cmp(&distance[a]).then(a.cmp(&b)));
    let mut pairs: Vec<(usize, Vec<usize>)> = order.iter().map(|&t| (t, Vec::new())).collect();
    let slot_of: rustc_hash::FxHashMap<usize, usize> =
        order.iter().enumerate().map(|(k, &t)| (t, k)).collect();
    let slot = |t: usize| slot_of[&t];
    let stratum_of = |i: usize| strata.map_or(0, |s| s[i]);
    let mut groups: std::collections::BTreeMap<u32, (Vec<usize>, Vec<usize>)> = Default::default();
    for &t in &order {
        groups.entry(stratum_of(t)).or_default().0.push(t);
    }
    for i in (0..n).filter(|&i| !treated[i] && keep[i]) {
        groups.entry(stratum_of(i)).or_default().1.push(i);
    }
    for (ts, mut cs) in groups.into_values() {
        if ts.is_empty() || cs.is_empty() {
            continue;
        }
        cs.sort_by(|&a, &b| distance[a].total_cmp(&distance[b]).then(a.cmp(&b)));
        stratum(distance, &ts, &cs, method, caliper, &mut pairs, &slot);
    }
    let weights = weights(n, &pairs);
    let unmatched_treated = pairs.iter().filter(|(_, c)| c.is_empty()).count();
    Matched {
        weights,
        pairs,
        discarded_treated,
        discarded_control,
        unmatched_treated,
    }
}

/// MatchIt's effect-on-the-treated weights (see the module documentation).
fn weights(n: usize, pairs: &[(usize, Vec<usize>)]) -> Vec<f64> {
    let mut w = vec![0.0; n];
    for (t, controls) in pairs {
        if controls.is_empty() {
            continue;
        }
        w[*t] = 1.0;
        let share = 1.0 / controls.len() as f64;
        for &c in controls {
            w[c] += share;
        }
    }
    let mut is_control = vec![false; n];
    for (_, controls) in pairs {
        for &c in controls {
            is_control[c] = true;
        }
    }
    let matched = is_control.iter().filter(|c| **c).count() as f64;
    let total: f64 = w
        .iter()
        .zip(&is_control)
        .filter(|(_, c)| **c)
        .map(|(w, _)| w)
        .sum();
    if total > 0.0 {
        for (w, c) in w.iter_mut().zip(&is_control) {
            if *c {
                *w *= matched / total;
            }
        }
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nearest(ratio: usize, replace: bool) -> Method {
        Method::Nearest { ratio, replace }
    }

    #[test]
    fn greedy_order_is_largest_first_and_ties_go_to_the_earliest_control() {
        // Treated at 0.9 and 0.5; controls at 0.8, 0.625, 0.375 (an exact
        // tie for 0.5: binary fractions, so the gaps are equal in floating
        // point too), 0.1.
        let d = [0.9, 0.5, 0.8, 0.625, 0.375, 0.1];
        let t = [true, true, false, false, false, false];
        let m = match_on(
            &d,
            &t,
            nearest(1, false),
            f64::INFINITY,
            None,
            Discard::None,
        );
        assert_eq!(m.pairs, vec![(0, vec![2]), (1, vec![3])]);
        assert_eq!(m.weights, vec![1.0, 1.0, 1.0, 1.0, 0.0, 0.0]);
    }

    #[test]
    fn ratio_matching_runs_in_rounds() {
        // Two treated close together; four controls. In rounds, each takes
        // one close control before either takes a second.
        let d = [0.50, 0.49, 0.505, 0.495, 0.3, 0.7];
        let t = [true, true, false, false, false, false];
        let m = match_on(
            &d,
            &t,
            nearest(2, false),
            f64::INFINITY,
            None,
            Discard::None,
        );
        assert_eq!(m.pairs[0], (0, vec![2, 5]));
        assert_eq!(m.pairs[1], (1, vec![3, 4]));
        assert!(
            m.weights
                .iter()
                .all(|&w| (w - 1.0).abs() < 1e-12 || w == 0.0)
        );
    }

    #[test]
    fn calipers_leave_treated_units_unmatched() {
        let d = [0.9, 0.1, 0.85, 0.11];
        let t = [true, true, false, false];
        let m = match_on(&d, &t, nearest(1, false), 0.02, None, Discard::None);
        assert_eq!(m.pairs, vec![(0, vec![]), (1, vec![3])]);
        assert_eq!(m.unmatched_treated, 1);
        assert_eq!(m.weights, vec![0.0, 1.0, 0.0, 1.0]);
    }

    #[test]
    fn replacement_reuses_controls_and_weights_follow_matchit() {
        // Both treated units want control 2; with replacement both get it.
        let d = [0.5, 0.52, 0.51, 0.1, 0.2];
        let t = [true, true, false, false, false];
        let m = match_on(&d, &t, nearest(2, true), f64::INFINITY, None, Discard::None);
        assert_eq!(m.pairs, vec![(1, vec![2, 4]), (0, vec![2, 4])]);
        // Control 2: 1/2 + 1/2 = 1; control 4: 1/2 + 1/2 = 1; two distinct
        // controls, total 2: no rescaling.
        assert_eq!(m.weights, vec![1.0, 1.0, 1.0, 0.0, 1.0]);
        let m = match_on(&d, &t, nearest(1, true), f64::INFINITY, None, Discard::None);
        // One control serving two treated: weight 2, scaled to 1 (one
        // distinct control).
        assert_eq!(m.weights, vec![1.0, 1.0, 1.0, 0.0, 0.0]);
    }

    #[test]
    fn ties_among_equal_scores_go_to_the_earliest_row_with_and_without_replacement() {
        // Controls 1..=4 share the score 0.4 (identical covariates); the
        // treated unit at 0.5 must take them in data order.
        let d = [0.5, 0.4, 0.4, 0.4, 0.4, 0.9];
        let t = [true, false, false, false, false, false];
        for replace in [false, true] {
            let m = match_on(
                &d,
                &t,
                nearest(3, replace),
                f64::INFINITY,
                None,
                Discard::None,
            );
            assert_eq!(m.pairs, vec![(0, vec![1, 2, 3])], "replace = {replace}");
        }
    }

    #[test]
    fn exact_strata_are_respected() {
        let d = [0.5, 0.5, 0.49, 0.2];
        let t = [true, true, false, false];
        let strata = [0, 1, 0, 1];
        let m = match_on(
            &d,
            &t,
            nearest(1, false),
            f64::INFINITY,
            Some(&strata),
            Discard::None,
        );
        let mut pairs = m.pairs.clone();
        pairs.sort();
        assert_eq!(pairs, vec![(0, vec![2]), (1, vec![3])]);
    }

    #[test]
    fn radius_takes_every_control_within_the_caliper() {
        let d = [0.5, 0.45, 0.52, 0.56, 0.1];
        let t = [true, false, false, false, false];
        let m = match_on(&d, &t, Method::Radius, 0.05, None, Discard::None);
        assert_eq!(m.pairs, vec![(0, vec![1, 2])]);
        assert_eq!(m.weights, vec![1.0, 1.0, 1.0, 0.0, 0.0]);
    }

    #[test]
    fn common_support_drops_units_outside_the_other_groups_range() {
        let d = [0.95, 0.5, 0.4, 0.6, 0.05];
        let t = [true, true, false, false, false];
        let m = match_on(
            &d,
            &t,
            nearest(1, false),
            f64::INFINITY,
            None,
            Discard::Both,
        );
        // Both ranges come from the full sample: treated [0.5, 0.95] and
        // controls [0.05, 0.6]. The treated 0.95 lies above every control;
        // the controls 0.4 and 0.05 lie below every treated unit.
        assert_eq!((m.discarded_treated, m.discarded_control), (1, 2));
        assert_eq!(m.pairs, vec![(1, vec![3])]);
    }

    #[test]
    fn without_replacement_no_control_is_used_twice_at_scale() {
        let n = 20_000;
        let d: Vec<f64> = (0..n)
            .map(|i| f64::from((i * 7919) % 10_007) / 10_007.0)
            .collect();
        let t: Vec<bool> = (0..n).map(|i| i % 10 == 0).collect();
        let m = match_on(&d, &t, nearest(3, false), 0.01, None, Discard::None);
        let mut seen = std::collections::HashSet::new();
        for (_, cs) in &m.pairs {
            for &c in cs {
                assert!(!t[c]);
                assert!(seen.insert(c), "control {c} used twice");
            }
        }
        let total: f64 = m
            .weights
            .iter()
            .zip(&t)
            .filter(|(_, t)| !**t)
            .map(|(w, _)| w)
            .sum();
        assert!((total - seen.len() as f64).abs() < 1e-6);
    }
}
