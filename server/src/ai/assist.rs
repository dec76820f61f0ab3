//! Agent assist: a persona drafts the next reply for a teammate (grounded in its knowledge
//! base, like its own answers) or summarises the conversation for whoever picks it up. Nothing
//! is sent or stored: the draft lands in the composer, the summary beside the thread.

use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
use shared::{
    ai::{AssistReply, AssistRequest},
    ErrorCode,
};
use uuid::Uuid;

use super::{
    answer::{self, Assist},
    autoreply::Thread,
    AiContext,
};
use crate::{
    auth::AuthUser,
    db::entities::{connections, conversations, personas},
    error::{AppError, AppResult},
    state::AppState,
};

/// # Errors
/// 404 for another company's conversation; `validation_failed` on `persona_id`; 409
/// `invalid_state` when the company has no active persona or the conversation has no messages;
/// 502 `provider_error` with the reason.
#[tracing::instrument(skip_all, fields(company_id = %auth.company_id(), %conversation_id))]
pub async fn assist(
    state: &AppState,
    auth: &AuthUser,
    conversation_id: Uuid,
    req: AssistRequest,
    task: Assist,
) -> AppResult<AssistReply> {
    let tenant = auth.tenant();
    let conversation = tenant
        .select_by_id::<conversations::Entity>(conversation_id)
        .one(&state.db)
        .await?
        .ok_or_else(AppError::not_found)?;
    let persona = helper(state, auth, &conversation, req.persona_id).await?;
    let thread = Thread::read(&state.db, &conversation).await?;
    if thread.turns.is_empty() {
        return Err(AppError::new(
            ErrorCode::InvalidState,
            "There is nothing in this conversation to work from yet.",
        ));
    }
    let answer =
        answer::assist(&AiContext::of(state), tenant, &persona, &thread.turns, task).await?;
    Ok(AssistReply {
        text: answer.reply,
        sources: answer.sources,
        persona_id: persona.id,
        persona_name: persona.name,
        truncated: answer.truncated,
    })
}

/// The persona asked for, else the one answering the conversation, else its number's default,
/// else the company's first active persona by name.
async fn helper(
    state: &AppState,
    auth: &AuthUser,
    conversation: &conversations::Model,
    asked: Option<Uuid>,
) -> AppResult<personas::Model> {
    let tenant = auth.tenant();
    let active = |id: Uuid| {
        tenant
            .select_by_id::<personas::Entity>(id)
            .filter(personas::Column::Enabled.eq(true))
            .one(&state.db)
    };
    if let Some(id) = asked {
        return active(id).await?.ok_or_else(|| {
            AppError::field("persona_id", "Choose one of your company's active personas.")
        });
    }
    let default_of_number = tenant
        .select_by_id::<connections::Entity>(conversation.connection_id)
        .one(&state.db)
        .await?
        .and_then(|c| c.default_persona_id);
    for id in [conversation.persona_id, default_of_number].into_iter().flatten() {
        if let Some(persona) = active(id).await? {
            return Ok(persona);
        }
    }
    tenant
        .select::<personas::Entity>()
        .filter(personas::Column::Enabled.eq(true))
        .order_by_asc(personas::Column::Name)
        .one(&state.db)
        .await?
        .ok_or_else(|| {
            AppError::new(
                ErrorCode::InvalidState,
                "Create an AI persona first (AI → Personas) to get suggestions and summaries.",
            )
        })
}
