//! Everyone's history from the national tables, held as flat columns with
//! an index per person, so that covariates and outcomes for hundreds of
//! thousands of people are computed from contiguous memory.

use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, UInt8Type, UInt32Type};
use arrow_array::{Array, RecordBatch};
use rayon::prelude::*;

use crate::national::{self, Disposal, NEEDS, OffenceGroup, ReadError, column, tables};
use crate::person::{Ethnicity, Gender};
use crate::postcode::Region;

/// One proven offence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Offence {
    pub offence_date: i32,
    pub group: OffenceGroup,
    pub disposal_date: i32,
    pub disposal: Disposal,
    pub sentence_days: u32,
    pub release_date: Option<i32>,
}

/// A spell (employment or benefit), `end` open when ongoing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Spell {
    pub start: i32,
    pub end: Option<i32>,
}

impl Spell {
    /// Days of the spell inside `[from, to)`.
    pub fn days_within(&self, from: i32, to: i32) -> i32 {
        let s = self.start.max(from);
        let e = self.end.unwrap_or(i32::MAX).min(to);
        (e - s).max(0)
    }
}

/// A needs assessment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Assessment {
    pub date: i32,
    pub needs: [u8; NEEDS.len()],
}

/// Flat rows of one table with, per person, where their rows start.
#[derive(Debug)]
struct Grouped<T> {
    rows: Vec<T>,
    /// `rows[index[p]..index[p + 1]]` are person `p`'s.
    index: Vec<u32>,
}

// Derived `Default` would demand `T: Default`, which rows need not be.
impl<T> Default for Grouped<T> {
    fn default() -> Self {
        Grouped {
            rows: Vec::new(),
            index: vec![0],
        }
    }
}

impl<T> Grouped<T> {
    fn of(&self, person: usize) -> &[T] {
        &self.rows[self.index[person] as usize..self.index[person + 1] as usize]
    }
}

/// Groups `(person, row)` pairs by person, sorted by `key` within a person.
fn group<T: Send>(
    mut rows: Vec<(u32, T)>,
    people: usize,
    key: impl Fn(&T) -> i64 + Sync,
) -> Grouped<T> {
    rows.par_sort_by_key(|(p, t)| (*p, key(t)));
    let mut index = Vec::with_capacity(people + 1);
    index.push(0);
    let mut k = 0;
    for person in 0..people as u32 {
        while k < rows.len() && rows[k].0 == person {
            k += 1;
        }
        index.push(k as u32);
    }
    Grouped {
        rows: rows.into_iter().map(|(_, t)| t).collect(),
        index,
    }
}

/// Everything the national records hold about everyone.
pub struct History {
    /// The national `person_id` at each position.
    pub(crate) person_id: Vec<u32>,
    pub(crate) dob: Vec<i32>,
    pub(crate) gender: Vec<Gender>,
    pub(crate) ethnicity: Vec<Ethnicity>,
    pub(crate) region: Vec<Region>,
    offences: Grouped<Offence>,
    employment: Grouped<Spell>,
    benefits: Grouped<Spell>,
    assessments: Grouped<Assessment>,
}

fn malformed(dir: &Path, table: &str, what: String) -> ReadError {
    ReadError::Parquet {
        path: dir.join(table),
        message: what,
    }
}

