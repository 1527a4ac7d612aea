//! Booking a visit (for families): prisoner, visitors, sessions, support
//! needs, check your answers, confirmation; and the family's own requests.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::response::Response;
use maud::{Markup, html};

use crate::establishments::{self, Establishment, SessionSlot};
use platform::require;
use platform::rules::{Routes, Rule};
use platform::sessions::SessionUser;
use platform::web::{FormIn, OwnedCtx, Page, Sess, see_other};
use platform::workflow::Who;
use ui::forms::{Errors, get as field};
use ui::{
    self as pages, Input, back, button, csrf, date_input, error_summary, input, select,
    summary_list, textarea,
};

use crate::Visits;
use crate::model::{
    self as visits, Draft, MAX_ADDITIONAL_VISITORS, MAX_PREFERENCES, Status, VisitRequest,
};
use platform::ids::random_token;
use platform::{Error, today};

pub(super) fn routes() -> Routes<Visits> {
    use Rule::Visitor;
    Routes::new()
        .get("/book", Visitor, book)
        .get_post("/book/prisoner", Visitor, prisoner_form, prisoner_post)
        .get_post("/book/visitors", Visitor, visitors_form, visitors_post)
        .get_post("/book/sessions", Visitor, sessions_form, sessions_post)
        .get_post("/book/support", Visitor, support_form, support_post)
        .get_post("/book/check", Visitor, check_form, check_post)
        .get("/book/confirmation/{reference}", Visitor, confirmation)
        .get("/visits", Visitor, my_visits)
        .get("/visits/{reference}", Visitor, my_visit)
        .get_post(
            "/visits/{reference}/cancel",
            Visitor,
            cancel_form,
            cancel_post,
        )
}

/// Where the booking draft lives in the session.
const DRAFT: &str = "visits";

const STEPS: [&str; 4] = ["prisoner", "visitors", "sessions", "support"];

/// The signed-in visitor, or a redirect to sign in. The routes' rule
/// ([`Rule::Visitor`]) has already turned everyone else away; this hands
/// the handler its user.
fn visitor(sess: &Sess) -> Result<SessionUser, Box<Response>> {
    match sess.user() {
        Some(u) if u.kind == platform::accounts::Kind::Visitor => Ok(u),
        // The route's rule has already sent anyone else to their own home.
        Some(_) => Err(platform::web::forbidden()),
        None => Err(Box::new(see_other("/sign-in"))),
    }
}

fn draft(sess: &Sess, user: &SessionUser) -> Draft {
    if let Some(d) = sess.draft::<Draft>(DRAFT) {
        return d;
    }
    let mut d = Draft {
        idempotency_key: random_token(16),
        ..Default::default()
    };
    // The account already knows who the lead visitor is; they may change it.
    d.fields.insert("lead-name".into(), user.name.clone());
    d.fields.insert("lead-email".into(), user.email.clone());
    sess.set_draft(DRAFT, Some(&d));
    d
}

/// Where to go after `step`: the next step not yet done (a change from
/// the check page that undid a later step, such as a new prison clearing
/// the sessions, goes straight to it), or the check page when all are.
fn next_after(d: &Draft, step: &str) -> String {
    let i = STEPS.iter().position(|s| *s == step).map_or(0, |i| i + 1);
    let (before, after) = STEPS.split_at(i.min(STEPS.len()));
    match after.iter().chain(before).find(|s| !d.has(s)) {
        Some(missing) => format!("/book/{missing}"),
        None => "/book/check".into(),
    }
}

async fn book(sess: Sess) -> Page {
    let user = require!(visitor(&sess));
    let d = draft(&sess, &user);
    let first_missing = STEPS.iter().find(|s| !d.has(s)).copied().unwrap_or("check");
    Ok(see_other(&format!("/book/{first_missing}")))
}

fn step_page(c: &OwnedCtx, title: &str, back_to: &str, errors: &Errors, body: Markup) -> Response {
    c.page(
        title,
        errors,
        html! {
            (back(back_to))
            div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                (error_summary(errors))
                (body)
            } }
        },
    )
}

