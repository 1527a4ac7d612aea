//! Who may reach each page: every route is declared with a [`Rule`], and
//! [`check`] is the one place a rule is judged against the signed-in user.
//!
//! Systems build their routers with [`Routes`], which adds a route, records
//! it in a table beside the router, and puts the rule in front of the
//! handler, so a page cannot be added without saying who it is for, and a
//! refused request never reaches the handler (nor has its form or upload
//! read). Handlers may still ask for the user they need (a provider's
//! organisation, a member of staff's prisons): that is defence in depth and
//! the place for checks that depend on the record, which no rule can see.
//! The server gathers every system's table, and a test sends every route a
//! request as every kind of user to hold the service to it.

use axum::Router;
use axum::extract::{Request, State};
use axum::handler::Handler;
use axum::http::Method;
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter, on};

use crate::accounts::{Kind, Role};
use crate::error::Error;
use crate::sessions::SessionUser;
use crate::web::{AppError, Sess, see_other};

/// Who a route is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in account.
    SignedIn,
    /// A member of the public who books visits. Anyone else signed in is
    /// sent to their own home rather than refused: staff and the lab follow
    /// families' links too, and a page of their own is more use to them.
    Visitor,
    /// Any member of prison or headquarters staff.
    Staff,
    /// Staff of the visits service (booking staff, establishment
    /// administrators, national administrators).
    VisitsStaff,
    /// Staff who work at some establishment, in any system's role, or a
    /// national administrator. Which establishments is the handler's.
    EstablishmentStaff,
    /// An establishment administrator, or a national administrator (who is
    /// one everywhere). Which establishments they hold is the handler's to
    /// judge.
    EstablishmentAdmin,
    /// A national administrator.
    NationalAdmin,
    /// A national administrator, on a page whose existence is itself worth
    /// hiding (the outbox holds every prison's mail): anyone else signed in
    /// is told there is no such page.
    NationalAdminUnlisted,
    /// Any Justice Data Lab account.
    DataLab,
    /// A Data Lab provider, with the organisation their pages are about.
    Provider,
    /// A Data Lab analyst.
    Analyst,
    /// The Data Lab's information asset owner.
    AssetOwner,
    /// Video calls staff of some establishment (officer or administrator),
    /// or a national administrator. Which establishments is the handler's.
    CallsStaff,
    /// A video calls administrator of some establishment, or a national
    /// administrator.
    CallsAdmin,
    /// An identity verifier of the video calls service.
    Verifier,
    /// Any role of the security incidents system (a reporting officer, a
    /// security team, national security). Which reports is the handler's.
    Incidents,
    /// An establishment's security team or national security: the review
    /// queue, investigations and statistics.
    Security,
    /// Any role of the FOI system (case manager, responder, disclosure
    /// team, press office, private office). Which cases is the handler's.
    Foi,
    /// The FOI case manager or the disclosure team: intake, assignment,
    /// reviews, appeals and the statistics.
    FoiManager,
}

/// What happens to a request under a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The handler runs.
    Allowed,
    /// Nobody is signed in: to the sign-in page.
    SignIn,
    /// Signed in as someone the page is not for: to their own home.
    Home,
    /// Signed in as someone the page is not for: "you cannot see this page".
    Forbidden,
    /// Signed in as someone the page is not for, and the page hides that it
    /// exists: "page not found".
    NotFound,
}

