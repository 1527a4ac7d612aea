//! The Justice Data Lab's request lifecycle.
//!
//! A provider organisation's user uploads a cohort with its request
//! metadata and the organisation's data-protection confirmations. Intake
//! (`datalab::intake`) checks it at once; a rejected upload is shown and
//! never stored. An accepted one is sealed under a fresh data key
//! ([`vault`]) and becomes a request, which moves through these states,
//! each change recorded with its time and who made it:
//!
//! ```text
//! submitted ─► processing ─► disclosure check ─► issued ─► in review ─► closed ─► destroyed
//!    │  │            │               │              └──────────────────────┘
//!    │  │            └──► failed ◄───┘                                       (after 20 working days)
//!    │  │                   └──────────────────────────────────────────────► destroyed
//!    │  └─► returned for correction ─► (resubmitted) submitted                (after 10 working days)
//!    └────► rejected
//! ```
//!
//! - **processing**: an analyst ran the analysis (which decrypts the cohort:
//!   audited with the analyst's reason); **disclosure check**: the analyst
//!   reviews the released figures before anything leaves the lab;
//!   **issued**: the provider is told by email and may download the report;
//!   **in review**: the provider has the report, and questions may be
//!   raised until the review period ends (20 working days after issue);
//!   **closed** at its end.
//! - **failed**: the run stopped (the analyst sees the stage and reason, the
//!   provider a reason safe to share), or the analyst withheld the report
//!   at the disclosure check.
//! - **returned for correction** and **rejected**: the analyst's decisions
//!   on a submitted cohort; its data is destroyed at once. A returned
//!   request can be resubmitted with a corrected file (or left to lapse),
//!   not rejected in turn.
//!
//! [`WORKFLOW`] declares these moves, and every status change goes through
//! it: the analyst's buttons are the moves it offers an analyst from the
//! request's state, and a move it does not declare is refused.
//!
//! Destruction deletes the request's key row and its sealed files
//! (crypto-shredding) and writes a destruction certificate. It happens 20
//! working days after issue or 10 after a failure (configurable; England
//! and Wales bank holidays excluded), through [`sweep`], which the service
//! runs on a timer. Reports and aggregates are kept. The files go after the
//! key's deletion commits; should one survive (a failing disk), it is
//! unreadable, and a later sweep removes it and audits the removal.
//!
//! One individual-level trace is kept after destruction: the pseudonymous
//! linkage keys of each *issued* request's people, in
//! `datalab_released_people`, from which the differencing register
//! (`datalab::disclosure::Register`) is built for every later run. Without
//! it, two reports on cohorts differing by a few people could be subtracted
//! to reveal those people's reoffending. The keys are keyed hashes that
//! name nobody without the lab's linkage key, are never shown or exported,
//! and the privacy notice says so.
//!
//! Providers see only their own organisation's requests (anything else is
//! "not found"), and never any individual-level data, their own included,
//! once submitted: only counts and the aggregate report.
//!
//! This room may touch the platform (database, accounts, sessions, audit,
//! outbox, clock), the `ui` crate, the working-day calendar and its engine,
//! `datalab`, whose pure steps it drives through [`pipeline::Pipeline`]. It
//! never imports another system.

pub mod lab_pipeline;
pub mod pipeline;
mod routes;
pub mod subject_access;
pub mod vault;

pub use routes::router;

/// The platform's migrations for the lab's tables.
pub const MIGRATIONS: &[platform::db::Migration] = &[platform::db::Migration {
    name: "lab/0001",
    sql: include_str!("../migrations/0001_lab.sql"),
    sqlite: &[],
    postgres: &[],
}];

/// The lab's scheduled work, for the platform's job runner: the lifecycle
/// sweep (closing reviews, destroying data that is due) every
/// `sweep_interval_minutes`, on one instance at a time.
pub fn jobs(db: &Db, lab: &Lab) -> Vec<platform::jobs::Job> {
    let (db, lab) = (db.clone(), lab.clone());
    let every = std::time::Duration::from_secs(lab.config.sweep_interval_minutes.max(1) * 60);
    vec![platform::jobs::Job::new(
        "lab.sweep",
        every,
        true,
        move || {
            let (db, lab) = (db.clone(), lab.clone());
            async move {
                let swept = sweep(&db, &lab).await?;
                Ok(swept.closed + swept.destroyed + swept.files_removed)
            }
        },
    )]
}

/// The lab's service name and menus.
pub struct Menu;

impl platform::web::Navigation for Menu {
    fn service(&self) -> &'static str {
        "Justice Data Lab"
    }

    fn home(&self, user: &platform::sessions::SessionUser) -> Option<&'static str> {
        (user.kind == platform::accounts::Kind::DataLab).then_some("/datalab")
    }

    fn links(&self, u: &platform::sessions::SessionUser) -> Vec<(String, String)> {
        let mut links: Vec<(String, String)> = Vec::new();
        if u.kind != platform::accounts::Kind::DataLab {
            return links;
        }
        if u.provider_organisation().is_some() {
            links.push(("/datalab".into(), "Your requests".into()));
            links.push(("/datalab/new".into(), "New request".into()));
        }
        if u.is_analyst() {
            links.push(("/datalab".into(), "Request queue".into()));
        }
        if u.is_asset_owner() {
            links.push(("/datalab".into(), "Requests".into()));
            links.push(("/datalab/audit".into(), "Audit log".into()));
            links.push((
                "/datalab/certificates".into(),
                "Destruction certificates".into(),
            ));
        }
        links
    }
}

/// A request's status tag.
pub fn tag(status: Status) -> maud::Markup {
    let colour = match status {
        Status::Submitted => "govuk-tag--blue",
        Status::Processing | Status::DisclosureCheck => "govuk-tag--purple",
        Status::ReturnedForCorrection => "govuk-tag--yellow",
        Status::Issued | Status::InReview => "govuk-tag--green",
        Status::Rejected | Status::Failed => "govuk-tag--red",
        Status::Closed | Status::Destroyed => "govuk-tag--grey",
    };
    ui::tag(colour, status.label())
}

use std::io::Cursor;
use std::path::PathBuf;
use std::sync::Arc;

use ::datalab::disclosure::{PersonKey, Register};
use ::datalab::intake::{self, CohortRow, DateOrder, Report};
use calendar::{Calendar, Region, WorkingDays};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sqlx::Row;

use pipeline::{Failure, Job, Pipeline, Produced};
use platform::accounts::Role;
use platform::audit;
use platform::clock::{Clock, date_of};
use platform::db::Db;
use platform::ids::new_id;
use platform::workflow::{Change, Step, Transition, Who, Workflow};
use platform::{Error, Result};
use vault::{Item, Key, Vault};

/// Where a request is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Accepted by intake and waiting for an analyst.
    Submitted,
    /// Sent back to the provider to correct and resubmit; data destroyed.
    ReturnedForCorrection,
    /// Refused by the lab; data destroyed.
    Rejected,
    /// The analysis is running.
    Processing,
    /// The analyst is checking the released figures.
    DisclosureCheck,
    /// The report has been issued to the provider.
    Issued,
    /// The provider has the report; questions may be raised.
    InReview,
    /// The review period has ended.
    Closed,
    /// The analysis could not be completed or released.
    Failed,
    /// Individual-level data destroyed; only the report and aggregates
    /// remain.
    Destroyed,
}

impl Status {
    /// Every state, in lifecycle order.
    pub const ALL: [Status; 10] = [
        Status::Submitted,
        Status::ReturnedForCorrection,
        Status::Rejected,
        Status::Processing,
        Status::DisclosureCheck,
        Status::Issued,
        Status::InReview,
        Status::Closed,
        Status::Failed,
        Status::Destroyed,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Submitted => "submitted",
            Status::ReturnedForCorrection => "returned_for_correction",
            Status::Rejected => "rejected",
            Status::Processing => "processing",
            Status::DisclosureCheck => "disclosure_check",
            Status::Issued => "issued",
            Status::InReview => "in_review",
            Status::Closed => "closed",
            Status::Failed => "failed",
            Status::Destroyed => "destroyed",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// How people read it.
    pub fn label(self) -> &'static str {
        match self {
            Status::Submitted => "Submitted",
            Status::ReturnedForCorrection => "Returned for correction",
            Status::Rejected => "Rejected",
            Status::Processing => "Processing",
            Status::DisclosureCheck => "Disclosure check",
            Status::Issued => "Issued",
            Status::InReview => "In review",
            Status::Closed => "Closed",
            Status::Failed => "Failed",
            Status::Destroyed => "Destroyed",
        }
    }
}

