//! One synthetic person: who they are, and the criminal, employment and
//! benefit history that follows from a documented model.
//!
//! # The model
//!
//! Every person in the national records has at least one proven offence:
//! their first, on a date drawn uniformly between 1980 and eighteen months
//! before the extract, at an age of 10 plus a log-normal draw (median 18,
//! capped at 60). From that first offence on, further offences arrive
//! as a point process in continuous time whose daily rate, while the person
//! is at liberty, is
//!
//! ```text
//! rate(t) = exp(-7.8 + 1.4 r - 0.45 female + 0.4 drugs + 0.2 alcohol + region)
//!           * age(t) * release(t) * work(t) * period(t) * desistance(t) * treatment(t)
//! ```
//!
//! - `r` is a latent criminal propensity, standard normal, never written out.
//!   It also lowers employability and raises the chance of drug and alcohol
//!   problems, so the observed history carries information about it.
//! - `age`: rises to a peak at 19 and then falls by 6.5% a year (the
//!   age-crime curve).
//! - `release`: 1 + 0.7 exp(-days since last release / 150): the well known
//!   spike in offending in the months after leaving prison.
//! - `work`: 0.6 while employed.
//! - `period`: falls 1.5% a year from 2000, as proven reoffending did.
//! - `desistance`: each career ends after an exponential time (mean 8 years,
//!   longer for higher `r`), after which the rate is 4% of what it was.
//! - `treatment`: the planted effect: the hazard ratio (default 0.8) applies
//!   for the year after the index event of those who attended the
//!   intervention, and 1 otherwise.
//!
//! The process is simulated exactly by thinning: candidate times are drawn
//! from a bound on the rate that holds over a short segment, and each is
//! kept with probability rate/bound.
//!
//! Each offence falls into an offence group (weights depend on gender, age and
//! drug use) and is proven after a delay (cautions within weeks, court cases
//! after a log-normal delay with median two months). The disposal is drawn
//! from a multinomial logit on seriousness, previous proven offences,
//! previous custody and youth: first offenders are mostly cautioned; persistent
//! and serious offenders go to custody, serving half their term before
//! automatic release. Community and suspended sentences can be breached
//! (recorded as offences of the group "Breach of a court order", which the
//! lab never counts as reoffending); a breached suspended sentence is
//! activated. Offences not proven by the extract date are not in the data.
//!
//! Employment alternates with unemployment from age 16 in spells whose lengths
//! depend on a latent employability; custody ends a job, and a person leaves
//! prison unemployed. About two thirds of adult unemployment spells bring an
//! out-of-work benefit whose type follows the benefit system of the day (IB
//! until October 2008, then ESA; Universal Credit phased in from 2013). An
//! OASys-style needs assessment follows 70% of community and custodial
//! sentences from 2004, scoring ten needs from the person's latent traits and
//! circumstances.
//!
//! One-year proven reoffending for an index event at `T` is then: any offence
//! other than a breach committed in `(T, T + 365]` and proven by
//! `T + 365 + 183`.
//!
//! The constants were calibrated so that, for index events in 2012 counted
//! once per person, one-year proven reoffending is about 50% after release
//! from custody, 35% after a community order start and 18% after a caution,
//! near the Ministry of Justice's published rates; offenders have a median
//! of one and a mean of about three proven offences, with a long tail of
//! prolific offenders.

use rand::{Rng, RngExt};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use crate::names::{self, Heritage};
use crate::national::{Benefit, Disposal, OffenceGroup};
use crate::person::{Ethnicity, Gender};
use crate::postcode::{AREAS, Region, UNIT_LETTERS};

/// Days since 1970-01-01, the unit of every date inside the generator (and
/// of Arrow's Date32).
pub(crate) type Day = i32;

pub(crate) const YEAR: f64 = 365.25;

/// Days between a date and 1970-01-01.
pub(crate) fn day(date: chrono::NaiveDate) -> Day {
    (date - chrono::NaiveDate::default()).num_days() as Day
}

/// The date `d` days after 1970-01-01.
pub(crate) fn date(d: Day) -> chrono::NaiveDate {
    chrono::NaiveDate::default()
        .checked_add_signed(chrono::TimeDelta::days(i64::from(d)))
        .unwrap_or_default()
}

fn days_of(y: i32, m: u32, d: u32) -> Day {
    day(chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default())
}

/// Year (with fraction) of a day, for the period effect and benefit rules.
fn year_of(t: f64) -> f64 {
    1970.0 + t / YEAR
}

fn normal(rng: &mut impl Rng) -> f64 {
    StandardNormal.sample(rng)
}

/// An exponential draw with mean 1.
pub(crate) fn exp1(rng: &mut impl Rng) -> f64 {
    // 1 - u is in (0, 1], so the logarithm is finite.
    -(1.0 - rng.random::<f64>()).ln()
}

