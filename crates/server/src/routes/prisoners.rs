//! Prisoners and their approved contacts, for prison staff: who is held at
//! each establishment they work at, and the people each may visit or call.
//! The list is the platform's (visits and video calls both read it), so
//! its pages are the server's.
//!
//! Every page is for staff who work at the establishment concerned: an
//! establishment the registry does not know, or a prisoner recorded
//! elsewhere, is "page not found"; an establishment the member of staff
//! does not work at is forbidden. Every view of a prisoner's list is
//! audited; every change is audited by the platform in the change's own
//! transaction.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use maud::{Markup, html};
use sqlx::Row;

use platform::contacts::{self, Contact, NewContact, Prisoner, Standing};
use platform::registry::Establishment;
use platform::rules::{Routes, Rule};
use platform::sessions::SessionUser;
use platform::web::{FormIn, OwnedCtx, Page, Platform, Sess, see_other};
use platform::{Error, audit, require, today};
use ui::forms::{self, Errors, get as field};
use ui::{Input, back, button, csrf, date_input, error_summary, input, radios, summary_list};

use super::admin::staff;

pub(super) fn routes() -> Routes<Platform> {
    use Rule::EstablishmentStaff as Staff;
    Routes::new()
        .get("/prisoners", Staff, pick_establishment)
        .get("/prisoners/{establishment}", Staff, prisoners_page)
        .get_post(
            "/prisoners/{establishment}/new",
            Staff,
            new_prisoner_form,
            new_prisoner_post,
        )
        .get(
            "/prisoners/{establishment}/{prisoner}",
            Staff,
            prisoner_page,
        )
        .post(
            "/prisoners/{establishment}/{prisoner}/contacts",
            Staff,
            add_contact_post,
        )
        .post(
            "/prisoners/{establishment}/{prisoner}/contacts/{contact}",
            Staff,
            standing_post,
        )
}

/// The message for a prison number that is not one.
const NUMBER_FORMAT: &str = "Prison number must be a letter, 4 numbers and 2 letters, like A1234BC";

/// The longest reason for suspending or withdrawing an approval.
const MAX_REASON: usize = 300;

/// Establishment `id`, if the member of staff works there.
async fn establishment_for(
    st: &Platform,
    u: &SessionUser,
    id: &str,
) -> Result<Establishment, Error> {
    let est = st
        .establishments()
        .await?
        .iter()
        .find(|e| e.id == id)
        .cloned()
        .ok_or(Error::NotFound)?;
    if !u.works_at(&est.id) {
        return Err(Error::Forbidden);
    }
    Ok(est)
}

/// The prisoner `id`, if they are held at `est`.
async fn prisoner_at(st: &Platform, est: &Establishment, id: &str) -> Result<Prisoner, Error> {
    contacts::prisoner(&st.db, id)
        .await?
        .filter(|p| p.establishment_id == est.id)
        .ok_or(Error::NotFound)
}

/// The member of staff, the establishment and the prisoner a prisoner's
/// page is about, or the response that refuses them.
async fn prisoner_for(
    st: &Platform,
    sess: &Sess,
    est: &str,
    prisoner: &str,
) -> Result<Result<(SessionUser, Establishment, Prisoner), Response>, Error> {
    let u = match staff(sess) {
        Ok(u) => u,
        Err(r) => return Ok(Err(*r)),
    };
    let est = establishment_for(st, &u, est).await?;
    let p = prisoner_at(st, &est, prisoner).await?;
    Ok(Ok((u, est, p)))
}

fn prisoner_path(est: &Establishment, p: &Prisoner) -> String {
    format!("/prisoners/{}/{}", est.id, p.id)
}

