//! Staff pages of an establishment: today's and upcoming calls with who
//! is on each, requests to be approved, entering a prisoner's request,
//! prisoners' allowances, and (for administrators) the portal's settings
//! and rollout stage.

use axum::extract::{Path, State};
use axum::response::Response;
use chrono::{Duration, NaiveDate};
use maud::html;
use platform::audit::Line;
use platform::contacts;
use platform::require;
use platform::rules::{Routes, Rule};
use platform::sessions::SessionUser;
use platform::web::{FormIn, Page, Sess, see_other};
use platform::workflow::{State as _, Who};
use platform::{Error, audit};
use ui::forms::{self, Errors, get as field};
use ui::{Input, back, button, csrf, error_summary, input, summary_list};

use super::SERVICE;
use super::{call_tag, establishment_name, user};
use crate::Calls;
use crate::booking::{self, NewCall};
use crate::callers;
use crate::portal::{self, Mode, Settings};
use crate::rollout::{self, Stage};
use crate::workflow::{CALL, CALL_STAFF, CallerStatus};

pub(super) fn routes() -> Routes<Calls> {
    use Rule::{CallsAdmin, CallsStaff};
    Routes::new()
        .get("/calls/staff", CallsStaff, pick)
        .get("/calls/staff/{establishment}", CallsStaff, day)
        .get_post(
            "/calls/staff/{establishment}/requests/{id}",
            CallsStaff,
            request_form,
            request_post,
        )
        .get_post(
            "/calls/staff/{establishment}/offer",
            CallsStaff,
            offer_form,
            offer_post,
        )
        .post(
            "/calls/staff/{establishment}/calls/{id}/{action}",
            CallsStaff,
            call_move,
        )
        .get(
            "/calls/staff/{establishment}/allowance/{prisoner}",
            CallsStaff,
            allowance_form,
        )
        .post(
            "/calls/staff/{establishment}/allowance/{prisoner}",
            CallsAdmin,
            allowance_post,
        )
        .get_post(
            "/calls/staff/{establishment}/settings",
            CallsAdmin,
            settings_form,
            settings_post,
        )
        .post("/calls/staff/{establishment}/times", CallsAdmin, times_post)
        .post(
            "/calls/staff/{establishment}/closed",
            CallsAdmin,
            closed_post,
        )
        .post(
            "/calls/staff/{establishment}/rollout",
            CallsAdmin,
            rollout_post,
        )
}

/// The user, if they run calls at `est`; otherwise the refusal.
fn at(sess: &Sess, est: &str) -> Result<SessionUser, Box<Response>> {
    let u = user(sess)?;
    if u.runs_calls_at(est) {
        Ok(u)
    } else {
        Err(platform::web::forbidden())
    }
}

fn admin_at(sess: &Sess, est: &str) -> Result<SessionUser, Box<Response>> {
    let u = user(sess)?;
    if u.administers_calls_at(est) {
        Ok(u)
    } else {
        Err(platform::web::forbidden())
    }
}

async fn pick(State(st): State<Calls>, sess: Sess) -> Page {
    let u = require!(user(&sess));
    let mine: Vec<_> = st
        .establishments()
        .await?
        .iter()
        .filter(|e| u.runs_calls_at(&e.id))
        .cloned()
        .collect();
    let c = sess.ctx(&st).in_service(SERVICE, "/calls/staff");
    Ok(c.page(
        "Video calls: choose a prison",
        &Errors::default(),
        html! {
            h1 class="govuk-heading-l" { "Video calls" }
            ul class="govuk-list" {
                @for e in &mine { li { a class="govuk-link" href={ "/calls/staff/" (e.id) } { (e.name) } } }
            }
        },
    ))
}

