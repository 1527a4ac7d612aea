//! Encryption at rest for individual-level data, and crypto-shredding.
//!
//! Each request gets its own random 256-bit data key. The cohort (and,
//! between a run and the report's issue, the linked people's pseudonymous
//! keys) are sealed with it using XChaCha20-Poly1305 and written as files
//! under `data_dir/datalab/vault/`. The data key itself is stored in the
//! `datalab_keys` table wrapped (sealed) under the service's master key,
//! which lives outside the database (configuration or a key file), so a
//! copy of the database alone opens nothing, and a copy of the files alone
//! opens nothing either.
//!
//! Destroying a request's data deletes its key row and its files. Once the
//! key row is gone, any copy of the ciphertext that survives elsewhere (a
//! backup, a disk block not yet reused) is noise: this is crypto-shredding.
//!
//! XChaCha20-Poly1305 rather than AES-GCM: it is constant-time in portable
//! software (no reliance on AES-NI), and its 192-bit nonces can be drawn at
//! random without any bound worth counting, which matters for the master
//! key, which wraps one data key per request for the life of the service.
//! Every sealed value is bound to its request and purpose through the
//! associated data, so a ciphertext moved to another request does not open.

use std::path::{Path, PathBuf};

use sha2::Digest;

use platform::{Error, Result};

const MAGIC: &[u8; 6] = b"LLDL1\n";

pub use platform::vault::Key;
use platform::vault::{unhex, write_private};

/// What a sealed file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    /// The usable rows of the cohort, as the lab's template CSV.
    Cohort,
    /// The pseudonymous keys of the people a run linked, held until the
    /// report is issued (then they join the differencing register) or the
    /// data is destroyed.
    People,
}

impl Item {
    fn name(self) -> &'static str {
        match self {
            Item::Cohort => "cohort",
            Item::People => "people",
        }
    }
}

/// The master key and where sealed files live.
#[derive(Debug, Clone)]
pub struct Vault {
    master: Key,
    dir: PathBuf,
}

impl Vault {
    /// The vault under `data_dir/datalab/vault`, with the configured master
    /// key or, failing that, the one in `data_dir/datalab/master.key`
    /// (generated on first run, readable by the owner only).
    pub fn open(data_dir: &Path, master_hex: Option<&str>) -> Result<Vault> {
        let root = data_dir.join("datalab");
        let dir = root.join("vault");
        std::fs::create_dir_all(&dir)
            .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
        let master = match master_hex {
            Some(h) => Key::from_hex(h)?,
            None => {
                let path = root.join("master.key");
                match std::fs::read_to_string(&path) {
                    Ok(text) => Key::from_hex(&text)?,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        let key = Key::random();
                        write_private(&path, key.to_hex().as_bytes())?;
                        tracing::info!(path = %path.display(), "generated the Data Lab master key");
                        key
                    }
                    Err(e) => {
                        return Err(Error::io(format!("cannot read {}", path.display()), e));
                    }
                }
            }
        };
        Ok(Vault { master, dir })
    }

    /// Wraps a data key for storage (hex), bound to its request.
    pub fn wrap(&self, request_id: &str, key: &Key) -> Result<String> {
        Ok(platform::ids::hex(&self.master.seal(
            key.as_bytes(),
            &format!("datalab key {request_id}"),
        )?))
    }

    /// Unwraps a stored data key.
    pub fn unwrap_key(&self, request_id: &str, wrapped: &str) -> Result<Key> {
        let sealed = unhex(wrapped).ok_or_else(|| Error::Corrupt("wrapped key".into()))?;
        let plain = self
            .master
            .open(&sealed, &format!("datalab key {request_id}"))?;
        let mut k = [0u8; 32];
        if plain.len() != 32 {
            return Err(Error::Corrupt("wrapped key length".into()));
        }
        k.copy_from_slice(&plain);
        Ok(Key::from_bytes(k))
    }

    /// Where a request's sealed item is kept.
    pub fn path(&self, request_id: &str, item: Item) -> PathBuf {
        self.dir
            .join(format!("{}.{}", file_stem(request_id), item.name()))
    }

    /// Seals and writes an item. Returns the SHA-256 of what was written.
    pub fn put(&self, request_id: &str, item: Item, key: &Key, plain: &[u8]) -> Result<String> {
        let mut bytes = MAGIC.to_vec();
        bytes.extend(key.seal(plain, &context(request_id, item))?);
        let path = self.path(request_id, item);
        let tmp = path.with_extension("tmp");
        write_private(&tmp, &bytes)?;
        std::fs::rename(&tmp, &path)
            .map_err(|e| Error::io(format!("cannot write {}", path.display()), e))?;
        Ok(platform::ids::hex(&sha2::Sha256::digest(&bytes)))
    }

    /// Reads and opens an item.
    pub fn get(&self, request_id: &str, item: Item, key: &Key) -> Result<Vec<u8>> {
        let path = self.path(request_id, item);
        let bytes = std::fs::read(&path)
            .map_err(|e| Error::io(format!("cannot read {}", path.display()), e))?;
        let body = bytes
            .strip_prefix(MAGIC.as_slice())
            .ok_or_else(|| Error::Corrupt(format!("{} is not a sealed file", path.display())))?;
        key.open(body, &context(request_id, item))
    }

    /// Every file in the vault (sealed items and any left-over partial
    /// writes), in no particular order.
    pub fn files(&self) -> Result<Vec<StoredFile>> {
        let cannot = |e| Error::io(format!("cannot list {}", self.dir.display()), e);
        let mut out = Vec::new();
        for entry in std::fs::read_dir(&self.dir).map_err(cannot)? {
            let entry = entry.map_err(cannot)?;
            let meta = entry.metadata().map_err(cannot)?;
            if !meta.is_file() {
                continue;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            let request_id = name.split('.').next().unwrap_or_default().to_owned();
            out.push(StoredFile {
                request_id,
                path: entry.path(),
                modified: meta.modified().map_err(cannot)?,
            });
        }
        Ok(out)
    }

    /// Deletes an item's file; true when there was one.
    pub fn delete(&self, request_id: &str, item: Item) -> Result<bool> {
        let path = self.path(request_id, item);
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(Error::io(format!("cannot delete {}", path.display()), e)),
        }
    }
}

