//! The published statistics: on a generated realistic year, and on random
//! counts, no count from 1 to threshold - 1 is shown anywhere and no
//! suppressed count can be worked out from what is; the CSV is the
//! scripts' shape; the FOI extract withholds what the law says and why.

mod support;

use chrono::NaiveDate;
use datalab::tables::{Cell, recoverable};
use incidents::stats;
use proptest::prelude::*;

fn assert_safe(p: &datalab::tables::Protected, threshold: u64) {
    let dims = p.dims().to_vec();
    // Every key, margins included.
    let mut keys: Vec<Vec<Option<usize>>> = vec![Vec::new()];
    for d in &dims {
        let mut next = Vec::new();
        for k in &keys {
            for i in (0..*d).map(Some).chain([None]) {
                let mut k = k.clone();
                k.push(i);
                next.push(k);
            }
        }
        keys = next;
    }
    for k in &keys {
        if let Cell::Shown(v) = p.get(k) {
            assert!(v == 0 || v >= threshold, "{v} shown at {k:?}");
        }
    }
    assert!(
        recoverable(p).is_empty(),
        "a suppressed count can be worked out"
    );
}

#[tokio::test]
async fn a_generated_year_publishes_no_small_or_recoverable_count() {
    let db = support::sqlite().await;
    let made = incidents::generate::generate(&db, 2025, 1, 7, platform::now(), &|_, _| {})
        .await
        .unwrap();
    assert!(made.reports > 80_000, "a realistic year: {}", made.reports);
    let from = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let to = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
    let s = stats::build(&db, from, to, 5).await.unwrap();
    assert_eq!(s.quarters, ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]);
    assert!(s.table.primary() > 0, "the year has small cells to protect");
    assert!(s.table.secondary() > 0);
    assert_safe(&s.table, 5);
    assert_safe(&s.by_platform, 5);
    // The scripts' table.
    let csv = String::from_utf8(s.csv().unwrap()).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("establishment,type,quarter,count"));
    let rows: Vec<&str> = lines.collect();
    assert_eq!(
        rows.len(),
        (s.establishments.len() + 1) * (s.types.len() + 1) * 4
    );
    assert!(rows.iter().any(|r| r.ends_with(",[c]")));
    for r in &rows {
        let count = r.rsplit(',').next().unwrap();
        if count != "[c]" {
            let n: u64 = count.parse().unwrap();
            assert!(n == 0 || n >= 5, "{r}");
        }
    }
    // The same seed makes the same year.
    let again = support::sqlite().await;
    incidents::generate::generate(&again, 2025, 1, 7, platform::now(), &|_, _| {})
        .await
        .unwrap();
    let t = stats::build(&again, from, to, 5).await.unwrap();
    assert_eq!(t.csv().unwrap(), s.csv().unwrap());
}

#[tokio::test]
async fn the_foi_extract_for_seed_001_gives_safe_counts_and_withholds_the_rest_with_reasons() {
    let db = support::sqlite().await;
    incidents::generate::generate(&db, 2024, 2, 11, platform::now(), &|_, _| {})
        .await
        .unwrap();
    let ask = incidents::foi::Ask {
        establishments: [
            "deerbolt",
            "durham",
            "frankland",
            "holme-house",
            "kirklevington-grange",
            "low-newton",
        ]
        .map(str::to_owned)
        .to_vec(),
        types: vec!["social_media".into()],
        platform: Some("facebook".into()),
        from: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
        to: NaiveDate::from_ymd_opt(2025, 12, 31).unwrap(),
    };
    let x = incidents::foi::extract(&db, &ask, 5).await.unwrap();
    assert_eq!(x.establishments.len(), 6);
    assert_eq!(x.years, [2024, 2025]);
    assert_safe(&x.counts, 5);
    assert_safe(&x.investigated, 5);
    assert_safe(&x.outcomes, 5);
    let withheld = x
        .withheld
        .iter()
        .map(|(w, r)| format!("{w}: {r}"))
        .collect::<Vec<_>>()
        .join("\n");
    for part in [
        "section 40(2)",
        "section 31(1)(a) and (f)",
        "What was reported in each incident",
    ] {
        assert!(withheld.contains(part), "{part}");
    }
    let csv = String::from_utf8(x.csv().unwrap()).unwrap();
    assert!(csv.contains("Facebook"), "{csv}");
    assert!(csv.contains("All named establishments"));
    // Unknown names are refused, not ignored.
    let mut bad = ask.clone();
    bad.establishments.push("atlantis".into());
    assert!(incidents::foi::extract(&db, &bad, 5).await.is_err());
}

