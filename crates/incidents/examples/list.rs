//! Measures the incident lists staff page through: fills a database with
//! generated years of reports if asked, then times pages of the list under
//! the filters the list page offers, as each kind of user sees them, and
//! prints the median and 99th percentile of each.
//!
//! ```text
//! cargo run --release -p incidents --example list -- \
//!     --database-url sqlite:///tmp/incidents.db --generate 2017:9 --pages 200
//! ```

use std::time::Instant;

use incidents::report::{self, Filter, Scope};
use incidents::workflow::Status;
use platform::db::{Db, Sync};

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// A list to time: the scope and filter of its `i`th request.
type Case<'a> = Box<dyn Fn(usize) -> (Scope, Filter) + 'a>;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> platform::Result<()> {
    let url = arg("--database-url").unwrap_or_else(|| "sqlite:///tmp/incidents.db?mode=rwc".into());
    let pages: usize = arg("--pages").and_then(|p| p.parse().ok()).unwrap_or(200);
    let db = Db::connect(
        &url,
        4,
        Sync::Normal,
        &[platform::db::MIGRATIONS, incidents::MIGRATIONS],
    )
    .await?;
    platform::registry::seed(&db).await?;
    incidents::seed(&db).await?;
    if let Some(g) = arg("--generate") {
        let (year, years) = g.split_once(':').unwrap_or((&g, "1"));
        let t = Instant::now();
        let made = incidents::generate::generate(
            &db,
            year.parse().expect("--generate YEAR:YEARS"),
            years.parse().expect("--generate YEAR:YEARS"),
            1,
            platform::now(),
            &|done, total| {
                if done == total {
                    eprintln!("  a year: {total} reports");
                }
            },
        )
        .await?;
        eprintln!(
            "generated {} reports in {:.1} s",
            made.reports,
            t.elapsed().as_secs_f64()
        );
    }
    // What the service's hourly platform.optimize job does.
    let t = Instant::now();
    db.optimize().await?;
    eprintln!(
        "planner statistics refreshed in {:.2} s",
        t.elapsed().as_secs_f64()
    );
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM incidents")
        .fetch_one(db.pool())
        .await?;
    let establishments: Vec<String> = platform::registry::list(&db)
        .await?
        .into_iter()
        .map(|e| e.id)
        .collect();
    let newest: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(occurred_at), 0) FROM incidents")
        .fetch_one(db.pool())
        .await?;
    println!(
        "{total} reports, {} establishments, {:?}",
        establishments.len(),
        db.backend()
    );
    let national = Scope {
        establishments: None,
        reporter: Some("nobody".into()),
    };
    let team = |i: usize| Scope {
        establishments: Some(vec![establishments[i % establishments.len()].clone()]),
        reporter: Some("nobody".into()),
    };
    let cases: Vec<(&str, Case)> = vec![
        (
            "national, no filter",
            Box::new(|_| (national.clone(), Filter::default())),
        ),
        (
            "national, one establishment",
            Box::new(|i| {
                (
                    national.clone(),
                    Filter {
                        establishment: Some(establishments[i % establishments.len()].clone()),
                        ..Filter::default()
                    },
                )
            }),
        ),
        (
            "national, status awaiting review",
            Box::new(|_| {
                (
                    national.clone(),
                    Filter {
                        status: Some(Status::AwaitingReview),
                        ..Filter::default()
                    },
                )
            }),
        ),
        (
            "national, type social media",
            Box::new(|_| {
                (
                    national.clone(),
                    Filter {
                        type_code: Some("social_media".into()),
                        ..Filter::default()
                    },
                )
            }),
        ),
        (
            "national, a month",
            Box::new(|i| {
                (
                    national.clone(),
                    Filter {
                        from: Some(newest - (i as i64 % 12 + 1) * 30 * 86_400),
                        to: Some(newest - (i as i64 % 12) * 30 * 86_400),
                        ..Filter::default()
                    },
                )
            }),
        ),
        (
            "national, type + status + establishment",
            Box::new(|i| {
                (
                    national.clone(),
                    Filter {
                        establishment: Some(establishments[i % establishments.len()].clone()),
                        status: Some(Status::Closed),
                        type_code: Some("drone".into()),
                        ..Filter::default()
                    },
                )
            }),
        ),
        (
            "security team, own establishment",
            Box::new(|i| (team(i), Filter::default())),
        ),
        (
            "security team, status on hold",
            Box::new(|i| {
                (
                    team(i),
                    Filter {
                        status: Some(Status::OnHold),
                        ..Filter::default()
                    },
                )
            }),
        ),
        (
            "title search",
            Box::new(|_| {
                (
                    national.clone(),
                    Filter {
                        text: Some("drone".into()),
                        ..Filter::default()
                    },
                )
            }),
        ),
    ];
    println!(
        "{:<42} {:>10} {:>10} {:>10}",
        "list", "median ms", "p99 ms", "max ms"
    );
    for (name, make) in &cases {
        let mut times = Vec::new();
        for i in 0..pages {
            let (scope, filter) = make(i);
            // First pages and pages deep in the list, through the cursor.
            let mut after = None;
            let depth = i % 5;
            for _ in 0..=depth {
                let t = Instant::now();
                let (_, next) = report::list(&db, &scope, &filter, after.as_ref(), 50).await?;
                times.push(t.elapsed().as_secs_f64() * 1000.0);
                match next {
                    Some(n) => after = Some(n),
                    None => break,
                }
            }
        }
        times.sort_by(|a, b| a.total_cmp(b));
        println!(
            "{:<42} {:>10.2} {:>10.2} {:>10.2}",
            name,
            percentile(&times, 0.5),
            percentile(&times, 0.99),
            times.last().copied().unwrap_or(f64::NAN)
        );
    }
    Ok(())
}
