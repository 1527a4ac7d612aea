//! Incident types as data: each type's questions, their answers, the
//! branching between them, which answers need a comment or a date, and
//! which people a report names, in one configuration table (as HMPPS's
//! incident reporting service keeps them), not in code.
//!
//! Types are versioned and never deleted: [`add_version`] stores a new
//! version and deactivates the old one, and a report keeps the version it
//! was written against, so its questions still read as they were asked.

use std::collections::BTreeMap;

use platform::db::Db;
use platform::{Error, Result};
use serde::{Deserialize, Serialize};

/// The types shipped with the service, seeded as version 1 on first run.
const SEED: &str = include_str!("../data/types.json");

/// How a question is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// One of the answers.
    Choice,
    /// Any number of the answers.
    Multi,
    /// A whole number, 0 or more.
    Number,
    /// A line of text.
    Text,
    /// A date (YYYY-MM-DD).
    Date,
}

/// One answer a choice offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    pub code: String,
    pub label: String,
    /// Choosing it needs a comment.
    #[serde(default)]
    pub comment: bool,
    /// Choosing it needs a date.
    #[serde(default)]
    pub date: bool,
    /// The question asked next when it is chosen ("end" to stop); by
    /// default the question that follows.
    #[serde(default)]
    pub next: Option<String>,
}

/// One question of a type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub code: String,
    pub text: String,
    pub kind: Kind,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub answers: Vec<Answer>,
    /// Never published below national level: its answers would tell
    /// someone how incidents at one prison are detected.
    #[serde(default)]
    pub national_only: bool,
}

/// A type's configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypeConfig {
    pub code: String,
    pub label: String,
    pub prisoner_roles: Vec<String>,
    pub prisoners_required: bool,
    pub staff_roles: Vec<String>,
    pub staff_required: bool,
    /// Years a closed report is kept (6).
    pub retention_years: i64,
    pub questions: Vec<Question>,
}

/// A stored version of a type.
#[derive(Debug, Clone)]
pub struct IncidentType {
    pub version: i64,
    pub active: bool,
    pub config: TypeConfig,
}

impl std::ops::Deref for IncidentType {
    type Target = TypeConfig;
    fn deref(&self) -> &TypeConfig {
        &self.config
    }
}

/// The roles a prisoner may have in an incident, and how people read them.
pub const PRISONER_ROLES: &[(&str, &str)] = &[
    ("perpetrator", "Perpetrator"),
    ("victim", "Victim"),
    ("in_possession", "In possession"),
    ("suspected", "Suspected involvement"),
    ("assisted", "Assisted"),
    ("witness", "Witness"),
];

/// What happened to a prisoner afterwards.
pub const PRISONER_OUTCOMES: &[(&str, &str)] = &[
    ("placed_on_report", "Placed on report"),
    ("police_investigation", "Police investigation"),
    ("charged", "Charged by the police"),
    ("local_investigation", "Local investigation"),
    ("transfer", "Transferred"),
    ("no_further_action", "No further action"),
];

/// The roles a member of staff may have.
pub const STAFF_ROLES: &[(&str, &str)] = &[
    ("first_on_scene", "First on scene"),
    ("witness", "Witness"),
    ("authorising_officer", "Authorising officer"),
    ("finder", "Found the items"),
    ("victim", "Victim"),
];

/// A role's or outcome's label from one of the lists above.
pub fn label<'a>(list: &'a [(&'a str, &'a str)], code: &'a str) -> &'a str {
    list.iter()
        .find(|(c, _)| *c == code)
        .map(|(_, l)| *l)
        .unwrap_or(code)
}

/// One answer given to a question: the chosen answer's code (or the value
/// typed), with its comment and date.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Given {
    pub answer: String,
    pub comment: Option<String>,
    pub date: Option<String>,
}

/// A report's answers, by question code.
pub type Answers = BTreeMap<String, Vec<Given>>;

