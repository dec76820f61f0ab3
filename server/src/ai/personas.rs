//! AI personas: create, change, delete, and talk to one from the "test chat" panel.
//!
//! The API key is sealed with the server's keyring when saved and only its last characters are
//! ever shown again. Everyone in the company sees personas (agents work beside them); owners and
//! admins change them.

use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};
use shared::{
    ai::{
        AiProvider, CreatePersonaRequest, HandoffPolicy, PersonaChatReply, PersonaChatRequest,
        PersonaDto, UpdatePersonaRequest, WorkingWindow,
    },
    ErrorCode, ServerEvent,
};
use uuid::Uuid;

use super::{answer, provider::ProviderSettings, AiContext};
use crate::{
    auth::AuthUser,
    crypto::Keyring,
    db::{
        self,
        entities::{connections, conversations, knowledge_bases, personas},
        Tenant,
    },
    error::{AppError, AppResult},
    state::AppState,
    types::DisplayName,
};

const MAX_PROMPT_CHARS: usize = 20_000;
const MAX_TOKENS_LIMIT: u32 = 8_192;
const DEFAULT_MAX_TOKENS: u32 = 512;
const DEFAULT_TEMPERATURE: f32 = 0.3;

pub fn to_dto(row: &personas::Model) -> PersonaDto {
    PersonaDto {
        id: row.id,
        name: row.name.clone(),
        provider: AiProvider::parse(&row.provider).unwrap_or_default(),
        model: row.model.clone(),
        base_url: row.base_url.clone(),
        has_api_key: row.api_key.is_some(),
        api_key_hint: row.api_key_hint.clone(),
        system_prompt: row.system_prompt.clone(),
        temperature: row.temperature as f32,
        max_tokens: row.max_tokens.max(1) as u32,
        language: row.language.clone(),
        tone: row.tone.clone(),
        working_hours: row.working_hours.clone().and_then(|v| serde_json::from_value(v).ok()),
        handoff: serde_json::from_value(row.handoff.clone()).unwrap_or_default(),
        knowledge_base_id: row.knowledge_base_id,
        enabled: row.enabled,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

/// A provider's base URL as stored: required for OpenAI-compatible servers, an http(s) URL,
/// without a trailing slash. `None` means the provider's usual address.
///
/// # Errors
/// `validation_failed` on `base_url`.
pub fn base_url(provider: AiProvider, raw: Option<&str>) -> AppResult<Option<String>> {
    let url = raw.map(str::trim).filter(|u| !u.is_empty()).map(|u| u.trim_end_matches('/'));
    match url {
        None if provider == AiProvider::OpenaiCompatible => Err(AppError::field(
            "base_url",
            "An OpenAI-compatible server needs its address, e.g. http://10.0.0.5:8000/v1.",
        )),
        None => Ok(None),
        Some(url) => {
            let parsed = url::Url::parse(url).map_err(|_| {
                AppError::field("base_url", "Write the full address, e.g. http://10.0.0.5:8000/v1.")
            })?;
            if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
                return Err(AppError::field(
                    "base_url",
                    "The address must start with http:// or https://.",
                ));
            }
            Ok(Some(url.to_owned()))
        }
    }
}

fn model(provider: AiProvider, raw: &str) -> AppResult<String> {
    let model = match raw.trim() {
        "" => provider.default_chat_model(),
        model => model,
    };
    if model.is_empty() || model.len() > 120 || model.chars().any(char::is_whitespace) {
        return Err(AppError::field("model", "Name the model, e.g. gpt-4o-mini or llama3.1."));
    }
    Ok(model.to_owned())
}

fn temperature(raw: Option<f32>) -> AppResult<f64> {
    let value = raw.unwrap_or(DEFAULT_TEMPERATURE);
    if !(0.0..=2.0).contains(&value) {
        return Err(AppError::field("temperature", "Use a temperature from 0 to 2."));
    }
    // Two decimals, computed in f64 so 0.3 stays 0.3 (not 0.30000001 from the f32).
    Ok((f64::from(value) * 100.0).round() / 100.0)
}

fn max_tokens(raw: Option<u32>) -> AppResult<i32> {
    let value = raw.unwrap_or(DEFAULT_MAX_TOKENS);
    if !(16..=MAX_TOKENS_LIMIT).contains(&value) {
        return Err(AppError::field("max_tokens", "Use from 16 to 8,192 tokens per answer."));
    }
    Ok(value as i32)
}

fn system_prompt(raw: &str) -> AppResult<String> {
    let prompt = raw.trim();
    if prompt.chars().count() > MAX_PROMPT_CHARS {
        return Err(AppError::field("system_prompt", "Use at most 20,000 characters."));
    }
    Ok(prompt.to_owned())
}

fn language(raw: Option<&str>) -> AppResult<String> {
    let language = raw.map(str::trim).filter(|l| !l.is_empty()).unwrap_or("pt-BR");
    let valid = language.len() <= 16
        && language.split('-').all(|part| {
            (1..=8).contains(&part.len()) && part.chars().all(|c| c.is_ascii_alphanumeric())
        });
    if !valid {
        return Err(AppError::field("language", "Use a language tag such as pt-BR, es or en-US."));
    }
    Ok(language.to_owned())
}

fn tone(raw: Option<&str>) -> AppResult<Option<String>> {
    let tone = raw.map(str::trim).filter(|t| !t.is_empty());
    if tone.is_some_and(|t| t.chars().count() > 32) {
        return Err(AppError::field("tone", "Describe the tone in up to 32 characters."));
    }
    Ok(tone.map(str::to_owned))
}

fn working_hours(raw: Option<Vec<WorkingWindow>>) -> AppResult<Option<serde_json::Value>> {
    let Some(windows) = raw else { return Ok(None) };
    if windows.len() > 21 {
        return Err(AppError::field("working_hours", "Use at most 21 time windows."));
    }
    for (i, window) in windows.iter().enumerate() {
        if !window.is_valid() {
            return Err(AppError::field(
                "working_hours",
                format!(
                    "Window {}: days are 1 (Monday) to 7 (Sunday) and times HH:MM with the end after the start.",
                    i + 1
                ),
            ));
        }
    }
    Ok(Some(serde_json::to_value(windows).map_err(AppError::internal)?))
}

fn handoff(raw: Option<HandoffPolicy>) -> AppResult<serde_json::Value> {
    let mut policy = raw.unwrap_or_default();
    policy.keywords =
        policy.keywords.iter().map(|k| k.trim().to_owned()).filter(|k| !k.is_empty()).collect();
    policy.message = policy.message.trim().to_owned();
    if policy.keywords.len() > 50 || policy.keywords.iter().any(|k| k.chars().count() > 60) {
        return Err(AppError::field("handoff.keywords", "Use up to 50 keywords of 60 characters."));
    }
    if policy.max_turns.is_some_and(|n| !(1..=50).contains(&n)) {
        return Err(AppError::field("handoff.max_turns", "Use from 1 to 50 answers."));
    }
    if policy.message.is_empty() || policy.message.chars().count() > 1_000 {
        return Err(AppError::field(
            "handoff.message",
            "Write what the customer is told when a person takes over (up to 1,000 characters).",
        ));
    }
    serde_json::to_value(policy).map_err(AppError::internal)
}

/// The sealed key and its hint; `None` for no key.
fn sealed_key(state: &AppState, raw: Option<&str>) -> AppResult<Option<(String, String)>> {
    let Some(key) = raw.map(str::trim).filter(|k| !k.is_empty()) else { return Ok(None) };
    if key.len() > 400 || key.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(AppError::field(
            "api_key",
            "Paste the API key exactly as the provider gave it.",
        ));
    }
    let tail: String = key.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    let sealed = state.keyring.seal(key).map_err(AppError::internal)?;
    Ok(Some((sealed, format!("…{tail}"))))
}

