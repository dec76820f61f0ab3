//! Building the application from a config: database, keys, mailer, workers, router, listener.
//! `main` and the test harness both go through [`Application::build`], so tests exercise exactly
//! what production runs (on port 0).

use std::{future::Future, net::SocketAddr, sync::Arc, time::Duration};

use anyhow::Context;
use axum::{middleware, Router};
use leptos::config::LeptosOptions;
use tokio::{net::TcpListener, sync::watch};
use tower_http::{catch_panic::CatchPanicLayer, compression::CompressionLayer, trace::TraceLayer};

use crate::{
    api,
    auth::rate_limit::AuthLimits,
    campaigns::{
        domain::StartScheduledHandler,
        rate::SendRates,
        sender::{CampaignSender, SenderSettings},
    },
    channels::whatsapp_cloud::GraphClient,
    config::Config,
    crypto::Keyring,
    db,
    email::{Mailer, SendEmailHandler},
    events::EventBus,
    inbox::send::{MarkReadHandler, SendMessageHandler},
    jobs::{JobHandler, JobRunner},
    media::{fetch::FetchMediaHandler, MediaStore},
    observability,
    state::{AppState, Inner},
    templates::domain::{enqueue_scheduled_syncs, SyncTemplatesHandler},
    web,
    webhooks::{self, processor::ProcessWebhookHandler},
};

pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
}

