//! Work rules leave for later: `no_reply` waits, and outgoing webhooks.
//!
//! * `automation.no_reply`: queued when a customer message arrives in a conversation and a
//!   `no_reply` rule is on, due when the wait is over. One per rule and conversation (the first
//!   unanswered message starts the clock; later ones don't restart it). When it is due and
//!   nothing went out to the customer since, it writes a `no_reply` event for that rule.
//! * `automation.webhook`: POSTs a rule's event as JSON, signed with the company's webhook
//!   secret (`X-Master-IA-Signature: sha256=<hex HMAC-SHA256 of the body>`), retried with
//!   backoff on network errors, 408, 429 and 5xx.

use std::{sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use shared::automation::Trigger;
use uuid::Uuid;

use super::outbox::{self, EventKind, NewEvent};
use crate::{
    crypto::Keyring,
    db::{
        entities::{automation_rules, conversations, messages},
        Tenant,
    },
    error::AppResult,
    jobs::{self, Job, JobError, JobFuture, JobHandler, NewJob},
};

pub const NO_REPLY_JOB: &str = "automation.no_reply";
pub const WEBHOOK_JOB: &str = "automation.webhook";
/// What the company's webhook secret is derived for ([`Keyring::derive`]).
pub const WEBHOOK_SECRET_PURPOSE: &str = "automation-webhook";
const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(10);
const WEBHOOK_ATTEMPTS: i32 = 6;

#[derive(Debug, Serialize, Deserialize)]
struct NoReplyWait {
    company_id: Uuid,
    rule_id: Uuid,
    conversation_id: Uuid,
    /// The customer message that started the clock.
    message_id: Uuid,
}

/// Starts the rule's clock on this conversation, unless it is already running.
///
/// # Errors
/// Database errors.
pub async fn start_wait<C: ConnectionTrait>(
    conn: &C,
    rule: &automation_rules::Model,
    conversation_id: Uuid,
    message_id: Uuid,
    due: DateTime<Utc>,
) -> AppResult<()> {
    let wait =
        NoReplyWait { company_id: rule.company_id, rule_id: rule.id, conversation_id, message_id };
    let mut job = NewJob::new(NO_REPLY_JOB, json!(wait)).for_company(rule.company_id);
    job.unique_key = Some(format!("{NO_REPLY_JOB}:{}:{conversation_id}", rule.id));
    job.run_at = Some(due);
    job.max_attempts = 5;
    jobs::enqueue(conn, job).await?;
    Ok(())
}

/// Performs `automation.no_reply`.
pub struct NoReplyHandler {
    pub db: DatabaseConnection,
}

impl JobHandler for NoReplyHandler {
    fn kind(&self) -> &'static str {
        NO_REPLY_JOB
    }

    fn perform(&self, job: Job) -> JobFuture {
        let db = self.db.clone();
        Box::pin(async move {
            let wait: NoReplyWait = serde_json::from_value(job.payload)
                .map_err(|e| JobError::Permanent(anyhow::anyhow!("bad no_reply payload: {e}")))?;
            waited(&db, wait).await
        })
    }
}

