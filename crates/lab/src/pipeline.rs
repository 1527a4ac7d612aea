//! The seam between the web service and the lab's analysis.
//!
//! The service hands a [`Job`] (the request, its decrypted rows and the
//! register of earlier released cohorts) to a [`Pipeline`] on a blocking
//! thread and gets back either a [`Produced`] report (aggregates only, plus
//! the linked people's pseudonymous keys for the differencing register) or
//! a [`Failure`] naming the stage that stopped and why.
//!
//! [`Unavailable`] is the pipeline when no national records are configured:
//! every run fails at the set-up stage with a reason the analyst can act
//! on. Tests supply their own pipelines through
//! the server's `App::start_with_pipeline`.

use ::datalab::disclosure::{PersonKey, Register};
use ::datalab::intake::{self, CohortRow};
use chrono::NaiveDate;

/// One run's input.
pub struct Job {
    /// The request's reference, for the report.
    pub reference: String,
    /// Intake's report on the cohort (accepted), with the counts of the
    /// file as submitted and the request metadata as the provider gave it.
    pub intake: intake::Report,
    /// The day the report is produced, by the service's clock.
    pub produced: NaiveDate,
    /// The usable rows of the cohort, decrypted.
    pub rows: Vec<CohortRow>,
    /// Earlier released cohorts, from every organisation.
    pub register: Register,
}

/// What a successful run produced. Everything but `people` leaves the lab.
pub struct Produced {
    /// The report as a self-contained HTML page.
    pub html: String,
    /// The report as PDF, when it could be printed.
    pub pdf: Option<Vec<u8>>,
    /// The released figures as JSON.
    pub json: String,
    /// A line for the analyst's queue and the timeline ("300 submitted,
    /// 251 matched; 2 of 4 measures released").
    pub summary: String,
    /// The linked people's pseudonymous keys: recorded in the register when
    /// the report is issued, destroyed with the data otherwise.
    pub people: Vec<PersonKey>,
}

/// Why a run stopped.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The stage (intake, linkage, analysis, disclosure, report...).
    pub stage: String,
    /// The full reason, for the lab.
    pub reason: String,
}

/// Runs a request's analysis. Called on a blocking thread; may take
/// minutes.
pub trait Pipeline: Send + Sync + 'static {
    /// The rules uploads are checked against (the national records'
    /// coverage bounds the interventions that can be measured).
    fn intake_settings(&self) -> intake::Settings {
        intake::Settings::default()
    }

    /// Runs one request.
    fn run(&self, job: Job) -> Result<Produced, Failure>;
}

/// The pipeline when the lab's national records are not configured.
pub struct Unavailable;

impl Pipeline for Unavailable {
    fn run(&self, _job: Job) -> Result<Produced, Failure> {
        Err(Failure {
            stage: "set-up".into(),
            reason: "the lab's national records are not configured: set datalab.reference \
                     to a directory made by `lifeline datalab generate` and restart"
                .into(),
        })
    }
}

/// A reason safe to tell the provider, for a failure at `stage`: it never
/// repeats the lab's own reason, which may describe the national records or
/// other requests (a differencing refusal names earlier requests).
pub fn provider_reason(stage: &str) -> String {
    match stage {
        "intake" | "set-up" | "report" => "The lab could not complete the analysis.".into(),
        "linkage" => "Too few of the people in the cohort could be found in the national records to produce a report.".into(),
        "index events" | "matching" | "tests" | "analysis" => {
            "A reliable comparison group could not be built for this cohort.".into()
        }
        "disclosure" | "disclosure control" => "The results could not be released without risk of identifying individuals.".into(),
        _ => "The lab could not complete the analysis.".into(),
    }
}
