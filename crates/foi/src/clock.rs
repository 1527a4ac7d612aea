//! The statutory clock (FOIA s.10), one function for the pages, the jobs
//! and `lifeline foi deadline`.
//!
//! A request must be answered by the twentieth working day following the
//! date of receipt, where a working day is any day but a weekend or a bank
//! holiday in any part of the UK (s.10(6)), so day 1 is the first working
//! day after receipt. Three events move it:
//!
//! - a request for clarification (s.1(3)) stops the clock; the answer is a
//!   new request, so the 20 days start again from the day it arrives;
//! - a fees notice (s.9) pauses it: the working days from the notice to
//!   the day the fee arrives, both included, are not counted (s.10(2)), and
//!   a fee unpaid after three months ends the request;
//! - a public interest extension (s.10(3)) adds at most 20 working days to
//!   the decision on the public interest, but the refusal notice saying
//!   which exemption applies is still due at day 20 (s.17(2)).

use calendar::{Calendar, Holiday, Region, WorkingDays};
use chrono::{Datelike as _, Months, NaiveDate};

/// Working days to answer (s.10(1)).
pub const STATUTORY_DAYS: u32 = 20;
/// The most a public interest extension may add, in working days (the
/// Information Commissioner's guidance, and the s.45 code of practice).
pub const MAX_EXTENSION: u32 = 20;

/// What happened to a request, as dates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Events {
    pub received: Option<NaiveDate>,
    /// When the requester was asked what they meant.
    pub clarification_asked: Option<NaiveDate>,
    /// When their answer arrived.
    pub clarified: Option<NaiveDate>,
    pub fee_notice: Option<NaiveDate>,
    pub fee_paid: Option<NaiveDate>,
    /// Working days added for the public interest test.
    pub extension: u32,
}

/// Where the clock stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clock {
    /// Counting: the answer is due on `deadline.due`.
    Running(Deadline),
    /// Stopped until the requester says what they meant.
    AwaitingClarification { asked: NaiveDate },
    /// Paused until the fee is paid; the request lapses after `lapses`.
    AwaitingFee {
        notice: NaiveDate,
        lapses: NaiveDate,
    },
}

/// The dates a running clock gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    /// The date the 20 days count from (receipt, or the clarification).
    pub counted_from: NaiveDate,
    /// Day 1.
    pub day_one: NaiveDate,
    /// Day 20 (after any fee pause): when the answer is due, or, when the
    /// public interest test is extended, when the refusal notice is due.
    pub statutory: NaiveDate,
    /// When the answer is due: day 20, or later by the extension.
    pub due: NaiveDate,
    /// Working days counted to `due`.
    pub working_days: u32,
    /// Bank holidays (in any part of the UK) the count stepped over.
    pub skipped: Vec<Holiday>,
    /// The fee pause, both days included, when there was one.
    pub paused: Option<(NaiveDate, NaiveDate)>,
}

/// Dates that cannot be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    #[error("the date the request was received is missing")]
    NoReceipt,
    #[error("the clarification ({clarified}) cannot come before the request ({received})")]
    ClarifiedBeforeReceipt {
        received: NaiveDate,
        clarified: NaiveDate,
    },
    #[error("the clarification ({clarified}) cannot come before it was asked for ({asked})")]
    ClarifiedBeforeAsked {
        asked: NaiveDate,
        clarified: NaiveDate,
    },
    #[error("the fees notice ({notice}) cannot come before the request ({received})")]
    FeeBeforeReceipt {
        received: NaiveDate,
        notice: NaiveDate,
    },
    #[error("the fee cannot be paid ({paid}) before the fees notice ({notice})")]
    PaidBeforeNotice { notice: NaiveDate, paid: NaiveDate },
    #[error("a fee was paid ({paid}) but no fees notice was given: give the notice's date too")]
    PaidWithoutNotice { paid: NaiveDate },
    #[error(
        "an extension of {0} working days is over the limit: the public interest test may be extended by at most {MAX_EXTENSION} working days"
    )]
    ExtensionTooLong(u32),
    #[error(transparent)]
    Calendar(#[from] calendar::Error),
}