async fn day(State(st): State<Calls>, sess: Sess, Path(est): Path<String>) -> Page {
    let u = require!(at(&sess, &est));
    let p = portal::get(&st.db, &est).await?;
    let today = st.clock.today();
    let calls = booking::at_establishment(&st.db, &est, today, today + Duration::days(14)).await?;
    let requests = callers::waiting_requests(&st.db, &est).await?;
    let mut request_rows = Vec::new();
    for r in &requests {
        let k = callers::get(&st.db, &r.caller_id).await?;
        request_rows.push((r.clone(), k));
    }
    audit::log(&st.db, &u.id, "calls.view_day", &est, "").await?;
    let c = sess.ctx(&st).in_service(SERVICE, "/calls/staff");
    let whos = Who::of(&u);
    Ok(c.page(
        &format!("Video calls at {}", p.name),
        &Errors::default(),
        html! {
            span class="govuk-caption-l" { "Video calls" }
            h1 class="govuk-heading-l" { (p.name) }
            p class="govuk-body" {
                (if p.live { ui::tag("govuk-tag--green", "Portal live") } else { ui::tag("govuk-tag--grey", "Portal not live") })
                " " (p.settings.mode.label())
            }
            p class="govuk-body" {
                a class="govuk-link" href={ "/calls/staff/" (est) "/offer" } { "Enter a prisoner's request for a call" }
                @if u.administers_calls_at(&est) {
                    " · " a class="govuk-link" href={ "/calls/staff/" (est) "/settings" } { "Portal settings and rollout" }
                }
                " · " a class="govuk-link" href={ "/prisoners/" (est) } { "Prisoners and approved contacts" }
                " · " a class="govuk-link" href={ "/calls/prisons/" (est) } { "The portal as families see it" }
            }
            h2 class="govuk-heading-m" { "Requests to be approved (" (request_rows.len()) ")" }
            @if request_rows.is_empty() {
                p class="govuk-body" { "None waiting." }
            } @else {
                table class="govuk-table" {
                    thead class="govuk-table__head" { tr class="govuk-table__row" {
                        th scope="col" class="govuk-table__header" { "Caller" }
                        th scope="col" class="govuk-table__header" { "To call" }
                        th scope="col" class="govuk-table__header" { "Relationship" }
                        th scope="col" class="govuk-table__header" { "Identity" }
                    } }
                    tbody class="govuk-table__body" {
                        @for (r, k) in &request_rows {
                            tr class="govuk-table__row" {
                                td class="govuk-table__cell" { a class="govuk-link" href={ "/calls/staff/" (est) "/requests/" (r.id) } { (k.name) } }
                                td class="govuk-table__cell" { (r.prisoner_name) " (" (r.prison_number) ")" }
                                td class="govuk-table__cell" { (r.relationship) }
                                td class="govuk-table__cell" { (k.status.label()) }
                            }
                        }
                    }
                }
            }
            h2 class="govuk-heading-m" { "Calls today and in the next 14 days" }
            @if calls.is_empty() {
                p class="govuk-body" { "No calls." }
            } @else {
                table class="govuk-table" {
                    thead class="govuk-table__head" { tr class="govuk-table__row" {
                        th scope="col" class="govuk-table__header" { "When" }
                        th scope="col" class="govuk-table__header" { "Prisoner" }
                        th scope="col" class="govuk-table__header" { "On the call" }
                        th scope="col" class="govuk-table__header" { "Status" }
                        th scope="col" class="govuk-table__header" { span class="govuk-visually-hidden" { "Actions" } }
                    } }
                    tbody class="govuk-table__body" {
                        @for k in &calls {
                            tr class="govuk-table__row" {
                                td class="govuk-table__cell" { (k.date.format("%a %-d %b")) " " (k.start) }
                                td class="govuk-table__cell" {
                                    (k.prisoner) " (" (k.prison_number) ")"
                                    br;
                                    a class="govuk-link govuk-body-s" href={ "/calls/staff/" (est) "/allowance/" (k.prisoner_id) } { "Allowance" }
                                }
                                td class="govuk-table__cell" { (k.people.join(", ")) }
                                td class="govuk-table__cell" { (call_tag(k.status)) }
                                td class="govuk-table__cell" {
                                    @for t in CALL.transitions.iter().filter(|t| t.starts_from(k.status) && whos.iter().any(|w| t.open_to(*w))) {
                                        @if t.action == crate::workflow::STAFF_CANCEL || k.date <= today {
                                            form method="post" action={ "/calls/staff/" (est) "/calls/" (k.id) "/" (t.action) } class="lifeline-inline-form" novalidate {
                                                (csrf(&c.csrf))
                                                button type="submit" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-1 govuk-!-margin-right-1" data-module="govuk-button" {
                                                    (staff_words(t.action)) span class="govuk-visually-hidden" { " " (k.reference) }
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
        },
    ))
}

fn staff_words(action: &str) -> &'static str {
    match action {
        crate::workflow::STAFF_CANCEL => "Cancel",
        crate::workflow::COMPLETE => "Took place",
        crate::workflow::MISSED => "Family did not join",
        crate::workflow::FAULT => "Ended by a fault",
        _ => "Continue",
    }
}

async fn call_move(
    State(st): State<Calls>,
    sess: Sess,
    Path((est, id, action)): Path<(String, String, String)>,
    FormIn(f): FormIn,
) -> Page {
    let u = require!(at(&sess, &est));
    let k = booking::get(&st.db, &id).await?;
    if k.establishment_id != est
        || !CALL_STAFF
            .iter()
            .any(|w| CALL.offers(&action, k.status, *w) && Who::of(&u).contains(w))
    {
        return Err(Error::NotFound.into());
    }
    let reason = field(&f, "reason");
    match booking::move_call(
        &st.db,
        &id,
        &action,
        reason,
        &u.actor(),
        super::now_naive(&st),
    )
    .await
    {
        Ok(()) => {
            st.mail_waiting();
            let to = CALL.find(&action).map(|t| t.to.label()).unwrap_or("");
            sess.update(|s| {
                s.notice = Some(format!(
                    "Call {} for {}: {}",
                    k.reference,
                    k.prisoner,
                    to.to_lowercase()
                ))
            });
        }
        Err(Error::Conflict(m)) => sess.update(|s| s.notice = Some(forms::capital(&m))),
        Err(e) => return Err(e.into()),
    }
    Ok(see_other(&format!("/calls/staff/{est}")))
}

async fn request_view(
    st: &Calls,
    est: &str,
    id: &str,
) -> platform::Result<(callers::ContactRequest, callers::Caller)> {
    let r = callers::request(&st.db, id).await?;
    if r.establishment_id != est {
        return Err(Error::NotFound);
    }
    let k = callers::get(&st.db, &r.caller_id).await?;
    Ok((r, k))
}

fn request_page(
    st: &Calls,
    sess: &Sess,
    est: &str,
    r: &callers::ContactRequest,
    k: &callers::Caller,
    f: &ui::Fields,
    e: &Errors,
) -> Response {
    let c = sess.ctx(st).in_service(SERVICE, "/calls/staff");
    let age = k.age_on(st.clock.today());
    c.page(
        "Request to be approved",
        e,
        html! {
            (back(&format!("/calls/staff/{est}")))
            div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                (error_summary(e))
                h1 class="govuk-heading-l" { (k.name) " asks to call " (r.prisoner_name) }
                (summary_list(&[
                    ("Caller".into(), html! { (k.name) }, None),
                    ("Date of birth".into(), html! { (k.dob.format("%-d %B %Y")) " (" (age) ")" }, None),
                    ("Identity".into(), html! { (k.status.label()) }, None),
                    ("Address".into(), ui::multiline(&k.address), None),
                    ("Phone".into(), html! { (k.phone) }, None),
                    ("Prisoner".into(), html! { (r.prisoner_name) " (" (r.prison_number) ")" }, None),
                    ("Relationship".into(), html! { (r.relationship) }, None),
                ]))
                @if r.status.as_str() == "waiting" {
                    form method="post" action={ "/calls/staff/" (est) "/requests/" (r.id) } novalidate {
                        (csrf(&c.csrf))
                        (ui::radios("decision", "Decision", &[
                            ("approve".into(), "Approve: add them to the prisoner's approved contacts".into(), Some(input("relationship", "Relationship", if field(f, "relationship").is_empty() { &r.relationship } else { field(f, "relationship") }, e, Input::default()))),
                            ("decline".into(), "Do not approve".into(), Some(ui::textarea("reason", "Reason (the caller is told)", "", field(f, "reason"), e))),
                        ], field(f, "decision"), e))
                        (button("Save decision"))
                    }
                } @else {
                    p class="govuk-body" { "Decided: " (r.status.label()) }
                }
            } }
        },
    )
}

async fn request_form(
    State(st): State<Calls>,
    sess: Sess,
    Path((est, id)): Path<(String, String)>,
) -> Page {
    let u = require!(at(&sess, &est));
    let (r, k) = request_view(&st, &est, &id).await?;
    audit::log(&st.db, &u.id, "contact_request.view", &id, "").await?;
    Ok(request_page(
        &st,
        &sess,
        &est,
        &r,
        &k,
        &ui::Fields::new(),
        &Errors::default(),
    ))
}

async fn request_post(
    State(st): State<Calls>,
    sess: Sess,
    Path((est, id)): Path<(String, String)>,
    FormIn(f): FormIn,
) -> Page {
    let u = require!(at(&sess, &est));
    let (r, k) = request_view(&st, &est, &id).await?;
    let mut e = Errors::default();
    let result = match field(&f, "decision") {
        "approve" => {
            match forms::required_text(
                field(&f, "relationship"),
                "relationship",
                "the relationship",
                "Enter the relationship",
                &mut e,
            ) {
                Some(rel) => callers::approve_request(&st.db, &id, &rel, &u.actor()).await,
                None => Err(Error::Conflict(String::new())),
            }
        }
        "decline" => {
            match forms::required_text(
                field(&f, "reason"),
                "reason",
                "the reason",
                "Enter the reason, which the caller is told",
                &mut e,
            ) {
                Some(reason) => callers::decline_request(&st.db, &id, &reason, &u.actor()).await,
                None => Err(Error::Conflict(String::new())),
            }
        }
        _ => {
            e.add("decision", "Choose whether to approve the request");
            Err(Error::Conflict(String::new()))
        }
    };
    match result {
        Ok(()) => {
            st.mail_waiting();
            sess.update(|s| s.notice = Some(format!("Decision saved for {}", k.name)));
            Ok(see_other(&format!("/calls/staff/{est}")))
        }
        // A field's own error, or the request's: shown on the form again.
        Err(Error::Conflict(m)) => {
            if !m.is_empty() {
                e.add("decision", forms::capital(&m));
            }
            Ok(request_page(&st, &sess, &est, &r, &k, &f, &e))
        }
        Err(other) => Err(other.into()),
    }
}

/// Entering a prisoner's request: the prisoner, the approved caller and the
/// time; the family then confirms or declines it.
struct OfferView {
    portal: portal::Portal,
    prisoners: Vec<contacts::Prisoner>,
    slots: Vec<portal::Slot>,
}

async fn offer_view(st: &Calls, est: &str) -> platform::Result<OfferView> {
    let p = portal::get(&st.db, est).await?;
    let today = st.clock.today();
    let slots = portal::slots_between(
        &st.db,
        &p,
        today + Duration::days(1),
        today + Duration::days(p.settings.window_days),
    )
    .await?
    .into_iter()
    .filter(|s| s.free() > 0)
    .collect();
    Ok(OfferView {
        prisoners: contacts::prisoners_at(&st.db, est).await?,
        portal: p,
        slots,
    })
}

async fn caller_options(st: &Calls, prisoner_id: &str) -> platform::Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for c in contacts::contacts_of(&st.db, prisoner_id).await? {
        if let Some(a) = &c.account_id
            && c.approved_on(st.clock.today())
            && callers::of_account(&st.db, a)
                .await?
                .is_some_and(|k| k.status == CallerStatus::Verified)
        {
            out.push((a.clone(), format!("{} ({})", c.name, c.relationship)));
        }
    }
    Ok(out)
}

fn offer_page(
    st: &Calls,
    sess: &Sess,
    v: &OfferView,
    callers_of: &[(String, String)],
    f: &ui::Fields,
    e: &Errors,
) -> Response {
    let c = sess.ctx(st).in_service(SERVICE, "/calls/staff");
    let est = &v.portal.establishment_id;
    let chosen = field(f, "prisoner");
    c.page(
        "Enter a prisoner's request for a call",
        e,
        html! {
            (back(&format!("/calls/staff/{est}")))
            div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                (error_summary(e))
                h1 class="govuk-heading-l" { "Enter a prisoner's request for a call" }
                @if !v.portal.live {
                    div class="govuk-inset-text" { "The portal is not live, so calls cannot be offered yet." }
                } @else if chosen.is_empty() || callers_of.is_empty() {
                    form method="post" action={ "/calls/staff/" (est) "/offer" } novalidate {
                        (csrf(&c.csrf))
                        (ui::select("prisoner", "Prisoner", None, &std::iter::once((String::new(), "Choose a prisoner".to_owned())).chain(v.prisoners.iter().map(|p| (p.id.clone(), format!("{} ({})", p.name, p.number)))).collect::<Vec<_>>(), chosen, e))
                        (button("Continue"))
                    }
                } @else {
                    form method="post" action={ "/calls/staff/" (est) "/offer" } novalidate {
                        (csrf(&c.csrf))
                        input type="hidden" name="prisoner" value=(chosen);
                        input type="hidden" name="token" value=(if field(f, "token").is_empty() { platform::ids::random_token(16) } else { field(f, "token").to_owned() });
                        (ui::select("caller", "Who they want to call", Some("Verified callers on their approved list"), &std::iter::once((String::new(), "Choose a caller".to_owned())).chain(callers_of.iter().cloned()).collect::<Vec<_>>(), field(f, "caller"), e))
                        (ui::select("slot", "Time", None, &std::iter::once((String::new(), "Choose a time".to_owned())).chain(v.slots.iter().map(|s| (format!("{}|{}", s.date, s.start), format!("{} ({} free)", s.label(), s.free())))).collect::<Vec<_>>(), field(f, "slot"), e))
                        (button("Offer the call"))
                    }
                }
            } }
        },
    )
}

async fn offer_form(State(st): State<Calls>, sess: Sess, Path(est): Path<String>) -> Page {
    require!(at(&sess, &est));
    let v = offer_view(&st, &est).await?;
    Ok(offer_page(
        &st,
        &sess,
        &v,
        &[],
        &ui::Fields::new(),
        &Errors::default(),
    ))
}

async fn offer_post(
    State(st): State<Calls>,
    sess: Sess,
    Path(est): Path<String>,
    FormIn(f): FormIn,
) -> Page {
    let u = require!(at(&sess, &est));
    let v = offer_view(&st, &est).await?;
    let mut e = Errors::default();
    let Some(prisoner) = v
        .prisoners
        .iter()
        .find(|p| p.id == field(&f, "prisoner"))
        .cloned()
    else {
        e.add("prisoner", "Choose the prisoner");
        return Ok(offer_page(&st, &sess, &v, &[], &f, &e));
    };
    let options = caller_options(&st, &prisoner.id).await?;
    if options.is_empty() {
        e.add(
            "prisoner",
            format!(
                "{} has no verified caller on their approved list",
                prisoner.name
            ),
        );
        return Ok(offer_page(&st, &sess, &v, &[], &f, &e));
    }
    if !f.contains_key("caller") {
        return Ok(offer_page(&st, &sess, &v, &options, &f, &e));
    }
    let caller = match options.iter().find(|(a, _)| a == field(&f, "caller")) {
        Some((a, _)) => callers::of_account(&st.db, a).await?,
        None => None,
    };
    if caller.is_none() {
        e.add("caller", "Choose who they want to call");
    }
    let slot = field(&f, "slot")
        .split_once('|')
        .and_then(|(d, s)| Some((NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()?, s.to_owned())));
    if slot.is_none() {
        e.add("slot", "Choose a time");
    }
    let (Some(main), Some((date, start)), true) = (caller, slot, e.is_empty()) else {
        return Ok(offer_page(&st, &sess, &v, &options, &f, &e));
    };
    let token = field(&f, "token").chars().take(64).collect::<String>();
    let new = NewCall {
        portal: &v.portal,
        prisoner: &prisoner,
        main: &main,
        others: &[],
        date,
        start: &start,
        idempotency_key: if token.is_empty() { "missing" } else { &token },
        invited: true,
        today: st.clock.today(),
    };
    match booking::book(&st.db, &new, &u.actor()).await? {
        Ok(reference) => {
            st.mail_waiting();
            sess.update(|s| {
                s.notice = Some(format!(
                    "Call {reference} offered to {}; they will be asked to confirm it",
                    main.name
                ))
            });
            Ok(see_other(&format!("/calls/staff/{est}")))
        }
        Err(refusal) => {
            e.add("slot", refusal.to_string());
            Ok(offer_page(&st, &sess, &v, &options, &f, &e))
        }
    }
}

async fn allowance_page(
    st: &Calls,
    sess: &Sess,
    est: &str,
    prisoner: &contacts::Prisoner,
    f: &ui::Fields,
    e: &Errors,
) -> platform::Result<Response> {
    let p = portal::get(&st.db, est).await?;
    let month = booking::month_of(st.clock.today());
    let a = booking::allowance(&st.db, &prisoner.id, &month, p.settings.monthly_minutes).await?;
    let c = sess.ctx(st).in_service(SERVICE, "/calls/staff");
    let admin = c.user.as_ref().is_some_and(|u| u.administers_calls_at(est));
    Ok(c.page(
        &format!("Allowance: {}", prisoner.name),
        e,
        html! {
            (back(&format!("/calls/staff/{est}")))
            div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                (error_summary(e))
                h1 class="govuk-heading-l" { (prisoner.name) "'s video calls allowance" }
                (summary_list(&[
                    ("This month".into(), html! { (a.limit) " minutes" }, None),
                    ("Used or booked".into(), html! { (a.used) " minutes" }, None),
                    ("Left".into(), html! { (a.remaining()) " minutes" }, None),
                ]))
                @if admin {
                    h2 class="govuk-heading-m" { "Grant extra calls" }
                    p class="govuk-body" { "At the governor's discretion, for this month." }
                    form method="post" action={ "/calls/staff/" (est) "/allowance/" (prisoner.id) } novalidate {
                        (csrf(&c.csrf))
                        (input("minutes", "Extra minutes", field(f, "minutes"), e, Input { width: Some("4"), ..Default::default() }))
                        (ui::textarea("reason", "Reason", "Recorded with the grant", field(f, "reason"), e))
                        (button("Grant"))
                    }
                }
            } }
        },
    ))
}

async fn prisoner_at(st: &Calls, est: &str, id: &str) -> platform::Result<contacts::Prisoner> {
    contacts::prisoner(&st.db, id)
        .await?
        .filter(|p| p.establishment_id == est)
        .ok_or(Error::NotFound)
}

async fn allowance_form(
    State(st): State<Calls>,
    sess: Sess,
    Path((est, id)): Path<(String, String)>,
) -> Page {
    require!(at(&sess, &est));
    let p = prisoner_at(&st, &est, &id).await?;
    Ok(allowance_page(&st, &sess, &est, &p, &ui::Fields::new(), &Errors::default()).await?)
}

async fn allowance_post(
    State(st): State<Calls>,
    sess: Sess,
    Path((est, id)): Path<(String, String)>,
    FormIn(f): FormIn,
) -> Page {
    let u = require!(admin_at(&sess, &est));
    let p = prisoner_at(&st, &est, &id).await?;
    let mut e = Errors::default();
    let minutes = field(&f, "minutes")
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|m| (1..=600).contains(m));
    if minutes.is_none() {
        e.add(
            "minutes",
            "Enter the extra minutes as a whole number from 1 to 600",
        );
    }
    let reason = forms::required_text(
        field(&f, "reason"),
        "reason",
        "the reason",
        "Enter the reason for the extra calls",
        &mut e,
    );
    let (Some(minutes), Some(reason), true) = (minutes, reason, e.is_empty()) else {
        return Ok(allowance_page(&st, &sess, &est, &p, &f, &e).await?);
    };
    booking::grant_extra(
        &st.db,
        &p.id,
        &booking::month_of(st.clock.today()),
        minutes,
        &reason,
        &u.actor(),
    )
    .await?;
    sess.update(|s| {
        s.notice = Some(format!(
            "{minutes} extra minutes granted to {} this month",
            p.name
        ))
    });
    Ok(see_other(&format!("/calls/staff/{est}/allowance/{id}")))
}

