//! Each establishment's visiting arrangements: recurring sessions by
//! weekday, one-off sessions, blocked dates, the booking window and the
//! minimum notice, and the dated slots whose places are counted. The
//! establishments themselves are the platform's registry; this module keeps
//! what visits need of each, keyed by the registry's id.

use calendar::{Calendar, WorkingDays};
use chrono::{Datelike, Duration, NaiveDate};
use sqlx::Row;

use platform::audit::Line;
use platform::db::Db;
use platform::ids::new_id;
use platform::{Error, Result, now};

/// Default recurring sessions for a newly seeded establishment: weekday
/// (1 = Monday), start, end, open places, closed places.
const DEFAULT_SESSIONS: &[(i64, &str, &str, i64, i64)] = &[
    (2, "14:00", "16:00", 20, 2),
    (4, "14:00", "16:00", 20, 2),
    (6, "09:30", "11:30", 30, 3),
    (6, "14:00", "16:00", 30, 3),
    (7, "14:00", "16:00", 30, 3),
];

/// A prison or young offender institution and its booking settings.
#[derive(Debug, Clone)]
pub struct Establishment {
    /// Key, a slug of the name ("long-lartin").
    pub id: String,
    /// Name as people say it ("Long Lartin").
    pub name: String,
    /// How many days ahead visits may be requested.
    pub booking_window_days: i64,
    /// Working days' notice a request needs.
    pub min_notice_working_days: i64,
}

/// A dated visiting session that can be chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSlot {
    /// Key: establishment, date and start time.
    pub id: String,
    /// Date.
    pub date: NaiveDate,
    /// Start, HH:MM.
    pub start: String,
    /// End, HH:MM.
    pub end: String,
    /// Places for open visits.
    pub open_capacity: i64,
    /// Places for closed visits.
    pub closed_capacity: i64,
    /// Open places taken.
    pub open_booked: i64,
    /// Closed places taken.
    pub closed_booked: i64,
}

impl SessionSlot {
    /// "Tuesday 14 January 2025, 2:00pm to 4:00pm".
    pub fn label(&self) -> String {
        format!(
            "{}, {} to {}",
            self.date.format("%A %-d %B %Y"),
            clock(&self.start),
            clock(&self.end)
        )
    }
}

/// "14:00" as "2:00pm".
pub fn clock(hhmm: &str) -> String {
    let (h, m) = hhmm.split_once(':').unwrap_or((hhmm, "00"));
    let h: u32 = h.parse().unwrap_or(0);
    let suffix = if h >= 12 { "pm" } else { "am" };
    let h12 = match h % 12 {
        0 => 12,
        x => x,
    };
    format!("{h12}:{m}{suffix}")
}

