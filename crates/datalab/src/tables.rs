//! Disclosure control for published count tables.
//!
//! The prison service publishes counts (security incidents by establishment,
//! type and quarter) with every margin: each row, column and layer total and
//! the grand total. A small count can point at one person, so counts from 1
//! to the threshold less one are hidden (*primary* suppression). Hiding them
//! is not enough on its own: with the totals published, a lone hidden count
//! in a row is the row total less the others. So more figures are hidden
//! (*complementary* or *secondary* suppression) until no hidden figure can
//! be worked out exactly from what is shown.
//!
//! [`protect`] does both. Its check is linear algebra over the published
//! table: every one-dimensional sum (a total equals the figures it adds up)
//! is an equation whose unknowns are the hidden figures; once the equations
//! are in reduced row echelon form, a row with a single unknown left in it
//! gives that unknown away. Complements are added until no row does. [`recoverable`]
//! repeats that check by a separate route, from the published figures
//! alone, so that a fault in one is not silently shared by the other: the
//! service refuses to publish a table for which it finds anything.
//!
//! What is *not* checked: a reader who also uses the fact that counts are
//! never negative can sometimes narrow a hidden count to a range (and, where
//! the hidden figures in a sum add up to 0, know them all to be 0). The
//! usual practice accepts ranges; the rule here is only that no hidden count
//! can be worked out exactly by adding and subtracting.
//!
//! Hidden figures are shown as `[c]`, the Government Statistical Service's
//! shorthand for "confidential", and a table carries [`Protected::notes`]
//! saying why.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::fmt;

/// One published figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    /// The true count: safe to publish.
    Shown(u64),
    /// Hidden. `primary` says whether it is hidden because it is small
    /// itself (true) or only to protect another hidden figure (false); the
    /// published table does not tell them apart, but the count of each goes
    /// into the notes and the service's audit trail.
    Suppressed {
        /// Small itself (true), or hidden to protect another (false).
        primary: bool,
    },
}

impl Cell {
    /// The count, if it may be published: callers that compute with a
    /// table (rates, charts) must not reach a hidden count by accident.
    pub fn shown(self) -> Option<u64> {
        match self {
            Cell::Shown(n) => Some(n),
            Cell::Suppressed { .. } => None,
        }
    }
}

impl fmt::Display for Cell {
    /// The figure as printed in the table: hidden figures as `[c]`, the
    /// GSS symbol, so readers of official statistics recognise it. Honours
    /// width and alignment, for plain-text tables.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cell::Shown(n) => f.pad(&n.to_string()),
            Cell::Suppressed { .. } => f.pad("[c]"),
        }
    }
}

/// A count table with every margin, after disclosure control.
///
/// Only [`protect`] makes one, so holding a `Protected` means the table
/// went through the whole of disclosure control; there is no way to publish
/// a table that had only its small counts hidden.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Protected {
    layout: Layout,
    threshold: u64,
    cells: Vec<Cell>,
    primary: usize,
    secondary: usize,
}

impl Protected {
    /// The size of each dimension, so a caller can walk the table without
    /// keeping its own copy of the shape.
    pub fn dims(&self) -> &[usize] {
        &self.layout.dims
    }

    /// The figure at `key`: one coordinate per dimension, `None` meaning the
    /// total over that dimension (so all `None` is the grand total).
    ///
    /// A key of the wrong length or out of range is a programming error: it
    /// fails a debug assertion, and in release gives a hidden figure rather
    /// than a panic, since hiding is the safe way to be wrong when
    /// publishing.
    pub fn get(&self, key: &[Option<usize>]) -> Cell {
        match self.layout.flat(key) {
            Some(f) => self.cells[f],
            None => {
                debug_assert!(
                    false,
                    "key {key:?} does not fit a table of {:?}",
                    self.layout.dims
                );
                Cell::Suppressed { primary: false }
            }
        }
    }

    /// The threshold the table was protected with, for the notes and for
    /// checking a table against the policy in force.
    pub fn threshold(&self) -> u64 {
        self.threshold
    }

    /// How many figures are hidden for being small themselves (margins
    /// included): for the audit trail.
    pub fn primary(&self) -> usize {
        self.primary
    }

    /// How many figures are hidden only to protect others: the cost of
    /// publishing the margins, for the audit trail.
    pub fn secondary(&self) -> usize {
        self.secondary
    }

    /// The notes a published table carries, so a reader knows what `[c]`
    /// and 0 mean and why larger figures are sometimes hidden too.
    ///
    /// The first is the policy, given whenever one is in force (a reader
    /// should know that no shown count is small even where none was
    /// hidden); the second only when some figure was hidden to protect
    /// another; the last always.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        match self.threshold {
            0 | 1 => {}
            2 => notes.push(
                "[c] Counts of 1 are suppressed (shown as [c]) so that no one can be identified."
                    .to_string(),
            ),
            t => notes.push(format!(
                "[c] Counts from 1 to {} are suppressed (shown as [c]) so that no one can be \
                 identified.",
                t - 1
            )),
        }
        if self.secondary > 0 {
            notes.push(
                "[c] Some larger counts and totals are also suppressed so that a suppressed \
                 count cannot be worked out from the totals."
                    .to_string(),
            );
        }
        notes.push("0 means none were recorded.".to_string());
        notes
    }

    /// A table with only its small figures hidden, as if secondary
    /// suppression had been forgotten: so tests can show that
    /// [`recoverable`] catches the mistake.
    #[cfg(test)]
    fn primary_only(dims: &[usize], counts: &[u64], threshold: u64) -> Protected {
        let layout = Layout::new(dims);
        let values = layout.fill(counts);
        let mut state = Suppression::new(&layout, &values);
        state.suppress_small(threshold);
        state.finish(threshold)
    }
}