impl History {
    /// Reads the people, offences, employment, benefits and needs tables.
    pub fn load(dir: &Path) -> Result<Self, ReadError> {
        let people = national::read_columns(
            dir,
            tables::PEOPLE,
            Some(&[
                "person_id",
                "date_of_birth",
                "gender",
                "ethnicity",
                "region",
            ]),
        )?;
        let n: usize = people.iter().map(RecordBatch::num_rows).sum();
        let mut h = History {
            person_id: Vec::with_capacity(n),
            dob: Vec::with_capacity(n),
            gender: Vec::with_capacity(n),
            ethnicity: Vec::with_capacity(n),
            region: Vec::with_capacity(n),
            offences: Grouped::default(),
            employment: Grouped::default(),
            benefits: Grouped::default(),
            assessments: Grouped::default(),
        };
        for b in &people {
            let ids = column(b, "person_id").as_primitive::<UInt32Type>();
            let dob = column(b, "date_of_birth").as_primitive::<Date32Type>();
            let gender = column(b, "gender").as_string::<i32>();
            let ethnicity = column(b, "ethnicity").as_string::<i32>();
            let region = column(b, "region").as_string::<i32>();
            for i in 0..b.num_rows() {
                h.person_id.push(ids.value(i));
                h.dob.push(dob.value(i));
                let bad = |what: &str, v: &str| {
                    malformed(
                        dir,
                        tables::PEOPLE,
                        format!("person {}: {what} '{v}'", ids.value(i)),
                    )
                };
                h.gender.push(
                    gender
                        .value(i)
                        .parse()
                        .map_err(|_| bad("gender", gender.value(i)))?,
                );
                h.ethnicity.push(
                    ethnicity
                        .value(i)
                        .parse()
                        .map_err(|_| bad("ethnicity", ethnicity.value(i)))?,
                );
                h.region.push(
                    region
                        .value(i)
                        .parse()
                        .map_err(|_| bad("region", region.value(i)))?,
                );
            }
        }
        let max_id = h.person_id.iter().copied().max().unwrap_or(0) as usize;
        let mut position = vec![u32::MAX; max_id + 1];
        for (p, &id) in h.person_id.iter().enumerate() {
            position[id as usize] = p as u32;
        }
        let position = &position;
        let at = move |id: u32| {
            position
                .get(id as usize)
                .copied()
                .filter(|&p| p != u32::MAX)
        };

        // Columns are named so that a file lacking one is refused when read.
        let offences = national::read_columns(
            dir,
            tables::OFFENCES,
            Some(&[
                "person_id",
                "offence_date",
                "offence_group",
                "disposal_date",
                "disposal",
                "sentence_days",
                "release_date",
            ]),
        )?;
        let rows: Vec<(u32, Offence)> = offences
            .par_iter()
            .flat_map_iter(|b| {
                let ids = column(b, "person_id").as_primitive::<UInt32Type>();
                let od = column(b, "offence_date").as_primitive::<Date32Type>();
                let group = column(b, "offence_group").as_string::<i32>();
                let dd = column(b, "disposal_date").as_primitive::<Date32Type>();
                let disposal = column(b, "disposal").as_string::<i32>();
                let days = column(b, "sentence_days").as_primitive::<UInt32Type>();
                let release = column(b, "release_date").as_primitive::<Date32Type>();
                (0..b.num_rows()).filter_map(move |i| {
                    Some((
                        at(ids.value(i))?,
                        Offence {
                            offence_date: od.value(i),
                            group: OffenceGroup::from_name(group.value(i))?,
                            disposal_date: dd.value(i),
                            disposal: Disposal::from_name(disposal.value(i))?,
                            sentence_days: if days.is_valid(i) { days.value(i) } else { 0 },
                            release_date: release.is_valid(i).then(|| release.value(i)),
                        },
                    ))
                })
            })
            .collect();
        h.offences = group(rows, n, |o| {
            i64::from(o.disposal_date) << 32 | i64::from(o.offence_date as u32)
        });

        let spells = |table: &str, start: &'static str| -> Result<Vec<(u32, Spell)>, ReadError> {
            let batches =
                national::read_columns(dir, table, Some(&["person_id", start, "end_date"]))?;
            Ok(batches
                .par_iter()
                .flat_map_iter(|b| {
                    let ids = column(b, "person_id").as_primitive::<UInt32Type>();
                    let s = column(b, start).as_primitive::<Date32Type>();
                    let e = column(b, "end_date").as_primitive::<Date32Type>();
                    (0..b.num_rows()).filter_map(move |i| {
                        Some((
                            at(ids.value(i))?,
                            Spell {
                                start: s.value(i),
                                end: e.is_valid(i).then(|| e.value(i)),
                            },
                        ))
                    })
                })
                .collect())
        };
        h.employment = group(spells(tables::EMPLOYMENT, "start_date")?, n, |s| {
            s.start.into()
        });
        h.benefits = group(spells(tables::BENEFITS, "start_date")?, n, |s| {
            s.start.into()
        });

        let need_columns: Vec<&str> = ["person_id", "assessment_date"]
            .into_iter()
            .chain(NEEDS)
            .collect();
        let needs = national::read_columns(dir, tables::NEEDS, Some(&need_columns))?;
        let rows: Vec<(u32, Assessment)> = needs
            .par_iter()
            .flat_map_iter(|b| {
                let ids = column(b, "person_id").as_primitive::<UInt32Type>();
                let date = column(b, "assessment_date").as_primitive::<Date32Type>();
                let scores: Vec<_> = NEEDS
                    .iter()
                    .map(|n| column(b, n).as_primitive::<UInt8Type>())
                    .collect();
                (0..b.num_rows()).filter_map(move |i| {
                    let mut needs = [0u8; NEEDS.len()];
                    for (k, s) in scores.iter().enumerate() {
                        needs[k] = s.value(i);
                    }
                    Some((
                        at(ids.value(i))?,
                        Assessment {
                            date: date.value(i),
                            needs,
                        },
                    ))
                })
            })
            .collect();
        h.assessments = group(rows, n, |a| a.date.into());
        Ok(h)
    }

    /// People in the records.
    pub fn len(&self) -> usize {
        self.person_id.len()
    }

    /// Whether there is nobody.
    pub fn is_empty(&self) -> bool {
        self.person_id.is_empty()
    }

    pub(crate) fn offences(&self, person: usize) -> &[Offence] {
        self.offences.of(person)
    }

    pub(crate) fn employment(&self, person: usize) -> &[Spell] {
        self.employment.of(person)
    }

    pub(crate) fn benefits(&self, person: usize) -> &[Spell] {
        self.benefits.of(person)
    }

    pub(crate) fn assessments(&self, person: usize) -> &[Assessment] {
        self.assessments.of(person)
    }
}

#[cfg(test)]
impl History {
    /// A history of men born on `dob` living in the North West, with the
    /// given offences and no employment, benefits or assessments; person
    /// `p` has `person_id` `p + 1`.
    pub(crate) fn of_offences(dob: i32, offences: Vec<Vec<Offence>>) -> Self {
        let n = offences.len();
        let rows = offences
            .into_iter()
            .enumerate()
            .flat_map(|(p, os)| os.into_iter().map(move |o| (p as u32, o)))
            .collect();
        History {
            person_id: (1..=n as u32).collect(),
            dob: vec![dob; n],
            gender: vec![Gender::Male; n],
            ethnicity: vec![Ethnicity::White; n],
            region: vec![Region::NorthWest; n],
            offences: group(rows, n, |o| {
                i64::from(o.disposal_date) << 32 | i64::from(o.offence_date as u32)
            }),
            employment: group(Vec::new(), n, |s| s.start.into()),
            benefits: group(Vec::new(), n, |s| s.start.into()),
            assessments: group(Vec::new(), n, |a| a.date.into()),
        }
    }
}
