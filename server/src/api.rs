//! The `/api/v1` router, health and metrics endpoints, and the OpenAPI document assembled from
//! the areas' handler annotations.

use axum::{
    extract::{DefaultBodyLimit, State},
    http::{header, StatusCode},
    response::IntoResponse,
    routing::{delete, get, patch, post},
    Json, Router,
};
use shared::ErrorCode;
use utoipa::{
    openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme},
    Modify, OpenApi,
};

use crate::{
    ai, auth, automation, campaigns, connections, contacts, db, error::error_response, inbox,
    media, state::AppState, team, templates, ws,
};

/// JSON bodies larger than this are refused with 413 before they are parsed.
const MAX_JSON_BODY: usize = 1024 * 1024;

#[derive(OpenApi)]
#[openapi(
    info(title = "Master IA API", description = "WhatsApp + SMS campaigns, team inbox and AI automation. \
        Authenticate with the session cookie (browser; send X-CSRF-Token on changes) or `Authorization: Bearer <api key>`. \
        Errors are `{\"error\": {\"code\", \"message\", \"field\"?}}`."),
    paths(
        auth::http::signup, auth::http::verify_email, auth::http::resend_verification, auth::http::login,
        auth::http::logout, auth::http::forgot_password, auth::http::reset_password, auth::http::change_password,
        auth::http::me, auth::http::create_api_key, auth::http::list_api_keys, auth::http::revoke_api_key,
        team::http::list_members, team::http::update_member, team::http::remove_member,
        team::http::create_invitation, team::http::list_invitations, team::http::revoke_invitation,
        team::http::preview_invitation, team::http::accept_invitation,
        team::http::get_company, team::http::update_company,
        contacts::http::list, contacts::http::create, contacts::http::get, contacts::http::update,
        contacts::http::delete, contacts::http::export, contacts::http::count, contacts::http::bulk,
        contacts::http::erase, contacts::http::import_csv, contacts::http::import_history,
        contacts::http::list_fields, contacts::http::create_field, contacts::http::update_field,
        contacts::http::delete_field, contacts::http::list_tags, contacts::http::rename_tag,
        contacts::http::delete_tag, contacts::http::list_segments, contacts::http::create_segment,
        contacts::http::preview_segment, contacts::http::get_segment, contacts::http::update_segment,
        contacts::http::delete_segment,
        connections::http::list, connections::http::create, connections::http::get,
        connections::http::update, connections::http::delete, connections::http::test,
        inbox::http::list, inbox::http::get, inbox::http::messages, inbox::http::send_message,
        inbox::http::retry_message, inbox::http::mark_read, inbox::http::update,
        inbox::http::claim, inbox::http::add_note, inbox::http::typing, inbox::http::list_canned,
        inbox::http::create_canned, inbox::http::update_canned, inbox::http::delete_canned,
        templates::http::list, templates::http::sync, templates::http::create,
        campaigns::http::list, campaigns::http::create, campaigns::http::preview, campaigns::http::get,
        campaigns::http::update, campaigns::http::delete, campaigns::http::start, campaigns::http::pause,
        campaigns::http::resume, campaigns::http::cancel, campaigns::http::recipients,
        campaigns::http::export, campaigns::http::report,
        media::http::download, media::http::upload,
        ai::http::list_personas, ai::http::create_persona, ai::http::get_persona,
        ai::http::update_persona, ai::http::delete_persona, ai::http::persona_chat,
        ai::http::suggest_reply, ai::http::summarize,
        ai::http::list_bases, ai::http::create_base, ai::http::get_base, ai::http::update_base,
        ai::http::delete_base, ai::http::list_documents, ai::http::create_document,
        ai::http::get_document, ai::http::update_document, ai::http::reindex_document,
        ai::http::delete_document, ai::http::search,
        automation::http::list, automation::http::create, automation::http::get,
        automation::http::update, automation::http::delete, automation::http::runs,
        automation::http::webhook_secret, automation::http::get_hours, automation::http::put_hours,
        ws::upgrade, healthz, readyz,
    ),
    components(schemas(shared::ServerEvent, shared::ErrorCode)),
    modifiers(&SecuritySchemes),
    security(("api_key" = []), ("session_cookie" = [])),
    tags(
        (name = "auth", description = "Accounts, sessions and the caller"),
        (name = "team", description = "Members, roles and invitations"),
        (name = "api-keys", description = "Keys for integrations"),
        (name = "contacts", description = "The CRM: contacts, custom fields, tags, CSV import/export, opt-out"),
        (name = "segments", description = "Saved contact filters, the audiences of campaigns"),
        (name = "connections", description = "Channels: WhatsApp Cloud numbers, their webhooks and health"),
        (name = "templates", description = "WhatsApp message templates: sync, create, status"),
        (name = "inbox", description = "Conversations with customers and their messages"),
        (name = "campaigns", description = "Bulk template sends: drafts, audiences, start/pause/resume/cancel, progress, reports"),
        (name = "ai", description = "AI personas, their test chat, and the knowledge bases they answer from"),
        (name = "automation", description = "Automation rules (trigger, conditions, actions), their execution log, and business hours"),
        (name = "live", description = "WebSocket events"),
        (name = "ops", description = "Health checks"),
    )
)]
pub struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("mia_...").build(),
            ),
        );
        components.add_security_scheme(
            "session_cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(auth::jwt::COOKIE_NAME))),
        );
    }
}