/// Who a person is: what the national people table records about them.
#[derive(Debug, Clone)]
pub(crate) struct Identity {
    pub gender: Gender,
    pub ethnicity: Ethnicity,
    pub heritage: Heritage,
    pub forename: &'static str,
    pub middle_names: Option<String>,
    pub surname: String,
    pub dob: Day,
    /// Index into [`AREAS`].
    pub area: usize,
    pub postcode: String,
    /// Date of the first proven offence (the start of the simulated career).
    pub first_offence: Day,
}

impl Identity {
    pub fn region(&self) -> Region {
        AREAS[self.area].region
    }
}

const ETHNICITY_SHARES: [(Ethnicity, f64); 6] = [
    (Ethnicity::White, 0.73),
    (Ethnicity::Black, 0.11),
    (Ethnicity::Asian, 0.08),
    (Ethnicity::Mixed, 0.05),
    (Ethnicity::Other, 0.02),
    (Ethnicity::NotStated, 0.01),
];

fn pick<T: Copy>(rng: &mut impl Rng, table: &[(T, f64)]) -> T {
    let total: f64 = table.iter().map(|(_, w)| w).sum();
    let mut u = rng.random::<f64>() * total;
    for &(item, w) in table {
        if u < w {
            return item;
        }
        u -= w;
    }
    table[table.len() - 1].0
}

/// Cumulative population weights of the postcode areas, for address draws.
fn area_weights() -> &'static [f64] {
    static CUMULATIVE: std::sync::LazyLock<Vec<f64>> = std::sync::LazyLock::new(|| {
        let mut acc = 0.0;
        AREAS
            .iter()
            .map(|a| {
                acc += f64::from(a.population_k);
                acc
            })
            .collect()
    });
    &CUMULATIVE
}

/// A random area, weighted by population.
pub(crate) fn random_area(rng: &mut impl Rng) -> usize {
    let w = area_weights();
    let u = rng.random::<f64>() * w[w.len() - 1];
    w.partition_point(|&c| c <= u).min(AREAS.len() - 1)
}

/// A well-formed postcode in the given district of an area.
pub(crate) fn postcode_in(rng: &mut impl Rng, district: &str) -> String {
    let sector = rng.random_range(0..10u8);
    let u1 = UNIT_LETTERS[rng.random_range(0..UNIT_LETTERS.len())] as char;
    let u2 = UNIT_LETTERS[rng.random_range(0..UNIT_LETTERS.len())] as char;
    format!("{district} {sector}{u1}{u2}")
}

/// A random district (outward code) of an area.
pub(crate) fn random_district(rng: &mut impl Rng, area: usize) -> String {
    let a = &AREAS[area];
    // Central London districts carry a letter (EC1A, WC2H, W1T): use that
    // form there so the data exercise every postcode shape.
    if matches!(a.code, "EC" | "WC") || (a.code == "W" && rng.random_bool(0.1)) {
        let n = rng.random_range(1..=a.districts.clamp(1, 4));
        let letter = b"ABCDEFGHJKMNPRSTUVWXY"[rng.random_range(0..21)] as char;
        return format!("{}{}{}", a.code, n, letter);
    }
    format!("{}{}", a.code, rng.random_range(1..=a.districts))
}

/// Draws who a person is from their identity stream.
pub(crate) fn identity(rng: &mut ChaCha8Rng, extract: Day) -> Identity {
    let gender = if rng.random_bool(0.16) {
        Gender::Female
    } else {
        Gender::Male
    };
    let ethnicity = pick(rng, &ETHNICITY_SHARES);
    let heritage = Heritage::sample(ethnicity, rng);
    let start = days_of(1980, 1, 1);
    // Late enough to be proven before the extract, whatever the court delay.
    let latest = extract - 740;
    let first_offence = rng.random_range(start..latest);
    // Age at first proven offence: 10 + log-normal with median 9 years.
    let age_first = (10.0 + 8.0 * (0.6 * normal(rng)).exp()).min(60.0);
    let dob = first_offence - (age_first * YEAR) as Day;
    let birth_year = chrono::Datelike::year(&date(dob));
    let names::FullName {
        forename,
        middle_names,
        surname,
    } = names::full_name(heritage, gender, birth_year, rng);
    let area = random_area(rng);
    let district = random_district(rng, area);
    let postcode = postcode_in(rng, &district);
    Identity {
        gender,
        ethnicity,
        heritage,
        forename,
        middle_names,
        surname,
        dob,
        area,
        postcode,
        first_offence,
    }
}

/// A proven offence and how it was dealt with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Offence {
    pub offence_date: Day,
    pub group: OffenceGroup,
    pub disposal_date: Day,
    pub disposal: Disposal,
    /// Custodial term, or the length of a community order; 0 for none.
    pub sentence_days: u32,
    /// For immediate custody, when the person left prison (if by the extract).
    pub release_date: Option<Day>,
}

/// An out-of-work benefit spell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct BenefitSpell {
    pub benefit: Benefit,
    pub start: Day,
    pub end: Option<Day>,
}

