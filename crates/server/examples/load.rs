//! Load generator for the web service: families booking visits through the
//! real pages, then staff accepting them, over loopback HTTP.
//!
//! ```sh
//! cargo run --release -p web --example load -- sqlite [users] [bookings-per-user]
//! cargo run --release -p web --example load -- postgres://postgres@127.0.0.1:5432/test
//! ```
//!
//! The service runs in this process on its own runtime (2 worker threads,
//! like the 2-core machine it is measured on); the clients run on another
//! runtime (1 thread) and share the same cores, as any load generator on the
//! same machine would. Each booking is six requests: four page POSTs
//! (prisoner, visitors, sessions, support), the check-your-answers GET and
//! the final POST; redirects are not followed, so every figure is one HTTP
//! request. Acceptance is one POST per request by staff.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::sync::Mutex;

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn report(name: &str, mut lat: Vec<Duration>, elapsed: Duration, errors: usize) {
    lat.sort();
    println!(
        "{name:<28} {:>7} requests in {:>6.2}s = {:>7.0} req/s  p50 {:>6.2} ms  p90 {:>6.2} ms  p99 {:>6.2} ms  max {:>7.2} ms  errors {errors}",
        lat.len(),
        elapsed.as_secs_f64(),
        lat.len() as f64 / elapsed.as_secs_f64(),
        percentile(&lat, 0.5),
        percentile(&lat, 0.9),
        percentile(&lat, 0.99),
        percentile(&lat, 1.0),
    );
}

/// An SMTP listener that accepts and discards, so the outbox drains.
async fn smtp_sink() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut r = BufReader::new(r);
                let _ = w.write_all(b"220 sink\r\n").await;
                let mut line = String::new();
                let mut in_data = false;
                loop {
                    line.clear();
                    if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let reply: &[u8] = if in_data {
                        if line != ".\r\n" {
                            continue;
                        }
                        in_data = false;
                        b"250 ok\r\n"
                    } else if line.to_ascii_uppercase().starts_with("DATA") {
                        in_data = true;
                        b"354 go\r\n"
                    } else if line.to_ascii_uppercase().starts_with("QUIT") {
                        let _ = w.write_all(b"221 bye\r\n").await;
                        return;
                    } else {
                        b"250 ok\r\n"
                    };
                    if w.write_all(reply).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    port
}

