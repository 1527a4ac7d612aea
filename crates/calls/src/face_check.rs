//! The face check on a live call: every few seconds the server takes a
//! keyframe of the caller's video as the media server relays it (not a
//! picture the caller's page chooses to send), finds the faces in it and
//! compares them with the descriptors enrolled when the call's callers
//! verified their identity.
//!
//! Fair to families, as the suppliers' checks were not: a face must be
//! unknown in `face_check_strikes` checks in a row before the call pauses
//! (a turned head or a blur is one bad check, not a dropped call), and no
//! face at all is a note for staff, never a pause. A pause explains itself
//! to both sides, puts the frame's thumbnail in front of the monitoring
//! staff, and writes a `security` line and raises a security concern (a
//! platform event the incidents system makes a draft report of). Staff
//! resume (a false alarm gives the paused minutes back to the allowance)
//! or end the call.
//!
//! The checks run off the media path: the media server hands over a
//! keyframe and goes on forwarding, and at most `face_check_workers`
//! pictures are analysed at once however many calls are live.

use std::sync::Arc;
use std::time::Duration;

use face::Descriptor;
use platform::accounts::Actor;
use platform::vault::Key;
use platform::workflow::Change;
use platform::{Db, Result, audit, now};

use crate::Calls;
use crate::booking::{self, Call};
use crate::live::{self, Relay};
use crate::workflow::{self, ROOM};

/// What one check saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every face is one of the call's callers.
    Approved { faces: usize },
    /// Nobody in the picture (the caller stepped away, or the camera is
    /// covered).
    NoFace,
    /// A face that is none of the call's callers, or more faces than
    /// people booked on the call.
    Unapproved { faces: usize, unknown: usize },
}

/// Judges the faces found in a frame against the call's enrolled callers.
/// Each enrolled caller accounts for one face at most (the nearest under
/// the threshold, as many faces matched as can be); `unenrolled` people on the call
/// (children on the approved list have no photo to compare with) may each
/// account for one face that matches nobody; and there may never be more
/// faces than the `people` booked.
pub fn judge(
    faces: &[Descriptor],
    enrolled: &[Descriptor],
    unenrolled: usize,
    people: usize,
) -> Verdict {
    if faces.is_empty() {
        return Verdict::NoFace;
    }
    // Which callers each face could be (under the match threshold).
    let near: Vec<Vec<usize>> = faces
        .iter()
        .map(|f| {
            (0..enrolled.len())
                .filter(|&j| f.distance(&enrolled[j]) < face::MATCH_THRESHOLD)
                .collect()
        })
        .collect();
    // The most faces that can each be a different caller: a maximum
    // bipartite matching (Kuhn's augmenting paths; a call has a handful of
    // faces and at most four callers).
    let mut caller_of_face = vec![None; faces.len()];
    let mut face_of_caller: Vec<Option<usize>> = vec![None; enrolled.len()];
    for i in 0..faces.len() {
        let mut seen = vec![false; enrolled.len()];
        augment(
            i,
            &near,
            &mut seen,
            &mut face_of_caller,
            &mut caller_of_face,
        );
    }
    let face_taken: Vec<bool> = caller_of_face.iter().map(Option::is_some).collect();
    let unknown = face_taken.iter().filter(|t| !**t).count();
    if unknown > unenrolled || faces.len() > people {
        Verdict::Unapproved {
            faces: faces.len(),
            unknown,
        }
    } else {
        Verdict::Approved { faces: faces.len() }
    }
}

fn augment(
    face: usize,
    near: &[Vec<usize>],
    seen: &mut [bool],
    face_of_caller: &mut [Option<usize>],
    caller_of_face: &mut [Option<usize>],
) -> bool {
    for &c in &near[face] {
        if seen[c] {
            continue;
        }
        seen[c] = true;
        let free = match face_of_caller[c] {
            None => true,
            Some(other) => augment(other, near, seen, face_of_caller, caller_of_face),
        };
        if free {
            face_of_caller[c] = Some(face);
            caller_of_face[face] = Some(c);
            return true;
        }
    }
    false
}

