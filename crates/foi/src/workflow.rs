//! A case's lifecycle as data: three declared tables on the platform's
//! workflow engine, one for each clearance route, walked by the tests.
//!
//! ```text
//! standard:  unassigned ─assign─► awaiting responder ─accept─► drafting ─send─► closed
//!                 ▲                   │ reject                  │
//!                 └───────────────────┘                         │ (flagged)
//! flagged:                          drafting ─submit─► pending disclosure ─approve─► awaiting dispatch ─send─► closed
//!                                      ▲                  │ request amends
//!                                      └──────────────────┘
//! full approval: pending disclosure ─approve─► pending press office ─approve─► pending private office
//!                ─approve─► awaiting dispatch; the disclosure team may approve and bypass the rest
//! ```
//!
//! The case manager (the central FOI team) logs and assigns; a business
//! unit's responder accepts or rejects and drafts; the disclosure team, the
//! press office and the private office clear. Anyone on those three teams
//! can flag a case, which moves it from the standard table to the flagged
//! one (the disclosure team) or the full approval one (press or private
//! office), while it is still being drafted.

use platform::accounts::Role;
use platform::workflow::{State, Transition, Who, Workflow};

/// A case's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    Unassigned,
    AwaitingResponder,
    Drafting,
    PendingDisclosure,
    PendingPress,
    PendingPrivate,
    AwaitingDispatch,
    Closed,
}

impl Status {
    pub const ALL: [Status; 8] = [
        Status::Unassigned,
        Status::AwaitingResponder,
        Status::Drafting,
        Status::PendingDisclosure,
        Status::PendingPress,
        Status::PendingPrivate,
        Status::AwaitingDispatch,
        Status::Closed,
    ];

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Whether the draft may still change (and the case be flagged).
    pub fn drafting(self) -> bool {
        matches!(
            self,
            Status::Unassigned | Status::AwaitingResponder | Status::Drafting
        )
    }
}

impl State for Status {
    fn as_str(&self) -> &'static str {
        match self {
            Status::Unassigned => "unassigned",
            Status::AwaitingResponder => "awaiting_responder",
            Status::Drafting => "drafting",
            Status::PendingDisclosure => "pending_disclosure",
            Status::PendingPress => "pending_press",
            Status::PendingPrivate => "pending_private",
            Status::AwaitingDispatch => "awaiting_dispatch",
            Status::Closed => "closed",
        }
    }

    fn label(&self) -> &'static str {
        match self {
            Status::Unassigned => "Needs assigning",
            Status::AwaitingResponder => "Awaiting a responder",
            Status::Drafting => "Drafting the response",
            Status::PendingDisclosure => "Pending clearance by the disclosure team",
            Status::PendingPress => "Pending clearance by the press office",
            Status::PendingPrivate => "Pending clearance by the private office",
            Status::AwaitingDispatch => "Ready to send",
            Status::Closed => "Closed",
        }
    }
}

/// Which table a case follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Route {
    Standard,
    Flagged,
    Full,
}

impl Route {
    pub const ALL: [Route; 3] = [Route::Standard, Route::Flagged, Route::Full];

    pub fn as_str(self) -> &'static str {
        match self {
            Route::Standard => "standard",
            Route::Flagged => "flagged",
            Route::Full => "full",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Route::Standard => "Standard: the responder sends",
            Route::Flagged => "Flagged: the disclosure team clears",
            Route::Full => "Full approval: disclosure team, press office and private office",
        }
    }

    pub fn parse(s: &str) -> Option<Route> {
        Route::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn table(self) -> &'static Workflow<Status> {
        match self {
            Route::Standard => &STANDARD,
            Route::Flagged => &FLAGGED,
            Route::Full => &FULL,
        }
    }

    /// The route a flag by `role` moves a case on `self` to, if it moves.
    pub fn flagged_by(self, role: Role) -> Option<Route> {
        let to = match role {
            Role::FoiDisclosure => Route::Flagged,
            Role::FoiPress | Role::FoiPrivateOffice => Route::Full,
            _ => return None,
        };
        (to > self).then_some(to)
    }
}

pub const ASSIGN: &str = "assign";
pub const ACCEPT: &str = "accept";
pub const REJECT: &str = "reject";
pub const REASSIGN: &str = "reassign";
pub const SEND: &str = "send";
pub const SUBMIT: &str = "submit";
pub const APPROVE: &str = "approve";
pub const APPROVE_PRESS: &str = "approve_press";
pub const APPROVE_PRIVATE: &str = "approve_private";
pub const BYPASS: &str = "approve_bypass";
pub const AMEND: &str = "request_amends";
/// Each clearing team sends the draft back from its own step only.
pub const AMEND_PRESS: &str = "press_amends";
pub const AMEND_PRIVATE: &str = "private_amends";
/// The Commissioner's decision notice closes an appeal.
pub const ICO_DECISION: &str = "ico_decision";
/// An unpaid fee ends a request.
pub const LAPSE: &str = "lapse";

