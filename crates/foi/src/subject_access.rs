//! Subject access: the FOI cases a person made, found by their email
//! address or name; this system's part of the platform's export. A
//! requester's own request and our answers to it are theirs to have.

use maud::html;
use serde::Serialize;

use platform::Result;
use platform::db::Db;
use platform::jobs::BoxFuture;
use platform::subject_access::{Section, Subject, SubjectAccess};

#[derive(Debug, Clone, Serialize)]
pub struct Asked {
    pub number: String,
    pub kind: String,
    pub received_on: String,
    pub subject: String,
    pub request: String,
    pub requester_name: Option<String>,
    pub requester_email: Option<String>,
    pub requester_address: Option<String>,
    pub status: String,
    pub sent_on: Option<String>,
}

pub async fn gather(db: &Db, who: &Subject) -> Result<Vec<Asked>> {
    let email = who
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::to_lowercase);
    let name = who
        .name
        .as_deref()
        .map(|n| {
            n.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase()
        })
        .filter(|n| !n.is_empty());
    if email.is_none() && name.is_none() {
        return Ok(Vec::new());
    }
    type Row = (
        String,
        String,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        String,
        Option<String>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT number, kind, received_on, subject, request, requester_name, requester_email, requester_address, status, sent_on \
         FROM foi_cases WHERE LOWER(requester_email) = $1 OR LOWER(requester_name) = $2 ORDER BY received_on, number",
    )
    .bind(email.unwrap_or_default())
    .bind(name.unwrap_or_default())
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Asked {
            number: r.0,
            kind: r.1,
            received_on: r.2,
            subject: r.3,
            request: r.4,
            requester_name: r.5,
            requester_email: r.6,
            requester_address: r.7,
            status: r.8,
            sent_on: r.9,
        })
        .collect())
}

/// The FOI system's part of an export.
pub struct Part;

impl SubjectAccess for Part {
    fn gather<'a>(&'a self, db: &'a Db, who: &'a Subject) -> BoxFuture<'a, Result<Section>> {
        Box::pin(async move {
            let found = gather(db, who).await?;
            Ok(Section {
                key: "foi",
                found: found.len(),
                noun: "Freedom of Information cases",
                json: serde_json::json!({ "cases": found }),
                html: html! {
                    @if found.is_empty() {
                        p class="govuk-body" { "They have made no Freedom of Information request we still hold details of." }
                    } @else {
                        table class="govuk-table" {
                            thead class="govuk-table__head" { tr class="govuk-table__row" {
                                th scope="col" class="govuk-table__header" { "Case" }
                                th scope="col" class="govuk-table__header" { "Received" }
                                th scope="col" class="govuk-table__header" { "Request" }
                                th scope="col" class="govuk-table__header" { "Reply to" }
                                th scope="col" class="govuk-table__header" { "Sent" }
                            } }
                            tbody class="govuk-table__body" {
                                @for a in &found {
                                    tr class="govuk-table__row" {
                                        td class="govuk-table__cell" { (a.number) }
                                        td class="govuk-table__cell" { (a.received_on) }
                                        td class="govuk-table__cell" { (a.request) }
                                        td class="govuk-table__cell" { (a.requester_email.clone().or(a.requester_address.clone()).unwrap_or_default()) }
                                        td class="govuk-table__cell" { (a.sent_on.clone().unwrap_or_else(|| "Not yet".into())) }
                                    }
                                }
                            }
                        }
                    }
                },
            })
        })
    }
}
