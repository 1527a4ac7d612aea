//! Pages anyone can reach: start, privacy notice, accessibility, accounts.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::html;
use serde::Deserialize;

use platform::accounts;
use platform::rules::{Routes, Rule};
use platform::sessions::SessionUser;
use platform::web::{FormIn, Page, Platform, Sess, error_page, see_other};
use platform::{now, outbox};
use ui::forms::{self, Errors, get as field};
use ui::{Input, button, csrf, error_summary, input};

pub(super) fn routes() -> Routes<Platform> {
    use Rule::{Public, SignedIn};
    Routes::new()
        .get("/", Public, start)
        .get("/privacy", Public, privacy)
        .get("/accessibility", Public, accessibility)
        .get_post("/register", Public, register_form, register)
        .get_post("/verify", Public, verify, verify_post)
        .get_post("/password-reset", Public, reset_form, reset_post)
        .get_post(
            "/password-reset/new",
            Public,
            reset_new_form,
            reset_new_post,
        )
        .get_post("/sign-in", Public, sign_in_form, sign_in)
        // Anyone may sign out: signing out with no session does nothing,
        // and its form token is still checked.
        .post("/sign-out", Public, sign_out)
        .get_post("/account/password", SignedIn, password_form, password_post)
}

pub async fn not_found() -> Response {
    error_page(
        StatusCode::NOT_FOUND,
        "Page not found",
        "If you typed the web address, check it is correct.",
    )
}

/// `GET /health`: the process answers and the database does too.
pub async fn health(State(st): State<Platform>) -> Response {
    let db_ok = sqlx::query("SELECT 1").execute(st.db.pool()).await.is_ok();
    let body = serde_json::json!({
        "status": if db_ok { "ok" } else { "degraded" },
        "database": if db_ok { "ok" } else { "unreachable" },
        "backend": format!("{:?}", st.db.backend()).to_lowercase(),
    });
    let status = if db_ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

async fn start(State(st): State<Platform>, sess: Sess) -> Page {
    let c = sess.ctx(&st);
    let signed_in = c.user.is_some();
    Ok(c.page(
        "Visit someone in prison",
        &Errors::default(),
        html! {
            div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                h1 class="govuk-heading-xl" { "Visit someone in prison" }
                p class="govuk-body" { "Use this service to request a visit to someone in a prison or young offender institution in England and Wales." }
                p class="govuk-body" { "You'll need:" }
                ul class="govuk-list govuk-list--bullet" {
                    li { "the prisoner's name, date of birth and prisoner number (like A1234BC)" }
                    li { "the names and dates of birth of everyone visiting (up to 3 adults and 6 people in all)" }
                    li { "an email address and phone number" }
                }
                p class="govuk-body" { "You must be 18 or older to request a visit. Requests need at least 3 working days' notice, and can be made up to 28 days ahead." }
                p class="govuk-body" { "The prison will check your request and we'll email you to tell you whether the visit is booked." }
                a href=(if signed_in { "/book" } else { "/sign-in" }) role="button" draggable="false" class="govuk-button govuk-button--start" data-module="govuk-button" {
                    "Start now"
                    svg class="govuk-button__start-icon" xmlns="http://www.w3.org/2000/svg" width="17.5" height="19" viewBox="0 0 33 40" aria-hidden="true" focusable="false" {
                        path fill="currentColor" d="M0 0h13l20 20-20 20H0l20-20z" {}
                    }
                }
                @if !signed_in {
                    p class="govuk-body" { "You'll need an account. " a class="govuk-link" href="/register" { "Create an account" } " if you do not have one." }
                }
                h2 class="govuk-heading-m" { "Your data" }
                p class="govuk-body" { "Read the " a class="govuk-link" href="/privacy" { "privacy notice" } " to find out what we collect, why, and how long we keep it." }
            } }
        },
    ))
}

