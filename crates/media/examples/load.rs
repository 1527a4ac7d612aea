//! Load test of the media server: `--calls N` two-party calls relayed at
//! once, each participant a str0m client that acts as a browser (as in
//! tests/common/mod.rs) and sends synthetic VP8 at 30 fps sized like
//! 640x480 at about 600 kbit/s (a 20 KB keyframe every 2 s, other frames
//! 2.2 KB +-20%) and Opus at 50 packets/s of 80 bytes. The payloads are
//! made-up bytes (the server forwards frames without decoding them); each
//! video frame carries its send time, for the latency at the receiver.
//!
//! Every client runs in this process on `--client-threads` threads (1 by
//! default), each polling its clients' non-blocking sockets. The server's
//! own cost is the CPU time of its thread named "media", read from
//! /proc/self/task/*/stat before and after a window of `--seconds`, after
//! every connection is up and a warm-up of `--warmup` seconds.
//!
//! With `--face-check S` (and `--keyframe FILE`, a real 640x480 VP8
//! keyframe of a face that every keyframe then is), the example also does
//! what `lifeline serve` does on each live call: every S seconds it asks
//! each call's caller for a keyframe through the server, decodes it and
//! runs the face engine on it, on a bounded pool of `--check-workers`
//! threads (2), off the media thread. It reports the checks due, done and
//! skipped (the pool was busy: a check is dropped, never queued without
//! end), their CPU and time, so the relay's figures can be read with the
//! check on and off.
//!
//! ```sh
//! cargo run --release -p media --example load -- --calls 10 --seconds 10
//! cargo run --release -p media --example load -- --calls 10 --seconds 10 \
//!     --face-check 3 --keyframe face-640x480.vp8
//! ```
//!
//! Prints one line of `key=value` (see `bench/media-load.sh`).

use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use str0m::change::SdpAnswer;
use str0m::format::Codec;
use str0m::media::{Direction, Frequency, MediaKind, MediaTime, Mid, Pt};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, IceConnectionState, Input, Output, Rtc};

const FRAME: Duration = Duration::from_micros(33_333);
const AUDIO: Duration = Duration::from_millis(20);
const KEYFRAME_EVERY: u64 = 60;
const KEYFRAME_BYTES: usize = 20_000;
const DELTA_BYTES: usize = 2_200;
const AUDIO_BYTES: usize = 80;

/// A real keyframe to send instead of made-up bytes (`--keyframe`).
static KEYFRAME: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();

/// The clock that send times in frames count from.
static EPOCH: LazyLock<Instant> = LazyLock::new(Instant::now);

/// A participant's counters, read by the main thread.
#[derive(Default)]
struct Counters {
    connected: AtomicBool,
    /// The connection failed or was closed.
    dead: AtomicBool,
    sent_video: AtomicU64,
    sent_audio: AtomicU64,
    recv_video: AtomicU64,
    recv_audio: AtomicU64,
}

struct Peer {
    name: String,
    rtc: Rtc,
    socket: UdpSocket,
    local: SocketAddr,
    audio: Mid,
    video: Mid,
    pts: Option<(Pt, Pt)>,
    timeout: Instant,
    next_audio: Instant,
    next_video: Instant,
    audio_n: u64,
    video_n: u64,
    keyframe_due: bool,
    rng: u64,
    counters: Arc<Counters>,
}

/// xorshift64, seeded per participant: the same sizes and phases every run.
fn next_rand(s: &mut u64) -> u64 {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    *s
}

