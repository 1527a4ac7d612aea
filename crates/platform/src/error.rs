//! The platform's error type, which every system's store shares.

use std::path::PathBuf;

/// Everything that can go wrong in the platform or a system outside a form's own
/// validation (which is reported to the person, not raised).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The configuration file could not be read.
    #[error("cannot read configuration file {path}: {source}")]
    ConfigRead {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The configuration file or an environment variable is malformed.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The database refused or failed.
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    /// A file or socket operation failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// Why it failed.
        source: std::io::Error,
    },
    /// Stored data that should be well formed was not.
    #[error("corrupt stored data: {0}")]
    Corrupt(String),
    /// A state change asked of a record not in a state that allows it
    /// (for example accepting a visit already rejected).
    #[error("{0}")]
    Conflict(String),
    /// No such record, or not one the caller may see.
    #[error("not found")]
    NotFound,
    /// The caller may not do this.
    #[error("forbidden")]
    Forbidden,
    /// Hashing a password failed (a parameter problem, never a wrong
    /// password).
    #[error("password hashing: {0}")]
    Hash(String),
}

impl Error {
    /// An I/O failure with what was being done.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