async fn waited(db: &DatabaseConnection, wait: NoReplyWait) -> Result<(), JobError> {
    let tenant = Tenant::new(wait.company_id);
    let txn = db.begin().await?;
    let rule = tenant
        .select_by_id::<automation_rules::Entity>(wait.rule_id)
        .one(&txn)
        .await?
        .filter(|rule| rule.enabled);
    let still_waits = rule.as_ref().is_some_and(|rule| {
        matches!(serde_json::from_value(rule.trigger.clone()), Ok(Trigger::NoReply { .. }))
    });
    let Some(conversation) =
        tenant.select_by_id::<conversations::Entity>(wait.conversation_id).one(&txn).await?
    else {
        return Ok(());
    };
    // Resolved or snoozed: nobody owes the customer an answer now.
    if !still_waits || !matches!(conversation.status.as_str(), "open" | "pending") {
        return Ok(());
    }
    // Anything we sent after the customer's message (a teammate, the AI, a rule) is an answer.
    let answered = messages::Entity::find()
        .filter(messages::Column::ConversationId.eq(conversation.id))
        .filter(messages::Column::Direction.eq("out"))
        .filter(messages::Column::Status.ne("failed"))
        .filter(messages::Column::Id.gt(wait.message_id))
        .one(&txn)
        .await?
        .is_some();
    if answered {
        return Ok(());
    }
    let event = NewEvent {
        kind: EventKind::NoReply,
        conversation_id: Some(conversation.id),
        contact_id: Some(conversation.contact_id),
        message_id: Some(wait.message_id),
        data: json!({"rule_id": wait.rule_id}),
        chain: Vec::new(),
    };
    outbox::record(&txn, wait.company_id, vec![event]).await?;
    txn.commit().await?;
    Ok(())
}

#[derive(Debug, Serialize, Deserialize)]
struct WebhookDelivery {
    company_id: Uuid,
    rule_id: Uuid,
    url: String,
    body: Value,
}

/// Queues a POST of `body` to `url` in the caller's transaction.
///
/// # Errors
/// Database errors.
pub async fn queue_webhook<C: ConnectionTrait>(
    conn: &C,
    company_id: Uuid,
    rule_id: Uuid,
    url: &str,
    body: Value,
) -> AppResult<()> {
    let delivery = WebhookDelivery { company_id, rule_id, url: url.to_owned(), body };
    let mut job = NewJob::new(WEBHOOK_JOB, json!(delivery)).for_company(company_id);
    job.max_attempts = WEBHOOK_ATTEMPTS;
    jobs::enqueue(conn, job).await?;
    Ok(())
}

/// `sha256=<hex>`: the HMAC-SHA256 of the body with the company's webhook secret.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes keys of any length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Performs `automation.webhook`.
pub struct WebhookHandler {
    pub keyring: Arc<Keyring>,
    pub http: reqwest::Client,
}

impl WebhookHandler {
    pub fn new(keyring: Arc<Keyring>) -> Self {
        let http = reqwest::Client::builder()
            .timeout(WEBHOOK_TIMEOUT)
            .user_agent(concat!("Master-IA/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        WebhookHandler { keyring, http }
    }
}

impl JobHandler for WebhookHandler {
    fn kind(&self) -> &'static str {
        WEBHOOK_JOB
    }

    fn perform(&self, job: Job) -> JobFuture {
        let keyring = self.keyring.clone();
        let http = self.http.clone();
        Box::pin(async move {
            let delivery: WebhookDelivery = serde_json::from_value(job.payload)
                .map_err(|e| JobError::Permanent(anyhow::anyhow!("bad webhook payload: {e}")))?;
            let body = serde_json::to_vec(&delivery.body)
                .map_err(|e| JobError::Permanent(anyhow::anyhow!("{e}")))?;
            let secret = keyring.derive(WEBHOOK_SECRET_PURPOSE, delivery.company_id);
            let response = http
                .post(&delivery.url)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .header("X-Master-IA-Event", "automation.rule")
                .header("X-Master-IA-Rule", delivery.rule_id.to_string())
                .header("X-Master-IA-Signature", signature(&secret, &body))
                .body(body)
                .send()
                .await
                .map_err(|err| JobError::Retry(anyhow::anyhow!("POST {}: {err}", delivery.url)))?;
            let status = response.status();
            match status.as_u16() {
                200..=299 => Ok(()),
                408 | 429 | 500..=599 => {
                    Err(JobError::Retry(anyhow::anyhow!("POST {} answered {status}", delivery.url)))
                }
                _ => Err(JobError::Permanent(anyhow::anyhow!(
                    "POST {} answered {status}",
                    delivery.url
                ))),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_hmac_sha256_of_the_body() {
        // RFC 4231 test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
