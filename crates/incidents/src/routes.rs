//! The incidents system's pages: the list staff search, reporting an
//! incident, a report with its answers, people, history and the moves
//! the user may make, the security team's investigation, the statistics
//! and the FOI extract.
//!
//! Who sees a report is decided here, on the record: its establishment's
//! security team, national security, and the officer who wrote it. Every
//! opening of a report is audited.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use maud::{Markup, html};
use platform::require;
use platform::rules::{Routes, Rule};
use platform::sessions::SessionUser;
use platform::web::{FormIn, Page, Sess, forbidden, see_other};
use platform::workflow::{State as _, Who};
use platform::{Error, audit};
use ui::forms::{self, Errors, Fields, get as field};
use ui::{Input, button, csrf, input, summary_list};

use crate::Incidents;
use crate::foi;
use crate::investigation::{self, OUTCOMES};
use crate::report::{self, Edit, Filter, Incident, Move, NewPerson, NewReport, Scope};
use crate::stats;
use crate::types::{self, Answers, Given, IncidentType, Kind};
use crate::workflow::{self, Status, WORKFLOW};

const SERVICE: &str = "Security incidents";

/// Every page, with who each is for.
pub fn router(incidents: Incidents) -> Routes {
    use Rule::{Incidents as Any, Security};
    Routes::new()
        .get("/incidents", Any, list)
        .get_post("/incidents/new", Any, new_form, new_post)
        .get("/incidents/statistics", Security, statistics)
        .get("/incidents/statistics.csv", Security, statistics_csv)
        .get("/incidents/foi-extract", Security, foi_page)
        .get("/incidents/foi-extract.csv", Security, foi_csv)
        .post("/incidents/foi-extract/release", Security, foi_release)
        .get("/incidents/types", Any, types_page)
        .get("/incidents/{id}", Any, show)
        .get_post("/incidents/{id}/edit", Any, edit_form, edit_post)
        .post("/incidents/{id}/people", Any, person_add)
        .post("/incidents/{id}/people/{person}/remove", Any, person_remove)
        .post("/incidents/{id}/addendum", Any, addendum_post)
        .post("/incidents/{id}/move/{action}", Any, move_post)
        .post(
            "/incidents/{id}/investigation/{what}",
            Security,
            investigation_post,
        )
        .with_state(incidents)
}

fn user(sess: &Sess) -> Result<SessionUser, Box<Response>> {
    sess.user().ok_or_else(|| Box::new(see_other("/sign-in")))
}

/// What `u` may see: every report of the establishments whose reports
/// they review, and their own.
fn scope(u: &SessionUser) -> Scope {
    let reviews: Option<Vec<String>> = if u.has(platform::accounts::Role::NationalSecurity) {
        None
    } else {
        Some(
            u.grants
                .iter()
                .filter(|g| g.role == platform::accounts::Role::SecurityTeam)
                .map(|g| g.scope.id().to_owned())
                .collect(),
        )
    };
    Scope {
        establishments: reviews,
        reporter: Some(u.id.clone()),
    }
}

/// Whether `u` may open `i`.
fn may_see(u: &SessionUser, i: &Incident) -> bool {
    u.reviews_incidents_at(&i.establishment_id) || (u.is_incidents_staff() && i.reported_by == u.id)
}

/// Whether `u` may change `i`'s details now: the author in their turn,
/// or its security team until it is finished.
fn may_edit(u: &SessionUser, i: &Incident) -> bool {
    (i.reported_by == u.id && i.status.reporters_turn() && u.is_incidents_staff())
        || (u.reviews_incidents_at(&i.establishment_id) && !i.status.is_final())
}

/// The moves `u` may make on `i` now.
fn moves(u: &SessionUser, i: &Incident) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    let own = i.reported_by == u.id;
    let warden = u.reviews_incidents_at(&i.establishment_id);
    for who in Who::of(u) {
        for t in WORKFLOW.actions_from(i.status, who) {
            let reporters_move = matches!(
                t.action,
                workflow::SUBMIT | workflow::RECALL | workflow::RESUBMIT
            );
            let ok = if reporters_move {
                own || warden
            } else {
                warden
            };
            if ok && !out.contains(&t.action) {
                out.push(t.action);
            }
        }
    }
    out
}

async fn load(
    st: &Incidents,
    sess: &Sess,
    id: &str,
) -> Result<(SessionUser, Incident), Box<Response>> {
    let u = user(sess)?;
    let i = match report::get(&st.db, id).await {
        Ok(i) => i,
        Err(e) => return Err(Box::new(platform::web::AppError(e).into_response())),
    };
    if !may_see(&u, &i) {
        return Err(forbidden());
    }
    Ok((u, i))
}

async fn names(st: &Incidents) -> BTreeMap<String, String> {
    st.establishments()
        .await
        .map(|l| l.iter().map(|e| (e.id.clone(), e.name.clone())).collect())
        .unwrap_or_default()
}

fn status_tag(s: Status) -> Markup {
    let colour = match s {
        Status::Draft => "govuk-tag--grey",
        Status::AwaitingReview | Status::Updated | Status::Reopened => "govuk-tag--blue",
        Status::OnHold => "govuk-tag--yellow",
        Status::NeedsUpdating | Status::WasClosed => "govuk-tag--orange",
        Status::Closed => "govuk-tag--green",
        Status::Duplicate | Status::NotReportable => "govuk-tag--grey",
    };
    ui::tag(colour, s.label())
}

fn now_naive(st: &Incidents) -> NaiveDateTime {
    chrono::DateTime::from_timestamp(st.clock.now(), 0)
        .map(|d| d.naive_utc())
        .unwrap_or_default()
}

