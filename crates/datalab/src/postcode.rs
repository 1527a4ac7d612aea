//! UK postcodes and the statistical regions their areas fall in.
//!
//! A postcode is stored normalised (upper case, one space before the inward
//! code), so that the linkage stage can compare areas, districts and sectors
//! by prefix.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A statistical region of the UK (the nine English regions, Wales,
/// Scotland and Northern Ireland), as the lab's comparison pools use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Region {
    /// North East England.
    NorthEast,
    /// North West England.
    NorthWest,
    /// Yorkshire and The Humber.
    Yorkshire,
    /// East Midlands.
    EastMidlands,
    /// West Midlands.
    WestMidlands,
    /// East of England.
    EastOfEngland,
    /// London.
    London,
    /// South East England.
    SouthEast,
    /// South West England.
    SouthWest,
    /// Wales.
    Wales,
    /// Scotland.
    Scotland,
    /// Northern Ireland.
    NorthernIreland,
}

impl Region {
    /// Every region, in the order the Office for National Statistics lists them.
    pub const ALL: [Region; 12] = [
        Region::NorthEast,
        Region::NorthWest,
        Region::Yorkshire,
        Region::EastMidlands,
        Region::WestMidlands,
        Region::EastOfEngland,
        Region::London,
        Region::SouthEast,
        Region::SouthWest,
        Region::Wales,
        Region::Scotland,
        Region::NorthernIreland,
    ];

    /// The region's name as people write it.
    pub fn name(self) -> &'static str {
        match self {
            Region::NorthEast => "North East",
            Region::NorthWest => "North West",
            Region::Yorkshire => "Yorkshire and The Humber",
            Region::EastMidlands => "East Midlands",
            Region::WestMidlands => "West Midlands",
            Region::EastOfEngland => "East of England",
            Region::London => "London",
            Region::SouthEast => "South East",
            Region::SouthWest => "South West",
            Region::Wales => "Wales",
            Region::Scotland => "Scotland",
            Region::NorthernIreland => "Northern Ireland",
        }
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Region {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key = |t: &str| {
            t.chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_ascii_lowercase()
        };
        let wanted = key(s);
        Region::ALL
            .into_iter()
            .find(|r| key(r.name()) == wanted || (wanted == "yorkshire" && *r == Region::Yorkshire))
            .ok_or_else(|| {
                let names: Vec<_> = Region::ALL.iter().map(|r| r.name()).collect();
                format!("unknown region '{s}'; use one of: {}", names.join(", "))
            })
    }
}

/// One postcode area: its letters, the region it lies in, roughly how many
/// thousand people live there (used to weight synthetic addresses), and its
/// highest district number.
#[derive(Debug, Clone, Copy)]
pub struct Area {
    /// The area's one or two letters, e.g. "M" or "LS".
    pub code: &'static str,
    /// The post town that names the area.
    pub town: &'static str,
    /// The statistical region most of the area lies in.
    pub region: Region,
    /// Approximate residents, in thousands.
    pub population_k: u32,
    /// Highest district number in the area (districts run 1..=this).
    pub districts: u8,
}

macro_rules! areas {
    ($($code:literal $town:literal $region:ident $pop:literal $districts:literal;)*) => {
        /// Every postcode area of the UK.
        pub const AREAS: &[Area] = &[
            $(Area { code: $code, town: $town, region: Region::$region, population_k: $pop, districts: $districts },)*
        ];
    };
}

