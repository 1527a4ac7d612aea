//! The national dataset: what it covers and how it is laid out on disk.
//!
//! The lab's research copy of the Police National Computer, with DWP and
//! HMRC employment and benefit history, is a set of Parquet tables under one
//! directory, described by a `manifest.toml`. The generator writes it; the
//! linkage and matching stages read it.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// The span of time the national records cover, and so which interventions
/// the lab can measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    /// First date from which index events are measured (2002 in the real lab).
    pub index_from: NaiveDate,
    /// The date the extract was taken: nothing after it is known.
    pub extract_date: NaiveDate,
}

impl Coverage {
    /// One year of follow-up plus six months for offences to be proven.
    pub const FOLLOW_UP_MONTHS: u32 = 18;

    /// The last index date whose follow-up and waiting period end inside the
    /// extract.
    pub fn index_to(&self) -> NaiveDate {
        self.extract_date
            .checked_sub_months(Months::new(Self::FOLLOW_UP_MONTHS))
            .unwrap_or(self.index_from)
    }

    /// Whether an index event on `date` can be measured.
    pub fn contains_index(&self, date: NaiveDate) -> bool {
        date >= self.index_from && date <= self.index_to()
    }
}

impl Default for Coverage {
    fn default() -> Self {
        Self {
            index_from: NaiveDate::from_ymd_opt(2002, 1, 1).unwrap_or_default(),
            extract_date: NaiveDate::from_ymd_opt(2020, 12, 31).unwrap_or_default(),
        }
    }
}

/// Offence groups, as the Ministry of Justice's proven reoffending
/// statistics group index offences, plus breaches of court orders (which are
/// recorded but are not counted as reoffences).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum OffenceGroup {
    /// Violence against the person.
    Violence,
    /// Sexual offences.
    Sexual,
    /// Robbery.
    Robbery,
    /// Theft offences (including shoplifting and handling).
    Theft,
    /// Burglary.
    Burglary,
    /// Criminal damage and arson.
    CriminalDamage,
    /// Drug offences.
    Drugs,
    /// Possession of weapons.
    Weapons,
    /// Public order offences.
    PublicOrder,
    /// Miscellaneous crimes against society.
    Miscellaneous,
    /// Fraud offences.
    Fraud,
    /// Summary motoring offences.
    SummaryMotoring,
    /// Summary non-motoring offences.
    SummaryNonMotoring,
    /// Breach of a court order: recorded, never counted as a reoffence.
    Breach,
}

impl OffenceGroup {
    /// Every group, in the order the statistics list them.
    pub const ALL: [OffenceGroup; 14] = [
        OffenceGroup::Violence,
        OffenceGroup::Sexual,
        OffenceGroup::Robbery,
        OffenceGroup::Theft,
        OffenceGroup::Burglary,
        OffenceGroup::CriminalDamage,
        OffenceGroup::Drugs,
        OffenceGroup::Weapons,
        OffenceGroup::PublicOrder,
        OffenceGroup::Miscellaneous,
        OffenceGroup::Fraud,
        OffenceGroup::SummaryMotoring,
        OffenceGroup::SummaryNonMotoring,
        OffenceGroup::Breach,
    ];

    /// The group's name as written in the national tables.
    pub fn name(self) -> &'static str {
        match self {
            OffenceGroup::Violence => "Violence against the person",
            OffenceGroup::Sexual => "Sexual offences",
            OffenceGroup::Robbery => "Robbery",
            OffenceGroup::Theft => "Theft offences",
            OffenceGroup::Burglary => "Burglary",
            OffenceGroup::CriminalDamage => "Criminal damage and arson",
            OffenceGroup::Drugs => "Drug offences",
            OffenceGroup::Weapons => "Possession of weapons",
            OffenceGroup::PublicOrder => "Public order offences",
            OffenceGroup::Miscellaneous => "Miscellaneous crimes against society",
            OffenceGroup::Fraud => "Fraud offences",
            OffenceGroup::SummaryMotoring => "Summary motoring",
            OffenceGroup::SummaryNonMotoring => "Summary non-motoring",
            OffenceGroup::Breach => "Breach of a court order",
        }
    }

    /// The group with this name, as written by [`Self::name`].
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.name() == name)
    }
}

