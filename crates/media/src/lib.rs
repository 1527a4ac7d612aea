//! The media server of secure video calls: a WebRTC selective forwarding
//! unit (SFU) that relays each participant's audio and video to the others
//! in the same room, and that enforces the call's controls itself. Pause
//! stops the forwarding in both directions whatever the clients do; resume
//! forwards again and asks every sender for a keyframe; end closes every
//! peer connection of the room and refuses the room for good.
//!
//! This is an engine. It touches one UDP socket (bound once, by
//! [`MediaServer::start`], and shared by every participant of every room)
//! and one thread of its own that drives every peer connection; it touches
//! no database, HTTP, file, clock of the platform or async runtime. It knows
//! rooms and participants by the names it is given, not bookings, people or
//! permissions: the calls system decides who may join which room and carries
//! the SDP offer and answer over its own signalling. Nothing is kept once a
//! room has ended but the room's name, its state and its final counters.
//!
//! # How media is forwarded
//!
//! A participant joins with one SDP offer ([`MediaServer::join`]) and gets
//! the answer back; there is no renegotiation afterwards, so every
//! transceiver is in the offer from the start:
//!
//! - the first audio and the first video m-line that the client sends on
//!   (`sendrecv` or `sendonly`) carry what it sends;
//! - each audio and video m-line that the client receives on (`sendrecv` or
//!   `recvonly`) is a *slot* for one other participant who sends: slot *i*
//!   (the *i*-th receiving audio line and the *i*-th receiving video line)
//!   carries the *i*-th such participant, in the order their connections
//!   came up (the server learns what a client sends only then).
//!
//! A browser in a two-party call offers one `sendrecv` audio and one
//! `sendrecv` video transceiver; for *n* others it adds *n* − 1 `recvonly`
//! audio and video pairs. A monitoring terminal that only watches offers
//! `recvonly` pairs alone, and takes no slot at the others. A participant
//! who reconnects (joins again under the same name, which closes the old
//! connection) keeps its slot at the others, and a newcomer takes the slot
//! of someone who has left. Media with no slot
//! at a receiver is not sent to that receiver. Frames are forwarded whole
//! (str0m depacketises and repacketises them) in the codec they came in,
//! which the receiver must have accepted too: browsers all accept VP8,
//! H.264 and Opus. Simulcast layers are not forwarded.
//!
//! ```no_run
//! # fn offer_from_the_browser() -> String { String::new() }
//! let server = media::MediaServer::start(media::Config::default())?;
//! let events = server.events();
//! let answer = server.join("call-42", "prisoner", &offer_from_the_browser())?;
//! // ... the answer goes back to the browser; later, staff pause the call:
//! server.pause("call-42")?;
//! # Ok::<(), media::Error>(())
//! ```

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use str0m::change::SdpOffer;
use str0m::config::CryptoProvider;
use str0m::{Candidate, Rtc};

mod engine;
pub mod vp8;

use engine::Command;

/// The longest room or participant name accepted.
pub const MAX_NAME: usize = 128;
/// The longest SDP offer accepted (browsers' offers are 3 to 10 KiB).
pub const MAX_OFFER: usize = 64 * 1024;
/// How many video frames a slow frame subscriber may fall behind before
/// frames are dropped for it (forwarding never waits for a subscriber).
pub const FRAME_BACKLOG: usize = 8;

/// The UDP socket's receive and send buffers asked of the kernel (4 MiB).
pub const SOCKET_BUFFER: usize = 4 << 20;

/// The media server's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The one UDP address every participant's media goes through.
    pub bind: SocketAddr,
    /// The address to tell clients to send to (the ICE host candidate), when
    /// it is not the bound one: the public or LAN address when `bind` is
    /// `0.0.0.0`, or the outside address of a NAT that forwards the port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_ip: Option<IpAddr>,
    /// The most participants (prisoner, callers and monitoring staff) a room
    /// holds at once.
    pub max_participants: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 50000)),
            public_ip: None,
            max_participants: 6,
        }
    }
}

/// Why a call could not be joined or controlled.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("the media server could not bind its UDP socket to {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("the media server's settings are not usable: {0}")]
    Config(String),
    #[error("the {0} name must be 1 to {MAX_NAME} characters, none of them control characters")]
    BadName(&'static str),
    #[error("the offer is not a usable WebRTC offer: {0}")]
    BadOffer(String),
    #[error("the call room {0} has ended: it cannot be joined or controlled again")]
    RoomEnded(String),
    #[error("there is no call room {0}")]
    NoSuchRoom(String),
    #[error("{participant} is not in call room {room}")]
    NoSuchParticipant { room: String, participant: String },
    #[error("call room {room} already has its {max} participants")]
    RoomFull { room: String, max: usize },
    #[error("{participant} in call room {room} is sending no video yet")]
    NoVideo { room: String, participant: String },
    #[error("the media server has stopped")]
    Stopped,
}

