//! Workflows as data: each system declares its record's states and every
//! move between them in one table, a [`Workflow`], and changes a status
//! only through [`Workflow::apply`].
//!
//! One table answers every question about a lifecycle: which moves exist
//! ([`Workflow::find`]), whether one may be made from a state
//! ([`Workflow::allowed`]), which buttons a page offers a user now
//! ([`Workflow::actions_from`]), and what a test must walk. One engine makes
//! the move: the conditional status update (so two people acting at once
//! cannot both move a record), the history row and the audit entry, all on
//! the caller's transaction, which may do more of its own work (a visit's
//! place in a session, a provider's email) and commits or rolls back the
//! lot. A move the table does not declare is refused with
//! [`Error::Conflict`] and writes nothing.
//!
//! Who may make a move is declared too ([`Transition::who`]), for the pages
//! to offer the right buttons; the routes enforce roles, as the engine is
//! handed an [`Actor`] (a key and a name), not a role.
//!
//! The records' tables share a shape the engine relies on: a text `id`
//! key, a text `status` and a BIGINT `updated_at`; their history tables
//! hold `id, <key>, at, actor, from_status, to_status, detail`.

use crate::accounts::{Kind, Role};
use crate::error::{Error, Result};
use crate::ids::new_id;
use crate::sessions::SessionUser;
use crate::{Actor, audit};

/// A record's status, as a workflow's table names it.
pub trait State: Copy + PartialEq + std::fmt::Debug + Send + Sync + 'static {
    /// The stored name.
    fn as_str(&self) -> &'static str;
    /// How people read it ("Returned for correction").
    fn label(&self) -> &'static str;
}

/// Who may make a move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// A member of the public acting on their own record.
    Visitor,
    /// An account holding this role.
    Role(Role),
    /// The service itself: a background run or a scheduled sweep.
    System,
}

impl Who {
    /// Every staff role of the prison service.
    pub const STAFF: [Who; 3] = [
        Who::Role(Role::BookingStaff),
        Who::Role(Role::EstablishmentAdmin),
        Who::Role(Role::NationalAdmin),
    ];

    /// Everyone a signed-in user is, for asking a table what they may do:
    /// a visitor, or each role their grants hold. A staff or Data Lab
    /// account without a grant may do nothing.
    pub fn of(user: &SessionUser) -> Vec<Who> {
        match user.kind {
            Kind::Visitor => vec![Who::Visitor],
            _ => {
                let mut roles: Vec<Who> = user.grants.iter().map(|g| Who::Role(g.role)).collect();
                roles.dedup();
                roles
            }
        }
    }

    /// A name for messages and tests.
    pub fn name(self) -> &'static str {
        match self {
            Who::Visitor => "visitor",
            Who::Role(r) => r.as_str(),
            Who::System => "system",
        }
    }
}

/// One declared move: `action` takes a record from any of `from` to `to`.
#[derive(Debug)]
pub struct Transition<S: 'static> {
    /// The move's name, unique in its table ("accept", "issue").
    pub action: &'static str,
    /// The states it may start from.
    pub from: &'static [S],
    /// The state it ends in.
    pub to: S,
    /// Who may make it.
    pub who: &'static [Who],
    /// The audit log's action for it ("visit.accept").
    pub audit: &'static str,
}

impl<S: State> Transition<S> {
    /// Whether the move may start from `state`.
    pub fn starts_from(&self, state: S) -> bool {
        self.from.contains(&state)
    }

    /// Whether `who` may make the move.
    pub fn open_to(&self, who: Who) -> bool {
        self.who.contains(&who)
    }
}

/// A record's lifecycle: its states, its moves, and where it is stored.
#[derive(Debug)]
pub struct Workflow<S: 'static> {
    /// What the record is called in messages ("visit", "request").
    pub noun: &'static str,
    /// The records' table.
    pub table: &'static str,
    /// The history table.
    pub history: &'static str,
    /// The history table's column naming the record.
    pub history_key: &'static str,
    /// Every state.
    pub states: &'static [S],
    /// The state a record is created in.
    pub initial: S,
    /// Every move; any other is refused.
    pub transitions: &'static [Transition<S>],
}

