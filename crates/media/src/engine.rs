//! The media thread: one loop over one UDP socket that drives every peer
//! connection (a str0m [`Rtc`]) of every room.
//!
//! str0m is sans-IO: an `Rtc` does nothing by itself. The loop waits on the
//! socket until the earliest timeout any `Rtc` asked for (or a command's
//! wake-up datagram), gives the datagram to the `Rtc` that accepts it (ICE
//! credentials or the nominated address), then polls that `Rtc` until it
//! returns its next timeout ("draining": datagrams go out on the socket,
//! events come back). Every change to an `Rtc` (input, a frame written, a
//! keyframe request, closing) is followed by a drain, as str0m requires.
//! Work one peer's events cause on another (a frame to forward, a keyframe
//! to ask for) is queued as a [`Job`] and done after the drain, so no two
//! `Rtc`s are borrowed at once.

use std::collections::{HashMap, VecDeque};
use std::io::ErrorKind;
use std::net::{SocketAddr, UdpSocket};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, TryRecvError, TrySendError};
use std::time::{Duration, Instant};

use str0m::format::{Codec as RtcCodec, CodecExtra};
use str0m::media::{Direction, KeyframeRequestKind, MediaData, MediaKind, Mid};
use str0m::net::{Protocol, Receive};
use str0m::{Event as RtcEvent, IceConnectionState, Input, Output, Rtc};

use crate::{
    Codec, Error, Event, Flows, Frame, FrameTx, Kind, LeftReason, ParticipantStats, RoomState,
    RoomStats,
};

/// The longest the loop sleeps without looking at its commands.
const IDLE: Duration = Duration::from_millis(50);
/// Keyframe requests the server makes on its own (lost packets, a
/// receiver's request) are at most this often per sender.
const PLI_INTERVAL: Duration = Duration::from_millis(500);
/// How long a closed connection is still driven, to send its goodbyes.
const CLOSE_GRACE: Duration = Duration::from_secs(2);
/// Bigger than any datagram WebRTC sends (str0m's MTU is about 1150).
const DATAGRAM: usize = 2048;

pub(crate) enum Command {
    Admit {
        room: String,
        participant: String,
        rtc: Box<Rtc>,
        reply: Sender<Result<(), Error>>,
    },
    Leave {
        room: String,
        participant: String,
        reply: Sender<Result<(), Error>>,
    },
    Pause {
        room: String,
        reply: Sender<Result<(), Error>>,
    },
    Resume {
        room: String,
        reply: Sender<Result<(), Error>>,
    },
    End {
        room: String,
        reply: Sender<Result<(), Error>>,
    },
    Keyframe {
        room: String,
        participant: String,
        reply: Sender<Result<(), Error>>,
    },
    Stats {
        room: String,
        reply: Sender<Option<RoomStats>>,
    },
    Frames {
        room: String,
        participant: String,
        keyframes_only: bool,
        tx: FrameTx,
        reply: Sender<Result<(), Error>>,
    },
    Subscribe(Sender<Event>),
    Stop,
}

fn slot(kind: Kind) -> usize {
    match kind {
        Kind::Audio => 0,
        Kind::Video => 1,
    }
}

fn kind_of(kind: MediaKind) -> Kind {
    match kind {
        MediaKind::Audio => Kind::Audio,
        MediaKind::Video => Kind::Video,
    }
}

fn codec_of(codec: RtcCodec) -> Codec {
    match codec {
        RtcCodec::Opus => Codec::Opus,
        RtcCodec::Vp8 => Codec::Vp8,
        RtcCodec::Vp9 => Codec::Vp9,
        RtcCodec::H264 => Codec::H264,
        RtcCodec::H265 => Codec::H265,
        RtcCodec::Av1 => Codec::Av1,
        _ => Codec::Other,
    }
}

fn is_keyframe(extra: &CodecExtra) -> bool {
    match extra {
        CodecExtra::Vp8(e) => e.is_keyframe,
        CodecExtra::Vp9(e) => e.is_keyframe,
        CodecExtra::H264(e) => e.is_keyframe,
        CodecExtra::H265(e) => e.is_keyframe,
        CodecExtra::Av1(e) => e.is_keyframe,
        _ => false,
    }
}

