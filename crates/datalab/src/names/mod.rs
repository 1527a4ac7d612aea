//! Names: reference tables and samplers for the synthetic national dataset,
//! and the nickname, spelling-variant and folding rules the linkage engine
//! uses to recognise the same name written differently.
//!
//! All tables here are **synthetic approximations** written by hand from
//! general knowledge of naming in England and Wales (which first names were
//! common in which decades, which surnames are common in each community).
//! They are not copied from, and do not reproduce, any register or published
//! frequency list; the weights are plausible relative frequencies, not
//! statistics.
//!
//! # What the generator gets
//!
//! - [`Heritage::sample`] turns a census ethnic group into a naming
//!   heritage. Each heritage is a weighted mix of traditions whose names
//!   belong together (East European: Polish, Romanian, Baltic, Central
//!   European, Albanian; Indian: Sikh, Gujarati, other Hindu, Goan; ...).
//! - [`full_name`] draws forename, middle names and surname from one
//!   tradition, so a person's names are coherent (Gurpreet Kaur Sandhu,
//!   Łukasz Piotr Kowalski, Abdirahman Mohamed Farah). **Prefer it.**
//! - [`forename`], [`middle_names`], [`surname`], [`surname_for`] draw the
//!   parts separately with the same distributions: middle names follow the
//!   forename's tradition, but the surname is drawn independently, so
//!   traditions can mix within a heritage (Gurpreet Patel).
//!
//! Forenames: British names in four birth-era bands (before 1970, 1970-84,
//! 1985-96, 1997 on, edges blurred by two years); a share of Irish and
//! Caribbean people get British names of their era. Middle names: none,
//! one or two; Somali, Eritrean, Arab and Gujarati first middle names are
//! the father's name, so male. Surnames: mostly from a Zipf-like table per
//! tradition, 5-15% synthesised from tradition-typical parts so that many
//! people share their surname with few others, 1% double-barrelled for
//! British, both family names for some Portuguese and Spanish people, and
//! (given the gender) the feminine form where the tradition genders
//! surnames (Kowalska, Kazlauskienė, Papadopoulou, Ní Bhriain), Kaur for
//! Sikh women, Begum/Khatun/Bibi for some Bangladeshi and Pakistani women.
//!
//! Every sampler is deterministic in the generator's state: tables are fixed
//! arrays (no hash-map iteration), and draws use integer cumulative weights
//! searched by bisection, built once.
//!
//! # What the linker gets
//!
//! - [`fold`]: the canonical comparison form (ASCII, lower case, no
//!   apostrophes, single spaces).
//! - [`same_first_name`]: equal after folding, or related through the
//!   [`NICKNAMES`] and [`SPELLING_VARIANTS`] tables. The relation is *not*
//!   transitive: "Bert" matches both Robert and Albert, but Robert does not
//!   match Albert.
//! - [`nicknames`], [`spelling_variants`].
//!
//! Deliberate non-matches: Sean and Shane (historically related, but in
//! practice different names), Robert and Roberta, Jack and Jake, Louis and
//! Luis. Cross-language cognates match only where the English form is the
//! one commonly adopted in the UK (Piotr/Peter, Katarzyna/Kate): those are
//! listed as nicknames of the foreign formal name, so Peter still does not
//! match Pedro.

#[rustfmt::skip]
mod forenames;
#[rustfmt::skip]
mod nicknames;
#[rustfmt::skip]
mod surnames;

use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

use rand::{Rng, RngExt};

use self::forenames::Weighted;
pub use self::nicknames::{NICKNAMES, SPELLING_VARIANTS};
use crate::person::{Ethnicity, Gender};

// ---------------------------------------------------------------------------
// Heritage
// ---------------------------------------------------------------------------

/// Family naming tradition a synthetic person's names are drawn from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Heritage {
    /// English, Welsh, Scottish and Northern Irish families.
    British,
    /// Irish families, including Irish Travellers.
    Irish,
    /// Polish, Romanian, Lithuanian, Latvian, Slovak, Czech, Bulgarian,
    /// Hungarian, Ukrainian and Albanian.
    EastEuropean,
    /// Portuguese, Italian, Spanish, Greek and Greek Cypriot.
    SouthernEuropean,
    /// Jamaican and other Caribbean families.
    Caribbean,
    /// Nigerian, Ghanaian and Sierra Leonean.
    WestAfrican,
    /// Somali, Eritrean, Ethiopian and Sudanese.
    EastAfrican,
    /// Pakistani (including Kashmiri).
    Pakistani,
    /// Bangladeshi (mostly Sylheti).
    Bangladeshi,
    /// Indian: Hindu, Sikh and Gujarati names.
    Indian,
    /// Chinese: Hong Kong and mainland.
    Chinese,
    /// Arab, plus the Afghan and other Muslim names recorded under "Other".
    Arab,
    /// Turkish, Turkish Cypriot and Kurdish.
    Turkish,
}

impl Heritage {
    /// Every heritage, in declaration order.
    pub const ALL: [Heritage; 13] = [
        Heritage::British,
        Heritage::Irish,
        Heritage::EastEuropean,
        Heritage::SouthernEuropean,
        Heritage::Caribbean,
        Heritage::WestAfrican,
        Heritage::EastAfrican,
        Heritage::Pakistani,
        Heritage::Bangladeshi,
        Heritage::Indian,
        Heritage::Chinese,
        Heritage::Arab,
        Heritage::Turkish,
    ];

