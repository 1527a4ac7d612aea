//! The application: state shared by handlers, the session layer, form
//! extraction with its CSRF check, error pages, and the server with its
//! background jobs.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::accounts::Hasher;
use crate::clock::Clock;
use crate::config::Config;
use crate::datalab::pipeline::{Pipeline, Unavailable};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::forms::{Errors, Fields};
use crate::pages::{self, Ctx};
use crate::ratelimit::SignInLimiter;
use crate::sessions::{COOKIE, SessionData, SessionStore, SessionUser};
use crate::{accounts, datalab, establishments, outbox, retention};

/// State every handler shares.
#[derive(Clone)]
pub(crate) struct AppState(pub Arc<Inner>);

pub(crate) struct Inner {
    pub db: Db,
    pub config: Config,
    pub sessions: SessionStore,
    pub limiter: SignInLimiter,
    pub hasher: Hasher,
    pub outbox_wake: Arc<Notify>,
    /// The establishments, read once: every booking page needs the list,
    /// and it changes only through the settings page.
    pub establishments: tokio::sync::RwLock<Option<Arc<Vec<establishments::Establishment>>>>,
    /// The Justice Data Lab: sealed storage, the analysis, the clock.
    pub lab: datalab::Lab,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// The enabled establishments, from memory after the first read.
    pub async fn establishments(&self) -> Result<Arc<Vec<establishments::Establishment>>> {
        if let Some(list) = self.0.establishments.read().await.as_ref() {
            return Ok(list.clone());
        }
        let list = Arc::new(establishments::list(&self.db).await?);
        *self.0.establishments.write().await = Some(list.clone());
        Ok(list)
    }

    /// Forgets the cached establishments after a change.
    pub async fn establishments_changed(&self) {
        *self.0.establishments.write().await = None;
    }

    /// Wakes the outbox worker after a message was stored.
    pub fn mail_waiting(&self) {
        self.outbox_wake.notify_one();
    }
}

struct HandleState {
    key: String,
    data: SessionData,
    dirty: bool,
    rotate: bool,
    destroy: bool,
}

/// The request's session, as handlers see it. Changes are written back
/// after the handler returns.
#[derive(Clone)]
pub(crate) struct Sess(Arc<Mutex<HandleState>>);

impl Sess {
    fn lock(&self) -> std::sync::MutexGuard<'_, HandleState> {
        self.0.lock().expect("session handle poisoned")
    }

    pub fn data(&self) -> SessionData {
        self.lock().data.clone()
    }

    pub fn user(&self) -> Option<SessionUser> {
        self.lock().data.user.clone()
    }

    pub fn csrf(&self) -> String {
        self.lock().data.csrf.clone()
    }

    /// Changes the session's data.
    pub fn update<R>(&self, f: impl FnOnce(&mut SessionData) -> R) -> R {
        let mut s = self.lock();
        s.dirty = true;
        f(&mut s.data)
    }

    /// Takes the one-off notice for this page.
    pub fn take_notice(&self) -> Option<String> {
        let mut s = self.lock();
        let n = s.data.notice.take();
        if n.is_some() {
            s.dirty = true;
        }
        n
    }

    /// Signs in: a new session token, so that a token planted before sign-in
    /// is useless after it.
    pub fn sign_in(&self, user: SessionUser) {
        let mut s = self.lock();
        s.data.user = Some(user);
        s.data.draft = None;
        s.rotate = true;
        s.dirty = true;
    }

    pub fn destroy(&self) {
        self.lock().destroy = true;
    }

    /// The page context for templates.
    pub fn ctx(&self, dev: bool) -> OwnedCtx {
        let notice = self.take_notice();
        let s = self.lock();
        OwnedCtx {
            user: s.data.user.clone(),
            csrf: s.data.csrf.clone(),
            notice,
            dev,
        }
    }
}

/// An owned page context (a [`Ctx`] borrows from it).
pub(crate) struct OwnedCtx {
    pub user: Option<SessionUser>,
    pub csrf: String,
    pub notice: Option<String>,
    pub dev: bool,
}

