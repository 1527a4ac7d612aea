//! The page layout and GOV.UK Design System components, as maud templates.
//! maud escapes every interpolated value, so nothing a person typed can
//! become markup.

use maud::{DOCTYPE, Markup, html};

use crate::forms::Errors;
use crate::sessions::SessionUser;

/// What every page needs to know about the request.
pub(crate) struct Ctx<'a> {
    pub user: Option<&'a SessionUser>,
    pub csrf: &'a str,
    pub notice: Option<String>,
    pub dev: bool,
}

/// The GOV.UK template: skip link, header, phase banner, main, footer.
pub(crate) fn layout(ctx: &Ctx, title: &str, errors: &Errors, content: Markup) -> Markup {
    let service = service_name(ctx);
    let full_title = if errors.is_empty() {
        format!("{title} - {service} - GOV.UK")
    } else {
        format!("Error: {title} - {service} - GOV.UK")
    };
    html! {
        (DOCTYPE)
        html lang="en" class="govuk-template govuk-template--rebranded" {
            head {
                meta charset="utf-8";
                title { (full_title) }
                meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover";
                meta name="theme-color" content="#1d70b8";
                link rel="icon" sizes="48x48" href="/assets/images/favicon.ico";
                link rel="icon" sizes="any" href="/assets/images/favicon.svg" type="image/svg+xml";
                link rel="manifest" href="/assets/manifest.json";
                link rel="stylesheet" href="/assets/govuk-frontend.min.css";
                link rel="stylesheet" href="/assets/lifeline/app.css";
            }
            body class="govuk-template__body" {
                script src="/assets/lifeline/body-class.js" {}
                a href="#main-content" class="govuk-skip-link" data-module="govuk-skip-link" { "Skip to main content" }
                (header(ctx))
                div class="govuk-width-container" {
                    div class="govuk-phase-banner" {
                        p class="govuk-phase-banner__content" {
                            strong class="govuk-tag govuk-phase-banner__content__tag" { "Beta" }
                            span class="govuk-phase-banner__text" { "This is a new service." }
                        }
                    }
                    main class="govuk-main-wrapper" id="main-content" {
                        @if let Some(notice) = &ctx.notice {
                            div class="govuk-notification-banner govuk-notification-banner--success" role="alert"
                                aria-labelledby="govuk-notification-banner-title" data-module="govuk-notification-banner" {
                                div class="govuk-notification-banner__header" {
                                    h2 class="govuk-notification-banner__title" id="govuk-notification-banner-title" { "Success" }
                                }
                                div class="govuk-notification-banner__content" {
                                    p class="govuk-notification-banner__heading" { (notice) }
                                }
                            }
                        }
                        (content)
                    }
                }
                footer class="govuk-footer" {
                    div class="govuk-width-container" {
                        div class="govuk-footer__meta" {
                            div class="govuk-footer__meta-item govuk-footer__meta-item--grow" {
                                h2 class="govuk-visually-hidden" { "Support links" }
                                ul class="govuk-footer__inline-list" {
                                    li class="govuk-footer__inline-list-item" { a class="govuk-footer__link" href="/privacy" { "Privacy" } }
                                    li class="govuk-footer__inline-list-item" { a class="govuk-footer__link" href="/accessibility" { "Accessibility" } }
                                    li class="govuk-footer__inline-list-item" { a class="govuk-footer__link" href="/staff" { "Staff" } }
                                }
                                span class="govuk-footer__licence-description" {
                                    "Lifeline: a demonstration service. Built with the GOV.UK Design System."
                                }
                            }
                        }
                    }
                }
                script type="module" src="/assets/lifeline/init.mjs" {}
            }
        }
    }
}

/// The service the page belongs to: the Data Lab's users see its name.
fn service_name(ctx: &Ctx) -> &'static str {
    match ctx.user {
        Some(u) if u.kind == crate::accounts::Kind::DataLab => "Justice Data Lab",
        _ => "Visit someone in prison",
    }
}