    /// A short human-readable name.
    pub fn name(self) -> &'static str {
        match self {
            Heritage::British => "British",
            Heritage::Irish => "Irish",
            Heritage::EastEuropean => "East European",
            Heritage::SouthernEuropean => "Southern European",
            Heritage::Caribbean => "Caribbean",
            Heritage::WestAfrican => "West African",
            Heritage::EastAfrican => "East African",
            Heritage::Pakistani => "Pakistani",
            Heritage::Bangladeshi => "Bangladeshi",
            Heritage::Indian => "Indian",
            Heritage::Chinese => "Chinese",
            Heritage::Arab => "Arab",
            Heritage::Turkish => "Turkish",
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    /// Draws a heritage consistent with a census ethnic group, in proportions
    /// roughly like the offender population of England and Wales. White is
    /// mostly British with Irish, East and Southern European minorities;
    /// Black is Caribbean, West African or East African; Asian is mostly
    /// Pakistani, Indian and Bangladeshi; Mixed is British-heavy with
    /// Caribbean and African; Other is mostly Arab, Afghan and Turkish/Kurdish;
    /// Not stated is drawn like the population as a whole.
    pub fn sample<R: Rng + ?Sized>(ethnicity: Ethnicity, rng: &mut R) -> Heritage {
        use Heritage::*;
        // Per-mille weights; each row sums to 1000.
        let shares: &[(Heritage, u32)] = match ethnicity {
            Ethnicity::White => &[
                (British, 830),
                (Irish, 40),
                (EastEuropean, 90),
                (SouthernEuropean, 30),
                (Turkish, 10),
            ],
            Ethnicity::Black => &[(Caribbean, 450), (WestAfrican, 350), (EastAfrican, 200)],
            Ethnicity::Asian => &[
                (Pakistani, 460),
                (Indian, 240),
                (Bangladeshi, 180),
                (Chinese, 50),
                (Arab, 70),
            ],
            Ethnicity::Mixed => &[
                (British, 550),
                (Caribbean, 300),
                (WestAfrican, 60),
                (EastAfrican, 20),
                (Irish, 30),
                (Pakistani, 20),
                (Indian, 20),
            ],
            Ethnicity::Other => &[
                (Arab, 400),
                (Turkish, 200),
                (Chinese, 50),
                (EastAfrican, 70),
                (Pakistani, 50),
                (SouthernEuropean, 50),
                (EastEuropean, 50),
                (British, 80),
                (WestAfrican, 50),
            ],
            Ethnicity::NotStated => {
                // Like the offender population as a whole.
                const OVERALL: [(Ethnicity, u32); 5] = [
                    (Ethnicity::White, 740),
                    (Ethnicity::Black, 120),
                    (Ethnicity::Asian, 80),
                    (Ethnicity::Mixed, 45),
                    (Ethnicity::Other, 15),
                ];
                let e = pick_weighted(&OVERALL, rng);
                return Heritage::sample(e, rng);
            }
        };
        pick_weighted(shares, rng)
    }
}

impl fmt::Display for Heritage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Linear weighted choice over a short list (heritage and ethnicity rows).
fn pick_weighted<T: Copy, R: Rng + ?Sized>(items: &[(T, u32)], rng: &mut R) -> T {
    let total: u32 = items.iter().map(|&(_, w)| w).sum();
    let mut x = rng.random_range(0..total);
    for &(item, w) in items {
        if x < w {
            return item;
        }
        x -= w;
    }
    items[items.len() - 1].0
}

// ---------------------------------------------------------------------------
// Traditions within a heritage
// ---------------------------------------------------------------------------

/// How rare surnames are synthesised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Synth {
    British,
    Irish,
    Polish,
    Romanian,
    Baltic,
    Bulgarian,
    Albanian,
    Portuguese,
    Italian,
    Spanish,
    Greek,
    Yoruba,
    Igbo,
    Akan,
    Mande,
    Somali,
    Habesha,
    Pakistani,
    Bangladeshi,
    Sikh,
    Indian,
    Cantonese,
    Pinyin,
    Arab,
    Turkish,
}

