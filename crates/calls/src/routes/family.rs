//! Families' pages: the caller profile, proving who they are, asking to
//! be approved for a prisoner, each prison's portal and booking, and their
//! calls.

use axum::extract::{Multipart, Path, Query, State};
use axum::response::Response;
use maud::html;
use platform::contacts;
use platform::require;
use platform::rules::{Routes, Rule};
use platform::web::{FormIn, Page, Sess, read_upload, see_other};
use platform::workflow::{State as _, Who};
use platform::{Actor, Error};
use ui::forms::{self, Errors, get as field};
use ui::{Input, back, button, csrf, date_input, error_summary, input, summary_list, textarea};

use super::SERVICE;
use super::{call_tag, user};
use crate::Calls;
use crate::booking::{self, NewCall};
use crate::callers::{self, AutoCheck, Caller, Profile};
use crate::portal::{self, Mode};
use crate::workflow::{CALL, CallerStatus};

pub(super) fn routes() -> Routes<Calls> {
    use Rule::{Public, Visitor};
    Routes::new()
        .get("/calls", Visitor, home)
        .get_post("/calls/profile", Visitor, profile_form, profile_post)
        .get_post("/calls/approval", Visitor, approval_form, approval_post)
        .get("/calls/prisons/{establishment}", Public, portal_page)
        .get_post(
            "/calls/prisons/{establishment}/book",
            Visitor,
            book_form,
            book_post,
        )
        .get("/calls/call/{reference}", Visitor, call_page)
        .post("/calls/call/{reference}/{action}", Visitor, call_move)
}

/// The identity upload, which takes two photos.
pub(super) fn upload_routes() -> Routes<Calls> {
    Routes::new().get_post(
        "/calls/identity",
        Rule::Visitor,
        identity_form,
        identity_post,
    )
}

fn actor(u: &platform::sessions::SessionUser) -> Actor {
    u.actor()
}

