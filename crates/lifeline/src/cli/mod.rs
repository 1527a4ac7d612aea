//! The command tree.

mod analyse;
mod calendar;
mod datalab;
mod face;
mod foi;
mod incidents;
mod link;
mod matching;
mod run;
mod serve;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Lifeline: one platform for the Justice Data Lab, prison visits, secure
/// video calls, security incidents and Freedom of Information requests.
#[derive(Debug, Parser)]
#[command(name = "lifeline", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the lab on an embedded default: generate a small national
    /// dataset with a provider cohort, validate the cohort, link it to the
    /// national records and analyse it against a matched comparison group.
    Demo(datalab::DemoArgs),
    /// The Justice Data Lab: synthetic national records, cohort intake.
    #[command(subcommand)]
    Datalab(datalab::Command),
    /// Link two tables: find the records that are the same person or thing
    /// (probabilistic Fellegi-Sunter linkage).
    Link(link::LinkArgs),
    /// Find the records in one table that are the same person or thing.
    Dedupe(link::DedupeArgs),
    /// Propensity score matching for any table: fit, match, check balance
    /// and compare outcomes (the effect on the treated).
    Match(matching::MatchArgs),
    /// UK bank holidays and working days.
    #[command(subcommand)]
    Calendar(calendar::Command),
    /// Run the web service: Visit someone in prison.
    Serve(serve::ServeArgs),
    /// Faces in photos: are two photos of the same person?
    #[command(subcommand)]
    Face(face::Command),
    /// Security incidents: statistics safe to publish, and generated data.
    #[command(subcommand)]
    Incidents(incidents::Command),
    /// Freedom of Information requests: the statutory clock, and generated
    /// cases.
    #[command(subcommand)]
    Foi(foi::Command),
}

/// Runs a command; the exit code is the command's verdict (0 success, 1 a
/// negative answer such as a rejected cohort); errors exit 2.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Demo(args) => datalab::demo(args),
        Command::Datalab(cmd) => datalab::run(cmd),
        Command::Link(args) => link::link(args),
        Command::Dedupe(args) => link::dedupe(args),
        Command::Match(args) => matching::run(args),
        Command::Calendar(cmd) => calendar::run(cmd),
        Command::Serve(args) => serve::run(args),
        Command::Face(cmd) => face::run(cmd),
        Command::Incidents(cmd) => incidents::run(cmd),
        Command::Foi(cmd) => foi::run(cmd),
    }
}
