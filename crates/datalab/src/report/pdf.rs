//! PDF by printing the HTML report with the machine's headless Chromium:
//! the same page, laid out by a real browser engine, with no network and
//! nothing downloaded.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Why the PDF could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// No Chromium to print with.
    #[error(
        "no Chromium found to print the PDF: install Debian's chromium (apt-get install chromium), or set LIFELINE_CHROMIUM to a Chromium or Chrome binary"
    )]
    NoBrowser,
    /// Working files could not be written or read.
    #[error("PDF printing: {0}")]
    Io(#[from] std::io::Error),
    /// Chromium ran but made no PDF.
    #[error("Chromium did not print the PDF ({0})")]
    Failed(String),
    /// Chromium took too long.
    #[error("Chromium took more than {0} s to print the PDF and was stopped")]
    TimedOut(u64),
}

const TIME_LIMIT: Duration = Duration::from_secs(120);

/// The browser to print with: `LIFELINE_CHROMIUM`, or the first of the
/// usual names on the `PATH`.
fn browser() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("LIFELINE_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// Prints `html` (a complete, self-contained document) to PDF bytes.
pub fn pdf(html: &str) -> Result<Vec<u8>, PdfError> {
    let browser = browser().ok_or(PdfError::NoBrowser)?;
    // A private directory per print: Chromium's profile cannot be shared
    // between concurrent runs, and the page is not left behind.
    let dir = tempfile::tempdir()?;
    let page = dir.path().join("report.html");
    let out = dir.path().join("report.pdf");
    std::fs::write(&page, html)?;
    // Chromium's log goes to a file, not a pipe: nothing reads a pipe while
    // the print runs, and a full one would stall Chromium until the limit.
    let log = dir.path().join("chromium.log");
    let mut child = Command::new(&browser)
        .arg("--headless")
        .arg("--no-sandbox")
        .arg("--disable-gpu")
        .arg("--disable-dev-shm-usage")
        .arg("--disable-background-networking")
        .arg("--disable-extensions")
        .arg("--no-first-run")
        .arg("--no-pdf-header-footer")
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .arg(format!("--print-to-pdf={}", out.display()))
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log)?)
        .spawn()?;
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if started.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(PdfError::TimedOut(TIME_LIMIT.as_secs()));
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    match std::fs::read(&out) {
        Ok(bytes) if bytes.starts_with(b"%PDF") => Ok(bytes),
        _ => {
            let err = std::fs::read_to_string(&log).unwrap_or_default();
            let last = err.lines().last().unwrap_or("no output").to_string();
            Err(PdfError::Failed(format!("{status}: {last}")))
        }
    }
}