async fn home(State(st): State<Calls>, sess: Sess) -> Page {
    let u = require!(user(&sess));
    let c = sess.ctx(&st).in_service(SERVICE, "/calls");
    let caller = callers::of_account(&st.db, &u.id).await?;
    let approvals = contacts::approvals_of(&st.db, &u.id).await?;
    let requests = match &caller {
        Some(k) => callers::requests_of(&st.db, &k.id).await?,
        None => Vec::new(),
    };
    let calls = booking::of_caller(&st.db, &u.id).await?;
    let today = st.clock.today();
    let this_month = booking::month_of(today);
    let next_month = booking::month_of(
        today
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(today),
    );
    let mut allowances = Vec::new();
    for (p, _) in &approvals {
        if let Ok(portal) = portal::get(&st.db, &p.establishment_id).await {
            let m = portal.settings.monthly_minutes;
            let a = booking::allowance(&st.db, &p.id, &this_month, m).await?;
            let b = booking::allowance(&st.db, &p.id, &next_month, m).await?;
            allowances.push((p.clone(), portal, a, b));
        }
    }
    let month_name = |d: chrono::NaiveDate| d.format("%B").to_string();
    let next_name = month_name(
        today
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(today),
    );
    let status = caller.as_ref().map(|k| k.status);
    Ok(c.page(
        "Video calls",
        &Errors::default(),
        html! {
            h1 class="govuk-heading-l" { "Video calls" }
            @match (&caller, status) {
                (None, _) => {
                    p class="govuk-body" { "To have video calls with someone in prison you need to tell us who you are, prove it with a photo of your photo ID and a selfie, and be approved by the prison." }
                    a class="govuk-button" href="/calls/profile" { "Start" }
                }
                (Some(_), Some(CallerStatus::Unverified)) => {
                    p class="govuk-body" { "Next, prove your identity with a photo of your photo ID and a selfie." }
                    a class="govuk-button" href="/calls/identity" { "Prove your identity" }
                }
                (Some(_), Some(CallerStatus::Submitted)) => {
                    div class="govuk-inset-text" { "We are checking your identity. We will email you when it is done, usually within 2 working days." }
                }
                (Some(k), Some(CallerStatus::Refused)) => {
                    div class="govuk-warning-text" {
                        span class="govuk-warning-text__icon" aria-hidden="true" { "!" }
                        strong class="govuk-warning-text__text" {
                            span class="govuk-visually-hidden" { "Warning" }
                            "We could not verify your identity: " (k.decision_reason.clone().unwrap_or_default())
                        }
                    }
                    a class="govuk-button" href="/calls/identity" { "Send new photos" }
                }
                _ => {}
            }
            @if status == Some(CallerStatus::Verified) {
                p class="govuk-body" { (ui::tag("govuk-tag--green", "Identity verified")) }
                h2 class="govuk-heading-m" { "People you can call" }
                @if allowances.is_empty() {
                    p class="govuk-body" { "You are not approved to call anyone yet." }
                } @else {
                    table class="govuk-table" {
                        thead class="govuk-table__head" { tr class="govuk-table__row" {
                            th scope="col" class="govuk-table__header" { "Name" }
                            th scope="col" class="govuk-table__header" { "Prison" }
                            th scope="col" class="govuk-table__header" { "Left in " (month_name(today)) }
                            th scope="col" class="govuk-table__header" { "Left in " (next_name) }
                            th scope="col" class="govuk-table__header" { span class="govuk-visually-hidden" { "Action" } }
                        } }
                        tbody class="govuk-table__body" {
                            @for (p, portal, a, b) in &allowances {
                                tr class="govuk-table__row" {
                                    td class="govuk-table__cell" { (p.name) }
                                    td class="govuk-table__cell" { (portal.name) }
                                    td class="govuk-table__cell" { (a.remaining()) " of " (a.limit) " minutes" }
                                    td class="govuk-table__cell" { (b.remaining()) " of " (b.limit) " minutes" }
                                    td class="govuk-table__cell" {
                                        @if !portal.live {
                                            "Calls not available yet"
                                        } @else if portal.settings.mode == Mode::Prisoner {
                                            (p.name) " asks for calls; you confirm them here"
                                        } @else {
                                            a class="govuk-link" href={ "/calls/prisons/" (portal.establishment_id) "/book?prisoner=" (p.id) } { "Book a call" span class="govuk-visually-hidden" { " with " (p.name) } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                a class="govuk-button govuk-button--secondary" href="/calls/approval" { "Ask to be approved to call someone" }
                @if !requests.is_empty() {
                    h2 class="govuk-heading-m" { "Your requests" }
                    ul class="govuk-list" {
                        @for r in &requests {
                            li { (r.prisoner_name) " (" (r.prison_number) "): " (r.status.label())
                                @if let Some(reason) = &r.reason { " – " (reason) } }
                        }
                    }
                }
            }
            @if !calls.is_empty() {
                h2 class="govuk-heading-m" { "Your calls" }
                table class="govuk-table" {
                    thead class="govuk-table__head" { tr class="govuk-table__row" {
                        th scope="col" class="govuk-table__header" { "When" }
                        th scope="col" class="govuk-table__header" { "With" }
                        th scope="col" class="govuk-table__header" { "Status" }
                    } }
                    tbody class="govuk-table__body" {
                        @for k in &calls {
                            tr class="govuk-table__row" {
                                td class="govuk-table__cell" { a class="govuk-link" href={ "/calls/call/" (k.reference) } { (k.when()) } }
                                td class="govuk-table__cell" { (k.prisoner) ", " (k.establishment) }
                                td class="govuk-table__cell" { (call_tag(k.status)) }
                            }
                        }
                    }
                }
            }
            @if caller.is_some() {
                p class="govuk-body" { a class="govuk-link" href="/calls/profile" { "Change your details" } }
            }
        },
    ))
}

fn profile_fields(k: &Caller) -> ui::Fields {
    let mut f = ui::Fields::new();
    f.insert("name".into(), k.name.clone());
    f.insert("dob-day".into(), k.dob.format("%-d").to_string());
    f.insert("dob-month".into(), k.dob.format("%-m").to_string());
    f.insert("dob-year".into(), k.dob.format("%Y").to_string());
    f.insert("address".into(), k.address.clone());
    f.insert("phone".into(), k.phone.clone());
    f
}

fn profile_page(st: &Calls, sess: &Sess, f: &ui::Fields, e: &Errors, locked: bool) -> Response {
    let c = sess.ctx(st).in_service(SERVICE, "/calls");
    c.page(
        "Your details",
        e,
        html! {
            (back("/calls"))
            div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                (error_summary(e))
                h1 class="govuk-heading-l" { "Your details" }
                p class="govuk-body" { "Give your name and date of birth exactly as they appear on your photo ID." }
                form method="post" action="/calls/profile" novalidate {
                    (csrf(&c.csrf))
                    @if locked {
                        (summary_list(&[
                            ("Full name".into(), html! { (field(f, "name")) }, None),
                            ("Date of birth".into(), html! { (field(f, "dob-day")) "/" (field(f, "dob-month")) "/" (field(f, "dob-year")) }, None),
                        ]))
                        p class="govuk-hint" { "Your name and date of birth were checked against your ID and cannot be changed here." }
                        input type="hidden" name="name" value=(field(f, "name"));
                        input type="hidden" name="dob-day" value=(field(f, "dob-day"));
                        input type="hidden" name="dob-month" value=(field(f, "dob-month"));
                        input type="hidden" name="dob-year" value=(field(f, "dob-year"));
                    } @else {
                        (input("name", "Full name", field(f, "name"), e, Input { autocomplete: Some("name"), ..Default::default() }))
                        (date_input("dob", "Date of birth", "For example, 27 3 1985", f, e, true))
                    }
                    (textarea("address", "Address", "Your home address, including the postcode", field(f, "address"), e))
                    (input("phone", "Phone number", field(f, "phone"), e, Input { kind: Some("tel"), autocomplete: Some("tel"), width: Some("20"), ..Default::default() }))
                    (button("Save and continue"))
                }
            } }
        },
    )
}

async fn profile_form(State(st): State<Calls>, sess: Sess) -> Page {
    let u = require!(user(&sess));
    let k = callers::of_account(&st.db, &u.id).await?;
    let mut f = k.as_ref().map(profile_fields).unwrap_or_default();
    if k.is_none() {
        f.insert("name".into(), u.name.clone());
    }
    let locked = k
        .as_ref()
        .is_some_and(|k| matches!(k.status, CallerStatus::Submitted | CallerStatus::Verified));
    Ok(profile_page(&st, &sess, &f, &Errors::default(), locked))
}

async fn profile_post(State(st): State<Calls>, sess: Sess, FormIn(f): FormIn) -> Page {
    let u = require!(user(&sess));
    let existing = callers::of_account(&st.db, &u.id).await?;
    let locked = existing
        .as_ref()
        .is_some_and(|k| matches!(k.status, CallerStatus::Submitted | CallerStatus::Verified));
    let today = st.clock.today();
    let mut e = Errors::default();
    let name = forms::name(field(&f, "name"), "name", "your full name", &mut e);
    let dob = forms::date_of_birth(&f, "dob", "your date of birth", today, &mut e);
    let address = forms::required_text(
        field(&f, "address"),
        "address",
        "your address",
        "Enter your address",
        &mut e,
    );
    let phone = forms::phone(field(&f, "phone"), "phone", &mut e);
    if let Some(d) = dob
        && callers::age(d, today) < 18
        && existing.is_none()
    {
        e.add(
            "dob",
            "You must be 18 or over to set up video calls. A child can join a call with an approved adult",
        );
    }
    let (Some(name), Some(dob), Some(address), Some(phone), true) =
        (name, dob, address, phone, e.is_empty())
    else {
        return Ok(profile_page(&st, &sess, &f, &e, locked));
    };
    callers::save_profile(
        &st.db,
        &u.id,
        &Profile {
            name,
            dob,
            address,
            phone,
        },
        &actor(&u),
    )
    .await?;
    let next = match existing.map(|k| k.status) {
        None | Some(CallerStatus::Unverified) => "/calls/identity",
        _ => "/calls",
    };
    sess.update(|s| s.notice = Some("Your details are saved".into()));
    Ok(see_other(next))
}

fn identity_page(st: &Calls, sess: &Sess, e: &Errors, offer_anyway: bool) -> Response {
    let c = sess.ctx(st).in_service(SERVICE, "/calls");
    let max_mb = st.config().max_upload_bytes / (1024 * 1024);
    let file = |name: &str, label: &str, hint: &str, capture: Option<&str>| {
        let error = e.get(name);
        html! {
            div class={ "govuk-form-group" @if error.is_some() { " govuk-form-group--error" } } {
                label class="govuk-label govuk-label--m" for=(name) { (label) }
                div id={ (name) "-hint" } class="govuk-hint" { (hint) }
                @if let Some(m) = error {
                    p id={ (name) "-error" } class="govuk-error-message" { span class="govuk-visually-hidden" { "Error:" } " " (m) }
                }
                input class={ "govuk-file-upload" @if error.is_some() { " govuk-file-upload--error" } } id=(name) name=(name) type="file"
                    accept="image/jpeg,image/png" capture=[capture]
                    aria-describedby={ (name) "-hint" @if error.is_some() { " " (name) "-error" } };
            }
        }
    };
    c.page(
        "Prove your identity",
        e,
        html! {
            (back("/calls"))
            div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                (error_summary(e))
                h1 class="govuk-heading-l" { "Prove your identity" }
                p class="govuk-body" { "Send a photo of your passport, photocard driving licence or other government photo ID, and a photo of your face taken now. We compare the two, and a member of staff checks your name and date of birth against your ID." }
                p class="govuk-body" { "We keep the photos for 30 days after the check, then delete them. We keep a record of your face's features so that calls can check it is you." }
                form method="post" action="/calls/identity" enctype="multipart/form-data" novalidate {
                    (csrf(&c.csrf))
                    (file("id-photo", "Photo of your ID", &format!("A JPEG or PNG photo of the page with your photo on it, smaller than {max_mb}MB. Make sure the whole document is in view and in focus."), Some("environment")))
                    (file("selfie", "Photo of your face", &format!("Face the camera in good light, with nothing covering your face. A JPEG or PNG smaller than {max_mb}MB."), Some("user")))
                    @if offer_anyway {
                        div class="govuk-form-group" {
                            div class="govuk-checkboxes" data-module="govuk-checkboxes" {
                                div class="govuk-checkboxes__item" {
                                    input class="govuk-checkboxes__input" id="send-anyway" name="send-anyway" type="checkbox" value="yes";
                                    label class="govuk-label govuk-checkboxes__label" for="send-anyway" { "My photos are right: send them for a member of staff to check" }
                                }
                            }
                        }
                    }
                    (button("Send photos"))
                }
            } }
        },
    )
}

async fn identity_form(State(st): State<Calls>, sess: Sess) -> Page {
    let u = require!(user(&sess));
    match callers::of_account(&st.db, &u.id).await? {
        None => Ok(see_other("/calls/profile")),
        Some(k) if matches!(k.status, CallerStatus::Submitted | CallerStatus::Verified) => {
            Ok(see_other("/calls"))
        }
        Some(_) => Ok(identity_page(&st, &sess, &Errors::default(), false)),
    }
}

/// The automatic check of two photos: `Err` with the fields' errors when
/// an image cannot be used (nothing is kept then), unless the caller asked
/// for a person to check photos whose faces the engine could not use.
async fn auto_check(
    st: &Calls,
    id: Vec<u8>,
    selfie: Vec<u8>,
    anyway: bool,
) -> platform::Result<Result<AutoCheck, (Errors, bool)>> {
    let engine = st.engine()?;
    let (a, b) =
        tokio::task::spawn_blocking(move || (engine.analyse(&id), engine.analyse(&selfie)))
            .await
            .map_err(|e| Error::Config(format!("the face check stopped: {e}")))?;
    let mut e = Errors::default();
    let (a, b) = match (a, b) {
        (Ok(a), Ok(b)) => (a, b),
        (a, b) => {
            if let Err(err) = a {
                e.add(
                    "id-photo",
                    format!("The photo of your ID cannot be used: {err}"),
                );
            }
            if let Err(err) = b {
                e.add(
                    "selfie",
                    format!("The photo of your face cannot be used: {err}"),
                );
            }
            return Ok(Err((e, false)));
        }
    };
    let id_face = face::single_face(&a);
    let selfie_face = face::single_face(&b);
    let descriptor = selfie_face.as_ref().ok().map(|f| f.descriptor.to_bytes());
    match (&id_face, &selfie_face) {
        (Ok(_), Ok(_)) => {
            let cmp = face::compare(&a, &b).map_err(|r| Error::Config(r.to_string()))?;
            let outcome = if cmp.matched {
                format!(
                    "The faces match (distance {:.3}; they match below {:.2})",
                    cmp.distance,
                    face::MATCH_THRESHOLD
                )
            } else {
                format!(
                    "The faces do not match (distance {:.3}; they match below {:.2})",
                    cmp.distance,
                    face::MATCH_THRESHOLD
                )
            };
            Ok(Ok(AutoCheck {
                outcome,
                distance: Some(cmp.distance as f64),
                descriptor,
            }))
        }
        _ => {
            let mut words = Vec::new();
            if let Err(r) = &id_face {
                e.add("id-photo", format!("Photo of your ID: {r}"));
                words.push(format!("ID photo: {r}"));
            }
            if let Err(r) = &selfie_face {
                e.add("selfie", format!("Photo of your face: {r}"));
                words.push(format!("selfie: {r}"));
            }
            if anyway {
                Ok(Ok(AutoCheck {
                    outcome: format!(
                        "Not compared, sent for a person to check: {}",
                        words.join("; ")
                    ),
                    distance: None,
                    descriptor,
                }))
            } else {
                Ok(Err((e, true)))
            }
        }
    }
}

async fn identity_post(State(st): State<Calls>, sess: Sess, mp: Multipart) -> Page {
    let u = require!(user(&sess));
    let Some(k) = callers::of_account(&st.db, &u.id).await? else {
        return Ok(see_other("/calls/profile"));
    };
    if !matches!(k.status, CallerStatus::Unverified | CallerStatus::Refused) {
        return Ok(see_other("/calls"));
    }
    let max = st.config().max_upload_bytes;
    let up = match read_upload(&sess, max, mp, &["id-photo", "selfie"]).await {
        Ok(up) => up,
        Err(r) => return Ok(r),
    };
    let mut e = Errors::default();
    if up.too_large {
        e.add(
            "id-photo",
            format!("Each photo must be smaller than {}MB", max / (1024 * 1024)),
        );
        return Ok(identity_page(&st, &sess, &e, false));
    }
    let file = |name: &str, label: &str, e: &mut Errors| match up.files.get(name) {
        Some((_, b)) if !b.is_empty() => Some(b.clone()),
        _ => {
            e.add(name, format!("Select a {label}"));
            None
        }
    };
    let id = file("id-photo", "photo of your ID", &mut e);
    let selfie = file("selfie", "photo of your face", &mut e);
    let (Some(id), Some(selfie)) = (id, selfie) else {
        return Ok(identity_page(&st, &sess, &e, false));
    };
    let anyway = field(&up.fields, "send-anyway") == "yes";
    let check = match auto_check(&st, id.clone(), selfie.clone(), anyway).await? {
        Ok(c) => c,
        Err((e, offer)) => return Ok(identity_page(&st, &sess, &e, offer)),
    };
    callers::submit_documents(&st.db, st.master(), &k.id, &id, &selfie, &check, &actor(&u)).await?;
    sess.update(|s| {
        s.notice =
            Some("Your photos are sent. We will email you when your identity is checked".into())
    });
    Ok(see_other("/calls"))
}

fn approval_page(
    st: &Calls,
    sess: &Sess,
    f: &ui::Fields,
    e: &Errors,
    ests: &[(String, String)],
) -> Response {
    let c = sess.ctx(st).in_service(SERVICE, "/calls");
    c.page(
        "Ask to be approved to call someone",
        e,
        html! {
            (back("/calls"))
            div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                (error_summary(e))
                h1 class="govuk-heading-l" { "Ask to be approved to call someone" }
                p class="govuk-body" { "The prison checks that the person wants calls with you and that you can be approved. They will email you." }
                form method="post" action="/calls/approval" novalidate {
                    (csrf(&c.csrf))
                    (ui::select("establishment", "Prison", None, ests, field(f, "establishment"), e))
                    (input("prisoner-name", "Their full name", field(f, "prisoner-name"), e, Input::default()))
                    (input("prison-number", "Their prison number", field(f, "prison-number"), e, Input { hint: Some("For example, A1234BC"), width: Some("10"), spellcheck_off: true, ..Default::default() }))
                    (input("relationship", "Your relationship to them", field(f, "relationship"), e, Input { hint: Some("For example, mother, partner, friend"), width: Some("20"), ..Default::default() }))
                    (button("Send request"))
                }
            } }
        },
    )
}

async fn establishment_options(st: &Calls) -> platform::Result<Vec<(String, String)>> {
    let mut v = vec![(String::new(), "Choose a prison".to_owned())];
    v.extend(
        st.establishments()
            .await?
            .iter()
            .map(|e| (e.id.clone(), e.name.clone())),
    );
    Ok(v)
}

async fn verified_caller(st: &Calls, account: &str) -> platform::Result<Option<Caller>> {
    Ok(callers::of_account(&st.db, account)
        .await?
        .filter(|k| k.status == CallerStatus::Verified))
}

async fn approval_form(State(st): State<Calls>, sess: Sess) -> Page {
    let u = require!(user(&sess));
    if verified_caller(&st, &u.id).await?.is_none() {
        return Ok(see_other("/calls"));
    }
    let ests = establishment_options(&st).await?;
    Ok(approval_page(
        &st,
        &sess,
        &ui::Fields::new(),
        &Errors::default(),
        &ests,
    ))
}

async fn approval_post(State(st): State<Calls>, sess: Sess, FormIn(f): FormIn) -> Page {
    let u = require!(user(&sess));
    let Some(k) = verified_caller(&st, &u.id).await? else {
        return Ok(see_other("/calls"));
    };
    let ests = establishment_options(&st).await?;
    let mut e = Errors::default();
    let est = field(&f, "establishment");
    if est.is_empty() || !ests.iter().any(|(id, _)| id == est) {
        e.add("establishment", "Choose the prison they are in");
    }
    let name = forms::name(
        field(&f, "prisoner-name"),
        "prisoner-name",
        "their full name",
        &mut e,
    );
    let number = forms::prisoner_number(field(&f, "prison-number"), "prison-number", &mut e);
    let relationship = forms::required_text(
        field(&f, "relationship"),
        "relationship",
        "your relationship",
        "Enter your relationship to them",
        &mut e,
    );
    let (Some(name), Some(number), Some(relationship), true) =
        (name, number, relationship, e.is_empty())
    else {
        return Ok(approval_page(&st, &sess, &f, &e, &ests));
    };
    match callers::request_contact(&st.db, &k, est, &number, &name, &relationship, &actor(&u)).await
    {
        Ok(_) => {}
        Err(Error::Conflict(m)) => {
            e.add("prison-number", forms::capital(&m));
            return Ok(approval_page(&st, &sess, &f, &e, &ests));
        }
        Err(other) => return Err(other.into()),
    }
    sess.update(|s| s.notice = Some(format!("Your request to call {name} is sent to the prison")));
    Ok(see_other("/calls"))
}

/// A prison's own portal: its call times and how booking works there.
async fn portal_page(State(st): State<Calls>, sess: Sess, Path(est): Path<String>) -> Page {
    let p = portal::get(&st.db, &est).await?;
    let c = sess.ctx(&st).in_service(SERVICE, "/calls");
    let times = portal::weekly_times(&st.db, &est).await?;
    let today = st.clock.today();
    let closed = portal::closed_dates(&st.db, &est, today).await?;
    let s = &p.settings;
    Ok(c.page(
        &format!("Video calls at {}", p.name),
        &Errors::default(),
        html! {
            div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                span class="govuk-caption-l" { "Video calls" }
                h1 class="govuk-heading-l" { (p.name) }
                @if !p.live {
                    div class="govuk-inset-text" { "Video calls are not available at " (p.name) " yet. The prison is still setting them up." }
                } @else {
                    (summary_list(&[
                        ("Call length".into(), html! { (s.call_minutes) " minutes" }, None),
                        ("Allowance".into(), html! { (s.monthly_minutes) " minutes of calls a month for each prisoner" }, None),
                        ("How calls are booked".into(), html! { (s.mode.label()) }, None),
                        ("Booking".into(), html! { "From " (s.min_notice_working_days) " working days to " (s.window_days) " days ahead" }, None),
                        ("Who can be on a call".into(), html! { "Up to 4 people, all on the prisoner's approved list. The main caller must be 18 or over." }, None),
                    ]))
                    h2 class="govuk-heading-m" { "Call times" }
                    @if times.is_empty() {
                        p class="govuk-body" { "No call times are set." }
                    } @else {
                        ul class="govuk-list govuk-list--bullet" {
                            @for t in &times { li { (portal::WEEKDAYS[(t.weekday - 1) as usize]) "s at " (t.start) } }
                        }
                    }
                    @if !closed.is_empty() {
                        h2 class="govuk-heading-m" { "No calls on" }
                        ul class="govuk-list" { @for (d, r) in &closed { li { (d.format("%A %-d %B %Y")) ": " (r) } } }
                    }
                    @if s.mode == Mode::Family {
                        a class="govuk-button govuk-button--start" href={ "/calls/prisons/" (p.establishment_id) "/book" } { "Book a call" }
                    }
                }
            } }
        },
    ))
}

