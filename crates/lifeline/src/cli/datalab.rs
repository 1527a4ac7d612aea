//! `lifeline datalab ...` and `lifeline demo`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use datalab::intake::{self, CohortRow};
use datalab::link::LabKey;
use datalab::link::lab::{self, National};
use datalab::national::Manifest;
use datalab::postcode::Region;
use datalab::progress::Progress;
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
    /// Link a validated cohort to the national records.
    ///
    /// Checks the cohort as `validate` does (a rejected cohort stops here),
    /// then finds each row's national person: by identifiers confirmed by
    /// name and date of birth, then by probabilistic (Fellegi-Sunter)
    /// matching. Writes DIR/linkage.csv (each row's status and pseudonymous
    /// ID) and DIR/linkage.json (with each match explained field by field,
    /// and the fitted model). No name, date of birth or identifier is
    /// written.
    Link(LinkArgs),
    /// Analyse a cohort: validate, link, find each person's index event,
    /// build a matched comparison group from everyone else in the national
    /// records and compare one-year proven reoffending.
    ///
    /// Writes the linkage files, DIR/results.json (attrition, propensity
    /// model, balance, every measure with its interval, p-value and
    /// headline) and DIR/balance.csv, and prints the headlines.
    Analyse(super::analyse::AnalyseArgs),
    /// Run a request end to end and issue the standard report.
    ///
    /// Intake, linkage, index events, matching, outcomes and tests,
    /// disclosure control (including the differencing check against every
    /// earlier issued cohort) and the report, with progress; stops with the
    /// stage and the reason if the request cannot go on (exit status 1).
    /// Writes DIR/report.html, DIR/report.pdf and DIR/report.json: the
    /// aggregates only, nothing individual-level.
    Run(super::run::RunArgs),
    /// Simulation study of the method: generate datasets with a planted
    /// effect over many seeds, analyse each, and report the bias and the
    /// coverage of the 95% intervals, matched and naive.
    Study(super::analyse::StudyArgs),
}

/// A provider's submission and what the lab checks it against: shared by
/// `link`, `analyse` and `run`.
#[derive(Debug, Args)]
pub struct RequestArgs {
    /// The cohort file (.csv or .xlsx).
    #[arg(long)]
    pub(super) cohort: PathBuf,
    /// The request metadata (request.toml).
    #[arg(long)]
    pub(super) request: PathBuf,
    /// The national dataset directory (as written by `generate`).
    #[arg(long)]
    pub(super) reference: PathBuf,
    /// The lab's pseudonymisation key (created, readable only by its owner,
    /// if it does not exist).
    #[arg(long, default_value = "data/lab.key")]
    pub(super) key: PathBuf,
}

#[derive(Debug, Args)]
pub struct LinkArgs {
    #[command(flatten)]
    pub(super) submission: RequestArgs,
    /// Where to write linkage.csv and linkage.json.
    #[arg(long)]
    pub(super) out: PathBuf,
    /// Match probability a candidate must reach.
    #[arg(long, default_value_t = 0.99)]
    pub(super) threshold: f64,
    /// Show no progress bars.
    #[arg(long)]
    pub(super) quiet: bool,
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
        Command::Link(args) => link(&args),
        Command::Analyse(args) => super::analyse::run(&args),
        Command::Run(args) => super::run::run(&args),
        Command::Study(args) => super::analyse::study(&args),
    }
}

impl RequestArgs {
    /// Validates the submission as intake does, against the reference
    /// data's coverage (read from its manifest alone, so a rejection comes
    /// before the seconds of loading the records); `None` when it is
    /// rejected, after printing intake's report.
    pub(super) fn accepted(&self) -> anyhow::Result<Option<(intake::Report, Vec<CohortRow>)>> {
        let manifest = Manifest::read(&Manifest::locate(&self.reference))
            .context("reading the national dataset")?;
        let settings = intake::Settings {
            coverage: manifest.coverage,
            ..intake::Settings::default()
        };
        let mut rows = Vec::new();
        let report = intake::validate(&self.cohort, &self.request, &settings, |row| rows.push(row))
            .with_context(|| format!("cannot check {}", self.cohort.display()))?;
        if report.accepted() {
            Ok(Some((report, rows)))
        } else {
            print!("{}", report.to_text());
            Ok(None)
        }
    }

    /// The lab's key, made (and said so) if it does not exist yet.
    pub(super) fn key(&self) -> anyhow::Result<LabKey> {
        let (key, created) = LabKey::read_or_create(&self.key).context("loading the lab's key")?;
        if created {
            eprintln!(
                "made a new lab key in {} (keep it: every pseudonym depends on it)",
                self.key.display()
            );
        }
        Ok(key)
    }
}