fn prisoner_page(
    c: &OwnedCtx,
    ests: &[Establishment],
    f: &BTreeMap<String, String>,
    e: &Errors,
) -> Response {
    let mut options = vec![(String::new(), "Select a prison".to_owned())];
    options.extend(ests.iter().map(|x| (x.id.clone(), x.name.clone())));
    step_page(
        c,
        "Who are you visiting?",
        "/",
        e,
        html! {
            span class="govuk-caption-l" { "Request a visit" }
            h1 class="govuk-heading-l" { "Who are you visiting?" }
            form method="post" action="/book/prisoner" novalidate {
                (csrf(&c.csrf))
                (select("establishment", "Prison", Some("The prison or young offender institution they are in"), &options, field(f, "establishment"), e))
                (input("prisoner-name", "Prisoner's full name", field(f, "prisoner-name"), e, Input { spellcheck_off: true, ..Default::default() }))
                (date_input("prisoner-dob", "Prisoner's date of birth", "For example, 27 3 1985", f, e, false))
                (input("prisoner-number", "Prisoner number", field(f, "prisoner-number"), e, Input { hint: Some("A letter, 4 numbers and 2 letters, like A1234BC"), width: Some("10"), spellcheck_off: true, ..Default::default() }))
                (button("Continue"))
            }
        },
    )
}

async fn prisoner_form(State(st): State<Visits>, sess: Sess) -> Page {
    let user = require!(visitor(&sess));
    let d = draft(&sess, &user);
    let ests = st.establishments().await?;
    Ok(prisoner_page(
        &sess.ctx(&st),
        &ests,
        &d.fields,
        &Errors::default(),
    ))
}

const PRISONER_FIELDS: &[&str] = &[
    "establishment",
    "prisoner-name",
    "prisoner-dob-*",
    "prisoner-number",
];
const VISITOR_FIELDS: &[&str] = &[
    "lead-name",
    "lead-dob-*",
    "lead-email",
    "lead-phone",
    "visitor-*",
];
const SESSION_FIELDS: &[&str] = &["session-*"];
const SUPPORT_FIELDS: &[&str] = &["support-needs"];

async fn prisoner_post(State(st): State<Visits>, sess: Sess, FormIn(f): FormIn) -> Page {
    let user = require!(visitor(&sess));
    let mut d = draft(&sess, &user);
    let ests = st.establishments().await?;
    // Keep what was typed even when it has problems, so nothing is lost.
    let previous_est = field(&d.fields, "establishment").to_owned();
    d.merge(f, PRISONER_FIELDS);
    let result = visits::check_prisoner(&d.fields, &ests, today());
    if field(&d.fields, "establishment") != previous_est {
        // Sessions belong to a prison: a new prison means choosing again.
        d.fields.retain(|k, _| !k.starts_with("session-"));
        d.done.retain(|s| s != "sessions");
    }
    match result {
        Ok(_) => {
            if !d.has("prisoner") {
                d.done.push("prisoner".into());
            }
            let next = next_after(&d, "prisoner");
            sess.set_draft(DRAFT, Some(&d));
            Ok(see_other(&next))
        }
        Err(e) => {
            d.done.retain(|s| s != "prisoner");
            sess.set_draft(DRAFT, Some(&d));
            Ok(prisoner_page(&sess.ctx(&st), &ests, &d.fields, &e))
        }
    }
}

