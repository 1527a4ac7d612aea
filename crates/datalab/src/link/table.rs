//! Tables for the general linkage tool: any CSV or Parquet file, read into
//! named columns of text or dates.

use std::path::{Path, PathBuf};

use arrow_array::builder::StringBuilder;
use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Date64Type};
use arrow_array::{Array, ArrayRef, RecordBatch, StringArray};
use arrow_schema::DataType;

/// Why a table could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    /// The file could not be opened or read.
    #[error("cannot read {path}: {message}")]
    Read {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The file's type is not one the tool reads.
    #[error(
        "{0}: only .csv and .parquet tables can be linked (save the table in one of those formats)"
    )]
    Type(PathBuf),
    /// The file has no header or no rows.
    #[error("{0} has no rows to link")]
    Empty(PathBuf),
}

/// Text values of a column, kept in the Arrow arrays they were read into.
#[derive(Debug, Clone, Default)]
pub struct Strings {
    parts: Vec<StringArray>,
    starts: Vec<usize>,
    len: usize,
}

impl Strings {
    fn push(&mut self, part: StringArray) {
        self.starts.push(self.len);
        self.len += part.len();
        self.parts.push(part);
    }

    /// Values in row order; empty or blank cells are missing.
    pub fn iter(&self) -> impl Iterator<Item = Option<&str>> + '_ {
        self.parts
            .iter()
            .flat_map(|p| p.iter().map(|v| v.map(str::trim).filter(|v| !v.is_empty())))
    }

    /// The value in row `i`.
    pub fn get(&self, i: usize) -> Option<&str> {
        let part = self.starts.partition_point(|&s| s <= i).checked_sub(1)?;
        let a = &self.parts[part];
        let k = i - self.starts[part];
        (k < a.len() && a.is_valid(k))
            .then(|| a.value(k).trim())
            .filter(|v| !v.is_empty())
    }
}

/// A column's values.
#[derive(Debug, Clone)]
pub enum Values {
    /// Text (every CSV column; Parquet text and numbers).
    Text(Strings),
    /// Dates as days since 1970-01-01 (Parquet date columns).
    Date(Vec<Option<i32>>),
}

/// A table: column names and values, all columns the same length.
#[derive(Debug, Clone)]
pub struct Table {
    /// Where it was read from.
    pub path: PathBuf,
    /// Column names, in file order.
    pub names: Vec<String>,
    /// Values, one entry per column.
    pub columns: Vec<Values>,
    /// Number of rows.
    pub rows: usize,
}

impl Table {
    /// Reads a `.csv` (header row first) or `.parquet` file.
    pub fn read(path: &Path) -> Result<Self, TableError> {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let table = match ext.as_str() {
            "csv" | "tsv" | "txt" => read_csv(path, if ext == "tsv" { b'\t' } else { b',' })?,
            "parquet" | "pq" => read_parquet(path)?,
            _ => return Err(TableError::Type(path.to_path_buf())),
        };
        if table.rows == 0 {
            return Err(TableError::Empty(path.to_path_buf()));
        }
        Ok(table)
    }

    /// The index of a column, by exact name.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// A column's value in row `i`, as text.
    pub fn text(&self, column: usize, i: usize) -> Option<String> {
        match &self.columns[column] {
            Values::Text(s) => s.get(i).map(str::to_string),
            Values::Date(d) => d[i].map(super::compare::iso),
        }
    }
}

