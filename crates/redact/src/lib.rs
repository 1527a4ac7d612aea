//! Redaction that really removes text, for PDFs released under the Freedom
//! of Information Act.
//!
//! Before an attachment is released, names, addresses and other exempt
//! words must go. Drawing black boxes over a PDF leaves the words in the
//! file, where anyone can copy them out; this crate instead writes a new PDF
//! that never contained them. It reads the text of every page, removes each
//! occurrence of the given terms, and writes what is left, line by line, into
//! a brand-new document with a black bar where each removed passage was. The
//! new file is written whole in one save: one revision, no incremental update
//! holding the old text, and nothing copied from the input (no Info
//! dictionary or XMP metadata, no fonts, images, annotations, form fields,
//! attachments or JavaScript).
//!
//! The trade-off is deliberate: **layout is not kept and images are not
//! carried over.** The output is plain 11 pt Helvetica on A4, each input page
//! starting a new page. Rewriting the text that can be read is the only way to
//! know, and to check, everything the output holds; anything copied across
//! (a scan, a logo, a font's glyphs, a form field) could hold a word that
//! nobody checked. So a page that paints something but has no text that can
//! be read, such as a scan, is refused rather than dropped in silence, and
//! the caller hears about it as [`Error::NoText`].
//!
//! After writing, the output is read back, twice (with this crate's reader
//! and with lopdf's own), and refused with [`Error::StillPresent`] if any
//! term can still be found, so that a bug here can never release a
//! half-redacted file.
//!
//! Text that the input hides (white on white, off the page, in a hidden
//! layer, the invisible OCR layer over a scan) is written like any other, so
//! whoever checks the output sees everything the file held as text.
//!
//! How terms match: ignoring case, accents, curly or straight quotes, white
//! space (line and page breaks included), hyphens and invisible characters,
//! and inside longer words ("Smith" also removes the "Smith" of "Smithson",
//! "Smi-" at a line end followed by "th", and "Zoë O’Neill" matches
//! "zoe o'neill"). Each occurrence is removed from its first character to its
//! last; if removals bring together text that spells a term, that goes too.
//! All of this errs towards removing more, never less.
//!
//! The output font has only the Windows-1252 (WinAnsi) characters, so others
//! are transliterated ("Łódź" is written "Lódz", "ﬁ" as "fi") or written as
//! `?` when there is none; terms are matched against the text as it will be
//! written, so a transliterated name is still found.
//!
//! This is an engine: it depends on no other Lifeline crate and touches
//! nothing but the bytes it is given (no files, no network, no clock), so the
//! server, a command-line tool or a test can all use it.
//!
//! ```
//! # fn attachment() -> Vec<u8> {
//! #     use lopdf::{Document, Object, Stream, dictionary, content::*};
//! #     let mut doc = Document::with_version("1.4");
//! #     let pages = doc.new_object_id();
//! #     let font = doc.add_object(dictionary! {
//! #         "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica" });
//! #     let ops = vec![
//! #         Operation::new("BT", vec![]),
//! #         Operation::new("Tf", vec!["F1".into(), 12.into()]),
//! #         Operation::new("Td", vec![72.into(), 700.into()]),
//! #         Operation::new("Tj", vec![Object::string_literal("Written by Jane Doe.")]),
//! #         Operation::new("ET", vec![]),
//! #     ];
//! #     let content = doc.add_object(Stream::new(dictionary! {},
//! #         Content { operations: ops }.encode().unwrap()));
//! #     let page = doc.add_object(dictionary! {
//! #         "Type" => "Page", "Parent" => pages, "Contents" => content });
//! #     doc.objects.insert(pages, Object::Dictionary(dictionary! {
//! #         "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1,
//! #         "Resources" => dictionary! { "Font" => dictionary! { "F1" => font } },
//! #         "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()] }));
//! #     let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages });
//! #     doc.trailer.set("Root", catalog);
//! #     let mut bytes = Vec::new();
//! #     doc.save_to(&mut bytes).unwrap();
//! #     bytes
//! # }
//! let input: Vec<u8> = attachment();
//! let redaction = redact::redact(&input, &["Jane Doe"])?;
//! assert_eq!(redaction.removed, 1);
//! let pages = redact::text(&redaction.pdf)?;
//! assert_eq!(pages[0].trim(), "Written by .");
//! # Ok::<(), redact::Error>(())
//! ```

