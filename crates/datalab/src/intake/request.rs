//! The request metadata a provider sends with its cohort (`request.toml`).

use serde::{Deserialize, Serialize};
use toml::{Table, Value};

use super::report::echo;

/// What the provider tells the lab about its intervention and its data.
///
/// The Privacy Impact Assessment asks for the intervention, how the data
/// were collected and how many records were left out as incomplete, and
/// requires the organisation's assurance that sharing is lawful before
/// anything is processed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// The organisation making the request.
    pub organisation: String,
    /// What the intervention is, in the provider's words.
    pub intervention: String,
    /// How the cohort's details were collected (e.g. "case management
    /// system export, checked against prison release letters").
    pub collection: String,
    /// How many people the provider worked with but left out of the file
    /// because their details were incomplete.
    pub excluded_incomplete: u64,
    /// The order of day and month in the file's dates, when the provider
    /// knows it: `"dmy"` or `"mdy"`. Without it, the order is worked out
    /// from the file, or the file is rejected if nothing settles it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_order: Option<DateOrder>,
    /// The organisation's confirmations.
    pub confirmation: Confirmation,
}

/// The organisation's confirmations, without which nothing is processed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Confirmation {
    /// The organisation, as data controller, has assured itself that sharing
    /// these records complies with data protection law.
    pub data_protection: bool,
    /// The organisation shares the data under the gateway of section 14 of
    /// the Offender Management Act 2007.
    pub section_14_gateway: bool,
}

/// The order of day and month in slash- or dash-separated dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DateOrder {
    /// Day, month, year (03/04/1985 is 3 April), as in the UK.
    Dmy,
    /// Month, day, year (03/04/1985 is 4 March), as in the US.
    Mdy,
}

/// The kind of value a request key holds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Count,
    Order,
}

/// The top-level keys: name, kind, whether required, and an example line.
const KEYS: [(&str, Kind, bool, &str); 5] = [
    (
        "organisation",
        Kind::Text,
        true,
        "organisation = \"Hope Trust\"",
    ),
    (
        "intervention",
        Kind::Text,
        true,
        "intervention = \"Through-the-gate mentoring for adult men\"",
    ),
    (
        "collection",
        Kind::Text,
        true,
        "collection = \"Case management system export, checked against release letters\"",
    ),
    (
        "excluded_incomplete",
        Kind::Count,
        true,
        "excluded_incomplete = 12",
    ),
    ("date_order", Kind::Order, false, "date_order = \"dmy\""),
];

const CONFIRMATION: &str = "confirmation";
const DATA_PROTECTION: &str = "data_protection";
const GATEWAY: &str = "section_14_gateway";

fn all_keys() -> impl Iterator<Item = &'static str> {
    KEYS.iter()
        .map(|k| k.0)
        .chain([CONFIRMATION, DATA_PROTECTION, GATEWAY])
}

/// Edit distance, to suggest the key a misspelt one was meant to be.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

fn unknown_key(key: &str, section: &str) -> String {
    let lower = key.to_lowercase();
    let guess = all_keys()
        .map(|k| (distance(&lower, k), k))
        .filter(|(d, _)| *d <= 3)
        .min();
    let hint = match guess {
        Some((_, k)) => format!(" Did you mean `{k}`?"),
        None => String::new(),
    };
    format!(
        "request.toml has a key `{}`{section} that the lab does not use: remove it or correct its spelling.{hint} The keys are organisation, intervention, collection, excluded_incomplete, date_order (optional), and data_protection and section_14_gateway under [confirmation].",
        echo(key)
    )
}

fn check_value(key: &str, kind: Kind, example: &str, value: &Value) -> Option<String> {
    match (kind, value) {
        (Kind::Text, Value::String(s)) if s.trim().is_empty() => Some(format!(
            "`{key}` in request.toml is empty: fill it in, e.g. `{example}`."
        )),
        (Kind::Text, Value::String(_)) => None,
        (Kind::Count, Value::Integer(n)) if *n < 0 => Some(format!(
            "`{key}` in request.toml is negative: give the number of people left out, or 0, e.g. `{example}`."
        )),
        (Kind::Count, Value::Integer(_)) => None,
        (Kind::Order, Value::String(s)) if s == "dmy" || s == "mdy" => None,
        (Kind::Order, _) => Some(format!(
            "`date_order` in request.toml must be \"dmy\" (day first, as in the UK) or \"mdy\" (month first), not {}; or remove it and let the file's dates decide.",
            shown(value)
        )),
        (Kind::Text, _) => Some(format!(
            "`{key}` in request.toml should be text in double quotes, not {}, e.g. `{example}`.",
            shown(value)
        )),
        (Kind::Count, _) => Some(format!(
            "`{key}` in request.toml should be a whole number without quotes, not {}, e.g. `{example}`.",
            shown(value)
        )),
    }
}

fn shown(value: &Value) -> String {
    match value {
        Value::String(s) => format!("\"{}\"", echo(s)),
        other => format!("a {}", other.type_str()),
    }
}

fn confirmation_missing(key: &str) -> String {
    if key == DATA_PROTECTION {
        "The organisation has not confirmed that sharing these records complies with data protection law. As data controller it must assure itself that this sharing complies with the Data Protection Act 2018 and the UK GDPR; once it has, set `data_protection = true` under `[confirmation]` in request.toml. Nothing is processed until then.".to_string()
    } else {
        "The organisation has not confirmed its legal gateway for sharing. Once it has confirmed that it shares these records under section 14 of the Offender Management Act 2007, set `section_14_gateway = true` under `[confirmation]` in request.toml. Nothing is processed until then.".to_string()
    }
}