async fn check_base<C: ConnectionTrait>(db: &C, tenant: Tenant, id: Option<Uuid>) -> AppResult<()> {
    if let Some(id) = id {
        tenant.select_by_id::<knowledge_bases::Entity>(id).one(db).await?.ok_or_else(|| {
            AppError::field("knowledge_base_id", "This knowledge base does not exist.")
        })?;
    }
    Ok(())
}

fn name_taken() -> AppError {
    AppError::new(ErrorCode::Conflict, "Another persona has this name.").with_field("name")
}

/// The company's personas, by name.
///
/// # Errors
/// Database errors.
pub async fn list(state: &AppState, auth: &AuthUser) -> AppResult<Vec<PersonaDto>> {
    let rows = auth
        .tenant()
        .select::<personas::Entity>()
        .order_by_asc(personas::Column::Name)
        .all(&state.db)
        .await?;
    Ok(rows.iter().map(to_dto).collect())
}

pub(crate) async fn find<C: ConnectionTrait>(
    db: &C,
    tenant: Tenant,
    id: Uuid,
) -> AppResult<personas::Model> {
    tenant.select_by_id::<personas::Entity>(id).one(db).await?.ok_or_else(AppError::not_found)
}

/// # Errors
/// 404 for another company's persona.
pub async fn get(state: &AppState, auth: &AuthUser, id: Uuid) -> AppResult<PersonaDto> {
    Ok(to_dto(&find(&state.db, auth.tenant(), id).await?))
}