areas! {
    "AB" "Aberdeen" Scotland 560 56;
    "AL" "St Albans" EastOfEngland 270 10;
    "B" "Birmingham" WestMidlands 1750 99;
    "BA" "Bath" SouthWest 430 22;
    "BB" "Blackburn" NorthWest 530 18;
    "BD" "Bradford" Yorkshire 680 24;
    "BH" "Bournemouth" SouthWest 560 31;
    "BL" "Bolton" NorthWest 410 9;
    "BN" "Brighton" SouthEast 870 45;
    "BR" "Bromley" London 380 8;
    "BS" "Bristol" SouthWest 1000 49;
    "BT" "Belfast" NorthernIreland 1900 94;
    "CA" "Carlisle" NorthWest 330 28;
    "CB" "Cambridge" EastOfEngland 460 25;
    "CF" "Cardiff" Wales 1000 83;
    "CH" "Chester" NorthWest 780 66;
    "CM" "Chelmsford" EastOfEngland 740 24;
    "CO" "Colchester" EastOfEngland 440 16;
    "CR" "Croydon" London 470 8;
    "CT" "Canterbury" SouthEast 560 21;
    "CV" "Coventry" WestMidlands 870 47;
    "CW" "Crewe" NorthWest 370 12;
    "DA" "Dartford" SouthEast 580 18;
    "DD" "Dundee" Scotland 270 11;
    "DE" "Derby" EastMidlands 910 75;
    "DG" "Dumfries" Scotland 150 16;
    "DH" "Durham" NorthEast 380 9;
    "DL" "Darlington" NorthEast 420 17;
    "DN" "Doncaster" Yorkshire 1000 41;
    "DT" "Dorchester" SouthWest 210 11;
    "DY" "Dudley" WestMidlands 640 14;
    "E" "London E" London 1500 20;
    "EC" "London EC" London 20 4;
    "EH" "Edinburgh" Scotland 950 55;
    "EN" "Enfield" London 430 11;
    "EX" "Exeter" SouthWest 710 39;
    "FK" "Falkirk" Scotland 410 21;
    "FY" "Blackpool" NorthWest 330 8;
    "G" "Glasgow" Scotland 1400 84;
    "GL" "Gloucester" SouthWest 690 56;
    "GU" "Guildford" SouthEast 980 52;
    "HA" "Harrow" London 590 9;
    "HD" "Huddersfield" Yorkshire 410 9;
    "HG" "Harrogate" Yorkshire 150 5;
    "HP" "Hemel Hempstead" EastOfEngland 490 27;
    "HR" "Hereford" WestMidlands 190 9;
    "HS" "Outer Hebrides" Scotland 27 9;
    "HU" "Hull" Yorkshire 580 20;
    "HX" "Halifax" Yorkshire 200 7;
    "IG" "Ilford" London 560 11;
    "IP" "Ipswich" EastOfEngland 740 33;
    "IV" "Inverness" Scotland 220 56;
    "KA" "Kilmarnock" Scotland 380 30;
    "KT" "Kingston upon Thames" London 790 24;
    "KW" "Kirkwall" Scotland 60 17;
    "KY" "Kirkcaldy" Scotland 390 16;
    "L" "Liverpool" NorthWest 1300 40;
    "LA" "Lancaster" NorthWest 350 23;
    "LD" "Llandrindod Wells" Wales 50 8;
    "LE" "Leicester" EastMidlands 1100 67;
    "LL" "Llandudno" Wales 490 78;
    "LN" "Lincoln" EastMidlands 350 13;
    "LS" "Leeds" Yorkshire 1100 29;
    "LU" "Luton" EastOfEngland 420 7;
    "M" "Manchester" NorthWest 1700 90;
    "ME" "Medway" SouthEast 740 20;
    "MK" "Milton Keynes" SouthEast 630 46;
    "ML" "Motherwell" Scotland 380 12;
    "N" "London N" London 1200 22;
    "NE" "Newcastle upon Tyne" NorthEast 1400 71;
    "NG" "Nottingham" EastMidlands 1300 34;
    "NN" "Northampton" EastMidlands 800 29;
    "NP" "Newport" Wales 640 26;
    "NR" "Norwich" EastOfEngland 730 35;
    "NW" "London NW" London 1000 11;
    "OL" "Oldham" NorthWest 510 16;
    "OX" "Oxford" SouthEast 640 49;
    "PA" "Paisley" Scotland 330 80;
    "PE" "Peterborough" EastOfEngland 1000 38;
    "PH" "Perth" Scotland 200 50;
    "PL" "Plymouth" SouthWest 550 35;
    "PO" "Portsmouth" SouthEast 1100 41;
    "PR" "Preston" NorthWest 650 26;
    "RG" "Reading" SouthEast 1000 45;
    "RH" "Redhill" SouthEast 720 20;
    "RM" "Romford" London 760 20;
    "S" "Sheffield" Yorkshire 1500 99;
    "SA" "Swansea" Wales 770 73;
    "SE" "London SE" London 1500 28;
    "SG" "Stevenage" EastOfEngland 520 19;
    "SK" "Stockport" NorthWest 780 23;
    "SL" "Slough" SouthEast 540 9;
    "SM" "Sutton" London 260 7;
    "SN" "Swindon" SouthWest 520 26;
    "SO" "Southampton" SouthEast 770 53;
    "SP" "Salisbury" SouthWest 250 11;
    "SR" "Sunderland" NorthEast 310 8;
    "SS" "Southend-on-Sea" EastOfEngland 580 17;
    "ST" "Stoke-on-Trent" WestMidlands 880 21;
    "SW" "London SW" London 1600 20;
    "SY" "Shrewsbury" WestMidlands 500 25;
    "TA" "Taunton" SouthWest 360 24;
    "TD" "Galashiels" Scotland 110 15;
    "TF" "Telford" WestMidlands 230 13;
    "TN" "Tonbridge" SouthEast 950 40;
    "TQ" "Torquay" SouthWest 330 14;
    "TR" "Truro" SouthWest 380 27;
    "TS" "Cleveland" NorthEast 710 29;
    "TW" "Twickenham" London 860 20;
    "UB" "Southall" London 550 11;
    "W" "London W" London 800 14;
    "WA" "Warrington" NorthWest 760 16;
    "WC" "London WC" London 25 2;
    "WD" "Watford" EastOfEngland 380 25;
    "WF" "Wakefield" Yorkshire 640 17;
    "WN" "Wigan" NorthWest 410 8;
    "WR" "Worcester" WestMidlands 450 15;
    "WS" "Walsall" WestMidlands 600 15;
    "WV" "Wolverhampton" WestMidlands 600 16;
    "YO" "York" Yorkshire 560 62;
    "ZE" "Lerwick" Scotland 23 3;
}

