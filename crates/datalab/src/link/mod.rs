//! Record linkage: finding the same person in two sets of records.
//!
//! The engine is Fellegi-Sunter probabilistic linkage: columns are prepared
//! once per distinct value, blocking rules pick the candidate pairs worth
//! comparing, comparisons grade each pair field by field, and the model
//! weighs those grades by how often they occur among true matches and
//! among random pairs. [`lab`] applies it to the Justice Data Lab's
//! question (which national person is each cohort row?); [`tool`] to any
//! two tables, or one table's duplicates.

mod block;
mod compare;
pub mod lab;
mod model;
mod prepare;
mod pseudonym;
pub mod table;
pub mod tool;

pub use block::BlockingError;
pub use model::{Contribution, Model, Parameters, Session, Training, probability};
pub use pseudonym::{KeyError, LabKey};
