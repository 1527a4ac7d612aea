//! A case's life on both databases: intake (once per form), the clock's
//! events, the three clearance tables, the decision's checks, the s.17
//! parts of a refusal notice, reviews, appeals, retention.

mod support;

use chrono::NaiveDate;
use foi::cases::{self, Applied, ClockChange, Decision, Kind, NewCase};
use foi::exemptions::{Outcome, Reason};
use foi::letter::{self, Part};
use foi::workflow::{self, Route, Status};
use platform::Error;
use platform::accounts::Role;
use support::actor;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn at(s: &str) -> i64 {
    d(s).and_hms_opt(10, 0, 0).unwrap().and_utc().timestamp()
}

fn config() -> foi::Config {
    foi::Config::default()
}

fn request(received: &str) -> NewCase {
    NewCase {
        subject: "Video calls DPIA".into(),
        request: "I would be grateful if you could share with me the Data Protection Impact Assessment (DPIA) covering the recent implementation of the video visitation system within HM prisons.".into(),
        name: "G Fawcett".into(),
        email: Some("request-674227@whatdotheyknow.com".into()),
        address: None,
        requester_type: "whatdotheyknow".into(),
        delivery: "email".into(),
        channel: "web".into(),
        received_on: d(received),
        token: None,
    }
}

/// The public interest factors of seed 000, abridged.
fn seed_000_decision() -> Decision {
    let s31 = |code: &str, why: &str| {
        Applied {
        code: code.into(),
        explanation: why.into(),
        balance: Some("On balance, I consider the public interest favours not disclosing the information at this time.".into()),
        for_disclosure: vec![
            "We recognise that disclosure in full would provide greater transparency and enable the public to be made aware of this technology and its use in prisons.".into(),
            "The public interest in maintaining public confidence in the high standards of security and good order of prisons is a key concern.".into(),
        ],
        against: vec![
            "The data requested would reveal the detailed security workings of a prison and be likely to be used to subvert the effectiveness of our current counter measures.".into(),
            "A Data Protection Impact Assessment assesses potential risks and allows mitigations to be put in place. It is not designed to be put in the public domain.".into(),
        ],
    }
    };
    Decision {
        outcome: Some(Outcome::Refused),
        explanation: "We have searched the records of HMPPS Digital, which holds the assessment."
            .into(),
        advice: "You may wish to refer to the privacy notice of the video calls service.".into(),
        exemptions: vec![
            s31(
                "s31_1_a",
                "Disclosure would be likely to prejudice the prevention or detection of crime.",
            ),
            s31(
                "s31_1_f",
                "Disclosure would be likely to prejudice the maintenance of security and good order in prisons.",
            ),
        ],
        ..Decision::default()
    }
}

/// Records a clock event on `c` as the responder, on the page `c` was.
async fn change(
    db: &platform::Db,
    c: &cases::Case,
    event: ClockChange,
    on: &str,
) -> platform::Result<cases::Case> {
    let internal = config().internal();
    cases::change_clock(db, &c.id, &event, internal, &actor("r1"), c.version, at(on)).await
}

#[tokio::test]
async fn a_request_is_numbered_by_day_and_a_form_sent_twice_makes_one_case() {
    for db in support::both().await {
        let mut new = request("2020-07-03");
        new.token = Some("form-1".into());
        let now = at("2020-07-03");
        let (a, made) = cases::create(&db, &new, config().internal(), &actor("web"), now)
            .await
            .unwrap();
        assert!(made);
        assert_eq!(a.number, "200703001");
        let (again, made) = cases::create(&db, &new, config().internal(), &actor("web"), now)
            .await
            .unwrap();
        assert!(!made);
        assert_eq!(again.id, a.id);
        let (b, _) = cases::create(
            &db,
            &request("2020-07-03"),
            config().internal(),
            &actor("web"),
            now,
        )
        .await
        .unwrap();
        assert_eq!(b.number, "200703002");
        // Received Fri 3 July 2020 (seed 000's request). Mon 13 July is
        // Northern Ireland's substitute Orangemen's Day and Mon 3 August
        // Scotland's summer holiday, so day 20 is Tue 4 August, not Fri
        // 31 July as England's calendar alone would give.
        assert_eq!(a.due_on, Some(d("2020-08-04")));
        assert_eq!(a.draft_due_on, Some(d("2020-07-20")));
        assert_eq!(a.escalation_on, Some(d("2020-07-08")));
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM foi_cases")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(n, 2);
    }
}

