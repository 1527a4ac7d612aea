//! The platform on the web: the state every system's handlers share
//! ([`Platform`]), the session around every page request ([`Sess`]), forms
//! with their CSRF check ([`FormIn`]), error pages, security headers, and
//! the page context that draws each system's navigation.

use std::sync::{Arc, Mutex, OnceLock};

use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;
use tokio::sync::Notify;
use ui::{Errors, Fields};

use crate::accounts::Hasher;
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::ratelimit::SignInLimiter;
use crate::registry::{self, Establishment};
use crate::sessions::{COOKIE, SessionData, SessionStore, SessionUser};

/// What a system tells the platform about itself so that pages can draw
/// the right service name and menu for whoever is signed in.
pub trait Navigation: Send + Sync {
    /// The service's name, as the header shows it ("Visit someone in
    /// prison").
    fn service(&self) -> &'static str;
    /// The page `user` lands on, when this system is where they work.
    fn home(&self, user: &SessionUser) -> Option<&'static str>;
    /// This system's menu links for `user` (address, label); none when the
    /// system is not theirs.
    fn links(&self, user: &SessionUser) -> Vec<(String, String)>;
    /// This system's section of the privacy notice: what it collects, why,
    /// for how long and who sees it.
    fn privacy(&self) -> Option<maud::Markup> {
        None
    }
}

/// The platform's state, shared by every system's handlers (each system's
/// own state dereferences to it).
#[derive(Clone)]
pub struct Platform(Arc<Inner>);

/// What [`Platform`] holds.
pub struct Inner {
    /// The database.
    pub db: Db,
    /// The platform's settings.
    pub config: Settings,
    /// Web sessions.
    pub sessions: SessionStore,
    /// Sign-in throttling.
    pub limiter: SignInLimiter,
    /// Password hashing.
    pub hasher: Hasher,
    /// The one clock every system reads.
    pub clock: Clock,
    outbox_wake: Arc<Notify>,
    /// The registry's establishments, read once: many pages need the list,
    /// and it changes only through an administrator.
    establishments: tokio::sync::RwLock<Option<Arc<Vec<Establishment>>>>,
    systems: OnceLock<Vec<Arc<dyn Navigation>>>,
    subject_access: OnceLock<Vec<Arc<dyn crate::subject_access::SubjectAccess>>>,
}

impl std::ops::Deref for Platform {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl Platform {
    /// The platform over `db`.
    pub fn new(db: Db, config: Settings, limiter: SignInLimiter, clock: Clock) -> Platform {
        Platform(Arc::new(Inner {
            sessions: SessionStore::new(db.clone(), config.session_idle_seconds),
            hasher: Hasher::new(config.argon2_memory_kib),
            limiter,
            clock,
            outbox_wake: Arc::new(Notify::new()),
            establishments: tokio::sync::RwLock::new(None),
            systems: OnceLock::new(),
            subject_access: OnceLock::new(),
            db,
            config,
        }))
    }

    /// Records the systems, in the order their services are offered (the
    /// first is the one an anonymous visitor sees). Called once by the
    /// server.
    pub fn set_systems(&self, systems: Vec<Arc<dyn Navigation>>) {
        let _ = self.0.systems.set(systems);
    }

    /// Records every system's part of subject access. Called once by the
    /// server.
    pub fn set_subject_access(&self, parts: Vec<Arc<dyn crate::subject_access::SubjectAccess>>) {
        let _ = self.0.subject_access.set(parts);
    }

    /// Every system's part of subject access.
    pub fn subject_access(&self) -> &[Arc<dyn crate::subject_access::SubjectAccess>] {
        self.0
            .subject_access
            .get()
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// The page `user` lands on after signing in: the home of the first
    /// system that is theirs.
    pub fn home_of(&self, user: &SessionUser) -> &'static str {
        let systems = self.0.systems.get().map(Vec::as_slice).unwrap_or(&[]);
        systems.iter().find_map(|s| s.home(user)).unwrap_or("/")
    }

    /// The service name, home address and menu for `user`.
    pub fn navigation(
        &self,
        user: Option<&SessionUser>,
    ) -> (&'static str, &'static str, Vec<(String, String)>) {
        let systems = self.0.systems.get().map(Vec::as_slice).unwrap_or(&[]);
        let default = systems.first().map(|s| s.service()).unwrap_or("Lifeline");
        let Some(user) = user else {
            return (
                default,
                "/",
                vec![
                    ("/sign-in".into(), "Sign in".into()),
                    ("/register".into(), "Create an account".into()),
                ],
            );
        };
        let mut service = default;
        let mut home = "/";
        let mut found = false;
        let mut nav = Vec::new();
        for s in systems {
            if !found && let Some(h) = s.home(user) {
                service = s.service();
                home = h;
                found = true;
            }
            nav.extend(s.links(user));
        }
        if user.is_national_admin() {
            nav.push(("/staff/accounts".into(), "Staff accounts".into()));
            nav.push(("/staff/subject-access".into(), "Subject access".into()));
            nav.push(("/staff/audit".into(), "Audit log".into()));
            if self.config.dev {
                nav.push(("/staff/outbox".into(), "Outbox".into()));
            }
        }
        (service, home, nav)
    }

