//! Retention and lapse, run by the job runner.
//!
//! A requester's name and addresses are kept for the retention period
//! after their case closes (3 years by default) and then emptied, leaving
//! the anonymised case (the request, the decision, the dates) for the
//! statistics and the disclosure log, with one audit line per case. A
//! request whose fees notice went unpaid for three months lapses (s.9(2)):
//! it is closed with a timeline line saying so.

use chrono::Months;
use platform::workflow::Change;
use platform::{Db, Result, audit};

use crate::workflow::{LAPSE, Route, Status};

const BATCH: i64 = 500;

/// Empties requester details past retention and closes lapsed requests;
/// returns how many cases it changed.
pub async fn run(db: &Db, now: i64, years: u32) -> Result<u64> {
    let mut total = lapse(db, now).await?;
    let cutoff = now - i64::from(years) * 365 * 86_400 - i64::from(years / 4) * 86_400;
    loop {
        let due: Vec<(String, String)> = sqlx::query_as(
            "SELECT id, number FROM foi_cases WHERE anonymised_at IS NULL AND closed_at IS NOT NULL AND closed_at < $1 \
             ORDER BY closed_at, id LIMIT $2",
        )
        .bind(cutoff)
        .bind(BATCH)
        .fetch_all(db.pool())
        .await?;
        if due.is_empty() {
            return Ok(total);
        }
        for (id, number) in &due {
            let mut tx = db.begin_write().await?;
            // Only a case still closed: a review reopening nothing changes
            // that, but a case must never lose its requester while open.
            let done = sqlx::query(
                "UPDATE foi_cases SET requester_name = NULL, requester_email = NULL, requester_address = NULL, \
                 token = NULL, anonymised_at = $1 WHERE id = $2 AND status = 'closed' AND anonymised_at IS NULL",
            )
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 1 {
                sqlx::query("DELETE FROM outbox WHERE about = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                audit::record_at(
                    &mut tx,
                    now,
                    "system",
                    "foi.anonymise",
                    id,
                    &format!(
                        "case {number}: requester's details deleted after the retention period"
                    ),
                )
                .await?;
                total += 1;
            }
            tx.commit().await?;
        }
    }
}

/// Closes requests whose fee has been unpaid for three months.
async fn lapse(db: &Db, now: i64) -> Result<u64> {
    let today = platform::clock::date_of(now);
    let open: Vec<(String, i64, String, String)> = sqlx::query_as(
        "SELECT id, version, status, route FROM foi_cases WHERE fee_notice_on IS NOT NULL AND fee_paid_on IS NULL \
         AND status <> 'closed' AND fee_notice_on < $1",
    )
    .bind((today - Months::new(3)).format("%Y-%m-%d").to_string())
    .fetch_all(db.pool())
    .await?;
    let mut n = 0;
    for (id, version, status, route) in open {
        let (Some(from), Some(route)) = (Status::parse(&status), Route::parse(&route)) else {
            continue;
        };
        let detail = "Lapsed: the fee was not paid within three months of the fees notice (s.9(2))";
        let system = platform::Actor::system();
        let change = Change::new(&id, LAPSE, &system, now, detail)
            .only_from(from)
            .set("closed_at", now)
            // A page opened before the lapse can no longer change the case.
            .set("version", version + 1);
        let mut tx = db.begin_write().await?;
        // Moved since it was read: the move is refused and the case left as
        // it is. Paid meanwhile (the status does not show it): undone below.
        match route.table().apply(&mut tx, &change).await {
            Ok(_) => {}
            Err(platform::Error::Conflict(_) | platform::Error::NotFound) => continue,
            Err(e) => return Err(e),
        }
        let still_unpaid: Option<String> =
            sqlx::query_scalar("SELECT id FROM foi_cases WHERE id = $1 AND fee_paid_on IS NULL")
                .bind(&id)
                .fetch_optional(&mut *tx)
                .await?;
        if still_unpaid.is_none() {
            tx.rollback().await?;
            continue;
        }
        tx.commit().await?;
        n += 1;
    }
    Ok(n)
}
