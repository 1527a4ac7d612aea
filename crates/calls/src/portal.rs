//! Each prison's booking portal: when it offers calls, for how long, how
//! many at once, how far ahead and with how much notice, who books, and the
//! allowance; and the dated slots those settings make.

use calendar::{Calendar, WorkingDays};
use chrono::{Datelike, Duration, NaiveDate, NaiveTime};
use platform::audit::Line;
use platform::{Db, Error, Result, now};
use sqlx::Row;

/// Who starts a booking at a prison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The family books through the portal.
    Family,
    /// The prisoner asks staff, who offer the call; the family confirms.
    Prisoner,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Family => "family",
            Mode::Prisoner => "prisoner",
        }
    }

    pub fn parse(s: &str) -> Option<Mode> {
        match s {
            "family" => Some(Mode::Family),
            "prisoner" => Some(Mode::Prisoner),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Mode::Family => "The family books",
            Mode::Prisoner => "The prisoner asks, the family confirms",
        }
    }
}

/// A prison's portal settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub mode: Mode,
    /// 30 or 60.
    pub call_minutes: i64,
    /// Calls that can run at once (laptops or booths).
    pub capacity: i64,
    /// How many days ahead calls can be booked.
    pub window_days: i64,
    /// Working days' notice a booking needs.
    pub min_notice_working_days: i64,
    /// Minutes of calls a prisoner may have in a calendar month.
    pub monthly_minutes: i64,
    /// Hours before a call after which the family can no longer cancel it.
    pub cancel_cutoff_hours: i64,
}

impl Default for Settings {
    /// GOV.UK's rule: up to two 30-minute calls (or one 60-minute call) a
    /// month.
    fn default() -> Self {
        Settings {
            mode: Mode::Family,
            call_minutes: 30,
            capacity: 2,
            window_days: 28,
            min_notice_working_days: 2,
            monthly_minutes: 60,
            cancel_cutoff_hours: 24,
        }
    }
}

impl Settings {
    /// Problems with the settings, as messages for the form's fields.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut p = Vec::new();
        if ![30, 60].contains(&self.call_minutes) {
            p.push(("call-minutes", "A call lasts 30 or 60 minutes".into()));
        }
        if !(1..=50).contains(&self.capacity) {
            p.push((
                "capacity",
                "Calls at once must be a whole number from 1 to 50".into(),
            ));
        }
        if !(1..=90).contains(&self.window_days) {
            p.push((
                "window-days",
                "The booking window must be from 1 to 90 days".into(),
            ));
        }
        if !(0..=20).contains(&self.min_notice_working_days) {
            p.push(("notice", "Notice must be from 0 to 20 working days".into()));
        }
        if self.min_notice_working_days >= self.window_days {
            p.push((
                "notice",
                "Notice must be shorter than the booking window".into(),
            ));
        }
        if !(30..=600).contains(&self.monthly_minutes) || self.monthly_minutes % 30 != 0 {
            p.push((
                "monthly-minutes",
                "The monthly allowance must be 30 to 600 minutes, in steps of 30".into(),
            ));
        }
        if !(0..=168).contains(&self.cancel_cutoff_hours) {
            p.push((
                "cutoff",
                "The cancellation cut-off must be from 0 to 168 hours".into(),
            ));
        }
        p
    }
}

/// A prison's portal as families see it.
#[derive(Debug, Clone)]
pub struct Portal {
    pub establishment_id: String,
    pub name: String,
    pub settings: Settings,
    /// Whether the prison's rollout has reached "portal live".
    pub live: bool,
}

/// Gives every establishment of the registry the default settings (run at
/// start; establishments added later get theirs here too).
pub async fn seed(db: &Db) -> Result<()> {
    sqlx::query(
        "INSERT INTO call_settings (establishment_id, updated_at) SELECT id, 0 FROM establishments \
         WHERE id NOT IN (SELECT establishment_id FROM call_settings)",
    )
    .execute(db.pool())
    .await?;
    Ok(())
}

