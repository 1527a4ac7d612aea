//! An incident report's lifecycle as data: the one table of its states and
//! moves, applied through the platform's workflow engine and walked by the
//! tests. The states are HMPPS incident reporting's.
//!
//! ```text
//!          recall                  send back           resubmit
//!   draft ◄────── awaiting review ─────────► needs updating ───► updated
//!     │  submit ──────►  │  │  │                                  │
//!     │                  │  │  └─ hold ─► on hold                 │
//!     │                  │  └─ close ─► closed ◄──────────────────┘ (and from
//!     │                  │             │    │ request update        on hold,
//!     │                  │             │    └──► was closed ─► updated reopened)
//!     │                  │             └─ reopen ─► reopened
//!     └──────────────────┴─ duplicate / not reportable ─► (reopen)
//! ```
//!
//! Reporting officers submit, recall and resubmit; the security team
//! (HMPPS's data wardens) send back with a comment, put on hold, close,
//! mark a duplicate (naming the original) or not reportable, and reopen.
//! A draft the service raised from another system's concern is dismissed
//! by marking it not reportable.

use platform::accounts::Role;
use platform::workflow::{State, Transition, Who, Workflow};

/// A report's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    Draft,
    AwaitingReview,
    OnHold,
    NeedsUpdating,
    Updated,
    Closed,
    Duplicate,
    NotReportable,
    Reopened,
    WasClosed,
}

impl Status {
    pub const ALL: [Status; 10] = [
        Status::Draft,
        Status::AwaitingReview,
        Status::OnHold,
        Status::NeedsUpdating,
        Status::Updated,
        Status::Closed,
        Status::Duplicate,
        Status::NotReportable,
        Status::Reopened,
        Status::WasClosed,
    ];

    /// Whether the report is finished with (kept, then deleted on
    /// schedule).
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Status::Closed | Status::Duplicate | Status::NotReportable
        )
    }

    /// Whether the report counts in the statistics: submitted, and neither
    /// a duplicate nor not reportable.
    pub fn counts(self) -> bool {
        !matches!(
            self,
            Status::Draft | Status::Duplicate | Status::NotReportable
        )
    }

    /// Whether it is the reporting officer's turn to change it.
    pub fn reporters_turn(self) -> bool {
        matches!(
            self,
            Status::Draft | Status::NeedsUpdating | Status::WasClosed
        )
    }

    /// The statuses the statistics count, as stored.
    pub fn counted() -> Vec<&'static str> {
        Status::ALL
            .iter()
            .filter(|s| s.counts())
            .map(|s| s.as_str())
            .collect()
    }
}

impl State for Status {
    fn as_str(&self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::AwaitingReview => "awaiting_review",
            Status::OnHold => "on_hold",
            Status::NeedsUpdating => "needs_updating",
            Status::Updated => "updated",
            Status::Closed => "closed",
            Status::Duplicate => "duplicate",
            Status::NotReportable => "not_reportable",
            Status::Reopened => "reopened",
            Status::WasClosed => "was_closed",
        }
    }

    fn label(&self) -> &'static str {
        match self {
            Status::Draft => "Draft",
            Status::AwaitingReview => "Awaiting review",
            Status::OnHold => "On hold",
            Status::NeedsUpdating => "Needs updating",
            Status::Updated => "Updated",
            Status::Closed => "Closed",
            Status::Duplicate => "Duplicate",
            Status::NotReportable => "Not reportable",
            Status::Reopened => "Reopened",
            Status::WasClosed => "Was closed",
        }
    }
}

