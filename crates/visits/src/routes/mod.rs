//! The pages: families' booking and their own requests, and prison
//! staff's queue and settings.

mod booking;
mod staff;

use axum::Router;

use crate::Visits;

/// Every page of the system, with its state.
pub fn router(state: Visits) -> Router {
    Router::new()
        .merge(booking::routes())
        .merge(staff::routes())
        .with_state(state)
}
