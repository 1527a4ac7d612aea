//! The text each page shows, read from its content stream.
//!
//! lopdf decodes the strings (its font encodings and ToUnicode maps), but its
//! own `extract_text` is not used for the input: it ignores text positioning,
//! so two lines drawn in one text object come out as one word
//! ("John" above "Smith" reads "JohnSmith") and text inside form XObjects is
//! never seen. This walker follows the text and graphics matrices instead,
//! starting a new line when the baseline moves and a space when the pen jumps
//! right by more than a thin space, and it reads forms and the visible
//! appearance of annotations (filled-in form fields, stamps) as well.
//!
//! Nothing here decides what is safe; it reports, per page, the text, whether
//! anything was painted at all, and whether some text was painted in a font
//! whose characters cannot be read.

use std::collections::HashMap;
use std::rc::Rc;

use lopdf::content::Content;
use lopdf::{Dictionary, Document, Encoding, Object, ObjectId, Stream};

use crate::{Error, winansi};

/// How much decompressed content the pages of one document, with their
/// forms and annotations, may have in all. Far above any real attachment; it
/// stops small compressed streams from inflating without limit, and a file
/// from repeating one such stream on page after page.
const CONTENT_LIMIT: usize = 256 * 1024 * 1024;

/// How much one font's ToUnicode map may decompress to; the largest real
/// ones (for Chinese or Japanese) are a few megabytes.
const FONT_LIMIT: usize = 16 * 1024 * 1024;

/// Forms inside forms deeper than this are taken as a loop or an attack.
const MAX_FORM_DEPTH: usize = 16;

/// What one page shows.
pub(crate) struct PageText {
    pub text: String,
    /// Anything at all is painted: text, paths, images, forms.
    pub paints: bool,
    /// Some text is painted in a font with no way to map its codes to
    /// characters, so there is text on the page that cannot be read.
    pub unreadable: bool,
}

/// Reads every page of `doc`, in order.
pub(crate) fn pages(doc: &Document) -> Result<Vec<PageText>, Error> {
    let mut fonts = HashMap::new();
    let mut budget = CONTENT_LIMIT;
    doc.get_pages()
        .into_values()
        .map(|page_id| page(doc, page_id, &mut fonts, &mut budget))
        .collect()
}

fn page<'a>(
    doc: &'a Document,
    page_id: ObjectId,
    fonts: &mut HashMap<*const Dictionary, Rc<Font<'a>>>,
    budget: &mut usize,
) -> Result<PageText, Error> {
    let mut walker = Walker {
        doc,
        fonts,
        text: String::new(),
        paints: false,
        unreadable: false,
        budget,
        pen: None,
        forms: Vec::new(),
    };

    let (direct, referenced) = doc
        .get_page_resources(page_id)
        .map_err(|e| Error::Unreadable(format!("a page's resources cannot be read: {e}")))?;
    let resources = Resources {
        dicts: direct
            .into_iter()
            .chain(
                referenced
                    .into_iter()
                    .filter_map(|id| doc.get_dictionary(id).ok()),
            )
            .collect(),
    };

    let mut content = Vec::new();
    for id in doc.get_page_contents(page_id) {
        // A content stream that is missing would read as a blank page.
        let stream = doc
            .get_object(id)
            .and_then(Object::as_stream)
            .map_err(|e| Error::Unreadable(format!("a page's content is missing: {e}")))?;
        content.extend(walker.decompress(stream)?);
        content.push(b'\n');
    }
    walker.walk(&content, &resources, GraphicsState::default())?;

    if let Ok(page) = doc.get_dictionary(page_id) {
        walker.annotations(page, &resources)?;
    }

    Ok(PageText {
        text: walker.text,
        paints: walker.paints,
        unreadable: walker.unreadable,
    })
}

/// An affine matrix `[a b c d e f]`, applied to row vectors as PDF does.
type Matrix = [f64; 6];

const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

fn multiply(m: &Matrix, n: &Matrix) -> Matrix {
    [
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    ]
}

fn translate(tx: f64, ty: f64) -> Matrix {
    [1.0, 0.0, 0.0, 1.0, tx, ty]
}

fn number(object: &Object) -> Option<f64> {
    match *object {
        Object::Integer(i) => Some(i as f64),
        Object::Real(r) => Some(f64::from(r)),
        _ => None,
    }
    .filter(|n| n.is_finite())
}

fn matrix(operands: &[Object]) -> Option<Matrix> {
    let numbers: Vec<f64> = operands.iter().filter_map(number).collect();
    <[f64; 6]>::try_from(numbers).ok()
}

