//! Segments: saved contact filters (tags any/all/none, attribute conditions) that campaigns use
//! as audiences. Opted-out and deleted contacts are never part of one. The count is computed on
//! read, so it is always the live number.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use shared::{
    api::{CreateSegmentRequest, SegmentDto, SegmentFilter, UpdateSegmentRequest},
    ErrorCode, ServerEvent,
};
use uuid::Uuid;

use super::{fields::FieldSet, filter};
use crate::{
    auth::AuthUser,
    db::{
        self,
        entities::{contacts, segments},
        Tenant,
    },
    error::{AppError, AppResult},
    state::AppState,
};

fn clean_name(raw: &str) -> AppResult<String> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 120 || name.chars().any(char::is_control) {
        return Err(AppError::field("name", "Give the segment a name of 1–120 characters."));
    }
    Ok(name.to_owned())
}

fn name_taken() -> AppError {
    AppError::new(ErrorCode::Conflict, "A segment with this name already exists.")
        .with_field("name")
}

/// How many contacts a segment filter holds right now.
///
/// # Errors
/// `validation_failed` naming the bad part of the filter.
pub async fn count_matching<C: ConnectionTrait>(
    conn: &C,
    tenant: Tenant,
    fields: &FieldSet,
    filter: &SegmentFilter,
) -> AppResult<u64> {
    let condition = filter::segment_condition(conn.get_database_backend(), tenant, fields, filter)?;
    Ok(tenant.select::<contacts::Entity>().filter(condition).count(conn).await?)
}

async fn to_dto<C: ConnectionTrait>(
    conn: &C,
    tenant: Tenant,
    fields: &FieldSet,
    row: segments::Model,
) -> AppResult<SegmentDto> {
    let filter: SegmentFilter = serde_json::from_value(row.filter).unwrap_or_default();
    // A saved filter can go stale (a field deleted later); show 0 rather than fail the list.
    let contact_count = count_matching(conn, tenant, fields, &filter).await.unwrap_or(0);
    Ok(SegmentDto {
        id: row.id,
        name: row.name,
        filter,
        contact_count,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// Every segment of the company with its live count, by name.
pub async fn list(state: &AppState, auth: &AuthUser) -> AppResult<Vec<SegmentDto>> {
    let tenant = auth.tenant();
    let fields = FieldSet::load(&state.db, tenant).await?;
    let rows = tenant
        .select::<segments::Entity>()
        .order_by_asc(segments::Column::Name)
        .all(&state.db)
        .await?;
    let mut segments = Vec::with_capacity(rows.len());
    for row in rows {
        segments.push(to_dto(&state.db, tenant, &fields, row).await?);
    }
    Ok(segments)
}

pub async fn get(state: &AppState, auth: &AuthUser, id: Uuid) -> AppResult<SegmentDto> {
    let tenant = auth.tenant();
    let row = tenant
        .select_by_id::<segments::Entity>(id)
        .one(&state.db)
        .await?
        .ok_or_else(AppError::not_found)?;
    let fields = FieldSet::load(&state.db, tenant).await?;
    to_dto(&state.db, tenant, &fields, row).await
}

/// The live count of an unsaved filter, for the segment builder.
pub async fn preview(state: &AppState, auth: &AuthUser, filter: &SegmentFilter) -> AppResult<u64> {
    let fields = FieldSet::load(&state.db, auth.tenant()).await?;
    count_matching(&state.db, auth.tenant(), &fields, filter).await
}

/// # Errors
/// `validation_failed` for the name or filter, 409 `conflict` for a name in use.
pub async fn create(
    state: &AppState,
    auth: &AuthUser,
    req: CreateSegmentRequest,
) -> AppResult<SegmentDto> {
    let tenant = auth.tenant();
    let name = clean_name(&req.name)?;
    let fields = FieldSet::load(&state.db, tenant).await?;
    // Validates the filter (and gives the count for the answer).
    count_matching(&state.db, tenant, &fields, &req.filter).await?;
    let now = db::now();
    let row = segments::ActiveModel {
        id: Set(Uuid::now_v7()),
        company_id: Set(tenant.company_id()),
        name: Set(name),
        filter: Set(serde_json::to_value(&req.filter).map_err(AppError::internal)?),
        created_by: Set(Some(auth.user_id)),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let inserted = match row.insert(&state.db).await {
        Err(err) if db::is_unique_violation(&err) => return Err(name_taken()),
        other => other?,
    };
    changed(state, auth);
    to_dto(&state.db, tenant, &fields, inserted).await
}

/// # Errors
/// 404, `validation_failed`, 409 `conflict`.
pub async fn update(
    state: &AppState,
    auth: &AuthUser,
    id: Uuid,
    req: UpdateSegmentRequest,
) -> AppResult<SegmentDto> {
    let tenant = auth.tenant();
    let current = tenant
        .select_by_id::<segments::Entity>(id)
        .one(&state.db)
        .await?
        .ok_or_else(AppError::not_found)?;
    let fields = FieldSet::load(&state.db, tenant).await?;
    let mut active: segments::ActiveModel = current.into();
    if let Some(name) = &req.name {
        active.name = Set(clean_name(name)?);
    }
    if let Some(filter) = &req.filter {
        count_matching(&state.db, tenant, &fields, filter).await?;
        active.filter = Set(serde_json::to_value(filter).map_err(AppError::internal)?);
    }
    active.updated_at = Set(db::now());
    let updated = match active.update(&state.db).await {
        Err(err) if db::is_unique_violation(&err) => return Err(name_taken()),
        other => other?,
    };
    changed(state, auth);
    to_dto(&state.db, tenant, &fields, updated).await
}

/// Deletes the saved filter; the contacts are untouched.
pub async fn delete(state: &AppState, auth: &AuthUser, id: Uuid) -> AppResult<()> {
    let result = auth
        .tenant()
        .delete_many::<segments::Entity>()
        .filter(segments::Column::Id.eq(id))
        .exec(&state.db)
        .await?;
    if result.rows_affected == 0 {
        return Err(AppError::not_found());
    }
    changed(state, auth);
    Ok(())
}

fn changed(state: &AppState, auth: &AuthUser) {
    state.events.publish(
        auth.company_id(),
        ServerEvent::ContactSettingsChanged { by_user_id: Some(auth.user_id) },
    );
}
