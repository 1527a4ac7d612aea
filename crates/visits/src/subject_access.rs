//! Subject access: everything held about a named person, gathered for a
//! staff member to send them (UK GDPR article 15).

use serde::Serialize;
use sqlx::Row;

use platform::Result;
use platform::db::Db;
use platform::outbox::OutboxMessage;

use crate::model::{self as visits, Event, Visit};

/// Everything held about one person.
#[derive(Debug, Clone, Serialize)]
pub struct Export {
    /// The name searched for.
    pub name: String,
    /// The date of birth searched for, if given.
    pub date_of_birth: Option<String>,
    /// When the export was made (Unix seconds).
    pub generated_at: i64,
    /// Accounts in that name.
    pub accounts: Vec<AccountRecord>,
    /// Visits in which the person is the lead visitor, another visitor or
    /// the prisoner, with how they appear.
    pub visits: Vec<VisitRecord>,
}

/// An account as exported (no password hash).
#[derive(Debug, Clone, Serialize)]
pub struct AccountRecord {
    /// Email address.
    pub email: String,
    /// Name.
    pub name: String,
    /// Visitor or staff.
    pub kind: String,
    /// When created.
    pub created_at: i64,
}

/// A visit and everything about it.
#[derive(Debug, Clone, Serialize)]
pub struct VisitRecord {
    /// How the person appears: lead visitor, visitor or prisoner.
    pub role: Vec<String>,
    /// The request.
    pub visit: Visit,
    /// Its history.
    pub history: Vec<Event>,
    /// Emails sent about it.
    pub emails: Vec<OutboxMessage>,
}

/// Gathers what is held about `name` (compared without regard to case),
/// narrowed to a date of birth (YYYY-MM-DD) when given.
pub async fn gather(db: &Db, name: &str, dob: Option<&str>) -> Result<Export> {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    let dob_or_any = dob.unwrap_or("");
    let ids = sqlx::query(
        "SELECT id FROM visits WHERE (LOWER(lead_name) = LOWER($1) AND ($2 = '' OR lead_dob = $2)) \
            OR (LOWER(prisoner_name) = LOWER($1) AND ($2 = '' OR prisoner_dob = $2)) \
         UNION SELECT visit_id FROM visit_visitors WHERE LOWER(name) = LOWER($1) AND ($2 = '' OR dob = $2)",
    )
    .bind(&name)
    .bind(dob_or_any)
    .fetch_all(db.pool())
    .await?;
    let mut visits_out = Vec::new();
    for r in ids {
        let id: String = r.try_get(0)?;
        let visit = visits::get_visit(db, &id).await?;
        let lname = name.to_lowercase();
        let matches = |n: &str, d: &str| {
            n.to_lowercase() == lname && (dob_or_any.is_empty() || d == dob_or_any)
        };
        let mut role = Vec::new();
        if matches(&visit.lead_name, &visit.lead_dob) {
            role.push("lead visitor".to_owned());
        }
        if visit.visitors.iter().any(|(n, d)| matches(n, d)) {
            role.push("visitor".to_owned());
        }
        if matches(&visit.prisoner_name, &visit.prisoner_dob) {
            role.push("prisoner".to_owned());
        }
        let history = visits::events(db, &id).await?;
        let emails = sqlx::query(
            "SELECT id, to_addr, subject, body, created_at, attempts, sent_at, failed, last_error FROM outbox \
             WHERE about = $1 ORDER BY created_at, id",
        )
        .bind(&id)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(OutboxMessage {
                id: r.try_get("id")?,
                to: r.try_get("to_addr")?,
                subject: r.try_get("subject")?,
                body: r.try_get("body")?,
                created_at: r.try_get("created_at")?,
                attempts: r.try_get("attempts")?,
                sent_at: r.try_get("sent_at")?,
                failed: r.try_get::<i64, _>("failed")? != 0,
                last_error: r.try_get("last_error")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        visits_out.push(VisitRecord {
            role,
            visit,
            history,
            emails,
        });
    }
    visits_out.sort_by(|a, b| {
        a.visit
            .created_at
            .cmp(&b.visit.created_at)
            .then(a.visit.id.cmp(&b.visit.id))
    });
    let accounts = sqlx::query("SELECT email, name, kind, created_at FROM accounts WHERE LOWER(name) = LOWER($1) ORDER BY created_at")
        .bind(&name)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(AccountRecord {
                email: r.try_get("email")?,
                name: r.try_get("name")?,
                kind: r.try_get("kind")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Export {
        name,
        date_of_birth: dob.map(str::to_owned),
        generated_at: platform::now(),
        accounts,
        visits: visits_out,
    })
}
