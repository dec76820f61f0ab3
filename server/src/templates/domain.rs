//! Templates: sync from Meta, list, create, the hourly sync job, and the check a template send
//! goes through.

use std::collections::HashSet;

use sea_orm::{
    sea_query::OnConflict, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder, Set, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use shared::{
    api::{CreateTemplateRequest, TemplateDto, TemplateSend, TemplateSyncResult},
    templates::{body_text, placeholder_count},
    ErrorCode, ServerEvent,
};
use uuid::Uuid;

use crate::{
    auth::AuthUser,
    channels::whatsapp_cloud::{webhook::string as text, GraphClient},
    connections::domain::{cloud_credentials, find_live},
    crypto::Keyring,
    db::{
        self,
        entities::{connections, message_templates},
        Tenant,
    },
    error::{AppError, AppResult},
    events::EventBus,
    jobs::{self, Job, JobError, JobFuture, JobHandler, NewJob},
    state::AppState,
};

pub const SYNC_TEMPLATES_JOB: &str = "templates.sync";

pub fn to_dto(row: &message_templates::Model) -> TemplateDto {
    TemplateDto {
        id: row.id,
        connection_id: row.connection_id,
        provider_id: row.provider_id.clone(),
        name: row.name.clone(),
        language: row.language.clone(),
        category: row.category.clone(),
        status: row.status.clone(),
        quality: row.quality.clone(),
        components: row.components.clone(),
        body_variables: body_text(&row.components).map_or(0, placeholder_count),
        rejected_reason: row.rejected_reason.clone(),
        updated_at: row.updated_at,
    }
}

/// The connection's templates, by name then language.
///
/// # Errors
/// 404 for a connection of another company.
pub async fn list(
    state: &AppState,
    auth: &AuthUser,
    connection_id: Uuid,
) -> AppResult<Vec<TemplateDto>> {
    let tenant = auth.tenant();
    find_live(&state.db, tenant, connection_id).await?;
    let rows = tenant
        .select::<message_templates::Entity>()
        .filter(message_templates::Column::ConnectionId.eq(connection_id))
        .order_by_asc(message_templates::Column::Name)
        .order_by_asc(message_templates::Column::Language)
        .all(&state.db)
        .await?;
    Ok(rows.iter().map(to_dto).collect())
}

/// Reads every template from Meta and mirrors them: new and changed ones upserted, ones Meta
/// no longer has removed.
///
/// # Errors
/// 404; 502 `provider_error` with Meta's answer in plain words (nothing changes here then).
#[tracing::instrument(skip_all, fields(company_id = %auth.company_id(), %connection_id))]
pub async fn sync(
    state: &AppState,
    auth: &AuthUser,
    connection_id: Uuid,
) -> AppResult<TemplateSyncResult> {
    let connection = find_live(&state.db, auth.tenant(), connection_id).await?;
    sync_connection(&state.db, &state.events, &state.graph, &state.keyring, &connection).await
}

/// The sync itself, shared by the endpoint and the hourly job.
///
/// # Errors
/// As [`sync`].
pub async fn sync_connection(
    db: &DatabaseConnection,
    events: &EventBus,
    graph: &GraphClient,
    keyring: &Keyring,
    connection: &connections::Model,
) -> AppResult<TemplateSyncResult> {
    let credentials = cloud_credentials(keyring, connection)?;
    let remote = graph
        .templates(&credentials)
        .await
        .map_err(|err| AppError::new(ErrorCode::ProviderError, err.plain_words()))?;
    let now = db::now();
    let txn = db.begin().await?;
    let mut seen = HashSet::new();
    let mut synced = 0;
    for template in &remote {
        let (Some(name), Some(language)) = (text(template, "name"), text(template, "language"))
        else {
            tracing::info!(?template, "template without name or language skipped");
            continue;
        };
        seen.insert((name.clone(), language.clone()));
        let row = message_templates::ActiveModel {
            id: Set(Uuid::now_v7()),
            company_id: Set(connection.company_id),
            connection_id: Set(connection.id),
            provider_id: Set(text(template, "id")),
            name: Set(name),
            language: Set(language),
            category: Set(text(template, "category").unwrap_or_else(|| "UTILITY".into())),
            status: Set(text(template, "status").unwrap_or_else(|| "PENDING".into())),
            quality: Set(template
                .get("quality_score")
                .and_then(|q| text(q, "score"))
                .or_else(|| text(template, "quality_rating"))),
            components: Set(template.get("components").cloned().unwrap_or_else(|| json!([]))),
            rejected_reason: Set(text(template, "rejected_reason").filter(|r| r != "NONE")),
            created_at: Set(now),
            updated_at: Set(now),
        };
        message_templates::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([
                    message_templates::Column::ConnectionId,
                    message_templates::Column::Name,
                    message_templates::Column::Language,
                ])
                .update_columns([
                    message_templates::Column::ProviderId,
                    message_templates::Column::Category,
                    message_templates::Column::Status,
                    message_templates::Column::Quality,
                    message_templates::Column::Components,
                    message_templates::Column::RejectedReason,
                    message_templates::Column::UpdatedAt,
                ])
                .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
        synced += 1;
    }
    let local = message_templates::Entity::find()
        .filter(message_templates::Column::ConnectionId.eq(connection.id))
        .all(&txn)
        .await?;
    let gone: Vec<Uuid> = local
        .iter()
        .filter(|row| !seen.contains(&(row.name.clone(), row.language.clone())))
        .map(|row| row.id)
        .collect();
    let removed = gone.len() as u64;
    if !gone.is_empty() {
        message_templates::Entity::delete_many()
            .filter(message_templates::Column::Id.is_in(gone))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    events.publish(
        connection.company_id,
        ServerEvent::TemplatesChanged { connection_id: connection.id },
    );
    tracing::info!(connection_id = %connection.id, synced, removed, "templates synced");
    Ok(TemplateSyncResult { synced, removed })
}

/// Submits a template to Meta for review and keeps it here as Meta answered (usually
/// `PENDING`; a webhook reports approval or rejection).
///
/// # Errors
/// 403 for agents, 404, `validation_failed` with the field, 409 when the name and language
/// exist here already, 502 `provider_error` with Meta's refusal.
#[tracing::instrument(skip_all, fields(company_id = %auth.company_id(), %connection_id))]
pub async fn create(
    state: &AppState,
    auth: &AuthUser,
    connection_id: Uuid,
    req: CreateTemplateRequest,
) -> AppResult<TemplateDto> {
    auth.require_admin()?;
    let tenant = auth.tenant();
    let connection = find_live(&state.db, tenant, connection_id).await?;
    let name = req.name.trim().to_owned();
    if name.is_empty()
        || name.len() > 512
        || !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(AppError::field(
            "name",
            "Use lower-case letters, digits and _ (e.g. order_update).",
        ));
    }
    let language = req.language.trim().to_owned();
    if language.is_empty() || language.len() > 16 {
        return Err(AppError::field("language", "Give a language code such as pt_BR or en_US."));
    }
    let category = req.category.trim().to_uppercase();
    if !matches!(category.as_str(), "MARKETING" | "UTILITY" | "AUTHENTICATION") {
        return Err(AppError::field(
            "category",
            "The category is MARKETING, UTILITY or AUTHENTICATION.",
        ));
    }
    let Some(components) = req.components.as_array().filter(|c| !c.is_empty()) else {
        return Err(AppError::field("components", "Give at least a BODY component."));
    };
    if body_text(&req.components).is_none_or(|b| b.trim().is_empty()) {
        return Err(AppError::field("components", "The template needs a BODY with text."));
    }
    let exists = tenant
        .select::<message_templates::Entity>()
        .filter(message_templates::Column::ConnectionId.eq(connection.id))
        .filter(message_templates::Column::Name.eq(name.as_str()))
        .filter(message_templates::Column::Language.eq(language.as_str()))
        .one(&state.db)
        .await?;
    if exists.is_some() {
        return Err(AppError::new(
            ErrorCode::Conflict,
            "A template with this name and language exists.",
        )
        .with_field("name"));
    }
    let credentials = cloud_credentials(&state.keyring, &connection)?;
    let body =
        json!({"name": name, "language": language, "category": category, "components": components});
    let answer = state
        .graph
        .create_template(&credentials, &body)
        .await
        .map_err(|err| AppError::new(ErrorCode::ProviderError, err.plain_words()))?;
    let now = db::now();
    let row = message_templates::ActiveModel {
        id: Set(Uuid::now_v7()),
        company_id: Set(tenant.company_id()),
        connection_id: Set(connection.id),
        provider_id: Set(text(&answer, "id")),
        name: Set(name),
        language: Set(language),
        category: Set(text(&answer, "category").unwrap_or(category)),
        status: Set(text(&answer, "status").unwrap_or_else(|| "PENDING".into())),
        quality: Set(None),
        components: Set(req.components),
        rejected_reason: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let inserted = message_templates::Entity::insert(row).exec_with_returning(&state.db).await?;
    state.events.publish(
        tenant.company_id(),
        ServerEvent::TemplatesChanged { connection_id: connection.id },
    );
    Ok(to_dto(&inserted))
}

/// Before a template message is queued: when the template is synced, it must be approved and
/// get as many body variables as it has placeholders. Unknown templates go to Meta as they
/// are (a sync may simply not have run yet); Meta's answer then decides.
///
/// # Errors
/// `validation_failed` on `template.name` or `template.body` with the reason.
pub async fn check_send<C: ConnectionTrait>(
    conn: &C,
    tenant: Tenant,
    connection_id: Uuid,
    send: &TemplateSend,
) -> AppResult<()> {
    let Some(template) = tenant
        .select::<message_templates::Entity>()
        .filter(message_templates::Column::ConnectionId.eq(connection_id))
        .filter(message_templates::Column::Name.eq(send.name.trim()))
        .filter(message_templates::Column::Language.eq(send.language.trim()))
        .one(conn)
        .await?
    else {
        return Ok(());
    };
    if template.status != "APPROVED" {
        return Err(AppError::field(
            "template.name",
            format!(
                "The template is {} at Meta; only approved templates can be sent.",
                template.status
            ),
        ));
    }
    let needed = body_text(&template.components).map_or(0, placeholder_count);
    if send.body.len() != needed {
        return Err(AppError::field(
            "template.body",
            format!("This template's body needs {needed} variable(s); {} given.", send.body.len()),
        ));
    }
    Ok(())
}

/// Enqueues a sync per live WhatsApp Cloud connection (at most one pending each).
///
/// # Errors
/// Database errors only.
pub async fn enqueue_scheduled_syncs(db: &DatabaseConnection) -> Result<usize, sea_orm::DbErr> {
    let live = connections::Entity::find()
        .filter(connections::Column::DeletedAt.is_null())
        .filter(connections::Column::Kind.eq("whatsapp_cloud"))
        .all(db)
        .await?;
    for connection in &live {
        let mut job =
            NewJob::new(SYNC_TEMPLATES_JOB, json!(SyncTemplates { connection_id: connection.id }))
                .for_company(connection.company_id);
        job.unique_key = Some(format!("templates.sync:{}", connection.id));
        job.max_attempts = 3;
        jobs::enqueue(db, job).await?;
    }
    Ok(live.len())
}

#[derive(Debug, Serialize, Deserialize)]
pub struct SyncTemplates {
    pub connection_id: Uuid,
}

/// Performs `templates.sync` jobs.
pub struct SyncTemplatesHandler {
    pub db: DatabaseConnection,
    pub events: EventBus,
    pub graph: GraphClient,
    pub keyring: std::sync::Arc<Keyring>,
}

impl JobHandler for SyncTemplatesHandler {
    fn kind(&self) -> &'static str {
        SYNC_TEMPLATES_JOB
    }

    fn perform(&self, job: Job) -> JobFuture {
        let db = self.db.clone();
        let events = self.events.clone();
        let graph = self.graph.clone();
        let keyring = self.keyring.clone();
        Box::pin(async move {
            let SyncTemplates { connection_id } =
                serde_json::from_value(job.payload).map_err(|e| {
                    JobError::Permanent(anyhow::anyhow!("bad templates.sync payload: {e}"))
                })?;
            let Some(connection) = connections::Entity::find_by_id(connection_id)
                .one(&db)
                .await?
                .filter(|c| c.deleted_at.is_none())
            else {
                return Ok(());
            };
            sync_connection(&db, &events, &graph, &keyring, &connection)
                .await
                .map(|_| ())
                .map_err(|err| JobError::Retry(anyhow::anyhow!("template sync failed: {err:?}")))
        })
    }
}
