//! National identifiers: the Police National Computer ID and the prison number.
//!
//! Both are parsed once at the edge (intake, the generator) into types that
//! can only hold well-formed values, so the rest of the lab never re-checks
//! them.

use std::fmt;
use std::str::FromStr;

/// What is wrong with a text that should have been an identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// The text does not have the identifier's shape at all.
    #[error("'{text}' is not in the {kind} format ({expected})")]
    Format {
        /// Which identifier was expected.
        kind: &'static str,
        /// The text as given (trimmed).
        text: String,
        /// A human description of the format, with an example.
        expected: &'static str,
    },
    /// The shape is right but the check character does not match the number,
    /// which almost always means a digit was mistyped.
    #[error(
        "'{text}' has check character {found} but its number needs {expected}: a digit or the year is probably mistyped"
    )]
    CheckCharacter {
        /// The text as given (trimmed).
        text: String,
        /// The check character the number calls for.
        expected: char,
        /// The check character in the text.
        found: char,
    },
}

/// The 23 letters a PNC check character can take, indexed by the remainder
/// mod 23. I, O and S are left out because they read like digits.
const PNC_CHECK_LETTERS: &[u8; 23] = b"ZABCDEFGHJKLMNPQRTUVWXY";

const PNC_FORMAT: &str = "year/serial and a check letter, e.g. 2008/0056560Z or 08/56560Z";

/// A Police National Computer identifier, such as `2008/0056560Z`.
///
/// It is the year the record was created, a serial number of up to seven
/// digits, and a check letter: the two-digit year followed by the serial
/// zero-padded to seven digits, read as one number, modulo 23, indexes
/// [`PNC_CHECK_LETTERS`]. Displayed in the long form (four-digit year, seven
/// digit serial); parsed from the long or the short form (`08/56560Z`), with
/// or without the slash, in any case, with surrounding spaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PncId {
    year: u16,
    serial: u32,
}

impl PncId {
    /// Largest serial number a PNC ID can carry (seven digits).
    pub const MAX_SERIAL: u32 = 9_999_999;

    /// Builds an identifier from its year (four digits) and serial number.
    pub fn new(year: u16, serial: u32) -> Option<Self> {
        ((1900..=2099).contains(&year) && serial <= Self::MAX_SERIAL)
            .then_some(Self { year, serial })
    }

    /// The year the record was created.
    pub fn year(self) -> u16 {
        self.year
    }

    /// The serial number within the year.
    pub fn serial(self) -> u32 {
        self.serial
    }

    /// The check letter this year and serial call for.
    pub fn check_char(self) -> char {
        pnc_check(self.year, self.serial)
    }
}

fn pnc_check(year: u16, serial: u32) -> char {
    let n = u64::from(year % 100) * 10_000_000 + u64::from(serial);
    PNC_CHECK_LETTERS[(n % 23) as usize] as char
}

impl fmt::Display for PncId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}/{:07}{}",
            self.year,
            self.serial,
            self.check_char()
        )
    }
}

impl FromStr for PncId {
    type Err = IdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let text = s.trim();
        let format_err = || IdError::Format {
            kind: "PNC ID",
            text: text.to_string(),
            expected: PNC_FORMAT,
        };
        let upper = text.to_ascii_uppercase();
        let (body, check) = match upper.as_bytes().split_last() {
            Some((&c, body)) if c.is_ascii_uppercase() => (body, c as char),
            _ => return Err(format_err()),
        };
        let body = std::str::from_utf8(body).map_err(|_| format_err())?;
        let (year_text, serial_text) = match body.split_once('/') {
            Some((y, s)) => (y, s),
            // Without a slash only the long form is unambiguous: 4 + 7 digits.
            None if body.len() == 11 => body.split_at(4),
            None => return Err(format_err()),
        };
        let all_digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(year_text) || !all_digits(serial_text) || serial_text.len() > 7 {
            return Err(format_err());
        }
        let year: u16 = match year_text.len() {
            4 => year_text.parse().map_err(|_| format_err())?,
            // The PNC went live in the 1970s, so a two-digit year of 70 or
            // more is in the 1900s and anything lower in the 2000s.
            2 => {
                let yy: u16 = year_text.parse().map_err(|_| format_err())?;
                if yy >= 70 { 1900 + yy } else { 2000 + yy }
            }
            _ => return Err(format_err()),
        };
        let serial: u32 = serial_text.parse().map_err(|_| format_err())?;
        let id = PncId::new(year, serial).ok_or_else(format_err)?;
        let expected = id.check_char();
        if expected != check {
            return Err(IdError::CheckCharacter {
                text: text.to_string(),
                expected,
                found: check,
            });
        }
        Ok(id)
    }
}