impl Peer {
    fn join(server: &media::MediaServer, room: &str, name: &str, seed: u64) -> Peer {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket.set_nonblocking(true).unwrap();
        // As the server's, so that a burst of keyframes is not dropped.
        let _ = socket2::SockRef::from(&socket).set_recv_buffer_size(media::SOCKET_BUFFER);
        let local = socket.local_addr().unwrap();
        let mut rtc = Rtc::builder()
            .set_crypto_provider(Arc::new(str0m::crypto::from_feature_flags()))
            .build(Instant::now());
        rtc.add_local_candidate(Candidate::host(local, "udp").unwrap());
        let mut sdp = rtc.sdp_api();
        let audio = sdp.add_media(MediaKind::Audio, Direction::SendRecv, None, None, None);
        let video = sdp.add_media(MediaKind::Video, Direction::SendRecv, None, None, None);
        let (offer, pending) = sdp.apply().unwrap();
        let answer = server
            .join(room, name, &offer.to_sdp_string())
            .expect("join");
        let answer = SdpAnswer::from_sdp_string(&answer).unwrap();
        rtc.sdp_api().accept_answer(pending, answer).unwrap();
        let mut rng = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        // Calls are not in step: each starts at its own phase of a frame.
        let now = Instant::now();
        let phase = Duration::from_micros(next_rand(&mut rng) % 33_333);
        Peer {
            name: format!("{room}/{name}"),
            rtc,
            socket,
            local,
            audio,
            video,
            pts: None,
            timeout: now,
            next_audio: now + phase,
            next_video: now + phase,
            audio_n: 0,
            video_n: 0,
            keyframe_due: true,
            rng,
            counters: Arc::default(),
        }
    }

