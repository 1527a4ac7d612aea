//! Visit requests are checked against the prisoner's approved visitor
//! list: allowed when the service does not keep the prisoner's list,
//! refused for a visitor not on it, accepted once they are added; and
//! staff see each visitor's standing on the request. On SQLite and on
//! PostgreSQL.

mod support;

use platform::contacts;
use server::accounts::Role;
use support::{Backend, Client, Page, TestApp, fill_booking, first_bookable};

/// How many visit requests are stored.
async fn visits(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM visits")
        .fetch_one(app.db().pool())
        .await
        .unwrap()
}

async fn send(c: &Client, check: &Page) -> Page {
    c.post_form(
        "/book/check",
        &[("idempotency", &check.value_of("idempotency").unwrap())],
    )
    .await
}

/// The key of the newest visit request (keys sort in the order they
/// were made).
async fn newest_visit(app: &TestApp) -> String {
    sqlx::query_scalar("SELECT id FROM visits ORDER BY id DESC LIMIT 1")
        .fetch_one(app.db().pool())
        .await
        .unwrap()
}

async fn requests_check_the_approved_list(backend: Backend) {
    let app = TestApp::start(backend).await;
    let mary = app.visitor("mary@example.com", "Mary Smith").await;
    let staff = app
        .staff("officer@leeds.test", Role::BookingStaff, &["leeds"])
        .await;
    let sessions = first_bookable(app.db(), "leeds").await;
    assert!(sessions.len() >= 3);

    // John Smith (A1234BC) is not recorded: his prison keeps its list
    // elsewhere, so the request goes through, and staff are told.
    let check = fill_booking(&mary, "leeds", &[&sessions[0].id]).await;
    let done = send(&mary, &check).await;
    assert!(
        done.body.contains("Request sent"),
        "{:?}",
        done.error_summary()
    );
    assert_eq!(visits(&app).await, 1);
    let first = newest_visit(&app).await;
    let page = staff.get(&format!("/staff/visits/{first}")).await;
    assert_eq!(
        page.body.matches("List not kept in this service").count(),
        2
    );

    // Leeds records him, with Mary (the lead visitor) on his list but not
    // Tom.
    let recorded = staff
        .post_form(
            "/prisoners/leeds/new",
            &[
                ("prison-number", "A1234BC"),
                ("prisoner-name", "John Smith"),
            ],
        )
        .await;
    let john = contacts::prisoner_by_number(app.db(), "A1234BC")
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("recorded: {:?}", recorded.error_summary()));
    let contacts_path = format!("/prisoners/leeds/{}/contacts", john.id);
    let add = |name: &'static str, d: &'static str, m: &'static str, y: &'static str, rel| {
        [
            ("contact-name", name),
            ("contact-dob-day", d),
            ("contact-dob-month", m),
            ("contact-dob-year", y),
            ("contact-relationship", rel),
        ]
    };
    staff
        .post_form(
            &contacts_path,
            &add("Mary Smith", "3", "4", "1965", "Mother"),
        )
        .await;
    assert_eq!(
        contacts::contacts_of(app.db(), &john.id)
            .await
            .unwrap()
            .len(),
        1
    );

    // The request naming Tom is refused, and says what to do.
    let check = fill_booking(&mary, "leeds", &[&sessions[1].id]).await;
    let refused = send(&mary, &check).await;
    assert_eq!(refused.status, 200);
    let summary = refused.error_summary().expect("an error summary");
    let message = "Tom Smith is not on John Smith's approved visitor list. Ask John Smith to add them, or remove them from this request.";
    assert!(summary.contains(message), "{summary}");
    assert!(summary.contains("#visitor-1-name"), "{summary}");
    assert!(!summary.contains("Mary Smith is not"), "{summary}");
    assert!(refused.body.contains("Who is visiting?"));
    assert_eq!(visits(&app).await, 1, "nothing was stored");

    // Once Tom is added, the same request goes through.
    staff
        .post_form(&contacts_path, &add("Tom Smith", "1", "9", "2016", "Son"))
        .await;
    let check = mary.get("/book/check").await;
    let done = send(&mary, &check).await;
    assert!(
        done.body.contains("Request sent"),
        "{:?}",
        done.error_summary()
    );
    assert_eq!(visits(&app).await, 2);
    let second = newest_visit(&app).await;
    assert_ne!(first, second);
    let page = staff.get(&format!("/staff/visits/{second}")).await;
    assert_eq!(page.body.matches("Approved visitor list: ").count(), 2);
    assert!(!page.body.contains("Not on the list"));
    assert!(!page.body.contains("List not kept in this service"));

    // Mary suspended from today: her next request is refused, naming her;
    // and the earlier request now shows she is not on the list.
    let mary_contact = contacts::contacts_of(app.db(), &john.id)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.name == "Mary Smith")
        .unwrap();
    let px = format!("contact-{}", mary_contact.id);
    staff
        .post_form(
            &format!("{contacts_path}/{}", mary_contact.id),
            &[
                (format!("{px}-action").as_str(), "suspend"),
                (format!("{px}-reason").as_str(), "Under investigation"),
            ],
        )
        .await;
    let check = fill_booking(&mary, "leeds", &[&sessions[2].id]).await;
    let refused = send(&mary, &check).await;
    let summary = refused.error_summary().expect("an error summary");
    assert!(
        summary.contains("Mary Smith is not on John Smith"),
        "{summary}"
    );
    assert!(summary.contains("#lead-name"), "{summary}");
    assert!(!summary.contains("Tom Smith"), "{summary}");
    assert_eq!(visits(&app).await, 2);
    let page = staff.get(&format!("/staff/visits/{second}")).await;
    assert_eq!(page.body.matches("Not on the list").count(), 1);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_check_the_approved_list_sqlite() {
    requests_check_the_approved_list(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_check_the_approved_list_postgres() {
    requests_check_the_approved_list(Backend::Postgres).await;
}
