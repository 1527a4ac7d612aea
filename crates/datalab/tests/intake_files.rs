//! Intake of files as providers actually send them: odd encodings,
//! delimiters, headers and layouts, and Excel workbooks.

mod intake_support;

use datalab::intake::{Rule, Settings, Severity, TEMPLATE_COLUMNS};
use intake_support::*;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};

#[test]
fn an_empty_file_is_a_clear_rejection() {
    for bytes in [&b""[..], b"\xEF\xBB\xBF", b"  \r\n\n  "] {
        let run = intake_support::run("c.csv", bytes);
        run.assert_rejected();
        assert!(
            run.reasons().contains("The cohort file is empty"),
            "{}",
            run.reasons()
        );
        assert!(run.reasons().contains("forename, surname"));
    }
    let run = intake_support::run("c.csv", b",,,\n,,,\n");
    run.assert_rejected();
    assert!(
        run.reasons().contains("no values in it"),
        "{}",
        run.reasons()
    );

    let run = intake_support::run("c.csv", csv(&[]).as_bytes());
    run.assert_rejected();
    assert!(
        run.reasons().contains("no rows of data"),
        "{}",
        run.reasons()
    );
}

#[test]
fn a_byte_order_mark_is_skipped_and_said_so() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(csv(&good_rows(60)).as_bytes());
    let run = intake_support::run("c.csv", &bytes);
    run.assert_accepted();
    assert_eq!(run.rows[0].forename, "James");
    assert!(run.notes().contains("byte-order mark"), "{}", run.notes());
}

#[test]
fn semicolon_tab_and_bar_delimiters_are_detected_and_noted() {
    for (delimiter, note) in [
        (';', "semicolons (;)"),
        ('\t', "tabs"),
        ('|', "vertical bars"),
    ] {
        let mut rows = good_rows(60);
        // A comma inside a value does not split it in these files.
        rows[0] = rows[0].clone().with("surname", "Smith, Jr");
        let text = csv_with(&TEMPLATE_COLUMNS, &rows, delimiter);
        let run = intake_support::run("c.csv", text.as_bytes());
        run.assert_accepted();
        assert!(run.notes().contains(note), "{delimiter:?}: {}", run.notes());
        assert_eq!(run.rows[0].surname, "Smith, Jr");
        assert_eq!(run.report.counts.usable, 60);
    }
}

#[test]
fn windows_1252_text_is_decoded_with_a_warning() {
    let text = csv(&good_rows(60));
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
    assert!(!unmappable);
    assert!(bytes.windows(3).any(|w| w == b"Zo\xEB"));
    let run = intake_support::run("c.csv", &bytes);
    run.assert_accepted();
    assert_eq!(run.rows[1].forename, "Zoë");
    assert_eq!(run.rows[4].forename, "Siobhán");
    let w = run.report.warnings.join("\n");
    assert!(w.contains("read as Windows-1252"), "{w}");
    assert!(w.contains("(first: row 3 forename \"Zoë\")"), "{w}");

    // A UTF-8 file with one stray Windows-1252 value keeps its UTF-8 accents.
    let mut bytes = text.into_bytes();
    let at = bytes
        .windows(7)
        .position(|w| w == "O'Neill".as_bytes())
        .unwrap();
    bytes.splice(at..at + 7, b"O\x92Neill".iter().copied());
    let run = intake_support::run("c.csv", &bytes);
    run.assert_accepted();
    assert_eq!(run.rows[0].surname, "O\u{2019}Neill");
    assert_eq!(run.rows[1].forename, "Zoë");
    assert!(
        run.report.warnings[0].starts_with("1 values"),
        "{:?}",
        run.report.warnings
    );
}