    /// Polls str0m until it wants time to pass.
    fn drain(&mut self, latencies: &mut Option<Vec<u32>>) {
        loop {
            match self.rtc.poll_output() {
                Ok(Output::Timeout(t)) => {
                    self.timeout = t;
                    return;
                }
                Ok(Output::Transmit(t)) => {
                    let _ = self.socket.send_to(&t.contents, t.destination);
                }
                Ok(Output::Event(Event::Connected)) => self.counters.connected.store(true, Relaxed),
                Ok(Output::Event(Event::IceConnectionStateChange(s))) => {
                    if s == IceConnectionState::Disconnected
                        || std::env::var_os("LOAD_DEBUG").is_some()
                    {
                        eprintln!("{}: ICE {s:?} after {:?}", self.name, EPOCH.elapsed());
                    }
                }
                Ok(Output::Event(Event::KeyframeRequest(_))) => self.keyframe_due = true,
                Ok(Output::Event(Event::MediaData(d))) => {
                    if d.mid == self.audio {
                        self.counters.recv_audio.fetch_add(1, Relaxed);
                    } else if d.mid == self.video {
                        self.counters.recv_video.fetch_add(1, Relaxed);
                        // A real keyframe carries no send time.
                        let stamped = KEYFRAME.get().is_none() || d.data.first() == Some(&0x11);
                        if let (Some(l), Some(b), true) =
                            (latencies.as_mut(), d.data.get(1..9), stamped)
                        {
                            let sent = u64::from_le_bytes(b.try_into().unwrap());
                            let now = EPOCH.elapsed().as_micros() as u64;
                            l.push(now.saturating_sub(sent) as u32);
                        }
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    eprintln!("{}: {e}", self.name);
                    self.counters.dead.store(true, Relaxed);
                    return;
                }
            }
        }
    }

    fn pt(&mut self) -> (Pt, Pt) {
        *self.pts.get_or_insert_with(|| {
            let pt = |w: str0m::media::Writer, c| {
                w.payload_params()
                    .find(|p| p.spec().codec == c)
                    .unwrap()
                    .pt()
            };
            let a = pt(self.rtc.writer(self.audio).unwrap(), Codec::Opus);
            (a, pt(self.rtc.writer(self.video).unwrap(), Codec::Vp8))
        })
    }

    /// One turn: what has arrived, timeouts, then the frames that are due.
    fn turn(&mut self, buf: &mut [u8], latencies: &mut Option<Vec<u32>>) {
        if !self.rtc.is_alive() || self.counters.dead.load(Relaxed) {
            return self.die("closed");
        }
        // Until WouldBlock: nothing more for now.
        while let Ok((n, source)) = self.socket.recv_from(buf) {
            let Ok(contents) = buf[..n].try_into() else {
                continue;
            };
            let input = Input::Receive(
                Instant::now(),
                Receive {
                    proto: Protocol::Udp,
                    source,
                    destination: self.local,
                    contents,
                },
            );
            if let Err(e) = self.rtc.handle_input(input) {
                eprintln!("{}: {e}", self.name);
                self.counters.dead.store(true, Relaxed);
                return;
            }
            self.drain(latencies);
        }
        let now = Instant::now();
        if now >= self.timeout {
            if self.rtc.handle_input(Input::Timeout(now)).is_err() {
                self.counters.dead.store(true, Relaxed);
                return;
            }
            self.drain(latencies);
        }
        if !self.counters.connected.load(Relaxed) {
            return;
        }
        let (apt, vpt) = self.pt();
        if now >= self.next_audio {
            let time = MediaTime::new(self.audio_n * 960, Frequency::FORTY_EIGHT_KHZ);
            let Some(w) = self.rtc.writer(self.audio) else {
                return self.die("no audio writer");
            };
            w.write(apt, now, time, vec![0xfc; AUDIO_BYTES]).unwrap();
            self.audio_n += 1;
            self.counters.sent_audio.fetch_add(1, Relaxed);
            self.next_audio = (self.next_audio + AUDIO).max(now - AUDIO * 5);
            self.drain(latencies);
        }
        if now >= self.next_video {
            let key = self.keyframe_due || self.video_n.is_multiple_of(KEYFRAME_EVERY);
            self.keyframe_due = false;
            let len = if key {
                KEYFRAME_BYTES
            } else {
                // 80% to 120% of the mean.
                DELTA_BYTES * 4 / 5
                    + (next_rand(&mut self.rng) % (DELTA_BYTES as u64 * 2 / 5)) as usize
            };
            let frame = match KEYFRAME.get() {
                Some(real) if key => real.clone(),
                _ => {
                    let mut frame = vec![0x55u8; len];
                    // VP8 frame tag: bit 0 clear marks a keyframe; then the
                    // send time.
                    frame[0] = if key { 0x10 } else { 0x11 };
                    let sent = EPOCH.elapsed().as_micros() as u64;
                    frame[1..9].copy_from_slice(&sent.to_le_bytes());
                    frame
                }
            };
            let time = MediaTime::new(self.video_n * 3000, Frequency::NINETY_KHZ);
            let Some(w) = self.rtc.writer(self.video) else {
                return self.die("no video writer");
            };
            w.write(vpt, now, time, frame).unwrap();
            self.video_n += 1;
            self.counters.sent_video.fetch_add(1, Relaxed);
            self.next_video = (self.next_video + FRAME).max(now - FRAME * 5);
            self.drain(latencies);
        }
    }

    fn die(&mut self, why: &str) {
        if !self.counters.dead.swap(true, Relaxed) {
            eprintln!("{}: {why} after {:?}", self.name, EPOCH.elapsed());
        }
    }

    fn due(&self) -> Instant {
        let t = self.timeout;
        if self.counters.connected.load(Relaxed) {
            t.min(self.next_audio).min(self.next_video)
        } else {
            t
        }
    }
}

/// Drives `peers` until `stop`; records video latencies while `measure`.
fn drive(
    new: Receiver<Peer>,
    stop: Arc<AtomicBool>,
    measure: Arc<AtomicBool>,
    out: Arc<Mutex<Vec<u32>>>,
) {
    let mut buf = vec![0u8; 2048];
    let mut latencies = None;
    let mut peers = Vec::new();
    while !stop.load(Relaxed) {
        peers.extend(new.try_iter());
        if measure.load(Relaxed) {
            latencies.get_or_insert_with(Vec::new);
        } else if let Some(l) = latencies.take() {
            out.lock().unwrap().extend(l);
        }
        for p in &mut peers {
            p.turn(&mut buf, &mut latencies);
        }
        // Sockets are polled: wake at the next frame, and at least every ms.
        let idle = Instant::now() + Duration::from_millis(1);
        let next = peers.iter().map(Peer::due).min().unwrap_or(idle);
        let wait = next.saturating_duration_since(Instant::now());
        std::thread::sleep(wait.min(Duration::from_millis(1)));
    }
}

/// CPU seconds (user + system) of this process's threads named `name`.
fn thread_cpu(name: &str) -> f64 {
    let tick = 100.0; // USER_HZ, 100 on Linux
    let mut total = 0;
    for task in std::fs::read_dir("/proc/self/task").unwrap().flatten() {
        let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        if !comm.trim_end().starts_with(name) {
            continue;
        }
        let stat = std::fs::read_to_string(task.path().join("stat")).unwrap_or_default();
        // Fields after the parenthesised name: state is 3rd, utime 14th, stime 15th.
        let rest = &stat[stat.rfind(')').map_or(0, |i| i + 2)..];
        let f: Vec<u64> = rest
            .split(' ')
            .skip(11)
            .take(2)
            .map(|x| x.parse().unwrap_or(0))
            .collect();
        total += f.iter().sum::<u64>();
    }
    total as f64 / tick
}

fn process_cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let f: Vec<u64> = rest
        .split(' ')
        .skip(11)
        .take(2)
        .map(|x| x.parse().unwrap())
        .collect();
    (f[0] + f[1]) as f64 / 100.0
}

