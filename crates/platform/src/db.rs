//! The database: one pool and one set of migrations for SQLite and
//! PostgreSQL.
//!
//! Queries go through sqlx's `Any` driver so that a single code path serves
//! both. The price is a narrow set of types (text and 64-bit integers), which
//! the schema is written in; `$n` placeholders work on both.

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

use crate::error::{Error, Result};

/// How hard SQLite syncs each commit to disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sync {
    /// WAL with `synchronous=NORMAL`: a killed process loses nothing that
    /// was committed; a power cut or kernel crash can lose the last commits
    /// (never corrupts the file).
    #[default]
    Normal,
    /// `synchronous=FULL`: every commit is on disk before it is
    /// acknowledged, at the cost of an fsync per commit.
    Full,
}

/// Which engine is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite.
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

/// A connection pool and the engine behind it.
#[derive(Debug, Clone)]
pub struct Db {
    pool: AnyPool,
    writer: AnyPool,
    backend: Backend,
}

/// One schema change, owned by the platform or by one system: statements
/// both engines run (split on `;`), then whole statements in each engine's
/// own dialect, for what SQL does not share (triggers). Both lists run in
/// the same transaction. `name` is the record of it being applied
/// (`platform/0001`), so each room numbers its own changes.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// Unique across the platform: the owner, a slash, a number.
    pub name: &'static str,
    /// Portable statements.
    pub sql: &'static str,
    /// SQLite-only statements.
    pub sqlite: &'static [&'static str],
    /// PostgreSQL-only statements.
    pub postgres: &'static [&'static str],
}

/// The platform's own tables: the registry, organisations, accounts, web
/// sessions, the outbox and the audit log.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        name: "platform/0001",
        sql: include_str!("../migrations/0001_platform.sql"),
        sqlite: &[],
        postgres: &[],
    },
    // The audit log is append-only, enforced by the database itself so
    // that no code path (nor anyone with the service's credentials and a
    // SQL prompt who does not drop the triggers first) can rewrite it.
    Migration {
        name: "platform/0002",
        sql: "",
        sqlite: &[
            "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log \
             BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
            "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log \
             BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
        ],
        postgres: &[
            "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$",
            "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log \
             FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log \
             FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()",
        ],
    },
    Migration {
        name: "platform/0003",
        sql: include_str!("../migrations/0003_contacts.sql"),
        sqlite: &[],
        postgres: &[],
    },
    Migration {
        name: "platform/0004",
        sql: include_str!("../migrations/0004_events.sql"),
        sqlite: &[],
        postgres: &[],
    },
    Migration {
        name: "platform/0005",
        sql: include_str!("../migrations/0005_releases.sql"),
        sqlite: &[],
        postgres: &[],
    },
];

