//! `lifeline incidents`: the security incidents system's statistics for
//! scripts, and a realistic year of reports to try them on.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Counts of reported incidents by establishment, type and quarter,
    /// after disclosure control, as CSV (`establishment,type,quarter,count`;
    /// a suppressed count is `[c]`). The tables' notes go to standard
    /// error.
    Stats(StatsArgs),
    /// Fill a database with a realistic year of incident reports across
    /// every establishment (deterministic for a seed).
    Generate(GenerateArgs),
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// sqlite://FILE or postgres://user@host/db: the service's database.
    #[arg(long)]
    database_url: String,
    /// First day of the period (YYYY-MM-DD).
    #[arg(long)]
    from: NaiveDate,
    /// Last day of the period (YYYY-MM-DD), inclusive.
    #[arg(long)]
    to: NaiveDate,
    /// Counts below this are suppressed (default 5).
    #[arg(long, default_value_t = 5)]
    min_count: u64,
    /// Write the CSV here instead of standard output.
    #[arg(long)]
    output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// The (first) year to fill.
    #[arg(long)]
    year: i32,
    /// How many years from `--year` on (default 1).
    #[arg(long, default_value_t = 1)]
    years: u32,
    /// Seed of the generator: the same seed makes the same reports.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// sqlite://FILE (created if missing) or postgres://user@host/db.
    #[arg(long)]
    database_url: String,
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// A SQLite URL that creates its file when missing.
fn creating(url: &str) -> String {
    if url.starts_with("sqlite:") && !url.contains("mode=") {
        let sep = if url.contains('?') { '&' } else { '?' };
        format!("{url}{sep}mode=rwc")
    } else {
        url.to_owned()
    }
}

pub fn run(cmd: Command) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Stats(a) => stats(a),
        Command::Generate(a) => generate(a),
    }
}

fn stats(a: StatsArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let db = server::open_database(&a.database_url, 4, Default::default())
            .await
            .with_context(|| format!("cannot open the database {}", a.database_url))?;
        let s = server::incidents::stats::build(&db, a.from, a.to, a.min_count)
            .await
            .context("cannot build the statistics")?;
        let csv = s.csv()?;
        match &a.output {
            Some(path) => std::fs::write(path, &csv)
                .with_context(|| format!("cannot write {}", path.display()))?,
            None => std::io::stdout()
                .write_all(&csv)
                .context("cannot write to standard output")?,
        }
        let mut err = std::io::stderr();
        for n in s.notes() {
            let _ = writeln!(err, "Note: {n}");
        }
        let _ = writeln!(
            err,
            "{} counts suppressed as under {}, {} more to protect them.",
            s.table.primary(),
            a.min_count,
            s.table.secondary()
        );
        db.close().await;
        Ok(ExitCode::SUCCESS)
    })
}

fn generate(a: GenerateArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let url = creating(&a.database_url);
        let db = server::open_database(&url, 4, Default::default())
            .await
            .with_context(|| format!("cannot open the database {}", a.database_url))?;
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{msg:>12} [{bar:30.cyan/blue}] {human_pos:>9}/{human_len:<9} {per_sec:>12} eta {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.set_message("reports");
        let b = bar.clone();
        let made = server::incidents::generate::generate(
            &db,
            a.year,
            a.years,
            a.seed,
            chrono::Utc::now().timestamp(),
            &move |done, total| {
                b.set_length(total);
                b.set_position(done);
            },
        )
        .await
        .context("cannot generate the reports")?;
        bar.finish_and_clear();
        println!(
            "Generated {} incident reports for {} at {} establishments.",
            made.reports,
            made.years
                .iter()
                .map(|y| y.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            server::incidents::stats::establishment_count(&db).await?
        );
        db.close().await;
        Ok(ExitCode::SUCCESS)
    })
}
