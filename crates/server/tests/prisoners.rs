//! Staff pages for prisoners and their approved contacts: recording a
//! prisoner, adding a contact, suspending and restoring an approval, and
//! who may see these pages; on SQLite and on PostgreSQL.

mod support;

use platform::contacts::{self, Standing};
use server::accounts::Role;
use support::{Backend, TestApp};

async fn staff_keep_a_prisoners_approved_list(backend: Backend) {
    let app = TestApp::start(backend).await;
    let hull = app
        .staff("officer@hull.test", Role::BookingStaff, &["hull"])
        .await;

    // The visits home links here; staff of one establishment go straight
    // to it.
    assert!(
        hull.get("/staff")
            .await
            .body
            .contains("Prisoners and approved contacts")
    );
    let list = hull.get("/prisoners").await;
    assert_eq!(list.status, 200);
    assert!(list.url.ends_with("/prisoners/hull"), "{}", list.url);
    assert!(list.body.contains("No prisoners are recorded at Hull"));

    // Bad input gets GOV.UK messages, and records nothing.
    hull.get("/prisoners/hull/new").await;
    let bad = hull
        .post_form(
            "/prisoners/hull/new",
            &[("prison-number", "A123BC"), ("prisoner-name", "")],
        )
        .await;
    assert_eq!(bad.status, 200);
    let summary = bad.error_summary().expect("an error summary");
    assert!(
        summary.contains("Prison number must be a letter, 4 numbers and 2 letters, like A1234BC"),
        "{summary}"
    );
    assert!(
        summary.contains("Enter the prisoner's full name"),
        "{summary}"
    );
    assert_eq!(bad.value_of("prison-number").as_deref(), Some("A123BC"));
    let empty = hull
        .post_form(
            "/prisoners/hull/new",
            &[("prison-number", " "), ("prisoner-name", "John Smith")],
        )
        .await;
    assert!(
        empty
            .error_summary()
            .unwrap()
            .contains("Enter the prison number")
    );
    assert!(
        contacts::prisoners_at(app.db(), "hull")
            .await
            .unwrap()
            .is_empty()
    );

    // A good one is recorded (the number as the service writes it).
    let made = hull
        .post_form(
            "/prisoners/hull/new",
            &[
                ("prison-number", "a1234bc"),
                ("prisoner-name", "John Smith"),
            ],
        )
        .await;
    assert_eq!(made.status, 200);
    assert!(made.body.contains("John Smith (A1234BC) is recorded"));
    let prisoner = contacts::prisoner_by_number(app.db(), "A1234BC")
        .await
        .unwrap()
        .expect("recorded");
    assert_eq!(prisoner.establishment_id, "hull");
    assert_eq!(prisoner.name, "John Smith");
    let page_path = format!("/prisoners/hull/{}", prisoner.id);
    assert!(made.url.ends_with(&page_path), "{}", made.url);
    assert!(made.body.contains("No one is on John Smith"));

    // The same number again is refused.
    let twice = hull
        .post_form(
            "/prisoners/hull/new",
            &[("prison-number", "A1234BC"), ("prisoner-name", "Jon Smith")],
        )
        .await;
    assert!(
        twice
            .error_summary()
            .unwrap()
            .contains("Prison number A1234BC is already recorded")
    );
    assert_eq!(
        contacts::prisoners_at(app.db(), "hull")
            .await
            .unwrap()
            .len(),
        1
    );

    // Adding a contact: problems first, then a good one.
    let contacts_path = format!("{page_path}/contacts");
    let bad = hull
        .post_form(
            &contacts_path,
            &[
                ("contact-name", "Mary Smith"),
                ("contact-dob-day", "31"),
                ("contact-dob-month", "2"),
                ("contact-dob-year", "1965"),
                ("contact-relationship", ""),
            ],
        )
        .await;
    let summary = bad.error_summary().unwrap();
    assert!(
        summary.contains("Their date of birth must be a real date"),
        "{summary}"
    );
    assert!(summary.contains("Enter their relationship to the prisoner"));
    assert!(
        contacts::contacts_of(app.db(), &prisoner.id)
            .await
            .unwrap()
            .is_empty()
    );
    let added = hull
        .post_form(
            &contacts_path,
            &[
                ("contact-name", "Mary Smith"),
                ("contact-dob-day", "3"),
                ("contact-dob-month", "4"),
                ("contact-dob-year", "1965"),
                ("contact-relationship", "Mother"),
            ],
        )
        .await;
    assert!(
        added
            .body
            .contains("Mary Smith is added to John Smith's approved contacts"),
        "{:?}",
        added.error_summary()
    );
    for shown in [
        "Mary Smith",
        "3 April 1965",
        "Mother",
        "Approved",
        "Not linked to a video caller account",
    ] {
        assert!(added.body.contains(shown), "the list shows {shown}");
    }
    let list = contacts::contacts_of(app.db(), &prisoner.id).await.unwrap();
    assert_eq!(list.len(), 1);
    let mary = &list[0];
    assert_eq!(mary.name, "Mary Smith");
    assert_eq!(mary.relationship, "Mother");
    assert_eq!(mary.standing, Standing::Approved);
    assert_eq!(
        mary.dob,
        chrono::NaiveDate::from_ymd_opt(1965, 4, 3).unwrap()
    );
    // The same person twice is refused.
    let again = hull
        .post_form(
            &contacts_path,
            &[
                ("contact-name", "mary  smith"),
                ("contact-dob-day", "3"),
                ("contact-dob-month", "4"),
                ("contact-dob-year", "1965"),
                ("contact-relationship", "Mother"),
            ],
        )
        .await;
    assert!(
        again
            .error_summary()
            .unwrap()
            .contains("Mary Smith is already on the approved list")
    );

    // Viewing the list is audited.
    let before = server::audit::count(app.db(), "contacts.view", Some(&prisoner.id))
        .await
        .unwrap();
    let page = hull.get(&page_path).await;
    assert_eq!(page.status, 200);
    assert_eq!(
        server::audit::count(app.db(), "contacts.view", Some(&prisoner.id))
            .await
            .unwrap(),
        before + 1
    );
    // The date to suspend from is today unless changed.
    let px = format!("contact-{}", mary.id);
    let today = chrono::Utc::now().date_naive();
    assert_eq!(
        page.value_of(&format!("{px}-date-year")),
        Some(chrono::Datelike::year(&today).to_string())
    );

    // Suspending needs a reason.
    let standing_path = format!("{contacts_path}/{}", mary.id);
    let action = format!("{px}-action");
    let reason = format!("{px}-reason");
    let no_reason = hull
        .post_form(&standing_path, &[(&action, "suspend"), (&reason, "  ")])
        .await;
    assert!(
        no_reason
            .error_summary()
            .unwrap()
            .contains("Enter the reason for suspending or withdrawing the approval")
    );
    assert_eq!(
        contacts::contact(app.db(), &mary.id)
            .await
            .unwrap()
            .unwrap()
            .standing,
        Standing::Approved
    );
    let suspended = hull
        .post_form(
            &standing_path,
            &[
                (&action, "suspend"),
                (&reason, "Passed a package in the visits hall"),
            ],
        )
        .await;
    assert!(
        suspended.body.contains("Mary Smith is suspended from"),
        "{:?}",
        suspended.error_summary()
    );
    assert!(
        suspended
            .body
            .contains("Passed a package in the visits hall")
    );
    assert!(suspended.body.contains("govuk-tag--yellow"));
    let now = contacts::contact(app.db(), &mary.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(now.standing, Standing::Suspended);
    assert_eq!(
        now.reason.as_deref(),
        Some("Passed a package in the visits hall")
    );
    assert_eq!(now.from, Some(today));
    assert_eq!(
        server::audit::count(app.db(), "contact.suspended", Some(&mary.id))
            .await
            .unwrap(),
        1
    );
    // A suspended contact is not counted as approved on the list page.
    let list = hull.get("/prisoners/hull").await;
    assert!(list.body.contains("John Smith") && list.body.contains("A1234BC"));
    assert!(
        list.body
            .contains("govuk-table__cell govuk-table__cell--numeric\">0<")
    );

    // Restoring it.
    let restored = hull
        .post_form(&standing_path, &[(&action, "restore")])
        .await;
    assert!(restored.body.contains("Mary Smith is approved again"));
    let now = contacts::contact(app.db(), &mary.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(now.standing, Standing::Approved);
    assert_eq!(now.reason, None);
    let list = hull.get("/prisoners/hull").await;
    assert!(
        list.body
            .contains("govuk-table__cell govuk-table__cell--numeric\">1<")
    );

    // Searching by prison number goes to the prisoner; a bad number says
    // what is wrong.
    let found = hull.get("/prisoners/hull?number=a1234bc").await;
    assert!(found.url.ends_with(&page_path), "{}", found.url);
    let bad = hull.get("/prisoners/hull?number=1234").await;
    assert!(
        bad.error_summary()
            .unwrap()
            .contains("Prison number must be a letter, 4 numbers and 2 letters")
    );
    let missing = hull.get("/prisoners/hull?number=Z9999ZZ").await;
    assert!(
        missing
            .error_summary()
            .unwrap()
            .contains("No prisoner with prison number Z9999ZZ is recorded at Hull")
    );

    // A national administrator chooses among every establishment.
    let admin = app.admin().await;
    let pick = admin.get("/prisoners").await;
    assert_eq!(pick.status, 200);
    assert!(pick.body.contains("href=\"/prisoners/hull\""));
    assert!(pick.body.contains("href=\"/prisoners/leeds\""));
    assert_eq!(admin.get(&page_path).await.status, 200);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_keep_a_prisoners_approved_list_sqlite() {
    staff_keep_a_prisoners_approved_list(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_keep_a_prisoners_approved_list_postgres() {
    staff_keep_a_prisoners_approved_list(Backend::Postgres).await;
}

async fn others_are_refused(backend: Backend) {
    let app = TestApp::start(backend).await;
    let by = platform::Actor {
        id: "system".into(),
        name: "System".into(),
    };
    let john = contacts::add_prisoner(app.db(), "A1234BC", "John Smith", "hull", &by)
        .await
        .unwrap();
    let mut tx = app.db().begin_write().await.unwrap();
    let mary = contacts::approve(
        &mut tx,
        &john.id,
        &contacts::NewContact {
            account_id: None,
            name: "Mary Smith",
            dob: chrono::NaiveDate::from_ymd_opt(1965, 4, 3).unwrap(),
            relationship: "Mother",
        },
        &by,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let page_path = format!("/prisoners/hull/{}", john.id);
    let contacts_path = format!("{page_path}/contacts");
    let standing_path = format!("{contacts_path}/{mary}");
    let suspend = [
        (format!("contact-{mary}-action"), "suspend"),
        (format!("contact-{mary}-reason"), "No reason at all"),
    ];
    let suspend: Vec<(&str, &str)> = suspend.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let add = [
        ("contact-name", "Eve Other"),
        ("contact-dob-day", "1"),
        ("contact-dob-month", "1"),
        ("contact-dob-year", "1990"),
        ("contact-relationship", "Friend"),
    ];

    // Staff of another establishment: refused at Hull's pages, and Hull's
    // prisoner is not found under their own.
    let leeds = app
        .staff("officer@leeds.test", Role::BookingStaff, &["leeds"])
        .await;
    let own = leeds.get("/prisoners").await;
    assert!(own.url.ends_with("/prisoners/leeds"), "{}", own.url);
    assert!(!own.body.contains("John Smith"));
    for path in ["/prisoners/hull", "/prisoners/hull/new", page_path.as_str()] {
        let page = leeds.get(path).await;
        assert_eq!(page.status, 403, "{path}");
        assert!(!page.body.contains("John Smith"), "{path}");
    }
    let sideways = leeds.get(&format!("/prisoners/leeds/{}", john.id)).await;
    assert_eq!(sideways.status, 404);
    assert!(!sideways.body.contains("John Smith"));
    let found = leeds.get("/prisoners/leeds?number=A1234BC").await;
    assert!(
        found
            .error_summary()
            .unwrap()
            .contains("No prisoner with prison number A1234BC is recorded at Leeds")
    );
    assert_eq!(leeds.post_form(&contacts_path, &add).await.status, 403);
    assert_eq!(leeds.post_form(&standing_path, &suspend).await.status, 403);
    assert_eq!(
        leeds
            .post_form(
                &format!("/prisoners/leeds/{}/contacts/{mary}", john.id),
                &suspend
            )
            .await
            .status,
        404
    );
    assert_eq!(
        leeds
            .post_form(
                "/prisoners/hull/new",
                &[("prison-number", "B1234CD"), ("prisoner-name", "Ann Other")]
            )
            .await
            .status,
        403
    );

    // A family's account reaches none of it.
    let family = app.visitor("eve@example.com", "Eve Other").await;
    for path in ["/prisoners", "/prisoners/hull", page_path.as_str()] {
        let page = family.get(path).await;
        assert_eq!(page.status, 403, "{path}");
        assert!(!page.body.contains("John Smith"), "{path}");
    }
    assert_eq!(family.post_form(&contacts_path, &add).await.status, 403);
    assert_eq!(family.post_form(&standing_path, &suspend).await.status, 403);

    // Nobody signed in is sent to sign in.
    let anonymous = app.client();
    let page = anonymous.get(&page_path).await;
    assert!(page.url.ends_with("/sign-in"), "{}", page.url);

    // Nothing changed, and nothing was viewed.
    let list = contacts::contacts_of(app.db(), &john.id).await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].standing, Standing::Approved);
    assert!(
        contacts::prisoner_by_number(app.db(), "B1234CD")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        server::audit::count(app.db(), "contacts.view", Some(&john.id))
            .await
            .unwrap(),
        0
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn others_are_refused_sqlite() {
    others_are_refused(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn others_are_refused_postgres() {
    others_are_refused(Backend::Postgres).await;
}
