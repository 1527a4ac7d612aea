//! The incident report's life, on SQLite and PostgreSQL: filing, the
//! questions and people its type requires, the workflow table walked by
//! real moves, concurrent saves, drafts raised by another system's
//! events, retention and subject access.

mod support;

use chrono::NaiveDate;
use incidents::report::{self, Edit, Move, NewPerson, NewReport};
use incidents::types::{Answers, Given};
use incidents::workflow::{self, Status};
use platform::Error;
use platform::accounts::Role;
use platform::events::{self, SECURITY_CONCERN, SecurityConcern};
use support::{both, staff};

fn at(y: i32, m: u32, d: u32, h: u32) -> chrono::NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(h, 0, 0)
        .unwrap()
}

fn given(a: &str) -> Vec<Given> {
    vec![Given {
        answer: a.into(),
        ..Given::default()
    }]
}

fn dated(a: &str, date: &str) -> Vec<Given> {
    vec![Given {
        answer: a.into(),
        comment: None,
        date: Some(date.into()),
    }]
}

fn social_media_answers() -> Answers {
    let mut a = Answers::new();
    a.insert("platform".into(), given("facebook"));
    a.insert("account".into(), given("facebook.com/someone.inside"));
    a.insert(
        "content".into(),
        vec![
            Given {
                answer: "live".into(),
                ..Given::default()
            },
            Given {
                answer: "photos".into(),
                ..Given::default()
            },
        ],
    );
    a.insert("came_to_light".into(), given("public"));
    a.insert("device_found".into(), given("no"));
    a.insert("takedown".into(), dated("removed", "2025-03-04"));
    a.insert("police_referral".into(), given("no"));
    a.insert("harm".into(), given("unknown"));
    a
}

