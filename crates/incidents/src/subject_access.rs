//! Subject access: the reports that name a person (a prisoner found by
//! their name on the platform's record, a member of staff by name), and
//! those they wrote; this system's part of the platform's export.
//!
//! Third parties' details are withheld: the export gives each report's
//! reference, type, date, establishment and the person's own role and
//! outcome, never the description, the answers or anyone else named.

use maud::html;
use serde::Serialize;

use platform::Result;
use platform::db::Db;
use platform::jobs::BoxFuture;
use platform::subject_access::{Section, Subject, SubjectAccess};

use crate::types;

/// reference, type, when, establishment, kind, role, outcome.
type NamedRow = (String, String, i64, String, String, String, Option<String>);

/// One report as the person's export shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Named {
    pub reference: String,
    pub incident_type: String,
    pub date: String,
    pub establishment: String,
    /// How they are named ("Prisoner: Perpetrator", "Reported it").
    pub role: String,
    pub outcome: Option<String>,
}

/// The incidents system's part of an export.
pub struct Part;

impl SubjectAccess for Part {
    fn gather<'a>(&'a self, db: &'a Db, who: &'a Subject) -> BoxFuture<'a, Result<Section>> {
        Box::pin(async move {
            let found = gather(db, who).await?;
            let withheld = "The description, answers and everyone else named in these reports are withheld: they are about other people, and about prison security.";
            Ok(Section {
                key: "incidents",
                found: found.len(),
                noun: "security incident reports",
                json: serde_json::json!({ "reports": found, "withheld": withheld }),
                html: html! {
                    @if found.is_empty() {
                        p class="govuk-body" { "No security incident report names them." }
                    } @else {
                        p class="govuk-body" { (withheld) }
                        table class="govuk-table" {
                            thead class="govuk-table__head" { tr class="govuk-table__row" {
                                th scope="col" class="govuk-table__header" { "Reference" }
                                th scope="col" class="govuk-table__header" { "Type" }
                                th scope="col" class="govuk-table__header" { "Date" }
                                th scope="col" class="govuk-table__header" { "Establishment" }
                                th scope="col" class="govuk-table__header" { "Named as" }
                            } }
                            tbody class="govuk-table__body" {
                                @for n in &found {
                                    tr class="govuk-table__row" {
                                        td class="govuk-table__cell" { (n.reference) }
                                        td class="govuk-table__cell" { (n.incident_type) }
                                        td class="govuk-table__cell" { (n.date) }
                                        td class="govuk-table__cell" { (n.establishment) }
                                        td class="govuk-table__cell" { (n.role) @if let Some(o) = &n.outcome { " (" (o) ")" } }
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

/// The reports naming `who`.
pub async fn gather(db: &Db, who: &Subject) -> Result<Vec<Named>> {
    let name = who.name.clone().unwrap_or_default();
    let rows: Vec<NamedRow> = sqlx::query_as(
        "SELECT i.reference, i.type_code, i.occurred_at, e.name, p.kind, p.role, p.outcome \
         FROM incident_people p JOIN incidents i ON i.id = p.incident_id JOIN establishments e ON e.id = i.establishment_id \
         WHERE $1 <> '' AND LOWER(p.name) = LOWER($1) ORDER BY i.occurred_at, i.reference",
    )
    .bind(&name)
    .fetch_all(db.pool())
    .await?;
    let labels: Vec<(String, String)> = types::shipped()?
        .into_iter()
        .map(|t| (t.code, t.label))
        .collect();
    let label = |code: &str| {
        labels
            .iter()
            .find(|(c, _)| c == code)
            .map(|(_, l)| l.clone())
            .unwrap_or_else(|| code.to_owned())
    };
    let date = |at: i64| {
        chrono::DateTime::from_timestamp(at, 0)
            .map(|d| d.date_naive().to_string())
            .unwrap_or_default()
    };
    let mut out: Vec<Named> = rows
        .into_iter()
        .map(|(reference, ty, at, est, kind, role, outcome)| {
            let (list, who) = if kind == "prisoner" {
                (types::PRISONER_ROLES, "Prisoner")
            } else {
                (types::STAFF_ROLES, "Staff")
            };
            Named {
                reference,
                incident_type: label(&ty),
                date: date(at),
                establishment: est,
                role: format!("{who}: {}", types::label(list, &role)),
                outcome: outcome.map(|o| types::label(types::PRISONER_OUTCOMES, &o).to_owned()),
            }
        })
        .collect();
    for account in &who.accounts {
        let rows: Vec<(String, String, i64, String)> = sqlx::query_as(
            "SELECT i.reference, i.type_code, i.occurred_at, e.name FROM incidents i \
             JOIN establishments e ON e.id = i.establishment_id WHERE i.reported_by = $1 ORDER BY i.occurred_at",
        )
        .bind(account)
        .fetch_all(db.pool())
        .await?;
        for (reference, ty, at, est) in rows {
            out.push(Named {
                reference,
                incident_type: label(&ty),
                date: date(at),
                establishment: est,
                role: "Reported it".into(),
                outcome: None,
            });
        }
    }
    Ok(out)
}
