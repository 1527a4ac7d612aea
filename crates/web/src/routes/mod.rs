//! The routes, grouped by who uses them.

mod booking;
mod public;
mod staff;

use axum::Router;
use axum::routing::get;

use crate::app::{AppState, session_layer};

pub(crate) fn router(state: AppState) -> Router {
    let pages = Router::new()
        .merge(public::routes())
        .merge(booking::routes())
        .merge(staff::routes())
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
