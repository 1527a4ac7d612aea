//! What a request's answer can be: the outcomes, the refusal reasons that
//! are not exemptions, and the Part II exemptions, each absolute or
//! qualified (FOIA s.2(3)). A qualified exemption is weighed in a public
//! interest test; an absolute one is not.

/// How a request was answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    Granted,
    PartGranted,
    Refused,
    NotHeld,
}

impl Outcome {
    pub const ALL: [Outcome; 4] = [
        Outcome::Granted,
        Outcome::PartGranted,
        Outcome::Refused,
        Outcome::NotHeld,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Granted => "granted",
            Outcome::PartGranted => "part_granted",
            Outcome::Refused => "refused",
            Outcome::NotHeld => "not_held",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Outcome::Granted => "Granted in full",
            Outcome::PartGranted => "Granted in part",
            Outcome::Refused => "Refused in full",
            Outcome::NotHeld => "Information not held",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == s)
    }

    /// Whether some information is withheld, so the letter is a refusal
    /// notice under s.17.
    pub fn withholds(self) -> bool {
        matches!(self, Outcome::PartGranted | Outcome::Refused)
    }
}

/// A refusal that is not an exemption: the request itself is the reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// s.1(3): the clarification asked for never came.
    NoClarification,
    /// s.12: answering would cost more than the appropriate limit.
    Cost,
    /// s.14(1): vexatious.
    Vexatious,
    /// s.14(2): repeated.
    Repeated,
}

impl Reason {
    pub const ALL: [Reason; 4] = [
        Reason::NoClarification,
        Reason::Cost,
        Reason::Vexatious,
        Reason::Repeated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Reason::NoClarification => "s1_3",
            Reason::Cost => "s12",
            Reason::Vexatious => "s14_1",
            Reason::Repeated => "s14_2",
        }
    }

    pub fn section(self) -> &'static str {
        match self {
            Reason::NoClarification => "section 1(3)",
            Reason::Cost => "section 12",
            Reason::Vexatious => "section 14(1)",
            Reason::Repeated => "section 14(2)",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Reason::NoClarification => "s.1(3): clarification not received",
            Reason::Cost => "s.12: cost of compliance exceeds the appropriate limit",
            Reason::Vexatious => "s.14(1): vexatious request",
            Reason::Repeated => "s.14(2): repeated request",
        }
    }

    pub fn parse(s: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// A Part II exemption.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exemption {
    /// Stored code ("s31_1_a").
    pub code: &'static str,
    /// As a letter cites it ("section 31(1)(a)").
    pub section: &'static str,
    /// What it protects, as a letter says it.
    pub title: &'static str,
    /// Absolute: no public interest test.
    pub absolute: bool,
}

impl Exemption {
    /// Short form for lists and statistics ("s.31(1)(a)").
    pub fn short(&self) -> String {
        self.section.replace("section ", "s.")
    }
}

const fn ex(
    code: &'static str,
    section: &'static str,
    title: &'static str,
    absolute: bool,
) -> Exemption {
    Exemption {
        code,
        section,
        title,
        absolute,
    }
}

/// Every exemption the service can apply, in the Act's order.
pub const EXEMPTIONS: &[Exemption] = &[
    ex(
        "s21",
        "section 21",
        "information reasonably accessible to the applicant by other means",
        true,
    ),
    ex(
        "s22",
        "section 22",
        "information intended for future publication",
        false,
    ),
    ex(
        "s23",
        "section 23",
        "information supplied by, or relating to, bodies dealing with security matters",
        true,
    ),
    ex("s24", "section 24", "national security", false),
    ex("s26", "section 26", "defence", false),
    ex("s27", "section 27", "international relations", false),
    ex(
        "s30",
        "section 30",
        "investigations and proceedings conducted by public authorities",
        false,
    ),
    ex(
        "s31_1_a",
        "section 31(1)(a)",
        "the prevention or detection of crime",
        false,
    ),
    ex(
        "s31_1_b",
        "section 31(1)(b)",
        "the apprehension or prosecution of offenders",
        false,
    ),
    ex(
        "s31_1_c",
        "section 31(1)(c)",
        "the administration of justice",
        false,
    ),
    ex(
        "s31_1_d",
        "section 31(1)(d)",
        "the assessment or collection of any tax or duty",
        false,
    ),
    ex(
        "s31_1_e",
        "section 31(1)(e)",
        "the operation of the immigration controls",
        false,
    ),
    ex(
        "s31_1_f",
        "section 31(1)(f)",
        "the maintenance of security and good order in prisons or in other institutions where persons are lawfully detained",
        false,
    ),
    ex(
        "s31_1_g",
        "section 31(1)(g)",
        "the exercise by a public authority of its functions for the purposes in section 31(2)",
        false,
    ),
    ex("s32", "section 32", "court records", true),
    ex(
        "s35",
        "section 35",
        "the formulation of government policy",
        false,
    ),
    ex(
        "s36",
        "section 36",
        "the effective conduct of public affairs",
        false,
    ),
    ex("s38", "section 38", "health and safety", false),
    ex(
        "s40_2",
        "section 40(2)",
        "personal information about someone other than the applicant",
        true,
    ),
    ex(
        "s41",
        "section 41",
        "information provided in confidence",
        true,
    ),
    ex("s42", "section 42", "legal professional privilege", false),
    ex("s43", "section 43", "commercial interests", false),
    ex(
        "s44",
        "section 44",
        "disclosure prohibited by another law",
        true,
    ),
];

/// The exemption stored as `code`.
pub fn find(code: &str) -> Option<&'static Exemption> {
    EXEMPTIONS.iter().find(|e| e.code == code)
}

/// What an estimate of the cost of compliance (s.12) counts: the four
/// activities the Fees Regulations allow.
pub const ACTIVITIES: [(&str, &str); 4] = [
    ("determine", "Determining whether the information is held"),
    ("locate", "Locating the information"),
    ("retrieve", "Retrieving the information"),
    ("extract", "Extracting the information"),
];

/// The rate the Fees Regulations set for staff time, in pence an hour.
pub const PENCE_PER_HOUR: i64 = 2_500;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_every_section_the_issue_names_is_there() {
        for (i, e) in EXEMPTIONS.iter().enumerate() {
            assert!(
                EXEMPTIONS[..i].iter().all(|o| o.code != e.code),
                "{}",
                e.code
            );
            assert_eq!(find(e.code), Some(e));
        }
        for s in [
            "21", "22", "23", "24", "26", "27", "30", "31(1)(a)", "31(1)(g)", "32", "35", "36",
            "38", "40(2)", "41", "42", "43", "44",
        ] {
            let section = format!("section {s}");
            assert!(EXEMPTIONS.iter().any(|e| e.section == section), "{section}");
        }
        // s.2(3)'s absolute exemptions among these.
        let absolute: Vec<_> = EXEMPTIONS
            .iter()
            .filter(|e| e.absolute)
            .map(|e| e.code)
            .collect();
        assert_eq!(absolute, ["s21", "s23", "s32", "s40_2", "s41", "s44"]);
    }
}