const MANAGER: Who = Who::Role(Role::FoiManager);
const RESPONDER: Who = Who::Role(Role::FoiResponder);
const DISCLOSURE: Who = Who::Role(Role::FoiDisclosure);
const PRESS: Who = Who::Role(Role::FoiPress);
const PRIVATE: Who = Who::Role(Role::FoiPrivateOffice);

use Status::*;

// One constant a move, so that a move the routes share is written once
// and each table lists the moves it has.

const ASSIGN_MOVE: Transition<Status> = Transition {
    action: ASSIGN,
    from: &[Unassigned],
    to: AwaitingResponder,
    who: &[MANAGER, DISCLOSURE],
    audit: "foi.assign",
};
const ACCEPT_MOVE: Transition<Status> = Transition {
    action: ACCEPT,
    from: &[AwaitingResponder],
    to: Drafting,
    who: &[RESPONDER],
    audit: "foi.accept",
};
const REJECT_MOVE: Transition<Status> = Transition {
    action: REJECT,
    from: &[AwaitingResponder],
    to: Unassigned,
    who: &[RESPONDER],
    audit: "foi.reject",
};
const REASSIGN_MOVE: Transition<Status> = Transition {
    action: REASSIGN,
    from: &[Drafting],
    to: AwaitingResponder,
    who: &[MANAGER, DISCLOSURE],
    audit: "foi.reassign",
};
const SUBMIT_MOVE: Transition<Status> = Transition {
    action: SUBMIT,
    from: &[Drafting],
    to: PendingDisclosure,
    who: &[RESPONDER],
    audit: "foi.submit",
};
const AMEND_MOVE: Transition<Status> = Transition {
    action: AMEND,
    from: &[PendingDisclosure],
    to: Drafting,
    who: &[DISCLOSURE],
    audit: "foi.request_amends",
};
const SEND_CLEARED: Transition<Status> = Transition {
    action: SEND,
    from: &[AwaitingDispatch],
    to: Closed,
    who: &[RESPONDER, DISCLOSURE],
    audit: "foi.send",
};
/// The fee went unpaid for three months (s.9(2)): the job runner closes
/// the request wherever it had got to.
const fn lapse(from: &'static [Status]) -> Transition<Status> {
    Transition {
        action: LAPSE,
        from,
        to: Closed,
        who: &[Who::System],
        audit: "foi.lapse",
    }
}

const STANDARD_MOVES: [Transition<Status>; 7] = [
    ASSIGN_MOVE,
    ACCEPT_MOVE,
    REJECT_MOVE,
    REASSIGN_MOVE,
    Transition {
        action: SEND,
        from: &[Drafting],
        to: Closed,
        who: &[RESPONDER],
        audit: "foi.send",
    },
    // An appeal to the Commissioner is worked on the standard table and
    // closed by the decision notice, whatever step it had reached.
    Transition {
        action: ICO_DECISION,
        from: &[Unassigned, AwaitingResponder, Drafting],
        to: Closed,
        who: &[MANAGER, DISCLOSURE],
        audit: "foi.appeal.decision",
    },
    lapse(&[Unassigned, AwaitingResponder, Drafting]),
];

const FLAGGED_MOVES: [Transition<Status>; 9] = [
    ASSIGN_MOVE,
    ACCEPT_MOVE,
    REJECT_MOVE,
    REASSIGN_MOVE,
    SUBMIT_MOVE,
    Transition {
        action: APPROVE,
        from: &[PendingDisclosure],
        to: AwaitingDispatch,
        who: &[DISCLOSURE],
        audit: "foi.approve",
    },
    AMEND_MOVE,
    SEND_CLEARED,
    lapse(&[
        Unassigned,
        AwaitingResponder,
        Drafting,
        PendingDisclosure,
        AwaitingDispatch,
    ]),
];

