//! Who a campaign goes to: the audience (segments, tags, contacts, or everyone) as one SQL
//! condition over `contacts`, the exclusions counted before the start, and the recipients
//! written in one `INSERT ... SELECT` — the contacts never pass through memory, so a 100,000
//! recipient campaign starts as fast as the database copies rows.

use sea_orm::{
    sea_query::{Expr, Query},
    ColumnTrait, Condition, ConnectionTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use shared::{
    api::SegmentFilter,
    campaigns::{AudienceExclusions, CampaignAudience, RecipientFields},
};
use uuid::Uuid;

use crate::{
    contacts::{domain::normalise_tags, fields::FieldSet, filter},
    db::{
        self,
        entities::{campaign_recipients, contacts, segments},
        Tenant,
    },
    error::{AppError, AppResult},
};

/// Explicit contact ids per campaign; larger lists belong in a tag or a segment.
const MAX_CONTACT_IDS: usize = 10_000;
const MAX_SEGMENTS: usize = 20;
const MAX_TAGS: usize = 50;

/// Live contacts of the company the audience matches, before exclusions.
///
/// # Errors
/// `validation_failed` for an empty audience, an unknown segment (`audience.segment_ids`), a
/// bad tag, or too many ids.
pub async fn matched_condition<C: ConnectionTrait>(
    conn: &C,
    tenant: Tenant,
    audience: &CampaignAudience,
) -> AppResult<Condition> {
    if audience.is_empty() {
        return Err(AppError::field(
            "audience",
            "Choose who receives it: segments, tags, contacts, or all contacts.",
        ));
    }
    if audience.contact_ids.len() > MAX_CONTACT_IDS {
        return Err(AppError::field(
            "audience.contact_ids",
            format!("Pick at most {MAX_CONTACT_IDS} contacts here; tag larger groups instead."),
        ));
    }
    if audience.segment_ids.len() > MAX_SEGMENTS || audience.tags.len() > MAX_TAGS {
        return Err(AppError::field(
            "audience",
            format!("Use at most {MAX_SEGMENTS} segments and {MAX_TAGS} tags."),
        ));
    }
    let backend = conn.get_database_backend();
    let mut any = Condition::any();
    if audience.all_contacts {
        any = any.add(Expr::cust("1 = 1"));
    }
    if !audience.segment_ids.is_empty() {
        let fields = FieldSet::load(conn, tenant).await?;
        for id in &audience.segment_ids {
            let segment =
                tenant.select_by_id::<segments::Entity>(*id).one(conn).await?.ok_or_else(|| {
                    AppError::field("audience.segment_ids", "One of the segments does not exist.")
                })?;
            let saved: SegmentFilter = serde_json::from_value(segment.filter).unwrap_or_default();
            any = any.add(filter::filter_condition(backend, tenant, &fields, &saved)?);
        }
    }
    let tags = normalise_tags(&audience.tags).map_err(|e| e.with_field("audience.tags"))?;
    if !tags.is_empty() {
        let by_tags = SegmentFilter { tags_any: tags, ..SegmentFilter::default() };
        any = any.add(filter::filter_condition(backend, tenant, &FieldSet::default(), &by_tags)?);
    }
    if !audience.contact_ids.is_empty() {
        any = any.add(contacts::Column::Id.is_in(audience.contact_ids.iter().copied()));
    }
    Ok(Condition::all()
        .add(contacts::Column::CompanyId.eq(tenant.company_id()))
        .add(contacts::Column::DeletedAt.is_null())
        .add(any))
}

/// Matched contacts who will actually receive it: not opted out, with a phone number.
pub fn sendable(matched: Condition) -> Condition {
    matched
        .add(contacts::Column::OptedOut.eq(false))
        .add(contacts::Column::ErasedAt.is_null())
        .add(contacts::Column::Phone.ne(""))
}

/// How many the audience matches and how many of those are left out, and why.
///
/// # Errors
/// Database errors.
pub async fn count<C: ConnectionTrait>(
    conn: &C,
    tenant: Tenant,
    matched: &Condition,
) -> AppResult<(u64, AudienceExclusions)> {
    let total = tenant.select::<contacts::Entity>().filter(matched.clone()).count(conn).await?;
    let opted_out = tenant
        .select::<contacts::Entity>()
        .filter(matched.clone().add(contacts::Column::OptedOut.eq(true)))
        .count(conn)
        .await?;
    let invalid = tenant
        .select::<contacts::Entity>()
        .filter(
            matched.clone().add(contacts::Column::OptedOut.eq(false)).add(
                Condition::any()
                    .add(contacts::Column::ErasedAt.is_not_null())
                    .add(contacts::Column::Phone.eq("")),
            ),
        )
        .count(conn)
        .await?;
    Ok((total, AudienceExclusions { opted_out, invalid }))
}

/// The first few sendable contacts, for previews.
///
/// # Errors
/// Database errors.
pub async fn sample<C: ConnectionTrait>(
    conn: &C,
    tenant: Tenant,
    matched: &Condition,
    limit: u64,
) -> AppResult<Vec<contacts::Model>> {
    Ok(tenant
        .select::<contacts::Entity>()
        .filter(sendable(matched.clone()))
        .order_by_asc(contacts::Column::CreatedAt)
        .limit(limit)
        .all(conn)
        .await?)
}

/// Writes one `pending` recipient per sendable contact; returns how many.
///
/// # Errors
/// Database errors.
pub async fn materialise<C: ConnectionTrait>(
    conn: &C,
    tenant: Tenant,
    campaign_id: Uuid,
    matched: &Condition,
) -> AppResult<u64> {
    let now = db::now();
    let select = Query::select()
        .expr(Expr::val(campaign_id))
        .expr(Expr::col(contacts::Column::CompanyId))
        .expr(Expr::col(contacts::Column::Id))
        .expr(Expr::val("pending"))
        .expr(Expr::val(0))
        .expr(Expr::val(now))
        .expr(Expr::val(now))
        .from(contacts::Entity)
        .cond_where(sendable(matched.clone()))
        .and_where(contacts::Column::CompanyId.eq(tenant.company_id()))
        .order_by(contacts::Column::CreatedAt, sea_orm::Order::Asc)
        .to_owned();
    let insert = Query::insert()
        .into_table(campaign_recipients::Entity)
        .columns([
            campaign_recipients::Column::CampaignId,
            campaign_recipients::Column::CompanyId,
            campaign_recipients::Column::ContactId,
            campaign_recipients::Column::Status,
            campaign_recipients::Column::Attempts,
            campaign_recipients::Column::NextAttemptAt,
            campaign_recipients::Column::UpdatedAt,
        ])
        .select_from(select)
        .map_err(AppError::internal)?
        .to_owned();
    let result = conn.execute(&insert).await?;
    // PostgreSQL needs fresh statistics to plan the sender's queue queries well after a big
    // audience lands; ANALYZE samples the whole table (~0.6 s at a few hundred thousand rows),
    // so a small campaign leaves it to autovacuum, which catches up within a minute.
    if conn.get_database_backend() == sea_orm::DbBackend::Postgres
        && result.rows_affected() >= ANALYZE_FROM_RECIPIENTS
    {
        conn.execute_unprepared("ANALYZE campaign_recipients").await?;
    }
    Ok(result.rows_affected())
}

/// Audiences at least this big refresh PostgreSQL's statistics when the campaign starts.
const ANALYZE_FROM_RECIPIENTS: u64 = 5_000;

/// A contact as a source of template values.
pub struct ContactFields<'a>(pub &'a contacts::Model);

impl RecipientFields for ContactFields<'_> {
    fn field(&self, key: &str) -> Option<String> {
        let contact = self.0;
        match key {
            "name" => Some(contact.name.clone()),
            "first_name" => contact.name.split_whitespace().next().map(str::to_owned),
            "phone" => Some(contact.phone.clone()),
            "email" => contact.email.clone(),
            key => match contact.attributes.get(key)? {
                serde_json::Value::String(text) => Some(text.clone()),
                serde_json::Value::Null => None,
                serde_json::Value::Bool(true) => Some("yes".to_owned()),
                serde_json::Value::Bool(false) => Some("no".to_owned()),
                other => Some(other.to_string()),
            },
        }
    }
}
