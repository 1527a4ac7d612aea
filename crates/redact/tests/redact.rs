//! Redaction end to end: PDFs built here with lopdf, the way real ones put
//! text on a page (split across operators, kerned, over line breaks, in
//! forms), redacted, and the output read back three ways: this crate's
//! reader, lopdf's own, and the raw bytes of every decompressed stream.

use std::io::Write;
use std::process::{Command, Stdio};

use lopdf::content::{Content, Operation};
use lopdf::{Dictionary, Document, Object, Stream, dictionary};
use proptest::prelude::*;
use redact::{Error, redact, text};

/// Builds a test PDF, one page at a time.
struct Builder {
    doc: Document,
    pages_id: lopdf::ObjectId,
    kids: Vec<Object>,
    xobjects: Dictionary,
    fonts: Dictionary,
}

fn op(operator: &str, operands: Vec<Object>) -> Operation {
    Operation::new(operator, operands)
}

fn s(text: &str) -> Object {
    Object::string_literal(text)
}

impl Builder {
    fn new() -> Self {
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let helvetica = doc.add_object(dictionary! {
            "Type" => "Font",
            "Subtype" => "Type1",
            "BaseFont" => "Helvetica",
            "Encoding" => "WinAnsiEncoding",
        });
        let times = doc.add_object(dictionary! {
            "Type" => "Font",
            "Subtype" => "Type1",
            "BaseFont" => "Times-Roman",
        });
        Builder {
            doc,
            pages_id,
            kids: Vec::new(),
            xobjects: Dictionary::new(),
            fonts: dictionary! { "F1" => helvetica, "F2" => times },
        }
    }

    fn page(&mut self, operations: Vec<Operation>) -> &mut Self {
        let content = Content { operations }.encode().unwrap();
        let mut stream = Stream::new(dictionary! {}, content);
        stream.compress().unwrap();
        let content_id = self.doc.add_object(stream);
        let page_id = self.doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => self.pages_id,
            "Contents" => content_id,
        });
        self.kids.push(page_id.into());
        self
    }

    /// A form XObject named `name` drawing `operations`.
    fn form(&mut self, name: &str, operations: Vec<Operation>) -> &mut Self {
        let content = Content { operations }.encode().unwrap();
        let id = self.doc.add_object(Stream::new(
            dictionary! {
                "Type" => "XObject",
                "Subtype" => "Form",
                "BBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
                "Resources" => dictionary! { "Font" => self.fonts.clone() },
            },
            content,
        ));
        self.xobjects.set(name, id);
        self
    }

    /// A one-pixel grey image XObject named `name`.
    fn image(&mut self, name: &str) -> &mut Self {
        let id = self.doc.add_object(Stream::new(
            dictionary! {
                "Type" => "XObject",
                "Subtype" => "Image",
                "Width" => 1,
                "Height" => 1,
                "ColorSpace" => "DeviceGray",
                "BitsPerComponent" => 8,
            },
            vec![0x80],
        ));
        self.xobjects.set(name, id);
        self
    }

    fn font(&mut self, name: &str, font: Dictionary) -> &mut Self {
        let id = self.doc.add_object(font);
        self.fonts.set(name, id);
        self
    }

    /// An Info dictionary and an XMP stream, both naming `who`.
    fn metadata(&mut self, who: &str) -> &mut Self {
        let info = self.doc.add_object(dictionary! {
            "Author" => s(who),
            "Title" => s(&format!("Complaint about {who}")),
        });
        self.doc.trailer.set("Info", info);
        self
    }

    fn build(&mut self) -> Vec<u8> {
        let count = self.kids.len() as i64;
        self.doc.objects.insert(
            self.pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages",
                "Kids" => self.kids.clone(),
                "Count" => count,
                "Resources" => dictionary! {
                    "Font" => self.fonts.clone(),
                    "XObject" => self.xobjects.clone(),
                },
                "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            }),
        );
        let xmp = self.doc.add_object(Stream::new(
            dictionary! { "Type" => "Metadata", "Subtype" => "XML" },
            b"<x:xmpmeta><dc:creator>John Smith</dc:creator></x:xmpmeta>".to_vec(),
        ));
        let catalog = self.doc.add_object(dictionary! {
            "Type" => "Catalog",
            "Pages" => self.pages_id,
            "Metadata" => xmp,
        });
        self.doc.trailer.set("Root", catalog);
        let mut bytes = Vec::new();
        self.doc.save_to(&mut bytes).unwrap();
        bytes
    }
}

