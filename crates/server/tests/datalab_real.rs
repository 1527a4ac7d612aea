//! The Data Lab with the lab's real pipeline: a generated national dataset
//! (20,000 people), its provider's cohort uploaded through the pages, run,
//! issued with the standard report (HTML, PDF, JSON), and the released
//! cohort's pseudonyms in the differencing register.

mod support;

use std::sync::Arc;

use server::accounts::Role;
use server::datalab::Status;
use support::{Backend, TestApp, issue_request, run_request, submit_cohort_file};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_generated_cohort_runs_through_the_real_pipeline() {
    let data = tempfile::tempdir().unwrap();
    let config = ::datalab::synth::Config {
        people: 20_000,
        cohort: 300,
        seed: 1,
        ..Default::default()
    };
    let dir = data.path().to_path_buf();
    tokio::task::spawn_blocking(move || {
        ::datalab::synth::generate(&config, &dir, &::datalab::progress::Silent)
    })
    .await
    .unwrap()
    .expect("generated");
    let pipeline = Arc::new(server::datalab::lab_pipeline::LabPipeline::new(
        data.path().to_path_buf(),
        data.path().join("lab.key"),
    ));
    let app = TestApp::start_lab(Backend::Sqlite, pipeline, |_| {}).await;
    let provider = app
        .lab_user("ana@hopetrust.test", Role::Provider, Some("Hope Trust"))
        .await;
    let analyst = app.lab_user("lee@lab.test", Role::Analyst, None).await;

    let cohort = std::fs::read(data.path().join("cohort.csv")).unwrap();
    let id = submit_cohort_file(
        &provider,
        &[
            ("intervention", "Through-the-gate mentoring"),
            ("collection", "Case management system export"),
            ("excluded", "0"),
            ("date-order", "dmy"),
            ("confirm-data-protection", "yes"),
            ("confirm-gateway", "yes"),
        ],
        cohort,
    )
    .await;
    // Linkage and matching of 300 people against 20,000 take seconds in
    // an optimised build, longer in a debug one on a busy machine.
    let r = run_request(&analyst, app.db(), &id, "run", 600).await;
    assert_eq!(
        r.status,
        Status::DisclosureCheck,
        "{:?} {:?}",
        r.failure_stage,
        r.failure_reason
    );
    assert!(r.report_summary.as_deref().unwrap().contains("linked"));
    let issued = issue_request(&analyst, &id).await;
    assert!(issued.body.contains("The report has been issued"));
    let (status, json) = provider
        .get_bytes(&format!("/datalab/requests/{id}/report/json"))
        .await;
    assert_eq!(status, 200);
    let json: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(json["organisation"], "Hope Trust");
    assert!(!json["measures"].as_array().unwrap().is_empty());
    let (status, html) = provider
        .get_bytes(&format!("/datalab/requests/{id}/report/html"))
        .await;
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&html).contains("Hope Trust"));
    let register = server::datalab::register(app.db(), "none").await.unwrap();
    let (request, _, people) = register.requests().next().unwrap();
    assert_eq!(request, id);
    assert!(people > 100, "{people} linked people registered");
    app.stop().await;
}