const FULL_MOVES: [Transition<Status>; 14] = [
    ASSIGN_MOVE,
    ACCEPT_MOVE,
    REJECT_MOVE,
    REASSIGN_MOVE,
    SUBMIT_MOVE,
    Transition {
        action: APPROVE,
        from: &[PendingDisclosure],
        to: PendingPress,
        who: &[DISCLOSURE],
        audit: "foi.approve",
    },
    Transition {
        action: BYPASS,
        from: &[PendingDisclosure],
        to: AwaitingDispatch,
        who: &[DISCLOSURE],
        audit: "foi.approve_bypass",
    },
    Transition {
        action: APPROVE_PRESS,
        from: &[PendingPress],
        to: PendingPrivate,
        who: &[PRESS],
        audit: "foi.approve_press",
    },
    Transition {
        action: APPROVE_PRIVATE,
        from: &[PendingPrivate],
        to: AwaitingDispatch,
        who: &[PRIVATE],
        audit: "foi.approve_private",
    },
    AMEND_MOVE,
    Transition {
        action: AMEND_PRESS,
        from: &[PendingPress],
        to: Drafting,
        who: &[PRESS],
        audit: "foi.request_amends",
    },
    Transition {
        action: AMEND_PRIVATE,
        from: &[PendingPrivate],
        to: Drafting,
        who: &[PRIVATE],
        audit: "foi.request_amends",
    },
    SEND_CLEARED,
    lapse(&[
        Unassigned,
        AwaitingResponder,
        Drafting,
        PendingDisclosure,
        PendingPress,
        PendingPrivate,
        AwaitingDispatch,
    ]),
];

const STANDARD_STATES: [Status; 4] = [Unassigned, AwaitingResponder, Drafting, Closed];
const FLAGGED_STATES: [Status; 6] = [
    Unassigned,
    AwaitingResponder,
    Drafting,
    PendingDisclosure,
    AwaitingDispatch,
    Closed,
];

/// The responder drafts and sends.
pub static STANDARD: Workflow<Status> = Workflow {
    noun: "case",
    table: "foi_cases",
    history: "foi_case_events",
    history_key: "case_id",
    states: &STANDARD_STATES,
    initial: Unassigned,
    transitions: &STANDARD_MOVES,
};

/// The disclosure team clears the draft.
pub static FLAGGED: Workflow<Status> = Workflow {
    noun: "case",
    table: "foi_cases",
    history: "foi_case_events",
    history_key: "case_id",
    states: &FLAGGED_STATES,
    initial: Unassigned,
    transitions: &FLAGGED_MOVES,
};

/// The disclosure team, the press office and the private office clear it
/// in turn.
pub static FULL: Workflow<Status> = Workflow {
    noun: "case",
    table: "foi_cases",
    history: "foi_case_events",
    history_key: "case_id",
    states: &Status::ALL,
    initial: Unassigned,
    transitions: &FULL_MOVES,
};

/// How a move reads on a button.
pub fn button(action: &str) -> &'static str {
    match action {
        ASSIGN => "Assign to a business unit",
        ICO_DECISION => "Record the decision notice",
        ACCEPT => "Accept the case",
        REJECT => "Reject the case",
        REASSIGN => "Assign to another business unit",
        SEND => "Send the response",
        SUBMIT => "Send for clearance",
        APPROVE => "Clear the response",
        APPROVE_PRESS => "Clear for the press office",
        APPROVE_PRIVATE => "Clear for the private office",
        BYPASS => "Clear and bypass further approvals",
        AMEND | AMEND_PRESS | AMEND_PRIVATE => "Request amends",
        _ => "Continue",
    }
}