impl TypeConfig {
    /// Checks the configuration itself: unique codes, branches to
    /// questions that exist, choices with answers, roles from the lists.
    pub fn check(&self) -> Result<()> {
        let mut problems = Vec::new();
        if self.code.trim().is_empty() || self.label.trim().is_empty() {
            problems.push("a type needs a code and a label".to_owned());
        }
        for (i, q) in self.questions.iter().enumerate() {
            if self.questions[..i].iter().any(|o| o.code == q.code) {
                problems.push(format!("question {} is declared twice", q.code));
            }
            let choice = matches!(q.kind, Kind::Choice | Kind::Multi);
            if choice && q.answers.is_empty() {
                problems.push(format!("question {} offers no answers", q.code));
            }
            if !choice && !q.answers.is_empty() {
                problems.push(format!(
                    "question {} is not a choice but lists answers",
                    q.code
                ));
            }
            for a in &q.answers {
                if let Some(next) = &a.next
                    && next != "end"
                    && !self.questions[i + 1..].iter().any(|o| &o.code == next)
                {
                    problems.push(format!(
                        "answer {} of {} leads to {next}, which is not a later question",
                        a.code, q.code
                    ));
                }
            }
        }
        for r in &self.prisoner_roles {
            if !PRISONER_ROLES.iter().any(|(c, _)| c == r) {
                problems.push(format!("unknown prisoner role {r}"));
            }
        }
        for r in &self.staff_roles {
            if !STAFF_ROLES.iter().any(|(c, _)| c == r) {
                problems.push(format!("unknown staff role {r}"));
            }
        }
        if self.retention_years < 1 {
            problems.push("reports must be kept at least a year".to_owned());
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::Config(format!(
                "incident type {}: {}",
                self.code,
                problems.join("; ")
            )))
        }
    }

    /// The question called `code`.
    pub fn question(&self, code: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.code == code)
    }

    /// The questions `answers` lead through, in order: the first, then
    /// each chosen answer's next (or the following question), up to a
    /// branching question not yet answered.
    pub fn path(&self, answers: &Answers) -> Vec<&Question> {
        let mut out = Vec::new();
        let mut i = 0;
        while let Some(q) = self.questions.get(i) {
            out.push(q);
            let chosen = answers.get(&q.code).and_then(|g| g.first());
            // What is asked after a branching question depends on its
            // answer: until it has one, nothing after it is asked.
            if chosen.is_none() && q.answers.iter().any(|a| a.next.is_some()) {
                break;
            }
            let jump = match (q.kind, chosen) {
                (Kind::Choice, Some(g)) => q
                    .answers
                    .iter()
                    .find(|a| a.code == g.answer)
                    .and_then(|a| a.next.clone()),
                _ => None,
            };
            match jump.as_deref() {
                Some("end") => break,
                Some(next) => match self.questions.iter().position(|o| o.code == next) {
                    Some(j) if j > i => i = j,
                    _ => break,
                },
                None => i += 1,
            }
        }
        out
    }

    /// What is missing or wrong in `answers` before a report may be
    /// submitted: one message per problem, naming the question.
    pub fn problems(&self, answers: &Answers) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let path = self.path(answers);
        for q in &path {
            let given = answers.get(&q.code).map(Vec::as_slice).unwrap_or(&[]);
            let given: Vec<&Given> = given
                .iter()
                .filter(|g| !g.answer.trim().is_empty())
                .collect();
            if given.is_empty() {
                if q.required {
                    out.push((q.code.clone(), format!("Answer \"{}\"", q.text)));
                }
                continue;
            }
            if q.kind == Kind::Choice && given.len() > 1 {
                out.push((
                    q.code.clone(),
                    format!("Choose one answer to \"{}\"", q.text),
                ));
            }
            for g in &given {
                match q.kind {
                    Kind::Choice | Kind::Multi => {
                        let Some(a) = q.answers.iter().find(|a| a.code == g.answer) else {
                            out.push((
                                q.code.clone(),
                                format!("Choose one of the answers offered to \"{}\"", q.text),
                            ));
                            continue;
                        };
                        if a.comment && g.comment.as_deref().is_none_or(|c| c.trim().is_empty()) {
                            out.push((
                                q.code.clone(),
                                format!("Give details for \"{}\" ({})", q.text, a.label),
                            ));
                        }
                        if a.date && g.date.is_none() {
                            out.push((
                                q.code.clone(),
                                format!("Enter the date for \"{}\" ({})", q.text, a.label),
                            ));
                        }
                    }
                    Kind::Number => {
                        if g.answer.trim().parse::<u32>().is_err() {
                            out.push((
                                q.code.clone(),
                                format!("\"{}\" must be a whole number, like 2", q.text),
                            ));
                        }
                    }
                    Kind::Date => {
                        if chrono::NaiveDate::parse_from_str(g.answer.trim(), "%Y-%m-%d").is_err() {
                            out.push((
                                q.code.clone(),
                                format!("\"{}\" must be a real date", q.text),
                            ));
                        }
                    }
                    Kind::Text => {}
                }
            }
        }
        out
    }

    /// The answers on the path only: a branch not taken keeps nothing.
    pub fn on_path(&self, answers: &Answers) -> Answers {
        let codes: Vec<String> = self.path(answers).iter().map(|q| q.code.clone()).collect();
        answers
            .iter()
            .filter(|(k, v)| codes.contains(k) && !v.is_empty())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// An answer's label (the value itself for a typed answer).
    pub fn answer_label(&self, question: &str, answer: &str) -> String {
        self.question(question)
            .and_then(|q| q.answers.iter().find(|a| a.code == answer))
            .map(|a| a.label.clone())
            .unwrap_or_else(|| answer.to_owned())
    }
}

