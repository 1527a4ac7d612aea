//! Settings: a TOML file, then `LIFELINE_*` environment variables over it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The service's settings. Every field has a default, so an empty file (or
/// none) runs a development instance on loopback with SQLite.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Where the SQLite database and anything else local is kept; created
    /// on first run.
    pub data_dir: PathBuf,
    /// `postgres://...` to use PostgreSQL; unset means SQLite under
    /// `data_dir`. A `sqlite://` URL is also accepted.
    pub database_url: Option<String>,
    /// The address people reach the service at; links in emails start with
    /// it, and an `https` address turns on the cookies' Secure flag.
    pub public_url: String,
    /// Development mode: shows the email outbox to staff.
    pub dev: bool,
    /// Seconds of inactivity after which a session is deleted (20 minutes,
    /// as the privacy notice promises).
    pub session_idle_seconds: u64,
    /// Failed sign-ins allowed per account and address in the window.
    pub sign_in_max_failures: u32,
    /// The window for counting failed sign-ins, in minutes.
    pub sign_in_window_minutes: u64,
    /// Argon2 memory cost in KiB (OWASP's minimum, 19 MiB, by default;
    /// tests lower it so that they are not dominated by hashing).
    pub argon2_memory_kib: u32,
    /// Connections in the database pool.
    pub db_max_connections: u32,
    /// Outgoing mail.
    pub smtp: SmtpConfig,
    /// The first national administrator, created when there is none.
    pub admin: AdminConfig,
    /// How often the retention job runs, in minutes.
    pub retention_interval_minutes: u64,
    /// The Justice Data Lab.
    pub datalab: DatalabConfig,
}

/// The Justice Data Lab's settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatalabConfig {
    /// The directory made by `lifeline datalab generate` (holding
    /// `national/`), whose national records requests are linked to. Unset,
    /// requests can be submitted and checked but not run.
    pub reference: Option<PathBuf>,
    /// The file holding the lab's pseudonymisation key (the secret behind
    /// its pseudonymous IDs, as `lifeline datalab run --key` uses); unset,
    /// `data_dir/datalab/lab.key`, made on first use.
    pub lab_key: Option<PathBuf>,
    /// The master key that wraps each request's data key: 64 hex digits.
    /// Unset, one is generated on first run in `data_dir/datalab/master.key`
    /// (readable by the service's user only). Keep it apart from database
    /// backups.
    pub master_key: Option<String>,
    /// Working days after a report is issued during which the provider may
    /// raise questions (20, as the Privacy Impact Assessment sets).
    pub review_working_days: u32,
    /// Working days after issue after which the individual-level data is
    /// destroyed (20; never fewer than the review period).
    pub destroy_after_issue_working_days: u32,
    /// Working days after a failure after which the individual-level data
    /// is destroyed (10).
    pub destroy_after_failure_working_days: u32,
    /// The largest cohort file accepted, in bytes (10 MiB).
    pub max_upload_bytes: usize,
    /// How often the lifecycle sweep (closing reviews, destroying data)
    /// runs, in minutes.
    pub sweep_interval_minutes: u64,
    /// Days the service's clock starts ahead of the system's, for
    /// demonstrating the lifecycle; 0 in production.
    pub clock_offset_days: i64,
}

impl Default for DatalabConfig {
    fn default() -> Self {
        DatalabConfig {
            reference: None,
            lab_key: None,
            master_key: None,
            review_working_days: 20,
            destroy_after_issue_working_days: 20,
            destroy_after_failure_working_days: 10,
            max_upload_bytes: 10 * 1024 * 1024,
            sweep_interval_minutes: 60,
            clock_offset_days: 0,
        }
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

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("data/web"),
            database_url: None,
            public_url: "http://127.0.0.1:8080".into(),
            dev: true,
            session_idle_seconds: 20 * 60,
            sign_in_max_failures: 5,
            sign_in_window_minutes: 15,
            argon2_memory_kib: 19 * 1024,
            db_max_connections: 8,
            smtp: SmtpConfig::default(),
            admin: AdminConfig::default(),
            retention_interval_minutes: 24 * 60,
            datalab: DatalabConfig::default(),
        }
    }
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

impl Config {
    /// Reads a TOML file (when given) and applies `LIFELINE_*` environment
    /// variables over it.
    pub fn load(path: Option<&Path>) -> Result<Config> {
        let mut config = match path {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| Error::ConfigRead {
                    path: path.to_owned(),
                    source,
                })?;
                Config::from_toml(&text)?
            }
            None => Config::default(),
        };
        config.apply_env(std::env::vars())?;
        config.check()?;
        Ok(config)
    }

    /// Refuses settings that contradict each other.
    pub fn check(&self) -> Result<()> {
        let d = &self.datalab;
        if d.destroy_after_issue_working_days < d.review_working_days {
            return Err(Error::Config(format!(
                "datalab.destroy_after_issue_working_days ({}) must not be fewer than datalab.review_working_days ({}): the data must last the review period",
                d.destroy_after_issue_working_days, d.review_working_days
            )));
        }
        Ok(())
    }

    /// Parses settings from TOML text.
    pub fn from_toml(text: &str) -> Result<Config> {
        toml::from_str(text).map_err(|e| Error::Config(e.to_string()))
    }

    /// Applies `LIFELINE_*` variables from `vars` (the process environment
    /// in production; tests pass their own).
    pub fn apply_env(&mut self, vars: impl IntoIterator<Item = (String, String)>) -> Result<()> {
        fn parse<T: std::str::FromStr>(key: &str, value: &str) -> Result<T> {
            value
                .parse()
                .map_err(|_| Error::Config(format!("{key}={value:?} is not valid")))
        }
        for (key, value) in vars {
            let Some(name) = key.strip_prefix("LIFELINE_") else {
                continue;
            };
            match name {
                "LISTEN" => self.listen = parse(&key, &value)?,
                "DATA_DIR" => self.data_dir = PathBuf::from(value),
                "DATABASE_URL" => self.database_url = Some(value),
                "PUBLIC_URL" => self.public_url = value,
                "DEV" => self.dev = parse(&key, &value)?,
                "SESSION_IDLE_SECONDS" => self.session_idle_seconds = parse(&key, &value)?,
                "SMTP_HOST" => self.smtp.host = value,
                "SMTP_PORT" => self.smtp.port = parse(&key, &value)?,
                "SMTP_FROM" => self.smtp.from = value,
                "ADMIN_EMAIL" => self.admin.email = value,
                "ADMIN_PASSWORD" => self.admin.password = Some(value),
                "DB_MAX_CONNECTIONS" => self.db_max_connections = parse(&key, &value)?,
                "DATALAB_REFERENCE" => self.datalab.reference = Some(PathBuf::from(value)),
                "DATALAB_LAB_KEY" => self.datalab.lab_key = Some(PathBuf::from(value)),
                "DATALAB_MASTER_KEY" => self.datalab.master_key = Some(value),
                // Other LIFELINE_ variables belong to other commands.
                _ => {}
            }
        }
        Ok(())
    }

    /// The database to use: the configured URL, or SQLite in the data
    /// directory.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("lifeline.db").display()
            ),
        }
    }

    /// Whether cookies must carry the Secure flag.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// The settings as TOML, for `serve --print-config`.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_default()
    }
}