const PRISON_NUMBER_FORMAT: &str = "a letter, four digits and two letters, e.g. A1234BC";

/// A prison number (NOMS number), such as `A1234BC`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PrisonNumber([u8; 7]);

impl PrisonNumber {
    /// How many distinct prison numbers the format allows.
    pub const SPACE: u64 = 26 * 10_000 * 26 * 26;

    /// The prison number at position `n` of the format's space, in order
    /// A0000AA, A0000AB, ...; `None` past [`Self::SPACE`].
    pub fn from_index(n: u64) -> Option<Self> {
        if n >= Self::SPACE {
            return None;
        }
        let last = (n % 26) as u8;
        let second = ((n / 26) % 26) as u8;
        let digits = (n / 676) % 10_000;
        let first = (n / 6_760_000) as u8;
        let d = format!("{digits:04}");
        let d = d.as_bytes();
        Some(Self([
            b'A' + first,
            d[0],
            d[1],
            d[2],
            d[3],
            b'A' + second,
            b'A' + last,
        ]))
    }

    /// The prison number as text.
    pub fn as_str(&self) -> &str {
        // Only ASCII letters and digits are ever stored.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl fmt::Display for PrisonNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PrisonNumber {
    type Err = IdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let text = s.trim();
        let upper = text.to_ascii_uppercase();
        let b = upper.as_bytes();
        let ok = b.len() == 7
            && b[0].is_ascii_uppercase()
            && b[1..5].iter().all(u8::is_ascii_digit)
            && b[5..].iter().all(u8::is_ascii_uppercase);
        if !ok {
            return Err(IdError::Format {
                kind: "prison number",
                text: text.to_string(),
                expected: PRISON_NUMBER_FORMAT,
            });
        }
        let mut out = [0u8; 7];
        out.copy_from_slice(b);
        Ok(Self(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pnc_check_character_matches_the_published_algorithm() {
        // 08 followed by 0056560 is 80056560; 80056560 mod 23 = 0, so 'Z'.
        assert_eq!(80_056_560u64 % 23, 0);
        let id = PncId::new(2008, 56_560).unwrap();
        assert_eq!(id.check_char(), 'Z');
        assert_eq!(id.to_string(), "2008/0056560Z");
        // 99 followed by 0000001 is 990000001 = 23 * 43043478 + 7; the
        // eighth letter (index 7) of ZABCDEFGH... is G.
        assert_eq!(990_000_001u64 % 23, 7);
        assert_eq!(PncId::new(1999, 1).unwrap().check_char(), 'G');
    }

    #[test]
    fn pnc_parses_long_short_and_slashless_forms() {
        let id = PncId::new(2008, 56_560).unwrap();
        for text in [
            "2008/0056560Z",
            "08/56560Z",
            " 2008/0056560z ",
            "20080056560Z",
            "08/0056560Z",
        ] {
            assert_eq!(text.parse::<PncId>(), Ok(id), "{text}");
        }
        let short = format!("85/123{}", pnc_check(1985, 123));
        assert_eq!(
            short.parse::<PncId>().map(|p| (p.year(), p.serial())),
            Ok((1985, 123))
        );
    }

    #[test]
    fn pnc_rejects_wrong_check_and_bad_shapes() {
        match "2008/0056560A".parse::<PncId>() {
            Err(IdError::CheckCharacter {
                expected: 'Z',
                found: 'A',
                ..
            }) => {}
            other => panic!("expected a check-character error, got {other:?}"),
        }
        for bad in [
            "",
            "Z",
            "2008/",
            "/0056560Z",
            "2008/00565601Z",
            "2008/0056560",
            "abcd/0056560Z",
            "123/456Z",
            "2008-0056560Z",
        ] {
            assert!(
                matches!(bad.parse::<PncId>(), Err(IdError::Format { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn prison_numbers_round_trip_and_reject_bad_shapes() {
        let p: PrisonNumber = " a1234bc ".parse().unwrap();
        assert_eq!(p.to_string(), "A1234BC");
        assert_eq!(PrisonNumber::from_index(0).unwrap().to_string(), "A0000AA");
        assert_eq!(
            PrisonNumber::from_index(PrisonNumber::SPACE - 1)
                .unwrap()
                .to_string(),
            "Z9999ZZ"
        );
        assert!(PrisonNumber::from_index(PrisonNumber::SPACE).is_none());
        for bad in ["", "A1234B", "11234BC", "A123XBC", "A1234B1", "A1234BCD"] {
            assert!(bad.parse::<PrisonNumber>().is_err(), "{bad}");
        }
    }
}