async fn file(db: &platform::Db, type_code: &str, by: &platform::Actor) -> report::Incident {
    let mut tx = db.begin_write().await.unwrap();
    let i = report::create(
        &mut tx,
        &NewReport {
            type_code: type_code.into(),
            establishment_id: "hull".into(),
            occurred_at: at(2025, 3, 1, 21),
            title: "Live video from a cell".into(),
            description: "A member of the public sent a link to a live stream.".into(),
        },
        None,
        by,
        platform::now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    i
}

#[tokio::test]
async fn a_social_media_report_goes_back_and_forth_and_its_history_shows_every_step() {
    for db in both().await {
        let officer = staff("ro", Role::IncidentReporter, Some("hull"));
        let warden = staff("dw", Role::SecurityTeam, Some("hull"));
        let now = platform::now();
        let i = file(&db, "social_media", &officer.actor()).await;
        assert!(i.reference.starts_with("IR-"), "{}", i.reference);
        assert_eq!(i.status, Status::Draft);

        // Submitting with nothing answered names each gap.
        let submit = |version| Move {
            action: workflow::SUBMIT,
            version,
            comment: "",
            duplicate_of: None,
        };
        let e = report::make_move(&db, &i, &submit(i.version), 6, &officer.actor(), now)
            .await
            .unwrap_err();
        let Error::Conflict(m) = e else {
            panic!("{e:?}")
        };
        for q in [
            "Which platform was used?",
            "How did it come to light?",
            "Add the prisoners involved",
        ] {
            assert!(m.contains(q), "{q} in {m}");
        }

        // The answers, a linked find, and an unknown prisoner refused.
        let edit = Edit {
            version: i.version,
            occurred_at: at(2025, 3, 1, 21),
            title: i.title.clone(),
            description: i.description.clone(),
            answers: social_media_answers(),
        };
        report::save(&db, &i, &edit, &officer.actor(), now)
            .await
            .unwrap();
        let i = report::get(&db, &i.id).await.unwrap();
        let unknown = NewPerson::Prisoner {
            number: "Z9999ZZ".into(),
            role: "perpetrator".into(),
            outcome: None,
            comment: None,
        };
        let e = report::add_person(&db, &i, i.version, &unknown, &officer.actor(), now)
            .await
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("no prisoner with prison number Z9999ZZ"),
            "{e}"
        );
        let wrong_role = NewPerson::Prisoner {
            number: "a1234bc".into(),
            role: "in_possession".into(),
            outcome: None,
            comment: None,
        };
        assert!(
            report::add_person(&db, &i, i.version, &wrong_role, &officer.actor(), now)
                .await
                .is_err()
        );
        let known = NewPerson::Prisoner {
            number: "a1234bc".into(),
            role: "perpetrator".into(),
            outcome: Some("placed_on_report".into()),
            comment: None,
        };
        report::add_person(&db, &i, i.version, &known, &officer.actor(), now)
            .await
            .unwrap();
        let i = report::get(&db, &i.id).await.unwrap();
        assert!(report::problems(&db, &i).await.unwrap().is_empty());
        report::make_move(&db, &i, &submit(i.version), 6, &officer.actor(), now)
            .await
            .unwrap();
        let i = report::get(&db, &i.id).await.unwrap();
        assert_eq!(i.status, Status::AwaitingReview);
        assert!(i.submitted_at.is_some());

        // The description is fixed now: a save leaves it, an addendum adds.
        let mut edit = edit.clone();
        edit.version = i.version;
        edit.description = "Rewritten".into();
        report::save(&db, &i, &edit, &warden.actor(), now)
            .await
            .unwrap();
        let i = report::get(&db, &i.id).await.unwrap();
        assert_eq!(
            i.description,
            "A member of the public sent a link to a live stream."
        );

        // Send back needs a comment; then the officer resubmits with one.
        let back = |version, comment| Move {
            action: workflow::SEND_BACK,
            version,
            comment,
            duplicate_of: None,
        };
        let e = report::make_move(&db, &i, &back(i.version, ""), 6, &warden.actor(), now)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("needs a comment"), "{e}");
        report::make_move(
            &db,
            &i,
            &back(i.version, "Add the takedown request's date"),
            6,
            &warden.actor(),
            now,
        )
        .await
        .unwrap();
        let i = report::get(&db, &i.id).await.unwrap();
        assert_eq!(i.status, Status::NeedsUpdating);
        report::make_move(
            &db,
            &i,
            &Move {
                action: workflow::RESUBMIT,
                version: i.version,
                comment: "Date added",
                duplicate_of: None,
            },
            6,
            &officer.actor(),
            now,
        )
        .await
        .unwrap();
        let i = report::get(&db, &i.id).await.unwrap();
        assert_eq!(i.status, Status::Updated);
        let corrections = report::corrections(&db, &i.id).await.unwrap();
        assert_eq!(corrections.len(), 1);
        assert_eq!(corrections[0].reply.as_deref(), Some("Date added"));

        report::make_move(
            &db,
            &i,
            &Move {
                action: workflow::CLOSE,
                version: i.version,
                comment: "",
                duplicate_of: None,
            },
            6,
            &warden.actor(),
            now,
        )
        .await
        .unwrap();
        let i = report::get(&db, &i.id).await.unwrap();
        assert_eq!(i.status, Status::Closed);
        let six_years = 6 * 365 * 24 * 3600;
        assert!(
            i.delete_after.unwrap() >= now + six_years,
            "kept 6 years after closure"
        );

        let history = report::history(&db, &i.id).await.unwrap();
        let path: Vec<&str> = history.iter().map(|h| h.to.as_str()).collect();
        assert_eq!(
            path,
            [
                "draft",
                "awaiting_review",
                "needs_updating",
                "updated",
                "closed"
            ]
        );
        assert!(
            history[2]
                .detail
                .contains("Add the takedown request's date")
        );
        assert!(history[3].detail.contains("Date added"));
        assert_eq!(
            history[2].actor, "dw",
            "who, by account (no account row here)"
        );
        let audit: Vec<String> = sqlx::query_scalar(
            "SELECT action FROM audit_log WHERE subject = $1 ORDER BY at, action",
        )
        .bind(&i.id)
        .fetch_all(db.pool())
        .await
        .unwrap();
        for a in [
            "incident.create",
            "incident.submit",
            "incident.send_back",
            "incident.resubmit",
            "incident.close",
        ] {
            assert!(audit.iter().any(|x| x == a), "{a} in {audit:?}");
        }

        // A closed report takes no more review moves; its table says so.
        let e = report::make_move(&db, &i, &back(i.version, "again"), 6, &warden.actor(), now)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("closed"), "{e}");
    }
}

