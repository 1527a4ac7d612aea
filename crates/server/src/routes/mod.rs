//! The pages that belong to no one system: start, privacy, accessibility,
//! sign-in and accounts (public), the administrator's pages, and the
//! prisoners and approved contacts every system reads.

mod admin;
mod prisoners;
mod public;

use platform::rules::{Routes, Rule};
use platform::web::Platform;

pub(crate) use public::not_found;

/// The pages, with the platform as their state, and who each is for.
pub(crate) fn router(platform: Platform) -> Routes {
    Routes::new()
        .merge(public::routes())
        .merge(admin::routes())
        .merge(prisoners::routes())
        .with_state(platform)
}

/// What is served without a session: the health check (load balancers
/// carry no cookie) and the Design System's files.
pub(crate) fn sessionless(platform: Platform) -> Routes {
    Routes::new()
        .get("/health", Rule::Public, public::health)
        .get("/assets/{*path}", Rule::Public, platform::web::asset)
        .with_state(platform)
}
