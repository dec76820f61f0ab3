//! The company's own settings: its name, the country phone numbers are read in, and whether new
//! conversations are assigned automatically.

use std::str::FromStr;

use sea_orm::{ActiveModelTrait, EntityTrait, Set, TransactionTrait};
use shared::{
    api::{CompanySettingsDto, UpdateCompanySettingsRequest},
    ServerEvent,
};

use crate::{
    audit::{self, AuditEntry},
    auth::AuthUser,
    db::{self, entities::companies},
    error::{AppError, AppResult},
    state::AppState,
};

fn to_dto(row: &companies::Model) -> CompanySettingsDto {
    CompanySettingsDto {
        name: row.name.clone(),
        default_country: row.default_country.clone(),
        auto_assign: row.auto_assign,
        time_zone: row.time_zone.clone(),
    }
}

/// # Errors
/// Database errors.
pub async fn get(state: &AppState, auth: &AuthUser) -> AppResult<CompanySettingsDto> {
    let row = companies::Entity::find_by_id(auth.company_id())
        .one(&state.db)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(to_dto(&row))
}

/// # Errors
/// 403 for agents; `validation_failed` naming the field.
pub async fn update(
    state: &AppState,
    auth: &AuthUser,
    req: UpdateCompanySettingsRequest,
) -> AppResult<CompanySettingsDto> {
    auth.require_admin()?;
    let name = req.name.map(|n| n.trim().to_owned());
    if name.as_ref().is_some_and(|n| n.is_empty() || n.chars().count() > 120) {
        return Err(AppError::field("name", "The company name has 1 to 120 characters."));
    }
    let country = req.default_country.map(|c| c.trim().to_uppercase());
    if let Some(code) = &country {
        let known = code.len() == 2 && phonenumber::country::Id::from_str(code).is_ok();
        if !known {
            return Err(AppError::field(
                "default_country",
                "Use a two-letter country code such as BR, PT or US.",
            ));
        }
    }
    let time_zone = req
        .time_zone
        .as_deref()
        .map(|tz| crate::campaigns::timing::parse_zone("time_zone", tz))
        .transpose()?;
    let txn = state.db.begin().await?;
    let row = companies::Entity::find_by_id(auth.company_id())
        .one(&txn)
        .await?
        .ok_or_else(AppError::not_found)?;
    let mut active: companies::ActiveModel = row.into();
    if let Some(name) = name {
        active.name = Set(name);
    }
    if let Some(country) = country {
        active.default_country = Set(country);
    }
    if let Some(auto_assign) = req.auto_assign {
        active.auto_assign = Set(auto_assign);
    }
    if let Some(time_zone) = time_zone {
        active.time_zone = Set(time_zone);
    }
    active.updated_at = Set(db::now());
    let row = active.update(&txn).await?;
    audit::record(
        &txn,
        auth.tenant(),
        AuditEntry::new(Some(auth.user_id), "company.settings_changed")
            .meta(serde_json::json!(to_dto(&row))),
    )
    .await?;
    txn.commit().await?;
    state
        .events
        .publish(auth.company_id(), ServerEvent::TeamChanged { by_user_id: Some(auth.user_id) });
    Ok(to_dto(&row))
}
