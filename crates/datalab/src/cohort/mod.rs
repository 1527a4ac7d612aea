//! From linked people to an analysis dataset: index events, the comparison
//! pool, covariates at the index date and one-year outcomes.
//!
//! # Index events
//!
//! A person's possible index events are their releases from custody, the
//! starts of community orders and suspended sentences, and cautions. A
//! treated person's index event is the first of these on or after the
//! intervention start (and within [`Settings::max_index_gap_days`] of it);
//! when the provider gave sentence dates, the events that agree with them
//! best (start and end each within 31 days; both agreeing beats one) are
//! preferred, the first of them taken, since that is the sentence the
//! provider worked with. People with none, or whose index date leaves too
//! little follow-up in the data, leave with a stated reason.
//!
//! # Kinds of index event
//!
//! A cohort is chosen on some kinds of event and not others: a service for
//! people leaving prison or starting community sentences never counts a
//! caution. The comparison people must be chosen by the same rule, or the
//! pool is not like the cohort: a person cautioned a few weeks before a
//! community order would have their caution as their index event, and the
//! pool of order starts would lose exactly those whose offending had just
//! been proven again, leaving it lower-risk than the cohort. The kinds of
//! event that are index events are therefore the cohort's own: those of
//! at least [`MIN_KIND_SHARE`] of the treated people's index events (a rarer
//! kind is an accident of recording, such as a caution between the
//! intervention start and the order the provider meant), unless given in
//! [`Settings::kinds`]. Treated people are then given the first agreeing
//! event of those kinds, and comparison people the first of those kinds.
//!
//! # Comparison pool
//!
//! Everyone in the national records not in the cohort with an index event
//! of the cohort's kinds in the same period (from the earliest to the
//! latest treated index date, unless given), their first such event being
//! their index event; optionally only those living in given regions.
//!
//! # Covariates at the index date
//!
//! Age; gender; ethnicity; index offence group; index disposal and its
//! sentence length; counts of previous proven offences, convictions,
//! cautions, custodial sentences and breaches (proven before the index
//! disposal); age at first offence; time since the last previous offence
//! (with a first-offence indicator, as there is none for first offenders);
//! employment and benefits in the year before; years on benefit in the two
//! years before; region; year of index; and the ten OASys-style needs from
//! the latest assessment in the two years before, with an indicator of
//! whether there was one (scores are 0 when there was not).
//!
//! # Outcomes
//!
//! Within one year of the index date, proven by a further six months,
//! breaches of orders excepted: proven reoffence (0/1), the number of
//! proven reoffences, days to the first (reoffenders only), and custodial
//! sentence for a reoffence (0/1 and the number).

pub mod history;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rayon::prelude::*;
use serde::Serialize;

pub use self::history::History;
use self::history::Offence;
use crate::matching::{Covariate, Dataset, Outcome, Values};
use crate::national::{Coverage, Disposal, NEEDS, OffenceGroup};
use crate::postcode::Region;

/// Outcome names, as they appear in a [`Dataset`].
pub mod outcome {
    /// Proven reoffence within one year (0/1).
    pub const REOFFENDED: &str = "reoffended";
    /// Number of proven reoffences within one year.
    pub const FREQUENCY: &str = "reoffences";
    /// Days to the first proven reoffence (reoffenders only).
    pub const DAYS_TO_FIRST: &str = "days_to_first_reoffence";
    /// Custodial sentence for a reoffence (0/1).
    pub const CUSTODY: &str = "custodial_reoffence";
    /// Number of custodial sentences for reoffences.
    pub const CUSTODY_COUNT: &str = "custodial_reoffences";
}

/// How the analysis dataset is built.
#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    /// What the national records cover.
    pub coverage: Coverage,
    /// The longest gap between intervention start and index event.
    pub max_index_gap_days: i32,
    /// The comparison pool's index period (default: the treated index
    /// dates' span).
    pub period: Option<(NaiveDate, NaiveDate)>,
    /// Restrict the comparison pool to people living in these regions.
    pub regions: Option<Vec<Region>>,
    /// The kinds of event that are index events (default: the cohort's own,
    /// as the module documentation says).
    pub kinds: Option<Vec<Kind>>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            coverage: Coverage::default(),
            max_index_gap_days: 3 * 365,
            period: None,
            regions: None,
            kinds: None,
        }
    }
}