fn settings_fields(s: &Settings) -> ui::Fields {
    let mut f = ui::Fields::new();
    f.insert("mode".into(), s.mode.as_str().into());
    f.insert("call-minutes".into(), s.call_minutes.to_string());
    f.insert("capacity".into(), s.capacity.to_string());
    f.insert("window-days".into(), s.window_days.to_string());
    f.insert("notice".into(), s.min_notice_working_days.to_string());
    f.insert("monthly-minutes".into(), s.monthly_minutes.to_string());
    f.insert("cutoff".into(), s.cancel_cutoff_hours.to_string());
    f
}

async fn settings_page(
    st: &Calls,
    sess: &Sess,
    est: &str,
    f: &ui::Fields,
    e: &Errors,
) -> platform::Result<Response> {
    let name = establishment_name(st, est).await;
    let times = portal::weekly_times(&st.db, est).await?;
    let closed = portal::closed_dates(&st.db, est, st.clock.today()).await?;
    let progress = rollout::of(&st.db, est).await?;
    let c = sess.ctx(st).in_service(SERVICE, "/calls/staff");
    let num = |n: &str, l: &str, hint: &str| {
        input(
            n,
            l,
            field(f, n),
            e,
            Input {
                hint: Some(hint),
                width: Some("4"),
                ..Default::default()
            },
        )
    };
    let weekday_options: Vec<(String, String)> =
        std::iter::once((String::new(), "Choose a day".to_owned()))
            .chain(
                portal::WEEKDAYS
                    .iter()
                    .enumerate()
                    .map(|(i, d)| ((i + 1).to_string(), (*d).to_owned())),
            )
            .collect();
    let stage_options: Vec<(String, String)> =
        std::iter::once((String::new(), "Choose a stage".to_owned()))
            .chain(
                Stage::ALL[1..]
                    .iter()
                    .map(|s| (s.as_str().to_owned(), s.label().to_owned())),
            )
            .collect();
    Ok(c.page(
        &format!("Video calls settings: {name}"),
        e,
        html! {
            (back(&format!("/calls/staff/{est}")))
            (error_summary(e))
            span class="govuk-caption-l" { (name) }
            h1 class="govuk-heading-l" { "Video calls settings" }
            div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                h2 class="govuk-heading-m" { "Rollout" }
                p class="govuk-body" { "Stage reached: " strong { (progress.stage.label()) } }
                table class="govuk-table" {
                    tbody class="govuk-table__body" {
                        @for s in &Stage::ALL[1..] {
                            tr class="govuk-table__row" {
                                th scope="row" class="govuk-table__header" { (s.label()) }
                                td class="govuk-table__cell" {
                                    @match progress.dates.get(s) {
                                        Some(Some(d)) => { (d.format("%-d %B %Y")) }
                                        Some(None) => { "Reached (date not known)" }
                                        None => { "Not yet" }
                                    }
                                }
                            }
                        }
                    }
                }
                form method="post" action={ "/calls/staff/" (est) "/rollout" } novalidate {
                    (csrf(&c.csrf))
                    (ui::select("stage", "Stage reached", Some("The portal takes bookings once the stage is \"Portal live\""), &stage_options, field(f, "stage"), e))
                    (input("reached-on", "Date reached", field(f, "reached-on"), e, Input { hint: Some("As YYYY-MM-DD, for example 2026-11-30"), width: Some("10"), ..Default::default() }))
                    (button("Record stage"))
                }
                h2 class="govuk-heading-m" { "Portal" }
                form method="post" action={ "/calls/staff/" (est) "/settings" } novalidate {
                    (csrf(&c.csrf))
                    (ui::radios("mode", "How calls are booked", &[
                        ("family".into(), Mode::Family.label().into(), None),
                        ("prisoner".into(), Mode::Prisoner.label().into(), None),
                    ], field(f, "mode"), e))
                    (ui::radios("call-minutes", "Call length", &[
                        ("30".into(), "30 minutes".into(), None),
                        ("60".into(), "60 minutes".into(), None),
                    ], field(f, "call-minutes"), e))
                    (num("capacity", "Calls at once", "The number of laptops or booths"))
                    (num("window-days", "Booking window in days", "How far ahead families can book"))
                    (num("notice", "Notice in working days", "How much notice a booking needs"))
                    (num("monthly-minutes", "Monthly allowance in minutes", "60 allows two 30-minute calls or one 60-minute call"))
                    (num("cutoff", "Cancellation cut-off in hours", "Families cannot cancel online after this"))
                    (button("Save settings"))
                }
                h2 class="govuk-heading-m" { "Weekly call times" }
                @if times.is_empty() { p class="govuk-body" { "None yet." } }
                @for t in &times {
                    form method="post" action={ "/calls/staff/" (est) "/times" } novalidate class="govuk-!-margin-bottom-2" {
                        (csrf(&c.csrf))
                        input type="hidden" name="remove" value=(t.id);
                        span class="govuk-body" { (portal::WEEKDAYS[(t.weekday - 1) as usize]) "s at " (t.start) " " }
                        button type="submit" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" data-module="govuk-button" { "Remove" span class="govuk-visually-hidden" { " " (portal::WEEKDAYS[(t.weekday - 1) as usize]) " " (t.start) } }
                    }
                }
                form method="post" action={ "/calls/staff/" (est) "/times" } novalidate {
                    (csrf(&c.csrf))
                    (ui::select("weekday", "Day", None, &weekday_options, field(f, "weekday"), e))
                    (input("start", "Start time", field(f, "start"), e, Input { hint: Some("24-hour clock, for example 14:00"), width: Some("5"), ..Default::default() }))
                    (button("Add call time"))
                }
                h2 class="govuk-heading-m" { "Closed dates" }
                ul class="govuk-list" { @for (d, r) in &closed { li { (d.format("%A %-d %B %Y")) ": " (r) } } }
                form method="post" action={ "/calls/staff/" (est) "/closed" } novalidate {
                    (csrf(&c.csrf))
                    (input("closed-date", "Date", field(f, "closed-date"), e, Input { hint: Some("As YYYY-MM-DD"), width: Some("10"), ..Default::default() }))
                    (input("closed-reason", "Reason", field(f, "closed-reason"), e, Input::default()))
                    (button("Close date"))
                }
            } }
        },
    ))
}

