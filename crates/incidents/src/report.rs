//! The incident report: its details, answers, people and addenda; its
//! moves through the workflow table; its history; and the lists staff
//! search.
//!
//! Every save carries the version of the report the person opened: a save
//! made on a page that someone else's change has overtaken is refused
//! ("changed since you opened it") instead of overwriting theirs. Every
//! change writes its audit line, and its history line where it is a step
//! of the report's life, on the change's own transaction.

use chrono::{Datelike, NaiveDateTime};
use platform::db::Db;
use platform::workflow::{Change, State, Step};
use platform::{Actor, Error, Result, audit};
use sqlx::Row;

use crate::types::{self, Answers, Given, IncidentType};
use crate::workflow::{self, Status, WORKFLOW};

/// at, actor, their name, from, to, detail.
/// at, asked by, comment, reply, replied at.
type CorrectionRow = (i64, String, String, Option<String>, Option<i64>);

/// A stored report.
#[derive(Debug, Clone)]
pub struct Incident {
    pub id: String,
    /// "IR-2025-000123": sequential within the year it was reported.
    pub reference: String,
    pub type_code: String,
    pub type_version: i64,
    pub status: Status,
    pub establishment_id: String,
    /// When it happened (seconds, UTC).
    pub occurred_at: i64,
    pub quarter: String,
    pub title: String,
    /// As first written; later additions are addenda.
    pub description: String,
    pub reported_by: String,
    pub reported_by_name: String,
    pub reported_at: i64,
    pub submitted_at: Option<i64>,
    pub duplicate_of: Option<String>,
    /// The other system's record that raised it ("Video call VC-...").
    pub source: Option<String>,
    /// How many saves it has had: the concurrency check.
    pub version: i64,
    pub updated_at: i64,
    pub closed_at: Option<i64>,
    pub delete_after: Option<i64>,
}

/// A person involved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: String,
    /// "prisoner" or "staff".
    pub kind: String,
    pub prison_number: Option<String>,
    pub name: String,
    pub role: String,
    pub outcome: Option<String>,
    pub comment: Option<String>,
}

/// Text added after submission.
#[derive(Debug, Clone)]
pub struct Addendum {
    pub at: i64,
    pub author_name: String,
    pub text: String,
}

/// One line of a report's history.
pub type HistoryLine = platform::workflow::Line;

/// A new report, as the reporting officer first describes it.
#[derive(Debug, Clone)]
pub struct NewReport {
    pub type_code: String,
    pub establishment_id: String,
    pub occurred_at: NaiveDateTime,
    pub title: String,
    pub description: String,
}

/// A save of a report's details and answers.
#[derive(Debug, Clone)]
pub struct Edit {
    /// The version the person opened.
    pub version: i64,
    pub occurred_at: NaiveDateTime,
    pub title: String,
    /// Ignored once the report has been submitted (addenda instead).
    pub description: String,
    pub answers: Answers,
}

/// The refusal for a save made on a stale page.
pub fn changed_meanwhile() -> Error {
    Error::Conflict(
        "this report was changed by someone else since you opened it: nothing you entered was saved over their change; open the report again to see it, then make your change"
            .into(),
    )
}

const TITLE_MAX: usize = 120;

/// The question naming the report of the find of a device used (social
/// media misuse): its answer links the two reports.
const FIND_REFERENCE: &str = "find_reference";
const TEXT_MAX: usize = 10_000;

/// The quarter a time falls in ("2025-Q1").
pub fn quarter_of(at: NaiveDateTime) -> String {
    format!("{}-Q{}", at.year(), (at.month() - 1) / 3 + 1)
}

fn seconds(at: NaiveDateTime) -> i64 {
    at.and_utc().timestamp()
}

/// The checks every report's details pass, whoever writes them.
fn check_details(occurred_at: NaiveDateTime, title: &str, now: i64) -> Result<()> {
    // A few minutes' grace for a clock that runs ahead of the officer's.
    if seconds(occurred_at) > now + 300 {
        return Err(Error::Conflict(
            "the date and time of the incident must be in the past".into(),
        ));
    }
    if occurred_at.year() < 2000 {
        return Err(Error::Conflict(
            "the date of the incident must be after 1 January 2000".into(),
        ));
    }
    let title = title.trim();
    if title.is_empty() {
        return Err(Error::Conflict("enter a title for the report".into()));
    }
    if title.chars().count() > TITLE_MAX {
        return Err(Error::Conflict(format!(
            "the title must be {TITLE_MAX} characters or fewer"
        )));
    }
    Ok(())
}

