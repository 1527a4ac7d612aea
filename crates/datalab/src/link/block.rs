//! Blocking: which pairs are worth comparing at all.
//!
//! Comparing every left record with every right record is out of the
//! question at national scale (10,000 x 3.6 million is 36 billion pairs).
//! A blocking rule keys each record (say, the sound of the surname and the
//! year of birth) and only records sharing a key are paired. Several rules
//! catch what one misses (a misspelt surname is still caught by the date of
//! birth), and their pairs are unioned, each pair once, remembering which
//! rules produced it.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::compare::ymd;
use super::prepare::{NameColumn, PostcodeKey};

/// One part of a blocking key, over a prepared column.
pub(crate) enum Part<'a> {
    /// The name's Double Metaphone primary code.
    Metaphone(&'a NameColumn),
    /// The Double Metaphone code of one name column on the left and of
    /// another on the right: keys forename and surname recorded the wrong
    /// way round.
    CrossMetaphone {
        left: &'a NameColumn,
        right: &'a NameColumn,
    },
    /// The name's first letter.
    Initial(&'a NameColumn),
    /// An exact date.
    Date(&'a [Option<i32>], &'a [Option<i32>]),
    /// The year of a date.
    Year(&'a [Option<i32>], &'a [Option<i32>]),
    /// A postcode's sector ("M14 5").
    Sector(&'a [Option<PostcodeKey>], &'a [Option<PostcodeKey>]),
    /// A postcode's district ("M14").
    District(&'a [Option<PostcodeKey>], &'a [Option<PostcodeKey>]),
    /// Any exactly compared value, already hashed.
    Hashed(&'a [Option<u64>], &'a [Option<u64>]),
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    Left,
    Right,
}

impl Part<'_> {
    fn key(&self, side: Side, i: usize) -> Option<u64> {
        fn pick<T>(side: Side, left: T, right: T) -> T {
            if side == Side::Left { left } else { right }
        }
        match self {
            Part::Metaphone(c) => {
                let id = pick(side, &c.left, &c.right)[i]?;
                let sound = c.vocab.values[id as usize].sounds.0;
                (sound != 0).then_some(sound)
            }
            Part::CrossMetaphone { left, right } => {
                let c = pick(side, left, right);
                let id = pick(side, &c.left, &c.right)[i]?;
                let sound = c.vocab.values[id as usize].sounds.0;
                (sound != 0).then_some(sound)
            }
            Part::Initial(c) => {
                let id = pick(side, &c.left, &c.right)[i]?;
                c.vocab.values[id as usize].initial().map(u64::from)
            }
            Part::Date(l, r) => pick(side, l, r)[i].map(|d| d as u64),
            Part::Year(l, r) => pick(side, l, r)[i].map(|d| ymd(d).0 as u64),
            Part::Sector(l, r) => pick(side, l, r)[i].map(|p| p.sector),
            Part::District(l, r) => pick(side, l, r)[i].map(|p| p.district),
            Part::Hashed(l, r) => pick(side, l, r)[i],
        }
    }
}

/// A blocking rule: records are paired when every part of their keys agrees.
pub(crate) struct Rule<'a> {
    /// How the rule is shown to people, e.g. "metaphone(surname), year(dob)".
    pub name: String,
    /// The engine's names of the columns the rule keys on.
    pub columns: Vec<&'a str>,
    pub parts: Vec<Part<'a>>,
}

impl Rule<'_> {
    fn key(&self, side: Side, i: usize) -> Option<u64> {
        let mut k = 0xcbf2_9ce4_8422_2325u64;
        for part in &self.parts {
            k = k.rotate_left(17) ^ part.key(side, i)?.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
        Some(k)
    }
}

/// Why candidate pairs could not be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BlockingError {
    /// A rule would produce too many pairs to compare.
    #[error(
        "the blocking rule [{rule}] would produce {pairs} candidate pairs, more than the limit of {limit}: its key is too common. Add a more selective part, such as year(dob) or initial(forename), or raise the limit if the machine can take it"
    )]
    TooManyPairs {
        /// The rule.
        rule: String,
        /// How many pairs it would make.
        pairs: u64,
        /// The limit.
        limit: u64,
    },
}

