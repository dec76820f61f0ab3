//! The campaign sender: sends the recipients of running campaigns, one WhatsApp number at a
//! time, at the number's rate, without ever sending a recipient twice.
//!
//! Work is organised per connection: a `campaign.send` job (unique per connection, run by its
//! own pool of workers so webhooks and email never wait behind a campaign) performs a *slice*
//! of up to [`SLICE`] and asks to run again while work remains. Because the job runtime leases
//! a job to one worker, one process at a time sends for a number, so the number's limiter
//! (`rate.rs`) sees every send — across campaigns, and across instances.
//!
//! Each recipient goes `pending` → `claimed` (a batch, stamped with this slice's token) →
//! `sending` (written *before* the call to Meta, with the attempt counted) → an outcome written
//! after the answer. The message carries `biz_opaque_callback_data = "mia-cr:<recipient id>"`,
//! which Meta returns on every status webhook of it. So a process that dies mid-call leaves a
//! row in `sending` that the next slice turns into `unknown`; a status webhook carrying the tag
//! then proves Meta accepted it (`tracking.rs`), and if none comes within the grace period Meta
//! never took it and it is queued again. Nothing is re-sent on a guess.
//!
//! Errors go by class: throttling (130429, 80007, 4) cools the whole number down; a per-user
//! limit (131056) or a passing failure retries that recipient later with exponential backoff and
//! jitter, up to `campaign_max_attempts`; a permanent error fails the recipient at once with
//! Meta's reason; errors that would fail *every* recipient (invalid token, template missing or
//! mismatched, account locked) pause the campaign with the reason instead of burning the
//! audience. Pause and cancel are seen within [`REFRESH`]: claimed rows go back, in-flight
//! calls finish.

use std::{
    collections::{HashMap, VecDeque},
    sync::Arc,
    time::Duration,
};

use chrono::{DateTime, TimeDelta, Utc};
use rand::Rng;
use sea_orm::{
    sea_query::{Expr, LockBehavior, LockType, Query},
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, UpdateMany,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use shared::campaigns::{CampaignStatus, CampaignTemplate, QuietHours};
use tokio::{sync::Semaphore, task::JoinSet, time::Instant};
use uuid::Uuid;

use super::{audience::ContactFields, domain, rate::SendRates, timing};
use crate::{
    channels::{
        whatsapp_cloud::{CloudChannel, GraphClient},
        Channel, ChannelError, Content, Outgoing, Retry,
    },
    config::Config,
    connections::domain::cloud_credentials,
    crypto::Keyring,
    db::{
        self,
        entities::{
            campaign_recipients as recipients, campaigns, companies, connections, contacts,
        },
    },
    events::EventBus,
    jobs::{Job, JobError, JobFuture, JobHandler, NewJob},
};

pub const SEND_CAMPAIGNS_JOB: &str = "campaign.send";
/// How long one slice sends before handing the number back to the queue.
const SLICE: Duration = Duration::from_secs(30);
/// How often a slice re-reads its campaigns (pause, cancel, rate changes, new campaigns).
const REFRESH: Duration = Duration::from_millis(250);
/// How often progress is published per campaign while sending.
const PROGRESS_EVERY: Duration = Duration::from_secs(1);
/// The tag prefix of `biz_opaque_callback_data` on campaign messages.
pub const TRACKER_PREFIX: &str = "mia-cr:";
/// Longest connection-wide cool-down after Meta's throttling errors.
const MAX_COOLDOWN: Duration = Duration::from_secs(60);
const MAX_RETRY_DELAY_SECS: f64 = 3600.0;
/// A recipient whose send hit a campaign-wide error waits this long (or until a resume).
const REQUEUE_AFTER: TimeDelta = TimeDelta::minutes(1);

/// Graph error codes that would fail every recipient of the campaign alike: pause instead.
const CAMPAIGN_FATAL_CODES: &[i64] = &[190, 10, 200, 132000, 132001, 132005, 131031, 368, 133010];
/// Codes that throttle the whole number (not one recipient).
const NUMBER_THROTTLE_CODES: &[i64] = &[130429, 80007, 4, 131048];

/// The payload of `campaign.send` jobs.
#[derive(Debug, Serialize, Deserialize)]
pub struct SendForConnection {
    pub connection_id: Uuid,
}

/// The job that sends for `connection_id`, at `at` (now when `None`). Unique per connection.
pub fn send_job(company_id: Uuid, connection_id: Uuid, at: Option<DateTime<Utc>>) -> NewJob {
    let mut job = NewJob::new(SEND_CAMPAIGNS_JOB, json!(SendForConnection { connection_id }))
        .for_company(company_id);
    job.unique_key = Some(format!("{SEND_CAMPAIGNS_JOB}:{connection_id}"));
    job.run_at = at;
    // A slice that fails (database trouble) retries with the runtime's backoff for a long time.
    job.max_attempts = 50;
    job
}

/// The tag sent with a recipient's message and returned by Meta on its statuses.
pub fn tracker(recipient_id: i64) -> String {
    format!("{TRACKER_PREFIX}{recipient_id}")
}

/// Timing and retry settings, from the configuration.
#[derive(Debug, Clone)]
pub struct SenderSettings {
    pub claim_timeout: TimeDelta,
    pub unknown_grace: TimeDelta,
    pub retry_base: Duration,
    pub max_attempts: i32,
    pub slice: Duration,
}

impl SenderSettings {
    pub fn from_config(config: &Config) -> Self {
        SenderSettings {
            claim_timeout: TimeDelta::seconds(config.campaign_claim_timeout_seconds as i64),
            unknown_grace: TimeDelta::seconds(config.campaign_unknown_grace_seconds as i64),
            retry_base: Duration::from_millis(config.campaign_retry_base_ms.max(1)),
            max_attempts: config.campaign_max_attempts.max(1) as i32,
            slice: SLICE,
        }
    }
}

/// Performs `campaign.send` jobs.
#[derive(Clone)]
pub struct CampaignSender {
    pub db: DatabaseConnection,
    pub events: EventBus,
    pub graph: GraphClient,
    pub keyring: Arc<Keyring>,
    pub rates: SendRates,
    pub settings: SenderSettings,
    /// Turns true when the server stops: the slice ends early and hands its claims back.
    pub shutdown: tokio::sync::watch::Receiver<bool>,
}

impl JobHandler for CampaignSender {
    fn kind(&self) -> &'static str {
        SEND_CAMPAIGNS_JOB
    }

    fn perform(&self, job: Job) -> JobFuture {
        let sender = self.clone();
        Box::pin(async move {
            let SendForConnection { connection_id } =
                serde_json::from_value(job.payload).map_err(|e| {
                    JobError::Permanent(anyhow::anyhow!("bad campaign.send payload: {e}"))
                })?;
            let worker = job.locked_by.unwrap_or_else(|| "sender".to_owned());
            match sender.run_slice(connection_id, &worker).await? {
                Some(at) => Err(JobError::Later(at)),
                None => Ok(()),
            }
        })
    }
}

