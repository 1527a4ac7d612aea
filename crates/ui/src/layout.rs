//! The GOV.UK page template: skip link, header with the service's
//! navigation, phase banner, notification banner, main, footer. It knows
//! nothing of any system: the caller says which service the page belongs
//! to and which links its menu holds.

use maud::{DOCTYPE, Markup, html};

use crate::components::csrf;
use crate::forms::Errors;

/// What the template needs besides the page's own content.
pub struct Chrome<'a> {
    /// The service's name, in the header and the title.
    pub service: &'a str,
    /// Where the service name links to.
    pub home: &'a str,
    /// The header's menu: address and label.
    pub nav: Vec<(String, String)>,
    /// Whether someone is signed in (adds "Password" and "Sign out").
    pub signed_in: bool,
    /// The form token for the sign-out button.
    pub csrf: &'a str,
    /// A one-off success message (a notification banner).
    pub notice: Option<String>,
}

/// The page's `<title>` as the Design System writes it: the page, the
/// service, GOV.UK, with "Error: " first when the form has errors. A start
/// page named after its service names it once.
fn page_title(title: &str, service: &str, error: bool) -> String {
    let prefix = if error { "Error: " } else { "" };
    if title.trim() == service.trim() {
        format!("{prefix}{title} - GOV.UK")
    } else {
        format!("{prefix}{title} - {service} - GOV.UK")
    }
}

/// The GOV.UK template: skip link, header, phase banner, main, footer.
pub fn layout(chrome: &Chrome, title: &str, errors: &Errors, content: Markup) -> Markup {
    let full_title = page_title(title, chrome.service, !errors.is_empty());
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
                (header(chrome))
                div class="govuk-width-container" {
                    div class="govuk-phase-banner" {
                        p class="govuk-phase-banner__content" {
                            strong class="govuk-tag govuk-phase-banner__content__tag" { "Beta" }
                            span class="govuk-phase-banner__text" { "This is a new service." }
                        }
                    }
                    main class="govuk-main-wrapper" id="main-content" {
                        @if let Some(notice) = &chrome.notice {
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

fn header(chrome: &Chrome) -> Markup {
    html! {
        header class="govuk-header" data-module="govuk-header" {
            div class="govuk-header__container govuk-width-container" {
                div class="govuk-header__logo" {
                    a href="/" class="govuk-header__link govuk-header__link--homepage" {
                        span class="govuk-header__logotype-text" { "GOV.UK" }
                    }
                }
                div class="govuk-header__content" {
                    a href=(chrome.home) class="govuk-header__link govuk-header__service-name" { (chrome.service) }
                    nav aria-label="Menu" class="govuk-header__navigation" {
                        button type="button" class="govuk-header__menu-button govuk-js-header-toggle" aria-controls="navigation" hidden { "Menu" }
                        ul id="navigation" class="govuk-header__navigation-list" {
                            @for (href, label) in &chrome.nav {
                                li class="govuk-header__navigation-item" {
                                    a class="govuk-header__link" href=(href) { (label) }
                                }
                            }
                            @if chrome.signed_in {
                                li class="govuk-header__navigation-item" {
                                    a class="govuk-header__link" href="/account/password" { "Password" }
                                }
                                li class="govuk-header__navigation-item" {
                                    form method="post" action="/sign-out" class="lifeline-inline-form" {
                                        (csrf(chrome.csrf))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_start_page_named_after_its_service_names_it_once() {
        assert_eq!(
            page_title("Visit someone in prison", "Visit someone in prison", false),
            "Visit someone in prison - GOV.UK"
        );
        assert_eq!(
            page_title("Choose a session", "Visit someone in prison", true),
            "Error: Choose a session - Visit someone in prison - GOV.UK"
        );
    }
}