/// An OASys-style needs assessment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Assessment {
    pub date: Day,
    pub needs: [u8; 10],
}

/// Everything that happened to a person, up to the extract date.
#[derive(Debug, Clone, Default)]
pub(crate) struct Life {
    /// In order of disposal date.
    pub offences: Vec<Offence>,
    pub employment: Vec<(Day, Option<Day>)>,
    pub benefits: Vec<BenefitSpell>,
    pub assessments: Vec<Assessment>,
}

impl Life {
    fn clear(&mut self) {
        self.offences.clear();
        self.employment.clear();
        self.benefits.clear();
        self.assessments.clear();
    }

    pub fn ever_in_custody(&self) -> bool {
        self.offences
            .iter()
            .any(|o| o.disposal == Disposal::Custody)
    }
}

/// The planted effect of the intervention on one person.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Treatment {
    pub index: Day,
    pub hazard_ratio: f64,
}

/// The world a life is simulated in.
///
/// A treated life must share every draw with its untreated twin up to the
/// index event, so that the two differ only by the treatment. Thinning
/// draws the same candidate times only if both worlds use the same bounds
/// and segments; so the treatment never adds a segment boundary, and every
/// world bounds the treatment factor by the same `ratio_bound`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct World {
    /// The extract date: nothing after it is recorded.
    pub extract: Day,
    /// At least 1 and at least any hazard ratio used in the dataset.
    pub ratio_bound: f64,
    /// The treatment, for those who attended.
    pub treatment: Option<Treatment>,
}

/// Latent traits: drawn first from the history stream, never written out.
#[derive(Debug, Clone, Copy)]
struct Traits {
    risk: f64,
    work: f64,
    drugs: bool,
    alcohol: bool,
    career_end: f64,
    base: f64,
}

fn traits(rng: &mut ChaCha8Rng, who: &Identity) -> Traits {
    let risk = normal(rng);
    let work = -0.5 * risk + 0.85 * normal(rng);
    let drugs = 0.6 * risk + normal(rng) > 0.9;
    let alcohol = 0.3 * risk + normal(rng) > 1.1;
    let career_end = f64::from(who.first_offence) + 3000.0 * (0.3 * risk).exp() * exp1(rng);
    let region = match who.region() {
        Region::NorthEast | Region::NorthWest | Region::Wales => 0.1,
        Region::London => 0.05,
        Region::SouthEast | Region::EastOfEngland | Region::SouthWest => -0.1,
        _ => 0.0,
    };
    let female = if who.gender == Gender::Female {
        -0.45
    } else {
        0.0
    };
    let base = (-7.8
        + 1.4 * risk
        + female
        + if drugs { 0.4 } else { 0.0 }
        + if alcohol { 0.2 } else { 0.0 }
        + region)
        .exp();
    Traits {
        risk,
        work,
        drugs,
        alcohol,
        career_end,
        base,
    }
}

fn age_factor(age: f64) -> f64 {
    if age < 19.0 {
        (-0.15 * (19.0 - age)).exp()
    } else {
        (-0.065 * (age - 19.0)).exp()
    }
}

fn period_factor(t: f64) -> f64 {
    (-0.015 * (year_of(t) - 2000.0).max(0.0)).exp()
}

/// Something scheduled for a future date.
#[derive(Debug, Clone, Copy)]
enum Pending {
    /// An offence is proven and its disposal takes effect.
    Sentence(Offence),
    /// An order is breached.
    Breach { suspended_term: u32 },
}

/// The simulation state between events.
struct State {
    t: f64,
    free_from: f64,
    last_release: Option<f64>,
    employed: bool,
    next_switch: f64,
    job_start: f64,
    benefit: Option<(Benefit, f64)>,
    benefit_end: f64,
    order_until: f64,
    proven: u32,
    custodies: u32,
    pending: Vec<(f64, Pending)>,
}

