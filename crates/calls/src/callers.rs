//! Callers: a family member's profile, the check of their identity, and
//! their requests to be approved for a prisoner.
//!
//! The ID photo and the selfie are sealed under the caller's own data key
//! (wrapped under the service's master key) and stored with the profile,
//! so every instance of the service can show them to a verifier; once the
//! decision is a set number of days old the documents and the wrapped key
//! are deleted, and what remains is the selfie's face descriptor (for the
//! live call's face check), the outcome of the automatic comparison, the
//! decision, and who made it.

use base64::Engine as _;
use chrono::NaiveDate;
use platform::contacts::{self, NewContact};
use platform::vault::Key;
use platform::workflow::{Change, Step};
use platform::{Actor, Db, Error, Result, audit, now};
use sqlx::Row;

use crate::workflow::{
    APPROVE, CALLER, CallerStatus, DECLINE_REQUEST, REFUSE, REQUEST, RequestStatus, SUBMIT, VERIFY,
};

/// A caller's profile and where their identity check stands.
#[derive(Debug, Clone)]
pub struct Caller {
    pub id: String,
    pub account_id: String,
    pub status: CallerStatus,
    pub name: String,
    pub dob: NaiveDate,
    pub address: String,
    pub phone: String,
    /// What the automatic comparison found, in words.
    pub check_outcome: Option<String>,
    /// The distance between the two faces, when both were found.
    pub check_distance: Option<f64>,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub decision_reason: Option<String>,
    /// When the documents are (or were) due to be destroyed.
    pub documents_destroy_on: Option<NaiveDate>,
    pub documents_destroyed_at: Option<i64>,
    /// Whether documents are held now.
    pub has_documents: bool,
    /// Whether a face descriptor is enrolled.
    pub enrolled: bool,
    pub submitted_at: Option<i64>,
}

impl Caller {
    /// Age in whole years on `day`.
    pub fn age_on(&self, day: NaiveDate) -> i32 {
        age(self.dob, day)
    }
}

/// Age in whole years on `day` of someone born on `dob`.
pub fn age(dob: NaiveDate, day: NaiveDate) -> i32 {
    day.years_since(dob).map(|y| y as i32).unwrap_or(0)
}

/// What the caller typed.
#[derive(Debug, Clone)]
pub struct Profile {
    pub name: String,
    pub dob: NaiveDate,
    pub address: String,
    pub phone: String,
}

const COLUMNS: &str = "id, account_id, status, name, dob, address, phone, check_outcome, check_distance, \
     decided_by, decided_at, decision_reason, documents_destroy_on, documents_destroyed_at, submitted_at, \
     (id_document IS NOT NULL) AS has_documents, (descriptor IS NOT NULL) AS enrolled";

fn date(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| Error::Corrupt(format!("date {s:?}")))
}

fn flag(row: &sqlx::any::AnyRow, column: &str) -> Result<bool> {
    // SQLite answers a comparison with an integer, PostgreSQL a boolean.
    Ok(match row.try_get::<bool, _>(column) {
        Ok(b) => b,
        Err(_) => row.try_get::<i64, _>(column)? != 0,
    })
}

fn from_row(row: &sqlx::any::AnyRow) -> Result<Caller> {
    let status: String = row.try_get("status")?;
    let destroy: Option<String> = row.try_get("documents_destroy_on")?;
    Ok(Caller {
        id: row.try_get("id")?,
        account_id: row.try_get("account_id")?,
        status: CallerStatus::parse(&status)
            .ok_or_else(|| Error::Corrupt(format!("caller status {status:?}")))?,
        name: row.try_get("name")?,
        dob: date(&row.try_get::<String, _>("dob")?)?,
        address: row.try_get("address")?,
        phone: row.try_get("phone")?,
        check_outcome: row.try_get("check_outcome")?,
        check_distance: row.try_get("check_distance")?,
        decided_by: row.try_get("decided_by")?,
        decided_at: row.try_get("decided_at")?,
        decision_reason: row.try_get("decision_reason")?,
        documents_destroy_on: destroy.as_deref().map(date).transpose()?,
        documents_destroyed_at: row.try_get("documents_destroyed_at")?,
        has_documents: flag(row, "has_documents")?,
        enrolled: flag(row, "enrolled")?,
        submitted_at: row.try_get("submitted_at")?,
    })
}

/// The caller profile of an account, if it has one.
pub async fn of_account(db: &Db, account_id: &str) -> Result<Option<Caller>> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM callers WHERE account_id = $1"
    ))
    .bind(account_id)
    .fetch_optional(db.pool())
    .await?
    .map(|r| from_row(&r))
    .transpose()
}

