//! Visit requests: what a family asks for, how it is checked, and the state
//! machine staff move it through (requested, then booked or rejected; either
//! side may cancel).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sqlx::Row;

use platform::contacts::{self, Check};
use platform::db::{Db, is_unique_violation};
use platform::ids::new_id;
use platform::workflow::{Change, Step};
use platform::{Error, Result, now, outbox};
use ui::forms::{self, Errors, get};

use crate::establishments::{self, Establishment, SessionSlot};
use crate::workflow::{self, WORKFLOW};

/// Additional visitors a request may name besides the lead visitor.
pub const MAX_ADDITIONAL_VISITORS: usize = 5;
/// Adults (18 and over) a visit may include, the lead visitor among them.
pub const MAX_ADULTS: usize = 3;
/// Sessions a request may list, in order of preference.
pub const MAX_PREFERENCES: usize = 3;

/// A request being filled in: the raw answers so far (so a page shows back
/// exactly what was typed), kept in the session.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Draft {
    /// Field name to what was typed.
    pub fields: BTreeMap<String, String>,
    /// The pages completed.
    pub done: Vec<String>,
    /// The key of the final submission: a second press of the button
    /// finds the request the first one made.
    pub idempotency_key: String,
}

impl Draft {
    /// Records a page's answers: only the fields `names` lists (a trailing
    /// `*` matches a prefix), each cut to a bounded length.
    pub fn merge(&mut self, fields: impl IntoIterator<Item = (String, String)>, names: &[&str]) {
        for (k, v) in fields {
            if names
                .iter()
                .any(|n| k == *n || (n.ends_with('*') && k.starts_with(&n[..n.len() - 1])))
            {
                self.fields.insert(k, forms::bounded(&v));
            }
        }
    }

    /// Whether a page has been completed.
    pub fn has(&self, page: &str) -> bool {
        self.done.iter().any(|d| d == page)
    }
}

/// The person in prison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Prisoner {
    /// Full name.
    pub name: String,
    /// Date of birth.
    pub dob: NaiveDate,
    /// Prison number, A1234BC.
    pub number: String,
}

/// A visitor: the lead visitor or an additional one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    /// Full name.
    pub name: String,
    /// Date of birth.
    pub dob: NaiveDate,
}

/// The lead visitor, who is contacted about the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lead {
    /// Name and date of birth.
    pub person: Person,
    /// Email address.
    pub email: String,
    /// Phone number.
    pub phone: String,
}

/// A complete, checked request.
#[derive(Debug, Clone)]
pub struct VisitRequest {
    /// The account making it.
    pub account_id: Option<String>,
    /// Where.
    pub establishment_id: String,
    /// Whom.
    pub prisoner: Prisoner,
    /// Who asks.
    pub lead: Lead,
    /// Who else comes.
    pub visitors: Vec<Person>,
    /// Sessions in order of preference.
    pub preferences: Vec<SessionSlot>,
    /// Anything the prison should know (access needs and so on).
    pub support_needs: String,
    /// Makes a repeated submission harmless.
    pub idempotency_key: String,
}

/// Checks the prisoner page.
pub fn check_prisoner(
    f: &BTreeMap<String, String>,
    establishments: &[Establishment],
    today: NaiveDate,
) -> Result<(String, Prisoner), Errors> {
    let mut e = Errors::default();
    let est = get(f, "establishment");
    if !establishments.iter().any(|x| x.id == est) {
        e.add("establishment", "Select the prison you want to visit");
    }
    let name = forms::name(
        get(f, "prisoner-name"),
        "prisoner-name",
        "the prisoner's full name",
        &mut e,
    );
    let dob = forms::date_of_birth(
        f,
        "prisoner-dob",
        "the prisoner's date of birth",
        today,
        &mut e,
    );
    if let Some(d) = dob
        && forms::age_on(d, today) < 10
    {
        e.add(
            "prisoner-dob",
            "Check the prisoner's date of birth: they must be 10 or older",
        );
    }
    let number = forms::prisoner_number(get(f, "prisoner-number"), "prisoner-number", &mut e);
    match (name, dob, number) {
        (Some(name), Some(dob), Some(number)) if e.is_empty() => {
            Ok((est.to_owned(), Prisoner { name, dob, number }))
        }
        _ => Err(e),
    }
}

