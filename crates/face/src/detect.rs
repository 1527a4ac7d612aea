//! Finding faces: SeetaFace's frontal detector (the `rustface` crate) run on
//! a grey copy of the picture scaled down to at most [`WORK_SIDE`] pixels
//! on its longer side.

use image::{GrayImage, RgbImage};
use rustface::ImageData;

use crate::Error;

const MODEL: &[u8] = include_bytes!("../model/seeta_fd_frontal_v1.0.bin");

/// The longer side of the grey copy the detector searches. The detector's
/// window is 40 pixels, so this also sets the smallest face found: 40
/// pixels in a picture of up to 1024 pixels, 4% of the longer side beyond.
pub const WORK_SIDE: u32 = 1024;

/// The detector's own smallest face, in pixels of the grey copy.
const WINDOW: u32 = 40;

/// SeetaFace's score threshold (its own example uses 2.0; the library's
/// default is 3.85). Calibrated on the test photos: see BENCHMARKS.md.
pub const SCORE_THRESHOLD: f64 = 2.0;

/// A face found: a square in the picture's pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Found {
    pub x: f32,
    pub y: f32,
    pub size: f32,
    pub score: f64,
}

/// The parsed detector model; cheap to clone per call, shared read-only.
pub struct Detector {
    model: rustface::Model,
}

impl Detector {
    pub fn new() -> Result<Detector, Error> {
        let model =
            rustface::read_model(MODEL).map_err(|e| Error::Model(format!("face detector: {e}")))?;
        Ok(Detector { model })
    }

    /// Every face in the picture, largest first.
    pub fn detect(&self, img: &RgbImage) -> Vec<Found> {
        let (w, h) = img.dimensions();
        let scale = (WORK_SIDE as f32 / w.max(h) as f32).min(1.0);
        let grey = image::imageops::grayscale(img);
        let grey: GrayImage = if scale < 1.0 {
            let (sw, sh) = (
                ((w as f32 * scale).round() as u32).max(1),
                ((h as f32 * scale).round() as u32).max(1),
            );
            image::imageops::thumbnail(&grey, sw, sh)
        } else {
            grey
        };
        let (gw, gh) = grey.dimensions();
        if gw < WINDOW || gh < WINDOW {
            return Vec::new();
        }
        // The detector keeps scratch buffers, so each call gets its own.
        let mut detector = rustface::create_detector_with_model(self.model.clone());
        detector.set_min_face_size(WINDOW);
        detector.set_score_thresh(SCORE_THRESHOLD);
        detector.set_pyramid_scale_factor(0.8);
        detector.set_slide_window_step(4, 4);
        let sx = w as f32 / gw as f32;
        let sy = h as f32 / gh as f32;
        let mut found: Vec<Found> = detector
            .detect(&ImageData::new(grey.as_raw(), gw, gh))
            .into_iter()
            .map(|f| {
                let b = f.bbox();
                Found {
                    x: b.x() as f32 * sx,
                    y: b.y() as f32 * sy,
                    size: b.width().max(b.height()) as f32 * sx.max(sy),
                    score: f.score(),
                }
            })
            .collect();
        found.sort_by(|a, b| b.size.total_cmp(&a.size));
        found
    }
}
