//! The application: every system's routes, migrations and jobs composed
//! on the platform, served until asked to stop.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use lab::pipeline::{Pipeline, Unavailable};
use platform::clock::Clock;
use platform::db::Db;
use platform::ratelimit::SignInLimiter;
use platform::rules::{Route, Routes};
use platform::web::{Navigation, Platform, security_headers, session_layer};
use platform::{Error, Result, accounts, outbox, registry};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use visits::Visits;

use crate::config::Config;

/// The web service, ready to start.
pub struct App;

/// A running service.
pub struct Running {
    addr: SocketAddr,
    db: Db,
    shutdown: watch::Sender<bool>,
    server: JoinHandle<()>,
    jobs: Vec<JoinHandle<()>>,
    generated_admin_password: Option<String>,
    lab: lab::Lab,
    platform: Platform,
    routes: Vec<Route>,
}

impl App {
    /// [`App::start_with_pipeline`] with the lab's analysis as configured
    /// (none until `datalab.reference` names the national records).
    pub async fn start(config: Config) -> Result<Running> {
        let pipeline: Arc<dyn Pipeline> = match &config.datalab.reference {
            Some(dir) => Arc::new(lab::lab_pipeline::LabPipeline::new(
                dir.clone(),
                config
                    .datalab
                    .lab_key
                    .clone()
                    .unwrap_or_else(|| config.data_dir.join("datalab").join("lab.key")),
            )),
            None => Arc::new(Unavailable),
        };
        Self::start_with_pipeline(config, pipeline).await
    }

    /// Connects to the database (creating the data directory and SQLite
    /// file on first run), migrates, seeds the establishments and the first
    /// administrator, binds the listener and starts serving and the
    /// background jobs (outbox, session sweeper, retention, the Data Lab's
    /// sweep), with `pipeline` running the Data Lab's analyses.
    pub async fn start_with_pipeline(
        config: Config,
        pipeline: Arc<dyn Pipeline>,
    ) -> Result<Running> {
        config.check()?;
        if config.database_url.is_none() {
            std::fs::create_dir_all(&config.data_dir).map_err(|e| {
                Error::io(format!("cannot create {}", config.data_dir.display()), e)
            })?;
        }
        let db = open_database(
            &config.database_url(),
            config.db_max_connections,
            config.sqlite_sync,
        )
        .await?;
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|e| Error::io(format!("cannot listen on {}", config.listen), e))?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::io("cannot read the listening address", e))?;
        let clock = Clock::with_offset(config.clock_offset_days * 24 * 3600);
        let platform = Platform::new(
            db.clone(),
            config.platform(addr),
            SignInLimiter::new(config.sign_in_max_failures, config.sign_in_window_minutes),
            clock.clone(),
        );
        platform.set_systems(vec![
            Arc::new(visits::Menu) as Arc<dyn Navigation>,
            Arc::new(calls::Menu::new(&config.calls)),
            Arc::new(incidents::Menu),
            Arc::new(foi::Menu),
            Arc::new(lab::Menu),
        ]);
        platform.set_subject_access(vec![
            Arc::new(visits::subject_access::Part)
                as Arc<dyn platform::subject_access::SubjectAccess>,
            Arc::new(calls::subject_access::Part),
            Arc::new(incidents::subject_access::Part),
            Arc::new(foi::subject_access::Part),
            Arc::new(lab::subject_access::Part),
        ]);
        let calls = calls::Calls::new(platform.clone(), config.calls.clone(), &config.data_dir)?;
        let incidents = incidents::Incidents::new(platform.clone(), config.incidents.clone());
        let foi = foi::Foi::new(platform.clone(), config.foi.clone());
        let media = media::MediaServer::start(config.media.clone())
            .map_err(|e| Error::Config(e.to_string()))?;
        // A node is its host and media port: the same after a restart, and
        // different for every instance on one database.
        let node = config
            .node
            .clone()
            .unwrap_or_else(|| format!("{}:{}", hostname(), media.udp_addr().port()));
        tracing::info!(udp = %media.udp_addr(), candidate = %media.candidate_addr(), node, "media server");
        calls::live::register_node(&db, &node, &media.candidate_addr().to_string()).await?;
        let interrupted = calls::live::after_restart(&db, &node, platform::now()).await?;
        if interrupted > 0 {
            tracing::warn!(interrupted, "live calls were cut off by the restart");
        }
        let media_events = media.events();
        calls.set_relay(Arc::new(MediaRelay(media)), &node);
        let generated_admin_password = accounts::ensure_admin(
            &db,
            &platform.hasher,
            &config.admin.email,
            config.admin.password.as_deref(),
        )
        .await?;
        if let Some(p) = &generated_admin_password {
            tracing::warn!(email = %config.admin.email, password = %p, "created the first national administrator; change this password");
        }
        let lab = lab::Lab::open(&config.data_dir, config.datalab.clone(), pipeline, clock)?;
        let (shutdown, rx) = watch::channel(false);
        let mut jobs = vec![tokio::spawn(outbox::worker(
            db.clone(),
            config.smtp.clone(),
            platform.outbox_wake(),
            rx.clone(),
        ))];
        jobs.extend(platform::jobs::spawn(
            db.clone(),
            scheduled(&platform, &lab, &calls, &incidents, &foi, &config),
            rx.clone(),
        ));
        jobs.push(tokio::spawn(timeline_from_media(db.clone(), media_events)));
        let (service, routes) = router(&platform, &lab, &calls, &incidents, &foi);
        let router = service.layer(DefaultBodyLimit::max(64 * 1024)).layer(
            axum::middleware::from_fn_with_state(
                platform.config.secure_cookies(),
                security_headers,
            ),
        );
        let mut server_rx = rx.clone();
        let server = tokio::spawn(async move {
            let result = axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(async move {
                let _ = server_rx.wait_for(|stop| *stop).await;
            })
            .await;
            if let Err(e) = result {
                tracing::error!(error = %e, "server stopped");
            }
        });
        tracing::info!(%addr, backend = ?db.backend(), "serving");
        Ok(Running {
            addr,
            db,
            shutdown,
            server,
            jobs,
            generated_admin_password,
            lab,
            platform,
            routes,
        })
    }
}