/// Text lines in the way PDF producers write them.
fn line(font: &str, x: i64, y: i64, strings: &[&str]) -> Vec<Operation> {
    let mut ops = vec![
        op("BT", vec![]),
        op("Tf", vec![Object::Name(font.into()), 12.into()]),
        op("Td", vec![x.into(), y.into()]),
    ];
    ops.extend(strings.iter().map(|t| op("Tj", vec![s(t)])));
    ops.push(op("ET", vec![]));
    ops
}

/// A complaint that names John Smith and his address in every way a PDF
/// can scatter them.
fn complaint() -> Vec<u8> {
    let mut b = Builder::new();
    b.metadata("John Smith");
    b.form(
        "Fm1",
        line(
            "F1",
            72,
            500,
            &["Form text: 12 Acacia ", "Avenue, kept safe."],
        ),
    );

    // Page 1: the name split over three Tj operators; the address with a
    // kerned TJ gap for a space; the name again, in capitals, broken over
    // two lines inside one text object.
    let mut p1 = line(
        "F1",
        72,
        760,
        &["Report about ", "Jo", "hn Sm", "ith", ", who lives at"],
    );
    p1.extend([
        op("BT", vec![]),
        op("Tf", vec!["F1".into(), 12.into()]),
        op("Td", vec![72.into(), 740.into()]),
        op(
            "TJ",
            vec![Object::Array(vec![
                s("12 Aca"),
                (-20).into(),
                s("cia"),
                (-300).into(),
                s("Avenue"),
            ])],
        ),
        op("Tj", vec![s(".")]),
        op("ET", vec![]),
        op("BT", vec![]),
        op("Tf", vec!["F2".into(), 12.into()]),
        op("Td", vec![72.into(), 720.into()]),
        op("Tj", vec![s("The officer was JOHN")]),
        op("Td", vec![0.into(), (-14).into()]),
        op("Tj", vec![s("SMITH again.")]),
        op("ET", vec![]),
    ]);
    p1.extend(line("F1", 72, 680, &["Innocent words remain."]));
    b.page(p1);

    // Page 2: a text matrix, the ' operator, a lower-case name, and a form.
    b.page(vec![
        op("BT", vec![]),
        op("Tf", vec!["F1".into(), 11.into()]),
        op("TL", vec![13.into()]),
        op(
            "Tm",
            vec![
                1.into(),
                0.into(),
                0.into(),
                1.into(),
                72.into(),
                760.into(),
            ],
        ),
        op("Tj", vec![s("Second page: ask john smith or")]),
        op("'", vec![s("Mary, his neighbour (cc: Mary).")]),
        op("ET", vec![]),
        op("Do", vec!["Fm1".into()]),
    ]);

    // Page 3: empty, and must stay a page.
    b.page(vec![]);
    b.build()
}

const TERMS: [&str; 3] = ["John Smith", "12 Acacia Avenue", "mary"];

/// The words of the terms, each of which must be absent from the output.
const WORDS: [&str; 5] = ["john", "smith", "acacia", "avenue", "mary"];