#[tokio::test]
async fn concurrent_submissions_of_one_form_make_one_case_and_of_many_forms_distinct_numbers() {
    for db in support::both().await {
        let now = at("2025-03-07");
        let mut handles = Vec::new();
        for i in 0..12 {
            let db = db.db.clone();
            handles.push(tokio::spawn(async move {
                let mut new = request("2025-03-07");
                new.token = Some(if i % 2 == 0 {
                    "same".into()
                } else {
                    format!("form-{i}")
                });
                cases::create(&db, &new, config().internal(), &actor("web"), now)
                    .await
                    .map(|c| c.0)
            }));
        }
        let mut numbers = Vec::new();
        for h in handles {
            numbers.push(h.await.unwrap().unwrap().number);
        }
        numbers.sort();
        numbers.dedup();
        assert_eq!(numbers.len(), 7, "{numbers:?}");
    }
}

#[tokio::test]
async fn bad_requests_are_refused_with_what_is_wrong_and_nothing_is_kept() {
    let db = support::sqlite().await;
    let now = at("2025-03-07");
    let mut no_reply = request("2025-03-07");
    no_reply.email = None;
    let e = cases::create(&db, &no_reply, config().internal(), &actor("web"), now)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::Conflict(m) if m.contains("email address")),
        "{e}"
    );
    let future = request("2025-03-10");
    let e = cases::create(&db, &future, config().internal(), &actor("web"), now)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::Conflict(m) if m.contains("today or in the past")),
        "{e}"
    );
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM foi_cases")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(n, 0);
}

#[tokio::test]
async fn clock_events_move_the_due_date_and_bad_ones_are_refused() {
    for db in support::both().await {
        let internal = config().internal();
        let who = actor("r1");
        let (c, _) = cases::create(
            &db,
            &request("2025-03-03"),
            internal,
            &who,
            at("2025-03-03"),
        )
        .await
        .unwrap();
        let c = change(
            &db,
            &c,
            ClockChange::AskClarification(d("2025-03-05")),
            "2025-03-05",
        )
        .await
        .unwrap();
        assert_eq!(c.due_on, None, "the clock stops");
        let c = change(
            &db,
            &c,
            ClockChange::Clarified(d("2025-03-10")),
            "2025-03-10",
        )
        .await
        .unwrap();
        let c = change(
            &db,
            &c,
            ClockChange::FeeNotice(d("2025-03-17")),
            "2025-03-17",
        )
        .await
        .unwrap();
        assert_eq!(c.due_on, None, "the clock pauses");
        let c = change(&db, &c, ClockChange::FeePaid(d("2025-03-21")), "2025-03-21")
            .await
            .unwrap();
        assert_eq!(c.due_on, Some(d("2025-04-14")));
        // No extension without a qualified exemption to weigh.
        let e = change(
            &db,
            &c,
            ClockChange::Extend {
                days: 10,
                reason: "time".into(),
            },
            "2025-03-24",
        )
        .await
        .unwrap_err();
        assert!(
            matches!(&e, Error::Conflict(m) if m.contains("qualified exemption")),
            "{e}"
        );
        let c = cases::save_decision(
            &db,
            &c.id,
            &seed_000_decision(),
            &who,
            c.version,
            at("2025-03-24"),
        )
        .await
        .unwrap();
        let e = change(
            &db,
            &c,
            ClockChange::Extend {
                days: 21,
                reason: "time".into(),
            },
            "2025-03-24",
        )
        .await
        .unwrap_err();
        assert!(
            matches!(&e, Error::Conflict(m) if m.contains("at most 20")),
            "{e}"
        );
        let c = change(
            &db,
            &c,
            ClockChange::Extend {
                days: 10,
                reason: "Weighing the public interest".into(),
            },
            "2025-03-24",
        )
        .await
        .unwrap();
        assert_eq!(c.statutory_on, Some(d("2025-04-14")));
        assert_eq!(c.due_on, Some(d("2025-04-30")));
        // A stale page is refused; the first change stands.
        let stale = cases::Case {
            version: c.version - 1,
            ..c.clone()
        };
        let e = change(
            &db,
            &stale,
            ClockChange::Extend {
                days: 5,
                reason: "x".into(),
            },
            "2025-03-24",
        )
        .await
        .unwrap_err();
        assert!(
            matches!(&e, Error::Conflict(m) if m.contains("changed by someone else")),
            "{e}"
        );
        // A future date is refused.
        let e = change(
            &db,
            &c,
            ClockChange::FeeNotice(d("2025-05-01")),
            "2025-03-24",
        )
        .await
        .unwrap_err();
        assert!(
            matches!(&e, Error::Conflict(m) if m.contains("in the future")),
            "{e}"
        );
        let timeline = cases::timeline(&db, &c.id).await.unwrap();
        assert!(
            timeline
                .iter()
                .any(|l| l.detail.contains("Clarification received"))
        );
        assert!(
            timeline
                .iter()
                .any(|l| l.detail.contains("extended by 10 working days"))
        );
        let audit: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE subject = $1 AND action = 'foi.clock'",
        )
        .bind(&c.id)
        .fetch_one(db.pool())
        .await
        .unwrap();
        assert_eq!(audit, 5);
    }
}

