//! The FOI system's pages: the public request form, the internal review
//! form and the disclosure log; and for staff, the case list, logging a
//! request, a case with its clock, timeline and the moves the user may
//! make, the decision, the letter (HTML and PDF), attachments with
//! redaction, reviews, appeals, business units and the statistics.
//!
//! Who sees a case is decided here, on the record: the FOI team and the
//! disclosure team see every case, the press and private offices every
//! case without the requester's details, a responder the cases of their
//! business units. Every view of a requester's details is audited.

use std::collections::BTreeMap;

use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use maud::{Markup, html};
use platform::accounts::Role;
use platform::require;
use platform::rules::{Routes, Rule};
use platform::sessions::SessionUser;
use platform::web::{FormIn, Page, Sess, forbidden, see_other};
use platform::workflow::{State as _, Value, Who};
use platform::{Actor, Error};
use ui::forms::{self, Errors, Fields, get as field};
use ui::{Input, button, csrf, input, summary_list};

use crate::Foi;
use crate::attachments;
use crate::cases::{self, Applied, Case, ClockChange, Decision, Kind, NewCase};
use crate::clock::Clock;
use crate::exemptions::{self, ACTIVITIES, EXEMPTIONS, Outcome, Reason};
use crate::letter;
use crate::stats;
use crate::units;
use crate::workflow::{self, Status};

const SERVICE: &str = "Freedom of Information";
/// The session's note of the request (or review) it just sent.
const RECEIVED: &str = "foi-received";
/// The largest attachment taken (a PDF to redact).
const MAX_UPLOAD: usize = 20 * 1024 * 1024;

/// Every page, with who each is for.
pub fn router(foi: Foi) -> Routes {
    use Rule::{Foi as Any, FoiManager as Manager, Public};
    Routes::new()
        .get_post("/foi/request", Public, request_form, request_post)
        .get("/foi/request/received/{number}", Public, request_received)
        .get_post("/foi/review", Public, review_form, review_post)
        .get("/foi/disclosure-log", Public, log_list)
        .get("/foi/disclosure-log/{number}", Public, log_show)
        .get(
            "/foi/disclosure-log/{number}/files/{file}",
            Public,
            log_file,
        )
        .get("/foi", Any, list)
        .get_post("/foi/new", Manager, new_form, new_post)
        .get("/foi/statistics", Manager, statistics)
        .get("/foi/statistics.csv", Manager, statistics_csv)
        .get_post("/foi/units", Manager, units_page, units_post)
        .get("/foi/cases/{id}", Any, show)
        .post("/foi/cases/{id}/move/{action}", Any, move_post)
        .post("/foi/cases/{id}/flag", Any, flag_post)
        .post("/foi/cases/{id}/clock", Any, clock_post)
        .get_post(
            "/foi/cases/{id}/decision",
            Any,
            decision_form,
            decision_post,
        )
        .get("/foi/cases/{id}/letter", Any, letter_html)
        .get("/foi/cases/{id}/letter.pdf", Any, letter_pdf)
        .get("/foi/cases/{id}/attachments/{file}", Any, attachment_get)
        .post("/foi/cases/{id}/review", Manager, review_staff_post)
        .post("/foi/cases/{id}/appeal", Manager, appeal_post)
        .post("/foi/cases/{id}/ico-decision", Manager, ico_post)
        .post("/foi/cases/{id}/publish", Manager, publish_post)
        .post("/foi/cases/{id}/release", Any, release_post)
        .merge(
            Routes::new()
                .post("/foi/cases/{id}/attachments", Any, attachment_post)
                .body_limit(MAX_UPLOAD + 64 * 1024),
        )
        .with_state(foi)
}

// ------------------------------------------------------------- access

fn user(sess: &Sess) -> Result<SessionUser, Box<Response>> {
    sess.user().ok_or_else(|| Box::new(see_other("/sign-in")))
}

fn actor(u: &SessionUser) -> Actor {
    Actor {
        id: u.id.clone(),
        name: u.name.clone(),
    }
}

/// What a user is to a case.
struct Access {
    /// Sees every case and its requester: the FOI team, the disclosure team.
    manager: bool,
    /// Answers for these units.
    units: Vec<String>,
}

impl Access {
    fn may_see(&self, u: &SessionUser, c: &Case) -> bool {
        self.manager
            || u.has(Role::FoiPress)
            || u.has(Role::FoiPrivateOffice)
            || c.unit_id
                .as_ref()
                .is_some_and(|unit| self.units.contains(unit))
    }

    fn sees_requester(&self, c: &Case) -> bool {
        self.manager
            || c.unit_id
                .as_ref()
                .is_some_and(|unit| self.units.contains(unit))
    }

    /// Whether `u` may change `c`'s response (the decision, attachments)
    /// now: its unit's responder or the FOI team, while it is drafted.
    fn may_draft(&self, u: &SessionUser, c: &Case) -> bool {
        c.status.drafting() && (self.manager || self.answers(u, c))
    }

    /// Whether `u` is a responder for `c`'s unit.
    fn answers(&self, u: &SessionUser, c: &Case) -> bool {
        u.has(Role::FoiResponder)
            && c.unit_id
                .as_ref()
                .is_some_and(|unit| self.units.contains(unit))
    }
}

async fn access(st: &Foi, u: &SessionUser) -> platform::Result<Access> {
    Ok(Access {
        manager: u.is_foi_manager(),
        units: if u.has(Role::FoiResponder) {
            units::of(&st.db, &u.id).await?
        } else {
            Vec::new()
        },
    })
}

async fn load(
    st: &Foi,
    sess: &Sess,
    id: &str,
) -> Result<(SessionUser, Access, Case), Box<Response>> {
    let u = user(sess)?;
    let fail = |e: Error| Box::new(platform::web::AppError(e).into_response());
    let a = access(st, &u).await.map_err(fail)?;
    let c = cases::get(&st.db, id).await.map_err(fail)?;
    if !a.may_see(&u, &c) {
        return Err(forbidden());
    }
    Ok((u, a, c))
}

/// The moves `u` may make on `c` now, from its table.
fn moves(u: &SessionUser, a: &Access, c: &Case) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for who in Who::of(u) {
        for t in c.route.table().actions_from(c.status, who) {
            // The decision notice has its own form, on appeals only.
            if t.action == workflow::ICO_DECISION {
                continue;
            }
            // A responder acts on their own units' cases only.
            let ok = match who {
                Who::Role(Role::FoiResponder) => a.answers(u, c),
                _ => true,
            };
            if ok && !out.contains(&t.action) {
                out.push(t.action);
            }
        }
    }
    out
}

fn status_tag(c: &Case, today: NaiveDate) -> Markup {
    if c.overdue(today) {
        return ui::tag("govuk-tag--red", "Overdue");
    }
    // The internal deadlines: nobody has taken it by the escalation day, or
    // the draft is late for clearance.
    let waiting = matches!(c.status, Status::Unassigned | Status::AwaitingResponder);
    if waiting && c.escalation_on.is_some_and(|d| today > d) {
        return ui::tag("govuk-tag--orange", "Escalated: not yet accepted");
    }
    if c.status == Status::Drafting && c.draft_due_on.is_some_and(|d| today > d) {
        return ui::tag("govuk-tag--orange", "Draft overdue");
    }
    let colour = match c.status {
        Status::Unassigned | Status::AwaitingResponder => "govuk-tag--grey",
        Status::Drafting => "govuk-tag--blue",
        Status::PendingDisclosure | Status::PendingPress | Status::PendingPrivate => {
            "govuk-tag--yellow"
        }
        Status::AwaitingDispatch => "govuk-tag--turquoise",
        Status::Closed => "govuk-tag--green",
    };
    ui::tag(colour, c.status.label())
}

fn review_label(outcome: Option<&str>) -> Option<&'static str> {
    cases::REVIEW_OUTCOMES
        .iter()
        .find(|(k, _)| Some(*k) == outcome)
        .map(|(_, v)| *v)
}

fn long(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

fn conflict(errors: &mut Errors, field: &str, e: Error) -> Result<(), Error> {
    match e {
        Error::Conflict(m) => {
            errors.add(field, forms::capital(&m));
            Ok(())
        }
        e => Err(e),
    }
}

fn version(fields: &Fields) -> i64 {
    field(fields, "version").parse().unwrap_or(-1)
}

fn notice(sess: &Sess, text: String) {
    sess.update(|d| d.notice = Some(text));
}

// ------------------------------------------------------- public pages

fn request_page(st: &Foi, sess: &Sess, fields: &Fields, errors: &Errors) -> Response {
    let c = sess.ctx(st).in_service(SERVICE, "/foi/request");
    let token = fields
        .get("token")
        .cloned()
        .unwrap_or_else(|| platform::ids::random_token(16));
    let types: Vec<(String, String)> = std::iter::once((String::new(), "Choose one".to_owned()))
        .chain(
            cases::REQUESTER_TYPES
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string())),
        )
        .collect();
    let delivery = field(fields, "delivery");
    c.page(
        "Ask for information (Freedom of Information)",
        errors,
        html! {
            div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                (ui::error_summary(errors))
                h1 class="govuk-heading-l" { "Ask for information" }
                p class="govuk-body" { "You can ask the " (st.config().organisation) " for any recorded information it holds, under the Freedom of Information Act 2000. We must reply within 20 working days." }
                p class="govuk-body" { "Do not use this form to ask for information about yourself: ask for a copy of your personal data instead." }
                p class="govuk-body" { "Before you ask, " a class="govuk-link" href="/foi/disclosure-log" { "search the responses we have already published" } ". Unhappy with a response you had? " a class="govuk-link" href="/foi/review" { "Ask for an internal review" } "." }
                form method="post" action="/foi/request" novalidate {
                    (csrf(&sess.csrf()))
                    input type="hidden" name="token" value=(token);
                    (input("name", "Your name", field(fields, "name"), errors, Input { autocomplete: Some("name"), ..Input::default() }))
                    (ui::radios("delivery", "How should we reply?", &[
                        ("email".into(), "By email".into(), Some(input("email", "Email address", field(fields, "email"), errors, Input { kind: Some("email"), autocomplete: Some("email"), spellcheck_off: true, ..Input::default() }))),
                        ("post".into(), "By post".into(), Some(ui::textarea("address", "Postal address", "Include the postcode", field(fields, "address"), errors))),
                    ], delivery, errors))
                    (ui::select("requester_type", "Which best describes you?", Some("This is only for our statistics; it does not change how we answer."), &types, field(fields, "requester_type"), errors))
                    (input("subject", "What is your request about? (optional)", field(fields, "subject"), errors, Input { hint: Some("A few words, like \"mobile phones found in prisons\""), ..Input::default() }))
                    (ui::textarea("request", "What information do you want?", "Be as specific as you can: dates, places and the kind of document help us find it.", field(fields, "request"), errors))
                    (button("Send request"))
                }
            } }
        },
    )
}

