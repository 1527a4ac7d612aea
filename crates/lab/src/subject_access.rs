//! Subject access: what the lab holds about a person who uses it (a
//! provider's or the lab's own staff): the requests their account
//! submitted and the questions it asked. The people *in* a cohort are never
//! found here: their data is sealed under the request's key, is never
//! searchable, and is destroyed on schedule; only pseudonyms survive, which
//! name nobody without the lab's key.

use maud::html;
use serde::Serialize;

use platform::Result;
use platform::db::Db;
use platform::jobs::BoxFuture;
use platform::subject_access::{Section, Subject, SubjectAccess};

/// A request an account submitted, as exported.
#[derive(Debug, Clone, Serialize)]
pub struct Submitted {
    /// The lab's reference.
    pub reference: String,
    /// The organisation it was for.
    pub organisation: String,
    /// Where it is now.
    pub status: String,
    /// When it was submitted.
    pub created_at: i64,
    /// The questions this account asked about it.
    pub questions: Vec<String>,
}

/// What the lab holds about the accounts in `who`.
pub async fn gather(db: &Db, who: &Subject) -> Result<Vec<Submitted>> {
    let mut out = Vec::new();
    for account in &who.accounts {
        let rows: Vec<(String, String, String, String, i64)> = sqlx::query_as(
            "SELECT r.id, r.reference, o.name, r.status, r.created_at FROM datalab_requests r \
             JOIN organisations o ON o.id = r.organisation_id WHERE r.submitted_by = $1 ORDER BY r.created_at, r.id",
        )
        .bind(account)
        .fetch_all(db.pool())
        .await?;
        for (id, reference, organisation, status, created_at) in rows {
            let questions: Vec<String> = sqlx::query_scalar(
                "SELECT question FROM datalab_questions WHERE request_id = $1 AND asked_by = $2 ORDER BY asked_at",
            )
            .bind(&id)
            .bind(account)
            .fetch_all(db.pool())
            .await?;
            out.push(Submitted {
                reference,
                organisation,
                status,
                created_at,
                questions,
            });
        }
    }
    Ok(out)
}

/// The lab's part of the platform's subject access export.
pub struct Part;

impl SubjectAccess for Part {
    fn gather<'a>(&'a self, db: &'a Db, who: &'a Subject) -> BoxFuture<'a, Result<Section>> {
        Box::pin(async move {
            let found = gather(db, who).await?;
            let html = html! {
                h2 { "Justice Data Lab requests" }
                @if found.is_empty() { p { "None." } }
                @for r in &found {
                    h3 { "Request " (r.reference) " for " (r.organisation) }
                    p { "Submitted " (ui::when(r.created_at)) "; now " (r.status) "." }
                    @for q in &r.questions { p { "Question asked: " (q) } }
                }
            };
            Ok(Section {
                key: "datalab",
                found: found.len(),
                noun: "Data Lab requests",
                json: serde_json::to_value(&found)
                    .map_err(|e| platform::Error::Corrupt(e.to_string()))?,
                html,
            })
        })
    }
}
