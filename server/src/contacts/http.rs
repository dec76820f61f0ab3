//! REST handlers for the CRM: `/api/v1/contacts`, `/contact-fields`, `/contact-tags`,
//! `/segments`. Each one parses, calls the domain, and shapes the answer.

use axum::{
    body::Body,
    extract::{Path, Query, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use shared::{
    api::{
        BulkContactsRequest, BulkResult, ContactDto, ContactFieldDto, CountResponse,
        CreateContactFieldRequest, CreateContactRequest, CreateSegmentRequest, ImportDto,
        ImportSummary, Page, RenameTagRequest, SegmentDto, SegmentFilter, TagCount,
        UpdateContactFieldRequest, UpdateContactRequest, UpdateSegmentRequest,
    },
    ErrorCode,
};
use uuid::Uuid;

use super::{
    domain::{self, ContactFilter},
    fields,
    import::{self, ImportParams},
    segments, tags,
};
use crate::{
    auth::AuthUser,
    error::{AppError, AppJson, AppResult},
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

/// How many contacts match the same filters as the list.
#[utoipa::path(get, path = "/api/v1/contacts/count", tag = "contacts", params(ContactFilter),
    responses((status = 200, body = CountResponse)))]
pub async fn count(
    State(state): State<AppState>,
    auth: AuthUser,
    Query(filter): Query<ContactFilter>,
) -> AppResult<AppJson<CountResponse>> {
    let count = domain::count(&state, &auth, &filter.list_filter()?).await?;
    Ok(AppJson(CountResponse { count }))
}

/// Tag, untag, delete (owners/admins) or opt out the selected contacts: up to 1000 ids, or
/// everything a list filter matches.
#[utoipa::path(post, path = "/api/v1/contacts/bulk", tag = "contacts", request_body = BulkContactsRequest,
    responses((status = 200, body = BulkResult), (status = 400, body = shared::ApiErrorBody),
        (status = 403, body = shared::ApiErrorBody)))]
pub async fn bulk(
    State(state): State<AppState>,
    auth: AuthUser,
    AppJson(body): AppJson<BulkContactsRequest>,
) -> AppResult<AppJson<BulkResult>> {
    Ok(AppJson(domain::bulk(&state, &auth, body).await?))
}

/// GDPR/LGPD erase (owners/admins): removes the person's data for good; conversations keep an
/// anonymous reference.
#[utoipa::path(post, path = "/api/v1/contacts/{id}/erase", tag = "contacts",
    responses((status = 204), (status = 403, body = shared::ApiErrorBody),
        (status = 404, body = shared::ApiErrorBody)))]
pub async fn erase(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
) -> AppResult<StatusCode> {
    domain::erase(&state, &auth, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Import contacts from CSV (UTF-8 with or without BOM, `,` `;` or tab separated, header row
/// first; at most 64 MB). Lines are matched by phone: new numbers are created, known ones
/// updated (empty cells keep what is stored, tags are added). Bad lines are reported and skipped;
/// a file that cannot be read imports nothing.
#[utoipa::path(post, path = "/api/v1/contacts/import", tag = "contacts", params(ImportParams),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ImportSummary), (status = 400, body = shared::ApiErrorBody),
        (status = 413, body = shared::ApiErrorBody), (status = 415, body = shared::ApiErrorBody)))]
pub async fn import_csv(
    State(state): State<AppState>,
    auth: AuthUser,
    Query(params): Query<ImportParams>,
    headers: HeaderMap,
    body: Body,
) -> AppResult<AppJson<ImportSummary>> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
        .unwrap_or_default();
    // Browsers label .csv files differently per platform; all of these are the same text.
    if !matches!(
        content_type.as_str(),
        "text/csv" | "application/csv" | "text/plain" | "application/vnd.ms-excel"
    ) {
        return Err(AppError::new(
            ErrorCode::UnsupportedMediaType,
            "Send the file as Content-Type: text/csv.",
        ));
    }
    let summary = import::import(&state, &auth, params, body.into_data_stream()).await?;
    Ok(AppJson(summary))
}

/// The last 20 imports, newest first, with their counts and first rejected lines.
#[utoipa::path(get, path = "/api/v1/contacts/imports", tag = "contacts",
    responses((status = 200, body = Vec<ImportDto>)))]
pub async fn import_history(
    State(state): State<AppState>,
    auth: AuthUser,
) -> AppResult<AppJson<Vec<ImportDto>>> {
    Ok(AppJson(import::history(&state, &auth).await?))
}

/// The company's custom contact fields.
#[utoipa::path(get, path = "/api/v1/contact-fields", tag = "contacts",
    responses((status = 200, body = Vec<ContactFieldDto>)))]
pub async fn list_fields(
    State(state): State<AppState>,
    auth: AuthUser,
) -> AppResult<AppJson<Vec<ContactFieldDto>>> {
    Ok(AppJson(fields::list(&state, &auth).await?))
}

/// Define a custom field (owners/admins). Its values are then checked on every write.
#[utoipa::path(post, path = "/api/v1/contact-fields", tag = "contacts", request_body = CreateContactFieldRequest,
    responses((status = 201, body = ContactFieldDto), (status = 400, body = shared::ApiErrorBody),
        (status = 403, body = shared::ApiErrorBody), (status = 409, body = shared::ApiErrorBody)))]
