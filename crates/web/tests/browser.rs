//! End to end in headless Chromium (Debian's chromium and chromium-driver):
//! a visitor signs up and books through the real pages, staff accept, and
//! the visitor sees the booking and receives the email. Screenshots of the
//! main pages are written to target/screenshots/.

mod support;

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use support::{Backend, TestApp};
use web::accounts::Role;

struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
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
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1100,1400"]
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

    // Create an account and confirm it from the email.
    b.goto(&format!("{base}/register")).await.unwrap();
    fill(&b, "name", "Mary Smith").await;
    fill(&b, "email", "mary@example.com").await;
    fill(&b, "password", "correct horse battery").await;
    click_button(&b, "Create account").await;
    assert_eq!(heading(&b).await, "Check your email");
    let mail = app
        .smtp
        .wait_for("mary@example.com", "Confirm your email address")
        .await;
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
    let hasher = web::accounts::Hasher::new(64);
    web::accounts::create_staff(
        app.db(),
        &hasher,
        "officer@leeds.test",
        "Sam Officer",
        "staff password 1",
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
    b.find(Locator::Css("label[for='slot-1-input']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let chosen = b.find(Locator::Id("slot-1-input")).await.unwrap();
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