/// Checks the visitors page: the lead visitor (18 or over) and up to five
/// more, at most three adults in all.
pub fn check_visitors(
    f: &BTreeMap<String, String>,
    today: NaiveDate,
) -> Result<(Lead, Vec<Person>), Errors> {
    let mut e = Errors::default();
    let name = forms::name(get(f, "lead-name"), "lead-name", "your full name", &mut e);
    let dob = forms::date_of_birth(f, "lead-dob", "your date of birth", today, &mut e);
    if let Some(d) = dob
        && forms::age_on(d, today) < 18
    {
        e.add(
            "lead-dob",
            "You must be 18 or older to book a visit: ask an adult to book it",
        );
    }
    let email = forms::email(get(f, "lead-email"), "lead-email", &mut e);
    let phone = forms::phone(get(f, "lead-phone"), "lead-phone", &mut e);
    let mut visitors = Vec::new();
    let mut adults = usize::from(dob.is_some_and(|d| forms::age_on(d, today) >= 18));
    for i in 1..=MAX_ADDITIONAL_VISITORS {
        let nf = format!("visitor-{i}-name");
        let df = format!("visitor-{i}-dob");
        if !row_typed(f, i) {
            continue;
        }
        let typed_name = get(f, &nf).trim();
        let n = forms::name(typed_name, &nf, &format!("visitor {i}'s full name"), &mut e);
        let d = forms::date_of_birth(
            f,
            &df,
            &format!("visitor {i}'s date of birth"),
            today,
            &mut e,
        );
        if let (Some(name), Some(dob)) = (n, d) {
            if forms::age_on(dob, today) >= 18 {
                adults += 1;
                if adults > MAX_ADULTS {
                    e.add(&df, format!("A visit can include at most {MAX_ADULTS} adults (18 or older), including you"));
                }
            }
            visitors.push(Person { name, dob });
        }
    }
    // Names beyond the fifth row cannot be typed on the page; any sent
    // anyway are refused, not dropped silently.
    if f.keys().any(|k| {
        k.starts_with("visitor-")
            && !(1..=MAX_ADDITIONAL_VISITORS).any(|i| k.starts_with(&format!("visitor-{i}-")))
    }) {
        e.add(
            "visitor-1-name",
            format!("A visit can include at most {MAX_ADDITIONAL_VISITORS} other visitors"),
        );
    }
    match (name, dob, email, phone) {
        (Some(name), Some(dob), Some(email), Some(phone)) if e.is_empty() => Ok((
            Lead {
                person: Person { name, dob },
                email,
                phone,
            },
            visitors,
        )),
        _ => Err(e),
    }
}

/// Whether anything was typed in additional visitor row `i` (an empty row
/// is skipped, not refused).
fn row_typed(f: &BTreeMap<String, String>, i: usize) -> bool {
    let typed_date = ["day", "month", "year"]
        .iter()
        .any(|p| !get(f, &format!("visitor-{i}-dob-{p}")).trim().is_empty());
    !get(f, &format!("visitor-{i}-name")).trim().is_empty() || typed_date
}

/// The name field of each additional visitor [`check_visitors`] returns,
/// in its order.
fn visitor_name_fields(f: &BTreeMap<String, String>) -> Vec<String> {
    (1..=MAX_ADDITIONAL_VISITORS)
        .filter(|i| row_typed(f, *i))
        .map(|i| format!("visitor-{i}-name"))
        .collect()
}

/// Checks a request's visitors against the prisoner's approved visitor
/// list (the platform's), on the day of the earliest session asked for.
/// A prisoner the list does not record is allowed: their prison keeps its
/// list elsewhere and checks it itself. Each visitor not approved is a
/// problem on their name field of the visitors page whose answers `f` are.
pub async fn check_approved_visitors(
    db: &Db,
    req: &VisitRequest,
    f: &BTreeMap<String, String>,
) -> Result<Errors> {
    let mut e = Errors::default();
    let Some(day) = req.preferences.iter().map(|s| s.date).min() else {
        return Ok(e);
    };
    let mut people = vec![("lead-name".to_owned(), &req.lead.person)];
    people.extend(visitor_name_fields(f).into_iter().zip(&req.visitors));
    let prisoner = &req.prisoner.name;
    for (field, person) in people {
        match contacts::check_person(db, &req.prisoner.number, &person.name, person.dob, day)
            .await?
        {
            Check::NotRecorded => break,
            Check::Approved => {}
            Check::NotApproved => e.add(
                field,
                format!(
                    "{} is not on {prisoner}'s approved visitor list. Ask {prisoner} to add them, or remove them from this request.",
                    person.name
                ),
            ),
        }
    }
    Ok(e)
}

/// What the prisoner's approved visitor list says, on `day`, of each
/// person (name, date of birth as stored): none for a date that cannot be
/// read.
pub async fn approved_list_says(
    db: &Db,
    prisoner_number: &str,
    people: &[(&str, &str)],
    day: NaiveDate,
) -> Result<Vec<Option<Check>>> {
    let mut out = Vec::with_capacity(people.len());
    for (name, dob) in people {
        out.push(match NaiveDate::parse_from_str(dob, "%Y-%m-%d") {
            Ok(dob) => Some(contacts::check_person(db, prisoner_number, name, dob, day).await?),
            Err(_) => None,
        });
    }
    Ok(out)
}