/// Counters of one connection; merged into the participant's record when
/// the connection goes.
#[derive(Debug, Default, Clone, Copy)]
struct Counters {
    received: Flows,
    held_back: Flows,
    forwarded: Flows,
    keyframes: u64,
}

impl Counters {
    fn merge(&mut self, other: &Counters) {
        self.received.merge(&other.received);
        self.held_back.merge(&other.held_back);
        self.forwarded.merge(&other.forwarded);
        self.keyframes += other.keyframes;
    }
}

/// A participant of a room over all its connections.
struct Record {
    name: Arc<str>,
    joins: u32,
    past: Counters,
}

/// A subscriber to one participant's video frames.
struct Tap {
    participant: Arc<str>,
    tx: FrameTx,
    keyframes_only: bool,
}

struct Room {
    name: Arc<str>,
    state: RoomState,
    /// Live connections, one per participant.
    peers: Vec<Peer>,
    /// Everyone who ever joined, in the order they first did.
    records: Vec<Record>,
    taps: Vec<Tap>,
}

/// One participant's connection.
struct Peer {
    id: u64,
    name: Arc<str>,
    rtc: Rtc,
    connected: bool,
    /// Set when the connection must go; the loop removes it.
    gone: Option<LeftReason>,
    /// The m-line the client sends each kind on.
    source: [Option<Mid>; 2],
    /// The m-lines the client receives each kind on, in order.
    sinks: [Vec<Mid>; 2],
    /// Which other participant each receiving slot carries.
    slots: Vec<Option<Arc<str>>>,
    started: [bool; 2],
    last_pli: Option<Instant>,
    timeout: Instant,
    /// Someone subscribed to its frames.
    tapped: bool,
    counters: Counters,
}

/// A connection being closed, driven until its goodbyes are out.
struct Closing {
    rtc: Rtc,
    until: Instant,
    timeout: Instant,
}

/// Work for after a drain.
enum Job {
    Forward {
        room: Arc<str>,
        from: u64,
        name: Arc<str>,
        kind: Kind,
        data: Box<MediaData>,
    },
    Keyframe {
        room: Arc<str>,
        of: Arc<str>,
    },
    /// A participant turned out to send (its m-lines are known once it is
    /// connected): it takes a slot at everyone else, and they at it.
    Sender {
        room: Arc<str>,
        name: Arc<str>,
    },
}

/// What draining produces besides datagrams.
#[derive(Default)]
struct Out {
    jobs: VecDeque<Job>,
    events: Vec<Event>,
    frames: Vec<(Arc<str>, Arc<str>, Frame)>,
}

impl Peer {
    fn new(id: u64, name: Arc<str>, rtc: Rtc, tapped: bool) -> Peer {
        Peer {
            id,
            name,
            rtc,
            connected: false,
            gone: None,
            source: [None, None],
            sinks: [Vec::new(), Vec::new()],
            slots: Vec::new(),
            started: [false, false],
            last_pli: None,
            timeout: Instant::now(),
            tapped,
            counters: Counters::default(),
        }
    }

    /// Whether the client offered to send audio or video.
    fn sends(&self) -> bool {
        self.source.iter().any(Option::is_some)
    }

    fn fail(&mut self, why: String) {
        tracing::warn!(participant = %self.name, "media connection failed: {why}");
        self.rtc.disconnect();
        self.gone.get_or_insert(LeftReason::Failed(why));
    }

    fn handle(&mut self, input: Input) {
        if !self.rtc.is_alive() {
            return;
        }
        match catch_unwind(AssertUnwindSafe(|| self.rtc.handle_input(input))) {
            Ok(Ok(())) => {}
            Ok(Err(e)) => self.fail(e.to_string()),
            Err(_) => self.fail("the WebRTC stack panicked on its input".into()),
        }
    }

