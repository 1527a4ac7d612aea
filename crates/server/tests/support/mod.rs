//! Test support: the service on a fresh database (SQLite in a temporary
//! directory, or a fresh PostgreSQL schema), a loopback SMTP sink that
//! records every message, and a cookie-keeping HTTP client that fills in
//! each form's CSRF token.

#![allow(dead_code)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

pub const PG_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// One received email.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// A minimal SMTP server on loopback that accepts everything.
#[derive(Clone)]
pub struct SmtpSink {
    pub port: u16,
    pub mails: Arc<Mutex<Vec<Mail>>>,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        Self::start_on(0).await
    }

    /// A sink on a given port (0 for any free one).
    pub async fn start_on(port: u16) -> SmtpSink {
        let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mails: Arc<Mutex<Vec<Mail>>> = Arc::default();
        let store = mails.clone();
        tokio::spawn(async move {
            loop {
                let Ok((sock, _)) = listener.accept().await else {
                    return;
                };
                let store = store.clone();
                tokio::spawn(async move {
                    let _ = session(sock, store).await;
                });
            }
        });
        SmtpSink { port, mails }
    }

    pub fn all(&self) -> Vec<Mail> {
        self.mails.lock().unwrap().clone()
    }

    /// Waits (up to 10 s) for a message to `to` whose subject contains
    /// `subject`.
    pub async fn wait_for(&self, to: &str, subject: &str) -> Mail {
        for _ in 0..200 {
            if let Some(m) = self
                .all()
                .into_iter()
                .find(|m| m.to.eq_ignore_ascii_case(to) && m.subject.contains(subject))
            {
                return m;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no email to {to} about {subject:?}; got {:#?}", self.all());
    }
}

async fn session(sock: tokio::net::TcpStream, store: Arc<Mutex<Vec<Mail>>>) -> std::io::Result<()> {
    let (r, mut w) = sock.into_split();
    let mut r = BufReader::new(r);
    w.write_all(b"220 sink ESMTP\r\n").await?;
    let mut rcpt = String::new();
    let mut line = String::new();
    loop {
        line.clear();
        if r.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let cmd = line.trim_end().to_ascii_uppercase();
        if cmd.starts_with("EHLO") {
            w.write_all(b"250-sink\r\n250 8BITMIME\r\n").await?;
        } else if cmd.starts_with("HELO")
            || cmd.starts_with("MAIL FROM")
            || cmd.starts_with("RSET")
            || cmd.starts_with("NOOP")
        {
            w.write_all(b"250 OK\r\n").await?;
        } else if cmd.starts_with("RCPT TO") {
            rcpt = line.trim_end()[8..]
                .trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_owned();
            w.write_all(b"250 OK\r\n").await?;
        } else if cmd == "DATA" {
            w.write_all(b"354 go ahead\r\n").await?;
            let mut data = String::new();
            loop {
                line.clear();
                if r.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" {
                    break;
                }
                data.push_str(
                    line.strip_prefix('.')
                        .filter(|_| line.starts_with(".."))
                        .unwrap_or(&line),
                );
            }
            store.lock().unwrap().push(parse(&rcpt, &data));
            w.write_all(b"250 queued\r\n").await?;
        } else if cmd == "QUIT" {
            w.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            w.write_all(b"250 OK\r\n").await?;
        }
    }
}

fn parse(to: &str, data: &str) -> Mail {
    let (head, body) = data.split_once("\r\n\r\n").unwrap_or((data, ""));
    let header = |name: &str| {
        head.lines()
            .find(|l| {
                l.to_ascii_lowercase()
                    .starts_with(&format!("{}:", name.to_ascii_lowercase()))
            })
            .map(|l| l[name.len() + 1..].trim().to_owned())
            .unwrap_or_default()
    };
    let body = match header("Content-Transfer-Encoding")
        .to_ascii_lowercase()
        .as_str()
    {
        "quoted-printable" => quoted_printable(body),
        "base64" => {
            let clean: String = body.chars().filter(|c| !c.is_whitespace()).collect();
            String::from_utf8_lossy(&base64_decode(&clean)).into_owned()
        }
        _ => body.to_owned(),
    };
    Mail {
        to: to.to_owned(),
        subject: header("Subject"),
        body: body.replace("\r\n", "\n"),
    }
}

fn quoted_printable(s: &str) -> String {
    let s = s.replace("=\r\n", "");
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'='
            && i + 2 < b.len()
            && let Ok(v) =
                u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or(""), 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => (c - b'A') as u32,
            b'a'..=b'z' => (c - b'a' + 26) as u32,
            b'0'..=b'9' => (c - b'0' + 52) as u32,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        })
    };
    let mut out = Vec::new();
    for chunk in s.as_bytes().chunks(4) {
        let vals: Vec<u32> = chunk.iter().filter_map(|&c| val(c)).collect();
        let n = vals.iter().fold(0u32, |acc, v| (acc << 6) | v) << (6 * (4 - vals.len() as u32));
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..vals.len().saturating_sub(1)]);
    }
    out
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A running service on a fresh database, with its mail sink.
pub struct TestApp {
    pub running: Option<server::Running>,
    pub base: String,
    pub smtp: SmtpSink,
    pub backend: Backend,
    url: String,
    schema: Option<String>,
    _dir: tempfile::TempDir,
}

