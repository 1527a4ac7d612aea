//! The few neural-network pieces the two face-api.js networks need, for one
//! image at a time, channels last (NHWC, as TensorFlow.js lays them out):
//! convolutions as im2col plus one matrix product
//! (`matrixmultiply::sgemm`), depthwise convolutions, pooling, and reading
//! TensorFlow.js weight files.

use std::collections::HashMap;

use serde::Deserialize;

/// One image's activations, `h x w x c`, channels last.
#[derive(Debug, Clone)]
pub struct Tensor {
    pub h: usize,
    pub w: usize,
    pub c: usize,
    pub data: Vec<f32>,
}

impl Tensor {
    pub fn zeros(h: usize, w: usize, c: usize) -> Tensor {
        Tensor {
            h,
            w,
            c,
            data: vec![0.0; h * w * c],
        }
    }

    /// The channels of one pixel.
    pub fn at(&self, y: usize, x: usize) -> &[f32] {
        let i = (y * self.w + x) * self.c;
        &self.data[i..i + self.c]
    }

    pub fn relu(mut self) -> Tensor {
        for v in &mut self.data {
            *v = v.max(0.0);
        }
        self
    }

    /// Element-wise sum (same shapes).
    pub fn add(mut self, other: &Tensor) -> Tensor {
        debug_assert_eq!(self.data.len(), other.data.len());
        for (a, b) in self.data.iter_mut().zip(&other.data) {
            *a += b;
        }
        self
    }
}

/// TensorFlow's padding rules.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Padding {
    /// Output `ceil(in / stride)`, zeros split evenly with the odd one at
    /// the bottom and right.
    Same,
    /// No padding: output `(in - k) / stride + 1`.
    Valid,
}

/// `(output size, padding before)` along one axis.
fn geometry(input: usize, k: usize, stride: usize, padding: Padding) -> (usize, usize) {
    match padding {
        Padding::Valid => ((input - k) / stride + 1, 0),
        Padding::Same => {
            let out = input.div_ceil(stride);
            let total = ((out - 1) * stride + k).saturating_sub(input);
            (out, total / 2)
        }
    }
}

/// `out (m x n) += a (m x k) * b (k x n)`, all row-major.
pub fn matmul_add(m: usize, k: usize, n: usize, a: &[f32], b: &[f32], out: &mut [f32]) {
    assert!(a.len() >= m * k && b.len() >= k * n && out.len() >= m * n);
    // SAFETY: the asserts above keep every access inside the slices, laid
    // out row-major with the strides given.
    unsafe {
        matrixmultiply::sgemm(
            m,
            k,
            n,
            1.0,
            a.as_ptr(),
            k as isize,
            1,
            b.as_ptr(),
            n as isize,
            1,
            1.0,
            out.as_mut_ptr(),
            n as isize,
            1,
        );
    }
}

/// A convolution plus a per-channel bias: `filters` are `(k * k * cin) x
/// cout`, row-major, rows ordered (ky, kx, ci) as TensorFlow's HWIO
/// filters are stored.
#[derive(Debug)]
pub struct Conv {
    pub k: usize,
    pub cin: usize,
    pub cout: usize,
    pub stride: usize,
    pub padding: Padding,
    pub filters: Vec<f32>,
    pub bias: Vec<f32>,
}

impl Conv {
    pub fn forward(&self, x: &Tensor, relu: bool) -> Tensor {
        debug_assert_eq!(x.c, self.cin);
        let (k, s) = (self.k, self.stride);
        let (oh, pt) = geometry(x.h, k, s, self.padding);
        let (ow, pl) = geometry(x.w, k, s, self.padding);
        let kk = k * k * self.cin;
        let m = oh * ow;
        let mut out = Tensor {
            h: oh,
            w: ow,
            c: self.cout,
            data: self.bias.repeat(m),
        };
        if k == 1 && s == 1 {
            matmul_add(m, kk, self.cout, &x.data, &self.filters, &mut out.data);
        } else {
            // im2col: one row per output position, zeros where the window
            // leaves the image.
            let mut cols = vec![0.0f32; m * kk];
            for oy in 0..oh {
                for ox in 0..ow {
                    let row = &mut cols[(oy * ow + ox) * kk..(oy * ow + ox + 1) * kk];
                    for ky in 0..k {
                        let Some(iy) = (oy * s + ky).checked_sub(pt).filter(|&v| v < x.h) else {
                            continue;
                        };
                        for kx in 0..k {
                            let Some(ix) = (ox * s + kx).checked_sub(pl).filter(|&v| v < x.w)
                            else {
                                continue;
                            };
                            let dst = (ky * k + kx) * self.cin;
                            row[dst..dst + self.cin].copy_from_slice(x.at(iy, ix));
                        }
                    }
                }
            }
            matmul_add(m, kk, self.cout, &cols, &self.filters, &mut out.data);
        }
        if relu { out.relu() } else { out }
    }
}

