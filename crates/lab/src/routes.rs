//! The Justice Data Lab's pages: providers submit cohorts and follow their
//! requests; analysts work the queue; the information asset owner sees the
//! audit log and the destruction certificates.
//!
//! Isolation: a provider's request pages load the request only together
//! with the provider's organisation, so another organisation's request is
//! "page not found" whatever its key. No page or download gives a provider
//! individual-level data: they see counts, the timeline and the aggregate
//! report only.

use std::collections::BTreeMap;

use ::datalab::intake::{self, CohortRow, Report, Severity};
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use platform::accounts::Role;
use platform::rules::{Routes, Rule};
use platform::sessions::SessionUser;
use platform::web::{
    AppError, FormIn, OwnedCtx, Page, Platform, Sess, Upload, read_upload, see_other,
};
use platform::workflow::Who;
use platform::{Error, accounts, audit, require};
use ui::forms::{self, Errors, Fields, get as field};
use ui::{self as pages, Input, button, csrf, error_summary, input, summary_list, textarea};

use crate::{self as lab, DataRequest, Lab, Metadata, Status, WORKFLOW, step, tag as lab_tag};

/// The pages' state: the platform and the lab.
#[derive(Clone)]
pub struct Web {
    platform: Platform,
    /// The lab: its vault, analysis, calendar and settings.
    pub lab: Lab,
}

impl std::ops::Deref for Web {
    type Target = Platform;
    fn deref(&self) -> &Platform {
        &self.platform
    }
}

/// Every page of the Data Lab, with its state, and who each is for.
pub fn router(platform: Platform, lab: Lab) -> Routes {
    let state = Web { platform, lab };
    routes(&state).with_state(state)
}

/// Which organisation's requests a provider may see is judged per record
/// ([`visible`]); the rules say only who may come in.
fn routes(state: &Web) -> Routes<Web> {
    use Rule::{Analyst, AssetOwner, DataLab, Provider};
    let limit = state.lab.config.max_upload_bytes + 64 * 1024;
    // The rule is checked before the upload is read, so only a provider's
    // request may be this large.
    let uploads = Routes::new()
        .get_post("/datalab/new", Provider, new_form, new_post)
        .post("/datalab/requests/{id}/resubmit", Provider, resubmit_post)
        .body_limit(limit);
    Routes::new()
        .merge(uploads)
        .get("/datalab", DataLab, home)
        .get("/datalab/requests/{id}", DataLab, request_page)
        .get("/datalab/requests/{id}/report/{kind}", DataLab, report_file)
        .post("/datalab/requests/{id}/questions", Provider, ask_post)
        .post(
            "/datalab/requests/{id}/questions/{qid}/answer",
            Analyst,
            answer_post,
        )
        .post("/datalab/requests/{id}/run", Analyst, run_post)
        .post("/datalab/requests/{id}/return", Analyst, return_post)
        .post("/datalab/requests/{id}/reject", Analyst, reject_post)
        .post("/datalab/requests/{id}/issue", Analyst, issue_post)
        .post("/datalab/requests/{id}/withhold", Analyst, withhold_post)
        .post("/datalab/requests/{id}/release", Analyst, release_post)
        .get("/datalab/audit", AssetOwner, audit_page)
        .get("/datalab/certificates", AssetOwner, certificates_page)
        .get("/datalab/certificates/{id}", AssetOwner, certificate_page)
        .get(
            "/datalab/certificates/{id}/json",
            AssetOwner,
            certificate_json,
        )
}

/// Any signed-in Data Lab user.
fn lab_user(sess: &Sess) -> Result<SessionUser, Box<Response>> {
    match sess.user() {
        Some(u) if u.kind == accounts::Kind::DataLab => Ok(u),
        Some(_) => Err(platform::web::forbidden()),
        None => Err(Box::new(see_other("/sign-in"))),
    }
}

/// A Data Lab user for whom `allowed` holds.
fn lab_role(sess: &Sess, allowed: fn(&SessionUser) -> bool) -> Result<SessionUser, Box<Response>> {
    let u = lab_user(sess)?;
    if allowed(&u) {
        Ok(u)
    } else {
        Err(platform::web::forbidden())
    }
}

/// A provider and their organisation's key.
fn provider(sess: &Sess) -> Result<(SessionUser, String), Box<Response>> {
    let u = lab_user(sess)?;
    let org = u
        .provider_organisation()
        .map(str::to_owned)
        .ok_or_else(platform::web::forbidden)?;
    Ok((u, org))
}

fn analyst(sess: &Sess) -> Result<SessionUser, Box<Response>> {
    lab_role(sess, SessionUser::is_analyst)
}

fn asset_owner(sess: &Sess) -> Result<SessionUser, Box<Response>> {
    lab_role(sess, SessionUser::is_asset_owner)
}

/// The request as `u` may see it: a provider only their organisation's.
async fn visible(st: &Web, u: &SessionUser, id: &str) -> Result<DataRequest, Error> {
    match u.provider_organisation() {
        Some(org) => lab::get_for_organisation(&st.db, id, org).await,
        None if u.is_analyst() || u.is_asset_owner() => lab::get(&st.db, id).await,
        None => Err(Error::NotFound),
    }
}

