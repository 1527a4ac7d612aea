//! Calls through the media server over real UDP on 127.0.0.1, with str0m
//! clients standing in for the browsers (see `common`): media flows both
//! ways, pause stops it whatever the clients send, resume brings it back
//! with a keyframe, end closes every connection for good, and bad input is
//! refused with a clear error.

mod common;

use std::sync::mpsc::Receiver;
use std::time::Duration;

use common::{Client, server, wait_until};
use media::{Error, Event, Kind, LeftReason, MediaServer, RoomState};

const LONG: Duration = Duration::from_secs(10);

fn joined(server: &MediaServer, room: &str, name: &str) -> Client {
    Client::join(name, |offer| server.join(room, name, offer))
        .unwrap_or_else(|e| panic!("{name} joins {room}: {e}"))
}

/// Both clients receive audio and video from the other.
fn flowing(a: &Client, b: &Client) -> bool {
    let (a, b) = (a.seen(), b.seen());
    a.audio > 5 && a.video > 5 && b.audio > 5 && b.video > 5
}

fn drain(events: &Receiver<Event>) -> Vec<Event> {
    events.try_iter().collect()
}

#[test]
fn each_side_receives_the_other_and_the_counters_agree() {
    let server = server();
    let events = server.events();
    let prisoner = joined(&server, "call-1", "prisoner");
    let caller = joined(&server, "call-1", "caller");
    assert!(
        wait_until(LONG, || flowing(&prisoner, &caller)),
        "media flows both ways: prisoner {:?}, caller {:?}",
        prisoner.seen(),
        caller.seen()
    );

    let seen_by_prisoner = prisoner.seen();
    let seen_by_caller = caller.seen();
    let stats = server.stats("call-1").expect("the room exists");
    assert_eq!(stats.state, RoomState::Open);
    let names: Vec<&str> = stats
        .participants
        .iter()
        .map(|p| p.participant.as_str())
        .collect();
    assert_eq!(names, ["prisoner", "caller"]);
    for (who, other, seen) in [
        ("prisoner", "caller", &seen_by_prisoner),
        ("caller", "prisoner", &seen_by_caller),
    ] {
        let me = stats.participant(who).unwrap();
        let them = stats.participant(other).unwrap();
        assert!(me.present && me.connected && me.joins == 1, "{me:?}");
        // The server forwarded at least what the client has received (it
        // was read first), and no more than it received from the other.
        assert!(me.forwarded.video.frames >= seen.video, "{me:?} {seen:?}");
        assert!(me.forwarded.audio.frames >= seen.audio, "{me:?} {seen:?}");
        assert!(me.forwarded.video.frames <= them.received.video.frames);
        assert!(me.forwarded.audio.frames <= them.received.audio.frames);
        assert_eq!(me.forwarded.video.bytes, me.forwarded.video.frames * 1200);
        assert_eq!(me.forwarded.audio.bytes, me.forwarded.audio.frames * 60);
        assert!(me.keyframes >= 1, "the first frame sent is a keyframe");
        assert_eq!(me.held_back, Default::default());
    }

    let events = drain(&events);
    for who in ["prisoner", "caller"] {
        for wanted in [
            Event::Joined {
                room: "call-1".into(),
                participant: who.into(),
                rejoined: false,
            },
            Event::Connected {
                room: "call-1".into(),
                participant: who.into(),
            },
            Event::MediaStarted {
                room: "call-1".into(),
                participant: who.into(),
                kind: Kind::Audio,
            },
            Event::MediaStarted {
                room: "call-1".into(),
                participant: who.into(),
                kind: Kind::Video,
            },
            Event::KeyframeFrom {
                room: "call-1".into(),
                participant: who.into(),
            },
        ] {
            assert!(events.contains(&wanted), "{wanted:?} in {events:?}");
        }
    }
}