/// A linked cohort member.
#[derive(Debug, Clone)]
pub struct Member {
    /// The cohort's spreadsheet row.
    pub row: u64,
    /// The national `person_id`.
    pub person_id: u32,
    /// When the intervention started.
    pub intervention_start: NaiveDate,
    /// The provider's sentence dates, when given.
    pub sentence: (Option<NaiveDate>, Option<NaiveDate>),
}

/// Who was lost on the way, and why.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Attrition {
    /// Treated people handed to this stage.
    pub linked: u64,
    /// Of those, with a usable index event.
    pub with_index: u64,
    /// Reasons people left, with counts.
    pub reasons: BTreeMap<String, u64>,
    /// People in the comparison pool.
    pub pool: u64,
}

/// Why the dataset cannot be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CohortError {
    /// Nobody in the cohort has a usable index event.
    #[error(
        "none of the {0} linked people has a release, order start or caution after the intervention start that the data can follow for a year"
    )]
    NoIndexEvents(u64),
    /// Nobody is in the comparison pool.
    #[error(
        "nobody in the national records outside the cohort has an index event between {0} and {1}{2}"
    )]
    EmptyPool(NaiveDate, NaiveDate, String),
}

/// The analysis dataset and what it is made of.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// Treatment, covariates and outcomes: treated rows first, in cohort
    /// order, then the pool in national order.
    pub data: Dataset,
    /// The cohort row of each treated row (`None` for the pool).
    pub rows: Vec<Option<u64>>,
    /// Each row's index date.
    pub index_dates: Vec<NaiveDate>,
    /// Who was lost and why.
    pub attrition: Attrition,
    /// The comparison pool's index period.
    pub period: (NaiveDate, NaiveDate),
    /// The kinds of event that were index events.
    pub kinds: Vec<Kind>,
}

/// The kind of an index event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Kind {
    /// Release from custody.
    Release,
    /// The start of a community order.
    CommunityOrder,
    /// The start of a suspended sentence.
    SuspendedSentence,
    /// A caution.
    Caution,
}

/// The smallest share of the treated people's index events a kind must
/// have to be one of the cohort's kinds of index event.
pub const MIN_KIND_SHARE: f64 = 0.05;

impl Kind {
    /// Every kind, in order.
    pub const ALL: [Kind; 4] = [
        Kind::Release,
        Kind::CommunityOrder,
        Kind::SuspendedSentence,
        Kind::Caution,
    ];

    /// The kind's name, as the index disposal covariate has it.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Release => "release from custody",
            Kind::CommunityOrder => "community order",
            Kind::SuspendedSentence => "suspended sentence",
            Kind::Caution => "caution",
        }
    }
}

/// An index event: the date follow-up starts, and the sentence behind it.
#[derive(Debug, Clone, Copy)]
struct Event {
    date: i32,
    kind: Kind,
    /// When the disposal was given (custody: the sentence date).
    disposal_date: i32,
    /// The sentence's end (release, or the order's end).
    end: i32,
    sentence_days: u32,
    group: OffenceGroup,
}

fn events(offences: &[Offence]) -> impl Iterator<Item = Event> + '_ {
    offences.iter().filter_map(|o| {
        let (date, kind, end) = match o.disposal {
            Disposal::Custody => (o.release_date?, Kind::Release, o.release_date?),
            Disposal::CommunityOrder => (
                o.disposal_date,
                Kind::CommunityOrder,
                o.disposal_date + o.sentence_days as i32,
            ),
            Disposal::SuspendedSentence => (
                o.disposal_date,
                Kind::SuspendedSentence,
                o.disposal_date + 365,
            ),
            Disposal::Caution => (o.disposal_date, Kind::Caution, o.disposal_date),
            _ => return None,
        };
        Some(Event {
            date,
            kind,
            disposal_date: o.disposal_date,
            end,
            sentence_days: o.sentence_days,
            group: o.group,
        })
    })
}

fn day(d: NaiveDate) -> i32 {
    (d - NaiveDate::default()).num_days() as i32
}

fn date(d: i32) -> NaiveDate {
    NaiveDate::default() + chrono::TimeDelta::days(i64::from(d))
}

/// Everything computed for one person at their index event.
struct Subject {
    person: usize,
    event: Event,
    numeric: [f64; NUMERIC.len()],
    outcomes: [f64; 5],
}

