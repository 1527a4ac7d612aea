//! Accounts: families (email and password, confirmed by a link), prison
//! staff (with a role and the establishments they work for), and the
//! Justice Data Lab's users: providers' staff (each of one organisation),
//! the lab's analysts and its information asset owner.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::db::{Db, is_unique_violation};
use crate::error::{Error, Result};
use crate::ids::{new_id, random_token, sha256_hex};
use crate::now;

/// Who an account belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A member of the public who books visits.
    Visitor,
    /// Prison or headquarters staff.
    Staff,
    /// A user of the Justice Data Lab: a provider organisation's staff or
    /// the lab's own (see [`Role`]).
    DataLab,
}

impl Kind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Visitor => "visitor",
            Kind::Staff => "staff",
            Kind::DataLab => "datalab",
        }
    }

    /// Parses a stored name. An unknown kind is corrupt data, never a
    /// visitor by default.
    pub fn parse(s: &str) -> Result<Kind> {
        match s {
            "visitor" => Ok(Kind::Visitor),
            "staff" => Ok(Kind::Staff),
            "datalab" => Ok(Kind::DataLab),
            other => Err(Error::Corrupt(format!("account kind {other:?}"))),
        }
    }
}

/// What a staff member may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Processes the visit queue of named establishments.
    BookingStaff,
    /// Also changes the settings of named establishments.
    EstablishmentAdmin,
    /// Everything, everywhere, including subject access and the audit log.
    NationalAdmin,
    /// Data Lab: a provider organisation's user, who submits cohorts and
    /// receives reports for that organisation only.
    Provider,
    /// Data Lab: a lab analyst, who runs, checks and issues requests.
    Analyst,
    /// Data Lab: the information asset owner, who oversees the audit log
    /// and the destruction certificates.
    AssetOwner,
    /// Video calls: keeps named establishments' approved contacts, enters
    /// prisoners' call requests and runs the day's calls.
    CallsOfficer,
    /// Video calls: also sets named establishments' call times, allowance
    /// and rollout stage, and grants extra calls.
    CallsAdmin,
    /// Video calls: checks callers' identity documents, nationally.
    IdentityVerifier,
    /// Security incidents: reports incidents at named establishments and
    /// sees the reports they wrote.
    IncidentReporter,
    /// Security incidents: the establishment's security team (HMPPS's
    /// "data wardens"), who review, close and investigate every report of
    /// named establishments and see their statistics.
    SecurityTeam,
    /// Security incidents: headquarters security, who see every
    /// establishment's reports and publish the statistics.
    NationalSecurity,
    /// FOI: the central FOI team, who log requests, assign them to
    /// business units, run internal reviews and appeals, and see every
    /// case and the statistics.
    FoiManager,
    /// FOI: a business unit's responder, who accepts and drafts the
    /// answers of the units they belong to (the units are the FOI
    /// system's).
    FoiResponder,
    /// FOI: the disclosure team, who clear flagged responses and may flag
    /// any case.
    FoiDisclosure,
    /// FOI: the press office, who clear cases flagged for full approval.
    FoiPress,
    /// FOI: the private office, who clear cases flagged for full approval.
    FoiPrivateOffice,
}

