//! The synthetic national dataset and provider cohorts.
//!
//! The real lab reads a research copy of the Police National Computer (about
//! 3.6 million offenders) with DWP and HMRC employment and benefit history.
//! Nobody outside the Ministry of Justice can have that, so every test and
//! benchmark here uses a synthetic equivalent with the same shape, generated
//! deterministically from a seed:
//!
//! - `DIR/national/`: the national tables (people, offences, employment,
//!   benefits, needs) as directories of Parquet parts, and `manifest.toml`.
//! - `DIR/cohort.csv` and `DIR/request.toml`: a provider's submission in
//!   the lab's template, with realistic recording errors.
//! - `DIR/truth/`: what the lab must never see and a test must: the true
//!   national person behind each cohort row, and the planted effect.
//!
//! How lives unfold is documented in [`life`]'s model; who attends the
//! intervention and how the provider records them, in [`cohort`].
//!
//! Generation runs in two passes over the population, each in parallel
//! over chunks of people: the first finds who is eligible for the
//! intervention and draws the cohort (a weighted sample needs every weight
//! first); the second writes everyone's records, with the treated histories
//! of those who attended. Each person's draws come from their own ChaCha8
//! streams (identity, history, selection, recording errors), so a person is
//! the same whatever the chunking or the number of threads, and the same
//! seed always gives byte-identical tables.

pub mod cohort;
pub mod life;
mod write;

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use self::cohort::{IndexEvent, Noise, ProviderRow, Source};
use self::life::{Day, Identity, Life, Treatment, World};
use crate::intake::{Confirmation, Request, TEMPLATE_COLUMNS};
use crate::national::{Coverage, Manifest};
use crate::postcode::Region;
use crate::progress::Progress;

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    /// The settings cannot produce a dataset.
    #[error("{0}")]
    Config(String),
    /// A file could not be written.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// A Parquet or CSV file could not be encoded.
    #[error("cannot write {path}: {message}")]
    Encode {
        /// The file.
        path: PathBuf,
        /// What the encoder said.
        message: String,
    },
}

/// Settings for one generated dataset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Config {
    /// People in the national records.
    pub people: u64,
    /// Seed for every random draw.
    pub seed: u64,
    /// Rows in the provider's cohort (including those absent from the
    /// national records).
    pub cohort: usize,
    /// Recording-error level: 0 for an exact copy, 1 for the default rates,
    /// 2 for twice them.
    pub noise: f64,
    /// What the national records cover.
    pub coverage: Coverage,
    /// First day of the intervention window: index events from here.
    pub window_from: NaiveDate,
    /// Last day of the intervention window.
    pub window_to: NaiveDate,
    /// The planted effect: the hazard ratio of reoffending in the year after
    /// the index event for those who attended (1 = no effect).
    pub hazard_ratio: f64,
    /// The region the provider works in (most of its cohort lives there).
    pub region: Region,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            people: 100_000,
            seed: 1,
            cohort: 1_000,
            noise: 1.0,
            coverage: Coverage::default(),
            window_from: NaiveDate::from_ymd_opt(2014, 1, 1).unwrap_or_default(),
            window_to: NaiveDate::from_ymd_opt(2016, 12, 31).unwrap_or_default(),
            hazard_ratio: 0.8,
            region: Region::NorthWest,
        }
    }
}

impl Config {
    fn check(&self) -> Result<(), SynthError> {
        let fail = |m: String| Err(SynthError::Config(m));
        if self.people == 0 || self.people > 9_000_000 {
            return fail(format!(
                "--people must be between 1 and 9,000,000 (PNC serial numbers run out beyond); got {}",
                self.people
            ));
        }
        if self.cohort == 0 {
            return fail("--cohort must be at least 1".into());
        }
        if !(0.0..=10.0).contains(&self.noise) {
            return fail(format!(
                "--noise must be between 0 and 10; got {}",
                self.noise
            ));
        }
        if !(self.hazard_ratio > 0.0 && self.hazard_ratio <= 10.0) {
            return fail(format!(
                "the hazard ratio must be above 0 and at most 10; got {}",
                self.hazard_ratio
            ));
        }
        let cov = self.coverage;
        if self.window_from > self.window_to
            || !cov.contains_index(self.window_from)
            || !cov.contains_index(self.window_to)
        {
            return fail(format!(
                "the intervention window {} to {} must lie within the measurable index period {} to {}",
                self.window_from,
                self.window_to,
                cov.index_from,
                cov.index_to()
            ));
        }
        Ok(())
    }
}