/// How a proven offence was disposed of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Disposal {
    /// A caution (or, for young people before 2013, a reprimand or final warning).
    Caution,
    /// An absolute or conditional discharge.
    Discharge,
    /// A fine.
    Fine,
    /// A community order.
    CommunityOrder,
    /// A suspended sentence order.
    SuspendedSentence,
    /// Immediate custody.
    Custody,
}

impl Disposal {
    /// Every disposal, least to most severe.
    pub const ALL: [Disposal; 6] = [
        Disposal::Caution,
        Disposal::Discharge,
        Disposal::Fine,
        Disposal::CommunityOrder,
        Disposal::SuspendedSentence,
        Disposal::Custody,
    ];

    /// The disposal's name as written in the national tables.
    pub fn name(self) -> &'static str {
        match self {
            Disposal::Caution => "caution",
            Disposal::Discharge => "discharge",
            Disposal::Fine => "fine",
            Disposal::CommunityOrder => "community order",
            Disposal::SuspendedSentence => "suspended sentence",
            Disposal::Custody => "immediate custody",
        }
    }

    /// The disposal with this name, as written by [`Self::name`].
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.name() == name)
    }
}

/// Out-of-work benefits in the DWP history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Benefit {
    /// Jobseeker's Allowance.
    Jsa,
    /// Incapacity Benefit (replaced by ESA from October 2008).
    Ib,
    /// Employment and Support Allowance.
    Esa,
    /// Income Support.
    Is,
    /// Universal Credit (from April 2013).
    Uc,
}

impl Benefit {
    /// Every benefit.
    pub const ALL: [Benefit; 5] = [
        Benefit::Jsa,
        Benefit::Ib,
        Benefit::Esa,
        Benefit::Is,
        Benefit::Uc,
    ];

    /// The benefit's code as written in the national tables.
    pub fn code(self) -> &'static str {
        match self {
            Benefit::Jsa => "JSA",
            Benefit::Ib => "IB",
            Benefit::Esa => "ESA",
            Benefit::Is => "IS",
            Benefit::Uc => "UC",
        }
    }
}

/// The criminogenic needs an OASys-style assessment scores, each 0 (no
/// problem), 1 (some problems) or 2 (significant problems).
pub const NEEDS: [&str; 10] = [
    "accommodation",
    "education_training_employment",
    "finance",
    "relationships",
    "lifestyle",
    "drugs",
    "alcohol",
    "emotional_wellbeing",
    "thinking_behaviour",
    "attitudes",
];

/// The tables of the national dataset, each a directory of Parquet parts.
pub mod tables {
    use std::sync::Arc;

    use arrow_schema::{DataType, Field, Schema, SchemaRef};

    /// Table names, which are also their directory names.
    pub const PEOPLE: &str = "people";
    /// One row per proven offence.
    pub const OFFENCES: &str = "offences";
    /// P45-style employment spells.
    pub const EMPLOYMENT: &str = "employment";
    /// Out-of-work benefit spells.
    pub const BENEFITS: &str = "benefits";
    /// OASys-style needs assessments.
    pub const NEEDS: &str = "needs";

    fn date(name: &str, nullable: bool) -> Field {
        Field::new(name, DataType::Date32, nullable)
    }

    fn text(name: &str, nullable: bool) -> Field {
        Field::new(name, DataType::Utf8, nullable)
    }

    fn id() -> Field {
        Field::new("person_id", DataType::UInt32, false)
    }

    /// One row per person: identifiers and characteristics as last recorded.
    pub fn people() -> SchemaRef {
        Arc::new(Schema::new(vec![
            id(),
            text("pnc_id", false),
            text("prison_number", true),
            text("forename", false),
            text("middle_names", true),
            text("surname", false),
            date("date_of_birth", false),
            text("gender", false),
            text("ethnicity", false),
            text("postcode", false),
            text("region", false),
        ]))
    }

