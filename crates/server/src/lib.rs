//! The server: every Lifeline system composed on the platform and served
//! over HTTP.
//!
//! [`App::start`] connects to the database (SQLite by default, PostgreSQL
//! when configured), applies the platform's migrations and then each
//! system's, seeds the prison registry and the first administrator, binds
//! the listener, and runs every system's pages and background jobs until
//! [`Running::shutdown`] or the process is asked to stop.
//!
//! This room may touch every crate: it is where the systems meet. It holds
//! only wiring, the settings file, the pages that belong to no one system
//! (start, privacy, sign-in and accounts, the administrator's pages) and
//! the tests of the assembled service.

mod app;
pub mod config;
mod routes;

pub use app::{App, Running, open_database};
pub use config::Config;
pub use platform::{Db, Error, Result, accounts, audit, outbox};

/// The rooms as the server composes them (tests and tools reach them
/// here).
pub use {foi, incidents, lab as datalab, visits};
