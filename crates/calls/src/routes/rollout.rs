//! The national rollout page: how many prisons are at each stage, a chart
//! over time, and the days from equipment delivery to live per prison.

use axum::extract::State;
use maud::html;
use platform::require;
use platform::rules::{Routes, Rule};
use platform::web::{Page, Sess};
use ui::Errors;

use super::SERVICE;
use super::user;
use crate::Calls;
use crate::rollout::{self, Stage};

pub(super) fn routes() -> Routes<Calls> {
    Routes::new().get("/calls/rollout", Rule::Staff, page)
}

async fn page(State(st): State<Calls>, sess: Sess) -> Page {
    require!(user(&sess));
    let all = rollout::all(&st.db).await?;
    let counts = rollout::counts(&all);
    let live = counts
        .iter()
        .find(|(s, _)| *s == Stage::Live)
        .map(|(_, n)| *n)
        .unwrap_or(0);
    let mut timed: Vec<(&rollout::Progress, i64)> = all
        .iter()
        .filter_map(|p| p.days_to_live().map(|d| (p, d)))
        .collect();
    timed.sort_by_key(|(p, d)| (-*d, p.name.clone()));
    let mean = if timed.is_empty() {
        None
    } else {
        Some(timed.iter().map(|(_, d)| *d as f64).sum::<f64>() / timed.len() as f64)
    };
    let c = sess.ctx(&st).in_service(SERVICE, "/calls/rollout");
    Ok(c.page(
        "Video calls rollout",
        &Errors::default(),
        html! {
            h1 class="govuk-heading-l" { "Video calls rollout" }
            p class="govuk-body-l" { (live) " of " (all.len()) " prisons have live video calls." }
            p class="govuk-body" { "Seeded from Annex A of the letter of 23 July 2020, which lists the establishments then operating live calls (its text says 30; the annex names 40). For the others the annex says only that they were being trained, having equipment delivered, holding test calls or addressing local configuration issues, so no stage is recorded for them until a prison records one." }
            table class="govuk-table" {
                caption class="govuk-table__caption govuk-table__caption--m" { "Prisons at each stage" }
                thead class="govuk-table__head" { tr class="govuk-table__row" {
                    th scope="col" class="govuk-table__header" { "Stage" }
                    th scope="col" class="govuk-table__header govuk-table__header--numeric" { "Prisons" }
                } }
                tbody class="govuk-table__body" {
                    @for (s, n) in &counts {
                        tr class="govuk-table__row" {
                            th scope="row" class="govuk-table__header" { (s.label()) }
                            td class="govuk-table__cell govuk-table__cell--numeric" { (n) }
                        }
                    }
                }
            }
            h2 class="govuk-heading-m" { "Over time" }
            (rollout::chart(&all))
            h2 class="govuk-heading-m" { "Days from equipment delivery to live" }
            @match mean {
                None => { p class="govuk-body" { "No prison has both dates recorded yet. The letter gives an average of three weeks." } }
                Some(m) => {
                    p class="govuk-body" { "Average " (format!("{m:.1}")) " days over " (timed.len()) " prisons (the letter: three weeks on average). Slowest first." }
                    table class="govuk-table" {
                        thead class="govuk-table__head" { tr class="govuk-table__row" {
                            th scope="col" class="govuk-table__header" { "Prison" }
                            th scope="col" class="govuk-table__header govuk-table__header--numeric" { "Days" }
                        } }
                        tbody class="govuk-table__body" {
                            @for (p, d) in &timed {
                                tr class="govuk-table__row" {
                                    td class="govuk-table__cell" { (p.name) }
                                    td class="govuk-table__cell govuk-table__cell--numeric" { (d) }
                                }
                            }
                        }
                    }
                }
            }
            h2 class="govuk-heading-m" { "Every prison" }
            table class="govuk-table" {
                thead class="govuk-table__head" { tr class="govuk-table__row" {
                    th scope="col" class="govuk-table__header" { "Prison" }
                    th scope="col" class="govuk-table__header" { "Stage" }
                } }
                tbody class="govuk-table__body" {
                    @for p in &all {
                        tr class="govuk-table__row" {
                            td class="govuk-table__cell" { a class="govuk-link" href={ "/calls/prisons/" (p.establishment_id) } { (p.name) } }
                            td class="govuk-table__cell" {
                                (if p.stage == Stage::Live { ui::tag("govuk-tag--green", p.stage.label()) } else { ui::tag("govuk-tag--grey", p.stage.label()) })
                            }
                        }
                    }
                }
            }
        },
    ))
}