#![warn(missing_docs)]

mod extract;
mod fold;
mod winansi;
mod write;

use std::panic::{AssertUnwindSafe, catch_unwind};

use lopdf::xref::XrefRecovery;
use lopdf::{Document, LoadOptions};

use crate::fold::Terms;

/// The largest input accepted, 50 MiB. Attachments are checked by people
/// before release; anything bigger is better split.
const MAX_INPUT: usize = 50 * 1024 * 1024;

/// The most characters of text accepted from one document, far beyond any
/// real one; a guard against a small file that expands to endless text.
const MAX_TEXT: usize = 32 * 1024 * 1024;

/// How much any one stream may decompress to while the input is loaded.
const MAX_STREAM: usize = 64 * 1024 * 1024;

/// A redacted PDF.
#[derive(Debug, Clone)]
pub struct Redaction {
    /// The new PDF.
    pub pdf: Vec<u8>,
    /// Its number of pages: at least the input's, as each input page starts
    /// a new one and a long one runs onto more.
    pub pages: usize,
    /// How many passages were removed. Occurrences of several terms that
    /// overlap or touch count once, as they leave one black bar.
    pub removed: usize,
}

/// Why a PDF was not redacted. Nothing is ever returned half-redacted: every
/// error means there is no output at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The bytes are not a PDF.
    #[error(
        "the attachment is not a PDF (it has no %PDF- header), so it cannot be redacted here: \
         save or print it as a PDF and upload that, or redact it by hand"
    )]
    NotPdf,
    /// The PDF is damaged or uses something the reader cannot follow.
    #[error(
        "the PDF cannot be read safely ({0}): it may be damaged or cut short; open it in a PDF \
         reader, save or print it to a new PDF, and upload that"
    )]
    Unreadable(String),
    /// The PDF is encrypted (password-protected, or with permissions set).
    #[error(
        "the PDF is encrypted or password-protected, so its text cannot be checked: save a copy \
         without the protection (or print it to a new PDF) and upload that"
    )]
    Encrypted,
    /// A page paints something but has no text that can be read (a scan, a
    /// picture of text, text drawn as shapes, or text in a font that does not
    /// say which characters it shows): there is no way to tell whether it
    /// holds a redacted word.
    #[error(
        "page {page} has no text that can be read (is it a scan?), so it cannot be redacted \
         safely: redact it by hand and upload a PDF made from text"
    )]
    NoText {
        /// The page, counted from 1.
        page: usize,
    },
    /// A term is empty, or only spaces, hyphens and invisible characters.
    #[error(
        "a redaction term is empty (or only spaces and hyphens), which would match nothing \
         sensible: remove it, or type the word or phrase to redact"
    )]
    EmptyTerm,
    /// The output still contained a term when read back, so it was refused.
    /// The message leaves the term out, as messages end up in logs; it is
    /// in `term`.
    #[error(
        "the redacted PDF still contained one of the redaction terms when it was checked, so it \
         was not released: redact this attachment by hand, and report it, as this is a bug"
    )]
    StillPresent {
        /// The term found, as it was given.
        term: String,
    },
    /// The input is over 50 MiB, or expands to far more than any real
    /// document.
    #[error(
        "the PDF is too large to redact (over 50 MB, or it expands to far more text than a real \
         document): split it into smaller PDFs and redact each one"
    )]
    TooLarge,
    /// Writing the output, or checking what was written, failed.
    #[error(
        "the redacted PDF could not be written safely ({0}), so nothing was released: redact this \
         attachment by hand, and report it, as this is a bug"
    )]
    Rewrite(String),
}

/// Does `bytes` look like a PDF? True when the `%PDF-` header is within the
/// first kilobyte, where PDF readers look for it.
pub fn is_pdf(bytes: &[u8]) -> bool {
    bytes.windows(5).take(1024).any(|w| w == b"%PDF-")
}