/// The settings page again after one of its forms was refused: the saved
/// settings, with what was typed in the refused form over them.
async fn settings_again(
    st: &Calls,
    sess: &Sess,
    est: &str,
    typed: ui::Fields,
    e: &Errors,
) -> platform::Result<Response> {
    let p = portal::get(&st.db, est).await?;
    let mut all = settings_fields(&p.settings);
    all.extend(typed);
    settings_page(st, sess, est, &all, e).await
}

async fn settings_form(State(st): State<Calls>, sess: Sess, Path(est): Path<String>) -> Page {
    require!(admin_at(&sess, &est));
    let p = portal::get(&st.db, &est).await?;
    Ok(settings_page(
        &st,
        &sess,
        &est,
        &settings_fields(&p.settings),
        &Errors::default(),
    )
    .await?)
}

async fn settings_post(
    State(st): State<Calls>,
    sess: Sess,
    Path(est): Path<String>,
    FormIn(f): FormIn,
) -> Page {
    let u = require!(admin_at(&sess, &est));
    let mut e = Errors::default();
    let n = |name: &str, e: &mut Errors, msg: &str| -> i64 {
        field(&f, name).trim().parse::<i64>().unwrap_or_else(|_| {
            e.add(name, msg);
            -1
        })
    };
    let mode = Mode::parse(field(&f, "mode"));
    if mode.is_none() {
        e.add("mode", "Choose how calls are booked");
    }
    let s = Settings {
        mode: mode.unwrap_or(Mode::Family),
        call_minutes: n("call-minutes", &mut e, "Choose the call length"),
        capacity: n("capacity", &mut e, "Enter calls at once as a whole number"),
        window_days: n(
            "window-days",
            &mut e,
            "Enter the booking window as a whole number of days",
        ),
        min_notice_working_days: n(
            "notice",
            &mut e,
            "Enter the notice as a whole number of working days",
        ),
        monthly_minutes: n(
            "monthly-minutes",
            &mut e,
            "Enter the monthly allowance as a whole number of minutes",
        ),
        cancel_cutoff_hours: n(
            "cutoff",
            &mut e,
            "Enter the cut-off as a whole number of hours",
        ),
    };
    if e.is_empty() {
        for (field, msg) in s.problems() {
            e.add(field, msg);
        }
    }
    if !e.is_empty() {
        return Ok(settings_page(&st, &sess, &est, &f, &e).await?);
    }
    portal::update(
        &st.db,
        &est,
        &s,
        &Line {
            actor: &u.id,
            action: "calls.settings",
            subject: &est,
            detail: format!("{s:?}"),
        },
    )
    .await?;
    sess.update(|x| x.notice = Some("Settings saved".into()));
    Ok(see_other(&format!("/calls/staff/{est}/settings")))
}

