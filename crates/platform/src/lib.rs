//! The platform: the shared core every Lifeline system is built on.
//!
//! It holds what more than one system needs and nothing that belongs to
//! one: the database and its ordered migrations ([`db`]), the error type,
//! one movable clock ([`clock`]), record keys and secrets ([`ids`]),
//! accounts and sign-in ([`accounts`], [`ratelimit`]), web sessions
//! ([`sessions`], [`web`]), the append-only audit log ([`audit`]), the email
//! outbox ([`outbox`]), events one system tells the others ([`events`])
//! and the prison registry ([`registry`]).
//!
//! It may touch the database, the SMTP relay and the `ui` crate's page
//! template. It never imports a system: systems implement its traits
//! ([`web::Navigation`]) and the server hands them to it.

pub mod accounts;
pub mod audit;
pub mod clock;
pub mod config;
pub mod contacts;
pub mod db;
mod error;
pub mod events;
pub mod ids;
pub mod jobs;
pub mod outbox;
pub mod ratelimit;
pub mod registry;
pub mod releases;
pub mod rules;
pub mod sessions;
pub mod subject_access;
#[cfg(feature = "testing")]
pub mod testing;
pub mod vault;
pub mod web;
pub mod workflow;

pub use accounts::Actor;
pub use db::Db;
pub use error::{Error, Result};

/// Seconds since the Unix epoch by the system clock: the unit of every
/// stored instant.
pub fn now() -> i64 {
    clock::system_now()
}

/// Today by the system clock (UTC; see [`clock::Clock::today`]).
pub fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}