/// The reporting officer sends the report for review.
pub const SUBMIT: &str = "submit";
/// The reporting officer takes a report back before review.
pub const RECALL: &str = "recall";
/// The reporting officer sends the corrected report back, with a comment.
pub const RESUBMIT: &str = "resubmit";
/// The security team asks for corrections, with a comment.
pub const SEND_BACK: &str = "send_back";
/// The security team waits on something.
pub const HOLD: &str = "hold";
/// The security team accepts the report.
pub const CLOSE: &str = "close";
/// The security team finds another report of the same incident.
pub const DUPLICATE: &str = "mark_duplicate";
/// The security team finds it is not an incident to report (or dismisses
/// a draft the service raised).
pub const NOT_REPORTABLE: &str = "not_reportable";
/// The security team takes a finished report up again.
pub const REOPEN: &str = "reopen";
/// The security team asks for a post-incident update on a closed report.
pub const REQUEST_UPDATE: &str = "request_update";

/// Who reports: a reporting officer, or the security team filing one
/// themselves.
const REPORTERS: [Who; 3] = [
    Who::Role(Role::IncidentReporter),
    Who::Role(Role::SecurityTeam),
    Who::Role(Role::NationalSecurity),
];
/// Who reviews.
const WARDENS: [Who; 2] = [
    Who::Role(Role::SecurityTeam),
    Who::Role(Role::NationalSecurity),
];

use Status::*;

/// The report's states and moves.
pub static WORKFLOW: Workflow<Status> = Workflow {
    noun: "incident report",
    table: "incidents",
    history: "incident_events",
    history_key: "incident_id",
    states: &Status::ALL,
    initial: Draft,
    transitions: &[
        Transition {
            action: SUBMIT,
            from: &[Draft],
            to: AwaitingReview,
            who: &REPORTERS,
            audit: "incident.submit",
        },
        Transition {
            action: RECALL,
            from: &[AwaitingReview],
            to: Draft,
            who: &REPORTERS,
            audit: "incident.recall",
        },
        Transition {
            action: RESUBMIT,
            from: &[NeedsUpdating, WasClosed],
            to: Updated,
            who: &REPORTERS,
            audit: "incident.resubmit",
        },
        Transition {
            action: SEND_BACK,
            from: &[AwaitingReview, Updated, OnHold, Reopened],
            to: NeedsUpdating,
            who: &WARDENS,
            audit: "incident.send_back",
        },
        Transition {
            action: HOLD,
            from: &[AwaitingReview, Updated, Reopened],
            to: OnHold,
            who: &WARDENS,
            audit: "incident.hold",
        },
        Transition {
            action: CLOSE,
            from: &[AwaitingReview, Updated, OnHold, Reopened],
            to: Closed,
            who: &WARDENS,
            audit: "incident.close",
        },
        Transition {
            action: DUPLICATE,
            from: &[Draft, AwaitingReview, Updated, OnHold, Reopened],
            to: Duplicate,
            who: &WARDENS,
            audit: "incident.duplicate",
        },
        Transition {
            action: NOT_REPORTABLE,
            from: &[Draft, AwaitingReview, Updated, OnHold, Reopened],
            to: NotReportable,
            who: &WARDENS,
            audit: "incident.not_reportable",
        },
        Transition {
            action: REOPEN,
            from: &[Closed, Duplicate, NotReportable],
            to: Reopened,
            who: &WARDENS,
            audit: "incident.reopen",
        },
        Transition {
            action: REQUEST_UPDATE,
            from: &[Closed],
            to: WasClosed,
            who: &WARDENS,
            audit: "incident.request_update",
        },
    ],
};

/// How a move reads on a button.
pub fn button(action: &str) -> &'static str {
    match action {
        SUBMIT => "Submit for review",
        RECALL => "Recall the report",
        RESUBMIT => "Resubmit",
        SEND_BACK => "Send back for correction",
        HOLD => "Put on hold",
        CLOSE => "Close the report",
        DUPLICATE => "Mark as a duplicate",
        NOT_REPORTABLE => "Mark as not reportable",
        REOPEN => "Reopen",
        REQUEST_UPDATE => "Ask for a post-incident update",
        _ => "Continue",
    }
}

