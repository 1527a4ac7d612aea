//! The Fellegi-Sunter model: how much each level of each comparison says
//! about whether two records are the same person.
//!
//! For comparison `c` at level `k`, `m` is the probability of that level
//! among true matches and `u` among random pairs; the level adds
//! `log2(m / u)` bits to the pair's match weight, and the weight starts from
//! the prior odds `log2(lambda / (1 - lambda))` that two random records
//! match. Missing values add nothing.
//!
//! - `u` is measured on random pairs (almost all non-matches), except at
//!   exact agreement on term-frequency adjusted fields, where the value's
//!   own frequency among right-hand records is used: agreeing on "Smith"
//!   says less than agreeing on "Zaborowski".
//! - `m` is estimated by expectation-maximisation on the candidate pairs,
//!   once per blocking rule, leaving out the comparisons that rule keys on
//!   (within a rule's pairs those agree by construction, so they would say
//!   nothing about matches); each comparison's `m` is the average over the
//!   sessions that left it free. Sessions run in the rules' order, each
//!   starting from the estimates of those before it, so the purest rules
//!   (identifiers) should come first. A session that stops at its
//!   iteration limit without converging is reported, and its estimates are
//!   not used: EM on a rule whose pairs are mostly non-matches can settle
//!   on a spurious class.
//! - No level's `m` falls below 0.001: real records always carry some error,
//!   so no single disagreement may rule a match out on its own.
//! - `lambda` is then estimated on all candidate pairs with `m` and `u`
//!   fixed, and scaled from candidate pairs to all pairs.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;

use super::block::Candidates;
use super::compare::Comparison;

/// Probabilities are kept away from 0 and 1 so every weight is finite.
const FLOOR: f64 = 1e-6;

/// The least `m` of any level (see the module documentation).
const M_FLOOR: f64 = 1e-3;

/// Learned parameters of one comparison.
#[derive(Debug, Clone, Serialize)]
pub struct Parameters {
    /// The comparison's label.
    pub comparison: String,
    /// Level names, level 0 being "missing".
    pub levels: Vec<String>,
    /// Probability of each level among true matches (0 for "missing").
    pub m: Vec<f64>,
    /// Probability of each level among random pairs (0 for "missing").
    pub u: Vec<f64>,
}

/// How one EM session went.
#[derive(Debug, Clone, Serialize)]
pub struct Session {
    /// The blocking rule whose pairs were used.
    pub rule: String,
    /// Comparisons whose `m` this session estimated.
    pub estimated: Vec<String>,
    /// Candidate pairs used.
    pub pairs: u64,
    /// Iterations run.
    pub iterations: u32,
    /// Whether the parameters settled (largest change below the tolerance)
    /// before the iteration limit.
    pub converged: bool,
    /// Whether its estimates went into the model (only converged sessions'
    /// do).
    pub used: bool,
}

/// Everything learned about the data, and how.
#[derive(Debug, Clone, Serialize)]
pub struct Model {
    /// Prior probability that two random records match.
    pub lambda: f64,
    /// Per comparison.
    pub parameters: Vec<Parameters>,
    /// One EM session per blocking rule.
    pub sessions: Vec<Session>,
    /// Whether every session converged.
    pub converged: bool,
    /// Random pairs used to estimate `u`.
    pub u_samples: u64,
}

impl Model {
    /// The blocking rules whose EM session stopped at its iteration limit
    /// without converging (their estimates are not used).
    pub fn unsettled(&self) -> Vec<&str> {
        self.sessions
            .iter()
            .filter(|s| !s.converged)
            .map(|s| s.rule.as_str())
            .collect()
    }
}

/// Settings for training.
#[derive(Debug, Clone, Copy)]
pub struct Training {
    /// Random pairs for `u`.
    pub u_samples: u64,
    /// EM iteration limit per session.
    pub max_iterations: u32,
    /// EM stops when no parameter moves more than this.
    pub tolerance: f64,
    /// Seed for the random pairs.
    pub seed: u64,
}

impl Default for Training {
    fn default() -> Self {
        Self {
            u_samples: 2_000_000,
            max_iterations: 50,
            tolerance: 1e-5,
            seed: 1,
        }
    }
}