/// Whether `user` (none when nobody is signed in) may reach a route under
/// `rule`.
pub fn check(rule: Rule, user: Option<&SessionUser>) -> Decision {
    let Some(u) = user else {
        return match rule {
            Rule::Public => Decision::Allowed,
            _ => Decision::SignIn,
        };
    };
    let fits = match rule {
        Rule::Public | Rule::SignedIn => true,
        Rule::Visitor => u.kind == Kind::Visitor,
        Rule::Staff => u.is_staff(),
        Rule::EstablishmentStaff => u.works_somewhere(),
        Rule::VisitsStaff => {
            u.is_staff()
                && (u.has(Role::BookingStaff)
                    || u.has(Role::EstablishmentAdmin)
                    || u.has(Role::NationalAdmin))
        }
        Rule::EstablishmentAdmin => u.is_admin(),
        Rule::NationalAdmin | Rule::NationalAdminUnlisted => u.is_national_admin(),
        Rule::DataLab => u.kind == Kind::DataLab,
        Rule::Provider => u.provider_organisation().is_some(),
        Rule::Analyst => u.is_analyst(),
        Rule::AssetOwner => u.is_asset_owner(),
        Rule::CallsStaff => u.is_calls_staff(),
        Rule::CallsAdmin => u.is_national_admin() || (u.is_staff() && u.has(Role::CallsAdmin)),
        Rule::Verifier => u.is_verifier(),
        Rule::Incidents => u.is_incidents_staff(),
        Rule::Security => u.is_security(),
        Rule::Foi => u.is_foi_staff(),
        Rule::FoiManager => u.is_foi_manager(),
    };
    match (fits, rule) {
        (true, _) => Decision::Allowed,
        (false, Rule::Visitor) => Decision::Home,
        (false, Rule::NationalAdminUnlisted) => Decision::NotFound,
        (false, _) => Decision::Forbidden,
    }
}

/// One declared route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub method: Method,
    /// As the router matches it, parameters and all (`/visits/{reference}`).
    pub path: &'static str,
    pub rule: Rule,
}

/// A router that knows, for every route in it, who the route is for.
pub struct Routes<S = ()> {
    router: Router<S>,
    table: Vec<Route>,
}

impl<S: Clone + Send + Sync + 'static> Default for Routes<S> {
    fn default() -> Self {
        Self::new()
    }
}

impl<S: Clone + Send + Sync + 'static> Routes<S> {
    pub fn new() -> Self {
        Routes {
            router: Router::new(),
            table: Vec::new(),
        }
    }

    /// `GET` (and so `HEAD`) `path` for `rule`, served by `handler`.
    #[track_caller]
    pub fn get<H: Handler<T, S>, T: 'static>(
        self,
        path: &'static str,
        rule: Rule,
        handler: H,
    ) -> Self {
        self.add(Method::GET, MethodFilter::GET, path, rule, handler)
    }

    /// `POST` `path` for `rule`, served by `handler`.
    #[track_caller]
    pub fn post<H: Handler<T, S>, T: 'static>(
        self,
        path: &'static str,
        rule: Rule,
        handler: H,
    ) -> Self {
        self.add(Method::POST, MethodFilter::POST, path, rule, handler)
    }

    /// A form's page and its submission, both for `rule`.
    #[track_caller]
    pub fn get_post<G, TG, P, TP>(self, path: &'static str, rule: Rule, get: G, post: P) -> Self
    where
        G: Handler<TG, S>,
        TG: 'static,
        P: Handler<TP, S>,
        TP: 'static,
    {
        self.get(path, rule, get).post(path, rule, post)
    }

    #[track_caller]
    fn add<H: Handler<T, S>, T: 'static>(
        mut self,
        method: Method,
        filter: MethodFilter,
        path: &'static str,
        rule: Rule,
        handler: H,
    ) -> Self {
        let guarded: MethodRouter<S> =
            on(filter, handler).route_layer(from_fn_with_state(rule, enforce));
        self.router = self.router.route(path, guarded);
        self.table.push(Route { method, path, rule });
        self
    }

    /// Both sets of routes in one.
    #[track_caller]
    pub fn merge(mut self, other: Routes<S>) -> Self {
        self.router = self.router.merge(other.router);
        self.table.extend(other.table);
        self
    }

    /// Lets every route so far take bodies of up to `bytes` (uploads); the
    /// rules stay as declared, and apply before any body is read.
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.router = self
            .router
            .layer(axum::extract::DefaultBodyLimit::max(bytes));
        self
    }

    /// The routes with their state given.
    pub fn with_state<S2>(self, state: S) -> Routes<S2> {
        Routes {
            router: self.router.with_state(state),
            table: self.table,
        }
    }

    /// The declared routes, in the order they were added.
    pub fn table(&self) -> &[Route] {
        &self.table
    }

    /// The router to serve, and the table that describes it.
    pub fn into_parts(self) -> (Router<S>, Vec<Route>) {
        (self.router, self.table)
    }
}

