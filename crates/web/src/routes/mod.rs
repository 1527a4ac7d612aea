//! The routes, grouped by who uses them.

/// The signed-in user a page needs, or the response that refuses them (a
/// redirect to sign in, or "forbidden"), returned from the handler.
macro_rules! require {
    ($e:expr) => {
        match $e {
            Ok(u) => u,
            Err(r) => return Ok(*r),
        }
    };
}

mod booking;
mod datalab;
mod public;
mod staff;

use axum::Router;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::Error;
use crate::app::{AppError, AppState, session_layer};

/// The refusal a signed-in user gets from a page that is not theirs, in
/// the form the page guards return it.
fn forbidden() -> Box<Response> {
    Box::new(AppError(Error::Forbidden).into_response())
}

pub(crate) fn router(state: AppState) -> Router {
    let pages = Router::new()
        .merge(public::routes())
        .merge(booking::routes())
        .merge(staff::routes())
        .merge(datalab::routes(&state))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            session_layer,
        ));
    Router::new()
        .route("/health", get(public::health))
        .route("/assets/{*path}", get(crate::assets::serve))
        .merge(pages)
        .fallback(public::not_found)
        .with_state(state)
}
