//! Working-day arithmetic.
//!
//! Each (region, year) is turned once into a bitmap of its working days with
//! a running total, so that counting never steps day by day: whole years are
//! skipped by their totals and whole 64-day stretches by a population count.
//! The bitmaps live in a process-wide cache, filled lazily, which is why a
//! [`Calendar`] can be a plain `Copy` value.

use std::sync::OnceLock;

use chrono::{Datelike, Days, NaiveDate};

use crate::holidays::{self, Nation, ymd};
use crate::{Error, Holiday, Region, SUPPORTED_YEARS, WorkingDays};

const FIRST_YEAR: i32 = *SUPPORTED_YEARS.start();
const LAST_YEAR: i32 = *SUPPORTED_YEARS.end();
const YEAR_COUNT: usize = (LAST_YEAR - FIRST_YEAR + 1) as usize;

/// Working-day arithmetic in one [`Region`]'s calendar.
///
/// A `Calendar` is just the region: holidays are computed on first use for
/// each year and kept in a cache shared by the whole process, so calendars
/// are free to copy and to share between threads, and repeated queries (one
/// per person for millions of people, say) cost a few bit operations.
///
/// Every date passed in must lie in [`SUPPORTED_YEARS`], and so must every
/// answer; otherwise the method returns an [`Error`] rather than guess.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Calendar {
    region: Region,
}

impl From<Region> for Calendar {
    fn from(region: Region) -> Self {
        Calendar::new(region)
    }
}

impl Calendar {
    /// The calendar of `region`.
    #[must_use]
    pub const fn new(region: Region) -> Self {
        Calendar { region }
    }

    /// The region whose holidays this calendar observes.
    #[must_use]
    pub const fn region(self) -> Region {
        self.region
    }

    /// The bank holidays of `year`, sorted by date, each on the day actually
    /// taken off (a holiday falling at a weekend appears on its substitute
    /// day, named "… (substitute day)").
    ///
    /// # Errors
    ///
    /// [`Error::YearOutOfRange`] outside [`SUPPORTED_YEARS`].
    pub fn holidays(self, year: i32) -> Result<Vec<Holiday>, Error> {
        check_year(year)?;
        Ok(holidays::named(self.region, year))
    }

    /// Whether `date` is a working day: a weekday that is not a bank holiday.
    ///
    /// # Errors
    ///
    /// [`Error::DateOutOfRange`] outside [`SUPPORTED_YEARS`].
    pub fn is_working_day(self, date: NaiveDate) -> Result<bool, Error> {
        check_date(date)?;
        Ok(self.mask(date.year()).is_working(date.ordinal0()))
    }

    /// The first working day strictly after `date`.
    ///
    /// # Errors
    ///
    /// As for [`add_working_days`](Self::add_working_days) with one day.
    pub fn next_working_day(self, date: NaiveDate) -> Result<NaiveDate, Error> {
        self.add_working_days(date, WorkingDays(1))
    }

    /// The `days`-th working day after `date`.
    ///
    /// `date` itself is never counted, working day or not: this is how the
    /// Freedom of Information Act counts "the twentieth working day following
    /// the date of receipt". Zero days gives back `date` unchanged.
    ///
    /// # Errors
    ///
    /// [`Error::DateOutOfRange`] if `date` is outside [`SUPPORTED_YEARS`]
    /// (even for zero days), and [`Error::ResultOutOfRange`] if the answer
    /// would fall after 2100-12-31.
    pub fn add_working_days(self, date: NaiveDate, days: WorkingDays) -> Result<NaiveDate, Error> {
        check_date(date)?;
        if days.0 == 0 {
            return Ok(date);
        }
        let out_of_range = Error::ResultOutOfRange { start: date, days };
        let mut year = date.year();
        let mut from = date.ordinal0() + 1;
        let mut remaining = days.0;
        loop {
            match self.mask(year).nth_working_from(from, remaining) {
                Ok(ordinal0) => {
                    // Only days of `year` have bits set, so this is always
                    // Some; the error is a fallback that can never show.
                    return NaiveDate::from_yo_opt(year, ordinal0 + 1).ok_or(out_of_range);
                }
                Err(passed) => remaining -= passed,
            }
            year += 1;
            from = 0;
            if year > LAST_YEAR {
                return Err(out_of_range);
            }
        }
    }

    /// How many working days lie after `start` up to and including `end`;
    /// zero when `end` is not after `start`.
    ///
    /// This undoes [`add_working_days`](Self::add_working_days):
    /// `working_days_between(d, add_working_days(d, n)?)? == n`.
    ///
    /// # Errors
    ///
    /// [`Error::DateOutOfRange`] if either date is outside
    /// [`SUPPORTED_YEARS`], even when `end` is before `start`.
    pub fn working_days_between(
        self,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<WorkingDays, Error> {
        check_date(start)?;
        check_date(end)?;
        if end <= start {
            return Ok(WorkingDays(0));
        }
        let through = |date: NaiveDate| self.mask(date.year()).count_before(date.ordinal0() + 1);
        let count = if start.year() == end.year() {
            through(end) - through(start)
        } else {
            let rest_of_first = self.mask(start.year()).total - through(start);
            let middle: u32 = (start.year() + 1..end.year())
                .map(|year| self.mask(year).total)
                .sum();
            rest_of_first + middle + through(end)
        };
        Ok(WorkingDays(count))
    }

    /// The cached bitmap for a year already checked to be in range.
    fn mask(self, year: i32) -> &'static YearMask {
        year_mask(self.region, year)
    }
}

static MASKS: [[OnceLock<YearMask>; YEAR_COUNT]; Region::ALL.len()] =
    [const { [const { OnceLock::new() }; YEAR_COUNT] }; Region::ALL.len()];

