//! Accounts as an attacker would try them: wrong passwords sent at once, an
//! address registered by someone who does not own it, password resets, and
//! sessions that must end when a password changes.

mod support;

use support::{Backend, Client, TestApp};

/// The confirmation (or reset) link in the latest mail to `to` about
/// `subject`, as a path.
async fn link(app: &TestApp, to: &str, subject: &str, marker: &str) -> String {
    app.smtp.wait_for(to, subject).await;
    let mail = app
        .smtp
        .all()
        .into_iter()
        .rev()
        .find(|m| m.to.eq_ignore_ascii_case(to) && m.subject.contains(subject))
        .unwrap();
    let line = mail
        .body
        .lines()
        .rev()
        .find(|l| l.contains(marker))
        .expect("a link in the email")
        .trim()
        .to_owned();
    line[line.find(marker).unwrap()..].to_owned()
}

fn token(path: &str) -> &str {
    &path[path.find("token=").unwrap() + 6..]
}

async fn parallel_wrong_passwords_are_counted_at_once(backend: Backend) {
    let app = TestApp::start(backend).await;
    let attempts: Vec<_> = (0..15)
        .map(|_| {
            let base = app.base.clone();
            tokio::spawn(async move {
                let c = Client::new(&base);
                c.sign_in("admin@hmpps.test", "not the password").await.body
            })
        })
        .collect();
    let (mut checked, mut locked) = (0, 0);
    for a in attempts {
        let body = a.await.unwrap();
        if body.contains("Enter a correct email address and password") {
            checked += 1;
        } else if body.contains("Too many failed attempts") {
            locked += 1;
        }
    }
    assert_eq!(
        checked, 5,
        "only five of fifteen parallel attempts were checked"
    );
    assert_eq!(locked, 10);
    // The right password is refused too while the lock lasts.
    let page = app
        .client()
        .sign_in("admin@hmpps.test", "admin password 1")
        .await;
    assert!(page.body.contains("Too many failed attempts"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_wrong_passwords_are_counted_at_once_sqlite() {
    parallel_wrong_passwords_are_counted_at_once(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_wrong_passwords_are_counted_at_once_postgres() {
    parallel_wrong_passwords_are_counted_at_once(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_squatted_address_goes_back_to_its_owner() {
    let app = TestApp::start(Backend::Sqlite).await;
    // Someone registers Mary's address and never confirms it.
    let squatter = app.client();
    squatter
        .post_form(
            "/register",
            &[
                ("name", "Not Mary"),
                ("email", "mary@example.com"),
                ("password", "squatter password 1"),
            ],
        )
        .await;
    let squatter_link = link(
        &app,
        "mary@example.com",
        "Confirm your email address",
        "/verify?token=",
    )
    .await;
    // Mary clicks the link she received: it asks for the account's
    // password, which she does not know, so it cannot confirm the
    // squatter's account.
    let mary = app.client();
    let page = mary.get(&squatter_link).await;
    assert!(page.body.contains("Enter the password you chose"));
    let page = mary
        .post_form(
            "/verify",
            &[
                ("token", token(&squatter_link)),
                ("password", "marys own password"),
            ],
        )
        .await;
    assert!(
        page.body
            .contains("Enter the password you chose for this account")
    );
    // Mary registers her own address: the unconfirmed account is hers now.
    let page = mary
        .post_form(
            "/register",
            &[
                ("name", "Mary Smith"),
                ("email", "mary@example.com"),
                ("password", "marys own password"),
            ],
        )
        .await;
    assert!(page.body.contains("Check your email"));
    for _ in 0..100 {
        if app
            .smtp
            .all()
            .iter()
            .filter(|m| m.subject.contains("Confirm your email address"))
            .count()
            >= 2
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let marys_link = link(
        &app,
        "mary@example.com",
        "Confirm your email address",
        "/verify?token=",
    )
    .await;
    assert_ne!(marys_link, squatter_link);
    // The squatter's link is dead.
    let page = squatter.get(&squatter_link).await;
    assert_eq!(page.status, 404);
    mary.get(&marys_link).await;
    let page = mary
        .post_form(
            "/verify",
            &[
                ("token", token(&marys_link)),
                ("password", "marys own password"),
            ],
        )
        .await;
    assert!(
        page.body.contains("Your email address is confirmed"),
        "{}",
        page.body
    );
    let page = mary.sign_in("mary@example.com", "marys own password").await;
    assert!(page.url.ends_with("/visits"), "{}", page.url);
    let page = app
        .client()
        .sign_in("mary@example.com", "squatter password 1")
        .await;
    assert!(
        page.body
            .contains("Enter a correct email address and password")
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_reset_works_once_and_ends_every_session() {
    let app = TestApp::start(Backend::Sqlite).await;
    let elsewhere = app.visitor("mary@example.com", "Mary Smith").await;
    assert!(elsewhere.get("/visits").await.body.contains("Your visits"));
    let c = app.client();
    // No account enumeration: an unknown address gets the same answer.
    let unknown = c
        .post_form("/password-reset", &[("email", "nobody@example.com")])
        .await;
    let known = c
        .post_form("/password-reset", &[("email", "mary@example.com")])
        .await;
    assert!(unknown.body.contains("Check your email"));
    assert!(known.body.contains("Check your email"));
    let reset = link(
        &app,
        "mary@example.com",
        "Reset your password",
        "/password-reset/new?token=",
    )
    .await;
    assert!(
        !app.smtp.all().iter().any(|m| m.to == "nobody@example.com"),
        "no mail for an unknown address"
    );
    let page = c.get(&reset).await;
    assert!(page.body.contains("Choose a new password"));
    // The old password and a common one are refused.
    for (password, problem) in [
        (
            "correct horse battery",
            "must be different from your current one",
        ),
        ("password123", "too easy to guess"),
    ] {
        let page = c
            .post_form(
                "/password-reset/new",
                &[("token", token(&reset)), ("new-password", password)],
            )
            .await;
        assert!(page.body.contains(problem), "{password}: {}", page.body);
    }
    let page = c
        .post_form(
            "/password-reset/new",
            &[
                ("token", token(&reset)),
                ("new-password", "a brand new passphrase"),
            ],
        )
        .await;
    assert!(
        page.body.contains("Your password has been changed"),
        "{}",
        page.body
    );
    // Single use.
    assert_eq!(c.get(&reset).await.status, 404);
    // The session that was signed in elsewhere is over.
    let page = elsewhere.get("/visits").await;
    assert!(page.url.ends_with("/sign-in"), "{}", page.url);
    let page = c
        .sign_in("mary@example.com", "a brand new passphrase")
        .await;
    assert!(page.url.ends_with("/visits"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changing_a_password_ends_the_other_sessions() {
    let app = TestApp::start(Backend::Sqlite).await;
    let here = app.visitor("mary@example.com", "Mary Smith").await;
    let there = app.client();
    assert!(
        there
            .sign_in("mary@example.com", "correct horse battery")
            .await
            .url
            .ends_with("/visits")
    );
    here.get("/account/password").await;
    let page = here
        .post_form(
            "/account/password",
            &[
                ("current-password", "correct horse battery"),
                ("new-password", "correct horse battery"),
            ],
        )
        .await;
    assert!(page.body.contains("must be different"), "{}", page.body);
    let page = here
        .post_form(
            "/account/password",
            &[
                ("current-password", "correct horse battery"),
                ("new-password", "staple battery horse"),
            ],
        )
        .await;
    assert!(
        page.body.contains("signed out everywhere else"),
        "{}",
        page.body
    );
    assert!(
        here.get("/visits").await.body.contains("Your visits"),
        "this session stays"
    );
    assert!(
        there.get("/visits").await.url.ends_with("/sign-in"),
        "the other session is ended"
    );
    assert_eq!(
        server::audit::count(app.db(), "account.password", None)
            .await
            .unwrap(),
        1
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn development_conveniences_are_off_and_national_only() {
    let app = TestApp::start(Backend::Sqlite).await;
    let admin = app.admin().await;
    assert_eq!(
        admin.get("/staff/outbox").await.status,
        404,
        "off by default"
    );
    app.stop().await;
    let app = TestApp::start_with(Backend::Sqlite, |c| c.dev = true).await;
    let clerk = app
        .staff(
            "clerk@hull.test",
            server::accounts::Role::BookingStaff,
            &["hull"],
        )
        .await;
    assert_eq!(
        clerk.get("/staff/outbox").await.status,
        404,
        "booking staff never see other prisons' mail"
    );
    assert_eq!(app.admin().await.get("/staff/outbox").await.status, 200);
    app.stop().await;
    let mut production = server::Config {
        dev: true,
        public_url: Some("https://visits.example".into()),
        ..Default::default()
    };
    assert!(production.check().is_err(), "production refuses dev mode");
    production.allow_dev_in_production = true;
    assert!(production.check().is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn framework_errors_get_the_services_pages() {
    let app = TestApp::start(Backend::Sqlite).await;
    let http = reqwest::Client::new();
    let r = http
        .delete(format!("{}/sign-in", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("govuk-template") && body.contains("cannot be done here"),
        "{body}"
    );
    // A signed-in member of staff, so that the address is read at all.
    let admin = app.admin().await;
    let r = admin
        .http
        .get(format!("{}/staff/visits/%FF%FE", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("govuk-template"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_in_emails_follow_the_listening_address() {
    let app = TestApp::start(Backend::Sqlite).await;
    app.client()
        .post_form(
            "/register",
            &[
                ("name", "Mary Smith"),
                ("email", "mary@example.com"),
                ("password", "correct horse battery"),
            ],
        )
        .await;
    let mail = app
        .smtp
        .wait_for("mary@example.com", "Confirm your email address")
        .await;
    assert!(
        mail.body.contains(&format!("{}/verify?token=", app.base)),
        "the link names the port the server listens on: {}",
        mail.body
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_account_holds_several_grants_each_in_its_scope() {
    let app = TestApp::start(Backend::Sqlite).await;
    let officer = app
        .staff(
            "officer@hmpps.test",
            server::accounts::Role::BookingStaff,
            &["hull"],
        )
        .await;
    assert_eq!(officer.get("/staff/establishments/leeds").await.status, 403);
    assert_eq!(
        officer
            .get("/staff/establishments/hull/settings")
            .await
            .status,
        403
    );
    // A national administrator adds a second role, at another prison.
    let admin = app.admin().await;
    admin.get("/staff/accounts").await;
    let page = admin
        .post_form(
            "/staff/accounts/grant",
            &[
                ("grant-email", "officer@hmpps.test"),
                ("grant-role", "establishment_admin"),
                ("grant-establishment", "leeds"),
            ],
        )
        .await;
    assert!(
        page.body
            .contains("is now also establishment administrator"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Establishment administrator, Leeds"));
    // A scope the role does not take, and an unknown account, are refused.
    let page = admin
        .post_form(
            "/staff/accounts/grant",
            &[
                ("grant-email", "officer@hmpps.test"),
                ("grant-role", "analyst"),
                ("grant-establishment", ""),
            ],
        )
        .await;
    assert!(
        page.body.contains("cannot be given the role"),
        "{}",
        page.body
    );
    let page = admin
        .post_form(
            "/staff/accounts/grant",
            &[
                ("grant-email", "nobody@hmpps.test"),
                ("grant-role", "booking_staff"),
                ("grant-establishment", "hull"),
            ],
        )
        .await;
    assert!(page.body.contains("There is no staff or Data Lab account"));
    assert_eq!(
        server::audit::count(app.db(), "account.grant", None)
            .await
            .unwrap(),
        1
    );
    // The grant holds from the next sign-in: each role in its own scope.
    let officer = app.client();
    officer
        .sign_in("officer@hmpps.test", "staff password 1")
        .await;
    assert_eq!(officer.get("/staff/establishments/hull").await.status, 200);
    assert_eq!(officer.get("/staff/establishments/leeds").await.status, 200);
    assert_eq!(
        officer
            .get("/staff/establishments/leeds/settings")
            .await
            .status,
        200
    );
    assert_eq!(
        officer
            .get("/staff/establishments/hull/settings")
            .await
            .status,
        403,
        "administering Leeds does not make them Hull's administrator"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_withdrawn_role_stops_at_once() {
    let app = TestApp::start(Backend::Sqlite).await;
    let officer = app
        .staff(
            "officer@hmpps.test",
            server::accounts::Role::BookingStaff,
            &["hull"],
        )
        .await;
    assert_eq!(officer.get("/staff/establishments/hull").await.status, 200);
    let admin = app.admin().await;
    let page = admin.get("/staff/accounts").await;
    assert!(page.body.contains("Booking staff, Hull"));
    let account = server::accounts::find_by_email(app.db(), "officer@hmpps.test")
        .await
        .unwrap()
        .unwrap();
    let page = admin
        .post_form(
            "/staff/accounts/revoke",
            &[
                ("account", account.id.as_str()),
                ("role", "booking_staff"),
                ("scope-kind", "establishment"),
                ("scope-id", "hull"),
            ],
        )
        .await;
    assert!(page.body.contains("Booking staff removed"), "{}", page.body);
    // No new sign-in needed: the officer's next page is refused.
    assert_eq!(officer.get("/staff/establishments/hull").await.status, 403);
    assert_eq!(
        server::audit::count(app.db(), "account.revoke", None)
            .await
            .unwrap(),
        1
    );
    // The last national administrator keeps that role.
    let me = server::accounts::find_by_email(app.db(), "admin@hmpps.test")
        .await
        .unwrap()
        .unwrap();
    let page = admin
        .post_form(
            "/staff/accounts/revoke",
            &[
                ("account", me.id.as_str()),
                ("role", "national_admin"),
                ("scope-kind", "national"),
                ("scope-id", ""),
            ],
        )
        .await;
    assert!(
        page.body
            .contains("The last national administrator cannot lose that role"),
        "{}",
        page.body
    );
    assert_eq!(admin.get("/staff/accounts").await.status, 200);
    app.stop().await;
}
