//! Sessions: a cookie carrying a random token, its data held in memory and
//! in the database, deleted from both after 20 minutes without a request.
//!
//! The privacy notice promises that a session is cleared after 20 minutes
//! of inactivity; a sweeper enforces it for sessions nobody comes back to,
//! and a lookup enforces it for the one that does.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::accounts::{Kind, Role};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::ids::{random_token, sha256_hex};
use crate::now;

/// The cookie's name.
pub const COOKIE: &str = "lifeline_session";

/// How stale the stored last-seen time may get before it is rewritten: a
/// write per request would cost more than the rest of most requests.
const TOUCH_EVERY_SECS: i64 = 60;

/// What a session holds.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SessionData {
    /// The form token every POST must echo.
    pub csrf: String,
    /// Who is signed in.
    pub user: Option<SessionUser>,
    /// Forms being filled in over several pages, by the system that owns
    /// them (each stores its own draft as JSON).
    #[serde(default)]
    pub drafts: std::collections::BTreeMap<String, serde_json::Value>,
    /// A one-off message for the next page (a "notification banner").
    #[serde(default)]
    pub notice: Option<String>,
}

/// The signed-in account, as the session remembers it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionUser {
    pub id: String,
    pub email: String,
    pub name: String,
    pub kind: Kind,
    pub role: Option<Role>,
    /// Establishments a staff member works for (all, for a national
    /// administrator).
    pub establishments: Vec<String>,
    /// A Data Lab provider's organisation (its key).
    #[serde(default)]
    pub organisation: Option<String>,
}

impl SessionUser {
    pub fn is_staff(&self) -> bool {
        self.kind == Kind::Staff
    }

    pub fn can_see_establishment(&self, id: &str) -> bool {
        self.is_staff()
            && (self.role == Some(Role::NationalAdmin)
                || self.establishments.iter().any(|e| e == id))
    }

    /// The user as the actor a history records.
    pub fn actor(&self) -> crate::Actor {
        crate::Actor {
            id: self.id.clone(),
            name: self.name.clone(),
        }
    }

    /// The page people land on after signing in, and go back to.
    pub fn home(&self) -> &'static str {
        match self.kind {
            Kind::Visitor => "/visits",
            Kind::Staff => "/staff",
            Kind::DataLab => "/datalab",
        }
    }

    fn is_datalab(&self, role: Role) -> bool {
        self.kind == Kind::DataLab && self.role == Some(role)
    }

    /// A provider organisation's user (with the organisation's key).
    pub fn provider_organisation(&self) -> Option<&str> {
        if self.is_datalab(Role::Provider) {
            self.organisation.as_deref()
        } else {
            None
        }
    }

    pub fn is_analyst(&self) -> bool {
        self.is_datalab(Role::Analyst)
    }

    pub fn is_asset_owner(&self) -> bool {
        self.is_datalab(Role::AssetOwner)
    }

    pub fn is_national_admin(&self) -> bool {
        self.is_staff() && self.role == Some(Role::NationalAdmin)
    }

    pub fn is_admin(&self) -> bool {
        self.is_staff()
            && matches!(
                self.role,
                Some(Role::NationalAdmin | Role::EstablishmentAdmin)
            )
    }
}

struct Entry {
    data: SessionData,
    last_seen: i64,
    stored_seen: i64,
}

/// The live sessions.
#[derive(Clone)]
pub struct SessionStore {
    db: Db,
    idle_secs: i64,
    cache: Arc<Mutex<HashMap<String, Entry>>>,
}

impl SessionStore {
    pub fn new(db: Db, idle_secs: u64) -> SessionStore {
        SessionStore {
            db,
            idle_secs: idle_secs as i64,
            cache: Arc::default(),
        }
    }

    pub fn idle_secs(&self) -> i64 {
        self.idle_secs
    }

