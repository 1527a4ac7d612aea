//! Establishment settings, sessions, blocked dates, staff cancellation and
//! staff accounts, through the pages.

mod support;

use chrono::{Datelike, Duration, Utc};
use server::accounts::Role;
use support::{Backend, TestApp, fill_booking, first_bookable};

async fn sessions_and_blocked_dates(backend: Backend) {
    let app = TestApp::start(backend).await;
    let admin = app
        .staff("admin@leeds.test", Role::EstablishmentAdmin, &["leeds"])
        .await;
    let settings = "/staff/establishments/leeds/settings";
    assert!(
        admin
            .get(settings)
            .await
            .body
            .contains("Recurring sessions")
    );

    // A one-off session on a Monday, when Leeds has no weekly one.
    let mut day = Utc::now().date_naive() + Duration::days(10);
    while day.weekday() != chrono::Weekday::Mon {
        day += Duration::days(1);
    }
    let (d, m, y) = (
        day.day().to_string(),
        day.month().to_string(),
        day.year().to_string(),
    );
    let bad = admin
        .post_form(
            "/staff/establishments/leeds/one-off",
            &[
                ("oneoff-date-day", &d),
                ("oneoff-date-month", &m),
                ("oneoff-date-year", &y),
                ("oneoff-start", "15:00"),
                ("oneoff-end", "14:00"),
                ("oneoff-open", "5"),
                ("oneoff-closed", "0"),
            ],
        )
        .await;
    assert!(bad.error_summary().unwrap().contains("end after it starts"));
    assert_eq!(bad.value_of("oneoff-start").as_deref(), Some("15:00"));
    let ok = admin
        .post_form(
            "/staff/establishments/leeds/one-off",
            &[
                ("oneoff-date-day", &d),
                ("oneoff-date-month", &m),
                ("oneoff-date-year", &y),
                ("oneoff-start", "10:00"),
                ("oneoff-end", "11:30"),
                ("oneoff-open", "5"),
                ("oneoff-closed", "1"),
            ],
        )
        .await;
    assert!(
        ok.body.contains("One-off session added"),
        "{:?}",
        ok.error_summary()
    );
    let one_off_id = format!("leeds/{day}/10:00");
    assert!(
        first_bookable(app.db(), "leeds")
            .await
            .iter()
            .any(|s| s.id == one_off_id)
    );

    // A weekly session on Wednesdays.
    let weekly = admin
        .post_form(
            "/staff/establishments/leeds/sessions",
            &[
                ("weekly-day", "3"),
                ("weekly-start", "18:00"),
                ("weekly-end", "19:30"),
                ("weekly-open", "8"),
                ("weekly-closed", "0"),
            ],
        )
        .await;
    assert!(
        weekly.body.contains("Weekly session added"),
        "{:?}",
        weekly.error_summary()
    );
    assert!(
        first_bookable(app.db(), "leeds")
            .await
            .iter()
            .any(|s| s.start == "18:00" && s.date.weekday() == chrono::Weekday::Wed)
    );
    // The same weekly session again is refused on the start time's field,
    // and families are not offered it twice.
    let again = admin
        .post_form(
            "/staff/establishments/leeds/sessions",
            &[
                ("weekly-day", "3"),
                ("weekly-start", "18:00"),
                ("weekly-end", "19:00"),
                ("weekly-open", "4"),
                ("weekly-closed", "0"),
            ],
        )
        .await;
    assert!(
        again
            .error_summary()
            .is_some_and(|e| e.contains("already a weekly session on Wednesday starting at 18:00")),
        "{:?}",
        again.error_summary()
    );
    let wednesdays: Vec<_> = first_bookable(app.db(), "leeds")
        .await
        .into_iter()
        .filter(|s| s.start == "18:00" && s.date.weekday() == chrono::Weekday::Wed)
        .collect();
    let mut dates: Vec<_> = wednesdays.iter().map(|s| s.date).collect();
    dates.dedup();
    assert_eq!(
        dates.len(),
        wednesdays.len(),
        "one 18:00 session a Wednesday"
    );

    // Blocking the Monday removes its session from what families can pick.
    let blocked = admin
        .post_form(
            "/staff/establishments/leeds/blocked",
            &[
                ("block-date-day", &d),
                ("block-date-month", &m),
                ("block-date-year", &y),
                ("block-reason", "Staff training"),
            ],
        )
        .await;
    assert!(
        blocked.body.contains("is blocked"),
        "{:?}",
        blocked.error_summary()
    );
    assert!(
        !first_bookable(app.db(), "leeds")
            .await
            .iter()
            .any(|s| s.id == one_off_id)
    );
    let past = admin
        .post_form(
            "/staff/establishments/leeds/blocked",
            &[
                ("block-date-day", "1"),
                ("block-date-month", "1"),
                ("block-date-year", "2001"),
                ("block-reason", "x"),
            ],
        )
        .await;
    assert!(
        past.error_summary()
            .unwrap()
            .contains("today or in the future")
    );

    // Booking window and notice.
    let bad = admin
        .post_form(settings, &[("window", "365"), ("notice", "3")])
        .await;
    assert!(bad.error_summary().unwrap().contains("between 1 and 90"));
    let saved = admin
        .post_form(settings, &[("window", "7"), ("notice", "0")])
        .await;
    assert!(saved.body.contains("Settings saved"));
    let latest = first_bookable(app.db(), "leeds")
        .await
        .iter()
        .map(|s| s.date)
        .max()
        .unwrap();
    assert!(latest <= Utc::now().date_naive() + Duration::days(7));
    // Booking staff may not change settings; other prisons' staff may not look.
    let clerk = app
        .staff("clerk@leeds.test", Role::BookingStaff, &["leeds"])
        .await;
    assert_eq!(clerk.get(settings).await.status, 403);
    let hull = app
        .staff("admin@hull.test", Role::EstablishmentAdmin, &["hull"])
        .await;
    assert_eq!(hull.get(settings).await.status, 403);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_and_blocked_dates_sqlite() {
    sessions_and_blocked_dates(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_and_blocked_dates_postgres() {
    sessions_and_blocked_dates(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_cancel_a_booked_visit_with_a_reason() {
    let app = TestApp::start(Backend::Sqlite).await;
    let mary = app.visitor("mary@example.com", "Mary Smith").await;
    let sessions = first_bookable(app.db(), "leeds").await;
    let check = fill_booking(&mary, "leeds", &[&sessions[0].id]).await;
    mary.post_form(
        "/book/check",
        &[("idempotency", &check.value_of("idempotency").unwrap())],
    )
    .await;
    let staff = app
        .staff("officer@leeds.test", Role::BookingStaff, &["leeds"])
        .await;
    let queue = staff.get("/staff/establishments/leeds").await;
    let i = queue.body.find("/staff/visits/").unwrap();
    let id = queue.body[i + 14..].split('"').next().unwrap().to_owned();
    staff
        .post_form(
            &format!("/staff/visits/{id}/accept"),
            &[("slot", &sessions[0].id), ("kind", "closed")],
        )
        .await;
    assert_eq!(
        server::visits::establishments::slot(app.db(), &sessions[0].id)
            .await
            .unwrap()
            .unwrap()
            .closed_booked,
        1
    );
    let empty = staff
        .post_form(
            &format!("/staff/visits/{id}/cancel"),
            &[("cancel-reason", "  ")],
        )
        .await;
    assert!(empty.error_summary().unwrap().contains("Enter the reason"));
    let done = staff
        .post_form(
            &format!("/staff/visits/{id}/cancel"),
            &[("cancel-reason", "Prison lockdown")],
        )
        .await;
    assert!(
        done.body.contains("is cancelled"),
        "{:?}",
        done.error_summary()
    );
    let mail = app
        .smtp
        .wait_for("mary@example.com", "Visit cancelled")
        .await;
    assert!(mail.body.contains("Prison lockdown"));
    assert_eq!(
        server::visits::establishments::slot(app.db(), &sessions[0].id)
            .await
            .unwrap()
            .unwrap()
            .closed_booked,
        0
    );
    assert_eq!(
        server::audit::count(app.db(), "visit.cancel", Some(&id))
            .await
            .unwrap(),
        1
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn national_administrators_add_staff() {
    let app = TestApp::start(Backend::Sqlite).await;
    let admin = app.admin().await;
    let page = admin.get("/staff/accounts").await;
    assert!(page.body.contains("admin@hmpps.test"));
    let bad = admin
        .post_form(
            "/staff/accounts",
            &[
                ("staff-name", "Sam Officer"),
                ("staff-email", "sam@leeds.test"),
                ("staff-role", "booking_staff"),
                ("staff-password", "short"),
            ],
        )
        .await;
    let summary = bad.error_summary().unwrap();
    assert!(
        summary.contains("Select the establishment") && summary.contains("10 characters"),
        "{summary}"
    );
    assert_eq!(
        bad.value_of("staff-email").as_deref(),
        Some("sam@leeds.test")
    );
    let ok = admin
        .post_form(
            "/staff/accounts",
            &[
                ("staff-name", "Sam Officer"),
                ("staff-email", "sam@leeds.test"),
                ("staff-role", "booking_staff"),
                ("staff-establishment", "leeds"),
                ("staff-password", "a good long password"),
            ],
        )
        .await;
    assert!(
        ok.body.contains("Account created for Sam Officer"),
        "{:?}",
        ok.error_summary()
    );
    let sam = app.client();
    let landed = sam.sign_in("sam@leeds.test", "a good long password").await;
    assert!(landed.url.ends_with("/staff"));
    assert!(landed.body.contains("/staff/establishments/leeds"));
    assert!(!landed.body.contains("/staff/establishments/hull"));
    assert_eq!(sam.get("/staff/accounts").await.status, 403);
    // Sam changes the first password.
    let wrong = sam
        .post_form(
            "/account/password",
            &[
                ("current-password", "not it"),
                ("new-password", "my own secret phrase"),
            ],
        )
        .await;
    assert!(wrong.error_summary().unwrap().contains("not correct"));
    let changed = sam
        .post_form(
            "/account/password",
            &[
                ("current-password", "a good long password"),
                ("new-password", "my own secret phrase"),
            ],
        )
        .await;
    assert!(changed.body.contains("Your password has been changed"));
    let again = app.client();
    let landed = again
        .sign_in("sam@leeds.test", "my own secret phrase")
        .await;
    assert!(landed.url.ends_with("/staff"));
    app.stop().await;
}
