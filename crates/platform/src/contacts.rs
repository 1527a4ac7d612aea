//! Prisoners and their approved contacts: who may visit or call whom.
//!
//! A prison approves the people a prisoner may have contact with (name,
//! date of birth, relationship). Visits check a request's visitors against
//! the list; video calls link a verified caller's account to an approved
//! contact. An approval can be suspended or withdrawn from a date, with a
//! reason; the row stays, so the history of who was approved when is
//! kept. Every change is audited in its own transaction.

use chrono::NaiveDate;
use sqlx::Row;

use crate::Actor;
use crate::audit;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::ids::new_id;
use crate::now;

/// A person in prison, as the registry of contacts knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prisoner {
    pub id: String,
    /// The prison number ("A1234BC").
    pub number: String,
    pub name: String,
    /// The establishment they are held at (registry key).
    pub establishment_id: String,
}

/// Where an approval stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Approved,
    Suspended,
    Withdrawn,
}

impl Standing {
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Approved => "approved",
            Standing::Suspended => "suspended",
            Standing::Withdrawn => "withdrawn",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Standing::Approved => "Approved",
            Standing::Suspended => "Suspended",
            Standing::Withdrawn => "Withdrawn",
        }
    }

    fn parse(s: &str) -> Result<Standing> {
        match s {
            "approved" => Ok(Standing::Approved),
            "suspended" => Ok(Standing::Suspended),
            "withdrawn" => Ok(Standing::Withdrawn),
            other => Err(Error::Corrupt(format!("contact status {other:?}"))),
        }
    }
}

/// One person on a prisoner's approved list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub id: String,
    pub prisoner_id: String,
    /// The person's platform account, when linked (a video caller).
    pub account_id: Option<String>,
    pub name: String,
    pub dob: NaiveDate,
    /// "Mother", "Partner", "Friend".
    pub relationship: String,
    pub standing: Standing,
    /// Why it was suspended or withdrawn.
    pub reason: Option<String>,
    /// From when the suspension or withdrawal applies.
    pub from: Option<NaiveDate>,
}

impl Contact {
    /// Whether the person may have contact on `day`: approved, or
    /// suspended or withdrawn only from a later date.
    pub fn approved_on(&self, day: NaiveDate) -> bool {
        match self.standing {
            Standing::Approved => true,
            Standing::Suspended | Standing::Withdrawn => self.from.is_some_and(|f| day < f),
        }
    }
}

/// A new person for a prisoner's list.
#[derive(Debug, Clone)]
pub struct NewContact<'a> {
    pub account_id: Option<&'a str>,
    pub name: &'a str,
    pub dob: NaiveDate,
    pub relationship: &'a str,
}

/// Normalises a prison number (upper case, no spaces) and checks its form:
/// a letter, four digits, two letters.
pub fn prison_number(raw: &str) -> Option<String> {
    let n: String = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    let b = n.as_bytes();
    let ok = b.len() == 7
        && b[0].is_ascii_alphabetic()
        && b[1..5].iter().all(u8::is_ascii_digit)
        && b[5..].iter().all(u8::is_ascii_alphabetic);
    ok.then_some(n)
}

fn prisoner_from(row: &sqlx::any::AnyRow) -> Result<Prisoner> {
    Ok(Prisoner {
        id: row.try_get("id")?,
        number: row.try_get("prison_number")?,
        name: row.try_get("name")?,
        establishment_id: row.try_get("establishment_id")?,
    })
}

const PRISONER: &str = "SELECT id, prison_number, name, establishment_id FROM prisoners";

/// Records a prisoner at an establishment. A prison number already
/// recorded is a conflict (the person has moved: use [`transfer`]).
pub async fn add_prisoner(
    db: &Db,
    number: &str,
    name: &str,
    establishment_id: &str,
    by: &Actor,
) -> Result<Prisoner> {
    let number = prison_number(number).ok_or_else(|| {
        Error::Conflict("a prison number is a letter, 4 numbers and 2 letters, like A1234BC".into())
    })?;
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::Conflict("enter the prisoner's name".into()));
    }
    let id = new_id();
    let mut tx = db.begin_write().await?;
    let done = sqlx::query(
        "INSERT INTO prisoners (id, prison_number, name, establishment_id, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (prison_number) DO NOTHING",
    )
    .bind(&id)
    .bind(&number)
    .bind(name)
    .bind(establishment_id)
    .bind(&by.id)
    .bind(now())
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(Error::Conflict(format!(
            "prison number {number} is already recorded"
        )));
    }
    audit::record(
        &mut tx,
        &by.id,
        "prisoner.add",
        &id,
        &format!("at {establishment_id}"),
    )
    .await?;
    tx.commit().await?;
    Ok(Prisoner {
        id,
        number,
        name: name.to_owned(),
        establishment_id: establishment_id.to_owned(),
    })
}

