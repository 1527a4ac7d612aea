//! Columns made ready to compare: each distinct value is normalised and
//! coded once, and records hold small ids into that vocabulary.
//!
//! National tables repeat the same few hundred thousand names millions of
//! times; folding and phonetically coding each distinct value once, and
//! comparing ids, is what makes linking millions of records cheap.

use rustc_hash::FxHashMap;

use crate::names;

/// A distinct name, normalised and coded for comparison.
#[derive(Debug, Clone)]
pub(crate) struct NameValue {
    /// [`names::fold`]ed: lower case ASCII, no apostrophes, single spaces.
    pub folded: String,
    /// Hashes of the Double Metaphone primary and alternate codes of the
    /// folded name (its parts joined); 0 when a code is empty.
    pub sounds: (u64, u64),
    /// The folded name's space-separated parts, for double-barrelled and
    /// compound names ("smith jones", "santos ferreira").
    pub parts: Vec<String>,
    /// The parts run together ("smithjones").
    pub compact: String,
}

impl NameValue {
    fn new(raw: &str) -> Self {
        let folded = names::fold(raw);
        let joined: String = folded.chars().filter(|c| c.is_ascii_alphabetic()).collect();
        let codes = metaphone().double_metaphone(&joined);
        let parts: Vec<String> = folded
            .split(' ')
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect();
        let (primary, alternate) = (codes.primary(), codes.alternate());
        let code = |c: &str| if c.is_empty() { 0 } else { hash(c) | 1 };
        Self {
            sounds: (code(&primary), code(&alternate)),
            compact: parts.concat(),
            folded,
            parts,
        }
    }

    /// The first letter, for blocking on initials.
    pub fn initial(&self) -> Option<u8> {
        self.folded.bytes().next()
    }
}

fn metaphone() -> &'static rphonetic::DoubleMetaphone {
    static CODER: std::sync::LazyLock<rphonetic::DoubleMetaphone> =
        std::sync::LazyLock::new(rphonetic::DoubleMetaphone::default);
    &CODER
}

/// The vocabulary of one compared field across both sides: every distinct
/// value once, with how often it occurs on the right-hand side (for
/// term-frequency adjustments).
#[derive(Debug)]
pub(crate) struct Vocab<V> {
    pub values: Vec<V>,
    /// Occurrences of each value on the right-hand side.
    pub right_counts: Vec<u32>,
    /// Records on the right-hand side with a value.
    pub right_total: u64,
}

impl<V> Vocab<V> {
    /// The share of right-hand records holding value `id`: the probability
    /// that a random record agrees with it exactly.
    pub fn frequency(&self, id: u32) -> f64 {
        if self.right_total == 0 {
            return 0.0;
        }
        f64::from(self.right_counts[id as usize]) / self.right_total as f64
    }
}

/// Interns the raw values of both sides of a field, building each distinct
/// value's features once with `make`. Empty (after trimming) means missing.
pub(crate) fn intern<'a, V: Send>(
    left: impl IntoIterator<Item = Option<&'a str>>,
    right: impl IntoIterator<Item = Option<&'a str>>,
    make: impl Fn(&str) -> V + Sync,
) -> (Vec<Option<u32>>, Vec<Option<u32>>, Vocab<V>) {
    use rayon::prelude::*;
    let mut index: FxHashMap<&'a str, u32> = FxHashMap::default();
    let mut raw: Vec<&'a str> = Vec::new();
    let mut counts: Vec<u32> = Vec::new();
    let mut total = 0u64;
    let id_of = |v: &'a str, index: &mut FxHashMap<&'a str, u32>, raw: &mut Vec<&'a str>| -> u32 {
        *index.entry(v).or_insert_with(|| {
            raw.push(v);
            (raw.len() - 1) as u32
        })
    };
    let right_ids: Vec<Option<u32>> = right
        .into_iter()
        .map(|v| {
            let v = v.map(str::trim).filter(|v| !v.is_empty())?;
            let id = id_of(v, &mut index, &mut raw);
            if id as usize >= counts.len() {
                counts.push(0);
            }
            counts[id as usize] += 1;
            total += 1;
            Some(id)
        })
        .collect();
    let left_ids: Vec<Option<u32>> = left
        .into_iter()
        .map(|v| {
            let v = v.map(str::trim).filter(|v| !v.is_empty())?;
            Some(id_of(v, &mut index, &mut raw))
        })
        .collect();
    counts.resize(raw.len(), 0);
    let values = raw.par_iter().map(|v| make(v)).collect();
    (
        left_ids,
        right_ids,
        Vocab {
            values,
            right_counts: counts,
            right_total: total,
        },
    )
}