/// Protects `counts`: the interior cells (no totals), row-major over
/// `dims`. Every margin is computed and published with them.
///
/// Every figure (interior or total) from 1 to `threshold - 1` is hidden;
/// zeros are shown, since a zero identifies no one. Then complements are
/// hidden until no hidden figure can be worked out: first wherever a sum
/// has exactly one hidden figure in it, then wherever the full linear audit
/// finds one pinned down by the table as a whole. Each complement is the
/// smallest non-zero figure shown in a sum with the exposed one (an
/// interior cell before a total of the same size), to lose as little as
/// possible; a zero only when there is nothing else. A figure the audit
/// still finds pinned after one such complement is pinned through the
/// wider table, and gets the cheapest "box" of complements around it
/// instead (a rectangle, in two dimensions), which frees it for certain.
/// The hidden set only grows, so this ends; and it is deterministic, so the
/// same counts always publish the same table.
///
/// Totals saturate at `u64::MAX`, far beyond any count of incidents.
///
/// # Panics
///
/// If `counts.len()` is not the product of `dims`: misaligned counts would
/// publish figures against the wrong establishments, which is worse than
/// publishing nothing.
pub fn protect(dims: &[usize], counts: &[u64], threshold: u64) -> Protected {
    let layout = Layout::new(dims);
    let values = layout.fill(counts);
    let mut state = Suppression::new(&layout, &values);
    state.suppress_small(threshold);
    state.close();
    loop {
        let pinned = state.pinned();
        if pinned.is_empty() {
            break;
        }
        state.cover(&pinned);
        state.close();
    }
    state.finish(threshold)
}

/// Every hidden figure (as its key) whose value follows exactly by linear
/// arithmetic from what `p` shows, in the table's row-major order of keys.
///
/// This is the independent check on [`protect`]: the tests use it, and the
/// service refuses to publish a table for which it is not empty. It works
/// from the published figures alone (not the true counts), builds its
/// equations from keys rather than `protect`'s cell numbering, and solves
/// them in exact modular arithmetic rather than floating point, so the two
/// share as little as is reasonable.
pub fn recoverable(p: &Protected) -> Vec<Vec<Option<usize>>> {
    recover(p).into_iter().map(|(key, _)| key).collect()
}

/// The sum relations of a table with all its margins, over cells numbered
/// in mixed radix: each dimension of size `n` takes `n + 1` values, the
/// last meaning "total over this dimension". Flat numbers keep the
/// suppression loop to plain vectors, which is what makes a 120 x 8 x 4
/// table quick.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Layout {
    dims: Vec<usize>,
    /// The step in flat number for one step in each coordinate, row-major.
    strides: Vec<usize>,
    /// How many cells, margins included.
    len: usize,
}

impl Layout {
    fn new(dims: &[usize]) -> Layout {
        let mut strides = vec![0; dims.len()];
        let mut len = 1usize;
        for i in (0..dims.len()).rev() {
            strides[i] = len;
            len = len.saturating_mul(dims[i] + 1);
        }
        Layout {
            dims: dims.to_vec(),
            strides,
            len,
        }
    }

    fn coord(&self, f: usize, i: usize) -> usize {
        f / self.strides[i] % (self.dims[i] + 1)
    }

    fn is_total(&self, f: usize, i: usize) -> bool {
        self.coord(f, i) == self.dims[i]
    }

    /// How many dimensions `f` totals over: 0 for an interior cell.
    fn level(&self, f: usize) -> usize {
        (0..self.dims.len())
            .filter(|&i| self.is_total(f, i))
            .count()
    }

    fn flat(&self, key: &[Option<usize>]) -> Option<usize> {
        if key.len() != self.dims.len() {
            return None;
        }
        let mut f = 0;
        for (i, k) in key.iter().enumerate() {
            let c = match *k {
                None => self.dims[i],
                Some(j) if j < self.dims[i] => j,
                Some(_) => return None,
            };
            f += c * self.strides[i];
        }
        Some(f)
    }

    /// The relation along dimension `i` that `f` is in: `f` itself if it
    /// totals over `i`, else the total it adds into. Relations are numbered
    /// by their total and dimension.
    fn relation_of(&self, f: usize, i: usize) -> usize {
        let c = self.coord(f, i);
        let total = f + (self.dims[i] - c) * self.strides[i];
        total * self.dims.len() + i
    }

    /// The relations `f` is in, one per dimension.
    fn relations_of(&self, f: usize) -> impl Iterator<Item = usize> + '_ {
        (0..self.dims.len()).map(move |i| self.relation_of(f, i))
    }

    /// The members of relation `rel`: the total first, then what it adds.
    fn members(&self, rel: usize) -> impl Iterator<Item = usize> + '_ {
        let d = self.dims.len();
        let (total, i) = (rel / d, rel % d);
        let (n, stride) = (self.dims[i], self.strides[i]);
        std::iter::once(total).chain((0..n).map(move |j| total - (n - j) * stride))
    }

    /// Every relation, in order: those of each total, by dimension.
    fn relations(&self) -> impl Iterator<Item = usize> + '_ {
        let d = self.dims.len();
        (0..self.len).flat_map(move |f| {
            (0..d)
                .filter(move |&i| self.is_total(f, i))
                .map(move |i| f * d + i)
        })
    }

    /// Every cell's true value, margins included.
    fn fill(&self, counts: &[u64]) -> Vec<u64> {
        let interior: usize = self.dims.iter().product();
        assert_eq!(
            counts.len(),
            interior,
            "counts for a table of {:?} must number the product of its dimensions",
            self.dims
        );
        let mut values = vec![0u64; self.len];
        let mut k = 0;
        for (f, v) in values.iter_mut().enumerate() {
            if self.level(f) == 0 {
                *v = counts[k];
                k += 1;
            }
        }
        // One dimension at a time: totals over dimensions already done are
        // complete when a later dimension adds them up.
        for i in 0..self.dims.len() {
            for f in 0..self.len {
                if self.is_total(f, i) {
                    let (n, stride) = (self.dims[i], self.strides[i]);
                    values[f] =
                        (0..n).fold(0u64, |s, j| s.saturating_add(values[f - (n - j) * stride]));
                }
            }
        }
        values
    }
}

/// Marks a slot as having no pivot row or unknown.
const NONE: usize = usize::MAX;

/// What hiding some figures loses: see [`Suppression::box_cost`].
type BoxCost = (usize, u64, usize, usize);