    /// Polls the connection until it has nothing more to say.
    fn drain(&mut self, room: &Arc<str>, open: bool, socket: &UdpSocket, out: &mut Out) {
        loop {
            if !self.rtc.is_alive() {
                return;
            }
            let output = match catch_unwind(AssertUnwindSafe(|| self.rtc.poll_output())) {
                Ok(Ok(output)) => output,
                Ok(Err(e)) => return self.fail(e.to_string()),
                Err(_) => return self.fail("the WebRTC stack panicked".into()),
            };
            match output {
                Output::Timeout(t) => {
                    self.timeout = t;
                    return;
                }
                Output::Transmit(t) => {
                    // A full socket buffer drops the datagram, as a network would.
                    let _ = socket.send_to(&t.contents, t.destination);
                }
                Output::Event(e) => self.on_event(e, room, open, out),
            }
        }
    }

    fn on_event(&mut self, event: RtcEvent, room: &Arc<str>, open: bool, out: &mut Out) {
        match event {
            RtcEvent::Connected => {
                self.connected = true;
                out.events.push(Event::Connected {
                    room: room.to_string(),
                    participant: self.name.to_string(),
                });
            }
            RtcEvent::IceConnectionStateChange(IceConnectionState::Disconnected) => {
                self.rtc.disconnect();
                self.gone.get_or_insert(LeftReason::Disconnected);
            }
            RtcEvent::MediaAdded(m) => {
                let sent = self.sends();
                let k = slot(kind_of(m.kind));
                if matches!(m.direction, Direction::RecvOnly | Direction::SendRecv)
                    && self.source[k].is_none()
                {
                    self.source[k] = Some(m.mid);
                }
                if matches!(m.direction, Direction::SendOnly | Direction::SendRecv) {
                    self.sinks[k].push(m.mid);
                }
                if !sent && self.sends() {
                    out.jobs.push_back(Job::Sender {
                        room: room.clone(),
                        name: self.name.clone(),
                    });
                }
            }
            RtcEvent::MediaData(data) => self.on_media(data, room, open, out),
            RtcEvent::KeyframeRequest(req) => {
                // A receiver lost pictures: ask whoever its slot carries.
                let Some(i) = self.sinks[slot(Kind::Video)]
                    .iter()
                    .position(|m| *m == req.mid)
                else {
                    return;
                };
                if let Some(Some(of)) = self.slots.get(i) {
                    out.jobs.push_back(Job::Keyframe {
                        room: room.clone(),
                        of: of.clone(),
                    });
                }
            }
            RtcEvent::Closed => {
                self.gone.get_or_insert(LeftReason::Closed);
            }
            _ => {}
        }
    }

    fn on_media(&mut self, data: MediaData, room: &Arc<str>, open: bool, out: &mut Out) {
        let kind = if self.source[0] == Some(data.mid) {
            Kind::Audio
        } else if self.source[1] == Some(data.mid) {
            Kind::Video
        } else {
            return;
        };
        if data.rid.is_some() {
            // Simulcast layers: the pages send one layer.
            return;
        }
        let bytes = data.data.len();
        self.counters.received.add(kind, bytes);
        if !std::mem::replace(&mut self.started[slot(kind)], true) {
            out.events.push(Event::MediaStarted {
                room: room.to_string(),
                participant: self.name.to_string(),
                kind,
            });
        }
        if kind == Kind::Video {
            let keyframe = is_keyframe(&data.codec_extra);
            if keyframe {
                self.counters.keyframes += 1;
                out.events.push(Event::KeyframeFrom {
                    room: room.to_string(),
                    participant: self.name.to_string(),
                });
            }
            if !data.contiguous {
                // Frames were lost on the way in: the receivers need a fresh picture.
                self.request_keyframe(false);
            }
            if self.tapped {
                out.frames.push((
                    room.clone(),
                    self.name.clone(),
                    Frame {
                        codec: codec_of(data.params.spec().codec),
                        keyframe,
                        time: Duration::from_micros(data.time.rebase(MICROS).numer()),
                        arrived: data.network_time,
                        data: data.data.clone(),
                    },
                ));
            }
        }
        if open {
            out.jobs.push_back(Job::Forward {
                room: room.clone(),
                from: self.id,
                name: self.name.clone(),
                kind,
                data: Box::new(data),
            });
        } else {
            self.counters.held_back.add(kind, bytes);
        }
    }