impl platform::workflow::State for Status {
    fn as_str(&self) -> &'static str {
        Status::as_str(*self)
    }

    fn label(&self) -> &'static str {
        Status::label(*self)
    }
}

/// The names of the moves [`WORKFLOW`] declares.
pub mod step {
    /// The provider sends a corrected cohort for a returned request.
    pub const RESUBMIT: &str = "resubmit";
    /// An analyst starts the analysis (decrypting the cohort).
    pub const RUN: &str = "run";
    /// An analyst sends a submitted cohort back for correction.
    pub const RETURN: &str = "return";
    /// An analyst refuses a submitted cohort.
    pub const REJECT: &str = "reject";
    /// The run produced a report, which waits for the disclosure check.
    pub const FINISH: &str = "finish";
    /// The run stopped.
    pub const FAIL: &str = "fail";
    /// An analyst withholds the report at the disclosure check.
    pub const WITHHOLD: &str = "withhold";
    /// An analyst issues the report to the provider.
    pub const ISSUE: &str = "issue";
    /// The provider has the report (downloaded it or asked about it).
    pub const RECEIVE: &str = "receive";
    /// The review period has ended.
    pub const CLOSE: &str = "close";
    /// The individual-level data was destroyed on schedule.
    pub const DESTROY: &str = "destroy";
}

/// A request's states and moves: the diagram at the top of this module as
/// the table the service runs on. An analyst's decision is taken only on a
/// submitted cohort; a returned one goes back to its provider, and so is
/// never rejected.
pub static WORKFLOW: Workflow<Status> = Workflow {
    noun: "request",
    table: "datalab_requests",
    history: "datalab_events",
    history_key: "request_id",
    states: &Status::ALL,
    initial: Status::Submitted,
    transitions: &[
        Transition {
            action: step::RUN,
            from: &[Status::Submitted],
            to: Status::Processing,
            who: &[Who::Role(Role::Analyst)],
            audit: "datalab.request.run",
        },
        Transition {
            action: step::RETURN,
            from: &[Status::Submitted],
            to: Status::ReturnedForCorrection,
            who: &[Who::Role(Role::Analyst)],
            audit: "datalab.request.return",
        },
        Transition {
            action: step::REJECT,
            from: &[Status::Submitted],
            to: Status::Rejected,
            who: &[Who::Role(Role::Analyst)],
            audit: "datalab.request.reject",
        },
        Transition {
            action: step::RESUBMIT,
            from: &[Status::ReturnedForCorrection],
            to: Status::Submitted,
            who: &[Who::Role(Role::Provider)],
            audit: "datalab.request.resubmit",
        },
        Transition {
            action: step::FINISH,
            from: &[Status::Processing],
            to: Status::DisclosureCheck,
            who: &[Who::System],
            audit: "datalab.request.finish",
        },
        Transition {
            action: step::FAIL,
            from: &[Status::Processing],
            to: Status::Failed,
            who: &[Who::System],
            audit: "datalab.request.fail",
        },
        Transition {
            action: step::ISSUE,
            from: &[Status::DisclosureCheck],
            to: Status::Issued,
            who: &[Who::Role(Role::Analyst)],
            audit: "datalab.request.issue",
        },
        Transition {
            action: step::WITHHOLD,
            from: &[Status::DisclosureCheck],
            to: Status::Failed,
            who: &[Who::Role(Role::Analyst)],
            audit: "datalab.request.withhold",
        },
        Transition {
            action: step::RECEIVE,
            from: &[Status::Issued],
            to: Status::InReview,
            who: &[Who::Role(Role::Provider)],
            audit: "datalab.request.receive",
        },
        Transition {
            action: step::CLOSE,
            from: &[Status::Issued, Status::InReview],
            to: Status::Closed,
            who: &[Who::System],
            audit: "datalab.request.close",
        },
        Transition {
            action: step::DESTROY,
            from: &[Status::Closed, Status::Failed],
            to: Status::Destroyed,
            who: &[Who::System],
            audit: "datalab.request.destroy",
        },
    ],
};

/// The Justice Data Lab's settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The directory made by `lifeline datalab generate` (holding
    /// `national/`), whose national records requests are linked to. Unset,
    /// requests can be submitted and checked but not run.
    pub reference: Option<PathBuf>,
    /// The file holding the lab's pseudonymisation key (the secret behind
    /// its pseudonymous IDs, as `lifeline datalab run --key` uses); unset,
    /// `data_dir/datalab/lab.key`, made on first use.
    pub lab_key: Option<PathBuf>,
    /// The master key that wraps each request's data key: 64 hex digits.
    /// Unset, one is generated on first run in `data_dir/datalab/master.key`
    /// (readable by the service's user only). Keep it apart from database
    /// backups.
    pub master_key: Option<String>,
    /// Working days after a report is issued during which the provider may
    /// raise questions (20, as the Privacy Impact Assessment sets).
    pub review_working_days: u32,
    /// Working days after issue after which the individual-level data is
    /// destroyed (20; never fewer than the review period).
    pub destroy_after_issue_working_days: u32,
    /// Working days after a failure after which the individual-level data
    /// is destroyed (10).
    pub destroy_after_failure_working_days: u32,
    /// The largest cohort file accepted, in bytes (10 MiB).
    pub max_upload_bytes: usize,
    /// How often the lifecycle sweep (closing reviews, destroying data)
    /// runs, in minutes.
    pub sweep_interval_minutes: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            reference: None,
            lab_key: None,
            master_key: None,
            review_working_days: 20,
            destroy_after_issue_working_days: 20,
            destroy_after_failure_working_days: 10,
            max_upload_bytes: 10 * 1024 * 1024,
            sweep_interval_minutes: 60,
        }
    }
}

/// The lab's part of the application state.
#[derive(Clone)]
pub struct Lab {
    /// Sealed storage and the master key.
    pub vault: Vault,
    /// The analysis.
    pub pipeline: Arc<dyn Pipeline>,
    /// The clock deadlines are counted by.
    pub clock: Clock,
    /// Working days (England and Wales).
    pub calendar: Calendar,
    /// Settings.
    pub config: Config,
    /// Where reports are kept.
    pub reports: PathBuf,
}

impl Lab {
    /// The lab under `data_dir`.
    pub fn open(
        data_dir: &std::path::Path,
        config: Config,
        pipeline: Arc<dyn Pipeline>,
        clock: Clock,
    ) -> Result<Lab> {
        let vault = Vault::open(data_dir, config.master_key.as_deref())?;
        let reports = data_dir.join("datalab").join("reports");
        std::fs::create_dir_all(&reports)
            .map_err(|e| Error::io(format!("cannot create {}", reports.display()), e))?;
        Ok(Lab {
            vault,
            pipeline,
            clock,
            calendar: Calendar::new(Region::EnglandAndWales),
            config,
            reports,
        })
    }

    /// The date `days` working days after `from`.
    pub fn working_days_after(&self, from: NaiveDate, days: u32) -> Result<NaiveDate> {
        self.calendar
            .add_working_days(from, WorkingDays(days))
            .map_err(|e| Error::Conflict(format!("working days: {e}")))
    }

    fn report_path(&self, request_id: &str, ext: &str) -> PathBuf {
        self.reports
            .join(format!("{}.{ext}", vault::file_stem(request_id)))
    }

    /// A stored report file (`html`, `pdf` or `json`), if there is one.
    pub fn report_file(&self, request_id: &str, ext: &str) -> Option<Vec<u8>> {
        std::fs::read(self.report_path(request_id, ext)).ok()
    }

