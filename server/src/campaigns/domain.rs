//! Campaigns as people use them: write a draft, preview who gets what, start (now or at a
//! time), pause, resume, cancel, follow the counts. Owners and admins manage campaigns; every
//! member can look at them.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use serde_json::json;
use shared::{
    api::{Page, TemplateHeaderSend},
    campaigns::{
        AudienceExclusions, CampaignAudience, CampaignCounts, CampaignDto, CampaignPreview,
        CampaignPreviewRequest, CampaignProgress, CampaignStatus, CampaignTemplate,
        CreateCampaignRequest, RecipientSample, UpdateCampaignRequest, DEFAULT_RATE_PER_SECOND,
        MAX_RATE_PER_SECOND,
    },
    ErrorCode, ServerEvent,
};
use uuid::Uuid;

use super::{
    audience::{self, ContactFields},
    sender::{self, OPEN_STATUSES},
    timing,
};
use crate::{
    auth::AuthUser,
    db::{
        self,
        entities::{
            campaign_recipients as recipients, campaigns, companies, connections, message_templates,
        },
        Tenant,
    },
    error::{AppError, AppResult},
    events::EventBus,
    jobs::{self, NewJob},
    pagination,
    state::AppState,
};

pub const START_CAMPAIGN_JOB: &str = "campaign.start";

fn invalid_state(message: &str) -> AppError {
    AppError::new(ErrorCode::InvalidState, message)
}

fn status_of(row: &campaigns::Model) -> CampaignStatus {
    CampaignStatus::parse(&row.status).unwrap_or(CampaignStatus::Draft)
}

async fn time_zone_of<C: ConnectionTrait>(conn: &C, tenant: Tenant) -> AppResult<String> {
    Ok(companies::Entity::find_by_id(tenant.company_id())
        .one(conn)
        .await?
        .map(|c| c.time_zone)
        .unwrap_or_else(|| "UTC".to_owned()))
}

fn clean_name(raw: &str) -> AppResult<String> {
    Ok(crate::types::DisplayName::parse(raw, "name")?.into_inner())
}

fn check_rate(rate: Option<u32>) -> AppResult<u32> {
    let rate = rate.unwrap_or(DEFAULT_RATE_PER_SECOND);
    if !(1..=MAX_RATE_PER_SECOND).contains(&rate) {
        return Err(AppError::field(
            "rate_per_second",
            format!(
                "Send 1 to {MAX_RATE_PER_SECOND} messages per second (Meta's default for a number \
                 is {DEFAULT_RATE_PER_SECOND})."
            ),
        ));
    }
    Ok(rate)
}

/// The shape of the template values (not yet whether Meta has the template).
fn check_template(template: &CampaignTemplate) -> AppResult<CampaignTemplate> {
    let name = template.name.trim();
    if name.is_empty()
        || name.len() > 512
        || !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(AppError::field("template.name", "Choose one of the number's templates."));
    }
    let language = template.language.trim();
    if language.is_empty() || language.len() > 16 {
        return Err(AppError::field(
            "template.language",
            "Give the template's language code, e.g. pt_BR.",
        ));
    }
    for (n, value) in template.variables.iter().enumerate() {
        if value.trim().is_empty() || value.contains(['\n', '\t']) || value.chars().count() > 1024 {
            return Err(AppError::field(
                "template.variables",
                format!(
                    "Variable {{{{{}}}}} must be a non-empty single line (up to 1024 characters).",
                    n + 1
                ),
            ));
        }
    }
    for button in &template.buttons {
        if !matches!(button.sub_type.as_str(), "url" | "quick_reply") || button.index > 9 {
            return Err(AppError::field(
                "template.buttons",
                "Buttons are url or quick_reply, index 0 to 9.",
            ));
        }
    }
    Ok(CampaignTemplate {
        name: name.to_owned(),
        language: language.to_owned(),
        variables: template.variables.iter().map(|v| v.trim().to_owned()).collect(),
        header: template.header.clone(),
        buttons: template.buttons.clone(),
    })
}

/// The connection must be a live WhatsApp Cloud number of the company.
async fn live_connection<C: ConnectionTrait>(
    conn: &C,
    tenant: Tenant,
    id: Uuid,
) -> AppResult<connections::Model> {
    crate::connections::domain::find_live(conn, tenant, id)
        .await
        .ok()
        .filter(|c| c.kind == "whatsapp_cloud")
        .ok_or_else(|| {
            AppError::field("connection_id", "Choose one of the company's WhatsApp numbers.")
        })
}