pub async fn create_field(
    State(state): State<AppState>,
    auth: AuthUser,
    AppJson(body): AppJson<CreateContactFieldRequest>,
) -> AppResult<(StatusCode, AppJson<ContactFieldDto>)> {
    Ok((StatusCode::CREATED, AppJson(fields::create(&state, &auth, body).await?)))
}

/// Change a field's label or options (owners/admins); its key and type are fixed.
#[utoipa::path(patch, path = "/api/v1/contact-fields/{id}", tag = "contacts", request_body = UpdateContactFieldRequest,
    responses((status = 200, body = ContactFieldDto), (status = 400, body = shared::ApiErrorBody),
        (status = 404, body = shared::ApiErrorBody)))]
pub async fn update_field(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
    AppJson(body): AppJson<UpdateContactFieldRequest>,
) -> AppResult<AppJson<ContactFieldDto>> {
    Ok(AppJson(fields::update(&state, &auth, id, body).await?))
}

/// Remove a field definition (owners/admins); stored values stay as plain attributes.
#[utoipa::path(delete, path = "/api/v1/contact-fields/{id}", tag = "contacts",
    responses((status = 204), (status = 404, body = shared::ApiErrorBody)))]
pub async fn delete_field(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
) -> AppResult<StatusCode> {
    fields::delete(&state, &auth, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Tags in use, with how many contacts carry each.
#[utoipa::path(get, path = "/api/v1/contact-tags", tag = "contacts",
    responses((status = 200, body = Vec<TagCount>)))]
pub async fn list_tags(
    State(state): State<AppState>,
    auth: AuthUser,
) -> AppResult<AppJson<Vec<TagCount>>> {
    Ok(AppJson(tags::list(&state, &auth).await?))
}

/// Rename a tag on every contact, merging into an existing tag of that name (owners/admins).
#[utoipa::path(patch, path = "/api/v1/contact-tags/{tag}", tag = "contacts", request_body = RenameTagRequest,
    responses((status = 204), (status = 404, body = shared::ApiErrorBody)))]
pub async fn rename_tag(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(tag): Path<String>,
    AppJson(body): AppJson<RenameTagRequest>,
) -> AppResult<StatusCode> {
    tags::rename(&state, &auth, &tag, body).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Remove a tag from every contact (owners/admins).
#[utoipa::path(delete, path = "/api/v1/contact-tags/{tag}", tag = "contacts",
    responses((status = 204), (status = 404, body = shared::ApiErrorBody)))]
pub async fn delete_tag(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(tag): Path<String>,
) -> AppResult<StatusCode> {
    tags::delete(&state, &auth, &tag).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Saved segments with their live contact counts.
#[utoipa::path(get, path = "/api/v1/segments", tag = "segments",
    responses((status = 200, body = Vec<SegmentDto>)))]
pub async fn list_segments(
    State(state): State<AppState>,
    auth: AuthUser,
) -> AppResult<AppJson<Vec<SegmentDto>>> {
    Ok(AppJson(segments::list(&state, &auth).await?))
}

/// Save a filter as a segment (opted-out contacts are never part of one).
#[utoipa::path(post, path = "/api/v1/segments", tag = "segments", request_body = CreateSegmentRequest,
    responses((status = 201, body = SegmentDto), (status = 400, body = shared::ApiErrorBody),
        (status = 409, body = shared::ApiErrorBody)))]
pub async fn create_segment(
    State(state): State<AppState>,
    auth: AuthUser,
    AppJson(body): AppJson<CreateSegmentRequest>,
) -> AppResult<(StatusCode, AppJson<SegmentDto>)> {
    Ok((StatusCode::CREATED, AppJson(segments::create(&state, &auth, body).await?)))
}

/// The live count of a filter before saving it.
#[utoipa::path(post, path = "/api/v1/segments/preview", tag = "segments", request_body = SegmentFilter,
    responses((status = 200, body = CountResponse), (status = 400, body = shared::ApiErrorBody)))]
pub async fn preview_segment(
    State(state): State<AppState>,
    auth: AuthUser,
    AppJson(body): AppJson<SegmentFilter>,
) -> AppResult<AppJson<CountResponse>> {
    Ok(AppJson(CountResponse { count: segments::preview(&state, &auth, &body).await? }))
}

/// One segment with its live count.
#[utoipa::path(get, path = "/api/v1/segments/{id}", tag = "segments",
    responses((status = 200, body = SegmentDto), (status = 404, body = shared::ApiErrorBody)))]
pub async fn get_segment(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
) -> AppResult<AppJson<SegmentDto>> {
    Ok(AppJson(segments::get(&state, &auth, id).await?))
}

/// Rename a segment or change its filter.
#[utoipa::path(patch, path = "/api/v1/segments/{id}", tag = "segments", request_body = UpdateSegmentRequest,
    responses((status = 200, body = SegmentDto), (status = 400, body = shared::ApiErrorBody),
        (status = 404, body = shared::ApiErrorBody), (status = 409, body = shared::ApiErrorBody)))]
pub async fn update_segment(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
    AppJson(body): AppJson<UpdateSegmentRequest>,
) -> AppResult<AppJson<SegmentDto>> {
    Ok(AppJson(segments::update(&state, &auth, id, body).await?))
}

/// Delete a segment (its contacts stay).
#[utoipa::path(delete, path = "/api/v1/segments/{id}", tag = "segments",
    responses((status = 204), (status = 404, body = shared::ApiErrorBody)))]
pub async fn delete_segment(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
) -> AppResult<StatusCode> {
    segments::delete(&state, &auth, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
