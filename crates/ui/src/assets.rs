//! The GOV.UK Frontend assets (and Lifeline's two small files), embedded in
//! the binary so that nothing is fetched at run time.

macro_rules! assets {
    ($($path:literal => $mime:literal),* $(,)?) => {
        /// The bytes and media type of the asset at `path` (under
        /// `/assets/`), if there is one.
        pub fn find(path: &str) -> Option<(&'static [u8], &'static str)> {
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
    "lifeline/call.js" => "text/javascript; charset=utf-8",
    "lifeline/init.mjs" => "text/javascript; charset=utf-8",
    "lifeline/monitor.js" => "text/javascript; charset=utf-8",
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