#[test]
fn pause_stops_media_both_ways_and_resume_brings_it_back_with_a_keyframe() {
    let server = server();
    let events = server.events();
    let prisoner = joined(&server, "call-2", "prisoner");
    let caller = joined(&server, "call-2", "caller");
    assert!(wait_until(LONG, || flowing(&prisoner, &caller)));

    server.pause("call-2").unwrap();
    server.pause("call-2").unwrap(); // Pausing twice is no error.
    assert_eq!(server.stats("call-2").unwrap().state, RoomState::Paused);
    // Let what was already on the wire arrive, then watch for 600 ms while
    // both clients go on sending.
    std::thread::sleep(Duration::from_millis(300));
    let before = (prisoner.seen(), caller.seen());
    let sent_before = (before.0.sent_video, before.1.sent_video);
    std::thread::sleep(Duration::from_millis(600));
    let after = (prisoner.seen(), caller.seen());
    assert_eq!(
        (after.0.media(), after.1.media()),
        (before.0.media(), before.1.media()),
        "nothing is forwarded while paused"
    );
    assert!(
        after.0.sent_video > sent_before.0 + 10 && after.1.sent_video > sent_before.1 + 10,
        "the clients kept sending"
    );
    let stats = server.stats("call-2").unwrap();
    for p in &stats.participants {
        assert!(p.held_back.video.frames >= 10, "{p:?}");
        assert!(p.held_back.audio.frames >= 10, "{p:?}");
        assert!(p.connected, "a pause keeps the connection: {p:?}");
    }

    let requests = (after.0.keyframe_requests, after.1.keyframe_requests);
    server.resume("call-2").unwrap();
    assert_eq!(server.stats("call-2").unwrap().state, RoomState::Open);
    assert!(
        wait_until(LONG, || {
            prisoner.seen().media() > after.0.media() + 10
                && caller.seen().media() > after.1.media() + 10
        }),
        "media flows again after resume"
    );
    assert!(
        wait_until(LONG, || prisoner.seen().keyframe_requests > requests.0
            && caller.seen().keyframe_requests > requests.1),
        "resume asked every sender for a keyframe"
    );
    // The keyframe each sent on request reached the other.
    let keyframes = (after.0.video_keyframes, after.1.video_keyframes);
    assert!(wait_until(LONG, || prisoner.seen().video_keyframes
        > keyframes.0
        && caller.seen().video_keyframes > keyframes.1));

    let events = drain(&events);
    let paused = events.iter().position(|e| {
        *e == Event::Paused {
            room: "call-2".into(),
        }
    });
    let resumed = events.iter().position(|e| {
        *e == Event::Resumed {
            room: "call-2".into(),
        }
    });
    assert!(paused.is_some() && paused < resumed, "{events:?}");
    assert_eq!(
        events
            .iter()
            .filter(|e| matches!(e, Event::Paused { .. }))
            .count(),
        1,
        "the second pause changed nothing"
    );
}

#[test]
fn end_closes_every_connection_and_the_room_for_good() {
    let server = server();
    let events = server.events();
    let prisoner = joined(&server, "call-3", "prisoner");
    let caller = joined(&server, "call-3", "caller");
    assert!(wait_until(LONG, || flowing(&prisoner, &caller)));

    server.end("call-3").unwrap();
    assert!(
        wait_until(LONG, || prisoner.seen().closed && caller.seen().closed),
        "both clients see the connection closed: {:?} {:?}",
        prisoner.seen(),
        caller.seen()
    );
    let before = (prisoner.seen().media(), caller.seen().media());
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!((prisoner.seen().media(), caller.seen().media()), before);

    let stats = server
        .stats("call-3")
        .expect("an ended room keeps its counters");
    assert_eq!(stats.state, RoomState::Ended);
    assert!(
        stats
            .participants
            .iter()
            .all(|p| !p.present && !p.connected)
    );
    assert!(
        stats
            .participants
            .iter()
            .all(|p| p.received.video.frames > 5)
    );

    // Nobody gets back in, not even someone already on the call.
    for who in ["caller", "stranger"] {
        match Client::join(who, |offer| server.join("call-3", who, offer)) {
            Err(Error::RoomEnded(room)) => assert_eq!(room, "call-3"),
            Err(e) => panic!("the wrong refusal: {e}"),
            Ok(_) => panic!("{who} joined an ended call"),
        }
    }
    let refused = Client::join("caller", |offer| server.join("call-3", "caller", offer))
        .err()
        .unwrap();
    assert_eq!(
        refused.to_string(),
        "the call room call-3 has ended: it cannot be joined or controlled again"
    );
    // Nor can it be controlled back to life.
    assert!(matches!(server.resume("call-3"), Err(Error::RoomEnded(_))));
    assert!(matches!(server.pause("call-3"), Err(Error::RoomEnded(_))));
    assert!(matches!(
        server.request_keyframe("call-3", "caller"),
        Err(Error::RoomEnded(_))
    ));
    server.end("call-3").expect("ending twice is no error");

    let events = drain(&events);
    for who in ["prisoner", "caller"] {
        let left = Event::Left {
            room: "call-3".into(),
            participant: who.into(),
            reason: LeftReason::Ended,
        };
        assert!(events.contains(&left), "{left:?} in {events:?}");
    }
    assert_eq!(
        events
            .iter()
            .filter(|e| **e
                == Event::Ended {
                    room: "call-3".into()
                })
            .count(),
        1
    );
}

#[test]
fn a_room_ended_before_anyone_joined_is_refused() {
    let server = server();
    server.end("cancelled").unwrap();
    let refused = Client::join("caller", |offer| server.join("cancelled", "caller", offer));
    assert!(matches!(refused, Err(Error::RoomEnded(_))));
    assert_eq!(server.stats("cancelled").unwrap().state, RoomState::Ended);
}

