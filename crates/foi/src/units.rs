//! Business units that answer requests, and the responders in each.

use platform::{Actor, Db, Error, Result, audit};
use sqlx::Row as _;

/// The units seeded on first run: the Ministry's own, as the requests
/// this platform's other systems draw answers from would reach them.
const SEEDED: [(&str, &str); 6] = [
    ("hmpps-security", "HMPPS Security Group"),
    (
        "hmpps-digital",
        "HMPPS Digital (prison visits and video calls)",
    ),
    ("justice-data-lab", "Justice Data Lab"),
    ("prison-policy", "Prison Policy"),
    ("data-protection", "Data Protection Office"),
    ("press-office", "Press Office"),
];

pub async fn seed(db: &Db) -> Result<()> {
    for (id, name) in SEEDED {
        sqlx::query("INSERT INTO foi_units (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING")
            .bind(id)
            .bind(name)
            .execute(db.writer())
            .await?;
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    pub id: String,
    pub name: String,
    /// (account id, name, email) of each member.
    pub members: Vec<(String, String, String)>,
}

pub async fn list(db: &Db) -> Result<Vec<Unit>> {
    let rows = sqlx::query("SELECT id, name FROM foi_units ORDER BY name")
        .fetch_all(db.pool())
        .await?;
    let members = sqlx::query(
        "SELECT m.unit_id, a.id, a.name, a.email FROM foi_unit_members m JOIN accounts a ON a.id = m.account_id ORDER BY a.name",
    )
    .fetch_all(db.pool())
    .await?;
    let mut out = Vec::new();
    for r in rows {
        let id: String = r.try_get("id")?;
        let mut unit = Unit {
            name: r.try_get("name")?,
            members: Vec::new(),
            id: id.clone(),
        };
        for m in &members {
            if m.try_get::<String, _>("unit_id")? == id {
                unit.members
                    .push((m.try_get("id")?, m.try_get("name")?, m.try_get("email")?));
            }
        }
        out.push(unit);
    }
    Ok(out)
}

/// The units `account` answers for.
pub async fn of(db: &Db, account: &str) -> Result<Vec<String>> {
    Ok(
        sqlx::query_scalar("SELECT unit_id FROM foi_unit_members WHERE account_id = $1")
            .bind(account)
            .fetch_all(db.pool())
            .await?,
    )
}

/// Adds the responder with `email` to `unit`.
pub async fn add_member(db: &Db, unit: &str, email: &str, by: &Actor) -> Result<()> {
    let account: Option<String> = sqlx::query_scalar(
        "SELECT a.id FROM accounts a JOIN role_grants g ON g.account_id = a.id \
         WHERE LOWER(a.email) = LOWER($1) AND g.role = 'foi_responder'",
    )
    .bind(email.trim())
    .fetch_optional(db.pool())
    .await?;
    let Some(account) = account else {
        return Err(Error::Conflict(format!(
            "there is no FOI responder with the email address {}: an administrator grants the role first",
            email.trim()
        )));
    };
    let known: Option<String> = sqlx::query_scalar("SELECT id FROM foi_units WHERE id = $1")
        .bind(unit)
        .fetch_optional(db.pool())
        .await?;
    if known.is_none() {
        return Err(Error::NotFound);
    }
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO foi_unit_members (unit_id, account_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(unit)
    .bind(&account)
    .execute(&mut *tx)
    .await?;
    audit::record(&mut tx, &by.id, "foi.unit.add", unit, &account).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove_member(db: &Db, unit: &str, account: &str, by: &Actor) -> Result<()> {
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM foi_unit_members WHERE unit_id = $1 AND account_id = $2")
        .bind(unit)
        .bind(account)
        .execute(&mut *tx)
        .await?;
    audit::record(&mut tx, &by.id, "foi.unit.remove", unit, account).await?;
    tx.commit().await?;
    Ok(())
}
