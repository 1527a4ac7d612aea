//! Staff pages: the queue per establishment, accepting and rejecting,
//! cancelling, blocked dates, settings and visiting sessions. Every view of personal data is written to the audit log.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::response::Response;
use chrono::NaiveDate;
use maud::{Markup, html};
use sqlx::Row;

use crate::establishments::{self, Establishment};
use platform::audit::Line;
use platform::contacts::Check;
use platform::require;
use platform::rules::{Routes, Rule};
use platform::sessions::SessionUser;
use platform::web::{FormIn, OwnedCtx, Page, Sess, see_other};
use platform::workflow::Who;
use ui::forms::{self, Errors, get as field};
use ui::{
    self as pages, Input, back, button, csrf, date_input, error_summary, input, radios,
    summary_list, textarea,
};

use crate::Visits;
use crate::model::{self as visits, REJECTION_REASONS, Rejection, Status, Visit, VisitKind};
use platform::{Error, audit, today};

/// Which establishments a member of staff may work on is judged per
/// record, in the handlers ([`establishment_for`]); the rules say only
/// who may come in.
pub(super) fn routes() -> Routes<Visits> {
    use Rule::{EstablishmentAdmin, VisitsStaff as Staff};
    Routes::new()
        .get("/staff", Staff, dashboard)
        .get("/staff/establishments/{id}", Staff, queue)
        .get_post(
            "/staff/establishments/{id}/blocked",
            Staff,
            blocked_form,
            blocked_post,
        )
        .post(
            "/staff/establishments/{id}/blocked/remove",
            Staff,
            unblock_post,
        )
        .get_post(
            "/staff/establishments/{id}/settings",
            EstablishmentAdmin,
            settings_form,
            settings_post,
        )
        .get("/staff/visits/{id}", Staff, visit_page)
        .post("/staff/visits/{id}/accept", Staff, accept_post)
        .post("/staff/visits/{id}/reject", Staff, reject_post)
        .post("/staff/visits/{id}/cancel", Staff, cancel_post)
        .post(
            "/staff/establishments/{id}/sessions",
            EstablishmentAdmin,
            add_weekly_post,
        )
        .post(
            "/staff/establishments/{id}/sessions/remove",
            EstablishmentAdmin,
            remove_weekly_post,
        )
        .post(
            "/staff/establishments/{id}/one-off",
            EstablishmentAdmin,
            add_one_off_post,
        )
}

/// The signed-in member of staff. Each route's rule has already refused
/// everyone else; handlers still ask here, for the user they need and so
/// that a rule declared too loosely does not open the page.
fn staff(sess: &Sess) -> Result<SessionUser, Box<Response>> {
    match sess.user() {
        Some(u) if u.is_staff() => Ok(u),
        Some(_) => Err(platform::web::forbidden()),
        None => Err(Box::new(see_other("/sign-in"))),
    }
}

async fn establishment_for(st: &Visits, u: &SessionUser, id: &str) -> Result<Establishment, Error> {
    if !u.can_see_establishment(id) {
        return Err(Error::Forbidden);
    }
    establishments::get(&st.db, id).await
}

async fn dashboard(State(st): State<Visits>, sess: Sess) -> Page {
    let u = require!(staff(&sess));
    let all = st.establishments().await?;
    let mine: Vec<&Establishment> = all
        .iter()
        .filter(|e| u.can_see_establishment(&e.id))
        .collect();
    let counts: BTreeMap<String, i64> = sqlx::query(
        "SELECT establishment_id, COUNT(*) AS n FROM visits WHERE status = 'requested' GROUP BY establishment_id",
    )
    .fetch_all(st.db.pool())
    .await
    .map_err(Error::from)?
    .iter()
    .map(|r| Ok((r.try_get::<String, _>(0)?, r.try_get::<i64, _>(1)?)))
    .collect::<Result<_, sqlx::Error>>()
    .map_err(Error::from)?;
    let c = sess.ctx(&st);
    Ok(c.page(
        "Visit requests",
        &Errors::default(),
        html! {
            span class="govuk-caption-l" { (u.name) ", " (u.role_labels()) }
            h1 class="govuk-heading-l" { "Visit requests" }
            p class="govuk-body" { a class="govuk-link" href="/prisoners" { "Prisoners and approved contacts" } }
            @if mine.is_empty() {
                p class="govuk-body" { "Your account is not assigned to any establishment yet. Ask a national administrator." }
            } @else {
                table class="govuk-table" {
                    caption class="govuk-table__caption govuk-table__caption--m" { "Establishments" }
                    thead class="govuk-table__head" { tr class="govuk-table__row" {
                        th scope="col" class="govuk-table__header" { "Establishment" }
                        th scope="col" class="govuk-table__header govuk-table__header--numeric" { "Requests waiting" }
                    } }
                    tbody class="govuk-table__body" {
                        @for e in &mine {
                            tr class="govuk-table__row" {
                                td class="govuk-table__cell" { a class="govuk-link" href={ "/staff/establishments/" (e.id) } { (e.name) } }
                                td class="govuk-table__cell govuk-table__cell--numeric" { (counts.get(&e.id).copied().unwrap_or(0)) }
                            }
                        }
                    }
                }
            }
        },
    ))
}