    /// The session behind a cookie's token, if it is still alive. Returns
    /// its key (the token's hash) and data.
    pub async fn load(&self, token: &str) -> Result<Option<(String, SessionData)>> {
        let key = sha256_hex(token);
        let t = now();
        let mut touch = false;
        let cached = {
            let mut cache = self.cache.lock().expect("session cache poisoned");
            match cache.get_mut(&key) {
                Some(entry) if t - entry.last_seen <= self.idle_secs => {
                    entry.last_seen = t;
                    if t - entry.stored_seen >= TOUCH_EVERY_SECS.min(self.idle_secs / 4) {
                        entry.stored_seen = t;
                        touch = true;
                    }
                    Some(Some(entry.data.clone()))
                }
                Some(_) => {
                    cache.remove(&key);
                    Some(None)
                }
                None => None,
            }
        };
        match cached {
            Some(Some(data)) => {
                if touch {
                    sqlx::query("UPDATE web_sessions SET last_seen = $1 WHERE id_hash = $2")
                        .bind(t)
                        .bind(&key)
                        .execute(self.db.writer())
                        .await?;
                }
                Ok(Some((key, data)))
            }
            Some(None) => {
                self.delete(&key).await?;
                Ok(None)
            }
            None => {
                // Not in memory: a restart, or another instance made it.
                let row: Option<(String, i64)> =
                    sqlx::query_as("SELECT data, last_seen FROM web_sessions WHERE id_hash = $1")
                        .bind(&key)
                        .fetch_optional(self.db.pool())
                        .await?;
                let Some((json, last_seen)) = row else {
                    return Ok(None);
                };
                if t - last_seen > self.idle_secs {
                    self.delete(&key).await?;
                    return Ok(None);
                }
                let data: SessionData = serde_json::from_str(&json)
                    .map_err(|e| Error::Corrupt(format!("session data: {e}")))?;
                self.cache.lock().expect("session cache poisoned").insert(
                    key.clone(),
                    Entry {
                        data: data.clone(),
                        last_seen: t,
                        stored_seen: last_seen,
                    },
                );
                Ok(Some((key, data)))
            }
        }
    }

    /// Starts a session; returns the cookie's token, the key and the data.
    pub async fn create(&self, data: Option<SessionData>) -> Result<(String, String, SessionData)> {
        let token = random_token(32);
        let key = sha256_hex(&token);
        let mut data = data.unwrap_or_default();
        data.csrf = random_token(24);
        self.save(&key, &data).await?;
        Ok((token, key, data))
    }

    /// Stores a session's data.
    pub async fn save(&self, key: &str, data: &SessionData) -> Result<()> {
        let t = now();
        let json = serde_json::to_string(data).map_err(|e| Error::Corrupt(e.to_string()))?;
        sqlx::query(
            "INSERT INTO web_sessions (id_hash, data, last_seen) VALUES ($1, $2, $3) \
             ON CONFLICT (id_hash) DO UPDATE SET data = excluded.data, last_seen = excluded.last_seen",
        )
        .bind(key)
        .bind(&json)
        .bind(t)
        .execute(self.db.writer())
        .await?;
        self.cache.lock().expect("session cache poisoned").insert(
            key.to_owned(),
            Entry {
                data: data.clone(),
                last_seen: t,
                stored_seen: t,
            },
        );
        Ok(())
    }

    /// Ends a session.
    pub async fn delete(&self, key: &str) -> Result<()> {
        self.cache
            .lock()
            .expect("session cache poisoned")
            .remove(key);
        sqlx::query("DELETE FROM web_sessions WHERE id_hash = $1")
            .bind(key)
            .execute(self.db.writer())
            .await?;
        Ok(())
    }

    /// Deletes every session idle for longer than the limit, from memory and
    /// storage. Returns how many were deleted from storage.
    pub async fn sweep(&self) -> Result<u64> {
        let cutoff = now() - self.idle_secs;
        self.cache
            .lock()
            .expect("session cache poisoned")
            .retain(|_, e| e.last_seen >= cutoff);
        let done = sqlx::query("DELETE FROM web_sessions WHERE last_seen < $1")
            .bind(cutoff)
            .execute(self.db.writer())
            .await?;
        Ok(done.rows_affected())
    }

    /// How many sessions are held in memory.
    pub fn live_in_memory(&self) -> usize {
        self.cache.lock().expect("session cache poisoned").len()
    }
}
