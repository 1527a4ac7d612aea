//! A test client that acts as a browser: a str0m `Rtc` with one `sendrecv`
//! audio and one `sendrecv` video transceiver, its own UDP socket on
//! 127.0.0.1, and a thread that drives it and writes synthetic frames
//! (Opus every 20 ms, VP8 every 33 ms, a keyframe every second and whenever
//! a keyframe is asked for). The payloads are made-up bytes: the server
//! forwards frames without decoding them.

#![allow(dead_code)]

use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use str0m::change::SdpAnswer;
use str0m::format::Codec;
use str0m::media::{Direction, Frequency, MediaKind, MediaTime, Mid};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, IceConnectionState, Input, Output, Rtc};

/// What a client has seen so far.
#[derive(Debug, Default, Clone)]
pub struct Seen {
    pub connected: bool,
    /// The server closed the connection (DTLS close_notify) or ICE was lost.
    pub closed: bool,
    pub audio: u64,
    pub video: u64,
    /// Video frames received on each receiving video m-line (slot).
    pub video_by_slot: Vec<u64>,
    pub video_keyframes: u64,
    /// Keyframe requests (PLI/FIR) from the server.
    pub keyframe_requests: u64,
    pub sent_video: u64,
    pub last_media: Option<Instant>,
}

impl Seen {
    pub fn media(&self) -> u64 {
        self.audio + self.video
    }
}

pub struct Client {
    pub name: String,
    seen: Arc<Mutex<Seen>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Client {
    /// Makes an offer (`sendrecv` audio and video), joins through `join`
    /// and starts driving the connection; the error is `join`'s.
    pub fn join(
        name: &str,
        join: impl FnOnce(&str) -> Result<String, media::Error>,
    ) -> Result<Client, media::Error> {
        Client::join_as(name, true, 1, join)
    }

    /// A client that sends (or not: a monitoring terminal) and receives
    /// `slots` other participants: the first audio and video m-lines are
    /// `sendrecv` when it sends, the others `recvonly`.
    pub fn join_as(
        name: &str,
        sends: bool,
        slots: usize,
        join: impl FnOnce(&str) -> Result<String, media::Error>,
    ) -> Result<Client, media::Error> {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        let local = socket.local_addr().unwrap();
        let mut rtc = Rtc::builder()
            .set_crypto_provider(Arc::new(str0m::crypto::from_feature_flags()))
            .build(Instant::now());
        rtc.add_local_candidate(Candidate::host(local, "udp").unwrap());
        let mut sdp = rtc.sdp_api();
        let (mut audio, mut video) = (Vec::new(), Vec::new());
        for i in 0..slots {
            let dir = if sends && i == 0 {
                Direction::SendRecv
            } else {
                Direction::RecvOnly
            };
            audio.push(sdp.add_media(MediaKind::Audio, dir, None, None, None));
            video.push(sdp.add_media(MediaKind::Video, dir, None, None, None));
        }
        let (offer, pending) = sdp.apply().unwrap();
        let answer = join(&offer.to_sdp_string())?;
        let answer = SdpAnswer::from_sdp_string(&answer).expect("the server's answer parses");
        rtc.sdp_api().accept_answer(pending, answer).unwrap();

        let seen = Arc::new(Mutex::new(Seen {
            video_by_slot: vec![0; slots],
            ..Seen::default()
        }));
        let sends = sends.then(|| (audio[0], video[0]));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (seen, stop) = (seen.clone(), stop.clone());
            {
                let mids = Mids {
                    audio,
                    video,
                    sends,
                };
                std::thread::spawn(move || drive(rtc, socket, local, mids, seen, stop))
            }
        };
        Ok(Client {
            name: name.into(),
            seen,
            stop,
            thread: Some(thread),
        })
    }

