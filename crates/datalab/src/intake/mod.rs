//! Cohort intake: checking a provider's file and request before anything
//! else touches them.

mod request;

pub use request::{Confirmation, DateOrder, Request};

/// The columns of the lab's cohort template, in order.
pub const TEMPLATE_COLUMNS: [&str; 10] = [
    "forename",
    "surname",
    "date_of_birth",
    "gender",
    "postcode",
    "intervention_start",
    "sentence_start",
    "sentence_end",
    "pnc_id",
    "prison_number",
];
