//! The report as one self-contained HTML page: inline styles and SVG, no
//! scripts, no web fonts, nothing fetched, so it opens the same from a
//! download folder, in a browser that is offline, and in the PDF printer.

use maud::{DOCTYPE, Markup, PreEscaped, html as page};

use super::{Report, Stage};
use crate::disclosure::{Figures, ReleasedMeasure, Status};
use crate::matching::balance::Flag;
use crate::stats::Measure;

/// The report as a complete HTML document.
pub fn html(r: &Report) -> String {
    page! {
        (DOCTYPE)
        html lang="en-GB" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Justice Data Lab report " (r.request_id) ": " (r.intervention) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header.banner {
                    span.brand { "Justice Data Lab" }
                    span.ref { "Request " (r.request_id) " · " (r.produced.format("%-d %B %Y")) }
                }
                main {
                    span.caption { (r.organisation) }
                    h1 { "Justice Data Lab: reoffending analysis" }
                    p.lead { "Intervention: " (r.intervention) }
                    p {
                        "This report compares the one-year proven reoffending of the people "
                        (r.organisation) " worked with against a matched comparison group of "
                        "similar people who did not take part, with index dates from "
                        (r.period.0.format("%-d %B %Y")) " to " (r.period.1.format("%-d %B %Y")) "."
                    }
                    (headlines(r))
                    h2 { "What you can conclude" }
                    ul.list { @for c in &r.conclusions { li { (c) } } }
                    h2 { "The results" }
                    @for m in &r.measures { (measure(m)) }
                    h2 { "Who was analysed" }
                    p { "Of the people submitted, these reached each stage of the analysis. Counts below "
                        (r.method.disclosure.min_cell) " are shown as \"<" (r.method.disclosure.min_cell)
                        "\", and a count marked \"withheld\" is hidden so that a small one cannot be worked out from it." }
                    (chevron(&r.stages))
                    (losses(&r.stages))
                    h2 { "How alike the two groups were" }
                    (balance(r))
                    h2 { "Caveats and limitations" }
                    ul.list { @for c in &r.caveats { li { (c) } } }
                    (annex(r))
                }
                footer {
                    "Produced by " (r.software) ". Only aggregate results leave the Justice Data Lab; "
                    "the individual-level data behind this report are destroyed at the end of the review period."
                }
            }
        }
    }
    .into_string()
}

fn headlines(r: &Report) -> Markup {
    page! {
        div.headline {
            h2 { "Headline" }
            @match r.measures.iter().find(|m| m.measure == Measure::Reoffending).map(|m| &m.status) {
                Some(Status::Shown(f)) => {
                    p.big { (f.headline.statement) }
                    p { (f.headline.interval) }
                    p { (f.headline.significance) }
                }
                Some(Status::Suppressed(s)) => { p.big { (s.reason) } }
                None => { p.big { "One-year proven reoffending was not measured." } }
            }
        }
    }
}

fn title(m: Measure) -> &'static str {
    match m {
        Measure::Reoffending => "One-year proven reoffending rate",
        Measure::Frequency => "Frequency of one-year proven reoffending",
        Measure::DaysToReoffence => "Time to first proven reoffence",
        Measure::Custody => "Custodial sentence for a proven reoffence within one year",
    }
}

fn measure(m: &ReleasedMeasure) -> Markup {
    page! {
        section.measure {
            h3 { (title(m.measure)) }
            @match &m.status {
                Status::Suppressed(s) => { p.inset { (s.reason) } }
                Status::Shown(f) => {
                    p { (f.headline.statement) " " (f.headline.interval) " " (f.headline.significance) }
                    p.small { "Chart: each group's result with its 95% interval (" (f.unit) "), then the difference with its interval against no difference." }
                    (chart(m.measure, f))
                    table {
                        caption.visually-hidden { (title(m.measure)) ": figures" }
                        thead { tr {
                            th scope="col" { "" }
                            th.num scope="col" { "People" }
                            th.num scope="col" { "Result (" (f.unit) ")" }
                            th.num scope="col" { "95% interval" }
                        } }
                        tbody {
                            tr { th scope="row" { "Treatment group" } td.num { (f.treated_people) }
                                 td.num { (f.treatment) } td.num { (f.treatment_interval.0) " to " (f.treatment_interval.1) } }
                            tr { th scope="row" { "Comparison group" } td.num { (f.comparison_people) }
                                 td.num { (f.comparison) } td.num { (f.comparison_interval.0) " to " (f.comparison_interval.1) } }
                            tr { th scope="row" { "Difference" } td.num { "" }
                                 td.num { (f.difference) } td.num { (f.ci_low) " to " (f.ci_high) } }
                        }
                    }
                    p.small { "p-value " (f.p_value) "; "
                        @if f.significant { "statistically significant at the 5% level." }
                        @else { "not statistically significant at the 5% level." } }
                }
            }
        }
    }
}