fn header(ctx: &Ctx) -> Markup {
    let mut links: Vec<(&str, &str)> = Vec::new();
    match ctx.user {
        Some(u) if u.kind == crate::accounts::Kind::DataLab => {
            if u.provider_organisation().is_some() {
                links.push(("/datalab", "Your requests"));
                links.push(("/datalab/new", "New request"));
            }
            if u.is_analyst() {
                links.push(("/datalab", "Request queue"));
            }
            if u.is_asset_owner() {
                links.push(("/datalab", "Requests"));
                links.push(("/datalab/audit", "Audit log"));
                links.push(("/datalab/certificates", "Destruction certificates"));
            }
        }
        Some(u) if u.is_staff() => {
            links.push(("/staff", "Visit requests"));
            if u.is_national_admin() {
                links.push(("/staff/accounts", "Staff accounts"));
                links.push(("/staff/subject-access", "Subject access"));
                links.push(("/staff/audit", "Audit log"));
            }
            if ctx.dev {
                links.push(("/staff/outbox", "Outbox"));
            }
        }
        Some(_) => {
            links.push(("/book", "Book a visit"));
            links.push(("/visits", "Your visits"));
        }
        None => {
            links.push(("/sign-in", "Sign in"));
            links.push(("/register", "Create an account"));
        }
    }
    html! {
        header class="govuk-header" data-module="govuk-header" {
            div class="govuk-header__container govuk-width-container" {
                div class="govuk-header__logo" {
                    a href="/" class="govuk-header__link govuk-header__link--homepage" {
                        span class="govuk-header__logotype-text" { "GOV.UK" }
                    }
                }
                div class="govuk-header__content" {
                    a href=(ctx.user.map(|u| u.home()).unwrap_or("/")) class="govuk-header__link govuk-header__service-name" { (service_name(ctx)) }
                    nav aria-label="Menu" class="govuk-header__navigation" {
                        button type="button" class="govuk-header__menu-button govuk-js-header-toggle" aria-controls="navigation" hidden { "Menu" }
                        ul id="navigation" class="govuk-header__navigation-list" {
                            @for (href, label) in &links {
                                li class="govuk-header__navigation-item" {
                                    a class="govuk-header__link" href=(href) { (label) }
                                }
                            }
                            @if ctx.user.is_some() {
                                li class="govuk-header__navigation-item" {
                                    a class="govuk-header__link" href="/account/password" { "Password" }
                                }
                                li class="govuk-header__navigation-item" {
                                    form method="post" action="/sign-out" class="lifeline-inline-form" {
                                        (csrf(ctx.csrf))
                                        button type="submit" class="govuk-header__link lifeline-link-button" { "Sign out" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The hidden form token.
pub(crate) fn csrf(token: &str) -> Markup {
    html! { input type="hidden" name="csrf" value=(token); }
}

/// The error summary at the top of a page with problems: each message
/// links to its field.
pub(crate) fn error_summary(errors: &Errors) -> Markup {
    html! {
        @if !errors.is_empty() {
            div class="govuk-error-summary" data-module="govuk-error-summary" {
                div role="alert" {
                    h2 class="govuk-error-summary__title" { "There is a problem" }
                    div class="govuk-error-summary__body" {
                        ul class="govuk-list govuk-error-summary__list" {
                            @for (field, message) in &errors.0 {
                                li { a href={ "#" (anchor(field)) } { (message) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Date inputs are linked to by their first box.
fn anchor(field: &str) -> String {
    if field.ends_with("-dob") || field.ends_with("-date") || field.ends_with("-until") {
        format!("{field}-day")
    } else {
        field.to_owned()
    }
}

/// A field's error message, if it has one.
pub(crate) fn error_message(id: &str, error: Option<&str>) -> Markup {
    html! {
        @if let Some(e) = error {
            p id={ (id) "-error" } class="govuk-error-message" {
                span class="govuk-visually-hidden" { "Error:" } " " (e)
            }
        }
    }
}

/// Options for a text input.
#[derive(Default)]
pub(crate) struct Input<'a> {
    pub hint: Option<&'a str>,
    pub kind: Option<&'a str>,
    pub autocomplete: Option<&'a str>,
    pub width: Option<&'a str>,
    pub spellcheck_off: bool,
}

/// A labelled text input with its hint and error.
pub(crate) fn input(name: &str, label: &str, value: &str, errors: &Errors, o: Input) -> Markup {
    let error = errors.get(name);
    let described = match (o.hint.is_some(), error.is_some()) {
        (true, true) => Some(format!("{name}-hint {name}-error")),
        (true, false) => Some(format!("{name}-hint")),
        (false, true) => Some(format!("{name}-error")),
        (false, false) => None,
    };
    let class = format!(
        "govuk-input{}{}",
        o.width
            .map(|w| format!(" govuk-input--width-{w}"))
            .unwrap_or_default(),
        if error.is_some() {
            " govuk-input--error"
        } else {
            ""
        }
    );
    html! {
        div class={ "govuk-form-group" @if error.is_some() { " govuk-form-group--error" } } {
            label class="govuk-label" for=(name) { (label) }
            @if let Some(h) = o.hint { div id={ (name) "-hint" } class="govuk-hint" { (h) } }
            (error_message(name, error))
            input class=(class) id=(name) name=(name) type=(o.kind.unwrap_or("text")) value=(value)
                aria-describedby=[described] autocomplete=[o.autocomplete]
                spellcheck=[o.spellcheck_off.then_some("false")];
        }
    }
}

/// A GOV.UK date input (day, month, year) in a fieldset with a legend.
pub(crate) fn date_input(
    prefix: &str,
    legend: &str,
    hint: &str,
    fields: &std::collections::BTreeMap<String, String>,
    errors: &Errors,
    autocomplete_bday: bool,
) -> Markup {
    let error = errors.get(prefix);
    let value = |p: &str| {
        fields
            .get(&format!("{prefix}-{p}"))
            .cloned()
            .unwrap_or_default()
    };
    let parts = [
        ("day", "Day", "2"),
        ("month", "Month", "2"),
        ("year", "Year", "4"),
    ];
    let described = if error.is_some() {
        format!("{prefix}-hint {prefix}-error")
    } else {
        format!("{prefix}-hint")
    };
    html! {
        div class={ "govuk-form-group" @if error.is_some() { " govuk-form-group--error" } } {
            fieldset class="govuk-fieldset" role="group" aria-describedby=(described) {
                legend class="govuk-fieldset__legend govuk-fieldset__legend--s" { (legend) }
                div id={ (prefix) "-hint" } class="govuk-hint" { (hint) }
                (error_message(prefix, error))
                div class="govuk-date-input" id=(prefix) {
                    @for (p, label, width) in parts {
                        div class="govuk-date-input__item" {
                            div class="govuk-form-group" {
                                label class="govuk-label govuk-date-input__label" for={ (prefix) "-" (p) } { (label) }
                                input class={ "govuk-input govuk-date-input__input govuk-input--width-" (width) @if error.is_some() { " govuk-input--error" } }
                                    id={ (prefix) "-" (p) } name={ (prefix) "-" (p) } type="text" inputmode="numeric"
                                    value=(value(p))
                                    autocomplete=[autocomplete_bday.then(|| format!("bday-{p}"))];
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A labelled select.
pub(crate) fn select(
    name: &str,
    label: &str,
    hint: Option<&str>,
    options: &[(String, String)],
    selected: &str,
    errors: &Errors,
) -> Markup {
    let error = errors.get(name);
    html! {
        div class={ "govuk-form-group" @if error.is_some() { " govuk-form-group--error" } } {
            label class="govuk-label" for=(name) { (label) }
            @if let Some(h) = hint { div id={ (name) "-hint" } class="govuk-hint" { (h) } }
            (error_message(name, error))
            select class={ "govuk-select" @if error.is_some() { " govuk-select--error" } } id=(name) name=(name)
                aria-describedby=[hint.map(|_| format!("{name}-hint"))] {
                @for (value, text) in options {
                    option value=(value) selected[value == selected] { (text) }
                }
            }
        }
    }
}

/// A labelled textarea.
pub(crate) fn textarea(
    name: &str,
    label: &str,
    hint: &str,
    value: &str,
    errors: &Errors,
) -> Markup {
    let error = errors.get(name);
    html! {
        div class={ "govuk-form-group" @if error.is_some() { " govuk-form-group--error" } } {
            label class="govuk-label govuk-label--s" for=(name) { (label) }
            div id={ (name) "-hint" } class="govuk-hint" { (hint) }
            (error_message(name, error))
            textarea class={ "govuk-textarea" @if error.is_some() { " govuk-textarea--error" } } id=(name) name=(name) rows="5"
                aria-describedby={ (name) "-hint" } { (value) }
        }
    }
}

/// Radios in a fieldset; each option may reveal extra markup when chosen.
pub(crate) fn radios(
    name: &str,
    legend: &str,
    options: &[(String, String, Option<Markup>)],
    selected: &str,
    errors: &Errors,
) -> Markup {
    let error = errors.get(name);
    html! {
        div class={ "govuk-form-group" @if error.is_some() { " govuk-form-group--error" } } {
            fieldset class="govuk-fieldset" aria-describedby=[error.map(|_| format!("{name}-error"))] {
                legend class="govuk-fieldset__legend govuk-fieldset__legend--s" { (legend) }
                (error_message(name, error))
                div class="govuk-radios" data-module="govuk-radios" id=(name) {
                    @for (i, (value, label, reveal)) in options.iter().enumerate() {
                        @let id = if i == 0 { name.to_owned() } else { format!("{name}-{i}") };
                        div class="govuk-radios__item" {
                            input class="govuk-radios__input" id={ (id) "-input" } name=(name) type="radio" value=(value)
                                checked[value == selected]
                                data-aria-controls=[reveal.as_ref().map(|_| format!("{id}-conditional"))];
                            label class="govuk-label govuk-radios__label" for={ (id) "-input" } { (label) }
                        }
                        @if let Some(r) = reveal {
                            div class={ "govuk-radios__conditional" @if value != selected { " govuk-radios__conditional--hidden" } } id={ (id) "-conditional" } {
                                (r)
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A primary button.
pub(crate) fn button(text: &str) -> Markup {
    html! { button type="submit" class="govuk-button" data-module="govuk-button" data-prevent-double-click="true" { (text) } }
}

/// A summary list ("check your answers"): key, value, change link.
pub(crate) fn summary_list(rows: &[(String, Markup, Option<String>)]) -> Markup {
    html! {
        dl class="govuk-summary-list" {
            @for (key, value, change) in rows {
                div class="govuk-summary-list__row" {
                    dt class="govuk-summary-list__key" { (key) }
                    dd class="govuk-summary-list__value" { (value) }
                    @if let Some(href) = change {
                        dd class="govuk-summary-list__actions" {
                            a class="govuk-link" href=(href) { "Change" span class="govuk-visually-hidden" { " " (key.to_lowercase()) } }
                        }
                    }
                }
            }
        }
    }
}

/// A back link.
pub(crate) fn back(href: &str) -> Markup {
    html! { a href=(href) class="govuk-back-link" { "Back" } }
}

/// A status tag.
pub(crate) fn tag(status: crate::visits::Status) -> Markup {
    use crate::visits::Status;
    let colour = match status {
        Status::Requested => "govuk-tag--blue",
        Status::Booked => "govuk-tag--green",
        Status::Rejected => "govuk-tag--red",
        Status::Cancelled => "govuk-tag--grey",
    };
    coloured_tag(colour, status.label())
}

fn coloured_tag(colour: &str, label: &str) -> Markup {
    html! { strong class={ "govuk-tag " (colour) } { (label) } }
}

/// A Data Lab request's status tag.
pub(crate) fn lab_tag(status: crate::datalab::Status) -> Markup {
    use crate::datalab::Status;
    let colour = match status {
        Status::Submitted => "govuk-tag--blue",
        Status::Processing | Status::DisclosureCheck => "govuk-tag--purple",
        Status::ReturnedForCorrection => "govuk-tag--yellow",
        Status::Issued | Status::InReview => "govuk-tag--green",
        Status::Rejected | Status::Failed => "govuk-tag--red",
        Status::Closed | Status::Destroyed => "govuk-tag--grey",
    };
    coloured_tag(colour, status.label())
}

/// Text with line breaks kept (escaped first).
pub(crate) fn multiline(text: &str) -> Markup {
    html! {
        @for (i, line) in text.lines().enumerate() {
            @if i > 0 { br; }
            (line)
        }
    }
}

/// A date stored as YYYY-MM-DD, as people read it.
pub(crate) fn long_date(iso: &str) -> String {
    chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d")
        .map(|d| d.format("%-d %B %Y").to_string())
        .unwrap_or_else(|_| iso.to_owned())
}

/// A Unix time as people read it (UTC).
pub(crate) fn when(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|d| d.format("%-d %B %Y %H:%M").to_string())
        .unwrap_or_default()
}