/// Lower case, white space removed: a term is "present" if this form of it
/// is in this form of the text.
fn squeezed(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Every byte of the file with every stream decompressed.
fn raw_decompressed(pdf: &[u8]) -> Vec<u8> {
    let mut doc = Document::load_mem(pdf).unwrap();
    doc.decompress();
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    bytes.to_ascii_lowercase()
}

/// Every page's content, decompressed, in lower case.
fn content_streams(pdf: &[u8]) -> Vec<u8> {
    let doc = Document::load_mem(pdf).unwrap();
    doc.page_iter()
        .flat_map(|page| doc.get_page_content(page))
        .collect::<Vec<u8>>()
        .to_ascii_lowercase()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn lopdf_text(pdf: &[u8]) -> Vec<String> {
    let doc = Document::load_mem(pdf).unwrap();
    doc.get_pages()
        .into_keys()
        .map(|n| doc.extract_text(&[n]).unwrap())
        .collect()
}

#[test]
fn the_input_really_holds_the_terms() {
    // Without this the other tests could pass on a fixture that was never
    // readable in the first place.
    let pages = text(&complaint()).unwrap();
    assert_eq!(pages.len(), 3);
    let all = squeezed(&pages.concat());
    for term in TERMS {
        assert!(all.contains(&squeezed(term)), "{term}: {pages:?}");
    }
    assert!(pages[0].contains("JOHN\nSMITH"), "{:?}", pages[0]);
    assert!(pages[0].contains("12 Acacia Avenue"), "{:?}", pages[0]);
    assert!(pages[1].contains("Form text"), "{:?}", pages[1]);
}

#[test]
fn redacted_output_holds_none_of_the_terms_but_keeps_the_rest() {
    let input = complaint();
    let redaction = redact(&input, &TERMS).unwrap();
    let pdf = &redaction.pdf;

    // This crate's reading.
    let ours = text(pdf).unwrap();
    let ours_all = ours.join("\n");
    // lopdf's own reading.
    let theirs = lopdf_text(pdf);
    let theirs_all = theirs.join("\n");
    // The bytes, every stream inflated.
    let raw = raw_decompressed(pdf);

    for word in WORDS {
        assert!(
            !squeezed(&ours_all).contains(word),
            "{word} in {ours_all:?}"
        );
        assert!(
            !squeezed(&theirs_all).contains(word),
            "{word} in {theirs_all:?}"
        );
        assert!(!contains(&raw, word.as_bytes()), "{word} in the raw bytes");
    }
    for kept in [
        "Report about",
        "who lives at",
        "The officer was",
        "again.",
        "Innocent words remain.",
        "Second page: ask",
        "his neighbour (cc:",
        "Form text:",
        "kept safe.",
    ] {
        assert!(ours_all.contains(kept), "{kept} not in {ours_all:?}");
        assert!(
            squeezed(&theirs_all).contains(&squeezed(kept)),
            "{kept} not in {theirs_all:?}"
        );
    }

    assert_eq!(ours.len(), 3);
    assert_eq!(redaction.pages, 3);
    assert_eq!(theirs.len(), 3);
    // Each page starts a new one: the third, empty, stays empty.
    assert!(ours[0].starts_with("Report about"));
    assert!(ours[1].starts_with("Second page"));
    assert_eq!(ours[2], "");

    // John Smith three times, the address twice, Mary twice.
    assert_eq!(redaction.removed, 7);

    // One revision, written whole; nothing of the input's metadata.
    assert_eq!(pdf.windows(5).filter(|w| w == b"%%EOF").count(), 1);
    for key in [
        "/author",
        "/title",
        "/info",
        "/metadata",
        "xmpmeta",
        "/xobject",
        "times",
    ] {
        assert!(!contains(&raw, key.as_bytes()), "{key} in the output");
    }
}

#[test]
fn removed_text_leaves_black_bars() {
    let redaction = redact(&complaint(), &TERMS).unwrap();
    let doc = Document::load_mem(&redaction.pdf).unwrap();
    let first = doc.get_pages()[&1];
    let content = Content::decode(&doc.get_page_content(first)).unwrap();
    let bars = content
        .operations
        .iter()
        .filter(|o| o.operator == "re")
        .count();
    // Page 1: the name twice (the second over a line break, one bar) and
    // the address once.
    assert_eq!(bars, 3);
    assert!(content.operations.iter().any(|o| o.operator == "f"));
}

#[test]
fn a_term_over_a_page_break_hyphenated_or_in_a_ligature_is_found() {
    let mut b = Builder::new();
    b.font(
        "F3",
        dictionary! {
            "Type" => "Font",
            "Subtype" => "Type1",
            "BaseFont" => "Helvetica",
            "Encoding" => dictionary! {
                "Type" => "Encoding",
                "BaseEncoding" => "WinAnsiEncoding",
                "Differences" => vec![200.into(), Object::Name(b"ffi".to_vec())],
            },
        },
    );
    b.page(line("F1", 72, 700, &["Signed, John"]));
    b.page(line("F1", 72, 700, &["Smith, at the end."]));
    let mut p3 = line("F1", 72, 700, &["Mr Smi-"]);
    p3.extend([
        op("BT", vec![]),
        op("Tf", vec!["F3".into(), 12.into()]),
        op("Td", vec![72.into(), 686.into()]),
        op("Tj", vec![s("th wrote and Ms ")]),
        op("Tj", vec![Object::string_literal(b"Gri\xC8th".to_vec())]),
        op("Tj", vec![s(" replied.")]),
        op("ET", vec![]),
    ]);
    b.page(p3);
    let input = b.build();
    assert!(text(&input).unwrap()[2].contains("Gri\u{FB03}th"));

    let redaction = redact(&input, &["john smith", "Smith", "Griffith"]).unwrap();
    let out = text(&redaction.pdf).unwrap();
    let all = squeezed(&out.concat());
    assert!(!all.contains("smith") && !all.contains("john"), "{out:?}");
    assert!(!all.contains("smi") && !all.contains("gri"), "{out:?}");
    assert_eq!(out[0].trim(), "Signed,");
    assert_eq!(out[1], ", at the end.");
    assert_eq!(out[2], "Mr wrote and Ms replied.");
}

#[test]
fn text_moved_along_a_line_reads_with_a_space_and_down_with_a_line_break() {
    let mut b = Builder::new();
    b.page(vec![
        op("BT", vec![]),
        op("Tf", vec!["F1".into(), 10.into()]),
        op("Td", vec![72.into(), 700.into()]),
        op("Tj", vec![s("left")]),
        op("Td", vec![200.into(), 0.into()]),
        op("Tj", vec![s("right")]),
        op("Td", vec![(-200).into(), (-12).into()]),
        op("Tj", vec![s("below")]),
        op("ET", vec![]),
    ]);
    let input = b.build();
    assert_eq!(text(&input).unwrap(), ["left right\nbelow"]);
    // lopdf's own reader glues all three: the reason this crate reads pages
    // itself.
    assert_eq!(lopdf_text(&input)[0].trim(), "leftrightbelow");
}

#[test]
fn not_a_pdf_is_refused() {
    assert_eq!(
        redact(b"PK\x03\x04 zip", &["x"]).unwrap_err(),
        Error::NotPdf
    );
    assert_eq!(redact(b"", &["x"]).unwrap_err(), Error::NotPdf);
    assert_eq!(text(b"<html>").unwrap_err(), Error::NotPdf);
    assert!(!redact::is_pdf(b"hello"));
    assert!(redact::is_pdf(&complaint()));
}

#[test]
fn a_truncated_pdf_is_refused_as_unreadable() {
    let input = complaint();
    for cut in [input.len() / 2, input.len() / 4, 20] {
        let err = redact(&input[..cut], &TERMS).unwrap_err();
        assert!(matches!(err, Error::Unreadable(_)), "cut at {cut}: {err:?}");
    }
}

fn encrypted(user_password: &str) -> Vec<u8> {
    let mut doc = Document::load_mem(&complaint()).unwrap();
    doc.trailer.set(
        "ID",
        Object::Array(vec![s("0123456789abcdef"), s("fedcba9876543210")]),
    );
    let state = lopdf::EncryptionState::try_from(lopdf::EncryptionVersion::V2 {
        document: &doc,
        owner_password: "owner",
        user_password,
        key_length: 128,
        permissions: lopdf::Permissions::all(),
    })
    .unwrap();
    doc.encrypt(&state).unwrap();
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    bytes
}

#[test]
fn an_encrypted_pdf_is_refused() {
    // With an empty user password anyone can open it (lopdf does so on
    // loading); it is refused all the same, as protection means someone
    // meant it not to be changed.
    assert_eq!(
        redact(&encrypted(""), &TERMS).unwrap_err(),
        Error::Encrypted
    );
    assert_eq!(
        redact(&encrypted("secret"), &TERMS).unwrap_err(),
        Error::Encrypted
    );
    assert_eq!(text(&encrypted("secret")).unwrap_err(), Error::Encrypted);
}

fn with_second_page(operations: Vec<Operation>, setup: impl FnOnce(&mut Builder)) -> Vec<u8> {
    let mut b = Builder::new();
    setup(&mut b);
    b.page(line("F1", 72, 700, &["A page of text."]));
    b.page(operations);
    b.build()
}

#[test]
fn a_page_that_is_only_an_image_is_refused() {
    let scan = with_second_page(
        vec![
            op("q", vec![]),
            op(
                "cm",
                vec![
                    500.into(),
                    0.into(),
                    0.into(),
                    700.into(),
                    50.into(),
                    50.into(),
                ],
            ),
            op("Do", vec!["Im1".into()]),
            op("Q", vec![]),
        ],
        |b| {
            b.image("Im1");
        },
    );
    assert_eq!(
        redact(&scan, &["anything"]).unwrap_err(),
        Error::NoText { page: 2 }
    );
    let message = redact(&scan, &["anything"]).unwrap_err().to_string();
    assert!(message.contains("page 2 has no text that can be read (is it a scan?)"));
}

#[test]
fn a_page_that_is_only_an_inline_image_or_shapes_is_refused() {
    let mut inline = Content {
        operations: vec![op("q", vec![])],
    }
    .encode()
    .unwrap();
    inline.extend_from_slice(b"\nBI /W 1 /H 1 /BPC 8 /CS /G ID \x80 EI\nQ\n");
    let mut b = Builder::new();
    b.page(line("F1", 72, 700, &["A page of text."]));
    let content_id = b.doc.add_object(Stream::new(dictionary! {}, inline));
    let page_id = b.doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => b.pages_id,
        "Contents" => content_id,
    });
    b.kids.push(page_id.into());
    assert_eq!(
        redact(&b.build(), &["x"]).unwrap_err(),
        Error::NoText { page: 2 }
    );

    // Text turned into outlines is shapes, not text.
    let outlines = with_second_page(
        vec![
            op("m", vec![72.into(), 700.into()]),
            op("l", vec![80.into(), 720.into()]),
            op("l", vec![88.into(), 700.into()]),
            op("f", vec![]),
        ],
        |_| {},
    );
    assert_eq!(
        redact(&outlines, &["x"]).unwrap_err(),
        Error::NoText { page: 2 }
    );
}

