//! Looking back at a campaign: its recipients page by page, the same as CSV (streamed, so a
//! 100,000-row export never sits in memory), and the report — the funnel, failures grouped by
//! reason, and sends per minute.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use sea_orm::{
    sea_query::Expr, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    FromQueryResult, QueryFilter, QueryOrder, QuerySelect,
};
use serde::Deserialize;
use shared::{
    api::Page,
    campaigns::{CampaignRecipientDto, CampaignReport, FailureReason, TimelinePoint},
};
use uuid::Uuid;

use super::domain;
use crate::{
    auth::AuthUser,
    db::{
        entities::{campaign_recipients as recipients, campaigns, contacts},
        Tenant,
    },
    error::{AppError, AppResult},
    state::AppState,
};

const EXPORT_BATCH: u64 = 2000;

/// `GET /campaigns/{id}/recipients` query.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct RecipientFilter {
    /// `pending`, `sent`, `delivered`, `read`, `failed`, `skipped`, `cancelled` or `replied`.
    pub status: Option<String>,
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

fn status_condition(status: Option<&str>) -> AppResult<sea_orm::Condition> {
    use sea_orm::Condition;
    let column = recipients::Column::Status;
    Ok(match status.map(str::trim).filter(|s| !s.is_empty()) {
        None => Condition::all(),
        Some("pending") => {
            Condition::all().add(column.is_in(super::sender::OPEN_STATUSES.iter().copied()))
        }
        // The funnel: "sent" means Meta took it (delivered and read ones too).
        Some("sent") => Condition::all().add(column.is_in(["sent", "delivered", "read"])),
        Some("delivered") => Condition::all().add(column.is_in(["delivered", "read"])),
        Some(s @ ("read" | "failed" | "skipped" | "cancelled")) => {
            Condition::all().add(column.eq(s))
        }
        Some("replied") => Condition::all().add(recipients::Column::RepliedAt.is_not_null()),
        Some(_) => {
            return Err(AppError::field(
                "status",
                "Filter by pending, sent, delivered, read, failed, skipped, cancelled or replied.",
            ))
        }
    })
}

async fn campaign_of<C: ConnectionTrait>(
    conn: &C,
    tenant: Tenant,
    id: Uuid,
) -> AppResult<campaigns::Model> {
    tenant.select_by_id::<campaigns::Entity>(id).one(conn).await?.ok_or_else(AppError::not_found)
}

fn public_status(status: &str) -> &str {
    match status {
        "claimed" | "sending" | "unknown" => "pending",
        other => other,
    }
}

async fn with_contacts<C: ConnectionTrait>(
    conn: &C,
    rows: Vec<recipients::Model>,
) -> AppResult<Vec<CampaignRecipientDto>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.contact_id).collect();
    let people: HashMap<Uuid, contacts::Model> = contacts::Entity::find()
        .filter(contacts::Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| {
            let contact = people.get(&r.contact_id);
            CampaignRecipientDto {
                id: r.id,
                contact_id: r.contact_id,
                name: contact.map(|c| c.name.clone()).unwrap_or_default(),
                phone: contact.map(|c| c.phone.clone()).unwrap_or_default(),
                status: public_status(&r.status).to_owned(),
                attempts: r.attempts,
                error_code: r.error_code,
                error_message: r.error_message,
                sent_at: r.sent_at,
                delivered_at: r.delivered_at,
                read_at: r.read_at,
                failed_at: r.failed_at,
                replied_at: r.replied_at,
            }
        })
        .collect())
}

/// A page of recipients in the order they were queued.
///
/// # Errors
/// 404; `bad_request` for a foreign cursor; `validation_failed` for an unknown status.
pub async fn recipients(
    state: &AppState,
    auth: &AuthUser,
    id: Uuid,
    filter: &RecipientFilter,
) -> AppResult<Page<CampaignRecipientDto>> {
    let tenant = auth.tenant();
    campaign_of(&state.db, tenant, id).await?;
    let limit = filter.limit.unwrap_or(50).clamp(1, 200);
    let after = match filter.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(raw) => Some(raw.parse::<i64>().map_err(|_| {
            AppError::new(
                shared::ErrorCode::BadRequest,
                "The cursor is not valid; start again without it.",
            )
        })?),
        None => None,
    };
    let mut query = tenant
        .select::<recipients::Entity>()
        .filter(recipients::Column::CampaignId.eq(id))
        .filter(status_condition(filter.status.as_deref())?)
        .order_by_asc(recipients::Column::Id)
        .limit(limit + 1);
    if let Some(after) = after {
        query = query.filter(recipients::Column::Id.gt(after));
    }
    let mut rows = query.all(&state.db).await?;
    let next_cursor = if rows.len() as u64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|r| r.id.to_string())
    } else {
        None
    };
    Ok(Page { items: with_contacts(&state.db, rows).await?, next_cursor })
}