/// Audio or video.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Audio,
    Video,
}

/// The codec of a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Codec {
    Opus,
    Vp8,
    Vp9,
    H264,
    H265,
    Av1,
    /// Any other codec str0m negotiates (G.711, G.722 ...).
    Other,
}

/// Where a room stands. Only the server changes it; no client can.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoomState {
    /// Media is forwarded.
    Open,
    /// Nothing is forwarded in either direction; connections stay up.
    Paused,
    /// Every connection is closed and the room refuses joins for good.
    Ended,
}

/// Why a participant's connection went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeftReason {
    /// The client closed its connection.
    Closed,
    /// The client stopped answering (network lost, tab closed).
    Disconnected,
    /// The same participant joined again; the old connection was closed.
    Replaced,
    /// [`MediaServer::leave`] removed it.
    Removed,
    /// [`MediaServer::end`] ended the room.
    Ended,
    /// The connection failed (the text says how).
    Failed(String),
}

/// What happens in the rooms, in order, for a call's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// The participant's offer was answered; `rejoined` when it replaced an
    /// earlier connection of the same participant.
    Joined {
        room: String,
        participant: String,
        rejoined: bool,
    },
    /// ICE and DTLS are up: media can flow.
    Connected {
        room: String,
        participant: String,
    },
    /// The first frame of this kind arrived from the participant.
    MediaStarted {
        room: String,
        participant: String,
        kind: Kind,
    },
    /// A video keyframe arrived from the participant.
    KeyframeFrom {
        room: String,
        participant: String,
    },
    /// The participant's connection is gone.
    Left {
        room: String,
        participant: String,
        reason: LeftReason,
    },
    Paused {
        room: String,
    },
    Resumed {
        room: String,
    },
    Ended {
        room: String,
    },
}

/// Frames and bytes (of whole frames, as sent, without RTP overhead).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flow {
    pub frames: u64,
    pub bytes: u64,
}

/// A [`Flow`] per kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flows {
    pub audio: Flow,
    pub video: Flow,
}

impl Flows {
    fn add(&mut self, kind: Kind, bytes: usize) {
        let f = match kind {
            Kind::Audio => &mut self.audio,
            Kind::Video => &mut self.video,
        };
        f.frames += 1;
        f.bytes += bytes as u64;
    }

    fn merge(&mut self, other: &Flows) {
        self.audio.frames += other.audio.frames;
        self.audio.bytes += other.audio.bytes;
        self.video.frames += other.video.frames;
        self.video.bytes += other.video.bytes;
    }
}

/// One participant of a room, over all its connections to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipantStats {
    pub participant: String,
    /// It has a connection in the room now (connected or still connecting).
    pub present: bool,
    /// Its connection is up (ICE and DTLS).
    pub connected: bool,
    /// How many times it joined (more than 1 after reconnects).
    pub joins: u32,
    /// Received from it.
    pub received: Flows,
    /// Received from it while the room was paused, and so not forwarded.
    pub held_back: Flows,
    /// Forwarded to it from the others.
    pub forwarded: Flows,
    /// Video keyframes received from it.
    pub keyframes: u64,
}

/// A room's state and counters; an ended room keeps its final ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomStats {
    pub room: String,
    pub state: RoomState,
    /// In the order they first joined.
    pub participants: Vec<ParticipantStats>,
}

impl RoomStats {
    /// The counters of one participant.
    pub fn participant(&self, name: &str) -> Option<&ParticipantStats> {
        self.participants.iter().find(|p| p.participant == name)
    }
}

/// A whole video frame as a participant sent it (depacketised, still
/// encoded), for checks that look at the media the server relays.
#[derive(Debug, Clone)]
pub struct Frame {
    pub codec: Codec,
    pub keyframe: bool,
    /// The frame's media time (RTP time on the sender's clock).
    pub time: Duration,
    /// When its last packet arrived.
    pub arrived: Instant,
    pub data: Arc<[u8]>,
}

/// The media server: the UDP socket and the thread that drives every peer
/// connection over it. Shared by reference across threads (`Send + Sync`);
/// dropping it closes every connection and stops the thread.
///
/// Every method hands its work to the media thread and waits for the answer,
/// which takes well under a millisecond (a join a few milliseconds more, to
/// make the answer and its DTLS certificate on the caller's thread); from
/// async code, call them from a blocking thread.
pub struct MediaServer {
    commands: Sender<Command>,
    waker: UdpSocket,
    wake_to: SocketAddr,
    local: SocketAddr,
    candidate: SocketAddr,
    crypto: Arc<CryptoProvider>,
    thread: Option<JoinHandle<()>>,
}

