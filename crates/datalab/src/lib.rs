//! The Justice Data Lab.
//!
//! Organisations that work with offenders submit the people they worked
//! with; the lab links them to national criminal records, builds a matched
//! comparison group, compares one-year proven reoffending and returns an
//! aggregate report. This crate is that lab as a pipeline of pure steps over
//! columnar data. It touches files it is given and nothing else: no
//! database, no network.
//!
//! - [`synth`] generates a synthetic national dataset (the stand-in for the
//!   lab's research copy of the Police National Computer with DWP/HMRC
//!   employment and benefit history) and provider cohorts with ground truth.
//! - [`intake`] validates a provider's cohort file and request.
//! - [`link`] finds each cohort row's person in the national records;
//!   [`cohort`], [`matching`] and [`stats`] build and compare the matched
//!   groups, which [`analysis`] runs as one step.
//! - [`disclosure`] decides what of a result may leave the lab, and
//!   [`report`] draws what may as the standard report (HTML, PDF, JSON).
//! - [`tables`] protects published count tables and all their margins.
//! - [`run`] takes one request through all of it, stage by stage.
//! - [`ids`], [`postcode`], [`person`] and [`names`] are the domain types and
//!   reference tables the steps share.

pub mod analysis;
pub mod cohort;
pub mod disclosure;
pub mod ids;
pub mod intake;
pub mod link;
pub mod matching;
pub mod names;
pub mod national;
pub mod person;
pub mod postcode;
pub mod progress;
pub mod report;
pub mod run;
pub mod stats;
pub mod study;
pub mod synth;
pub mod tables;
