//! Contacts: create, read, update, soft-delete and list with search, tag filter and cursor
//! pagination. Both the REST handlers and (later) the CSV import and inbound messages use these.

use std::collections::{BTreeSet, HashMap};

use sea_orm::{
    sea_query::{Expr, ExprTrait, OnConflict, Query},
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, TransactionSession, TransactionTrait,
};
use serde::Deserialize;
use serde_json::{Map, Value};
use shared::{
    api::{
        BulkAction, BulkContactsRequest, BulkResult, ContactDto, ContactListFilter,
        ContactSelection, CreateContactRequest, Page, SegmentFilter, UpdateContactRequest,
    },
    ErrorCode, ServerEvent,
};
use uuid::Uuid;

use super::{fields::FieldSet, filter, phone::PhoneE164};
use crate::{
    audit::{self, AuditEntry},
    auth::AuthUser,
    automation::outbox::NewEvent,
    db::{
        self,
        entities::{companies, contact_tags, contacts},
        Tenant,
    },
    error::{AppError, AppResult},
    pagination::{page_by, PageParams},
    state::AppState,
    types::{DisplayName, EmailAddress},
};

const MAX_TAGS: usize = 50;
const MAX_TAG_LEN: usize = 64;
pub const MAX_ATTRIBUTES: usize = 100;
const MAX_NOTES: usize = 10_000;

/// Lower-case, trimmed, unique, sorted tags.
///
/// # Errors
/// `validation_failed` on `tags` for an empty, too long or comma-containing tag, or too many.
pub fn normalise_tags(raw: &[String]) -> AppResult<Vec<String>> {
    let mut tags = BTreeSet::new();
    for tag in raw {
        let tag = tag.trim().to_lowercase();
        if tag.is_empty() {
            continue;
        }
        if tag.chars().count() > MAX_TAG_LEN
            || tag.contains(',')
            || tag.chars().any(char::is_control)
        {
            return Err(AppError::field(
                "tags",
                format!("Tag {tag:?} is not allowed: use at most {MAX_TAG_LEN} characters and no commas."),
            ));
        }
        tags.insert(tag);
    }
    if tags.len() > MAX_TAGS {
        return Err(AppError::field(
            "tags",
            format!("A contact can have at most {MAX_TAGS} tags."),
        ));
    }
    Ok(tags.into_iter().collect())
}

pub(super) fn optional_email(raw: Option<&str>) -> AppResult<Option<String>> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(value) => Ok(Some(EmailAddress::parse(value, "email")?.as_str().to_owned())),
    }
}

pub(super) fn optional_name(raw: Option<&str>) -> AppResult<String> {
    match raw.map(str::trim) {
        None | Some("") => Ok(String::new()),
        Some(value) => Ok(DisplayName::parse(value, "name")?.into_inner()),
    }
}

pub(super) fn optional_notes(raw: Option<&str>) -> AppResult<Option<String>> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(value) if value.chars().count() > MAX_NOTES => {
            Err(AppError::field("notes", format!("Notes are limited to {MAX_NOTES} characters.")))
        }
        Some(value) => Ok(Some(value.to_owned())),
    }
}

pub(super) fn search_text(name: &str, phone: &str, email: Option<&str>) -> String {
    format!("{} {} {}", name.to_lowercase(), phone, email.unwrap_or_default()).trim().to_owned()
}

fn contact_exists() -> AppError {
    AppError::new(ErrorCode::ContactExists, "A contact with this phone number already exists.")
        .with_field("phone")
}

pub(super) async fn default_country<C: ConnectionTrait>(
    conn: &C,
    tenant: Tenant,
) -> AppResult<String> {
    let company = companies::Entity::find_by_id(tenant.company_id())
        .one(conn)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(company.default_country)
}