impl Role {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::BookingStaff => "booking_staff",
            Role::EstablishmentAdmin => "establishment_admin",
            Role::NationalAdmin => "national_admin",
            Role::Provider => "provider",
            Role::Analyst => "analyst",
            Role::AssetOwner => "asset_owner",
            Role::CallsOfficer => "calls_officer",
            Role::CallsAdmin => "calls_admin",
            Role::IdentityVerifier => "identity_verifier",
            Role::IncidentReporter => "incident_reporter",
            Role::SecurityTeam => "security_team",
            Role::NationalSecurity => "national_security",
            Role::FoiManager => "foi_manager",
            Role::FoiResponder => "foi_responder",
            Role::FoiDisclosure => "foi_disclosure",
            Role::FoiPress => "foi_press",
            Role::FoiPrivateOffice => "foi_private_office",
        }
    }

    /// The account kind the role belongs to.
    pub fn kind(self) -> Kind {
        match self {
            Role::BookingStaff
            | Role::EstablishmentAdmin
            | Role::NationalAdmin
            | Role::CallsOfficer
            | Role::CallsAdmin
            | Role::IdentityVerifier
            | Role::IncidentReporter
            | Role::SecurityTeam
            | Role::NationalSecurity
            | Role::FoiManager
            | Role::FoiResponder
            | Role::FoiDisclosure
            | Role::FoiPress
            | Role::FoiPrivateOffice => Kind::Staff,
            Role::Provider | Role::Analyst | Role::AssetOwner => Kind::DataLab,
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "booking_staff" => Some(Role::BookingStaff),
            "establishment_admin" => Some(Role::EstablishmentAdmin),
            "national_admin" => Some(Role::NationalAdmin),
            "provider" => Some(Role::Provider),
            "analyst" => Some(Role::Analyst),
            "asset_owner" => Some(Role::AssetOwner),
            "calls_officer" => Some(Role::CallsOfficer),
            "calls_admin" => Some(Role::CallsAdmin),
            "identity_verifier" => Some(Role::IdentityVerifier),
            "incident_reporter" => Some(Role::IncidentReporter),
            "security_team" => Some(Role::SecurityTeam),
            "national_security" => Some(Role::NationalSecurity),
            "foi_manager" => Some(Role::FoiManager),
            "foi_responder" => Some(Role::FoiResponder),
            "foi_disclosure" => Some(Role::FoiDisclosure),
            "foi_press" => Some(Role::FoiPress),
            "foi_private_office" => Some(Role::FoiPrivateOffice),
            _ => None,
        }
    }

    /// Every role, in the order the accounts page offers them.
    pub const ALL: [Role; 17] = [
        Role::BookingStaff,
        Role::EstablishmentAdmin,
        Role::CallsOfficer,
        Role::CallsAdmin,
        Role::IdentityVerifier,
        Role::IncidentReporter,
        Role::SecurityTeam,
        Role::NationalSecurity,
        Role::FoiManager,
        Role::FoiResponder,
        Role::FoiDisclosure,
        Role::FoiPress,
        Role::FoiPrivateOffice,
        Role::NationalAdmin,
        Role::Provider,
        Role::Analyst,
        Role::AssetOwner,
    ];

    /// The system whose role it is (`platform` for the administrator of
    /// them all).
    pub fn system(self) -> &'static str {
        match self {
            Role::BookingStaff | Role::EstablishmentAdmin => "visits",
            Role::NationalAdmin => "platform",
            Role::Provider | Role::Analyst | Role::AssetOwner => "lab",
            Role::CallsOfficer | Role::CallsAdmin | Role::IdentityVerifier => "calls",
            Role::IncidentReporter | Role::SecurityTeam | Role::NationalSecurity => "incidents",
            Role::FoiManager
            | Role::FoiResponder
            | Role::FoiDisclosure
            | Role::FoiPress
            | Role::FoiPrivateOffice => "foi",
        }
    }

    /// The kind of scope a grant of this role has.
    pub fn scope_kind(self) -> &'static str {
        match self {
            Role::BookingStaff
            | Role::EstablishmentAdmin
            | Role::CallsOfficer
            | Role::CallsAdmin
            | Role::IncidentReporter
            | Role::SecurityTeam => "establishment",
            Role::Provider => "organisation",
            Role::NationalAdmin
            | Role::Analyst
            | Role::AssetOwner
            | Role::IdentityVerifier
            | Role::NationalSecurity
            | Role::FoiManager
            | Role::FoiResponder
            | Role::FoiDisclosure
            | Role::FoiPress
            | Role::FoiPrivateOffice => "national",
        }
    }

    /// How people read it.
    pub fn label(self) -> &'static str {
        match self {
            Role::BookingStaff => "Booking staff",
            Role::EstablishmentAdmin => "Establishment administrator",
            Role::NationalAdmin => "National administrator",
            Role::Provider => "Data Lab provider",
            Role::Analyst => "Data Lab analyst",
            Role::AssetOwner => "Information asset owner",
            Role::CallsOfficer => "Video calls officer",
            Role::CallsAdmin => "Video calls administrator",
            Role::IdentityVerifier => "Identity verifier",
            Role::IncidentReporter => "Incident reporting officer",
            Role::SecurityTeam => "Security team (data warden)",
            Role::NationalSecurity => "National security",
            Role::FoiManager => "FOI case manager",
            Role::FoiResponder => "FOI responder",
            Role::FoiDisclosure => "FOI disclosure team",
            Role::FoiPress => "Press office (FOI clearance)",
            Role::FoiPrivateOffice => "Private office (FOI clearance)",
        }
    }
}

