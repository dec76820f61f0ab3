//! The job queue on a real database (SQLite and PostgreSQL): claims are exclusive, failures retry
//! with backoff and end dead, leases of crashed workers expire, unique keys deduplicate.

mod common;

use std::{
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::Duration,
};

use chrono::TimeDelta;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use server::{
    db::entities::jobs as job_rows,
    jobs::{enqueue, Job, JobError, JobFuture, JobHandler, JobRunner, NewJob},
};

struct Flaky {
    calls: Arc<AtomicUsize>,
    fail_first: usize,
    permanent: bool,
}

impl JobHandler for Flaky {
    fn kind(&self) -> &'static str {
        "flaky"
    }
    fn perform(&self, _job: Job) -> JobFuture {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        let fail = n < self.fail_first;
        let permanent = self.permanent;
        Box::pin(async move {
            match (fail, permanent) {
                (false, _) => Ok(()),
                (true, false) => Err(JobError::Retry(anyhow::anyhow!("temporary failure {n}"))),
                (true, true) => Err(JobError::Permanent(anyhow::anyhow!("bad payload"))),
            }
        })
    }
}

async fn flaky_runner(
    app: &common::TestApp,
    fail_first: usize,
    permanent: bool,
) -> (JobRunner, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let handler = Flaky { calls: calls.clone(), fail_first, permanent };
    (
        JobRunner::new(app.state.db.clone(), vec![Arc::new(handler)], Duration::from_millis(20)),
        calls,
    )
}

/// Makes every pending job due now, standing in for the passing of backoff time.
async fn make_due(app: &common::TestApp) {
    for row in job_rows::Entity::find().all(&app.state.db).await.unwrap() {
        let mut active: job_rows::ActiveModel = row.into();
        active.run_at = Set(chrono::Utc::now() - TimeDelta::seconds(1));
        active.update(&app.state.db).await.unwrap();
    }
}

