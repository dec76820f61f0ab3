//! Webhooks called by providers: check the signature over the raw bytes, store the delivery in
//! the durable `webhook_inbox` and answer 200 at once; a job processes it afterwards.
//!
//! Answering fast keeps Meta from retrying because our database or a listener was slow, and a
//! 200 is only sent once the delivery is committed, so a crash never loses an accepted event.

pub mod meta;
pub mod processor;

use axum::{extract::DefaultBodyLimit, routing::get, Router};

use crate::state::AppState;

/// Meta's deliveries are small (batches of up to a few hundred KB); this leaves room.
const MAX_WEBHOOK_BODY: usize = 4 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/webhooks/meta/{slug}", get(meta::verify).post(meta::receive))
        .layer(DefaultBodyLimit::max(MAX_WEBHOOK_BODY))
}