fn csrf_of(body: &str) -> String {
    let i = body.find("name=\"csrf\" value=\"").expect("csrf on page");
    let rest = &body[i + 19..];
    rest[..rest.find('"').unwrap()].to_owned()
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn form(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

struct User {
    http: reqwest::Client,
    csrf: String,
}

async fn post(u: &User, base: &str, path: &str, fields: &[(&str, &str)]) -> (Duration, bool) {
    let mut all = fields.to_vec();
    all.push(("csrf", &u.csrf));
    let t = Instant::now();
    let r = u
        .http
        .post(format!("{base}{path}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&all))
        .send()
        .await;
    let ok = matches!(&r, Ok(r) if r.status() == 303);
    if let Ok(r) = r {
        let _ = r.bytes().await;
    }
    (t.elapsed(), ok)
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(1)
        .build()
        .unwrap()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let target = args.first().cloned().unwrap_or_else(|| "sqlite".into());
    let users: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(32);
    let per_user: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(60);

    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();

    let (running, schema) = server_rt.block_on(async {
        let smtp = smtp_sink().await;
        let (url, schema) = if target == "sqlite" {
            (
                format!("sqlite://{}?mode=rwc", dir.path().join("load.db").display()),
                None,
            )
        } else {
            use sqlx::Connection;
            sqlx::any::install_default_drivers();
            let schema = format!("load_{}", std::process::id());
            let mut c = sqlx::AnyConnection::connect(&target)
                .await
                .expect("PostgreSQL reachable");
            sqlx::query(&format!("CREATE SCHEMA {schema}"))
                .execute(&mut c)
                .await
                .unwrap();
            (
                format!("{target}?options=-c%20search_path%3D{schema}"),
                Some(schema),
            )
        };
        let mut config = server::Config {
            listen: "127.0.0.1:0".parse().unwrap(),
            data_dir: dir.path().to_path_buf(),
            database_url: Some(url),
            argon2_memory_kib: 64,
            db_max_connections: 16,
            ..Default::default()
        };
        config.smtp.port = smtp;
        config.smtp.poll_millis = 200;
        config.admin.password = Some("admin password 1".into());
        let running = server::App::start(config).await.expect("service starts");
        let db = running.db().clone();
        // Enough places that every request can be accepted: the benchmark
        // measures throughput; the contention test measures the limit.
        server::visits::establishments::set_templates(
            &db,
            "leeds",
            &(1..=7)
                .map(|weekday| server::visits::establishments::Template {
                    id: String::new(),
                    weekday,
                    start: "14:00".into(),
                    end: "16:00".into(),
                    open_capacity: 1_000_000,
                    closed_capacity: 0,
                })
                .collect::<Vec<_>>(),
        )
        .await
        .unwrap();
        let hasher = server::accounts::Hasher::new(64);
        for i in 0..users {
            let (_, token) = server::accounts::register_visitor(
                &db,
                &hasher,
                &format!("user{i}@example.com"),
                "Mary Smith",
                "correct horse battery",
            )
            .await
            .unwrap();
            server::accounts::verify_email(&db, &hasher, &token, "correct horse battery")
                .await
                .unwrap();
        }
        server::accounts::create_staff(
            &db,
            &hasher,
            &server::accounts::NewAccount {
                email: "officer@leeds.test",
                name: "Sam Officer",
                password: "staff password 1",
                by: "system",
            },
            server::accounts::Role::BookingStaff,
            &["leeds"],
        )
        .await
        .unwrap();
        (running, schema)
    });
    let base = format!("http://{}", running.addr());
    let db = running.db().clone();
    println!(
        "backend: {target}; {users} concurrent users x {per_user} bookings; server on 2 worker threads"
    );

    client_rt.block_on(async {
        let est = server::visits::establishments::get(&db, "leeds")
            .await
            .unwrap();
        let sessions = server::visits::establishments::available_sessions(
            &db,
            &est,
            chrono::Utc::now().date_naive(),
        )
        .await
        .unwrap();
        let (s1, s2) = (sessions[0].id.clone(), sessions[1].id.clone());
        let mut clients = Vec::new();
        for i in 0..users {
            let http = client();
            let signin = http
                .get(format!("{base}/sign-in"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let body = form(&[
                ("email", &format!("user{i}@example.com")),
                ("password", "correct horse battery"),
                ("csrf", &csrf_of(&signin)),
            ]);
            let r = http
                .post(format!("{base}/sign-in"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 303, "sign-in");
            let page = http
                .get(format!("{base}/visits"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            clients.push(User {
                http,
                csrf: csrf_of(&page),
            });
        }

        // Phase 1: booking.
        let all = Arc::new(Mutex::new(Vec::new()));
        let finals = Arc::new(Mutex::new(Vec::new()));
        let errors = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let start = Instant::now();
        let mut tasks = Vec::new();
        for u in clients {
            let (base, all, finals, errors, s1, s2) = (
                base.clone(),
                all.clone(),
                finals.clone(),
                errors.clone(),
                s1.clone(),
                s2.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let mut mine = Vec::with_capacity(per_user * 6);
                let mut my_finals = Vec::with_capacity(per_user);
                for _ in 0..per_user {
                    let steps: [(&str, Vec<(&str, &str)>); 4] = [
                        (
                            "/book/prisoner",
                            vec![
                                ("establishment", "leeds"),
                                ("prisoner-name", "John Smith"),
                                ("prisoner-dob-day", "12"),
                                ("prisoner-dob-month", "5"),
                                ("prisoner-dob-year", "1990"),
                                ("prisoner-number", "A1234BC"),
                            ],
                        ),
                        (
                            "/book/visitors",
                            vec![
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
                        ),
                        (
                            "/book/sessions",
                            vec![("session-1", s1.as_str()), ("session-2", s2.as_str())],
                        ),
                        ("/book/support", vec![("support-needs", "Step-free access")]),
                    ];
                    for (path, fields) in &steps {
                        let (d, ok) = post(&u, &base, path, fields).await;
                        mine.push(d);
                        if !ok {
                            errors.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                    }
                    let t = Instant::now();
                    let check = u
                        .http
                        .get(format!("{base}/book/check"))
                        .send()
                        .await
                        .unwrap()
                        .text()
                        .await
                        .unwrap();
                    mine.push(t.elapsed());
                    let key = check
                        .find("name=\"idempotency\" value=\"")
                        .map(|i| check[i + 26..].split('"').next().unwrap().to_owned())
                        .unwrap_or_default();
                    let (d, ok) = post(&u, &base, "/book/check", &[("idempotency", &key)]).await;
                    mine.push(d);
                    my_finals.push(d);
                    if !ok {
                        errors.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                }
                all.lock().await.extend(mine);
                finals.lock().await.extend(my_finals);
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let elapsed = start.elapsed();
        let booked = std::mem::take(&mut *all.lock().await);
        let fin = std::mem::take(&mut *finals.lock().await);
        let errs = errors.load(std::sync::atomic::Ordering::Relaxed);
        report("booking (all 6 requests)", booked, elapsed, errs);
        report("  of which final submits", fin, elapsed, 0);

        // Phase 2: staff acceptance.
        let ids: Vec<(String, String)> =
            sqlx::query_as("SELECT id, pref1 FROM visits WHERE status = 'requested'")
                .fetch_all(db.pool())
                .await
                .unwrap();
        let staff = client();
        let signin = staff
            .get(format!("{base}/sign-in"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let body = form(&[
            ("email", "officer@leeds.test"),
            ("password", "staff password 1"),
            ("csrf", &csrf_of(&signin)),
        ]);
        staff
            .post(format!("{base}/sign-in"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        let page = staff
            .get(format!("{base}/staff"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let staff = Arc::new(User {
            http: staff,
            csrf: csrf_of(&page),
        });
        let queue = Arc::new(Mutex::new(ids));
        let lat = Arc::new(Mutex::new(Vec::new()));
        let errors = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let start = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..users {
            let (base, queue, lat, errors, staff) = (
                base.clone(),
                queue.clone(),
                lat.clone(),
                errors.clone(),
                staff.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let Some((id, slot)) = queue.lock().await.pop() else {
                        break;
                    };
                    let (d, ok) = post(
                        &staff,
                        &base,
                        &format!("/staff/visits/{id}/accept"),
                        &[("slot", &slot), ("kind", "open")],
                    )
                    .await;
                    mine.push(d);
                    if !ok {
                        errors.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                }
                lat.lock().await.extend(mine);
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let elapsed = start.elapsed();
        report(
            "staff acceptance",
            std::mem::take(&mut *lat.lock().await),
            elapsed,
            errors.load(std::sync::atomic::Ordering::Relaxed),
        );
        let booked: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM visits WHERE status = 'booked'")
            .fetch_one(db.pool())
            .await
            .unwrap();
        println!("visits booked: {booked}");
    });
    server_rt.block_on(async {
        running.shutdown().await;
        if let Some(schema) = schema {
            use sqlx::Connection;
            let mut c = sqlx::AnyConnection::connect(&target).await.unwrap();
            sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
                .execute(&mut c)
                .await
                .unwrap();
        }
    });
    std::thread::sleep(Duration::from_millis(10));
}