/// What was generated.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Where it was written.
    pub out: PathBuf,
    /// Rows written per national table.
    pub rows: BTreeMap<String, u64>,
    /// The cohort and its planted effect.
    pub effect: Effect,
}

/// The ground truth about the cohort and its planted effect
/// (`truth/effect.toml`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Effect {
    /// The hazard ratio applied in the year after the index event.
    pub hazard_ratio: f64,
    /// Rows in the cohort file.
    pub cohort_rows: usize,
    /// Of those, people present in the national records.
    pub in_national: usize,
    /// People eligible for the intervention (an index event in the window).
    pub eligible: u64,
    /// One-year proven reoffending of the cohort as it happened (treated).
    pub cohort_rate_treated: f64,
    /// The same people's reoffending had they not attended.
    pub cohort_rate_untreated: f64,
    /// The true effect on those treated: treated minus untreated rate.
    pub true_effect: f64,
    /// Reoffending of everyone eligible who did not attend.
    pub pool_rate: f64,
    /// What a naive comparison would report: cohort minus pool.
    pub naive_difference: f64,
    /// How far the naive comparison is from the truth.
    pub selection_bias: f64,
}

/// Streams of each person's random draws.
#[derive(Clone, Copy)]
enum Stream {
    Identity = 0,
    History = 1,
    Selection = 2,
    Recording = 3,
    Intervention = 4,
}

struct Streams {
    key: [u8; 32],
}

impl Streams {
    fn new(seed: u64) -> Self {
        let mut master = ChaCha8Rng::seed_from_u64(seed);
        let mut key = [0u8; 32];
        for b in &mut key {
            *b = master.random();
        }
        Self { key }
    }

    fn person(&self, person: u64, stream: Stream) -> ChaCha8Rng {
        let mut rng = ChaCha8Rng::from_seed(self.key);
        rng.set_stream(person * 8 + stream as u64);
        rng
    }

    /// A stream for dataset-wide draws (cohort order, request wording).
    fn global(&self, n: u64) -> ChaCha8Rng {
        let mut rng = ChaCha8Rng::from_seed(self.key);
        rng.set_stream(u64::MAX - n);
        rng
    }
}

/// A person eligible for the intervention, with their race key.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    key: f64,
    person: u64,
    event: IndexEvent,
    reoffended: bool,
}

/// The `want` smallest keys seen, and totals over everyone eligible.
#[derive(Default)]
struct Draw {
    best: Vec<Candidate>,
    eligible: u64,
    reoffended: u64,
}

impl Draw {
    fn merge(mut self, other: Draw, want: usize) -> Draw {
        self.best.extend(other.best);
        self.keep(want);
        self.eligible += other.eligible;
        self.reoffended += other.reoffended;
        self
    }

    fn keep(&mut self, want: usize) {
        if self.best.len() > want {
            self.best.select_nth_unstable_by(want, |a, b| {
                a.key.total_cmp(&b.key).then(a.person.cmp(&b.person))
            });
            self.best.truncate(want);
        }
    }
}

/// A cohort member's row, with the truth about them.
struct Member {
    person: Option<u64>,
    pnc: String,
    event: IndexEvent,
    intervention_start: Day,
    y0: bool,
    y1: bool,
    row: ProviderRow,
}

struct Ctx<'a> {
    cfg: &'a Config,
    streams: Streams,
    extract: Day,
    from: Day,
    to: Day,
}

