//! `lifeline match`: propensity score matching for any table.

use std::fs::File;
use std::io::{BufWriter, Write};

use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::{Args, ValueEnum};
use datalab::link::table::Table;
use datalab::matching::input::{self, Columns, Missing};
use datalab::matching::nearest::{Discard, Method};
use datalab::matching::{self, EffectResult, Matching, Settings, balance};

#[derive(Debug, Args)]
pub struct MatchArgs {
    /// The table (.csv or .parquet), one row per unit.
    #[arg(long)]
    data: PathBuf,
    /// The treatment column: 1 for treated, 0 for the pool of controls.
    #[arg(long)]
    treatment: String,
    /// Covariates for the propensity model, comma-separated. Text columns
    /// become categories (one-hot, first level sorted is the reference).
    #[arg(long, value_delimiter = ',', required = true)]
    covariates: Vec<String>,
    /// Covariates to treat as categories although they hold numbers.
    #[arg(long, value_delimiter = ',')]
    categorical: Vec<String>,
    /// Outcome columns to compare after matching, comma-separated.
    #[arg(long, value_delimiter = ',')]
    outcome: Vec<String>,
    /// Nearest neighbour (each treated unit takes its `ratio` closest
    /// controls) or radius (every control within the caliper).
    #[arg(long, value_enum, default_value_t = MethodArg::Nearest)]
    method: MethodArg,
    /// Controls per treated unit (nearest neighbour).
    #[arg(long, default_value_t = 1)]
    ratio: usize,
    /// Let a control be matched to more than one treated unit.
    #[arg(long)]
    replace: bool,
    /// Caliper in standard deviations of the logit of the propensity
    /// score.
    #[arg(long, default_value_t = 0.2, conflicts_with = "no_caliper")]
    caliper: f64,
    /// No caliper: every treated unit gets its nearest controls however far.
    #[arg(long)]
    no_caliper: bool,
    /// Match only within groups of equal values of these covariates.
    #[arg(long, value_delimiter = ',')]
    exact: Vec<String>,
    /// Common-support trimming: drop units outside the other group's range
    /// of propensity scores.
    #[arg(long, value_enum, default_value_t = DiscardArg::None)]
    discard: DiscardArg,
    /// Rows missing a treatment or covariate value: refuse the table
    /// (error) or drop those rows and say how many (drop).
    #[arg(long, value_enum, default_value_t = MissingArg::Error)]
    missing: MissingArg,
    /// A column naming each row, copied to matched.csv.
    #[arg(long)]
    id: Option<String>,
    /// Confidence level of the intervals.
    #[arg(long, default_value_t = 0.95)]
    confidence: f64,
    /// Where to write matched.csv, pairs.csv, coefficients.csv,
    /// balance.csv, effect.csv and effect.json.
    #[arg(long)]
    out: PathBuf,
    /// Print nothing but errors.
    #[arg(long)]
    quiet: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum MethodArg {
    Nearest,
    Radius,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum DiscardArg {
    None,
    Treated,
    Control,
    Both,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum MissingArg {
    Error,
    Drop,
}

pub fn run(args: MatchArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let mut stages: Vec<(&str, f64)> = Vec::new();
    let mut clock = Instant::now();
    let mut lap = |name: &'static str, stages: &mut Vec<(&str, f64)>| {
        stages.push((name, clock.elapsed().as_secs_f64()));
        clock = Instant::now();
    };
    let table = Table::read(&args.data)?;
    lap("read", &mut stages);
    let id = match &args.id {
        Some(name) => Some(table.column(name).with_context(|| {
            format!(
                "there is no id column '{name}' in {}; its columns are: {}",
                args.data.display(),
                table.names.join(", ")
            )
        })?),
        None => None,
    };
    let columns = Columns {
        treatment: args.treatment.clone(),
        covariates: args.covariates.clone(),
        categorical: args.categorical.clone(),
        outcomes: args.outcome.clone(),
        missing: match args.missing {
            MissingArg::Error => Missing::Error,
            MissingArg::Drop => Missing::Drop,
        },
    };
    let prepared = input::prepare(&table, &columns)?;
    lap("prepare", &mut stages);
    let settings = Settings {
        method: match args.method {
            MethodArg::Nearest => Method::Nearest {
                ratio: args.ratio,
                replace: args.replace,
            },
            MethodArg::Radius => Method::Radius,
        },
        caliper: (!args.no_caliper).then_some(args.caliper),
        exact: args.exact.clone(),
        discard: match args.discard {
            DiscardArg::None => Discard::None,
            DiscardArg::Treated => Discard::Treated,
            DiscardArg::Control => Discard::Control,
            DiscardArg::Both => Discard::Both,
        },
    };
    let m = matching::run(&prepared.data, &settings)?;
    let effects = matching::effects(&prepared.data, &m.matched.weights, args.confidence);
    lap("fit, match, balance and tests", &mut stages);

    let out = &args.out;
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let subclasses = matches!(settings.method, Method::Nearest { replace: false, .. });
    write_matched(
        &out.join("matched.csv"),
        &table,
        id,
        &prepared,
        &m,
        subclasses,
    )?;
    write_pairs(&out.join("pairs.csv"), &prepared.rows, &m)?;
    write_coefficients(&out.join("coefficients.csv"), &m)?;
    write_balance(&out.join("balance.csv"), &m.balance)?;
    write_effects(&out.join("effect.csv"), &effects)?;
    lap("write", &mut stages);
    let report = serde_json::json!({
        "estimand": "ATT",
        "data": args.data,
        "rows": table.rows,
        "rows_used": prepared.rows.len(),
        "dropped_for_missing_values": prepared.dropped.iter()
            .map(|(c, n)| serde_json::json!({"column": c, "rows": n})).collect::<Vec<_>>(),
        "settings": settings,
        "caliper_logit": m.caliper_logit.is_finite().then_some(m.caliper_logit),
        "model": m.fit,
        "matched": {
            "treated": m.matched.treated_matched(),
            "controls": m.matched.controls_used(&prepared.data.treated),
            "unmatched_treated": m.matched.unmatched_treated,
            "discarded_treated": m.matched.discarded_treated,
            "discarded_control": m.matched.discarded_control,
        },
        "outcomes": effects,
        "overlap": m.overlap,
        "seconds": started.elapsed().as_secs_f64(),
        "stages": stages.iter().map(|(k, v)| serde_json::json!({"stage": k, "seconds": v})).collect::<Vec<_>>(),
    });
    std::fs::write(
        out.join("effect.json"),
        serde_json::to_string_pretty(&report)?,
    )
    .with_context(|| format!("writing {}", out.join("effect.json").display()))?;

    if !args.quiet {
        summary(&prepared, &m, &effects, out, started);
    }
    Ok(ExitCode::SUCCESS)
}

fn summary(
    p: &input::Prepared,
    m: &Matching,
    effects: &[matching::Effect],
    out: &Path,
    started: Instant,
) {
    let treated = p.data.treated.iter().filter(|t| **t).count();
    println!(
        "{} rows: {} treated, {} controls",
        p.rows.len(),
        treated,
        p.rows.len() - treated
    );
    for (column, n) in &p.dropped {
        println!("dropped {n} rows missing {column}");
    }
    println!(
        "propensity model: {} in {} iterations",
        if m.fit.converged {
            "converged"
        } else {
            "NOT converged"
        },
        m.fit.iterations
    );
    for d in &m.fit.dropped {
        println!("  dropped column {d}");
    }
    for w in &m.fit.warnings {
        println!("  warning: {w}");
    }
    let matched_treated = m.matched.treated_matched();
    let controls = m.matched.controls_used(&p.data.treated);
    println!(
        "matched {matched_treated} of {treated} treated units to {controls} controls \
         ({} without a control within the caliper, {} treated and {} controls outside common support)",
        m.matched.unmatched_treated, m.matched.discarded_treated, m.matched.discarded_control
    );
    let [green, amber, red] = balance::Flag::tally(&m.balance);
    println!(
        "balance after matching: {green} green, {amber} amber, {red} red (standardised mean difference <5%, 5-10%, >10%)"
    );
    for r in m.balance.iter().filter(|r| r.flag != balance::Flag::Green) {
        println!(
            "  {:<30} {:>7.1}% before, {:>7.1}% after",
            r.covariate,
            100.0 * r.smd_before,
            100.0 * r.smd_after
        );
    }
    for e in effects {
        match &e.result {
            EffectResult::Estimate(s) => println!(
                "{}: treated {:.4}, comparison {:.4}, difference {:+.4} ({:.0}% CI {:+.4} to {:+.4}), p = {:.4}{}",
                e.outcome,
                s.treated_mean,
                s.comparison_mean,
                s.difference,
                100.0 * s.confidence,
                s.ci_low,
                s.ci_high,
                s.p_value,
                if s.significant { ", significant" } else { "" }
            ),
            EffectResult::Error { error } => println!("{}: no estimate: {error}", e.outcome),
        }
    }
    println!(
        "wrote {} in {:.2} s",
        out.display(),
        started.elapsed().as_secs_f64()
    );
}

fn create(path: &Path) -> anyhow::Result<csv::Writer<BufWriter<File>>> {
    let file = File::create(path).with_context(|| format!("writing {}", path.display()))?;
    Ok(csv::Writer::from_writer(BufWriter::new(file)))
}

/// A number as R prints it with `%.17g`: round-trippable, `NA` for none.
fn num(x: f64) -> String {
    if x.is_finite() {
        format!("{x:?}")
    } else if x.is_nan() {
        "NA".into()
    } else {
        x.to_string()
    }
}

/// Every used row: 1-based row number in the table, treatment, the
/// propensity score, the matching distance (its logit), the weight and,
/// when each control belongs to one treated unit's set (nearest neighbour
/// without replacement), the matched set (subclass).
fn write_matched(
    path: &Path,
    table: &Table,
    id: Option<usize>,
    p: &input::Prepared,
    m: &Matching,
    with_subclass: bool,
) -> anyhow::Result<()> {
    let n = p.rows.len();
    let mut subclass = vec![0usize; n];
    for (k, (t, controls)) in m
        .matched
        .pairs
        .iter()
        .filter(|(_, c)| !c.is_empty())
        .enumerate()
    {
        subclass[*t] = k + 1;
        for &c in controls {
            subclass[c] = k + 1;
        }
    }
    let mut header = vec!["row"];
    if id.is_some() {
        header.push("id");
    }
    header.extend(["treated", "propensity", "distance", "weight", "subclass"]);
    // Rows are formatted in parallel chunks: at a million rows, turning
    // numbers into text is most of the time spent writing.
    let chunks: Vec<anyhow::Result<Vec<u8>>> = (0..n.div_ceil(65_536))
        .into_par_iter()
        .map(|c| {
            let mut w = csv::Writer::from_writer(Vec::new());
            if c == 0 {
                w.write_record(&header)?;
            }
            // `i` indexes the rows, scores, weights and subclasses alike.
            #[allow(clippy::needless_range_loop)]
            for i in c * 65_536..((c + 1) * 65_536).min(n) {
                let row = p.rows[i];
                let mut record = vec![(row + 1).to_string()];
                if let Some(col) = id {
                    record.push(table.text(col, row).unwrap_or_default());
                }
                record.push(u8::from(p.data.treated[i]).to_string());
                record.push(num(m.fit.scores[i]));
                record.push(num(m.fit.linear[i]));
                record.push(num(m.matched.weights[i]));
                record.push(if with_subclass && subclass[i] > 0 {
                    subclass[i].to_string()
                } else {
                    String::new()
                });
                w.write_record(&record)?;
            }
            Ok(w.into_inner()?)
        })
        .collect();
    let mut file =
        BufWriter::new(File::create(path).with_context(|| format!("writing {}", path.display()))?);
    for chunk in chunks {
        file.write_all(&chunk?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    file.flush()?;
    Ok(())
}

/// Each treated row with its controls, in the order they were taken.
fn write_pairs(path: &Path, rows: &[usize], m: &Matching) -> anyhow::Result<()> {
    let mut w = create(path)?;
    w.write_record(["treated_row", "control_row", "k"])?;
    let mut pairs: Vec<_> = m
        .matched
        .pairs
        .iter()
        .filter(|(_, c)| !c.is_empty())
        .collect();
    pairs.sort_by_key(|(t, _)| *t);
    for (t, controls) in pairs {
        for (k, c) in controls.iter().enumerate() {
            w.write_record([
                (rows[*t] + 1).to_string(),
                (rows[*c] + 1).to_string(),
                (k + 1).to_string(),
            ])?;
        }
    }
    w.flush()?;
    Ok(())
}

fn write_coefficients(path: &Path, m: &Matching) -> anyhow::Result<()> {
    let mut w = create(path)?;
    w.write_record(["term", "estimate", "std_error"])?;
    for ((name, b), se) in m
        .fit
        .names
        .iter()
        .zip(&m.fit.coefficients)
        .zip(&m.fit.standard_errors)
    {
        w.write_record([name.clone(), num(*b), num(*se)])?;
    }
    w.flush()?;
    Ok(())
}

fn write_balance(path: &Path, rows: &[balance::Row]) -> anyhow::Result<()> {
    let mut w = create(path)?;
    w.write_record([
        "variable",
        "sample",
        "mean_treated",
        "mean_control",
        "std_mean_diff",
        "var_ratio",
        "flag",
    ])?;
    for r in rows {
        w.write_record([
            r.covariate.clone(),
            "all".into(),
            num(r.treated_mean),
            num(r.pool_mean),
            num(r.smd_before),
            num(r.variance_ratio_before),
            String::new(),
        ])?;
        w.write_record([
            r.covariate.clone(),
            "matched".into(),
            num(r.matched_treated_mean),
            num(r.matched_mean),
            num(r.smd_after),
            num(r.variance_ratio_after),
            r.flag.name().to_string(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

fn write_effects(path: &Path, effects: &[matching::Effect]) -> anyhow::Result<()> {
    let mut w = create(path)?;
    w.write_record([
        "outcome",
        "n_treated",
        "n_comparison",
        "effective_comparison",
        "treated_mean",
        "comparison_mean",
        "difference",
        "standard_error",
        "degrees_of_freedom",
        "t",
        "p_value",
        "ci_low",
        "ci_high",
        "significant",
        "needed_for_significance",
        "missing",
        "error",
    ])?;
    for e in effects {
        match &e.result {
            EffectResult::Estimate(s) => w.write_record([
                e.outcome.clone(),
                s.n_treated.to_string(),
                s.n_comparison.to_string(),
                num(s.effective_comparison),
                num(s.treated_mean),
                num(s.comparison_mean),
                num(s.difference),
                num(s.standard_error),
                num(s.degrees_of_freedom),
                num(s.t),
                num(s.p_value),
                num(s.ci_low),
                num(s.ci_high),
                s.significant.to_string(),
                s.needed_for_significance
                    .map(|n| n.to_string())
                    .unwrap_or_default(),
                e.missing.to_string(),
                String::new(),
            ])?,
            EffectResult::Error { error } => {
                let mut record = vec![e.outcome.clone()];
                record.extend(std::iter::repeat_n(String::new(), 14));
                record.push(e.missing.to_string());
                record.push(error.clone());
                w.write_record(&record)?;
            }
        }
    }
    w.flush()?;
    Ok(())
}
