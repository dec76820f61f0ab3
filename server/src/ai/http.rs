//! REST handlers for `/api/v1/personas` and `/api/v1/knowledge-bases`.

use axum::{
    body::Bytes,
    extract::{Path, Query, State},
    http::{header, HeaderMap, StatusCode},
};
use serde::Deserialize;
use shared::{
    ai::{
        AssistReply, AssistRequest, CreateDocumentRequest, CreateKnowledgeBaseRequest,
        CreatePersonaRequest, KnowledgeBaseDto, KnowledgeDocumentDetail, KnowledgeDocumentDto,
        KnowledgeSearchRequest, KnowledgeSource, PersonaChatReply, PersonaChatRequest, PersonaDto,
        UpdateDocumentRequest, UpdateKnowledgeBaseRequest, UpdatePersonaRequest,
    },
    ErrorCode,
};
use uuid::Uuid;

use super::{answer::Assist, assist, knowledge, personas};
use crate::{
    auth::AuthUser,
    error::{AppError, AppJson, AppResult},
    state::AppState,
};

/// The company's AI personas.
#[utoipa::path(get, path = "/api/v1/personas", tag = "ai",
    responses((status = 200, body = Vec<PersonaDto>)))]
pub async fn list_personas(
    State(state): State<AppState>,
    auth: AuthUser,
) -> AppResult<AppJson<Vec<PersonaDto>>> {
    Ok(AppJson(personas::list(&state, &auth).await?))
}

/// A new persona (owners and admins). The API key is stored sealed and never shown again.
#[utoipa::path(post, path = "/api/v1/personas", tag = "ai", request_body = CreatePersonaRequest,
    responses((status = 201, body = PersonaDto), (status = 400, body = shared::ApiErrorBody),
        (status = 403, body = shared::ApiErrorBody), (status = 409, body = shared::ApiErrorBody)))]
pub async fn create_persona(
    State(state): State<AppState>,
    auth: AuthUser,
    AppJson(body): AppJson<CreatePersonaRequest>,
) -> AppResult<(StatusCode, AppJson<PersonaDto>)> {
    Ok((StatusCode::CREATED, AppJson(personas::create(&state, &auth, body).await?)))
}

#[utoipa::path(get, path = "/api/v1/personas/{id}", tag = "ai",
    responses((status = 200, body = PersonaDto), (status = 404, body = shared::ApiErrorBody)))]
pub async fn get_persona(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
) -> AppResult<AppJson<PersonaDto>> {
    Ok(AppJson(personas::get(&state, &auth, id).await?))
}

/// Change a persona (owners and admins); `api_key: ""` removes the key.
#[utoipa::path(patch, path = "/api/v1/personas/{id}", tag = "ai", request_body = UpdatePersonaRequest,
    responses((status = 200, body = PersonaDto), (status = 400, body = shared::ApiErrorBody),
        (status = 403, body = shared::ApiErrorBody), (status = 404, body = shared::ApiErrorBody)))]
pub async fn update_persona(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
    AppJson(body): AppJson<UpdatePersonaRequest>,
) -> AppResult<AppJson<PersonaDto>> {
    Ok(AppJson(personas::update(&state, &auth, id, body).await?))
}

#[utoipa::path(delete, path = "/api/v1/personas/{id}", tag = "ai",
    responses((status = 204), (status = 403, body = shared::ApiErrorBody), (status = 404, body = shared::ApiErrorBody)))]
pub async fn delete_persona(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
) -> AppResult<StatusCode> {
    personas::delete(&state, &auth, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Talk to the persona as a customer would (the "test chat" panel); nothing is sent to anyone.
/// The answer lists the knowledge passages it was grounded in.
#[utoipa::path(post, path = "/api/v1/personas/{id}/chat", tag = "ai", request_body = PersonaChatRequest,
    responses((status = 200, body = PersonaChatReply), (status = 400, body = shared::ApiErrorBody),
        (status = 404, body = shared::ApiErrorBody), (status = 502, body = shared::ApiErrorBody)))]
pub async fn persona_chat(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
    AppJson(body): AppJson<PersonaChatRequest>,
) -> AppResult<AppJson<PersonaChatReply>> {
    Ok(AppJson(personas::test_chat(&state, &auth, id, body).await?))
}

/// Agent assist: a persona drafts the next reply to the customer (grounded in its knowledge;
/// nothing is sent).
#[utoipa::path(post, path = "/api/v1/conversations/{id}/assist/reply", tag = "ai", request_body = AssistRequest,
    responses((status = 200, body = AssistReply), (status = 400, body = shared::ApiErrorBody),
        (status = 404, body = shared::ApiErrorBody), (status = 409, body = shared::ApiErrorBody),
        (status = 502, body = shared::ApiErrorBody)))]