/// Who is acting, for a record's history.
#[derive(Debug, Clone)]
pub struct Actor {
    /// Account key, or "system".
    pub id: String,
    /// Name, for the history as staff read it.
    pub name: String,
}

impl Actor {
    /// The service itself (scheduled jobs).
    pub fn system() -> Actor {
        Actor {
            id: "system".into(),
            name: "Lifeline (scheduled)".into(),
        }
    }
}

/// An account as stored (without its password hash).
#[derive(Debug, Clone)]
pub struct Account {
    /// Key.
    pub id: String,
    /// Sign-in name, lower case.
    pub email: String,
    /// Full name.
    pub name: String,
    /// Visitor or staff.
    pub kind: Kind,
    /// What the account may do, and where.
    pub grants: Vec<Grant>,
    /// Whether the email address has been confirmed.
    pub verified: bool,
}

/// Where a grant applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Scope {
    /// Everywhere.
    National,
    /// One establishment of the registry (its key).
    Establishment(String),
    /// One organisation (its key).
    Organisation(String),
}

impl Scope {
    /// `national`, `establishment` or `organisation`.
    pub fn kind(&self) -> &'static str {
        match self {
            Scope::National => "national",
            Scope::Establishment(_) => "establishment",
            Scope::Organisation(_) => "organisation",
        }
    }

    /// The establishment's or organisation's key (empty when national).
    pub fn id(&self) -> &str {
        match self {
            Scope::National => "",
            Scope::Establishment(id) | Scope::Organisation(id) => id,
        }
    }

    /// A scope from its kind and key, as stored.
    pub fn parse(kind: &str, id: String) -> Result<Scope> {
        Ok(match kind {
            "national" => Scope::National,
            "establishment" => Scope::Establishment(id),
            "organisation" => Scope::Organisation(id),
            other => return Err(Error::Corrupt(format!("grant scope {other:?}"))),
        })
    }
}

/// A role granted to an account, in a scope: `(system, role, scope)`, the
/// system being the role's own. One account may hold several (an officer
/// who books visits at one prison and administers another).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// What the account may do.
    pub role: Role,
    /// Where.
    pub scope: Scope,
}

impl Grant {
    /// A grant, checked: the scope must be the kind the role takes.
    pub fn new(role: Role, scope: Scope) -> Result<Grant> {
        if role.scope_kind() != scope.kind() {
            return Err(Error::Conflict(format!(
                "a {} is granted for {} scope, not {}",
                role.label().to_lowercase(),
                role.scope_kind(),
                scope.kind()
            )));
        }
        Ok(Grant { role, scope })
    }
}

/// The grants an account holds.
pub async fn grants_of(db: &Db, account_id: &str) -> Result<Vec<Grant>> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT role, scope_kind, scope_id FROM role_grants WHERE account_id = $1 ORDER BY system, role, scope_id",
    )
    .bind(account_id)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(role, kind, id)| {
            Ok(Grant {
                role: Role::parse(&role)
                    .ok_or_else(|| Error::Corrupt(format!("grant role {role:?}")))?,
                scope: Scope::parse(&kind, id)?,
            })
        })
        .collect()
}

