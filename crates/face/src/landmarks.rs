//! 68 face landmarks (jaw, brows, nose, eyes, mouth, in the iBUG 300-W
//! order dlib uses) from face-api.js's `face_landmark_68_model`, and the
//! dlib-style alignment they give: the similarity transform that puts a
//! face's landmarks where dlib's mean face has them in a chip.
//!
//! The network follows `src/faceFeatureExtractor/FaceFeatureExtractor.ts`
//! and `src/faceLandmarkNet/` of `@vladmandic/face-api` 1.7.15: 112x112 RGB,
//! mean colour subtracted and divided by 255; four dense blocks (the first
//! opens with a plain 3x3 stride-2 conv, the others with a separable one;
//! then three separable convs whose inputs are the ReLU of the running sum
//! of the block's outputs); a 7x7 stride-2 average pool; a 256 x 136 fully
//! connected layer giving (x, y) for each point as a fraction of the input.

use image::RgbImage;

use crate::nn::{Conv, Padding, Separable, Tensor, Weights, matmul_add, pool};

const WEIGHTS: &[u8] = include_bytes!("../model/face_landmark_68_model.bin");
const MANIFEST: &str = include_str!("../model/face_landmark_68_model-weights_manifest.json");

/// The side of the square input the network reads.
pub const INPUT: u32 = 112;

const MEAN_RGB: [f32; 3] = [122.782, 117.001, 104.298];

/// dlib's mean face (`get_face_chip_details`): landmarks 17 to 67 (brows,
/// nose, eyes, mouth; not the jaw) in a unit square.
const MEAN_FACE_X: [f32; 51] = [
    0.000213256,
    0.0752622,
    0.18113,
    0.29077,
    0.393397,
    0.586856,
    0.689483,
    0.799124,
    0.904991,
    0.98004,
    0.490127,
    0.490127,
    0.490127,
    0.490127,
    0.36688,
    0.426036,
    0.490127,
    0.554217,
    0.613373,
    0.121737,
    0.187122,
    0.265825,
    0.334606,
    0.260918,
    0.182743,
    0.645647,
    0.714428,
    0.793132,
    0.858516,
    0.79751,
    0.719335,
    0.254149,
    0.340985,
    0.428858,
    0.490127,
    0.551395,
    0.639268,
    0.726104,
    0.642159,
    0.556721,
    0.490127,
    0.423532,
    0.338094,
    0.290379,
    0.428096,
    0.490127,
    0.552157,
    0.689874,
    0.553364,
    0.490127,
    0.42689,
];
const MEAN_FACE_Y: [f32; 51] = [
    0.106454, 0.038915, 0.0187482, 0.0344891, 0.0773906, 0.0773906, 0.0344891, 0.0187482, 0.038915,
    0.106454, 0.203352, 0.307009, 0.409805, 0.515625, 0.587326, 0.609345, 0.628106, 0.609345,
    0.587326, 0.216423, 0.178758, 0.179852, 0.231733, 0.245099, 0.244077, 0.231733, 0.179852,
    0.178758, 0.216423, 0.244077, 0.245099, 0.780233, 0.745405, 0.727388, 0.742578, 0.727388,
    0.745405, 0.780233, 0.864805, 0.902192, 0.909281, 0.902192, 0.864805, 0.784792, 0.778746,
    0.785343, 0.778746, 0.784792, 0.824182, 0.831803, 0.824182,
];

/// How a dense block opens: a plain conv in the first block, a separable
/// one in the others; stride 2 either way.
enum Opening {
    Conv(Conv),
    Separable(Separable),
}

struct DenseBlock {
    opening: Opening,
    rest: [Separable; 3],
}

impl DenseBlock {
    fn forward(&self, x: &Tensor) -> Tensor {
        let out1 = match &self.opening {
            Opening::Conv(conv) => conv.forward(x, true),
            Opening::Separable(sep) => sep.forward(x).relu(),
        };
        let out2 = self.rest[0].forward(&out1);
        let sum = out1.add(&out2);
        let out3 = self.rest[1].forward(&sum.clone().relu());
        let sum = sum.add(&out3);
        let out4 = self.rest[2].forward(&sum.clone().relu());
        sum.add(&out4).relu()
    }
}

