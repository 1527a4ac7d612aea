//! Secure video calls, part 1: everything up to the moment a call starts.
//!
//! Family members create a caller profile on their platform account and
//! prove who they are with a photo of a government photo ID and a selfie:
//! the [`face`] engine finds one face in each and compares them, and an
//! identity verifier confirms the details typed against the document (a
//! failed automatic check goes to the same queue, never a silent refusal).
//! A verified caller asks to be approved for a prisoner; the prison's staff
//! put them on the platform's approved contacts list. Each prison has its
//! own booking portal (its call times, call length, laptops, booking window,
//! notice, closed dates, and whether the family books or the prisoner asks),
//! live only once its rollout reaches that stage. Calls are booked within
//! the prisoner's monthly allowance; the database's conditional updates make
//! a full slot or a spent allowance impossible to overrun, however many
//! bookings race for them.
//!
//! This room may touch the platform (database, accounts, sessions, audit,
//! outbox, jobs, registry, approved contacts, vault), the `ui` crate, the
//! working-day calendar and the `face` engine, and nothing of any other
//! system. Identity documents are sealed at rest, seen only by verifiers
//! (every view audited) and destroyed a set number of days after the
//! decision, keeping the face descriptor, the decision and who made it;
//! [`retention`] deletes the rest on schedule.

pub mod booking;
pub mod callers;
pub mod face_check;
pub mod live;
pub mod portal;
pub mod retention;
pub mod rollout;
mod routes;
pub mod subject_access;
pub mod workflow;

use std::path::Path;
use std::sync::{Arc, OnceLock};

use platform::sessions::SessionUser;
use platform::vault::Key;
use platform::web::{Navigation, Platform};
use serde::{Deserialize, Serialize};

pub use routes::router;

/// The platform's migrations for this system's tables.
pub const MIGRATIONS: &[platform::db::Migration] = &[
    platform::db::Migration {
        name: "calls/0001",
        sql: include_str!("../migrations/0001_calls.sql"),
        sqlite: &[],
        postgres: &[],
    },
    platform::db::Migration {
        name: "calls/0002",
        sql: include_str!("../migrations/0002_live.sql"),
        sqlite: &[],
        postgres: &[],
    },
    platform::db::Migration {
        name: "calls/0003",
        sql: include_str!("../migrations/0003_face_check.sql"),
        sqlite: &[],
        postgres: &[],
    },
];

/// The video calls system's settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The master key that wraps each caller's document key: 64 hex
    /// digits. Unset, one is generated on first run in
    /// `data_dir/calls/master.key`. Every instance must share it.
    pub master_key: Option<String>,
    /// Days after the identity decision when the ID photo and selfie are
    /// destroyed (30).
    pub documents_days: u32,
    /// The largest photo accepted, in bytes (10 MiB).
    pub max_upload_bytes: usize,
    /// Days after a call's date when it is deleted with its history (730).
    pub call_retention_days: u32,
    /// Days a caller profile is kept after its last call, approval or
    /// change, when it has no booked call and no approval (730).
    pub caller_retention_days: u32,
    /// Minutes before a call's slot when its room opens (10).
    pub room_opens_minutes: u32,
    /// Seconds between face checks of a live call's caller video (3); 0
    /// switches the check off.
    pub face_check_seconds: u32,
    /// Checks in a row that must find an unapproved face before the call
    /// pauses (2).
    pub face_check_strikes: u32,
    /// Pictures analysed at once across every live call (0: one per core).
    pub face_check_workers: usize,
    /// TURN relays offered to the call pages, for families behind NATs or
    /// firewalls that block the media server's UDP port
    /// ("turn:turn.example.org:3478", "turns:turn.example.org:5349").
    pub turn_urls: Vec<String>,
    /// The relays' shared secret (coturn's `static-auth-secret` with
    /// `use-auth-secret`): each page gets a username and password of its
    /// own, valid until an hour after the call's end.
    pub turn_secret: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            master_key: None,
            documents_days: 30,
            max_upload_bytes: 10 * 1024 * 1024,
            call_retention_days: 730,
            caller_retention_days: 730,
            room_opens_minutes: 10,
            face_check_seconds: 3,
            face_check_strikes: 2,
            face_check_workers: 0,
            turn_urls: Vec::new(),
            turn_secret: None,
        }
    }
}

