//! The live call: who may join a call's room and when, the staff's
//! controls, and the call's timeline.
//!
//! Media goes through a [`Relay`] (the media server the service starts);
//! this module decides, and the relay enforces: a paused room forwards
//! nothing whatever the clients do, and an ended one takes no one back.
//! The room opens `room_opens_minutes` before the slot and closes at its
//! end. Every decision is a line on the call's timeline, in the same
//! transaction as the room's state and the audit entry.

use chrono::{Duration, NaiveDateTime};
use platform::sessions::SessionUser;
use platform::workflow::State as _;
use platform::{Db, Error, Result, audit, now};
use serde::Serialize;

use crate::booking::{self, Call};
use crate::workflow::CallStatus;

/// The media server, as the calls system sees it: the server adapts the
/// `media` engine to it.
pub trait Relay: Send + Sync {
    /// Joins `participant` to `room` with the browser's offer; the answer.
    fn join(
        &self,
        room: &str,
        participant: &str,
        offer_sdp: &str,
    ) -> std::result::Result<String, String>;
    /// Stops forwarding media in the room, both ways.
    fn pause(&self, room: &str) -> std::result::Result<(), String>;
    /// Forwards again (and asks every sender for a keyframe).
    fn resume(&self, room: &str) -> std::result::Result<(), String>;
    /// Closes every connection of the room, for good.
    fn end(&self, room: &str) -> std::result::Result<(), String>;
}

/// Which side of a call someone is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The booked main caller.
    Caller,
    /// The prison's laptop, run by the establishment's calls staff.
    Prison,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Caller => "caller",
            Side::Prison => "prison",
        }
    }
}

/// Which side `user` may take on `call`: the main caller as the caller,
/// calls staff of the call's establishment as the prison; anyone else
/// none.
pub fn side_of(user: &SessionUser, call: &Call) -> Option<Side> {
    if user.kind == platform::accounts::Kind::Visitor && user.id == call.main_caller {
        Some(Side::Caller)
    } else if user.runs_calls_at(&call.establishment_id) {
        Some(Side::Prison)
    } else {
        None
    }
}

/// Where a live call stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Room {
    /// `waiting` (before the room opens), `open`, `paused` or `ended`.
    pub state: String,
    /// Why it is paused or ended, in words for both sides.
    pub reason: String,
    /// Seconds until the slot ends (negative once it has).
    pub seconds_left: i64,
}

/// The room's window: it opens `opens_minutes` before the slot starts and
/// closes when the slot ends.
pub fn window(call: &Call, opens_minutes: u32) -> (NaiveDateTime, NaiveDateTime) {
    let start = call.starts();
    (
        start - Duration::minutes(opens_minutes as i64),
        start + Duration::minutes(call.minutes),
    )
}

/// The room's state at `at`.
pub async fn room(db: &Db, call: &Call, opens_minutes: u32, at: NaiveDateTime) -> Result<Room> {
    let (opens, closes) = window(call, opens_minutes);
    let stored: Option<(String, String)> =
        sqlx::query_as("SELECT state, reason FROM call_rooms WHERE call_id = $1")
            .bind(&call.id)
            .fetch_optional(db.pool())
            .await?;
    let seconds_left = (closes - at).num_seconds();
    let (state, reason) = match stored {
        Some((s, r)) if s == "ended" || s == "paused" => (s, r),
        _ if call.status != CallStatus::Booked => (
            "ended".to_owned(),
            format!("The call is {}", call.status.label().to_lowercase()),
        ),
        _ if at < opens => (
            "waiting".to_owned(),
            format!("The call opens at {}", opens.format("%H:%M on %A %-d %B")),
        ),
        _ if at >= closes => ("ended".to_owned(), "The booked time is over".to_owned()),
        Some((s, r)) => (s, r),
        None => ("open".to_owned(), String::new()),
    };
    Ok(Room {
        state,
        reason,
        seconds_left,
    })
}

/// One line of a call's timeline.
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub at: i64,
    pub kind: String,
    pub detail: String,
}

/// Writes a timeline line on `conn`.
pub async fn record(
    conn: &mut sqlx::AnyConnection,
    call_id: &str,
    actor: &str,
    kind: &str,
    detail: &str,
    shared: bool,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO call_timeline (id, call_id, at, actor, kind, detail, shared) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(platform::ids::new_id())
    .bind(call_id)
    .bind(now())
    .bind(actor)
    .bind(kind)
    .bind(detail)
    .bind(i64::from(shared))
    .execute(conn)
    .await?;
    Ok(())
}