/// The calendar FOIA counts in: a bank holiday anywhere in the UK is not a
/// working day.
pub fn calendar() -> Calendar {
    Calendar::new(Region::AnyPartOfUk)
}

/// Where the clock stands for `e`, counting `days` working days (20 for
/// the statutory deadline; the internal deadlines count fewer).
pub fn clock(e: &Events, days: u32) -> Result<Clock, ClockError> {
    let received = e.received.ok_or(ClockError::NoReceipt)?;
    if e.extension > MAX_EXTENSION {
        return Err(ClockError::ExtensionTooLong(e.extension));
    }
    let mut from = received;
    if let Some(clarified) = e.clarified {
        if clarified < received {
            return Err(ClockError::ClarifiedBeforeReceipt {
                received,
                clarified,
            });
        }
        if let Some(asked) = e.clarification_asked
            && clarified < asked
        {
            return Err(ClockError::ClarifiedBeforeAsked { asked, clarified });
        }
        from = clarified;
    } else if let Some(asked) = e.clarification_asked {
        return Ok(Clock::AwaitingClarification { asked });
    }
    let pause = match (e.fee_notice, e.fee_paid) {
        (None, Some(paid)) => return Err(ClockError::PaidWithoutNotice { paid }),
        (Some(notice), _) if notice < received => {
            return Err(ClockError::FeeBeforeReceipt { received, notice });
        }
        (Some(notice), Some(paid)) if paid < notice => {
            return Err(ClockError::PaidBeforeNotice { notice, paid });
        }
        (Some(notice), None) => {
            return Ok(Clock::AwaitingFee {
                notice,
                lapses: notice + Months::new(3),
            });
        }
        (Some(notice), Some(paid)) => Some((notice, paid)),
        (None, None) => None,
    };
    let cal = calendar();
    // A fee notice given before a clarification belongs to the request the
    // clarification replaced.
    let pause = pause.filter(|&(_, paid)| paid > from);
    let count_to = |n: u32| -> Result<NaiveDate, ClockError> {
        if let Some((notice, paid)) = pause {
            let before = cal
                .working_days_between(from, notice.pred_opt().unwrap_or(notice))?
                .0;
            if before >= n {
                return Ok(cal.add_working_days(from, WorkingDays(n))?);
            }
            return Ok(cal.add_working_days(paid, WorkingDays(n - before))?);
        }
        Ok(cal.add_working_days(from, WorkingDays(n))?)
    };
    let statutory = count_to(days)?;
    let due = count_to(days + e.extension)?;
    let day_one = count_to(1)?;
    let mut skipped = Vec::new();
    for year in from.year()..=due.year() {
        for h in cal.holidays(year)? {
            let in_pause = pause.is_some_and(|(n, p)| h.date >= n && h.date <= p);
            if h.date > from && h.date <= due && !in_pause {
                skipped.push(h);
            }
        }
    }
    Ok(Clock::Running(Deadline {
        counted_from: from,
        day_one,
        statutory,
        due,
        working_days: days + e.extension,
        skipped,
        paused: pause,
    }))
}

/// The working day `n` of a clock started on `from` (no pauses): the
/// internal deadlines (draft due, escalation) and a review's deadline.
pub fn nth_working_day(from: NaiveDate, n: u32) -> Result<NaiveDate, ClockError> {
    Ok(calendar().add_working_days(from, WorkingDays(n))?)
}

