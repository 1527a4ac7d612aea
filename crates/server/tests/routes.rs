//! Who may reach what: every route the assembled service declares,
//! requested as every kind of user, answers as its declared rule says.
//!
//! The expectations are written out here, apart from
//! `platform::rules::check`, so that loosening a rule, or a rule that is
//! declared but not enforced, fails this test rather than passing it. A
//! route added with a rule this test has not heard of fails to compile (the
//! match is exhaustive), and a route cannot be added without a rule at all.

mod support;

use std::collections::BTreeSet;

use platform::rules::{Route, Rule};
use reqwest::{Method, StatusCode, header};
use server::accounts::Role;
use support::{Backend, LAB_PASSWORD, TestApp, enc};

/// Who is asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    Visitor,
    BookingStaff,
    EstablishmentAdmin,
    NationalAdmin,
    Provider,
    Analyst,
    AssetOwner,
    CallsOfficer,
    CallsAdmin,
    IdentityVerifier,
    IncidentReporter,
    SecurityTeam,
    NationalSecurity,
    FoiManager,
    FoiResponder,
    FoiDisclosure,
    FoiPress,
    FoiPrivateOffice,
}

const EVERYONE: [Who; 19] = [
    Who::Anonymous,
    Who::Visitor,
    Who::BookingStaff,
    Who::EstablishmentAdmin,
    Who::NationalAdmin,
    Who::Provider,
    Who::Analyst,
    Who::AssetOwner,
    Who::CallsOfficer,
    Who::CallsAdmin,
    Who::IdentityVerifier,
    Who::IncidentReporter,
    Who::SecurityTeam,
    Who::NationalSecurity,
    Who::FoiManager,
    Who::FoiResponder,
    Who::FoiDisclosure,
    Who::FoiPress,
    Who::FoiPrivateOffice,
];

impl Who {
    /// Where they land after signing in.
    fn home(self) -> &'static str {
        match self {
            Who::Anonymous => "/",
            Who::Visitor => "/visits",
            Who::BookingStaff | Who::EstablishmentAdmin | Who::NationalAdmin => "/staff",
            Who::Provider | Who::Analyst | Who::AssetOwner => "/datalab",
            Who::CallsOfficer | Who::CallsAdmin => "/calls/staff",
            Who::IdentityVerifier => "/calls/verification",
            Who::IncidentReporter | Who::SecurityTeam | Who::NationalSecurity => "/incidents",
            Who::FoiManager
            | Who::FoiResponder
            | Who::FoiDisclosure
            | Who::FoiPress
            | Who::FoiPrivateOffice => "/foi",
        }
    }
}

/// The answer a request should get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Anything but a refusal: the handler ran (it may still say "not
    /// found" for the made-up record, or redirect onward).
    Allowed,
    SignIn,
    /// Sent to their own home page.
    Home,
    Forbidden,
    NotFound,
}

