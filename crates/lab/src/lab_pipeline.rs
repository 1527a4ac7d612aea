//! The real pipeline: the lab's national records and `datalab::run`.
//!
//! The national records are read once, on the first run (or the first
//! upload, whose checks need their coverage), on a blocking thread, and
//! kept for the life of the service. The lab's pseudonymisation key is the
//! file `datalab.lab_key` names (made on first use, readable by its owner
//! only), as for `lifeline datalab run`: the same key gives the same
//! pseudonyms, which the differencing register depends on.

use std::path::PathBuf;
use std::sync::OnceLock;

use ::datalab::disclosure::Status as Released;
use ::datalab::intake;
use ::datalab::link::LabKey;
use ::datalab::progress::Silent;
use ::datalab::report;
use ::datalab::run::{self, Lab, Submission};

use super::pipeline::{Failure, Job, Pipeline, Produced};

/// Runs requests against the national records in `reference`.
pub struct LabPipeline {
    reference: PathBuf,
    key: PathBuf,
    lab: OnceLock<Result<Lab, String>>,
}

impl LabPipeline {
    /// A pipeline over `reference` (made by `lifeline datalab generate`)
    /// with the pseudonymisation key in the file `key`.
    pub fn new(reference: PathBuf, key: PathBuf) -> LabPipeline {
        LabPipeline {
            reference,
            key,
            lab: OnceLock::new(),
        }
    }

    fn lab(&self) -> Result<&Lab, Failure> {
        self.lab
            .get_or_init(|| {
                let (key, created) = LabKey::read_or_create(&self.key).map_err(|e| e.to_string())?;
                if created {
                    tracing::warn!(path = %self.key.display(), "made a new lab pseudonymisation key; keep it with the register");
                }
                let lab = Lab::open(&self.reference, key, &Silent).map_err(|e| e.to_string())?;
                tracing::info!(people = lab.people(), "national records loaded");
                Ok(lab)
            })
            .as_ref()
            .map_err(|e| Failure {
                stage: "set-up".into(),
                reason: e.clone(),
            })
    }
}

impl Pipeline for LabPipeline {
    fn intake_settings(&self) -> intake::Settings {
        match self.lab() {
            Ok(lab) => lab.intake_settings(),
            Err(_) => intake::Settings::default(),
        }
    }

    fn run(&self, job: Job) -> Result<Produced, Failure> {
        let lab = self.lab()?;
        let sub = Submission {
            id: &job.reference,
            intake: &job.intake,
            rows: &job.rows,
            produced: job.produced,
        };
        let outcome = run::run(lab, sub, &run::Settings::default(), &job.register, &Silent)
            .map_err(|s| Failure {
                stage: s.stage.to_string(),
                reason: s.reason,
            })?;
        let html = report::html(&outcome.report);
        // A report without its PDF is still a report: the web page and the
        // figures are issued, and the analyst sees why the PDF is missing.
        let (pdf, pdf_note) = match report::pdf(&html) {
            Ok(bytes) => (Some(bytes), String::new()),
            Err(e) => {
                tracing::warn!(error = %e, "report PDF not printed");
                (None, format!("; no PDF: {e}"))
            }
        };
        let shown = outcome
            .report
            .measures
            .iter()
            .filter(|m| matches!(m.status, Released::Shown(_)))
            .count();
        let tally = outcome.linkage.tally;
        Ok(Produced {
            summary: format!(
                "{} people submitted, {} linked, {} suspect matches discarded, {} not found; {} of {} measures released{pdf_note}",
                job.rows.len(),
                tally.matched,
                tally.suspect_discarded,
                tally.not_found,
                shown,
                outcome.report.measures.len()
            ),
            json: outcome.report.to_json(),
            html,
            pdf,
            people: outcome.people,
        })
    }
}