/// A released figure as a number, to place it on the chart; the label
/// beside it is the released text itself.
fn num(s: &str) -> f64 {
    s.parse().unwrap_or(0.0)
}

/// A round number (1, 2 or 5 times a power of ten) at or above `x`, for
/// an axis step or end.
fn nice_ceiling(x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(x.log10().floor());
    for step in [1.0, 2.0, 5.0, 10.0] {
        if step * magnitude >= x {
            return step * magnitude;
        }
    }
    10.0 * magnitude
}

/// Two bars with their 95% intervals, then the difference and its
/// interval against a line at zero: the picture a reader needs to see
/// whether the interval rules out "no difference".
fn chart(m: Measure, f: &Figures) -> Markup {
    let (t, c) = (num(&f.treatment), num(&f.comparison));
    let t_ci = (num(&f.treatment_interval.0), num(&f.treatment_interval.1));
    let c_ci = (num(&f.comparison_interval.0), num(&f.comparison_interval.1));
    let step = nice_ceiling(t_ci.1.max(c_ci.1).max(t).max(c) / 4.0);
    let ticks = (t_ci.1.max(c_ci.1).max(t).max(c) / step).ceil().max(1.0) as usize;
    let top = step * ticks as f64;
    let (left, width) = (170.0, 420.0);
    let x = |v: f64| left + width * (v / top).clamp(0.0, 1.0);
    let bars = [
        ("Treatment", t, &f.treatment, t_ci, "#1d70b8"),
        ("Comparison", c, &f.comparison, c_ci, "#505a5f"),
    ];
    let (d, lo, hi) = (num(&f.difference), num(&f.ci_low), num(&f.ci_high));
    let span = nice_ceiling(lo.abs().max(hi.abs()).max(d.abs()));
    let dx = |v: f64| left + width * (0.5 + 0.5 * (v / span).clamp(-1.0, 1.0));
    let label = format!(
        "{}: treatment {} and comparison {} {}, difference {} (95% interval {} to {})",
        title(m),
        f.treatment,
        f.comparison,
        f.unit,
        f.difference,
        f.ci_low,
        f.ci_high
    );
    page! {
        svg.chart viewBox="0 0 680 230" role="img" aria-label=(label) xmlns="http://www.w3.org/2000/svg" {
            @for (i, (name, v, shown, ci, colour)) in bars.iter().enumerate() {
                @let y = 20.0 + 50.0 * i as f64;
                text x="0" y=(y + 20.0) class="label" { (name) }
                rect x=(left) y=(y) width=(x(*v) - left) height="30" fill=(colour) {}
                line x1=(x(ci.0)) x2=(x(ci.1)) y1=(y + 15.0) y2=(y + 15.0) class="whisker" {}
                line x1=(x(ci.0)) x2=(x(ci.0)) y1=(y + 7.0) y2=(y + 23.0) class="whisker" {}
                line x1=(x(ci.1)) x2=(x(ci.1)) y1=(y + 7.0) y2=(y + 23.0) class="whisker" {}
                text x=(x(ci.1.max(*v)) + 8.0) y=(y + 20.0) class="value" { (shown) }
            }
            line x1=(left) x2=(left + width) y1="122" y2="122" class="axis" {}
            @for k in 0..=ticks {
                @let v = step * k as f64;
                line x1=(x(v)) x2=(x(v)) y1="122" y2="127" class="axis" {}
                text x=(x(v)) y="140" class="tick" text-anchor="middle" { (tick(v)) }
            }
            text x="0" y="190" class="label" { "Difference" }
            line x1=(dx(0.0)) x2=(dx(0.0)) y1="165" y2="205" class="zero" {}
            line x1=(dx(lo)) x2=(dx(hi)) y1="185" y2="185" class="diff" {}
            line x1=(dx(lo)) x2=(dx(lo)) y1="177" y2="193" class="diff" {}
            line x1=(dx(hi)) x2=(dx(hi)) y1="177" y2="193" class="diff" {}
            circle cx=(dx(d)) cy="185" r="6" fill="#0b0c0c" {}
            text x=(dx(0.0)) y="222" class="tick" text-anchor="middle" { "0 (no difference)" }
            text x=(dx(-span)) y="222" class="tick" text-anchor="start" { (tick(-span)) }
            text x=(dx(span)) y="222" class="tick" text-anchor="end" { (tick(span)) }
            text x=(left + width + 10.0) y="190" class="value" { (f.ci_low) " to " (f.ci_high) }
        }
    }
}