/// Checks the sessions page against what is bookable today.
pub fn check_sessions(
    f: &BTreeMap<String, String>,
    available: &[SessionSlot],
    range: (NaiveDate, NaiveDate),
) -> Result<Vec<SessionSlot>, Errors> {
    let mut e = Errors::default();
    let mut chosen: Vec<SessionSlot> = Vec::new();
    for i in 1..=MAX_PREFERENCES {
        let field = format!("session-{i}");
        let v = get(f, &field).trim();
        if v.is_empty() {
            if i == 1 {
                e.add(&field, "Choose at least one session");
            }
            continue;
        }
        match available.iter().find(|s| s.id == v) {
            Some(s) if chosen.iter().any(|c| c.id == s.id) => {
                e.add(&field, "Choose a different session for each choice");
            }
            Some(s) => chosen.push(s.clone()),
            None => {
                let date = v
                    .split('/')
                    .nth(1)
                    .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
                let msg = match date {
                    Some(d) if d < range.0 => {
                        "That session is too soon or in the past: choose a later session"
                    }
                    Some(d) if d > range.1 => {
                        "That session is too far ahead: choose one within the booking window"
                    }
                    _ => "That session is no longer available: choose another session",
                };
                e.add(&field, msg);
            }
        }
    }
    if e.is_empty() { Ok(chosen) } else { Err(e) }
}

/// Checks the support needs page.
pub fn check_support(f: &BTreeMap<String, String>) -> Result<String, Errors> {
    let mut e = Errors::default();
    match forms::free_text(
        get(f, "support-needs"),
        "support-needs",
        "support needs",
        &mut e,
    ) {
        Some(s) if e.is_empty() => Ok(s),
        _ => Err(e),
    }
}

/// What happened to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Waiting for staff.
    Requested,
    /// Accepted into a session.
    Booked,
    /// Turned down.
    Rejected,
    /// Called off by the visitor or by staff.
    Cancelled,
}

impl Status {
    /// Every state, in lifecycle order.
    pub const ALL: [Status; 4] = [
        Status::Requested,
        Status::Booked,
        Status::Rejected,
        Status::Cancelled,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Status::Requested => "requested",
            Status::Booked => "booked",
            Status::Rejected => "rejected",
            Status::Cancelled => "cancelled",
        }
    }

    fn parse(s: &str) -> Result<Status> {
        Ok(match s {
            "requested" => Status::Requested,
            "booked" => Status::Booked,
            "rejected" => Status::Rejected,
            "cancelled" => Status::Cancelled,
            _ => return Err(Error::Corrupt(format!("visit status {s:?}"))),
        })
    }

    /// How people read it.
    pub fn label(self) -> &'static str {
        match self {
            Status::Requested => "Requested",
            Status::Booked => "Booked",
            Status::Rejected => "Not accepted",
            Status::Cancelled => "Cancelled",
        }
    }
}

impl platform::workflow::State for Status {
    fn as_str(&self) -> &'static str {
        Status::as_str(*self)
    }

    fn label(&self) -> &'static str {
        Status::label(*self)
    }
}

/// Whether a visit happens in the open hall or behind a screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VisitKind {
    /// Open visit.
    Open,
    /// Closed visit.
    Closed,
}

impl VisitKind {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            VisitKind::Open => "open",
            VisitKind::Closed => "closed",
        }
    }
}

/// The standard reasons for turning a request down.
pub const REJECTION_REASONS: &[(&str, &str)] = &[
    (
        "no_allowance",
        "The prisoner has no visiting allowance left",
    ),
    (
        "not_on_list",
        "A visitor is not on the prisoner's approved visitor list",
    ),
    ("banned", "A visitor is banned from visiting"),
    ("prisoner_moved", "The prisoner has moved or been released"),
    ("session_full", "The sessions chosen are full"),
    ("child_protection", "Child protection issues"),
    ("duplicate", "This is a duplicate request"),
    ("other", "Other"),
];

/// A standard reason's wording.
pub fn reason_label(code: &str) -> &str {
    REJECTION_REASONS
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, l)| *l)
        .unwrap_or(code)
}

/// A stored request.
#[derive(Debug, Clone, Serialize)]
pub struct Visit {
    /// Key.
    pub id: String,
    /// What the family quotes, ABC-DEF-GH.
    pub reference: String,
    /// The account that made it.
    pub account_id: Option<String>,
    /// Where.
    pub establishment_id: String,
    /// State.
    pub status: Status,
    /// Lead visitor.
    pub lead_name: String,
    /// Lead visitor's date of birth.
    pub lead_dob: String,
    /// Lead visitor's email.
    pub lead_email: String,
    /// Lead visitor's phone.
    pub lead_phone: String,
    /// Prisoner's name.
    pub prisoner_name: String,
    /// Prisoner's date of birth.
    pub prisoner_dob: String,
    /// Prison number.
    pub prisoner_number: String,
    /// Support needs.
    pub support_needs: String,
    /// Preferred sessions, in order.
    pub preferences: Vec<String>,
    /// Additional visitors: name and date of birth.
    pub visitors: Vec<(String, String)>,
    /// The session allocated.
    pub allocated_slot: Option<String>,
    /// Open or closed, once booked.
    pub visit_kind: Option<String>,
    /// Why it was rejected or cancelled (a code for rejections).
    pub reason: Option<String>,
    /// Free-text detail of the reason.
    pub reason_detail: Option<String>,
    /// For a ban, until when.
    pub banned_until: Option<String>,
    /// The date retention counts from.
    pub visit_date: String,
    /// When made.
    pub created_at: i64,
}

