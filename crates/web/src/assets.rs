//! The GOV.UK Frontend assets (and Lifeline's two small files), embedded in
//! the binary so that nothing is fetched at run time.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

macro_rules! assets {
    ($($path:literal => $mime:literal),* $(,)?) => {
        fn find(path: &str) -> Option<(&'static [u8], &'static str)> {
            match path {
                $($path => Some((include_bytes!(concat!("../assets/", $path)), $mime)),)*
                _ => None,
            }
        }
    };
}

assets! {
    "govuk-frontend.min.css" => "text/css; charset=utf-8",
    "govuk-frontend.min.js" => "text/javascript; charset=utf-8",
    "manifest.json" => "application/manifest+json",
    "fonts/bold-affa96571d-v2.woff" => "font/woff",
    "fonts/bold-b542beb274-v2.woff2" => "font/woff2",
    "fonts/light-94a07e06a1-v2.woff2" => "font/woff2",
    "fonts/light-f591b13f7d-v2.woff" => "font/woff",
    "images/favicon.ico" => "image/x-icon",
    "images/favicon.svg" => "image/svg+xml",
    "images/govuk-crest.svg" => "image/svg+xml",
    "images/govuk-icon-180.png" => "image/png",
    "images/govuk-icon-192.png" => "image/png",
    "images/govuk-icon-512.png" => "image/png",
    "images/govuk-icon-mask.svg" => "image/svg+xml",
    "images/govuk-opengraph-image.png" => "image/png",
    "lifeline/app.css" => "text/css; charset=utf-8",
    "lifeline/body-class.js" => "text/javascript; charset=utf-8",
    "lifeline/init.mjs" => "text/javascript; charset=utf-8",
}

/// Serves `/assets/{*path}`.
pub(crate) async fn serve(Path(path): Path<String>) -> Response {
    match find(&path) {
        Some((bytes, mime)) => (
            [
                (header::CONTENT_TYPE, mime),
                (header::CACHE_CONTROL, "public, max-age=86400"),
            ],
            bytes,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_font_the_stylesheet_names_is_embedded() {
        let css = std::str::from_utf8(super::find("govuk-frontend.min.css").unwrap().0).unwrap();
        let mut named = 0;
        for part in css.split("url(/assets/").skip(1) {
            let path = &part[..part.find(')').unwrap()];
            assert!(
                super::find(path).is_some(),
                "{path} is referenced but not embedded"
            );
            named += 1;
        }
        assert!(named >= 4);
    }
}