impl Ctx<'_> {
    fn identity(&self, person: u64) -> Identity {
        life::identity(
            &mut self.streams.person(person, Stream::Identity),
            self.extract,
        )
    }

    fn live(&self, person: u64, who: &Identity, treatment: Option<Treatment>, life: &mut Life) {
        let world = World {
            extract: self.extract,
            ratio_bound: self.cfg.hazard_ratio.max(1.0),
            treatment,
        };
        life::simulate(
            who,
            &mut self.streams.person(person, Stream::History),
            world,
            life,
        );
    }

    /// The eligible index event and race key of a person, if any.
    fn candidate(&self, person: u64, who: &Identity, life: &Life) -> Option<Candidate> {
        let event = cohort::index_event(life, self.from, self.to)?;
        let weight = cohort::selection_weight(who, life, &event, self.cfg.region);
        let key =
            cohort::selection_key(&mut self.streams.person(person, Stream::Selection), weight);
        Some(Candidate {
            key,
            person,
            event,
            reoffended: life::reoffended(life, event.date),
        })
    }

    /// A cohort member: their treated life is already in `life`.
    fn member(&self, c: &Candidate, who: &Identity, life: &Life, national: bool) -> Member {
        let intervention_start = cohort::intervention_start(
            &mut self.streams.person(c.person, Stream::Intervention),
            &c.event,
        );
        let ids = cohort::identifiers(c.person, who, life.ever_in_custody());
        let other = (c.person * 7_919 + 13) % self.cfg.people.max(2);
        let other = if other == c.person {
            (other + 1) % self.cfg.people.max(2)
        } else {
            other
        };
        let other_pnc = cohort::identifiers(other, &self.identity(other), false).pnc;
        let source = Source {
            who,
            ids,
            event: c.event,
            intervention_start,
            other_pnc,
        };
        let row = cohort::provider_row(
            &mut self.streams.person(c.person, Stream::Recording),
            Noise(self.cfg.noise),
            &source,
        );
        Member {
            person: national.then_some(c.person),
            pnc: ids.pnc.to_string(),
            event: c.event,
            intervention_start,
            y0: c.reoffended,
            y1: life::reoffended(life, c.event.date),
            row,
        }
    }
}

/// People per chunk: small enough that both cores get work on small
/// populations, large enough that Parquet parts are a sensible size.
fn chunk_size(people: u64) -> u64 {
    (people / 16).clamp(4_096, 131_072)
}