/// Random reports straight into the table, counted and protected.
async fn protected_for(counts: &[(usize, usize, usize, u64)], threshold: u64) -> stats::Statistics {
    let db = support::sqlite().await;
    let establishments: Vec<String> = platform::registry::list(&db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .take(6)
        .collect();
    let types = ["drone", "social_media", "find", "breach"];
    let mut n = 0;
    let mut tx = db.begin_write().await.unwrap();
    for (e, t, q, k) in counts {
        for _ in 0..*k {
            n += 1;
            let month = 1 + 3 * *q as u32;
            let at = NaiveDate::from_ymd_opt(2025, month, 10)
                .unwrap()
                .and_hms_opt(12, 0, 0)
                .unwrap();
            sqlx::query(
                "INSERT INTO incidents (id, reference, type_code, type_version, status, establishment_id, occurred_at, quarter, title, description, reported_by, reported_by_name, reported_at, version, updated_at) \
                 VALUES ($1, $2, $3, 1, 'closed', $4, $5, $6, 't', 'd', 'x', 'x', 0, 1, 0)",
            )
            .bind(format!("i{n}"))
            .bind(format!("IR-2025-{n:06}"))
            .bind(types[*t])
            .bind(&establishments[*e])
            .bind(at.and_utc().timestamp())
            .bind(incidents::report::quarter_of(at))
            .execute(&mut *tx)
            .await
            .unwrap();
        }
    }
    tx.commit().await.unwrap();
    stats::build(
        &db,
        NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
        NaiveDate::from_ymd_opt(2025, 12, 31).unwrap(),
        threshold,
    )
    .await
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 24,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x1c1d),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn no_published_cell_is_small_or_recoverable(
        counts in proptest::collection::vec((0usize..6, 0usize..4, 0usize..4, prop_oneof![3 => 0u64..6, 1 => 5u64..40]), 1..30),
        threshold in 3u64..8,
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let s = rt.block_on(protected_for(&counts, threshold));
        assert_safe(&s.table, threshold);
        // Every shown count is the true one.
        let mut truth = std::collections::HashMap::new();
        for (e, t, q, k) in &counts {
            *truth.entry((*e, *t, *q)).or_insert(0u64) += k;
        }
        let registry: Vec<String> = rt.block_on(async {
            // The same six the reports were filed at, in the registry's order.
            let db = support::sqlite().await;
            platform::registry::list(&db).await.unwrap().into_iter().map(|e| e.id).take(6).collect()
        });
        let types = ["drone", "social_media", "find", "breach"];
        for ((e, t, q), k) in &truth {
            let ei = s.establishments.iter().position(|x| x.0 == registry[*e]).unwrap();
            let ti = s.types.iter().position(|x| x.0 == types[*t]).unwrap();
            match s.table.get(&[Some(ei), Some(ti), Some(*q)]) {
                Cell::Shown(v) => prop_assert_eq!(v, *k),
                Cell::Suppressed { .. } => {}
            }
        }
        let total: u64 = truth.values().sum();
        if let Cell::Shown(v) = s.table.get(&[None, None, None]) {
            prop_assert_eq!(v, total);
        }
    }
}
