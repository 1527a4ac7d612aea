//! A database with the platform's and the FOI system's tables, on
//! SQLite and on a fresh PostgreSQL schema, with the business units.

#![allow(dead_code)]

use platform::Db;
use platform::db::Sync;

pub const PG_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

pub struct TestDb {
    pub db: Db,
    _dir: Option<tempfile::TempDir>,
    schema: Option<String>,
}

impl std::ops::Deref for TestDb {
    type Target = Db;
    fn deref(&self) -> &Db {
        &self.db
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(schema) = self.schema.take() {
            // Best effort: a schema left behind costs a little disk.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(rt) = rt {
                    rt.block_on(async {
                        if let Ok(pool) = sqlx::AnyPool::connect(PG_ADMIN_URL).await {
                            // Never wait on a test's own connections.
                            let _ = sqlx::query("SET lock_timeout = '3s'").execute(&pool).await;
                            let _ = sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
                                .execute(&pool)
                                .await;
                        }
                    });
                }
            })
            .join();
        }
    }
}

async fn fill(db: &Db) {
    platform::registry::seed(db).await.unwrap();
    foi::seed(db).await.unwrap();
}

const MIGRATIONS: &[&[platform::db::Migration]] = &[platform::db::MIGRATIONS, foi::MIGRATIONS];

pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("foi.db").display());
    let db = Db::connect(&url, 4, Sync::Normal, MIGRATIONS)
        .await
        .unwrap();
    fill(&db).await;
    TestDb {
        db,
        _dir: Some(dir),
        schema: None,
    }
}

pub async fn postgres() -> TestDb {
    sqlx::any::install_default_drivers();
    let schema = format!(
        "foi_{}",
        platform::ids::new_id().to_lowercase().replace('-', "")
    );
    let admin = sqlx::AnyPool::connect(PG_ADMIN_URL)
        .await
        .expect("PostgreSQL at 127.0.0.1:5432 (scripts/test.sh starts one)");
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&admin)
        .await
        .unwrap();
    admin.close().await;
    let url = format!("{PG_ADMIN_URL}?options=-c%20search_path%3D{schema}");
    let db = Db::connect(&url, 4, Sync::Normal, MIGRATIONS)
        .await
        .unwrap();
    fill(&db).await;
    TestDb {
        db,
        _dir: None,
        schema: Some(schema),
    }
}

/// Both engines, SQLite first.
pub async fn both() -> Vec<TestDb> {
    vec![sqlite().await, postgres().await]
}

pub fn actor(id: &str) -> platform::Actor {
    platform::Actor {
        id: id.into(),
        name: format!("Officer {id}"),
    }
}