/// Gives every establishment in the registry without visiting
/// arrangements the defaults (a 28-day window, 3 working days' notice and
/// the default weekly sessions). Returns how many were set up. Safe when
/// two instances start at once: the settings row is the claim.
pub async fn seed(db: &Db) -> Result<usize> {
    let missing: Vec<String> = sqlx::query_scalar(
        "SELECT e.id FROM establishments e LEFT JOIN visit_settings s ON s.establishment_id = e.id \
         WHERE s.establishment_id IS NULL ORDER BY e.id",
    )
    .fetch_all(db.pool())
    .await?;
    if missing.is_empty() {
        return Ok(0);
    }
    let mut tx = db.begin_write().await?;
    let mut added = 0;
    for id in &missing {
        let claimed = sqlx::query(
            "INSERT INTO visit_settings (establishment_id, booking_window_days, min_notice_working_days) \
             VALUES ($1, 28, 3) ON CONFLICT (establishment_id) DO NOTHING",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if claimed.rows_affected() == 0 {
            continue;
        }
        added += 1;
        for &(weekday, start, end, open, closed) in DEFAULT_SESSIONS {
            sqlx::query(
                "INSERT INTO session_templates (id, establishment_id, weekday, start_time, end_time, open_capacity, closed_capacity) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(new_id())
            .bind(id)
            .bind(weekday)
            .bind(start)
            .bind(end)
            .bind(open)
            .bind(closed)
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    Ok(added)
}

fn from_row(row: &sqlx::any::AnyRow) -> Result<Establishment> {
    Ok(Establishment {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        booking_window_days: row.try_get("booking_window_days")?,
        min_notice_working_days: row.try_get("min_notice_working_days")?,
    })
}

/// Every enabled establishment, by name.
pub async fn list(db: &Db) -> Result<Vec<Establishment>> {
    let rows = sqlx::query(
        "SELECT e.id, e.name, s.booking_window_days, s.min_notice_working_days \
         FROM establishments e JOIN visit_settings s ON s.establishment_id = e.id \
         WHERE e.enabled = 1 ORDER BY e.name",
    )
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(from_row).collect()
}

/// One establishment.
pub async fn get(db: &Db, id: &str) -> Result<Establishment> {
    let row = sqlx::query(
        "SELECT e.id, e.name, s.booking_window_days, s.min_notice_working_days \
         FROM establishments e JOIN visit_settings s ON s.establishment_id = e.id WHERE e.id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(Error::NotFound)?;
    from_row(&row)
}

/// Changes the booking window and minimum notice.
pub async fn update_settings(
    db: &Db,
    id: &str,
    window_days: i64,
    notice_days: i64,
    audit: &Line<'_>,
) -> Result<()> {
    let mut tx = db.begin_write().await?;
    let done = sqlx::query(
        "UPDATE visit_settings SET booking_window_days = $1, min_notice_working_days = $2 WHERE establishment_id = $3",
    )
    .bind(window_days)
    .bind(notice_days)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(Error::NotFound);
    }
    audit.record(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

/// A recurring session.
#[derive(Debug, Clone)]
pub struct Template {
    /// Key.
    pub id: String,
    /// 1 = Monday ... 7 = Sunday.
    pub weekday: i64,
    /// HH:MM.
    pub start: String,
    /// HH:MM.
    pub end: String,
    /// Open places.
    pub open_capacity: i64,
    /// Closed places.
    pub closed_capacity: i64,
}

/// An establishment's recurring sessions.
pub async fn templates(db: &Db, id: &str) -> Result<Vec<Template>> {
    let rows = sqlx::query(
        "SELECT id, weekday, start_time, end_time, open_capacity, closed_capacity FROM session_templates \
         WHERE establishment_id = $1 ORDER BY weekday, start_time",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Template {
                id: r.try_get("id")?,
                weekday: r.try_get("weekday")?,
                start: r.try_get("start_time")?,
                end: r.try_get("end_time")?,
                open_capacity: r.try_get("open_capacity")?,
                closed_capacity: r.try_get("closed_capacity")?,
            })
        })
        .collect()
}

/// Adds a recurring session.
pub async fn add_template(
    db: &Db,
    establishment: &str,
    t: &Template,
    audit: &Line<'_>,
) -> Result<()> {
    let mut tx = db.begin_write().await?;
    // The same day and start time twice would offer families one session
    // as two, each with its own places.
    let same: Option<String> = sqlx::query_scalar(
        "SELECT end_time FROM session_templates WHERE establishment_id = $1 AND weekday = $2 AND start_time = $3",
    )
    .bind(establishment)
    .bind(t.weekday)
    .bind(&t.start)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(end) = same {
        const DAYS: [&str; 7] = [
            "Monday",
            "Tuesday",
            "Wednesday",
            "Thursday",
            "Friday",
            "Saturday",
            "Sunday",
        ];
        let day = DAYS
            .get(usize::try_from(t.weekday - 1).unwrap_or(0))
            .copied()
            .unwrap_or("that day");
        return Err(Error::Conflict(format!(
            "There is already a weekly session on {day} starting at {} (until {end}): change its places or remove it instead",
            t.start
        )));
    }
    insert_template(&mut tx, establishment, t).await?;
    audit.record(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

async fn insert_template(
    conn: &mut sqlx::AnyConnection,
    establishment: &str,
    t: &Template,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO session_templates (id, establishment_id, weekday, start_time, end_time, open_capacity, closed_capacity) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new_id())
    .bind(establishment)
    .bind(t.weekday)
    .bind(&t.start)
    .bind(&t.end)
    .bind(t.open_capacity)
    .bind(t.closed_capacity)
    .execute(conn)
    .await?;
    Ok(())
}

/// Replaces all recurring sessions (used by tests and seeding tools, not
/// by any page, so not audited).
pub async fn set_templates(db: &Db, establishment: &str, templates: &[Template]) -> Result<()> {
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM session_templates WHERE establishment_id = $1")
        .bind(establishment)
        .execute(&mut *tx)
        .await?;
    for t in templates {
        insert_template(&mut tx, establishment, t).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Removes a recurring session.
pub async fn remove_template(
    db: &Db,
    establishment: &str,
    template_id: &str,
    audit: &Line<'_>,
) -> Result<()> {
    let mut tx = db.begin_write().await?;
    let gone = sqlx::query("DELETE FROM session_templates WHERE establishment_id = $1 AND id = $2")
        .bind(establishment)
        .bind(template_id)
        .execute(&mut *tx)
        .await?;
    if gone.rows_affected() > 0 {
        audit.record(&mut tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A session on one date only.
#[derive(Debug, Clone)]
pub struct OneOff {
    /// The date.
    pub date: NaiveDate,
    /// HH:MM.
    pub start: String,
    /// HH:MM.
    pub end: String,
    /// Open places.
    pub open_capacity: i64,
    /// Closed places.
    pub closed_capacity: i64,
}

/// Adds a one-off session on a date.
pub async fn add_one_off(
    db: &Db,
    establishment: &str,
    session: &OneOff,
    audit: &Line<'_>,
) -> Result<()> {
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO one_off_sessions (id, establishment_id, date, start_time, end_time, open_capacity, closed_capacity) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new_id())
    .bind(establishment)
    .bind(session.date.to_string())
    .bind(&session.start)
    .bind(&session.end)
    .bind(session.open_capacity)
    .bind(session.closed_capacity)
    .execute(&mut *tx)
    .await?;
    audit.record(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

/// One-off sessions from `from` on.
pub async fn one_offs(db: &Db, establishment: &str, from: NaiveDate) -> Result<Vec<SessionSlot>> {
    let rows = sqlx::query(
        "SELECT date, start_time, end_time, open_capacity, closed_capacity FROM one_off_sessions \
         WHERE establishment_id = $1 AND date >= $2 ORDER BY date, start_time",
    )
    .bind(establishment)
    .bind(from.to_string())
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let d: String = r.try_get("date")?;
            let date = parse_date(&d)?;
            let start: String = r.try_get("start_time")?;
            Ok(SessionSlot {
                id: slot_id(establishment, date, &start),
                date,
                start,
                end: r.try_get("end_time")?,
                open_capacity: r.try_get("open_capacity")?,
                closed_capacity: r.try_get("closed_capacity")?,
                open_booked: 0,
                closed_booked: 0,
            })
        })
        .collect()
}

/// A date on which no visits take place.
#[derive(Debug, Clone)]
pub struct BlockedDate {
    /// The date.
    pub date: NaiveDate,
    /// Why (shown to staff only).
    pub reason: String,
}

/// Blocks a date. Requests already made for it stay in the queue for staff
/// to reject; booked visits on it are for staff to cancel.
pub async fn block_date(
    db: &Db,
    establishment: &str,
    date: NaiveDate,
    reason: &str,
    audit: &Line<'_>,
) -> Result<()> {
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO blocked_dates (establishment_id, date, reason, created_by, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (establishment_id, date) DO UPDATE SET reason = excluded.reason",
    )
    .bind(establishment)
    .bind(date.to_string())
    .bind(reason)
    .bind(audit.actor)
    .bind(now())
    .execute(&mut *tx)
    .await?;
    audit.record(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

/// Lifts a block.
pub async fn unblock_date(
    db: &Db,
    establishment: &str,
    date: NaiveDate,
    audit: &Line<'_>,
) -> Result<()> {
    let mut tx = db.begin_write().await?;
    let gone = sqlx::query("DELETE FROM blocked_dates WHERE establishment_id = $1 AND date = $2")
        .bind(establishment)
        .bind(date.to_string())
        .execute(&mut *tx)
        .await?;
    if gone.rows_affected() > 0 {
        audit.record(&mut tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Blocked dates from `from` on.
pub async fn blocked_dates(
    db: &Db,
    establishment: &str,
    from: NaiveDate,
) -> Result<Vec<BlockedDate>> {
    let rows = sqlx::query(
        "SELECT date, reason FROM blocked_dates WHERE establishment_id = $1 AND date >= $2 ORDER BY date",
    )
    .bind(establishment)
    .bind(from.to_string())
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let d: String = r.try_get("date")?;
            Ok(BlockedDate {
                date: parse_date(&d)?,
                reason: r.try_get("reason")?,
            })
        })
        .collect()
}

pub(crate) fn parse_date(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| Error::Corrupt(format!("date {s:?}")))
}

/// The first and last dates a request made on `today` may ask for.
pub fn bookable_range(est: &Establishment, today: NaiveDate) -> Result<(NaiveDate, NaiveDate)> {
    let cal = Calendar::new(calendar::Region::EnglandAndWales);
    // Minimum notice counts working days after today; the visit can be on
    // the day after the last of them (weekends included, since prisons
    // hold visits at weekends).
    let earliest = cal
        .add_working_days(
            today,
            WorkingDays(est.min_notice_working_days.max(0) as u32),
        )
        .map_err(|e| Error::Config(e.to_string()))?
        + Duration::days(1);
    let latest = today + Duration::days(est.booking_window_days);
    Ok((earliest, latest))
}

/// Slot key for an establishment's session on a date.
pub fn slot_id(establishment: &str, date: NaiveDate, start: &str) -> String {
    format!("{establishment}/{date}/{start}")
}

/// Every session on `from..=to`: recurring ones by weekday, one-off ones,
/// none on blocked dates; with places taken so far.
pub async fn sessions_between(
    db: &Db,
    establishment: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<SessionSlot>> {
    let templates = templates(db, establishment).await?;
    let blocked: Vec<NaiveDate> = blocked_dates(db, establishment, from)
        .await?
        .into_iter()
        .map(|b| b.date)
        .collect();
    let one_offs = sqlx::query(
        "SELECT date, start_time, end_time, open_capacity, closed_capacity FROM one_off_sessions \
         WHERE establishment_id = $1 AND date >= $2 AND date <= $3",
    )
    .bind(establishment)
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(db.pool())
    .await?;
    let booked = sqlx::query(
        "SELECT id, open_capacity, closed_capacity, open_booked, closed_booked FROM slots \
         WHERE establishment_id = $1 AND date >= $2 AND date <= $3",
    )
    .bind(establishment)
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(db.pool())
    .await?;
    let mut counts = std::collections::HashMap::new();
    for r in &booked {
        let id: String = r.try_get("id")?;
        let v: (i64, i64, i64, i64) = (
            r.try_get("open_capacity")?,
            r.try_get("closed_capacity")?,
            r.try_get("open_booked")?,
            r.try_get("closed_booked")?,
        );
        counts.insert(id, v);
    }
    let mut out = Vec::new();
    let mut push = |date: NaiveDate, start: String, end: String, open: i64, closed: i64| {
        let id = slot_id(establishment, date, &start);
        // Once a slot row exists its capacity is the one that counts.
        let (oc, cc, ob, cb) = counts.get(&id).copied().unwrap_or((open, closed, 0, 0));
        out.push(SessionSlot {
            id,
            date,
            start,
            end,
            open_capacity: oc,
            closed_capacity: cc,
            open_booked: ob,
            closed_booked: cb,
        });
    };
    let mut date = from;
    while date <= to {
        if !blocked.contains(&date) {
            let wd = date.weekday().number_from_monday() as i64;
            for t in templates.iter().filter(|t| t.weekday == wd) {
                push(
                    date,
                    t.start.clone(),
                    t.end.clone(),
                    t.open_capacity,
                    t.closed_capacity,
                );
            }
        }
        date += Duration::days(1);
    }
    for r in &one_offs {
        let d: String = r.try_get("date")?;
        let date = parse_date(&d)?;
        if !blocked.contains(&date) {
            push(
                date,
                r.try_get("start_time")?,
                r.try_get("end_time")?,
                r.try_get("open_capacity")?,
                r.try_get("closed_capacity")?,
            );
        }
    }
    out.sort_by(|a, b| (a.date, &a.start).cmp(&(b.date, &b.start)));
    out.dedup_by(|a, b| a.id == b.id);
    Ok(out)
}

/// The sessions a request made today may choose: inside the window, after
/// the notice, not blocked, with an open place left.
pub async fn available_sessions(
    db: &Db,
    est: &Establishment,
    today: NaiveDate,
) -> Result<Vec<SessionSlot>> {
    let (from, to) = bookable_range(est, today)?;
    if from > to {
        return Ok(Vec::new());
    }
    Ok(sessions_between(db, &est.id, from, to)
        .await?
        .into_iter()
        .filter(|s| s.open_booked < s.open_capacity)
        .collect())
}

/// Makes sure the slot row for a session exists, so that its counters can
/// be moved by conditional updates.
pub(crate) async fn ensure_slot(
    conn: &mut sqlx::AnyConnection,
    establishment: &str,
    slot: &SessionSlot,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO slots (id, establishment_id, date, start_time, end_time, open_capacity, closed_capacity, open_booked, closed_booked) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0, 0) ON CONFLICT (id) DO NOTHING",
    )
    .bind(&slot.id)
    .bind(establishment)
    .bind(slot.date.to_string())
    .bind(&slot.start)
    .bind(&slot.end)
    .bind(slot.open_capacity)
    .bind(slot.closed_capacity)
    .execute(conn)
    .await?;
    Ok(())
}

/// A stored slot.
pub async fn slot(db: &Db, id: &str) -> Result<Option<SessionSlot>> {
    let row = sqlx::query(
        "SELECT id, date, start_time, end_time, open_capacity, closed_capacity, open_booked, closed_booked \
         FROM slots WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    row.map(|r| {
        let d: String = r.try_get("date")?;
        Ok(SessionSlot {
            id: r.try_get("id")?,
            date: parse_date(&d)?,
            start: r.try_get("start_time")?,
            end: r.try_get("end_time")?,
            open_capacity: r.try_get("open_capacity")?,
            closed_capacity: r.try_get("closed_capacity")?,
            open_booked: r.try_get("open_booked")?,
            closed_booked: r.try_get("closed_booked")?,
        })
    })
    .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_reads_naturally() {
        assert_eq!(clock("14:00"), "2:00pm");
        assert_eq!(clock("09:30"), "9:30am");
        assert_eq!(clock("12:15"), "12:15pm");
    }

    #[test]
    fn notice_counts_working_days() {
        let est = Establishment {
            id: "x".into(),
            name: "X".into(),
            booking_window_days: 28,
            min_notice_working_days: 3,
        };
        // Friday 20 December 2024: Mon 23, Tue 24, (25, 26 holidays), Fri 27
        // are the three working days; the earliest visit is Saturday 28.
        let today = NaiveDate::from_ymd_opt(2024, 12, 20).unwrap();
        let (from, to) = bookable_range(&est, today).unwrap();
        assert_eq!(from, NaiveDate::from_ymd_opt(2024, 12, 28).unwrap());
        assert_eq!(to, NaiveDate::from_ymd_opt(2025, 1, 17).unwrap());
    }
}