/// A naming tradition within a heritage (Polish within East European,
/// Sikh within Indian), whose given names and surnames belong together.
struct Tradition {
    /// Share of the heritage, per mille.
    share: u32,
    /// Given names; empty for the British era tables.
    male: Weighted,
    female: Weighted,
    /// Share of given names drawn from the British era tables instead
    /// (people born and raised in Britain).
    british_blend: f64,
    /// Given names shared across the heritage's traditions (Christian names
    /// in Nigeria and Ghana), and the share drawn from them.
    shared: Option<(f64, Weighted, Weighted)>,
    surnames: Weighted,
    synth: Synth,
    /// Share of compound surnames and their separator: double-barrelled
    /// (Smith-Jones) for British, both family names (Pereira Gonçalves) for
    /// Portuguese and Spanish.
    compound: (f64, &'static str),
    /// The first middle name is the father's given name (Somali, Eritrean,
    /// Arab, Gujarati), so always a man's name.
    patronymic: bool,
}

const fn tradition(
    share: u32,
    male: Weighted,
    female: Weighted,
    surnames: Weighted,
    synth: Synth,
) -> Tradition {
    Tradition {
        share,
        male,
        female,
        british_blend: 0.0,
        shared: None,
        surnames,
        synth,
        compound: (0.0, ""),
        patronymic: false,
    }
}

/// The traditions making up each heritage.
#[rustfmt::skip]
fn traditions(heritage: Heritage) -> &'static [Tradition] {
    use forenames as f;
    use surnames as s;
    const WA_CHRISTIAN: (Weighted, Weighted) = (f::WEST_AFRICAN_CHRISTIAN_MALE, f::WEST_AFRICAN_CHRISTIAN_FEMALE);
    static BRITISH: [Tradition; 1] =
        [Tradition { compound: (0.01, "-"), ..tradition(1000, &[], &[], s::BRITISH, Synth::British) }];
    static IRISH: [Tradition; 1] = [Tradition {
        british_blend: 0.25,
        ..tradition(1000, f::IRISH_MALE, f::IRISH_FEMALE, s::IRISH, Synth::Irish)
    }];
    static EAST_EUROPEAN: [Tradition; 5] = [
        tradition(450, f::POLISH_MALE, f::POLISH_FEMALE, s::POLISH, Synth::Polish),
        tradition(280, f::ROMANIAN_MALE, f::ROMANIAN_FEMALE, s::ROMANIAN, Synth::Romanian),
        tradition(120, f::BALTIC_MALE, f::BALTIC_FEMALE, s::BALTIC, Synth::Baltic),
        tradition(
            90,
            f::CENTRAL_EUROPEAN_MALE,
            f::CENTRAL_EUROPEAN_FEMALE,
            s::CENTRAL_EUROPEAN,
            Synth::Bulgarian,
        ),
        tradition(60, f::ALBANIAN_MALE, f::ALBANIAN_FEMALE, s::ALBANIAN, Synth::Albanian),
    ];
    static SOUTHERN_EUROPEAN: [Tradition; 4] = [
        Tradition {
            compound: (0.15, " "),
            ..tradition(450, f::PORTUGUESE_MALE, f::PORTUGUESE_FEMALE, s::PORTUGUESE, Synth::Portuguese)
        },
        tradition(250, f::ITALIAN_MALE, f::ITALIAN_FEMALE, s::ITALIAN, Synth::Italian),
        Tradition {
            compound: (0.25, " "),
            ..tradition(130, f::SPANISH_MALE, f::SPANISH_FEMALE, s::SPANISH, Synth::Spanish)
        },
        tradition(170, f::GREEK_MALE, f::GREEK_FEMALE, s::GREEK, Synth::Greek),
    ];
    static CARIBBEAN: [Tradition; 1] = [Tradition {
        british_blend: 0.35,
        ..tradition(1000, f::CARIBBEAN_MALE, f::CARIBBEAN_FEMALE, s::CARIBBEAN, Synth::British)
    }];
    static WEST_AFRICAN: [Tradition; 4] = [
        Tradition {
            shared: Some((0.35, WA_CHRISTIAN.0, WA_CHRISTIAN.1)),
            ..tradition(380, f::YORUBA_MALE, f::YORUBA_FEMALE, s::YORUBA, Synth::Yoruba)
        },
        Tradition {
            shared: Some((0.40, WA_CHRISTIAN.0, WA_CHRISTIAN.1)),
            ..tradition(270, f::IGBO_MALE, f::IGBO_FEMALE, s::IGBO, Synth::Igbo)
        },
        Tradition {
            shared: Some((0.35, WA_CHRISTIAN.0, WA_CHRISTIAN.1)),
            ..tradition(230, f::GHANAIAN_MALE, f::GHANAIAN_FEMALE, s::GHANAIAN, Synth::Akan)
        },
        tradition(
            120,
            f::WEST_AFRICAN_MUSLIM_MALE,
            f::WEST_AFRICAN_MUSLIM_FEMALE,
            s::WEST_AFRICAN_MUSLIM,
            Synth::Mande,
        ),
    ];
    static EAST_AFRICAN: [Tradition; 2] = [
        Tradition {
            patronymic: true,
            ..tradition(700, f::SOMALI_MALE, f::SOMALI_FEMALE, s::SOMALI, Synth::Somali)
        },
        Tradition {
            patronymic: true,
            ..tradition(300, f::HABESHA_MALE, f::HABESHA_FEMALE, s::HABESHA, Synth::Habesha)
        },
    ];
    static PAKISTANI: [Tradition; 1] =
        [tradition(1000, f::PAKISTANI_MALE, f::PAKISTANI_FEMALE, s::PAKISTANI, Synth::Pakistani)];
    static BANGLADESHI: [Tradition; 1] = [tradition(
        1000,
        f::BANGLADESHI_MALE,
        f::BANGLADESHI_FEMALE,
        s::BANGLADESHI,
        Synth::Bangladeshi,
    )];
    static INDIAN: [Tradition; 4] = [
        tradition(380, f::SIKH_MALE, f::SIKH_FEMALE, s::SIKH, Synth::Sikh),
        Tradition {
            patronymic: true,
            ..tradition(350, f::HINDU_MALE, f::HINDU_FEMALE, s::GUJARATI, Synth::Indian)
        },
        tradition(220, f::HINDU_MALE, f::HINDU_FEMALE, s::INDIAN_OTHER, Synth::Indian),
        tradition(50, f::GOAN_MALE, f::GOAN_FEMALE, s::GOAN, Synth::Portuguese),
    ];
    static CHINESE: [Tradition; 2] = [
        tradition(550, f::CANTONESE_MALE, f::CANTONESE_FEMALE, s::CANTONESE, Synth::Cantonese),
        tradition(450, f::MANDARIN_MALE, f::MANDARIN_FEMALE, s::MANDARIN, Synth::Pinyin),
    ];
    static ARAB: [Tradition; 1] = [Tradition {
        patronymic: true,
        ..tradition(1000, f::ARAB_MALE, f::ARAB_FEMALE, s::ARAB, Synth::Arab)
    }];
    static TURKISH: [Tradition; 1] =
        [tradition(1000, f::TURKISH_MALE, f::TURKISH_FEMALE, s::TURKISH, Synth::Turkish)];
    match heritage {
        Heritage::British => &BRITISH,
        Heritage::Irish => &IRISH,
        Heritage::EastEuropean => &EAST_EUROPEAN,
        Heritage::SouthernEuropean => &SOUTHERN_EUROPEAN,
        Heritage::Caribbean => &CARIBBEAN,
        Heritage::WestAfrican => &WEST_AFRICAN,
        Heritage::EastAfrican => &EAST_AFRICAN,
        Heritage::Pakistani => &PAKISTANI,
        Heritage::Bangladeshi => &BANGLADESHI,
        Heritage::Indian => &INDIAN,
        Heritage::Chinese => &CHINESE,
        Heritage::Arab => &ARAB,
        Heritage::Turkish => &TURKISH,
    }
}

