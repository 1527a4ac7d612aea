//! Worked examples of working-day arithmetic. Each expected value was
//! counted by hand; the comment next to it shows the count.

use calendar::{Calendar, Error, Region, WorkingDays};
use chrono::NaiveDate;

fn d(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap()
}

const ENGLAND_AND_WALES: Calendar = Calendar::new(Region::EnglandAndWales);
const SCOTLAND: Calendar = Calendar::new(Region::Scotland);
const NORTHERN_IRELAND: Calendar = Calendar::new(Region::NorthernIreland);
const UK: Calendar = Calendar::new(Region::AnyPartOfUk);

#[test]
fn three_working_days_over_christmas_2022() {
    // From Thu 22 Dec 2022: Fri 23 = 1; Sat 24, Sun 25 weekend; Mon 26
    // (Boxing Day) and Tue 27 (Christmas substitute) holidays; Wed 28 = 2;
    // Thu 29 = 3.
    let start = d(2022, 12, 22);
    let due = ENGLAND_AND_WALES
        .add_working_days(start, WorkingDays(3))
        .unwrap();
    assert_eq!(due, d(2022, 12, 29));
    assert_eq!(
        ENGLAND_AND_WALES.working_days_between(start, due),
        Ok(WorkingDays(3))
    );
}

#[test]
fn foi_request_received_friday_20_december_2024() {
    // The receipt day is not counted. Holidays in any part of the UK:
    // Wed 25, Thu 26 Dec; Wed 1 Jan; Thu 2 Jan (Scotland).
    // Mon 23 = 1, Tue 24 = 2, Fri 27 = 3, Mon 30 = 4, Tue 31 = 5,
    // Fri 3 Jan = 6, Mon 6 .. Fri 10 = 7..11, Mon 13 .. Fri 17 = 12..16,
    // Mon 20 = 17, Tue 21 = 18, Wed 22 = 19, Thu 23 = 20.
    let received = d(2024, 12, 20);
    assert_eq!(
        UK.add_working_days(received, WorkingDays(20)),
        Ok(d(2025, 1, 23))
    );
    // England and Wales alone works on 2 January, so every count from
    // Thu 2 Jan onwards is one higher and day 20 is Wed 22 January.
    assert_eq!(
        ENGLAND_AND_WALES.add_working_days(received, WorkingDays(20)),
        Ok(d(2025, 1, 22))
    );
}

#[test]
fn data_lab_review_over_easter_and_the_coronation() {
    // Submitted Thu 6 Apr 2023. Fri 7 (Good Friday) and Mon 10 (Easter
    // Monday) are holidays. Tue 11 .. Fri 14 = 1..4, Mon 17 .. Fri 21 =
    // 5..9, Mon 24 .. Fri 28 = 10..14, Mon 1 May holiday, Tue 2 .. Fri 5 =
    // 15..18, Mon 8 May (coronation) holiday, Tue 9 = 19, Wed 10 = 20.
    assert_eq!(
        ENGLAND_AND_WALES.add_working_days(d(2023, 4, 6), WorkingDays(20)),
        Ok(d(2023, 5, 10))
    );
}

#[test]
fn visit_booking_notice_over_easter_2025() {
    // Booked Thu 17 Apr 2025. In England and Wales Fri 18 (Good Friday)
    // and Mon 21 (Easter Monday) are holidays: Tue 22 = 1, Wed 23 = 2,
    // Thu 24 = 3.
    let booked = d(2025, 4, 17);
    assert_eq!(
        ENGLAND_AND_WALES.add_working_days(booked, WorkingDays(3)),
        Ok(d(2025, 4, 24))
    );
    // Scotland has no Easter Monday: Mon 21 = 1, Tue 22 = 2, Wed 23 = 3.
    assert_eq!(
        SCOTLAND.add_working_days(booked, WorkingDays(3)),
        Ok(d(2025, 4, 23))
    );
}