impl OwnedCtx {
    pub fn ctx(&self) -> Ctx<'_> {
        Ctx {
            user: self.user.as_ref(),
            csrf: &self.csrf,
            notice: self.notice.clone(),
            dev: self.dev,
        }
    }

    /// Renders a page in the layout.
    pub fn page(&self, title: &str, errors: &Errors, content: maud::Markup) -> Response {
        Html(pages::layout(&self.ctx(), title, errors, content).into_string()).into_response()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Sess {
    type Rejection = StatusCode;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, StatusCode> {
        parts
            .extensions
            .get::<Sess>()
            .cloned()
            .ok_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

fn cookie_value(req: &Request) -> Option<String> {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_owned())
}

fn set_cookie(resp: &mut Response, token: &str, secure: bool, expire: bool) {
    let mut c = format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax");
    if secure {
        c.push_str("; Secure");
    }
    if expire {
        c.push_str("; Max-Age=0");
    }
    if let Ok(v) = HeaderValue::from_str(&c) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// Loads or starts the session around every page request, and writes back
/// what the handler changed.
pub(crate) async fn session_layer(
    State(st): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let loaded = match cookie_value(&req) {
        Some(token) => match st.sessions.load(&token).await {
            Ok(found) => found,
            Err(e) => return AppError(e).into_response(),
        },
        None => None,
    };
    let (key, data, new_token) = match loaded {
        Some((key, data)) => (key, data, None),
        None => match st.sessions.create(None).await {
            Ok((token, key, data)) => (key, data, Some(token)),
            Err(e) => return AppError(e).into_response(),
        },
    };
    let handle = Sess(Arc::new(Mutex::new(HandleState {
        key,
        data,
        dirty: false,
        rotate: false,
        destroy: false,
    })));
    req.extensions_mut().insert(handle.clone());
    let mut resp = next.run(req).await;
    let (key, data, dirty, rotate, destroy) = {
        let s = handle.lock();
        (s.key.clone(), s.data.clone(), s.dirty, s.rotate, s.destroy)
    };
    let secure = st.config.secure_cookies();
    let outcome: Result<()> = async {
        if destroy {
            st.sessions.delete(&key).await?;
            set_cookie(&mut resp, "", secure, true);
        } else if rotate {
            st.sessions.delete(&key).await?;
            let (token, _, _) = st.sessions.create(Some(data)).await?;
            set_cookie(&mut resp, &token, secure, false);
        } else {
            if dirty {
                st.sessions.save(&key, &data).await?;
            }
            if let Some(token) = new_token {
                set_cookie(&mut resp, &token, secure, false);
            }
        }
        Ok(())
    }
    .await;
    if let Err(e) = outcome {
        return AppError(e).into_response();
    }
    resp
}

/// Security headers on every response.
pub(crate) async fn security_headers(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    // A handler may set a stricter policy of its own (the Data Lab's
    // self-contained reports do).
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self'; \
                 form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            ),
        );
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // Verification links carry a secret in the address: never pass it on.
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

/// A submitted form whose CSRF token matched the session's.
pub(crate) struct FormIn(pub Fields);

impl FromRequest<AppState> for FormIn {
    type Rejection = Response;
    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let sess = req.extensions().get::<Sess>().cloned();
        let axum::Form(pairs): axum::Form<Vec<(String, String)>> =
            axum::Form::from_request(req, state).await.map_err(|_| {
                error_page(
                    StatusCode::BAD_REQUEST,
                    "Sorry, that form could not be read",
                    "Go back and try again.",
                )
            })?;
        let fields: Fields = pairs.into_iter().collect();
        let expected = sess.map(|s| s.csrf()).unwrap_or_default();
        let given = fields.get("csrf").map(String::as_str).unwrap_or("");
        if expected.is_empty() || !crate::constant_time_eq(&expected, given) {
            return Err(error_page(
                StatusCode::FORBIDDEN,
                "Sorry, that form has expired",
                "For your security, forms stop working when you have been inactive for 20 minutes or have signed in or out since. Go back, reload the page and try again.",
            ));
        }
        Ok(FormIn(fields))
    }
}

/// A failure that ends the request with an error page.
pub(crate) struct AppError(pub Error);

impl From<Error> for AppError {
    fn from(e: Error) -> Self {
        AppError(e)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self.0 {
            Error::NotFound => error_page(
                StatusCode::NOT_FOUND,
                "Page not found",
                "If you typed the web address, check it is correct.",
            ),
            Error::Forbidden => error_page(
                StatusCode::FORBIDDEN,
                "You cannot see this page",
                "Your account does not give access to it.",
            ),
            e => {
                tracing::error!(error = %e, "request failed");
                error_page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Sorry, there is a problem with the service",
                    "Try again later. Nothing you entered has been lost if you go back.",
                )
            }
        }
    }
}

/// A plain error page (no session needed).
pub(crate) fn error_page(status: StatusCode, title: &str, body: &str) -> Response {
    let ctx = Ctx {
        user: None,
        csrf: "",
        notice: None,
        dev: false,
    };
    let content = html! {
        div class="govuk-grid-row" { div class="govuk-grid-column-two-thirds" {
            h1 class="govuk-heading-l" { (title) }
            p class="govuk-body" { (body) }
            p class="govuk-body" { a class="govuk-link" href="/" { "Go to the start page" } }
        } }
    };
    (
        status,
        Html(pages::layout(&ctx, title, &Errors::default(), content).into_string()),
    )
        .into_response()
}

/// Handler result.
pub(crate) type Page = std::result::Result<Response, AppError>;

/// Redirect after a POST.
pub(crate) fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

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
    lab: datalab::Lab,
}

