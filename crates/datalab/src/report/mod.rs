//! The standard report a provider receives: what the lab found, in words a
//! non-statistician can act on, with the evidence behind it.
//!
//! [`Report::build`] gathers everything that may leave the lab into one
//! aggregate value; [`html`] draws it as a self-contained page (GOV.UK
//! typography, SVG charts, no scripts, nothing fetched), and [`pdf`] prints
//! that same page to PDF with the machine's headless Chromium, so the two
//! can never disagree. The JSON a provider downloads is [`Report`]
//! serialised.
//!
//! A [`Report`] is built only from [`disclosure::Released`] figures and
//! from other aggregates (balance as standardised differences, the model's
//! settings), so it has no field that could carry a person.

mod html;
mod pdf;

use serde::Serialize;

use crate::analysis::{self, Results};
use crate::cohort::Kind;
use crate::disclosure::{self, Count, Released, ReleasedMeasure, Status};
use crate::intake::Request;
use crate::link::lab::Tally;
use crate::matching::balance::Flag;
use crate::matching::nearest::Method;
use crate::stats::Measure;

pub use html::html;
pub use pdf::{PdfError, pdf};

/// Everything the lab tells a provider about one request.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The lab's reference for the request.
    pub request_id: String,
    /// Who asked, and about what.
    pub organisation: String,
    /// The intervention, in the provider's words.
    pub intervention: String,
    /// When the report was produced.
    pub produced: chrono::NaiveDate,
    /// Index dates the comparison is over.
    pub period: (chrono::NaiveDate, chrono::NaiveDate),
    /// The software that produced it.
    pub software: String,
    /// Each measure as released, in the lab's order.
    pub measures: Vec<ReleasedMeasure>,
    /// The attrition chevron: how many people reached each stage, and why
    /// the others did not.
    pub stages: Vec<Stage>,
    /// How alike the two groups were after matching.
    pub balance: Balance,
    /// How the analysis was done.
    pub method: MethodNote,
    /// What the results do and do not show, for this request.
    pub conclusions: Vec<String>,
    /// Limitations to bear in mind, for this request and for every one.
    pub caveats: Vec<String>,
}

/// One stage of the chevron.
#[derive(Debug, Clone, Serialize)]
pub struct Stage {
    /// The stage, such as "Matched to a comparison person".
    pub label: String,
    /// People at this stage.
    pub people: Count,
    /// People who did not reach the next stage, by reason.
    pub lost: Vec<(String, Count)>,
}

/// Matching quality, as aggregates only.
#[derive(Debug, Clone, Serialize)]
pub struct Balance {
    /// Each design column.
    pub rows: Vec<BalanceRow>,
    /// Columns flagged green, amber and red after matching.
    pub tally: [usize; 3],
}

/// One design column's balance.
#[derive(Debug, Clone, Serialize)]
pub struct BalanceRow {
    /// The column.
    pub covariate: String,
    /// Standardised mean difference before matching (2 places).
    pub smd_before: String,
    /// The same after matching.
    pub smd_after: String,
    /// Variance ratio after matching (2 places).
    pub variance_ratio_after: String,
    /// The traffic light.
    pub flag: Flag,
}

/// The technical annex's facts.
#[derive(Debug, Clone, Serialize)]
pub struct MethodNote {
    /// How comparison people were chosen, in a sentence.
    pub matching: String,
    /// Design columns in the propensity model (after any were dropped).
    pub covariates: usize,
    /// Whether the propensity model converged, and in how many iterations.
    pub model: String,
    /// Warnings from the model an analyst looked at.
    pub warnings: Vec<String>,
    /// Confidence level of every interval, such as 0.95.
    pub confidence: f64,
    /// The disclosure thresholds applied.
    pub disclosure: disclosure::Settings,
    /// How cohort rows were linked to the records, in a sentence.
    pub linkage: String,
    /// What counted as an index event, in a sentence.
    pub index_events: String,
}

/// What [`Report::build`] needs beyond the analysis.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The lab's reference for the request.
    pub request_id: &'a str,
    /// The provider's request.
    pub request: &'a Request,
    /// Rows in the provider's file.
    pub rows_read: u64,
    /// Rows that passed intake's checks.
    pub rows_usable: u64,
    /// Cohort rows by linkage status.
    pub linkage: Tally,
    /// Matched rows as a share of all rows.
    pub match_rate: f64,
    /// The match probability linkage accepted.
    pub link_threshold: f64,
    /// When the report is produced.
    pub produced: chrono::NaiveDate,
}