async fn queue(State(st): State<Visits>, sess: Sess, Path(id): Path<String>) -> Page {
    let u = require!(staff(&sess));
    let est = establishment_for(&st, &u, &id).await?;
    let waiting = visits::by_status(&st.db, &id, Status::Requested, 200).await?;
    let booked = visits::by_status(&st.db, &id, Status::Booked, 200).await?;
    audit::log(
        &st.db,
        &u.id,
        "queue.view",
        &id,
        &format!(
            "viewed {} requests and {} booked visits",
            waiting.len(),
            booked.len()
        ),
    )
    .await?;
    let c = sess.ctx(&st);
    let table = |rows: &[Visit], caption: &str| -> Markup {
        html! {
            table class="govuk-table" {
                caption class="govuk-table__caption govuk-table__caption--m" { (caption) " (" (rows.len()) ")" }
                thead class="govuk-table__head" { tr class="govuk-table__row" {
                    th scope="col" class="govuk-table__header" { "Reference" }
                    th scope="col" class="govuk-table__header" { "Prisoner" }
                    th scope="col" class="govuk-table__header" { "Lead visitor" }
                    th scope="col" class="govuk-table__header" { "Requested" }
                } }
                tbody class="govuk-table__body" {
                    @for v in rows {
                        tr class="govuk-table__row" {
                            td class="govuk-table__cell" { a class="govuk-link" href={ "/staff/visits/" (v.id) } { (v.reference) } }
                            td class="govuk-table__cell" { (v.prisoner_name) " " (v.prisoner_number) }
                            td class="govuk-table__cell" { (v.lead_name) }
                            td class="govuk-table__cell" { (pages::when(v.created_at)) }
                        }
                    }
                }
            }
        }
    };
    Ok(c.page(
        &format!("{} visit requests", est.name),
        &Errors::default(),
        html! {
            (back("/staff"))
            span class="govuk-caption-l" { (est.name) }
            h1 class="govuk-heading-l" { "Visit requests" }
            p class="govuk-body" {
                a class="govuk-link" href={ "/staff/establishments/" (est.id) "/blocked" } { "Blocked dates" }
                @if u.can_administer(&est.id) { " | " a class="govuk-link" href={ "/staff/establishments/" (est.id) "/settings" } { "Settings" } }
            }
            @if waiting.is_empty() { p class="govuk-body" { "No requests are waiting." } } @else { (table(&waiting, "Waiting")) }
            @if !booked.is_empty() { (table(&booked, "Booked")) }
        },
    ))
}

async fn staff_visit(
    st: &Visits,
    u: &SessionUser,
    id: &str,
) -> Result<(Visit, Establishment), Error> {
    let v = visits::get_visit(&st.db, id).await?;
    let est = establishment_for(st, u, &v.establishment_id).await?;
    Ok((v, est))
}