/// # Errors
/// 403 for agents; `validation_failed` by field; 409 for a name in use.
pub async fn create(
    state: &AppState,
    auth: &AuthUser,
    req: CreatePersonaRequest,
) -> AppResult<PersonaDto> {
    auth.require_admin()?;
    let tenant = auth.tenant();
    let name = DisplayName::parse(&req.name, "name")?;
    let key = sealed_key(state, req.api_key.as_deref())?;
    if key.is_none() && req.provider.needs_api_key() {
        return Err(AppError::field(
            "api_key",
            format!("{} needs an API key.", req.provider.label()),
        ));
    }
    check_base(&state.db, tenant, req.knowledge_base_id).await?;
    let now = db::now();
    let (api_key, api_key_hint) = key.unzip();
    let row = personas::ActiveModel {
        id: Set(Uuid::now_v7()),
        company_id: Set(tenant.company_id()),
        name: Set(name.into_inner()),
        provider: Set(req.provider.as_str().to_owned()),
        model: Set(model(req.provider, &req.model)?),
        base_url: Set(base_url(req.provider, req.base_url.as_deref())?),
        api_key: Set(api_key),
        api_key_hint: Set(api_key_hint),
        system_prompt: Set(system_prompt(&req.system_prompt)?),
        temperature: Set(temperature(req.temperature)?),
        max_tokens: Set(max_tokens(req.max_tokens)?),
        language: Set(language(req.language.as_deref())?),
        tone: Set(tone(req.tone.as_deref())?),
        working_hours: Set(working_hours(req.working_hours)?),
        handoff: Set(handoff(req.handoff)?),
        knowledge_base_id: Set(req.knowledge_base_id),
        enabled: Set(req.enabled.unwrap_or(true)),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let row = match row.insert(&state.db).await {
        Ok(row) => row,
        Err(err) if db::is_unique_violation(&err) => return Err(name_taken()),
        Err(err) => return Err(err.into()),
    };
    changed(state, auth);
    Ok(to_dto(&row))
}

/// # Errors
/// 403 for agents; 404; `validation_failed` by field; 409 for a name in use.
pub async fn update(
    state: &AppState,
    auth: &AuthUser,
    id: Uuid,
    req: UpdatePersonaRequest,
) -> AppResult<PersonaDto> {
    auth.require_admin()?;
    let tenant = auth.tenant();
    let row = find(&state.db, tenant, id).await?;
    let provider =
        req.provider.unwrap_or_else(|| AiProvider::parse(&row.provider).unwrap_or_default());
    let provider_changed = provider.as_str() != row.provider;
    let mut active: personas::ActiveModel = row.clone().into();
    if let Some(name) = &req.name {
        active.name = Set(DisplayName::parse(name, "name")?.into_inner());
    }
    active.provider = Set(provider.as_str().to_owned());
    if req.model.is_some() || provider_changed {
        active.model = Set(model(provider, req.model.as_deref().unwrap_or(""))?);
    }
    if req.base_url.is_some() || provider_changed {
        let raw = req.base_url.as_deref().or(row.base_url.as_deref());
        active.base_url = Set(base_url(provider, raw)?);
    }
    let has_key = match req.api_key.as_deref() {
        Some(raw) => {
            let key = sealed_key(state, Some(raw))?;
            let has = key.is_some();
            let (sealed, hint) = key.unzip();
            active.api_key = Set(sealed);
            active.api_key_hint = Set(hint);
            has
        }
        None => row.api_key.is_some(),
    };
    if !has_key && provider.needs_api_key() {
        return Err(AppError::field("api_key", format!("{} needs an API key.", provider.label())));
    }
    if let Some(prompt) = &req.system_prompt {
        active.system_prompt = Set(system_prompt(prompt)?);
    }
    if req.temperature.is_some() {
        active.temperature = Set(temperature(req.temperature)?);
    }
    if req.max_tokens.is_some() {
        active.max_tokens = Set(max_tokens(req.max_tokens)?);
    }
    if let Some(language_tag) = &req.language {
        active.language = Set(language(Some(language_tag))?);
    }
    if let Some(new_tone) = &req.tone {
        active.tone = Set(tone(Some(new_tone))?);
    }
    if req.clear_working_hours {
        active.working_hours = Set(None);
    } else if req.working_hours.is_some() {
        active.working_hours = Set(working_hours(req.working_hours)?);
    }
    if req.handoff.is_some() {
        active.handoff = Set(handoff(req.handoff)?);
    }
    if req.clear_knowledge_base {
        active.knowledge_base_id = Set(None);
    } else if req.knowledge_base_id.is_some() {
        check_base(&state.db, tenant, req.knowledge_base_id).await?;
        active.knowledge_base_id = Set(req.knowledge_base_id);
    }
    if let Some(enabled) = req.enabled {
        active.enabled = Set(enabled);
    }
    active.updated_at = Set(db::now());
    let row = match active.update(&state.db).await {
        Ok(row) => row,
        Err(err) if db::is_unique_violation(&err) => return Err(name_taken()),
        Err(err) => return Err(err.into()),
    };
    changed(state, auth);
    Ok(to_dto(&row))
}

/// # Errors
/// 403 for agents; 404.
pub async fn delete(state: &AppState, auth: &AuthUser, id: Uuid) -> AppResult<()> {
    auth.require_admin()?;
    let tenant = auth.tenant();
    let txn = state.db.begin().await?;
    let persona = find(&txn, tenant, id).await?;
    // Its numbers go back to people, and so do the conversations it was answering.
    let numbers_freed = tenant
        .update_many::<connections::Entity>()
        .col_expr(connections::Column::DefaultPersonaId, Expr::value(Option::<Uuid>::None))
        .filter(connections::Column::DefaultPersonaId.eq(id))
        .exec(&txn)
        .await?
        .rows_affected;
    let owned = tenant
        .select::<conversations::Entity>()
        .filter(conversations::Column::PersonaId.eq(id))
        .all(&txn)
        .await?;
    let mut events = Vec::new();
    let reason = format!("the persona {} was deleted.", persona.name);
    for conversation in &owned {
        super::autoreply::hand_to_people(
            &txn,
            &state.events,
            conversation,
            &persona.name,
            &reason,
            &mut events,
        )
        .await?;
        let view = crate::inbox::domain::conversation_view(&txn, tenant, conversation.id).await?;
        events.push(ServerEvent::ConversationUpdated { conversation: Box::new(view) });
    }
    tenant.delete_many::<personas::Entity>().filter(personas::Column::Id.eq(id)).exec(&txn).await?;
    txn.commit().await?;
    for event in events {
        state.events.publish(tenant.company_id(), event);
    }
    if numbers_freed > 0 {
        state.events.publish(
            tenant.company_id(),
            ServerEvent::ConnectionsChanged { by_user_id: Some(auth.user_id) },
        );
    }
    changed(state, auth);
    Ok(())
}

/// The provider settings of a persona, key opened.
///
/// # Errors
/// 409 when the sealed key cannot be opened (the server's keys changed).
pub fn provider_settings(ai: &AiContext, row: &personas::Model) -> AppResult<ProviderSettings> {
    let api_key = open_key(&ai.keyring, row.api_key.as_deref(), "persona")?;
    Ok(ProviderSettings {
        kind: AiProvider::parse(&row.provider).unwrap_or_default(),
        base_url: row.base_url.clone(),
        api_key,
        timeout: ai.timeout,
    })
}

/// A sealed provider key opened for a call (`None` when there is none). `owner` names whose key
/// it is in the error ("persona", "knowledge base").
///
/// # Errors
/// 409 when it cannot be opened (the server's keys changed): it must be saved again.
pub(super) fn open_key(
    keyring: &Keyring,
    sealed: Option<&str>,
    owner: &str,
) -> AppResult<Option<String>> {
    sealed.map(|sealed| keyring.open(sealed).map(|k| k.expose().clone())).transpose().map_err(
        |_| {
            AppError::new(
                ErrorCode::Conflict,
                format!("The {owner}'s API key cannot be read; save it again."),
            )
        },
    )
}

/// The "test chat" panel: the persona answers `messages` as it would a customer, with its
/// knowledge base, without sending anything to anyone. Everyone in the company may try it.
///
/// # Errors
/// 404; `validation_failed` (no messages, the last not the customer's, too long);
/// `provider_error` (502) with the provider's reason.
pub async fn test_chat(
    state: &AppState,
    auth: &AuthUser,
    id: Uuid,
    req: PersonaChatRequest,
) -> AppResult<PersonaChatReply> {
    let row = find(&state.db, auth.tenant(), id).await?;
    answer::check_history(&req.messages)?;
    let answer = answer::answer(&AiContext::of(state), auth.tenant(), &row, &req.messages).await?;
    Ok(PersonaChatReply {
        reply: answer.reply,
        sources: answer.sources,
        truncated: answer.truncated,
        handoff: answer.handoff.map(|h| h.reason()),
    })
}

fn changed(state: &AppState, auth: &AuthUser) {
    state.events.publish(
        auth.company_id(),
        ServerEvent::PersonasChanged { by_user_id: Some(auth.user_id) },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_checked_with_clear_reasons() {
        assert!(base_url(AiProvider::OpenaiCompatible, None).is_err());
        assert_eq!(
            base_url(AiProvider::Ollama, Some(" http://10.0.0.5:11434/v1/ ")).unwrap().as_deref(),
            Some("http://10.0.0.5:11434/v1")
        );
        assert!(base_url(AiProvider::Openai, Some("ftp://x")).is_err());
        assert_eq!(model(AiProvider::Openai, " ").unwrap(), "gpt-4o-mini");
        assert!(model(AiProvider::OpenaiCompatible, "").is_err());
        assert!(temperature(Some(2.5)).is_err());
        assert_eq!(temperature(None).unwrap(), 0.3);
        assert!(max_tokens(Some(0)).is_err());
        assert_eq!(language(Some("pt-BR")).unwrap(), "pt-BR");
        assert!(language(Some("português")).is_err());
        let bad_window =
            WorkingWindow { days: vec![8], start: "08:00".into(), end: "18:00".into() };
        assert!(working_hours(Some(vec![bad_window])).is_err());
        let backwards = WorkingWindow { days: vec![1], start: "18:00".into(), end: "08:00".into() };
        assert!(working_hours(Some(vec![backwards])).is_err());
        let policy = HandoffPolicy { message: " ".into(), ..HandoffPolicy::default() };
        assert!(handoff(Some(policy)).is_err());
    }
}
