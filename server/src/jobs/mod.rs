//! The background job runtime: a `jobs` table used as a durable queue, on SQLite and PostgreSQL.
//!
//! * **Enqueue** inside the caller's transaction ([`enqueue`]), so a job exists exactly when the
//!   domain change that needs it was committed (no email for a sign-up that rolled back).
//! * **Claim before act**: a worker marks the row `running` with its own lease token and a lease
//!   expiry *before* performing it. On PostgreSQL the candidate row is locked with
//!   `FOR UPDATE SKIP LOCKED`; on SQLite (single writer) a conditional update does the same job.
//!   A worker that dies mid-job leaves a lease that expires, and the job is claimed again.
//! * **Retries** with exponential backoff and jitter; after `max_attempts` the job is `dead`, kept
//!   with its last error for inspection.
//! * **Pools**: a runner claims only the kinds it has handlers for, so long-running work (the
//!   campaign sender) gets its own runner and workers and never starves webhooks or email.
//! * **Unique keys** guard against duplicates while a job waits or runs; once it is done or
//!   dead the key is released, so the same kind of work can be queued again.
//! * **Tests** run with no background workers and call [`JobRunner::drain`], which performs every
//!   due job synchronously.
//!
//! Why not apalis: its SQLite and PostgreSQL storages are separate types with their own pools
//! and tables, while we want one queue that shares sea-orm's connection and transactions on
//! both backends (enqueue atomically with domain rows). The whole runtime is this file.

use std::{collections::HashMap, future::Future, pin::Pin, sync::Arc, time::Duration};

use chrono::{DateTime, TimeDelta, Utc};
use rand::Rng;
use sea_orm::{
    sea_query::{Expr, LockBehavior, LockType},
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};
use tokio::sync::{watch, Notify};
use uuid::Uuid;

use crate::db::{self, entities::jobs};

/// How long a claim lasts before another worker may take the job over.
const LEASE: TimeDelta = TimeDelta::minutes(5);
const MAX_BACKOFF_SECS: i64 = 3600;

pub type Job = jobs::Model;

/// A job to put on the queue.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: &'static str,
    pub payload: serde_json::Value,
    pub company_id: Option<Uuid>,
    pub run_at: Option<DateTime<Utc>>,
    pub max_attempts: i32,
    /// Enqueueing a second job with the same key is a no-op while the first exists.
    pub unique_key: Option<String>,
}

impl NewJob {
    pub fn new(kind: &'static str, payload: serde_json::Value) -> Self {
        NewJob { kind, payload, company_id: None, run_at: None, max_attempts: 8, unique_key: None }
    }

    pub fn for_company(mut self, company_id: Uuid) -> Self {
        self.company_id = Some(company_id);
        self
    }
}

/// Inserts a job; use the transaction of the change that needs it.
pub async fn enqueue<C: ConnectionTrait>(conn: &C, job: NewJob) -> Result<Uuid, sea_orm::DbErr> {
    let now = db::now();
    let id = Uuid::now_v7();
    let model = jobs::ActiveModel {
        id: Set(id),
        kind: Set(job.kind.to_owned()),
        payload: Set(job.payload),
        company_id: Set(job.company_id),
        status: Set(Status::Pending.as_str().to_owned()),
        attempts: Set(0),
        max_attempts: Set(job.max_attempts.max(1)),
        run_at: Set(job.run_at.unwrap_or(now)),
        locked_by: Set(None),
        locked_until: Set(None),
        last_error: Set(None),
        unique_key: Set(job.unique_key),
        created_at: Set(now),
        updated_at: Set(now),
    };
    // ON CONFLICT DO NOTHING rather than catching the unique violation: on PostgreSQL a failed
    // statement aborts the caller's whole transaction.
    jobs::Entity::insert(model)
        .on_conflict_do_nothing_on([jobs::Column::UniqueKey])
        .exec_without_returning(conn)
        .await?;
    Ok(id)
}

/// Inserts the job, or — when one with its unique key is already waiting for a later time —
/// brings that one forward to the new job's time.
pub async fn enqueue_or_hasten<C: ConnectionTrait>(
    conn: &C,
    job: NewJob,
) -> Result<(), sea_orm::DbErr> {
    enqueue_or_move(conn, job, Move::Earlier).await
}