async fn render_visit(
    st: &Visits,
    c: &OwnedCtx,
    v: &Visit,
    est: &Establishment,
    f: &BTreeMap<String, String>,
    e: &Errors,
) -> Result<Response, Error> {
    let mut slots = Vec::new();
    for p in &v.preferences {
        slots.push(establishments::slot(&st.db, p).await?);
    }
    let history = visits::events(&st.db, &v.id).await?;
    // The approved list as it stands on the day of the visit: the session
    // booked, or the earliest asked for.
    let allocated = match &v.allocated_slot {
        Some(a) => establishments::slot(&st.db, a).await?,
        None => None,
    };
    let day = allocated
        .as_ref()
        .map(|s| s.date)
        .or_else(|| slots.iter().flatten().map(|s| s.date).min())
        .unwrap_or_else(today);
    let mut people = vec![(v.lead_name.as_str(), v.lead_dob.as_str())];
    people.extend(v.visitors.iter().map(|(n, d)| (n.as_str(), d.as_str())));
    let listed = visits::approved_list_says(&st.db, &v.prisoner_number, &people, day).await?;
    let on_list = |i: usize| listed.get(i).copied().flatten().map(list_tag);
    let mut rows = vec![
        ("Status".to_owned(), crate::tag(v.status), None),
        (
            "Prisoner".to_owned(),
            html! { (v.prisoner_name) br; (v.prisoner_number) br; "Born " (pages::long_date(&v.prisoner_dob)) },
            None,
        ),
        (
            "Lead visitor".to_owned(),
            html! {
                (v.lead_name) br; "Born " (pages::long_date(&v.lead_dob)) br; (v.lead_email) br; (v.lead_phone)
                @if let Some(t) = on_list(0) { br; "Approved visitor list: " (t) }
            },
            None,
        ),
    ];
    for (i, (n, d)) in v.visitors.iter().enumerate() {
        rows.push((
            format!("Visitor {}", i + 1),
            html! {
                (n) br; "Born " (pages::long_date(d))
                @if let Some(t) = on_list(i + 1) { br; "Approved visitor list: " (t) }
            },
            None,
        ));
    }
    rows.push(("Support needs".to_owned(), html! { @if v.support_needs.is_empty() { "None" } @else { (pages::multiline(&v.support_needs)) } }, None));
    for (i, s) in slots.iter().enumerate() {
        rows.push((format!("Choice {}", i + 1), html! {
            @if let Some(s) = s { (s.label()) " (" (s.open_capacity - s.open_booked) " open places left)" } @else { (v.preferences[i]) }
        }, None));
    }
    if let Some(a) = &v.allocated_slot {
        let label = allocated
            .as_ref()
            .map(|s| s.label())
            .unwrap_or_else(|| a.clone());
        rows.push((
            "Booked session".to_owned(),
            html! { (label) " (" (v.visit_kind.clone().unwrap_or_default()) " visit)" },
            None,
        ));
    }
    let slot_options: Vec<(String, String, Option<Markup>)> = slots
        .iter()
        .flatten()
        .map(|s| {
            (
                s.id.clone(),
                format!(
                    "{} ({} open places left)",
                    s.label(),
                    s.open_capacity - s.open_booked
                ),
                None,
            )
        })
        .collect();
    let reasons: Vec<(String, String, Option<Markup>)> = REJECTION_REASONS
        .iter()
        .map(|(code, label)| {
            let reveal = match *code {
                "banned" => Some(date_input(
                    "banned-until",
                    "Banned until",
                    "For example, 27 3 2026",
                    f,
                    e,
                    false,
                )),
                "other" => Some(input(
                    "reason-detail",
                    "Give details",
                    field(f, "reason-detail"),
                    e,
                    Input::default(),
                )),
                _ => None,
            };
            (code.to_string(), label.to_string(), reveal)
        })
        .collect();
    let selected_slot = if field(f, "slot").is_empty() {
        v.preferences.first().cloned().unwrap_or_default()
    } else {
        field(f, "slot").to_owned()
    };
    let kind_selected = if field(f, "kind").is_empty() {
        "open"
    } else {
        field(f, "kind")
    };
    // The buttons are the moves the workflow table offers this member of
    // staff from the visit's state.
    let who = c.user.as_ref().map(Who::of).unwrap_or_default();
    let can = |action: &str| {
        who.iter()
            .any(|w| crate::workflow::WORKFLOW.offers(action, v.status, *w))
    };
    Ok(c.page(
        &format!("Visit request {}", v.reference),
        e,
        html! {
            (back(&format!("/staff/establishments/{}", est.id)))
            (error_summary(e))
            span class="govuk-caption-l" { (est.name) }
            h1 class="govuk-heading-l" { "Visit request " (v.reference) }
            (summary_list(&rows))
            @if can(crate::workflow::ACCEPT) || can(crate::workflow::REJECT) {
                div class="govuk-grid-row" {
                    div class="govuk-grid-column-one-half" {
                        h2 class="govuk-heading-m" { "Accept" }
                        form method="post" action={ "/staff/visits/" (v.id) "/accept" } novalidate {
                            (csrf(&c.csrf))
                            (radios("slot", "Session to book", &slot_options, &selected_slot, e))
                            (radios("kind", "Type of visit", &[("open".into(), "Open".into(), None), ("closed".into(), "Closed".into(), None)], kind_selected, e))
                            (button("Accept and book"))
                        }
                    }
                    div class="govuk-grid-column-one-half" {
                        h2 class="govuk-heading-m" { "Reject" }
                        form method="post" action={ "/staff/visits/" (v.id) "/reject" } novalidate {
                            (csrf(&c.csrf))
                            (radios("reason", "Reason", &reasons, field(f, "reason"), e))
                            button type="submit" class="govuk-button govuk-button--warning" data-module="govuk-button" data-prevent-double-click="true" { "Reject request" }
                        }
                    }
                }
            }
            @if can(crate::workflow::STAFF_CANCEL) {
                h2 class="govuk-heading-m" { "Cancel this visit" }
                form method="post" action={ "/staff/visits/" (v.id) "/cancel" } novalidate {
                    (csrf(&c.csrf))
                    (textarea("cancel-reason", "Reason for cancelling", "The visitor will see this in their email", field(f, "cancel-reason"), e))
                    button type="submit" class="govuk-button govuk-button--warning" data-module="govuk-button" { "Cancel visit" }
                }
            }
            h2 class="govuk-heading-m" { "History" }
            ul class="govuk-list" {
                @for h in &history { li { (pages::when(h.at)) ": " (h.detail) } }
            }
        },
    ))
}

