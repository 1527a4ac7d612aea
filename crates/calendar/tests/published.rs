//! Whole-year holiday lists pinned to published dates.
//!
//! 2012 onwards are GOV.UK's bank holiday lists. 1995 to 2002 predate
//! GOV.UK; those lists come from the Banking and Financial Dealings Act 1971
//! rules plus the royal proclamations for VE Day 1995, the Millennium and the
//! Golden Jubilee, worked out by hand (weekday of each date checked against
//! an independent calendar).
//!
//! Each test compares the entire year, so an extra holiday fails as surely
//! as a missing one.

use calendar::{Calendar, Region};
use chrono::NaiveDate;

fn d(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap()
}

#[track_caller]
fn assert_year(region: Region, year: i32, expected: &[(u32, u32)]) {
    let actual: Vec<NaiveDate> = Calendar::new(region)
        .holidays(year)
        .unwrap()
        .into_iter()
        .map(|holiday| holiday.date)
        .collect();
    let expected: Vec<NaiveDate> = expected
        .iter()
        .map(|&(month, day)| d(year, month, day))
        .collect();
    assert_eq!(actual, expected, "{region} {year}");
}

use Region::{EnglandAndWales, NorthernIreland, Scotland};

#[test]
fn england_and_wales_2020_ve_day_moved_early_may() {
    // Boxing Day 2020 was a Saturday: substitute Monday 28 December.
    let days = [
        (1, 1),
        (4, 10),
        (4, 13),
        (5, 8),
        (5, 25),
        (8, 31),
        (12, 25),
        (12, 28),
    ];
    assert_year(EnglandAndWales, 2020, &days);
}

#[test]
fn england_and_wales_2021_christmas_on_saturday() {
    let days = [
        (1, 1),
        (4, 2),
        (4, 5),
        (5, 3),
        (5, 31),
        (8, 30),
        (12, 27),
        (12, 28),
    ];
    assert_year(EnglandAndWales, 2021, &days);
}

#[test]
fn england_and_wales_2022_platinum_jubilee_and_state_funeral() {
    let days = [
        (1, 3),
        (4, 15),
        (4, 18),
        (5, 2),
        (6, 2),
        (6, 3),
        (8, 29),
        (9, 19),
        (12, 26),
        (12, 27),
    ];
    assert_year(EnglandAndWales, 2022, &days);
}

#[test]
fn england_and_wales_2023_coronation() {
    let days = [
        (1, 2),
        (4, 7),
        (4, 10),
        (5, 1),
        (5, 8),
        (5, 29),
        (8, 28),
        (12, 25),
        (12, 26),
    ];
    assert_year(EnglandAndWales, 2023, &days);
}

#[test]
fn england_and_wales_2024_and_2025_ordinary_years() {
    let days_2024 = [
        (1, 1),
        (3, 29),
        (4, 1),
        (5, 6),
        (5, 27),
        (8, 26),
        (12, 25),
        (12, 26),
    ];
    assert_year(EnglandAndWales, 2024, &days_2024);
    let days_2025 = [
        (1, 1),
        (4, 18),
        (4, 21),
        (5, 5),
        (5, 26),
        (8, 25),
        (12, 25),
        (12, 26),
    ];
    assert_year(EnglandAndWales, 2025, &days_2025);
}

#[test]
fn scotland_2022_new_year_on_saturday() {
    // 1 and 2 January fell on Saturday and Sunday: Monday 3 and Tuesday 4.
    let days = [
        (1, 3),
        (1, 4),
        (4, 15),
        (5, 2),
        (6, 2),
        (6, 3),
        (8, 1),
        (9, 19),
        (11, 30),
        (12, 26),
        (12, 27),
    ];
    assert_year(Scotland, 2022, &days);
}

#[test]
fn scotland_2023_new_year_on_sunday() {
    // 2nd January stays on Monday 2; New Year's Day moves to Tuesday 3.
    let days = [
        (1, 2),
        (1, 3),
        (4, 7),
        (5, 1),
        (5, 8),
        (5, 29),
        (8, 7),
        (11, 30),
        (12, 25),
        (12, 26),
    ];
    assert_year(Scotland, 2023, &days);
}

#[test]
fn scotland_2024_st_andrews_day_on_saturday() {
    let days = [
        (1, 1),
        (1, 2),
        (3, 29),
        (5, 6),
        (5, 27),
        (8, 5),
        (12, 2),
        (12, 25),
        (12, 26),
    ];
    assert_year(Scotland, 2024, &days);
}

#[test]
fn northern_ireland_2022_and_2023() {
    let days_2022 = [
        (1, 3),
        (3, 17),
        (4, 15),
        (4, 18),
        (5, 2),
        (6, 2),
        (6, 3),
        (7, 12),
        (8, 29),
        (9, 19),
        (12, 26),
        (12, 27),
    ];
    assert_year(NorthernIreland, 2022, &days_2022);
    let days_2023 = [
        (1, 2),
        (3, 17),
        (4, 7),
        (4, 10),
        (5, 1),
        (5, 8),
        (5, 29),
        (7, 12),
        (8, 28),
        (12, 25),
        (12, 26),
    ];
    assert_year(NorthernIreland, 2023, &days_2023);
}

#[test]
fn northern_ireland_weekend_substitutes() {
    // 17 March 2024 was a Sunday: St Patrick's Day on Monday 18 March.
    let days_2024 = [
        (1, 1),
        (3, 18),
        (3, 29),
        (4, 1),
        (5, 6),
        (5, 27),
        (7, 12),
        (8, 26),
        (12, 25),
        (12, 26),
    ];
    assert_year(NorthernIreland, 2024, &days_2024);
    // 12 July 2025 was a Saturday: Battle of the Boyne on Monday 14 July.
    let days_2025 = [
        (1, 1),
        (3, 17),
        (4, 18),
        (4, 21),
        (5, 5),
        (5, 26),
        (7, 14),
        (8, 25),
        (12, 25),
        (12, 26),
    ];
    assert_year(NorthernIreland, 2025, &days_2025);
}

