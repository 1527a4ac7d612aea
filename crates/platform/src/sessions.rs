//! Sessions: a cookie carrying a random token, its data in the database
//! (keyed by the token's hash), deleted after 20 minutes without a request.
//! Anonymous visitors get no session row: their form token travels in a
//! cookie of its own until they sign in or start a form that needs keeping.
//!
//! The privacy notice promises that a session is cleared after 20 minutes
//! of inactivity; a sweeper enforces it for sessions nobody comes back to,
//! and a lookup enforces it for the one that does.

use serde::{Deserialize, Serialize};

use crate::accounts::{Grant, Kind, Role, Scope};
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
    /// What the account may do, and where, as granted when they signed in.
    pub grants: Vec<Grant>,
}

impl SessionUser {
    /// Whether the account holds `role` anywhere.
    pub fn has(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    /// Whether the account holds `role` for establishment `id` (or
    /// nationally).
    fn has_at(&self, role: Role, id: &str) -> bool {
        self.grants.iter().any(|g| {
            g.role == role
                && match &g.scope {
                    Scope::National => true,
                    Scope::Establishment(e) => e == id,
                    Scope::Organisation(_) => false,
                }
        })
    }

    /// The roles held, as people read them ("Booking staff, Establishment
    /// administrator").
    pub fn role_labels(&self) -> String {
        let mut labels: Vec<&str> = self.grants.iter().map(|g| g.role.label()).collect();
        labels.dedup();
        labels.join(", ")
    }

    pub fn is_staff(&self) -> bool {
        self.kind == Kind::Staff
    }

    /// Whether a member of prison staff handles visits at establishment
    /// `id` (national administrators do everywhere).
    pub fn can_see_establishment(&self, id: &str) -> bool {
        self.is_staff()
            && (self.has(Role::NationalAdmin)
                || self.has_at(Role::BookingStaff, id)
                || self.has_at(Role::EstablishmentAdmin, id))
    }

    /// Whether a member of prison staff works at establishment `id` in any
    /// role of any system: for the platform's own records of the
    /// establishment (its prisoners and their approved contacts).
    pub fn works_at(&self, id: &str) -> bool {
        self.can_see_establishment(id)
            || self.has_at(Role::CallsOfficer, id)
            || self.has_at(Role::CallsAdmin, id)
    }

    /// Whether they work at any establishment (or everywhere), in a role
    /// [`works_at`](Self::works_at) counts.
    pub fn works_somewhere(&self) -> bool {
        self.is_staff()
            && (self.has(Role::NationalAdmin)
                || self.grants.iter().any(|g| match &g.scope {
                    Scope::Establishment(e) => self.works_at(e),
                    _ => false,
                }))
    }

    /// Whether they hold any role of the FOI system.
    pub fn is_foi_staff(&self) -> bool {
        self.is_staff()
            && (self.has(Role::FoiManager)
                || self.has(Role::FoiResponder)
                || self.has(Role::FoiDisclosure)
                || self.has(Role::FoiPress)
                || self.has(Role::FoiPrivateOffice))
    }

    /// Whether they see every FOI case, its requester and the statistics:
    /// the central FOI team and the disclosure team.
    pub fn is_foi_manager(&self) -> bool {
        self.is_staff() && (self.has(Role::FoiManager) || self.has(Role::FoiDisclosure))
    }

    /// Whether they hold any role of the security incidents system.
    pub fn is_incidents_staff(&self) -> bool {
        self.is_staff()
            && (self.has(Role::IncidentReporter)
                || self.has(Role::SecurityTeam)
                || self.has(Role::NationalSecurity))
    }

    /// Whether they review incidents somewhere: an establishment's security
    /// team, or national security.
    pub fn is_security(&self) -> bool {
        self.is_staff() && (self.has(Role::SecurityTeam) || self.has(Role::NationalSecurity))
    }

    /// Whether they may report incidents at establishment `id`.
    pub fn reports_incidents_at(&self, id: &str) -> bool {
        self.is_staff()
            && (self.has_at(Role::IncidentReporter, id)
                || self.has_at(Role::SecurityTeam, id)
                || self.has(Role::NationalSecurity))
    }

    /// Whether they review every incident report of establishment `id`.
    pub fn reviews_incidents_at(&self, id: &str) -> bool {
        self.is_staff() && (self.has_at(Role::SecurityTeam, id) || self.has(Role::NationalSecurity))
    }

    /// The establishments whose incidents they review: `None` for every
    /// one (national security).
    pub fn incident_establishments(&self) -> Option<Vec<String>> {
        if self.has(Role::NationalSecurity) {
            return None;
        }
        let mut ids: Vec<String> = self
            .grants
            .iter()
            .filter(|g| matches!(g.role, Role::SecurityTeam | Role::IncidentReporter))
            .filter_map(|g| match &g.scope {
                Scope::Establishment(e) => Some(e.clone()),
                _ => None,
            })
            .collect();
        ids.sort();
        ids.dedup();
        Some(ids)
    }

    /// Whether they run video calls at establishment `id`.
    pub fn runs_calls_at(&self, id: &str) -> bool {
        self.is_staff()
            && (self.has(Role::NationalAdmin)
                || self.has_at(Role::CallsOfficer, id)
                || self.has_at(Role::CallsAdmin, id))
    }

    /// Whether they set video calls up at establishment `id`.
    pub fn administers_calls_at(&self, id: &str) -> bool {
        self.is_staff() && (self.has(Role::NationalAdmin) || self.has_at(Role::CallsAdmin, id))
    }

    /// Whether they run video calls anywhere.
    pub fn is_calls_staff(&self) -> bool {
        self.is_staff()
            && (self.has(Role::NationalAdmin)
                || self.has(Role::CallsOfficer)
                || self.has(Role::CallsAdmin))
    }

    /// Whether they check callers' identity documents.
    pub fn is_verifier(&self) -> bool {
        self.is_staff() && self.has(Role::IdentityVerifier)
    }

    /// Whether they may change establishment `id`'s settings.
    pub fn can_administer(&self, id: &str) -> bool {
        self.is_staff()
            && (self.has(Role::NationalAdmin) || self.has_at(Role::EstablishmentAdmin, id))
    }

    /// The user as the actor a history records.
    pub fn actor(&self) -> crate::Actor {
        crate::Actor {
            id: self.id.clone(),
            name: self.name.clone(),
        }
    }

    fn is_datalab(&self, role: Role) -> bool {
        self.kind == Kind::DataLab && self.has(role)
    }

    /// A provider organisation's user (with the organisation's key).
    pub fn provider_organisation(&self) -> Option<&str> {
        if self.kind != Kind::DataLab {
            return None;
        }
        self.grants.iter().find_map(|g| match (&g.role, &g.scope) {
            (Role::Provider, Scope::Organisation(o)) => Some(o.as_str()),
            _ => None,
        })
    }

    pub fn is_analyst(&self) -> bool {
        self.is_datalab(Role::Analyst)
    }

    pub fn is_asset_owner(&self) -> bool {
        self.is_datalab(Role::AssetOwner)
    }

    pub fn is_national_admin(&self) -> bool {
        self.is_staff() && self.has(Role::NationalAdmin)
    }

    /// Whether they administer any establishment (or all).
    pub fn is_admin(&self) -> bool {
        self.is_staff() && (self.has(Role::NationalAdmin) || self.has(Role::EstablishmentAdmin))
    }
}

/// The live sessions, in the database only: every instance sees the same
/// ones, so a session ended on one (sign-out, a password change) is ended on
/// all.
#[derive(Clone)]
pub struct SessionStore {
    db: Db,
    idle_secs: i64,
}

impl SessionStore {
    pub fn new(db: Db, idle_secs: u64) -> SessionStore {
        SessionStore {
            db,
            idle_secs: idle_secs as i64,
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
        // A write per request would cost more than the rest of most
        // requests: the stored time may lag by a minute (or a quarter of
        // the idle limit, if that is shorter).
        if t - last_seen >= TOUCH_EVERY_SECS.min(self.idle_secs / 4) {
            sqlx::query("UPDATE web_sessions SET last_seen = $1 WHERE id_hash = $2")
                .bind(t)
                .bind(&key)
                .execute(self.db.writer())
                .await?;
        }
        let data: SessionData = serde_json::from_str(&json)
            .map_err(|e| Error::Corrupt(format!("session data: {e}")))?;
        Ok(Some((key, data)))
    }

    /// Starts a session; returns the cookie's token, the key and the data.
    /// The form token is new unless `keep_csrf` and the data has one.
    pub async fn create(
        &self,
        data: Option<SessionData>,
        keep_csrf: bool,
    ) -> Result<(String, String, SessionData)> {
        let token = random_token(32);
        let key = sha256_hex(&token);
        let mut data = data.unwrap_or_default();
        if !keep_csrf || data.csrf.is_empty() {
            data.csrf = random_token(24);
        }
        self.save(&key, &data).await?;
        Ok((token, key, data))
    }

    /// Stores a session's data.
    pub async fn save(&self, key: &str, data: &SessionData) -> Result<()> {
        let json = serde_json::to_string(data).map_err(|e| Error::Corrupt(e.to_string()))?;
        sqlx::query(
            "INSERT INTO web_sessions (id_hash, account_id, data, last_seen) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (id_hash) DO UPDATE SET account_id = excluded.account_id, data = excluded.data, last_seen = excluded.last_seen",
        )
        .bind(key)
        .bind(data.user.as_ref().map(|u| u.id.clone()))
        .bind(&json)
        .bind(now())
        .execute(self.db.writer())
        .await?;
        Ok(())
    }

    /// Ends a session.
    pub async fn delete(&self, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM web_sessions WHERE id_hash = $1")
            .bind(key)
            .execute(self.db.writer())
            .await?;
        Ok(())
    }

    /// Deletes every session idle for longer than the limit. Returns how
    /// many were deleted.
    pub async fn sweep(&self) -> Result<u64> {
        let cutoff = now() - self.idle_secs;
        let done = sqlx::query("DELETE FROM web_sessions WHERE last_seen < $1")
            .bind(cutoff)
            .execute(self.db.writer())
            .await?;
        Ok(done.rows_affected())
    }
}