/// The British forename table for an era band (0: before 1970, 1: 1970-84,
/// 2: 1985-96, 3: 1997 on).
fn british_source(gender: Gender, band: usize) -> Weighted {
    use forenames::*;
    match (band, gender) {
        (0, Gender::Male) => BRITISH_MALE_PRE1970,
        (1, Gender::Male) => BRITISH_MALE_1970_1984,
        (2, Gender::Male) => BRITISH_MALE_1985_1996,
        (_, Gender::Male) => BRITISH_MALE_1997_ON,
        (0, Gender::Female) => BRITISH_FEMALE_PRE1970,
        (1, Gender::Female) => BRITISH_FEMALE_1970_1984,
        (2, Gender::Female) => BRITISH_FEMALE_1985_1996,
        (_, Gender::Female) => BRITISH_FEMALE_1997_ON,
    }
}

// ---------------------------------------------------------------------------
// Weighted tables, built once
// ---------------------------------------------------------------------------

/// A weighted name table ready for sampling: cumulative integer weights and,
/// per entry, the masculine/unmarked and the feminine form.
struct Table {
    names: Box<[&'static str]>,
    feminine: Box<[&'static str]>,
    cumulative: Box<[u32]>,
}

impl Table {
    fn new(entries: Weighted) -> Table {
        let mut names = Vec::with_capacity(entries.len());
        let mut feminine = Vec::with_capacity(entries.len());
        let mut cumulative = Vec::with_capacity(entries.len());
        let mut total = 0u32;
        for &(name, weight) in entries {
            let (m, f) = name.split_once('|').unwrap_or((name, name));
            names.push(m);
            feminine.push(f);
            total += weight;
            cumulative.push(total);
        }
        assert!(total > 0, "empty name table");
        Table {
            names: names.into(),
            feminine: feminine.into(),
            cumulative: cumulative.into(),
        }
    }

    fn index<R: Rng + ?Sized>(&self, rng: &mut R) -> usize {
        let total = self.cumulative[self.cumulative.len() - 1];
        let x = rng.random_range(0..total);
        self.cumulative.partition_point(|&c| c <= x)
    }

    fn pick<R: Rng + ?Sized>(&self, rng: &mut R) -> &'static str {
        self.names[self.index(rng)]
    }

    fn pick_for<R: Rng + ?Sized>(&self, gender: Option<Gender>, rng: &mut R) -> &'static str {
        let i = self.index(rng);
        match gender {
            Some(Gender::Female) => self.feminine[i],
            _ => self.names[i],
        }
    }
}

struct BuiltTradition {
    /// `[male, female]`; `None` for the British era tables.
    given: Option<[Table; 2]>,
    shared: Option<(f64, [Table; 2])>,
    surnames: Table,
}

struct BuiltHeritage {
    traditions: Box<[BuiltTradition]>,
    /// Cumulative tradition shares.
    cumulative: Box<[u32]>,
    /// Given name -> the traditions whose own tables list it.
    by_forename: HashMap<&'static str, Vec<usize>, BuildHasherDefault<Fnv>>,
}

struct Tables {
    /// British forenames: `[era band][gender]`.
    british: [[Table; 2]; 4],
    heritages: Box<[BuiltHeritage]>,
    bangladeshi_women: Table,
    pakistani_women: Table,
}

fn gender_index(g: Gender) -> usize {
    match g {
        Gender::Male => 0,
        Gender::Female => 1,
    }
}

fn build_heritage(heritage: Heritage) -> BuiltHeritage {
    let list = traditions(heritage);
    let mut by_forename: HashMap<&'static str, Vec<usize>, BuildHasherDefault<Fnv>> =
        HashMap::default();
    let mut cumulative = Vec::with_capacity(list.len());
    let mut total = 0;
    let built = list
        .iter()
        .enumerate()
        .map(|(i, t)| {
            total += t.share;
            cumulative.push(total);
            for &(name, _) in t.male.iter().chain(t.female) {
                let entry = by_forename.entry(name).or_default();
                if entry.last() != Some(&i) {
                    entry.push(i);
                }
            }
            BuiltTradition {
                given: (!t.male.is_empty()).then(|| [Table::new(t.male), Table::new(t.female)]),
                shared: t
                    .shared
                    .map(|(p, m, f)| (p, [Table::new(m), Table::new(f)])),
                surnames: Table::new(t.surnames),
            }
        })
        .collect();
    BuiltHeritage {
        traditions: built,
        cumulative: cumulative.into(),
        by_forename,
    }
}

static TABLES: LazyLock<Tables> = LazyLock::new(|| Tables {
    british: std::array::from_fn(|band| {
        [Gender::Male, Gender::Female].map(|g| Table::new(british_source(g, band)))
    }),
    heritages: Heritage::ALL.iter().map(|&h| build_heritage(h)).collect(),
    bangladeshi_women: Table::new(surnames::BANGLADESHI_WOMEN),
    pakistani_women: Table::new(surnames::PAKISTANI_WOMEN),
});

/// Draws one of the heritage's traditions by share (no draw if only one).
fn pick_tradition<R: Rng + ?Sized>(heritage: Heritage, rng: &mut R) -> usize {
    let cumulative = &TABLES.heritages[heritage.index()].cumulative;
    if cumulative.len() == 1 {
        return 0;
    }
    let x = rng.random_range(0..cumulative[cumulative.len() - 1]);
    cumulative.partition_point(|&c| c <= x)
}

