//! The engine on the labelled test photos (`shared/testdata/faces`, see its
//! README: obama*.jpg are person A, biden.jpg person B) and on pictures
//! built from them in memory.

use std::sync::OnceLock;

use face::{Analysis, Engine, Error, MATCH_THRESHOLD, Recogniser, Refusal, compare, single_face};
use image::{ImageEncoder, Rgb, RgbImage};

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::new().expect("the vendored models load"))
}

fn photo(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../../../shared/testdata/faces/{name}.jpg",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn pixels(name: &str) -> RgbImage {
    image::load_from_memory(&photo(name)).unwrap().into_rgb8()
}

fn analyse(name: &str) -> Analysis {
    engine().analyse(&photo(name)).unwrap()
}

fn png(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            image::ExtendedColorType::Rgb8,
        )
        .unwrap();
    out
}

/// A patch of obama.jpg's background (the office, left of his head), with
/// no face in it.
fn background() -> RgbImage {
    image::imageops::crop_imm(&pixels("obama"), 0, 0, 300, 500).to_image()
}

#[test]
fn the_network_gives_face_api_js_own_descriptor() {
    let chip = image::open(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/obama_chip.png"
    ))
    .unwrap()
    .into_rgb8();
    let expected: Vec<f32> =
        serde_json::from_str(include_str!("data/obama_chip.face-api.json")).unwrap();
    assert_eq!(expected.len(), 128);
    let got = face::FaceApiResNet::new().unwrap().describe(&chip);
    for (i, (g, e)) in got.0.iter().zip(&expected).enumerate() {
        assert!(
            (g - e).abs() < 1e-4,
            "component {i}: {g} vs face-api.js {e}"
        );
    }
    let mut reference = [0.0; 128];
    reference.copy_from_slice(&expected);
    assert!(got.distance(&face::Descriptor(reference)) < 1e-4);
}

#[test]
fn each_labelled_photo_holds_one_usable_face() {
    // (name, width, height, face box side within 10%)
    for (name, w, h, side) in [
        ("obama", 910, 1137, 294),
        ("obama2", 626, 1200, 354),
        ("obama3", 1434, 2333, 321),
        ("biden", 970, 2204, 297),
    ] {
        let a = analyse(name);
        assert_eq!((a.width, a.height), (w, h), "{name}");
        assert_eq!(a.faces.len(), 1, "{name}: {:?}", a.faces);
        let f = single_face(&a).unwrap_or_else(|r| panic!("{name}: {r}"));
        assert!(
            (f.size as f64 - side as f64).abs() < 0.1 * side as f64,
            "{name}: box {}",
            f.size
        );
        assert!(f.score > 10.0, "{name}: score {}", f.score);
        assert!(a.flat_share < 0.3, "{name}: {}", a.flat_share);
    }
}

#[test]
fn the_same_person_matches() {
    let a = analyse("obama");
    for other in ["obama2", "obama3"] {
        let c = compare(&a, &analyse(other)).unwrap();
        assert!(c.matched, "obama vs {other}: {}", c.distance);
        assert!(
            c.distance > 0.2 && c.distance < 0.55,
            "obama vs {other}: {}",
            c.distance
        );
    }
}

#[test]
fn a_different_person_does_not_match() {
    let b = analyse("biden");
    for other in ["obama", "obama2", "obama3"] {
        let c = compare(&analyse(other), &b).unwrap();
        assert!(!c.matched, "biden vs {other}: {}", c.distance);
        assert!(c.distance > 0.65, "biden vs {other}: {}", c.distance);
    }
}

#[test]
fn the_same_photo_gives_the_same_descriptor_and_bytes_round_trip() {
    let a = analyse("obama");
    let b = analyse("obama");
    let (fa, fb) = (&a.faces[0], &b.faces[0]);
    assert_eq!(fa.descriptor.distance(&fb.descriptor), 0.0);
    let back = face::Descriptor::from_bytes(&fa.descriptor.to_bytes()).unwrap();
    assert_eq!(back, fa.descriptor);
    // A flipped copy is still the same person, and close.
    let flipped = image::imageops::flip_horizontal(&pixels("obama"));
    let c = compare(&a, &engine().analyse(&png(&flipped)).unwrap()).unwrap();
    assert!(c.matched && c.distance < 0.3, "{}", c.distance);
}

