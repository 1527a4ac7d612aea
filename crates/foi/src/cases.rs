//! A case: the request, its requester, its clock, where it is in its
//! clearance table, and the decision. Every change writes its timeline
//! line and its audit line on its own transaction.

use chrono::{Datelike as _, NaiveDate};
use platform::workflow::{Change, State as _, Step};
use platform::{Actor, Db, Error, Result, audit};
use sqlx::Row as _;

use crate::clock::{self, Clock, Events};
use crate::exemptions::{self, Outcome, Reason};
use crate::workflow::{Route, Status};

/// What a case is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A request for information.
    Request,
    /// An internal review about lateness.
    ReviewTimeliness,
    /// An internal review of the answer itself.
    ReviewCompliance,
    /// A complaint to the Information Commissioner.
    Appeal,
    /// A request the Commissioner's decision notice says must be answered
    /// again.
    Overturned,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::Request,
        Kind::ReviewTimeliness,
        Kind::ReviewCompliance,
        Kind::Appeal,
        Kind::Overturned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Request => "request",
            Kind::ReviewTimeliness => "review_timeliness",
            Kind::ReviewCompliance => "review_compliance",
            Kind::Appeal => "ico_appeal",
            Kind::Overturned => "ico_overturned",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::Request => "FOI request",
            Kind::ReviewTimeliness => "Internal review (timeliness)",
            Kind::ReviewCompliance => "Internal review (compliance)",
            Kind::Appeal => "Appeal to the Information Commissioner",
            Kind::Overturned => "Overturned by the Information Commissioner",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn is_review(self) -> bool {
        matches!(self, Kind::ReviewTimeliness | Kind::ReviewCompliance)
    }
}

/// Who asked, for the statistics and the way a reply is written.
pub const REQUESTER_TYPES: [(&str, &str); 6] = [
    ("member_of_public", "Member of the public"),
    ("journalist", "Journalist"),
    ("campaigner", "Campaigner or charity"),
    ("whatdotheyknow", "WhatDoTheyKnow"),
    ("mp", "Member of Parliament"),
    ("business", "Business"),
];

/// The review outcomes.
pub const REVIEW_OUTCOMES: [(&str, &str); 3] = [
    ("upheld", "Upheld"),
    ("upheld_in_part", "Upheld in part"),
    ("overturned", "Overturned"),
];

/// The Commissioner's decisions.
pub const ICO_OUTCOMES: [(&str, &str); 3] = [
    ("upheld", "Complaint not upheld (our response stands)"),
    ("upheld_in_part", "Complaint upheld in part"),
    ("overturned", "Complaint upheld: our response is overturned"),
];

/// Days the Commissioner usually allows to comply with a decision notice
/// (calendar days, as decision notices give them).
pub const ICO_COMPLY_DAYS: u64 = 35;

#[derive(Debug, Clone)]
pub struct Case {
    pub id: String,
    pub number: String,
    pub kind: Kind,
    pub parent_id: Option<String>,
    pub status: Status,
    pub route: Route,
    pub subject: String,
    pub request: String,
    pub requester_name: Option<String>,
    pub requester_email: Option<String>,
    pub requester_address: Option<String>,
    pub requester_type: String,
    pub delivery: String,
    pub channel: String,
    pub received_on: NaiveDate,
    pub clarification_asked_on: Option<NaiveDate>,
    pub clarified_on: Option<NaiveDate>,
    pub fee_notice_on: Option<NaiveDate>,
    pub fee_paid_on: Option<NaiveDate>,
    pub extension_days: u32,
    pub extension_reason: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub statutory_on: Option<NaiveDate>,
    pub draft_due_on: Option<NaiveDate>,
    pub escalation_on: Option<NaiveDate>,
    pub unit_id: Option<String>,
    pub responder_id: Option<String>,
    pub outcome: Option<Outcome>,
    pub reason: Option<Reason>,
    pub ncnd: bool,
    pub explanation: Option<String>,
    pub advice: Option<String>,
    pub review_outcome: Option<String>,
    pub exceptional_reason: Option<String>,
    pub ico_reference: Option<String>,
    pub ico_officer: Option<String>,
    pub ico_decision_on: Option<NaiveDate>,
    pub ico_outcome: Option<String>,
    pub sent_on: Option<NaiveDate>,
    pub late: Option<bool>,
    pub published: bool,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub closed_at: Option<i64>,
    pub anonymised_at: Option<i64>,
}

impl Case {
    /// The clock's events as recorded.
    pub fn events(&self) -> Events {
        Events {
            received: Some(self.received_on),
            clarification_asked: self.clarification_asked_on,
            clarified: self.clarified_on,
            fee_notice: self.fee_notice_on,
            fee_paid: self.fee_paid_on,
            extension: self.extension_days,
        }
    }

    /// Where the clock stands now.
    pub fn clock(&self) -> std::result::Result<Clock, clock::ClockError> {
        clock::clock(&self.events(), self.days())
    }

    /// Working days allowed: 20, or 40 for an exceptional review.
    pub fn days(&self) -> u32 {
        days_for(self.kind, self.exceptional_reason.is_some())
    }

    /// Whether an answer is overdue on `today`.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.status != Status::Closed && self.due_on.is_some_and(|d| today > d)
    }

    pub fn requester_label(&self) -> &'static str {
        REQUESTER_TYPES
            .iter()
            .find(|(k, _)| *k == self.requester_type)
            .map(|(_, v)| *v)
            .unwrap_or("Unknown")
    }
}

/// Working days a case of `kind` has: 20, or 40 for a review the
/// Commissioner's guidance lets take longer (with its reason).
fn days_for(kind: Kind, exceptional: bool) -> u32 {
    if kind.is_review() && exceptional {
        40
    } else {
        clock::STATUTORY_DAYS
    }
}

/// A new request, from the public form or typed in by staff.
#[derive(Debug, Clone, Default)]
pub struct NewCase {
    pub subject: String,
    pub request: String,
    pub name: String,
    pub email: Option<String>,
    pub address: Option<String>,
    pub requester_type: String,
    /// "email" or "post".
    pub delivery: String,
    /// "web", "email" or "post".
    pub channel: String,
    pub received_on: NaiveDate,
    /// The public form's one-time token: a second submission of the same
    /// form finds the first case instead of making another.
    pub token: Option<String>,
}