/// Inserts the job, or — when one with its unique key is still waiting — pushes that one back
/// to the new job's time (a debounce: a burst of events leads to one run after the last).
/// A job with the key that is already running is left alone; its handler must look for work
/// that arrived while it ran.
pub async fn enqueue_or_postpone<C: ConnectionTrait>(
    conn: &C,
    job: NewJob,
) -> Result<(), sea_orm::DbErr> {
    enqueue_or_move(conn, job, Move::Later).await
}

/// Which way a waiting job with the same key may move to the new job's time.
enum Move {
    Earlier,
    Later,
}

async fn enqueue_or_move<C: ConnectionTrait>(
    conn: &C,
    job: NewJob,
    direction: Move,
) -> Result<(), sea_orm::DbErr> {
    let key = job.unique_key.clone();
    let at = job.run_at.unwrap_or_else(db::now);
    enqueue(conn, job).await?;
    if let Some(key) = key {
        let moves = match direction {
            Move::Earlier => jobs::Column::RunAt.gt(at),
            Move::Later => jobs::Column::RunAt.lt(at),
        };
        jobs::Entity::update_many()
            .col_expr(jobs::Column::RunAt, Expr::value(at))
            .filter(jobs::Column::UniqueKey.eq(key))
            .filter(jobs::Column::Status.eq(Status::Pending.as_str()))
            .filter(moves)
            .exec(conn)
            .await?;
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Pending,
    Running,
    Done,
    Dead,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Running => "running",
            Status::Done => "done",
            Status::Dead => "dead",
        }
    }
}

/// Why a job did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Worth another attempt later (network hiccup, provider 5xx, lock timeout).
    #[error("retryable: {0:#}")]
    Retry(anyhow::Error),
    /// Retrying cannot help (malformed payload, resource gone): dead at once.
    #[error("permanent: {0:#}")]
    Permanent(anyhow::Error),
    /// Not a failure: the job did a slice of its work and wants to run again at this time
    /// (it keeps its unique key; no attempt is counted).
    #[error("continues at {0}")]
    Later(DateTime<Utc>),
}

impl From<anyhow::Error> for JobError {
    fn from(err: anyhow::Error) -> Self {
        JobError::Retry(err)
    }
}

impl From<sea_orm::DbErr> for JobError {
    fn from(err: sea_orm::DbErr) -> Self {
        JobError::Retry(err.into())
    }
}

/// A domain error inside a job (mostly the database) is worth another attempt.
impl From<crate::error::AppError> for JobError {
    fn from(err: crate::error::AppError) -> Self {
        JobError::Retry(anyhow::anyhow!("{err:?}"))
    }
}

pub type JobFuture = Pin<Box<dyn Future<Output = Result<(), JobError>> + Send>>;

/// Performs one kind of job. Areas implement it and register it in `startup`.
pub trait JobHandler: Send + Sync + 'static {
    fn kind(&self) -> &'static str;
    fn perform(&self, job: Job) -> JobFuture;
}

#[derive(Clone)]
pub struct JobRunner {
    db: DatabaseConnection,
    handlers: Arc<HashMap<&'static str, Arc<dyn JobHandler>>>,
    /// The kinds this runner claims (those it has handlers for).
    kinds: Arc<Vec<&'static str>>,
    wake: Arc<Notify>,
    poll: Duration,
}

impl JobRunner {
    pub fn new(db: DatabaseConnection, handlers: Vec<Arc<dyn JobHandler>>, poll: Duration) -> Self {
        let kinds = handlers.iter().map(|h| h.kind()).collect();
        let handlers = handlers.into_iter().map(|h| (h.kind(), h)).collect();
        JobRunner {
            db,
            handlers: Arc::new(handlers),
            kinds: Arc::new(kinds),
            wake: Arc::new(Notify::new()),
            poll,
        }
    }

    /// Tells idle workers of this process to look for work now instead of at the next poll.
    pub fn notify(&self) {
        self.wake.notify_waiters();
    }

