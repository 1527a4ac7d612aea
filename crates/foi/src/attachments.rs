//! What is released with a response: a PDF, redacted by the `redact`
//! engine (which rewrites it whole and proves the redacted words are gone;
//! the original is never kept), or figures another system released through
//! the platform after its own disclosure control.

use base64::Engine as _;
use platform::{Actor, Db, Error, Result, audit};

use crate::cases::Case;

/// One attachment, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub id: String,
    pub name: String,
    pub media_type: String,
    pub redactions: i64,
    /// Where it came from, as staff read it.
    pub source: String,
}

/// A file made ready to keep.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub name: String,
    pub media_type: &'static str,
    pub bytes: Vec<u8>,
    pub redactions: i64,
    pub source: String,
}

/// Redacts an uploaded PDF, removing every one of `terms` wherever it
/// appears. Anything that is not a PDF, or a PDF that cannot be redacted
/// safely, is refused with the reason, and nothing is kept. This is slow
/// work: run it off the async threads.
pub fn prepare_pdf(name: &str, bytes: &[u8], terms: &[String]) -> Result<Prepared> {
    let refs: Vec<&str> = terms.iter().map(String::as_str).collect();
    let r = redact::redact(bytes, &refs).map_err(|e| {
        Error::Conflict(format!("{name} was not attached and nothing was kept: {e}"))
    })?;
    Ok(Prepared {
        name: name.to_owned(),
        media_type: "application/pdf",
        bytes: r.pdf,
        redactions: r.removed as i64,
        source: if terms.is_empty() {
            "PDF, rewritten without its metadata".into()
        } else {
            format!("PDF, redacted ({} terms)", terms.len())
        },
    })
}

/// Keeps a prepared file with `c`, with an audit line.
pub async fn add(db: &Db, c: &Case, p: &Prepared, by: &Actor, now: i64) -> Result<String> {
    let id = platform::ids::new_id();
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO foi_attachments (id, case_id, name, media_type, content, redactions, source, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(&c.id)
    .bind(p.name.chars().take(200).collect::<String>())
    .bind(p.media_type)
    .bind(base64::engine::general_purpose::STANDARD.encode(&p.bytes))
    .bind(p.redactions)
    .bind(&p.source)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    audit::record_at(
        &mut tx,
        now,
        &by.id,
        "foi.attach",
        &c.id,
        &format!("{}: {} redactions", p.name, p.redactions),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Attaches a copy of figures another system released (see
/// `platform::releases`).
pub async fn add_release(db: &Db, c: &Case, release: &str, by: &Actor, now: i64) -> Result<String> {
    let (r, content) = platform::releases::get(db, release, now).await?;
    let (media_type, extension) = match r.media_type.as_str() {
        "text/csv" => ("text/csv", "csv"),
        "application/json" => ("application/json", "json"),
        _ => ("text/plain", "txt"),
    };
    let name = format!(
        "{}.{}",
        r.title
            .chars()
            .map(|ch| if ch.is_ascii_alphanumeric() {
                ch.to_ascii_lowercase()
            } else {
                '-'
            })
            .collect::<String>()
            .split('-')
            .filter(|w| !w.is_empty())
            .take(12)
            .collect::<Vec<_>>()
            .join("-"),
        extension
    );
    let p = Prepared {
        name,
        media_type,
        bytes: content.into_bytes(),
        redactions: 0,
        source: format!(
            "released by the {} system after its disclosure control: {}",
            r.system, r.title
        ),
    };
    add(db, c, &p, by, now).await
}

/// `c`'s attachments, oldest first.
pub async fn list(db: &Db, case_id: &str) -> Result<Vec<Attachment>> {
    let rows: Vec<(String, String, String, i64, String)> = sqlx::query_as(
        "SELECT id, name, media_type, redactions, source FROM foi_attachments WHERE case_id = $1 ORDER BY created_at, id",
    )
    .bind(case_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, media_type, redactions, source)| Attachment {
            id,
            name,
            media_type,
            redactions,
            source,
        })
        .collect())
}

/// One attachment's name, media type and bytes.
pub async fn get(db: &Db, case_id: &str, id: &str) -> Result<(String, String, Vec<u8>)> {
    let row: Option<(String, String, String)> = sqlx::query_as(
        "SELECT name, media_type, content FROM foi_attachments WHERE id = $1 AND case_id = $2",
    )
    .bind(id)
    .bind(case_id)
    .fetch_optional(db.pool())
    .await?;
    let (name, media, content) = row.ok_or(Error::NotFound)?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(content)
        .map_err(|e| Error::Corrupt(format!("attachment {id}: {e}")))?;
    Ok((name, media, bytes))
}