impl App {
    /// [`App::start_with_pipeline`] with the lab's analysis as configured
    /// (none until `datalab.reference` names the national records).
    pub async fn start(config: Config) -> Result<Running> {
        let pipeline: Arc<dyn Pipeline> = match &config.datalab.reference {
            Some(dir) => Arc::new(datalab::lab_pipeline::LabPipeline::new(
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
        let db = Db::connect(&config.database_url(), config.db_max_connections).await?;
        let seeded = establishments::seed(&db).await?;
        if seeded > 0 {
            tracing::info!(seeded, "seeded establishments");
        }
        let hasher = Hasher::new(config.argon2_memory_kib);
        let generated_admin_password = accounts::ensure_admin(
            &db,
            &hasher,
            &config.admin.email,
            config.admin.password.as_deref(),
        )
        .await?;
        if let Some(p) = &generated_admin_password {
            tracing::warn!(email = %config.admin.email, password = %p, "created the first national administrator; change this password");
        }
        let lab = datalab::Lab::open(
            &config.data_dir,
            config.datalab.clone(),
            pipeline,
            Clock::with_offset(config.datalab.clock_offset_days * 24 * 3600),
        )?;
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|e| Error::io(format!("cannot listen on {}", config.listen), e))?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::io("cannot read the listening address", e))?;
        let state = AppState(Arc::new(Inner {
            sessions: SessionStore::new(db.clone(), config.session_idle_seconds),
            limiter: SignInLimiter::new(config.sign_in_max_failures, config.sign_in_window_minutes),
            hasher,
            outbox_wake: Arc::new(Notify::new()),
            establishments: tokio::sync::RwLock::new(None),
            db: db.clone(),
            lab: lab.clone(),
            config,
        }));
        let (shutdown, rx) = watch::channel(false);
        let jobs = vec![
            tokio::spawn(outbox::worker(
                db.clone(),
                state.config.smtp.clone(),
                state.outbox_wake.clone(),
                rx.clone(),
            )),
            tokio::spawn(sweep_sessions(state.clone(), rx.clone())),
            tokio::spawn(run_retention(
                db.clone(),
                Duration::from_secs(state.config.retention_interval_minutes.max(1) * 60),
                rx.clone(),
            )),
            tokio::spawn(run_datalab_sweep(
                db.clone(),
                lab.clone(),
                Duration::from_secs(state.config.datalab.sweep_interval_minutes.max(1) * 60),
                rx.clone(),
            )),
        ];
        let router = crate::routes::router(state.clone())
            .layer(DefaultBodyLimit::max(64 * 1024))
            .layer(axum::middleware::from_fn(security_headers));
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
        })
    }
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

    /// The Data Lab's clock. Tests move it forward to pass deadlines; no
    /// page can.
    pub fn clock(&self) -> &Clock {
        &self.lab.clock
    }

    /// The Data Lab (its vault and settings), for tests and tools.
    pub fn lab(&self) -> &datalab::Lab {
        &self.lab
    }

    /// Runs the Data Lab's sweep now (closing reviews, destroying data
    /// that is due), as the timer does.
    pub async fn datalab_sweep(&self) -> Result<datalab::Swept> {
        datalab::sweep(&self.db, &self.lab).await
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

async fn sweep_sessions(state: AppState, mut stop: watch::Receiver<bool>) {
    // Sweep often enough that an idle session outlives its 20 minutes by
    // at most a few seconds.
    let every = Duration::from_secs((state.sessions.idle_secs() as u64 / 20).clamp(1, 30));
    loop {
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.wait_for(|s| *s) => break,
        }
        match state.sessions.sweep().await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(deleted = n, "expired sessions deleted"),
            Err(e) => tracing::warn!(error = %e, "session sweep failed"),
        }
    }
}

async fn run_datalab_sweep(
    db: Db,
    lab: datalab::Lab,
    every: Duration,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        if let Err(e) = datalab::sweep(&db, &lab).await {
            tracing::warn!(error = %e, "data lab sweep failed");
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.wait_for(|s| *s) => break,
        }
    }
}

async fn run_retention(db: Db, every: Duration, mut stop: watch::Receiver<bool>) {
    loop {
        if let Err(e) = retention::run(&db, crate::today()).await {
            tracing::warn!(error = %e, "retention run failed");
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.wait_for(|s| *s) => break,
        }
    }
}