/// A depthwise 3x3 (any k) convolution followed by a pointwise 1x1
/// convolution and a bias: TensorFlow's `separableConv2d` + bias.
#[derive(Debug)]
pub struct Separable {
    pub k: usize,
    pub stride: usize,
    /// `k * k * c`, ordered (ky, kx, c).
    pub depthwise: Vec<f32>,
    /// `c x cout` plus bias.
    pub pointwise: Conv,
}

impl Separable {
    pub fn forward(&self, x: &Tensor) -> Tensor {
        let (k, s, c) = (self.k, self.stride, x.c);
        let (oh, pt) = geometry(x.h, k, s, Padding::Same);
        let (ow, pl) = geometry(x.w, k, s, Padding::Same);
        let mut mid = Tensor::zeros(oh, ow, c);
        for oy in 0..oh {
            for ox in 0..ow {
                let dst = (oy * ow + ox) * c;
                for ky in 0..k {
                    let Some(iy) = (oy * s + ky).checked_sub(pt).filter(|&v| v < x.h) else {
                        continue;
                    };
                    for kx in 0..k {
                        let Some(ix) = (ox * s + kx).checked_sub(pl).filter(|&v| v < x.w) else {
                            continue;
                        };
                        let w = &self.depthwise[(ky * k + kx) * c..(ky * k + kx + 1) * c];
                        for ((d, v), w) in
                            mid.data[dst..dst + c].iter_mut().zip(x.at(iy, ix)).zip(w)
                        {
                            *d += v * w;
                        }
                    }
                }
            }
        }
        self.pointwise.forward(&mid, false)
    }
}

/// `k x k` pooling with stride `s`, 'valid'; the maximum or the mean.
pub fn pool(x: &Tensor, k: usize, s: usize, max: bool) -> Tensor {
    let (oh, _) = geometry(x.h, k, s, Padding::Valid);
    let (ow, _) = geometry(x.w, k, s, Padding::Valid);
    let init = if max { f32::NEG_INFINITY } else { 0.0 };
    let mut out = Tensor {
        h: oh,
        w: ow,
        c: x.c,
        data: vec![init; oh * ow * x.c],
    };
    let n = (k * k) as f32;
    for y in 0..oh {
        for xx in 0..ow {
            let dst = (y * ow + xx) * x.c;
            for dy in 0..k {
                for dx in 0..k {
                    let src = x.at(s * y + dy, s * xx + dx);
                    for (d, v) in out.data[dst..dst + x.c].iter_mut().zip(src) {
                        if max {
                            *d = d.max(*v);
                        } else {
                            *d += v / n;
                        }
                    }
                }
            }
        }
    }
    out
}

