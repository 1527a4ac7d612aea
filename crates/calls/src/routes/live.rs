//! The live call's pages: the caller's, the prison laptop's, the staff's
//! monitoring terminal, and the signalling the pages' script uses (the
//! browser's offer for the server's answer, and the room's state).
//!
//! Signalling goes over a WebSocket on the page's own session,
//! `/calls/live/{id}/socket`: the page sends its offer and gets the answer,
//! and the server pushes the room's state and timeline whenever they
//! change. The handshake must come from the service's own pages (its
//! `Origin`), since browsers send cookies with a WebSocket from anywhere.
//! Where a WebSocket cannot get through (a proxy that strips upgrades), the
//! page falls back to two JSON requests: `POST /calls/live/{id}/offer`
//! (the form token in the `x-csrf-token` header) and
//! `GET /calls/live/{id}/state`, polled each second. Every control is the
//! server's to apply: the pages only show what the state says.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::html;
use platform::require;
use platform::rules::{Routes, Rule};
use platform::web::{FormIn, Page, Sess, see_other};
use platform::{Error, audit};
use ui::Errors;
use ui::forms::{self, get as field};
use ui::{back, csrf};

use super::{SERVICE, now_naive, user};
use crate::booking::{self, Call};
use crate::live::{self, Control, Side};
use crate::{Calls, face_check};

pub(super) fn routes() -> Routes<Calls> {
    use Rule::{CallsStaff, SignedIn, Visitor};
    Routes::new()
        .get("/calls/call/{reference}/live", Visitor, caller_page)
        .get(
            "/calls/staff/{establishment}/laptop/{id}",
            CallsStaff,
            laptop_page,
        )
        .get("/calls/staff/{establishment}/monitor", CallsStaff, monitor)
        .post(
            "/calls/staff/{establishment}/monitor/{id}/{control}",
            CallsStaff,
            control_post,
        )
        .get(
            "/calls/staff/{establishment}/monitor/{id}/watch",
            CallsStaff,
            watch_page,
        )
        .get(
            "/calls/staff/{establishment}/monitor/{id}/alert/{alert}",
            CallsStaff,
            alert_picture,
        )
        .post("/calls/live/{id}/offer", SignedIn, offer)
        .get("/calls/live/{id}/state", SignedIn, state)
        .get("/calls/live/{id}/socket", SignedIn, socket)
}

fn json(status: StatusCode, value: serde_json::Value) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        value.to_string(),
    )
        .into_response()
}

fn refusal(status: StatusCode, message: &str) -> Response {
    json(status, serde_json::json!({ "error": message }))
}

/// The page both sides use: a picture of the other side, one of their
/// own, and the call's state in words; `call.js` does the rest.
fn call_page(
    st: &Calls,
    sess: &Sess,
    call: &Call,
    side: Side,
    watch: bool,
    back_to: &str,
    home: &'static str,
) -> Response {
    let c = sess.ctx(st).in_service(SERVICE, home);
    let other = match side {
        Side::Caller => format!("{} at {}", call.prisoner, call.establishment),
        Side::Prison => call.people.join(", "),
    };
    let ice = live::ice_servers(
        &st.config().turn_urls,
        st.config().turn_secret.as_deref(),
        &sess.user().map(|u| u.id).unwrap_or_default(),
        call,
    );
    let title = if watch {
        format!(
            "Watching the call of {} with {}",
            call.prisoner,
            call.people.join(", ")
        )
    } else {
        format!("Video call with {other}")
    };
    c.page(
        &title,
        &Errors::default(),
        html! {
            (back(back_to))
            h1 class="govuk-heading-l" { (title) }
            div id="live-call" data-call=(call.id) data-csrf=(c.csrf) data-ice=(ice.to_string()) data-watch=[watch.then_some("true")] {
                div class="govuk-inset-text" id="call-state" role="status" aria-live="polite" { "Connecting…" }
                div class="govuk-grid-row" {
                    @if watch {
                        div class="govuk-grid-column-one-half" {
                            video id="remote-video" class="lifeline-video" autoplay playsinline aria-label="Video of one side of the call" {}
                        }
                        div class="govuk-grid-column-one-half" {
                            video id="remote-video-2" class="lifeline-video" autoplay playsinline aria-label="Video of the other side of the call" {}
                        }
                    } @else {
                        div class="govuk-grid-column-two-thirds" {
                            video id="remote-video" class="lifeline-video" autoplay playsinline aria-label={ "Video of " (other) } {}
                        }
                        div class="govuk-grid-column-one-third" {
                            video id="local-video" class="lifeline-video" autoplay playsinline muted aria-label="Your own video" {}
                        }
                    }
                }
            }
            @if watch {
                p class="govuk-body-s" { "You see and hear both sides; they do not see or hear you. Pause or end the call from the live calls page." }
            } @else {
                p class="govuk-body-s" { "Prison staff can see and hear this call. It pauses if someone who is not approved appears, and ends at the booked time." }
            }
            h2 class="govuk-heading-s" { "What has happened on this call" }
            ul class="govuk-list govuk-body-s" id="call-events" {}
            script src="/assets/lifeline/call.js" {}
        },
    )
}