/// The synced template, approved, with as many values as it has placeholders.
async fn approved_template<C: ConnectionTrait>(
    conn: &C,
    tenant: Tenant,
    connection_id: Uuid,
    template: &CampaignTemplate,
) -> AppResult<message_templates::Model> {
    let row = tenant
        .select::<message_templates::Entity>()
        .filter(message_templates::Column::ConnectionId.eq(connection_id))
        .filter(message_templates::Column::Name.eq(template.name.as_str()))
        .filter(message_templates::Column::Language.eq(template.language.as_str()))
        .one(conn)
        .await?
        .ok_or_else(|| {
            AppError::field(
                "template.name",
                "This number has no such template in this language (sync the templates if it \
                 was created at Meta recently).",
            )
        })?;
    let send = shared::api::TemplateSend {
        name: template.name.clone(),
        language: template.language.clone(),
        body: template.variables.clone(),
        header: template.header.clone(),
        buttons: template.buttons.clone(),
    };
    crate::templates::domain::check_send(conn, tenant, connection_id, &send).await.map_err(
        |e| match e.client_message() {
            Some(_) if e.code() == ErrorCode::ValidationFailed => {
                let field = if e.to_string().contains("variable") {
                    "template.variables"
                } else {
                    "template.name"
                };
                e.with_field(field)
            }
            _ => e,
        },
    )?;
    let header = shared::templates::component(&row.components, "HEADER");
    let header_format = header
        .and_then(|h| h.get("format"))
        .and_then(serde_json::Value::as_str)
        .unwrap_or("TEXT")
        .to_ascii_uppercase();
    let header_needs_text = header_format == "TEXT"
        && header
            .and_then(|h| h.get("text"))
            .and_then(serde_json::Value::as_str)
            .is_some_and(|t| shared::templates::placeholder_count(t) > 0);
    match (&template.header, header_format.as_str(), header.is_some()) {
        (None, "TEXT", _) if header_needs_text => {
            return Err(AppError::field(
                "template.header",
                "This template's header has a variable: give its value.",
            ))
        }
        (None, "IMAGE" | "VIDEO" | "DOCUMENT", true) => {
            return Err(AppError::field(
                "template.header",
                "This template's header is a picture, video or document: give its link.",
            ))
        }
        _ => {}
    }
    Ok(row)
}

fn parse_schedule(raw: Option<&str>, time_zone: &str) -> AppResult<Option<DateTime<Utc>>> {
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else { return Ok(None) };
    let at = timing::parse_schedule(raw, timing::zone(time_zone))?;
    if at < db::now() - chrono::TimeDelta::minutes(1) {
        return Err(AppError::field("scheduled_at", "Pick a time in the future."));
    }
    Ok(Some(at))
}

/// A new draft.
///
/// # Errors
/// 403 for agents; `validation_failed` naming the field.
#[tracing::instrument(skip_all, fields(company_id = %auth.company_id()))]
pub async fn create(
    state: &AppState,
    auth: &AuthUser,
    req: CreateCampaignRequest,
) -> AppResult<CampaignDto> {
    auth.require_admin()?;
    let tenant = auth.tenant();
    let name = clean_name(&req.name)?;
    let template = check_template(&req.template)?;
    let rate = check_rate(req.rate_per_second)?;
    let quiet_hours = req.quiet_hours.as_ref().map(timing::check_quiet_hours).transpose()?;
    let connection = live_connection(&state.db, tenant, req.connection_id).await?;
    audience::matched_condition(&state.db, tenant, &req.audience).await?;
    let time_zone = time_zone_of(&state.db, tenant).await?;
    let scheduled_at = parse_schedule(req.scheduled_at.as_deref(), &time_zone)?;

    let now = db::now();
    let row = campaigns::ActiveModel {
        id: Set(Uuid::now_v7()),
        company_id: Set(tenant.company_id()),
        name: Set(name),
        connection_id: Set(connection.id),
        status: Set(CampaignStatus::Draft.as_str().to_owned()),
        template: Set(json!(template)),
        audience: Set(json!(req.audience)),
        scheduled_at: Set(scheduled_at),
        rate_per_second: Set(rate as i32),
        quiet_hours: Set(quiet_hours.map(|q| json!(q))),
        total: Set(0),
        excluded_opted_out: Set(0),
        excluded_invalid: Set(0),
        last_error: Set(None),
        created_by: Set(Some(auth.user_id)),
        created_at: Set(now),
        updated_at: Set(now),
        started_at: Set(None),
        finished_at: Set(None),
    }
    .insert(&state.db)
    .await?;
    state.events.publish(
        tenant.company_id(),
        ServerEvent::CampaignsChanged { by_user_id: Some(auth.user_id) },
    );
    dto(&state.db, &row, &time_zone).await
}