async fn home(State(st): State<Web>, sess: Sess) -> Page {
    let u = require!(lab_user(&sess));
    let c = sess.ctx(&st);
    if let Some(org) = u.provider_organisation() {
        let list = lab::for_organisation(&st.db, org).await?;
        let org_name = accounts::organisation_name(&st.db, org).await?;
        return Ok(c.page(
            "Your requests",
            &Errors::default(),
            html! {
                span class="govuk-caption-l" { (org_name) }
                h1 class="govuk-heading-l" { "Your Justice Data Lab requests" }
                a href="/datalab/new" role="button" draggable="false" class="govuk-button" data-module="govuk-button" { "Start a new request" }
                @if list.is_empty() {
                    p class="govuk-body" { "Your organisation has not made any requests yet." }
                } @else {
                    (request_table(&list, false))
                }
            },
        ));
    }
    // The queue in three parts: waiting for the lab, issued (questions may
    // come), and finished.
    let (mut waiting, mut open_questions, mut rest) = (Vec::new(), Vec::new(), Vec::new());
    for r in lab::all(&st.db).await? {
        match r.status {
            Status::Submitted | Status::Processing | Status::DisclosureCheck => waiting.push(r),
            Status::Issued | Status::InReview => open_questions.push(r),
            _ => rest.push(r),
        }
    }
    Ok(c.page(
        "Request queue",
        &Errors::default(),
        html! {
            span class="govuk-caption-l" { (u.name) ", " (u.role_labels()) }
            h1 class="govuk-heading-l" { "Justice Data Lab requests" }
            h2 class="govuk-heading-m" { "Waiting for the lab (" (waiting.len()) ")" }
            @if waiting.is_empty() { p class="govuk-body" { "Nothing is waiting." } } @else { (request_table(&waiting, true)) }
            h2 class="govuk-heading-m" { "Issued, in review (" (open_questions.len()) ")" }
            @if open_questions.is_empty() { p class="govuk-body" { "None." } } @else { (request_table(&open_questions, true)) }
            h2 class="govuk-heading-m" { "Finished (" (rest.len()) ")" }
            @if rest.is_empty() { p class="govuk-body" { "None." } } @else { (request_table(&rest, true)) }
        },
    ))
}