fn year_mask(region: Region, year: i32) -> &'static YearMask {
    let region_index = match region {
        Region::EnglandAndWales => 0,
        Region::Scotland => 1,
        Region::NorthernIreland => 2,
        Region::AnyPartOfUk => 3,
    };
    let year_index = usize::try_from(year - FIRST_YEAR).expect("year checked to be in range");
    MASKS[region_index][year_index].get_or_init(|| match region.nations() {
        [nation] => YearMask::for_nation(*nation, year),
        // A working day in the union calendar is one that is a working day
        // in every nation, so the union reuses the nations' cached bitmaps.
        nations => YearMask::all_of(nations.iter().map(|n| year_mask(n.region(), year))),
    })
}

/// One bit per day of a year, indexed by `ordinal0`, set for working days.
#[derive(Debug)]
struct YearMask {
    words: [u64; 6],
    /// Working days in the whole year.
    total: u32,
}

impl YearMask {
    fn new(words: [u64; 6]) -> Self {
        let total = words.iter().map(|word| word.count_ones()).sum();
        YearMask { words, total }
    }

    fn for_nation(nation: Nation, year: i32) -> Self {
        let mut words = [0; 6];
        let mut day = ymd(year, 1, 1);
        while day.year() == year {
            if !holidays::is_weekend(day) {
                let i = day.ordinal0() as usize;
                words[i / 64] |= 1 << (i % 64);
            }
            day = day + Days::new(1);
        }
        for holiday in holidays::observed(nation, year) {
            let i = holiday.date.ordinal0() as usize;
            words[i / 64] &= !(1 << (i % 64));
        }
        YearMask::new(words)
    }

    fn all_of<'a>(masks: impl Iterator<Item = &'a YearMask>) -> Self {
        let mut words = [u64::MAX; 6];
        for mask in masks {
            for (word, theirs) in words.iter_mut().zip(mask.words) {
                *word &= theirs;
            }
        }
        YearMask::new(words)
    }

    fn is_working(&self, ordinal0: u32) -> bool {
        let i = ordinal0 as usize;
        self.words[i / 64] & (1 << (i % 64)) != 0
    }

    /// Working days with `ordinal0` below `end` (at most 366).
    fn count_before(&self, end: u32) -> u32 {
        let (word, bit) = ((end / 64) as usize, end % 64);
        let whole: u32 = self.words[..word].iter().map(|w| w.count_ones()).sum();
        let partial = self
            .words
            .get(word)
            .map_or(0, |w| (w & low_bits(bit)).count_ones());
        whole + partial
    }

    /// The `ordinal0` of the `n`-th (from 1) working day at or after
    /// `from`, or, when the year runs out first, how many it had to offer.
    fn nth_working_from(&self, from: u32, n: u32) -> Result<u32, u32> {
        let available = self.total - self.count_before(from);
        if n == 0 || n > available {
            return Err(available.min(n));
        }
        let mut index = (from / 64) as usize;
        let mut word = self.words[index] & !low_bits(from % 64);
        let mut remaining = n;
        loop {
            let ones = word.count_ones();
            if remaining <= ones {
                for _ in 1..remaining {
                    word &= word - 1; // drop the lowest working day
                }
                return Ok(index as u32 * 64 + word.trailing_zeros());
            }
            remaining -= ones;
            index += 1;
            word = self.words[index];
        }
    }
}

/// A word with the lowest `bits` bits set (`bits` < 64).
fn low_bits(bits: u32) -> u64 {
    (1u64 << bits) - 1
}

fn check_year(year: i32) -> Result<(), Error> {
    if SUPPORTED_YEARS.contains(&year) {
        Ok(())
    } else {
        Err(Error::YearOutOfRange { year })
    }
}

fn check_date(date: NaiveDate) -> Result<(), Error> {
    if SUPPORTED_YEARS.contains(&date.year()) {
        Ok(())
    } else {
        Err(Error::DateOutOfRange { date })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mask_of(days: &[u32]) -> YearMask {
        let mut words = [0; 6];
        for &day in days {
            words[day as usize / 64] |= 1 << (day % 64);
        }
        YearMask::new(words)
    }

    #[test]
    fn counting_within_a_year_crosses_word_boundaries() {
        let mask = mask_of(&[0, 63, 64, 200, 365]);
        assert_eq!(mask.total, 5);
        assert_eq!(mask.count_before(0), 0);
        assert_eq!(mask.count_before(1), 1);
        assert_eq!(mask.count_before(64), 2);
        assert_eq!(mask.count_before(65), 3);
        assert_eq!(mask.count_before(366), 5);
        assert_eq!(mask.nth_working_from(0, 1), Ok(0));
        assert_eq!(mask.nth_working_from(1, 1), Ok(63));
        assert_eq!(mask.nth_working_from(1, 2), Ok(64));
        assert_eq!(mask.nth_working_from(64, 3), Ok(365));
        assert_eq!(mask.nth_working_from(64, 4), Err(3));
        assert_eq!(mask.nth_working_from(366, 1), Err(0));
    }

    #[test]
    fn a_year_has_about_252_working_days() {
        // 2023 had 260 weekdays, 9 of them holidays in England and Wales.
        assert_eq!(year_mask(Region::EnglandAndWales, 2023).total, 251);
        // Scotland's 10 holidays in 2023 all fell on weekdays.
        assert_eq!(year_mask(Region::Scotland, 2023).total, 250);
    }

    #[test]
    fn calendar_is_cheap_to_share() {
        fn shareable<T: Send + Sync + Copy + 'static>() {}
        shareable::<Calendar>();
        assert!(std::mem::size_of::<Calendar>() <= 8);
    }
}