    /// Asks the client for a video keyframe; `force` skips the throttle.
    fn request_keyframe(&mut self, force: bool) -> bool {
        let Some(mid) = self.source[slot(Kind::Video)] else {
            return false;
        };
        let now = Instant::now();
        if !force && self.last_pli.is_some_and(|t| now < t + PLI_INTERVAL) {
            return true;
        }
        let Some(mut writer) = self.rtc.writer(mid) else {
            return false;
        };
        let kind = if writer.is_request_keyframe_possible(KeyframeRequestKind::Pli) {
            KeyframeRequestKind::Pli
        } else if writer.is_request_keyframe_possible(KeyframeRequestKind::Fir) {
            KeyframeRequestKind::Fir
        } else {
            return false;
        };
        let asked = writer.request_keyframe(None, kind).is_ok();
        if asked {
            self.last_pli = Some(now);
        }
        asked
    }

    /// Writes a frame another participant sent into the slot that carries
    /// them; false when this connection has no such slot.
    fn forward(&mut self, name: &str, kind: Kind, data: &MediaData) -> bool {
        let Some(i) = self.slots.iter().position(|s| s.as_deref() == Some(name)) else {
            return false;
        };
        let Some(&mid) = self.sinks[slot(kind)].get(i) else {
            return false;
        };
        let written = catch_unwind(AssertUnwindSafe(|| {
            let writer = self.rtc.writer(mid)?;
            let pt = writer.match_params(data.params)?;
            Some(writer.write(pt, data.network_time, data.time, data.data.clone()))
        }));
        match written {
            Ok(Some(Ok(()))) => {
                self.counters.forwarded.add(kind, data.data.len());
                true
            }
            // No codec in common for this kind, or not sending yet.
            Ok(None) | Ok(Some(Err(_))) => true,
            Err(_) => {
                self.fail("the WebRTC stack panicked writing media".into());
                true
            }
        }
    }
}

const MICROS: str0m::media::Frequency = str0m::media::Frequency::MICROS;

impl Room {
    fn new(name: Arc<str>) -> Room {
        Room {
            name,
            state: RoomState::Open,
            peers: Vec::new(),
            records: Vec::new(),
            taps: Vec::new(),
        }
    }

    /// The names of the participants in the room, and `newcomer`.
    fn present(&self, newcomer: &Arc<str>) -> Vec<Arc<str>> {
        let mut names: Vec<Arc<str>> = self.peers.iter().map(|p| p.name.clone()).collect();
        if !names.contains(newcomer) {
            names.push(newcomer.clone());
        }
        names
    }

    fn record(&mut self, name: &str) -> &mut Record {
        let i = match self.records.iter().position(|r| &*r.name == name) {
            Some(i) => i,
            None => {
                self.records.push(Record {
                    name: Arc::from(name),
                    joins: 0,
                    past: Counters::default(),
                });
                self.records.len() - 1
            }
        };
        &mut self.records[i]
    }

    /// Takes a connection out of the room: closes it (sending its goodbyes),
    /// keeps its counters and says it left.
    fn remove(
        &mut self,
        i: usize,
        reason: LeftReason,
        socket: &UdpSocket,
        out: &mut Out,
        closing: &mut Vec<Closing>,
    ) {
        let mut peer = self.peers.remove(i);
        if peer.rtc.is_alive() {
            if reason != LeftReason::Closed
                && let Err(e) = peer.rtc.close()
            {
                tracing::debug!("closing a media connection: {e}");
                peer.rtc.disconnect();
            }
            peer.drain(&self.name, false, socket, out);
        }
        self.record(&peer.name).past.merge(&peer.counters);
        out.events.push(Event::Left {
            room: self.name.to_string(),
            participant: peer.name.to_string(),
            reason,
        });
        if peer.rtc.is_alive() {
            closing.push(Closing {
                rtc: peer.rtc,
                until: Instant::now() + CLOSE_GRACE,
                timeout: peer.timeout,
            });
        }
    }

