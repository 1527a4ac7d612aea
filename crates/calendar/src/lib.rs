//! UK bank holidays and working-day arithmetic for Lifeline's deadlines.
//!
//! Every statutory or service deadline on the platform is counted in working
//! days: the Justice Data Lab's 20-working-day review period, the Freedom of
//! Information Act's "twentieth working day following the date of receipt",
//! the three working days' notice for a prison visit booking. This crate
//! answers the two questions those deadlines need, "is this a working day?"
//! and "which day is n working days after that one?", for England and Wales,
//! Scotland, Northern Ireland and "any part of the UK" (the union the Freedom
//! of Information Act uses), for every year from 1990 to 2100. Bank holidays
//! are computed by rule, with history's one-off changes (jubilees, royal
//! weddings, the moved VE Day holidays) kept in a single table. It depends on
//! no other Lifeline crate, so anything on the platform can use it without
//! pulling in the rest.
//!
//! ```
//! use calendar::{Calendar, Region, WorkingDays};
//! use chrono::NaiveDate;
//!
//! let foi = Calendar::new(Region::AnyPartOfUk);
//! let received = NaiveDate::from_ymd_opt(2024, 12, 20).unwrap();
//! let due = foi.add_working_days(received, WorkingDays(20))?;
//! assert_eq!(due, NaiveDate::from_ymd_opt(2025, 1, 23).unwrap());
//! # Ok::<(), calendar::Error>(())
//! ```

#![warn(missing_docs)]

mod holidays;
mod working;

use std::fmt;
use std::ops::RangeInclusive;
use std::str::FromStr;

use chrono::NaiveDate;

pub use working::Calendar;

/// The years for which holidays are known; anything outside is an [`Error`].
///
/// The lower bound is as far back as the rules below are trusted; the upper
/// bound is a horizon: future one-off holidays cannot be predicted, and a
/// deadline computed decades ahead would be wrong in ways nobody could see.
pub const SUPPORTED_YEARS: RangeInclusive<i32> = 1990..=2100;

/// A set of bank holidays: one of the UK's three legal jurisdictions, or all
/// of them at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Region {
    /// England and Wales, which share one list of bank holidays.
    EnglandAndWales,
    /// Scotland.
    Scotland,
    /// Northern Ireland.
    NorthernIreland,
    /// A day is a holiday if it is a bank holiday anywhere in the UK. This
    /// is how the Freedom of Information Act 2000 (s.10(6)) defines a
    /// working day.
    AnyPartOfUk,
}

impl Region {
    /// Every region, in the order they are usually listed.
    pub const ALL: [Region; 4] = [
        Region::EnglandAndWales,
        Region::Scotland,
        Region::NorthernIreland,
        Region::AnyPartOfUk,
    ];
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Region::EnglandAndWales => "England and Wales",
            Region::Scotland => "Scotland",
            Region::NorthernIreland => "Northern Ireland",
            Region::AnyPartOfUk => "any part of the UK",
        })
    }
}

const ACCEPTED_REGIONS: &str =
    "england-and-wales, scotland, northern-ireland, uk (or any-part-of-uk)";

impl FromStr for Region {
    type Err = ParseRegionError;

    /// Accepts the command-line spellings (`england-and-wales`, `scotland`,
    /// `northern-ireland`, `uk`, `any-part-of-uk`) in any case, and also the
    /// [`Display`](fmt::Display) forms, so a printed region parses back.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // Fold spaces, underscores and "&" into the hyphenated form so that
        // "England & Wales" and "any part of the UK" are accepted too.
        let normalised = s
            .split(|c: char| c.is_whitespace() || c == '-' || c == '_')
            .filter(|word| !word.is_empty())
            .map(|word| match word {
                "&" => "and".to_owned(),
                other => other.to_lowercase(),
            })
            .collect::<Vec<_>>()
            .join("-");
        match normalised.as_str() {
            "england-and-wales" => Ok(Region::EnglandAndWales),
            "scotland" => Ok(Region::Scotland),
            "northern-ireland" => Ok(Region::NorthernIreland),
            "uk" | "any-part-of-uk" | "any-part-of-the-uk" => Ok(Region::AnyPartOfUk),
            _ => Err(ParseRegionError {
                input: s.to_owned(),
            }),
        }
    }
}

