//! Progress bars on the terminal, for the library's long steps.

use std::sync::Mutex;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Draws an indicatif bar per stage on standard error (hidden when `quiet`
/// or when standard error is not a terminal, so scripts get clean output).
pub struct Bars {
    quiet: bool,
    bar: Mutex<Option<ProgressBar>>,
}

impl Bars {
    pub fn new(quiet: bool) -> Self {
        Self {
            quiet,
            bar: Mutex::new(None),
        }
    }

    fn with_bar(&self, f: impl FnOnce(&ProgressBar)) {
        if let Ok(guard) = self.bar.lock()
            && let Some(bar) = guard.as_ref()
        {
            f(bar);
        }
    }
}

impl datalab::progress::Progress for Bars {
    fn start(&self, stage: &str, total: u64) {
        let bar = if self.quiet {
            ProgressBar::hidden()
        } else {
            // A stage of unknown size gets a spinner and the time so far.
            let (length, template) = if total == 0 {
                (None, "{msg:>28} {spinner} {elapsed}")
            } else {
                (
                    Some(total),
                    "{msg:>28} [{bar:30.cyan/blue}] {human_pos:>10}/{human_len:<10} {per_sec:>12} eta {eta}",
                )
            };
            let bar = ProgressBar::with_draw_target(length, ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(template)
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ");
            bar.set_style(style);
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        };
        bar.set_message(stage.to_string());
        if let Ok(mut guard) = self.bar.lock() {
            *guard = Some(bar);
        }
    }

    fn advance(&self, n: u64) {
        self.with_bar(|bar| bar.inc(n));
    }

    fn finish(&self) {
        if let Ok(mut guard) = self.bar.lock()
            && let Some(bar) = guard.take()
        {
            bar.finish();
        }
    }
}
