//! The visit request's table walked against a database: every declared
//! move from every state it names works and writes its status, history
//! row and audit entry together; every other move is refused and writes
//! nothing. Then the public functions that make the moves, which must
//! keep their wording and their side effects.

use chrono::NaiveDate;
use platform::db::{Db, MIGRATIONS, Sync};
use platform::workflow::{Change, State};
use platform::{Actor, Error};
use visits::establishments::SessionSlot;
use visits::workflow::WORKFLOW;
use visits::{Lead, Person, Prisoner, Rejection, Status, VisitKind, VisitRequest};

async fn database() -> (tempfile::TempDir, Db) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("visits.db").display()
    );
    let db = Db::connect(&url, 2, Sync::Normal, &[MIGRATIONS, visits::MIGRATIONS])
        .await
        .unwrap();
    sqlx::query("INSERT INTO establishments (id, name, enabled) VALUES ('leeds', 'Leeds', 1)")
        .execute(db.writer())
        .await
        .unwrap();
    sqlx::query("INSERT INTO visit_settings (establishment_id) VALUES ('leeds')")
        .execute(db.writer())
        .await
        .unwrap();
    (dir, db)
}

/// A visit stored directly in `status`, so that every state can be tried.
async fn visit_in(db: &Db, id: &str, status: Status) {
    sqlx::query(
        "INSERT INTO visits (id, reference, idempotency_key, establishment_id, status, lead_name, lead_dob, \
         lead_email, lead_phone, prisoner_name, prisoner_dob, prisoner_number, support_needs, pref1, \
         visit_date, created_at, updated_at) \
         VALUES ($1, $1, $1, 'leeds', $2, 'Jo Bloggs', '1980-02-01', 'jo@example.com', '07700 900 982', \
         'Pat Bloggs', '1970-01-01', 'A1234BC', '', 'leeds/2030-01-07/14:00', '2030-01-07', 0, 0)",
    )
    .bind(id)
    .bind(State::as_str(&status))
    .execute(db.writer())
    .await
    .unwrap();
}

async fn count(db: &Db, sql: &str, id: &str) -> i64 {
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(db.pool())
        .await
        .unwrap()
}

async fn status_of(db: &Db, id: &str) -> Status {
    visits::get_visit(db, id).await.unwrap().status
}

async fn history(db: &Db, id: &str) -> i64 {
    count(
        db,
        "SELECT COUNT(*) FROM visit_events WHERE visit_id = $1",
        id,
    )
    .await
}

async fn audits(db: &Db, id: &str) -> i64 {
    count(db, "SELECT COUNT(*) FROM audit_log WHERE subject = $1", id).await
}

#[tokio::test]
async fn every_move_from_every_state_against_the_database() {
    let (_dir, db) = database().await;
    let actor = Actor {
        id: "staff-1".into(),
        name: "Sam Officer".into(),
    };
    let mut declared = 0;
    for t in WORKFLOW.transitions {
        for from in Status::ALL {
            let id = format!("{}-{}", t.action, State::as_str(&from));
            visit_in(&db, &id, from).await;
            let mut tx = db.begin_write().await.unwrap();
            let outcome = WORKFLOW
                .apply(&mut tx, &Change::new(&id, t.action, &actor, 7, "walked"))
                .await;
            tx.commit().await.unwrap();
            if t.from.contains(&from) {
                declared += 1;
                assert_eq!(outcome.unwrap(), from, "{id}");
                assert_eq!(status_of(&db, &id).await, t.to, "{id}");
                assert_eq!(history(&db, &id).await, 1, "{id}");
                let audited = platform::audit::recent(&db, Some(&id), 10).await.unwrap();
                assert_eq!(audited.len(), 1, "{id}");
                assert_eq!(audited[0].action, t.audit);
                assert_eq!(audited[0].actor, "staff-1");
            } else {
                assert!(
                    matches!(outcome, Err(Error::Conflict(_))),
                    "{id}: {outcome:?}"
                );
                assert_eq!(status_of(&db, &id).await, from, "{id}");
                assert_eq!(history(&db, &id).await, 0, "{id}");
                assert_eq!(audits(&db, &id).await, 0, "{id}");
            }
        }
    }
    assert_eq!(
        declared, 5,
        "accept, reject and staff's cancel from one state each, the visitor's cancel from two"
    );
    // A move the table does not declare at all.
    visit_in(&db, "x", Status::Requested).await;
    let mut tx = db.begin_write().await.unwrap();
    assert!(matches!(
        WORKFLOW
            .apply(&mut tx, &Change::new("x", "book", &actor, 7, "walked"))
            .await,
        Err(Error::Conflict(_))
    ));
    tx.commit().await.unwrap();
    assert_eq!((history(&db, "x").await, audits(&db, "x").await), (0, 0));
}

fn request(key: &str, slot: &SessionSlot) -> VisitRequest {
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    VisitRequest {
        account_id: None,
        establishment_id: "leeds".into(),
        prisoner: Prisoner {
            name: "Pat Bloggs".into(),
            dob: d("1970-01-01"),
            number: "A1234BC".into(),
        },
        lead: Lead {
            person: Person {
                name: "Jo Bloggs".into(),
                dob: d("1980-02-01"),
            },
            email: "jo@example.com".into(),
            phone: "07700 900 982".into(),
        },
        visitors: vec![],
        preferences: vec![slot.clone()],
        support_needs: String::new(),
        idempotency_key: key.into(),
    }
}

