//! The Data Lab request's table, walked: it declares exactly the moves of
//! the module's diagram (and not "returned for correction -> rejected",
//! which an earlier `decide` allowed); against a database every declared
//! move from every state it names works and writes its status, history
//! row and audit entry together, and every other move is refused and
//! writes nothing; and the public functions that make the moves follow it.

use std::sync::Arc;

use lab::{Lab, Status, WORKFLOW, step};
use platform::accounts::Role;
use platform::clock::Clock;
use platform::db::{Db, MIGRATIONS, Sync};
use platform::workflow::{Change, Who};
use platform::{Actor, Error};

/// The diagram at the top of the lab's module, one edge a line, written
/// out apart from the table.
const DIAGRAM: &[(&str, Status, Status)] = &[
    (step::RUN, Status::Submitted, Status::Processing),
    (
        step::RETURN,
        Status::Submitted,
        Status::ReturnedForCorrection,
    ),
    (step::REJECT, Status::Submitted, Status::Rejected),
    (
        step::RESUBMIT,
        Status::ReturnedForCorrection,
        Status::Submitted,
    ),
    (step::FINISH, Status::Processing, Status::DisclosureCheck),
    (step::FAIL, Status::Processing, Status::Failed),
    (step::ISSUE, Status::DisclosureCheck, Status::Issued),
    (step::WITHHOLD, Status::DisclosureCheck, Status::Failed),
    (step::RECEIVE, Status::Issued, Status::InReview),
    (step::CLOSE, Status::Issued, Status::Closed),
    (step::CLOSE, Status::InReview, Status::Closed),
    (step::DESTROY, Status::Closed, Status::Destroyed),
    (step::DESTROY, Status::Failed, Status::Destroyed),
];

#[test]
fn the_table_is_the_diagram() {
    WORKFLOW.check().unwrap();
    let mut declared = 0;
    for t in WORKFLOW.transitions {
        for from in Status::ALL {
            let drawn = DIAGRAM
                .iter()
                .any(|&(a, f, to)| a == t.action && f == from && to == t.to);
            assert_eq!(
                WORKFLOW.allowed(t.action, from),
                drawn,
                "{} from {from:?}",
                t.action
            );
            declared += usize::from(drawn);
        }
    }
    assert_eq!(declared, DIAGRAM.len(), "every edge drawn is declared");
    for from in Status::ALL {
        assert!(!WORKFLOW.allowed("approve", from), "no such move");
    }
}

#[test]
fn a_returned_request_cannot_be_rejected() {
    assert!(!WORKFLOW.allowed(step::REJECT, Status::ReturnedForCorrection));
    assert!(WORKFLOW.allowed(step::REJECT, Status::Submitted));
    assert!(WORKFLOW.allowed(step::RESUBMIT, Status::ReturnedForCorrection));
}

#[test]
fn each_role_is_offered_its_own_moves() {
    let offered = |state, who| {
        WORKFLOW
            .actions_from(state, who)
            .iter()
            .map(|t| t.action)
            .collect::<Vec<_>>()
    };
    let analyst = Who::Role(Role::Analyst);
    let provider = Who::Role(Role::Provider);
    assert_eq!(
        offered(Status::Submitted, analyst),
        [step::RUN, step::RETURN, step::REJECT]
    );
    assert_eq!(
        offered(Status::DisclosureCheck, analyst),
        [step::ISSUE, step::WITHHOLD]
    );
    assert!(offered(Status::ReturnedForCorrection, analyst).is_empty());
    assert!(offered(Status::Processing, analyst).is_empty());
    assert_eq!(
        offered(Status::ReturnedForCorrection, provider),
        [step::RESUBMIT]
    );
    assert_eq!(offered(Status::Issued, provider), [step::RECEIVE]);
    assert!(offered(Status::Submitted, provider).is_empty());
    for state in Status::ALL {
        assert!(
            offered(state, Who::Role(Role::AssetOwner)).is_empty(),
            "the asset owner oversees; they move nothing"
        );
    }
}