/// Simulates a life from the identity and the history stream, writing into
/// `life` (cleared first, so buffers are reused across people).
pub(crate) fn simulate(who: &Identity, rng: &mut ChaCha8Rng, world: World, life: &mut Life) {
    let (extract, treatment) = (world.extract, world.treatment);
    life.clear();
    let tr = traits(rng, who);
    let end = f64::from(extract);
    let age_at = |t: f64| (t - f64::from(who.dob)) / YEAR;
    let sixteen = f64::from(who.dob) + 16.0 * YEAR;

    let mut s = State {
        t: f64::from(who.first_offence),
        free_from: f64::MIN,
        last_release: None,
        employed: false,
        next_switch: f64::MAX,
        job_start: 0.0,
        benefit: None,
        benefit_end: f64::MAX,
        order_until: f64::MIN,
        proven: 0,
        custodies: 0,
        pending: Vec::new(),
    };
    // Employment history starts at 16; work out the state at the first
    // offence by running the alternation from there.
    let mut emp_t = sixteen;
    let mut employed = rng.random_bool(logistic(0.3 + tr.work));
    loop {
        let len = spell_length(rng, employed, tr.work);
        if emp_t + len > s.t {
            break;
        }
        if employed {
            record_job(life, emp_t, emp_t + len, extract);
        }
        emp_t += len;
        employed = !employed;
    }
    if s.t < sixteen {
        // Too young to work yet: the first spell starts at 16.
        s.employed = false;
        s.next_switch = if employed {
            sixteen
        } else {
            sixteen + spell_length(rng, false, tr.work)
        };
    } else {
        s.employed = employed;
        s.job_start = emp_t;
        s.next_switch = emp_t + spell_length(rng, employed, tr.work);
    }
    if !s.employed && s.t >= sixteen {
        let age = age_at(s.t);
        maybe_claim(rng, &mut s, age, tr.work);
    }

    // The first offence happens at the start of the career by construction.
    commit(rng, who, &tr, &mut s, extract);

    while s.t < end {
        let segment_end = next_change(&s, &tr, end, who);
        // Offences only while at liberty.
        if s.t >= s.free_from {
            let bound = rate_bound(&s, &tr, world.ratio_bound, who, segment_end);
            if bound > 0.0 {
                let candidate = s.t + exp1(rng) / bound;
                if candidate < segment_end {
                    s.t = candidate;
                    let rate = rate(&s, &tr, treatment, who, candidate);
                    if rng.random::<f64>() * bound < rate {
                        commit(rng, who, &tr, &mut s, extract);
                    }
                    continue;
                }
            }
        }
        s.t = segment_end;
        if s.t >= end {
            break;
        }
        on_change(rng, who, &tr, &mut s, life, extract);
    }
    // Close the spells still open at the extract.
    if s.employed {
        record_job(life, s.job_start, f64::MAX, extract);
    }
    if let Some((benefit, start)) = s.benefit {
        record_benefit(life, benefit, start, s.benefit_end, extract);
    }
    life.offences
        .sort_by_key(|o| (o.disposal_date, o.offence_date));
}

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn spell_length(rng: &mut ChaCha8Rng, employed: bool, work: f64) -> f64 {
    let mean = if employed {
        520.0 * (0.6 * work).exp()
    } else {
        420.0 * (-0.6 * work).exp()
    };
    (mean * exp1(rng)).max(14.0)
}

/// DWP and HMRC history is only held from 1999.
const HISTORY_FROM: Day = 10_592; // 1999-01-01

fn record_job(life: &mut Life, start: f64, end: f64, extract: Day) {
    let (start, end) = (start as Day, end.min(f64::from(i32::MAX)) as Day);
    if end < HISTORY_FROM || start >= extract {
        return;
    }
    life.employment
        .push((start, (end < extract).then_some(end)));
}

fn record_benefit(life: &mut Life, benefit: Benefit, start: f64, end: f64, extract: Day) {
    let (start, end) = (start as Day, end.min(f64::from(i32::MAX)) as Day);
    if end < HISTORY_FROM || start >= extract || end <= start {
        return;
    }
    life.benefits.push(BenefitSpell {
        benefit,
        start,
        end: (end < extract).then_some(end),
    });
}

/// The benefit system of the day, for someone out of work.
fn benefit_type(rng: &mut ChaCha8Rng, t: f64, work: f64) -> Benefit {
    let y = year_of(t);
    let uc_share = ((y - 2013.3) / 6.0).clamp(0.0, 0.9);
    if rng.random_bool(uc_share) {
        return Benefit::Uc;
    }
    // Incapacity benefits are likelier for those furthest from work.
    let sick = logistic(-1.2 - 0.8 * work);
    let u = rng.random::<f64>();
    if u < sick {
        if y < 2008.82 {
            Benefit::Ib
        } else {
            Benefit::Esa
        }
    } else if u < sick + 0.15 {
        Benefit::Is
    } else {
        Benefit::Jsa
    }
}

fn maybe_claim(rng: &mut ChaCha8Rng, s: &mut State, age: f64, work: f64) {
    if age >= 18.0 && rng.random_bool(0.65) {
        let start = s.t + rng.random_range(0.0..30.0);
        let benefit = benefit_type(rng, start, work);
        // Some claims end before the next job starts.
        let end = if rng.random_bool(0.3) {
            start + 30.0 + 300.0 * exp1(rng)
        } else {
            f64::MAX
        };
        s.benefit = Some((benefit, start));
        s.benefit_end = end;
    }
}

/// The next time the rate's shape changes: an employment switch, a pending
/// event, release from custody, the end of the career, or half a year (so the bound stays tight as age and the
/// release spike move).
fn next_change(s: &State, tr: &Traits, end: f64, who: &Identity) -> f64 {
    let mut next = (s.t + 182.0).min(end);
    let mut consider = |x: f64| {
        if x > s.t && x < next {
            next = x;
        }
    };
    consider(s.next_switch);
    consider(s.benefit_end);
    consider(s.free_from);
    consider(tr.career_end);
    for (when, _) in &s.pending {
        consider(*when);
    }
    if let Some(r) = s.last_release {
        for k in [30.0, 90.0, 180.0, 365.0] {
            consider(r + k);
        }
    }
    consider(f64::from(who.dob) + 19.0 * YEAR);
    next
}

