//! A company's business hours: weekly windows and holidays, read in its time zone. Used by the
//! `outside_business_hours` trigger and the `business_hours` condition.

use chrono_tz::Tz;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set, TransactionTrait};
use serde::{Deserialize, Serialize};
use shared::{
    ai::WorkingWindow,
    automation::{BusinessHoursDto, Holiday},
    ServerEvent,
};
use uuid::Uuid;

use crate::{
    audit::{self, AuditEntry},
    auth::AuthUser,
    campaigns::timing::zone,
    db::{self, entities::companies},
    error::{AppError, AppResult},
    state::AppState,
};

const MAX_WINDOWS: usize = 21;
const MAX_HOLIDAYS: usize = 100;

/// What `companies.business_hours` holds.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Stored {
    #[serde(default)]
    windows: Vec<WorkingWindow>,
    #[serde(default)]
    holidays: Vec<Holiday>,
}

fn to_dto(row: &companies::Model) -> BusinessHoursDto {
    let stored: Stored = row
        .business_hours
        .clone()
        .and_then(|value| serde_json::from_value(value).ok())
        .unwrap_or_default();
    BusinessHoursDto {
        windows: stored.windows,
        holidays: stored.holidays,
        time_zone: row.time_zone.clone(),
    }
}

/// The company's hours and the zone they are read in.
///
/// # Errors
/// Database errors; 404 for a company that is gone.
pub async fn load<C: ConnectionTrait>(
    conn: &C,
    company_id: Uuid,
) -> AppResult<(Tz, BusinessHoursDto)> {
    let row = companies::Entity::find_by_id(company_id)
        .one(conn)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok((zone(&row.time_zone), to_dto(&row)))
}

/// # Errors
/// Database errors.
pub async fn get(state: &AppState, auth: &AuthUser) -> AppResult<BusinessHoursDto> {
    Ok(load(&state.db, auth.company_id()).await?.1)
}

/// Replaces the hours and holidays (the time zone is the company's, set with its settings).
///
/// # Errors
/// 403 for agents; `validation_failed` on `windows` or `holidays[n].name`.
pub async fn put(
    state: &AppState,
    auth: &AuthUser,
    req: BusinessHoursDto,
) -> AppResult<BusinessHoursDto> {
    auth.require_admin()?;
    if req.windows.len() > MAX_WINDOWS || !req.windows.iter().all(WorkingWindow::is_valid) {
        return Err(AppError::field(
            "windows",
            "Give each window days (Monday–Sunday) and a from–until time with the end after the start.",
        ));
    }
    if req.holidays.len() > MAX_HOLIDAYS {
        return Err(AppError::field("holidays", "At most 100 holidays."));
    }
    let mut holidays = Vec::with_capacity(req.holidays.len());
    for (n, holiday) in req.holidays.into_iter().enumerate() {
        let name = holiday.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > 80 {
            return Err(AppError::field(
                &format!("holidays[{n}].name"),
                "Name the holiday (up to 80 characters).",
            ));
        }
        holidays.push(Holiday { name, ..holiday });
    }
    holidays.sort_by_key(|h| h.date);
    let stored = Stored { windows: req.windows, holidays };
    let txn = state.db.begin().await?;
    let row = companies::Entity::find_by_id(auth.company_id())
        .one(&txn)
        .await?
        .ok_or_else(AppError::not_found)?;
    let mut active: companies::ActiveModel = row.into();
    active.business_hours = Set(Some(serde_json::to_value(&stored).map_err(AppError::internal)?));
    active.updated_at = Set(db::now());
    let row = active.update(&txn).await?;
    audit::record(
        &txn,
        auth.tenant(),
        AuditEntry::new(Some(auth.user_id), "company.business_hours_changed")
            .meta(serde_json::json!(stored)),
    )
    .await?;
    txn.commit().await?;
    state.events.publish(
        auth.company_id(),
        ServerEvent::AutomationsChanged { by_user_id: Some(auth.user_id) },
    );
    Ok(to_dto(&row))
}