/// Writes a new PDF holding the text of `input` without any occurrence of
/// `terms`: see the crate documentation for what matches, what the output
/// looks like, and what is refused.
///
/// With no terms the PDF is still rewritten, which drops its metadata,
/// images and everything else that is not text.
pub fn redact(input: &[u8], terms: &[&str]) -> Result<Redaction, Error> {
    let terms = Terms::new(terms)?;
    let pages = read(input)?;
    for (i, page) in pages.iter().enumerate() {
        let readable = page.text.chars().any(char::is_alphanumeric);
        if page.unreadable || (page.paints && !readable) {
            return Err(Error::NoText { page: i + 1 });
        }
    }

    // Every page's characters in one sequence, so that a term broken across
    // a page break is found too.
    let mut chars = Vec::new();
    let mut bounds = Vec::with_capacity(pages.len());
    for page in &pages {
        let start = chars.len();
        fold::writable(&page.text, &mut chars);
        bounds.push(start..chars.len());
        chars.push('\n');
        if chars.len() > MAX_TEXT {
            return Err(Error::TooLarge);
        }
    }
    let removed = fold::removals(&chars, &terms);
    let passages = removed
        .iter()
        .zip(std::iter::once(&false).chain(&removed))
        .filter(|&(&now, &before)| now && !before)
        .count();

    let laid_out: Vec<_> = bounds
        .into_iter()
        .map(|range| write::lines(&chars[range.clone()], &removed[range]))
        .collect();
    let (pdf, count) = write::pdf(&laid_out)?;
    check(&pdf, &terms, pages.len())?;
    Ok(Redaction {
        pdf,
        pages: count,
        removed: passages,
    })
}

/// The text of each page of `pdf`, as this crate reads it: lines end in
/// `'\n'`, and a space stands where the text jumps along a line. For checks
/// and tests; it refuses what [`redact`] refuses on reading (not a PDF,
/// encrypted, damaged, too large), but not pages without text.
pub fn text(pdf: &[u8]) -> Result<Vec<String>, Error> {
    Ok(read(pdf)?.into_iter().map(|page| page.text).collect())
}

fn read(input: &[u8]) -> Result<Vec<extract::PageText>, Error> {
    if !is_pdf(input) {
        return Err(Error::NotPdf);
    }
    if input.len() > MAX_INPUT {
        return Err(Error::TooLarge);
    }
    // lopdf is not written to panic, but a hostile file is exactly where a
    // missed case would show up; turn that into a refusal.
    catch_unwind(AssertUnwindSafe(|| {
        let doc = load(input)?;
        extract::pages(&doc)
    }))
    .unwrap_or_else(|_| {
        Err(Error::Unreadable(
            "the PDF reader failed on this file".into(),
        ))
    })
}

fn load(input: &[u8]) -> Result<Document, Error> {
    let options = LoadOptions {
        max_decompressed_size: Some(MAX_STREAM),
        ..LoadOptions::default()
    };
    let doc = Document::load_mem_with_options(input, options).map_err(|e| match e {
        lopdf::Error::Decryption(_) | lopdf::Error::InvalidPassword => Error::Encrypted,
        lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. }) => {
            Error::TooLarge
        }
        e => Error::Unreadable(e.to_string()),
    })?;
    if doc.trailer.has(b"Encrypt") || doc.was_encrypted() {
        return Err(Error::Encrypted);
    }
    // A rebuilt table may hold objects from an older revision, text that
    // the author had already deleted; and what it misses would go unseen.
    if doc.xref_recovery == Some(XrefRecovery::Reconstructed) {
        return Err(Error::Unreadable(
            "its cross-reference table is damaged and had to be rebuilt".into(),
        ));
    }
    if doc.get_pages().is_empty() {
        return Err(Error::Unreadable("it has no pages".into()));
    }
    Ok(doc)
}