/// Generates a national dataset and a provider cohort into `out`.
pub fn generate(cfg: &Config, out: &Path, progress: &dyn Progress) -> Result<Summary, SynthError> {
    cfg.check()?;
    let ctx = Ctx {
        cfg,
        streams: Streams::new(cfg.seed),
        extract: life::day(cfg.coverage.extract_date),
        from: life::day(cfg.window_from),
        to: life::day(cfg.window_to),
    };
    let national_dir = out.join("national");
    for (name, _) in crate::national::tables::all() {
        let dir = national_dir.join(name);
        // Stale parts from an earlier, larger run would be read as data.
        if dir.exists() {
            fs::remove_dir_all(&dir).map_err(|source| SynthError::Io {
                path: dir.clone(),
                source,
            })?;
        }
        fs::create_dir_all(&dir).map_err(|source| SynthError::Io {
            path: dir.clone(),
            source,
        })?;
    }
    fs::create_dir_all(out.join("truth")).map_err(|source| SynthError::Io {
        path: out.join("truth"),
        source,
    })?;

    let size = chunk_size(cfg.people);
    let chunks = cfg.people.div_ceil(size);
    let range = |c: u64| c * size..((c + 1) * size).min(cfg.people);
    let absent = ((cfg.cohort as f64) * 0.015 * cfg.noise).round() as usize;
    let absent = absent.min(cfg.cohort);
    let want = cfg.cohort - absent;

    // Pass 1: who is eligible, and the weighted draw of the cohort.
    progress.start("choosing the cohort", cfg.people);
    let draw = (0..chunks)
        .into_par_iter()
        .map(|c| {
            let mut draw = Draw::default();
            let mut life = Life::default();
            for person in range(c) {
                let who = ctx.identity(person);
                ctx.live(person, &who, None, &mut life);
                if let Some(cand) = ctx.candidate(person, &who, &life) {
                    draw.eligible += 1;
                    draw.reoffended += u64::from(cand.reoffended);
                    draw.best.push(cand);
                    if draw.best.len() >= 2 * want.max(1) {
                        draw.keep(want);
                    }
                }
            }
            draw.keep(want);
            progress.advance(range(c).end - range(c).start);
            draw
        })
        .reduce(Draw::default, |a, b| a.merge(b, want));
    progress.finish();
    if (draw.best.len() as u64) < want as u64 {
        return Err(SynthError::Config(format!(
            "only {} of {} people had a release or order start between {} and {}, fewer than the {} cohort rows asked for; ask for a smaller --cohort or more --people",
            draw.eligible, cfg.people, cfg.window_from, cfg.window_to, want
        )));
    }
    let chosen: HashMap<u64, Candidate> = draw.best.iter().map(|c| (c.person, *c)).collect();

    // Pass 2: everyone's records, with the attendees' treated histories.
    progress.start("writing national records", cfg.people);
    let results: Vec<(write::Counts, Vec<Member>)> = (0..chunks)
        .into_par_iter()
        .map(|c| {
            let mut chunk = write::Chunk::default();
            let mut members = Vec::new();
            let mut life = Life::default();
            for person in range(c) {
                let who = ctx.identity(person);
                let chosen = chosen.get(&person);
                let treatment = chosen.map(|c| Treatment {
                    index: c.event.date,
                    hazard_ratio: cfg.hazard_ratio,
                });
                ctx.live(person, &who, treatment, &mut life);
                let ids = cohort::identifiers(person, &who, life.ever_in_custody());
                chunk.push(person_id(person), &who, &ids, &life);
                if let Some(c) = chosen {
                    members.push(ctx.member(c, &who, &life, true));
                }
            }
            let counts = chunk.write(&national_dir, c as usize)?;
            progress.advance(range(c).end - range(c).start);
            Ok((counts, members))
        })
        .collect::<Result<_, SynthError>>()?;
    progress.finish();

    let mut rows = BTreeMap::new();
    let mut members = Vec::with_capacity(cfg.cohort);
    for (counts, m) in results {
        for ((name, _), n) in crate::national::tables::all().iter().zip(counts) {
            *rows.entry(name.to_string()).or_insert(0) += n;
        }
        members.extend(m);
    }
    members.extend(absent_members(&ctx, absent));

    // The provider's file lists people in its own order, not ours.
    let mut order = ctx.streams.global(0);
    for i in (1..members.len()).rev() {
        members.swap(i, order.random_range(0..=i));
    }

    let effect = effect(cfg, &members, &draw);
    write_cohort(out, &members)?;
    write_truth(out, &members, &effect)?;
    write_request(out, cfg, &mut ctx.streams.global(1), members.len())?;
    let manifest = Manifest {
        format: Manifest::FORMAT,
        generator: format!("lifeline {}", env!("CARGO_PKG_VERSION")),
        seed: cfg.seed,
        people: cfg.people,
        coverage: cfg.coverage,
        rows: rows.clone(),
    };
    manifest
        .write(&national_dir)
        .map_err(|e| SynthError::Encode {
            path: national_dir.join(Manifest::FILE),
            message: e.to_string(),
        })?;
    Ok(Summary {
        out: out.to_path_buf(),
        rows,
        effect,
    })
}

/// The national `person_id` of the person at a position (1-based).
fn person_id(person: u64) -> u32 {
    (person + 1) as u32
}

/// Attendees the national records do not hold: drawn from people simulated
/// beyond the national population, who are never written to it.
fn absent_members(ctx: &Ctx<'_>, absent: usize) -> Vec<Member> {
    let mut out = Vec::with_capacity(absent);
    let mut life = Life::default();
    let mut person = ctx.cfg.people;
    // Eligibility is common enough that this ends quickly; the cap only
    // guards against a window nobody can fall in.
    let cap = ctx.cfg.people + 10_000 + 100 * absent as u64;
    while out.len() < absent && person < cap {
        let who = ctx.identity(person);
        ctx.live(person, &who, None, &mut life);
        if let Some(c) = ctx.candidate(person, &who, &life) {
            let tx = Treatment {
                index: c.event.date,
                hazard_ratio: ctx.cfg.hazard_ratio,
            };
            ctx.live(person, &who, Some(tx), &mut life);
            out.push(ctx.member(&c, &who, &life, false));
        }
        person += 1;
    }
    out
}

fn rate(n: usize, k: usize) -> f64 {
    if n == 0 { 0.0 } else { k as f64 / n as f64 }
}