async fn insert_grant(
    conn: &mut sqlx::AnyConnection,
    account_id: &str,
    g: &Grant,
    by: &str,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO role_grants (account_id, system, role, scope_kind, scope_id, granted_by, granted_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (account_id, system, role, scope_kind, scope_id) DO NOTHING",
    )
    .bind(account_id)
    .bind(g.role.system())
    .bind(g.role.as_str())
    .bind(g.scope.kind())
    .bind(g.scope.id())
    .bind(by)
    .bind(now())
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Withdraws `grant` from an account, audited in the same transaction.
/// `false` when the account did not hold it. The last national
/// administrator's grant cannot be withdrawn: nobody could then manage
/// accounts.
pub async fn revoke(db: &Db, account_id: &str, grant: &Grant, by: &str) -> Result<bool> {
    let mut tx = db.begin_write().await?;
    if grant.role == Role::NationalAdmin {
        let admins: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM role_grants WHERE role = 'national_admin'")
                .fetch_one(&mut *tx)
                .await?;
        if admins <= 1 {
            return Err(Error::Conflict(
                "the last national administrator cannot lose that role".into(),
            ));
        }
    }
    let gone = sqlx::query(
        "DELETE FROM role_grants WHERE account_id = $1 AND system = $2 AND role = $3 AND scope_kind = $4 AND scope_id = $5",
    )
    .bind(account_id)
    .bind(grant.role.system())
    .bind(grant.role.as_str())
    .bind(grant.scope.kind())
    .bind(grant.scope.id())
    .execute(&mut *tx)
    .await?;
    if gone.rows_affected() == 0 {
        return Ok(false);
    }
    crate::audit::record(
        &mut tx,
        by,
        "account.revoke",
        account_id,
        &format!(
            "{} {} {}",
            grant.role.system(),
            grant.role.as_str(),
            grant.scope.id()
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Grants `grant` to an existing account, audited in the same transaction.
/// The role must suit the account (a prison role for staff, a Data Lab role
/// for a Data Lab account). `false` when the account already held it.
pub async fn grant(db: &Db, account_id: &str, grant: &Grant, by: &str) -> Result<bool> {
    let mut tx = db.begin_write().await?;
    let kind: Option<String> = sqlx::query_scalar("SELECT kind FROM accounts WHERE id = $1")
        .bind(account_id)
        .fetch_optional(&mut *tx)
        .await?;
    let kind = Kind::parse(&kind.ok_or(Error::NotFound)?)?;
    if grant.role.kind() != kind {
        return Err(Error::Conflict(format!(
            "a {} account cannot be given the role {}",
            kind.as_str(),
            grant.role.label().to_lowercase()
        )));
    }
    let added = insert_grant(&mut tx, account_id, grant, by).await?;
    if added {
        crate::audit::record(
            &mut tx,
            by,
            "account.grant",
            account_id,
            &format!(
                "{} {} {}",
                grant.role.system(),
                grant.role.as_str(),
                grant.scope.id()
            ),
        )
        .await?;
    }
    tx.commit().await?;
    // Signed-in sessions read their grants afresh on every request, so the
    // grant holds from the next page.
    Ok(added)
}

/// Password hashing with a configurable memory cost.
#[derive(Debug, Clone, Copy)]
pub struct Hasher {
    memory_kib: u32,
}

impl Hasher {
    /// Argon2id with `memory_kib` of memory, two passes, one lane.
    pub fn new(memory_kib: u32) -> Hasher {
        Hasher {
            memory_kib: memory_kib.max(Params::MIN_M_COST),
        }
    }

    fn argon(&self) -> Result<Argon2<'static>> {
        let params =
            Params::new(self.memory_kib, 2, 1, None).map_err(|e| Error::Hash(e.to_string()))?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }

    /// A PHC string for the password.
    pub fn hash(&self, password: &str) -> Result<String> {
        let mut salt = [0u8; 16];
        rand::fill(&mut salt[..]);
        let salt = SaltString::encode_b64(&salt).map_err(|e| Error::Hash(e.to_string()))?;
        Ok(self
            .argon()?
            .hash_password(password.as_bytes(), &salt)
            .map_err(|e| Error::Hash(e.to_string()))?
            .to_string())
    }

    /// Whether the password matches a stored hash.
    pub fn verify(&self, password: &str, stored: &str) -> bool {
        let Ok(parsed) = PasswordHash::new(stored) else {
            return false;
        };
        // The parameters come from the stored string, so raising the cost
        // later leaves old hashes verifiable.
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    }
}

/// Normalises an email address for storage and look-up.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

fn account_from_row(row: &sqlx::any::AnyRow) -> Result<Account> {
    let kind: String = row.try_get("kind")?;
    let verified: Option<i64> = row.try_get("verified_at")?;
    Ok(Account {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        kind: Kind::parse(&kind)?,
        grants: Vec::new(),
        verified: verified.is_some(),
    })
}

/// How long a confirmation link works.
pub const VERIFY_LINK_SECS: i64 = 24 * 3600;
/// How long an account nobody confirmed is kept before it is deleted.
pub const UNCONFIRMED_KEEP_SECS: i64 = 7 * 24 * 3600;
/// How long a password reset link works.
pub const RESET_LINK_SECS: i64 = 3600;

/// Registers a member of the public. Returns the account and the secret for
/// the confirmation link; [`Error::Conflict`] if a confirmed account has
/// the address.
///
/// An address whose account was never confirmed is not taken: registering
/// it again replaces that account (its name, password and link), so whoever
/// holds the mailbox can always claim it, and a link sent before no longer
/// works.
pub async fn register_visitor(
    db: &Db,
    hasher: &Hasher,
    email: &str,
    name: &str,
    password: &str,
) -> Result<(Account, String)> {
    let email = normalise_email(email);
    let hash = hasher.hash(password)?;
    let token = random_token(24);
    let id = new_id();
    let t = now();
    let mut tx = db.begin_write().await?;
    let existing: Option<(String, Option<i64>)> =
        sqlx::query_as("SELECT id, verified_at FROM accounts WHERE email = $1")
            .bind(&email)
            .fetch_optional(&mut *tx)
            .await?;
    let id = match existing {
        Some((_, Some(_))) => {
            return Err(Error::Conflict(
                "an account with that email address already exists".into(),
            ));
        }
        Some((old, None)) => {
            sqlx::query(
                "UPDATE accounts SET password_hash = $1, name = $2, verify_token_hash = $3, verify_sent_at = $4 \
                 WHERE id = $5 AND verified_at IS NULL",
            )
            .bind(&hash)
            .bind(name)
            .bind(sha256_hex(&token))
            .bind(t)
            .bind(&old)
            .execute(&mut *tx)
            .await?;
            old
        }
        None => {
            let result = sqlx::query(
                "INSERT INTO accounts (id, email, password_hash, kind, name, verified_at, verify_token_hash, verify_sent_at, created_at) \
                 VALUES ($1, $2, $3, 'visitor', $4, NULL, $5, $6, $6)",
            )
            .bind(&id)
            .bind(&email)
            .bind(&hash)
            .bind(name)
            .bind(sha256_hex(&token))
            .bind(t)
            .execute(&mut *tx)
            .await
            .map_err(Error::from);
            match result {
                Ok(_) => id,
                Err(e) if is_unique_violation(&e) => {
                    return Err(Error::Conflict(
                        "an account with that email address already exists".into(),
                    ));
                }
                Err(e) => return Err(e),
            }
        }
    };
    tx.commit().await?;
    Ok((
        Account {
            id,
            email,
            name: name.to_owned(),
            kind: Kind::Visitor,
            grants: Vec::new(),
            verified: false,
        },
        token,
    ))
}

/// Confirms the email address whose link carried `token`, when `password`
/// is the account's: a link alone proves only that someone reads the
/// mailbox, not that they made the account, so the owner of an address
/// cannot be tricked into confirming an account someone else made with it.
/// Returns the account confirmed, if the token was valid, unexpired and the
/// password right.
pub async fn verify_email(
    db: &Db,
    hasher: &Hasher,
    token: &str,
    password: &str,
) -> Result<Option<String>> {
    let hash = sha256_hex(token);
    let row: Option<(String, String, Option<i64>)> = sqlx::query_as(
        "SELECT id, password_hash, verify_sent_at FROM accounts WHERE verify_token_hash = $1 AND verified_at IS NULL",
    )
    .bind(&hash)
    .fetch_optional(db.pool())
    .await?;
    let Some((id, stored, sent)) = row else {
        return Ok(None);
    };
    if sent.is_some_and(|s| now() - s > VERIFY_LINK_SECS) {
        return Ok(None);
    }
    let (h, pw) = (*hasher, password.to_owned());
    let ok = tokio::task::spawn_blocking(move || h.verify(&pw, &stored))
        .await
        .unwrap_or(false);
    if !ok {
        return Ok(None);
    }
    let done = sqlx::query(
        "UPDATE accounts SET verified_at = $1, verify_token_hash = NULL WHERE id = $2 AND verify_token_hash = $3",
    )
    .bind(now())
    .bind(&id)
    .bind(&hash)
    .execute(db.writer())
    .await?;
    Ok((done.rows_affected() == 1).then_some(id))
}

/// Whether a confirmation link's token belongs to an account still waiting
/// for it (the page asks for the password only then).
pub async fn verify_token_pending(db: &Db, token: &str) -> Result<bool> {
    let sent: Option<Option<i64>> = sqlx::query_scalar(
        "SELECT verify_sent_at FROM accounts WHERE verify_token_hash = $1 AND verified_at IS NULL",
    )
    .bind(sha256_hex(token))
    .fetch_optional(db.pool())
    .await?;
    Ok(matches!(sent, Some(s) if s.is_none_or(|s| now() - s <= VERIFY_LINK_SECS)))
}

/// Deletes accounts never confirmed within [`UNCONFIRMED_KEEP_SECS`].
pub async fn delete_unconfirmed(db: &Db) -> Result<u64> {
    let cutoff = now() - UNCONFIRMED_KEEP_SECS;
    let mut tx = db.begin_write().await?;
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM accounts WHERE verified_at IS NULL AND kind = 'visitor' AND created_at < $1",
    )
    .bind(cutoff)
    .fetch_all(&mut *tx)
    .await?;
    for id in &ids {
        sqlx::query("DELETE FROM password_resets WHERE account_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM accounts WHERE id = $1 AND verified_at IS NULL")
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(ids.len() as u64)
}

/// A hash to verify against when the address is unknown, so that the
/// answer takes as long either way and does not reveal who has an account.
fn dummy_hash(hasher: &Hasher) -> String {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY
        .get_or_init(|| hasher.hash("not a password anyone has").unwrap_or_default())
        .clone()
}

/// Checks an email address and password. `None` for any mismatch.
pub async fn authenticate(
    db: &Db,
    hasher: &Hasher,
    email: &str,
    password: &str,
) -> Result<Option<Account>> {
    let email = normalise_email(email);
    let row = sqlx::query(
        "SELECT id, email, name, kind, verified_at, password_hash FROM accounts WHERE email = $1",
    )
    .bind(&email)
    .fetch_optional(db.pool())
    .await?;
    let stored: String = match &row {
        Some(row) => row.try_get("password_hash")?,
        None => dummy_hash(hasher),
    };
    let password = password.to_owned();
    let hasher = *hasher;
    // Hashing takes tens of milliseconds of CPU: keep it off the threads
    // that serve other requests.
    let ok = tokio::task::spawn_blocking(move || hasher.verify(&password, &stored))
        .await
        .unwrap_or(false);
    match row {
        Some(row) if ok => {
            let mut account = account_from_row(&row)?;
            account.grants = grants_of(db, &account.id).await?;
            Ok(Some(account))
        }
        _ => Ok(None),
    }
}

/// Creates a staff account with `role` at each of `establishments` (a
/// national administrator's grant is national, and takes none). Staff
/// accounts need no email confirmation: an administrator vouches for them.
pub async fn create_staff(
    db: &Db,
    hasher: &Hasher,
    new: &NewAccount<'_>,
    role: Role,
    establishments: &[&str],
) -> Result<Account> {
    if role.kind() != Kind::Staff {
        return Err(Error::Conflict("not a prison staff role".into()));
    }
    let grants = if role.scope_kind() == "national" {
        vec![Grant::new(role, Scope::National)?]
    } else {
        establishments
            .iter()
            .map(|e| Grant::new(role, Scope::Establishment((*e).to_owned())))
            .collect::<Result<Vec<_>>>()?
    };
    let hash = hasher.hash(new.password)?;
    let mut tx = db.begin_write().await?;
    let account = insert_vouched(&mut tx, Kind::Staff, &grants, new, &hash).await?;
    tx.commit().await?;
    Ok(account)
}

/// Who a vouched-for account is, and who made it (recorded in the audit
/// log with the account, in one transaction).
#[derive(Debug, Clone, Copy)]
pub struct NewAccount<'a> {
    /// Sign-in name.
    pub email: &'a str,
    /// Full name.
    pub name: &'a str,
    /// First password.
    pub password: &'a str,
    /// The administrator who made it (account key), or "system".
    pub by: &'a str,
}

/// Inserts an account that an administrator vouches for (so needs no
/// email confirmation), with `hash` its password's hash, and its grants.
async fn insert_vouched(
    conn: &mut sqlx::AnyConnection,
    kind: Kind,
    grants: &[Grant],
    new: &NewAccount<'_>,
    hash: &str,
) -> Result<Account> {
    let (name, by) = (new.name, new.by);
    let email = normalise_email(new.email);
    let id = new_id();
    let inserted = sqlx::query(
        "INSERT INTO accounts (id, email, password_hash, kind, name, verified_at, verify_token_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, NULL, $6)",
    )
    .bind(&id)
    .bind(&email)
    .bind(hash)
    .bind(kind.as_str())
    .bind(name)
    .bind(now())
    .execute(&mut *conn)
    .await
    .map_err(Error::from);
    if let Err(e) = inserted {
        return Err(if is_unique_violation(&e) {
            Error::Conflict("an account with that email address already exists".into())
        } else {
            e
        });
    }
    for g in grants {
        insert_grant(conn, &id, g, by).await?;
    }
    let roles: Vec<String> = grants
        .iter()
        .map(|g| format!("{} {} {}", g.role.system(), g.role.as_str(), g.scope.id()))
        .collect();
    crate::audit::record(conn, by, "account.create_staff", &id, &roles.join("; ")).await?;
    Ok(Account {
        id,
        email,
        name: name.to_owned(),
        kind,
        grants: grants.to_vec(),
        verified: true,
    })
}

/// The key of the organisation called `name`, made on first use. Names
/// are compared as typed, after trimming.
async fn ensure_organisation(conn: &mut sqlx::AnyConnection, name: &str) -> Result<String> {
    let name = name.trim();
    // Names are unique: an organisation that exists (or that someone else
    // makes meanwhile) is kept, and its key read back.
    sqlx::query(
        "INSERT INTO organisations (id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
    )
    .bind(new_id())
    .bind(name)
    .bind(now())
    .execute(&mut *conn)
    .await?;
    Ok(
        sqlx::query_scalar("SELECT id FROM organisations WHERE name = $1")
            .bind(name)
            .fetch_one(&mut *conn)
            .await?,
    )
}

/// An organisation's name.
pub async fn organisation_name(db: &Db, id: &str) -> Result<String> {
    sqlx::query_scalar("SELECT name FROM organisations WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(Error::NotFound)
}

/// Creates a Data Lab account: a provider of `organisation` (required for
/// [`Role::Provider`], ignored otherwise), an analyst or the information
/// asset owner. Like staff accounts these are vouched for by the national
/// administrator who creates them, so need no email confirmation.
pub async fn create_datalab(
    db: &Db,
    hasher: &Hasher,
    new: &NewAccount<'_>,
    role: Role,
    organisation: Option<&str>,
) -> Result<Account> {
    if role.kind() != Kind::DataLab {
        return Err(Error::Conflict("not a Data Lab role".into()));
    }
    let organisation = match (role, organisation) {
        (Role::Provider, Some(o)) if !o.trim().is_empty() => Some(o),
        (Role::Provider, _) => {
            return Err(Error::Conflict(
                "a provider account needs an organisation".into(),
            ));
        }
        _ => None,
    };
    let hash = hasher.hash(new.password)?;
    // One transaction, so an account refused (its email taken) leaves no
    // organisation behind.
    let mut tx = db.begin_write().await?;
    let scope = match organisation {
        Some(o) => Scope::Organisation(ensure_organisation(&mut tx, o).await?),
        None => Scope::National,
    };
    let grant = Grant::new(role, scope)?;
    let account = insert_vouched(&mut tx, Kind::DataLab, &[grant], new, &hash).await?;
    tx.commit().await?;
    Ok(account)
}

/// Looks an account up by email address.
pub async fn find_by_email(db: &Db, email: &str) -> Result<Option<Account>> {
    let row =
        sqlx::query("SELECT id, email, name, kind, verified_at FROM accounts WHERE email = $1")
            .bind(normalise_email(email))
            .fetch_optional(db.pool())
            .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let mut account = account_from_row(&row)?;
    account.grants = grants_of(db, &account.id).await?;
    Ok(Some(account))
}

/// Makes sure a national administrator exists. Returns the password when
/// one was generated, for the operator to note.
pub async fn ensure_admin(
    db: &Db,
    hasher: &Hasher,
    email: &str,
    password: Option<&str>,
) -> Result<Option<String>> {
    let existing: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM role_grants WHERE role = 'national_admin'")
            .fetch_one(db.pool())
            .await?;
    if existing > 0 {
        return Ok(None);
    }
    let (password, generated) = match password {
        Some(p) => (p.to_owned(), false),
        None => (random_token(9), true),
    };
    create_staff(
        db,
        hasher,
        &NewAccount {
            email,
            name: "National administrator",
            password: &password,
            by: "system",
        },
        Role::NationalAdmin,
        &[],
    )
    .await?;
    Ok(generated.then_some(password))
}

/// Every staff and Data Lab account with its grants, by name.
pub async fn list_staff(db: &Db) -> Result<Vec<Account>> {
    let rows = sqlx::query(
        "SELECT id, email, name, kind, verified_at FROM accounts WHERE kind IN ('staff', 'datalab') ORDER BY name, email",
    )
    .fetch_all(db.pool())
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let mut a = account_from_row(r)?;
        a.grants = grants_of(db, &a.id).await?;
        out.push(a);
    }
    Ok(out)
}

/// Why a new password was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The current password given was wrong.
    WrongCurrent,
    /// The new password is the old one.
    SameAsOld,
    /// The new password is on the list of common passwords.
    Common,
}

/// The common passwords a new one may not be (NCSC's guidance: block the
/// passwords attackers try first). Only those long enough to pass the
/// length rule are listed; comparison ignores case.
const COMMON: &str = include_str!("../data/common-passwords.txt");

/// Whether `password` is on the common list.
pub fn is_common(password: &str) -> bool {
    let p = password.trim().to_lowercase();
    COMMON.lines().any(|l| l.trim() == p)
}

/// Changes a password after checking the current one, and ends the
/// account's other sessions (all but `keep`).
pub async fn change_password(
    db: &Db,
    hasher: &Hasher,
    account_id: &str,
    current: &str,
    new: &str,
    keep: Option<&str>,
) -> Result<std::result::Result<(), Refused>> {
    let stored: Option<String> =
        sqlx::query_scalar("SELECT password_hash FROM accounts WHERE id = $1")
            .bind(account_id)
            .fetch_optional(db.pool())
            .await?;
    let Some(stored) = stored else {
        return Err(Error::NotFound);
    };
    let (h, cur, stored2) = (*hasher, current.to_owned(), stored.clone());
    let ok = tokio::task::spawn_blocking(move || h.verify(&cur, &stored2))
        .await
        .unwrap_or(false);
    if !ok {
        return Ok(Err(Refused::WrongCurrent));
    }
    set_password(db, hasher, account_id, &stored, new, keep).await
}

/// Sets a new password (refusing the old one and common ones) and ends
/// every session of the account but `keep`, in one transaction.
async fn set_password(
    db: &Db,
    hasher: &Hasher,
    account_id: &str,
    stored: &str,
    new: &str,
    keep: Option<&str>,
) -> Result<std::result::Result<(), Refused>> {
    if is_common(new) {
        return Ok(Err(Refused::Common));
    }
    let (h, n, s) = (*hasher, new.to_owned(), stored.to_owned());
    if tokio::task::spawn_blocking(move || h.verify(&n, &s))
        .await
        .unwrap_or(false)
    {
        return Ok(Err(Refused::SameAsOld));
    }
    let hash = hasher.hash(new)?;
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE accounts SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM web_sessions WHERE account_id = $1 AND id_hash <> $2")
        .bind(account_id)
        .bind(keep.unwrap_or(""))
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM password_resets WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    crate::audit::record(
        &mut tx,
        account_id,
        "account.password",
        account_id,
        "password changed; other sessions ended",
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// Starts a password reset for a confirmed account with this address:
/// returns the account's name and the link's secret, or `None` when there
/// is no such account (the caller answers the same either way).
pub async fn start_reset(db: &Db, email: &str) -> Result<Option<(String, String)>> {
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT id, name FROM accounts WHERE email = $1 AND verified_at IS NOT NULL",
    )
    .bind(normalise_email(email))
    .fetch_optional(db.pool())
    .await?;
    let Some((id, name)) = row else {
        return Ok(None);
    };
    let token = random_token(24);
    let t = now();
    sqlx::query(
        "INSERT INTO password_resets (token_hash, account_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(sha256_hex(&token))
    .bind(&id)
    .bind(t)
    .bind(t + RESET_LINK_SECS)
    .execute(db.writer())
    .await?;
    Ok(Some((name, token)))
}

/// Whether a reset link's token is live.
pub async fn reset_pending(db: &Db, token: &str) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM password_resets WHERE token_hash = $1 AND expires_at >= $2",
    )
    .bind(sha256_hex(token))
    .bind(now())
    .fetch_one(db.pool())
    .await?;
    Ok(n > 0)
}

/// Sets a new password through a reset link: single use (every link of the
/// account is spent), expiring, and every session of the account is ended.
/// `Ok(None)` when the link is not live.
pub async fn finish_reset(
    db: &Db,
    hasher: &Hasher,
    token: &str,
    new: &str,
) -> Result<Option<std::result::Result<(), Refused>>> {
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT r.account_id, a.password_hash FROM password_resets r JOIN accounts a ON a.id = r.account_id \
         WHERE r.token_hash = $1 AND r.expires_at >= $2",
    )
    .bind(sha256_hex(token))
    .bind(now())
    .fetch_optional(db.pool())
    .await?;
    let Some((id, stored)) = row else {
        return Ok(None);
    };
    Ok(Some(
        set_password(db, hasher, &id, &stored, new, None).await?,
    ))
}
