//! Bank holidays: the standing rules for each nation, weekend substitution,
//! and the one table of changes history made to them.
//!
//! Everything here assumes the year has already been checked against
//! [`SUPPORTED_YEARS`](crate::SUPPORTED_YEARS); callers in `working.rs` do
//! that before asking.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate, Weekday};

use crate::{Holiday, Region};

/// A legal jurisdiction with its own bank holidays. [`Region`] adds the
/// union of all three, which has no rules of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Nation {
    EnglandAndWales,
    Scotland,
    NorthernIreland,
}

const ALL_NATIONS: &[Nation] = &[
    Nation::EnglandAndWales,
    Nation::Scotland,
    Nation::NorthernIreland,
];

impl Nation {
    pub(crate) fn region(self) -> Region {
        match self {
            Nation::EnglandAndWales => Region::EnglandAndWales,
            Nation::Scotland => Region::Scotland,
            Nation::NorthernIreland => Region::NorthernIreland,
        }
    }

    fn rules(self) -> &'static [Rule] {
        use Rule::*;
        match self {
            Nation::EnglandAndWales => &[
                NewYearsDay,
                GoodFriday,
                EasterMonday,
                EarlyMay,
                SpringBank,
                SummerBank,
                ChristmasDay,
                BoxingDay,
            ],
            // Scotland keeps 2 January and St Andrew's Day, but not Easter
            // Monday, and its summer holiday is at the start of August.
            Nation::Scotland => &[
                NewYearsDay,
                SecondJanuary,
                GoodFriday,
                EarlyMay,
                SpringBank,
                ScottishSummerBank,
                StAndrewsDay,
                ChristmasDay,
                BoxingDay,
            ],
            Nation::NorthernIreland => &[
                NewYearsDay,
                StPatricksDay,
                GoodFriday,
                EasterMonday,
                EarlyMay,
                SpringBank,
                BattleOfTheBoyne,
                SummerBank,
                ChristmasDay,
                BoxingDay,
            ],
        }
    }
}

impl Region {
    pub(crate) fn nations(self) -> &'static [Nation] {
        match self {
            Region::EnglandAndWales => &[Nation::EnglandAndWales],
            Region::Scotland => &[Nation::Scotland],
            Region::NorthernIreland => &[Nation::NorthernIreland],
            Region::AnyPartOfUk => ALL_NATIONS,
        }
    }
}

/// A standing bank holiday. One-off changes refer to these by name, so that
/// "the 2012 Spring bank holiday moved to 4 June" can be said directly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    NewYearsDay,
    SecondJanuary,
    StPatricksDay,
    GoodFriday,
    EasterMonday,
    EarlyMay,
    SpringBank,
    BattleOfTheBoyne,
    ScottishSummerBank,
    SummerBank,
    StAndrewsDay,
    ChristmasDay,
    BoxingDay,
}

impl Rule {
    fn name(self) -> &'static str {
        match self {
            Rule::NewYearsDay => "New Year's Day",
            Rule::SecondJanuary => "2nd January",
            Rule::StPatricksDay => "St Patrick's Day",
            Rule::GoodFriday => "Good Friday",
            Rule::EasterMonday => "Easter Monday",
            Rule::EarlyMay => "Early May bank holiday",
            Rule::SpringBank => "Spring bank holiday",
            Rule::BattleOfTheBoyne => "Battle of the Boyne (Orangemen's Day)",
            Rule::ScottishSummerBank | Rule::SummerBank => "Summer bank holiday",
            Rule::StAndrewsDay => "St Andrew's Day",
            Rule::ChristmasDay => "Christmas Day",
            Rule::BoxingDay => "Boxing Day",
        }
    }

    /// The date the rule gives before any weekend substitution, or `None` in
    /// years before the holiday existed.
    fn date(self, year: i32) -> Option<NaiveDate> {
        let date = match self {
            Rule::NewYearsDay => ymd(year, 1, 1),
            Rule::SecondJanuary => ymd(year, 1, 2),
            Rule::StPatricksDay => ymd(year, 3, 17),
            Rule::GoodFriday => easter_sunday(year) - Days::new(2),
            Rule::EasterMonday => easter_sunday(year) + Days::new(1),
            Rule::EarlyMay => first_monday(year, 5),
            Rule::SpringBank => last_monday(year, 5),
            Rule::BattleOfTheBoyne => ymd(year, 7, 12),
            Rule::ScottishSummerBank => first_monday(year, 8),
            Rule::SummerBank => last_monday(year, 8),
            // The St Andrew's Day Bank Holiday (Scotland) Act 2007 created
            // it; 30 November 2007 was the first.
            Rule::StAndrewsDay if year < 2007 => return None,
            Rule::StAndrewsDay => ymd(year, 11, 30),
            Rule::ChristmasDay => ymd(year, 12, 25),
            Rule::BoxingDay => ymd(year, 12, 26),
        };
        Some(date)
    }
}

