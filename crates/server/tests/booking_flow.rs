//! A family books a visit through the real pages, staff accept it, and the
//! family is emailed; on SQLite and on PostgreSQL.

mod support;

use server::accounts::Role;
use support::{Backend, TestApp, fill_booking, first_bookable};

async fn book_accept_cancel(backend: Backend) {
    let app = TestApp::start(backend).await;
    let health = app
        .client()
        .http
        .get(format!("{}/health", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    assert!(health.text().await.unwrap().contains("\"status\":\"ok\""));

    let mary = app.visitor("mary@example.com", "Mary Smith").await;
    let sessions = first_bookable(app.db(), "leeds").await;
    assert!(
        sessions.len() >= 3,
        "the default timetable offers sessions in the window"
    );
    let (s1, s2) = (&sessions[0], &sessions[1]);
    let check = fill_booking(&mary, "leeds", &[&s1.id, &s2.id]).await;
    assert!(
        check
            .body
            .contains("Check your answers before sending your request")
    );
    for shown in [
        "John Smith",
        "A1234BC",
        "Mary Smith",
        "Tom Smith",
        "Wheelchair access, please",
        "Leeds",
    ] {
        assert!(check.body.contains(shown), "check page shows {shown}");
    }
    let done = mary
        .post_form(
            "/book/check",
            &[("idempotency", &check.value_of("idempotency").unwrap())],
        )
        .await;
    assert!(done.url.contains("/book/confirmation/"), "{}", done.url);
    assert!(done.body.contains("Request sent"));
    let reference = done.url.rsplit('/').next().unwrap().to_owned();
    assert_eq!(reference.len(), 10);
    let ack = app
        .smtp
        .wait_for("mary@example.com", "Visit request received")
        .await;
    assert!(ack.body.contains(&reference));

    // Staff at Leeds see it, open it (audited) and accept it.
    let staff = app
        .staff("officer@leeds.test", Role::BookingStaff, &["leeds"])
        .await;
    let queue = staff.get("/staff/establishments/leeds").await;
    assert!(queue.body.contains(&reference));
    let visit_id = {
        let i = queue.body.find("/staff/visits/").unwrap();
        queue.body[i + 14..].split('"').next().unwrap().to_owned()
    };
    let page = staff.get(&format!("/staff/visits/{visit_id}")).await;
    assert!(page.body.contains("Wheelchair access, please"));
    assert_eq!(
        server::audit::count(app.db(), "visit.view", Some(&visit_id))
            .await
            .unwrap(),
        1
    );
    // Staff of another prison cannot open it.
    let other = app
        .staff("officer@hull.test", Role::BookingStaff, &["hull"])
        .await;
    assert_eq!(
        other.get(&format!("/staff/visits/{visit_id}")).await.status,
        403
    );

    let accepted = staff
        .post_form(
            &format!("/staff/visits/{visit_id}/accept"),
            &[("slot", &s2.id), ("kind", "open")],
        )
        .await;
    assert!(
        accepted
            .body
            .contains("is booked and the visitor has been emailed"),
        "{:?}",
        accepted.error_summary()
    );
    let confirmed = app
        .smtp
        .wait_for("mary@example.com", "Visit confirmed")
        .await;
    assert!(confirmed.body.contains(&s2.label()));
    let slot = server::visits::establishments::slot(app.db(), &s2.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(slot.open_booked, 1);

    // Accepting twice does nothing more.
    let again = staff
        .post_form(
            &format!("/staff/visits/{visit_id}/accept"),
            &[("slot", &s1.id), ("kind", "open")],
        )
        .await;
    assert!(
        again
            .error_summary()
            .unwrap()
            .contains("already been processed")
    );
    assert_eq!(
        server::visits::establishments::slot(app.db(), &s1.id)
            .await
            .unwrap()
            .unwrap()
            .open_booked,
        0
    );

    // The visitor sees the booking, then cancels it; the place is freed.
    let mine = mary.get(&format!("/visits/{reference}")).await;
    assert!(mine.body.contains("Booked"));
    let cancelled = mary
        .post_form(&format!("/visits/{reference}/cancel"), &[])
        .await;
    assert!(cancelled.body.contains("is cancelled"));
    app.smtp
        .wait_for("mary@example.com", "Visit cancelled")
        .await;
    assert_eq!(
        server::visits::establishments::slot(app.db(), &s2.id)
            .await
            .unwrap()
            .unwrap()
            .open_booked,
        0
    );
    let history = server::visits::events(app.db(), &visit_id).await.unwrap();
    let steps: Vec<_> = history.iter().map(|e| e.to_status.as_str()).collect();
    assert_eq!(steps, ["requested", "booked", "cancelled"]);
    assert!(history[1].actor != "visitor" && history[1].detail.contains("Sam Officer"));

    // Another visitor cannot see Mary's request.
    let eve = app.visitor("eve@example.com", "Eve Other").await;
    assert_eq!(eve.get(&format!("/visits/{reference}")).await.status, 404);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn book_accept_cancel_sqlite() {
    book_accept_cancel(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn book_accept_cancel_postgres() {
    book_accept_cancel(Backend::Postgres).await;
}

async fn reject_with_ban(backend: Backend) {
    let app = TestApp::start(backend).await;
    let mary = app.visitor("mary@example.com", "Mary Smith").await;
    let sessions = first_bookable(app.db(), "durham").await;
    let check = fill_booking(&mary, "durham", &[&sessions[0].id]).await;
    mary.post_form(
        "/book/check",
        &[("idempotency", &check.value_of("idempotency").unwrap())],
    )
    .await;
    let staff = app
        .staff("admin@durham.test", Role::EstablishmentAdmin, &["durham"])
        .await;
    let queue = staff.get("/staff/establishments/durham").await;
    let i = queue.body.find("/staff/visits/").unwrap();
    let visit_id = queue.body[i + 14..].split('"').next().unwrap().to_owned();
    // A ban needs its end date; the form says so and nothing changes.
    let page = staff
        .post_form(
            &format!("/staff/visits/{visit_id}/reject"),
            &[("reason", "banned")],
        )
        .await;
    assert!(
        page.error_summary()
            .unwrap()
            .contains("Enter the date the ban ends")
    );
    assert_eq!(
        server::visits::get_visit(app.db(), &visit_id)
            .await
            .unwrap()
            .status,
        server::visits::Status::Requested
    );
    let page = staff
        .post_form(
            &format!("/staff/visits/{visit_id}/reject"),
            &[
                ("reason", "banned"),
                ("banned-until-day", "1"),
                ("banned-until-month", "1"),
                ("banned-until-year", "2099"),
            ],
        )
        .await;
    assert!(
        page.body.contains("is rejected"),
        "{:?}",
        page.error_summary()
    );
    let mail = app.smtp.wait_for("mary@example.com", "not accepted").await;
    assert!(
        mail.body
            .contains("banned from visiting until 1 January 2099")
    );
    let v = server::visits::get_visit(app.db(), &visit_id)
        .await
        .unwrap();
    assert_eq!(v.banned_until.as_deref(), Some("2099-01-01"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reject_with_ban_sqlite() {
    reject_with_ban(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reject_with_ban_postgres() {
    reject_with_ban(Backend::Postgres).await;
}
