//! Getting rows out of a provider's file, whatever Excel or their case
//! management system did to it.
//!
//! A CSV file is streamed: it may be gigabytes, so it is never held in
//! memory, and it is read more than once (to settle the date order, then to
//! check the rows). Before that, its first 64 KiB are sniffed for a
//! byte-order mark, the delimiter and the line endings. A workbook is read
//! whole with calamine, as its format requires.

use std::borrow::Cow;
use std::cell::Cell as Counter;
use std::io::{self, Read, Seek, SeekFrom};
use std::ops::ControlFlow;

use calamine::{Data, Range, Reader};
use chrono::NaiveDate;
use csv::{ByteRecord, ReaderBuilder};
use encoding_rs::WINDOWS_1252;

use super::columns::Columns;
use super::dates::{self, Form, Parsed, Unreadable, Years};

/// How much of the start of a CSV file is looked at to sniff its format.
const SNIFF_BYTES: usize = 64 * 1024;

/// Longest a single CSV record may grow before the file is refused: far more
/// than any real row, and what an unclosed quote otherwise turns into (the
/// rest of the file read as one value).
pub(crate) const MAX_RECORD_BYTES: u64 = 1 << 20;

/// Rows at the top of a file searched for the header, to step over a title.
const HEADER_SEARCH_ROWS: usize = 10;

/// Delimiters tried, in order of preference on a tie.
const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// One cell, however the file stored it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell<'a> {
    Empty,
    /// Text, trimmed. `recoded` says it was not valid UTF-8 and was read as
    /// Windows-1252.
    Text {
        text: Cow<'a, str>,
        recoded: bool,
    },
    /// A number cell in a workbook.
    Number(f64),
    /// A date cell in a workbook.
    Date(NaiveDate),
    /// A true/false cell.
    Bool(bool),
    /// An Excel error such as #VALUE!.
    Error,
}

impl<'a> Cell<'a> {
    /// The cell as text, as a person would read it in the sheet.
    pub(crate) fn text(&self) -> Cow<'a, str> {
        match self {
            Cell::Empty => Cow::Borrowed(""),
            Cell::Text { text, .. } => text.clone(),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => {
                Cow::Owned(format!("{}", *n as i64))
            }
            Cell::Number(n) => Cow::Owned(n.to_string()),
            Cell::Date(d) => Cow::Owned(d.to_string()),
            Cell::Bool(b) => Cow::Borrowed(if *b { "TRUE" } else { "FALSE" }),
            Cell::Error => Cow::Borrowed("#ERROR"),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        matches!(self, Cell::Empty)
    }

    pub(crate) fn recoded(&self) -> bool {
        matches!(self, Cell::Text { recoded: true, .. })
    }

    /// The cell read as a date (a workbook's number cells are Excel serials).
    pub(crate) fn date(&self, years: Years) -> Parsed {
        match self {
            Cell::Empty => Parsed::Empty,
            Cell::Text { text, .. } => dates::parse(text, years),
            Cell::Date(d) => Parsed::Date(*d, Form::default()),
            Cell::Number(n) => match dates::from_serial(*n) {
                Some(d) => Parsed::Date(
                    d,
                    Form {
                        serial: true,
                        ..Form::default()
                    },
                ),
                None => Parsed::Invalid(Unreadable::Format),
            },
            Cell::Bool(_) | Cell::Error => Parsed::Invalid(Unreadable::Cell),
        }
    }
}

/// Decodes one CSV field: UTF-8 if it is valid, otherwise Windows-1252,
/// which is what Excel on Windows writes when asked for plain "CSV". Each
/// field is decided alone, so a file that is UTF-8 apart from a few pasted
/// bytes keeps its good accents.
fn decode(bytes: &[u8]) -> Cell<'_> {
    let (text, recoded) = match std::str::from_utf8(bytes) {
        Ok(s) => (Cow::Borrowed(trim(s)), false),
        Err(_) => {
            let (s, _) = WINDOWS_1252.decode_without_bom_handling(bytes);
            let trimmed = s.trim();
            (Cow::Owned(trimmed.to_string()), true)
        }
    };
    if text.is_empty() {
        Cell::Empty
    } else {
        Cell::Text { text, recoded }
    }
}