/// The confirmations a typed request lacks (one message for each).
pub(crate) fn unconfirmed(request: &Request) -> Vec<String> {
    let c = request.confirmation;
    [
        (c.data_protection, DATA_PROTECTION),
        (c.section_14_gateway, GATEWAY),
    ]
    .into_iter()
    .filter(|(given, _)| !given)
    .map(|(_, key)| confirmation_missing(key))
    .collect()
}

/// Reads the text of a `request.toml` into a request the lab can act on.
///
/// Every problem is returned at once, each naming the key and saying how to
/// put it right: text that is not TOML, a missing or unknown key, a value of
/// the wrong kind, an empty text, and, above all, either confirmation not
/// given (no confirmation, no processing).
pub fn parse_request(text: &str) -> Result<Request, Vec<String>> {
    let table: Table = match text.parse() {
        Ok(t) => t,
        Err(e) => {
            let e: toml::de::Error = e;
            let at = e.span().map_or_else(String::new, |span| {
                let before = &text.as_bytes()[..span.start.min(text.len())];
                let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
                format!(" at line {line}")
            });
            let message: String = e.message().chars().filter(|c| !c.is_control()).collect();
            return Err(vec![format!(
                "request.toml is not valid TOML{at}: {message}. Each line should read `key = value`, with text in double quotes and the confirmations under a `[confirmation]` line."
            )]);
        }
    };
    let mut problems = Vec::new();
    for (key, value) in &table {
        if key == CONFIRMATION {
            continue;
        }
        match KEYS.iter().find(|k| k.0 == key) {
            Some(&(name, kind, _, example)) => {
                problems.extend(check_value(name, kind, example, value))
            }
            None => problems.push(unknown_key(key, "")),
        }
    }
    for &(name, _, required, example) in &KEYS {
        if required && !table.contains_key(name) {
            problems.push(format!(
                "request.toml has no `{name}` key: add a line such as `{example}`."
            ));
        }
    }
    match table.get(CONFIRMATION) {
        Some(Value::Table(conf)) => {
            for (key, value) in conf {
                if key != DATA_PROTECTION && key != GATEWAY {
                    problems.push(unknown_key(key, " under [confirmation]"));
                } else if !matches!(value, Value::Boolean(_)) {
                    problems.push(format!(
                        "`{key}` under [confirmation] should be true or false without quotes, not {}.",
                        shown(value)
                    ));
                }
            }
            for key in [DATA_PROTECTION, GATEWAY] {
                // A value of the wrong kind was reported above.
                if matches!(conf.get(key), None | Some(Value::Boolean(false))) {
                    problems.push(confirmation_missing(key));
                }
            }
        }
        Some(other) => problems.push(format!(
            "`confirmation` in request.toml should be a section: a line `[confirmation]` followed by `data_protection = true` and `section_14_gateway = true`, not {}.",
            shown(other)
        )),
        None => {
            problems.push(
                "request.toml has no [confirmation] section: add a line `[confirmation]` at the end, followed by the two confirmations below.".to_string(),
            );
            problems.extend([DATA_PROTECTION, GATEWAY].map(confirmation_missing));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Table::try_into(table)
        .map_err(|e| vec![format!("request.toml could not be read: {}", e.message())])
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
organisation = "Hope Trust"
intervention = "Mentoring"
collection = "Case records"
excluded_incomplete = 3

[confirmation]
data_protection = true
section_14_gateway = true
"#;

    #[test]
    fn a_complete_confirmed_request_parses() {
        let r = parse_request(GOOD).unwrap();
        assert_eq!(r.organisation, "Hope Trust");
        assert_eq!(r.excluded_incomplete, 3);
        assert_eq!(r.date_order, None);
        let with_order = GOOD.replace(
            "excluded_incomplete = 3",
            "excluded_incomplete = 3\ndate_order = \"mdy\"",
        );
        assert_eq!(
            parse_request(&with_order).unwrap().date_order,
            Some(DateOrder::Mdy)
        );
    }

    #[test]
    fn each_problem_names_its_key() {
        let bad = GOOD
            .replace(
                "organisation = \"Hope Trust\"",
                "organisaton = \"Hope Trust\"",
            )
            .replace("excluded_incomplete = 3", "excluded_incomplete = \"three\"")
            .replace("data_protection = true", "data_protection = false");
        let problems = parse_request(&bad).unwrap_err();
        let all = problems.join("\n");
        assert!(
            all.contains("`organisaton`") && all.contains("Did you mean `organisation`?"),
            "{all}"
        );
        assert!(all.contains("has no `organisation` key"), "{all}");
        assert!(
            all.contains("`excluded_incomplete` in request.toml should be a whole number"),
            "{all}"
        );
        assert!(all.contains("set `data_protection = true`"), "{all}");
        assert!(!all.contains("section_14_gateway = true`"), "{all}");
        assert_eq!(problems.len(), 4, "{all}");
    }

    #[test]
    fn missing_confirmation_section_asks_for_both() {
        let text = GOOD.split("[confirmation]").next().unwrap();
        let all = parse_request(text).unwrap_err().join("\n");
        assert!(all.contains("no [confirmation] section"));
        assert!(all.contains("Data Protection Act 2018"));
        assert!(all.contains("section 14 of the Offender Management Act 2007"));
    }

    #[test]
    fn syntax_errors_give_the_line() {
        let all = parse_request("organisation = \"Hope\nintervention = 1")
            .unwrap_err()
            .join("");
        assert!(
            all.starts_with("request.toml is not valid TOML at line 1"),
            "{all}"
        );
    }
}