/// At most this many boxes are costed for one pinned figure: every box for
/// any table up to about 120 x 8 x 50, a sample of the cheapest beyond.
const BOX_CHOICES: usize = 50_000;

/// The suppression pattern while [`protect`] builds it.
struct Suppression<'a> {
    layout: &'a Layout,
    values: &'a [u64],
    /// `None` shown, `Some(primary)` hidden.
    hidden: Vec<Option<bool>>,
    /// Hidden members per relation (indexed as [`Layout::relation_of`]).
    hidden_in: Vec<u32>,
    /// Relations whose count became 1, to check for a lone hidden member.
    lone: VecDeque<usize>,
    /// Figures the audit has found pinned before (see [`Self::cover`]).
    tried: Vec<bool>,
}

impl<'a> Suppression<'a> {
    fn new(layout: &'a Layout, values: &'a [u64]) -> Self {
        Suppression {
            layout,
            values,
            hidden: vec![None; layout.len],
            hidden_in: vec![0; layout.len.saturating_mul(layout.dims.len())],
            lone: VecDeque::new(),
            tried: vec![false; layout.len],
        }
    }

    fn suppress(&mut self, f: usize, primary: bool) {
        debug_assert!(self.hidden[f].is_none());
        self.hidden[f] = Some(primary);
        for rel in self.layout.relations_of(f) {
            self.hidden_in[rel] += 1;
            if self.hidden_in[rel] == 1 {
                self.lone.push_back(rel);
            }
        }
    }

    fn suppress_small(&mut self, threshold: u64) {
        for f in 0..self.layout.len {
            if (1..threshold).contains(&self.values[f]) {
                self.suppress(f, true);
            }
        }
    }

    /// How much is lost by hiding `f`, least first: any non-zero figure
    /// before a zero, then the smaller, then interior cells before totals,
    /// then the earlier cell so the choice is deterministic.
    ///
    /// Zeros last because a hidden zero protects least: it adds nothing to
    /// the sum it is hidden in, so a reader who knows counts are never
    /// negative gets the small count's bound straight from the totals.
    fn cost(&self, f: usize) -> (bool, u64, usize, usize) {
        let v = self.values[f];
        (v == 0, v, self.layout.level(f), f)
    }

    /// The cheapest shown member of any of `rels`.
    fn cheapest(&self, rels: &[usize]) -> Option<usize> {
        rels.iter()
            .flat_map(|&rel| self.layout.members(rel))
            .filter(|&m| self.hidden[m].is_none())
            .min_by_key(|&m| self.cost(m))
    }

    /// Rule (a): no sum with exactly one hidden member. Cheap, and it does
    /// most of the work, so the audit that follows has little left to find.
    fn close(&mut self) {
        while let Some(rel) = self.lone.pop_front() {
            if self.hidden_in[rel] == 1
                && let Some(c) = self.cheapest(&[rel])
            {
                self.suppress(c, false);
            }
        }
    }

    /// Hidden figures that the published table pins down exactly.
    ///
    /// Only relations with a hidden member make equations, and only hidden
    /// figures are unknowns. The shown figures would be the right-hand
    /// side, but which unknowns are pinned depends only on the left, so the
    /// right is not carried ([`recoverable`] carries it).
    fn pinned(&self) -> Vec<usize> {
        let mut unknown = vec![NONE; self.layout.len];
        let mut cells = Vec::new();
        for (f, h) in self.hidden.iter().enumerate() {
            if h.is_some() {
                unknown[f] = cells.len();
                cells.push(f);
            }
        }
        if cells.is_empty() {
            return Vec::new();
        }
        let equations: Vec<Vec<(usize, f64)>> = self
            .layout
            .relations()
            .filter(|&rel| self.hidden_in[rel] > 0)
            .map(|rel| {
                let mut row: Vec<(usize, f64)> = self
                    .layout
                    .members(rel)
                    .enumerate()
                    .filter(|&(_, m)| unknown[m] != NONE)
                    .map(|(k, m)| (unknown[m], if k == 0 { 1.0 } else { -1.0 }))
                    .collect();
                row.sort_by_key(|&(c, _)| c);
                row
            })
            .collect();
        determined(cells.len(), &equations)
            .into_iter()
            .map(|u| cells[u])
            .collect()
    }

    /// Rule (b): hides complements for each pinned figure.
    ///
    /// The first time a figure is found pinned it gets the cheapest shown
    /// figure in a sum with it, as rule (a) would choose: usually that is
    /// all it takes. If it is still pinned at a later audit, that was not
    /// enough (the figure is pinned through the wider table, not one sum),
    /// so it gets the cheapest [box](Self::cheapest_box), which frees it
    /// for certain. So no figure costs more than one wasted complement, and
    /// the loop ends.
    ///
    /// Several figures are covered per audit (an audit is the costly step),
    /// but not two in the same sums: one complement often frees several
    /// pinned figures, and a second would then be lost for nothing.
    fn cover(&mut self, pinned: &[usize]) {
        let mut touched = vec![false; self.layout.len];
        for &u in pinned {
            if touched[u] {
                continue;
            }
            let own: Vec<usize> = self.layout.relations_of(u).collect();
            let adjacent = if self.tried[u] {
                None
            } else {
                self.cheapest(&own)
            };
            self.tried[u] = true;
            let hide = match adjacent {
                Some(c) => vec![c],
                None => self.cheapest_box(u),
            };
            for c in hide {
                if self.hidden[c].is_some() {
                    continue;
                }
                self.suppress(c, false);
                let rels: Vec<usize> = self.layout.relations_of(c).collect();
                for rel in rels {
                    for m in self.layout.members(rel) {
                        touched[m] = true;
                    }
                }
            }
        }
    }