/// Candidate pairs, each with the bit mask of the rules that produced it.
///
/// Pairs are packed `right << 32 | left` and sorted, so pairs come in order
/// of the right-hand record: the right side is the big one (millions of
/// national records), and visiting it in order turns the comparisons'
/// reads of its columns from cache misses into a near-sequential scan.
#[derive(Debug, Default)]
pub(crate) struct Candidates {
    pub pairs: Vec<u64>,
    pub rules: Vec<u32>,
    /// Pairs each rule produced (before the union).
    pub per_rule: Vec<u64>,
}

impl Candidates {
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// The `(left, right)` records of pair `i`.
    pub fn get(&self, i: usize) -> (usize, usize) {
        let p = self.pairs[i];
        ((p & 0xffff_ffff) as usize, (p >> 32) as usize)
    }
}

fn pack(l: usize, r: usize) -> u64 {
    ((r as u64) << 32) | l as u64
}

/// Pairs for linking two tables: the smaller side is indexed by each rule's
/// key and the larger side probes the index, in parallel.
pub(crate) fn link_pairs(
    rules: &[Rule<'_>],
    n_left: usize,
    n_right: usize,
    limit: u64,
) -> Result<Candidates, BlockingError> {
    let (small, big, small_side) = if n_left <= n_right {
        (n_left, n_right, Side::Left)
    } else {
        (n_right, n_left, Side::Right)
    };
    let big_side = if small_side == Side::Left {
        Side::Right
    } else {
        Side::Left
    };
    let indexes: Vec<FxHashMap<u64, Vec<u32>>> = rules
        .iter()
        .map(|rule| {
            let mut index: FxHashMap<u64, Vec<u32>> = FxHashMap::default();
            for i in 0..small {
                if let Some(k) = rule.key(small_side, i) {
                    index.entry(k).or_default().push(i as u32);
                }
            }
            index
        })
        .collect();

    // Count first: a rule that would make billions of pairs is refused
    // before any memory is spent on them.
    let per_rule: Vec<u64> = rules
        .iter()
        .zip(&indexes)
        .map(|(rule, index)| {
            (0..big)
                .into_par_iter()
                .map(|j| {
                    rule.key(big_side, j)
                        .and_then(|k| index.get(&k))
                        .map_or(0, |v| v.len() as u64)
                })
                .sum()
        })
        .collect();
    for (rule, &n) in rules.iter().zip(&per_rule) {
        if n > limit {
            return Err(BlockingError::TooManyPairs {
                rule: rule.name.clone(),
                pairs: n,
                limit,
            });
        }
    }

    const CHUNK: usize = 1 << 16;
    let mut tagged: Vec<(u64, u32)> = (0..big.div_ceil(CHUNK))
        .into_par_iter()
        .flat_map_iter(|c| {
            let mut out = Vec::new();
            for j in c * CHUNK..((c + 1) * CHUNK).min(big) {
                for (r, (rule, index)) in rules.iter().zip(&indexes).enumerate() {
                    if let Some(hits) = rule.key(big_side, j).and_then(|k| index.get(&k)) {
                        for &i in hits {
                            let (l, rr) = if small_side == Side::Left {
                                (i as usize, j)
                            } else {
                                (j, i as usize)
                            };
                            out.push((pack(l, rr), 1u32 << r));
                        }
                    }
                }
            }
            out
        })
        .collect();
    Ok(union(&mut tagged, per_rule))
}

/// Pairs for deduplicating one table against itself: each unordered pair
/// once, as `(lower, higher)`.
pub(crate) fn dedupe_pairs(
    rules: &[Rule<'_>],
    n: usize,
    limit: u64,
) -> Result<Candidates, BlockingError> {
    let mut tagged = Vec::new();
    let mut per_rule = Vec::with_capacity(rules.len());
    for (r, rule) in rules.iter().enumerate() {
        let mut groups: FxHashMap<u64, Vec<u32>> = FxHashMap::default();
        for i in 0..n {
            if let Some(k) = rule.key(Side::Left, i) {
                groups.entry(k).or_default().push(i as u32);
            }
        }
        let count: u64 = groups
            .values()
            .map(|g| (g.len() as u64) * (g.len() as u64 - 1) / 2)
            .sum();
        if count > limit {
            return Err(BlockingError::TooManyPairs {
                rule: rule.name.clone(),
                pairs: count,
                limit,
            });
        }
        per_rule.push(count);
        for g in groups.values() {
            for (a, &i) in g.iter().enumerate() {
                for &j in &g[a + 1..] {
                    tagged.push((pack(i as usize, j as usize), 1u32 << r));
                }
            }
        }
    }
    Ok(union(&mut tagged, per_rule))
}

/// Sorts tagged pairs and merges repeats, OR-ing their rule masks.
fn union(tagged: &mut [(u64, u32)], per_rule: Vec<u64>) -> Candidates {
    tagged.par_sort_unstable_by_key(|t| t.0);
    let mut pairs = Vec::with_capacity(tagged.len());
    let mut rules: Vec<u32> = Vec::with_capacity(tagged.len());
    for &(p, mask) in tagged.iter() {
        if pairs.last() == Some(&p) {
            if let Some(m) = rules.last_mut() {
                *m |= mask;
            }
        } else {
            pairs.push(p);
            rules.push(mask);
        }
    }
    Candidates {
        pairs,
        rules,
        per_rule,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::prepare;

    #[test]
    fn rules_union_without_duplicates_and_remember_their_sources() {
        let sur = prepare::names(
            [Some("Smith"), Some("Jones")],
            [Some("Smyth"), Some("Smith"), Some("Jones"), Some("Patel")],
        );
        let dob_l = [Some(100), Some(200)];
        let dob_r = [Some(100), Some(100), Some(999), Some(200)];
        let rules = [
            Rule {
                name: "metaphone(surname)".into(),
                columns: vec!["surname"],
                parts: vec![Part::Metaphone(&sur)],
            },
            Rule {
                name: "dob".into(),
                columns: vec!["dob"],
                parts: vec![Part::Date(&dob_l, &dob_r)],
            },
        ];
        let c = link_pairs(&rules, 2, 4, 1_000).unwrap();
        let got: Vec<_> = (0..c.len()).map(|i| (c.get(i), c.rules[i])).collect();
        // Smith~Smyth and Smith~Smith share a sound and a date of birth;
        // pairs come in order of the right-hand record.
        assert_eq!(
            got,
            vec![
                ((0, 0), 0b11),
                ((0, 1), 0b11),
                ((1, 2), 0b01),
                ((1, 3), 0b10)
            ]
        );
        assert_eq!(c.per_rule, vec![3, 3]);
    }

    #[test]
    fn the_smaller_side_may_be_either() {
        let l = [Some(1), Some(1), Some(2), Some(3)];
        let r = [Some(1)];
        let rules = [Rule {
            name: "x".into(),
            columns: vec![],
            parts: vec![Part::Hashed(&l, &r)],
        }];
        let c = link_pairs(&rules, 4, 1, 100).unwrap();
        assert_eq!(
            (0..c.len()).map(|i| c.get(i)).collect::<Vec<_>>(),
            vec![(0, 0), (1, 0)]
        );
    }

    #[test]
    fn an_explosive_rule_is_refused_before_pairs_are_made() {
        let keys: Vec<Option<u64>> = vec![Some(7); 5_000];
        let rules = [Rule {
            name: "initial(forename)".into(),
            columns: vec![],
            parts: vec![Part::Hashed(&keys, &keys)],
        }];
        let err = link_pairs(&rules, 5_000, 5_000, 1_000_000).unwrap_err();
        assert_eq!(
            err,
            BlockingError::TooManyPairs {
                rule: "initial(forename)".into(),
                pairs: 25_000_000,
                limit: 1_000_000
            }
        );
        assert!(err.to_string().contains("more selective"));
        let err = dedupe_pairs(&rules, 5_000, 1_000_000).unwrap_err();
        assert!(matches!(
            err,
            BlockingError::TooManyPairs {
                pairs: 12_497_500,
                ..
            }
        ));
    }

    #[test]
    fn dedupe_pairs_each_unordered_pair_once() {
        let k = [Some(1), Some(2), Some(1), Some(1), None];
        let rules = [Rule {
            name: "k".into(),
            columns: vec![],
            parts: vec![Part::Hashed(&k, &k)],
        }];
        let c = dedupe_pairs(&rules, 5, 100).unwrap();
        let mut got: Vec<_> = (0..c.len()).map(|i| c.get(i)).collect();
        got.sort_unstable();
        assert_eq!(got, vec![(0, 2), (0, 3), (2, 3)]);
    }
}