/// Where a visitor stands on the prisoner's approved visitor list, as a
/// tag.
fn list_tag(check: Check) -> Markup {
    match check {
        Check::Approved => pages::tag("govuk-tag--green", "Approved"),
        Check::NotApproved => pages::tag("govuk-tag--red", "Not on the list"),
        Check::NotRecorded => pages::tag("govuk-tag--grey", "List not kept in this service"),
    }
}

async fn visit_page(State(st): State<Visits>, sess: Sess, Path(id): Path<String>) -> Page {
    let u = require!(staff(&sess));
    let (v, est) = staff_visit(&st, &u, &id).await?;
    audit::log(&st.db, &u.id, "visit.view", &v.id, "viewed a visit request").await?;
    let c = sess.ctx(&st);
    Ok(render_visit(&st, &c, &v, &est, &BTreeMap::new(), &Errors::default()).await?)
}

async fn accept_post(
    State(st): State<Visits>,
    sess: Sess,
    Path(id): Path<String>,
    FormIn(f): FormIn,
) -> Page {
    let u = require!(staff(&sess));
    let (v, est) = staff_visit(&st, &u, &id).await?;
    let mut e = Errors::default();
    let slot = field(&f, "slot");
    if !v.preferences.iter().any(|p| p == slot) {
        e.add("slot", "Select one of the sessions the visitor chose");
    }
    let kind = match field(&f, "kind") {
        "open" => Some(VisitKind::Open),
        "closed" => Some(VisitKind::Closed),
        _ => {
            e.add("kind", "Select open or closed");
            None
        }
    };
    if let (true, Some(kind)) = (e.is_empty(), kind) {
        match visits::accept(&st.db, &id, slot, kind, &u.actor()).await {
            Ok(()) => {
                return Ok(emailed_back_to_queue(
                    &st,
                    &sess,
                    &est,
                    format!(
                        "Visit {} is booked and the visitor has been emailed",
                        v.reference
                    ),
                ));
            }
            Err(visits::AcceptError::SessionFull) => e.add(
                "slot",
                "That session is full: choose another session or reject the request",
            ),
            Err(visits::AcceptError::Other(Error::Conflict(m))) => {
                e.add("slot", forms::capital(&m))
            }
            Err(visits::AcceptError::Other(other)) => return Err(other.into()),
        }
    }
    let v = visits::get_visit(&st.db, &id).await?;
    let c = sess.ctx(&st);
    Ok(render_visit(&st, &c, &v, &est, &f, &e).await?)
}

/// After a change the visitor has been emailed about: wake the mailer, tell
/// the member of staff what happened, and take them back to the queue.
fn emailed_back_to_queue(
    st: &Visits,
    sess: &Sess,
    est: &Establishment,
    notice: String,
) -> Response {
    st.mail_waiting();
    sess.update(|s| s.notice = Some(notice));
    see_other(&format!("/staff/establishments/{}", est.id))
}

async fn reject_post(
    State(st): State<Visits>,
    sess: Sess,
    Path(id): Path<String>,
    FormIn(f): FormIn,
) -> Page {
    let u = require!(staff(&sess));
    let (v, est) = staff_visit(&st, &u, &id).await?;
    let mut e = Errors::default();
    let reason = field(&f, "reason");
    let mut detail = None;
    let mut banned_until = None;
    if !REJECTION_REASONS.iter().any(|(c, _)| *c == reason) {
        e.add("reason", "Select a reason");
    }
    if reason == "other" {
        let d = forms::free_text(
            field(&f, "reason-detail"),
            "reason-detail",
            "details",
            &mut e,
        );
        match d {
            Some(d) if !d.is_empty() && d.chars().count() <= forms::MAX_LINE * 3 => {
                detail = Some(d)
            }
            Some(_) => e.add(
                "reason-detail",
                "Give details of the reason (300 characters or fewer)",
            ),
            None => {}
        }
    }
    if reason == "banned"
        && let Some(d) = forms::date(&f, "banned-until", "the date the ban ends", &mut e)
    {
        if d < today() {
            e.add(
                "banned-until",
                "The date the ban ends must be today or in the future",
            );
        } else {
            banned_until = Some(d);
        }
    }
    if e.is_empty() {
        let r = Rejection {
            reason: reason.to_owned(),
            detail,
            banned_until,
        };
        match visits::reject(&st.db, &id, &r, &u.actor()).await {
            Ok(()) => {
                return Ok(emailed_back_to_queue(
                    &st,
                    &sess,
                    &est,
                    format!(
                        "Visit request {} is rejected and the visitor has been emailed",
                        v.reference
                    ),
                ));
            }
            Err(Error::Conflict(m)) => e.add("reason", forms::capital(&m)),
            Err(other) => return Err(other.into()),
        }
    }
    let v = visits::get_visit(&st.db, &id).await?;
    let c = sess.ctx(&st);
    Ok(render_visit(&st, &c, &v, &est, &f, &e).await?)
}