fn visitors_page(c: &OwnedCtx, f: &BTreeMap<String, String>, e: &Errors) -> Response {
    step_page(
        c,
        "Who is visiting?",
        "/book/prisoner",
        e,
        html! {
            span class="govuk-caption-l" { "Request a visit" }
            h1 class="govuk-heading-l" { "Who is visiting?" }
            form method="post" action="/book/visitors" novalidate {
                (csrf(&c.csrf))
                h2 class="govuk-heading-m" { "Your details" }
                p class="govuk-body" { "You are the lead visitor. You must be 18 or older." }
                (input("lead-name", "Your full name", field(f, "lead-name"), e, Input { autocomplete: Some("name"), spellcheck_off: true, ..Default::default() }))
                (date_input("lead-dob", "Your date of birth", "For example, 27 3 1985", f, e, true))
                (input("lead-email", "Email address", field(f, "lead-email"), e, Input { kind: Some("email"), autocomplete: Some("email"), spellcheck_off: true, hint: Some("We'll email you about this visit"), ..Default::default() }))
                (input("lead-phone", "Phone number", field(f, "lead-phone"), e, Input { kind: Some("tel"), autocomplete: Some("tel"), width: Some("20"), ..Default::default() }))
                h2 class="govuk-heading-m" { "Other visitors (optional)" }
                p class="govuk-body" { "Up to " (MAX_ADDITIONAL_VISITORS) " more people, of whom at most 2 adults (18 or older). Children are welcome. Leave unused rows empty." }
                @for i in 1..=MAX_ADDITIONAL_VISITORS {
                    div class="govuk-form-group" {
                        fieldset class="govuk-fieldset" {
                            legend class="govuk-fieldset__legend govuk-fieldset__legend--s" { "Visitor " (i) }
                            (input(&format!("visitor-{i}-name"), "Full name", field(f, &format!("visitor-{i}-name")), e, Input { spellcheck_off: true, ..Default::default() }))
                            (date_input(&format!("visitor-{i}-dob"), "Date of birth", "For example, 27 3 2015", f, e, false))
                        }
                    }
                }
                (button("Continue"))
            }
        },
    )
}

async fn visitors_form(State(st): State<Visits>, sess: Sess) -> Page {
    let user = require!(visitor(&sess));
    let d = draft(&sess, &user);
    Ok(visitors_page(&sess.ctx(&st), &d.fields, &Errors::default()))
}

async fn visitors_post(State(st): State<Visits>, sess: Sess, FormIn(f): FormIn) -> Page {
    let user = require!(visitor(&sess));
    let mut d = draft(&sess, &user);
    d.fields.retain(|k, _| !k.starts_with("visitor-"));
    d.merge(f, VISITOR_FIELDS);
    d.done.retain(|s| s != "visitors");
    match visits::check_visitors(&d.fields, today()) {
        Ok(_) => {
            d.done.push("visitors".into());
            let next = next_after(&d, "visitors");
            sess.set_draft(DRAFT, Some(&d));
            Ok(see_other(&next))
        }
        Err(e) => {
            sess.set_draft(DRAFT, Some(&d));
            Ok(visitors_page(&sess.ctx(&st), &d.fields, &e))
        }
    }
}

fn sessions_page(
    c: &OwnedCtx,
    est: &Establishment,
    available: &[SessionSlot],
    f: &BTreeMap<String, String>,
    e: &Errors,
) -> Response {
    let mut options = vec![(String::new(), "Select a session".to_owned())];
    options.extend(available.iter().map(|s| (s.id.clone(), s.label())));
    step_page(
        c,
        "Choose visiting sessions",
        "/book/visitors",
        e,
        html! {
            span class="govuk-caption-l" { "Request a visit" }
            h1 class="govuk-heading-l" { "Choose visiting sessions" }
            @if available.is_empty() {
                p class="govuk-body" { "There are no sessions available to request at " (est.name) " in the next " (est.booking_window_days) " days. Try again later, or choose another prison." }
                p class="govuk-body" { a class="govuk-link" href="/book/prisoner" { "Change the prison" } }
            } @else {
                p class="govuk-body" { "Choose up to " (MAX_PREFERENCES) " sessions at " (est.name) ", in order of preference. The prison will book the first one it can." }
                form method="post" action="/book/sessions" novalidate {
                    (csrf(&c.csrf))
                    (select("session-1", "First choice", None, &options, field(f, "session-1"), e))
                    (select("session-2", "Second choice (optional)", None, &options, field(f, "session-2"), e))
                    (select("session-3", "Third choice (optional)", None, &options, field(f, "session-3"), e))
                    (button("Continue"))
                }
            }
        },
    )
}

