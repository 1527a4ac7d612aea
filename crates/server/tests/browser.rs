//! End to end in headless Chromium (Debian's chromium and chromium-driver):
//! a visitor signs up and books through the real pages, staff accept, and
//! the visitor sees the booking and receives the email. Screenshots of the
//! main pages are written to target/screenshots/.

mod support;

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use server::accounts::Role;
use support::{Backend, TestApp};

struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The browsers chromedriver started share its process group: a
        // test that fails before closing its windows leaves none running.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_driver() -> Driver {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .process_group(0)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver must be installed (apt-get install chromium chromium-driver; .ci/run does it)");
    // Owned by the guard from here on, so it is killed and reaped however
    // the test ends.
    let driver = Driver { child, port };
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return driver;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start");
}

async fn browser(driver: &Driver) -> Client {
    browser_with(driver, &[]).await
}

/// A Chromium session with more command-line switches (a camera clip).
async fn browser_with(driver: &Driver, extra: &[String]) -> Client {
    let mut args: Vec<String> = [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1100,1400",
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        "--allow-loopback-in-peer-connection",
    ]
    .iter()
    .map(|a| a.to_string())
    .collect();
    args.extend_from_slice(extra);
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            // Fake camera and microphone, allowed without asking, and
            // WebRTC over the loopback interface (a test machine may have
            // no other).
            "args": args
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a Chromium session")
}

fn shots_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn shot(b: &Client, name: &str) {
    let png = b.screenshot().await.unwrap();
    std::fs::write(shots_dir().join(format!("{name}.png")), png).unwrap();
}

async fn fill(b: &Client, id: &str, text: &str) {
    let e = b
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("no #{id}: {e}"));
    e.clear().await.unwrap();
    e.send_keys(text).await.unwrap();
}