/// A recipient this slice holds, with its contact (loaded for the whole batch at once).
struct Claimed {
    id: i64,
    attempts: i32,
    /// `None`: the contact row is gone.
    contact: Option<contacts::Model>,
    campaign: usize,
}

/// A running campaign as the slice sees it.
struct Active {
    campaign: campaigns::Model,
    template: CampaignTemplate,
    quiet_hours: Option<QuietHours>,
    queue: VecDeque<Claimed>,
    /// No due recipient was found at the last claim.
    drained: bool,
    last_progress: Option<Instant>,
    recent: VecDeque<Instant>,
}

/// What a send came to, as far as the slice's pacing cares.
enum Outcome {
    Sent,
    /// Retry this one later; `throttled` says the whole number must slow down.
    Retrying {
        throttled: bool,
    },
    Failed,
    Unknown,
    /// The campaign cannot go on (token, template, account): pause it with this reason.
    Fatal {
        campaign_id: Uuid,
        reason: String,
    },
}

impl CampaignSender {
    /// Sends for one number until the slice ends or nothing is due. Returns when to run again
    /// (`None`: no running campaign is left on the number).
    ///
    /// # Errors
    /// Database errors (the job runtime retries the slice).
    pub async fn run_slice(
        &self,
        connection_id: Uuid,
        worker: &str,
    ) -> Result<Option<DateTime<Utc>>, JobError> {
        let token =
            format!("{}/{}", worker.chars().take(40).collect::<String>(), Uuid::new_v4().simple());
        self.recover(connection_id).await?;

        let connection = connections::Entity::find_by_id(connection_id)
            .one(&self.db)
            .await?
            .filter(|c| c.deleted_at.is_none());
        let Some(connection) = connection else {
            self.pause_all(connection_id, "The WhatsApp number was removed from Master IA.")
                .await?;
            return Ok(None);
        };
        let channel = match cloud_credentials(&self.keyring, &connection) {
            Ok(credentials) => CloudChannel { client: self.graph.clone(), credentials },
            Err(err) => {
                tracing::error!(%connection_id, error = ?err, "cannot open the connection's secrets");
                self.pause_all(
                    connection_id,
                    "The number's access token cannot be read; save it again in Connections.",
                )
                .await?;
                return Ok(None);
            }
        };
        let channel = Arc::new(channel);
        let time_zone = companies::Entity::find_by_id(connection.company_id)
            .one(&self.db)
            .await?
            .map(|c| timing::zone(&c.time_zone))
            .unwrap_or(chrono_tz::Tz::UTC);

        let deadline = Instant::now() + self.settings.slice;
        let mut active: Vec<Active> = Vec::new();
        let mut refreshed: Option<Instant> = None;
        let mut next_campaign = 0usize;
        let mut cooldown_until: Option<Instant> = None;
        let mut throttles = 0u32;
        let mut in_flight: JoinSet<Outcome> = JoinSet::new();
        let mut permits = Arc::new(Semaphore::new(4));
        let mut permits_size = 4usize;
        let mut batch_no = 0u32;

        loop {
            // Outcomes of finished sends: pacing and pauses.
            while let Some(done) = in_flight.try_join_next() {
                let outcome = done.unwrap_or(Outcome::Unknown);
                self.apply_outcome(outcome, &mut cooldown_until, &mut throttles, &mut active)
                    .await?;
            }
            if Instant::now() >= deadline || *self.shutdown.borrow() {
                break;
            }
            if refreshed.is_none_or(|at| at.elapsed() >= REFRESH) {
                self.refresh(connection_id, &mut active).await?;
                refreshed = Some(Instant::now());
                let rate = active
                    .iter()
                    .map(|a| a.campaign.rate_per_second.max(1) as usize)
                    .min()
                    .unwrap_or(1);
                // Enough calls in flight to keep the rate with a second of provider latency.
                let wanted = rate.clamp(4, 256);
                if wanted != permits_size && in_flight.is_empty() {
                    permits = Arc::new(Semaphore::new(wanted));
                    permits_size = wanted;
                }
            }
            let now = db::now();
            let sendable: Vec<usize> = (0..active.len())
                .filter(|i| {
                    let a = &active[*i];
                    !a.drained
                        && a.quiet_hours
                            .as_ref()
                            .is_none_or(|q| timing::quiet_until(q, time_zone, now).is_none())
                })
                .collect();
            if sendable.is_empty() {
                break;
            }
            if let Some(until) = cooldown_until {
                if until > Instant::now() {
                    tokio::time::sleep_until(until.min(deadline)).await;
                    continue;
                }
                cooldown_until = None;
            }
            let index = sendable[next_campaign % sendable.len()];
            next_campaign = next_campaign.wrapping_add(1);
            if active[index].queue.is_empty() {
                batch_no += 1;
                let claimed = self
                    .claim(&active[index].campaign, index, &format!("{token}-{batch_no}"))
                    .await?;
                if claimed.is_empty() {
                    active[index].drained = true;
                    continue;
                }
                active[index].queue.extend(claimed);
            }
            let Some(recipient) = active[index].queue.pop_front() else { continue };
            let permit = permits
                .clone()
                .acquire_owned()
                .await
                .map_err(|e| JobError::Retry(anyhow::anyhow!("send permits closed: {e}")))?;
            let Some(attempts) = self.mark_sending(&recipient).await? else {
                continue; // cancelled or taken back meanwhile
            };
            let campaign = &active[index];
            let prepared = match &recipient.contact {
                Some(contact) => prepare(&campaign.template, contact, recipient.id),
                None => Err(Finish::Skipped("The contact was deleted.")),
            };
            let outgoing = match prepared {
                Ok(outgoing) => outgoing,
                Err(finish) => {
                    self.finish(recipient.id, finish).await?;
                    continue;
                }
            };
            let task = SendTask {
                db: self.db.clone(),
                channel: channel.clone(),
                recipient_id: recipient.id,
                campaign_id: campaign.campaign.id,
                attempts,
                settings: self.settings.clone(),
            };
            // The rate token is taken last, right before the call leaves: database work done
            // after it would bunch sends together whenever a write is slow.
            let rate =
                active.iter().map(|a| a.campaign.rate_per_second.max(1) as u32).min().unwrap_or(1);
            self.rates.limiter(connection_id, rate).until_ready().await;
            active[index].recent.push_back(Instant::now());
            in_flight.spawn(async move {
                let _permit = permit;
                task.run(outgoing).await
            });
            self.publish_progress_if_due(&mut active[index], false).await;
        }

        // Let the calls in flight land, give back what was claimed but not sent.
        while let Some(done) = in_flight.join_next().await {
            let outcome = done.unwrap_or(Outcome::Unknown);
            self.apply_outcome(outcome, &mut cooldown_until, &mut throttles, &mut active).await?;
        }
        self.release(&token).await?;
        self.complete_finished(connection_id).await?;
        for campaign in &mut active {
            self.publish_progress_if_due(campaign, true).await;
        }
        self.next_run(connection_id, time_zone, cooldown_until).await
    }

