//! Pseudonymous identifiers for linked people.
//!
//! Once a cohort row is matched, every later stage refers to the person by
//! a keyed hash of their PNC ID: stable for the lab (the same person gets
//! the same pseudonym in every request, which is what lets it spot
//! overlapping cohorts), meaningless to anyone without the key. The key is
//! the lab's secret: it is read from a file, never written into any output,
//! and redacted from debug output.

use std::fmt;
use std::io::Write;
use std::path::Path;

use hmac::{KeyInit, Mac};

use crate::ids::PncId;

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// Why the lab's key could not be loaded or made.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The key file could not be read or written.
    #[error("lab key {path}: {source}")]
    Io {
        /// The key file.
        path: std::path::PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The file does not hold a key.
    #[error(
        "lab key {0} must hold 64 hexadecimal characters (32 random bytes); restore the lab's key file (a new key changes every pseudonym, so only delete it to start afresh)"
    )]
    Malformed(std::path::PathBuf),
    /// The system could not provide randomness for a new key.
    #[error("no system randomness for a new lab key: {0}")]
    Random(String),
}

/// The lab's pseudonymisation key.
#[derive(Clone)]
pub struct LabKey([u8; 32]);

impl fmt::Debug for LabKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LabKey(<redacted>)")
    }
}

impl LabKey {
    /// A key from its 32 bytes (tests, or a key held elsewhere).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// Reads a key file: 64 hexadecimal characters, surrounding space ignored.
    pub fn read(path: &Path) -> Result<Self, KeyError> {
        let text = std::fs::read_to_string(path).map_err(|source| KeyError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let hex = text.trim();
        let malformed = || KeyError::Malformed(path.to_path_buf());
        if hex.len() != 64 || !hex.is_ascii() {
            return Err(malformed());
        }
        let mut key = [0u8; 32];
        for (i, byte) in key.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|_| malformed())?;
        }
        Ok(Self(key))
    }

    /// Makes a new random key and writes it to `path`, readable by its
    /// owner only. Refuses to overwrite an existing key: losing it would
    /// change every pseudonym.
    pub fn create(path: &Path) -> Result<Self, KeyError> {
        use rand::TryRng;
        let mut key = [0u8; 32];
        rand::rngs::SysRng
            .try_fill_bytes(&mut key)
            .map_err(|e| KeyError::Random(e.to_string()))?;
        let io = |source| KeyError::Io {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(path).map_err(io)?;
        let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
        writeln!(file, "{hex}").map_err(io)?;
        Ok(Self(key))
    }

    /// Reads the key at `path`, or creates one there if there is none.
    pub fn read_or_create(path: &Path) -> Result<(Self, bool), KeyError> {
        if path.exists() {
            Self::read(path).map(|k| (k, false))
        } else {
            Self::create(path).map(|k| (k, true))
        }
    }

    /// The pseudonym of a person, by their PNC ID: 32 hexadecimal characters.
    pub fn pseudonym(&self, pnc: &PncId) -> String {
        let mut mac = <HmacSha256 as KeyInit>::new_from_slice(&self.0)
            .expect("HMAC takes keys of any length");
        mac.update(b"lifeline/pnc/");
        mac.update(pnc.to_string().as_bytes());
        let digest = mac.finalize().into_bytes();
        digest[..16].iter().map(|b| format!("{b:02x}")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_are_stable_keyed_and_opaque() {
        let pnc: PncId = "2008/0056560Z".parse().unwrap();
        let other: PncId = "2008/0056561A".parse().unwrap();
        let a = LabKey::from_bytes([7; 32]);
        let b = LabKey::from_bytes([8; 32]);
        assert_eq!(a.pseudonym(&pnc), a.pseudonym(&pnc));
        assert_ne!(
            a.pseudonym(&pnc),
            b.pseudonym(&pnc),
            "another key, another pseudonym"
        );
        assert_ne!(a.pseudonym(&pnc), a.pseudonym(&other));
        assert_eq!(a.pseudonym(&pnc).len(), 32);
        assert!(!a.pseudonym(&pnc).contains("0056560"));
        assert_eq!(format!("{a:?}"), "LabKey(<redacted>)");
    }

    #[test]
    fn keys_round_trip_through_files_and_are_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/lab.key");
        let (made, created) = LabKey::read_or_create(&path).unwrap();
        assert!(created);
        let (read, created) = LabKey::read_or_create(&path).unwrap();
        assert!(!created);
        let pnc: PncId = "2008/0056560Z".parse().unwrap();
        assert_eq!(made.pseudonym(&pnc), read.pseudonym(&pnc));
        assert!(
            LabKey::create(&path).is_err(),
            "an existing key is never replaced"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        std::fs::write(&path, "not a key").unwrap();
        assert!(matches!(LabKey::read(&path), Err(KeyError::Malformed(_))));
    }
}