    fn stats(&self) -> RoomStats {
        RoomStats {
            room: self.name.to_string(),
            state: self.state,
            participants: self
                .records
                .iter()
                .map(|r| {
                    let live = self.peers.iter().find(|p| p.name == r.name);
                    let mut c = r.past;
                    if let Some(p) = live {
                        c.merge(&p.counters);
                    }
                    ParticipantStats {
                        participant: r.name.to_string(),
                        present: live.is_some(),
                        connected: live.is_some_and(|p| p.connected),
                        joins: r.joins,
                        received: c.received,
                        held_back: c.held_back,
                        forwarded: c.forwarded,
                        keyframes: c.keyframes,
                    }
                })
                .collect(),
        }
    }
}

/// Puts `name` in a free receiving slot: its own again after a reconnect,
/// else the first empty one or one whose participant has left.
fn assign_slot(slots: &mut Vec<Option<Arc<str>>>, name: &Arc<str>, present: &[Arc<str>]) {
    if slots.iter().any(|s| s.as_ref() == Some(name)) {
        return;
    }
    match slots
        .iter_mut()
        .find(|s| s.as_ref().is_none_or(|n| !present.contains(n)))
    {
        Some(s) => *s = Some(name.clone()),
        None => slots.push(Some(name.clone())),
    }
}

pub(crate) struct Engine {
    socket: UdpSocket,
    candidate: SocketAddr,
    waker: SocketAddr,
    commands: Receiver<Command>,
    max_participants: usize,
    rooms: HashMap<Arc<str>, Room>,
    closing: Vec<Closing>,
    subscribers: Vec<Sender<Event>>,
    out: Out,
    next_id: u64,
}

impl Engine {
    pub(crate) fn new(
        socket: UdpSocket,
        candidate: SocketAddr,
        waker: SocketAddr,
        commands: Receiver<Command>,
        max_participants: usize,
    ) -> Engine {
        Engine {
            socket,
            candidate,
            waker,
            commands,
            max_participants,
            rooms: HashMap::new(),
            closing: Vec::new(),
            subscribers: Vec::new(),
            out: Out::default(),
            next_id: 0,
        }
    }

    pub(crate) fn run(mut self) {
        let mut buf = vec![0u8; DATAGRAM];
        loop {
            loop {
                match self.commands.try_recv() {
                    Ok(Command::Stop) | Err(TryRecvError::Disconnected) => {
                        return self.stop();
                    }
                    Ok(command) => self.command(command),
                    Err(TryRecvError::Empty) => break,
                }
                self.settle();
            }

            let now = Instant::now();
            let wait = self
                .next_timeout()
                .min(now + IDLE)
                .saturating_duration_since(now)
                .max(Duration::from_millis(1));
            if let Err(e) = self.socket.set_read_timeout(Some(wait)) {
                tracing::error!("media socket: {e}");
                std::thread::sleep(wait);
            }
            match self.socket.recv_from(&mut buf) {
                Ok((n, source)) if source != self.waker => self.receive(&buf[..n], source),
                Ok(_) => {}
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => {
                    // ICMP errors for an earlier send, and the like: not fatal.
                    tracing::debug!("media socket: {e}");
                }
            }
            self.timeouts();
            self.settle();
        }
    }

    fn next_timeout(&self) -> Instant {
        let peers = self
            .rooms
            .values()
            .flat_map(|r| &r.peers)
            .map(|p| p.timeout);
        let closing = self.closing.iter().map(|c| c.timeout.min(c.until));
        peers
            .chain(closing)
            .min()
            .unwrap_or_else(|| Instant::now() + IDLE)
    }