#[test]
fn bad_input_is_refused_with_a_clear_error() {
    let server = server();
    for offer in [
        "",
        "hello",
        "v=0\r\n",
        "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n",
    ] {
        match server.join("room", "caller", offer) {
            Err(Error::BadOffer(why)) => assert!(!why.is_empty()),
            other => panic!("{offer:?} gave {other:?}"),
        }
    }
    // A well-formed offer without audio or video (a data channel only).
    let mut rtc = str0m::Rtc::builder()
        .set_crypto_provider(std::sync::Arc::new(str0m::crypto::from_feature_flags()))
        .build(std::time::Instant::now());
    let mut sdp = rtc.sdp_api();
    sdp.add_channel("chat".into());
    let (offer, _) = sdp.apply().unwrap();
    match server.join("room", "caller", &offer.to_sdp_string()) {
        Err(Error::BadOffer(why)) => assert_eq!(why, "it offers no audio or video"),
        other => panic!("a data-channel offer gave {other:?}"),
    }
    // Video in a codec the service does not relay (H.264 alone).
    let mut rtc = str0m::Rtc::builder()
        .set_crypto_provider(std::sync::Arc::new(str0m::crypto::from_feature_flags()))
        .clear_codecs()
        .enable_opus(true, false)
        .enable_h264(true)
        .build(std::time::Instant::now());
    let mut sdp = rtc.sdp_api();
    sdp.add_media(
        str0m::media::MediaKind::Audio,
        str0m::media::Direction::SendRecv,
        None,
        None,
        None,
    );
    sdp.add_media(
        str0m::media::MediaKind::Video,
        str0m::media::Direction::SendRecv,
        None,
        None,
        None,
    );
    let (offer, _) = sdp.apply().unwrap();
    match server.join("room", "caller", &offer.to_sdp_string()) {
        Err(Error::BadOffer(why)) => {
            assert_eq!(
                why,
                "its video is not in VP8, the one video codec calls use"
            )
        }
        other => panic!("an H.264 offer gave {other:?}"),
    }
    assert!(server.stats("room").is_none(), "no room was opened");
    let huge = "a".repeat(media::MAX_OFFER + 1);
    assert!(matches!(
        server.join("room", "caller", &huge),
        Err(Error::BadOffer(_))
    ));
    // Names are checked before anything else.
    for (room, who) in [("", "caller"), ("room", ""), ("room\n", "caller")] {
        assert!(matches!(
            server.join(room, who, "x"),
            Err(Error::BadName(_))
        ));
    }
    let long = "x".repeat(media::MAX_NAME + 1);
    assert!(matches!(
        server.join(&long, "caller", "x"),
        Err(Error::BadName("room"))
    ));
    // Rooms never opened, and people not in a room.
    assert!(server.stats("nowhere").is_none());
    assert!(matches!(server.pause("nowhere"), Err(Error::NoSuchRoom(_))));
    assert!(matches!(
        server.resume("nowhere"),
        Err(Error::NoSuchRoom(_))
    ));
    assert!(matches!(
        server.request_keyframe("nowhere", "x"),
        Err(Error::NoSuchRoom(_))
    ));

    // Garbage on the media port is ignored, and a room is opened by its
    // first join whatever its name.
    let stranger = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    for datagram in [&[0u8; 1][..], &[0xff; 1500], &[0x80; 40], &[0x16; 100]] {
        stranger.send_to(datagram, server.udp_addr()).unwrap();
    }
    let a = joined(&server, "a room never opened", "prisoner");
    let b = joined(&server, "a room never opened", "caller");
    assert!(wait_until(LONG, || flowing(&a, &b)));
    assert!(matches!(
        server.leave("a room never opened", "nobody"),
        Err(Error::NoSuchParticipant { .. })
    ));
}

#[test]
fn a_participant_who_reconnects_replaces_the_old_connection() {
    let server = server();
    let events = server.events();
    let prisoner = joined(&server, "call-5", "prisoner");
    let first = joined(&server, "call-5", "caller");
    assert!(wait_until(LONG, || flowing(&prisoner, &first)));

    let again = joined(&server, "call-5", "caller");
    assert!(
        wait_until(LONG, || first.seen().closed),
        "the old one is closed"
    );
    let base = prisoner.seen().video;
    assert!(
        wait_until(LONG, || again.seen().video > 5
            && prisoner.seen().video > base + 5),
        "media flows with the new connection"
    );
    let stats = server.stats("call-5").unwrap();
    let caller = stats.participant("caller").unwrap();
    assert_eq!(caller.joins, 2);
    assert!(caller.present && caller.connected);
    assert_eq!(stats.participants.len(), 2);

    let events = drain(&events);
    assert!(events.contains(&Event::Left {
        room: "call-5".into(),
        participant: "caller".into(),
        reason: LeftReason::Replaced,
    }));
    assert!(events.contains(&Event::Joined {
        room: "call-5".into(),
        participant: "caller".into(),
        rejoined: true,
    }));

    // Hanging up closes that connection only.
    server.leave("call-5", "caller").unwrap();
    assert!(wait_until(LONG, || again.seen().closed));
    let stats = server.stats("call-5").unwrap();
    assert_eq!(stats.state, RoomState::Open);
    assert!(!stats.participant("caller").unwrap().present);
    assert!(stats.participant("prisoner").unwrap().present);
}

