//! `lifeline`: the command line of the Lifeline platform.
//!
//! This crate only parses arguments, wires the library crates together and
//! presents their results; everything it runs lives in the domain crates.

mod cli;
mod progress;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}
