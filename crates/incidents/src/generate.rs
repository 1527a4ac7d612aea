//! A realistic year of incident reports across the registry's
//! establishments, for trying the statistics and measuring the lists.
//!
//! Rates per 1,000 prisoners a year are of the order HMPPS publishes for
//! England and Wales (self-harm about 900, assaults about 330, finds of
//! phones and SIM cards about 150, drone sightings about 10, social media
//! misuse a few), each establishment's own rate drawn around them, so
//! that a year comes to some 120,000 reports and a few small
//! establishments have small counts of the rarer types: the cells
//! disclosure control exists for. Everything is drawn from one seeded
//! generator, so a seed gives the same database every time.

use chrono::NaiveDate;
use platform::db::Db;
use platform::{Error, Result};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::report::quarter_of;

/// Yearly rate per 1,000 prisoners of each type.
const RATES: &[(&str, f64)] = &[
    ("self_harm", 900.0),
    ("assault", 330.0),
    ("find", 150.0),
    ("phone_use", 20.0),
    ("drone", 10.0),
    ("breach", 8.0),
    ("social_media", 3.0),
    ("video_call", 0.5),
];

const PLATFORMS: &[(&str, f64)] = &[
    ("facebook", 0.35),
    ("instagram", 0.2),
    ("tiktok", 0.15),
    ("snapchat", 0.15),
    ("x", 0.05),
    ("youtube", 0.05),
    ("whatsapp", 0.03),
    ("other", 0.02),
];

const STATUSES: &[(&str, f64)] = &[
    ("closed", 0.85),
    ("awaiting_review", 0.05),
    ("on_hold", 0.03),
    ("needs_updating", 0.02),
    ("updated", 0.02),
    ("duplicate", 0.02),
    ("not_reportable", 0.01),
];