fn read_error(path: &Path, e: impl std::fmt::Display) -> TableError {
    TableError::Read {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

fn read_csv(path: &Path, delimiter: u8) -> Result<Table, TableError> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_path(path)
        .map_err(|e| read_error(path, e))?;
    let names: Vec<String> = reader
        .headers()
        .map_err(|e| read_error(path, e))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
        .collect();
    if names.is_empty() {
        return Err(TableError::Empty(path.to_path_buf()));
    }
    let mut builders: Vec<StringBuilder> = names.iter().map(|_| StringBuilder::new()).collect();
    let mut rows = 0;
    let mut record = csv::ByteRecord::new();
    while reader
        .read_byte_record(&mut record)
        .map_err(|e| read_error(path, e))?
    {
        rows += 1;
        for (c, b) in builders.iter_mut().enumerate() {
            match record.get(c) {
                // Invalid UTF-8 in one cell never loses the rest of the row.
                Some(v) if !v.is_empty() => b.append_value(String::from_utf8_lossy(v)),
                _ => b.append_null(),
            }
        }
    }
    let columns = builders
        .into_iter()
        .map(|mut b| {
            let mut s = Strings::default();
            s.push(b.finish());
            Values::Text(s)
        })
        .collect();
    Ok(Table {
        path: path.to_path_buf(),
        names,
        columns,
        rows,
    })
}

fn read_parquet(path: &Path) -> Result<Table, TableError> {
    let file = std::fs::File::open(path).map_err(|e| read_error(path, e))?;
    let builder = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(|e| read_error(path, e))?;
    let schema = builder.schema().clone();
    let reader = builder
        .with_batch_size(1 << 20)
        .build()
        .map_err(|e| read_error(path, e))?;
    let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    let mut columns: Vec<Values> = schema
        .fields()
        .iter()
        .map(|f| match f.data_type() {
            DataType::Date32 | DataType::Date64 => Values::Date(Vec::new()),
            _ => Values::Text(Strings::default()),
        })
        .collect();
    let mut rows = 0;
    for batch in reader {
        let batch: RecordBatch = batch.map_err(|e| read_error(path, e))?;
        rows += batch.num_rows();
        for (c, values) in columns.iter_mut().enumerate() {
            let array = batch.column(c);
            match values {
                Values::Date(d) => d.extend(days(array)),
                Values::Text(s) => s.push(text(array).map_err(|e| read_error(path, e))?),
            }
        }
    }
    Ok(Table {
        path: path.to_path_buf(),
        names,
        columns,
        rows,
    })
}

fn days(array: &ArrayRef) -> Vec<Option<i32>> {
    match array.data_type() {
        DataType::Date32 => array.as_primitive::<Date32Type>().iter().collect(),
        DataType::Date64 => array
            .as_primitive::<Date64Type>()
            .iter()
            .map(|v| v.map(|ms| ms.div_euclid(86_400_000) as i32))
            .collect(),
        _ => vec![None; array.len()],
    }
}

fn text(array: &ArrayRef) -> Result<StringArray, arrow_schema::ArrowError> {
    if let Some(s) = array.as_string_opt::<i32>() {
        return Ok(s.clone());
    }
    // Numbers, booleans and the rest are compared by their text.
    let cast = arrow_cast::cast(array, &DataType::Utf8)?;
    Ok(cast.as_string::<i32>().clone())
}

/// A column of text values built from plain strings (tests, callers that
/// hold data in memory).
pub fn strings<'a>(values: impl IntoIterator<Item = Option<&'a str>>) -> Values {
    let mut b = StringBuilder::new();
    for v in values {
        b.append_option(v);
    }
    let mut s = Strings::default();
    s.push(b.finish());
    Values::Text(s)
}

impl Table {
    /// A table from in-memory columns.
    pub fn new(names: Vec<String>, columns: Vec<Values>) -> Self {
        let rows = columns.first().map_or(0, |c| match c {
            Values::Text(s) => s.len,
            Values::Date(d) => d.len(),
        });
        Self {
            path: PathBuf::from("<memory>"),
            names,
            columns,
            rows,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn csv_and_parquet_read_alike() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("a.csv");
        std::fs::write(
            &csv,
            "\u{feff}id,name,dob\n1,Zoë,1990-01-02\n2,,\n3,O'Neill,1985-12-31\n",
        )
        .unwrap();
        let t = Table::read(&csv).unwrap();
        assert_eq!(t.names, ["id", "name", "dob"]);
        assert_eq!(t.rows, 3);
        assert_eq!(t.text(1, 0).as_deref(), Some("Zoë"));
        assert_eq!(t.text(1, 1), None);
        assert_eq!(t.text(1, 2).as_deref(), Some("O'Neill"));

        let pq = dir.path().join("a.parquet");
        let schema = Arc::new(arrow_schema::Schema::new(vec![
            arrow_schema::Field::new("id", DataType::Int64, false),
            arrow_schema::Field::new("dob", DataType::Date32, true),
        ]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(arrow_array::Int64Array::from(vec![7, 8])),
                Arc::new(arrow_array::Date32Array::from(vec![Some(0), None])),
            ],
        )
        .unwrap();
        let mut w =
            parquet::arrow::ArrowWriter::try_new(std::fs::File::create(&pq).unwrap(), schema, None)
                .unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
        let t = Table::read(&pq).unwrap();
        assert_eq!(t.text(0, 1).as_deref(), Some("8"));
        assert_eq!(t.text(1, 0).as_deref(), Some("1970-01-01"));
        assert_eq!(t.text(1, 1), None);
    }

    #[test]
    fn unreadable_inputs_say_what_is_wrong() {
        let dir = tempfile::tempdir().unwrap();
        let xls = dir.path().join("a.xlsx");
        std::fs::write(&xls, "x").unwrap();
        assert!(matches!(Table::read(&xls), Err(TableError::Type(_))));
        let empty = dir.path().join("e.csv");
        std::fs::write(&empty, "id,name\n").unwrap();
        assert!(matches!(Table::read(&empty), Err(TableError::Empty(_))));
        assert!(matches!(
            Table::read(&dir.path().join("missing.csv")),
            Err(TableError::Read { .. })
        ));
    }
}