async fn session_context(
    st: &Visits,
    d: &Draft,
) -> Result<
    Option<(
        Establishment,
        Vec<SessionSlot>,
        (chrono::NaiveDate, chrono::NaiveDate),
    )>,
    Error,
> {
    let id = field(&d.fields, "establishment");
    if id.is_empty() {
        return Ok(None);
    }
    let Some(est) = st
        .establishments()
        .await?
        .iter()
        .find(|e| e.id == id)
        .cloned()
    else {
        return Ok(None);
    };
    let t = today();
    let available = establishments::available_sessions(&st.db, &est, t).await?;
    let range = establishments::bookable_range(&est, t)?;
    Ok(Some((est, available, range)))
}

async fn sessions_form(State(st): State<Visits>, sess: Sess) -> Page {
    let user = require!(visitor(&sess));
    let d = draft(&sess, &user);
    let Some((est, available, _)) = session_context(&st, &d).await? else {
        return Ok(see_other("/book/prisoner"));
    };
    Ok(sessions_page(
        &sess.ctx(&st),
        &est,
        &available,
        &d.fields,
        &Errors::default(),
    ))
}

async fn sessions_post(State(st): State<Visits>, sess: Sess, FormIn(f): FormIn) -> Page {
    let user = require!(visitor(&sess));
    let mut d = draft(&sess, &user);
    let Some((est, available, range)) = session_context(&st, &d).await? else {
        return Ok(see_other("/book/prisoner"));
    };
    d.fields.retain(|k, _| !k.starts_with("session-"));
    d.merge(f, SESSION_FIELDS);
    d.done.retain(|s| s != "sessions");
    match visits::check_sessions(&d.fields, &available, range) {
        Ok(_) => {
            d.done.push("sessions".into());
            let next = next_after(&d, "sessions");
            sess.set_draft(DRAFT, Some(&d));
            Ok(see_other(&next))
        }
        Err(e) => {
            sess.set_draft(DRAFT, Some(&d));
            Ok(sessions_page(
                &sess.ctx(&st),
                &est,
                &available,
                &d.fields,
                &e,
            ))
        }
    }
}

fn support_page(c: &OwnedCtx, f: &BTreeMap<String, String>, e: &Errors) -> Response {
    step_page(
        c,
        "Support needs",
        "/book/sessions",
        e,
        html! {
            span class="govuk-caption-l" { "Request a visit" }
            h1 class="govuk-heading-l" { "Does anyone visiting need support?" }
            form method="post" action="/book/support" novalidate {
                (csrf(&c.csrf))
                (textarea("support-needs", "Support needs (optional)", "For example, wheelchair access, a hearing loop, or help for someone with a learning disability. Leave empty if not needed.", field(f, "support-needs"), e))
                (button("Continue"))
            }
        },
    )
}

async fn support_form(State(st): State<Visits>, sess: Sess) -> Page {
    let user = require!(visitor(&sess));
    let d = draft(&sess, &user);
    Ok(support_page(&sess.ctx(&st), &d.fields, &Errors::default()))
}

async fn support_post(State(st): State<Visits>, sess: Sess, FormIn(f): FormIn) -> Page {
    let user = require!(visitor(&sess));
    let mut d = draft(&sess, &user);
    d.merge(f, SUPPORT_FIELDS);
    d.done.retain(|s| s != "support");
    match visits::check_support(&d.fields) {
        Ok(_) => {
            d.done.push("support".into());
            let next = next_after(&d, "support");
            sess.set_draft(DRAFT, Some(&d));
            Ok(see_other(&next))
        }
        Err(e) => {
            sess.set_draft(DRAFT, Some(&d));
            Ok(support_page(&sess.ctx(&st), &d.fields, &e))
        }
    }
}

