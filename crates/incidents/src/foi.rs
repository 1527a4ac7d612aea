//! The "FOI extract": a request like the one in seed 001 (every formally
//! reported incident of prisoners' use of Facebook at six named prisons,
//! what was reported, whether it was investigated and the outcome)
//! answered as far as the law allows, ready to attach to a Freedom of
//! Information case.
//!
//! What can go: disclosure-controlled counts by establishment and year,
//! and whether reports were investigated and with what outcome across the
//! named establishments together (by establishment those counts would be
//! small enough to point at people). What cannot, and why, is listed with
//! the exemption: the details of each incident (personal data, s.40(2);
//! prejudice to the prevention of crime and to prison security,
//! s.31(1)(a) and (f)), and anything showing how incidents at one prison
//! come to light (s.31).

use chrono::{Datelike, NaiveDate};
use datalab::tables::{self, Protected};
use platform::db::Db;
use platform::{Error, Result};

use crate::investigation::OUTCOMES;
use crate::stats::checked;
use crate::types;
use crate::workflow::Status;

/// What the extract is asked for.
#[derive(Debug, Clone)]
pub struct Ask {
    pub establishments: Vec<String>,
    pub types: Vec<String>,
    /// Social media misuse on this platform only (a platform's code).
    pub platform: Option<String>,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// The extract.
#[derive(Debug)]
pub struct Extract {
    pub ask: Ask,
    /// What was counted, in words.
    pub counted: String,
    /// Establishments (key, name), in the order asked.
    pub establishments: Vec<(String, String)>,
    pub years: Vec<i32>,
    /// establishment x year, with totals.
    pub counts: Protected,
    /// Investigated, not investigated (across the named establishments).
    pub investigated: Protected,
    /// Each outcome, then "not concluded" (across the named establishments).
    pub outcomes: Protected,
    /// What is withheld, and why.
    pub withheld: Vec<(String, String)>,
    pub notes: Vec<String>,
}

/// Builds the extract, with the same protection as the published
/// statistics.
pub async fn extract(db: &Db, ask: &Ask, threshold: u64) -> Result<Extract> {
    if ask.establishments.is_empty() {
        return Err(Error::Conflict("choose at least one establishment".into()));
    }
    if ask.types.is_empty() {
        return Err(Error::Conflict(
            "choose at least one type of incident".into(),
        ));
    }
    if ask.to < ask.from {
        return Err(Error::Conflict(
            "the end of the period must be on or after its start".into(),
        ));
    }
    if ask.to.year() - ask.from.year() > 10 {
        return Err(Error::Conflict(
            "the period must be 10 years or shorter".into(),
        ));
    }
    let registry = platform::registry::list(db).await?;
    let mut establishments = Vec::new();
    for id in &ask.establishments {
        let Some(e) = registry.iter().find(|e| &e.id == id) else {
            return Err(Error::Conflict(format!("there is no establishment {id:?}")));
        };
        if !establishments
            .iter()
            .any(|(i, _): &(String, String)| i == id)
        {
            establishments.push((e.id.clone(), e.name.clone()));
        }
    }
    let active = types::active(db).await?;
    let mut labels = Vec::new();
    for t in &ask.types {
        let Some(ty) = active.iter().find(|a| &a.code == t) else {
            return Err(Error::Conflict(format!("there is no incident type {t:?}")));
        };
        labels.push(ty.label.to_lowercase());
    }
    let mut platform_label = None;
    if let Some(p) = &ask.platform {
        let social = active.iter().find(|a| a.code == "social_media");
        let label = social.map(|s| s.answer_label("platform", p));
        match label {
            Some(l) if &l != p => platform_label = Some(l),
            _ => return Err(Error::Conflict(format!("there is no platform {p:?}"))),
        }
    }
    let start = ask
        .from
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc()
        .timestamp();
    let end = ask
        .to
        .succ_opt()
        .unwrap_or(ask.to)
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc()
        .timestamp();
    let counted: Vec<String> = Status::counted().iter().map(|s| format!("'{s}'")).collect();
    // Binds: start, end, then establishments, then types, then platform.
    let mut n = 2;
    let mut marks = |k: usize| -> String {
        (0..k)
            .map(|_| {
                n += 1;
                format!("${n}")
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let est_marks = marks(establishments.len());
    let type_marks = marks(ask.types.len());
    let platform_clause = if ask.platform.is_some() {
        let m = marks(1);
        format!(
            " AND (i.type_code <> 'social_media' OR EXISTS (SELECT 1 FROM incident_answers a WHERE a.incident_id = i.id AND a.question = 'platform' AND a.answer = {m}))"
        )
    } else {
        String::new()
    };
    let sql = format!(
        "SELECT i.establishment_id, i.occurred_at, v.outcome, CASE WHEN v.incident_id IS NULL THEN 0 ELSE 1 END \
         FROM incidents i LEFT JOIN incident_investigations v ON v.incident_id = i.id \
         WHERE i.occurred_at >= $1 AND i.occurred_at < $2 AND i.status IN ({}) \
         AND i.establishment_id IN ({est_marks}) AND i.type_code IN ({type_marks}){platform_clause}",
        counted.join(", ")
    );
    let mut q = sqlx::query_as::<_, (String, i64, Option<String>, i64)>(&sql)
        .bind(start)
        .bind(end);
    for (id, _) in &establishments {
        q = q.bind(id.clone());
    }
    for t in &ask.types {
        q = q.bind(t.clone());
    }
    if let Some(p) = &ask.platform {
        q = q.bind(p.clone());
    }
    let rows = q.fetch_all(db.pool()).await?;
    let years: Vec<i32> = (ask.from.year()..=ask.to.year()).collect();
    let dims = [establishments.len(), years.len()];
    let mut counts = vec![0u64; dims[0] * dims[1]];
    let mut investigated = [0u64; 2];
    let mut outcomes = vec![0u64; OUTCOMES.len() + 1];
    for (e, at, outcome, started) in rows {
        let year = chrono::DateTime::from_timestamp(at, 0)
            .map(|d| d.year())
            .unwrap_or_default();
        if let (Some(ei), Some(yi)) = (
            establishments.iter().position(|x| x.0 == e),
            years.iter().position(|y| *y == year),
        ) {
            counts[ei * dims[1] + yi] += 1;
        }
        if started == 1 {
            investigated[0] += 1;
            let oi = outcome
                .and_then(|o| OUTCOMES.iter().position(|(c, _)| *c == o))
                .unwrap_or(OUTCOMES.len());
            outcomes[oi] += 1;
        } else {
            investigated[1] += 1;
        }
    }
    let counts = checked(tables::protect(&dims, &counts, threshold))?;
    let investigated = checked(tables::protect(&[2], &investigated, threshold))?;
    let outcomes = checked(tables::protect(&[OUTCOMES.len() + 1], &outcomes, threshold))?;
    let mut what = labels.join(", ");
    if let Some(p) = &platform_label {
        what.push_str(&format!(" (social media misuse on {p} only)"));
    }
    let withheld = vec![
        (
            "What was reported in each incident (descriptions, what was posted or streamed, the accounts used)".to_owned(),
            "Exempt under section 40(2): even with names removed, the account of one incident at a named prison identifies the prisoners, victims and staff involved. Also exempt under section 31(1)(a) and (f): it would show how such incidents are detected and dealt with, which would be likely to prejudice the prevention and detection of crime and the security and good order of prisons.".to_owned(),
        ),
        (
            "The outcome of each incident's investigation".to_owned(),
            "Given only as counts across the named prisons together: by prison, or incident by incident, the outcomes are few enough to point to the people involved (section 40(2)).".to_owned(),
        ),
        (
            "How incidents came to light, where items were found, and platforms by prison".to_owned(),
            "Exempt under section 31(1)(a) and (f): at the level of one prison this would show where detection is weaker and help people avoid it.".to_owned(),
        ),
    ];
    let mut notes = counts.notes();
    notes.push(
        "Counted: incident reports submitted for review, at whatever stage, except those found to be duplicates or not reportable. Years are calendar years within the period asked for.".into(),
    );
    Ok(Extract {
        ask: ask.clone(),
        counted: what,
        establishments,
        years,
        counts,
        investigated,
        outcomes,
        withheld,
        notes,
    })
}

impl Extract {
    /// The extract as CSV: each table under a line naming it, then what is
    /// withheld and the notes, for attaching to the FOI case.
    pub fn csv(&self) -> Result<Vec<u8>> {
        let mut w = csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(Vec::new());
        let io = |e: csv::Error| Error::Corrupt(format!("writing CSV: {e}"));
        w.write_record([format!(
            "Reported incidents of {} from {} to {}",
            self.counted, self.ask.from, self.ask.to
        )])
        .map_err(io)?;
        let mut header = vec!["establishment".to_owned()];
        header.extend(self.years.iter().map(|y| y.to_string()));
        header.push("total".into());
        w.write_record(&header).map_err(io)?;
        let rows: Vec<Option<usize>> = (0..self.establishments.len())
            .map(Some)
            .chain([None])
            .collect();
        for e in rows {
            let mut rec = vec![match e {
                Some(i) => self.establishments[i].1.clone(),
                None => "All named establishments".into(),
            }];
            for yi in 0..self.years.len() {
                rec.push(self.counts.get(&[e, Some(yi)]).to_string());
            }
            rec.push(self.counts.get(&[e, None]).to_string());
            w.write_record(&rec).map_err(io)?;
        }
        w.write_record(["Investigated", "count"]).map_err(io)?;
        for (i, label) in ["Investigated", "Not investigated"].iter().enumerate() {
            w.write_record([
                label.to_string(),
                self.investigated.get(&[Some(i)]).to_string(),
            ])
            .map_err(io)?;
        }
        w.write_record(["Outcome of investigations", "count"])
            .map_err(io)?;
        for (i, label) in OUTCOMES
            .iter()
            .map(|(_, l)| *l)
            .chain(["Not yet concluded"])
            .enumerate()
        {
            w.write_record([label.to_string(), self.outcomes.get(&[Some(i)]).to_string()])
                .map_err(io)?;
        }
        w.write_record(["Withheld", "reason"]).map_err(io)?;
        for (what, why) in &self.withheld {
            w.write_record([what, why]).map_err(io)?;
        }
        w.write_record(["Notes"]).map_err(io)?;
        for n in &self.notes {
            w.write_record([n]).map_err(io)?;
        }
        w.into_inner()
            .map_err(|e| Error::Corrupt(format!("writing CSV: {e}")))
    }
}