fn slot() -> SessionSlot {
    SessionSlot {
        id: "leeds/2030-01-07/14:00".into(),
        date: NaiveDate::from_ymd_opt(2030, 1, 7).unwrap(),
        start: "14:00".into(),
        end: "16:00".into(),
        open_capacity: 2,
        closed_capacity: 0,
        open_booked: 0,
        closed_booked: 0,
    }
}

async fn booked(db: &Db) -> i64 {
    visits::establishments::slot(db, &slot().id)
        .await
        .unwrap()
        .unwrap()
        .open_booked
}

async fn mails(db: &Db, id: &str) -> i64 {
    count(db, "SELECT COUNT(*) FROM outbox WHERE about = $1", id).await
}

#[tokio::test]
async fn the_public_moves_keep_their_effects_and_refuse_what_is_undeclared() {
    let (_dir, db) = database().await;
    let staff = Actor {
        id: "staff-1".into(),
        name: "Sam Officer".into(),
    };
    let slot = slot();

    // Rejected: status, reason, history, audit and email in one go.
    let a = visits::submit(&db, &request("a", &slot)).await.unwrap().id;
    let rejection = Rejection {
        reason: "banned".into(),
        detail: None,
        banned_until: NaiveDate::from_ymd_opt(2030, 6, 1),
    };
    visits::reject(&db, &a, &rejection, &staff).await.unwrap();
    let v = visits::get_visit(&db, &a).await.unwrap();
    assert_eq!(v.status, Status::Rejected);
    assert_eq!(v.reason.as_deref(), Some("banned"));
    assert_eq!(v.banned_until.as_deref(), Some("2030-06-01"));
    let steps: Vec<_> = visits::events(&db, &a)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.from_status, e.to_status))
        .collect();
    assert_eq!(
        steps,
        [
            (None, "requested".to_owned()),
            (Some("requested".to_owned()), "rejected".to_owned())
        ]
    );
    assert_eq!(
        platform::audit::count(&db, "visit.reject", Some(&a))
            .await
            .unwrap(),
        1
    );
    assert_eq!(mails(&db, &a).await, 2);

    // Nothing more can happen to it, and trying writes nothing.
    let before = (
        history(&db, &a).await,
        audits(&db, &a).await,
        mails(&db, &a).await,
    );
    match visits::reject(&db, &a, &rejection, &staff).await {
        Err(Error::Conflict(m)) => assert_eq!(m, "this request has already been processed"),
        other => panic!("{other:?}"),
    }
    match visits::accept(&db, &a, &slot.id, VisitKind::Open, &staff).await {
        Err(visits::AcceptError::Other(Error::Conflict(m))) => {
            assert_eq!(m, "this request has already been processed")
        }
        other => panic!("{other:?}"),
    }
    for by_staff in [false, true] {
        match visits::cancel(&db, &a, "changed my mind", &staff, by_staff).await {
            Err(Error::Conflict(m)) => assert_eq!(m, "this visit is no longer active"),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(booked(&db).await, 0, "no place taken by a refused accept");
    assert_eq!(status_of(&db, &a).await, Status::Rejected);
    assert_eq!(
        (
            history(&db, &a).await,
            audits(&db, &a).await,
            mails(&db, &a).await
        ),
        before
    );

    // Booked, then cancelled by the visitor: the place comes back, and the
    // cancellation is audited as the visitor's.
    let b = visits::submit(&db, &request("b", &slot)).await.unwrap().id;
    visits::accept(&db, &b, &slot.id, VisitKind::Open, &staff)
        .await
        .unwrap();
    assert_eq!(booked(&db).await, 1);
    let v = visits::get_visit(&db, &b).await.unwrap();
    assert_eq!(
        (
            v.status,
            v.allocated_slot.as_deref(),
            v.visit_kind.as_deref()
        ),
        (Status::Booked, Some(slot.id.as_str()), Some("open"))
    );
    let visitor = Actor {
        id: "visitor-1".into(),
        name: "Jo Bloggs".into(),
    };
    visits::cancel(&db, &b, "cancelled by the visitor", &visitor, false)
        .await
        .unwrap();
    assert_eq!(status_of(&db, &b).await, Status::Cancelled);
    assert_eq!(booked(&db).await, 0);
    for (action, n) in [
        ("visit.accept", 1),
        ("visit.cancel_by_visitor", 1),
        ("visit.cancel", 0),
    ] {
        assert_eq!(
            platform::audit::count(&db, action, Some(&b)).await.unwrap(),
            n,
            "{action}"
        );
    }

    // Staff cannot cancel a waiting request (they reject it); a booked
    // visit they cancel is audited as "visit.cancel", once.
    let c = visits::submit(&db, &request("c", &slot)).await.unwrap().id;
    assert!(matches!(
        visits::cancel(&db, &c, "Prison lockdown", &staff, true).await,
        Err(platform::Error::Conflict(_))
    ));
    visits::accept(&db, &c, &slot.id, visits::VisitKind::Open, &staff)
        .await
        .unwrap();
    visits::cancel(&db, &c, "Prison lockdown", &staff, true)
        .await
        .unwrap();
    assert_eq!(status_of(&db, &c).await, Status::Cancelled);
    assert_eq!(
        platform::audit::count(&db, "visit.cancel", Some(&c))
            .await
            .unwrap(),
        1
    );
    assert!(
        visits::events(&db, &c).await.unwrap()[2]
            .detail
            .contains("by Sam Officer")
    );
}