async fn drafted(db: &platform::Db, received: &str) -> cases::Case {
    let internal = config().internal();
    let (c, _) = cases::create(db, &request(received), internal, &actor("m1"), at(received))
        .await
        .unwrap();
    let c = cases::make_move(
        db,
        &c.id,
        workflow::ASSIGN,
        "",
        vec![("unit_id", "hmpps-digital".into())],
        &actor("m1"),
        c.version,
        at(received),
    )
    .await
    .unwrap();
    cases::make_move(
        db,
        &c.id,
        workflow::ACCEPT,
        "",
        vec![("responder_id", "r1".into())],
        &actor("r1"),
        c.version,
        at(received),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn the_three_clearance_routes_and_flagging() {
    for db in support::both().await {
        // Standard: the responder sends.
        let c = drafted(&db, "2025-03-03").await;
        assert_eq!((c.status, c.route), (Status::Drafting, Route::Standard));
        let e = cases::make_move(
            &db,
            &c.id,
            workflow::SUBMIT,
            "",
            vec![],
            &actor("r1"),
            c.version,
            at("2025-03-04"),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(e, Error::Conflict(_)),
            "no clearance on the standard route"
        );
        // Flagged by the disclosure team: cleared by them.
        let c = cases::flag(
            &db,
            &c.id,
            Role::FoiDisclosure,
            &actor("d1"),
            c.version,
            at("2025-03-04"),
        )
        .await
        .unwrap();
        assert_eq!((c.status, c.route), (Status::Drafting, Route::Flagged));
        let c = cases::make_move(
            &db,
            &c.id,
            workflow::SUBMIT,
            "",
            vec![],
            &actor("r1"),
            c.version,
            at("2025-03-05"),
        )
        .await
        .unwrap();
        assert_eq!(c.status, Status::PendingDisclosure);
        // Cleared drafts are not flagged: amends first.
        let e = cases::flag(
            &db,
            &c.id,
            Role::FoiPress,
            &actor("p1"),
            c.version,
            at("2025-03-05"),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(&e, Error::Conflict(m) if m.contains("amends")),
            "{e}"
        );
        let c = cases::make_move(
            &db,
            &c.id,
            workflow::AMEND,
            "tone",
            vec![],
            &actor("d1"),
            c.version,
            at("2025-03-05"),
        )
        .await
        .unwrap();
        // The press office flags it: full approval.
        let c = cases::flag(
            &db,
            &c.id,
            Role::FoiPress,
            &actor("p1"),
            c.version,
            at("2025-03-06"),
        )
        .await
        .unwrap();
        assert_eq!(c.route, Route::Full);
        let mut c = cases::make_move(
            &db,
            &c.id,
            workflow::SUBMIT,
            "",
            vec![],
            &actor("r1"),
            c.version,
            at("2025-03-06"),
        )
        .await
        .unwrap();
        for (action, to) in [
            (workflow::APPROVE, Status::PendingPress),
            (workflow::APPROVE_PRESS, Status::PendingPrivate),
            (workflow::APPROVE_PRIVATE, Status::AwaitingDispatch),
        ] {
            c = cases::make_move(
                &db,
                &c.id,
                action,
                "",
                vec![],
                &actor("x"),
                c.version,
                at("2025-03-07"),
            )
            .await
            .unwrap();
            assert_eq!(c.status, to, "{action}");
        }
        // A lower flag never takes clearance away.
        let e = cases::flag(
            &db,
            &c.id,
            Role::FoiDisclosure,
            &actor("d1"),
            c.version,
            at("2025-03-07"),
        )
        .await
        .unwrap_err();
        assert!(matches!(e, Error::Conflict(_)));
        // Approve and bypass.
        let c2 = drafted(&db, "2025-03-03").await;
        let c2 = cases::flag(
            &db,
            &c2.id,
            Role::FoiPrivateOffice,
            &actor("o1"),
            c2.version,
            at("2025-03-04"),
        )
        .await
        .unwrap();
        let c2 = cases::make_move(
            &db,
            &c2.id,
            workflow::SUBMIT,
            "",
            vec![],
            &actor("r1"),
            c2.version,
            at("2025-03-05"),
        )
        .await
        .unwrap();
        let c2 = cases::make_move(
            &db,
            &c2.id,
            workflow::BYPASS,
            "routine",
            vec![],
            &actor("d1"),
            c2.version,
            at("2025-03-05"),
        )
        .await
        .unwrap();
        assert_eq!(c2.status, Status::AwaitingDispatch);
        let timeline = cases::timeline(&db, &c.id).await.unwrap();
        assert!(timeline.iter().any(|l| l.detail.contains("Flagged by")));
        assert!(
            timeline.iter().any(
                |l| l.from.as_deref() == Some("pending_private") && l.to == "awaiting_dispatch"
            )
        );
    }
}

#[test]
fn a_decision_names_what_it_lacks() {
    let c = cases::Case { ..blank_case() };
    let limit = 60_000;
    let mut d = Decision {
        outcome: Some(Outcome::Refused),
        ..Decision::default()
    };
    assert!(
        cases::problems(&c, &d, limit)
            .iter()
            .any(|p| p.contains("exemption or the reason"))
    );
    d.exemptions.push(Applied {
        code: "s31_1_f".into(),
        explanation: "why".into(),
        balance: None,
        for_disclosure: vec![],
        against: vec!["a".into()],
    });
    let p = cases::problems(&c, &d, limit);
    assert!(
        p.iter().any(|p| p.contains("favouring disclosure")),
        "{p:?}"
    );
    assert!(p.iter().any(|p| p.contains("balance")), "{p:?}");
    // An absolute exemption needs no public interest test.
    d.exemptions = vec![Applied {
        code: "s40_2".into(),
        explanation: "Personal data of third parties".into(),
        balance: None,
        for_disclosure: vec![],
        against: vec![],
    }];
    assert!(
        cases::problems(&c, &d, limit).is_empty(),
        "{:?}",
        cases::problems(&c, &d, limit)
    );
    // A cost refusal needs an estimate over the limit: 20 hours = £500.
    let mut cost = Decision {
        outcome: Some(Outcome::Refused),
        reason: Some(Reason::Cost),
        costs: vec![("locate".into(), 20 * 60, String::new())],
        ..Decision::default()
    };
    assert!(
        cases::problems(&c, &cost, limit)
            .iter()
            .any(|p| p.contains("within the appropriate limit"))
    );
    cost.costs.push(("extract".into(), 5 * 60, String::new()));
    assert!(cases::problems(&c, &cost, limit).is_empty());
    assert_eq!(cost.cost_pence(), 62_500);
    assert!(
        cases::problems(&c, &cost, 45_000 * 2)
            .iter()
            .any(|p| p.contains("£900"))
    );
}

fn blank_case() -> cases::Case {
    cases::Case {
        id: "c1".into(),
        number: "250307001".into(),
        kind: Kind::Request,
        parent_id: None,
        status: Status::Drafting,
        route: Route::Standard,
        subject: "s".into(),
        request: "Please send me the DPIA.".into(),
        requester_name: Some("G Fawcett".into()),
        requester_email: Some("g@example.com".into()),
        requester_address: None,
        requester_type: "member_of_public".into(),
        delivery: "email".into(),
        channel: "web".into(),
        received_on: d("2020-07-03"),
        clarification_asked_on: None,
        clarified_on: None,
        fee_notice_on: None,
        fee_paid_on: None,
        extension_days: 0,
        extension_reason: None,
        due_on: Some(d("2020-07-31")),
        statutory_on: Some(d("2020-07-31")),
        draft_due_on: None,
        escalation_on: None,
        unit_id: None,
        responder_id: None,
        outcome: None,
        reason: None,
        ncnd: false,
        explanation: None,
        advice: None,
        review_outcome: None,
        exceptional_reason: None,
        ico_reference: None,
        ico_officer: None,
        ico_decision_on: None,
        ico_outcome: None,
        sent_on: None,
        late: None,
        published: false,
        version: 1,
        created_at: 0,
        updated_at: 0,
        closed_at: None,
        anonymised_at: None,
    }
}

#[test]
fn a_refusal_notice_has_every_part_section_17_requires() {
    let c = blank_case();
    let d = seed_000_decision();
    let sent = d_("2020-07-24");
    let l = letter::build(&c, &d, &config().sender(), sent, false);
    assert!(letter::missing_parts(&c, &d, &l).is_empty());
    assert_eq!(
        letter::required_parts(&c, &d),
        [
            Part::StatesRefusal,
            Part::NamesExemption,
            Part::SaysWhy,
            Part::PublicInterest,
            Part::Complaints,
            Part::Commissioner
        ]
    );
    let text = l.text();
    // The seed letter's structure, in its order.
    let order = [
        "24 July 2020",
        "Dear G Fawcett",
        "Freedom of Information Act (FOIA) Request - 250307001",
        "Thank you for your request dated 3 July 2020",
        "> Please send me the DPIA.",
        "Your request has been handled under the FOIA.",
        "I can confirm that the MoJ holds the information",
        // s.17(1)(a) and (b): withheld, under which sections.
        "the information is exempt from disclosure under section 31(1)(a) and section 31(1)(f) of the FOIA",
        // s.17(1)(c): why.
        "Section 31(1)(a) (the prevention or detection of crime): Disclosure would be likely to prejudice the prevention",
        "qualified exemption",
        "Public interest considerations favouring disclosure",
        "Public interest considerations favouring withholding the information",
        // s.17(3): the balance.
        "On balance, I consider the public interest favours not disclosing",
        "Advice and assistance",
        "Appeal Rights",
        // s.17(7)(a): the complaints procedure, with its date.
        "request an internal review",
        "by 24 September 2020",
        // s.17(7)(b): the Commissioner (s.50).
        "Information Commissioner's Office (ICO)",
        "section 50 of the FOIA",
        "Yours sincerely",
        "Disclosure Team",
    ];
    let mut from = 0;
    for part in order {
        let at = text[from..]
            .find(part)
            .unwrap_or_else(|| panic!("{part:?} missing or out of order in:\n{text}"));
        from += at;
    }
    // A letter missing the public interest balance lacks s.17(3).
    let mut weak = seed_000_decision();
    for a in &mut weak.exemptions {
        a.against.clear();
        a.balance = None;
    }
    let l = letter::build(&c, &weak, &config().sender(), sent, false);
    assert_eq!(letter::missing_parts(&c, &weak, &l), [Part::PublicInterest]);
    // With an extension and no balance yet, s.17(2)'s statement stands in.
    let mut extended = c.clone();
    extended.extension_days = 10;
    extended.due_on = Some(d_("2020-08-14"));
    let mut pending = seed_000_decision();
    for a in &mut pending.exemptions {
        a.balance = None;
    }
    let l = letter::build(&extended, &pending, &config().sender(), sent, false);
    assert!(letter::missing_parts(&extended, &pending, &l).is_empty());
    assert!(
        l.text()
            .contains("expect to tell you our decision by 14 August 2020")
    );
    // The disclosure log's copy names nobody.
    let anon = letter::build(&c, &d, &config().sender(), sent, true).text();
    assert!(!anon.contains("Fawcett") && !anon.contains("g@example.com"));
    // A grant withholds nothing and needs no s.17 parts.
    let granted = Decision {
        outcome: Some(Outcome::Granted),
        explanation: "The information is attached.".into(),
        ..Decision::default()
    };
    assert!(letter::required_parts(&c, &granted).is_empty());
}

fn d_(s: &str) -> NaiveDate {
    d(s)
}

#[tokio::test]
async fn send_review_appeal_overturn_and_retention() {
    for db in support::both().await {
        let internal = config().internal();
        let c = drafted(&db, "2020-07-03").await;
        let dec = seed_000_decision();
        let c = cases::save_decision(&db, &c.id, &dec, &actor("r1"), c.version, at("2020-07-20"))
            .await
            .unwrap();
        let l = letter::build(&c, &dec, &config().sender(), d("2020-07-24"), false);
        let c = cases::send(
            &db,
            &c,
            &l.text(),
            &actor("r1"),
            c.version,
            at("2020-07-24"),
        )
        .await
        .unwrap();
        assert_eq!(
            (c.status, c.sent_on, c.late),
            (Status::Closed, Some(d("2020-07-24")), Some(false))
        );
        let mail: Vec<String> = sqlx::query_scalar("SELECT body FROM outbox WHERE about = $1")
            .bind(&c.id)
            .fetch_all(db.pool())
            .await
            .unwrap();
        assert_eq!(mail.len(), 1);
        // The email is the letter as it stands, signature and all, once.
        assert_eq!(mail[0], l.text());
        // An exceptional review gets 40 working days.
        let r = cases::open_review(
            &db,
            &c,
            Kind::ReviewCompliance,
            d("2020-08-03"),
            "I disagree",
            Some("Many documents"),
            internal,
            &actor("m1"),
            at("2020-08-03"),
        )
        .await
        .unwrap();
        assert_eq!(r.parent_id.as_deref(), Some(c.id.as_str()));
        assert_eq!(r.route, Route::Flagged);
        assert_eq!(
            r.due_on,
            Some(foi::clock::nth_working_day(d("2020-08-03"), 40).unwrap())
        );
        let r2 = cases::open_review(
            &db,
            &c,
            Kind::ReviewTimeliness,
            d("2020-08-03"),
            "Late?",
            None,
            internal,
            &actor("m1"),
            at("2020-08-03"),
        )
        .await
        .unwrap();
        assert_eq!(
            r2.due_on,
            Some(foi::clock::nth_working_day(d("2020-08-03"), 20).unwrap())
        );
        // Appeal; the Commissioner overturns; a new case is due 35 days on.
        let a = cases::open_appeal(
            &db,
            &c,
            "IC-12345-A1B2",
            "A Officer",
            d("2020-10-01"),
            &actor("m1"),
            at("2020-10-01"),
            internal,
        )
        .await
        .unwrap();
        assert_eq!(a.kind, Kind::Appeal);
        let reopened = cases::record_ico_decision(
            &db,
            &a,
            d("2021-01-10"),
            "overturned",
            &actor("m1"),
            at("2021-01-11"),
            internal,
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(reopened.kind, Kind::Overturned);
        assert_eq!(reopened.due_on, Some(d("2021-02-14")));
        let a = cases::get(&db, &a.id).await.unwrap();
        assert_eq!(
            (a.status, a.ico_outcome.as_deref()),
            (Status::Closed, Some("overturned"))
        );
        let linked = cases::linked(&db, &c).await.unwrap();
        assert_eq!(linked.len(), 4);
        // Three years after closing, the requester's details go; the case stays.
        let four_years = at("2024-08-01");
        let n = foi::retention::run(&db, four_years, 3).await.unwrap();
        assert!(n >= 2, "{n}");
        let c = cases::get(&db, &c.id).await.unwrap();
        assert_eq!((c.requester_name, c.requester_email), (None, None));
        assert!(c.anonymised_at.is_some());
        assert_eq!(c.outcome, Some(Outcome::Refused));
        let mail: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE about = $1")
            .bind(&c.id)
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(mail, 0);
        // Open cases keep theirs.
        let r = cases::get(&db, &r.id).await.unwrap();
        assert!(r.requester_name.is_some());
        let audit: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'foi.anonymise'")
                .fetch_one(db.pool())
                .await
                .unwrap();
        assert_eq!(audit as u64, n);
    }
}

#[tokio::test]
async fn an_unpaid_fee_lapses_after_three_months() {
    let db = support::sqlite().await;
    let c = drafted(&db, "2025-03-03").await;
    let c = change(
        &db,
        &c,
        ClockChange::FeeNotice(d("2025-03-05")),
        "2025-03-05",
    )
    .await
    .unwrap();
    assert_eq!(
        foi::retention::run(&db, at("2025-06-04"), 3).await.unwrap(),
        0
    );
    assert_eq!(
        foi::retention::run(&db, at("2025-06-06"), 3).await.unwrap(),
        1
    );
    let c = cases::get(&db, &c.id).await.unwrap();
    assert_eq!(c.status, Status::Closed);
    assert!(
        cases::timeline(&db, &c.id)
            .await
            .unwrap()
            .iter()
            .any(|l| l.detail.contains("Lapsed"))
    );
}

/// A one-page PDF written by hand, with `text` on the page and `author` in
/// its metadata.
fn pdf(text: &str, author: &str) -> Vec<u8> {
    let content = format!("BT /F1 12 Tf 72 720 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_owned(),
        format!("<< /Author ({author}) >>"),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n{o}\nendobj\n", i + 1).bytes());
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).bytes());
    for o in offsets {
        out.extend(format!("{o:010} 00000 n \n").bytes());
    }
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R /Info 6 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .bytes(),
    );
    out
}

#[tokio::test]
async fn attachments_are_redacted_for_real_and_released_figures_attach_as_released() {
    for db in support::both().await {
        let c = drafted(&db, "2025-03-03").await;
        let original = pdf(
            "Letter from John Smith of 1 High Street about the DPIA",
            "John Smith",
        );
        assert!(
            redact::text(&original)
                .unwrap()
                .join(" ")
                .contains("John Smith"),
            "the fixture holds the name"
        );
        let terms = vec!["John Smith".to_owned(), "1 High Street".to_owned()];
        let p = foi::attachments::prepare_pdf("letter.pdf", &original, &terms).unwrap();
        assert_eq!(p.redactions, 2);
        let id = foi::attachments::add(&db, &c, &p, &actor("r1"), at("2025-03-04"))
            .await
            .unwrap();
        let (_, media, kept) = foi::attachments::get(&db, &c.id, &id).await.unwrap();
        assert_eq!(media, "application/pdf");
        let text = redact::text(&kept).unwrap().join(" ");
        assert!(text.contains("about the DPIA"), "{text}");
        for gone in ["John", "Smith", "High Street"] {
            assert!(!text.contains(gone), "{gone} in {text}");
            assert!(
                !String::from_utf8_lossy(&kept).contains(gone),
                "{gone} anywhere in the file's bytes (metadata included)"
            );
        }
        assert_eq!(
            String::from_utf8_lossy(&kept).matches("%%EOF").count(),
            1,
            "rewritten whole"
        );
        // Not a PDF, or a truncated one: refused, nothing kept.
        for bad in [
            b"PK\x03\x04 a word file".to_vec(),
            original[..original.len() / 2].to_vec(),
        ] {
            let e = foi::attachments::prepare_pdf("x.pdf", &bad, &terms).unwrap_err();
            assert!(matches!(&e, Error::Conflict(m) if m.contains("PDF")), "{e}");
        }
        assert_eq!(foi::attachments::list(&db, &c.id).await.unwrap().len(), 1);
        // Figures the incidents system released attach as released.
        let now = at("2025-03-05");
        let release = platform::releases::release(
            &db,
            "incidents",
            "Security incidents: finds of mobile phones",
            "text/csv",
            "establishment,2024\nHull,[c]\n",
            &actor("s1"),
            now,
        )
        .await
        .unwrap();
        foi::attachments::add_release(&db, &c, &release, &actor("r1"), now)
            .await
            .unwrap();
        let files = foi::attachments::list(&db, &c.id).await.unwrap();
        assert_eq!(files.len(), 2);
        assert!(
            files[1].source.contains("incidents system"),
            "{:?}",
            files[1]
        );
        let (_, media, bytes) = foi::attachments::get(&db, &c.id, &files[1].id)
            .await
            .unwrap();
        assert_eq!(
            (media.as_str(), bytes.as_slice()),
            ("text/csv", b"establishment,2024\nHull,[c]\n".as_slice())
        );
        // A release past its 90 days is no longer offered.
        let late = now + 91 * 86_400;
        assert!(
            platform::releases::recent(&db, late)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(matches!(
            foi::attachments::add_release(&db, &c, &release, &actor("r1"), late).await,
            Err(Error::NotFound)
        ));
    }
}

#[tokio::test]
async fn a_cost_estimate_aggregates_the_same_requesters_related_requests_within_60_working_days() {
    for db in support::both().await {
        let first = drafted(&db, "2025-03-03").await;
        let fifteen_hours = |others: Vec<(String, String, i64)>| Decision {
            outcome: Some(Outcome::Refused),
            reason: Some(Reason::Cost),
            costs: vec![("locate".into(), 15 * 60, "Files at every prison".into())],
            aggregated: others,
            ..Decision::default()
        };
        let first = cases::save_decision(
            &db,
            &first.id,
            &fifteen_hours(vec![]),
            &actor("r1"),
            first.version,
            at("2025-03-04"),
        )
        .await
        .unwrap();
        let limit = config().cost_limit_pounds * 100;
        // Alone, £375 is within the £600 limit.
        assert!(
            cases::problems(&first, &fifteen_hours(vec![]), limit)
                .iter()
                .any(|p| p.contains("within the appropriate limit"))
        );
        let second = drafted(&db, "2025-04-01").await;
        let candidates = cases::aggregated(&db, &second).await.unwrap();
        assert_eq!(candidates.len(), 1);
        assert_eq!(
            (candidates[0].0.id.as_str(), candidates[0].1),
            (first.id.as_str(), 15 * 60)
        );
        let with_first = fifteen_hours(vec![(first.id.clone(), first.number.clone(), 15 * 60)]);
        let second = cases::save_decision(
            &db,
            &second.id,
            &with_first,
            &actor("r1"),
            second.version,
            at("2025-04-02"),
        )
        .await
        .unwrap();
        let d = cases::decision(&db, &second).await.unwrap();
        assert_eq!(d.aggregated, with_first.aggregated);
        assert_eq!(d.cost_pence(), 75_000);
        assert!(
            cases::problems(&second, &d, limit).is_empty(),
            "{:?}",
            cases::problems(&second, &d, limit)
        );
        let text = letter::build(&second, &d, &config().sender(), d_("2025-04-03"), false).text();
        assert!(
            text.contains(&format!("your request {}", first.number)),
            "{text}"
        );
        assert!(text.contains("£750"), "{text}");
        // A request more than 60 working days apart, or from someone else,
        // is not offered and is refused if sent.
        let late = drafted(&db, "2025-07-01").await;
        assert!(
            cases::aggregated(&db, &late)
                .await
                .unwrap()
                .iter()
                .all(|(o, _)| o.id != first.id)
        );
        let e = cases::save_decision(
            &db,
            &late.id,
            &with_first,
            &actor("r1"),
            late.version,
            at("2025-07-02"),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(&e, Error::Conflict(m) if m.contains("60 working days")),
            "{e}"
        );
    }
}
