//! The administrator's pages: staff accounts, subject access, the audit
//! log and (in development mode, for national administrators) the email
//! outbox. The server holds them because they reach across systems.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use platform::accounts::{self, Role, Scope};
use platform::rules::{Routes, Rule};
use platform::sessions::SessionUser;
use platform::subject_access::{AccountRecord, Section, Subject};
use platform::web::{FormIn, OwnedCtx, Page, Platform, Sess, see_other};
use platform::{Error, audit, outbox, require};
use ui::forms::{self, Errors, get as field};
use ui::{self as pages, Input, button, csrf, date_input, error_summary, input, radios};

pub(super) fn routes() -> Routes<Platform> {
    use Rule::{NationalAdmin, NationalAdminUnlisted};
    Routes::new()
        .get("/staff/outbox", NationalAdminUnlisted, outbox_page)
        .get("/staff/subject-access", NationalAdmin, subject_access_page)
        .get(
            "/staff/subject-access/export.json",
            NationalAdmin,
            export_json,
        )
        .get(
            "/staff/subject-access/export.html",
            NationalAdmin,
            export_html,
        )
        .get("/staff/audit", NationalAdmin, audit_page)
        .get_post(
            "/staff/accounts",
            NationalAdmin,
            accounts_page,
            accounts_post,
        )
        .post("/staff/accounts/grant", NationalAdmin, grant_post)
        .post("/staff/accounts/revoke", NationalAdmin, revoke_post)
}

/// The signed-in member of staff. Each route's rule has already refused
/// everyone else; handlers still ask here, for the user they need and so
/// that a rule declared too loosely does not open the page.
pub(super) fn staff(sess: &Sess) -> Result<SessionUser, Box<Response>> {
    match sess.user() {
        Some(u) if u.is_staff() => Ok(u),
        Some(_) => Err(platform::web::forbidden()),
        None => Err(Box::new(see_other("/sign-in"))),
    }
}