#[tokio::test]
async fn bad_input_is_refused_clearly_and_nothing_is_lost() {
    for db in both().await {
        let officer = staff("ro", Role::IncidentReporter, Some("hull"));
        let warden = staff("dw", Role::SecurityTeam, Some("hull"));
        let now = platform::now();
        let mut tx = db.begin_write().await.unwrap();
        let future = report::create(
            &mut tx,
            &NewReport {
                type_code: "drone".into(),
                establishment_id: "hull".into(),
                occurred_at: chrono::Utc::now().naive_utc() + chrono::Duration::days(2),
                title: "A drone".into(),
                description: "Seen".into(),
            },
            None,
            &officer.actor(),
            now,
        )
        .await;
        assert!(
            matches!(&future, Err(Error::Conflict(m)) if m.contains("in the past")),
            "{future:?}"
        );
        for (type_code, establishment) in [("kites", "hull"), ("drone", "atlantis")] {
            let e = report::create(
                &mut tx,
                &NewReport {
                    type_code: type_code.into(),
                    establishment_id: establishment.into(),
                    occurred_at: at(2025, 1, 1, 9),
                    title: "A drone".into(),
                    description: "Seen".into(),
                },
                None,
                &officer.actor(),
                now,
            )
            .await;
            assert!(
                matches!(e, Err(Error::Conflict(_))),
                "{type_code} {establishment}"
            );
        }
        drop(tx);

        let i = file(&db, "find", &officer.actor()).await;
        let other = file(&db, "find", &officer.actor()).await;
        assert_ne!(i.reference, other.reference);

        // Two people open the same report; the second save is refused.
        let mut answers = Answers::new();
        answers.insert("phones".into(), given("2"));
        let edit = |version, title: &str| Edit {
            version,
            occurred_at: at(2025, 3, 1, 21),
            title: title.into(),
            description: "Found in a sock".into(),
            answers: answers.clone(),
        };
        report::save(&db, &i, &edit(i.version, "First"), &officer.actor(), now)
            .await
            .unwrap();
        let e = report::save(&db, &i, &edit(i.version, "Second"), &warden.actor(), now)
            .await
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("changed by someone else since you opened it"),
            "{e}"
        );
        let kept = report::get(&db, &i.id).await.unwrap();
        assert_eq!(kept.title, "First", "the first save is never lost");
        assert_eq!(
            report::answers(&db, &i.id).await.unwrap()["phones"][0].answer,
            "2"
        );

        // A move made on a stale page is refused the same way.
        let stale = Move {
            action: workflow::NOT_REPORTABLE,
            version: i.version,
            comment: "Not an incident",
            duplicate_of: None,
        };
        let e = report::make_move(&db, &kept, &stale, 6, &warden.actor(), now)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("since you opened it"), "{e}");

        // A duplicate of itself, of nothing, and a move not in the table.
        let dup = |of: &'static str, version| Move {
            action: workflow::DUPLICATE,
            version,
            comment: "",
            duplicate_of: Some(of),
        };
        let me = kept.reference.clone();
        let me: &'static str = Box::leak(me.into_boxed_str());
        let e = report::make_move(&db, &kept, &dup(me, kept.version), 6, &warden.actor(), now)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("duplicate of itself"), "{e}");
        let e = report::make_move(
            &db,
            &kept,
            &dup("IR-1999-000001", kept.version),
            6,
            &warden.actor(),
            now,
        )
        .await
        .unwrap_err();
        assert!(e.to_string().contains("no report IR-1999-000001"), "{e}");
        for action in [workflow::CLOSE, workflow::RESUBMIT, "approve"] {
            let e = report::make_move(
                &db,
                &kept,
                &Move {
                    action,
                    version: kept.version,
                    comment: "x",
                    duplicate_of: None,
                },
                6,
                &warden.actor(),
                now,
            )
            .await
            .unwrap_err();
            assert!(matches!(e, Error::Conflict(_)), "{action}: {e:?}");
        }
        let still = report::get(&db, &i.id).await.unwrap();
        assert_eq!(still.status, Status::Draft);
        assert_eq!(still.version, kept.version, "nothing was written");

        // Marked a duplicate of the other, naming it.
        report::make_move(
            &db,
            &still,
            &dup(
                Box::leak(other.reference.clone().into_boxed_str()),
                still.version,
            ),
            6,
            &warden.actor(),
            now,
        )
        .await
        .unwrap();
        let d = report::get(&db, &i.id).await.unwrap();
        assert_eq!(d.status, Status::Duplicate);
        assert_eq!(d.duplicate_of.as_deref(), Some(other.id.as_str()));
        let history = report::history(&db, &i.id).await.unwrap();
        assert!(history.last().unwrap().detail.contains(&other.reference));
    }
}