#[test]
fn text_in_a_font_that_cannot_be_read_is_refused() {
    // A composite font with no ToUnicode map: its codes are glyph numbers.
    let input = with_second_page(line("F9", 72, 700, &["\x00\x2b\x00\x48"]), |b| {
        b.font(
            "F9",
            dictionary! {
                "Type" => "Font",
                "Subtype" => "Type0",
                "BaseFont" => "ABCDEF+Arial",
                "Encoding" => "Identity-H",
                "DescendantFonts" => vec![Object::Dictionary(dictionary! {
                    "Type" => "Font",
                    "Subtype" => "CIDFontType2",
                    "BaseFont" => "ABCDEF+Arial",
                })],
            },
        );
    });
    assert_eq!(
        redact(&input, &["x"]).unwrap_err(),
        Error::NoText { page: 2 }
    );
}

#[test]
fn a_page_with_text_and_an_image_loses_the_image() {
    let input = with_second_page(
        {
            let mut ops = line("F1", 72, 700, &["Photo of the site:"]);
            ops.push(op("Do", vec!["Im1".into()]));
            ops
        },
        |b| {
            b.image("Im1");
        },
    );
    let redaction = redact(&input, &["site"]).unwrap();
    let raw = raw_decompressed(&redaction.pdf);
    assert!(!contains(&raw, b"/image"));
    assert_eq!(text(&redaction.pdf).unwrap()[1], "Photo of the :");
}

