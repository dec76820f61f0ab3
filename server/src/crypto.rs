//! Secrets at rest (channel access tokens, app secrets, AI API keys, TOTP seeds) are sealed with
//! AES-256-GCM before they reach the database.
//!
//! Sealed form: `v1:<key id>:<base64(nonce ‖ ciphertext ‖ tag)>`. The key id travels with every
//! value, so keys can rotate: add a new key, make it active, and old values still open with the
//! key they were sealed with. Each value gets a fresh random 96-bit nonce.

use std::{collections::BTreeMap, fs, io::Write, path::Path};

use aes_gcm::{
    aead::{Aead, AeadCore, KeyInit, OsRng},
    Aes256Gcm, Key, Nonce,
};
use anyhow::{bail, Context};
use base64::{engine::general_purpose::STANDARD as B64, Engine};
use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::config::{Config, Secret};

const SEALED_VERSION: &str = "v1";
pub const KEY_FILE: &str = "secret.key";

/// The encryption keys and the session-signing secret of this installation.
#[derive(Clone)]
pub struct Keyring {
    active: String,
    keys: BTreeMap<String, Key<Aes256Gcm>>,
    jwt_secret: Secret<Vec<u8>>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring")
            .field("active", &self.active)
            .field("key_ids", &self.keys.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// What `<data_dir>/secret.key` holds (JSON, file mode 0600).
#[derive(Serialize, Deserialize)]
struct KeyFile {
    active: String,
    keys: BTreeMap<String, String>,
    jwt_secret: String,
}

impl Keyring {
    /// Loads keys from the config and the key file, generating the file on first start when the
    /// config does not provide both an encryption key and a JWT secret.
    ///
    /// # Errors
    /// A malformed key (not base64, not 32 bytes), an unknown active key id, or an unwritable
    /// data directory.
    pub fn load_or_generate(config: &Config) -> anyhow::Result<Keyring> {
        let path = config.data_dir.join(KEY_FILE);
        let configured_keys = match &config.encryption_keys {
            Some(list) => parse_key_list(list.expose())?,
            None => Vec::new(),
        };
        let needs_file = configured_keys.is_empty() || config.jwt_secret.is_none();
        let file = if path.exists() {
            Some(read_key_file(&path)?)
        } else if needs_file {
            let generated = generate_key_file();
            write_key_file(&path, &generated)?;
            tracing::info!(path = %path.display(), "generated a new secrets key file (mode 0600); back it up with the database");
            Some(generated)
        } else {
            None
        };

        let mut keys = BTreeMap::new();
        if let Some(file) = &file {
            for (id, encoded) in &file.keys {
                keys.insert(id.clone(), decode_key(id, encoded)?);
            }
        }
        for (id, key) in &configured_keys {
            keys.insert(id.clone(), *key);
        }
        let active = config
            .encryption_active_key
            .clone()
            .or_else(|| configured_keys.first().map(|(id, _)| id.clone()))
            .or_else(|| file.as_ref().map(|f| f.active.clone()))
            .context("no encryption key configured")?;
        if !keys.contains_key(&active) {
            bail!("invalid configuration: encryption_active_key {active:?} is not among the configured keys");
        }
        let jwt_secret = match (&config.jwt_secret, &file) {
            (Some(secret), _) => {
                if secret.expose().len() < 32 {
                    bail!("invalid configuration: jwt_secret must be at least 32 characters");
                }
                secret.expose().as_bytes().to_vec()
            }
            (None, Some(file)) => {
                B64.decode(&file.jwt_secret).context("secret.key: jwt_secret is not base64")?
            }
            (None, None) => bail!("no JWT secret configured"),
        };
        Ok(Keyring { active, keys, jwt_secret: Secret::new(jwt_secret) })
    }

    /// A keyring with random keys, for tests.
    pub fn random() -> Keyring {
        let file = generate_key_file();
        let mut keys = BTreeMap::new();
        for (id, encoded) in &file.keys {
            keys.insert(id.clone(), decode_key(id, encoded).expect("generated key decodes"));
        }
        Keyring {
            active: file.active,
            keys,
            jwt_secret: Secret::new(B64.decode(file.jwt_secret).expect("generated secret decodes")),
        }
    }

    pub fn jwt_secret(&self) -> &[u8] {
        self.jwt_secret.expose()
    }

    pub fn active_key_id(&self) -> &str {
        &self.active
    }

    /// A stable secret for one purpose and owner (e.g. signing a company's outgoing webhooks),
    /// derived from the installation's session secret: nothing to store, the same on every
    /// instance, different for every owner. Hex, 64 characters.
    pub fn derive(&self, purpose: &str, owner: uuid::Uuid) -> String {
        use hmac::{Hmac, Mac};
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(self.jwt_secret.expose())
            .expect("HMAC takes keys of any length");
        mac.update(purpose.as_bytes());
        mac.update(b":");
        mac.update(owner.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// Encrypts a secret for storage.
    pub fn seal(&self, plaintext: &str) -> anyhow::Result<String> {
        let key = self.keys.get(&self.active).context("active key missing")?;
        let cipher = Aes256Gcm::new(key);
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let ciphertext = cipher
            .encrypt(&nonce, plaintext.as_bytes())
            .map_err(|_| anyhow::anyhow!("encryption failed"))?;
        let mut blob = nonce.to_vec();
        blob.extend_from_slice(&ciphertext);
        Ok(format!("{SEALED_VERSION}:{}:{}", self.active, B64.encode(blob)))
    }

    /// Decrypts a value produced by [`Keyring::seal`], with whichever key sealed it.
    ///
    /// # Errors
    /// Unknown format or key id, or a value that was tampered with (the GCM tag fails).
    pub fn open(&self, sealed: &str) -> anyhow::Result<Secret<String>> {
        let mut parts = sealed.splitn(3, ':');
        let (Some(version), Some(key_id), Some(data)) = (parts.next(), parts.next(), parts.next())
        else {
            bail!("sealed value has the wrong format");
        };
        if version != SEALED_VERSION {
            bail!("sealed value has unknown version {version:?}");
        }
        let key = self
            .keys
            .get(key_id)
            .with_context(|| format!("sealed with unknown key id {key_id:?}"))?;
        let blob = B64.decode(data).context("sealed value is not base64")?;
        if blob.len() < 12 + 16 {
            bail!("sealed value is too short");
        }
        let (nonce, ciphertext) = blob.split_at(12);
        let plaintext =
            Aes256Gcm::new(key).decrypt(Nonce::from_slice(nonce), ciphertext).map_err(|_| {
                anyhow::anyhow!("sealed value failed authentication (wrong key or tampered)")
            })?;
        Ok(Secret::new(String::from_utf8(plaintext).context("sealed value is not UTF-8")?))
    }
}

fn parse_key_list(list: &str) -> anyhow::Result<Vec<(String, Key<Aes256Gcm>)>> {
    list.split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            let (id, encoded) = entry.split_once(':').with_context(|| {
                "invalid configuration: encryption_keys entries look like id:base64key".to_owned()
            })?;
            if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                bail!("invalid configuration: encryption key id {id:?} must be letters, digits, - or _");
            }
            Ok((id.to_owned(), decode_key(id, encoded)?))
        })
        .collect()
}

fn decode_key(id: &str, encoded: &str) -> anyhow::Result<Key<Aes256Gcm>> {
    let bytes = B64.decode(encoded.trim()).map_err(|_| {
        anyhow::anyhow!("invalid configuration: encryption key {id:?} is not base64")
    })?;
    if bytes.len() != 32 {
        bail!(
            "invalid configuration: encryption key {id:?} must be 32 bytes (it is {})",
            bytes.len()
        );
    }
    Ok(*Key::<Aes256Gcm>::from_slice(&bytes))
}

fn generate_key_file() -> KeyFile {
    let key = Aes256Gcm::generate_key(&mut OsRng);
    let mut jwt = [0u8; 48];
    OsRng.fill_bytes(&mut jwt);
    let id = format!("k{}", chrono::Utc::now().format("%Y%m%d%H%M%S"));
    KeyFile {
        active: id.clone(),
        keys: BTreeMap::from([(id, B64.encode(key))]),
        jwt_secret: B64.encode(jwt),
    }
}

fn read_key_file(path: &Path) -> anyhow::Result<KeyFile> {
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text)
        .with_context(|| format!("{} is not a valid key file", path.display()))
}