/// A call's timeline, oldest first: all of it for staff, the shared lines
/// for the family.
pub async fn timeline(db: &Db, call_id: &str, staff: bool) -> Result<Vec<Event>> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT at, kind, detail FROM call_timeline WHERE call_id = $1 AND (shared = 1 OR $2 = 1) ORDER BY at, id",
    )
    .bind(call_id)
    .bind(i64::from(staff))
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(at, kind, detail)| Event { at, kind, detail })
        .collect())
}

/// Joins `user`'s side to the call's room with the browser's offer and
/// returns the answer. Refused (and audited) for anyone not on the call,
/// before the room opens, after it closes, or once it has ended.
pub async fn join(
    db: &Db,
    relay: &dyn Relay,
    call: &Call,
    user: &SessionUser,
    opens_minutes: u32,
    at: NaiveDateTime,
    offer: &str,
) -> Result<String> {
    let Some(side) = side_of(user, call) else {
        audit::log(
            db,
            &user.id,
            "call.join_refused",
            &call.id,
            "not on the call",
        )
        .await?;
        return Err(Error::Forbidden);
    };
    let r = room(db, call, opens_minutes, at).await?;
    if r.state == "waiting" || r.state == "ended" {
        audit::log(db, &user.id, "call.join_refused", &call.id, &r.state).await?;
        return Err(Error::Conflict(r.reason));
    }
    let answer = relay
        .join(&call.id, side.as_str(), offer)
        .map_err(|e| Error::Conflict(format!("the call could not connect: {e}")))?;
    // Paused before this side (re)joined: the media server learns it now.
    if r.state == "paused" {
        relay
            .pause(&call.id)
            .map_err(|e| Error::Conflict(format!("the call could not be held paused: {e}")))?;
    }
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO call_rooms (call_id, state, reason, updated_at) VALUES ($1, 'open', '', $2) \
         ON CONFLICT (call_id) DO NOTHING",
    )
    .bind(&call.id)
    .bind(now())
    .execute(&mut *tx)
    .await?;
    let who = match side {
        Side::Caller => "The caller joined",
        Side::Prison => "The prison joined",
    };
    record(&mut tx, &call.id, &user.id, "joined", who, true).await?;
    audit::record(&mut tx, &user.id, "call.join", &call.id, side.as_str()).await?;
    tx.commit().await?;
    Ok(answer)
}

/// A staff control on a live call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    Pause,
    Resume,
    End,
}

impl Control {
    pub fn parse(s: &str) -> Option<Control> {
        match s {
            "pause" => Some(Control::Pause),
            "resume" => Some(Control::Resume),
            "end" => Some(Control::End),
            _ => None,
        }
    }
}

/// Pauses, resumes or ends a live call: the relay enforces it, and the
/// room's state, the timeline line and the audit entry are written
/// together. An ended room stays ended.
pub async fn control(
    db: &Db,
    relay: &dyn Relay,
    call: &Call,
    what: Control,
    reason: &str,
    by: &str,
) -> Result<()> {
    let current: Option<String> =
        sqlx::query_scalar("SELECT state FROM call_rooms WHERE call_id = $1")
            .bind(&call.id)
            .fetch_optional(db.pool())
            .await?;
    if current.as_deref() == Some("ended") {
        return Err(Error::Conflict("the call has ended".into()));
    }
    let (state, kind, words) = match what {
        Control::Pause => (
            "paused",
            "paused",
            if reason.trim().is_empty() {
                "Paused by prison staff".to_owned()
            } else {
                format!("Paused by prison staff: {}", reason.trim())
            },
        ),
        Control::Resume => ("open", "resumed", "Resumed".to_owned()),
        Control::End => ("ended", "ended", "Ended by prison staff".to_owned()),
    };
    let relayed = match what {
        Control::Pause => relay.pause(&call.id),
        Control::Resume => relay.resume(&call.id),
        Control::End => relay.end(&call.id),
    };
    // A room nobody has joined yet is not on the media server: the state
    // stands on its own and applies when they join.
    if let Err(e) = relayed {
        tracing::info!(call = %call.id, error = %e, "relay control on a room not yet open");
    }
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO call_rooms (call_id, state, reason, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (call_id) DO UPDATE SET state = $2, reason = $3, updated_at = $4",
    )
    .bind(&call.id)
    .bind(state)
    .bind(if what == Control::Resume { "" } else { &words })
    .bind(now())
    .execute(&mut *tx)
    .await?;
    record(&mut tx, &call.id, by, kind, &words, true).await?;
    audit::record(&mut tx, by, &format!("call.{kind}"), &call.id, &words).await?;
    tx.commit().await?;
    Ok(())
}

