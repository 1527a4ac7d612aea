//! `lifeline datalab analyse`: a cohort from submission to measured effect.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use datalab::analysis::{self, Results};
use datalab::matching::{self, nearest::Method};
use datalab::progress::Progress;
use datalab::run::{self, Lab};

use super::datalab::{LinkArgs, print_linkage, write_linkage};
use crate::progress::Bars;

#[derive(Debug, Args)]
pub struct AnalyseArgs {
    #[command(flatten)]
    pub(super) link: LinkArgs,
    #[command(flatten)]
    pub(super) matching: MatchingArgs,
}

/// How the comparison group is matched: shared by `analyse` and `run`,
/// with the library's defaults.
#[derive(Debug, Args)]
pub struct MatchingArgs {
    /// Comparison people per treated person.
    #[arg(long, default_value_t = MatchingArgs::default().ratio)]
    pub(super) ratio: usize,
    /// Let a comparison person be matched to more than one treated person.
    #[arg(long)]
    pub(super) replace: bool,
    /// Caliper in standard deviations of the logit of the propensity score.
    #[arg(long, default_value_t = MatchingArgs::default().caliper)]
    pub(super) caliper: f64,
}

impl Default for MatchingArgs {
    fn default() -> Self {
        let lab = matching::Settings::default();
        let (ratio, replace) = match lab.method {
            Method::Nearest { ratio, replace } => (ratio, replace),
            Method::Radius => (1, false),
        };
        MatchingArgs {
            ratio,
            replace,
            caliper: lab.caliper.unwrap_or(0.2),
        }
    }
}

impl MatchingArgs {
    /// These choices in the lab's matching settings.
    pub(super) fn apply(&self, settings: &mut matching::Settings) {
        settings.method = Method::Nearest {
            ratio: self.ratio,
            replace: self.replace,
        };
        settings.caliper = Some(self.caliper);
    }
}

#[derive(Debug, Args)]
pub struct StudyArgs {
    /// Replicates (seeds 1 to N).
    #[arg(long, default_value_t = 100)]
    seeds: u64,
    /// People in each national dataset.
    #[arg(long, default_value_t = 50_000)]
    people: u64,
    /// Cohort rows in each.
    #[arg(long, default_value_t = 1_000)]
    cohort: usize,
    /// The planted hazard ratio.
    #[arg(long, default_value_t = 0.8)]
    hazard_ratio: f64,
    /// Scratch directory for the generated data.
    #[arg(long, default_value = "target/study")]
    scratch: std::path::PathBuf,
    /// Write every replicate here (CSV).
    #[arg(long)]
    out: Option<std::path::PathBuf>,
    /// Show no progress bar.
    #[arg(long)]
    quiet: bool,
}