/// An establishment's portal; `NotFound` for an unknown or disabled one.
pub async fn get(db: &Db, establishment_id: &str) -> Result<Portal> {
    let row = sqlx::query(
        "SELECT e.id, e.name, s.booking_mode, s.call_minutes, s.capacity, s.window_days, \
         s.min_notice_working_days, s.monthly_minutes, s.cancel_cutoff_hours, \
         (SELECT COUNT(*) FROM call_rollout r WHERE r.establishment_id = e.id AND r.stage = 'live') AS live \
         FROM establishments e JOIN call_settings s ON s.establishment_id = e.id \
         WHERE e.id = $1 AND e.enabled = 1",
    )
    .bind(establishment_id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(Error::NotFound)?;
    let mode: String = row.try_get("booking_mode")?;
    Ok(Portal {
        establishment_id: row.try_get("id")?,
        name: row.try_get("name")?,
        settings: Settings {
            mode: Mode::parse(&mode)
                .ok_or_else(|| Error::Corrupt(format!("booking mode {mode:?}")))?,
            call_minutes: row.try_get("call_minutes")?,
            capacity: row.try_get("capacity")?,
            window_days: row.try_get("window_days")?,
            min_notice_working_days: row.try_get("min_notice_working_days")?,
            monthly_minutes: row.try_get("monthly_minutes")?,
            cancel_cutoff_hours: row.try_get("cancel_cutoff_hours")?,
        },
        live: row.try_get::<i64, _>("live")? > 0,
    })
}

/// Changes a portal's settings, audited in the same transaction.
pub async fn update(db: &Db, establishment_id: &str, s: &Settings, line: &Line<'_>) -> Result<()> {
    if let Some((_, msg)) = s.problems().into_iter().next() {
        return Err(Error::Conflict(msg));
    }
    let mut tx = db.begin_write().await?;
    let done = sqlx::query(
        "UPDATE call_settings SET booking_mode = $1, call_minutes = $2, capacity = $3, window_days = $4, \
         min_notice_working_days = $5, monthly_minutes = $6, cancel_cutoff_hours = $7, updated_at = $8 \
         WHERE establishment_id = $9",
    )
    .bind(s.mode.as_str())
    .bind(s.call_minutes)
    .bind(s.capacity)
    .bind(s.window_days)
    .bind(s.min_notice_working_days)
    .bind(s.monthly_minutes)
    .bind(s.cancel_cutoff_hours)
    .bind(now())
    .bind(establishment_id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(Error::NotFound);
    }
    line.record(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

/// A weekly call time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeeklyTime {
    pub id: String,
    /// 1 = Monday ... 7 = Sunday.
    pub weekday: i64,
    /// "14:00".
    pub start: String,
}

/// Day names, Monday first.
pub const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// Reads a 24-hour time ("9:30", "14:00") as "HH:MM".
pub fn parse_time(s: &str) -> Option<String> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M")
        .ok()
        .map(|t| t.format("%H:%M").to_string())
}

/// An establishment's weekly call times, by day and time.
pub async fn weekly_times(db: &Db, establishment_id: &str) -> Result<Vec<WeeklyTime>> {
    let rows: Vec<(String, i64, String)> = sqlx::query_as(
        "SELECT id, weekday, start_time FROM call_times WHERE establishment_id = $1 ORDER BY weekday, start_time",
    )
    .bind(establishment_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, weekday, start)| WeeklyTime { id, weekday, start })
        .collect())
}

