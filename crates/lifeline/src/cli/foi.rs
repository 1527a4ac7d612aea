//! `lifeline foi`: the Freedom of Information clock for staff and
//! scripts, and a generated year of cases to try the statistics on.

use std::process::ExitCode;

use anyhow::Context;
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use server::foi::clock::{self, Clock, Events};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// When a request must be answered: the due date (YYYY-MM-DD) on the
    /// first line, then the working days counted and the bank holidays
    /// skipped. Working days exclude weekends and bank holidays in any
    /// part of the UK (FOIA s.10(6)).
    Deadline(DeadlineArgs),
    /// Fill a database with a year of FOI cases answered as a busy
    /// department would (deterministic for a seed), then print the
    /// year's statistics as CSV.
    Generate(GenerateArgs),
    /// The statistics in the Cabinet Office's categories, by quarter
    /// received, as CSV (one row a quarter; each exemption counted once
    /// per case).
    Stats(StatsArgs),
    /// Redact a PDF as the service does: the file rewritten whole from its
    /// text with every term removed wherever it appears, checked by
    /// reading it back. Refuses scans and encrypted files (exit 2).
    Redact(RedactArgs),
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// sqlite://FILE or postgres://user@host/db: the service's database.
    #[arg(long)]
    database_url: String,
    /// First day received (YYYY-MM-DD).
    #[arg(long)]
    from: NaiveDate,
    /// Last day received (YYYY-MM-DD), inclusive.
    #[arg(long)]
    to: NaiveDate,
}

#[derive(Debug, Args)]
pub struct RedactArgs {
    /// The PDF to redact.
    #[arg(long)]
    input: std::path::PathBuf,
    /// Where to write the redacted PDF.
    #[arg(long)]
    output: std::path::PathBuf,
    /// A word or phrase to remove (repeat for more); case, accents, line
    /// breaks and hyphenation do not hide it.
    #[arg(long = "term")]
    terms: Vec<String>,
}

#[derive(Debug, Args)]
pub struct DeadlineArgs {
    /// The day the request was received (YYYY-MM-DD).
    #[arg(long)]
    received: NaiveDate,
    /// The day a clarification the requester was asked for arrived
    /// (s.1(3)): the 20 days start again from it.
    #[arg(long)]
    clarified: Option<NaiveDate>,
    /// The day a fees notice was sent (s.9): the clock pauses.
    #[arg(long, requires = "fee_paid")]
    fee_notice: Option<NaiveDate>,
    /// The day the fee arrived: the clock restarts the next working day.
    #[arg(long, requires = "fee_notice")]
    fee_paid: Option<NaiveDate>,
    /// Working days added for the public interest test (s.10(3)), at most
    /// 20. The refusal notice is still due on day 20.
    #[arg(long, default_value_t = 0)]
    extension: u32,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// The year to fill.
    #[arg(long)]
    year: i32,
    /// How many requests.
    #[arg(long, default_value_t = 1000)]
    count: u64,
    /// Seed of the generator: the same seed makes the same cases.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// sqlite://FILE (created if missing) or postgres://user@host/db.
    #[arg(long)]
    database_url: String,
}

pub fn run(cmd: Command) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Deadline(a) => deadline(a),
        Command::Generate(a) => generate(a),
        Command::Stats(a) => stats(a),
        Command::Redact(a) => redact(a),
    }
}

