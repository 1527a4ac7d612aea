//! Identity verifiers' pages: the queue of callers waiting for a check,
//! and each caller's ID photo and selfie side by side with what they typed
//! and what the automatic comparison found. Every view of a document is
//! audited.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use maud::html;
use platform::require;
use platform::rules::{Routes, Rule};
use platform::web::{FormIn, Page, Sess, see_other};
use platform::workflow::State as _;
use platform::{Error, audit};
use ui::forms::{self, Errors, get as field};
use ui::{back, button, csrf, error_summary, summary_list};

use super::SERVICE;
use super::user;
use crate::Calls;
use crate::callers::{self, Document};
use crate::workflow::CallerStatus;

pub(super) fn routes() -> Routes<Calls> {
    use Rule::Verifier;
    Routes::new()
        .get("/calls/verification", Verifier, queue)
        .get_post("/calls/verification/{id}", Verifier, check_form, check_post)
        .get("/calls/verification/{id}/{document}", Verifier, document)
}

async fn queue(State(st): State<Calls>, sess: Sess) -> Page {
    require!(user(&sess));
    let waiting = callers::queue(&st.db).await?;
    let c = sess.ctx(&st).in_service(SERVICE, "/calls/verification");
    Ok(c.page(
        "Identity checks",
        &Errors::default(),
        html! {
            h1 class="govuk-heading-l" { "Identity checks" }
            @if waiting.is_empty() {
                p class="govuk-body" { "No callers are waiting." }
            } @else {
                table class="govuk-table" {
                    caption class="govuk-table__caption govuk-table__caption--m" { (waiting.len()) " waiting, oldest first" }
                    thead class="govuk-table__head" { tr class="govuk-table__row" {
                        th scope="col" class="govuk-table__header" { "Caller" }
                        th scope="col" class="govuk-table__header" { "Sent" }
                        th scope="col" class="govuk-table__header" { "Automatic check" }
                    } }
                    tbody class="govuk-table__body" {
                        @for k in &waiting {
                            tr class="govuk-table__row" {
                                td class="govuk-table__cell" { a class="govuk-link" href={ "/calls/verification/" (k.id) } { (k.name) } }
                                td class="govuk-table__cell" { (k.submitted_at.map(ui::when).unwrap_or_default()) }
                                td class="govuk-table__cell" {
                                    @match k.check_distance {
                                        Some(d) if (d as f32) < face::MATCH_THRESHOLD => { (ui::tag("govuk-tag--green", "Faces match")) }
                                        Some(_) => { (ui::tag("govuk-tag--red", "Faces do not match")) }
                                        None => { (ui::tag("govuk-tag--yellow", "Not compared")) }
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

fn check_page(
    st: &Calls,
    sess: &Sess,
    k: &callers::Caller,
    f: &ui::Fields,
    e: &Errors,
) -> Response {
    let c = sess.ctx(st).in_service(SERVICE, "/calls/verification");
    let open = k.status == CallerStatus::Submitted;
    c.page(
        &format!("Identity check: {}", k.name),
        e,
        html! {
            (back("/calls/verification"))
            (error_summary(e))
            h1 class="govuk-heading-l" { "Identity check: " (k.name) }
            @if k.has_documents {
                div class="govuk-grid-row" {
                    div class="govuk-grid-column-one-half" {
                        h2 class="govuk-heading-s" { "Photo ID" }
                        img src={ "/calls/verification/" (k.id) "/id" } alt={ "The photo ID " (k.name) " sent" } class="lifeline-document";
                    }
                    div class="govuk-grid-column-one-half" {
                        h2 class="govuk-heading-s" { "Selfie" }
                        img src={ "/calls/verification/" (k.id) "/selfie" } alt={ "The selfie " (k.name) " sent" } class="lifeline-document";
                    }
                }
            } @else {
                div class="govuk-inset-text" { "The documents have been destroyed." }
            }
            div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                (summary_list(&[
                    ("Name typed".into(), html! { (k.name) }, None),
                    ("Date of birth typed".into(), html! { (k.dob.format("%-d %B %Y")) }, None),
                    ("Automatic check".into(), html! { (k.check_outcome.clone().unwrap_or_default()) }, None),
                    ("Status".into(), html! { (k.status.label()) }, None),
                ]))
                @if open {
                    form method="post" action={ "/calls/verification/" (k.id) } novalidate {
                        (csrf(&c.csrf))
                        (ui::radios("decision", "Decision", &[
                            ("verify".into(), "Verified: the photos are of the same person, and the name and date of birth match the ID".into(), None),
                            ("refuse".into(), "Not verified".into(), Some(ui::textarea("reason", "Reason (the caller is told, and can send new photos)", "", field(f, "reason"), e))),
                        ], field(f, "decision"), e))
                        (button("Save decision"))
                    }
                }
            } }
        },
    )
}

async fn check_form(State(st): State<Calls>, sess: Sess, Path(id): Path<String>) -> Page {
    let u = require!(user(&sess));
    let k = callers::get(&st.db, &id).await?;
    audit::log(&st.db, &u.id, "caller.view", &id, "").await?;
    Ok(check_page(
        &st,
        &sess,
        &k,
        &ui::Fields::new(),
        &Errors::default(),
    ))
}

async fn check_post(
    State(st): State<Calls>,
    sess: Sess,
    Path(id): Path<String>,
    FormIn(f): FormIn,
) -> Page {
    let u = require!(user(&sess));
    let k = callers::get(&st.db, &id).await?;
    let mut e = Errors::default();
    let verify = match field(&f, "decision") {
        "verify" => true,
        "refuse" => false,
        _ => {
            e.add("decision", "Choose whether the caller is verified");
            return Ok(check_page(&st, &sess, &k, &f, &e));
        }
    };
    let reason = field(&f, "reason");
    if !verify && reason.trim().is_empty() {
        e.add("reason", "Enter the reason, which the caller is told");
        return Ok(check_page(&st, &sess, &k, &f, &e));
    }
    let destroy_on = st.clock.today() + Duration::days(st.config().documents_days as i64);
    match callers::decide(
        &st.db,
        &id,
        verify,
        if verify { "" } else { reason },
        destroy_on,
        &u.actor(),
    )
    .await
    {
        Ok(()) => {
            st.mail_waiting();
            sess.update(|s| {
                s.notice = Some(format!(
                    "{}: {}",
                    k.name,
                    if verify { "verified" } else { "not verified" }
                ))
            });
            Ok(see_other("/calls/verification"))
        }
        Err(Error::Conflict(m)) => {
            e.add("decision", forms::capital(&m));
            Ok(check_page(&st, &sess, &k, &f, &e))
        }
        Err(other) => Err(other.into()),
    }
}

async fn document(
    State(st): State<Calls>,
    sess: Sess,
    Path((id, which)): Path<(String, String)>,
) -> Page {
    let u = require!(user(&sess));
    let which = Document::parse(&which).ok_or(Error::NotFound)?;
    let bytes = callers::document(&st.db, st.master(), &id, which, &u.id).await?;
    let kind = if bytes.starts_with(&[0x89, b'P', b'N', b'G']) {
        "image/png"
    } else {
        "image/jpeg"
    };
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, kind),
            // Never kept by the browser or anything between.
            (header::CACHE_CONTROL, "no-store"),
        ],
        bytes,
    )
        .into_response())
}