/// Who a call's faces are checked against: the descriptors enrolled for
/// its callers, and how many people on it have none.
pub async fn enrolled(db: &Db, call_id: &str) -> Result<(Vec<Descriptor>, usize)> {
    let rows: Vec<(Option<String>,)> = sqlx::query_as(
        "SELECT cl.descriptor FROM call_participants p \
         LEFT JOIN approved_contacts a ON a.id = p.contact_id \
         LEFT JOIN callers cl ON cl.account_id = a.account_id \
         WHERE p.call_id = $1",
    )
    .bind(call_id)
    .fetch_all(db.pool())
    .await?;
    let mut known = Vec::new();
    let mut unenrolled = 0;
    for (hex,) in rows {
        match hex
            .as_deref()
            .and_then(platform::vault::unhex)
            .and_then(|b| Descriptor::from_bytes(&b))
        {
            Some(d) => known.push(d),
            None => unenrolled += 1,
        }
    }
    Ok((known, unenrolled))
}

/// Starts the checks on `call`'s caller video, unless they already run
/// (in this process) or are switched off. They stop when the room ends.
pub(crate) fn start(calls: &Calls, call: &Call) {
    if calls.config().face_check_seconds == 0 {
        return;
    }
    {
        let mut watching = calls.0.watching.lock().unwrap_or_else(|p| p.into_inner());
        if !watching.insert(call.id.clone()) {
            return;
        }
    }
    let calls = calls.clone();
    let id = call.id.clone();
    tokio::spawn(async move {
        if let Err(e) = watch(&calls, &id).await {
            tracing::warn!(call = %id, error = %e, "the face check stopped");
        }
        calls
            .0
            .watching
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&id);
    });
}

async fn watch(calls: &Calls, id: &str) -> Result<()> {
    let every = Duration::from_secs(u64::from(calls.config().face_check_seconds));
    let limit = calls.config().face_check_strikes.max(1);
    let engine = calls.engine()?;
    let Some(relay) = calls.relay().cloned() else {
        return Ok(());
    };
    let (known, unenrolled) = enrolled(&calls.db, id).await?;
    let mut strikes = 0;
    let mut last = None::<&'static str>;
    loop {
        tokio::time::sleep(every).await;
        let call = booking::get(&calls.db, id).await?;
        let room = live::room(
            &calls.db,
            &call,
            calls.config().room_opens_minutes,
            crate::routes::now_naive(calls),
        )
        .await?;
        match room.state.as_str() {
            "ended" => return Ok(()),
            "open" => {}
            // Nothing flows while paused; a check after the resume starts
            // afresh.
            _ => {
                strikes = 0;
                continue;
            }
        }
        let r = relay.clone();
        let room_id = id.to_owned();
        let snapshot = tokio::task::spawn_blocking(move || {
            r.snapshot(&room_id, "caller", Duration::from_secs(2))
        })
        .await
        .map_err(|e| platform::Error::Config(format!("the face check's thread failed: {e}")))?;
        let picture = match snapshot {
            Ok(Some(p)) => p,
            Ok(None) => {
                if last != Some("no video") {
                    live::note(
                        &calls.db,
                        id,
                        "face_check",
                        "No video from the caller to check",
                        false,
                    )
                    .await?;
                    last = Some("no video");
                }
                continue;
            }
            // The room is gone from the media server: the call is over.
            Err(_) => return Ok(()),
        };
        let permit = calls
            .0
            .checks
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| platform::Error::Config("the face check pool has closed".into()))?;
        let e = engine.clone();
        let (analysis, picture) = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            (e.analyse_image(&picture), picture)
        })
        .await
        .map_err(|e| platform::Error::Config(format!("the face check's thread failed: {e}")))?;
        let faces: Vec<Descriptor> = analysis.faces.iter().map(|f| f.descriptor).collect();
        let people = known.len() + unenrolled;
        match judge(&faces, &known, unenrolled, people) {
            Verdict::Approved { faces } => {
                strikes = 0;
                if last != Some("approved") {
                    let words = if faces == 1 {
                        "Face check: the approved caller".to_owned()
                    } else {
                        format!("Face check: {faces} approved people")
                    };
                    live::note(&calls.db, id, "face_check", &words, false).await?;
                    last = Some("approved");
                }
            }
            Verdict::NoFace => {
                strikes = 0;
                if last != Some("no face") {
                    live::note(
                        &calls.db,
                        id,
                        "face_check",
                        "Face check: nobody in the picture (a note, not a pause)",
                        false,
                    )
                    .await?;
                    last = Some("no face");
                }
            }
            Verdict::Unapproved { faces, unknown } => {
                strikes += 1;
                last = Some("unapproved");
                if strikes < limit {
                    live::note(
                        &calls.db,
                        id,
                        "face_check",
                        &format!("Face check: {unknown} of {faces} faces not approved (check {strikes} of {limit} before a pause)"),
                        false,
                    )
                    .await?;
                    continue;
                }
                strikes = 0;
                let thumb = thumbnail(&picture);
                let detail = format!(
                    "{unknown} of {faces} faces on the caller's video not approved in {limit} checks in a row"
                );
                pause(
                    &calls.db,
                    relay.as_ref(),
                    calls.master(),
                    &call,
                    &detail,
                    thumb.as_deref(),
                )
                .await?;
            }
        }
    }
}

