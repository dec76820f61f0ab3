//! The `media.fetch` job: a customer's media → the media store, so the inbox shows it after
//! Meta's copy expires (Meta keeps media for 30 days; its download URLs for minutes).

use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, Set};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use shared::ServerEvent;
use uuid::Uuid;

use super::MediaStore;
use crate::{
    channels::{whatsapp_cloud::GraphClient, Retry},
    connections::domain::cloud_credentials,
    crypto::Keyring,
    db::entities::{connections, messages},
    events::EventBus,
    inbox::domain::message_dto,
    jobs::{Job, JobError, JobFuture, JobHandler, NewJob},
};

pub const FETCH_MEDIA_JOB: &str = "media.fetch";
/// Meta's largest media (documents) is 100 MB.
pub const MAX_MEDIA_BYTES: usize = 100 * 1024 * 1024;
/// Message kinds whose payload carries a provider media id.
pub const MEDIA_KINDS: &[&str] = &["image", "audio", "video", "document", "sticker"];

#[derive(Debug, Serialize, Deserialize)]
pub struct FetchMedia {
    pub message_id: Uuid,
}

pub fn job(company_id: Uuid, message_id: Uuid) -> NewJob {
    let mut job =
        NewJob::new(FETCH_MEDIA_JOB, json!(FetchMedia { message_id })).for_company(company_id);
    job.max_attempts = 6;
    job
}

pub struct FetchMediaHandler {
    pub db: DatabaseConnection,
    pub events: EventBus,
    pub graph: GraphClient,
    pub keyring: std::sync::Arc<Keyring>,
    pub store: MediaStore,
}

impl JobHandler for FetchMediaHandler {
    fn kind(&self) -> &'static str {
        FETCH_MEDIA_JOB
    }

    fn perform(&self, job: Job) -> JobFuture {
        let (db, events, graph, keyring, store) = (
            self.db.clone(),
            self.events.clone(),
            self.graph.clone(),
            self.keyring.clone(),
            self.store.clone(),
        );
        Box::pin(async move {
            let FetchMedia { message_id } = serde_json::from_value(job.payload).map_err(|e| {
                JobError::Permanent(anyhow::anyhow!("bad media.fetch payload: {e}"))
            })?;
            let Some(message) = messages::Entity::find_by_id(message_id).one(&db).await? else {
                return Ok(());
            };
            if message.payload.get("stored").is_some() {
                return Ok(());
            }
            let Some(media_id) =
                message.payload.get("id").and_then(Value::as_str).map(str::to_owned)
            else {
                return Ok(());
            };
            let connection = connections::Entity::find_by_id(message.connection_id)
                .one(&db)
                .await?
                .ok_or_else(|| JobError::Permanent(anyhow::anyhow!("connection gone")))?;
            let credentials = cloud_credentials(&keyring, &connection)
                .map_err(|e| JobError::Permanent(anyhow::anyhow!("secrets: {e:?}")))?;
            let fetched = async {
                let info = graph.media_info(&credentials, &media_id).await?;
                let bytes = graph.download(&credentials, &info.url, MAX_MEDIA_BYTES).await?;
                Ok::<_, crate::channels::whatsapp_cloud::GraphError>((info, bytes))
            }
            .await;
            let (info, bytes) = match fetched {
                Ok(found) => found,
                Err(err) if matches!(err.retry(), Retry::No | Retry::Unknown) => {
                    // Gone at Meta (expired, deleted): say so on the message, do not retry.
                    let mut payload = message.payload.clone();
                    payload["media_error"] = json!(err.plain_words());
                    let mut active: messages::ActiveModel = message.into();
                    active.payload = Set(payload);
                    let updated = active.update(&db).await?;
                    events.publish(
                        updated.company_id,
                        ServerEvent::MessageUpdated { message: Box::new(message_dto(&updated)) },
                    );
                    return Ok(());
                }
                Err(err) => return Err(JobError::Retry(anyhow::anyhow!("media fetch: {err}"))),
            };
            let key = MediaStore::message_key(message.company_id, message.id);
            let size = bytes.len();
            store.put(&key, bytes).await.map_err(JobError::Retry)?;
            let mut payload = message.payload.clone();
            payload["stored"] = json!({
                "key": key,
                "mime_type": info.mime_type.or_else(|| message.payload.get("mime_type").and_then(Value::as_str).map(str::to_owned)),
                "size": size,
                "sha256": info.sha256,
            });
            let mut active: messages::ActiveModel = message.into();
            active.payload = Set(payload);
            let updated = active.update(&db).await?;
            events.publish(
                updated.company_id,
                ServerEvent::MessageUpdated { message: Box::new(message_dto(&updated)) },
            );
            Ok(())
        })
    }
}
