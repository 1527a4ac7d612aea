//! Statistics safe to publish: counts of reported incidents by
//! establishment, type and quarter (social media misuse also by platform,
//! nationally), and rates per 1,000 prisoners where a population is set.
//!
//! Nothing leaves without disclosure control, done by the Data Lab's
//! table engine ([`datalab::tables`]): counts from 1 to `threshold - 1`
//! are suppressed, and further cells and totals with them, until no
//! suppressed count can be worked out from what is shown; the result is
//! checked again by an independent audit, and a table that fails it is
//! refused rather than published. What would tell someone how incidents
//! at one prison are detected (the answers a type marks national only:
//! where finds were made, how use came to light) is never broken down by
//! establishment, and social media platforms are published nationally
//! only. Every table carries its notes.
//!
//! Counted: reports submitted for review, whatever their stage, except
//! duplicates and those found not reportable.

use chrono::{Datelike, NaiveDate};
use datalab::tables::{self, Protected};
use platform::db::Db;
use platform::{Error, Result};

use crate::types;
use crate::workflow::Status;

/// The published tables for one period.
#[derive(Debug)]
pub struct Statistics {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Establishments (key, name), by name.
    pub establishments: Vec<(String, String)>,
    /// Types (code, label).
    pub types: Vec<(String, String)>,
    /// "2025-Q1", ...
    pub quarters: Vec<String>,
    /// establishment x type x quarter, with every total.
    pub table: Protected,
    /// Social media misuse nationally: platform (code, label) x quarter.
    pub platforms: Vec<(String, String)>,
    pub by_platform: Protected,
    /// Each establishment's population where one is set.
    pub populations: Vec<Option<i64>>,
}

/// The quarters a period touches.
pub fn quarters(from: NaiveDate, to: NaiveDate) -> Vec<String> {
    let mut out = Vec::new();
    let (mut y, mut q) = (from.year(), (from.month() - 1) / 3 + 1);
    let (ty, tq) = (to.year(), (to.month() - 1) / 3 + 1);
    while (y, q) <= (ty, tq) {
        out.push(format!("{y}-Q{q}"));
        q += 1;
        if q == 5 {
            q = 1;
            y += 1;
        }
    }
    out
}

fn bounds(from: NaiveDate, to: NaiveDate) -> Result<(i64, i64)> {
    if to < from {
        return Err(Error::Conflict(
            "the end of the period must be on or after its start".into(),
        ));
    }
    if (to - from).num_days() > 366 * 10 {
        return Err(Error::Conflict(
            "the period must be 10 years or shorter".into(),
        ));
    }
    let start = from
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc()
        .timestamp();
    let end = to
        .succ_opt()
        .unwrap_or(to)
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc()
        .timestamp();
    Ok((start, end))
}

