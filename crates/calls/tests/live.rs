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
    fn snapshot(
        &self,
        _: &str,
        _: &str,
        _: std::time::Duration,
    ) -> Result<Option<face::RgbImage>, String> {
        Ok(None)
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
    sqlx::query("INSERT INTO approved_contacts (id, prisoner_id, account_id, name, dob, relationship, status, approved_by, approved_at, updated_at) VALUES ('contact-jo', 'p', 'jo', 'Jo Bloggs', '1961-08-04', 'Sister', 'approved', 'x', 0, 0)")
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
    let early = live::join(
        &db,
        &relay,
        "n1",
        &call,
        &jo,
        10,
        at(13, 49),
        "offer",
        false,
    )
    .await;
    assert!(matches!(early, Err(platform::Error::Conflict(m)) if m.contains("opens at 13:50")));
    // In the window: the caller and Hull's calls officer; nobody else.
    assert_eq!(
        live::join(
            &db,
            &relay,
            "n1",
            &call,
            &jo,
            10,
            at(13, 50),
            "offer",
            false
        )
        .await
        .unwrap(),
        "v=0 answer"
    );
    live::join(
        &db,
        &relay,
        "n1",
        &call,
        &officer,
        10,
        at(14, 1),
        "offer",
        false,
    )
    .await
    .unwrap();
    for stranger in [&other_family, &elsewhere, &visits_staff] {
        let refused = live::join(
            &db,
            &relay,
            "n1",
            &call,
            stranger,
            10,
            at(14, 2),
            "offer",
            false,
        )
        .await;
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
        live::close_due(&db, &relay, 10, at(14, 24)).await.unwrap(),
        0
    );
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
    let late = live::join(
        &db,
        &relay,
        "n1",
        &call,
        &jo,
        10,
        at(14, 20),
        "offer",
        false,
    )
    .await;
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
            "5 minutes left: the call ends at the booked time",
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
    live::join(&db, &relay, "n1", &call, &jo, 10, at(14, 0), "offer", false)
        .await
        .unwrap();
    let officer = user("sam", Kind::Staff, Some((Role::CallsOfficer, "hull")));
    live::control(
        &db,
        &relay,
        &call,
        live::Control::Pause,
        "",
        &officer.actor(),
    )
    .await
    .unwrap();
    assert_eq!(
        live::after_restart(&db, "n1", platform::now())
            .await
            .unwrap(),
        1
    );
    let lines: Vec<String> = live::timeline(&db, "c1", false)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(lines, ["joined", "paused", "interrupted"]);
    // Rejoining after the restart finds the call still paused, and the
    // media server is told so.
    live::join(&db, &relay, "n1", &call, &jo, 10, at(14, 5), "offer", false)
        .await
        .unwrap();
    let told = relay.0.lock().unwrap().clone();
    assert_eq!(
        told[told.len() - 2..],
        ["join c1 caller".to_owned(), "pause c1".to_owned()]
    );
}

/// A call booked for a slot that began `minutes_ago`, today, with an
/// allowance row holding its 30 minutes.
async fn call_started(db: &Db, id: &str, minutes_ago: i64) -> calls::booking::Call {
    let start = chrono::Utc::now().naive_utc() - chrono::Duration::minutes(minutes_ago);
    sqlx::query(
        "INSERT INTO calls (id, reference, idempotency_key, establishment_id, prisoner_id, main_caller, slot_id, date, start_time, minutes, month, status, created_by, created_at, updated_at) \
         VALUES ($1, $1, $1, 'hull', 'p', 'jo', 's', $2, $3, 30, $4, 'booked', 'x', 0, 0)",
    )
    .bind(id)
    .bind(start.date().to_string())
    .bind(start.format("%H:%M").to_string())
    .bind(calls::booking::month_of(start.date()))
    .execute(db.writer())
    .await
    .unwrap();
    sqlx::query("INSERT INTO call_allowance (prisoner_id, month, used_minutes) VALUES ('p', $1, 30) ON CONFLICT (prisoner_id, month) DO UPDATE SET used_minutes = call_allowance.used_minutes + 30")
        .bind(calls::booking::month_of(start.date()))
        .execute(db.writer())
        .await
        .unwrap();
    calls::booking::get(db, id).await.unwrap()
}

/// Joins `who` through `node` now, as a participant.
async fn join_now(
    db: &Db,
    relay: &Recorder,
    node: &str,
    call: &calls::booking::Call,
    who: &SessionUser,
) -> platform::Result<String> {
    let now = chrono::Utc::now().naive_utc();
    live::join(db, relay, node, call, who, 10, now, "offer", false).await
}