fn long(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

async fn pick_establishment(State(st): State<Platform>, sess: Sess) -> Page {
    let u = require!(staff(&sess));
    let all = st.establishments().await?;
    let mine: Vec<&Establishment> = all.iter().filter(|e| u.works_at(&e.id)).collect();
    if let [only] = mine.as_slice() {
        return Ok(see_other(&format!("/prisoners/{}", only.id)));
    }
    let c = sess.ctx(&st);
    Ok(c.page(
        "Prisoners and approved contacts",
        &Errors::default(),
        html! {
            (back(st.home_of(&u)))
            h1 class="govuk-heading-l" { "Prisoners and approved contacts" }
            @if mine.is_empty() {
                p class="govuk-body" { "Your account is not assigned to any establishment yet. Ask a national administrator." }
            } @else {
                p class="govuk-body" { "Choose the establishment whose prisoners you want to see." }
                ul class="govuk-list" {
                    @for e in &mine {
                        li { a class="govuk-link" href={ "/prisoners/" (e.id) } { (e.name) } }
                    }
                }
            }
        },
    ))
}

/// How many people on each prisoner's list at `est` may have contact
/// today (approved, or suspended or withdrawn only from a later date, as
/// [`Contact::approved_on`] judges).
async fn approved_counts(st: &Platform, est: &str) -> Result<BTreeMap<String, i64>, Error> {
    sqlx::query(
        "SELECT c.prisoner_id, COUNT(*) AS n FROM approved_contacts c \
         JOIN prisoners p ON p.id = c.prisoner_id \
         WHERE p.establishment_id = $1 AND (c.status = 'approved' OR c.status_from > $2) \
         GROUP BY c.prisoner_id",
    )
    .bind(est)
    .bind(today().to_string())
    .fetch_all(st.db.pool())
    .await?
    .iter()
    .map(|r| Ok((r.try_get::<String, _>(0)?, r.try_get::<i64, _>(1)?)))
    .collect::<Result<_, sqlx::Error>>()
    .map_err(Error::from)
}

async fn prisoners_page(
    State(st): State<Platform>,
    sess: Sess,
    Path(id): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Page {
    let u = require!(staff(&sess));
    let est = establishment_for(&st, &u, &id).await?;
    let mut e = Errors::default();
    if q.contains_key("number") {
        let typed = field(&q, "number");
        match contacts::prison_number(typed) {
            None if typed.trim().is_empty() => e.add("number", "Enter a prison number"),
            None => e.add("number", NUMBER_FORMAT),
            Some(n) => match contacts::prisoner_by_number(&st.db, &n).await? {
                Some(p) if p.establishment_id == est.id => {
                    return Ok(see_other(&prisoner_path(&est, &p)));
                }
                // Held elsewhere or nowhere: this page says only that they
                // are not recorded here.
                _ => e.add(
                    "number",
                    format!(
                        "No prisoner with prison number {n} is recorded at {}",
                        est.name
                    ),
                ),
            },
        }
    }
    let list = contacts::prisoners_at(&st.db, &est.id).await?;
    let counts = approved_counts(&st, &est.id).await?;
    // Staff of one establishment came from the visits home: the choice
    // of establishment would only send them back here.
    let several = st
        .establishments()
        .await?
        .iter()
        .filter(|x| u.works_at(&x.id))
        .nth(1)
        .is_some();
    let back_to = if several {
        "/prisoners"
    } else {
        st.home_of(&u)
    };
    audit::log(
        &st.db,
        &u.id,
        "prisoners.view",
        &est.id,
        &format!("viewed {} prisoners", list.len()),
    )
    .await?;
    let c = sess.ctx(&st);
    Ok(c.page(
        &format!("{} prisoners", est.name),
        &e,
        html! {
            (back(back_to))
            (error_summary(&e))
            span class="govuk-caption-l" { (est.name) }
            h1 class="govuk-heading-l" { "Prisoners and approved contacts" }
            form method="get" action={ "/prisoners/" (est.id) } novalidate {
                (input("number", "Find a prisoner by prison number", field(&q, "number"), &e, Input { hint: Some("A letter, 4 numbers and 2 letters, like A1234BC"), width: Some("10"), spellcheck_off: true, ..Default::default() }))
                button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Search" }
            }
            a href={ "/prisoners/" (est.id) "/new" } role="button" class="govuk-button" data-module="govuk-button" { "Record a prisoner" }
            @if list.is_empty() {
                p class="govuk-body" { "No prisoners are recorded at " (est.name) " yet. Until a prisoner is recorded here, their visitors are checked by the prison as before." }
            } @else {
                table class="govuk-table" {
                    caption class="govuk-table__caption govuk-table__caption--m" { "Prisoners recorded (" (list.len()) ")" }
                    thead class="govuk-table__head" { tr class="govuk-table__row" {
                        th scope="col" class="govuk-table__header" { "Name" }
                        th scope="col" class="govuk-table__header" { "Prison number" }
                        th scope="col" class="govuk-table__header govuk-table__header--numeric" { "Approved contacts" }
                    } }
                    tbody class="govuk-table__body" {
                        @for p in &list {
                            tr class="govuk-table__row" {
                                td class="govuk-table__cell" { a class="govuk-link" href=(prisoner_path(&est, p)) { (p.name) } }
                                td class="govuk-table__cell" { (p.number) }
                                td class="govuk-table__cell govuk-table__cell--numeric" { (counts.get(&p.id).copied().unwrap_or(0)) }
                            }
                        }
                    }
                }
            }
        },
    ))
}

fn render_new_prisoner(
    c: &OwnedCtx,
    est: &Establishment,
    f: &BTreeMap<String, String>,
    e: &Errors,
) -> Response {
    c.page(
        "Record a prisoner",
        e,
        html! {
            (back(&format!("/prisoners/{}", est.id)))
            div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                (error_summary(e))
                span class="govuk-caption-l" { (est.name) }
                h1 class="govuk-heading-l" { "Record a prisoner" }
                p class="govuk-body" { "Once a prisoner is recorded, visit requests for them are checked against the approved contacts you add." }
                form method="post" action={ "/prisoners/" (est.id) "/new" } novalidate {
                    (csrf(&c.csrf))
                    (input("prison-number", "Prison number", field(f, "prison-number"), e, Input { hint: Some("A letter, 4 numbers and 2 letters, like A1234BC"), width: Some("10"), spellcheck_off: true, ..Default::default() }))
                    (input("prisoner-name", "Full name", field(f, "prisoner-name"), e, Input { spellcheck_off: true, ..Default::default() }))
                    (button("Record prisoner"))
                }
            } }
        },
    )
}