/// The system's state: the platform, its settings, the master key and the
/// face engine (loaded on first use: its weights take a moment to read).
#[derive(Clone)]
pub struct Calls(Arc<Inner>);

#[doc(hidden)]
pub struct Inner {
    platform: Platform,
    config: Config,
    master: Key,
    engine: OnceLock<std::result::Result<Arc<face::Engine>, String>>,
    relay: OnceLock<(Arc<dyn live::Relay>, String)>,
    /// What this node's media server was last told of each room.
    applied: std::sync::Mutex<std::collections::HashMap<String, String>>,
    /// Calls whose face check runs in this process.
    watching: std::sync::Mutex<std::collections::HashSet<String>>,
    checks: Arc<tokio::sync::Semaphore>,
}

impl std::ops::Deref for Calls {
    type Target = Platform;
    fn deref(&self) -> &Platform {
        &self.0.platform
    }
}

impl Calls {
    /// The system on the platform, its master key read or made under
    /// `data_dir`.
    pub fn new(platform: Platform, config: Config, data_dir: &Path) -> platform::Result<Calls> {
        let master = platform::vault::master_key(
            &data_dir.join("calls").join("master.key"),
            config.master_key.as_deref(),
        )?;
        Ok(Calls(Arc::new(Inner {
            platform,
            master,
            engine: OnceLock::new(),
            relay: OnceLock::new(),
            applied: Default::default(),
            watching: Default::default(),
            checks: face_check::pool(config.face_check_workers),
            config,
        })))
    }

    /// The settings.
    pub fn config(&self) -> &Config {
        &self.0.config
    }

    pub(crate) fn master(&self) -> &Key {
        &self.0.master
    }

    /// Gives the system the media server its live calls go through (the
    /// server starts it) and the name of its node, unique among the
    /// instances on one database. Without one, live calls cannot start.
    pub fn set_relay(&self, relay: Arc<dyn live::Relay>, node: &str) {
        let _ = self.0.relay.set((relay, node.to_owned()));
    }

    pub(crate) fn relay(&self) -> Option<&Arc<dyn live::Relay>> {
        self.0.relay.get().map(|(r, _)| r)
    }

    /// This instance's media server node.
    pub(crate) fn node(&self) -> &str {
        self.0.relay.get().map_or("", |(_, n)| n.as_str())
    }

    /// The face engine, loaded on first use.
    pub(crate) fn engine(&self) -> platform::Result<Arc<face::Engine>> {
        self.0
            .engine
            .get_or_init(|| face::Engine::new().map(Arc::new).map_err(|e| e.to_string()))
            .clone()
            .map_err(|e| platform::Error::Config(format!("the face engine cannot start: {e}")))
    }
}

/// Seeds each establishment's portal settings and the rollout from the
/// 2020 letter's annex, on first run.
pub async fn seed(db: &platform::Db) -> platform::Result<()> {
    portal::seed(db).await?;
    rollout::seed(db).await?;
    Ok(())
}