fn check_text(text: &str, what: &str) -> Result<()> {
    if text.trim().is_empty() {
        return Err(Error::Conflict(format!("enter {what}")));
    }
    if text.chars().count() > TEXT_MAX {
        return Err(Error::Conflict(format!(
            "{what} must be {TEXT_MAX} characters or fewer"
        )));
    }
    Ok(())
}

/// The next reference in `year`: one conditional upsert, so two reports
/// filed at once never share a number.
async fn next_reference(conn: &mut sqlx::AnyConnection, year: i32) -> Result<String> {
    let n: i64 = sqlx::query_scalar(
        "INSERT INTO incident_sequences (year, last) VALUES ($1, 1) \
         ON CONFLICT (year) DO UPDATE SET last = incident_sequences.last + 1 RETURNING last",
    )
    .bind(i64::from(year))
    .fetch_one(conn)
    .await?;
    Ok(format!("IR-{year}-{n:06}"))
}

/// Files a draft: checks the type, the establishment and the details,
/// gives it the year's next reference, and writes its first history line
/// and audit entry together. `source` names another system's record that
/// raised it (at most one report each).
pub async fn create(
    conn: &mut sqlx::AnyConnection,
    new: &NewReport,
    source: Option<&str>,
    by: &Actor,
    now: i64,
) -> Result<Incident> {
    check_details(new.occurred_at, &new.title, now)?;
    check_text(&new.description, "a description of what happened")?;
    let ty: Option<(i64,)> =
        sqlx::query_as("SELECT version FROM incident_types WHERE code = $1 AND active = 1")
            .bind(&new.type_code)
            .fetch_optional(&mut *conn)
            .await?;
    let Some((type_version,)) = ty else {
        return Err(Error::Conflict(format!(
            "there is no incident type {:?} in use",
            new.type_code
        )));
    };
    let known: Option<String> = sqlx::query_scalar("SELECT id FROM establishments WHERE id = $1")
        .bind(&new.establishment_id)
        .fetch_optional(&mut *conn)
        .await?;
    if known.is_none() {
        return Err(Error::Conflict(format!(
            "there is no establishment {:?}",
            new.establishment_id
        )));
    }
    let reported = chrono::DateTime::from_timestamp(now, 0)
        .map(|d| d.naive_utc())
        .unwrap_or_default();
    let reference = next_reference(conn, reported.year()).await?;
    let id = platform::ids::new_id();
    let incident = Incident {
        id: id.clone(),
        reference,
        type_code: new.type_code.clone(),
        type_version,
        status: Status::Draft,
        establishment_id: new.establishment_id.clone(),
        occurred_at: seconds(new.occurred_at),
        quarter: quarter_of(new.occurred_at),
        title: new.title.trim().to_owned(),
        description: new.description.trim().to_owned(),
        reported_by: by.id.clone(),
        reported_by_name: by.name.clone(),
        reported_at: now,
        submitted_at: None,
        duplicate_of: None,
        source: source.map(str::to_owned),
        version: 1,
        updated_at: now,
        closed_at: None,
        delete_after: None,
    };
    sqlx::query(
        "INSERT INTO incidents (id, reference, type_code, type_version, status, establishment_id, occurred_at, quarter, \
         title, description, reported_by, reported_by_name, reported_at, source, version, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 1, $15)",
    )
    .bind(&incident.id)
    .bind(&incident.reference)
    .bind(&incident.type_code)
    .bind(incident.type_version)
    .bind(incident.status.as_str())
    .bind(&incident.establishment_id)
    .bind(incident.occurred_at)
    .bind(&incident.quarter)
    .bind(&incident.title)
    .bind(&incident.description)
    .bind(&incident.reported_by)
    .bind(&incident.reported_by_name)
    .bind(now)
    .bind(incident.source.clone())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    WORKFLOW
        .record(
            conn,
            &Step {
                id: &id,
                actor: &by.id,
                at: now,
                from: None,
                to: Status::Draft,
                detail: &format!("Draft started by {}", by.name),
            },
        )
        .await?;
    audit::record_at(
        conn,
        now,
        &by.id,
        "incident.create",
        &id,
        &format!("{} at {}", new.type_code, new.establishment_id),
    )
    .await?;
    Ok(incident)
}

const SELECT: &str = "SELECT id, reference, type_code, type_version, status, establishment_id, occurred_at, quarter, \
     title, description, reported_by, reported_by_name, reported_at, submitted_at, duplicate_of, source, version, \
     updated_at, closed_at, delete_after FROM incidents";

