//! Canned replies: the team's saved answers, typed as `/shortcut` in the composer. Everyone reads
//! and uses them; owners and admins curate them.

use sea_orm::{sea_query::Expr, ActiveModelTrait, ColumnTrait, QueryFilter, QueryOrder, Set};
use shared::api::{CannedReplyDto, CannedReplyRequest};
use uuid::Uuid;

use crate::{
    auth::AuthUser,
    db::{self, entities::canned_replies},
    error::{AppError, AppResult},
    state::AppState,
};
use shared::ErrorCode;

const MAX_SHORTCUT: usize = 32;
const MAX_BODY: usize = 4096;

fn to_dto(row: &canned_replies::Model) -> CannedReplyDto {
    CannedReplyDto {
        id: row.id,
        shortcut: row.shortcut.clone(),
        body: row.body.clone(),
        updated_at: row.updated_at,
    }
}

/// A shortcut as stored: without a leading `/`, lower-case letters, digits, `-` and `_`.
fn shortcut(raw: &str) -> AppResult<String> {
    let shortcut = raw.trim().trim_start_matches('/').to_lowercase();
    let valid = !shortcut.is_empty()
        && shortcut.len() <= MAX_SHORTCUT
        && shortcut
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if valid {
        Ok(shortcut)
    } else {
        Err(AppError::field(
            "shortcut",
            "A shortcut has up to 32 lower-case letters, digits, - or _ (e.g. hours).",
        ))
    }
}

fn body(raw: &str) -> AppResult<String> {
    let body = raw.trim();
    if body.is_empty() || body.chars().count() > MAX_BODY {
        return Err(AppError::field("body", "Write the reply (up to 4,096 characters)."));
    }
    Ok(body.to_owned())
}

fn shortcut_taken() -> AppError {
    AppError::new(ErrorCode::Conflict, "Another canned reply uses this shortcut.")
        .with_field("shortcut")
}

/// Every canned reply of the company, by shortcut; `q` narrows to shortcuts starting with it.
///
/// # Errors
/// Database errors.
pub async fn list(
    state: &AppState,
    auth: &AuthUser,
    q: Option<&str>,
) -> AppResult<Vec<CannedReplyDto>> {
    let mut query = auth.tenant().select::<canned_replies::Entity>();
    if let Some(prefix) = q.map(|q| q.trim().trim_start_matches('/').to_lowercase()) {
        if !prefix.is_empty() {
            query = query.filter(canned_replies::Column::Shortcut.starts_with(prefix.as_str()));
        }
    }
    let rows = query.order_by_asc(canned_replies::Column::Shortcut).all(&state.db).await?;
    Ok(rows.iter().map(to_dto).collect())
}

/// # Errors
/// 403 for agents; `validation_failed`; 409 when the shortcut is taken.
pub async fn create(
    state: &AppState,
    auth: &AuthUser,
    req: CannedReplyRequest,
) -> AppResult<CannedReplyDto> {
    auth.require_admin()?;
    let (shortcut, body) = (shortcut(&req.shortcut)?, body(&req.body)?);
    let now = db::now();
    let row = canned_replies::ActiveModel {
        id: Set(Uuid::now_v7()),
        company_id: Set(auth.company_id()),
        shortcut: Set(shortcut),
        body: Set(body),
        created_by: Set(Some(auth.user_id)),
        created_at: Set(now),
        updated_at: Set(now),
    };
    match row.insert(&state.db).await {
        Ok(row) => Ok(to_dto(&row)),
        Err(err) if db::is_unique_violation(&err) => Err(shortcut_taken()),
        Err(err) => Err(err.into()),
    }
}

/// # Errors
/// 403 for agents; 404; `validation_failed`; 409 when the shortcut is taken.
pub async fn update(
    state: &AppState,
    auth: &AuthUser,
    id: Uuid,
    req: CannedReplyRequest,
) -> AppResult<CannedReplyDto> {
    auth.require_admin()?;
    let (shortcut, body) = (shortcut(&req.shortcut)?, body(&req.body)?);
    let tenant = auth.tenant();
    let updated = tenant
        .update_many::<canned_replies::Entity>()
        .col_expr(canned_replies::Column::Shortcut, Expr::value(shortcut))
        .col_expr(canned_replies::Column::Body, Expr::value(body))
        .col_expr(canned_replies::Column::UpdatedAt, Expr::value(db::now()))
        .filter(canned_replies::Column::Id.eq(id))
        .exec(&state.db)
        .await;
    match updated {
        Ok(result) if result.rows_affected == 0 => return Err(AppError::not_found()),
        Ok(_) => {}
        Err(err) if db::is_unique_violation(&err) => return Err(shortcut_taken()),
        Err(err) => return Err(err.into()),
    }
    let row = tenant
        .select_by_id::<canned_replies::Entity>(id)
        .one(&state.db)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(to_dto(&row))
}

/// # Errors
/// 403 for agents; 404.
pub async fn delete(state: &AppState, auth: &AuthUser, id: Uuid) -> AppResult<()> {
    auth.require_admin()?;
    let deleted = auth
        .tenant()
        .delete_many::<canned_replies::Entity>()
        .filter(canned_replies::Column::Id.eq(id))
        .exec(&state.db)
        .await?
        .rows_affected;
    if deleted == 0 {
        return Err(AppError::not_found());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortcuts_are_normalised_and_checked() {
        assert_eq!(shortcut(" /Horario ").unwrap(), "horario");
        assert_eq!(shortcut("pix-2").unwrap(), "pix-2");
        assert!(shortcut("/").is_err());
        assert!(shortcut("com espaço").is_err());
        assert!(shortcut(&"a".repeat(33)).is_err());
    }
}
