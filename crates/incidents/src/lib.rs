//! Security incidents: reporting, review and investigation, and
//! statistics safe to publish.
//!
//! Prison staff report incidents (finds of phones and SIM cards, drone
//! sightings, breaches of security, assaults, self-harm, and prisoners'
//! misuse of social media, a type HMPPS's own service lacks); each type's
//! questions are data ([`types`]), versioned and never deleted. Reports
//! move through one declared table ([`workflow`]) on the platform's
//! engine: reporting officers submit, recall and resubmit; the
//! establishment's security team review, send back, hold, close, mark
//! duplicates and investigate ([`investigation`]). The video-call system's
//! security concerns arrive as platform events and become drafts
//! ([`raised`]). The statistics and the FOI extract ([`stats`], [`foi`])
//! pass through the Data Lab's disclosure control before anything leaves.
//!
//! This room may touch the platform (database, accounts, sessions, audit,
//! events, jobs, registry, prisoners), the `ui` crate and the `datalab`
//! engine's table protection, and nothing of any other system. Records
//! about named people are seen only by their establishment's security
//! team, national security and the officer who wrote them; every view is
//! audited; [`retention`] deletes a finished report on its type's
//! schedule (6 years after closure by default), with an audit line.

pub mod foi;
pub mod generate;
pub mod investigation;
pub mod raised;
pub mod report;
pub mod retention;
mod routes;
pub mod stats;
pub mod subject_access;
pub mod types;
pub mod workflow;

use platform::sessions::SessionUser;
use platform::web::{Navigation, Platform};
use serde::{Deserialize, Serialize};

pub use routes::router;

/// The platform's migrations for this system's tables.
pub const MIGRATIONS: &[platform::db::Migration] = &[platform::db::Migration {
    name: "incidents/0001",
    sql: include_str!("../migrations/0001_incidents.sql"),
    sqlite: &[],
    postgres: &[],
}];

/// The incidents system's settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Counts below this are suppressed in anything published (5).
    pub min_count: u64,
    /// Seconds between looks for other systems' security concerns (5).
    pub raise_every_seconds: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            min_count: 5,
            raise_every_seconds: 5,
        }
    }
}

/// The system's state: the platform and its settings.
#[derive(Clone)]
pub struct Incidents {
    platform: Platform,
    config: Config,
}

impl std::ops::Deref for Incidents {
    type Target = Platform;
    fn deref(&self) -> &Platform {
        &self.platform
    }
}

impl Incidents {
    pub fn new(platform: Platform, config: Config) -> Incidents {
        Incidents { platform, config }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }
}

/// Stores the shipped incident types on first run.
pub async fn seed(db: &platform::Db) -> platform::Result<()> {
    types::seed(db).await?;
    Ok(())
}

/// The system's scheduled work: drafts from other systems' concerns, and
/// retention.
pub fn jobs(incidents: &Incidents, every: std::time::Duration) -> Vec<platform::jobs::Job> {
    let i = incidents.clone();
    let raised = platform::jobs::Job::new(
        "incidents.raised",
        std::time::Duration::from_secs(incidents.config.raise_every_seconds.max(1)),
        false,
        move || {
            let i = i.clone();
            async move { raised::run(&i.db).await }
        },
    );
    let i = incidents.clone();
    let retention = platform::jobs::Job::new("incidents.retention", every, true, move || {
        let i = i.clone();
        async move { retention::run(&i.db, i.clock.now()).await }
    });
    vec![raised, retention]
}

/// The service's name, menus and privacy notice.
pub struct Menu;

impl Navigation for Menu {
    fn privacy(&self) -> Option<maud::Markup> {
        Some(maud::html! {
            h2 class="govuk-heading-m" id="security-incidents" { "Security incidents" }
            p class="govuk-body" { "Prison staff record security incidents. A report may name prisoners (by prison number), staff and other people involved, and says what happened." }
            ul class="govuk-list govuk-list--bullet" {
                li { "Only the prison's security team, headquarters security staff and the officer who wrote a report can see it. Every time someone opens a report it is recorded." }
                li { "A report is deleted 6 years after it is closed (or the period its type sets), and the deletion is recorded." }
                li { "Published statistics are counts only: small counts, and anything that would let someone work them out, are hidden." }
                li { "If you ask for the information we hold about you, reports that name you are included, with other people's details removed." }
            }
        })
    }

    fn service(&self) -> &'static str {
        "Security incidents"
    }

    fn home(&self, user: &SessionUser) -> Option<&'static str> {
        user.is_incidents_staff().then_some("/incidents")
    }

    fn links(&self, user: &SessionUser) -> Vec<(String, String)> {
        let mut links = Vec::new();
        if user.is_incidents_staff() {
            links.push(("/incidents".into(), "Incidents".into()));
        }
        if user.is_security() {
            links.push(("/incidents/statistics".into(), "Incident statistics".into()));
        }
        links
    }
}