/// Most comparisons a model can hold: each pair's levels are packed four
/// bits a comparison into one `u64`, so that counting level patterns for EM
/// hashes integers.
pub const MAX_COMPARISONS: usize = 16;

/// A pair's levels, packed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Pattern(u64);

impl Pattern {
    pub fn new(levels: impl IntoIterator<Item = u8>) -> Self {
        let mut p = 0u64;
        for (c, level) in levels.into_iter().enumerate() {
            p |= u64::from(level & 0xf) << (4 * c);
        }
        Self(p)
    }

    pub fn get(self, c: usize) -> u8 {
        ((self.0 >> (4 * c)) & 0xf) as u8
    }

    pub fn unpack(self, n: usize) -> Vec<u8> {
        (0..n).map(|c| self.get(c)).collect()
    }
}

/// The levels of every candidate pair.
pub(crate) struct Levels {
    pub n: usize,
    pub data: Vec<Pattern>,
}

impl Levels {
    pub fn compute(comparisons: &[Box<dyn Comparison + '_>], candidates: &Candidates) -> Self {
        assert!(
            comparisons.len() <= MAX_COMPARISONS,
            "at most {MAX_COMPARISONS} comparisons"
        );
        let data = (0..candidates.len())
            .into_par_iter()
            .with_min_len(4096)
            .map(|i| {
                let (l, r) = candidates.get(i);
                Pattern::new(comparisons.iter().map(|c| c.level(l, r)))
            })
            .collect();
        Self {
            n: comparisons.len(),
            data,
        }
    }

    pub fn row(&self, i: usize) -> Vec<u8> {
        self.data[i].unpack(self.n)
    }
}

/// Level counts over random pairs of records, deterministic for a seed.
///
/// The pairs are drawn first and sorted by right-hand record before being
/// compared, for the same cache reasons candidate pairs are.
fn random_pairs(
    comparisons: &[Box<dyn Comparison + '_>],
    n_left: usize,
    n_right: usize,
    dedupe: bool,
    samples: u64,
    seed: u64,
) -> Vec<Vec<u64>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut pairs: Vec<u64> = (0..samples)
        .map(|_| {
            let l = rng.random_range(0..n_left);
            let mut r = rng.random_range(0..n_right);
            if dedupe && n_right > 1 {
                while r == l {
                    r = rng.random_range(0..n_right);
                }
            }
            ((r as u64) << 32) | l as u64
        })
        .collect();
    pairs.par_sort_unstable();
    let zero = || {
        comparisons
            .iter()
            .map(|c| vec![0u64; c.levels().len()])
            .collect::<Vec<_>>()
    };
    pairs
        .par_chunks(65_536)
        .map(|chunk| {
            let mut counts = zero();
            for &p in chunk {
                let (l, r) = ((p & 0xffff_ffff) as usize, (p >> 32) as usize);
                for (c, cmp) in comparisons.iter().enumerate() {
                    counts[c][cmp.level(l, r) as usize] += 1;
                }
            }
            counts
        })
        .reduce(zero, |mut a, b| {
            for (x, y) in a.iter_mut().zip(b) {
                for (p, q) in x.iter_mut().zip(y) {
                    *p += q;
                }
            }
            a
        })
}

/// Starting `m`: most matches agree exactly, a few less closely.
fn initial_m(levels: usize) -> Vec<f64> {
    let mut m = vec![0.0; levels];
    if levels < 3 {
        return m;
    }
    let informative = levels - 1;
    for (k, v) in m.iter_mut().enumerate().skip(1) {
        *v = if k == levels - 1 {
            0.7
        } else {
            0.3 / (informative - 1) as f64
        };
    }
    m
}

fn normalise(v: &mut [f64]) {
    let total: f64 = v.iter().skip(1).sum();
    if total > 0.0 {
        for x in v.iter_mut().skip(1) {
            *x = (*x / total).max(M_FLOOR);
        }
    }
    v[0] = 0.0;
}

/// The average of a comparison's estimates so far.
fn average(estimates: &[Vec<f64>], levels: usize) -> Option<Vec<f64>> {
    if estimates.is_empty() {
        return None;
    }
    let mut avg = vec![0.0; levels];
    for e in estimates {
        for (a, x) in avg.iter_mut().zip(e) {
            *a += x / estimates.len() as f64;
        }
    }
    normalise(&mut avg);
    Some(avg)
}

/// One EM session over pattern counts; returns (iterations, converged, lambda).
fn em(
    patterns: &[(Pattern, u64)],
    free: &[usize],
    m: &mut [Vec<f64>],
    u: &[Vec<f64>],
    lambda: &mut f64,
    update_m: bool,
    t: &Training,
) -> (u32, bool) {
    for it in 1..=t.max_iterations {
        let mut m_acc: Vec<Vec<f64>> = m.iter().map(|v| vec![0.0; v.len()]).collect();
        let (mut matched, mut total) = (0.0, 0.0);
        for (levels, count) in patterns {
            let (mut pm, mut pu) = (*lambda, 1.0 - *lambda);
            for &c in free {
                let k = levels.get(c) as usize;
                if k > 0 {
                    pm *= m[c][k];
                    pu *= u[c][k];
                }
            }
            let p = if pm + pu > 0.0 { pm / (pm + pu) } else { 0.0 };
            let w = p * *count as f64;
            matched += w;
            total += *count as f64;
            for &c in free {
                m_acc[c][levels.get(c) as usize] += w;
            }
        }
        let new_lambda = (matched / total).clamp(FLOOR, 1.0 - FLOOR);
        let mut change = (new_lambda - *lambda).abs() / lambda.max(FLOOR);
        *lambda = new_lambda;
        if update_m {
            for &c in free {
                normalise(&mut m_acc[c]);
                for (old, new) in m[c].iter_mut().zip(&m_acc[c]).skip(1) {
                    change = change.max((*old - new).abs());
                    *old = *new;
                }
            }
        }
        if change < t.tolerance {
            return (it, true);
        }
    }
    (t.max_iterations, false)
}

/// Counts each distinct level pattern among the pairs `select` keeps.
fn patterns(levels: &Levels, select: impl Fn(usize) -> bool + Sync) -> Vec<(Pattern, u64)> {
    let maps: Vec<FxHashMap<Pattern, u64>> = (0..levels.data.len())
        .into_par_iter()
        .with_min_len(65_536)
        .fold(FxHashMap::default, |mut map: FxHashMap<Pattern, u64>, i| {
            if select(i) {
                *map.entry(levels.data[i]).or_default() += 1;
            }
            map
        })
        .collect();
    let mut all: FxHashMap<Pattern, u64> = FxHashMap::default();
    for map in maps {
        for (k, v) in map {
            *all.entry(k).or_default() += v;
        }
    }
    let mut out: Vec<(Pattern, u64)> = all.into_iter().collect();
    // Deterministic order, so floating-point sums are the same every run.
    out.sort_unstable();
    out
}

/// Learns the model from candidate pairs.
#[allow(clippy::too_many_arguments)]
pub(crate) fn train(
    comparisons: &[Box<dyn Comparison + '_>],
    rules: &[(String, Vec<&str>)],
    candidates: &Candidates,
    levels: &Levels,
    n_left: usize,
    n_right: usize,
    dedupe: bool,
    t: &Training,
) -> Model {
    let counts = random_pairs(comparisons, n_left, n_right, dedupe, t.u_samples, t.seed);
    let u: Vec<Vec<f64>> = counts
        .iter()
        .map(|c| {
            let present: u64 = c.iter().skip(1).sum();
            let mut v: Vec<f64> = c
                .iter()
                .map(|&x| (x as f64 + 0.5) / (present as f64 + 1.0))
                .collect();
            v[0] = 0.0;
            v
        })
        .collect();

    let all_pairs = candidates.len() as f64;
    let total_pairs = if dedupe {
        n_left as f64 * (n_left as f64 - 1.0) / 2.0
    } else {
        n_left as f64 * n_right as f64
    };
    let mut estimates: Vec<Vec<Vec<f64>>> = vec![Vec::new(); comparisons.len()];
    let mut sessions = Vec::new();
    for (r, (name, columns)) in rules.iter().enumerate() {
        let free: Vec<usize> = comparisons
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.columns().iter().any(|col| columns.contains(col)))
            .map(|(i, _)| i)
            .collect();
        let pats = patterns(levels, |i| candidates.rules[i] & (1 << r) != 0);
        let pairs: u64 = pats.iter().map(|p| p.1).sum();
        if free.is_empty() || pairs == 0 {
            continue;
        }
        let mut m: Vec<Vec<f64>> = estimates
            .iter()
            .zip(comparisons)
            .map(|(est, c)| {
                average(est, c.levels().len()).unwrap_or_else(|| initial_m(c.levels().len()))
            })
            .collect();
        let mut lambda = (n_left.min(n_right) as f64 / pairs as f64).clamp(1e-4, 0.5);
        let (iterations, converged) = em(&pats, &free, &mut m, &u, &mut lambda, true, t);
        if converged {
            for &c in &free {
                estimates[c].push(m[c].clone());
            }
        }
        sessions.push(Session {
            rule: name.clone(),
            estimated: free
                .iter()
                .map(|&c| comparisons[c].label().to_string())
                .collect(),
            pairs,
            iterations,
            converged,
            used: converged,
        });
    }
    let mut m: Vec<Vec<f64>> = estimates
        .iter()
        .zip(comparisons)
        .map(|(est, c)| {
            average(est, c.levels().len()).unwrap_or_else(|| initial_m(c.levels().len()))
        })
        .collect();

    // Prior over candidate pairs, then over all pairs.
    let pats = patterns(levels, |_| true);
    let all: Vec<usize> = (0..comparisons.len()).collect();
    let mut lambda_candidates = (n_left.min(n_right) as f64 / all_pairs.max(1.0)).clamp(1e-6, 0.5);
    let (iterations, converged) = em(&pats, &all, &mut m, &u, &mut lambda_candidates, false, t);
    sessions.push(Session {
        rule: "all candidate pairs (prior only)".into(),
        estimated: Vec::new(),
        pairs: all_pairs as u64,
        iterations,
        converged,
        used: true,
    });
    let lambda = (lambda_candidates * all_pairs / total_pairs.max(1.0)).clamp(1e-12, 0.5);

    let parameters = comparisons
        .iter()
        .zip(m)
        .zip(u)
        .map(|((c, m), u)| Parameters {
            comparison: c.label().to_string(),
            levels: c.levels().iter().map(|s| s.to_string()).collect(),
            m,
            u,
        })
        .collect();
    Model {
        lambda,
        converged: sessions.iter().all(|s| s.converged),
        parameters,
        sessions,
        u_samples: t.u_samples,
    }
}

/// One comparison's part in a pair's weight.
#[derive(Debug, Clone, Serialize)]
pub struct Contribution {
    /// The comparison.
    pub comparison: String,
    /// The level reached.
    pub level: String,
    /// Bits added to the match weight (0 when missing).
    pub weight: f64,
    /// Of which, the term-frequency adjustment for this exact value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub term_frequency: Option<f64>,
}

impl Model {
    /// The prior, in bits.
    pub fn prior_weight(&self) -> f64 {
        (self.lambda / (1.0 - self.lambda)).log2()
    }

