//! A generated year of cases, for the statistics, the disclosure log and
//! the benchmarks: every case is made through the same functions the pages
//! call (logged, assigned, accepted, decided, cleared, sent, reviewed), on
//! dates spread over the year, so the figures come out of the real paths.
//! The same seed gives the same year.

use chrono::{Datelike as _, NaiveDate};
use platform::{Actor, Db, Result};
use rand::{RngExt as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;

use crate::cases::{self, Applied, ClockChange, Decision, Kind, NewCase};
use crate::clock;
use crate::exemptions::{Outcome, Reason};
use crate::workflow;

/// What was made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Made {
    pub requests: u64,
    pub reviews: u64,
    pub published: u64,
}

const SUBJECTS: [&str; 10] = [
    "Mobile phones found in prisons",
    "Drone sightings over prisons",
    "Video calls in prisons: data protection impact assessment",
    "Prison visits booked online",
    "Reoffending of people on a programme",
    "Staff assaults in prisons",
    "Use of social media by prisoners",
    "Contracts for prison video call services",
    "Self-harm incidents in a women's prison",
    "Costs of prison security equipment",
];

const FOR: [&str; 2] = [
    "Disclosure would make the public more aware of how prisons work and increase transparency and accountability.",
    "There is a public interest in confidence that prisons are secure and well run.",
];
const AGAINST: [&str; 2] = [
    "The information would reveal how security measures work and could be used to defeat them.",
    "Disclosure would be likely to help those engaged in criminality within prisons.",
];

fn at(d: NaiveDate, hour: u32) -> i64 {
    d.and_hms_opt(hour, 0, 0)
        .unwrap_or_default()
        .and_utc()
        .timestamp()
}

/// Who works the generated cases.
pub struct Staff<'a> {
    pub manager: &'a Actor,
    pub responder: &'a Actor,
    pub disclosure: &'a Actor,
}

/// What to make: `count` requests received over `year` (none after
/// `today`), from `seed`.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub year: i32,
    pub count: u64,
    pub seed: u64,
    pub today: NaiveDate,
}