/// One step in a request's history.
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    /// When.
    pub at: i64,
    /// Who (an account key, or "visitor"/"system").
    pub actor: String,
    /// From.
    pub from_status: Option<String>,
    /// To.
    pub to_status: String,
    /// What.
    pub detail: String,
}

pub use platform::ids::{REFERENCE_ALPHABET, new_reference};

/// A reference as typed (any case, spaces or hyphens anywhere) in the
/// stored form.
pub fn normalise_reference(typed: &str) -> String {
    let raw: String = typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if raw.len() != 8 {
        return raw;
    }
    format!("{}-{}-{}", &raw[..3], &raw[3..6], &raw[6..])
}

/// The outcome of a submission.
#[derive(Debug, Clone)]
pub struct Submitted {
    /// Key.
    pub id: String,
    /// Reference.
    pub reference: String,
    /// True when this was a repeat of a submission already stored.
    pub repeated: bool,
}

/// Stores a request, its visitors, its first history line and the
/// acknowledgement email, all or nothing.
pub async fn submit(db: &Db, req: &VisitRequest) -> Result<Submitted> {
    if req.preferences.is_empty() {
        return Err(Error::Conflict(
            "a request needs at least one session".into(),
        ));
    }
    if let Some(found) = find_by_idempotency_key(db, &req.idempotency_key).await? {
        return Ok(found);
    }
    for attempt in 0..5 {
        let reference = new_reference(&mut rand::rng());
        match insert(db, req, &reference).await {
            Ok(Some(id)) => {
                return Ok(Submitted {
                    id,
                    reference,
                    repeated: false,
                });
            }
            // Lost a race with an identical submission: report that one.
            Ok(None) => {
                return find_by_idempotency_key(db, &req.idempotency_key)
                    .await?
                    .ok_or_else(|| Error::Corrupt("idempotency key vanished".into()));
            }
            Err(e) if is_unique_violation(&e) && attempt < 4 => continue,
            Err(e) => return Err(e),
        }
    }
    Err(Error::Conflict("could not allocate a reference".into()))
}

/// The reference of the request an account made with an idempotency key.
pub async fn find_for_account_by_key(
    db: &Db,
    account_id: &str,
    key: &str,
) -> Result<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT reference FROM visits WHERE idempotency_key = $1 AND account_id = $2",
    )
    .bind(key)
    .bind(account_id)
    .fetch_optional(db.pool())
    .await?)
}

async fn find_by_idempotency_key(db: &Db, key: &str) -> Result<Option<Submitted>> {
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT id, reference FROM visits WHERE idempotency_key = $1")
            .bind(key)
            .fetch_optional(db.pool())
            .await?;
    Ok(row.map(|(id, reference)| Submitted {
        id,
        reference,
        repeated: true,
    }))
}