async fn times_post(
    State(st): State<Calls>,
    sess: Sess,
    Path(est): Path<String>,
    FormIn(f): FormIn,
) -> Page {
    let u = require!(admin_at(&sess, &est));
    let line = |detail: String| Line {
        actor: &u.id,
        action: "calls.times",
        subject: &est,
        detail,
    };
    let remove = field(&f, "remove");
    let result = if !remove.is_empty() {
        portal::remove_weekly(&st.db, &est, remove, &line(format!("removed {remove}"))).await
    } else {
        let weekday = field(&f, "weekday").parse::<i64>().unwrap_or(0);
        portal::add_weekly(
            &st.db,
            &est,
            weekday,
            field(&f, "start"),
            &line(format!("added {weekday} {}", field(&f, "start"))),
        )
        .await
    };
    match result {
        Ok(()) => {
            sess.update(|x| x.notice = Some("Call times saved".into()));
            Ok(see_other(&format!("/calls/staff/{est}/settings")))
        }
        Err(Error::Conflict(m)) => {
            let mut e = Errors::default();
            let fld = if m.contains("day") {
                "weekday"
            } else {
                "start"
            };
            e.add(fld, forms::capital(&m));
            Ok(settings_again(&st, &sess, &est, f, &e).await?)
        }
        Err(other) => Err(other.into()),
    }
}

