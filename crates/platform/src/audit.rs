//! The audit log: every staff view of personal data, every export and every
//! deletion, with who and when; every access to individual-level data with
//! why. An entry that records a change is written with [`record`] on the
//! change's own transaction, so the two commit or roll back together;
//! [`log`] is for views, which change nothing. Entries name records by key and never
//! hold personal data themselves, so the log can outlive what it describes.
//!
//! The log is append-only, and the database enforces it: triggers refuse
//! every UPDATE and DELETE on `audit_log` (and TRUNCATE on PostgreSQL).

use serde::Serialize;
use sqlx::Row;

use crate::db::Db;
use crate::error::Result;
use crate::ids::new_id;
use crate::now;

/// Writes an entry.
pub async fn record(
    conn: &mut sqlx::AnyConnection,
    actor: &str,
    action: &str,
    subject: &str,
    detail: &str,
) -> Result<()> {
    record_at(conn, now(), actor, action, subject, detail).await
}

/// Writes an entry dated `at` (the Data Lab dates its entries by the
/// service's clock, which tests move forward).
pub async fn record_at(
    conn: &mut sqlx::AnyConnection,
    at: i64,
    actor: &str,
    action: &str,
    subject: &str,
    detail: &str,
) -> Result<()> {
    sqlx::query("INSERT INTO audit_log (id, at, actor, action, subject, detail) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(new_id())
        .bind(at)
        .bind(actor)
        .bind(action)
        .bind(subject)
        .bind(detail)
        .execute(conn)
        .await?;
    Ok(())
}

/// The audit line a change will write, handed to the store function that
/// makes the change, which records it on the change's own transaction.
#[derive(Debug, Clone)]
pub struct Line<'a> {
    /// Who (account key, or "system").
    pub actor: &'a str,
    /// What kind of action, dotted ("establishment.settings").
    pub action: &'a str,
    /// Which record.
    pub subject: &'a str,
    /// What, without personal data.
    pub detail: String,
}

impl Line<'_> {
    /// Writes the line on `conn` (the change's transaction).
    pub async fn record(&self, conn: &mut sqlx::AnyConnection) -> Result<()> {
        record(conn, self.actor, self.action, self.subject, &self.detail).await
    }
}

/// Writes an entry outside any transaction: for views, which change
/// nothing. A change's line goes through [`Line`] or [`record`] on the
/// change's transaction.
pub async fn log(db: &Db, actor: &str, action: &str, subject: &str, detail: &str) -> Result<()> {
    log_at(db, now(), actor, action, subject, detail).await
}

/// Writes an entry dated `at` outside any transaction.
pub async fn log_at(
    db: &Db,
    at: i64,
    actor: &str,
    action: &str,
    subject: &str,
    detail: &str,
) -> Result<()> {
    let mut conn = db.writer().acquire().await?;
    record_at(&mut conn, at, actor, action, subject, detail).await
}

/// An entry.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// When.
    pub at: i64,
    /// Who (account key, or "system").
    pub actor: String,
    /// What kind of action, dotted ("visit.view").
    pub action: String,
    /// Which record.
    pub subject: String,
    /// What, without personal data.
    pub detail: String,
}

/// The latest entries, newest first; only those about `subject` if given.
pub async fn recent(db: &Db, subject: Option<&str>, limit: i64) -> Result<Vec<Entry>> {
    let rows = match subject {
        Some(s) => {
            sqlx::query("SELECT at, actor, action, subject, detail FROM audit_log WHERE subject = $1 ORDER BY at DESC, id LIMIT $2")
                .bind(s)
                .bind(limit)
                .fetch_all(db.pool())
                .await?
        }
        None => {
            sqlx::query("SELECT at, actor, action, subject, detail FROM audit_log ORDER BY at DESC, id LIMIT $1")
                .bind(limit)
                .fetch_all(db.pool())
                .await?
        }
    };
    rows.iter().map(entry_from_row).collect()
}

fn entry_from_row(r: &sqlx::any::AnyRow) -> Result<Entry> {
    Ok(Entry {
        at: r.try_get("at")?,
        actor: r.try_get("actor")?,
        action: r.try_get("action")?,
        subject: r.try_get("subject")?,
        detail: r.try_get("detail")?,
    })
}

/// The latest entries whose action starts with `prefix`, newest first.
pub async fn recent_with_prefix(db: &Db, prefix: &str, limit: i64) -> Result<Vec<Entry>> {
    let rows = sqlx::query("SELECT at, actor, action, subject, detail FROM audit_log WHERE action LIKE $1 ORDER BY at DESC, id DESC LIMIT $2")
        .bind(format!("{prefix}%"))
        .bind(limit)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(entry_from_row).collect()
}

/// How many entries record `action` (optionally about `subject`).
pub async fn count(db: &Db, action: &str, subject: Option<&str>) -> Result<i64> {
    Ok(match subject {
        Some(s) => {
            sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1 AND subject = $2")
                .bind(action)
                .bind(s)
                .fetch_one(db.pool())
                .await?
        }
        None => {
            sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1")
                .bind(action)
                .fetch_one(db.pool())
                .await?
        }
    })
}