async fn caller_page(State(st): State<Calls>, sess: Sess, Path(reference): Path<String>) -> Page {
    let u = require!(user(&sess));
    let call = booking::of_caller_by_reference(&st.db, &u.id, &reference).await?;
    Ok(call_page(
        &st,
        &sess,
        &call,
        Side::Caller,
        false,
        &format!("/calls/call/{reference}"),
        "/calls",
    ))
}

async fn staff_call(
    st: &Calls,
    sess: &Sess,
    est: &str,
    id: &str,
) -> Result<(platform::sessions::SessionUser, Call), Box<Response>> {
    let u = user(sess)?;
    if !u.runs_calls_at(est) {
        return Err(platform::web::forbidden());
    }
    match booking::get(&st.db, id).await {
        Ok(c) if c.establishment_id == est => Ok((u, c)),
        Ok(_) | Err(Error::NotFound) => Err(Box::new(
            platform::web::AppError(Error::NotFound).into_response(),
        )),
        Err(e) => Err(Box::new(platform::web::AppError(e).into_response())),
    }
}

async fn laptop_page(
    State(st): State<Calls>,
    sess: Sess,
    Path((est, id)): Path<(String, String)>,
) -> Page {
    let (u, call) = require!(staff_call(&st, &sess, &est, &id).await);
    audit::log(&st.db, &u.id, "call.view_live", &id, "prison laptop").await?;
    Ok(call_page(
        &st,
        &sess,
        &call,
        Side::Prison,
        false,
        &format!("/calls/staff/{est}/monitor"),
        "/calls/staff",
    ))
}

/// The monitoring terminal's view of one call: both sides, sending nothing.
async fn watch_page(
    State(st): State<Calls>,
    sess: Sess,
    Path((est, id)): Path<(String, String)>,
) -> Page {
    let (u, call) = require!(staff_call(&st, &sess, &est, &id).await);
    audit::log(&st.db, &u.id, "call.view_live", &id, "monitoring terminal").await?;
    Ok(call_page(
        &st,
        &sess,
        &call,
        Side::Prison,
        true,
        &format!("/calls/staff/{est}/monitor"),
        "/calls/staff",
    ))
}

