//! The video calls system's three tables, walked: each declares exactly the
//! moves of the diagram in `calls::workflow`; against a database every
//! declared move from every state it names works and writes its status,
//! history row and audit entry together, and every other move is refused
//! and writes nothing; and the booking functions built on the call table
//! give back a place and minutes exactly when a move should.

use calls::workflow::{self as wf, CALL, CALLER, CallStatus, CallerStatus, REQUEST, RequestStatus};
use platform::accounts::Role;
use platform::db::{Db, MIGRATIONS, Sync};
use platform::workflow::{Change, State, Who, Workflow};
use platform::{Actor, Error};

/// The diagrams, one edge a line, written out apart from the tables.
const CALL_DIAGRAM: &[(&str, CallStatus, CallStatus)] = &[
    (wf::CONFIRM, CallStatus::Invited, CallStatus::Booked),
    (wf::DECLINE, CallStatus::Invited, CallStatus::Declined),
    (wf::CANCEL, CallStatus::Booked, CallStatus::Cancelled),
    (wf::STAFF_CANCEL, CallStatus::Invited, CallStatus::Cancelled),
    (wf::STAFF_CANCEL, CallStatus::Booked, CallStatus::Cancelled),
    (wf::COMPLETE, CallStatus::Booked, CallStatus::Completed),
    (wf::MISSED, CallStatus::Booked, CallStatus::Missed),
    (wf::FAULT, CallStatus::Booked, CallStatus::Fault),
];

const CALLER_DIAGRAM: &[(&str, CallerStatus, CallerStatus)] = &[
    (
        wf::SUBMIT,
        CallerStatus::Unverified,
        CallerStatus::Submitted,
    ),
    (wf::SUBMIT, CallerStatus::Refused, CallerStatus::Submitted),
    (wf::VERIFY, CallerStatus::Submitted, CallerStatus::Verified),
    (wf::REFUSE, CallerStatus::Submitted, CallerStatus::Refused),
];

const REQUEST_DIAGRAM: &[(&str, RequestStatus, RequestStatus)] = &[
    (wf::APPROVE, RequestStatus::Waiting, RequestStatus::Approved),
    (
        wf::DECLINE_REQUEST,
        RequestStatus::Waiting,
        RequestStatus::Declined,
    ),
];

fn is_diagram<S: State>(table: &Workflow<S>, diagram: &[(&str, S, S)]) {
    table.check().unwrap();
    let mut declared = 0;
    for t in table.transitions {
        for from in table.states {
            let drawn = diagram
                .iter()
                .any(|&(a, f, to)| a == t.action && f == *from && to == t.to);
            assert_eq!(
                table.allowed(t.action, *from),
                drawn,
                "{} from {from:?}",
                t.action
            );
            declared += usize::from(drawn);
        }
    }
    assert_eq!(declared, diagram.len(), "every edge drawn is declared");
}

#[test]
fn the_tables_are_the_diagrams() {
    is_diagram(&CALL, CALL_DIAGRAM);
    is_diagram(&CALLER, CALLER_DIAGRAM);
    is_diagram(&REQUEST, REQUEST_DIAGRAM);
}

#[test]
fn each_role_is_offered_its_own_moves() {
    let offered = |state, who| {
        CALL.actions_from(state, who)
            .iter()
            .map(|t| t.action)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        offered(CallStatus::Invited, Who::Visitor),
        [wf::CONFIRM, wf::DECLINE]
    );
    assert_eq!(offered(CallStatus::Booked, Who::Visitor), [wf::CANCEL]);
    let officer = Who::Role(Role::CallsOfficer);
    assert_eq!(
        offered(CallStatus::Booked, officer),
        [wf::STAFF_CANCEL, wf::COMPLETE, wf::MISSED, wf::FAULT]
    );
    assert_eq!(offered(CallStatus::Invited, officer), [wf::STAFF_CANCEL]);
    for state in CallStatus::ALL {
        assert!(offered(state, Who::Role(Role::IdentityVerifier)).is_empty());
        assert!(
            offered(state, Who::Role(Role::BookingStaff)).is_empty(),
            "visits staff move no call"
        );
    }
    for state in CallerStatus::ALL {
        assert!(
            CALLER.actions_from(state, officer).is_empty(),
            "officers do not verify identity"
        );
    }
}