/// A fresh, empty database URL for `backend` (and the PostgreSQL schema
/// created for it, to drop afterwards).
pub async fn fresh_database(backend: Backend, dir: &std::path::Path) -> (String, Option<String>) {
    match backend {
        Backend::Sqlite => (
            format!("sqlite://{}?mode=rwc", dir.join("test.db").display()),
            None,
        ),
        Backend::Postgres => {
            use sqlx::Connection;
            let schema = format!(
                "t_{}_{}_{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::SeqCst),
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .subsec_nanos()
            );
            sqlx::any::install_default_drivers();
            let mut conn = sqlx::AnyConnection::connect(PG_ADMIN_URL).await.unwrap_or_else(|e| {
                panic!("PostgreSQL must answer at {PG_ADMIN_URL} for these tests (.ci/run starts one): {e}")
            });
            sqlx::query(&format!("CREATE SCHEMA {schema}"))
                .execute(&mut conn)
                .await
                .unwrap();
            conn.close().await.unwrap();
            (
                format!("{PG_ADMIN_URL}?options=-c%20search_path%3D{schema}"),
                Some(schema),
            )
        }
    }
}

pub async fn drop_schema(schema: &str) {
    use sqlx::Connection;
    if let Ok(mut conn) = sqlx::AnyConnection::connect(PG_ADMIN_URL).await {
        let _ = sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
            .execute(&mut conn)
            .await;
        let _ = conn.close().await;
    }
}

pub fn test_config(dir: &std::path::Path, database_url: String, smtp_port: u16) -> server::Config {
    let mut c = server::Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.to_path_buf(),
        database_url: Some(database_url),
        argon2_memory_kib: 64,
        ..Default::default()
    };
    c.smtp.port = smtp_port;
    c.smtp.poll_millis = 100;
    c.smtp.retry_base_seconds = 1;
    // Many services run at once in the tests: each media server takes a
    // free port.
    c.media.bind = "127.0.0.1:0".parse().unwrap();
    c.admin.email = "admin@hmpps.test".into();
    c.admin.password = Some("admin password 1".into());
    c
}

impl TestApp {
    pub async fn start(backend: Backend) -> TestApp {
        Self::start_with(backend, |_| {}).await
    }

    pub async fn start_with(backend: Backend, tweak: impl FnOnce(&mut server::Config)) -> TestApp {
        Self::launch(backend, tweak, None).await
    }