/// The weights manifest (TensorFlow.js `weights_manifest.json`).
#[derive(Debug, Deserialize)]
struct Group {
    weights: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
struct Entry {
    name: String,
    shape: Vec<usize>,
    dtype: String,
    quantization: Option<Quantization>,
}

#[derive(Debug, Deserialize)]
struct Quantization {
    dtype: String,
    scale: f32,
    min: f32,
}

/// Every tensor of a TensorFlow.js weights file, by name.
pub struct Weights(HashMap<String, (Vec<usize>, Vec<f32>)>);

impl Weights {
    /// Reads the tensors the manifest lists, in its order, from the bytes
    /// of the weights file: float32 little-endian, or uint8-quantised
    /// (`q * scale + min`).
    pub fn read(manifest: &str, bin: &[u8]) -> Result<Weights, String> {
        let groups: Vec<Group> = serde_json::from_str(manifest).map_err(|e| e.to_string())?;
        let mut at = 0usize;
        let mut out = HashMap::new();
        for entry in groups.into_iter().flat_map(|g| g.weights) {
            if entry.dtype != "float32" {
                return Err(format!("{}: unsupported dtype {}", entry.name, entry.dtype));
            }
            let n: usize = entry.shape.iter().product();
            let short = || format!("{}: weights file too short", entry.name);
            let values = match &entry.quantization {
                None => {
                    let bytes = bin.get(at..at + 4 * n).ok_or_else(short)?;
                    at += 4 * n;
                    bytes
                        .chunks_exact(4)
                        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                        .collect()
                }
                Some(q) if q.dtype == "uint8" => {
                    let bytes = bin.get(at..at + n).ok_or_else(short)?;
                    at += n;
                    bytes.iter().map(|&b| b as f32 * q.scale + q.min).collect()
                }
                Some(q) => {
                    return Err(format!(
                        "{}: unsupported quantisation {}",
                        entry.name, q.dtype
                    ));
                }
            };
            out.insert(entry.name, (entry.shape, values));
        }
        if at != bin.len() {
            return Err(format!("{} bytes of weights left unread", bin.len() - at));
        }
        Ok(Weights(out))
    }

    /// Takes one tensor out, checking its shape.
    pub fn take(&mut self, name: &str, shape: &[usize]) -> Result<Vec<f32>, String> {
        let (s, v) = self
            .0
            .remove(name)
            .ok_or_else(|| format!("{name}: missing"))?;
        if s != shape {
            return Err(format!("{name}: shape {s:?}, expected {shape:?}"));
        }
        Ok(v)
    }

    /// Fails if any tensor was left untaken.
    pub fn finish(self) -> Result<(), String> {
        match self.0.keys().next() {
            Some(extra) => Err(format!("{extra}: a tensor the network does not use")),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_padding_follows_tensorflow() {
        assert_eq!(geometry(112, 3, 2, Padding::Same), (56, 0));
        assert_eq!(geometry(7, 3, 2, Padding::Same), (4, 1));
        assert_eq!(geometry(35, 3, 1, Padding::Same), (35, 1));
        assert_eq!(geometry(150, 7, 2, Padding::Valid), (72, 0));
        assert_eq!(geometry(8, 3, 2, Padding::Valid), (3, 0));
    }

    #[test]
    fn a_convolution_matches_a_direct_sum() {
        // 4x5 input, 2 channels, 3x3 'same' stride 1 and stride 2.
        let x = Tensor {
            h: 4,
            w: 5,
            c: 2,
            data: (0..40).map(|i| ((i * 7 % 11) as f32) - 5.0).collect(),
        };
        let filters: Vec<f32> = (0..3 * 3 * 2 * 3)
            .map(|i| ((i * 5 % 13) as f32) / 10.0 - 0.6)
            .collect();
        for stride in [1, 2] {
            let conv = Conv {
                k: 3,
                cin: 2,
                cout: 3,
                stride,
                padding: Padding::Same,
                filters: filters.clone(),
                bias: vec![0.5, -0.5, 0.0],
            };
            let out = conv.forward(&x, false);
            let (oh, pt) = geometry(4, 3, stride, Padding::Same);
            let (ow, pl) = geometry(5, 3, stride, Padding::Same);
            assert_eq!((out.h, out.w), (oh, ow));
            for oy in 0..oh {
                for ox in 0..ow {
                    for co in 0..3 {
                        let mut sum = conv.bias[co];
                        for ky in 0..3 {
                            for kx in 0..3 {
                                let iy = (oy * stride + ky) as isize - pt as isize;
                                let ix = (ox * stride + kx) as isize - pl as isize;
                                if iy < 0 || ix < 0 || iy >= 4 || ix >= 5 {
                                    continue;
                                }
                                for ci in 0..2 {
                                    sum += x.at(iy as usize, ix as usize)[ci]
                                        * filters[((ky * 3 + kx) * 2 + ci) * 3 + co];
                                }
                            }
                        }
                        let got = out.at(oy, ox)[co];
                        assert!(
                            (got - sum).abs() < 1e-4,
                            "{stride} {oy} {ox} {co}: {got} vs {sum}"
                        );
                    }
                }
            }
        }
    }
}