/// Adds a weekly call time; the same day and time twice is refused.
pub async fn add_weekly(
    db: &Db,
    establishment_id: &str,
    weekday: i64,
    start: &str,
    line: &Line<'_>,
) -> Result<()> {
    if !(1..=7).contains(&weekday) {
        return Err(Error::Conflict("choose a day of the week".into()));
    }
    let start =
        parse_time(start).ok_or_else(|| Error::Conflict("enter a time like 14:00".into()))?;
    let mut tx = db.begin_write().await?;
    let done = sqlx::query(
        "INSERT INTO call_times (id, establishment_id, weekday, start_time) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (establishment_id, weekday, start_time) DO NOTHING",
    )
    .bind(platform::ids::new_id())
    .bind(establishment_id)
    .bind(weekday)
    .bind(&start)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(Error::Conflict(format!(
            "calls already start at {start} on {}s",
            WEEKDAYS[(weekday - 1) as usize]
        )));
    }
    line.record(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a weekly call time (calls already booked at it stand).
pub async fn remove_weekly(
    db: &Db,
    establishment_id: &str,
    id: &str,
    line: &Line<'_>,
) -> Result<()> {
    let mut tx = db.begin_write().await?;
    let done = sqlx::query("DELETE FROM call_times WHERE id = $1 AND establishment_id = $2")
        .bind(id)
        .bind(establishment_id)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(Error::NotFound);
    }
    line.record(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

/// Adds a one-off call time on a date.
pub async fn add_one_off(
    db: &Db,
    establishment_id: &str,
    date: NaiveDate,
    start: &str,
    line: &Line<'_>,
) -> Result<()> {
    let start =
        parse_time(start).ok_or_else(|| Error::Conflict("enter a time like 14:00".into()))?;
    let mut tx = db.begin_write().await?;
    let done = sqlx::query(
        "INSERT INTO call_one_offs (id, establishment_id, date, start_time) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (establishment_id, date, start_time) DO NOTHING",
    )
    .bind(platform::ids::new_id())
    .bind(establishment_id)
    .bind(date.to_string())
    .bind(&start)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(Error::Conflict(format!(
            "there is already a call time at {start} on {date}"
        )));
    }
    line.record(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

/// Closes a date (no calls offered), with a reason.
pub async fn close_date(
    db: &Db,
    establishment_id: &str,
    date: NaiveDate,
    reason: &str,
    line: &Line<'_>,
) -> Result<()> {
    if reason.trim().is_empty() {
        return Err(Error::Conflict("give the reason the date is closed".into()));
    }
    let mut tx = db.begin_write().await?;
    let done = sqlx::query(
        "INSERT INTO call_closed (establishment_id, date, reason, created_by, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (establishment_id, date) DO NOTHING",
    )
    .bind(establishment_id)
    .bind(date.to_string())
    .bind(reason.trim())
    .bind(line.actor)
    .bind(now())
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(Error::Conflict(format!("{date} is already closed")));
    }
    line.record(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

/// An establishment's closed dates from `from`, with reasons.
pub async fn closed_dates(
    db: &Db,
    establishment_id: &str,
    from: NaiveDate,
) -> Result<Vec<(NaiveDate, String)>> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT date, reason FROM call_closed WHERE establishment_id = $1 AND date >= $2 ORDER BY date",
    )
    .bind(establishment_id)
    .bind(from.to_string())
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(d, r)| Ok((parse_date(&d)?, r)))
        .collect()
}

pub(crate) fn parse_date(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| Error::Corrupt(format!("date {s:?}")))
}

/// A dated call slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub date: NaiveDate,
    /// "14:00".
    pub start: String,
    /// "14:30".
    pub end: String,
    pub minutes: i64,
    pub capacity: i64,
    pub booked: i64,
}

impl Slot {
    /// The slot's key: establishment, date and start.
    pub fn id(&self, establishment_id: &str) -> String {
        slot_id(establishment_id, self.date, &self.start)
    }

    pub fn free(&self) -> i64 {
        (self.capacity - self.booked).max(0)
    }

    /// "Tuesday 5 January 2027, 14:00 to 14:30".
    pub fn label(&self) -> String {
        format!(
            "{}, {} to {}",
            self.date.format("%A %-d %B %Y"),
            self.start,
            self.end
        )
    }
}

/// A slot's key.
pub fn slot_id(establishment_id: &str, date: NaiveDate, start: &str) -> String {
    format!("{establishment_id}/{date}/{start}")
}

fn end_of(start: &str, minutes: i64) -> String {
    NaiveTime::parse_from_str(start, "%H:%M")
        .map(|t| (t + Duration::minutes(minutes)).format("%H:%M").to_string())
        .unwrap_or_default()
}

/// The first and last dates a booking made on `today` may be for: after
/// the notice (in working days of England and Wales) and within the
/// window.
pub fn bookable_range(s: &Settings, today: NaiveDate) -> Result<(NaiveDate, NaiveDate)> {
    let cal = Calendar::new(calendar::Region::EnglandAndWales);
    let earliest = cal
        .add_working_days(today, WorkingDays(s.min_notice_working_days.max(0) as u32))
        .map_err(|e| Error::Config(e.to_string()))?
        + Duration::days(1);
    Ok((earliest, today + Duration::days(s.window_days)))
}