#[tokio::test]
async fn references_are_unique_when_filed_at_once() {
    for db in both().await {
        let officer = staff("ro", Role::IncidentReporter, Some("hull"));
        let mut tasks = Vec::new();
        for _ in 0..16 {
            let db = db.db.clone();
            let by = officer.actor();
            tasks.push(tokio::spawn(async move {
                file(&db, "drone", &by).await.reference
            }));
        }
        let mut refs = Vec::new();
        for t in tasks {
            refs.push(t.await.unwrap());
        }
        refs.sort();
        refs.dedup();
        assert_eq!(refs.len(), 16);
    }
}

fn concern(reference: &str, trigger: &str) -> SecurityConcern {
    SecurityConcern {
        source: "Video call".into(),
        reference: reference.into(),
        establishment_id: "hull".into(),
        at: platform::now() - 60,
        trigger: trigger.into(),
        summary: "Unapproved face: 1 of 1 faces not approved".into(),
        prisoner_number: Some("A1234BC".into()),
        visitors: vec!["Jo Bloggs".into(), "Sam Bloggs".into()],
    }
}

async fn publish(db: &platform::Db, c: &SecurityConcern) {
    let mut tx = db.begin_write().await.unwrap();
    events::publish(&mut tx, SECURITY_CONCERN, "call-1", c, c.at)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn a_call_event_raises_one_draft_which_the_security_team_completes_or_dismisses() {
    for db in both().await {
        publish(&db, &concern("VC-AAAA-BBBB", "unapproved_face")).await;
        // Two instances polling at once act on it once.
        let (a, b) = tokio::join!(incidents::raised::run(&db), incidents::raised::run(&db));
        assert_eq!(a.unwrap() + b.unwrap(), 1);
        let raised: Vec<(String, String, String)> =
            sqlx::query_as("SELECT id, status, description FROM incidents WHERE source = 'Video call VC-AAAA-BBBB'")
                .fetch_all(db.pool())
                .await
                .unwrap();
        assert_eq!(raised.len(), 1);
        let (id, status, description) = &raised[0];
        assert_eq!(status, "draft");
        for part in [
            "VC-AAAA-BBBB",
            "Jo Bloggs, Sam Bloggs",
            "A1234BC",
            "Unapproved face",
        ] {
            assert!(description.contains(part), "{part} in {description}");
        }
        let answers = report::answers(&db, id).await.unwrap();
        assert_eq!(answers["call_reference"][0].answer, "VC-AAAA-BBBB");
        assert_eq!(answers["trigger"][0].answer, "unapproved_face");

        // The end of the same call adds to it; nothing new is raised.
        publish(&db, &concern("VC-AAAA-BBBB", "ended_by_staff")).await;
        assert_eq!(incidents::raised::run(&db).await.unwrap(), 1);
        assert_eq!(
            incidents::raised::run(&db).await.unwrap(),
            0,
            "handled once"
        );
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM incidents")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(n, 1);
        assert_eq!(report::addenda(&db, id).await.unwrap().len(), 1);

        // An event naming no known establishment is set aside, loudly,
        // without blocking the next.
        let mut lost = concern("VC-CCCC-DDDD", "unapproved_face");
        lost.establishment_id = "atlantis".into();
        publish(&db, &lost).await;
        publish(&db, &concern("VC-EEEE-FFFF", "ended_by_staff")).await;
        assert_eq!(incidents::raised::run(&db).await.unwrap(), 1);
        assert_eq!(incidents::raised::run(&db).await.unwrap(), 0);

        // The security team dismisses the draft.
        let warden = staff("dw", Role::SecurityTeam, Some("hull"));
        let i = report::get(&db, id).await.unwrap();
        report::make_move(
            &db,
            &i,
            &Move {
                action: workflow::NOT_REPORTABLE,
                version: i.version,
                comment: "A false alarm: the caller's brother, who is approved",
                duplicate_of: None,
            },
            6,
            &warden.actor(),
            platform::now(),
        )
        .await
        .unwrap();
        assert_eq!(
            report::get(&db, id).await.unwrap().status,
            Status::NotReportable
        );
    }
}

#[tokio::test]
async fn a_finished_report_is_deleted_on_its_types_schedule_with_an_audit_line() {
    for db in both().await {
        let officer = staff("ro", Role::IncidentReporter, Some("hull"));
        let warden = staff("dw", Role::SecurityTeam, Some("hull"));
        let now = platform::now();
        let i = file(&db, "breach", &officer.actor()).await;
        let i2 = file(&db, "breach", &officer.actor()).await;
        report::make_move(
            &db,
            &i,
            &Move {
                action: workflow::NOT_REPORTABLE,
                version: i.version,
                comment: "Test",
                duplicate_of: None,
            },
            2,
            &warden.actor(),
            now,
        )
        .await
        .unwrap();
        assert_eq!(
            incidents::retention::run(&db, now + 365 * 86_400)
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            incidents::retention::run(&db, now + 3 * 365 * 86_400)
                .await
                .unwrap(),
            1
        );
        assert!(matches!(
            report::get(&db, &i.id).await,
            Err(Error::NotFound)
        ));
        assert!(report::history(&db, &i.id).await.unwrap().is_empty());
        report::get(&db, &i2.id).await.expect("a draft is kept");
        let line: String = sqlx::query_scalar(
            "SELECT detail FROM audit_log WHERE action = 'incident.delete' AND subject = $1",
        )
        .bind(&i.id)
        .fetch_one(db.pool())
        .await
        .unwrap();
        assert!(!line.contains("Live video"), "no personal data: {line}");
    }
}

#[tokio::test]
async fn subject_access_finds_a_named_prisoner_and_withholds_everyone_else() {
    for db in both().await {
        let officer = staff("ro", Role::IncidentReporter, Some("hull"));
        let now = platform::now();
        let i = file(&db, "assault", &officer.actor()).await;
        for (n, role) in [("A1234BC", "perpetrator"), ("B2345CD", "victim")] {
            let i = report::get(&db, &i.id).await.unwrap();
            report::add_person(
                &db,
                &i,
                i.version,
                &NewPerson::Prisoner {
                    number: n.into(),
                    role: role.into(),
                    outcome: None,
                    comment: None,
                },
                &officer.actor(),
                now,
            )
            .await
            .unwrap();
        }
        let who = platform::subject_access::Subject {
            name: Some("john smith".into()),
            ..Default::default()
        };
        let found = incidents::subject_access::gather(&db, &who).await.unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].role, "Prisoner: Perpetrator");
        let json = serde_json::to_string(&found).unwrap();
        assert!(
            !json.contains("Ann Jones") && !json.contains("B2345CD"),
            "{json}"
        );
        assert!(!json.contains("live stream"), "no description: {json}");
    }
}