/// The spike in offending in the months after leaving prison.
fn release_factor(s: &State, t: f64) -> f64 {
    s.last_release
        .map_or(1.0, |r| 1.0 + 0.7 * (-(t - r) / 150.0).exp())
}

fn treatment_factor(treatment: Option<Treatment>, t: f64) -> f64 {
    match treatment {
        Some(tx) if t >= f64::from(tx.index) && t < f64::from(tx.index) + 365.0 => tx.hazard_ratio,
        _ => 1.0,
    }
}

/// The offending rate per day at time `t`.
fn rate(s: &State, tr: &Traits, treatment: Option<Treatment>, who: &Identity, t: f64) -> f64 {
    let age = (t - f64::from(who.dob)) / YEAR;
    let release = release_factor(s, t);
    let work = if s.employed { 0.6 } else { 1.0 };
    let desist = if t > tr.career_end { 0.04 } else { 1.0 };
    tr.base
        * age_factor(age)
        * release
        * work
        * period_factor(t)
        * desist
        * treatment_factor(treatment, t)
}

/// An upper bound on [`rate`] over `[s.t, until)`: every factor is monotone
/// on the segment, so its value at the worse end bounds it.
fn rate_bound(s: &State, tr: &Traits, ratio_bound: f64, who: &Identity, until: f64) -> f64 {
    let a0 = (s.t - f64::from(who.dob)) / YEAR;
    let a1 = (until - f64::from(who.dob)) / YEAR;
    let age = if a1 <= 19.0 {
        age_factor(a1)
    } else if a0 >= 19.0 {
        age_factor(a0)
    } else {
        1.0
    };
    let release = release_factor(s, s.t);
    let work = if s.employed { 0.6 } else { 1.0 };
    let desist = if s.t >= tr.career_end { 0.04 } else { 1.0 };
    tr.base * age * release * work * period_factor(s.t) * desist * ratio_bound
}

/// How much an offence group weighs with the courts (drives disposals and
/// sentence lengths).
fn seriousness(g: OffenceGroup) -> f64 {
    match g {
        OffenceGroup::Sexual | OffenceGroup::Robbery => 2.0,
        OffenceGroup::Burglary | OffenceGroup::Violence | OffenceGroup::Weapons => 1.0,
        OffenceGroup::Drugs | OffenceGroup::Fraud => 0.5,
        _ => 0.0,
    }
}

/// Median custodial term in days.
fn median_term(g: OffenceGroup) -> f64 {
    30.4 * match g {
        OffenceGroup::Violence => 8.0,
        OffenceGroup::Sexual => 36.0,
        OffenceGroup::Robbery => 30.0,
        OffenceGroup::Theft => 3.0,
        OffenceGroup::Burglary => 14.0,
        OffenceGroup::CriminalDamage => 4.0,
        OffenceGroup::Drugs => 12.0,
        OffenceGroup::Weapons => 8.0,
        OffenceGroup::PublicOrder => 3.0,
        OffenceGroup::Miscellaneous => 6.0,
        OffenceGroup::Fraud => 8.0,
        OffenceGroup::SummaryMotoring => 2.0,
        OffenceGroup::SummaryNonMotoring => 1.5,
        OffenceGroup::Breach => 3.0,
    }
}

fn offence_group(rng: &mut ChaCha8Rng, who: &Identity, tr: &Traits, age: f64) -> OffenceGroup {
    use OffenceGroup as G;
    let female = who.gender == Gender::Female;
    let young = age < 18.0;
    let f = |yes: bool, x: f64| if yes { x } else { 1.0 };
    let table = [
        (G::Violence, 0.20 * f(female, 0.7)),
        (G::Sexual, 0.015 * f(female, 0.1)),
        (G::Robbery, 0.02 * f(female, 0.5) * f(young, 1.5)),
        (G::Theft, 0.25 * f(female, 2.0) * f(tr.drugs, 1.8)),
        (G::Burglary, 0.05 * f(female, 0.5) * f(tr.drugs, 1.5)),
        (G::CriminalDamage, 0.05 * f(young, 1.5)),
        (G::Drugs, 0.10 * f(tr.drugs, 2.0)),
        (G::Weapons, 0.03 * f(female, 0.4)),
        (G::PublicOrder, 0.08 * f(tr.alcohol, 1.5)),
        (G::Miscellaneous, 0.03),
        (G::Fraud, 0.03 * f(female, 1.5)),
        (G::SummaryMotoring, 0.08 * f(female, 0.6) * f(young, 0.3)),
        (G::SummaryNonMotoring, 0.06 * f(tr.alcohol, 1.4)),
    ];
    pick(rng, &table)
}

