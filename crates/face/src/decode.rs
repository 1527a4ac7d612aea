//! From bytes to pixels, within limits: a JPEG or PNG of at most
//! [`MAX_BYTES`] and [`MAX_PIXELS`], turned upright by its EXIF orientation.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, RgbImage};

use crate::Error;

/// The largest file accepted: 10 MB.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// The most pixels accepted: 40 megapixels. Checked from the file's header,
/// before any pixel is decoded.
pub const MAX_PIXELS: u64 = 40_000_000;

/// Decodes a JPEG or PNG, upright.
pub fn decode(bytes: &[u8]) -> Result<RgbImage, Error> {
    if bytes.len() > MAX_BYTES {
        return Err(Error::TooLarge { bytes: bytes.len() });
    }
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| Error::Unreadable(e.to_string()))?;
    match reader.format() {
        Some(ImageFormat::Jpeg | ImageFormat::Png) => {}
        Some(other) => {
            return Err(Error::UnsupportedFormat(
                other
                    .extensions_str()
                    .first()
                    .unwrap_or(&"?")
                    .to_uppercase(),
            ));
        }
        None => return Err(Error::NotAnImage),
    }
    let mut decoder = reader
        .into_decoder()
        .map_err(|e| Error::Unreadable(e.to_string()))?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(Error::TooManyPixels { width, height });
    }
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img =
        DynamicImage::from_decoder(decoder).map_err(|e| Error::Unreadable(e.to_string()))?;
    img.apply_orientation(orientation);
    Ok(img.into_rgb8())
}

/// The share of pixels exactly equal (all three channels) to their
/// left-hand neighbour, over up to 400 evenly spaced rows. Camera photos,
/// with their sensor noise and JPEG grain, score 0.05 to 0.3 (0.45 for the
/// test photos darkened to a fifth); blank pictures score 1, drawings,
/// screenshots and generated gradients 0.7 to 1.
pub fn flat_share(img: &RgbImage) -> f32 {
    let (w, h) = img.dimensions();
    if w < 2 {
        return 1.0;
    }
    let step = (h / 400).max(1) as usize;
    let (mut same, mut all) = (0u64, 0u64);
    for row in img.as_raw().chunks_exact(3 * w as usize).step_by(step) {
        for (a, b) in row.chunks_exact(3).zip(row[3..].chunks_exact(3)) {
            all += 1;
            same += u64::from(a == b);
        }
    }
    same as f32 / all as f32
}