/// Checks a new request: a way to reply, a date not in the future, the
/// words of the request. Each problem names its field.
pub fn check(new: &NewCase, today: NaiveDate) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if new.name.trim().is_empty() {
        out.push(("name", "Enter the requester's name".to_owned()));
    }
    if new.request.trim().is_empty() {
        out.push((
            "request",
            "Enter the information being asked for".to_owned(),
        ));
    }
    if new.request.chars().count() > 20_000 {
        out.push((
            "request",
            "The request must be 20,000 characters or fewer: attach longer text as a file by email"
                .to_owned(),
        ));
    }
    let email = new.email.as_deref().map(str::trim).unwrap_or("");
    let address = new.address.as_deref().map(str::trim).unwrap_or("");
    match new.delivery.as_str() {
        "email" if email.is_empty() => out.push((
            "email",
            "Enter an email address to reply to, or choose a reply by post and give an address".to_owned(),
        )),
        "post" if address.is_empty() => out.push((
            "address",
            "Enter a postal address to reply to, or choose a reply by email and give an email address".to_owned(),
        )),
        "email" | "post" => {}
        _ => out.push(("delivery", "Choose how the reply should be sent".to_owned())),
    }
    if !REQUESTER_TYPES
        .iter()
        .any(|(k, _)| *k == new.requester_type)
    {
        out.push(("requester_type", "Choose who is asking".to_owned()));
    }
    if new.received_on > today {
        out.push((
            "received",
            format!(
                "The date received must be today or in the past (today is {})",
                today.format("%-d %B %Y")
            ),
        ));
    }
    out
}

/// Today's next case number: the date as YYMMDD and a three-digit counter
/// for the day ("250307012"), as the Ministry's own numbers are. One
/// conditional upsert, so two requests at once never share a number.
async fn next_number(conn: &mut sqlx::AnyConnection, day: NaiveDate) -> Result<String> {
    let key = day.format("%y%m%d").to_string();
    let n: i64 = sqlx::query_scalar(
        "INSERT INTO foi_numbers (day, last) VALUES ($1, 1) \
         ON CONFLICT (day) DO UPDATE SET last = foi_numbers.last + 1 RETURNING last",
    )
    .bind(&key)
    .fetch_one(conn)
    .await?;
    Ok(format!("{key}{n:03}"))
}

fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn parse_day(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
}

/// The deadlines `c`'s events give, as stored: the due date, day 20, and
/// the internal draft and escalation days (settings).
fn deadlines(
    e: &Events,
    days: u32,
    draft_days: u32,
    escalation_days: u32,
) -> Result<[Option<NaiveDate>; 4]> {
    let bad = |e: clock::ClockError| Error::Conflict(e.to_string());
    match clock::clock(e, days).map_err(bad)? {
        Clock::Running(d) => {
            let internal = |n: u32| -> Result<Option<NaiveDate>> {
                let mut e = e.clone();
                e.extension = 0;
                Ok(match clock::clock(&e, n).map_err(bad)? {
                    Clock::Running(x) => Some(x.due),
                    _ => None,
                })
            };
            Ok([
                Some(d.due),
                Some(d.statutory),
                internal(draft_days)?,
                internal(escalation_days)?,
            ])
        }
        _ => Ok([None, None, None, None]),
    }
}

/// Internal deadlines, in working days: when the draft is due, and when an
/// unaccepted case is escalated.
#[derive(Debug, Clone, Copy)]
pub struct Internal {
    pub draft_days: u32,
    pub escalation_days: u32,
}

/// Logs a new case: checks it, numbers it, works out its deadlines, and
/// writes its first timeline and audit lines. A public form sent twice
/// (same token) gives back the first case, and nothing is added.
pub async fn create(
    db: &Db,
    new: &NewCase,
    internal: Internal,
    by: &Actor,
    now: i64,
) -> Result<(Case, bool)> {
    let today = platform::clock::date_of(now);
    if let Some(p) = check(new, today).first() {
        return Err(Error::Conflict(p.1.clone()));
    }
    if let Some(token) = &new.token
        && let Some(c) = by_token(db, token).await?
    {
        return Ok((c, false));
    }
    let mut tx = db.begin_write().await?;
    let id = insert(
        &mut tx,
        new,
        Kind::Request,
        None,
        Route::Standard,
        internal,
        None,
        by,
        now,
    )
    .await;
    let id = match id {
        Ok(id) => id,
        Err(e) if platform::db::is_unique_violation(&e) && new.token.is_some() => {
            drop(tx);
            let token = new.token.as_deref().unwrap_or_default();
            return match by_token(db, token).await? {
                Some(c) => Ok((c, false)),
                None => Err(e),
            };
        }
        Err(e) => return Err(e),
    };
    tx.commit().await?;
    Ok((get(db, &id).await?, true))
}

#[allow(clippy::too_many_arguments)]
async fn insert(
    conn: &mut sqlx::AnyConnection,
    new: &NewCase,
    kind: Kind,
    parent: Option<&str>,
    route: Route,
    internal: Internal,
    exceptional: Option<&str>,
    by: &Actor,
    now: i64,
) -> Result<String> {
    let number = next_number(conn, platform::clock::date_of(now)).await?;
    let id = platform::ids::new_id();
    let events = Events {
        received: Some(new.received_on),
        ..Events::default()
    };
    let days = days_for(kind, exceptional.is_some());
    let [due, statutory, draft, escalation] =
        deadlines(&events, days, internal.draft_days, internal.escalation_days)?;
    let opt = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    sqlx::query(
        "INSERT INTO foi_cases (id, number, kind, parent_id, status, route, subject, request, requester_name, \
         requester_email, requester_address, requester_type, delivery, channel, received_on, extension_days, \
         due_on, statutory_on, draft_due_on, escalation_on, ncnd, published, token, version, created_at, updated_at, \
         exceptional_reason) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 0, $16, $17, $18, $19, 0, 0, $20, 1, $21, $21, $22)",
    )
    .bind(&id)
    .bind(&number)
    .bind(kind.as_str())
    .bind(parent.map(str::to_owned))
    .bind(Status::Unassigned.as_str())
    .bind(route.as_str())
    .bind(subject_of(new))
    .bind(new.request.trim())
    .bind(new.name.trim())
    .bind(opt(&new.email))
    .bind(opt(&new.address))
    .bind(&new.requester_type)
    .bind(&new.delivery)
    .bind(&new.channel)
    .bind(iso(new.received_on))
    .bind(due.map(iso))
    .bind(statutory.map(iso))
    .bind(draft.map(iso))
    .bind(escalation.map(iso))
    .bind(new.token.clone())
    .bind(now)
    .bind(exceptional.map(str::to_owned))
    .execute(&mut *conn)
    .await?;
    Route::Standard
        .table()
        .record(
            conn,
            &Step {
                id: &id,
                actor: &by.id,
                at: now,
                from: None,
                to: Status::Unassigned,
                detail: &format!(
                    "{} {} logged by {}, received {}",
                    kind.label(),
                    number,
                    by.name,
                    new.received_on.format("%-d %B %Y")
                ),
            },
        )
        .await?;
    audit::record_at(
        conn,
        now,
        &by.id,
        "foi.create",
        &id,
        &format!("{} {number}", kind.as_str()),
    )
    .await?;
    Ok(id)
}