fn disposal(rng: &mut ChaCha8Rng, s: &State, g: OffenceGroup, age: f64) -> Disposal {
    let priors = f64::from(s.proven);
    let serious = seriousness(g);
    let young = if age < 18.0 { 1.0 } else { 0.0 };
    let custody_before = if s.custodies > 0 { 1.0 } else { 0.0 };
    let on_order = if s.t < s.order_until { 1.0 } else { 0.0 };
    let scores = [
        (
            Disposal::Caution,
            1.2 - 0.9 * priors.min(5.0) - 1.5 * serious + 0.8 * young,
        ),
        (Disposal::Discharge, -0.6 - 0.05 * priors.min(10.0)),
        (
            Disposal::Fine,
            0.5 + if g == OffenceGroup::SummaryMotoring {
                1.5
            } else {
                0.0
            } - 0.5 * young,
        ),
        (
            Disposal::CommunityOrder,
            0.2 + 0.1 * priors.min(10.0) + 0.3 * serious,
        ),
        (
            Disposal::SuspendedSentence,
            -0.8 + 0.1 * priors.min(10.0) + 0.5 * serious - young,
        ),
        (
            Disposal::Custody,
            -3.0 + 0.18 * priors.min(15.0) + 1.6 * serious + 0.6 * custody_before + 0.8 * on_order
                - young,
        ),
    ];
    let weights = scores.map(|(d, x)| (d, x.exp()));
    pick(rng, &weights)
}

/// An offence is committed at `s.t`: decide how and when it is proven.
fn commit(rng: &mut ChaCha8Rng, who: &Identity, tr: &Traits, s: &mut State, extract: Day) {
    let age = (s.t - f64::from(who.dob)) / YEAR;
    let group = offence_group(rng, who, tr, age);
    let disposal = disposal(rng, s, group, age);
    let delay = if disposal == Disposal::Caution {
        rng.random_range(1.0..40.0)
    } else {
        (60.0 * (0.8 * normal(rng)).exp()).clamp(7.0, 730.0)
    };
    let sentence_days = sentence_days(rng, disposal, group, s.proven);
    let offence = Offence {
        offence_date: s.t as Day,
        group,
        disposal_date: (s.t + delay) as Day,
        disposal,
        sentence_days,
        release_date: None,
    };
    if offence.disposal_date < extract {
        s.pending.push((s.t + delay, Pending::Sentence(offence)));
    }
}

fn sentence_days(
    rng: &mut ChaCha8Rng,
    disposal: Disposal,
    group: OffenceGroup,
    priors: u32,
) -> u32 {
    match disposal {
        Disposal::Custody => {
            let scale = 1.0 + 0.04 * f64::from(priors.min(20));
            (median_term(group) * scale * (0.6 * normal(rng)).exp()).clamp(14.0, 12_000.0) as u32
        }
        Disposal::CommunityOrder => pick(rng, &[(182, 0.2), (365, 0.5), (547, 0.15), (730, 0.15)]),
        // The suspended custodial term; supervision runs for a year.
        Disposal::SuspendedSentence => {
            (30.4 * 6.0 * (0.5 * normal(rng)).exp()).clamp(14.0, 730.0) as u32
        }
        _ => 0,
    }
}

/// Handles whatever happens at a change point `s.t`.
fn on_change(
    rng: &mut ChaCha8Rng,
    who: &Identity,
    tr: &Traits,
    s: &mut State,
    life: &mut Life,
    extract: Day,
) {
    let t = s.t;
    // Pending events due now, in date order.
    while let Some(i) = s
        .pending
        .iter()
        .enumerate()
        .filter(|(_, (w, _))| *w <= t)
        .min_by(|a, b| a.1.0.total_cmp(&b.1.0))
        .map(|(i, _)| i)
    {
        let (_, event) = s.pending.swap_remove(i);
        match event {
            Pending::Sentence(offence) => sentence(rng, who, tr, s, life, offence, extract),
            Pending::Breach { suspended_term } => breach(rng, s, suspended_term, extract),
        }
    }
    if t >= s.benefit_end {
        if let Some((benefit, start)) = s.benefit.take() {
            record_benefit(life, benefit, start, s.benefit_end, extract);
        }
        s.benefit_end = f64::MAX;
    }
    if t >= s.next_switch && t >= s.free_from {
        let age = (t - f64::from(who.dob)) / YEAR;
        if s.employed {
            record_job(life, s.job_start, t, extract);
            s.employed = false;
            maybe_claim(rng, s, age, tr.work);
        } else {
            s.employed = true;
            s.job_start = t;
            if let Some((benefit, start)) = s.benefit.take() {
                record_benefit(life, benefit, start, t.min(s.benefit_end), extract);
            }
            s.benefit_end = f64::MAX;
        }
        s.next_switch = t + spell_length(rng, s.employed, tr.work);
    }
    if s.free_from > f64::MIN && t >= s.free_from && s.last_release.is_none_or(|r| r < s.free_from)
    {
        // Released: out of work, perhaps claiming.
        s.last_release = Some(s.free_from);
        s.employed = false;
        s.next_switch = t + spell_length(rng, false, tr.work);
        let age = (t - f64::from(who.dob)) / YEAR;
        maybe_claim(rng, s, age, tr.work);
    }
}

