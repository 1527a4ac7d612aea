//! What people get wrong, and what attackers try: every form answers with a
//! GOV.UK error summary, keeps what was typed, and changes nothing.

mod support;

use std::time::Duration;

use support::{Backend, Client, TestApp, fill_booking, first_bookable};

async fn visit_count(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM visits")
        .fetch_one(app.db().pool())
        .await
        .unwrap()
}

fn prisoner(overrides: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    let mut f = vec![
        ("establishment", "leeds"),
        ("prisoner-name", "John Smith"),
        ("prisoner-dob-day", "12"),
        ("prisoner-dob-month", "5"),
        ("prisoner-dob-year", "1990"),
        ("prisoner-number", "A1234BC"),
    ];
    for (k, v) in overrides {
        f.retain(|(name, _)| name != k);
        f.push((k, v));
    }
    f
}

fn visitors(overrides: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    let mut f = vec![
        ("lead-name", "Mary Smith"),
        ("lead-dob-day", "3"),
        ("lead-dob-month", "4"),
        ("lead-dob-year", "1965"),
        ("lead-email", "mary@example.com"),
        ("lead-phone", "07700 900 982"),
    ];
    for (k, v) in overrides {
        f.retain(|(name, _)| name != k);
        f.push((k, v));
    }
    f
}