fn from_row(r: &sqlx::any::AnyRow) -> Result<Incident> {
    let status: String = r.try_get("status")?;
    Ok(Incident {
        id: r.try_get("id")?,
        reference: r.try_get("reference")?,
        type_code: r.try_get("type_code")?,
        type_version: r.try_get("type_version")?,
        status: WORKFLOW
            .state(&status)
            .ok_or_else(|| Error::Corrupt(format!("incident status {status:?}")))?,
        establishment_id: r.try_get("establishment_id")?,
        occurred_at: r.try_get("occurred_at")?,
        quarter: r.try_get("quarter")?,
        title: r.try_get("title")?,
        description: r.try_get("description")?,
        reported_by: r.try_get("reported_by")?,
        reported_by_name: r.try_get("reported_by_name")?,
        reported_at: r.try_get("reported_at")?,
        submitted_at: r.try_get("submitted_at")?,
        duplicate_of: r.try_get("duplicate_of")?,
        source: r.try_get("source")?,
        version: r.try_get("version")?,
        updated_at: r.try_get("updated_at")?,
        closed_at: r.try_get("closed_at")?,
        delete_after: r.try_get("delete_after")?,
    })
}

/// A report by key.
pub async fn get(db: &Db, id: &str) -> Result<Incident> {
    sqlx::query(&format!("{SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .map(|r| from_row(&r))
        .transpose()?
        .ok_or(Error::NotFound)
}

/// A report by reference ("IR-2025-000123", any case).
pub async fn by_reference(db: &Db, reference: &str) -> Result<Option<Incident>> {
    sqlx::query(&format!("{SELECT} WHERE reference = $1"))
        .bind(reference.trim().to_ascii_uppercase())
        .fetch_optional(db.pool())
        .await?
        .map(|r| from_row(&r))
        .transpose()
}

/// The report's answers.
pub async fn answers(db: &Db, id: &str) -> Result<Answers> {
    let rows: Vec<(String, String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT question, answer, comment, answer_date FROM incident_answers WHERE incident_id = $1 ORDER BY question, answer",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    let mut out = Answers::new();
    for (q, answer, comment, date) in rows {
        out.entry(q).or_default().push(Given {
            answer,
            comment,
            date,
        });
    }
    Ok(out)
}

/// The people named on the report.
pub async fn people(db: &Db, id: &str) -> Result<Vec<Person>> {
    let rows = sqlx::query(
        "SELECT id, kind, prison_number, name, role, outcome, comment FROM incident_people WHERE incident_id = $1 ORDER BY kind, name, id",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Person {
                id: r.try_get("id")?,
                kind: r.try_get("kind")?,
                prison_number: r.try_get("prison_number")?,
                name: r.try_get("name")?,
                role: r.try_get("role")?,
                outcome: r.try_get("outcome")?,
                comment: r.try_get("comment")?,
            })
        })
        .collect()
}

/// What was added after submission, oldest first.
pub async fn addenda(db: &Db, id: &str) -> Result<Vec<Addendum>> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT at, author_name, text FROM incident_addenda WHERE incident_id = $1 ORDER BY at, id",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(at, author_name, text)| Addendum {
            at,
            author_name,
            text,
        })
        .collect())
}

/// Every step of the report's life, oldest first.
pub async fn history(db: &Db, id: &str) -> Result<Vec<HistoryLine>> {
    WORKFLOW.history(db, id).await
}

/// Claims the next version of the report: the save's first statement, so
/// a stale page is refused before anything is written.
async fn bump(conn: &mut sqlx::AnyConnection, id: &str, version: i64, now: i64) -> Result<()> {
    let done = sqlx::query(
        "UPDATE incidents SET version = version + 1, updated_at = $1 WHERE id = $2 AND version = $3",
    )
    .bind(now)
    .bind(id)
    .bind(version)
    .execute(conn)
    .await?;
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        Err(changed_meanwhile())
    }
}

