//! The video calls system's lifecycles as data: a caller's identity check,
//! a request to be approved for a prisoner, and a call. Each is one table
//! the system's functions apply through the platform's engine and the
//! tests walk.
//!
//! ```text
//! caller:   unverified ─submit─► submitted ─verify─► verified
//!               ▲                   │
//!               └──── refused ◄─refuse
//!                  (resubmit from refused)
//!
//! contact request: waiting ─► approved | declined
//!
//! call:  invited ─confirm─► booked ─► completed | missed | fault
//!           │                 │
//!           └─decline─► declined   └─cancel─► cancelled
//!
//! live room:  open ─pause | face_pause─► paused ─resume | false_alarm─► open
//!               └──────────end | close──────┴──────────► ended
//! ```

use platform::accounts::Role;
use platform::workflow::{State, Transition, Who, Workflow};

macro_rules! states {
    ($name:ident { $($v:ident => $s:literal, $l:literal;)* }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name { $($v),* }
        impl $name {
            pub const ALL: [$name; [$($s),*].len()] = [$($name::$v),*];
            pub fn parse(s: &str) -> Option<$name> {
                match s { $($s => Some($name::$v),)* _ => None }
            }
        }
        impl State for $name {
            fn as_str(&self) -> &'static str { match self { $($name::$v => $s),* } }
            fn label(&self) -> &'static str { match self { $($name::$v => $l),* } }
        }
    };
}

states!(CallerStatus {
    Unverified => "unverified", "Not yet checked";
    Submitted => "submitted", "Waiting for a check";
    Verified => "verified", "Verified";
    Refused => "refused", "Not verified";
});

states!(RequestStatus {
    Waiting => "waiting", "Waiting for the prison";
    Approved => "approved", "Approved";
    Declined => "declined", "Not approved";
});

states!(CallStatus {
    Invited => "invited", "Waiting for you to confirm";
    Booked => "booked", "Booked";
    Declined => "declined", "Declined";
    Cancelled => "cancelled", "Cancelled";
    Completed => "completed", "Completed";
    Missed => "missed", "Missed";
    Fault => "fault", "Ended by a fault";
});

states!(RoomStatus {
    Open => "open", "Live";
    Paused => "paused", "Paused";
    Ended => "ended", "Ended";
});

/// Staff who run calls at an establishment.
pub const CALL_STAFF: [Who; 3] = [
    Who::Role(Role::CallsOfficer),
    Who::Role(Role::CallsAdmin),
    Who::Role(Role::NationalAdmin),
];

const VERIFIERS: [Who; 1] = [Who::Role(Role::IdentityVerifier)];

/// The caller sends their identity documents.
pub const SUBMIT: &str = "submit";
/// A verifier confirms the documents and the details typed.
pub const VERIFY: &str = "verify";
/// A verifier refuses them, with a reason the caller is told.
pub const REFUSE: &str = "refuse";

/// A caller's identity check.
pub static CALLER: Workflow<CallerStatus> = Workflow {
    noun: "caller",
    table: "callers",
    history: "caller_events",
    history_key: "caller_id",
    states: &CallerStatus::ALL,
    initial: CallerStatus::Unverified,
    transitions: &[
        Transition {
            action: SUBMIT,
            from: &[CallerStatus::Unverified, CallerStatus::Refused],
            to: CallerStatus::Submitted,
            who: &[Who::Visitor],
            audit: "caller.submit",
        },
        Transition {
            action: VERIFY,
            from: &[CallerStatus::Submitted],
            to: CallerStatus::Verified,
            who: &VERIFIERS,
            audit: "caller.verify",
        },
        Transition {
            action: REFUSE,
            from: &[CallerStatus::Submitted],
            to: CallerStatus::Refused,
            who: &VERIFIERS,
            audit: "caller.refuse",
        },
    ],
};

/// Staff approve a caller for a prisoner.
pub const APPROVE: &str = "approve";
/// Staff decline, with a reason.
pub const DECLINE_REQUEST: &str = "decline";

/// A caller's request to be approved for a prisoner.
pub static REQUEST: Workflow<RequestStatus> = Workflow {
    noun: "request",
    table: "contact_requests",
    history: "contact_request_events",
    history_key: "request_id",
    states: &RequestStatus::ALL,
    initial: RequestStatus::Waiting,
    transitions: &[
        Transition {
            action: APPROVE,
            from: &[RequestStatus::Waiting],
            to: RequestStatus::Approved,
            who: &CALL_STAFF,
            audit: "contact_request.approve",
        },
        Transition {
            action: DECLINE_REQUEST,
            from: &[RequestStatus::Waiting],
            to: RequestStatus::Declined,
            who: &CALL_STAFF,
            audit: "contact_request.decline",
        },
    ],
};

/// The family accepts a call the prisoner asked for.
pub const CONFIRM: &str = "confirm";
/// The family turns it down.
pub const DECLINE: &str = "decline";
/// The family cancels a booked call (before the cut-off).
pub const CANCEL: &str = "cancel";
/// Staff cancel a call.
pub const STAFF_CANCEL: &str = "staff_cancel";
/// Staff record that the call took place.
pub const COMPLETE: &str = "complete";
/// Staff record that the family did not join (it counts).
pub const MISSED: &str = "missed";
/// Staff record that a fault ended or prevented it (it does not count).
pub const FAULT: &str = "fault";