#[test]
fn ragged_rows_are_warned_about_and_read_as_far_as_they_go() {
    let mut text = csv(&good_rows(62));
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    // Row 3: an unquoted comma in the surname shifts every later value.
    lines[2] = lines[2].replacen("O'Neill", "O'Neill, Jr", 1);
    // Row 5: cut short after the gender.
    lines[4] = lines[4].split(',').take(4).collect::<Vec<_>>().join(",");
    // Row 6: trailing empty values are harmless.
    lines[5].push_str(",,,");
    text = lines.join("\n");
    let run = intake_support::run("c.csv", text.as_bytes());

    let i = run.assert_issue(3, None, Severity::Warning, Rule::RaggedRow);
    assert!(
        i.problem
            .contains("11 values but the header has 10 columns"),
        "{}",
        i.problem
    );
    assert!(
        i.problem.contains("after column J were ignored"),
        "{}",
        i.problem
    );
    // The shifted date of birth is then unreadable.
    run.assert_issue(
        3,
        Some("date_of_birth"),
        Severity::Error,
        Rule::UnreadableDate,
    );

    let i = run.assert_issue(5, None, Severity::Warning, Rule::RaggedRow);
    assert!(i.problem.contains("4 values"), "{}", i.problem);
    run.assert_issue(
        5,
        Some("intervention_start"),
        Severity::Error,
        Rule::MissingValue,
    );
    assert!(run.at(6).is_empty(), "{}", run.text());
    assert_eq!(run.report.counts.usable, 60);
    run.assert_accepted();
}

#[test]
fn header_aliases_order_and_extra_columns() {
    let header = [
        "Last Name",
        "First Name",
        "DOB",
        "Sex",
        "Key worker",
        "Post Code",
        "Start Date",
        "Sentence Start",
        "Sentence End",
        "PNC Number",
        "Prison No",
    ];
    let rows: Vec<_> = good_rows(60)
        .into_iter()
        .map(|r| {
            let c = &r.0;
            Row([
                c[1].clone(),
                c[0].clone(),
                c[2].clone(),
                c[3].clone(),
                "Sam".into(),
                c[4].clone(),
                c[5].clone(),
                c[6].clone(),
                c[7].clone(),
                c[8].clone(),
            ])
        })
        .collect();
    // Rows carry ten values; the header has eleven, so pad each line.
    let mut text = csv_with(&header, &rows, ',');
    text = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                l.to_string()
            } else {
                format!("{l},")
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let run = intake_support::run("c.csv", text.as_bytes());
    run.assert_accepted();
    assert_eq!(
        (run.rows[0].forename.as_str(), run.rows[0].surname.as_str()),
        ("James", "O'Neill")
    );
    assert!(run.rows.iter().all(|r| r.prison_number.is_none()));
    let n = run.notes();
    assert!(n.contains("\"DOB\" (column C) as date_of_birth"), "{n}");
    assert!(
        n.contains("\"Prison No\" (column K) as prison_number"),
        "{n}"
    );
    assert!(
        n.contains("Columns not in the template were ignored: \"Key worker\" (column E)"),
        "{n}"
    );
    assert!(!n.contains("Optional columns not in the file"), "{n}");
}

#[test]
fn a_title_above_the_header_keeps_spreadsheet_row_numbers() {
    let mut rows = good_rows(61);
    rows[3] = rows[3].clone().with("gender", "Q");
    let text = format!("Hope Trust cohort 2019,,,\n\n{}", csv(&rows));
    let run = intake_support::run("c.csv", text.as_bytes());
    run.assert_accepted();
    assert!(
        run.notes().contains("The header is on row 3"),
        "{}",
        run.notes()
    );
    assert_eq!(run.rows[0].row, 4);
    run.assert_issue(7, Some("gender"), Severity::Error, Rule::Gender);
}

