//! Retention as the privacy notice states it: identity documents go a set
//! number of days after the decision (the descriptor and the decision
//! stay), calls two years after their date, and caller profiles with
//! nothing left two years after their last change; each with an audit
//! line, and nothing else touched. The rollout's seed puts the annex's 40
//! live establishments at "portal live".

use chrono::NaiveDate;
use platform::db::{Db, MIGRATIONS, Sync};

async fn database(dir: &std::path::Path) -> Db {
    let url = format!("sqlite://{}?mode=rwc", dir.join("calls.db").display());
    let db = Db::connect(&url, 2, Sync::Normal, &[MIGRATIONS, calls::MIGRATIONS])
        .await
        .unwrap();
    platform::registry::seed(&db).await.unwrap();
    calls::seed(&db).await.unwrap();
    db
}

async fn count(db: &Db, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(db.pool()).await.unwrap()
}

#[tokio::test]
async fn documents_calls_and_idle_profiles_go_on_time() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path()).await;
    let today = NaiveDate::from_ymd_opt(2027, 3, 1).unwrap();
    let now = platform::now();
    // Two decided callers: one whose documents are due, one not yet.
    for (id, destroy_on) in [("due", "2027-03-01"), ("later", "2027-03-02")] {
        sqlx::query(
            "INSERT INTO callers (id, account_id, status, name, dob, address, phone, wrapped_key, id_document, selfie, descriptor, documents_destroy_on, decided_by, created_at, updated_at) \
             VALUES ($1, $1, 'verified', 'Jo Bloggs', '1961-08-04', '1 High St', '07700 900123', 'k', 'sealed', 'sealed', 'abcd', $2, 'verifier', $3, $3)",
        )
        .bind(id)
        .bind(destroy_on)
        .bind(now)
        .execute(db.writer())
        .await
        .unwrap();
    }
    // A call three years old and one last month.
    for (id, date) in [("old", "2024-02-01"), ("recent", "2027-02-01")] {
        sqlx::query(
            "INSERT INTO calls (id, reference, idempotency_key, establishment_id, prisoner_id, main_caller, slot_id, date, start_time, minutes, month, status, created_by, created_at, updated_at) \
             VALUES ($1, $1, $1, 'hull', $1, 'later', 's', $2, '14:00', 30, '2024-02', 'completed', 'x', 0, 0)",
        )
        .bind(id)
        .bind(date)
        .execute(db.writer())
        .await
        .unwrap();
    }
    // An idle profile, changed three years ago, with no call or approval.
    sqlx::query(
        "INSERT INTO callers (id, account_id, status, name, dob, address, phone, created_at, updated_at) \
         VALUES ('idle', 'idle', 'unverified', 'Al Idle', '1970-01-01', 'x', 'y', 0, 0)",
    )
    .execute(db.writer())
    .await
    .unwrap();

    let swept = calls::retention::sweep(&db, &calls::Config::default(), today)
        .await
        .unwrap();
    assert_eq!(
        swept,
        calls::retention::Swept {
            documents: 1,
            calls: 1,
            callers: 1
        }
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM callers WHERE id = 'due' AND id_document IS NULL AND selfie IS NULL AND wrapped_key IS NULL AND descriptor IS NOT NULL AND decided_by = 'verifier'").await, 1);
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM callers WHERE id = 'later' AND id_document IS NOT NULL"
        )
        .await,
        1
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM calls").await, 1);
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM calls WHERE id = 'recent'").await,
        1
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM callers WHERE id = 'idle'").await,
        0
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM audit_log WHERE action IN ('caller.documents_destroyed', 'call.retention_delete', 'caller.retention_delete')").await, 3);
    // A second run finds nothing more.
    let again = calls::retention::sweep(&db, &calls::Config::default(), today)
        .await
        .unwrap();
    assert_eq!(again, calls::retention::Swept::default());
}

#[tokio::test]
async fn the_annex_live_establishments_are_seeded_live() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path()).await;
    let all = calls::rollout::all(&db).await.unwrap();
    let live: Vec<&str> = all
        .iter()
        .filter(|p| p.stage == calls::rollout::Stage::Live)
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(live.len(), 40, "{live:?}");
    assert!(live.contains(&"Cookham Wood YOI") && live.contains(&"Berwyn"));
    assert!(calls::portal::get(&db, "berwyn").await.unwrap().live);
    assert!(!calls::portal::get(&db, "belmarsh").await.unwrap().live);
    // Seeding again adds nothing.
    assert!(calls::rollout::seed(&db).await.unwrap().is_empty());
    assert_eq!(count(&db, "SELECT COUNT(*) FROM call_rollout").await, 40);
}