async fn render_accounts(
    st: &Platform,
    c: &OwnedCtx,
    f: &BTreeMap<String, String>,
    e: &Errors,
) -> Result<Response, Error> {
    let staff_list = accounts::list_staff(&st.db).await?;
    let ests = st.establishments().await?;
    let mut options = vec![(String::new(), "Select an establishment".to_owned())];
    options.extend(ests.iter().map(|x| (x.id.clone(), x.name.clone())));
    let organisation = input(
        "staff-organisation",
        "Organisation",
        field(f, "staff-organisation"),
        e,
        Input {
            hint: Some("The provider organisation they work for; they will see its requests only"),
            ..Default::default()
        },
    );
    let roles: Vec<(String, String, Option<Markup>)> = [
        Role::BookingStaff,
        Role::EstablishmentAdmin,
        Role::NationalAdmin,
        Role::Provider,
        Role::Analyst,
        Role::AssetOwner,
    ]
    .iter()
    .map(|r| {
        let reveal = (*r == Role::Provider).then(|| organisation.clone());
        (r.as_str().to_owned(), r.label().to_owned(), reveal)
    })
    .collect();
    // A provider's organisation is theirs from the start: it is not a role
    // added to another account.
    let grant_roles: Vec<(String, String, Option<Markup>)> = Role::ALL
        .iter()
        .filter(|r| **r != Role::Provider)
        .map(|r| (r.as_str().to_owned(), r.label().to_owned(), None))
        .collect();
    Ok(c.page(
        "Staff accounts",
        e,
        html! {
            div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                (error_summary(e))
                h1 class="govuk-heading-l" { "Staff accounts" }
                table class="govuk-table" {
                    thead class="govuk-table__head" { tr class="govuk-table__row" {
                        th scope="col" class="govuk-table__header" { "Name" }
                        th scope="col" class="govuk-table__header" { "Email" }
                        th scope="col" class="govuk-table__header" { "Roles" }
                    } }
                    tbody class="govuk-table__body" {
                        @for a in &staff_list {
                            tr class="govuk-table__row" {
                                td class="govuk-table__cell" { (a.name) }
                                td class="govuk-table__cell" { (a.email) }
                                td class="govuk-table__cell" {
                                    ul class="govuk-list" {
                                        @for g in &a.grants {
                                            li {
                                                (g.role.label()) ", " (scope_name(&g.scope, &ests))
                                                form method="post" action="/staff/accounts/revoke" class="lifeline-inline-form" {
                                                    (csrf(&c.csrf))
                                                    input type="hidden" name="account" value=(a.id);
                                                    input type="hidden" name="role" value=(g.role.as_str());
                                                    input type="hidden" name="scope-kind" value=(g.scope.kind());
                                                    input type="hidden" name="scope-id" value=(g.scope.id());
                                                    " "
                                                    button type="submit" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0 govuk-!-margin-left-2" data-module="govuk-button" {
                                                        "Remove" span class="govuk-visually-hidden" { " " (g.role.label()) " from " (a.name) }
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
                h2 class="govuk-heading-m" { "Add a member of staff" }
                form method="post" action="/staff/accounts" novalidate {
                    (csrf(&c.csrf))
                    (input("staff-name", "Full name", field(f, "staff-name"), e, Input { spellcheck_off: true, ..Default::default() }))
                    (input("staff-email", "Email address", field(f, "staff-email"), e, Input { kind: Some("email"), spellcheck_off: true, ..Default::default() }))
                    (radios("staff-role", "Role", &roles, field(f, "staff-role"), e))
                    (pages::select("staff-establishment", "Establishment", Some("Not needed for a national administrator or the Data Lab"), &options, field(f, "staff-establishment"), e))
                    (input("staff-password", "First password", "", e, Input { kind: Some("password"), autocomplete: Some("new-password"), hint: Some("At least 10 characters. Give it to them in person; they should change it"), ..Default::default() }))
                    (button("Add account"))
                }
                h2 class="govuk-heading-m" { "Give an account another role" }
                p class="govuk-body" { "One account may hold several roles: for example booking staff at one establishment and its administrator at another." }
                form method="post" action="/staff/accounts/grant" novalidate {
                    (csrf(&c.csrf))
                    (input("grant-email", "Email address of the account", field(f, "grant-email"), e, Input { kind: Some("email"), spellcheck_off: true, ..Default::default() }))
                    (radios("grant-role", "Role to add", &grant_roles, field(f, "grant-role"), e))
                    (pages::select("grant-establishment", "Establishment", Some("Not needed for a national role or the Data Lab"), &options, field(f, "grant-establishment"), e))
                    button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Add role" }
                }
            } }
        },
    ))
}

/// Where a grant applies, as people read it.
fn scope_name(scope: &Scope, ests: &[platform::registry::Establishment]) -> String {
    match scope {
        Scope::National => "everywhere".into(),
        Scope::Establishment(id) => ests
            .iter()
            .find(|e| &e.id == id)
            .map(|e| e.name.clone())
            .unwrap_or_else(|| id.clone()),
        Scope::Organisation(_) => "for their organisation".into(),
    }
}

async fn revoke_post(State(st): State<Platform>, sess: Sess, FormIn(f): FormIn) -> Page {
    let u = require!(staff(&sess));
    if !u.is_national_admin() {
        return Err(Error::Forbidden.into());
    }
    let role = Role::parse(field(&f, "role")).ok_or(Error::NotFound)?;
    let scope = Scope::parse(field(&f, "scope-kind"), field(&f, "scope-id").to_owned())
        .map_err(|_| Error::NotFound)?;
    let grant = accounts::Grant::new(role, scope)?;
    let notice = match accounts::revoke(&st.db, field(&f, "account"), &grant, &u.id).await {
        Ok(true) => format!("{} removed", role.label()),
        Ok(false) => "That role had already been removed".to_owned(),
        Err(Error::Conflict(m)) => forms::capital(&m),
        Err(other) => return Err(other.into()),
    };
    sess.update(|s| s.notice = Some(notice));
    Ok(see_other("/staff/accounts"))
}

async fn grant_post(State(st): State<Platform>, sess: Sess, FormIn(f): FormIn) -> Page {
    let u = require!(staff(&sess));
    if !u.is_national_admin() {
        return Err(Error::Forbidden.into());
    }
    let mut e = Errors::default();
    let email = forms::email(field(&f, "grant-email"), "grant-email", &mut e);
    let role = Role::parse(field(&f, "grant-role")).filter(|r| *r != Role::Provider);
    if role.is_none() {
        e.add("grant-role", "Select a role");
    }
    let est = field(&f, "grant-establishment");
    let ests = st.establishments().await?;
    let scope = match role.map(Role::scope_kind) {
        Some("establishment") => {
            if ests.iter().any(|x| x.id == est) {
                Some(Scope::Establishment(est.to_owned()))
            } else {
                e.add(
                    "grant-establishment",
                    "Select the establishment the role is for",
                );
                None
            }
        }
        _ => Some(Scope::National),
    };
    let account = match &email {
        Some(email) => accounts::find_by_email(&st.db, email).await?,
        None => None,
    };
    if email.is_some() && account.is_none() {
        e.add(
            "grant-email",
            "There is no staff or Data Lab account with that email address",
        );
    }
    if let (true, Some(account), Some(role), Some(scope)) = (e.is_empty(), &account, role, scope) {
        let grant = accounts::Grant::new(role, scope)?;
        match accounts::grant(&st.db, &account.id, &grant, &u.id).await {
            Ok(added) => {
                let notice = if added {
                    format!(
                        "{} is now also {}",
                        account.name,
                        role.label().to_lowercase()
                    )
                } else {
                    format!("{} already had that role", account.name)
                };
                sess.update(|s| s.notice = Some(notice));
                return Ok(see_other("/staff/accounts"));
            }
            Err(Error::Conflict(m)) => e.add("grant-role", forms::capital(&m)),
            Err(other) => return Err(other.into()),
        }
    }
    let c = sess.ctx(&st);
    Ok(render_accounts(&st, &c, &f, &e).await?)
}

async fn accounts_page(State(st): State<Platform>, sess: Sess) -> Page {
    let u = require!(staff(&sess));
    if !u.is_national_admin() {
        return Err(Error::Forbidden.into());
    }
    audit::log(
        &st.db,
        &u.id,
        "accounts.view",
        "staff-accounts",
        "viewed the staff accounts",
    )
    .await?;
    let c = sess.ctx(&st);
    Ok(render_accounts(&st, &c, &BTreeMap::new(), &Errors::default()).await?)
}

async fn accounts_post(State(st): State<Platform>, sess: Sess, FormIn(f): FormIn) -> Page {
    let u = require!(staff(&sess));
    if !u.is_national_admin() {
        return Err(Error::Forbidden.into());
    }
    let mut e = Errors::default();
    let name = forms::name(
        field(&f, "staff-name"),
        "staff-name",
        "their full name",
        &mut e,
    );
    let email = forms::email(field(&f, "staff-email"), "staff-email", &mut e);
    let role = Role::parse(field(&f, "staff-role"));
    if role.is_none() {
        e.add("staff-role", "Select a role");
    }
    let est = field(&f, "staff-establishment");
    let ests = st.establishments().await?;
    let organisation = field(&f, "staff-organisation").trim();
    if role == Some(Role::Provider) {
        if organisation.is_empty() {
            e.add("staff-organisation", "Enter the organisation they work for");
        } else if organisation.chars().count() > forms::MAX_LINE
            || forms::has_control(organisation, false)
        {
            e.add(
                "staff-organisation",
                format!(
                    "The organisation must be {} characters or fewer, on one line",
                    forms::MAX_LINE
                ),
            );
        }
    }
    let prison_role = role.is_some_and(|r| r.kind() == accounts::Kind::Staff);
    if prison_role && role != Some(Role::NationalAdmin) && !ests.iter().any(|x| x.id == est) {
        e.add(
            "staff-establishment",
            "Select the establishment they work for",
        );
    }
    let password = forms::new_password(field(&f, "staff-password"), "staff-password", &mut e);
    if let (true, Some(name), Some(email), Some(role), Some(password)) =
        (e.is_empty(), name, email, role, password)
    {
        let list: Vec<&str> = if role == Role::NationalAdmin || !prison_role {
            vec![]
        } else {
            vec![est]
        };
        let new = accounts::NewAccount {
            email: &email,
            name: &name,
            password: &password,
            by: &u.id,
        };
        // The account, its grants and the audit line commit together.
        let created = if prison_role {
            accounts::create_staff(&st.db, &st.hasher, &new, role, &list).await
        } else {
            accounts::create_datalab(&st.db, &st.hasher, &new, role, Some(organisation)).await
        };
        match created {
            Ok(_) => {
                sess.update(|s| s.notice = Some(format!("Account created for {name}")));
                return Ok(see_other("/staff/accounts"));
            }
            Err(Error::Conflict(_)) => e.add(
                "staff-email",
                "An account with that email address already exists",
            ),
            Err(other) => return Err(other.into()),
        }
    }
    let c = sess.ctx(&st);
    Ok(render_accounts(&st, &c, &f, &e).await?)
}

async fn outbox_page(State(st): State<Platform>, sess: Sess) -> Page {
    let u = require!(staff(&sess));
    // A development convenience: the outbox holds every prison's mail and
    // unused confirmation links, so only a national administrator sees it,
    // and only when development mode was asked for.
    if !st.config.dev || !u.is_national_admin() {
        return Err(Error::NotFound.into());
    }
    let messages = outbox::recent(&st.db, 50).await?;
    audit::log(
        &st.db,
        &u.id,
        "outbox.view",
        "outbox",
        &format!("viewed {} messages", messages.len()),
    )
    .await?;
    let c = sess.ctx(&st);
    Ok(c.page(
        "Email outbox",
        &Errors::default(),
        html! {
            h1 class="govuk-heading-l" { "Email outbox" }
            p class="govuk-body" { "Development only: the latest 50 messages and whether they have been handed to the mail relay." }
            @for m in &messages {
                div class="govuk-summary-card" {
                    div class="govuk-summary-card__title-wrapper" {
                        h2 class="govuk-summary-card__title" { (m.subject) }
                    }
                    div class="govuk-summary-card__content" {
                        dl class="govuk-summary-list" {
                            div class="govuk-summary-list__row" { dt class="govuk-summary-list__key" { "To" } dd class="govuk-summary-list__value" { (m.to) } }
                            div class="govuk-summary-list__row" { dt class="govuk-summary-list__key" { "Status" } dd class="govuk-summary-list__value" {
                                @if let Some(t) = m.sent_at { "Sent " (pages::when(t)) } @else if m.failed { "Failed: " (m.last_error.clone().unwrap_or_default()) } @else { "Waiting (" (m.attempts) " attempts)" }
                            } }
                            div class="govuk-summary-list__row" { dt class="govuk-summary-list__key" { "Body" } dd class="govuk-summary-list__value" { p class="lifeline-pre" { (m.body) } } }
                        }
                    }
                }
            }
        },
    ))
}

/// Whom the form asks for: a name (with an optional date of birth), an
/// email address, or both.
fn sar_query(q: &BTreeMap<String, String>) -> (Subject, Errors) {
    let mut e = Errors::default();
    let typed_name = !field(q, "name").trim().is_empty();
    let typed_email = !field(q, "email").trim().is_empty();
    if !typed_name && !typed_email {
        e.add("name", "Enter the person's full name or email address");
        return (Subject::default(), e);
    }
    let name = typed_name
        .then(|| forms::name(field(q, "name"), "name", "the person's full name", &mut e))
        .flatten();
    let email = typed_email
        .then(|| forms::email(field(q, "email"), "email", &mut e))
        .flatten();
    let typed_dob = ["day", "month", "year"]
        .iter()
        .any(|p| !field(q, &format!("dob-{p}")).is_empty());
    let date_of_birth = if typed_dob {
        forms::date(q, "dob", "date of birth", &mut e).map(|d| d.to_string())
    } else {
        None
    };
    (
        Subject {
            name,
            date_of_birth,
            email,
            accounts: Vec::new(),
        },
        e,
    )
}

/// What was searched, in words ("name Alice Able, email alice@example.com").
fn searched(who: &Subject) -> String {
    let mut parts = Vec::new();
    if let Some(n) = &who.name {
        parts.push(format!("name {n}"));
    }
    if let Some(d) = &who.date_of_birth {
        parts.push(format!("date of birth {d}"));
    }
    if let Some(m) = &who.email {
        parts.push(format!("email {m}"));
    }
    parts.join(", ")
}

/// Everything every system holds about `who`: their accounts, then each
/// system's part.
struct Gathered {
    accounts: Vec<AccountRecord>,
    sections: Vec<Section>,
}

impl Gathered {
    fn summary(&self) -> String {
        let mut parts: Vec<String> = self
            .sections
            .iter()
            .map(|s| format!("{} {}", s.found, s.noun))
            .collect();
        parts.push(format!("{} accounts", self.accounts.len()));
        let last = parts.pop().unwrap_or_default();
        if parts.is_empty() {
            format!("Found {last}")
        } else {
            format!("Found {} and {last}", parts.join(", "))
        }
    }
}

async fn gather(st: &Platform, who: &mut Subject) -> Result<Gathered, Error> {
    let accounts = platform::subject_access::accounts(&st.db, who).await?;
    who.accounts = accounts.iter().map(|a| a.id.clone()).collect();
    let mut sections = Vec::new();
    for part in st.subject_access() {
        sections.push(part.gather(&st.db, who).await?);
    }
    Ok(Gathered { accounts, sections })
}

async fn subject_access_page(
    State(st): State<Platform>,
    sess: Sess,
    Query(q): Query<BTreeMap<String, String>>,
) -> Page {
    let u = require!(staff(&sess));
    if !u.is_national_admin() {
        return Err(Error::Forbidden.into());
    }
    let asked = q.contains_key("name") || q.contains_key("email");
    let (mut who, e) = if asked {
        sar_query(&q)
    } else {
        (Subject::default(), Errors::default())
    };
    let found = if asked && e.is_empty() {
        let x = gather(&st, &mut who).await?;
        audit::log(
            &st.db,
            &u.id,
            "subject_access.search",
            "subject-access",
            &x.summary().to_lowercase(),
        )
        .await?;
        Some(x)
    } else {
        None
    };
    let qs = |fmt: &str| {
        let mut s = format!("/staff/subject-access/export.{fmt}?");
        let mut params = Vec::new();
        if let Some(n) = &who.name {
            params.push(format!("name={}", urlencode(n)));
        }
        if let Some(m) = &who.email {
            params.push(format!("email={}", urlencode(m)));
        }
        if let Some(d) = &who.date_of_birth {
            let parts: Vec<&str> = d.split('-').collect();
            params.push(format!(
                "dob-year={}&dob-month={}&dob-day={}",
                parts[0], parts[1], parts[2]
            ));
        }
        s.push_str(&params.join("&"));
        s
    };
    let c = sess.ctx(&st);
    Ok(c.page(
        "Subject access request",
        &e,
        html! {
            div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                (error_summary(&e))
                h1 class="govuk-heading-l" { "Subject access request" }
                p class="govuk-body" { "Find everything every service holds about a person: their accounts, and each service's records of them (as a visitor, an additional visitor, a prisoner or the account that asked). Search by name, by email address, or both. Every search and export is recorded in the audit log." }
                form method="get" action="/staff/subject-access" novalidate {
                    (input("name", "Full name", field(&q, "name"), &e, Input { spellcheck_off: true, ..Default::default() }))
                    (date_input("dob", "Date of birth (optional)", "Narrows a search by name. For example, 27 3 1985", &q, &e, false))
                    (input("email", "Email address", field(&q, "email"), &e, Input { kind: Some("email"), spellcheck_off: true, ..Default::default() }))
                    button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Search" }
                }
                @if let Some(x) = &found {
                    h2 class="govuk-heading-m" { (x.summary()) }
                    p class="govuk-body" { "Searched: " (searched(&who)) "." }
                    p class="govuk-body" {
                        a class="govuk-link" href=(qs("json")) download { "Download as JSON" } " | "
                        a class="govuk-link" href=(qs("html")) download { "Download as a web page" }
                    }
                }
            } }
        },
    ))
}

fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

async fn export(
    st: &Platform,
    sess: &Sess,
    q: &BTreeMap<String, String>,
    format: &str,
) -> Result<Result<(Subject, Gathered), Response>, Error> {
    let u = match staff(sess) {
        Ok(u) => u,
        Err(r) => return Ok(Err(*r)),
    };
    if !u.is_national_admin() {
        return Err(Error::Forbidden);
    }
    let (mut who, e) = sar_query(q);
    if !e.is_empty() {
        return Ok(Err(see_other("/staff/subject-access")));
    }
    let x = gather(st, &mut who).await?;
    audit::log(
        &st.db,
        &u.id,
        "subject_access.export",
        "subject-access",
        &format!("exported as {format}: {}", x.summary().to_lowercase()),
    )
    .await?;
    Ok(Ok((who, x)))
}

async fn export_json(
    State(st): State<Platform>,
    sess: Sess,
    Query(q): Query<BTreeMap<String, String>>,
) -> Page {
    let (who, x) = match export(&st, &sess, &q, "json").await? {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    let mut doc = serde_json::json!({
        "searched": {
            "name": who.name,
            "date_of_birth": who.date_of_birth,
            "email": who.email,
        },
        "generated_at": platform::now(),
        "accounts": x.accounts,
    });
    for s in &x.sections {
        doc[s.key] = s.json.clone();
    }
    let body = serde_json::to_string_pretty(&doc).map_err(|e| Error::Corrupt(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"subject-access.json\"".to_owned(),
            ),
        ],
        body,
    )
        .into_response())
}

async fn export_html(
    State(st): State<Platform>,
    sess: Sess,
    Query(q): Query<BTreeMap<String, String>>,
) -> Page {
    let (who, x) = match export(&st, &sess, &q, "html").await? {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    let whom = who.name.clone().or(who.email.clone()).unwrap_or_default();
    let doc = html! {
        (maud::DOCTYPE)
        html lang="en" {
            head { meta charset="utf-8"; title { "Information held about " (whom) } }
            body {
                h1 { "Information held about " (whom) }
                p { "Searched: " (searched(&who)) ". Produced " (pages::when(platform::now())) " UTC by Lifeline (HMPPS)." }
                h2 { "Accounts" }
                @if x.accounts.is_empty() { p { "None." } }
                @for a in &x.accounts { p { (a.name) ", " (a.email) " (" (a.kind) " account created " (pages::when(a.created_at)) ")" } }
                @for s in &x.sections { (s.html) }
            }
        }
    };
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"subject-access.html\"".to_owned(),
            ),
        ],
        doc.into_string(),
    )
        .into_response())
}

async fn audit_page(State(st): State<Platform>, sess: Sess) -> Page {
    let u = require!(staff(&sess));
    if !u.is_national_admin() {
        return Err(Error::Forbidden.into());
    }
    let entries = audit::recent(&st.db, None, 200).await?;
    // People are named, not keyed: the account's name and email address
    // for a person (who acted, or whose account was the record), the
    // actor's own word for the service ("system").
    let mut actors: Vec<&str> = entries
        .iter()
        .flat_map(|a| [a.actor.as_str(), a.subject.as_str()])
        .collect();
    actors.sort_unstable();
    actors.dedup();
    let mut names = std::collections::BTreeMap::new();
    if !actors.is_empty() {
        let marks: Vec<String> = (1..=actors.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT id, name, email FROM accounts WHERE id IN ({})",
            marks.join(", ")
        );
        let mut q = sqlx::query_as::<_, (String, String, String)>(&sql);
        for a in &actors {
            q = q.bind(*a);
        }
        for (id, name, email) in q.fetch_all(st.db.pool()).await.map_err(Error::from)? {
            names.insert(id, format!("{name} ({email})"));
        }
    }
    let who = |actor: &str| {
        names
            .get(actor)
            .cloned()
            .unwrap_or_else(|| actor.to_owned())
    };
    let c = sess.ctx(&st);
    Ok(c.page(
        "Audit log",
        &Errors::default(),
        html! {
            h1 class="govuk-heading-l" { "Audit log" }
            table class="govuk-table" {
                caption class="govuk-table__caption govuk-table__caption--m" { "Latest 200 entries" }
                thead class="govuk-table__head" { tr class="govuk-table__row" {
                    th scope="col" class="govuk-table__header" { "When (UTC)" }
                    th scope="col" class="govuk-table__header" { "Who" }
                    th scope="col" class="govuk-table__header" { "Action" }
                    th scope="col" class="govuk-table__header" { "Record" }
                    th scope="col" class="govuk-table__header" { "Detail" }
                } }
                tbody class="govuk-table__body" {
                    @for a in &entries {
                        tr class="govuk-table__row" {
                            td class="govuk-table__cell" { (pages::when(a.at)) }
                            td class="govuk-table__cell" { (who(&a.actor)) }
                            td class="govuk-table__cell" { (a.action) }
                            td class="govuk-table__cell" { (who(&a.subject)) }
                            td class="govuk-table__cell" { (a.detail) }
                        }
                    }
                }
            }
        },
    ))
}