/// Checks every page again (a session may have filled up or passed since)
/// and builds the request; on a problem, the page to show it on.
async fn assemble(
    st: &Visits,
    sess: &Sess,
    user: &SessionUser,
    d: &Draft,
) -> Result<Result<(VisitRequest, Establishment), Response>, Error> {
    let c = sess.ctx(st);
    let ests = st.establishments().await?;
    let (est_id, prisoner) = match visits::check_prisoner(&d.fields, &ests, today()) {
        Ok(x) => x,
        Err(e) => return Ok(Err(prisoner_page(&c, &ests, &d.fields, &e))),
    };
    let (lead, others) = match visits::check_visitors(&d.fields, today()) {
        Ok(x) => x,
        Err(e) => return Ok(Err(visitors_page(&c, &d.fields, &e))),
    };
    let Some((est, available, range)) = session_context(st, d).await? else {
        return Ok(Err(see_other("/book/prisoner")));
    };
    let preferences = match visits::check_sessions(&d.fields, &available, range) {
        Ok(x) => x,
        Err(e) => return Ok(Err(sessions_page(&c, &est, &available, &d.fields, &e))),
    };
    let support_needs = match visits::check_support(&d.fields) {
        Ok(x) => x,
        Err(e) => return Ok(Err(support_page(&c, &d.fields, &e))),
    };
    Ok(Ok((
        VisitRequest {
            account_id: Some(user.id.clone()),
            establishment_id: est_id,
            prisoner,
            lead,
            visitors: others,
            preferences,
            support_needs,
            idempotency_key: d.idempotency_key.clone(),
        },
        est,
    )))
}

async fn check_form(State(st): State<Visits>, sess: Sess) -> Page {
    let user = require!(visitor(&sess));
    let d = draft(&sess, &user);
    if let Some(missing) = STEPS.iter().find(|s| !d.has(s)) {
        return Ok(see_other(&format!("/book/{missing}")));
    }
    let (req, est) = match assemble(&st, &sess, &user, &d).await? {
        Ok(x) => x,
        Err(page) => return Ok(page),
    };
    let c = sess.ctx(&st);
    let date = |d: chrono::NaiveDate| d.format("%-d %B %Y").to_string();
    let prisoner_rows = vec![
        (
            "Prison".to_owned(),
            html! { (est.name) },
            Some("/book/prisoner".to_owned()),
        ),
        (
            "Name".to_owned(),
            html! { (req.prisoner.name) },
            Some("/book/prisoner".to_owned()),
        ),
        (
            "Date of birth".to_owned(),
            html! { (date(req.prisoner.dob)) },
            Some("/book/prisoner".to_owned()),
        ),
        (
            "Prisoner number".to_owned(),
            html! { (req.prisoner.number) },
            Some("/book/prisoner".to_owned()),
        ),
    ];
    let mut visitor_rows = vec![
        (
            "Lead visitor".to_owned(),
            html! { (req.lead.person.name) br; (date(req.lead.person.dob)) },
            Some("/book/visitors".to_owned()),
        ),
        (
            "Email address".to_owned(),
            html! { (req.lead.email) },
            Some("/book/visitors".to_owned()),
        ),
        (
            "Phone number".to_owned(),
            html! { (req.lead.phone) },
            Some("/book/visitors".to_owned()),
        ),
    ];
    for (i, v) in req.visitors.iter().enumerate() {
        visitor_rows.push((
            format!("Visitor {}", i + 1),
            html! { (v.name) br; (date(v.dob)) },
            Some("/book/visitors".to_owned()),
        ));
    }
    let ordinal = ["First choice", "Second choice", "Third choice"];
    let mut session_rows: Vec<(String, Markup, Option<String>)> = req
        .preferences
        .iter()
        .enumerate()
        .map(|(i, s)| {
            (
                ordinal[i].to_owned(),
                html! { (s.label()) },
                Some("/book/sessions".to_owned()),
            )
        })
        .collect();
    session_rows.push((
        "Support needs".to_owned(),
        html! { @if req.support_needs.is_empty() { "None" } @else { (pages::multiline(&req.support_needs)) } },
        Some("/book/support".to_owned()),
    ));
    Ok(c.page(
        "Check your answers before sending your request",
        &Errors::default(),
        html! {
            (back("/book/support"))
            div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                h1 class="govuk-heading-l" { "Check your answers before sending your request" }
                h2 class="govuk-heading-m" { "The prisoner" }
                (summary_list(&prisoner_rows))
                h2 class="govuk-heading-m" { "Visitors" }
                (summary_list(&visitor_rows))
                h2 class="govuk-heading-m" { "Sessions" }
                (summary_list(&session_rows))
                h2 class="govuk-heading-m" { "Now send your request" }
                p class="govuk-body" { "By sending this request you confirm that, to the best of your knowledge, the details you are providing are correct." }
                form method="post" action="/book/check" novalidate {
                    (csrf(&c.csrf))
                    input type="hidden" name="idempotency" value=(d.idempotency_key);
                    (button("Send request"))
                }
            } }
        },
    ))
}