/// Clicks and waits for the next page: the old document's root goes stale
/// and the new one finishes loading.
async fn click_and_wait(b: &Client, target: fantoccini::elements::Element) {
    let old = b.find(Locator::Css("html")).await.unwrap();
    target.click().await.unwrap();
    for _ in 0..200 {
        if old.text().await.is_err() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    for _ in 0..200 {
        if let Ok(state) = b.execute("return document.readyState", vec![]).await
            && state == "complete"
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn click_button(b: &Client, text: &str) {
    let button = b
        .find(Locator::XPath(&format!(
            "//button[normalize-space()='{text}']"
        )))
        .await
        .unwrap_or_else(|e| panic!("no button {text:?}: {e}"));
    click_and_wait(b, button).await;
}

async fn click_link(b: &Client, text: &str) {
    let link = b
        .find(Locator::LinkText(text))
        .await
        .unwrap_or_else(|e| panic!("no link {text:?}: {e}"));
    click_and_wait(b, link).await;
}

async fn heading(b: &Client) -> String {
    b.find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn sign_in(b: &Client, base: &str, email: &str, password: &str) {
    b.goto(&format!("{base}/sign-in")).await.unwrap();
    fill(b, "email", email).await;
    fill(b, "password", password).await;
    click_button(b, "Sign in").await;
}

async fn sign_out(b: &Client) {
    let button = b
        .find(Locator::Css("button.lifeline-link-button"))
        .await
        .unwrap();
    click_and_wait(b, button).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_family_books_and_staff_accept_in_chromium() {
    let app = TestApp::start(Backend::Sqlite).await;
    let driver = start_driver().await;
    let b = browser(&driver).await;
    let base = app.base.clone();

    b.goto(&base).await.unwrap();
    assert_eq!(heading(&b).await, "Visit someone in prison");
    let lang = b
        .find(Locator::Css("html"))
        .await
        .unwrap()
        .attr("lang")
        .await
        .unwrap();
    assert_eq!(lang.as_deref(), Some("en"));
    shot(&b, "01-start").await;

    register(&b, &app, "Mary Smith", "mary@example.com").await;
    sign_in(&b, &base, "mary@example.com", "correct horse battery").await;
    assert_eq!(heading(&b).await, "Your visits");

    // A mistake first: the error summary, and what was typed kept.
    b.goto(&format!("{base}/book")).await.unwrap();
    b.find(Locator::Id("establishment"))
        .await
        .unwrap()
        .select_by_value("leeds")
        .await
        .unwrap();
    fill(&b, "prisoner-name", "John Smith").await;
    fill(&b, "prisoner-dob-day", "31").await;
    fill(&b, "prisoner-dob-month", "2").await;
    fill(&b, "prisoner-dob-year", "1990").await;
    fill(&b, "prisoner-number", "A12").await;
    click_button(&b, "Continue").await;
    let summary = b
        .find(Locator::Css(".govuk-error-summary"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        summary.contains("must be a real date") && summary.contains("like A1234BC"),
        "{summary}"
    );
    let kept = b
        .find(Locator::Id("prisoner-name"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("John Smith"));
    shot(&b, "02-prisoner-errors").await;
    // The summary's links move focus to the field.
    b.find(Locator::Css(".govuk-error-summary__list a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    fill(&b, "prisoner-dob-day", "12").await;
    fill(&b, "prisoner-dob-month", "5").await;
    fill(&b, "prisoner-number", "A1234BC").await;
    click_button(&b, "Continue").await;
    assert_eq!(heading(&b).await, "Who is visiting?");
    fill(&b, "lead-dob-day", "3").await;
    fill(&b, "lead-dob-month", "4").await;
    fill(&b, "lead-dob-year", "1965").await;
    fill(&b, "lead-phone", "07700 900 982").await;
    fill(&b, "visitor-1-name", "Tom Smith").await;
    fill(&b, "visitor-1-dob-day", "1").await;
    fill(&b, "visitor-1-dob-month", "9").await;
    fill(&b, "visitor-1-dob-year", "2016").await;
    click_button(&b, "Continue").await;
    assert_eq!(heading(&b).await, "Choose visiting sessions");
    let options = b.find_all(Locator::Css("#session-1 option")).await.unwrap();
    let first = options[1].attr("value").await.unwrap().unwrap();
    let second = options[2].attr("value").await.unwrap().unwrap();
    b.find(Locator::Id("session-1"))
        .await
        .unwrap()
        .select_by_value(&first)
        .await
        .unwrap();
    b.find(Locator::Id("session-2"))
        .await
        .unwrap()
        .select_by_value(&second)
        .await
        .unwrap();
    shot(&b, "03-sessions").await;
    click_button(&b, "Continue").await;
    fill(&b, "support-needs", "Step-free access, please").await;
    click_button(&b, "Continue").await;
    assert_eq!(
        heading(&b).await,
        "Check your answers before sending your request"
    );
    shot(&b, "04-check-answers").await;
    click_button(&b, "Send request").await;
    assert_eq!(heading(&b).await, "Request sent");
    let reference = b
        .find(Locator::Id("reference"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(reference.len(), 10);
    shot(&b, "05-confirmation").await;
    app.smtp
        .wait_for("mary@example.com", "Visit request received")
        .await;
    sign_out(&b).await;

    // Staff at Leeds accept it into the second choice.
    let hasher = server::accounts::Hasher::new(64);
    server::accounts::create_staff(
        app.db(),
        &hasher,
        &server::accounts::NewAccount {
            email: "officer@leeds.test",
            name: "Sam Officer",
            password: "staff password 1",
            by: "system",
        },
        Role::BookingStaff,
        &["leeds"],
    )
    .await
    .unwrap();
    sign_in(&b, &base, "officer@leeds.test", "staff password 1").await;
    assert_eq!(heading(&b).await, "Visit requests");
    click_link(&b, "Leeds").await;
    shot(&b, "06-staff-queue").await;
    click_link(&b, &reference).await;
    assert!(heading(&b).await.contains(&reference));
    // GOV.UK radios are chosen by their labels; the second choice is the
    // second radio.
    b.find(Locator::Css("label[for='slot-1']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let chosen = b.find(Locator::Id("slot-1")).await.unwrap();
    assert_eq!(
        chosen.attr("value").await.unwrap().as_deref(),
        Some(second.as_str())
    );
    shot(&b, "07-staff-visit").await;
    click_button(&b, "Accept and book").await;
    let banner = b
        .find(Locator::Css(".govuk-notification-banner"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(banner.contains("is booked"), "{banner}");
    let confirmed = app
        .smtp
        .wait_for("mary@example.com", "Visit confirmed")
        .await;
    assert!(confirmed.body.contains(&reference));
    sign_out(&b).await;

    // The visitor sees the booking.
    sign_in(&b, &base, "mary@example.com", "correct horse battery").await;
    b.goto(&format!("{base}/visits/{reference}")).await.unwrap();
    let status = b
        .find(Locator::Css(".govuk-tag.govuk-tag--green"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(status.to_lowercase(), "booked");
    shot(&b, "08-visitor-booked").await;

    b.close().await.unwrap();
    drop(driver);
    app.stop().await;
}

/// Runs `fetch` in the page (with the page's cookies) and returns the
/// status and the body's text.
async fn fetch_in_page(b: &Client, path: &str) -> (u64, String) {
    let out = b
        .execute(
            "return fetch(arguments[0]).then(r => r.text().then(t => [r.status, t]));",
            vec![serde_json::json!(path)],
        )
        .await
        .unwrap();
    (
        out[0].as_u64().unwrap(),
        out[1].as_str().unwrap_or_default().to_owned(),
    )
}

async fn text_of(b: &Client, css: &str) -> String {
    b.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
        .text()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_uploads_an_analyst_issues_and_the_data_is_destroyed_in_chromium() {
    let app = TestApp::start_lab(
        Backend::Sqlite,
        std::sync::Arc::new(support::FakePipeline),
        |_| {},
    )
    .await;
    for (email, role, org) in [
        ("ana@hopetrust.test", Role::Provider, Some("Hope Trust")),
        ("lee@lab.test", Role::Analyst, None),
        ("iao@lab.test", Role::AssetOwner, None),
    ] {
        app.add_lab_account(email, role, org).await;
    }
    let cohort = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
    std::fs::write(cohort.path(), support::cohort_csv(90)).unwrap();
    let driver = start_driver().await;
    let b = browser(&driver).await;
    let base = app.base.clone();

    // The provider uploads a cohort with the request's details.
    sign_in(&b, &base, "ana@hopetrust.test", support::LAB_PASSWORD).await;
    assert_eq!(heading(&b).await, "Your Justice Data Lab requests");
    click_link(&b, "Start a new request").await;
    fill(
        &b,
        "intervention",
        "Through-the-gate mentoring for adult men",
    )
    .await;
    fill(&b, "collection", "Case management system export").await;
    fill(&b, "excluded", "3").await;
    b.find(Locator::Css("label[for='date-order']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    for id in ["confirm-data-protection", "confirm-gateway"] {
        b.find(Locator::Css(&format!("label[for='{id}']")))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }
    b.find(Locator::Id("cohort"))
        .await
        .unwrap()
        .send_keys(&cohort.path().display().to_string())
        .await
        .unwrap();
    shot(&b, "lab-01-new-request").await;
    click_button(&b, "Check and send").await;
    let reference = text_of(&b, "#reference").await;
    assert!(reference.starts_with("JDL-"), "{reference}");
    assert!(
        text_of(&b, ".govuk-notification-banner")
            .await
            .contains("90 people accepted")
    );
    assert_eq!(
        text_of(&b, ".govuk-summary-list .govuk-tag").await,
        "Submitted"
    );
    let request_url = b.current_url().await.unwrap().to_string();
    shot(&b, "lab-02-submitted").await;
    sign_out(&b).await;

    // The analyst runs it, checks the figures and issues the report.
    sign_in(&b, &base, "lee@lab.test", support::LAB_PASSWORD).await;
    assert_eq!(heading(&b).await, "Justice Data Lab requests");
    click_link(&b, &reference).await;
    fill(&b, "reason", "Standard analysis for this request").await;
    click_button(&b, "Run the analysis").await;
    let mut status = String::new();
    for _ in 0..100 {
        b.goto(&request_url).await.unwrap();
        status = text_of(&b, ".govuk-summary-list .govuk-tag").await;
        if status != "Processing" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, "Disclosure check");
    shot(&b, "lab-03-disclosure-check").await;
    click_button(&b, "Issue the report").await;
    assert!(
        text_of(&b, ".govuk-notification-banner")
            .await
            .contains("issued")
    );
    sign_out(&b).await;
    app.smtp
        .wait_for("ana@hopetrust.test", "report is ready")
        .await;

    // The provider downloads the report.
    sign_in(&b, &base, "ana@hopetrust.test", support::LAB_PASSWORD).await;
    b.goto(&request_url).await.unwrap();
    assert_eq!(
        text_of(&b, ".govuk-summary-list .govuk-tag").await,
        "Issued"
    );
    let link = b
        .find(Locator::LinkText("Download the report (web page)"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    let (status, report) = fetch_in_page(&b, &link).await;
    assert_eq!(status, 200);
    assert!(report.contains(&reference) && report.contains("31 per 100"));
    b.goto(&request_url).await.unwrap();
    assert_eq!(
        text_of(&b, ".govuk-summary-list .govuk-tag").await,
        "In review"
    );
    shot(&b, "lab-04-in-review").await;

    // Time passes beyond the review period; the sweep runs.
    let id = request_url.rsplit('/').next().unwrap().to_owned();
    assert!(
        server::datalab::data_held(app.db(), app.running().lab(), &id)
            .await
            .unwrap()
    );
    app.running().clock().advance_days(40);
    app.running().datalab_sweep().await.unwrap();
    assert!(
        !server::datalab::data_held(app.db(), app.running().lab(), &id)
            .await
            .unwrap()
    );
    b.goto(&request_url).await.unwrap();
    assert_eq!(
        text_of(&b, ".govuk-summary-list .govuk-tag").await,
        "Destroyed"
    );
    let timeline = text_of(&b, "#timeline").await;
    assert!(
        timeline.contains("Review period ended")
            && timeline.contains("Individual-level data destroyed")
    );
    let (status, report) = fetch_in_page(&b, &link).await;
    assert_eq!(status, 200, "the report remains");
    assert!(report.contains("31 per 100"));
    shot(&b, "lab-05-destroyed").await;
    sign_out(&b).await;

    // The information asset owner sees the certificate.
    sign_in(&b, &base, "iao@lab.test", support::LAB_PASSWORD).await;
    b.goto(&format!("{base}/datalab/certificates"))
        .await
        .unwrap();
    click_link(&b, &reference).await;
    assert!(heading(&b).await.contains(&reference));
    shot(&b, "lab-06-certificate").await;
    b.goto(&format!("{base}/datalab/audit")).await.unwrap();
    let audit = text_of(&b, "#audit").await;
    assert!(
        audit.contains("Standard analysis for this request")
            && audit.contains("datalab.cohort.destroy")
    );
    shot(&b, "lab-07-audit").await;

    b.close().await.unwrap();
    drop(driver);
    app.stop().await;
}

/// Chooses the first decision (verify, approve) and saves it.
async fn approve(b: &Client) {
    b.find(Locator::Id("decision"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    click_button(b, "Save decision").await;
}

/// Creates an account through the pages and confirms it from the email.
async fn register(b: &Client, app: &TestApp, name: &str, email: &str) {
    let base = &app.base;
    b.goto(&format!("{base}/register")).await.unwrap();
    fill(b, "name", name).await;
    fill(b, "email", email).await;
    fill(b, "password", "correct horse battery").await;
    click_button(b, "Create account").await;
    assert_eq!(heading(b).await, "Check your email");
    let mail = app.smtp.wait_for(email, "Confirm your email address").await;
    let link = mail
        .body
        .lines()
        .find(|l| l.contains("/verify?token="))
        .unwrap()
        .trim()
        .to_owned();
    b.goto(&format!("{base}{}", &link[link.find("/verify").unwrap()..]))
        .await
        .unwrap();
    assert_eq!(heading(b).await, "Confirm your email address");
    fill(b, "password", "correct horse battery").await;
    click_button(b, "Confirm").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_family_is_verified_approved_and_books_a_video_call_in_chromium() {
    let app = TestApp::start(Backend::Sqlite).await;
    let base = app.base.clone();
    // Berwyn's portal (live since the letter's annex) offers calls at two
    // and three every day.
    for weekday in 1..=7 {
        for start in ["14:00", "15:00"] {
            calls::portal::add_weekly(
                app.db(),
                "berwyn",
                weekday,
                start,
                &server::audit::Line {
                    actor: "system",
                    action: "test",
                    subject: "berwyn",
                    detail: String::new(),
                },
            )
            .await
            .unwrap();
        }
    }
    app.staff("verifier@hmpps.test", Role::IdentityVerifier, &[])
        .await;
    app.staff("officer@berwyn.test", Role::CallsOfficer, &["berwyn"])
        .await;
    let driver = start_driver().await;
    let b = browser(&driver).await;
    let faces = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/testdata/faces")
        .canonicalize()
        .expect("the test faces");

    // A family member signs up and sets up video calls.
    register(&b, &app, "Jo Bloggs", "jo@example.com").await;
    sign_in(&b, &base, "jo@example.com", "correct horse battery").await;
    b.goto(&format!("{base}/calls")).await.unwrap();
    assert_eq!(heading(&b).await, "Video calls");
    click_link(&b, "Start").await;
    assert_eq!(heading(&b).await, "Your details");
    fill(&b, "dob-day", "4").await;
    fill(&b, "dob-month", "8").await;
    fill(&b, "dob-year", "1961").await;
    fill(&b, "address", "1 High Street, Hull HU1 1AA").await;
    fill(&b, "phone", "07700 900123").await;
    click_button(&b, "Save and continue").await;
    assert_eq!(heading(&b).await, "Prove your identity");
    for (id, file) in [("id-photo", "obama.jpg"), ("selfie", "obama2.jpg")] {
        b.find(Locator::Id(id))
            .await
            .unwrap()
            .send_keys(&faces.join(file).to_string_lossy())
            .await
            .unwrap();
    }
    shot(&b, "calls-01-identity").await;
    click_button(&b, "Send photos").await;
    assert_eq!(heading(&b).await, "Video calls");
    let body = text_of(&b, "main").await;
    assert!(body.contains("We are checking your identity"), "{body}");
    sign_out(&b).await;

    // The verifier sees the two photos side by side and verifies.
    sign_in(&b, &base, "verifier@hmpps.test", "staff password 1").await;
    assert_eq!(heading(&b).await, "Identity checks");
    assert!(text_of(&b, "main").await.contains("Faces match"));
    click_link(&b, "Jo Bloggs").await;
    let loaded = b
        .execute(
            "return Array.from(document.querySelectorAll('main img')).map(i => i.complete && i.naturalWidth > 0)",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(loaded, serde_json::json!([true, true]), "both photos show");
    shot(&b, "calls-02-verification").await;
    approve(&b).await;
    sign_out(&b).await;

    // The family asks to be approved to call John Smith at Berwyn.
    sign_in(&b, &base, "jo@example.com", "correct horse battery").await;
    b.goto(&format!("{base}/calls")).await.unwrap();
    click_link(&b, "Ask to be approved to call someone").await;
    b.find(Locator::Id("establishment"))
        .await
        .unwrap()
        .select_by_value("berwyn")
        .await
        .unwrap();
    fill(&b, "prisoner-name", "John Smith").await;
    fill(&b, "prison-number", "A1234BC").await;
    fill(&b, "relationship", "Brother").await;
    click_button(&b, "Send request").await;
    sign_out(&b).await;

    // Berwyn's officer approves.
    sign_in(&b, &base, "officer@berwyn.test", "staff password 1").await;
    b.goto(&format!("{base}/calls/staff/berwyn")).await.unwrap();
    click_link(&b, "Jo Bloggs").await;
    approve(&b).await;
    sign_out(&b).await;

    // The family books a call; the allowance counts down.
    sign_in(&b, &base, "jo@example.com", "correct horse battery").await;
    b.goto(&format!("{base}/calls")).await.unwrap();
    let before = text_of(&b, "main").await;
    assert!(before.contains("60 of 60 minutes"), "{before}");
    let book = b
        .find(Locator::Css("a[href*='/calls/prisons/berwyn/book']"))
        .await
        .unwrap();
    click_and_wait(&b, book).await;
    assert_eq!(heading(&b).await, "Book a video call");
    b.find(Locator::Css("input[name=slot]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    shot(&b, "calls-03-book").await;
    click_button(&b, "Book call").await;
    assert_eq!(heading(&b).await, "Video call with John Smith");
    b.goto(&format!("{base}/calls")).await.unwrap();
    let after = text_of(&b, "main").await;
    assert!(after.contains("30 of 60 minutes"), "{after}");
    shot(&b, "calls-04-home").await;
    app.smtp
        .wait_for("jo@example.com", "Video call booked")
        .await;

    // Belmarsh's portal is not live: its booking page sends the family to
    // the portal, which says so.
    b.goto(&format!("{base}/calls/prisons/belmarsh/book"))
        .await
        .unwrap();
    assert_eq!(heading(&b).await, "Belmarsh");
    assert!(
        text_of(&b, "main")
            .await
            .contains("Video calls are not available at Belmarsh yet")
    );
    sign_out(&b).await;

    // The national rollout page, as the administrator sees it.
    sign_in(&b, &base, "admin@hmpps.test", "admin password 1").await;
    b.goto(&format!("{base}/calls/rollout")).await.unwrap();
    let rollout = text_of(&b, "main").await;
    assert!(rollout.contains("40 of"), "{rollout}");
    shot(&b, "calls-05-rollout").await;
    b.close().await.unwrap();
    app.stop().await;
}

/// Frames of video the page has decoded from the other side so far.
async fn frames_decoded(b: &Client) -> u64 {
    let v = b
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const pc = window.lifelineCall;
             if (!pc) { done(0); return; }
             pc.getStats().then(s => { let n = 0; s.forEach(r => { if (r.type === 'inbound-rtp' && r.kind === 'video') n += r.framesDecoded || 0; }); done(n); });",
            vec![],
        )
        .await
        .unwrap();
    v.as_u64().unwrap_or(0)
}

/// Waits until `b`'s decoded frames pass `above`, or fails after `secs`.
async fn frames_flow(b: &Client, above: u64, secs: u64, what: &str) -> u64 {
    for _ in 0..secs * 10 {
        let n = frames_decoded(b).await;
        if n > above {
            return n;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what}: no video arrived within {secs} s");
}

async fn page_state(b: &Client) -> String {
    b.find(Locator::Id("live-call"))
        .await
        .unwrap()
        .attr("data-state")
        .await
        .unwrap()
        .unwrap_or_default()
}

/// Jo Bloggs, a verified caller approved for John Smith at Berwyn, with a
/// 30-minute call `id` (reference `reference`) that began a minute ago
/// (written directly: booking cannot be for today). With `face`, her
/// enrolled descriptor is the one photo's face.
async fn call_under_way(app: &TestApp, id: &str, reference: &str, face: Option<face::Descriptor>) {
    let db = app.db();
    app.visitor("jo@example.com", "Jo Bloggs").await;
    let account: String =
        sqlx::query_scalar("SELECT id FROM accounts WHERE email = 'jo@example.com'")
            .fetch_one(db.pool())
            .await
            .unwrap();
    let me = platform::Actor {
        id: account.clone(),
        name: "Jo Bloggs".into(),
    };
    calls::callers::save_profile(
        db,
        &account,
        &calls::callers::Profile {
            name: "Jo Bloggs".into(),
            dob: chrono::NaiveDate::from_ymd_opt(1961, 8, 4).unwrap(),
            address: "1 High St".into(),
            phone: "07700 900123".into(),
        },
        &me,
    )
    .await
    .unwrap();
    sqlx::query("UPDATE callers SET status = 'verified', descriptor = $1 WHERE account_id = $2")
        .bind(face.map(|d| platform::ids::hex(&d.to_bytes())))
        .bind(&account)
        .execute(db.pool())
        .await
        .unwrap();
    let prisoner = platform::contacts::add_prisoner(
        db,
        "A1234BC",
        "John Smith",
        "berwyn",
        &platform::Actor::system(),
    )
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO approved_contacts (id, prisoner_id, account_id, name, dob, relationship, status, approved_by, approved_at, updated_at) \
         VALUES ('contact-1', $1, $2, 'Jo Bloggs', '1961-08-04', 'Sister', 'approved', 'x', 0, 0)",
    )
    .bind(&prisoner.id)
    .bind(&account)
    .execute(db.pool())
    .await
    .unwrap();
    let now = chrono::Utc::now().naive_utc() - chrono::Duration::minutes(1);
    sqlx::query(
        "INSERT INTO calls (id, reference, idempotency_key, establishment_id, prisoner_id, main_caller, slot_id, date, start_time, minutes, month, status, created_by, created_at, updated_at) \
         VALUES ($1, $2, 'k', 'berwyn', $3, $4, 's', $5, $6, 30, $7, 'booked', 'x', 0, 0)",
    )
    .bind(id)
    .bind(reference)
    .bind(&prisoner.id)
    .bind(&account)
    .bind(now.date().to_string())
    .bind(now.format("%H:%M").to_string())
    .bind(now.format("%Y-%m").to_string())
    .execute(db.pool())
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO call_participants (call_id, contact_id, name) VALUES ($1, 'contact-1', 'Jo Bloggs')",
    )
    .bind(id)
    .execute(db.pool())
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_call_connects_pauses_resumes_and_ends_in_chromium() {
    let app = TestApp::start(Backend::Sqlite).await;
    let base = app.base.clone();
    let db = app.db();
    call_under_way(&app, "call-1", "LIVE-0001", None).await;
    let staff = app
        .staff("officer@berwyn.test", Role::CallsOfficer, &["berwyn"])
        .await;

    let driver = start_driver().await;
    let family = browser(&driver).await;
    let prison = browser(&driver).await;
    sign_in(&family, &base, "jo@example.com", "correct horse battery").await;
    sign_in(&prison, &base, "officer@berwyn.test", "staff password 1").await;
    family
        .goto(&format!("{base}/calls/call/LIVE-0001/live"))
        .await
        .unwrap();
    prison
        .goto(&format!("{base}/calls/staff/berwyn/laptop/call-1"))
        .await
        .unwrap();

    // Each side receives the other's video through the server.
    let f = frames_flow(&family, 0, 20, "the family's page").await;
    let p = frames_flow(&prison, 0, 20, "the prison's page").await;
    shot(&family, "live-01-family").await;
    assert_eq!(page_state(&family).await, "open");

    // A monitoring terminal watches both sides and is seen by neither.
    let watcher = browser(&driver).await;
    sign_in(&watcher, &base, "officer@berwyn.test", "staff password 1").await;
    watcher
        .goto(&format!("{base}/calls/staff/berwyn/monitor/call-1/watch"))
        .await
        .unwrap();
    let mut sides = 0;
    for _ in 0..200 {
        sides = watcher
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 const pc = window.lifelineCall;
                 if (!pc) { done(0); return; }
                 pc.getStats().then(s => { let n = 0; s.forEach(r => { if (r.type === 'inbound-rtp' && r.kind === 'video' && r.framesDecoded > 0) n += 1; }); done(n); });",
                vec![],
            )
            .await
            .unwrap()
            .as_u64()
            .unwrap_or(0);
        if sides == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        sides, 2,
        "the terminal receives the caller's and the prison's video"
    );
    shot(&watcher, "live-05-watching").await;
    watcher.close().await.unwrap();
    // The media server's own reports reach the call's timeline.
    let mut connected = 0i64;
    for _ in 0..50 {
        connected = sqlx::query_scalar(
            "SELECT COUNT(*) FROM call_timeline WHERE call_id = 'call-1' AND kind = 'connected'",
        )
        .fetch_one(db.pool())
        .await
        .unwrap();
        if connected >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(connected, 2, "both sides' connections are on the timeline");

    // Malformed signalling gets a clear refusal, and the call goes on.
    let answers = family
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const csrf = document.getElementById('live-call').getAttribute('data-csrf');
             const post = (token, body) => fetch('/calls/live/call-1/offer', {method: 'POST',
                 headers: {'content-type': 'application/json', 'x-csrf-token': token}, body}).then(r => r.status);
             Promise.all([post(csrf, 'not json'), post('forged', JSON.stringify({sdp: 'v=0'})), post(csrf, JSON.stringify({sdp: 'v=0'}))]).then(done);",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        answers,
        serde_json::json!([400, 403, 409]),
        "garbage, a forged token, an offer that is no offer"
    );
    // The pages signal over the WebSocket, which answers a malformed
    // message with a refusal and goes on.
    let mode = family
        .execute("return window.lifelineSignalling || '';", vec![])
        .await
        .unwrap();
    assert_eq!(mode, "websocket");
    let refused = family
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const ws = new WebSocket('ws://' + location.host + '/calls/live/call-1/socket');
             ws.onopen = () => ws.send('not json');
             ws.onmessage = e => { const m = JSON.parse(e.data); if (m.type === 'error') { ws.close(); done(m.status); } };
             ws.onerror = () => done('no socket');",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(refused, 400);
    frames_flow(
        &family,
        frames_decoded(&family).await,
        10,
        "the call after bad signalling",
    )
    .await;

    // Staff pause from the monitoring terminal: frames stop on both sides.
    staff.get("/calls/staff/berwyn/monitor").await;
    staff
        .post_form(
            "/calls/staff/berwyn/monitor/call-1/pause",
            &[("reason", "checking who is in the room")],
        )
        .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (f1, p1) = (frames_decoded(&family).await, frames_decoded(&prison).await);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (f2, p2) = (frames_decoded(&family).await, frames_decoded(&prison).await);
    assert!(f1 >= f && p1 >= p);
    assert_eq!(
        (f2, p2),
        (f1, p1),
        "no frames arrive while the call is paused"
    );
    assert_eq!(page_state(&family).await, "paused");
    assert!(text_of(&family, "#call-state").await.contains("paused"));
    shot(&family, "live-02-paused").await;

    // A family member cannot resume it: the control is staff's, on the
    // server, and the page's own form token does not open it.
    let status = family
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const csrf = document.getElementById('live-call').getAttribute('data-csrf');
             fetch('/calls/staff/berwyn/monitor/call-1/resume', {method: 'POST', redirect: 'manual',
                   headers: {'content-type': 'application/x-www-form-urlencoded'}, body: 'csrf=' + encodeURIComponent(csrf)})
               .then(r => done(r.status));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        status.as_u64(),
        Some(403),
        "a family member cannot resume a call"
    );
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(frames_decoded(&family).await, f2, "still paused");
    let anonymous = app.client().get("/calls/live/call-1/state").await;
    assert!(anonymous.url.ends_with("/sign-in"), "no session, no state");

    // Staff resume: frames flow again.
    staff.get("/calls/staff/berwyn/monitor").await;
    staff
        .post_form("/calls/staff/berwyn/monitor/call-1/resume", &[])
        .await;
    frames_flow(&family, f2, 20, "the family's page after resume").await;
    frames_flow(&prison, p2, 20, "the prison's page after resume").await;

    // Staff end it: both pages say so, and nobody can join again.
    staff.get("/calls/staff/berwyn/monitor").await;
    staff
        .post_form("/calls/staff/berwyn/monitor/call-1/end", &[])
        .await;
    for b in [&family, &prison] {
        let mut ended = false;
        for _ in 0..50 {
            if b.find(Locator::Id("live-call"))
                .await
                .unwrap()
                .attr("data-ended")
                .await
                .unwrap()
                .is_some()
            {
                ended = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(ended, "the page shows the call has ended");
    }
    assert!(text_of(&family, "#call-state").await.contains("ended"));
    shot(&family, "live-03-ended").await;
    // Staff opened the terminal three times (and its script refetches
    // it): one audit line says who watched, not one a refresh.
    let monitor_views: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'calls.monitor'")
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert_eq!(monitor_views, 1);
    let timeline: Vec<String> = sqlx::query_scalar(
        "SELECT kind FROM call_timeline WHERE call_id = 'call-1' ORDER BY at, id",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    for kind in ["joined", "paused", "resumed", "ended"] {
        assert!(
            timeline.iter().any(|k| k == kind),
            "{kind} on the timeline: {timeline:?}"
        );
    }
    // A modified client that posts a fresh offer is refused.
    family
        .goto(&format!("{base}/calls/call/LIVE-0001/live"))
        .await
        .unwrap();
    let refused = family
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const csrf = document.getElementById('live-call').getAttribute('data-csrf');
             fetch('/calls/live/call-1/offer', {method: 'POST', headers: {'content-type': 'application/json', 'x-csrf-token': csrf}, body: JSON.stringify({sdp: 'v=0'})})
               .then(r => done(r.status));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        refused.as_u64(),
        Some(409),
        "an ended call cannot be rejoined"
    );
    family.close().await.unwrap();
    prison.close().await.unwrap();
    app.stop().await;
}

/// A camera clip for Chromium's fake device: one 640x480 frame of `photo`
/// in Y4M (Chromium loops it), a 4:3 window three faces wide around the
/// face, as a caller holding a phone fills the picture.
fn camera_clip(engine: &face::Engine, photo: &str, dir: &std::path::Path) -> PathBuf {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/testdata/faces")
        .join(photo);
    let img = image::open(&src)
        .unwrap_or_else(|e| panic!("{}: {e}", src.display()))
        .to_rgb8();
    let found = engine.analyse_image(&img);
    let f = &found.faces[0];
    let (iw, ih) = img.dimensions();
    let w = (f.size * 3).min(iw).min(ih * 4 / 3);
    let h = w * 3 / 4;
    let x = (f.x + f.size / 2).saturating_sub(w / 2).min(iw - w);
    let y = (f.y + f.size / 2).saturating_sub(h * 2 / 5).min(ih - h);
    let window = image::imageops::crop_imm(&img, x, y, w, h).to_image();
    let frame = image::imageops::resize(&window, 640, 480, image::imageops::FilterType::Triangle);
    let (w, h) = (640usize, 480usize);
    let mut y = vec![0u8; w * h];
    let mut u = vec![0u8; w * h / 4];
    let mut v = vec![0u8; w * h / 4];
    for (x, yy, p) in frame.enumerate_pixels() {
        let [r, g, b] = p.0.map(f32::from);
        y[yy as usize * w + x as usize] = (0.299 * r + 0.587 * g + 0.114 * b).round() as u8;
        if x % 2 == 0 && yy % 2 == 0 {
            let i = (yy as usize / 2) * (w / 2) + x as usize / 2;
            u[i] = (128.0 - 0.168_736 * r - 0.331_264 * g + 0.5 * b)
                .round()
                .clamp(0.0, 255.0) as u8;
            v[i] = (128.0 + 0.5 * r - 0.418_688 * g - 0.081_312 * b)
                .round()
                .clamp(0.0, 255.0) as u8;
        }
    }
    let mut out = format!("YUV4MPEG2 W{w} H{h} F30:1 Ip A1:1 C420jpeg\n").into_bytes();
    out.extend_from_slice(b"FRAME\n");
    out.extend_from_slice(&y);
    out.extend_from_slice(&u);
    out.extend_from_slice(&v);
    let path = dir.join(photo.replace(".jpg", ".y4m"));
    std::fs::write(&path, out).unwrap();
    path
}

/// The staff's view of a call's timeline, oldest first.
async fn staff_lines(db: &server::Db, call: &str) -> Vec<(String, String)> {
    sqlx::query_as("SELECT kind, detail FROM call_timeline WHERE call_id = $1 ORDER BY at, id")
        .bind(call)
        .fetch_all(db.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn an_unapproved_face_on_the_caller_s_video_pauses_the_call_in_chromium() {
    let app = TestApp::start(Backend::Sqlite).await;
    let base = app.base.clone();
    let db = app.db();
    // Jo's enrolled face is person A's (from obama.jpg, as her selfie would
    // give); the call is booked for her alone.
    let engine = face::Engine::new().unwrap();
    let faces = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata/faces");
    let enrolled = engine
        .analyse(&std::fs::read(faces.join("obama.jpg")).unwrap())
        .unwrap();
    let descriptor = face::single_face(&enrolled).unwrap().descriptor;
    call_under_way(&app, "call-2", "LIVE-0002", Some(descriptor)).await;
    let staff = app
        .staff("officer@berwyn.test", Role::CallsOfficer, &["berwyn"])
        .await;

    let clips = tempfile::tempdir().unwrap();
    let known = camera_clip(&engine, "obama2.jpg", clips.path());
    let stranger = camera_clip(&engine, "biden.jpg", clips.path());
    let driver = start_driver().await;
    let prison = browser(&driver).await;
    sign_in(&prison, &base, "officer@berwyn.test", "staff password 1").await;
    prison
        .goto(&format!("{base}/calls/staff/berwyn/laptop/call-2"))
        .await
        .unwrap();

    // Jo herself, in another photo than her enrolment's: the checks find
    // her, and the call runs on.
    let jo = browser_with(
        &driver,
        &[format!(
            "--use-file-for-fake-video-capture={}",
            known.display()
        )],
    )
    .await;
    sign_in(&jo, &base, "jo@example.com", "correct horse battery").await;
    jo.goto(&format!("{base}/calls/call/LIVE-0002/live"))
        .await
        .unwrap();
    frames_flow(&prison, 0, 20, "the prison's page").await;
    let mut approved = false;
    for _ in 0..150 {
        if staff_lines(db, "call-2")
            .await
            .iter()
            .any(|(k, d)| k == "face_check" && d == "Face check: the approved caller")
        {
            approved = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        approved,
        "the server checked and knew Jo: {:?}",
        staff_lines(db, "call-2").await
    );
    tokio::time::sleep(Duration::from_secs(7)).await;
    assert_eq!(
        page_state(&jo).await,
        "open",
        "the approved caller is never paused"
    );
    jo.close().await.unwrap();

    // Someone else on Jo's account: paused within two checks.
    let other = browser_with(
        &driver,
        &[format!(
            "--use-file-for-fake-video-capture={}",
            stranger.display()
        )],
    )
    .await;
    sign_in(&other, &base, "jo@example.com", "correct horse battery").await;
    other
        .goto(&format!("{base}/calls/call/LIVE-0002/live"))
        .await
        .unwrap();
    let joined = std::time::Instant::now();
    let mut paused = None;
    for _ in 0..300 {
        if page_state(&other).await == "paused" {
            paused = Some(joined.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let Some(paused) = paused else {
        panic!(
            "the unknown face never paused the call: {:?}",
            staff_lines(db, "call-2").await
        );
    };
    eprintln!(
        "time to pause an unknown face: {:.1} s",
        paused.as_secs_f64()
    );
    assert!(paused < Duration::from_secs(20), "paused after {paused:?}");
    assert!(
        text_of(&other, "#call-state")
            .await
            .contains("not an approved caller")
    );
    shot(&other, "live-04-face-paused").await;
    let lines = staff_lines(db, "call-2").await;
    assert!(
        lines
            .iter()
            .any(|(k, d)| k == "security" && d.starts_with("Unapproved face")),
        "the incidents line: {lines:?}"
    );
    // Frames stop both ways.
    let p1 = frames_decoded(&prison).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        frames_decoded(&prison).await,
        p1,
        "nothing flows while paused"
    );

    // The monitoring terminal shows the frame that paused it.
    let monitor = staff.get("/calls/staff/berwyn/monitor").await;
    assert!(
        monitor.body.contains("Paused automatically"),
        "{}",
        monitor.body
    );
    let src = monitor
        .body
        .split("src=\"")
        .find(|s| s.starts_with("/calls/staff/berwyn/monitor/call-2/alert/"))
        .and_then(|s| s.split('"').next())
        .expect("the alert's picture")
        .to_owned();
    let (status, picture) = staff.get_bytes(&src).await;
    assert_eq!(status, 200);
    assert!(picture.starts_with(&[0xff, 0xd8]), "a JPEG");
    // Without a session: the sign-in page, not the picture.
    let (_, body) = app.client().get_bytes(&src).await;
    assert!(
        !body.starts_with(&[0xff, 0xd8]),
        "no picture without a session"
    );

    // Staff end it: the incidents line says so.
    staff
        .post_form("/calls/staff/berwyn/monitor/call-2/end", &[])
        .await;
    let lines = staff_lines(db, "call-2").await;
    assert_eq!(
        lines.iter().filter(|(k, _)| k == "security").count(),
        2,
        "{lines:?}"
    );
    other.close().await.unwrap();
    prison.close().await.unwrap();
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_is_held_by_one_of_two_nodes_on_postgresql_in_chromium() {
    let app = TestApp::start(Backend::Postgres).await;
    let a = app.base.clone();
    let dir = tempfile::tempdir().unwrap();
    let other = server::App::start(support::test_config(
        dir.path(),
        app.db_url(),
        app.smtp.port,
    ))
    .await
    .expect("a second node starts on the same database");
    let b = format!("http://{}", other.addr());
    let nodes: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM call_nodes")
        .fetch_one(app.db().pool())
        .await
        .unwrap();
    assert_eq!(nodes, 2, "each node registers its media server");
    call_under_way(&app, "call-3", "LIVE-0003", None).await;
    app.staff("officer@berwyn.test", Role::CallsOfficer, &["berwyn"])
        .await;

    let driver = start_driver().await;
    let family = browser(&driver).await;
    let prison = browser(&driver).await;
    sign_in(&family, &a, "jo@example.com", "correct horse battery").await;
    family
        .goto(&format!("{a}/calls/call/LIVE-0003/live"))
        .await
        .unwrap();
    let mut pinned = None;
    for _ in 0..100 {
        pinned = sqlx::query_scalar::<_, Option<String>>(
            "SELECT node FROM call_rooms WHERE id = 'call-3'",
        )
        .fetch_optional(app.db().pool())
        .await
        .unwrap()
        .flatten();
        if pinned.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        pinned.is_some(),
        "the family's join pins the room to the first node"
    );

    // The laptop reaches the second node: refused, saying why, while the
    // first is alive.
    sign_in(&prison, &b, "officer@berwyn.test", "staff password 1").await;
    prison
        .goto(&format!("{b}/calls/staff/berwyn/laptop/call-3"))
        .await
        .unwrap();
    let mut said = String::new();
    for _ in 0..100 {
        said = text_of(&prison, "#call-state").await;
        if said.contains("another media server") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(said.contains("another media server"), "{said}");

    // Through the first node the call connects; a pause made on the
    // second node's monitoring terminal reaches the first node's media
    // server.
    prison
        .goto(&format!("{a}/calls/staff/berwyn/laptop/call-3"))
        .await
        .unwrap();
    let f = frames_flow(&family, 0, 20, "the family's page").await;
    let staff_b = support::Client::new(&b);
    staff_b
        .sign_in("officer@berwyn.test", "staff password 1")
        .await;
    staff_b.get("/calls/staff/berwyn/monitor").await;
    staff_b
        .post_form("/calls/staff/berwyn/monitor/call-3/pause", &[])
        .await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let f1 = frames_decoded(&family).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(f1 >= f);
    assert_eq!(
        frames_decoded(&family).await,
        f1,
        "the first node stopped forwarding"
    );
    staff_b
        .post_form("/calls/staff/berwyn/monitor/call-3/resume", &[])
        .await;
    frames_flow(
        &family,
        f1,
        20,
        "the family's page after a resume on the other node",
    )
    .await;
    family.close().await.unwrap();
    prison.close().await.unwrap();
    other.shutdown().await;
    app.stop().await;
}

/// Chooses the radio or checkbox whose label reads `label`.
async fn choose(b: &Client, label: &str) {
    let l = b
        .find(Locator::XPath(&format!(
            "//label[normalize-space()=\"{label}\"]"
        )))
        .await
        .unwrap_or_else(|e| panic!("no choice {label:?}: {e}"));
    l.click().await.unwrap();
}

async fn select(b: &Client, id: &str, value: &str) {
    b.find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("no #{id}: {e}"))
        .select_by_value(value)
        .await
        .unwrap();
}

/// Opens a `details` disclosure by its summary's words.
async fn open_details(b: &Client, summary: &str) {
    b.find(Locator::XPath(&format!(
        "//summary[normalize-space()=\"{summary}\"]"
    )))
    .await
    .unwrap_or_else(|e| panic!("no details {summary:?}: {e}"))
    .click()
    .await
    .unwrap();
}

/// Files an incident through the pages up to its edit page; returns the
/// report's reference.
async fn report_incident(b: &Client, base: &str, kind: &str, title: &str) -> String {
    b.goto(&format!("{base}/incidents")).await.unwrap();
    click_link(b, "Report an incident").await;
    assert_eq!(heading(b).await, "Report an incident");
    choose(b, kind).await;
    select(b, "establishment", "hull").await;
    fill(b, "occurred-date-day", "1").await;
    fill(b, "occurred-date-month", "3").await;
    fill(b, "occurred-date-year", "2025").await;
    fill(b, "occurred-time", "21:15").await;
    fill(b, "title", title).await;
    fill(b, "description", "Seen on the evening round.").await;
    click_button(b, "Save as a draft").await;
    assert_eq!(heading(b).await, "The report's details and answers");
    let caption = text_of(b, "span.govuk-caption-l").await;
    caption.split(' ').next().unwrap().to_owned()
}

async fn history_steps(b: &Client) -> serde_json::Value {
    b.execute(
        "return Array.from(document.querySelectorAll('td[data-history-to]')).map(t => t.getAttribute('data-history-to'))",
        vec![],
    )
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_social_media_incident_is_reported_sent_back_resubmitted_and_closed_in_chromium() {
    let app = TestApp::start(Backend::Sqlite).await;
    let base = app.base.clone();
    platform::contacts::add_prisoner(
        app.db(),
        "A1234BC",
        "John Smith",
        "hull",
        &platform::Actor::system(),
    )
    .await
    .unwrap();
    app.staff("reporter@hull.test", Role::IncidentReporter, &["hull"])
        .await;
    app.staff("security@hull.test", Role::SecurityTeam, &["hull"])
        .await;
    let driver = start_driver().await;
    let b = browser(&driver).await;

    // The reporting officer files the find of the phone first.
    sign_in(&b, &base, "reporter@hull.test", "staff password 1").await;
    assert_eq!(heading(&b).await, "Incident reports");
    let find = report_incident(
        &b,
        &base,
        "Find of illicit items",
        "Phone found in cell 3-14",
    )
    .await;
    fill(&b, "q-phones", "1").await;
    fill(&b, "q-sims", "1").await;
    choose(&b, "In a cell").await;
    choose(&b, "Yes").await;
    fill(&b, "q-dmiu-yes-date-day", "2").await;
    fill(&b, "q-dmiu-yes-date-month", "3").await;
    fill(&b, "q-dmiu-yes-date-year", "2025").await;
    fill(&b, "q-bag_number", "DMIU-0041").await;
    click_button(&b, "Save").await;
    assert_eq!(heading(&b).await, "Phone found in cell 3-14");
    // The type requires the staff involved; submitting without is refused
    // by name.
    assert!(text_of(&b, "main").await.contains("Add the staff involved"));
    open_details(&b, "Add a member of staff").await;
    fill(&b, "staff-name", "Officer Dean").await;
    select(&b, "staff-role", "finder").await;
    click_button(&b, "Add the member of staff").await;
    click_button(&b, "Submit for review").await;
    assert!(text_of(&b, "main").await.contains("Awaiting review"));

    // Then the social media misuse, linked to the find.
    let reference =
        report_incident(&b, &base, "Social media misuse", "Live video from a cell").await;
    choose(&b, "Facebook").await;
    fill(&b, "q-account", "facebook.com/someone.inside").await;
    choose(&b, "Live video").await;
    choose(&b, "A report from the public").await;
    b.find(Locator::Id("q-device_found"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    fill(&b, "q-find_reference", &find).await;
    b.find(Locator::Id("q-takedown-3"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    fill(&b, "q-takedown-no-comment", "The stream had ended").await;
    b.find(Locator::Id("q-police_referral-1"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    choose(&b, "Not known").await;
    shot(&b, "incidents-01-answers").await;
    click_button(&b, "Save").await;
    assert_eq!(heading(&b).await, "Live video from a cell");
    let main = text_of(&b, "main").await;
    assert!(main.contains(&find), "the find is linked: {main}");
    // An unknown prison number is refused, then the real one added.
    open_details(&b, "Add a prisoner").await;
    fill(&b, "prison-number", "Z9999ZZ").await;
    select(&b, "prisoner-role", "perpetrator").await;
    click_button(&b, "Add the prisoner").await;
    let summary = text_of(&b, ".govuk-error-summary").await;
    assert!(
        summary.contains("No prisoner with prison number Z9999ZZ"),
        "{summary}"
    );
    fill(&b, "prison-number", "A1234BC").await;
    select(&b, "prisoner-role", "perpetrator").await;
    click_button(&b, "Add the prisoner").await;
    assert!(text_of(&b, "main").await.contains("John Smith (A1234BC)"));
    click_button(&b, "Submit for review").await;
    shot(&b, "incidents-02-submitted").await;
    sign_out(&b).await;

    // The security team sends it back with a comment.
    sign_in(&b, &base, "security@hull.test", "staff password 1").await;
    assert_eq!(heading(&b).await, "Incident reports");
    click_link(&b, &reference).await;
    fill(
        &b,
        "send_back-comment",
        "Say whether a takedown was asked for later",
    )
    .await;
    click_button(&b, "Send back for correction").await;
    assert!(text_of(&b, "main").await.contains("Needs updating"));
    sign_out(&b).await;

    // The officer answers and resubmits.
    sign_in(&b, &base, "reporter@hull.test", "staff password 1").await;
    click_link(&b, &reference).await;
    assert!(
        text_of(&b, "main")
            .await
            .contains("Say whether a takedown was asked for later")
    );
    fill(
        &b,
        "resubmit-comment",
        "No takedown was asked for: the stream had ended",
    )
    .await;
    click_button(&b, "Resubmit").await;
    assert!(text_of(&b, "main").await.contains("Updated"));
    sign_out(&b).await;

    // The security team closes it; the history shows every step.
    sign_in(&b, &base, "security@hull.test", "staff password 1").await;
    click_link(&b, &reference).await;
    click_button(&b, "Close the report").await;
    assert!(text_of(&b, "main").await.contains("Closed"));
    assert_eq!(
        history_steps(&b).await,
        serde_json::json!([
            "draft",
            "awaiting_review",
            "needs_updating",
            "updated",
            "closed"
        ])
    );
    let history = text_of(&b, "main").await;
    assert!(history.contains("No takedown was asked for"));
    shot(&b, "incidents-03-closed").await;

    // Every opening of the report was audited.
    let views: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'incident.view'")
            .fetch_one(app.db().pool())
            .await
            .unwrap();
    assert!(views >= 4, "{views} views audited");

    // The statistics page draws and shows the protected tables.
    b.goto(&format!(
        "{base}/incidents/statistics?from=2025-01-01&to=2025-12-31"
    ))
    .await
    .unwrap();
    assert_eq!(heading(&b).await, "Incident statistics");
    let page = text_of(&b, "main").await;
    assert!(page.contains("[c]"), "one report is a small count");
    assert!(!page.contains("Live video from a cell"));
    shot(&b, "incidents-04-statistics").await;
    b.execute(
        "Array.from(document.querySelectorAll('h2')).find(h => h.textContent === 'By quarter').scrollIntoView()",
        vec![],
    )
    .await
    .unwrap();
    shot(&b, "incidents-05-by-quarter").await;
    b.close().await.unwrap();
    app.stop().await;
}

/// Fetches `path` in the page (with its cookies) and returns the bytes.
async fn bytes_in_page(b: &Client, path: &str) -> Vec<u8> {
    let out = b
        .execute(
            "return fetch(arguments[0]).then(r => r.arrayBuffer()).then(buf => { \
               let s = ''; const a = new Uint8Array(buf); \
               for (let i = 0; i < a.length; i++) s += String.fromCharCode(a[i]); \
               return btoa(s); });",
            vec![serde_json::json!(path)],
        )
        .await
        .unwrap();
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(out.as_str().unwrap())
        .unwrap()
}

/// Ticks the checkbox with `id` by its label (the Design System hides the
/// input itself behind a drawn box).
async fn tick(b: &Client, id: &str) {
    b.find(Locator::Css(&format!("label[for='{id}']")))
        .await
        .unwrap_or_else(|e| panic!("no checkbox {id}: {e}"))
        .click()
        .await
        .unwrap();
}

/// Opens FOI case `number` from the case list.
async fn open_case(b: &Client, base: &str, number: &str) {
    b.goto(&format!("{base}/foi?q={number}")).await.unwrap();
    click_link(b, number).await;
}

const SEED_REQUEST: &str = "I would be grateful if you could share with me the Data Protection Impact Assessment (DPIA) covering the recent implementation of the video visitation system within HM prisons.";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_foi_request_is_refused_under_section_31_cleared_sent_and_reviewed_in_chromium() {
    let app = TestApp::start(Backend::Sqlite).await;
    let base = app.base.clone();
    for (email, role) in [
        ("foi@moj.test", Role::FoiManager),
        ("responder@moj.test", Role::FoiResponder),
        ("disclosure@moj.test", Role::FoiDisclosure),
    ] {
        app.staff(email, role, &[]).await;
    }
    let driver = start_driver().await;
    let b = browser(&driver).await;
    let password = "staff password 1";

    // A member of the public asks, with no account.
    b.goto(&format!("{base}/foi/request")).await.unwrap();
    assert_eq!(heading(&b).await, "Ask for information");
    fill(&b, "name", "G Fawcett").await;
    choose(&b, "By email").await;
    fill(&b, "email", "request-674227@whatdotheyknow.com").await;
    select(&b, "requester_type", "whatdotheyknow").await;
    fill(&b, "subject", "Video calls in prisons: DPIA").await;
    shot(&b, "foi-01-request-form").await;
    // Sending with no request is refused, and what was typed is kept.
    click_button(&b, "Send request").await;
    assert!(
        text_of(&b, ".govuk-error-summary")
            .await
            .contains("Enter the information being asked for")
    );
    fill(&b, "request", SEED_REQUEST).await;
    click_button(&b, "Send request").await;
    assert_eq!(heading(&b).await, "Request received");
    let panel = text_of(&b, ".govuk-panel__body").await;
    let number = panel.split_whitespace().last().unwrap().to_owned();
    assert_eq!(number.len(), 9, "{panel}");
    shot(&b, "foi-02-received").await;
    let acknowledged: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox WHERE to_addr = 'request-674227@whatdotheyknow.com'",
    )
    .fetch_one(app.db().pool())
    .await
    .unwrap();
    assert_eq!(acknowledged, 1);

    // The FOI team puts the responder in a unit and assigns the case to it.
    sign_in(&b, &base, "foi@moj.test", password).await;
    assert_eq!(heading(&b).await, "FOI cases");
    b.goto(&format!("{base}/foi/units")).await.unwrap();
    fill(&b, "email-hmpps-digital", "responder@moj.test").await;
    click_button(&b, "Add to HMPPS Digital (prison visits and video calls)").await;
    assert!(text_of(&b, "main").await.contains("responder@moj.test"));
    open_case(&b, &base, &number).await;
    select(&b, "unit", "hmpps-digital").await;
    click_button(&b, "Assign to a business unit").await;
    assert!(text_of(&b, "main").await.contains("Awaiting a responder"));
    sign_out(&b).await;

    // The disclosure team flags it for their clearance.
    sign_in(&b, &base, "disclosure@moj.test", password).await;
    open_case(&b, &base, &number).await;
    click_button(&b, "Flag for disclosure team clearance").await;
    assert!(
        text_of(&b, "main")
            .await
            .contains("Flagged: the disclosure team clears")
    );
    sign_out(&b).await;

    // The responder accepts and drafts a refusal under s.31(1)(a) and (f)
    // with seed 000's public interest factors.
    sign_in(&b, &base, "responder@moj.test", password).await;
    open_case(&b, &base, &number).await;
    click_button(&b, "Accept the case").await;
    click_link(&b, "Draft the response").await;
    choose(&b, "Refused in full").await;
    fill(
        &b,
        "explanation",
        "We have searched the records of HMPPS Digital, which holds the assessment.",
    )
    .await;
    for code in ["s31_1_a", "s31_1_f"] {
        tick(&b, &format!("ex-{code}")).await;
        fill(&b, &format!("why-{code}"), if code == "s31_1_a" {
            "Disclosure would be likely to prejudice the prevention or detection of crime."
        } else {
            "Disclosure would be likely to prejudice the maintenance of security and good order in prisons."
        })
        .await;
        fill(&b, &format!("for-{code}"), "We recognise that disclosure in full would provide greater transparency and enable the public to be made aware of this technology and its use in prisons.\nThe public interest in maintaining public confidence in the high standards of security and good order of prisons is a key concern and one that is recognised by the MoJ.").await;
        fill(&b, &format!("against-{code}"), "The data requested would reveal the detailed security workings of a prison and be likely to be used to subvert the effectiveness of our current counter measures.\nA Data Protection Impact Assessment assesses potential risks and allows mitigations to be put in place. It is not designed to be put in the public domain.\nProviding information about how we have designed systems to enable prisoners and members of the public to communicate could be used to compromise these systems.").await;
        fill(&b, &format!("balance-{code}"), "On balance, I consider the public interest favours not disclosing the information at this time.").await;
    }
    fill(
        &b,
        "advice",
        "You may wish to refer to the privacy notice of the video calls service.",
    )
    .await;
    shot(&b, "foi-03-decision").await;
    click_button(&b, "Save the draft").await;
    let main = text_of(&b, "main").await;
    assert!(main.contains("ready to send or clear"), "{main}");
    assert!(
        main.contains("s.31(1)(a) (qualified)") && main.contains("s.31(1)(f) (qualified)"),
        "{main}"
    );
    // A document released with the answer, printed by Chromium (embedded
    // font subsets, as real PDFs have), has a name redacted from it.
    let dir = tempfile::tempdir().unwrap();
    let minutes = dir.path().join("dpia-board-minutes.pdf");
    let printed = datalab::report::pdf(
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>Minutes</title></head><body>\
         <h1>DPIA board minutes</h1><p>Present: John Smith (Head of Security), the data protection officer.</p>\
         <p>The board approved the assessment of video calls in prisons.</p></body></html>",
    )
    .unwrap();
    std::fs::write(&minutes, printed).unwrap();
    b.find(Locator::Id("file"))
        .await
        .unwrap()
        .send_keys(minutes.to_str().unwrap())
        .await
        .unwrap();
    fill(&b, "redact", "John Smith").await;
    click_button(&b, "Add attachment").await;
    let main = text_of(&b, "main").await;
    assert!(
        main.contains("dpia-board-minutes.pdf attached (1 redactions)"),
        "{main}"
    );
    let href = b
        .find(Locator::LinkText("dpia-board-minutes.pdf"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    let kept = bytes_in_page(&b, &href).await;
    let kept_text = redact::text(&kept).unwrap().join(" ");
    assert!(kept_text.contains("approved the assessment"), "{kept_text}");
    assert!(
        !kept_text.contains("John") && !kept_text.contains("Smith"),
        "{kept_text}"
    );
    // On the flagged route the responder cannot send it themselves.
    assert!(
        b.find(Locator::XPath(
            "//button[normalize-space()='Send the response']"
        ))
        .await
        .is_err()
    );
    click_button(&b, "Send for clearance").await;
    assert!(
        text_of(&b, "main")
            .await
            .contains("Pending clearance by the disclosure team")
    );
    sign_out(&b).await;

    // The disclosure team clears it.
    sign_in(&b, &base, "disclosure@moj.test", password).await;
    open_case(&b, &base, &number).await;
    shot(&b, "foi-04-clearance").await;
    click_button(&b, "Clear the response").await;
    assert!(text_of(&b, "main").await.contains("Ready to send"));
    sign_out(&b).await;

    // The responder sends it; the letter is the seed letter's shape.
    sign_in(&b, &base, "responder@moj.test", password).await;
    open_case(&b, &base, &number).await;
    click_button(&b, "Send the response").await;
    let main = text_of(&b, "main").await;
    assert!(
        main.contains("Response to") && main.contains("sent"),
        "{main}"
    );
    let case_url = b.current_url().await.unwrap().to_string();
    let id = case_url.rsplit('/').next().unwrap().to_owned();
    let pdf = bytes_in_page(&b, &format!("/foi/cases/{id}/letter.pdf")).await;
    assert!(pdf.starts_with(b"%PDF-"), "a PDF");
    let pdf_path = shots_dir().join("foi-letter.pdf");
    std::fs::write(&pdf_path, &pdf).unwrap();
    // Look at it: the first page as a picture, where pdftoppm is installed.
    let _ = Command::new("pdftoppm")
        .args(["-png", "-r", "60", "-f", "1", "-l", "2"])
        .arg(&pdf_path)
        .arg(shots_dir().join("foi-05-letter"))
        .status();
    let text = redact::text(&pdf).unwrap().join("\n");
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut from = 0;
    for part in [
        "Dear G Fawcett",
        &format!("Freedom of Information Act (FOIA) Request - {number}"),
        "Thank you for your request dated",
        "Data Protection Impact Assessment (DPIA)",
        "Your request has been handled under the FOIA.",
        "the information is exempt from disclosure under section 31(1)(a) and section 31(1)(f) of the FOIA",
        "Public interest considerations favouring disclosure",
        "Public interest considerations favouring withholding the information",
        "On balance, I consider the public interest favours not disclosing",
        "Appeal Rights",
        "within two months of the date of this response",
        "Information Commissioner",
        "Yours sincerely",
    ] {
        let at = flat[from..].find(part).unwrap_or_else(|| {
            panic!("the letter lacks {part:?} (or has it out of order):\n{flat}")
        });
        from += at;
    }
    sign_out(&b).await;

    // The requester asks for an internal review.
    b.goto(&format!("{base}/foi/review")).await.unwrap();
    fill(&b, "number", &number).await;
    fill(&b, "email", "someone-else@example.com").await;
    choose(
        &b,
        "The response itself (for example, information withheld)",
    )
    .await;
    fill(
        &b,
        "grounds",
        "The public interest favours disclosure of a DPIA.",
    )
    .await;
    click_button(&b, "Ask for a review").await;
    assert!(
        text_of(&b, ".govuk-error-summary")
            .await
            .contains("We could not find a response")
    );
    fill(&b, "email", "REQUEST-674227@whatdotheyknow.com").await;
    click_button(&b, "Ask for a review").await;
    assert_eq!(heading(&b).await, "Request received");
    let review = text_of(&b, ".govuk-panel__body")
        .await
        .split_whitespace()
        .last()
        .unwrap()
        .to_owned();

    // The review is assigned, drafted, cleared and sent: upheld.
    sign_in(&b, &base, "foi@moj.test", password).await;
    open_case(&b, &base, &review).await;
    assert!(
        text_of(&b, "main")
            .await
            .contains("Internal review (compliance)")
    );
    select(&b, "unit", "hmpps-digital").await;
    click_button(&b, "Assign to a business unit").await;
    sign_out(&b).await;
    sign_in(&b, &base, "responder@moj.test", password).await;
    open_case(&b, &base, &review).await;
    click_button(&b, "Accept the case").await;
    click_link(&b, "Draft the response").await;
    choose(&b, "Upheld").await;
    fill(&b, "explanation", "The reviewer agrees that section 31(1)(a) and (f) apply and that the public interest favours withholding the DPIA.").await;
    click_button(&b, "Save the draft").await;
    click_button(&b, "Send for clearance").await;
    sign_out(&b).await;
    sign_in(&b, &base, "disclosure@moj.test", password).await;
    open_case(&b, &base, &review).await;
    click_button(&b, "Clear the response").await;
    click_button(&b, "Send the response").await;
    let main = text_of(&b, "main").await;
    assert!(main.contains("Closed") && main.contains("Upheld"), "{main}");
    assert!(main.contains(&number), "the review links to its request");
    shot(&b, "foi-06-review-closed").await;
    let (status, letter) = fetch_in_page(
        &b,
        &format!(
            "/foi/cases/{}/letter",
            b.current_url()
                .await
                .unwrap()
                .path()
                .rsplit('/')
                .next()
                .unwrap()
        ),
    )
    .await;
    assert_eq!(status, 200);
    assert!(letter.contains("Outcome of the review: Upheld"));
    sign_out(&b).await;

    // Every step is on the request's timeline and in the audit log.
    let moves: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE subject = $1 AND action LIKE 'foi.%' ORDER BY at, id",
    )
    .bind(&id)
    .fetch_all(app.db().pool())
    .await
    .unwrap();
    for action in [
        "foi.create",
        "foi.assign",
        "foi.flag",
        "foi.accept",
        "foi.decision",
        "foi.submit",
        "foi.approve",
        "foi.send",
        "foi.review.open",
    ] {
        assert!(moves.iter().any(|m| m == action), "{action} in {moves:?}");
    }
    b.close().await.unwrap();
    app.stop().await;
}