    /// The cheapest "box" with `u` at a corner: in each dimension `u`'s
    /// coordinate and one other (a total counts as a coordinate), and all
    /// 2^d cells at those coordinates. Returns its corners.
    ///
    /// With every corner hidden, `u` is not pinned, whatever else is shown:
    /// along each dimension, adding 1 to one coordinate and taking 1 from
    /// the other (or adding 1 to both, where one is the total) leaves every
    /// sum true, and doing that in every dimension at once (signs
    /// multiplied) changes only the corners. So a reader cannot tell the
    /// true table from one with `u` one larger. In two dimensions this is
    /// the familiar rectangle of suppressions.
    ///
    /// Cheapest means fewest shown zeros hidden, then least total value
    /// hidden, then fewest figures, then interior cells before totals. The
    /// other coordinates are all tried where that is at most
    /// [`BOX_CHOICES`] boxes; for larger tables only the dimensions' cheapest
    /// neighbours of `u`.
    fn cheapest_box(&self, u: usize) -> Vec<usize> {
        let layout = self.layout;
        let d = layout.dims.len();
        let a: Vec<usize> = (0..d).map(|i| layout.coord(u, i)).collect();
        let all: usize = layout.dims.iter().fold(1usize, |p, &n| p.saturating_mul(n));
        let per_dim = if all <= BOX_CHOICES {
            usize::MAX
        } else {
            // The largest k with k^d at most BOX_CHOICES (at least 1).
            (1..)
                .take_while(|&k: &usize| k.checked_pow(d as u32).is_some_and(|p| p <= BOX_CHOICES))
                .last()
                .unwrap_or(1)
        };
        // For each dimension, the other coordinates to try: cheapest
        // neighbour of `u` first.
        let mut choices: Vec<Vec<usize>> = Vec::with_capacity(d);
        for (i, &ai) in a.iter().enumerate() {
            let neighbour = |b: usize| u - ai * layout.strides[i] + b * layout.strides[i];
            let mut bs: Vec<usize> = (0..=layout.dims[i]).filter(|&b| b != ai).collect();
            bs.sort_by_key(|&b| (self.box_cost(&[neighbour(b)]), b));
            bs.truncate(per_dim);
            if bs.is_empty() {
                return Vec::new();
            }
            choices.push(bs);
        }

        let mut pick = vec![0usize; d];
        let mut best: Option<(BoxCost, Vec<usize>)> = None;
        loop {
            let corners: Vec<usize> = (1..1usize << d)
                .map(|mask| {
                    (0..d).filter(|&i| mask >> i & 1 == 1).fold(u, |f, i| {
                        f - a[i] * layout.strides[i] + choices[i][pick[i]] * layout.strides[i]
                    })
                })
                .collect();
            let cost = self.box_cost(&corners);
            if best.as_ref().is_none_or(|(c, _)| cost < *c) {
                best = Some((cost, corners));
            }
            // Next combination, last dimension fastest.
            let mut i = d;
            loop {
                if i == 0 {
                    return best.map(|(_, c)| c).unwrap_or_default();
                }
                i -= 1;
                pick[i] += 1;
                if pick[i] < choices[i].len() {
                    break;
                }
                pick[i] = 0;
            }
        }
    }

    /// What hiding `cells` would lose, as [`cost`](Self::cost) ranks a
    /// single figure: the shown zeros among them, then their total, then
    /// how many, then how aggregated.
    fn box_cost(&self, cells: &[usize]) -> BoxCost {
        let mut cost = (0, 0u64, 0, 0);
        for &f in cells.iter().filter(|&&f| self.hidden[f].is_none()) {
            let v = self.values[f];
            cost.0 += usize::from(v == 0);
            cost.1 = cost.1.saturating_add(v);
            cost.2 += 1;
            cost.3 += self.layout.level(f);
        }
        cost
    }

    fn finish(self, threshold: u64) -> Protected {
        let mut primary = 0;
        let mut secondary = 0;
        let cells = self
            .hidden
            .iter()
            .zip(self.values)
            .map(|(h, &v)| match *h {
                None => Cell::Shown(v),
                Some(p) => {
                    if p {
                        primary += 1;
                    } else {
                        secondary += 1;
                    }
                    Cell::Suppressed { primary: p }
                }
            })
            .collect();
        Protected {
            layout: self.layout.clone(),
            threshold,
            cells,
            primary,
            secondary,
        }
    }
}

/// Coefficients below this are taken to be zero. The equations start with
/// entries of +1 and -1 and pivots are chosen large, so the entries that
/// arise are small rationals; rounding error stays many orders below this.
/// And [`recoverable`] checks the outcome in exact arithmetic regardless.
const TOLERANCE: f64 = 1e-9;

/// A sparse row: columns ascending, with their coefficients.
#[derive(Default)]
struct Row {
    cols: Vec<usize>,
    vals: Vec<f64>,
}

/// The unknowns of `equations` (each sparse, columns ascending, over
/// unknowns `0..n`) that they determine, ascending.
///
/// Gauss-Jordan, one equation at a time, keeping the rows so far in
/// reduced row echelon form: a new equation is reduced by them, and its
/// pivot is eliminated from them. In reduced form a unit vector lies in the
/// row space only as a row of its own, so the determined unknowns are
/// exactly the rows with one entry. Pivots are partial (the largest entry,
/// or within a factor of 4 of it) and among those the column in fewest rows,
/// which keeps the rows sparse.
fn determined(n: usize, equations: &[Vec<(usize, f64)>]) -> Vec<usize> {
    let mut pivot_row = vec![NONE; n];
    let mut rows: Vec<Row> = Vec::new();
    // The rows each column may appear in (stale entries are checked).
    let mut in_rows: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut scratch = vec![0.0f64; n];
    let mut live = vec![false; n];
    let mut touched: Vec<usize> = Vec::new();

    for eq in equations {
        for &(c, v) in eq {
            scratch[c] += v;
            if !live[c] {
                live[c] = true;
                touched.push(c);
            }
        }
        // Rows in reduced form have no entries in other pivot columns, so
        // subtracting them brings in no pivot column needing a second pass.
        for &(c, _) in eq {
            let r = pivot_row[c];
            let factor = scratch[c];
            if r == NONE || factor == 0.0 {
                continue;
            }
            let row = &rows[r];
            for (&cc, &vv) in row.cols.iter().zip(&row.vals) {
                scratch[cc] -= factor * vv;
                if !live[cc] {
                    live[cc] = true;
                    touched.push(cc);
                }
            }
            scratch[c] = 0.0;
        }
        touched.sort_unstable();
        let mut new = Row::default();
        for &c in &touched {
            if scratch[c].abs() > TOLERANCE {
                new.cols.push(c);
                new.vals.push(scratch[c]);
            }
            scratch[c] = 0.0;
            live[c] = false;
        }
        touched.clear();
        if new.cols.is_empty() {
            continue;
        }

        let largest = new.vals.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let k = (0..new.cols.len())
            .filter(|&k| new.vals[k].abs() * 4.0 >= largest)
            .min_by_key(|&k| (in_rows[new.cols[k]].len(), new.cols[k]))
            .unwrap_or(0);
        let p = new.cols[k];
        let scale = new.vals[k];
        for v in &mut new.vals {
            *v /= scale;
        }
        new.vals[k] = 1.0;

        let idx = rows.len();
        for r in std::mem::take(&mut in_rows[p]) {
            let Ok(at) = rows[r].cols.binary_search(&p) else {
                continue;
            };
            let factor = rows[r].vals[at];
            let old = std::mem::take(&mut rows[r]);
            rows[r] = subtract(&old, factor, &new, p, |c| in_rows[c].push(r));
        }
        for &c in &new.cols {
            in_rows[c].push(idx);
        }
        pivot_row[p] = idx;
        rows.push(new);
    }

    let mut out: Vec<usize> = rows
        .iter()
        .filter(|r| r.cols.len() == 1)
        .map(|r| r.cols[0])
        .collect();
    out.sort_unstable();
    out
}

