//! The live call's rules without a media server: who may join and when,
//! and rooms ended at the booked time, against a relay that records what
//! it is told.

use std::sync::Mutex;

use calls::live::{self, Relay};
use chrono::NaiveDate;
use platform::accounts::{Grant, Kind, Role, Scope};
use platform::db::{Db, MIGRATIONS, Sync};
use platform::sessions::SessionUser;

#[derive(Default)]
struct Recorder(Mutex<Vec<String>>);

impl Relay for Recorder {
    fn join(&self, room: &str, participant: &str, _: &str) -> Result<String, String> {
        self.0
            .lock()
            .unwrap()
            .push(format!("join {room} {participant}"));
        Ok("v=0 answer".into())
    }
    fn pause(&self, room: &str) -> Result<(), String> {
        self.0.lock().unwrap().push(format!("pause {room}"));
        Ok(())
    }
    fn resume(&self, room: &str) -> Result<(), String> {
        self.0.lock().unwrap().push(format!("resume {room}"));
        Ok(())
    }
    fn end(&self, room: &str) -> Result<(), String> {
        self.0.lock().unwrap().push(format!("end {room}"));
        Ok(())
    }
}

async fn database(dir: &std::path::Path) -> Db {
    let url = format!("sqlite://{}?mode=rwc", dir.join("calls.db").display());
    let db = Db::connect(&url, 2, Sync::Normal, &[MIGRATIONS, calls::MIGRATIONS])
        .await
        .unwrap();
    for (id, name) in [("hull", "Hull"), ("leeds", "Leeds")] {
        sqlx::query("INSERT INTO establishments (id, name, enabled) VALUES ($1, $2, 1)")
            .bind(id)
            .bind(name)
            .execute(db.writer())
            .await
            .unwrap();
    }
    sqlx::query("INSERT INTO prisoners (id, prison_number, name, establishment_id, created_by, created_at) VALUES ('p', 'A1234BC', 'John Smith', 'hull', 'x', 0)")
        .execute(db.writer())
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO calls (id, reference, idempotency_key, establishment_id, prisoner_id, main_caller, slot_id, date, start_time, minutes, month, status, created_by, created_at, updated_at) \
         VALUES ('c1', 'REF', 'k', 'hull', 'p', 'jo', 's', '2027-01-05', '14:00', 30, '2027-01', 'booked', 'x', 0, 0)",
    )
    .execute(db.writer())
    .await
    .unwrap();
    db
}

fn user(id: &str, kind: Kind, grant: Option<(Role, &str)>) -> SessionUser {
    SessionUser {
        id: id.into(),
        email: format!("{id}@example.test"),
        name: id.into(),
        kind,
        grants: grant
            .map(|(role, est)| Grant {
                role,
                scope: Scope::Establishment(est.into()),
            })
            .into_iter()
            .collect(),
    }
}

fn at(h: u32, m: u32) -> chrono::NaiveDateTime {
    NaiveDate::from_ymd_opt(2027, 1, 5)
        .unwrap()
        .and_hms_opt(h, m, 0)
        .unwrap()
}

#[tokio::test]
async fn only_the_call_s_people_join_and_only_in_its_window() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path()).await;
    let relay = Recorder::default();
    let call = calls::booking::get(&db, "c1").await.unwrap();
    let jo = user("jo", Kind::Visitor, None);
    let other_family = user("al", Kind::Visitor, None);
    let officer = user("sam", Kind::Staff, Some((Role::CallsOfficer, "hull")));
    let elsewhere = user("lee", Kind::Staff, Some((Role::CallsOfficer, "leeds")));
    let visits_staff = user("bo", Kind::Staff, Some((Role::BookingStaff, "hull")));

    // Before the room opens (10 minutes before 14:00).
    let early = live::join(&db, &relay, &call, &jo, 10, at(13, 49), "offer").await;
    assert!(matches!(early, Err(platform::Error::Conflict(m)) if m.contains("opens at 13:50")));
    // In the window: the caller and Hull's calls officer; nobody else.
    assert_eq!(
        live::join(&db, &relay, &call, &jo, 10, at(13, 50), "offer")
            .await
            .unwrap(),
        "v=0 answer"
    );
    live::join(&db, &relay, &call, &officer, 10, at(14, 1), "offer")
        .await
        .unwrap();
    for stranger in [&other_family, &elsewhere, &visits_staff] {
        let refused = live::join(&db, &relay, &call, stranger, 10, at(14, 2), "offer").await;
        assert!(
            matches!(refused, Err(platform::Error::Forbidden)),
            "{} is refused",
            stranger.id
        );
    }
    assert_eq!(
        *relay.0.lock().unwrap(),
        ["join c1 caller", "join c1 prison"]
    );
    let refusals: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'call.join_refused'")
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert_eq!(refusals, 4, "each refusal is audited");

    // Nothing is ended before the slot is over; at 14:30 the room ends, on
    // the relay too, once.
    assert_eq!(
        live::close_due(&db, &relay, 10, at(14, 29)).await.unwrap(),
        0
    );
    assert_eq!(
        live::close_due(&db, &relay, 10, at(14, 30)).await.unwrap(),
        1
    );
    assert_eq!(
        live::close_due(&db, &relay, 10, at(14, 31)).await.unwrap(),
        0
    );
    assert_eq!(
        relay.0.lock().unwrap().last().map(String::as_str),
        Some("end c1")
    );
    let room = live::room(&db, &call, 10, at(14, 31)).await.unwrap();
    assert_eq!(room.state, "ended");
    let late = live::join(&db, &relay, &call, &jo, 10, at(14, 20), "offer").await;
    assert!(
        matches!(late, Err(platform::Error::Conflict(_))),
        "an ended room takes no one back"
    );
    let family_sees: Vec<String> = live::timeline(&db, "c1", false)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.detail)
        .collect();
    assert_eq!(
        family_sees,
        [
            "The caller joined",
            "The prison joined",
            "Ended at the booked time"
        ]
    );
}

#[tokio::test]
async fn a_restart_marks_the_calls_it_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path()).await;
    let relay = Recorder::default();
    let call = calls::booking::get(&db, "c1").await.unwrap();
    let jo = user("jo", Kind::Visitor, None);
    live::join(&db, &relay, &call, &jo, 10, at(14, 0), "offer")
        .await
        .unwrap();
    let officer = user("sam", Kind::Staff, Some((Role::CallsOfficer, "hull")));
    live::control(&db, &relay, &call, live::Control::Pause, "", &officer.id)
        .await
        .unwrap();
    assert_eq!(live::after_restart(&db).await.unwrap(), 1);
    let lines: Vec<String> = live::timeline(&db, "c1", false)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(lines, ["joined", "paused", "interrupted"]);
    // Rejoining after the restart finds the call still paused, and the
    // media server is told so.
    live::join(&db, &relay, &call, &jo, 10, at(14, 5), "offer")
        .await
        .unwrap();
    let told = relay.0.lock().unwrap().clone();
    assert_eq!(
        told[told.len() - 2..],
        ["join c1 caller".to_owned(), "pause c1".to_owned()]
    );
}
