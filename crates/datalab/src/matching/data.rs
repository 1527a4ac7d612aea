//! The table matching works on: a treatment flag, covariates and outcomes,
//! one row per person, and the design matrix built from it.

/// A covariate's values.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    /// Numbers (binary 0/1 variables included).
    Numeric(Vec<f64>),
    /// Categories: each row's level as an index into `levels`.
    Categorical {
        /// Each row's level.
        codes: Vec<u32>,
        /// The levels, in the order R's `factor()` would give them
        /// (sorted), the first being the reference level.
        levels: Vec<String>,
    },
}

impl Values {
    /// Categories from text, levels sorted as R sorts them by default.
    pub fn categorical<S: AsRef<str>>(text: &[S]) -> Self {
        // Distinct values first (a handful, against perhaps millions of
        // rows), then sorted into levels and mapped back.
        let mut seen: rustc_hash::FxHashMap<&str, u32> = Default::default();
        let first: Vec<u32> = text
            .iter()
            .map(|s| {
                let next = seen.len() as u32;
                *seen.entry(s.as_ref()).or_insert(next)
            })
            .collect();
        let mut levels: Vec<(&str, u32)> = seen.into_iter().collect();
        levels.sort_unstable();
        let mut rank = vec![0u32; levels.len()];
        for (k, (_, id)) in levels.iter().enumerate() {
            rank[*id as usize] = k as u32;
        }
        Values::Categorical {
            codes: first.into_iter().map(|id| rank[id as usize]).collect(),
            levels: levels.into_iter().map(|(l, _)| l.to_string()).collect(),
        }
    }

    fn len(&self) -> usize {
        match self {
            Values::Numeric(v) => v.len(),
            Values::Categorical { codes, .. } => codes.len(),
        }
    }
}

/// A named covariate.
#[derive(Debug, Clone, PartialEq)]
pub struct Covariate {
    /// Its name, as given (and as R would print it).
    pub name: String,
    /// Its values.
    pub values: Values,
}

/// A named outcome; `NaN` where it does not apply (days to first
/// reoffence for someone who did not reoffend).
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Its name.
    pub name: String,
    /// One value per row.
    pub values: Vec<f64>,
}

/// One row per person: treated or not, covariates and outcomes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Dataset {
    /// Whether each row is in the treatment group.
    pub treated: Vec<bool>,
    /// Covariates, in the order given.
    pub covariates: Vec<Covariate>,
    /// Outcomes.
    pub outcomes: Vec<Outcome>,
}

/// Why a dataset cannot be matched as it stands.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DataError {
    /// Columns of different lengths.
    #[error("column {name} has {got} values but the treatment column has {want}")]
    Length {
        /// The column.
        name: String,
        /// Its length.
        got: usize,
        /// The treatment column's.
        want: usize,
    },
    /// No treated or no untreated rows.
    #[error(
        "the treatment column has {treated} treated and {untreated} untreated rows; matching needs some of each"
    )]
    OneGroup {
        /// Treated rows.
        treated: usize,
        /// Untreated rows.
        untreated: usize,
    },
    /// A value is not a finite number.
    #[error(
        "covariate {name} has a value that is not a finite number at row {row}: remove or fill it"
    )]
    NotFinite {
        /// The covariate.
        name: String,
        /// The row (0-based).
        row: usize,
    },
}

/// The design matrix as R's `model.matrix` builds it for the covariates in
/// order: an intercept, then each numeric covariate, and for each
/// categorical one a column per level but the first (R's default treatment
/// contrasts), named as R names them (`regionNorth West`). Column-major.
#[derive(Debug, Clone)]
pub struct Design {
    /// Column names, `(Intercept)` first.
    pub names: Vec<String>,
    /// Columns of `rows` values each.
    pub columns: Vec<Vec<f64>>,
    /// Number of rows.
    pub rows: usize,
    /// For each design column, the covariate it came from (`None` for the
    /// intercept).
    pub source: Vec<Option<usize>>,
}

