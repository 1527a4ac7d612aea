//! The new PDF: the text that is kept, laid out afresh on A4 in 11 pt
//! Helvetica, with a black bar where text was removed.
//!
//! The document is built from nothing: a catalog, a page tree, one font
//! resource, and one content stream per page. No Info dictionary, no
//! metadata stream, no annotations, forms, outlines, attachments or scripts,
//! because nothing is copied from the input but the characters handed in.

use lopdf::content::{Content, Operation};
use lopdf::{Document, Object, Stream, StringFormat, dictionary};

use crate::{Error, winansi};

const PAGE_WIDTH: f32 = 595.28;
const PAGE_HEIGHT: f32 = 841.89;
/// 20 mm.
const MARGIN: f32 = 56.69;
const FONT_SIZE: f32 = 11.0;
const LEADING: f32 = 14.0;
const LINE_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;

/// Something placed on a line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Piece {
    Text(String),
    /// A black bar this wide, standing for removed text.
    Bar(f32),
}

/// One line: pieces and where each starts, from the left margin.
pub(crate) type Line = Vec<(f32, Piece)>;

fn text_width(text: &str) -> f32 {
    text.chars()
        .map(|c| f32::from(winansi::width(c)))
        .sum::<f32>()
        * FONT_SIZE
        / 1000.0
}

fn piece_width(piece: &Piece) -> f32 {
    match piece {
        Piece::Text(text) => text_width(text),
        Piece::Bar(width) => *width,
    }
}

/// A bar as wide as the removed text would have been, white space squeezed
/// to single spaces; never so thin that it could be missed.
fn bar_width(removed: &[char]) -> f32 {
    let mut width = 0.0;
    let mut after_space = false;
    for &c in removed {
        let space = c.is_whitespace();
        if !(space && after_space) {
            width += f32::from(winansi::width(if space { ' ' } else { c }));
        }
        after_space = space;
    }
    (width * FONT_SIZE / 1000.0).max(FONT_SIZE / 2.0)
}

/// Lays out one input page's characters (see [`crate::fold::writable`]),
/// with `removed` marking those to leave out, into lines.
pub(crate) fn lines(chars: &[char], removed: &[bool]) -> Vec<Line> {
    // Paragraphs (ended by line breaks) of words (ended by spaces) of
    // pieces: "Smith's" with "Smith" removed is one word of a bar and "'s",
    // kept together when lines wrap.
    let mut paragraphs: Vec<Vec<Vec<Piece>>> = vec![Vec::new()];
    let mut word: Vec<Piece> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if removed[i] {
            let start = i;
            while i < chars.len() && removed[i] {
                i += 1;
            }
            word.push(Piece::Bar(bar_width(&chars[start..i])));
            continue;
        }
        match chars[i] {
            '\n' | ' ' => {
                if !word.is_empty() {
                    let paragraph = paragraphs.last_mut().expect("there is always one");
                    paragraph.push(std::mem::take(&mut word));
                }
                if chars[i] == '\n' {
                    paragraphs.push(Vec::new());
                }
            }
            c => match word.last_mut() {
                Some(Piece::Text(text)) => text.push(c),
                _ => word.push(Piece::Text(c.to_string())),
            },
        }
        i += 1;
    }
    if !word.is_empty() {
        paragraphs
            .last_mut()
            .expect("there is always one")
            .push(word);
    }

    let mut lines = Vec::new();
    let mut previous_empty = true;
    for paragraph in paragraphs {
        // Keep one blank line for a gap between paragraphs, no more.
        if paragraph.is_empty() {
            if !previous_empty {
                lines.push(Line::new());
            }
            previous_empty = true;
            continue;
        }
        previous_empty = false;
        let mut filler = Filler::default();
        for word in paragraph {
            filler.word(word);
        }
        lines.extend(filler.finish());
    }
    while lines.last().is_some_and(Vec::is_empty) {
        lines.pop();
    }
    lines
}

#[derive(Default)]
struct Filler {
    lines: Vec<Line>,
    line: Line,
    x: f32,
}