    /// One row per proven offence, with how it was disposed of.
    ///
    /// `disposal_date` is the caution or conviction date (the date the
    /// offence was proven); for custody it is also the date custody began.
    /// `sentence_days` is the custodial term or the order's length;
    /// `release_date` is set for immediate custody only.
    pub fn offences() -> SchemaRef {
        Arc::new(Schema::new(vec![
            id(),
            date("offence_date", false),
            text("offence_group", false),
            date("disposal_date", false),
            text("disposal", false),
            Field::new("sentence_days", DataType::UInt32, true),
            date("release_date", true),
        ]))
    }

    /// One row per employment spell; `end_date` is empty while ongoing at the extract.
    pub fn employment() -> SchemaRef {
        Arc::new(Schema::new(vec![
            id(),
            date("start_date", false),
            date("end_date", true),
        ]))
    }

    /// One row per benefit spell; `end_date` is empty while ongoing at the extract.
    pub fn benefits() -> SchemaRef {
        Arc::new(Schema::new(vec![
            id(),
            text("benefit", false),
            date("start_date", false),
            date("end_date", true),
        ]))
    }

    /// One row per assessment, each need scored 0, 1 or 2.
    pub fn needs() -> SchemaRef {
        let mut fields = vec![id(), date("assessment_date", false)];
        fields.extend(
            super::NEEDS
                .iter()
                .map(|n| Field::new(*n, DataType::UInt8, false)),
        );
        Arc::new(Schema::new(fields))
    }

    /// Every table's name and schema.
    pub fn all() -> [(&'static str, SchemaRef); 5] {
        [
            (PEOPLE, people()),
            (OFFENCES, offences()),
            (EMPLOYMENT, employment()),
            (BENEFITS, benefits()),
            (NEEDS, needs()),
        ]
    }
}

/// What a national dataset directory holds (`manifest.toml`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Layout version, raised whenever a table's columns change.
    pub format: u32,
    /// The program that wrote the data.
    pub generator: String,
    /// The seed it was generated from (synthetic data only).
    pub seed: u64,
    /// People in the people table.
    pub people: u64,
    /// What the records cover.
    pub coverage: Coverage,
    /// Rows per table.
    pub rows: std::collections::BTreeMap<String, u64>,
}

/// Why a manifest could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// The file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The manifest file.
        path: std::path::PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The file is not a manifest this version understands.
    #[error("{path} is not a valid national dataset manifest: {message}")]
    Invalid {
        /// The manifest file.
        path: std::path::PathBuf,
        /// What is wrong.
        message: String,
    },
}

impl Manifest {
    /// The current layout version.
    pub const FORMAT: u32 = 1;
    /// The manifest's file name inside the dataset directory.
    pub const FILE: &'static str = "manifest.toml";

    /// The dataset directory a user named: `dir` itself when it holds the
    /// manifest, else `dir/national` (as `datalab generate` lays it out).
    pub fn locate(dir: &std::path::Path) -> std::path::PathBuf {
        if dir.join(Self::FILE).exists() {
            dir.to_path_buf()
        } else {
            dir.join("national")
        }
    }

    /// Reads `DIR/manifest.toml`.
    pub fn read(dir: &std::path::Path) -> Result<Self, ManifestError> {
        let path = dir.join(Self::FILE);
        let text = std::fs::read_to_string(&path).map_err(|source| ManifestError::Io {
            path: path.clone(),
            source,
        })?;
        let manifest: Manifest = toml::from_str(&text).map_err(|e| ManifestError::Invalid {
            path: path.clone(),
            message: e.to_string(),
        })?;
        if manifest.format != Self::FORMAT {
            return Err(ManifestError::Invalid {
                path,
                message: format!(
                    "layout version {} but this program reads version {}; regenerate the dataset",
                    manifest.format,
                    Self::FORMAT
                ),
            });
        }
        Ok(manifest)
    }