async fn insert(db: &Db, req: &VisitRequest, reference: &str) -> Result<Option<String>> {
    let id = new_id();
    let t = now();
    let last_date = req
        .preferences
        .iter()
        .map(|p| p.date)
        .max()
        .unwrap_or_else(platform::today);
    let pref = |i: usize| req.preferences.get(i).map(|p| p.id.clone());
    // Read before the transaction: a transaction that waits for a second
    // pooled connection can starve the pool.
    let est = establishments::get(db, &req.establishment_id).await?;
    let mut tx = db.begin_write().await?;
    let inserted = sqlx::query(
        "INSERT INTO visits (id, reference, idempotency_key, account_id, establishment_id, status, \
         lead_name, lead_dob, lead_email, lead_phone, prisoner_name, prisoner_dob, prisoner_number, \
         support_needs, pref1, pref2, pref3, visit_date, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $19, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18) \
         ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(&id)
    .bind(reference)
    .bind(&req.idempotency_key)
    .bind(req.account_id.clone())
    .bind(&req.establishment_id)
    .bind(&req.lead.person.name)
    .bind(req.lead.person.dob.to_string())
    .bind(&req.lead.email)
    .bind(&req.lead.phone)
    .bind(&req.prisoner.name)
    .bind(req.prisoner.dob.to_string())
    .bind(&req.prisoner.number)
    .bind(&req.support_needs)
    .bind(pref(0).unwrap_or_default())
    .bind(pref(1))
    .bind(pref(2))
    .bind(last_date.to_string())
    .bind(t)
    .bind(WORKFLOW.initial.as_str())
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() == 0 {
        tx.rollback().await?;
        return Ok(None);
    }
    for slot in &req.preferences {
        establishments::ensure_slot(&mut tx, &req.establishment_id, slot).await?;
    }
    for (i, v) in req.visitors.iter().enumerate() {
        sqlx::query(
            "INSERT INTO visit_visitors (visit_id, position, name, dob) VALUES ($1, $2, $3, $4)",
        )
        .bind(&id)
        .bind(i as i64 + 1)
        .bind(&v.name)
        .bind(v.dob.to_string())
        .execute(&mut *tx)
        .await?;
    }
    record_event(
        &mut tx,
        &id,
        "visitor",
        None,
        WORKFLOW.initial,
        "request made",
    )
    .await?;
    let mut body = format!(
        "Dear {},\n\nWe have received your request to visit {} at {}.\n\nYour reference is {}.\n\nSessions you asked for, in order:\n",
        req.lead.person.name, req.prisoner.name, est.name, reference
    );
    for (i, p) in req.preferences.iter().enumerate() {
        body.push_str(&format!("  {}. {}\n", i + 1, p.label()));
    }
    body.push_str("\nThe prison will check your request and we will email you when it has been accepted or not. This is not yet a confirmed visit.\n\nYou can view or cancel the request by signing in to Visit someone in prison.\n");
    outbox::enqueue(
        &mut tx,
        Some(&id),
        &req.lead.email,
        &format!("Visit request received: {reference}"),
        &body,
    )
    .await?;
    tx.commit().await?;
    Ok(Some(id))
}

/// Writes a line of a request's history without moving it (moves write
/// their own through [`WORKFLOW`]).
pub async fn record_event(
    conn: &mut sqlx::AnyConnection,
    visit_id: &str,
    actor: &str,
    from: Option<Status>,
    to: Status,
    detail: &str,
) -> Result<()> {
    WORKFLOW
        .record(
            conn,
            &Step {
                id: visit_id,
                actor,
                at: now(),
                from,
                to,
                detail,
            },
        )
        .await
}

const VISIT_COLUMNS: &str = "id, reference, account_id, establishment_id, status, lead_name, lead_dob, lead_email, \
    lead_phone, prisoner_name, prisoner_dob, prisoner_number, support_needs, pref1, pref2, pref3, allocated_slot, \
    visit_kind, reason, reason_detail, banned_until, visit_date, created_at";

fn visit_from_row(r: &sqlx::any::AnyRow) -> Result<Visit> {
    let status: String = r.try_get("status")?;
    let prefs: Vec<String> = [
        r.try_get::<Option<String>, _>("pref1")?,
        r.try_get("pref2")?,
        r.try_get("pref3")?,
    ]
    .into_iter()
    .flatten()
    .filter(|p| !p.is_empty())
    .collect();
    Ok(Visit {
        id: r.try_get("id")?,
        reference: r.try_get("reference")?,
        account_id: r.try_get("account_id")?,
        establishment_id: r.try_get("establishment_id")?,
        status: Status::parse(&status)?,
        lead_name: r.try_get("lead_name")?,
        lead_dob: r.try_get("lead_dob")?,
        lead_email: r.try_get("lead_email")?,
        lead_phone: r.try_get("lead_phone")?,
        prisoner_name: r.try_get("prisoner_name")?,
        prisoner_dob: r.try_get("prisoner_dob")?,
        prisoner_number: r.try_get("prisoner_number")?,
        support_needs: r.try_get("support_needs")?,
        preferences: prefs,
        visitors: Vec::new(),
        allocated_slot: r.try_get("allocated_slot")?,
        visit_kind: r.try_get("visit_kind")?,
        reason: r.try_get("reason")?,
        reason_detail: r.try_get("reason_detail")?,
        banned_until: r.try_get("banned_until")?,
        visit_date: r.try_get("visit_date")?,
        created_at: r.try_get("created_at")?,
    })
}

async fn with_visitors(db: &Db, mut v: Visit) -> Result<Visit> {
    let rows =
        sqlx::query("SELECT name, dob FROM visit_visitors WHERE visit_id = $1 ORDER BY position")
            .bind(&v.id)
            .fetch_all(db.pool())
            .await?;
    v.visitors = rows
        .iter()
        .map(|r| Ok((r.try_get("name")?, r.try_get("dob")?)))
        .collect::<Result<_>>()?;
    Ok(v)
}

/// A request by key, with its visitors.
pub async fn get_visit(db: &Db, id: &str) -> Result<Visit> {
    let row = sqlx::query(&format!("SELECT {VISIT_COLUMNS} FROM visits WHERE id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(Error::NotFound)?;
    with_visitors(db, visit_from_row(&row)?).await
}

/// A request by reference, only if `account_id` made it.
pub async fn get_for_account(db: &Db, account_id: &str, reference: &str) -> Result<Visit> {
    let row = sqlx::query(&format!(
        "SELECT {VISIT_COLUMNS} FROM visits WHERE reference = $1 AND account_id = $2"
    ))
    .bind(normalise_reference(reference))
    .bind(account_id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(Error::NotFound)?;
    with_visitors(db, visit_from_row(&row)?).await
}

/// An account's requests, newest first.
pub async fn list_for_account(db: &Db, account_id: &str) -> Result<Vec<Visit>> {
    let rows = sqlx::query(&format!(
        "SELECT {VISIT_COLUMNS} FROM visits WHERE account_id = $1 ORDER BY created_at DESC, reference"
    ))
    .bind(account_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(visit_from_row).collect()
}

/// An establishment's requests in a state, oldest first (the queue), at
/// most `limit`.
pub async fn by_status(
    db: &Db,
    establishment: &str,
    status: Status,
    limit: i64,
) -> Result<Vec<Visit>> {
    let rows = sqlx::query(&format!(
        "SELECT {VISIT_COLUMNS} FROM visits WHERE establishment_id = $1 AND status = $2 \
         ORDER BY created_at, reference LIMIT $3"
    ))
    .bind(establishment)
    .bind(status.as_str())
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(visit_from_row).collect()
}

/// How many requests wait in an establishment's queue.
pub async fn queue_length(db: &Db, establishment: &str) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM visits WHERE establishment_id = $1 AND status = 'requested'",
    )
    .bind(establishment)
    .fetch_one(db.pool())
    .await?)
}

/// A request's history, oldest first.
pub async fn events(db: &Db, visit_id: &str) -> Result<Vec<Event>> {
    let rows = sqlx::query(
        "SELECT at, actor, from_status, to_status, detail FROM visit_events WHERE visit_id = $1 ORDER BY at, id",
    )
    .bind(visit_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Event {
                at: r.try_get("at")?,
                actor: r.try_get("actor")?,
                from_status: r.try_get("from_status")?,
                to_status: r.try_get("to_status")?,
                detail: r.try_get("detail")?,
            })
        })
        .collect()
}