/// The postcode area with these letters, if there is one.
pub fn area(code: &str) -> Option<&'static Area> {
    AREAS.iter().find(|a| a.code == code)
}

/// Letters that may end a postcode: C, I, K, M, O and V are never used in the
/// inward code's last two places, so that handwriting is not misread.
pub const UNIT_LETTERS: &[u8; 20] = b"ABDEFGHJLNPQRSTUWXYZ";

const POSTCODE_FORMAT: &str = "an outward code (area letters and district, e.g. M14 or SW1A) and an inward code (a digit and two letters), e.g. M14 5QT";

/// What is wrong with a postcode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostcodeError {
    /// Not a postcode's shape.
    #[error("'{0}' is not a UK postcode: expected {POSTCODE_FORMAT}")]
    Format(String),
    /// The shape is right but there is no such postcode area.
    #[error("'{text}' starts with '{area}', which is not a UK postcode area")]
    UnknownArea {
        /// The postcode as given.
        text: String,
        /// The area letters that are not a real area.
        area: String,
    },
}

/// A full UK postcode, such as `M14 5QT`, stored normalised.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Postcode {
    text: String,
    area_len: u8,
}

impl Postcode {
    /// The normalised postcode, e.g. `M14 5QT`.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The area letters, e.g. `M`.
    pub fn area(&self) -> &str {
        &self.text[..usize::from(self.area_len)]
    }

    /// The outward code (the district), e.g. `M14`.
    pub fn district(&self) -> &str {
        &self.text[..self.text.len() - 4]
    }

