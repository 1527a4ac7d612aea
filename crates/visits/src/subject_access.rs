//! Subject access: every visit a person appears in (as the lead visitor,
//! another visitor, the prisoner, or the account that asked), with its
//! history and emails; this system's part of the platform's export.

use maud::html;
use serde::Serialize;
use sqlx::Row;

use platform::Result;
use platform::db::Db;
use platform::jobs::BoxFuture;
use platform::outbox::OutboxMessage;
use platform::subject_access::{Section, Subject, SubjectAccess};

use crate::model::{self as visits, Event, Visit};

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

/// Every visit `who` appears in, oldest first.
pub async fn gather(db: &Db, who: &Subject) -> Result<Vec<VisitRecord>> {
    let name = who
        .name
        .as_deref()
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let dob_or_any = who.date_of_birth.as_deref().unwrap_or("");
    let email = who.email.as_deref().unwrap_or("");
    let mut ids: Vec<String> = sqlx::query(
        "SELECT id FROM visits WHERE ($1 <> '' AND LOWER(lead_name) = LOWER($1) AND ($2 = '' OR lead_dob = $2)) \
            OR ($1 <> '' AND LOWER(prisoner_name) = LOWER($1) AND ($2 = '' OR prisoner_dob = $2)) \
            OR ($3 <> '' AND lead_email = $3) \
         UNION SELECT visit_id FROM visit_visitors WHERE $1 <> '' AND LOWER(name) = LOWER($1) AND ($2 = '' OR dob = $2)",
    )
    .bind(&name)
    .bind(dob_or_any)
    .bind(email)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| r.try_get::<String, _>(0))
    .collect::<std::result::Result<_, _>>()?;
    for account in &who.accounts {
        let mine: Vec<String> = sqlx::query_scalar("SELECT id FROM visits WHERE account_id = $1")
            .bind(account)
            .fetch_all(db.pool())
            .await?;
        ids.extend(mine);
    }
    ids.sort();
    ids.dedup();
    let lname = name.to_lowercase();
    let mut visits_out = Vec::new();
    for id in ids {
        let visit = visits::get_visit(db, &id).await?;
        let matches = |n: &str, d: &str| {
            !lname.is_empty()
                && n.to_lowercase() == lname
                && (dob_or_any.is_empty() || d == dob_or_any)
        };
        let mut role = Vec::new();
        if visit
            .account_id
            .as_ref()
            .is_some_and(|a| who.accounts.contains(a))
            || who.email.as_deref() == Some(visit.lead_email.as_str())
        {
            role.push("account holder".to_owned());
        }
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
        let emails = platform::outbox::about(db, &id).await?;
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
    Ok(visits_out)
}

/// This system's part of the platform's subject access export.
pub struct Part;

impl SubjectAccess for Part {
    fn gather<'a>(&'a self, db: &'a Db, who: &'a Subject) -> BoxFuture<'a, Result<Section>> {
        Box::pin(async move {
            let found = gather(db, who).await?;
            let html = html! {
                h2 { "Visits" }
                @if found.is_empty() { p { "None." } }
                @for r in &found {
                    h3 { "Visit " (r.visit.reference) " (as " (r.role.join(", ")) ")" }
                    ul {
                        li { "Status: " (r.visit.status.label()) }
                        li { "Establishment: " (r.visit.establishment_id) }
                        li { "Lead visitor: " (r.visit.lead_name) ", born " (r.visit.lead_dob) ", " (r.visit.lead_email) ", " (r.visit.lead_phone) }
                        li { "Prisoner: " (r.visit.prisoner_name) ", born " (r.visit.prisoner_dob) ", " (r.visit.prisoner_number) }
                        @for (n, d) in &r.visit.visitors { li { "Visitor: " (n) ", born " (d) } }
                        li { "Support needs: " (r.visit.support_needs) }
                        li { "Sessions requested: " (r.visit.preferences.join("; ")) }
                    }
                    h4 { "History" }
                    ul { @for h in &r.history { li { (ui::when(h.at)) ": " (h.detail) } } }
                    h4 { "Emails" }
                    @for m in &r.emails { div { p { strong { (m.subject) } " to " (m.to) } pre { (m.body) } } }
                }
            };
            Ok(Section {
                key: "visits",
                found: found.len(),
                noun: "visits",
                json: serde_json::to_value(&found)
                    .map_err(|e| platform::Error::Corrupt(e.to_string()))?,
                html,
            })
        })
    }
}