fn separable(
    t: &mut Weights,
    name: &str,
    cin: usize,
    cout: usize,
    stride: usize,
) -> Result<Separable, String> {
    Ok(Separable {
        k: 3,
        stride,
        depthwise: t.take(&format!("{name}/depthwise_filter"), &[3, 3, cin, 1])?,
        pointwise: Conv {
            k: 1,
            cin,
            cout,
            stride: 1,
            padding: Padding::Same,
            filters: t.take(&format!("{name}/pointwise_filter"), &[1, 1, cin, cout])?,
            bias: t.take(&format!("{name}/bias"), &[cout])?,
        },
    })
}

/// The 68-point landmark network.
pub struct LandmarkNet {
    blocks: Vec<DenseBlock>,
    /// `256 x 136`, row-major.
    fc: Vec<f32>,
    fc_bias: Vec<f32>,
}

impl LandmarkNet {
    /// Parses the vendored weights.
    pub fn new() -> Result<LandmarkNet, String> {
        Self::from_parts(MANIFEST, WEIGHTS)
    }

    fn from_parts(manifest: &str, bin: &[u8]) -> Result<LandmarkNet, String> {
        let mut t = Weights::read(manifest, bin)?;
        let mut blocks = Vec::new();
        for (i, (cin, cout)) in [(3, 32), (32, 64), (64, 128), (128, 256)]
            .into_iter()
            .enumerate()
        {
            let opening = if i == 0 {
                Opening::Conv(Conv {
                    k: 3,
                    cin,
                    cout,
                    stride: 2,
                    padding: Padding::Same,
                    filters: t.take("dense0/conv0/filters", &[3, 3, cin, cout])?,
                    bias: t.take("dense0/conv0/bias", &[cout])?,
                })
            } else {
                Opening::Separable(separable(&mut t, &format!("dense{i}/conv0"), cin, cout, 2)?)
            };
            let rest = [
                separable(&mut t, &format!("dense{i}/conv1"), cout, cout, 1)?,
                separable(&mut t, &format!("dense{i}/conv2"), cout, cout, 1)?,
                separable(&mut t, &format!("dense{i}/conv3"), cout, cout, 1)?,
            ];
            blocks.push(DenseBlock { opening, rest });
        }
        let fc = t.take("fc/weights", &[256, 136])?;
        let fc_bias = t.take("fc/bias", &[136])?;
        t.finish()?;
        Ok(LandmarkNet {
            blocks,
            fc,
            fc_bias,
        })
    }

    /// The 68 points of the face in a 112x112 input, each as a fraction
    /// (x, y) of the input's side.
    pub fn forward(&self, input: &RgbImage) -> [(f32, f32); 68] {
        debug_assert_eq!(input.dimensions(), (INPUT, INPUT));
        let mut x = Tensor::zeros(INPUT as usize, INPUT as usize, 3);
        for (d, p) in x.data.chunks_exact_mut(3).zip(input.pixels()) {
            for c in 0..3 {
                d[c] = (p.0[c] as f32 - MEAN_RGB[c]) / 255.0;
            }
        }
        for block in &self.blocks {
            x = block.forward(&x);
        }
        let x = pool(&x, 7, 2, false);
        let mut out = self.fc_bias.clone();
        matmul_add(1, 256, 136, &x.data, &self.fc, &mut out);
        let mut points = [(0.0, 0.0); 68];
        for (p, xy) in points.iter_mut().zip(out.chunks_exact(2)) {
            *p = (xy[0], xy[1]);
        }
        points
    }
}

/// A similarity transform (rotation, uniform scale, shift) of the plane:
/// `(x, y) -> (a x - b y + tx, b x + a y + ty)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Similarity {
    pub a: f32,
    pub b: f32,
    pub tx: f32,
    pub ty: f32,
}

impl Similarity {
    pub fn apply(&self, (x, y): (f32, f32)) -> (f32, f32) {
        (
            self.a * x - self.b * y + self.tx,
            self.b * x + self.a * y + self.ty,
        )
    }