/// The shipped types, parsed and checked.
pub fn shipped() -> Result<Vec<TypeConfig>> {
    let types: Vec<TypeConfig> = serde_json::from_str(SEED)
        .map_err(|e| Error::Config(format!("the shipped incident types: {e}")))?;
    for t in &types {
        t.check()?;
    }
    Ok(types)
}

/// Stores the shipped types as version 1 of each, where none is stored.
pub async fn seed(db: &Db) -> Result<usize> {
    let mut n = 0;
    for t in shipped()? {
        let config = serde_json::to_string(&t).map_err(|e| Error::Corrupt(e.to_string()))?;
        let done = sqlx::query(
            "INSERT INTO incident_types (code, version, label, active, config, created_at) \
             VALUES ($1, 1, $2, 1, $3, $4) ON CONFLICT (code, version) DO NOTHING",
        )
        .bind(&t.code)
        .bind(&t.label)
        .bind(config)
        .bind(platform::now())
        .execute(db.writer())
        .await?;
        n += done.rows_affected() as usize;
    }
    Ok(n)
}

/// Stores a new version of a type (a new type's first), deactivating the
/// one in use; the audit line is written with it. Returns the version.
pub async fn add_version(db: &Db, config: &TypeConfig, by: &platform::Actor) -> Result<i64> {
    config.check()?;
    let json = serde_json::to_string(config).map_err(|e| Error::Corrupt(e.to_string()))?;
    let mut tx = db.begin_write().await?;
    let last: Option<i64> =
        sqlx::query_scalar("SELECT MAX(version) FROM incident_types WHERE code = $1")
            .bind(&config.code)
            .fetch_one(&mut *tx)
            .await?;
    let version = last.unwrap_or(0) + 1;
    sqlx::query("UPDATE incident_types SET active = 0 WHERE code = $1")
        .bind(&config.code)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO incident_types (code, version, label, active, config, created_at) VALUES ($1, $2, $3, 1, $4, $5)",
    )
    .bind(&config.code)
    .bind(version)
    .bind(&config.label)
    .bind(json)
    .bind(platform::now())
    .execute(&mut *tx)
    .await?;
    platform::audit::record(
        &mut tx,
        &by.id,
        "incident_type.version",
        &config.code,
        &format!("version {version}"),
    )
    .await?;
    tx.commit().await?;
    Ok(version)
}

fn from_row(version: i64, active: i64, config: &str) -> Result<IncidentType> {
    Ok(IncidentType {
        version,
        active: active == 1,
        config: serde_json::from_str(config)
            .map_err(|e| Error::Corrupt(format!("incident type version {version}: {e}")))?,
    })
}

/// The version of each type in use, in the shipped order (then new ones).
pub async fn active(db: &Db) -> Result<Vec<IncidentType>> {
    let rows: Vec<(i64, i64, String)> = sqlx::query_as(
        "SELECT version, active, config FROM incident_types WHERE active = 1 ORDER BY created_at, code",
    )
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|(v, a, c)| from_row(*v, *a, c)).collect()
}