    /// Each system's section of the privacy notice, in the systems' order.
    pub fn privacy_sections(&self) -> Vec<maud::Markup> {
        self.0
            .systems
            .get()
            .map(|systems| systems.iter().filter_map(|s| s.privacy()).collect())
            .unwrap_or_default()
    }

    /// The enabled establishments, from memory after the first read.
    pub async fn establishments(&self) -> Result<Arc<Vec<Establishment>>> {
        if let Some(list) = self.0.establishments.read().await.as_ref() {
            return Ok(list.clone());
        }
        let list = Arc::new(registry::list(&self.db).await?);
        *self.0.establishments.write().await = Some(list.clone());
        Ok(list)
    }

    /// Wakes the outbox worker after a message was stored.
    pub fn mail_waiting(&self) {
        self.outbox_wake.notify_one();
    }

    /// What the outbox worker waits on.
    pub fn outbox_wake(&self) -> Arc<Notify> {
        self.outbox_wake.clone()
    }
}

struct HandleState {
    /// The stored session's key; `None` for an anonymous visitor, who has
    /// no row until something needs keeping.
    key: Option<String>,
    data: SessionData,
    dirty: bool,
    rotate: bool,
    destroy: bool,
}

/// The request's session, as handlers see it. Changes are written back
/// after the handler returns.
#[derive(Clone)]
pub struct Sess(Arc<Mutex<HandleState>>);

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

    /// The stored session's key (none for an anonymous visitor).
    pub fn key(&self) -> Option<String> {
        self.lock().key.clone()
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
        s.data.drafts.clear();
        s.rotate = true;
        s.dirty = true;
    }

    pub fn destroy(&self) {
        self.lock().destroy = true;
    }

    /// The page context for templates: who is signed in, the form token,
    /// the one-off notice and the platform's navigation.
    pub fn ctx(&self, platform: &Platform) -> OwnedCtx {
        let notice = self.take_notice();
        let s = self.lock();
        OwnedCtx {
            user: s.data.user.clone(),
            csrf: s.data.csrf.clone(),
            notice,
            platform: platform.clone(),
            service: None,
        }
    }

    /// A draft a system keeps in the session (a form over several pages).
    pub fn draft<T: serde::de::DeserializeOwned>(&self, system: &str) -> Option<T> {
        let s = self.lock();
        s.data
            .drafts
            .get(system)
            .and_then(|v| serde_json::from_value(v.clone()).ok())
    }

    /// Stores (or, with `None`, forgets) a system's draft.
    pub fn set_draft<T: serde::Serialize>(&self, system: &str, draft: Option<&T>) {
        let value = draft.and_then(|d| serde_json::to_value(d).ok());
        self.update(|s| match value {
            Some(v) => {
                s.drafts.insert(system.to_owned(), v);
            }
            None => {
                s.drafts.remove(system);
            }
        });
    }
}

/// What a page needs to know about the request.
pub struct OwnedCtx {
    /// Who is signed in.
    pub user: Option<SessionUser>,
    /// The form token every POST must echo.
    pub csrf: String,
    /// A one-off success message.
    pub notice: Option<String>,
    platform: Platform,
    service: Option<(&'static str, &'static str)>,
}

impl OwnedCtx {
    /// The page belongs to `service`, whose start is `home`: the header
    /// names it, whichever system the user lands in first.
    pub fn in_service(mut self, service: &'static str, home: &'static str) -> OwnedCtx {
        self.service = Some((service, home));
        self
    }