pub fn router() -> Router<AppState> {
    let v1 = Router::new()
        .route("/auth/signup", post(auth::http::signup))
        .route("/auth/verify-email", post(auth::http::verify_email))
        .route("/auth/resend-verification", post(auth::http::resend_verification))
        .route("/auth/login", post(auth::http::login))
        .route("/auth/logout", post(auth::http::logout))
        .route("/auth/forgot-password", post(auth::http::forgot_password))
        .route("/auth/reset-password", post(auth::http::reset_password))
        .route("/auth/change-password", post(auth::http::change_password))
        .route("/me", get(auth::http::me))
        .route("/api-keys", get(auth::http::list_api_keys).post(auth::http::create_api_key))
        .route("/api-keys/{id}", delete(auth::http::revoke_api_key))
        .route("/members", get(team::http::list_members))
        .route("/company", get(team::http::get_company).patch(team::http::update_company))
        .route(
            "/members/{user_id}",
            patch(team::http::update_member).delete(team::http::remove_member),
        )
        .route(
            "/invitations",
            get(team::http::list_invitations).post(team::http::create_invitation),
        )
        .route("/invitations/preview", get(team::http::preview_invitation))
        .route("/invitations/accept", post(team::http::accept_invitation))
        .route("/invitations/{id}", delete(team::http::revoke_invitation))
        .route("/contacts", get(contacts::http::list).post(contacts::http::create))
        .route("/contacts/export", get(contacts::http::export))
        .route("/contacts/count", get(contacts::http::count))
        .route("/contacts/bulk", post(contacts::http::bulk))
        .route("/contacts/imports", get(contacts::http::import_history))
        .route(
            "/contacts/{id}",
            get(contacts::http::get).patch(contacts::http::update).delete(contacts::http::delete),
        )
        .route("/contacts/{id}/erase", post(contacts::http::erase))
        .route(
            "/contact-fields",
            get(contacts::http::list_fields).post(contacts::http::create_field),
        )
        .route(
            "/contact-fields/{id}",
            patch(contacts::http::update_field).delete(contacts::http::delete_field),
        )
        .route("/contact-tags", get(contacts::http::list_tags))
        .route(
            "/contact-tags/{tag}",
            patch(contacts::http::rename_tag).delete(contacts::http::delete_tag),
        )
        .route("/segments", get(contacts::http::list_segments).post(contacts::http::create_segment))
        .route("/segments/preview", post(contacts::http::preview_segment))
        .route(
            "/segments/{id}",
            get(contacts::http::get_segment)
                .patch(contacts::http::update_segment)
                .delete(contacts::http::delete_segment),
        )
        .route("/connections", get(connections::http::list).post(connections::http::create))
        .route(
            "/connections/{id}",
            get(connections::http::get)
                .patch(connections::http::update)
                .delete(connections::http::delete),
        )
        .route("/connections/{id}/test", post(connections::http::test))
        .route(
            "/connections/{id}/templates",
            get(templates::http::list).post(templates::http::create),
        )
        .route("/connections/{id}/templates/sync", post(templates::http::sync))
        .route("/conversations", get(inbox::http::list))
        .route("/conversations/{id}", get(inbox::http::get).patch(inbox::http::update))
        .route("/conversations/{id}/read", post(inbox::http::mark_read))
        .route("/conversations/{id}/claim", post(inbox::http::claim))
        .route("/conversations/{id}/typing", post(inbox::http::typing))
        .route("/conversations/{id}/notes", post(inbox::http::add_note))
        .route("/canned-replies", get(inbox::http::list_canned).post(inbox::http::create_canned))
        .route(
            "/canned-replies/{id}",
            patch(inbox::http::update_canned).delete(inbox::http::delete_canned),
        )
        .route(
            "/conversations/{id}/messages",
            get(inbox::http::messages).post(inbox::http::send_message),
        )
        .route("/conversations/{id}/messages/{message_id}/retry", post(inbox::http::retry_message))
        .route("/messages/{id}/media", get(media::http::download))
        .route("/campaigns", get(campaigns::http::list).post(campaigns::http::create))
        .route("/campaigns/preview", post(campaigns::http::preview))
        .route(
            "/campaigns/{id}",
            get(campaigns::http::get)
                .patch(campaigns::http::update)
                .delete(campaigns::http::delete),
        )
        .route("/campaigns/{id}/start", post(campaigns::http::start))
        .route("/campaigns/{id}/pause", post(campaigns::http::pause))
        .route("/campaigns/{id}/resume", post(campaigns::http::resume))
        .route("/campaigns/{id}/cancel", post(campaigns::http::cancel))
        .route("/campaigns/{id}/recipients", get(campaigns::http::recipients))
        .route("/campaigns/{id}/recipients/export", get(campaigns::http::export))
        .route("/campaigns/{id}/report", get(campaigns::http::report))
        .route("/personas", get(ai::http::list_personas).post(ai::http::create_persona))
        .route(
            "/personas/{id}",
            get(ai::http::get_persona)
                .patch(ai::http::update_persona)
                .delete(ai::http::delete_persona),
        )
        .route("/personas/{id}/chat", post(ai::http::persona_chat))
        .route("/conversations/{id}/assist/reply", post(ai::http::suggest_reply))
        .route("/conversations/{id}/assist/summary", post(ai::http::summarize))
        .route("/knowledge-bases", get(ai::http::list_bases).post(ai::http::create_base))
        .route(
            "/knowledge-bases/{id}",
            get(ai::http::get_base).patch(ai::http::update_base).delete(ai::http::delete_base),
        )
        .route(
            "/knowledge-bases/{id}/documents/{document_id}",
            get(ai::http::get_document)
                .patch(ai::http::update_document)
                .delete(ai::http::delete_document),
        )
        .route(
            "/knowledge-bases/{id}/documents/{document_id}/reindex",
            post(ai::http::reindex_document),
        )
        .route("/knowledge-bases/{id}/search", post(ai::http::search))
        .route("/automation-rules", get(automation::http::list).post(automation::http::create))
        .route("/automation-rules/webhook-secret", get(automation::http::webhook_secret))
        .route(
            "/automation-rules/{id}",
            get(automation::http::get)
                .patch(automation::http::update)
                .delete(automation::http::delete),
        )
        .route("/automation-rules/{id}/runs", get(automation::http::runs))
        .route(
            "/company/business-hours",
            get(automation::http::get_hours).put(automation::http::put_hours),
        )
        .route("/ws", get(ws::upgrade))
        .route("/openapi.json", get(openapi_json))
        .layer(DefaultBodyLimit::max(MAX_JSON_BODY));
    // Streamed, with its own (larger) limit counted as the bytes arrive.
    let uploads = Router::new()
        .route("/contacts/import", post(contacts::http::import_csv))
        .layer(DefaultBodyLimit::disable());
    // Reply attachments: WhatsApp's own limit (100 MB documents), plus room for the envelope.
    let media_uploads = Router::new()
        .route("/conversations/{id}/media", post(media::http::upload))
        .layer(DefaultBodyLimit::max(media::fetch::MAX_MEDIA_BYTES + 1024 * 1024));
    // Knowledge documents: JSON, or a file up to 20 MB as the raw body.
    let documents = Router::new()
        .route(
            "/knowledge-bases/{id}/documents",
            get(ai::http::list_documents).post(ai::http::create_document),
        )
        .layer(DefaultBodyLimit::max(ai::extract::MAX_UPLOAD_BYTES + 64 * 1024));
    let v1 = v1.merge(uploads).merge(media_uploads).merge(documents);

    Router::new()
        .nest("/api/v1", v1)
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .method_not_allowed_fallback(method_not_allowed)
}

