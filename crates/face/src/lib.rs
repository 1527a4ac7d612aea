//! Faces for secure video calls: find every face in a photo and compute a
//! descriptor for each, so that a visitor's selfie can be checked against
//! the photo on their verified identity, fully offline.
//!
//! This is a pure engine. It reads the bytes it is given (a JPEG or PNG of
//! at most 10 MB and 40 megapixels) and the model weights compiled into it
//! from `model/` (with their licences); it touches no file, database,
//! network or clock, and keeps nothing about anyone between calls. One
//! [`Engine`] parses the weights once and is shared across threads (it is
//! `Send + Sync`); [`Engine::analyse`] is heavy compute (a fifth to a third
//! of a second a photo on two cores), so a web handler calls it from a
//! blocking thread.
//!
//! Steps: decode ([`Engine::analyse`]: size limits checked before decoding,
//! EXIF orientation applied) -> detect faces (SeetaFace's frontal cascade,
//! the `rustface` crate) -> find 68 landmarks on each (face-api.js's
//! landmark network) -> cut dlib's aligned 150x150 chip -> describe it
//! ([`Recogniser`]; by default dlib's ResNet-29 as ported by face-api.js,
//! 128 numbers) -> compare two descriptors by Euclidean distance against
//! [`MATCH_THRESHOLD`]. Both networks run in plain Rust here and give
//! face-api.js's own outputs to 1e-4 (tested).
//! [`single_face`] and [`compare`] refuse photos a check should not rely on
//! ([`Refusal`]), each with a sentence that tells the user what to do.
//!
//! ```no_run
//! let engine = face::Engine::new()?;
//! let id = engine.analyse(&std::fs::read("id.jpg")?)?;
//! let selfie = engine.analyse(&std::fs::read("selfie.jpg")?)?;
//! match face::compare(&id, &selfie) {
//!     Ok(c) if c.matched => println!("same person ({:.3})", c.distance),
//!     Ok(c) => println!("different people ({:.3})", c.distance),
//!     Err(refusal) => println!("{refusal}"),
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

mod chip;
mod decode;
mod descriptor;
mod detect;
mod landmarks;
mod nn;
mod resnet;

use chip::Crop;
pub use decode::{MAX_BYTES, MAX_PIXELS};
pub use descriptor::Descriptor;
/// The picture type of [`Engine::analyse_image`] and [`Recogniser`] (from the
/// `image` crate), so callers need not depend on it themselves.
pub use image::RgbImage;
pub use resnet::FaceApiResNet;

/// Two descriptors closer than this are the same person. dlib's
/// conventional 0.6, checked on the labelled test photos and their
/// augmented variants (`bench/face.sh`, BENCHMARKS.md "Face module").
pub const MATCH_THRESHOLD: f32 = 0.6;

/// The smallest face accepted for a check, in pixels of the box's side.
pub const MIN_FACE_PIXELS: u32 = 80;

/// The smallest face accepted for a check, as a fraction of the picture's
/// shorter side: a face smaller than this is a photo or screen held at a
/// distance, or a crowd.
pub const MIN_FACE_FRACTION: f64 = 0.05;

/// The smallest picture taken as a photograph, each side in pixels.
pub const MIN_PHOTO_SIDE: u32 = 200;

/// The largest [`Analysis::flat_share`] taken as a photograph.
pub const MAX_FLAT_SHARE: f32 = 0.6;

/// What cannot be analysed at all: the input is not a usable image.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file is over [`MAX_BYTES`].
    #[error(
        "the file is {:.1} MB; photos of at most 10 MB are accepted, so send a smaller photo",
        *bytes as f64 / 1_048_576.0
    )]
    TooLarge {
        /// The file's size.
        bytes: usize,
    },
    /// The image has more than [`MAX_PIXELS`].
    #[error(
        "the image is {width} x {height} pixels ({:.0} megapixels); at most 40 megapixels are accepted, so send a smaller photo",
        *width as f64 * *height as f64 / 1e6
    )]
    TooManyPixels {
        /// In pixels.
        width: u32,
        /// In pixels.
        height: u32,
    },
    /// The bytes are not a picture in any format recognised.
    #[error("the file is not an image: send a photo as a JPEG or PNG file")]
    NotAnImage,
    /// A picture, but not a JPEG or PNG.
    #[error("the file is a {0} image; only JPEG and PNG photos are accepted")]
    UnsupportedFormat(String),
    /// A JPEG or PNG that cannot be decoded.
    #[error(
        "the image could not be read ({0}); it may be damaged or incomplete, so send it again or take a new photo"
    )]
    Unreadable(String),
    /// The vendored model weights could not be parsed (a build defect).
    #[error("the face model could not be loaded: {0}")]
    Model(String),
}