async fn privacy(State(st): State<Platform>, sess: Sess) -> Page {
    let c = sess.ctx(&st);
    Ok(c.page(
        "Privacy notice",
        &Errors::default(),
        html! {
            div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                h1 class="govuk-heading-l" { "Privacy notice" }
                p class="govuk-body" { "This service is managed by HM Prison and Probation Service (HMPPS), an executive agency of the Ministry of Justice (MOJ). MOJ is the data controller for the personal information we hold." }
                h2 class="govuk-heading-m" { "What we collect" }
                p class="govuk-body" { "We only collect what is needed to request and arrange a visit:" }
                ul class="govuk-list govuk-list--bullet" {
                    li { "your name, date of birth, email address and phone number" }
                    li { "the name, date of birth, prisoner number and prison of the person you want to visit" }
                    li { "the names and dates of birth of any additional visitors" }
                    li { "any support needs you tell us about for the visit" }
                    li { "your account's email address and a one-way scrambled copy (hash) of your password" }
                }
                p class="govuk-body" { "We do not use analytics or tracking cookies. We set one cookie, which keeps you signed in and protects your forms; it is deleted when you close your browser." }
                h2 class="govuk-heading-m" { "Why we collect it" }
                p class="govuk-body" { "So that you can request to visit someone in prison, and so that prisons and young offender institutions can make sure visits are safe and secure for visitors, prisoners and staff." }
                h2 class="govuk-heading-m" { "How long we keep it" }
                p class="govuk-body" { "Visit information is kept for seven years after the visit, in line with HMPPS retention policy, and is then deleted automatically." }
                p class="govuk-body" { "Your session is active for 20 minutes without any activity, even if you close your browser. After 20 minutes of inactivity it is deleted, with anything you had entered but not sent." }
                h2 class="govuk-heading-m" { "Who can see it" }
                p class="govuk-body" { "Staff at the prison you chose, and national administrators. Every time a member of staff views your information it is recorded." }
                h2 class="govuk-heading-m" { "Getting a copy of your data" }
                p class="govuk-body" { "You can ask for a copy of everything we hold about you by making a subject access request to the Disclosure Team, Post point 10.38, 102 Petty France, London SW1H 9AJ." }
                h2 class="govuk-heading-m" id="justice-data-lab" { "Justice Data Lab" }
                p class="govuk-body" { "Organisations that work with offenders can send the Justice Data Lab the details of the people they worked with (name, date of birth, gender, postcode, intervention and sentence dates, PNC ID or prison number), with their confirmation that sharing is lawful under data protection law and section 14 of the Offender Management Act 2007. The lab links them to national records and returns aggregate results only." }
                ul class="govuk-list govuk-list--bullet" {
                    li { "A file that fails the lab's checks is not kept. An accepted file is encrypted with a key of its own; only the lab's analysts can open it, and every time they do, who, when and why is recorded in a log that cannot be changed." }
                    li { "The organisation that sent it cannot see or download it again, and no organisation can see another's requests." }
                    li { "The individual-level data is destroyed 20 working days after the report is issued, or 10 working days after a request fails, by destroying its key and files; a destruction certificate is kept. Reports and aggregate figures are kept." }
                    li { "One thing is kept after destruction: for each issued report, a list of pseudonymous codes for the people in it (keyed codes that name nobody without the lab's secret key, never shown or shared). The lab compares each new request with them so that two reports on nearly the same people cannot be subtracted to reveal anything about the few who differ." }
                }
                @for section in st.privacy_sections() { (section) }
                h2 class="govuk-heading-m" { "Complaints" }
                p class="govuk-body" { "If you think your information has been handled incorrectly, contact the MoJ Data Protection Officer (DPO@justice.gov.uk) or the Information Commissioner's Office (www.ico.org.uk, 0303 123 1113)." }
            } }
        },
    ))
}

async fn accessibility(State(st): State<Platform>, sess: Sess) -> Page {
    let c = sess.ctx(&st);
    Ok(c.page(
        "Accessibility statement",
        &Errors::default(),
        html! {
            div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                h1 class="govuk-heading-l" { "Accessibility statement" }
                p class="govuk-body" { "This service is built with the GOV.UK Design System and aims to meet the Web Content Accessibility Guidelines (WCAG) 2.2 at level AA. Every page works without JavaScript, can be used with a keyboard alone, and can be zoomed to 400% without losing content." }
                p class="govuk-body" { "If you find a problem, tell the prison you are visiting or write to the Disclosure Team at 102 Petty France, London SW1H 9AJ." }
            } }
        },
    ))
}