#[test]
fn exif_orientation_is_applied() {
    // A camera that stores the picture on its side and says so in EXIF
    // (orientation 6: turn 90 degrees clockwise to view).
    let upright = pixels("obama");
    let stored = image::imageops::rotate270(&upright);
    let mut exif = b"II*\0\x08\0\0\0".to_vec(); // TIFF, little-endian, IFD at 8
    exif.extend_from_slice(&1u16.to_le_bytes()); // one entry
    exif.extend_from_slice(&0x0112u16.to_le_bytes()); // Orientation
    exif.extend_from_slice(&3u16.to_le_bytes()); // SHORT
    exif.extend_from_slice(&1u32.to_le_bytes()); // one value
    exif.extend_from_slice(&[6, 0, 0, 0]); // 6, padded
    exif.extend_from_slice(&0u32.to_le_bytes()); // no next IFD
    let mut jpeg = Vec::new();
    let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 92);
    encoder.set_exif_metadata(exif).unwrap();
    encoder.encode_image(&stored).unwrap();
    assert_eq!(
        image::load_from_memory(&jpeg).unwrap().width(),
        upright.height(),
        "stored on its side"
    );
    let a = engine().analyse(&jpeg).unwrap();
    assert_eq!((a.width, a.height), (upright.width(), upright.height()));
    let c = compare(&analyse("obama"), &a).unwrap();
    assert!(c.matched && c.distance < 0.2, "{}", c.distance);
}