#[test]
fn crlf_blank_lines_and_multi_line_values_keep_row_numbers_right() {
    let mut rows = good_rows(62);
    rows[1] = rows[1].clone().with("forename", "Anne\r\nMarie");
    rows[5] = rows[5].clone().with("gender", "Q");
    let text = csv(&rows).replace('\n', "\r\n");
    // Two blank lines before the sixth data row.
    let mut lines: Vec<&str> = text.split("\r\n").collect();
    // Line 3 and 4 are the two halves of row 3's quoted forename.
    lines.insert(6, "");
    lines.insert(6, "");
    let text = lines.join("\r\n");
    let run = intake_support::run("c.csv", text.as_bytes());
    assert_eq!(run.report.counts.blank_rows, 2);
    // Row 3's forename keeps its line break collapsed to a space.
    assert_eq!(run.rows[1].forename, "Anne Marie");
    // Data row 5 (index 5) is spreadsheet row 7, pushed to 9 by the blanks.
    run.assert_issue(9, Some("gender"), Severity::Error, Rule::Gender);
    assert_eq!(run.rows.last().unwrap().row, 65);
}

#[test]
fn utf16_text_is_refused_with_how_to_save_it() {
    let mut bytes = vec![0xFF, 0xFE];
    for u in "forename,surname\n".encode_utf16() {
        bytes.extend(u.to_le_bytes());
    }
    let run = intake_support::run("c.csv", &bytes);
    run.assert_rejected();
    assert!(run.reasons().contains("UTF-16"), "{}", run.reasons());
    assert!(run.reasons().contains("CSV UTF-8"));
}

#[test]
fn an_unclosed_quote_is_refused_without_reading_the_rest_into_memory() {
    let mut text = csv(&good_rows(5));
    text.push_str("\"Unclosed,Smith,01/01/1980,M,,01/01/2010,,,,\n");
    text.push_str(&"x".repeat(3 << 20));
    let run = intake_support::run("c.csv", text.as_bytes());
    run.assert_rejected();
    assert!(run.reasons().contains("After row 6"), "{}", run.reasons());
    assert!(run.reasons().contains("never closed"));
}

#[test]
fn a_large_file_streams_with_a_capped_listing_and_full_counts() {
    let n = 20_000;
    let mut rows = good_rows(n);
    for r in rows.iter_mut().step_by(10) {
        *r = r.clone().with("gender", "unknown");
    }
    let run = intake_support::run("big.csv", csv(&rows).as_bytes());
    run.assert_accepted();
    let c = &run.report.counts;
    assert_eq!(
        (c.rows_read, c.usable, c.with_errors),
        (20_000, 18_000, 2_000)
    );
    assert_eq!(run.report.rules[&Rule::Gender].errors, 2_000);
    assert_eq!(run.report.issues.len(), 1_000);
    assert_eq!(run.report.unlisted_issues, 1_000);
    assert_eq!(run.report.issues[999].row, 2 + 999 * 10);
    assert_eq!(run.rows.len(), 18_000);
}

fn date_format() -> Format {
    Format::new().set_num_format("dd/mm/yyyy")
}

/// A workbook whose first sheet is notes and whose second has a title row,
/// the header on row 3 (starting in column B), template columns out of
/// order, an extra column, real date cells, serial numbers and text dates.
fn provider_workbook(n: usize, tweak: impl Fn(usize, &mut Row)) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let notes = wb.add_worksheet();
    notes.set_name("Read me")?;
    notes.write_string(0, 0, "Cohort for the Justice Data Lab")?;
    notes.write_string(1, 0, "Names as in our case system")?;

    let sheet = wb.add_worksheet();
    sheet.set_name("Cohort")?;
    sheet.write_string(0, 0, "Hope Trust mentoring cohort")?;
    let header = [
        "Surname",
        "Forename",
        "Date of Birth",
        "Gender",
        "Key worker",
        "Intervention start",
        "PNC ID",
        "Postcode",
    ];
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(2, 1 + c as u16, *h)?;
    }
    let fmt = date_format();
    for i in 0..n {
        let mut row = good_row(i);
        tweak(i, &mut row);
        let r = 3 + i as u32;
        sheet.write_string(r, 1, row.get("surname"))?;
        sheet.write_string(r, 2, row.get("forename"))?;
        let (dob, start) = good_dates(i);
        use chrono::Datelike;
        let cell_date = |d: chrono::NaiveDate| {
            ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
        };
        match i % 3 {
            0 => {
                sheet.write_datetime_with_format(r, 3, cell_date(dob)?, &fmt)?;
            }
            // A date column left as "General": Excel shows the serial.
            1 => {
                sheet.write_number(r, 3, cell_date(dob)?.to_excel())?;
            }
            _ => {
                sheet.write_string(r, 3, row.get("date_of_birth"))?;
            }
        }
        sheet.write_string(r, 4, row.get("gender"))?;
        sheet.write_string(r, 5, "Sam Keyworker")?;
        sheet.write_datetime_with_format(r, 6, cell_date(start)?, &fmt)?;
        sheet.write_string(r, 7, row.get("pnc_id"))?;
        sheet.write_string(r, 8, row.get("postcode"))?;
    }
    let extra = wb.add_worksheet();
    extra.set_name("Lookup")?;
    extra.write_string(0, 0, "forename")?;
    wb.save_to_buffer()
}

