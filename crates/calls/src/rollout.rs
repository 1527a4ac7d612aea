//! The rollout: each prison's steps to live video calls, as the 2020
//! letter names them (equipment delivered, staff trained, test calls
//! completed, call times set, portal live), and the national picture.
//!
//! A prison's portal takes bookings only once its stage is "portal live".
//! The first run seeds the stages from the letter's Annex A: the
//! establishments it lists as operating live calls are live on the
//! letter's date; for the rest the letter says only that they were at one
//! of the earlier steps, not which, so none is recorded for them.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use maud::{Markup, html};
use platform::{Db, Error, Result, audit, now};

/// A step on the way to live calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    NotStarted,
    EquipmentDelivered,
    StaffTrained,
    TestCallsCompleted,
    CallTimesSet,
    Live,
}

impl Stage {
    /// Every stage, in order.
    pub const ALL: [Stage; 6] = [
        Stage::NotStarted,
        Stage::EquipmentDelivered,
        Stage::StaffTrained,
        Stage::TestCallsCompleted,
        Stage::CallTimesSet,
        Stage::Live,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::NotStarted => "not_started",
            Stage::EquipmentDelivered => "equipment_delivered",
            Stage::StaffTrained => "staff_trained",
            Stage::TestCallsCompleted => "test_calls_completed",
            Stage::CallTimesSet => "call_times_set",
            Stage::Live => "live",
        }
    }

    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|st| st.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Stage::NotStarted => "Not started or not recorded",
            Stage::EquipmentDelivered => "Equipment delivered",
            Stage::StaffTrained => "Staff trained",
            Stage::TestCallsCompleted => "Test calls completed",
            Stage::CallTimesSet => "Call times set",
            Stage::Live => "Portal live",
        }
    }

    fn colour(self) -> &'static str {
        match self {
            Stage::NotStarted => "#b1b4b6",
            Stage::EquipmentDelivered => "#f47738",
            Stage::StaffTrained => "#912b88",
            Stage::TestCallsCompleted => "#1d70b8",
            Stage::CallTimesSet => "#28a197",
            Stage::Live => "#00703c",
        }
    }
}

/// The letter's date, which its annex describes.
pub fn annex_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 7, 23).expect("a valid date")
}

/// The establishments the annex lists as operating live calls.
pub fn annex_live() -> Vec<&'static str> {
    include_str!("../data/annex_live.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

/// A name folded for matching the annex to the registry: lower case,
/// letters and digits only, without "YOI" or "HMP".
fn fold(name: &str) -> String {
    name.to_lowercase()
        .replace("(yoi)", " ")
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && *w != "yoi" && *w != "hmp")
        .collect::<Vec<_>>()
        .join(" ")
}

