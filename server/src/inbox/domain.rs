//! What agents read: conversation lists and message threads, as DTOs.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{
    sea_query::{Expr, ExprTrait, Func, Query},
    ColumnTrait, Condition, ConnectionTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::Deserialize;
use shared::api::{ContactSummary, ConversationDto, MessageDto, Page};
use uuid::Uuid;

use crate::{
    auth::AuthUser,
    contacts::filter::like,
    db::{
        entities::{contacts, conversation_labels, conversations, messages},
        Tenant,
    },
    error::{AppError, AppResult},
    pagination::TimeCursor,
    state::AppState,
};

/// WhatsApp's customer-service window: free-form messages until 24 hours after the customer's
/// last message.
pub const SERVICE_WINDOW: TimeDelta = TimeDelta::hours(24);

pub fn window_closes_at(conversation: &conversations::Model) -> Option<DateTime<Utc>> {
    conversation.last_inbound_at.map(|at| at + SERVICE_WINDOW)
}

pub fn message_dto(row: &messages::Model) -> MessageDto {
    let error = match (&row.error_message, row.error_code) {
        (Some(message), Some(code)) => Some(format!("{message} [code {code}]")),
        (Some(message), None) => Some(message.clone()),
        (None, Some(code)) => Some(format!("Failed with code {code}")),
        (None, None) => None,
    };
    MessageDto {
        id: row.id,
        conversation_id: row.conversation_id,
        direction: row.direction.clone(),
        kind: row.kind.clone(),
        text: row.text.clone(),
        media_url: row
            .payload
            .get("stored")
            .is_some()
            .then(|| format!("/api/v1/messages/{}/media", row.id)),
        status: row.status.clone(),
        error,
        error_code: row.error_code,
        sent_by_user_id: row.sent_by_user_id,
        payload: row.payload.clone(),
        provider_message_id: row.provider_message_id.clone(),
        reply_to_provider_id: row.reply_to_provider_id.clone(),
        created_at: row.created_at,
        edited_at: row.edited_at,
        revoked_at: row.revoked_at,
        // Only our own outbound rows carry it (inbound payloads are the provider's).
        ai: (row.direction == "out")
            .then(|| row.payload.get("ai"))
            .flatten()
            .and_then(|ai| serde_json::from_value(ai.clone()).ok()),
    }
}

pub fn conversation_dto(
    row: &conversations::Model,
    contact: &contacts::Model,
    labels: Vec<String>,
) -> ConversationDto {
    ConversationDto {
        id: row.id,
        contact: ContactSummary {
            id: contact.id,
            phone: contact.phone.clone(),
            name: contact.name.clone(),
            opted_out: contact.opted_out,
        },
        connection_id: row.connection_id,
        status: row.status.clone(),
        assignee_id: row.assignee_id,
        labels,
        last_message_at: row.last_message_at,
        window_closes_at: window_closes_at(row),
        unread_count: row.unread_count,
        last_message_preview: row.last_message_preview.clone(),
        snoozed_until: row.snoozed_until,
        campaign_id: row.campaign_id,
        persona_id: row.persona_id,
    }
}

/// A conversation's labels, alphabetically.
pub async fn labels_of<C: ConnectionTrait>(
    conn: &C,
    tenant: Tenant,
    conversation_id: Uuid,
) -> AppResult<Vec<String>> {
    Ok(tenant
        .select::<conversation_labels::Entity>()
        .filter(conversation_labels::Column::ConversationId.eq(conversation_id))
        .order_by_asc(conversation_labels::Column::Label)
        .all(conn)
        .await?
        .into_iter()
        .map(|row| row.label)
        .collect())
}

/// The labels of several conversations at once (for a list page).
async fn labels_by_conversation<C: ConnectionTrait>(
    conn: &C,
    tenant: Tenant,
    ids: Vec<Uuid>,
) -> AppResult<HashMap<Uuid, Vec<String>>> {
    let mut out: HashMap<Uuid, Vec<String>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let rows = tenant
        .select::<conversation_labels::Entity>()
        .filter(conversation_labels::Column::ConversationId.is_in(ids))
        .order_by_asc(conversation_labels::Column::Label)
        .all(conn)
        .await?;
    for row in rows {
        out.entry(row.conversation_id).or_default().push(row.label);
    }
    Ok(out)
}

