//! Progress reporting for long steps, without tying the library to a
//! terminal: the binary draws bars, tests and the web service stay silent.

/// Receives progress from a long-running step.
pub trait Progress: Sync {
    /// A new stage begins, with `total` units of work (0 if unknown).
    fn start(&self, _stage: &str, _total: u64) {}
    /// `n` more units are done.
    fn advance(&self, _n: u64) {}
    /// The current stage is over.
    fn finish(&self) {}
}

/// Reports nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Progress for Silent {}