/// `old - factor * new`, dropping column `pivot` (which cancels exactly)
/// and anything under the tolerance; calls `added` for each column `old`
/// did not have.
fn subtract(old: &Row, factor: f64, new: &Row, pivot: usize, mut added: impl FnMut(usize)) -> Row {
    let mut out = Row {
        cols: Vec::with_capacity(old.cols.len() + new.cols.len()),
        vals: Vec::with_capacity(old.cols.len() + new.cols.len()),
    };
    let (mut a, mut b) = (0, 0);
    loop {
        let ca = old.cols.get(a).copied().unwrap_or(NONE);
        let cb = new.cols.get(b).copied().unwrap_or(NONE);
        if ca == NONE && cb == NONE {
            break;
        }
        let (c, v, fresh) = if ca < cb {
            a += 1;
            (ca, old.vals[a - 1], false)
        } else if cb < ca {
            b += 1;
            (cb, -factor * new.vals[b - 1], true)
        } else {
            a += 1;
            b += 1;
            (ca, old.vals[a - 1] - factor * new.vals[b - 1], false)
        };
        if c != pivot && v.abs() > TOLERANCE {
            if fresh {
                added(c);
            }
            out.cols.push(c);
            out.vals.push(v);
        }
    }
    out
}

/// The Mersenne prime 2^61 - 1: [`recover`] works modulo it. The true
/// counts are far below it, so a recovered value is the count itself.
const PRIME: u64 = (1 << 61) - 1;

fn mul_mod(a: u64, b: u64) -> u64 {
    // 2^61 = 1 (mod 2^61 - 1): fold the high bits onto the low, no division.
    let x = a as u128 * b as u128;
    let r = (x as u64 & PRIME) + (x >> 61) as u64;
    let r = (r & PRIME) + (r >> 61);
    if r >= PRIME { r - PRIME } else { r }
}

fn sub_mod(a: u64, b: u64) -> u64 {
    if a >= b { a - b } else { a + PRIME - b }
}

fn pow_mod(mut a: u64, mut e: u64) -> u64 {
    let mut r = 1;
    while e > 0 {
        if e & 1 == 1 {
            r = mul_mod(r, a);
        }
        a = mul_mod(a, a);
        e >>= 1;
    }
    r
}

fn inv_mod(a: u64) -> u64 {
    pow_mod(a, PRIME - 2)
}

/// One equation of [`recover`]: unknowns ascending with coefficients, and
/// the right-hand side, all modulo [`PRIME`].
struct Equation {
    terms: Vec<(usize, u64)>,
    rhs: u64,
}