    pub fn seen(&self) -> Seen {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The client's m-lines: every audio and video one, and the pair it sends
/// on, if it sends.
struct Mids {
    audio: Vec<Mid>,
    video: Vec<Mid>,
    sends: Option<(Mid, Mid)>,
}

fn drive(
    mut rtc: Rtc,
    socket: UdpSocket,
    local: SocketAddr,
    mids: Mids,
    seen: Arc<Mutex<Seen>>,
    stop: Arc<AtomicBool>,
) {
    let Mids {
        audio,
        video,
        sends,
    } = mids;
    let start = Instant::now();
    let mut buf = vec![0u8; 2048];
    let (mut next_audio, mut next_video) = (start, start);
    let (mut audio_n, mut video_n) = (0u64, 0u64);
    let mut keyframe_due = true;
    while !stop.load(Ordering::Relaxed) && rtc.is_alive() {
        // Drain.
        let timeout = loop {
            match rtc.poll_output() {
                Ok(Output::Timeout(t)) => break t,
                Ok(Output::Transmit(t)) => {
                    let _ = socket.send_to(&t.contents, t.destination);
                }
                Ok(Output::Event(e)) => {
                    let mut s = seen.lock().unwrap();
                    match e {
                        Event::Connected => s.connected = true,
                        Event::Closed
                        | Event::IceConnectionStateChange(IceConnectionState::Disconnected) => {
                            s.closed = true
                        }
                        Event::MediaData(d) => {
                            s.last_media = Some(Instant::now());
                            if audio.contains(&d.mid) {
                                s.audio += 1;
                            } else if let Some(i) = video.iter().position(|m| *m == d.mid) {
                                s.video += 1;
                                s.video_by_slot[i] += 1;
                                if d.data.first().is_some_and(|b| b & 1 == 0) {
                                    s.video_keyframes += 1;
                                }
                            }
                        }
                        Event::KeyframeRequest(_) => {
                            s.keyframe_requests += 1;
                            keyframe_due = true;
                        }
                        _ => {}
                    }
                }
                Err(_) => {
                    seen.lock().unwrap().closed = true;
                    return;
                }
            }
        };
        if !rtc.is_alive() {
            break;
        }

        // One mutation: a frame to write, or input.
        let now = Instant::now();
        let connected = seen.lock().unwrap().connected && sends.is_some();
        let (audio, video) = sends.unwrap_or((audio[0], video[0]));
        if connected && now >= next_audio {
            let w = rtc.writer(audio).unwrap();
            let pt = pt_for(&w, Codec::Opus);
            let time = MediaTime::new(audio_n * 960, Frequency::FORTY_EIGHT_KHZ);
            let _ = w.write(pt, now, time, vec![0xfc; 60]);
            audio_n += 1;
            next_audio += Duration::from_millis(20);
            continue;
        }
        if connected && now >= next_video {
            let key = keyframe_due || video_n % 30 == 0;
            keyframe_due = false;
            // VP8 frame tag: bit 0 clear marks a keyframe.
            let mut frame = vec![0x55u8; 1200];
            frame[0] = if key { 0x10 } else { 0x11 };
            let w = rtc.writer(video).unwrap();
            let pt = pt_for(&w, Codec::Vp8);
            let time = MediaTime::new(video_n * 3000, Frequency::NINETY_KHZ);
            let _ = w.write(pt, now, time, frame);
            video_n += 1;
            seen.lock().unwrap().sent_video += 1;
            next_video += Duration::from_millis(33);
            continue;
        }
        let mut until = timeout.min(start + Duration::from_secs(3600));
        if connected {
            until = until.min(next_audio).min(next_video);
        }
        let wait = until
            .saturating_duration_since(now)
            .clamp(Duration::from_millis(1), Duration::from_millis(20));
        socket.set_read_timeout(Some(wait)).unwrap();
        buf.resize(2048, 0);
        let input = match socket.recv_from(&mut buf) {
            Ok((n, source)) => {
                buf.truncate(n);
                match buf.as_slice().try_into() {
                    Ok(contents) => Input::Receive(
                        Instant::now(),
                        Receive {
                            proto: Protocol::Udp,
                            source,
                            destination: local,
                            contents,
                        },
                    ),
                    Err(_) => continue,
                }
            }
            Err(_) => Input::Timeout(Instant::now()),
        };
        if rtc.handle_input(input).is_err() {
            seen.lock().unwrap().closed = true;
            return;
        }
    }
    seen.lock().unwrap().closed = true;
}

fn pt_for(w: &str0m::media::Writer, codec: Codec) -> str0m::media::Pt {
    w.payload_params()
        .find(|p| p.spec().codec == codec)
        .map(|p| p.pt())
        .unwrap_or_else(|| panic!("{codec:?} negotiated"))
}

/// Waits until `cond` holds, for at most `limit`.
pub fn wait_until(limit: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    cond()
}

/// A media server on a free port of 127.0.0.1.
pub fn server() -> media::MediaServer {
    media::MediaServer::start(media::Config {
        bind: "127.0.0.1:0".parse().unwrap(),
        ..media::Config::default()
    })
    .expect("the media server starts")
}
