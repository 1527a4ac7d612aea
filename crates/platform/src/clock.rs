//! The service's clock: the system clock plus an offset.
//!
//! Lifecycles count days from events (a review period, destruction dates,
//! retention), and tests must be able to move time past them. The offset
//! starts at the configured `clock_offset_days` (zero in production; the
//! setting exists for demonstrations) and can be moved forward only through
//! [`Clock::advance`], a Rust API that tests and the embedding program
//! reach through the server's `Running::clock`. No page or request can
//! change it.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::NaiveDate;

/// A shared clock: the system time plus an offset in seconds.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset: Arc<AtomicI64>,
}

impl Clock {
    /// A clock `offset_secs` ahead of the system's.
    pub fn with_offset(offset_secs: i64) -> Clock {
        Clock {
            offset: Arc::new(AtomicI64::new(offset_secs)),
        }
    }

    /// Seconds since the Unix epoch, as this clock reads.
    pub fn now(&self) -> i64 {
        system_now() + self.offset.load(Ordering::Relaxed)
    }

    /// Today's date, as this clock reads (UTC: the service's dates are
    /// local dates, the UK is within an hour of UTC, and the hour around
    /// midnight is not worth a time zone database).
    pub fn today(&self) -> NaiveDate {
        date_of(self.now())
    }

    /// Moves the clock forward by `secs` (never back: deadlines already
    /// passed stay passed).
    pub fn advance(&self, secs: i64) {
        self.offset.fetch_add(secs.max(0), Ordering::Relaxed);
    }

    /// Moves the clock forward by whole days.
    pub fn advance_days(&self, days: i64) {
        self.advance(days * 24 * 3600);
    }

    /// How far ahead of the system clock this one is, in seconds.
    pub fn offset_secs(&self) -> i64 {
        self.offset.load(Ordering::Relaxed)
    }
}

/// Seconds since the Unix epoch by the system clock: the unit of every
/// stored instant.
pub fn system_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// The UTC date of an instant.
pub fn date_of(t: i64) -> NaiveDate {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|d| d.date_naive())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_moves_today_and_never_goes_back() {
        let c = Clock::default();
        let today = c.today();
        c.advance_days(3);
        assert_eq!(c.today(), today + chrono::Duration::days(3));
        c.advance(-100_000);
        assert_eq!(c.offset_secs(), 3 * 24 * 3600);
        let shared = c.clone();
        shared.advance_days(1);
        assert_eq!(c.offset_secs(), 4 * 24 * 3600);
    }
}
