//! Invariants over the whole supported range: every year's holiday list,
//! and property tests of the arithmetic against a plain day-by-day count.

use calendar::{Calendar, Error, Region, SUPPORTED_YEARS, WorkingDays};
use chrono::{Datelike, Days, NaiveDate, Weekday};
use proptest::prelude::*;

fn d(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap()
}

fn first_day() -> NaiveDate {
    d(*SUPPORTED_YEARS.start(), 1, 1)
}

fn last_day() -> NaiveDate {
    d(*SUPPORTED_YEARS.end(), 12, 31)
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Additional one-off holidays (moved ones do not change the count).
fn additional_days(year: i32) -> usize {
    match year {
        1999 => 1, // Millennium
        2002 => 1, // Golden Jubilee
        2011 => 1, // Royal wedding
        2012 => 1, // Diamond Jubilee
        2022 => 2, // Platinum Jubilee, State Funeral
        2023 => 1, // Coronation
        _ => 0,
    }
}

fn expected_count(region: Region, year: i32) -> usize {
    let st_andrews = usize::from(year >= 2007);
    let standing = match region {
        Region::EnglandAndWales => 8,
        // E&W less Easter Monday, plus 2 January (summer holiday swapped).
        Region::Scotland => 8 + st_andrews,
        // E&W plus St Patrick's Day and the Battle of the Boyne.
        Region::NorthernIreland => 10,
        // NI's ten plus Scotland's 2 January and first Monday of August.
        // The two regions' January substitutes never leave more than two
        // distinct January dates, and no other days coincide.
        Region::AnyPartOfUk => 12 + st_andrews,
    };
    standing + additional_days(year)
}

#[test]
fn every_year_and_region_has_a_clean_holiday_list() {
    for region in Region::ALL {
        let calendar = Calendar::new(region);
        for year in SUPPORTED_YEARS {
            let holidays = calendar.holidays(year).unwrap();
            let dates: Vec<NaiveDate> = holidays.iter().map(|h| h.date).collect();
            assert!(
                dates.windows(2).all(|pair| pair[0] < pair[1]),
                "{region} {year}: not sorted or has duplicates: {dates:?}"
            );
            assert!(
                dates
                    .iter()
                    .all(|&date| !is_weekend(date) && date.year() == year),
                "{region} {year}: weekend or wrong-year date in {dates:?}"
            );
            assert!(holidays.iter().all(|h| !h.name.is_empty()));
            assert_eq!(
                holidays.len(),
                expected_count(region, year),
                "{region} {year}: {dates:?}"
            );
            for &date in &dates {
                assert_eq!(calendar.is_working_day(date), Ok(false), "{date}");
            }
        }
    }
}

#[test]
fn every_region_keeps_christmas_day_and_good_friday() {
    for region in Region::ALL {
        for year in SUPPORTED_YEARS {
            let names: Vec<String> = Calendar::new(region)
                .holidays(year)
                .unwrap()
                .into_iter()
                .map(|h| h.name)
                .collect();
            for wanted in ["Christmas Day", "Good Friday"] {
                assert!(
                    names.iter().any(|name| name.starts_with(wanted)),
                    "{region} {year} lacks {wanted}: {names:?}"
                );
            }
        }
    }
}

#[test]
fn the_union_is_exactly_the_three_nations_together() {
    let nations = [
        Region::EnglandAndWales,
        Region::Scotland,
        Region::NorthernIreland,
    ];
    let mut day = first_day();
    while day <= last_day() {
        let anywhere = nations
            .iter()
            .any(|&n| Calendar::new(n).is_working_day(day) == Ok(false));
        let union = Calendar::new(Region::AnyPartOfUk).is_working_day(day);
        assert_eq!(union, Ok(!anywhere), "{day}");
        day = day + Days::new(1);
    }
}

fn region() -> impl Strategy<Value = Region> {
    prop::sample::select(Region::ALL.to_vec())
}

fn supported_date() -> impl Strategy<Value = NaiveDate> {
    let span = u64::try_from((last_day() - first_day()).num_days()).unwrap();
    (0..=span).prop_map(|offset| first_day() + Days::new(offset))
}

/// Any date chrono can represent, mostly far outside the supported range.
fn any_date() -> impl Strategy<Value = NaiveDate> {
    let min = NaiveDate::MIN.num_days_from_ce();
    let max = NaiveDate::MAX.num_days_from_ce();
    prop_oneof![
        (min..=max).prop_map(|n| NaiveDate::from_num_days_from_ce_opt(n).unwrap()),
        // Near the edges of the supported range, where mistakes hide.
        (-400i64..400).prop_map(|n| first_day() + chrono::Duration::days(n)),
        (-400i64..400).prop_map(|n| last_day() + chrono::Duration::days(n)),
    ]
}

/// The obvious, slow definition the fast arithmetic must agree with.
fn step_by_day(calendar: Calendar, mut date: NaiveDate, n: u32) -> Option<NaiveDate> {
    for _ in 0..n {
        loop {
            date = date.succ_opt()?;
            if calendar.is_working_day(date).ok()? {
                break;
            }
        }
    }
    Some(date)
}

proptest! {
    #[test]
    fn between_undoes_add(calendar in region().prop_map(Calendar::new),
                          date in supported_date(),
                          n in prop_oneof![0u32..40, 0u32..30_000]) {
        match calendar.add_working_days(date, WorkingDays(n)) {
            Ok(due) => {
                prop_assert!(due >= date);
                prop_assert_eq!(calendar.working_days_between(date, due), Ok(WorkingDays(n)));
            }
            Err(error) => {
                prop_assert_eq!(error, Error::ResultOutOfRange { start: date, days: WorkingDays(n) });
                let left = calendar.working_days_between(date, last_day()).unwrap();
                prop_assert!(left.0 < n);
            }
        }
    }

    #[test]
    fn add_agrees_with_stepping_day_by_day(calendar in region().prop_map(Calendar::new),
                                           date in supported_date(),
                                           n in 0u32..300) {
        let fast = calendar.add_working_days(date, WorkingDays(n)).ok();
        let slow = step_by_day(calendar, date, n).filter(|&due| due <= last_day());
        prop_assert_eq!(fast, slow);
    }

    #[test]
    fn between_agrees_with_counting_day_by_day(calendar in region().prop_map(Calendar::new),
                                               start in supported_date(),
                                               span in 0u64..800) {
        let end = (start + Days::new(span)).min(last_day());
        let mut slow = 0;
        let mut day = start;
        while day < end {
            day = day + Days::new(1);
            slow += u32::from(calendar.is_working_day(day).unwrap());
        }
        prop_assert_eq!(calendar.working_days_between(start, end), Ok(WorkingDays(slow)));
    }

    #[test]
    fn results_are_working_days(calendar in region().prop_map(Calendar::new),
                                date in supported_date(),
                                n in 1u32..2_000) {
        if let Ok(due) = calendar.add_working_days(date, WorkingDays(n)) {
            prop_assert!(due > date);
            prop_assert_eq!(calendar.is_working_day(due), Ok(true));
        }
        if let Ok(next) = calendar.next_working_day(date) {
            prop_assert_eq!(calendar.is_working_day(next), Ok(true));
            prop_assert_eq!(calendar.working_days_between(date, next), Ok(WorkingDays(1)));
        }
    }

    #[test]
    fn arithmetic_is_monotonic(calendar in region().prop_map(Calendar::new),
                               a in supported_date(),
                               b in supported_date(),
                               n in 0u32..2_000) {
        let (early, late) = (a.min(b), a.max(b));
        let from_early = calendar.add_working_days(early, WorkingDays(n));
        let from_late = calendar.add_working_days(late, WorkingDays(n));
        if let (Ok(x), Ok(y)) = (from_early, from_late) {
            prop_assert!(x <= y);
        }
        if let (Ok(x), Ok(y)) = (from_early, calendar.add_working_days(early, WorkingDays(n + 1))) {
            prop_assert!(x < y);
        }
        let to_early = calendar.working_days_between(first_day(), early).unwrap();
        let to_late = calendar.working_days_between(first_day(), late).unwrap();
        prop_assert!(to_early <= to_late);
    }

    #[test]
    fn nothing_panics_and_out_of_range_is_an_error(calendar in region().prop_map(Calendar::new),
                                                   a in any_date(),
                                                   b in any_date(),
                                                   n in any::<u32>()) {
        let in_range = |date: NaiveDate| SUPPORTED_YEARS.contains(&date.year());
        let out = |date| Error::DateOutOfRange { date };

        let working = calendar.is_working_day(a);
        prop_assert_eq!(working.is_ok(), in_range(a));
        if !in_range(a) {
            prop_assert_eq!(working, Err(out(a)));
            prop_assert_eq!(calendar.add_working_days(a, WorkingDays(n)), Err(out(a)));
            prop_assert_eq!(calendar.next_working_day(a), Err(out(a)));
        } else {
            match calendar.add_working_days(a, WorkingDays(n)) {
                Ok(due) => prop_assert!(in_range(due)),
                Err(error) => prop_assert_eq!(error, Error::ResultOutOfRange { start: a, days: WorkingDays(n) }),
            }
        }
        let between = calendar.working_days_between(a, b);
        prop_assert_eq!(between.is_ok(), in_range(a) && in_range(b));
        let holidays = calendar.holidays(a.year());
        if in_range(a) {
            prop_assert!(holidays.is_ok());
        } else {
            prop_assert_eq!(holidays, Err(Error::YearOutOfRange { year: a.year() }));
        }
    }
}
