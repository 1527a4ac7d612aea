//! Characteristics recorded about a person in national records.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Gender as the Police National Computer records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Gender {
    /// Male.
    Male,
    /// Female.
    Female,
}

impl Gender {
    /// The one-letter code used in files: `M` or `F`.
    pub fn code(self) -> &'static str {
        match self {
            Gender::Male => "M",
            Gender::Female => "F",
        }
    }
}

impl fmt::Display for Gender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Gender {
    type Err = String;

    /// Accepts M, F, Male, Female, Man, Woman in any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "m" | "male" | "man" => Ok(Gender::Male),
            "f" | "female" | "woman" => Ok(Gender::Female),
            _ => Err(format!(
                "'{}' is not a gender the national records hold; use M or F",
                s.trim()
            )),
        }
    }
}

/// Ethnic group, in the five broad groups of the England and Wales census,
/// plus "not stated" (common in criminal justice records).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Ethnicity {
    /// White.
    White,
    /// Mixed or multiple ethnic groups.
    Mixed,
    /// Asian or Asian British.
    Asian,
    /// Black, Black British, Caribbean or African.
    Black,
    /// Other ethnic group.
    Other,
    /// Not stated or not recorded.
    NotStated,
}

impl Ethnicity {
    /// Every group, in census order.
    pub const ALL: [Ethnicity; 6] = [
        Ethnicity::White,
        Ethnicity::Mixed,
        Ethnicity::Asian,
        Ethnicity::Black,
        Ethnicity::Other,
        Ethnicity::NotStated,
    ];

    /// The group's name as written in files and reports.
    pub fn name(self) -> &'static str {
        match self {
            Ethnicity::White => "White",
            Ethnicity::Mixed => "Mixed",
            Ethnicity::Asian => "Asian",
            Ethnicity::Black => "Black",
            Ethnicity::Other => "Other",
            Ethnicity::NotStated => "Not stated",
        }
    }
}

impl fmt::Display for Ethnicity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Ethnicity {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ethnicity::ALL
            .into_iter()
            .find(|e| e.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("unknown ethnic group '{}'", s.trim()))
    }
}
