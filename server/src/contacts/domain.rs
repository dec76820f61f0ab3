//! Contacts: create, read, update, soft-delete and list with search, tag filter and cursor
//! pagination. Both the REST handlers and (later) the CSV import and inbound messages use these.

use std::collections::{BTreeSet, HashMap};

use sea_orm::{
    sea_query::{Expr, Query},
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};
use serde::Deserialize;
use serde_json::{Map, Value};
use shared::{
    api::{ContactDto, CreateContactRequest, Page, UpdateContactRequest},
    ErrorCode, ServerEvent,
};
use uuid::Uuid;

use super::phone::PhoneE164;
use crate::{
    auth::AuthUser,
    db::{
        self,
        entities::{companies, contact_tags, contacts},
        Tenant,
    },
    error::{AppError, AppResult},
    pagination::{page, PageParams},
    state::AppState,
    types::{DisplayName, EmailAddress},
};

const MAX_TAGS: usize = 50;
const MAX_TAG_LEN: usize = 64;
const MAX_ATTRIBUTES: usize = 100;
const MAX_NOTES: usize = 10_000;

/// `GET /api/v1/contacts` filters.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct ContactFilter {
    /// Substring of the name, email or phone (digits may be typed with formatting).
    pub q: Option<String>,
    /// Only contacts with this tag.
    pub tag: Option<String>,
    /// Items per page (1–200, default 50).
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl ContactFilter {
    // Not `#[serde(flatten)]`: flattening makes query-string numbers arrive as strings.
    fn page(&self) -> PageParams {
        PageParams { limit: self.limit, cursor: self.cursor.clone() }
    }
}

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

/// Attribute keys are `snake_case` identifiers; values are text, numbers or booleans (`null`
/// removes a key when merging).
///
/// # Errors
/// `validation_failed` on `attributes`.
fn check_attributes(attributes: &Map<String, Value>) -> AppResult<()> {
    if attributes.len() > MAX_ATTRIBUTES {
        return Err(AppError::field(
            "attributes",
            format!("At most {MAX_ATTRIBUTES} attributes per contact."),
        ));
    }
    for (key, value) in attributes {
        let key_ok = !key.is_empty()
            && key.len() <= 64
            && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !key_ok {
            return Err(AppError::field(
                "attributes",
                format!("Attribute name {key:?} must be 1–64 characters of a–z, 0–9 and _."),
            ));
        }
        let value_ok = match value {
            Value::String(s) => s.chars().count() <= 1000,
            Value::Number(_) | Value::Bool(_) | Value::Null => true,
            Value::Array(_) | Value::Object(_) => false,
        };
        if !value_ok {
            return Err(AppError::field(
                "attributes",
                format!("Attribute {key:?} must be text (up to 1000 characters), a number or true/false."),
            ));
        }
    }
    Ok(())
}

fn optional_email(raw: Option<&str>) -> AppResult<Option<String>> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(value) => Ok(Some(EmailAddress::parse(value, "email")?.as_str().to_owned())),
    }
}

fn optional_name(raw: Option<&str>) -> AppResult<String> {
    match raw.map(str::trim) {
        None | Some("") => Ok(String::new()),
        Some(value) => Ok(DisplayName::parse(value, "name")?.into_inner()),
    }
}

fn optional_notes(raw: Option<&str>) -> AppResult<Option<String>> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(value) if value.chars().count() > MAX_NOTES => {
            Err(AppError::field("notes", format!("Notes are limited to {MAX_NOTES} characters.")))
        }
        Some(value) => Ok(Some(value.to_owned())),
    }
}

fn search_text(name: &str, phone: &str, email: Option<&str>) -> String {
    format!("{} {} {}", name.to_lowercase(), phone, email.unwrap_or_default()).trim().to_owned()
}

fn contact_exists() -> AppError {
    AppError::new(ErrorCode::ContactExists, "A contact with this phone number already exists.")
        .with_field("phone")
}