async fn request_form(State(st): State<Foi>, sess: Sess) -> Page {
    Ok(request_page(&st, &sess, &Fields::new(), &Errors::default()))
}

fn new_case_from(fields: &Fields, received_on: NaiveDate, channel: &str) -> NewCase {
    let opt = |k: &str| Some(field(fields, k).trim().to_owned()).filter(|s| !s.is_empty());
    NewCase {
        subject: forms::bounded(field(fields, "subject")),
        request: field(fields, "request").to_owned(),
        name: forms::bounded(field(fields, "name")),
        email: opt("email").map(|e| e.to_lowercase()),
        address: opt("address"),
        requester_type: field(fields, "requester_type").to_owned(),
        delivery: field(fields, "delivery").to_owned(),
        channel: channel.to_owned(),
        received_on,
        token: opt("token"),
    }
}

async fn request_post(State(st): State<Foi>, sess: Sess, FormIn(fields): FormIn) -> Page {
    let today = st.clock.today();
    let mut errors = Errors::default();
    let new = new_case_from(&fields, today, "web");
    if new.delivery == "email"
        && let Some(e) = &new.email
    {
        forms::email(e, "email", &mut errors);
    }
    for (f, m) in cases::check(&new, today) {
        if errors.get(f).is_none() {
            errors.add(f, m);
        }
    }
    if !errors.is_empty() {
        return Ok(request_page(&st, &sess, &fields, &errors));
    }
    let public = Actor {
        id: "requester".into(),
        name: "the requester (online form)".into(),
    };
    let (c, created) = cases::create(
        &st.db,
        &new,
        st.config().internal(),
        &public,
        st.clock.now(),
    )
    .await?;
    if created && let Some(email) = c.requester_email.clone() {
        let mut conn = st.db.writer().acquire().await.map_err(Error::from)?;
        platform::outbox::enqueue(
            &mut conn,
            Some(&c.id),
            &email,
            &format!("We have received your Freedom of Information request {}", c.number),
            &format!(
                "Dear {},\n\nThank you for your request. Its number is {}. We will reply by {}.\n\nYou asked for:\n\n{}\n\n{}\n{}",
                c.requester_name.clone().unwrap_or_default(),
                c.number,
                c.due_on.map(long).unwrap_or_default(),
                c.request,
                st.config().team,
                st.config().organisation
            ),
        )
        .await?;
        st.mail_waiting();
    }
    sess.set_draft(RECEIVED, Some(&c.number));
    Ok(see_other(&format!("/foi/request/received/{}", c.number)))
}

async fn request_received(State(st): State<Foi>, sess: Sess, Path(number): Path<String>) -> Page {
    // Only the person who sent it sees the confirmation: the page would
    // otherwise tell anyone which case numbers exist and when they are due.
    if sess.draft::<String>(RECEIVED).as_deref() != Some(number.as_str()) {
        return Err(Error::NotFound.into());
    }
    let Some(c) = cases::by_number(&st.db, &number).await? else {
        return Err(Error::NotFound.into());
    };
    let ctx = sess.ctx(&st).in_service(SERVICE, "/foi/request");
    Ok(ctx.page(
        "Request received",
        &Errors::default(),
        html! {
            div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                div class="govuk-panel govuk-panel--confirmation" {
                    h1 class="govuk-panel__title" { "Request received" }
                    div class="govuk-panel__body" { "Your reference number" br; strong { (c.number) } }
                }
                h2 class="govuk-heading-m" { "What happens next" }
                p class="govuk-body" { "We will reply by " strong { (c.due_on.map(long).unwrap_or_default()) } ", 20 working days after we received your request." }
                p class="govuk-body" { "If we need to know more to find the information, or if a fee applies, we will write to you and the 20 days will pause." }
                p class="govuk-body" { a class="govuk-link" href="/foi/disclosure-log" { "See responses we have published" } }
                p class="govuk-body" { "If you are unhappy with our answer when it comes, you can " a class="govuk-link" href="/foi/review" { "ask for an internal review" } "." }
            } }
        },
    ))
}

fn review_page(st: &Foi, sess: &Sess, fields: &Fields, errors: &Errors) -> Response {
    let c = sess.ctx(st).in_service(SERVICE, "/foi/request");
    c.page(
        "Ask for an internal review",
        errors,
        html! {
            div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                (ui::error_summary(errors))
                h1 class="govuk-heading-l" { "Ask for an internal review" }
                p class="govuk-body" { "If you are unhappy with our response to your request, you can ask for it to be reviewed by someone who was not involved. Ask within two months of the date of the response." }
                form method="post" action="/foi/review" novalidate {
                    (csrf(&sess.csrf()))
                    (input("number", "Your request's reference number", field(fields, "number"), errors, Input { hint: Some("It is in the letter's heading, like 250307012"), width: Some("10"), ..Input::default() }))
                    (input("email", "The email address we replied to", field(fields, "email"), errors, Input { kind: Some("email"), autocomplete: Some("email"), spellcheck_off: true, ..Input::default() }))
                    (ui::radios("kind", "What are you unhappy about?", &[
                        ("review_compliance".into(), "The response itself (for example, information withheld)".into(), None),
                        ("review_timeliness".into(), "We were late".into(), None),
                    ], field(fields, "kind"), errors))
                    (ui::textarea("grounds", "Why are you unhappy with the response?", "Tell us what you think we got wrong.", field(fields, "grounds"), errors))
                    (button("Ask for a review"))
                }
            } }
        },
    )
}

async fn review_form(State(st): State<Foi>, sess: Sess) -> Page {
    Ok(review_page(&st, &sess, &Fields::new(), &Errors::default()))
}

async fn review_post(State(st): State<Foi>, sess: Sess, FormIn(fields): FormIn) -> Page {
    let mut errors = Errors::default();
    let kind = Kind::parse(field(&fields, "kind")).filter(|k| k.is_review());
    if kind.is_none() {
        errors.add("kind", "Choose what you are unhappy about");
    }
    if field(&fields, "grounds").trim().is_empty() {
        errors.add("grounds", "Tell us why you are unhappy with the response");
    }
    let number = field(&fields, "number").trim();
    let email = field(&fields, "email").trim().to_lowercase();
    // The same answer whether the number is wrong or the address is: the
    // form must not tell a stranger which requests exist.
    let found = match cases::by_number(&st.db, number).await? {
        Some(c)
            if c.requester_email
                .as_deref()
                .is_some_and(|e| e.eq_ignore_ascii_case(&email))
                && c.kind != Kind::Appeal =>
        {
            Some(c)
        }
        _ => None,
    };
    if found.is_none() {
        errors.add("number", "We could not find a response with that reference number sent to that email address: check both against our letter");
    }
    if !errors.is_empty() {
        return Ok(review_page(&st, &sess, &fields, &errors));
    }
    let (Some(parent), Some(kind)) = (found, kind) else {
        return Ok(review_page(&st, &sess, &fields, &errors));
    };
    let public = Actor {
        id: "requester".into(),
        name: "the requester (online form)".into(),
    };
    match cases::open_review(
        &st.db,
        &parent,
        kind,
        st.clock.today(),
        field(&fields, "grounds"),
        None,
        st.config().internal(),
        &public,
        st.clock.now(),
    )
    .await
    {
        Ok(r) => {
            sess.set_draft(RECEIVED, Some(&r.number));
            Ok(see_other(&format!("/foi/request/received/{}", r.number)))
        }
        Err(e) => {
            conflict(&mut errors, "number", e)?;
            Ok(review_page(&st, &sess, &fields, &errors))
        }
    }
}

// ---------------------------------------------------- disclosure log

async fn published(st: &Foi, number: &str) -> Result<Case, Error> {
    match cases::by_number(&st.db, number).await? {
        Some(c) if c.published => Ok(c),
        _ => Err(Error::NotFound),
    }
}

async fn log_list(
    State(st): State<Foi>,
    sess: Sess,
    Query(q): Query<BTreeMap<String, String>>,
) -> Page {
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    let mut errors = Errors::default();
    let day = |k: &str, errors: &mut Errors| {
        let v = get(k);
        if v.trim().is_empty() {
            return None;
        }
        NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d")
            .map_err(|_| errors.add(k, "Enter a date in the form 2025-03-31"))
            .ok()
    };
    let from = day("from", &mut errors);
    let to = day("to", &mut errors);
    let text = get("q").trim().to_lowercase();
    let rows: Vec<(String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT number, subject, sent_on, outcome FROM foi_cases WHERE published = 1 AND sent_on IS NOT NULL \
         AND ($1 = '' OR LOWER(subject) LIKE $2 OR LOWER(request) LIKE $2) AND ($3 = '' OR sent_on >= $3) AND ($4 = '' OR sent_on <= $4) \
         ORDER BY sent_on DESC, number DESC LIMIT 200",
    )
    .bind(&text)
    .bind(format!("%{}%", text.replace(['%', '_'], "")))
    .bind(from.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default())
    .bind(to.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default())
    .fetch_all(st.db.pool())
    .await
    .map_err(Error::from)?;
    let c = sess.ctx(&st).in_service(SERVICE, "/foi/disclosure-log");
    Ok(c.page(
        "Disclosure log",
        &errors,
        html! {
            (ui::error_summary(&errors))
            h1 class="govuk-heading-l" { "Disclosure log" }
            p class="govuk-body" { "Responses to Freedom of Information requests that we have published, with the information released. Requesters' names and addresses are never published." }
            form method="get" action="/foi/disclosure-log" novalidate {
                div class="govuk-grid-row" {
                    div class="govuk-grid-column-one-half" { (input("q", "Subject", &get("q"), &errors, Input::default())) }
                    div class="govuk-grid-column-one-quarter" { (input("from", "Sent from (YYYY-MM-DD)", &get("from"), &errors, Input { width: Some("10"), ..Input::default() })) }
                    div class="govuk-grid-column-one-quarter" { (input("to", "Sent to (YYYY-MM-DD)", &get("to"), &errors, Input { width: Some("10"), ..Input::default() })) }
                }
                button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Search" }
            }
            @if rows.is_empty() {
                p class="govuk-body" { "No published responses match." }
            } @else {
                table class="govuk-table" {
                    caption class="govuk-table__caption govuk-table__caption--s" { (rows.len()) " responses, newest first" }
                    thead class="govuk-table__head" { tr class="govuk-table__row" {
                        th scope="col" class="govuk-table__header" { "Reference" }
                        th scope="col" class="govuk-table__header" { "Subject" }
                        th scope="col" class="govuk-table__header" { "Sent" }
                        th scope="col" class="govuk-table__header" { "Outcome" }
                    } }
                    tbody class="govuk-table__body" {
                        @for (number, subject, sent, outcome) in &rows {
                            tr class="govuk-table__row" {
                                td class="govuk-table__cell" { a class="govuk-link" href={ "/foi/disclosure-log/" (number) } { (number) } }
                                td class="govuk-table__cell" { (subject) }
                                td class="govuk-table__cell" { (ui::long_date(sent)) }
                                td class="govuk-table__cell" { (outcome.as_deref().and_then(Outcome::parse).map(|o| o.label()).unwrap_or("Review")) }
                            }
                        }
                    }
                }
            }
        },
    ))
}