/// The tradition a given name most plausibly comes from: one whose table
/// lists it (a random one of several), else a random tradition.
fn tradition_of<R: Rng + ?Sized>(heritage: Heritage, forename: &str, rng: &mut R) -> usize {
    match TABLES.heritages[heritage.index()].by_forename.get(forename) {
        Some(list) if list.len() == 1 => list[0],
        Some(list) => list[rng.random_range(0..list.len())],
        None => pick_tradition(heritage, rng),
    }
}

// ---------------------------------------------------------------------------
// Forenames and middle names
// ---------------------------------------------------------------------------

/// British era band of a birth year: before 1970, 1970-84, 1985-96, 1997 on.
fn era_band(year: i32) -> usize {
    match year {
        ..1970 => 0,
        1970..1985 => 1,
        1985..1997 => 2,
        _ => 3,
    }
}

fn british_forename<R: Rng + ?Sized>(gender: Gender, birth_year: i32, rng: &mut R) -> &'static str {
    // Blur band edges by up to two years either way: name fashions don't
    // change on 1 January.
    let year = birth_year + rng.random_range(-2..=2);
    TABLES.british[era_band(year)][gender_index(gender)].pick(rng)
}

fn forename_in<R: Rng + ?Sized>(
    heritage: Heritage,
    tradition: usize,
    gender: Gender,
    birth_year: i32,
    rng: &mut R,
) -> &'static str {
    let spec = &traditions(heritage)[tradition];
    let built = &TABLES.heritages[heritage.index()].traditions[tradition];
    let g = gender_index(gender);
    let Some(given) = &built.given else {
        return british_forename(gender, birth_year, rng);
    };
    if spec.british_blend > 0.0 && rng.random_bool(spec.british_blend) {
        return british_forename(gender, birth_year, rng);
    }
    if let Some((p, shared)) = &built.shared
        && rng.random_bool(*p)
    {
        return shared[g].pick(rng);
    }
    given[g].pick(rng)
}

/// A first name for a person of this heritage, gender and birth year, drawn
/// by realistic frequency. British names shift with birth era (four bands,
/// edges blurred by two years); some Irish and Caribbean people get
/// British names of their era.
pub fn forename<R: Rng + ?Sized>(
    heritage: Heritage,
    gender: Gender,
    birth_year: i32,
    rng: &mut R,
) -> &'static str {
    let tradition = pick_tradition(heritage, rng);
    forename_in(heritage, tradition, gender, birth_year, rng)
}

/// Probabilities of no and of exactly one middle name (the rest: two).
fn middle_name_odds(heritage: Heritage) -> (f64, f64) {
    match heritage {
        Heritage::British | Heritage::Irish | Heritage::Caribbean | Heritage::Pakistani => {
            (0.40, 0.50)
        }
        Heritage::Bangladeshi => (0.35, 0.55),
        Heritage::WestAfrican => (0.30, 0.55),
        Heritage::SouthernEuropean => (0.45, 0.40),
        Heritage::EastAfrican => (0.25, 0.70),
        Heritage::Arab => (0.45, 0.50),
        Heritage::Indian => (0.55, 0.40),
        Heritage::EastEuropean => (0.65, 0.33),
        Heritage::Turkish => (0.75, 0.23),
        Heritage::Chinese => (0.75, 0.25),
    }
}

/// Whether a candidate middle name clashes with a name already given: the
/// same name in another form, or a word of a hyphenated name (Anne-Marie
/// Marie).
fn clashes(candidate: &str, taken: &str) -> bool {
    if same_first_name(candidate, taken) {
        return true;
    }
    let (c, t) = (fold(candidate), fold(taken));
    c.split(' ').any(|cw| t.split(' ').any(|tw| cw == tw))
}

fn middle_in<R: Rng + ?Sized>(
    heritage: Heritage,
    tradition: usize,
    gender: Gender,
    birth_year: i32,
    forename: &str,
    rng: &mut R,
) -> Option<String> {
    let (none, one) = middle_name_odds(heritage);
    let u: f64 = rng.random();
    let count = if u < none {
        0
    } else if u < none + one {
        1
    } else {
        2
    };
    if count == 0 {
        return None;
    }
    let patronymic = traditions(heritage)[tradition].patronymic;
    let mut chosen: [&str; 2] = [""; 2];
    let mut n = 0;
    for slot in 0..count {
        let g = if patronymic && slot == 0 {
            Gender::Male
        } else {
            gender
        };
        for _attempt in 0..12 {
            let candidate = forename_in(heritage, tradition, g, birth_year, rng);
            if clashes(candidate, forename) || chosen[..n].iter().any(|c| clashes(candidate, c)) {
                continue;
            }
            chosen[n] = candidate;
            n += 1;
            break;
        }
    }
    (n > 0).then(|| chosen[..n].join(" "))
}

/// Middle names: none (about 40% for British), one (about 50%) or two
/// (about 10%), space-separated; never the forename given, nor a form of it.
/// They come from the same tradition as the forename (a Polish first name
/// gets Polish middle names).
///
/// Other traditions differ: Somali, Eritrean, Arab and Gujarati people's
/// first middle name is their father's name (always a man's name); middle
/// names are less common for East Europeans, Indians, Turks and Chinese.
pub fn middle_names<R: Rng + ?Sized>(
    heritage: Heritage,
    gender: Gender,
    birth_year: i32,
    forename: &str,
    rng: &mut R,
) -> Option<String> {
    let tradition = tradition_of(heritage, forename, rng);
    middle_in(heritage, tradition, gender, birth_year, forename, rng)
}

// ---------------------------------------------------------------------------
// Surnames
// ---------------------------------------------------------------------------

/// How a surname was produced (for tests and diagnostics).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SurnameKind {
    Table,
    Rare,
    Compound,
    WomenOnly,
}