/// Applies a route's rule before its handler runs.
async fn enforce(State(rule): State<Rule>, req: Request, next: Next) -> Response {
    if rule == Rule::Public {
        return next.run(req).await;
    }
    let Some(sess) = req.extensions().get::<Sess>() else {
        // Served outside the session layer, a page for someone in
        // particular cannot know who is asking: refuse rather than guess.
        tracing::error!(path = %req.uri().path(), "a guarded route has no session");
        return AppError(Error::Forbidden).into_response();
    };
    let user = sess.user();
    match check(rule, user.as_ref()) {
        Decision::Allowed => next.run(req).await,
        Decision::SignIn => see_other("/sign-in"),
        Decision::Home => {
            let home = match (req.extensions().get::<crate::web::Platform>(), &user) {
                (Some(p), Some(u)) => p.home_of(u),
                _ => "/",
            };
            see_other(home)
        }
        Decision::Forbidden => AppError(Error::Forbidden).into_response(),
        Decision::NotFound => AppError(Error::NotFound).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::Role;

    fn user(kind: Kind, role: Option<Role>, organisation: Option<&str>) -> SessionUser {
        SessionUser {
            id: "u".into(),
            email: "u@example.test".into(),
            name: "U".into(),
            kind,
            grants: grants(role, organisation),
        }
    }

    /// The grant a single-role account holds: at Hull for a prison role,
    /// for its organisation for a provider (none given: a grant without
    /// one, which must not pass for a provider's).
    fn grants(role: Option<Role>, organisation: Option<&str>) -> Vec<crate::accounts::Grant> {
        use crate::accounts::{Grant, Scope};
        role.map(|role| Grant {
            role,
            scope: match (role.scope_kind(), organisation) {
                ("establishment", _) => Scope::Establishment("hull".into()),
                ("organisation", Some(o)) => Scope::Organisation(o.into()),
                _ => Scope::National,
            },
        })
        .into_iter()
        .collect()
    }

    #[test]
    fn each_rule_admits_exactly_its_people() {
        use Decision::*;
        let people = [
            user(Kind::Visitor, None, None),
            user(Kind::Staff, Some(Role::BookingStaff), None),
            user(Kind::Staff, Some(Role::EstablishmentAdmin), None),
            user(Kind::Staff, Some(Role::NationalAdmin), None),
            user(Kind::DataLab, Some(Role::Provider), Some("hope")),
            user(Kind::DataLab, Some(Role::Analyst), None),
            user(Kind::DataLab, Some(Role::AssetOwner), None),
        ];
        // Anonymous first, then the people above in order.
        let table: [(Rule, [Decision; 8]); 11] = [
            (Rule::Public, [Allowed; 8]),
            (
                Rule::SignedIn,
                [
                    SignIn, Allowed, Allowed, Allowed, Allowed, Allowed, Allowed, Allowed,
                ],
            ),
            (
                Rule::Visitor,
                [SignIn, Allowed, Home, Home, Home, Home, Home, Home],
            ),
            (
                Rule::Staff,
                [
                    SignIn, Forbidden, Allowed, Allowed, Allowed, Forbidden, Forbidden, Forbidden,
                ],
            ),
            (
                Rule::EstablishmentAdmin,
                [
                    SignIn, Forbidden, Forbidden, Allowed, Allowed, Forbidden, Forbidden, Forbidden,
                ],
            ),
            (
                Rule::NationalAdmin,
                [
                    SignIn, Forbidden, Forbidden, Forbidden, Allowed, Forbidden, Forbidden,
                    Forbidden,
                ],
            ),
            (
                Rule::NationalAdminUnlisted,
                [
                    SignIn, NotFound, NotFound, NotFound, Allowed, NotFound, NotFound, NotFound,
                ],
            ),
            (
                Rule::DataLab,
                [
                    SignIn, Forbidden, Forbidden, Forbidden, Forbidden, Allowed, Allowed, Allowed,
                ],
            ),
            (
                Rule::Provider,
                [
                    SignIn, Forbidden, Forbidden, Forbidden, Forbidden, Allowed, Forbidden,
                    Forbidden,
                ],
            ),
            (
                Rule::Analyst,
                [
                    SignIn, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Allowed,
                    Forbidden,
                ],
            ),
            (
                Rule::AssetOwner,
                [
                    SignIn, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden, Forbidden,
                    Allowed,
                ],
            ),
        ];
        for (rule, want) in table {
            assert_eq!(check(rule, None), want[0], "{rule:?} anonymous");
            for (p, w) in people.iter().zip(&want[1..]) {
                assert_eq!(check(rule, Some(p)), *w, "{rule:?} {:?}", p.grants);
            }
        }
    }

    #[test]
    fn incident_records_are_for_the_security_roles_alone() {
        use Decision::*;
        let reporter = user(Kind::Staff, Some(Role::IncidentReporter), None);
        let team = user(Kind::Staff, Some(Role::SecurityTeam), None);
        let national = user(Kind::Staff, Some(Role::NationalSecurity), None);
        for p in [&reporter, &team, &national] {
            assert_eq!(check(Rule::Incidents, Some(p)), Allowed);
            assert_eq!(check(Rule::Staff, Some(p)), Allowed);
            // Nothing of the other systems' establishment records.
            assert_eq!(check(Rule::EstablishmentStaff, Some(p)), Forbidden);
            assert_eq!(check(Rule::VisitsStaff, Some(p)), Forbidden);
        }
        assert_eq!(check(Rule::Security, Some(&reporter)), Forbidden);
        assert_eq!(check(Rule::Security, Some(&team)), Allowed);
        assert_eq!(check(Rule::Security, Some(&national)), Allowed);
        // Even the national administrator holds no security role.
        for role in [
            Role::NationalAdmin,
            Role::BookingStaff,
            Role::CallsAdmin,
            Role::IdentityVerifier,
        ] {
            let other = user(Kind::Staff, Some(role), None);
            assert_eq!(check(Rule::Incidents, Some(&other)), Forbidden, "{role:?}");
            assert_eq!(check(Rule::Security, Some(&other)), Forbidden, "{role:?}");
        }
        assert!(team.reviews_incidents_at("hull"));
        assert!(!team.reviews_incidents_at("leeds"));
        assert!(national.reviews_incidents_at("leeds"));
        assert!(!reporter.reviews_incidents_at("hull"));
        assert!(reporter.reports_incidents_at("hull"));
        assert!(!reporter.reports_incidents_at("leeds"));
        assert_eq!(
            team.incident_establishments(),
            Some(vec!["hull".to_owned()])
        );
        assert_eq!(national.incident_establishments(), None);
    }

    #[test]
    fn a_provider_without_an_organisation_is_no_provider() {
        let orphan = user(Kind::DataLab, Some(Role::Provider), None);
        assert_eq!(check(Rule::Provider, Some(&orphan)), Decision::Forbidden);
        assert_eq!(check(Rule::DataLab, Some(&orphan)), Decision::Allowed);
    }

    #[test]
    fn a_role_without_its_kind_counts_for_nothing() {
        // Kind and role are stored apart; a staff role on a Data Lab
        // account must not make it staff.
        let odd = user(Kind::DataLab, Some(Role::NationalAdmin), None);
        assert_eq!(check(Rule::NationalAdmin, Some(&odd)), Decision::Forbidden);
        assert_eq!(check(Rule::Staff, Some(&odd)), Decision::Forbidden);
        let odd = user(Kind::Staff, Some(Role::Analyst), None);
        assert_eq!(check(Rule::Analyst, Some(&odd)), Decision::Forbidden);
    }
}
