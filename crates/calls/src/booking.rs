//! Calls: booking within the rules, the allowance, and every later move.
//!
//! A booking takes a place in its slot and the call's minutes from the
//! prisoner's monthly allowance in one transaction, each by a conditional
//! update (`booked < capacity`, `used + minutes <= limit`), and the call
//! row's partial unique index keeps a prisoner to one call at a time; so
//! however many families press "book" for the last place or the last
//! minutes at once, exactly one succeeds and the rest are told why.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};
use platform::contacts::{self, Contact, Prisoner};
use platform::workflow::{Change, Step};
use platform::{Actor, Db, Error, Result, audit, now, outbox};
use sqlx::Row;

use crate::callers::{self, Caller};
use crate::portal::{self, Portal};
use crate::workflow::{CALL, CallStatus, CallerStatus};

/// Most people on a call besides the prisoner.
pub const MAX_CALLERS: usize = 4;

/// Why a booking was refused, in words for the family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The portal is not live yet.
    NotLive,
    /// The slot is not one the portal offers now.
    NotOffered,
    /// Another booking took the last place.
    Full,
    /// The prisoner's allowance for the month cannot cover the call.
    Allowance { remaining: i64, month: String },
    /// The prisoner already has a call then.
    PrisonerBusy,
    /// A rule about who may be on the call.
    Callers(String),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::NotLive => write!(f, "Video calls cannot be booked at this prison yet"),
            Refusal::NotOffered => write!(
                f,
                "That call time is not available. Choose one of the times shown"
            ),
            Refusal::Full => write!(
                f,
                "Someone else has just booked the last place at that time. Choose another time"
            ),
            Refusal::Allowance { remaining, month } => write!(
                f,
                "This call would go over the allowance for {month}: {remaining} minutes are left. Choose a shorter call or a date in another month"
            ),
            Refusal::PrisonerBusy => write!(
                f,
                "The prisoner already has a call at that time. Choose another time"
            ),
            Refusal::Callers(m) => write!(f, "{m}"),
        }
    }
}

/// A prisoner's allowance for a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allowance {
    /// The portal's monthly minutes plus any extra granted.
    pub limit: i64,
    /// Minutes held by calls booked, offered, held or missed.
    pub used: i64,
}

impl Allowance {
    pub fn remaining(&self) -> i64 {
        (self.limit - self.used).max(0)
    }
}

/// "2027-01".
pub fn month_of(day: NaiveDate) -> String {
    format!("{:04}-{:02}", day.year(), day.month())
}

async fn extra_minutes(
    conn: &mut sqlx::AnyConnection,
    prisoner_id: &str,
    month: &str,
) -> Result<i64> {
    // PostgreSQL sums BIGINTs as NUMERIC, which the portable driver cannot
    // read: the cast keeps one type on both databases.
    let extra: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(minutes), 0) AS BIGINT) FROM call_extra_allowance WHERE prisoner_id = $1 AND month = $2",
    )
    .bind(prisoner_id)
    .bind(month)
    .fetch_one(&mut *conn)
    .await?;
    Ok(extra)
}

/// A prisoner's allowance for `month` under `monthly` minutes.
pub async fn allowance(db: &Db, prisoner_id: &str, month: &str, monthly: i64) -> Result<Allowance> {
    let mut conn = db.pool().acquire().await?;
    let extra = extra_minutes(&mut conn, prisoner_id, month).await?;
    let used: Option<i64> = sqlx::query_scalar(
        "SELECT used_minutes FROM call_allowance WHERE prisoner_id = $1 AND month = $2",
    )
    .bind(prisoner_id)
    .bind(month)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(Allowance {
        limit: monthly + extra,
        used: used.unwrap_or(0),
    })
}