/// Every recipient with its outcome as CSV (UTF-8 with BOM, for spreadsheets).
///
/// # Errors
/// 404; `validation_failed` for an unknown status.
pub async fn export_csv(
    state: &AppState,
    auth: &AuthUser,
    id: Uuid,
    status: Option<String>,
) -> AppResult<(
    String,
    impl futures::Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + 'static,
)> {
    let tenant = auth.tenant();
    let campaign = campaign_of(&state.db, tenant, id).await?;
    let condition = status_condition(status.as_deref())?;
    let db: DatabaseConnection = state.db.clone();
    let mut header = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    header
        .write_record([
            "phone",
            "name",
            "status",
            "attempts",
            "error_code",
            "error",
            "sent_at",
            "delivered_at",
            "read_at",
            "failed_at",
            "replied_at",
        ])
        .map_err(|e| AppError::internal(format!("csv header: {e}")))?;
    let header = header.into_inner().map_err(|e| AppError::internal(format!("csv header: {e}")))?;

    struct Progress {
        after: i64,
        header: Option<Vec<u8>>,
        done: bool,
    }
    let start = Progress { after: 0, header: Some(header), done: false };
    let stream = futures::StreamExt::fuse(futures::stream::unfold(start, move |mut progress| {
        let db = db.clone();
        let condition = condition.clone();
        async move {
            if let Some(header) = progress.header.take() {
                return Some((Ok(header), progress));
            }
            if progress.done {
                return None;
            }
            let batch = async {
                let rows = tenant
                    .select::<recipients::Entity>()
                    .filter(recipients::Column::CampaignId.eq(id))
                    .filter(condition)
                    .filter(recipients::Column::Id.gt(progress.after))
                    .order_by_asc(recipients::Column::Id)
                    .limit(EXPORT_BATCH)
                    .all(&db)
                    .await?;
                let last = rows.last().map(|r| r.id);
                let count = rows.len() as u64;
                Ok::<_, AppError>((with_contacts(&db, rows).await?, last, count))
            }
            .await;
            let (rows, last, count) = match batch {
                Ok(batch) => batch,
                Err(err) => {
                    tracing::error!(error = ?err, "campaign export failed mid-stream");
                    progress.done = true;
                    return Some((Err(std::io::Error::other("export failed")), progress));
                }
            };
            progress.done = count < EXPORT_BATCH;
            if let Some(last) = last {
                progress.after = last;
            }
            let stamp = |at: Option<DateTime<Utc>>| at.map(|a| a.to_rfc3339()).unwrap_or_default();
            let mut out = csv::Writer::from_writer(Vec::new());
            for r in rows {
                let written = out.write_record([
                    r.phone,
                    r.name,
                    r.status,
                    r.attempts.to_string(),
                    r.error_code.map(|c| c.to_string()).unwrap_or_default(),
                    r.error_message.unwrap_or_default(),
                    stamp(r.sent_at),
                    stamp(r.delivered_at),
                    stamp(r.read_at),
                    stamp(r.failed_at),
                    stamp(r.replied_at),
                ]);
                if written.is_err() {
                    progress.done = true;
                    return Some((Err(std::io::Error::other("export failed")), progress));
                }
            }
            match out.into_inner() {
                Ok(bytes) => Some((Ok(bytes), progress)),
                Err(_) => {
                    progress.done = true;
                    Some((Err(std::io::Error::other("export failed")), progress))
                }
            }
        }
    }));
    let slug: String = campaign
        .name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect();
    Ok((format!("campaign-{}-recipients.csv", slug.trim_matches('-')), stream))
}

#[derive(Debug, FromQueryResult)]
struct FailureRow {
    error_code: Option<i32>,
    error_message: Option<String>,
    count: i64,
}

/// The funnel, failures by reason (most frequent first) and sends per minute.
///
/// # Errors
/// 404.
pub async fn report(state: &AppState, auth: &AuthUser, id: Uuid) -> AppResult<CampaignReport> {
    use sea_orm::sea_query::ExprTrait;
    let tenant = auth.tenant();
    let campaign = campaign_of(&state.db, tenant, id).await?;
    let counts = domain::counts_of(&state.db, &[campaign.id])
        .await?
        .remove(&campaign.id)
        .unwrap_or_default();
    let failures = recipients::Entity::find()
        .select_only()
        .column(recipients::Column::ErrorCode)
        .column(recipients::Column::ErrorMessage)
        .column_as(Expr::col(recipients::Column::Id).count(), "count")
        .filter(recipients::Column::CampaignId.eq(id))
        .filter(recipients::Column::Status.eq("failed"))
        .group_by(recipients::Column::ErrorCode)
        .group_by(recipients::Column::ErrorMessage)
        .order_by_desc(Expr::col(recipients::Column::Id).count())
        .limit(20)
        .into_model::<FailureRow>()
        .all(&state.db)
        .await?
        .into_iter()
        .map(|row| FailureReason {
            error_code: row.error_code,
            reason: row.error_message.unwrap_or_else(|| "No reason given.".to_owned()),
            count: u64::try_from(row.count).unwrap_or(0),
        })
        .collect();
    // Sends per minute: read in pages of timestamps only and bucketed here, which works the
    // same on both databases.
    let mut buckets: BTreeMap<DateTime<Utc>, u64> = BTreeMap::new();
    let mut after = 0i64;
    loop {
        let page: Vec<(i64, Option<DateTime<Utc>>)> = recipients::Entity::find()
            .select_only()
            .column(recipients::Column::Id)
            .column(recipients::Column::SentAt)
            .filter(recipients::Column::CampaignId.eq(id))
            .filter(recipients::Column::SentAt.is_not_null())
            .filter(recipients::Column::Id.gt(after))
            .order_by_asc(recipients::Column::Id)
            .limit(10_000)
            .into_tuple()
            .all(&state.db)
            .await?;
        for (_, sent_at) in &page {
            if let Some(at) = sent_at.and_then(|at| at.duration_trunc(TimeDelta::minutes(1)).ok()) {
                *buckets.entry(at).or_default() += 1;
            }
        }
        match page.last() {
            Some((last, _)) if page.len() == 10_000 => after = *last,
            _ => break,
        }
    }
    let timeline =
        buckets.into_iter().map(|(minute, sent)| TimelinePoint { minute, sent }).collect();
    Ok(CampaignReport { counts, failures, timeline })
}