fn date_field(fields: &Fields, prefix: &str) -> Option<NaiveDate> {
    let d = field(fields, &format!("{prefix}-day")).trim();
    let m = field(fields, &format!("{prefix}-month")).trim();
    let y = field(fields, &format!("{prefix}-year")).trim();
    if d.is_empty() && m.is_empty() && y.is_empty() {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// The incident's date and time from the form, with its errors.
fn occurred(fields: &Fields, errors: &mut Errors, now: NaiveDateTime) -> Option<NaiveDateTime> {
    let date = forms::date(fields, "occurred-date", "the date of the incident", errors);
    let time = field(fields, "occurred-time").trim();
    let time = match NaiveTime::parse_from_str(time, "%H:%M") {
        Ok(t) => Some(t),
        Err(_) => {
            errors.add(
                "occurred-time",
                "Enter the time of the incident using the 24-hour clock, like 14:30",
            );
            None
        }
    };
    let at = date?.and_time(time?);
    if at > now + chrono::Duration::minutes(5) {
        errors.add(
            "occurred-date",
            "The date and time of the incident must be in the past",
        );
        return None;
    }
    Some(at)
}

fn date_parts(fields: &mut Fields, prefix: &str, at: NaiveDateTime) {
    use chrono::Datelike;
    fields.insert(format!("{prefix}-day"), at.day().to_string());
    fields.insert(format!("{prefix}-month"), at.month().to_string());
    fields.insert(format!("{prefix}-year"), at.year().to_string());
}

fn at_naive(t: i64) -> NaiveDateTime {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|d| d.naive_utc())
        .unwrap_or_default()
}

// ---------------------------------------------------------------- list

async fn list(
    State(st): State<Incidents>,
    sess: Sess,
    Query(q): Query<BTreeMap<String, String>>,
) -> Page {
    let u = require!(user(&sess));
    let scope = scope(&u);
    let names = names(&st).await;
    let types = types::active(&st.db).await?;
    let mut errors = Errors::default();
    let day = |k: &str, errors: &mut Errors| -> Option<i64> {
        let v = q.get(k).map(|s| s.trim()).unwrap_or("");
        if v.is_empty() {
            return None;
        }
        match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
            Ok(d) => Some(
                d.and_hms_opt(0, 0, 0)
                    .unwrap_or_default()
                    .and_utc()
                    .timestamp(),
            ),
            Err(_) => {
                errors.add(k, "Enter a date in the form 2025-03-31");
                None
            }
        }
    };
    let filter = Filter {
        establishment: q.get("establishment").filter(|s| !s.is_empty()).cloned(),
        status: q.get("status").and_then(|s| WORKFLOW.state(s)),
        type_code: q.get("type").filter(|s| !s.is_empty()).cloned(),
        from: day("from", &mut errors),
        to: day("to", &mut errors).map(|t| t + 86_400),
        text: q.get("q").cloned(),
    };
    let after = q.get("after").and_then(|a| {
        let (at, id) = a.split_once('_')?;
        Some((at.parse::<i64>().ok()?, id.to_owned()))
    });
    let (rows, next) = report::list(&st.db, &scope, &filter, after.as_ref(), 50).await?;
    let visible: Vec<(String, String)> = match &scope.establishments {
        None => names.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        Some(list) => list
            .iter()
            .map(|id| {
                (
                    id.clone(),
                    names.get(id).cloned().unwrap_or_else(|| id.clone()),
                )
            })
            .collect(),
    };
    let mut est_options = vec![(String::new(), "All".to_owned())];
    est_options.extend(visible.iter().cloned());
    let mut status_options = vec![(String::new(), "Any".to_owned())];
    status_options.extend(
        Status::ALL
            .iter()
            .map(|s| (s.as_str().to_owned(), s.label().to_owned())),
    );
    let mut type_options = vec![(String::new(), "Any".to_owned())];
    type_options.extend(types.iter().map(|t| (t.code.clone(), t.label.clone())));
    let label = |code: &str| {
        types
            .iter()
            .find(|t| t.code == code)
            .map(|t| t.label.clone())
            .unwrap_or_else(|| code.to_owned())
    };
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    let next_href = next.map(|(at, id)| {
        let mut params: Vec<(String, String)> = q
            .iter()
            .filter(|(k, _)| *k != "after")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        params.push(("after".into(), format!("{at}_{id}")));
        format!("/incidents?{}", encode(&params))
    });
    let c = sess.ctx(&st).in_service(SERVICE, "/incidents");
    Ok(c.page(
        "Incident reports",
        &errors,
        html! {
            (ui::error_summary(&errors))
            h1 class="govuk-heading-l" { "Incident reports" }
            a class="govuk-button" href="/incidents/new" data-module="govuk-button" { "Report an incident" }
            @if u.is_security() {
                p class="govuk-body" {
                    a class="govuk-link" href="/incidents/statistics" { "Statistics" } " · "
                    a class="govuk-link" href="/incidents/foi-extract" { "FOI extract" } " · "
                    a class="govuk-link" href="/incidents/types" { "Incident types" }
                }
            }
            @if scope.establishments.as_ref().is_some_and(|l| l.is_empty()) {
                p class="govuk-body" { "You see the reports you wrote. An establishment's security team sees all of its reports." }
            }
            form method="get" action="/incidents" novalidate {
                div class="govuk-grid-row" {
                    div class="govuk-grid-column-one-third" { (ui::select("establishment", "Establishment", None, &est_options, &get("establishment"), &errors)) }
                    div class="govuk-grid-column-one-third" { (ui::select("status", "Status", None, &status_options, &get("status"), &errors)) }
                    div class="govuk-grid-column-one-third" { (ui::select("type", "Type", None, &type_options, &get("type"), &errors)) }
                }
                div class="govuk-grid-row" {
                    div class="govuk-grid-column-one-third" { (input("from", "From (YYYY-MM-DD)", &get("from"), &errors, Input { width: Some("10"), ..Input::default() })) }
                    div class="govuk-grid-column-one-third" { (input("to", "To (YYYY-MM-DD)", &get("to"), &errors, Input { width: Some("10"), ..Input::default() })) }
                    div class="govuk-grid-column-one-third" { (input("q", "Reference or words in the title", &get("q"), &errors, Input::default())) }
                }
                button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Filter" }
            }
            @if rows.is_empty() {
                p class="govuk-body" { "No reports match." }
            } @else {
                table class="govuk-table" {
                    caption class="govuk-table__caption govuk-table__caption--s" { "Newest first" }
                    thead class="govuk-table__head" { tr class="govuk-table__row" {
                        th scope="col" class="govuk-table__header" { "Reference" }
                        th scope="col" class="govuk-table__header" { "When" }
                        th scope="col" class="govuk-table__header" { "Establishment" }
                        th scope="col" class="govuk-table__header" { "Type" }
                        th scope="col" class="govuk-table__header" { "Title" }
                        th scope="col" class="govuk-table__header" { "Status" }
                    } }
                    tbody class="govuk-table__body" {
                        @for r in &rows {
                            tr class="govuk-table__row" {
                                td class="govuk-table__cell" { a class="govuk-link" href={ "/incidents/" (r.id) } { (r.reference) } }
                                td class="govuk-table__cell" { (ui::when(r.occurred_at)) }
                                td class="govuk-table__cell" { (names.get(&r.establishment_id).cloned().unwrap_or_else(|| r.establishment_id.clone())) }
                                td class="govuk-table__cell" { (label(&r.type_code)) }
                                td class="govuk-table__cell" { (r.title) }
                                td class="govuk-table__cell" { (status_tag(r.status)) }
                            }
                        }
                    }
                }
            }
            @if let Some(href) = next_href {
                nav class="govuk-pagination govuk-pagination--block" aria-label="Pagination" {
                    div class="govuk-pagination__next" {
                        a class="govuk-link govuk-pagination__link" href=(href) rel="next" {
                            span class="govuk-pagination__link-title" { "Next" span class="govuk-visually-hidden" { " page" } }
                        }
                    }
                }
            }
        },
    ))
}

fn encode(params: &[(String, String)]) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{}={}", pct(k), pct(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn pct(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

// ---------------------------------------------------------------- new

/// Where `u` may report: the establishments of their grants (every one
/// for national security).
fn reportable(u: &SessionUser, names: &BTreeMap<String, String>) -> Vec<(String, String)> {
    names
        .iter()
        .filter(|(id, _)| u.reports_incidents_at(id))
        .map(|(id, n)| (id.clone(), n.clone()))
        .collect()
}

async fn new_form(State(st): State<Incidents>, sess: Sess) -> Page {
    let u = require!(user(&sess));
    new_page(&st, &sess, &u, &Fields::new(), &Errors::default()).await
}

async fn new_page(
    st: &Incidents,
    sess: &Sess,
    u: &SessionUser,
    f: &Fields,
    errors: &Errors,
) -> Page {
    let names = names(st).await;
    let places = reportable(u, &names);
    let types = types::active(&st.db).await?;
    let type_options: Vec<(String, String, Option<Markup>)> = types
        .iter()
        .map(|t| (t.code.clone(), t.label.clone(), None))
        .collect();
    let mut place_options = vec![(String::new(), "Choose an establishment".to_owned())];
    place_options.extend(places.iter().cloned());
    let c = sess.ctx(st).in_service(SERVICE, "/incidents");
    Ok(c.page(
        "Report an incident",
        errors,
        html! {
            a href="/incidents" class="govuk-back-link" { "Back" }
            (ui::error_summary(errors))
            h1 class="govuk-heading-l" { "Report an incident" }
            form method="post" action="/incidents/new" novalidate {
                (csrf(&c.csrf))
                (ui::radios("type", "What kind of incident was it?", &type_options, field(f, "type"), errors))
                (ui::select("establishment", "Where did it happen?", None, &place_options, field(f, "establishment"), errors))
                (ui::date_input("occurred-date", "When did it happen?", "For example, 27 3 2025", f, errors, false))
                (input("occurred-time", "At what time?", field(f, "occurred-time"), errors, Input { hint: Some("Use the 24-hour clock, like 14:30"), width: Some("5"), ..Input::default() }))
                (input("title", "Title", field(f, "title"), errors, Input { hint: Some("A short summary, like \"Phone found in cell\""), ..Input::default() }))
                (ui::textarea("description", "What happened?", "Say what happened, in order. After the report is submitted you can add to this but not change it.", field(f, "description"), errors))
                (button("Save as a draft"))
            }
        },
    ))
}

async fn new_post(State(st): State<Incidents>, sess: Sess, FormIn(f): FormIn) -> Page {
    let u = require!(user(&sess));
    let mut errors = Errors::default();
    let types = types::active(&st.db).await?;
    let type_code = field(&f, "type").to_owned();
    if !types.iter().any(|t| t.code == type_code) {
        errors.add("type", "Choose what kind of incident it was");
    }
    let establishment = field(&f, "establishment").to_owned();
    if !u.reports_incidents_at(&establishment) {
        errors.add(
            "establishment",
            "Choose an establishment where you report incidents",
        );
    }
    let at = occurred(&f, &mut errors, now_naive(&st));
    let title = forms::required_text(
        field(&f, "title"),
        "title",
        "The title",
        "Enter a title for the report",
        &mut errors,
    );
    let description =
        Some(field(&f, "description").trim().replace("\r\n", "\n")).filter(|d| !d.is_empty());
    if description.is_none() {
        errors.add("description", "Enter what happened");
    }
    if !errors.is_empty() {
        return new_page(&st, &sess, &u, &f, &errors).await;
    }
    let (Some(at), Some(title), Some(description)) = (at, title, description) else {
        return new_page(&st, &sess, &u, &f, &errors).await;
    };
    let mut tx = st.db.begin_write().await?;
    let made = report::create(
        &mut tx,
        &NewReport {
            type_code,
            establishment_id: establishment,
            occurred_at: at,
            title,
            description,
        },
        None,
        &u.actor(),
        st.clock.now(),
    )
    .await;
    match made {
        Ok(i) => {
            tx.commit().await.map_err(Error::from)?;
            sess.update(|s| s.notice = Some(format!("Draft {} saved. Answer the questions, add the people involved, then submit it.", i.reference)));
            Ok(see_other(&format!("/incidents/{}/edit", i.id)))
        }
        Err(Error::Conflict(m)) => {
            let _ = tx.rollback().await;
            errors.add("title", forms::capital(&m));
            new_page(&st, &sess, &u, &f, &errors).await
        }
        Err(e) => {
            let _ = tx.rollback().await;
            Err(e.into())
        }
    }
}

// ---------------------------------------------------------------- show

async fn show(State(st): State<Incidents>, sess: Sess, Path(id): Path<String>) -> Page {
    let (u, i) = require!(load(&st, &sess, &id).await);
    audit::log(&st.db, &u.id, "incident.view", &i.id, "").await?;
    show_page(&st, &sess, &u, &i, &Errors::default()).await
}

