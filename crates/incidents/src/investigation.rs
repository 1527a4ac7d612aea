//! Investigations: who leads one, the actions taken and when, the
//! outcome, and the other reports it links. The security team's alone;
//! each change is a line in the report's history and the audit log,
//! written together.

use chrono::NaiveDate;
use platform::db::Db;
use platform::workflow::Step;
use platform::{Actor, Error, Result, audit};

use crate::report::{self, Incident, finish};
use crate::workflow::WORKFLOW;

/// lead, started, outcome, its detail, the police result.
type InvestigationRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// What an investigation concluded.
pub const OUTCOMES: &[(&str, &str)] = &[
    ("no_further_action", "No further action"),
    ("adjudication", "Adjudication"),
    ("police_referral", "Referred to the police"),
    ("staff_disciplinary", "Staff disciplinary"),
];

/// An investigation as stored.
#[derive(Debug, Clone)]
pub struct Investigation {
    pub lead_name: String,
    pub started_on: String,
    pub outcome: Option<String>,
    pub outcome_detail: Option<String>,
    pub police_result: Option<String>,
    pub actions: Vec<Action>,
    pub links: Vec<(String, String)>,
}

/// One action taken.
#[derive(Debug, Clone)]
pub struct Action {
    pub action: String,
    pub due_on: Option<String>,
    pub done_on: Option<String>,
    pub by_name: String,
}

async fn step(
    conn: &mut sqlx::AnyConnection,
    incident: &Incident,
    by: &Actor,
    now: i64,
    detail: &str,
    audit_action: &str,
) -> Result<()> {
    WORKFLOW
        .record(
            conn,
            &Step {
                id: &incident.id,
                actor: &by.id,
                at: now,
                from: None,
                to: incident.status,
                detail,
            },
        )
        .await?;
    audit::record_at(conn, now, &by.id, audit_action, &incident.id, "").await
}

/// The report's investigation, if one was started.
pub async fn get(db: &Db, incident_id: &str) -> Result<Option<Investigation>> {
    let row: Option<InvestigationRow> =
        sqlx::query_as(
            "SELECT lead_name, started_on, outcome, outcome_detail, police_result FROM incident_investigations WHERE incident_id = $1",
        )
        .bind(incident_id)
        .fetch_optional(db.pool())
        .await?;
    let Some((lead_name, started_on, outcome, outcome_detail, police_result)) = row else {
        return Ok(None);
    };
    let actions: Vec<(String, Option<String>, Option<String>, String)> = sqlx::query_as(
        "SELECT action, due_on, done_on, by_name FROM incident_actions WHERE incident_id = $1 ORDER BY at, id",
    )
    .bind(incident_id)
    .fetch_all(db.pool())
    .await?;
    let links: Vec<(String, String)> = sqlx::query_as(
        "SELECT i.reference, i.title FROM incident_links l JOIN incidents i ON i.id = l.linked_id WHERE l.incident_id = $1 ORDER BY i.reference",
    )
    .bind(incident_id)
    .fetch_all(db.pool())
    .await?;
    Ok(Some(Investigation {
        lead_name,
        started_on,
        outcome,
        outcome_detail,
        police_result,
        actions: actions
            .into_iter()
            .map(|(action, due_on, done_on, by_name)| Action {
                action,
                due_on,
                done_on,
                by_name,
            })
            .collect(),
        links,
    }))
}

/// Starts an investigation led by `lead`.
pub async fn start(
    db: &Db,
    incident: &Incident,
    lead: &str,
    on: NaiveDate,
    by: &Actor,
    now: i64,
) -> Result<()> {
    let lead = lead.trim();
    if lead.is_empty() || lead.chars().count() > 100 {
        return Err(Error::Conflict(
            "enter who leads the investigation (100 characters or fewer)".into(),
        ));
    }
    let mut tx = db.begin_write().await?;
    let done: Result<_> = async {
        let done = sqlx::query(
            "INSERT INTO incident_investigations (incident_id, lead_name, started_on, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (incident_id) DO NOTHING",
        )
        .bind(&incident.id)
        .bind(lead)
        .bind(on.to_string())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(Error::Conflict("an investigation has already been started".into()));
        }
        step(&mut tx, incident, by, now, &format!("Investigation started, led by {lead}"), "incident.investigation_start").await?;
        Ok(())
    }
    .await;
    finish(tx, done).await
}

