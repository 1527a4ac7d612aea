//! The pages: families' booking and their own requests, and prison
//! staff's queue and settings.

mod booking;
mod staff;

use platform::rules::Routes;

use crate::Visits;

/// Every page of the system, with its state, and who each is for.
pub fn router(state: Visits) -> Routes {
    Routes::new()
        .merge(booking::routes())
        .merge(staff::routes())
        .with_state(state)
}
