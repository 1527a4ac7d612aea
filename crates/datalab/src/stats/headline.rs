//! The lab's headline statements: an [`Estimate`] in plain English, in the
//! Justice Data Lab's standard wording.
//!
//! Every phrase lives in the [`WORDING`] table and the sentence frames
//! beside it, so the wording can be revised here alone. The statements use
//! only the aggregates in the estimate: means, difference, interval, p-value
//! and the size needed for significance.

use super::Estimate;

/// An outcome the lab reports on; decides the wording and the units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Whether each person committed a proven reoffence within one year
    /// (0 or 1); reported per 100 people.
    Reoffending,
    /// How many proven reoffences each person committed within one year;
    /// reported per 100 people.
    Frequency,
    /// Among people who reoffended, days to the first proven reoffence;
    /// reported in days.
    DaysToReoffence,
    /// Whether each person received a custodial sentence for a proven
    /// reoffence within one year (0 or 1); reported per 100 people.
    Custody,
}

/// The three sentences of one measure's headline.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Headline {
    /// What the treatment group's figure was and how it differed from the
    /// comparison group's.
    pub statement: String,
    /// What the confidence interval says the intervention does.
    pub interval: String,
    /// Whether the difference is statistically significant and, if not, how
    /// large a treatment group would have been needed.
    pub significance: String,
}