async fn expect_error(
    c: &Client,
    path: &str,
    fields: &[(&str, &str)],
    message: &str,
    kept: &[(&str, &str)],
) {
    let page = c.post_form(path, fields).await;
    assert_eq!(page.status, 200);
    assert!(
        page.url.ends_with(path),
        "stays on {path}, got {}",
        page.url
    );
    let summary = page
        .error_summary()
        .unwrap_or_else(|| panic!("error summary for {fields:?}"));
    assert!(summary.contains(message), "{message:?} not in {summary}");
    assert!(
        page.body.contains("<title>Error: "),
        "title starts with Error:"
    );
    for (name, value) in kept {
        assert_eq!(
            page.value_of(name).as_deref(),
            Some(*value),
            "{name} keeps what was typed"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn booking_forms_refuse_bad_answers_and_keep_what_was_typed() {
    let app = TestApp::start(Backend::Sqlite).await;
    let c = app.visitor("mary@example.com", "Mary Smith").await;
    c.get("/book").await;
    let p = "/book/prisoner";
    expect_error(
        &c,
        p,
        &prisoner(&[("prisoner-dob-day", "31"), ("prisoner-dob-month", "2")]),
        "must be a real date",
        &[("prisoner-dob-day", "31"), ("prisoner-name", "John Smith")],
    )
    .await;
    expect_error(
        &c,
        p,
        &prisoner(&[("prisoner-number", "12345")]),
        "like A1234BC",
        &[("prisoner-number", "12345")],
    )
    .await;
    expect_error(
        &c,
        p,
        &prisoner(&[("prisoner-name", "<script>alert(1)</script>")]),
        "must only include letters",
        &[],
    )
    .await;
    expect_error(
        &c,
        p,
        &prisoner(&[("prisoner-name", "Robert'); DROP TABLE visits;--")]),
        "must only include letters",
        &[],
    )
    .await;
    expect_error(
        &c,
        p,
        &prisoner(&[("prisoner-name", "John\u{7}Smith")]),
        "must only include letters",
        &[],
    )
    .await;
    let long = "a".repeat(5000);
    let long_fields: Vec<(&str, &str)> = prisoner(&[])
        .into_iter()
        .map(|(k, v)| {
            if k == "prisoner-name" {
                (k, long.as_str())
            } else {
                (k, v)
            }
        })
        .collect();
    expect_error(&c, p, &long_fields, "100 characters or fewer", &[]).await;
    expect_error(
        &c,
        p,
        &prisoner(&[("establishment", "nowhere")]),
        "Select the prison",
        &[],
    )
    .await;
    // The markup typed is shown back as text, never as markup.
    let page = c
        .post_form(
            p,
            &prisoner(&[("prisoner-name", "<script>alert(1)</script>")]),
        )
        .await;
    assert!(!page.body.contains("<script>alert(1)</script>"));
    assert!(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));

    let ok = c.post_form(p, &prisoner(&[])).await;
    assert!(ok.url.ends_with("/book/visitors"));
    let v = "/book/visitors";
    expect_error(
        &c,
        v,
        &visitors(&[("lead-dob-year", "2015")]),
        "18 or older",
        &[("lead-dob-year", "2015")],
    )
    .await;
    let four_adults: Vec<(&str, &str)> = visitors(&[])
        .into_iter()
        .chain([
            ("visitor-1-name", "Adult One"),
            ("visitor-1-dob-day", "1"),
            ("visitor-1-dob-month", "1"),
            ("visitor-1-dob-year", "1970"),
            ("visitor-2-name", "Adult Two"),
            ("visitor-2-dob-day", "1"),
            ("visitor-2-dob-month", "1"),
            ("visitor-2-dob-year", "1971"),
            ("visitor-3-name", "Adult Three"),
            ("visitor-3-dob-day", "1"),
            ("visitor-3-dob-month", "1"),
            ("visitor-3-dob-year", "1972"),
        ])
        .collect();
    expect_error(
        &c,
        v,
        &four_adults,
        "at most 3 adults",
        &[("visitor-3-name", "Adult Three")],
    )
    .await;
    expect_error(
        &c,
        v,
        &visitors(&[("lead-email", "not-an-email")]),
        "correct format",
        &[("lead-email", "not-an-email")],
    )
    .await;
    expect_error(
        &c,
        v,
        &visitors(&[("lead-phone", "call me")]),
        "Enter a phone number",
        &[],
    )
    .await;
    let sixth: Vec<(&str, &str)> = visitors(&[])
        .into_iter()
        .chain([("visitor-6-name", "Extra Person")])
        .collect();
    expect_error(&c, v, &sixth, "at most 5 other visitors", &[]).await;
    assert!(
        c.post_form(v, &visitors(&[]))
            .await
            .url
            .ends_with("/book/sessions")
    );

    let s = "/book/sessions";
    let past = "leeds/2001-01-02/14:00";
    expect_error(
        &c,
        s,
        &[("session-1", past)],
        "too soon or in the past",
        &[],
    )
    .await;
    expect_error(
        &c,
        s,
        &[("session-1", "leeds/2099-01-01/14:00")],
        "too far ahead",
        &[],
    )
    .await;
    expect_error(
        &c,
        s,
        &[("session-1", "made-up")],
        "no longer available",
        &[],
    )
    .await;
    expect_error(
        &c,
        s,
        &[("session-1", "")],
        "Choose at least one session",
        &[],
    )
    .await;
    let sessions = first_bookable(app.db(), "leeds").await;
    expect_error(
        &c,
        s,
        &[
            ("session-1", &sessions[0].id),
            ("session-2", &sessions[0].id),
        ],
        "different session",
        &[],
    )
    .await;
    assert!(
        c.post_form(s, &[("session-1", &sessions[0].id)])
            .await
            .url
            .ends_with("/book/support")
    );

    let long_text = "x".repeat(1001);
    expect_error(
        &c,
        "/book/support",
        &[("support-needs", &long_text)],
        "1000 characters or fewer",
        &[],
    )
    .await;
    expect_error(
        &c,
        "/book/support",
        &[("support-needs", "needs\u{0}help")],
        "control characters",
        &[],
    )
    .await;
    assert_eq!(visit_count(&app).await, 0, "nothing was stored");
    app.stop().await;
}

async fn double_submit(backend: Backend) {
    let app = TestApp::start(backend).await;
    let c = app.visitor("mary@example.com", "Mary Smith").await;
    let sessions = first_bookable(app.db(), "leeds").await;
    let check = fill_booking(&c, "leeds", &[&sessions[0].id]).await;
    let key = check.value_of("idempotency").unwrap();
    let csrf = c.csrf();
    let fields = vec![
        ("idempotency".to_owned(), key.clone()),
        ("csrf".to_owned(), csrf),
    ];
    // Two presses at once, then a third after the first has finished.
    let (a, b) = tokio::join!(
        c.post_raw("/book/check", &fields),
        c.post_raw("/book/check", &fields)
    );
    let third = c.post_raw("/book/check", &fields).await;
    assert!(a.url.contains("/book/confirmation/"), "{}", a.url);
    assert_eq!(a.url, b.url);
    assert_eq!(a.url, third.url);
    assert_eq!(visit_count(&app).await, 1);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn double_submitted_request_is_stored_once_sqlite() {
    double_submit(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn double_submitted_request_is_stored_once_postgres() {
    double_submit(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_without_the_session_token_are_refused() {
    let app = TestApp::start(Backend::Sqlite).await;
    let c = app.visitor("mary@example.com", "Mary Smith").await;
    c.get("/book").await;
    let forged = c
        .post_raw(
            "/book/prisoner",
            &[
                ("establishment".into(), "leeds".into()),
                ("csrf".into(), "guess".into()),
            ],
        )
        .await;
    assert_eq!(forged.status, 403);
    let none = c.post_raw("/sign-out", &[]).await;
    assert_eq!(none.status, 403);
    // Still signed in: the forged sign-out did nothing.
    assert!(c.get("/visits").await.body.contains("Your visits"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_is_throttled_after_five_failures() {
    let app = TestApp::start(Backend::Sqlite).await;
    app.visitor("mary@example.com", "Mary Smith").await;
    let c = app.client();
    for _ in 0..5 {
        let p = c
            .post_form(
                "/sign-in",
                &[
                    ("email", "mary@example.com"),
                    ("password", "wrong password"),
                ],
            )
            .await;
        assert!(
            p.error_summary()
                .unwrap()
                .contains("correct email address and password")
        );
    }
    // Even the right password is refused now, from this address.
    let p = c
        .post_form(
            "/sign-in",
            &[
                ("email", "mary@example.com"),
                ("password", "correct horse battery"),
            ],
        )
        .await;
    assert!(
        p.error_summary()
            .unwrap()
            .contains("Too many failed attempts")
    );
    // Registration cannot tell an attacker who has an account.
    let again = app
        .client()
        .post_form(
            "/register",
            &[
                ("name", "Mary Smith"),
                ("email", "mary@example.com"),
                ("password", "another password"),
            ],
        )
        .await;
    assert!(again.body.contains("Check your email"));
    app.smtp
        .wait_for("mary@example.com", "Someone tried to create an account")
        .await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_sessions_are_deleted_from_memory_and_storage() {
    let app = TestApp::start_with(Backend::Sqlite, |c| c.session_idle_seconds = 2).await;
    let c = app.visitor("mary@example.com", "Mary Smith").await;
    assert!(c.get("/visits").await.body.contains("Your visits"));
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM web_sessions")
        .fetch_one(app.db().pool())
        .await
        .unwrap();
    assert!(stored >= 1);
    tokio::time::sleep(Duration::from_secs(5)).await;
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM web_sessions")
        .fetch_one(app.db().pool())
        .await
        .unwrap();
    assert_eq!(stored, 0, "the sweeper deleted idle sessions from storage");
    let health: serde_json::Value = serde_json::from_str(
        &c.http
            .get(format!("{}/health", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
    // Sessions live in the database only (every instance sees the same
    // ones), and the health check says nothing about them.
    assert!(
        !health.to_string().contains("session"),
        "health shows nothing about sessions: {health}"
    );
    let page = c.get("/visits").await;
    assert!(
        page.url.ends_with("/sign-in"),
        "the visitor must sign in again"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cookies_are_http_only_same_site_and_secure_behind_https() {
    let app = TestApp::start_with(Backend::Sqlite, |c| {
        c.public_url = Some("https://visits.example".into())
    })
    .await;
    let r = reqwest::get(format!("{}/sign-in", app.base)).await.unwrap();
    // An anonymous visitor gets only the form token's cookie, and no
    // session row.
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("lifeline_csrf="), "{cookie}");
    for flag in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(cookie.contains(flag), "{flag} in {cookie}");
    }
    assert_eq!(
        r.headers()["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM web_sessions")
        .fetch_one(app.db().pool())
        .await
        .unwrap();
    assert_eq!(stored, 0, "an anonymous page writes no session row");
    // Signing in sets the session cookie, with the same flags.
    let csrf_value = cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("lifeline_csrf=")
        .to_owned();
    let signed = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{}/sign-in", app.base))
        .header("cookie", format!("lifeline_csrf={csrf_value}"))
        .form(&[
            ("email", "admin@hmpps.test"),
            ("password", "admin password 1"),
            ("csrf", csrf_value.as_str()),
        ])
        .send()
        .await
        .unwrap();
    let cookie = signed.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("lifeline_session="), "{cookie}");
    for flag in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(cookie.contains(flag), "{flag} in {cookie}");
    }
    assert!(
        r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("script-src 'self'")
    );
    assert_eq!(r.headers()["x-frame-options"], "DENY");
    app.stop().await;
    let plain = TestApp::start(Backend::Sqlite).await;
    let r = reqwest::get(format!("{}/sign-in", plain.base))
        .await
        .unwrap();
    assert!(
        !r.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Secure"),
        "no Secure flag on plain http"
    );
    assert!(r.headers().get("strict-transport-security").is_none());
    plain.stop().await;
}