async fn new_prisoner_form(State(st): State<Platform>, sess: Sess, Path(id): Path<String>) -> Page {
    let u = require!(staff(&sess));
    let est = establishment_for(&st, &u, &id).await?;
    let c = sess.ctx(&st);
    Ok(render_new_prisoner(
        &c,
        &est,
        &BTreeMap::new(),
        &Errors::default(),
    ))
}

async fn new_prisoner_post(
    State(st): State<Platform>,
    sess: Sess,
    Path(id): Path<String>,
    FormIn(f): FormIn,
) -> Page {
    let u = require!(staff(&sess));
    let est = establishment_for(&st, &u, &id).await?;
    let mut e = Errors::default();
    let typed = field(&f, "prison-number");
    let number = contacts::prison_number(typed);
    if number.is_none() {
        if typed.trim().is_empty() {
            e.add("prison-number", "Enter the prison number");
        } else {
            e.add("prison-number", NUMBER_FORMAT);
        }
    }
    let name = forms::name(
        field(&f, "prisoner-name"),
        "prisoner-name",
        "the prisoner's full name",
        &mut e,
    );
    if let (true, Some(number), Some(name)) = (e.is_empty(), number, name) {
        match contacts::add_prisoner(&st.db, &number, &name, &est.id, &u.actor()).await {
            Ok(p) => {
                sess.update(|s| s.notice = Some(format!("{} ({}) is recorded", p.name, p.number)));
                return Ok(see_other(&prisoner_path(&est, &p)));
            }
            // The number is checked above: what is left is a number
            // already recorded.
            Err(Error::Conflict(_)) => e.add(
                "prison-number",
                format!("Prison number {number} is already recorded"),
            ),
            Err(other) => return Err(other.into()),
        }
    }
    let c = sess.ctx(&st);
    Ok(render_new_prisoner(&c, &est, &f, &e))
}

/// A contact's standing as a tag.
fn standing_tag(s: Standing) -> Markup {
    let colour = match s {
        Standing::Approved => "govuk-tag--green",
        Standing::Suspended => "govuk-tag--yellow",
        Standing::Withdrawn => "govuk-tag--red",
    };
    ui::tag(colour, s.label())
}