impl Filler {
    fn word(&mut self, word: Vec<Piece>) {
        let width: f32 = word.iter().map(piece_width).sum();
        let space = if self.line.is_empty() {
            0.0
        } else {
            text_width(" ")
        };
        if !self.line.is_empty() && self.x + space + width > LINE_WIDTH {
            self.new_line();
        } else if matches!(self.line.last(), Some((_, Piece::Text(_)))) {
            self.add_text(" ");
        } else {
            // After a bar the gap is enough: a space written there would
            // read back as a double one.
            self.x += space;
        }
        if width <= LINE_WIDTH {
            for piece in word {
                self.place(piece);
            }
            return;
        }
        // Longer than a line: break it anywhere.
        for piece in word {
            match piece {
                Piece::Text(text) => {
                    for c in text.chars() {
                        let mut buffer = [0; 4];
                        let c = c.encode_utf8(&mut buffer);
                        if self.x + text_width(c) > LINE_WIDTH && self.x > 0.0 {
                            self.new_line();
                        }
                        self.add_text(c);
                    }
                }
                Piece::Bar(mut left) => {
                    while left > 0.0 {
                        if LINE_WIDTH - self.x < FONT_SIZE {
                            self.new_line();
                        }
                        let take = left.min(LINE_WIDTH - self.x);
                        self.place(Piece::Bar(take));
                        left -= take;
                    }
                }
            }
        }
    }

    fn add_text(&mut self, text: &str) {
        self.place(Piece::Text(text.to_owned()));
    }

    fn place(&mut self, piece: Piece) {
        let width = piece_width(&piece);
        match (self.line.last_mut(), piece) {
            (Some((_, Piece::Text(before))), Piece::Text(text)) => before.push_str(&text),
            (_, piece) => self.line.push((self.x, piece)),
        }
        self.x += width;
    }

    fn new_line(&mut self) {
        // A space left at the end of a line is nothing to draw.
        if let Some((_, Piece::Text(text))) = self.line.last_mut() {
            let trimmed = text.trim_end_matches(' ').len();
            text.truncate(trimmed);
        }
        self.line
            .retain(|(_, piece)| piece != &Piece::Text(String::new()));
        self.lines.push(std::mem::take(&mut self.line));
        self.x = 0.0;
    }

    fn finish(mut self) -> Vec<Line> {
        if !self.line.is_empty() {
            self.new_line();
        }
        self.lines
    }
}

/// Lines that fit on one page.
fn lines_per_page() -> usize {
    ((PAGE_HEIGHT - 2.0 * MARGIN - FONT_SIZE) / LEADING) as usize + 1
}

/// The content stream of one output page.
fn content(lines: &[Line]) -> Result<Vec<u8>, Error> {
    let mut text = vec![
        Operation::new("BT", vec![]),
        Operation::new("Tf", vec!["F1".into(), FONT_SIZE.into()]),
    ];
    let mut bars = vec![Operation::new("g", vec![0.into()])];
    for (row, line) in lines.iter().enumerate() {
        let y = PAGE_HEIGHT - MARGIN - FONT_SIZE - row as f32 * LEADING;
        for (x, piece) in line {
            let x = MARGIN + x;
            match piece {
                Piece::Text(s) => {
                    let bytes = s
                        .chars()
                        .map(|c| winansi::encode(c).unwrap_or(b'?'))
                        .collect();
                    text.push(Operation::new(
                        "Tm",
                        vec![1.into(), 0.into(), 0.into(), 1.into(), x.into(), y.into()],
                    ));
                    text.push(Operation::new(
                        "Tj",
                        vec![Object::String(bytes, StringFormat::Literal)],
                    ));
                }
                // From just below the descenders to just above the capitals.
                Piece::Bar(width) => bars.push(Operation::new(
                    "re",
                    vec![
                        x.into(),
                        (y - 0.25 * FONT_SIZE).into(),
                        (*width).into(),
                        FONT_SIZE.into(),
                    ],
                )),
            }
        }
    }
    text.push(Operation::new("ET", vec![]));
    // Bars go on top, so that text a little wider than measured cannot
    // show over the edge of one.
    if bars.len() > 1 {
        bars.push(Operation::new("f", vec![]));
        text.extend(bars);
    }
    Content { operations: text }
        .encode()
        .map_err(|e| Error::Rewrite(format!("a page could not be encoded: {e}")))
}