/// Share of surnames synthesised from parts, by heritage. Chinese surnames
/// are concentrated on few names; Somali surnames are mostly common given
/// names.
fn rare_share(heritage: Heritage) -> f64 {
    match heritage {
        Heritage::British => 0.12,
        Heritage::Irish => 0.10,
        Heritage::EastEuropean => 0.15,
        Heritage::SouthernEuropean => 0.12,
        Heritage::Caribbean => 0.10,
        Heritage::WestAfrican => 0.15,
        Heritage::EastAfrican => 0.08,
        Heritage::Pakistani => 0.10,
        Heritage::Bangladeshi => 0.10,
        Heritage::Indian => 0.12,
        Heritage::Chinese => 0.05,
        Heritage::Arab => 0.12,
        Heritage::Turkish => 0.12,
    }
}

fn draw_surname_in<R: Rng + ?Sized>(
    heritage: Heritage,
    tradition: usize,
    gender: Option<Gender>,
    rng: &mut R,
) -> (String, SurnameKind) {
    let tables = &*TABLES;
    if gender == Some(Gender::Female) {
        let women_only = match heritage {
            Heritage::Bangladeshi => Some((0.30, &tables.bangladeshi_women)),
            Heritage::Pakistani => Some((0.06, &tables.pakistani_women)),
            _ => None,
        };
        if let Some((p, table)) = women_only
            && rng.random_bool(p)
        {
            return (table.pick(rng).to_string(), SurnameKind::WomenOnly);
        }
    }
    let spec = &traditions(heritage)[tradition];
    let u: f64 = rng.random();
    let rare = rare_share(heritage);
    if u < rare {
        return (synthesise(spec.synth, gender, rng), SurnameKind::Rare);
    }
    let table = &tables.heritages[heritage.index()].traditions[tradition].surnames;
    let first = table.pick_for(gender, rng);
    let (compound, sep) = spec.compound;
    if u < rare + compound && !first.contains([' ', '-']) {
        for _ in 0..8 {
            let second = table.pick_for(gender, rng);
            // Keep compounds to two single-part names.
            if second != first && !second.contains([' ', '-']) {
                return (format!("{first}{sep}{second}"), SurnameKind::Compound);
            }
        }
    }
    (first.to_string(), SurnameKind::Table)
}

fn draw_surname<R: Rng + ?Sized>(
    heritage: Heritage,
    gender: Option<Gender>,
    rng: &mut R,
) -> (String, SurnameKind) {
    let tradition = pick_tradition(heritage, rng);
    draw_surname_in(heritage, tradition, gender, rng)
}

/// A surname by realistic frequency, in its masculine (dictionary) form
/// where the tradition genders surnames. Prefer [`surname_for`] when the
/// bearer's gender is known, and [`full_name`] to keep a person's names in
/// one tradition.
///
/// Mostly from the tradition's Zipf-like table; 5-15% (12% for British)
/// synthesised rare surnames built from tradition-typical parts; 1% of
/// British surnames double-barrelled; some Portuguese and Spanish people
/// carry both family names.
pub fn surname<R: Rng + ?Sized>(heritage: Heritage, rng: &mut R) -> String {
    draw_surname(heritage, None, rng).0
}

/// Like [`surname`], in the form borne by a person of this gender:
/// Kowalska, Kazlauskienė, Nováková, Ivanova, Papadopoulou, Ní Bhriain for
/// women; Kaur for Sikh women (where the table has Singh); and for about 30%
/// of Bangladeshi and 6% of Pakistani women, Begum, Khatun or Bibi. For men
/// this draws exactly as [`surname`] does.
pub fn surname_for<R: Rng + ?Sized>(heritage: Heritage, gender: Gender, rng: &mut R) -> String {
    draw_surname(heritage, Some(gender), rng).0
}

/// A person's full set of names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FullName {
    /// First name.
    pub forename: &'static str,
    /// Middle names, space-separated, if any.
    pub middle_names: Option<String>,
    /// Surname, in the form borne by the person's gender.
    pub surname: String,
}

/// Forename, middle names and surname drawn together from one tradition of
/// the heritage, so that they belong together: a Sikh first name with a
/// Sikh surname (Gurpreet Kaur Sandhu, not Gurpreet Patel), a Polish one
/// with a Polish surname, a Somali one with Somali names. Sikhs with a clan
/// surname mostly carry Singh or Kaur as their middle name. Otherwise the
/// same distributions as [`forename`], [`middle_names`] and [`surname_for`]
/// called separately, which mix traditions within a heritage.
pub fn full_name<R: Rng + ?Sized>(
    heritage: Heritage,
    gender: Gender,
    birth_year: i32,
    rng: &mut R,
) -> FullName {
    let tradition = pick_tradition(heritage, rng);
    let forename = forename_in(heritage, tradition, gender, birth_year, rng);
    let mut middle_names = middle_in(heritage, tradition, gender, birth_year, forename, rng);
    let surname = draw_surname_in(heritage, tradition, Some(gender), rng).0;
    if traditions(heritage)[tradition].synth == Synth::Sikh
        && surname != "Singh"
        && surname != "Kaur"
        && rng.random_bool(0.6)
    {
        let sikh = if gender == Gender::Male {
            "Singh"
        } else {
            "Kaur"
        };
        middle_names = Some(sikh.to_string());
    }
    FullName {
        forename,
        middle_names,
        surname,
    }
}