    /// The service with the Data Lab's analysis as configured, or
    /// `pipeline` when given.
    async fn launch(
        backend: Backend,
        tweak: impl FnOnce(&mut server::Config),
        pipeline: Option<std::sync::Arc<dyn server::datalab::pipeline::Pipeline>>,
    ) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let smtp = SmtpSink::start().await;
        let (url, schema) = fresh_database(backend, dir.path()).await;
        let mut config = test_config(dir.path(), url.clone(), smtp.port);
        tweak(&mut config);
        let running = match pipeline {
            Some(p) => server::App::start_with_pipeline(config, p).await,
            None => server::App::start(config).await,
        }
        .expect("service starts");
        let base = format!("http://{}", running.addr());
        TestApp {
            running: Some(running),
            base,
            smtp,
            backend,
            url,
            schema,
            _dir: dir,
        }
    }

    /// The database URL, for a second instance on the same database.
    pub fn db_url(&self) -> String {
        self.url.clone()
    }

    pub fn db(&self) -> &server::Db {
        self.running.as_ref().unwrap().db()
    }

    pub fn client(&self) -> Client {
        Client::new(&self.base)
    }

    /// Creates a staff account.
    pub async fn staff(
        &self,
        email: &str,
        role: server::accounts::Role,
        establishments: &[&str],
    ) -> Client {
        let hasher = server::accounts::Hasher::new(64);
        server::accounts::create_staff(
            self.db(),
            &hasher,
            &server::accounts::NewAccount {
                email,
                name: "Sam Officer",
                password: "staff password 1",
                by: "system",
            },
            role,
            establishments,
        )
        .await
        .unwrap();
        let c = self.client();
        let page = c.sign_in(email, "staff password 1").await;
        use server::accounts::Role;
        let home = match role {
            Role::CallsOfficer | Role::CallsAdmin => "/calls/staff",
            Role::IdentityVerifier => "/calls/verification",
            Role::IncidentReporter | Role::SecurityTeam | Role::NationalSecurity => "/incidents",
            Role::FoiManager
            | Role::FoiResponder
            | Role::FoiDisclosure
            | Role::FoiPress
            | Role::FoiPrivateOffice => "/foi",
            _ => "/staff",
        };
        assert!(
            page.url.contains(home),
            "staff sign-in lands on {home}, got {}",
            page.url
        );
        c
    }

    /// Signs in the first national administrator.
    pub async fn admin(&self) -> Client {
        let c = self.client();
        let page = c.sign_in("admin@hmpps.test", "admin password 1").await;
        assert!(
            page.url.ends_with("/staff"),
            "the administrator lands on /staff, got {}",
            page.url
        );
        c
    }

    /// Registers, confirms (through the emailed link) and signs in a
    /// visitor.
    pub async fn visitor(&self, email: &str, name: &str) -> Client {
        let c = self.client();
        let page = c
            .post_form(
                "/register",
                &[
                    ("name", name),
                    ("email", email),
                    ("password", "correct horse battery"),
                ],
            )
            .await;
        assert!(page.body.contains("Check your email"), "{}", page.body);
        let mail = self
            .smtp
            .wait_for(email, "Confirm your email address")
            .await;
        let link = mail
            .body
            .lines()
            .find(|l| l.contains("/verify?token="))
            .expect("link in email")
            .trim()
            .to_owned();
        let path = &link[link.find("/verify").unwrap()..];
        c.get(path).await;
        let token = &path[path.find("token=").unwrap() + 6..];
        let page = c
            .post_form(
                "/verify",
                &[("token", token), ("password", "correct horse battery")],
            )
            .await;
        assert!(
            page.body.contains("Your email address is confirmed"),
            "{}",
            page.body
        );
        let page = c.sign_in(email, "correct horse battery").await;
        assert!(
            page.url.ends_with("/visits"),
            "visitor lands on /visits, got {}",
            page.url
        );
        c
    }

    pub async fn stop(mut self) {
        if let Some(r) = self.running.take() {
            r.shutdown().await;
        }
        if let Some(s) = self.schema.take() {
            drop_schema(&s).await;
        }
    }
}

/// A page as the client received it.
#[derive(Debug)]
pub struct Page {
    pub status: u16,
    pub url: String,
    pub body: String,
}

impl Page {
    /// Text of the error summary, if the page has one.
    pub fn error_summary(&self) -> Option<&str> {
        let i = self.body.find("govuk-error-summary__list")?;
        let rest = &self.body[i..];
        Some(&rest[..rest.find("</ul>").unwrap_or(rest.len())])
    }

    /// The value of an input, as rendered.
    pub fn value_of(&self, name: &str) -> Option<String> {
        let needle = format!("name=\"{name}\"");
        let i = self.body.find(&needle)?;
        let start = self.body[..i].rfind('<')?;
        let end = i + self.body[i..].find('>')?;
        let tag = &self.body[start..end];
        let v = tag.find("value=\"")?;
        let rest = &tag[v + 7..];
        Some(rest[..rest.find('"')?].to_owned())
    }
}

/// A browser-like HTTP client: keeps cookies, follows redirects, and adds
/// the CSRF token of the last page it saw to every form it posts.
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    csrf: Mutex<String>,
}

impl Client {
    pub fn new(base: &str) -> Client {
        Client {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .build()
                .unwrap(),
            base: base.to_owned(),
            csrf: Mutex::new(String::new()),
        }
    }

    fn remember(&self, body: &str) {
        if let Some(i) = body.find("name=\"csrf\" value=\"") {
            let rest = &body[i + 19..];
            *self.csrf.lock().unwrap() = rest[..rest.find('"').unwrap()].to_owned();
        }
    }