#[test]
fn empty_terms_are_refused() {
    for terms in [&[""][..], &["   "], &["John", " \n\t"], &["-"]] {
        assert_eq!(
            redact(&complaint(), terms).unwrap_err(),
            Error::EmptyTerm,
            "{terms:?}"
        );
    }
}

#[test]
fn an_input_over_50_mb_is_refused() {
    let mut huge = b"%PDF-1.4\n".to_vec();
    huge.resize(50 * 1024 * 1024 + 1, b' ');
    assert_eq!(redact(&huge, &["x"]).unwrap_err(), Error::TooLarge);
}

#[test]
fn no_terms_still_rewrites_the_file_without_its_metadata() {
    let redaction = redact(&complaint(), &[]).unwrap();
    assert_eq!(redaction.removed, 0);
    let raw = raw_decompressed(&redaction.pdf);
    assert!(!contains(&raw, b"/author"));
    assert!(contains(&raw, b"john smith"));
}

#[test]
fn long_pages_run_onto_more_pages() {
    let mut b = Builder::new();
    let mut ops = Vec::new();
    // Small print: 120 lines in 5 pt.
    for i in 0..120 {
        ops.extend([
            op("BT", vec![]),
            op("Tf", vec!["F1".into(), 5.into()]),
            op("Td", vec![72.into(), (800 - i * 6).into()]),
            op("Tj", vec![s(&format!("Line {i} of a long page."))]),
            op("ET", vec![]),
        ]);
    }
    b.page(ops);
    b.page(line("F1", 72, 700, &["Short page."]));
    let redaction = redact(&b.build(), &["long"]).unwrap();
    assert!(redaction.pages >= 4, "{}", redaction.pages);
    let out = text(&redaction.pdf).unwrap();
    assert_eq!(out.len(), redaction.pages);
    assert_eq!(out.last().unwrap(), "Short page.");
    assert!(out.concat().contains("Line 119 of a page."), "{out:?}");
}