/// The work of [`recoverable`], with each recovered figure's value (which
/// the tests compare with the truth, to show the arithmetic is right).
///
/// Exact arithmetic modulo a large prime instead of floating point: no
/// tolerance to tune. In principle a determinant of the system could be a
/// multiple of the prime and hide or invent a dependency; with coefficients
/// of 0 and ±1 and tables of this size the determinants are nowhere near
/// 2^61.
fn recover(p: &Protected) -> Vec<(Vec<Option<usize>>, u64)> {
    let dims = p.dims();
    let keys = all_keys(dims);
    let mut unknown: HashMap<&[Option<usize>], usize> = HashMap::new();
    let mut hidden = Vec::new();
    for key in &keys {
        if p.get(key).shown().is_none() {
            unknown.insert(key, hidden.len());
            hidden.push(key.clone());
        }
    }

    // Each total, for each dimension it totals over: total - members = 0,
    // with the shown figures moved to the right.
    let mut equations = Vec::new();
    for key in &keys {
        for i in 0..dims.len() {
            if key[i].is_some() {
                continue;
            }
            let mut terms = Vec::new();
            let mut rhs = 0u64;
            let mut add = |k: &[Option<usize>], sign_plus: bool| match p.get(k).shown() {
                Some(v) => {
                    let v = v % PRIME;
                    rhs = if sign_plus {
                        sub_mod(rhs, v)
                    } else {
                        (rhs + v) % PRIME
                    };
                }
                None => terms.push((unknown[k], if sign_plus { 1 } else { PRIME - 1 })),
            };
            add(key, true);
            let mut member = key.clone();
            for j in 0..dims[i] {
                member[i] = Some(j);
                add(&member, false);
            }
            if !terms.is_empty() {
                terms.sort_unstable();
                equations.push(Equation { terms, rhs });
            }
        }
    }

    // Gauss-Jordan column by column over the whole system: each column's
    // pivot is the shortest equation still holding it that is not already
    // a pivot, and the column is cleared from every other equation. The
    // column held by fewest equations goes next (a column held by one
    // costs nothing to clear), which keeps the equations sparse: taken in
    // key order a national table fills in and takes ten times as long.
    let n = hidden.len();
    let mut holding: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (e, eq) in equations.iter().enumerate() {
        for &(c, _) in &eq.terms {
            holding[c].push(e);
        }
    }
    let mut is_pivot = vec![false; equations.len()];
    let has = |eq: &Equation, c: usize| eq.terms.binary_search_by_key(&c, |&(cc, _)| cc).is_ok();
    let mut queue: BinaryHeap<Reverse<(usize, usize)>> =
        (0..n).map(|c| Reverse((holding[c].len(), c))).collect();
    let mut done = vec![false; n];
    while let Some(Reverse((len, c))) = queue.pop() {
        if done[c] || len != holding[c].len() {
            continue;
        }
        done[c] = true;
        let Some(pe) = holding[c]
            .iter()
            .copied()
            .filter(|&e| !is_pivot[e] && has(&equations[e], c))
            .min_by_key(|&e| (equations[e].terms.len(), e))
        else {
            continue;
        };
        is_pivot[pe] = true;
        let at = equations[pe]
            .terms
            .binary_search_by_key(&c, |&(cc, _)| cc)
            .unwrap_or(0);
        let inv = inv_mod(equations[pe].terms[at].1);
        let pivot = Equation {
            terms: equations[pe]
                .terms
                .iter()
                .map(|&(cc, v)| (cc, mul_mod(v, inv)))
                .collect(),
            rhs: mul_mod(equations[pe].rhs, inv),
        };
        let others: Vec<usize> = std::mem::take(&mut holding[c]);
        for e in others {
            if e == pe {
                continue;
            }
            let Ok(at) = equations[e].terms.binary_search_by_key(&c, |&(cc, _)| cc) else {
                continue;
            };
            let factor = equations[e].terms[at].1;
            let mut terms = Vec::new();
            let (old, new) = (&equations[e].terms, &pivot.terms);
            let (mut a, mut b) = (0, 0);
            while a < old.len() || b < new.len() {
                let ca = old.get(a).map_or(usize::MAX, |t| t.0);
                let cb = new.get(b).map_or(usize::MAX, |t| t.0);
                let (cc, v) = if ca < cb {
                    a += 1;
                    (ca, old[a - 1].1)
                } else if cb < ca {
                    b += 1;
                    holding[cb].push(e);
                    if !done[cb] {
                        queue.push(Reverse((holding[cb].len(), cb)));
                    }
                    (cb, sub_mod(0, mul_mod(factor, new[b - 1].1)))
                } else {
                    a += 1;
                    b += 1;
                    (ca, sub_mod(old[a - 1].1, mul_mod(factor, new[b - 1].1)))
                };
                if v != 0 {
                    terms.push((cc, v));
                }
            }
            let rhs = sub_mod(equations[e].rhs, mul_mod(factor, pivot.rhs));
            equations[e] = Equation { terms, rhs };
        }
        holding[c] = vec![pe];
        equations[pe] = pivot;
    }

    let mut found: Vec<(usize, u64)> = equations
        .iter()
        .zip(&is_pivot)
        .filter(|(eq, pivot)| **pivot && eq.terms.len() == 1)
        .map(|(eq, _)| (eq.terms[0].0, eq.rhs))
        .collect();
    found.sort_unstable();
    found
        .into_iter()
        .map(|(u, v)| (hidden[u].clone(), v))
        .collect()
}