#[test]
fn union_differs_from_england_and_wales_on_st_andrews_day() {
    // Thu 30 Nov 2023 is St Andrew's Day, a holiday only in Scotland.
    let st_andrews = d(2023, 11, 30);
    assert_eq!(ENGLAND_AND_WALES.is_working_day(st_andrews), Ok(true));
    assert_eq!(SCOTLAND.is_working_day(st_andrews), Ok(false));
    assert_eq!(UK.is_working_day(st_andrews), Ok(false));
    let wednesday = d(2023, 11, 29);
    assert_eq!(
        ENGLAND_AND_WALES.next_working_day(wednesday),
        Ok(st_andrews)
    );
    assert_eq!(UK.next_working_day(wednesday), Ok(d(2023, 12, 1)));
    // (Wed 29 Nov, Fri 1 Dec]: Thu 30 and Fri 1 in E&W, only Fri 1 in the UK.
    assert_eq!(
        ENGLAND_AND_WALES.working_days_between(wednesday, d(2023, 12, 1)),
        Ok(WorkingDays(2))
    );
    assert_eq!(
        UK.working_days_between(wednesday, d(2023, 12, 1)),
        Ok(WorkingDays(1))
    );
}

#[test]
fn union_differs_from_england_and_wales_on_2_january() {
    // Mon 1 Jan 2024 is a holiday everywhere; Tue 2 Jan only in Scotland.
    let new_year = d(2024, 1, 1);
    assert_eq!(
        ENGLAND_AND_WALES.next_working_day(new_year),
        Ok(d(2024, 1, 2))
    );
    assert_eq!(UK.next_working_day(new_year), Ok(d(2024, 1, 3)));
    assert_eq!(SCOTLAND.next_working_day(new_year), Ok(d(2024, 1, 3)));
}

#[test]
fn union_differs_from_england_and_wales_on_12_july() {
    // Wed 12 Jul 2023 is the Battle of the Boyne holiday in Northern Ireland.
    let tuesday = d(2023, 7, 11);
    assert_eq!(
        ENGLAND_AND_WALES.next_working_day(tuesday),
        Ok(d(2023, 7, 12))
    );
    assert_eq!(
        NORTHERN_IRELAND.next_working_day(tuesday),
        Ok(d(2023, 7, 13))
    );
    assert_eq!(UK.next_working_day(tuesday), Ok(d(2023, 7, 13)));
}

#[test]
fn the_start_day_is_never_counted() {
    // From Sat 4 Jan 2025 the first working day is Mon 6 Jan.
    assert_eq!(
        ENGLAND_AND_WALES.add_working_days(d(2025, 1, 4), WorkingDays(1)),
        Ok(d(2025, 1, 6))
    );
    // From Christmas Day 2025 (Thu): Fri 26 Boxing Day, then the weekend,
    // so Mon 29 Dec.
    let christmas = d(2025, 12, 25);
    assert_eq!(
        ENGLAND_AND_WALES.add_working_days(christmas, WorkingDays(1)),
        Ok(d(2025, 12, 29))
    );
    // Zero days leaves even a holiday where it is.
    assert_eq!(
        ENGLAND_AND_WALES.add_working_days(christmas, WorkingDays(0)),
        Ok(christmas)
    );
    // A working start day is not counted either: Mon 6 Jan 2025 + 1 = Tue 7.
    assert_eq!(
        ENGLAND_AND_WALES.add_working_days(d(2025, 1, 6), WorkingDays(1)),
        Ok(d(2025, 1, 7))
    );
}

#[test]
fn between_is_half_open_and_zero_when_not_forwards() {
    let monday = d(2025, 1, 6);
    let friday = d(2025, 1, 10);
    // (Mon, Fri] holds Tue, Wed, Thu, Fri.
    assert_eq!(
        ENGLAND_AND_WALES.working_days_between(monday, friday),
        Ok(WorkingDays(4))
    );
    assert_eq!(
        ENGLAND_AND_WALES.working_days_between(friday, monday),
        Ok(WorkingDays(0))
    );
    assert_eq!(
        ENGLAND_AND_WALES.working_days_between(monday, monday),
        Ok(WorkingDays(0))
    );
}

