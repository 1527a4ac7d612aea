//! 1,000 requests for one session of 100 places, submitted concurrently and
//! then accepted concurrently: exactly 100 are booked, the other 900 are
//! refused as full and stay in the queue, and none is lost.

mod support;

use std::sync::Arc;

use chrono::{Duration, Utc};
use server::visits::establishments;
use server::visits::{self, Actor, Lead, Person, Prisoner, Status, VisitKind, VisitRequest};
use support::{Backend, TestApp};

const REQUESTS: usize = 1000;
const PLACES: i64 = 100;

async fn contention(backend: Backend) {
    let app = TestApp::start_with(backend, |c| c.db_max_connections = 16).await;
    let db = app.db().clone();
    // One session every day at Leeds, with 100 open places.
    let slot = support::daily_session(&db, "leeds", PLACES).await;
    let dob = Utc::now().date_naive() - Duration::days(365 * 40);

    let submits: Vec<_> = (0..REQUESTS)
        .map(|i| {
            let db = db.clone();
            let slot = slot.clone();
            tokio::spawn(async move {
                let req = VisitRequest {
                    account_id: None,
                    establishment_id: "leeds".into(),
                    prisoner: Prisoner {
                        name: format!("Prisoner {i}"),
                        dob,
                        number: "A1234BC".into(),
                    },
                    lead: Lead {
                        person: Person {
                            name: format!("Visitor {i}"),
                            dob,
                        },
                        email: format!("v{i}@example.com"),
                        phone: "07700 900 982".into(),
                    },
                    visitors: vec![],
                    preferences: vec![slot],
                    support_needs: String::new(),
                    idempotency_key: format!("key-{i}"),
                };
                visits::submit(&db, &req).await
            })
        })
        .collect();
    let mut ids = Vec::new();
    for s in submits {
        let done = s.await.unwrap().expect("every submission is stored");
        assert!(!done.repeated);
        ids.push(done.id);
    }
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM visits")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(stored, REQUESTS as i64, "no request lost");
    let refs: i64 = sqlx::query_scalar("SELECT COUNT(DISTINCT reference) FROM visits")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(refs, REQUESTS as i64, "references are unique");

    // Every request accepted at once, each also double-clicked.
    let actor = Arc::new(Actor {
        id: "staff".into(),
        name: "Sam Officer".into(),
    });
    let accepts: Vec<_> = ids
        .iter()
        .flat_map(|id| [id.clone(), id.clone()])
        .map(|id| {
            let db = db.clone();
            let slot_id = slot.id.clone();
            let actor = actor.clone();
            tokio::spawn(async move {
                visits::accept(&db, &id, &slot_id, VisitKind::Open, &actor).await
            })
        })
        .collect();
    let (mut booked, mut full, mut already) = (0, 0, 0);
    for a in accepts {
        match a.await.unwrap() {
            Ok(()) => booked += 1,
            Err(visits::AcceptError::SessionFull) => full += 1,
            Err(visits::AcceptError::Other(server::Error::Conflict(_))) => already += 1,
            Err(e) => panic!("unexpected error: {e}"),
        }
    }
    assert_eq!(
        booked, PLACES as usize,
        "exactly the session's places are booked"
    );
    assert_eq!(booked + full + already, 2 * REQUESTS);
    let slot_now = establishments::slot(&db, &slot.id).await.unwrap().unwrap();
    assert_eq!(slot_now.open_booked, PLACES);
    let by_status: Vec<(String, i64)> =
        sqlx::query_as("SELECT status, COUNT(*) FROM visits GROUP BY status ORDER BY status")
            .fetch_all(db.pool())
            .await
            .unwrap();
    assert_eq!(
        by_status,
        vec![
            ("booked".to_owned(), PLACES),
            ("requested".to_owned(), REQUESTS as i64 - PLACES)
        ]
    );
    // One confirmation email per booking, one acknowledgement per request.
    let confirmations: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE subject LIKE 'Visit confirmed%'")
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert_eq!(confirmations, PLACES);
    let v = visits::get_visit(&db, &ids[0]).await.unwrap();
    assert!(matches!(v.status, Status::Booked | Status::Requested));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thousand_requests_for_a_hundred_places_sqlite() {
    contention(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thousand_requests_for_a_hundred_places_postgres() {
    contention(Backend::Postgres).await;
}