fn part<R: Rng + ?Sized>(parts: &[&'static str], rng: &mut R) -> &'static str {
    parts[rng.random_range(0..parts.len())]
}

fn gendered_part<R: Rng + ?Sized>(
    parts: &[(&'static str, &'static str)],
    female: bool,
    rng: &mut R,
) -> &'static str {
    let (m, f) = parts[rng.random_range(0..parts.len())];
    if female { f } else { m }
}

fn join<R: Rng + ?Sized>(a: &[&'static str], b: &[&'static str], rng: &mut R) -> String {
    let first = part(a, rng);
    format!("{first}{}", part(b, rng))
}

/// A rare surname built from tradition-typical parts.
fn synthesise<R: Rng + ?Sized>(synth: Synth, gender: Option<Gender>, rng: &mut R) -> String {
    use surnames::*;
    let female = gender == Some(Gender::Female);
    match synth {
        Synth::British => {
            if rng.random_bool(0.85) {
                let (prefix, link) = (part(BRITISH_PREFIXES, rng), part(BRITISH_LINKS, rng));
                format!("{prefix}{link}{}", part(BRITISH_SUFFIXES, rng))
            } else {
                let mac = if rng.random_bool(0.7) { "Mc" } else { "Mac" };
                format!("{mac}{}", part(MAC_STEMS, rng))
            }
        }
        Synth::Irish => {
            let prefix = match rng.random_range(0..10u32) {
                0..3 => "O'",
                3..5 => "Mc",
                5 => "Mac",
                _ => "",
            };
            format!("{prefix}{}", join(IRISH_STEMS, IRISH_ENDINGS, rng))
        }
        Synth::Polish => {
            if rng.random_bool(0.65) {
                let ending = if female { "ska" } else { "ski" };
                format!("{}{ending}", part(POLISH_SKI_STEMS, rng))
            } else {
                join(POLISH_STEMS, POLISH_ENDINGS, rng)
            }
        }
        Synth::Romanian => join(ROMANIAN_STEMS, ROMANIAN_ENDINGS, rng),
        Synth::Baltic => {
            let stem = part(LITHUANIAN_STEMS, rng);
            format!("{stem}{}", gendered_part(LITHUANIAN_ENDINGS, female, rng))
        }
        Synth::Bulgarian => {
            let stem = part(BULGARIAN_STEMS, rng);
            let soft = stem.ends_with(['i', 'y', 'j']);
            let ending = match (soft, female) {
                (true, false) => "ev",
                (true, true) => "eva",
                (false, false) => "ov",
                (false, true) => "ova",
            };
            format!("{stem}{ending}")
        }
        Synth::Albanian => join(ALBANIAN_STEMS, ALBANIAN_ENDINGS, rng),
        Synth::Portuguese => join(PORTUGUESE_STEMS, PORTUGUESE_ENDINGS, rng),
        Synth::Italian => join(ITALIAN_STEMS, ITALIAN_ENDINGS, rng),
        Synth::Spanish => join(SPANISH_STEMS, SPANISH_ENDINGS, rng),
        Synth::Greek => {
            let stem = part(GREEK_STEMS, rng);
            format!("{stem}{}", gendered_part(GREEK_ENDINGS, female, rng))
        }
        Synth::Yoruba => join(YORUBA_PREFIXES, YORUBA_SUFFIXES, rng),
        Synth::Igbo => join(IGBO_PREFIXES, IGBO_SUFFIXES, rng),
        Synth::Akan => join(AKAN_PREFIXES, AKAN_SUFFIXES, rng),
        Synth::Mande => join(MANDE_PREFIXES, MANDE_SUFFIXES, rng),
        Synth::Somali => format!("Abdi{}", part(SOMALI_ABDI, rng)),
        Synth::Habesha => join(HABESHA_PREFIXES, HABESHA_SUFFIXES, rng),
        Synth::Pakistani => join(PAKISTANI_STEMS, PAKISTANI_ENDINGS, rng),
        Synth::Bangladeshi => join(BANGLADESHI_STEMS, BANGLADESHI_ENDINGS, rng),
        Synth::Sikh => join(SIKH_PREFIXES, SIKH_SUFFIXES, rng),
        Synth::Indian => join(INDIAN_PREFIXES, INDIAN_SUFFIXES, rng),
        Synth::Cantonese => join(CHINESE_INITIALS, CHINESE_FINALS, rng),
        Synth::Pinyin => {
            if rng.random_bool(0.15) {
                join(PINYIN_PALATALS, PINYIN_PALATAL_FINALS, rng)
            } else {
                join(PINYIN_INITIALS, PINYIN_FINALS, rng)
            }
        }
        Synth::Arab => match rng.random_range(0..100u32) {
            0..55 => {
                let prefix = match rng.random_range(0..20u32) {
                    0..12 => "Al-",
                    12..15 => "El-",
                    15..17 => "Al ",
                    _ => "",
                };
                format!("{prefix}{}i", part(ARAB_NISBA_STEMS, rng))
            }
            55..85 => {
                let prefix = match rng.random_range(0..4u32) {
                    0 | 1 => "Abdel-",
                    2 => "Abdel ",
                    _ => "Abdul ",
                };
                format!("{prefix}{}", part(ARAB_ABDEL, rng))
            }
            _ => format!("Abu {}", part(ARAB_ABDEL, rng)),
        },
        Synth::Turkish => {
            let prefix = part(TURKISH_PREFIXES, rng);
            let mut suffix = part(TURKISH_SUFFIXES, rng);
            if prefix.to_lowercase() == suffix {
                suffix = "oğlu";
            }
            format!("{prefix}{suffix}")
        }
    }
}

// ---------------------------------------------------------------------------
// Folding
// ---------------------------------------------------------------------------

/// Folds ASCII bytes: letters lower-cased, digits kept, apostrophes and
/// backticks dropped, any other run of bytes a single space, trimmed.
fn fold_ascii(input: &str, mut push: impl FnMut(u8)) {
    let mut started = false;
    let mut gap = false;
    for &b in input.as_bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => {
                if gap && started {
                    push(b' ');
                }
                push(b.to_ascii_lowercase());
                started = true;
                gap = false;
            }
            b'\'' | b'`' => {}
            _ => gap = true,
        }
    }
}