#[tokio::test]
async fn lists_show_each_person_only_what_they_may_see_newest_first_a_page_at_a_time() {
    for db in both().await {
        let hull = staff("ro", Role::IncidentReporter, Some("hull"));
        let leeds = staff("lo", Role::IncidentReporter, Some("leeds"));
        for _ in 0..5 {
            file(&db, "drone", &hull.actor()).await;
        }
        let mut tx = db.begin_write().await.unwrap();
        report::create(
            &mut tx,
            &NewReport {
                type_code: "drone".into(),
                establishment_id: "leeds".into(),
                occurred_at: at(2025, 2, 1, 9),
                title: "Leeds drone".into(),
                description: "Seen".into(),
            },
            None,
            &leeds.actor(),
            platform::now(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let scope_of = |e: Option<Vec<&str>>, who: &str| report::Scope {
            establishments: e.map(|l| l.into_iter().map(str::to_owned).collect()),
            reporter: Some(who.to_owned()),
        };
        let f = report::Filter::default();
        let (mine, _) = report::list(&db, &scope_of(Some(vec![]), "lo"), &f, None, 50)
            .await
            .unwrap();
        assert_eq!(mine.len(), 1, "a reporting officer sees their own");
        let (team, _) = report::list(&db, &scope_of(Some(vec!["hull"]), "x"), &f, None, 50)
            .await
            .unwrap();
        assert_eq!(team.len(), 5);
        let (all, _) = report::list(&db, &scope_of(None, "x"), &f, None, 50)
            .await
            .unwrap();
        assert_eq!(all.len(), 6);
        // Pages of two, in order, meeting nothing twice.
        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let (page, next) = report::list(&db, &scope_of(None, "x"), &f, after.as_ref(), 2)
                .await
                .unwrap();
            seen.extend(page.iter().map(|r| r.id.clone()));
            match next {
                Some(n) => after = Some(n),
                None => break,
            }
        }
        assert_eq!(seen, all.iter().map(|r| r.id.clone()).collect::<Vec<_>>());
        let filtered = report::Filter {
            establishment: Some("leeds".into()),
            ..Default::default()
        };
        let (l, _) = report::list(&db, &scope_of(None, "x"), &filtered, None, 50)
            .await
            .unwrap();
        assert_eq!(l.len(), 1);
        assert_eq!(l[0].title, "Leeds drone");
    }
}