async fn show_page(
    st: &Incidents,
    sess: &Sess,
    u: &SessionUser,
    i: &Incident,
    errors: &Errors,
) -> Page {
    let ty = report::type_of(&st.db, i).await?;
    let answers = report::answers(&st.db, &i.id).await?;
    let people = report::people(&st.db, &i.id).await?;
    let addenda = report::addenda(&st.db, &i.id).await?;
    let history = report::history(&st.db, &i.id).await?;
    let corrections = report::corrections(&st.db, &i.id).await?;
    let investigation = investigation::get(&st.db, &i.id).await?;
    let problems = if i.status.reporters_turn() {
        report::problems(&st.db, i).await?
    } else {
        Vec::new()
    };
    let names = names(st).await;
    let duplicate_of = match &i.duplicate_of {
        Some(d) => report::get(&st.db, d).await.ok().map(|o| o.reference),
        None => None,
    };
    let links = report::linked(&st.db, &i.id).await?;
    let editable = may_edit(u, i);
    let warden = u.reviews_incidents_at(&i.establishment_id);
    let moves = moves(u, i);
    let c = sess.ctx(st).in_service(SERVICE, "/incidents");
    let mut rows: Vec<(String, Markup, Option<String>)> = vec![
        ("Status".into(), status_tag(i.status), None),
        (
            "Type".into(),
            html! { (ty.label) " (version " (ty.version) ")" },
            None,
        ),
        (
            "Establishment".into(),
            html! { (names.get(&i.establishment_id).cloned().unwrap_or_else(|| i.establishment_id.clone())) },
            None,
        ),
        (
            "When".into(),
            html! { (ui::when(i.occurred_at)) },
            editable.then(|| format!("/incidents/{}/edit", i.id)),
        ),
        (
            "Reported by".into(),
            html! { (i.reported_by_name) ", " (ui::when(i.reported_at)) },
            None,
        ),
    ];
    if let Some(src) = &i.source {
        rows.push(("Raised from".into(), html! { (src) }, None));
    }
    if let Some(d) = &duplicate_of {
        rows.push(("Duplicate of".into(), html! { (d) }, None));
    }
    if !links.is_empty() {
        rows.push((
            "Linked reports".into(),
            html! {
                @for (n, (reference, title, id)) in links.iter().enumerate() {
                    @if n > 0 { br; }
                    a class="govuk-link" href={ "/incidents/" (id) } { (reference) } ": " (title)
                }
            },
            None,
        ));
    }
    Ok(c.page(
        &format!("Incident report {}", i.reference),
        errors,
        html! {
            a href="/incidents" class="govuk-back-link" { "Back to the list" }
            (ui::error_summary(errors))
            span class="govuk-caption-l" { (i.reference) }
            h1 class="govuk-heading-l" { (i.title) }
            (summary_list(&rows))
            @if !problems.is_empty() && moves.iter().any(|m| matches!(*m, workflow::SUBMIT | workflow::RESUBMIT)) {
                div class="govuk-inset-text" {
                    p class="govuk-body" { "Before it can be submitted:" }
                    ul class="govuk-list govuk-list--bullet" { @for (_, m) in &problems { li { (m) } } }
                }
            }
            h2 class="govuk-heading-m" { "What happened" }
            p class="govuk-body" { (ui::multiline(&i.description)) }
            @for a in &addenda {
                div class="govuk-inset-text" {
                    p class="govuk-body-s" { "Added by " (a.author_name) ", " (ui::when(a.at)) }
                    p class="govuk-body" { (ui::multiline(&a.text)) }
                }
            }
            @if i.status != Status::Draft && (editable || warden) {
                form method="post" action={ "/incidents/" (i.id) "/addendum" } novalidate {
                    (csrf(&c.csrf))
                    input type="hidden" name="version" value=(i.version);
                    (ui::textarea("addendum", "Add to what happened", "What you add is kept beside the report; the report itself is not changed.", "", errors))
                    button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Add" }
                }
            }
            h2 class="govuk-heading-m" { "Answers" }
            (answers_list(&ty, &answers))
            @if editable { p class="govuk-body" { a class="govuk-link" href={ "/incidents/" (i.id) "/edit" } { "Change the answers" } } }
            h2 class="govuk-heading-m" id="people" { "People involved" }
            (people_table(i, &people, editable, &c.csrf))
            @if editable { (person_forms(&ty, i, &c.csrf, errors)) }
            @if !corrections.is_empty() {
                h2 class="govuk-heading-m" { "Corrections asked for" }
                @for k in &corrections {
                    div class="govuk-inset-text" {
                        p class="govuk-body" { strong { (k.asked_by_name) } ", " (ui::when(k.at)) ": " (k.comment) }
                        @if let Some(r) = &k.reply { p class="govuk-body" { "Reply, " (ui::when(k.replied_at.unwrap_or_default())) ": " (r) } }
                    }
                }
            }
            @if warden || investigation.is_some() {
                h2 class="govuk-heading-m" id="investigation" { "Investigation" }
                (investigation_block(i, investigation.as_ref(), warden, &c.csrf, errors))
            }
            @if !moves.is_empty() {
                h2 class="govuk-heading-m" id="actions" { "What to do next" }
                @for m in &moves {
                    form method="post" action={ "/incidents/" (i.id) "/move/" (m) } class="govuk-!-margin-bottom-6" novalidate {
                        (csrf(&c.csrf))
                        input type="hidden" name="version" value=(i.version);
                        @if *m == workflow::DUPLICATE {
                            (input(&format!("{m}-original"), "Reference of the original report", "", errors, Input { hint: Some("Like IR-2025-000123"), width: Some("20"), ..Input::default() }))
                        }
                        @if workflow::needs_comment(m) {
                            (ui::textarea(&format!("{m}-comment"), &format!("{}: why?", workflow::button(m)), "This goes into the report's history.", "", errors))
                        }
                        button type="submit" class={ "govuk-button" @if matches!(*m, workflow::NOT_REPORTABLE | workflow::DUPLICATE) { " govuk-button--warning" } @else if !matches!(*m, workflow::SUBMIT | workflow::RESUBMIT | workflow::CLOSE) { " govuk-button--secondary" } } data-module="govuk-button" { (workflow::button(m)) }
                    }
                }
            }
            h2 class="govuk-heading-m" id="history" { "History" }
            table class="govuk-table" {
                thead class="govuk-table__head" { tr class="govuk-table__row" {
                    th scope="col" class="govuk-table__header" { "When" }
                    th scope="col" class="govuk-table__header" { "Who" }
                    th scope="col" class="govuk-table__header" { "What" }
                } }
                tbody class="govuk-table__body" {
                    @for h in &history {
                        tr class="govuk-table__row" {
                            td class="govuk-table__cell" { (ui::when(h.at)) }
                            td class="govuk-table__cell" { (h.actor) }
                            td class="govuk-table__cell" data-history-to=(h.to) { (h.detail) }
                        }
                    }
                }
            }
        },
    ))
}