/// Connects to `url`, brings every room's schema up to date and seeds what
/// each needs on first run (the registry, each prison's settings, the
/// incident types): what the service does on start, for the command-line
/// tools that work on its database.
pub async fn open_database(
    url: &str,
    max_connections: u32,
    sync: platform::db::Sync,
) -> Result<Db> {
    let db = Db::connect(
        url,
        max_connections,
        sync,
        &[
            platform::db::MIGRATIONS,
            visits::MIGRATIONS,
            lab::MIGRATIONS,
            calls::MIGRATIONS,
            incidents::MIGRATIONS,
            foi::MIGRATIONS,
        ],
    )
    .await?;
    let seeded = registry::seed(&db).await?;
    if seeded > 0 {
        tracing::info!(seeded, "seeded establishments");
    }
    visits::establishments::seed(&db).await?;
    calls::seed(&db).await?;
    incidents::seed(&db).await?;
    foi::seed(&db).await?;
    Ok(db)
}

impl Running {
    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The database the service uses (tests inspect it).
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// The service's one clock. Tests move it forward to pass deadlines;
    /// no page can.
    pub fn clock(&self) -> &Clock {
        &self.platform.clock
    }

    /// The Data Lab (its vault and settings), for tests and tools.
    pub fn lab(&self) -> &lab::Lab {
        &self.lab
    }

    /// Runs the Data Lab's sweep now (closing reviews, destroying data
    /// that is due), as the timer does.
    pub async fn datalab_sweep(&self) -> Result<lab::Swept> {
        lab::sweep(&self.db, &self.lab).await
    }

    /// Every route the service answers, with who it is for (the fallback's
    /// "page not found" aside).
    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// The first administrator's password, when it was generated at start.
    pub fn generated_admin_password(&self) -> Option<&str> {
        self.generated_admin_password.as_deref()
    }

    /// Stops accepting requests, lets those in flight finish, stops the
    /// background jobs and closes the database.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        let _ = self.server.await;
        for job in self.jobs {
            let _ = job.await;
        }
        self.db.close().await;
    }

    /// Runs until ctrl-c or SIGTERM, then shuts down gracefully.
    pub async fn until_signalled(self) {
        wait_for_signal().await;
        tracing::info!("shutting down");
        self.shutdown().await;
    }
}

