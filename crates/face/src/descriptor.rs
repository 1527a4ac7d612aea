//! The 128-number summary of a face that two photos are compared by.

/// A face descriptor: 128 numbers such that two photos of the same person
/// lie close together (Euclidean distance) and photos of different people
/// lie far apart.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Descriptor(pub [f32; 128]);

impl Descriptor {
    /// The length of [`Descriptor::to_bytes`]: 128 little-endian `f32`s.
    pub const BYTES: usize = 128 * 4;

    /// 512 bytes, each number as a little-endian `f32`, for storage.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.0.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    /// Reads [`Descriptor::to_bytes`] back; `None` unless given exactly 512
    /// bytes holding finite numbers.
    pub fn from_bytes(bytes: &[u8]) -> Option<Descriptor> {
        if bytes.len() != Self::BYTES {
            return None;
        }
        let mut out = [0.0f32; 128];
        for (o, b) in out.iter_mut().zip(bytes.chunks_exact(4)) {
            *o = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            if !o.is_finite() {
                return None;
            }
        }
        Some(Descriptor(out))
    }

    /// The Euclidean distance between two descriptors; under
    /// [`crate::MATCH_THRESHOLD`] means the same person.
    pub fn distance(&self, other: &Descriptor) -> f32 {
        self.0
            .iter()
            .zip(&other.0)
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f32>()
            .sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_round_trip_and_bad_lengths_are_refused() {
        let mut d = [0.0f32; 128];
        for (i, v) in d.iter_mut().enumerate() {
            *v = i as f32 * 0.01 - 0.5;
        }
        let d = Descriptor(d);
        let bytes = d.to_bytes();
        assert_eq!(bytes.len(), 512);
        assert_eq!(&bytes[4..8], &(-0.49f32).to_le_bytes());
        assert_eq!(Descriptor::from_bytes(&bytes), Some(d));
        assert_eq!(Descriptor::from_bytes(&bytes[1..]), None);
        let mut nan = bytes.clone();
        nan[..4].copy_from_slice(&f32::NAN.to_le_bytes());
        assert_eq!(Descriptor::from_bytes(&nan), None);
    }

    #[test]
    fn distance_is_euclidean() {
        let a = Descriptor([0.0; 128]);
        let mut b = [0.0; 128];
        b[0] = 3.0;
        b[127] = 4.0;
        assert_eq!(a.distance(&Descriptor(b)), 5.0);
        assert_eq!(Descriptor(b).distance(&a), 5.0);
        assert_eq!(a.distance(&a), 0.0);
    }
}
