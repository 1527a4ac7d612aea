//! Running the binary, shared by the command-line tests.

use std::process::{Command, Output};

/// Runs `lifeline` with `args`.
pub fn lifeline(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lifeline"))
        .args(args)
        .output()
        .expect("the binary runs")
}

/// Everything it printed, standard output then standard error.
pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}
