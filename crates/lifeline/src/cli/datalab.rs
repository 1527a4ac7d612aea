//! `lifeline datalab ...` and `lifeline demo`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use datalab::intake;
use datalab::national::Manifest;
use datalab::postcode::Region;
use datalab::synth::{self, Config, Summary};

use crate::progress::Bars;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate a synthetic national dataset and a provider cohort.
    ///
    /// Writes DIR/national/ (Parquet tables and manifest.toml),
    /// DIR/cohort.csv and DIR/request.toml (the provider's submission), and
    /// DIR/truth/ (who each cohort row really is, and the planted effect).
    /// The same seed always gives the same data.
    Generate(GenerateArgs),
    /// Check a provider's cohort file and request before processing.
    ///
    /// Accepts CSV or Excel (.xlsx) in the lab's template. Prints the
    /// decision, the reasons and every problem row by row with how to fix
    /// it. Exit status: 0 accepted, 1 rejected, 2 usage error.
    Validate(ValidateArgs),
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The cohort file (.csv or .xlsx).
    #[arg(long)]
    cohort: PathBuf,
    /// The request metadata (request.toml).
    #[arg(long)]
    request: PathBuf,
    /// Print the report as JSON instead of text.
    #[arg(long)]
    json: bool,
    /// Fewest usable rows the lab will accept.
    #[arg(long, default_value_t = 60)]
    min_records: usize,
    /// A national dataset directory whose coverage decides which
    /// intervention dates can be measured (default: 2002 to an extract at
    /// the end of 2020).
    #[arg(long)]
    reference: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// People in the national records (the real lab's copy holds about 3.6 million).
    #[arg(long, default_value_t = 100_000)]
    people: u64,
    /// Seed for every random draw.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Output directory (created if missing).
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    cohort: CohortArgs,
    /// Show no progress bars.
    #[arg(long)]
    quiet: bool,
}

#[derive(Debug, Args)]
pub struct CohortArgs {
    /// Rows in the provider's cohort.
    #[arg(long, default_value_t = 1_000)]
    cohort: usize,
    /// Recording-error level: 0 exact, 1 realistic, 2 twice as many errors.
    #[arg(long, default_value_t = 1.0)]
    noise: f64,
    /// The planted effect: hazard ratio of reoffending in the year after the
    /// index event for those who attended (1 = no effect).
    #[arg(long, default_value_t = 0.8)]
    hazard_ratio: f64,
    /// The region the provider works in.
    #[arg(long, default_value = "North West")]
    region: Region,
    /// First day of the intervention window.
    #[arg(long, default_value = "2014-01-01")]
    window_from: NaiveDate,
    /// Last day of the intervention window.
    #[arg(long, default_value = "2016-12-31")]
    window_to: NaiveDate,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where to write the demo data.
    #[arg(long, default_value = "data/demo")]
    out: PathBuf,
    /// Show no progress bars.
    #[arg(long)]
    quiet: bool,
}

pub fn run(cmd: Command) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Generate(args) => {
            let cfg = Config {
                people: args.people,
                seed: args.seed,
                cohort: args.cohort.cohort,
                noise: args.cohort.noise,
                hazard_ratio: args.cohort.hazard_ratio,
                region: args.cohort.region,
                window_from: args.cohort.window_from,
                window_to: args.cohort.window_to,
                ..Config::default()
            };
            let summary = generate(&cfg, &args.out, args.quiet)?;
            print_summary(&summary);
            Ok(ExitCode::SUCCESS)
        }
        Command::Validate(args) => validate(&args),
    }
}

fn validate(args: &ValidateArgs) -> anyhow::Result<ExitCode> {
    let mut settings = intake::Settings {
        min_records: args.min_records,
        ..intake::Settings::default()
    };
    if let Some(dir) = &args.reference {
        let national = if dir.join(Manifest::FILE).exists() {
            dir.clone()
        } else {
            dir.join("national")
        };
        settings.coverage = Manifest::read(&national)
            .context("reading the reference data's coverage")?
            .coverage;
    }
    // Validation only: the usable rows are not kept.
    let report = intake::validate(&args.cohort, &args.request, &settings, |_| {})
        .with_context(|| format!("cannot check {}", args.cohort.display()))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.to_text());
    }
    Ok(if report.accepted() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn generate(cfg: &Config, out: &Path, quiet: bool) -> anyhow::Result<Summary> {
    let started = Instant::now();
    let summary = synth::generate(cfg, out, &Bars::new(quiet))
        .with_context(|| format!("generating the national dataset in {}", out.display()))?;
    if !quiet {
        eprintln!("generated in {:.1} s", started.elapsed().as_secs_f64());
    }
    Ok(summary)
}

fn print_summary(s: &Summary) {
    println!("National records in {}:", s.out.join("national").display());
    for (table, rows) in &s.rows {
        println!("  {table:<12} {rows:>12} rows");
    }
    let e = &s.effect;
    println!(
        "Provider cohort: {} ({} rows; {} in the national records)",
        s.out.join("cohort.csv").display(),
        e.cohort_rows,
        e.in_national
    );
    println!("Ground truth: {}", s.out.join("truth").display());
    println!(
        "  one-year proven reoffending of the cohort: {:.1}% as treated, {:.1}% had they not attended",
        100.0 * e.cohort_rate_treated,
        100.0 * e.cohort_rate_untreated
    );
    println!(
        "  true effect {:+.1} points; a naive comparison with the {} other eligible people ({:.1}%) would say {:+.1}",
        100.0 * e.true_effect,
        e.eligible - e.in_national as u64,
        100.0 * e.pool_rate,
        100.0 * e.naive_difference
    );
}

/// The embedded default: a small dataset, generated and then checked.
pub fn demo(args: DemoArgs) -> anyhow::Result<ExitCode> {
    let cfg = Config::default();
    let summary = generate(&cfg, &args.out, args.quiet)?;
    print_summary(&summary);
    println!();
    validate(&ValidateArgs {
        cohort: args.out.join("cohort.csv"),
        request: args.out.join("request.toml"),
        json: false,
        min_records: 60,
        reference: Some(args.out.join("national")),
    })
}