fn counted_in() -> String {
    Status::counted()
        .iter()
        .map(|s| format!("'{s}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Builds and protects the period's tables (`from` and `to` inclusive).
pub async fn build(db: &Db, from: NaiveDate, to: NaiveDate, threshold: u64) -> Result<Statistics> {
    let (start, end) = bounds(from, to)?;
    let mut establishments: Vec<(String, String)> = platform::registry::list(db)
        .await?
        .into_iter()
        .map(|e| (e.id, e.name))
        .collect();
    establishments.sort_by(|a, b| a.1.cmp(&b.1));
    let types: Vec<(String, String)> = types::active(db)
        .await?
        .into_iter()
        .map(|t| (t.code.clone(), t.label.clone()))
        .collect();
    let quarters = quarters(from, to);
    let rows: Vec<(String, String, String, i64)> = sqlx::query_as(&format!(
        "SELECT establishment_id, type_code, quarter, COUNT(*) FROM incidents \
         WHERE occurred_at >= $1 AND occurred_at < $2 AND status IN ({}) \
         GROUP BY establishment_id, type_code, quarter",
        counted_in()
    ))
    .bind(start)
    .bind(end)
    .fetch_all(db.pool())
    .await?;
    let dims = [establishments.len(), types.len(), quarters.len()];
    let mut counts = vec![0u64; dims.iter().product()];
    for (e, t, q, n) in rows {
        let (Some(ei), Some(ti), Some(qi)) = (
            establishments.iter().position(|x| x.0 == e),
            types.iter().position(|x| x.0 == t),
            quarters.iter().position(|x| *x == q),
        ) else {
            continue;
        };
        counts[(ei * dims[1] + ti) * dims[2] + qi] += n.max(0) as u64;
    }
    let table = checked(tables::protect(&dims, &counts, threshold))?;

    let social = types::current(db, "social_media").await.ok();
    let platforms: Vec<(String, String)> = social
        .as_ref()
        .and_then(|t| t.question("platform"))
        .map(|q| {
            q.answers
                .iter()
                .map(|a| (a.code.clone(), a.label.clone()))
                .collect()
        })
        .unwrap_or_default();
    let rows: Vec<(String, String, i64)> = sqlx::query_as(&format!(
        "SELECT a.answer, i.quarter, COUNT(*) FROM incidents i JOIN incident_answers a \
         ON a.incident_id = i.id AND a.question = 'platform' \
         WHERE i.type_code = 'social_media' AND i.occurred_at >= $1 AND i.occurred_at < $2 AND i.status IN ({}) \
         GROUP BY a.answer, i.quarter",
        counted_in()
    ))
    .bind(start)
    .bind(end)
    .fetch_all(db.pool())
    .await?;
    let pdims = [platforms.len(), quarters.len()];
    let mut pcounts = vec![0u64; pdims.iter().product()];
    for (p, q, n) in rows {
        if let (Some(pi), Some(qi)) = (
            platforms.iter().position(|x| x.0 == p),
            quarters.iter().position(|x| *x == q),
        ) {
            pcounts[pi * pdims[1] + qi] += n.max(0) as u64;
        }
    }
    let by_platform = checked(tables::protect(&pdims, &pcounts, threshold))?;
    let pops: Vec<(String, i64)> =
        sqlx::query_as("SELECT establishment_id, population FROM incident_populations")
            .fetch_all(db.pool())
            .await?;
    let populations = establishments
        .iter()
        .map(|(id, _)| pops.iter().find(|(e, _)| e == id).map(|(_, p)| *p))
        .collect();
    Ok(Statistics {
        from,
        to,
        establishments,
        types,
        quarters,
        table,
        platforms,
        by_platform,
        populations,
    })
}

/// The independent audit every table passes before it is shown.
pub(crate) fn checked(p: Protected) -> Result<Protected> {
    let exposed = tables::recoverable(&p);
    if exposed.is_empty() {
        Ok(p)
    } else {
        Err(Error::Corrupt(format!(
            "disclosure control left {} suppressed cells that could be worked out; nothing was published",
            exposed.len()
        )))
    }
}

impl Statistics {
    /// An establishment's incidents per 1,000 prisoners over the period:
    /// only where its total is shown and a population is set.
    pub fn rate(&self, establishment: usize) -> Option<f64> {
        let total = self.table.get(&[Some(establishment), None, None]).shown()?;
        let pop = self.populations.get(establishment).copied().flatten()?;
        (pop > 0).then(|| total as f64 * 1000.0 / pop as f64)
    }

    /// The table as CSV with the header `establishment,type,quarter,count`,
    /// every establishment, type and quarter (a suppressed count as
    /// `[c]`), then the totals ("All establishments", "All types").
    pub fn csv(&self) -> Result<Vec<u8>> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let io = |e: csv::Error| Error::Corrupt(format!("writing CSV: {e}"));
        w.write_record(["establishment", "type", "quarter", "count"])
            .map_err(io)?;
        let est = |i: Option<usize>| match i {
            Some(i) => self.establishments[i].1.clone(),
            None => "All establishments".to_owned(),
        };
        let ty = |i: Option<usize>| match i {
            Some(i) => self.types[i].1.clone(),
            None => "All types".to_owned(),
        };
        let e_all: Vec<Option<usize>> = (0..self.establishments.len()).map(Some).collect();
        let t_all: Vec<Option<usize>> = (0..self.types.len()).map(Some).collect();
        for e in e_all.iter().copied().chain([None]) {
            for t in t_all.iter().copied().chain([None]) {
                for (qi, q) in self.quarters.iter().enumerate() {
                    let cell = self.table.get(&[e, t, Some(qi)]);
                    w.write_record([est(e), ty(t), q.clone(), cell.to_string()])
                        .map_err(io)?;
                }
            }
        }
        w.into_inner()
            .map_err(|e| Error::Corrupt(format!("writing CSV: {e}")))
    }

    /// Every note the published tables carry.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = self.table.notes();
        notes.push("Counted: incident reports submitted for review, at whatever stage of review, except those found to be duplicates or not reportable. Quarters are calendar quarters (Q1 is January to March).".into());
        notes.push("Where incidents were found or how they came to light is never published by establishment, and social media platforms only nationally: either would show where detection is weaker.".into());
        notes.push("Rates are per 1,000 prisoners of the establishment's population as configured, shown only where the count is shown.".into());
        notes
    }
}

/// Sets an establishment's population for rates (`None` clears it).
pub async fn set_population(
    db: &Db,
    establishment_id: &str,
    population: Option<i64>,
    by: &platform::Actor,
) -> Result<()> {
    let mut tx = db.begin_write().await?;
    match population {
        Some(p) if p > 0 => {
            sqlx::query(
                "INSERT INTO incident_populations (establishment_id, population) VALUES ($1, $2) \
                 ON CONFLICT (establishment_id) DO UPDATE SET population = excluded.population",
            )
            .bind(establishment_id)
            .bind(p)
            .execute(&mut *tx)
            .await?;
        }
        Some(_) => {
            return Err(Error::Conflict(
                "a population must be a whole number above 0".into(),
            ));
        }
        None => {
            sqlx::query("DELETE FROM incident_populations WHERE establishment_id = $1")
                .bind(establishment_id)
                .execute(&mut *tx)
                .await?;
        }
    }
    platform::audit::record(
        &mut tx,
        &by.id,
        "incident.population",
        establishment_id,
        &population.map(|p| p.to_string()).unwrap_or_default(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// How many establishments the registry holds.
pub async fn establishment_count(db: &Db) -> Result<usize> {
    Ok(platform::registry::list(db).await?.len())
}