/// Every key of a table of `dims`, margins included, in row-major order
/// with each total after the values it adds up.
fn all_keys(dims: &[usize]) -> Vec<Vec<Option<usize>>> {
    let mut keys = vec![Vec::new()];
    for &n in dims {
        keys = keys
            .into_iter()
            .flat_map(|k: Vec<Option<usize>>| {
                (0..n).map(Some).chain([None]).map(move |c| {
                    let mut k = k.clone();
                    k.push(c);
                    k
                })
            })
            .collect();
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The true value of every key, summed straight from the interior
    /// counts (each added into all 2^d keys above it), not through the
    /// layout `protect` uses.
    fn truth(dims: &[usize], counts: &[u64]) -> HashMap<Vec<Option<usize>>, u64> {
        let mut sums = HashMap::new();
        let interior = all_keys(dims)
            .into_iter()
            .filter(|k| k.iter().all(Option::is_some));
        for (key, &count) in interior.zip(counts) {
            for mask in 0..1usize << dims.len() {
                let above: Vec<Option<usize>> = key
                    .iter()
                    .enumerate()
                    .map(|(i, &c)| if mask >> i & 1 == 1 { None } else { c })
                    .collect();
                *sums.entry(above).or_insert(0) += count;
            }
        }
        sums
    }

    fn hidden_keys(p: &Protected) -> Vec<Vec<Option<usize>>> {
        all_keys(p.dims())
            .into_iter()
            .filter(|k| p.get(k).shown().is_none())
            .collect()
    }

    /// Everything the property test asserts, for any table.
    fn check(dims: &[usize], counts: &[u64], threshold: u64) -> Protected {
        let p = protect(dims, counts, threshold);
        let mut primary = 0;
        let mut secondary = 0;
        let truth = truth(dims, counts);
        for key in all_keys(dims) {
            let t = truth.get(&key).copied().unwrap_or(0);
            match p.get(&key) {
                Cell::Shown(v) => {
                    assert_eq!(v, t, "{key:?}");
                    assert!(v == 0 || v >= threshold, "{key:?} shows {v}");
                }
                Cell::Suppressed { primary: true } => {
                    assert!(t >= 1 && t < threshold, "{key:?} is {t}");
                    primary += 1;
                }
                Cell::Suppressed { primary: false } => secondary += 1,
            }
        }
        assert_eq!((p.primary(), p.secondary()), (primary, secondary));
        assert_eq!(recoverable(&p), Vec::<Vec<Option<usize>>>::new());
        p
    }

    #[test]
    fn a_small_cell_gets_complements_forming_a_rectangle() {
        let counts = [2, 10, 20, 12, 30, 40, 25, 50, 60];
        let p = check(&[3, 3], &counts, 5);
        assert_eq!(
            hidden_keys(&p),
            vec![
                vec![Some(0), Some(0)],
                vec![Some(0), Some(1)],
                vec![Some(1), Some(0)],
                vec![Some(1), Some(1)],
            ]
        );
        assert_eq!((p.primary(), p.secondary()), (1, 3));
        assert_eq!(
            p.get(&[Some(0), Some(0)]),
            Cell::Suppressed { primary: true }
        );
        assert_eq!(p.get(&[Some(0), None]), Cell::Shown(32));
        assert_eq!(p.get(&[None, None]), Cell::Shown(249));
    }

    #[test]
    fn nothing_small_suppresses_nothing() {
        let p = check(&[2, 3], &[5, 6, 7, 8, 9, 10], 5);
        assert!(hidden_keys(&p).is_empty());
        assert_eq!((p.primary(), p.secondary()), (0, 0));
        assert_eq!(
            p.notes(),
            vec![
                "[c] Counts from 1 to 4 are suppressed (shown as [c]) so that no one can be \
                 identified.",
                "0 means none were recorded.",
            ]
        );
    }

    #[test]
    fn a_small_total_is_itself_suppressed() {
        let counts = [1, 2, 0, 10, 20, 30, 40, 50, 60];
        let p = check(&[3, 3], &counts, 5);
        assert_eq!(p.get(&[Some(0), None]), Cell::Suppressed { primary: true });
        assert_eq!(
            p.get(&[Some(0), Some(0)]),
            Cell::Suppressed { primary: true }
        );
        assert_eq!(
            p.get(&[Some(0), Some(1)]),
            Cell::Suppressed { primary: true }
        );
        assert!(p.secondary() > 0);
        assert_eq!(p.notes().len(), 3);
    }

    #[test]
    fn zeros_are_shown() {
        let counts = [0, 10, 20, 0, 30, 40];
        let p = check(&[2, 3], &counts, 5);
        assert_eq!(p.get(&[Some(0), Some(0)]), Cell::Shown(0));
        assert_eq!(p.get(&[None, Some(0)]), Cell::Shown(0));
        assert!(hidden_keys(&p).is_empty());
    }

    #[test]
    fn complements_prefer_small_non_zero_interior_cells() {
        // Row 0: the 3 needs a partner; the 0 is smaller but shown zeros
        // are left alone while a non-zero figure will do.
        let counts = [3, 0, 7, 9, 11, 8, 7, 12, 13];
        let p = check(&[3, 3], &counts, 5);
        assert_eq!(p.get(&[Some(0), Some(1)]), Cell::Shown(0));
        assert_eq!(
            p.get(&[Some(0), Some(2)]),
            Cell::Suppressed { primary: false }
        );
    }

    #[test]
    fn suppressed_figures_print_as_c() {
        assert_eq!(Cell::Suppressed { primary: true }.to_string(), "[c]");
        assert_eq!(Cell::Suppressed { primary: false }.to_string(), "[c]");
        assert_eq!(Cell::Shown(12).to_string(), "12");
        assert_eq!(Cell::Shown(0).to_string(), "0");
        assert_eq!(
            format!("{:>5}", Cell::Suppressed { primary: true }),
            "  [c]"
        );
        assert_eq!(Cell::Shown(7).shown(), Some(7));
        assert_eq!(Cell::Suppressed { primary: false }.shown(), None);
    }

    #[test]
    fn notes_follow_the_threshold_and_the_suppression() {
        let p = protect(&[2], &[1, 9], 2);
        assert_eq!(
            p.notes()[0],
            "[c] Counts of 1 are suppressed (shown as [c]) so that no one can be identified."
        );
        assert_eq!(
            p.notes()[1],
            "[c] Some larger counts and totals are also suppressed so that a suppressed count \
             cannot be worked out from the totals."
        );
        assert_eq!(
            protect(&[2], &[1, 9], 1).notes(),
            vec!["0 means none were recorded."]
        );
    }

    #[test]
    fn a_primary_only_table_gives_its_small_cell_away() {
        let counts = [2, 10, 20, 12, 30, 40, 25, 50, 60];
        let p = Protected::primary_only(&[3, 3], &counts, 5);
        assert_eq!(p.primary(), 1);
        assert_eq!(recover(&p), vec![(vec![Some(0), Some(0)], 2)]);
        assert_eq!(recoverable(&p), vec![vec![Some(0), Some(0)]]);
    }

    #[test]
    fn recoverable_sees_through_a_bridge_between_rectangles() {
        // Two rectangles of small cells joined by one more, (1, 2): every
        // row and column has two or more hidden, which rule (a) accepts, but
        // no cycle of hidden cells runs through the joining one, so the
        // totals pin it.
        let counts = [
            3, 3, 50, 50, //
            3, 3, 3, 50, //
            50, 50, 3, 3, //
            50, 50, 3, 3,
        ];
        let p = Protected::primary_only(&[4, 4], &counts, 5);
        let found = recover(&p);
        let truth = truth(&[4, 4], &counts);
        assert_eq!(
            found.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>(),
            vec![vec![Some(1), Some(2)]]
        );
        for (key, v) in &found {
            assert_eq!(*v, truth[key], "{key:?}");
        }
        check(&[4, 4], &counts, 5);
    }

    #[test]
    fn edge_cases_do_not_panic() {
        // No dimensions: the table is its grand total.
        let p = check(&[], &[3], 5);
        assert_eq!(p.get(&[]), Cell::Suppressed { primary: true });
        assert_eq!(check(&[], &[30], 5).get(&[]), Cell::Shown(30));
        // A dimension of size 0: no interior cells, totals of 0.
        let p = check(&[3, 0], &[], 5);
        assert_eq!(p.get(&[Some(1), None]), Cell::Shown(0));
        assert_eq!(p.get(&[None, None]), Cell::Shown(0));
        check(&[0], &[], 5);
        // Thresholds that suppress nothing.
        for t in [0, 1] {
            let p = check(&[2, 2], &[1, 2, 0, 1], t);
            assert!(hidden_keys(&p).is_empty());
        }
        // All zero.
        assert!(hidden_keys(&check(&[3, 4], &[0; 12], 5)).is_empty());
        // A single row, and a single column.
        check(&[1, 5], &[3, 9, 10, 0, 20], 5);
        check(&[5, 1], &[3, 9, 10, 0, 20], 5);
        check(&[1, 1, 1], &[2], 5);
        check(&[4], &[1, 0, 0, 0], 5);
    }

    #[test]
    fn protection_is_deterministic() {
        let counts: Vec<u64> = (0..60).map(|i| (i * 7 % 13) as u64).collect();
        assert_eq!(
            protect(&[3, 4, 5], &counts, 5),
            protect(&[3, 4, 5], &counts, 5)
        );
    }

    /// A deterministic stand-in for a year of incident statistics: 120
    /// establishments of varied size, 8 incident types at the given yearly
    /// rates per quarter, 4 quarters.
    fn incidents(rates: [f64; 8]) -> Vec<u64> {
        let mut state = 0x5eed_u64;
        let mut next = || {
            // splitmix64
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            (z ^ (z >> 31)) as f64 / u64::MAX as f64
        };
        let mut counts = Vec::new();
        for _ in 0..120 {
            let size = 0.2 + 1.8 * next();
            for rate in rates {
                for _ in 0..4 {
                    counts.push((rate * size * 2.0 * next()).floor() as u64);
                }
            }
        }
        counts
    }

    /// Protects and checks a 120 x 8 x 4 table, reporting the time each
    /// step takes (run with `--nocapture` to see it). The bound is loose,
    /// to catch a blow-up (a dense elimination) rather than to time a
    /// loaded CI machine.
    fn national(rates: [f64; 8]) -> Protected {
        let counts = incidents(rates);
        let start = std::time::Instant::now();
        let p = protect(&[120, 8, 4], &counts, 5);
        let protecting = start.elapsed();
        let start = std::time::Instant::now();
        assert!(recoverable(&p).is_empty());
        let checking = start.elapsed();
        eprintln!(
            "120 x 8 x 4: {} primary, {} secondary; protect {protecting:?}, recoverable \
             {checking:?}",
            p.primary(),
            p.secondary()
        );
        assert!(protecting + checking < std::time::Duration::from_secs(5));
        check(&[120, 8, 4], &counts, 5);
        p
    }

    #[test]
    fn a_national_table_is_protected_quickly() {
        // Common incident types down to rare ones.
        national([60.0, 25.0, 10.0, 5.0, 2.5, 1.2, 0.5, 0.15]);
    }

    #[test]
    fn a_national_table_of_mostly_small_counts_is_protected_quickly() {
        // Counts mostly just above the threshold: the audit, not rule (a),
        // finds most of what must be hidden.
        let p = national([8.0; 8]);
        assert!(p.secondary() > 0);
    }

    #[test]
    fn a_box_frees_its_corner() {
        let mut counts = [40u64; 27];
        counts[13] = 2; // the centre of 3 x 3 x 3
        let p = Protected::primary_only(&[3, 3, 3], &counts, 5);
        assert_eq!(recoverable(&p).len(), 1);

        let layout = Layout::new(&[3, 3, 3]);
        let values = layout.fill(&counts);
        let mut state = Suppression::new(&layout, &values);
        state.suppress_small(5);
        let u = layout.flat(&[Some(1), Some(1), Some(1)]).unwrap();
        assert_eq!(state.pinned(), vec![u]);
        let corners = state.cheapest_box(u);
        assert_eq!(corners.len(), 7);
        for c in corners {
            assert_eq!(layout.level(c), 0, "40s inside before totals of 120");
            state.suppress(c, false);
        }
        assert_eq!(state.pinned(), Vec::<usize>::new());
        assert!(recoverable(&state.finish(5)).is_empty());
    }

    /// Interior counts: mostly small (where suppression bites), some large.
    fn table() -> impl Strategy<Value = (Vec<usize>, Vec<u64>)> {
        prop::collection::vec(1usize..6, 2..=3).prop_flat_map(|dims| {
            let n: usize = dims.iter().product();
            let count = prop_oneof![4 => 0u64..6, 1 => Just(0u64), 2 => 6u64..200];
            (Just(dims), prop::collection::vec(count, n))
        })
    }

    proptest! {
        // A fixed seed: the same cases every run, so CI cannot fail on a
        // draw no one has seen (new cases come from changing the seed on
        // purpose).
        #![proptest_config(ProptestConfig {
            cases: 64,
            rng_seed: proptest::test_runner::RngSeed::Fixed(0x7ab1_e5c0),
            ..ProptestConfig::default()
        })]

        #[test]
        fn protected_tables_show_only_safe_true_figures(
            (dims, counts) in table(),
            threshold in 3u64..10,
        ) {
            check(&dims, &counts, threshold);
        }

        /// On tables with only their small counts hidden (where there is
        /// plenty to find), `protect`'s audit and `recoverable` find the
        /// same figures, and what `recoverable` works out is the truth.
        #[test]
        fn the_two_audits_agree_on_unprotected_tables(
            (dims, counts) in table(),
            threshold in 3u64..10,
        ) {
            let layout = Layout::new(&dims);
            let values = layout.fill(&counts);
            let mut state = Suppression::new(&layout, &values);
            state.suppress_small(threshold);
            let pinned: Vec<Vec<Option<usize>>> = state
                .pinned()
                .into_iter()
                .map(|f| {
                    (0..dims.len())
                        .map(|i| Some(layout.coord(f, i)).filter(|&c| c < dims[i]))
                        .collect()
                })
                .collect();
            let found = recover(&state.finish(threshold));
            let truth = truth(&dims, &counts);
            for (key, v) in &found {
                prop_assert_eq!(*v, truth[key]);
            }
            let keys: Vec<_> = found.into_iter().map(|(k, _)| k).collect();
            prop_assert_eq!(keys, pinned);
        }
    }
}