#[test]
fn an_xlsx_with_an_extra_sheet_and_extra_columns_is_read_from_the_right_sheet() {
    let bytes = provider_workbook(62, |i, row| {
        if i == 5 {
            *row = row.clone().with("gender", "Q");
        }
    })
    .unwrap();
    let run = intake_support::run("cohort.xlsx", &bytes);
    run.assert_accepted();
    let n = run.notes();
    assert!(
        n.contains("Read sheet \"Cohort\" (the first sheet with the template's header); other sheets ignored: \"Read me\", \"Lookup\""),
        "{n}"
    );
    assert!(n.contains("The header is on row 3"), "{n}");
    assert!(n.contains("\"Key worker\" (column F)"), "{n}");
    assert!(n.contains("dates were Excel serial numbers"), "{n}");
    // Data starts on spreadsheet row 4; the sixth data row is row 9.
    assert_eq!(run.rows[0].row, 4);
    run.assert_issue(9, Some("gender"), Severity::Error, Rule::Gender);
    assert_eq!(run.report.counts.usable, 61);
    for (i, r) in run.rows.iter().enumerate().take(6) {
        let data_index = (r.row - 4) as usize;
        let (dob, start) = good_dates(data_index);
        assert_eq!(
            (r.date_of_birth, r.intervention_start),
            (dob, start),
            "row {} ({i})",
            r.row
        );
    }
    assert_eq!(run.rows[1].forename, "Zoë");
}

#[test]
fn a_workbook_without_the_template_header_is_rejected() {
    let mut wb = Workbook::new();
    let s = wb.add_worksheet();
    s.write_string(0, 0, "Forename").unwrap();
    s.write_string(0, 1, "Surname").unwrap();
    s.write_string(1, 0, "Ann").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let run = intake_support::run("c.xlsx", &bytes);
    run.assert_rejected();
    assert!(
        run.notes()
            .contains("no sheet has all the template's required columns"),
        "{}",
        run.notes()
    );
    assert!(
        run.reasons()
            .contains("has no date_of_birth, gender or intervention_start columns"),
        "{}",
        run.reasons()
    );
}

#[test]
fn a_damaged_workbook_is_a_rejection_and_a_workbook_named_csv_is_read() {
    let run = intake_support::run("c.xlsx", b"PK\x03\x04 this is not really a zip file");
    run.assert_rejected();
    assert!(
        run.reasons()
            .contains("could not be read as an Excel workbook"),
        "{}",
        run.reasons()
    );

    let run = intake_support::run("c.xlsx", b"forename,surname\n");
    run.assert_rejected();

    let bytes = provider_workbook(60, |_, _| {}).unwrap();
    let run = intake_support::run("cohort.csv", &bytes);
    run.assert_accepted();
    assert!(run.report.warnings[0].contains("holds an Excel workbook"));
}

#[test]
fn the_minimum_applies_to_workbooks_too() {
    let bytes = provider_workbook(10, |_, _| {}).unwrap();
    let settings = Settings {
        min_records: 11,
        ..Settings::default()
    };
    let run = run_with("c.xlsx", &bytes, &good_request(), &settings);
    run.assert_rejected();
    assert!(run.reasons().contains("only 10 rows"), "{}", run.reasons());
}
