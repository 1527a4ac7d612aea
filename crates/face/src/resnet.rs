//! The face descriptor network: face-api.js's port of dlib's ResNet-29
//! (`dlib_face_recognition_resnet_model_v1`), run in plain Rust.
//!
//! Layout is NHWC for one image (`h x w x c`, channels last, as in
//! TensorFlow.js). Each convolution is an im2col followed by one matrix
//! product (`matrixmultiply::sgemm`); the conv bias and the per-channel
//! scale layer that follows it are folded into the filters once, at load
//! time.
//!
//! The forward pass follows `src/faceRecognitionNet/FaceRecognitionNet.ts`
//! of `@vladmandic/face-api` 1.7.15 step by step: 150x150 RGB, subtract the
//! mean colour `[122.782, 117.001, 104.298]`, divide by 255; 7x7 stride-2
//! 'valid' conv + scale + ReLU; 3x3 stride-2 'valid' max pool; residual
//! blocks (conv+scale+ReLU, conv+scale, add, ReLU) and down-sampling
//! residual blocks (3x3 stride-2 'valid' conv; the shortcut is a 2x2
//! stride-2 average pool padded with zero channels, and the conv output is
//! padded with a zero row and column when the two sizes differ); a global
//! mean; a 256 x 128 matrix product.

use image::RgbImage;

use crate::nn::{Conv, Padding, Tensor, Weights, pool};
use crate::{Descriptor, Error, Recogniser};

/// The side of the square RGB chip the network reads.
pub const CHIP: u32 = 150;

const MEAN_RGB: [f32; 3] = [122.782, 117.001, 104.298];

const WEIGHTS: &[u8] = include_bytes!("../model/face_recognition_model.bin");
const MANIFEST: &str = include_str!("../model/face_recognition_model-weights_manifest.json");

/// Two convolutions with a shortcut around them.
#[derive(Debug)]
struct Residual {
    conv1: Conv,
    conv2: Conv,
}

impl Residual {
    /// conv+scale+ReLU, conv+scale, add the input, ReLU.
    fn forward(&self, x: &Tensor) -> Tensor {
        self.conv2
            .forward(&self.conv1.forward(x, true), false)
            .add(x)
            .relu()
    }

    /// The down-sampling block: conv1 has stride 2 and no padding; the
    /// shortcut is a 2x2 stride-2 average pool, with zero channels appended
    /// up to conv2's channel count, and conv2's output gains zero rows and
    /// columns at the bottom and right when the pool's output is larger.
    fn forward_down(&self, x: &Tensor) -> Tensor {
        let out = self.conv2.forward(&self.conv1.forward(x, true), false);
        let pooled = pool(x, 2, 2, false);
        let mut sum = Tensor::zeros(pooled.h, pooled.w, out.c);
        for y in 0..sum.h {
            for xx in 0..sum.w {
                let dst = (y * sum.w + xx) * sum.c;
                let row = &mut sum.data[dst..dst + sum.c];
                row[..pooled.c].copy_from_slice(pooled.at(y, xx));
                if y < out.h && xx < out.w {
                    for (d, v) in row.iter_mut().zip(out.at(y, xx)) {
                        *d += v;
                    }
                }
            }
        }
        sum.relu()
    }
}

/// The ResNet-29 descriptor network with its weights parsed and folded.
#[derive(Debug)]
pub struct FaceApiResNet {
    conv32_down: Conv,
    blocks: Vec<(Residual, bool)>,
    /// `256 x 128`, row-major.
    fc: Vec<f32>,
}

impl FaceApiResNet {
    /// Parses the vendored weights.
    pub fn new() -> Result<FaceApiResNet, Error> {
        Self::from_parts(MANIFEST, WEIGHTS).map_err(Error::Model)
    }

