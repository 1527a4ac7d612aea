//! Subject access (UK GDPR article 15): everything held about one person,
//! gathered from every system in one action. The platform finds the
//! person's accounts; each system implements [`SubjectAccess`] to add what
//! it holds, found by name (and date of birth), email address or account;
//! the server asks them all and the export says what was searched.

use maud::Markup;
use serde::Serialize;

use crate::db::Db;
use crate::error::Result;
use crate::jobs::BoxFuture;

/// Whom to look for. Every field that is set widens the search; a system
/// matches what it can (visits match names, addresses and accounts).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Subject {
    /// Full name, compared without regard to case or spacing.
    pub name: Option<String>,
    /// Date of birth (YYYY-MM-DD), narrowing a name.
    pub date_of_birth: Option<String>,
    /// Email address, lower case.
    pub email: Option<String>,
    /// The accounts found for the name or address (their keys).
    #[serde(skip)]
    pub accounts: Vec<String>,
}

/// One system's part of an export.
pub struct Section {
    /// The key in the JSON export ("visits").
    pub key: &'static str,
    /// How many records were found, and what they are ("visits").
    pub found: usize,
    /// What they are, plural, for "Found 2 visits".
    pub noun: &'static str,
    /// The records, for the JSON export.
    pub json: serde_json::Value,
    /// The records, for the web page export.
    pub html: Markup,
}

/// What a system implements so that subject access reaches its data.
pub trait SubjectAccess: Send + Sync {
    /// Everything the system holds about `who`.
    fn gather<'a>(&'a self, db: &'a Db, who: &'a Subject) -> BoxFuture<'a, Result<Section>>;
}

/// An account as exported (no password hash).
#[derive(Debug, Clone, Serialize)]
pub struct AccountRecord {
    /// Key.
    #[serde(skip)]
    pub id: String,
    /// Email address.
    pub email: String,
    /// Name.
    pub name: String,
    /// Visitor, staff or Data Lab.
    pub kind: String,
    /// When created.
    pub created_at: i64,
    /// Whether the address was confirmed.
    pub confirmed: bool,
}

/// The accounts whose name or email address matches `who`.
pub async fn accounts(db: &Db, who: &Subject) -> Result<Vec<AccountRecord>> {
    let name = who.name.clone().unwrap_or_default();
    let email = who.email.clone().unwrap_or_default();
    let rows: Vec<(String, String, String, String, i64, Option<i64>)> = sqlx::query_as(
        "SELECT id, email, name, kind, created_at, verified_at FROM accounts \
         WHERE ($1 <> '' AND LOWER(name) = LOWER($1)) OR ($2 <> '' AND email = $2) ORDER BY created_at, id",
    )
    .bind(&name)
    .bind(&email)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, email, name, kind, created_at, verified)| AccountRecord {
                id,
                email,
                name,
                kind,
                created_at,
                confirmed: verified.is_some(),
            },
        )
        .collect())
}