/// Every slot on `from..=to`: weekly times by weekday and one-off times,
/// none on closed dates; with places taken so far.
pub async fn slots_between(
    db: &Db,
    portal: &Portal,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Slot>> {
    let est = &portal.establishment_id;
    let weekly = weekly_times(db, est).await?;
    let one_offs: Vec<(String, String)> = sqlx::query_as(
        "SELECT date, start_time FROM call_one_offs WHERE establishment_id = $1 AND date >= $2 AND date <= $3",
    )
    .bind(est)
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(db.pool())
    .await?;
    let closed: std::collections::HashSet<NaiveDate> = closed_dates(db, est, from)
        .await?
        .into_iter()
        .map(|(d, _)| d)
        .collect();
    let taken: Vec<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT date, start_time, capacity, booked FROM call_slots WHERE establishment_id = $1 AND date >= $2 AND date <= $3",
    )
    .bind(est)
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(db.pool())
    .await?;
    let taken: std::collections::HashMap<(String, String), (i64, i64)> = taken
        .into_iter()
        .map(|(d, s, c, b)| ((d, s), (c, b)))
        .collect();
    let mut out = Vec::new();
    let mut day = from;
    while day <= to {
        if !closed.contains(&day) {
            let mut starts: Vec<String> = weekly
                .iter()
                .filter(|w| w.weekday == day.weekday().number_from_monday() as i64)
                .map(|w| w.start.clone())
                .collect();
            starts.extend(
                one_offs
                    .iter()
                    .filter(|(d, _)| *d == day.to_string())
                    .map(|(_, s)| s.clone()),
            );
            starts.sort();
            starts.dedup();
            for start in starts {
                let (capacity, booked) = taken
                    .get(&(day.to_string(), start.clone()))
                    .copied()
                    .unwrap_or((portal.settings.capacity, 0));
                out.push(Slot {
                    date: day,
                    end: end_of(&start, portal.settings.call_minutes),
                    start,
                    minutes: portal.settings.call_minutes,
                    capacity,
                    booked,
                });
            }
        }
        day += Duration::days(1);
    }
    Ok(out)
}

/// The slots a family may book now: in the bookable range, with a place.
pub async fn bookable(db: &Db, portal: &Portal, today: NaiveDate) -> Result<Vec<Slot>> {
    let (from, to) = bookable_range(&portal.settings, today)?;
    Ok(slots_between(db, portal, from, to)
        .await?
        .into_iter()
        .filter(|s| s.free() > 0)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_read_in_24_hour_form() {
        assert_eq!(parse_time("9:30").as_deref(), Some("09:30"));
        assert_eq!(parse_time(" 14:00 ").as_deref(), Some("14:00"));
        assert_eq!(parse_time("25:00"), None);
        assert_eq!(parse_time("2pm"), None);
        assert_eq!(end_of("14:00", 30), "14:30");
        assert_eq!(end_of("23:30", 60), "00:30");
    }

    #[test]
    fn the_defaults_are_govuks_rule_and_bad_settings_are_named() {
        let s = Settings::default();
        assert!(s.problems().is_empty());
        assert_eq!(s.monthly_minutes / s.call_minutes, 2);
        let bad = Settings {
            call_minutes: 45,
            capacity: 0,
            monthly_minutes: 50,
            ..Settings::default()
        };
        let fields: Vec<&str> = bad.problems().iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["call-minutes", "capacity", "monthly-minutes"]);
    }

    #[test]
    fn notice_counts_working_days() {
        let s = Settings::default();
        // Friday 4 December 2026: two working days' notice ends on Tuesday
        // 8th, so the first bookable day is Wednesday 9th.
        let (from, to) = bookable_range(&s, NaiveDate::from_ymd_opt(2026, 12, 4).unwrap()).unwrap();
        assert_eq!(from, NaiveDate::from_ymd_opt(2026, 12, 9).unwrap());
        assert_eq!(to, NaiveDate::from_ymd_opt(2027, 1, 1).unwrap());
    }
}
