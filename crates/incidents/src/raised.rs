//! Reports raised by the other systems: each security concern another
//! system publishes on the platform (the video-call system pausing a call
//! for an unapproved face, or staff ending one for a security reason)
//! becomes a draft report for that establishment, with the record's
//! reference, the time, the approved visitors and what triggered it. The
//! security team completes it or dismisses it (marks it not reportable).
//!
//! A second concern about the same record (the pause, then the end) is
//! added to the first's report rather than making another.

use platform::db::Db;
use platform::events::{self, SECURITY_CONCERN, SecurityConcern};
use platform::{Actor, Error, Result};

use crate::report::{self, NewReport};
use crate::types::{Answers, Given};

/// This system's name as a subscriber.
const SUBSCRIBER: &str = "incidents";

fn actor(concern: &SecurityConcern) -> Actor {
    Actor {
        id: "system".into(),
        name: format!("Lifeline ({})", concern.source.to_lowercase()),
    }
}

/// Acts on every concern not yet handled; returns how many reports it
/// raised or added to.
pub async fn run(db: &Db) -> Result<u64> {
    let mut n = 0;
    loop {
        let batch = events::pending(db, SUBSCRIBER, &[SECURITY_CONCERN], 50).await?;
        if batch.is_empty() {
            return Ok(n);
        }
        for event in &batch {
            let outcome = match event.payload::<SecurityConcern>() {
                Ok(concern) => raise(db, &event.id, &concern).await,
                Err(e) => Err(e),
            };
            match outcome {
                Ok(true) => n += 1,
                Ok(false) => {}
                // Details that cannot make a report (unreadable, or naming
                // no establishment we know) would be retried for ever:
                // take the event and say so loudly, rather than block the
                // rest behind it.
                Err(e @ (Error::Corrupt(_) | Error::Conflict(_))) => {
                    tracing::error!(event = %event.id, error = %e, "a security concern could not become a report");
                    let mut tx = db.begin_write().await?;
                    events::receive(&mut tx, SUBSCRIBER, &event.id, platform::now()).await?;
                    tx.commit().await?;
                }
                Err(e) => return Err(e),
            }
        }
    }
}

/// Makes (or adds to) the draft for one concern, on one transaction with
/// its receipt. `false` when another instance had already taken it.
pub async fn raise(db: &Db, event_id: &str, concern: &SecurityConcern) -> Result<bool> {
    let now = platform::now();
    let by = actor(concern);
    let source = format!("{} {}", concern.source, concern.reference);
    let mut tx = db.begin_write().await?;
    // Another instance took the event: `NotFound`, and nothing written.
    let done: Result<Option<String>> = async {
        if !events::receive(&mut tx, SUBSCRIBER, event_id, now).await? {
            return Err(Error::NotFound);
        }
        let existing: Option<String> =
            sqlx::query_scalar("SELECT id FROM incidents WHERE source = $1")
                .bind(&source)
                .fetch_optional(&mut *tx)
                .await?;
        let what = match concern.trigger.as_str() {
            "unapproved_face" => "someone not approved was seen",
            "ended_by_staff" => "ended by staff for a security reason",
            _ => "a security concern",
        };
        if let Some(id) = existing {
            report::addendum(
                &mut tx,
                &id,
                &format!("Later, at {}: {}", ui::when(concern.at), concern.summary),
                &by,
                now,
            )
            .await?;
            return Ok(None);
        }
        let occurred_at = chrono::DateTime::from_timestamp(concern.at.min(now), 0)
            .map(|d| d.naive_utc())
            .ok_or_else(|| Error::Corrupt(format!("a concern's time {}", concern.at)))?;
        let mut description = format!(
            "Raised automatically by the {} service.\n\n{}\n\nReference: {}",
            concern.source.to_lowercase(),
            concern.summary,
            concern.reference
        );
        if let Some(p) = &concern.prisoner_number {
            description.push_str(&format!("\nPrisoner: {p}"));
        }
        if !concern.visitors.is_empty() {
            description.push_str(&format!(
                "\nApproved visitors booked: {}",
                concern.visitors.join(", ")
            ));
        }
        let incident = report::create(
            &mut tx,
            &NewReport {
                type_code: "video_call".into(),
                establishment_id: concern.establishment_id.clone(),
                occurred_at,
                title: format!("{} {}: {what}", concern.source, concern.reference),
                description,
            },
            Some(&source),
            &by,
            now,
        )
        .await?;
        let mut answers = Answers::new();
        answers.insert(
            "call_reference".into(),
            vec![Given {
                answer: concern.reference.clone(),
                ..Given::default()
            }],
        );
        if matches!(concern.trigger.as_str(), "unapproved_face" | "ended_by_staff") {
            answers.insert(
                "trigger".into(),
                vec![Given {
                    answer: concern.trigger.clone(),
                    ..Given::default()
                }],
            );
        }
        for (q, given) in &answers {
            for g in given {
                sqlx::query(
                    "INSERT INTO incident_answers (incident_id, question, answer) VALUES ($1, $2, $3)",
                )
                .bind(&incident.id)
                .bind(q)
                .bind(&g.answer)
                .execute(&mut *tx)
                .await?;
            }
        }
        Ok(Some(incident.reference))
    }
    .await;
    match report::finish(tx, done).await {
        Ok(made) => {
            if let Some(reference) = made {
                tracing::info!(reference, source, "raised a draft incident report");
            }
            Ok(true)
        }
        Err(Error::NotFound) => Ok(false),
        Err(e) => Err(e),
    }
}
