//! The response letter, in the structure of the Ministry's own: addresses,
//! date, "Freedom of Information Act (FOIA) Request - <number>", the
//! request quoted, how it was handled, whether the information is held,
//! each exemption with why it applies, the public interest factors and
//! the balance, advice and assistance, the appeal rights with their dates,
//! and the signature.
//!
//! The letter is built once as blocks, then drawn as HTML (the page, and
//! the PDF printed from it) or as plain text (the email). The blocks a
//! refusal notice needs carry the part of s.17 they satisfy, so
//! [`missing_parts`] can refuse to send a notice that lacks one.

use chrono::{Months, NaiveDate};
use maud::{DOCTYPE, Markup, html};

use crate::cases::{Case, Decision, Kind, REVIEW_OUTCOMES};
use crate::exemptions::{self, ACTIVITIES, Outcome, Reason};

/// Who the letter comes from.
#[derive(Debug, Clone)]
pub struct Sender {
    pub organisation: String,
    pub team: String,
    pub address: Vec<String>,
    pub email: String,
    /// The appropriate limit for s.12, in pence.
    pub cost_limit_pence: i64,
}

/// The parts a refusal notice must have (FOIA s.17).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Part {
    /// s.17(1)(a), s.17(5): says that information is withheld or that the
    /// request is refused.
    StatesRefusal,
    /// s.17(1)(b): names each exemption.
    NamesExemption,
    /// s.17(1)(c): says why each exemption applies.
    SaysWhy,
    /// s.17(3): the reasons the public interest favours withholding; or,
    /// s.17(2), that it is still being weighed and when it will be decided.
    PublicInterest,
    /// s.17(7)(a): the complaints procedure (internal review).
    Complaints,
    /// s.17(7)(b): the right to apply to the Information Commissioner
    /// (s.50).
    Commissioner,
}

impl Part {
    pub fn label(self) -> &'static str {
        match self {
            Part::StatesRefusal => "s.17(1)(a): states that information is withheld",
            Part::NamesExemption => "s.17(1)(b): specifies the exemption",
            Part::SaysWhy => "s.17(1)(c): states why the exemption applies",
            Part::PublicInterest => {
                "s.17(3): the public interest reasons (or s.17(2): when they will be decided)"
            }
            Part::Complaints => "s.17(7)(a): the internal review procedure",
            Part::Commissioner => {
                "s.17(7)(b): the right to complain to the Information Commissioner"
            }
        }
    }
}