/// Whether a move must say why (its comment goes into the timeline).
pub fn needs_comment(action: &str) -> bool {
    matches!(
        action,
        REJECT | AMEND | AMEND_PRESS | AMEND_PRIVATE | BYPASS
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tables_are_sound() {
        for r in Route::ALL {
            r.table().check().unwrap();
        }
    }

    type Moves = &'static [(&'static str, Status, Status)];

    /// The moves the issue describes, written out apart from the tables.
    const INTAKE: Moves = &[
        (ASSIGN, Unassigned, AwaitingResponder),
        (ACCEPT, AwaitingResponder, Drafting),
        (REJECT, AwaitingResponder, Unassigned),
        (REASSIGN, Drafting, AwaitingResponder),
    ];
    const STANDARD_EXPECTED: Moves = &[
        (SEND, Drafting, Closed),
        (ICO_DECISION, Unassigned, Closed),
        (ICO_DECISION, AwaitingResponder, Closed),
        (ICO_DECISION, Drafting, Closed),
        (LAPSE, Unassigned, Closed),
        (LAPSE, AwaitingResponder, Closed),
        (LAPSE, Drafting, Closed),
    ];
    const FLAGGED_EXPECTED: Moves = &[
        (SUBMIT, Drafting, PendingDisclosure),
        (APPROVE, PendingDisclosure, AwaitingDispatch),
        (AMEND, PendingDisclosure, Drafting),
        (SEND, AwaitingDispatch, Closed),
        (LAPSE, Unassigned, Closed),
        (LAPSE, AwaitingResponder, Closed),
        (LAPSE, Drafting, Closed),
        (LAPSE, PendingDisclosure, Closed),
        (LAPSE, AwaitingDispatch, Closed),
    ];
    const FULL_EXPECTED: Moves = &[
        (SUBMIT, Drafting, PendingDisclosure),
        (APPROVE, PendingDisclosure, PendingPress),
        (BYPASS, PendingDisclosure, AwaitingDispatch),
        (APPROVE_PRESS, PendingPress, PendingPrivate),
        (APPROVE_PRIVATE, PendingPrivate, AwaitingDispatch),
        (AMEND, PendingDisclosure, Drafting),
        (AMEND_PRESS, PendingPress, Drafting),
        (AMEND_PRIVATE, PendingPrivate, Drafting),
        (SEND, AwaitingDispatch, Closed),
        (LAPSE, Unassigned, Closed),
        (LAPSE, AwaitingResponder, Closed),
        (LAPSE, Drafting, Closed),
        (LAPSE, PendingDisclosure, Closed),
        (LAPSE, PendingPress, Closed),
        (LAPSE, PendingPrivate, Closed),
        (LAPSE, AwaitingDispatch, Closed),
    ];

    #[test]
    fn every_declared_move_is_allowed_and_every_other_refused() {
        for (route, own) in [
            (Route::Standard, STANDARD_EXPECTED),
            (Route::Flagged, FLAGGED_EXPECTED),
            (Route::Full, FULL_EXPECTED),
        ] {
            let table = route.table();
            let expected: Vec<_> = INTAKE.iter().chain(own).collect();
            for t in table.transitions {
                for from in Status::ALL {
                    let want = expected
                        .iter()
                        .any(|&&(a, f, to)| a == t.action && f == from && to == t.to);
                    assert_eq!(
                        table.allowed(t.action, from),
                        want,
                        "{route:?} {} from {from:?}",
                        t.action
                    );
                }
            }
            let declared: usize = table.transitions.iter().map(|t| t.from.len()).sum();
            assert_eq!(declared, expected.len(), "{route:?}");
        }
    }

    #[test]
    fn each_team_gets_its_own_buttons() {
        let offered = |route: Route, state, role| {
            route
                .table()
                .actions_from(state, Who::Role(role))
                .iter()
                .map(|t| t.action)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            offered(Route::Standard, Drafting, Role::FoiResponder),
            [SEND]
        );
        assert_eq!(
            offered(Route::Flagged, Drafting, Role::FoiResponder),
            [SUBMIT]
        );
        assert_eq!(
            offered(Route::Flagged, PendingDisclosure, Role::FoiDisclosure),
            [APPROVE, AMEND]
        );
        assert_eq!(
            offered(Route::Full, PendingDisclosure, Role::FoiDisclosure),
            [APPROVE, BYPASS, AMEND]
        );
        assert_eq!(
            offered(Route::Full, PendingPress, Role::FoiPress),
            [APPROVE_PRESS, AMEND_PRESS]
        );
        assert!(offered(Route::Full, PendingPress, Role::FoiPrivateOffice).is_empty());
        // The decision notice closes an appeal; the case page offers it on
        // appeals only, through its own form with the notice's date.
        assert_eq!(
            offered(Route::Standard, Unassigned, Role::FoiManager),
            [ASSIGN, ICO_DECISION]
        );
        for role in [Role::NationalAdmin, Role::SecurityTeam, Role::BookingStaff] {
            for route in Route::ALL {
                for s in Status::ALL {
                    assert!(offered(route, s, role).is_empty(), "{role:?} {s:?}");
                }
            }
        }
    }

    #[test]
    fn a_flag_only_ever_adds_clearance() {
        assert_eq!(
            Route::Standard.flagged_by(Role::FoiDisclosure),
            Some(Route::Flagged)
        );
        assert_eq!(
            Route::Standard.flagged_by(Role::FoiPress),
            Some(Route::Full)
        );
        assert_eq!(
            Route::Flagged.flagged_by(Role::FoiPrivateOffice),
            Some(Route::Full)
        );
        assert_eq!(Route::Full.flagged_by(Role::FoiDisclosure), None);
        assert_eq!(Route::Flagged.flagged_by(Role::FoiDisclosure), None);
        assert_eq!(Route::Standard.flagged_by(Role::FoiResponder), None);
        // A case flagged while drafting stays where it is: every drafting
        // state is in every table.
        for s in Status::ALL.into_iter().filter(|s| s.drafting()) {
            for r in Route::ALL {
                assert!(r.table().states.contains(&s));
            }
        }
    }
}