/// Numeric covariates, in dataset order.
const NUMERIC: [&str; 16 + NEEDS.len()] = [
    "age",
    "female",
    "sentence_days",
    "previous_offences",
    "previous_convictions",
    "previous_cautions",
    "previous_custodial_sentences",
    "previous_breaches",
    "age_at_first_offence",
    "years_since_last_offence",
    "first_offence",
    "employed_year_before",
    "benefit_year_before",
    "years_on_benefit_two_years_before",
    "index_year",
    "needs_assessed",
    "need_accommodation",
    "need_education_training_employment",
    "need_finance",
    "need_relationships",
    "need_lifestyle",
    "need_drugs",
    "need_alcohol",
    "need_emotional_wellbeing",
    "need_thinking_behaviour",
    "need_attitudes",
];

const YEAR: f64 = 365.25;

fn subject(h: &History, person: usize, e: Event) -> Subject {
    let t = e.date;
    let offences = h.offences(person);
    let (mut prev, mut conv, mut caut, mut cust, mut breach) = (0.0, 0.0, 0.0, 0.0, 0.0);
    let mut last: Option<i32> = None;
    for o in offences
        .iter()
        .filter(|o| o.disposal_date < e.disposal_date)
    {
        if o.group == OffenceGroup::Breach {
            breach += 1.0;
        } else {
            prev += 1.0;
            if o.disposal == Disposal::Caution {
                caut += 1.0;
            } else {
                conv += 1.0;
            }
            last = Some(last.map_or(o.offence_date, |l: i32| l.max(o.offence_date)));
        }
        if o.disposal == Disposal::Custody {
            cust += 1.0;
        }
    }
    let dob = h.dob[person];
    let first = offences.iter().map(|o| o.offence_date).min().unwrap_or(t);
    let year_before = t - 365;
    let overlaps = |s: &&history::Spell| s.start < t && s.end.is_none_or(|end| end > year_before);
    let employed = h.employment(person).iter().any(|s| overlaps(&s));
    let on_benefit = h.benefits(person).iter().any(|s| overlaps(&s));
    let benefit_days: i32 = h
        .benefits(person)
        .iter()
        .map(|s| s.days_within(t - 730, t))
        .sum();
    let assessment = h
        .assessments(person)
        .iter()
        .rev()
        .find(|a| a.date <= t && a.date >= t - 730);
    let mut numeric = [0.0; NUMERIC.len()];
    let head = [
        f64::from(t - dob) / YEAR,
        f64::from(u8::from(h.gender[person] == crate::person::Gender::Female)),
        f64::from(e.sentence_days),
        prev,
        conv,
        caut,
        cust,
        breach,
        f64::from(first - dob) / YEAR,
        last.map_or(0.0, |l| f64::from(t - l) / YEAR),
        f64::from(u8::from(last.is_none())),
        f64::from(u8::from(employed)),
        f64::from(u8::from(on_benefit)),
        f64::from(benefit_days) / YEAR,
        f64::from(chrono::Datelike::year(&date(t))),
        f64::from(u8::from(assessment.is_some())),
    ];
    numeric[..head.len()].copy_from_slice(&head);
    if let Some(a) = assessment {
        for (k, &score) in a.needs.iter().enumerate() {
            numeric[head.len() + k] = f64::from(score);
        }
    }

    let within = offences.iter().filter(|o| {
        o.group != OffenceGroup::Breach
            && o.offence_date > t
            && o.offence_date <= t + 365
            && o.disposal_date <= t + 365 + 183
    });
    let (mut count, mut first_day, mut custodial) = (0.0, f64::NAN, 0.0);
    for o in within {
        count += 1.0;
        let d = f64::from(o.offence_date - t);
        if first_day.is_nan() || d < first_day {
            first_day = d;
        }
        if o.disposal == Disposal::Custody {
            custodial += 1.0;
        }
    }
    Subject {
        person,
        event: e,
        numeric,
        outcomes: [
            f64::from(u8::from(count > 0.0)),
            count,
            first_day,
            f64::from(u8::from(custodial > 0.0)),
            custodial,
        ],
    }
}