/// The moves offered from a standing: (value, label, the standing it
/// leads to).
fn moves(s: Standing) -> &'static [(&'static str, &'static str, Standing)] {
    const SUSPEND: (&str, &str, Standing) = ("suspend", "Suspend", Standing::Suspended);
    const WITHDRAW: (&str, &str, Standing) = ("withdraw", "Withdraw", Standing::Withdrawn);
    const RESTORE: (&str, &str, Standing) = ("restore", "Restore approval", Standing::Approved);
    match s {
        Standing::Approved => &[SUSPEND, WITHDRAW],
        Standing::Suspended => &[RESTORE, WITHDRAW],
        Standing::Withdrawn => &[RESTORE],
    }
}

/// The prefix of a contact's own form fields (one form a contact on one
/// page).
fn prefix(c: &Contact) -> String {
    format!("contact-{}", c.id)
}

/// A date input's fields holding `d`.
fn date_fields(prefix: &str, d: NaiveDate) -> BTreeMap<String, String> {
    BTreeMap::from([
        (format!("{prefix}-day"), d.day().to_string()),
        (format!("{prefix}-month"), d.month().to_string()),
        (format!("{prefix}-year"), d.year().to_string()),
    ])
}

/// One contact: who they are, where their approval stands, and the form
/// that changes it (open when `f` and `e` are that form's, sent back).
fn contact_card(
    c: &OwnedCtx,
    action: &str,
    contact: &Contact,
    f: Option<&BTreeMap<String, String>>,
    e: &Errors,
) -> Markup {
    let px = prefix(contact);
    let status = html! {
        (standing_tag(contact.standing))
        @if let Some(from) = contact.from { " from " (long(from)) }
        @if let Some(r) = &contact.reason { br; "Reason: " (r) }
    };
    let rows = vec![
        (
            "Date of birth".to_owned(),
            html! { (long(contact.dob)) },
            None,
        ),
        (
            "Relationship".to_owned(),
            html! { (contact.relationship) },
            None,
        ),
        ("Status".to_owned(), status, None),
        (
            "Video calls".to_owned(),
            html! { @if contact.account_id.is_some() { "Linked to a video caller account" } @else { "Not linked to a video caller account" } },
            None,
        ),
    ];
    let options: Vec<(String, String, Option<Markup>)> = moves(contact.standing)
        .iter()
        .map(|(v, l, _)| (v.to_string(), l.to_string(), None))
        .collect();
    let needs_reason = moves(contact.standing)
        .iter()
        .any(|(_, _, s)| *s != Standing::Approved);
    let date_field = format!("{px}-date");
    let fields = f
        .cloned()
        .unwrap_or_else(|| date_fields(&date_field, today()));
    let action_field = format!("{px}-action");
    let reason_field = format!("{px}-reason");
    html! {
        div class="govuk-summary-card" {
            div class="govuk-summary-card__title-wrapper" {
                h3 class="govuk-summary-card__title" { (contact.name) }
            }
            div class="govuk-summary-card__content" {
                (summary_list(&rows))
                details class="govuk-details govuk-!-margin-bottom-0" open[f.is_some()] {
                    summary class="govuk-details__summary" {
                        span class="govuk-details__summary-text" {
                            @if contact.standing == Standing::Approved { "Suspend or withdraw" } @else { "Change this approval" }
                            span class="govuk-visually-hidden" { " for " (contact.name) }
                        }
                    }
                    div class="govuk-details__text" {
                        form method="post" action=(action) novalidate {
                            (csrf(&c.csrf))
                            (radios(&action_field, "What do you want to do?", &options, field(&fields, &action_field), e))
                            @if needs_reason {
                                (input(&reason_field, "Reason", field(&fields, &reason_field), e, Input { hint: Some("Needed to suspend or withdraw. Seen by staff only"), ..Default::default() }))
                                (date_input(&date_field, "From", "Needed to suspend or withdraw. For example, 27 3 2026", &fields, e, false))
                            }
                            button type="submit" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" data-module="govuk-button" {
                                "Save" span class="govuk-visually-hidden" { " the approval of " (contact.name) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// What a prisoner's page sends back: the form that was sent (the add
/// form, or one contact's) with its problems.
#[derive(Clone, Copy)]
enum Sent<'a> {
    Nothing,
    Add(&'a BTreeMap<String, String>),
    Contact(&'a str, &'a BTreeMap<String, String>),
}

fn render_prisoner(
    c: &OwnedCtx,
    est: &Establishment,
    p: &Prisoner,
    list: &[Contact],
    sent: Sent<'_>,
    e: &Errors,
) -> Response {
    let empty = BTreeMap::new();
    let add = match sent {
        Sent::Add(f) => f,
        _ => &empty,
    };
    let base = prisoner_path(est, p);
    c.page(
        &format!("{} approved contacts", p.name),
        e,
        html! {
            (back(&format!("/prisoners/{}", est.id)))
            div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                (error_summary(e))
                span class="govuk-caption-l" { (est.name) }
                h1 class="govuk-heading-l" { (p.name) }
                p class="govuk-body" { "Prison number " strong { (p.number) } }
                h2 class="govuk-heading-m" { "Approved contacts (" (list.len()) ")" }
                @if list.is_empty() {
                    p class="govuk-body" { "No one is on " (p.name) "'s approved list yet: visit requests for them will be refused until their visitors are added." }
                }
                @for contact in list {
                    @let mine = match sent { Sent::Contact(id, f) if id == contact.id => Some(f), _ => None };
                    (contact_card(c, &format!("{base}/contacts/{}", contact.id), contact, mine, e))
                }
                h2 class="govuk-heading-m" { "Add a contact" }
                form method="post" action={ (base) "/contacts" } novalidate {
                    (csrf(&c.csrf))
                    (input("contact-name", "Full name", field(add, "contact-name"), e, Input { spellcheck_off: true, ..Default::default() }))
                    (date_input("contact-dob", "Date of birth", "For example, 27 3 1985", add, e, false))
                    (input("contact-relationship", "Relationship to the prisoner", field(add, "contact-relationship"), e, Input { hint: Some("For example, mother, partner or friend"), ..Default::default() }))
                    (button("Add to the approved list"))
                }
            } }
        },
    )
}

async fn prisoner_page(
    State(st): State<Platform>,
    sess: Sess,
    Path((est, prisoner)): Path<(String, String)>,
) -> Page {
    let (u, est, p) = match prisoner_for(&st, &sess, &est, &prisoner).await? {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    let list = contacts::contacts_of(&st.db, &p.id).await?;
    audit::log(
        &st.db,
        &u.id,
        "contacts.view",
        &p.id,
        &format!("viewed {} approved contacts", list.len()),
    )
    .await?;
    let c = sess.ctx(&st);
    Ok(render_prisoner(
        &c,
        &est,
        &p,
        &list,
        Sent::Nothing,
        &Errors::default(),
    ))
}

/// A same person already on a list: name (case and spacing aside) and
/// date of birth.
fn same_person(c: &Contact, name: &str, dob: NaiveDate) -> bool {
    let fold = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    c.dob == dob && fold(&c.name) == fold(name)
}

async fn add_contact_post(
    State(st): State<Platform>,
    sess: Sess,
    Path((est, prisoner)): Path<(String, String)>,
    FormIn(f): FormIn,
) -> Page {
    let (u, est, p) = match prisoner_for(&st, &sess, &est, &prisoner).await? {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    let list = contacts::contacts_of(&st.db, &p.id).await?;
    let mut e = Errors::default();
    let name = forms::name(
        field(&f, "contact-name"),
        "contact-name",
        "their full name",
        &mut e,
    );
    let dob = forms::date_of_birth(&f, "contact-dob", "their date of birth", today(), &mut e);
    let relationship = field(&f, "contact-relationship").trim();
    if relationship.is_empty() {
        e.add(
            "contact-relationship",
            "Enter their relationship to the prisoner",
        );
    } else if relationship.chars().count() > forms::MAX_LINE
        || forms::has_control(relationship, false)
    {
        e.add(
            "contact-relationship",
            format!(
                "Relationship must be {} characters or fewer, on one line",
                forms::MAX_LINE
            ),
        );
    }
    if let (Some(name), Some(dob)) = (&name, dob)
        && let Some(already) = list.iter().find(|c| same_person(c, name, dob))
    {
        let message = if already.standing == Standing::Approved {
            format!("{} is already on the approved list", already.name)
        } else {
            format!(
                "{} is already on the list, {}: restore their approval instead",
                already.name,
                already.standing.label().to_lowercase()
            )
        };
        e.add("contact-name", message);
    }
    if let (true, Some(name), Some(dob)) = (e.is_empty(), name, dob) {
        let new = NewContact {
            account_id: None,
            name: &name,
            dob,
            relationship,
        };
        let mut tx = st.db.begin_write().await?;
        match contacts::approve(&mut tx, &p.id, &new, &u.actor()).await {
            Ok(_) => {
                tx.commit().await.map_err(Error::from)?;
                sess.update(|s| {
                    s.notice = Some(format!("{name} is added to {}'s approved contacts", p.name))
                });
                return Ok(see_other(&prisoner_path(&est, &p)));
            }
            Err(Error::Conflict(m)) => e.add("contact-name", forms::capital(&m)),
            Err(other) => return Err(other.into()),
        }
    }
    let c = sess.ctx(&st);
    Ok(render_prisoner(&c, &est, &p, &list, Sent::Add(&f), &e))
}

async fn standing_post(
    State(st): State<Platform>,
    sess: Sess,
    Path((est, prisoner, contact)): Path<(String, String, String)>,
    FormIn(f): FormIn,
) -> Page {
    let (u, est, p) = match prisoner_for(&st, &sess, &est, &prisoner).await? {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    let contact = contacts::contact(&st.db, &contact)
        .await?
        .filter(|c| c.prisoner_id == p.id)
        .ok_or(Error::NotFound)?;
    let px = prefix(&contact);
    let action_field = format!("{px}-action");
    let reason_field = format!("{px}-reason");
    let date_field = format!("{px}-date");
    let mut e = Errors::default();
    let chosen = field(&f, &action_field);
    let to = moves(contact.standing)
        .iter()
        .find(|(v, _, _)| *v == chosen)
        .map(|(_, _, s)| *s);
    if to.is_none() {
        let offered: Vec<String> = moves(contact.standing)
            .iter()
            .map(|(_, l, _)| l.to_lowercase())
            .collect();
        e.add(&action_field, format!("Select {}", offered.join(" or ")));
    }
    let mut reason = String::new();
    let mut from = today();
    if matches!(to, Some(Standing::Suspended | Standing::Withdrawn)) {
        match forms::free_text(
            field(&f, &reason_field),
            &reason_field,
            "the reason",
            &mut e,
        ) {
            Some(r) if r.is_empty() => e.add(
                &reason_field,
                "Enter the reason for suspending or withdrawing the approval",
            ),
            Some(r) if r.chars().count() > MAX_REASON => e.add(
                &reason_field,
                format!("The reason must be {MAX_REASON} characters or fewer"),
            ),
            Some(r) => reason = r,
            None => {}
        }
        let typed = ["day", "month", "year"]
            .iter()
            .any(|part| !field(&f, &format!("{date_field}-{part}")).trim().is_empty());
        // Left empty, it applies from today.
        if typed && let Some(d) = forms::date(&f, &date_field, "the date it applies from", &mut e) {
            if d < today() {
                e.add(&date_field, "The date must be today or in the future");
            } else {
                from = d;
            }
        }
    }
    if let (true, Some(to)) = (e.is_empty(), to) {
        match contacts::set_standing(&st.db, &contact.id, to, &reason, from, &u.actor()).await {
            Ok(()) => {
                let notice = match to {
                    Standing::Approved => format!("{} is approved again", contact.name),
                    Standing::Suspended => {
                        format!("{} is suspended from {}", contact.name, long(from))
                    }
                    Standing::Withdrawn => {
                        format!(
                            "{}'s approval is withdrawn from {}",
                            contact.name,
                            long(from)
                        )
                    }
                };
                sess.update(|s| s.notice = Some(notice));
                return Ok(see_other(&prisoner_path(&est, &p)));
            }
            Err(Error::Conflict(m)) => e.add(&reason_field, forms::capital(&m)),
            Err(other) => return Err(other.into()),
        }
    }
    let list = contacts::contacts_of(&st.db, &p.id).await?;
    let c = sess.ctx(&st);
    Ok(render_prisoner(
        &c,
        &est,
        &p,
        &list,
        Sent::Contact(&contact.id, &f),
        &e,
    ))
}