pub use platform::Actor;

/// Why a request could not be accepted.
#[derive(Debug, thiserror::Error)]
pub enum AcceptError {
    /// The chosen session has no place left.
    #[error("the session is full")]
    SessionFull,
    /// Anything else (a request already processed is a conflict).
    #[error(transparent)]
    Other(#[from] Error),
}

impl From<sqlx::Error> for AcceptError {
    fn from(e: sqlx::Error) -> Self {
        AcceptError::Other(e.into())
    }
}

/// Accepts a request into one of its preferred sessions.
///
/// The place is taken by a conditional update of the slot's counter
/// (`booked = booked + 1 WHERE booked < capacity`) in the same transaction
/// as the status change, so no number of concurrent acceptances can
/// overbook a session: on PostgreSQL the row lock serialises them and the
/// condition is re-checked after the wait; on SQLite the write lock does.
/// [`AcceptError::SessionFull`] when no place is left; [`Error::Conflict`] when
/// the request is no longer waiting.
pub async fn accept(
    db: &Db,
    visit_id: &str,
    slot_id: &str,
    kind: VisitKind,
    actor: &Actor,
) -> std::result::Result<(), AcceptError> {
    let visit = get_visit(db, visit_id).await?;
    // A request already processed is refused before its session is
    // touched; one processed meanwhile is refused by the move itself.
    if !WORKFLOW.allowed(workflow::ACCEPT, visit.status) {
        return Err(already_processed().into());
    }
    if !visit.preferences.iter().any(|p| p == slot_id) {
        return Err(AcceptError::Other(Error::Conflict(
            "that session is not one the visitor chose".into(),
        )));
    }
    let slot = establishments::slot(db, slot_id)
        .await?
        .ok_or(AcceptError::Other(Error::NotFound))?;
    let est = establishments::get(db, &visit.establishment_id).await?;
    let mut tx = db.begin_write().await?;
    let sql = match kind {
        VisitKind::Open => {
            "UPDATE slots SET open_booked = open_booked + 1 WHERE id = $1 AND open_booked < open_capacity"
        }
        VisitKind::Closed => {
            "UPDATE slots SET closed_booked = closed_booked + 1 WHERE id = $1 AND closed_booked < closed_capacity"
        }
    };
    if sqlx::query(sql)
        .bind(slot_id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
        == 0
    {
        tx.rollback().await?;
        return Err(AcceptError::SessionFull);
    }
    let detail = format!(
        "booked into {} ({} visit) by {}",
        slot.label(),
        kind.as_str(),
        actor.name
    );
    let change = Change::new(visit_id, workflow::ACCEPT, actor, now(), &detail)
        .set("allocated_slot", slot_id)
        .set("visit_kind", kind.as_str())
        .set("visit_date", slot.date.to_string());
    match WORKFLOW.apply(&mut tx, &change).await {
        Ok(_) => {}
        Err(Error::Conflict(_)) => {
            tx.rollback().await?;
            return Err(already_processed().into());
        }
        Err(e) => return Err(e.into()),
    }
    let body = format!(
        "Dear {},\n\nYour visit to {} at {} is booked.\n\nWhen: {}\nType: {} visit\nReference: {}\n\n\
         Bring photo identification for every adult. Arrive 30 minutes before the start.\n\n\
         If you cannot go, cancel the visit by signing in to Visit someone in prison so that someone else can have the place.\n",
        visit.lead_name,
        visit.prisoner_name,
        est.name,
        slot.label(),
        kind.as_str(),
        visit.reference
    );
    outbox::enqueue(
        &mut tx,
        Some(visit_id),
        &visit.lead_email,
        &format!("Visit confirmed: {}", slot.label()),
        &body,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn already_processed() -> Error {
    Error::Conflict("this request has already been processed".into())
}

/// A rejection with a standard reason.
#[derive(Debug, Clone)]
pub struct Rejection {
    /// A code from [`REJECTION_REASONS`].
    pub reason: String,
    /// Detail (required for "other").
    pub detail: Option<String>,
    /// For a ban: the last day of it.
    pub banned_until: Option<NaiveDate>,
}

/// Turns a request down.
pub async fn reject(db: &Db, visit_id: &str, rejection: &Rejection, actor: &Actor) -> Result<()> {
    if !REJECTION_REASONS
        .iter()
        .any(|(c, _)| *c == rejection.reason)
    {
        return Err(Error::Conflict("unknown reason".into()));
    }
    let visit = get_visit(db, visit_id).await?;
    let est = establishments::get(db, &visit.establishment_id).await?;
    let mut why = reason_label(&rejection.reason).to_owned();
    if let Some(until) = rejection.banned_until {
        why.push_str(&format!(" until {}", until.format("%-d %B %Y")));
    }
    if let Some(d) = &rejection.detail {
        why.push_str(&format!(": {d}"));
    }
    let detail = format!("rejected by {}: {why}", actor.name);
    let change = Change::new(visit_id, workflow::REJECT, actor, now(), &detail)
        .set("reason", rejection.reason.as_str())
        .set("reason_detail", rejection.detail.clone())
        .set(
            "banned_until",
            rejection.banned_until.map(|d| d.to_string()),
        );
    let mut tx = db.begin_write().await?;
    match WORKFLOW.apply(&mut tx, &change).await {
        Ok(_) => {}
        Err(Error::Conflict(_)) => {
            tx.rollback().await?;
            return Err(already_processed());
        }
        Err(e) => return Err(e),
    }
    let body = format!(
        "Dear {},\n\nYour request to visit {} at {} (reference {}) has not been accepted.\n\nReason: {}.\n\n\
         You can make a new request when the reason no longer applies.\n",
        visit.lead_name, visit.prisoner_name, est.name, visit.reference, why
    );
    outbox::enqueue(
        &mut tx,
        Some(visit_id),
        &visit.lead_email,
        &format!("Visit request not accepted: {}", visit.reference),
        &body,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Cancels a request or booked visit; a booked visit's place is given back
/// in the same transaction. `by_staff` decides the wording of the email.
pub async fn cancel(
    db: &Db,
    visit_id: &str,
    reason: &str,
    actor: &Actor,
    by_staff: bool,
) -> Result<()> {
    let visit = get_visit(db, visit_id).await?;
    let est = establishments::get(db, &visit.establishment_id).await?;
    let from = visit.status;
    let action = if by_staff {
        workflow::STAFF_CANCEL
    } else {
        workflow::CANCEL
    };
    if !WORKFLOW.allowed(action, from) {
        return Err(Error::Conflict("this visit is no longer active".into()));
    }
    let who = if by_staff {
        format!("by {}", actor.name)
    } else {
        "by the visitor".to_owned()
    };
    let detail = format!("cancelled {who}: {reason}");
    // Pinned to the state read above: the place given back and the email
    // depend on it.
    let change = Change::new(visit_id, action, actor, now(), &detail)
        .set("reason", reason)
        .only_from(from);
    let mut tx = db.begin_write().await?;
    match WORKFLOW.apply(&mut tx, &change).await {
        Ok(_) => {}
        Err(Error::Conflict(_)) => {
            tx.rollback().await?;
            return Err(Error::Conflict(
                "this visit changed while you were looking at it".into(),
            ));
        }
        Err(e) => return Err(e),
    }
    if from == Status::Booked
        && let Some(slot) = &visit.allocated_slot
    {
        let sql = if visit.visit_kind.as_deref() == Some("closed") {
            "UPDATE slots SET closed_booked = closed_booked - 1 WHERE id = $1 AND closed_booked > 0"
        } else {
            "UPDATE slots SET open_booked = open_booked - 1 WHERE id = $1 AND open_booked > 0"
        };
        sqlx::query(sql).bind(slot).execute(&mut *tx).await?;
    }
    let body = if by_staff {
        format!(
            "Dear {},\n\n{} has cancelled your visit to {} (reference {}).\n\nReason: {}\n\nWe are sorry for the inconvenience. You can request another visit.\n",
            visit.lead_name, est.name, visit.prisoner_name, visit.reference, reason
        )
    } else {
        format!(
            "Dear {},\n\nYou have cancelled your {} to {} at {} (reference {}).\n",
            visit.lead_name,
            if from == Status::Booked {
                "visit"
            } else {
                "visit request"
            },
            visit.prisoner_name,
            est.name,
            visit.reference
        )
    };
    outbox::enqueue(
        &mut tx,
        Some(visit_id),
        &visit.lead_email,
        &format!("Visit cancelled: {}", visit.reference),
        &body,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn references_are_grouped_and_unambiguous() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let mut seen = std::collections::HashSet::new();
        for _ in 0..10_000 {
            let r = new_reference(&mut rng);
            assert_eq!(r.len(), 10);
            assert_eq!(&r[3..4], "-");
            assert_eq!(&r[7..8], "-");
            assert!(
                r.chars()
                    .all(|c| c == '-' || REFERENCE_ALPHABET.contains(&(c as u8)))
            );
            assert!(!r.contains(['0', 'O', '1', 'I', 'L', 'S', '5', 'B', '8', 'Z', '2']));
            assert_eq!(normalise_reference(&r.to_lowercase().replace('-', " ")), r);
            seen.insert(r);
        }
        assert!(seen.len() > 9_990, "references rarely collide");
    }

    fn fields(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn lead_fields() -> Vec<(&'static str, &'static str)> {
        vec![
            ("lead-name", "Jo Bloggs"),
            ("lead-dob-day", "1"),
            ("lead-dob-month", "2"),
            ("lead-dob-year", "1980"),
            ("lead-email", "jo@example.com"),
            ("lead-phone", "07700 900 982"),
        ]
    }

    #[test]
    fn lead_visitor_must_be_an_adult_and_adults_are_capped() {
        let today = NaiveDate::from_ymd_opt(2025, 3, 1).unwrap();
        let mut f = lead_fields();
        f[3] = ("lead-dob-year", "2010");
        let e = check_visitors(&fields(&f), today).unwrap_err();
        assert!(e.get("lead-dob").unwrap().contains("18 or older"));

        let mut f = lead_fields();
        for (i, year) in [(1, "1970"), (2, "1975"), (3, "1990")] {
            f.push((
                ["visitor-1-name", "visitor-2-name", "visitor-3-name"][i - 1],
                "Adult Person",
            ));
            f.push((
                [
                    "visitor-1-dob-day",
                    "visitor-2-dob-day",
                    "visitor-3-dob-day",
                ][i - 1],
                "1",
            ));
            f.push((
                [
                    "visitor-1-dob-month",
                    "visitor-2-dob-month",
                    "visitor-3-dob-month",
                ][i - 1],
                "1",
            ));
            f.push((
                [
                    "visitor-1-dob-year",
                    "visitor-2-dob-year",
                    "visitor-3-dob-year",
                ][i - 1],
                year,
            ));
        }
        let e = check_visitors(&fields(&f), today).unwrap_err();
        assert!(e.get("visitor-3-dob").unwrap().contains("at most 3 adults"));

        let mut f = lead_fields();
        f.extend([
            ("visitor-1-name", "Small Child"),
            ("visitor-1-dob-day", "5"),
            ("visitor-1-dob-month", "6"),
            ("visitor-1-dob-year", "2020"),
        ]);
        let (lead, visitors) = check_visitors(&fields(&f), today).unwrap();
        assert_eq!(lead.person.name, "Jo Bloggs");
        assert_eq!(visitors.len(), 1);
    }

    #[test]
    fn sessions_outside_the_window_are_explained() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let slot = SessionSlot {
            id: "leeds/2025-03-10/14:00".into(),
            date: d("2025-03-10"),
            start: "14:00".into(),
            end: "16:00".into(),
            open_capacity: 10,
            closed_capacity: 1,
            open_booked: 0,
            closed_booked: 0,
        };
        let range = (d("2025-03-06"), d("2025-03-29"));
        let ok = check_sessions(
            &fields(&[("session-1", "leeds/2025-03-10/14:00")]),
            std::slice::from_ref(&slot),
            range,
        );
        assert_eq!(ok.unwrap(), vec![slot.clone()]);
        let past = check_sessions(
            &fields(&[("session-1", "leeds/2025-03-01/14:00")]),
            std::slice::from_ref(&slot),
            range,
        );
        assert!(
            past.unwrap_err()
                .get("session-1")
                .unwrap()
                .contains("too soon")
        );
        let far = check_sessions(
            &fields(&[("session-1", "leeds/2025-05-01/14:00")]),
            std::slice::from_ref(&slot),
            range,
        );
        assert!(
            far.unwrap_err()
                .get("session-1")
                .unwrap()
                .contains("too far ahead")
        );
        let dup = check_sessions(
            &fields(&[
                ("session-1", "leeds/2025-03-10/14:00"),
                ("session-2", "leeds/2025-03-10/14:00"),
            ]),
            std::slice::from_ref(&slot),
            range,
        );
        assert!(dup.unwrap_err().get("session-2").is_some());
    }
}