    /// Whether a report file exists (without reading it).
    pub fn has_report_file(&self, request_id: &str, ext: &str) -> bool {
        self.report_path(request_id, ext).exists()
    }
}

/// Who did something: the same actor as a visit's history records.
pub use platform::Actor;

/// The request metadata the provider typed (the organisation comes from
/// their account).
#[derive(Debug, Clone)]
pub struct Metadata {
    /// What the intervention is.
    pub intervention: String,
    /// How the data were collected.
    pub collection: String,
    /// People left out as incomplete.
    pub excluded_incomplete: u64,
    /// Day and month order, when known.
    pub date_order: Option<DateOrder>,
    /// Data protection confirmation.
    pub data_protection: bool,
    /// Section 14 gateway confirmation.
    pub section_14_gateway: bool,
}

impl Metadata {
    /// As intake's request, for `organisation`.
    pub fn request(&self, organisation: &str) -> intake::Request {
        intake::Request {
            organisation: organisation.to_owned(),
            intervention: self.intervention.clone(),
            collection: self.collection.clone(),
            excluded_incomplete: self.excluded_incomplete,
            date_order: self.date_order,
            confirmation: intake::Confirmation {
                data_protection: self.data_protection,
                section_14_gateway: self.section_14_gateway,
            },
        }
    }
}

/// Checks a cohort file against `request` with intake's rules. Returns the
/// report and the usable rows (empty when rejected).
pub fn validate(
    bytes: &[u8],
    request: &intake::Request,
    settings: &intake::Settings,
) -> std::result::Result<(Report, Vec<CohortRow>), String> {
    let mut rows = Vec::new();
    let report = intake::validate_csv(Cursor::new(bytes), request, settings, |r| rows.push(r))
        .map_err(|e| e.to_string())?;
    if report.decision != intake::Decision::Accepted {
        rows.clear();
    }
    Ok((report, rows))
}

/// Intake's findings as kept with a request: counts and rule tallies, never
/// a value from the file.
#[derive(Debug, Clone, Serialize, serde::Deserialize, Default)]
pub struct IntakeSummary {
    /// Data rows read.
    pub rows_read: u64,
    /// Rows used.
    pub usable: u64,
    /// Rows left out for errors.
    pub with_errors: u64,
    /// Rows with warnings.
    pub with_warnings: u64,
    /// Each rule broken: (rule, errors, warnings).
    pub rules: Vec<(String, u64, u64)>,
}

impl IntakeSummary {
    /// The summary of an intake report.
    pub fn of(report: &Report) -> IntakeSummary {
        IntakeSummary {
            rows_read: report.counts.rows_read,
            usable: report.counts.usable,
            with_errors: report.counts.with_errors,
            with_warnings: report.counts.with_warnings,
            rules: report
                .rules
                .iter()
                .map(|(rule, t)| (format!("{rule:?}"), t.errors, t.warnings))
                .collect(),
        }
    }
}

/// The usable rows as the lab's template CSV, dates as ISO: what is
/// sealed. Only usable rows are kept (rows with errors are never stored).
pub fn rows_to_csv(rows: &[CohortRow]) -> Vec<u8> {
    fn cell(out: &mut String, s: &str) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    }
    let mut out = intake::TEMPLATE_COLUMNS.join(",");
    out.push('\n');
    for r in rows {
        let values = [
            r.forename.clone(),
            r.surname.clone(),
            r.date_of_birth.to_string(),
            r.gender.to_string(),
            r.postcode
                .as_ref()
                .map(|p| p.to_string())
                .unwrap_or_default(),
            r.intervention_start.to_string(),
            r.sentence_start.map(|d| d.to_string()).unwrap_or_default(),
            r.sentence_end.map(|d| d.to_string()).unwrap_or_default(),
            r.pnc_id.map(|p| p.to_string()).unwrap_or_default(),
            r.prison_number
                .as_ref()
                .map(|p| p.to_string())
                .unwrap_or_default(),
        ];
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            cell(&mut out, v);
        }
        out.push('\n');
    }
    out.into_bytes()
}

/// Reads sealed rows back (they passed intake once, so they pass again),
/// with intake's report on them.
fn csv_to_rows(
    bytes: &[u8],
    request: &intake::Request,
    settings: &intake::Settings,
) -> Result<(Report, Vec<CohortRow>)> {
    let mut request = request.clone();
    // Dates are ISO now: no order to settle.
    request.date_order = None;
    let (report, rows) = validate(bytes, &request, settings).map_err(Error::Corrupt)?;
    if report.decision != intake::Decision::Accepted {
        return Err(Error::Corrupt(format!(
            "sealed cohort no longer passes intake: {}",
            report.reasons.join("; ")
        )));
    }
    Ok((report, rows))
}

/// A request as stored.
#[derive(Debug, Clone, Serialize)]
pub struct DataRequest {
    /// Key.
    pub id: String,
    /// Reference shown to people (`JDL-ACE-7HK-4W`).
    pub reference: String,
    /// The organisation's key.
    pub organisation_id: String,
    /// The organisation's name.
    pub organisation: String,
    /// The provider user who submitted it.
    pub submitted_by: String,
    /// Where it is.
    pub status: Status,
    /// The intervention.
    pub intervention: String,
    /// How the data were collected.
    pub collection: String,
    /// People left out as incomplete.
    pub excluded_incomplete: i64,
    /// The date order given.
    pub date_order: Option<String>,
    /// Intake's counts.
    pub intake: IntakeSummary,
    /// Usable rows.
    pub rows_usable: i64,
    /// When first submitted.
    pub created_at: i64,
    /// When last changed.
    pub updated_at: i64,
    /// When the report was issued.
    pub issued_at: Option<i64>,
    /// The last day of the review period.
    pub review_ends: Option<String>,
    /// When it failed.
    pub failed_at: Option<i64>,
    /// The individual-level data is destroyed after this day.
    pub destroy_after: Option<String>,
    /// When the individual-level data was destroyed.
    pub destroyed_at: Option<i64>,
    /// The stage a run stopped at (lab only).
    pub failure_stage: Option<String>,
    /// Why it stopped (lab only).
    pub failure_reason: Option<String>,
    /// A reason safe to show the provider.
    pub provider_reason: Option<String>,
    /// Whether report files exist.
    pub has_report: bool,
    /// A line about the run's result.
    pub report_summary: Option<String>,
}

impl DataRequest {
    /// Whether the provider may download the report: only one that was
    /// issued. A report withheld at the disclosure check stays withheld
    /// whatever state the request reaches later (failed, then destroyed).
    pub fn report_released(&self) -> bool {
        self.has_report && self.issued_at.is_some()
    }
}

/// Requests with their organisation's name, for every query that reads them.
const SELECT_REQUESTS: &str = "SELECT r.id, r.reference, r.organisation_id, o.name AS organisation, r.submitted_by, r.status, \
     r.intervention, r.collection, r.excluded_incomplete, r.date_order, r.intake_summary, r.rows_usable, \
     r.created_at, r.updated_at, r.issued_at, r.review_ends, r.failed_at, r.destroy_after, r.destroyed_at, \
     r.failure_stage, r.failure_reason, r.provider_reason, r.has_report, r.report_summary \
     FROM datalab_requests r JOIN organisations o ON o.id = r.organisation_id";

