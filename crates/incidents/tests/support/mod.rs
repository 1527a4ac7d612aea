//! A database with the platform's and the incidents system's tables, on
//! SQLite and on a fresh PostgreSQL schema, with two establishments and a
//! prisoner at each.

#![allow(dead_code)]

use platform::Db;
use platform::accounts::{Grant, Kind, Role, Scope};
use platform::sessions::SessionUser;

pub use platform::testing::TestDb;

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
    let t = platform::testing::sqlite(MIGRATIONS).await;
    fill(&t).await;
    t
}

pub async fn postgres() -> TestDb {
    let t = platform::testing::postgres("incidents", MIGRATIONS).await;
    fill(&t).await;
    t
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
