//! Cutting a face out: a square around the detector's box (the landmark
//! network's input), or an aligned chip (the recogniser's input); parts
//! outside the picture are black, as face-api.js and dlib pad them.

use image::RgbImage;
use image::imageops::{self, FilterType};

use crate::landmarks::Similarity;

/// Where the chip lies relative to the detector's square box of side `s`:
/// the chip's side is `s * (1 + 2 * margin)`, centred on the box's centre
/// moved down by `shift_down * s`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Crop {
    /// Added on every side, as a fraction of the box's side.
    pub margin: f32,
    /// How far down the chip's centre lies from the box's, as a fraction of
    /// the box's side.
    pub shift_down: f32,
}

/// The square chip of side `side` around a face box.
pub fn chip(img: &RgbImage, x: f32, y: f32, size: f32, crop: Crop, side: u32) -> RgbImage {
    let s = size * (1.0 + 2.0 * crop.margin);
    let x0 = x + size / 2.0 - s / 2.0;
    let y0 = y + size / 2.0 + crop.shift_down * size - s / 2.0;
    let (w, h) = img.dimensions();
    let ix0 = x0.max(0.0).floor() as u32;
    let iy0 = y0.max(0.0).floor() as u32;
    let ix1 = ((x0 + s).ceil().max(0.0) as u32).min(w);
    let iy1 = ((y0 + s).ceil().max(0.0) as u32).min(h);
    let mut out = RgbImage::new(side, side);
    if ix1 <= ix0 || iy1 <= iy0 {
        return out;
    }
    let k = side as f32 / s;
    let rw = (((ix1 - ix0) as f32 * k).round() as u32).clamp(1, side);
    let rh = (((iy1 - iy0) as f32 * k).round() as u32).clamp(1, side);
    let part = imageops::crop_imm(img, ix0, iy0, ix1 - ix0, iy1 - iy0).to_image();
    let part = imageops::resize(&part, rw, rh, FilterType::Triangle);
    let ox = ((ix0 as f32 - x0) * k).round() as i64;
    let oy = ((iy0 as f32 - y0) * k).round() as i64;
    imageops::replace(&mut out, &part, ox, oy);
    out
}

/// The `side x side` chip whose pixel (u, v) shows the picture at
/// `to_picture((u, v))`, sampled bilinearly; black outside the picture.
/// When the chip shrinks the face by more than 1.5x, the part of the picture
/// it covers is first resized (triangle filter) to about the chip's scale,
/// so fine detail is averaged rather than aliased.
pub fn aligned(img: &RgbImage, to_picture: Similarity, side: u32) -> RgbImage {
    let (w, h) = img.dimensions();
    // The chip's footprint in the picture, clipped to it.
    let corners = [
        (0.0, 0.0),
        (side as f32, 0.0),
        (0.0, side as f32),
        (side as f32, side as f32),
    ]
    .map(|c| to_picture.apply(c));
    let fx0 = corners
        .iter()
        .map(|c| c.0)
        .fold(f32::MAX, f32::min)
        .floor()
        .max(0.0);
    let fy0 = corners
        .iter()
        .map(|c| c.1)
        .fold(f32::MAX, f32::min)
        .floor()
        .max(0.0);
    let fx1 = corners
        .iter()
        .map(|c| c.0)
        .fold(f32::MIN, f32::max)
        .ceil()
        .min(w as f32);
    let fy1 = corners
        .iter()
        .map(|c| c.1)
        .fold(f32::MIN, f32::max)
        .ceil()
        .min(h as f32);
    let mut out = RgbImage::new(side, side);
    if fx1 - fx0 < 1.0 || fy1 - fy0 < 1.0 {
        return out;
    }
    let (x0, y0) = (fx0 as u32, fy0 as u32);
    let (pw, ph) = ((fx1 - fx0) as u32, (fy1 - fy0) as u32);
    let scale = to_picture.scale();
    let part = imageops::crop_imm(img, x0, y0, pw, ph).to_image();
    let (part, k) = if scale > 1.5 {
        let (rw, rh) = (
            ((pw as f32 / scale).round() as u32).max(1),
            ((ph as f32 / scale).round() as u32).max(1),
        );
        (
            imageops::resize(&part, rw, rh, FilterType::Triangle),
            (rw as f32 / pw as f32, rh as f32 / ph as f32),
        )
    } else {
        (part, (1.0, 1.0))
    };
    let (rw, rh) = part.dimensions();
    for v in 0..side {
        for u in 0..side {
            let (px, py) = to_picture.apply((u as f32, v as f32));
            // Into the (resized) part's pixel grid, pixel centres at +0.5.
            let sx = (px - fx0 + 0.5) * k.0 - 0.5;
            let sy = (py - fy0 + 0.5) * k.1 - 0.5;
            if sx < -0.5 || sy < -0.5 || sx > rw as f32 - 0.5 || sy > rh as f32 - 0.5 {
                continue;
            }
            let (ix, iy) = (sx.floor(), sy.floor());
            let (ax, ay) = (sx - ix, sy - iy);
            let clampx = |x: f32| x.clamp(0.0, rw as f32 - 1.0) as u32;
            let clampy = |y: f32| y.clamp(0.0, rh as f32 - 1.0) as u32;
            let (xa, xb, ya, yb) = (clampx(ix), clampx(ix + 1.0), clampy(iy), clampy(iy + 1.0));
            let (p00, p10, p01, p11) = (
                part.get_pixel(xa, ya).0,
                part.get_pixel(xb, ya).0,
                part.get_pixel(xa, yb).0,
                part.get_pixel(xb, yb).0,
            );
            let mut px_out = [0u8; 3];
            for c in 0..3 {
                let top = p00[c] as f32 * (1.0 - ax) + p10[c] as f32 * ax;
                let bottom = p01[c] as f32 * (1.0 - ax) + p11[c] as f32 * ax;
                px_out[c] = (top * (1.0 - ay) + bottom * ay).round().clamp(0.0, 255.0) as u8;
            }
            out.put_pixel(u, v, image::Rgb(px_out));
        }
    }
    out
}