/// One version of a type.
pub async fn get(db: &Db, code: &str, version: i64) -> Result<IncidentType> {
    let row: Option<(i64, i64, String)> = sqlx::query_as(
        "SELECT version, active, config FROM incident_types WHERE code = $1 AND version = $2",
    )
    .bind(code)
    .bind(version)
    .fetch_optional(db.pool())
    .await?;
    let (v, a, c) = row.ok_or(Error::NotFound)?;
    from_row(v, a, &c)
}

/// The version of `code` in use.
pub async fn current(db: &Db, code: &str) -> Result<IncidentType> {
    let row: Option<(i64, i64, String)> = sqlx::query_as(
        "SELECT version, active, config FROM incident_types WHERE code = $1 AND active = 1",
    )
    .bind(code)
    .fetch_optional(db.pool())
    .await?;
    let (v, a, c) = row.ok_or(Error::NotFound)?;
    from_row(v, a, &c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn given(answer: &str) -> Vec<Given> {
        vec![Given {
            answer: answer.into(),
            ..Given::default()
        }]
    }

    #[test]
    fn the_shipped_types_are_sound_and_include_social_media() {
        let types = shipped().unwrap();
        for code in [
            "find",
            "phone_use",
            "drone",
            "breach",
            "assault",
            "self_harm",
            "social_media",
            "video_call",
        ] {
            assert!(types.iter().any(|t| t.code == code), "{code}");
        }
        let sm = types.iter().find(|t| t.code == "social_media").unwrap();
        for q in [
            "platform",
            "account",
            "content",
            "came_to_light",
            "device_found",
            "takedown",
            "police_referral",
            "harm",
        ] {
            assert!(sm.question(q).is_some(), "{q}");
        }
    }

    #[test]
    fn branching_skips_what_an_answer_leads_past_and_names_each_gap() {
        let find = shipped()
            .unwrap()
            .into_iter()
            .find(|t| t.code == "find")
            .unwrap();
        let mut a = Answers::new();
        let missing: Vec<String> = find.problems(&a).into_iter().map(|(q, _)| q).collect();
        assert_eq!(missing, ["phones", "sims", "where_found", "dmiu"]);
        a.insert("phones".into(), given("2"));
        a.insert("sims".into(), given("two"));
        a.insert("where_found".into(), given("cell"));
        a.insert("dmiu".into(), given("no"));
        let p = find.problems(&a);
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p[0].1.contains("whole number"), "{p:?}");
        assert!(p[1].1.contains("Give details"), "{p:?}");
        // "No" ends the questions: no bag number is asked for.
        assert!(!find.path(&a).iter().any(|q| q.code == "bag_number"));
        a.insert("sims".into(), given("1"));
        a.insert(
            "dmiu".into(),
            vec![Given {
                answer: "yes".into(),
                comment: None,
                date: None,
            }],
        );
        let p = find.problems(&a);
        assert_eq!(
            p.iter().map(|(q, _)| q.as_str()).collect::<Vec<_>>(),
            ["dmiu", "bag_number"],
            "{p:?}"
        );
        a.insert(
            "dmiu".into(),
            vec![Given {
                answer: "yes".into(),
                comment: None,
                date: Some("2025-03-02".into()),
            }],
        );
        a.insert("bag_number".into(), given("BAG-0041"));
        assert!(find.problems(&a).is_empty());
        // An answer nobody offered.
        a.insert("where_found".into(), given("roof"));
        assert_eq!(find.problems(&a).len(), 1);
    }

    #[test]
    fn a_broken_configuration_is_refused_with_its_problems() {
        let mut t = shipped().unwrap().remove(0);
        t.questions[0].kind = Kind::Choice;
        t.prisoner_roles.push("bystander".into());
        t.questions.push(t.questions[1].clone());
        let e = t.check().unwrap_err().to_string();
        assert!(e.contains("offers no answers"), "{e}");
        assert!(e.contains("bystander"), "{e}");
        assert!(e.contains("declared twice"), "{e}");
    }
}