    /// Reads the running campaigns of the number, keeping what the slice holds for them.
    async fn refresh(&self, connection_id: Uuid, active: &mut Vec<Active>) -> Result<(), JobError> {
        let rows = campaigns::Entity::find()
            .filter(campaigns::Column::ConnectionId.eq(connection_id))
            .filter(campaigns::Column::Status.eq(CampaignStatus::Running.as_str()))
            .order_by_asc(campaigns::Column::StartedAt)
            .all(&self.db)
            .await?;
        // Campaigns no longer running: give back their claimed rows at once.
        for gone in active.iter().filter(|a| !rows.iter().any(|r| r.id == a.campaign.id)) {
            let ids: Vec<i64> = gone.queue.iter().map(|c| c.id).collect();
            self.unclaim(&ids).await?;
        }
        let mut previous: Vec<Active> = std::mem::take(active);
        for row in rows {
            let template: CampaignTemplate =
                serde_json::from_value(row.template.clone()).unwrap_or_default();
            let quiet_hours: Option<QuietHours> =
                row.quiet_hours.clone().and_then(|q| serde_json::from_value(q).ok());
            match previous.iter().position(|a| a.campaign.id == row.id) {
                Some(at) => {
                    let mut kept = previous.swap_remove(at);
                    kept.campaign = row;
                    kept.template = template;
                    kept.quiet_hours = quiet_hours;
                    // New due rows may have appeared (retries coming due): look again.
                    kept.drained = false;
                    active.push(kept);
                }
                None => active.push(Active {
                    campaign: row,
                    template,
                    quiet_hours,
                    queue: VecDeque::new(),
                    drained: false,
                    last_progress: None,
                    recent: VecDeque::new(),
                }),
            }
        }
        // Indexes of queued rows follow the campaign's new position.
        for (index, campaign) in active.iter_mut().enumerate() {
            for claimed in campaign.queue.iter_mut() {
                claimed.campaign = index;
            }
        }
        Ok(())
    }