async fn database(dir: &std::path::Path) -> Db {
    let url = format!("sqlite://{}?mode=rwc", dir.join("calls.db").display());
    let db = Db::connect(&url, 2, Sync::Normal, &[MIGRATIONS, calls::MIGRATIONS])
        .await
        .unwrap();
    sqlx::query("INSERT INTO establishments (id, name, enabled) VALUES ('hull', 'Hull', 1)")
        .execute(db.writer())
        .await
        .unwrap();
    calls::seed(&db).await.unwrap();
    db
}

async fn count(db: &Db, sql: &str, id: &str) -> i64 {
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(db.pool())
        .await
        .unwrap()
}

/// Tries every move of `table` from every state on a record stored
/// directly in that state by `insert`.
async fn walk<S: State>(db: &Db, table: &Workflow<S>, insert: &str, history_key: &str) -> usize {
    let actor = Actor {
        id: "staff-1".into(),
        name: "Sam Officer".into(),
    };
    let mut declared = 0;
    for t in table.transitions {
        for from in table.states {
            let id = format!("{}-{}-{}", table.noun, t.action, from.as_str());
            sqlx::query(insert)
                .bind(&id)
                .bind(from.as_str())
                .execute(db.writer())
                .await
                .unwrap();
            let mut tx = db.begin_write().await.unwrap();
            let outcome = table
                .apply(&mut tx, &Change::new(&id, t.action, &actor, 7, "walked"))
                .await;
            tx.commit().await.unwrap();
            let status: String =
                sqlx::query_scalar(&format!("SELECT status FROM {} WHERE id = $1", table.table))
                    .bind(&id)
                    .fetch_one(db.pool())
                    .await
                    .unwrap();
            let history = count(
                db,
                &format!(
                    "SELECT COUNT(*) FROM {} WHERE {history_key} = $1",
                    table.history
                ),
                &id,
            )
            .await;
            let audit = count(db, "SELECT COUNT(*) FROM audit_log WHERE subject = $1", &id).await;
            if t.from.contains(from) {
                declared += 1;
                assert_eq!(outcome.unwrap(), *from);
                assert_eq!(status, t.to.as_str(), "{} from {from:?}", t.action);
                assert_eq!(
                    (history, audit),
                    (1, 1),
                    "{} from {from:?} writes its lines",
                    t.action
                );
            } else {
                assert!(
                    matches!(outcome, Err(Error::Conflict(_))),
                    "{} from {from:?} is refused",
                    t.action
                );
                assert_eq!(status, from.as_str(), "a refused move changes nothing");
                assert_eq!((history, audit), (0, 0), "a refused move writes nothing");
            }
        }
    }
    declared
}

#[tokio::test]
async fn every_move_from_every_state_against_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path()).await;
    let n = walk(
        &db,
        &CALL,
        "INSERT INTO calls (id, reference, idempotency_key, establishment_id, prisoner_id, main_caller, slot_id, date, start_time, minutes, month, status, created_by, created_at, updated_at) \
         VALUES ($1, $1, $1, 'hull', $1, 'a', 's', '2027-01-05', '14:00', 30, '2027-01', $2, 'x', 0, 0)",
        "call_id",
    )
    .await;
    assert_eq!(n, CALL_DIAGRAM.len());
    let n = walk(
        &db,
        &CALLER,
        "INSERT INTO callers (id, account_id, status, name, dob, address, phone, created_at, updated_at) \
         VALUES ($1, $1, $2, 'Jo Bloggs', '1961-08-04', '1 High St', '07700 900123', 0, 0)",
        "caller_id",
    )
    .await;
    assert_eq!(n, CALLER_DIAGRAM.len());
    let n = walk(
        &db,
        &REQUEST,
        "INSERT INTO contact_requests (id, caller_id, establishment_id, prison_number, prisoner_name, relationship, status, created_at, updated_at) \
         VALUES ($1, 'c', 'hull', 'A1234BC', 'John Smith', 'Brother', $2, 0, 0)",
        "request_id",
    )
    .await;
    assert_eq!(n, REQUEST_DIAGRAM.len());
}