/// A small JPEG of the frame for the monitoring terminal.
fn thumbnail(picture: &face::RgbImage) -> Option<Vec<u8>> {
    let small = image::imageops::thumbnail(
        picture,
        320,
        320 * picture.height() / picture.width().max(1),
    );
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
        .encode_image(&small)
        .ok()?;
    Some(out)
}

fn thumbnail_context(alert_id: &str) -> String {
    format!("calls alert {alert_id}")
}

/// Pauses `call` for an unapproved face: the media server stops
/// forwarding, and the room's state, both timelines' lines, the alert with
/// its thumbnail and the audit entry are written together. Nothing happens
/// if the room is no longer open (staff paused or ended it meanwhile).
pub async fn pause(
    db: &Db,
    relay: &dyn Relay,
    master: &Key,
    call: &Call,
    detail: &str,
    thumbnail: Option<&[u8]>,
) -> Result<bool> {
    let words = "Paused automatically: someone who is not an approved caller appeared. Prison staff will check and resume the call.";
    let at = now();
    let mut tx = db.begin_write().await?;
    let system = Actor::system();
    match ROOM
        .apply(
            &mut tx,
            &Change::new(&call.id, workflow::FACE_PAUSE, &system, at, detail).set("reason", words),
        )
        .await
    {
        Ok(_) => {}
        // Staff paused or ended it meanwhile.
        Err(platform::Error::Conflict(_)) => return Ok(false),
        Err(e) => return Err(e),
    }
    let alert = platform::ids::new_id();
    let sealed = thumbnail
        .map(|t| master.seal(t, &thumbnail_context(&alert)))
        .transpose()?
        .map(|b| platform::ids::hex(&b));
    sqlx::query(
        "INSERT INTO call_alerts (id, call_id, at, detail, thumbnail, outcome) VALUES ($1, $2, $3, $4, $5, 'open')",
    )
    .bind(&alert)
    .bind(&call.id)
    .bind(at)
    .bind(detail)
    .bind(sealed)
    .execute(&mut *tx)
    .await?;
    live::record(&mut tx, &call.id, "system", "paused", words, true).await?;
    // Staff only, with the alert to look at; the security team gets a
    // draft incident report of it.
    let security = format!("Unapproved face: {detail}");
    live::record(&mut tx, &call.id, "system", "security", &security, false).await?;
    live::raise_concern(&mut tx, call, "unapproved_face", &security, at).await?;
    // The relay last: if the transaction had failed, nothing would say
    // why the call froze.
    if let Err(e) = relay.pause(&call.id) {
        tracing::warn!(call = %call.id, error = %e, "the media server could not pause the call");
    }
    tx.commit().await?;
    Ok(true)
}

/// An alert waiting for staff, or reviewed.
#[derive(Debug, Clone)]
pub struct Alert {
    pub id: String,
    pub call_id: String,
    pub at: i64,
    pub detail: String,
    pub outcome: String,
}