fn deadline(a: DeadlineArgs) -> anyhow::Result<ExitCode> {
    let events = Events {
        received: Some(a.received),
        clarification_asked: a.clarified.map(|_| a.received),
        clarified: a.clarified,
        fee_notice: a.fee_notice,
        fee_paid: a.fee_paid,
        extension: a.extension,
    };
    let d = match clock::clock(&events, clock::STATUTORY_DAYS) {
        Ok(Clock::Running(d)) => d,
        Ok(other) => anyhow::bail!("the clock is not running: {other:?}"),
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    println!("{}", d.due.format("%Y-%m-%d"));
    println!(
        "{} working days after {} (day 1 is {})",
        d.working_days,
        d.counted_from.format("%Y-%m-%d"),
        d.day_one.format("%Y-%m-%d")
    );
    if d.due != d.statutory {
        println!(
            "refusal notice due on day 20: {}",
            d.statutory.format("%Y-%m-%d")
        );
    }
    if let Some((from, to)) = d.paused {
        println!(
            "paused for the fee: {} to {}",
            from.format("%Y-%m-%d"),
            to.format("%Y-%m-%d")
        );
    }
    if d.skipped.is_empty() {
        println!("no bank holidays skipped");
    }
    for h in &d.skipped {
        println!("skipped {} {}", h.date.format("%Y-%m-%d"), h.name);
    }
    Ok(ExitCode::SUCCESS)
}

fn generate(a: GenerateArgs) -> anyhow::Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    rt.block_on(async {
        let url = if a.database_url.starts_with("sqlite:") && !a.database_url.contains("mode=") {
            let sep = if a.database_url.contains('?') { '&' } else { '?' };
            format!("{}{sep}mode=rwc", a.database_url)
        } else {
            a.database_url.clone()
        };
        let db = server::open_database(&url, 4, Default::default())
            .await
            .with_context(|| format!("cannot open the database {}", a.database_url))?;
        let bar = ProgressBar::with_draw_target(Some(a.count), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{msg:>8} [{bar:30.cyan/blue}] {human_pos:>7}/{human_len:<7} {per_sec:>10} eta {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_message("cases");
        let staff = |id: &str, name: &str| server::accounts::Actor {
            id: id.into(),
            name: name.into(),
        };
        let config = server::foi::Config::default();
        let today = chrono::Utc::now().date_naive();
        let b = bar.clone();
        let made = server::foi::generate::generate(
            &db,
            server::foi::generate::Plan {
                year: a.year,
                count: a.count,
                seed: a.seed,
                today,
            },
            &config,
            &server::foi::generate::Staff {
                manager: &staff("generated-manager", "FOI team (generated)"),
                responder: &staff("generated-responder", "Responder (generated)"),
                disclosure: &staff("generated-disclosure", "Disclosure team (generated)"),
            },
            &move |done, _| b.set_position(done),
        )
        .await
        .context("cannot generate the cases")?;
        bar.finish_and_clear();
        let from = NaiveDate::from_ymd_opt(a.year, 1, 1).context("year out of range")?;
        let to = NaiveDate::from_ymd_opt(a.year, 12, 31).context("year out of range")?;
        let s = server::foi::stats::build(&db, from, to, today).await?;
        print!("{}", s.csv());
        eprintln!(
            "Generated {} requests, {} internal reviews, {} published in the disclosure log.",
            made.requests, made.reviews, made.published
        );
        db.close().await;
        Ok(ExitCode::SUCCESS)
    })
}

fn stats(a: StatsArgs) -> anyhow::Result<ExitCode> {
    if a.to < a.from {
        anyhow::bail!("--to ({}) is before --from ({})", a.to, a.from);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    rt.block_on(async {
        let db = server::open_database(&a.database_url, 4, Default::default())
            .await
            .with_context(|| format!("cannot open the database {}", a.database_url))?;
        let today = chrono::Utc::now().date_naive();
        let s = server::foi::stats::build(&db, a.from, a.to, today).await?;
        print!("{}", s.csv());
        db.close().await;
        Ok(ExitCode::SUCCESS)
    })
}

fn redact(a: RedactArgs) -> anyhow::Result<ExitCode> {
    let bytes =
        std::fs::read(&a.input).with_context(|| format!("cannot read {}", a.input.display()))?;
    let terms: Vec<&str> = a.terms.iter().map(String::as_str).collect();
    match server::foi::redact(&bytes, &terms) {
        Ok(r) => {
            std::fs::write(&a.output, &r.pdf)
                .with_context(|| format!("cannot write {}", a.output.display()))?;
            eprintln!(
                "{} pages written to {}; {} passages removed.",
                r.pages,
                a.output.display(),
                r.removed
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("error: {}: {e}", a.input.display());
            Ok(ExitCode::from(2))
        }
    }
}