fn operand(operands: &[Object], i: usize) -> f64 {
    operands.get(i).and_then(number).unwrap_or(0.0)
}

/// The resource dictionaries in scope, nearest first.
struct Resources<'a> {
    dicts: Vec<&'a Dictionary>,
}

impl<'a> Resources<'a> {
    fn get(
        &self,
        doc: &'a Document,
        category: &[u8],
        name: &[u8],
    ) -> Option<(Option<ObjectId>, &'a Object)> {
        self.dicts.iter().find_map(|&dict| {
            let (_, entries) = doc.dereference(dict.get(category).ok()?).ok()?;
            doc.dereference(entries.as_dict().ok()?.get(name).ok()?)
                .ok()
        })
    }
}

/// How to read a font's strings and how far each advances the pen.
struct Font<'a> {
    /// `None` when the codes cannot be mapped to characters.
    encoding: Option<Encoding<'a>>,
    /// Composite fonts use two-byte codes (Identity-H and the like).
    two_byte: bool,
    widths: Widths,
}

enum Widths {
    /// A simple font's `/Widths`, from `/FirstChar`, in text space units
    /// per unit of font size.
    Simple {
        first: i64,
        widths: Vec<f64>,
        missing: f64,
    },
    /// A composite font's `/W` and `/DW`.
    Composite {
        default: f64,
        single: HashMap<i64, f64>,
        ranges: Vec<(i64, i64, f64)>,
    },
    /// A standard font without `/Widths`: Helvetica's, or Courier's.
    Standard { monospace: bool },
}

impl Widths {
    fn of(&self, code: i64) -> f64 {
        match self {
            Widths::Simple {
                first,
                widths,
                missing,
            } => usize::try_from(code - first)
                .ok()
                .and_then(|i| widths.get(i).copied())
                .unwrap_or(*missing),
            Widths::Composite {
                default,
                single,
                ranges,
            } => single.get(&code).copied().unwrap_or_else(|| {
                ranges
                    .iter()
                    .find(|&&(from, to, _)| (from..=to).contains(&code))
                    .map_or(*default, |&(_, _, w)| w)
            }),
            Widths::Standard { monospace: true } => 0.6,
            Widths::Standard { monospace: false } => {
                let c = u8::try_from(code).map_or(' ', char::from);
                f64::from(winansi::width(c)) / 1000.0
            }
        }
    }
}

fn load_font<'a>(doc: &'a Document, dict: &'a Dictionary) -> Result<Font<'a>, Error> {
    let subtype = dict
        .get(b"Subtype")
        .and_then(Object::as_name)
        .unwrap_or(b"");
    let two_byte = subtype == b"Type0";
    let readable = !two_byte || dict.has(b"ToUnicode");
    let encoding = if readable {
        match dict.get_font_encoding_with_limit(doc, FONT_LIMIT) {
            Ok(encoding) => Some(encoding),
            Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded {
                ..
            })) => {
                return Err(Error::TooLarge);
            }
            Err(_) => None,
        }
    } else {
        // lopdf would fall back to reading two-byte glyph numbers as if they
        // were StandardEncoding text: letters, but not the page's.
        None
    };

    let get = |key: &[u8]| dict.get_deref(key, doc).ok();
    let widths = if two_byte {
        composite_widths(doc, dict)
    } else if let (Some(first), Some(Object::Array(widths))) =
        (get(b"FirstChar").and_then(number), get(b"Widths"))
    {
        // Type 3 glyphs are measured in their own glyph space.
        let scale = if subtype == b"Type3" {
            get(b"FontMatrix")
                .and_then(|m| m.as_array().ok())
                .and_then(|m| m.first())
                .and_then(number)
                .unwrap_or(0.001)
        } else {
            0.001
        };
        let missing = get(b"FontDescriptor")
            .and_then(|d| d.as_dict().ok())
            .and_then(|d| d.get_deref(b"MissingWidth", doc).ok())
            .and_then(number)
            .unwrap_or(0.0);
        Widths::Simple {
            first: first as i64,
            widths: widths
                .iter()
                .map(|w| {
                    doc.dereference(w)
                        .ok()
                        .and_then(|(_, w)| number(w))
                        .unwrap_or(0.0)
                        * scale
                })
                .collect(),
            missing: missing * scale,
        }
    } else {
        let base = get(b"BaseFont")
            .and_then(|n| n.as_name().ok())
            .unwrap_or(b"");
        Widths::Standard {
            monospace: base.windows(7).any(|w| w == b"Courier"),
        }
    };

    Ok(Font {
        encoding,
        two_byte,
        widths,
    })
}