impl Report {
    /// The report for `results`, released under `rules`.
    pub fn build(
        cx: Context<'_>,
        results: &Results,
        released: Released,
        analysis: &analysis::Settings,
        rules: &disclosure::Settings,
    ) -> Report {
        let stages = stages(&cx, results, &released, rules);
        let balance = balance(results);
        let method = method(&cx, results, analysis, rules);
        let conclusions = conclusions(&released.measures);
        let caveats = caveats(results, &released, &balance);
        Report {
            request_id: cx.request_id.to_string(),
            organisation: cx.request.organisation.clone(),
            intervention: cx.request.intervention.clone(),
            produced: cx.produced,
            period: results.period,
            software: format!("Lifeline {}", env!("CARGO_PKG_VERSION")),
            measures: released.measures,
            stages,
            balance,
            method,
            conclusions,
            caveats,
        }
    }

    /// The report as pretty JSON.
    pub fn to_json(&self) -> String {
        // Every field is plain data, so serialising cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The released figures of one measure, if shown.
    pub fn figures(&self, measure: Measure) -> Option<&disclosure::Figures> {
        shown(&self.measures, measure)
    }
}

fn shown(measures: &[ReleasedMeasure], measure: Measure) -> Option<&disclosure::Figures> {
    measures
        .iter()
        .find(|m| m.measure == measure)
        .and_then(|m| match &m.status {
            Status::Shown(f) => Some(f.as_ref()),
            Status::Suppressed(_) => None,
        })
}

fn stages(
    cx: &Context<'_>,
    results: &Results,
    released: &Released,
    rules: &disclosure::Settings,
) -> Vec<Stage> {
    let c = |n: u64| Count::new(n, rules.min_cell);
    // Reasons nobody left for are not listed; the rest are protected
    // together, since they add up to a difference the reader can see.
    let lost = |parts: Vec<(&str, u64)>| -> Vec<(String, Count)> {
        let parts = parts
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(why, n)| (why.to_string(), n))
            .collect();
        disclosure::protect_parts(parts, rules.min_cell)
            .into_iter()
            .collect()
    };
    let t = &cx.linkage;
    let f = &released.flow;
    let analysed =
        shown(&released.measures, Measure::Reoffending).map_or(f.matched, |fig| fig.treated_people);
    vec![
        Stage {
            label: "Submitted".into(),
            people: c(cx.rows_read),
            lost: lost(vec![(
                "Details incomplete or invalid",
                cx.rows_read - cx.rows_usable,
            )]),
        },
        Stage {
            label: "Checked and sent for linking".into(),
            people: c(cx.rows_usable),
            lost: lost(vec![
                ("Not found in the national records", t.not_found),
                ("A possible match too uncertain to use", t.suspect_discarded),
                ("The same person listed more than once", t.duplicate),
            ]),
        },
        Stage {
            label: "Linked to a criminal record".into(),
            people: f.linked,
            lost: f.reasons.clone().into_iter().collect(),
        },
        Stage {
            label: "With an index event that can be followed for a year".into(),
            people: f.with_index,
            lost: lost(vec![
                (
                    "No comparison person similar enough (outside the caliper)",
                    results.flow.unmatched,
                ),
                (
                    "Unlike anyone in the comparison pool (outside common support)",
                    results.flow.outside_support,
                ),
            ]),
        },
        Stage {
            label: "Matched to a comparison person".into(),
            people: f.matched,
            lost: Vec::new(),
        },
        Stage {
            label: "Analysed".into(),
            people: analysed,
            lost: Vec::new(),
        },
    ]
}

fn balance(results: &Results) -> Balance {
    Balance {
        rows: results
            .balance
            .iter()
            .map(|r| BalanceRow {
                covariate: r.covariate.clone(),
                smd_before: disclosure::two_places(r.smd_before),
                smd_after: disclosure::two_places(r.smd_after),
                variance_ratio_after: disclosure::two_places(r.variance_ratio_after),
                flag: r.flag,
            })
            .collect(),
        tally: Flag::tally(&results.balance),
    }
}