async fn database(dir: &std::path::Path) -> Db {
    let url = format!("sqlite://{}?mode=rwc", dir.join("lab.db").display());
    let db = Db::connect(&url, 2, Sync::Normal, &[MIGRATIONS, lab::MIGRATIONS])
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO organisations (id, name, created_at) VALUES ('hope', 'Hope Trust', 0)",
    )
    .execute(db.writer())
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO accounts (id, email, password_hash, kind, name, created_at) \
         VALUES ('ana', 'ana@hopetrust.test', 'x', 'datalab', 'Ana Provider', 0)",
    )
    .execute(db.writer())
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO role_grants (account_id, system, role, scope_kind, scope_id, granted_by, granted_at) \
         VALUES ('ana', 'lab', 'provider', 'organisation', 'hope', 'system', 0)",
    )
    .execute(db.writer())
    .await
    .unwrap();
    db
}

/// A request stored directly in `status`, so that every state can be
/// tried.
async fn request_in(db: &Db, id: &str, status: Status) {
    sqlx::query(
        "INSERT INTO datalab_requests (id, reference, organisation_id, submitted_by, status, intervention, \
         collection, excluded_incomplete, intake_summary, rows_usable, created_at, updated_at) \
         VALUES ($1, $1, 'hope', 'ana', $2, 'Mentoring', 'Case files', 0, '{}', 60, 0, 0)",
    )
    .bind(id)
    .bind(status.as_str())
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

/// What a move writes: the status, history rows, audit entries and
/// emails of a request.
async fn written(db: &Db, id: &str) -> (Status, i64, i64, i64) {
    (
        lab::get(db, id).await.unwrap().status,
        count(
            db,
            "SELECT COUNT(*) FROM datalab_events WHERE request_id = $1",
            id,
        )
        .await,
        count(db, "SELECT COUNT(*) FROM audit_log WHERE subject = $1", id).await,
        count(
            db,
            "SELECT COUNT(*) FROM outbox WHERE subject LIKE '%' || $1",
            id,
        )
        .await,
    )
}

#[tokio::test]
async fn every_move_from_every_state_against_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path()).await;
    let actor = Actor {
        id: "lee".into(),
        name: "Lee Analyst".into(),
    };
    let mut declared = 0;
    for t in WORKFLOW.transitions {
        for from in Status::ALL {
            let id = format!("{}-{}", t.action, from.as_str());
            request_in(&db, &id, from).await;
            let mut tx = db.begin_write().await.unwrap();
            let outcome = WORKFLOW
                .apply(&mut tx, &Change::new(&id, t.action, &actor, 7, "walked"))
                .await;
            tx.commit().await.unwrap();
            if t.from.contains(&from) {
                declared += 1;
                assert_eq!(outcome.unwrap(), from, "{id}");
                assert_eq!(written(&db, &id).await, (t.to, 1, 1, 0), "{id}");
                let events = lab::events(&db, &id).await.unwrap();
                assert_eq!((events[0].from, events[0].to), (Some(from), t.to));
                assert_eq!(
                    platform::audit::count(&db, t.audit, Some(&id))
                        .await
                        .unwrap(),
                    1
                );
            } else {
                match outcome {
                    Err(Error::Conflict(m)) => assert!(
                        m.starts_with("the request is "),
                        "{id}: a plain refusal, not {m:?}"
                    ),
                    other => panic!("{id}: {other:?}"),
                }
                assert_eq!(written(&db, &id).await, (from, 0, 0, 0), "{id}");
            }
        }
    }
    assert_eq!(declared, DIAGRAM.len());
}

fn lab_in(dir: &std::path::Path) -> Lab {
    Lab::open(
        dir,
        lab::Config::default(),
        Arc::new(lab::pipeline::Unavailable),
        Clock::with_offset(0),
    )
    .unwrap()
}