pub async fn suggest_reply(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
    AppJson(body): AppJson<AssistRequest>,
) -> AppResult<AppJson<AssistReply>> {
    Ok(AppJson(assist::assist(&state, &auth, id, body, Assist::SuggestReply).await?))
}

/// Agent assist: a persona summarises the conversation for a teammate taking it over.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/assist/summary", tag = "ai", request_body = AssistRequest,
    responses((status = 200, body = AssistReply), (status = 400, body = shared::ApiErrorBody),
        (status = 404, body = shared::ApiErrorBody), (status = 409, body = shared::ApiErrorBody),
        (status = 502, body = shared::ApiErrorBody)))]
pub async fn summarize(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
    AppJson(body): AppJson<AssistRequest>,
) -> AppResult<AppJson<AssistReply>> {
    Ok(AppJson(assist::assist(&state, &auth, id, body, Assist::Summarize).await?))
}

/// The company's knowledge bases with their document and passage counts.
#[utoipa::path(get, path = "/api/v1/knowledge-bases", tag = "ai",
    responses((status = 200, body = Vec<KnowledgeBaseDto>)))]
pub async fn list_bases(
    State(state): State<AppState>,
    auth: AuthUser,
) -> AppResult<AppJson<Vec<KnowledgeBaseDto>>> {
    Ok(AppJson(knowledge::list_bases(&state, &auth).await?))
}

/// A new knowledge base (owners and admins); without `embedding`, the server's default embedder.
#[utoipa::path(post, path = "/api/v1/knowledge-bases", tag = "ai", request_body = CreateKnowledgeBaseRequest,
    responses((status = 201, body = KnowledgeBaseDto), (status = 400, body = shared::ApiErrorBody),
        (status = 403, body = shared::ApiErrorBody), (status = 409, body = shared::ApiErrorBody)))]
pub async fn create_base(
    State(state): State<AppState>,
    auth: AuthUser,
    AppJson(body): AppJson<CreateKnowledgeBaseRequest>,
) -> AppResult<(StatusCode, AppJson<KnowledgeBaseDto>)> {
    Ok((StatusCode::CREATED, AppJson(knowledge::create_base(&state, &auth, body).await?)))
}

#[utoipa::path(get, path = "/api/v1/knowledge-bases/{id}", tag = "ai",
    responses((status = 200, body = KnowledgeBaseDto), (status = 404, body = shared::ApiErrorBody)))]
pub async fn get_base(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
) -> AppResult<AppJson<KnowledgeBaseDto>> {
    Ok(AppJson(knowledge::get_base(&state, &auth, id).await?))
}

/// Rename or re-describe a base; a new `embedding` re-indexes every document.
#[utoipa::path(patch, path = "/api/v1/knowledge-bases/{id}", tag = "ai", request_body = UpdateKnowledgeBaseRequest,
    responses((status = 200, body = KnowledgeBaseDto), (status = 400, body = shared::ApiErrorBody),
        (status = 403, body = shared::ApiErrorBody), (status = 404, body = shared::ApiErrorBody)))]
pub async fn update_base(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
    AppJson(body): AppJson<UpdateKnowledgeBaseRequest>,
) -> AppResult<AppJson<KnowledgeBaseDto>> {
    Ok(AppJson(knowledge::update_base(&state, &auth, id, body).await?))
}

/// Delete a base with its documents; personas using it go on without knowledge.
#[utoipa::path(delete, path = "/api/v1/knowledge-bases/{id}", tag = "ai",
    responses((status = 204), (status = 403, body = shared::ApiErrorBody), (status = 404, body = shared::ApiErrorBody)))]
pub async fn delete_base(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
) -> AppResult<StatusCode> {
    knowledge::delete_base(&state, &auth, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The base's documents with their indexing status.
#[utoipa::path(get, path = "/api/v1/knowledge-bases/{id}/documents", tag = "ai",
    responses((status = 200, body = Vec<KnowledgeDocumentDto>), (status = 404, body = shared::ApiErrorBody)))]