/// Canonical comparison form of a name: transliterated to ASCII (Zoë ->
/// zoe, Łukasz -> lukasz, Müller -> muller, ŞAHİN -> sahin), lower-case,
/// apostrophes removed (O'Neill -> oneill), hyphens and runs of spaces or
/// punctuation a single space, trimmed.
pub fn fold(name: &str) -> String {
    let ascii = deunicode::deunicode_with_tofu_cow(name, " ");
    let mut out = Vec::with_capacity(ascii.len());
    fold_ascii(&ascii, |b| out.push(b));
    // Only ASCII bytes were pushed.
    String::from_utf8(out).unwrap_or_default()
}

/// Runs `f` on the folded form of `name`, without allocating for short ASCII
/// names (the common case in the linker's inner loop).
fn with_folded<T>(name: &str, f: impl FnOnce(&str) -> T) -> T {
    const CAP: usize = 64;
    if name.len() <= CAP && name.is_ascii() {
        let mut buf = [0u8; CAP];
        let mut n = 0;
        fold_ascii(name, |b| {
            buf[n] = b;
            n += 1;
        });
        // Only ASCII bytes were written.
        f(std::str::from_utf8(&buf[..n]).unwrap_or_default())
    } else {
        f(&fold(name))
    }
}

// ---------------------------------------------------------------------------
// Nicknames and spelling variants
// ---------------------------------------------------------------------------

/// FNV-1a: a fast hash for short keys in the name index (not exposed to
/// untrusted input in a way that matters: keys are fixed table names).
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

type FastMap<V> = HashMap<Box<str>, V, BuildHasherDefault<Fnv>>;

struct NameIndex {
    /// Folded name -> sorted ids of the name groups it belongs to. Groups
    /// are the spelling-variant groups, then one per nickname entry (formal
    /// name, its nicknames and the formal name's spelling variants).
    groups: FastMap<Box<[u32]>>,
    /// Folded formal name (or a spelling variant of one) -> nicknames.
    nicknames: FastMap<&'static [&'static str]>,
    /// Folded name -> its spelling-variant group.
    variants: FastMap<&'static [&'static str]>,
}

static INDEX: LazyLock<NameIndex> = LazyLock::new(|| {
    let mut groups: FastMap<Vec<u32>> = FastMap::default();
    let mut variants: FastMap<&'static [&'static str]> = FastMap::default();
    let mut add = |name: &str, id: u32| {
        groups.entry(fold(name).into()).or_default().push(id);
    };

    for (id, &group) in SPELLING_VARIANTS.iter().enumerate() {
        for &name in group {
            add(name, id as u32);
            variants.entry(fold(name).into()).or_insert(group);
        }
    }
    let base = SPELLING_VARIANTS.len() as u32;
    for (i, &(formal, nicks)) in NICKNAMES.iter().enumerate() {
        let id = base + i as u32;
        add(formal, id);
        for &nick in nicks {
            add(nick, id);
        }
        if let Some(group) = variants.get(fold(formal).as_str()) {
            for &name in *group {
                add(name, id);
            }
        }
    }
    let groups = groups
        .into_iter()
        .map(|(k, mut ids)| {
            ids.sort_unstable();
            ids.dedup();
            (k, ids.into_boxed_slice())
        })
        .collect();

    let mut nicknames: FastMap<&'static [&'static str]> = FastMap::default();
    for &(formal, nicks) in NICKNAMES {
        nicknames.entry(fold(formal).into()).or_insert(nicks);
    }
    // A spelling variant of a formal name shares its nicknames (Muhammad ->
    // Mo), unless the variant is itself a short form (Jon).
    let short_forms: Vec<String> = NICKNAMES
        .iter()
        .flat_map(|&(_, nicks)| nicks.iter().map(|n| fold(n)))
        .collect();
    for &group in SPELLING_VARIANTS {
        let Some(nicks) = group
            .iter()
            .find_map(|n| nicknames.get(fold(n).as_str()).copied())
        else {
            continue;
        };
        for &name in group {
            let key = fold(name);
            if !short_forms.contains(&key) {
                nicknames.entry(key.into()).or_insert(nicks);
            }
        }
    }
    NameIndex {
        groups,
        nicknames,
        variants,
    }
});

/// Nicknames and short forms of a formal first name, e.g. "Robert" ->
/// Rob, Robbie, Robby, Bob, Bobby, Bert; empty if none. Case- and
/// accent-insensitive; spelling variants of a formal name share its
/// nicknames (Muhammad -> Mo).
pub fn nicknames(formal: &str) -> &'static [&'static str] {
    with_folded(formal, |f| INDEX.nicknames.get(f).copied().unwrap_or(&[]))
}

/// The spelling-variant group a first name belongs to (including the name
/// itself as written in the table), e.g. "Steven" -> Stephen, Steven,
/// Stephan; empty if none.
pub fn spelling_variants(name: &str) -> &'static [&'static str] {
    with_folded(name, |f| INDEX.variants.get(f).copied().unwrap_or(&[]))
}

/// Whether two first names are the same name in different forms: equal
/// after [`fold`], one a nickname of the other, both nicknames of the same
/// formal name, or spelling variants. Not transitive (see the module
/// documentation). Blank names are never the same name.
pub fn same_first_name(a: &str, b: &str) -> bool {
    with_folded(a, |fa| {
        with_folded(b, |fb| {
            if fa.is_empty() || fb.is_empty() {
                return false;
            }
            if fa == fb {
                return true;
            }
            let index = &*INDEX;
            match (index.groups.get(fa), index.groups.get(fb)) {
                (Some(x), Some(y)) => sorted_intersect(x, y),
                _ => false,
            }
        })
    })
}

fn sorted_intersect(x: &[u32], y: &[u32]) -> bool {
    let (mut i, mut j) = (0, 0);
    while i < x.len() && j < y.len() {
        match x[i].cmp(&y[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => return true,
        }
    }
    false
}

#[cfg(test)]
mod tests;