pub fn study(args: &StudyArgs) -> anyhow::Result<ExitCode> {
    use datalab::study;
    let bars = Bars::new(args.quiet);
    bars.start("replicates", args.seeds);
    let mut reps = Vec::new();
    for seed in 1..=args.seeds {
        let cfg = datalab::synth::Config {
            people: args.people,
            seed,
            cohort: args.cohort,
            hazard_ratio: args.hazard_ratio,
            ..datalab::synth::Config::default()
        };
        let r = study::replicate(&cfg, &analysis::Settings::default(), &args.scratch)
            .with_context(|| format!("replicate with seed {seed}"))?;
        reps.push(r);
        bars.advance(1);
    }
    bars.finish();
    if let Some(path) = &args.out {
        let mut w =
            csv::Writer::from_path(path).with_context(|| format!("writing {}", path.display()))?;
        w.write_record([
            "seed",
            "matched",
            "truth",
            "treated_rate",
            "true_treated_rate",
            "estimate",
            "ci_low",
            "ci_high",
            "naive",
            "naive_ci_low",
            "naive_ci_high",
        ])?;
        for r in &reps {
            w.write_record([
                r.seed.to_string(),
                r.matched.to_string(),
                r.truth.to_string(),
                r.treated_rate.to_string(),
                r.true_treated_rate.to_string(),
                r.estimate.to_string(),
                r.ci.0.to_string(),
                r.ci.1.to_string(),
                r.naive.to_string(),
                r.naive_ci.0.to_string(),
                r.naive_ci.1.to_string(),
            ])?;
        }
        w.flush()?;
    }
    let s = study::summarise(&reps);
    println!(
        "{} replicates: {} people, cohort {}, hazard ratio {}; mean true effect on the matched treated {:+.4}",
        s.replicates, args.people, args.cohort, args.hazard_ratio, s.truth
    );
    println!("estimator   bias (SE)            RMSE     95% coverage   mean CI width");
    for (name, p) in [("matched", &s.matched), ("naive", &s.naive)] {
        println!(
            "{name:<10} {:+.4} ({:.4})    {:.4}   {:>6.1}%        {:.4}",
            p.bias,
            p.bias_se,
            p.rmse,
            100.0 * p.coverage,
            p.width
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run(args: &AnalyseArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let link_settings = args.link.settings()?;
    let Some((_, rows)) = args.link.submission.accepted()? else {
        return Ok(ExitCode::from(1));
    };
    let key = args.link.submission.key()?;
    let bars = Bars::new(args.link.quiet);
    let lab = Lab::open(&args.link.submission.reference, key, &bars)
        .context("reading the national records")?;
    let mut settings = run::Settings {
        link: link_settings,
        ..run::Settings::default()
    };
    settings.analysis.cohort.coverage = lab.coverage();
    args.matching.apply(&mut settings.analysis.matching);
    let linking = Instant::now();
    let analysed = run::analyse(&lab, &rows, &settings, &bars).context("analysing the cohort")?;
    let t = &analysed.results.timings;
    let link_seconds = linking.elapsed().as_secs_f64() - t.dataset - t.matching - t.tests;
    write_linkage(&args.link.out, &analysed.linkage)?;
    print_linkage(
        &analysed.linkage,
        lab.people(),
        link_seconds,
        &args.link.out,
    );
    write(&args.link.out, &settings.analysis, &analysed.results)?;
    print(&analysed.results, rows.len(), &args.link.out, started);
    Ok(ExitCode::SUCCESS)
}

fn write(out: &Path, settings: &analysis::Settings, r: &Results) -> anyhow::Result<()> {
    let path = out.join("results.json");
    let json = serde_json::json!({ "settings": settings, "results": r });
    std::fs::write(&path, serde_json::to_string_pretty(&json)?)
        .with_context(|| format!("writing {}", path.display()))?;
    let path = out.join("balance.csv");
    let mut w =
        csv::Writer::from_path(&path).with_context(|| format!("writing {}", path.display()))?;
    w.write_record([
        "covariate",
        "treated_mean",
        "matched_treated_mean",
        "pool_mean",
        "matched_mean",
        "smd_before",
        "smd_after",
        "variance_ratio_before",
        "variance_ratio_after",
        "flag",
    ])?;
    for b in &r.balance {
        w.write_record([
            b.covariate.clone(),
            format!("{:.6}", b.treated_mean),
            format!("{:.6}", b.matched_treated_mean),
            format!("{:.6}", b.pool_mean),
            format!("{:.6}", b.matched_mean),
            format!("{:.6}", b.smd_before),
            format!("{:.6}", b.smd_after),
            format!("{:.6}", b.variance_ratio_before),
            format!("{:.6}", b.variance_ratio_after),
            b.flag.name().to_string(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

fn print(r: &Results, submitted: usize, out: &Path, started: Instant) {
    let f = &r.flow;
    println!();
    println!(
        "People: {submitted} usable rows, {} linked, {} with an index event, {} matched to {} comparison people from a pool of {}.",
        f.cohort.linked, f.cohort.with_index, f.matched, f.comparison, f.cohort.pool
    );
    for (reason, n) in &f.cohort.reasons {
        println!("  {n:>6} left: {reason}");
    }
    if f.unmatched > 0 {
        println!(
            "  {:>6} left: no comparison person within the caliper",
            f.unmatched
        );
    }
    println!(
        "Propensity model: {} covariate columns, {} in {} iterations{}.",
        r.model.names.len() - 1,
        if r.model.converged {
            "converged"
        } else {
            "NOT converged"
        },
        r.model.iterations,
        if r.model.warnings.is_empty() {
            String::new()
        } else {
            format!("; warnings: {}", r.model.warnings.join("; "))
        }
    );
    let [green, amber, red] = datalab::matching::balance::Flag::tally(&r.balance);
    println!(
        "Balance after matching: {green} of {} covariate columns green, {amber} amber, {red} red.",
        r.balance.len()
    );
    for m in &r.measures {
        println!();
        match (&m.estimate, &m.headline) {
            (Some(e), Some(h)) => {
                println!(
                    "{:?}: treatment {:.4}, comparison {:.4}, difference {:+.4} (95% CI {:+.4} to {:+.4}), p = {:.4}",
                    m.measure,
                    e.treated_mean,
                    e.comparison_mean,
                    e.difference,
                    e.ci_low,
                    e.ci_high,
                    e.p_value
                );
                println!("  {}", h.statement);
                println!("  {}", h.interval);
                println!("  {}", h.significance);
            }
            _ => println!(
                "{:?}: no result: {}",
                m.measure,
                m.error.as_deref().unwrap_or("unknown")
            ),
        }
    }
    println!();
    println!(
        "Analysis: dataset {:.1} s, matching {:.1} s, tests {:.2} s; {:.1} s in all. Results: {}",
        r.timings.dataset,
        r.timings.matching,
        r.timings.tests,
        started.elapsed().as_secs_f64(),
        out.join("results.json").display()
    );
}
