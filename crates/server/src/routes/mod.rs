//! The pages that belong to no one system: start, privacy, accessibility,
//! sign-in and accounts (public), and the administrator's pages.

mod admin;
mod public;

use axum::Router;
use platform::web::Platform;

pub(crate) use public::{health, not_found};

/// The pages, with the platform as their state.
pub(crate) fn router(platform: Platform) -> Router {
    Router::new()
        .merge(public::routes())
        .merge(admin::routes())
        .with_state(platform)
}
