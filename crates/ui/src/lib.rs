//! The GOV.UK Design System for Lifeline's pages: the page template, the
//! components (inputs, date inputs, radios, selects, summary lists, tags,
//! error summaries), the field checks behind them, and the Design System's
//! compiled assets, embedded so that nothing is fetched at run time.
//!
//! This room knows nothing of accounts, databases or any system: it draws
//! what it is given and reads what people typed. Every system's pages use
//! it, so a change here changes every service alike.

pub mod assets;
pub mod components;
pub mod forms;
pub mod layout;

pub use components::*;
pub use forms::{Errors, Fields};
pub use layout::{Chrome, layout};