#[test]
fn counts_across_years() {
    // 2023 began on a Sunday and had 365 days, so 52 full weeks plus one
    // Sunday: 260 weekdays, less 9 England and Wales holidays (all on
    // weekdays) = 251.
    assert_eq!(
        ENGLAND_AND_WALES.working_days_between(d(2022, 12, 31), d(2023, 12, 31)),
        Ok(WorkingDays(251))
    );
    // The 251st working day after 31 Dec 2022 is the last working day of
    // 2023, Fri 29 Dec; the 252nd is Tue 2 Jan 2024 (1 Jan a holiday).
    assert_eq!(
        ENGLAND_AND_WALES.add_working_days(d(2022, 12, 31), WorkingDays(251)),
        Ok(d(2023, 12, 29))
    );
    assert_eq!(
        ENGLAND_AND_WALES.add_working_days(d(2022, 12, 31), WorkingDays(252)),
        Ok(d(2024, 1, 2))
    );
}

#[test]
fn the_first_supported_day() {
    // Mon 1 Jan 1990 was New Year's Day; Scotland also kept Tue 2 Jan.
    let first = d(1990, 1, 1);
    assert_eq!(ENGLAND_AND_WALES.is_working_day(first), Ok(false));
    assert_eq!(ENGLAND_AND_WALES.next_working_day(first), Ok(d(1990, 1, 2)));
    assert_eq!(SCOTLAND.next_working_day(first), Ok(d(1990, 1, 3)));
}

#[test]
fn leaving_the_supported_range_is_an_error() {
    for year in [1989, 2101, i32::MIN, i32::MAX] {
        assert_eq!(UK.holidays(year), Err(Error::YearOutOfRange { year }));
    }
    let before = d(1989, 12, 31);
    let after = d(2101, 1, 1);
    for date in [before, after] {
        let out = Error::DateOutOfRange { date };
        assert_eq!(SCOTLAND.is_working_day(date), Err(out));
        assert_eq!(SCOTLAND.next_working_day(date), Err(out));
        // Even zero days: a date we cannot vouch for is not handed back.
        assert_eq!(SCOTLAND.add_working_days(date, WorkingDays(0)), Err(out));
        let inside = d(2000, 1, 1);
        assert_eq!(SCOTLAND.working_days_between(inside, date), Err(out));
        assert_eq!(SCOTLAND.working_days_between(date, inside), Err(out));
    }
    // Christmas 2100 is a Saturday (substitutes Mon 27, Tue 28), so Fri 31
    // December 2100 is the last working day we can name.
    let last = d(2100, 12, 31);
    let thursday = d(2100, 12, 30);
    assert_eq!(
        ENGLAND_AND_WALES.add_working_days(thursday, WorkingDays(1)),
        Ok(last)
    );
    assert_eq!(
        ENGLAND_AND_WALES.add_working_days(thursday, WorkingDays(2)),
        Err(Error::ResultOutOfRange {
            start: thursday,
            days: WorkingDays(2)
        })
    );
    assert_eq!(
        ENGLAND_AND_WALES.next_working_day(last),
        Err(Error::ResultOutOfRange {
            start: last,
            days: WorkingDays(1)
        })
    );
    assert_eq!(
        UK.add_working_days(d(1990, 1, 1), WorkingDays(u32::MAX)),
        Err(Error::ResultOutOfRange {
            start: d(1990, 1, 1),
            days: WorkingDays(u32::MAX)
        })
    );
}

#[test]
fn errors_explain_themselves() {
    assert_eq!(
        Error::YearOutOfRange { year: 2101 }.to_string(),
        "year 2101 is outside the supported years 1990 to 2100"
    );
    assert_eq!(
        Error::ResultOutOfRange {
            start: d(2100, 12, 30),
            days: WorkingDays(2)
        }
        .to_string(),
        "2 working days after 2100-12-30 falls after 2100-12-31, the last supported date"
    );
}