/// Changes a draft (or a scheduled campaign that has not begun).
///
/// # Errors
/// 403, 404, 409 `invalid_state` once sending began, `validation_failed`.
#[tracing::instrument(skip_all, fields(company_id = %auth.company_id(), %id))]
pub async fn update(
    state: &AppState,
    auth: &AuthUser,
    id: Uuid,
    req: UpdateCampaignRequest,
) -> AppResult<CampaignDto> {
    auth.require_admin()?;
    let tenant = auth.tenant();
    let row = find(&state.db, tenant, id).await?;
    if !matches!(status_of(&row), CampaignStatus::Draft | CampaignStatus::Scheduled) {
        return Err(invalid_state(
            "Only a draft or a scheduled campaign can be edited; this one has started.",
        ));
    }
    let time_zone = time_zone_of(&state.db, tenant).await?;
    let mut active: campaigns::ActiveModel = row.clone().into();
    if let Some(name) = &req.name {
        active.name = Set(clean_name(name)?);
    }
    if let Some(connection_id) = req.connection_id {
        active.connection_id = Set(live_connection(&state.db, tenant, connection_id).await?.id);
    }
    if let Some(template) = &req.template {
        active.template = Set(json!(check_template(template)?));
    }
    if let Some(audience) = &req.audience {
        audience::matched_condition(&state.db, tenant, audience).await?;
        active.audience = Set(json!(audience));
    }
    if req.clear_schedule {
        active.scheduled_at = Set(None);
    } else if req.scheduled_at.is_some() {
        active.scheduled_at = Set(parse_schedule(req.scheduled_at.as_deref(), &time_zone)?);
    }
    if req.rate_per_second.is_some() {
        active.rate_per_second = Set(check_rate(req.rate_per_second)? as i32);
    }
    if req.clear_quiet_hours {
        active.quiet_hours = Set(None);
    } else if let Some(quiet) = &req.quiet_hours {
        active.quiet_hours = Set(Some(json!(timing::check_quiet_hours(quiet)?)));
    }
    active.updated_at = Set(db::now());
    let row = active.update(&state.db).await?;
    if status_of(&row) == CampaignStatus::Scheduled {
        // The start job follows the new time.
        schedule_start(&state.db, &row).await?;
    }
    state.events.publish(
        tenant.company_id(),
        ServerEvent::CampaignsChanged { by_user_id: Some(auth.user_id) },
    );
    dto(&state.db, &row, &time_zone).await
}

/// Deletes a campaign that is not sending (its recipients' records go with it).
///
/// # Errors
/// 403, 404, 409 `invalid_state` while it runs or is paused (cancel it first).
pub async fn delete(state: &AppState, auth: &AuthUser, id: Uuid) -> AppResult<()> {
    auth.require_admin()?;
    let tenant = auth.tenant();
    let row = find(&state.db, tenant, id).await?;
    if matches!(status_of(&row), CampaignStatus::Running | CampaignStatus::Paused) {
        return Err(invalid_state("Cancel the campaign before deleting it."));
    }
    tenant
        .delete_many::<campaigns::Entity>()
        .filter(campaigns::Column::Id.eq(id))
        .exec(&state.db)
        .await?;
    state.events.publish(
        tenant.company_id(),
        ServerEvent::CampaignsChanged { by_user_id: Some(auth.user_id) },
    );
    Ok(())
}

async fn find<C: ConnectionTrait>(
    conn: &C,
    tenant: Tenant,
    id: Uuid,
) -> AppResult<campaigns::Model> {
    tenant.select_by_id::<campaigns::Entity>(id).one(conn).await?.ok_or_else(AppError::not_found)
}

/// One campaign with its live counts.
///
/// # Errors
/// 404.
pub async fn get(state: &AppState, auth: &AuthUser, id: Uuid) -> AppResult<CampaignDto> {
    let tenant = auth.tenant();
    let row = find(&state.db, tenant, id).await?;
    let time_zone = time_zone_of(&state.db, tenant).await?;
    dto(&state.db, &row, &time_zone).await
}