/// A caller by key.
pub async fn get(db: &Db, id: &str) -> Result<Caller> {
    sqlx::query(&format!("SELECT {COLUMNS} FROM callers WHERE id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .map(|r| from_row(&r))
        .transpose()?
        .ok_or(Error::NotFound)
}

/// Callers waiting for a verifier, oldest first.
pub async fn queue(db: &Db) -> Result<Vec<Caller>> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM callers WHERE status = 'submitted' ORDER BY submitted_at, id"
    ))
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(from_row)
    .collect()
}

/// Saves an account's profile: creates it, or changes it while no check
/// is under way. Once documents are sent, the name and date of birth are
/// what the verifier compares with them, so they change only by sending
/// new documents after a refusal; address and phone change any time.
pub async fn save_profile(db: &Db, account_id: &str, p: &Profile, by: &Actor) -> Result<String> {
    let at = now();
    let mut tx = db.begin_write().await?;
    let existing: Option<(String, String)> =
        sqlx::query_as("SELECT id, status FROM callers WHERE account_id = $1")
            .bind(account_id)
            .fetch_optional(&mut *tx)
            .await?;
    let id = match existing {
        None => {
            let id = platform::ids::new_id();
            sqlx::query(
                "INSERT INTO callers (id, account_id, status, name, dob, address, phone, created_at, updated_at) \
                 VALUES ($1, $2, 'unverified', $3, $4, $5, $6, $7, $7)",
            )
            .bind(&id)
            .bind(account_id)
            .bind(&p.name)
            .bind(p.dob.to_string())
            .bind(&p.address)
            .bind(&p.phone)
            .bind(at)
            .execute(&mut *tx)
            .await?;
            CALLER
                .record(
                    &mut tx,
                    &Step {
                        id: &id,
                        actor: &by.id,
                        at,
                        from: None,
                        to: CallerStatus::Unverified,
                        detail: "profile created",
                    },
                )
                .await?;
            audit::record(&mut tx, &by.id, "caller.create", &id, "").await?;
            id
        }
        Some((id, status)) => {
            let identity_open = matches!(status.as_str(), "unverified" | "refused");
            if identity_open {
                sqlx::query(
                    "UPDATE callers SET name = $1, dob = $2, updated_at = $3 WHERE id = $4",
                )
                .bind(&p.name)
                .bind(p.dob.to_string())
                .bind(at)
                .bind(&id)
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query(
                "UPDATE callers SET address = $1, phone = $2, updated_at = $3 WHERE id = $4",
            )
            .bind(&p.address)
            .bind(&p.phone)
            .bind(at)
            .bind(&id)
            .execute(&mut *tx)
            .await?;
            audit::record(&mut tx, &by.id, "caller.update", &id, "").await?;
            id
        }
    };
    tx.commit().await?;
    Ok(id)
}

/// What the automatic check found.
#[derive(Debug, Clone)]
pub struct AutoCheck {
    /// In words, for the verifier ("the faces match (distance 0.41)").
    pub outcome: String,
    /// The distance, when both images held one face.
    pub distance: Option<f64>,
    /// The selfie's face descriptor, when it held one face.
    pub descriptor: Option<Vec<u8>>,
}

fn seal_b64(key: &Key, bytes: &[u8], context: &str) -> Result<String> {
    Ok(base64::engine::general_purpose::STANDARD.encode(key.seal(bytes, context)?))
}

fn open_b64(key: &Key, text: &str, context: &str) -> Result<Vec<u8>> {
    let sealed = base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|_| Error::Corrupt(format!("sealed {context}")))?;
    key.open(&sealed, context)
}

fn key_context(caller_id: &str) -> String {
    format!("calls documents key {caller_id}")
}