/// Requests a family may have waiting for one prisoner at once.
const OPEN_PER_PRISONER: i64 = 3;

/// Why a family's request is refused for volume, if it is: at most
/// [`OPEN_PER_PRISONER`] waiting requests for the same prisoner, and at most
/// 10 requests an hour from one account (one family sent 117 in 20
/// seconds, and staff would have had to reject each by hand).
async fn too_many(
    st: &Visits,
    user: &SessionUser,
    req: &VisitRequest,
) -> Result<Option<&'static str>, Error> {
    let open: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM visits WHERE account_id = $1 AND prisoner_number = $2 AND status = 'requested'",
    )
    .bind(&user.id)
    .bind(&req.prisoner.number)
    .fetch_one(st.db.pool())
    .await?;
    if open >= OPEN_PER_PRISONER {
        return Ok(Some(
            "You already have 3 visit requests waiting for this prisoner. Wait for the prison to reply, or cancel one, before you send another",
        ));
    }
    let hourly = platform::ratelimit::Limit {
        max: 10,
        window_secs: 3600,
    };
    if !platform::ratelimit::hit(
        &st.db,
        &format!("visit-request:{}", user.id),
        hourly,
        platform::now(),
    )
    .await?
    {
        return Ok(Some(
            "You have sent 10 visit requests in the last hour. Wait an hour before you send another",
        ));
    }
    Ok(None)
}

async fn check_post(State(st): State<Visits>, sess: Sess, FormIn(f): FormIn) -> Page {
    let user = require!(visitor(&sess));
    let key = field(&f, "idempotency");
    let d = match sess.draft::<Draft>(DRAFT) {
        Some(d) if d.idempotency_key == key => d,
        _ => {
            // A second press after the first one finished: show what the
            // first one made rather than making another.
            return match visits::find_for_account_by_key(&st.db, &user.id, key).await? {
                Some(reference) => Ok(see_other(&format!("/book/confirmation/{reference}"))),
                None => Ok(see_other("/book")),
            };
        }
    };
    let (req, _) = match assemble(&st, &sess, &user, &d).await? {
        Ok(x) => x,
        Err(page) => return Ok(page),
    };
    // Everyone visiting must be on the prisoner's approved list, where
    // the service keeps it; the visitors page is where they are changed.
    let unapproved = visits::check_approved_visitors(&st.db, &req, &d.fields).await?;
    if !unapproved.is_empty() {
        return Ok(visitors_page(&sess.ctx(&st), &d.fields, &unapproved));
    }
    if let Some(problem) = too_many(&st, &user, &req).await? {
        let c = sess.ctx(&st);
        let mut e = Errors::default();
        e.add("submit", problem);
        return Ok(c.page(
            "You cannot send this request yet",
            &e,
            html! {
                (error_summary(&e))
                h1 class="govuk-heading-l" { "You cannot send this request yet" }
                p class="govuk-body" id="submit" { (problem) }
                p class="govuk-body" { a class="govuk-link" href="/visits" { "See your visit requests" } }
            },
        ));
    }
    let done = visits::submit(&st.db, &req).await?;
    st.mail_waiting();
    tracing::info!(visit = %done.id, repeated = done.repeated, "visit requested");
    sess.set_draft::<Draft>(DRAFT, None);
    Ok(see_other(&format!("/book/confirmation/{}", done.reference)))
}