impl MediaServer {
    /// Binds the socket and starts the media thread.
    pub fn start(config: Config) -> Result<MediaServer, Error> {
        if config.max_participants < 2 {
            return Err(Error::Config("max_participants must be at least 2".into()));
        }
        let socket = UdpSocket::bind(config.bind).map_err(|source| Error::Bind {
            addr: config.bind,
            source,
        })?;
        // Every call's media arrives on this one socket: a keyframe is
        // dozens of packets, and when many arrive together the kernel's
        // default buffer (208 KiB) overflows and drops what comes next,
        // handshakes included. Ask for more; the kernel caps it at
        // net.core.rmem_max / wmem_max, and a refusal only leaves the
        // default.
        let sock = socket2::SockRef::from(&socket);
        let _ = sock.set_recv_buffer_size(SOCKET_BUFFER);
        let _ = sock.set_send_buffer_size(SOCKET_BUFFER);
        let local = socket.local_addr().map_err(|source| Error::Bind {
            addr: config.bind,
            source,
        })?;
        let candidate_ip = config.public_ip.unwrap_or(local.ip());
        if candidate_ip.is_unspecified() {
            return Err(Error::Config(format!(
                "bind is {}: set public_ip to the address clients should send media to",
                config.bind
            )));
        }
        let candidate = SocketAddr::new(candidate_ip, local.port());
        // Commands wake the media thread with a datagram from this socket,
        // so it can wait on its UDP socket alone.
        let wake_ip = match local.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        let waker = UdpSocket::bind((wake_ip, 0)).map_err(|source| Error::Bind {
            addr: SocketAddr::new(wake_ip, 0),
            source,
        })?;
        let waker_addr = waker.local_addr().map_err(|source| Error::Bind {
            addr: SocketAddr::new(wake_ip, 0),
            source,
        })?;
        let wake_to = SocketAddr::new(wake_ip, local.port());
        let (commands, rx) = mpsc::channel();
        let engine =
            engine::Engine::new(socket, candidate, waker_addr, rx, config.max_participants);
        let thread = std::thread::Builder::new()
            .name("media".into())
            .spawn(move || engine.run())
            .map_err(|source| Error::Bind {
                addr: config.bind,
                source,
            })?;
        Ok(MediaServer {
            commands,
            waker,
            wake_to,
            local,
            candidate,
            crypto: Arc::new(str0m::crypto::from_feature_flags()),
            thread: Some(thread),
        })
    }

    /// The bound UDP address (with the real port when the setting said 0).
    pub fn udp_addr(&self) -> SocketAddr {
        self.local
    }

    /// The address clients are told to send media to.
    pub fn candidate_addr(&self) -> SocketAddr {
        self.candidate
    }

    /// Answers a participant's SDP offer and admits it to the room, which is
    /// opened on its first join. The same participant joining again replaces
    /// its earlier connection (a reconnect). Refused for a room that has
    /// ended or is full, and for an offer that is not a WebRTC offer with
    /// audio or video.
    pub fn join(&self, room: &str, participant: &str, offer_sdp: &str) -> Result<String, Error> {
        check_name("room", room)?;
        check_name("participant", participant)?;
        if offer_sdp.len() > MAX_OFFER {
            return Err(Error::BadOffer(format!(
                "it is longer than {} KiB",
                MAX_OFFER / 1024
            )));
        }
        let offer =
            SdpOffer::from_sdp_string(offer_sdp).map_err(|e| Error::BadOffer(e.to_string()))?;
        // The answer (and the DTLS certificate) are made on the caller's
        // thread, off the media thread; str0m is trusted not to panic, and a
        // panic is still turned into a refusal.
        let candidate = self.candidate;
        let crypto = self.crypto.clone();
        let answered = catch_unwind(AssertUnwindSafe(move || {
            // Opus and VP8 only: every browser sends them, and VP8 is the
            // video the face check can read, so a client cannot slip past
            // it by choosing another codec.
            let mut rtc = Rtc::builder()
                .set_crypto_provider(crypto)
                .clear_codecs()
                .enable_opus(true, false)
                .enable_vp8(true)
                .build(Instant::now());
            let host = Candidate::host(candidate, "udp").map_err(|e| e.to_string())?;
            rtc.add_local_candidate(host);
            let answer = rtc
                .sdp_api()
                .accept_offer(offer)
                .map_err(|e| e.to_string())?;
            Ok::<_, String>((rtc, answer.to_sdp_string()))
        }));
        let (rtc, answer) = match answered {
            Ok(Ok(done)) => done,
            Ok(Err(e)) => return Err(Error::BadOffer(e)),
            Err(_) => return Err(Error::BadOffer("it could not be processed".into())),
        };
        if !offers_media(&answer) {
            return Err(Error::BadOffer(if offers_media(offer_sdp) {
                "its audio and video are in no codec calls use (Opus and VP8)".into()
            } else {
                "it offers no audio or video".into()
            }));
        }
        if offer_sdp.lines().any(|l| l.starts_with("m=video")) && !answer.contains("VP8/90000") {
            return Err(Error::BadOffer(
                "its video is not in VP8, the one video codec calls use".into(),
            ));
        }
        self.ask(|reply| Command::Admit {
            room: room.into(),
            participant: participant.into(),
            rtc: Box::new(rtc),
            reply,
        })??;
        Ok(answer)
    }