fn tick(v: f64) -> String {
    if v == v.round() {
        format!("{}", v as i64)
    } else {
        format!("{v:.2}")
    }
}

/// The attrition chevron: one arrow per stage with the people in it.
fn chevron(stages: &[Stage]) -> Markup {
    let n = stages.len() as f64;
    let (total, tip) = (680.0, 14.0);
    let w = total / n;
    page! {
        svg.chevron viewBox=(format!("0 0 {total} 120")) role="img"
            aria-label="People at each stage of the analysis" xmlns="http://www.w3.org/2000/svg" {
            @for (i, s) in stages.iter().enumerate() {
                @let x0 = i as f64 * w;
                @let notch = if i == 0 { 0.0 } else { tip };
                @let points = format!("{x0},0 {},0 {},30 {},60 {x0},60 {},30",
                    x0 + w - 2.0, x0 + w - 2.0 + tip, x0 + w - 2.0, x0 + notch);
                polygon points=(points) fill=(if i + 1 == stages.len() { "#00703c" } else { "#1d70b8" }) {}
                text x=(x0 + w / 2.0 + 4.0) y="38" class="count" text-anchor="middle" { (s.people) }
                @for (j, line) in wrap(&s.label, 18).iter().enumerate() {
                    text x=(x0 + w / 2.0) y=(78.0 + 13.0 * j as f64) class="stage" text-anchor="middle" { (line) }
                }
            }
        }
    }
}

fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(l) if l.len() + 1 + word.len() <= width => {
                l.push(' ');
                l.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

fn losses(stages: &[Stage]) -> Markup {
    page! {
        table {
            caption.visually-hidden { "People who did not reach the next stage, and why" }
            thead { tr { th scope="col" { "Stage" } th scope="col" { "Did not go on, because" } th.num scope="col" { "People" } } }
            tbody {
                @for s in stages.iter().filter(|s| !s.lost.is_empty()) {
                    @for (j, (why, n)) in s.lost.iter().enumerate() {
                        tr {
                            @if j == 0 { th scope="row" rowspan=(s.lost.len()) { (s.label) } }
                            td { (why) }
                            td.num { (n) }
                        }
                    }
                }
            }
        }
    }
}

fn balance(r: &Report) -> Markup {
    let [green, amber, red] = r.balance.tally;
    page! {
        p { "A standardised mean difference (SMD) measures how far apart the two groups are on each characteristic, "
            "in standard deviations. Under 0.05 is good (green), 0.05 to 0.10 is acceptable (amber), over 0.10 is poor (red). "
            "After matching, " (green) " of " (r.balance.rows.len()) " are green, " (amber) " amber and " (red) " red." }
        table.balance {
            caption.visually-hidden { "Balance before and after matching" }
            thead { tr {
                th scope="col" { "Characteristic" }
                th.num scope="col" { "SMD before" }
                th.num scope="col" { "SMD after" }
                th.num scope="col" { "Variance ratio after" }
                th scope="col" { "Balance" }
            } }
            tbody {
                @for b in &r.balance.rows {
                    tr {
                        td { (b.covariate) }
                        td.num { (b.smd_before) }
                        td.num { (b.smd_after) }
                        td.num { (b.variance_ratio_after) }
                        td { strong class=(format!("tag {}", b.flag.name())) { (flag_word(b.flag)) } }
                    }
                }
            }
        }
    }
}

fn flag_word(f: Flag) -> &'static str {
    match f {
        Flag::Green => "Good",
        Flag::Amber => "Acceptable",
        Flag::Red => "Poor",
    }
}