fn request_from_row(r: &sqlx::any::AnyRow) -> Result<DataRequest> {
    let status: String = r.try_get("status")?;
    let intake: String = r.try_get("intake_summary")?;
    Ok(DataRequest {
        id: r.try_get("id")?,
        reference: r.try_get("reference")?,
        organisation_id: r.try_get("organisation_id")?,
        organisation: r.try_get("organisation")?,
        submitted_by: r.try_get("submitted_by")?,
        status: Status::parse(&status)
            .ok_or_else(|| Error::Corrupt(format!("request status {status:?}")))?,
        intervention: r.try_get("intervention")?,
        collection: r.try_get("collection")?,
        excluded_incomplete: r.try_get("excluded_incomplete")?,
        date_order: r.try_get("date_order")?,
        intake: serde_json::from_str(&intake).unwrap_or_default(),
        rows_usable: r.try_get("rows_usable")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        issued_at: r.try_get("issued_at")?,
        review_ends: r.try_get("review_ends")?,
        failed_at: r.try_get("failed_at")?,
        destroy_after: r.try_get("destroy_after")?,
        destroyed_at: r.try_get("destroyed_at")?,
        failure_stage: r.try_get("failure_stage")?,
        failure_reason: r.try_get("failure_reason")?,
        provider_reason: r.try_get("provider_reason")?,
        has_report: r.try_get::<i64, _>("has_report")? != 0,
        report_summary: r.try_get("report_summary")?,
    })
}

/// A request by key.
pub async fn get(db: &Db, id: &str) -> Result<DataRequest> {
    let row = sqlx::query(&format!("{SELECT_REQUESTS} WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(Error::NotFound)?;
    request_from_row(&row)
}

/// A request by key, only if it belongs to `organisation`: another
/// organisation's request is [`Error::NotFound`], exactly as one that does
/// not exist, so its existence is not revealed.
pub async fn get_for_organisation(db: &Db, id: &str, organisation: &str) -> Result<DataRequest> {
    let row = sqlx::query(&format!(
        "{SELECT_REQUESTS} WHERE r.id = $1 AND r.organisation_id = $2"
    ))
    .bind(id)
    .bind(organisation)
    .fetch_optional(db.pool())
    .await?
    .ok_or(Error::NotFound)?;
    request_from_row(&row)
}

/// An organisation's requests, newest first.
pub async fn for_organisation(db: &Db, organisation: &str) -> Result<Vec<DataRequest>> {
    let rows = sqlx::query(&format!(
        "{SELECT_REQUESTS} WHERE r.organisation_id = $1 ORDER BY r.created_at DESC, r.id DESC"
    ))
    .bind(organisation)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(request_from_row).collect()
}

/// Every request, oldest first (the analysts' queue).
pub async fn all(db: &Db) -> Result<Vec<DataRequest>> {
    let rows = sqlx::query(&format!("{SELECT_REQUESTS} ORDER BY r.created_at, r.id"))
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(request_from_row).collect()
}

/// One state change or other step in a request's history.
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    /// When.
    pub at: i64,
    /// Who (account key or "system").
    pub actor: String,
    /// Their name as shown.
    pub actor_name: String,
    /// The state before, if it changed.
    pub from: Option<Status>,
    /// The state after.
    pub to: Status,
    /// What happened.
    pub detail: String,
}

/// A request's history, oldest first.
pub async fn events(db: &Db, id: &str) -> Result<Vec<Event>> {
    let rows = sqlx::query(
        "SELECT e.at, e.actor, COALESCE(a.name, 'Lifeline') AS actor_name, e.from_status, e.to_status, e.detail \
         FROM datalab_events e LEFT JOIN accounts a ON a.id = e.actor WHERE e.request_id = $1 ORDER BY e.at, e.id",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let from: Option<String> = r.try_get("from_status")?;
            let to: String = r.try_get("to_status")?;
            Ok(Event {
                at: r.try_get("at")?,
                actor: r.try_get("actor")?,
                actor_name: r.try_get("actor_name")?,
                from: from.as_deref().and_then(Status::parse),
                to: Status::parse(&to).ok_or_else(|| Error::Corrupt(format!("status {to:?}")))?,
                detail: r.try_get("detail")?,
            })
        })
        .collect()
}

/// Writes a line of a request's history without moving it: its
/// submission, or a step that changes no status.
async fn event(
    conn: &mut sqlx::AnyConnection,
    at: i64,
    request_id: &str,
    actor: &Actor,
    to: Status,
    detail: &str,
) -> Result<()> {
    WORKFLOW
        .record(
            conn,
            &Step {
                id: request_id,
                actor: &actor.id,
                at,
                from: None,
                to,
                detail,
            },
        )
        .await
}

/// Seals a cohort under a new data key, replacing any key the request had.
async fn seal_cohort(
    conn: &mut sqlx::AnyConnection,
    lab: &Lab,
    id: &str,
    rows: &[CohortRow],
    at: i64,
) -> Result<String> {
    let key = Key::random();
    let digest = lab.vault.put(id, Item::Cohort, &key, &rows_to_csv(rows))?;
    sqlx::query("DELETE FROM datalab_keys WHERE request_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO datalab_keys (request_id, wrapped_key, fingerprint, ciphertext_sha256, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(lab.vault.wrap(id, &key)?)
    .bind(key.fingerprint())
    .bind(&digest)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(key.fingerprint())
}

/// The intake summary kept with a cohort about to be stored, which must be
/// an accepted one.
fn accepted_summary(report: &Report, rows: &[CohortRow]) -> Result<String> {
    if report.decision != intake::Decision::Accepted || rows.is_empty() {
        return Err(Error::Conflict("only an accepted cohort is stored".into()));
    }
    serde_json::to_string(&IntakeSummary::of(report)).map_err(|e| Error::Corrupt(e.to_string()))
}

/// Stores an accepted cohort as a new request of `organisation`. Returns
/// its key and reference.
pub async fn submit(
    db: &Db,
    lab: &Lab,
    actor: &Actor,
    organisation: &str,
    meta: &Metadata,
    report: &Report,
    rows: &[CohortRow],
) -> Result<(String, String)> {
    let summary = accepted_summary(report, rows)?;
    let id = new_id();
    let reference = format!("JDL-{}", platform::ids::new_reference(&mut rand::rng()));
    let at = lab.clock.now();
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO datalab_requests (id, reference, organisation_id, submitted_by, status, intervention, collection, \
         excluded_incomplete, date_order, intake_summary, rows_usable, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)",
    )
    .bind(&id)
    .bind(&reference)
    .bind(organisation)
    .bind(&actor.id)
    .bind(WORKFLOW.initial.as_str())
    .bind(&meta.intervention)
    .bind(&meta.collection)
    .bind(meta.excluded_incomplete as i64)
    .bind(meta.date_order.map(order_name))
    .bind(&summary)
    .bind(rows.len() as i64)
    .bind(at)
    .execute(&mut *tx)
    .await?;
    let fingerprint = match seal_cohort(&mut tx, lab, &id, rows, at).await {
        Ok(f) => f,
        Err(e) => {
            let _ = lab.vault.delete(&id, Item::Cohort);
            return Err(e);
        }
    };
    event(
        &mut tx,
        at,
        &id,
        actor,
        WORKFLOW.initial,
        &format!(
            "Cohort of {} usable rows submitted with the organisation's data protection and section 14 confirmations",
            rows.len()
        ),
    )
    .await?;
    audit::record_at(
        &mut tx,
        at,
        &actor.id,
        "datalab.cohort.receive",
        &id,
        &format!(
            "received {} usable rows of {reference}; sealed under data key {fingerprint}",
            rows.len()
        ),
    )
    .await?;
    tx.commit().await?;
    Ok((id, reference))
}