fn register_page(st: &Platform, sess: &Sess, fields: &forms::Fields, errors: &Errors) -> Response {
    let c = sess.ctx(st);
    c.page(
        "Create an account",
        errors,
        html! {
            div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                (error_summary(errors))
                h1 class="govuk-heading-l" { "Create an account" }
                p class="govuk-body" { "You need an account to request visits and to see or cancel your requests." }
                form method="post" action="/register" novalidate {
                    (csrf(&c.csrf))
                    (input("name", "Full name", field(fields, "name"), errors, Input { autocomplete: Some("name"), spellcheck_off: true, ..Default::default() }))
                    (input("email", "Email address", field(fields, "email"), errors, Input { kind: Some("email"), autocomplete: Some("email"), spellcheck_off: true, hint: Some("We'll send a link to this address to confirm it"), ..Default::default() }))
                    (input("password", "Create a password", "", errors, Input { kind: Some("password"), autocomplete: Some("new-password"), hint: Some("At least 10 characters"), ..Default::default() }))
                    (button("Create account"))
                }
                p class="govuk-body" { "Already have an account? " a class="govuk-link" href="/sign-in" { "Sign in" } }
            } }
        },
    )
}

async fn register_form(State(st): State<Platform>, sess: Sess) -> Page {
    Ok(register_page(
        &st,
        &sess,
        &Default::default(),
        &Errors::default(),
    ))
}

async fn register(State(st): State<Platform>, sess: Sess, FormIn(f): FormIn) -> Page {
    let mut e = Errors::default();
    let name = forms::name(field(&f, "name"), "name", "your full name", &mut e);
    let email = forms::email(field(&f, "email"), "email", &mut e);
    let password = forms::new_password(field(&f, "password"), "password", &mut e);
    let (Some(name), Some(email), Some(password)) = (name, email, password) else {
        return Ok(register_page(&st, &sess, &f, &e));
    };
    let (account, token) = match accounts::register_visitor(
        &st.db, &st.hasher, &email, &name, &password,
    )
    .await
    {
        Ok(x) => x,
        Err(crate::Error::Conflict(_)) => {
            // Say the same as for a new address, so that the form does not
            // reveal who has an account; tell the owner instead (a few
            // times an hour at most).
            if !mail_allowed(&st, &email).await? {
                return Ok(check_email_page(&st, &sess, &email));
            }
            let mut conn = st.db.writer().acquire().await.map_err(crate::Error::from)?;
            outbox::enqueue(
                &mut conn,
                None,
                &email,
                "Someone tried to create an account with your email address",
                "Someone tried to create an account for Visit someone in prison with this email address, which already has one.\n\nIf it was you, sign in instead. If you have forgotten your password, you can reset it from the sign-in page.\n",
            )
            .await?;
            st.mail_waiting();
            return Ok(check_email_page(&st, &sess, &email));
        }
        Err(e) => return Err(e.into()),
    };
    if !mail_allowed(&st, &account.email).await? {
        return Ok(check_email_page(&st, &sess, &account.email));
    }
    let link = format!("{}/verify?token={}", st.config.public_url, token);
    let mut conn = st.db.writer().acquire().await.map_err(crate::Error::from)?;
    outbox::enqueue(
        &mut conn,
        None,
        &account.email,
        "Confirm your email address",
        &format!("Dear {},\n\nConfirm your email address to finish creating your account for Visit someone in prison. The link works for 24 hours, and asks for the password you chose:\n\n{link}\n\nIf you did not create an account, ignore this email: nobody can use the account without confirming it.\n", account.name),
    )
    .await?;
    st.mail_waiting();
    Ok(check_email_page(&st, &sess, &account.email))
}

fn check_email_page(st: &Platform, sess: &Sess, email: &str) -> Response {
    let c = sess.ctx(st);
    c.page(
        "Check your email",
        &Errors::default(),
        html! {
            div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                h1 class="govuk-heading-l" { "Check your email" }
                p class="govuk-body" { "We've sent an email to " strong { (email) } "." }
                p class="govuk-body" { "Select the link in the email to confirm your address, then sign in. The link works for 24 hours." }
                p class="govuk-body" { "If the email does not arrive, check your spam folder or " a class="govuk-link" href="/register" { "create your account again" } " to get a new link." }
            } }
        },
    )
}

#[derive(Deserialize)]
struct VerifyQuery {
    token: Option<String>,
}

/// A confirmation or reset link that no longer works; `next` says what to
/// do instead.
fn link_expired(next: &str) -> Response {
    error_page(
        StatusCode::NOT_FOUND,
        "That link has expired or has already been used",
        next,
    )
}