/// Records an action, with when it is due or was done.
pub async fn add_action(
    db: &Db,
    incident: &Incident,
    action: &str,
    due_on: Option<NaiveDate>,
    done_on: Option<NaiveDate>,
    by: &Actor,
    now: i64,
) -> Result<()> {
    let action = action.trim();
    if action.is_empty() || action.chars().count() > 500 {
        return Err(Error::Conflict(
            "describe the action (500 characters or fewer)".into(),
        ));
    }
    let mut tx = db.begin_write().await?;
    let done: Result<_> = async {
        let known: Option<String> = sqlx::query_scalar("SELECT incident_id FROM incident_investigations WHERE incident_id = $1")
            .bind(&incident.id)
            .fetch_optional(&mut *tx)
            .await?;
        if known.is_none() {
            return Err(Error::Conflict("start the investigation first".into()));
        }
        sqlx::query(
            "INSERT INTO incident_actions (id, incident_id, action, due_on, done_on, by_name, at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(platform::ids::new_id())
        .bind(&incident.id)
        .bind(action)
        .bind(due_on.map(|d| d.to_string()))
        .bind(done_on.map(|d| d.to_string()))
        .bind(&by.name)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        step(&mut tx, incident, by, now, &format!("Investigation action: {action}"), "incident.investigation_action").await?;
        Ok(())
    }
    .await;
    finish(tx, done).await
}

/// Records the outcome (a police referral's result with it).
pub async fn conclude(
    db: &Db,
    incident: &Incident,
    outcome: &str,
    detail: &str,
    police_result: &str,
    by: &Actor,
    now: i64,
) -> Result<()> {
    let Some((_, label)) = OUTCOMES.iter().find(|(c, _)| *c == outcome) else {
        return Err(Error::Conflict("choose the investigation's outcome".into()));
    };
    if outcome == "police_referral" && police_result.trim().is_empty() {
        return Err(Error::Conflict(
            "say what the police did (or that they have not yet answered)".into(),
        ));
    }
    let mut tx = db.begin_write().await?;
    let done: Result<_> = async {
        let done = sqlx::query(
            "UPDATE incident_investigations SET outcome = $1, outcome_detail = $2, police_result = $3, updated_at = $4 WHERE incident_id = $5",
        )
        .bind(outcome)
        .bind(Some(detail.trim()).filter(|d| !d.is_empty()))
        .bind(Some(police_result.trim()).filter(|d| !d.is_empty()))
        .bind(now)
        .bind(&incident.id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(Error::Conflict("start the investigation first".into()));
        }
        step(&mut tx, incident, by, now, &format!("Investigation outcome: {label}"), "incident.investigation_outcome").await?;
        Ok(())
    }
    .await;
    finish(tx, done).await
}

/// Links another report (by reference) to this one's investigation, both
/// ways.
pub async fn link(
    db: &Db,
    incident: &Incident,
    reference: &str,
    by: &Actor,
    now: i64,
) -> Result<()> {
    let Some(other) = report::by_reference(db, reference).await? else {
        return Err(Error::Conflict(format!(
            "there is no report {}",
            reference.trim().to_ascii_uppercase()
        )));
    };
    if other.id == incident.id {
        return Err(Error::Conflict(
            "a report cannot be linked to itself".into(),
        ));
    }
    let mut tx = db.begin_write().await?;
    let done: Result<_> = async {
        for (a, b) in [(&incident.id, &other.id), (&other.id, &incident.id)] {
            sqlx::query(
                "INSERT INTO incident_links (incident_id, linked_id) VALUES ($1, $2) ON CONFLICT (incident_id, linked_id) DO NOTHING",
            )
            .bind(a)
            .bind(b)
            .execute(&mut *tx)
            .await?;
        }
        step(&mut tx, incident, by, now, &format!("Linked to {}", other.reference), "incident.link").await?;
        Ok(())
    }
    .await;
    finish(tx, done).await
}