/// The letter's body inside a GOV.UK page (the standalone document's
/// styles would fight the page's).
fn letter_in_page(l: &letter::Letter) -> Markup {
    html! {
        div class="foi-letter govuk-!-padding-4" style="border: 1px solid #b1b4b6" {
            pre class="govuk-body" style="white-space: pre-wrap; font-family: inherit" { (l.text()) }
        }
    }
}

async fn log_show(State(st): State<Foi>, sess: Sess, Path(number): Path<String>) -> Page {
    let c = published(&st, &number).await?;
    let d = cases::decision(&st.db, &c).await?;
    let l = letter::build(
        &c,
        &d,
        &st.config().sender(),
        c.sent_on.unwrap_or(c.received_on),
        true,
    );
    let files = attachments::list(&st.db, &c.id).await?;
    let ctx = sess.ctx(&st).in_service(SERVICE, "/foi/disclosure-log");
    Ok(ctx.page(
        &format!("Response {}", c.number),
        &Errors::default(),
        html! {
            (ui::back("/foi/disclosure-log"))
            span class="govuk-caption-l" { "Disclosure log" }
            h1 class="govuk-heading-l" { (c.subject) }
            (summary_list(&[
                ("Reference".into(), html! { (c.number) }, None),
                ("Received".into(), html! { (long(c.received_on)) }, None),
                ("Sent".into(), html! { (c.sent_on.map(long).unwrap_or_default()) }, None),
                ("Outcome".into(), html! { (c.outcome.map(|o| o.label()).unwrap_or("")) }, None),
            ]))
            @if !files.is_empty() {
                h2 class="govuk-heading-m" { "Information released" }
                ul class="govuk-list" {
                    @for f in &files {
                        li { a class="govuk-link" href={ "/foi/disclosure-log/" (c.number) "/files/" (f.id) } { (f.name) } }
                    }
                }
            }
            h2 class="govuk-heading-m" { "The response" }
            (letter_in_page(&l))
        },
    ))
}

async fn file_response(st: &Foi, case: &str, file: &str) -> Result<Response, Error> {
    let (name, media, bytes) = attachments::get(&st.db, case, file).await?;
    let safe: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c))
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, media),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{safe}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

async fn log_file(State(st): State<Foi>, Path((number, file)): Path<(String, String)>) -> Page {
    let c = published(&st, &number).await?;
    Ok(file_response(&st, &c.id, &file).await?)
}

// ---------------------------------------------------------- staff list

async fn list(
    State(st): State<Foi>,
    sess: Sess,
    Query(q): Query<BTreeMap<String, String>>,
) -> Page {
    let u = require!(user(&sess));
    let a = access(&st, &u).await?;
    let today = st.clock.today();
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    let sees_all = a.manager || u.has(Role::FoiPress) || u.has(Role::FoiPrivateOffice);
    let filter = cases::Filter {
        units: (!sees_all).then(|| a.units.clone()),
        status: Status::parse(&get("status")),
        kind: Kind::parse(&get("kind")),
        overdue_on: (get("overdue") == "yes").then_some(today),
        text: q.get("q").cloned(),
        route: None,
    };
    let rows = cases::list(&st.db, &filter, 200).await?;
    let mut status_options = vec![(String::new(), "Any".to_owned())];
    status_options.extend(
        Status::ALL
            .iter()
            .map(|s| (s.as_str().to_owned(), s.label().to_owned())),
    );
    let mut kind_options = vec![(String::new(), "Any".to_owned())];
    kind_options.extend(
        Kind::ALL
            .iter()
            .map(|k| (k.as_str().to_owned(), k.label().to_owned())),
    );
    let errors = Errors::default();
    let c = sess.ctx(&st).in_service(SERVICE, "/foi");
    Ok(c.page(
        "FOI cases",
        &errors,
        html! {
            h1 class="govuk-heading-l" { "FOI cases" }
            @if a.manager {
                a class="govuk-button" href="/foi/new" data-module="govuk-button" { "Log a request" }
                p class="govuk-body" {
                    a class="govuk-link" href="/foi/statistics" { "Statistics" } " · "
                    a class="govuk-link" href="/foi/units" { "Business units" } " · "
                    a class="govuk-link" href="/foi/disclosure-log" { "Disclosure log" }
                }
            }
            @if !sees_all && a.units.is_empty() {
                div class="govuk-inset-text" { "You are not in any business unit yet, so no cases are assigned to you. The FOI team adds responders to units." }
            }
            form method="get" action="/foi" novalidate {
                div class="govuk-grid-row" {
                    div class="govuk-grid-column-one-third" { (ui::select("status", "Status", None, &status_options, &get("status"), &errors)) }
                    div class="govuk-grid-column-one-third" { (ui::select("kind", "Kind", None, &kind_options, &get("kind"), &errors)) }
                    div class="govuk-grid-column-one-third" { (input("q", "Case number or subject", &get("q"), &errors, Input::default())) }
                }
                div class="govuk-checkboxes govuk-checkboxes--small govuk-!-margin-bottom-4" data-module="govuk-checkboxes" {
                    div class="govuk-checkboxes__item" {
                        input class="govuk-checkboxes__input" id="overdue" name="overdue" type="checkbox" value="yes" checked[get("overdue") == "yes"];
                        label class="govuk-label govuk-checkboxes__label" for="overdue" { "Overdue only" }
                    }
                }
                button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Filter" }
            }
            @if rows.is_empty() {
                p class="govuk-body" { "No cases match." }
            } @else {
                table class="govuk-table" {
                    caption class="govuk-table__caption govuk-table__caption--s" { "Open cases first, soonest due first" }
                    thead class="govuk-table__head" { tr class="govuk-table__row" {
                        th scope="col" class="govuk-table__header" { "Case" }
                        th scope="col" class="govuk-table__header" { "Subject" }
                        th scope="col" class="govuk-table__header" { "Received" }
                        th scope="col" class="govuk-table__header" { "Due" }
                        th scope="col" class="govuk-table__header" { "Status" }
                    } }
                    tbody class="govuk-table__body" {
                        @for r in &rows {
                            tr class="govuk-table__row" {
                                td class="govuk-table__cell" { a class="govuk-link" href={ "/foi/cases/" (r.id) } { (r.number) } br; span class="govuk-body-s" { (r.kind.label()) } }
                                td class="govuk-table__cell" { (r.subject) }
                                td class="govuk-table__cell" { (long(r.received_on)) }
                                td class="govuk-table__cell" { (r.due_on.map(long).unwrap_or_else(|| "Clock stopped".into())) }
                                td class="govuk-table__cell" { (status_tag(r, today)) }
                            }
                        }
                    }
                }
            }
        },
    ))
}

fn new_page(st: &Foi, sess: &Sess, fields: &Fields, errors: &Errors) -> Response {
    let c = sess.ctx(st).in_service(SERVICE, "/foi");
    let types: Vec<(String, String)> = std::iter::once((String::new(), "Choose one".to_owned()))
        .chain(
            cases::REQUESTER_TYPES
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string())),
        )
        .collect();
    c.page(
        "Log a request",
        errors,
        html! {
            div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                (ui::error_summary(errors))
                (ui::back("/foi"))
                h1 class="govuk-heading-l" { "Log a request received by email or post" }
                form method="post" action="/foi/new" novalidate {
                    (csrf(&sess.csrf()))
                    (ui::date_input("received", "When was it received?", "The date it arrived, for example 7 3 2025. The 20 working days start the next working day.", fields, errors, false))
                    (ui::radios("channel", "How did it arrive?", &[
                        ("email".into(), "Email".into(), None),
                        ("post".into(), "Post".into(), None),
                    ], field(fields, "channel"), errors))
                    (input("name", "Requester's name", field(fields, "name"), errors, Input::default()))
                    (ui::radios("delivery", "How should we reply?", &[
                        ("email".into(), "By email".into(), Some(input("email", "Email address", field(fields, "email"), errors, Input { kind: Some("email"), spellcheck_off: true, ..Input::default() }))),
                        ("post".into(), "By post".into(), Some(ui::textarea("address", "Postal address", "Include the postcode", field(fields, "address"), errors))),
                    ], field(fields, "delivery"), errors))
                    (ui::select("requester_type", "Requester type", None, &types, field(fields, "requester_type"), errors))
                    (input("subject", "Subject", field(fields, "subject"), errors, Input::default()))
                    (ui::textarea("request", "The request, as written", "Copy the request's words exactly: the letter quotes them.", field(fields, "request"), errors))
                    (button("Log the request"))
                }
            } }
        },
    )
}

async fn new_form(State(st): State<Foi>, sess: Sess) -> Page {
    Ok(new_page(&st, &sess, &Fields::new(), &Errors::default()))
}