/// The treated person's index event of one of `kinds`, or why there is
/// none.
fn treated_event(
    h: &History,
    person: usize,
    m: &Member,
    s: &Settings,
    kinds: &[Kind],
) -> Result<Event, &'static str> {
    let start = day(m.intervention_start);
    let near = |a: Option<NaiveDate>, b: i32| a.is_some_and(|a| (day(a) - b).abs() <= 31);
    // How many of the provider's two sentence dates the event agrees with.
    let agreement = |e: &Event| {
        u8::from(near(m.sentence.0, e.disposal_date)) + u8::from(near(m.sentence.1, e.end))
    };
    let chosen = events(h.offences(person))
        .filter(|e| {
            kinds.contains(&e.kind) && e.date >= start && e.date - start <= s.max_index_gap_days
        })
        .min_by_key(|e| (std::cmp::Reverse(agreement(e)), e.date))
        .ok_or(if kinds.len() < Kind::ALL.len() {
            "no index event of the cohort's kinds within three years after the intervention start"
        } else {
            "no release, order start or caution within three years after the intervention start"
        })?;
    if !s.coverage.contains_index(date(chosen.date)) {
        return Err(if date(chosen.date) < s.coverage.index_from {
            "index event before the period the lab measures"
        } else {
            "one-year follow-up and six-month waiting period run past the end of the data"
        });
    }
    Ok(chosen)
}

/// Builds the analysis dataset for linked cohort members.
pub fn build(
    h: &History,
    members: &[Member],
    settings: &Settings,
) -> Result<Analysis, CohortError> {
    let max_id = h.person_id.iter().copied().max().unwrap_or(0) as usize;
    let mut position = vec![u32::MAX; max_id + 1];
    for (p, &id) in h.person_id.iter().enumerate() {
        position[id as usize] = p as u32;
    }
    let mut attrition = Attrition {
        linked: members.len() as u64,
        ..Attrition::default()
    };
    let mut in_cohort = vec![false; h.len()];
    let mut linked: Vec<(&Member, usize)> = Vec::new();
    for m in members {
        let Some(&p) = position
            .get(m.person_id as usize)
            .filter(|&&p| p != u32::MAX)
        else {
            *attrition
                .reasons
                .entry("not in the national records read".into())
                .or_insert(0) += 1;
            continue;
        };
        let p = p as usize;
        if in_cohort[p] {
            *attrition
                .reasons
                .entry("the same person as an earlier row".into())
                .or_insert(0) += 1;
            continue;
        }
        in_cohort[p] = true;
        linked.push((m, p));
    }
    let kinds = settings.kinds.clone().unwrap_or_else(|| {
        cohort_kinds(
            linked
                .iter()
                .filter_map(|&(m, p)| treated_event(h, p, m, settings, &Kind::ALL).ok())
                .map(|e| e.kind),
        )
    });
    let mut treated: Vec<(u64, Subject)> = Vec::new();
    for &(m, p) in &linked {
        match treated_event(h, p, m, settings, &kinds) {
            Ok(e) => treated.push((m.row, subject(h, p, e))),
            Err(why) => *attrition.reasons.entry(why.into()).or_insert(0) += 1,
        }
    }
    attrition.with_index = treated.len() as u64;
    if treated.is_empty() {
        return Err(CohortError::NoIndexEvents(attrition.linked));
    }
    let span = |sel: fn(i32, i32) -> i32| {
        treated
            .iter()
            .map(|(_, s)| s.event.date)
            .reduce(sel)
            .unwrap_or(0)
    };
    let period = settings
        .period
        .map(|(a, b)| (day(a), day(b)))
        .unwrap_or((span(i32::min), span(i32::max)));
    let regions = settings.regions.as_deref();
    let pool: Vec<Subject> = (0..h.len())
        .into_par_iter()
        .with_min_len(4096)
        .filter(|&p| !in_cohort[p] && regions.is_none_or(|r| r.contains(&h.region[p])))
        .filter_map(|p| {
            events(h.offences(p))
                .filter(|e| {
                    kinds.contains(&e.kind)
                        && e.date >= period.0
                        && e.date <= period.1
                        && settings.coverage.contains_index(date(e.date))
                })
                .min_by_key(|e| e.date)
                .map(|e| subject(h, p, e))
        })
        .collect();
    attrition.pool = pool.len() as u64;
    if pool.is_empty() {
        let where_ = regions.map_or(String::new(), |r| {
            format!(
                " in {}",
                r.iter().map(|r| r.name()).collect::<Vec<_>>().join(", ")
            )
        });
        return Err(CohortError::EmptyPool(
            date(period.0),
            date(period.1),
            where_,
        ));
    }

    let rows: Vec<Option<u64>> = treated
        .iter()
        .map(|(r, _)| Some(*r))
        .chain(std::iter::repeat_n(None, pool.len()))
        .collect();
    let all: Vec<&Subject> = treated.iter().map(|(_, s)| s).chain(pool.iter()).collect();
    let n = all.len();
    let mut covariates: Vec<Covariate> = NUMERIC
        .iter()
        .enumerate()
        .map(|(k, name)| Covariate {
            name: name.to_string(),
            values: Values::Numeric(all.iter().map(|s| s.numeric[k]).collect()),
        })
        .collect();
    let text = |f: &dyn Fn(&Subject) -> &'static str| -> Values {
        Values::categorical(&all.iter().map(|s| f(s)).collect::<Vec<_>>())
    };
    covariates.push(Covariate {
        name: "ethnicity".into(),
        values: text(&|s| h.ethnicity[s.person].name()),
    });
    covariates.push(Covariate {
        name: "index_offence".into(),
        values: text(&|s| s.event.group.name()),
    });
    covariates.push(Covariate {
        name: "index_disposal".into(),
        values: text(&|s| s.event.kind.name()),
    });
    covariates.push(Covariate {
        name: "region".into(),
        values: text(&|s| h.region[s.person].name()),
    });
    let names = [
        outcome::REOFFENDED,
        outcome::FREQUENCY,
        outcome::DAYS_TO_FIRST,
        outcome::CUSTODY,
        outcome::CUSTODY_COUNT,
    ];
    let outcomes = names
        .iter()
        .enumerate()
        .map(|(k, name)| Outcome {
            name: name.to_string(),
            values: all.iter().map(|s| s.outcomes[k]).collect(),
        })
        .collect();
    let index_dates = all.iter().map(|s| date(s.event.date)).collect();
    let treated_flags = (0..n).map(|i| i < treated.len()).collect();
    Ok(Analysis {
        data: Dataset {
            treated: treated_flags,
            covariates,
            outcomes,
        },
        rows,
        index_dates,
        attrition,
        period: (date(period.0), date(period.1)),
        kinds,
    })
}