impl Dataset {
    /// Rows.
    pub fn len(&self) -> usize {
        self.treated.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.treated.is_empty()
    }

    /// Checks lengths, both groups present, finite numbers.
    pub fn check(&self) -> Result<(), DataError> {
        let n = self.len();
        for c in &self.covariates {
            if c.values.len() != n {
                return Err(DataError::Length {
                    name: c.name.clone(),
                    got: c.values.len(),
                    want: n,
                });
            }
            if let Values::Numeric(v) = &c.values
                && let Some(row) = v.iter().position(|x| !x.is_finite())
            {
                return Err(DataError::NotFinite {
                    name: c.name.clone(),
                    row,
                });
            }
        }
        for o in &self.outcomes {
            if o.values.len() != n {
                return Err(DataError::Length {
                    name: o.name.clone(),
                    got: o.values.len(),
                    want: n,
                });
            }
        }
        let treated = self.treated.iter().filter(|t| **t).count();
        if treated == 0 || treated == n {
            return Err(DataError::OneGroup {
                treated,
                untreated: n - treated,
            });
        }
        Ok(())
    }

    /// The design matrix for the propensity model.
    pub fn design(&self) -> Design {
        let n = self.len();
        let mut names = vec!["(Intercept)".to_string()];
        let mut columns = vec![vec![1.0; n]];
        let mut source = vec![None];
        for (i, c) in self.covariates.iter().enumerate() {
            match &c.values {
                Values::Numeric(v) => {
                    names.push(c.name.clone());
                    columns.push(v.clone());
                    source.push(Some(i));
                }
                Values::Categorical { codes, levels } => {
                    for (k, level) in levels.iter().enumerate().skip(1) {
                        names.push(format!("{}{}", c.name, level));
                        columns.push(
                            codes
                                .iter()
                                .map(|&x| f64::from(u8::from(x as usize == k)))
                                .collect(),
                        );
                        source.push(Some(i));
                    }
                }
            }
        }
        Design {
            names,
            columns,
            rows: n,
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categorical_levels_sort_and_the_first_is_the_reference() {
        let v = Values::categorical(&["North West", "London", "Wales", "London"]);
        let Values::Categorical { codes, levels } = &v else {
            panic!("categorical expected")
        };
        assert_eq!(levels, &["London", "North West", "Wales"]);
        assert_eq!(codes, &[1, 0, 2, 0]);
        let d = Dataset {
            treated: vec![true, false, false, true],
            covariates: vec![
                Covariate {
                    name: "region".into(),
                    values: v.clone(),
                },
                Covariate {
                    name: "age".into(),
                    values: Values::Numeric(vec![20.0, 30.0, 40.0, 50.0]),
                },
            ],
            outcomes: vec![],
        };
        let design = d.design();
        // In the covariates' order, with names as R prints them.
        assert_eq!(
            design.names,
            ["(Intercept)", "regionNorth West", "regionWales", "age"]
        );
        assert_eq!(design.columns[1], [1.0, 0.0, 0.0, 0.0]);
        assert_eq!(design.columns[2], [0.0, 0.0, 1.0, 0.0]);
        assert_eq!(design.source, [None, Some(0), Some(0), Some(1)]);
        assert!(d.check().is_ok());
    }

    #[test]
    fn checks_say_what_is_wrong() {
        let mut d = Dataset {
            treated: vec![false, false],
            covariates: vec![Covariate {
                name: "age".into(),
                values: Values::Numeric(vec![1.0, f64::NAN]),
            }],
            outcomes: vec![],
        };
        assert!(matches!(
            d.check(),
            Err(DataError::NotFinite { row: 1, .. })
        ));
        d.covariates[0].values = Values::Numeric(vec![1.0, 2.0]);
        assert_eq!(
            d.check(),
            Err(DataError::OneGroup {
                treated: 0,
                untreated: 2
            })
        );
        d.covariates[0].values = Values::Numeric(vec![1.0]);
        assert!(matches!(
            d.check(),
            Err(DataError::Length {
                got: 1,
                want: 2,
                ..
            })
        ));
    }
}
