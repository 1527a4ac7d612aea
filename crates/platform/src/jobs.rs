//! The job runner: every system's scheduled work (retention sweeps, the
//! Data Lab's destruction sweep, session expiry) registered in one place and
//! run by one loop per job.
//!
//! Several instances may run on one database. A job marked *exclusive*
//! runs on one instance per interval: before each run the instance takes
//! the job's lease (one conditional upsert on `job_leases`, which only one
//! instance can win until the lease runs out), so a retention sweep is not
//! done twice at once. A lease left by an instance that died runs out after
//! the interval. Jobs stay idempotent all the same (a lease is a courtesy to
//! the database, not the only guard: each sweep deletes with conditions
//! that make a second pass a no-op).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::db::Db;
use crate::error::Result;

/// A boxed future, for jobs stored beside one another.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

type Work = Arc<dyn Fn() -> BoxFuture<'static, Result<u64>> + Send + Sync>;

/// One scheduled job.
#[derive(Clone)]
pub struct Job {
    /// A unique name, `system.job` ("visits.retention").
    pub name: &'static str,
    /// How often it runs.
    pub every: Duration,
    /// Whether only one instance runs it per interval.
    pub exclusive: bool,
    work: Work,
}

impl Job {
    /// A job running `work` every `every`; `work` returns how many records
    /// it dealt with (logged when not zero).
    pub fn new<F, Fut>(name: &'static str, every: Duration, exclusive: bool, work: F) -> Job
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<u64>> + Send + 'static,
    {
        Job {
            name,
            every: every.max(Duration::from_secs(1)),
            exclusive,
            work: Arc::new(move || Box::pin(work())),
        }
    }

    /// Runs the job once now, as its timer would (without the lease).
    pub async fn run_once(&self) -> Result<u64> {
        (self.work)().await
    }
}

/// Takes `job`'s lease for one interval, for `holder`. `true` when this
/// instance holds it now.
pub async fn take_lease(db: &Db, job: &str, holder: &str, now: i64, secs: i64) -> Result<bool> {
    let won: Option<String> = sqlx::query_scalar(
        "INSERT INTO job_leases (name, holder, until) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until \
         WHERE job_leases.until <= $4 \
         RETURNING holder",
    )
    .bind(job)
    .bind(holder)
    .bind(now + secs)
    .bind(now)
    .fetch_optional(db.writer())
    .await?;
    Ok(won.as_deref() == Some(holder))
}

/// Starts one loop per job until `stop` turns true. Each loop runs its job
/// a little after the start (the interval, or a minute if that is sooner:
/// instances starting together, and tests setting up their data, are not
/// raced by a sweep at the first instant), then every interval.
pub fn spawn(db: Db, jobs: Vec<Job>, stop: watch::Receiver<bool>) -> Vec<JoinHandle<()>> {
    let holder = crate::ids::random_token(8);
    jobs.into_iter()
        .map(|job| {
            let (db, holder, mut stop) = (db.clone(), holder.clone(), stop.clone());
            tokio::spawn(async move {
                let mut wait = job.every.min(Duration::from_secs(60));
                loop {
                    tokio::select! {
                        _ = tokio::time::sleep(wait) => {}
                        _ = stop.wait_for(|s| *s) => break,
                    }
                    wait = job.every;
                    let mine = !job.exclusive
                        || match take_lease(
                            &db,
                            job.name,
                            &holder,
                            crate::now(),
                            job.every.as_secs() as i64,
                        )
                        .await
                        {
                            Ok(mine) => mine,
                            Err(e) => {
                                tracing::warn!(job = job.name, error = %e, "cannot take the job's lease");
                                false
                            }
                        };
                    if mine {
                        match job.run_once().await {
                            Ok(0) => {}
                            Ok(n) => tracing::info!(job = job.name, records = n, "job ran"),
                            Err(e) => tracing::warn!(job = job.name, error = %e, "job failed"),
                        }
                    }
                }
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_instance_holds_a_lease_until_it_runs_out() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
        let db = Db::connect(&url, 2, crate::db::Sync::Normal, &[crate::db::MIGRATIONS])
            .await
            .unwrap();
        assert!(
            take_lease(&db, "visits.retention", "a", 1000, 60)
                .await
                .unwrap()
        );
        assert!(
            !take_lease(&db, "visits.retention", "b", 1030, 60)
                .await
                .unwrap()
        );
        assert!(take_lease(&db, "other.job", "b", 1030, 60).await.unwrap());
        assert!(
            take_lease(&db, "visits.retention", "b", 1060, 60)
                .await
                .unwrap()
        );
        assert!(
            !take_lease(&db, "visits.retention", "a", 1061, 60)
                .await
                .unwrap()
        );
    }
}