pub async fn list_documents(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
) -> AppResult<AppJson<Vec<KnowledgeDocumentDto>>> {
    Ok(AppJson(knowledge::list_documents(&state, &auth, id).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct UploadParams {
    /// The uploaded file's name (its extension tells text, Markdown and PDF apart).
    pub filename: Option<String>,
}

/// Add a document (owners and admins), indexed in the background (`knowledge.changed` events
/// report progress). Either JSON (`{title, text}` or `{title, faq: [{question, answer}]}`) or a
/// file as the raw body — `text/plain`, `text/markdown` or `application/pdf`, up to 20 MB —
/// with `?filename=`.
#[utoipa::path(post, path = "/api/v1/knowledge-bases/{id}/documents", tag = "ai", params(UploadParams),
    request_body(content = CreateDocumentRequest, description = "JSON, or the file's bytes"),
    responses((status = 201, body = KnowledgeDocumentDto), (status = 400, body = shared::ApiErrorBody),
        (status = 403, body = shared::ApiErrorBody), (status = 404, body = shared::ApiErrorBody),
        (status = 413, body = shared::ApiErrorBody), (status = 415, body = shared::ApiErrorBody)))]
pub async fn create_document(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
    Query(params): Query<UploadParams>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<(StatusCode, AppJson<KnowledgeDocumentDto>)> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    let is_json = content_type
        .and_then(|t| t.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"));
    let document = if is_json {
        let request: CreateDocumentRequest = serde_json::from_slice(&body).map_err(|err| {
            AppError::new(ErrorCode::InvalidJson, format!("The request body is not valid: {err}"))
        })?;
        knowledge::create_document(&state, &auth, id, request).await?
    } else {
        let filename = params.filename.unwrap_or_default();
        knowledge::upload_document(&state, &auth, id, &filename, content_type, body.to_vec())
            .await?
    };
    Ok((StatusCode::CREATED, AppJson(document)))
}

/// A document with its text (FAQ documents: their entries).
#[utoipa::path(get, path = "/api/v1/knowledge-bases/{id}/documents/{document_id}", tag = "ai",
    responses((status = 200, body = KnowledgeDocumentDetail), (status = 404, body = shared::ApiErrorBody)))]
pub async fn get_document(
    State(state): State<AppState>,
    auth: AuthUser,
    Path((id, document_id)): Path<(Uuid, Uuid)>,
) -> AppResult<AppJson<KnowledgeDocumentDetail>> {
    Ok(AppJson(knowledge::get_document(&state, &auth, id, document_id).await?))
}

/// Change a document's title or text; new text is indexed again.
#[utoipa::path(patch, path = "/api/v1/knowledge-bases/{id}/documents/{document_id}", tag = "ai",
    request_body = UpdateDocumentRequest,
    responses((status = 200, body = KnowledgeDocumentDto), (status = 400, body = shared::ApiErrorBody),
        (status = 403, body = shared::ApiErrorBody), (status = 404, body = shared::ApiErrorBody)))]
pub async fn update_document(
    State(state): State<AppState>,
    auth: AuthUser,
    Path((id, document_id)): Path<(Uuid, Uuid)>,
    AppJson(body): AppJson<UpdateDocumentRequest>,
) -> AppResult<AppJson<KnowledgeDocumentDto>> {
    Ok(AppJson(knowledge::update_document(&state, &auth, id, document_id, body).await?))
}

/// Index a document again (after a provider failure).
#[utoipa::path(post, path = "/api/v1/knowledge-bases/{id}/documents/{document_id}/reindex", tag = "ai",
    responses((status = 200, body = KnowledgeDocumentDto), (status = 403, body = shared::ApiErrorBody),
        (status = 404, body = shared::ApiErrorBody)))]
pub async fn reindex_document(
    State(state): State<AppState>,
    auth: AuthUser,
    Path((id, document_id)): Path<(Uuid, Uuid)>,
) -> AppResult<AppJson<KnowledgeDocumentDto>> {
    Ok(AppJson(knowledge::reindex_document(&state, &auth, id, document_id).await?))
}

#[utoipa::path(delete, path = "/api/v1/knowledge-bases/{id}/documents/{document_id}", tag = "ai",
    responses((status = 204), (status = 403, body = shared::ApiErrorBody), (status = 404, body = shared::ApiErrorBody)))]
pub async fn delete_document(
    State(state): State<AppState>,
    auth: AuthUser,
    Path((id, document_id)): Path<(Uuid, Uuid)>,
) -> AppResult<StatusCode> {
    knowledge::delete_document(&state, &auth, id, document_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The passages closest to a question, as a persona would be given them.
#[utoipa::path(post, path = "/api/v1/knowledge-bases/{id}/search", tag = "ai", request_body = KnowledgeSearchRequest,
    responses((status = 200, body = Vec<KnowledgeSource>), (status = 400, body = shared::ApiErrorBody),
        (status = 404, body = shared::ApiErrorBody), (status = 502, body = shared::ApiErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
    AppJson(body): AppJson<KnowledgeSearchRequest>,
) -> AppResult<AppJson<Vec<KnowledgeSource>>> {
    Ok(AppJson(knowledge::search(&state, &auth, id, body).await?))
}