    fn from_parts(manifest: &str, bin: &[u8]) -> Result<FaceApiResNet, String> {
        let mut t = Weights::read(manifest, bin)?;
        let mut take = |name: &str, shape: &[usize]| t.take(name, shape);
        let mut conv = |prefix: &str, k: usize, cin: usize, cout: usize, stride: usize| {
            let filters = take(&format!("{prefix}/conv/filters"), &[k, k, cin, cout])?;
            let bias = take(&format!("{prefix}/conv/bias"), &[cout])?;
            let scale = take(&format!("{prefix}/scale/weights"), &[cout])?;
            let shift = take(&format!("{prefix}/scale/biases"), &[cout])?;
            let filters = filters
                .chunks_exact(cout)
                .flat_map(|row| row.iter().zip(&scale).map(|(w, s)| w * s))
                .collect();
            let bias = (0..cout).map(|o| bias[o] * scale[o] + shift[o]).collect();
            Ok::<_, String>(Conv {
                k,
                cin,
                cout,
                stride,
                padding: if stride == 1 {
                    Padding::Same
                } else {
                    Padding::Valid
                },
                filters,
                bias,
            })
        };
        let conv32_down = conv("conv32_down", 7, 3, 32, 2)?;
        let plan: [(&str, usize, usize, bool); 14] = [
            ("conv32_1", 32, 32, false),
            ("conv32_2", 32, 32, false),
            ("conv32_3", 32, 32, false),
            ("conv64_down", 32, 64, true),
            ("conv64_1", 64, 64, false),
            ("conv64_2", 64, 64, false),
            ("conv64_3", 64, 64, false),
            ("conv128_down", 64, 128, true),
            ("conv128_1", 128, 128, false),
            ("conv128_2", 128, 128, false),
            ("conv256_down", 128, 256, true),
            ("conv256_1", 256, 256, false),
            ("conv256_2", 256, 256, false),
            ("conv256_down_out", 256, 256, true),
        ];
        let mut blocks = Vec::with_capacity(plan.len());
        for (name, cin, cout, down) in plan {
            let block = Residual {
                conv1: conv(
                    &format!("{name}/conv1"),
                    3,
                    cin,
                    cout,
                    if down { 2 } else { 1 },
                )?,
                conv2: conv(&format!("{name}/conv2"), 3, cout, cout, 1)?,
            };
            blocks.push((block, down));
        }
        let fc = take("fc", &[256, 128])?;
        t.finish()?;
        Ok(FaceApiResNet {
            conv32_down,
            blocks,
            fc,
        })
    }

    /// The descriptor of a 150x150 chip (other sizes are resized first).
    fn forward(&self, chip: &RgbImage) -> [f32; 128] {
        let resized;
        let chip = if chip.dimensions() == (CHIP, CHIP) {
            chip
        } else {
            resized =
                image::imageops::resize(chip, CHIP, CHIP, image::imageops::FilterType::Triangle);
            &resized
        };
        let mut x = Tensor::zeros(CHIP as usize, CHIP as usize, 3);
        for (d, p) in x.data.chunks_exact_mut(3).zip(chip.pixels()) {
            for c in 0..3 {
                d[c] = (p.0[c] as f32 - MEAN_RGB[c]) / 255.0;
            }
        }
        let mut x = pool(&self.conv32_down.forward(&x, true), 3, 2, true);
        for (block, down) in &self.blocks {
            x = if *down {
                block.forward_down(&x)
            } else {
                block.forward(&x)
            };
        }
        let n = (x.h * x.w) as f32;
        let mut mean = vec![0.0f32; x.c];
        for px in x.data.chunks_exact(x.c) {
            for (m, v) in mean.iter_mut().zip(px) {
                *m += v / n;
            }
        }
        let mut out = [0.0f32; 128];
        for (i, m) in mean.iter().enumerate() {
            for (o, w) in out.iter_mut().zip(&self.fc[i * 128..(i + 1) * 128]) {
                *o += m * w;
            }
        }
        out
    }
}

impl Recogniser for FaceApiResNet {
    fn chip_size(&self) -> u32 {
        CHIP
    }

    fn chip_padding(&self) -> f32 {
        0.25
    }

    fn describe(&self, face_chip: &RgbImage) -> Descriptor {
        Descriptor(self.forward(face_chip))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shapes_follow_the_reference_network() {
        let net = FaceApiResNet::new().unwrap();
        let x = Tensor::zeros(150, 150, 3);
        let x = net.conv32_down.forward(&x, true);
        assert_eq!((x.h, x.w, x.c), (72, 72, 32));
        let mut x = pool(&x, 3, 2, true);
        assert_eq!((x.h, x.w), (35, 35));
        let mut sizes = vec![];
        for (block, down) in &net.blocks {
            x = if *down {
                block.forward_down(&x)
            } else {
                block.forward(&x)
            };
            sizes.push((x.h, x.c));
        }
        assert_eq!(sizes[3], (17, 64));
        assert_eq!(sizes[7], (8, 128));
        assert_eq!(sizes[10], (4, 256));
        assert_eq!(sizes[13], (2, 256));
    }

    #[test]
    fn a_short_or_mislabelled_weights_file_is_refused() {
        let short = &WEIGHTS[..WEIGHTS.len() - 1];
        let err = FaceApiResNet::from_parts(MANIFEST, short).unwrap_err();
        assert!(err.contains("too short"), "{err}");
        let err =
            FaceApiResNet::from_parts(&MANIFEST.replace("\"fc\"", "\"fc2\""), WEIGHTS).unwrap_err();
        assert!(err.contains("fc: missing"), "{err}");
    }
}