/// `str::trim`, skipping the Unicode-aware search when both ends are
/// plainly not white space, as they almost always are.
fn trim(s: &str) -> &str {
    let solid = |b: u8| b.is_ascii_graphic();
    match s.as_bytes() {
        [first, .., last] if solid(*first) && solid(*last) => s,
        [only] if solid(*only) => s,
        _ => s.trim(),
    }
}

fn sheet_cell(data: &Data) -> Cell<'_> {
    match data {
        Data::Empty => Cell::Empty,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => {
            let t = s.trim();
            if t.is_empty() {
                Cell::Empty
            } else {
                Cell::Text {
                    text: Cow::Borrowed(t),
                    recoded: false,
                }
            }
        }
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::Error(_) => Cell::Error,
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            NaiveDate::from_ymd_opt(i32::from(y), u32::from(m), u32::from(d))
                .map_or(Cell::Error, Cell::Date)
        }
        Data::DateTime(dt) => Cell::Number(dt.as_f64()),
    }
}

/// One row of the file, its cells decoded on demand.
pub(crate) enum RowView<'a> {
    Csv(&'a ByteRecord),
    Sheet(&'a [Data]),
}

impl<'a> RowView<'a> {
    pub(crate) fn len(&self) -> usize {
        match self {
            RowView::Csv(r) => r.len(),
            RowView::Sheet(cells) => cells.len(),
        }
    }

    pub(crate) fn cell(&self, i: usize) -> Cell<'a> {
        match self {
            RowView::Csv(r) => r.get(i).map_or(Cell::Empty, decode),
            RowView::Sheet(cells) => cells.get(i).map_or(Cell::Empty, sheet_cell),
        }
    }

    /// Whether any cell from `from` on holds something.
    pub(crate) fn has_values_from(&self, from: usize) -> bool {
        match self {
            RowView::Csv(r) => r
                .iter()
                .skip(from)
                .any(|f| !f.iter().all(u8::is_ascii_whitespace)),
            RowView::Sheet(cells) => cells.iter().skip(from).any(|c| !sheet_cell(c).is_empty()),
        }
    }

    pub(crate) fn is_blank(&self) -> bool {
        !self.has_values_from(0)
    }
}

/// Why a file could not be read to the end.
#[derive(Debug)]
pub(crate) enum ScanError {
    Io(io::Error),
    /// A record grew past [`MAX_RECORD_BYTES`]; the last complete row before
    /// it (the header search counts as nothing read, so 0).
    RecordTooLong {
        after_row: u64,
    },
}

/// Marks the io::Error the size guard raises, to tell it from a real one.
#[derive(Debug)]
struct TooLong;

impl std::fmt::Display for TooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CSV record too long")
    }
}

impl std::error::Error for TooLong {}

/// Passes reads through, failing once too many bytes go by without a
/// record ending; the scan resets the count after each record.
struct Guard<'c, R> {
    inner: R,
    since_record: &'c Counter<u64>,
}

impl<R: Read> Read for Guard<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.since_record.get() > MAX_RECORD_BYTES + SNIFF_BYTES as u64 {
            return Err(io::Error::new(io::ErrorKind::InvalidData, TooLong));
        }
        let n = self.inner.read(buf)?;
        self.since_record.set(self.since_record.get() + n as u64);
        Ok(n)
    }
}

/// Turns csv's line count (taken after each record) into spreadsheet rows.
///
/// The csv reader skips blank lines, which a spreadsheet shows as rows, and
/// a quoted value may span lines, which a spreadsheet shows as one row. The
/// line count after a record includes both, except that with CRLF endings
/// the record's own final newline is only consumed with the next record.
struct RowCounter {
    crlf: bool,
    newlines_inside: u64,
    last: u64,
}

impl RowCounter {
    fn next(&mut self, line_after: u64, record: &ByteRecord) -> u64 {
        let slice = record.as_slice();
        if slice.contains(&b'\n') {
            self.newlines_inside += slice.iter().filter(|&&b| b == b'\n').count() as u64;
        }
        let ending = u64::from(!self.crlf);
        let row = line_after.saturating_sub(self.newlines_inside + ending);
        // A last line without a newline, or a file with bare CR endings,
        // does not move the line count: still one row further on.
        self.last = row.max(self.last + 1);
        self.last
    }
}