async fn new_post(State(st): State<Foi>, sess: Sess, FormIn(fields): FormIn) -> Page {
    let u = require!(user(&sess));
    let mut errors = Errors::default();
    let received = forms::date(
        &fields,
        "received",
        "the date the request was received",
        &mut errors,
    );
    let channel = field(&fields, "channel");
    if !["email", "post"].contains(&channel) {
        errors.add("channel", "Choose how the request arrived");
    }
    let new = new_case_from(
        &fields,
        received.unwrap_or_else(|| st.clock.today()),
        channel,
    );
    if let Some(e) = &new.email
        && new.delivery == "email"
    {
        forms::email(e, "email", &mut errors);
    }
    for (f, m) in cases::check(&new, st.clock.today()) {
        if errors.get(f).is_none() {
            errors.add(f, m);
        }
    }
    if !errors.is_empty() {
        return Ok(new_page(&st, &sess, &fields, &errors));
    }
    let (c, _) = cases::create(
        &st.db,
        &new,
        st.config().internal(),
        &actor(&u),
        st.clock.now(),
    )
    .await?;
    notice(
        &sess,
        format!(
            "Case {} logged: due {}",
            c.number,
            c.due_on.map(long).unwrap_or_default()
        ),
    );
    Ok(see_other(&format!("/foi/cases/{}", c.id)))
}

// ---------------------------------------------------------- one case

fn clock_rows(c: &Case) -> Vec<(String, Markup, Option<String>)> {
    let mut rows = vec![("Received".to_owned(), html! { (long(c.received_on)) }, None)];
    match c.clock() {
        Ok(Clock::Running(d)) => {
            rows.push(("Day 1".into(), html! { (long(d.day_one)) }, None));
            if d.due != d.statutory {
                rows.push(("Refusal notice due (day 20)".into(), html! { (long(d.statutory)) }, None));
                rows.push((
                    "Answer due".into(),
                    html! { strong { (long(d.due)) } " (extended by " (c.extension_days) " working days for the public interest test)" },
                    None,
                ));
            } else {
                rows.push(("Due".into(), html! { strong { (long(d.due)) } " (" (d.working_days) " working days)" }, None));
            }
            if let Some((a, b)) = d.paused {
                rows.push(("Paused for the fee".into(), html! { (long(a)) " to " (long(b)) }, None));
            }
            if !d.skipped.is_empty() {
                rows.push((
                    "Bank holidays not counted".into(),
                    html! { @for h in &d.skipped { (long(h.date)) ": " (h.name) br; } },
                    None,
                ));
            }
        }
        Ok(Clock::AwaitingClarification { asked }) => rows.push((
            "Clock".into(),
            html! { strong { "Stopped" } ": clarification asked for on " (long(asked)) ". The 20 days start again when the answer arrives." },
            None,
        )),
        Ok(Clock::AwaitingFee { notice, lapses }) => rows.push((
            "Clock".into(),
            html! { strong { "Paused" } ": fees notice sent " (long(notice)) ". The request lapses on " (long(lapses)) " if the fee is not paid." },
            None,
        )),
        Err(e) => rows.push(("Clock".into(), html! { (e.to_string()) }, None)),
    }
    if let Some(d) = c.draft_due_on {
        rows.push(("Draft due (internal)".into(), html! { (long(d)) }, None));
    }
    if let Some(d) = c.sent_on {
        rows.push((
            "Sent".into(),
            html! { (long(d)) @if c.late == Some(true) { " " (ui::tag("govuk-tag--red", "Late")) } },
            None,
        ));
    }
    rows
}

async fn show(State(st): State<Foi>, sess: Sess, Path(id): Path<String>) -> Page {
    let (u, a, c) = require!(load(&st, &sess, &id).await);
    let today = st.clock.today();
    let d = cases::decision(&st.db, &c).await?;
    let timeline = cases::timeline(&st.db, &c.id).await?;
    let linked = cases::linked(&st.db, &c).await?;
    let files = attachments::list(&st.db, &c.id).await?;
    let releases = platform::releases::recent(&st.db, st.clock.now()).await?;
    let unit_list = units::list(&st.db).await?;
    let unit_name = c
        .unit_id
        .as_ref()
        .and_then(|id| unit_list.iter().find(|u| &u.id == id))
        .map(|u| u.name.clone());
    let sees = a.sees_requester(&c);
    if sees && c.anonymised_at.is_none() {
        cases::viewed_requester(&st.db, &c, &actor(&u), st.clock.now()).await?;
    }
    let available = moves(&u, &a, &c);
    let problems = cases::problems(&c, &d, st.config().cost_limit_pounds * 100);
    let l = letter::build(
        &c,
        &d,
        &st.config().sender(),
        c.sent_on.unwrap_or(today),
        false,
    );
    let missing = letter::missing_parts(&c, &d, &l);
    let flaggable: Vec<Role> = [Role::FoiDisclosure, Role::FoiPress, Role::FoiPrivateOffice]
        .into_iter()
        .filter(|r| u.has(*r) && c.route.flagged_by(*r).is_some() && c.status.drafting())
        .collect();
    let may_draft = a.may_draft(&u, &c);
    let may_clock =
        c.status != Status::Closed && (a.answers(&u, &c) || a.manager) && c.kind != Kind::Appeal;
    let units_options: Vec<(String, String)> = unit_list
        .iter()
        .map(|u| (u.id.clone(), u.name.clone()))
        .collect();
    let errors = Errors::default();
    let csrf_token = sess.csrf();
    let ctx = sess.ctx(&st).in_service(SERVICE, "/foi");
    let mut details = vec![
        ("Kind".to_owned(), html! { (c.kind.label()) }, None),
        ("Status".to_owned(), status_tag(&c, today), None),
        ("Clearance".to_owned(), html! { (c.route.label()) }, None),
        (
            "Business unit".to_owned(),
            html! { (unit_name.unwrap_or_else(|| "Not assigned".into())) },
            None,
        ),
        (
            "Requester type".to_owned(),
            html! { (c.requester_label()) },
            None,
        ),
    ];
    if sees {
        details.push((
            "Requester".to_owned(),
            html! {
                @if c.anonymised_at.is_some() { "Deleted after the retention period" } @else {
                    (c.requester_name.clone().unwrap_or_default()) br;
                    @if let Some(e) = &c.requester_email { (e) br; }
                    @if let Some(addr) = &c.requester_address { (ui::multiline(addr)) br; }
                    span class="govuk-body-s" { "Reply by " (c.delivery) }
                }
            },
            None,
        ));
    }
    if let Some(r) = &c.ico_reference {
        details.push((
            "ICO reference".to_owned(),
            html! { (r) " (" (c.ico_officer.clone().unwrap_or_default()) ")" },
            None,
        ));
    }
    if let Some(o) = &c.ico_outcome {
        details.push((
            "ICO decision".to_owned(),
            html! { (cases::ICO_OUTCOMES.iter().find(|(k, _)| k == o).map(|(_, v)| *v).unwrap_or(o)) " on " (c.ico_decision_on.map(long).unwrap_or_default()) },
            None,
        ));
    }
    Ok(ctx.page(
        &format!("Case {}", c.number),
        &errors,
        html! {
            (ui::back("/foi"))
            span class="govuk-caption-l" { (c.kind.label()) " " (c.number) }
            h1 class="govuk-heading-l" { (c.subject) }
            div class="govuk-grid-row" {
                div class="govuk-grid-column-two-thirds" {
                    h2 class="govuk-heading-m" { "Request" }
                    div class="govuk-inset-text" { (ui::multiline(&c.request)) }
                    (summary_list(&details))
                    h2 class="govuk-heading-m" { "Clock" }
                    (summary_list(&clock_rows(&c)))
                    h2 class="govuk-heading-m" { "Response" }
                    @if d.outcome.is_some() || d.review_outcome.is_some() {
                        (summary_list(&[
                            ("Outcome".into(), html! { (d.outcome.map(|o| o.label()).or(review_label(d.review_outcome.as_deref())).unwrap_or("")) @if d.ncnd { " (neither confirm nor deny)" } }, None),
                            ("Exemptions".into(), html! { @for x in &d.exemptions { @if let Some(e) = exemptions::find(&x.code) { (e.short()) " " @if e.absolute { "(absolute)" } @else { "(qualified)" } br; } } }, None),
                            ("Reason".into(), html! { (d.reason.map(|r| r.label()).unwrap_or("")) }, None),
                        ]))
                    } @else {
                        p class="govuk-body" { "No response drafted yet." }
                    }
                    @if !problems.is_empty() && c.status != Status::Closed && c.kind != Kind::Appeal {
                        div class="govuk-warning-text" {
                            span class="govuk-warning-text__icon" aria-hidden="true" { "!" }
                            strong class="govuk-warning-text__text" {
                                span class="govuk-visually-hidden" { "Warning" }
                                "Before it can be sent:"
                            }
                        }
                        ul class="govuk-list govuk-list--bullet" { @for p in &problems { li { (p) } } }
                    }
                    @if !missing.is_empty() {
                        p class="govuk-body" { "The refusal notice lacks what section 17 requires:" }
                        ul class="govuk-list govuk-list--bullet" { @for p in &missing { li { (p.label()) } } }
                    }
                    p class="govuk-body" {
                        @if may_draft { a class="govuk-link" href={ "/foi/cases/" (c.id) "/decision" } { "Draft the response" } " · " }
                        a class="govuk-link" href={ "/foi/cases/" (c.id) "/letter" } { "Letter" } " · "
                        a class="govuk-link" href={ "/foi/cases/" (c.id) "/letter.pdf" } { "Letter (PDF)" }
                    }
                    h2 class="govuk-heading-m" { "Attachments" }
                    @if files.is_empty() { p class="govuk-body" { "None." } } @else {
                        ul class="govuk-list" {
                            @for f in &files {
                                li { a class="govuk-link" href={ "/foi/cases/" (c.id) "/attachments/" (f.id) } { (f.name) } " (" (f.source) @if f.redactions > 0 { "; " (f.redactions) " passages removed" } ")" }
                            }
                        }
                    }
                    @if may_draft {
                        form method="post" action={ "/foi/cases/" (c.id) "/attachments" } enctype="multipart/form-data" novalidate {
                            input type="hidden" name="csrf" value=(csrf_token);
                            div class="govuk-form-group" {
                                label class="govuk-label govuk-label--s" for="file" { "Add a PDF" }
                                div id="file-hint" class="govuk-hint" { "It is rewritten from its text with the words below removed, and without its images and metadata; the original is not kept. A scanned page cannot be redacted safely and is refused." }
                                input class="govuk-file-upload" id="file" name="file" type="file" accept=".pdf,application/pdf" aria-describedby="file-hint";
                            }
                            (ui::textarea("redact", "Words to redact", "One per line: names, addresses, anything to be removed wherever it appears.", "", &errors))
                            button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Add attachment" }
                        }
                        @if !releases.is_empty() {
                            form method="post" action={ "/foi/cases/" (c.id) "/release" } novalidate {
                                (csrf(&csrf_token))
                                (ui::select("release", "Attach figures another system has released", Some("Released after that system's own disclosure control, in the last 90 days."),
                                    &releases.iter().map(|r| (r.id.clone(), format!("{} ({})", r.title, ui::when(r.released_at)))).collect::<Vec<_>>(), "", &errors))
                                button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Attach the figures" }
                            }
                        }
                    }
                    @if !linked.is_empty() {
                        h2 class="govuk-heading-m" { "Linked cases" }
                        ul class="govuk-list" {
                            @for l in &linked {
                                li { a class="govuk-link" href={ "/foi/cases/" (l.id) } { (l.number) } " " (l.kind.label()) ": " (l.status.label()) }
                            }
                        }
                    }
                    h2 class="govuk-heading-m" { "Timeline" }
                    ol class="govuk-list" {
                        @for t in &timeline {
                            li { span class="govuk-body-s" { (ui::when(t.at)) } " " (t.detail) }
                        }
                    }
                }
                div class="govuk-grid-column-one-third" {
                    @if !available.is_empty() {
                        h2 class="govuk-heading-m" { "Actions" }
                        @for action in &available {
                            form method="post" action={ "/foi/cases/" (c.id) "/move/" (action) } novalidate {
                                (csrf(&csrf_token))
                                input type="hidden" name="version" value=(c.version);
                                @if *action == workflow::ASSIGN || *action == workflow::REASSIGN {
                                    (ui::select("unit", "Business unit", None, &units_options, c.unit_id.as_deref().unwrap_or(""), &errors))
                                }
                                @if workflow::needs_comment(action) {
                                    (ui::textarea(&format!("comment-{action}"), &format!("{}: why?", workflow::button(action)), "This goes in the case's timeline.", "", &errors))
                                }
                                button type="submit" class="govuk-button" data-module="govuk-button" { (workflow::button(action)) }
                            }
                        }
                    }
                    @for role in &flaggable {
                        form method="post" action={ "/foi/cases/" (c.id) "/flag" } novalidate {
                            (csrf(&csrf_token))
                            input type="hidden" name="version" value=(c.version);
                            input type="hidden" name="role" value=(role.as_str());
                            button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" {
                                "Flag for " (if *role == Role::FoiDisclosure { "disclosure team clearance" } else { "full approval" })
                            }
                        }
                    }
                    @if may_clock {
                        h2 class="govuk-heading-m" { "Stop, pause or extend the clock" }
                        form method="post" action={ "/foi/cases/" (c.id) "/clock" } novalidate {
                            (csrf(&csrf_token))
                            input type="hidden" name="version" value=(c.version);
                            (ui::select("event", "What happened", None, &[
                                ("clarification_asked".into(), "Asked the requester to clarify (s.1(3))".into()),
                                ("clarified".into(), "Clarification received".into()),
                                ("fee_notice".into(), "Fees notice sent (s.9)".into()),
                                ("fee_paid".into(), "Fee paid".into()),
                                ("extend".into(), "Public interest extension (s.10(3))".into()),
                            ], "", &errors))
                            (input("on", "On (YYYY-MM-DD)", &today.format("%Y-%m-%d").to_string(), &errors, Input { width: Some("10"), ..Input::default() }))
                            (input("days", "Extension in working days (at most 20)", "", &errors, Input { width: Some("2"), ..Input::default() }))
                            (input("reason", "Reason for an extension", "", &errors, Input::default()))
                            button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Record" }
                        }
                    }
                    @if a.manager && c.status == Status::Closed && matches!(c.kind, Kind::Request | Kind::Overturned) {
                        h2 class="govuk-heading-m" { "After the answer" }
                        form method="post" action={ "/foi/cases/" (c.id) "/publish" } novalidate {
                            (csrf(&csrf_token))
                            input type="hidden" name="on" value=(if c.published { "no" } else { "yes" });
                            button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" {
                                @if c.published { "Take out of the disclosure log" } @else { "Publish in the disclosure log" }
                            }
                        }
                        details class="govuk-details" {
                            summary class="govuk-details__summary" { span class="govuk-details__summary-text" { "Log an internal review" } }
                            div class="govuk-details__text" {
                                form method="post" action={ "/foi/cases/" (c.id) "/review" } novalidate {
                                    (csrf(&csrf_token))
                                    (ui::select("kind", "Kind of review", None, &[
                                        ("review_compliance".into(), "Compliance".into()),
                                        ("review_timeliness".into(), "Timeliness".into()),
                                    ], "", &errors))
                                    (input("received", "Received (YYYY-MM-DD)", &today.format("%Y-%m-%d").to_string(), &errors, Input { width: Some("10"), ..Input::default() }))
                                    (ui::textarea("grounds", "The requester's grounds", "", "", &errors))
                                    (input("exceptional", "If exceptional (40 working days), why", "", &errors, Input::default()))
                                    button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Open the review" }
                                }
                            }
                        }
                        details class="govuk-details" {
                            summary class="govuk-details__summary" { span class="govuk-details__summary-text" { "Log an appeal to the ICO" } }
                            div class="govuk-details__text" {
                                form method="post" action={ "/foi/cases/" (c.id) "/appeal" } novalidate {
                                    (csrf(&csrf_token))
                                    (input("reference", "ICO case reference", "", &errors, Input::default()))
                                    (input("officer", "ICO case officer", "", &errors, Input::default()))
                                    (input("received", "Received (YYYY-MM-DD)", &today.format("%Y-%m-%d").to_string(), &errors, Input { width: Some("10"), ..Input::default() }))
                                    button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Open the appeal" }
                                }
                            }
                        }
                    }
                    @if a.manager && c.kind == Kind::Appeal && c.status != Status::Closed {
                        h2 class="govuk-heading-m" { "Decision notice" }
                        form method="post" action={ "/foi/cases/" (c.id) "/ico-decision" } novalidate {
                            (csrf(&csrf_token))
                            (input("decided", "Date of the decision notice (YYYY-MM-DD)", "", &errors, Input { width: Some("10"), ..Input::default() }))
                            (ui::radios("outcome", "The Commissioner's decision", &cases::ICO_OUTCOMES.iter().map(|(k, v)| (k.to_string(), v.to_string(), None)).collect::<Vec<_>>(), "", &errors))
                            button type="submit" class="govuk-button" data-module="govuk-button" { "Record the decision" }
                        }
                    }
                }
            }
        },
    ))
}

