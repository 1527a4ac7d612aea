//! Keys and sealing for personal data kept at rest: a 256-bit [`Key`]
//! seals bytes with XChaCha20-Poly1305, bound to a context string, and a
//! service's master key is read from its configuration or a key file made
//! on first run ([`master_key`]).
//!
//! Systems give each record (a Data Lab request, a caller's identity
//! documents) its own random data key, store it wrapped under the master
//! key, and destroy the record's data by deleting that wrapped key: any
//! copy of the ciphertext that survives elsewhere is then noise
//! (crypto-shredding).
//!
//! XChaCha20-Poly1305 rather than AES-GCM: it is constant-time in portable
//! software (no reliance on AES-NI), and its 192-bit nonces can be drawn at
//! random without any bound worth counting.

use std::path::Path;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sha2::Digest;

use crate::error::{Error, Result};

const NONCE: usize = 24;

/// A 256-bit key.
#[derive(Clone)]
pub struct Key([u8; 32]);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Key({})", self.fingerprint())
    }
}

impl Drop for Key {
    /// Clears the key's bytes (best effort: copies a move made are not
    /// reached).
    fn drop(&mut self) {
        self.0.fill(0);
    }
}

impl Key {
    /// A fresh random key from the operating system's generator.
    pub fn random() -> Key {
        let mut k = [0u8; 32];
        rand::fill(&mut k[..]);
        Key(k)
    }

    /// A key from its 32 bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Key {
        Key(bytes)
    }

    /// The key's bytes (to wrap it under another key).
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Wraps this key under `master` for storage, as hex, bound to `context`.
    pub fn wrap(&self, master: &Key, context: &str) -> Result<String> {
        Ok(crate::ids::hex(&master.seal(&self.0, context)?))
    }

    /// Unwraps a key [`Key::wrap`] stored.
    pub fn unwrap(wrapped: &str, master: &Key, context: &str) -> Result<Key> {
        let sealed = unhex(wrapped).ok_or_else(|| Error::Corrupt("wrapped key".into()))?;
        let plain = master.open(&sealed, context)?;
        let bytes: [u8; 32] = plain
            .as_slice()
            .try_into()
            .map_err(|_| Error::Corrupt("wrapped key length".into()))?;
        Ok(Key(bytes))
    }

    /// A key from 64 hex digits.
    pub fn from_hex(hex: &str) -> Result<Key> {
        let bytes = unhex(hex.trim())
            .filter(|b| b.len() == 32)
            .ok_or_else(|| Error::Config("a key must be 64 hexadecimal digits".into()))?;
        let mut k = [0u8; 32];
        k.copy_from_slice(&bytes);
        Ok(Key(k))
    }

    /// The key as hex (for writing a generated master key file).
    pub fn to_hex(&self) -> String {
        crate::ids::hex(&self.0)
    }

    /// A public name for the key: the first 16 bytes of its SHA-256, as
    /// hex. It identifies the key on a destruction certificate without
    /// revealing anything of it.
    pub fn fingerprint(&self) -> String {
        crate::ids::hex(&sha2::Sha256::digest(self.0)[..16])
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new((&self.0).into())
    }

    /// Seals `plain`, bound to `context`: a random nonce, then the
    /// ciphertext with its tag.
    pub fn seal(&self, plain: &[u8], context: &str) -> Result<Vec<u8>> {
        let mut nonce = [0u8; NONCE];
        rand::fill(&mut nonce[..]);
        let sealed = self
            .cipher()
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plain,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| Error::Corrupt("encryption failed".into()))?;
        let mut out = Vec::with_capacity(NONCE + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Opens what [`Key::seal`] sealed under the same key and context.
    pub fn open(&self, sealed: &[u8], context: &str) -> Result<Vec<u8>> {
        if sealed.len() < NONCE {
            return Err(Error::Corrupt("sealed data too short".into()));
        }
        let (nonce, body) = sealed.split_at(NONCE);
        self.cipher()
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| Error::Corrupt(format!("cannot decrypt {context}: wrong key or altered")))
    }
}

/// Bytes from hex digits.
pub fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The master key: the configured one (64 hex digits) or, failing that,
/// the one in the file at `path` (generated on first run, readable by the
/// owner only). Several instances must be configured with the same key.
pub fn master_key(path: &Path, configured: Option<&str>) -> Result<Key> {
    if let Some(h) = configured {
        return Key::from_hex(h);
    }
    match std::fs::read_to_string(path) {
        Ok(text) => Key::from_hex(&text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
            }
            let key = Key::random();
            write_private(path, key.to_hex().as_bytes())?;
            tracing::info!(path = %path.display(), "generated a master key");
            Ok(key)
        }
        Err(e) => Err(Error::io(format!("cannot read {}", path.display()), e)),
    }
}

/// Writes a file only its owner may read, and syncs it.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options
        .open(path)
        .map_err(|e| Error::io(format!("cannot create {}", path.display()), e))?;
    f.write_all(bytes)
        .and_then(|_| f.sync_all())
        .map_err(|e| Error::io(format!("cannot write {}", path.display()), e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrapped_key_opens_only_under_its_master_and_context() {
        let master = Key::random();
        let k = Key::random();
        let wrapped = k.wrap(&master, "calls caller a").unwrap();
        let back = Key::unwrap(&wrapped, &master, "calls caller a").unwrap();
        assert_eq!(back.as_bytes(), k.as_bytes());
        assert!(Key::unwrap(&wrapped, &master, "calls caller b").is_err());
        assert!(Key::unwrap(&wrapped, &Key::random(), "calls caller a").is_err());
    }

    #[test]
    fn sealing_hides_the_text_and_binds_the_context() {
        let k = Key::random();
        let sealed = k.seal(b"Jane Smith 1980-01-01", "ctx").unwrap();
        assert!(!sealed.windows(4).any(|w| w == b"Jane"));
        assert_eq!(k.open(&sealed, "ctx").unwrap(), b"Jane Smith 1980-01-01");
        assert!(k.open(&sealed, "other").is_err());
    }
}