/// Grants a prisoner extra minutes for a month, at the governor's
/// discretion, with the reason.
pub async fn grant_extra(
    db: &Db,
    prisoner_id: &str,
    month: &str,
    minutes: i64,
    reason: &str,
    by: &Actor,
) -> Result<()> {
    if !(1..=600).contains(&minutes) {
        return Err(Error::Conflict(
            "extra minutes must be a whole number from 1 to 600".into(),
        ));
    }
    if reason.trim().is_empty() {
        return Err(Error::Conflict(
            "give the reason for the extra calls".into(),
        ));
    }
    let mut tx = db.begin_write().await?;
    let id = platform::ids::new_id();
    sqlx::query(
        "INSERT INTO call_extra_allowance (id, prisoner_id, month, minutes, reason, granted_by, granted_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(prisoner_id)
    .bind(month)
    .bind(minutes)
    .bind(reason.trim())
    .bind(&by.id)
    .bind(now())
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        &by.id,
        "call.allowance_extra",
        prisoner_id,
        &format!("{minutes} minutes for {month}"),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What a booking asks for.
#[derive(Debug, Clone)]
pub struct NewCall<'a> {
    pub portal: &'a Portal,
    pub prisoner: &'a Prisoner,
    /// The main caller, 18 or over, verified and approved.
    pub main: &'a Caller,
    /// Up to three more approved contacts of the prisoner.
    pub others: &'a [Contact],
    pub date: NaiveDate,
    pub start: &'a str,
    /// A token from the form, so a double submit books once.
    pub idempotency_key: &'a str,
    /// Offered by staff at the prisoner's request (the family confirms),
    /// rather than booked by the family.
    pub invited: bool,
    pub today: NaiveDate,
}

/// Checks who is on a call against the rules: the main caller 18 or over,
/// verified and approved for the prisoner on the day; at most three more,
/// each approved on the day, every adult among them a verified caller;
/// children only with an adult (the main caller always is one).
pub async fn check_callers(db: &Db, new: &NewCall<'_>) -> Result<std::result::Result<(), Refusal>> {
    let refuse = |m: String| Ok(Err(Refusal::Callers(m)));
    let main = new.main;
    if main.status != CallerStatus::Verified {
        return refuse("Your identity must be verified before you can book a call".into());
    }
    if main.age_on(new.date) < 18 {
        return refuse("The main caller must be 18 or over".into());
    }
    if new.others.len() + 1 > MAX_CALLERS {
        return refuse(format!(
            "A call can have up to {MAX_CALLERS} people on it, including you. Remove {}",
            new.others.len() + 1 - MAX_CALLERS
        ));
    }
    let mut conn = db.pool().acquire().await?;
    if !contacts::account_approved(&mut conn, &new.prisoner.id, &main.account_id, new.date).await? {
        return refuse(format!(
            "You are not approved to call {} on that date",
            new.prisoner.name
        ));
    }
    for c in new.others {
        if c.prisoner_id != new.prisoner.id || !c.approved_on(new.date) {
            return refuse(format!(
                "{} is not approved to call {} on that date",
                c.name, new.prisoner.name
            ));
        }
        if c.account_id.as_deref() == Some(main.account_id.as_str()) {
            return refuse("You are already on the call as the main caller".into());
        }
        if callers::age(c.dob, new.date) >= 18 {
            let verified = match &c.account_id {
                Some(a) => callers::of_account(db, a)
                    .await?
                    .is_some_and(|k| k.status == CallerStatus::Verified),
                None => false,
            };
            if !verified {
                return refuse(format!(
                    "{} must verify their identity before they can join a call",
                    c.name
                ));
            }
        }
    }
    Ok(Ok(()))
}

/// Books (or, for staff at a prisoner's request, offers) a call. The
/// outer error is a failure of the service; the inner one a refusal to
/// show the family. Returns the call's reference.
pub async fn book(
    db: &Db,
    new: &NewCall<'_>,
    by: &Actor,
) -> Result<std::result::Result<String, Refusal>> {
    let portal = new.portal;
    if !portal.live {
        return Ok(Err(Refusal::NotLive));
    }
    if let Err(r) = check_callers(db, new).await? {
        return Ok(Err(r));
    }
    // Families book within the window and notice; staff entering a
    // prisoner's request may use any offered time from tomorrow.
    let (from, to) = if new.invited {
        (
            new.today + Duration::days(1),
            new.today + Duration::days(portal.settings.window_days),
        )
    } else {
        portal::bookable_range(&portal.settings, new.today)?
    };
    if new.date < from || new.date > to {
        return Ok(Err(Refusal::NotOffered));
    }
    let offered = portal::slots_between(db, portal, new.date, new.date).await?;
    let Some(slot) = offered.into_iter().find(|s| s.start == new.start) else {
        return Ok(Err(Refusal::NotOffered));
    };
    // A repeated submission of the same form finds the first booking.
    let earlier: Option<String> =
        sqlx::query_scalar("SELECT reference FROM calls WHERE idempotency_key = $1")
            .bind(new.idempotency_key)
            .fetch_optional(db.pool())
            .await?;
    if let Some(r) = earlier {
        return Ok(Ok(r));
    }
    let month = month_of(new.date);
    let est = &portal.establishment_id;
    let slot_key = slot.id(est);
    let minutes = slot.minutes;
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO call_slots (id, establishment_id, date, start_time, minutes, capacity, booked) \
         VALUES ($1, $2, $3, $4, $5, $6, 0) ON CONFLICT (id) DO NOTHING",
    )
    .bind(&slot_key)
    .bind(est)
    .bind(new.date.to_string())
    .bind(&slot.start)
    .bind(minutes)
    .bind(portal.settings.capacity)
    .execute(&mut *tx)
    .await?;
    let took = sqlx::query(
        "UPDATE call_slots SET booked = booked + 1 WHERE id = $1 AND booked < capacity",
    )
    .bind(&slot_key)
    .execute(&mut *tx)
    .await?;
    if took.rows_affected() != 1 {
        return Ok(Err(Refusal::Full));
    }
    let limit =
        portal.settings.monthly_minutes + extra_minutes(&mut tx, &new.prisoner.id, &month).await?;
    sqlx::query(
        "INSERT INTO call_allowance (prisoner_id, month, used_minutes) VALUES ($1, $2, 0) \
         ON CONFLICT (prisoner_id, month) DO NOTHING",
    )
    .bind(&new.prisoner.id)
    .bind(&month)
    .execute(&mut *tx)
    .await?;
    let held = sqlx::query(
        "UPDATE call_allowance SET used_minutes = used_minutes + $1 \
         WHERE prisoner_id = $2 AND month = $3 AND used_minutes + $1 <= $4",
    )
    .bind(minutes)
    .bind(&new.prisoner.id)
    .bind(&month)
    .bind(limit)
    .execute(&mut *tx)
    .await?;
    if held.rows_affected() != 1 {
        let used: i64 = sqlx::query_scalar(
            "SELECT used_minutes FROM call_allowance WHERE prisoner_id = $1 AND month = $2",
        )
        .bind(&new.prisoner.id)
        .bind(&month)
        .fetch_one(&mut *tx)
        .await?;
        return Ok(Err(Refusal::Allowance {
            remaining: (limit - used).max(0),
            month: NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
                .map(|d| d.format("%B %Y").to_string())
                .unwrap_or(month),
        }));
    }
    let id = platform::ids::new_id();
    let reference = {
        let mut rng = rand::rng();
        platform::ids::new_reference(&mut rng)
    };
    let status = if new.invited {
        CallStatus::Invited
    } else {
        CallStatus::Booked
    };
    let at = now();
    let inserted = sqlx::query(
        "INSERT INTO calls (id, reference, idempotency_key, establishment_id, prisoner_id, main_caller, slot_id, date, start_time, minutes, month, status, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)",
    )
    .bind(&id)
    .bind(&reference)
    .bind(new.idempotency_key)
    .bind(est)
    .bind(&new.prisoner.id)
    .bind(&new.main.account_id)
    .bind(&slot_key)
    .bind(new.date.to_string())
    .bind(&slot.start)
    .bind(minutes)
    .bind(&month)
    .bind(status_str(status))
    .bind(&by.id)
    .bind(at)
    .execute(&mut *tx)
    .await;
    if let Err(e) = inserted {
        let e = Error::from(e);
        // The partial unique index: the prisoner has a call then.
        if platform::db::is_unique_violation(&e) {
            return Ok(Err(Refusal::PrisonerBusy));
        }
        return Err(e);
    }
    let main_contact: Option<String> = sqlx::query_scalar(
        "SELECT id FROM approved_contacts WHERE prisoner_id = $1 AND account_id = $2",
    )
    .bind(&new.prisoner.id)
    .bind(&new.main.account_id)
    .fetch_optional(&mut *tx)
    .await?;
    let mut people = vec![(main_contact.unwrap_or_default(), new.main.name.clone())];
    people.extend(new.others.iter().map(|c| (c.id.clone(), c.name.clone())));
    for (contact_id, name) in &people {
        sqlx::query(
            "INSERT INTO call_participants (call_id, contact_id, name) VALUES ($1, $2, $3)",
        )
        .bind(&id)
        .bind(contact_id)
        .bind(name)
        .execute(&mut *tx)
        .await?;
    }
    CALL.record(
        &mut tx,
        &Step {
            id: &id,
            actor: &by.id,
            at,
            from: None,
            to: status,
            detail: if new.invited {
                "offered at the prisoner's request"
            } else {
                "booked"
            },
        },
    )
    .await?;
    audit::record(
        &mut tx,
        &by.id,
        if new.invited {
            "call.invite"
        } else {
            "call.book"
        },
        &id,
        &format!("{est} {} {}", new.date, slot.start),
    )
    .await?;
    if let Some(to) = email_of(&mut tx, &new.main.account_id).await? {
        let when = slot.label();
        let (subject, body) = if new.invited {
            (
                format!(
                    "{} has asked for a video call: {reference}",
                    new.prisoner.name
                ),
                format!(
                    "Dear {},\n\n{} at {} has asked for a video call with you on {when}.\n\nSign in to Video calls to confirm or decline it. Your reference is {reference}.\n",
                    new.main.name, new.prisoner.name, portal.name
                ),
            )
        } else {
            (
                format!("Video call booked: {reference}"),
                format!(
                    "Dear {},\n\nYour video call with {} at {} is booked for {when}.\n\nYour reference is {reference}.\n\nPeople on the call: {}.\n\nYou can cancel up to {} hours before the call by signing in to Video calls.\n",
                    new.main.name,
                    new.prisoner.name,
                    portal.name,
                    people
                        .iter()
                        .map(|(_, n)| n.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    portal.settings.cancel_cutoff_hours
                ),
            )
        };
        outbox::enqueue(&mut tx, Some(&id), &to, &subject, &body).await?;
    }
    tx.commit().await?;
    Ok(Ok(reference))
}

fn status_str(s: CallStatus) -> &'static str {
    use platform::workflow::State;
    s.as_str()
}