    /// Gives a datagram to the connection it belongs to.
    fn receive(&mut self, datagram: &[u8], source: SocketAddr) {
        let Ok(contents) = datagram.try_into() else {
            return; // Not STUN, DTLS, RTP or RTCP.
        };
        let input = Input::Receive(
            Instant::now(),
            Receive {
                proto: Protocol::Udp,
                source,
                destination: self.candidate,
                contents,
            },
        );
        for room in self.rooms.values_mut() {
            let open = room.state == RoomState::Open;
            if let Some(peer) = room
                .peers
                .iter_mut()
                .find(|p| p.rtc.is_alive() && p.rtc.accepts(&input))
            {
                peer.handle(input);
                peer.drain(&room.name, open, &self.socket, &mut self.out);
                return;
            }
        }
        if let Some(c) = self
            .closing
            .iter_mut()
            .find(|c| c.rtc.is_alive() && c.rtc.accepts(&input))
        {
            if !matches!(
                catch_unwind(AssertUnwindSafe(|| c.rtc.handle_input(input))),
                Ok(Ok(()))
            ) {
                c.rtc.disconnect();
            }
            drain_closing(c, &self.socket);
        }
    }

    /// Drives every connection whose timeout has come.
    fn timeouts(&mut self) {
        let now = Instant::now();
        for room in self.rooms.values_mut() {
            let open = room.state == RoomState::Open;
            for peer in room.peers.iter_mut().filter(|p| p.timeout <= now) {
                peer.handle(Input::Timeout(now));
                peer.drain(&room.name, open, &self.socket, &mut self.out);
            }
        }
        for c in self.closing.iter_mut().filter(|c| c.timeout <= now) {
            if c.rtc.handle_input(Input::Timeout(now)).is_err() {
                c.rtc.disconnect();
            }
            drain_closing(c, &self.socket);
        }
        self.closing.retain(|c| c.rtc.is_alive() && now < c.until);
    }

    /// Does the queued work, removes connections that went, and hands out
    /// events and frames.
    fn settle(&mut self) {
        while let Some(job) = self.out.jobs.pop_front() {
            match job {
                Job::Forward {
                    room,
                    from,
                    name,
                    kind,
                    data,
                } => {
                    let Some(room) = self.rooms.get_mut(&room) else {
                        continue;
                    };
                    if room.state != RoomState::Open {
                        continue;
                    }
                    for peer in room.peers.iter_mut() {
                        if peer.id == from || !peer.connected || peer.gone.is_some() {
                            continue;
                        }
                        if peer.forward(&name, kind, &data) {
                            peer.drain(&room.name, true, &self.socket, &mut self.out);
                        }
                    }
                }
                Job::Sender { room, name } => {
                    let Some(room) = self.rooms.get_mut(&room) else {
                        continue;
                    };
                    let present = room.present(&name);
                    let senders: Vec<Arc<str>> = room
                        .records
                        .iter()
                        .filter(|o| room.peers.iter().any(|p| p.name == o.name && p.sends()))
                        .map(|o| o.name.clone())
                        .collect();
                    for peer in room.peers.iter_mut() {
                        if peer.name == name {
                            for other in senders.iter().filter(|o| **o != name) {
                                assign_slot(&mut peer.slots, other, &present);
                            }
                        } else {
                            assign_slot(&mut peer.slots, &name, &present);
                        }
                    }
                }
                Job::Keyframe { room, of } => {
                    let Some(room) = self.rooms.get_mut(&room) else {
                        continue;
                    };
                    let open = room.state == RoomState::Open;
                    if let Some(peer) = room.peers.iter_mut().find(|p| p.name == of)
                        && peer.request_keyframe(false)
                    {
                        peer.drain(&room.name, open, &self.socket, &mut self.out);
                    }
                }
            }
        }

        for room in self.rooms.values_mut() {
            while let Some(i) = room
                .peers
                .iter()
                .position(|p| p.gone.is_some() || !p.rtc.is_alive())
            {
                let reason = room.peers[i].gone.take().unwrap_or(LeftReason::Closed);
                room.remove(i, reason, &self.socket, &mut self.out, &mut self.closing);
            }
        }

        for event in self.out.events.drain(..) {
            self.subscribers.retain(|s| s.send(event.clone()).is_ok());
        }

        for (room, participant, frame) in self.out.frames.drain(..) {
            let Some(room) = self.rooms.get_mut(&room) else {
                continue;
            };
            room.taps.retain(|t| {
                if t.participant != participant || (t.keyframes_only && !frame.keyframe) {
                    return true;
                }
                !matches!(
                    t.tx.try_send(frame.clone()),
                    Err(TrySendError::Disconnected(_))
                )
            });
            if !room.taps.iter().any(|t| t.participant == participant) {
                for p in room.peers.iter_mut().filter(|p| p.name == participant) {
                    p.tapped = false;
                }
            }
        }
    }