async fn confirmation(State(st): State<Visits>, sess: Sess, Path(reference): Path<String>) -> Page {
    let user = require!(visitor(&sess));
    let visit = visits::get_for_account(&st.db, &user.id, &reference).await?;
    let est = establishments::get(&st.db, &visit.establishment_id).await?;
    let c = sess.ctx(&st);
    Ok(c.page(
        "Request sent",
        &Errors::default(),
        html! {
            div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                div class="govuk-panel govuk-panel--confirmation" {
                    h1 class="govuk-panel__title" { "Request sent" }
                    div class="govuk-panel__body" { "Your reference number" br; strong id="reference" { (visit.reference) } }
                }
                p class="govuk-body" { "We have sent a confirmation email to " strong { (visit.lead_email) } "." }
                h2 class="govuk-heading-m" { "What happens next" }
                p class="govuk-body" { (est.name) " will check your request. We'll email you to tell you whether your visit is booked, and for which session." }
                p class="govuk-body" { "This is not yet a confirmed visit: do not travel until you have been told it is booked." }
                p class="govuk-body" { a class="govuk-link" href={ "/visits/" (visit.reference) } { "View or cancel this request" } }
            } }
        },
    ))
}

async fn my_visits(State(st): State<Visits>, sess: Sess) -> Page {
    let user = require!(visitor(&sess));
    let list = visits::list_for_account(&st.db, &user.id).await?;
    let ests = st.establishments().await?;
    let name = |id: &str| {
        ests.iter()
            .find(|e| e.id == id)
            .map(|e| e.name.clone())
            .unwrap_or_default()
    };
    let c = sess.ctx(&st);
    Ok(c.page(
        "Your visits",
        &Errors::default(),
        html! {
            h1 class="govuk-heading-l" { "Your visits" }
            @if list.is_empty() {
                p class="govuk-body" { "You have not requested any visits yet." }
            } @else {
                table class="govuk-table" {
                    caption class="govuk-table__caption govuk-table__caption--m" { "Your requests" }
                    thead class="govuk-table__head" { tr class="govuk-table__row" {
                        th scope="col" class="govuk-table__header" { "Reference" }
                        th scope="col" class="govuk-table__header" { "Prison" }
                        th scope="col" class="govuk-table__header" { "Prisoner" }
                        th scope="col" class="govuk-table__header" { "Status" }
                    } }
                    tbody class="govuk-table__body" {
                        @for v in &list {
                            tr class="govuk-table__row" {
                                td class="govuk-table__cell" { a class="govuk-link" href={ "/visits/" (v.reference) } { (v.reference) } }
                                td class="govuk-table__cell" { (name(&v.establishment_id)) }
                                td class="govuk-table__cell" { (v.prisoner_name) }
                                td class="govuk-table__cell" { (crate::tag(v.status)) }
                            }
                        }
                    }
                }
            }
            a href="/book" role="button" class="govuk-button" data-module="govuk-button" { "Request a visit" }
        },
    ))
}

async fn slot_label(st: &Visits, id: &str) -> Result<String, Error> {
    Ok(establishments::slot(&st.db, id)
        .await?
        .map(|s| s.label())
        .unwrap_or_else(|| id.to_owned()))
}