/// `GET /api/v1/conversations` filters.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct ConversationFilter {
    /// `open`, `pending`, `resolved` or `snoozed`.
    pub status: Option<String>,
    /// `me`, `unassigned` (the team's queue: nobody has it and no AI persona answers it),
    /// `ai` (an AI persona answers it) or a user id.
    pub assignee: Option<String>,
    pub connection_id: Option<Uuid>,
    /// One customer's conversations (on every number).
    pub contact_id: Option<Uuid>,
    /// Only conversations with this label.
    pub label: Option<String>,
    /// Words in the customer's name, phone or email, or in a message of the conversation.
    pub q: Option<String>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// Conversations, most recent activity first.
///
/// # Errors
/// `validation_failed` for an unknown status or assignee, `bad_request` for a bad cursor.
pub async fn list_conversations(
    state: &AppState,
    auth: &AuthUser,
    filter: &ConversationFilter,
) -> AppResult<Page<ConversationDto>> {
    let tenant = auth.tenant();
    let limit = filter.limit.unwrap_or(50).clamp(1, 200);
    let mut query = tenant.select::<conversations::Entity>();
    if let Some(status) = filter.status.as_deref().filter(|s| !s.is_empty()) {
        if !matches!(status, "open" | "pending" | "resolved" | "snoozed") {
            return Err(AppError::field("status", "Status is open, pending, resolved or snoozed."));
        }
        query = query.filter(conversations::Column::Status.eq(status));
    }
    match filter.assignee.as_deref().filter(|s| !s.is_empty()) {
        None => {}
        Some("me") => query = query.filter(conversations::Column::AssigneeId.eq(auth.user_id)),
        // The people's queue: nobody has it and no AI persona is answering it.
        Some("unassigned") => {
            query = query
                .filter(conversations::Column::AssigneeId.is_null())
                .filter(conversations::Column::PersonaId.is_null())
        }
        Some("ai") => query = query.filter(conversations::Column::PersonaId.is_not_null()),
        Some(other) => {
            let id: Uuid = other.parse().map_err(|_| {
                AppError::field("assignee", "Assignee is me, unassigned, ai or a user id.")
            })?;
            query = query.filter(conversations::Column::AssigneeId.eq(id));
        }
    }
    if let Some(connection_id) = filter.connection_id {
        query = query.filter(conversations::Column::ConnectionId.eq(connection_id));
    }
    if let Some(contact_id) = filter.contact_id {
        query = query.filter(conversations::Column::ContactId.eq(contact_id));
    }
    if let Some(label) = filter.label.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
        query = query.filter(
            conversations::Column::Id.in_subquery(
                Query::select()
                    .column(conversation_labels::Column::ConversationId)
                    .from(conversation_labels::Entity)
                    .and_where(conversation_labels::Column::CompanyId.eq(tenant.company_id()))
                    .and_where(conversation_labels::Column::Label.eq(label))
                    .to_owned(),
            ),
        );
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        query = query.filter(search(tenant, q));
    }
    if let Some(raw) = filter.cursor.as_deref().filter(|c| !c.is_empty()) {
        let cursor = TimeCursor::decode(raw)?;
        query = query.filter(
            sea_orm::Condition::any().add(conversations::Column::LastMessageAt.lt(cursor.at)).add(
                sea_orm::Condition::all()
                    .add(conversations::Column::LastMessageAt.eq(cursor.at))
                    .add(conversations::Column::Id.lt(cursor.id)),
            ),
        );
    }
    let rows = query
        .order_by_desc(conversations::Column::LastMessageAt)
        .order_by_desc(conversations::Column::Id)
        .limit(limit + 1)
        .all(&state.db)
        .await?;
    let has_more = rows.len() as u64 > limit;
    let rows: Vec<_> = rows.into_iter().take(limit as usize).collect();
    let contacts = contacts_by_id(&state.db, tenant, rows.iter().map(|r| r.contact_id)).await?;
    let mut labels =
        labels_by_conversation(&state.db, tenant, rows.iter().map(|r| r.id).collect()).await?;
    let next_cursor = has_more
        .then(|| rows.last().map(|r| TimeCursor { at: r.last_message_at, id: r.id }.encode()))
        .flatten();
    let items = rows
        .iter()
        .filter_map(|row| {
            let labels = labels.remove(&row.id).unwrap_or_default();
            contacts.get(&row.contact_id).map(|c| conversation_dto(row, c, labels))
        })
        .collect();
    Ok(Page { items, next_cursor })
}