/// Writes the PDF: each element of `pages` is one input page's lines, which
/// start a new page and run onto more if they do not fit. Returns the file
/// and its number of pages.
pub(crate) fn pdf(pages: &[Vec<Line>]) -> Result<(Vec<u8>, usize), Error> {
    let mut doc = Document::with_version("1.4");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type1",
        "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    });
    let per_page = lines_per_page();
    let mut kids = Vec::new();
    for lines in pages {
        let mut chunks: Vec<&[Line]> = lines.chunks(per_page).collect();
        if chunks.is_empty() {
            chunks.push(&[]);
        }
        for chunk in chunks {
            let content_id = doc.add_object(Stream::new(dictionary! {}, content(chunk)?));
            let page_id = doc.add_object(dictionary! {
                "Type" => "Page",
                "Parent" => pages_id,
                "Contents" => content_id,
            });
            kids.push(Object::Reference(page_id));
        }
    }
    let count = kids.len();
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => kids,
            "Count" => count as i64,
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => font_id } },
            "MediaBox" => vec![0.into(), 0.into(), PAGE_WIDTH.into(), PAGE_HEIGHT.into()],
        }),
    );
    let catalog_id = doc.add_object(dictionary! {
        "Type" => "Catalog",
        "Pages" => pages_id,
    });
    doc.trailer.set("Root", catalog_id);
    doc.compress();

    let mut out = Vec::new();
    doc.save_to(&mut out)
        .map_err(|e| Error::Rewrite(format!("the PDF could not be written: {e}")))?;
    Ok((out, count))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(lines: &[Line]) -> Vec<String> {
        lines
            .iter()
            .map(|line| {
                line.iter()
                    .map(|(_, piece)| match piece {
                        Piece::Text(text) => text.clone(),
                        Piece::Bar(_) => "#".into(),
                    })
                    .collect()
            })
            .collect()
    }

    fn layout(text: &str, removed: &str) -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        let removed: Vec<bool> = removed
            .chars()
            .map(|c| c == '^')
            .chain(std::iter::repeat(false))
            .take(chars.len())
            .collect();
        texts(&lines(&chars, &removed))
    }

    #[test]
    fn removed_text_becomes_one_bar_and_is_not_written() {
        assert_eq!(
            layout("Dear John Smith's dog", "     ^^^^^^^^^^     "),
            ["Dear #'s dog"]
        );
        assert_eq!(
            layout("a\nJohn\nSmith\nb", "  ^^^^^^^^^^  "),
            ["a", "#", "b"]
        );
    }

    #[test]
    fn lines_wrap_and_paragraph_gaps_shrink_to_one_blank_line() {
        let long = "word ".repeat(60);
        let text = format!("{long}\n\n\n\nnext");
        let removed = " ".repeat(text.chars().count());
        let out = layout(&text, &removed);
        assert!(out.len() >= 3, "{out:?}");
        assert!(out.iter().all(|line| text_width(line) <= LINE_WIDTH));
        assert_eq!(out[out.len() - 2], "");
        assert_eq!(out[out.len() - 1], "next");
    }

    #[test]
    fn a_word_or_bar_wider_than_a_line_is_broken() {
        let text = "x".repeat(200);
        let out = layout(&text, &" ".repeat(200));
        assert!(out.len() > 1);
        assert_eq!(out.concat(), text);

        let chars: Vec<char> = text.chars().collect();
        let bars = lines(&chars, &[true; 200]);
        assert!(bars.len() > 1);
        for line in &bars {
            let end = line
                .iter()
                .map(|(x, p)| x + piece_width(p))
                .fold(0.0, f32::max);
            assert!(end <= LINE_WIDTH + 0.01);
        }
    }

    #[test]
    fn a_page_holds_fifty_odd_lines() {
        assert!((50..60).contains(&lines_per_page()));
    }
}
