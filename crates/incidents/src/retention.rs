//! Retention: a finished report (closed, a duplicate, or not reportable)
//! is kept for its type's period after it finished (6 years by default)
//! and then deleted whole, with everything hanging off it, by a scheduled
//! job that leaves one audit line per report naming only its key and
//! type. Reopening a report clears its date.

use platform::db::Db;
use platform::{Result, audit};

const BATCH: i64 = 500;

/// The tables that hang off a report, children first.
const CHILDREN: &[&str] = &[
    "DELETE FROM incident_answers WHERE incident_id = $1",
    "DELETE FROM incident_people WHERE incident_id = $1",
    "DELETE FROM incident_addenda WHERE incident_id = $1",
    "DELETE FROM incident_events WHERE incident_id = $1",
    "DELETE FROM incident_corrections WHERE incident_id = $1",
    "DELETE FROM incident_actions WHERE incident_id = $1",
    "DELETE FROM incident_investigations WHERE incident_id = $1",
    "DELETE FROM incident_links WHERE incident_id = $1 OR linked_id = $1",
];

/// Deletes every report whose retention date is before `now`; returns how
/// many.
pub async fn run(db: &Db, now: i64) -> Result<u64> {
    let mut total = 0;
    loop {
        let due: Vec<(String, String)> = sqlx::query_as(
            "SELECT id, type_code FROM incidents WHERE delete_after IS NOT NULL AND delete_after < $1 ORDER BY delete_after, id LIMIT $2",
        )
        .bind(now)
        .bind(BATCH)
        .fetch_all(db.pool())
        .await?;
        if due.is_empty() {
            return Ok(total);
        }
        for (id, type_code) in &due {
            let mut tx = db.begin_write().await?;
            for sql in CHILDREN {
                sqlx::query(sql).bind(id).execute(&mut *tx).await?;
            }
            // A report another names as its original loses that link.
            sqlx::query("UPDATE incidents SET duplicate_of = NULL WHERE duplicate_of = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            let done = sqlx::query(
                "DELETE FROM incidents WHERE id = $1 AND delete_after IS NOT NULL AND delete_after < $2",
            )
            .bind(id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                // Reopened meanwhile: keep it, and everything with it.
                tx.rollback().await?;
                continue;
            }
            audit::record_at(
                &mut tx,
                now,
                "system",
                "incident.delete",
                id,
                &format!("{type_code} report past its retention period"),
            )
            .await?;
            tx.commit().await?;
            total += 1;
        }
    }
}