/// The company's campaigns, newest first (ids are UUIDv7, so the id is the cursor).
///
/// # Errors
/// `bad_request` for a cursor that is not ours.
pub async fn list(
    state: &AppState,
    auth: &AuthUser,
    params: &pagination::PageParams,
) -> AppResult<Page<CampaignDto>> {
    let tenant = auth.tenant();
    let mut query = tenant.select::<campaigns::Entity>().order_by_desc(campaigns::Column::Id);
    if let Some(cursor) = params.cursor()? {
        query = query.filter(campaigns::Column::Id.lt(cursor));
    }
    let rows = query.limit(params.limit() + 1).all(&state.db).await?;
    let page = pagination::page(rows, params.limit(), |r| r.id);
    let time_zone = time_zone_of(&state.db, tenant).await?;
    let ids: Vec<Uuid> = page.items.iter().map(|r| r.id).collect();
    let counts = counts_of(&state.db, &ids).await?;
    let items = page
        .items
        .iter()
        .map(|row| to_dto(row, counts.get(&row.id).copied().unwrap_or_default(), &time_zone))
        .collect();
    Ok(Page { items, next_cursor: page.next_cursor })
}

#[derive(Debug, FromQueryResult)]
struct StatusCount {
    campaign_id: Uuid,
    status: String,
    count: i64,
    replied: i64,
}

/// Live counts of the campaigns, from their recipients.
pub async fn counts_of<C: ConnectionTrait>(
    conn: &C,
    ids: &[Uuid],
) -> AppResult<HashMap<Uuid, CampaignCounts>> {
    use sea_orm::sea_query::ExprTrait;
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = recipients::Entity::find()
        .select_only()
        .column(recipients::Column::CampaignId)
        .column(recipients::Column::Status)
        .column_as(Expr::col(recipients::Column::Id).count(), "count")
        .column_as(Expr::col(recipients::Column::RepliedAt).count(), "replied")
        .filter(recipients::Column::CampaignId.is_in(ids.iter().copied()))
        .group_by(recipients::Column::CampaignId)
        .group_by(recipients::Column::Status)
        .into_model::<StatusCount>()
        .all(conn)
        .await?;
    let mut out: HashMap<Uuid, CampaignCounts> = HashMap::new();
    for row in rows {
        let counts = out.entry(row.campaign_id).or_default();
        let n = u64::try_from(row.count).unwrap_or(0);
        counts.total += n;
        counts.replied += u64::try_from(row.replied).unwrap_or(0);
        match row.status.as_str() {
            "sent" => counts.sent += n,
            "delivered" => {
                counts.sent += n;
                counts.delivered += n;
            }
            "read" => {
                counts.sent += n;
                counts.delivered += n;
                counts.read += n;
            }
            "failed" => counts.failed += n,
            "skipped" => counts.skipped += n,
            "cancelled" => counts.cancelled += n,
            _ => counts.pending += n,
        }
    }
    Ok(out)
}

fn to_dto(row: &campaigns::Model, counts: CampaignCounts, time_zone: &str) -> CampaignDto {
    CampaignDto {
        id: row.id,
        name: row.name.clone(),
        connection_id: row.connection_id,
        status: status_of(row),
        template: serde_json::from_value(row.template.clone()).unwrap_or_default(),
        audience: serde_json::from_value(row.audience.clone()).unwrap_or_default(),
        scheduled_at: row.scheduled_at,
        rate_per_second: row.rate_per_second.max(1) as u32,
        quiet_hours: row.quiet_hours.clone().and_then(|q| serde_json::from_value(q).ok()),
        time_zone: time_zone.to_owned(),
        counts,
        excluded: AudienceExclusions {
            opted_out: row.excluded_opted_out.max(0) as u64,
            invalid: row.excluded_invalid.max(0) as u64,
        },
        last_error: row.last_error.clone(),
        created_by: row.created_by,
        created_at: row.created_at,
        updated_at: row.updated_at,
        started_at: row.started_at,
        finished_at: row.finished_at,
    }
}

async fn dto<C: ConnectionTrait>(
    conn: &C,
    row: &campaigns::Model,
    time_zone: &str,
) -> AppResult<CampaignDto> {
    let counts = counts_of(conn, &[row.id]).await?.remove(&row.id).unwrap_or_default();
    Ok(to_dto(row, counts, time_zone))
}