#[derive(serde::Deserialize, Default)]
struct Chosen {
    prisoner: Option<String>,
}

struct BookView<'a> {
    portal: &'a portal::Portal,
    prisoners: Vec<contacts::Prisoner>,
    prisoner: Option<contacts::Prisoner>,
    others: Vec<contacts::Contact>,
    slots: Vec<portal::Slot>,
    remaining: Option<i64>,
    token: String,
}

fn book_page(st: &Calls, sess: &Sess, v: &BookView, f: &ui::Fields, e: &Errors) -> Response {
    let c = sess.ctx(st).in_service(SERVICE, "/calls");
    let est = &v.portal.establishment_id;
    c.page(
        &format!("Book a video call at {}", v.portal.name),
        e,
        html! {
            (back("/calls"))
            div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                (error_summary(e))
                span class="govuk-caption-l" { (v.portal.name) }
                h1 class="govuk-heading-l" { "Book a video call" }
                @if v.prisoners.is_empty() {
                    p class="govuk-body" { "You are not approved to call anyone at " (v.portal.name) "." }
                    p class="govuk-body" { a class="govuk-link" href="/calls/approval" { "Ask to be approved to call someone" } }
                } @else if let Some(p) = &v.prisoner {
                    form method="post" action={ "/calls/prisons/" (est) "/book" } novalidate {
                        (csrf(&c.csrf))
                        input type="hidden" name="prisoner" value=(p.id);
                        input type="hidden" name="token" value=(v.token);
                        (summary_list(&[("Calling".into(), html! { (p.name) }, if v.prisoners.len() > 1 { Some(format!("/calls/prisons/{est}/book")) } else { None })]))
                        @if let Some(r) = v.remaining {
                            div class="govuk-inset-text" { (p.name) " has " (r) " minutes of calls left this month. Each call here lasts " (v.portal.settings.call_minutes) " minutes." }
                        }
                        @if !v.others.is_empty() {
                            div class="govuk-form-group" {
                                fieldset class="govuk-fieldset" aria-describedby="others-hint" {
                                    legend class="govuk-fieldset__legend govuk-fieldset__legend--m" { "Who else will be on the call?" }
                                    div id="others-hint" class="govuk-hint" { "Up to 3 more people from " (p.name) "'s approved list. Select all that apply." }
                                    @if let Some(m) = e.get("others") { p id="others-error" class="govuk-error-message" { span class="govuk-visually-hidden" { "Error:" } " " (m) } }
                                    div class="govuk-checkboxes" data-module="govuk-checkboxes" id="others" {
                                        @for (i, o) in v.others.iter().enumerate() {
                                            div class="govuk-checkboxes__item" {
                                                input class="govuk-checkboxes__input" id={ "others-" (i) } name={ "other-" (o.id) } type="checkbox" value="yes" checked[field(f, &format!("other-{}", o.id)) == "yes"];
                                                label class="govuk-label govuk-checkboxes__label" for={ "others-" (i) } { (o.name) " (" (o.relationship) ")" }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                        @if v.slots.is_empty() {
                            p class="govuk-body" { "There are no call times left to book in the next " (v.portal.settings.window_days) " days." }
                        } @else {
                            (slot_choice(&v.slots, field(f, "slot"), e))
                            (button("Book call"))
                        }
                    }
                } @else {
                    form method="get" action={ "/calls/prisons/" (est) "/book" } novalidate {
                        (ui::radios("prisoner", "Who do you want to call?", &v.prisoners.iter().map(|p| (p.id.clone(), p.name.clone(), None)).collect::<Vec<_>>(), "", e))
                        (button("Continue"))
                    }
                }
            } }
        },
    )
}

/// The times on offer as radios grouped under each day's heading.
fn slot_choice(slots: &[portal::Slot], selected: &str, e: &Errors) -> maud::Markup {
    let error = e.get("slot");
    let mut days: Vec<(chrono::NaiveDate, Vec<&portal::Slot>)> = Vec::new();
    for s in slots {
        match days.last_mut() {
            Some((d, list)) if *d == s.date => list.push(s),
            _ => days.push((s.date, vec![s])),
        }
    }
    html! {
        div class={ "govuk-form-group" @if error.is_some() { " govuk-form-group--error" } } {
            fieldset class="govuk-fieldset" aria-describedby=[error.map(|_| "slot-error")] {
                legend class="govuk-fieldset__legend govuk-fieldset__legend--m" { "Choose a time" }
                @if let Some(m) = error {
                    p id="slot-error" class="govuk-error-message" { span class="govuk-visually-hidden" { "Error:" } " " (m) }
                }
                div {
                    @for (i, (day, list)) in days.iter().enumerate() {
                        h3 class="govuk-heading-s govuk-!-margin-top-4 govuk-!-margin-bottom-2" { (day.format("%A %-d %B")) }
                        div class="govuk-radios govuk-radios--small" data-module="govuk-radios" {
                            @for (j, s) in list.iter().enumerate() {
                                @let value = format!("{}|{}", s.date, s.start);
                                @let id = if i == 0 && j == 0 { "slot".to_owned() } else { format!("slot-{i}-{j}") };
                                div class="govuk-radios__item" {
                                    input class="govuk-radios__input" id=(id) name="slot" type="radio" value=(value) checked[value == selected];
                                    label class="govuk-label govuk-radios__label" for=(id) {
                                        (s.start) " to " (s.end)
                                        span class="govuk-visually-hidden" { ", " (day.format("%A %-d %B %Y")) }
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

async fn book_view<'a>(
    st: &Calls,
    account: &str,
    p: &'a portal::Portal,
    prisoner: Option<&str>,
) -> platform::Result<BookView<'a>> {
    let today = st.clock.today();
    let mine: Vec<_> = contacts::approvals_of(&st.db, account)
        .await?
        .into_iter()
        .filter(|(pr, c)| pr.establishment_id == p.establishment_id && c.approved_on(today))
        .map(|(pr, _)| pr)
        .collect();
    let chosen = match prisoner {
        Some(id) => mine.iter().find(|pr| pr.id == id).cloned(),
        None if mine.len() == 1 => mine.first().cloned(),
        None => None,
    };
    let (others, remaining) = match &chosen {
        Some(pr) => {
            let others = contacts::contacts_of(&st.db, &pr.id)
                .await?
                .into_iter()
                .filter(|c| c.account_id.as_deref() != Some(account) && c.approved_on(today))
                .collect();
            let a = booking::allowance(
                &st.db,
                &pr.id,
                &booking::month_of(today),
                p.settings.monthly_minutes,
            )
            .await?;
            (others, Some(a.remaining()))
        }
        None => (Vec::new(), None),
    };
    Ok(BookView {
        portal: p,
        prisoners: mine,
        prisoner: chosen,
        others,
        slots: portal::bookable(&st.db, p, today).await?,
        remaining,
        token: platform::ids::random_token(16),
    })
}

async fn live_portal(st: &Calls, est: &str) -> platform::Result<Result<portal::Portal, Response>> {
    let p = portal::get(&st.db, est).await?;
    if !p.live || p.settings.mode != Mode::Family {
        return Ok(Err(see_other(&format!("/calls/prisons/{est}"))));
    }
    Ok(Ok(p))
}

async fn book_form(
    State(st): State<Calls>,
    sess: Sess,
    Path(est): Path<String>,
    Query(q): Query<Chosen>,
) -> Page {
    let u = require!(user(&sess));
    if verified_caller(&st, &u.id).await?.is_none() {
        return Ok(see_other("/calls"));
    }
    let p = match live_portal(&st, &est).await? {
        Ok(p) => p,
        Err(r) => return Ok(r),
    };
    let v = book_view(&st, &u.id, &p, q.prisoner.as_deref()).await?;
    Ok(book_page(
        &st,
        &sess,
        &v,
        &ui::Fields::new(),
        &Errors::default(),
    ))
}

async fn book_post(
    State(st): State<Calls>,
    sess: Sess,
    Path(est): Path<String>,
    FormIn(f): FormIn,
) -> Page {
    let u = require!(user(&sess));
    let Some(me) = verified_caller(&st, &u.id).await? else {
        return Ok(see_other("/calls"));
    };
    let p = match live_portal(&st, &est).await? {
        Ok(p) => p,
        Err(r) => return Ok(r),
    };
    let mut v = book_view(&st, &u.id, &p, Some(field(&f, "prisoner"))).await?;
    let Some(prisoner) = v.prisoner.clone() else {
        let mut e = Errors::default();
        e.add("prisoner", "Choose who you want to call");
        return Ok(book_page(&st, &sess, &v, &f, &e));
    };
    if !field(&f, "token").is_empty() {
        v.token = field(&f, "token").chars().take(64).collect();
    }
    let mut e = Errors::default();
    let others: Vec<contacts::Contact> = v
        .others
        .iter()
        .filter(|o| field(&f, &format!("other-{}", o.id)) == "yes")
        .cloned()
        .collect();
    if others.len() > booking::MAX_CALLERS - 1 {
        e.add(
            "others",
            format!(
                "A call can have up to {} people on it, including you. Choose up to {} more",
                booking::MAX_CALLERS,
                booking::MAX_CALLERS - 1
            ),
        );
    }
    let slot = field(&f, "slot").split_once('|').and_then(|(d, s)| {
        Some((
            chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()?,
            s.to_owned(),
        ))
    });
    if slot.is_none() {
        e.add("slot", "Choose a time for the call");
    }
    let (Some((date, start)), true) = (slot, e.is_empty()) else {
        return Ok(book_page(&st, &sess, &v, &f, &e));
    };
    let new = NewCall {
        portal: &p,
        prisoner: &prisoner,
        main: &me,
        others: &others,
        date,
        start: &start,
        idempotency_key: &v.token,
        invited: false,
        today: st.clock.today(),
    };
    match booking::book(&st.db, &new, &actor(&u)).await? {
        Ok(reference) => {
            st.mail_waiting();
            sess.update(|s| {
                s.notice = Some(format!(
                    "Your call is booked. Your reference is {reference}"
                ))
            });
            Ok(see_other(&format!("/calls/call/{reference}")))
        }
        Err(refusal) => {
            let field_name = match refusal {
                booking::Refusal::Callers(_) => "others",
                _ => "slot",
            };
            e.add(field_name, refusal.to_string());
            let v = book_view(&st, &u.id, &p, Some(&prisoner.id)).await?;
            Ok(book_page(&st, &sess, &v, &f, &e))
        }
    }
}

async fn call_page(State(st): State<Calls>, sess: Sess, Path(reference): Path<String>) -> Page {
    let u = require!(user(&sess));
    let k = booking::of_caller_by_reference(&st.db, &u.id, &reference).await?;
    let c = sess.ctx(&st).in_service(SERVICE, "/calls");
    let moves = CALL.actions_from(k.status, Who::Visitor);
    Ok(c.page(
        &format!("Video call {}", k.reference),
        &Errors::default(),
        html! {
            (back("/calls"))
            div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                span class="govuk-caption-l" { "Reference " (k.reference) }
                h1 class="govuk-heading-l" { "Video call with " (k.prisoner) }
                (summary_list(&[
                    ("Status".into(), call_tag(k.status), None),
                    ("When".into(), html! { (k.when()) }, None),
                    ("Prison".into(), html! { (k.establishment) }, None),
                    ("People on the call".into(), html! { (k.people.join(", ")) }, None),
                ]))
                @for m in moves {
                    form method="post" action={ "/calls/call/" (k.reference) "/" (m.action) } novalidate {
                        (csrf(&c.csrf))
                        @let (label, class) = action_words(m.action);
                        button type="submit" class={ "govuk-button " (class) } data-module="govuk-button" { (label) }
                    }
                }
            } }
        },
    ))
}

fn action_words(action: &str) -> (&'static str, &'static str) {
    match action {
        crate::workflow::CONFIRM => ("Confirm the call", ""),
        crate::workflow::DECLINE => ("Decline the call", "govuk-button--secondary"),
        crate::workflow::CANCEL => ("Cancel the call", "govuk-button--warning"),
        _ => ("Continue", ""),
    }
}

async fn call_move(
    State(st): State<Calls>,
    sess: Sess,
    Path((reference, action)): Path<(String, String)>,
    FormIn(_): FormIn,
) -> Page {
    let u = require!(user(&sess));
    let k = booking::of_caller_by_reference(&st.db, &u.id, &reference).await?;
    if !CALL.offers(&action, k.status, Who::Visitor) {
        return Err(Error::NotFound.into());
    }
    let now_at = super::now_naive(&st);
    match booking::move_call(&st.db, &k.id, &action, "", &actor(&u), now_at).await {
        Ok(()) => {
            st.mail_waiting();
            let done = CALL.find(&action).map(|t| t.to.label()).unwrap_or("Done");
            sess.update(|s| {
                s.notice = Some(format!("Call {}: {}", k.reference, done.to_lowercase()))
            });
        }
        Err(Error::Conflict(m)) => {
            sess.update(|s| s.notice = Some(forms::capital(&m)));
        }
        Err(e) => return Err(e.into()),
    }
    Ok(see_other(&format!("/calls/call/{}", k.reference)))
}