fn to_dto(row: contacts::Model, tags: Vec<String>) -> ContactDto {
    let attributes = match row.attributes {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    ContactDto {
        id: row.id,
        phone: row.phone,
        name: row.name,
        email: row.email,
        tags,
        attributes,
        notes: row.notes,
        opted_out: row.opted_out,
        opted_out_at: row.opted_out_at,
        opted_out_via: row.opted_out_via,
        last_contacted_at: row.last_contacted_at,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

async fn tags_of<C: ConnectionTrait>(
    conn: &C,
    tenant: Tenant,
    ids: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<String>>> {
    let mut by_contact: HashMap<Uuid, Vec<String>> = HashMap::new();
    if ids.is_empty() {
        return Ok(by_contact);
    }
    let rows = tenant
        .select::<contact_tags::Entity>()
        .filter(contact_tags::Column::ContactId.is_in(ids.iter().copied()))
        .order_by_asc(contact_tags::Column::Tag)
        .all(conn)
        .await?;
    for row in rows {
        by_contact.entry(row.contact_id).or_default().push(row.tag);
    }
    Ok(by_contact)
}

/// Sets the contact's tags; the ones it did not have before are written as `contact_tagged`
/// events for automation rules (in the same transaction). Returns whether any were.
async fn replace_tags<C: ConnectionTrait>(
    conn: &C,
    tenant: Tenant,
    contact_id: Uuid,
    tags: &[String],
) -> AppResult<bool> {
    let before: Vec<String> = tenant
        .select::<contact_tags::Entity>()
        .filter(contact_tags::Column::ContactId.eq(contact_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|row| row.tag)
        .collect();
    tenant
        .delete_many::<contact_tags::Entity>()
        .filter(contact_tags::Column::ContactId.eq(contact_id))
        .exec(conn)
        .await?;
    if !tags.is_empty() {
        let rows = tags.iter().map(|tag| contact_tags::ActiveModel {
            contact_id: Set(contact_id),
            tag: Set(tag.clone()),
            company_id: Set(tenant.company_id()),
        });
        contact_tags::Entity::insert_many(rows).exec(conn).await?;
    }
    let added = tags
        .iter()
        .filter(|tag| !before.contains(tag))
        .map(|tag| NewEvent::contact_tagged(contact_id, tag, Vec::new()))
        .collect();
    crate::automation::outbox::record(conn, tenant.company_id(), added).await
}

async fn find_live<C: ConnectionTrait>(
    conn: &C,
    tenant: Tenant,
    id: Uuid,
) -> AppResult<contacts::Model> {
    tenant
        .select_by_id::<contacts::Entity>(id)
        .filter(contacts::Column::DeletedAt.is_null())
        .one(conn)
        .await?
        .ok_or_else(AppError::not_found)
}

/// # Errors
/// `validation_failed` with the field, 409 `contact_exists`.
#[tracing::instrument(skip_all, fields(company_id = %auth.company_id()))]
pub async fn create(
    state: &AppState,
    auth: &AuthUser,
    req: CreateContactRequest,
) -> AppResult<ContactDto> {
    let tenant = auth.tenant();
    let country = default_country(&state.db, tenant).await?;
    let phone = PhoneE164::parse(&req.phone, &country, "phone")?;
    let name = optional_name(req.name.as_deref())?;
    let email = optional_email(req.email.as_deref())?;
    let notes = optional_notes(req.notes.as_deref())?;
    let tags = normalise_tags(&req.tags)?;
    let attributes = FieldSet::load(&state.db, tenant).await?.coerce_all(&req.attributes)?;

    let now = db::now();
    let row = contacts::ActiveModel {
        id: Set(Uuid::now_v7()),
        company_id: Set(tenant.company_id()),
        phone: Set(phone.as_str().to_owned()),
        search_text: Set(search_text(&name, phone.as_str(), email.as_deref())),
        name: Set(name),
        email: Set(email),
        attributes: Set(Value::Object(attributes)),
        notes: Set(notes),
        opted_out: Set(req.opted_out),
        opted_out_at: Set(req.opted_out.then_some(now)),
        opted_out_via: Set(req.opted_out.then(|| "manual".to_owned())),
        last_contacted_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        deleted_at: Set(None),
        erased_at: Set(None),
    };
    let txn = state.db.begin().await?;
    let inserted = match row.insert(&txn).await {
        Err(err) if db::is_unique_violation(&err) => return Err(contact_exists()),
        other => other?,
    };
    let automation = replace_tags(&txn, tenant, inserted.id, &tags).await?;
    txn.commit().await?;
    if automation {
        state.jobs.notify();
    }
    state.events.publish(
        tenant.company_id(),
        ServerEvent::ContactsChanged { by_user_id: Some(auth.user_id) },
    );
    Ok(to_dto(inserted, tags))
}

pub async fn get(state: &AppState, auth: &AuthUser, id: Uuid) -> AppResult<ContactDto> {
    let row = find_live(&state.db, auth.tenant(), id).await?;
    let tags = tags_of(&state.db, auth.tenant(), &[id]).await?.remove(&id).unwrap_or_default();
    Ok(to_dto(row, tags))
}

/// # Errors
/// 404, `validation_failed`, 409 `contact_exists` (the new phone belongs to another contact).
#[tracing::instrument(skip_all, fields(company_id = %auth.company_id()))]
pub async fn update(
    state: &AppState,
    auth: &AuthUser,
    id: Uuid,
    req: UpdateContactRequest,
) -> AppResult<ContactDto> {
    let tenant = auth.tenant();
    let txn = state.db.begin().await?;
    let current = find_live(&txn, tenant, id).await?;
    let phone = match req.phone.as_deref() {
        Some(raw) => PhoneE164::parse(raw, &default_country(&txn, tenant).await?, "phone")?
            .as_str()
            .to_owned(),
        None => current.phone.clone(),
    };
    let name = match req.name.as_deref() {
        Some(raw) => optional_name(Some(raw))?,
        None => current.name.clone(),
    };
    let email = match req.email.as_deref() {
        Some(raw) => optional_email(Some(raw))?,
        None => current.email.clone(),
    };
    let notes = match req.notes.as_deref() {
        Some(raw) => optional_notes(Some(raw))?,
        None => current.notes.clone(),
    };
    let tags = match &req.tags {
        Some(raw) => Some(normalise_tags(raw)?),
        None => None,
    };
    let mut attributes = match &current.attributes {
        Value::Object(map) => map.clone(),
        _ => Map::new(),
    };
    if let Some(replacement) = &req.attributes {
        attributes = FieldSet::load(&txn, tenant).await?.coerce_all(replacement)?;
    }

    let now = db::now();
    let mut active: contacts::ActiveModel = current.clone().into();
    active.search_text = Set(search_text(&name, &phone, email.as_deref()));
    active.phone = Set(phone);
    active.name = Set(name);
    active.email = Set(email);
    active.notes = Set(notes);
    active.attributes = Set(Value::Object(attributes));
    if let Some(opted_out) = req.opted_out {
        if opted_out != current.opted_out {
            active.opted_out = Set(opted_out);
            active.opted_out_at = Set(opted_out.then_some(now));
            active.opted_out_via = Set(opted_out.then(|| "manual".to_owned()));
        }
    }
    active.updated_at = Set(now);
    let updated = match active.update(&txn).await {
        Err(err) if db::is_unique_violation(&err) => return Err(contact_exists()),
        other => other?,
    };
    let mut automation = false;
    let tags = match tags {
        Some(tags) => {
            if replace_tags(&txn, tenant, id, &tags).await? {
                automation = true;
            }
            tags
        }
        None => tags_of(&txn, tenant, &[id]).await?.remove(&id).unwrap_or_default(),
    };
    txn.commit().await?;
    if automation {
        state.jobs.notify();
    }
    state.events.publish(
        tenant.company_id(),
        ServerEvent::ContactsChanged { by_user_id: Some(auth.user_id) },
    );
    Ok(to_dto(updated, tags))
}

/// Soft delete: the row stays for message history, the phone number is free again.
pub async fn delete(state: &AppState, auth: &AuthUser, id: Uuid) -> AppResult<()> {
    let now = db::now();
    let result = auth
        .tenant()
        .update_many::<contacts::Entity>()
        .col_expr(contacts::Column::DeletedAt, Expr::value(now))
        .col_expr(contacts::Column::UpdatedAt, Expr::value(now))
        .filter(contacts::Column::Id.eq(id))
        .filter(contacts::Column::DeletedAt.is_null())
        .exec(&state.db)
        .await?;
    if result.rows_affected == 0 {
        return Err(AppError::not_found());
    }
    state.events.publish(
        auth.company_id(),
        ServerEvent::ContactsChanged { by_user_id: Some(auth.user_id) },
    );
    Ok(())
}

/// How a contact list is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContactSort {
    /// Newest first (the default).
    #[default]
    Newest,
    Oldest,
    /// By name, A to Z (contacts without a name first).
    Name,
}

/// Where the previous page stopped.
enum Cursor {
    Id(Uuid),
    /// `<id>:<name>` for the name order.
    Name(Uuid, String),
}

impl Cursor {
    fn parse(raw: Option<&str>, sort: ContactSort) -> AppResult<Option<Cursor>> {
        let Some(raw) = raw.filter(|r| !r.is_empty()) else { return Ok(None) };
        let bad = || {
            AppError::new(ErrorCode::BadRequest, "The cursor is not valid; start again without it.")
        };
        match sort {
            ContactSort::Newest | ContactSort::Oldest => {
                Uuid::parse_str(raw).map(|id| Some(Cursor::Id(id))).map_err(|_| bad())
            }
            ContactSort::Name => {
                let (id, name) = raw.split_once(':').ok_or_else(bad)?;
                let id = Uuid::parse_str(id).map_err(|_| bad())?;
                Ok(Some(Cursor::Name(id, name.to_owned())))
            }
        }
    }

    fn after(contact: &ContactDto, sort: ContactSort) -> Cursor {
        match sort {
            ContactSort::Newest | ContactSort::Oldest => Cursor::Id(contact.id),
            ContactSort::Name => Cursor::Name(contact.id, contact.name.clone()),
        }
    }

    fn encode(&self) -> String {
        match self {
            Cursor::Id(id) => id.to_string(),
            Cursor::Name(id, name) => format!("{id}:{name}"),
        }
    }
}

/// `GET /api/v1/contacts` and `GET /api/v1/contacts/export` query parameters.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct ContactFilter {
    /// Substring of the name, email or phone (digits may be typed with formatting).
    pub q: Option<String>,
    /// Only contacts with this tag.
    pub tag: Option<String>,
    /// Only the contacts of this segment (which never holds opted-out contacts).
    pub segment_id: Option<Uuid>,
    /// `true`: only opted-out contacts; `false`: only reachable ones.
    pub opted_out: Option<bool>,
    /// A segment filter as JSON: `{"tags_all": ["vip"], "conditions": [{"field": "plan",
    /// "op": "eq", "value": "gold"}]}`.
    pub filter: Option<String>,
    pub sort: Option<ContactSort>,
    /// Items per page (1–200, default 50).
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl ContactFilter {
    /// # Errors
    /// `validation_failed` on `filter` when it is not a segment filter.
    pub fn list_filter(&self) -> AppResult<ContactListFilter> {
        let filter = match self.filter.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
            None => None,
            Some(raw) => Some(serde_json::from_str::<SegmentFilter>(raw).map_err(|e| {
                AppError::field("filter", format!("The filter is not a segment filter: {e}"))
            })?),
        };
        Ok(ContactListFilter {
            q: self.q.clone(),
            tag: self.tag.clone(),
            segment_id: self.segment_id,
            opted_out: self.opted_out,
            filter,
        })
    }
}

/// One batch of the matching contacts after `cursor`, in `sort` order, with their tags.
async fn fetch_batch<C: ConnectionTrait>(
    conn: &C,
    tenant: Tenant,
    condition: Condition,
    sort: ContactSort,
    cursor: Option<&Cursor>,
    limit: u64,
) -> AppResult<Vec<ContactDto>> {
    let mut query = tenant.select::<contacts::Entity>().filter(condition).limit(limit);
    query = match sort {
        ContactSort::Newest => query.order_by_desc(contacts::Column::Id),
        ContactSort::Oldest => query.order_by_asc(contacts::Column::Id),
        ContactSort::Name => {
            query.order_by_asc(contacts::Column::Name).order_by_asc(contacts::Column::Id)
        }
    };
    query = match cursor {
        None => query,
        Some(Cursor::Id(id)) if sort == ContactSort::Oldest => {
            query.filter(contacts::Column::Id.gt(*id))
        }
        Some(Cursor::Id(id)) => query.filter(contacts::Column::Id.lt(*id)),
        Some(Cursor::Name(id, name)) => query.filter(
            Condition::any().add(contacts::Column::Name.gt(name.clone())).add(
                Condition::all()
                    .add(contacts::Column::Name.eq(name.clone()))
                    .add(contacts::Column::Id.gt(*id)),
            ),
        ),
    };
    let rows = query.all(conn).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut tags = tags_of(conn, tenant, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let row_tags = tags.remove(&row.id).unwrap_or_default();
            to_dto(row, row_tags)
        })
        .collect())
}

/// One page of contacts matching the filters, in the requested order.
pub async fn list(
    state: &AppState,
    auth: &AuthUser,
    filter: &ContactFilter,
) -> AppResult<Page<ContactDto>> {
    let limit = PageParams { limit: filter.limit, cursor: None }.limit();
    let sort = filter.sort.unwrap_or_default();
    let cursor = Cursor::parse(filter.cursor.as_deref(), sort)?;
    let condition =
        filter::list_condition(&state.db, auth.tenant(), &filter.list_filter()?).await?;
    let items =
        fetch_batch(&state.db, auth.tenant(), condition, sort, cursor.as_ref(), limit + 1).await?;
    Ok(page_by(items, limit, |c| Cursor::after(c, sort).encode()))
}

/// How many contacts match the filters.
pub async fn count(
    state: &AppState,
    auth: &AuthUser,
    filter: &ContactListFilter,
) -> AppResult<u64> {
    let condition = filter::list_condition(&state.db, auth.tenant(), filter).await?;
    Ok(auth.tenant().select::<contacts::Entity>().filter(condition).count(&state.db).await?)
}

const MAX_BULK_IDS: usize = 1000;

/// Tag, untag, delete or opt out many contacts at once: the listed ids, or everything a filter
/// matches (one statement each, so 100,000 contacts take one round trip, not 100,000).
///
/// # Errors
/// 403 for an agent deleting, `validation_failed` for bad tags or too many ids.
#[tracing::instrument(skip_all, fields(company_id = %auth.company_id()))]
pub async fn bulk(
    state: &AppState,
    auth: &AuthUser,
    req: BulkContactsRequest,
) -> AppResult<BulkResult> {
    let tenant = auth.tenant();
    let condition = match &req.selection {
        ContactSelection::Ids(ids) => {
            if ids.len() > MAX_BULK_IDS {
                return Err(AppError::field(
                    "selection",
                    format!("Select at most {MAX_BULK_IDS} contacts, or use a filter."),
                ));
            }
            Condition::all()
                .add(contacts::Column::CompanyId.eq(tenant.company_id()))
                .add(contacts::Column::DeletedAt.is_null())
                .add(contacts::Column::Id.is_in(ids.iter().copied()))
        }
        ContactSelection::Filter(filter) => {
            filter::list_condition(&state.db, tenant, filter).await?
        }
    };
    let matching = || {
        Query::select()
            .column(contacts::Column::Id)
            .from(contacts::Entity)
            .cond_where(condition.clone())
            .to_owned()
    };
    let now = db::now();
    let txn = state.db.begin().await?;
    let affected = match &req.action {
        BulkAction::AddTags { tags } => {
            let tags = normalise_tags(tags)?;
            if tags.is_empty() {
                return Err(AppError::field("action.tags", "Name at least one tag."));
            }
            for tag in &tags {
                // INSERT INTO contact_tags SELECT id, company_id, 'tag' FROM contacts WHERE ...
                let select = Query::select()
                    .column(contacts::Column::Id)
                    .column(contacts::Column::CompanyId)
                    .expr(Expr::val(tag.clone()))
                    .from(contacts::Entity)
                    .cond_where(condition.clone())
                    .to_owned();
                let insert = Query::insert()
                    .into_table(contact_tags::Entity)
                    .columns([
                        contact_tags::Column::ContactId,
                        contact_tags::Column::CompanyId,
                        contact_tags::Column::Tag,
                    ])
                    .select_from(select)
                    .map_err(|e| AppError::internal(format!("bulk tag insert: {e}")))?
                    .on_conflict(
                        OnConflict::columns([
                            contact_tags::Column::ContactId,
                            contact_tags::Column::Tag,
                        ])
                        .do_nothing()
                        .to_owned(),
                    )
                    .to_owned();
                txn.execute(&insert).await?;
            }
            touch(&txn, condition.clone(), now).await?
        }
        BulkAction::RemoveTags { tags } => {
            let tags = normalise_tags(tags)?;
            if tags.is_empty() {
                return Err(AppError::field("action.tags", "Name at least one tag."));
            }
            tenant
                .delete_many::<contact_tags::Entity>()
                .filter(contact_tags::Column::Tag.is_in(tags))
                .filter(contact_tags::Column::ContactId.in_subquery(matching()))
                .exec(&txn)
                .await?;
            touch(&txn, condition.clone(), now).await?
        }
        BulkAction::Delete => {
            auth.require_admin()?;
            tenant
                .update_many::<contacts::Entity>()
                .col_expr(contacts::Column::DeletedAt, Expr::value(now))
                .col_expr(contacts::Column::UpdatedAt, Expr::value(now))
                .filter(condition.clone())
                .exec(&txn)
                .await?
                .rows_affected
        }
        BulkAction::OptOut => {
            tenant
                .update_many::<contacts::Entity>()
                .col_expr(contacts::Column::OptedOut, Expr::value(true))
                .col_expr(contacts::Column::OptedOutAt, Expr::value(now))
                .col_expr(contacts::Column::OptedOutVia, Expr::value("manual"))
                .col_expr(contacts::Column::UpdatedAt, Expr::value(now))
                .filter(condition.clone())
                .filter(contacts::Column::OptedOut.eq(false))
                .exec(&txn)
                .await?
                .rows_affected
        }
    };
    audit::record(
        &txn,
        tenant,
        AuditEntry::new(Some(auth.user_id), "contacts.bulk")
            .meta(serde_json::json!({"action": req.action, "affected": affected})),
    )
    .await?;
    txn.commit().await?;
    state.events.publish(
        tenant.company_id(),
        ServerEvent::ContactsChanged { by_user_id: Some(auth.user_id) },
    );
    Ok(BulkResult { affected })
}

/// Bumps `updated_at` of the selected contacts; returns how many there are.
async fn touch<C: ConnectionTrait>(
    conn: &C,
    condition: Condition,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<u64> {
    Ok(contacts::Entity::update_many()
        .col_expr(contacts::Column::UpdatedAt, Expr::value(now))
        .filter(condition)
        .exec(conn)
        .await?
        .rows_affected)
}

/// GDPR/LGPD erase: the person's data is removed for good — phone, name, email, attributes,
/// notes, tags. The row stays as an anonymous tombstone so conversations keep a valid reference.
/// Also works on a contact that was already (soft) deleted.
///
/// # Errors
/// 403 for agents, 404 for an unknown or already erased contact.
#[tracing::instrument(skip_all, fields(company_id = %auth.company_id()))]
pub async fn erase(state: &AppState, auth: &AuthUser, id: Uuid) -> AppResult<()> {
    auth.require_admin()?;
    let tenant = auth.tenant();
    let now = db::now();
    let txn = state.db.begin().await?;
    let result = tenant
        .update_many::<contacts::Entity>()
        .col_expr(contacts::Column::Phone, Expr::value(""))
        .col_expr(contacts::Column::Name, Expr::value(""))
        .col_expr(contacts::Column::Email, Expr::value(Option::<String>::None))
        .col_expr(contacts::Column::SearchText, Expr::value(""))
        .col_expr(contacts::Column::Attributes, Expr::value(Value::Object(Map::new())))
        .col_expr(contacts::Column::Notes, Expr::value(Option::<String>::None))
        .col_expr(contacts::Column::DeletedAt, Expr::col(contacts::Column::DeletedAt).if_null(now))
        .col_expr(contacts::Column::ErasedAt, Expr::value(now))
        .col_expr(contacts::Column::UpdatedAt, Expr::value(now))
        .filter(contacts::Column::Id.eq(id))
        .filter(contacts::Column::ErasedAt.is_null())
        .exec(&txn)
        .await?;
    if result.rows_affected == 0 {
        return Err(AppError::not_found());
    }
    tenant
        .delete_many::<contact_tags::Entity>()
        .filter(contact_tags::Column::ContactId.eq(id))
        .exec(&txn)
        .await?;
    // The audit entry names the id only: writing the erased data down again would defeat it.
    audit::record(
        &txn,
        tenant,
        AuditEntry::new(Some(auth.user_id), "contact.erased").target("contact", id),
    )
    .await?;
    txn.commit().await?;
    state.events.publish(
        tenant.company_id(),
        ServerEvent::ContactsChanged { by_user_id: Some(auth.user_id) },
    );
    Ok(())
}
const EXPORT_BATCH: u64 = 1000;
const FIXED_COLUMNS: [&str; 7] =
    ["phone", "name", "email", "tags", "opted_out", "notes", "created_at"];

/// The CSV export of a filter, in the list's order: the columns import understands
/// (`phone,name,email,tags`), then `opted_out,notes,created_at`, then one column per attribute
/// (defined fields first, then any other key found). Starts with a UTF-8 BOM so spreadsheet
/// programs read accents right. Produced in batches, never all in memory.
pub async fn export_csv(
    state: &AppState,
    auth: &AuthUser,
    filter: ContactFilter,
) -> AppResult<impl futures::Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + 'static> {
    let tenant = auth.tenant();
    let sort = filter.sort.unwrap_or_default();
    let condition = filter::list_condition(&state.db, tenant, &filter.list_filter()?).await?;
    // Attributes are free-form, so the columns come from a first pass over the keys in use.
    let mut keys = BTreeSet::new();
    let mut cursor = None;
    loop {
        let rows = tenant
            .select::<contacts::Entity>()
            .filter(condition.clone())
            .filter(cursor.map_or(Condition::all(), |c: Uuid| {
                Condition::all().add(contacts::Column::Id.lt(c))
            }))
            .order_by_desc(contacts::Column::Id)
            .limit(EXPORT_BATCH)
            .all(&state.db)
            .await?;
        for row in &rows {
            if let Value::Object(map) = &row.attributes {
                keys.extend(map.keys().cloned());
            }
        }
        match rows.last() {
            Some(last) if rows.len() as u64 == EXPORT_BATCH => cursor = Some(last.id),
            _ => break,
        }
    }
    let keys: Vec<String> = keys.into_iter().collect();
    let mut header = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    let columns: Vec<&str> =
        FIXED_COLUMNS.iter().copied().chain(keys.iter().map(String::as_str)).collect();
    header.write_record(&columns).map_err(|e| AppError::internal(format!("csv header: {e}")))?;
    let header = header.into_inner().map_err(|e| AppError::internal(format!("csv header: {e}")))?;

    let db = state.db.clone();
    struct Progress {
        cursor: Option<Cursor>,
        header: Option<Vec<u8>>,
        done: bool,
    }
    let start = Progress { cursor: None, header: Some(header), done: false };
    // Fused: response layers (compression) may poll once more after the end, which a bare
    // `unfold` answers with a panic.
    Ok(futures::StreamExt::fuse(futures::stream::unfold(start, move |mut progress| {
        let db = db.clone();
        let condition = condition.clone();
        let keys = keys.clone();
        async move {
            if let Some(header) = progress.header.take() {
                return Some((Ok(header), progress));
            }
            if progress.done {
                return None;
            }
            let batch =
                fetch_batch(&db, tenant, condition, sort, progress.cursor.as_ref(), EXPORT_BATCH)
                    .await;
            let batch = match batch {
                Ok(batch) => batch,
                Err(err) => {
                    tracing::error!(error = %err, "contact export failed mid-stream");
                    progress.done = true;
                    return Some((Err(std::io::Error::other("export failed")), progress));
                }
            };
            progress.done = (batch.len() as u64) < EXPORT_BATCH;
            progress.cursor = batch.last().map(|c| Cursor::after(c, sort));
            if batch.is_empty() {
                return None;
            }
            let mut writer = csv::Writer::from_writer(Vec::new());
            for contact in &batch {
                let mut record = vec![
                    contact.phone.clone(),
                    contact.name.clone(),
                    contact.email.clone().unwrap_or_default(),
                    contact.tags.join(", "),
                    contact.opted_out.to_string(),
                    contact.notes.clone().unwrap_or_default(),
                    contact.created_at.to_rfc3339(),
                ];
                for key in &keys {
                    record.push(match contact.attributes.get(key) {
                        None | Some(Value::Null) => String::new(),
                        Some(Value::String(text)) => text.clone(),
                        Some(other) => other.to_string(),
                    });
                }
                if let Err(err) = writer.write_record(&record) {
                    return Some((Err(std::io::Error::other(err.to_string())), progress));
                }
            }
            Some((writer.into_inner().map_err(|e| std::io::Error::other(e.to_string())), progress))
        }
    })))
}

/// The live contact with this phone, created when a customer writes first. A name the team
/// typed is kept; an empty one takes the customer's WhatsApp profile name.
///
/// Runs inside the caller's transaction; a concurrent delivery creating the same contact is
/// absorbed (savepoint, then read the winner's row).
///
/// # Errors
/// Database errors only.
pub async fn find_or_create_by_phone<C: TransactionTrait + ConnectionTrait>(
    conn: &C,
    tenant: Tenant,
    phone: &PhoneE164,
    profile_name: Option<&str>,
) -> AppResult<contacts::Model> {
    let profile_name = profile_name
        .map(|n| n.trim().chars().take(120).collect::<String>())
        .filter(|n| !n.is_empty());
    if let Some(found) = live_by_phone(conn, tenant, phone).await? {
        return match profile_name {
            Some(name) if found.name.is_empty() && found.erased_at.is_none() => {
                let mut active: contacts::ActiveModel = found.clone().into();
                active.search_text = Set(search_text(&name, &found.phone, found.email.as_deref()));
                active.name = Set(name);
                active.updated_at = Set(db::now());
                Ok(active.update(conn).await?)
            }
            _ => Ok(found),
        };
    }
    let name = profile_name.unwrap_or_default();
    let now = db::now();
    let row = contacts::ActiveModel {
        id: Set(Uuid::now_v7()),
        company_id: Set(tenant.company_id()),
        phone: Set(phone.as_str().to_owned()),
        search_text: Set(search_text(&name, phone.as_str(), None)),
        name: Set(name),
        email: Set(None),
        attributes: Set(Value::Object(Map::new())),
        notes: Set(None),
        opted_out: Set(false),
        opted_out_at: Set(None),
        opted_out_via: Set(None),
        last_contacted_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        deleted_at: Set(None),
        erased_at: Set(None),
    };
    let savepoint = conn.begin().await?;
    match row.insert(&savepoint).await {
        Ok(inserted) => {
            savepoint.commit().await?;
            Ok(inserted)
        }
        Err(err) if db::is_unique_violation(&err) => {
            savepoint.rollback().await?;
            live_by_phone(conn, tenant, phone)
                .await?
                .ok_or_else(|| AppError::internal("contact vanished after a conflict"))
        }
        Err(err) => Err(err.into()),
    }
}

async fn live_by_phone<C: ConnectionTrait>(
    conn: &C,
    tenant: Tenant,
    phone: &PhoneE164,
) -> AppResult<Option<contacts::Model>> {
    Ok(tenant
        .select::<contacts::Entity>()
        .filter(contacts::Column::Phone.eq(phone.as_str()))
        .filter(contacts::Column::DeletedAt.is_null())
        .one(conn)
        .await?)
}

/// Records an opt-out (or the customer's own opt-in) that came from the customer: a STOP/SAIR
/// reply, or Meta's marketing-preference button. Returns whether anything changed.
///
/// # Errors
/// Database errors only.
pub async fn set_opt_out_from_customer<C: ConnectionTrait>(
    conn: &C,
    contact: &contacts::Model,
    opted_out: bool,
    via: &str,
) -> AppResult<bool> {
    if contact.opted_out == opted_out {
        return Ok(false);
    }
    let now = db::now();
    let mut active: contacts::ActiveModel = contact.clone().into();
    active.opted_out = Set(opted_out);
    active.opted_out_at = Set(opted_out.then_some(now));
    active.opted_out_via = Set(opted_out.then(|| via.to_owned()));
    active.updated_at = Set(now);
    active.update(conn).await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_normalised() {
        let tags = normalise_tags(&["  VIP ".into(), "vip".into(), "".into(), "São Paulo".into()])
            .unwrap();
        assert_eq!(tags, ["são paulo", "vip"]);
        assert!(normalise_tags(&["a,b".into()]).is_err());
        assert!(normalise_tags(&["x".repeat(65)]).is_err());
        let many: Vec<String> = (0..51).map(|n| format!("t{n}")).collect();
        assert!(normalise_tags(&many).is_err());
    }
}