/// A CSV file, sniffed and ready to stream.
pub(crate) struct CsvSource<R> {
    input: R,
    start: u64,
    pub delimiter: u8,
    crlf: bool,
}

/// What the first bytes of a would-be CSV file say it is.
pub(crate) enum Sniffed {
    /// No bytes, or only white space.
    Empty,
    /// UTF-16, as Excel's "Unicode Text" saves.
    Utf16,
    /// A zip (xlsx, ods) or OLE (xls) container: a workbook, not text.
    Workbook,
    /// Text, to be read as CSV.
    Text { bom: bool },
}

fn read_prefix<R: Read>(input: &mut R, limit: usize) -> io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(limit);
    input.take(limit as u64).read_to_end(&mut buf)?;
    Ok(buf)
}

/// Looks at the start of a file to tell what it holds.
pub(crate) fn sniff<R: Read + Seek>(input: &mut R) -> io::Result<Sniffed> {
    input.seek(SeekFrom::Start(0))?;
    let head = read_prefix(input, 8)?;
    Ok(
        if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
            Sniffed::Utf16
        } else if head.starts_with(b"PK\x03\x04") || head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
            Sniffed::Workbook
        } else {
            let bom = head.starts_with(&[0xEF, 0xBB, 0xBF]);
            let body = if bom { &head[3..] } else { &head[..] };
            if body.iter().all(u8::is_ascii_whitespace) && is_blank(input)? {
                Sniffed::Empty
            } else {
                Sniffed::Text { bom }
            }
        },
    )
}

/// Whether the whole of the rest of the file is white space (checked without
/// reading more than needed).
fn is_blank<R: Read>(input: &mut R) -> io::Result<bool> {
    let mut buf = [0u8; 8192];
    loop {
        let n = input.read(&mut buf)?;
        if n == 0 {
            return Ok(true);
        }
        if !buf[..n].iter().all(u8::is_ascii_whitespace) {
            return Ok(false);
        }
    }
}

fn header_texts(view: &RowView<'_>) -> Vec<String> {
    (0..view.len())
        .map(|i| view.cell(i).text().into_owned())
        .collect()
}

/// How well a delimiter splits the first rows into the template's columns:
/// the most template columns any one row names, then how many fields the
/// first row has.
fn delimiter_score(sample: &[u8], delimiter: u8) -> (usize, usize) {
    let mut rdr = ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(sample);
    let mut record = ByteRecord::new();
    let (mut best, mut width) = (0, 0);
    for i in 0..HEADER_SEARCH_ROWS {
        match rdr.read_byte_record(&mut record) {
            Ok(true) => {}
            _ => break,
        }
        let view = RowView::Csv(&record);
        best = best.max(Columns::map(&header_texts(&view), 0).score());
        if i == 0 {
            width = record.len();
        }
    }
    (best, width)
}

impl<R: Read + Seek> CsvSource<R> {
    /// Prepares to stream a file that [`sniff`] found to be text.
    pub(crate) fn new(mut input: R, bom: bool) -> io::Result<Self> {
        let start = if bom { 3 } else { 0 };
        input.seek(SeekFrom::Start(start))?;
        let sample = read_prefix(&mut input, SNIFF_BYTES)?;
        let delimiter = DELIMITERS
            .iter()
            .copied()
            // Highest score wins; `rev` makes the earliest delimiter win ties.
            .rev()
            .max_by_key(|&d| delimiter_score(&sample, d))
            .unwrap_or(b',');
        let crlf = sample
            .iter()
            .position(|&b| b == b'\n')
            .is_some_and(|i| i > 0 && sample[i - 1] == b'\r');
        Ok(CsvSource {
            input,
            start,
            delimiter,
            crlf,
        })
    }

