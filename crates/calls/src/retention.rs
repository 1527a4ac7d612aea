//! Retention for video calls, as the privacy notice states it:
//! - identity documents (ID photo and selfie): destroyed `documents_days`
//!   (30) after the verifier's decision; the face descriptor, the decision
//!   and who made it stay with the profile;
//! - calls, with their people, history and emails: deleted
//!   `call_retention_days` (730) after the call's date;
//! - caller profiles: deleted `caller_retention_days` (730) after their
//!   last change when they have no call left and no approval, with their
//!   requests and history; an approved contact's link to the account is
//!   removed with the profile (the prison's list keeps the name).
//!
//! Each deletion leaves one audit line without personal data.

use chrono::{Duration, NaiveDate};
use platform::{Db, Result, audit, now};

use crate::Config;

/// What a run deleted.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    pub documents: u64,
    pub calls: u64,
    pub callers: u64,
}

/// Runs every rule for `today`. Returns how many records went.
pub async fn run(db: &Db, config: &Config, today: NaiveDate) -> Result<u64> {
    let s = sweep(db, config, today).await?;
    Ok(s.documents + s.calls + s.callers)
}

/// Runs every rule for `today`.
pub async fn sweep(db: &Db, config: &Config, today: NaiveDate) -> Result<Swept> {
    let documents = crate::callers::destroy_due_documents(db, today).await?;
    let call_cutoff = today - Duration::days(config.call_retention_days as i64);
    let old: Vec<String> = sqlx::query_scalar("SELECT id FROM calls WHERE date < $1")
        .bind(call_cutoff.to_string())
        .fetch_all(db.pool())
        .await?;
    let mut calls = 0;
    for id in old {
        let mut tx = db.begin_write().await?;
        for sql in [
            "DELETE FROM call_participants WHERE call_id = $1",
            "DELETE FROM call_events WHERE call_id = $1",
            "DELETE FROM call_timeline WHERE call_id = $1",
            "DELETE FROM call_alerts WHERE call_id = $1",
            "DELETE FROM call_room_events WHERE room_id = $1",
            "DELETE FROM call_rooms WHERE id = $1",
            "DELETE FROM outbox WHERE about = $1",
            "DELETE FROM calls WHERE id = $1",
        ] {
            sqlx::query(sql).bind(&id).execute(&mut *tx).await?;
        }
        audit::record(
            &mut tx,
            "system",
            "call.retention_delete",
            &id,
            "call past its retention period",
        )
        .await?;
        tx.commit().await?;
        calls += 1;
    }
    let caller_cutoff = now() - config.caller_retention_days as i64 * 24 * 3600;
    let idle: Vec<(String, String)> = sqlx::query_as(
        "SELECT c.id, c.account_id FROM callers c WHERE c.updated_at < $1 \
         AND NOT EXISTS (SELECT 1 FROM calls k WHERE k.main_caller = c.account_id) \
         AND NOT EXISTS (SELECT 1 FROM approved_contacts a WHERE a.account_id = c.account_id AND a.status = 'approved')",
    )
    .bind(caller_cutoff)
    .fetch_all(db.pool())
    .await?;
    let mut callers = 0;
    for (id, account) in idle {
        let mut tx = db.begin_write().await?;
        let requests: Vec<String> =
            sqlx::query_scalar("SELECT id FROM contact_requests WHERE caller_id = $1")
                .bind(&id)
                .fetch_all(&mut *tx)
                .await?;
        for r in &requests {
            for sql in [
                "DELETE FROM contact_request_events WHERE request_id = $1",
                "DELETE FROM outbox WHERE about = $1",
            ] {
                sqlx::query(sql).bind(r).execute(&mut *tx).await?;
            }
        }
        for sql in [
            "DELETE FROM contact_requests WHERE caller_id = $1",
            "DELETE FROM caller_events WHERE caller_id = $1",
            "DELETE FROM outbox WHERE about = $1",
            "DELETE FROM callers WHERE id = $1",
        ] {
            sqlx::query(sql).bind(&id).execute(&mut *tx).await?;
        }
        sqlx::query("UPDATE approved_contacts SET account_id = NULL WHERE account_id = $1")
            .bind(&account)
            .execute(&mut *tx)
            .await?;
        audit::record(
            &mut tx,
            "system",
            "caller.retention_delete",
            &id,
            "caller profile past its retention period",
        )
        .await?;
        tx.commit().await?;
        callers += 1;
    }
    Ok(Swept {
        documents,
        calls,
        callers,
    })
}