const CONFIRM_AGAIN: &str = "If you have already confirmed your email address, sign in. Otherwise create your account again to get a new link.";
const RESET_AGAIN: &str =
    "Password reset links work once, for an hour. Ask for a new one from the sign-in page.";

fn verify_page(st: &Platform, sess: &Sess, token: &str, errors: &Errors) -> Response {
    let c = sess.ctx(st);
    c.page(
        "Confirm your email address",
        errors,
        html! {
            div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                (error_summary(errors))
                h1 class="govuk-heading-l" { "Confirm your email address" }
                p class="govuk-body" { "Enter the password you chose when you created the account." }
                form method="post" action="/verify" novalidate {
                    (csrf(&c.csrf))
                    input type="hidden" name="token" value=(token);
                    (input("password", "Password", "", errors, Input { kind: Some("password"), autocomplete: Some("current-password"), ..Default::default() }))
                    (button("Confirm"))
                }
            } }
        },
    )
}

fn plausible_token(token: &str) -> bool {
    !token.is_empty() && token.len() <= 128
}

async fn verify(State(st): State<Platform>, sess: Sess, Query(q): Query<VerifyQuery>) -> Page {
    let token = q.token.unwrap_or_default();
    if plausible_token(&token) && accounts::verify_token_pending(&st.db, &token).await? {
        return Ok(verify_page(&st, &sess, &token, &Errors::default()));
    }
    Ok(link_expired(CONFIRM_AGAIN))
}

async fn verify_post(State(st): State<Platform>, sess: Sess, FormIn(f): FormIn) -> Page {
    let token = field(&f, "token").to_owned();
    if !plausible_token(&token) || !accounts::verify_token_pending(&st.db, &token).await? {
        return Ok(link_expired(CONFIRM_AGAIN));
    }
    let mut e = Errors::default();
    let password = field(&f, "password");
    if password.is_empty() {
        e.add("password", "Enter your password");
        return Ok(verify_page(&st, &sess, &token, &e));
    }
    let key = format!("verify:{}", platform::ids::sha256_hex(&token));
    let guesses = platform::ratelimit::Limit {
        max: st.config.sign_in_max_failures,
        window_secs: st.config.sign_in_window_minutes as i64 * 60,
    };
    if !platform::ratelimit::hit(&st.db, &key, guesses, now()).await? {
        e.add(
            "password",
            "Too many attempts. Wait 15 minutes and try again",
        );
        return Ok(verify_page(&st, &sess, &token, &e));
    }
    if accounts::verify_email(&st.db, &st.hasher, &token, password)
        .await?
        .is_some()
    {
        sess.update(|d| {
            d.notice = Some("Your email address is confirmed. Sign in to continue.".into())
        });
        return Ok(see_other("/sign-in"));
    }
    e.add("password", "Enter the password you chose for this account");
    Ok(verify_page(&st, &sess, &token, &e))
}

/// Whether another account email may go to `email` now: a few an hour, so
/// that the forms cannot be used to flood someone's mailbox.
async fn mail_allowed(st: &Platform, email: &str) -> platform::Result<bool> {
    let limit = platform::ratelimit::Limit {
        max: 3,
        window_secs: 3600,
    };
    platform::ratelimit::hit(
        &st.db,
        &format!("mail:{}", accounts::normalise_email(email)),
        limit,
        now(),
    )
    .await
}

/// The message for a refused new password.
fn refusal(e: &mut Errors, current: &str, new: &str, refused: accounts::Refused) {
    match refused {
        accounts::Refused::WrongCurrent => e.add(current, "Your current password is not correct"),
        accounts::Refused::SameAsOld => e.add(new, "Your new password must be different from your current one"),
        accounts::Refused::Common => e.add(
            new,
            "That password is too easy to guess: it is one of the most common. Choose another, such as three random words",
        ),
    }
}

fn reset_request_page(st: &Platform, sess: &Sess, email: &str, errors: &Errors) -> Response {
    let c = sess.ctx(st);
    c.page(
        "Reset your password",
        errors,
        html! {
            div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                (error_summary(errors))
                h1 class="govuk-heading-l" { "Reset your password" }
                p class="govuk-body" { "We'll email you a link to choose a new password. It works once, for an hour." }
                form method="post" action="/password-reset" novalidate {
                    (csrf(&c.csrf))
                    (input("email", "Email address", email, errors, Input { kind: Some("email"), autocomplete: Some("email"), spellcheck_off: true, ..Default::default() }))
                    (button("Send the link"))
                }
            } }
        },
    )
}

