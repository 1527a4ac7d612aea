//! Turning any table (CSV or Parquet, as read by the linkage tool) into a
//! [`Dataset`]: the treatment flag, covariates and outcomes named by the
//! analyst, with a stated policy for missing values.
//!
//! - The treatment column must hold 0/1 (or true/false) in every row.
//! - A covariate whose every value is a number is numeric; otherwise it is
//!   categorical, one-hot encoded with its first level (sorted) as the
//!   reference, as R's `factor()` does. A numeric code that is really a
//!   category (a region number) can be declared categorical.
//! - Missing treatment or covariate values are an error by default, naming
//!   the column and the first row; with [`Missing::Drop`] those rows are
//!   dropped and counted. A missing outcome is kept as `NaN` and left out of
//!   that outcome's comparison only.

use std::borrow::Cow;

use rayon::prelude::*;

use super::data::{Covariate, Dataset, Outcome, Values};
use crate::link::table::{self, Table};

/// What to do with rows that miss a treatment or covariate value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Missing {
    /// Refuse the table, saying where the first gap is.
    #[default]
    Error,
    /// Drop such rows and report how many went.
    Drop,
}

/// The columns to use.
#[derive(Debug, Clone, Default)]
pub struct Columns {
    /// The 0/1 treatment column.
    pub treatment: String,
    /// Covariates for the propensity model, in order.
    pub covariates: Vec<String>,
    /// Covariates to treat as categories even if they look numeric.
    pub categorical: Vec<String>,
    /// Outcome columns.
    pub outcomes: Vec<String>,
    /// Missing-value policy.
    pub missing: Missing,
}

/// A dataset with the table rows it came from.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The data to match.
    pub data: Dataset,
    /// For each dataset row, its row in the table (0-based).
    pub rows: Vec<usize>,
    /// Rows dropped for a missing value, per column (only with
    /// [`Missing::Drop`]); a row missing several counts under the first.
    pub dropped: Vec<(String, usize)>,
}

/// More levels than this in a categorical covariate almost always means an
/// identifier or free text was named by mistake.
const MAX_LEVELS: usize = 200;

/// Why a table cannot be used for matching.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InputError {
    /// A named column is not in the table.
    #[error("there is no column '{name}' in the table; its columns are: {available}")]
    NoColumn {
        /// The missing name.
        name: String,
        /// The table's columns, comma-separated.
        available: String,
    },
    /// A column is named twice (as two roles or twice in one list).
    #[error("column '{0}' is named more than once: each column can have one role")]
    Repeated(String),
    /// A column declared categorical that is not a covariate.
    #[error(
        "'{0}' is declared categorical but is not one of the covariates: add it to them or drop it from the categorical list"
    )]
    CategoricalNotCovariate(String),
    /// No covariates.
    #[error("no covariates given: name at least one column to match on")]
    NoCovariates,
    /// A treatment value that is not 0/1.
    #[error(
        "the treatment column '{column}' must be 0 or 1 in every row, but row {row} holds '{value}' \
         ({count} rows are not 0/1); recode it so that 1 means treated"
    )]
    Treatment {
        /// The treatment column.
        column: String,
        /// The first bad row (1-based, as a spreadsheet counts data rows).
        row: usize,
        /// Its value.
        value: String,
        /// How many rows are bad.
        count: usize,
    },
    /// Missing values under the error policy.
    #[error(
        "column '{column}' has {count} missing values (the first in row {row}); fill them in, \
         or drop those rows with --missing drop"
    )]
    MissingValues {
        /// The column.
        column: String,
        /// How many are missing.
        count: usize,
        /// The first (1-based).
        row: usize,
    },
    /// An outcome that is not a number.
    #[error(
        "outcome '{column}' must be numeric (0/1 for a yes/no outcome), but row {row} holds '{value}'"
    )]
    Outcome {
        /// The column.
        column: String,
        /// The first bad row (1-based).
        row: usize,
        /// Its value.
        value: String,
    },
    /// A categorical covariate with too many levels.
    #[error(
        "covariate '{column}' is not numeric and has {levels} different values: that looks like an \
         identifier or free text, not a category; leave it out, or group it into fewer categories \
         (at most {max})"
    )]
    TooManyLevels {
        /// The column.
        column: String,
        /// Its number of levels.
        levels: usize,
        /// The limit.
        max: usize,
    },
    /// Nothing left after dropping.
    #[error("every row misses a treatment or covariate value, so nothing is left to match")]
    NothingLeft,
}

/// A column's cells as text, borrowed from the table where they are text
/// already, so that a million-row table is not copied cell by cell.
fn cells(t: &Table, col: usize) -> Vec<Option<Cow<'_, str>>> {
    match &t.columns[col] {
        table::Values::Text(s) => s.iter().map(|v| v.map(Cow::Borrowed)).collect(),
        table::Values::Date(_) => (0..t.rows)
            .map(|i| t.text(col, i).map(Cow::Owned))
            .collect(),
    }
}