/// A value for a column a move sets besides the status: the schema's
/// portable types only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// TEXT, or NULL.
    Text(Option<String>),
    /// BIGINT, or NULL.
    Int(Option<i64>),
}

impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::Text(Some(v.to_owned()))
    }
}

impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::Text(Some(v))
    }
}

impl From<Option<String>> for Value {
    fn from(v: Option<String>) -> Value {
        Value::Text(v)
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Value {
        Value::Int(Some(v))
    }
}

impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Value {
        Value::Int(v)
    }
}

/// A move asked of one record.
#[derive(Debug, Clone)]
pub struct Change<'a, S> {
    id: &'a str,
    action: &'a str,
    actor: &'a Actor,
    at: i64,
    detail: &'a str,
    only_from: Option<S>,
    sets: Vec<(&'static str, Value)>,
}

impl<'a, S: State> Change<'a, S> {
    /// `actor` makes `action` on record `id` at `at`; `detail` is the
    /// history's line (which may quote people, so the audit entry does
    /// not repeat it).
    pub fn new(id: &'a str, action: &'a str, actor: &'a Actor, at: i64, detail: &'a str) -> Self {
        Change {
            id,
            action,
            actor,
            at,
            detail,
            only_from: None,
            sets: Vec::new(),
        }
    }

    /// Also sets `column` in the same update.
    pub fn set(mut self, column: &'static str, value: impl Into<Value>) -> Self {
        self.sets.push((column, value.into()));
        self
    }

    /// Moves only from `state`: for a caller that acted on the state it
    /// read before its transaction (cancelling a booked visit gives its
    /// place back), so that a record that moved meanwhile is refused, not
    /// moved on a stale reading.
    pub fn only_from(mut self, state: S) -> Self {
        self.only_from = Some(state);
        self
    }
}

/// at, actor, the actor's account name, from, to, detail.
type HistoryRow = (i64, String, Option<String>, Option<String>, String, String);

/// One line of a record's history as people read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub at: i64,
    /// Who: an account's name.
    pub actor: String,
    /// The stored state before, when it changed.
    pub from: Option<String>,
    /// The stored state after.
    pub to: String,
    pub detail: String,
}

/// One line of a record's history.
#[derive(Debug, Clone)]
pub struct Step<'a, S> {
    /// The record.
    pub id: &'a str,
    /// Who (an account key, or "visitor"/"system").
    pub actor: &'a str,
    /// When.
    pub at: i64,
    /// The state before, when it changed.
    pub from: Option<S>,
    /// The state after (the current one, for a step that moved nothing).
    pub to: S,
    /// What happened.
    pub detail: &'a str,
}

impl<S: State> Workflow<S> {
    /// The move called `action`.
    pub fn find(&self, action: &str) -> Option<&Transition<S>> {
        self.transitions.iter().find(|t| t.action == action)
    }

    /// Whether `action` is declared from `from`.
    pub fn allowed(&self, action: &str, from: S) -> bool {
        self.find(action).is_some_and(|t| t.starts_from(from))
    }

    /// Whether `who` may make `action` from `state`: what a page asks
    /// before offering a button.
    pub fn offers(&self, action: &str, state: S, who: Who) -> bool {
        self.find(action)
            .is_some_and(|t| t.starts_from(state) && t.open_to(who))
    }

    /// The moves `who` may make from `state`, in the table's order.
    pub fn actions_from(&self, state: S, who: Who) -> Vec<&Transition<S>> {
        self.transitions
            .iter()
            .filter(|t| t.starts_from(state) && t.open_to(who))
            .collect()
    }