    pub fn csrf(&self) -> String {
        self.csrf.lock().unwrap().clone()
    }

    /// The page a response brings, remembering its CSRF token.
    async fn page(&self, r: reqwest::Response) -> Page {
        let page = Page {
            status: r.status().as_u16(),
            url: r.url().to_string(),
            body: r.text().await.unwrap(),
        };
        self.remember(&page.body);
        page
    }

    pub async fn get(&self, path: &str) -> Page {
        let r = self
            .http
            .get(format!("{}{}", self.base, path))
            .send()
            .await
            .unwrap();
        self.page(r).await
    }

    /// Signs in with the sign-in form; the page it lands on.
    pub async fn sign_in(&self, email: &str, password: &str) -> Page {
        self.post_form("/sign-in", &[("email", email), ("password", password)])
            .await
    }

    /// Posts a form, first fetching a page to learn the CSRF token if none
    /// is known yet.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        if self.csrf().is_empty() {
            self.get("/sign-in").await;
        }
        let mut all: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        all.push(("csrf".into(), self.csrf()));
        self.post_raw(path, &all).await
    }

    pub async fn post_raw(&self, path: &str, fields: &[(String, String)]) -> Page {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect::<Vec<_>>()
            .join("&");
        let r = self
            .http
            .post(format!("{}{}", self.base, path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        self.page(r).await
    }
}

pub fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The establishment the tests book at, and a session date that is always
/// bookable: the first date in the window with a session.
pub async fn first_bookable(
    db: &server::Db,
    est: &str,
) -> Vec<server::visits::establishments::SessionSlot> {
    let e = server::visits::establishments::get(db, est).await.unwrap();
    server::visits::establishments::available_sessions(db, &e, chrono::Utc::now().date_naive())
        .await
        .unwrap()
}

/// Fills in the prisoner, visitors, sessions and support pages.
pub async fn fill_booking(c: &Client, est: &str, session_ids: &[&str]) -> Page {
    c.get("/book").await;
    let p = c
        .post_form(
            "/book/prisoner",
            &[
                ("establishment", est),
                ("prisoner-name", "John Smith"),
                ("prisoner-dob-day", "12"),
                ("prisoner-dob-month", "5"),
                ("prisoner-dob-year", "1990"),
                ("prisoner-number", "A1234BC"),
            ],
        )
        .await;
    assert!(
        p.url.ends_with("/book/visitors"),
        "{}: {:?}",
        p.url,
        p.error_summary()
    );
    let p = c
        .post_form(
            "/book/visitors",
            &[
                ("lead-name", "Mary Smith"),
                ("lead-dob-day", "3"),
                ("lead-dob-month", "4"),
                ("lead-dob-year", "1965"),
                ("lead-email", "mary@example.com"),
                ("lead-phone", "07700 900 982"),
                ("visitor-1-name", "Tom Smith"),
                ("visitor-1-dob-day", "1"),
                ("visitor-1-dob-month", "9"),
                ("visitor-1-dob-year", "2016"),
            ],
        )
        .await;
    assert!(
        p.url.ends_with("/book/sessions"),
        "{}: {:?}",
        p.url,
        p.error_summary()
    );
    let mut fields = Vec::new();
    let names = ["session-1", "session-2", "session-3"];
    for (i, s) in session_ids.iter().enumerate() {
        fields.push((names[i], *s));
    }
    let p = c.post_form("/book/sessions", &fields).await;
    assert!(
        p.url.ends_with("/book/support"),
        "{}: {:?}",
        p.url,
        p.error_summary()
    );
    let p = c
        .post_form(
            "/book/support",
            &[("support-needs", "Wheelchair access, please")],
        )
        .await;
    assert!(
        p.url.ends_with("/book/check"),
        "{}: {:?}",
        p.url,
        p.error_summary()
    );
    p
}

// ---------------------------------------------------------------------
// The Justice Data Lab
// ---------------------------------------------------------------------

/// A cohort in the lab's template: `n` distinct people with ISO dates
/// inside the period the lab can measure.
pub fn cohort_csv(n: usize) -> String {
    const FORENAMES: [&str; 12] = [
        "Aaliyah", "Benedict", "Ciaran", "Delphine", "Eamon", "Fenella", "Gideon", "Hermione",
        "Ignatius", "Jocasta", "Kieran", "Leontyne",
    ];
    const SURNAMES: [&str; 10] = [
        "Abernathy",
        "Blackwood",
        "Cartwright",
        "Dunmore",
        "Etherington",
        "Fairweather",
        "Greenhalgh",
        "Hollingsworth",
        "Inglethorpe",
        "Jessop",
    ];
    let mut out = String::from(
        "forename,surname,date_of_birth,gender,postcode,intervention_start,sentence_start,sentence_end,pnc_id,prison_number\n",
    );
    for i in 0..n {
        let forename = FORENAMES[i % FORENAMES.len()];
        let surname = SURNAMES[(i / FORENAMES.len()) % SURNAMES.len()];
        let dob = format!("19{:02}-{:02}-{:02}", 70 + i % 25, 1 + i % 12, 1 + i % 28);
        let start = format!(
            "201{}-{:02}-{:02}",
            i % 6,
            1 + (i * 7) % 12,
            1 + (i * 3) % 28
        );
        let gender = if i % 3 == 0 { "F" } else { "M" };
        out.push_str(&format!(
            "{forename},{surname},{dob},{gender},,{start},,,,\n"
        ));
    }
    out
}

/// A pipeline that stands in for the lab's analysis: a report of counts
/// only, and a pseudonymous key per person.
pub struct FakePipeline;

impl server::datalab::pipeline::Pipeline for FakePipeline {
    fn run(
        &self,
        job: server::datalab::pipeline::Job,
    ) -> Result<server::datalab::pipeline::Produced, server::datalab::pipeline::Failure> {
        let n = job.rows.len();
        Ok(server::datalab::pipeline::Produced {
            html: format!(
                "<!doctype html><html><body><h1>Justice Data Lab report {}</h1><p>Cohort: {n} people. One-year proven reoffending: 31 per 100 against 38 per 100.</p></body></html>",
                job.reference
            ),
            pdf: Some(b"%PDF-1.4\n% aggregate report\n".to_vec()),
            json: format!("{{\"cohort\":{n},\"rate\":31,\"comparison\":38}}"),
            summary: format!("{n} submitted, {n} matched; 4 of 4 measures released"),
            people: job
                .rows
                .iter()
                .map(|r| {
                    datalab::disclosure::PersonKey::from(format!(
                        "p-{}-{}-{}",
                        r.forename.len(),
                        r.surname.len(),
                        r.date_of_birth
                    ))
                })
                .collect(),
        })
    }
}

/// A pipeline that always stops at linkage.
pub struct FailingPipeline;

impl server::datalab::pipeline::Pipeline for FailingPipeline {
    fn run(
        &self,
        _job: server::datalab::pipeline::Job,
    ) -> Result<server::datalab::pipeline::Produced, server::datalab::pipeline::Failure> {
        Err(server::datalab::pipeline::Failure {
            stage: "linkage".into(),
            reason: "only 12 of 80 rows matched the national records (request 0042 overlaps)"
                .into(),
        })
    }
}

impl TestApp {
    /// The service with `pipeline` as the Data Lab's analysis.
    pub async fn start_lab(
        backend: Backend,
        pipeline: std::sync::Arc<dyn server::datalab::pipeline::Pipeline>,
        tweak: impl FnOnce(&mut server::Config),
    ) -> TestApp {
        Self::launch(backend, tweak, Some(pipeline)).await
    }

    pub fn running(&self) -> &server::Running {
        self.running.as_ref().unwrap()
    }

    /// Creates a Data Lab account whose password is
    /// [`LAB_PASSWORD`].
    pub async fn add_lab_account(
        &self,
        email: &str,
        role: server::accounts::Role,
        organisation: Option<&str>,
    ) {
        let hasher = server::accounts::Hasher::new(64);
        server::accounts::create_datalab(
            self.db(),
            &hasher,
            &server::accounts::NewAccount {
                email,
                name: "Robin Lab",
                password: LAB_PASSWORD,
                by: "system",
            },
            role,
            organisation,
        )
        .await
        .unwrap();
    }

    /// Creates and signs in a Data Lab account.
    pub async fn lab_user(
        &self,
        email: &str,
        role: server::accounts::Role,
        organisation: Option<&str>,
    ) -> Client {
        self.add_lab_account(email, role, organisation).await;
        let c = self.client();
        let page = c.sign_in(email, LAB_PASSWORD).await;
        assert!(
            page.url.ends_with("/datalab"),
            "Data Lab sign-in lands on /datalab, got {}",
            page.url
        );
        c
    }
}

impl Client {
    /// Posts a multipart form (the CSRF token first, as the page does),
    /// with `file` as the `cohort` upload when given.
    pub async fn post_multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, Vec<u8>)>,
    ) -> Page {
        let mut form = reqwest::multipart::Form::new().text("csrf", self.csrf());
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        if let Some((name, bytes)) = file {
            form = form.part(
                "cohort",
                reqwest::multipart::Part::bytes(bytes)
                    .file_name(name.to_owned())
                    .mime_str("text/csv")
                    .unwrap(),
            );
        }
        let r = self
            .http
            .post(format!("{}{}", self.base, path))
            .multipart(form)
            .send()
            .await
            .unwrap();
        self.page(r).await
    }

    /// Fetches raw bytes with the status.
    pub async fn get_bytes(&self, path: &str) -> (u16, Vec<u8>) {
        let r = self
            .http
            .get(format!("{}{}", self.base, path))
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.bytes().await.unwrap().to_vec())
    }
}

