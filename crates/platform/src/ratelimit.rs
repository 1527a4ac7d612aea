//! Throttling: at most N hits per key in a window (failed sign-ins per
//! account and address, confirmation emails per address, visit requests per
//! account), counted in the database so that every instance of the service
//! shares the count.
//!
//! A hit is *reserved* before the work it guards, by one atomic upsert that
//! returns the new count, so requests sent at once are counted at once:
//! fifteen wrong passwords sent in parallel are numbered 1 to 15, and only
//! the first five are checked. Checking the count and recording the failure
//! as two steps let all fifteen through.

use crate::db::Db;
use crate::error::Result;

/// A limit: `max` hits per `window_secs`.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    /// Hits allowed in a window.
    pub max: u32,
    /// The window, in seconds (it starts at the first hit).
    pub window_secs: i64,
}

/// Reserves a hit on `key` at `now`. `true` when it is within the limit
/// (the work may go ahead), `false` when the limit is reached.
pub async fn hit(db: &Db, key: &str, limit: Limit, now: i64) -> Result<bool> {
    let expired_before = now - limit.window_secs;
    let hits: i64 = sqlx::query_scalar(
        "INSERT INTO throttle (key, window_start, hits) VALUES ($1, $2, 1) \
         ON CONFLICT (key) DO UPDATE SET \
           hits = CASE WHEN throttle.window_start <= $3 THEN 1 ELSE throttle.hits + 1 END, \
           window_start = CASE WHEN throttle.window_start <= $3 THEN $2 ELSE throttle.window_start END \
         RETURNING hits",
    )
    .bind(key)
    .bind(now)
    .bind(expired_before)
    .fetch_one(db.writer())
    .await?;
    Ok(hits <= i64::from(limit.max))
}

/// Forgets `key`'s hits (a correct password clears its failures).
pub async fn clear(db: &Db, key: &str) -> Result<()> {
    sqlx::query("DELETE FROM throttle WHERE key = $1")
        .bind(key)
        .execute(db.writer())
        .await?;
    Ok(())
}

/// Deletes counters whose window ended more than `older_than_secs` ago.
pub async fn sweep(db: &Db, now: i64, older_than_secs: i64) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM throttle WHERE window_start < $1")
        .bind(now - older_than_secs)
        .execute(db.writer())
        .await?
        .rows_affected())
}

/// Sign-in throttling: failed attempts per account and address.
#[derive(Debug, Clone, Copy)]
pub struct SignInLimiter {
    limit: Limit,
}

impl SignInLimiter {
    /// At most `max` failed sign-ins per account and address in
    /// `window_minutes`.
    pub fn new(max: u32, window_minutes: u64) -> Self {
        SignInLimiter {
            limit: Limit {
                max,
                window_secs: (window_minutes * 60) as i64,
            },
        }
    }

    fn key(email: &str, ip: std::net::IpAddr) -> String {
        format!("sign-in:{}:{ip}", email.trim().to_lowercase())
    }

    /// Reserves an attempt: `false` when the account is locked from this
    /// address. Call before checking the password.
    pub async fn attempt(
        &self,
        db: &Db,
        email: &str,
        ip: std::net::IpAddr,
        now: i64,
    ) -> Result<bool> {
        hit(db, &Self::key(email, ip), self.limit, now).await
    }

    /// A correct password: the failures are forgotten.
    pub async fn clear(&self, db: &Db, email: &str, ip: std::net::IpAddr) -> Result<()> {
        clear(db, &Self::key(email, ip)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::IpAddr;

    async fn db() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
        let db = Db::connect(&url, 2, crate::db::Sync::Normal, &[crate::db::MIGRATIONS])
            .await
            .unwrap();
        (dir, db)
    }

    #[tokio::test]
    async fn five_failures_lock_for_the_window_then_release() {
        let (_dir, db) = db().await;
        let l = SignInLimiter::new(5, 15);
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        let other: IpAddr = "127.0.0.2".parse().unwrap();
        for i in 0..5 {
            assert!(l.attempt(&db, "A@b.c", ip, 1000 + i).await.unwrap());
        }
        assert!(!l.attempt(&db, "a@b.c", ip, 1010).await.unwrap());
        assert!(
            l.attempt(&db, "a@b.c", other, 1010).await.unwrap(),
            "another address is not locked"
        );
        assert!(
            l.attempt(&db, "x@b.c", ip, 1010).await.unwrap(),
            "another account is not locked"
        );
        assert!(
            l.attempt(&db, "a@b.c", ip, 1000 + 15 * 60 + 1)
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn attempts_sent_at_once_are_counted_at_once() {
        let (_dir, db) = db().await;
        let l = SignInLimiter::new(5, 15);
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        let tries: Vec<_> = (0..15)
            .map(|_| {
                let db = db.clone();
                tokio::spawn(async move { l.attempt(&db, "a@b.c", ip, 1000).await.unwrap() })
            })
            .collect();
        let mut allowed = 0;
        for t in tries {
            allowed += usize::from(t.await.unwrap());
        }
        assert_eq!(allowed, 5);
    }
}