fn sentence(
    rng: &mut ChaCha8Rng,
    who: &Identity,
    tr: &Traits,
    s: &mut State,
    life: &mut Life,
    mut offence: Offence,
    extract: Day,
) {
    let t = s.t;
    s.proven += 1;
    match offence.disposal {
        Disposal::Custody => {
            s.custodies += 1;
            let served = (f64::from(offence.sentence_days) / 2.0).ceil().max(1.0);
            // A sentence passed while already inside runs concurrently.
            let release = (t + served).max(s.free_from);
            s.free_from = release;
            s.order_until = f64::MIN;
            s.pending
                .retain(|(_, p)| !matches!(p, Pending::Breach { .. }));
            let release_day = release as Day;
            offence.release_date = (release_day < extract).then_some(release_day);
            if s.employed {
                record_job(life, s.job_start, t, extract);
                s.employed = false;
            }
            if let Some((benefit, start)) = s.benefit.take() {
                record_benefit(life, benefit, start, t.min(s.benefit_end), extract);
            }
            s.benefit_end = f64::MAX;
            s.next_switch = f64::MAX;
            assess(rng, who, tr, s, life, extract);
        }
        Disposal::CommunityOrder | Disposal::SuspendedSentence => {
            let supervision = if offence.disposal == Disposal::CommunityOrder {
                f64::from(offence.sentence_days)
            } else {
                365.0
            };
            s.order_until = t + supervision;
            let breach_at = t + 2000.0 * (-0.5 * tr.risk).exp() * exp1(rng);
            if breach_at < s.order_until {
                let suspended_term = if offence.disposal == Disposal::SuspendedSentence {
                    offence.sentence_days
                } else {
                    0
                };
                s.pending
                    .push((breach_at, Pending::Breach { suspended_term }));
            }
            assess(rng, who, tr, s, life, extract);
        }
        _ => {}
    }
    life.offences.push(offence);
}

/// A breach of an order: recorded as an offence, dealt with three weeks on.
fn breach(rng: &mut ChaCha8Rng, s: &mut State, suspended_term: u32, extract: Day) {
    if s.t < s.free_from {
        return;
    }
    let (disposal, sentence_days) = if suspended_term > 0 {
        (Disposal::Custody, suspended_term)
    } else if rng.random_bool(0.4) {
        (Disposal::Custody, rng.random_range(28..120))
    } else {
        (Disposal::Fine, 0)
    };
    let offence = Offence {
        offence_date: s.t as Day,
        group: OffenceGroup::Breach,
        disposal_date: (s.t + 21.0) as Day,
        disposal,
        sentence_days,
        release_date: None,
    };
    if offence.disposal_date < extract {
        s.pending.push((s.t + 21.0, Pending::Sentence(offence)));
    }
}

/// OASys started in 2004; about 70% of community and custodial sentences
/// from then on have an assessment within four weeks.
fn assess(
    rng: &mut ChaCha8Rng,
    who: &Identity,
    tr: &Traits,
    s: &State,
    life: &mut Life,
    extract: Day,
) {
    const OASYS_FROM: f64 = 12_418.0; // 2004-01-01
    if s.t < OASYS_FROM || !rng.random_bool(0.7) {
        return;
    }
    let date = (s.t + rng.random_range(0.0..28.0)) as Day;
    if date >= extract {
        return;
    }
    let age = (s.t - f64::from(who.dob)) / YEAR;
    let mut score = |x: f64| -> u8 {
        let z = x + 0.8 * normal(rng);
        if z > 1.2 {
            2
        } else if z > 0.2 {
            1
        } else {
            0
        }
    };
    let r = tr.risk;
    let unemployed = if s.employed { 0.0 } else { 0.6 };
    let needs = [
        score(0.3 * r + if tr.drugs { 0.5 } else { 0.0 } - 0.2),
        score(-0.6 * tr.work + unemployed - 0.1),
        score(0.3 * r + unemployed - 0.2),
        score(0.3 * r - 0.1),
        score(0.5 * r + if age < 25.0 { 0.3 } else { 0.0 }),
        score(if tr.drugs { 1.6 } else { -0.6 }),
        score(if tr.alcohol { 1.6 } else { -0.4 }),
        score(0.2 * r - 0.1),
        score(0.6 * r + 0.2),
        score(0.5 * r - 0.1),
    ];
    life.assessments.push(Assessment { date, needs });
}