/// A change to the standing rules made by royal proclamation for one year.
struct OneOff {
    /// The day off that was actually given.
    date: NaiveDate,
    nations: &'static [Nation],
    name: &'static str,
    change: Change,
}

enum Change {
    /// An extra holiday on top of the year's usual ones.
    Additional,
    /// The year's holiday under this rule was moved to the one-off's date
    /// (so its rule date becomes an ordinary working day).
    Replaces(Rule),
}

/// Every departure from the rules since 1990. To record a new one (a future
/// jubilee, say), add a line here; nothing else needs to change.
static ONE_OFFS: &[OneOff] = &[
    OneOff {
        date: ymd(1995, 5, 8),
        nations: ALL_NATIONS,
        name: "Early May bank holiday (VE day)",
        change: Change::Replaces(Rule::EarlyMay),
    },
    OneOff {
        date: ymd(1999, 12, 31),
        nations: ALL_NATIONS,
        name: "Millennium celebrations",
        change: Change::Additional,
    },
    OneOff {
        date: ymd(2002, 6, 3),
        nations: ALL_NATIONS,
        name: "Golden Jubilee bank holiday",
        change: Change::Additional,
    },
    OneOff {
        date: ymd(2002, 6, 4),
        nations: ALL_NATIONS,
        name: "Spring bank holiday",
        change: Change::Replaces(Rule::SpringBank),
    },
    OneOff {
        date: ymd(2011, 4, 29),
        nations: ALL_NATIONS,
        name: "Royal wedding",
        change: Change::Additional,
    },
    OneOff {
        date: ymd(2012, 6, 4),
        nations: ALL_NATIONS,
        name: "Spring bank holiday",
        change: Change::Replaces(Rule::SpringBank),
    },
    OneOff {
        date: ymd(2012, 6, 5),
        nations: ALL_NATIONS,
        name: "Queen's Diamond Jubilee",
        change: Change::Additional,
    },
    OneOff {
        date: ymd(2020, 5, 8),
        nations: ALL_NATIONS,
        name: "Early May bank holiday (VE day)",
        change: Change::Replaces(Rule::EarlyMay),
    },
    OneOff {
        date: ymd(2022, 6, 2),
        nations: ALL_NATIONS,
        name: "Spring bank holiday",
        change: Change::Replaces(Rule::SpringBank),
    },
    OneOff {
        date: ymd(2022, 6, 3),
        nations: ALL_NATIONS,
        name: "Platinum Jubilee bank holiday",
        change: Change::Additional,
    },
    OneOff {
        date: ymd(2022, 9, 19),
        nations: ALL_NATIONS,
        name: "Bank Holiday for the State Funeral of Queen Elizabeth II",
        change: Change::Additional,
    },
    OneOff {
        date: ymd(2023, 5, 8),
        nations: ALL_NATIONS,
        name: "Bank holiday for the coronation of King Charles III",
        change: Change::Additional,
    },
];

