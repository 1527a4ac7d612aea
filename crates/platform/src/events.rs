//! Events: how one system tells another that something happened without
//! importing it (the video-call system pausing a call for an unapproved
//! face; the incidents system raising a draft report from it).
//!
//! The publisher writes the event with [`publish`] on the transaction of
//! the change it reports, so an event exists exactly when the change
//! committed. A subscriber asks for what it has not yet handled
//! ([`pending`]) and handles each event on a transaction of its own that
//! starts with [`receive`]: the receipt's primary key lets only one
//! instance act on an event, and a handler that fails rolls its receipt
//! back with its work, so the event is tried again.
//!
//! Events may name people (a call's visitors), so they are kept only
//! [`KEEP_DAYS`] days ([`sweep`]), long enough for every subscriber to
//! have acted on them.

use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::Row;

use crate::db::Db;
use crate::error::{Error, Result};
use crate::ids::new_id;

/// Days an event and its receipts are kept.
pub const KEEP_DAYS: i64 = 30;

/// One published event.
#[derive(Debug, Clone)]
pub struct Event {
    pub id: String,
    /// What happened, `system.what` ("calls.security").
    pub topic: String,
    /// The record it is about (a call's key).
    pub subject: String,
    /// Its details, as JSON.
    pub payload: String,
    /// When.
    pub at: i64,
}

impl Event {
    /// The details as the publisher's type.
    pub fn payload<T: DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_str(&self.payload).map_err(|e| {
            Error::Corrupt(format!(
                "event {} ({}) has unreadable details: {e}",
                self.id, self.topic
            ))
        })
    }
}

/// Publishes an event on the change's own transaction.
pub async fn publish(
    conn: &mut sqlx::AnyConnection,
    topic: &str,
    subject: &str,
    payload: &impl Serialize,
    at: i64,
) -> Result<()> {
    let payload = serde_json::to_string(payload)
        .map_err(|e| Error::Corrupt(format!("an event's details: {e}")))?;
    sqlx::query(
        "INSERT INTO platform_events (id, topic, subject, payload, at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(new_id())
    .bind(topic)
    .bind(subject)
    .bind(payload)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Up to `limit` events on `topics` that `subscriber` has not handled,
/// oldest first.
pub async fn pending(db: &Db, subscriber: &str, topics: &[&str], limit: i64) -> Result<Vec<Event>> {
    let mut out = Vec::new();
    for topic in topics {
        let rows = sqlx::query(
            "SELECT id, topic, subject, payload, at FROM platform_events e \
             WHERE topic = $1 AND NOT EXISTS \
             (SELECT 1 FROM event_receipts r WHERE r.subscriber = $2 AND r.event_id = e.id) \
             ORDER BY at, id LIMIT $3",
        )
        .bind(*topic)
        .bind(subscriber)
        .bind(limit)
        .fetch_all(db.pool())
        .await?;
        for r in rows {
            out.push(Event {
                id: r.try_get("id")?,
                topic: r.try_get("topic")?,
                subject: r.try_get("subject")?,
                payload: r.try_get("payload")?,
                at: r.try_get("at")?,
            });
        }
    }
    out.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
    out.truncate(limit.max(0) as usize);
    Ok(out)
}

/// Takes `event_id` for `subscriber` on the handler's transaction: `false`
/// when another instance already has (the handler then does nothing).
pub async fn receive(
    conn: &mut sqlx::AnyConnection,
    subscriber: &str,
    event_id: &str,
    at: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO event_receipts (subscriber, event_id, at) VALUES ($1, $2, $3) \
         ON CONFLICT (subscriber, event_id) DO NOTHING",
    )
    .bind(subscriber)
    .bind(event_id)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes events (and their receipts) older than [`KEEP_DAYS`] at `now`.
pub async fn sweep(db: &Db, now: i64) -> Result<u64> {
    let before = now - KEEP_DAYS * 24 * 3600;
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "DELETE FROM event_receipts WHERE event_id IN (SELECT id FROM platform_events WHERE at < $1)",
    )
    .bind(before)
    .execute(&mut *tx)
    .await?;
    let n = sqlx::query("DELETE FROM platform_events WHERE at < $1")
        .bind(before)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(n)
}

/// The topic of [`SecurityConcern`]s.
pub const SECURITY_CONCERN: &str = "security.concern";

/// A security concern one system raises for the security team: the
/// incidents system makes a draft report of each.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SecurityConcern {
    /// What raised it, as staff read it ("Video call").
    pub source: String,
    /// The raising record's reference ("VC-7KQ2-9XMD").
    pub reference: String,
    /// Where (registry key).
    pub establishment_id: String,
    /// When it happened.
    pub at: i64,
    /// What triggered it, as a code the incidents system's type answers
    /// ("unapproved_face", "ended_by_staff").
    pub trigger: String,
    /// What happened, in words.
    pub summary: String,
    /// The prisoner concerned, by prison number.
    pub prisoner_number: Option<String>,
    /// The approved visitors booked on it, by name.
    pub visitors: Vec<String>,
}
