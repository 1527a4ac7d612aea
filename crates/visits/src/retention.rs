//! Retention: a visit's personal data is kept for seven years after the
//! visit (HMPPS retention policy, as the privacy notice states), then
//! deleted by a scheduled job that leaves one audit line per visit with no
//! personal data in it. Account emails are deleted 30 days after they were
//! sent.

use chrono::{Months, NaiveDate};
use sqlx::Row;

use platform::db::Db;
use platform::{Result, audit};

/// How long visit data is kept after the visit.
pub const RETENTION_YEARS: u32 = 7;

/// Deletes every visit whose date is more than seven years before `today`:
/// the request, its visitors, its history and its emails. Returns how many
/// visits were deleted.
pub async fn run(db: &Db, today: NaiveDate) -> Result<u64> {
    // Emails not about a visit (account confirmations and warnings) carry
    // addresses and one-time links; once delivered or given up on they
    // serve nothing, so they go after 30 days.
    let stale = platform::now() - 30 * 24 * 3600;
    sqlx::query(
        "DELETE FROM outbox WHERE about IS NULL AND created_at < $1 AND (sent_at IS NOT NULL OR failed = 1)",
    )
    .bind(stale)
    .execute(db.writer())
    .await?;
    let mut total = 0;
    loop {
        let n = run_batch(db, today).await?;
        total += n;
        if n < BATCH {
            return Ok(total);
        }
    }
}

const BATCH: u64 = 1000;

async fn run_batch(db: &Db, today: NaiveDate) -> Result<u64> {
    let cutoff = today
        .checked_sub_months(Months::new(12 * RETENTION_YEARS))
        .unwrap_or(NaiveDate::MIN);
    let rows = sqlx::query("SELECT id, establishment_id, visit_date, status FROM visits WHERE visit_date < $1 ORDER BY visit_date, id LIMIT 1000")
        .bind(cutoff.to_string())
        .fetch_all(db.pool())
        .await?;
    let mut deleted = 0;
    for r in rows {
        let id: String = r.try_get("id")?;
        let est: String = r.try_get("establishment_id")?;
        let date: String = r.try_get("visit_date")?;
        let status: String = r.try_get("status")?;
        let mut tx = db.begin_write().await?;
        for sql in [
            "DELETE FROM visit_visitors WHERE visit_id = $1",
            "DELETE FROM visit_events WHERE visit_id = $1",
            "DELETE FROM outbox WHERE about = $1",
        ] {
            sqlx::query(sql).bind(&id).execute(&mut *tx).await?;
        }
        // The background job and a manual run (or two servers sharing one
        // PostgreSQL) may both have picked this visit: only the run that
        // deletes it writes the audit line.
        let gone = sqlx::query("DELETE FROM visits WHERE id = $1")
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        if gone.rows_affected() == 0 {
            tx.rollback().await?;
            continue;
        }
        audit::record(
            &mut tx,
            "system",
            "retention.delete",
            &id,
            &format!("{status} visit at {est} dated {date} deleted {RETENTION_YEARS} years after the visit"),
        )
        .await?;
        tx.commit().await?;
        deleted += 1;
    }
    if deleted > 0 {
        tracing::info!(deleted, %cutoff, "retention: deleted visits");
    }
    Ok(deleted)
}
