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
use platform::accounts::Actor;
use platform::sessions::SessionUser;
use platform::workflow::{Change, State as _, Step};
use platform::{Db, Error, Result, audit, now};
use serde::Serialize;

use crate::booking::{self, Call};
use crate::workflow::{self, CallStatus, ROOM, RoomStatus};

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
    /// Asks `participant` for a keyframe and returns the first one to
    /// arrive within `within`, decoded: what the server itself relays.
    /// `None` when they send no video (yet); an error when the room is
    /// gone. Blocks: call it from a blocking thread.
    fn snapshot(
        &self,
        room: &str,
        participant: &str,
        within: std::time::Duration,
    ) -> std::result::Result<Option<face::RgbImage>, String>;
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
        sqlx::query_as("SELECT status, reason FROM call_rooms WHERE id = $1")
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

/// Joins `user`'s side to the call's room on this `node`'s media server
/// with the browser's offer and returns the answer. Refused (and audited)
/// for anyone not on the call, before the room opens, after it closes, or
/// once it has ended; refused too while another live node holds the room
/// (the load balancer sends a call's signalling to one node; see the
/// README). With `watch`, the establishment's calls staff join as a
/// monitoring terminal that only receives; anyone else is refused.
#[allow(clippy::too_many_arguments)]
pub async fn join(
    db: &Db,
    relay: &dyn Relay,
    node: &str,
    call: &Call,
    user: &SessionUser,
    opens_minutes: u32,
    at: NaiveDateTime,
    offer: &str,
    watch: bool,
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
    // Approval can be suspended or withdrawn after the booking: the caller
    // must still be on the prisoner's list on the day of the call.
    if side == Side::Caller && !watch {
        let mut conn = db.pool().acquire().await?;
        let approved =
            platform::contacts::account_approved(&mut conn, &call.prisoner_id, &user.id, call.date)
                .await?;
        drop(conn);
        if !approved {
            audit::log(db, &user.id, "call.join_refused", &call.id, "not approved").await?;
            return Err(Error::Conflict(format!(
                "you are no longer approved to call {}: contact the prison",
                call.prisoner
            )));
        }
    }
    if watch && side != Side::Prison {
        audit::log(
            db,
            &user.id,
            "call.join_refused",
            &call.id,
            "watch: not staff",
        )
        .await?;
        return Err(Error::Forbidden);
    }
    pin(db, &call.id, node, &user.id).await?;
    // A monitoring terminal is a participant of its own, one per member of
    // staff, that receives both sides and sends nothing.
    let participant = if watch {
        format!("watch-{}", user.id)
    } else {
        side.as_str().to_owned()
    };
    let answer = relay
        .join(&call.id, &participant, offer)
        .map_err(|e| Error::Conflict(format!("the call could not connect: {e}")))?;
    // Paused before this side (re)joined: the media server learns it now.
    if r.state == "paused" {
        relay
            .pause(&call.id)
            .map_err(|e| Error::Conflict(format!("the call could not be held paused: {e}")))?;
    }
    let mut tx = db.begin_write().await?;
    if watch {
        record(
            &mut tx,
            &call.id,
            &user.id,
            "watching",
            &format!("{} started watching", user.name),
            false,
        )
        .await?;
        audit::record(
            &mut tx,
            &user.id,
            "call.watch",
            &call.id,
            "monitoring terminal",
        )
        .await?;
        tx.commit().await?;
        return Ok(answer);
    }
    give_back_interruption(&mut tx, call, at).await?;
    let who = match side {
        Side::Caller => "The caller joined",
        Side::Prison => "The prison joined",
    };
    record(&mut tx, &call.id, &user.id, "joined", who, true).await?;
    audit::record(&mut tx, &user.id, "call.join", &call.id, side.as_str()).await?;
    tx.commit().await?;
    Ok(answer)
}

/// A TURN username and password for `user` until `expires` (a Unix
/// time), in the REST form coturn checks with `use-auth-secret`: the
/// username is `expires:user`, the password the base64 of its HMAC-SHA1
/// under the shared secret. Nothing is stored: the relay recomputes it.
pub fn turn_credentials(secret: &str, user: &str, expires: i64) -> (String, String) {
    use base64::Engine as _;
    use hmac::Mac as _;
    let username = format!("{expires}:{user}");
    let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(username.as_bytes());
    let password = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    (username, password)
}

