//! A generated year of cases: the statistics add up, each exemption is
//! counted once per case, and the disclosure log holds what was published.

mod support;

use chrono::NaiveDate;
use foi::stats;
use support::actor;

#[tokio::test]
async fn a_generated_year_adds_up() {
    for db in support::both().await {
        let config = foi::Config::default();
        let today = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
        let made = foi::generate::generate(
            &db,
            foi::generate::Plan {
                year: 2025,
                count: 300,
                seed: 7,
                today,
            },
            &config,
            &foi::generate::Staff {
                manager: &actor("m1"),
                responder: &actor("r1"),
                disclosure: &actor("d1"),
            },
            &|_, _| {},
        )
        .await
        .unwrap();
        assert!(made.requests > 250, "{made:?}");
        assert!(made.reviews > 0 && made.published > 0, "{made:?}");
        let from = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        let s = stats::build(&db, from, today, today).await.unwrap();
        assert_eq!(s.quarters.len(), 4);
        let received: u64 = s.quarters.iter().map(|q| q.received).sum();
        let in_db: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM foi_cases WHERE kind = 'request'")
                .fetch_one(db.pool())
                .await
                .unwrap();
        assert_eq!(received, in_db as u64);
        for q in &s.quarters {
            // Every request is answered in time, in an extension, late,
            // still open, or lapsed, once.
            let sent_late = q.answered - q.in_time - q.in_time_extended;
            assert!(q.late >= sent_late);
            assert_eq!(
                q.received,
                q.answered + q.open + q.lapsed + (q.late - sent_late),
                "{q:?}"
            );
            // Every answer has one outcome.
            let outcomes = q.granted
                + q.part_granted
                + q.withheld
                + q.not_held
                + q.ncnd
                + q.cost
                + q.vexatious_or_repeated
                + q.no_clarification;
            assert_eq!(outcomes, q.answered, "{q:?}");
            assert_eq!(
                q.reviews,
                q.reviews_upheld + q.reviews_part + q.reviews_overturned + q.reviews_open
            );
        }
        // Each exemption counted once per case that applied it.
        let per_case: Vec<(String, i64)> = sqlx::query_as(
            "SELECT e.code, COUNT(DISTINCT e.case_id) FROM foi_exemptions e JOIN foi_cases c ON c.id = e.case_id \
             WHERE c.kind = 'request' AND c.status = 'closed' GROUP BY e.code",
        )
        .fetch_all(db.pool())
        .await
        .unwrap();
        assert!(!per_case.is_empty());
        for (code, n) in per_case {
            let counted: u64 = s
                .quarters
                .iter()
                .map(|q| q.exemptions.get(&code).copied().unwrap_or(0))
                .sum();
            assert_eq!(counted, n as u64, "{code}");
        }
        let csv = s.csv();
        assert_eq!(csv.lines().count(), 5);
        assert!(csv.starts_with("quarter,received,"));
        let chart = s.chart().into_string();
        assert!(
            chart.contains("<svg") && chart.contains("2025-03:"),
            "{chart}"
        );
        let published: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM foi_cases WHERE published = 1")
                .fetch_one(db.pool())
                .await
                .unwrap();
        assert_eq!(published as u64, made.published);
    }
}
