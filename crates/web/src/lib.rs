//! Lifeline's web service: "Visit someone in prison".
//!
//! It also serves the Justice Data Lab (see [`datalab`]): provider
//! organisations submit cohorts, the lab's analysts run, check and issue
//! reports, and individual-level data is encrypted at rest and destroyed on
//! schedule.
//!
//! Families sign up, request a visit to someone in a prison or young
//! offender institution, and follow and cancel their requests; prison staff
//! work through each establishment's queue, accepting a request into one of
//! the sessions the family chose (never beyond a session's places) or
//! rejecting it with a standard reason. Pages are server-rendered with the
//! GOV.UK Design System, whose compiled assets are embedded in the binary.
//!
//! This crate may touch the database (SQLite or PostgreSQL, one code path),
//! the SMTP relay (through its outbox worker) and the working-day calendar.
//! Personal data enters only through its forms and leaves only through the
//! person's own pages, audited staff views and subject access exports; a
//! scheduled job deletes visits seven years after they happen.
//!
//! The entry point is [`App`]: [`App::start`] binds, migrates, seeds and
//! runs the HTTP server and the background jobs until [`Running::shutdown`]
//! or the process is asked to stop.

pub mod accounts;
mod app;
mod assets;
pub mod audit;
pub mod clock;
pub mod config;
pub mod datalab;
pub mod db;
mod error;
pub mod establishments;
mod forms;
pub mod outbox;
mod pages;
mod ratelimit;
pub mod retention;
mod routes;
mod sessions;
pub mod subject_access;
pub mod visits;

pub use app::{App, Running};
pub use config::Config;
pub use db::Db;
pub use error::{Error, Result};

/// Seconds since the Unix epoch: the unit of every stored instant.
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Today in England (the service's dates are local dates; the UK is within
/// an hour of UTC, and the hour around midnight is not worth a time zone
/// database).
pub(crate) fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// A random secret of `bytes` bytes from the operating system's generator,
/// as lowercase hex.
pub(crate) fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::fill(&mut buf[..]);
    hex(&buf)
}

/// A new record key: microseconds since the epoch, then randomness, so
/// that keys sort in the order they were made (histories rely on it when
/// two steps fall in the same second).
pub(crate) fn new_id() -> String {
    let micros = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as u64)
        .unwrap_or(0);
    format!("{micros:014x}{}", random_token(8))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// SHA-256 of a string, as hex: how tokens are stored.
pub(crate) fn sha256_hex(s: &str) -> String {
    use sha2::Digest;
    hex(&sha2::Sha256::digest(s.as_bytes()))
}

/// Compares two secrets in time independent of where they differ.
pub(crate) fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
