//! Calibration of the match threshold (and of the face crop) on the
//! labelled test photos and augmented variants of them.
//!
//! ```sh
//! cargo run --release -p face --example calibrate            # or bench/face.sh
//! cargo run --release -p face --example calibrate -- --crops # also compare landmark input margins
//! ```
//!
//! Each labelled photo (shared/testdata/faces: obama*.jpg are person A,
//! biden.jpg person B) is analysed as it is and as six variants: mirrored,
//! 20% brighter, 20% darker, cropped by 10% on every side, scaled to half
//! size, and re-compressed as a JPEG of quality 40. Every pair of samples
//! whose faces were found is then a genuine pair (same person) or an
//! impostor pair (different people). Genuine pairs from two variants of
//! the same photo are reported apart: they are much easier than two
//! different photos. The report gives the distance tables, the false accept
//! rate (impostor pairs under the threshold) and the false reject rate
//! (genuine pairs at or over it) at `face::MATCH_THRESHOLD`, and the range
//! of thresholds that separates the two sets. Everything is deterministic.

use std::time::Instant;

use face::{Descriptor, Engine, MATCH_THRESHOLD};
use image::RgbImage;
use image::imageops::{self, FilterType};

const PHOTOS: [(&str, char); 5] = [
    ("obama", 'A'),
    ("obama2", 'A'),
    ("obama3", 'A'),
    ("obama_partial_face", 'A'),
    ("biden", 'B'),
];

const VARIANTS: [&str; 7] = [
    "as is",
    "mirrored",
    "bright+20%",
    "dark-20%",
    "crop 10%",
    "half size",
    "jpeg q40",
];

fn variant(img: &RgbImage, which: usize) -> RgbImage {
    let (w, h) = img.dimensions();
    let scale_light = |f: f32| {
        let mut out = img.clone();
        for p in out.pixels_mut() {
            for c in &mut p.0 {
                *c = (*c as f32 * f).round().clamp(0.0, 255.0) as u8;
            }
        }
        out
    };
    match which {
        0 => img.clone(),
        1 => imageops::flip_horizontal(img),
        2 => scale_light(1.2),
        3 => scale_light(0.8),
        4 => imageops::crop_imm(img, w / 10, h / 10, w - 2 * (w / 10), h - 2 * (h / 10)).to_image(),
        5 => imageops::resize(img, w / 2, h / 2, FilterType::Triangle),
        6 => {
            let mut bytes = Vec::new();
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 40)
                .encode_image(img)
                .unwrap();
            image::load_from_memory(&bytes).unwrap().into_rgb8()
        }
        _ => unreachable!(),
    }
}

struct Sample {
    photo: usize,
    variant: usize,
    descriptor: Option<Descriptor>,
}

fn samples(engine: &Engine, photos: &[RgbImage]) -> Vec<Sample> {
    let mut out = Vec::new();
    for (p, img) in photos.iter().enumerate() {
        for v in 0..VARIANTS.len() {
            let a = engine.analyse_image(&variant(img, v));
            out.push(Sample {
                photo: p,
                variant: v,
                descriptor: face::single_face(&a).ok().map(|f| f.descriptor),
            });
        }
    }
    out
}

#[derive(Default)]
struct Pairs {
    genuine_cross: Vec<f32>,
    genuine_same_photo: Vec<f32>,
    impostor: Vec<f32>,
}

fn pairs(samples: &[Sample]) -> Pairs {
    let mut out = Pairs::default();
    for (i, a) in samples.iter().enumerate() {
        for b in &samples[i + 1..] {
            let (Some(da), Some(db)) = (a.descriptor, b.descriptor) else {
                continue;
            };
            let d = da.distance(&db);
            if PHOTOS[a.photo].1 != PHOTOS[b.photo].1 {
                out.impostor.push(d);
            } else if a.photo == b.photo {
                out.genuine_same_photo.push(d);
            } else {
                out.genuine_cross.push(d);
            }
        }
    }
    for v in [
        &mut out.genuine_cross,
        &mut out.genuine_same_photo,
        &mut out.impostor,
    ] {
        v.sort_by(f32::total_cmp);
    }
    out
}

fn summary(v: &[f32]) -> String {
    if v.is_empty() {
        return "none".into();
    }
    format!(
        "{:>4} pairs  min {:.3}  median {:.3}  max {:.3}",
        v.len(),
        v[0],
        v[v.len() / 2],
        v[v.len() - 1]
    )
}

