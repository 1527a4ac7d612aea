//! The video calls system's pages: families' (profile, identity, approval
//! requests, each prison's portal, their calls), staff's (the day's calls,
//! approval requests, prisoners' requests, allowances, the portal's
//! settings), verifiers' (the identity queue) and the national rollout.

mod family;
mod live;
mod rollout;
mod staff;
mod verify;

use axum::response::Response;
use platform::rules::Routes;
use platform::sessions::SessionUser;
use platform::web::{Sess, see_other};

use crate::Calls;

/// The service's name in the header of its pages.
const SERVICE: &str = "Video calls";

/// Every page, with who each is for.
pub fn router(calls: Calls) -> Routes {
    let max = calls.config().max_upload_bytes;
    Routes::new()
        .merge(family::routes())
        .merge(family::upload_routes().body_limit(2 * max + 64 * 1024))
        .merge(staff::routes())
        .merge(verify::routes())
        .merge(rollout::routes())
        .merge(live::routes())
        .with_state(calls)
}

/// The signed-in user the route's rule let through, or a redirect to sign
/// in (the rule has already turned away anyone the page is not for).
fn user(sess: &Sess) -> Result<SessionUser, Box<Response>> {
    sess.user().ok_or_else(|| Box::new(see_other("/sign-in")))
}

/// An establishment's name from the registry (its key when unknown).
async fn establishment_name(st: &Calls, id: &str) -> String {
    st.establishments()
        .await
        .ok()
        .and_then(|l| l.iter().find(|e| e.id == id).map(|e| e.name.clone()))
        .unwrap_or_else(|| id.to_owned())
}

/// A call's status as a coloured tag.
fn call_tag(status: crate::workflow::CallStatus) -> maud::Markup {
    use crate::workflow::CallStatus::*;
    use platform::workflow::State;
    let colour = match status {
        Invited => "govuk-tag--yellow",
        Booked => "govuk-tag--green",
        Completed => "govuk-tag--blue",
        Declined | Cancelled => "govuk-tag--grey",
        Missed => "govuk-tag--orange",
        Fault => "govuk-tag--red",
    };
    ui::tag(colour, status.label())
}

/// The service clock's present, as a date and time (UTC) to compare with
/// a call's start.
pub(crate) fn now_naive(st: &Calls) -> chrono::NaiveDateTime {
    chrono::DateTime::from_timestamp(st.clock.now(), 0)
        .map(|d| d.naive_utc())
        .unwrap_or_default()
}
