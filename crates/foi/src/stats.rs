//! Statistics in the Cabinet Office's categories, per quarter of receipt:
//! requests received; answered within 20 working days, within a permitted
//! extension, or late; still open; the outcomes; each exemption counted
//! once per case that applied it; internal reviews and their outcomes;
//! and timeliness by month, drawn as a chart.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use maud::{Markup, html};
use platform::{Db, Result};

use crate::cases::quarter;
use crate::exemptions::{self, Outcome, Reason};

/// One quarter's figures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Quarter {
    pub quarter: String,
    pub received: u64,
    /// Requests answered (a response sent).
    pub answered: u64,
    pub in_time: u64,
    pub in_time_extended: u64,
    pub late: u64,
    /// Still open and not yet due.
    pub open: u64,
    /// Closed without an answer (withdrawn, or lapsed fees).
    pub lapsed: u64,
    pub granted: u64,
    pub part_granted: u64,
    /// Refused in full under an exemption.
    pub withheld: u64,
    pub not_held: u64,
    pub ncnd: u64,
    pub cost: u64,
    pub vexatious_or_repeated: u64,
    pub no_clarification: u64,
    /// Exemption code -> cases that applied it.
    pub exemptions: BTreeMap<String, u64>,
    pub reviews: u64,
    pub reviews_upheld: u64,
    pub reviews_part: u64,
    pub reviews_overturned: u64,
    pub reviews_open: u64,
}

impl Quarter {
    /// The share answered in time (with permitted extensions), of those
    /// due by now.
    pub fn timeliness(&self) -> Option<f64> {
        let due = self.in_time + self.in_time_extended + self.late;
        (due > 0).then(|| (self.in_time + self.in_time_extended) as f64 / due as f64)
    }
}

/// The whole report.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub quarters: Vec<Quarter>,
    /// Month "2025-03" -> (answered in time, due).
    pub months: BTreeMap<String, (u64, u64)>,
}

type Row = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    Option<String>,
);

fn day(s: &Option<String>) -> Option<NaiveDate> {
    s.as_deref()
        .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
}

/// The figures for cases received from `from` to `to` (inclusive), as on
/// `today`.
pub async fn build(db: &Db, from: NaiveDate, to: NaiveDate, today: NaiveDate) -> Result<Stats> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, kind, received_on, status, outcome, reason, ncnd, statutory_on, due_on, sent_on, extension_days, review_outcome \
         FROM foi_cases WHERE received_on >= $1 AND received_on <= $2 AND kind IN ('request', 'review_timeliness', 'review_compliance')",
    )
    .bind(from.format("%Y-%m-%d").to_string())
    .bind(to.format("%Y-%m-%d").to_string())
    .fetch_all(db.pool())
    .await?;
    let applied: Vec<(String, String)> = sqlx::query_as(
        "SELECT e.case_id, e.code FROM foi_exemptions e JOIN foi_cases c ON c.id = e.case_id \
         WHERE c.received_on >= $1 AND c.received_on <= $2 AND c.kind = 'request' AND c.status = 'closed'",
    )
    .bind(from.format("%Y-%m-%d").to_string())
    .bind(to.format("%Y-%m-%d").to_string())
    .fetch_all(db.pool())
    .await?;
    let mut by_case: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (case, code) in &applied {
        by_case
            .entry(case.as_str())
            .or_default()
            .push(code.as_str());
    }
    let mut quarters: BTreeMap<String, Quarter> = BTreeMap::new();
    let mut months: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for r in &rows {
        let Some(received) = day(&Some(r.2.clone())) else {
            continue;
        };
        let q = quarters
            .entry(quarter(received))
            .or_insert_with(|| Quarter {
                quarter: quarter(received),
                ..Quarter::default()
            });
        let closed = r.3 == "closed";
        if r.1 != "request" {
            q.reviews += 1;
            match (closed, r.11.as_deref()) {
                (false, _) => q.reviews_open += 1,
                (true, Some("upheld")) => q.reviews_upheld += 1,
                (true, Some("upheld_in_part")) => q.reviews_part += 1,
                (true, Some("overturned")) => q.reviews_overturned += 1,
                (true, _) => {}
            }
            continue;
        }
        q.received += 1;
        let (statutory, due, sent) = (day(&r.7), day(&r.8), day(&r.9));
        let outcome = r.4.as_deref().and_then(Outcome::parse);
        let reason = r.5.as_deref().and_then(Reason::parse);
        let month = received.format("%Y-%m").to_string();
        if closed && sent.is_none() {
            q.lapsed += 1;
            continue;
        }
        match (sent, due) {
            (Some(s), Some(d)) => {
                let m = months.entry(month).or_default();
                m.1 += 1;
                if statutory.is_some_and(|st| s <= st) {
                    q.in_time += 1;
                    m.0 += 1;
                } else if s <= d && r.10 > 0 {
                    q.in_time_extended += 1;
                    m.0 += 1;
                } else {
                    q.late += 1;
                }
            }
            (None, Some(d)) if today > d => {
                q.late += 1;
                months.entry(month).or_default().1 += 1;
            }
            _ => q.open += 1,
        }
        if sent.is_none() {
            continue;
        }
        q.answered += 1;
        if r.6 != 0 {
            q.ncnd += 1;
        } else {
            match (reason, outcome) {
                (Some(Reason::Cost), _) => q.cost += 1,
                (Some(Reason::Vexatious | Reason::Repeated), _) => q.vexatious_or_repeated += 1,
                (Some(Reason::NoClarification), _) => q.no_clarification += 1,
                (None, Some(Outcome::Granted)) => q.granted += 1,
                (None, Some(Outcome::PartGranted)) => q.part_granted += 1,
                (None, Some(Outcome::Refused)) => q.withheld += 1,
                (None, Some(Outcome::NotHeld)) => q.not_held += 1,
                (None, None) => q.lapsed += 1,
            }
        }
        for code in by_case.get(r.0.as_str()).into_iter().flatten() {
            *q.exemptions.entry((*code).to_owned()).or_default() += 1;
        }
    }
    Ok(Stats {
        quarters: quarters.into_values().collect(),
        months,
    })
}