/// The calls of an establishment whose rooms are open at `at` (or about
/// to be), for the monitoring terminal.
pub async fn live_at(
    db: &Db,
    establishment_id: &str,
    opens_minutes: u32,
    at: NaiveDateTime,
) -> Result<Vec<(Call, Room)>> {
    let today = at.date();
    let calls = booking::at_establishment(db, establishment_id, today, today).await?;
    let mut out = Vec::new();
    for c in calls {
        if c.status != CallStatus::Booked {
            continue;
        }
        let (opens, closes) = window(&c, opens_minutes);
        if at >= opens - Duration::minutes(30) && at < closes + Duration::minutes(5) {
            let r = room(db, &c, opens_minutes, at).await?;
            out.push((c, r));
        }
    }
    Ok(out)
}

/// Writes one line on a call's timeline in its own transaction: for what
/// the media server reports (connections made, dropped, restored). Rooms
/// are named by call key; a room that is no call is ignored.
pub async fn note(db: &Db, call_id: &str, kind: &str, detail: &str, shared: bool) -> Result<()> {
    let known: Option<String> = sqlx::query_scalar("SELECT id FROM calls WHERE id = $1")
        .bind(call_id)
        .fetch_optional(db.pool())
        .await?;
    if known.is_none() {
        return Ok(());
    }
    let mut tx = db.begin_write().await?;
    record(&mut tx, call_id, "system", kind, detail, shared).await?;
    tx.commit().await?;
    Ok(())
}

/// Ends, on the media server too, every room whose booked time is over:
/// a call does not run on past its slot because nobody pressed "end".
/// Returns how many rooms it ended.
pub async fn close_due(
    db: &Db,
    relay: &dyn Relay,
    opens_minutes: u32,
    at: NaiveDateTime,
) -> Result<u64> {
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT r.call_id FROM call_rooms r WHERE r.state IN ('open', 'paused')",
    )
    .fetch_all(db.pool())
    .await?;
    let mut n = 0;
    for id in rows {
        let call = match booking::get(db, &id).await {
            Ok(c) => c,
            Err(Error::NotFound) => continue,
            Err(e) => return Err(e),
        };
        let (_, closes) = window(&call, opens_minutes);
        if at < closes {
            continue;
        }
        if let Err(e) = relay.end(&id) {
            tracing::info!(call = %id, error = %e, "ending a room the media server no longer holds");
        }
        let mut tx = db.begin_write().await?;
        let done = sqlx::query(
            "UPDATE call_rooms SET state = 'ended', reason = 'The booked time is over', updated_at = $1 \
             WHERE call_id = $2 AND state IN ('open', 'paused')",
        )
        .bind(now())
        .bind(&id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 1 {
            record(
                &mut tx,
                &id,
                "system",
                "ended",
                "Ended at the booked time",
                true,
            )
            .await?;
            audit::record(&mut tx, "system", "call.ended_on_time", &id, "").await?;
            n += 1;
        }
        tx.commit().await?;
    }
    Ok(n)
}

/// After the service restarts, every room it had open lost its
/// connections: each such call gets a line on its timeline (the pages
/// reconnect by themselves; a paused call stays paused when they do).
/// Returns how many calls were marked.
pub async fn after_restart(db: &Db) -> Result<u64> {
    let open: Vec<String> =
        sqlx::query_scalar("SELECT call_id FROM call_rooms WHERE state IN ('open', 'paused')")
            .fetch_all(db.pool())
            .await?;
    let mut n = 0;
    for id in open {
        note(
            db,
            &id,
            "interrupted",
            "The service restarted: the call reconnects",
            true,
        )
        .await?;
        n += 1;
    }
    Ok(n)
}