/// Reads the output back and refuses it unless it is one revision with at
/// least `pages` pages, and neither this crate's reader nor lopdf's own
/// finds any term in it.
fn check(pdf: &[u8], terms: &Terms, pages: usize) -> Result<(), Error> {
    let revisions = pdf.windows(5).filter(|w| w == b"%%EOF").count();
    if revisions != 1 {
        return Err(Error::Rewrite(format!(
            "it has {revisions} end-of-file markers, not one"
        )));
    }
    let ours = text(pdf).map_err(|e| Error::Rewrite(format!("it cannot be read back: {e}")))?;
    if ours.len() < pages {
        return Err(Error::Rewrite(format!(
            "it has {} pages, fewer than the {pages} of the original",
            ours.len()
        )));
    }
    if let Some(term) = terms.first_in(&ours.join("\n")) {
        return Err(Error::StillPresent { term: term.into() });
    }

    let doc = Document::load_mem(pdf)
        .map_err(|e| Error::Rewrite(format!("lopdf cannot read it back: {e}")))?;
    let numbers: Vec<u32> = doc.get_pages().into_keys().collect();
    let theirs = doc
        .extract_text(&numbers)
        .map_err(|e| Error::Rewrite(format!("lopdf cannot read its text: {e}")))?;
    if let Some(term) = terms.first_in(&theirs) {
        return Err(Error::StillPresent { term: term.into() });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_magic_is_looked_for_in_the_first_kilobyte() {
        assert!(is_pdf(b"%PDF-1.7\n"));
        assert!(is_pdf(b"\xEF\xBB\xBF%PDF-1.4"));
        assert!(!is_pdf(b"PK\x03\x04 a zip file"));
        assert!(!is_pdf(b""));
        let mut late = vec![b' '; 2000];
        late.extend_from_slice(b"%PDF-1.4");
        assert!(!is_pdf(&late));
    }

    #[test]
    fn output_of_an_empty_term_list_is_still_a_fresh_pdf() {
        let (pdf, pages) = write::pdf(&[Vec::new()]).unwrap();
        assert_eq!(pages, 1);
        check(&pdf, &Terms::new(&[]).unwrap(), 1).unwrap();
    }

    #[test]
    fn the_check_refuses_output_that_still_holds_a_term() {
        // The safety net on its own: output written without removing the
        // term, as a bug in matching would.
        let chars: Vec<char> = "Signed: Jane\nDOE, clerk".chars().collect();
        let lines = write::lines(&chars, &vec![false; chars.len()]);
        let (pdf, _) = write::pdf(&[lines]).unwrap();
        assert_eq!(
            check(&pdf, &Terms::new(&["jane doe", "clerk"]).unwrap(), 1),
            Err(Error::StillPresent {
                term: "jane doe".into()
            })
        );
    }

    #[test]
    fn the_check_refuses_a_second_revision() {
        let (mut pdf, _) = write::pdf(&[Vec::new()]).unwrap();
        pdf.extend_from_slice(b"\n%%EOF\n");
        assert!(matches!(
            check(&pdf, &Terms::new(&[]).unwrap(), 1),
            Err(Error::Rewrite(_))
        ));
    }

    #[test]
    fn every_winansi_character_reads_back_as_written() {
        // The final check reads the output back; if a character changed on
        // the way, its key could too, and the check would look at other text
        // than was written.
        let written: String = winansi::all().collect();
        let chars: Vec<char> = written.chars().collect();
        let lines = write::lines(&chars, &vec![false; chars.len()]);
        let (pdf, _) = write::pdf(&[lines]).unwrap();
        let strip = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        assert_eq!(strip(&text(&pdf).unwrap().concat()), strip(&written));
        let doc = Document::load_mem(&pdf).unwrap();
        assert_eq!(strip(&doc.extract_text(&[1]).unwrap()), strip(&written));
    }

    #[test]
    fn errors_say_what_to_do() {
        let message = Error::NoText { page: 3 }.to_string();
        assert!(message.starts_with("page 3 has no text that can be read (is it a scan?)"));
        assert!(message.contains("redact it by hand"));
        let leak = Error::StillPresent {
            term: "Jane Doe".into(),
        };
        assert!(!leak.to_string().contains("Jane"));
    }
}