async fn cancel_post(
    State(st): State<Visits>,
    sess: Sess,
    Path(id): Path<String>,
    FormIn(f): FormIn,
) -> Page {
    let u = require!(staff(&sess));
    let (v, est) = staff_visit(&st, &u, &id).await?;
    let mut e = Errors::default();
    let reason = forms::free_text(
        field(&f, "cancel-reason"),
        "cancel-reason",
        "the reason",
        &mut e,
    );
    match reason {
        Some(r) if !r.is_empty() => match visits::cancel(&st.db, &id, &r, &u.actor(), true).await {
            Ok(()) => {
                return Ok(emailed_back_to_queue(
                    &st,
                    &sess,
                    &est,
                    format!(
                        "Visit {} is cancelled and the visitor has been emailed",
                        v.reference
                    ),
                ));
            }
            Err(Error::Conflict(m)) => e.add("cancel-reason", forms::capital(&m)),
            Err(other) => return Err(other.into()),
        },
        Some(_) => e.add("cancel-reason", "Enter the reason for cancelling"),
        None => {}
    }
    let c = sess.ctx(&st);
    Ok(render_visit(&st, &c, &v, &est, &f, &e).await?)
}

async fn render_blocked(
    st: &Visits,
    c: &OwnedCtx,
    est: &Establishment,
    f: &BTreeMap<String, String>,
    e: &Errors,
) -> Result<Response, Error> {
    let list = establishments::blocked_dates(&st.db, &est.id, today()).await?;
    Ok(c.page(
        &format!("{} blocked dates", est.name),
        e,
        html! {
            (back(&format!("/staff/establishments/{}", est.id)))
            div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                (error_summary(e))
                span class="govuk-caption-l" { (est.name) }
                h1 class="govuk-heading-l" { "Blocked dates" }
                p class="govuk-body" { "No visits can be requested on a blocked date. Requests already made for it stay in the queue; cancel booked visits on it one by one, so that each visitor is told." }
                @if list.is_empty() { p class="govuk-body" { "No dates are blocked." } } @else {
                    dl class="govuk-summary-list" {
                        @for b in &list {
                            div class="govuk-summary-list__row" {
                                dt class="govuk-summary-list__key" { (b.date.format("%A %-d %B %Y")) }
                                dd class="govuk-summary-list__value" { (b.reason) }
                                dd class="govuk-summary-list__actions" {
                                    form method="post" action={ "/staff/establishments/" (est.id) "/blocked/remove" } {
                                        (csrf(&c.csrf))
                                        input type="hidden" name="date" value=(b.date.to_string());
                                        button type="submit" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" { "Unblock" span class="govuk-visually-hidden" { " " (b.date) } }
                                    }
                                }
                            }
                        }
                    }
                }
                h2 class="govuk-heading-m" { "Block a date" }
                form method="post" action={ "/staff/establishments/" (est.id) "/blocked" } novalidate {
                    (csrf(&c.csrf))
                    (date_input("block-date", "Date", "For example, 25 12 2026", f, e, false))
                    (input("block-reason", "Reason", field(f, "block-reason"), e, Input { hint: Some("Seen by staff only"), ..Default::default() }))
                    (button("Block date"))
                }
            } }
        },
    ))
}

async fn blocked_form(State(st): State<Visits>, sess: Sess, Path(id): Path<String>) -> Page {
    let u = require!(staff(&sess));
    let est = establishment_for(&st, &u, &id).await?;
    let c = sess.ctx(&st);
    Ok(render_blocked(&st, &c, &est, &BTreeMap::new(), &Errors::default()).await?)
}