async fn wait_for_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}

/// This machine's name, for naming its media server node.
fn hostname() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "lifeline".to_owned())
}

/// The media engine as the calls system's relay.
struct MediaRelay(media::MediaServer);

impl calls::live::Relay for MediaRelay {
    fn join(
        &self,
        room: &str,
        participant: &str,
        offer_sdp: &str,
    ) -> std::result::Result<String, String> {
        self.0
            .join(room, participant, offer_sdp)
            .map_err(|e| e.to_string())
    }
    fn pause(&self, room: &str) -> std::result::Result<(), String> {
        self.0.pause(room).map_err(|e| e.to_string())
    }
    fn resume(&self, room: &str) -> std::result::Result<(), String> {
        self.0.resume(room).map_err(|e| e.to_string())
    }
    fn end(&self, room: &str) -> std::result::Result<(), String> {
        self.0.end(room).map_err(|e| e.to_string())
    }
    fn snapshot(
        &self,
        room: &str,
        participant: &str,
        within: std::time::Duration,
    ) -> std::result::Result<Option<face::RgbImage>, String> {
        let frames = match self.0.subscribe_frames(room, participant, true) {
            Ok(f) => f,
            Err(media::Error::NoSuchParticipant { .. } | media::Error::NoVideo { .. }) => {
                return Ok(None);
            }
            Err(e) => return Err(e.to_string()),
        };
        match self.0.request_keyframe(room, participant) {
            Ok(()) | Err(media::Error::NoVideo { .. }) => {}
            Err(e) => return Err(e.to_string()),
        }
        let deadline = std::time::Instant::now() + within;
        // The first keyframe that decodes: one cut short by loss is
        // skipped, and the subscription ends when `frames` is dropped.
        while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
            let Ok(frame) = frames.recv_timeout(left) else {
                break;
            };
            if frame.codec != media::Codec::Vp8 || !frame.keyframe {
                continue;
            }
            match media::vp8::decode_keyframe(&frame.data) {
                Ok(p) => return Ok(face::RgbImage::from_raw(p.width, p.height, p.rgb)),
                Err(e) => {
                    tracing::debug!(room, error = %e, "a keyframe the face check could not read")
                }
            }
        }
        Ok(None)
    }
}

/// What the media server reports about connections, on each call's
/// timeline. Ends when the media server stops (at shutdown).
async fn timeline_from_media(db: Db, events: std::sync::mpsc::Receiver<media::Event>) {
    let (tx, mut rx) = tokio::sync::mpsc::channel(256);
    // The engine's channel blocks: a thread of its own carries it over.
    std::thread::spawn(move || {
        for e in events {
            if tx.blocking_send(e).is_err() {
                break;
            }
        }
    });
    let side = |p: &str| if p == "caller" { "caller" } else { "prison" }.to_owned();
    while let Some(e) = rx.recv().await {
        // A monitoring terminal's comings and goings are not the call's:
        // its joining is on the staff's timeline already.
        let watcher = match &e {
            media::Event::Connected { participant, .. }
            | media::Event::Joined { participant, .. }
            | media::Event::Left { participant, .. }
            | media::Event::MediaStarted { participant, .. } => participant.starts_with("watch-"),
            _ => false,
        };
        if watcher {
            continue;
        }
        let line = match e {
            media::Event::Connected { room, participant } => Some((
                room,
                "connected",
                format!("The {}'s video connected", side(&participant)),
                true,
            )),
            media::Event::Joined {
                room,
                participant,
                rejoined: true,
            } => Some((
                room,
                "reconnected",
                format!("The {} reconnected", side(&participant)),
                true,
            )),
            media::Event::Left {
                room,
                participant,
                reason,
            } => {
                let what = match reason {
                    media::LeftReason::Closed => "left the call",
                    media::LeftReason::Disconnected => "lost the connection",
                    media::LeftReason::Removed => "was taken off the call",
                    // A reconnect or the end of the call says so itself.
                    media::LeftReason::Replaced | media::LeftReason::Ended => continue,
                    _ => "could not stay connected",
                };
                Some((
                    room,
                    "left",
                    format!("The {} {what}", side(&participant)),
                    true,
                ))
            }
            media::Event::MediaStarted {
                room,
                participant,
                kind,
            } => Some((
                room,
                "media",
                format!("{kind:?} from the {} started", side(&participant)),
                false,
            )),
            _ => None,
        };
        if let Some((room, kind, detail, shared)) = line
            && let Err(err) = calls::live::note(&db, &room, kind, &detail, shared).await
        {
            tracing::warn!(error = %err, "could not write a call's timeline");
        }
    }
}

