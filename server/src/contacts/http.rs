//! REST handlers for `/api/v1/contacts`.

use axum::{
    body::Body,
    extract::{Path, Query, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
};
use shared::api::{ContactDto, CreateContactRequest, Page, UpdateContactRequest};
use uuid::Uuid;

use super::domain::{self, ContactFilter};
use crate::{
    auth::AuthUser,
    error::{AppJson, AppResult},
    state::AppState,
};

/// Contacts, newest first; `q` searches name, email and phone, `tag` filters.
#[utoipa::path(get, path = "/api/v1/contacts", tag = "contacts", params(ContactFilter),
    responses((status = 200, body = Page<ContactDto>)))]
pub async fn list(
    State(state): State<AppState>,
    auth: AuthUser,
    Query(filter): Query<ContactFilter>,
) -> AppResult<AppJson<Page<ContactDto>>> {
    Ok(AppJson(domain::list(&state, &auth, &filter).await?))
}

/// Create a contact; the phone is normalised to E.164 with the company's default country.
#[utoipa::path(post, path = "/api/v1/contacts", tag = "contacts", request_body = CreateContactRequest,
    responses((status = 201, body = ContactDto), (status = 400, body = shared::ApiErrorBody),
        (status = 409, body = shared::ApiErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    auth: AuthUser,
    AppJson(body): AppJson<CreateContactRequest>,
) -> AppResult<(StatusCode, AppJson<ContactDto>)> {
    Ok((StatusCode::CREATED, AppJson(domain::create(&state, &auth, body).await?)))
}

/// One contact.
#[utoipa::path(get, path = "/api/v1/contacts/{id}", tag = "contacts",
    responses((status = 200, body = ContactDto), (status = 404, body = shared::ApiErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
) -> AppResult<AppJson<ContactDto>> {
    Ok(AppJson(domain::get(&state, &auth, id).await?))
}

/// Change the fields present in the body.
#[utoipa::path(patch, path = "/api/v1/contacts/{id}", tag = "contacts", request_body = UpdateContactRequest,
    responses((status = 200, body = ContactDto), (status = 400, body = shared::ApiErrorBody),
        (status = 404, body = shared::ApiErrorBody), (status = 409, body = shared::ApiErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
    AppJson(body): AppJson<UpdateContactRequest>,
) -> AppResult<AppJson<ContactDto>> {
    Ok(AppJson(domain::update(&state, &auth, id, body).await?))
}

/// Delete a contact (kept for message history; the phone number becomes free).
#[utoipa::path(delete, path = "/api/v1/contacts/{id}", tag = "contacts",
    responses((status = 204), (status = 404, body = shared::ApiErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
) -> AppResult<StatusCode> {
    domain::delete(&state, &auth, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The contacts matching `q`/`tag` as CSV (UTF-8 with BOM): `phone,name,email,tags,opted_out,
/// notes,created_at` and one column per attribute.
#[utoipa::path(get, path = "/api/v1/contacts/export", tag = "contacts", params(ContactFilter),
    responses((status = 200, content_type = "text/csv", body = String)))]
pub async fn export(
    State(state): State<AppState>,
    auth: AuthUser,
    Query(filter): Query<ContactFilter>,
) -> AppResult<Response> {
    let stream = domain::export_csv(&state, &auth, filter).await?;
    let filename = format!("contacts-{}.csv", chrono::Utc::now().format("%Y-%m-%d"));
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}