/// Makes the plan's requests, answered as a busy department would, by
/// `staff`.
pub async fn generate(
    db: &Db,
    plan: Plan,
    config: &crate::Config,
    staff: &Staff<'_>,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<Made> {
    let Plan {
        year,
        count: n,
        seed,
        today,
    } = plan;
    let Staff {
        manager,
        responder,
        disclosure,
    } = *staff;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let internal = config.internal();
    let mut made = Made::default();
    let units = crate::units::list(db).await?;
    let unit = units.first().map(|u| u.id.clone()).unwrap_or_default();
    let start = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(today);
    for i in 0..n {
        progress(i, n);
        let offset = rng.random_range(0..365u64);
        let received = start + chrono::Days::new(offset);
        if received.year() != year || received > today {
            continue;
        }
        let kind_of_requester =
            cases::REQUESTER_TYPES[rng.random_range(0..cases::REQUESTER_TYPES.len())].0;
        let subject = SUBJECTS[rng.random_range(0..SUBJECTS.len())];
        let new = NewCase {
            subject: subject.to_owned(),
            request: format!(
                "Please send me information about {}: request {i}.",
                subject.to_lowercase()
            ),
            name: format!("Requester {}", rng.random_range(1..400u32)),
            email: Some(format!(
                "requester{}@example.com",
                rng.random_range(1..400u32)
            )),
            address: None,
            requester_type: kind_of_requester.to_owned(),
            delivery: "email".into(),
            channel: "web".into(),
            received_on: received,
            token: None,
        };
        let t0 = at(received, 9);
        let (c, _) = cases::create(db, &new, internal, manager, t0).await?;
        made.requests += 1;
        let c = cases::make_move(
            db,
            &c.id,
            workflow::ASSIGN,
            "",
            vec![("unit_id", unit.clone().into())],
            manager,
            c.version,
            t0 + 60,
        )
        .await?;
        let mut c = cases::make_move(
            db,
            &c.id,
            workflow::ACCEPT,
            "",
            vec![("responder_id", responder.id.clone().into())],
            responder,
            c.version,
            t0 + 120,
        )
        .await?;
        let roll = rng.random_range(0..100u32);
        // 1% of requests get a fees notice nobody pays: they lapse.
        if roll == 99 {
            let notice = clock::nth_working_day(received, 3).unwrap_or(received);
            if notice <= today {
                cases::change_clock(
                    db,
                    &c.id,
                    &ClockChange::FeeNotice(notice),
                    internal,
                    responder,
                    c.version,
                    at(notice, 10),
                )
                .await?;
            }
            continue;
        }
        let mut d = Decision {
            explanation: "The information is set out below.".into(),
            ..Decision::default()
        };
        let qualified = |code: &str| Applied {
            code: code.into(),
            explanation: "Disclosure would be likely to prejudice prison security.".into(),
            balance: Some(
                "On balance, the public interest favours withholding the information.".into(),
            ),
            for_disclosure: FOR.iter().map(|s| s.to_string()).collect(),
            against: AGAINST.iter().map(|s| s.to_string()).collect(),
        };
        let absolute = |code: &str| Applied {
            code: code.into(),
            explanation: "The information is personal data of people other than you.".into(),
            balance: None,
            for_disclosure: Vec::new(),
            against: Vec::new(),
        };
        match roll {
            0..35 => d.outcome = Some(Outcome::Granted),
            35..55 => {
                d.outcome = Some(Outcome::PartGranted);
                d.exemptions.push(absolute("s40_2"));
                if rng.random_bool(0.3) {
                    d.exemptions.push(qualified("s31_1_f"));
                }
            }
            55..70 => {
                d.outcome = Some(Outcome::Refused);
                let code =
                    ["s31_1_a", "s31_1_f", "s38", "s43", "s22", "s36"][rng.random_range(0..6usize)];
                d.exemptions.push(qualified(code));
                if rng.random_bool(0.4) {
                    d.exemptions.push(qualified("s31_1_a"));
                    d.exemptions.dedup_by(|a, b| a.code == b.code);
                }
            }
            70..85 => d.outcome = Some(Outcome::NotHeld),
            85..93 => {
                d.outcome = Some(Outcome::Refused);
                d.reason = Some(Reason::Cost);
                d.costs = vec![
                    (
                        "locate".into(),
                        600,
                        "Searching case files at 120 prisons".into(),
                    ),
                    ("extract".into(), 1_200, "Reading each file".into()),
                ];
            }
            93..95 => {
                d.outcome = Some(Outcome::Refused);
                d.reason = Some(if rng.random_bool(0.5) {
                    Reason::Vexatious
                } else {
                    Reason::Repeated
                });
            }
            95..97 => {
                d.outcome = Some(Outcome::Refused);
                d.ncnd = true;
                d.exemptions.push(qualified("s31_1_a"));
            }
            _ => d.outcome = Some(Outcome::Granted),
        }
        c = cases::save_decision(db, &c.id, &d, responder, c.version, t0 + 180).await?;
        // A tenth of qualified refusals take a public interest extension.
        let extended = d.qualified().next().is_some() && rng.random_bool(0.1);
        if extended {
            c = cases::change_clock(
                db,
                &c.id,
                &ClockChange::Extend {
                    days: 10,
                    reason: "The balance of the public interest needs more time.".into(),
                },
                internal,
                responder,
                c.version,
                t0 + 240,
            )
            .await?;
        }
        // Most are answered by day 15-20; a tenth are late.
        let day_sent = if rng.random_bool(0.1) {
            rng.random_range(21..35u32)
        } else if extended {
            rng.random_range(21..30u32)
        } else {
            rng.random_range(5..=20u32)
        };
        let sent = clock::nth_working_day(received, day_sent).unwrap_or(received);
        if sent > today {
            continue;
        }
        if !d.exemptions.is_empty() {
            c = cases::flag(
                db,
                &c.id,
                platform::accounts::Role::FoiDisclosure,
                disclosure,
                c.version,
                t0 + 300,
            )
            .await?;
            c = cases::make_move(
                db,
                &c.id,
                workflow::SUBMIT,
                "",
                vec![],
                responder,
                c.version,
                t0 + 360,
            )
            .await?;
            c = cases::make_move(
                db,
                &c.id,
                workflow::APPROVE,
                "",
                vec![],
                disclosure,
                c.version,
                t0 + 420,
            )
            .await?;
        }
        let letter = crate::letter::build(&c, &d, &config.sender(), sent, false);
        c = cases::send(db, &c, &letter.text(), responder, c.version, at(sent, 15)).await?;
        if rng.random_bool(0.3) {
            cases::publish(db, &c, true, manager, at(sent, 16)).await?;
            made.published += 1;
        }
        // One in twenty asks for an internal review.
        if rng.random_bool(0.05) {
            let asked = clock::nth_working_day(sent, rng.random_range(3..20u32)).unwrap_or(sent);
            if asked > today {
                continue;
            }
            let kind = if rng.random_bool(0.2) {
                Kind::ReviewTimeliness
            } else {
                Kind::ReviewCompliance
            };
            let r = cases::open_review(
                db,
                &c,
                kind,
                asked,
                "I disagree with the response.",
                None,
                internal,
                manager,
                at(asked, 9),
            )
            .await?;
            made.reviews += 1;
            let done = clock::nth_working_day(asked, rng.random_range(5..25u32)).unwrap_or(asked);
            if done > today {
                continue;
            }
            let r = cases::make_move(
                db,
                &r.id,
                workflow::ASSIGN,
                "",
                vec![("unit_id", unit.clone().into())],
                manager,
                r.version,
                at(asked, 10),
            )
            .await?;
            let r = cases::make_move(
                db,
                &r.id,
                workflow::ACCEPT,
                "",
                vec![("responder_id", responder.id.clone().into())],
                responder,
                r.version,
                at(asked, 11),
            )
            .await?;
            let outcome = match rng.random_range(0..100u32) {
                0..70 => "upheld",
                70..85 => "upheld_in_part",
                _ => "overturned",
            };
            let rd = Decision {
                review_outcome: Some(outcome.into()),
                explanation: "The reviewer looked again at the request and the response.".into(),
                ..Decision::default()
            };
            let r =
                cases::save_decision(db, &r.id, &rd, responder, r.version, at(asked, 12)).await?;
            let r = cases::make_move(
                db,
                &r.id,
                workflow::SUBMIT,
                "",
                vec![],
                responder,
                r.version,
                at(asked, 13),
            )
            .await?;
            let r = cases::make_move(
                db,
                &r.id,
                workflow::APPROVE,
                "",
                vec![],
                disclosure,
                r.version,
                at(asked, 14),
            )
            .await?;
            let letter = crate::letter::build(&r, &rd, &config.sender(), done, false);
            cases::send(db, &r, &letter.text(), disclosure, r.version, at(done, 15)).await?;
        }
    }
    progress(n, n);
    Ok(made)
}