    /// The sector: outward code, space and the inward digit, e.g. `M14 5`.
    pub fn sector(&self) -> &str {
        &self.text[..self.text.len() - 2]
    }

    /// The statistical region of the postcode's area.
    pub fn region(&self) -> Region {
        // Parsing only accepts known areas.
        area(self.area()).map_or(Region::London, |a| a.region)
    }
}

impl fmt::Display for Postcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for Postcode {
    type Err = PostcodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let compact: String = s
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        let format_err = || PostcodeError::Format(s.trim().to_string());
        let b = compact.as_bytes();
        if !(5..=7).contains(&b.len()) || !compact.is_ascii() {
            return Err(format_err());
        }
        let (outward, inward) = compact.split_at(b.len() - 3);
        let ib = inward.as_bytes();
        if !(ib[0].is_ascii_digit()
            && UNIT_LETTERS.contains(&ib[1])
            && UNIT_LETTERS.contains(&ib[2]))
        {
            return Err(format_err());
        }
        let area_len = outward.bytes().take_while(u8::is_ascii_uppercase).count();
        let rest = &outward.as_bytes()[area_len..];
        // Districts are one or two digits, or a digit and a letter (SW1A, W1T).
        let district_ok = match rest {
            [d] => d.is_ascii_digit(),
            [d1, d2] => d1.is_ascii_digit() && (d2.is_ascii_digit() || d2.is_ascii_uppercase()),
            _ => false,
        };
        if !(1..=2).contains(&area_len) || !district_ok {
            return Err(format_err());
        }
        let code = &outward[..area_len];
        if area(code).is_none() {
            return Err(PostcodeError::UnknownArea {
                text: s.trim().to_string(),
                area: code.to_string(),
            });
        }
        Ok(Postcode {
            text: format!("{outward} {inward}"),
            area_len: area_len as u8,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_and_splits_every_format() {
        for (raw, norm, area, district, sector) in [
            ("m1 1ae", "M1 1AE", "M", "M1", "M1 1"),
            ("M60  1NW", "M60 1NW", "M", "M60", "M60 1"),
            ("cr26xh", "CR2 6XH", "CR", "CR2", "CR2 6"),
            ("DN55 1PT", "DN55 1PT", "DN", "DN55", "DN55 1"),
            ("w1a 0ax", "W1A 0AX", "W", "W1A", "W1A 0"),
            ("EC1A 1BB", "EC1A 1BB", "EC", "EC1A", "EC1A 1"),
        ] {
            let p: Postcode = raw.parse().unwrap();
            assert_eq!(
                (p.as_str(), p.area(), p.district(), p.sector()),
                (norm, area, district, sector)
            );
        }
        assert_eq!(
            "LS1 4DY".parse::<Postcode>().unwrap().region(),
            Region::Yorkshire
        );
        assert_eq!(
            "BT7 1NN".parse::<Postcode>().unwrap().region(),
            Region::NorthernIreland
        );
    }

    #[test]
    fn rejects_bad_shapes_and_unknown_areas() {
        for bad in [
            "", "M1", "M1 1A", "1M 1AE", "M1 1CE", "M1 AAE", "MMM1 1AE", "M123 1AE", "M1 1AEX",
            "Mé1 1AE",
        ] {
            assert!(
                matches!(bad.parse::<Postcode>(), Err(PostcodeError::Format(_))),
                "{bad}"
            );
        }
        assert!(matches!(
            "QQ1 1AA".parse::<Postcode>(),
            Err(PostcodeError::UnknownArea { .. })
        ));
    }

    #[test]
    fn area_table_is_consistent() {
        let mut codes: Vec<_> = AREAS.iter().map(|a| a.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), AREAS.len(), "duplicate area");
        assert_eq!(AREAS.len(), 121);
        for region in Region::ALL {
            assert!(
                AREAS.iter().any(|a| a.region == region),
                "{region} has no area"
            );
            assert_eq!(region.name().parse::<Region>(), Ok(region));
        }
    }
}