    /// Closes one participant's connection (hanging up); the room goes on.
    pub fn leave(&self, room: &str, participant: &str) -> Result<(), Error> {
        self.ask(|reply| Command::Leave {
            room: room.into(),
            participant: participant.into(),
            reply,
        })?
    }

    /// Stops forwarding media in the room, in both directions, until
    /// [`resume`](Self::resume). Connections stay up; what the clients send
    /// is counted as held back and dropped.
    pub fn pause(&self, room: &str) -> Result<(), Error> {
        self.ask(|reply| Command::Pause {
            room: room.into(),
            reply,
        })?
    }

    /// Forwards again after a pause, and asks every sender for a keyframe
    /// so that pictures come back at once.
    pub fn resume(&self, room: &str) -> Result<(), Error> {
        self.ask(|reply| Command::Resume {
            room: room.into(),
            reply,
        })?
    }

    /// Ends the room: closes every connection in it, and refuses any later
    /// join or control. Ending a room never opened refuses it all the same
    /// (a call cancelled before anyone joined).
    pub fn end(&self, room: &str) -> Result<(), Error> {
        self.ask(|reply| Command::End {
            room: room.into(),
            reply,
        })?
    }

    /// Asks a participant for a video keyframe now (a PLI).
    pub fn request_keyframe(&self, room: &str, participant: &str) -> Result<(), Error> {
        self.ask(|reply| Command::Keyframe {
            room: room.into(),
            participant: participant.into(),
            reply,
        })?
    }

    /// The room's state and counters, or `None` for a room never opened.
    pub fn stats(&self, room: &str) -> Option<RoomStats> {
        self.ask(|reply| Command::Stats {
            room: room.into(),
            reply,
        })
        .ok()
        .flatten()
    }

    /// Everything that happens from now on, in order. Each call gives a new
    /// receiver; one that is dropped is forgotten.
    pub fn events(&self) -> Receiver<Event> {
        let (tx, rx) = mpsc::channel();
        self.send(Command::Subscribe(tx));
        rx
    }

    /// The whole video frames a participant sends (all of them, or only the
    /// keyframes), while it is in the room, paused or not; the receiver
    /// ends when the participant leaves or the room ends. Frames are
    /// dropped, never waited for, when the receiver is [`FRAME_BACKLOG`]
    /// frames behind.
    pub fn subscribe_frames(
        &self,
        room: &str,
        participant: &str,
        keyframes_only: bool,
    ) -> Result<Receiver<Frame>, Error> {
        let (tx, rx) = mpsc::sync_channel(FRAME_BACKLOG);
        self.ask(|reply| Command::Frames {
            room: room.into(),
            participant: participant.into(),
            keyframes_only,
            tx,
            reply,
        })??;
        Ok(rx)
    }

    fn send(&self, command: Command) -> bool {
        let sent = self.commands.send(command).is_ok();
        // A lost wake-up only delays the command to the thread's next tick.
        let _ = self.waker.send_to(&[0], self.wake_to);
        sent
    }

    fn ask<T>(&self, command: impl FnOnce(Sender<T>) -> Command) -> Result<T, Error> {
        let (tx, rx) = mpsc::channel();
        if !self.send(command(tx)) {
            return Err(Error::Stopped);
        }
        rx.recv().map_err(|_| Error::Stopped)
    }
}

impl Drop for MediaServer {
    fn drop(&mut self) {
        self.send(Command::Stop);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl std::fmt::Debug for MediaServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaServer")
            .field("udp_addr", &self.local)
            .field("candidate_addr", &self.candidate)
            .finish()
    }
}

fn check_name(what: &'static str, name: &str) -> Result<(), Error> {
    if name.is_empty() || name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
        return Err(Error::BadName(what));
    }
    Ok(())
}

/// Whether an answer accepted at least one audio or video m-line (a
/// rejected one has port 0).
fn offers_media(answer: &str) -> bool {
    answer.lines().any(|l| {
        let mut words = l.split_whitespace();
        matches!(words.next(), Some("m=audio" | "m=video")) && words.next() != Some("0")
    })
}

/// Frame senders to one participant's subscribers.
pub(crate) type FrameTx = SyncSender<Frame>;
