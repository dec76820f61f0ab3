//! What every handler can reach: shared, cheap to clone.

use std::sync::{
    atomic::{AtomicBool, Ordering},
    Arc,
};

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;

use crate::{
    auth::rate_limit::AuthLimits, channels::whatsapp_cloud::GraphClient, config::Config,
    crypto::Keyring, events::EventBus, jobs::JobRunner, media::MediaStore,
};

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub config: Config,
    pub db: DatabaseConnection,
    pub keyring: Keyring,
    pub events: EventBus,
    pub jobs: JobRunner,
    /// The campaign sender's own job runner (`campaign.send`), so long sends never hold up
    /// webhooks or email.
    pub sending: JobRunner,
    /// Meta's Graph API (WhatsApp Cloud connections).
    pub graph: GraphClient,
    /// Message media (local folder, S3 or GCS).
    pub media: MediaStore,
    pub limits: AuthLimits,
    pub leptos_options: LeptosOptions,
    pub metrics: metrics_exporter_prometheus::PrometheusHandle,
    /// Set once the background workers run (or immediately when `workers = 0`).
    pub workers_ready: AtomicBool,
    /// Turns true when shutdown begins: workers finish their job and stop, sockets close.
    pub shutdown: tokio::sync::watch::Sender<bool>,
}

impl AppState {
    pub fn new(inner: Inner) -> Self {
        AppState(Arc::new(inner))
    }

    pub fn workers_ready(&self) -> bool {
        self.0.workers_ready.load(Ordering::Acquire)
    }

    pub fn set_workers_ready(&self) {
        self.0.workers_ready.store(true, Ordering::Release);
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