/// A holiday as one nation observes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Observed {
    pub(crate) date: NaiveDate,
    name: &'static str,
    /// Which standing rule produced it; `None` for an additional one-off.
    rule: Option<Rule>,
    substitute: bool,
}

impl Observed {
    fn display_name(&self) -> String {
        if self.substitute {
            format!("{} (substitute day)", self.name)
        } else {
            self.name.to_owned()
        }
    }
}

/// One nation's holidays for `year`, as days actually taken off, sorted.
pub(crate) fn observed(nation: Nation, year: i32) -> Vec<Observed> {
    let mut days: Vec<Observed> = nation
        .rules()
        .iter()
        .filter_map(|&rule| {
            rule.date(year).map(|date| Observed {
                date,
                name: rule.name(),
                rule: Some(rule),
                substitute: false,
            })
        })
        .collect();

    let one_offs = ONE_OFFS
        .iter()
        .filter(|one_off| one_off.date.year() == year && one_off.nations.contains(&nation));
    for one_off in one_offs {
        let moved = match one_off.change {
            Change::Replaces(rule) => days.iter_mut().find(|day| day.rule == Some(rule)),
            Change::Additional => None,
        };
        match moved {
            Some(day) => {
                day.date = one_off.date;
                day.name = one_off.name;
            }
            // A replacement whose rule is missing is a table mistake (a unit
            // test looks for those); keeping the day off is still right.
            None => days.push(Observed {
                date: one_off.date,
                name: one_off.name,
                rule: None,
                substitute: false,
            }),
        }
    }

    substitute_weekends(&mut days);
    days.sort_by_key(|day| day.date);
    days
}

/// Moves each weekend holiday to the next weekday that is not already a
/// holiday, taking weekend holidays in date order. That single rule gives
/// every published case: Christmas on a Saturday makes Monday 27 and
/// Tuesday 28 December the days off; Christmas on a Sunday leaves Boxing Day
/// on Monday 26 and moves Christmas to Tuesday 27; Scotland's 1 and 2
/// January behave the same way.
fn substitute_weekends(days: &mut [Observed]) {
    days.sort_by_key(|day| day.date);
    let mut taken: Vec<NaiveDate> = days
        .iter()
        .filter(|day| !is_weekend(day.date))
        .map(|day| day.date)
        .collect();
    for day in days.iter_mut().filter(|day| is_weekend(day.date)) {
        let mut date = day.date;
        while is_weekend(date) || taken.contains(&date) {
            date = date + Days::new(1);
        }
        taken.push(date);
        day.date = date;
        day.substitute = true;
    }
}

/// The named holidays of `region` in `year`, sorted by date. For the union
/// of nations a date appears once, its name saying which nations keep it
/// when they do not all keep the same holiday.
pub(crate) fn named(region: Region, year: i32) -> Vec<Holiday> {
    let nations = region.nations();
    let mut by_date: BTreeMap<NaiveDate, Vec<(String, Vec<Nation>)>> = BTreeMap::new();
    for &nation in nations {
        for day in observed(nation, year) {
            let name = day.display_name();
            let names = by_date.entry(day.date).or_default();
            match names.iter_mut().find(|(existing, _)| *existing == name) {
                Some((_, keepers)) => keepers.push(nation),
                None => names.push((name, vec![nation])),
            }
        }
    }
    by_date
        .into_iter()
        .map(|(date, names)| {
            let name = names
                .into_iter()
                .map(|(name, keepers)| {
                    if keepers.len() == nations.len() {
                        name
                    } else {
                        let keepers: Vec<String> =
                            keepers.iter().map(|n| n.region().to_string()).collect();
                        format!("{}: {name}", keepers.join(", "))
                    }
                })
                .collect::<Vec<_>>()
                .join("; ");
            Holiday { date, name }
        })
        .collect()
}

