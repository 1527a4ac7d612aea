//! The prison registry: every establishment (prison or young offender
//! institution) the platform serves, by key and name. Systems keep their
//! own settings per establishment in their own tables, keyed by its id;
//! role grants are scoped to it.

use sqlx::Row;

use crate::db::Db;
use crate::error::{Error, Result};

/// The establishments named in the annex of the 2020 video-calls letter,
/// one a line.
const SEED: &str = include_str!("../data/establishments.txt");

/// A prison or young offender institution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Establishment {
    /// Key, a slug of the name ("long-lartin").
    pub id: String,
    /// Name as people say it ("Long Lartin").
    pub name: String,
}

/// The slug of a name.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// The names in the seed list.
pub fn seed_names() -> Vec<&'static str> {
    SEED.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

/// Seeds the establishments on first run (when there are none). Returns
/// how many were added. Two instances starting at once on one PostgreSQL
/// both try; the names' uniqueness keeps one copy.
pub async fn seed(db: &Db) -> Result<usize> {
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM establishments")
        .fetch_one(db.pool())
        .await?;
    if existing > 0 {
        return Ok(0);
    }
    let names = seed_names();
    let mut tx = db.begin_write().await?;
    let mut added = 0;
    for name in &names {
        let done = sqlx::query(
            "INSERT INTO establishments (id, name, enabled) VALUES ($1, $2, 1) ON CONFLICT (id) DO NOTHING",
        )
        .bind(slug(name))
        .bind(*name)
        .execute(&mut *tx)
        .await?;
        added += done.rows_affected() as usize;
    }
    tx.commit().await?;
    Ok(added)
}

fn from_row(row: &sqlx::any::AnyRow) -> Result<Establishment> {
    Ok(Establishment {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
    })
}

/// Every enabled establishment, by name.
pub async fn list(db: &Db) -> Result<Vec<Establishment>> {
    let rows = sqlx::query("SELECT id, name FROM establishments WHERE enabled = 1 ORDER BY name")
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(from_row).collect()
}

/// One establishment.
pub async fn get(db: &Db, id: &str) -> Result<Establishment> {
    let row = sqlx::query("SELECT id, name FROM establishments WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(Error::NotFound)?;
    from_row(&row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_list_is_the_annex() {
        let names = seed_names();
        assert_eq!(names.len(), 109);
        assert!(names.contains(&"Long Lartin"));
        assert!(names.contains(&"Parc (YOI)"));
        let mut slugs: Vec<_> = names.iter().map(|n| slug(n)).collect();
        slugs.sort();
        slugs.dedup();
        assert_eq!(slugs.len(), names.len(), "slugs are unique");
        assert_eq!(slug("Parc (YOI)"), "parc-yoi");
    }
}