#[test]
fn diamond_jubilee_2012() {
    // Spring bank holiday moved from 28 May to Monday 4 June, Diamond
    // Jubilee on Tuesday 5 June. 1 January 2012 was a Sunday.
    let england = [
        (1, 2),
        (4, 6),
        (4, 9),
        (5, 7),
        (6, 4),
        (6, 5),
        (8, 27),
        (12, 25),
        (12, 26),
    ];
    assert_year(EnglandAndWales, 2012, &england);
    let scotland = [
        (1, 2),
        (1, 3),
        (4, 6),
        (5, 7),
        (6, 4),
        (6, 5),
        (8, 6),
        (11, 30),
        (12, 25),
        (12, 26),
    ];
    assert_year(Scotland, 2012, &scotland);
}

#[test]
fn golden_jubilee_2002() {
    // Golden Jubilee on Monday 3 June; Spring bank holiday moved from
    // 27 May to Tuesday 4 June. No St Andrew's Day yet in Scotland.
    let england = [
        (1, 1),
        (3, 29),
        (4, 1),
        (5, 6),
        (6, 3),
        (6, 4),
        (8, 26),
        (12, 25),
        (12, 26),
    ];
    assert_year(EnglandAndWales, 2002, &england);
    let scotland = [
        (1, 1),
        (1, 2),
        (3, 29),
        (5, 6),
        (6, 3),
        (6, 4),
        (8, 5),
        (12, 25),
        (12, 26),
    ];
    assert_year(Scotland, 2002, &scotland);
}

#[test]
fn millennium_1999_and_2000() {
    // Christmas 1999 on Saturday (substitutes 27 and 28 December) and the
    // additional Millennium holiday on Friday 31 December.
    let england_1999 = [
        (1, 1),
        (4, 2),
        (4, 5),
        (5, 3),
        (5, 31),
        (8, 30),
        (12, 27),
        (12, 28),
        (12, 31),
    ];
    assert_year(EnglandAndWales, 1999, &england_1999);
    // 1 January 1999 was a Friday, so 2 January (Saturday) moved to Monday 4.
    let scotland_1999 = [
        (1, 1),
        (1, 4),
        (4, 2),
        (5, 3),
        (5, 31),
        (8, 2),
        (12, 27),
        (12, 28),
        (12, 31),
    ];
    assert_year(Scotland, 1999, &scotland_1999);
    // 1 January 2000 was a Saturday.
    let england_2000 = [
        (1, 3),
        (4, 21),
        (4, 24),
        (5, 1),
        (5, 29),
        (8, 28),
        (12, 25),
        (12, 26),
    ];
    assert_year(EnglandAndWales, 2000, &england_2000);
    let scotland_2000 = [
        (1, 3),
        (1, 4),
        (4, 21),
        (5, 1),
        (5, 29),
        (8, 7),
        (12, 25),
        (12, 26),
    ];
    assert_year(Scotland, 2000, &scotland_2000);
}

#[test]
fn ve_day_50th_anniversary_1995() {
    // Early May bank holiday moved from Monday 1 May to Monday 8 May.
    // 1 January 1995 was a Sunday.
    let england = [
        (1, 2),
        (4, 14),
        (4, 17),
        (5, 8),
        (5, 29),
        (8, 28),
        (12, 25),
        (12, 26),
    ];
    assert_year(EnglandAndWales, 1995, &england);
    let northern_ireland = [
        (1, 2),
        (3, 17),
        (4, 14),
        (4, 17),
        (5, 8),
        (5, 29),
        (7, 12),
        (8, 28),
        (12, 25),
        (12, 26),
    ];
    assert_year(NorthernIreland, 1995, &northern_ireland);
}

#[test]
fn holiday_names_follow_gov_uk() {
    let names: Vec<(NaiveDate, String)> = Calendar::new(NorthernIreland)
        .holidays(2025)
        .unwrap()
        .into_iter()
        .map(|holiday| (holiday.date, holiday.name))
        .collect();
    let expected = [
        (d(2025, 1, 1), "New Year's Day"),
        (d(2025, 3, 17), "St Patrick's Day"),
        (d(2025, 4, 18), "Good Friday"),
        (d(2025, 4, 21), "Easter Monday"),
        (d(2025, 5, 5), "Early May bank holiday"),
        (d(2025, 5, 26), "Spring bank holiday"),
        (
            d(2025, 7, 14),
            "Battle of the Boyne (Orangemen's Day) (substitute day)",
        ),
        (d(2025, 8, 25), "Summer bank holiday"),
        (d(2025, 12, 25), "Christmas Day"),
        (d(2025, 12, 26), "Boxing Day"),
    ]
    .map(|(date, name)| (date, name.to_owned()));
    assert_eq!(names, expected);
}

#[test]
fn any_part_of_uk_is_the_union_of_the_three() {
    // 2024: E&W's eight, plus Scotland's 2 January, first Monday of August
    // (5 Aug) and St Andrew's substitute (2 Dec), plus Northern Ireland's
    // St Patrick's substitute (18 Mar) and 12 July.
    let days = [
        (1, 1),
        (1, 2),
        (3, 18),
        (3, 29),
        (4, 1),
        (5, 6),
        (5, 27),
        (7, 12),
        (8, 5),
        (8, 26),
        (12, 2),
        (12, 25),
        (12, 26),
    ];
    assert_year(Region::AnyPartOfUk, 2024, &days);
}