/// A short subject for lists and the disclosure log: the one given, or
/// the request's first words.
fn subject_of(new: &NewCase) -> String {
    let s = new.subject.trim();
    if !s.is_empty() {
        return s.chars().take(200).collect();
    }
    let words: Vec<&str> = new.request.split_whitespace().take(12).collect();
    let mut out = words.join(" ");
    if new.request.split_whitespace().count() > 12 {
        out.push('…');
    }
    out
}

const SELECT: &str = "SELECT id, number, kind, parent_id, status, route, subject, request, requester_name, requester_email, \
    requester_address, requester_type, delivery, channel, received_on, clarification_asked_on, clarified_on, fee_notice_on, \
    fee_paid_on, extension_days, extension_reason, due_on, statutory_on, draft_due_on, escalation_on, unit_id, responder_id, \
    outcome, reason, ncnd, explanation, advice, review_outcome, exceptional_reason, ico_reference, ico_officer, \
    ico_decision_on, ico_outcome, sent_on, late, published, version, created_at, updated_at, closed_at, anonymised_at \
    FROM foi_cases";

fn from_row(r: &sqlx::any::AnyRow) -> Result<Case> {
    let text = |c: &str| -> Result<Option<String>> { Ok(r.try_get::<Option<String>, _>(c)?) };
    let day = |c: &str| -> Result<Option<NaiveDate>> { Ok(parse_day(text(c)?)) };
    let kind: String = r.try_get("kind")?;
    let status: String = r.try_get("status")?;
    let route: String = r.try_get("route")?;
    Ok(Case {
        id: r.try_get("id")?,
        number: r.try_get("number")?,
        kind: Kind::parse(&kind).ok_or_else(|| Error::Corrupt(format!("case kind {kind:?}")))?,
        parent_id: text("parent_id")?,
        status: Status::parse(&status)
            .ok_or_else(|| Error::Corrupt(format!("case status {status:?}")))?,
        route: Route::parse(&route)
            .ok_or_else(|| Error::Corrupt(format!("case route {route:?}")))?,
        subject: r.try_get("subject")?,
        request: r.try_get("request")?,
        requester_name: text("requester_name")?,
        requester_email: text("requester_email")?,
        requester_address: text("requester_address")?,
        requester_type: r.try_get("requester_type")?,
        delivery: r.try_get("delivery")?,
        channel: r.try_get("channel")?,
        received_on: day("received_on")?
            .ok_or_else(|| Error::Corrupt("case without a receipt date".into()))?,
        clarification_asked_on: day("clarification_asked_on")?,
        clarified_on: day("clarified_on")?,
        fee_notice_on: day("fee_notice_on")?,
        fee_paid_on: day("fee_paid_on")?,
        extension_days: r.try_get::<i64, _>("extension_days")?.max(0) as u32,
        extension_reason: text("extension_reason")?,
        due_on: day("due_on")?,
        statutory_on: day("statutory_on")?,
        draft_due_on: day("draft_due_on")?,
        escalation_on: day("escalation_on")?,
        unit_id: text("unit_id")?,
        responder_id: text("responder_id")?,
        outcome: text("outcome")?.as_deref().and_then(Outcome::parse),
        reason: text("reason")?.as_deref().and_then(Reason::parse),
        ncnd: r.try_get::<i64, _>("ncnd")? != 0,
        explanation: text("explanation")?,
        advice: text("advice")?,
        review_outcome: text("review_outcome")?,
        exceptional_reason: text("exceptional_reason")?,
        ico_reference: text("ico_reference")?,
        ico_officer: text("ico_officer")?,
        ico_decision_on: day("ico_decision_on")?,
        ico_outcome: text("ico_outcome")?,
        sent_on: day("sent_on")?,
        late: r.try_get::<Option<i64>, _>("late")?.map(|v| v != 0),
        published: r.try_get::<i64, _>("published")? != 0,
        version: r.try_get("version")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        closed_at: r.try_get("closed_at")?,
        anonymised_at: r.try_get("anonymised_at")?,
    })
}

pub async fn get(db: &Db, id: &str) -> Result<Case> {
    get_on(&mut *db.pool().acquire().await?, id).await
}