async fn closed_post(
    State(st): State<Calls>,
    sess: Sess,
    Path(est): Path<String>,
    FormIn(f): FormIn,
) -> Page {
    let u = require!(admin_at(&sess, &est));
    let mut e = Errors::default();
    let date = NaiveDate::parse_from_str(field(&f, "closed-date").trim(), "%Y-%m-%d").ok();
    match date {
        None => e.add(
            "closed-date",
            "Enter the date as YYYY-MM-DD, for example 2026-12-25",
        ),
        Some(d) if d < st.clock.today() => {
            e.add("closed-date", "The date must be today or in the future")
        }
        _ => {}
    }
    if field(&f, "closed-reason").trim().is_empty() {
        e.add("closed-reason", "Enter the reason the date is closed");
    }
    if let (Some(d), true) = (date, e.is_empty()) {
        match portal::close_date(
            &st.db,
            &est,
            d,
            field(&f, "closed-reason"),
            &Line {
                actor: &u.id,
                action: "calls.closed",
                subject: &est,
                detail: d.to_string(),
            },
        )
        .await
        {
            Ok(()) => {
                sess.update(|x| x.notice = Some(format!("No calls on {}", d.format("%-d %B %Y"))));
                return Ok(see_other(&format!("/calls/staff/{est}/settings")));
            }
            Err(Error::Conflict(m)) => e.add("closed-date", forms::capital(&m)),
            Err(other) => return Err(other.into()),
        }
    }
    Ok(settings_again(&st, &sess, &est, f, &e).await?)
}