    /// Hands every record to `f` with its spreadsheet row number, from the
    /// top of the file, until `f` breaks or the file ends.
    pub(crate) fn scan(
        &mut self,
        mut f: impl FnMut(u64, &RowView<'_>) -> ControlFlow<()>,
    ) -> Result<(), ScanError> {
        self.input
            .seek(SeekFrom::Start(self.start))
            .map_err(ScanError::Io)?;
        let since_record = Counter::new(0);
        let guard = Guard {
            inner: &mut self.input,
            since_record: &since_record,
        };
        let mut rdr = ReaderBuilder::new()
            .delimiter(self.delimiter)
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(SNIFF_BYTES)
            .from_reader(guard);
        let mut record = ByteRecord::new();
        let mut rows = RowCounter {
            crlf: self.crlf,
            newlines_inside: 0,
            last: 0,
        };
        loop {
            match rdr.read_byte_record(&mut record) {
                Ok(true) => {}
                Ok(false) => return Ok(()),
                Err(e) => {
                    return Err(match e.into_kind() {
                        csv::ErrorKind::Io(io)
                            if io.get_ref().is_some_and(|i| i.is::<TooLong>()) =>
                        {
                            ScanError::RecordTooLong {
                                after_row: rows.last,
                            }
                        }
                        csv::ErrorKind::Io(io) => ScanError::Io(io),
                        other => ScanError::Io(io::Error::other(format!("{other:?}"))),
                    });
                }
            }
            since_record.set(0);
            let row = rows.next(rdr.position().line(), &record);
            if f(row, &RowView::Csv(&record)).is_break() {
                return Ok(());
            }
        }
    }
}

/// One worksheet, read whole.
pub(crate) struct SheetSource {
    pub name: String,
    range: Range<Data>,
}

impl SheetSource {
    fn origin(&self) -> (u64, usize) {
        self.range
            .start()
            .map_or((0, 0), |(r, c)| (u64::from(r), c as usize))
    }

