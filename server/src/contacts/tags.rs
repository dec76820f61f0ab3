//! The tag manager: tags in use with their counts, renaming (merging) and removing a tag from
//! every contact at once.

use sea_orm::{
    sea_query::{Expr, ExprTrait, Query},
    ColumnTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use shared::{
    api::{RenameTagRequest, TagCount},
    ServerEvent,
};

use super::domain::normalise_tags;
use crate::{
    audit::{self, AuditEntry},
    auth::AuthUser,
    db::entities::{contact_tags, contacts},
    error::{AppError, AppResult},
    state::AppState,
};

#[derive(FromQueryResult)]
struct TagRow {
    tag: String,
    count: i64,
}

/// Tags on live contacts, by name, with how many contacts carry each.
pub async fn list(state: &AppState, auth: &AuthUser) -> AppResult<Vec<TagCount>> {
    let tenant = auth.tenant();
    let live = Query::select()
        .column(contacts::Column::Id)
        .from(contacts::Entity)
        .and_where(contacts::Column::CompanyId.eq(tenant.company_id()))
        .and_where(contacts::Column::DeletedAt.is_null())
        .to_owned();
    let rows = tenant
        .select::<contact_tags::Entity>()
        .select_only()
        .column(contact_tags::Column::Tag)
        .column_as(Expr::col(contact_tags::Column::ContactId).count(), "count")
        .filter(contact_tags::Column::ContactId.in_subquery(live))
        .group_by(contact_tags::Column::Tag)
        .order_by_asc(contact_tags::Column::Tag)
        .into_model::<TagRow>()
        .all(&state.db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| TagCount { tag: row.tag, count: u64::try_from(row.count).unwrap_or(0) })
        .collect())
}

fn one_tag(raw: &str, field: &str) -> AppResult<String> {
    normalise_tags(&[raw.to_owned()])
        .map_err(|e| e.with_field(field))?
        .pop()
        .ok_or_else(|| AppError::field(field, "Enter a tag name."))
}

/// Renames `from` to `to` on every contact; contacts that already had `to` keep one copy.
///
/// # Errors
/// 403 for agents, 404 when no contact has `from`, `validation_failed` for a bad new name.
pub async fn rename(
    state: &AppState,
    auth: &AuthUser,
    from: &str,
    req: RenameTagRequest,
) -> AppResult<()> {
    auth.require_admin()?;
    let tenant = auth.tenant();
    let from = one_tag(from, "tag")?;
    let to = one_tag(&req.name, "name")?;
    if from == to {
        return Ok(());
    }
    let txn = state.db.begin().await?;
    let already_tagged = Query::select()
        .column(contact_tags::Column::ContactId)
        .from(contact_tags::Entity)
        .and_where(contact_tags::Column::CompanyId.eq(tenant.company_id()))
        .and_where(contact_tags::Column::Tag.eq(to.clone()))
        .to_owned();
    // Contacts with both tags: drop the old one (the new one is there already)...
    let merged = tenant
        .delete_many::<contact_tags::Entity>()
        .filter(contact_tags::Column::Tag.eq(from.clone()))
        .filter(contact_tags::Column::ContactId.in_subquery(already_tagged))
        .exec(&txn)
        .await?
        .rows_affected;
    // ...and rename it on the others.
    let renamed = tenant
        .update_many::<contact_tags::Entity>()
        .col_expr(contact_tags::Column::Tag, Expr::value(to.clone()))
        .filter(contact_tags::Column::Tag.eq(from.clone()))
        .exec(&txn)
        .await?
        .rows_affected;
    if merged + renamed == 0 {
        return Err(AppError::not_found());
    }
    audit::record(
        &txn,
        tenant,
        AuditEntry::new(Some(auth.user_id), "tag.renamed")
            .meta(serde_json::json!({"from": from, "to": to})),
    )
    .await?;
    txn.commit().await?;
    publish(state, auth);
    Ok(())
}

/// Removes a tag from every contact.
///
/// # Errors
/// 403 for agents, 404 when no contact has it.
pub async fn delete(state: &AppState, auth: &AuthUser, tag: &str) -> AppResult<()> {
    auth.require_admin()?;
    let tenant = auth.tenant();
    let tag = one_tag(tag, "tag")?;
    let txn = state.db.begin().await?;
    let removed = tenant
        .delete_many::<contact_tags::Entity>()
        .filter(contact_tags::Column::Tag.eq(tag.clone()))
        .exec(&txn)
        .await?
        .rows_affected;
    if removed == 0 {
        return Err(AppError::not_found());
    }
    audit::record(
        &txn,
        tenant,
        AuditEntry::new(Some(auth.user_id), "tag.deleted")
            .meta(serde_json::json!({"tag": tag, "contacts": removed})),
    )
    .await?;
    txn.commit().await?;
    publish(state, auth);
    Ok(())
}

fn publish(state: &AppState, auth: &AuthUser) {
    state.events.publish(
        auth.company_id(),
        ServerEvent::ContactsChanged { by_user_id: Some(auth.user_id) },
    );
}