fn request_table(list: &[DataRequest], lab: bool) -> Markup {
    html! {
        table class="govuk-table" {
            thead class="govuk-table__head" { tr class="govuk-table__row" {
                th scope="col" class="govuk-table__header" { "Reference" }
                @if lab { th scope="col" class="govuk-table__header" { "Organisation" } }
                th scope="col" class="govuk-table__header" { "Intervention" }
                th scope="col" class="govuk-table__header" { "Submitted" }
                th scope="col" class="govuk-table__header" { "Status" }
            } }
            tbody class="govuk-table__body" {
                @for r in list {
                    tr class="govuk-table__row" {
                        td class="govuk-table__cell" { a class="govuk-link" href={ "/datalab/requests/" (r.id) } { (r.reference) } }
                        @if lab { td class="govuk-table__cell" { (r.organisation) } }
                        td class="govuk-table__cell" { (r.intervention) }
                        td class="govuk-table__cell" { (pages::when(r.created_at)) }
                        td class="govuk-table__cell" { (lab_tag(r.status)) }
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------
// Submitting a cohort
// ---------------------------------------------------------------------

fn size_words(bytes: usize) -> String {
    if bytes >= 1024 * 1024 {
        format!("{} MB", bytes / (1024 * 1024))
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

/// Checks the file part of an upload; `None` with an error when unusable.
fn check_file(up: &Upload, max: usize, e: &mut Errors) -> Option<Vec<u8>> {
    if up.too_large {
        e.add(
            "cohort",
            format!("The selected file must be smaller than {}", size_words(max)),
        );
        return None;
    }
    match up.files.get("cohort") {
        Some((name, b)) if !b.is_empty() => {
            if !name.to_lowercase().ends_with(".csv") {
                e.add("cohort", "The selected file must be a CSV file");
                return None;
            }
            Some(b.clone())
        }
        Some((name, _)) if !name.is_empty() => {
            e.add("cohort", "The selected file is empty");
            None
        }
        _ => {
            e.add("cohort", "Select your cohort file");
            None
        }
    }
}

fn metadata(f: &Fields, e: &mut Errors) -> Option<Metadata> {
    // `ask` completes "Enter ..."; `noun` names the answer for "... must be
    // 500 characters or fewer".
    let text = |name: &str, ask: &str, noun: &str, e: &mut Errors| -> Option<String> {
        let v = forms::required_text(field(f, name), name, noun, &format!("Enter {ask}"), e)?;
        if v.chars().count() > 500 {
            e.add(
                name,
                format!("{} must be 500 characters or fewer", forms::capital(noun)),
            );
            return None;
        }
        Some(v)
    };
    let intervention = text(
        "intervention",
        "what the intervention is",
        "the description of the intervention",
        e,
    );
    let collection = text(
        "collection",
        "how the data were collected",
        "the description of how the data were collected",
        e,
    );
    let excluded_raw = field(f, "excluded").trim();
    let excluded = if excluded_raw.is_empty() {
        e.add("excluded", "Enter how many people were left out, or 0");
        None
    } else {
        match excluded_raw.parse::<u64>() {
            Ok(n) if n <= 1_000_000 => Some(n),
            _ => {
                e.add(
                    "excluded",
                    "The number left out must be a whole number, like 12",
                );
                None
            }
        }
    };
    let date_order = match field(f, "date-order") {
        "unknown" => Some(None),
        order => {
            let parsed = lab::parse_order(order);
            if parsed.is_none() {
                e.add("date-order", "Select how dates are written in the file");
            }
            parsed.map(Some)
        }
    };
    let dp = field(f, "confirm-data-protection") == "yes";
    let gateway = field(f, "confirm-gateway") == "yes";
    if !dp {
        e.add(
            "confirm-data-protection",
            "Confirm that your organisation has assured itself that sharing these records complies with data protection law",
        );
    }
    if !gateway {
        e.add(
            "confirm-gateway",
            "Confirm that you share these records under section 14 of the Offender Management Act 2007",
        );
    }
    Some(Metadata {
        intervention: intervention?,
        collection: collection?,
        excluded_incomplete: excluded?,
        date_order: date_order?,
        data_protection: dp,
        section_14_gateway: gateway,
    })
}

fn checkbox(name: &str, label: &str, checked: bool, errors: &Errors) -> Markup {
    let error = errors.get(name);
    html! {
        div class={ "govuk-form-group" @if error.is_some() { " govuk-form-group--error" } } {
            (pages::error_message(name, error))
            div class="govuk-checkboxes" data-module="govuk-checkboxes" {
                div class="govuk-checkboxes__item" {
                    input class="govuk-checkboxes__input" id=(name) name=(name) type="checkbox" value="yes" checked[checked];
                    label class="govuk-label govuk-checkboxes__label" for=(name) { (label) }
                }
            }
        }
    }
}

fn file_input(errors: &Errors, max: usize) -> Markup {
    let error = errors.get("cohort");
    html! {
        div class={ "govuk-form-group" @if error.is_some() { " govuk-form-group--error" } } {
            label class="govuk-label govuk-label--m" for="cohort" { "Upload your cohort" }
            div id="cohort-hint" class="govuk-hint" {
                "A CSV file in the lab's template: forename, surname, date_of_birth, gender, postcode, intervention_start, sentence_start, sentence_end, pnc_id, prison_number. At least 60 people; smaller than " (size_words(max)) "."
            }
            (pages::error_message("cohort", error))
            input class={ "govuk-file-upload" @if error.is_some() { " govuk-file-upload--error" } } id="cohort" name="cohort" type="file" accept=".csv,text/csv" aria-describedby={ "cohort-hint" @if error.is_some() { " cohort-error" } };
        }
    }
}

/// Intake's findings, shown at once after an upload.
fn validation_report(report: &Report) -> Markup {
    let errors = report
        .issues
        .iter()
        .filter(|i| i.severity == Severity::Error)
        .count();
    html! {
        div id="validation" class="govuk-!-margin-bottom-8" {
            h2 class="govuk-heading-m" { "What the lab's checks found" }
            @if !report.reasons.is_empty() {
                div class="govuk-warning-text" {
                    span class="govuk-warning-text__icon" aria-hidden="true" { "!" }
                    strong class="govuk-warning-text__text" {
                        span class="govuk-visually-hidden" { "Warning" }
                        "The cohort was not accepted and nothing has been kept. Correct the file and upload it again."
                    }
                }
                ul class="govuk-list govuk-list--bullet" id="validation-reasons" {
                    @for r in &report.reasons { li { (r) } }
                }
            }
            (summary_list(&[
                ("Rows read".into(), html! { (report.counts.rows_read) }, None),
                ("Rows the lab can use".into(), html! { (report.counts.usable) }, None),
                ("Rows with errors (left out)".into(), html! { (report.counts.with_errors) }, None),
                ("Rows with warnings (used)".into(), html! { (report.counts.with_warnings) }, None),
                ("Usable rows needed".into(), html! { (report.counts.min_records) }, None),
            ]))
            @if !report.warnings.is_empty() {
                h3 class="govuk-heading-s" { "About the file" }
                ul class="govuk-list govuk-list--bullet" { @for w in &report.warnings { li { (w) } } }
            }
            @if !report.issues.is_empty() {
                table class="govuk-table" id="validation-issues" {
                    caption class="govuk-table__caption govuk-table__caption--s" {
                        "Problems by row (" (errors) " errors"
                        @if report.unlisted_issues > 0 { ", " (report.unlisted_issues) " more not listed" }
                        ")"
                    }
                    thead class="govuk-table__head" { tr class="govuk-table__row" {
                        th scope="col" class="govuk-table__header" { "Row" }
                        th scope="col" class="govuk-table__header" { "Column" }
                        th scope="col" class="govuk-table__header" { "Problem" }
                        th scope="col" class="govuk-table__header" { "How to fix it" }
                    } }
                    tbody class="govuk-table__body" {
                        @for i in report.issues.iter().take(200) {
                            tr class="govuk-table__row" {
                                td class="govuk-table__cell" { (i.row) }
                                td class="govuk-table__cell" { (i.field.unwrap_or("(whole row)")) }
                                td class="govuk-table__cell" {
                                    @if i.severity == Severity::Error { strong class="govuk-tag govuk-tag--red" { "Error" } } @else { strong class="govuk-tag govuk-tag--yellow" { "Warning" } }
                                    " " (i.problem)
                                }
                                td class="govuk-table__cell" { (i.fix) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn new_request_page(
    c: &OwnedCtx,
    org_name: &str,
    f: &Fields,
    e: &Errors,
    report: Option<&Report>,
    max: usize,
) -> Response {
    let order = field(f, "date-order");
    c.page(
        "Send a cohort to the Justice Data Lab",
        e,
        html! {
            div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
                (pages::back("/datalab"))
                (error_summary(e))
                span class="govuk-caption-l" { (org_name) }
                h1 class="govuk-heading-l" { "Send a cohort to the Justice Data Lab" }
                @if let Some(r) = report { (validation_report(r)) }
                p class="govuk-body" { "Tell the lab about your intervention and your data, confirm that you may share it, and upload the people you worked with. The file is checked at once; if it is accepted it is encrypted and only the lab's analysts can open it. You will not be able to see or download it again." }
                form method="post" action="/datalab/new" enctype="multipart/form-data" novalidate {
                    (csrf(&c.csrf))
                    (textarea("intervention", "What is the intervention?", "For example, through-the-gate mentoring for adult men leaving HMP Leeds", field(f, "intervention"), e))
                    (textarea("collection", "How were the people's details collected?", "For example, an export from our case management system, checked against release letters", field(f, "collection"), e))
                    (input("excluded", "How many people did you work with but leave out because their details were incomplete?", field(f, "excluded"), e, Input { width: Some("4"), hint: Some("Enter 0 if you left no one out"), ..Default::default() }))
                    (pages::radios("date-order", "How are dates written in the file?", &[
                        ("dmy".into(), "Day first, as in the UK (31/01/1985)".into(), None),
                        ("mdy".into(), "Month first (01/31/1985)".into(), None),
                        ("unknown".into(), "I'm not sure (the lab works it out from the file)".into(), None),
                    ], order, e))
                    h2 class="govuk-heading-m" { "Your organisation's confirmation" }
                    (checkbox("confirm-data-protection", "As data controller, my organisation has assured itself that sharing these records with the Ministry of Justice complies with the Data Protection Act 2018 and the UK GDPR", field(f, "confirm-data-protection") == "yes", e))
                    (checkbox("confirm-gateway", "We share these records under section 14 of the Offender Management Act 2007", field(f, "confirm-gateway") == "yes", e))
                    (file_input(e, max))
                    (button("Check and send"))
                }
            } }
        },
    )
}

async fn new_form(State(st): State<Web>, sess: Sess) -> Page {
    let (_, org) = require!(provider(&sess));
    let name = accounts::organisation_name(&st.db, &org).await?;
    let c = sess.ctx(&st);
    Ok(new_request_page(
        &c,
        &name,
        &Fields::new(),
        &Errors::default(),
        None,
        st.lab.config.max_upload_bytes,
    ))
}

async fn new_post(State(st): State<Web>, sess: Sess, mp: Multipart) -> Page {
    let (u, org) = require!(provider(&sess));
    let max = st.lab.config.max_upload_bytes;
    let up = match read_upload(&sess, max, mp, &["cohort"]).await {
        Ok(up) => up,
        Err(r) => return Ok(r),
    };
    let org_name = accounts::organisation_name(&st.db, &org).await?;
    let mut e = Errors::default();
    let meta = metadata(&up.fields, &mut e);
    let bytes = check_file(&up, max, &mut e);
    let (Some(meta), Some(bytes), true) = (meta, bytes, e.is_empty()) else {
        let c = sess.ctx(&st);
        return Ok(new_request_page(&c, &org_name, &up.fields, &e, None, max));
    };
    let request = meta.request(&org_name);
    let (report, rows) = validated(&st, bytes, request).await?;
    if report.decision != intake::Decision::Accepted {
        // On the upload field: the summary's link takes the provider to
        // where they choose the corrected file; the findings follow below.
        e.add(
            "cohort",
            format!(
                "The cohort was not accepted: {}",
                report
                    .reasons
                    .first()
                    .map(String::as_str)
                    .unwrap_or("see below")
            ),
        );
        let c = sess.ctx(&st);
        return Ok(new_request_page(
            &c,
            &org_name,
            &up.fields,
            &e,
            Some(&report),
            max,
        ));
    }
    let (id, reference) =
        lab::submit(&st.db, &st.lab, &u.actor(), &org, &meta, &report, &rows).await?;
    sess.update(|s| {
        s.notice = Some(format!(
            "Request {reference} sent: {} people accepted",
            rows.len()
        ))
    });
    Ok(see_other(&format!("/datalab/requests/{id}")))
}

/// Runs intake off the async threads (a large file takes a while).
async fn validated(
    st: &Web,
    bytes: Vec<u8>,
    request: intake::Request,
) -> Result<(Report, Vec<CohortRow>), AppError> {
    let pipeline = st.lab.pipeline.clone();
    let out = tokio::task::spawn_blocking(move || {
        lab::validate(&bytes, &request, &pipeline.intake_settings())
    })
    .await
    .map_err(|e| Error::Corrupt(format!("validation panicked: {e}")))?;
    out.map_err(|m| AppError(Error::Corrupt(m)))
}

async fn resubmit_post(
    State(st): State<Web>,
    sess: Sess,
    Path(id): Path<String>,
    mp: Multipart,
) -> Page {
    let (u, org) = require!(provider(&sess));
    let max = st.lab.config.max_upload_bytes;
    let up = match read_upload(&sess, max, mp, &["cohort"]).await {
        Ok(up) => up,
        Err(r) => return Ok(r),
    };
    let r = lab::get_for_organisation(&st.db, &id, &org).await?;
    let mut e = Errors::default();
    let bytes = check_file(&up, max, &mut e);
    let mut report = None;
    if let (Some(bytes), true) = (bytes, e.is_empty()) {
        let (rep, rows) = validated(&st, bytes, lab::stored_request(&r)).await?;
        if rep.decision == intake::Decision::Accepted {
            lab::resubmit(&st.db, &st.lab, &u.actor(), &id, &rep, &rows).await?;
            sess.update(|s| s.notice = Some(format!("Corrected cohort sent for {}", r.reference)));
            return Ok(see_other(&format!("/datalab/requests/{id}")));
        }
        // On the upload field: the summary's link takes the provider to
        // where they choose the corrected file; the findings follow below.
        e.add(
            "cohort",
            format!(
                "The corrected cohort was not accepted: {}",
                rep.reasons
                    .first()
                    .map(String::as_str)
                    .unwrap_or("see below")
            ),
        );
        report = Some(rep);
    }
    render_request(&st, &sess, &u, &r, &e, report.as_ref()).await
}

// ---------------------------------------------------------------------
// A request's page
// ---------------------------------------------------------------------

async fn request_page(State(st): State<Web>, sess: Sess, Path(id): Path<String>) -> Page {
    let u = require!(lab_user(&sess));
    let r = visible(&st, &u, &id).await?;
    render_request(&st, &sess, &u, &r, &Errors::default(), None).await
}

async fn render_request(
    st: &Web,
    sess: &Sess,
    u: &SessionUser,
    r: &DataRequest,
    e: &Errors,
    report: Option<&Report>,
) -> Page {
    let is_provider = u.provider_organisation().is_some();
    let is_analyst = u.is_analyst();
    let can_resubmit =
        is_provider && WORKFLOW.offers(step::RESUBMIT, r.status, Who::Role(Role::Provider));
    let events = lab::events(&st.db, &r.id).await?;
    let questions = lab::questions(&st.db, &r.id).await?;
    let certificate = lab::certificate_for(&st.db, &r.id).await?;
    let today = st.lab.clock.today();
    let questions_open = lab::questions_open(r, today);
    let can_download = if is_provider {
        r.report_released()
    } else {
        r.has_report
    };
    let has_pdf = st.lab.has_report_file(&r.id, "pdf");
    let c = sess.ctx(st);
    let mut rows: Vec<(String, Markup, Option<String>)> = vec![
        ("Status".into(), lab_tag(r.status), None),
        ("Organisation".into(), html! { (r.organisation) }, None),
        (
            "Intervention".into(),
            pages::multiline(&r.intervention),
            None,
        ),
        (
            "How the data were collected".into(),
            pages::multiline(&r.collection),
            None,
        ),
        (
            "Left out as incomplete".into(),
            html! { (r.excluded_incomplete) },
            None,
        ),
        (
            "Submitted".into(),
            html! { (pages::when(r.created_at)) },
            None,
        ),
        (
            "People accepted".into(),
            html! { (r.rows_usable) " of " (r.intake.rows_read) " rows" },
            None,
        ),
    ];
    if let Some(t) = r.issued_at {
        rows.push(("Report issued".into(), html! { (pages::when(t)) }, None));
    }
    if let Some(d) = &r.review_ends {
        rows.push((
            "Questions may be raised until".into(),
            html! { (pages::long_date(d)) },
            None,
        ));
    }
    match (r.destroyed_at, &r.destroy_after) {
        (Some(t), _) => rows.push((
            "Individual-level data".into(),
            html! { "Destroyed " (pages::when(t)) },
            None,
        )),
        (None, Some(d)) => rows.push((
            "Individual-level data destroyed after".into(),
            html! { (pages::long_date(d)) },
            None,
        )),
        _ => {}
    }
    if let Some(reason) = &r.provider_reason
        && matches!(
            r.status,
            Status::Failed | Status::ReturnedForCorrection | Status::Rejected | Status::Destroyed
        )
    {
        rows.push(("Reason".into(), pages::multiline(reason), None));
    }
    if !is_provider {
        if let (Some(stage), Some(reason)) = (&r.failure_stage, &r.failure_reason) {
            rows.push((
                "Stopped at (lab only)".into(),
                html! { strong { (stage) } ": " (reason) },
                None,
            ));
        }
        if let Some(s) = &r.report_summary {
            rows.push(("Run result".into(), html! { (s) }, None));
        }
    }
    let title = format!("Request {}", r.reference);
    Ok(c.page(
        &title,
        e,
        html! {
            (pages::back("/datalab"))
            (error_summary(e))
            span class="govuk-caption-l" { (r.organisation) }
            h1 class="govuk-heading-l" { "Request " span id="reference" { (r.reference) } }
            div class="govuk-grid-row" {
                div class="govuk-grid-column-two-thirds" {
                    (summary_list(&rows))
                    @if can_download {
                        h2 class="govuk-heading-m" { "Report" }
                        @if is_provider {
                            p class="govuk-body" { "The report holds aggregate results only." }
                        } @else if r.status == Status::DisclosureCheck {
                            p class="govuk-body" { "Check the released figures before issuing: every count below 10 suppressed, rates rounded, no measure shown where too few people reoffended." }
                        }
                        ul class="govuk-list" {
                            @if has_pdf { li { a class="govuk-link" href={ "/datalab/requests/" (r.id) "/report/pdf" } { "Download the report (PDF)" } } }
                            li { a class="govuk-link" href={ "/datalab/requests/" (r.id) "/report/html" } { "Download the report (web page)" } }
                            li { a class="govuk-link" href={ "/datalab/requests/" (r.id) "/report/json" } { "Download the figures (JSON)" } }
                        }
                        @if is_analyst && r.report_released() {
                            form method="post" action={ "/datalab/requests/" (r.id) "/release" } novalidate {
                                (csrf(&c.csrf))
                                p class="govuk-body" { "An issued report's figures have passed disclosure control. Release them to the FOI team when a Freedom of Information answer needs them." }
                                button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Release the figures to the FOI team" }
                            }
                        }
                    }
                    @if is_analyst { (analyst_actions(&c, r, e)) }
                    @if can_resubmit {
                        h2 class="govuk-heading-m" { "Send a corrected cohort" }
                        @if let Some(rep) = report { (validation_report(rep)) }
                        form method="post" action={ "/datalab/requests/" (r.id) "/resubmit" } enctype="multipart/form-data" novalidate {
                            (csrf(&c.csrf))
                            (file_input(e, st.lab.config.max_upload_bytes))
                            (button("Check and send"))
                        }
                    }
                    @if !questions.is_empty() || (is_provider && questions_open) {
                        h2 class="govuk-heading-m" { "Questions about the report" }
                        @for q in &questions {
                            div class="govuk-inset-text" {
                                p class="govuk-body govuk-!-font-weight-bold" { "Asked " (pages::when(q.asked_at)) }
                                p class="govuk-body" { (pages::multiline(&q.question)) }
                                @if let Some(a) = &q.answer {
                                    p class="govuk-body govuk-!-font-weight-bold" { "The lab answered " (q.answered_at.map(pages::when).unwrap_or_default()) }
                                    p class="govuk-body" { (pages::multiline(a)) }
                                } @else if is_analyst {
                                    form method="post" action={ "/datalab/requests/" (r.id) "/questions/" (q.id) "/answer" } novalidate {
                                        (csrf(&c.csrf))
                                        (textarea(&format!("answer-{}", q.id), "Your answer", "The provider is emailed that the lab has answered", "", e))
                                        (pages::button("Send answer"))
                                    }
                                } @else {
                                    p class="govuk-body" { strong class="govuk-tag govuk-tag--blue" { "Waiting for the lab" } }
                                }
                            }
                        }
                        @if is_provider && questions_open {
                            form method="post" action={ "/datalab/requests/" (r.id) "/questions" } novalidate {
                                (csrf(&c.csrf))
                                (textarea("question", "Ask the lab a question", "About the report or the method. The lab cannot answer questions about named individuals.", "", e))
                                (button("Send question"))
                            }
                        }
                    }
                    @if let Some(cert) = &certificate {
                        @if !is_provider {
                            p class="govuk-body" { a class="govuk-link" href={ "/datalab/certificates/" (cert.id) } { "Destruction certificate" } }
                        }
                    }
                }
                div class="govuk-grid-column-one-third" {
                    h2 class="govuk-heading-m" { "History" }
                    ol class="govuk-list lifeline-timeline" id="timeline" {
                        @for ev in events.iter().rev() {
                            li class="govuk-!-margin-bottom-4" {
                                (lab_tag(ev.to))
                                p class="govuk-body-s govuk-!-margin-bottom-1 govuk-!-margin-top-1" { (pages::when(ev.at)) " UTC" @if !is_provider { ", " (ev.actor_name) } }
                                p class="govuk-body-s" { (ev.detail) }
                            }
                        }
                    }
                }
            }
        },
    ))
}

/// The analyst's buttons: one form for each move [`WORKFLOW`] offers an
/// analyst from the request's state, in the table's order.
fn analyst_actions(c: &OwnedCtx, r: &DataRequest, errors: &Errors) -> Markup {
    let path = format!("/datalab/requests/{}", r.id);
    let offered = WORKFLOW.actions_from(r.status, Who::Role(Role::Analyst));
    html! {
        @if r.status == Status::Processing {
            p class="govuk-body" { "The analysis is running. Reload this page to see when it has finished." }
        }
        @for t in &offered { (analyst_form(&c.csrf, &path, t.action, errors)) }
    }
}

/// The form that asks an analyst for `action` on the request at `path`
/// (which takes the action's name as its last segment), with the page's
/// errors on its field. Empty for a move no analyst makes.
fn analyst_form(token: &str, path: &str, action: &str, e: &Errors) -> Markup {
    let to = format!("{path}/{action}");
    match action {
        step::RUN => html! {
            h2 class="govuk-heading-m" { "Run the analysis" }
            p class="govuk-body" { "Running decrypts the cohort. Say why you are opening it: this is written to the audit log with your name and the time." }
            form method="post" action=(to) novalidate {
                (csrf(token))
                (input("reason", "Why are you opening the individual-level data?", "", e, Input { hint: Some("For example: run the standard analysis for this request"), ..Default::default() }))
                (button("Run the analysis"))
            }
        },
        step::RETURN => html! {
            h2 class="govuk-heading-m" { "Or send it back" }
            form method="post" action=(to) novalidate {
                (csrf(token))
                (textarea("return-reason", "What must the provider correct?", "Sent to the provider. The cohort is destroyed at once.", "", e))
                button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" { "Return for correction" }
            }
        },
        step::REJECT => html! {
            form method="post" action=(to) novalidate {
                (csrf(token))
                (textarea("reject-reason", "Why can the lab not take this request?", "Sent to the provider. The cohort is destroyed at once.", "", e))
                button type="submit" class="govuk-button govuk-button--warning" data-module="govuk-button" { "Reject the request" }
            }
        },
        step::ISSUE => html! {
            h2 class="govuk-heading-m" { "Disclosure check" }
            form method="post" action=(to) novalidate {
                (csrf(token))
                (button("Issue the report"))
            }
        },
        step::WITHHOLD => html! {
            form method="post" action=(to) novalidate {
                (csrf(token))
                (textarea("withhold-reason", "Why must the report be withheld?", "The request fails at the disclosure stage; the provider is told it could not be released.", "", e))
                button type="submit" class="govuk-button govuk-button--warning" data-module="govuk-button" { "Withhold the report" }
            }
        },
        _ => html! {},
    }
}

/// A report file. Providers get it only once issued; analysts and the
/// information asset owner once it exists. Aggregate figures only.
async fn report_file(
    State(st): State<Web>,
    sess: Sess,
    Path((id, kind)): Path<(String, String)>,
) -> Page {
    let u = require!(lab_user(&sess));
    let r = visible(&st, &u, &id).await?;
    let is_provider = u.provider_organisation().is_some();
    if !r.has_report || (is_provider && !r.report_released()) {
        return Err(Error::NotFound.into());
    }
    let (ext, mime) = match kind.as_str() {
        "pdf" => ("pdf", "application/pdf"),
        "html" => ("html", "text/html; charset=utf-8"),
        "json" => ("json", "application/json"),
        _ => return Err(Error::NotFound.into()),
    };
    let bytes = st.lab.report_file(&r.id, ext).ok_or(Error::NotFound)?;
    // Dated by the lab's clock, as every other Data Lab entry is, so the
    // audit page keeps one order when the clock is moved.
    audit::log_at(
        &st.db,
        st.lab.clock.now(),
        &u.id,
        "datalab.report.download",
        &r.id,
        &format!("downloaded the {ext} report of {}", r.reference),
    )
    .await?;
    if is_provider {
        lab::mark_received(&st.db, &st.lab, &u.actor(), &r.id).await?;
    }
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{}-report.{ext}\"",
        r.reference
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    // The report is self-contained: its own styles, no scripts.
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'",
        ),
    );
    Ok(resp)
}

async fn ask_post(
    State(st): State<Web>,
    sess: Sess,
    Path(id): Path<String>,
    FormIn(f): FormIn,
) -> Page {
    let (u, org) = require!(provider(&sess));
    let r = lab::get_for_organisation(&st.db, &id, &org).await?;
    let mut e = Errors::default();
    let q = forms::required_text(
        field(&f, "question"),
        "question",
        "your question",
        "Enter your question",
        &mut e,
    );
    let q = match q {
        Some(q) if lab::questions_open(&r, st.lab.clock.today()) => q,
        Some(_) => {
            e.add(
                "question",
                "The review period has ended, so questions can no longer be raised",
            );
            return render_request(&st, &sess, &u, &r, &e, None).await;
        }
        None => return render_request(&st, &sess, &u, &r, &e, None).await,
    };
    lab::ask(&st.db, &st.lab, &u.actor(), &id, &q).await?;
    sess.update(|s| s.notice = Some("Your question has been sent to the lab".into()));
    Ok(see_other(&format!("/datalab/requests/{id}")))
}

async fn answer_post(
    State(st): State<Web>,
    sess: Sess,
    Path((id, qid)): Path<(String, String)>,
    FormIn(f): FormIn,
) -> Page {
    let u = require!(analyst(&sess));
    let r = lab::get(&st.db, &id).await?;
    let name = format!("answer-{qid}");
    let mut e = Errors::default();
    let Some(a) = forms::required_text(
        field(&f, &name),
        &name,
        "your answer",
        "Enter your answer",
        &mut e,
    ) else {
        return render_request(&st, &sess, &u, &r, &e, None).await;
    };
    lab::answer(&st.db, &st.lab, &u.actor(), &id, &qid, &a).await?;
    st.mail_waiting();
    sess.update(|s| s.notice = Some("Answer sent".into()));
    Ok(see_other(&format!("/datalab/requests/{id}")))
}

/// The reason an analyst typed into `name`; without a usable one, the
/// request's page again with the error (`missing` when none was given).
async fn reason(
    st: &Web,
    sess: &Sess,
    u: &SessionUser,
    id: &str,
    f: &Fields,
    name: &str,
    missing: &str,
) -> Result<String, Page> {
    let mut e = Errors::default();
    if let Some(v) = forms::required_text(field(f, name), name, "the reason", missing, &mut e) {
        return Ok(v);
    }
    Err(match lab::get(&st.db, id).await {
        Ok(r) => render_request(st, sess, u, &r, &e, None).await,
        Err(err) => Err(err.into()),
    })
}

/// Turns a state conflict (two analysts at once, a stale page) into a
/// message on the request's page rather than an error page.
async fn outcome(
    st: &Web,
    sess: &Sess,
    u: &SessionUser,
    id: &str,
    result: Result<(), Error>,
    notice: &str,
) -> Page {
    match result {
        Ok(()) => {
            st.mail_waiting();
            sess.update(|s| s.notice = Some(notice.to_owned()));
            Ok(see_other(&format!("/datalab/requests/{id}")))
        }
        Err(Error::Conflict(m)) => {
            let r = lab::get(&st.db, id).await?;
            let mut e = Errors::default();
            e.add("reference", forms::capital(&m));
            render_request(st, sess, u, &r, &e, None).await
        }
        Err(other) => Err(other.into()),
    }
}

async fn run_post(
    State(st): State<Web>,
    sess: Sess,
    Path(id): Path<String>,
    FormIn(f): FormIn,
) -> Page {
    let u = require!(analyst(&sess));
    let why = match reason(
        &st,
        &sess,
        &u,
        &id,
        &f,
        "reason",
        "Say why you are opening the individual-level data",
    )
    .await
    {
        Ok(why) => why,
        Err(page) => return page,
    };
    let result = lab::start_run(&st.db, &st.lab, &u.actor(), &id, &why).await;
    outcome(&st, &sess, &u, &id, result, "The analysis has started").await
}

async fn return_post(
    State(st): State<Web>,
    sess: Sess,
    Path(id): Path<String>,
    FormIn(f): FormIn,
) -> Page {
    let u = require!(analyst(&sess));
    let why = match reason(
        &st,
        &sess,
        &u,
        &id,
        &f,
        "return-reason",
        "Say what the provider must correct",
    )
    .await
    {
        Ok(why) => why,
        Err(page) => return page,
    };
    let result = lab::decide(
        &st.db,
        &st.lab,
        &u.actor(),
        &id,
        Status::ReturnedForCorrection,
        &why,
    )
    .await;
    outcome(
        &st,
        &sess,
        &u,
        &id,
        result,
        "Returned for correction; the cohort has been destroyed",
    )
    .await
}

async fn reject_post(
    State(st): State<Web>,
    sess: Sess,
    Path(id): Path<String>,
    FormIn(f): FormIn,
) -> Page {
    let u = require!(analyst(&sess));
    let why = match reason(
        &st,
        &sess,
        &u,
        &id,
        &f,
        "reject-reason",
        "Say why the lab cannot take this request",
    )
    .await
    {
        Ok(why) => why,
        Err(page) => return page,
    };
    let result = lab::decide(&st.db, &st.lab, &u.actor(), &id, Status::Rejected, &why).await;
    outcome(
        &st,
        &sess,
        &u,
        &id,
        result,
        "Rejected; the cohort has been destroyed",
    )
    .await
}

async fn issue_post(
    State(st): State<Web>,
    sess: Sess,
    Path(id): Path<String>,
    FormIn(_): FormIn,
) -> Page {
    let u = require!(analyst(&sess));
    let result = lab::issue(&st.db, &st.lab, &u.actor(), &id).await;
    outcome(&st, &sess, &u, &id, result, "The report has been issued").await
}

/// Releases an issued report's figures (the JSON, as disclosure control
/// left it) through the platform, for the FOI system to attach to an
/// answer without importing the lab.
async fn release_post(
    State(st): State<Web>,
    sess: Sess,
    Path(id): Path<String>,
    FormIn(_): FormIn,
) -> Page {
    let u = require!(analyst(&sess));
    let r = lab::get(&st.db, &id).await?;
    if !r.report_released() {
        return outcome(
            &st,
            &sess,
            &u,
            &id,
            Err(Error::Conflict(
                "only an issued report's figures can be released".into(),
            )),
            "",
        )
        .await;
    }
    let json = st.lab.report_file(&r.id, "json").ok_or(Error::NotFound)?;
    let json = String::from_utf8(json)
        .map_err(|e| Error::Corrupt(format!("report figures are not UTF-8: {e}")))?;
    let title = format!(
        "Justice Data Lab: report {} ({})",
        r.reference, r.organisation
    );
    platform::releases::release(
        &st.db,
        "lab",
        &title,
        "application/json",
        &json,
        &u.actor(),
        st.lab.clock.now(),
    )
    .await?;
    outcome(
        &st,
        &sess,
        &u,
        &id,
        Ok(()),
        "The report's figures were released to the FOI team",
    )
    .await
}

async fn withhold_post(
    State(st): State<Web>,
    sess: Sess,
    Path(id): Path<String>,
    FormIn(f): FormIn,
) -> Page {
    let u = require!(analyst(&sess));
    let why = match reason(
        &st,
        &sess,
        &u,
        &id,
        &f,
        "withhold-reason",
        "Say why the report must be withheld",
    )
    .await
    {
        Ok(why) => why,
        Err(page) => return page,
    };
    let result = lab::withhold(&st.db, &st.lab, &u.actor(), &id, &why).await;
    outcome(&st, &sess, &u, &id, result, "The report has been withheld").await
}

// ---------------------------------------------------------------------
// The information asset owner
// ---------------------------------------------------------------------

async fn audit_page(State(st): State<Web>, sess: Sess) -> Page {
    let _ = require!(asset_owner(&sess));
    let entries = audit::recent_with_prefix(&st.db, "datalab.", 500).await?;
    let names: BTreeMap<String, String> = sqlx::query_as::<_, (String, String)>(
        "SELECT id, name FROM accounts WHERE kind = 'datalab'",
    )
    .fetch_all(st.db.pool())
    .await
    .map_err(Error::from)?
    .into_iter()
    .collect();
    let c = sess.ctx(&st);
    Ok(c.page(
        "Data Lab audit log",
        &Errors::default(),
        html! {
            h1 class="govuk-heading-l" { "Data Lab audit log" }
            p class="govuk-body" { "Every access to individual-level data, every report download and every destruction, newest first. The log cannot be changed or deleted: the database refuses it." }
            table class="govuk-table" id="audit" {
                caption class="govuk-table__caption govuk-table__caption--m" { "Latest " (entries.len()) " entries" }
                thead class="govuk-table__head" { tr class="govuk-table__row" {
                    th scope="col" class="govuk-table__header" { "When (UTC)" }
                    th scope="col" class="govuk-table__header" { "Who" }
                    th scope="col" class="govuk-table__header" { "What" }
                    th scope="col" class="govuk-table__header" { "Detail and reason" }
                } }
                tbody class="govuk-table__body" {
                    @for a in &entries {
                        tr class="govuk-table__row" {
                            td class="govuk-table__cell" { (pages::when(a.at)) }
                            td class="govuk-table__cell" { (names.get(&a.actor).map(String::as_str).unwrap_or(&a.actor)) }
                            td class="govuk-table__cell" { (a.action) }
                            td class="govuk-table__cell" { (a.detail) }
                        }
                    }
                }
            }
        },
    ))
}

async fn certificates_page(State(st): State<Web>, sess: Sess) -> Page {
    let _ = require!(asset_owner(&sess));
    let list = lab::certificates(&st.db).await?;
    let c = sess.ctx(&st);
    Ok(c.page(
        "Destruction certificates",
        &Errors::default(),
        html! {
            h1 class="govuk-heading-l" { "Destruction certificates" }
            @if list.is_empty() { p class="govuk-body" { "No individual-level data has been destroyed yet." } } @else {
                table class="govuk-table" {
                    thead class="govuk-table__head" { tr class="govuk-table__row" {
                        th scope="col" class="govuk-table__header" { "Request" }
                        th scope="col" class="govuk-table__header" { "Destroyed (UTC)" }
                        th scope="col" class="govuk-table__header" { "Rule" }
                    } }
                    tbody class="govuk-table__body" {
                        @for cert in &list {
                            tr class="govuk-table__row" {
                                td class="govuk-table__cell" { a class="govuk-link" href={ "/datalab/certificates/" (cert.id) } { (cert.reference) } }
                                td class="govuk-table__cell" { (pages::when(cert.destroyed_at)) }
                                td class="govuk-table__cell" { (cert.rule) }
                            }
                        }
                    }
                }
            }
        },
    ))
}

async fn certificate_page(State(st): State<Web>, sess: Sess, Path(id): Path<String>) -> Page {
    let _ = require!(asset_owner(&sess));
    let cert = lab::certificate(&st.db, &id).await?;
    let c = sess.ctx(&st);
    Ok(c.page(
        &format!("Destruction certificate for {}", cert.reference),
        &Errors::default(),
        html! {
            (pages::back("/datalab/certificates"))
            h1 class="govuk-heading-l" { "Destruction certificate for " (cert.reference) }
            (summary_list(&[
                ("Request".into(), html! { a class="govuk-link" href={ "/datalab/requests/" (cert.request_id) } { (cert.reference) } }, None),
                ("Destroyed".into(), html! { (pages::when(cert.destroyed_at)) " UTC" }, None),
                ("Destroyed by".into(), html! { @if cert.actor == "system" { "Lifeline, on schedule" } @else { (cert.actor) } }, None),
                ("Rule".into(), html! { (cert.rule) }, None),
                ("Due after".into(), html! { (pages::long_date(&cert.due_date)) }, None),
                ("What was destroyed".into(), html! { (cert.what) }, None),
                ("Data key fingerprint".into(), html! { code { (cert.key_fingerprint) } }, None),
                ("Ciphertext SHA-256".into(), html! { code { (cert.ciphertext_sha256) } }, None),
            ]))
            p class="govuk-body" { a class="govuk-link" href={ "/datalab/certificates/" (cert.id) "/json" } { "Download this certificate (JSON)" } }
        },
    ))
}

async fn certificate_json(State(st): State<Web>, sess: Sess, Path(id): Path<String>) -> Page {
    let u = require!(asset_owner(&sess));
    let cert = lab::certificate(&st.db, &id).await?;
    audit::log_at(
        &st.db,
        st.lab.clock.now(),
        &u.id,
        "datalab.certificate.download",
        &cert.request_id,
        &format!(
            "downloaded the destruction certificate of {}",
            cert.reference
        ),
    )
    .await?;
    let json = serde_json::to_string_pretty(&cert).map_err(|e| Error::Corrupt(e.to_string()))?;
    let mut resp = json.into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{}-destruction-certificate.json\"",
        cert.reference
    )) {
        resp.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every move the table offers an analyst has its form, posting to
    /// the move's own route; the buttons follow the table, so a state
    /// offers nothing more.
    #[test]
    fn analysts_get_a_form_for_each_move_the_table_offers() {
        let analyst = Who::Role(Role::Analyst);
        for state in Status::ALL {
            for t in WORKFLOW.actions_from(state, analyst) {
                let form = analyst_form(
                    "token",
                    "/datalab/requests/r1",
                    t.action,
                    &Errors::default(),
                )
                .into_string();
                assert!(
                    form.contains(&format!("action=\"/datalab/requests/r1/{}\"", t.action)),
                    "{} from {state:?}: {form}",
                    t.action
                );
            }
        }
        let offered = |state| {
            WORKFLOW
                .actions_from(state, analyst)
                .iter()
                .map(|t| t.action)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            offered(Status::Submitted),
            [step::RUN, step::RETURN, step::REJECT]
        );
        assert_eq!(
            offered(Status::DisclosureCheck),
            [step::ISSUE, step::WITHHOLD]
        );
        assert!(offered(Status::ReturnedForCorrection).is_empty());
        assert!(
            analyst_form("token", "/x", step::DESTROY, &Errors::default())
                .into_string()
                .is_empty()
        );
    }
}