impl Application {
    /// # Errors
    /// Anything that stops a healthy start: bad keys, unreachable database, failing migration,
    /// port in use.
    pub async fn build(config: Config) -> anyhow::Result<Application> {
        let keyring = Keyring::load_or_generate(&config)?;
        let db = db::connect_and_migrate(&config).await?;
        let mailer = Mailer::from_config(&config)?;
        let from = config.email_from.parse().with_context(|| {
            format!("invalid configuration: email_from {:?} is not a mailbox", config.email_from)
        })?;
        tracing::info!(mailer = %mailer.describe(), "email delivery");

        let events = EventBus::in_process();
        let graph = GraphClient::new(&config)?;
        let media = MediaStore::from_config(&config)?;
        tracing::info!(store = %media.describe(), "media store");
        let shutdown = watch::channel(false).0;
        let sender = CampaignSender {
            shutdown: shutdown.subscribe(),
            db: db.clone(),
            events: events.clone(),
            graph: graph.clone(),
            keyring: Arc::new(keyring.clone()),
            rates: SendRates::default(),
            settings: SenderSettings::from_config(&config),
        };
        let sending = JobRunner::new(
            db.clone(),
            vec![Arc::new(sender)],
            Duration::from_millis(config.worker_poll_ms),
        );
        let handlers: Vec<Arc<dyn JobHandler>> = vec![
            Arc::new(StartScheduledHandler {
                db: db.clone(),
                events: events.clone(),
                sending: sending.clone(),
            }),
            Arc::new(SendEmailHandler { mailer, from: Arc::new(from) }),
            Arc::new(ProcessWebhookHandler {
                db: db.clone(),
                events: events.clone(),
                ai_reply_delay: Duration::from_millis(config.ai_reply_delay_ms),
            }),
            Arc::new(crate::ai::autoreply::AutoReplier {
                ai: crate::ai::AiContext {
                    db: db.clone(),
                    keyring: Arc::new(keyring.clone()),
                    timeout: Duration::from_secs(config.ai_timeout_seconds),
                },
                events: events.clone(),
            }),
            Arc::new(SendMessageHandler {
                db: db.clone(),
                events: events.clone(),
                graph: graph.clone(),
                keyring: Arc::new(keyring.clone()),
            }),
            Arc::new(MarkReadHandler {
                db: db.clone(),
                graph: graph.clone(),
                keyring: Arc::new(keyring.clone()),
            }),
            Arc::new(FetchMediaHandler {
                db: db.clone(),
                events: events.clone(),
                graph: graph.clone(),
                keyring: Arc::new(keyring.clone()),
                store: media.clone(),
            }),
            Arc::new(crate::ai::indexer::Indexer {
                db: db.clone(),
                events: events.clone(),
                keyring: Arc::new(keyring.clone()),
                ai_timeout: Duration::from_secs(config.ai_timeout_seconds),
            }),
            Arc::new(crate::automation::engine::AutomationRunner {
                db: db.clone(),
                events: events.clone(),
                ai_reply_delay: Duration::from_millis(config.ai_reply_delay_ms),
            }),
            Arc::new(crate::automation::timers::NoReplyHandler { db: db.clone() }),
            Arc::new(crate::automation::timers::WebhookHandler::new(Arc::new(keyring.clone()))),
            Arc::new(SyncTemplatesHandler {
                db: db.clone(),
                events: events.clone(),
                graph: graph.clone(),
                keyring: Arc::new(keyring.clone()),
            }),
        ];
        let jobs =
            JobRunner::new(db.clone(), handlers, Duration::from_millis(config.worker_poll_ms));

        let listener = TcpListener::bind(config.addr).await.with_context(|| {
            format!("cannot listen on {} (is another server running there?)", config.addr)
        })?;
        let local_addr = listener.local_addr()?;
        // Port 0 (tests) becomes the real port, so URLs we hand out (webhooks, links) work.
        let mut config = config;
        config.addr = local_addr;

        let leptos_options = LeptosOptions::builder()
            .output_name("master-ia")
            .site_root(config.site_root.to_string_lossy().to_string())
            .site_pkg_dir("pkg")
            .site_addr(local_addr)
            .build();

        let state = AppState::new(Inner {
            limits: AuthLimits::new(
                config.auth_rate_per_ip_per_minute,
                config.auth_rate_per_account_per_minute,
            ),
            config,
            db,
            keyring,
            events,
            jobs,
            sending,
            graph,
            media,
            leptos_options,
            metrics: observability::metrics_handle(),
            workers_ready: Default::default(),
            shutdown,
        });

        let router = Router::new()
            .merge(api::router())
            .merge(webhooks::router())
            .merge(web::router(&state))
            .layer(middleware::from_fn(observability::track_http))
            .layer(CompressionLayer::new())
            .layer(TraceLayer::new_for_http())
            .layer(CatchPanicLayer::custom(|_| {
                crate::error::error_response(
                    shared::ErrorCode::Internal,
                    "Something went wrong on our side.".into(),
                    None,
                )
            }))
            .with_state(state.clone());

        Ok(Application { listener, router, state })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves, then stops accepting, lets in-flight requests and the
    /// current jobs finish (up to `shutdown_grace_seconds`), and returns.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let Application { listener, router, state } = self;
        let mut workers =
            state.jobs.spawn_workers(state.config.workers, state.shutdown.subscribe());
        workers.extend(
            state.sending.spawn_workers(state.config.campaign_senders, state.shutdown.subscribe()),
        );
        state.set_workers_ready();

        let maintenance = {
            let state = state.clone();
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(Duration::from_secs(60));
                let mut minutes: u64 = 0;
                loop {
                    tick.tick().await;
                    state.limits.prune();
                    state.events.prune();
                    if let Err(err) =
                        crate::inbox::manage::wake_snoozed(&state.db, &state.events).await
                    {
                        tracing::warn!(error = ?err, "could not reopen snoozed conversations");
                    }
                    if let Err(err) =
                        crate::automation::outbox::sweep(&state.db, chrono::TimeDelta::seconds(30))
                            .await
                    {
                        tracing::warn!(error = ?err, "could not sweep automation events");
                    }
                    // Templates change at Meta (approvals arrive by webhook, edits may not):
                    // mirror them hourly, starting a minute after start-up.
                    if minutes % 60 == 1 && state.config.workers > 0 {
                        if let Err(err) = enqueue_scheduled_syncs(&state.db).await {
                            tracing::warn!(error = %err, "could not schedule template syncs");
                        }
                    }
                    minutes += 1;
                }
            })
        };

        let stopping = state.clone();
        let shutdown = async move {
            shutdown.await;
            // Tells workers and open WebSockets to wrap up; HTTP stops accepting now.
            let _ = stopping.shutdown.send(true);
        };
        axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(shutdown)
            .await
            .context("serving HTTP")?;

        maintenance.abort();
        let _ = state.shutdown.send(true);
        let grace = Duration::from_secs(state.config.shutdown_grace_seconds);
        if tokio::time::timeout(grace, futures::future::join_all(workers)).await.is_err() {
            tracing::warn!("workers did not finish within the shutdown grace period");
        }
        Ok(())
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => futures::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = futures::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests and jobs");
}