/// The password of the Data Lab accounts tests make.
pub const LAB_PASSWORD: &str = "datalab password 1";

/// The request metadata fields of the new-request form, all given.
pub const LAB_FIELDS: [(&str, &str); 5] = [
    ("intervention", "Through-the-gate mentoring for adult men"),
    ("collection", "Case management system export"),
    ("excluded", "4"),
    ("date-order", "dmy"),
    ("confirm-data-protection", "yes"),
];

/// Uploads a cohort as a provider and returns the new request's key.
pub async fn submit_cohort(c: &Client, rows: usize) -> String {
    let mut fields = LAB_FIELDS.to_vec();
    fields.push(("confirm-gateway", "yes"));
    submit_cohort_file(c, &fields, cohort_csv(rows).into_bytes()).await
}

/// Uploads `csv` with the request's `fields` as a provider, and returns the
/// new request's key.
pub async fn submit_cohort_file(c: &Client, fields: &[(&str, &str)], csv: Vec<u8>) -> String {
    c.get("/datalab/new").await;
    let page = c
        .post_multipart("/datalab/new", fields, Some(("cohort.csv", csv)))
        .await;
    assert!(
        page.url.contains("/datalab/requests/"),
        "accepted upload goes to the request: {} {:?}",
        page.url,
        page.error_summary()
    );
    page.url.rsplit('/').next().unwrap().to_owned()
}