/// The service's access policy, stated once more, by hand.
fn expected(rule: Rule, who: Who) -> Expect {
    use Who::*;
    if who == Anonymous {
        return match rule {
            Rule::Public => Expect::Allowed,
            _ => Expect::SignIn,
        };
    }
    let fits = match rule {
        Rule::Public | Rule::SignedIn => true,
        Rule::Visitor => who == Visitor,
        Rule::Staff => matches!(
            who,
            BookingStaff
                | EstablishmentAdmin
                | NationalAdmin
                | CallsOfficer
                | CallsAdmin
                | IdentityVerifier
                | IncidentReporter
                | SecurityTeam
                | NationalSecurity
                | FoiManager
                | FoiResponder
                | FoiDisclosure
                | FoiPress
                | FoiPrivateOffice
        ),
        Rule::VisitsStaff => matches!(who, BookingStaff | EstablishmentAdmin | NationalAdmin),
        Rule::EstablishmentStaff => matches!(
            who,
            BookingStaff | EstablishmentAdmin | NationalAdmin | CallsOfficer | CallsAdmin
        ),
        Rule::EstablishmentAdmin => matches!(who, EstablishmentAdmin | NationalAdmin),
        Rule::NationalAdmin | Rule::NationalAdminUnlisted => who == NationalAdmin,
        Rule::DataLab => matches!(who, Provider | Analyst | AssetOwner),
        Rule::Provider => who == Provider,
        Rule::Analyst => who == Analyst,
        Rule::AssetOwner => who == AssetOwner,
        Rule::CallsStaff => matches!(who, CallsOfficer | CallsAdmin | NationalAdmin),
        Rule::CallsAdmin => matches!(who, CallsAdmin | NationalAdmin),
        Rule::Verifier => who == IdentityVerifier,
        // Not even the national administrator: incident records are the
        // security roles' alone.
        Rule::Incidents => matches!(who, IncidentReporter | SecurityTeam | NationalSecurity),
        Rule::Security => matches!(who, SecurityTeam | NationalSecurity),
        // FOI cases are the FOI roles' alone, the administrator's neither.
        Rule::Foi => matches!(
            who,
            FoiManager | FoiResponder | FoiDisclosure | FoiPress | FoiPrivateOffice
        ),
        Rule::FoiManager => matches!(who, FoiManager | FoiDisclosure),
    };
    match (fits, rule) {
        (true, _) => Expect::Allowed,
        (false, Rule::Visitor) => Expect::Home,
        (false, Rule::NationalAdminUnlisted) => Expect::NotFound,
        (false, _) => Expect::Forbidden,
    }
}