async fn default_country<C: ConnectionTrait>(conn: &C, tenant: Tenant) -> AppResult<String> {
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

async fn replace_tags<C: ConnectionTrait>(
    conn: &C,
    tenant: Tenant,
    contact_id: Uuid,
    tags: &[String],
) -> AppResult<()> {
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
    Ok(())
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
    let mut attributes = req.attributes;
    check_attributes(&attributes)?;
    attributes.retain(|_, v| !v.is_null());

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
    };
    let txn = state.db.begin().await?;
    let inserted = match row.insert(&txn).await {
        Err(err) if db::is_unique_violation(&err) => return Err(contact_exists()),
        other => other?,
    };
    replace_tags(&txn, tenant, inserted.id, &tags).await?;
    txn.commit().await?;
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
    if let Some(changes) = &req.attributes {
        check_attributes(changes)?;
        attributes = changes.clone();
        attributes.retain(|_, v| !v.is_null());
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
    let tags = match tags {
        Some(tags) => {
            replace_tags(&txn, tenant, id, &tags).await?;
            tags
        }
        None => tags_of(&txn, tenant, &[id]).await?.remove(&id).unwrap_or_default(),
    };
    txn.commit().await?;
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

/// Escapes `%`, `_` and `\` for a `LIKE ... ESCAPE '\'` pattern.
fn like_pattern(needle: &str) -> String {
    let escaped = needle.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

/// The filtered, newest-first query behind both the list and the CSV export.
fn filtered(
    tenant: Tenant,
    q: Option<&str>,
    tag: Option<&str>,
) -> sea_orm::Select<contacts::Entity> {
    use sea_orm::sea_query::{ExprTrait, LikeExpr};
    let mut query = tenant
        .select::<contacts::Entity>()
        .filter(contacts::Column::DeletedAt.is_null())
        .order_by_desc(contacts::Column::Id);
    if let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) {
        let pattern = |needle: &str| LikeExpr::new(like_pattern(needle)).escape('\\');
        let mut condition = sea_orm::Condition::any()
            .add(Expr::col(contacts::Column::SearchText).like(pattern(&q.to_lowercase())));
        // "(21) 92222" should find +552192222...: also match the digits against the phone.
        let digits: String = q.chars().filter(char::is_ascii_digit).collect();
        if digits.len() >= 3 {
            condition = condition.add(Expr::col(contacts::Column::Phone).like(pattern(&digits)));
        }
        query = query.filter(condition);
    }
    if let Some(tag) = tag.map(|t| t.trim().to_lowercase()).filter(|t| !t.is_empty()) {
        let tagged = Query::select()
            .column(contact_tags::Column::ContactId)
            .from(contact_tags::Entity)
            .and_where(contact_tags::Column::CompanyId.eq(tenant.company_id()))
            .and_where(contact_tags::Column::Tag.eq(tag))
            .to_owned();
        query = query.filter(contacts::Column::Id.in_subquery(tagged));
    }
    query
}

/// One batch of the filtered contacts after `cursor`, with their tags.
async fn fetch_batch<C: ConnectionTrait>(
    conn: &C,
    tenant: Tenant,
    filter: &ContactFilter,
    cursor: Option<Uuid>,
    limit: u64,
) -> AppResult<Vec<ContactDto>> {
    let mut query = filtered(tenant, filter.q.as_deref(), filter.tag.as_deref()).limit(limit);
    if let Some(cursor) = cursor {
        query = query.filter(contacts::Column::Id.lt(cursor));
    }
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

/// Newest first, filtered by `q` and `tag`, one page at a time.
pub async fn list(
    state: &AppState,
    auth: &AuthUser,
    filter: &ContactFilter,
) -> AppResult<Page<ContactDto>> {
    let page_params = filter.page();
    let limit = page_params.limit();
    let items =
        fetch_batch(&state.db, auth.tenant(), filter, page_params.cursor()?, limit + 1).await?;
    Ok(page(items, limit, |c: &ContactDto| c.id))
}

const EXPORT_BATCH: u64 = 1000;
const FIXED_COLUMNS: [&str; 7] =
    ["phone", "name", "email", "tags", "opted_out", "notes", "created_at"];

/// The CSV export of a filter: the columns import understands (`phone,name,email,tags`), then
/// `opted_out,notes,created_at`, then one column per attribute found. Starts with a UTF-8 BOM so
/// spreadsheet programs read accents right. Produced in batches, never all in memory.
pub async fn export_csv(
    state: &AppState,
    auth: &AuthUser,
    filter: ContactFilter,
) -> AppResult<impl futures::Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + 'static> {
    let tenant = auth.tenant();
    // First pass: the attribute columns (attributes are free-form, so look at every row).
    let mut keys = BTreeSet::new();
    let mut cursor = None;
    loop {
        let rows = filtered(tenant, filter.q.as_deref(), filter.tag.as_deref())
            .filter(cursor.map_or(sea_orm::Condition::all(), |c: Uuid| {
                sea_orm::Condition::all().add(contacts::Column::Id.lt(c))
            }))
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
        cursor: Option<Uuid>,
        header: Option<Vec<u8>>,
        done: bool,
    }
    let start = Progress { cursor: None, header: Some(header), done: false };
    Ok(futures::stream::unfold(start, move |mut progress| {
        let db = db.clone();
        let filter = filter.clone();
        let keys = keys.clone();
        async move {
            if let Some(header) = progress.header.take() {
                return Some((Ok(header), progress));
            }
            if progress.done {
                return None;
            }
            let batch = match fetch_batch(&db, tenant, &filter, progress.cursor, EXPORT_BATCH).await
            {
                Ok(batch) => batch,
                Err(err) => {
                    tracing::error!(error = %err, "contact export failed mid-stream");
                    progress.done = true;
                    return Some((Err(std::io::Error::other("export failed")), progress));
                }
            };
            progress.done = (batch.len() as u64) < EXPORT_BATCH;
            progress.cursor = batch.last().map(|c| c.id);
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
    }))
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

    #[test]
    fn attributes_are_flat_and_named_safely() {
        let ok: Map<String, Value> =
            serde_json::from_str(r#"{"plan": "gold", "age": 31, "vip": true, "gone": null}"#)
                .unwrap();
        check_attributes(&ok).unwrap();
        let nested: Map<String, Value> =
            serde_json::from_str(r#"{"address": {"city": "SP"}}"#).unwrap();
        assert!(check_attributes(&nested).is_err());
        let bad_key: Map<String, Value> = serde_json::from_str(r#"{"Plan Name": "gold"}"#).unwrap();
        assert!(check_attributes(&bad_key).is_err());
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }
}
