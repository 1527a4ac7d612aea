//! A visit request's lifecycle as data: the one table of its states and
//! moves, which the request's functions apply through the platform's
//! engine and the tests walk.
//!
//! ```text
//! requested ─► booked ─► cancelled
//!     │                     ▲
//!     ├─► rejected          │
//!     └─────────────────────┘
//! ```
//!
//! Staff accept or reject a request; the visitor or staff may cancel one
//! that is waiting or booked. Cancelling is two moves, because who cancels
//! decides the email's wording and the audit action.

use platform::workflow::{Transition, Who, Workflow};

use crate::Status;

/// Staff book the request into one of the sessions the family chose.
pub const ACCEPT: &str = "accept";
/// Staff turn the request down with a standard reason.
pub const REJECT: &str = "reject";
/// The visitor calls off their own request or visit.
pub const CANCEL: &str = "cancel";
/// Staff call off a request or visit.
pub const STAFF_CANCEL: &str = "staff_cancel";

/// The visit request's states and moves.
pub static WORKFLOW: Workflow<Status> = Workflow {
    noun: "visit",
    table: "visits",
    history: "visit_events",
    history_key: "visit_id",
    states: &Status::ALL,
    initial: Status::Requested,
    transitions: &[
        Transition {
            action: ACCEPT,
            from: &[Status::Requested],
            to: Status::Booked,
            who: &Who::STAFF,
            audit: "visit.accept",
        },
        Transition {
            action: REJECT,
            from: &[Status::Requested],
            to: Status::Rejected,
            who: &Who::STAFF,
            audit: "visit.reject",
        },
        Transition {
            action: CANCEL,
            from: &[Status::Requested, Status::Booked],
            to: Status::Cancelled,
            who: &[Who::Visitor],
            audit: "visit.cancel_by_visitor",
        },
        // Staff cancel a booked visit; a waiting request is rejected, with
        // one of the standard reasons, instead.
        Transition {
            action: STAFF_CANCEL,
            from: &[Status::Booked],
            to: Status::Cancelled,
            who: &Who::STAFF,
            audit: "visit.cancel",
        },
    ],
};

#[cfg(test)]
mod tests {
    use super::*;
    use platform::accounts::Role;

    #[test]
    fn the_table_is_sound() {
        WORKFLOW.check().unwrap();
    }

    /// The moves the module's diagram draws, written out independently of
    /// the table: the table must declare exactly these.
    const DIAGRAM: &[(&str, Status, Status)] = &[
        (ACCEPT, Status::Requested, Status::Booked),
        (REJECT, Status::Requested, Status::Rejected),
        (CANCEL, Status::Requested, Status::Cancelled),
        (CANCEL, Status::Booked, Status::Cancelled),
        (STAFF_CANCEL, Status::Booked, Status::Cancelled),
    ];

    #[test]
    fn every_declared_move_is_allowed_and_every_other_refused() {
        for t in WORKFLOW.transitions {
            for from in Status::ALL {
                let drawn = DIAGRAM
                    .iter()
                    .any(|&(a, f, to)| a == t.action && f == from && to == t.to);
                assert_eq!(
                    WORKFLOW.allowed(t.action, from),
                    drawn,
                    "{} from {from:?}",
                    t.action
                );
            }
        }
        for &(action, from, _) in DIAGRAM {
            assert!(WORKFLOW.find(action).is_some(), "{action} is declared");
            assert!(WORKFLOW.allowed(action, from));
        }
        for from in Status::ALL {
            assert!(!WORKFLOW.allowed("book", from), "no such action");
        }
    }

    #[test]
    fn pages_offer_each_side_its_own_moves() {
        let offered = |state, who| {
            WORKFLOW
                .actions_from(state, who)
                .iter()
                .map(|t| t.action)
                .collect::<Vec<_>>()
        };
        for role in [
            Role::BookingStaff,
            Role::EstablishmentAdmin,
            Role::NationalAdmin,
        ] {
            let staff = Who::Role(role);
            assert_eq!(offered(Status::Requested, staff), [ACCEPT, REJECT]);
            assert_eq!(offered(Status::Booked, staff), [STAFF_CANCEL]);
        }
        assert_eq!(offered(Status::Requested, Who::Visitor), [CANCEL]);
        assert_eq!(offered(Status::Booked, Who::Visitor), [CANCEL]);
        for done in [Status::Rejected, Status::Cancelled] {
            for who in [Who::Visitor, Who::System, Who::Role(Role::NationalAdmin)] {
                assert!(offered(done, who).is_empty(), "{done:?} is final");
            }
        }
        assert!(offered(Status::Requested, Who::Role(Role::Analyst)).is_empty());
    }
}
