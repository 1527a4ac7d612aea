//! Turning a relayed VP8 keyframe into a picture, for checks that look at
//! what a participant really sends (the face check).
//!
//! A VP8 keyframe is exactly the payload of a lossy WebP image, so the
//! frame is wrapped in the few bytes of a RIFF/WebP container and decoded
//! with the pure-Rust `image-webp` decoder: no libvpx, nothing compiled
//! from C. Interframes need the previous pictures and are refused.

use std::io::Cursor;

/// A decoded picture: `rgb` holds `width * height` pixels, three bytes
/// each, row by row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picture {
    pub width: u32,
    pub height: u32,
    pub rgb: Vec<u8>,
}

/// Why a frame could not be decoded.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    #[error("the frame is not a VP8 keyframe (an interframe or too short)")]
    NotKeyframe,
    #[error("the VP8 keyframe is larger than a container can hold")]
    TooLarge,
    #[error("the VP8 keyframe could not be decoded: {0}")]
    Corrupt(String),
}

/// The largest picture decoded: 4096x4096 (a browser camera sends far less).
const MAX_PIXELS: u64 = 4096 * 4096;

/// Decodes one VP8 keyframe (a whole frame as the media server forwards it).
pub fn decode_keyframe(frame: &[u8]) -> Result<Picture, DecodeError> {
    // RFC 6386 9.1: the frame tag's lowest bit is 0 for a keyframe, which
    // carries the start code 9d 01 2a after the three tag bytes.
    if frame.len() < 10 || frame[0] & 1 != 0 || frame[3..6] != [0x9d, 0x01, 0x2a] {
        return Err(DecodeError::NotKeyframe);
    }
    let width = u64::from(u16::from_le_bytes([frame[6], frame[7]]) & 0x3fff);
    let height = u64::from(u16::from_le_bytes([frame[8], frame[9]]) & 0x3fff);
    if width == 0 || height == 0 || width * height > MAX_PIXELS {
        return Err(DecodeError::Corrupt(format!(
            "a {width}x{height} picture is not one a camera sends"
        )));
    }
    let padded = frame.len() + frame.len() % 2;
    let riff_size = u32::try_from(4 + 8 + padded).map_err(|_| DecodeError::TooLarge)?;
    let mut webp = Vec::with_capacity(12 + 8 + padded);
    webp.extend_from_slice(b"RIFF");
    webp.extend_from_slice(&riff_size.to_le_bytes());
    webp.extend_from_slice(b"WEBPVP8 ");
    webp.extend_from_slice(&(frame.len() as u32).to_le_bytes());
    webp.extend_from_slice(frame);
    if frame.len() % 2 == 1 {
        webp.push(0);
    }
    let corrupt = |e: image_webp::DecodingError| DecodeError::Corrupt(e.to_string());
    let mut decoder = image_webp::WebPDecoder::new(Cursor::new(webp)).map_err(corrupt)?;
    let (w, h) = decoder.dimensions();
    let size = decoder
        .output_buffer_size()
        .ok_or_else(|| DecodeError::Corrupt("the picture's size overflows".into()))?;
    let mut out = vec![0; size];
    decoder.read_image(&mut out).map_err(corrupt)?;
    let rgb = if decoder.has_alpha() {
        out.chunks_exact(4)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect()
    } else {
        out
    };
    Ok(Picture {
        width: w,
        height: h,
        rgb,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_keyframe_decodes_as_libvpx_decodes_it() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/");
        let frame = std::fs::read(format!("{dir}testsrc2-160x120.vp8")).unwrap();
        let expected = std::fs::read(format!("{dir}testsrc2-160x120.rgb")).unwrap();
        let p = decode_keyframe(&frame).unwrap();
        assert_eq!((p.width, p.height), (160, 120));
        assert_eq!(p.rgb.len(), expected.len());
        // The two decoders agree on the picture; colour conversion and
        // upsampling of the chroma differ by a few levels.
        let mean = p
            .rgb
            .iter()
            .zip(&expected)
            .map(|(a, b)| f64::from(a.abs_diff(*b)))
            .sum::<f64>()
            / expected.len() as f64;
        assert!(mean < 6.0, "mean difference {mean}");
        // A frame cut short is refused, not half decoded into a panic.
        assert!(decode_keyframe(&frame[..frame.len() / 3]).is_err());
    }

    #[test]
    fn interframes_and_scraps_are_refused_not_panicked_on() {
        assert_eq!(decode_keyframe(&[]), Err(DecodeError::NotKeyframe));
        assert_eq!(decode_keyframe(&[1; 40]), Err(DecodeError::NotKeyframe));
        let mut fake = vec![0u8, 0, 0, 0x9d, 0x01, 0x2a, 0, 0, 0, 0];
        assert!(matches!(
            decode_keyframe(&fake),
            Err(DecodeError::Corrupt(_))
        ));
        fake[6] = 64;
        fake[8] = 48;
        fake.extend_from_slice(&[0x55; 30]);
        assert!(matches!(
            decode_keyframe(&fake),
            Err(DecodeError::Corrupt(_))
        ));
    }
}