/// The system's scheduled work: retention and the documents' destruction,
/// the day-before reminders, rooms ended at the booked time, and this
/// node's heartbeat and its media server kept in step with the rooms.
pub fn jobs(calls: &Calls, every: std::time::Duration) -> Vec<platform::jobs::Job> {
    let c = calls.clone();
    let retention = platform::jobs::Job::new("calls.retention", every, true, move || {
        let c = c.clone();
        async move { retention::run(&c.db, c.config(), c.clock.today()).await }
    });
    let c = calls.clone();
    let reminders = platform::jobs::Job::new("calls.reminders", every, true, move || {
        let c = c.clone();
        async move {
            let n = booking::remind(&c.db, c.clock.today()).await?;
            if n > 0 {
                c.mail_waiting();
            }
            Ok(n)
        }
    });
    let c = calls.clone();
    // Often, so that a room outlives its slot by half a minute at most.
    let rooms = platform::jobs::Job::new(
        "calls.rooms",
        std::time::Duration::from_secs(30),
        false,
        move || {
            let c = c.clone();
            async move {
                let Some(relay) = c.relay() else {
                    return Ok(0);
                };
                let at = chrono::DateTime::from_timestamp(c.clock.now(), 0)
                    .map(|d| d.naive_utc())
                    .unwrap_or_default();
                live::close_due(&c.db, relay.as_ref(), c.config().room_opens_minutes, at).await
            }
        },
    );
    let c = calls.clone();
    // On every instance: its own media server follows the rooms it holds.
    let node = platform::jobs::Job::new(
        "calls.node",
        std::time::Duration::from_secs(1),
        false,
        move || {
            let c = c.clone();
            async move {
                let Some((relay, node)) = c.0.relay.get() else {
                    return Ok(0);
                };
                live::tick_node(&c.db, relay.as_ref(), node, &c.0.applied).await
            }
        },
    );
    vec![retention, reminders, rooms, node]
}

/// The service's name, menus and privacy notice.
pub struct Menu {
    config: Config,
}

impl Menu {
    /// The menus, and a privacy notice stating `config`'s periods.
    pub fn new(config: &Config) -> Menu {
        Menu {
            config: config.clone(),
        }
    }
}

impl Navigation for Menu {
    fn privacy(&self) -> Option<maud::Markup> {
        let c = &self.config;
        Some(maud::html! {
            h2 class="govuk-heading-m" id="video-calls" { "Video calls" }
            p class="govuk-body" { "To have video calls with someone in prison you give us:" }
            ul class="govuk-list govuk-list--bullet" {
                li { "your name, date of birth, address and phone number" }
                li { "a photo of your government photo ID and a photo of your face, to prove who you are" }
                li { "the name and prison number of the person you want to call, and your relationship to them" }
                li { "the calls you book, and who else is on them" }
            }
            p class="govuk-body" { "A computer compares the face on your ID with your photo, and a member of staff checks your name and date of birth against your ID. If the computer cannot match them, a member of staff looks at them: you are never refused by the computer alone." }
            ul class="govuk-list govuk-list--bullet" {
                li { "Your ID photo and your face photo are encrypted with a key of their own. Only identity verifiers can see them, and every time one does it is recorded. They are deleted " (c.documents_days) " days after the check." }
                li { "We keep a record of your face's features (a list of numbers, not a picture) so that calls can check that the people on them are approved. It is deleted with your profile." }
                li { "The prison you are approved for sees your name, date of birth, address, phone number, relationship and calls. Other prisons do not." }
                li { "Calls are deleted " (c.call_retention_days) " days after the date of the call. Your profile is deleted " (c.caller_retention_days) " days after its last change once you have no calls and no approvals left." }
            }
        })
    }

    fn service(&self) -> &'static str {
        "Video calls"
    }

    fn home(&self, user: &SessionUser) -> Option<&'static str> {
        if user.is_verifier() {
            Some("/calls/verification")
        } else if user.is_calls_staff() && !user.is_national_admin() {
            Some("/calls/staff")
        } else {
            None
        }
    }

    fn links(&self, user: &SessionUser) -> Vec<(String, String)> {
        let mut links = Vec::new();
        if user.kind == platform::accounts::Kind::Visitor {
            links.push(("/calls".into(), "Video calls".into()));
        }
        if user.is_calls_staff() {
            links.push(("/calls/staff".into(), "Video calls".into()));
        }
        if user.is_verifier() {
            links.push(("/calls/verification".into(), "Identity checks".into()));
        }
        if user.is_staff() {
            links.push(("/calls/rollout".into(), "Video calls rollout".into()));
        }
        links
    }
}
