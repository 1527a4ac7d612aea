//! The Justice Data Lab's request lifecycle, through the pages, on SQLite
//! and on PostgreSQL: states and their history, the review period and
//! destruction in working days, isolation between organisations,
//! encryption at rest and crypto-shredding, and the append-only audit log.

mod support;

use std::sync::Arc;

use chrono::NaiveDate;
use server::accounts::Role;
use server::datalab::{self, Status, vault::Item};
use support::{
    Backend, FailingPipeline, FakePipeline, LAB_FIELDS, TestApp, cohort_csv, issue_request,
    run_request, submit_cohort,
};

fn working_days_after(from: NaiveDate, n: u32) -> NaiveDate {
    calendar::Calendar::new(calendar::Region::EnglandAndWales)
        .add_working_days(from, calendar::WorkingDays(n))
        .unwrap()
}

async fn key_rows(app: &TestApp, id: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM datalab_keys WHERE request_id = $1")
        .bind(id)
        .fetch_one(app.db().pool())
        .await
        .unwrap()
}

/// Dates a file's last write an hour back.
fn age(path: &std::path::Path) {
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(hour_ago)
        .unwrap();
}

async fn full_lifecycle(backend: Backend) {
    let app = TestApp::start_lab(backend, Arc::new(FakePipeline), |_| {}).await;
    let provider = app
        .lab_user("ana@hopetrust.test", Role::Provider, Some("Hope Trust"))
        .await;
    let analyst = app.lab_user("lee@lab.test", Role::Analyst, None).await;
    let owner = app.lab_user("iao@lab.test", Role::AssetOwner, None).await;

    // Submitted: counts only on the provider's page, never the people.
    let id = submit_cohort(&provider, 80).await;
    let page = provider.get(&format!("/datalab/requests/{id}")).await;
    assert!(page.body.contains("Submitted") && page.body.contains("80 of 80 rows"));
    assert!(!page.body.contains("Aaliyah") && !page.body.contains("Abernathy"));
    let r = datalab::get(app.db(), &id).await.unwrap();
    assert_eq!(r.status, Status::Submitted);
    assert!(
        datalab::data_held(app.db(), app.running().lab(), &id)
            .await
            .unwrap()
    );
    // The provider cannot download anything yet.
    assert_eq!(
        provider
            .get_bytes(&format!("/datalab/requests/{id}/report/html"))
            .await
            .0,
        404
    );

    // The analyst must say why before the cohort is decrypted.
    let queue = analyst.get("/datalab").await;
    assert!(queue.body.contains(&r.reference));
    analyst.get(&format!("/datalab/requests/{id}")).await;
    let missing = analyst
        .post_form(&format!("/datalab/requests/{id}/run"), &[("reason", " ")])
        .await;
    assert!(missing.error_summary().unwrap().contains("Say why"));
    // The error is on the field too, as the Design System places it: the
    // message above the input, the input marked and described by it.
    assert!(
        missing.body.contains(r#"id="reason-error""#),
        "inline error"
    );
    assert!(
        missing.body.contains("govuk-input govuk-input--error")
            && missing
                .body
                .contains(r#"aria-describedby="reason-hint reason-error""#),
        "the input is marked and described by its error"
    );
    assert_eq!(
        datalab::get(app.db(), &id).await.unwrap().status,
        Status::Submitted
    );
    let r = run_request(
        &analyst,
        app.db(),
        &id,
        "standard analysis for Hope Trust",
        20,
    )
    .await;
    assert_eq!(r.status, Status::DisclosureCheck, "{r:?}");
    let decrypts = server::audit::recent_with_prefix(app.db(), "datalab.cohort.decrypt", 10)
        .await
        .unwrap();
    assert_eq!(decrypts.len(), 1);
    assert!(
        decrypts[0]
            .detail
            .contains("standard analysis for Hope Trust")
    );
    assert_eq!(decrypts[0].subject, id);
    // Still not the provider's to see during the disclosure check.
    assert_eq!(
        provider
            .get_bytes(&format!("/datalab/requests/{id}/report/pdf"))
            .await
            .0,
        404
    );
    let (status, html) = analyst
        .get_bytes(&format!("/datalab/requests/{id}/report/html"))
        .await;
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&html).contains("31 per 100"));

    // Issue: the provider is emailed; the review period runs 20 working
    // days from today; the released keys join the register.
    let issued = issue_request(&analyst, &id).await;
    assert!(issued.body.contains("The report has been issued"));
    let mail = app
        .smtp
        .wait_for("ana@hopetrust.test", "report is ready")
        .await;
    assert!(mail.subject.contains(&r.reference));
    let r = datalab::get(app.db(), &id).await.unwrap();
    assert_eq!(r.status, Status::Issued);
    let today = app.running().clock().today();
    let review_ends = working_days_after(today, 20);
    assert_eq!(
        r.review_ends.as_deref(),
        Some(review_ends.to_string().as_str())
    );
    assert_eq!(
        r.destroy_after.as_deref(),
        Some(review_ends.to_string().as_str())
    );
    let register = datalab::register(app.db(), "other").await.unwrap();
    assert_eq!(register.len(), 1);
    // Every one of the 80 people the run linked (all distinct) is registered
    // under this request and organisation.
    let (request, organisation, people) = register.requests().next().unwrap();
    assert_eq!((request, people), (id.as_str(), 80));
    assert_eq!(organisation, r.organisation_id);
    assert!(!app.running().lab().vault.path(&id, Item::People).exists());

    // The provider downloads the report: in review; asks a question.
    let (status, pdf) = provider
        .get_bytes(&format!("/datalab/requests/{id}/report/pdf"))
        .await;
    assert_eq!(status, 200);
    assert!(pdf.starts_with(b"%PDF"));
    assert_eq!(
        datalab::get(app.db(), &id).await.unwrap().status,
        Status::InReview
    );
    provider.get(&format!("/datalab/requests/{id}")).await;
    let asked = provider
        .post_form(
            &format!("/datalab/requests/{id}/questions"),
            &[("question", "Why were 6 people not matched?")],
        )
        .await;
    assert!(asked.body.contains("Why were 6 people not matched?"));
    let q = datalab::questions(app.db(), &id).await.unwrap();
    assert_eq!(q.len(), 1);
    let page = analyst.get(&format!("/datalab/requests/{id}")).await;
    assert!(page.body.contains("Send answer"));
    let answered = analyst
        .post_form(
            &format!("/datalab/requests/{id}/questions/{}/answer", q[0].id),
            &[(
                &format!("answer-{}", q[0].id),
                "Their details did not match any national record closely enough.",
            )],
        )
        .await;
    assert!(answered.body.contains("did not match any national record"));
    app.smtp
        .wait_for("ana@hopetrust.test", "answered your question")
        .await;

    // On the last day of the review period nothing happens yet; a sealed
    // file long written is kept while its key is held.
    age(&app.running().lab().vault.path(&id, Item::Cohort));
    let clock = app.running().clock();
    let days_to_end = (review_ends - clock.today()).num_days();
    clock.advance_days(days_to_end);
    assert_eq!(
        app.running().datalab_sweep().await.unwrap(),
        datalab::Swept::default()
    );
    assert!(
        datalab::data_held(app.db(), app.running().lab(), &id)
            .await
            .unwrap()
    );

    // The day after, a question is refused even before the sweep closes
    // the review (the page was loaded while it was open).
    provider.get(&format!("/datalab/requests/{id}")).await;
    clock.advance_days(1);
    let late = provider
        .post_form(
            &format!("/datalab/requests/{id}/questions"),
            &[("question", "One more thing?")],
        )
        .await;
    assert!(
        late.error_summary()
            .unwrap()
            .contains("review period has ended")
    );
    assert_eq!(datalab::questions(app.db(), &id).await.unwrap().len(), 1);

    // Then: closed and destroyed; the report stays.
    let swept = app.running().datalab_sweep().await.unwrap();
    assert_eq!((swept.closed, swept.destroyed), (1, 1));
    let r = datalab::get(app.db(), &id).await.unwrap();
    assert_eq!(r.status, Status::Destroyed);
    assert!(r.destroyed_at.is_some());
    assert_eq!(key_rows(&app, &id).await, 0);
    assert!(!app.running().lab().vault.path(&id, Item::Cohort).exists());
    assert!(
        !datalab::data_held(app.db(), app.running().lab(), &id)
            .await
            .unwrap()
    );
    // A sealed file whose deletion failed at destruction is removed by a
    // later sweep, and audited; a fresh one could be a submission whose key
    // is about to commit, so it waits.
    let leftover = app.running().lab().vault.path(&id, Item::Cohort);
    std::fs::write(&leftover, b"LLDL1\nciphertext").unwrap();
    assert_eq!(
        app.running().datalab_sweep().await.unwrap().files_removed,
        0
    );
    assert!(leftover.exists());
    age(&leftover);
    assert_eq!(
        app.running().datalab_sweep().await.unwrap().files_removed,
        1
    );
    assert!(!leftover.exists());
    assert_eq!(
        server::audit::count(app.db(), "datalab.file.remove", Some(&id))
            .await
            .unwrap(),
        1
    );
    let (status, pdf) = provider
        .get_bytes(&format!("/datalab/requests/{id}/report/pdf"))
        .await;
    assert_eq!((status, pdf.starts_with(b"%PDF")), (200, true));
    // Questions are closed.
    let page = provider.get(&format!("/datalab/requests/{id}")).await;
    assert!(!page.body.contains("Send question"));
    // The history has every state with its time.
    let events = datalab::events(app.db(), &id).await.unwrap();
    let states: Vec<Status> = events.iter().map(|e| e.to).collect();
    for s in [
        Status::Submitted,
        Status::Processing,
        Status::DisclosureCheck,
        Status::Issued,
        Status::InReview,
        Status::Closed,
        Status::Destroyed,
    ] {
        assert!(states.contains(&s), "{s:?} missing from {states:?}");
    }
    assert!(events.windows(2).all(|w| w[0].at <= w[1].at));

    // The information asset owner sees the certificate and the audit.
    let certs = owner.get("/datalab/certificates").await;
    assert!(certs.body.contains(&r.reference));
    let cert = datalab::certificate_for(app.db(), &id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(cert.actor, "system");
    assert_eq!(cert.due_date, review_ends.to_string());
    assert!(
        cert.rule
            .contains("20 working days after the report was issued")
    );
    assert_eq!(cert.key_fingerprint.len(), 32);
    let (status, json) = owner
        .get_bytes(&format!("/datalab/certificates/{}/json", cert.id))
        .await;
    assert_eq!(status, 200);
    let json: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(json["reference"], r.reference.as_str());
    let audit = owner.get("/datalab/audit").await;
    assert!(audit.body.contains("datalab.cohort.decrypt"));
    assert!(audit.body.contains("datalab.cohort.destroy"));
    assert!(audit.body.contains("standard analysis for Hope Trust"));
    // Nobody else gets the owner's pages.
    assert_eq!(provider.get("/datalab/audit").await.status, 403);
    assert_eq!(analyst.get("/datalab/certificates").await.status, 403);
    app.stop().await;
}

#[tokio::test]
async fn full_lifecycle_sqlite() {
    full_lifecycle(Backend::Sqlite).await;
}

#[tokio::test]
async fn full_lifecycle_postgres() {
    full_lifecycle(Backend::Postgres).await;
}

async fn failure_is_destroyed_after_ten_working_days(backend: Backend) {
    let app = TestApp::start_lab(backend, Arc::new(FailingPipeline), |_| {}).await;
    let provider = app
        .lab_user("ana@hopetrust.test", Role::Provider, Some("Hope Trust"))
        .await;
    let analyst = app.lab_user("lee@lab.test", Role::Analyst, None).await;
    let id = submit_cohort(&provider, 70).await;
    let r = run_request(&analyst, app.db(), &id, "run", 20).await;
    assert_eq!(r.status, Status::Failed);
    let today = app.running().clock().today();
    assert_eq!(
        r.destroy_after.as_deref(),
        Some(working_days_after(today, 10).to_string().as_str())
    );
    // The analyst sees the stage and the lab's reason; the provider a safe
    // reason that names no other request.
    let lab_view = analyst.get(&format!("/datalab/requests/{id}")).await;
    assert!(lab_view.body.contains("linkage") && lab_view.body.contains("request 0042"));
    let provider_view = provider.get(&format!("/datalab/requests/{id}")).await;
    assert!(provider_view.body.contains("Too few of the people"));
    assert!(!provider_view.body.contains("0042"));
    app.smtp
        .wait_for("ana@hopetrust.test", "could not be completed")
        .await;

    let clock = app.running().clock();
    let days = (working_days_after(today, 10) - today).num_days();
    clock.advance_days(days);
    assert_eq!(app.running().datalab_sweep().await.unwrap().destroyed, 0);
    clock.advance_days(1);
    assert_eq!(app.running().datalab_sweep().await.unwrap().destroyed, 1);
    let r = datalab::get(app.db(), &id).await.unwrap();
    assert_eq!(r.status, Status::Destroyed);
    let cert = datalab::certificate_for(app.db(), &id)
        .await
        .unwrap()
        .unwrap();
    assert!(
        cert.rule
            .contains("10 working days after the request failed")
    );
    assert_eq!(key_rows(&app, &id).await, 0);
    app.stop().await;
}

#[tokio::test]
async fn failure_is_destroyed_after_ten_working_days_sqlite() {
    failure_is_destroyed_after_ten_working_days(Backend::Sqlite).await;
}

#[tokio::test]
async fn failure_is_destroyed_after_ten_working_days_postgres() {
    failure_is_destroyed_after_ten_working_days(Backend::Postgres).await;
}

/// A report the analyst withholds at the disclosure check never reaches the
/// provider, not while the request has failed and not after its data is
/// destroyed.
async fn a_withheld_report_is_never_released(backend: Backend) {
    let app = TestApp::start_lab(backend, Arc::new(FakePipeline), |_| {}).await;
    let provider = app
        .lab_user("ana@hopetrust.test", Role::Provider, Some("Hope Trust"))
        .await;
    let analyst = app.lab_user("lee@lab.test", Role::Analyst, None).await;
    let id = submit_cohort(&provider, 80).await;
    let r = run_request(&analyst, app.db(), &id, "standard analysis", 20).await;
    assert_eq!(r.status, Status::DisclosureCheck, "{r:?}");
    analyst.get(&format!("/datalab/requests/{id}")).await;
    analyst
        .post_form(
            &format!("/datalab/requests/{id}/withhold"),
            &[("withhold-reason", "Two small cells could be differenced.")],
        )
        .await;
    let r = datalab::get(app.db(), &id).await.unwrap();
    assert_eq!(r.status, Status::Failed);
    assert!(r.has_report, "the lab keeps what it withheld");
    let report = format!("/datalab/requests/{id}/report/html");
    assert_eq!(analyst.get_bytes(&report).await.0, 200);
    assert_eq!(provider.get_bytes(&report).await.0, 404);

    let clock = app.running().clock();
    clock.advance_days(20);
    assert_eq!(app.running().datalab_sweep().await.unwrap().destroyed, 1);
    assert_eq!(
        datalab::get(app.db(), &id).await.unwrap().status,
        Status::Destroyed
    );
    for kind in ["html", "pdf", "json"] {
        let path = format!("/datalab/requests/{id}/report/{kind}");
        assert_eq!(provider.get_bytes(&path).await.0, 404, "{kind}");
    }
    let page = provider.get(&format!("/datalab/requests/{id}")).await;
    assert!(!page.body.contains("/report/"), "no download link");
    app.stop().await;
}

#[tokio::test]
async fn a_withheld_report_is_never_released_sqlite() {
    a_withheld_report_is_never_released(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_withheld_report_is_never_released_postgres() {
    a_withheld_report_is_never_released(Backend::Postgres).await;
}

async fn organisations_are_isolated(backend: Backend) {
    let app = TestApp::start_lab(backend, Arc::new(FakePipeline), |_| {}).await;
    let hope = app
        .lab_user("ana@hopetrust.test", Role::Provider, Some("Hope Trust"))
        .await;
    let other = app
        .lab_user("bo@newstart.test", Role::Provider, Some("New Start"))
        .await;
    let colleague = app
        .lab_user("cy@hopetrust.test", Role::Provider, Some("Hope Trust"))
        .await;
    let analyst = app.lab_user("lee@lab.test", Role::Analyst, None).await;
    let id = submit_cohort(&hope, 75).await;
    let reference = datalab::get(app.db(), &id).await.unwrap().reference;
    run_request(&analyst, app.db(), &id, "run", 20).await;
    issue_request(&analyst, &id).await;
    assert_eq!(
        datalab::get(app.db(), &id).await.unwrap().status,
        Status::Issued
    );

    // Another organisation: every way in is "not found", as for a key that
    // does not exist.
    assert!(!other.get("/datalab").await.body.contains(&reference));
    assert_eq!(
        other.get(&format!("/datalab/requests/{id}")).await.status,
        404
    );
    assert_eq!(
        other
            .get("/datalab/requests/00000000000000nothing")
            .await
            .status,
        404
    );
    for kind in ["pdf", "html", "json"] {
        assert_eq!(
            other
                .get_bytes(&format!("/datalab/requests/{id}/report/{kind}"))
                .await
                .0,
            404
        );
    }
    other.get("/datalab").await;
    let asked = other
        .post_form(
            &format!("/datalab/requests/{id}/questions"),
            &[("question", "Who is in it?")],
        )
        .await;
    assert_eq!(asked.status, 404);
    assert!(datalab::questions(app.db(), &id).await.unwrap().is_empty());
    // The same organisation's colleague sees it.
    assert!(colleague.get("/datalab").await.body.contains(&reference));
    assert_eq!(
        colleague
            .get_bytes(&format!("/datalab/requests/{id}/report/json"))
            .await
            .0,
        200
    );
    // Providers cannot act as the lab, nor book visits, nor see staff pages.
    hope.get(&format!("/datalab/requests/{id}")).await;
    for action in ["run", "issue", "reject", "return", "withhold"] {
        let p = hope
            .post_form(
                &format!("/datalab/requests/{id}/{action}"),
                &[("reason", "x")],
            )
            .await;
        assert_eq!(p.status, 403, "{action}");
    }
    assert_eq!(hope.get("/staff").await.status, 403);
    assert!(hope.get("/book").await.url.ends_with("/datalab"));
    // No page ever shows a provider a cohort row, their own included.
    for path in ["/datalab".to_owned(), format!("/datalab/requests/{id}")] {
        let body = hope.get(&path).await.body;
        assert!(
            !body.contains("Abernathy") && !body.contains("1970-01-01"),
            "{path}"
        );
    }
    let (_, json) = hope
        .get_bytes(&format!("/datalab/requests/{id}/report/json"))
        .await;
    assert!(!String::from_utf8_lossy(&json).contains("Abernathy"));
    app.stop().await;
}

#[tokio::test]
async fn organisations_are_isolated_sqlite() {
    organisations_are_isolated(Backend::Sqlite).await;
}

#[tokio::test]
async fn organisations_are_isolated_postgres() {
    organisations_are_isolated(Backend::Postgres).await;
}

async fn cohorts_are_encrypted_and_shredded(backend: Backend) {
    let app = TestApp::start_lab(backend, Arc::new(FakePipeline), |_| {}).await;
    let provider = app
        .lab_user("ana@hopetrust.test", Role::Provider, Some("Hope Trust"))
        .await;
    let analyst = app.lab_user("lee@lab.test", Role::Analyst, None).await;
    let id = submit_cohort(&provider, 64).await;
    let lab = app.running().lab();
    let path = lab.vault.path(&id, Item::Cohort);
    let sealed = std::fs::read(&path).unwrap();
    for plain in ["Abernathy", "Aaliyah", "forename", "1970-01-01"] {
        assert!(
            !sealed.windows(plain.len()).any(|w| w == plain.as_bytes()),
            "{plain} in the ciphertext"
        );
    }
    // Neither the database nor the intake summary holds a cohort value.
    let stored: String =
        sqlx::query_scalar("SELECT intake_summary FROM datalab_requests WHERE id = $1")
            .bind(&id)
            .fetch_one(app.db().pool())
            .await
            .unwrap();
    assert!(!stored.contains("Abernathy"));
    let wrapped: String =
        sqlx::query_scalar("SELECT wrapped_key FROM datalab_keys WHERE request_id = $1")
            .bind(&id)
            .fetch_one(app.db().pool())
            .await
            .unwrap();
    assert_eq!(
        wrapped.len(),
        (24 + 32 + 16) * 2,
        "nonce, key and tag, as hex"
    );
    // The lab can open it (and that is audited).
    let r = datalab::get(app.db(), &id).await.unwrap();
    let actor = datalab::Actor {
        id: "test".into(),
        name: "Test".into(),
    };
    let (_, rows) = datalab::open_cohort(app.db(), lab, &actor, &r, "test of decryption")
        .await
        .unwrap();
    assert_eq!(rows.len(), 64);
    assert_eq!(rows[0].surname, "Abernathy");
    assert_eq!(
        server::audit::count(app.db(), "datalab.cohort.decrypt", Some(&id))
            .await
            .unwrap(),
        1
    );

    // Returned for correction: destroyed at once; the key and file are gone
    // and a copy of the ciphertext kept aside no longer opens.
    analyst.get(&format!("/datalab/requests/{id}")).await;
    analyst
        .post_form(
            &format!("/datalab/requests/{id}/return"),
            &[(
                "return-reason",
                "Dates of birth look like intervention dates",
            )],
        )
        .await;
    assert_eq!(
        datalab::get(app.db(), &id).await.unwrap().status,
        Status::ReturnedForCorrection
    );
    assert!(!path.exists());
    assert_eq!(key_rows(&app, &id).await, 0);
    assert!(
        datalab::open_cohort(app.db(), lab, &actor, &r, "after shredding")
            .await
            .is_err()
    );
    std::fs::write(&path, &sealed).unwrap();
    assert!(
        datalab::open_cohort(app.db(), lab, &actor, &r, "copy kept aside")
            .await
            .is_err()
    );
    std::fs::remove_file(&path).unwrap();
    assert!(
        datalab::certificate_for(app.db(), &id)
            .await
            .unwrap()
            .is_some()
    );
    app.smtp
        .wait_for("ana@hopetrust.test", "needs correcting")
        .await;

    // The provider corrects and resubmits: a new key, submitted again.
    let page = provider.get(&format!("/datalab/requests/{id}")).await;
    assert!(
        page.body
            .contains("Dates of birth look like intervention dates")
    );
    let again = provider
        .post_multipart(
            &format!("/datalab/requests/{id}/resubmit"),
            &[],
            Some(("fixed.csv", cohort_csv(66).into_bytes())),
        )
        .await;
    assert!(
        again.body.contains("Corrected cohort sent"),
        "{:?}",
        again.error_summary()
    );
    let r = datalab::get(app.db(), &id).await.unwrap();
    assert_eq!((r.status, r.rows_usable), (Status::Submitted, 66));
    assert!(datalab::data_held(app.db(), lab, &id).await.unwrap());
    app.stop().await;
}

#[tokio::test]
async fn cohorts_are_encrypted_and_shredded_sqlite() {
    cohorts_are_encrypted_and_shredded(Backend::Sqlite).await;
}

#[tokio::test]
async fn cohorts_are_encrypted_and_shredded_postgres() {
    cohorts_are_encrypted_and_shredded(Backend::Postgres).await;
}

async fn audit_log_is_append_only(backend: Backend) {
    let app = TestApp::start_lab(backend, Arc::new(FakePipeline), |_| {}).await;
    let provider = app
        .lab_user("ana@hopetrust.test", Role::Provider, Some("Hope Trust"))
        .await;
    let id = submit_cohort(&provider, 60).await;
    let before = server::audit::count(app.db(), "datalab.cohort.receive", Some(&id))
        .await
        .unwrap();
    assert_eq!(before, 1);
    let update = sqlx::query("UPDATE audit_log SET detail = 'nothing to see' WHERE subject = $1")
        .bind(&id)
        .execute(app.db().writer())
        .await;
    assert!(format!("{:?}", update.unwrap_err()).contains("append-only"));
    let delete = sqlx::query("DELETE FROM audit_log")
        .execute(app.db().writer())
        .await;
    assert!(format!("{:?}", delete.unwrap_err()).contains("append-only"));
    if backend == Backend::Postgres {
        let truncate = sqlx::query("TRUNCATE audit_log")
            .execute(app.db().writer())
            .await;
        assert!(format!("{:?}", truncate.unwrap_err()).contains("append-only"));
    }
    let entries = server::audit::recent(app.db(), Some(&id), 10)
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
    assert!(entries[0].detail.contains("received 60 usable rows"));
    // Appending still works.
    server::audit::log(app.db(), "test", "test.append", &id, "still appendable")
        .await
        .unwrap();
    assert_eq!(
        server::audit::recent(app.db(), Some(&id), 10)
            .await
            .unwrap()
            .len(),
        2
    );
    app.stop().await;
}

#[tokio::test]
async fn audit_log_is_append_only_sqlite() {
    audit_log_is_append_only(Backend::Sqlite).await;
}

#[tokio::test]
async fn audit_log_is_append_only_postgres() {
    audit_log_is_append_only(Backend::Postgres).await;
}

async fn uploads_are_checked_at_once(backend: Backend) {
    let app = TestApp::start_lab(backend, Arc::new(FakePipeline), |c| {
        c.datalab.max_upload_bytes = 4096;
    })
    .await;
    let provider = app
        .lab_user("ana@hopetrust.test", Role::Provider, Some("Hope Trust"))
        .await;
    let form = provider.get("/datalab/new").await;
    assert!(form.body.contains("Hope Trust"));
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM datalab_requests")
            .fetch_one(app.db().pool())
            .await
            .unwrap()
    };

    // Nothing filled in: every field's message, and nothing stored.
    let empty = provider.post_multipart("/datalab/new", &[], None).await;
    let summary = empty.error_summary().unwrap().to_owned();
    for m in [
        "Enter what the intervention is",
        "Enter how the data were collected",
        "Select how dates are written",
        "data protection law",
        "section 14",
        "Select your cohort file",
    ] {
        assert!(summary.contains(m), "{m} not in {summary}");
    }

    // Too large: a clear message with the limit.
    let mut fields = LAB_FIELDS.to_vec();
    fields.push(("confirm-gateway", "yes"));
    let big = provider
        .post_multipart(
            "/datalab/new",
            &fields,
            Some(("cohort.csv", cohort_csv(200).into_bytes())),
        )
        .await;
    assert!(
        big.error_summary()
            .unwrap()
            .contains("must be smaller than 4 KB")
    );
    assert_eq!(big.value_of("excluded").as_deref(), Some("4"));

    // Too few people and a bad row: intake's reasons and the row's problem
    // are shown; nothing is kept.
    let mut csv = cohort_csv(30);
    csv.push_str("Zed,Quill,1985-13-45,M,,2012-01-01,,,,\n");
    let rejected = provider
        .post_multipart(
            "/datalab/new",
            &fields,
            Some(("cohort.csv", csv.into_bytes())),
        )
        .await;
    assert!(
        rejected
            .error_summary()
            .unwrap()
            .contains("The cohort was not accepted")
    );
    // The summary links to the upload field, which shows the error too.
    assert!(
        rejected
            .error_summary()
            .unwrap()
            .contains(r##"href="#cohort""##),
        "{:?}",
        rejected.error_summary()
    );
    assert!(rejected.body.contains(r#"id="cohort-error""#));
    assert!(rejected.body.contains("validation-issues"));
    assert!(rejected.body.contains("validation-reasons"));
    // Intake's counts: 31 rows read, of the 60 usable ones needed.
    for (row, value) in [("Rows read", 31), ("Usable rows needed", 60)] {
        assert!(
            rejected.body.contains(&format!(
                "{row}</dt><dd class=\"govuk-summary-list__value\">{value}</dd>"
            )),
            "{row}: {value}"
        );
    }
    assert_eq!(count().await, 0);
    let vault = app.running().lab().vault.path("x", Item::Cohort);
    assert_eq!(
        std::fs::read_dir(vault.parent().unwrap()).unwrap().count(),
        0,
        "no file kept for a rejected upload"
    );
    // A description too long is refused in words that read: the answer
    // named, not the question.
    let long = "x".repeat(501);
    let mut too_long = fields.clone();
    too_long.retain(|(k, _)| *k != "intervention");
    too_long.push(("intervention", long.as_str()));
    let refused = provider
        .post_multipart(
            "/datalab/new",
            &too_long,
            Some(("cohort.csv", cohort_csv(60).into_bytes())),
        )
        .await;
    let summary = refused.error_summary().unwrap_or_default().to_owned();
    assert!(
        summary.contains("The description of the intervention must be 500 characters or fewer"),
        "{summary}"
    );
    assert!(
        !summary.contains("What the intervention is must"),
        "{summary}"
    );
    // Not a CSV.
    let xls = provider
        .post_multipart(
            "/datalab/new",
            &fields,
            Some(("cohort.xlsx", b"PK\x03\x04".to_vec())),
        )
        .await;
    assert!(xls.error_summary().unwrap().contains("must be a CSV file"));
    // A stale form token is refused before the file is read.
    let stale = reqwest::multipart::Form::new()
        .text("csrf", "not the token")
        .text("intervention", "x");
    let r = provider
        .http
        .post(format!("{}/datalab/new", provider.base))
        .multipart(stale)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(count().await, 0);
    app.stop().await;
}

#[tokio::test]
async fn uploads_are_checked_at_once_sqlite() {
    uploads_are_checked_at_once(Backend::Sqlite).await;
}

#[tokio::test]
async fn uploads_are_checked_at_once_postgres() {
    uploads_are_checked_at_once(Backend::Postgres).await;
}

/// The national administrator adds Data Lab accounts on the staff accounts
/// page; a provider needs an organisation.
#[tokio::test]
async fn administrator_adds_lab_accounts() {
    let app = TestApp::start_lab(Backend::Sqlite, Arc::new(FakePipeline), |_| {}).await;
    let admin = app.admin().await;
    admin.get("/staff/accounts").await;
    let no_org = admin
        .post_form(
            "/staff/accounts",
            &[
                ("staff-name", "Pat Provider"),
                ("staff-email", "pat@hopetrust.test"),
                ("staff-role", "provider"),
                ("staff-password", "provider password 1"),
            ],
        )
        .await;
    assert!(
        no_org
            .error_summary()
            .unwrap()
            .contains("Enter the organisation")
    );
    let ok = admin
        .post_form(
            "/staff/accounts",
            &[
                ("staff-name", "Pat Provider"),
                ("staff-email", "pat@hopetrust.test"),
                ("staff-role", "provider"),
                ("staff-organisation", "Hope Trust"),
                ("staff-password", "provider password 1"),
            ],
        )
        .await;
    assert!(
        ok.body.contains("Account created for Pat Provider"),
        "{:?}",
        ok.error_summary()
    );
    let pat = app.client();
    let home = pat
        .sign_in("pat@hopetrust.test", "provider password 1")
        .await;
    assert!(home.url.ends_with("/datalab"));
    assert!(home.body.contains("Hope Trust") && home.body.contains("Justice Data Lab"));
    app.stop().await;
}