fn effect(cfg: &Config, members: &[Member], draw: &Draw) -> Effect {
    let national: Vec<&Member> = members.iter().filter(|m| m.person.is_some()).collect();
    let n = national.len();
    let treated = rate(n, national.iter().filter(|m| m.y1).count());
    let untreated = rate(n, national.iter().filter(|m| m.y0).count());
    let chosen_y0 = national.iter().filter(|m| m.y0).count() as u64;
    let pool_n = draw.eligible - n as u64;
    let pool = rate(pool_n as usize, (draw.reoffended - chosen_y0) as usize);
    let round = |x: f64| (x * 1e6).round() / 1e6;
    Effect {
        hazard_ratio: cfg.hazard_ratio,
        cohort_rows: members.len(),
        in_national: n,
        eligible: draw.eligible,
        cohort_rate_treated: round(treated),
        cohort_rate_untreated: round(untreated),
        true_effect: round(treated - untreated),
        pool_rate: round(pool),
        naive_difference: round(treated - pool),
        selection_bias: round((treated - pool) - (treated - untreated)),
    }
}

fn csv_error(path: &Path) -> impl Fn(csv::Error) -> SynthError + '_ {
    move |e| SynthError::Encode {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

fn write_cohort(out: &Path, members: &[Member]) -> Result<(), SynthError> {
    let path = out.join("cohort.csv");
    let mut w = csv::Writer::from_path(&path).map_err(csv_error(&path))?;
    w.write_record(TEMPLATE_COLUMNS).map_err(csv_error(&path))?;
    for m in members {
        w.write_record(&m.row.fields).map_err(csv_error(&path))?;
    }
    w.flush().map_err(|source| SynthError::Io { path, source })
}

fn write_truth(out: &Path, members: &[Member], effect: &Effect) -> Result<(), SynthError> {
    let path = out.join("truth").join("cohort_truth.csv");
    let mut w = csv::Writer::from_path(&path).map_err(csv_error(&path))?;
    w.write_record([
        "row",
        "person_id",
        "pnc_id",
        "index_date",
        "index_kind",
        "intervention_start",
        "reoffended_untreated",
        "reoffended_treated",
        "recording_errors",
    ])
    .map_err(csv_error(&path))?;
    for (i, m) in members.iter().enumerate() {
        w.write_record([
            // Spreadsheet row: the header is row 1.
            (i + 2).to_string(),
            m.person
                .map(|p| person_id(p).to_string())
                .unwrap_or_default(),
            m.pnc.clone(),
            life::date(m.event.date).to_string(),
            m.event.kind.name().to_string(),
            life::date(m.intervention_start).to_string(),
            u8::from(m.y0).to_string(),
            u8::from(m.y1).to_string(),
            m.row.errors.join(";"),
        ])
        .map_err(csv_error(&path))?;
    }
    w.flush().map_err(|source| SynthError::Io {
        path: path.clone(),
        source,
    })?;
    let path = out.join("truth").join("effect.toml");
    let text = toml::to_string(effect).map_err(|e| SynthError::Encode {
        path: path.clone(),
        message: e.to_string(),
    })?;
    fs::write(&path, text).map_err(|source| SynthError::Io { path, source })
}

fn write_request(
    out: &Path,
    cfg: &Config,
    rng: &mut ChaCha8Rng,
    rows: usize,
) -> Result<(), SynthError> {
    let request = Request {
        organisation: cohort::organisation(rng, cfg.region),
        intervention: "One-to-one mentoring and help into work for people leaving prison or starting community sentences, from first contact until six months after release or sentence.".into(),
        collection: "Exported from our case management system; prison and probation dates copied from referral forms.".into(),
        excluded_incomplete: (rows as f64 * rng.random_range(0.01..0.06)).round() as u64,
        date_order: None,
        confirmation: Confirmation {
            data_protection: true,
            section_14_gateway: true,
        },
    };
    let path = out.join("request.toml");
    let text = toml::to_string(&request).map_err(|e| SynthError::Encode {
        path: path.clone(),
        message: e.to_string(),
    })?;
    fs::write(&path, text).map_err(|source| SynthError::Io { path, source })
}