pub async fn get_conversation(
    state: &AppState,
    auth: &AuthUser,
    id: Uuid,
) -> AppResult<ConversationDto> {
    conversation_view(&state.db, auth.tenant(), id).await
}

/// One conversation as the API shows it (with its customer and labels); inside a transaction,
/// as that transaction changed it.
///
/// # Errors
/// 404 for a conversation of another company.
pub async fn conversation_view<C: ConnectionTrait>(
    conn: &C,
    tenant: Tenant,
    id: Uuid,
) -> AppResult<ConversationDto> {
    let row = tenant
        .select_by_id::<conversations::Entity>(id)
        .one(conn)
        .await?
        .ok_or_else(AppError::not_found)?;
    let contact = tenant
        .select_by_id::<contacts::Entity>(row.contact_id)
        .one(conn)
        .await?
        .ok_or_else(AppError::not_found)?;
    let labels = labels_of(conn, tenant, id).await?;
    Ok(conversation_dto(&row, &contact, labels))
}

/// Conversations whose customer (name, phone, email) or any message text contains `q`,
/// case-insensitively. `search_text` is already lower-case; message text is lowered here.
fn search(tenant: Tenant, q: &str) -> Condition {
    let needle = q.to_lowercase();
    let by_contact = Query::select()
        .column(contacts::Column::Id)
        .from(contacts::Entity)
        .and_where(contacts::Column::CompanyId.eq(tenant.company_id()))
        .and_where(Expr::col(contacts::Column::SearchText).like(like(&needle)))
        .to_owned();
    let by_message = Query::select()
        .column(messages::Column::ConversationId)
        .from(messages::Entity)
        .and_where(messages::Column::CompanyId.eq(tenant.company_id()))
        .and_where(Func::lower(Expr::col(messages::Column::Text)).like(like(&needle)))
        .to_owned();
    Condition::any()
        .add(conversations::Column::ContactId.in_subquery(by_contact))
        .add(conversations::Column::Id.in_subquery(by_message))
}

/// `GET /api/v1/conversations/{id}/messages` paging: newest page first; `cursor` goes back.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct MessagePage {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// A page of a thread, oldest first within the page; `next_cursor` reaches older messages.
///
/// # Errors
/// 404 for a conversation of another company, `bad_request` for a bad cursor.
pub async fn list_messages(
    state: &AppState,
    auth: &AuthUser,
    conversation_id: Uuid,
    page: &MessagePage,
) -> AppResult<Page<MessageDto>> {
    let tenant = auth.tenant();
    tenant
        .select_by_id::<conversations::Entity>(conversation_id)
        .one(&state.db)
        .await?
        .ok_or_else(AppError::not_found)?;
    let limit = page.limit.unwrap_or(50).clamp(1, 200);
    let mut query = tenant
        .select::<messages::Entity>()
        .filter(messages::Column::ConversationId.eq(conversation_id));
    if let Some(raw) = page.cursor.as_deref().filter(|c| !c.is_empty()) {
        let cursor = TimeCursor::decode(raw)?;
        query = query.filter(
            sea_orm::Condition::any().add(messages::Column::CreatedAt.lt(cursor.at)).add(
                sea_orm::Condition::all()
                    .add(messages::Column::CreatedAt.eq(cursor.at))
                    .add(messages::Column::Id.lt(cursor.id)),
            ),
        );
    }
    let mut rows = query
        .order_by_desc(messages::Column::CreatedAt)
        .order_by_desc(messages::Column::Id)
        .limit(limit + 1)
        .all(&state.db)
        .await?;
    let has_more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = has_more
        .then(|| rows.last().map(|r| TimeCursor { at: r.created_at, id: r.id }.encode()))
        .flatten();
    rows.reverse();
    Ok(Page { items: rows.iter().map(message_dto).collect(), next_cursor })
}

async fn contacts_by_id<C: ConnectionTrait>(
    conn: &C,
    tenant: Tenant,
    ids: impl Iterator<Item = Uuid>,
) -> AppResult<HashMap<Uuid, contacts::Model>> {
    let ids: Vec<Uuid> = ids.collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(tenant
        .select::<contacts::Entity>()
        .filter(contacts::Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect())
}
