//! Secure video calls, end to end over HTTP, on SQLite and PostgreSQL: a
//! family member sets up a caller profile and proves who they are, a
//! verifier checks the documents, the prison approves them for a prisoner,
//! an administrator sets the portal's times, the family books within the
//! allowance and is refused past it and at a prison whose portal is not
//! live; and bookings racing for the last place or the last minutes.

mod support;

use server::accounts::Role;
use support::{Backend, Client, Page, TestApp};

fn faces(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/testdata/faces")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A plain grey photo-sized PNG: no face in it.
fn no_face_png() -> Vec<u8> {
    let img = image::RgbImage::from_fn(480, 480, |x, y| {
        image::Rgb([(100 + (x % 7)) as u8, (110 + (y % 5)) as u8, 120])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

async fn upload(c: &Client, id: Vec<u8>, selfie: Vec<u8>, anyway: bool) -> Page {
    c.get("/calls/identity").await;
    let mut form = reqwest::multipart::Form::new().text("csrf", c.csrf());
    if anyway {
        form = form.text("send-anyway", "yes");
    }
    for (name, bytes) in [("id-photo", id), ("selfie", selfie)] {
        form = form.part(
            name,
            reqwest::multipart::Part::bytes(bytes)
                .file_name(format!("{name}.jpg"))
                .mime_str("image/jpeg")
                .unwrap(),
        );
    }
    let r = c
        .http
        .post(format!("{}/calls/identity", c.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    Page {
        status: r.status().as_u16(),
        url: r.url().to_string(),
        body: r.text().await.unwrap(),
    }
}

async fn scalar_i64(app: &TestApp, sql: &str, bind: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .bind(bind)
        .fetch_one(app.db().pool())
        .await
        .unwrap()
}

async fn scalar_text(app: &TestApp, sql: &str, bind: &str) -> String {
    sqlx::query_scalar::<_, String>(sql)
        .bind(bind)
        .fetch_one(app.db().pool())
        .await
        .unwrap()
}

/// The values of a page's radios named `name`, in order.
fn radio_values(body: &str, name: &str) -> Vec<String> {
    let needle = format!("name=\"{name}\" type=\"radio\" value=\"");
    body.match_indices(&needle)
        .map(|(i, _)| {
            let rest = &body[i + needle.len()..];
            rest[..rest.find('"').unwrap()].to_owned()
        })
        .collect()
}

fn hidden(body: &str, name: &str) -> String {
    let needle = format!("type=\"hidden\" name=\"{name}\" value=\"");
    let i = body
        .find(&needle)
        .unwrap_or_else(|| panic!("no {name} in page"));
    let rest = &body[i + needle.len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

/// Signs up a caller and gets them verified; returns their client.
async fn verified_caller(app: &TestApp, verifier: &Client, email: &str, name: &str) -> Client {
    let fam = app.visitor(email, name).await;
    fam.get("/calls/profile").await;
    let p = fam
        .post_form(
            "/calls/profile",
            &[
                ("name", name),
                ("dob-day", "4"),
                ("dob-month", "8"),
                ("dob-year", "1961"),
                ("address", "1 High Street\nHull HU1 1AA"),
                ("phone", "07700 900123"),
            ],
        )
        .await;
    assert!(p.url.ends_with("/calls/identity"), "{}", p.url);
    let p = upload(&fam, faces("obama.jpg"), faces("obama2.jpg"), false).await;
    assert!(p.url.ends_with("/calls"), "{}\n{}", p.url, p.body);
    let id = scalar_text(
        app,
        "SELECT c.id FROM callers c JOIN accounts a ON a.id = c.account_id WHERE a.email = $1",
        email,
    )
    .await;
    verifier.get(&format!("/calls/verification/{id}")).await;
    let p = verifier
        .post_form(
            &format!("/calls/verification/{id}"),
            &[("decision", "verify")],
        )
        .await;
    assert!(p.url.ends_with("/calls/verification"), "{}", p.body);
    fam
}

async fn flow(backend: Backend) {
    let app = TestApp::start(backend).await;
    let verifier = app
        .staff("verifier@hmpps.test", Role::IdentityVerifier, &[])
        .await;

    // The privacy notice says what the calls system keeps, and for how long.
    let notice = app.client().get("/privacy").await;
    assert!(
        notice.body.contains("Video calls")
            && notice.body.contains("deleted 30 days after the check"),
        "{}",
        notice.body
    );

    // A family member's profile.
    let fam = app.visitor("jo@example.com", "Jo Bloggs").await;
    let home = fam.get("/calls").await;
    assert!(home.body.contains("prove it with a photo"), "{}", home.body);
    fam.get("/calls/profile").await;
    let p = fam
        .post_form(
            "/calls/profile",
            &[
                ("name", "Jo Bloggs"),
                ("dob-day", "31"),
                ("dob-month", "2"),
                ("dob-year", "1990"),
                ("address", ""),
                ("phone", "x"),
            ],
        )
        .await;
    let errors = p.error_summary().expect("errors shown");
    assert!(errors.contains("Enter your address"), "{errors}");
    let p = fam
        .post_form(
            "/calls/profile",
            &[
                ("name", "Jo Bloggs"),
                ("dob-day", "4"),
                ("dob-month", "8"),
                ("dob-year", "1961"),
                ("address", "1 High Street\nHull HU1 1AA"),
                ("phone", "07700 900123"),
            ],
        )
        .await;
    assert!(p.url.ends_with("/calls/identity"), "{}", p.url);
    let caller = scalar_text(
        &app,
        "SELECT c.id FROM callers c JOIN accounts a ON a.id = c.account_id WHERE a.email = $1",
        "jo@example.com",
    )
    .await;

    // Bad uploads: a clear message, and nothing kept.
    let p = upload(
        &fam,
        b"not an image at all".to_vec(),
        faces("obama2.jpg"),
        false,
    )
    .await;
    assert!(
        p.body.contains("The photo of your ID cannot be used"),
        "{}",
        p.body
    );
    let p = upload(&fam, no_face_png(), faces("obama2.jpg"), false).await;
    assert!(p.body.contains("Photo of your ID:"), "{}", p.body);
    assert!(
        p.body.contains("name=\"send-anyway\""),
        "a person can still be asked to look"
    );
    let kept = scalar_i64(
        &app,
        "SELECT COUNT(*) FROM callers WHERE id = $1 AND id_document IS NOT NULL",
        &caller,
    )
    .await;
    assert_eq!(kept, 0, "a refused upload keeps nothing");
    assert_eq!(
        scalar_text(&app, "SELECT status FROM callers WHERE id = $1", &caller).await,
        "unverified"
    );

    // The real thing: the same person's ID photo and selfie.
    let p = upload(&fam, faces("obama.jpg"), faces("obama2.jpg"), false).await;
    assert!(p.url.ends_with("/calls"), "{}\n{}", p.url, p.body);
    assert!(p.body.contains("We are checking your identity"));
    assert_eq!(
        scalar_text(&app, "SELECT status FROM callers WHERE id = $1", &caller).await,
        "submitted"
    );
    let outcome = scalar_text(
        &app,
        "SELECT check_outcome FROM callers WHERE id = $1",
        &caller,
    )
    .await;
    assert!(outcome.starts_with("The faces match"), "{outcome}");
    // Sealed at rest: the stored text is not the JPEG, nor its base64.
    let stored = scalar_text(
        &app,
        "SELECT id_document FROM callers WHERE id = $1",
        &caller,
    )
    .await;
    assert!(
        !stored.starts_with("/9j/"),
        "the ID photo is sealed, not stored as is"
    );

    // The verifier sees both photos (each view audited) and verifies.
    let q = verifier.get("/calls/verification").await;
    assert!(
        q.body.contains("Jo Bloggs") && q.body.contains("Faces match"),
        "{}",
        q.body
    );
    let (status, bytes) = verifier
        .get_bytes(&format!("/calls/verification/{caller}/id"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        bytes,
        faces("obama.jpg"),
        "the verifier sees the photo as sent"
    );
    let views = scalar_i64(
        &app,
        "SELECT COUNT(*) FROM audit_log WHERE action = 'caller.view_document' AND subject = $1",
        &caller,
    )
    .await;
    assert_eq!(views, 1);
    // A family member cannot see it, even their own.
    let (status, _) = fam
        .get_bytes(&format!("/calls/verification/{caller}/id"))
        .await;
    assert_ne!(status, 200);
    verifier.get(&format!("/calls/verification/{caller}")).await;
    let p = verifier
        .post_form(
            &format!("/calls/verification/{caller}"),
            &[("decision", "refuse")],
        )
        .await;
    assert!(
        p.error_summary().unwrap_or("").contains("Enter the reason"),
        "{}",
        p.body
    );
    verifier
        .post_form(
            &format!("/calls/verification/{caller}"),
            &[("decision", "verify")],
        )
        .await;
    assert_eq!(
        scalar_text(&app, "SELECT status FROM callers WHERE id = $1", &caller).await,
        "verified"
    );
    app.smtp
        .wait_for(
            "jo@example.com",
            "Your identity is verified for video calls",
        )
        .await;

    // Asking to be approved, at a prison that is live and one that is not.
    for (est, number, name) in [
        ("berwyn", "A1234BC", "John Smith"),
        ("belmarsh", "B2345CD", "Sam Smith"),
    ] {
        fam.get("/calls/approval").await;
        let p = fam
            .post_form(
                "/calls/approval",
                &[
                    ("establishment", est),
                    ("prisoner-name", name),
                    ("prison-number", number),
                    ("relationship", "Brother"),
                ],
            )
            .await;
        assert!(p.url.ends_with("/calls"), "{}", p.body);
    }
    let p = fam
        .post_form(
            "/calls/approval",
            &[
                ("establishment", "berwyn"),
                ("prisoner-name", "John Smith"),
                ("prison-number", "12345"),
                ("relationship", "Brother"),
            ],
        )
        .await;
    assert!(
        p.error_summary().is_some(),
        "a bad prison number is refused"
    );

    let officer = app
        .staff("officer@berwyn.test", Role::CallsOfficer, &["berwyn"])
        .await;
    let day = officer.get("/calls/staff/berwyn").await;
    assert!(
        day.body.contains("Jo Bloggs") && day.body.contains("A1234BC"),
        "{}",
        day.body
    );
    assert!(
        !day.body.contains("B2345CD"),
        "another prison's request is not shown"
    );
    let request = scalar_text(
        &app,
        "SELECT id FROM contact_requests WHERE prison_number = $1",
        "A1234BC",
    )
    .await;
    let other = scalar_text(
        &app,
        "SELECT id FROM contact_requests WHERE prison_number = $1",
        "B2345CD",
    )
    .await;
    let refused = officer
        .get(&format!("/calls/staff/belmarsh/requests/{other}"))
        .await;
    assert_eq!(
        refused.status, 403,
        "staff of one prison cannot decide another's"
    );
    officer
        .get(&format!("/calls/staff/berwyn/requests/{request}"))
        .await;
    let p = officer
        .post_form(
            &format!("/calls/staff/berwyn/requests/{request}"),
            &[("decision", "approve"), ("relationship", "Brother")],
        )
        .await;
    assert!(p.url.ends_with("/calls/staff/berwyn"), "{}", p.body);
    let approved = scalar_i64(
        &app,
        "SELECT COUNT(*) FROM approved_contacts a JOIN prisoners p ON p.id = a.prisoner_id WHERE p.prison_number = $1 AND a.status = 'approved' AND a.account_id IS NOT NULL",
        "A1234BC",
    )
    .await;
    assert_eq!(approved, 1, "the caller is on the prisoner's approved list");
    let belmarsh_officer = app
        .staff("officer@belmarsh.test", Role::CallsOfficer, &["belmarsh"])
        .await;
    belmarsh_officer
        .get(&format!("/calls/staff/belmarsh/requests/{other}"))
        .await;
    belmarsh_officer
        .post_form(
            &format!("/calls/staff/belmarsh/requests/{other}"),
            &[("decision", "approve"), ("relationship", "Brother")],
        )
        .await;

    // The administrator sets Berwyn's call times: three a day.
    let admin = app
        .staff("admin@berwyn.test", Role::CallsAdmin, &["berwyn"])
        .await;
    admin.get("/calls/staff/berwyn/settings").await;
    for weekday in 1..=7 {
        for start in ["14:00", "15:00", "16:00"] {
            let p = admin
                .post_form(
                    "/calls/staff/berwyn/times",
                    &[("weekday", &weekday.to_string()), ("start", start)],
                )
                .await;
            assert!(
                p.url.ends_with("/calls/staff/berwyn/settings"),
                "{}",
                p.body
            );
        }
    }
    let p = admin
        .post_form(
            "/calls/staff/berwyn/times",
            &[("weekday", "1"), ("start", "14:00")],
        )
        .await;
    assert!(
        p.error_summary().unwrap_or("").contains("already"),
        "the same time twice is refused"
    );
    let p = admin.get("/calls/staff/belmarsh/settings").await;
    assert_eq!(
        p.status, 403,
        "an administrator of one prison cannot set another's"
    );

    // Booking at Berwyn, whose portal is live.
    let portal = fam.get("/calls/prisons/berwyn").await;
    assert!(portal.body.contains("Mondays at 14:00"), "{}", portal.body);
    let form = fam.get("/calls/prisons/berwyn/book").await;
    let slots = radio_values(&form.body, "slot");
    assert!(slots.len() >= 3, "{}", form.body);
    let first_day = slots[0].split('|').next().unwrap().to_owned();
    let same_day: Vec<&String> = slots.iter().filter(|s| s.starts_with(&first_day)).collect();
    assert_eq!(same_day.len(), 3);
    let prisoner = hidden(&form.body, "prisoner");
    let month = first_day[..7].to_owned();
    let mut references = Vec::new();
    for (i, slot) in same_day.iter().enumerate() {
        let form = fam.get("/calls/prisons/berwyn/book").await;
        let token = hidden(&form.body, "token");
        let p = fam
            .post_form(
                "/calls/prisons/berwyn/book",
                &[("prisoner", &prisoner), ("token", &token), ("slot", slot)],
            )
            .await;
        let used = scalar_i64(
            &app,
            "SELECT used_minutes FROM call_allowance WHERE month = $1",
            &month,
        )
        .await;
        if i < 2 {
            assert!(
                p.url.contains("/calls/call/"),
                "call {i} is booked: {}",
                p.body
            );
            references.push(p.url.rsplit('/').next().unwrap().to_owned());
            assert_eq!(used, 30 * (i as i64 + 1), "the allowance counts down");
        } else {
            let errors = p.error_summary().unwrap_or_default().to_owned();
            assert!(
                errors.contains("over the allowance"),
                "the third is refused: {errors}"
            );
            assert_eq!(used, 60, "a refused booking takes nothing");
        }
    }
    app.smtp
        .wait_for(
            "jo@example.com",
            &format!("Video call booked: {}", references[0]),
        )
        .await;
    let booked = scalar_i64(
        &app,
        "SELECT COUNT(*) FROM calls WHERE status = $1",
        "booked",
    )
    .await;
    assert_eq!(booked, 2);

    // Belmarsh's portal is not live: no booking there.
    let p = fam.get("/calls/prisons/belmarsh").await;
    assert!(
        p.body.contains("not available at Belmarsh yet"),
        "{}",
        p.body
    );
    let p = fam.get("/calls/prisons/belmarsh/book").await;
    assert!(p.url.ends_with("/calls/prisons/belmarsh"), "{}", p.url);
    let p = fam
        .post_form(
            "/calls/prisons/belmarsh/book",
            &[("prisoner", "x"), ("slot", &slots[0])],
        )
        .await;
    assert!(p.url.ends_with("/calls/prisons/belmarsh"), "{}", p.url);
    assert_eq!(
        scalar_i64(
            &app,
            "SELECT COUNT(*) FROM calls WHERE establishment_id = $1",
            "belmarsh"
        )
        .await,
        0
    );

    // Staff see who is on each call; the family cancels one and the
    // minutes come back.
    let day = officer.get("/calls/staff/berwyn").await;
    assert!(
        day.body.contains("John Smith") && day.body.contains("Jo Bloggs"),
        "{}",
        day.body
    );
    fam.get(&format!("/calls/call/{}", references[1])).await;
    let p = fam
        .post_form(&format!("/calls/call/{}/cancel", references[1]), &[])
        .await;
    assert!(p.body.contains("Cancelled"), "{}", p.body);
    let used = scalar_i64(
        &app,
        "SELECT used_minutes FROM call_allowance WHERE month = $1",
        &month,
    )
    .await;
    assert_eq!(used, 30);
    // The governor grants an extra call; the officer cannot.
    let p = officer
        .post_form(
            &format!("/calls/staff/berwyn/allowance/{prisoner}"),
            &[("minutes", "30"), ("reason", "Family bereavement")],
        )
        .await;
    assert_eq!(p.status, 403);

    // The prisoner asks for a call: staff offer it, the family confirms.
    let p = officer
        .post_form("/calls/staff/berwyn/offer", &[("prisoner", &prisoner)])
        .await;
    assert!(p.body.contains("Who they want to call"), "{}", p.body);
    let token = hidden(&p.body, "token");
    let account = scalar_text(
        &app,
        "SELECT id FROM accounts WHERE email = $1",
        "jo@example.com",
    )
    .await;
    let p = officer
        .post_form(
            "/calls/staff/berwyn/offer",
            &[
                ("prisoner", &prisoner),
                ("token", &token),
                ("caller", &account),
                ("slot", same_day[1]),
            ],
        )
        .await;
    assert!(p.url.ends_with("/calls/staff/berwyn"), "{}", p.body);
    let offered = scalar_text(
        &app,
        "SELECT reference FROM calls WHERE status = $1",
        "invited",
    )
    .await;
    app.smtp
        .wait_for(
            "jo@example.com",
            &format!("John Smith has asked for a video call: {offered}"),
        )
        .await;
    let p = fam.get(&format!("/calls/call/{offered}")).await;
    assert!(p.body.contains("Confirm the call"), "{}", p.body);
    fam.post_form(&format!("/calls/call/{offered}/confirm"), &[])
        .await;
    assert_eq!(
        scalar_text(
            &app,
            "SELECT status FROM calls WHERE reference = $1",
            &offered
        )
        .await,
        "booked"
    );
    let used = scalar_i64(
        &app,
        "SELECT used_minutes FROM call_allowance WHERE month = $1",
        &month,
    )
    .await;
    assert_eq!(used, 60, "an offered call holds its minutes too");

    // Subject access holds the caller's profile, approvals and calls.
    let id_account = scalar_text(
        &app,
        "SELECT id FROM accounts WHERE email = $1",
        "jo@example.com",
    )
    .await;
    let section = calls::subject_access::gather(
        app.db(),
        &platform::subject_access::Subject {
            accounts: vec![id_account],
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(section.len(), 1);
    assert_eq!(section[0].approvals.len(), 2);
    assert_eq!(section[0].calls.len(), 3);
    assert!(section[0].face_descriptor_enrolled);

    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_family_is_verified_approved_and_books_within_the_allowance_sqlite() {
    flow(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_family_is_verified_approved_and_books_within_the_allowance_postgres() {
    flow(Backend::Postgres).await;
}

/// Many callers of different prisoners race for a slot with one place;
/// two callers of one prisoner race for the last 30 minutes.
async fn contention(backend: Backend) {
    let app = TestApp::start(backend).await;
    let db = app.db();
    let verifier = app
        .staff("verifier@hmpps.test", Role::IdentityVerifier, &[])
        .await;
    let admin = platform::Actor::system();
    // One place a slot at Berwyn, and one call time every day.
    sqlx::query("UPDATE call_settings SET capacity = 1 WHERE establishment_id = 'berwyn'")
        .execute(db.pool())
        .await
        .unwrap();
    for weekday in 1..=7 {
        calls::portal::add_weekly(
            db,
            "berwyn",
            weekday,
            "10:00",
            &platform::audit::Line {
                actor: "system",
                action: "test",
                subject: "berwyn",
                detail: String::new(),
            },
        )
        .await
        .unwrap();
    }
    let portal = calls::portal::get(db, "berwyn").await.unwrap();
    assert!(portal.live);
    let today = app.running().clock().today();
    let slot = calls::portal::bookable(db, &portal, today).await.unwrap()[0].clone();

    let n = 8;
    let mut people = Vec::new();
    for i in 0..n {
        let email = format!("caller{i}@example.com");
        verified_caller(
            &app,
            &verifier,
            &email,
            &format!(
                "Caller Number {}",
                [
                    "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight"
                ][i]
            ),
        )
        .await;
        let account = scalar_text(&app, "SELECT id FROM accounts WHERE email = $1", &email).await;
        let caller = calls::callers::of_account(db, &account)
            .await
            .unwrap()
            .unwrap();
        let prisoner = platform::contacts::add_prisoner(
            db,
            &format!("A{:04}AA", 1000 + i),
            "Prisoner",
            "berwyn",
            &admin,
        )
        .await
        .unwrap();
        let mut tx = db.begin_write().await.unwrap();
        platform::contacts::approve(
            &mut tx,
            &prisoner.id,
            &platform::contacts::NewContact {
                account_id: Some(&account),
                name: &caller.name,
                dob: caller.dob,
                relationship: "Friend",
            },
            &admin,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        people.push((caller, prisoner));
    }
    let tasks: Vec<_> = people
        .iter()
        .enumerate()
        .map(|(i, (caller, prisoner))| {
            race(
                db,
                &portal,
                prisoner,
                caller,
                &slot,
                format!("race-{i}"),
                today,
            )
        })
        .collect();
    let mut won = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => won += 1,
            Err(calls::booking::Refusal::Full) => {}
            Err(other) => panic!("unexpected refusal: {other}"),
        }
    }
    assert_eq!(won, 1, "one place, one booking");
    let booked: i64 =
        sqlx::query_scalar("SELECT booked FROM call_slots WHERE establishment_id = 'berwyn'")
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert_eq!(booked, 1);

    // Two approved callers of one prisoner, 30 minutes left, two slots.
    sqlx::query("UPDATE call_settings SET monthly_minutes = 30, capacity = 5 WHERE establishment_id = 'berwyn'")
        .execute(db.pool())
        .await
        .unwrap();
    let portal = calls::portal::get(db, "berwyn").await.unwrap();
    let (_, shared) = &people[0];
    let second = &people[1].0;
    let mut tx = db.begin_write().await.unwrap();
    platform::contacts::approve(
        &mut tx,
        &shared.id,
        &platform::contacts::NewContact {
            account_id: Some(&second.account_id),
            name: &second.name,
            dob: second.dob,
            relationship: "Friend",
        },
        &admin,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let slots = calls::portal::bookable(db, &portal, today).await.unwrap();
    let month = calls::booking::month_of(slots[1].date);
    let same_month: Vec<_> = slots
        .iter()
        .filter(|s| calls::booking::month_of(s.date) == month)
        .take(3)
        .cloned()
        .collect();
    let used_before = calls::booking::allowance(db, &shared.id, &month, 30)
        .await
        .unwrap()
        .used;
    assert!(used_before <= 30);
    let tasks: Vec<_> = [&people[0].0, second]
        .into_iter()
        .zip(same_month.iter().skip(1))
        .enumerate()
        .map(|(i, (caller, slot))| {
            race(
                db,
                &portal,
                shared,
                caller,
                slot,
                format!("minutes-{i}"),
                today,
            )
        })
        .collect();
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.unwrap());
    }
    let a = calls::booking::allowance(db, &shared.id, &month, 30)
        .await
        .unwrap();
    assert!(
        a.used <= 30,
        "the allowance is never overrun: {a:?} after {results:?}"
    );
    let ok = results.iter().filter(|r| r.is_ok()).count() as i64;
    assert_eq!(a.used, used_before + 30 * ok);
    assert_eq!(
        ok,
        if used_before == 0 { 1 } else { 0 },
        "exactly the minutes left are booked: {results:?}"
    );
    app.stop().await;
}

/// One booking, started on its own task so that several race.
fn race(
    db: &server::Db,
    portal: &calls::portal::Portal,
    prisoner: &platform::contacts::Prisoner,
    caller: &calls::callers::Caller,
    slot: &calls::portal::Slot,
    key: String,
    today: chrono::NaiveDate,
) -> tokio::task::JoinHandle<Result<String, calls::booking::Refusal>> {
    let (db, portal, slot, caller, prisoner) = (
        db.clone(),
        portal.clone(),
        slot.clone(),
        caller.clone(),
        prisoner.clone(),
    );
    tokio::spawn(async move {
        let new = calls::booking::NewCall {
            portal: &portal,
            prisoner: &prisoner,
            main: &caller,
            others: &[],
            date: slot.date,
            start: &slot.start,
            idempotency_key: &key,
            invited: false,
            today,
        };
        calls::booking::book(&db, &new, &caller_actor(&caller))
            .await
            .unwrap()
    })
}

fn caller_actor(c: &calls::callers::Caller) -> platform::Actor {
    platform::Actor {
        id: c.account_id.clone(),
        name: c.name.clone(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_bookings_never_overfill_a_slot_or_an_allowance_sqlite() {
    contention(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_bookings_never_overfill_a_slot_or_an_allowance_postgres() {
    contention(Backend::Postgres).await;
}