impl Stats {
    /// The figures as CSV, one row per quarter.
    pub fn csv(&self) -> String {
        let mut out = String::from(
            "quarter,received,in_time,in_time_with_extension,late,open,lapsed,granted_in_full,granted_in_part,withheld_in_full,not_held,ncnd,s12_cost,s14,s1_3,reviews,reviews_upheld,reviews_upheld_in_part,reviews_overturned",
        );
        for e in exemptions::EXEMPTIONS {
            out.push(',');
            out.push_str(e.code);
        }
        out.push('\n');
        for q in &self.quarters {
            out.push_str(&format!(
                "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                q.quarter,
                q.received,
                q.in_time,
                q.in_time_extended,
                q.late,
                q.open,
                q.lapsed,
                q.granted,
                q.part_granted,
                q.withheld,
                q.not_held,
                q.ncnd,
                q.cost,
                q.vexatious_or_repeated,
                q.no_clarification,
                q.reviews,
                q.reviews_upheld,
                q.reviews_part,
                q.reviews_overturned
            ));
            for e in exemptions::EXEMPTIONS {
                out.push_str(&format!(
                    ",{}",
                    q.exemptions.get(e.code).copied().unwrap_or(0)
                ));
            }
            out.push('\n');
        }
        out
    }

    /// Timeliness by month of receipt, as bars with a 90% line (the
    /// Cabinet Office's expectation), and a text alternative.
    pub fn chart(&self) -> Markup {
        let months: Vec<(&String, &(u64, u64))> = self.months.iter().collect();
        let (w, h, left, bottom) = (640.0_f64, 240.0_f64, 40.0_f64, 30.0_f64);
        let plot_h = h - bottom - 10.0;
        let n = months.len().max(1) as f64;
        let bar = (w - left - 10.0) / n;
        let y = |share: f64| 10.0 + plot_h * (1.0 - share);
        let summary: Vec<String> = months
            .iter()
            .map(|(m, (ok, due))| {
                let pct = if *due > 0 {
                    100.0 * *ok as f64 / *due as f64
                } else {
                    0.0
                };
                format!("{m}: {pct:.0}% of {due}")
            })
            .collect();
        html! {
            figure class="foi-chart" {
                svg xmlns="http://www.w3.org/2000/svg" viewBox={ "0 0 " (w) " " (h) } width="100%" role="img"
                    aria-labelledby="timeliness-title" {
                    title id="timeliness-title" { "Requests answered in time, by month received: " (summary.join("; ")) }
                    @for pct in [0.0, 0.5, 0.9, 1.0] {
                        line x1=(left) x2=(w - 10.0) y1=(y(pct)) y2=(y(pct)) stroke=(if pct == 0.9 { "#d4351c" } else { "#b1b4b6" })
                            stroke-dasharray=(if pct == 0.9 { "4 3" } else { "" }) {}
                        text x=(left - 4.0) y=(y(pct) + 4.0) text-anchor="end" font-size="11" { (format!("{:.0}%", pct * 100.0)) }
                    }
                    @for (i, (m, (ok, due))) in months.iter().enumerate() {
                        @let share = if *due > 0 { *ok as f64 / *due as f64 } else { 0.0 };
                        rect x=(left + i as f64 * bar + 2.0) y=(y(share)) width=((bar - 4.0).max(1.0)) height=(plot_h * share) fill="#1d70b8" {}
                        text x=(left + i as f64 * bar + bar / 2.0) y=(h - 12.0) text-anchor="middle" font-size="10" { (m.get(5..).unwrap_or(m)) }
                    }
                }
                figcaption class="govuk-body-s" { "Share of requests answered within 20 working days or a permitted extension, by month received. The red line is 90%." }
            }
        }
    }
}