#[tokio::test]
async fn decisions_follow_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path()).await;
    let lab = lab_in(dir.path());
    let analyst = Actor {
        id: "lee".into(),
        name: "Lee Analyst".into(),
    };

    // A submitted cohort returned for correction: the status, the reason
    // for the provider, a history row, an audit entry and an email, all
    // from the one move.
    request_in(&db, "r1", Status::Submitted).await;
    lab::decide(
        &db,
        &lab,
        &analyst,
        "r1",
        Status::ReturnedForCorrection,
        "Dates of birth are missing",
    )
    .await
    .unwrap();
    let r = lab::get(&db, "r1").await.unwrap();
    assert_eq!(r.status, Status::ReturnedForCorrection);
    assert_eq!(
        r.provider_reason.as_deref(),
        Some("Dates of birth are missing")
    );
    assert_eq!(
        written(&db, "r1").await,
        (Status::ReturnedForCorrection, 1, 1, 1)
    );
    assert_eq!(
        platform::audit::count(&db, "datalab.request.return", Some("r1"))
            .await
            .unwrap(),
        1
    );

    // Rejecting it now is refused, in plain words, and writes nothing.
    match lab::decide(&db, &lab, &analyst, "r1", Status::Rejected, "Out of scope").await {
        Err(Error::Conflict(m)) => assert_eq!(
            m,
            "the request is returned for correction, so it cannot become rejected"
        ),
        other => panic!("{other:?}"),
    }
    let r = lab::get(&db, "r1").await.unwrap();
    assert_eq!(
        r.provider_reason.as_deref(),
        Some("Dates of birth are missing")
    );
    assert_eq!(
        written(&db, "r1").await,
        (Status::ReturnedForCorrection, 1, 1, 1)
    );

    // Only the two decisions are decisions.
    request_in(&db, "r2", Status::Submitted).await;
    assert!(matches!(
        lab::decide(&db, &lab, &analyst, "r2", Status::Issued, "x").await,
        Err(Error::Conflict(_))
    ));
    // A submitted cohort can still be rejected.
    lab::decide(&db, &lab, &analyst, "r2", Status::Rejected, "Out of scope")
        .await
        .unwrap();
    assert_eq!(written(&db, "r2").await, (Status::Rejected, 1, 1, 1));

    // Receiving a report not issued is no move and no error.
    request_in(&db, "r3", Status::Submitted).await;
    lab::mark_received(&db, &lab, &analyst, "r3").await.unwrap();
    assert_eq!(written(&db, "r3").await, (Status::Submitted, 0, 0, 0));
}

#[tokio::test]
async fn the_sweep_moves_what_the_table_lets_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path()).await;
    let lab = lab_in(dir.path());
    for (id, status) in [
        ("issued", Status::Issued),
        ("in-review", Status::InReview),
        ("failed", Status::Failed),
        ("submitted", Status::Submitted),
    ] {
        request_in(&db, id, status).await;
    }
    sqlx::query(
        "UPDATE datalab_requests SET review_ends = '2000-01-01', destroy_after = '2000-01-01'",
    )
    .execute(db.writer())
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO datalab_keys (request_id, wrapped_key, fingerprint, ciphertext_sha256, created_at) \
         VALUES ('failed', 'x', 'fp', 'sha', 0)",
    )
    .execute(db.writer())
    .await
    .unwrap();
    let swept = lab::sweep(&db, &lab).await.unwrap();
    assert_eq!((swept.closed, swept.destroyed), (2, 1));
    for (id, status) in [
        ("issued", Status::Closed),
        ("in-review", Status::Closed),
        ("failed", Status::Destroyed),
        ("submitted", Status::Submitted),
    ] {
        assert_eq!(lab::get(&db, id).await.unwrap().status, status, "{id}");
    }
    for (action, id) in [
        ("datalab.request.close", "issued"),
        ("datalab.request.close", "in-review"),
        ("datalab.request.destroy", "failed"),
        ("datalab.cohort.destroy", "failed"),
    ] {
        assert_eq!(
            platform::audit::count(&db, action, Some(id)).await.unwrap(),
            1,
            "{action} {id}"
        );
    }
    assert!(lab::certificate_for(&db, "failed").await.unwrap().is_some());
}
