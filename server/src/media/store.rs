//! The media store: one `ObjectStore` for every company, keys under `companies/{id}/...` so a
//! key always names its tenant.

use std::sync::Arc;

use anyhow::Context;
use bytes::Bytes;
use object_store::{local::LocalFileSystem, path::Path, ObjectStore, ObjectStoreExt, PutPayload};
use uuid::Uuid;

use crate::config::Config;

#[derive(Clone)]
pub struct MediaStore {
    store: Arc<dyn ObjectStore>,
    prefix: Path,
    describe: String,
}

impl MediaStore {
    /// `media_store_url` (`s3://bucket/prefix`, `gs://bucket/prefix`, `file:///abs/dir`) with
    /// credentials from the provider's usual environment variables (`AWS_ACCESS_KEY_ID`,
    /// `AWS_REGION`, `GOOGLE_SERVICE_ACCOUNT`, ...); unset = `<data_dir>/media`.
    ///
    /// # Errors
    /// A URL object_store does not understand, or a local folder that cannot be created.
    pub fn from_config(config: &Config) -> anyhow::Result<MediaStore> {
        match config.media_store_url.as_deref().filter(|u| !u.trim().is_empty()) {
            Some(raw) => {
                let url = url::Url::parse(raw).with_context(|| {
                    format!("invalid configuration: media_store_url {raw:?} is not a URL")
                })?;
                let options: Vec<(String, String)> = std::env::vars()
                    .filter(|(k, _)| k.starts_with("AWS_") || k.starts_with("GOOGLE_"))
                    .map(|(k, v)| (k.to_lowercase(), v))
                    .collect();
                let (store, prefix) = object_store::parse_url_opts(&url, options)
                    .with_context(|| format!("invalid configuration: media_store_url {raw:?}"))?;
                let scheme = url.scheme().to_owned();
                let host = url.host_str().unwrap_or("").to_owned();
                Ok(MediaStore {
                    store: Arc::from(store),
                    prefix,
                    describe: format!("{scheme}://{host}/…"),
                })
            }
            None => {
                let dir = config.data_dir.join("media");
                std::fs::create_dir_all(&dir)
                    .with_context(|| format!("creating the media folder {}", dir.display()))?;
                let store = LocalFileSystem::new_with_prefix(&dir)
                    .with_context(|| format!("opening the media folder {}", dir.display()))?;
                Ok(MediaStore {
                    store: Arc::new(store),
                    prefix: Path::default(),
                    describe: dir.display().to_string(),
                })
            }
        }
    }

    pub fn describe(&self) -> &str {
        &self.describe
    }

    /// The key of a message's media.
    pub fn message_key(company_id: Uuid, message_id: Uuid) -> String {
        format!("companies/{company_id}/messages/{message_id}")
    }

    /// The key of a file uploaded for a reply, by the provider's media id.
    pub fn upload_key(company_id: Uuid, provider_media_id: &str) -> String {
        let safe: String = provider_media_id
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .collect();
        format!("companies/{company_id}/uploads/{safe}")
    }

    fn path(&self, key: &str) -> Path {
        let mut path = self.prefix.clone();
        for part in key.split('/') {
            path = path.join(part);
        }
        path
    }

    /// # Errors
    /// The store's error (disk full, permissions, network).
    pub async fn put(&self, key: &str, bytes: Bytes) -> anyhow::Result<()> {
        self.store
            .put(&self.path(key), PutPayload::from_bytes(bytes))
            .await
            .with_context(|| format!("storing media {key}"))?;
        Ok(())
    }

    /// `None` when there is no such object.
    ///
    /// # Errors
    /// The store's error other than "not found".
    pub async fn get(&self, key: &str) -> anyhow::Result<Option<Bytes>> {
        match self.store.get(&self.path(key)).await {
            Ok(result) => {
                Ok(Some(result.bytes().await.with_context(|| format!("reading media {key}"))?))
            }
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(err) => Err(err).with_context(|| format!("reading media {key}")),
        }
    }

    /// # Errors
    /// The store's error other than "not found".
    pub async fn exists(&self, key: &str) -> anyhow::Result<bool> {
        match self.store.head(&self.path(key)).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(err) => Err(err).with_context(|| format!("looking up media {key}")),
        }
    }
}