async fn reset_form(State(st): State<Platform>, sess: Sess) -> Page {
    Ok(reset_request_page(&st, &sess, "", &Errors::default()))
}

async fn reset_post(State(st): State<Platform>, sess: Sess, FormIn(f): FormIn) -> Page {
    let mut e = Errors::default();
    let Some(email) = forms::email(field(&f, "email"), "email", &mut e) else {
        return Ok(reset_request_page(&st, &sess, field(&f, "email"), &e));
    };
    // The same answer whether or not an account has the address.
    if mail_allowed(&st, &email).await?
        && let Some((name, token)) = accounts::start_reset(&st.db, &email).await?
    {
        let link = format!("{}/password-reset/new?token={token}", st.config.public_url);
        let mut conn = st.db.writer().acquire().await.map_err(crate::Error::from)?;
        outbox::enqueue(
            &mut conn,
            None,
            &email,
            "Reset your password",
            &format!("Dear {name},\n\nSomeone asked to reset the password of your account. To choose a new one, use this link within an hour (it works once):\n\n{link}\n\nIf it was not you, ignore this email: your password has not changed.\n"),
        )
        .await?;
        st.mail_waiting();
    }
    Ok(check_email_page(&st, &sess, &email))
}

#[derive(Deserialize)]
struct ResetQuery {
    token: Option<String>,
}

fn reset_new_page(st: &Platform, sess: &Sess, token: &str, errors: &Errors) -> Response {
    let c = sess.ctx(st);
    c.page(
        "Choose a new password",
        errors,
        html! {
            div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                (error_summary(errors))
                h1 class="govuk-heading-l" { "Choose a new password" }
                form method="post" action="/password-reset/new" novalidate {
                    (csrf(&c.csrf))
                    input type="hidden" name="token" value=(token);
                    (input("new-password", "New password", "", errors, Input { kind: Some("password"), autocomplete: Some("new-password"), hint: Some("At least 10 characters"), ..Default::default() }))
                    (button("Change password"))
                }
            } }
        },
    )
}

async fn reset_new_form(
    State(st): State<Platform>,
    sess: Sess,
    Query(q): Query<ResetQuery>,
) -> Page {
    let token = q.token.unwrap_or_default();
    if plausible_token(&token) && accounts::reset_pending(&st.db, &token).await? {
        return Ok(reset_new_page(&st, &sess, &token, &Errors::default()));
    }
    Ok(link_expired(RESET_AGAIN))
}

async fn reset_new_post(State(st): State<Platform>, sess: Sess, FormIn(f): FormIn) -> Page {
    let token = field(&f, "token").to_owned();
    if !plausible_token(&token) {
        return Ok(link_expired(RESET_AGAIN));
    }
    let mut e = Errors::default();
    let Some(new) = forms::new_password(field(&f, "new-password"), "new-password", &mut e) else {
        return Ok(reset_new_page(&st, &sess, &token, &e));
    };
    match accounts::finish_reset(&st.db, &st.hasher, &token, &new).await? {
        None => Ok(link_expired(RESET_AGAIN)),
        Some(Ok(())) => {
            sess.update(|d| {
                d.notice =
                    Some("Your password has been changed. Sign in with your new password.".into())
            });
            Ok(see_other("/sign-in"))
        }
        Some(Err(refused)) => {
            refusal(&mut e, "new-password", "new-password", refused);
            Ok(reset_new_page(&st, &sess, &token, &e))
        }
    }
}

fn sign_in_page(st: &Platform, sess: &Sess, email: &str, errors: &Errors) -> Response {
    let c = sess.ctx(st);
    c.page(
        "Sign in",
        errors,
        html! {
            div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                (error_summary(errors))
                h1 class="govuk-heading-l" { "Sign in" }
                form method="post" action="/sign-in" novalidate {
                    (csrf(&c.csrf))
                    (input("email", "Email address", email, errors, Input { kind: Some("email"), autocomplete: Some("email"), spellcheck_off: true, ..Default::default() }))
                    (input("password", "Password", "", errors, Input { kind: Some("password"), autocomplete: Some("current-password"), ..Default::default() }))
                    (button("Sign in"))
                }
                p class="govuk-body" { a class="govuk-link" href="/password-reset" { "Forgotten your password?" } }
                p class="govuk-body" { "No account? " a class="govuk-link" href="/register" { "Create an account" } }
            } }
        },
    )
}

