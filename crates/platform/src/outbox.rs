//! The email outbox: every message is stored in the same transaction as the
//! change it reports, then a background worker hands it to the SMTP relay,
//! retrying with doubling delays. A message is never lost because the relay
//! was down, and never sent for a change that was rolled back.

use std::sync::Arc;
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::{AsyncTransport, Message, Tokio1Executor};
use serde::Serialize;
use sqlx::Row;
use tokio::sync::{Notify, watch};

use crate::config::SmtpConfig;
use crate::db::Db;
use crate::error::Result;
use crate::ids::new_id;
use crate::now;

/// Stores a message for sending.
///
/// `about` names the record the message concerns (a system deletes its
/// messages with the record when retention runs); `None` for messages about
/// the account itself, which are deleted 30 days after they are done.
pub async fn enqueue(
    conn: &mut sqlx::AnyConnection,
    about: Option<&str>,
    to: &str,
    subject: &str,
    body: &str,
) -> Result<()> {
    let t = now();
    sqlx::query(
        "INSERT INTO outbox (id, about, to_addr, subject, body, created_at, attempts, next_attempt_at, failed) \
         VALUES ($1, $2, $3, $4, $5, $6, 0, $6, 0)",
    )
    .bind(new_id())
    .bind(about.map(str::to_owned))
    .bind(to)
    .bind(subject)
    .bind(body)
    .bind(t)
    .execute(conn)
    .await?;
    Ok(())
}

/// A stored message, as the development outbox page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct OutboxMessage {
    /// Key.
    pub id: String,
    /// Recipient.
    pub to: String,
    /// Subject.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
    /// When stored.
    pub created_at: i64,
    /// Delivery attempts so far.
    pub attempts: i64,
    /// When delivered.
    pub sent_at: Option<i64>,
    /// Gave up after the last attempt.
    pub failed: bool,
    /// The relay's last complaint.
    pub last_error: Option<String>,
}

fn message_from_row(r: &sqlx::any::AnyRow) -> Result<OutboxMessage> {
    Ok(OutboxMessage {
        id: r.try_get("id")?,
        to: r.try_get("to_addr")?,
        subject: r.try_get("subject")?,
        body: r.try_get("body")?,
        created_at: r.try_get("created_at")?,
        attempts: r.try_get("attempts")?,
        sent_at: r.try_get("sent_at")?,
        failed: r.try_get::<i64, _>("failed")? != 0,
        last_error: r.try_get("last_error")?,
    })
}

const MESSAGE_COLUMNS: &str =
    "id, to_addr, subject, body, created_at, attempts, sent_at, failed, last_error";

/// The most recent messages, newest first.
pub async fn recent(db: &Db, limit: i64) -> Result<Vec<OutboxMessage>> {
    sqlx::query(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM outbox ORDER BY created_at DESC, id LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(message_from_row)
    .collect()
}

/// The messages about one record, oldest first.
pub async fn about(db: &Db, record: &str) -> Result<Vec<OutboxMessage>> {
    sqlx::query(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM outbox WHERE about = $1 ORDER BY created_at, id"
    ))
    .bind(record)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(message_from_row)
    .collect()
}

/// Messages not yet delivered (and not given up on).
pub async fn pending(db: &Db) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed = 0")
            .fetch_one(db.pool())
            .await?,
    )
}

/// Delivers due messages until `shutdown` turns true. `wake` cuts the wait
/// short when a message has just been stored.
pub async fn worker(
    db: Db,
    smtp: SmtpConfig,
    wake: Arc<Notify>,
    mut shutdown: watch::Receiver<bool>,
) {
    let transport: AsyncSmtpTransport<Tokio1Executor> =
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(smtp.host.as_str())
            .port(smtp.port)
            .timeout(Some(Duration::from_secs(10)))
            .build();
    let from: Option<Mailbox> = smtp.from.parse().ok();
    if from.is_none() {
        tracing::error!(from = %smtp.from, "smtp.from is not a valid address; mail will not be sent");
    }
    loop {
        if *shutdown.borrow() {
            break;
        }
        if let Some(from) = &from
            && let Err(e) = deliver_due(&db, &transport, from, &smtp).await
        {
            tracing::warn!(error = %e, "outbox pass failed");
        }
        tokio::select! {
            _ = wake.notified() => {}
            _ = tokio::time::sleep(Duration::from_millis(smtp.poll_millis)) => {}
            _ = shutdown.changed() => {}
        }
    }
}

/// How long an instance holds its claim on a message while it talks to
/// the relay; a claim left by an instance that died runs out after this.
const CLAIM_SECS: i64 = 120;

/// Claims up to 50 due messages for this instance. On PostgreSQL, rows
/// another instance is claiming at the same moment are skipped rather than
/// waited for (`FOR UPDATE SKIP LOCKED`), and the claim is a conditional
/// update, so each message is handed to the relay by one instance only.
/// SQLite is one process's database, whose writes queue anyway.
async fn claim(db: &Db) -> Result<Vec<sqlx::any::AnyRow>> {
    let t = now();
    let lock = match db.backend() {
        crate::db::Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        crate::db::Backend::Sqlite => "",
    };
    let sql = format!(
        "UPDATE outbox SET claimed_until = $1 WHERE id IN (\
           SELECT id FROM outbox WHERE sent_at IS NULL AND failed = 0 AND next_attempt_at <= $2 \
           AND (claimed_until IS NULL OR claimed_until < $2) ORDER BY created_at, id LIMIT 50{lock}) \
         AND (claimed_until IS NULL OR claimed_until < $2) \
         RETURNING id, to_addr, subject, body, attempts"
    );
    Ok(sqlx::query(&sql)
        .bind(t + CLAIM_SECS)
        .bind(t)
        .fetch_all(db.writer())
        .await?)
}

async fn deliver_due(
    db: &Db,
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    from: &Mailbox,
    smtp: &SmtpConfig,
) -> Result<()> {
    let rows = claim(db).await?;
    for r in rows {
        let id: String = r.try_get("id")?;
        let to: String = r.try_get("to_addr")?;
        let attempts: i64 = r.try_get::<i64, _>("attempts")? + 1;
        let outcome = match (to.parse::<Mailbox>(), ()) {
            (Ok(to_box), ()) => Message::builder()
                .from(from.clone())
                .to(to_box)
                .subject(r.try_get::<String, _>("subject")?)
                .body(r.try_get::<String, _>("body")?)
                .map_err(|e| e.to_string()),
            (Err(e), ()) => Err(format!("bad recipient: {e}")),
        };
        let result = match outcome {
            Ok(message) => transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => {
                sqlx::query("UPDATE outbox SET sent_at = $1, attempts = $2, last_error = NULL, claimed_until = NULL WHERE id = $3")
                    .bind(now())
                    .bind(attempts)
                    .bind(&id)
                    .execute(db.writer())
                    .await?;
                tracing::info!(message = %id, "email sent");
            }
            Err(error) => {
                let give_up = attempts >= i64::from(smtp.max_attempts);
                let delay = smtp
                    .retry_base_seconds
                    .saturating_mul(1 << (attempts - 1).clamp(0, 16))
                    as i64;
                sqlx::query(
                    "UPDATE outbox SET attempts = $1, next_attempt_at = $2, failed = $3, last_error = $4, claimed_until = NULL WHERE id = $5",
                )
                .bind(attempts)
                .bind(now() + delay)
                .bind(i64::from(give_up))
                .bind(&error)
                .bind(&id)
                .execute(db.writer())
                .await?;
                tracing::warn!(message = %id, attempts, give_up, %error, "email not sent");
            }
        }
    }
    Ok(())
}