async fn my_visit(State(st): State<Visits>, sess: Sess, Path(reference): Path<String>) -> Page {
    let user = require!(visitor(&sess));
    let v = visits::get_for_account(&st.db, &user.id, &reference).await?;
    let est = establishments::get(&st.db, &v.establishment_id).await?;
    let mut rows = vec![
        ("Status".to_owned(), crate::tag(v.status), None),
        ("Prison".to_owned(), html! { (est.name) }, None),
        (
            "Prisoner".to_owned(),
            html! { (v.prisoner_name) " (" (v.prisoner_number) ")" },
            None,
        ),
    ];
    if let Some(slot) = &v.allocated_slot {
        rows.push(("Visit".to_owned(), html! { (slot_label(&st, slot).await?) " (" (v.visit_kind.clone().unwrap_or_default()) " visit)" }, None));
    } else {
        for (i, p) in v.preferences.iter().enumerate() {
            rows.push((
                format!("Choice {}", i + 1),
                html! { (slot_label(&st, p).await?) },
                None,
            ));
        }
    }
    rows.push((
        "Visitors".to_owned(),
        html! { (v.lead_name) @for (n, _) in &v.visitors { br; (n) } },
        None,
    ));
    if let Some(r) = &v.reason {
        let text = if v.status == Status::Rejected {
            visits::reason_label(r).to_owned()
        } else {
            r.clone()
        };
        rows.push((
            "Reason".to_owned(),
            html! { (text) @if let Some(u) = &v.banned_until { " until " (pages::long_date(u)) } },
            None,
        ));
    }
    let c = sess.ctx(&st);
    Ok(c.page(
        &format!("Visit {}", v.reference),
        &Errors::default(),
        html! {
            (back("/visits"))
            h1 class="govuk-heading-l" { "Visit " (v.reference) }
            (summary_list(&rows))
            @if crate::workflow::WORKFLOW.offers(crate::workflow::CANCEL, v.status, Who::Visitor) {
                a href={ "/visits/" (v.reference) "/cancel" } role="button" class="govuk-button govuk-button--warning" data-module="govuk-button" {
                    @if v.status == Status::Booked { "Cancel visit" } @else { "Cancel request" }
                }
            }
        },
    ))
}

async fn cancel_form(State(st): State<Visits>, sess: Sess, Path(reference): Path<String>) -> Page {
    let user = require!(visitor(&sess));
    let v = visits::get_for_account(&st.db, &user.id, &reference).await?;
    let c = sess.ctx(&st);
    Ok(c.page(
        "Are you sure you want to cancel?",
        &Errors::default(),
        html! {
            (back(&format!("/visits/{}", v.reference)))
            div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                h1 class="govuk-heading-l" { "Are you sure you want to cancel " (v.reference) "?" }
                p class="govuk-body" { "The prison will be told, and the place given to someone else. You cannot undo this." }
                form method="post" action={ "/visits/" (v.reference) "/cancel" } novalidate {
                    (csrf(&c.csrf))
                    button type="submit" class="govuk-button govuk-button--warning" data-module="govuk-button" { "Yes, cancel it" }
                }
            } }
        },
    ))
}

async fn cancel_post(
    State(st): State<Visits>,
    sess: Sess,
    Path(reference): Path<String>,
    FormIn(_): FormIn,
) -> Page {
    let user = require!(visitor(&sess));
    let v = visits::get_for_account(&st.db, &user.id, &reference).await?;
    let actor = user.actor();
    match visits::cancel(&st.db, &v.id, "cancelled by the visitor", &actor, false).await {
        Ok(()) | Err(Error::Conflict(_)) => {}
        Err(e) => return Err(e.into()),
    }
    st.mail_waiting();
    sess.update(|s| s.notice = Some(format!("Visit {} is cancelled", v.reference)));
    Ok(see_other(&format!("/visits/{}", v.reference)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(done: &[&str]) -> Draft {
        Draft {
            done: done.iter().map(|s| s.to_string()).collect(),
            ..Draft::default()
        }
    }

    #[test]
    fn after_a_step_comes_the_next_one_not_yet_done() {
        // The first time through, in order.
        assert_eq!(
            next_after(&with(&["prisoner"]), "prisoner"),
            "/book/visitors"
        );
        // A new prison chosen from the check page clears the sessions: the
        // visitors are kept, so the sessions come next, not the visitors.
        assert_eq!(
            next_after(&with(&["prisoner", "visitors", "support"]), "prisoner"),
            "/book/sessions"
        );
        assert_eq!(
            next_after(
                &with(&["prisoner", "visitors", "sessions", "support"]),
                "prisoner"
            ),
            "/book/check"
        );
        // A step left out earlier is found after the last.
        assert_eq!(
            next_after(&with(&["visitors", "sessions", "support"]), "support"),
            "/book/prisoner"
        );
    }
}