async fn sign_in_form(State(st): State<Platform>, sess: Sess) -> Page {
    Ok(sign_in_page(&st, &sess, "", &Errors::default()))
}

async fn sign_in(
    State(st): State<Platform>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    sess: Sess,
    FormIn(f): FormIn,
) -> Page {
    let email = field(&f, "email")
        .trim()
        .chars()
        .take(254)
        .collect::<String>();
    let password = field(&f, "password");
    let mut e = Errors::default();
    if email.is_empty() {
        e.add("email", "Enter your email address");
    }
    if password.is_empty() {
        e.add("password", "Enter your password");
    }
    if !e.is_empty() {
        return Ok(sign_in_page(&st, &sess, &email, &e));
    }
    let ip = peer.ip();
    let t = now();
    // The attempt is counted before the password is checked, in one step,
    // so attempts sent at once cannot all slip under the limit.
    if !st.limiter.attempt(&st.db, &email, ip, t).await? {
        tracing::warn!(%ip, "sign-in locked after repeated failures");
        e.add(
            "email",
            format!(
                "Too many failed attempts. Wait {} minutes and try again",
                st.config.sign_in_window_minutes
            ),
        );
        return Ok(sign_in_page(&st, &sess, &email, &e));
    }
    let Some(account) = accounts::authenticate(&st.db, &st.hasher, &email, password).await? else {
        e.add("email", "Enter a correct email address and password");
        return Ok(sign_in_page(&st, &sess, &email, &e));
    };
    if !account.verified {
        e.add(
            "email",
            "Confirm your email address first: select the link in the email we sent you",
        );
        return Ok(sign_in_page(&st, &sess, &email, &e));
    }
    st.limiter.clear(&st.db, &email, ip).await?;
    let user = SessionUser {
        id: account.id,
        email: account.email,
        name: account.name,
        kind: account.kind,
        grants: account.grants,
    };
    let home = st.home_of(&user);
    sess.sign_in(user);
    tracing::info!(kind = ?account.kind, "signed in");
    Ok(see_other(home))
}

async fn sign_out(sess: Sess, FormIn(_): FormIn) -> Page {
    sess.destroy();
    Ok(see_other("/"))
}

fn password_page(st: &Platform, sess: &Sess, errors: &Errors) -> Response {
    let c = sess.ctx(st);
    c.page(
        "Change your password",
        errors,
        html! {
            div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                (error_summary(errors))
                h1 class="govuk-heading-l" { "Change your password" }
                form method="post" action="/account/password" novalidate {
                    (csrf(&c.csrf))
                    (input("current-password", "Current password", "", errors, Input { kind: Some("password"), autocomplete: Some("current-password"), ..Default::default() }))
                    (input("new-password", "New password", "", errors, Input { kind: Some("password"), autocomplete: Some("new-password"), hint: Some("At least 10 characters"), ..Default::default() }))
                    (button("Change password"))
                }
            } }
        },
    )
}

async fn password_form(State(st): State<Platform>, sess: Sess) -> Page {
    if sess.user().is_none() {
        return Ok(see_other("/sign-in"));
    }
    Ok(password_page(&st, &sess, &Errors::default()))
}

async fn password_post(State(st): State<Platform>, sess: Sess, FormIn(f): FormIn) -> Page {
    let Some(user) = sess.user() else {
        return Ok(see_other("/sign-in"));
    };
    let mut e = Errors::default();
    let current = field(&f, "current-password");
    if current.is_empty() {
        e.add("current-password", "Enter your current password");
    }
    let new = forms::new_password(field(&f, "new-password"), "new-password", &mut e);
    if let (true, Some(new)) = (e.is_empty(), new) {
        match accounts::change_password(
            &st.db,
            &st.hasher,
            &user.id,
            current,
            &new,
            sess.key().as_deref(),
        )
        .await?
        {
            Ok(()) => {
                sess.update(|s| {
                    s.notice = Some(
                        "Your password has been changed. You have been signed out everywhere else"
                            .into(),
                    )
                });
                return Ok(see_other(st.home_of(&user)));
            }
            Err(refused) => refusal(&mut e, "current-password", "new-password", refused),
        }
    }
    Ok(password_page(&st, &sess, &e))
}