    /// Claims the next due job for `worker`, if any.
    pub async fn claim(&self, worker: &str) -> Result<Option<Job>, sea_orm::DbErr> {
        let now = db::now();
        let due = {
            use sea_orm::sea_query::ExprTrait;
            due_filter(now).and(jobs::Column::Kind.is_in(self.kinds.iter().copied()))
        };
        let lease_token = format!("{worker}/{}", Uuid::new_v4().simple());

        let candidate = if db::is_postgres(&self.db) {
            let txn = self.db.begin().await?;
            let row = jobs::Entity::find()
                .filter(due.clone())
                .order_by_asc(jobs::Column::RunAt)
                .limit(1)
                .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
                .one(&txn)
                .await?;
            if let Some(row) = &row {
                mark_claimed(&txn, row.id, &lease_token, now, due.clone()).await?;
            }
            txn.commit().await?;
            row.map(|r| r.id)
        } else {
            let row = jobs::Entity::find()
                .filter(due.clone())
                .order_by_asc(jobs::Column::RunAt)
                .limit(1)
                .one(&self.db)
                .await?;
            match row {
                // The conditional update is the claim; if another worker won, there is no row.
                Some(row)
                    if mark_claimed(&self.db, row.id, &lease_token, now, due.clone()).await? =>
                {
                    Some(row.id)
                }
                _ => None,
            }
        };
        match candidate {
            Some(id) => {
                let job = jobs::Entity::find_by_id(id).one(&self.db).await?;
                Ok(job.filter(|j| j.locked_by.as_deref() == Some(lease_token.as_str())))
            }
            None => Ok(None),
        }
    }

    /// Runs one claimed job and records the outcome.
    pub async fn run(&self, job: Job) -> Result<(), sea_orm::DbErr> {
        let kind = job.kind.clone();
        let id = job.id;
        let attempts = job.attempts;
        let max_attempts = job.max_attempts;
        let outcome = match self.handlers.get(kind.as_str()) {
            Some(handler) => {
                // A panicking handler must not take the worker down: run it as its own task.
                match tokio::spawn(handler.perform(job)).await {
                    Ok(result) => result,
                    Err(join_error) => {
                        Err(JobError::Retry(anyhow::anyhow!("job panicked: {join_error}")))
                    }
                }
            }
            None => Err(JobError::Permanent(anyhow::anyhow!(
                "no handler registered for job kind {kind:?}"
            ))),
        };
        let now = db::now();
        let mut update =
            jobs::ActiveModel { id: Set(id), updated_at: Set(now), ..Default::default() };
        update.locked_by = Set(None);
        update.locked_until = Set(None);
        match outcome {
            Err(JobError::Later(at)) => {
                update.status = Set(Status::Pending.as_str().to_owned());
                update.run_at = Set(at.max(now));
                // The claim counted an attempt; a slice of work is not one.
                update.attempts = Set((attempts - 1).max(0));
                update.last_error = Set(None);
            }
            Ok(()) => {
                metrics::counter!("master_ia_jobs_total", "kind" => kind.clone(), "outcome" => "done").increment(1);
                update.status = Set(Status::Done.as_str().to_owned());
                update.unique_key = Set(None);
                update.last_error = Set(None);
            }
            Err(err) => {
                let permanent = matches!(err, JobError::Permanent(_));
                let message = format!("{err}");
                if permanent || attempts >= max_attempts {
                    tracing::error!(job_id = %id, %kind, attempts, error = %message, "job failed for good");
                    metrics::counter!("master_ia_jobs_total", "kind" => kind.clone(), "outcome" => "dead").increment(1);
                    update.status = Set(Status::Dead.as_str().to_owned());
                    update.unique_key = Set(None);
                } else {
                    let delay = backoff(attempts);
                    tracing::warn!(job_id = %id, %kind, attempts, retry_in_secs = delay.num_seconds(), error = %message, "job failed, will retry");
                    metrics::counter!("master_ia_jobs_total", "kind" => kind.clone(), "outcome" => "retry").increment(1);
                    update.status = Set(Status::Pending.as_str().to_owned());
                    update.run_at = Set(now + delay);
                }
                update.last_error = Set(Some(message.chars().take(2000).collect()));
            }
        }
        update.update(&self.db).await?;
        Ok(())
    }