async fn email_of(conn: &mut sqlx::AnyConnection, account_id: &str) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT email FROM accounts WHERE id = $1")
            .bind(account_id)
            .fetch_optional(&mut *conn)
            .await?,
    )
}

/// A call as pages show it.
#[derive(Debug, Clone)]
pub struct Call {
    pub id: String,
    pub reference: String,
    pub establishment_id: String,
    pub establishment: String,
    pub prisoner_id: String,
    pub prisoner: String,
    pub prison_number: String,
    pub main_caller: String,
    pub date: NaiveDate,
    pub start: String,
    pub minutes: i64,
    pub status: CallStatus,
    pub reason: Option<String>,
    /// Names of everyone on the call (main caller first).
    pub people: Vec<String>,
}

impl Call {
    /// When the call starts.
    pub fn starts(&self) -> NaiveDateTime {
        self.date
            .and_time(NaiveTime::parse_from_str(&self.start, "%H:%M").unwrap_or(NaiveTime::MIN))
    }

    /// "Tuesday 5 January 2027, 14:00 (30 minutes)".
    pub fn when(&self) -> String {
        format!(
            "{}, {} ({} minutes)",
            self.date.format("%A %-d %B %Y"),
            self.start,
            self.minutes
        )
    }
}

const CALL_SELECT: &str = "SELECT c.id, c.reference, c.establishment_id, e.name AS establishment, c.prisoner_id, \
     p.name AS prisoner, p.prison_number, c.main_caller, c.date, c.start_time, c.minutes, c.status, c.reason \
     FROM calls c JOIN establishments e ON e.id = c.establishment_id JOIN prisoners p ON p.id = c.prisoner_id";