fn method(
    cx: &Context<'_>,
    results: &Results,
    analysis: &analysis::Settings,
    rules: &disclosure::Settings,
) -> MethodNote {
    let m = &analysis.matching;
    let how = match m.method {
        Method::Nearest { ratio, replace } => format!(
            "Each person in the treatment group was matched to {} nearest comparison {} by propensity score, {} replacement",
            ratio,
            if ratio == 1 { "person" } else { "people" },
            if replace { "with" } else { "without" }
        ),
        Method::Radius => {
            "Each person in the treatment group was matched to every comparison person within the caliper".to_string()
        }
    };
    let caliper = match (m.caliper, results.caliper_logit) {
        (Some(sd), Some(logit)) => format!(
            ", within a caliper of {sd} standard deviations of the logit of the score ({logit:.3} on that scale)"
        ),
        _ => ", with no caliper".to_string(),
    };
    let fit = &results.model;
    MethodNote {
        matching: format!("{how}{caliper}."),
        covariates: fit
            .coefficients
            .iter()
            .skip(1)
            .filter(|c| c.is_finite())
            .count(),
        model: format!(
            "Logistic regression {} in {} iterations",
            if fit.converged {
                "converged"
            } else {
                "did not converge"
            },
            fit.iterations
        ),
        warnings: fit.warnings.clone(),
        confidence: analysis::CONFIDENCE,
        disclosure: rules.clone(),
        index_events: index_events(&results.kinds),
        linkage: format!(
            "Probabilistic record linkage (Fellegi-Sunter) on names, date of birth, sex, postcode and identifiers, accepting a match at probability {} or above; {:.1}% of submitted rows were matched.",
            cx.link_threshold,
            100.0 * cx.match_rate
        ),
    }
}

/// The index-event rule as it applied to this cohort: only the kinds of
/// event its own people started from count, for them and the pool alike.
fn index_events(kinds: &[Kind]) -> String {
    let names: Vec<&str> = kinds.iter().map(|k| k.name()).collect();
    let list = match names.as_slice() {
        [] => "event".to_string(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    };
    format!(
        "The first {list} after the intervention started: the kinds of event from which at least {:.0}% of the treatment group's follow-up started. Follow-up runs one year from it, with six further months for offences to be proven.",
        100.0 * crate::cohort::MIN_KIND_SHARE
    )
}

fn conclusions(measures: &[ReleasedMeasure]) -> Vec<String> {
    let mut out = Vec::new();
    for m in measures {
        if let Status::Shown(f) = &m.status {
            out.push(f.headline.interval.clone());
        }
    }
    out.push(match shown(measures, Measure::Reoffending) {
        Some(f) if f.significant => {
            "The difference in one-year proven reoffending is statistically significant: it is unlikely to be due to chance alone, but it shows what happened to this cohort, not that the intervention caused it.".to_string()
        }
        Some(_) => {
            "The difference in one-year proven reoffending is not statistically significant. This does not mean the intervention has no effect: the cohort may be too small to show one.".to_string()
        }
        None => "One-year proven reoffending cannot be reported for this cohort.".to_string(),
    });
    out
}

fn caveats(results: &Results, released: &Released, balance: &Balance) -> Vec<String> {
    let mut out = vec![
        "Matching makes the comparison group like the treatment group only in what the records hold (offending history, sentences, employment, benefits, age, sex and area). Motivation, family support and anything else that made people take part cannot be matched, so some difference may remain.".to_string(),
        "Proven reoffending counts offences committed within a year and proven by a court caution or conviction within six months after that year. Offences not detected or not proven are not counted.".to_string(),
        "The results describe the people in this cohort who could be matched. They may not hold for people who differ from them or for a changed version of the intervention.".to_string(),
    ];
    let [_, amber, red] = balance.tally;
    if red > 0 {
        out.push(format!(
            "{red} of {} characteristics remain poorly balanced after matching (red in the balance table): treat the results with caution.",
            balance.rows.len()
        ));
    } else if amber > 0 {
        out.push(format!(
            "{amber} of {} characteristics are only moderately balanced after matching (amber in the balance table).",
            balance.rows.len()
        ));
    }
    let lost = results.flow.unmatched + results.flow.outside_support;
    if results.flow.cohort.with_index > 0 && lost * 10 > results.flow.cohort.with_index {
        out.push("More than a tenth of the people with an index event could not be matched, so the matched group may differ from the cohort as a whole.".to_string());
    }
    if !results.model.converged || !results.model.warnings.is_empty() {
        out.push("The propensity model reported warnings (see the technical annex); the analyst has checked them before issuing.".to_string());
    }
    if released
        .measures
        .iter()
        .any(|m| matches!(m.status, Status::Suppressed(_)))
    {
        out.push("Some results are not shown, to protect the people in the cohort; the reason is given with each.".to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_event_rule_names_the_cohorts_own_kinds() {
        let orders = index_events(&[Kind::CommunityOrder]);
        assert!(
            orders.starts_with("The first community order after"),
            "{orders}"
        );
        assert!(!orders.contains("release") && !orders.contains("caution"));
        assert!(orders.contains("at least 5%"), "{orders}");
        let three = index_events(&[Kind::Release, Kind::CommunityOrder, Kind::SuspendedSentence]);
        assert!(
            three.starts_with(
                "The first release from custody, community order or suspended sentence after"
            ),
            "{three}"
        );
    }
}