async fn used(db: &Db, call: &calls::booking::Call) -> i64 {
    sqlx::query_scalar(
        "SELECT used_minutes FROM call_allowance WHERE prisoner_id = 'p' AND month = $1",
    )
    .bind(calls::booking::month_of(call.date))
    .fetch_one(db.pool())
    .await
    .unwrap()
}

async fn kinds(db: &Db, id: &str, staff: bool) -> Vec<String> {
    live::timeline(db, id, staff)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect()
}

#[tokio::test]
async fn a_face_pause_explains_itself_and_a_false_alarm_gives_the_minutes_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path()).await;
    let relay = Recorder::default();
    let master = platform::vault::Key::random();
    let call = call_started(&db, "c2", 10).await;
    let jo = user("jo", Kind::Visitor, None);
    let officer = user("sam", Kind::Staff, Some((Role::CallsOfficer, "hull")));
    let now = chrono::Utc::now().naive_utc();
    live::join(&db, &relay, "n1", &call, &jo, 10, now, "offer", false)
        .await
        .unwrap();
    assert_eq!(used(&db, &call).await, 30);

    let paused = calls::face_check::pause(
        &db,
        &relay,
        &master,
        &call,
        "1 of 2 faces not approved in 2 checks in a row",
        Some(b"jpeg"),
    )
    .await
    .unwrap();
    assert!(paused);
    assert_eq!(
        live::room(&db, &call, 10, now).await.unwrap().state,
        "paused"
    );
    assert_eq!(relay.0.lock().unwrap().last().unwrap(), "pause c2");
    // Paused already: a second alert does not stack on the first.
    assert!(
        !calls::face_check::pause(&db, &relay, &master, &call, "again", None)
            .await
            .unwrap()
    );
    // The family is told why; the security line is for staff (and the
    // incidents system) only.
    assert_eq!(kinds(&db, "c2", false).await, ["joined", "paused"]);
    assert_eq!(
        kinds(&db, "c2", true).await,
        ["joined", "paused", "security"]
    );
    let alert = calls::face_check::open_alert(&db, "c2")
        .await
        .unwrap()
        .expect("an open alert");
    assert_eq!(
        calls::face_check::alert_thumbnail(&db, &master, "c2", &alert.id, "sam")
            .await
            .unwrap(),
        b"jpeg"
    );
    let other_key = platform::vault::Key::random();
    assert!(
        calls::face_check::alert_thumbnail(&db, &other_key, "c2", &alert.id, "sam")
            .await
            .is_err()
    );
    assert!(
        calls::face_check::alert_thumbnail(&db, &master, "c1", &alert.id, "sam")
            .await
            .is_err(),
        "an alert is only shown with its own call"
    );

    // Three minutes later staff find it was a mistake: resumed, and the
    // three paused minutes go back to the allowance.
    sqlx::query("UPDATE call_alerts SET at = at - 150 WHERE id = $1")
        .bind(&alert.id)
        .execute(db.writer())
        .await
        .unwrap();
    live::control(
        &db,
        &relay,
        &call,
        live::Control::FalseAlarm,
        "",
        &officer.actor(),
    )
    .await
    .unwrap();
    assert_eq!(live::room(&db, &call, 10, now).await.unwrap().state, "open");
    assert_eq!(used(&db, &call).await, 27);
    assert!(
        calls::face_check::open_alert(&db, "c2")
            .await
            .unwrap()
            .is_none()
    );
    let family: Vec<String> = live::timeline(&db, "c2", false)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.detail)
        .collect();
    assert!(
        family
            .iter()
            .any(|d| d == "3 minutes lost to a pause raised in error given back to the allowance"),
        "{family:?}"
    );
    // Resuming an open call is refused and changes nothing.
    let again = live::control(
        &db,
        &relay,
        &call,
        live::Control::FalseAlarm,
        "",
        &officer.actor(),
    )
    .await;
    assert!(matches!(again, Err(platform::Error::Conflict(m)) if m == "the call is not paused"));
    assert_eq!(used(&db, &call).await, 27);
    let history: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM call_room_events WHERE room_id = 'c2'")
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert_eq!(history, 3, "opened, paused by the face check, resumed");
}