    /// How many units of the output one unit of the input spans.
    pub fn scale(&self) -> f32 {
        self.a.hypot(self.b)
    }

    /// The least-squares similarity taking `from` onto `to` (in complex
    /// numbers, `to = s * from + t`).
    pub fn fit(from: &[(f32, f32)], to: &[(f32, f32)]) -> Similarity {
        let n = from.len() as f32;
        let mean = |p: &[(f32, f32)]| {
            let (sx, sy) = p
                .iter()
                .fold((0.0, 0.0), |(ax, ay), (x, y)| (ax + x, ay + y));
            (sx / n, sy / n)
        };
        let (fx, fy) = mean(from);
        let (gx, gy) = mean(to);
        let (mut re, mut im, mut norm) = (0.0f32, 0.0f32, 0.0f32);
        for (&(x, y), &(u, v)) in from.iter().zip(to) {
            let (x, y, u, v) = (x - fx, y - fy, u - gx, v - gy);
            // (u + iv) * conj(x + iy)
            re += u * x + v * y;
            im += v * x - u * y;
            norm += x * x + y * y;
        }
        let (a, b) = (re / norm, im / norm);
        Similarity {
            a,
            b,
            tx: gx - (a * fx - b * fy),
            ty: gy - (b * fx + a * fy),
        }
    }
}

/// dlib's chip geometry (`get_face_chip_details`): the transform from a
/// `side x side` chip, with `padding` (0.25 for the descriptor network)
/// around the mean face, to the picture, fitted on landmarks 17 to 67.
pub fn chip_transform(landmarks: &[(f32, f32); 68], side: u32, padding: f32) -> Similarity {
    let template: Vec<(f32, f32)> = MEAN_FACE_X
        .iter()
        .zip(&MEAN_FACE_Y)
        .map(|(&x, &y)| {
            let k = side as f32 / (2.0 * padding + 1.0);
            ((x + padding) * k, (y + padding) * k)
        })
        .collect();
    Similarity::fit(&template, &landmarks[17..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_similarity_is_recovered_exactly() {
        let truth = Similarity {
            a: 1.2,
            b: -0.3,
            tx: 40.0,
            ty: -7.5,
        };
        let from: Vec<(f32, f32)> = MEAN_FACE_X
            .iter()
            .zip(&MEAN_FACE_Y)
            .map(|(&x, &y)| (x * 100.0, y * 100.0))
            .collect();
        let to: Vec<(f32, f32)> = from.iter().map(|&p| truth.apply(p)).collect();
        let fit = Similarity::fit(&from, &to);
        for (got, want) in [
            (fit.a, truth.a),
            (fit.b, truth.b),
            (fit.tx, truth.tx),
            (fit.ty, truth.ty),
        ] {
            assert!((got - want).abs() < 1e-3, "{fit:?}");
        }
    }

    #[test]
    fn the_network_gives_face_api_js_own_landmarks() {
        let input = image::open(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/obama_landmarks_input.png"
        ))
        .unwrap()
        .into_rgb8();
        let expected: Vec<f32> =
            serde_json::from_str(include_str!("../tests/data/obama_landmarks.face-api.json"))
                .unwrap();
        assert_eq!(expected.len(), 136);
        let got = LandmarkNet::new().unwrap().forward(&input);
        for (i, ((x, y), want)) in got.iter().zip(expected.chunks_exact(2)).enumerate() {
            assert!(
                (x - want[0]).abs() < 1e-4 && (y - want[1]).abs() < 1e-4,
                "point {i}: ({x}, {y}) vs face-api.js ({}, {})",
                want[0],
                want[1]
            );
        }
    }

    #[test]
    fn the_network_loads_and_keeps_points_near_the_input() {
        let net = LandmarkNet::new().unwrap();
        let grey = RgbImage::from_pixel(INPUT, INPUT, image::Rgb([128, 128, 128]));
        for (x, y) in net.forward(&grey) {
            assert!(
                (-0.5..1.5).contains(&x) && (-0.5..1.5).contains(&y),
                "{x} {y}"
            );
        }
    }
}
