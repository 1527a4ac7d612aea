//! One request through the whole lab: intake, linkage, index events,
//! matching, outcomes and tests, disclosure control and the report.
//!
//! [`Lab::open`] reads the national records once; [`run`] takes an accepted cohort to an issued
//! [`Report`] or stops at the first stage that cannot go on, saying which
//! and why ([`Stopped`]). The command line (`lifeline datalab run`) and the
//! web service both drive requests through here, so a request is treated
//! the same whichever way it arrives.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::analysis::{self, AnalysisError, Results};
use crate::cohort::{History, Member};
use crate::disclosure::{self, PersonKey, Register};
use crate::intake::{self, CohortRow};
use crate::link::LabKey;
use crate::link::lab::{self, Linkage, National};
use crate::national::{Coverage, Manifest, ReadError};
use crate::progress::Progress;
use crate::report::{self, Report};

/// The stages a request goes through, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// The provider's files are checked.
    Intake,
    /// Cohort rows are linked to national records.
    Linkage,
    /// Index events, covariates and outcomes are built.
    IndexEvents,
    /// The comparison group is matched.
    Matching,
    /// The measures are compared.
    Tests,
    /// What may be released is decided.
    Disclosure,
    /// The report is drawn.
    Report,
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Stage::Intake => "intake",
            Stage::Linkage => "linkage",
            Stage::IndexEvents => "index events",
            Stage::Matching => "matching",
            Stage::Tests => "tests",
            Stage::Disclosure => "disclosure control",
            Stage::Report => "report",
        })
    }
}

/// A request that could not go on, with the stage it stopped at.
#[derive(Debug, Clone, Serialize, thiserror::Error)]
#[error("stopped at {stage}: {reason}")]
pub struct Stopped {
    /// Where it stopped.
    pub stage: Stage,
    /// Why, in words the analyst can act on (lab-internal: it may name an
    /// earlier request).
    pub reason: String,
}

impl Stopped {
    fn at(stage: Stage, reason: impl fmt::Display) -> Stopped {
        Stopped {
            stage,
            reason: reason.to_string(),
        }
    }
}

/// Why the lab could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The reference dataset's manifest is missing or wrong.
    #[error("the national reference data in {dir}: {message}")]
    Manifest {
        /// The directory tried.
        dir: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A table could not be read.
    #[error(transparent)]
    Read(#[from] ReadError),
}

/// The national records and the lab's key: what every request is run
/// against. Loading takes seconds at national scale, so a service keeps
/// one open.
pub struct Lab {
    national: National,
    history: History,
    coverage: Coverage,
    key: LabKey,
}

impl fmt::Debug for Lab {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lab")
            .field("people", &self.national.len())
            .field("coverage", &self.coverage)
            .finish_non_exhaustive()
    }
}

impl Lab {
    /// Opens the national dataset in `reference` (the directory holding
    /// `manifest.toml`, or its parent with a `national` directory).
    pub fn open(reference: &Path, key: LabKey, progress: &dyn Progress) -> Result<Lab, OpenError> {
        let dir = Manifest::locate(reference);
        let manifest = Manifest::read(&dir).map_err(|e| OpenError::Manifest {
            dir: dir.clone(),
            message: e.to_string(),
        })?;
        progress.start("reading national records", 0);
        let (national, history) = rayon::join(|| National::load(&dir), || History::load(&dir));
        progress.finish();
        Ok(Lab {
            national: national?,
            history: history?,
            coverage: manifest.coverage,
            key,
        })
    }

    /// People in the national records.
    pub fn people(&self) -> usize {
        self.national.len()
    }

    /// What the national records cover.
    pub fn coverage(&self) -> Coverage {
        self.coverage
    }

    /// Intake's settings for this lab's records.
    pub fn intake_settings(&self) -> intake::Settings {
        intake::Settings {
            coverage: self.coverage,
            ..intake::Settings::default()
        }
    }
}

/// Everything a run can be told.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Settings {
    /// Linkage.
    pub link: lab::Settings,
    /// Index events, matching and tests.
    pub analysis: analysis::Settings,
    /// Disclosure control.
    pub disclosure: disclosure::Settings,
}

/// An accepted request, ready to run.
#[derive(Debug, Clone, Copy)]
pub struct Submission<'a> {
    /// The lab's reference for it.
    pub id: &'a str,
    /// What intake found (accepted, with its request).
    pub intake: &'a intake::Report,
    /// The usable rows intake handed on.
    pub rows: &'a [CohortRow],
    /// The day the report is produced.
    pub produced: chrono::NaiveDate,
}

/// A request run to its report.
#[derive(Debug)]
pub struct Outcome {
    /// The report: aggregates only, fit to leave the lab.
    pub report: Report,
    /// The linked people's pseudonyms, to enter in the differencing
    /// register once the report is issued. Lab-internal.
    pub people: Vec<PersonKey>,
    /// The linkage in full. Lab-internal: individual-level.
    pub linkage: Linkage,
    /// The analysis in full. Lab-internal.
    pub results: Results,
}