/// Why a photo cannot be used for a face check; `Display` is a sentence
/// for the person who sent it, saying what is wrong and what to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No face was found.
    NoFace,
    /// More than one face was found (how many).
    SeveralFaces(usize),
    /// The face is under [`MIN_FACE_PIXELS`] or [`MIN_FACE_FRACTION`] of
    /// the picture's shorter side.
    FaceTooSmall,
    /// The picture is smaller than [`MIN_PHOTO_SIDE`] on a side, or is made
    /// of flat areas of one colour like a blank picture, a drawing or a
    /// screenshot ([`Analysis::flat_share`] over [`MAX_FLAT_SHARE`]).
    NotAPhoto,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::NoFace => f.write_str(
                "We could not find a face in this photo. Take a new photo facing the camera, \
                 in good light, with your whole face in the picture.",
            ),
            Refusal::SeveralFaces(n) => write!(
                f,
                "This photo shows {n} faces. Take a new photo with only your own face in it."
            ),
            Refusal::FaceTooSmall => f.write_str(
                "The face in this photo is too small to check. Take a new photo of yourself, \
                 holding the camera close enough for your face to fill much of the picture \
                 (not a photo of a picture or a screen).",
            ),
            Refusal::NotAPhoto => f.write_str(
                "This does not look like a photograph: it is too small, or made of flat colour \
                 like a drawing, a screenshot or a blank picture. Take a new photo of your face \
                 with your camera.",
            ),
        }
    }
}

impl std::error::Error for Refusal {}

/// A face found in a photo.
#[derive(Debug, Clone, PartialEq)]
pub struct Face {
    /// Left edge of the detector's square box, in pixels of the upright
    /// picture.
    pub x: u32,
    /// Top edge of the box.
    pub y: u32,
    /// The box's side, in pixels.
    pub size: u32,
    /// The detector's confidence (SeetaFace's score; kept faces score at
    /// least 2.0, clear frontal faces usually over 10).
    pub score: f64,
    /// The face's descriptor.
    pub descriptor: Descriptor,
}

/// What was found in one photo.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// Width of the upright picture, in pixels.
    pub width: u32,
    /// Height of the upright picture, in pixels.
    pub height: u32,
    /// The share of pixels exactly the colour of their left-hand
    /// neighbour: 0.05 to 0.3 for camera photos (sensor noise, JPEG grain),
    /// 0.7 to 1 for blank pictures, drawings, screenshots and generated
    /// gradients.
    pub flat_share: f32,
    /// Every face found, largest first.
    pub faces: Vec<Face>,
}

/// How far apart the faces in two photos are.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Comparison {
    /// Euclidean distance between the two descriptors.
    pub distance: f32,
    /// `distance < MATCH_THRESHOLD`: the same person.
    pub matched: bool,
}

/// Computes a face descriptor from an aligned chip of one face. The engine
/// finds 68 landmarks on each face and cuts the chip as dlib does
/// (`get_face_chip_details`): rotated and scaled so that the brows, eyes,
/// nose and mouth fall where dlib's mean face has them, with
/// [`Recogniser::chip_padding`] around that face, resized to
/// [`Recogniser::chip_size`] pixels square.
pub trait Recogniser: Send + Sync {
    /// The side, in pixels, of the chips this recogniser reads.
    fn chip_size(&self) -> u32;
    /// The margin around dlib's mean face in the chip, as a fraction of the
    /// face's size on each side (dlib's descriptor network uses 0.25).
    fn chip_padding(&self) -> f32;
    /// The descriptor of one face chip.
    fn describe(&self, face_chip: &RgbImage) -> Descriptor;
}

/// The detector, landmark network and recogniser, weights parsed once;
/// share one across threads.
pub struct Engine {
    detector: detect::Detector,
    landmarks: landmarks::LandmarkNet,
    recogniser: Box<dyn Recogniser>,
    landmark_margin: f32,
}

impl Engine {
    /// The landmark network reads a square around the detector's box,
    /// enlarged by this fraction of its side on every side (calibrated on
    /// the labelled photos: see BENCHMARKS.md).
    pub const LANDMARK_MARGIN: f32 = 0.1;

    /// The engine with its vendored models.
    pub fn new() -> Result<Engine, Error> {
        Engine::with_recogniser(Box::new(FaceApiResNet::new()?))
    }