fn resolve<'a>(doc: &'a Document, object: &'a Object) -> Option<&'a Object> {
    doc.dereference(object).ok().map(|(_, object)| object)
}

fn composite_widths(doc: &Document, dict: &Dictionary) -> Widths {
    let descendant = dict
        .get_deref(b"DescendantFonts", doc)
        .ok()
        .and_then(|d| d.as_array().ok())
        .and_then(|d| d.first())
        .and_then(|d| doc.dereference(d).ok())
        .and_then(|(_, d)| d.as_dict().ok());
    let mut single = HashMap::new();
    let mut ranges = Vec::new();
    let mut default = 1.0;
    if let Some(descendant) = descendant {
        if let Some(dw) = descendant.get_deref(b"DW", doc).ok().and_then(number) {
            default = dw / 1000.0;
        }
        let w = descendant
            .get_deref(b"W", doc)
            .ok()
            .and_then(|w| w.as_array().ok());
        let resolve = |o| resolve(doc, o);
        let mut items = w.into_iter().flatten().filter_map(resolve);
        while let Some(first) = items.next().and_then(number) {
            match items.next() {
                Some(Object::Array(list)) => {
                    for (i, w) in list.iter().filter_map(resolve).enumerate() {
                        if let Some(w) = number(w) {
                            single.insert(first as i64 + i as i64, w / 1000.0);
                        }
                    }
                }
                Some(last) => {
                    if let (Some(last), Some(w)) = (number(last), items.next().and_then(number)) {
                        ranges.push((first as i64, last as i64, w / 1000.0));
                    }
                }
                None => break,
            }
        }
    }
    Widths::Composite {
        default,
        single,
        ranges,
    }
}

/// The parts of the graphics state that place text.
#[derive(Clone)]
struct GraphicsState<'a> {
    ctm: Matrix,
    font: Option<Rc<Font<'a>>>,
    size: f64,
    char_spacing: f64,
    word_spacing: f64,
    horizontal_scale: f64,
    leading: f64,
}

impl Default for GraphicsState<'_> {
    fn default() -> Self {
        GraphicsState {
            ctm: IDENTITY,
            font: None,
            size: 0.0,
            char_spacing: 0.0,
            word_spacing: 0.0,
            horizontal_scale: 1.0,
            leading: 0.0,
        }
    }
}

/// Where the last string shown ended, in default user space.
#[derive(Clone, Copy)]
struct Pen {
    x: f64,
    y: f64,
    /// The font size as drawn, to judge distances by.
    size: f64,
}

struct Walker<'a, 'f> {
    doc: &'a Document,
    fonts: &'f mut HashMap<*const Dictionary, Rc<Font<'a>>>,
    text: String,
    paints: bool,
    unreadable: bool,
    /// Decompressed bytes the document may still use.
    budget: &'f mut usize,
    pen: Option<Pen>,
    /// The forms being read, innermost last, to stop at a form that draws
    /// itself.
    forms: Vec<ObjectId>,
}