/// Who would receive it and what the first few would read.
///
/// # Errors
/// `validation_failed` for a bad audience or template.
pub async fn preview(
    state: &AppState,
    auth: &AuthUser,
    req: CampaignPreviewRequest,
) -> AppResult<CampaignPreview> {
    let tenant = auth.tenant();
    let matched = audience::matched_condition(&state.db, tenant, &req.audience).await?;
    let (total, excluded) = audience::count(&state.db, tenant, &matched).await?;
    let template = req.template.as_ref().map(check_template).transpose()?;
    let components = match (&template, req.connection_id) {
        (Some(template), Some(connection_id)) => tenant
            .select::<message_templates::Entity>()
            .filter(message_templates::Column::ConnectionId.eq(connection_id))
            .filter(message_templates::Column::Name.eq(template.name.as_str()))
            .filter(message_templates::Column::Language.eq(template.language.as_str()))
            .one(&state.db)
            .await?
            .map(|t| t.components),
        _ => None,
    };
    let samples = audience::sample(&state.db, tenant, &matched, 5).await?;
    let samples = samples
        .iter()
        .map(|contact| sample(contact, template.as_ref(), components.as_ref()))
        .collect();
    Ok(CampaignPreview {
        matched: total,
        recipients: total.saturating_sub(excluded.opted_out + excluded.invalid),
        excluded,
        samples,
    })
}

