//! Settings: a TOML file, then `LIFELINE_*` environment variables over it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use platform::config::{AdminConfig, SmtpConfig};
use platform::db::Sync;
use platform::{Error, Result};

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
    /// it, and an `https` address turns on the cookies' Secure flag and
    /// HSTS. Unset, `http://` and the listening address.
    pub public_url: Option<String>,
    /// Development conveniences (the email outbox page, for national
    /// administrators only). Off by default; a production start (an https
    /// `public_url`) refuses it unless `allow_dev_in_production` is also
    /// set.
    pub dev: bool,
    /// Lets `dev` run in production.
    pub allow_dev_in_production: bool,
    /// How hard SQLite syncs each commit: `normal` (the default: a killed
    /// process loses nothing committed; a power cut can lose the last
    /// commits) or `full` (every commit on disk before it is
    /// acknowledged).
    pub sqlite_sync: Sync,
    /// Days the service's clock starts ahead of the system's, for
    /// demonstrating lifecycles; 0 in production.
    pub clock_offset_days: i64,
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
    pub datalab: lab::Config,
    /// Secure video calls.
    pub calls: calls::Config,
    /// Security incidents.
    pub incidents: incidents::Config,
    /// Freedom of Information requests.
    pub foi: foi::Config,
    /// The media server live calls go through: its one UDP address
    /// (`bind`, 127.0.0.1:50000 by default), and the address to give
    /// browsers when that is not it (`public_ip`).
    pub media: media::Config,
    /// This instance's media server node, unique among the instances on one
    /// database: host name and media port when unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("data/web"),
            database_url: None,
            public_url: None,
            dev: false,
            allow_dev_in_production: false,
            sqlite_sync: Sync::Normal,
            clock_offset_days: 0,
            session_idle_seconds: 20 * 60,
            sign_in_max_failures: 5,
            sign_in_window_minutes: 15,
            argon2_memory_kib: 19 * 1024,
            db_max_connections: 8,
            smtp: SmtpConfig::default(),
            admin: AdminConfig::default(),
            retention_interval_minutes: 24 * 60,
            datalab: lab::Config::default(),
            calls: calls::Config::default(),
            incidents: incidents::Config::default(),
            foi: foi::Config::default(),
            media: media::Config::default(),
            node: None,
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
        let production = self
            .public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"));
        if self.dev && production && !self.allow_dev_in_production {
            return Err(Error::Config(
                "dev = true shows every prison's email to national administrators: a service with an https public_url refuses it unless allow_dev_in_production = true is set too".into(),
            ));
        }
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
                "PUBLIC_URL" => self.public_url = Some(value),
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
                "CALLS_MASTER_KEY" => self.calls.master_key = Some(value),
                "MEDIA_BIND" => self.media.bind = parse(&key, &value)?,
                "MEDIA_PUBLIC_IP" => self.media.public_ip = Some(parse(&key, &value)?),
                "NODE" => self.node = Some(value),
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

    /// The address links in emails start with: `public_url`, or the
    /// address the server really listens on.
    pub fn public_url(&self, listening: SocketAddr) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{listening}"),
        }
    }

    /// The platform's part of the settings.
    pub fn platform(&self, listening: SocketAddr) -> platform::config::Settings {
        platform::config::Settings {
            data_dir: self.data_dir.clone(),
            public_url: self.public_url(listening),
            dev: self.dev,
            session_idle_seconds: self.session_idle_seconds,
            sign_in_max_failures: self.sign_in_max_failures,
            sign_in_window_minutes: self.sign_in_window_minutes,
            argon2_memory_kib: self.argon2_memory_kib,
            smtp: self.smtp.clone(),
        }
    }

    /// The settings as TOML, for `serve --print-config`.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_default()
    }
}