impl Db {
    /// Connects to `url` (`sqlite://...` or `postgres://...`) and brings the
    /// schema up to date with `migrations` (the platform's first, then each
    /// system's, in the order given).
    pub async fn connect(
        url: &str,
        max_connections: u32,
        sync: Sync,
        migrations: &[&[Migration]],
    ) -> Result<Db> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            return Err(Error::Config(format!(
                "database URL must start with sqlite: or postgres: (got {url:?})"
            )));
        };
        let options = AnyConnectOptions::from_str(url)?;
        let pool = Self::pool_options(backend, max_connections, sync)
            .connect_with(options.clone())
            .await?;
        // SQLite lets one connection write at a time, and a connection that
        // finds the lock taken sleeps in growing steps before retrying,
        // which under load costs more than the writes. Giving writes a
        // pool of one connection queues them fairly in the process instead.
        let writer = match backend {
            Backend::Sqlite => {
                Self::pool_options(backend, 1, sync)
                    .connect_with(options)
                    .await?
            }
            Backend::Postgres => pool.clone(),
        };
        let db = Db {
            pool,
            writer,
            backend,
        };
        db.migrate(migrations).await?;
        Ok(db)
    }

    fn pool_options(backend: Backend, max_connections: u32, sync: Sync) -> AnyPoolOptions {
        AnyPoolOptions::new()
            .max_connections(max_connections.max(1))
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL with NORMAL sync is durable against crashes of
                        // the process and keeps commits off the fsync path; a
                        // power cut can lose the last commits, not corrupt.
                        // FULL syncs every commit, for those who would rather
                        // pay the fsync than risk them.
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute(match sync {
                            Sync::Normal => "PRAGMA synchronous = NORMAL",
                            Sync::Full => "PRAGMA synchronous = FULL",
                        })
                        .await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        conn.execute("PRAGMA busy_timeout = 10000").await?;
                    }
                    Ok(())
                })
            })
    }

    /// The pool, for reads (and for writes on PostgreSQL, where it is the
    /// same pool as [`Db::writer`]).
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The pool for statements that write.
    pub fn writer(&self) -> &AnyPool {
        &self.writer
    }

    /// Which engine this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Starts a transaction that will write. On SQLite it takes the write
    /// lock at once (`BEGIN IMMEDIATE`): a transaction that read first and
    /// upgraded later could fail with "database is locked" instead of
    /// waiting its turn.
    pub async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.writer.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.writer.begin().await?,
        })
    }

    /// Refreshes the query planner's statistics. SQLite keeps none until
    /// asked, and without them it may walk the wrong index (a status
    /// shared by 3% of a million incident reports rather than one
    /// prison's reports); `ANALYZE` with a sampling limit takes well under
    /// a second. PostgreSQL's autovacuum keeps its own, so this does
    /// nothing there.
    pub async fn optimize(&self) -> Result<()> {
        if self.backend == Backend::Sqlite {
            let mut conn = self.writer.acquire().await?;
            conn.execute("PRAGMA analysis_limit = 1000").await?;
            conn.execute("ANALYZE").await?;
        }
        Ok(())
    }

    /// Closes the pool, waiting for connections to be returned.
    pub async fn close(&self) {
        self.pool.close().await;
        self.writer.close().await;
    }

    async fn migrate(&self, sets: &[&[Migration]]) -> Result<()> {
        let mut names = std::collections::HashSet::new();
        for m in sets.iter().flat_map(|s| s.iter()) {
            if !names.insert(m.name) {
                return Err(Error::Config(format!(
                    "migration {} is declared twice",
                    m.name
                )));
            }
        }
        // Several instances may start at once on one PostgreSQL: one
        // connection holds an advisory lock while it migrates, and the
        // others wait and then find the work done.
        let mut conn = self.writer.acquire().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_lock(727274)")
                .execute(&mut *conn)
                .await?;
        }
        let outcome = Self::migrate_on(&mut conn, self.backend, sets).await;
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_unlock(727274)")
                .execute(&mut *conn)
                .await?;
        }
        outcome
    }

    async fn migrate_on(
        conn: &mut sqlx::AnyConnection,
        backend: Backend,
        sets: &[&[Migration]],
    ) -> Result<()> {
        use sqlx::Connection;
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations \
             (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)",
        )
        .await?;
        // Before the platform split, migrations were numbered in one
        // sequence (a `version` column); such a database cannot be carried
        // forward by this code, and saying so beats a bare SQL error.
        if sqlx::query("SELECT name FROM schema_migrations WHERE 1 = 0")
            .execute(&mut *conn)
            .await
            .is_err()
        {
            return Err(Error::Config(
                "this database was made by an earlier Lifeline, before the platform split (its schema_migrations table numbers versions): start with a fresh data directory or database".into(),
            ));
        }
        for m in sets.iter().flat_map(|s| s.iter()) {
            let mut tx = match backend {
                Backend::Sqlite => conn.begin_with("BEGIN IMMEDIATE").await?,
                Backend::Postgres => conn.begin().await?,
            };
            let done: Option<String> =
                sqlx::query_scalar("SELECT name FROM schema_migrations WHERE name = $1")
                    .bind(m.name)
                    .fetch_optional(&mut *tx)
                    .await?;
            if done.is_some() {
                continue;
            }
            for statement in split_statements(m.sql) {
                tx.execute(statement.as_str()).await?;
            }
            let dialect = match backend {
                Backend::Sqlite => m.sqlite,
                Backend::Postgres => m.postgres,
            };
            for statement in dialect {
                tx.execute(*statement).await?;
            }
            sqlx::query("INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)")
                .bind(m.name)
                .bind(crate::now())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            tracing::info!(migration = m.name, "applied migration");
        }
        Ok(())
    }
}

/// Splits a migration into statements, dropping comments. Migrations hold
/// no semicolons inside strings, which keeps this simple.
fn split_statements(sql: &str) -> Vec<String> {
    let without_comments: String = sql
        .lines()
        .map(|line| match line.find("--") {
            Some(i) => &line[..i],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n");
    without_comments
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Whether an error is a unique-constraint violation (a duplicate key).
pub fn is_unique_violation(err: &Error) -> bool {
    match err {
        Error::Db(sqlx::Error::Database(db)) => {
            db.kind() == sqlx::error::ErrorKind::UniqueViolation
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_database_from_before_the_split_is_refused_clearly() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("old.db").display());
        {
            sqlx::any::install_default_drivers();
            use sqlx::Connection;
            let mut c = sqlx::AnyConnection::connect(&url).await.unwrap();
            c.execute("CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)")
                .await
                .unwrap();
        }
        let err = Db::connect(&url, 1, Sync::Normal, &[MIGRATIONS])
            .await
            .unwrap_err();
        assert!(err.to_string().contains("fresh data directory"), "{err}");
        // A fresh database migrates, and a second connection finds it done.
        let fresh = format!("sqlite://{}?mode=rwc", dir.path().join("new.db").display());
        Db::connect(&fresh, 1, Sync::Normal, &[MIGRATIONS])
            .await
            .unwrap();
        Db::connect(&fresh, 1, Sync::Normal, &[MIGRATIONS])
            .await
            .unwrap();
    }

    #[test]
    fn statements_are_split_and_comments_dropped() {
        let parts = split_statements(
            "-- a; b\nCREATE TABLE x (a TEXT); -- c\n\nCREATE INDEX y ON x (a);\n",
        );
        assert_eq!(
            parts,
            vec!["CREATE TABLE x (a TEXT)", "CREATE INDEX y ON x (a)"]
        );
    }
}
