//! The live face check on labelled clips, through the code the server runs:
//! each check takes the caller's latest VP8 keyframe, decodes it
//! (`media::vp8`), finds and describes the faces (`face`), judges them
//! against the enrolled caller (`calls::face_check::judge`) and counts
//! unapproved checks in a row before a pause, as `calls::face_check` does.
//! What it leaves out is the transport (the browser test covers that).
//!
//! ```sh
//! # a 4:3 camera window around the face in a photo, as an ffmpeg crop
//! cargo run --release -p server --example face_check -- crop PHOTO
//! # the checks on IVF clips (VP8, a keyframe at least every check)
//! cargo run --release -p server --example face_check -- run --enrol PHOTO \
//!     [--every 3] [--strikes 2] CLIP.ivf...
//! ```
//!
//! `run` prints a line of `key=value` per clip (see bench/face-check.sh).

use std::time::Instant;

use anyhow::{Context, Result, bail};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("crop") => crop(args.get(1).context("crop PHOTO")?),
        Some("run") => run(&args[1..]),
        _ => bail!(
            "usage: face_check crop PHOTO | run --enrol PHOTO [--every S] [--strikes N] CLIP.ivf..."
        ),
    }
}

/// A 4:3 window three faces wide around the one face in `photo`, the face
/// a little above the middle, as a caller holds a phone; the top of the
/// photo when no face is found in it (a face half out of the picture).
fn crop(photo: &str) -> Result<()> {
    let engine = face::Engine::new()?;
    let bytes = std::fs::read(photo).with_context(|| format!("reading {photo}"))?;
    let a = engine.analyse(&bytes)?;
    let Some(f) = a.faces.first() else {
        let w = a.width.min(a.height * 4 / 3) & !1;
        println!("crop={w}:{}:{}:0", (w * 3 / 4) & !1, (a.width - w) / 2);
        return Ok(());
    };
    let w = (f.size * 3).min(a.width).min(a.height * 4 / 3) & !1;
    let h = (w * 3 / 4) & !1;
    let cx = f.x + f.size / 2;
    let cy = f.y + f.size / 2;
    let x = cx.saturating_sub(w / 2).min(a.width - w);
    let y = cy.saturating_sub(h * 2 / 5).min(a.height - h);
    println!("crop={w}:{h}:{x}:{y}");
    Ok(())
}

/// The frames of an IVF file: (seconds, frame).
fn ivf(path: &str) -> Result<Vec<(f64, Vec<u8>)>> {
    let d = std::fs::read(path).with_context(|| format!("reading {path}"))?;
    if d.len() < 32 || &d[0..4] != b"DKIF" || &d[8..12] != b"VP80" {
        bail!("{path} is not an IVF file of VP8");
    }
    let header = u16::from_le_bytes([d[6], d[7]]) as usize;
    let rate = u32::from_le_bytes(d[16..20].try_into()?) as f64;
    let scale = u32::from_le_bytes(d[20..24].try_into()?) as f64;
    let mut at = header;
    let mut out = Vec::new();
    while at + 12 <= d.len() {
        let size = u32::from_le_bytes(d[at..at + 4].try_into()?) as usize;
        let pts = u64::from_le_bytes(d[at + 4..at + 12].try_into()?) as f64;
        let frame = d
            .get(at + 12..at + 12 + size)
            .with_context(|| format!("{path} is cut short"))?;
        out.push((pts * scale / rate, frame.to_vec()));
        at += 12 + size;
    }
    Ok(out)
}

fn run(args: &[String]) -> Result<()> {
    let mut enrol = None;
    let mut every = 3.0;
    let mut strikes = 2u32;
    let mut clips = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--enrol" => enrol = it.next().cloned(),
            "--every" => every = it.next().context("--every S")?.parse()?,
            "--strikes" => strikes = it.next().context("--strikes N")?.parse()?,
            clip => clips.push(clip.to_owned()),
        }
    }
    let enrol = enrol.context("--enrol PHOTO")?;
    let engine = face::Engine::new()?;
    let enrolled = engine.analyse(&std::fs::read(&enrol)?)?;
    let known = face::single_face(&enrolled)
        .map_err(|r| anyhow::anyhow!("{enrol}: {r}"))?
        .descriptor;
    for clip in clips {
        let frames = ivf(&clip)?;
        let length = frames.last().map_or(0.0, |f| f.0);
        let (mut checks, mut approved, mut no_face, mut unknown, mut pauses) = (0, 0, 0, 0, 0);
        let (mut run, mut first_pause, mut ms) = (0u32, None, Vec::new());
        let mut t = every;
        while t <= length + 1e-9 {
            // The newest keyframe at or before the check, as the server's
            // keyframe request would fetch.
            // (RFC 6386: a keyframe's first bit is 0.)
            let Some((_, frame)) = frames
                .iter()
                .rev()
                .find(|(at, f)| *at <= t + 1e-9 && f.first().is_some_and(|b| b & 1 == 0))
            else {
                t += every;
                continue;
            };
            let started = Instant::now();
            let p = media::vp8::decode_keyframe(frame)?;
            let img = face::RgbImage::from_raw(p.width, p.height, p.rgb).context("picture size")?;
            let a = engine.analyse_image(&img);
            let faces: Vec<face::Descriptor> = a.faces.iter().map(|f| f.descriptor).collect();
            ms.push(started.elapsed().as_secs_f64() * 1000.0);
            checks += 1;
            match calls::face_check::judge(&faces, &[known], 0, 1) {
                calls::face_check::Verdict::Approved { .. } => {
                    approved += 1;
                    run = 0;
                }
                calls::face_check::Verdict::NoFace => {
                    no_face += 1;
                    run = 0;
                }
                calls::face_check::Verdict::Unapproved { .. } => {
                    unknown += 1;
                    run += 1;
                    if run >= strikes {
                        pauses += 1;
                        run = 0;
                        first_pause.get_or_insert(t);
                    }
                }
            }
            t += every;
        }
        ms.sort_by(f64::total_cmp);
        let median = ms.get(ms.len() / 2).copied().unwrap_or(0.0);
        println!(
            "clip={} seconds={length:.0} checks={checks} approved={approved} no_face={no_face} unknown={unknown} pauses={pauses} first_pause_s={} check_ms_median={median:.0}",
            std::path::Path::new(&clip)
                .file_name()
                .map_or(clip.clone(), |n| n.to_string_lossy().into_owned()),
            first_pause.map_or("none".to_owned(), |s| format!("{s:.1}")),
        );
    }
    Ok(())
}
