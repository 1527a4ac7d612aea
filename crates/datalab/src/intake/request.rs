//! The request metadata a provider sends with its cohort (`request.toml`).

use serde::{Deserialize, Serialize};

/// What the provider tells the lab about its intervention and its data.
///
/// The Privacy Impact Assessment asks for the intervention, how the data
/// were collected and how many records were left out as incomplete, and
/// requires the organisation's assurance that sharing is lawful before
/// anything is processed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// The organisation making the request.
    pub organisation: String,
    /// What the intervention is, in the provider's words.
    pub intervention: String,
    /// How the cohort's details were collected (e.g. "case management
    /// system export, checked against prison release letters").
    pub collection: String,
    /// How many people the provider worked with but left out of the file
    /// because their details were incomplete.
    pub excluded_incomplete: u64,
    /// The order of day and month in the file's dates, when the provider
    /// knows it: `"dmy"` or `"mdy"`. Without it, the order is worked out
    /// from the file, or the file is rejected if nothing settles it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_order: Option<DateOrder>,
    /// The organisation's confirmations.
    pub confirmation: Confirmation,
}

/// The organisation's confirmations, without which nothing is processed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Confirmation {
    /// The organisation, as data controller, has assured itself that sharing
    /// these records complies with data protection law.
    pub data_protection: bool,
    /// The organisation shares the data under the gateway of section 14 of
    /// the Offender Management Act 2007.
    pub section_14_gateway: bool,
}

/// The order of day and month in slash- or dash-separated dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DateOrder {
    /// Day, month, year (03/04/1985 is 3 April), as in the UK.
    Dmy,
    /// Month, day, year (03/04/1985 is 4 March), as in the US.
    Mdy,
}