fn answers_list(ty: &IncidentType, answers: &Answers) -> Markup {
    let path = ty.path(answers);
    html! {
        dl class="govuk-summary-list" {
            @for q in &path {
                div class="govuk-summary-list__row" {
                    dt class="govuk-summary-list__key" { (q.text) }
                    dd class="govuk-summary-list__value" {
                        @match answers.get(&q.code) {
                            None => { span class="govuk-hint" { "Not answered" } }
                            Some(given) => {
                                @for g in given {
                                    p class="govuk-body govuk-!-margin-bottom-1" {
                                        (ty.answer_label(&q.code, &g.answer))
                                        @if let Some(d) = &g.date { ", " (ui::long_date(d)) }
                                        @if let Some(c) = &g.comment { ": " (c) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn people_table(i: &Incident, people: &[report::Person], editable: bool, token: &str) -> Markup {
    html! {
        @if people.is_empty() {
            p class="govuk-body" { "Nobody is named yet." }
        } @else {
            table class="govuk-table" {
                thead class="govuk-table__head" { tr class="govuk-table__row" {
                    th scope="col" class="govuk-table__header" { "Who" }
                    th scope="col" class="govuk-table__header" { "Role" }
                    th scope="col" class="govuk-table__header" { "Outcome" }
                    @if editable { th scope="col" class="govuk-table__header" { span class="govuk-visually-hidden" { "Remove" } } }
                } }
                tbody class="govuk-table__body" {
                    @for p in people {
                        tr class="govuk-table__row" {
                            td class="govuk-table__cell" {
                                (p.name)
                                @if let Some(n) = &p.prison_number { " (" (n) ")" } @else { " (staff)" }
                            }
                            td class="govuk-table__cell" {
                                (types::label(if p.kind == "prisoner" { types::PRISONER_ROLES } else { types::STAFF_ROLES }, &p.role))
                            }
                            td class="govuk-table__cell" {
                                @if let Some(o) = &p.outcome { (types::label(types::PRISONER_OUTCOMES, o)) }
                                @if let Some(c) = &p.comment { " " (c) }
                            }
                            @if editable {
                                td class="govuk-table__cell" {
                                    form method="post" action={ "/incidents/" (i.id) "/people/" (p.id) "/remove" } novalidate {
                                        (csrf(token))
                                        input type="hidden" name="version" value=(i.version);
                                        button type="submit" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" data-module="govuk-button" {
                                            "Remove" span class="govuk-visually-hidden" { " " (p.name) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn person_forms(ty: &IncidentType, i: &Incident, token: &str, errors: &Errors) -> Markup {
    let roles = |list: &[(&str, &str)], allowed: &[String]| -> Vec<(String, String)> {
        let mut out = vec![(String::new(), "Choose a role".to_owned())];
        out.extend(
            list.iter()
                .filter(|(c, _)| allowed.iter().any(|a| a == c))
                .map(|(c, l)| (c.to_string(), l.to_string())),
        );
        out
    };
    let mut outcomes = vec![(String::new(), "Not known yet".to_owned())];
    outcomes.extend(
        types::PRISONER_OUTCOMES
            .iter()
            .map(|(c, l)| (c.to_string(), l.to_string())),
    );
    html! {
        @if !ty.prisoner_roles.is_empty() {
            details class="govuk-details" open[errors.get("prison-number").is_some() || errors.get("prisoner-role").is_some()] {
                summary class="govuk-details__summary" { span class="govuk-details__summary-text" { "Add a prisoner" } }
                div class="govuk-details__text" {
                    form method="post" action={ "/incidents/" (i.id) "/people" } novalidate {
                        (csrf(token))
                        input type="hidden" name="version" value=(i.version);
                        input type="hidden" name="kind" value="prisoner";
                        (input("prison-number", "Prison number", "", errors, Input { hint: Some("Like A1234BC"), width: Some("10"), spellcheck_off: true, ..Input::default() }))
                        (ui::select("prisoner-role", "Their role", None, &roles(types::PRISONER_ROLES, &ty.prisoner_roles), "", errors))
                        (ui::select("outcome", "Outcome", None, &outcomes, "", errors))
                        button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Add the prisoner" }
                    }
                }
            }
        }
        @if !ty.staff_roles.is_empty() {
            details class="govuk-details" open[errors.get("staff-name").is_some() || errors.get("staff-role").is_some()] {
                summary class="govuk-details__summary" { span class="govuk-details__summary-text" { "Add a member of staff" } }
                div class="govuk-details__text" {
                    form method="post" action={ "/incidents/" (i.id) "/people" } novalidate {
                        (csrf(token))
                        input type="hidden" name="version" value=(i.version);
                        input type="hidden" name="kind" value="staff";
                        (input("staff-name", "Name", "", errors, Input::default()))
                        (ui::select("staff-role", "Their role", None, &roles(types::STAFF_ROLES, &ty.staff_roles), "", errors))
                        button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Add the member of staff" }
                    }
                }
            }
        }
    }
}

fn investigation_block(
    i: &Incident,
    inv: Option<&investigation::Investigation>,
    warden: bool,
    token: &str,
    errors: &Errors,
) -> Markup {
    let mut outcome_options = vec![(String::new(), "Choose the outcome".to_owned())];
    outcome_options.extend(OUTCOMES.iter().map(|(c, l)| (c.to_string(), l.to_string())));
    let base = format!("/incidents/{}/investigation", i.id);
    html! {
        @match inv {
            None => {
                p class="govuk-body" { "No investigation has been started." }
                @if warden {
                    form method="post" action={ (base) "/start" } novalidate {
                        (csrf(token))
                        (input("lead", "Who leads it?", "", errors, Input::default()))
                        button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Start an investigation" }
                    }
                }
            }
            Some(v) => {
                (summary_list(&[
                    ("Led by".into(), html! { (v.lead_name) }, None),
                    ("Started".into(), html! { (ui::long_date(&v.started_on)) }, None),
                    ("Outcome".into(), html! {
                        @match &v.outcome {
                            Some(o) => { (types::label(OUTCOMES, o)) @if let Some(d) = &v.outcome_detail { ": " (d) } @if let Some(p) = &v.police_result { br; "Police: " (p) } }
                            None => { "Not concluded" }
                        }
                    }, None),
                ]))
                @if !v.actions.is_empty() {
                    table class="govuk-table" {
                        caption class="govuk-table__caption govuk-table__caption--s" { "Actions" }
                        thead class="govuk-table__head" { tr class="govuk-table__row" {
                            th scope="col" class="govuk-table__header" { "Action" }
                            th scope="col" class="govuk-table__header" { "Due" }
                            th scope="col" class="govuk-table__header" { "Done" }
                            th scope="col" class="govuk-table__header" { "By" }
                        } }
                        tbody class="govuk-table__body" {
                            @for a in &v.actions {
                                tr class="govuk-table__row" {
                                    td class="govuk-table__cell" { (a.action) }
                                    td class="govuk-table__cell" { (a.due_on.as_deref().map(ui::long_date).unwrap_or_default()) }
                                    td class="govuk-table__cell" { (a.done_on.as_deref().map(ui::long_date).unwrap_or_default()) }
                                    td class="govuk-table__cell" { (a.by_name) }
                                }
                            }
                        }
                    }
                }
                @if !v.links.is_empty() {
                    p class="govuk-body" { "Linked reports: "
                        @for (n, (r, t)) in v.links.iter().enumerate() { @if n > 0 { ", " } (r) " (" (t) ")" }
                    }
                }
                @if warden {
                    details class="govuk-details" {
                        summary class="govuk-details__summary" { span class="govuk-details__summary-text" { "Record an action" } }
                        div class="govuk-details__text" {
                            form method="post" action={ (base) "/action" } novalidate {
                                (csrf(token))
                                (input("action", "Action", "", errors, Input::default()))
                                (input("due", "Due (YYYY-MM-DD, optional)", "", errors, Input { width: Some("10"), ..Input::default() }))
                                (input("done", "Done (YYYY-MM-DD, optional)", "", errors, Input { width: Some("10"), ..Input::default() }))
                                button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Record the action" }
                            }
                        }
                    }
                    details class="govuk-details" {
                        summary class="govuk-details__summary" { span class="govuk-details__summary-text" { "Record the outcome" } }
                        div class="govuk-details__text" {
                            form method="post" action={ (base) "/outcome" } novalidate {
                                (csrf(token))
                                (ui::select("outcome", "Outcome", None, &outcome_options, "", errors))
                                (input("detail", "Details (optional)", "", errors, Input::default()))
                                (input("police", "What the police did (for a referral)", "", errors, Input::default()))
                                button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Record the outcome" }
                            }
                        }
                    }
                    details class="govuk-details" {
                        summary class="govuk-details__summary" { span class="govuk-details__summary-text" { "Link another report" } }
                        div class="govuk-details__text" {
                            form method="post" action={ (base) "/link" } novalidate {
                                (csrf(token))
                                (input("reference", "Reference of the other report", "", errors, Input { width: Some("20"), ..Input::default() }))
                                button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Link it" }
                            }
                        }
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------- edit

async fn edit_form(State(st): State<Incidents>, sess: Sess, Path(id): Path<String>) -> Page {
    let (u, i) = require!(load(&st, &sess, &id).await);
    if !may_edit(&u, &i) {
        return Err(Error::Forbidden.into());
    }
    let answers = report::answers(&st.db, &i.id).await?;
    let mut f = Fields::new();
    let at = at_naive(i.occurred_at);
    date_parts(&mut f, "occurred-date", at);
    f.insert("occurred-time".into(), at.format("%H:%M").to_string());
    f.insert("title".into(), i.title.clone());
    f.insert("description".into(), i.description.clone());
    f.insert("version".into(), i.version.to_string());
    for (q, given) in &answers {
        for g in given {
            f.insert(format!("q-{q}"), g.answer.clone());
            f.insert(format!("q-{q}-{}", g.answer), "yes".into());
            if let Some(c) = &g.comment {
                f.insert(format!("q-{q}-{}-comment", g.answer), c.clone());
            }
            if let Some(d) = g
                .date
                .as_deref()
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            {
                date_parts(
                    &mut f,
                    &format!("q-{q}-{}-date", g.answer),
                    d.and_hms_opt(0, 0, 0).unwrap_or_default(),
                );
            }
        }
    }
    edit_page(&st, &sess, &i, &f, &Errors::default()).await
}

async fn edit_page(st: &Incidents, sess: &Sess, i: &Incident, f: &Fields, errors: &Errors) -> Page {
    let ty = report::type_of(&st.db, i).await?;
    let c = sess.ctx(st).in_service(SERVICE, "/incidents");
    Ok(c.page(
        &format!("Change incident report {}", i.reference),
        errors,
        html! {
            a href={ "/incidents/" (i.id) } class="govuk-back-link" { "Back to the report" }
            (ui::error_summary(errors))
            span class="govuk-caption-l" { (i.reference) " · " (ty.label) }
            h1 class="govuk-heading-l" { "The report's details and answers" }
            form method="post" action={ "/incidents/" (i.id) "/edit" } novalidate {
                (csrf(&c.csrf))
                input type="hidden" name="version" value=(field(f, "version"));
                (ui::date_input("occurred-date", "When did it happen?", "For example, 27 3 2025", f, errors, false))
                (input("occurred-time", "At what time?", field(f, "occurred-time"), errors, Input { hint: Some("Use the 24-hour clock, like 14:30"), width: Some("5"), ..Input::default() }))
                (input("title", "Title", field(f, "title"), errors, Input::default()))
                @if i.status == Status::Draft {
                    (ui::textarea("description", "What happened?", "After the report is submitted you can add to this but not change it.", field(f, "description"), errors))
                }
                @for q in &ty.questions {
                    (question(q, f, errors))
                }
                (button("Save"))
            }
        },
    ))
}

fn extra(q: &types::Question, a: &types::Answer, f: &Fields, errors: &Errors) -> Option<Markup> {
    if !a.comment && !a.date {
        return None;
    }
    let base = format!("q-{}-{}", q.code, a.code);
    Some(html! {
        @if a.date { (ui::date_input(&format!("{base}-date"), "Date", "For example, 27 3 2025", f, errors, false)) }
        @if a.comment { (ui::textarea(&format!("{base}-comment"), "Details", "Say more about this answer.", field(f, &format!("{base}-comment")), errors)) }
    })
}

fn question(q: &types::Question, f: &Fields, errors: &Errors) -> Markup {
    let name = format!("q-{}", q.code);
    let legend = if q.required {
        q.text.clone()
    } else {
        format!("{} (optional)", q.text)
    };
    match q.kind {
        Kind::Choice => {
            let options: Vec<(String, String, Option<Markup>)> = q
                .answers
                .iter()
                .map(|a| (a.code.clone(), a.label.clone(), extra(q, a, f, errors)))
                .collect();
            ui::radios(&name, &legend, &options, field(f, &name), errors)
        }
        Kind::Multi => {
            let error = errors.get(&name);
            html! {
                div class={ "govuk-form-group" @if error.is_some() { " govuk-form-group--error" } } {
                    fieldset class="govuk-fieldset" aria-describedby=[error.map(|_| format!("{name}-error"))] {
                        legend class="govuk-fieldset__legend govuk-fieldset__legend--s" { (legend) }
                        (ui::components::error_message(&name, error))
                        div class="govuk-checkboxes" data-module="govuk-checkboxes" id=(name) {
                            @for a in &q.answers {
                                @let id = format!("{name}-{}", a.code);
                                div class="govuk-checkboxes__item" {
                                    input class="govuk-checkboxes__input" id=(id) name=(id) type="checkbox" value="yes"
                                        checked[field(f, &id) == "yes"]
                                        data-aria-controls=[extra(q, a, f, errors).map(|_| format!("{id}-conditional"))];
                                    label class="govuk-label govuk-checkboxes__label" for=(id) { (a.label) }
                                }
                                @if let Some(x) = extra(q, a, f, errors) {
                                    div class={ "govuk-checkboxes__conditional" @if field(f, &id) != "yes" { " govuk-checkboxes__conditional--hidden" } } id={ (id) "-conditional" } { (x) }
                                }
                            }
                        }
                    }
                }
            }
        }
        Kind::Date => ui::date_input(
            &format!("{name}-date"),
            &legend,
            "For example, 27 3 2025",
            f,
            errors,
            false,
        ),
        Kind::Number => input(
            &name,
            &legend,
            field(f, &name),
            errors,
            Input {
                width: Some("4"),
                ..Input::default()
            },
        ),
        Kind::Text => input(&name, &legend, field(f, &name), errors, Input::default()),
    }
}

/// The answers as the form gives them.
fn read_answers(ty: &IncidentType, f: &Fields, errors: &mut Errors) -> Answers {
    let mut out = Answers::new();
    for q in &ty.questions {
        let name = format!("q-{}", q.code);
        let with_extras = |a: &types::Answer, errors: &mut Errors| -> Given {
            let base = format!("{name}-{}", a.code);
            let comment = Some(field(f, &format!("{base}-comment")).trim().to_owned())
                .filter(|c| !c.is_empty());
            let date = if a.date {
                let prefix = format!("{base}-date");
                let any = ["day", "month", "year"]
                    .iter()
                    .any(|p| !field(f, &format!("{prefix}-{p}")).trim().is_empty());
                if any {
                    let d = date_field(f, &prefix);
                    if d.is_none() {
                        errors.add(
                            prefix,
                            format!("The date for \"{}\" must be a real date", a.label),
                        );
                    }
                    d.map(|d| d.to_string())
                } else {
                    None
                }
            } else {
                None
            };
            Given {
                answer: a.code.clone(),
                comment: if a.comment { comment } else { None },
                date,
            }
        };
        let given: Vec<Given> = match q.kind {
            Kind::Choice => {
                let v = field(f, &name).trim();
                match q.answers.iter().find(|a| a.code == v) {
                    Some(a) => vec![with_extras(a, errors)],
                    None if v.is_empty() => Vec::new(),
                    None => {
                        errors.add(
                            name.clone(),
                            format!("Choose one of the answers to \"{}\"", q.text),
                        );
                        Vec::new()
                    }
                }
            }
            Kind::Multi => q
                .answers
                .iter()
                .filter(|a| field(f, &format!("{name}-{}", a.code)) == "yes")
                .map(|a| with_extras(a, errors))
                .collect(),
            Kind::Date => {
                let prefix = format!("{name}-date");
                let any = ["day", "month", "year"]
                    .iter()
                    .any(|p| !field(f, &format!("{prefix}-{p}")).trim().is_empty());
                match (any, date_field(f, &prefix)) {
                    (false, _) => Vec::new(),
                    (true, Some(d)) => vec![Given {
                        answer: d.to_string(),
                        ..Given::default()
                    }],
                    (true, None) => {
                        errors.add(prefix, format!("\"{}\" must be a real date", q.text));
                        Vec::new()
                    }
                }
            }
            Kind::Number => {
                let v = field(f, &name).trim();
                if v.is_empty() {
                    Vec::new()
                } else if v.parse::<u32>().is_err() {
                    errors.add(
                        name.clone(),
                        format!("\"{}\" must be a whole number, like 2", q.text),
                    );
                    Vec::new()
                } else {
                    vec![Given {
                        answer: v.to_owned(),
                        ..Given::default()
                    }]
                }
            }
            Kind::Text => {
                let v = field(f, &name).trim();
                if v.chars().count() > 2_000 {
                    errors.add(
                        name.clone(),
                        format!("\"{}\" must be 2,000 characters or fewer", q.text),
                    );
                    Vec::new()
                } else if v.is_empty() {
                    Vec::new()
                } else {
                    vec![Given {
                        answer: v.to_owned(),
                        ..Given::default()
                    }]
                }
            }
        };
        if !given.is_empty() {
            out.insert(q.code.clone(), given);
        }
    }
    out
}

fn version(f: &Fields) -> i64 {
    field(f, "version").trim().parse().unwrap_or(-1)
}

async fn edit_post(
    State(st): State<Incidents>,
    sess: Sess,
    Path(id): Path<String>,
    FormIn(f): FormIn,
) -> Page {
    let (u, i) = require!(load(&st, &sess, &id).await);
    if !may_edit(&u, &i) {
        return Err(Error::Forbidden.into());
    }
    let ty = report::type_of(&st.db, &i).await?;
    let mut errors = Errors::default();
    let at = occurred(&f, &mut errors, now_naive(&st));
    let title = forms::required_text(
        field(&f, "title"),
        "title",
        "The title",
        "Enter a title for the report",
        &mut errors,
    );
    let answers = read_answers(&ty, &f, &mut errors);
    if i.status == Status::Draft && field(&f, "description").trim().is_empty() {
        errors.add("description", "Enter what happened");
    }
    let (Some(at), Some(title)) = (at, title) else {
        return edit_page(&st, &sess, &i, &f, &errors).await;
    };
    if !errors.is_empty() {
        return edit_page(&st, &sess, &i, &f, &errors).await;
    }
    let edit = Edit {
        version: version(&f),
        occurred_at: at,
        title,
        description: field(&f, "description").to_owned(),
        answers,
    };
    match report::save(&st.db, &i, &edit, &u.actor(), st.clock.now()).await {
        Ok(()) => {
            sess.update(|s| s.notice = Some("Saved.".into()));
            Ok(see_other(&format!("/incidents/{}", i.id)))
        }
        Err(Error::Conflict(m)) => {
            errors.add("title", forms::capital(&m));
            edit_page(&st, &sess, &i, &f, &errors).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- people, addenda, moves

async fn refused(
    st: &Incidents,
    sess: &Sess,
    u: &SessionUser,
    id: &str,
    field_name: &str,
    m: &str,
) -> Page {
    let i = report::get(&st.db, id).await?;
    let mut errors = Errors::default();
    errors.add(field_name, forms::capital(m));
    show_page(st, sess, u, &i, &errors).await
}

async fn person_add(
    State(st): State<Incidents>,
    sess: Sess,
    Path(id): Path<String>,
    FormIn(f): FormIn,
) -> Page {
    let (u, i) = require!(load(&st, &sess, &id).await);
    if !may_edit(&u, &i) {
        return Err(Error::Forbidden.into());
    }
    let opt = |k: &str| Some(field(&f, k).trim().to_owned()).filter(|v| !v.is_empty());
    let (person, at_field) = if field(&f, "kind") == "staff" {
        if field(&f, "staff-role").is_empty() {
            return refused(
                &st,
                &sess,
                &u,
                &id,
                "staff-role",
                "choose the member of staff's role",
            )
            .await;
        }
        (
            NewPerson::Staff {
                name: field(&f, "staff-name").to_owned(),
                role: field(&f, "staff-role").to_owned(),
                comment: None,
            },
            "staff-name",
        )
    } else {
        if field(&f, "prisoner-role").is_empty() {
            return refused(
                &st,
                &sess,
                &u,
                &id,
                "prisoner-role",
                "choose the prisoner's role",
            )
            .await;
        }
        (
            NewPerson::Prisoner {
                number: field(&f, "prison-number").to_owned(),
                role: field(&f, "prisoner-role").to_owned(),
                outcome: opt("outcome"),
                comment: None,
            },
            "prison-number",
        )
    };
    match report::add_person(&st.db, &i, version(&f), &person, &u.actor(), st.clock.now()).await {
        Ok(()) => Ok(see_other(&format!("/incidents/{}#people", i.id))),
        Err(Error::Conflict(m)) => refused(&st, &sess, &u, &id, at_field, &m).await,
        Err(e) => Err(e.into()),
    }
}

async fn person_remove(
    State(st): State<Incidents>,
    sess: Sess,
    Path((id, person)): Path<(String, String)>,
    FormIn(f): FormIn,
) -> Page {
    let (u, i) = require!(load(&st, &sess, &id).await);
    if !may_edit(&u, &i) {
        return Err(Error::Forbidden.into());
    }
    match report::remove_person(&st.db, &i, version(&f), &person, &u.actor(), st.clock.now()).await
    {
        Ok(()) => Ok(see_other(&format!("/incidents/{}#people", i.id))),
        Err(Error::Conflict(m)) => refused(&st, &sess, &u, &id, "people", &m).await,
        Err(e) => Err(e.into()),
    }
}

async fn addendum_post(
    State(st): State<Incidents>,
    sess: Sess,
    Path(id): Path<String>,
    FormIn(f): FormIn,
) -> Page {
    let (u, i) = require!(load(&st, &sess, &id).await);
    if i.status == Status::Draft
        || !(may_edit(&u, &i) || u.reviews_incidents_at(&i.establishment_id))
    {
        return Err(Error::Forbidden.into());
    }
    match report::add_addendum(
        &st.db,
        &i,
        version(&f),
        field(&f, "addendum"),
        &u.actor(),
        st.clock.now(),
    )
    .await
    {
        Ok(()) => Ok(see_other(&format!("/incidents/{}", i.id))),
        Err(Error::Conflict(m)) => refused(&st, &sess, &u, &id, "addendum", &m).await,
        Err(e) => Err(e.into()),
    }
}

async fn move_post(
    State(st): State<Incidents>,
    sess: Sess,
    Path((id, action)): Path<(String, String)>,
    FormIn(f): FormIn,
) -> Page {
    let (u, i) = require!(load(&st, &sess, &id).await);
    let Some(t) = WORKFLOW.find(&action) else {
        return Err(Error::NotFound.into());
    };
    if !moves(&u, &i).contains(&t.action) {
        // Not theirs, or not from here: say which.
        if WORKFLOW.allowed(t.action, i.status) {
            return Err(Error::Forbidden.into());
        }
        return refused(
            &st,
            &sess,
            &u,
            &id,
            "actions",
            &format!(
                "the report is {}, so you cannot {}",
                i.status.label().to_lowercase(),
                workflow::button(t.action).to_lowercase()
            ),
        )
        .await;
    }
    let ty = report::type_of(&st.db, &i).await?;
    let m = Move {
        action: t.action,
        version: version(&f),
        comment: field(&f, &format!("{}-comment", t.action)),
        duplicate_of: Some(field(&f, &format!("{}-original", t.action))),
    };
    match report::make_move(
        &st.db,
        &i,
        &m,
        ty.retention_years,
        &u.actor(),
        st.clock.now(),
    )
    .await
    {
        Ok(_) => {
            let now = report::get(&st.db, &i.id).await?;
            sess.update(|s| s.notice = Some(format!("{}: {}.", now.reference, now.status.label())));
            Ok(see_other(&format!("/incidents/{}", i.id)))
        }
        Err(Error::Conflict(msg)) => {
            let at = if workflow::needs_comment(t.action) {
                format!("{}-comment", t.action)
            } else if t.action == workflow::DUPLICATE {
                format!("{}-original", t.action)
            } else {
                "actions".to_owned()
            };
            refused(&st, &sess, &u, &id, &at, &msg).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn investigation_post(
    State(st): State<Incidents>,
    sess: Sess,
    Path((id, what)): Path<(String, String)>,
    FormIn(f): FormIn,
) -> Page {
    let (u, i) = require!(load(&st, &sess, &id).await);
    if !u.reviews_incidents_at(&i.establishment_id) {
        return Err(Error::Forbidden.into());
    }
    let now = st.clock.now();
    let by = u.actor();
    let day = |k: &str| -> Result<Option<NaiveDate>, Error> {
        let v = field(&f, k).trim();
        if v.is_empty() {
            return Ok(None);
        }
        NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| {
                Error::Conflict(format!("enter the date in the form 2025-03-31 (got {v:?})"))
            })
    };
    let done = match what.as_str() {
        "start" => {
            investigation::start(
                &st.db,
                &i,
                field(&f, "lead"),
                now_naive(&st).date(),
                &by,
                now,
            )
            .await
        }
        "action" => match (day("due"), day("done")) {
            (Ok(due), Ok(done)) => {
                investigation::add_action(&st.db, &i, field(&f, "action"), due, done, &by, now)
                    .await
            }
            (Err(e), _) | (_, Err(e)) => Err(e),
        },
        "outcome" => {
            investigation::conclude(
                &st.db,
                &i,
                field(&f, "outcome"),
                field(&f, "detail"),
                field(&f, "police"),
                &by,
                now,
            )
            .await
        }
        "link" => {
            // Only reports the user may see can be linked.
            match report::by_reference(&st.db, field(&f, "reference")).await? {
                Some(o) if !may_see(&u, &o) => Err(Error::Conflict(format!(
                    "you cannot see report {}",
                    o.reference
                ))),
                _ => investigation::link(&st.db, &i, field(&f, "reference"), &by, now).await,
            }
        }
        _ => return Err(Error::NotFound.into()),
    };
    match done {
        Ok(()) => Ok(see_other(&format!("/incidents/{}#investigation", i.id))),
        Err(Error::Conflict(m)) => {
            let at = match what.as_str() {
                "start" => "lead",
                "action" => "action",
                "outcome" => "outcome",
                _ => "reference",
            };
            refused(&st, &sess, &u, &id, at, &m).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- types

async fn types_page(State(st): State<Incidents>, sess: Sess) -> Page {
    require!(user(&sess));
    let rows: Vec<(String, i64, String, i64, i64)> = sqlx::query_as(
        "SELECT code, version, label, active, created_at FROM incident_types ORDER BY code, version",
    )
    .fetch_all(st.db.pool())
    .await
    .map_err(Error::from)?;
    let active = types::active(&st.db).await?;
    let c = sess.ctx(&st).in_service(SERVICE, "/incidents");
    Ok(c.page(
        "Incident types",
        &Errors::default(),
        html! {
            a href="/incidents" class="govuk-back-link" { "Back" }
            h1 class="govuk-heading-l" { "Incident types" }
            p class="govuk-body" { "Each type's questions are configuration, not code. A change makes a new version and retires the old one; reports keep the version they were written against." }
            table class="govuk-table" {
                thead class="govuk-table__head" { tr class="govuk-table__row" {
                    th scope="col" class="govuk-table__header" { "Type" }
                    th scope="col" class="govuk-table__header govuk-table__header--numeric" { "Version" }
                    th scope="col" class="govuk-table__header" { "In use" }
                    th scope="col" class="govuk-table__header" { "Since" }
                } }
                tbody class="govuk-table__body" {
                    @for (code, v, label, on, at) in &rows {
                        tr class="govuk-table__row" {
                            td class="govuk-table__cell" { (label) " (" (code) ")" }
                            td class="govuk-table__cell govuk-table__cell--numeric" { (v) }
                            td class="govuk-table__cell" { @if *on == 1 { "Yes" } @else { "No: retired" } }
                            td class="govuk-table__cell" { (ui::when(*at)) }
                        }
                    }
                }
            }
            @for t in &active {
                h2 class="govuk-heading-m" { (t.label) }
                ol class="govuk-list govuk-list--number" {
                    @for q in &t.questions {
                        li {
                            (q.text) @if !q.required { " (optional)" } @if q.national_only { " (never published by establishment)" }
                            @if !q.answers.is_empty() {
                                ul class="govuk-list govuk-list--bullet govuk-body-s" {
                                    @for a in &q.answers {
                                        li { (a.label)
                                            @if a.comment { ", with details" }
                                            @if a.date { ", with a date" }
                                            @if let Some(n) = &a.next { @if n == "end" { " (no more questions)" } @else { " (then: " (t.question(n).map(|q| q.text.as_str()).unwrap_or(n)) ")" } }
                                        }
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

// ---------------------------------------------------------------- statistics

fn period(
    q: &BTreeMap<String, String>,
    today: NaiveDate,
    errors: &mut Errors,
) -> (NaiveDate, NaiveDate) {
    use chrono::Datelike;
    let default_from = NaiveDate::from_ymd_opt(today.year() - 1, 1, 1).unwrap_or(today);
    let default_to = NaiveDate::from_ymd_opt(today.year() - 1, 12, 31).unwrap_or(today);
    let parse = |k: &str, d: NaiveDate, errors: &mut Errors| match q
        .get(k)
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
    {
        None => d,
        Some(v) => NaiveDate::parse_from_str(v, "%Y-%m-%d").unwrap_or_else(|_| {
            errors.add(k, "Enter a date in the form 2025-03-31");
            d
        }),
    };
    let from = parse("from", default_from, errors);
    let to = parse("to", default_to, errors);
    if to < from {
        errors.add("to", "The end of the period must be on or after its start");
        return (default_from, default_to);
    }
    (from, to)
}

/// A table of rows by quarter with a total column and an "all" row:
/// `get(row, quarter)` with `None` for a total.
fn quarter_table(
    head: &str,
    rows: &[(String, String)],
    all: &str,
    quarters: &[String],
    get: impl Fn(Option<usize>, Option<usize>) -> datalab::tables::Cell,
) -> Markup {
    let labelled: Vec<(Option<usize>, &str)> = rows
        .iter()
        .enumerate()
        .map(|(i, (_, label))| (Some(i), label.as_str()))
        .chain([(None, all)])
        .collect();
    html! {
        div class="lifeline-table-scroll" {
            table class="govuk-table" {
                thead class="govuk-table__head" { tr class="govuk-table__row" {
                    th scope="col" class="govuk-table__header" { (head) }
                    @for q in quarters { th scope="col" class="govuk-table__header govuk-table__header--numeric" { (q) } }
                    th scope="col" class="govuk-table__header govuk-table__header--numeric" { "Total" }
                } }
                tbody class="govuk-table__body" {
                    @for (row, label) in &labelled {
                        tr class="govuk-table__row" {
                            th scope="row" class="govuk-table__header" { (label) }
                            @for qi in 0..quarters.len() { (cell(get(*row, Some(qi)))) }
                            (cell(get(*row, None)))
                        }
                    }
                }
            }
        }
    }
}

fn cell(c: datalab::tables::Cell) -> Markup {
    html! { td class="govuk-table__cell govuk-table__cell--numeric" { (c.to_string()) } }
}

/// A bar chart of the national count of each type over the period.
fn chart(s: &stats::Statistics) -> Markup {
    let bars: Vec<(String, Option<u64>)> = (0..s.types.len())
        .map(|t| {
            (
                s.types[t].1.clone(),
                s.table.get(&[None, Some(t), None]).shown(),
            )
        })
        .collect();
    let max = bars
        .iter()
        .filter_map(|(_, v)| *v)
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let row = 28;
    let height = bars.len() * row + 10;
    html! {
        figure class="govuk-!-margin-0 govuk-!-margin-bottom-6" {
            svg xmlns="http://www.w3.org/2000/svg" width="640" height=(height) viewBox={ "0 0 640 " (height) } role="img" aria-labelledby="chart-title" {
                title id="chart-title" { "Reported incidents in England and Wales by type, " (s.from) " to " (s.to) }
                @for (n, (label, v)) in bars.iter().enumerate() {
                    @let y = n * row + 5;
                    text x="0" y=(y + 17) font-size="14" font-family="arial, sans-serif" fill="#0b0c0c" { (label) }
                    @if let Some(v) = v {
                        @let w = (*v as f64 / max * 300.0).round();
                        @if w > 0.0 {
                            rect x="240" y=(y) width=(w) height="20" fill="#1d70b8" {}
                        }
                        text x=(240.0 + w + 6.0) y=(y + 17) font-size="14" font-family="arial, sans-serif" fill="#0b0c0c" { (v) }
                    } @else {
                        text x="240" y=(y + 17) font-size="14" font-family="arial, sans-serif" fill="#505a5f" { "[c]" }
                    }
                }
            }
        }
    }
}

async fn statistics(
    State(st): State<Incidents>,
    sess: Sess,
    Query(q): Query<BTreeMap<String, String>>,
) -> Page {
    let u = require!(user(&sess));
    let mut errors = Errors::default();
    let (from, to) = period(&q, now_naive(&st).date(), &mut errors);
    let s = stats::build(&st.db, from, to, st.config().min_count).await?;
    audit::log(
        &st.db,
        &u.id,
        "incident.statistics",
        "",
        &format!("{from} to {to}"),
    )
    .await?;
    let csv_href = format!("/incidents/statistics.csv?from={from}&to={to}");
    let c = sess.ctx(&st).in_service(SERVICE, "/incidents");
    let notes = s.notes();
    Ok(c.page(
        "Incident statistics",
        &errors,
        html! {
            a href="/incidents" class="govuk-back-link" { "Back" }
            (ui::error_summary(&errors))
            h1 class="govuk-heading-l" { "Incident statistics" }
            p class="govuk-body-l" { "Reported incidents from " (ui::long_date(&from.to_string())) " to " (ui::long_date(&to.to_string())) ", safe to publish." }
            form method="get" action="/incidents/statistics" novalidate {
                div class="govuk-grid-row" {
                    div class="govuk-grid-column-one-third" { (input("from", "From (YYYY-MM-DD)", &from.to_string(), &errors, Input { width: Some("10"), ..Input::default() })) }
                    div class="govuk-grid-column-one-third" { (input("to", "To (YYYY-MM-DD)", &to.to_string(), &errors, Input { width: Some("10"), ..Input::default() })) }
                }
                button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Show" }
            }
            p class="govuk-body" { a class="govuk-link" href=(csv_href) download { "Download the table (CSV)" } }
            h2 class="govuk-heading-m" { "Notes" }
            ul class="govuk-list govuk-list--bullet" { @for n in &notes { li { (n) } } }
            h2 class="govuk-heading-m" { "By type" }
            (chart(&s))
            h2 class="govuk-heading-m" { "By quarter" }
            (quarter_table("Type", &s.types, "All types", &s.quarters, |t, q| s.table.get(&[None, t, q])))
            h2 class="govuk-heading-m" { "Social media misuse by platform (national)" }
            (quarter_table("Platform", &s.platforms, "All platforms", &s.quarters, |p, q| s.by_platform.get(&[p, q])))
            h2 class="govuk-heading-m" { "By establishment" }
            div class="lifeline-table-scroll" {
                table class="govuk-table govuk-body-s" {
                    thead class="govuk-table__head" { tr class="govuk-table__row" {
                        th scope="col" class="govuk-table__header" { "Establishment" }
                        @for (_, label) in &s.types { th scope="col" class="govuk-table__header govuk-table__header--numeric" { (label) } }
                        th scope="col" class="govuk-table__header govuk-table__header--numeric" { "Total" }
                        th scope="col" class="govuk-table__header govuk-table__header--numeric" { "Per 1,000 prisoners" }
                    } }
                    tbody class="govuk-table__body" {
                        @for (e, (_, name)) in s.establishments.iter().enumerate() {
                            tr class="govuk-table__row" {
                                th scope="row" class="govuk-table__header" { (name) }
                                @for t in 0..s.types.len() { (cell(s.table.get(&[Some(e), Some(t), None]))) }
                                (cell(s.table.get(&[Some(e), None, None])))
                                td class="govuk-table__cell govuk-table__cell--numeric" {
                                    @match s.rate(e) { Some(r) => { (format!("{r:.0}")) } None => { "" } }
                                }
                            }
                        }
                        tr class="govuk-table__row" {
                            th scope="row" class="govuk-table__header" { "All establishments" }
                            @for t in 0..s.types.len() { (cell(s.table.get(&[None, Some(t), None]))) }
                            (cell(s.table.get(&[None, None, None])))
                            td class="govuk-table__cell" {}
                        }
                    }
                }
            }
        },
    ))
}

fn csv_response(name: &str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

async fn statistics_csv(
    State(st): State<Incidents>,
    sess: Sess,
    Query(q): Query<BTreeMap<String, String>>,
) -> Page {
    let u = require!(user(&sess));
    let mut errors = Errors::default();
    let (from, to) = period(&q, now_naive(&st).date(), &mut errors);
    let s = stats::build(&st.db, from, to, st.config().min_count).await?;
    audit::log(
        &st.db,
        &u.id,
        "incident.statistics_export",
        "",
        &format!("{from} to {to}"),
    )
    .await?;
    Ok(csv_response(
        &format!("incidents-{from}-to-{to}.csv"),
        s.csv()?,
    ))
}

// ---------------------------------------------------------------- FOI extract

fn ask_from(
    q: &BTreeMap<String, String>,
    today: NaiveDate,
    errors: &mut Errors,
) -> Option<foi::Ask> {
    if !q.contains_key("from") {
        return None;
    }
    let (from, to) = period(q, today, errors);
    let list = |prefix: &str| -> Vec<String> {
        q.iter()
            .filter(|(k, v)| k.starts_with(prefix) && v.as_str() == "yes")
            .map(|(k, _)| k[prefix.len()..].to_owned())
            .collect()
    };
    let establishments = list("e-");
    let types = list("t-");
    if establishments.is_empty() {
        errors.add("establishments", "Choose at least one establishment");
    }
    if types.is_empty() {
        errors.add("types", "Choose at least one type of incident");
    }
    Some(foi::Ask {
        establishments,
        types,
        platform: q.get("platform").filter(|p| !p.is_empty()).cloned(),
        from,
        to,
    })
}

async fn foi_page(
    State(st): State<Incidents>,
    sess: Sess,
    Query(q): Query<BTreeMap<String, String>>,
) -> Page {
    let u = require!(user(&sess));
    let mut errors = Errors::default();
    let ask = ask_from(&q, now_naive(&st).date(), &mut errors);
    let extract = match &ask {
        Some(a) if errors.is_empty() => {
            match foi::extract(&st.db, a, st.config().min_count).await {
                Ok(x) => {
                    audit::log(
                        &st.db,
                        &u.id,
                        "incident.foi_extract",
                        "",
                        &format!(
                            "{} establishments, {} types",
                            a.establishments.len(),
                            a.types.len()
                        ),
                    )
                    .await?;
                    Some(x)
                }
                Err(Error::Conflict(m)) => {
                    errors.add("establishments", forms::capital(&m));
                    None
                }
                Err(e) => return Err(e.into()),
            }
        }
        _ => None,
    };
    let names = names(&st).await;
    let types = types::active(&st.db).await?;
    let platforms: Vec<(String, String)> = types
        .iter()
        .find(|t| t.code == "social_media")
        .and_then(|t| t.question("platform"))
        .map(|q| {
            q.answers
                .iter()
                .map(|a| (a.code.clone(), a.label.clone()))
                .collect()
        })
        .unwrap_or_default();
    let mut platform_options = vec![(String::new(), "Any platform".to_owned())];
    platform_options.extend(platforms);
    let (from, to) = period(&q, now_naive(&st).date(), &mut Errors::default());
    let checked = |k: String| q.get(&k).is_some_and(|v| v == "yes");
    let csv_href = format!(
        "/incidents/foi-extract.csv?{}",
        encode(
            &q.iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect::<Vec<_>>()
        )
    );
    let c = sess.ctx(&st).in_service(SERVICE, "/incidents");
    Ok(c.page(
        "FOI extract",
        &errors,
        html! {
            a href="/incidents" class="govuk-back-link" { "Back" }
            (ui::error_summary(&errors))
            h1 class="govuk-heading-l" { "FOI extract" }
            p class="govuk-body" { "Answer a Freedom of Information request about incidents as far as the law allows: counts with disclosure control, and what is withheld with the exemption that applies." }
            form method="get" action="/incidents/foi-extract" novalidate {
                div class={ "govuk-form-group" @if errors.get("establishments").is_some() { " govuk-form-group--error" } } {
                    fieldset class="govuk-fieldset" aria-describedby=[errors.get("establishments").map(|_| "establishments-error")] {
                        legend class="govuk-fieldset__legend govuk-fieldset__legend--s" { "Establishments named in the request" }
                        (ui::components::error_message("establishments", errors.get("establishments")))
                        div class="govuk-checkboxes govuk-checkboxes--small lifeline-columns" data-module="govuk-checkboxes" id="establishments" {
                            @for (id, name) in &names {
                                div class="govuk-checkboxes__item" {
                                    input class="govuk-checkboxes__input" id={ "e-" (id) } name={ "e-" (id) } type="checkbox" value="yes" checked[checked(format!("e-{id}"))];
                                    label class="govuk-label govuk-checkboxes__label" for={ "e-" (id) } { (name) }
                                }
                            }
                        }
                    }
                }
                div class={ "govuk-form-group" @if errors.get("types").is_some() { " govuk-form-group--error" } } {
                    fieldset class="govuk-fieldset" aria-describedby=[errors.get("types").map(|_| "types-error")] {
                        legend class="govuk-fieldset__legend govuk-fieldset__legend--s" { "Types of incident" }
                        (ui::components::error_message("types", errors.get("types")))
                        div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes" id="types" {
                            @for t in &types {
                                div class="govuk-checkboxes__item" {
                                    input class="govuk-checkboxes__input" id={ "t-" (t.code) } name={ "t-" (t.code) } type="checkbox" value="yes" checked[checked(format!("t-{}", t.code))];
                                    label class="govuk-label govuk-checkboxes__label" for={ "t-" (t.code) } { (t.label) }
                                }
                            }
                        }
                    }
                }
                (ui::select("platform", "Social media platform (for social media misuse)", None, &platform_options, q.get("platform").map(String::as_str).unwrap_or(""), &errors))
                div class="govuk-grid-row" {
                    div class="govuk-grid-column-one-third" { (input("from", "From (YYYY-MM-DD)", &from.to_string(), &errors, Input { width: Some("10"), ..Input::default() })) }
                    div class="govuk-grid-column-one-third" { (input("to", "To (YYYY-MM-DD)", &to.to_string(), &errors, Input { width: Some("10"), ..Input::default() })) }
                }
                (button("Make the extract"))
            }
            @if let Some(x) = &extract {
                h2 class="govuk-heading-m" id="extract" { "Reported incidents of " (x.counted) }
                p class="govuk-body" { a class="govuk-link" href=(csv_href) download { "Download the extract (CSV)" } }
                form method="post" action="/incidents/foi-extract/release" novalidate {
                    (ui::csrf(&sess.csrf()))
                    @for (k, v) in &q {
                        @if k != "csrf" { input type="hidden" name=(k) value=(v); }
                    }
                    p class="govuk-body" { "Releasing the extract lets the FOI team attach it to their answer. Only these figures, as protected here, are released." }
                    button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Release to the FOI team" }
                }
                table class="govuk-table" {
                    thead class="govuk-table__head" { tr class="govuk-table__row" {
                        th scope="col" class="govuk-table__header" { "Establishment" }
                        @for y in &x.years { th scope="col" class="govuk-table__header govuk-table__header--numeric" { (y) } }
                        th scope="col" class="govuk-table__header govuk-table__header--numeric" { "Total" }
                    } }
                    tbody class="govuk-table__body" {
                        @for (e, (_, name)) in x.establishments.iter().enumerate() {
                            tr class="govuk-table__row" {
                                th scope="row" class="govuk-table__header" { (name) }
                                @for y in 0..x.years.len() { (cell(x.counts.get(&[Some(e), Some(y)]))) }
                                (cell(x.counts.get(&[Some(e), None])))
                            }
                        }
                        tr class="govuk-table__row" {
                            th scope="row" class="govuk-table__header" { "All named establishments" }
                            @for y in 0..x.years.len() { (cell(x.counts.get(&[None, Some(y)]))) }
                            (cell(x.counts.get(&[None, None])))
                        }
                    }
                }
                h3 class="govuk-heading-s" { "Whether they were investigated, and the outcomes (all named establishments together)" }
                table class="govuk-table" {
                    tbody class="govuk-table__body" {
                        tr class="govuk-table__row" { th scope="row" class="govuk-table__header" { "Investigated" } (cell(x.investigated.get(&[Some(0)]))) }
                        tr class="govuk-table__row" { th scope="row" class="govuk-table__header" { "Not investigated" } (cell(x.investigated.get(&[Some(1)]))) }
                        @for (n, (_, label)) in OUTCOMES.iter().enumerate() {
                            tr class="govuk-table__row" { th scope="row" class="govuk-table__header" { "Outcome: " (label) } (cell(x.outcomes.get(&[Some(n)]))) }
                        }
                        tr class="govuk-table__row" { th scope="row" class="govuk-table__header" { "Outcome: not yet concluded" } (cell(x.outcomes.get(&[Some(OUTCOMES.len())]))) }
                    }
                }
                h3 class="govuk-heading-s" { "Withheld" }
                dl class="govuk-summary-list" {
                    @for (what, why) in &x.withheld {
                        div class="govuk-summary-list__row" {
                            dt class="govuk-summary-list__key" { (what) }
                            dd class="govuk-summary-list__value" { (why) }
                        }
                    }
                }
                h3 class="govuk-heading-s" { "Notes" }
                ul class="govuk-list govuk-list--bullet" { @for n in &x.notes { li { (n) } } }
            }
        },
    ))
}

/// Releases the extract, as protected, for the FOI system to attach to an
/// answer: through the platform, so neither system imports the other.
async fn foi_release(State(st): State<Incidents>, sess: Sess, FormIn(fields): FormIn) -> Page {
    let u = require!(user(&sess));
    let mut errors = Errors::default();
    let Some(ask) = ask_from(&fields, now_naive(&st).date(), &mut errors) else {
        return Ok(see_other("/incidents/foi-extract"));
    };
    if !errors.is_empty() {
        return Ok(see_other("/incidents/foi-extract"));
    }
    let x = match foi::extract(&st.db, &ask, st.config().min_count).await {
        Ok(x) => x,
        Err(Error::Conflict(_)) => return Ok(see_other("/incidents/foi-extract")),
        Err(e) => return Err(e.into()),
    };
    let title = format!("Security incidents: {}", x.counted);
    let csv = String::from_utf8(x.csv()?)
        .map_err(|e| Error::Corrupt(format!("the extract's CSV is not UTF-8: {e}")))?;
    platform::releases::release(
        &st.db,
        "incidents",
        &title,
        "text/csv",
        &csv,
        &platform::Actor {
            id: u.id.clone(),
            name: u.name.clone(),
        },
        st.clock.now(),
    )
    .await?;
    sess.update(|d| d.notice = Some(format!("Released to the FOI team: {title}")));
    Ok(see_other("/incidents/foi-extract"))
}

async fn foi_csv(
    State(st): State<Incidents>,
    sess: Sess,
    Query(q): Query<BTreeMap<String, String>>,
) -> Page {
    let u = require!(user(&sess));
    let mut errors = Errors::default();
    let Some(ask) = ask_from(&q, now_naive(&st).date(), &mut errors) else {
        return Ok(see_other("/incidents/foi-extract"));
    };
    if !errors.is_empty() {
        return Ok(see_other("/incidents/foi-extract"));
    }
    let x = match foi::extract(&st.db, &ask, st.config().min_count).await {
        Ok(x) => x,
        Err(Error::Conflict(_)) => return Ok(see_other("/incidents/foi-extract")),
        Err(e) => return Err(e.into()),
    };
    audit::log(&st.db, &u.id, "incident.foi_extract_export", "", "").await?;
    Ok(csv_response("foi-extract.csv", x.csv()?))
}
