//! The Graph API client: one `reqwest::Client` (connection pool) for every connection, the
//! connection's token on each call.

use std::time::Duration;

use serde::{de::DeserializeOwned, Deserialize};

use super::errors::GraphError;
use crate::config::{Config, Secret};

/// What a WhatsApp Cloud connection needs to call Meta. Built from the sealed secrets only
/// when a call is about to happen.
#[derive(Debug, Clone)]
pub struct CloudCredentials {
    pub phone_number_id: String,
    pub waba_id: String,
    pub access_token: Secret<String>,
}

/// `GET /{phone-number-id}`: what Meta knows about the business number.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PhoneNumberInfo {
    pub id: Option<String>,
    pub display_phone_number: Option<String>,
    pub verified_name: Option<String>,
    pub quality_rating: Option<String>,
}

/// `GET /{media-id}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct MediaInfo {
    pub url: String,
    pub mime_type: Option<String>,
    pub sha256: Option<String>,
    /// Meta's spec says string; live answers have been numbers. Both are read.
    #[serde(default)]
    pub file_size: Option<serde_json::Value>,
}

#[derive(Clone)]
pub struct GraphClient {
    http: reqwest::Client,
    base: String,
}

impl GraphClient {
    /// # Errors
    /// Only if the TLS backend cannot initialise (start-up).
    pub fn new(config: &Config) -> anyhow::Result<GraphClient> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(config.provider_timeout_seconds))
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("master-ia/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(GraphClient { http, base: config.graph_api_base.trim_end_matches('/').to_owned() })
    }

    /// `GET {base}/{phone_number_id}?fields=...`: proves the token and id work together.
    ///
    /// # Errors
    /// Meta's error (bad token → 190, unknown id → 100) or a transport failure.
    pub async fn phone_number(
        &self,
        creds: &CloudCredentials,
    ) -> Result<PhoneNumberInfo, GraphError> {
        let url = format!("{}/{}", self.base, path_segment(&creds.phone_number_id));
        self.get_json(
            &url,
            creds,
            &[("fields", "id,display_phone_number,verified_name,quality_rating")],
        )
        .await
    }

    /// `POST {base}/{phone_number_id}/messages`; the new message's `wamid`.
    ///
    /// # Errors
    /// Meta's error (by code: rate limits, undeliverable, template problems, ...) or a
    /// transport failure.
    pub async fn send_message(
        &self,
        creds: &CloudCredentials,
        body: &serde_json::Value,
    ) -> Result<String, GraphError> {
        #[derive(Deserialize)]
        struct Sent {
            messages: Vec<SentMessage>,
        }
        #[derive(Deserialize)]
        struct SentMessage {
            id: String,
        }
        let url = format!("{}/{}/messages", self.base, path_segment(&creds.phone_number_id));
        let sent: Sent = self.post_json(&url, creds, body).await?;
        sent.messages
            .into_iter()
            .next()
            .map(|m| m.id)
            .ok_or_else(|| GraphError::Transport("Meta accepted the message without an id".into()))
    }

    /// `POST {base}/{phone_number_id}/messages` with `status: read`.
    ///
    /// # Errors
    /// As [`GraphClient::send_message`].
    pub async fn mark_read(
        &self,
        creds: &CloudCredentials,
        body: &serde_json::Value,
    ) -> Result<(), GraphError> {
        let url = format!("{}/{}/messages", self.base, path_segment(&creds.phone_number_id));
        let _: serde_json::Value = self.post_json(&url, creds, body).await?;
        Ok(())
    }

    /// Every template of the connection's WABA, following Meta's `after` cursors.
    ///
    /// # Errors
    /// Meta's error or a transport failure (nothing is returned half-read).
    pub async fn templates(
        &self,
        creds: &CloudCredentials,
    ) -> Result<Vec<serde_json::Value>, GraphError> {
        #[derive(Deserialize)]
        struct Page {
            #[serde(default)]
            data: Vec<serde_json::Value>,
            #[serde(default)]
            paging: Option<Paging>,
        }
        #[derive(Deserialize)]
        struct Paging {
            #[serde(default)]
            cursors: Option<Cursors>,
            #[serde(default)]
            next: Option<String>,
        }
        #[derive(Deserialize)]
        struct Cursors {
            #[serde(default)]
            after: Option<String>,
        }
        let url = format!("{}/{}/message_templates", self.base, path_segment(&creds.waba_id));
        let mut all = Vec::new();
        let mut after: Option<String> = None;
        // A WABA holds at most a few thousand templates; the bound guards against a loop.
        for _ in 0..100 {
            let mut query = vec![("limit", "100".to_owned())];
            if let Some(cursor) = &after {
                query.push(("after", cursor.clone()));
            }
            let query: Vec<(&str, &str)> = query.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let page: Page = self.get_json(&url, creds, &query).await?;
            let empty = page.data.is_empty();
            all.extend(page.data);
            let next = page.paging.and_then(|p| {
                if p.next.is_some() {
                    p.cursors.and_then(|c| c.after)
                } else {
                    None
                }
            });
            match next {
                Some(cursor) if !empty => after = Some(cursor),
                _ => break,
            }
        }
        Ok(all)
    }

    /// `POST {base}/{waba_id}/message_templates`: submits a template for review.
    ///
    /// # Errors
    /// Meta's refusal (name taken, bad components) or a transport failure.
    pub async fn create_template(
        &self,
        creds: &CloudCredentials,
        body: &serde_json::Value,
    ) -> Result<serde_json::Value, GraphError> {
        let url = format!("{}/{}/message_templates", self.base, path_segment(&creds.waba_id));
        self.post_json(&url, creds, body).await
    }

    /// `GET {base}/{media_id}`: where to download a customer's media (the URL lives about five
    /// minutes, so it is read right before each download).
    ///
    /// # Errors
    /// Meta's error (an unknown or expired media id) or a transport failure.
    pub async fn media_info(
        &self,
        creds: &CloudCredentials,
        media_id: &str,
    ) -> Result<MediaInfo, GraphError> {
        let url = format!("{}/{}", self.base, path_segment(media_id));
        self.get_json(&url, creds, &[]).await
    }

    /// Downloads media from the URL [`GraphClient::media_info`] gave, with the token (Meta's
    /// media URLs need it). Refuses more than `max_bytes`.
    ///
    /// # Errors
    /// Meta's error, a transport failure, or a file over the limit.
    pub async fn download(
        &self,
        creds: &CloudCredentials,
        url: &str,
        max_bytes: usize,
    ) -> Result<bytes::Bytes, GraphError> {
        use futures::StreamExt;
        let response = self
            .http
            .get(url)
            .bearer_auth(creds.access_token.expose())
            .send()
            .await
            .map_err(transport)?;
        let status = response.status().as_u16();
        if !(200..300).contains(&status) {
            let body = response.bytes().await.map_err(transport)?;
            return Err(GraphError::from_response(status, &body));
        }
        let mut body = Vec::new();
        let mut stream = response.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(transport)?;
            if body.len() + chunk.len() > max_bytes {
                return Err(GraphError::Transport(format!(
                    "media larger than {} MB",
                    max_bytes / 1_000_000
                )));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(bytes::Bytes::from(body))
    }

    /// `POST {base}/{phone_number_id}/media` (multipart): the new media id for sends.
    ///
    /// # Errors
    /// Meta's refusal (unsupported type, too large) or a transport failure.
    pub async fn upload_media(
        &self,
        creds: &CloudCredentials,
        bytes: bytes::Bytes,
        mime_type: &str,
        filename: &str,
    ) -> Result<String, GraphError> {
        #[derive(Deserialize)]
        struct Uploaded {
            id: String,
        }
        let url = format!("{}/{}/media", self.base, path_segment(&creds.phone_number_id));
        let part = reqwest::multipart::Part::bytes(bytes.to_vec())
            .file_name(filename.to_owned())
            .mime_str(mime_type)
            .map_err(|_| GraphError::Transport(format!("{mime_type:?} is not a media type")))?;
        let form = reqwest::multipart::Form::new()
            .text("messaging_product", "whatsapp")
            .text("type", mime_type.to_owned())
            .part("file", part);
        let response = self
            .http
            .post(url)
            .bearer_auth(creds.access_token.expose())
            .multipart(form)
            .send()
            .await
            .map_err(transport)?;
        let uploaded: Uploaded = read(response).await?;
        Ok(uploaded.id)
    }

    async fn post_json<T: DeserializeOwned>(
        &self,
        url: &str,
        creds: &CloudCredentials,
        body: &serde_json::Value,
    ) -> Result<T, GraphError> {
        let response = self
            .http
            .post(url)
            .bearer_auth(creds.access_token.expose())
            .json(body)
            .send()
            .await
            .map_err(transport)?;
        read(response).await
    }

    async fn get_json<T: DeserializeOwned>(
        &self,
        url: &str,
        creds: &CloudCredentials,
        query: &[(&str, &str)],
    ) -> Result<T, GraphError> {
        let response = self
            .http
            .get(url)
            .bearer_auth(creds.access_token.expose())
            .query(query)
            .send()
            .await
            .map_err(transport)?;
        read(response).await
    }
}

/// Ids come from people's input: never let one add path segments or a query.
fn path_segment(id: &str) -> String {
    url::form_urlencoded::byte_serialize(id.trim().as_bytes()).collect()
}

fn transport(err: reqwest::Error) -> GraphError {
    if err.is_connect() {
        GraphError::Transport("connection refused or DNS failure".to_owned())
    } else if err.is_builder() {
        GraphError::Transport(err.without_url().to_string())
    } else if err.is_timeout() {
        GraphError::Unknown("timed out".to_owned())
    } else {
        // The request went out; the answer broke off.
        GraphError::Unknown(err.without_url().to_string())
    }
}

async fn read<T: DeserializeOwned>(response: reqwest::Response) -> Result<T, GraphError> {
    let status = response.status().as_u16();
    let body = response.bytes().await.map_err(transport)?;
    if !(200..300).contains(&status) {
        return Err(GraphError::from_response(status, &body));
    }
    serde_json::from_slice(&body)
        .map_err(|err| GraphError::Transport(format!("unexpected answer from Meta: {err}")))
}