/// To a case just opened from `id` (a review, an appeal), or back to `id`
/// saying why it was not.
fn opened(sess: &Sess, id: &str, result: platform::Result<Case>) -> Page {
    match result {
        Ok(r) => Ok(see_other(&format!("/foi/cases/{}", r.id))),
        Err(e) => refused(sess, id, e),
    }
}

/// Back to the case with an error notice: a refused move says why.
fn refused(sess: &Sess, id: &str, e: Error) -> Page {
    match e {
        Error::Conflict(m) => {
            notice(sess, format!("Not done: {}", forms::capital(&m)));
            Ok(see_other(&format!("/foi/cases/{id}")))
        }
        e => Err(e.into()),
    }
}

async fn move_post(
    State(st): State<Foi>,
    sess: Sess,
    Path((id, action)): Path<(String, String)>,
    FormIn(fields): FormIn,
) -> Page {
    let (u, a, c) = require!(load(&st, &sess, &id).await);
    let Some(action) = moves(&u, &a, &c).into_iter().find(|m| *m == action) else {
        return Err(Error::Forbidden.into());
    };
    let comment = field(&fields, &format!("comment-{action}")).trim();
    if workflow::needs_comment(action) && comment.is_empty() {
        return refused(
            &sess,
            &id,
            Error::Conflict("say why, for the case's timeline".into()),
        );
    }
    let by = actor(&u);
    let now = st.clock.now();
    let mut sets: Vec<(&'static str, Value)> = Vec::new();
    match action {
        workflow::ASSIGN | workflow::REASSIGN => {
            let unit = field(&fields, "unit");
            let units = units::list(&st.db).await?;
            let Some(unit) = units.iter().find(|x| x.id == unit) else {
                return refused(&sess, &id, Error::Conflict("choose a business unit".into()));
            };
            sets.push(("unit_id", unit.id.clone().into()));
            sets.push(("responder_id", Value::Text(None)));
        }
        workflow::ACCEPT => sets.push(("responder_id", u.id.clone().into())),
        workflow::REJECT => sets.push(("unit_id", Value::Text(None))),
        workflow::SEND
        | workflow::SUBMIT
        | workflow::APPROVE
        | workflow::BYPASS
        | workflow::APPROVE_PRESS
        | workflow::APPROVE_PRIVATE => {
            let d = cases::decision(&st.db, &c).await?;
            let mut problems = cases::problems(&c, &d, st.config().cost_limit_pounds * 100);
            let sent_on = st.clock.today();
            let l = letter::build(&c, &d, &st.config().sender(), sent_on, false);
            problems.extend(
                letter::missing_parts(&c, &d, &l)
                    .iter()
                    .map(|p| format!("The letter lacks {}", p.label())),
            );
            if !problems.is_empty() {
                return refused(&sess, &id, Error::Conflict(problems.join("; ")));
            }
            if action == workflow::SEND {
                return match cases::send(&st.db, &c, &l.text(), &by, version(&fields), now).await {
                    Ok(c) => {
                        st.mail_waiting();
                        notice(&sess, format!("Response to {} sent", c.number));
                        Ok(see_other(&format!("/foi/cases/{id}")))
                    }
                    Err(e) => refused(&sess, &id, e),
                };
            }
        }
        _ => {}
    }
    match cases::make_move(
        &st.db,
        &id,
        action,
        comment,
        sets,
        &by,
        version(&fields),
        now,
    )
    .await
    {
        Ok(c) => {
            notice(
                &sess,
                format!(
                    "{}: done. The case is now \"{}\".",
                    workflow::button(action),
                    c.status.label()
                ),
            );
            Ok(see_other(&format!("/foi/cases/{id}")))
        }
        Err(e) => refused(&sess, &id, e),
    }
}

async fn flag_post(
    State(st): State<Foi>,
    sess: Sess,
    Path(id): Path<String>,
    FormIn(fields): FormIn,
) -> Page {
    let (u, _, _) = require!(load(&st, &sess, &id).await);
    let role = Role::parse(field(&fields, "role")).filter(|r| u.has(*r));
    let Some(role) = role.filter(|r| {
        matches!(
            r,
            Role::FoiDisclosure | Role::FoiPress | Role::FoiPrivateOffice
        )
    }) else {
        return Err(Error::Forbidden.into());
    };
    match cases::flag(
        &st.db,
        &id,
        role,
        &actor(&u),
        version(&fields),
        st.clock.now(),
    )
    .await
    {
        Ok(c) => {
            notice(&sess, format!("Flagged: {}", c.route.label()));
            Ok(see_other(&format!("/foi/cases/{id}")))
        }
        Err(e) => refused(&sess, &id, e),
    }
}

async fn clock_post(
    State(st): State<Foi>,
    sess: Sess,
    Path(id): Path<String>,
    FormIn(fields): FormIn,
) -> Page {
    let (u, a, c) = require!(load(&st, &sess, &id).await);
    if !(a.manager || a.answers(&u, &c)) {
        return Err(Error::Forbidden.into());
    }
    let on = NaiveDate::parse_from_str(field(&fields, "on").trim(), "%Y-%m-%d");
    let change = match (field(&fields, "event"), on) {
        ("extend", _) => match field(&fields, "days").trim().parse::<u32>() {
            Ok(days) => ClockChange::Extend {
                days,
                reason: field(&fields, "reason").to_owned(),
            },
            Err(_) => {
                return refused(
                    &sess,
                    &id,
                    Error::Conflict(
                        "enter the extension as a number of working days, from 1 to 20".into(),
                    ),
                );
            }
        },
        (_, Err(_)) => {
            return refused(
                &sess,
                &id,
                Error::Conflict("enter the date in the form 2025-03-31".into()),
            );
        }
        ("clarification_asked", Ok(d)) => ClockChange::AskClarification(d),
        ("clarified", Ok(d)) => ClockChange::Clarified(d),
        ("fee_notice", Ok(d)) => ClockChange::FeeNotice(d),
        ("fee_paid", Ok(d)) => ClockChange::FeePaid(d),
        _ => return refused(&sess, &id, Error::Conflict("choose what happened".into())),
    };
    match cases::change_clock(
        &st.db,
        &id,
        &change,
        st.config().internal(),
        &actor(&u),
        version(&fields),
        st.clock.now(),
    )
    .await
    {
        Ok(c) => {
            notice(
                &sess,
                format!(
                    "Recorded. Due: {}",
                    c.due_on
                        .map(long)
                        .unwrap_or_else(|| "the clock is stopped".into())
                ),
            );
            Ok(see_other(&format!("/foi/cases/{id}")))
        }
        Err(e) => refused(&sess, &id, e),
    }
}

// ---------------------------------------------------------- decision

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

fn decision_fields(d: &Decision) -> Fields {
    let mut f = Fields::new();
    if let Some(o) = d.outcome {
        f.insert("outcome".into(), o.as_str().into());
    }
    if let Some(r) = d.reason {
        f.insert("reason".into(), r.as_str().into());
    }
    if d.ncnd {
        f.insert("ncnd".into(), "yes".into());
    }
    f.insert("explanation".into(), d.explanation.clone());
    f.insert("advice".into(), d.advice.clone());
    if let Some(r) = &d.review_outcome {
        f.insert("review_outcome".into(), r.clone());
    }
    for a in &d.exemptions {
        f.insert(format!("ex-{}", a.code), "yes".into());
        f.insert(format!("why-{}", a.code), a.explanation.clone());
        f.insert(format!("for-{}", a.code), a.for_disclosure.join("\n"));
        f.insert(format!("against-{}", a.code), a.against.join("\n"));
        f.insert(
            format!("balance-{}", a.code),
            a.balance.clone().unwrap_or_default(),
        );
    }
    for (other, _, _) in &d.aggregated {
        f.insert(format!("agg-{other}"), "yes".into());
    }
    for (activity, minutes, note) in &d.costs {
        f.insert(
            format!("cost-{activity}"),
            format!("{}", *minutes as f64 / 60.0),
        );
        f.insert(format!("note-{activity}"), note.clone());
    }
    f
}

/// The same requester's requests a s.12 estimate may be aggregated with.
type Candidates = [(Case, i64)];

fn decision_page(
    st: &Foi,
    sess: &Sess,
    c: &Case,
    candidates: &Candidates,
    fields: &Fields,
    errors: &Errors,
) -> Response {
    let ctx = sess.ctx(st).in_service(SERVICE, "/foi");
    let review = c.kind.is_review();
    ctx.page(
        &format!("Draft the response to {}", c.number),
        errors,
        html! {
            div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                (ui::error_summary(errors))
                (ui::back(&format!("/foi/cases/{}", c.id)))
                span class="govuk-caption-l" { (c.number) }
                h1 class="govuk-heading-l" { "Draft the response" }
                div class="govuk-inset-text" { (ui::multiline(&c.request)) }
                form method="post" action={ "/foi/cases/" (c.id) "/decision" } novalidate {
                    (csrf(&sess.csrf()))
                    input type="hidden" name="version" value=(c.version);
                    @if review {
                        (ui::radios("review_outcome", "Outcome of the review", &cases::REVIEW_OUTCOMES.iter().map(|(k, v)| (k.to_string(), v.to_string(), None)).collect::<Vec<_>>(), field(fields, "review_outcome"), errors))
                        (ui::textarea("explanation", "The review's findings", "What the reviewer looked at and concluded. Separate paragraphs with a blank line.", field(fields, "explanation"), errors))
                    } @else {
                        (ui::radios("outcome", "Outcome", &Outcome::ALL.iter().map(|o| (o.as_str().to_owned(), o.label().to_owned(), None)).collect::<Vec<_>>(), field(fields, "outcome"), errors))
                        div class="govuk-form-group" {
                            div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes" {
                                div class="govuk-checkboxes__item" {
                                    input class="govuk-checkboxes__input" id="ncnd" name="ncnd" type="checkbox" value="yes" checked[field(fields, "ncnd") == "yes"];
                                    label class="govuk-label govuk-checkboxes__label" for="ncnd" { "Neither confirm nor deny that the information is held" }
                                }
                            }
                        }
                        (ui::select("reason", "Refused because of the request itself (not an exemption)", None,
                            &std::iter::once((String::new(), "No".to_owned())).chain(Reason::ALL.iter().map(|r| (r.as_str().to_owned(), r.label().to_owned()))).collect::<Vec<_>>(),
                            field(fields, "reason"), errors))
                        (ui::textarea("explanation", "How the request was handled and what is released", "This goes into the letter after the request. Separate paragraphs with a blank line.", field(fields, "explanation"), errors))
                        div class="govuk-form-group" id="exemptions" {
                            fieldset class="govuk-fieldset" {
                                legend class="govuk-fieldset__legend govuk-fieldset__legend--m" { "Exemptions" }
                                div class="govuk-hint" { "For a qualified exemption, give the public interest factors, one per line, and the balance." }
                                (ui::error_message("exemptions", errors.get("exemptions")))
                                div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes" {
                                    @for e in EXEMPTIONS {
                                        @let name = format!("ex-{}", e.code);
                                        div class="govuk-checkboxes__item" {
                                            input class="govuk-checkboxes__input" id=(name) name=(name) type="checkbox" value="yes"
                                                checked[field(fields, &name) == "yes"] data-aria-controls={ "conditional-" (name) };
                                            label class="govuk-label govuk-checkboxes__label" for=(name) {
                                                (e.short()) ": " (e.title) " " span class="govuk-hint govuk-!-display-inline" { @if e.absolute { "(absolute)" } @else { "(qualified)" } }
                                            }
                                        }
                                        div class={ "govuk-checkboxes__conditional" @if field(fields, &name) != "yes" { " govuk-checkboxes__conditional--hidden" } } id={ "conditional-" (name) } {
                                            (ui::textarea(&format!("why-{}", e.code), &format!("Why {} applies", e.short()), "The letter says this.", field(fields, &format!("why-{}", e.code)), errors))
                                            @if !e.absolute {
                                                (ui::textarea(&format!("for-{}", e.code), "Public interest factors favouring disclosure", "One per line.", field(fields, &format!("for-{}", e.code)), errors))
                                                (ui::textarea(&format!("against-{}", e.code), "Public interest factors favouring withholding", "One per line.", field(fields, &format!("against-{}", e.code)), errors))
                                                (ui::textarea(&format!("balance-{}", e.code), "Where the balance lies", "For example: On balance, I consider the public interest favours not disclosing the information at this time.", field(fields, &format!("balance-{}", e.code)), errors))
                                            }
                                        }
                                    }
                                }
                            }
                        }
                        h2 class="govuk-heading-m" { "Cost of compliance (section 12)" }
                        p class="govuk-body" { "Hours of each activity, at £25 an hour, against the limit of £" (st.config().cost_limit_pounds) "." }
                        @for (k, label) in ACTIVITIES {
                            div class="govuk-grid-row" {
                                div class="govuk-grid-column-one-third" { (input(&format!("cost-{k}"), &format!("{label} (hours)"), field(fields, &format!("cost-{k}")), errors, Input { width: Some("4"), ..Input::default() })) }
                                div class="govuk-grid-column-two-thirds" { (input(&format!("note-{k}"), "How the estimate was made", field(fields, &format!("note-{k}")), errors, Input::default())) }
                            }
                        }
                        @if !candidates.is_empty() {
                            div class="govuk-form-group" {
                                fieldset class="govuk-fieldset" {
                                    legend class="govuk-fieldset__legend govuk-fieldset__legend--s" { "Aggregate the estimate with related requests" }
                                    div class="govuk-hint" { "The same requester's requests for similar information received within 60 working days may be added together against the limit." }
                                    div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes" {
                                        @for (o, minutes) in candidates {
                                            @let name = format!("agg-{}", o.id);
                                            div class="govuk-checkboxes__item" {
                                                input class="govuk-checkboxes__input" id=(name) name=(name) type="checkbox" value="yes" checked[field(fields, &name) == "yes"];
                                                label class="govuk-label govuk-checkboxes__label" for=(name) {
                                                    (o.number) ": " (o.subject) " (received " (long(o.received_on)) "; estimate " (format!("{:.1}", *minutes as f64 / 60.0)) " hours)"
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                        (ui::textarea("advice", "Advice and assistance (section 16)", "For example, how the request could be narrowed, or where the information is published.", field(fields, "advice"), errors))
                    }
                    (button("Save the draft"))
                }
            } }
        },
    )
}

async fn decision_form(State(st): State<Foi>, sess: Sess, Path(id): Path<String>) -> Page {
    let (u, a, c) = require!(load(&st, &sess, &id).await);
    if !a.may_draft(&u, &c) {
        return Err(Error::Forbidden.into());
    }
    let d = cases::decision(&st.db, &c).await?;
    let candidates = cases::aggregated(&st.db, &c).await?;
    Ok(decision_page(
        &st,
        &sess,
        &c,
        &candidates,
        &decision_fields(&d),
        &Errors::default(),
    ))
}

fn read_decision(
    c: &Case,
    candidates: &Candidates,
    fields: &Fields,
    errors: &mut Errors,
) -> Decision {
    let mut d = Decision {
        explanation: field(fields, "explanation").to_owned(),
        advice: field(fields, "advice").to_owned(),
        ncnd: field(fields, "ncnd") == "yes",
        ..Decision::default()
    };
    if c.kind.is_review() {
        d.review_outcome = cases::REVIEW_OUTCOMES
            .iter()
            .find(|(k, _)| *k == field(fields, "review_outcome"))
            .map(|(k, _)| k.to_string());
        return d;
    }
    d.outcome = Outcome::parse(field(fields, "outcome"));
    d.reason = Reason::parse(field(fields, "reason"));
    for e in EXEMPTIONS {
        if field(fields, &format!("ex-{}", e.code)) != "yes" {
            continue;
        }
        let balance = field(fields, &format!("balance-{}", e.code)).trim();
        d.exemptions.push(Applied {
            code: e.code.to_owned(),
            explanation: field(fields, &format!("why-{}", e.code)).trim().to_owned(),
            balance: (!e.absolute && !balance.is_empty()).then(|| balance.to_owned()),
            for_disclosure: if e.absolute {
                Vec::new()
            } else {
                lines(field(fields, &format!("for-{}", e.code)))
            },
            against: if e.absolute {
                Vec::new()
            } else {
                lines(field(fields, &format!("against-{}", e.code)))
            },
        });
    }
    for (o, minutes) in candidates {
        if field(fields, &format!("agg-{}", o.id)) == "yes" {
            d.aggregated
                .push((o.id.clone(), o.number.clone(), *minutes));
        }
    }
    for (k, label) in ACTIVITIES {
        let v = field(fields, &format!("cost-{k}")).trim();
        if v.is_empty() {
            continue;
        }
        match v.parse::<f64>() {
            Ok(h) if h.is_finite() && (0.0..=10_000.0).contains(&h) => d.costs.push((
                k.to_owned(),
                (h * 60.0).round() as i64,
                field(fields, &format!("note-{k}")).trim().to_owned(),
            )),
            _ => errors.add(
                format!("cost-{k}"),
                format!(
                    "Enter the hours for {} as a number, like 2.5",
                    label.to_lowercase()
                ),
            ),
        }
    }
    d
}

async fn decision_post(
    State(st): State<Foi>,
    sess: Sess,
    Path(id): Path<String>,
    FormIn(fields): FormIn,
) -> Page {
    let (u, a, c) = require!(load(&st, &sess, &id).await);
    if !a.may_draft(&u, &c) {
        return Err(Error::Forbidden.into());
    }
    let mut errors = Errors::default();
    let candidates = cases::aggregated(&st.db, &c).await?;
    let d = read_decision(&c, &candidates, &fields, &mut errors);
    if !errors.is_empty() {
        return Ok(decision_page(&st, &sess, &c, &candidates, &fields, &errors));
    }
    match cases::save_decision(
        &st.db,
        &id,
        &d,
        &actor(&u),
        version(&fields),
        st.clock.now(),
    )
    .await
    {
        Ok(saved) => {
            let problems = cases::problems(&saved, &d, st.config().cost_limit_pounds * 100);
            notice(
                &sess,
                if problems.is_empty() {
                    "Draft saved: it is ready to send or clear".to_owned()
                } else {
                    format!(
                        "Draft saved. Before it can be sent: {}",
                        problems.join("; ")
                    )
                },
            );
            Ok(see_other(&format!("/foi/cases/{id}")))
        }
        Err(e) => {
            conflict(&mut errors, "explanation", e)?;
            Ok(decision_page(&st, &sess, &c, &candidates, &fields, &errors))
        }
    }
}

// ------------------------------------------------------------- letter

async fn the_letter(st: &Foi, c: &Case) -> platform::Result<letter::Letter> {
    let d = cases::decision(&st.db, c).await?;
    Ok(letter::build(
        c,
        &d,
        &st.config().sender(),
        c.sent_on.unwrap_or_else(|| st.clock.today()),
        false,
    ))
}

async fn letter_html(State(st): State<Foi>, sess: Sess, Path(id): Path<String>) -> Page {
    let (u, a, c) = require!(load(&st, &sess, &id).await);
    if !a.sees_requester(&c) {
        return Err(Error::Forbidden.into());
    }
    cases::viewed_requester(&st.db, &c, &actor(&u), st.clock.now()).await?;
    let l = the_letter(&st, &c).await?;
    Ok((
        [(header::CACHE_CONTROL, "no-store")],
        axum::response::Html(l.html().into_string()),
    )
        .into_response())
}

async fn letter_pdf(State(st): State<Foi>, sess: Sess, Path(id): Path<String>) -> Page {
    let (u, a, c) = require!(load(&st, &sess, &id).await);
    if !a.sees_requester(&c) {
        return Err(Error::Forbidden.into());
    }
    cases::viewed_requester(&st.db, &c, &actor(&u), st.clock.now()).await?;
    let html = the_letter(&st, &c).await?.html().into_string();
    let printed = tokio::task::spawn_blocking(move || datalab::report::pdf(&html))
        .await
        .map_err(|e| Error::Corrupt(format!("PDF printing stopped: {e}")))?;
    match printed {
        Ok(bytes) => Ok((
            [
                (header::CONTENT_TYPE, "application/pdf".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("inline; filename=\"FOI-{}.pdf\"", c.number),
                ),
                (header::CACHE_CONTROL, "no-store".to_owned()),
            ],
            bytes,
        )
            .into_response()),
        Err(e) => Ok(platform::web::error_page(
            StatusCode::SERVICE_UNAVAILABLE,
            "The PDF could not be made",
            &format!("{e}. The letter is still available as a web page."),
        )),
    }
}

// -------------------------------------------------------- attachments

async fn attachment_post(
    State(st): State<Foi>,
    sess: Sess,
    Path(id): Path<String>,
    mp: Multipart,
) -> Page {
    let (u, a, c) = require!(load(&st, &sess, &id).await);
    if !a.may_draft(&u, &c) {
        return Err(Error::Forbidden.into());
    }
    let up = match platform::web::read_upload(&sess, MAX_UPLOAD, mp, &["file"]).await {
        Ok(up) => up,
        Err(r) => return Ok(r),
    };
    if up.too_large {
        return refused(
            &sess,
            &id,
            Error::Conflict(format!(
                "the file is over {} MB: split it, or send it by other means",
                MAX_UPLOAD / 1024 / 1024
            )),
        );
    }
    let Some((name, bytes)) = up.files.get("file").cloned().filter(|(_, b)| !b.is_empty()) else {
        return refused(
            &sess,
            &id,
            Error::Conflict("choose a file to attach".into()),
        );
    };
    let terms: Vec<String> = lines(field(&up.fields, "redact"));
    let prepared =
        tokio::task::spawn_blocking(move || attachments::prepare_pdf(&name, &bytes, &terms))
            .await
            .map_err(|e| Error::Corrupt(format!("redaction stopped: {e}")))?;
    let p = match prepared {
        Ok(p) => p,
        Err(e) => return refused(&sess, &id, e),
    };
    attachments::add(&st.db, &c, &p, &actor(&u), st.clock.now()).await?;
    notice(
        &sess,
        format!("{} attached ({} redactions)", p.name, p.redactions),
    );
    Ok(see_other(&format!("/foi/cases/{id}")))
}

async fn release_post(
    State(st): State<Foi>,
    sess: Sess,
    Path(id): Path<String>,
    FormIn(fields): FormIn,
) -> Page {
    let (u, a, c) = require!(load(&st, &sess, &id).await);
    if !a.may_draft(&u, &c) {
        return Err(Error::Forbidden.into());
    }
    match attachments::add_release(
        &st.db,
        &c,
        field(&fields, "release"),
        &actor(&u),
        st.clock.now(),
    )
    .await
    {
        Ok(_) => {
            notice(&sess, "Released figures attached".into());
            Ok(see_other(&format!("/foi/cases/{id}")))
        }
        Err(Error::NotFound) => refused(
            &sess,
            &id,
            Error::Conflict("choose figures released in the last 90 days".into()),
        ),
        Err(e) => refused(&sess, &id, e),
    }
}

async fn attachment_get(
    State(st): State<Foi>,
    sess: Sess,
    Path((id, file)): Path<(String, String)>,
) -> Page {
    let (_, _, c) = require!(load(&st, &sess, &id).await);
    Ok(file_response(&st, &c.id, &file).await?)
}

// ------------------------------------------------- reviews and appeals

fn date_field(fields: &Fields, name: &str) -> Result<NaiveDate, Error> {
    NaiveDate::parse_from_str(field(fields, name).trim(), "%Y-%m-%d")
        .map_err(|_| Error::Conflict("enter the date in the form 2025-03-31".into()))
}

async fn review_staff_post(
    State(st): State<Foi>,
    sess: Sess,
    Path(id): Path<String>,
    FormIn(fields): FormIn,
) -> Page {
    let (u, _, c) = require!(load(&st, &sess, &id).await);
    let received = match date_field(&fields, "received") {
        Ok(d) => d,
        Err(e) => return refused(&sess, &id, e),
    };
    let kind = Kind::parse(field(&fields, "kind")).unwrap_or(Kind::ReviewCompliance);
    let exceptional = Some(field(&fields, "exceptional")).filter(|s| !s.trim().is_empty());
    let result = cases::open_review(
        &st.db,
        &c,
        kind,
        received,
        field(&fields, "grounds"),
        exceptional,
        st.config().internal(),
        &actor(&u),
        st.clock.now(),
    )
    .await;
    opened(&sess, &id, result)
}

async fn appeal_post(
    State(st): State<Foi>,
    sess: Sess,
    Path(id): Path<String>,
    FormIn(fields): FormIn,
) -> Page {
    let (u, _, c) = require!(load(&st, &sess, &id).await);
    let received = match date_field(&fields, "received") {
        Ok(d) => d,
        Err(e) => return refused(&sess, &id, e),
    };
    let result = cases::open_appeal(
        &st.db,
        &c,
        field(&fields, "reference"),
        field(&fields, "officer"),
        received,
        &actor(&u),
        st.clock.now(),
        st.config().internal(),
    )
    .await;
    opened(&sess, &id, result)
}

async fn ico_post(
    State(st): State<Foi>,
    sess: Sess,
    Path(id): Path<String>,
    FormIn(fields): FormIn,
) -> Page {
    let (u, _, c) = require!(load(&st, &sess, &id).await);
    let decided = match date_field(&fields, "decided") {
        Ok(d) => d,
        Err(e) => return refused(&sess, &id, e),
    };
    match cases::record_ico_decision(
        &st.db,
        &c,
        decided,
        field(&fields, "outcome"),
        &actor(&u),
        st.clock.now(),
        st.config().internal(),
    )
    .await
    {
        Ok(Some(reopened)) => {
            notice(
                &sess,
                format!(
                    "Decision recorded. The request must be answered again: case {}",
                    reopened.number
                ),
            );
            Ok(see_other(&format!("/foi/cases/{}", reopened.id)))
        }
        Ok(None) => Ok(see_other(&format!("/foi/cases/{id}"))),
        Err(e) => refused(&sess, &id, e),
    }
}

async fn publish_post(
    State(st): State<Foi>,
    sess: Sess,
    Path(id): Path<String>,
    FormIn(fields): FormIn,
) -> Page {
    let (u, _, c) = require!(load(&st, &sess, &id).await);
    match cases::publish(
        &st.db,
        &c,
        field(&fields, "on") == "yes",
        &actor(&u),
        st.clock.now(),
    )
    .await
    {
        Ok(()) => Ok(see_other(&format!("/foi/cases/{id}"))),
        Err(e) => refused(&sess, &id, e),
    }
}

// ------------------------------------------------ units and statistics

async fn units_page(State(st): State<Foi>, sess: Sess) -> Page {
    let list = units::list(&st.db).await?;
    let errors = Errors::default();
    let token = sess.csrf();
    let c = sess.ctx(&st).in_service(SERVICE, "/foi");
    Ok(c.page(
        "Business units",
        &errors,
        html! {
            (ui::back("/foi"))
            h1 class="govuk-heading-l" { "Business units" }
            p class="govuk-body" { "Responders see and answer the cases assigned to their units." }
            @for unit in &list {
                h2 class="govuk-heading-m" { (unit.name) }
                @if unit.members.is_empty() { p class="govuk-body" { "No responders yet." } }
                ul class="govuk-list" {
                    @for (id, name, email) in &unit.members {
                        li {
                            form method="post" action="/foi/units" class="govuk-!-display-inline" novalidate {
                                (csrf(&token))
                                input type="hidden" name="unit" value=(unit.id);
                                input type="hidden" name="remove" value=(id);
                                (name) " (" (email) ") "
                                button type="submit" class="govuk-button govuk-button--warning govuk-!-margin-bottom-0" data-module="govuk-button" { "Remove" span class="govuk-visually-hidden" { " " (name) " from " (unit.name) } }
                            }
                        }
                    }
                }
                form method="post" action="/foi/units" novalidate {
                    (csrf(&token))
                    input type="hidden" name="unit" value=(unit.id);
                    div class="govuk-form-group" {
                        label class="govuk-label" for={ "email-" (unit.id) } { "Add a responder by email address" }
                        input class="govuk-input govuk-input--width-20" id={ "email-" (unit.id) } name="email" type="email" spellcheck="false";
                    }
                    button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Add" span class="govuk-visually-hidden" { " to " (unit.name) } }
                }
            }
        },
    ))
}

async fn units_post(State(st): State<Foi>, sess: Sess, FormIn(fields): FormIn) -> Page {
    let u = require!(user(&sess));
    let unit = field(&fields, "unit");
    let result = if !field(&fields, "remove").is_empty() {
        units::remove_member(&st.db, unit, field(&fields, "remove"), &actor(&u)).await
    } else {
        units::add_member(&st.db, unit, field(&fields, "email"), &actor(&u)).await
    };
    match result {
        Ok(()) => notice(&sess, "Business unit updated".into()),
        Err(Error::Conflict(m)) => notice(&sess, format!("Not done: {}", forms::capital(&m))),
        Err(e) => return Err(e.into()),
    }
    Ok(see_other("/foi/units"))
}

fn period(q: &BTreeMap<String, String>, today: NaiveDate) -> (NaiveDate, NaiveDate) {
    use chrono::Datelike as _;
    let parse = |k: &str| {
        q.get(k)
            .and_then(|v| NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").ok())
    };
    let from = parse("from")
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(today.year() - 1, 1, 1).unwrap_or(today));
    let to = parse("to").unwrap_or(today);
    (from, to)
}

async fn statistics(
    State(st): State<Foi>,
    sess: Sess,
    Query(q): Query<BTreeMap<String, String>>,
) -> Page {
    let u = require!(user(&sess));
    let today = st.clock.today();
    let (from, to) = period(&q, today);
    let s = stats::build(&st.db, from, to, today).await?;
    platform::audit::log_at(
        &st.db,
        st.clock.now(),
        &u.id,
        "foi.statistics",
        "foi",
        &format!("{from} to {to}"),
    )
    .await?;
    let errors = Errors::default();
    let c = sess.ctx(&st).in_service(SERVICE, "/foi");
    let used: Vec<&exemptions::Exemption> = EXEMPTIONS
        .iter()
        .filter(|e| s.quarters.iter().any(|q| q.exemptions.contains_key(e.code)))
        .collect();
    let row = |label: &str, f: &dyn Fn(&stats::Quarter) -> u64| -> Markup {
        html! {
            tr class="govuk-table__row" {
                th scope="row" class="govuk-table__header" { (label) }
                @for q in &s.quarters { td class="govuk-table__cell govuk-table__cell--numeric" { (f(q)) } }
            }
        }
    };
    Ok(c.page(
        "FOI statistics",
        &errors,
        html! {
            h1 class="govuk-heading-l" { "FOI statistics" }
            p class="govuk-body" { "Requests received from " (long(from)) " to " (long(to)) ", by quarter received, in the Cabinet Office's categories. "
                a class="govuk-link" href={ "/foi/statistics.csv?from=" (from) "&to=" (to) } { "Download as CSV" } }
            form method="get" action="/foi/statistics" novalidate {
                div class="govuk-grid-row" {
                    div class="govuk-grid-column-one-quarter" { (input("from", "From (YYYY-MM-DD)", &from.to_string(), &errors, Input { width: Some("10"), ..Input::default() })) }
                    div class="govuk-grid-column-one-quarter" { (input("to", "To (YYYY-MM-DD)", &to.to_string(), &errors, Input { width: Some("10"), ..Input::default() })) }
                }
                button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Show" }
            }
            h2 class="govuk-heading-m" { "Timeliness by month" }
            (s.chart())
            @if s.quarters.is_empty() { p class="govuk-body" { "No requests were received in this period." } } @else {
                table class="govuk-table" {
                    caption class="govuk-table__caption govuk-table__caption--m" { "Requests and how they were answered" }
                    thead class="govuk-table__head" { tr class="govuk-table__row" {
                        th scope="col" class="govuk-table__header" { "Quarter received" }
                        @for q in &s.quarters { th scope="col" class="govuk-table__header govuk-table__header--numeric" { (q.quarter) } }
                    } }
                    tbody class="govuk-table__body" {
                        (row("Received", &|q| q.received))
                        (row("Answered", &|q| q.answered))
                        (row("In 20 working days", &|q| q.in_time))
                        (row("In time with a permitted extension", &|q| q.in_time_extended))
                        (row("Late (answered or not)", &|q| q.late))
                        (row("Open, not yet due", &|q| q.open))
                        (row("Lapsed or withdrawn", &|q| q.lapsed))
                        (row("Granted in full", &|q| q.granted))
                        (row("Granted in part", &|q| q.part_granted))
                        (row("Withheld in full", &|q| q.withheld))
                        (row("Information not held", &|q| q.not_held))
                        (row("Neither confirm nor deny", &|q| q.ncnd))
                        (row("Refused: cost (s.12)", &|q| q.cost))
                        (row("Refused: vexatious or repeated (s.14)", &|q| q.vexatious_or_repeated))
                        (row("Refused: no clarification (s.1(3))", &|q| q.no_clarification))
                    }
                }
                table class="govuk-table" {
                    caption class="govuk-table__caption govuk-table__caption--m" { "Exemptions applied (each counted once per case)" }
                    thead class="govuk-table__head" { tr class="govuk-table__row" {
                        th scope="col" class="govuk-table__header" { "Exemption" }
                        @for q in &s.quarters { th scope="col" class="govuk-table__header govuk-table__header--numeric" { (q.quarter) } }
                    } }
                    tbody class="govuk-table__body" {
                        @for e in &used {
                            (row(&format!("{} {}", e.short(), e.title), &|q| q.exemptions.get(e.code).copied().unwrap_or(0)))
                        }
                    }
                }
                table class="govuk-table" {
                    caption class="govuk-table__caption govuk-table__caption--m" { "Internal reviews" }
                    thead class="govuk-table__head" { tr class="govuk-table__row" {
                        th scope="col" class="govuk-table__header" { "Quarter received" }
                        @for q in &s.quarters { th scope="col" class="govuk-table__header govuk-table__header--numeric" { (q.quarter) } }
                    } }
                    tbody class="govuk-table__body" {
                        (row("Received", &|q| q.reviews))
                        (row("Upheld", &|q| q.reviews_upheld))
                        (row("Upheld in part", &|q| q.reviews_part))
                        (row("Overturned", &|q| q.reviews_overturned))
                        (row("Open", &|q| q.reviews_open))
                    }
                }
            }
        },
    ))
}

async fn statistics_csv(
    State(st): State<Foi>,
    sess: Sess,
    Query(q): Query<BTreeMap<String, String>>,
) -> Page {
    let u = require!(user(&sess));
    let today = st.clock.today();
    let (from, to) = period(&q, today);
    let s = stats::build(&st.db, from, to, today).await?;
    platform::audit::log_at(
        &st.db,
        st.clock.now(),
        &u.id,
        "foi.statistics.csv",
        "foi",
        &format!("{from} to {to}"),
    )
    .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"foi-statistics-{from}-{to}.csv\""),
            ),
        ],
        s.csv(),
    )
        .into_response())
}