async fn write_answers(conn: &mut sqlx::AnyConnection, id: &str, answers: &Answers) -> Result<()> {
    sqlx::query("DELETE FROM incident_answers WHERE incident_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for (q, given) in answers {
        for g in given {
            if g.answer.trim().is_empty() {
                continue;
            }
            sqlx::query(
                "INSERT INTO incident_answers (incident_id, question, answer, comment, answer_date) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (incident_id, question, answer) DO NOTHING",
            )
            .bind(id)
            .bind(q)
            .bind(g.answer.trim())
            .bind(g.comment.as_deref().map(str::trim).filter(|c| !c.is_empty()))
            .bind(g.date.clone())
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

/// Saves the details and answers (only those on the path the answers
/// take). The description may be rewritten only while the report is a
/// draft; afterwards text is added as an addendum.
pub async fn save(db: &Db, incident: &Incident, edit: &Edit, by: &Actor, now: i64) -> Result<()> {
    check_details(edit.occurred_at, &edit.title, now)?;
    let ty = types::get(db, &incident.type_code, incident.type_version).await?;
    let answers = ty.on_path(&edit.answers);
    for (q, given) in &answers {
        let Some(question) = ty.question(q) else {
            return Err(Error::Conflict(format!("the report has no question {q:?}")));
        };
        for g in given {
            if g.answer.chars().count() > 2_000
                || g.comment
                    .as_deref()
                    .is_some_and(|c| c.chars().count() > 2_000)
            {
                return Err(Error::Conflict(format!(
                    "the answer to \"{}\" must be 2,000 characters or fewer",
                    question.text
                )));
            }
        }
    }
    let draft = incident.status == Status::Draft;
    if draft {
        check_text(&edit.description, "a description of what happened")?;
    }
    // A find named as the device's is linked to this report, both ways.
    let mut linked = None;
    if let Some(r) = answers.get(FIND_REFERENCE).and_then(|g| g.first()) {
        match by_reference(db, &r.answer).await? {
            Some(find) if find.id != incident.id && find.type_code == "find" => {
                linked = Some(find.id)
            }
            _ => {
                return Err(Error::Conflict(format!(
                    "there is no report of a find with reference {}",
                    r.answer.trim().to_ascii_uppercase()
                )));
            }
        }
    }
    let mut tx = db.begin_write().await?;
    let done: Result<_> = async {
        if let Some(find) = &linked {
            for (a, b) in [(&incident.id, find), (find, &incident.id)] {
                sqlx::query(
                    "INSERT INTO incident_links (incident_id, linked_id) VALUES ($1, $2) ON CONFLICT (incident_id, linked_id) DO NOTHING",
                )
                .bind(a)
                .bind(b)
                .execute(&mut *tx)
                .await?;
            }
        }
        bump(&mut tx, &incident.id, edit.version, now).await?;
        sqlx::query(
            "UPDATE incidents SET occurred_at = $1, quarter = $2, title = $3, description = CASE WHEN status = 'draft' THEN $4 ELSE description END WHERE id = $5",
        )
        .bind(seconds(edit.occurred_at))
        .bind(quarter_of(edit.occurred_at))
        .bind(edit.title.trim())
        .bind(edit.description.trim())
        .bind(&incident.id)
        .execute(&mut *tx)
        .await?;
        write_answers(&mut tx, &incident.id, &answers).await?;
        audit::record_at(&mut tx, now, &by.id, "incident.edit", &incident.id, "details and answers").await?;
        Ok(())
    }
    .await;
    finish(tx, done).await
}

/// A person to add to a report.
#[derive(Debug, Clone)]
pub enum NewPerson {
    Prisoner {
        number: String,
        role: String,
        outcome: Option<String>,
        comment: Option<String>,
    },
    Staff {
        name: String,
        role: String,
        comment: Option<String>,
    },
}

/// Names a person on the report: a prisoner must be known to the
/// platform by prison number, and each role must be one the report's type
/// allows.
pub async fn add_person(
    db: &Db,
    incident: &Incident,
    version: i64,
    person: &NewPerson,
    by: &Actor,
    now: i64,
) -> Result<()> {
    let ty = types::get(db, &incident.type_code, incident.type_version).await?;
    let (kind, number, name, role, outcome, comment) = match person {
        NewPerson::Prisoner {
            number,
            role,
            outcome,
            comment,
        } => {
            let Some(normal) = platform::contacts::prison_number(number) else {
                return Err(Error::Conflict(
                    "a prison number is a letter, 4 numbers and 2 letters, like A1234BC".into(),
                ));
            };
            let Some(p) = platform::contacts::prisoner_by_number(db, &normal).await? else {
                return Err(Error::Conflict(format!(
                    "no prisoner with prison number {normal} is recorded: check the number"
                )));
            };
            if !ty.prisoner_roles.contains(role) {
                return Err(Error::Conflict(format!(
                    "a prisoner cannot be \"{}\" in a report of {}",
                    types::label(types::PRISONER_ROLES, role),
                    ty.label.to_lowercase()
                )));
            }
            if let Some(o) = outcome
                && !types::PRISONER_OUTCOMES.iter().any(|(c, _)| c == o)
            {
                return Err(Error::Conflict(format!("there is no outcome {o:?}")));
            }
            (
                "prisoner",
                Some(normal),
                p.name,
                role,
                outcome.clone(),
                comment,
            )
        }
        NewPerson::Staff {
            name,
            role,
            comment,
        } => {
            let name = name.trim();
            if name.is_empty() || name.chars().count() > 100 {
                return Err(Error::Conflict(
                    "enter the member of staff's name (100 characters or fewer)".into(),
                ));
            }
            if !ty.staff_roles.contains(role) {
                return Err(Error::Conflict(format!(
                    "a member of staff cannot be \"{}\" in a report of {}",
                    types::label(types::STAFF_ROLES, role),
                    ty.label.to_lowercase()
                )));
            }
            ("staff", None, name.to_owned(), role, None, comment)
        }
    };
    let mut tx = db.begin_write().await?;
    let done: Result<_> = async {
        bump(&mut tx, &incident.id, version, now).await?;
        let id = platform::ids::new_id();
        sqlx::query(
            "INSERT INTO incident_people (id, incident_id, kind, prison_number, name, role, outcome, comment) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&id)
        .bind(&incident.id)
        .bind(kind)
        .bind(number)
        .bind(&name)
        .bind(role)
        .bind(outcome)
        .bind(comment.as_deref().map(str::trim).filter(|c| !c.is_empty()))
        .execute(&mut *tx)
        .await?;
        audit::record_at(&mut tx, now, &by.id, "incident.person_add", &incident.id, &format!("{kind} {id}")).await?;
        Ok(())
    }
    .await;
    finish(tx, done).await
}

/// Takes a person off the report.
pub async fn remove_person(
    db: &Db,
    incident: &Incident,
    version: i64,
    person_id: &str,
    by: &Actor,
    now: i64,
) -> Result<()> {
    let mut tx = db.begin_write().await?;
    let done: Result<_> = async {
        bump(&mut tx, &incident.id, version, now).await?;
        let done = sqlx::query("DELETE FROM incident_people WHERE id = $1 AND incident_id = $2")
            .bind(person_id)
            .bind(&incident.id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(Error::NotFound);
        }
        audit::record_at(
            &mut tx,
            now,
            &by.id,
            "incident.person_remove",
            &incident.id,
            person_id,
        )
        .await?;
        Ok(())
    }
    .await;
    finish(tx, done).await
}

/// Adds to the description of a submitted report (never rewriting it).
pub async fn add_addendum(
    db: &Db,
    incident: &Incident,
    version: i64,
    text: &str,
    by: &Actor,
    now: i64,
) -> Result<()> {
    check_text(text, "what you want to add")?;
    let mut tx = db.begin_write().await?;
    let done: Result<_> = async {
        bump(&mut tx, &incident.id, version, now).await?;
        addendum(&mut tx, &incident.id, text, by, now).await?;
        Ok(())
    }
    .await;
    finish(tx, done).await
}

pub(crate) async fn addendum(
    conn: &mut sqlx::AnyConnection,
    id: &str,
    text: &str,
    by: &Actor,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO incident_addenda (id, incident_id, at, author, author_name, text) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(platform::ids::new_id())
    .bind(id)
    .bind(now)
    .bind(&by.id)
    .bind(&by.name)
    .bind(text.trim())
    .execute(&mut *conn)
    .await?;
    audit::record_at(conn, now, &by.id, "incident.addendum", id, "").await?;
    Ok(())
}

/// What stops the report being submitted: each missing or wrong answer,
/// and the people its type requires, by name.
pub async fn problems(db: &Db, incident: &Incident) -> Result<Vec<(String, String)>> {
    let ty = types::get(db, &incident.type_code, incident.type_version).await?;
    let mut out = ty.problems(&answers(db, &incident.id).await?);
    let people = people(db, &incident.id).await?;
    if ty.prisoners_required && !people.iter().any(|p| p.kind == "prisoner") {
        out.push((
            "prisoners".into(),
            format!(
                "Add the prisoners involved: a report of {} must name at least one",
                ty.label.to_lowercase()
            ),
        ));
    }
    if ty.staff_required && !people.iter().any(|p| p.kind == "staff") {
        out.push((
            "staff".into(),
            format!(
                "Add the staff involved: a report of {} must name at least one",
                ty.label.to_lowercase()
            ),
        ));
    }
    Ok(out)
}

/// A move asked of a report.
#[derive(Debug, Clone)]
pub struct Move<'a> {
    pub action: &'a str,
    /// The version the person opened.
    pub version: i64,
    /// Why (required for some moves).
    pub comment: &'a str,
    /// The original's reference, for a duplicate.
    pub duplicate_of: Option<&'a str>,
}

/// Makes a move from the workflow table: the version check, the checks of
/// the move itself (answers complete before submission, a comment where
/// one is needed, a real original for a duplicate), the status change
/// with its history and audit lines, and what the move keeps besides (a
/// correction request and its reply, the retention date of a finished
/// report), all on one transaction.
pub async fn make_move(
    db: &Db,
    incident: &Incident,
    m: &Move<'_>,
    retention_years: i64,
    by: &Actor,
    now: i64,
) -> Result<Status> {
    let Some(t) = WORKFLOW.find(m.action) else {
        return Err(Error::Conflict(format!(
            "there is no step called {:?} for an incident report",
            m.action
        )));
    };
    let comment = m.comment.trim();
    if workflow::needs_comment(m.action) && comment.is_empty() {
        return Err(Error::Conflict(format!(
            "say why: \"{}\" needs a comment",
            workflow::button(m.action)
        )));
    }
    if comment.chars().count() > 2_000 {
        return Err(Error::Conflict(
            "the comment must be 2,000 characters or fewer".into(),
        ));
    }
    if matches!(m.action, workflow::SUBMIT | workflow::RESUBMIT) {
        let p = problems(db, incident).await?;
        if !p.is_empty() {
            return Err(Error::Conflict(format!(
                "the report cannot be submitted yet: {}",
                p.iter()
                    .map(|(_, m)| m.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            )));
        }
    }
    let mut original = None;
    if m.action == workflow::DUPLICATE {
        let reference = m.duplicate_of.unwrap_or("").trim();
        if reference.is_empty() {
            return Err(Error::Conflict(
                "enter the reference of the report this one duplicates".into(),
            ));
        }
        let Some(o) = by_reference(db, reference).await? else {
            return Err(Error::Conflict(format!(
                "there is no report {}",
                reference.to_ascii_uppercase()
            )));
        };
        if o.id == incident.id {
            return Err(Error::Conflict(
                "a report cannot be a duplicate of itself".into(),
            ));
        }
        if o.duplicate_of.as_deref() == Some(incident.id.as_str()) {
            return Err(Error::Conflict(format!(
                "{} is already marked a duplicate of this report",
                o.reference
            )));
        }
        original = Some(o);
    }
    let detail = match (&original, comment.is_empty()) {
        (Some(o), _) => format!("{}: a duplicate of {}", t.to.label(), o.reference),
        (None, true) => t.to.label().to_owned(),
        (None, false) => format!("{}: {comment}", t.to.label()),
    };
    let mut change =
        Change::new(&incident.id, m.action, by, now, &detail).only_from(incident.status);
    if t.to.is_final() {
        change = change.set("closed_at", now).set(
            "delete_after",
            now + retention_years * 365 * 24 * 3600 + (retention_years / 4) * 24 * 3600,
        );
    } else {
        change = change
            .set("closed_at", None::<i64>)
            .set("delete_after", None::<i64>);
    }
    if m.action == workflow::SUBMIT && incident.submitted_at.is_none() {
        change = change.set("submitted_at", now);
    }
    change = change.set("duplicate_of", original.as_ref().map(|o| o.id.clone()));
    let mut tx = db.begin_write().await?;
    let done: Result<_> = async {
        bump(&mut tx, &incident.id, m.version, now).await?;
        let from = WORKFLOW.apply(&mut tx, &change).await?;
        match m.action {
            workflow::SEND_BACK | workflow::REQUEST_UPDATE => {
                sqlx::query(
                    "INSERT INTO incident_corrections (id, incident_id, at, asked_by, asked_by_name, comment) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(platform::ids::new_id())
                .bind(&incident.id)
                .bind(now)
                .bind(&by.id)
                .bind(&by.name)
                .bind(comment)
                .execute(&mut *tx)
                .await?;
            }
            workflow::RESUBMIT => {
                sqlx::query(
                    "UPDATE incident_corrections SET reply = $1, replied_at = $2 WHERE incident_id = $3 AND reply IS NULL",
                )
                .bind(comment)
                .bind(now)
                .bind(&incident.id)
                .execute(&mut *tx)
                .await?;
            }
            _ => {}
        }
        Ok(from)
    }
    .await;
    finish(tx, done).await
}

/// A correction the security team asked for, and the reply.
#[derive(Debug, Clone)]
pub struct Correction {
    pub at: i64,
    pub asked_by_name: String,
    pub comment: String,
    pub reply: Option<String>,
    pub replied_at: Option<i64>,
}

/// The report's correction requests, oldest first.
pub async fn corrections(db: &Db, id: &str) -> Result<Vec<Correction>> {
    let rows: Vec<CorrectionRow> = sqlx::query_as(
        "SELECT at, asked_by_name, comment, reply, replied_at FROM incident_corrections WHERE incident_id = $1 ORDER BY at, id",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(at, asked_by_name, comment, reply, replied_at)| Correction {
                at,
                asked_by_name,
                comment,
                reply,
                replied_at,
            },
        )
        .collect())
}

/// Who may see what: every report of the listed establishments (all, for
/// `None`), and the reports `reporter` wrote.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub establishments: Option<Vec<String>>,
    pub reporter: Option<String>,
}

impl Scope {
    /// Whether `incident` is within it.
    pub fn covers(&self, incident: &Incident) -> bool {
        match &self.establishments {
            None => true,
            Some(list) => {
                list.contains(&incident.establishment_id)
                    || self.reporter.as_deref() == Some(incident.reported_by.as_str())
            }
        }
    }
}

/// What a list is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub establishment: Option<String>,
    pub status: Option<Status>,
    pub type_code: Option<String>,
    /// From this time (inclusive).
    pub from: Option<i64>,
    /// Before this time.
    pub to: Option<i64>,
    /// A reference, or part of a title.
    pub text: Option<String>,
}

/// A row of a list.
#[derive(Debug, Clone)]
pub struct Listed {
    pub id: String,
    pub reference: String,
    pub type_code: String,
    pub status: Status,
    pub establishment_id: String,
    pub occurred_at: i64,
    pub title: String,
}

/// Where a page of a list starts: after the row with this time and key.
pub type Cursor = (i64, String);

/// One page of reports within `scope` that match `filter`, newest first,
/// starting after `after`; and the cursor of the next page, if any.
/// Keyset paging, so the thousandth page costs what the first does.
///
/// A scope of "these establishments, or what I wrote" is asked as two
/// queries merged here: each then walks its own index in order, where one
/// query with an OR would read every report of the period.
pub async fn list(
    db: &Db,
    scope: &Scope,
    filter: &Filter,
    after: Option<&Cursor>,
    size: i64,
) -> Result<(Vec<Listed>, Option<Cursor>)> {
    let size = size.clamp(1, 200);
    let Some(list) = &scope.establishments else {
        return list_part(db, Part::All, filter, after, size).await;
    };
    let mut parts = Vec::new();
    if !list.is_empty() {
        parts.push(Part::Establishments(list));
    }
    if let Some(r) = &scope.reporter {
        parts.push(Part::Reporter(r));
    }
    let mut rows: Vec<Listed> = Vec::new();
    for part in parts {
        let (found, _) = list_part(db, part, filter, after, size).await?;
        rows.extend(found);
    }
    rows.sort_by(|a, b| (b.occurred_at, &b.id).cmp(&(a.occurred_at, &a.id)));
    rows.dedup_by(|a, b| a.id == b.id);
    Ok(page_of(rows, size))
}

/// Which reports one query of a list reads.
#[derive(Clone, Copy)]
enum Part<'a> {
    All,
    Establishments(&'a [String]),
    Reporter(&'a str),
}

fn page_of(mut rows: Vec<Listed>, size: i64) -> (Vec<Listed>, Option<Cursor>) {
    if rows.len() as i64 > size {
        rows.truncate(size as usize);
        let next = rows.last().map(|l| (l.occurred_at, l.id.clone()));
        (rows, next)
    } else {
        (rows, None)
    }
}

async fn list_part(
    db: &Db,
    part: Part<'_>,
    filter: &Filter,
    after: Option<&Cursor>,
    size: i64,
) -> Result<(Vec<Listed>, Option<Cursor>)> {
    let mut sql = String::from(
        "SELECT id, reference, type_code, status, establishment_id, occurred_at, title FROM incidents WHERE 1 = 1",
    );
    let mut binds: Vec<sqlx_value::V> = Vec::new();
    let p = |v: sqlx_value::V, binds: &mut Vec<sqlx_value::V>| {
        binds.push(v);
        format!("${}", binds.len())
    };
    match part {
        Part::All => {}
        Part::Establishments(list) => {
            let marks: Vec<String> = list
                .iter()
                .map(|e| p(sqlx_value::V::T(e.clone()), &mut binds))
                .collect();
            sql.push_str(&format!(" AND establishment_id IN ({})", marks.join(", ")));
        }
        Part::Reporter(r) => {
            sql.push_str(&format!(
                " AND reported_by = {}",
                p(sqlx_value::V::T(r.to_owned()), &mut binds)
            ));
        }
    }
    if let Some(e) = &filter.establishment {
        sql.push_str(&format!(
            " AND establishment_id = {}",
            p(sqlx_value::V::T(e.clone()), &mut binds)
        ));
    }
    if let Some(s) = filter.status {
        sql.push_str(&format!(
            " AND status = {}",
            p(sqlx_value::V::T(s.as_str().into()), &mut binds)
        ));
    }
    if let Some(t) = &filter.type_code {
        sql.push_str(&format!(
            " AND type_code = {}",
            p(sqlx_value::V::T(t.clone()), &mut binds)
        ));
    }
    if let Some(f) = filter.from {
        sql.push_str(&format!(
            " AND occurred_at >= {}",
            p(sqlx_value::V::I(f), &mut binds)
        ));
    }
    if let Some(t) = filter.to {
        sql.push_str(&format!(
            " AND occurred_at < {}",
            p(sqlx_value::V::I(t), &mut binds)
        ));
    }
    if let Some(text) = filter
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        let upper = text.to_ascii_uppercase();
        if upper.starts_with("IR-") {
            sql.push_str(&format!(
                " AND reference = {}",
                p(sqlx_value::V::T(upper), &mut binds)
            ));
        } else {
            let like = format!("%{}%", text.to_lowercase().replace(['%', '_'], ""));
            sql.push_str(&format!(
                " AND LOWER(title) LIKE {}",
                p(sqlx_value::V::T(like), &mut binds)
            ));
        }
    }
    if let Some((at, id)) = after {
        let a = p(sqlx_value::V::I(*at), &mut binds);
        let i = p(sqlx_value::V::T(id.clone()), &mut binds);
        sql.push_str(&format!(" AND (occurred_at, id) < ({a}, {i})"));
    }
    sql.push_str(&format!(
        " ORDER BY occurred_at DESC, id DESC LIMIT {}",
        p(sqlx_value::V::I(size + 1), &mut binds)
    ));
    let mut q = sqlx::query(&sql);
    for b in binds {
        q = match b {
            sqlx_value::V::T(t) => q.bind(t),
            sqlx_value::V::I(i) => q.bind(i),
        };
    }
    let rows = q.fetch_all(db.pool()).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let status: String = r.try_get("status")?;
        out.push(Listed {
            id: r.try_get("id")?,
            reference: r.try_get("reference")?,
            type_code: r.try_get("type_code")?,
            status: WORKFLOW
                .state(&status)
                .ok_or_else(|| Error::Corrupt(format!("incident status {status:?}")))?,
            establishment_id: r.try_get("establishment_id")?,
            occurred_at: r.try_get("occurred_at")?,
            title: r.try_get("title")?,
        });
    }
    Ok(page_of(out, size))
}

/// Bind values for the list's query, built as its filters are.
mod sqlx_value {
    pub enum V {
        T(String),
        I(i64),
    }
}

/// The reports linked to this one (reference, title, key).
pub async fn linked(db: &Db, id: &str) -> Result<Vec<(String, String, String)>> {
    Ok(sqlx::query_as(
        "SELECT i.reference, i.title, i.id FROM incident_links l JOIN incidents i ON i.id = l.linked_id WHERE l.incident_id = $1 ORDER BY i.reference",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?)
}

/// The type a report was written against.
pub async fn type_of(db: &Db, incident: &Incident) -> Result<IncidentType> {
    types::get(db, &incident.type_code, incident.type_version).await
}

/// Ends a change's transaction: commits what succeeded, and rolls back at
/// once what failed, so that no connection waits in the pool inside a
/// transaction holding the report's row lock.
pub(crate) async fn finish<T>(
    tx: sqlx::Transaction<'static, sqlx::Any>,
    done: Result<T>,
) -> Result<T> {
    match done {
        Ok(v) => {
            tx.commit().await?;
            Ok(v)
        }
        Err(e) => {
            let _ = tx.rollback().await;
            Err(e)
        }
    }
}