/// The cohort's kinds of index event: those of at least [`MIN_KIND_SHARE`]
/// of the treated people's first-choice index events (all kinds if there
/// are none).
fn cohort_kinds(chosen: impl Iterator<Item = Kind>) -> Vec<Kind> {
    let mut counts = [0usize; Kind::ALL.len()];
    for k in chosen {
        counts[k as usize] += 1;
    }
    let total: usize = counts.iter().sum();
    if total == 0 {
        return Kind::ALL.to_vec();
    }
    Kind::ALL
        .into_iter()
        .filter(|&k| counts[k as usize] as f64 >= MIN_KIND_SHARE * total as f64)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    fn offence(committed: NaiveDate, disposed: NaiveDate, disposal: Disposal) -> Offence {
        Offence {
            offence_date: day(committed),
            group: OffenceGroup::Theft,
            disposal_date: day(disposed),
            disposal,
            sentence_days: if disposal == Disposal::CommunityOrder {
                365
            } else {
                0
            },
            release_date: None,
        }
    }

    fn order(on: NaiveDate) -> Offence {
        offence(
            on - chrono::TimeDelta::days(30),
            on,
            Disposal::CommunityOrder,
        )
    }

    fn caution(on: NaiveDate) -> Offence {
        offence(on - chrono::TimeDelta::days(10), on, Disposal::Caution)
    }

    fn custody(sentenced: NaiveDate, released: NaiveDate) -> Offence {
        Offence {
            sentence_days: 2 * (released - sentenced).num_days() as u32,
            release_date: Some(day(released)),
            ..offence(
                sentenced - chrono::TimeDelta::days(40),
                sentenced,
                Disposal::Custody,
            )
        }
    }

    fn member(person_id: u32, start: NaiveDate) -> Member {
        Member {
            row: u64::from(person_id) + 1,
            person_id,
            intervention_start: start,
            sentence: (None, None),
        }
    }

    fn dob() -> i32 {
        day(d(1990, 1, 1))
    }

    /// Twenty treated people with community orders in 2015 (months apart),
    /// then `pool`.
    fn cohort_of_orders(pool: Vec<Vec<Offence>>) -> (History, Vec<Member>) {
        let mut people: Vec<Vec<Offence>> = (0..20)
            .map(|i| vec![order(d(2015, 1, 10) + chrono::TimeDelta::days(15 * i))])
            .collect();
        let members = (0..20u32)
            .map(|i| {
                member(
                    i + 1,
                    d(2015, 1, 5) + chrono::TimeDelta::days(15 * i64::from(i)),
                )
            })
            .collect();
        people.extend(pool);
        (History::of_offences(dob(), people), members)
    }

    fn index_disposal(a: &Analysis, row: usize) -> String {
        let c = a
            .data
            .covariates
            .iter()
            .find(|c| c.name == "index_disposal")
            .unwrap();
        match &c.values {
            Values::Categorical { codes, levels } => levels[codes[row] as usize].clone(),
            Values::Numeric(_) => unreachable!(),
        }
    }

    #[test]
    fn the_cohorts_kinds_are_those_of_at_least_five_percent_of_it() {
        let mut chosen = vec![Kind::CommunityOrder; 90];
        chosen.extend([Kind::Release; 7]);
        chosen.extend([Kind::Caution; 3]);
        assert_eq!(
            cohort_kinds(chosen.into_iter()),
            vec![Kind::Release, Kind::CommunityOrder]
        );
        let cautions = [Kind::Caution; 60].into_iter().chain([Kind::Release; 40]);
        assert_eq!(cohort_kinds(cautions), vec![Kind::Release, Kind::Caution]);
        assert_eq!(cohort_kinds(std::iter::empty()), Kind::ALL.to_vec());
    }

    #[test]
    fn a_pool_caution_does_not_take_the_place_of_an_order_the_cohort_could_have_had() {
        // Cautioned in March 2015, then an order in May: for a cohort of
        // orders, the order is the index event, as it would have been had
        // this person been in the cohort.
        let (h, members) =
            cohort_of_orders(vec![vec![caution(d(2015, 3, 1)), order(d(2015, 5, 1))]]);
        let a = build(&h, &members, &Settings::default()).unwrap();
        assert_eq!(a.kinds, vec![Kind::CommunityOrder]);
        assert_eq!(a.attrition.pool, 1);
        let pool_row = a.rows.iter().position(Option::is_none).unwrap();
        assert_eq!(a.index_dates[pool_row], d(2015, 5, 1));
        assert_eq!(index_disposal(&a, pool_row), "community order");
        // With cautions asked for, the caution comes first again.
        let all = Settings {
            kinds: Some(Kind::ALL.to_vec()),
            ..Settings::default()
        };
        let a = build(&h, &members, &all).unwrap();
        assert_eq!(a.index_dates[pool_row], d(2015, 3, 1));
    }

    #[test]
    fn a_caution_between_the_intervention_start_and_the_order_is_not_the_index() {
        let (mut h, mut members) = cohort_of_orders(vec![]);
        // One more treated person, cautioned four days after starting and
        // given an order a week later.
        let mut people: Vec<Vec<Offence>> = (0..h.len()).map(|p| h.offences(p).to_vec()).collect();
        people.push(vec![caution(d(2016, 2, 5)), order(d(2016, 2, 12))]);
        // And someone for the pool.
        people.push(vec![order(d(2015, 6, 1))]);
        h = History::of_offences(dob(), people);
        members.push(member(21, d(2016, 2, 1)));
        let a = build(&h, &members, &Settings::default()).unwrap();
        let row = a.rows.iter().position(|r| *r == Some(22)).unwrap();
        assert_eq!(a.index_dates[row], d(2016, 2, 12));
        assert_eq!(a.attrition.with_index, 21);
    }

    #[test]
    fn the_sentence_agreeing_on_both_dates_is_preferred() {
        // In prison from 1 September 2015 to 17 January 2016; an order for
        // an older offence is passed on 23 September, within 31 days of
        // the sentence start the provider gave. The release agrees with
        // both the provider's dates and is the index event.
        let people = vec![
            vec![
                custody(d(2015, 9, 1), d(2016, 1, 17)),
                order(d(2015, 9, 23)),
            ],
            vec![custody(d(2015, 6, 1), d(2015, 11, 1))],
        ];
        let h = History::of_offences(dob(), people);
        let m = Member {
            sentence: (Some(d(2015, 9, 1)), Some(d(2016, 1, 17))),
            ..member(1, d(2015, 9, 18))
        };
        let s = Settings::default();
        let e = treated_event(&h, 0, &m, &s, &Kind::ALL).unwrap();
        assert_eq!((e.kind, date(e.date)), (Kind::Release, d(2016, 1, 17)));
        // Given only the start, both agree with one date: the first is taken.
        let m = Member {
            sentence: (Some(d(2015, 9, 1)), None),
            ..m
        };
        let e = treated_event(&h, 0, &m, &s, &Kind::ALL).unwrap();
        assert_eq!(e.kind, Kind::CommunityOrder);
    }
}