/// A booked call holding a place and 30 minutes, as `book` leaves one.
async fn booked_call(db: &Db, id: &str, n: usize) {
    sqlx::query(
        "INSERT INTO call_slots (id, establishment_id, date, start_time, minutes, capacity, booked) VALUES ($1, 'hull', '2027-01-05', '14:00', 30, 2, 1)",
    )
    .bind(format!("slot-{id}"))
    .execute(db.writer())
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO prisoners (id, prison_number, name, establishment_id, created_by, created_at) VALUES ($1, $2, 'John Smith', 'hull', 'x', 0)",
    )
    .bind(format!("prisoner-{id}"))
    .bind(format!("A{n:04}BC"))
    .execute(db.writer())
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO call_allowance (prisoner_id, month, used_minutes) VALUES ($1, '2027-01', 30)",
    )
    .bind(format!("prisoner-{id}"))
    .execute(db.writer())
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO calls (id, reference, idempotency_key, establishment_id, prisoner_id, main_caller, slot_id, date, start_time, minutes, month, status, created_by, created_at, updated_at) \
         VALUES ($1, $1, $1, 'hull', $2, 'a', $3, '2027-01-05', '14:00', 30, '2027-01', 'booked', 'x', 0, 0)",
    )
    .bind(id)
    .bind(format!("prisoner-{id}"))
    .bind(format!("slot-{id}"))
    .execute(db.writer())
    .await
    .unwrap();
}

#[tokio::test]
async fn only_moves_after_which_a_call_no_longer_counts_give_minutes_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path()).await;
    let actor = Actor::system();
    let long_before = chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
        .unwrap()
        .and_hms_opt(9, 0, 0)
        .unwrap();
    // (move, place back, minutes back)
    for (n, (action, place, minutes)) in [
        (wf::STAFF_CANCEL, true, true),
        (wf::CANCEL, true, true),
        (wf::FAULT, true, true),
        (wf::MISSED, true, false),
        (wf::COMPLETE, true, false),
    ]
    .into_iter()
    .enumerate()
    {
        booked_call(&db, action, n).await;
        calls::booking::move_call(&db, action, action, "walked", &actor, long_before)
            .await
            .unwrap();
        let booked = count(
            &db,
            "SELECT booked FROM call_slots WHERE id = $1",
            &format!("slot-{action}"),
        )
        .await;
        let used = count(
            &db,
            "SELECT used_minutes FROM call_allowance WHERE prisoner_id = $1",
            &format!("prisoner-{action}"),
        )
        .await;
        assert_eq!(booked, if place { 0 } else { 1 }, "{action}: the place");
        assert_eq!(used, if minutes { 0 } else { 30 }, "{action}: the minutes");
    }
    // The family cannot cancel inside the cut-off (24 hours by default).
    booked_call(&db, "late", 99).await;
    let just_before = chrono::NaiveDate::from_ymd_opt(2027, 1, 5)
        .unwrap()
        .and_hms_opt(9, 0, 0)
        .unwrap();
    let late = calls::booking::move_call(&db, "late", wf::CANCEL, "", &actor, just_before).await;
    assert!(matches!(late, Err(Error::Conflict(m)) if m.contains("24 hours")));
    assert_eq!(
        count(
            &db,
            "SELECT used_minutes FROM call_allowance WHERE prisoner_id = $1",
            "prisoner-late"
        )
        .await,
        30
    );
}
