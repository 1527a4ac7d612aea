//! Record keys, secrets and the hashes tokens are stored as.

/// A random secret of `bytes` bytes from the operating system's generator,
/// as lowercase hex.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::fill(&mut buf[..]);
    hex(&buf)
}

/// A new record key: microseconds since the epoch, then randomness, so
/// that keys sort in the order they were made (histories rely on it when
/// two steps fall in the same second).
pub fn new_id() -> String {
    let micros = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as u64)
        .unwrap_or(0);
    format!("{micros:014x}{}", random_token(8))
}

/// Bytes as lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// SHA-256 of a string, as hex: how tokens are stored.
pub fn sha256_hex(s: &str) -> String {
    use sha2::Digest;
    hex(&sha2::Sha256::digest(s.as_bytes()))
}

/// Compares two secrets in time independent of where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Letters and digits that cannot be mistaken for one another when read
/// aloud or written by hand: no 0/O/D/Q, 1/I/L, 2/Z, 5/S, 8/B, U/V.
pub const REFERENCE_ALPHABET: &[u8] = b"ACEFGHJKMNPRTWXY34679";

/// A new reference: eight characters grouped 3-3-2, like `ACE-7HK-4W`.
pub fn new_reference(rng: &mut impl rand::Rng) -> String {
    use rand::RngExt;
    let mut s = String::with_capacity(10);
    for i in 0..8 {
        if i == 3 || i == 6 {
            s.push('-');
        }
        s.push(REFERENCE_ALPHABET[rng.random_range(0..REFERENCE_ALPHABET.len())] as char);
    }
    s
}
