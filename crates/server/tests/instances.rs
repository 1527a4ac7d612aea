//! Two instances of the service on one PostgreSQL, as a national service
//! runs behind a load balancer: each email is sent once, a sign-in lockout
//! earned on one instance holds on the other, and acceptances sent to both
//! at once never overbook a session.

mod support;

use std::collections::BTreeMap;

use chrono::{Duration, Utc};
use server::visits::establishments;
use server::visits::{self, Actor, Lead, Person, Prisoner, VisitKind, VisitRequest};
use support::{Backend, Client, TestApp, test_config};

const PLACES: i64 = 10;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_one_postgresql() {
    let a = TestApp::start(Backend::Postgres).await;
    // The second instance: the same database, the same mail relay.
    let dir = tempfile::tempdir().unwrap();
    let url = a.db_url();
    let b = server::App::start(test_config(dir.path(), url, a.smtp.port))
        .await
        .expect("a second instance starts on a migrated database");
    let b_base = format!("http://{}", b.addr());

    // Each confirmation email is sent exactly once, whichever instance
    // took the registration and whichever worker claimed the message.
    let signups: Vec<_> = (0..20)
        .map(|i| {
            let base = if i % 2 == 0 {
                a.base.clone()
            } else {
                b_base.clone()
            };
            tokio::spawn(async move {
                Client::new(&base)
                    .post_form(
                        "/register",
                        &[
                            ("name", "Mary Smith"),
                            ("email", &format!("user{i}@example.com")),
                            ("password", "correct horse battery"),
                        ],
                    )
                    .await
            })
        })
        .collect();
    for s in signups {
        assert!(s.await.unwrap().body.contains("Check your email"));
    }
    for i in 0..20 {
        a.smtp
            .wait_for(
                &format!("user{i}@example.com"),
                "Confirm your email address",
            )
            .await;
    }
    // Both workers poll every 100 ms: give a second sending time to show.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let mut per_address: BTreeMap<String, usize> = BTreeMap::new();
    for m in a.smtp.all() {
        *per_address.entry(m.to).or_default() += 1;
    }
    assert_eq!(per_address.len(), 20);
    assert!(
        per_address.values().all(|&n| n == 1),
        "each email sent once: {per_address:?}"
    );

    // A lockout earned on one instance holds on the other.
    for _ in 0..5 {
        let page = Client::new(&a.base)
            .sign_in("admin@hmpps.test", "not the password")
            .await;
        assert!(
            page.body
                .contains("Enter a correct email address and password")
        );
    }
    let page = Client::new(&b_base)
        .sign_in("admin@hmpps.test", "admin password 1")
        .await;
    assert!(
        page.body.contains("Too many failed attempts"),
        "{}",
        page.body
    );

    // Acceptances split over both instances' connections never overbook.
    let db_a = a.db().clone();
    let db_b = b.db().clone();
    let slot = support::daily_session(&db_a, "leeds", PLACES).await;
    let dob = Utc::now().date_naive() - Duration::days(365 * 40);
    let mut ids = Vec::new();
    for i in 0..40 {
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
            preferences: vec![slot.clone()],
            support_needs: String::new(),
            idempotency_key: format!("key-{i}"),
        };
        ids.push(visits::submit(&db_a, &req).await.unwrap().id);
    }
    let actor = Actor {
        id: "staff".into(),
        name: "Sam Officer".into(),
    };
    let accepts: Vec<_> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let db = if i % 2 == 0 {
                db_a.clone()
            } else {
                db_b.clone()
            };
            let (id, slot_id, actor) = (id.clone(), slot.id.clone(), actor.clone());
            tokio::spawn(async move {
                visits::accept(&db, &id, &slot_id, VisitKind::Open, &actor).await
            })
        })
        .collect();
    let mut booked = 0;
    for x in accepts {
        match x.await.unwrap() {
            Ok(()) => booked += 1,
            Err(visits::AcceptError::SessionFull) => {}
            Err(e) => panic!("unexpected: {e}"),
        }
    }
    assert_eq!(
        booked, PLACES,
        "exactly the session's places, across instances"
    );
    let held = establishments::slot(&db_a, &slot.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(held.open_booked, PLACES);

    b.shutdown().await;
    a.stop().await;
}