async fn blocked_post(
    State(st): State<Visits>,
    sess: Sess,
    Path(id): Path<String>,
    FormIn(f): FormIn,
) -> Page {
    let u = require!(staff(&sess));
    let est = establishment_for(&st, &u, &id).await?;
    let mut e = Errors::default();
    let date = forms::date(&f, "block-date", "the date", &mut e);
    if let Some(d) = date
        && d < today()
    {
        e.add("block-date", "The date must be today or in the future");
    }
    let reason = forms::free_text(
        field(&f, "block-reason"),
        "block-reason",
        "the reason",
        &mut e,
    );
    if matches!(&reason, Some(r) if r.is_empty()) {
        e.add("block-reason", "Enter the reason");
    }
    if let (true, Some(d), Some(r)) = (e.is_empty(), date, reason) {
        establishments::block_date(
            &st.db,
            &id,
            d,
            &r,
            &Line {
                actor: &u.id,
                action: "establishment.block_date",
                subject: &id,
                detail: format!("blocked {d}"),
            },
        )
        .await?;

        sess.update(|s| s.notice = Some(format!("{} is blocked", d.format("%-d %B %Y"))));
        return Ok(see_other(&format!("/staff/establishments/{id}/blocked")));
    }
    let c = sess.ctx(&st);
    Ok(render_blocked(&st, &c, &est, &f, &e).await?)
}

async fn unblock_post(
    State(st): State<Visits>,
    sess: Sess,
    Path(id): Path<String>,
    FormIn(f): FormIn,
) -> Page {
    let u = require!(staff(&sess));
    establishment_for(&st, &u, &id).await?;
    if let Ok(d) = NaiveDate::parse_from_str(field(&f, "date"), "%Y-%m-%d") {
        establishments::unblock_date(
            &st.db,
            &id,
            d,
            &Line {
                actor: &u.id,
                action: "establishment.unblock_date",
                subject: &id,
                detail: format!("unblocked {d}"),
            },
        )
        .await?;
    }
    Ok(see_other(&format!("/staff/establishments/{id}/blocked")))
}