#[test]
fn a_room_holds_at_most_its_participants() {
    let server = MediaServer::start(media::Config {
        bind: "127.0.0.1:0".parse().unwrap(),
        max_participants: 2,
        ..media::Config::default()
    })
    .unwrap();
    let _a = joined(&server, "small", "prisoner");
    let _b = joined(&server, "small", "caller");
    let refused = Client::join("third", |offer| server.join("small", "third", offer));
    assert!(matches!(refused, Err(Error::RoomFull { max: 2, .. })));
}

#[test]
fn the_server_hands_out_a_participants_video_frames() {
    let server = server();
    let prisoner = joined(&server, "call-6", "prisoner");
    let caller = joined(&server, "call-6", "caller");
    let keyframes = server.subscribe_frames("call-6", "caller", true).unwrap();
    let all = server
        .subscribe_frames("call-6", "prisoner", false)
        .unwrap();
    assert!(wait_until(LONG, || flowing(&prisoner, &caller)));

    server.request_keyframe("call-6", "caller").unwrap();
    let frame = keyframes
        .recv_timeout(LONG)
        .expect("a keyframe of the caller's");
    assert!(frame.keyframe);
    assert_eq!(frame.codec, media::Codec::Vp8);
    assert_eq!(frame.data.len(), 1200);
    assert_eq!(frame.data[0] & 1, 0);
    let frames: Vec<_> = (0..5).map(|_| all.recv_timeout(LONG).unwrap()).collect();
    assert!(frames.iter().any(|f| !f.keyframe), "delta frames too");

    // Frames keep coming while paused (the face check goes on), and the
    // subscription ends with the room.
    server.pause("call-6").unwrap();
    while keyframes.try_recv().is_ok() {}
    server.request_keyframe("call-6", "caller").unwrap();
    assert!(keyframes.recv_timeout(LONG).unwrap().keyframe);
    server.end("call-6").unwrap();
    assert!(wait_until(LONG, || {
        matches!(
            keyframes.try_recv(),
            Err(std::sync::mpsc::TryRecvError::Disconnected)
        )
    }));
    assert!(matches!(
        server.subscribe_frames("call-6", "caller", true),
        Err(Error::RoomEnded(_))
    ));
}

#[test]
fn the_server_is_shared_across_threads_and_stops_when_dropped() {
    fn shareable<T: Send + Sync>() {}
    shareable::<MediaServer>();
    let server = server();
    let addr = server.udp_addr();
    let events = server.events();
    let client = joined(&server, "call-7", "caller");
    assert!(wait_until(LONG, || client.seen().connected));
    drop(server);
    assert!(wait_until(LONG, || client.seen().closed));
    // The thread is gone and the port free again.
    assert!(events.iter().any(|e| matches!(e, Event::Left { .. })));
    std::net::UdpSocket::bind(addr).expect("the port is released");
}

#[test]
fn three_on_a_call_and_a_monitor_who_only_watches() {
    let server = server();
    let room = "call-8";
    let join = |name: &str, sends: bool, slots: usize| {
        let name = name.to_owned();
        Client::join_as(&name.clone(), sends, slots, |offer| {
            server.join(room, &name, offer)
        })
        .unwrap()
    };
    let prisoner = join("prisoner", true, 2);
    let monitor = join("monitor", false, 3);
    let caller = join("caller", true, 2);
    let second = join("second caller", true, 2);
    let everyone_on_every_slot = || {
        [&prisoner, &caller, &second, &monitor]
            .iter()
            .all(|c| c.seen().video_by_slot.iter().all(|n| *n > 5))
    };
    assert!(
        wait_until(LONG, everyone_on_every_slot),
        "each sender receives both others, the monitor all three: {:?}",
        [&prisoner, &caller, &second, &monitor].map(|c| c.seen().video_by_slot)
    );
    let stats = server.stats(room).unwrap();
    let watcher = stats.participant("monitor").unwrap();
    assert_eq!(
        watcher.received,
        Default::default(),
        "the monitor sends nothing"
    );
    assert!(watcher.forwarded.video.frames > 15);

    // Pause holds back the monitor's pictures too.
    server.pause(room).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let before = monitor.seen().video;
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(monitor.seen().video, before);
}