/// The ICE servers a call page gives its browser: the configured TURN
/// relays, with credentials for `user` when a secret is set.
pub fn ice_servers(
    urls: &[String],
    secret: Option<&str>,
    user: &str,
    call: &Call,
) -> serde_json::Value {
    if urls.is_empty() {
        return serde_json::json!([]);
    }
    match secret {
        Some(secret) => {
            let expires = call.starts().and_utc().timestamp() + call.minutes * 60 + 3600;
            let (username, credential) = turn_credentials(secret, user, expires);
            serde_json::json!([{ "urls": urls, "username": username, "credential": credential }])
        }
        None => serde_json::json!([{ "urls": urls }]),
    }
}

/// A staff control on a live call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    Pause,
    Resume,
    /// Resume a call the face check paused in error.
    FalseAlarm,
    End,
    /// End the call because of a security concern: the security team
    /// gets a draft incident report of it.
    EndSecurity,
}

impl Control {
    pub fn parse(s: &str) -> Option<Control> {
        match s {
            "pause" => Some(Control::Pause),
            "resume" => Some(Control::Resume),
            "false-alarm" => Some(Control::FalseAlarm),
            "end" => Some(Control::End),
            "end-security" => Some(Control::EndSecurity),
            _ => None,
        }
    }
}

/// Makes the room's row on first use: a control before anyone joined
/// applies when they do.
async fn ensure_room(conn: &mut sqlx::AnyConnection, call_id: &str, actor: &str) -> Result<()> {
    let made = sqlx::query(
        "INSERT INTO call_rooms (id, status, reason, updated_at) VALUES ($1, 'open', '', $2) \
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(call_id)
    .bind(now())
    .execute(&mut *conn)
    .await?;
    if made.rows_affected() == 1 {
        ROOM.record(
            conn,
            &Step {
                id: call_id,
                actor,
                at: now(),
                from: None,
                to: RoomStatus::Open,
                detail: "Room opened",
            },
        )
        .await?;
    }
    Ok(())
}

/// How long a node may go unheard before its rooms may move (seconds).
pub const NODE_TIMEOUT: i64 = 30;

/// Pins the room to `node`: made here if new, kept if already here, moved
/// here if the node holding it has gone silent; refused if that node is
/// alive.
async fn pin(db: &Db, call_id: &str, node: &str, actor: &str) -> Result<()> {
    let mut tx = db.begin_write().await?;
    ensure_room(&mut tx, call_id, actor).await?;
    let held: Option<String> = sqlx::query_scalar("SELECT node FROM call_rooms WHERE id = $1")
        .bind(call_id)
        .fetch_one(&mut *tx)
        .await?;
    match held {
        Some(h) if h == node => {}
        None => {
            sqlx::query("UPDATE call_rooms SET node = $1 WHERE id = $2 AND node IS NULL")
                .bind(node)
                .bind(call_id)
                .execute(&mut *tx)
                .await?;
        }
        Some(other) => {
            let seen: Option<i64> =
                sqlx::query_scalar("SELECT seen_at FROM call_nodes WHERE id = $1")
                    .bind(&other)
                    .fetch_optional(&mut *tx)
                    .await?;
            if seen.is_some_and(|s| s > now() - NODE_TIMEOUT) {
                return Err(Error::Conflict(format!(
                    "the call is held by another media server ({other}): connect again in a moment"
                )));
            }
            let moved = sqlx::query("UPDATE call_rooms SET node = $1 WHERE id = $2 AND node = $3")
                .bind(node)
                .bind(call_id)
                .bind(&other)
                .execute(&mut *tx)
                .await?;
            if moved.rows_affected() == 1 {
                let words =
                    format!("Moved from media server {other}, which stopped answering, to {node}");
                record(&mut tx, call_id, "system", "moved", &words, false).await?;
                audit::record(&mut tx, "system", "call.moved", call_id, &words).await?;
            }
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Registers this node's media server (its UDP address) as alive.
pub async fn register_node(db: &Db, node: &str, address: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO call_nodes (id, address, started_at, seen_at) VALUES ($1, $2, $3, $3) \
         ON CONFLICT (id) DO UPDATE SET address = $2, started_at = $3, seen_at = $3",
    )
    .bind(node)
    .bind(address)
    .bind(now())
    .execute(db.writer())
    .await?;
    Ok(())
}

/// Says this node is alive, and applies to its media server the state of
/// every room it holds: a pause, resume or end made through another
/// instance (or a job) reaches the node that relays the call within a
/// tick. `applied` remembers what this node's media server was last told.
pub async fn tick_node(
    db: &Db,
    relay: &dyn Relay,
    node: &str,
    applied: &std::sync::Mutex<std::collections::HashMap<String, String>>,
) -> Result<u64> {
    sqlx::query("UPDATE call_nodes SET seen_at = $1 WHERE id = $2")
        .bind(now())
        .bind(node)
        .execute(db.writer())
        .await?;
    let rooms: Vec<(String, String)> = sqlx::query_as(
        "SELECT id, status FROM call_rooms WHERE node = $1 AND (status <> 'ended' OR updated_at > $2)",
    )
    .bind(node)
    .bind(now() - 300)
    .fetch_all(db.pool())
    .await?;
    // Forget rooms no longer held or long ended, so that the memory stays
    // the size of the node's live calls.
    applied
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .retain(|id, _| rooms.iter().any(|(r, _)| r == id));
    let mut changed = 0;
    for (id, status) in rooms {
        let before = applied
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id.clone(), status.clone());
        if before.as_deref() == Some(status.as_str()) {
            continue;
        }
        let told = match status.as_str() {
            "paused" => relay.pause(&id),
            "ended" => relay.end(&id),
            // A room first seen open needs nothing; one that was paused
            // resumes.
            _ if before.is_some() => relay.resume(&id),
            _ => Ok(()),
        };
        if let Err(e) = told {
            tracing::debug!(call = %id, error = %e, "applying a room's state to the media server");
        }
        changed += 1;
    }
    Ok(changed)
}

/// Gives `minutes` of `call` back to the prisoner's allowance, on `conn`.
async fn give_back(
    conn: &mut sqlx::AnyConnection,
    call: &Call,
    minutes: i64,
    why: &str,
) -> Result<()> {
    if minutes <= 0 {
        return Ok(());
    }
    let month = booking::month_of(call.date);
    sqlx::query(
        "UPDATE call_allowance SET used_minutes = CASE WHEN used_minutes > $1 THEN used_minutes - $1 ELSE 0 END \
         WHERE prisoner_id = $2 AND month = $3",
    )
    .bind(minutes)
    .bind(&call.prisoner_id)
    .bind(&month)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE call_rooms SET refunded_minutes = refunded_minutes + $1 WHERE id = $2")
        .bind(minutes)
        .bind(&call.id)
        .execute(&mut *conn)
        .await?;
    let words = format!(
        "{minutes} minute{} lost to {why} given back to the allowance",
        if minutes == 1 { "" } else { "s" }
    );
    record(conn, &call.id, "system", "refund", &words, true).await?;
    audit::record(conn, "system", "call.refund", &call.id, &words).await?;
    Ok(())
}

/// Minutes (rounded up) from `from` until `to`, within the call's slot.
fn lost_minutes(call: &Call, from: i64, to: i64) -> i64 {
    let slot_start = call.starts().and_utc().timestamp();
    let slot_end = slot_start + call.minutes * 60;
    let lost = to.min(slot_end) - from.max(slot_start);
    if lost <= 0 { 0 } else { (lost + 59) / 60 }
}

/// The first side back after a restart ends the interruption: the minutes
/// the service was away go back to the allowance.
async fn give_back_interruption(
    conn: &mut sqlx::AnyConnection,
    call: &Call,
    at: NaiveDateTime,
) -> Result<()> {
    let since: Option<Option<i64>> =
        sqlx::query_scalar("SELECT interrupted_at FROM call_rooms WHERE id = $1")
            .bind(&call.id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(since) = since.flatten() else {
        return Ok(());
    };
    let cleared = sqlx::query(
        "UPDATE call_rooms SET interrupted_at = NULL WHERE id = $1 AND interrupted_at = $2",
    )
    .bind(&call.id)
    .bind(since)
    .execute(&mut *conn)
    .await?;
    if cleared.rows_affected() == 1 {
        let minutes = lost_minutes(call, since, at.and_utc().timestamp());
        give_back(conn, call, minutes, "the service restarting").await?;
    }
    Ok(())
}

/// Pauses, resumes or ends a live call through the [`ROOM`] table: the
/// room's state, its history, the timeline line and the audit entry are
/// written together, and the relay enforces the change before they
/// commit. An ended room stays ended. A false alarm gives the paused
/// minutes back to the allowance.
pub async fn control(
    db: &Db,
    relay: &dyn Relay,
    call: &Call,
    what: Control,
    reason: &str,
    by: &Actor,
) -> Result<()> {
    let reason = reason.trim();
    let (action, kind, words) = match what {
        Control::Pause => (
            workflow::PAUSE,
            "paused",
            if reason.is_empty() {
                "Paused by prison staff".to_owned()
            } else {
                format!("Paused by prison staff: {reason}")
            },
        ),
        Control::Resume => (workflow::RESUME, "resumed", "Resumed".to_owned()),
        Control::FalseAlarm => (
            workflow::FALSE_ALARM,
            "resumed",
            "Resumed: prison staff found the pause was a mistake".to_owned(),
        ),
        Control::End => (workflow::END, "ended", "Ended by prison staff".to_owned()),
        Control::EndSecurity => (
            workflow::END,
            "ended",
            "Ended by prison staff for a security reason".to_owned(),
        ),
    };
    let at = now();
    let mut tx = db.begin_write().await?;
    ensure_room(&mut tx, &call.id, &by.id).await?;
    let stored_reason = if matches!(what, Control::Resume | Control::FalseAlarm) {
        String::new()
    } else {
        words.clone()
    };
    ROOM.apply(
        &mut tx,
        &Change::new(&call.id, action, by, at, &words).set("reason", stored_reason),
    )
    .await
    .map_err(|e| match e {
        Error::Conflict(_) => Error::Conflict(
            match what {
                Control::Resume | Control::FalseAlarm => "the call is not paused",
                Control::Pause => "the call is not live",
                Control::End | Control::EndSecurity => "the call has already ended",
            }
            .into(),
        ),
        e => e,
    })?;
    record(&mut tx, &call.id, &by.id, kind, &words, true).await?;
    let alert: Option<(String, i64)> = sqlx::query_as(
        "SELECT id, at FROM call_alerts WHERE call_id = $1 AND outcome = 'open' ORDER BY at DESC LIMIT 1",
    )
    .bind(&call.id)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some((alert, alert_at)) = alert
        && what != Control::Pause
    {
        let outcome = match what {
            Control::FalseAlarm => "false_alarm",
            Control::End | Control::EndSecurity => "ended",
            _ => "resumed",
        };
        sqlx::query(
            "UPDATE call_alerts SET outcome = $1, reviewed_by = $2, reviewed_at = $3 WHERE id = $4",
        )
        .bind(outcome)
        .bind(&by.id)
        .bind(at)
        .bind(&alert)
        .execute(&mut *tx)
        .await?;
        match what {
            Control::FalseAlarm => {
                give_back(
                    &mut tx,
                    call,
                    lost_minutes(call, alert_at, at),
                    "a pause raised in error",
                )
                .await?;
            }
            Control::End | Control::EndSecurity => {
                let words = "Ended by prison staff after an unapproved face paused the call";
                record(&mut tx, &call.id, &by.id, "security", words, false).await?;
                raise_concern(&mut tx, call, "ended_by_staff", words, at).await?;
            }
            _ => {}
        }
    } else if what == Control::EndSecurity {
        let words = if reason.is_empty() {
            "Ended by prison staff for a security reason".to_owned()
        } else {
            format!("Ended by prison staff for a security reason: {reason}")
        };
        record(&mut tx, &call.id, &by.id, "security", &words, false).await?;
        raise_concern(&mut tx, call, "ended_by_staff", &words, at).await?;
    }
    let relayed = match what {
        Control::Pause => relay.pause(&call.id),
        Control::Resume | Control::FalseAlarm => relay.resume(&call.id),
        Control::End | Control::EndSecurity => relay.end(&call.id),
    };
    // A room nobody has joined yet is not on the media server: the state
    // stands on its own and applies when they join.
    if let Err(e) = relayed {
        tracing::info!(call = %call.id, error = %e, "relay control on a room not on the media server");
    }
    tx.commit().await?;
    Ok(())
}

/// Tells the security team, through the platform's events, of a concern
/// on `call`: the incidents system makes a draft report of it. On the
/// transaction of the change that raised it.
pub(crate) async fn raise_concern(
    conn: &mut sqlx::AnyConnection,
    call: &Call,
    trigger: &str,
    summary: &str,
    at: i64,
) -> Result<()> {
    let concern = platform::events::SecurityConcern {
        source: "Video call".into(),
        reference: call.reference.clone(),
        establishment_id: call.establishment_id.clone(),
        at,
        trigger: trigger.into(),
        summary: format!("{summary} (call booked for {})", call.when()),
        prisoner_number: Some(call.prison_number.clone()),
        visitors: call.people.clone(),
    };
    platform::events::publish(
        conn,
        platform::events::SECURITY_CONCERN,
        &call.id,
        &concern,
        at,
    )
    .await
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
    let rows: Vec<String> =
        sqlx::query_scalar("SELECT id FROM call_rooms WHERE status IN ('open', 'paused')")
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
            // Both sides are told on the timeline too, once, five minutes
            // before the end.
            if closes - at <= Duration::minutes(5) {
                let warned: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM call_timeline WHERE call_id = $1 AND kind = 'warning'",
                )
                .bind(&id)
                .fetch_one(db.pool())
                .await?;
                if warned == 0 {
                    note(
                        db,
                        &id,
                        "warning",
                        "5 minutes left: the call ends at the booked time",
                        true,
                    )
                    .await?;
                }
            }
            continue;
        }
        if let Err(e) = relay.end(&id) {
            tracing::info!(call = %id, error = %e, "ending a room the media server no longer holds");
        }
        let mut tx = db.begin_write().await?;
        let system = Actor::system();
        let words = "Ended at the booked time";
        match ROOM
            .apply(
                &mut tx,
                &Change::new(&id, workflow::CLOSE, &system, now(), words)
                    .set("reason", "The booked time is over"),
            )
            .await
        {
            Ok(_) => {
                record(&mut tx, &id, "system", "ended", words, true).await?;
                n += 1;
            }
            // Staff ended it meanwhile.
            Err(Error::Conflict(_)) => continue,
            Err(e) => return Err(e),
        }
        tx.commit().await?;
    }
    Ok(n)
}

/// After the service restarts, every room its node held lost its
/// connections: each such call gets a line on its timeline (the pages
/// reconnect by themselves; a paused call stays paused when they do).
/// Returns how many calls were marked.
pub async fn after_restart(db: &Db, node: &str, at: i64) -> Result<u64> {
    let open: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM call_rooms WHERE status IN ('open', 'paused') AND node = $1",
    )
    .bind(node)
    .fetch_all(db.pool())
    .await?;
    let mut n = 0;
    for id in open {
        // The minutes from here to the first reconnection go back to the
        // allowance (the time before the restart is not known, so not
        // claimed).
        sqlx::query(
            "UPDATE call_rooms SET interrupted_at = $1 WHERE id = $2 AND interrupted_at IS NULL",
        )
        .bind(at)
        .bind(&id)
        .execute(db.writer())
        .await?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turn_credentials_are_coturn_s_rest_form() {
        // Python: base64(hmac.new(b"north-sea", b"1767225600:acc-1", sha1).digest())
        assert_eq!(
            turn_credentials("north-sea", "acc-1", 1_767_225_600),
            (
                "1767225600:acc-1".to_owned(),
                "AM56GVaU7o0Fw/CFwBHYtR63a48=".to_owned()
            )
        );
    }
}