/// Builds the dataset from a table.
pub fn prepare(t: &Table, columns: &Columns) -> Result<Prepared, InputError> {
    if columns.covariates.is_empty() {
        return Err(InputError::NoCovariates);
    }
    let mut seen = std::collections::HashSet::new();
    let named = std::iter::once(&columns.treatment)
        .chain(&columns.covariates)
        .chain(&columns.outcomes);
    for name in named {
        if !seen.insert(name.as_str()) {
            return Err(InputError::Repeated(name.clone()));
        }
    }
    let index = |name: &str| {
        t.column(name).ok_or_else(|| InputError::NoColumn {
            name: name.to_string(),
            available: t.names.join(", "),
        })
    };
    for name in &columns.categorical {
        if !columns.covariates.contains(name) {
            return Err(InputError::CategoricalNotCovariate(name.clone()));
        }
    }
    let treatment_col = index(&columns.treatment)?;
    let covariate_cols = columns
        .covariates
        .iter()
        .map(|c| index(c))
        .collect::<Result<Vec<_>, _>>()?;
    let outcome_cols = columns
        .outcomes
        .iter()
        .map(|c| index(c))
        .collect::<Result<Vec<_>, _>>()?;

    // Rows to keep: every row, less those missing a needed value under the
    // drop policy.
    let treatment_cells = cells(t, treatment_col);
    let covariate_cells: Vec<_> = covariate_cols.par_iter().map(|&c| cells(t, c)).collect();
    let outcome_cells: Vec<_> = outcome_cols.par_iter().map(|&c| cells(t, c)).collect();
    let mut keep = vec![true; t.rows];
    let mut dropped = Vec::new();
    let needed = std::iter::once((&columns.treatment, &treatment_cells))
        .chain(columns.covariates.iter().zip(covariate_cells.iter()));
    for (name, col) in needed {
        let missing: Vec<usize> = (0..t.rows).filter(|&i| col[i].is_none()).collect();
        if missing.is_empty() {
            continue;
        }
        match columns.missing {
            Missing::Error => {
                return Err(InputError::MissingValues {
                    column: name.clone(),
                    count: missing.len(),
                    row: missing[0] + 1,
                });
            }
            Missing::Drop => {
                let newly = missing.iter().filter(|&&i| keep[i]).count();
                for i in missing {
                    keep[i] = false;
                }
                dropped.push((name.clone(), newly));
            }
        }
    }
    let rows: Vec<usize> = (0..t.rows).filter(|&i| keep[i]).collect();
    if rows.is_empty() {
        return Err(InputError::NothingLeft);
    }

    let text = |cells: &[Option<Cow<'_, str>>], i: usize| -> String {
        cells[i].as_deref().unwrap_or_default().to_string()
    };
    let mut bad = rows
        .iter()
        .filter(|&&i| flag(treatment_cells[i].as_deref().unwrap_or_default()).is_none());
    if let Some(&row) = bad.next() {
        return Err(InputError::Treatment {
            column: columns.treatment.clone(),
            row: row + 1,
            value: text(&treatment_cells, row),
            count: 1 + bad.count(),
        });
    }
    let treated = rows
        .iter()
        .map(|&i| treatment_cells[i].as_deref().and_then(flag) == Some(true))
        .collect();

    let covariates = columns
        .covariates
        .par_iter()
        .zip(&covariate_cols)
        .zip(&covariate_cells)
        .map(|((name, &col), cells)| {
            let numbers: Option<Vec<f64>> = match &t.columns[col] {
                table::Values::Date(d) => {
                    Some(rows.iter().map(|&i| f64::from(d[i].unwrap_or(0))).collect())
                }
                table::Values::Text(_) => rows
                    .iter()
                    .map(|&i| cells[i].as_deref().and_then(number))
                    .collect(),
            };
            let values = match numbers {
                Some(v) if !columns.categorical.contains(name) => Values::Numeric(v),
                _ => {
                    let text: Vec<&str> = rows
                        .iter()
                        .map(|&i| cells[i].as_deref().unwrap_or_default())
                        .collect();
                    let values = Values::categorical(&text);
                    if let Values::Categorical { levels, .. } = &values
                        && levels.len() > MAX_LEVELS
                    {
                        return Err(InputError::TooManyLevels {
                            column: name.clone(),
                            levels: levels.len(),
                            max: MAX_LEVELS,
                        });
                    }
                    values
                }
            };
            Ok(Covariate {
                name: name.clone(),
                values,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;

    let outcomes = columns
        .outcomes
        .iter()
        .zip(&outcome_cells)
        .map(|(name, cells)| {
            let values = rows
                .iter()
                .map(|&i| match cells[i].as_deref() {
                    None => Ok(f64::NAN),
                    Some(v) => number(v)
                        .or_else(|| flag(v).map(|b| f64::from(u8::from(b))))
                        .ok_or_else(|| InputError::Outcome {
                            column: name.clone(),
                            row: i + 1,
                            value: v.to_string(),
                        }),
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Outcome {
                name: name.clone(),
                values,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;

    Ok(Prepared {
        data: Dataset {
            treated,
            covariates,
            outcomes,
        },
        rows,
        dropped,
    })
}

/// A finite number, or `None`.
fn number(v: &str) -> Option<f64> {
    v.trim().parse::<f64>().ok().filter(|x| x.is_finite())
}

/// A 0/1 or true/false value.
fn flag(v: &str) -> Option<bool> {
    match v.trim() {
        "1" | "1.0" | "true" | "TRUE" | "True" => Some(true),
        "0" | "0.0" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(names: &[&str], rows: &[&[&str]]) -> Table {
        let columns = (0..names.len())
            .map(|c| table::strings(rows.iter().map(|r| Some(r[c]))))
            .collect();
        Table::new(names.iter().map(|s| s.to_string()).collect(), columns)
    }

    fn columns(covariates: &[&str]) -> Columns {
        Columns {
            treatment: "t".into(),
            covariates: covariates.iter().map(|s| s.to_string()).collect(),
            outcomes: vec!["y".into()],
            ..Columns::default()
        }
    }

    #[test]
    fn numbers_are_numeric_text_is_categorical_and_outcomes_may_be_missing() {
        let t = table(
            &["t", "age", "region", "y"],
            &[
                &["1", "20", "Wales", "1"],
                &["0", "31.5", "London", ""],
                &["true", "40", "Wales", "0"],
            ],
        );
        let p = prepare(&t, &columns(&["age", "region"])).unwrap();
        assert_eq!(p.data.treated, [true, false, true]);
        assert_eq!(
            p.data.covariates[0].values,
            Values::Numeric(vec![20.0, 31.5, 40.0])
        );
        assert_eq!(
            p.data.covariates[1].values,
            Values::Categorical {
                codes: vec![1, 0, 1],
                levels: vec!["London".into(), "Wales".into()]
            }
        );
        assert!(p.data.outcomes[0].values[1].is_nan());
        assert_eq!(p.data.outcomes[0].values[2], 0.0);

        let mut c = columns(&["age"]);
        c.categorical = vec!["age".into()];
        let p = prepare(&t, &c).unwrap();
        assert!(matches!(
            p.data.covariates[0].values,
            Values::Categorical { .. }
        ));
    }

    #[test]
    fn bad_treatment_values_are_named_with_their_row() {
        let t = table(
            &["t", "age", "y"],
            &[&["1", "20", "1"], &["2", "30", "0"], &["yes", "30", "0"]],
        );
        let e = prepare(&t, &columns(&["age"])).unwrap_err();
        assert_eq!(
            e,
            InputError::Treatment {
                column: "t".into(),
                row: 2,
                value: "2".into(),
                count: 2
            }
        );
        assert!(e.to_string().contains("1 means treated"));
    }

    #[test]
    fn missing_values_are_an_error_or_dropped_and_counted() {
        let t = table(
            &["t", "age", "sex", "y"],
            &[
                &["1", "", "F", "1"],
                &["0", "30", "", "0"],
                &["1", "", "", "0"],
                &["0", "41", "M", "1"],
            ],
        );
        let e = prepare(&t, &columns(&["age", "sex"])).unwrap_err();
        assert_eq!(
            e,
            InputError::MissingValues {
                column: "age".into(),
                count: 2,
                row: 1
            }
        );
        let mut c = columns(&["age", "sex"]);
        c.missing = Missing::Drop;
        let p = prepare(&t, &c).unwrap();
        assert_eq!(p.rows, [3]);
        assert_eq!(p.dropped, [("age".to_string(), 2), ("sex".to_string(), 1)]);
    }

    #[test]
    fn unknown_repeated_and_identifier_like_columns_are_refused() {
        let t = table(&["t", "age", "y"], &[&["1", "20", "1"], &["0", "30", "0"]]);
        assert!(matches!(
            prepare(&t, &columns(&["agee"])),
            Err(InputError::NoColumn { name, available }) if name == "agee" && available == "t, age, y"
        ));
        assert_eq!(
            prepare(&t, &columns(&["age", "age"])).unwrap_err(),
            InputError::Repeated("age".into())
        );
        assert_eq!(
            prepare(&t, &columns(&[])).unwrap_err(),
            InputError::NoCovariates
        );
        let ids: Vec<String> = (0..300).map(|i| format!("id{i}")).collect();
        let rows: Vec<Vec<&str>> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| vec![if i % 2 == 0 { "1" } else { "0" }, id.as_str(), "0"])
            .collect();
        let rows: Vec<&[&str]> = rows.iter().map(Vec::as_slice).collect();
        let t = table(&["t", "person", "y"], &rows);
        assert!(matches!(
            prepare(&t, &columns(&["person"])),
            Err(InputError::TooManyLevels { levels: 300, .. })
        ));
    }

    #[test]
    fn text_outcomes_are_refused() {
        let t = table(
            &["t", "age", "y"],
            &[&["1", "20", "yes"], &["0", "30", "0"]],
        );
        assert!(matches!(
            prepare(&t, &columns(&["age"])),
            Err(InputError::Outcome { row: 1, .. })
        ));
    }
}