/// Stores a caller's documents sealed, with the automatic check's
/// outcome, and sends them to the verifiers' queue.
pub async fn submit_documents(
    db: &Db,
    master: &Key,
    caller_id: &str,
    id_document: &[u8],
    selfie: &[u8],
    check: &AutoCheck,
    by: &Actor,
) -> Result<()> {
    let key = Key::random();
    let wrapped = key.wrap(master, &key_context(caller_id))?;
    let id_sealed = seal_b64(&key, id_document, &format!("calls id {caller_id}"))?;
    let selfie_sealed = seal_b64(&key, selfie, &format!("calls selfie {caller_id}"))?;
    let at = now();
    let mut tx = db.begin_write().await?;
    CALLER
        .apply(
            &mut tx,
            &Change::new(caller_id, SUBMIT, by, at, &check.outcome)
                .set("wrapped_key", wrapped)
                .set("id_document", id_sealed)
                .set("selfie", selfie_sealed)
                .set("check_outcome", check.outcome.clone())
                .set("submitted_at", at),
        )
        .await?;
    // Columns the engine's portable values do not cover: a float and an
    // optional blob-as-text.
    sqlx::query(
        "UPDATE callers SET check_distance = $1, descriptor = $2, decided_by = NULL, decided_at = NULL, \
         decision_reason = NULL, documents_destroy_on = NULL, documents_destroyed_at = NULL WHERE id = $3",
    )
    .bind(check.distance)
    .bind(check.descriptor.as_deref().map(platform::ids::hex))
    .bind(caller_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Which document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Document {
    Id,
    Selfie,
}

impl Document {
    pub fn parse(s: &str) -> Option<Document> {
        match s {
            "id" => Some(Document::Id),
            "selfie" => Some(Document::Selfie),
            _ => None,
        }
    }

    fn column(self) -> &'static str {
        match self {
            Document::Id => "id_document",
            Document::Selfie => "selfie",
        }
    }

    fn context(self, caller_id: &str) -> String {
        match self {
            Document::Id => format!("calls id {caller_id}"),
            Document::Selfie => format!("calls selfie {caller_id}"),
        }
    }
}

/// Opens one of a caller's documents for a verifier, auditing the view.
/// `NotFound` once the documents are destroyed.
pub async fn document(
    db: &Db,
    master: &Key,
    caller_id: &str,
    which: Document,
    viewer: &str,
) -> Result<Vec<u8>> {
    let row = sqlx::query(&format!(
        "SELECT wrapped_key, {} AS doc FROM callers WHERE id = $1",
        which.column()
    ))
    .bind(caller_id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(Error::NotFound)?;
    let (Some(wrapped), Some(doc)) = (
        row.try_get::<Option<String>, _>("wrapped_key")?,
        row.try_get::<Option<String>, _>("doc")?,
    ) else {
        return Err(Error::NotFound);
    };
    let key = Key::unwrap(&wrapped, master, &key_context(caller_id))?;
    let bytes = open_b64(&key, &doc, &which.context(caller_id))?;
    audit::log(
        db,
        viewer,
        "caller.view_document",
        caller_id,
        which.column(),
    )
    .await?;
    Ok(bytes)
}

/// A verifier's decision. Verifying needs the verifier to have confirmed
/// that the name and date of birth typed match the document; refusing
/// needs a reason the caller is told. The documents are destroyed
/// `documents_days` after the decision.
pub async fn decide(
    db: &Db,
    caller_id: &str,
    verify: bool,
    reason: &str,
    destroy_on: NaiveDate,
    by: &Actor,
) -> Result<()> {
    let reason = reason.trim();
    if !verify && reason.is_empty() {
        return Err(Error::Conflict(
            "give the reason, which the caller will be told".into(),
        ));
    }
    let at = now();
    let action = if verify { VERIFY } else { REFUSE };
    let mut tx = db.begin_write().await?;
    let detail = if verify { "identity verified" } else { reason };
    CALLER
        .apply(
            &mut tx,
            &Change::new(caller_id, action, by, at, detail)
                .set("decided_by", by.id.clone())
                .set("decided_at", at)
                .set("decision_reason", reason.to_owned())
                .set("documents_destroy_on", destroy_on.to_string()),
        )
        .await?;
    let email: Option<String> = sqlx::query_scalar(
        "SELECT a.email FROM accounts a JOIN callers c ON c.account_id = a.id WHERE c.id = $1",
    )
    .bind(caller_id)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(to) = email {
        let (subject, body) = if verify {
            (
                "Your identity is verified for video calls",
                "Your identity has been checked and you can now ask to be approved to call someone in prison, or book calls with people you are approved for.\n\nSign in to Video calls to continue.\n".to_owned(),
            )
        } else {
            (
                "We could not verify your identity for video calls",
                format!(
                    "We could not verify your identity from the photos you sent.\n\nReason: {reason}\n\nYou can sign in to Video calls and send new photos.\n"
                ),
            )
        };
        platform::outbox::enqueue(&mut tx, Some(caller_id), &to, subject, &body).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Destroys the documents whose day has come. Returns how many callers'.
pub async fn destroy_due_documents(db: &Db, today: NaiveDate) -> Result<u64> {
    let due: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM callers WHERE id_document IS NOT NULL AND documents_destroy_on IS NOT NULL AND documents_destroy_on <= $1",
    )
    .bind(today.to_string())
    .fetch_all(db.pool())
    .await?;
    let mut n = 0;
    for id in due {
        let mut tx = db.begin_write().await?;
        let done = sqlx::query(
            "UPDATE callers SET id_document = NULL, selfie = NULL, wrapped_key = NULL, documents_destroyed_at = $1 \
             WHERE id = $2 AND id_document IS NOT NULL",
        )
        .bind(now())
        .bind(&id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 1 {
            audit::record(
                &mut tx,
                "system",
                "caller.documents_destroyed",
                &id,
                "ID photo, selfie and their key deleted; descriptor and decision kept",
            )
            .await?;
            n += 1;
        }
        tx.commit().await?;
    }
    Ok(n)
}

/// The enrolled face descriptor of a caller (for the live call's check).
pub async fn descriptor(db: &Db, caller_id: &str) -> Result<Option<Vec<u8>>> {
    let hex: Option<Option<String>> =
        sqlx::query_scalar("SELECT descriptor FROM callers WHERE id = $1")
            .bind(caller_id)
            .fetch_optional(db.pool())
            .await?;
    Ok(hex.flatten().and_then(|h| platform::vault::unhex(&h)))
}

/// A caller's request to be approved for a prisoner.
#[derive(Debug, Clone)]
pub struct ContactRequest {
    pub id: String,
    pub caller_id: String,
    pub establishment_id: String,
    pub prison_number: String,
    pub prisoner_name: String,
    pub relationship: String,
    pub status: RequestStatus,
    pub reason: Option<String>,
    pub created_at: i64,
}

fn request_from(row: &sqlx::any::AnyRow) -> Result<ContactRequest> {
    let status: String = row.try_get("status")?;
    Ok(ContactRequest {
        id: row.try_get("id")?,
        caller_id: row.try_get("caller_id")?,
        establishment_id: row.try_get("establishment_id")?,
        prison_number: row.try_get("prison_number")?,
        prisoner_name: row.try_get("prisoner_name")?,
        relationship: row.try_get("relationship")?,
        status: RequestStatus::parse(&status)
            .ok_or_else(|| Error::Corrupt(format!("request status {status:?}")))?,
        reason: row.try_get("reason")?,
        created_at: row.try_get("created_at")?,
    })
}

const REQUEST_COLUMNS: &str = "id, caller_id, establishment_id, prison_number, prisoner_name, relationship, status, reason, created_at";

/// Asks to be approved for a prisoner. Only a verified caller may ask.
pub async fn request_contact(
    db: &Db,
    caller: &Caller,
    establishment_id: &str,
    prison_number: &str,
    prisoner_name: &str,
    relationship: &str,
    by: &Actor,
) -> Result<String> {
    if caller.status != CallerStatus::Verified {
        return Err(Error::Conflict(
            "your identity must be verified before you ask to be approved".into(),
        ));
    }
    let number = contacts::prison_number(prison_number)
        .ok_or_else(|| Error::Conflict("enter a prison number like A1234BC".into()))?;
    let at = now();
    let id = platform::ids::new_id();
    let mut tx = db.begin_write().await?;
    let waiting: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM contact_requests WHERE caller_id = $1 AND prison_number = $2 AND status = 'waiting'",
    )
    .bind(&caller.id)
    .bind(&number)
    .fetch_one(&mut *tx)
    .await?;
    if waiting > 0 {
        return Err(Error::Conflict(format!(
            "you have already asked to be approved for {number}; the prison will reply"
        )));
    }
    sqlx::query(
        "INSERT INTO contact_requests (id, caller_id, establishment_id, prison_number, prisoner_name, relationship, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'waiting', $7, $7)",
    )
    .bind(&id)
    .bind(&caller.id)
    .bind(establishment_id)
    .bind(&number)
    .bind(prisoner_name.trim())
    .bind(relationship.trim())
    .bind(at)
    .execute(&mut *tx)
    .await?;
    REQUEST
        .record(
            &mut tx,
            &Step {
                id: &id,
                actor: &by.id,
                at,
                from: None,
                to: RequestStatus::Waiting,
                detail: "asked to be approved",
            },
        )
        .await?;
    audit::record(
        &mut tx,
        &by.id,
        "contact_request.create",
        &id,
        &format!("at {establishment_id}"),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// A caller's requests, newest first.
pub async fn requests_of(db: &Db, caller_id: &str) -> Result<Vec<ContactRequest>> {
    sqlx::query(&format!(
        "SELECT {REQUEST_COLUMNS} FROM contact_requests WHERE caller_id = $1 ORDER BY created_at DESC, id"
    ))
    .bind(caller_id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(request_from)
    .collect()
}

/// An establishment's waiting requests, oldest first.
pub async fn waiting_requests(db: &Db, establishment_id: &str) -> Result<Vec<ContactRequest>> {
    sqlx::query(&format!(
        "SELECT {REQUEST_COLUMNS} FROM contact_requests WHERE establishment_id = $1 AND status = 'waiting' ORDER BY created_at, id"
    ))
    .bind(establishment_id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(request_from)
    .collect()
}

/// A request by key.
pub async fn request(db: &Db, id: &str) -> Result<ContactRequest> {
    sqlx::query(&format!(
        "SELECT {REQUEST_COLUMNS} FROM contact_requests WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .map(|r| request_from(&r))
    .transpose()?
    .ok_or(Error::NotFound)
}

/// Staff approve a request: the caller goes on the prisoner's approved
/// contacts list (the prisoner recorded first when the platform does not
/// know them yet), in the same transaction as the request's move.
pub async fn approve_request(
    db: &Db,
    request_id: &str,
    relationship: &str,
    by: &Actor,
) -> Result<()> {
    let r = request(db, request_id).await?;
    let caller = get(db, &r.caller_id).await?;
    if caller.status != CallerStatus::Verified {
        return Err(Error::Conflict(
            "the caller's identity is no longer verified".into(),
        ));
    }
    let prisoner = match contacts::prisoner_by_number(db, &r.prison_number).await? {
        Some(p) if p.establishment_id == r.establishment_id => p,
        Some(_) => {
            return Err(Error::Conflict(format!(
                "{} is recorded at another establishment; that prison must approve the request",
                r.prison_number
            )));
        }
        None => {
            contacts::add_prisoner(
                db,
                &r.prison_number,
                &r.prisoner_name,
                &r.establishment_id,
                by,
            )
            .await?
        }
    };
    let at = now();
    let mut tx = db.begin_write().await?;
    REQUEST
        .apply(
            &mut tx,
            &Change::new(request_id, APPROVE, by, at, "approved"),
        )
        .await?;
    contacts::approve(
        &mut tx,
        &prisoner.id,
        &NewContact {
            account_id: Some(&caller.account_id),
            name: &caller.name,
            dob: caller.dob,
            relationship,
        },
        by,
    )
    .await?;
    notify_request(&mut tx, &caller, &r, None).await?;
    tx.commit().await?;
    Ok(())
}

/// Staff decline a request, with a reason the caller is told.
pub async fn decline_request(db: &Db, request_id: &str, reason: &str, by: &Actor) -> Result<()> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::Conflict(
            "give the reason, which the caller will be told".into(),
        ));
    }
    let r = request(db, request_id).await?;
    let caller = get(db, &r.caller_id).await?;
    let mut tx = db.begin_write().await?;
    REQUEST
        .apply(
            &mut tx,
            &Change::new(request_id, DECLINE_REQUEST, by, now(), reason)
                .set("reason", reason.to_owned())
                .set("decided_by", by.id.clone()),
        )
        .await?;
    notify_request(&mut tx, &caller, &r, Some(reason)).await?;
    tx.commit().await?;
    Ok(())
}

async fn notify_request(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller,
    r: &ContactRequest,
    declined: Option<&str>,
) -> Result<()> {
    let to: Option<String> = sqlx::query_scalar("SELECT email FROM accounts WHERE id = $1")
        .bind(&caller.account_id)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(to) = to else { return Ok(()) };
    let (subject, body) = match declined {
        None => (
            format!("You can now book video calls with {}", r.prisoner_name),
            format!(
                "Dear {},\n\nThe prison has approved you to have video calls with {} ({}).\n\nSign in to Video calls to book a call.\n",
                caller.name, r.prisoner_name, r.prison_number
            ),
        ),
        Some(reason) => (
            format!("You have not been approved to call {}", r.prisoner_name),
            format!(
                "Dear {},\n\nThe prison has not approved you to have video calls with {} ({}).\n\nReason: {reason}\n",
                caller.name, r.prisoner_name, r.prison_number
            ),
        ),
    };
    platform::outbox::enqueue(tx, Some(&r.id), &to, &subject, &body).await
}