fn main() {
    let crops = std::env::args().any(|a| a == "--crops");
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/testdata/faces"
    );
    let photos: Vec<RgbImage> = PHOTOS
        .iter()
        .map(|(name, _)| {
            let bytes = std::fs::read(format!("{dir}/{name}.jpg")).expect("test photo");
            image::load_from_memory(&bytes).unwrap().into_rgb8()
        })
        .collect();
    let engine = Engine::new().expect("models load");

    if crops {
        println!("## Landmark input margin: distances over all variants\n");
        println!(
            "| margin | genuine (2 photos) max | genuine median | impostor min | impostor median | gap |"
        );
        println!("|---:|---:|---:|---:|---:|---:|");
        for margin in [0.0f32, 0.1, 0.2, 0.3] {
            let e = Engine::new().unwrap().with_landmark_margin(margin);
            let p = pairs(&samples(&e, &photos));
            let (g, i) = (&p.genuine_cross, &p.impostor);
            println!(
                "| {margin:.1} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} |",
                g[g.len() - 1],
                g[g.len() / 2],
                i[0],
                i[i.len() / 2],
                i[0] - g[g.len() - 1]
            );
        }
        println!("\n(in use: {:.1})\n", Engine::LANDMARK_MARGIN);
    }

    println!("## The labelled photos as they are\n");
    let start = Instant::now();
    let analyses: Vec<_> = photos.iter().map(|p| engine.analyse_image(p)).collect();
    let elapsed = start.elapsed();
    println!("| photo | person | size | faces | box | score | check |");
    println!("|---|---|---|---:|---:|---:|---|");
    for ((name, who), a) in PHOTOS.iter().zip(&analyses) {
        let (size, score) = a.faces.first().map_or((0, 0.0), |f| (f.size, f.score));
        let check = match face::single_face(a) {
            Ok(_) => "ok".to_string(),
            Err(r) => format!("{r:?}"),
        };
        println!(
            "| {name} | {who} | {}x{} | {} | {size} | {score:.1} | {check} |",
            a.width,
            a.height,
            a.faces.len()
        );
    }
    println!(
        "\n({} photos analysed in {:.2} s, decoding excluded)\n",
        photos.len(),
        elapsed.as_secs_f64()
    );

    println!("Distances between the photos' faces (A = person A, B = person B):\n");
    print!("| |");
    for (name, who) in PHOTOS {
        print!(" {name} ({who}) |");
    }
    println!();
    println!("|---|{}", "---:|".repeat(PHOTOS.len()));
    for (i, (name, who)) in PHOTOS.iter().enumerate() {
        print!("| {name} ({who}) |");
        for j in 0..PHOTOS.len() {
            let d = match (
                face::single_face(&analyses[i]),
                face::single_face(&analyses[j]),
            ) {
                (Ok(a), Ok(b)) => format!("{:.3}", a.descriptor.distance(&b.descriptor)),
                _ => "-".into(),
            };
            print!(" {d} |");
        }
        println!();
    }

    println!("\n## With augmented variants ({})\n", VARIANTS.join(", "));
    let all = samples(&engine, &photos);
    let found = all.iter().filter(|s| s.descriptor.is_some()).count();
    println!(
        "{found} of {} samples gave one usable face; not usable:",
        all.len()
    );
    for s in all.iter().filter(|s| s.descriptor.is_none()) {
        println!("  {} ({})", PHOTOS[s.photo].0, VARIANTS[s.variant]);
    }
    println!("\nDistance range over the variants, per pair of photos:\n");
    println!("| photos | pairs | min | max |");
    println!("|---|---:|---:|---:|");
    for (i, (name_i, _)) in PHOTOS.iter().enumerate() {
        for (j, (name_j, _)) in PHOTOS.iter().enumerate().skip(i) {
            let mut ds = Vec::new();
            for a in all.iter().filter(|s| s.photo == i) {
                for b in all.iter().filter(|s| s.photo == j) {
                    if let (Some(da), Some(db)) = (a.descriptor, b.descriptor)
                        && (i != j || a.variant < b.variant)
                    {
                        ds.push(da.distance(&db));
                    }
                }
            }
            if let (Some(min), Some(max)) = (
                ds.iter().copied().reduce(f32::min),
                ds.iter().copied().reduce(f32::max),
            ) {
                println!(
                    "| {name_i} - {name_j} | {} | {min:.3} | {max:.3} |",
                    ds.len()
                );
            }
        }
    }
    let p = pairs(&all);
    println!();
    println!(
        "genuine, two different photos:   {}",
        summary(&p.genuine_cross)
    );
    println!(
        "genuine, variants of one photo:  {}",
        summary(&p.genuine_same_photo)
    );
    println!("impostor:                        {}", summary(&p.impostor));

    let genuine: Vec<f32> = p
        .genuine_cross
        .iter()
        .chain(&p.genuine_same_photo)
        .copied()
        .collect();
    let t = MATCH_THRESHOLD;
    let false_accepts = p.impostor.iter().filter(|&&d| d < t).count();
    let false_rejects = genuine.iter().filter(|&&d| d >= t).count();
    let cross_rejects = p.genuine_cross.iter().filter(|&&d| d >= t).count();
    println!("\nAt MATCH_THRESHOLD = {t}:");
    println!(
        "  false accept rate {}/{} = {:.2}%",
        false_accepts,
        p.impostor.len(),
        100.0 * false_accepts as f64 / p.impostor.len() as f64
    );
    println!(
        "  false reject rate {}/{} = {:.2}% (two different photos: {}/{} = {:.2}%)",
        false_rejects,
        genuine.len(),
        100.0 * false_rejects as f64 / genuine.len() as f64,
        cross_rejects,
        p.genuine_cross.len(),
        100.0 * cross_rejects as f64 / p.genuine_cross.len() as f64
    );
    let max_genuine = genuine.iter().copied().fold(f32::MIN, f32::max);
    let min_impostor = p.impostor.first().copied().unwrap_or(f32::MAX);
    if max_genuine < min_impostor {
        println!(
            "  every threshold in ({max_genuine:.3}, {min_impostor:.3}] separates the two sets"
        );
    } else {
        println!(
            "  the sets overlap: genuine up to {max_genuine:.3}, impostor from {min_impostor:.3}"
        );
    }
}