fn pick<'a>(rng: &mut ChaCha8Rng, table: &'a [(&'a str, f64)]) -> &'a str {
    let total: f64 = table.iter().map(|(_, w)| w).sum();
    let mut x = rng.random::<f64>() * total;
    for (v, w) in table {
        if x < *w {
            return v;
        }
        x -= w;
    }
    table[table.len() - 1].0
}

/// A Poisson draw (Knuth's for small means, a rounded normal for large).
fn poisson(rng: &mut ChaCha8Rng, mean: f64) -> u64 {
    if mean <= 0.0 {
        return 0;
    }
    if mean > 50.0 {
        let z = normal(rng);
        return (mean + z * mean.sqrt()).round().max(0.0) as u64;
    }
    let l = (-mean).exp();
    let mut k = 0;
    let mut p = 1.0;
    loop {
        p *= rng.random::<f64>();
        if p <= l {
            return k;
        }
        k += 1;
    }
}

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = rng.random::<f64>().max(1e-12);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// What a run made.
#[derive(Debug, Clone, Default)]
pub struct Generated {
    pub reports: u64,
    pub years: Vec<i32>,
}

struct Row {
    id: String,
    reference: String,
    type_code: &'static str,
    status: &'static str,
    establishment_id: String,
    occurred_at: i64,
    quarter: String,
    title: String,
    closed_at: Option<i64>,
    delete_after: Option<i64>,
    answers: Vec<(&'static str, &'static str)>,
    investigated: Option<&'static str>,
}

/// Fills `db` with `years` years of reports from `year` on (each year's
/// reports end at `now` if the year is not over), with populations for
/// the rates. `progress` is told (done, total) as it goes.
pub async fn generate(
    db: &Db,
    year: i32,
    years: u32,
    seed: u64,
    now: i64,
    progress: &(dyn Fn(u64, u64) + Send + Sync),
) -> Result<Generated> {
    if !(2000..=2100).contains(&year) {
        return Err(Error::Conflict(format!(
            "the year must be from 2000 to 2100 (got {year})"
        )));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let establishments = platform::registry::list(db).await?;
    if establishments.is_empty() {
        return Err(Error::Conflict("the registry has no establishments".into()));
    }
    let types = crate::types::active(db).await?;
    let versions: Vec<(&str, i64)> = RATES
        .iter()
        .map(|(code, _)| {
            types
                .iter()
                .find(|t| t.code == *code)
                .map(|t| (*code, t.version))
                .ok_or_else(|| Error::Config(format!("incident type {code} is not set up")))
        })
        .collect::<Result<_>>()?;
    // Populations: most prisons hold a few hundred to 1,500; a few hold
    // fewer than 100 (the small cells).
    let mut populations = Vec::new();
    for e in &establishments {
        let small = rng.random::<f64>() < 0.08;
        let pop = if small {
            rng.random_range(40..150)
        } else {
            (700.0 * (0.5 * normal(&mut rng)).exp())
                .round()
                .clamp(150.0, 1900.0) as i64
        };
        // Each establishment's own rate of each type, around the national.
        let factors: Vec<f64> = RATES
            .iter()
            .map(|_| (0.6 * normal(&mut rng)).exp())
            .collect();
        populations.push((e.id.clone(), pop, factors));
    }
    {
        let mut tx = db.begin_write().await?;
        for (id, pop, _) in &populations {
            sqlx::query(
                "INSERT INTO incident_populations (establishment_id, population) VALUES ($1, $2) \
                 ON CONFLICT (establishment_id) DO UPDATE SET population = excluded.population",
            )
            .bind(id)
            .bind(*pop)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
    }
    let mut made = Generated::default();
    for y in year..year + years as i32 {
        let start = NaiveDate::from_ymd_opt(y, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .ok_or_else(|| Error::Conflict(format!("no such year {y}")))?
            .and_utc()
            .timestamp();
        let end = NaiveDate::from_ymd_opt(y + 1, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|d| d.and_utc().timestamp())
            .unwrap_or(start)
            .min(now);
        if end <= start {
            break;
        }
        let fraction = (end - start) as f64 / (365.25 * 24.0 * 3600.0);
        let mut rows = Vec::new();
        for (id, pop, factors) in &populations {
            for (ti, (code, rate)) in RATES.iter().enumerate() {
                let mean = rate * *pop as f64 / 1000.0 * factors[ti] * fraction;
                for _ in 0..poisson(&mut rng, mean) {
                    let at = rng.random_range(start..end);
                    let status = pick(&mut rng, STATUSES);
                    let final_ = matches!(status, "closed" | "duplicate" | "not_reportable");
                    let closed =
                        final_.then(|| (at + rng.random_range(86_400..30 * 86_400)).min(now));
                    let mut answers = Vec::new();
                    let mut investigated = None;
                    let title = match *code {
                        "social_media" => {
                            let p = pick(&mut rng, PLATFORMS);
                            answers.push(("platform", p));
                            answers.push((
                                "came_to_light",
                                ["public", "platform", "police", "staff", "victim"]
                                    [rng.random_range(0..5)],
                            ));
                            if rng.random::<f64>() < 0.6 {
                                investigated = Some(
                                    [
                                        "no_further_action",
                                        "adjudication",
                                        "police_referral",
                                        "staff_disciplinary",
                                    ][rng.random_range(0..4)],
                                );
                            }
                            format!("Social media misuse on {p}")
                        }
                        "find" => {
                            answers.push((
                                "where_found",
                                ["cell", "person", "communal", "visits", "post", "perimeter"]
                                    [rng.random_range(0..6)],
                            ));
                            "Mobile phone or SIM card found".to_owned()
                        }
                        "drone" => "Drone seen over the perimeter".to_owned(),
                        "assault" => "Assault".to_owned(),
                        "self_harm" => "Self-harm".to_owned(),
                        "phone_use" => "Mobile phone use".to_owned(),
                        "breach" => "Breach of security".to_owned(),
                        _ => "Security concern on a video call".to_owned(),
                    };
                    let when = chrono::DateTime::from_timestamp(at, 0)
                        .map(|d| d.naive_utc())
                        .unwrap_or_default();
                    rows.push(Row {
                        id: platform::ids::new_id(),
                        reference: String::new(),
                        type_code: code,
                        status,
                        establishment_id: id.clone(),
                        occurred_at: at,
                        quarter: quarter_of(when),
                        title,
                        closed_at: closed,
                        delete_after: closed.map(|c| c + 6 * 365 * 86_400 + 86_400),
                        answers,
                        investigated,
                    });
                }
            }
        }
        rows.sort_by_key(|r| r.occurred_at);
        let total = rows.len() as u64;
        let first: i64 = {
            let mut tx = db.begin_write().await?;
            let last: i64 = sqlx::query_scalar(
                "INSERT INTO incident_sequences (year, last) VALUES ($1, $2) \
                 ON CONFLICT (year) DO UPDATE SET last = incident_sequences.last + $2 RETURNING last",
            )
            .bind(i64::from(y))
            .bind(total as i64)
            .fetch_one(&mut *tx)
            .await?;
            tx.commit().await?;
            last - total as i64 + 1
        };
        for (i, r) in rows.iter_mut().enumerate() {
            r.reference = format!("IR-{y}-{:06}", first + i as i64);
        }
        let versions = &versions;
        for (done, chunk) in rows.chunks(200).enumerate() {
            insert(db, chunk, versions).await?;
            progress((done * 200 + chunk.len()) as u64, total);
        }
        made.reports += total;
        made.years.push(y);
    }
    Ok(made)
}

async fn insert(db: &Db, rows: &[Row], versions: &[(&str, i64)]) -> Result<()> {
    const COLS: usize = 15;
    let mut sql = String::from(
        "INSERT INTO incidents (id, reference, type_code, type_version, status, establishment_id, occurred_at, quarter, \
         title, description, reported_by, reported_by_name, reported_at, submitted_at, version, updated_at, closed_at, delete_after) VALUES ",
    );
    for i in 0..rows.len() {
        let b = i * COLS;
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!(
            "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, 'generator', 'Generated', ${}, ${}, 1, ${}, ${}, ${})",
            b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, b + 7, b + 8, b + 9, b + 10, b + 11, b + 12, b + 13, b + 14, b + 15
        ));
    }
    let mut q = sqlx::query(&sql);
    for r in rows {
        let version = versions
            .iter()
            .find(|(c, _)| *c == r.type_code)
            .map(|(_, v)| *v)
            .unwrap_or(1);
        q = q
            .bind(&r.id)
            .bind(&r.reference)
            .bind(r.type_code)
            .bind(version)
            .bind(r.status)
            .bind(&r.establishment_id)
            .bind(r.occurred_at)
            .bind(&r.quarter)
            .bind(&r.title)
            .bind("Generated for testing: no real person or event.")
            .bind(r.occurred_at + 3600)
            .bind(r.occurred_at + 3600)
            .bind(r.closed_at.unwrap_or(r.occurred_at + 3600))
            .bind(r.closed_at)
            .bind(r.delete_after);
    }
    let mut tx = db.begin_write().await?;
    q.execute(&mut *tx).await?;
    let answers: Vec<(&str, &str, &str)> = rows
        .iter()
        .flat_map(|r| r.answers.iter().map(move |(q, a)| (r.id.as_str(), *q, *a)))
        .collect();
    for chunk in answers.chunks(300) {
        let mut sql =
            String::from("INSERT INTO incident_answers (incident_id, question, answer) VALUES ");
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("(${}, ${}, ${})", i * 3 + 1, i * 3 + 2, i * 3 + 3));
        }
        let mut q = sqlx::query(&sql);
        for (id, question, answer) in chunk {
            q = q.bind(*id).bind(*question).bind(*answer);
        }
        q.execute(&mut *tx).await?;
    }
    for r in rows {
        if let Some(outcome) = r.investigated {
            let started = chrono::DateTime::from_timestamp(r.occurred_at, 0)
                .map(|d| d.date_naive().to_string())
                .unwrap_or_default();
            sqlx::query(
                "INSERT INTO incident_investigations (incident_id, lead_name, started_on, outcome, updated_at) VALUES ($1, 'Security team', $2, $3, $4)",
            )
            .bind(&r.id)
            .bind(started)
            .bind(outcome)
            .bind(r.occurred_at)
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}