/// The route's address with its parameters filled: the real establishment
/// the staff accounts work for, and a made-up key for every record (a
/// refusal must not depend on the record existing).
fn address(path: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let close = open + rest[open..].find('}').expect("parameter closes");
        out.push_str(&rest[..open]);
        // Establishment-scoped pages get the establishment the staff
        // accounts work at, so that the rule, not the handler's check of
        // the establishment, is what a refusal shows.
        let value = if out.ends_with("/staff/establishments/")
            || out.ends_with("/calls/staff/")
            || out.ends_with("/prisoners/")
        {
            "hull"
        } else {
            "made-up-0001"
        };
        out.push_str(value);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

/// A client that reports redirects instead of following them, so that
/// "sent to sign in" is told apart from the sign-in page itself.
struct Caller {
    http: reqwest::Client,
    base: String,
    csrf: String,
}

impl Caller {
    fn new(base: &str) -> Caller {
        Caller {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: base.to_owned(),
            csrf: String::new(),
        }
    }

    /// Fetches `path` and keeps the form token on it.
    async fn learn_csrf(&mut self, path: &str) {
        let body = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let i = body
            .find("name=\"csrf\" value=\"")
            .unwrap_or_else(|| panic!("{path} carries a form token"));
        let rest = &body[i + 19..];
        self.csrf = rest[..rest.find('"').unwrap()].to_owned();
    }

    /// Signs in through the form and checks where it lands.
    async fn sign_in(base: &str, email: &str, password: &str, home: &str) -> Caller {
        let mut c = Caller::new(base);
        c.learn_csrf("/sign-in").await;
        let r = c
            .send(
                Method::POST,
                "/sign-in",
                &[("email", email), ("password", password)],
            )
            .await;
        assert_eq!(r.0, StatusCode::SEE_OTHER, "{email} signs in");
        assert_eq!(r.1.as_deref(), Some(home), "{email} lands at home");
        // Signing in gives the session a new form token.
        c.learn_csrf(home).await;
        c
    }

    /// The status and `Location` of one request (a form post carries the
    /// token and nothing else).
    async fn send(
        &self,
        method: Method,
        path: &str,
        fields: &[(&str, &str)],
    ) -> (StatusCode, Option<String>) {
        let mut req = self
            .http
            .request(method.clone(), format!("{}{path}", self.base));
        if method == Method::POST {
            let mut body: Vec<String> = fields
                .iter()
                .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
                .collect();
            body.push(format!("csrf={}", enc(&self.csrf)));
            req = req
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(body.join("&"));
        }
        let r = req.send().await.unwrap();
        let location = r
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        (r.status(), location)
    }
}

/// A signed-in (or anonymous) caller for each kind of user.
async fn callers(app: &TestApp) -> Vec<(Who, Caller)> {
    let base = &app.base;
    let staff_password = "staff password 1";
    app.visitor("mary@example.com", "Mary Smith").await;
    app.staff("clerk@hull.test", Role::BookingStaff, &["hull"])
        .await;
    app.staff("head@hull.test", Role::EstablishmentAdmin, &["hull"])
        .await;
    app.add_lab_account("ana@hopetrust.test", Role::Provider, Some("Hope Trust"))
        .await;
    app.add_lab_account("lee@lab.test", Role::Analyst, None)
        .await;
    app.add_lab_account("iao@lab.test", Role::AssetOwner, None)
        .await;
    app.staff("calls@hull.test", Role::CallsOfficer, &["hull"])
        .await;
    app.staff("callsadmin@hull.test", Role::CallsAdmin, &["hull"])
        .await;
    app.staff("verifier@hmpps.test", Role::IdentityVerifier, &[])
        .await;
    app.staff("reporter@hull.test", Role::IncidentReporter, &["hull"])
        .await;
    app.staff("security@hull.test", Role::SecurityTeam, &["hull"])
        .await;
    app.staff("security@hmpps.test", Role::NationalSecurity, &[])
        .await;
    for (email, role) in [
        ("foi@moj.test", Role::FoiManager),
        ("responder@moj.test", Role::FoiResponder),
        ("disclosure@moj.test", Role::FoiDisclosure),
        ("press@moj.test", Role::FoiPress),
        ("private@moj.test", Role::FoiPrivateOffice),
    ] {
        app.staff(email, role, &[]).await;
    }
    let mut anonymous = Caller::new(base);
    anonymous.learn_csrf("/sign-in").await;
    let mut out = vec![(Who::Anonymous, anonymous)];
    for (who, email, password) in [
        (Who::Visitor, "mary@example.com", "correct horse battery"),
        (Who::BookingStaff, "clerk@hull.test", staff_password),
        (Who::EstablishmentAdmin, "head@hull.test", staff_password),
        (Who::NationalAdmin, "admin@hmpps.test", "admin password 1"),
        (Who::Provider, "ana@hopetrust.test", LAB_PASSWORD),
        (Who::Analyst, "lee@lab.test", LAB_PASSWORD),
        (Who::AssetOwner, "iao@lab.test", LAB_PASSWORD),
        (Who::CallsOfficer, "calls@hull.test", staff_password),
        (Who::CallsAdmin, "callsadmin@hull.test", staff_password),
        (Who::IdentityVerifier, "verifier@hmpps.test", staff_password),
        (Who::IncidentReporter, "reporter@hull.test", staff_password),
        (Who::SecurityTeam, "security@hull.test", staff_password),
        (Who::NationalSecurity, "security@hmpps.test", staff_password),
        (Who::FoiManager, "foi@moj.test", staff_password),
        (Who::FoiResponder, "responder@moj.test", staff_password),
        (Who::FoiDisclosure, "disclosure@moj.test", staff_password),
        (Who::FoiPress, "press@moj.test", staff_password),
        (Who::FoiPrivateOffice, "private@moj.test", staff_password),
    ] {
        out.push((
            who,
            Caller::sign_in(base, email, password, who.home()).await,
        ));
    }
    assert_eq!(
        out.iter().map(|(w, _)| *w).collect::<Vec<_>>(),
        EVERYONE,
        "every kind of user is asked"
    );
    out
}

/// Whether an answer is what `want` describes, for someone whose home is
/// `home`.
fn fits(want: Expect, status: StatusCode, location: Option<&str>, home: &str) -> bool {
    let redirect = status.is_redirection();
    match want {
        Expect::Allowed => {
            !(redirect && location == Some("/sign-in")) && status != StatusCode::FORBIDDEN
        }
        Expect::SignIn => redirect && location == Some("/sign-in"),
        Expect::Home => redirect && location == Some(home),
        Expect::Forbidden => status == StatusCode::FORBIDDEN,
        Expect::NotFound => status == StatusCode::NOT_FOUND,
    }
}

fn check_table(routes: &[Route]) {
    assert!(!routes.is_empty(), "the service declares its routes");
    let mut seen = BTreeSet::new();
    for r in routes {
        assert!(
            seen.insert((r.method.as_str().to_owned(), r.path)),
            "{} {} is declared twice",
            r.method,
            r.path
        );
    }
    // Each system's pages are in the one table the server assembled.
    for (method, path) in [
        (Method::GET, "/"),
        (Method::GET, "/health"),
        (Method::POST, "/book/check"),
        (Method::GET, "/staff/establishments/{id}/settings"),
        (Method::GET, "/staff/accounts"),
        (Method::POST, "/datalab/requests/{id}/issue"),
        (Method::POST, "/calls/prisons/{establishment}/book"),
        (Method::GET, "/calls/rollout"),
        (Method::GET, "/calls/verification/{id}/{document}"),
        (Method::GET, "/incidents/statistics.csv"),
        (Method::POST, "/incidents/{id}/move/{action}"),
        (Method::POST, "/foi/request"),
        (Method::GET, "/foi/cases/{id}/letter.pdf"),
        (Method::POST, "/foi/cases/{id}/attachments"),
    ] {
        assert!(
            routes.iter().any(|r| r.method == method && r.path == path),
            "{method} {path} is in the table"
        );
    }
}

async fn every_route_as_everyone(backend: Backend) {
    // Development mode opens the outbox to national administrators, so
    // that its hiding from everyone else is what is tested.
    let app = TestApp::start_with(backend, |c| c.dev = true).await;
    let mut routes = app.running().routes().to_vec();
    check_table(&routes);
    // Signing out ends the caller's session, so it is asked last.
    routes.sort_by_key(|r| (r.path == "/sign-out", r.path, r.method.to_string()));
    let callers = callers(&app).await;
    let mut wrong = Vec::new();
    let mut asked = 0;
    for (who, caller) in &callers {
        for r in &routes {
            let want = expected(r.rule, *who);
            let path = address(r.path);
            let (status, location) = caller.send(r.method.clone(), &path, &[]).await;
            asked += 1;
            // No page may fail outright, whoever asks and with whatever key.
            if status.is_server_error() || !fits(want, status, location.as_deref(), who.home()) {
                wrong.push(format!(
                    "{who:?} {} {path} ({:?}): expected {want:?}, got {status} {}",
                    r.method,
                    r.rule,
                    location.unwrap_or_default()
                ));
            }
        }
    }
    assert_eq!(asked, routes.len() * EVERYONE.len());
    assert!(
        wrong.is_empty(),
        "{} of {asked} answers break the rules:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    eprintln!(
        "{} routes x {} kinds of user = {asked} requests, all as declared",
        routes.len(),
        EVERYONE.len()
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_every_user_as_its_rule_says_sqlite() {
    every_route_as_everyone(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_every_user_as_its_rule_says_postgres() {
    every_route_as_everyone(Backend::Postgres).await;
}

#[test]
fn the_policy_stated_here_is_the_one_the_platform_applies() {
    // A user for each kind, as the session would hold them, judged by the
    // platform's own check: the HTTP matrix above then shows the check is
    // what the routes apply.
    use platform::accounts::Kind;
    use platform::rules::{Decision, check};
    use platform::sessions::SessionUser;
    let user = |kind, role: Option<Role>, organisation: Option<&str>| SessionUser {
        id: "u".into(),
        email: "u@example.test".into(),
        name: "U".into(),
        kind,
        grants: role
            .map(|role| platform::accounts::Grant {
                role,
                scope: match (role.scope_kind(), organisation) {
                    ("establishment", _) => platform::accounts::Scope::Establishment("hull".into()),
                    ("organisation", Some(o)) => platform::accounts::Scope::Organisation(o.into()),
                    _ => platform::accounts::Scope::National,
                },
            })
            .into_iter()
            .collect(),
    };
    let as_user = |who: Who| match who {
        Who::Anonymous => None,
        Who::Visitor => Some(user(Kind::Visitor, None, None)),
        Who::BookingStaff => Some(user(Kind::Staff, Some(Role::BookingStaff), None)),
        Who::EstablishmentAdmin => Some(user(Kind::Staff, Some(Role::EstablishmentAdmin), None)),
        Who::NationalAdmin => Some(user(Kind::Staff, Some(Role::NationalAdmin), None)),
        Who::Provider => Some(user(Kind::DataLab, Some(Role::Provider), Some("hope"))),
        Who::Analyst => Some(user(Kind::DataLab, Some(Role::Analyst), None)),
        Who::AssetOwner => Some(user(Kind::DataLab, Some(Role::AssetOwner), None)),
        Who::CallsOfficer => Some(user(Kind::Staff, Some(Role::CallsOfficer), None)),
        Who::CallsAdmin => Some(user(Kind::Staff, Some(Role::CallsAdmin), None)),
        Who::IdentityVerifier => Some(user(Kind::Staff, Some(Role::IdentityVerifier), None)),
        Who::IncidentReporter => Some(user(Kind::Staff, Some(Role::IncidentReporter), None)),
        Who::SecurityTeam => Some(user(Kind::Staff, Some(Role::SecurityTeam), None)),
        Who::NationalSecurity => Some(user(Kind::Staff, Some(Role::NationalSecurity), None)),
        Who::FoiManager => Some(user(Kind::Staff, Some(Role::FoiManager), None)),
        Who::FoiResponder => Some(user(Kind::Staff, Some(Role::FoiResponder), None)),
        Who::FoiDisclosure => Some(user(Kind::Staff, Some(Role::FoiDisclosure), None)),
        Who::FoiPress => Some(user(Kind::Staff, Some(Role::FoiPress), None)),
        Who::FoiPrivateOffice => Some(user(Kind::Staff, Some(Role::FoiPrivateOffice), None)),
    };
    let rules = [
        Rule::Public,
        Rule::SignedIn,
        Rule::Visitor,
        Rule::Staff,
        Rule::VisitsStaff,
        Rule::EstablishmentStaff,
        Rule::EstablishmentAdmin,
        Rule::NationalAdmin,
        Rule::NationalAdminUnlisted,
        Rule::DataLab,
        Rule::Provider,
        Rule::Analyst,
        Rule::AssetOwner,
        Rule::CallsStaff,
        Rule::CallsAdmin,
        Rule::Verifier,
        Rule::Incidents,
        Rule::Security,
        Rule::Foi,
        Rule::FoiManager,
    ];
    for rule in rules {
        for who in EVERYONE {
            let got = match check(rule, as_user(who).as_ref()) {
                Decision::Allowed => Expect::Allowed,
                Decision::SignIn => Expect::SignIn,
                Decision::Home => Expect::Home,
                Decision::Forbidden => Expect::Forbidden,
                Decision::NotFound => Expect::NotFound,
            };
            assert_eq!(got, expected(rule, who), "{rule:?} for {who:?}");
        }
    }
}

#[test]
fn addresses_are_filled_in() {
    assert_eq!(
        address("/staff/establishments/{id}/settings"),
        "/staff/establishments/hull/settings"
    );
    assert_eq!(
        address("/datalab/requests/{id}/questions/{qid}/answer"),
        "/datalab/requests/made-up-0001/questions/made-up-0001/answer"
    );
    assert_eq!(address("/assets/{*path}"), "/assets/made-up-0001");
    assert_eq!(address("/privacy"), "/privacy");
}