/// Seeds the annex's live establishments on first run (when no stage is
/// recorded). Returns the names it could not match to the registry.
pub async fn seed(db: &Db) -> Result<Vec<String>> {
    let any: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM call_rollout")
        .fetch_one(db.pool())
        .await?;
    if any > 0 {
        return Ok(Vec::new());
    }
    let registry: Vec<(String, String)> = sqlx::query_as("SELECT id, name FROM establishments")
        .fetch_all(db.pool())
        .await?;
    let by_name: BTreeMap<String, String> = registry
        .into_iter()
        .map(|(id, name)| (fold(&name), id))
        .collect();
    let mut unmatched = Vec::new();
    let mut tx = db.begin_write().await?;
    for name in annex_live() {
        let Some(id) = by_name.get(&fold(name)) else {
            unmatched.push(name.to_owned());
            continue;
        };
        sqlx::query(
            "INSERT INTO call_rollout (establishment_id, stage, reached_on, recorded_by, recorded_at) \
             VALUES ($1, 'live', $2, 'system', $3) ON CONFLICT (establishment_id, stage) DO NOTHING",
        )
        .bind(id)
        .bind(annex_date().to_string())
        .bind(now())
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    if !unmatched.is_empty() {
        tracing::warn!(?unmatched, "annex establishments not in the registry");
    }
    Ok(unmatched)
}

/// One establishment's progress.
#[derive(Debug, Clone)]
pub struct Progress {
    pub establishment_id: String,
    pub name: String,
    /// The furthest stage reached.
    pub stage: Stage,
    /// The date each recorded stage was reached (None when not known).
    pub dates: BTreeMap<Stage, Option<NaiveDate>>,
}

impl Progress {
    /// Days from equipment delivery to the portal going live, when both
    /// dates are recorded.
    pub fn days_to_live(&self) -> Option<i64> {
        let delivered = (*self.dates.get(&Stage::EquipmentDelivered)?)?;
        let live = (*self.dates.get(&Stage::Live)?)?;
        Some((live - delivered).num_days())
    }
}

/// Every enabled establishment's progress, by name.
pub async fn all(db: &Db) -> Result<Vec<Progress>> {
    let ests: Vec<(String, String)> =
        sqlx::query_as("SELECT id, name FROM establishments WHERE enabled = 1 ORDER BY name")
            .fetch_all(db.pool())
            .await?;
    let rows: Vec<(String, String, Option<String>)> =
        sqlx::query_as("SELECT establishment_id, stage, reached_on FROM call_rollout")
            .fetch_all(db.pool())
            .await?;
    let mut dates: BTreeMap<String, BTreeMap<Stage, Option<NaiveDate>>> = BTreeMap::new();
    for (est, stage, on) in rows {
        let stage = Stage::parse(&stage)
            .ok_or_else(|| Error::Corrupt(format!("rollout stage {stage:?}")))?;
        let on = on.map(|d| crate::portal::parse_date(&d)).transpose()?;
        dates.entry(est).or_default().insert(stage, on);
    }
    Ok(ests
        .into_iter()
        .map(|(id, name)| {
            let d = dates.remove(&id).unwrap_or_default();
            Progress {
                stage: d.keys().max().copied().unwrap_or(Stage::NotStarted),
                establishment_id: id,
                name,
                dates: d,
            }
        })
        .collect())
}

/// One establishment's progress.
pub async fn of(db: &Db, establishment_id: &str) -> Result<Progress> {
    all(db)
        .await?
        .into_iter()
        .find(|p| p.establishment_id == establishment_id)
        .ok_or(Error::NotFound)
}

/// Records that an establishment reached `stage` on `on`. A stage's date
/// may not be before an earlier stage's, nor in the future.
pub async fn record(
    db: &Db,
    establishment_id: &str,
    stage: Stage,
    on: NaiveDate,
    today: NaiveDate,
    by: &str,
) -> Result<()> {
    if stage == Stage::NotStarted {
        return Err(Error::Conflict("choose the stage reached".into()));
    }
    if on > today {
        return Err(Error::Conflict(
            "the date must be today or in the past".into(),
        ));
    }
    let p = of(db, establishment_id).await?;
    if let Some((earlier, Some(d))) = p
        .dates
        .iter()
        .filter(|(s, _)| **s < stage)
        .max_by_key(|(s, _)| **s)
        .map(|(s, d)| (*s, *d))
        && on < d
    {
        return Err(Error::Conflict(format!(
            "the date must be on or after {} ({})",
            d.format("%-d %B %Y"),
            earlier.label().to_lowercase()
        )));
    }
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM call_rollout WHERE establishment_id = $1 AND stage = $2")
        .bind(establishment_id)
        .bind(stage.as_str())
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO call_rollout (establishment_id, stage, reached_on, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(establishment_id)
    .bind(stage.as_str())
    .bind(on.to_string())
    .bind(by)
    .bind(now())
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        by,
        "calls.rollout",
        establishment_id,
        &format!("{} on {on}", stage.as_str()),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// How many establishments are at each stage.
pub fn counts(all: &[Progress]) -> Vec<(Stage, usize)> {
    Stage::ALL
        .iter()
        .map(|s| (*s, all.iter().filter(|p| p.stage == *s).count()))
        .collect()
}

/// A chart of how many establishments had reached each stage by each date
/// recorded: one step line a stage, drawn as SVG with a text alternative.
pub fn chart(all: &[Progress]) -> Markup {
    let mut dates: Vec<NaiveDate> = all
        .iter()
        .flat_map(|p| p.dates.values().flatten().copied())
        .collect();
    dates.sort();
    dates.dedup();
    if dates.is_empty() {
        return html! { p class="govuk-body" { "No dates are recorded yet." } };
    }
    let total = all.len().max(1) as f64;
    let (w, h, left, bottom, top, right) = (640.0, 280.0, 44.0, 36.0, 12.0, 16.0);
    let first = dates[0];
    let last = *dates.last().unwrap_or(&first);
    let span = ((last - first).num_days().max(1)) as f64;
    let x = |d: NaiveDate| left + (w - left - right) * ((d - first).num_days() as f64 / span);
    let y = |n: usize| top + (h - top - bottom) * (1.0 - n as f64 / total);
    let reached_by = |stage: Stage, d: NaiveDate| {
        all.iter()
            .filter(|p| {
                p.dates
                    .iter()
                    .any(|(s, on)| *s >= stage && on.is_some_and(|o| o <= d))
            })
            .count()
    };
    let stages = &Stage::ALL[1..];
    let lines: Vec<(Stage, String)> = stages
        .iter()
        .map(|s| {
            let mut path = String::new();
            let mut prev: Option<usize> = None;
            for d in &dates {
                let n = reached_by(*s, *d);
                match prev {
                    None => path.push_str(&format!("M{:.1},{:.1}", x(*d), y(n))),
                    Some(p) => {
                        path.push_str(&format!(" L{:.1},{:.1}", x(*d), y(p)));
                        path.push_str(&format!(" L{:.1},{:.1}", x(*d), y(n)));
                    }
                }
                prev = Some(n);
            }
            if dates.len() == 1 {
                path.push_str(&format!(" L{:.1},{:.1}", w - right, y(prev.unwrap_or(0))));
            }
            (*s, path)
        })
        .collect();
    let summary = stages
        .iter()
        .map(|s| format!("{}: {}", s.label(), reached_by(*s, last)))
        .collect::<Vec<_>>()
        .join("; ");
    html! {
        figure class="app-chart" {
            svg xmlns="http://www.w3.org/2000/svg" viewBox={ "0 0 " (w) " " (h) } width="100%" role="img" aria-labelledby="rollout-chart-title" {
                title id="rollout-chart-title" { "Prisons that had reached each stage, " (first.format("%-d %B %Y")) " to " (last.format("%-d %B %Y")) ". By " (last.format("%-d %B %Y")) ": " (summary) "." }
                line x1=(left) y1=(y(0)) x2=(w - right) y2=(y(0)) stroke="#0b0c0c" {}
                line x1=(left) y1=(top) x2=(left) y2=(y(0)) stroke="#0b0c0c" {}
                @for n in [0usize, all.len() / 2, all.len()] {
                    text x=(left - 6.0) y=(y(n) + 4.0) text-anchor="end" font-size="12" { (n) }
                }
                text x=(left) y=(h - 8.0) font-size="12" { (first.format("%-d %b %Y")) }
                @if last != first {
                    text x=(w - right) y=(h - 8.0) text-anchor="end" font-size="12" { (last.format("%-d %b %Y")) }
                }
                @for (s, path) in &lines {
                    path d=(path) fill="none" stroke=(s.colour()) stroke-width="3" {}
                }
            }
            figcaption class="govuk-body-s" {
                @for s in stages {
                    span class="lifeline-key" {
                        span aria-hidden="true" class={ "lifeline-swatch lifeline-stage-" (s.as_str()) } {}
                        (s.label())
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annex_names_fold_to_registry_names() {
        assert_eq!(fold("Cookham Wood YOI"), fold("Cookham Wood"));
        assert_eq!(fold("Parc (YOI)"), "parc");
        assert_eq!(fold("Guys Marsh"), "guys marsh");
        assert_ne!(fold("Hull"), fold("Humber"));
    }

    #[test]
    fn the_annex_lists_forty_live_establishments() {
        // The letter's text says 30; its annex names 40 (15, 15 and 10 in
        // its three columns). The annex is what names them, so it is what
        // is seeded.
        let live = annex_live();
        assert_eq!(live.len(), 40);
        assert!(live.contains(&"Berwyn"));
        assert!(!live.contains(&"Belmarsh"));
    }

    #[test]
    fn days_to_live_need_both_dates() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let mut p = Progress {
            establishment_id: "x".into(),
            name: "X".into(),
            stage: Stage::Live,
            dates: BTreeMap::from([(Stage::Live, Some(d("2020-07-23")))]),
        };
        assert_eq!(p.days_to_live(), None);
        p.dates
            .insert(Stage::EquipmentDelivered, Some(d("2020-07-02")));
        assert_eq!(p.days_to_live(), Some(21));
    }
}