/// Replaces a returned request's cohort with a corrected one and submits
/// it again.
pub async fn resubmit(
    db: &Db,
    lab: &Lab,
    actor: &Actor,
    id: &str,
    report: &Report,
    rows: &[CohortRow],
) -> Result<()> {
    let summary = accepted_summary(report, rows)?;
    let at = lab.clock.now();
    let detail = format!("Corrected cohort of {} usable rows resubmitted", rows.len());
    let mut tx = db.begin_write().await?;
    WORKFLOW
        .apply(
            &mut tx,
            &Change::new(id, step::RESUBMIT, actor, at, &detail)
                .set("intake_summary", summary)
                .set("rows_usable", rows.len() as i64)
                .set("destroyed_at", None::<i64>)
                .set("destroy_after", None::<String>),
        )
        .await?;
    let fingerprint = seal_cohort(&mut tx, lab, id, rows, at).await?;
    audit::record_at(
        &mut tx,
        at,
        &actor.id,
        "datalab.cohort.receive",
        id,
        &format!(
            "received a corrected cohort of {} usable rows; sealed under data key {fingerprint}",
            rows.len()
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A date order's stored (and form) name.
fn order_name(o: DateOrder) -> &'static str {
    match o {
        DateOrder::Dmy => "dmy",
        DateOrder::Mdy => "mdy",
    }
}

/// The date order [`order_name`] names.
pub fn parse_order(name: &str) -> Option<DateOrder> {
    [DateOrder::Dmy, DateOrder::Mdy]
        .into_iter()
        .find(|&o| order_name(o) == name)
}

async fn data_key(db: &Db, lab: &Lab, id: &str) -> Result<Key> {
    let wrapped: Option<String> =
        sqlx::query_scalar("SELECT wrapped_key FROM datalab_keys WHERE request_id = $1")
            .bind(id)
            .fetch_optional(db.pool())
            .await?;
    let wrapped = wrapped.ok_or_else(|| {
        Error::Conflict("the request's individual-level data has been destroyed".into())
    })?;
    lab.vault.unwrap_key(id, &wrapped)
}

/// Decrypts a request's cohort, recording who, when, what and why in the
/// audit log first (an access that was attempted is logged even if it
/// then fails).
pub async fn open_cohort(
    db: &Db,
    lab: &Lab,
    actor: &Actor,
    request: &DataRequest,
    why: &str,
) -> Result<(Report, Vec<CohortRow>)> {
    audit::log_at(
        db,
        lab.clock.now(),
        &actor.id,
        "datalab.cohort.decrypt",
        &request.id,
        &format!(
            "decrypted the {} rows of {} to run the analysis; reason given: {why}",
            request.rows_usable, request.reference
        ),
    )
    .await?;
    let key = data_key(db, lab, &request.id).await?;
    let plain = lab.vault.get(&request.id, Item::Cohort, &key)?;
    let stored = stored_request(request);
    let for_read = stored.clone();
    // Settings may need the national records loaded (the real pipeline
    // loads them on first use), which is blocking work too.
    let pipeline = lab.pipeline.clone();
    let (mut report, rows) = tokio::task::spawn_blocking(move || {
        csv_to_rows(&plain, &for_read, &pipeline.intake_settings())
    })
    .await
    .map_err(|e| Error::Corrupt(format!("reading the cohort panicked: {e}")))??;
    // The counts of the file as the provider sent it, not of the sealed
    // copy (which holds the usable rows only).
    report.counts.rows_read = request.intake.rows_read;
    report.counts.with_errors = request.intake.with_errors;
    report.counts.with_warnings = request.intake.with_warnings;
    report.request = Some(stored);
    Ok((report, rows))
}

/// The request metadata as the provider submitted it, with their
/// organisation's name.
pub fn stored_request(r: &DataRequest) -> intake::Request {
    intake::Request {
        organisation: r.organisation.clone(),
        intervention: r.intervention.clone(),
        collection: r.collection.clone(),
        excluded_incomplete: r.excluded_incomplete.max(0) as u64,
        date_order: r.date_order.as_deref().and_then(parse_order),
        confirmation: intake::Confirmation {
            data_protection: true,
            section_14_gateway: true,
        },
    }
}

/// The differencing register: every issued request's released cohort,
/// except `excluding`'s own.
pub async fn register(db: &Db, excluding: &str) -> Result<Register> {
    let rows = sqlx::query(
        "SELECT request_id, organisation_id, person_key FROM datalab_released_people WHERE request_id <> $1 ORDER BY request_id",
    )
    .bind(excluding)
    .fetch_all(db.pool())
    .await?;
    let mut grouped: Vec<(String, String, Vec<PersonKey>)> = Vec::new();
    for r in &rows {
        let request: String = r.try_get("request_id")?;
        let org: String = r.try_get("organisation_id")?;
        let key: String = r.try_get("person_key")?;
        match grouped.last_mut() {
            Some((req, _, people)) if *req == request => people.push(PersonKey::from(key)),
            _ => grouped.push((request, org, vec![PersonKey::from(key)])),
        }
    }
    let mut register = Register::new();
    for (request, org, people) in grouped {
        register
            .record(request, org, people)
            .map_err(|e| Error::Corrupt(e.to_string()))?;
    }
    Ok(register)
}

/// Starts the analysis of a submitted request: moves it to processing and
/// returns at once; the run goes on in the background and moves the
/// request to the disclosure check or to failed. `why` is the analyst's
/// reason for decrypting the cohort, recorded in the audit log.
pub async fn start_run(db: &Db, lab: &Lab, actor: &Actor, id: &str, why: &str) -> Result<()> {
    let at = lab.clock.now();
    let mut tx = db.begin_write().await?;
    WORKFLOW
        .apply(
            &mut tx,
            &Change::new(
                id,
                step::RUN,
                actor,
                at,
                "Analysis started: linkage, matching, outcomes and disclosure control",
            ),
        )
        .await?;
    tx.commit().await?;
    let (db, lab, actor, id, why) = (
        db.clone(),
        lab.clone(),
        actor.clone(),
        id.to_owned(),
        why.to_owned(),
    );
    tokio::spawn(async move {
        if let Err(e) = run(&db, &lab, &actor, &id, &why).await {
            tracing::error!(error = %e, request = %id, "data lab run could not be recorded");
        }
    });
    Ok(())
}

/// The run itself (see [`start_run`]); public so that tests can await it.
pub async fn run(db: &Db, lab: &Lab, actor: &Actor, id: &str, why: &str) -> Result<()> {
    let request = get(db, id).await?;
    let outcome: std::result::Result<Produced, Failure> = async {
        let (intake_report, rows) =
            open_cohort(db, lab, actor, &request, why)
                .await
                .map_err(|e| Failure {
                    stage: "intake".into(),
                    reason: e.to_string(),
                })?;
        let register = register(db, id).await.map_err(|e| Failure {
            stage: "set-up".into(),
            reason: e.to_string(),
        })?;
        let job = Job {
            reference: request.reference.clone(),
            intake: intake_report,
            produced: lab.clock.today(),
            rows,
            register,
        };
        let pipeline = lab.pipeline.clone();
        tokio::task::spawn_blocking(move || pipeline.run(job))
            .await
            .unwrap_or_else(|e| {
                Err(Failure {
                    stage: "analysis".into(),
                    reason: format!("the run panicked: {e}"),
                })
            })
    }
    .await;
    let at = lab.clock.now();
    match outcome {
        Ok(produced) => {
            let key = data_key(db, lab, id).await?;
            let people: String = produced
                .people
                .iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join("\n");
            lab.vault.put(id, Item::People, &key, people.as_bytes())?;
            write_report(lab, id, &produced)?;
            let system = Actor::system();
            let mut tx = db.begin_write().await?;
            WORKFLOW
                .apply(
                    &mut tx,
                    // The run's own counts are not yet cleared for release,
                    // so they stay on the analyst's view (report_summary),
                    // not in the history the provider sees.
                    &Change::new(
                        id,
                        step::FINISH,
                        &system,
                        at,
                        "Analysis finished; the figures wait for the lab's disclosure check",
                    )
                    .set("has_report", 1)
                    .set("report_summary", produced.summary.as_str()),
                )
                .await?;
            tx.commit().await?;
        }
        Err(failure) => {
            fail(db, lab, id, step::FAIL, &Actor::system(), &failure).await?;
        }
    }
    Ok(())
}

fn write_report(lab: &Lab, id: &str, produced: &Produced) -> Result<()> {
    let mut files: Vec<(&str, &[u8])> = vec![
        ("html", produced.html.as_bytes()),
        ("json", produced.json.as_bytes()),
    ];
    if let Some(pdf) = &produced.pdf {
        files.push(("pdf", pdf));
    }
    for (ext, bytes) in files {
        let path = lab.report_path(id, ext);
        std::fs::write(&path, bytes)
            .map_err(|e| Error::io(format!("cannot write {}", path.display()), e))?;
    }
    Ok(())
}

/// Fails a request by `action`: the run stopping, or the analyst
/// withholding the report.
async fn fail(
    db: &Db,
    lab: &Lab,
    id: &str,
    action: &str,
    actor: &Actor,
    failure: &Failure,
) -> Result<()> {
    let at = lab.clock.now();
    let today = date_of(at);
    let destroy_after =
        lab.working_days_after(today, lab.config.destroy_after_failure_working_days)?;
    let public = pipeline::provider_reason(&failure.stage);
    let detail = format!("Stopped at the {} stage", failure.stage);
    let mut tx = db.begin_write().await?;
    WORKFLOW
        .apply(
            &mut tx,
            &Change::new(id, action, actor, at, &detail)
                .set("failed_at", at)
                .set("destroy_after", destroy_after.to_string())
                .set("failure_stage", failure.stage.as_str())
                .set("failure_reason", failure.reason.as_str())
                .set("provider_reason", public.as_str()),
        )
        .await?;
    notify_provider(
        &mut tx,
        id,
        "Your Justice Data Lab request could not be completed",
        &format!(
            "The lab could not produce a report for your request.\n\n{public}\n\nThe individual-level data you sent will be destroyed after {}.",
            ui::long_date(&destroy_after.to_string())
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Emails the user who submitted a request (through the outbox, in the
/// transaction that made the change).
async fn notify_provider(
    conn: &mut sqlx::AnyConnection,
    id: &str,
    subject: &str,
    body: &str,
) -> Result<()> {
    let row = sqlx::query(
        "SELECT a.email, r.reference FROM datalab_requests r JOIN accounts a ON a.id = r.submitted_by WHERE r.id = $1",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    let email: String = row.try_get("email")?;
    let reference: String = row.try_get("reference")?;
    platform::outbox::enqueue(
        conn,
        None,
        &email,
        &format!("{subject}: {reference}"),
        &format!("Request {reference}\n\n{body}\n\nSign in to the Justice Data Lab to see it.\n"),
    )
    .await
}

/// The analyst withholds the report at the disclosure check: the request
/// fails at the disclosure stage.
pub async fn withhold(db: &Db, lab: &Lab, actor: &Actor, id: &str, reason: &str) -> Result<()> {
    fail(
        db,
        lab,
        id,
        step::WITHHOLD,
        actor,
        &Failure {
            stage: "disclosure".into(),
            reason: reason.to_owned(),
        },
    )
    .await
}

/// Why a request's report cannot be issued now, in words an analyst can
/// act on.
fn issue_refused(status: Status) -> String {
    match status {
        Status::Issued | Status::InReview => "the report has already been issued".to_owned(),
        other => format!(
            "the report can only be issued after its disclosure check, and the request is {}",
            other.label().to_lowercase()
        ),
    }
}

/// Issues the report: the provider is emailed, the review period starts,
/// and the released cohort's pseudonymous keys join the differencing
/// register (then their sealed copy is deleted).
pub async fn issue(db: &Db, lab: &Lab, actor: &Actor, id: &str) -> Result<()> {
    let request = get(db, id).await?;
    // Asked before the sealed people file is read, which only a request at
    // the disclosure check still has.
    if !WORKFLOW.allowed(step::ISSUE, request.status) {
        return Err(Error::Conflict(issue_refused(request.status)));
    }
    let key = data_key(db, lab, id).await?;
    let people = String::from_utf8(lab.vault.get(id, Item::People, &key)?)
        .map_err(|e| Error::Corrupt(e.to_string()))?;
    let at = lab.clock.now();
    let today = date_of(at);
    let review_ends = lab.working_days_after(today, lab.config.review_working_days)?;
    let destroy_after =
        lab.working_days_after(today, lab.config.destroy_after_issue_working_days)?;
    let detail = format!(
        "Report issued; questions may be raised until {}",
        ui::long_date(&review_ends.to_string())
    );
    let mut tx = db.begin_write().await?;
    WORKFLOW
        .apply(
            &mut tx,
            &Change::new(id, step::ISSUE, actor, at, &detail)
                .set("issued_at", at)
                .set("review_ends", review_ends.to_string())
                .set("destroy_after", destroy_after.to_string()),
        )
        .await?;
    let people: Vec<&str> = people.lines().filter(|l| !l.is_empty()).collect();
    let n = people.len();
    // Many people per statement (a cohort may hold thousands), few enough
    // to stay within SQLite's limit on parameters.
    for chunk in people.chunks(300) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("($1, $2, ${})", i + 3))
            .collect();
        let sql = format!(
            "INSERT INTO datalab_released_people (request_id, organisation_id, person_key) VALUES {} \
             ON CONFLICT (request_id, person_key) DO NOTHING",
            values.join(", ")
        );
        let mut insert = sqlx::query(&sql).bind(id).bind(&request.organisation_id);
        for person in chunk {
            insert = insert.bind(*person);
        }
        insert.execute(&mut *tx).await?;
    }
    audit::record_at(
        &mut tx,
        at,
        &actor.id,
        "datalab.people.register",
        id,
        &format!(
            "decrypted {n} pseudonymous keys of {} to add them to the differencing register on issue",
            request.reference
        ),
    )
    .await?;
    notify_provider(
        &mut tx,
        id,
        "Your Justice Data Lab report is ready",
        &format!(
            "The lab has issued the report on your cohort. You can download it now.\n\nYou may raise questions about it until {}. After that the individual-level data you sent is destroyed; the report is kept.",
            ui::long_date(&review_ends.to_string())
        ),
    )
    .await?;
    tx.commit().await?;
    if let Err(e) = lab.vault.delete(id, Item::People) {
        tracing::warn!(error = %e, request = %id, "could not delete the sealed people file after issue");
    }
    Ok(())
}

/// The provider has downloaded the report: an issued request moves into
/// review. A no-op in any other state.
pub async fn mark_received(db: &Db, lab: &Lab, actor: &Actor, id: &str) -> Result<()> {
    let at = lab.clock.now();
    let mut tx = db.begin_write().await?;
    let change = Change::new(
        id,
        step::RECEIVE,
        actor,
        at,
        "Report received by the provider; the review period is open for questions",
    );
    match WORKFLOW.apply(&mut tx, &change).await {
        Ok(_) => {
            tx.commit().await?;
            Ok(())
        }
        Err(Error::Conflict(_)) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Whether a provider may still raise questions about a request.
pub fn questions_open(request: &DataRequest, today: NaiveDate) -> bool {
    matches!(request.status, Status::Issued | Status::InReview)
        && request
            .review_ends
            .as_deref()
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .is_some_and(|end| today <= end)
}

/// A question and its answer.
#[derive(Debug, Clone, Serialize)]
pub struct Question {
    /// Key.
    pub id: String,
    /// When asked.
    pub asked_at: i64,
    /// The question.
    pub question: String,
    /// The lab's answer.
    pub answer: Option<String>,
    /// When answered.
    pub answered_at: Option<i64>,
}

/// A request's questions, oldest first.
pub async fn questions(db: &Db, id: &str) -> Result<Vec<Question>> {
    let rows = sqlx::query(
        "SELECT id, asked_at, question, answer, answered_at FROM datalab_questions WHERE request_id = $1 ORDER BY asked_at, id",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Question {
                id: r.try_get("id")?,
                asked_at: r.try_get("asked_at")?,
                question: r.try_get("question")?,
                answer: r.try_get("answer")?,
                answered_at: r.try_get("answered_at")?,
            })
        })
        .collect()
}

/// A provider asks a question during the review period (moving an issued
/// request into review).
pub async fn ask(db: &Db, lab: &Lab, actor: &Actor, id: &str, question: &str) -> Result<()> {
    let request = get(db, id).await?;
    if !questions_open(&request, lab.clock.today()) {
        return Err(Error::Conflict(
            "questions can only be raised during the review period".into(),
        ));
    }
    mark_received(db, lab, actor, id).await?;
    let at = lab.clock.now();
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO datalab_questions (id, request_id, asked_at, asked_by, question) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(new_id())
    .bind(id)
    .bind(at)
    .bind(&actor.id)
    .bind(question)
    .execute(&mut *tx)
    .await?;
    event(
        &mut tx,
        at,
        id,
        actor,
        Status::InReview,
        "Question raised by the provider",
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// An analyst answers a question; the provider is emailed.
pub async fn answer(
    db: &Db,
    lab: &Lab,
    actor: &Actor,
    id: &str,
    question_id: &str,
    text: &str,
) -> Result<()> {
    let at = lab.clock.now();
    let mut tx = db.begin_write().await?;
    let done = sqlx::query(
        "UPDATE datalab_questions SET answer = $1, answered_at = $2, answered_by = $3 WHERE id = $4 AND request_id = $5 AND answer IS NULL",
    )
    .bind(text)
    .bind(at)
    .bind(&actor.id)
    .bind(question_id)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() != 1 {
        return Err(Error::Conflict("that question is already answered".into()));
    }
    let status: String = sqlx::query_scalar("SELECT status FROM datalab_requests WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    event(
        &mut tx,
        at,
        id,
        actor,
        Status::parse(&status).unwrap_or(Status::InReview),
        "Question answered by the lab",
    )
    .await?;
    notify_provider(
        &mut tx,
        id,
        "The Justice Data Lab has answered your question",
        "The lab has answered a question you raised about your report.",
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The analyst sends a submitted cohort back for correction (or rejects
/// it): the cohort is destroyed at once, with a certificate. Only a
/// submitted cohort is decided on ([`WORKFLOW`]); `to` names the decision.
pub async fn decide(
    db: &Db,
    lab: &Lab,
    actor: &Actor,
    id: &str,
    to: Status,
    reason: &str,
) -> Result<()> {
    let (action, subject, body) = match to {
        Status::ReturnedForCorrection => (
            step::RETURN,
            "Your Justice Data Lab request needs correcting",
            format!(
                "The lab has returned your cohort for correction:\n\n{reason}\n\nThe data you sent has been destroyed. Correct the file and upload it again from the request's page."
            ),
        ),
        Status::Rejected => (
            step::REJECT,
            "Your Justice Data Lab request has been rejected",
            format!(
                "The lab cannot take your request:\n\n{reason}\n\nThe data you sent has been destroyed."
            ),
        ),
        _ => return Err(Error::Conflict("not a decision".into())),
    };
    let at = lab.clock.now();
    let detail = format!("{}: {reason}", to.label());
    let mut tx = db.begin_write().await?;
    WORKFLOW
        .apply(
            &mut tx,
            &Change::new(id, action, actor, at, &detail).set("provider_reason", reason),
        )
        .await?;
    notify_provider(&mut tx, id, subject, &body).await?;
    tx.commit().await?;
    destroy(db, lab, actor, id, decision_rule(to), date_of(at), false).await?;
    Ok(())
}

/// The destruction rule of an analyst's decision on a submitted cohort.
fn decision_rule(decision: Status) -> &'static str {
    match decision {
        Status::Rejected => "rejected: destroyed at once",
        _ => "returned for correction: destroyed at once",
    }
}

/// A destruction certificate.
#[derive(Debug, Clone, Serialize)]
pub struct Certificate {
    /// Key.
    pub id: String,
    /// The request.
    pub request_id: String,
    /// Its reference.
    pub reference: String,
    /// The organisation's key.
    pub organisation_id: String,
    /// When the data was destroyed.
    pub destroyed_at: i64,
    /// Who destroyed it ("system" for the schedule).
    pub actor: String,
    /// What was destroyed.
    pub what: String,
    /// The destroyed data key's fingerprint.
    pub key_fingerprint: String,
    /// SHA-256 of the destroyed ciphertext file.
    pub ciphertext_sha256: String,
    /// The rule that required it.
    pub rule: String,
    /// The day after which the rule required it.
    pub due_date: String,
}

const CERT_COLUMNS: &str = "id, request_id, reference, organisation_id, destroyed_at, actor, what, key_fingerprint, ciphertext_sha256, rule, due_date";

fn cert_from_row(r: &sqlx::any::AnyRow) -> Result<Certificate> {
    Ok(Certificate {
        id: r.try_get("id")?,
        request_id: r.try_get("request_id")?,
        reference: r.try_get("reference")?,
        organisation_id: r.try_get("organisation_id")?,
        destroyed_at: r.try_get("destroyed_at")?,
        actor: r.try_get("actor")?,
        what: r.try_get("what")?,
        key_fingerprint: r.try_get("key_fingerprint")?,
        ciphertext_sha256: r.try_get("ciphertext_sha256")?,
        rule: r.try_get("rule")?,
        due_date: r.try_get("due_date")?,
    })
}

/// Every certificate, newest first.
pub async fn certificates(db: &Db) -> Result<Vec<Certificate>> {
    let rows = sqlx::query(&format!(
        "SELECT {CERT_COLUMNS} FROM datalab_certificates ORDER BY destroyed_at DESC, id"
    ))
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(cert_from_row).collect()
}

/// One certificate.
pub async fn certificate(db: &Db, id: &str) -> Result<Certificate> {
    let row = sqlx::query(&format!(
        "SELECT {CERT_COLUMNS} FROM datalab_certificates WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(Error::NotFound)?;
    cert_from_row(&row)
}

/// The certificate of a request, if its data has been destroyed.
pub async fn certificate_for(db: &Db, request_id: &str) -> Result<Option<Certificate>> {
    let row = sqlx::query(&format!(
        "SELECT {CERT_COLUMNS} FROM datalab_certificates WHERE request_id = $1"
    ))
    .bind(request_id)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(cert_from_row).transpose()
}

/// Destroys a request's individual-level data: the key row goes in one
/// transaction with the certificate, the audit entry and (when `finish`)
/// the move to destroyed; the sealed files are deleted after it commits.
/// Once the key row is gone the data cannot be read, whether or not a file
/// survives. Returns false when there was nothing left to destroy.
pub async fn destroy(
    db: &Db,
    lab: &Lab,
    actor: &Actor,
    id: &str,
    rule: &str,
    due: NaiveDate,
    finish: bool,
) -> Result<bool> {
    let request = get(db, id).await?;
    let at = lab.clock.now();
    let mut tx = db.begin_write().await?;
    let key = sqlx::query(
        "SELECT fingerprint, ciphertext_sha256 FROM datalab_keys WHERE request_id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(key) = key else {
        return Ok(false);
    };
    let fingerprint: String = key.try_get("fingerprint")?;
    let digest: String = key.try_get("ciphertext_sha256")?;
    // Two sweeps may race (the background job and an administrator, or two
    // servers on one PostgreSQL): only the one that deletes the key
    // certifies the destruction.
    let deleted = sqlx::query("DELETE FROM datalab_keys WHERE request_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    if deleted.rows_affected() == 0 {
        return Ok(false);
    }
    let what = format!(
        "The cohort's individual-level data ({} rows: names, dates of birth, gender, postcodes, intervention and sentence dates, PNC IDs and prison numbers) and any linked people's keys not released, by deleting the request's data key and its encrypted files. Kept: the aggregate report, intake counts and the request's history.",
        request.rows_usable
    );
    // A resubmitted request may be destroyed twice over its life: the
    // certificate records the latest destruction.
    sqlx::query("DELETE FROM datalab_certificates WHERE request_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(&format!(
        "INSERT INTO datalab_certificates ({CERT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    ))
    .bind(new_id())
    .bind(id)
    .bind(&request.reference)
    .bind(&request.organisation_id)
    .bind(at)
    .bind(&actor.id)
    .bind(&what)
    .bind(&fingerprint)
    .bind(&digest)
    .bind(rule)
    .bind(due.to_string())
    .execute(&mut *tx)
    .await?;
    if finish {
        let detail = format!("Individual-level data destroyed ({rule}); the report is kept");
        WORKFLOW
            .apply(
                &mut tx,
                &Change::new(id, step::DESTROY, actor, at, &detail).set("destroyed_at", at),
            )
            .await?;
    } else {
        sqlx::query("UPDATE datalab_requests SET destroyed_at = $1, updated_at = $1 WHERE id = $2")
            .bind(at)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        event(
            &mut tx,
            at,
            id,
            actor,
            request.status,
            &format!("Individual-level data destroyed ({rule})"),
        )
        .await?;
    }
    audit::record_at(
        &mut tx,
        at,
        &actor.id,
        "datalab.cohort.destroy",
        id,
        &format!(
            "destroyed the data of {} by deleting data key {fingerprint} and its files; rule: {rule}",
            request.reference
        ),
    )
    .await?;
    tx.commit().await?;
    for item in [Item::Cohort, Item::People] {
        if let Err(e) = lab.vault.delete(id, item) {
            tracing::warn!(error = %e, request = %id, "sealed file not deleted; its key is gone");
        }
    }
    Ok(true)
}

/// What a sweep did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    /// Reviews closed.
    pub closed: u64,
    /// Requests whose data was destroyed.
    pub destroyed: u64,
    /// Sealed files removed whose key had already gone (a deletion that
    /// failed at destruction, retried).
    pub files_removed: u64,
}

/// How old a keyless file must be before a sweep removes it: a submission
/// writes its sealed file a moment before its key row commits, and that
/// file must not be mistaken for a leftover.
const LEFTOVER_AFTER: std::time::Duration = std::time::Duration::from_secs(600);

/// Closes review periods that have ended and destroys data whose time has
/// come, by the lab's clock. Runs on a timer; tests call it after moving
/// the clock.
pub async fn sweep(db: &Db, lab: &Lab) -> Result<Swept> {
    let today = lab.clock.today().to_string();
    let mut swept = Swept::default();
    let system = Actor::system();
    let closable = WORKFLOW.from_states(step::CLOSE);
    let sql = in_states(
        "SELECT id, review_ends FROM datalab_requests WHERE review_ends < $1 AND status IN",
        2,
        closable,
    );
    let ending: Vec<(String, String)> = closable
        .iter()
        .fold(sqlx::query_as(&sql).bind(&today), |q, s| q.bind(s.as_str()))
        .fetch_all(db.pool())
        .await?;
    for (id, ends) in ending {
        let at = lab.clock.now();
        let detail = format!("Review period ended on {}", ui::long_date(&ends));
        let mut tx = db.begin_write().await?;
        match WORKFLOW
            .apply(
                &mut tx,
                &Change::new(&id, step::CLOSE, &system, at, &detail),
            )
            .await
        {
            Ok(_) => {
                tx.commit().await?;
                swept.closed += 1;
            }
            // Another sweep closed it first.
            Err(Error::Conflict(_)) => {}
            Err(e) => return Err(e),
        }
    }
    let destroyable = WORKFLOW.from_states(step::DESTROY);
    let sql = in_states(
        "SELECT id, status, destroy_after FROM datalab_requests WHERE destroy_after < $1 AND destroyed_at IS NULL AND status IN",
        2,
        destroyable,
    );
    let due: Vec<(String, String, String)> = destroyable
        .iter()
        .fold(sqlx::query_as(&sql).bind(&today), |q, s| q.bind(s.as_str()))
        .fetch_all(db.pool())
        .await?;
    for (id, status, after) in due {
        let after = NaiveDate::parse_from_str(&after, "%Y-%m-%d")
            .map_err(|e| Error::Corrupt(e.to_string()))?;
        let rule = if status == "failed" {
            format!(
                "{} working days after the request failed",
                lab.config.destroy_after_failure_working_days
            )
        } else {
            format!(
                "{} working days after the report was issued",
                lab.config.destroy_after_issue_working_days
            )
        };
        if destroy(db, lab, &system, &id, &rule, after, true).await? {
            swept.destroyed += 1;
        }
    }
    // A decision destroys its cohort after the decision commits; should
    // that destruction have failed, it is done here.
    let decided = [step::RETURN, step::REJECT].map(|a| WORKFLOW.find(a).map(|t| t.to));
    let decided: Vec<Status> = decided.into_iter().flatten().collect();
    let sql = in_states(
        "SELECT id, status FROM datalab_requests WHERE destroyed_at IS NULL AND status IN",
        1,
        &decided,
    );
    let undone: Vec<(String, String)> = decided
        .iter()
        .fold(sqlx::query_as(&sql), |q, s| q.bind(s.as_str()))
        .fetch_all(db.pool())
        .await?;
    for (id, status) in undone {
        let decision = Status::parse(&status).ok_or_else(|| Error::Corrupt(status.clone()))?;
        let today = lab.clock.today();
        if destroy(db, lab, &system, &id, decision_rule(decision), today, false).await? {
            swept.destroyed += 1;
        }
    }
    swept.files_removed = remove_leftovers(db, lab).await?;
    if swept != Swept::default() {
        tracing::info!(
            closed = swept.closed,
            destroyed = swept.destroyed,
            files_removed = swept.files_removed,
            "data lab sweep"
        );
    }
    Ok(swept)
}

/// `select` (ending in `status IN`) completed with a placeholder for each
/// of `states`, numbered from `$first` (no states match nothing): the
/// sweep asks [`WORKFLOW`] which states each of its moves starts from.
fn in_states(select: &str, first: usize, states: &[Status]) -> String {
    if states.is_empty() {
        return format!("{select} (NULL)");
    }
    let marks: Vec<String> = (0..states.len())
        .map(|i| format!("${}", i + first))
        .collect();
    format!("{select} ({})", marks.join(", "))
}

/// Removes sealed files whose request has no key row: destruction deletes
/// the key first and the files after its transaction commits, so a file
/// whose deletion failed then (a full or read-only disk, say) is
/// unreadable, but the certificate says it was deleted, and this keeps that
/// true. Each removal is audited.
async fn remove_leftovers(db: &Db, lab: &Lab) -> Result<u64> {
    let now = std::time::SystemTime::now();
    let mut removed = 0;
    for file in lab.vault.files()? {
        let age = now.duration_since(file.modified).unwrap_or_default();
        if age < LEFTOVER_AFTER {
            continue;
        }
        let key: Option<String> =
            sqlx::query_scalar("SELECT request_id FROM datalab_keys WHERE request_id = $1")
                .bind(&file.request_id)
                .fetch_optional(db.pool())
                .await?;
        if key.is_some() {
            continue;
        }
        match std::fs::remove_file(&file.path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                tracing::warn!(error = %e, path = %file.path.display(), "left-over sealed file still not deleted");
                continue;
            }
        }
        let name = file.path.file_name().unwrap_or_default().to_string_lossy();
        audit::log_at(
            db,
            lab.clock.now(),
            "system",
            "datalab.file.remove",
            &file.request_id,
            &format!("removed {name}, a sealed file left after its key was destroyed"),
        )
        .await?;
        removed += 1;
    }
    Ok(removed)
}

/// Whether the request's individual-level data can still be decrypted (its
/// key row and its sealed cohort both exist).
pub async fn data_held(db: &Db, lab: &Lab, id: &str) -> Result<bool> {
    let key: Option<String> =
        sqlx::query_scalar("SELECT request_id FROM datalab_keys WHERE request_id = $1")
            .bind(id)
            .fetch_optional(db.pool())
            .await?;
    Ok(key.is_some() && lab.vault.path(id, Item::Cohort).exists())
}

#[cfg(test)]
mod issue_wording_tests {
    use super::*;

    #[test]
    fn a_refused_issue_says_why_without_repeating_itself() {
        assert_eq!(
            issue_refused(Status::Issued),
            "the report has already been issued"
        );
        let m = issue_refused(Status::Submitted);
        assert!(
            m.starts_with("the report can only be issued after its disclosure check"),
            "{m}"
        );
        for s in Status::ALL {
            let m = issue_refused(s);
            assert!(!m.contains("issued, so it cannot be issued"), "{m}");
        }
    }
}
