//! The platform's settings: outgoing mail, the first administrator, and
//! what the shared web layer needs. The server reads the whole file and
//! hands each room its part.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// What the platform needs at run time.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where local files are kept.
    pub data_dir: PathBuf,
    /// The address people reach the service at; links in emails start
    /// with it.
    pub public_url: String,
    /// Development conveniences (the outbox page, for national
    /// administrators only).
    pub dev: bool,
    /// Seconds of inactivity after which a session is deleted.
    pub session_idle_seconds: u64,
    /// Failed sign-ins allowed per account and address in the window.
    pub sign_in_max_failures: u32,
    /// The window for counting failed sign-ins, in minutes.
    pub sign_in_window_minutes: u64,
    /// Argon2 memory cost in KiB.
    pub argon2_memory_kib: u32,
    /// Outgoing mail.
    pub smtp: SmtpConfig,
}

impl Settings {
    /// Whether cookies must carry the Secure flag (and responses HSTS).
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

/// Outgoing mail settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmtpConfig {
    /// SMTP relay host. Mail is handed to a relay on a trusted network
    /// without TLS; the relay does onward delivery.
    pub host: String,
    /// SMTP port.
    pub port: u16,
    /// Sender address.
    pub from: String,
    /// Delivery attempts before a message is marked failed.
    pub max_attempts: u32,
    /// First retry delay in seconds; it doubles after each failure.
    pub retry_base_seconds: u64,
    /// How often the worker looks for due messages when not woken, in
    /// milliseconds.
    pub poll_millis: u64,
}

/// The bootstrap administrator.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdminConfig {
    /// Email address (the sign-in name).
    pub email: String,
    /// Password; when unset a random one is generated and logged once.
    pub password: Option<String>,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        SmtpConfig {
            host: "127.0.0.1".into(),
            port: 1025,
            from: "Visit someone in prison <no-reply@visits.lifeline.local>".into(),
            max_attempts: 8,
            retry_base_seconds: 30,
            poll_millis: 1000,
        }
    }
}

impl Default for AdminConfig {
    fn default() -> Self {
        AdminConfig {
            email: "admin@lifeline.local".into(),
            password: None,
        }
    }
}