/// One measure's phrases. Templates mark the figures they take as `{n}`,
/// `{k}` and so on; [`fill`] puts them in.
struct Wording {
    /// From the estimate's units to the reported ones (rates and counts are
    /// reported per 100 people).
    scale: f64,
    /// The treatment group's figure, `{n}`, when it is 1 and otherwise.
    treated: [&'static str; 2],
    /// The unit after a difference in the statement, when it is 1 and
    /// otherwise (none for per-100 figures: "6 fewer").
    counted: [&'static str; 2],
    /// The unit at the end of the interval sentence, when the figure before
    /// it is 1 and otherwise.
    unit: [&'static str; 2],
    /// The comparative for a lower and a higher treatment group figure.
    lower: &'static str,
    higher: &'static str,
    /// What the intervention changes, in the interval sentence.
    quantity: &'static str,
}

const PER_100: [&str; 2] = [" per 100 people", " per 100 people"];

const NO_UNIT: [&str; 2] = ["", ""];

/// In [`Measure`] order.
const WORDING: [Wording; 4] = [
    Wording {
        scale: 100.0,
        treated: [
            "For 100 typical people in the treatment group, the equivalent of {n} committed \
             a proven reoffence within one year",
            "For 100 typical people in the treatment group, the equivalent of {n} committed \
             a proven reoffence within one year",
        ],
        counted: NO_UNIT,
        unit: PER_100,
        lower: "fewer",
        higher: "more",
        quantity: "the number of people who commit a proven reoffence within one year",
    },
    Wording {
        scale: 100.0,
        treated: [
            "For 100 typical people in the treatment group, {n} proven reoffence was committed \
             during the one-year period",
            "For 100 typical people in the treatment group, {n} proven reoffences were committed \
             during the one-year period",
        ],
        counted: NO_UNIT,
        unit: PER_100,
        lower: "fewer",
        higher: "more",
        quantity: "the number of proven reoffences committed during the one-year period",
    },
    Wording {
        scale: 1.0,
        treated: [
            "For typical people in the treatment group who committed a proven reoffence within \
             one year, the average time to the first proven reoffence was {n} day",
            "For typical people in the treatment group who committed a proven reoffence within \
             one year, the average time to the first proven reoffence was {n} days",
        ],
        counted: [" day", " days"],
        unit: [" day", " days"],
        lower: "shorter",
        higher: "longer",
        quantity: "the average time to the first proven reoffence",
    },
    Wording {
        scale: 100.0,
        treated: [
            "For 100 typical people in the treatment group, the equivalent of {n} received a \
             custodial sentence for a proven reoffence within one year",
            "For 100 typical people in the treatment group, the equivalent of {n} received a \
             custodial sentence for a proven reoffence within one year",
        ],
        counted: NO_UNIT,
        unit: PER_100,
        lower: "fewer",
        higher: "more",
        quantity: "the number of people who receive a custodial sentence for a proven \
                   reoffence within one year",
    },
];

const DIFFERENT: &str = "{treated}, {k}{unit} {comparative} than in the comparison group.";
const SAME: &str = "{treated}, the same as in the comparison group.";

const REDUCES: &str = "The best estimate is that the intervention reduces {quantity} by {by}.";
const INCREASES: &str = "The best estimate is that the intervention increases {quantity} by {by}.";
const EITHER_WAY: &str = "The best estimate is that the intervention could reduce {quantity} \
                          by {down} or increase it by {up}{unit}.";
const NEITHER_WAY: &str = "The best estimate is that the intervention changes {quantity} by less than 1{unit} \
     either way.";
const BETWEEN: &str = "between {a} and {b}{unit}";
const ABOUT: &str = "about {a}{unit}";
const UNDER_ONE: &str = "less than 1{unit}";
const AS_MANY_AS: &str = "as many as {a}";
const UNDER_ONE_BARE: &str = "less than 1";

const SIGNIFICANT: &str = "This is a statistically significant result: the difference is \
                           unlikely to be due to chance ({p}).";
const NOT_SIGNIFICANT: &str = "This result is not statistically significant: the difference \
                               could be due to chance ({p}).";
const NEEDED: &str = " With the same difference, a treatment group of about {n} people would \
                      have been needed for it to be significant.";
const P_EQUALS: &str = "p = {p}";
const P_BELOW: &str = "p < 0.01";

/// The headline statements for `measure` from its estimate.
///
/// Figures are rounded to whole numbers (per 100 people, or days for
/// [`Measure::DaysToReoffence`]); a difference that rounds to 0 is "the
/// same as" the comparison group. The interval sentence reads the
/// confidence interval: wholly below zero ("reduces … by between"), wholly
/// above ("increases … by between") or spanning zero ("could reduce … or
/// increase …"). The p-value is shown to 2 decimal places, or as
/// "p < 0.01", with more places only when 2 would put it on the wrong side
/// of the significance threshold (p = 0.0503 is not "p = 0.05").
pub fn headline(measure: Measure, e: &Estimate) -> Headline {
    let w = &WORDING[match measure {
        Measure::Reoffending => 0,
        Measure::Frequency => 1,
        Measure::DaysToReoffence => 2,
        Measure::Custody => 3,
    }];
    Headline {
        statement: statement(w, e),
        interval: interval(w, e),
        significance: significance(e),
    }
}

fn statement(w: &Wording, e: &Estimate) -> String {
    let n = round(e.treated_mean * w.scale);
    let treated = fill(plural(w.treated, n), &[("n", &n.to_string())]);
    let k = round(e.difference * w.scale);
    if k == 0 {
        return fill(SAME, &[("treated", &treated)]);
    }
    let comparative = if k < 0 { w.lower } else { w.higher };
    fill(
        DIFFERENT,
        &[
            ("treated", &treated),
            ("k", &k.abs().to_string()),
            ("unit", plural(w.counted, k)),
            ("comparative", comparative),
        ],
    )
}

fn interval(w: &Wording, e: &Estimate) -> String {
    let low = round(e.ci_low * w.scale);
    let high = round(e.ci_high * w.scale);
    let one_way = |frame: &str, near: i64, far: i64| {
        let by = if far == 0 {
            fill(UNDER_ONE, &[("unit", plural(w.unit, 1))])
        } else if near == far {
            fill(
                ABOUT,
                &[("a", &far.to_string()), ("unit", plural(w.unit, far))],
            )
        } else {
            fill(
                BETWEEN,
                &[
                    ("a", &near.to_string()),
                    ("b", &far.to_string()),
                    ("unit", plural(w.unit, far)),
                ],
            )
        };
        fill(frame, &[("quantity", w.quantity), ("by", &by)])
    };
    // The direction comes from the unrounded interval, so an interval
    // wholly below zero is reported as a reduction even when its near end
    // rounds to 0.
    if e.ci_high < 0.0 {
        return one_way(REDUCES, -high, -low);
    }
    if e.ci_low > 0.0 {
        return one_way(INCREASES, low, high);
    }
    let (down, up) = (-low, high);
    if down == 0 && up == 0 {
        return fill(
            NEITHER_WAY,
            &[("quantity", w.quantity), ("unit", plural(w.unit, 1))],
        );
    }
    let as_many_as = |a: i64| {
        if a == 0 {
            UNDER_ONE_BARE.to_string()
        } else {
            fill(AS_MANY_AS, &[("a", &a.to_string())])
        }
    };
    fill(
        EITHER_WAY,
        &[
            ("quantity", w.quantity),
            ("down", &as_many_as(down)),
            ("up", &as_many_as(up)),
            ("unit", plural(w.unit, up.max(1))),
        ],
    )
}

fn significance(e: &Estimate) -> String {
    let p = p_text(e.p_value, 1.0 - e.confidence, e.significant);
    if e.significant {
        return fill(SIGNIFICANT, &[("p", &p)]);
    }
    let mut text = fill(NOT_SIGNIFICANT, &[("p", &p)]);
    if let Some(n) = e.needed_for_significance {
        text.push_str(&fill(NEEDED, &[("n", &thousands(n))]));
    }
    text
}

/// The p-value to 2 decimal places, or to as many more (up to 6) as it
/// takes for the shown value to fall on the same side of `alpha` as the
/// verdict.
fn p_text(p: f64, alpha: f64, significant: bool) -> String {
    for decimals in 2..=6 {
        let shown = format!("{p:.decimals$}");
        let value: f64 = shown.parse().unwrap_or(p);
        if decimals == 2 && value == 0.0 {
            return P_BELOW.to_string();
        }
        if (value <= alpha) == significant {
            return fill(P_EQUALS, &[("p", &shown)]);
        }
    }
    fill(P_EQUALS, &[("p", &format!("{p:.6}"))])
}

/// Rounded half away from zero; an integer so that -0.3 never shows as
/// "-0". Clamped to ±2⁵³ so that negating or taking the absolute value of
/// the result can never overflow, whatever the estimate.
fn round(x: f64) -> i64 {
    const LIMIT: f64 = 9_007_199_254_740_992.0;
    x.round().clamp(-LIMIT, LIMIT) as i64
}

fn plural(forms: [&'static str; 2], n: i64) -> &'static str {
    if n.unsigned_abs() == 1 {
        forms[0]
    } else {
        forms[1]
    }
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Replaces each `{key}` in `template` with its value.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    values
        .iter()
        .fold(template.to_string(), |text, (key, value)| {
            text.replace(&format!("{{{key}}}"), value)
        })
}