#[tokio::test]
async fn a_call_ended_after_a_face_alert_reaches_the_incidents_line_and_stays_ended() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path()).await;
    let relay = Recorder::default();
    let master = platform::vault::Key::random();
    let call = call_started(&db, "c3", 5).await;
    let jo = user("jo", Kind::Visitor, None);
    let officer = user("sam", Kind::Staff, Some((Role::CallsOfficer, "hull")));
    let now = chrono::Utc::now().naive_utc();
    live::join(&db, &relay, "n1", &call, &jo, 10, now, "offer", false)
        .await
        .unwrap();
    calls::face_check::pause(
        &db,
        &relay,
        &master,
        &call,
        "1 of 1 faces not approved",
        None,
    )
    .await
    .unwrap();
    live::control(&db, &relay, &call, live::Control::End, "", &officer.actor())
        .await
        .unwrap();
    assert_eq!(
        kinds(&db, "c3", true).await,
        ["joined", "paused", "security", "ended", "security"]
    );
    assert_eq!(
        used(&db, &call).await,
        30,
        "a real alert gives nothing back"
    );
    for what in [
        live::Control::Resume,
        live::Control::FalseAlarm,
        live::Control::Pause,
        live::Control::End,
    ] {
        assert!(
            live::control(&db, &relay, &call, what, "", &officer.actor())
                .await
                .is_err(),
            "{what:?} after the end"
        );
    }
    assert!(
        live::join(&db, &relay, "n1", &call, &jo, 10, now, "offer", false)
            .await
            .is_err()
    );
    let outcome: String =
        sqlx::query_scalar("SELECT outcome FROM call_alerts WHERE call_id = 'c3'")
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert_eq!(outcome, "ended");
    // Each concern reached the security team as an event with the call's
    // reference, establishment, prisoner and visitors.
    let events = platform::events::pending(&db, "test", &[platform::events::SECURITY_CONCERN], 10)
        .await
        .unwrap();
    let concerns: Vec<platform::events::SecurityConcern> =
        events.iter().map(|e| e.payload().unwrap()).collect();
    assert_eq!(
        concerns
            .iter()
            .map(|c| c.trigger.as_str())
            .collect::<Vec<_>>(),
        ["unapproved_face", "ended_by_staff"]
    );
    for c in &concerns {
        assert_eq!(c.reference, call.reference);
        assert_eq!(c.establishment_id, "hull");
        assert_eq!(
            c.prisoner_number.as_deref(),
            Some(call.prison_number.as_str())
        );
        assert_eq!(c.visitors, call.people);
    }
}

#[tokio::test]
async fn staff_ending_a_call_for_security_raises_a_concern_and_a_plain_end_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path()).await;
    let relay = Recorder::default();
    let officer = user("sam", Kind::Staff, Some((Role::CallsOfficer, "hull")));
    let jo = user("jo", Kind::Visitor, None);
    let now = chrono::Utc::now().naive_utc();
    let plain = call_started(&db, "c8", 5).await;
    live::join(&db, &relay, "n1", &plain, &jo, 10, now, "offer", false)
        .await
        .unwrap();
    live::control(
        &db,
        &relay,
        &plain,
        live::Control::End,
        "",
        &officer.actor(),
    )
    .await
    .unwrap();
    let concerns = || async {
        platform::events::pending(&db, "test", &[platform::events::SECURITY_CONCERN], 10)
            .await
            .unwrap()
    };
    assert!(concerns().await.is_empty(), "an ordinary end is no concern");
    let call = call_started(&db, "c9", 7).await;
    live::join(&db, &relay, "n1", &call, &jo, 10, now, "offer", false)
        .await
        .unwrap();
    live::control(
        &db,
        &relay,
        &call,
        live::Control::EndSecurity,
        "a phone held up to the camera",
        &officer.actor(),
    )
    .await
    .unwrap();
    let events = concerns().await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].subject, "c9");
    let c: platform::events::SecurityConcern = events[0].payload().unwrap();
    assert_eq!(c.trigger, "ended_by_staff");
    assert!(
        c.summary.contains("a phone held up to the camera"),
        "{}",
        c.summary
    );
    assert_eq!(
        kinds(&db, "c9", true).await,
        ["joined", "ended", "security"]
    );
}

#[tokio::test]
async fn minutes_lost_to_a_restart_go_back_when_the_call_reconnects() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path()).await;
    let relay = Recorder::default();
    let call = call_started(&db, "c4", 10).await;
    let jo = user("jo", Kind::Visitor, None);
    join_now(&db, &relay, "n1", &call, &jo).await.unwrap();
    live::after_restart(&db, "n1", platform::now() - 240)
        .await
        .unwrap();
    join_now(&db, &relay, "n1", &call, &jo).await.unwrap();
    assert_eq!(used(&db, &call).await, 26);
    // A second reconnection gives nothing more.
    join_now(&db, &relay, "n1", &call, &jo).await.unwrap();
    assert_eq!(used(&db, &call).await, 26);
}