fn annex(r: &Report) -> Markup {
    let m = &r.method;
    let d = &m.disclosure;
    page! {
        section.annex {
            h2 { "Technical annex" }
            dl {
                dt { "Linkage" } dd { (m.linkage) }
                dt { "Index event" } dd { (m.index_events) }
                dt { "Comparison pool" } dd { "Everyone else in the national records with an index event of the same kinds in the same period." }
                dt { "Propensity model" } dd { (m.model) ", on " (m.covariates) " design columns: offending history, "
                    "sentences, employment and benefits before the index date, age, sex, and region."
                    @for w in &m.warnings { br; "Warning: " (w) } }
                dt { "Matching" } dd { (m.matching) }
                dt { "Tests" } dd { "Weighted two-sample t-tests (Welch), comparison people weighted by how often they were matched; "
                    (format!("{:.0}", 100.0 * m.confidence)) "% confidence intervals; two-sided p-values." }
                dt { "Disclosure control" } dd { "Results shown only where at least " (d.min_reoffenders)
                    " people in the treatment group reoffended (and at least " (d.min_reoffenders) " did not); time to first reoffence only where at least "
                    (d.min_reoffenders_for_time) " reoffended. Counts under " (d.min_cell) " suppressed. A cohort within "
                    (d.differencing_threshold) " people of an earlier request's cohort is refused. Rates are rounded to whole numbers per 100, "
                    "frequencies and p-values to 2 decimal places." }
                dt { "Software" } dd { (r.software) }
            }
        }
    }
}

/// GOV.UK typography and colours, with Arial standing in for GDS Transport
/// (whose licence covers only GOV.UK domains), and print rules for A4.
const STYLE: &str = r#"
*{box-sizing:border-box}
body{margin:0;font-family:arial,"Liberation Sans",sans-serif;color:#0b0c0c;font-size:19px;line-height:1.32;-webkit-print-color-adjust:exact;print-color-adjust:exact}
.banner{background:#0b0c0c;color:#fff;padding:14px 30px;display:flex;justify-content:space-between;align-items:baseline;border-bottom:10px solid #1d70b8}
.brand{font-weight:700;font-size:24px}
.ref{font-size:16px}
main{max-width:960px;margin:0 auto;padding:30px}
.caption{display:block;color:#505a5f;font-size:24px;margin-bottom:5px}
h1{font-size:48px;line-height:1.04;margin:0 0 30px}
h2{font-size:36px;line-height:1.11;margin:45px 0 20px}
h3{font-size:24px;line-height:1.25;margin:30px 0 15px}
p{margin:0 0 20px}
.lead{font-size:24px}
.big{font-size:24px;font-weight:700}
.small{font-size:16px;color:#505a5f}
.headline{border-left:10px solid #1d70b8;background:#f3f2f1;padding:20px 25px;margin:30px 0}
.headline h2{margin-top:0;font-size:24px}
.inset{border-left:10px solid #b1b4b6;padding:15px;margin:15px 0}
.list{padding-left:20px}.list li{margin-bottom:10px}
table{width:100%;border-collapse:collapse;margin:0 0 30px;font-size:19px}
th,td{text-align:left;padding:10px 20px 10px 0;border-bottom:1px solid #b1b4b6;vertical-align:top}
th{font-weight:700}
.num{text-align:right}
.balance{font-size:16px}.balance td,.balance th{padding:6px 15px 6px 0}
.tag{display:inline-block;padding:2px 8px;font-size:16px;font-weight:700}
.tag.green{background:#cce2d8;color:#005a30}
.tag.amber{background:#fff7bf;color:#594d00}
.tag.red{background:#f4cdc6;color:#2a0b06}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
svg{display:block;width:100%;height:auto;margin:10px 0 20px;font-family:arial,"Liberation Sans",sans-serif}
svg .label{font-size:16px;font-weight:700;fill:#0b0c0c}
svg .value{font-size:16px;fill:#0b0c0c}
svg .tick{font-size:13px;fill:#505a5f}
svg .count{font-size:19px;font-weight:700;fill:#fff}
svg .stage{font-size:11px;fill:#0b0c0c}
svg .axis{stroke:#505a5f;stroke-width:1}
svg .whisker{stroke:#0b0c0c;stroke-width:2}
svg .diff{stroke:#0b0c0c;stroke-width:3}
svg .zero{stroke:#d4351c;stroke-width:2;stroke-dasharray:4 3}
dl{margin:0}dt{font-weight:700;margin-top:15px}dd{margin:5px 0 0}
footer{border-top:1px solid #b1b4b6;color:#505a5f;font-size:16px;padding:20px 30px;max-width:960px;margin:0 auto}
.measure{break-inside:avoid}
@page{size:A4;margin:15mm}
@media print{body{font-size:12pt}main{padding:0;max-width:none}.banner{padding:8pt 0;border-bottom-width:6pt}
h1{font-size:26pt}h2{font-size:18pt;margin-top:20pt;break-after:avoid}h3{font-size:14pt;break-after:avoid}.lead,.big{font-size:14pt}
table{font-size:11pt}.balance{font-size:9pt}.annex{break-before:page}footer{padding:10pt 0}}
"#;
