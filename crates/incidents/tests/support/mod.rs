//! A database with the platform's and the incidents system's tables, on
//! SQLite and on a fresh PostgreSQL schema, with two establishments and a
//! prisoner at each.

#![allow(dead_code)]

use platform::Db;
use platform::accounts::{Grant, Kind, Role, Scope};
use platform::db::Sync;
use platform::sessions::SessionUser;

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
    incidents::seed(db).await.unwrap();
    for (id, number, name, est) in [
        ("p1", "A1234BC", "John Smith", "hull"),
        ("p2", "B2345CD", "Ann Jones", "leeds"),
    ] {
        sqlx::query("INSERT INTO prisoners (id, prison_number, name, establishment_id, created_by, created_at) VALUES ($1, $2, $3, $4, 'x', 0)")
            .bind(id)
            .bind(number)
            .bind(name)
            .bind(est)
            .execute(db.writer())
            .await
            .unwrap();
    }
}

const MIGRATIONS: &[&[platform::db::Migration]] =
    &[platform::db::MIGRATIONS, incidents::MIGRATIONS];

pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("incidents.db").display()
    );
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
        "incidents_{}",
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

pub fn staff(id: &str, role: Role, establishment: Option<&str>) -> SessionUser {
    SessionUser {
        id: id.into(),
        email: format!("{id}@hmpps.test"),
        name: format!("Officer {id}"),
        kind: Kind::Staff,
        grants: vec![Grant {
            role,
            scope: match establishment {
                Some(e) => Scope::Establishment(e.into()),
                None => Scope::National,
            },
        }],
    }
}