fn calls_from(rows: Vec<sqlx::any::AnyRow>) -> Result<Vec<Call>> {
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let status: String = row.try_get("status")?;
        let id: String = row.try_get("id")?;
        out.push(Call {
            reference: row.try_get("reference")?,
            establishment_id: row.try_get("establishment_id")?,
            establishment: row.try_get("establishment")?,
            prisoner_id: row.try_get("prisoner_id")?,
            prisoner: row.try_get("prisoner")?,
            prison_number: row.try_get("prison_number")?,
            main_caller: row.try_get("main_caller")?,
            date: portal::parse_date(&row.try_get::<String, _>("date")?)?,
            start: row.try_get("start_time")?,
            minutes: row.try_get("minutes")?,
            status: CallStatus::parse(&status)
                .ok_or_else(|| Error::Corrupt(format!("call status {status:?}")))?,
            reason: row.try_get("reason")?,
            people: Vec::new(),
            id,
        });
    }
    Ok(out)
}

async fn people_of(db: &Db, call_id: &str) -> Result<Vec<String>> {
    Ok(
        sqlx::query_scalar("SELECT name FROM call_participants WHERE call_id = $1 ORDER BY name")
            .bind(call_id)
            .fetch_all(db.pool())
            .await?,
    )
}

/// The calls a caller is the main caller of, soonest first.
pub async fn of_caller(db: &Db, account_id: &str) -> Result<Vec<Call>> {
    let rows = sqlx::query(&format!(
        "{CALL_SELECT} WHERE c.main_caller = $1 ORDER BY c.date, c.start_time"
    ))
    .bind(account_id)
    .fetch_all(db.pool())
    .await?;
    with_people(db, rows).await
}

