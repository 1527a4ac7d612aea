//! Subject access: a caller's profile, identity decisions, approvals,
//! requests and calls (with who else was on them by name only as the
//! booking listed them); this system's part of the platform's export.
//! The identity documents themselves are not exported: they are destroyed
//! 30 days after the decision, and until then a copy is given on request
//! by a verifier.

use maud::html;
use serde::Serialize;

use platform::Result;
use platform::db::Db;
use platform::jobs::BoxFuture;
use platform::subject_access::{Section, Subject, SubjectAccess};
use platform::workflow::State;

/// What the export holds for one caller account.
#[derive(Debug, Clone, Serialize)]
pub struct CallerRecord {
    pub name: String,
    pub date_of_birth: String,
    pub address: String,
    pub phone: String,
    pub identity_status: String,
    pub automatic_check: Option<String>,
    pub decision_reason: Option<String>,
    pub decided_at: Option<i64>,
    pub documents_destroy_on: Option<String>,
    pub documents_destroyed_at: Option<i64>,
    pub face_descriptor_enrolled: bool,
    pub approvals: Vec<ApprovalRecord>,
    pub requests: Vec<RequestRecord>,
    pub calls: Vec<CallRecord>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApprovalRecord {
    pub prisoner: String,
    pub relationship: String,
    pub standing: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RequestRecord {
    pub prison_number: String,
    pub prisoner_name: String,
    pub status: String,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CallRecord {
    pub reference: String,
    pub establishment: String,
    pub prisoner: String,
    pub when: String,
    pub status: String,
    pub people: Vec<String>,
}

/// Every caller profile of `who`'s accounts.
pub async fn gather(db: &Db, who: &Subject) -> Result<Vec<CallerRecord>> {
    let mut out = Vec::new();
    for account in &who.accounts {
        let Some(c) = crate::callers::of_account(db, account).await? else {
            continue;
        };
        let approvals = platform::contacts::approvals_of(db, account)
            .await?
            .into_iter()
            .map(|(p, c)| ApprovalRecord {
                prisoner: format!("{} ({})", p.name, p.number),
                relationship: c.relationship,
                standing: c.standing.label().to_owned(),
            })
            .collect();
        let requests = crate::callers::requests_of(db, &c.id)
            .await?
            .into_iter()
            .map(|r| RequestRecord {
                prison_number: r.prison_number,
                prisoner_name: r.prisoner_name,
                status: r.status.label().to_owned(),
                reason: r.reason,
            })
            .collect();
        let calls = crate::booking::of_caller(db, account)
            .await?
            .into_iter()
            .map(|k| CallRecord {
                when: k.when(),
                reference: k.reference,
                establishment: k.establishment,
                prisoner: k.prisoner,
                status: k.status.label().to_owned(),
                people: k.people,
            })
            .collect();
        out.push(CallerRecord {
            name: c.name,
            date_of_birth: c.dob.to_string(),
            address: c.address,
            phone: c.phone,
            identity_status: c.status.label().to_owned(),
            automatic_check: c.check_outcome,
            decision_reason: c.decision_reason,
            decided_at: c.decided_at,
            documents_destroy_on: c.documents_destroy_on.map(|d| d.to_string()),
            documents_destroyed_at: c.documents_destroyed_at,
            face_descriptor_enrolled: c.enrolled,
            approvals,
            requests,
            calls,
        });
    }
    Ok(out)
}

/// This system's part of the platform's subject access export.
pub struct Part;

impl SubjectAccess for Part {
    fn gather<'a>(&'a self, db: &'a Db, who: &'a Subject) -> BoxFuture<'a, Result<Section>> {
        Box::pin(async move {
            let found = gather(db, who).await?;
            let html = html! {
                h2 { "Video calls" }
                @if found.is_empty() { p { "None." } }
                @for c in &found {
                    h3 { "Caller profile: " (c.name) }
                    ul {
                        li { "Born " (c.date_of_birth) ", " (c.address) ", " (c.phone) }
                        li { "Identity: " (c.identity_status) }
                        @if let Some(a) = &c.automatic_check { li { "Automatic check: " (a) } }
                        @if let Some(r) = &c.decision_reason { @if !r.is_empty() { li { "Reason given: " (r) } } }
                        li { "Face descriptor kept for call checks: " (if c.face_descriptor_enrolled { "yes" } else { "no" }) }
                    }
                    h4 { "Approved for" }
                    ul { @for a in &c.approvals { li { (a.prisoner) ", " (a.relationship) ": " (a.standing) } } }
                    h4 { "Requests" }
                    ul { @for r in &c.requests { li { (r.prisoner_name) " (" (r.prison_number) "): " (r.status) } } }
                    h4 { "Calls" }
                    ul { @for k in &c.calls { li { (k.reference) ", " (k.when) ", " (k.prisoner) " at " (k.establishment) ": " (k.status) " (" (k.people.join(", ")) ")" } } }
                }
            };
            Ok(Section {
                key: "calls",
                found: found.len(),
                noun: "caller profiles",
                json: serde_json::to_value(&found)
                    .map_err(|e| platform::Error::Corrupt(e.to_string()))?,
                html,
            })
        })
    }
}
