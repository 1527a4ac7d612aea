//! The live call's pages: the caller's, the prison laptop's, the staff's
//! monitoring terminal, and the signalling the pages' script uses (the
//! browser's offer for the server's answer, and the room's state).
//!
//! Signalling is two small JSON requests over the session the page already
//! has: `POST /calls/live/{id}/offer` (the form token in the
//! `x-csrf-token` header) and `GET /calls/live/{id}/state`, polled each
//! second. Every control is the server's to apply: the pages only show
//! what the state says.

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
use crate::Calls;
use crate::booking::{self, Call};
use crate::live::{self, Control, Side};

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
        .post("/calls/live/{id}/offer", SignedIn, offer)
        .get("/calls/live/{id}/state", SignedIn, state)
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
    back_to: &str,
    home: &'static str,
) -> Response {
    let c = sess.ctx(st).in_service(SERVICE, home);
    let other = match side {
        Side::Caller => format!("{} at {}", call.prisoner, call.establishment),
        Side::Prison => call.people.join(", "),
    };
    c.page(
        &format!("Video call with {other}"),
        &Errors::default(),
        html! {
            (back(back_to))
            h1 class="govuk-heading-l" { "Video call with " (other) }
            div id="live-call" data-call=(call.id) data-csrf=(c.csrf) {
                div class="govuk-inset-text" id="call-state" role="status" aria-live="polite" { "Connecting…" }
                div class="govuk-grid-row" {
                    div class="govuk-grid-column-two-thirds" {
                        video id="remote-video" class="lifeline-video" autoplay playsinline aria-label={ "Video of " (other) } {}
                    }
                    div class="govuk-grid-column-one-third" {
                        video id="local-video" class="lifeline-video" autoplay playsinline muted aria-label="Your own video" {}
                    }
                }
            }
            p class="govuk-body-s" { "Prison staff can see and hear this call. It pauses if someone who is not approved appears, and ends at the booked time." }
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
        rows.push((call, room, events));
    }
    audit::log(&st.db, &u.id, "calls.monitor", &est, "").await?;
    let c = sess.ctx(&st).in_service(SERVICE, "/calls/staff");
    Ok(c.page(
        "Live calls",
        &Errors::default(),
        html! {
            (back(&format!("/calls/staff/{est}")))
            h1 class="govuk-heading-l" { "Live calls" }
            @if rows.is_empty() {
                p class="govuk-body" { "No calls are live or about to start." }
            }
            div class="govuk-grid-row" {
                @for (call, room, events) in &rows {
                    div class="govuk-grid-column-one-half" {
                        div class="govuk-summary-card" {
                            div class="govuk-summary-card__title-wrapper" {
                                h2 class="govuk-summary-card__title" { (call.start) " " (call.prisoner) " with " (call.people.join(", ")) }
                                ul class="govuk-summary-card__actions" {
                                    li class="govuk-summary-card__action" { a class="govuk-link" href={ "/calls/staff/" (est) "/laptop/" (call.id) } { "Open on the laptop" } }
                                }
                            }
                            div class="govuk-summary-card__content" {
                                p class="govuk-body" data-room-state=(room.state) {
                                    strong { (room_words(&room.state)) }
                                    @if !room.reason.is_empty() { ": " (room.reason) }
                                }
                                @if room.state != "ended" {
                                    @for (control, label) in [("pause", "Pause"), ("resume", "Resume"), ("end", "End call")] {
                                        @if (control == "pause" && room.state != "paused") || (control == "resume" && room.state == "paused") || control == "end" {
                                            form method="post" action={ "/calls/staff/" (est) "/monitor/" (call.id) "/" (control) } class="lifeline-inline-form" novalidate {
                                                (csrf(&c.csrf))
                                                button type="submit" class={ "govuk-button govuk-!-margin-right-1 " @if control == "end" { "govuk-button--warning" } @else { "govuk-button--secondary" } } data-module="govuk-button" {
                                                    (label) span class="govuk-visually-hidden" { " the call with " (call.prisoner) }
                                                }
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
        },
    ))
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
        &u.id,
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
    let sdp = match serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v.get("sdp").and_then(|s| s.as_str()).map(str::to_owned))
    {
        Some(s) if s.len() <= 64 * 1024 => s,
        _ => {
            return refusal(
                StatusCode::BAD_REQUEST,
                "The call's connection details could not be read",
            );
        }
    };
    let Some(relay) = st.relay() else {
        return refusal(
            StatusCode::SERVICE_UNAVAILABLE,
            "Calls are not available at the moment",
        );
    };
    match live::join(
        &st.db,
        relay.as_ref(),
        &call,
        &u,
        st.config().room_opens_minutes,
        now_naive(&st),
        &sdp,
    )
    .await
    {
        Ok(answer) => json(StatusCode::OK, serde_json::json!({ "sdp": answer })),
        Err(Error::Forbidden) => refusal(StatusCode::FORBIDDEN, "You are not on this call"),
        Err(Error::Conflict(m)) => refusal(StatusCode::CONFLICT, &m),
        Err(e) => platform::web::AppError(e).into_response(),
    }
}

async fn state(State(st): State<Calls>, sess: Sess, Path(id): Path<String>) -> Response {
    let (u, call) = match on_call(&st, &sess, &id).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let staff = u.is_staff();
    match (
        live::room(
            &st.db,
            &call,
            st.config().room_opens_minutes,
            now_naive(&st),
        )
        .await,
        live::timeline(&st.db, &call.id, staff).await,
    ) {
        (Ok(room), Ok(events)) => json(
            StatusCode::OK,
            serde_json::json!({ "room": room, "events": events }),
        ),
        (Err(e), _) | (_, Err(e)) => platform::web::AppError(e).into_response(),
    }
}