struct Snapshot {
    at: Instant,
    media: f64,
    checks: f64,
    clients: f64,
    process: f64,
    sent: (u64, u64),
    recv: (u64, u64),
    forwarded: (u64, u64),
}

fn snapshot(server: &media::MediaServer, rooms: &[String], counters: &[Arc<Counters>]) -> Snapshot {
    let sum = |f: fn(&Counters) -> &AtomicU64| counters.iter().map(|c| f(c).load(Relaxed)).sum();
    let mut forwarded = (0, 0);
    for r in rooms {
        for p in server.stats(r).unwrap().participants {
            forwarded.0 += p.forwarded.video.frames;
            forwarded.1 += p.forwarded.audio.frames;
        }
    }
    Snapshot {
        at: Instant::now(),
        media: thread_cpu("media"),
        checks: thread_cpu("check"),
        clients: thread_cpu("clients"),
        process: process_cpu(),
        sent: (sum(|c| &c.sent_video), sum(|c| &c.sent_audio)),
        recv: (sum(|c| &c.recv_video), sum(|c| &c.recv_audio)),
        forwarded,
    }
}

fn main() {
    let (mut calls, mut seconds, mut warmup) = (10usize, 10.0f64, 3.0f64);
    let (mut batch, mut threads) = (10usize, 1usize);
    let (mut face_check, mut workers) = (0.0f64, 2usize);
    let args: Vec<String> = std::env::args().skip(1).collect();
    for pair in args.chunks(2) {
        let v = pair.get(1).map(String::as_str).unwrap_or("");
        match pair[0].as_str() {
            "--calls" => calls = v.parse().expect("--calls N"),
            "--seconds" => seconds = v.parse().expect("--seconds S"),
            "--warmup" => warmup = v.parse().expect("--warmup S"),
            "--batch" => batch = v.parse().expect("--batch B"),
            "--client-threads" => threads = v.parse().expect("--batch B --client-threads T"),
            "--face-check" => face_check = v.parse().expect("--face-check S"),
            "--check-workers" => workers = v.parse().expect("--check-workers N"),
            "--keyframe" => {
                let bytes = std::fs::read(v).expect("--keyframe FILE: a VP8 keyframe");
                media::vp8::decode_keyframe(&bytes).expect("--keyframe FILE decodes");
                KEYFRAME.set(bytes).unwrap();
            }
            a => {
                panic!(
                    "unknown argument {a}: --calls N --seconds S --warmup S --batch B --client-threads T --face-check S --check-workers N --keyframe FILE"
                )
            }
        }
    }
    LazyLock::force(&EPOCH);
    let server = media::MediaServer::start(media::Config {
        bind: "127.0.0.1:0".parse().unwrap(),
        ..media::Config::default()
    })
    .expect("the media server starts");

    // Calls join in batches, each once the one before is up: a burst of
    // many more DTLS handshakes at once leaves some never done.
    let setup = Instant::now();
    let rooms: Vec<String> = (0..calls).map(|i| format!("call-{i}")).collect();
    let (stop, measure) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicBool::new(false)),
    );
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let (senders, handles): (Vec<_>, Vec<_>) = (0..threads)
        .map(|i| {
            let (tx, rx) = mpsc::channel();
            let (stop, measure, out) = (stop.clone(), measure.clone(), latencies.clone());
            let h = std::thread::Builder::new()
                .name(format!("clients-{i}"))
                .spawn(move || drive(rx, stop, measure, out))
                .unwrap();
            (tx, h)
        })
        .unzip();
    let mut counters = Vec::new();
    for (b, batch) in rooms.chunks(batch).enumerate() {
        for (i, room) in batch.iter().enumerate() {
            for (j, who) in ["prisoner", "caller"].iter().enumerate() {
                let n = counters.len();
                let peer = Peer::join(&server, room, who, (n + 1) as u64);
                counters.push(peer.counters.clone());
                senders[(b + i + j) % threads].send(peer).unwrap();
            }
        }
        let up = |c: &Arc<Counters>| c.connected.load(Relaxed) || c.dead.load(Relaxed);
        let since = Instant::now();
        while !counters.iter().all(up) {
            if since.elapsed() > Duration::from_secs(10) {
                break; // Counted as failed, and left out of the measures.
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    let connect = setup.elapsed();
    // Calls with both participants up; the others are left out.
    let up: Vec<bool> = counters
        .chunks(2)
        .map(|c| c.iter().all(|c| c.connected.load(Relaxed)))
        .collect();
    let failed_calls = up.iter().filter(|u| !**u).count();
    let counters: Vec<_> = counters
        .chunks(2)
        .zip(&up)
        .filter(|(_, u)| **u)
        .flat_map(|(c, _)| c.iter().cloned())
        .collect();
    let server = Arc::new(server);
    let checks = Arc::new(Checks::default());
    let checkers = (face_check > 0.0).then(|| {
        let live: Vec<String> = rooms
            .iter()
            .zip(&up)
            .filter(|(_, u)| **u)
            .map(|(r, _)| r.clone())
            .collect();
        start_checks(
            server.clone(),
            live,
            face_check,
            workers,
            checks.clone(),
            stop.clone(),
        )
    });
    std::thread::sleep(Duration::from_secs_f64(warmup));

    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let c0 = checks.read();
    let a = snapshot(&server, &rooms, &counters);
    measure.store(true, Relaxed);
    std::thread::sleep(Duration::from_secs_f64(seconds));
    measure.store(false, Relaxed);
    let b = snapshot(&server, &rooms, &counters);
    let c1 = checks.read();
    std::thread::sleep(Duration::from_millis(50)); // clients hand over latencies
    stop.store(true, Relaxed);
    for h in handles {
        h.join().unwrap();
    }
    for h in checkers.into_iter().flatten() {
        h.join().unwrap();
    }

    let secs = b.at.duration_since(a.at).as_secs_f64();
    let pct = |x: f64, y: f64| 100.0 * (y - x) / secs;
    let media_pct = pct(a.media, b.media);
    let sent_v = (b.sent.0 - a.sent.0) as f64;
    let sent_a = (b.sent.1 - a.sent.1) as f64;
    let mut l = latencies.lock().unwrap().clone();
    l.sort_unstable();
    let q = |f: f64| l.get(((l.len() as f64 * f) as usize).min(l.len().saturating_sub(1)));
    let ms = |v: Option<&u32>| v.map_or(f64::NAN, |v| *v as f64 / 1000.0);
    println!(
        "calls={calls} seconds={secs:.1} connect_s={:.2} media_cpu_pct={media_pct:.1} \
         media_cpu_per_call_pct={:.2} clients_cpu_pct={:.1} process_cpu_pct={:.1} \
         sent_video_fps={:.0} forwarded_video_fps={:.0} forwarded_audio_pps={:.0} \
         video_delivery={:.4} audio_delivery={:.4} latency_p50_ms={:.1} latency_p99_ms={:.1} \
         latency_max_ms={:.1} failed_calls={failed_calls} loadavg={}",
        connect.as_secs_f64(),
        media_pct / (calls - failed_calls).max(1) as f64,
        pct(a.clients, b.clients),
        pct(a.process, b.process),
        sent_v / secs,
        (b.forwarded.0 - a.forwarded.0) as f64 / secs,
        (b.forwarded.1 - a.forwarded.1) as f64 / secs,
        (b.recv.0 - a.recv.0) as f64 / sent_v,
        (b.recv.1 - a.recv.1) as f64 / sent_a,
        ms(q(0.5)),
        ms(q(0.99)),
        ms(l.last()),
        load.split(' ').next().unwrap_or("?"),
    );
    if face_check > 0.0 {
        let mut ms = c1.ms[c0.ms.len().min(c1.ms.len())..].to_vec();
        ms.sort_by(f64::total_cmp);
        let med = ms.get(ms.len() / 2).copied().unwrap_or(f64::NAN);
        println!(
            "calls={calls} face_check_s={face_check} check_workers={workers} checks_due={} checks_done={} \
             checks_skipped={} checks_no_keyframe={} faces_found={} check_ms_p50={med:.0} check_cpu_pct={:.1}",
            c1.due - c0.due,
            c1.done - c0.done,
            c1.skipped - c0.skipped,
            c1.no_keyframe - c0.no_keyframe,
            c1.faces - c0.faces,
            pct(a.checks, b.checks),
        );
    }
}

/// The face checks' counters.
#[derive(Default)]
struct Checks(Mutex<CheckCounts>);

#[derive(Default, Clone)]
struct CheckCounts {
    due: u64,
    done: u64,
    skipped: u64,
    no_keyframe: u64,
    faces: u64,
    ms: Vec<f64>,
}

impl Checks {
    fn read(&self) -> CheckCounts {
        self.0.lock().unwrap().clone()
    }
    fn add(&self, f: impl FnOnce(&mut CheckCounts)) {
        f(&mut self.0.lock().unwrap());
    }
}

/// What the service does per live call, every `every` seconds: a
/// scheduler thread hands each call's check to a pool of `workers` threads
/// through a channel as deep as the pool; when the pool is full the check
/// is skipped. Each worker asks the caller for a keyframe through the
/// server, waits for it, decodes it and finds the faces in it.
fn start_checks(
    server: Arc<media::MediaServer>,
    rooms: Vec<String>,
    every: f64,
    workers: usize,
    counts: Arc<Checks>,
    stop: Arc<AtomicBool>,
) -> Vec<std::thread::JoinHandle<()>> {
    let engine = Arc::new(face::Engine::new().expect("the face engine loads"));
    let (tx, rx) = mpsc::sync_channel::<String>(workers);
    let rx = Arc::new(Mutex::new(rx));
    let mut handles = Vec::new();
    for i in 0..workers {
        let (server, engine, rx, counts, stop) = (
            server.clone(),
            engine.clone(),
            rx.clone(),
            counts.clone(),
            stop.clone(),
        );
        handles.push(
            std::thread::Builder::new()
                .name(format!("check-{i}"))
                .spawn(move || {
                    while !stop.load(Relaxed) {
                        let Ok(room) = rx.lock().unwrap().recv_timeout(Duration::from_millis(100))
                        else {
                            continue;
                        };
                        let started = Instant::now();
                        let Ok(frames) = server.subscribe_frames(&room, "caller", true) else {
                            counts.add(|c| c.no_keyframe += 1);
                            continue;
                        };
                        let _ = server.request_keyframe(&room, "caller");
                        let picture = frames
                            .recv_timeout(Duration::from_secs(2))
                            .ok()
                            .and_then(|f| media::vp8::decode_keyframe(&f.data).ok());
                        let Some(p) = picture else {
                            counts.add(|c| c.no_keyframe += 1);
                            continue;
                        };
                        let img = face::RgbImage::from_raw(p.width, p.height, p.rgb).unwrap();
                        let found = engine.analyse_image(&img).faces.len() as u64;
                        let ms = started.elapsed().as_secs_f64() * 1000.0;
                        counts.add(|c| {
                            c.done += 1;
                            c.faces += found;
                            c.ms.push(ms);
                        });
                    }
                })
                .unwrap(),
        );
    }
    handles.push(
        std::thread::Builder::new()
            .name("schedule".into())
            .spawn(move || {
                // Calls' checks are spread over the interval, as calls that
                // started at different moments would be.
                if rooms.is_empty() {
                    return;
                }
                let start = Instant::now();
                let step = every / rooms.len() as f64;
                let mut n = 0u64;
                while !stop.load(Relaxed) {
                    let due = start + Duration::from_secs_f64(step * n as f64);
                    if let Some(wait) = due.checked_duration_since(Instant::now()) {
                        std::thread::sleep(wait.min(Duration::from_millis(100)));
                        continue;
                    }
                    let room = rooms[n as usize % rooms.len()].clone();
                    counts.add(|c| c.due += 1);
                    if tx.try_send(room).is_err() {
                        counts.add(|c| c.skipped += 1);
                    }
                    n += 1;
                }
            })
            .unwrap(),
    );
    handles
}