    fn scan(&self, mut f: impl FnMut(u64, &RowView<'_>) -> ControlFlow<()>) {
        let (top, _) = self.origin();
        for (i, cells) in self.range.rows().enumerate() {
            if f(top + i as u64 + 1, &RowView::Sheet(cells)).is_break() {
                return;
            }
        }
    }
}

/// Reads every worksheet of a workbook (xlsx, xlsm, xls, xlsb or ods) held
/// in memory, in the workbook's order. A sheet that cannot be read is
/// returned as its name and the reason.
pub(crate) fn workbook(bytes: Vec<u8>) -> Result<Vec<Result<SheetSource, String>>, String> {
    // calamine is the one part of intake not written here; a file crafted to
    // make it panic must still come back as a rejection.
    let read = std::panic::catch_unwind(move || {
        let mut book = calamine::open_workbook_auto_from_rs(io::Cursor::new(bytes))
            .map_err(|e| e.to_string())?;
        let sheets = book
            .sheet_names()
            .into_iter()
            .map(|name| match book.worksheet_range(&name) {
                Ok(range) => Ok(SheetSource { name, range }),
                Err(e) => Err(format!("{name}: {e}")),
            })
            .collect();
        Ok(sheets)
    });
    read.unwrap_or_else(|_| Err("the workbook's structure is damaged".to_string()))
}

/// Where rows come from.
pub(crate) enum Source<R> {
    Csv(CsvSource<R>),
    Sheet(SheetSource),
}

/// The header row found near the top of a file.
pub(crate) struct Header {
    pub row: u64,
    pub columns: Columns,
}

impl<R: Read + Seek> Source<R> {
    pub(crate) fn scan(
        &mut self,
        f: impl FnMut(u64, &RowView<'_>) -> ControlFlow<()>,
    ) -> Result<(), ScanError> {
        match self {
            Source::Csv(c) => c.scan(f),
            Source::Sheet(s) => {
                s.scan(f);
                Ok(())
            }
        }
    }

    fn first_col(&self) -> usize {
        match self {
            Source::Csv(_) => 0,
            Source::Sheet(s) => s.origin().1,
        }
    }

    /// The header: the first of the top rows that has every required column,
    /// or failing that the one with the most template columns. `None` when
    /// the file has no rows with anything in them.
    pub(crate) fn header(&mut self) -> Result<Option<Header>, ScanError> {
        let first_col = self.first_col();
        let mut best: Option<Header> = None;
        let mut looked = 0;
        self.scan(|row, view| {
            if view.is_blank() {
                return ControlFlow::Continue(());
            }
            looked += 1;
            let columns = Columns::map(&header_texts(view), first_col);
            let complete = columns.missing().is_empty();
            if complete
                || best
                    .as_ref()
                    .is_none_or(|b| columns.score() > b.columns.score())
            {
                best = Some(Header { row, columns });
            }
            if complete || looked == HEADER_SEARCH_ROWS {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })?;
        Ok(best)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows_of(text: &[u8]) -> Vec<(u64, Vec<String>)> {
        let mut src = CsvSource::new(io::Cursor::new(text.to_vec()), false).unwrap();
        let mut out = Vec::new();
        src.scan(|row, view| {
            out.push((row, header_texts(view)));
            ControlFlow::Continue(())
        })
        .unwrap();
        out
    }

    fn numbers(text: &[u8]) -> Vec<u64> {
        rows_of(text).into_iter().map(|(r, _)| r).collect()
    }

    #[test]
    fn row_numbers_match_what_a_spreadsheet_shows() {
        assert_eq!(numbers(b"a\nb\n\nc\n"), [1, 2, 4]);
        assert_eq!(numbers(b"a\r\nb\r\n\r\nc\r\n"), [1, 2, 4]);
        assert_eq!(numbers(b"\n\na\n\"x\ny\"\nc"), [3, 4, 5]);
        assert_eq!(numbers(b"a\r\n\"x\r\ny\"\r\n\r\nc"), [1, 2, 4]);
        assert_eq!(numbers(b"a\nb\n\n\n   \nc\n\n"), [1, 2, 5, 6]);
        assert_eq!(numbers(b"a\rb\rc"), [1, 2, 3]);
    }

    #[test]
    fn delimiter_is_the_one_that_finds_the_template() {
        let src = |t: &[u8]| {
            CsvSource::new(io::Cursor::new(t.to_vec()), false)
                .unwrap()
                .delimiter
        };
        assert_eq!(src(b"forename;surname;dob\nA;B;1/2/2000\n"), b';');
        assert_eq!(src(b"forename\tsurname\tdob\n"), b'\t');
        assert_eq!(src(b"forename|surname|dob\n"), b'|');
        assert_eq!(src(b"forename,surname,dob\n"), b',');
        // Commas inside a semicolon file's values do not fool it.
        assert_eq!(src(b"forename;surname;notes\nA;B;x,y,z,w\n"), b';');
        assert_eq!(src(b"x;y;z\n"), b';');
    }

    #[test]
    fn fields_decode_as_utf8_or_else_windows_1252() {
        assert_eq!(
            decode(b" Zo\xc3\xab "),
            Cell::Text {
                text: Cow::Borrowed("Zoë"),
                recoded: false
            }
        );
        let c = decode(b"Zo\xeb");
        assert!(c.recoded());
        assert_eq!(c.text(), "Zoë");
        assert_eq!(decode(b"  "), Cell::Empty);
    }

    #[test]
    fn an_unclosed_quote_stops_at_the_size_limit() {
        let mut text = b"a,b\n1,2\n\"3,4\n".to_vec();
        text.extend(std::iter::repeat_n(b'x', (MAX_RECORD_BYTES * 2) as usize));
        let mut src = CsvSource::new(io::Cursor::new(text), false).unwrap();
        let mut seen = 0;
        let err = src.scan(|_, _| {
            seen += 1;
            ControlFlow::Continue(())
        });
        assert!(
            matches!(err, Err(ScanError::RecordTooLong { after_row: 2 })),
            "{err:?}"
        );
        assert_eq!(seen, 2);
    }

    #[test]
    fn sniffing_tells_text_from_workbooks_and_nothing() {
        let s = |b: &[u8]| sniff(&mut io::Cursor::new(b.to_vec())).unwrap();
        assert!(matches!(s(b""), Sniffed::Empty));
        assert!(matches!(s(b"\xEF\xBB\xBF \r\n  \n"), Sniffed::Empty));
        assert!(matches!(
            s(b"\xEF\xBB\xBFforename"),
            Sniffed::Text { bom: true }
        ));
        assert!(matches!(s(b"PK\x03\x04rest"), Sniffed::Workbook));
        assert!(matches!(s(b"\xFF\xFEf\0"), Sniffed::Utf16));
        assert!(matches!(s(b"        \n\n x"), Sniffed::Text { bom: false }));
    }
}