/// Easter Sunday in the Gregorian calendar, by the anonymous algorithm as
/// given in Meeus, *Astronomical Algorithms* (the "Meeus/Jones/Butcher"
/// method). The single letters follow the book so the arithmetic can be
/// checked against it line by line; it is exact for every Gregorian year.
pub(crate) fn easter_sunday(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    // For positive years both are small and positive: month is 3 or 4.
    ymd(year, month.unsigned_abs(), day.unsigned_abs())
}

fn first_monday(year: i32, month: u32) -> NaiveDate {
    let first = ymd(year, month, 1);
    let days_to_monday = (7 - first.weekday().num_days_from_monday()) % 7;
    first + Days::new(days_to_monday.into())
}

fn last_monday(year: i32, month: u32) -> NaiveDate {
    let first = first_monday(year, month);
    // A month has either four or five Mondays.
    let fifth = first + Days::new(28);
    if fifth.month() == month {
        fifth
    } else {
        first + Days::new(21)
    }
}

pub(crate) fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Builds a date this module knows to be valid. In the one-off table a bad
/// date stops compilation; elsewhere the year has been range-checked and the
/// month and day are fixed, so this cannot fail.
pub(crate) const fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a valid calendar date")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SUPPORTED_YEARS;

    fn dates(nation: Nation, year: i32) -> Vec<NaiveDate> {
        observed(nation, year).iter().map(|day| day.date).collect()
    }

    #[test]
    fn easter_matches_published_dates() {
        let known = [
            (1990, 4, 15),
            (1991, 3, 31),
            (1995, 4, 16),
            (1999, 4, 4),
            (2000, 4, 23),
            (2008, 3, 23),
            (2011, 4, 24),
            (2019, 4, 21),
            (2024, 3, 31),
            (2025, 4, 20),
            (2038, 4, 25),
            (2100, 3, 28),
        ];
        for (year, month, day) in known {
            assert_eq!(easter_sunday(year), ymd(year, month, day), "{year}");
        }
    }

    #[test]
    fn easter_is_always_a_sunday_between_22_march_and_25_april() {
        for year in SUPPORTED_YEARS {
            let easter = easter_sunday(year);
            assert_eq!(easter.weekday(), Weekday::Sun, "{year}");
            assert!(easter >= ymd(year, 3, 22) && easter <= ymd(year, 4, 25));
        }
    }

    #[test]
    fn monday_rules() {
        // May 2022 began on a Sunday and August 2022 on a Monday.
        assert_eq!(first_monday(2022, 5), ymd(2022, 5, 2));
        assert_eq!(last_monday(2022, 5), ymd(2022, 5, 30));
        assert_eq!(first_monday(2022, 8), ymd(2022, 8, 1));
        assert_eq!(last_monday(2022, 8), ymd(2022, 8, 29));
        // May 2023 began on a Monday and had five of them.
        assert_eq!(first_monday(2023, 5), ymd(2023, 5, 1));
        assert_eq!(last_monday(2023, 5), ymd(2023, 5, 29));
    }

    #[test]
    fn one_off_table_is_consistent() {
        for (i, one_off) in ONE_OFFS.iter().enumerate() {
            let year = one_off.date.year();
            assert!(SUPPORTED_YEARS.contains(&year), "{}", one_off.date);
            assert!(!is_weekend(one_off.date), "{}", one_off.date);
            assert!(!one_off.nations.is_empty(), "{}", one_off.date);
            if let Some(previous) = i.checked_sub(1).map(|j| &ONE_OFFS[j]) {
                assert!(previous.date < one_off.date, "keep the table in date order");
            }
            if let Change::Replaces(rule) = one_off.change {
                for nation in one_off.nations {
                    assert!(
                        nation.rules().contains(&rule) && rule.date(year).is_some(),
                        "{} replaces {rule:?}, which {nation:?} does not have",
                        one_off.date
                    );
                }
            }
        }
    }

    #[test]
    fn moved_holidays_leave_their_rule_date_free() {
        // 2012's Spring bank holiday would have been Monday 28 May.
        let england = dates(Nation::EnglandAndWales, 2012);
        assert!(!england.contains(&ymd(2012, 5, 28)));
        assert!(england.contains(&ymd(2012, 6, 4)));
        // 2020's Early May bank holiday would have been Monday 4 May.
        let scotland = dates(Nation::Scotland, 2020);
        assert!(!scotland.contains(&ymd(2020, 5, 4)));
        assert!(scotland.contains(&ymd(2020, 5, 8)));
    }

    #[test]
    fn christmas_substitution() {
        // 25 December 2021 was a Saturday: both days move, in order.
        let days = observed(Nation::EnglandAndWales, 2021);
        let tail: Vec<_> = days[days.len() - 2..]
            .iter()
            .map(|day| (day.date, day.display_name()))
            .collect();
        assert_eq!(
            tail,
            [
                (
                    ymd(2021, 12, 27),
                    "Christmas Day (substitute day)".to_owned()
                ),
                (ymd(2021, 12, 28), "Boxing Day (substitute day)".to_owned()),
            ]
        );
        // 25 December 2022 was a Sunday: Boxing Day keeps Monday 26.
        let days = observed(Nation::EnglandAndWales, 2022);
        let tail: Vec<_> = days[days.len() - 2..]
            .iter()
            .map(|day| (day.date, day.display_name()))
            .collect();
        assert_eq!(
            tail,
            [
                (ymd(2022, 12, 26), "Boxing Day".to_owned()),
                (
                    ymd(2022, 12, 27),
                    "Christmas Day (substitute day)".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn scottish_new_year_substitution() {
        let january = |year| -> Vec<NaiveDate> {
            dates(Nation::Scotland, year)
                .into_iter()
                .filter(|date| date.month() == 1)
                .collect()
        };
        // 1 January 2022 was a Saturday: Monday 3 and Tuesday 4.
        assert_eq!(january(2022), [ymd(2022, 1, 3), ymd(2022, 1, 4)]);
        // 1 January 2023 was a Sunday: 2nd January stays on Monday 2 and
        // New Year's Day moves to Tuesday 3.
        assert_eq!(january(2023), [ymd(2023, 1, 2), ymd(2023, 1, 3)]);
        // 1 January 2021 was a Friday, so 2 January fell on Saturday.
        assert_eq!(january(2021), [ymd(2021, 1, 1), ymd(2021, 1, 4)]);
    }

    #[test]
    fn st_andrews_day_starts_in_2007_and_moves_to_monday() {
        let has = |year, month, day| dates(Nation::Scotland, year).contains(&ymd(year, month, day));
        assert!(!has(2006, 11, 30));
        assert!(has(2007, 11, 30));
        // 30 November 2024 was a Saturday, 30 November 2025 a Sunday.
        assert!(has(2024, 12, 2));
        assert!(has(2025, 12, 1));
    }

    #[test]
    fn union_names_say_which_nations_keep_a_day() {
        let holidays = named(Region::AnyPartOfUk, 2023);
        let name_on = |month, day| {
            holidays
                .iter()
                .find(|h| h.date == ymd(2023, month, day))
                .map(|h| h.name.as_str())
        };
        assert_eq!(name_on(12, 25), Some("Christmas Day"));
        assert_eq!(name_on(11, 30), Some("Scotland: St Andrew's Day"));
        // 1 January 2023 was a Sunday, so Monday 2 January is a different
        // holiday in Scotland than elsewhere.
        assert_eq!(
            name_on(1, 2),
            Some(
                "England and Wales, Northern Ireland: New Year's Day (substitute day); \
                 Scotland: 2nd January"
            )
        );
        assert_eq!(
            name_on(1, 3),
            Some("Scotland: New Year's Day (substitute day)")
        );
    }
}
