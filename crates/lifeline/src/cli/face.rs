//! `lifeline face compare IMAGE IMAGE`: are two photos of the same person?

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compare the faces in two photos (JPEG or PNG, up to 10 MB): exit 0
    /// if they are the same person, 1 if not, 2 if a photo cannot be read
    /// or does not show exactly one usable face.
    Compare {
        /// The first photo (for instance the one on a verified identity).
        first: PathBuf,
        /// The second photo (for instance a new selfie).
        second: PathBuf,
    },
}

pub fn run(cmd: Command) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Compare { first, second } => compare(&first, &second),
    }
}

fn faces(n: usize) -> String {
    match n {
        0 => "no face".into(),
        1 => "1 face".into(),
        n => format!("{n} faces"),
    }
}

fn compare(first: &Path, second: &Path) -> anyhow::Result<ExitCode> {
    let engine = ::face::Engine::new()?;
    let mut descriptors = Vec::new();
    let mut usable = true;
    for path in [first, second] {
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let analysis = engine
            .analyse(&bytes)
            .with_context(|| format!("{}", path.display()))?;
        println!(
            "{}: {} found ({} x {} pixels)",
            path.display(),
            faces(analysis.faces.len()),
            analysis.width,
            analysis.height
        );
        match ::face::single_face(&analysis) {
            Ok(face) => descriptors.push(face.descriptor),
            Err(refusal) => {
                println!("  {refusal}");
                usable = false;
            }
        }
    }
    if !usable {
        return Ok(ExitCode::from(2));
    }
    let distance = descriptors[0].distance(&descriptors[1]);
    let threshold = ::face::MATCH_THRESHOLD;
    if distance < threshold {
        println!(
            "MATCH: the same person (distance {distance:.3}, under the threshold {threshold})"
        );
        Ok(ExitCode::SUCCESS)
    } else {
        println!(
            "NO MATCH: different people (distance {distance:.3}, not under the threshold {threshold})"
        );
        Ok(ExitCode::from(1))
    }
}