    /// Renders a page in the layout, with the service and menu the
    /// platform's systems give this user.
    pub fn page(&self, title: &str, errors: &Errors, content: maud::Markup) -> Response {
        let (mut service, mut home, nav) = self.platform.navigation(self.user.as_ref());
        if let Some((s, h)) = self.service {
            (service, home) = (s, h);
        }
        let chrome = ui::Chrome {
            service,
            home,
            nav,
            signed_in: self.user.is_some(),
            csrf: &self.csrf,
            notice: self.notice.clone(),
        };
        Html(ui::layout(&chrome, title, errors, content).into_string()).into_response()
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

fn cookie_value(req: &Request, name: &str) -> Option<String> {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

fn set_cookie(resp: &mut Response, name: &str, token: &str, secure: bool, expire: bool) {
    let mut c = format!("{name}={token}; Path=/; HttpOnly; SameSite=Lax");
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

/// The cookie that carries an anonymous visitor's form token (compared
/// with the form's copy, so a page on another site cannot post for them).
const CSRF_COOKIE: &str = "lifeline_csrf";

/// Loads the session around every page request, and writes back what the
/// handler changed. An anonymous request writes nothing to the database.
pub async fn session_layer(State(st): State<Platform>, mut req: Request, next: Next) -> Response {
    let loaded = match cookie_value(&req, COOKIE) {
        Some(token) => match st.sessions.load(&token).await {
            Ok(found) => found,
            Err(e) => return AppError(e).into_response(),
        },
        None => None,
    };
    let mut new_csrf = None;
    let (key, data) = match loaded {
        Some((key, mut data)) => {
            // Grants are read afresh on every request of a signed-in member
            // of staff, so a role withdrawn (or added) takes effect at once,
            // on every instance.
            if let Some(user) = data.user.as_mut()
                && user.kind != crate::accounts::Kind::Visitor
            {
                match crate::accounts::grants_of(&st.db, &user.id).await {
                    Ok(grants) => user.grants = grants,
                    Err(e) => return AppError(e).into_response(),
                }
            }
            (Some(key), data)
        }
        None => {
            let csrf = cookie_value(&req, CSRF_COOKIE)
                .filter(|c| c.len() == 48 && c.bytes().all(|b| b.is_ascii_hexdigit()))
                .unwrap_or_else(|| {
                    let fresh = crate::ids::random_token(24);
                    new_csrf = Some(fresh.clone());
                    fresh
                });
            (
                None,
                SessionData {
                    csrf,
                    ..Default::default()
                },
            )
        }
    };
    let handle = Sess(Arc::new(Mutex::new(HandleState {
        key,
        data,
        dirty: false,
        rotate: false,
        destroy: false,
    })));
    req.extensions_mut().insert(handle.clone());
    // Route rules send a signed-in user home; the systems know where that is.
    req.extensions_mut().insert(st.clone());
    let mut resp = next.run(req).await;
    let (key, data, dirty, rotate, destroy) = {
        let s = handle.lock();
        (s.key.clone(), s.data.clone(), s.dirty, s.rotate, s.destroy)
    };
    let secure = st.config.secure_cookies();
    let outcome: Result<()> = async {
        if destroy {
            if let Some(key) = &key {
                st.sessions.delete(key).await?;
            }
            set_cookie(&mut resp, COOKIE, "", secure, true);
        } else if rotate {
            if let Some(key) = &key {
                st.sessions.delete(key).await?;
            }
            // A new token and a new form token at sign-in, so that neither
            // planted before it is any use after.
            let (token, _, _) = st.sessions.create(Some(data), false).await?;
            set_cookie(&mut resp, COOKIE, &token, secure, false);
        } else if dirty {
            match &key {
                Some(key) => st.sessions.save(key, &data).await?,
                None => {
                    // The visitor's form token stays the one the page
                    // they are looking at carries.
                    let (token, _, _) = st.sessions.create(Some(data), true).await?;
                    set_cookie(&mut resp, COOKIE, &token, secure, false);
                }
            }
        } else if let Some(csrf) = &new_csrf {
            set_cookie(&mut resp, CSRF_COOKIE, csrf, secure, false);
        }
        Ok(())
    }
    .await;
    if let Err(e) = outcome {
        return AppError(e).into_response();
    }
    resp
}

/// Security headers on every response (HSTS too when `https` is true: the
/// service is reached over https), and the service's own styled page for
/// errors the framework answers by itself in plain text (a method not
/// allowed, an address that cannot be decoded, a body too large).
pub async fn security_headers(State(https): State<bool>, req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let plain = !resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html") || t.starts_with("application/json"));
    let status = resp.status();
    if plain && (status.is_client_error() || status.is_server_error()) {
        let allow = resp.headers().get(header::ALLOW).cloned();
        resp = framework_error(status);
        if let Some(allow) = allow {
            resp.headers_mut().insert(header::ALLOW, allow);
        }
    }
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
    if https {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

/// The styled page for an error status the framework produced.
fn framework_error(status: StatusCode) -> Response {
    let (title, body) = match status {
        StatusCode::NOT_FOUND => (
            "Page not found",
            "If you typed the web address, check it is correct.",
        ),
        StatusCode::METHOD_NOT_ALLOWED => (
            "Sorry, that cannot be done here",
            "This page does not accept that kind of request. Go back and use the page's links and buttons.",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (
            "Sorry, that was too large",
            "What you sent is larger than this page accepts. Go back and try again with less.",
        ),
        s if s.is_server_error() => (
            "Sorry, there is a problem with the service",
            "Try again later.",
        ),
        _ => (
            "Sorry, that request could not be read",
            "Check the web address, or go back and try again.",
        ),
    };
    error_page(status, title, body)
}

/// A submitted form whose CSRF token matched the session's.
pub struct FormIn(pub Fields);

impl<S: Send + Sync> FromRequest<S> for FormIn {
    type Rejection = Response;
    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
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
        if expected.is_empty() || !crate::ids::constant_time_eq(&expected, given) {
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
pub struct AppError(pub Error);

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
pub fn error_page(status: StatusCode, title: &str, body: &str) -> Response {
    let chrome = ui::Chrome {
        service: "Lifeline",
        home: "/",
        nav: Vec::new(),
        signed_in: false,
        csrf: "",
        notice: None,
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
        Html(ui::layout(&chrome, title, &Errors::default(), content).into_string()),
    )
        .into_response()
}

/// Handler result.
pub type Page = std::result::Result<Response, AppError>;

/// Redirect after a POST.
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// The refusal a signed-in user gets from a page that is not theirs, in
/// the form the page guards return it.
pub fn forbidden() -> Box<Response> {
    Box::new(AppError(Error::Forbidden).into_response())
}

/// The signed-in user a page needs, or the response that refuses them (a
/// redirect to sign in, or "forbidden"), returned from the handler.
#[macro_export]
macro_rules! require {
    ($e:expr) => {
        match $e {
            Ok(u) => u,
            Err(r) => return Ok(*r),
        }
    };
}

/// Serves `/assets/{*path}`: the Design System's files, embedded.
pub async fn asset(axum::extract::Path(path): axum::extract::Path<String>) -> Response {
    match ui::assets::find(&path) {
        Some((bytes, mime)) => (
            [
                (header::CONTENT_TYPE, mime),
                (header::CACHE_CONTROL, "public, max-age=86400"),
            ],
            bytes,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// What came in with a multipart upload: the text fields, and each file
/// field's name as sent and bytes.
pub struct Upload {
    pub fields: Fields,
    pub files: std::collections::BTreeMap<String, (String, Vec<u8>)>,
    /// A file passed `max` bytes; reading stopped there and the file is not
    /// kept.
    pub too_large: bool,
}

/// Reads a multipart upload whose file fields are `file_fields`, checking
/// the CSRF token (which must come before any file) before reading a
/// file, and stopping at `max` bytes a file. Text fields are cut at 2,000
/// characters.
pub async fn read_upload(
    sess: &Sess,
    max: usize,
    mut mp: axum::extract::Multipart,
    file_fields: &[&str],
) -> std::result::Result<Upload, Response> {
    let expired = || {
        error_page(
            StatusCode::FORBIDDEN,
            "Sorry, that form has expired",
            "For your security, forms stop working when you have been inactive for 20 minutes or have signed in or out since. Go back, reload the page and try again.",
        )
    };
    let unreadable = || {
        error_page(
            StatusCode::BAD_REQUEST,
            "Sorry, that upload could not be read",
            "Go back and try again.",
        )
    };
    let mut up = Upload {
        fields: Fields::new(),
        files: Default::default(),
        too_large: false,
    };
    let mut csrf_ok = false;
    loop {
        let next = match mp.next_field().await {
            Ok(n) => n,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE && csrf_ok => {
                up.too_large = true;
                break;
            }
            Err(_) => return Err(unreadable()),
        };
        let Some(mut f) = next else { break };
        let name = f.name().unwrap_or("").to_owned();
        if file_fields.contains(&name.as_str()) {
            if !csrf_ok {
                return Err(expired());
            }
            let file_name: String = f.file_name().unwrap_or("").chars().take(100).collect();
            let mut bytes = Vec::new();
            loop {
                match f.chunk().await {
                    Ok(Some(chunk)) => {
                        if bytes.len() + chunk.len() > max {
                            up.too_large = true;
                            break;
                        }
                        bytes.extend_from_slice(&chunk);
                    }
                    Ok(None) => break,
                    Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                        up.too_large = true;
                        break;
                    }
                    Err(_) => return Err(unreadable()),
                }
            }
            if up.too_large {
                break;
            }
            up.files.insert(name, (file_name, bytes));
        } else {
            let value = f.text().await.map_err(|_| unreadable())?;
            if name == "csrf" {
                let expected = sess.csrf();
                csrf_ok = !expected.is_empty() && crate::ids::constant_time_eq(&expected, &value);
                if !csrf_ok {
                    return Err(expired());
                }
            } else {
                up.fields.insert(name, value.chars().take(2000).collect());
            }
        }
    }
    if !csrf_ok {
        return Err(expired());
    }
    Ok(up)
}
