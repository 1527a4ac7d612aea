//! Intake throughput: validating a generated 100,000-row CSV cohort.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use datalab::intake::{self, Settings};

// The tests' row builder, so that the bench measures the same kind of file
// the tests check.
#[path = "../tests/intake_support/mod.rs"]
mod intake_support;

const ROWS: usize = 100_000;

fn bench_validate(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut rows = intake_support::good_rows(ROWS);
    // A realistic sprinkling of problems, so the error paths are measured too.
    for r in rows.iter_mut().step_by(97) {
        *r = r.clone().with("postcode", "unknown");
    }
    for r in rows.iter_mut().skip(13).step_by(211) {
        *r = r.clone().with("gender", "U");
    }
    let cohort = intake_support::write(
        dir.path(),
        "cohort.csv",
        intake_support::csv(&rows).as_bytes(),
    );
    let request = intake_support::write(
        dir.path(),
        "request.toml",
        intake_support::good_request().as_bytes(),
    );
    drop(rows);
    let settings = Settings::default();

    let mut group = c.benchmark_group("intake");
    group.throughput(Throughput::Elements(ROWS as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("validate_csv_100k_rows", |b| {
        b.iter(|| {
            let mut usable = 0u64;
            let report = intake::validate(&cohort, &request, &settings, |_| usable += 1)
                .expect("bench file readable");
            assert!(report.accepted());
            black_box((report, usable))
        });
    });
    group.finish();
}

criterion_group!(benches, bench_validate);
criterion_main!(benches);