impl LinkArgs {
    /// Linkage's settings, once `--threshold` is known to be a probability.
    pub(super) fn settings(&self) -> anyhow::Result<lab::Settings> {
        anyhow::ensure!(
            self.threshold > 0.0 && self.threshold < 1.0,
            "--threshold is a match probability: give a number between 0 and 1, such as 0.99"
        );
        Ok(lab::Settings {
            threshold: self.threshold,
            ..lab::Settings::default()
        })
    }
}

/// Validates and links a cohort, writing the linkage files.
fn link(args: &LinkArgs) -> anyhow::Result<ExitCode> {
    let settings = args.settings()?;
    let Some((_, rows)) = args.submission.accepted()? else {
        return Ok(ExitCode::from(1));
    };
    let key = args.submission.key()?;
    let started = Instant::now();
    let bars = Bars::new(args.quiet);
    bars.start("reading national records", 0);
    let national = National::load(&Manifest::locate(&args.submission.reference))
        .context("reading the national records")?;
    bars.finish();
    let linkage =
        lab::link_cohort(&rows, &national, &settings, &key, &bars).context("linking the cohort")?;
    let seconds = started.elapsed().as_secs_f64();
    write_linkage(&args.out, &linkage)?;
    print_linkage(&linkage, national.len(), seconds, &args.out);
    Ok(ExitCode::SUCCESS)
}

pub(super) fn write_linkage(out: &Path, linkage: &lab::Linkage) -> anyhow::Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let path = out.join("linkage.csv");
    let mut w =
        csv::Writer::from_path(&path).with_context(|| format!("writing {}", path.display()))?;
    w.write_record([
        "row",
        "status",
        "pseudonym",
        "tier",
        "match_weight",
        "match_probability",
        "reason",
    ])?;
    for r in &linkage.rows {
        w.write_record([
            r.row.to_string(),
            r.status.name().to_string(),
            r.pseudonym.clone().unwrap_or_default(),
            r.tier.map(|t| t.name().to_string()).unwrap_or_default(),
            r.match_weight
                .map(|w| format!("{w:.3}"))
                .unwrap_or_default(),
            r.match_probability
                .map(|p| format!("{p:.6}"))
                .unwrap_or_default(),
            r.reason.clone().unwrap_or_default(),
        ])?;
    }
    w.flush()?;
    let path = out.join("linkage.json");
    std::fs::write(&path, serde_json::to_string_pretty(linkage)?)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

pub(super) fn print_linkage(l: &lab::Linkage, people: usize, seconds: f64, out: &Path) {
    let t = &l.tally;
    let rows = l.rows.len();
    println!("Linked {rows} cohort rows to {people} national records in {seconds:.1} s.");
    println!(
        "  matched            {:>7}  ({:.1}% match rate)",
        t.matched,
        100.0 * l.match_rate
    );
    println!("  duplicate          {:>7}", t.duplicate);
    println!("  suspect, discarded {:>7}", t.suspect_discarded);
    println!("  not found          {:>7}", t.not_found);
    println!(
        "Candidate pairs: {} from {} blocking rules.",
        l.candidate_pairs,
        l.blocking.len()
    );
    let unsettled = l.model.unsettled();
    if unsettled.is_empty() {
        println!("Model: EM converged in every session.");
    } else {
        println!(
            "Model: EM stopped at its iteration limit without converging for: {}.",
            unsettled.join("; ")
        );
    }
    println!(
        "Results: {} and {}",
        out.join("linkage.csv").display(),
        out.join("linkage.json").display()
    );
}

fn validate(args: &ValidateArgs) -> anyhow::Result<ExitCode> {
    let mut settings = intake::Settings {
        min_records: args.min_records,
        ..intake::Settings::default()
    };
    if let Some(dir) = &args.reference {
        settings.coverage = Manifest::read(&Manifest::locate(dir))
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
    let checked = validate(&ValidateArgs {
        cohort: args.out.join("cohort.csv"),
        request: args.out.join("request.toml"),
        json: false,
        min_records: 60,
        reference: Some(args.out.join("national")),
    })?;
    if checked != ExitCode::SUCCESS {
        return Ok(checked);
    }
    println!();
    super::run::run(&super::run::RunArgs {
        submission: RequestArgs {
            cohort: args.out.join("cohort.csv"),
            request: args.out.join("request.toml"),
            reference: args.out.clone(),
            key: args.out.join("lab.key"),
        },
        out: args.out.join("report"),
        register: args.out.join("released-cohorts.csv"),
        id: None,
        matching: super::analyse::MatchingArgs::default(),
        no_pdf: false,
        quiet: args.quiet,
    })
}