async fn openapi_json() -> impl IntoResponse {
    Json(ApiDoc::openapi())
}

/// The process is up and serving.
#[utoipa::path(get, path = "/healthz", tag = "ops", security(), responses((status = 200)))]
pub async fn healthz() -> impl IntoResponse {
    Json(serde_json::json!({"status": "ok"}))
}

/// The database answers and the background workers run.
#[utoipa::path(get, path = "/readyz", tag = "ops", security(),
    responses((status = 200), (status = 503, body = shared::ApiErrorBody)))]
pub async fn readyz(State(state): State<AppState>) -> axum::response::Response {
    let database = db::ping(&state.db).await;
    let workers = state.workers_ready();
    if database && workers {
        Json(serde_json::json!({"status": "ready", "database": true, "workers": true}))
            .into_response()
    } else {
        let message = format!("Not ready: database {}, workers {}.", ok(database), ok(workers));
        error_response(ErrorCode::ServiceUnavailable, message, None)
    }
}

fn ok(flag: bool) -> &'static str {
    if flag {
        "ok"
    } else {
        "not ready"
    }
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    metrics::gauge!("master_ia_live_companies").set(state.events.active_companies() as f64);
    (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics.render())
}

pub async fn not_found() -> axum::response::Response {
    error_response(ErrorCode::NotFound, "There is no such API endpoint.".into(), None)
}

pub async fn method_not_allowed() -> axum::response::Response {
    error_response(
        ErrorCode::MethodNotAllowed,
        "This endpoint does not accept this HTTP method.".into(),
        None,
    )
}