async fn render_settings(
    st: &Visits,
    c: &OwnedCtx,
    est: &Establishment,
    f: &BTreeMap<String, String>,
    e: &Errors,
) -> Result<Response, Error> {
    let templates = establishments::templates(&st.db, &est.id).await?;
    let days = [
        "",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ];
    let window = f
        .get("window")
        .cloned()
        .unwrap_or_else(|| est.booking_window_days.to_string());
    let notice = f
        .get("notice")
        .cloned()
        .unwrap_or_else(|| est.min_notice_working_days.to_string());
    let one_offs = establishments::one_offs(&st.db, &est.id, today()).await?;
    let day_options: Vec<(String, String)> =
        std::iter::once((String::new(), "Select a day".to_owned()))
            .chain((1..=7).map(|d| (d.to_string(), days[d].to_owned())))
            .collect();
    Ok(c.page(
        &format!("{} settings", est.name),
        e,
        html! {
            (back(&format!("/staff/establishments/{}", est.id)))
            div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                (error_summary(e))
                span class="govuk-caption-l" { (est.name) }
                h1 class="govuk-heading-l" { "Settings" }
                form method="post" action={ "/staff/establishments/" (est.id) "/settings" } novalidate {
                    (csrf(&c.csrf))
                    (input("window", "Booking window (days ahead)", &window, e, Input { width: Some("3"), hint: Some("Between 1 and 90"), ..Default::default() }))
                    (input("notice", "Minimum notice (working days)", &notice, e, Input { width: Some("3"), hint: Some("Between 0 and 10; England and Wales bank holidays do not count"), ..Default::default() }))
                    (button("Save settings"))
                }
                h2 class="govuk-heading-m" { "Recurring sessions" }
                table class="govuk-table" {
                    thead class="govuk-table__head" { tr class="govuk-table__row" {
                        th scope="col" class="govuk-table__header" { "Day" }
                        th scope="col" class="govuk-table__header" { "Time" }
                        th scope="col" class="govuk-table__header govuk-table__header--numeric" { "Open places" }
                        th scope="col" class="govuk-table__header govuk-table__header--numeric" { "Closed places" }
                        th scope="col" class="govuk-table__header" { span class="govuk-visually-hidden" { "Action" } }
                    } }
                    tbody class="govuk-table__body" {
                        @for t in &templates {
                            tr class="govuk-table__row" {
                                td class="govuk-table__cell" { (days[t.weekday.clamp(1, 7) as usize]) }
                                td class="govuk-table__cell" { (establishments::clock(&t.start)) " to " (establishments::clock(&t.end)) }
                                td class="govuk-table__cell govuk-table__cell--numeric" { (t.open_capacity) }
                                td class="govuk-table__cell govuk-table__cell--numeric" { (t.closed_capacity) }
                                td class="govuk-table__cell" {
                                    form method="post" action={ "/staff/establishments/" (est.id) "/sessions/remove" } {
                                        (csrf(&c.csrf))
                                        input type="hidden" name="template" value=(t.id);
                                        button type="submit" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" {
                                            "Remove" span class="govuk-visually-hidden" { " " (days[t.weekday.clamp(1, 7) as usize]) " " (t.start) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                h3 class="govuk-heading-s" { "Add a weekly session" }
                form method="post" action={ "/staff/establishments/" (est.id) "/sessions" } novalidate {
                    (csrf(&c.csrf))
                    (pages::select("weekly-day", "Day", None, &day_options, field(f, "weekly-day"), e))
                    (session_fields("weekly", f, e))
                    (button("Add weekly session"))
                }
                h2 class="govuk-heading-m" { "One-off sessions" }
                @if one_offs.is_empty() { p class="govuk-body" { "None coming up." } }
                ul class="govuk-list" {
                    @for s in &one_offs { li { (s.label()) " (" (s.open_capacity) " open, " (s.closed_capacity) " closed places)" } }
                }
                form method="post" action={ "/staff/establishments/" (est.id) "/one-off" } novalidate {
                    (csrf(&c.csrf))
                    (date_input("oneoff-date", "Date", "For example, 27 3 2026", f, e, false))
                    (session_fields("oneoff", f, e))
                    (button("Add one-off session"))
                }
            } }
        },
    ))
}

async fn settings_form(State(st): State<Visits>, sess: Sess, Path(id): Path<String>) -> Page {
    let u = require!(staff(&sess));
    if !u.can_administer(&id) {
        return Err(Error::Forbidden.into());
    }
    let est = establishment_for(&st, &u, &id).await?;
    let c = sess.ctx(&st);
    Ok(render_settings(&st, &c, &est, &BTreeMap::new(), &Errors::default()).await?)
}

async fn settings_post(
    State(st): State<Visits>,
    sess: Sess,
    Path(id): Path<String>,
    FormIn(f): FormIn,
) -> Page {
    let u = require!(staff(&sess));
    if !u.can_administer(&id) {
        return Err(Error::Forbidden.into());
    }
    let est = establishment_for(&st, &u, &id).await?;
    let mut e = Errors::default();
    let window: Option<i64> = field(&f, "window")
        .trim()
        .parse()
        .ok()
        .filter(|w| (1..=90).contains(w));
    if window.is_none() {
        e.add(
            "window",
            "Booking window must be a whole number of days between 1 and 90",
        );
    }
    let notice: Option<i64> = field(&f, "notice")
        .trim()
        .parse()
        .ok()
        .filter(|n| (0..=10).contains(n));
    if notice.is_none() {
        e.add(
            "notice",
            "Minimum notice must be a whole number of working days between 0 and 10",
        );
    }
    if let (Some(w), Some(n)) = (window, notice) {
        establishments::update_settings(
            &st.db,
            &id,
            w,
            n,
            &Line {
                actor: &u.id,
                action: "establishment.settings",
                subject: &id,
                detail: format!("window {w} days, notice {n} working days"),
            },
        )
        .await?;
        st.establishments_changed().await;

        sess.update(|s| s.notice = Some("Settings saved".into()));
        return Ok(see_other(&format!("/staff/establishments/{id}/settings")));
    }
    let c = sess.ctx(&st);
    Ok(render_settings(&st, &c, &est, &f, &e).await?)
}

fn session_fields(prefix: &str, f: &BTreeMap<String, String>, e: &Errors) -> Markup {
    let small = |name: &str, label: &str, hint: &'static str| {
        let id = format!("{prefix}-{name}");
        input(
            &id,
            label,
            field(f, &id),
            e,
            Input {
                width: Some("5"),
                hint: Some(hint),
                ..Default::default()
            },
        )
    };
    html! {
        (small("start", "Starts", "24-hour clock, like 14:00"))
        (small("end", "Ends", "24-hour clock, like 16:00"))
        (small("open", "Open places", "Visitor groups at open tables"))
        (small("closed", "Closed places", "Visitor groups behind a screen"))
    }
}

/// Checks the time and places fields shared by both session forms.
fn check_session_fields(
    prefix: &str,
    f: &BTreeMap<String, String>,
    e: &mut Errors,
) -> Option<(String, String, i64, i64)> {
    let time = |name: &str, label: &str, e: &mut Errors| {
        let id = format!("{prefix}-{name}");
        let v = field(f, &id).trim().to_owned();
        match chrono::NaiveTime::parse_from_str(&v, "%H:%M") {
            Ok(t) => Some(t.format("%H:%M").to_string()),
            Err(_) => {
                e.add(
                    &id,
                    format!("Enter the time the session {label} on the 24-hour clock, like 14:00"),
                );
                None
            }
        }
    };
    let places = |name: &str, label: &str, e: &mut Errors| {
        let id = format!("{prefix}-{name}");
        match field(f, &id).trim().parse::<i64>() {
            Ok(n) if (0..=500).contains(&n) => Some(n),
            _ => {
                e.add(
                    &id,
                    format!("{label} must be a whole number between 0 and 500"),
                );
                None
            }
        }
    };
    let start = time("start", "starts", e);
    let end = time("end", "ends", e);
    let open = places("open", "Open places", e);
    let closed = places("closed", "Closed places", e);
    if let (Some(s), Some(en)) = (&start, &end)
        && en <= s
    {
        e.add(
            format!("{prefix}-end"),
            "The session must end after it starts",
        );
    }
    if open == Some(0) && closed == Some(0) {
        e.add(
            format!("{prefix}-open"),
            "A session needs at least one place",
        );
    }
    match (start, end, open, closed) {
        (Some(s), Some(en), Some(o), Some(c)) if e.is_empty() => Some((s, en, o, c)),
        _ => None,
    }
}

async fn admin_establishment(
    st: &Visits,
    sess: &Sess,
    id: &str,
) -> Result<Result<(SessionUser, Establishment), Response>, Error> {
    let u = match staff(sess) {
        Ok(u) => u,
        Err(r) => return Ok(Err(*r)),
    };
    if !u.can_administer(id) {
        return Err(Error::Forbidden);
    }
    let est = establishment_for(st, &u, id).await?;
    Ok(Ok((u, est)))
}

async fn add_weekly_post(
    State(st): State<Visits>,
    sess: Sess,
    Path(id): Path<String>,
    FormIn(f): FormIn,
) -> Page {
    let (u, est) = match admin_establishment(&st, &sess, &id).await? {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    let mut e = Errors::default();
    let day = field(&f, "weekly-day")
        .parse::<i64>()
        .ok()
        .filter(|d| (1..=7).contains(d));
    if day.is_none() {
        e.add("weekly-day", "Select the day of the week");
    }
    let fields = check_session_fields("weekly", &f, &mut e);
    if let (Some(weekday), Some((start, end, open, closed))) = (day, fields) {
        let t = establishments::Template {
            id: String::new(),
            weekday,
            start,
            end,
            open_capacity: open,
            closed_capacity: closed,
        };
        match establishments::add_template(
            &st.db,
            &id,
            &t,
            &Line {
                actor: &u.id,
                action: "establishment.session_add",
                subject: &id,
                detail: format!("weekly session day {weekday} {}-{}", t.start, t.end),
            },
        )
        .await
        {
            Ok(()) => {
                sess.update(|s| s.notice = Some("Weekly session added".into()));
                return Ok(see_other(&format!("/staff/establishments/{id}/settings")));
            }
            Err(Error::Conflict(m)) => e.add("weekly-start", m),
            Err(other) => return Err(other.into()),
        }
    }
    let c = sess.ctx(&st);
    Ok(render_settings(&st, &c, &est, &f, &e).await?)
}

async fn remove_weekly_post(
    State(st): State<Visits>,
    sess: Sess,
    Path(id): Path<String>,
    FormIn(f): FormIn,
) -> Page {
    let (u, _) = match admin_establishment(&st, &sess, &id).await? {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    establishments::remove_template(
        &st.db,
        &id,
        field(&f, "template"),
        &Line {
            actor: &u.id,
            action: "establishment.session_remove",
            subject: &id,
            detail: "weekly session removed".into(),
        },
    )
    .await?;

    sess.update(|s| {
        s.notice = Some("Weekly session removed. Visits already booked into it are kept.".into())
    });
    Ok(see_other(&format!("/staff/establishments/{id}/settings")))
}

async fn add_one_off_post(
    State(st): State<Visits>,
    sess: Sess,
    Path(id): Path<String>,
    FormIn(f): FormIn,
) -> Page {
    let (u, est) = match admin_establishment(&st, &sess, &id).await? {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    let mut e = Errors::default();
    let date = forms::date(&f, "oneoff-date", "the date", &mut e);
    if let Some(d) = date
        && d < today()
    {
        e.add("oneoff-date", "The date must be today or in the future");
    }
    let fields = check_session_fields("oneoff", &f, &mut e);
    if let (true, Some(d), Some((start, end, open, closed))) = (e.is_empty(), date, fields) {
        let detail = format!("one-off session {d} {start}-{end}");
        establishments::add_one_off(
            &st.db,
            &id,
            &establishments::OneOff {
                date: d,
                start,
                end,
                open_capacity: open,
                closed_capacity: closed,
            },
            &Line {
                actor: &u.id,
                action: "establishment.session_add",
                subject: &id,
                detail,
            },
        )
        .await?;

        sess.update(|s| s.notice = Some("One-off session added".into()));
        return Ok(see_other(&format!("/staff/establishments/{id}/settings")));
    }
    let c = sess.ctx(&st);
    Ok(render_settings(&st, &c, &est, &f, &e).await?)
}