/// The platform's scheduled work and every system's, for the job runner.
fn scheduled(
    platform: &Platform,
    lab: &lab::Lab,
    calls: &calls::Calls,
    incidents: &incidents::Incidents,
    foi: &foi::Foi,
    config: &Config,
) -> Vec<platform::jobs::Job> {
    use platform::jobs::Job;
    let minutes = |m: u64| Duration::from_secs(m.max(1) * 60);
    // Sweep often enough that an idle session outlives its 20 minutes by
    // at most a few seconds.
    let sessions_every =
        Duration::from_secs((platform.sessions.idle_secs() as u64 / 20).clamp(1, 30));
    let p = platform.clone();
    let sessions = Job::new("platform.sessions", sessions_every, false, move || {
        let p = p.clone();
        async move { p.sessions.sweep().await }
    });
    let p = platform.clone();
    let accounts = Job::new("platform.accounts", minutes(60), true, move || {
        let p = p.clone();
        async move {
            // Accounts nobody confirmed, and throttle counters a day past
            // their window.
            let n = platform::accounts::delete_unconfirmed(&p.db).await?;
            platform::ratelimit::sweep(&p.db, p.clock.now(), 24 * 3600).await?;
            Ok(n)
        }
    });
    let p = platform.clone();
    let events = Job::new("platform.events", minutes(60), true, move || {
        let p = p.clone();
        async move {
            let now = p.clock.now();
            Ok(platform::events::sweep(&p.db, now).await?
                + platform::releases::sweep(&p.db, now).await?)
        }
    });
    let p = platform.clone();
    // Hourly, so that the planner's statistics follow the data's growth.
    let optimize = Job::new("platform.optimize", minutes(60), true, move || {
        let p = p.clone();
        async move {
            p.db.optimize().await?;
            Ok(0)
        }
    });
    let mut jobs = vec![sessions, accounts, events, optimize];
    jobs.extend(visits::jobs(
        platform,
        minutes(config.retention_interval_minutes),
    ));
    jobs.extend(calls::jobs(
        calls,
        minutes(config.retention_interval_minutes),
    ));
    jobs.extend(incidents::jobs(
        incidents,
        minutes(config.retention_interval_minutes),
    ));
    jobs.extend(foi::jobs(foi, minutes(config.retention_interval_minutes)));
    jobs.extend(lab::jobs(&platform.db, lab));
    jobs
}

/// Every page of every system, each on its own state, behind the session
/// layer; the health check and the assets outside it. Routes are only
/// added through [`Routes`], so the table beside the router lists them
/// all, each with its rule.
fn router(
    platform: &Platform,
    lab: &lab::Lab,
    calls: &calls::Calls,
    incidents: &incidents::Incidents,
    foi: &foi::Foi,
) -> (Router, Vec<Route>) {
    let (pages, mut table) = Routes::new()
        .merge(crate::routes::router(platform.clone()))
        .merge(visits::router(Visits::new(platform.clone())))
        .merge(lab::router(platform.clone(), lab.clone()))
        .merge(calls::router(calls.clone()))
        .merge(incidents::router(incidents.clone()))
        .merge(foi::router(foi.clone()))
        .into_parts();
    let pages = pages.layer(axum::middleware::from_fn_with_state(
        platform.clone(),
        session_layer,
    ));
    let (outside, outside_table) = crate::routes::sessionless(platform.clone()).into_parts();
    table.extend(outside_table);
    let router = outside.merge(pages).fallback(crate::routes::not_found);
    (router, table)
}