/// The string given to [`Region::from_str`] was not a region we know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown region {input:?}: expected one of {ACCEPTED_REGIONS}")]
pub struct ParseRegionError {
    input: String,
}

/// One bank holiday as observed: a substitute day carries the date people
/// actually have off, with "(substitute day)" in its name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Holiday {
    /// The day off.
    pub date: NaiveDate,
    /// The name GOV.UK uses. For [`Region::AnyPartOfUk`], a day that is not
    /// the same holiday everywhere names the regions it belongs to, e.g.
    /// `"Scotland: St Andrew's Day"`.
    pub name: String,
}

/// A count of working days, kept distinct from plain integers so that a
/// deadline of `WorkingDays(20)` cannot be mistaken for 20 calendar days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct WorkingDays(pub u32);

impl fmt::Display for WorkingDays {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            1 => f.write_str("1 working day"),
            n => write!(f, "{n} working days"),
        }
    }
}

/// Why a calendar question could not be answered.
///
/// Outside [`SUPPORTED_YEARS`] we do not know the holidays, so rather than
/// guess (and silently miss a deadline) every operation refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Holidays were asked for a year outside [`SUPPORTED_YEARS`].
    #[error("year {year} is outside the supported years 1990 to 2100")]
    YearOutOfRange {
        /// The year asked for.
        year: i32,
    },
    /// A date given to the calendar lies outside [`SUPPORTED_YEARS`].
    #[error("{date} is outside the supported dates 1990-01-01 to 2100-12-31")]
    DateOutOfRange {
        /// The date given.
        date: NaiveDate,
    },
    /// The answer would lie after 2100-12-31.
    #[error("{days} after {start} falls after 2100-12-31, the last supported date")]
    ResultOutOfRange {
        /// The date counted from.
        start: NaiveDate,
        /// How far it was asked to count.
        days: WorkingDays,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_parse_in_any_case_and_round_trip_through_display() {
        let cases = [
            ("england-and-wales", Region::EnglandAndWales),
            ("England-And-Wales", Region::EnglandAndWales),
            ("England & Wales", Region::EnglandAndWales),
            ("SCOTLAND", Region::Scotland),
            ("northern_ireland", Region::NorthernIreland),
            ("uk", Region::AnyPartOfUk),
            ("UK", Region::AnyPartOfUk),
            ("any-part-of-uk", Region::AnyPartOfUk),
            (" Any part of the UK ", Region::AnyPartOfUk),
        ];
        for (text, region) in cases {
            assert_eq!(text.parse::<Region>(), Ok(region), "{text:?}");
        }
        for region in Region::ALL {
            assert_eq!(region.to_string().parse::<Region>(), Ok(region));
        }
    }

    #[test]
    fn unknown_region_error_lists_accepted_values() {
        let err = "wales-only".parse::<Region>().unwrap_err();
        let message = err.to_string();
        assert!(message.contains("\"wales-only\""), "{message}");
        for accepted in [
            "england-and-wales",
            "scotland",
            "northern-ireland",
            "uk",
            "any-part-of-uk",
        ] {
            assert!(message.contains(accepted), "{message}");
        }
        assert!("".parse::<Region>().is_err());
    }

    #[test]
    fn working_days_display_is_plural_aware() {
        assert_eq!(WorkingDays(1).to_string(), "1 working day");
        assert_eq!(WorkingDays(20).to_string(), "20 working days");
        assert_eq!(WorkingDays(0).to_string(), "0 working days");
    }
}