async fn get_on(conn: &mut sqlx::AnyConnection, id: &str) -> Result<Case> {
    let row = sqlx::query(&format!("{SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(Error::NotFound)?;
    from_row(&row)
}

pub async fn by_number(db: &Db, number: &str) -> Result<Option<Case>> {
    let row = sqlx::query(&format!("{SELECT} WHERE number = $1"))
        .bind(number.trim())
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(from_row).transpose()
}

async fn by_token(db: &Db, token: &str) -> Result<Option<Case>> {
    let row = sqlx::query(&format!("{SELECT} WHERE token = $1"))
        .bind(token)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Cases linked to `id`: its reviews and appeals, or its parent's.
pub async fn linked(db: &Db, c: &Case) -> Result<Vec<Case>> {
    let rows = sqlx::query(&format!(
        "{SELECT} WHERE (parent_id = $1 OR id = $2) AND id <> $3 ORDER BY created_at"
    ))
    .bind(&c.id)
    .bind(c.parent_id.clone().unwrap_or_default())
    .bind(&c.id)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(from_row).collect()
}

/// Which cases a list shows.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only these business units' cases (a responder's); `None` for all.
    pub units: Option<Vec<String>>,
    pub status: Option<Status>,
    pub kind: Option<Kind>,
    /// Open cases past their due date on this day.
    pub overdue_on: Option<NaiveDate>,
    /// Case number or words in the subject.
    pub text: Option<String>,
    /// Only cases on the full approval route (press and private office).
    pub route: Option<Route>,
}

/// Cases matching `f`, soonest due first, at most `limit`.
pub async fn list(db: &Db, f: &Filter, limit: i64) -> Result<Vec<Case>> {
    let mut sql = format!("{SELECT} WHERE 1 = 1");
    let mut binds: Vec<String> = Vec::new();
    let arg = |binds: &mut Vec<String>, v: String| {
        binds.push(v);
        format!("${}", binds.len())
    };
    if let Some(units) = &f.units {
        if units.is_empty() {
            return Ok(Vec::new());
        }
        let list: Vec<String> = units.iter().map(|u| arg(&mut binds, u.clone())).collect();
        sql.push_str(&format!(" AND unit_id IN ({})", list.join(", ")));
    }
    if let Some(s) = f.status {
        let a = arg(&mut binds, s.as_str().to_owned());
        sql.push_str(&format!(" AND status = {a}"));
    }
    if let Some(k) = f.kind {
        let a = arg(&mut binds, k.as_str().to_owned());
        sql.push_str(&format!(" AND kind = {a}"));
    }
    if let Some(r) = f.route {
        let a = arg(&mut binds, r.as_str().to_owned());
        sql.push_str(&format!(" AND route = {a}"));
    }
    if let Some(day) = f.overdue_on {
        let a = arg(&mut binds, iso(day));
        sql.push_str(&format!(" AND status <> 'closed' AND due_on < {a}"));
    }
    if let Some(t) = f.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let escaped = t
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let a = arg(&mut binds, t.to_owned());
        let b = arg(&mut binds, format!("%{escaped}%"));
        sql.push_str(&format!(
            " AND (number = {a} OR LOWER(subject) LIKE {b} ESCAPE '\\')"
        ));
    }
    sql.push_str(&format!(
        " ORDER BY CASE WHEN status = 'closed' THEN 1 ELSE 0 END, due_on, number LIMIT {}",
        limit.clamp(1, 1000)
    ));
    let mut q = sqlx::query(&sql);
    for b in &binds {
        q = q.bind(b);
    }
    let rows = q.fetch_all(db.pool()).await?;
    rows.iter().map(from_row).collect()
}

/// One line of a case's timeline.
pub type Line = platform::workflow::Line;

/// The case's timeline, oldest first. Every table of a case writes the
/// same history, so any one reads it.
pub async fn timeline(db: &Db, id: &str) -> Result<Vec<Line>> {
    Route::Standard.table().history(db, id).await
}

/// Writes a timeline line that moves nothing, with its audit line.
async fn note(
    conn: &mut sqlx::AnyConnection,
    c: &Case,
    by: &Actor,
    now: i64,
    action: &str,
    detail: &str,
) -> Result<()> {
    c.route
        .table()
        .record(
            conn,
            &Step {
                id: &c.id,
                actor: &by.id,
                at: now,
                from: None,
                to: c.status,
                detail,
            },
        )
        .await?;
    audit::record_at(conn, now, &by.id, action, &c.id, detail).await
}

/// Refuses a change made on a stale page, and counts this one.
async fn bump(conn: &mut sqlx::AnyConnection, c: &Case, version: i64, now: i64) -> Result<()> {
    let done = sqlx::query("UPDATE foi_cases SET version = version + 1, updated_at = $1 WHERE id = $2 AND version = $3")
        .bind(now)
        .bind(&c.id)
        .bind(version)
        .execute(conn)
        .await?;
    if done.rows_affected() != 1 {
        return Err(Error::Conflict(
            "the case was changed by someone else since you opened it: reload the page to see the change, then try again".into(),
        ));
    }
    Ok(())
}

/// A change to the clock.
#[derive(Debug, Clone)]
pub enum ClockChange {
    /// The requester was asked what they meant (s.1(3)).
    AskClarification(NaiveDate),
    /// Their answer arrived.
    Clarified(NaiveDate),
    /// A fees notice was sent (s.9).
    FeeNotice(NaiveDate),
    /// The fee arrived.
    FeePaid(NaiveDate),
    /// The public interest test needs more time (s.10(3)).
    Extend { days: u32, reason: String },
}

/// Records a clock event and works the deadlines out again. Dates that
/// cannot be (before the request, in the future, an extension over the
/// limit or without a reason, an extension without a qualified exemption
/// to weigh) are refused with what is wrong.
pub async fn change_clock(
    db: &Db,
    id: &str,
    change: &ClockChange,
    internal: Internal,
    by: &Actor,
    version: i64,
    now: i64,
) -> Result<Case> {
    let today = platform::clock::date_of(now);
    let mut tx = db.begin_write().await?;
    let c = get_on(&mut tx, id).await?;
    if c.status == Status::Closed {
        return Err(Error::Conflict(
            "the case is closed, so its clock cannot change".into(),
        ));
    }
    let mut e = c.events();
    let future = |d: NaiveDate| {
        if d > today {
            Err(Error::Conflict(format!(
                "{} is in the future: record an event on or after it happens",
                d.format("%-d %B %Y")
            )))
        } else {
            Ok(())
        }
    };
    let detail = match change {
        ClockChange::AskClarification(d) => {
            future(*d)?;
            e.clarification_asked = Some(*d);
            e.clarified = None;
            format!(
                "Clarification asked for on {} (s.1(3)): the clock stops",
                d.format("%-d %B %Y")
            )
        }
        ClockChange::Clarified(d) => {
            future(*d)?;
            if e.clarification_asked.is_none() {
                return Err(Error::Conflict(
                    "no clarification was asked for: record the request for clarification first"
                        .into(),
                ));
            }
            e.clarified = Some(*d);
            format!(
                "Clarification received on {}: the 20 working days start again",
                d.format("%-d %B %Y")
            )
        }
        ClockChange::FeeNotice(d) => {
            future(*d)?;
            e.fee_notice = Some(*d);
            e.fee_paid = None;
            format!(
                "Fees notice sent on {} (s.9): the clock pauses until the fee is paid",
                d.format("%-d %B %Y")
            )
        }
        ClockChange::FeePaid(d) => {
            future(*d)?;
            e.fee_paid = Some(*d);
            format!("Fee paid on {}: the clock restarts", d.format("%-d %B %Y"))
        }
        ClockChange::Extend { days, reason } => {
            if reason.trim().is_empty() {
                return Err(Error::Conflict(
                    "give the reason the public interest test needs more time".into(),
                ));
            }
            if *days == 0 {
                return Err(Error::Conflict(
                    "enter how many working days to extend by, from 1 to 20".into(),
                ));
            }
            let qualified = exemptions_of(&mut tx, &c.id)
                .await?
                .iter()
                .any(|x| exemptions::find(&x.code).is_some_and(|e| !e.absolute));
            if !qualified {
                return Err(Error::Conflict(
                    "an extension is only for weighing the public interest: record the qualified exemption that applies first".into(),
                ));
            }
            e.extension = *days;
            format!(
                "Public interest test extended by {days} working days (s.10(3)): {}",
                reason.trim()
            )
        }
    };
    if let ClockChange::Extend { days, .. } = change
        && let Clock::Running(d) = c.clock().map_err(|e| Error::Conflict(e.to_string()))?
        && today > d.statutory
        && c.extension_days == 0
    {
        return Err(Error::Conflict(format!(
            "an extension must be claimed by day 20 ({}), in the refusal notice: it is too late to extend by {days} days",
            d.statutory.format("%-d %B %Y")
        )));
    }
    let [due, statutory, draft, escalation] =
        deadlines(&e, c.days(), internal.draft_days, internal.escalation_days)?;
    bump(&mut tx, &c, version, now).await?;
    // The events as they now stand, and the deadlines they give, in one
    // statement.
    let reason = match change {
        ClockChange::Extend { reason, .. } => Some(reason.trim().to_owned()),
        _ => None,
    };
    sqlx::query(
        "UPDATE foi_cases SET clarification_asked_on = $1, clarified_on = $2, fee_notice_on = $3, fee_paid_on = $4, \
         extension_days = $5, extension_reason = COALESCE($6, extension_reason), due_on = $7, statutory_on = $8, \
         draft_due_on = $9, escalation_on = $10 WHERE id = $11",
    )
    .bind(e.clarification_asked.map(iso))
    .bind(e.clarified.map(iso))
    .bind(e.fee_notice.map(iso))
    .bind(e.fee_paid.map(iso))
    .bind(i64::from(e.extension))
    .bind(reason)
    .bind(due.map(iso))
    .bind(statutory.map(iso))
    .bind(draft.map(iso))
    .bind(escalation.map(iso))
    .bind(&c.id)
    .execute(&mut *tx)
    .await?;
    note(&mut tx, &c, by, now, "foi.clock", &detail).await?;
    tx.commit().await?;
    get(db, id).await
}

/// Makes a move in the case's table, with a comment for the timeline,
/// and anything the move sets. `version` is the case as the page showed it.
#[allow(clippy::too_many_arguments)]
pub async fn make_move(
    db: &Db,
    id: &str,
    action: &str,
    comment: &str,
    sets: Vec<(&'static str, platform::workflow::Value)>,
    by: &Actor,
    version: i64,
    now: i64,
) -> Result<Case> {
    let mut tx = db.begin_write().await?;
    let c = get_on(&mut tx, id).await?;
    bump(&mut tx, &c, version, now).await?;
    let detail = if comment.trim().is_empty() {
        format!("{} by {}", crate::workflow::button(action), by.name)
    } else {
        format!(
            "{} by {}: {}",
            crate::workflow::button(action),
            by.name,
            comment.trim()
        )
    };
    let mut change = Change::new(&c.id, action, by, now, &detail);
    for (column, value) in sets {
        change = change.set(column, value);
    }
    c.route.table().apply(&mut tx, &change).await?;
    tx.commit().await?;
    get(db, id).await
}

/// Flags a case for clearance by `role`'s team, moving it to the flagged
/// or full approval table. Only while the response is still being
/// drafted: a draft already with a team is amended first.
pub async fn flag(
    db: &Db,
    id: &str,
    role: platform::accounts::Role,
    by: &Actor,
    version: i64,
    now: i64,
) -> Result<Case> {
    let mut tx = db.begin_write().await?;
    let c = get_on(&mut tx, id).await?;
    let Some(to) = c.route.flagged_by(role) else {
        return Err(Error::Conflict(format!(
            "the case already follows the \"{}\" route",
            c.route.label()
        )));
    };
    if !c.status.drafting() {
        return Err(Error::Conflict(
            "the response is already with a clearance team or sent: ask for amends to bring it back to drafting, then flag it".into(),
        ));
    }
    bump(&mut tx, &c, version, now).await?;
    sqlx::query("UPDATE foi_cases SET route = $1 WHERE id = $2 AND route = $3")
        .bind(to.as_str())
        .bind(&c.id)
        .bind(c.route.as_str())
        .execute(&mut *tx)
        .await?;
    let detail = format!("Flagged by {} ({}): {}", by.name, role.label(), to.label());
    note(
        &mut tx,
        &Case { route: to, ..c },
        by,
        now,
        "foi.flag",
        &detail,
    )
    .await?;
    tx.commit().await?;
    get(db, id).await
}

/// An exemption as recorded on a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub code: String,
    pub explanation: String,
    pub balance: Option<String>,
    /// Factors favouring disclosure.
    pub for_disclosure: Vec<String>,
    /// Factors favouring withholding.
    pub against: Vec<String>,
}

async fn exemptions_of(conn: &mut sqlx::AnyConnection, id: &str) -> Result<Vec<Applied>> {
    let rows =
        sqlx::query("SELECT code, explanation, balance FROM foi_exemptions WHERE case_id = $1")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
    let factors = sqlx::query(
        "SELECT code, side, text FROM foi_factors WHERE case_id = $1 ORDER BY code, side, position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::new();
    for r in rows {
        let code: String = r.try_get("code")?;
        let mut a = Applied {
            explanation: r.try_get("explanation")?,
            balance: r.try_get("balance")?,
            for_disclosure: Vec::new(),
            against: Vec::new(),
            code: code.clone(),
        };
        for f in &factors {
            if f.try_get::<String, _>("code")? == code {
                let text: String = f.try_get("text")?;
                if f.try_get::<String, _>("side")? == "for" {
                    a.for_disclosure.push(text);
                } else {
                    a.against.push(text);
                }
            }
        }
        out.push(a);
    }
    // The Act's order, as the letter cites them.
    out.sort_by_key(|a| {
        exemptions::EXEMPTIONS
            .iter()
            .position(|e| e.code == a.code)
            .unwrap_or(usize::MAX)
    });
    Ok(out)
}

/// The decision as recorded: what the letter says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decision {
    pub outcome: Option<Outcome>,
    pub reason: Option<Reason>,
    pub ncnd: bool,
    /// How the request was handled and what is released, in the
    /// responder's words.
    pub explanation: String,
    /// Advice and assistance (s.16).
    pub advice: String,
    pub exemptions: Vec<Applied>,
    /// A section 12 estimate: (activity, minutes, note).
    pub costs: Vec<(String, i64, String)>,
    /// For a review: upheld, upheld_in_part or overturned.
    pub review_outcome: Option<String>,
    /// Requests the s.12 estimate is aggregated with: (case id, number,
    /// minutes of their estimates).
    pub aggregated: Vec<(String, String, i64)>,
}

impl Decision {
    /// The estimate's total in pence at the Fees Regulations' rate.
    pub fn cost_pence(&self) -> i64 {
        let minutes: i64 = self.costs.iter().map(|c| c.1).sum::<i64>()
            + self.aggregated.iter().map(|a| a.2).sum::<i64>();
        minutes * exemptions::PENCE_PER_HOUR / 60
    }

    /// Whether any exemption applied is qualified (so weighed).
    pub fn qualified(&self) -> impl Iterator<Item = &Applied> {
        self.exemptions
            .iter()
            .filter(|a| exemptions::find(&a.code).is_some_and(|e| !e.absolute))
    }
}

pub async fn decision(db: &Db, c: &Case) -> Result<Decision> {
    let mut conn = db.pool().acquire().await?;
    let exemptions = exemptions_of(&mut conn, &c.id).await?;
    let rows = sqlx::query("SELECT activity, minutes, note FROM foi_costs WHERE case_id = $1")
        .bind(&c.id)
        .fetch_all(&mut *conn)
        .await?;
    let mut costs = Vec::new();
    for r in rows {
        costs.push((
            r.try_get("activity")?,
            r.try_get("minutes")?,
            r.try_get("note")?,
        ));
    }
    costs.sort_by_key(|(a, _, _): &(String, i64, String)| {
        exemptions::ACTIVITIES
            .iter()
            .position(|(k, _)| k == a)
            .unwrap_or(usize::MAX)
    });
    let aggregated: Vec<(String, String, Option<i64>)> = sqlx::query_as(
        "SELECT o.id, o.number, (SELECT CAST(SUM(minutes) AS BIGINT) FROM foi_costs k WHERE k.case_id = o.id) \
         FROM foi_aggregated g JOIN foi_cases o ON o.id = g.other_id WHERE g.case_id = $1 ORDER BY o.number",
    )
    .bind(&c.id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Decision {
        outcome: c.outcome,
        reason: c.reason,
        ncnd: c.ncnd,
        explanation: c.explanation.clone().unwrap_or_default(),
        advice: c.advice.clone().unwrap_or_default(),
        exemptions,
        costs,
        review_outcome: c.review_outcome.clone(),
        aggregated: aggregated
            .into_iter()
            .map(|(id, number, minutes)| (id, number, minutes.unwrap_or(0)))
            .collect(),
    })
}

/// What stops a decision being sent, each said so it can be fixed: no
/// outcome, a refusal with no exemption or reason, an exemption without
/// its explanation, a qualified exemption without both sides of the
/// public interest test and a balance, a cost refusal whose estimate is
/// within the limit.
pub fn problems(c: &Case, d: &Decision, cost_limit_pence: i64) -> Vec<String> {
    let mut out = Vec::new();
    if c.kind.is_review() {
        if d.review_outcome.is_none() {
            out.push("Choose the outcome of the review".to_owned());
        }
        if d.explanation.trim().is_empty() {
            out.push("Explain the review's findings".to_owned());
        }
        return out;
    }
    if c.kind == Kind::Appeal {
        return out;
    }
    let Some(outcome) = d.outcome else {
        out.push("Choose the outcome".to_owned());
        return out;
    };
    if outcome.withholds() && d.exemptions.is_empty() && d.reason.is_none() && !d.ncnd {
        out.push(format!(
            "{} needs the exemption or the reason the information is withheld",
            outcome.label()
        ));
    }
    if d.ncnd && d.exemptions.is_empty() {
        out.push("Neither confirming nor denying needs the exemption that allows it".to_owned());
    }
    for a in &d.exemptions {
        let Some(e) = exemptions::find(&a.code) else {
            out.push(format!("{} is not an exemption", a.code));
            continue;
        };
        if a.explanation.trim().is_empty() {
            out.push(format!("Explain why {} applies", e.short()));
        }
        if !e.absolute {
            if a.for_disclosure.is_empty() {
                out.push(format!(
                    "{} is a qualified exemption: record the public interest factors favouring disclosure",
                    e.short()
                ));
            }
            if a.against.is_empty() {
                out.push(format!(
                    "{} is a qualified exemption: record the public interest factors favouring withholding",
                    e.short()
                ));
            }
            if a.balance.as_deref().is_none_or(|b| b.trim().is_empty()) {
                out.push(format!(
                    "{}: say where the balance of the public interest lies",
                    e.short()
                ));
            }
        }
    }
    if d.reason == Some(Reason::Cost) {
        if d.costs.is_empty() {
            out.push(
                "A section 12 refusal needs the estimate of the cost of compliance".to_owned(),
            );
        } else if d.cost_pence() <= cost_limit_pence {
            out.push(format!(
                "The estimate (£{}) is within the appropriate limit (£{}): section 12 does not apply",
                d.cost_pence() / 100,
                cost_limit_pence / 100
            ));
        }
    }
    if !outcome.withholds()
        && (!d.exemptions.is_empty() || d.reason.is_some())
        && outcome != Outcome::NotHeld
    {
        out.push(
            "Granted in full withholds nothing: remove the exemptions, or choose granted in part"
                .to_owned(),
        );
    }
    if d.explanation.trim().is_empty() && outcome != Outcome::Refused {
        out.push("Say what is released or how the request was handled".to_owned());
    }
    out
}

/// Stores the decision (replacing the last one) while the case is being
/// drafted.
pub async fn save_decision(
    db: &Db,
    id: &str,
    d: &Decision,
    by: &Actor,
    version: i64,
    now: i64,
) -> Result<Case> {
    // Checked before the transaction: it reads other cases, and nothing
    // is written unless the whole decision stands.
    if !d.aggregated.is_empty() {
        let allowed = aggregated(db, &get(db, id).await?).await?;
        for (other, number, _) in &d.aggregated {
            if !allowed.iter().any(|(o, _)| &o.id == other) {
                return Err(Error::Conflict(format!(
                    "{number} cannot be aggregated: only the same requester's requests received within 60 working days of this one can"
                )));
            }
        }
    }
    let mut tx = db.begin_write().await?;
    let c = get_on(&mut tx, id).await?;
    if !c.status.drafting() {
        return Err(Error::Conflict(
            "the response is with a clearance team or sent: ask for amends to change it".into(),
        ));
    }
    for a in &d.exemptions {
        if exemptions::find(&a.code).is_none() {
            return Err(Error::Conflict(format!("{} is not an exemption", a.code)));
        }
    }
    bump(&mut tx, &c, version, now).await?;
    sqlx::query(
        "UPDATE foi_cases SET outcome = $1, reason = $2, ncnd = $3, explanation = $4, advice = $5, review_outcome = $6 WHERE id = $7",
    )
    .bind(d.outcome.map(|o| o.as_str().to_owned()))
    .bind(d.reason.map(|r| r.as_str().to_owned()))
    .bind(i64::from(d.ncnd))
    .bind(d.explanation.trim())
    .bind(d.advice.trim())
    .bind(d.review_outcome.clone())
    .bind(&c.id)
    .execute(&mut *tx)
    .await?;
    for table in [
        "foi_exemptions",
        "foi_factors",
        "foi_costs",
        "foi_aggregated",
    ] {
        sqlx::query(&format!("DELETE FROM {table} WHERE case_id = $1"))
            .bind(&c.id)
            .execute(&mut *tx)
            .await?;
    }
    for a in &d.exemptions {
        sqlx::query("INSERT INTO foi_exemptions (case_id, code, explanation, balance) VALUES ($1, $2, $3, $4)")
            .bind(&c.id)
            .bind(&a.code)
            .bind(a.explanation.trim())
            .bind(a.balance.clone())
            .execute(&mut *tx)
            .await?;
        for (side, list) in [("for", &a.for_disclosure), ("against", &a.against)] {
            for (i, text) in list.iter().enumerate() {
                sqlx::query("INSERT INTO foi_factors (id, case_id, code, side, position, text) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(platform::ids::new_id())
                    .bind(&c.id)
                    .bind(&a.code)
                    .bind(side)
                    .bind(i as i64)
                    .bind(text.trim())
                    .execute(&mut *tx)
                    .await?;
            }
        }
    }
    for (other, _, _) in &d.aggregated {
        sqlx::query("INSERT INTO foi_aggregated (case_id, other_id) VALUES ($1, $2)")
            .bind(&c.id)
            .bind(other)
            .execute(&mut *tx)
            .await?;
    }
    for (activity, minutes, note_text) in &d.costs {
        sqlx::query(
            "INSERT INTO foi_costs (case_id, activity, minutes, note) VALUES ($1, $2, $3, $4)",
        )
        .bind(&c.id)
        .bind(activity)
        .bind(*minutes)
        .bind(note_text)
        .execute(&mut *tx)
        .await?;
    }
    let summary = match (d.outcome, &d.review_outcome) {
        (_, Some(r)) => format!("review outcome {r}"),
        (Some(o), _) => {
            let mut s = o.label().to_owned();
            for a in &d.exemptions {
                if let Some(e) = exemptions::find(&a.code) {
                    s.push_str(&format!(", {}", e.short()));
                }
            }
            if let Some(r) = d.reason {
                s.push_str(&format!(", {}", r.section()));
            }
            s
        }
        _ => "no outcome yet".to_owned(),
    };
    note(
        &mut tx,
        &c,
        by,
        now,
        "foi.decision",
        &format!("Draft response saved by {}: {summary}", by.name),
    )
    .await?;
    tx.commit().await?;
    get(db, id).await
}

/// Related requests from the same requester received within 60 working
/// days of `c` (the Fees Regulations' aggregation), with their estimates'
/// total minutes.
pub async fn aggregated(db: &Db, c: &Case) -> Result<Vec<(Case, i64)>> {
    let Some(email) = c.requester_email.as_deref() else {
        return Ok(Vec::new());
    };
    let rows = sqlx::query(&format!(
        "{SELECT} WHERE requester_email = $1 AND id <> $2 AND kind = 'request'"
    ))
    .bind(email)
    .bind(&c.id)
    .fetch_all(db.pool())
    .await?;
    let mut out = Vec::new();
    for r in &rows {
        let other = from_row(r)?;
        let (a, b) = if other.received_on < c.received_on {
            (other.received_on, c.received_on)
        } else {
            (c.received_on, other.received_on)
        };
        let apart = clock::working_days_after(a, b).map_err(|e| Error::Conflict(e.to_string()))?;
        if apart <= 60 {
            let minutes: Option<i64> = sqlx::query_scalar(
                "SELECT CAST(SUM(minutes) AS BIGINT) FROM foi_costs WHERE case_id = $1",
            )
            .bind(&other.id)
            .fetch_one(db.pool())
            .await?;
            out.push((other, minutes.unwrap_or(0)));
        }
    }
    Ok(out)
}

/// Opens an internal review of `parent` (a request that was answered):
/// due in 20 working days from receipt, or 40 where the case is
/// exceptional (with the reason).
#[allow(clippy::too_many_arguments)]
pub async fn open_review(
    db: &Db,
    parent: &Case,
    kind: Kind,
    received_on: NaiveDate,
    grounds: &str,
    exceptional: Option<&str>,
    internal: Internal,
    by: &Actor,
    now: i64,
) -> Result<Case> {
    if !kind.is_review() {
        return Err(Error::Conflict(
            "choose a timeliness or a compliance review".into(),
        ));
    }
    if !matches!(parent.kind, Kind::Request | Kind::Overturned) || parent.status != Status::Closed {
        return Err(Error::Conflict(
            "only a request that has been answered can be reviewed".into(),
        ));
    }
    if grounds.trim().is_empty() {
        return Err(Error::Conflict(
            "say why the requester is unhappy with the response".into(),
        ));
    }
    let new = NewCase {
        subject: format!("Internal review of {}: {}", parent.number, parent.subject),
        request: grounds.trim().to_owned(),
        name: parent.requester_name.clone().unwrap_or_default(),
        email: parent.requester_email.clone(),
        address: parent.requester_address.clone(),
        requester_type: parent.requester_type.clone(),
        delivery: parent.delivery.clone(),
        channel: "web".into(),
        received_on,
        token: None,
    };
    if new.name.is_empty() {
        return Err(Error::Conflict(
            "the request's requester details have been deleted, so it can no longer be reviewed"
                .into(),
        ));
    }
    if received_on > platform::clock::date_of(now) {
        return Err(Error::Conflict(
            "the date received must be today or in the past".into(),
        ));
    }
    let exceptional = exceptional.map(str::trim).filter(|s| !s.is_empty());
    let mut tx = db.begin_write().await?;
    let id = insert(
        &mut tx,
        &new,
        kind,
        Some(&parent.id),
        Route::Flagged,
        internal,
        exceptional,
        by,
        now,
    )
    .await?;
    note(
        &mut tx,
        parent,
        by,
        now,
        "foi.review.open",
        &format!("{} opened", kind.label()),
    )
    .await?;
    tx.commit().await?;
    get(db, &id).await
}

/// Opens an appeal to the Information Commissioner about `parent`.
#[allow(clippy::too_many_arguments)]
pub async fn open_appeal(
    db: &Db,
    parent: &Case,
    reference: &str,
    officer: &str,
    received_on: NaiveDate,
    by: &Actor,
    now: i64,
    internal: Internal,
) -> Result<Case> {
    if reference.trim().is_empty() {
        return Err(Error::Conflict(
            "enter the Commissioner's case reference (like IC-123456-A1B2)".into(),
        ));
    }
    if parent.status != Status::Closed {
        return Err(Error::Conflict(
            "only an answered case can be appealed".into(),
        ));
    }
    let new = NewCase {
        subject: format!("ICO appeal {} about {}", reference.trim(), parent.number),
        request: format!(
            "Complaint to the Information Commissioner about case {}",
            parent.number
        ),
        name: parent
            .requester_name
            .clone()
            .unwrap_or_else(|| "Requester".into()),
        email: parent.requester_email.clone(),
        address: parent
            .requester_address
            .clone()
            .or_else(|| Some("(deleted)".into())),
        requester_type: parent.requester_type.clone(),
        delivery: if parent.requester_email.is_some() {
            "email".into()
        } else {
            "post".into()
        },
        channel: "ico".into(),
        received_on,
        token: None,
    };
    let mut tx = db.begin_write().await?;
    let id = insert(
        &mut tx,
        &new,
        Kind::Appeal,
        Some(&parent.id),
        Route::Standard,
        internal,
        None,
        by,
        now,
    )
    .await?;
    sqlx::query("UPDATE foi_cases SET ico_reference = $1, ico_officer = $2 WHERE id = $3")
        .bind(reference.trim())
        .bind(officer.trim())
        .bind(&id)
        .execute(&mut *tx)
        .await?;
    note(
        &mut tx,
        parent,
        by,
        now,
        "foi.appeal.open",
        &format!(
            "Appeal {} to the Information Commissioner opened",
            reference.trim()
        ),
    )
    .await?;
    tx.commit().await?;
    get(db, &id).await
}

/// Records the Commissioner's decision notice on an appeal and closes it.
/// Overturned (in whole or part), the original must be answered again: a
/// new case is opened, due 35 calendar days after the notice.
pub async fn record_ico_decision(
    db: &Db,
    appeal: &Case,
    decided_on: NaiveDate,
    outcome: &str,
    by: &Actor,
    now: i64,
    internal: Internal,
) -> Result<Option<Case>> {
    if appeal.kind != Kind::Appeal {
        return Err(Error::Conflict(
            "this is not an appeal to the Commissioner".into(),
        ));
    }
    if !ICO_OUTCOMES.iter().any(|(k, _)| *k == outcome) {
        return Err(Error::Conflict("choose the Commissioner's decision".into()));
    }
    if decided_on > platform::clock::date_of(now) {
        return Err(Error::Conflict(
            "the decision notice's date cannot be in the future".into(),
        ));
    }
    let mut tx = db.begin_write().await?;
    let c = get_on(&mut tx, &appeal.id).await?;
    if c.status == Status::Closed {
        return Err(Error::Conflict(
            "the Commissioner's decision is already recorded".into(),
        ));
    }
    let detail = format!(
        "Decision notice of {}: {outcome}",
        decided_on.format("%-d %B %Y")
    );
    let change = Change::new(&c.id, crate::workflow::ICO_DECISION, by, now, &detail)
        .only_from(c.status)
        .set("ico_decision_on", iso(decided_on))
        .set("ico_outcome", outcome)
        .set("closed_at", now);
    c.route.table().apply(&mut tx, &change).await?;
    let mut reopened = None;
    if outcome != "upheld"
        && let Some(parent_id) = &c.parent_id
    {
        let parent = get_on(&mut tx, parent_id).await?;
        let new = NewCase {
            subject: format!(
                "{} (overturned by the ICO, {})",
                parent.subject,
                c.ico_reference.clone().unwrap_or_default()
            ),
            request: parent.request.clone(),
            name: parent
                .requester_name
                .clone()
                .unwrap_or_else(|| "Requester".into()),
            email: parent.requester_email.clone(),
            address: parent
                .requester_address
                .clone()
                .or_else(|| Some("(deleted)".into())),
            requester_type: parent.requester_type.clone(),
            delivery: parent.delivery.clone(),
            channel: "ico".into(),
            received_on: decided_on,
            token: None,
        };
        let id = insert(
            &mut tx,
            &new,
            Kind::Overturned,
            Some(&parent.id),
            Route::Flagged,
            internal,
            None,
            by,
            now,
        )
        .await?;
        let due = decided_on + chrono::Days::new(ICO_COMPLY_DAYS);
        sqlx::query("UPDATE foi_cases SET due_on = $1, statutory_on = $1 WHERE id = $2")
            .bind(iso(due))
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        reopened = Some(id);
    }
    tx.commit().await?;
    match reopened {
        Some(id) => Ok(Some(get(db, &id).await?)),
        None => Ok(None),
    }
}

/// Sends the response: the move to closed, with the day it went, whether
/// it was late, and the email (or a note to post it) through the outbox,
/// on one transaction. The caller has checked [`problems`].
#[allow(clippy::too_many_arguments)]
pub async fn send(
    db: &Db,
    c: &Case,
    letter_text: &str,
    by: &Actor,
    version: i64,
    now: i64,
) -> Result<Case> {
    let today = platform::clock::date_of(now);
    let late = c.due_on.is_some_and(|d| today > d);
    let mut tx = db.begin_write().await?;
    let fresh = get_on(&mut tx, &c.id).await?;
    bump(&mut tx, &fresh, version, now).await?;
    let detail = format!(
        "Response sent by {} on {}{}",
        by.name,
        today.format("%-d %B %Y"),
        if late { " (late)" } else { "" }
    );
    let change = Change::new(&fresh.id, crate::workflow::SEND, by, now, &detail)
        .set("sent_on", iso(today))
        .set("late", i64::from(late))
        .set("closed_at", now);
    fresh.route.table().apply(&mut tx, &change).await?;
    if let Some(email) = fresh
        .requester_email
        .as_deref()
        .filter(|_| fresh.delivery == "email")
    {
        platform::outbox::enqueue(
            &mut tx,
            Some(&fresh.id),
            email,
            &format!("Your Freedom of Information request {}", fresh.number),
            letter_text,
        )
        .await?;
    }
    tx.commit().await?;
    get(db, &c.id).await
}

/// Puts a sent response in the public disclosure log (or takes it out).
pub async fn publish(db: &Db, c: &Case, on: bool, by: &Actor, now: i64) -> Result<()> {
    if on && (c.status != Status::Closed || c.kind == Kind::Appeal) {
        return Err(Error::Conflict(
            "only a sent response can go in the disclosure log".into(),
        ));
    }
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE foi_cases SET published = $1, updated_at = $2 WHERE id = $3")
        .bind(i64::from(on))
        .bind(now)
        .bind(&c.id)
        .execute(&mut *tx)
        .await?;
    let detail = if on {
        format!("Published in the disclosure log by {}", by.name)
    } else {
        format!("Taken out of the disclosure log by {}", by.name)
    };
    note(&mut tx, c, by, now, "foi.publish", &detail).await?;
    tx.commit().await?;
    Ok(())
}

/// Audits a view of the requester's details.
pub async fn viewed_requester(db: &Db, c: &Case, by: &Actor, now: i64) -> Result<()> {
    platform::audit::log_at(db, now, &by.id, "foi.requester.view", &c.id, &c.number).await
}

/// The quarter a date falls in ("2025-Q1").
pub fn quarter(d: NaiveDate) -> String {
    format!("{}-Q{}", d.year(), (d.month() - 1) / 3 + 1)
}