/// Interns a name field.
pub(crate) fn names<'a>(
    left: impl IntoIterator<Item = Option<&'a str>>,
    right: impl IntoIterator<Item = Option<&'a str>>,
) -> NameColumn {
    let (left, right, vocab) = intern(left, right, NameValue::new);
    // Different raw spellings can fold to the same name ("O'Neill" and
    // "ONEILL"); merge them so equal folded names share one id, and so
    // exact agreement and term frequencies are about the name, not its typing.
    let mut canon: FxHashMap<&str, u32> = FxHashMap::default();
    let mut remap = Vec::with_capacity(vocab.values.len());
    let mut counts: Vec<u32> = Vec::new();
    let mut keep: Vec<usize> = Vec::new();
    for (i, v) in vocab.values.iter().enumerate() {
        let next = keep.len() as u32;
        let id = *canon.entry(v.folded.as_str()).or_insert_with(|| {
            keep.push(i);
            counts.push(0);
            next
        });
        counts[id as usize] += vocab.right_counts[i];
        remap.push(id);
    }
    let Vocab {
        values,
        right_total,
        ..
    } = vocab;
    let mut values: Vec<Option<NameValue>> = values.into_iter().map(Some).collect();
    let values = keep.iter().filter_map(|&i| values[i].take()).collect();
    let map = |ids: Vec<Option<u32>>| {
        ids.into_iter()
            .map(|id| id.map(|i| remap[i as usize]))
            .collect()
    };
    NameColumn {
        left: map(left),
        right: map(right),
        vocab: Vocab {
            values,
            right_counts: counts,
            right_total,
        },
    }
}

/// A name field on both sides.
#[derive(Debug)]
pub(crate) struct NameColumn {
    pub left: Vec<Option<u32>>,
    pub right: Vec<Option<u32>>,
    pub vocab: Vocab<NameValue>,
}

/// A postcode reduced to the prefixes compared: hashes of the full
/// postcode, the sector, the district and the area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct PostcodeKey {
    pub unit: u64,
    pub sector: u64,
    pub district: u64,
    pub area: u64,
}

impl PostcodeKey {
    /// Reads a postcode in any spacing or case; `None` when it is not one.
    pub fn parse(raw: &str) -> Option<Self> {
        let p: crate::postcode::Postcode = raw.parse().ok()?;
        Some(Self::from(&p))
    }

    /// Reads a postcode already in normal form ("M14 5QT"), as national
    /// tables hold them, without allocating; anything else is parsed in full.
    pub fn normalised(text: &str) -> Option<Self> {
        let b = text.as_bytes();
        let n = b.len();
        let area = b.iter().take_while(|c| c.is_ascii_uppercase()).count();
        let plain =
            (6..=8).contains(&n) && b[n - 4] == b' ' && (1..=2).contains(&area) && text.is_ascii();
        if !plain {
            return Self::parse(text);
        }
        Some(Self {
            unit: hash(text),
            sector: hash(&text[..n - 2]),
            district: hash(&text[..n - 4]),
            area: hash(&text[..area]),
        })
    }
}

impl From<&crate::postcode::Postcode> for PostcodeKey {
    fn from(p: &crate::postcode::Postcode) -> Self {
        Self {
            unit: hash(p.as_str()),
            sector: hash(p.sector()),
            district: hash(p.district()),
            area: hash(p.area()),
        }
    }
}

/// A stable 64-bit hash (FxHash: fast, and the same on every run).
pub(crate) fn hash<T: std::hash::Hash + ?Sized>(v: &T) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault};
    BuildHasherDefault::<rustc_hash::FxHasher>::default().hash_one(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interning_shares_ids_and_counts_the_right_side() {
        let left = [Some("Smith"), None, Some("Khan"), Some("  ")];
        let right = [Some("Smith"), Some("Jones"), Some("Smith"), None];
        let (l, r, vocab) = intern(left, right, str::to_string);
        assert_eq!(l[0], r[0]);
        assert_eq!(l[1], None);
        assert_eq!(l[3], None, "blank is missing");
        assert_eq!(vocab.values.len(), 3);
        assert_eq!(vocab.right_total, 3);
        assert!((vocab.frequency(r[0].unwrap()) - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(
            vocab.frequency(l[2].unwrap()),
            0.0,
            "a left-only value never occurs on the right"
        );
    }

    #[test]
    fn names_that_fold_alike_are_one_value() {
        let col = names(
            [Some("O'NEILL"), Some("Zoe")],
            [Some("O'Neill"), Some("Zoë"), Some("Oneill")],
        );
        assert_eq!(col.left[0], col.right[0]);
        assert_eq!(col.right[0], col.right[2]);
        assert_eq!(col.left[1], col.right[1]);
        let id = col.right[0].unwrap();
        assert_eq!(col.vocab.values[id as usize].folded, "oneill");
        assert_eq!(col.vocab.right_counts[id as usize], 2);
        assert_eq!(col.vocab.values.len(), 2);
    }

    #[test]
    fn postcodes_compare_by_prefix() {
        let a = PostcodeKey::parse("m14 5qt").unwrap();
        let b = PostcodeKey::parse("M14 5RZ").unwrap();
        let c = PostcodeKey::parse("M1 1AE").unwrap();
        assert_ne!(a.unit, b.unit);
        assert_eq!(a.sector, b.sector);
        assert_ne!(a.district, c.district);
        assert_eq!(a.area, c.area);
        assert!(PostcodeKey::parse("nonsense").is_none());
        for p in ["M14 5QT", "EC1A 1BB", "W1A 0AX", "DN55 1PT"] {
            assert_eq!(PostcodeKey::normalised(p), PostcodeKey::parse(p), "{p}");
        }
        assert_eq!(
            PostcodeKey::normalised("m14 5qt"),
            PostcodeKey::parse("M14 5QT")
        );
    }
}