async fn monitor(State(st): State<Calls>, sess: Sess, Path(est): Path<String>) -> Page {
    let u = require!(user(&sess));
    if !u.runs_calls_at(&est) {
        return Ok(*platform::web::forbidden());
    }
    let opens = st.config().room_opens_minutes;
    let live = live::live_at(&st.db, &est, opens, now_naive(&st)).await?;
    let mut rows = Vec::new();
    for (call, room) in live {
        let events = live::timeline(&st.db, &call.id, true).await?;
        let alert = face_check::open_alert(&st.db, &call.id).await?;
        rows.push((call, room, events, alert));
    }
    // The terminal refetches itself every 5 s: one audit line per person
    // and prison every 10 minutes says who watched, without a line each
    // refresh.
    let recent: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE at >= $1 AND actor = $2 AND action = 'calls.monitor' AND subject = $3",
    )
    .bind(platform::now() - 600)
    .bind(&u.id)
    .bind(&est)
    .fetch_one(st.db.pool())
    .await
    .map_err(Error::from)?;
    if recent == 0 {
        audit::log(&st.db, &u.id, "calls.monitor", &est, "").await?;
    }
    let c = sess.ctx(&st).in_service(SERVICE, "/calls/staff");
    Ok(c.page(
        "Live calls",
        &Errors::default(),
        html! {
            (back(&format!("/calls/staff/{est}")))
            h1 class="govuk-heading-l" { "Live calls" }
            div id="monitor" {
            p class="govuk-body" id="monitor-summary" role="status" {
                @if rows.is_empty() {
                    "No calls are live or about to start."
                } @else {
                    (summary(&rows))
                }
            }
            div class="govuk-grid-row" {
                @for (call, room, events, alert) in &rows {
                    div class="govuk-grid-column-one-half" {
                        div class="govuk-summary-card" {
                            div class="govuk-summary-card__title-wrapper" {
                                h2 class="govuk-summary-card__title" { (call.start) " " (call.prisoner) " with " (call.people.join(", ")) }
                                ul class="govuk-summary-card__actions" {
                                    li class="govuk-summary-card__action" { a class="govuk-link" href={ "/calls/staff/" (est) "/monitor/" (call.id) "/watch" } { "Watch" span class="govuk-visually-hidden" { " the call with " (call.prisoner) } } }
                                    li class="govuk-summary-card__action" { a class="govuk-link" href={ "/calls/staff/" (est) "/laptop/" (call.id) } { "Open on the laptop" span class="govuk-visually-hidden" { " for the call with " (call.prisoner) } } }
                                }
                            }
                            div class="govuk-summary-card__content" {
                                p class="govuk-body" data-room-state=(room.state) {
                                    strong { (room_words(&room.state)) }
                                    @if !room.reason.is_empty() { ": " (room.reason) }
                                }
                                @if let Some(a) = alert {
                                    div class="govuk-warning-text" {
                                        span class="govuk-warning-text__icon" aria-hidden="true" { "!" }
                                        strong class="govuk-warning-text__text" {
                                            span class="govuk-visually-hidden" { "Warning" }
                                            "Paused automatically at " (ui::when(a.at)) ": " (a.detail) ". Look at the picture, then resume or end the call."
                                        }
                                    }
                                    img class="lifeline-alert-picture" src={ "/calls/staff/" (est) "/monitor/" (call.id) "/alert/" (a.id) } alt={ "The caller's video when the call with " (call.prisoner) " was paused" } width="320";
                                }
                                @if room.state != "ended" {
                                    @for (control, label) in controls(&room.state, alert.is_some()) {
                                        form method="post" action={ "/calls/staff/" (est) "/monitor/" (call.id) "/" (control) } class="lifeline-inline-form" novalidate {
                                            (csrf(&c.csrf))
                                            button type="submit" class={ "govuk-button govuk-!-margin-right-1 " @if control.starts_with("end") { "govuk-button--warning" } @else { "govuk-button--secondary" } } data-module="govuk-button" {
                                                (label) span class="govuk-visually-hidden" { " the call with " (call.prisoner) }
                                            }
                                        }
                                    }
                                }
                                @if !events.is_empty() {
                                    h3 class="govuk-heading-s" { "Timeline" }
                                    ul class="govuk-list govuk-body-s" {
                                        @for e in events { li { (ui::when(e.at)) " " (e.detail) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            }
            script src="/assets/lifeline/monitor.js" {}
        },
    ))
}

/// "3 calls: 2 live, 1 paused automatically": what a screen reader hears
/// when the terminal's grid changes.
fn summary(
    rows: &[(
        Call,
        live::Room,
        Vec<live::Event>,
        Option<face_check::Alert>,
    )],
) -> String {
    let count = |state: &str| rows.iter().filter(|r| r.1.state == state).count();
    let alerts = rows.iter().filter(|r| r.3.is_some()).count();
    let mut parts = vec![format!("{} live", count("open"))];
    if count("paused") > 0 {
        parts.push(format!("{} paused", count("paused")));
    }
    if alerts > 0 {
        parts.push(format!("{alerts} paused automatically, waiting for you"));
    }
    if count("waiting") > 0 {
        parts.push(format!("{} not open yet", count("waiting")));
    }
    format!(
        "{} call{}: {}.",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" },
        parts.join(", ")
    )
}

/// The buttons a room's state offers: a call the face check paused may be
/// resumed as a false alarm (its paused minutes given back) or because the
/// person has gone.
fn controls(state: &str, alert: bool) -> Vec<(&'static str, &'static str)> {
    let mut out = Vec::new();
    match (state, alert) {
        ("paused", true) => {
            out.push(("false-alarm", "Resume: false alarm"));
            out.push(("resume", "Resume: they have gone"));
        }
        ("paused", false) => out.push(("resume", "Resume")),
        _ => out.push(("pause", "Pause")),
    }
    out.push(("end", "End call"));
    out.push(("end-security", "End call: security concern"));
    out
}

/// The frame that paused a call, for the monitoring staff of its
/// establishment (each view audited).
async fn alert_picture(
    State(st): State<Calls>,
    sess: Sess,
    Path((est, id, alert)): Path<(String, String, String)>,
) -> Page {
    let (u, call) = require!(staff_call(&st, &sess, &est, &id).await);
    let jpeg = face_check::alert_thumbnail(&st.db, st.master(), &call.id, &alert, &u.id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/jpeg"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        jpeg,
    )
        .into_response())
}

fn room_words(state: &str) -> &'static str {
    match state {
        "waiting" => "Not open yet",
        "open" => "Live",
        "paused" => "Paused",
        _ => "Ended",
    }
}

async fn control_post(
    State(st): State<Calls>,
    sess: Sess,
    Path((est, id, control)): Path<(String, String, String)>,
    FormIn(f): FormIn,
) -> Page {
    let (u, call) = require!(staff_call(&st, &sess, &est, &id).await);
    let Some(what) = Control::parse(&control) else {
        return Err(Error::NotFound.into());
    };
    let Some(relay) = st.relay() else {
        return Err(Error::Config("no media server is running".into()).into());
    };
    match live::control(
        &st.db,
        relay.as_ref(),
        &call,
        what,
        field(&f, "reason"),
        &u.actor(),
    )
    .await
    {
        Ok(()) => {}
        Err(Error::Conflict(m)) => sess.update(|s| s.notice = Some(forms::capital(&m))),
        Err(e) => return Err(e.into()),
    }
    Ok(see_other(&format!("/calls/staff/{est}/monitor")))
}

/// Whose call it is, for the signalling requests: the call, if `user` is
/// on it; otherwise the refusal (audited).
async fn on_call(
    st: &Calls,
    sess: &Sess,
    id: &str,
) -> Result<(platform::sessions::SessionUser, Call), Response> {
    let Some(u) = sess.user() else {
        return Err(refusal(
            StatusCode::UNAUTHORIZED,
            "Sign in again to join the call",
        ));
    };
    let call = match booking::get(&st.db, id).await {
        Ok(c) => c,
        Err(Error::NotFound) => {
            return Err(refusal(StatusCode::NOT_FOUND, "There is no such call"));
        }
        Err(e) => return Err(platform::web::AppError(e).into_response()),
    };
    if live::side_of(&u, &call).is_none() {
        let _ = audit::log(&st.db, &u.id, "call.join_refused", id, "not on the call").await;
        return Err(refusal(StatusCode::FORBIDDEN, "You are not on this call"));
    }
    Ok((u, call))
}

async fn offer(
    State(st): State<Calls>,
    sess: Sess,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (u, call) = match on_call(&st, &sess, &id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let token = headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let expected = sess.csrf();
    if expected.is_empty() || !platform::ids::constant_time_eq(&expected, token) {
        return refusal(
            StatusCode::FORBIDDEN,
            "This page has expired: reload it to join the call",
        );
    }
    let message = serde_json::from_slice::<serde_json::Value>(&body).ok();
    let watch = message
        .as_ref()
        .and_then(|v| v.get("watch")?.as_bool())
        .unwrap_or(false);
    let sdp = match message.and_then(|v| v.get("sdp").and_then(|s| s.as_str()).map(str::to_owned)) {
        Some(s) if s.len() <= 64 * 1024 => s,
        _ => {
            return refusal(
                StatusCode::BAD_REQUEST,
                "The call's connection details could not be read",
            );
        }
    };
    match answer(&st, &u, &call, &sdp, watch).await {
        Ok(sdp) => json(StatusCode::OK, serde_json::json!({ "sdp": sdp })),
        Err((status, message)) => refusal(status, &message),
    }
}

/// Joins `u`'s side of the call with the browser's offer: the answer, or
/// the refusal's status and words.
async fn answer(
    st: &Calls,
    u: &platform::sessions::SessionUser,
    call: &Call,
    sdp: &str,
    watch: bool,
) -> Result<String, (StatusCode, String)> {
    let Some(relay) = st.relay() else {
        return Err((
            StatusCode::SERVICE_UNAVAILABLE,
            "Calls are not available at the moment".into(),
        ));
    };
    match live::join(
        &st.db,
        relay.as_ref(),
        st.node(),
        call,
        u,
        st.config().room_opens_minutes,
        now_naive(st),
        sdp,
        watch,
    )
    .await
    {
        Ok(answer) => {
            if !watch && live::side_of(u, call) == Some(Side::Caller) {
                face_check::start(st, call);
            }
            Ok(answer)
        }
        Err(Error::Forbidden) => Err((StatusCode::FORBIDDEN, "You are not on this call".into())),
        Err(Error::Conflict(m)) => Err((StatusCode::CONFLICT, m)),
        Err(e) => {
            tracing::error!(call = %call.id, error = %e, "joining a call failed");
            Err((
                StatusCode::INTERNAL_SERVER_ERROR,
                "The call could not connect: try again in a moment".into(),
            ))
        }
    }
}

async fn state(State(st): State<Calls>, sess: Sess, Path(id): Path<String>) -> Response {
    let (u, call) = match on_call(&st, &sess, &id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match room_and_events(&st, &u, &call).await {
        Ok((room, events)) => json(
            StatusCode::OK,
            serde_json::json!({ "room": room, "events": events }),
        ),
        Err(e) => platform::web::AppError(e).into_response(),
    }
}

/// The room's state and the timeline `u` may read.
async fn room_and_events(
    st: &Calls,
    u: &platform::sessions::SessionUser,
    call: &Call,
) -> platform::Result<(live::Room, Vec<live::Event>)> {
    let room = live::room(&st.db, call, st.config().room_opens_minutes, now_naive(st)).await?;
    let events = live::timeline(&st.db, &call.id, u.is_staff()).await?;
    Ok((room, events))
}

/// Whether a WebSocket handshake comes from a page of this service: its
/// `Origin` names the host the request was sent to.
fn same_origin(headers: &HeaderMap) -> bool {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let origin = headers.get(header::ORIGIN).and_then(|h| h.to_str().ok());
    match (host, origin) {
        (Some(host), Some(origin)) => origin
            .split_once("://")
            .is_some_and(|(_, rest)| rest.trim_end_matches('/') == host),
        _ => false,
    }
}

/// The largest signalling message: an offer with every candidate is a few
/// kilobytes.
const MAX_MESSAGE: usize = 64 * 1024;

async fn socket(
    State(st): State<Calls>,
    sess: Sess,
    Path(id): Path<String>,
    headers: HeaderMap,
    upgrade: axum::extract::ws::WebSocketUpgrade,
) -> Response {
    if !same_origin(&headers) {
        return refusal(
            StatusCode::FORBIDDEN,
            "Calls connect only from the service's own pages",
        );
    }
    let (u, call) = match on_call(&st, &sess, &id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    upgrade
        .max_message_size(MAX_MESSAGE)
        .on_upgrade(move |ws| signalling(st, u, call, ws))
}

/// One page's signalling: offers in, answers and the room's state out
/// (each second, when it has changed), until the call ends or the page
/// goes.
async fn signalling(
    st: Calls,
    u: platform::sessions::SessionUser,
    call: Call,
    mut ws: axum::extract::ws::WebSocket,
) {
    use axum::extract::ws::Message;
    let send = |v: serde_json::Value| Message::Text(v.to_string().into());
    let mut last = String::new();
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
    loop {
        tokio::select! {
            _ = tick.tick() => {
                let (room, events) = match room_and_events(&st, &u, &call).await {
                    Ok(x) => x,
                    Err(e) => {
                        tracing::warn!(call = %call.id, error = %e, "reading a call's state");
                        continue;
                    }
                };
                let ended = room.state == "ended";
                let now = serde_json::json!({ "type": "state", "room": room, "events": events });
                let text = now.to_string();
                if text != last {
                    if ws.send(Message::Text(text.clone().into())).await.is_err() {
                        return;
                    }
                    last = text;
                }
                if ended {
                    let _ = ws.send(Message::Close(None)).await;
                    return;
                }
            }
            msg = ws.recv() => {
                let reply = match msg {
                    None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                    Some(Ok(Message::Text(t))) => {
                        let offer = serde_json::from_str::<serde_json::Value>(&t).ok().and_then(|v| {
                            if v.get("type")?.as_str()? != "offer" {
                                return None;
                            }
                            let watch = v.get("watch").and_then(|w| w.as_bool()).unwrap_or(false);
                            Some((v.get("sdp")?.as_str()?.to_owned(), watch))
                        });
                        match offer {
                            Some((sdp, watch)) => match answer(&st, &u, &call, &sdp, watch).await {
                                Ok(sdp) => serde_json::json!({ "type": "answer", "sdp": sdp }),
                                Err((status, message)) => serde_json::json!({ "type": "error", "status": status.as_u16(), "error": message }),
                            },
                            None => serde_json::json!({ "type": "error", "status": 400, "error": "The call's connection details could not be read" }),
                        }
                    }
                    Some(Ok(Message::Binary(_))) => serde_json::json!({ "type": "error", "status": 400, "error": "Signalling is text" }),
                    Some(Ok(_)) => continue,
                };
                if ws.send(send(reply)).await.is_err() {
                    return;
                }
            }
        }
    }
}