    fn command(&mut self, command: Command) {
        match command {
            Command::Admit {
                room,
                participant,
                rtc,
                reply,
            } => {
                let _ = reply.send(self.admit(&room, &participant, *rtc));
            }
            Command::Leave {
                room,
                participant,
                reply,
            } => {
                let _ = reply.send(self.leave(&room, &participant));
            }
            Command::Pause { room, reply } => {
                let _ = reply.send(self.set_paused(&room, true));
            }
            Command::Resume { room, reply } => {
                let _ = reply.send(self.set_paused(&room, false));
            }
            Command::End { room, reply } => {
                self.end(&room);
                let _ = reply.send(Ok(()));
            }
            Command::Keyframe {
                room,
                participant,
                reply,
            } => {
                let _ = reply.send(self.keyframe(&room, &participant));
            }
            Command::Stats { room, reply } => {
                let _ = reply.send(self.rooms.get(room.as_str()).map(Room::stats));
            }
            Command::Frames {
                room,
                participant,
                keyframes_only,
                tx,
                reply,
            } => {
                let _ = reply.send(self.tap(&room, &participant, keyframes_only, tx));
            }
            Command::Subscribe(tx) => self.subscribers.push(tx),
            Command::Stop => {}
        }
    }

    fn admit(&mut self, room: &str, participant: &str, rtc: Rtc) -> Result<(), Error> {
        let max = self.max_participants;
        let r = self
            .rooms
            .entry(Arc::from(room))
            .or_insert_with_key(|name| Room::new(name.clone()));
        if r.state == RoomState::Ended {
            return Err(Error::RoomEnded(room.into()));
        }
        let existing = r.peers.iter().position(|p| &*p.name == participant);
        if existing.is_none() && r.peers.len() >= max {
            return Err(Error::RoomFull {
                room: room.into(),
                max,
            });
        }
        if let Some(i) = existing {
            r.remove(
                i,
                LeftReason::Replaced,
                &self.socket,
                &mut self.out,
                &mut self.closing,
            );
        }
        let record = r.record(participant);
        record.joins += 1;
        let name = record.name.clone();

        self.next_id += 1;
        let tapped = r.taps.iter().any(|t| t.participant == name);
        let mut peer = Peer::new(self.next_id, name.clone(), rtc, tapped);
        // The newcomer receives those known to send; it takes a slot at the
        // others once it is connected and known to send (Job::Sender).
        let present = r.present(&name);
        for other in &r.records {
            if r.peers.iter().any(|p| p.name == other.name && p.sends()) {
                assign_slot(&mut peer.slots, &other.name, &present);
            }
        }
        peer.drain(
            &r.name,
            r.state == RoomState::Open,
            &self.socket,
            &mut self.out,
        );
        r.peers.push(peer);
        self.out.events.push(Event::Joined {
            room: room.into(),
            participant: participant.into(),
            rejoined: existing.is_some(),
        });
        Ok(())
    }

    fn leave(&mut self, room: &str, participant: &str) -> Result<(), Error> {
        let r = live(&mut self.rooms, room)?;
        let Some(i) = r.peers.iter().position(|p| &*p.name == participant) else {
            return Err(Error::NoSuchParticipant {
                room: room.into(),
                participant: participant.into(),
            });
        };
        r.remove(
            i,
            LeftReason::Removed,
            &self.socket,
            &mut self.out,
            &mut self.closing,
        );
        Ok(())
    }