/// Runs an accepted request to its report.
///
/// `register` holds the cohorts of earlier issued reports; the new cohort
/// is refused if it is within the differencing threshold of any of them.
pub fn run(
    lab: &Lab,
    sub: Submission<'_>,
    settings: &Settings,
    register: &Register,
    progress: &dyn Progress,
) -> Result<Outcome, Stopped> {
    let request = sub
        .intake
        .request
        .as_ref()
        .filter(|_| sub.intake.accepted())
        .ok_or_else(|| {
            Stopped::at(
                Stage::Intake,
                "intake has not accepted this request, so it cannot be run",
            )
        })?;

    let Analysed { linkage, results } = analyse(lab, sub.rows, settings, progress)?;

    progress.start("disclosure control", 0);
    let people = linked_people(&linkage);
    disclosure::check_differencing(
        &people,
        register,
        settings.disclosure.differencing_threshold,
    )
    .map_err(|refusal| Stopped::at(Stage::Disclosure, refusal))?;
    let released = disclosure::release(&results, &settings.disclosure);
    progress.finish();

    let report = Report::build(
        report::Context {
            request_id: sub.id,
            request,
            rows_read: sub.intake.counts.rows_read,
            rows_usable: sub.intake.counts.usable,
            linkage: linkage.tally,
            match_rate: linkage.match_rate,
            link_threshold: linkage.settings.threshold,
            produced: sub.produced,
        },
        &results,
        released,
        &settings.analysis,
        &settings.disclosure,
    );
    Ok(Outcome {
        report,
        people,
        linkage,
        results,
    })
}

/// A cohort linked and analysed, before anything is released: all of it
/// lab-internal.
#[derive(Debug)]
pub struct Analysed {
    /// The linkage in full (individual-level).
    pub linkage: Linkage,
    /// The analysis in full.
    pub results: Results,
}

/// Links accepted rows to the national records and analyses them against
/// a matched comparison group: the stages of [`run`] before disclosure
/// control, for the lab's own use (`datalab analyse`).
pub fn analyse(
    lab: &Lab,
    rows: &[CohortRow],
    settings: &Settings,
    progress: &dyn Progress,
) -> Result<Analysed, Stopped> {
    let linkage = lab::link_cohort(rows, &lab.national, &settings.link, &lab.key, progress)
        .map_err(|e| Stopped::at(Stage::Linkage, e))?;
    if linkage.tally.matched == 0 {
        return Err(Stopped::at(
            Stage::Linkage,
            "nobody in the cohort could be linked to the national records: check that names and dates of birth are in the right columns",
        ));
    }
    let members = members(rows, &linkage, &lab.national);
    progress.start("index events, matching and tests", 0);
    // What the records cover is the lab's to say, not the caller's.
    let mut analysis_settings = settings.analysis.clone();
    analysis_settings.cohort.coverage = lab.coverage;
    let results = analysis::analyse(&lab.history, &members, &analysis_settings);
    progress.finish();
    let results = results.map_err(|e| match e {
        AnalysisError::Cohort(e) => Stopped::at(Stage::IndexEvents, e),
        AnalysisError::Matching(e) => Stopped::at(Stage::Matching, e),
    })?;
    if results.measures.iter().all(|m| m.estimate.is_none()) {
        let why = results
            .measures
            .iter()
            .find_map(|m| m.error.clone())
            .unwrap_or_default();
        return Err(Stopped::at(
            Stage::Tests,
            format!("no measure could be estimated: {why}"),
        ));
    }
    Ok(Analysed { linkage, results })
}

/// The linked cohort members, as the analysis takes them.
fn members(rows: &[CohortRow], linkage: &Linkage, national: &National) -> Vec<Member> {
    // Linkage keeps one entry per cohort row, in the cohort's order.
    debug_assert_eq!(rows.len(), linkage.rows.len());
    rows.iter()
        .zip(&linkage.rows)
        .filter_map(|(row, link)| {
            debug_assert_eq!(row.row, link.row);
            Some(Member {
                row: link.row,
                person_id: national.person_id(link.person?),
                intervention_start: row.intervention_start,
                sentence: (row.sentence_start, row.sentence_end),
            })
        })
        .collect()
}

/// The pseudonyms of everyone linked. The provider chooses who is
/// submitted, so two submissions a few people apart are what a differencing
/// attack looks like, whatever matching then does with them: comparing the
/// matched people alone would let the churn of greedy matching hide a
/// near-copy.
fn linked_people(linkage: &Linkage) -> Vec<PersonKey> {
    linkage
        .rows
        .iter()
        .filter_map(|l| l.pseudonym.as_deref().map(PersonKey::from))
        .collect()
}
