//! The FOI system in the assembled service, as its users and those it must
//! keep out would use it: a responder of another unit, the press office,
//! a stranger guessing case numbers, a form sent twice, the other systems'
//! released figures.

mod support;

use server::accounts::Role;
use support::{Backend, Client, TestApp};

async fn request(app: &TestApp, token: &str) -> (Client, String) {
    let public = app.client();
    let form = public.get("/foi/request").await;
    assert_eq!(form.status, 200);
    let fields = [
        ("token", token),
        ("name", "G Fawcett"),
        ("delivery", "email"),
        ("email", "g.fawcett@example.com"),
        ("requester_type", "member_of_public"),
        ("subject", "Prison video calls"),
        ("request", "Please send me the DPIA for prison video calls."),
    ];
    let page = public.post_form("/foi/request", &fields).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let number = page.url.rsplit('/').next().unwrap().to_owned();
    // Sent again (a double click, a reload): the same case.
    let again = public.post_form("/foi/request", &fields).await;
    assert_eq!(again.url, page.url);
    (public, number)
}

async fn case_id(app: &TestApp, number: &str) -> String {
    sqlx::query_scalar("SELECT id FROM foi_cases WHERE number = $1")
        .bind(number)
        .fetch_one(app.db().pool())
        .await
        .unwrap()
}

async fn foi_access_as_each_team(backend: Backend) {
    let app = TestApp::start(backend).await;
    let (public, number) = request(&app, "form-1").await;
    let cases: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM foi_cases")
        .fetch_one(app.db().pool())
        .await
        .unwrap();
    assert_eq!(cases, 1, "one case however often the form is sent");
    // The confirmation is the sender's alone.
    assert!(
        public
            .get(&format!("/foi/request/received/{number}"))
            .await
            .body
            .contains(&number)
    );
    let stranger = app.client();
    assert_eq!(
        stranger
            .get(&format!("/foi/request/received/{number}"))
            .await
            .status,
        404
    );
    let id = case_id(&app, &number).await;

    let manager = app.staff("foi@moj.test", Role::FoiManager, &[]).await;
    let mine = app
        .staff("responder@moj.test", Role::FoiResponder, &[])
        .await;
    let other = app.staff("other@moj.test", Role::FoiResponder, &[]).await;
    let press = app.staff("press@moj.test", Role::FoiPress, &[]).await;
    manager.get("/foi/units").await;
    manager
        .post_form(
            "/foi/units",
            &[("unit", "hmpps-digital"), ("email", "responder@moj.test")],
        )
        .await;
    manager
        .post_form(
            "/foi/units",
            &[("unit", "prison-policy"), ("email", "other@moj.test")],
        )
        .await;
    let page = manager.get(&format!("/foi/cases/{id}")).await;
    assert!(page.body.contains("g.fawcett@example.com"));
    let version = page.value_of("version").unwrap();
    manager
        .post_form(
            &format!("/foi/cases/{id}/move/assign"),
            &[("unit", "hmpps-digital"), ("version", &version)],
        )
        .await;

    // The unit's responder sees the case and its requester; another unit's
    // does not see the case at all, nor find it in their list.
    let page = mine.get(&format!("/foi/cases/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("g.fawcett@example.com"));
    assert_eq!(other.get(&format!("/foi/cases/{id}")).await.status, 403);
    assert!(!other.get("/foi").await.body.contains(&number));
    assert!(mine.get("/foi").await.body.contains(&number));
    // Another unit's responder cannot move it either.
    let page = mine.get(&format!("/foi/cases/{id}")).await;
    let version = page.value_of("version").unwrap();
    let refused = other
        .post_form(
            &format!("/foi/cases/{id}/move/accept"),
            &[("version", &version)],
        )
        .await;
    assert_eq!(refused.status, 403);
    // The press office sees the case (to flag it) but not who asked, nor
    // the letter that names them.
    let page = press.get(&format!("/foi/cases/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("g.fawcett@example.com") && !page.body.contains("G Fawcett"));
    assert_eq!(
        press.get(&format!("/foi/cases/{id}/letter")).await.status,
        403
    );
    // Every view of the requester's details is audited, by whom.
    let views: Vec<String> = sqlx::query_scalar(
        "SELECT a.email FROM audit_log l JOIN accounts a ON a.id = l.actor WHERE l.action = 'foi.requester.view' AND l.subject = $1",
    )
    .bind(&id)
    .fetch_all(app.db().pool())
    .await
    .unwrap();
    assert!(
        views.contains(&"foi@moj.test".to_owned())
            && views.contains(&"responder@moj.test".to_owned())
    );
    assert!(!views.contains(&"press@moj.test".to_owned()));

    // A stranger cannot ask for a review of someone else's request, and is
    // not told whether the number exists.
    let wrong_email = stranger
        .post_form(
            "/foi/review",
            &[
                ("number", &number),
                ("email", "me@example.com"),
                ("kind", "review_compliance"),
                ("grounds", "x"),
            ],
        )
        .await;
    let made_up = stranger
        .post_form(
            "/foi/review",
            &[
                ("number", "990101001"),
                ("email", "me@example.com"),
                ("kind", "review_compliance"),
                ("grounds", "x"),
            ],
        )
        .await;
    assert_eq!(wrong_email.error_summary(), made_up.error_summary());
    // Nor is an unanswered request reviewable by its requester yet.
    let early = public
        .post_form(
            "/foi/review",
            &[
                ("number", &number),
                ("email", "g.fawcett@example.com"),
                ("kind", "review_compliance"),
                ("grounds", "x"),
            ],
        )
        .await;
    assert!(
        early
            .error_summary()
            .unwrap_or_default()
            .contains("Only a request that has been answered"),
        "{}",
        early.body
    );
    // The disclosure log shows nothing unpublished.
    assert_eq!(
        stranger
            .get(&format!("/foi/disclosure-log/{number}"))
            .await
            .status,
        404
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_team_sees_what_it_should_and_no_more_sqlite() {
    foi_access_as_each_team(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_team_sees_what_it_should_and_no_more_postgres() {
    foi_access_as_each_team(Backend::Postgres).await;
}