/// Runs a submitted request as an analyst (giving `why`) and waits up to
/// `secs` seconds for the run to finish.
pub async fn run_request(
    analyst: &Client,
    db: &server::Db,
    id: &str,
    why: &str,
    secs: u64,
) -> server::datalab::DataRequest {
    analyst.get(&format!("/datalab/requests/{id}")).await;
    analyst
        .post_form(&format!("/datalab/requests/{id}/run"), &[("reason", why)])
        .await;
    wait_for_run_within(db, id, secs).await
}

/// Issues a request's report as an analyst; the page it lands on.
pub async fn issue_request(analyst: &Client, id: &str) -> Page {
    analyst.get(&format!("/datalab/requests/{id}")).await;
    analyst
        .post_form(&format!("/datalab/requests/{id}/issue"), &[])
        .await
}

/// Waits up to `secs` seconds for a request to leave `processing`.
pub async fn wait_for_run_within(
    db: &server::Db,
    id: &str,
    secs: u64,
) -> server::datalab::DataRequest {
    for _ in 0..secs * 20 {
        let r = server::datalab::get(db, id).await.unwrap();
        if r.status != server::datalab::Status::Processing {
            return r;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the run did not finish");
}

/// One session every day at `establishment` with `places` open places, and
/// the first such session that can be booked.
pub async fn daily_session(
    db: &server::Db,
    establishment: &str,
    places: i64,
) -> server::visits::establishments::SessionSlot {
    use server::visits::establishments::{self, Template};
    establishments::set_templates(
        db,
        establishment,
        &(1..=7)
            .map(|weekday| Template {
                id: String::new(),
                weekday,
                start: "14:00".into(),
                end: "16:00".into(),
                open_capacity: places,
                closed_capacity: 0,
            })
            .collect::<Vec<_>>(),
    )
    .await
    .unwrap();
    let est = establishments::get(db, establishment).await.unwrap();
    establishments::available_sessions(db, &est, chrono::Utc::now().date_naive())
        .await
        .unwrap()[0]
        .clone()
}