    /// Writes `DIR/manifest.toml`.
    pub fn write(&self, dir: &std::path::Path) -> Result<(), ManifestError> {
        let path = dir.join(Self::FILE);
        let text = toml::to_string(self).map_err(|e| ManifestError::Invalid {
            path: path.clone(),
            message: e.to_string(),
        })?;
        std::fs::write(&path, text).map_err(|source| ManifestError::Io { path, source })
    }
}

/// Why a national table could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The table's directory or a part could not be opened.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The directory or part.
        path: std::path::PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// A part is not a readable Parquet file.
    #[error("{path} is not a readable Parquet file: {message}")]
    Parquet {
        /// The part.
        path: std::path::PathBuf,
        /// What the decoder said.
        message: String,
    },
    /// The table has no parts at all.
    #[error(
        "{0} holds no Parquet parts: is this a national dataset directory? (run `lifeline datalab generate` to make one)"
    )]
    Empty(std::path::PathBuf),
}

/// The Parquet parts of a table, in order.
pub fn parts(dataset: &std::path::Path, table: &str) -> Result<Vec<std::path::PathBuf>, ReadError> {
    let dir = dataset.join(table);
    let entries = std::fs::read_dir(&dir).map_err(|source| ReadError::Io {
        path: dir.clone(),
        source,
    })?;
    let mut parts: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "parquet"))
        .collect();
    parts.sort();
    if parts.is_empty() {
        return Err(ReadError::Empty(dir));
    }
    Ok(parts)
}

/// Reads a whole table, decoding its parts in parallel; batches come back
/// in part order.
pub fn read_table(
    dataset: &std::path::Path,
    table: &str,
) -> Result<Vec<arrow_array::RecordBatch>, ReadError> {
    read_columns(dataset, table, None)
}

/// Reads some columns of a table (all of them with `None`), decoding its
/// parts in parallel; batches come back in part order.
/// A column of a batch read by [`read_columns`] with those columns named:
/// `read_columns` has refused any file that lacks one.
pub(crate) fn column<'a>(
    b: &'a arrow_array::RecordBatch,
    name: &str,
) -> &'a dyn arrow_array::Array {
    b.column_by_name(name)
        .map_or_else(|| unreachable!("column {name} was read"), |c| c.as_ref())
}

pub fn read_columns(
    dataset: &std::path::Path,
    table: &str,
    columns: Option<&[&str]>,
) -> Result<Vec<arrow_array::RecordBatch>, ReadError> {
    use parquet::arrow::ProjectionMask;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use rayon::prelude::*;
    let parts = parts(dataset, table)?;
    let batches: Vec<Vec<arrow_array::RecordBatch>> = parts
        .par_iter()
        .map(|path| {
            let file = std::fs::File::open(path).map_err(|source| ReadError::Io {
                path: path.clone(),
                source,
            })?;
            let decode = |e: &dyn std::fmt::Display| ReadError::Parquet {
                path: path.clone(),
                message: e.to_string(),
            };
            let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| decode(&e))?;
            let mask = match columns {
                Some(cols) => {
                    let missing: Vec<&str> = cols
                        .iter()
                        .copied()
                        .filter(|c| builder.schema().column_with_name(c).is_none())
                        .collect();
                    if !missing.is_empty() {
                        return Err(decode(&format!("it has no column {}", missing.join(", "))));
                    }
                    ProjectionMask::columns(builder.parquet_schema(), cols.iter().copied())
                }
                None => ProjectionMask::all(),
            };
            let reader = builder
                .with_projection(mask)
                .with_batch_size(1 << 20)
                .build()
                .map_err(|e| decode(&e))?;
            reader.map(|b| b.map_err(|e| decode(&e))).collect()
        })
        .collect::<Result<_, _>>()?;
    Ok(batches.into_iter().flatten().collect())
}