/// How many working days after `from` `to` falls (0 if not after).
pub fn working_days_after(from: NaiveDate, to: NaiveDate) -> Result<u32, ClockError> {
    Ok(calendar().working_days_between(from, to)?.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn due(e: Events) -> Deadline {
        match clock(&e, STATUTORY_DAYS).unwrap() {
            Clock::Running(d) => d,
            other => panic!("clock not running: {other:?}"),
        }
    }

    fn received(s: &str) -> Events {
        Events {
            received: Some(d(s)),
            ..Events::default()
        }
    }

    #[test]
    fn a_request_received_on_a_friday_counts_from_monday() {
        // Fri 7 March 2025: day 1 is Mon 10 March. Mon 17 March is St
        // Patrick's Day, a bank holiday in Northern Ireland only, so not a
        // working day anywhere for FOIA: 10-14 (5), 18-21 (9), 24-28 (14),
        // 31 Mar-4 Apr (19), 7 Apr (20).
        let x = due(received("2025-03-07"));
        assert_eq!(x.day_one, d("2025-03-10"));
        assert_eq!(x.due, d("2025-04-07"));
        assert_eq!(
            x.skipped.iter().map(|h| h.date).collect::<Vec<_>>(),
            [d("2025-03-17")]
        );
        // Fri 9 May 2025, over the spring bank holiday (Mon 26 May):
        // 12-16 (5), 19-23 (10), 27-30 (14), 2-6 June (19), 9 June (20).
        let x = due(received("2025-05-09"));
        assert_eq!(x.day_one, d("2025-05-12"));
        assert_eq!(x.due, d("2025-06-09"));
        assert_eq!(
            x.skipped.iter().map(|h| h.date).collect::<Vec<_>>(),
            [d("2025-05-26")]
        );
    }

    #[test]
    fn a_bank_holiday_in_scotland_only_is_not_a_working_day() {
        // Fri 1 Aug 2025; Mon 4 Aug is Scotland's summer bank holiday, Mon
        // 25 Aug England's and Wales's and Northern Ireland's. Working days:
        // 5-8 Aug (4), 11-15 (9), 18-22 (14), 26-29 (18), 1-2 Sep (20).
        let x = due(received("2025-08-01"));
        assert_eq!(x.day_one, d("2025-08-05"));
        assert_eq!(x.due, d("2025-09-02"));
        assert_eq!(
            x.skipped.iter().map(|h| h.date).collect::<Vec<_>>(),
            [d("2025-08-04"), d("2025-08-25")]
        );
        assert!(x.skipped[0].name.contains("Scotland"), "{:?}", x.skipped);
        // Received on the Scottish holiday itself, a Monday: day 1 is the
        // Tuesday, as it would be for any receipt on a Monday.
        assert_eq!(due(received("2025-08-04")).day_one, d("2025-08-05"));
        // St Andrew's Day 2025 falls on a Sunday; Scotland's substitute is
        // Mon 1 Dec. Received Fri 28 Nov: day 1 is Tue 2 Dec.
        let x = due(received("2025-11-28"));
        assert_eq!(x.day_one, d("2025-12-02"));
    }

    #[test]
    fn christmas_and_new_year_including_scotlands_second_of_january() {
        // Fri 20 Dec 2024: 23, 24 (2), 27 (3), 30, 31 (5), 3 Jan (6),
        // 6-10 (11), 13-17 (16), 20-23 (20).
        let x = due(received("2024-12-20"));
        assert_eq!(x.due, d("2025-01-23"));
        assert_eq!(
            x.skipped.iter().map(|h| h.date).collect::<Vec<_>>(),
            [
                d("2024-12-25"),
                d("2024-12-26"),
                d("2025-01-01"),
                d("2025-01-02")
            ]
        );
    }

    #[test]
    fn a_clarification_stops_the_clock_and_its_answer_restarts_it() {
        let mut e = received("2025-03-07");
        e.clarification_asked = Some(d("2025-03-12"));
        assert_eq!(
            clock(&e, 20).unwrap(),
            Clock::AwaitingClarification {
                asked: d("2025-03-12")
            }
        );
        // The answer arrives Thu 20 March: a new 20 days from then.
        e.clarified = Some(d("2025-03-20"));
        let x = due(e);
        assert_eq!(x.counted_from, d("2025-03-20"));
        assert_eq!(x.day_one, d("2025-03-21"));
        // 21 (1), 24-28 (6), 31 Mar-4 Apr (11), 7-11 (16), 14-17 (20):
        // Good Friday 18 April 2025 is not reached.
        assert_eq!(x.due, d("2025-04-17"));
    }

    #[test]
    fn a_fee_notice_pauses_the_clock_until_payment_and_lapses_after_three_months() {
        let mut e = received("2025-03-07");
        e.fee_notice = Some(d("2025-03-14"));
        assert_eq!(
            clock(&e, 20).unwrap(),
            Clock::AwaitingFee {
                notice: d("2025-03-14"),
                lapses: d("2025-06-14")
            }
        );
        // Days 1-4 are Mon 10 to Thu 13 March. Paid Wed 26 March: the pause
        // covers 14 to 26 March; day 5 is Thu 27 March. 27, 28 (6),
        // 31 Mar-4 Apr (11), 7-11 (16), 14-17 (20).
        e.fee_paid = Some(d("2025-03-26"));
        let x = due(e);
        assert_eq!(x.paused, Some((d("2025-03-14"), d("2025-03-26"))));
        assert_eq!(x.due, d("2025-04-17"));
    }

    #[test]
    fn clarification_then_fee_then_extension_over_easter() {
        // Received Mon 3 March 2025, clarification asked 5 March and
        // answered Mon 10 March; fees notice Mon 17 March (days 1-4 were
        // 11-14 March), paid Fri 21 March; 16 more days from Mon 24 March:
        // 24-28 (9), 31 Mar-4 Apr (14), 7-11 (19), 14 Apr (20). Then a
        // public interest extension of 10 working days: 15, 16, 17 (3),
        // Good Friday 18 and Easter Monday 21 skipped, 22-25 (7), 28-30 (10).
        let e = Events {
            received: Some(d("2025-03-03")),
            clarification_asked: Some(d("2025-03-05")),
            clarified: Some(d("2025-03-10")),
            fee_notice: Some(d("2025-03-17")),
            fee_paid: Some(d("2025-03-21")),
            extension: 10,
        };
        let x = due(e);
        assert_eq!(x.statutory, d("2025-04-14"));
        assert_eq!(x.due, d("2025-04-30"));
        assert_eq!(x.working_days, 30);
        assert_eq!(
            x.skipped.iter().map(|h| h.date).collect::<Vec<_>>(),
            [d("2025-04-18"), d("2025-04-21")]
        );
    }

    #[test]
    fn impossible_dates_are_refused_with_what_is_wrong() {
        let mut e = received("2025-03-07");
        e.extension = 21;
        assert_eq!(clock(&e, 20), Err(ClockError::ExtensionTooLong(21)));
        let mut e = received("2025-03-07");
        e.fee_paid = Some(d("2025-03-10"));
        assert!(matches!(
            clock(&e, 20),
            Err(ClockError::PaidWithoutNotice { .. })
        ));
        let mut e = received("2025-03-07");
        e.fee_notice = Some(d("2025-03-12"));
        e.fee_paid = Some(d("2025-03-11"));
        assert!(matches!(
            clock(&e, 20),
            Err(ClockError::PaidBeforeNotice { .. })
        ));
        let mut e = received("2025-03-07");
        e.clarified = Some(d("2025-03-01"));
        assert!(matches!(
            clock(&e, 20),
            Err(ClockError::ClarifiedBeforeReceipt { .. })
        ));
        assert_eq!(clock(&Events::default(), 20), Err(ClockError::NoReceipt));
    }

    #[test]
    fn day_n_counts_back_to_the_working_days_between() {
        let from = d("2024-12-20");
        for n in 0..60 {
            let day = nth_working_day(from, n).unwrap();
            assert_eq!(working_days_after(from, day).unwrap(), n);
        }
    }
}