/// Whether a move must say why (its comment goes into the history).
pub fn needs_comment(action: &str) -> bool {
    matches!(
        action,
        RESUBMIT | SEND_BACK | HOLD | NOT_REPORTABLE | REOPEN | REQUEST_UPDATE
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sound() {
        WORKFLOW.check().unwrap();
    }

    /// The moves the issue describes, written out apart from the table.
    const EXPECTED: &[(&str, Status, Status)] = &[
        (SUBMIT, Draft, AwaitingReview),
        (RECALL, AwaitingReview, Draft),
        (RESUBMIT, NeedsUpdating, Updated),
        (RESUBMIT, WasClosed, Updated),
        (SEND_BACK, AwaitingReview, NeedsUpdating),
        (SEND_BACK, Updated, NeedsUpdating),
        (SEND_BACK, OnHold, NeedsUpdating),
        (SEND_BACK, Reopened, NeedsUpdating),
        (HOLD, AwaitingReview, OnHold),
        (HOLD, Updated, OnHold),
        (HOLD, Reopened, OnHold),
        (CLOSE, AwaitingReview, Closed),
        (CLOSE, Updated, Closed),
        (CLOSE, OnHold, Closed),
        (CLOSE, Reopened, Closed),
        (DUPLICATE, Draft, Duplicate),
        (DUPLICATE, AwaitingReview, Duplicate),
        (DUPLICATE, Updated, Duplicate),
        (DUPLICATE, OnHold, Duplicate),
        (DUPLICATE, Reopened, Duplicate),
        (NOT_REPORTABLE, Draft, NotReportable),
        (NOT_REPORTABLE, AwaitingReview, NotReportable),
        (NOT_REPORTABLE, Updated, NotReportable),
        (NOT_REPORTABLE, OnHold, NotReportable),
        (NOT_REPORTABLE, Reopened, NotReportable),
        (REOPEN, Closed, Reopened),
        (REOPEN, Duplicate, Reopened),
        (REOPEN, NotReportable, Reopened),
        (REQUEST_UPDATE, Closed, WasClosed),
    ];

    #[test]
    fn every_declared_move_is_allowed_and_every_other_refused() {
        for t in WORKFLOW.transitions {
            for from in Status::ALL {
                let expected = EXPECTED
                    .iter()
                    .any(|&(a, f, to)| a == t.action && f == from && to == t.to);
                assert_eq!(
                    WORKFLOW.allowed(t.action, from),
                    expected,
                    "{} from {from:?}",
                    t.action
                );
            }
        }
        for &(action, from, _) in EXPECTED {
            assert!(WORKFLOW.allowed(action, from), "{action} from {from:?}");
        }
        assert_eq!(
            WORKFLOW
                .transitions
                .iter()
                .map(|t| t.from.len())
                .sum::<usize>(),
            EXPECTED.len()
        );
    }

    #[test]
    fn reporters_and_wardens_each_get_their_own_buttons() {
        let offered = |state, role| {
            WORKFLOW
                .actions_from(state, Who::Role(role))
                .iter()
                .map(|t| t.action)
                .collect::<Vec<_>>()
        };
        assert_eq!(offered(Draft, Role::IncidentReporter), [SUBMIT]);
        assert_eq!(offered(AwaitingReview, Role::IncidentReporter), [RECALL]);
        assert_eq!(offered(NeedsUpdating, Role::IncidentReporter), [RESUBMIT]);
        assert!(offered(Closed, Role::IncidentReporter).is_empty());
        assert_eq!(
            offered(AwaitingReview, Role::SecurityTeam),
            [RECALL, SEND_BACK, HOLD, CLOSE, DUPLICATE, NOT_REPORTABLE]
        );
        assert_eq!(
            offered(Closed, Role::NationalSecurity),
            [REOPEN, REQUEST_UPDATE]
        );
        for role in [Role::NationalAdmin, Role::CallsAdmin, Role::BookingStaff] {
            for s in Status::ALL {
                assert!(offered(s, role).is_empty(), "{role:?} {s:?}");
            }
        }
        for s in Status::ALL {
            assert!(WORKFLOW.actions_from(s, Who::Visitor).is_empty());
        }
    }
}
