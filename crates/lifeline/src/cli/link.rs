//! `lifeline link` and `lifeline dedupe`: the general linkage tool.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use datalab::link::table::Table;
use datalab::link::tool::{self, Outcome, Settings};

use crate::progress::Bars;

#[derive(Debug, Args)]
pub struct LinkArgs {
    /// The left table (.csv or .parquet).
    #[arg(long)]
    left: PathBuf,
    /// The right table (.csv or .parquet).
    #[arg(long)]
    right: PathBuf,
    #[command(flatten)]
    common: Common,
}

#[derive(Debug, Args)]
pub struct DedupeArgs {
    /// The table to find duplicates in (.csv or .parquet).
    #[arg(long)]
    input: PathBuf,
    /// Also write each record's cluster (records linked through pairs above
    /// the threshold) to this CSV.
    #[arg(long)]
    clusters: Option<PathBuf>,
    #[command(flatten)]
    common: Common,
}

#[derive(Debug, Args)]
struct Common {
    /// Settings (TOML): comparisons, blocking rules, threshold. Without it,
    /// settings are inferred from the column names and shown.
    #[arg(long)]
    settings: Option<PathBuf>,
    /// Where to write the pairs above the threshold (CSV).
    #[arg(long, required_unless_present = "print_settings")]
    out: Option<PathBuf>,
    /// Also write the fitted model and run details as JSON.
    #[arg(long)]
    report: Option<PathBuf>,
    /// Print the settings that would be used (inferred or read) and stop.
    #[arg(long)]
    print_settings: bool,
    /// No progress bars, and no inferred settings on standard error.
    #[arg(long)]
    quiet: bool,
}

fn settings(common: &Common, left: &Table, right: &Table) -> anyhow::Result<Settings> {
    match &common.settings {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            Settings::from_toml(&text).with_context(|| format!("in {}", path.display()))
        }
        None => {
            let s =
                Settings::infer(left, right).context("inferring settings from the column names")?;
            if !common.quiet && !common.print_settings {
                eprintln!(
                    "No --settings given; using these, inferred from the column names (save them to a file and pass --settings to change them):\n\n{}",
                    s.to_toml()
                );
            }
            Ok(s)
        }
    }
}

fn read(path: &Path) -> anyhow::Result<Table> {
    Table::read(path).with_context(|| format!("reading {}", path.display()))
}

pub fn link(args: LinkArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let left = read(&args.left)?;
    let right = read(&args.right)?;
    let settings = settings(&args.common, &left, &right)?;
    if args.common.print_settings {
        print!("{}", settings.to_toml());
        return Ok(ExitCode::SUCCESS);
    }
    let outcome = tool::run(
        &left,
        Some(&right),
        &settings,
        &Bars::new(args.common.quiet),
    )?;
    finish(&args.common, &outcome, started, None)
}

pub fn dedupe(args: DedupeArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let table = read(&args.input)?;
    let settings = settings(&args.common, &table, &table)?;
    if args.common.print_settings {
        print!("{}", settings.to_toml());
        return Ok(ExitCode::SUCCESS);
    }
    let outcome = tool::run(&table, None, &settings, &Bars::new(args.common.quiet))?;
    finish(&args.common, &outcome, started, args.clusters.as_deref())
}

fn finish(
    common: &Common,
    o: &Outcome,
    started: Instant,
    clusters: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let out = common.out.as_deref().context("--out is needed")?;
    write_pairs(out, o)?;
    if let (Some(path), Some(c)) = (clusters, &o.clusters) {
        let mut w =
            csv::Writer::from_path(path).with_context(|| format!("writing {}", path.display()))?;
        w.write_record(["id", "cluster"])?;
        for (id, cluster) in c {
            w.write_record([id.as_str(), &cluster.to_string()])?;
        }
        w.flush()?;
    }
    if let Some(path) = &common.report {
        std::fs::write(path, serde_json::to_string_pretty(o)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    if !common.quiet {
        for note in &o.notes {
            eprintln!("note: {note}");
        }
        let unsettled = o.model.unsettled();
        eprintln!(
            "{} pairs above {} (of {} candidate pairs) in {:.1} s; EM {}.",
            o.pairs.len(),
            o.settings.threshold,
            o.candidate_pairs,
            started.elapsed().as_secs_f64(),
            if unsettled.is_empty() {
                "converged for every blocking rule".to_string()
            } else {
                format!(
                    "stopped at its iteration limit for: {}",
                    unsettled.join("; ")
                )
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn write_pairs(path: &Path, o: &Outcome) -> anyhow::Result<()> {
    let mut w =
        csv::Writer::from_path(path).with_context(|| format!("writing {}", path.display()))?;
    let mut header = vec![
        "left_id".to_string(),
        "right_id".into(),
        "match_weight".into(),
        "match_probability".into(),
    ];
    if let Some(first) = o.pairs.first() {
        for c in &first.contributions {
            header.push(format!("{}_level", c.comparison));
            header.push(format!("{}_weight", c.comparison));
        }
    }
    w.write_record(&header)?;
    for p in &o.pairs {
        let mut row = vec![
            p.left_id.clone(),
            p.right_id.clone(),
            format!("{:.3}", p.match_weight),
            format!("{:.6}", p.match_probability),
        ];
        for c in &p.contributions {
            row.push(c.level.clone());
            row.push(format!("{:.3}", c.weight));
        }
        w.write_record(&row)?;
    }
    w.flush()?;
    Ok(())
}
