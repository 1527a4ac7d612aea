//! Released figures: how one system hands another information it has
//! cleared for publication, without either importing the other.
//!
//! A system that computes figures about people (the incidents system's
//! extract for an FOI answer, counts suppressed and protected by the Data
//! Lab's disclosure control) passes them through its own control, then
//! [`release`]s the result with an audit line; the FOI system lists what
//! was released ([`recent`]) and attaches a copy to a response. What is
//! released is what may be published, so nothing past this point needs
//! controlling again, and nothing unreleased can be reached this way.

use sqlx::Row;

use crate::accounts::Actor;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::ids::new_id;

/// Days a release is offered for attaching.
pub const RELEASE_DAYS: i64 = 90;

/// One release, without its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    pub id: String,
    /// The system that released it ("incidents").
    pub system: String,
    pub title: String,
    pub media_type: String,
    pub released_at: i64,
}

/// Releases `content` from `system`, with an audit line on the same
/// transaction.
pub async fn release(
    db: &Db,
    system: &str,
    title: &str,
    media_type: &str,
    content: &str,
    by: &Actor,
    at: i64,
) -> Result<String> {
    if title.trim().is_empty() || content.is_empty() {
        return Err(Error::Conflict(
            "a release needs a title and content".into(),
        ));
    }
    let id = new_id();
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO platform_releases (id, system, title, media_type, content, released_by, released_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(system)
    .bind(title.trim())
    .bind(media_type)
    .bind(content)
    .bind(&by.id)
    .bind(at)
    .execute(&mut *tx)
    .await?;
    crate::audit::record_at(
        &mut tx,
        at,
        &by.id,
        "release.create",
        &id,
        &format!("{system}: {}", title.trim()),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Releases still offered on `now`, newest first.
pub async fn recent(db: &Db, now: i64) -> Result<Vec<Release>> {
    let rows = sqlx::query(
        "SELECT id, system, title, media_type, released_at FROM platform_releases WHERE released_at >= $1 \
         ORDER BY released_at DESC, id LIMIT 100",
    )
    .bind(now - RELEASE_DAYS * 86_400)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Release {
                id: r.try_get("id")?,
                system: r.try_get("system")?,
                title: r.try_get("title")?,
                media_type: r.try_get("media_type")?,
                released_at: r.try_get("released_at")?,
            })
        })
        .collect()
}

/// A release and its content, while it is offered.
pub async fn get(db: &Db, id: &str, now: i64) -> Result<(Release, String)> {
    let r = sqlx::query(
        "SELECT id, system, title, media_type, released_at, content FROM platform_releases WHERE id = $1 AND released_at >= $2",
    )
    .bind(id)
    .bind(now - RELEASE_DAYS * 86_400)
    .fetch_optional(db.pool())
    .await?
    .ok_or(Error::NotFound)?;
    Ok((
        Release {
            id: r.try_get("id")?,
            system: r.try_get("system")?,
            title: r.try_get("title")?,
            media_type: r.try_get("media_type")?,
            released_at: r.try_get("released_at")?,
        },
        r.try_get("content")?,
    ))
}

/// Deletes releases no longer offered; returns how many.
pub async fn sweep(db: &Db, now: i64) -> Result<u64> {
    Ok(
        sqlx::query("DELETE FROM platform_releases WHERE released_at < $1")
            .bind(now - RELEASE_DAYS * 86_400)
            .execute(db.writer())
            .await?
            .rows_affected(),
    )
}
