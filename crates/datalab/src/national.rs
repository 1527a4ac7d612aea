//! The national dataset: what it covers and how it is laid out on disk.
//!
//! The lab's research copy of the Police National Computer, with DWP and
//! HMRC employment and benefit history, is a set of Parquet tables under one
//! directory, described by a `manifest.toml`. The generator writes it; the
//! linkage and matching stages read it.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// The span of time the national records cover, and so which interventions
/// the lab can measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    /// First date from which index events are measured (2002 in the real lab).
    pub index_from: NaiveDate,
    /// The date the extract was taken: nothing after it is known.
    pub extract_date: NaiveDate,
}

impl Coverage {
    /// One year of follow-up plus six months for offences to be proven.
    pub const FOLLOW_UP_MONTHS: u32 = 18;

    /// The last index date whose follow-up and waiting period end inside the
    /// extract.
    pub fn index_to(&self) -> NaiveDate {
        self.extract_date
            .checked_sub_months(Months::new(Self::FOLLOW_UP_MONTHS))
            .unwrap_or(self.index_from)
    }

    /// Whether an index event on `date` can be measured.
    pub fn contains_index(&self, date: NaiveDate) -> bool {
        date >= self.index_from && date <= self.index_to()
    }
}

impl Default for Coverage {
    fn default() -> Self {
        Self {
            index_from: NaiveDate::from_ymd_opt(2002, 1, 1).unwrap_or_default(),
            extract_date: NaiveDate::from_ymd_opt(2020, 12, 31).unwrap_or_default(),
        }
    }
}
