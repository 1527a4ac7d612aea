//! Databases for the systems' tests (the `testing` feature): a fresh
//! SQLite file, or a fresh schema on the PostgreSQL at 127.0.0.1:5432,
//! with the migrations given, dropped when the test is done.

use crate::db::{Db, Migration, Sync};

/// Where the tests' PostgreSQL answers (`scripts/test.sh` starts one).
pub const PG_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// A test's database; derefs to the [`Db`].
pub struct TestDb {
    pub db: Db,
    _dir: Option<tempfile::TempDir>,
    _schema: Option<Schema>,
}

impl std::ops::Deref for TestDb {
    type Target = Db;
    fn deref(&self) -> &Db {
        &self.db
    }
}

/// A PostgreSQL schema that is dropped with this guard.
pub struct Schema(String);

impl Drop for Schema {
    fn drop(&mut self) {
        let schema = std::mem::take(&mut self.0);
        // Best effort, on a thread of its own: the test's runtime may be
        // shutting down, and a schema left behind costs a little disk.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            if let Ok(rt) = rt {
                rt.block_on(async {
                    use sqlx::Connection as _;
                    // One connection for both statements: the timeout is a
                    // session setting, and the test's own connections may
                    // still hold locks (a transaction dropped on an error
                    // path is rolled back only when its connection is used
                    // again).
                    if let Ok(mut conn) = sqlx::AnyConnection::connect(PG_ADMIN_URL).await {
                        let _ = sqlx::query("SET lock_timeout = '3s'")
                            .execute(&mut conn)
                            .await;
                        let _ = sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
                            .execute(&mut conn)
                            .await;
                        let _ = conn.close().await;
                    }
                });
            }
        })
        .join();
    }
}

/// A new, empty schema named after `prefix`, and the URL that uses it.
pub async fn schema(prefix: &str) -> (String, Schema) {
    sqlx::any::install_default_drivers();
    let name = format!(
        "{prefix}_{}",
        crate::ids::new_id().to_lowercase().replace('-', "")
    );
    let admin = sqlx::AnyPool::connect(PG_ADMIN_URL)
        .await
        .unwrap_or_else(|e| {
            panic!("PostgreSQL must answer at {PG_ADMIN_URL} (scripts/test.sh starts one): {e}")
        });
    sqlx::query(&format!("CREATE SCHEMA {name}"))
        .execute(&admin)
        .await
        .expect("a new schema");
    admin.close().await;
    (
        format!("{PG_ADMIN_URL}?options=-c%20search_path%3D{name}"),
        Schema(name),
    )
}

/// A fresh SQLite database with `migrations`.
pub async fn sqlite(migrations: &[&[Migration]]) -> TestDb {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
    let db = Db::connect(&url, 4, Sync::Normal, migrations)
        .await
        .expect("the migrations apply");
    TestDb {
        db,
        _dir: Some(dir),
        _schema: None,
    }
}

/// A fresh PostgreSQL schema with `migrations`.
pub async fn postgres(prefix: &str, migrations: &[&[Migration]]) -> TestDb {
    let (url, schema) = schema(prefix).await;
    let db = Db::connect(&url, 4, Sync::Normal, migrations)
        .await
        .expect("the migrations apply");
    TestDb {
        db,
        _dir: None,
        _schema: Some(schema),
    }
}