/// A caller's call by reference.
pub async fn of_caller_by_reference(db: &Db, account_id: &str, reference: &str) -> Result<Call> {
    let rows = sqlx::query(&format!(
        "{CALL_SELECT} WHERE c.main_caller = $1 AND c.reference = $2"
    ))
    .bind(account_id)
    .bind(reference)
    .fetch_all(db.pool())
    .await?;
    with_people(db, rows).await?.pop().ok_or(Error::NotFound)
}

/// An establishment's calls on `from..=to`, by time.
pub async fn at_establishment(
    db: &Db,
    establishment_id: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Call>> {
    let rows = sqlx::query(&format!(
        "{CALL_SELECT} WHERE c.establishment_id = $1 AND c.date >= $2 AND c.date <= $3 ORDER BY c.date, c.start_time, p.name"
    ))
    .bind(establishment_id)
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(db.pool())
    .await?;
    with_people(db, rows).await
}

/// A call by key.
pub async fn get(db: &Db, id: &str) -> Result<Call> {
    let rows = sqlx::query(&format!("{CALL_SELECT} WHERE c.id = $1"))
        .bind(id)
        .fetch_all(db.pool())
        .await?;
    with_people(db, rows).await?.pop().ok_or(Error::NotFound)
}

async fn with_people(db: &Db, rows: Vec<sqlx::any::AnyRow>) -> Result<Vec<Call>> {
    let mut calls = calls_from(rows)?;
    for c in &mut calls {
        c.people = people_of(db, &c.id).await?;
    }
    Ok(calls)
}

/// Makes a move on a call (confirm, decline, cancel, record how it went):
/// a move that gives up the call's place returns it to the slot, and one
/// after which the call no longer counts returns its minutes to the
/// allowance, in the same transaction. The family cannot cancel after the
/// portal's cut-off. Emails the main caller when the call is cancelled by
/// staff, confirmed or cancelled.
pub async fn move_call(
    db: &Db,
    call_id: &str,
    action: &str,
    reason: &str,
    by: &Actor,
    now_at: NaiveDateTime,
) -> Result<()> {
    let call = get(db, call_id).await?;
    let t = CALL
        .find(action)
        .ok_or_else(|| Error::Conflict(format!("there is no step called {action:?} for a call")))?;
    if action == crate::workflow::CANCEL {
        let p = portal::get(db, &call.establishment_id).await?;
        if call.starts() - Duration::hours(p.settings.cancel_cutoff_hours) < now_at {
            return Err(Error::Conflict(format!(
                "calls can only be cancelled online up to {} hours before they start; contact the prison",
                p.settings.cancel_cutoff_hours
            )));
        }
    }
    let mut tx = db.begin_write().await?;
    let from = CALL
        .apply(
            &mut tx,
            &Change::new(call_id, action, by, now(), reason).set("reason", reason.to_owned()),
        )
        .await?;
    if from.holds_place() && !t.to.holds_place() {
        sqlx::query("UPDATE call_slots SET booked = booked - 1 WHERE id = (SELECT slot_id FROM calls WHERE id = $1) AND booked > 0")
            .bind(call_id)
            .execute(&mut *tx)
            .await?;
    }
    if from.counts() && !t.to.counts() {
        sqlx::query(
            "UPDATE call_allowance SET used_minutes = used_minutes - $1 \
             WHERE prisoner_id = $2 AND month = $3 AND used_minutes >= $1",
        )
        .bind(call.minutes)
        .bind(&call.prisoner_id)
        .bind(month_of(call.date))
        .execute(&mut *tx)
        .await?;
    }
    let words = match action {
        crate::workflow::CONFIRM => Some(("confirmed", "is booked")),
        crate::workflow::CANCEL => Some(("cancelled", "is cancelled")),
        crate::workflow::DECLINE => Some(("declined", "is declined")),
        crate::workflow::STAFF_CANCEL => Some((
            "cancelled by the prison",
            "has been cancelled by the prison",
        )),
        _ => None,
    };
    if let (Some((short, long)), Some(to)) = (words, email_of(&mut tx, &call.main_caller).await?) {
        let mut body = format!(
            "Your video call with {} at {} on {} {long}.\n\nReference: {}\n",
            call.prisoner,
            call.establishment,
            call.when(),
            call.reference
        );
        if action == crate::workflow::STAFF_CANCEL && !reason.trim().is_empty() {
            body.push_str(&format!("\nReason: {}\n", reason.trim()));
        }
        outbox::enqueue(
            &mut tx,
            Some(call_id),
            &to,
            &format!("Video call {short}: {}", call.reference),
            &body,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Emails the main caller of every call booked for tomorrow, once.
/// Returns how many reminders were queued.
pub async fn remind(db: &Db, today: NaiveDate) -> Result<u64> {
    let tomorrow = today + Duration::days(1);
    let due: Vec<String> = sqlx::query_scalar(
        "SELECT c.id FROM calls c WHERE c.date = $1 AND c.status = 'booked' \
         AND NOT EXISTS (SELECT 1 FROM call_events e WHERE e.call_id = c.id AND e.detail = 'reminder sent')",
    )
    .bind(tomorrow.to_string())
    .fetch_all(db.pool())
    .await?;
    let mut n = 0;
    for id in due {
        let call = get(db, &id).await?;
        let mut tx = db.begin_write().await?;
        // Claim the reminder in the same transaction as the email, so two
        // instances running the job at once send one.
        let claimed = sqlx::query(
            "INSERT INTO call_events (id, call_id, at, actor, from_status, to_status, detail) \
             SELECT $1, $2, $3, 'system', 'booked', 'booked', 'reminder sent' \
             WHERE NOT EXISTS (SELECT 1 FROM call_events WHERE call_id = $2 AND detail = 'reminder sent')",
        )
        .bind(platform::ids::new_id())
        .bind(&id)
        .bind(now())
        .execute(&mut *tx)
        .await?;
        if claimed.rows_affected() == 1
            && let Some(to) = email_of(&mut tx, &call.main_caller).await?
        {
            outbox::enqueue(
                &mut tx,
                Some(&id),
                &to,
                &format!("Reminder: video call tomorrow, {}", call.reference),
                &format!(
                    "Your video call with {} at {} is tomorrow: {}.\n\nSign in to Video calls a few minutes before it starts. Have your face clearly visible: the call pauses if someone who is not approved appears.\n",
                    call.prisoner,
                    call.establishment,
                    call.when()
                ),
            )
            .await?;
            n += 1;
        }
        tx.commit().await?;
    }
    Ok(n)
}