/// The alert staff have not yet dealt with on `call_id`, if any.
pub async fn open_alert(db: &Db, call_id: &str) -> Result<Option<Alert>> {
    let row: Option<(String, i64, String, String)> = sqlx::query_as(
        "SELECT id, at, detail, outcome FROM call_alerts WHERE call_id = $1 AND outcome = 'open' ORDER BY at DESC LIMIT 1",
    )
    .bind(call_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|(id, at, detail, outcome)| Alert {
        id,
        call_id: call_id.to_owned(),
        at,
        detail,
        outcome,
    }))
}

/// An alert's thumbnail (JPEG), opened for `viewer` and audited.
pub async fn alert_thumbnail(
    db: &Db,
    master: &Key,
    call_id: &str,
    alert_id: &str,
    viewer: &str,
) -> Result<Vec<u8>> {
    let sealed: Option<Option<String>> =
        sqlx::query_scalar("SELECT thumbnail FROM call_alerts WHERE id = $1 AND call_id = $2")
            .bind(alert_id)
            .bind(call_id)
            .fetch_optional(db.pool())
            .await?;
    let bytes = sealed
        .flatten()
        .as_deref()
        .and_then(platform::vault::unhex)
        .ok_or(platform::Error::NotFound)?;
    let jpeg = master.open(&bytes, &thumbnail_context(alert_id))?;
    audit::log(db, viewer, "call.alert_view", call_id, alert_id).await?;
    Ok(jpeg)
}

/// The shared pool the checks run in: as many at once as the machine has
/// cores (or the setting), so that a crowd of calls queues for the face
/// engine instead of starving the media thread.
pub(crate) fn pool(workers: usize) -> Arc<tokio::sync::Semaphore> {
    let n = if workers == 0 {
        std::thread::available_parallelism().map_or(2, |n| n.get())
    } else {
        workers
    };
    Arc::new(tokio::sync::Semaphore::new(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(x: f32) -> Descriptor {
        let mut v = [0.0f32; 128];
        v[0] = x;
        Descriptor::from_bytes(&v.iter().flat_map(|f| f.to_le_bytes()).collect::<Vec<_>>())
            .expect("128 floats make a descriptor")
    }

    #[test]
    fn the_enrolled_caller_alone_is_approved() {
        assert_eq!(
            judge(&[d(0.1)], &[d(0.0)], 0, 1),
            Verdict::Approved { faces: 1 }
        );
    }

    #[test]
    fn nobody_in_the_picture_is_not_a_stranger() {
        assert_eq!(judge(&[], &[d(0.0)], 0, 1), Verdict::NoFace);
    }

    #[test]
    fn a_stranger_beside_the_caller_is_unapproved() {
        assert_eq!(
            judge(&[d(0.05), d(3.0)], &[d(0.0)], 0, 1),
            Verdict::Unapproved {
                faces: 2,
                unknown: 1
            }
        );
    }

    #[test]
    fn one_caller_cannot_vouch_for_two_faces_that_look_like_them() {
        // Two people close to one enrolled caller, on a call booked for two
        // with the second person enrolled as someone else entirely.
        assert_eq!(
            judge(&[d(0.1), d(0.2)], &[d(0.0), d(5.0)], 0, 2),
            Verdict::Unapproved {
                faces: 2,
                unknown: 1
            }
        );
    }

    #[test]
    fn a_child_without_a_photo_may_be_on_their_booked_call() {
        assert_eq!(
            judge(&[d(0.0), d(3.0)], &[d(0.0)], 1, 2),
            Verdict::Approved { faces: 2 }
        );
        // But not two unknown faces for one child.
        assert_eq!(
            judge(&[d(0.0), d(3.0), d(6.0)], &[d(0.0)], 1, 2),
            Verdict::Unapproved {
                faces: 3,
                unknown: 2
            }
        );
    }

    #[test]
    fn every_face_that_can_be_a_caller_is_one() {
        // Face 0 is nearest caller 0 but also near caller 1; face 1 is near
        // caller 0 only. Taking the closest pair first would leave face 1
        // unknown.
        assert_eq!(
            judge(&[d(0.1), d(-0.3)], &[d(0.0), d(0.5)], 0, 2),
            Verdict::Approved { faces: 2 }
        );
    }
}
