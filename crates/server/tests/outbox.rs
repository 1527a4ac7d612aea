//! The outbox keeps a message while the mail relay is down and delivers it
//! when the relay comes back, retrying with growing delays.

mod support;

use std::time::Duration;

use support::{Backend, SmtpSink, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_waits_for_the_relay_and_is_then_delivered() {
    // A port with nothing listening yet.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let app = TestApp::start_with(Backend::Sqlite, |c| {
        c.smtp.port = port;
        c.dev = true;
    })
    .await;
    let page = app
        .client()
        .post_form(
            "/register",
            &[
                ("name", "Mary Smith"),
                ("email", "mary@example.com"),
                ("password", "correct horse battery"),
            ],
        )
        .await;
    assert!(
        page.body.contains("Check your email"),
        "the request succeeds without the relay"
    );
    let failed_attempts = || async {
        let rows: Vec<(i64, Option<String>, Option<i64>)> =
            sqlx::query_as("SELECT attempts, last_error, sent_at FROM outbox")
                .fetch_all(app.db().pool())
                .await
                .unwrap();
        rows
    };
    let mut seen = Vec::new();
    for _ in 0..100 {
        seen = failed_attempts().await;
        if seen.first().is_some_and(|(a, _, _)| *a >= 2) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (attempts, error, sent) = seen[0].clone();
    assert!(attempts >= 2, "retried: {seen:?}");
    assert!(error.is_some(), "the failure is recorded");
    assert_eq!(sent, None);
    assert_eq!(server::outbox::pending(app.db()).await.unwrap(), 1);

    // The relay comes back: the next retry delivers it.
    let sink = SmtpSink::start_on(port).await;
    let mail = sink
        .wait_for("mary@example.com", "Confirm your email address")
        .await;
    assert!(mail.body.contains("/verify?token="));
    for _ in 0..50 {
        if server::outbox::pending(app.db()).await.unwrap() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(server::outbox::pending(app.db()).await.unwrap(), 0);

    // In development, staff see the outbox.
    let admin = app.admin().await;
    let outbox = admin.get("/staff/outbox").await;
    assert!(outbox.body.contains("Confirm your email address") && outbox.body.contains("Sent "));
    app.stop().await;
}