    fn set_paused(&mut self, room: &str, paused: bool) -> Result<(), Error> {
        let r = live(&mut self.rooms, room)?;
        let wanted = if paused {
            RoomState::Paused
        } else {
            RoomState::Open
        };
        if r.state == wanted {
            return Ok(());
        }
        r.state = wanted;
        let name = r.name.to_string();
        if paused {
            self.out.events.push(Event::Paused { room: name });
            return Ok(());
        }
        for peer in r.peers.iter_mut() {
            if peer.request_keyframe(true) {
                peer.drain(&r.name, true, &self.socket, &mut self.out);
            }
        }
        self.out.events.push(Event::Resumed { room: name });
        Ok(())
    }

    fn end(&mut self, room: &str) {
        let r = self
            .rooms
            .entry(Arc::from(room))
            .or_insert_with_key(|name| Room::new(name.clone()));
        if r.state == RoomState::Ended {
            return;
        }
        r.state = RoomState::Ended;
        while !r.peers.is_empty() {
            r.remove(
                0,
                LeftReason::Ended,
                &self.socket,
                &mut self.out,
                &mut self.closing,
            );
        }
        r.taps.clear();
        self.out.events.push(Event::Ended { room: room.into() });
    }

    fn keyframe(&mut self, room: &str, participant: &str) -> Result<(), Error> {
        let r = live(&mut self.rooms, room)?;
        let open = r.state == RoomState::Open;
        let Some(peer) = r.peers.iter_mut().find(|p| &*p.name == participant) else {
            return Err(Error::NoSuchParticipant {
                room: room.into(),
                participant: participant.into(),
            });
        };
        let asked = peer.request_keyframe(true);
        peer.drain(&r.name, open, &self.socket, &mut self.out);
        if asked {
            Ok(())
        } else {
            Err(Error::NoVideo {
                room: room.into(),
                participant: participant.into(),
            })
        }
    }

    fn tap(
        &mut self,
        room: &str,
        participant: &str,
        keyframes_only: bool,
        tx: FrameTx,
    ) -> Result<(), Error> {
        let r = live(&mut self.rooms, room)?;
        let name: Arc<str> = r
            .records
            .iter()
            .find(|o| &*o.name == participant)
            .map(|o| o.name.clone())
            .unwrap_or_else(|| Arc::from(participant));
        for p in r.peers.iter_mut().filter(|p| p.name == name) {
            p.tapped = true;
        }
        r.taps.push(Tap {
            participant: name,
            tx,
            keyframes_only,
        });
        Ok(())
    }

    /// Closes every connection, sending each its goodbyes, and returns.
    fn stop(mut self) {
        for room in self.rooms.values_mut() {
            while !room.peers.is_empty() {
                room.remove(
                    0,
                    LeftReason::Ended,
                    &self.socket,
                    &mut self.out,
                    &mut self.closing,
                );
            }
        }
        for event in self.out.events.drain(..) {
            self.subscribers.retain(|s| s.send(event.clone()).is_ok());
        }
    }
}

/// The room, if it is open or paused.
fn live<'a>(rooms: &'a mut HashMap<Arc<str>, Room>, room: &str) -> Result<&'a mut Room, Error> {
    match rooms.get_mut(room) {
        None => Err(Error::NoSuchRoom(room.into())),
        Some(r) if r.state == RoomState::Ended => Err(Error::RoomEnded(room.into())),
        Some(r) => Ok(r),
    }
}

fn drain_closing(c: &mut Closing, socket: &UdpSocket) {
    loop {
        if !c.rtc.is_alive() {
            return;
        }
        match c.rtc.poll_output() {
            Ok(Output::Timeout(t)) => {
                c.timeout = t;
                return;
            }
            Ok(Output::Transmit(t)) => {
                let _ = socket.send_to(&t.contents, t.destination);
            }
            Ok(Output::Event(_)) => {}
            Err(_) => {
                c.rtc.disconnect();
                return;
            }
        }
    }
}
