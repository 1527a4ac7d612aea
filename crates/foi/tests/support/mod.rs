//! A database with the platform's and the FOI system's tables, on
//! SQLite and on a fresh PostgreSQL schema, with the business units.

#![allow(dead_code)]

use platform::Db;

pub use platform::testing::TestDb;

async fn fill(db: &Db) {
    platform::registry::seed(db).await.unwrap();
    foi::seed(db).await.unwrap();
}

const MIGRATIONS: &[&[platform::db::Migration]] = &[platform::db::MIGRATIONS, foi::MIGRATIONS];

pub async fn sqlite() -> TestDb {
    let t = platform::testing::sqlite(MIGRATIONS).await;
    fill(&t).await;
    t
}

pub async fn postgres() -> TestDb {
    let t = platform::testing::postgres("foi", MIGRATIONS).await;
    fill(&t).await;
    t
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