    /// Performs every job that is due now, in this task; returns how many ran. For tests and for
    /// one-shot maintenance commands.
    pub async fn drain(&self) -> Result<usize, sea_orm::DbErr> {
        let mut ran = 0;
        while let Some(job) = self.claim("drain").await? {
            self.run(job).await?;
            ran += 1;
        }
        Ok(ran)
    }

    /// Starts `count` worker tasks that stop (after finishing their current job) when `shutdown`
    /// turns true.
    pub fn spawn_workers(
        &self,
        count: u32,
        shutdown: watch::Receiver<bool>,
    ) -> Vec<tokio::task::JoinHandle<()>> {
        (0..count)
            .map(|n| {
                let runner = self.clone();
                let mut shutdown = shutdown.clone();
                let name = format!("worker-{}-{n}", std::process::id());
                tokio::spawn(async move {
                    tracing::debug!(worker = %name, "job worker started");
                    loop {
                        if *shutdown.borrow() {
                            break;
                        }
                        match runner.claim(&name).await {
                            Ok(Some(job)) => {
                                if let Err(err) = runner.run(job).await {
                                    tracing::error!(worker = %name, error = %err, "could not record a job outcome");
                                }
                                continue;
                            }
                            Ok(None) => {}
                            Err(err) => tracing::warn!(worker = %name, error = %err, "claiming a job failed"),
                        }
                        tokio::select! {
                            _ = runner.wake.notified() => {}
                            _ = tokio::time::sleep(runner.poll) => {}
                            _ = shutdown.changed() => {}
                        }
                    }
                    tracing::debug!(worker = %name, "job worker stopped");
                })
            })
            .collect()
    }
}

/// Pending and due, or running with an expired lease (its worker died).
fn due_filter(now: DateTime<Utc>) -> Expr {
    // ExprTrait is blanket-implemented for every type, so it is imported only where needed.
    use sea_orm::sea_query::ExprTrait;
    jobs::Column::Status.eq(Status::Pending.as_str()).and(jobs::Column::RunAt.lte(now)).or(
        jobs::Column::Status.eq(Status::Running.as_str()).and(jobs::Column::LockedUntil.lt(now)),
    )
}

async fn mark_claimed<C: ConnectionTrait>(
    conn: &C,
    id: Uuid,
    lease_token: &str,
    now: DateTime<Utc>,
    still_due: Expr,
) -> Result<bool, sea_orm::DbErr> {
    use sea_orm::sea_query::ExprTrait;
    let result = jobs::Entity::update_many()
        .col_expr(jobs::Column::Status, Expr::value(Status::Running.as_str()))
        .col_expr(jobs::Column::LockedBy, Expr::value(lease_token))
        .col_expr(jobs::Column::LockedUntil, Expr::value(now + LEASE))
        .col_expr(jobs::Column::Attempts, Expr::col(jobs::Column::Attempts).add(1))
        .col_expr(jobs::Column::UpdatedAt, Expr::value(now))
        .filter(jobs::Column::Id.eq(id))
        .filter(still_due)
        .exec(conn)
        .await?;
    Ok(result.rows_affected == 1)
}

/// 2^attempts seconds (capped at an hour), ±20 % jitter so failed jobs do not retry in lockstep.
fn backoff(attempts: i32) -> TimeDelta {
    let base = 2_i64.saturating_pow(attempts.clamp(0, 30) as u32).min(MAX_BACKOFF_SECS);
    let jitter = rand::thread_rng().gen_range(0.8..1.2);
    TimeDelta::milliseconds((base as f64 * 1000.0 * jitter) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let first = backoff(1).num_milliseconds();
        assert!((1600..=2400).contains(&first), "{first}");
        let fifth = backoff(5).num_milliseconds();
        assert!((25_600..=38_400).contains(&fifth), "{fifth}");
        let huge = backoff(40).num_milliseconds();
        assert!(huge <= (MAX_BACKOFF_SECS as f64 * 1200.0) as i64, "{huge}");
    }
}