/// A file in the vault, as [`Vault::files`] lists it.
#[derive(Debug, Clone)]
pub struct StoredFile {
    /// The request it belongs to (the name up to the first dot).
    pub request_id: String,
    /// Where it is.
    pub path: PathBuf,
    /// When it was last written.
    pub modified: std::time::SystemTime,
}

/// A request's key as a file name. Request keys are made by the service
/// (hex), so they are safe as file names; any other character is dropped
/// rather than joined to a path.
pub fn file_stem(request_id: &str) -> String {
    request_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}

fn context(request_id: &str, item: Item) -> String {
    format!("datalab {} {request_id}", item.name())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_data_opens_only_with_its_key_and_context() {
        let k = Key::random();
        let sealed = k
            .seal(b"Smith,John,1980-01-01", "datalab cohort a")
            .unwrap();
        assert!(!sealed.windows(5).any(|w| w == b"Smith"));
        assert_eq!(
            k.open(&sealed, "datalab cohort a").unwrap(),
            b"Smith,John,1980-01-01"
        );
        assert!(k.open(&sealed, "datalab cohort b").is_err());
        assert!(Key::random().open(&sealed, "datalab cohort a").is_err());
        let mut altered = sealed.clone();
        *altered.last_mut().unwrap() ^= 1;
        assert!(k.open(&altered, "datalab cohort a").is_err());
    }

    #[test]
    fn master_key_is_generated_once_and_wraps_keys_per_request() {
        let dir = tempfile::tempdir().unwrap();
        let v = Vault::open(dir.path(), None).unwrap();
        let again = Vault::open(dir.path(), None).unwrap();
        let k = Key::random();
        let wrapped = v.wrap("r1", &k).unwrap();
        assert_eq!(
            again.unwrap_key("r1", &wrapped).unwrap().fingerprint(),
            k.fingerprint()
        );
        assert!(v.unwrap_key("r2", &wrapped).is_err());
        let other = Vault::open(
            dir.path(),
            Some("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"),
        )
        .unwrap();
        assert!(other.unwrap_key("r1", &wrapped).is_err());
        assert!(Key::from_hex("abc").is_err());
    }
}