/// A call.
pub static CALL: Workflow<CallStatus> = Workflow {
    noun: "call",
    table: "calls",
    history: "call_events",
    history_key: "call_id",
    states: &CallStatus::ALL,
    // A call the prisoner asked for starts as an offer; one the family
    // books is created booked, as if confirmed in the same step.
    initial: CallStatus::Invited,
    transitions: &[
        Transition {
            action: CONFIRM,
            from: &[CallStatus::Invited],
            to: CallStatus::Booked,
            who: &[Who::Visitor],
            audit: "call.confirm",
        },
        Transition {
            action: DECLINE,
            from: &[CallStatus::Invited],
            to: CallStatus::Declined,
            who: &[Who::Visitor],
            audit: "call.decline",
        },
        Transition {
            action: CANCEL,
            from: &[CallStatus::Booked],
            to: CallStatus::Cancelled,
            who: &[Who::Visitor],
            audit: "call.cancel_by_caller",
        },
        Transition {
            action: STAFF_CANCEL,
            from: &[CallStatus::Invited, CallStatus::Booked],
            to: CallStatus::Cancelled,
            who: &CALL_STAFF,
            audit: "call.cancel",
        },
        Transition {
            action: COMPLETE,
            from: &[CallStatus::Booked],
            to: CallStatus::Completed,
            who: &CALL_STAFF,
            audit: "call.complete",
        },
        Transition {
            action: MISSED,
            from: &[CallStatus::Booked],
            to: CallStatus::Missed,
            who: &CALL_STAFF,
            audit: "call.missed",
        },
        Transition {
            action: FAULT,
            from: &[CallStatus::Booked],
            to: CallStatus::Fault,
            who: &CALL_STAFF,
            audit: "call.fault",
        },
    ],
};

/// Staff pause a live call.
pub const PAUSE: &str = "pause";
/// The face check pauses it: a face on the caller's video is not approved.
pub const FACE_PAUSE: &str = "face_pause";
/// Staff resume it.
pub const RESUME: &str = "resume";
/// Staff resume a call the face check paused in error: the paused minutes
/// go back to the allowance.
pub const FALSE_ALARM: &str = "false_alarm";
/// Staff end it.
pub const END: &str = "end";
/// The booked time is over.
pub const CLOSE: &str = "close";

/// A call's live room. The media server enforces each state: a paused room
/// forwards nothing, an ended one takes no one back.
pub static ROOM: Workflow<RoomStatus> = Workflow {
    noun: "call",
    table: "call_rooms",
    history: "call_room_events",
    history_key: "room_id",
    states: &RoomStatus::ALL,
    initial: RoomStatus::Open,
    transitions: &[
        Transition {
            action: PAUSE,
            from: &[RoomStatus::Open],
            to: RoomStatus::Paused,
            who: &CALL_STAFF,
            audit: "call.pause",
        },
        Transition {
            action: FACE_PAUSE,
            from: &[RoomStatus::Open],
            to: RoomStatus::Paused,
            who: &[Who::System],
            audit: "call.paused_face",
        },
        Transition {
            action: RESUME,
            from: &[RoomStatus::Paused],
            to: RoomStatus::Open,
            who: &CALL_STAFF,
            audit: "call.resume",
        },
        Transition {
            action: FALSE_ALARM,
            from: &[RoomStatus::Paused],
            to: RoomStatus::Open,
            who: &CALL_STAFF,
            audit: "call.false_alarm",
        },
        Transition {
            action: END,
            from: &[RoomStatus::Open, RoomStatus::Paused],
            to: RoomStatus::Ended,
            who: &CALL_STAFF,
            audit: "call.end",
        },
        Transition {
            action: CLOSE,
            from: &[RoomStatus::Open, RoomStatus::Paused],
            to: RoomStatus::Ended,
            who: &[Who::System],
            audit: "call.ended_on_time",
        },
    ],
};

impl CallStatus {
    /// Whether the call holds a place and minutes of the allowance.
    pub fn holds_place(self) -> bool {
        matches!(self, CallStatus::Invited | CallStatus::Booked)
    }

    /// Whether its minutes count against the prisoner's allowance: a call
    /// that happened or that the family missed does; one cancelled,
    /// declined or ended by a fault does not.
    pub fn counts(self) -> bool {
        matches!(
            self,
            CallStatus::Invited | CallStatus::Booked | CallStatus::Completed | CallStatus::Missed
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tables_are_sound() {
        CALLER.check().unwrap();
        REQUEST.check().unwrap();
        CALL.check().unwrap();
        ROOM.check().unwrap();
    }

    #[test]
    fn only_staff_resume_and_an_ended_room_stays_ended() {
        assert!(!ROOM.offers(RESUME, RoomStatus::Paused, Who::Visitor));
        assert!(!ROOM.offers(FALSE_ALARM, RoomStatus::Paused, Who::System));
        assert!(ROOM.offers(FACE_PAUSE, RoomStatus::Open, Who::System));
        for t in ROOM.transitions {
            assert!(
                !t.starts_from(RoomStatus::Ended),
                "{} leaves an ended room",
                t.action
            );
        }
    }

    #[test]
    fn only_verifiers_decide_identity_and_only_families_confirm() {
        let verify = CALLER.find(VERIFY).unwrap();
        assert!(verify.open_to(Who::Role(Role::IdentityVerifier)));
        assert!(!verify.open_to(Who::Role(Role::CallsOfficer)));
        assert!(!verify.open_to(Who::Visitor));
        assert!(CALL.offers(CONFIRM, CallStatus::Invited, Who::Visitor));
        assert!(!CALL.offers(CONFIRM, CallStatus::Invited, Who::Role(Role::CallsOfficer)));
        assert!(!CALL.allowed(CANCEL, CallStatus::Completed));
    }

    #[test]
    fn what_counts_against_the_allowance() {
        let counted: Vec<_> = CallStatus::ALL.iter().filter(|s| s.counts()).collect();
        assert_eq!(
            counted,
            [
                &CallStatus::Invited,
                &CallStatus::Booked,
                &CallStatus::Completed,
                &CallStatus::Missed
            ]
        );
    }
}