    /// Claims a batch of due recipients of one campaign, about a quarter second of sending.
    async fn claim(
        &self,
        campaign: &campaigns::Model,
        index: usize,
        batch_token: &str,
    ) -> Result<Vec<Claimed>, JobError> {
        let now = db::now();
        let size = (campaign.rate_per_second.max(1) as u64 / 4).clamp(1, 250);
        let mut due = Query::select()
            .column(recipients::Column::Id)
            .from(recipients::Entity)
            .and_where(recipients::Column::CampaignId.eq(campaign.id))
            .and_where(recipients::Column::Status.eq("pending"))
            .and_where(recipients::Column::NextAttemptAt.lte(now))
            .order_by(recipients::Column::NextAttemptAt, sea_orm::Order::Asc)
            .order_by(recipients::Column::Id, sea_orm::Order::Asc)
            .limit(size)
            .to_owned();
        if db::is_postgres(&self.db) {
            // Two senders (a stale lease, another instance) never claim the same rows.
            due.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
        }
        recipients::Entity::update_many()
            .col_expr(recipients::Column::Status, Expr::value("claimed"))
            .col_expr(recipients::Column::ClaimedBy, Expr::value(batch_token))
            .col_expr(recipients::Column::ClaimedAt, Expr::value(now))
            .col_expr(recipients::Column::UpdatedAt, Expr::value(now))
            .filter(recipients::Column::Id.in_subquery(due))
            .filter(recipients::Column::Status.eq("pending"))
            .exec(&self.db)
            .await?;
        // By campaign first, so the read uses the queue index instead of scanning every
        // campaign's rows (17 ms per batch at 200,000 rows on SQLite without it).
        let rows = recipients::Entity::find()
            .filter(recipients::Column::CampaignId.eq(campaign.id))
            .filter(recipients::Column::Status.eq("claimed"))
            .filter(recipients::Column::ClaimedBy.eq(batch_token))
            .order_by_asc(recipients::Column::Id)
            .all(&self.db)
            .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        // One query for the batch's contacts rather than one per send.
        let mut contacts: HashMap<Uuid, contacts::Model> = contacts::Entity::find()
            .filter(contacts::Column::Id.is_in(rows.iter().map(|r| r.contact_id)))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|contact| (contact.id, contact))
            .collect();
        Ok(rows
            .into_iter()
            .map(|r| Claimed {
                id: r.id,
                attempts: r.attempts,
                contact: contacts.remove(&r.contact_id),
                campaign: index,
            })
            .collect())
    }

    /// The attempt is recorded before the call: from here a crash leaves `sending`. Returns the
    /// attempt's number, or `None` when the row is no longer this slice's.
    async fn mark_sending(&self, recipient: &Claimed) -> Result<Option<i32>, JobError> {
        use sea_orm::sea_query::ExprTrait;
        let now = db::now();
        let result = recipients::Entity::update_many()
            .col_expr(recipients::Column::Status, Expr::value("sending"))
            .col_expr(recipients::Column::AttemptStartedAt, Expr::value(now))
            .col_expr(recipients::Column::Attempts, Expr::col(recipients::Column::Attempts).add(1))
            .col_expr(recipients::Column::UpdatedAt, Expr::value(now))
            .filter(recipients::Column::Id.eq(recipient.id))
            .filter(recipients::Column::Status.eq("claimed"))
            .exec(&self.db)
            .await?;
        // Only this slice holds the claim, so the count it read is the row's.
        Ok((result.rows_affected == 1).then_some(recipient.attempts + 1))
    }

    async fn finish(&self, id: i64, finish: Finish) -> Result<(), JobError> {
        record_finish(&self.db, id, finish).await
    }

    async fn apply_outcome(
        &self,
        outcome: Outcome,
        cooldown_until: &mut Option<Instant>,
        throttles: &mut u32,
        active: &mut [Active],
    ) -> Result<(), JobError> {
        match outcome {
            Outcome::Sent => *throttles = 0,
            Outcome::Retrying { throttled: true } => {
                *throttles = throttles.saturating_add(1);
                let wait = self
                    .settings
                    .retry_base
                    .saturating_mul(1 << (*throttles - 1).min(10))
                    .min(MAX_COOLDOWN);
                let until = Instant::now() + wait;
                if cooldown_until.is_none_or(|at| at < until) {
                    *cooldown_until = Some(until);
                }
            }
            Outcome::Retrying { throttled: false } | Outcome::Failed | Outcome::Unknown => {}
            Outcome::Fatal { campaign_id, reason } => {
                let paused = domain::pause_for_error(&self.db, &self.events, campaign_id, &reason)
                    .await
                    .map_err(|e| JobError::Retry(anyhow::anyhow!("pausing a campaign: {e:?}")))?;
                if paused {
                    tracing::warn!(%campaign_id, %reason, "campaign paused by the sender");
                }
                if let Some(campaign) = active.iter_mut().find(|a| a.campaign.id == campaign_id) {
                    let ids: Vec<i64> = campaign.queue.drain(..).map(|c| c.id).collect();
                    self.unclaim(&ids).await?;
                    campaign.drained = true;
                }
            }
        }
        Ok(())
    }

    /// Rows this slice claimed and did not send go back to the queue.
    async fn release(&self, token: &str) -> Result<(), JobError> {
        requeue(recipients::Entity::update_many())
            .filter(recipients::Column::Status.eq("claimed"))
            .filter(recipients::Column::ClaimedBy.like(format!("{token}-%")))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    async fn unclaim(&self, ids: &[i64]) -> Result<(), JobError> {
        if ids.is_empty() {
            return Ok(());
        }
        requeue(recipients::Entity::update_many())
            .filter(recipients::Column::Id.is_in(ids.iter().copied()))
            .filter(recipients::Column::Status.eq("claimed"))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Repairs what a dead sender left on this number: stale claims go back to the queue,
    /// interrupted sends become `unknown`, and `unknown` ones past the grace period (no status
    /// webhook proved Meta took them) are queued again.
    pub async fn recover(&self, connection_id: Uuid) -> Result<(), JobError> {
        let now = db::now();
        let stale = now - self.settings.claim_timeout;
        let of_number = Query::select()
            .column(campaigns::Column::Id)
            .from(campaigns::Entity)
            .and_where(campaigns::Column::ConnectionId.eq(connection_id))
            .to_owned();
        let released = requeue(recipients::Entity::update_many())
            .col_expr(recipients::Column::UpdatedAt, Expr::value(now))
            .filter(recipients::Column::CampaignId.in_subquery(of_number.clone()))
            .filter(recipients::Column::Status.eq("claimed"))
            .filter(recipients::Column::ClaimedAt.lt(stale))
            .exec(&self.db)
            .await?;
        let interrupted = recipients::Entity::update_many()
            .col_expr(recipients::Column::Status, Expr::value("unknown"))
            .col_expr(recipients::Column::UpdatedAt, Expr::value(now))
            .filter(recipients::Column::CampaignId.in_subquery(of_number.clone()))
            .filter(recipients::Column::Status.eq("sending"))
            .filter(recipients::Column::AttemptStartedAt.lt(stale))
            .exec(&self.db)
            .await?;
        let requeued = requeue(recipients::Entity::update_many())
            .col_expr(recipients::Column::NextAttemptAt, Expr::value(now))
            .col_expr(
                recipients::Column::ErrorMessage,
                Expr::value(
                    "A send was interrupted and Meta never reported the message: sent again.",
                ),
            )
            .col_expr(recipients::Column::UpdatedAt, Expr::value(now))
            .filter(recipients::Column::CampaignId.in_subquery(of_number))
            .filter(recipients::Column::Status.eq("unknown"))
            .filter(recipients::Column::AttemptStartedAt.lt(now - self.settings.unknown_grace))
            .exec(&self.db)
            .await?;
        if released.rows_affected + interrupted.rows_affected + requeued.rows_affected > 0 {
            tracing::warn!(
                %connection_id,
                released = released.rows_affected,
                interrupted = interrupted.rows_affected,
                requeued = requeued.rows_affected,
                "recovered campaign recipients left by a stopped sender"
            );
        }
        Ok(())
    }

    async fn pause_all(&self, connection_id: Uuid, reason: &str) -> Result<(), JobError> {
        let running = campaigns::Entity::find()
            .filter(campaigns::Column::ConnectionId.eq(connection_id))
            .filter(campaigns::Column::Status.eq(CampaignStatus::Running.as_str()))
            .all(&self.db)
            .await?;
        for campaign in running {
            domain::pause_for_error(&self.db, &self.events, campaign.id, reason)
                .await
                .map_err(|e| JobError::Retry(anyhow::anyhow!("pausing a campaign: {e:?}")))?;
        }
        Ok(())
    }

    /// Running campaigns of the number with every recipient settled become `completed`.
    async fn complete_finished(&self, connection_id: Uuid) -> Result<(), JobError> {
        let running = campaigns::Entity::find()
            .filter(campaigns::Column::ConnectionId.eq(connection_id))
            .filter(campaigns::Column::Status.eq(CampaignStatus::Running.as_str()))
            .all(&self.db)
            .await?;
        for campaign in running {
            let open = recipients::Entity::find()
                .filter(recipients::Column::CampaignId.eq(campaign.id))
                .filter(recipients::Column::Status.is_in(OPEN_STATUSES.iter().copied()))
                .limit(1)
                .one(&self.db)
                .await?;
            if open.is_none() {
                domain::complete(&self.db, &self.events, campaign.id)
                    .await
                    .map_err(|e| JobError::Retry(anyhow::anyhow!("completing: {e:?}")))?;
            }
        }
        Ok(())
    }

    /// When the number has work again: now, the next retry, the end of quiet hours, the end of
    /// an interrupted send's grace period; `None` when no campaign runs on it.
    async fn next_run(
        &self,
        connection_id: Uuid,
        time_zone: chrono_tz::Tz,
        cooldown_until: Option<Instant>,
    ) -> Result<Option<DateTime<Utc>>, JobError> {
        let running = campaigns::Entity::find()
            .filter(campaigns::Column::ConnectionId.eq(connection_id))
            .filter(campaigns::Column::Status.eq(CampaignStatus::Running.as_str()))
            .all(&self.db)
            .await?;
        if running.is_empty() {
            return Ok(None);
        }
        let now = db::now();
        let mut next: Option<DateTime<Utc>> = None;
        let mut consider = |at: DateTime<Utc>| {
            next = Some(next.map_or(at, |n| n.min(at)));
        };
        for campaign in &running {
            let quiet: Option<QuietHours> =
                campaign.quiet_hours.clone().and_then(|q| serde_json::from_value(q).ok());
            let earliest_allowed =
                quiet.as_ref().and_then(|q| timing::quiet_until(q, time_zone, now)).unwrap_or(now);
            let pending = recipients::Entity::find()
                .filter(recipients::Column::CampaignId.eq(campaign.id))
                .filter(recipients::Column::Status.eq("pending"))
                .order_by_asc(recipients::Column::NextAttemptAt)
                .one(&self.db)
                .await?;
            if let Some(row) = pending {
                consider(row.next_attempt_at.max(earliest_allowed));
            }
            let waiting = recipients::Entity::find()
                .filter(recipients::Column::CampaignId.eq(campaign.id))
                .filter(recipients::Column::Status.is_in(["unknown", "sending", "claimed"]))
                .order_by_asc(recipients::Column::AttemptStartedAt)
                .one(&self.db)
                .await?;
            if let Some(row) = waiting {
                let at = match row.status.as_str() {
                    "unknown" => {
                        row.attempt_started_at.unwrap_or(now) + self.settings.unknown_grace
                    }
                    _ => now + self.settings.claim_timeout,
                };
                consider(at.max(now));
            }
        }
        if let Some(until) = cooldown_until {
            let wait = until.saturating_duration_since(Instant::now());
            consider(now + TimeDelta::from_std(wait).unwrap_or_default());
        }
        // A running campaign with nothing open completes above; anything else is looked at
        // again soon rather than never.
        Ok(Some(next.unwrap_or(now + TimeDelta::seconds(5)).max(now)))
    }

    async fn publish_progress_if_due(&self, campaign: &mut Active, force: bool) {
        let due = campaign.last_progress.is_none_or(|at| at.elapsed() >= PROGRESS_EVERY);
        if !(force || due) {
            return;
        }
        campaign.last_progress = Some(Instant::now());
        let window = Duration::from_secs(5);
        while campaign.recent.front().is_some_and(|at| at.elapsed() > window) {
            campaign.recent.pop_front();
        }
        let rate = campaign.recent.len() as f64 / window.as_secs_f64();
        if let Err(err) =
            domain::publish_progress(&self.db, &self.events, campaign.campaign.id, Some(rate)).await
        {
            tracing::warn!(error = ?err, "could not publish campaign progress");
        }
    }
}

/// Back to the queue: `pending`, no longer claimed by anyone.
fn requeue(update: UpdateMany<recipients::Entity>) -> UpdateMany<recipients::Entity> {
    update
        .col_expr(recipients::Column::Status, Expr::value("pending"))
        .col_expr(recipients::Column::ClaimedBy, Expr::value(Option::<String>::None))
        .col_expr(recipients::Column::ClaimedAt, Expr::value(Option::<DateTime<Utc>>::None))
}

/// Statuses that still need something to happen.
pub const OPEN_STATUSES: &[&str] = &["pending", "claimed", "sending", "unknown"];

/// How a recipient ends (or waits), as written to its row.
enum Finish {
    Sent(String),
    Retry {
        at: DateTime<Utc>,
        code: Option<i32>,
        reason: String,
    },
    Failed {
        code: Option<i32>,
        reason: String,
    },
    Skipped(&'static str),
    Unknown(String),
    /// The campaign is paused; this one goes back to the queue untouched by the failure.
    Requeue {
        code: Option<i32>,
        reason: String,
    },
}

async fn record_finish(db: &DatabaseConnection, id: i64, finish: Finish) -> Result<(), JobError> {
    use sea_orm::sea_query::ExprTrait;
    let now = db::now();
    let update = recipients::Entity::update_many()
        .filter(recipients::Column::Id.eq(id))
        .col_expr(recipients::Column::UpdatedAt, Expr::value(now));
    let none_str = Option::<String>::None;
    let none_at = Option::<DateTime<Utc>>::None;
    let update = match finish {
        Finish::Sent(provider_id) => {
            // A status webhook may have got here first (it carries our tag): then only the
            // provider id is filled in, the status it set stays.
            let result = update
                .col_expr(recipients::Column::Status, Expr::value("sent"))
                .col_expr(recipients::Column::ProviderMessageId, Expr::value(provider_id.clone()))
                .col_expr(recipients::Column::SentAt, Expr::value(now))
                .col_expr(recipients::Column::AttemptStartedAt, Expr::value(none_at))
                .col_expr(recipients::Column::ErrorCode, Expr::value(Option::<i32>::None))
                .col_expr(recipients::Column::ErrorMessage, Expr::value(none_str))
                .filter(recipients::Column::Status.is_in(["sending", "unknown"]))
                .exec(db)
                .await?;
            if result.rows_affected == 0 {
                recipients::Entity::update_many()
                    .col_expr(recipients::Column::ProviderMessageId, Expr::value(provider_id))
                    .filter(recipients::Column::Id.eq(id))
                    .filter(recipients::Column::ProviderMessageId.is_null())
                    .exec(db)
                    .await?;
            }
            metrics::counter!("master_ia_campaign_messages_total", "outcome" => "sent")
                .increment(1);
            return Ok(());
        }
        Finish::Retry { at, code, reason } => requeue(update)
            .col_expr(recipients::Column::NextAttemptAt, Expr::value(at))
            .col_expr(recipients::Column::AttemptStartedAt, Expr::value(none_at))
            .col_expr(recipients::Column::ErrorCode, Expr::value(code))
            .col_expr(recipients::Column::ErrorMessage, Expr::value(reason))
            .filter(recipients::Column::Status.eq("sending")),
        // Not again in this slice (the campaign is being paused); resuming makes it due at once.
        Finish::Requeue { code, reason } => requeue(update)
            .col_expr(recipients::Column::NextAttemptAt, Expr::value(now + REQUEUE_AFTER))
            .col_expr(recipients::Column::AttemptStartedAt, Expr::value(none_at))
            .col_expr(recipients::Column::Attempts, Expr::col(recipients::Column::Attempts).sub(1))
            .col_expr(recipients::Column::ErrorCode, Expr::value(code))
            .col_expr(recipients::Column::ErrorMessage, Expr::value(reason))
            .filter(recipients::Column::Status.eq("sending")),
        Finish::Failed { code, reason } => {
            metrics::counter!("master_ia_campaign_messages_total", "outcome" => "failed")
                .increment(1);
            update
                .col_expr(recipients::Column::Status, Expr::value("failed"))
                .col_expr(recipients::Column::FailedAt, Expr::value(now))
                .col_expr(recipients::Column::AttemptStartedAt, Expr::value(none_at))
                .col_expr(recipients::Column::ErrorCode, Expr::value(code))
                .col_expr(recipients::Column::ErrorMessage, Expr::value(reason))
                .filter(recipients::Column::Status.eq("sending"))
        }
        Finish::Skipped(reason) => update
            .col_expr(recipients::Column::Status, Expr::value("skipped"))
            .col_expr(recipients::Column::AttemptStartedAt, Expr::value(none_at))
            .col_expr(recipients::Column::ErrorMessage, Expr::value(reason))
            .filter(recipients::Column::Status.eq("sending")),
        Finish::Unknown(reason) => update
            .col_expr(recipients::Column::Status, Expr::value("unknown"))
            .col_expr(recipients::Column::ErrorMessage, Expr::value(reason))
            .filter(recipients::Column::Status.eq("sending")),
    };
    update.exec(db).await?;
    Ok(())
}

/// The message for one recipient, or why it is not sent.
fn prepare(
    template: &CampaignTemplate,
    contact: &contacts::Model,
    recipient_id: i64,
) -> Result<Outgoing, Finish> {
    if contact.deleted_at.is_some() {
        return Err(Finish::Skipped("The contact was deleted."));
    }
    if contact.erased_at.is_some() || contact.phone.is_empty() {
        return Err(Finish::Skipped("The contact's data was erased."));
    }
    if contact.opted_out {
        return Err(Finish::Skipped("The contact opted out."));
    }
    let send =
        shared::campaigns::template_for(template, &ContactFields(contact)).map_err(|missing| {
            Finish::Failed {
                code: None,
                reason: format!(
                    "No value for {{{{{}}}}} and no fallback (write it as {{{{{}|text}}}}).",
                    missing.reference, missing.reference
                ),
            }
        })?;
    Ok(Outgoing {
        to: contact.phone.clone(),
        content: Content::Template(send),
        reply_to: None,
        tracker: Some(tracker(recipient_id)),
    })
}

/// One call to Meta and the record of its outcome.
struct SendTask {
    db: DatabaseConnection,
    channel: Arc<CloudChannel>,
    recipient_id: i64,
    campaign_id: Uuid,
    attempts: i32,
    settings: SenderSettings,
}

impl SendTask {
    async fn run(self, outgoing: Outgoing) -> Outcome {
        let result = self.channel.send(&outgoing).await;
        let (finish, outcome) = self.classify(result);
        if let Err(err) = record_finish(&self.db, self.recipient_id, finish).await {
            // The row stays `sending`; recovery turns it into `unknown` and the tag resolves it.
            tracing::error!(recipient_id = self.recipient_id, error = %err, "could not record a send outcome");
            return Outcome::Unknown;
        }
        outcome
    }

    fn classify(
        &self,
        result: Result<crate::channels::SendReceipt, ChannelError>,
    ) -> (Finish, Outcome) {
        let err = match result {
            Ok(receipt) => return (Finish::Sent(receipt.provider_message_id), Outcome::Sent),
            Err(err) => err,
        };
        let code = err.code.and_then(|c| i32::try_from(c).ok());
        if err.code.is_some_and(|c| CAMPAIGN_FATAL_CODES.contains(&c)) {
            return (
                Finish::Requeue { code, reason: err.message.clone() },
                Outcome::Fatal { campaign_id: self.campaign_id, reason: err.message },
            );
        }
        match err.retry {
            Retry::Unknown => (Finish::Unknown(err.message), Outcome::Unknown),
            Retry::No => (Finish::Failed { code, reason: err.message }, Outcome::Failed),
            Retry::Yes | Retry::AfterBackoff if self.attempts >= self.settings.max_attempts => (
                Finish::Failed {
                    code,
                    reason: format!("Gave up after {} attempts. {}", self.attempts, err.message),
                },
                Outcome::Failed,
            ),
            retry @ (Retry::Yes | Retry::AfterBackoff) => {
                let throttled = err.code.is_some_and(|c| NUMBER_THROTTLE_CODES.contains(&c));
                let factor = if retry == Retry::AfterBackoff { 4.0 } else { 1.0 };
                let at = db::now() + retry_delay(self.settings.retry_base, self.attempts, factor);
                (
                    Finish::Retry { at, code, reason: format!("Will retry: {}", err.message) },
                    Outcome::Retrying { throttled },
                )
            }
        }
    }
}

/// `base · 2^(attempts-1) · factor`, ±20 % jitter, capped at an hour.
fn retry_delay(base: Duration, attempts: i32, factor: f64) -> TimeDelta {
    let exponent = attempts.clamp(1, 20) - 1;
    let seconds =
        (base.as_secs_f64() * f64::from(1u32 << exponent) * factor).min(MAX_RETRY_DELAY_SECS);
    let jitter = rand::thread_rng().gen_range(0.8..1.2);
    TimeDelta::milliseconds((seconds * jitter * 1000.0) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_delays_grow_with_jitter_and_are_capped() {
        let base = Duration::from_secs(2);
        let first = retry_delay(base, 1, 1.0).num_milliseconds();
        assert!((1600..=2400).contains(&first), "{first}");
        let third = retry_delay(base, 3, 1.0).num_milliseconds();
        assert!((6400..=9600).contains(&third), "{third}");
        let throttled = retry_delay(base, 1, 4.0).num_milliseconds();
        assert!((6400..=9600).contains(&throttled), "{throttled}");
        let capped = retry_delay(base, 20, 4.0).num_milliseconds();
        assert!(capped <= 3_600_000 * 12 / 10, "{capped}");
    }

    #[test]
    fn the_tracker_names_the_recipient() {
        assert_eq!(tracker(42), "mia-cr:42");
    }
}
