//! Freedom of Information requests: the statutory clock, exemptions and
//! the public interest test, response letters, internal reviews, appeals
//! to the Information Commissioner, and the public disclosure log.
//!
//! Anyone may ask for information through the public form; the central
//! FOI team logs requests that arrive by email or post too. Each case
//! counts against the Act's 20 working days ([`clock`], on the calendar
//! crate's any-part-of-the-UK holidays), is assigned to a business unit
//! whose responder drafts the answer, and follows one of three declared
//! clearance tables ([`workflow`]). The decision ([`cases::Decision`])
//! records the outcome, the exemptions ([`exemptions`]) with the public
//! interest test for each qualified one, and a section 12 estimate; the
//! letter ([`letter`]) is drawn from it as HTML, PDF and email, and a
//! refusal notice cannot go without every part s.17 requires. Released
//! PDFs are redacted by the `redact` engine, which rewrites the whole file
//! and proves the redacted words are gone. Figures another system
//! releases (the incidents system's FOI extract, a Data Lab figure) are
//! attached as files it has already passed through its own disclosure
//! control.
//!
//! This room may touch the platform (database, accounts, sessions, audit,
//! outbox, jobs, workflow engine), the `ui` crate, and the `calendar`,
//! `redact` and `datalab` (PDF printing) engines; nothing of any other
//! system. The requester's name and addresses are seen only by the FOI
//! team, the disclosure team and the case's responder, each view is
//! audited, and [`retention`] empties them three years after a case
//! closes, leaving the anonymised case for the statistics and the log.

pub mod attachments;
pub mod cases;
pub mod clock;
pub mod exemptions;
pub mod generate;
pub mod letter;
pub mod retention;
mod routes;
pub mod stats;
pub mod subject_access;
pub mod units;
pub mod workflow;

use platform::sessions::SessionUser;
use platform::web::{Navigation, Platform};
use serde::{Deserialize, Serialize};

pub use redact::redact;
pub use routes::router;

/// The platform's migrations for this system's tables.
pub const MIGRATIONS: &[platform::db::Migration] = &[platform::db::Migration {
    name: "foi/0001",
    sql: include_str!("../migrations/0001_foi.sql"),
    sqlite: &[],
    postgres: &[],
}];

/// The FOI system's settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The authority answering ("Ministry of Justice").
    pub organisation: String,
    /// The team that signs letters ("Disclosure Team").
    pub team: String,
    /// The team's postal address, one line each.
    pub address: Vec<String>,
    /// Where requesters write to.
    pub email: String,
    /// The appropriate limit for s.12 in pounds: 600 for central
    /// government, 450 for other authorities.
    pub cost_limit_pounds: i64,
    /// Working day by which a draft is due (10).
    pub draft_days: u32,
    /// Working day on which an unaccepted case is escalated (3).
    pub escalation_days: u32,
    /// Years after closure that a requester's details are kept (3).
    pub retention_years: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            organisation: "Ministry of Justice".into(),
            team: "Disclosure Team".into(),
            address: vec![
                "102 Petty France".into(),
                "London".into(),
                "SW1H 9AJ".into(),
            ],
            email: "data.access@justice.gov.uk".into(),
            cost_limit_pounds: 600,
            draft_days: 10,
            escalation_days: 3,
            retention_years: 3,
        }
    }
}

impl Config {
    pub fn internal(&self) -> cases::Internal {
        cases::Internal {
            draft_days: self.draft_days,
            escalation_days: self.escalation_days,
        }
    }

    pub fn sender(&self) -> letter::Sender {
        letter::Sender {
            organisation: self.organisation.clone(),
            team: self.team.clone(),
            address: self.address.clone(),
            email: self.email.clone(),
            cost_limit_pence: self.cost_limit_pounds * 100,
        }
    }
}

/// The system's state: the platform and its settings.
#[derive(Clone)]
pub struct Foi {
    platform: Platform,
    config: Config,
}

impl std::ops::Deref for Foi {
    type Target = Platform;
    fn deref(&self) -> &Platform {
        &self.platform
    }
}

impl Foi {
    pub fn new(platform: Platform, config: Config) -> Foi {
        Foi { platform, config }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }
}

/// Stores the business units on first run.
pub async fn seed(db: &platform::Db) -> platform::Result<()> {
    units::seed(db).await
}

/// The system's scheduled work: retention, and requests whose fee went
/// unpaid for three months.
pub fn jobs(foi: &Foi, every: std::time::Duration) -> Vec<platform::jobs::Job> {
    let f = foi.clone();
    let retention = platform::jobs::Job::new("foi.retention", every, true, move || {
        let f = f.clone();
        async move { retention::run(&f.db, f.clock.now(), f.config.retention_years).await }
    });
    vec![retention]
}

/// The service's name, menus and privacy notice.
pub struct Menu;

impl Navigation for Menu {
    fn privacy(&self) -> Option<maud::Markup> {
        Some(maud::html! {
            h2 class="govuk-heading-m" id="foi-requests" { "Freedom of Information requests" }
            p class="govuk-body" { "If you ask for information, we keep your name, how to reply to you (an email or postal address) and your request, to answer it and to handle any review or complaint." }
            ul class="govuk-list govuk-list--bullet" {
                li { "Only the FOI team, the disclosure team and the person answering your request can see your details, and every time someone looks at them it is recorded." }
                li { "Your name and addresses are deleted 3 years after your request is closed. The request itself and our answer are kept without them, for statistics and, if published, in the disclosure log." }
                li { "Responses published in the disclosure log never include your name or address." }
            }
        })
    }

    fn service(&self) -> &'static str {
        "Freedom of Information"
    }

    fn home(&self, user: &SessionUser) -> Option<&'static str> {
        user.is_foi_staff().then_some("/foi")
    }

    fn links(&self, user: &SessionUser) -> Vec<(String, String)> {
        let mut links = Vec::new();
        if user.is_foi_staff() {
            links.push(("/foi".into(), "FOI cases".into()));
        }
        if user.is_foi_manager() {
            links.push(("/foi/statistics".into(), "FOI statistics".into()));
        }
        links
    }
}