#[test]
fn poppler_reads_no_term_either() {
    let which = Command::new("pdftotext").arg("-v").output();
    if which.is_err() {
        println!("pdftotext (poppler-utils) is not installed: skipping the cross-check");
        return;
    }
    let redaction = redact(&complaint(), &TERMS).unwrap();
    let mut child = Command::new("pdftotext")
        .args(["-", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&redaction.pdf)
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{output:?}");
    assert!(output.stderr.is_empty(), "poppler complained: {output:?}");
    let extracted = String::from_utf8(output.stdout).unwrap();
    for word in WORDS {
        assert!(
            !squeezed(&extracted).contains(word),
            "{word} in {extracted:?}"
        );
    }
    assert!(
        extracted.contains("Innocent words remain."),
        "{extracted:?}"
    );
    assert_eq!(extracted.matches('\u{c}').count(), 3, "{extracted:?}");
}

/// Lines of random ASCII words, each line split at random over several Tj
/// operators.
fn document() -> impl Strategy<Value = (Vec<Vec<String>>, Vec<usize>)> {
    let word = "[A-Za-z]{1,8}";
    let line = proptest::collection::vec(word, 1..10);
    (
        proptest::collection::vec(line, 1..25),
        proptest::collection::vec(0usize..40, 1..80),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn redaction_never_leaves_a_term(
        (lines, cuts) in document(),
        picks in proptest::collection::vec(
            (any::<prop::sample::Index>(), 1usize..3, any::<bool>()),
            1..4,
        ),
    ) {
        let words: Vec<&String> = lines.iter().flatten().collect();
        // Terms are runs of one or two words from the text, so they occur.
        let terms: Vec<String> = picks
            .iter()
            .map(|(index, n, shout)| {
                let at = index.index(words.len());
                let term = words[at..(at + n).min(words.len())]
                    .iter()
                    .map(|w| w.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                if *shout { term.to_uppercase() } else { term }
            })
            .collect();

        let mut b = Builder::new();
        let mut ops = Vec::new();
        let mut cut = cuts.iter().cycle();
        for (row, words) in lines.iter().enumerate() {
            let text = words.join(" ");
            let mut pieces = Vec::new();
            let mut rest = text.as_str();
            while !rest.is_empty() {
                let at = (*cut.next().unwrap() % 6 + 1).min(rest.len());
                pieces.push(&rest[..at]);
                rest = &rest[at..];
            }
            ops.extend(line("F1", 72, 780 - row as i64 * 14, &pieces));
        }
        b.page(ops);
        let input = b.build();

        let term_refs: Vec<&str> = terms.iter().map(String::as_str).collect();
        let redaction = redact(&input, &term_refs).unwrap();
        prop_assert!(redaction.removed >= 1);
        let ours = squeezed(&text(&redaction.pdf).unwrap().concat());
        let theirs = squeezed(&lopdf_text(&redaction.pdf).concat());
        let streams = content_streams(&redaction.pdf);
        for term in &terms {
            let squeezed_term = squeezed(term);
            prop_assert!(!ours.contains(&squeezed_term), "{} in {}", term, ours);
            prop_assert!(!theirs.contains(&squeezed_term), "{} in {}", term, theirs);
            // A one-word term can be looked for in the bytes as it is, if it
            // is longer than the content streams' operators.
            if !term.contains(' ') && term.len() > 2 {
                prop_assert!(
                    !contains(&streams, squeezed_term.as_bytes()),
                    "{} in the content streams",
                    term
                );
            }
        }
    }
}
