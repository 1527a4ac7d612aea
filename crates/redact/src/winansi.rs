//! The output's one font: Helvetica in WinAnsiEncoding.
//!
//! Helvetica is one of the fourteen fonts every PDF reader has, so the output
//! needs no embedded font program (nothing of the input's fonts is carried
//! over, and there is no font file to ship). Its price is the character set:
//! WinAnsiEncoding is Windows-1252, so anything else is transliterated before
//! it is written (see [`crate::fold::writable`]).

/// The byte that stands for `c` in WinAnsiEncoding, if there is one.
///
/// The no-break space and the soft hyphen are left out on purpose: the writer
/// turns the first into a plain space and drops the second, so every byte it
/// writes reads back as the very character it was given.
pub(crate) fn encode(c: char) -> Option<u8> {
    let code = u32::from(c);
    match code {
        0x20..=0x7E => Some(code as u8),
        0xA1..=0xFF if code != 0xAD => Some(code as u8),
        _ => HIGH.iter().find(|&&(_, ch)| ch == c).map(|&(byte, _)| byte),
    }
}

/// Windows-1252's characters in 0x80..=0x9F, the part where it differs from
/// Latin-1.
const HIGH: [(u8, char); 27] = [
    (0x80, '\u{20AC}'),
    (0x82, '\u{201A}'),
    (0x83, '\u{0192}'),
    (0x84, '\u{201E}'),
    (0x85, '\u{2026}'),
    (0x86, '\u{2020}'),
    (0x87, '\u{2021}'),
    (0x88, '\u{02C6}'),
    (0x89, '\u{2030}'),
    (0x8A, '\u{0160}'),
    (0x8B, '\u{2039}'),
    (0x8C, '\u{0152}'),
    (0x8E, '\u{017D}'),
    (0x91, '\u{2018}'),
    (0x92, '\u{2019}'),
    (0x93, '\u{201C}'),
    (0x94, '\u{201D}'),
    (0x95, '\u{2022}'),
    (0x96, '\u{2013}'),
    (0x97, '\u{2014}'),
    (0x98, '\u{02DC}'),
    (0x99, '\u{2122}'),
    (0x9A, '\u{0161}'),
    (0x9B, '\u{203A}'),
    (0x9C, '\u{0153}'),
    (0x9E, '\u{017E}'),
    (0x9F, '\u{0178}'),
];

/// Every character [`encode`] accepts, for tests.
#[cfg(test)]
pub(crate) fn all() -> impl Iterator<Item = char> {
    (0x20u32..=0xFF)
        .filter_map(char::from_u32)
        .chain(HIGH.iter().map(|&(_, c)| c))
        .filter(|&c| encode(c).is_some())
}

/// Helvetica's advance widths for printable ASCII, in thousandths of an em,
/// from Adobe's font metrics.
const ASCII_WIDTHS: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278,
    278, // ' '..'/'
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584,
    556, // '0'..'?'
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722,
    778, // '@'..'O'
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469,
    556, // 'P'..'_'
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556,
    556, // '`'..'o'
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // 'p'..'~'
];

/// The advance width of `c` in Helvetica, in thousandths of an em.
///
/// Exact for ASCII; an accented letter takes its base letter's width, which
/// is what Helvetica's metrics give them too. Everything else gets a typical
/// width: the number only places words on a line and sizes the black bars,
/// so being a little off costs some white space, never text.
pub(crate) fn width(c: char) -> u16 {
    if let Some(&w) = (c as usize)
        .checked_sub(0x20)
        .and_then(|i| ASCII_WIDTHS.get(i))
    {
        return w;
    }
    match c {
        '\u{2014}' | '\u{2026}' | '\u{2030}' | '\u{00C6}' | '\u{0152}' => 1000,
        '\u{2022}' => 350,
        _ => deunicode::deunicode_char(c)
            .and_then(|s| s.chars().next())
            .filter(char::is_ascii_alphanumeric)
            .map_or(556, width),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_ascii_latin1_and_windows_extras() {
        assert_eq!(encode('A'), Some(b'A'));
        assert_eq!(encode('é'), Some(0xE9));
        assert_eq!(encode('€'), Some(0x80));
        assert_eq!(encode('’'), Some(0x92));
        assert_eq!(encode('\u{00A0}'), None);
        assert_eq!(encode('\u{00AD}'), None);
        assert_eq!(encode('Ł'), None);
        assert_eq!(encode('\n'), None);
    }

    #[test]
    fn widths_are_helvetica() {
        assert_eq!(width(' '), 278);
        assert_eq!(width('W'), 944);
        assert_eq!(width('i'), 222);
        assert_eq!(width('~'), 584);
        assert_eq!(width('é'), 556);
        assert_eq!(width('Ì'), 278);
        assert_eq!(width('—'), 1000);
    }
}