async fn rollout_post(
    State(st): State<Calls>,
    sess: Sess,
    Path(est): Path<String>,
    FormIn(f): FormIn,
) -> Page {
    let u = require!(admin_at(&sess, &est));
    let mut e = Errors::default();
    let stage = Stage::parse(field(&f, "stage")).filter(|s| *s != Stage::NotStarted);
    if stage.is_none() {
        e.add("stage", "Choose the stage reached");
    }
    let on = NaiveDate::parse_from_str(field(&f, "reached-on").trim(), "%Y-%m-%d").ok();
    if on.is_none() {
        e.add(
            "reached-on",
            "Enter the date as YYYY-MM-DD, for example 2026-11-30",
        );
    }
    if let (Some(stage), Some(on), true) = (stage, on, e.is_empty()) {
        match rollout::record(&st.db, &est, stage, on, st.clock.today(), &u.id).await {
            Ok(()) => {
                sess.update(|x| x.notice = Some(format!("Stage recorded: {}", stage.label())));
                return Ok(see_other(&format!("/calls/staff/{est}/settings")));
            }
            Err(Error::Conflict(m)) => e.add("reached-on", forms::capital(&m)),
            Err(other) => return Err(other.into()),
        }
    }
    Ok(settings_again(&st, &sess, &est, f, &e).await?)
}