fn write_key_file(path: &Path, file: &KeyFile) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    }
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut handle = options.open(path).with_context(|| format!("creating {}", path.display()))?;
    let json = serde_json::to_string_pretty(file).context("serialising key file")?;
    handle.write_all(json.as_bytes()).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_then_open_round_trips_with_fresh_nonces() {
        let keyring = Keyring::random();
        let a = keyring.seal("EAAG-access-token").unwrap();
        let b = keyring.seal("EAAG-access-token").unwrap();
        assert_ne!(a, b, "each value gets its own nonce");
        assert!(a.starts_with(&format!("v1:{}:", keyring.active_key_id())));
        assert!(!a.contains("EAAG"));
        assert_eq!(keyring.open(&a).unwrap().expose(), "EAAG-access-token");
    }

    #[test]
    fn tampering_is_detected() {
        let keyring = Keyring::random();
        let sealed = keyring.seal("secret").unwrap();
        let (head, data) = sealed.rsplit_once(':').unwrap();
        let mut blob = B64.decode(data).unwrap();
        let last = blob.len() - 1;
        blob[last] ^= 1;
        assert!(keyring.open(&format!("{head}:{}", B64.encode(blob))).is_err());
        assert!(keyring.open("garbage").is_err());
    }

    #[test]
    fn rotation_keeps_old_values_readable() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config { data_dir: dir.path().to_path_buf(), ..Config::default() };
        let first = Keyring::load_or_generate(&config).unwrap();
        let old_value = first.seal("old").unwrap();

        let new_key = B64.encode([7u8; 32]);
        config.encryption_keys = Some(Secret::new(format!("k2:{new_key}")));
        config.encryption_active_key = Some("k2".into());
        let rotated = Keyring::load_or_generate(&config).unwrap();
        assert_eq!(rotated.active_key_id(), "k2");
        let new_value = rotated.seal("new").unwrap();
        assert!(new_value.starts_with("v1:k2:"));
        assert_eq!(rotated.open(&old_value).unwrap().expose(), "old");
        assert_eq!(rotated.open(&new_value).unwrap().expose(), "new");
        assert!(first.open(&new_value).is_err(), "the old keyring lacks k2");
    }

    #[cfg(unix)]
    #[test]
    fn generated_key_file_is_private_and_reused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let config = Config { data_dir: dir.path().join("nested"), ..Config::default() };
        let first = Keyring::load_or_generate(&config).unwrap();
        let mode = fs::metadata(config.data_dir.join(KEY_FILE)).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let second = Keyring::load_or_generate(&config).unwrap();
        assert_eq!(first.jwt_secret(), second.jwt_secret());
        assert_eq!(second.open(&first.seal("x").unwrap()).unwrap().expose(), "x");
    }

    #[test]
    fn bad_configured_keys_are_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config {
            data_dir: dir.path().to_path_buf(),
            encryption_keys: Some(Secret::new("k1:c2hvcnQ=".into())),
            ..Config::default()
        };
        let err = Keyring::load_or_generate(&config).unwrap_err().to_string();
        assert!(err.contains("32 bytes"), "{err}");
    }
}