    fn bits(&self, c: usize, level: u8, tf: Option<f64>) -> (f64, Option<f64>) {
        let k = level as usize;
        if k == 0 {
            return (0.0, None);
        }
        let p = &self.parameters[c];
        let base = (p.m[k].max(FLOOR) / p.u[k].max(FLOOR)).log2();
        match tf {
            // The value's own frequency replaces the average chance of
            // agreeing exactly.
            Some(f) => {
                let adj = (p.u[k].max(FLOOR) / f.max(FLOOR)).log2();
                (base + adj, Some(adj))
            }
            None => (base, None),
        }
    }

    /// A pair's match weight, in bits.
    pub(crate) fn weight(
        &self,
        comparisons: &[Box<dyn Comparison + '_>],
        levels: &[u8],
        l: usize,
        r: usize,
    ) -> f64 {
        let mut w = self.prior_weight();
        for (c, (&level, cmp)) in levels.iter().zip(comparisons).enumerate() {
            let tf = (level == cmp.exact_level())
                .then(|| cmp.exact_frequency(l, r))
                .flatten();
            w += self.bits(c, level, tf).0;
        }
        w
    }

    /// Each comparison's contribution to a pair's weight.
    pub(crate) fn explain(
        &self,
        comparisons: &[Box<dyn Comparison + '_>],
        levels: &[u8],
        l: usize,
        r: usize,
    ) -> Vec<Contribution> {
        levels
            .iter()
            .zip(comparisons)
            .enumerate()
            .map(|(c, (&level, cmp))| {
                let tf = (level == cmp.exact_level())
                    .then(|| cmp.exact_frequency(l, r))
                    .flatten();
                let (weight, term_frequency) = self.bits(c, level, tf);
                Contribution {
                    comparison: cmp.label().to_string(),
                    level: cmp.levels()[level as usize].to_string(),
                    weight: (weight * 1000.0).round() / 1000.0,
                    term_frequency: term_frequency.map(|t| (t * 1000.0).round() / 1000.0),
                }
            })
            .collect()
    }
}

/// Match probability from a weight in bits.
pub fn probability(weight: f64) -> f64 {
    1.0 / (1.0 + (-weight).exp2())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pattern counts from a known two-class mixture: EM must recover its
    /// parameters.
    #[test]
    fn em_recovers_known_parameters() {
        // Two comparisons with three informative levels each (plus missing).
        let m_true: [Vec<f64>; 2] = [vec![0.0, 0.05, 0.15, 0.8], vec![0.0, 0.1, 0.2, 0.7]];
        let u_true = [vec![0.0, 0.9, 0.08, 0.02], vec![0.0, 0.85, 0.1, 0.05]];
        let (n_match, n_non) = (20_000.0f64, 180_000.0f64);
        let mut pats = Vec::new();
        for a in 1..4u8 {
            for b in 1..4u8 {
                let (ia, ib) = (a as usize, b as usize);
                let count =
                    n_match * m_true[0][ia] * m_true[1][ib] + n_non * u_true[0][ia] * u_true[1][ib];
                pats.push((Pattern::new([a, b]), count.round() as u64));
            }
        }
        let u: Vec<Vec<f64>> = u_true.to_vec();
        let mut m = vec![initial_m(4), initial_m(4)];
        let mut lambda = 0.5;
        let t = Training {
            max_iterations: 500,
            tolerance: 1e-9,
            ..Training::default()
        };
        let (_, converged) = em(&pats, &[0, 1], &mut m, &u, &mut lambda, true, &t);
        assert!(converged);
        assert!((lambda - 0.1).abs() < 2e-3, "lambda {lambda}");
        for c in 0..2 {
            for k in 1..4 {
                assert!(
                    (m[c][k] - m_true[c][k]).abs() < 0.01,
                    "m[{c}][{k}] = {} vs {}",
                    m[c][k],
                    m_true[c][k]
                );
            }
        }
    }

    #[test]
    fn em_reports_when_it_runs_out_of_iterations() {
        let pats = vec![(Pattern::new([3]), 10), (Pattern::new([1]), 1000)];
        let u = vec![vec![0.0, 0.9, 0.08, 0.02]];
        let mut m = vec![initial_m(4)];
        let mut lambda = 0.3;
        let t = Training {
            max_iterations: 2,
            tolerance: 1e-12,
            ..Training::default()
        };
        let (iterations, converged) = em(&pats, &[0], &mut m, &u, &mut lambda, true, &t);
        assert_eq!((iterations, converged), (2, false));
    }

    #[test]
    fn probability_and_weight_agree() {
        assert!((probability(0.0) - 0.5).abs() < 1e-12);
        assert!((probability(10.0) - 1024.0 / 1025.0).abs() < 1e-12);
        assert!(probability(-40.0) < 1e-11);
    }
}