#[test]
fn one_engine_serves_several_threads() {
    let bytes = photo("obama2");
    let alone = engine().analyse(&bytes).unwrap();
    let results: Vec<Analysis> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..3)
            .map(|_| s.spawn(|| engine().analyse(&bytes).unwrap()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for r in results {
        assert_eq!(r, alone);
    }
}

#[test]
fn a_partial_face_is_not_found() {
    // The hard case: half the face is out of the frame, and the frontal
    // detector does not find it. The user is asked for a new photo.
    let a = analyse("obama_partial_face");
    assert_eq!(single_face(&a), Err(Refusal::NoFace));
}

#[test]
fn a_photo_without_a_face_is_refused() {
    let bg = background();
    let a = engine().analyse(&png(&bg)).unwrap();
    assert!(a.faces.is_empty(), "{:?}", a.faces);
    assert!(a.flat_share < face::MAX_FLAT_SHARE, "{}", a.flat_share);
    assert_eq!(single_face(&a), Err(Refusal::NoFace));
    assert_eq!(compare(&a, &analyse("obama")), Err(Refusal::NoFace));
    assert_eq!(compare(&analyse("obama"), &a), Err(Refusal::NoFace));
}

#[test]
fn blank_flat_and_tiny_pictures_are_not_photos() {
    let blank = RgbImage::from_pixel(640, 480, Rgb([200, 190, 180]));
    let a = engine().analyse(&png(&blank)).unwrap();
    assert_eq!(a.faces.len(), 0);
    assert_eq!(a.flat_share, 1.0);
    assert_eq!(single_face(&a), Err(Refusal::NotAPhoto));

    // A smooth two-colour gradient, like a generated background.
    let gradient = RgbImage::from_fn(800, 600, |x, y| {
        Rgb([(x * 255 / 799) as u8, (y * 255 / 599) as u8, 128])
    });
    let a = engine().analyse(&png(&gradient)).unwrap();
    assert_eq!(a.faces.len(), 0);
    assert!((0.6..0.75).contains(&a.flat_share), "{}", a.flat_share);
    assert_eq!(single_face(&a), Err(Refusal::NotAPhoto));

    // A flat drawing: a disc and some stripes, saved as a JPEG.
    let drawing = RgbImage::from_fn(800, 600, |x, y| {
        if (x / 37 + y / 23) % 7 == 0 {
            Rgb([20, 20, 20])
        } else if (x as i32 - 400).pow(2) + (y as i32 - 300).pow(2) < 200 * 200 {
            Rgb([230, 180, 140])
        } else {
            Rgb([250, 250, 240])
        }
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 85)
        .encode_image(&drawing)
        .unwrap();
    let a = engine().analyse(&jpeg).unwrap();
    assert!(a.flat_share > 0.85, "{}", a.flat_share);
    assert_eq!(single_face(&a), Err(Refusal::NotAPhoto));

    // A real face, but as a 150-pixel thumbnail.
    let thumb = image::imageops::thumbnail(&pixels("obama"), 150, 187);
    let a = engine().analyse(&png(&thumb)).unwrap();
    assert_eq!((a.width, a.height), (150, 187));
    assert_eq!(single_face(&a), Err(Refusal::NotAPhoto));

    // A black-and-white photo is still a photo.
    let grey =
        image::DynamicImage::ImageLuma8(image::imageops::grayscale(&pixels("obama"))).into_rgb8();
    let a = engine().analyse(&png(&grey)).unwrap();
    assert!(a.flat_share < 0.3, "{}", a.flat_share);
    assert!(single_face(&a).is_ok());
}

#[test]
fn two_faces_side_by_side_are_refused() {
    let (a, b) = (pixels("obama"), pixels("biden"));
    // biden.jpg is 970 x 2204 with the face near the top: both faces show.
    let mut both = RgbImage::from_pixel(
        a.width() + b.width(),
        a.height().max(b.height()),
        Rgb([90, 90, 90]),
    );
    image::imageops::replace(&mut both, &a, 0, 0);
    image::imageops::replace(&mut both, &b, a.width() as i64, 0);
    let two = engine().analyse(&png(&both)).unwrap();
    assert_eq!(two.faces.len(), 2, "{:?}", two.faces);
    assert_eq!(single_face(&two), Err(Refusal::SeveralFaces(2)));
    assert_eq!(
        compare(&analyse("obama"), &two),
        Err(Refusal::SeveralFaces(2))
    );
    // Each face is still the person it was.
    let left = two.faces.iter().min_by_key(|f| f.x).unwrap();
    let alone = &analyse("obama").faces[0];
    assert!(left.descriptor.distance(&alone.descriptor) < 0.2);
    assert_eq!(
        Refusal::SeveralFaces(2).to_string(),
        "This photo shows 2 faces. Take a new photo with only your own face in it."
    );
}

/// obama.jpg scaled by `scale`, pasted in the middle of a `side` x `side`
/// canvas of the office background.
fn small_face(scale: f32, side: u32) -> Analysis {
    let obama = pixels("obama");
    let small = image::imageops::resize(
        &obama,
        (obama.width() as f32 * scale) as u32,
        (obama.height() as f32 * scale) as u32,
        image::imageops::FilterType::Triangle,
    );
    let mut canvas = image::imageops::resize(
        &background(),
        side,
        side,
        image::imageops::FilterType::Triangle,
    );
    let (x, y) = ((side - small.width()) / 2, (side - small.height()) / 2);
    image::imageops::replace(&mut canvas, &small, x as i64, y as i64);
    engine().analyse(&png(&canvas)).unwrap()
}

#[test]
fn a_tiny_face_is_refused() {
    // Under 80 pixels: the face is about 294 * 0.2 = 59 pixels.
    let a = small_face(0.2, 800);
    assert_eq!(a.faces.len(), 1, "{:?}", a.faces);
    assert!(
        a.faces[0].size < face::MIN_FACE_PIXELS,
        "{}",
        a.faces[0].size
    );
    assert_eq!(single_face(&a), Err(Refusal::FaceTooSmall));
    assert_eq!(compare(&analyse("obama"), &a), Err(Refusal::FaceTooSmall));

    // Over 80 pixels but under 5% of a 2,400-pixel picture (120 pixels):
    // a photo of a photo held at arm's length.
    let a = small_face(0.34, 2400);
    assert_eq!(a.faces.len(), 1, "{:?}", a.faces);
    let size = a.faces[0].size;
    assert!((80..120).contains(&size), "{size}");
    assert_eq!(single_face(&a), Err(Refusal::FaceTooSmall));
}

#[test]
fn bytes_that_are_not_a_usable_image_give_a_clear_error() {
    let err = engine().analyse(b"this is not a photo").unwrap_err();
    assert!(matches!(err, Error::NotAnImage), "{err:?}");
    assert_eq!(
        err.to_string(),
        "the file is not an image: send a photo as a JPEG or PNG file"
    );

    let err = engine()
        .analyse(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;")
        .unwrap_err();
    assert!(
        matches!(err, Error::UnsupportedFormat(ref f) if f == "GIF"),
        "{err:?}"
    );
    assert!(err.to_string().contains("only JPEG and PNG"), "{err}");

    // A PNG cut short. (A JPEG cut short still decodes: the decoder greys
    // out what is missing.)
    let cut = png(&background());
    let err = engine().analyse(&cut[..cut.len() / 2]).unwrap_err();
    assert!(matches!(err, Error::Unreadable(_)), "{err:?}");
    assert!(
        err.to_string().starts_with("the image could not be read"),
        "{err}"
    );

    let mut big = photo("obama");
    big.resize(face::MAX_BYTES + 1, 0);
    let err = engine().analyse(&big).unwrap_err();
    assert!(
        matches!(err, Error::TooLarge { bytes } if bytes == face::MAX_BYTES + 1),
        "{err:?}"
    );
    assert!(err.to_string().contains("at most 10 MB"), "{err}");
}

#[test]
fn damaged_files_give_errors_not_panics() {
    // Real files with runs of bytes overwritten, and noise behind each
    // format's signature; deterministic (xorshift, fixed seed).
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let originals = [photo("obama2"), png(&background())];
    for round in 0..12 {
        let mut bytes = originals[round % 2].clone();
        for _ in 0..8 {
            let at = (next() as usize) % bytes.len();
            let len = ((next() % 64) as usize).min(bytes.len() - at);
            for b in &mut bytes[at..at + len] {
                *b = next() as u8;
            }
        }
        // Either an analysis or an error; never a panic.
        let _ = engine().analyse(&bytes);
    }
    for signature in [&b"\xFF\xD8\xFF\xE0"[..], b"\x89PNG\r\n\x1a\n"] {
        let mut bytes = signature.to_vec();
        bytes.extend((0..4096).map(|_| next() as u8));
        assert!(engine().analyse(&bytes).is_err());
    }
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn too_many_pixels_are_refused_from_the_header() {
    // A 1x1 PNG whose header claims 10,000 x 5,000 pixels: refused before
    // any pixel is decoded (decoding would fail on the missing data).
    let mut bytes = png(&RgbImage::new(1, 1));
    assert_eq!(&bytes[12..16], b"IHDR");
    bytes[16..20].copy_from_slice(&10_000u32.to_be_bytes());
    bytes[20..24].copy_from_slice(&5_000u32.to_be_bytes());
    let crc = crc32(&bytes[12..29]);
    bytes[29..33].copy_from_slice(&crc.to_be_bytes());
    let err = engine().analyse(&bytes).unwrap_err();
    assert!(
        matches!(
            err,
            Error::TooManyPixels {
                width: 10_000,
                height: 5_000
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "the image is 10000 x 5000 pixels (50 megapixels); at most 40 megapixels are accepted, so send a smaller photo"
    );
}

#[test]
fn refusals_tell_the_user_what_to_do() {
    for r in [
        Refusal::NoFace,
        Refusal::SeveralFaces(3),
        Refusal::FaceTooSmall,
        Refusal::NotAPhoto,
    ] {
        let text = r.to_string();
        assert!(text.contains("Take a new photo"), "{text}");
        assert!(text.ends_with('.'), "{text}");
    }
    assert!(
        Refusal::NoFace
            .to_string()
            .starts_with("We could not find a face")
    );
    assert!(Refusal::FaceTooSmall.to_string().contains("too small"));
}

#[test]
fn the_threshold_is_dlibs_conventional_one() {
    assert_eq!(MATCH_THRESHOLD, 0.6);
}