    /// The states `action` may start from (none for an undeclared one).
    pub fn from_states(&self, action: &str) -> &'static [S] {
        self.find(action).map(|t| t.from).unwrap_or(&[])
    }

    /// The state stored as `name`.
    pub fn state(&self, name: &str) -> Option<S> {
        self.states.iter().copied().find(|s| s.as_str() == name)
    }

    /// Checks the table itself: safe names, every move's states among the
    /// declared ones, no action twice, no move to where it started, and
    /// every state but the first reachable. [`Error::Config`] lists what is
    /// wrong.
    pub fn check(&self) -> Result<()> {
        let mut problems = Vec::new();
        for (what, name) in [
            ("table", self.table),
            ("history table", self.history),
            ("history key", self.history_key),
        ] {
            if !is_identifier(name) {
                problems.push(format!("{what} {name:?} is not a plain SQL name"));
            }
        }
        if self.noun.trim().is_empty() {
            problems.push("the record has no name".to_owned());
        }
        for (i, s) in self.states.iter().enumerate() {
            if self.states[..i].iter().any(|o| o.as_str() == s.as_str()) {
                problems.push(format!("state {:?} is declared twice", s.as_str()));
            }
        }
        let known = |s: &S| self.states.contains(s);
        if !known(&self.initial) {
            problems.push(format!(
                "the first state {:?} is not declared",
                self.initial.as_str()
            ));
        }
        for (i, t) in self.transitions.iter().enumerate() {
            if t.action.trim().is_empty() {
                problems.push(format!("move {i} has no name"));
            }
            if self.transitions[..i].iter().any(|o| o.action == t.action) {
                problems.push(format!("move {:?} is declared twice", t.action));
            }
            if t.from.is_empty() {
                problems.push(format!("move {:?} starts from no state", t.action));
            }
            for s in t.from.iter().chain([&t.to]) {
                if !known(s) {
                    problems.push(format!(
                        "move {:?} names undeclared state {:?}",
                        t.action,
                        s.as_str()
                    ));
                }
            }
            if t.from.contains(&t.to) {
                problems.push(format!("move {:?} ends where it may start", t.action));
            }
            if t.who.is_empty() {
                problems.push(format!("nobody may make move {:?}", t.action));
            }
            if t.audit.trim().is_empty() {
                problems.push(format!("move {:?} has no audit action", t.action));
            }
        }
        for s in self.states {
            if *s != self.initial && !self.transitions.iter().any(|t| t.to == *s) {
                problems.push(format!("no move reaches state {:?}", s.as_str()));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::Config(format!(
                "the {} workflow: {}",
                self.noun,
                problems.join("; ")
            )))
        }
    }

    /// Makes a move on the caller's transaction: refuses one the table
    /// does not declare from the record's current state, then updates the
    /// status (and `sets`) on condition that it is still that state, and
    /// writes the history row and the audit entry. Returns the state it
    /// moved from.
    ///
    /// [`Error::NotFound`] when there is no such record; [`Error::Conflict`]
    /// when the move is undeclared, not declared from where the record is,
    /// or the record moved meanwhile. Nothing is written then, so the
    /// caller's transaction can still commit its other work or roll back.
    pub async fn apply(&self, conn: &mut sqlx::AnyConnection, change: &Change<'_, S>) -> Result<S> {
        let t = self.find(change.action).ok_or_else(|| {
            Error::Conflict(format!(
                "there is no step called {:?} for a {}",
                change.action, self.noun
            ))
        })?;
        self.check_names(&change.sets)?;
        let current: Option<String> =
            sqlx::query_scalar(&format!("SELECT status FROM {} WHERE id = $1", self.table))
                .bind(change.id)
                .fetch_optional(&mut *conn)
                .await?;
        let current = current.ok_or(Error::NotFound)?;
        let state = self.state(&current).ok_or_else(|| {
            Error::Corrupt(format!(
                "{} {} has status {current:?}",
                self.noun, change.id
            ))
        })?;
        if !t.starts_from(state) {
            return Err(Error::Conflict(format!(
                "the {} is {}, so it cannot become {}",
                self.noun,
                state.label().to_lowercase(),
                t.to.label().to_lowercase()
            )));
        }
        if change.only_from.is_some_and(|s| s != state) {
            return Err(self.moved_meanwhile());
        }
        let mut sql = format!("UPDATE {} SET status = $1, updated_at = $2", self.table);
        for (i, (column, _)) in change.sets.iter().enumerate() {
            sql.push_str(&format!(", {column} = ${}", i + 3));
        }
        let n = change.sets.len();
        sql.push_str(&format!(" WHERE id = ${} AND status = ${}", n + 3, n + 4));
        let mut update = sqlx::query(&sql).bind(t.to.as_str()).bind(change.at);
        for (_, value) in &change.sets {
            update = match value {
                Value::Text(v) => update.bind(v.clone()),
                Value::Int(v) => update.bind(*v),
            };
        }
        let done = update
            .bind(change.id)
            .bind(state.as_str())
            .execute(&mut *conn)
            .await?;
        if done.rows_affected() != 1 {
            return Err(self.moved_meanwhile());
        }
        self.record(
            conn,
            &Step {
                id: change.id,
                actor: &change.actor.id,
                at: change.at,
                from: Some(state),
                to: t.to,
                detail: change.detail,
            },
        )
        .await?;
        audit::record_at(
            conn,
            change.at,
            &change.actor.id,
            t.audit,
            change.id,
            &format!(
                "{} moved from {} to {} ({})",
                self.noun,
                state.as_str(),
                t.to.as_str(),
                t.action
            ),
        )
        .await?;
        Ok(state)
    }

    /// Writes a history row without moving the record: its creation, or a
    /// step that changes no status (a question asked, data destroyed).
    pub async fn record(&self, conn: &mut sqlx::AnyConnection, step: &Step<'_, S>) -> Result<()> {
        if !is_identifier(self.history) || !is_identifier(self.history_key) {
            return Err(Error::Config(format!(
                "the {} workflow's history table or key is not a plain SQL name",
                self.noun
            )));
        }
        sqlx::query(&format!(
            "INSERT INTO {} (id, {}, at, actor, from_status, to_status, detail) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            self.history, self.history_key
        ))
        .bind(new_id())
        .bind(step.id)
        .bind(step.at)
        .bind(step.actor)
        .bind(step.from.map(|s| s.as_str().to_owned()))
        .bind(step.to.as_str())
        .bind(step.detail)
        .execute(conn)
        .await?;
        Ok(())
    }

    /// A record's history, oldest first, each actor by the account's name
    /// ("Lifeline" for the service itself, the actor's own word for
    /// anyone without an account, such as an online form's requester).
    pub async fn history(&self, db: &crate::Db, id: &str) -> Result<Vec<Line>> {
        if !is_identifier(self.history) || !is_identifier(self.history_key) {
            return Err(Error::Config(format!(
                "the {} workflow's history table or key is not a plain SQL name",
                self.noun
            )));
        }
        let rows: Vec<HistoryRow> = sqlx::query_as(&format!(
            "SELECT h.at, h.actor, a.name, h.from_status, h.to_status, h.detail FROM {} h \
                 LEFT JOIN accounts a ON a.id = h.actor WHERE h.{} = $1 ORDER BY h.at, h.id",
            self.history, self.history_key
        ))
        .bind(id)
        .fetch_all(db.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(at, actor, name, from, to, detail)| Line {
                at,
                actor: name.unwrap_or(match actor.as_str() {
                    "system" => "Lifeline".to_owned(),
                    _ => actor,
                }),
                from,
                to,
                detail,
            })
            .collect())
    }

    fn moved_meanwhile(&self) -> Error {
        Error::Conflict(format!(
            "the {} changed while this was being done",
            self.noun
        ))
    }

    /// The table's and the columns' names go into SQL text, so only plain
    /// names pass; the engine's own columns are not for callers to set.
    fn check_names(&self, sets: &[(&'static str, Value)]) -> Result<()> {
        if !is_identifier(self.table) {
            return Err(Error::Config(format!(
                "the {} workflow's table {:?} is not a plain SQL name",
                self.noun, self.table
            )));
        }
        for (i, (column, _)) in sets.iter().enumerate() {
            if !is_identifier(column)
                || ["id", "status", "updated_at"].contains(column)
                || sets[..i].iter().any(|(c, _)| c == column)
            {
                return Err(Error::Config(format!(
                    "a {} move cannot set column {column:?}",
                    self.noun
                )));
            }
        }
        Ok(())
    }
}

/// A plain SQL name: a letter or underscore, then letters, digits and
/// underscores.
fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{Db, MIGRATIONS, Migration, Sync};

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Door {
        Shut,
        Open,
        Locked,
    }

    impl State for Door {
        fn as_str(&self) -> &'static str {
            match self {
                Door::Shut => "shut",
                Door::Open => "open",
                Door::Locked => "locked",
            }
        }

        fn label(&self) -> &'static str {
            match self {
                Door::Shut => "Shut",
                Door::Open => "Open",
                Door::Locked => "Locked",
            }
        }
    }

    static DOOR: Workflow<Door> = Workflow {
        noun: "door",
        table: "doors",
        history: "door_events",
        history_key: "door_id",
        states: &[Door::Shut, Door::Open, Door::Locked],
        initial: Door::Shut,
        transitions: &[
            Transition {
                action: "open",
                from: &[Door::Shut],
                to: Door::Open,
                who: &[Who::Visitor],
                audit: "door.open",
            },
            Transition {
                action: "close",
                from: &[Door::Open],
                to: Door::Shut,
                who: &[Who::Visitor, Who::System],
                audit: "door.close",
            },
            Transition {
                action: "lock",
                from: &[Door::Shut],
                to: Door::Locked,
                who: &[Who::Role(Role::NationalAdmin)],
                audit: "door.lock",
            },
        ],
    };

    const DOORS: &[Migration] = &[Migration {
        name: "test/doors",
        sql: "CREATE TABLE doors (id TEXT PRIMARY KEY, status TEXT NOT NULL, updated_at BIGINT NOT NULL, \
              painted TEXT, hinges BIGINT); \
              CREATE TABLE door_events (id TEXT PRIMARY KEY, door_id TEXT NOT NULL, at BIGINT NOT NULL, \
              actor TEXT NOT NULL, from_status TEXT, to_status TEXT NOT NULL, detail TEXT NOT NULL)",
        sqlite: &[],
        postgres: &[],
    }];

    #[test]
    fn the_table_answers_what_may_be_done() {
        DOOR.check().unwrap();
        assert!(DOOR.allowed("open", Door::Shut));
        assert!(!DOOR.allowed("open", Door::Open));
        assert!(!DOOR.allowed("kick", Door::Shut));
        let names = |who| {
            DOOR.actions_from(Door::Shut, who)
                .iter()
                .map(|t| t.action)
                .collect::<Vec<_>>()
        };
        assert_eq!(names(Who::Visitor), ["open"]);
        assert_eq!(names(Who::Role(Role::NationalAdmin)), ["lock"]);
        assert!(names(Who::System).is_empty());
        assert!(DOOR.offers("close", Door::Open, Who::System));
        assert!(!DOOR.offers("close", Door::Shut, Who::System));
        assert_eq!(DOOR.from_states("kick"), &[] as &[Door]);
    }

    #[test]
    fn a_faulty_table_is_reported() {
        static BAD: Workflow<Door> = Workflow {
            noun: "door",
            table: "doors; DROP TABLE x",
            history: "door_events",
            history_key: "door_id",
            states: &[Door::Shut, Door::Open],
            initial: Door::Shut,
            transitions: &[
                Transition {
                    action: "open",
                    from: &[Door::Shut],
                    to: Door::Locked,
                    who: &[],
                    audit: "door.open",
                },
                Transition {
                    action: "open",
                    from: &[],
                    to: Door::Shut,
                    who: &[Who::System],
                    audit: "",
                },
            ],
        };
        let Err(Error::Config(m)) = BAD.check() else {
            panic!("a faulty table passes");
        };
        for part in [
            "not a plain SQL name",
            "undeclared state \"locked\"",
            "nobody may make",
            "declared twice",
            "starts from no state",
            "no audit action",
            "no move reaches state \"open\"",
        ] {
            assert!(m.contains(part), "{part:?} missing from {m}");
        }
    }

    async fn doors() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
        let db = Db::connect(&url, 2, Sync::Normal, &[MIGRATIONS, DOORS])
            .await
            .unwrap();
        sqlx::query("INSERT INTO doors (id, status, updated_at) VALUES ('d', 'shut', 0)")
            .execute(db.writer())
            .await
            .unwrap();
        (dir, db)
    }

    async fn written(db: &Db) -> (String, i64, i64) {
        let status = sqlx::query_scalar("SELECT status FROM doors WHERE id = 'd'")
            .fetch_one(db.pool())
            .await
            .unwrap();
        let events = sqlx::query_scalar("SELECT COUNT(*) FROM door_events")
            .fetch_one(db.pool())
            .await
            .unwrap();
        let audits = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
            .fetch_one(db.pool())
            .await
            .unwrap();
        (status, events, audits)
    }

    #[tokio::test]
    async fn a_declared_move_writes_status_history_and_audit_together() {
        let (_dir, db) = doors().await;
        let actor = Actor {
            id: "acct".into(),
            name: "Ann".into(),
        };
        let mut tx = db.begin_write().await.unwrap();
        let from = DOOR
            .apply(
                &mut tx,
                &Change::new("d", "open", &actor, 42, "opened by Ann")
                    .set("painted", "blue")
                    .set("hinges", 3),
            )
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(from, Door::Shut);
        assert_eq!(written(&db).await, ("open".into(), 1, 1));
        let (painted, hinges, at): (String, i64, i64) =
            sqlx::query_as("SELECT painted, hinges, updated_at FROM doors WHERE id = 'd'")
                .fetch_one(db.pool())
                .await
                .unwrap();
        assert_eq!((painted.as_str(), hinges, at), ("blue", 3, 42));
        let (from, to, detail): (Option<String>, String, String) =
            sqlx::query_as("SELECT from_status, to_status, detail FROM door_events")
                .fetch_one(db.pool())
                .await
                .unwrap();
        assert_eq!(
            (from.as_deref(), to.as_str(), detail.as_str()),
            (Some("shut"), "open", "opened by Ann")
        );
        assert_eq!(
            crate::audit::count(&db, "door.open", Some("d"))
                .await
                .unwrap(),
            1
        );
    }

    #[tokio::test]
    async fn an_undeclared_move_is_refused_and_writes_nothing() {
        let (_dir, db) = doors().await;
        let actor = Actor::system();
        let mut tx = db.begin_write().await.unwrap();
        for (action, why) in [
            ("close", "the door is shut, so it cannot become shut"),
            ("kick", "there is no step called \"kick\" for a door"),
        ] {
            match DOOR
                .apply(&mut tx, &Change::new("d", action, &actor, 1, "x"))
                .await
            {
                Err(Error::Conflict(m)) => assert_eq!(m, why),
                other => panic!("{action}: {other:?}"),
            }
        }
        assert!(matches!(
            DOOR.apply(
                &mut tx,
                &Change::new("d", "open", &actor, 1, "x").only_from(Door::Open)
            )
            .await,
            Err(Error::Conflict(_))
        ));
        assert!(matches!(
            DOOR.apply(&mut tx, &Change::new("nope", "open", &actor, 1, "x"))
                .await,
            Err(Error::NotFound)
        ));
        for column in ["status", "painted = 'x' --"] {
            assert!(matches!(
                DOOR.apply(
                    &mut tx,
                    &Change::new("d", "open", &actor, 1, "x").set(column, 1)
                )
                .await,
                Err(Error::Config(_))
            ));
        }
        tx.commit().await.unwrap();
        assert_eq!(written(&db).await, ("shut".into(), 0, 0));
    }
}