fn sample(
    contact: &db::entities::contacts::Model,
    template: Option<&CampaignTemplate>,
    components: Option<&serde_json::Value>,
) -> RecipientSample {
    let fields = ContactFields(contact);
    let mut missing = Vec::new();
    let variables: Vec<String> = template
        .map(|t| {
            t.variables
                .iter()
                .map(|value| match shared::campaigns::personalise(value, &fields) {
                    Ok(filled) => filled,
                    Err(m) => {
                        missing.push(m.reference.clone());
                        format!("{{{{{}}}}}", m.reference)
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let body = match (template, components) {
        (Some(template), Some(components)) => {
            let header = match &template.header {
                Some(TemplateHeaderSend::Text { text }) => Some(TemplateHeaderSend::Text {
                    text: shared::campaigns::personalise(text, &fields).unwrap_or_default(),
                }),
                other => other.clone(),
            };
            let send = shared::api::TemplateSend {
                name: template.name.clone(),
                language: template.language.clone(),
                body: variables.clone(),
                header,
                buttons: Vec::new(),
            };
            Some(shared::templates::render(components, &send).body)
        }
        _ => None,
    };
    RecipientSample {
        contact_id: contact.id,
        name: contact.name.clone(),
        phone: contact.phone.clone(),
        variables,
        body,
        missing,
    }
}

/// Starts a draft: now, or at its scheduled time (recipients are chosen when sending begins,
/// so contacts added meanwhile are included).
///
/// # Errors
/// 403, 404, 409 `invalid_state` unless a draft, `validation_failed` (template not approved,
/// nobody to send to, connection gone).
#[tracing::instrument(skip_all, fields(company_id = %auth.company_id(), %id))]
pub async fn start(state: &AppState, auth: &AuthUser, id: Uuid) -> AppResult<CampaignDto> {
    auth.require_admin()?;
    let tenant = auth.tenant();
    let row = find(&state.db, tenant, id).await?;
    if status_of(&row) != CampaignStatus::Draft {
        return Err(invalid_state("Only a draft can be started; this campaign already was."));
    }
    let template: CampaignTemplate =
        serde_json::from_value(row.template.clone()).unwrap_or_default();
    live_connection(&state.db, tenant, row.connection_id).await?;
    approved_template(&state.db, tenant, row.connection_id, &template).await?;
    let time_zone = time_zone_of(&state.db, tenant).await?;

    let row = if row.scheduled_at.is_some_and(|at| at > db::now()) {
        let mut active: campaigns::ActiveModel = row.into();
        active.status = Set(CampaignStatus::Scheduled.as_str().to_owned());
        active.updated_at = Set(db::now());
        let txn = state.db.begin().await?;
        let row = active.update(&txn).await?;
        schedule_start(&txn, &row).await?;
        txn.commit().await?;
        state.jobs.notify();
        row
    } else {
        let row = begin_sending(&state.db, row).await?;
        state.sending.notify();
        row
    };
    let dto = dto(&state.db, &row, &time_zone).await?;
    publish(&state.events, tenant.company_id(), &dto);
    Ok(dto)
}

async fn schedule_start<C: ConnectionTrait>(conn: &C, row: &campaigns::Model) -> AppResult<()> {
    let mut job = NewJob::new(START_CAMPAIGN_JOB, json!({ "campaign_id": row.id }))
        .for_company(row.company_id);
    job.unique_key = Some(format!("{START_CAMPAIGN_JOB}:{}", row.id));
    job.run_at = row.scheduled_at;
    jobs::enqueue(conn, job).await?;
    // A changed time: the waiting job follows it.
    if let Some(at) = row.scheduled_at {
        db::entities::jobs::Entity::update_many()
            .col_expr(db::entities::jobs::Column::RunAt, Expr::value(at))
            .filter(
                db::entities::jobs::Column::UniqueKey
                    .eq(format!("{START_CAMPAIGN_JOB}:{}", row.id)),
            )
            .filter(db::entities::jobs::Column::Status.eq("pending"))
            .exec(conn)
            .await?;
    }
    Ok(())
}

/// Fixes the recipients and hands the campaign to the sender, in one transaction: either the
/// campaign runs with all its recipients or nothing changed.
async fn begin_sending(
    db: &DatabaseConnection,
    row: campaigns::Model,
) -> AppResult<campaigns::Model> {
    let tenant = Tenant::new(row.company_id);
    let audience: CampaignAudience =
        serde_json::from_value(row.audience.clone()).unwrap_or_default();
    let txn = db.begin().await?;
    // Write first: on SQLite the transaction takes the write lock before it reads.
    let claimed = campaigns::Entity::update_many()
        .col_expr(campaigns::Column::Status, Expr::value(CampaignStatus::Running.as_str()))
        .col_expr(campaigns::Column::UpdatedAt, Expr::value(db::now()))
        .filter(campaigns::Column::Id.eq(row.id))
        .filter(
            campaigns::Column::Status
                .is_in([CampaignStatus::Draft.as_str(), CampaignStatus::Scheduled.as_str()]),
        )
        .exec(&txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Err(invalid_state("The campaign was started (or cancelled) meanwhile."));
    }
    let matched = audience::matched_condition(&txn, tenant, &audience).await?;
    let (_, excluded) = audience::count(&txn, tenant, &matched).await?;
    let total = audience::materialise(&txn, tenant, row.id, &matched).await?;
    if total == 0 {
        return Err(AppError::field(
            "audience",
            "Nobody in this audience can receive it (no contacts, or all opted out).",
        ));
    }
    let now = db::now();
    let mut active: campaigns::ActiveModel = row.into();
    active.status = Set(CampaignStatus::Running.as_str().to_owned());
    active.total = Set(total as i64);
    active.excluded_opted_out = Set(excluded.opted_out as i64);
    active.excluded_invalid = Set(excluded.invalid as i64);
    active.started_at = Set(Some(now));
    active.last_error = Set(None);
    active.updated_at = Set(now);
    let row = active.update(&txn).await?;
    jobs::enqueue_or_hasten(&txn, sender::send_job(row.company_id, row.connection_id, None))
        .await?;
    txn.commit().await?;
    tracing::info!(campaign_id = %row.id, total, "campaign started");
    Ok(row)
}

/// Stops sending; what was claimed goes back, calls in flight finish.
///
/// # Errors
/// 403, 404, 409 `invalid_state` unless running or scheduled.
pub async fn pause(state: &AppState, auth: &AuthUser, id: Uuid) -> AppResult<CampaignDto> {
    auth.require_admin()?;
    transition(
        state,
        auth,
        id,
        &[CampaignStatus::Running, CampaignStatus::Scheduled],
        CampaignStatus::Paused,
        "Only a running or scheduled campaign can be paused.",
    )
    .await
}

/// Sends on from where it stopped.
///
/// # Errors
/// 403, 404, 409 `invalid_state` unless paused.
pub async fn resume(state: &AppState, auth: &AuthUser, id: Uuid) -> AppResult<CampaignDto> {
    auth.require_admin()?;
    let tenant = auth.tenant();
    let row = find(&state.db, tenant, id).await?;
    if status_of(&row) != CampaignStatus::Paused {
        return Err(invalid_state("Only a paused campaign can be resumed."));
    }
    live_connection(&state.db, tenant, row.connection_id).await?;
    if row.started_at.is_none() {
        // Paused before its scheduled start: back to waiting for it, or start now.
        let mut active: campaigns::ActiveModel = row.clone().into();
        active.status = Set(CampaignStatus::Draft.as_str().to_owned());
        active.update(&state.db).await?;
        return start(state, auth, id).await;
    }
    transition(
        state,
        auth,
        id,
        &[CampaignStatus::Paused],
        CampaignStatus::Running,
        "Only a paused campaign can be resumed.",
    )
    .await
}

/// Stops for good: recipients not sent to yet are marked cancelled.
///
/// # Errors
/// 403, 404, 409 `invalid_state` when already finished.
pub async fn cancel(state: &AppState, auth: &AuthUser, id: Uuid) -> AppResult<CampaignDto> {
    auth.require_admin()?;
    transition(
        state,
        auth,
        id,
        &[
            CampaignStatus::Draft,
            CampaignStatus::Scheduled,
            CampaignStatus::Running,
            CampaignStatus::Paused,
        ],
        CampaignStatus::Cancelled,
        "The campaign is already finished.",
    )
    .await
}

async fn transition(
    state: &AppState,
    auth: &AuthUser,
    id: Uuid,
    from: &[CampaignStatus],
    to: CampaignStatus,
    refusal: &str,
) -> AppResult<CampaignDto> {
    let tenant = auth.tenant();
    let row = find(&state.db, tenant, id).await?;
    let now = db::now();
    let txn = state.db.begin().await?;
    let mut update = tenant
        .update_many::<campaigns::Entity>()
        .col_expr(campaigns::Column::Status, Expr::value(to.as_str()))
        .col_expr(campaigns::Column::UpdatedAt, Expr::value(now))
        .filter(campaigns::Column::Id.eq(id))
        .filter(campaigns::Column::Status.is_in(from.iter().map(|s| s.as_str())));
    if to == CampaignStatus::Running {
        update = update.col_expr(campaigns::Column::LastError, Expr::value(Option::<String>::None));
    }
    if to == CampaignStatus::Cancelled {
        update = update.col_expr(campaigns::Column::FinishedAt, Expr::value(now));
    }
    let changed = update.exec(&txn).await?;
    if changed.rows_affected != 1 {
        return Err(invalid_state(refusal));
    }
    match to {
        CampaignStatus::Cancelled => {
            recipients::Entity::update_many()
                .col_expr(recipients::Column::Status, Expr::value("cancelled"))
                .col_expr(recipients::Column::ClaimedBy, Expr::value(Option::<String>::None))
                .col_expr(recipients::Column::UpdatedAt, Expr::value(now))
                .filter(recipients::Column::CampaignId.eq(id))
                .filter(recipients::Column::Status.is_in(["pending", "claimed"]))
                .exec(&txn)
                .await?;
        }
        CampaignStatus::Running => {
            // Retries that were waiting are due now; the number's sender picks them up.
            recipients::Entity::update_many()
                .col_expr(recipients::Column::NextAttemptAt, Expr::value(now))
                .filter(recipients::Column::CampaignId.eq(id))
                .filter(recipients::Column::Status.eq("pending"))
                .filter(recipients::Column::NextAttemptAt.gt(now))
                .exec(&txn)
                .await?;
            jobs::enqueue_or_hasten(
                &txn,
                sender::send_job(row.company_id, row.connection_id, None),
            )
            .await?;
        }
        _ => {}
    }
    txn.commit().await?;
    if to == CampaignStatus::Running {
        state.sending.notify();
    }
    tracing::info!(campaign_id = %id, from = %row.status, to = to.as_str(), "campaign status changed");
    let time_zone = time_zone_of(&state.db, tenant).await?;
    let row = find(&state.db, tenant, id).await?;
    let dto = dto(&state.db, &row, &time_zone).await?;
    publish(&state.events, tenant.company_id(), &dto);
    Ok(dto)
}

fn eta(counts: &CampaignCounts, rate_per_second: u32, status: CampaignStatus) -> Option<u64> {
    (status == CampaignStatus::Running && counts.pending > 0)
        .then(|| counts.pending.div_ceil(u64::from(rate_per_second.max(1))))
}

/// A status change: the live counts for screens showing the campaign, and a nudge for lists.
fn publish(events: &EventBus, company_id: Uuid, dto: &CampaignDto) {
    events.publish(
        company_id,
        ServerEvent::CampaignProgress {
            progress: Box::new(CampaignProgress {
                campaign_id: dto.id,
                status: dto.status,
                counts: dto.counts,
                rate: 0.0,
                eta_seconds: eta(&dto.counts, dto.rate_per_second, dto.status),
                last_error: dto.last_error.clone(),
            }),
        },
    );
    events.publish(company_id, ServerEvent::CampaignsChanged { by_user_id: None });
}

/// Publishes the campaign's live counts (`campaign.progress`).
///
/// # Errors
/// Database errors.
pub async fn publish_progress(
    db: &DatabaseConnection,
    events: &EventBus,
    campaign_id: Uuid,
    rate: Option<f64>,
) -> AppResult<()> {
    let Some(row) = campaigns::Entity::find_by_id(campaign_id).one(db).await? else {
        return Ok(());
    };
    let counts = counts_of(db, &[row.id]).await?.remove(&row.id).unwrap_or_default();
    let status = status_of(&row);
    events.publish(
        row.company_id,
        ServerEvent::CampaignProgress {
            progress: Box::new(CampaignProgress {
                campaign_id: row.id,
                status,
                counts,
                rate: rate.unwrap_or(0.0),
                eta_seconds: eta(&counts, row.rate_per_second.max(1) as u32, status),
                last_error: row.last_error,
            }),
        },
    );
    Ok(())
}

/// The sender met an error that would fail everyone (token, template, account): pause with
/// the reason. Returns whether it was running.
///
/// # Errors
/// Database errors.
pub async fn pause_for_error(
    db: &DatabaseConnection,
    events: &EventBus,
    campaign_id: Uuid,
    reason: &str,
) -> AppResult<bool> {
    let changed = campaigns::Entity::update_many()
        .col_expr(campaigns::Column::Status, Expr::value(CampaignStatus::Paused.as_str()))
        .col_expr(campaigns::Column::LastError, Expr::value(reason))
        .col_expr(campaigns::Column::UpdatedAt, Expr::value(db::now()))
        .filter(campaigns::Column::Id.eq(campaign_id))
        .filter(campaigns::Column::Status.eq(CampaignStatus::Running.as_str()))
        .exec(db)
        .await?;
    publish_progress(db, events, campaign_id, None).await?;
    Ok(changed.rows_affected == 1)
}

/// Every recipient has an outcome: the campaign is completed.
///
/// # Errors
/// Database errors.
pub async fn complete(
    db: &DatabaseConnection,
    events: &EventBus,
    campaign_id: Uuid,
) -> AppResult<()> {
    let open = recipients::Entity::find()
        .filter(recipients::Column::CampaignId.eq(campaign_id))
        .filter(recipients::Column::Status.is_in(OPEN_STATUSES.iter().copied()))
        .limit(1)
        .one(db)
        .await?;
    if open.is_some() {
        return Ok(());
    }
    let now = db::now();
    let changed = campaigns::Entity::update_many()
        .col_expr(campaigns::Column::Status, Expr::value(CampaignStatus::Completed.as_str()))
        .col_expr(campaigns::Column::FinishedAt, Expr::value(now))
        .col_expr(campaigns::Column::UpdatedAt, Expr::value(now))
        .filter(campaigns::Column::Id.eq(campaign_id))
        .filter(campaigns::Column::Status.eq(CampaignStatus::Running.as_str()))
        .exec(db)
        .await?;
    if changed.rows_affected == 1 {
        tracing::info!(%campaign_id, "campaign completed");
        publish_progress(db, events, campaign_id, None).await?;
    }
    Ok(())
}

/// The `campaign.start` job: a scheduled campaign's time has come.
pub struct StartScheduledHandler {
    pub db: DatabaseConnection,
    pub events: EventBus,
    pub sending: crate::jobs::JobRunner,
}

impl crate::jobs::JobHandler for StartScheduledHandler {
    fn kind(&self) -> &'static str {
        START_CAMPAIGN_JOB
    }

    fn perform(&self, job: crate::jobs::Job) -> crate::jobs::JobFuture {
        let (db, events, sending) = (self.db.clone(), self.events.clone(), self.sending.clone());
        Box::pin(async move {
            let campaign_id = job
                .payload
                .get("campaign_id")
                .and_then(serde_json::Value::as_str)
                .and_then(|s| s.parse::<Uuid>().ok())
                .ok_or_else(|| {
                    crate::jobs::JobError::Permanent(anyhow::anyhow!("bad campaign.start payload"))
                })?;
            let Some(row) = campaigns::Entity::find_by_id(campaign_id).one(&db).await? else {
                return Ok(());
            };
            if status_of(&row) != CampaignStatus::Scheduled {
                return Ok(()); // paused or cancelled meanwhile
            }
            if row.scheduled_at.is_some_and(|at| at > db::now() + chrono::TimeDelta::seconds(1)) {
                // Rescheduled later than this job: run then.
                return Err(crate::jobs::JobError::Later(row.scheduled_at.unwrap_or_else(db::now)));
            }
            match begin_sending(&db, row.clone()).await {
                Ok(_) => sending.notify(),
                Err(AppError::Client { message, .. }) => {
                    // Nobody to send to, or the like: paused, saying why.
                    campaigns::Entity::update_many()
                        .col_expr(
                            campaigns::Column::Status,
                            Expr::value(CampaignStatus::Paused.as_str()),
                        )
                        .col_expr(campaigns::Column::LastError, Expr::value(message))
                        .filter(campaigns::Column::Id.eq(row.id))
                        .exec(&db)
                        .await?;
                }
                Err(other) => return Err(anyhow::anyhow!("{other:?}").into()),
            }
            publish_progress(&db, &events, campaign_id, None)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            Ok(())
        })
    }
}
