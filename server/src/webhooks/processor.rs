//! The `webhook.process` job: a stored delivery → messages, statuses, contacts, conversations.
//!
//! One transaction per delivery, so a crash half-way leaves nothing half-applied and the job is
//! simply run again; every write is idempotent on provider ids, so running it twice (a lease
//! that expired under a slow worker) stores nothing twice.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set,
    TransactionTrait,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    channels::whatsapp_cloud::webhook::{self, Event, Route},
    connections::domain::CloudSettings,
    db::{
        self,
        entities::{connections, webhook_inbox},
    },
    events::EventBus,
    inbox::ingest::{self, Outcome},
    jobs::{Job, JobError, JobFuture, JobHandler},
};

pub const PROCESS_WEBHOOK_JOB: &str = "webhook.process";

#[derive(Debug, Serialize, Deserialize)]
pub struct ProcessWebhook {
    pub inbox_id: Uuid,
}

pub struct ProcessWebhookHandler {
    pub db: DatabaseConnection,
    pub events: EventBus,
    /// How long an AI persona waits for more customer messages before it answers.
    pub ai_reply_delay: std::time::Duration,
}

impl JobHandler for ProcessWebhookHandler {
    fn kind(&self) -> &'static str {
        PROCESS_WEBHOOK_JOB
    }

    fn perform(&self, job: Job) -> JobFuture {
        let db = self.db.clone();
        let events = self.events.clone();
        let ai_reply_delay = self.ai_reply_delay;
        Box::pin(async move {
            let ProcessWebhook { inbox_id } = serde_json::from_value(job.payload).map_err(|e| {
                JobError::Permanent(anyhow::anyhow!("bad webhook.process payload: {e}"))
            })?;
            process(&db, &events, ai_reply_delay, inbox_id).await
        })
    }
}

async fn process(
    db: &DatabaseConnection,
    events: &EventBus,
    ai_reply_delay: std::time::Duration,
    inbox_id: Uuid,
) -> Result<(), JobError> {
    let Some(row) = webhook_inbox::Entity::find_by_id(inbox_id).one(db).await? else {
        return Err(JobError::Permanent(anyhow::anyhow!("webhook inbox row {inbox_id} is gone")));
    };
    if row.status == "processed" {
        return Ok(());
    }
    let body: serde_json::Value = match serde_json::from_str(&row.body) {
        Ok(body) => body,
        Err(err) => {
            // Signed by Meta but not JSON: nothing to retry; keep it with the reason.
            finish(db, row, "failed", format!("not JSON: {err}")).await?;
            return Ok(());
        }
    };
    // Deleted connections are included: a delivery accepted before the delete still lands.
    let company_connections = connections::Entity::find()
        .filter(connections::Column::CompanyId.eq(row.company_id))
        .all(db)
        .await?;
    let Some(own) = company_connections.iter().find(|c| c.id == row.connection_id) else {
        return Err(JobError::Permanent(anyhow::anyhow!(
            "connection of inbox row {inbox_id} is gone"
        )));
    };

    let txn = db.begin().await?;
    let mut outcome = Outcome::default();
    for event in webhook::parse(&body) {
        match event {
            Event::Message(message) => {
                let connection = route(&company_connections, own, &message.route);
                ingest::record_inbound(&txn, connection, &message, &mut outcome).await
            }
            Event::Status(status) => {
                let connection = route(&company_connections, own, &status.route);
                ingest::record_status(&txn, connection, &status, &mut outcome).await
            }
            Event::Edited { route: r, original_id, message } => {
                let connection = route(&company_connections, own, &r);
                ingest::record_edit(&txn, connection, &original_id, &message, &mut outcome).await
            }
            Event::Revoked { route: r, original_id, at } => {
                let connection = route(&company_connections, own, &r);
                ingest::record_revoke(&txn, connection, &original_id, at, &mut outcome).await
            }
            Event::MarketingPreference { route: r, wa_id, stop, .. } => {
                let connection = route(&company_connections, own, &r);
                ingest::record_marketing_preference(&txn, connection, &wa_id, stop, &mut outcome)
                    .await
            }
            Event::Template(update) => {
                let connection = route(&company_connections, own, &update.route);
                ingest::record_template_update(&txn, connection, &update, &mut outcome).await
            }
            Event::Ignored { field, reason } => {
                outcome.ignore(format!("{field}: {reason}"));
                Ok(())
            }
        }
        .map_err(|err| JobError::Retry(anyhow::anyhow!("{err:?}")))?;
    }
    let unassigned = std::mem::take(&mut outcome.unassigned);
    crate::inbox::manage::auto_assign(
        &txn,
        events,
        own.company_id,
        &unassigned,
        &mut outcome.events,
    )
    .await
    .map_err(|err| JobError::Retry(anyhow::anyhow!("{err:?}")))?;
    crate::ai::autoreply::schedule(&txn, own.company_id, &outcome.persona_answers, ai_reply_delay)
        .await
        .map_err(|err| JobError::Retry(anyhow::anyhow!("{err:?}")))?;
    let automation = std::mem::take(&mut outcome.automation);
    crate::automation::outbox::record(&txn, own.company_id, automation)
        .await
        .map_err(|err| JobError::Retry(anyhow::anyhow!("{err:?}")))?;
    let summary = outcome.summary();
    let mut active: webhook_inbox::ActiveModel = row.into();
    active.status = Set("processed".to_owned());
    active.outcome = Set(Some(summary.clone()));
    active.processed_at = Set(Some(db::now()));
    active.update(&txn).await?;
    txn.commit().await?;
    tracing::info!(%inbox_id, outcome = %summary, "webhook processed");
    let company_id = own.company_id;
    crate::campaigns::tracking::progress_changed(db, events, &outcome.campaigns);
    for event in outcome.events {
        events.publish(company_id, event);
    }
    Ok(())
}

/// The connection an event belongs to. One Meta app has one callback URL for all its numbers,
/// so a delivery to this connection's URL may concern another number of the same company; an
/// unknown number stays with the connection whose URL (and app secret) received it.
fn route<'a>(
    company_connections: &'a [connections::Model],
    own: &'a connections::Model,
    route: &Route,
) -> &'a connections::Model {
    let by_number = route.phone_number_id.as_deref().and_then(|id| {
        company_connections
            .iter()
            .filter(|c| c.deleted_at.is_none())
            .find(|c| CloudSettings::of(c).phone_number_id == id)
    });
    let by_account = || {
        route.waba_id.as_deref().and_then(|id| {
            company_connections
                .iter()
                .filter(|c| c.deleted_at.is_none())
                .find(|c| CloudSettings::of(c).waba_id == id)
        })
    };
    by_number
        .or_else(|| if route.phone_number_id.is_none() { by_account() } else { None })
        .unwrap_or(own)
}

async fn finish(
    db: &DatabaseConnection,
    row: webhook_inbox::Model,
    status: &str,
    outcome: String,
) -> Result<(), JobError> {
    tracing::warn!(inbox_id = %row.id, %outcome, "webhook delivery not processed");
    let mut active: webhook_inbox::ActiveModel = row.into();
    active.status = Set(status.to_owned());
    active.outcome = Set(Some(outcome));
    active.processed_at = Set(Some(db::now()));
    active.update(db).await?;
    Ok(())
}
