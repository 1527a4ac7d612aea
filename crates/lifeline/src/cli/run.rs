//! `lifeline datalab run`: one request from the provider's files to the
//! standard report, stage by stage, stopping with the reason at the first
//! stage that cannot go on.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use datalab::disclosure::{PersonKey, Register, Status};
use datalab::progress::Progress;
use datalab::report;
use datalab::run::{self, Lab, Settings, Submission};
use sha2::{Digest, Sha256};

use super::analyse::MatchingArgs;
use super::datalab::RequestArgs;
use crate::progress::Bars;

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub(super) submission: RequestArgs,
    /// Where to write report.html, report.pdf and report.json.
    #[arg(long)]
    pub(super) out: PathBuf,
    /// The register of earlier issued cohorts (pseudonyms only), checked
    /// for differencing and added to when the report is issued. Pseudonyms
    /// depend on the key: keep the two together.
    #[arg(long, default_value = "data/released-cohorts.csv")]
    pub(super) register: PathBuf,
    /// The request's reference (default: derived from the files' contents,
    /// so the same submission always gets the same one).
    #[arg(long)]
    pub(super) id: Option<String>,
    #[command(flatten)]
    pub(super) matching: MatchingArgs,
    /// Do not print the PDF (it needs Chromium).
    #[arg(long)]
    pub(super) no_pdf: bool,
    /// Show no progress bars.
    #[arg(long)]
    pub(super) quiet: bool,
}

pub fn run(args: &RunArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let bars = Bars::new(args.quiet);
    let mut times: Vec<(&str, f64)> = Vec::new();
    let mut clock = Instant::now();
    let mut lap = |name: &'static str, times: &mut Vec<(&str, f64)>| {
        times.push((name, clock.elapsed().as_secs_f64()));
        clock = Instant::now();
    };

    let accepted = match args.submission.accepted() {
        Ok(accepted) => accepted,
        Err(e) => {
            println!("Stopped at intake: {e:#}");
            return Ok(ExitCode::from(1));
        }
    };
    let Some((intake, rows)) = accepted else {
        println!("\nStopped at intake: the cohort was not accepted (reasons above).");
        return Ok(ExitCode::from(1));
    };
    lap("intake", &mut times);

    let key = args.submission.key()?;
    let lab = Lab::open(&args.submission.reference, key, &bars)
        .context("opening the national records")?;
    lap("reading the national records", &mut times);

    let id = match &args.id {
        Some(id) => id.clone(),
        None => derived_id(&args.submission.cohort, &args.submission.request)?,
    };
    let register = read_register(&args.register)?;
    let mut settings = Settings::default();
    args.matching.apply(&mut settings.analysis.matching);
    let sub = Submission {
        id: &id,
        intake: &intake,
        rows: &rows,
        produced: chrono::Local::now().date_naive(),
    };
    let outcome = match run::run(&lab, sub, &settings, &register, &bars) {
        Ok(outcome) => outcome,
        Err(stopped) => {
            println!(
                "Request {id} stopped at {}: {}",
                stopped.stage, stopped.reason
            );
            return Ok(ExitCode::from(1));
        }
    };
    lap("linkage, analysis and disclosure", &mut times);

    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let html = report::html(&outcome.report);
    write(&args.out.join("report.html"), html.as_bytes())?;
    write(
        &args.out.join("report.json"),
        outcome.report.to_json().as_bytes(),
    )?;
    lap("report", &mut times);
    let pdf = if args.no_pdf {
        None
    } else {
        bars.start("printing the PDF", 0);
        let printed = report::pdf(&html);
        bars.finish();
        match printed {
            Ok(bytes) => {
                let path = args.out.join("report.pdf");
                write(&path, &bytes)?;
                Some(path)
            }
            Err(e) => {
                eprintln!("warning: no PDF: {e}");
                None
            }
        }
    };
    lap("PDF", &mut times);

    // The same submission run again is already in the register.
    if !register.requests().any(|(request, _, _)| request == id) {
        append_register(
            &args.register,
            &id,
            &outcome.report.organisation,
            &outcome.people,
        )?;
    }

    print(&outcome.report, &outcome.results, &id);
    println!();
    for (stage, seconds) in &times {
        println!("  {stage:<34} {seconds:>6.1} s");
    }
    println!(
        "Issued in {:.1} s: {}{}",
        started.elapsed().as_secs_f64(),
        args.out.join("report.html").display(),
        pdf.map(|p| format!(", {}", p.display()))
            .unwrap_or_default()
    );
    Ok(ExitCode::SUCCESS)
}

fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

/// A reference from the submission's contents: the same files always get
/// the same one, so running a request twice does not count as two.
fn derived_id(cohort: &Path, request: &Path) -> anyhow::Result<String> {
    let mut hash = Sha256::new();
    for path in [cohort, request] {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        hash.update((bytes.len() as u64).to_le_bytes());
        hash.update(&bytes);
    }
    let digest = hash.finalize();
    Ok(format!(
        "JDL-{}",
        digest[..4]
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect::<String>()
    ))
}

/// The register file: one line per person per issued request,
/// `request,organisation,pseudonym`. A missing file is an empty register.
fn read_register(path: &Path) -> anyhow::Result<Register> {
    let mut register = Register::new();
    if !path.exists() {
        return Ok(register);
    }
    let mut reader = csv::Reader::from_path(path)
        .with_context(|| format!("reading the register {}", path.display()))?;
    let mut cohorts: BTreeMap<(String, String), Vec<PersonKey>> = BTreeMap::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.with_context(|| format!("{}: line {}", path.display(), i + 2))?;
        let (Some(request), Some(org), Some(key)) = (record.get(0), record.get(1), record.get(2))
        else {
            anyhow::bail!(
                "{}: line {} should be request,organisation,pseudonym",
                path.display(),
                i + 2
            );
        };
        cohorts
            .entry((request.to_string(), org.to_string()))
            .or_default()
            .push(PersonKey::from(key));
    }
    for ((request, org), people) in cohorts {
        register
            .record(request, org, people)
            .with_context(|| format!("reading the register {}", path.display()))?;
    }
    Ok(register)
}

fn append_register(
    path: &Path,
    id: &str,
    organisation: &str,
    people: &[PersonKey],
) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let new = !path.exists();
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("opening the register {}", path.display()))?;
    let mut w = csv::Writer::from_writer(std::io::BufWriter::new(file));
    if new {
        w.write_record(["request", "organisation", "pseudonym"])?;
    }
    for p in people {
        w.write_record([id, organisation, p.as_str()])?;
    }
    w.flush()
        .with_context(|| format!("writing the register {}", path.display()))?;
    Ok(())
}

fn print(r: &report::Report, results: &datalab::analysis::Results, id: &str) {
    println!("Request {id}: {} ({})", r.intervention, r.organisation);
    let chain: Vec<String> = r
        .stages
        .iter()
        .map(|s| format!("{} {}", s.people, s.label.to_lowercase()))
        .collect();
    println!("  {}", chain.join(" > "));
    let [green, amber, red] = r.balance.tally;
    println!("  balance after matching: {green} green, {amber} amber, {red} red");
    for m in &r.measures {
        match &m.status {
            Status::Shown(f) => {
                println!(
                    "  {:?}: treatment {} comparison {} ({}), difference {} (95% CI {} to {}), p {}",
                    m.measure,
                    f.treatment,
                    f.comparison,
                    f.unit,
                    f.difference,
                    f.ci_low,
                    f.ci_high,
                    f.p_value
                );
            }
            Status::Suppressed(s) => {
                println!("  {:?}: {}", m.measure, s.reason)
            }
        }
    }
    if let Some(e) = results.measures.first().and_then(|m| m.estimate.as_ref()) {
        // Unrounded, for the lab's own checks; the report shows it rounded.
        println!(
            "  (lab only, unrounded: difference {:+.4}, 95% CI {:+.4} to {:+.4})",
            e.difference, e.ci_low, e.ci_high
        );
    }
}
