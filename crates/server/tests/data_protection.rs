//! Data protection: retention deletes visits seven years after they happen
//! and leaves an audit line without personal data; subject access exports
//! everything about a person; staff views are audited.

mod support;

use chrono::{Duration, NaiveDate, Utc};
use server::accounts::Role;
use server::visits::establishments::SessionSlot;
use server::visits::{self, Lead, Person, Prisoner, VisitRequest};
use support::{Backend, TestApp};

fn request(key: &str, lead: &str, date: NaiveDate) -> VisitRequest {
    let dob = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
    VisitRequest {
        account_id: None,
        establishment_id: "hull".into(),
        prisoner: Prisoner {
            name: "Peter Prisoner".into(),
            dob,
            number: "B2345CD".into(),
        },
        lead: Lead {
            person: Person {
                name: lead.into(),
                dob,
            },
            email: "lead@example.com".into(),
            phone: "07700 900 982".into(),
        },
        visitors: vec![Person {
            name: "Kid Visitor".into(),
            dob: NaiveDate::from_ymd_opt(2015, 6, 1).unwrap(),
        }],
        preferences: vec![SessionSlot {
            id: format!("hull/{date}/14:00"),
            date,
            start: "14:00".into(),
            end: "16:00".into(),
            open_capacity: 10,
            closed_capacity: 1,
            open_booked: 0,
            closed_booked: 0,
        }],
        support_needs: "None".into(),
        idempotency_key: key.into(),
    }
}