/// Moves a prisoner to another establishment (their list goes with them).
pub async fn transfer(
    db: &Db,
    prisoner_id: &str,
    establishment_id: &str,
    by: &Actor,
) -> Result<()> {
    let mut tx = db.begin_write().await?;
    let done = sqlx::query("UPDATE prisoners SET establishment_id = $1 WHERE id = $2")
        .bind(establishment_id)
        .bind(prisoner_id)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(Error::NotFound);
    }
    audit::record(
        &mut tx,
        &by.id,
        "prisoner.transfer",
        prisoner_id,
        &format!("to {establishment_id}"),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A prisoner by key.
pub async fn prisoner(db: &Db, id: &str) -> Result<Option<Prisoner>> {
    sqlx::query(&format!("{PRISONER} WHERE id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .map(|r| prisoner_from(&r))
        .transpose()
}

/// A prisoner by prison number (any form [`prison_number`] accepts).
pub async fn prisoner_by_number(db: &Db, number: &str) -> Result<Option<Prisoner>> {
    let Some(number) = prison_number(number) else {
        return Ok(None);
    };
    sqlx::query(&format!("{PRISONER} WHERE prison_number = $1"))
        .bind(number)
        .fetch_optional(db.pool())
        .await?
        .map(|r| prisoner_from(&r))
        .transpose()
}

/// The prisoners recorded at an establishment, by name.
pub async fn prisoners_at(db: &Db, establishment_id: &str) -> Result<Vec<Prisoner>> {
    sqlx::query(&format!(
        "{PRISONER} WHERE establishment_id = $1 ORDER BY name, prison_number"
    ))
    .bind(establishment_id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(prisoner_from)
    .collect()
}

const CONTACT: &str = "SELECT id, prisoner_id, account_id, name, dob, relationship, status, status_reason, status_from FROM approved_contacts";

fn contact_from(row: &sqlx::any::AnyRow) -> Result<Contact> {
    let dob: String = row.try_get("dob")?;
    let from: Option<String> = row.try_get("status_from")?;
    let date = |s: &str| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| Error::Corrupt(format!("contact date {s:?}")))
    };
    Ok(Contact {
        id: row.try_get("id")?,
        prisoner_id: row.try_get("prisoner_id")?,
        account_id: row.try_get("account_id")?,
        name: row.try_get("name")?,
        dob: date(&dob)?,
        relationship: row.try_get("relationship")?,
        standing: Standing::parse(&row.try_get::<String, _>("status")?)?,
        reason: row.try_get("status_reason")?,
        from: from.as_deref().map(date).transpose()?,
    })
}

/// Puts a person on a prisoner's list, on the caller's transaction (a
/// system approving a caller writes its own record in the same one). A
/// person already linked by account is approved again rather than added
/// twice. Returns the contact's key.
pub async fn approve(
    conn: &mut sqlx::AnyConnection,
    prisoner_id: &str,
    new: &NewContact<'_>,
    by: &Actor,
) -> Result<String> {
    let relationship = new.relationship.trim();
    if new.name.trim().is_empty() || relationship.is_empty() {
        return Err(Error::Conflict(
            "an approved contact needs a name and a relationship".into(),
        ));
    }
    let at = now();
    if let Some(account) = new.account_id {
        let existing: Option<String> = sqlx::query_scalar(
            "SELECT id FROM approved_contacts WHERE prisoner_id = $1 AND account_id = $2",
        )
        .bind(prisoner_id)
        .bind(account)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(id) = existing {
            sqlx::query(
                "UPDATE approved_contacts SET status = 'approved', status_reason = NULL, status_from = NULL, \
                 relationship = $1, approved_by = $2, approved_at = $3, updated_at = $3 WHERE id = $4",
            )
            .bind(relationship)
            .bind(&by.id)
            .bind(at)
            .bind(&id)
            .execute(&mut *conn)
            .await?;
            audit::record(&mut *conn, &by.id, "contact.approve", &id, "approved again").await?;
            return Ok(id);
        }
    }
    let id = new_id();
    sqlx::query(
        "INSERT INTO approved_contacts (id, prisoner_id, account_id, name, dob, relationship, status, approved_by, approved_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'approved', $7, $8, $8)",
    )
    .bind(&id)
    .bind(prisoner_id)
    .bind(new.account_id)
    .bind(new.name.trim())
    .bind(new.dob.to_string())
    .bind(relationship)
    .bind(&by.id)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    audit::record(
        &mut *conn,
        &by.id,
        "contact.approve",
        &id,
        &format!("for prisoner {prisoner_id}"),
    )
    .await?;
    Ok(id)
}

/// Suspends or withdraws an approval from `from`, or restores it
/// (`Standing::Approved`, reason and date ignored).
pub async fn set_standing(
    db: &Db,
    contact_id: &str,
    standing: Standing,
    reason: &str,
    from: NaiveDate,
    by: &Actor,
) -> Result<()> {
    let (reason, from) = match standing {
        Standing::Approved => (None, None),
        _ => {
            let r = reason.trim();
            if r.is_empty() {
                return Err(Error::Conflict(
                    "give the reason for suspending or withdrawing the approval".into(),
                ));
            }
            (Some(r.to_owned()), Some(from.to_string()))
        }
    };
    let mut tx = db.begin_write().await?;
    let done = sqlx::query(
        "UPDATE approved_contacts SET status = $1, status_reason = $2, status_from = $3, updated_at = $4 WHERE id = $5",
    )
    .bind(standing.as_str())
    .bind(reason)
    .bind(&from)
    .bind(now())
    .bind(contact_id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(Error::NotFound);
    }
    audit::record(
        &mut tx,
        &by.id,
        &format!("contact.{}", standing.as_str()),
        contact_id,
        &from.map(|f| format!("from {f}")).unwrap_or_default(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A contact by key.
pub async fn contact(db: &Db, id: &str) -> Result<Option<Contact>> {
    sqlx::query(&format!("{CONTACT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .map(|r| contact_from(&r))
        .transpose()
}

/// A prisoner's list, by name.
pub async fn contacts_of(db: &Db, prisoner_id: &str) -> Result<Vec<Contact>> {
    sqlx::query(&format!(
        "{CONTACT} WHERE prisoner_id = $1 ORDER BY name, id"
    ))
    .bind(prisoner_id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(contact_from)
    .collect()
}

/// Every prisoner an account is on the list of, with the approval.
pub async fn approvals_of(db: &Db, account_id: &str) -> Result<Vec<(Prisoner, Contact)>> {
    let contacts: Vec<Contact> = sqlx::query(&format!(
        "{CONTACT} WHERE account_id = $1 ORDER BY approved_at"
    ))
    .bind(account_id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(contact_from)
    .collect::<Result<_>>()?;
    let mut out = Vec::with_capacity(contacts.len());
    for c in contacts {
        if let Some(p) = prisoner(db, &c.prisoner_id).await? {
            out.push((p, c));
        }
    }
    Ok(out)
}

/// Whether an account is approved to contact a prisoner on `day`.
pub async fn account_approved(
    conn: &mut sqlx::AnyConnection,
    prisoner_id: &str,
    account_id: &str,
    day: NaiveDate,
) -> Result<bool> {
    let row = sqlx::query(&format!(
        "{CONTACT} WHERE prisoner_id = $1 AND account_id = $2"
    ))
    .bind(prisoner_id)
    .bind(account_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match row {
        Some(r) => contact_from(&r)?.approved_on(day),
        None => false,
    })
}

/// What the list says of a named person for a prisoner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// The prisoner is not recorded here: the prison keeps the list
    /// elsewhere and checks it itself.
    NotRecorded,
    /// On the list and approved on the day.
    Approved,
    /// The prisoner is recorded and the person is not approved on the day.
    NotApproved,
}

/// Whether the person named (case and spacing aside) with this date of
/// birth is approved for the prisoner with `number` on `day`.
pub async fn check_person(
    db: &Db,
    number: &str,
    name: &str,
    dob: NaiveDate,
    day: NaiveDate,
) -> Result<Check> {
    let Some(p) = prisoner_by_number(db, number).await? else {
        return Ok(Check::NotRecorded);
    };
    let fold = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let wanted = fold(name);
    let approved = contacts_of(db, &p.id)
        .await?
        .iter()
        .any(|c| c.dob == dob && fold(&c.name) == wanted && c.approved_on(day));
    Ok(if approved {
        Check::Approved
    } else {
        Check::NotApproved
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prison_numbers_are_normalised_and_checked() {
        assert_eq!(prison_number(" a1234bc ").as_deref(), Some("A1234BC"));
        assert_eq!(prison_number("A 1234 BC").as_deref(), Some("A1234BC"));
        assert_eq!(prison_number("A12345C"), None);
        assert_eq!(prison_number("11234BC"), None);
        assert_eq!(prison_number(""), None);
        assert_eq!(prison_number("A1234BCD"), None);
    }

    #[test]
    fn a_suspension_applies_from_its_date() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let mut c = Contact {
            id: "c".into(),
            prisoner_id: "p".into(),
            account_id: None,
            name: "Ann".into(),
            dob: d("1980-01-01"),
            relationship: "Mother".into(),
            standing: Standing::Approved,
            reason: None,
            from: None,
        };
        assert!(c.approved_on(d("2026-01-01")));
        c.standing = Standing::Suspended;
        c.from = Some(d("2026-02-01"));
        assert!(c.approved_on(d("2026-01-31")));
        assert!(!c.approved_on(d("2026-02-01")));
        c.standing = Standing::Withdrawn;
        c.from = None;
        assert!(!c.approved_on(d("2020-01-01")));
    }
}