impl<'a> Walker<'a, '_> {
    fn decompress(&mut self, stream: &Stream) -> Result<Vec<u8>, Error> {
        let data = stream
            .decompressed_content_with_limit(*self.budget)
            .map_err(|e| match e {
                lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded {
                    ..
                }) => Error::TooLarge,
                e => Error::Unreadable(format!("a content stream cannot be decompressed: {e}")),
            })?;
        *self.budget = self.budget.checked_sub(data.len()).ok_or(Error::TooLarge)?;
        Ok(data)
    }

    fn font(&mut self, dict: &'a Dictionary) -> Result<Rc<Font<'a>>, Error> {
        let key: *const Dictionary = dict;
        if let Some(font) = self.fonts.get(&key) {
            return Ok(Rc::clone(font));
        }
        let font = Rc::new(load_font(self.doc, dict)?);
        self.fonts.insert(key, Rc::clone(&font));
        Ok(font)
    }

    fn walk(
        &mut self,
        content: &[u8],
        resources: &Resources<'a>,
        mut gs: GraphicsState<'a>,
    ) -> Result<(), Error> {
        let content = Content::decode(content)
            .map_err(|e| Error::Unreadable(format!("a content stream cannot be parsed: {e}")))?;
        let mut saved: Vec<GraphicsState<'a>> = Vec::new();
        let mut tm = IDENTITY;
        let mut tlm = IDENTITY;
        for op in &content.operations {
            let ops = op.operands.as_slice();
            match op.operator.as_str() {
                "q" => saved.push(gs.clone()),
                "Q" => {
                    if let Some(previous) = saved.pop() {
                        gs = previous;
                    }
                }
                "cm" => {
                    if let Some(m) = matrix(ops) {
                        gs.ctm = multiply(&m, &gs.ctm);
                    }
                }
                "BT" => {
                    tm = IDENTITY;
                    tlm = IDENTITY;
                }
                "Tf" => {
                    gs.size = operand(ops, 1);
                    gs.font = None;
                    let name = ops.first().and_then(|n| n.as_name().ok());
                    if let Some((_, Object::Dictionary(dict))) =
                        name.and_then(|n| resources.get(self.doc, b"Font", n))
                    {
                        gs.font = Some(self.font(dict)?);
                    }
                }
                "Tc" => gs.char_spacing = operand(ops, 0),
                "Tw" => gs.word_spacing = operand(ops, 0),
                "Tz" => gs.horizontal_scale = operand(ops, 0) / 100.0,
                "TL" => gs.leading = operand(ops, 0),
                "Td" | "TD" => {
                    let (tx, ty) = (operand(ops, 0), operand(ops, 1));
                    if op.operator == "TD" {
                        gs.leading = -ty;
                    }
                    tlm = multiply(&translate(tx, ty), &tlm);
                    tm = tlm;
                }
                "Tm" => {
                    if let Some(m) = matrix(ops) {
                        tlm = m;
                        tm = m;
                    }
                }
                "T*" => {
                    tlm = multiply(&translate(0.0, -gs.leading), &tlm);
                    tm = tlm;
                }
                "Tj" => self.show(ops.first(), &gs, &mut tm),
                "'" | "\"" => {
                    let string = if op.operator == "'" {
                        ops.first()
                    } else {
                        gs.word_spacing = operand(ops, 0);
                        gs.char_spacing = operand(ops, 1);
                        ops.get(2)
                    };
                    tlm = multiply(&translate(0.0, -gs.leading), &tlm);
                    tm = tlm;
                    self.show(string, &gs, &mut tm);
                }
                "TJ" => {
                    let items = ops.first().and_then(|a| a.as_array().ok());
                    for item in items.into_iter().flatten() {
                        match number(item) {
                            Some(adjust) => {
                                let tx = -adjust / 1000.0 * gs.size * gs.horizontal_scale;
                                tm = multiply(&translate(tx, 0.0), &tm);
                            }
                            None => self.show(Some(item), &gs, &mut tm),
                        }
                    }
                }
                "S" | "s" | "f" | "F" | "f*" | "B" | "B*" | "b" | "b*" | "sh" | "BI" => {
                    self.paints = true;
                }
                "Do" => {
                    if let Some(name) = ops.first().and_then(|n| n.as_name().ok()) {
                        self.xobject(name, resources, &gs)?;
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Shows one string operand: reads its characters and moves the pen past
    /// it.
    fn show(&mut self, string: Option<&Object>, gs: &GraphicsState<'a>, tm: &mut Matrix) {
        let Some(Object::String(bytes, _)) = string else {
            return;
        };
        if bytes.is_empty() {
            return;
        }
        self.paints = true;

        let at = multiply(tm, &gs.ctm);
        let scale = at[2].hypot(at[3]);
        let size = (gs.size * scale).abs();
        self.separate(at, size);

        let Some(font) = gs.font.as_deref() else {
            self.unreadable = true;
            return;
        };
        match &font.encoding {
            Some(encoding) => {
                if encoding.write_to_string(bytes, &mut self.text).is_err() {
                    self.unreadable = true;
                }
            }
            None => self.unreadable = true,
        }

        let mut advance = 0.0;
        let mut add = |code: i64, single_space: bool| {
            let spacing = if single_space { gs.word_spacing } else { 0.0 };
            advance +=
                (font.widths.of(code) * gs.size + gs.char_spacing + spacing) * gs.horizontal_scale;
        };
        if font.two_byte {
            for pair in bytes.chunks(2) {
                let code = pair.iter().fold(0i64, |code, &b| code << 8 | i64::from(b));
                add(code, false);
            }
        } else {
            for &b in bytes {
                add(i64::from(b), b == b' ');
            }
        }
        *tm = multiply(&translate(advance, 0.0), tm);
        let end = multiply(tm, &gs.ctm);
        self.pen = Some(Pen {
            x: end[4],
            y: end[5],
            size,
        });
    }

    /// Puts a line break or a space between the last string and one about
    /// to be shown at `at`, if the pen moved enough to need one.
    fn separate(&mut self, at: Matrix, size: f64) {
        let Some(pen) = self.pen else {
            return;
        };
        let (dx, dy) = (at[4] - pen.x, at[5] - pen.y);
        // Measure along and across the new text's baseline, so rotated
        // pages read like upright ones.
        let length = at[0].hypot(at[1]);
        let (ux, uy) = if length > 0.0 {
            (at[0] / length, at[1] / length)
        } else {
            (1.0, 0.0)
        };
        let along = dx * ux + dy * uy;
        let across = dy * ux - dx * uy;
        let em = size.max(pen.size).max(f64::EPSILON);
        if across.abs() > 0.5 * em {
            self.text_break('\n');
        } else if along > 0.15 * em || along < -em {
            self.text_break(' ');
        }
    }

    fn text_break(&mut self, c: char) {
        match self.text.chars().next_back() {
            None | Some('\n') => {}
            Some(' ') if c == '\n' => {
                self.text.pop();
                self.text.push('\n');
            }
            Some(last) if last.is_whitespace() && c == ' ' => {}
            Some(_) => self.text.push(c),
        }
    }

    fn xobject(
        &mut self,
        name: &[u8],
        resources: &Resources<'a>,
        gs: &GraphicsState<'a>,
    ) -> Result<(), Error> {
        let Some((id, Object::Stream(stream))) = resources.get(self.doc, b"XObject", name) else {
            return Ok(());
        };
        if stream.dict.get(b"Subtype").and_then(Object::as_name).ok() != Some(b"Form") {
            // An image (or a PostScript fragment): painted, and unreadable
            // as text.
            self.paints = true;
            return Ok(());
        }
        self.form(id, stream, resources, gs.clone())
    }

    fn form(
        &mut self,
        id: Option<ObjectId>,
        stream: &'a Stream,
        outer: &Resources<'a>,
        mut gs: GraphicsState<'a>,
    ) -> Result<(), Error> {
        if id.is_some_and(|id| self.forms.contains(&id)) {
            self.paints = true;
            return Ok(());
        }
        if self.forms.len() >= MAX_FORM_DEPTH {
            return Err(Error::Unreadable("forms are nested too deeply".into()));
        }
        let content = self.decompress(stream)?;
        // A form without resources of its own uses its page's (an old
        // convention that readers still honour).
        let own = stream
            .dict
            .get_deref(b"Resources", self.doc)
            .ok()
            .and_then(|r| r.as_dict().ok());
        let resources = Resources {
            dicts: own.into_iter().chain(outer.dicts.iter().copied()).collect(),
        };
        if let Some(m) = stream
            .dict
            .get_deref(b"Matrix", self.doc)
            .ok()
            .and_then(|m| m.as_array().ok())
            .and_then(|m| matrix(m))
        {
            gs.ctm = multiply(&m, &gs.ctm);
        }
        self.forms.push(id.unwrap_or((0, 0)));
        let walked = self.walk(&content, &resources, gs);
        self.forms.pop();
        walked
    }

    /// Reads the appearance of each annotation a reader would show:
    /// filled-in form fields, free-text notes, stamps.
    fn annotations(
        &mut self,
        page: &'a Dictionary,
        resources: &Resources<'a>,
    ) -> Result<(), Error> {
        let doc = self.doc;
        let Ok(annotations) = page.get_deref(b"Annots", doc).and_then(Object::as_array) else {
            return Ok(());
        };
        for annotation in annotations {
            let Ok((_, Object::Dictionary(annotation))) = doc.dereference(annotation) else {
                continue;
            };
            let flags = annotation
                .get_deref(b"F", doc)
                .ok()
                .and_then(number)
                .unwrap_or(0.0) as i64;
            // Hidden (2) or NoView (32): not on the page.
            if flags & (2 | 32) != 0 {
                continue;
            }
            let normal = annotation
                .get_deref(b"AP", doc)
                .and_then(Object::as_dict)
                .and_then(|ap| ap.get(b"N"))
                .ok()
                .and_then(|n| doc.dereference(n).ok());
            let appearance = match normal {
                Some((id, Object::Stream(stream))) => Some((id, stream)),
                // One appearance per state (a check box): the current one.
                Some((_, Object::Dictionary(states))) => annotation
                    .get(b"AS")
                    .and_then(Object::as_name)
                    .and_then(|state| states.get(state))
                    .ok()
                    .and_then(|s| doc.dereference(s).ok())
                    .and_then(|(id, s)| s.as_stream().ok().map(|s| (id, s))),
                _ => None,
            };
            if let Some((id, stream)) = appearance {
                self.text_break('\n');
                self.pen = None;
                self.form(id, stream, resources, GraphicsState::default())?;
            }
        }
        Ok(())
    }
}