#[tokio::test]
async fn failing_jobs_retry_with_backoff_then_succeed() {
    let app = common::spawn_app().await;
    let (runner, calls) = flaky_runner(&app, 2, false).await;
    let id = enqueue(&app.state.db, NewJob::new("flaky", serde_json::json!({}))).await.unwrap();

    assert_eq!(runner.drain().await.unwrap(), 1);
    let row = job_rows::Entity::find_by_id(id).one(&app.state.db).await.unwrap().unwrap();
    assert_eq!(row.status, "pending");
    assert_eq!(row.attempts, 1);
    assert!(row.run_at > chrono::Utc::now(), "the retry waits");
    assert!(row.last_error.unwrap().contains("temporary failure 0"));
    assert_eq!(runner.drain().await.unwrap(), 0, "not due yet");

    make_due(&app).await;
    runner.drain().await.unwrap();
    make_due(&app).await;
    runner.drain().await.unwrap();
    let row = job_rows::Entity::find_by_id(id).one(&app.state.db).await.unwrap().unwrap();
    assert_eq!(row.status, "done");
    assert_eq!(row.attempts, 3);
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn jobs_die_after_max_attempts_or_a_permanent_error() {
    let app = common::spawn_app().await;
    let (runner, _) = flaky_runner(&app, 100, false).await;
    let mut job = NewJob::new("flaky", serde_json::json!({}));
    job.max_attempts = 2;
    let id = enqueue(&app.state.db, job).await.unwrap();
    runner.drain().await.unwrap();
    make_due(&app).await;
    runner.drain().await.unwrap();
    let row = job_rows::Entity::find_by_id(id).one(&app.state.db).await.unwrap().unwrap();
    assert_eq!(row.status, "dead");
    assert_eq!(row.attempts, 2);

    let (runner, calls) = flaky_runner(&app, 100, true).await;
    let id = enqueue(&app.state.db, NewJob::new("flaky", serde_json::json!({}))).await.unwrap();
    runner.drain().await.unwrap();
    let row = job_rows::Entity::find_by_id(id).one(&app.state.db).await.unwrap().unwrap();
    assert_eq!(row.status, "dead", "permanent errors are not retried");
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    // A kind this runner has no handler for is left for a runner that has one.
    let other =
        enqueue(&app.state.db, NewJob::new("no-such-kind", serde_json::json!({}))).await.unwrap();
    runner.drain().await.unwrap();
    let row = job_rows::Entity::find_by_id(other).one(&app.state.db).await.unwrap().unwrap();
    assert_eq!((row.status.as_str(), row.attempts), ("pending", 0));
}

#[tokio::test]
async fn concurrent_claims_never_take_the_same_job() {
    let app = common::spawn_app().await;
    let (runner, _) = flaky_runner(&app, 0, false).await;
    for _ in 0..20 {
        enqueue(&app.state.db, NewJob::new("flaky", serde_json::json!({}))).await.unwrap();
    }
    let mut tasks = Vec::new();
    for worker in 0..4 {
        let runner = runner.clone();
        tasks.push(tokio::spawn(async move {
            let mut claimed = Vec::new();
            while let Some(job) = runner.claim(&format!("w{worker}")).await.unwrap() {
                claimed.push(job.id);
            }
            claimed
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    let unique: std::collections::HashSet<_> = all.iter().collect();
    assert_eq!(all.len(), 20, "every job claimed");
    assert_eq!(unique.len(), 20, "no job claimed twice");
}

#[tokio::test]
async fn expired_leases_are_reclaimed_and_unique_keys_dedupe() {
    let app = common::spawn_app().await;
    let (runner, calls) = flaky_runner(&app, 0, false).await;
    let mut job = NewJob::new("flaky", serde_json::json!({}));
    job.unique_key = Some("once".into());
    let id = enqueue(&app.state.db, job.clone()).await.unwrap();
    enqueue(&app.state.db, job).await.unwrap();
    assert_eq!(job_rows::Entity::find().all(&app.state.db).await.unwrap().len(), 1);

    // A worker claims and "crashes" (never reports back).
    let claimed = runner.claim("crashing").await.unwrap().unwrap();
    assert_eq!(claimed.id, id);
    assert!(runner.claim("other").await.unwrap().is_none(), "leased");
    let mut active: job_rows::ActiveModel = claimed.into();
    active.locked_until = Set(Some(chrono::Utc::now() - TimeDelta::seconds(1)));
    active.update(&app.state.db).await.unwrap();

    assert_eq!(runner.drain().await.unwrap(), 1, "the expired lease is claimed again");
    let row = job_rows::Entity::find_by_id(id).one(&app.state.db).await.unwrap().unwrap();
    assert_eq!(row.status, "done");
    assert_eq!(row.attempts, 2);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn background_workers_pick_up_jobs_without_draining() {
    let (mut config, dir) = common::test_config().await;
    config.workers = 2;
    config.worker_poll_ms = 20;
    let app = common::spawn_with(config, dir).await;
    let response = app.signup("bg@example.com", "Acme").await;
    assert_eq!(response.status(), 201);
    for _ in 0..100 {
        if !app.emails_to("bg@example.com").is_empty() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the verification email was not sent by the background workers");
}

struct Slices {
    calls: Arc<AtomicUsize>,
}

impl JobHandler for Slices {
    fn kind(&self) -> &'static str {
        "slices"
    }
    fn perform(&self, _job: Job) -> JobFuture {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        Box::pin(async move {
            // Two slices of work, then done.
            if n < 2 {
                Err(JobError::Later(chrono::Utc::now() - TimeDelta::milliseconds(1)))
            } else {
                Ok(())
            }
        })
    }
}

#[tokio::test]
async fn a_finished_job_releases_its_unique_key_and_runners_claim_only_their_kinds() {
    let app = common::spawn_app().await;
    let (flaky, flaky_calls) = flaky_runner(&app, 0, false).await;
    let calls = Arc::new(AtomicUsize::new(0));
    let slices = JobRunner::new(
        app.state.db.clone(),
        vec![Arc::new(Slices { calls: calls.clone() })],
        Duration::from_millis(20),
    );
    let mut job = NewJob::new("slices", serde_json::json!({}));
    job.unique_key = Some("slices:1".into());
    let id = enqueue(&app.state.db, job.clone()).await.unwrap();

    // The other runner does not touch a kind it cannot perform.
    assert_eq!(flaky.drain().await.unwrap(), 0);
    assert_eq!(flaky_calls.load(Ordering::SeqCst), 0);

    // A job that continues later keeps its key (no duplicate while it waits) and its attempts.
    assert_eq!(slices.drain().await.unwrap(), 3, "two slices and the last run");
    let row = job_rows::Entity::find_by_id(id).one(&app.state.db).await.unwrap().unwrap();
    assert_eq!(row.status, "done");
    assert_eq!(row.attempts, 1, "slices are not counted as attempts");
    assert_eq!(row.unique_key, None, "a finished job releases its key");

    // The same work can be queued again now.
    let again = enqueue(&app.state.db, job).await.unwrap();
    assert_ne!(again, id);
    assert_eq!(slices.drain().await.unwrap(), 1);
    assert_eq!(calls.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn a_duplicate_key_inside_a_transaction_leaves_the_transaction_usable() {
    use sea_orm::{ColumnTrait, QueryFilter, TransactionTrait};
    let app = common::spawn_app().await;
    let txn = app.state.db.begin().await.unwrap();
    for _ in 0..2 {
        let mut job = NewJob::new("flaky", serde_json::json!({}));
        job.unique_key = Some("debounced".into());
        enqueue(&txn, job).await.expect("a duplicate is a no-op");
    }
    // PostgreSQL aborts a transaction after a failed statement: this insert proves it was not.
    enqueue(&txn, NewJob::new("flaky", serde_json::json!({"after": true}))).await.unwrap();
    txn.commit().await.expect("the transaction commits");
    let rows = job_rows::Entity::find()
        .filter(job_rows::Column::Kind.eq("flaky"))
        .all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(rows.len(), 2, "the keyed job once, and the one after it");
}
