//! GOV.UK Design System components as maud templates. maud escapes every
//! interpolated value, so nothing a person typed can become markup.

use maud::{Markup, html};

use crate::forms::Errors;

/// The hidden form token.
pub fn csrf(token: &str) -> Markup {
    html! { input type="hidden" name="csrf" value=(token); }
}

/// The error summary at the top of a page with problems: each message
/// links to its field.
pub fn error_summary(errors: &Errors) -> Markup {
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
pub fn error_message(id: &str, error: Option<&str>) -> Markup {
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
pub struct Input<'a> {
    pub hint: Option<&'a str>,
    pub kind: Option<&'a str>,
    pub autocomplete: Option<&'a str>,
    pub width: Option<&'a str>,
    pub spellcheck_off: bool,
}

/// A labelled text input with its hint and error.
pub fn input(name: &str, label: &str, value: &str, errors: &Errors, o: Input) -> Markup {
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
pub fn date_input(
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

/// The ids a control is described by: its hint and its error, those it has.
fn described(name: &str, hint: bool, error: bool) -> Option<String> {
    match (hint, error) {
        (true, true) => Some(format!("{name}-hint {name}-error")),
        (true, false) => Some(format!("{name}-hint")),
        (false, true) => Some(format!("{name}-error")),
        (false, false) => None,
    }
}

/// A labelled select.
pub fn select(
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
                aria-describedby=[described(name, hint.is_some(), error.is_some())] {
                @for (value, text) in options {
                    option value=(value) selected[value == selected] { (text) }
                }
            }
        }
    }
}

/// A labelled textarea.
pub fn textarea(name: &str, label: &str, hint: &str, value: &str, errors: &Errors) -> Markup {
    let error = errors.get(name);
    html! {
        div class={ "govuk-form-group" @if error.is_some() { " govuk-form-group--error" } } {
            label class="govuk-label govuk-label--s" for=(name) { (label) }
            div id={ (name) "-hint" } class="govuk-hint" { (hint) }
            (error_message(name, error))
            textarea class={ "govuk-textarea" @if error.is_some() { " govuk-textarea--error" } } id=(name) name=(name) rows="5"
                aria-describedby=[described(name, true, error.is_some())] { (value) }
        }
    }
}

/// Radios in a fieldset; each option may reveal extra markup when chosen.
pub fn radios(
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
                // The first radio carries the field's own id, so that the
                // error summary's link to the field lands on it.
                div class="govuk-radios" data-module="govuk-radios" {
                    @for (i, (value, label, reveal)) in options.iter().enumerate() {
                        @let id = if i == 0 { name.to_owned() } else { format!("{name}-{i}") };
                        div class="govuk-radios__item" {
                            input class="govuk-radios__input" id=(id) name=(name) type="radio" value=(value)
                                checked[value == selected]
                                data-aria-controls=[reveal.as_ref().map(|_| format!("{id}-conditional"))];
                            label class="govuk-label govuk-radios__label" for=(id) { (label) }
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
pub fn button(text: &str) -> Markup {
    html! { button type="submit" class="govuk-button" data-module="govuk-button" data-prevent-double-click="true" { (text) } }
}

/// A summary list ("check your answers"): key, value, change link.
pub fn summary_list(rows: &[(String, Markup, Option<String>)]) -> Markup {
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
pub fn back(href: &str) -> Markup {
    html! { a href=(href) class="govuk-back-link" { "Back" } }
}

/// A coloured tag (`govuk-tag--blue`, ...) with its label.
pub fn tag(colour: &str, label: &str) -> Markup {
    html! { strong class={ "govuk-tag " (colour) } { (label) } }
}

/// Text with line breaks kept (escaped first).
pub fn multiline(text: &str) -> Markup {
    html! {
        @for (i, line) in text.lines().enumerate() {
            @if i > 0 { br; }
            (line)
        }
    }
}

/// A date stored as YYYY-MM-DD, as people read it.
pub fn long_date(iso: &str) -> String {
    chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d")
        .map(|d| d.format("%-d %B %Y").to_string())
        .unwrap_or_else(|_| iso.to_owned())
}

/// A Unix time as people read it (UTC).
pub fn when(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|d| d.format("%-d %B %Y %H:%M").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(field: &str) -> Errors {
        let mut e = Errors::default();
        e.add(field, "Choose one");
        e
    }

    #[test]
    fn the_error_summary_lands_on_the_first_radio() {
        let options = vec![
            ("a".to_owned(), "A".to_owned(), None),
            ("b".to_owned(), "B".to_owned(), None),
        ];
        let html = radios("kind", "Which kind?", &options, "", &errors("kind")).into_string();
        assert!(
            html.contains(r#"<input class="govuk-radios__input" id="kind" name="kind""#),
            "{html}"
        );
        assert!(html.contains(r#"id="kind-1" name="kind""#), "{html}");
        assert_eq!(
            html.matches(r#"id="kind""#).count(),
            1,
            "one element has the field's id: {html}"
        );
        assert!(html.contains(r#"for="kind""#));
    }

    #[test]
    fn selects_and_text_boxes_are_described_by_their_errors() {
        let options = vec![("x".to_owned(), "X".to_owned())];
        let html = select("unit", "Unit", None, &options, "", &errors("unit")).into_string();
        assert!(html.contains(r#"aria-describedby="unit-error""#), "{html}");
        let html =
            select("unit", "Unit", Some("Hint"), &options, "", &errors("unit")).into_string();
        assert!(
            html.contains(r#"aria-describedby="unit-hint unit-error""#),
            "{html}"
        );
        let html = select("unit", "Unit", None, &options, "", &Errors::default()).into_string();
        assert!(!html.contains("aria-describedby"), "{html}");
        let html = textarea("why", "Why?", "Say why", "", &errors("why")).into_string();
        assert!(
            html.contains(r#"aria-describedby="why-hint why-error""#),
            "{html}"
        );
    }
}