/// Whether a life shows a proven reoffence after an index event on `index`:
/// a non-breach offence committed within a year and proven within a further
/// six months.
pub(crate) fn reoffended(life: &Life, index: Day) -> bool {
    life.offences.iter().any(|o| {
        o.group != OffenceGroup::Breach
            && o.offence_date > index
            && o.offence_date <= index + 365
            && o.disposal_date <= index + 365 + 183
    })
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    fn rng(stream: u64) -> ChaCha8Rng {
        let mut r = ChaCha8Rng::seed_from_u64(7);
        r.set_stream(stream);
        r
    }

    fn extract() -> Day {
        days_of(2020, 12, 31)
    }

    fn world(treatment: Option<Treatment>) -> World {
        World {
            extract: extract(),
            ratio_bound: 1.0,
            treatment,
        }
    }

    #[test]
    fn days_round_trip() {
        let d = chrono::NaiveDate::from_ymd_opt(2002, 6, 3).unwrap();
        assert_eq!(date(day(d)), d);
        assert_eq!(days_of(1999, 1, 1), HISTORY_FROM);
        assert_eq!(days_of(1970, 1, 1), 0);
    }

    #[test]
    fn lives_are_consistent() {
        let mut life = Life::default();
        for i in 0..2_000 {
            let who = identity(&mut rng(2 * i), extract());
            simulate(&who, &mut rng(2 * i + 1), world(None), &mut life);
            let first = life.offences.iter().map(|o| o.offence_date).min();
            assert_eq!(first, Some(who.first_offence), "person {i}'s first offence");
            let age_first = f64::from(who.first_offence - who.dob) / YEAR;
            assert!(
                (10.0..=76.0).contains(&age_first),
                "age at first offence {age_first}"
            );
            for o in &life.offences {
                assert!(o.offence_date <= o.disposal_date);
                assert!(o.disposal_date < extract());
                if let Some(r) = o.release_date {
                    assert_eq!(o.disposal, Disposal::Custody);
                    assert!(r > o.disposal_date && r < extract());
                }
                if o.disposal == Disposal::Custody {
                    assert!(o.sentence_days >= 14);
                }
            }
            // No offence is committed while in custody.
            for c in life.offences.iter().filter(|o| o.release_date.is_some()) {
                let inside = c.disposal_date..c.release_date.unwrap_or(Day::MAX);
                assert!(
                    !life
                        .offences
                        .iter()
                        .any(|o| inside.contains(&o.offence_date)
                            && o.offence_date > c.disposal_date),
                    "person {i} offended in custody"
                );
            }
            for w in life.employment.windows(2) {
                assert!(
                    w[0].1.is_some_and(|e| e <= w[1].0),
                    "overlapping jobs for {i}: {w:?}"
                );
            }
            for (start, end) in &life.employment {
                assert!(end.is_none_or(|e| e >= *start));
            }
            for b in &life.benefits {
                assert!(b.end.is_none_or(|e| e > b.start));
                assert!(!(b.benefit == Benefit::Uc && b.start < days_of(2013, 1, 1)));
            }
        }
    }

    #[test]
    fn the_same_stream_gives_the_same_life() {
        let who = identity(&mut rng(10), extract());
        let mut a = Life::default();
        let mut b = Life::default();
        simulate(&who, &mut rng(11), world(None), &mut a);
        simulate(&who, &mut rng(11), world(None), &mut b);
        assert_eq!(a.offences, b.offences);
        assert_eq!(a.employment, b.employment);
    }

    #[test]
    fn treatment_changes_nothing_before_the_index_and_lowers_reoffending_after() {
        let mut control = Life::default();
        let mut treated = Life::default();
        let (mut y0, mut y1, mut n) = (0, 0, 0);
        for i in 0..4_000 {
            let who = identity(&mut rng(2 * i), extract());
            simulate(&who, &mut rng(2 * i + 1), world(None), &mut control);
            let Some(index) = control.offences.iter().find_map(|o| o.release_date) else {
                continue;
            };
            let tx = Treatment {
                index,
                hazard_ratio: 0.5,
            };
            simulate(&who, &mut rng(2 * i + 1), world(Some(tx)), &mut treated);
            let before = |l: &Life| {
                l.offences
                    .iter()
                    .filter(|o| o.disposal_date <= index)
                    .copied()
                    .collect::<Vec<_>>()
            };
            assert_eq!(
                before(&control),
                before(&treated),
                "history before the index differs for {i}"
            );
            n += 1;
            y0 += u32::from(reoffended(&control, index));
            y1 += u32::from(reoffended(&treated, index));
        }
        assert!(n > 300, "too few custodial releases: {n}");
        let (r0, r1) = (f64::from(y0) / f64::from(n), f64::from(y1) / f64::from(n));
        assert!(
            r0 > 0.25 && r0 < 0.75,
            "control reoffending rate after release {r0}"
        );
        // Halving the hazard must lower the rate clearly.
        assert!(r1 < r0 - 0.08, "treated {r1} vs control {r0}");
    }
}
