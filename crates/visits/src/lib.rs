//! Visit someone in prison: families request visits, prison staff process
//! them.
//!
//! Families sign up (the platform's accounts), request a visit to someone
//! in a prison or young offender institution, and follow and cancel their
//! requests; prison staff work through each establishment's queue,
//! accepting a request into one of the sessions the family chose (never
//! beyond a session's places) or rejecting it with a standard reason, and
//! set each establishment's visiting sessions, blocked dates, booking window
//! and notice. A request naming a visitor who is not on the prisoner's
//! approved list (where the platform keeps that list) is refused.
//!
//! This room may touch the platform (database, accounts, sessions, audit,
//! outbox, registry, approved contacts), the `ui` crate and the working-day
//! calendar, and nothing of any other system. Personal data enters only
//! through its forms and leaves only through the family's own pages,
//! audited staff views and subject access exports; [`retention`] deletes
//! visits seven years after they happen.

pub mod establishments;
mod model;
pub mod retention;
mod routes;
pub mod subject_access;
pub mod workflow;

use std::sync::Arc;

use maud::Markup;
use platform::sessions::SessionUser;
use platform::web::{Navigation, Platform};

pub use model::*;
pub use routes::router;

/// The platform's migrations for this system's tables.
pub const MIGRATIONS: &[platform::db::Migration] = &[platform::db::Migration {
    name: "visits/0001",
    sql: include_str!("../migrations/0001_visits.sql"),
    sqlite: &[],
    postgres: &[],
}];

/// The system's state: the platform, and the establishments' visiting
/// arrangements read once.
#[derive(Clone)]
pub struct Visits(Arc<Inner>);

#[doc(hidden)]
pub struct Inner {
    platform: Platform,
    establishments: tokio::sync::RwLock<Option<Arc<Vec<establishments::Establishment>>>>,
}

impl std::ops::Deref for Visits {
    type Target = Platform;
    fn deref(&self) -> &Platform {
        &self.0.platform
    }
}

impl Visits {
    /// The system on the platform.
    pub fn new(platform: Platform) -> Visits {
        Visits(Arc::new(Inner {
            platform,
            establishments: tokio::sync::RwLock::new(None),
        }))
    }

    /// The enabled establishments with their visiting settings, from
    /// memory after the first read.
    pub async fn establishments(
        &self,
    ) -> platform::Result<Arc<Vec<establishments::Establishment>>> {
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
}

/// The system's scheduled work, for the platform's job runner: retention
/// every `every`, on one instance at a time.
pub fn jobs(platform: &Platform, every: std::time::Duration) -> Vec<platform::jobs::Job> {
    let p = platform.clone();
    vec![platform::jobs::Job::new(
        "visits.retention",
        every,
        true,
        move || {
            let p = p.clone();
            async move { retention::run(&p.db, p.clock.today()).await }
        },
    )]
}

/// The service's name and menus.
pub struct Menu;

impl Navigation for Menu {
    fn service(&self) -> &'static str {
        "Visit someone in prison"
    }

    fn home(&self, user: &SessionUser) -> Option<&'static str> {
        match user.kind {
            platform::accounts::Kind::Visitor => Some("/visits"),
            platform::accounts::Kind::Staff if works_visits(user) => Some("/staff"),
            _ => None,
        }
    }

    fn links(&self, user: &SessionUser) -> Vec<(String, String)> {
        match user.kind {
            platform::accounts::Kind::Visitor => vec![
                ("/book".into(), "Book a visit".into()),
                ("/visits".into(), "Your visits".into()),
            ],
            platform::accounts::Kind::Staff if works_visits(user) => {
                vec![("/staff".into(), "Visit requests".into())]
            }
            _ => Vec::new(),
        }
    }
}

/// Whether a member of staff holds a role of this system (or is a
/// national administrator): staff of other systems only are not sent here.
fn works_visits(user: &SessionUser) -> bool {
    use platform::accounts::Role;
    user.has(Role::BookingStaff)
        || user.has(Role::EstablishmentAdmin)
        || user.has(Role::NationalAdmin)
}

/// A visit's status tag.
pub fn tag(status: Status) -> Markup {
    let colour = match status {
        Status::Requested => "govuk-tag--blue",
        Status::Booked => "govuk-tag--green",
        Status::Rejected => "govuk-tag--red",
        Status::Cancelled => "govuk-tag--grey",
    };
    ui::tag(colour, status.label())
}