#[tokio::test]
async fn a_room_stays_on_its_node_until_the_node_goes_silent() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path()).await;
    let (one, two) = (Recorder::default(), Recorder::default());
    let call = call_started(&db, "c5", 5).await;
    let jo = user("jo", Kind::Visitor, None);
    let officer = user("sam", Kind::Staff, Some((Role::CallsOfficer, "hull")));
    let now = chrono::Utc::now().naive_utc();
    live::register_node(&db, "n1", "10.0.0.1:50000")
        .await
        .unwrap();
    live::register_node(&db, "n2", "10.0.0.2:50000")
        .await
        .unwrap();
    live::join(&db, &one, "n1", &call, &jo, 10, now, "offer", false)
        .await
        .unwrap();
    // The prison's laptop reaches the other node: refused while n1 lives,
    // so that both sides meet on one media server.
    let refused = live::join(&db, &two, "n2", &call, &officer, 10, now, "offer", false).await;
    assert!(
        matches!(&refused, Err(platform::Error::Conflict(m)) if m.contains("(n1)")),
        "{refused:?}"
    );
    assert!(two.0.lock().unwrap().is_empty());

    // A control made through n2 reaches n1's media server on n1's tick,
    // once.
    live::control(&db, &two, &call, live::Control::Pause, "", &officer.actor())
        .await
        .unwrap();
    let applied = std::sync::Mutex::new(std::collections::HashMap::new());
    live::tick_node(&db, &one, "n1", &applied).await.unwrap();
    live::tick_node(&db, &one, "n1", &applied).await.unwrap();
    let told: Vec<String> = one.0.lock().unwrap().clone();
    assert_eq!(
        told.iter().filter(|t| *t == "pause c5").count(),
        1,
        "{told:?}"
    );
    // n2 holds no room, so its tick tells its media server nothing.
    let applied_two = std::sync::Mutex::new(std::collections::HashMap::new());
    live::tick_node(&db, &two, "n2", &applied_two)
        .await
        .unwrap();
    assert_eq!(
        *two.0.lock().unwrap(),
        ["pause c5"],
        "only the control's own attempt"
    );

    // n1 goes silent: the next join through n2 moves the room there, and a
    // restart of n1 no longer claims it.
    sqlx::query("UPDATE call_nodes SET seen_at = seen_at - 60 WHERE id = 'n1'")
        .execute(db.writer())
        .await
        .unwrap();
    live::join(&db, &two, "n2", &call, &jo, 10, now, "offer", false)
        .await
        .unwrap();
    assert_eq!(
        two.0.lock().unwrap().last().map(String::as_str),
        Some("pause c5"),
        "the moved room is held paused on its new node"
    );
    assert!(kinds(&db, "c5", true).await.contains(&"moved".to_owned()));
    assert_eq!(
        live::after_restart(&db, "n1", platform::now())
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        live::after_restart(&db, "n2", platform::now())
            .await
            .unwrap(),
        1
    );
}

#[tokio::test]
async fn staff_watch_a_call_without_being_on_it_and_nobody_else_does() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path()).await;
    let relay = Recorder::default();
    let call = call_started(&db, "c6", 5).await;
    let jo = user("jo", Kind::Visitor, None);
    let officer = user("sam", Kind::Staff, Some((Role::CallsOfficer, "hull")));
    let now = chrono::Utc::now().naive_utc();
    let refused = live::join(&db, &relay, "n1", &call, &jo, 10, now, "offer", true).await;
    assert!(
        matches!(refused, Err(platform::Error::Forbidden)),
        "a caller cannot watch"
    );
    live::join(&db, &relay, "n1", &call, &officer, 10, now, "offer", true)
        .await
        .unwrap();
    assert_eq!(*relay.0.lock().unwrap(), ["join c6 watch-sam"]);
    // Watching is on staff's timeline only, and takes nobody's place.
    assert_eq!(kinds(&db, "c6", true).await, ["watching"]);
    assert!(kinds(&db, "c6", false).await.is_empty());
}

#[tokio::test]
async fn a_caller_whose_approval_was_withdrawn_cannot_join() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path()).await;
    let relay = Recorder::default();
    let call = call_started(&db, "c7", 5).await;
    let jo = user("jo", Kind::Visitor, None);
    sqlx::query("UPDATE approved_contacts SET status = 'withdrawn', status_from = '2000-01-01' WHERE id = 'contact-jo'")
        .execute(db.writer())
        .await
        .unwrap();
    let refused = join_now(&db, &relay, "n1", &call, &jo).await;
    assert!(
        matches!(&refused, Err(platform::Error::Conflict(m)) if m.contains("no longer approved")),
        "{refused:?}"
    );
    assert!(relay.0.lock().unwrap().is_empty());
}