async fn retention(backend: Backend) {
    let app = TestApp::start(backend).await;
    let db = app.db();
    let today = Utc::now().date_naive();
    let old = visits::submit(
        db,
        &request("old", "Olive Old", today - Duration::days(365 * 7 + 10)),
    )
    .await
    .unwrap();
    let recent = visits::submit(
        db,
        &request("new", "Nora New", today - Duration::days(365 * 6)),
    )
    .await
    .unwrap();
    // Two runs at once (the server's own job may be running too): the visit
    // is deleted, and audited, exactly once.
    let (a, b) = tokio::join!(
        server::visits::retention::run(db, today),
        server::visits::retention::run(db, today)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 1);
    assert!(matches!(
        visits::get_visit(db, &old.id).await,
        Err(server::Error::NotFound)
    ));
    assert!(visits::get_visit(db, &recent.id).await.is_ok());
    for (table, column) in [
        ("visit_visitors", "visit_id"),
        ("visit_events", "visit_id"),
        ("outbox", "about"),
    ] {
        let n: i64 =
            sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table} WHERE {column} = $1"))
                .bind(&old.id)
                .fetch_one(db.pool())
                .await
                .unwrap();
        assert_eq!(n, 0, "{table} rows of the old visit are gone");
    }
    let audit = server::audit::recent(db, Some(&old.id), 10).await.unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].action, "retention.delete");
    for personal in [
        "Olive",
        "Peter",
        "Kid",
        "B2345CD",
        "lead@example.com",
        "1970",
    ] {
        assert!(
            !audit[0].detail.contains(personal),
            "audit line holds no personal data: {}",
            audit[0].detail
        );
    }
    // Running again finds nothing more.
    assert_eq!(server::visits::retention::run(db, today).await.unwrap(), 0);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_deletes_after_seven_years_sqlite() {
    retention(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_deletes_after_seven_years_postgres() {
    retention(Backend::Postgres).await;
}

async fn subject_access(backend: Backend) {
    let app = TestApp::start(backend).await;
    let db = app.db();
    let soon = Utc::now().date_naive() + Duration::days(10);
    visits::submit(db, &request("a", "Alice Able", soon))
        .await
        .unwrap();
    visits::submit(db, &request("b", "Bob Baker", soon))
        .await
        .unwrap();
    let admin = app.admin().await;
    // Booking staff may not export.
    let clerk = app
        .staff("clerk@hull.test", Role::BookingStaff, &["hull"])
        .await;
    assert_eq!(clerk.get("/staff/subject-access").await.status, 403);

    let page = admin.get("/staff/subject-access?name=kid+visitor").await;
    assert!(
        page.body.contains("Found 2 visits"),
        "the child appears in both visits"
    );
    let json = admin
        .http
        .get(format!(
            "{}/staff/subject-access/export.json?name=Alice%20Able",
            app.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        json.headers()["content-disposition"],
        "attachment; filename=\"subject-access.json\""
    );
    let x: serde_json::Value = serde_json::from_str(&json.text().await.unwrap()).unwrap();
    assert_eq!(x["visits"].as_array().unwrap().len(), 1);
    assert_eq!(x["visits"][0]["role"][0], "lead visitor");
    assert_eq!(x["visits"][0]["visit"]["lead_name"], "Alice Able");
    assert!(
        x["visits"][0]["emails"][0]["subject"]
            .as_str()
            .unwrap()
            .contains("Visit request received")
    );
    assert!(
        !serde_json::to_string(&x).unwrap().contains("Bob Baker"),
        "only Alice's data"
    );
    let html = admin
        .http
        .get(format!("{}/staff/subject-access/export.html?name=Peter%20Prisoner&dob-day=1&dob-month=1&dob-year=1970", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Information held about Peter Prisoner"));
    assert_eq!(html.matches("(as prisoner)").count(), 2);
    assert_eq!(
        server::audit::count(db, "subject_access.export", None)
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        server::audit::count(db, "subject_access.search", None)
            .await
            .unwrap(),
        1
    );
    // The audit log page lists them, for national administrators, naming
    // who did it rather than showing their account's key.
    let page = admin.get("/staff/audit").await;
    assert!(page.body.contains("subject_access.export"));
    let admin_id: String =
        sqlx::query_scalar("SELECT id FROM accounts WHERE email = 'admin@hmpps.test'")
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert!(
        page.body.contains("(admin@hmpps.test)"),
        "the administrator is named"
    );
    assert!(
        !page.body.contains(&format!(">{admin_id}<")),
        "no raw account key in a cell"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subject_access_exports_everything_about_a_person_sqlite() {
    subject_access(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subject_access_exports_everything_about_a_person_postgres() {
    subject_access(Backend::Postgres).await;
}

#[test]
fn config_reads_toml_then_environment() {
    let mut c =
        server::Config::from_toml("listen = \"127.0.0.1:9999\"\n[smtp]\nport = 2525\n").unwrap();
    assert_eq!(c.listen.port(), 9999);
    assert_eq!(c.smtp.port, 2525);
    assert_eq!(c.session_idle_seconds, 20 * 60);
    c.apply_env([
        ("LIFELINE_SMTP_PORT".to_owned(), "26".to_owned()),
        (
            "LIFELINE_DATABASE_URL".to_owned(),
            "postgres://x@y/z".to_owned(),
        ),
        ("PATH".to_owned(), "/bin".to_owned()),
    ])
    .unwrap();
    assert_eq!(c.smtp.port, 26);
    assert_eq!(c.database_url(), "postgres://x@y/z");
    assert!(
        c.apply_env([("LIFELINE_SMTP_PORT".to_owned(), "many".to_owned())])
            .is_err()
    );
    assert!(
        server::Config::from_toml("nonsense = 1").is_err(),
        "unknown settings are refused"
    );
    let round = server::Config::from_toml(&c.to_toml()).unwrap();
    assert_eq!(round.smtp.port, 26);
}

async fn subject_access_by_email_and_account(backend: Backend) {
    let app = TestApp::start(backend).await;
    let db = app.db();
    let soon = Utc::now().date_naive() + Duration::days(10);
    visits::submit(db, &request("a", "Alice Able", soon))
        .await
        .unwrap();
    app.visitor("lead@example.com", "Lena Lead").await;
    let admin = app.admin().await;
    let page = admin
        .get("/staff/subject-access?email=lead%40example.com")
        .await;
    assert!(page.body.contains("Found 1 visits"), "{}", page.body);
    assert!(
        page.body.contains("1 accounts"),
        "the account is found by its address"
    );
    assert!(page.body.contains("Searched: email lead@example.com"));
    let x: serde_json::Value = serde_json::from_str(
        &admin
            .http
            .get(format!(
                "{}/staff/subject-access/export.json?email=lead%40example.com",
                app.base
            ))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(x["searched"]["email"], "lead@example.com");
    assert_eq!(x["accounts"][0]["name"], "Lena Lead");
    assert_eq!(x["visits"][0]["role"][0], "account holder");
    assert!(x["datalab"].is_array(), "every system answers");
    // Neither a name nor an address: the form says what to enter.
    let page = admin.get("/staff/subject-access?name=&email=").await;
    assert!(
        page.body
            .contains("Enter the person&#39;s full name or email address")
            || page
                .body
                .contains("Enter the person's full name or email address")
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subject_access_finds_by_email_and_account_sqlite() {
    subject_access_by_email_and_account(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subject_access_finds_by_email_and_account_postgres() {
    subject_access_by_email_and_account(Backend::Postgres).await;
}