#[derive(Debug, Clone)]
enum Block {
    Heading(String),
    SubHeading(String),
    Para(String, &'static [Part]),
    Quote(String),
    Bullets(Vec<String>, &'static [Part]),
    Table(Vec<(String, String)>),
}

/// A letter ready to draw.
#[derive(Debug, Clone)]
pub struct Letter {
    pub number: String,
    pub date: NaiveDate,
    pub to_name: String,
    pub to_address: Vec<String>,
    pub sender: Sender,
    blocks: Vec<Block>,
}

fn long(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// The parts `c`'s letter must carry: none for a letter that withholds
/// nothing.
pub fn required_parts(c: &Case, d: &Decision) -> Vec<Part> {
    let withholds = d.outcome.is_some_and(Outcome::withholds) || d.ncnd;
    if c.kind == Kind::Appeal || c.kind.is_review() || !withholds {
        return Vec::new();
    }
    let mut parts = vec![Part::StatesRefusal];
    if !d.exemptions.is_empty() {
        parts.extend([Part::NamesExemption, Part::SaysWhy]);
    }
    if d.qualified().next().is_some() {
        parts.push(Part::PublicInterest);
    }
    parts.extend([Part::Complaints, Part::Commissioner]);
    parts
}

/// The parts of s.17 the letter needs but lacks.
pub fn missing_parts(c: &Case, d: &Decision, l: &Letter) -> Vec<Part> {
    let has = |p: Part| {
        l.blocks.iter().any(|b| match b {
            Block::Para(t, parts) => parts.contains(&p) && !t.trim().is_empty(),
            Block::Bullets(items, parts) => {
                parts.contains(&p) && items.iter().any(|i| !i.trim().is_empty())
            }
            _ => false,
        })
    };
    required_parts(c, d)
        .into_iter()
        .filter(|p| !has(*p))
        .collect()
}

/// Builds the letter for `c` dated `date`. `anonymous` leaves out the
/// requester's name and address, for the disclosure log.
pub fn build(c: &Case, d: &Decision, sender: &Sender, date: NaiveDate, anonymous: bool) -> Letter {
    let mut b: Vec<Block> = Vec::new();
    let org = &sender.organisation;
    let short = short_name(org);
    let review = c.kind.is_review();
    let heading = if review {
        format!(
            "Freedom of Information Act (FOIA) Internal Review - {}",
            c.number
        )
    } else {
        format!("Freedom of Information Act (FOIA) Request - {}", c.number)
    };
    b.push(Block::Heading(heading));
    if review {
        b.push(Block::Para(
            format!(
                "Thank you for your email of {} asking for an internal review of our response to your request. You said:",
                long(c.received_on)
            ),
            &[],
        ));
        b.push(Block::Quote(c.request.clone()));
        b.push(Block::Para(
            "An internal review is carried out by someone who was not involved in the original response. They have looked again at the request, the information held and how the response was handled.".into(),
            &[],
        ));
        let outcome = d
            .review_outcome
            .as_deref()
            .and_then(|o| REVIEW_OUTCOMES.iter().find(|(k, _)| *k == o))
            .map(|(_, v)| *v)
            .unwrap_or("Not yet decided");
        b.push(Block::SubHeading(format!(
            "Outcome of the review: {outcome}"
        )));
        push_paragraphs(&mut b, &d.explanation, &[]);
        b.push(Block::SubHeading("Your right to complain".into()));
        b.push(Block::Para(
            "If you are not satisfied with this review, you may apply to the Information Commissioner for a decision on whether your request has been dealt with according to the Act (section 50 of the FOIA). You can contact the Information Commissioner's Office (ICO) at https://ico.org.uk/make-a-complaint or at Wycliffe House, Water Lane, Wilmslow, Cheshire SK9 5AF.".into(),
            &[Part::Commissioner],
        ));
        return finish(c, sender, date, anonymous, b);
    }
    b.push(Block::Para(
        format!(
            "Thank you for your request dated {} in which you asked for the following information from the {org} ({short}):",
            long(c.received_on)
        ),
        &[],
    ));
    b.push(Block::Quote(c.request.clone()));
    if let Some(asked) = c.clarified_on {
        b.push(Block::Para(
            format!(
                "You clarified your request on {}, and we have answered it as clarified.",
                long(asked)
            ),
            &[],
        ));
    }
    b.push(Block::Para(
        "Your request has been handled under the FOIA.".into(),
        &[],
    ));
    let outcome = d.outcome;
    if d.ncnd {
        b.push(Block::Para(
            format!(
                "The {short} can neither confirm nor deny whether it holds the information you requested."
            ),
            &[Part::StatesRefusal],
        ));
    } else {
        match outcome {
            Some(Outcome::NotHeld) => b.push(Block::Para(
                format!("I can confirm that the {short} does not hold the information you have requested."),
                &[],
            )),
            Some(_) if d.reason.is_none() => b.push(Block::Para(
                format!("I can confirm that the {short} holds the information that you have requested."),
                &[],
            )),
            _ => {}
        }
    }
    match (outcome, d.reason) {
        (_, Some(Reason::Cost)) => {
            let pence = d.cost_pence();
            b.push(Block::Para(
                format!(
                    "We are not obliged to comply with your request, because the cost of doing so would exceed the appropriate limit of £{} set by the Freedom of Information and Data Protection (Appropriate Limit and Fees) Regulations 2004. Section 12 of the FOIA allows us to refuse a request on that ground. We estimate it would cost £{} to determine whether the information is held, and to locate, retrieve and extract it, at £25 an hour:",
                    sender.cost_limit_pence / 100,
                    pence / 100
                ),
                &[Part::StatesRefusal],
            ));
            if !d.aggregated.is_empty() {
                let numbers: Vec<String> = d.aggregated.iter().map(|a| a.1.clone()).collect();
                b.push(Block::Para(
                    format!(
                        "The Regulations allow us to add together the cost of requests for similar information made by the same person within 60 working days, and we have done so with your request{} {}.",
                        if numbers.len() == 1 { "" } else { "s" },
                        and_list(&numbers)
                    ),
                    &[Part::StatesRefusal],
                ));
            }
            b.push(Block::Table(
                d.costs
                    .iter()
                    .map(|(a, m, note)| {
                        let label = ACTIVITIES.iter().find(|(k, _)| k == a).map(|(_, v)| *v).unwrap_or(a);
                        let hours = *m as f64 / 60.0;
                        (
                            if note.trim().is_empty() { label.to_owned() } else { format!("{label}: {}", note.trim()) },
                            format!("{hours:.1} hours"),
                        )
                    })
                    .chain(d.aggregated.iter().map(|(_, number, m)| {
                        (
                            format!("Your related request {number}"),
                            format!("{:.1} hours", *m as f64 / 60.0),
                        )
                    }))
                    .collect(),
            ));
        }
        (_, Some(r @ (Reason::Vexatious | Reason::Repeated))) => b.push(Block::Para(
            format!(
                "We are refusing your request under {} of the FOIA, which does not oblige a public authority to comply with a request that is {}.",
                r.section(),
                if r == Reason::Vexatious { "vexatious" } else { "identical or substantially similar to one it has already answered, unless a reasonable interval has passed" }
            ),
            &[Part::StatesRefusal],
        )),
        (_, Some(Reason::NoClarification)) => b.push(Block::Para(
            "We asked you to clarify your request and have not had a reply. Under section 1(3) of the FOIA we do not have to comply with the request until we have the information we asked for. If you still want the information, please reply with the clarification and we will treat it as a new request.".into(),
            &[Part::StatesRefusal],
        )),
        _ => {}
    }
    push_paragraphs(&mut b, &d.explanation, &[]);
    if !d.exemptions.is_empty() {
        let withheld = if outcome == Some(Outcome::PartGranted) {
            "some of the information is exempt from disclosure"
        } else {
            "the information is exempt from disclosure"
        };
        let mut sections: Vec<String> = Vec::new();
        let mut titles: Vec<&str> = Vec::new();
        for a in &d.exemptions {
            if let Some(e) = exemptions::find(&a.code) {
                sections.push(e.section.to_owned());
                titles.push(e.title);
            }
        }
        // Section 31's limbs are each a prejudice to something, as the
        // Ministry's letters say in one sentence; other exemptions are
        // explained one by one below.
        let because = if d.exemptions.iter().all(|a| a.code.starts_with("s31")) {
            format!(
                ", because disclosure would be likely to prejudice {}",
                and_list(&titles.iter().map(|t| t.to_string()).collect::<Vec<_>>())
            )
        } else {
            ", for the reasons set out below".to_owned()
        };
        b.push(Block::Para(
            format!(
                "However, {withheld} under {} of the FOIA{because}.",
                and_list(&sections)
            ),
            &[Part::StatesRefusal],
        ));
        // One paragraph an exemption: which it is and why it applies
        // (s.17(1)(b) and (c)).
        for a in &d.exemptions {
            if let Some(e) = exemptions::find(&a.code) {
                b.push(Block::Para(
                    format!(
                        "{} ({}): {}",
                        capital(e.section),
                        e.title,
                        a.explanation.trim()
                    ),
                    &[Part::NamesExemption, Part::SaysWhy],
                ));
            }
        }
        for a in &d.exemptions {
            let Some(e) = exemptions::find(&a.code) else {
                continue;
            };
            if e.absolute {
                b.push(Block::Para(
                    format!(
                        "{} is an absolute exemption, which means there is no need to consider whether the public interest favours disclosure.",
                        capital(e.section)
                    ),
                    &[],
                ));
            }
        }
        let qualified: Vec<_> = d.qualified().collect();
        if !qualified.is_empty() {
            let names: Vec<String> = qualified
                .iter()
                .filter_map(|a| exemptions::find(&a.code).map(|e| e.section.to_owned()))
                .collect();
            b.push(Block::Para(
                format!(
                    "{} {} a qualified exemption, which means that the decision to disclose the requested material is subject to the public interest test. When assessing whether or not it was in the public interest to disclose the information to you, we took into account the following factors:",
                    capital(&and_list(&names)),
                    if names.len() == 1 { "is" } else { "are each" }
                ),
                &[],
            ));
            let pending = c.extension_days > 0
                && qualified
                    .iter()
                    .all(|a| a.balance.as_deref().is_none_or(|s| s.trim().is_empty()));
            if pending {
                b.push(Block::Para(
                    format!(
                        "We have not yet reached a decision on where the balance of the public interest lies. We need more time to consider it, and expect to tell you our decision by {}.",
                        c.due_on.map(long).unwrap_or_default()
                    ),
                    &[Part::PublicInterest],
                ));
            }
            for a in qualified {
                let title = if d.exemptions.len() > 1 {
                    exemptions::find(&a.code)
                        .map(|e| format!(" ({})", e.section))
                        .unwrap_or_default()
                } else {
                    String::new()
                };
                b.push(Block::SubHeading(format!(
                    "Public interest considerations favouring disclosure{title}"
                )));
                b.push(Block::Bullets(a.for_disclosure.clone(), &[]));
                b.push(Block::SubHeading(format!(
                    "Public interest considerations favouring withholding the information{title}"
                )));
                b.push(Block::Bullets(a.against.clone(), &[Part::PublicInterest]));
                if let Some(bal) = a.balance.as_deref().filter(|s| !s.trim().is_empty()) {
                    b.push(Block::Para(bal.trim().to_owned(), &[Part::PublicInterest]));
                }
            }
        }
    }
    if !d.advice.trim().is_empty() {
        b.push(Block::SubHeading("Advice and assistance".into()));
        push_paragraphs(&mut b, &d.advice, &[]);
    }
    b.push(Block::SubHeading("Appeal Rights".into()));
    let review_by = date + Months::new(2);
    b.push(Block::Para(
        format!(
            "If you are not satisfied with this response you have the right to request an internal review by responding in writing to one of the addresses below within two months of the date of this response, that is by {}.",
            long(review_by)
        ),
        &[Part::Complaints],
    ));
    b.push(Block::Para(
        format!(
            "{} | {}, {}",
            sender.email, sender.team, sender.organisation
        ),
        &[],
    ));
    b.push(Block::Para(
        "You do have the right to ask the Information Commissioner's Office (ICO) to investigate any aspect of your complaint (section 50 of the FOIA). However, please note that the ICO is likely to expect internal complaints procedures to have been exhausted before beginning their investigation. You can contact the ICO at https://ico.org.uk/make-a-complaint or at Wycliffe House, Water Lane, Wilmslow, Cheshire SK9 5AF.".into(),
        &[Part::Commissioner],
    ));
    finish(c, sender, date, anonymous, b)
}

fn finish(
    c: &Case,
    sender: &Sender,
    date: NaiveDate,
    anonymous: bool,
    blocks: Vec<Block>,
) -> Letter {
    let (to_name, to_address) = if anonymous {
        ("Requester".to_owned(), Vec::new())
    } else {
        let mut addr = Vec::new();
        if c.delivery == "email" {
            addr.extend(c.requester_email.clone());
        } else if let Some(a) = &c.requester_address {
            addr.extend(
                a.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned),
            );
        }
        (
            c.requester_name
                .clone()
                .unwrap_or_else(|| "Requester".into()),
            addr,
        )
    };
    Letter {
        number: c.number.clone(),
        date,
        to_name,
        to_address,
        sender: sender.clone(),
        blocks,
    }
}

fn push_paragraphs(b: &mut Vec<Block>, text: &str, parts: &'static [Part]) {
    for p in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        b.push(Block::Para(p.to_owned(), parts));
    }
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// "Ministry of Justice" -> "MoJ"; anything else as given.
fn short_name(org: &str) -> String {
    if org == "Ministry of Justice" {
        "MoJ".into()
    } else {
        org.into()
    }
}

impl Letter {
    fn salutation(&self) -> String {
        if self.to_name == "Requester" {
            "Dear Requester".into()
        } else {
            format!("Dear {}", self.to_name)
        }
    }

    /// The letter as a standalone, printable page.
    pub fn html(&self) -> Markup {
        html! {
            (DOCTYPE)
            html lang="en" {
                head {
                    meta charset="utf-8";
                    title { "FOIA Request " (self.number) }
                    style { (maud::PreEscaped(STYLE)) }
                }
                body {
                    main class="letter" {
                        div class="crest" { (self.sender.organisation) }
                        div class="addresses" {
                            div class="to" {
                                p { (self.to_name) }
                                @for l in &self.to_address { p { (l) } }
                            }
                            div class="from" {
                                p { (self.sender.team) }
                                p { (self.sender.organisation) }
                                @for l in &self.sender.address { p { (l) } }
                                p class="gap" { (self.sender.email) }
                            }
                        }
                        p class="date" { (long(self.date)) }
                        p { (self.salutation()) }
                        @for b in &self.blocks {
                            @match b {
                                Block::Heading(t) => h1 { (t) },
                                Block::SubHeading(t) => h2 { (t) },
                                Block::Para(t, _) => p { (t) },
                                Block::Quote(t) => blockquote { @for p in t.split("\n\n") { p { (p) } } },
                                Block::Bullets(items, _) => ul { @for i in items { li { (i) } } },
                                Block::Table(rows) => table {
                                    @for (k, v) in rows { tr { td { (k) } td class="num" { (v) } } }
                                },
                            }
                        }
                        p class="gap" { "Yours sincerely," }
                        p class="signature" { (self.sender.team) }
                        p { (self.sender.organisation) }
                    }
                }
            }
        }
    }

    /// The letter as plain text, for the email.
    pub fn text(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!("{}\n\n{}\n\n", long(self.date), self.salutation()));
        for b in &self.blocks {
            match b {
                Block::Heading(t) | Block::SubHeading(t) => out.push_str(&format!("{t}\n\n")),
                Block::Para(t, _) => out.push_str(&format!("{t}\n\n")),
                Block::Quote(t) => {
                    for l in t.lines() {
                        out.push_str(&format!("> {l}\n"));
                    }
                    out.push('\n');
                }
                Block::Bullets(items, _) => {
                    for i in items {
                        out.push_str(&format!("- {i}\n"));
                    }
                    out.push('\n');
                }
                Block::Table(rows) => {
                    for (k, v) in rows {
                        out.push_str(&format!("  {k}: {v}\n"));
                    }
                    out.push('\n');
                }
            }
        }
        out.push_str(&format!(
            "Yours sincerely,\n\n{}\n{}",
            self.sender.team, self.sender.organisation
        ));
        out
    }
}

const STYLE: &str = r#"
@page { size: A4; margin: 22mm 20mm; }
body { font-family: Arial, Helvetica, sans-serif; font-size: 11pt; line-height: 1.4; color: #0b0c0c; margin: 0; }
.letter { max-width: 170mm; margin: 0 auto; }
.crest { font-weight: bold; font-size: 14pt; border-left: 4px solid #0b0c0c; padding-left: 8px; margin-bottom: 12mm; }
.addresses { display: flex; justify-content: space-between; margin-bottom: 8mm; }
.addresses p { margin: 0; }
.from { text-align: right; }
.gap { margin-top: 1em !important; }
.date { margin: 6mm 0; }
h1 { font-size: 12pt; margin: 6mm 0 4mm; }
h2 { font-size: 11pt; margin: 5mm 0 2mm; }
blockquote { margin: 0 0 1em 0; padding-left: 10px; border-left: 3px solid #b1b4b6; font-style: italic; }
ul { padding-left: 1.3em; }
li { margin-bottom: 0.4em; }
table { border-collapse: collapse; margin-bottom: 1em; }
td { border-bottom: 1px solid #b1b4b6; padding: 2px 12px 2px 0; }
td.num { text-align: right; }
.signature { margin-top: 8mm; }
"#;