    /// The vendored detector and landmark network with another recogniser.
    pub fn with_recogniser(recogniser: Box<dyn Recogniser>) -> Result<Engine, Error> {
        Ok(Engine {
            detector: detect::Detector::new()?,
            landmarks: landmarks::LandmarkNet::new()
                .map_err(|e| Error::Model(format!("landmarks: {e}")))?,
            recogniser,
            landmark_margin: Engine::LANDMARK_MARGIN,
        })
    }

    /// For calibration only: another margin for the landmark network's
    /// input.
    #[doc(hidden)]
    pub fn with_landmark_margin(mut self, margin: f32) -> Engine {
        self.landmark_margin = margin;
        self
    }

    /// Decodes a JPEG or PNG and analyses it.
    pub fn analyse(&self, bytes: &[u8]) -> Result<Analysis, Error> {
        Ok(self.analyse_image(&decode::decode(bytes)?))
    }

    /// Analyses a decoded, upright picture: every face and its descriptor.
    pub fn analyse_image(&self, img: &RgbImage) -> Analysis {
        let faces = self
            .detector
            .detect(img)
            .into_iter()
            .map(|f| Face {
                x: f.x.max(0.0).round() as u32,
                y: f.y.max(0.0).round() as u32,
                size: f.size.round() as u32,
                score: f.score,
                descriptor: self.recogniser.describe(&self.chip(img, &f)),
            })
            .collect();
        Analysis {
            width: img.width(),
            height: img.height(),
            flat_share: decode::flat_share(img),
            faces,
        }
    }

    /// The aligned chips the recogniser would read, one per face found,
    /// largest face first (for inspection and calibration).
    pub fn chips(&self, img: &RgbImage) -> Vec<RgbImage> {
        self.detector
            .detect(img)
            .iter()
            .map(|f| self.chip(img, f))
            .collect()
    }

    /// Landmarks on a square around the detector's box, then dlib's chip.
    fn chip(&self, img: &RgbImage, f: &detect::Found) -> RgbImage {
        let m = self.landmark_margin;
        let crop = Crop {
            margin: m,
            shift_down: 0.0,
        };
        let input = chip::chip(img, f.x, f.y, f.size, crop, landmarks::INPUT);
        let side = f.size * (1.0 + 2.0 * m);
        let (x0, y0) = (f.x - m * f.size, f.y - m * f.size);
        // Fractions of the input -> picture pixel coordinates, with pixel
        // centres on whole numbers as dlib counts them.
        let points = self
            .landmarks
            .forward(&input)
            .map(|(x, y)| (x0 + x * side - 0.5, y0 + y * side - 0.5));
        let size = self.recogniser.chip_size();
        let to_picture = landmarks::chip_transform(&points, size, self.recogniser.chip_padding());
        chip::aligned(img, to_picture, size)
    }
}

/// The one face a check can rely on, or why there is none.
///
/// In order: the picture must look like a photograph (at least
/// [`MIN_PHOTO_SIDE`] on each side, [`Analysis::flat_share`] at most
/// [`MAX_FLAT_SHARE`]), hold
/// exactly one face, and that face must be at least [`MIN_FACE_PIXELS`]
/// and [`MIN_FACE_FRACTION`] of the shorter side.
pub fn single_face(a: &Analysis) -> Result<&Face, Refusal> {
    if a.width < MIN_PHOTO_SIDE || a.height < MIN_PHOTO_SIDE || a.flat_share > MAX_FLAT_SHARE {
        return Err(Refusal::NotAPhoto);
    }
    let face = match a.faces.as_slice() {
        [] => return Err(Refusal::NoFace),
        [face] => face,
        several => return Err(Refusal::SeveralFaces(several.len())),
    };
    let shorter = a.width.min(a.height) as f64;
    if face.size < MIN_FACE_PIXELS || (face.size as f64) < MIN_FACE_FRACTION * shorter {
        return Err(Refusal::FaceTooSmall);
    }
    Ok(face)
}

/// Compares the single faces of two photos; refuses (the first photo's
/// refusal first) when either cannot be relied on.
pub fn compare(a: &Analysis, b: &Analysis) -> Result<Comparison, Refusal> {
    let distance = single_face(a)?
        .descriptor
        .distance(&single_face(b)?.descriptor);
    Ok(Comparison {
        distance,
        matched: distance < MATCH_THRESHOLD,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn the_engine_is_shared_across_threads() {
        assert_send_sync::<Engine>();
        assert_send_sync::<Analysis>();
    }
}
