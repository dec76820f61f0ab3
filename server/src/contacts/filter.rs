//! Which contacts a list, an export, a bulk action or a segment (a campaign audience) means.
//!
//! Everything ends up as one sea-query `Condition` over `contacts`, so the same filter gives the
//! same rows everywhere. Attribute conditions read JSON with each backend's own functions
//! (`json_extract` on SQLite, `->>` on PostgreSQL); the key is interpolated only after
//! [`fields::is_valid_key`] proved it is `[a-z0-9_]`, values are always bound parameters.

use sea_orm::{
    sea_query::{Expr, ExprTrait, Func, LikeExpr, Query, SimpleExpr},
    ColumnTrait, Condition, ConnectionTrait, DbBackend,
};
use serde_json::Value;
use shared::api::{AttributeCondition, ConditionOp, ContactListFilter, FieldKind, SegmentFilter};

use super::{
    domain::normalise_tags,
    fields::{self, FieldSet},
};
use crate::{
    db::{
        entities::{contact_tags, contacts, segments},
        Tenant,
    },
    error::{AppError, AppResult},
};

const MAX_CONDITIONS: usize = 20;

/// Escapes `%`, `_` and `\` for a `LIKE ... ESCAPE '\'` pattern.
pub fn like_pattern(needle: &str) -> String {
    let escaped = needle.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

/// `LIKE '%needle%' ESCAPE '\'`, the needle matched literally.
pub fn like(needle: &str) -> LikeExpr {
    LikeExpr::new(like_pattern(needle)).escape('\\')
}

/// Live (not deleted) contacts of the company matching the list filters.
///
/// # Errors
/// 404 for an unknown `segment_id`, `validation_failed` for a bad filter.
pub async fn list_condition<C: ConnectionTrait>(
    conn: &C,
    tenant: Tenant,
    filter: &ContactListFilter,
) -> AppResult<Condition> {
    let backend = conn.get_database_backend();
    let mut condition = Condition::all()
        .add(contacts::Column::CompanyId.eq(tenant.company_id()))
        .add(contacts::Column::DeletedAt.is_null());
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let mut any = Condition::any()
            .add(Expr::col(contacts::Column::SearchText).like(like(&q.to_lowercase())));
        // "(21) 92222" should find +552192222...: also match the digits against the phone.
        let digits: String = q.chars().filter(char::is_ascii_digit).collect();
        if digits.len() >= 3 {
            any = any.add(Expr::col(contacts::Column::Phone).like(like(&digits)));
        }
        condition = condition.add(any);
    }
    if let Some(tag) = filter.tag.as_deref() {
        let tags = normalise_tags(&[tag.to_owned()])?;
        if !tags.is_empty() {
            condition = condition.add(contacts::Column::Id.in_subquery(tagged(tenant, &tags)));
        }
    }
    if let Some(opted_out) = filter.opted_out {
        condition = condition.add(contacts::Column::OptedOut.eq(opted_out));
    }
    let needs_fields = filter.segment_id.is_some() || filter.filter.is_some();
    let fields =
        if needs_fields { FieldSet::load(conn, tenant).await? } else { FieldSet::default() };
    if let Some(segment_id) = filter.segment_id {
        let segment = tenant
            .select_by_id::<segments::Entity>(segment_id)
            .one(conn)
            .await?
            .ok_or_else(AppError::not_found)?;
        let saved: SegmentFilter = serde_json::from_value(segment.filter).unwrap_or_default();
        condition = condition.add(segment_condition(backend, tenant, &fields, &saved)?);
    }
    if let Some(extra) = &filter.filter {
        condition = condition.add(filter_condition(backend, tenant, &fields, extra)?);
    }
    Ok(condition)
}

/// A segment: its filter, never opted-out contacts, never deleted ones.
pub fn segment_condition(
    backend: DbBackend,
    tenant: Tenant,
    fields: &FieldSet,
    filter: &SegmentFilter,
) -> AppResult<Condition> {
    Ok(Condition::all()
        .add(contacts::Column::CompanyId.eq(tenant.company_id()))
        .add(contacts::Column::DeletedAt.is_null())
        .add(contacts::Column::OptedOut.eq(false))
        .add(filter_condition(backend, tenant, fields, filter)?))
}

/// Tags and attribute conditions, all of which must hold.
///
/// # Errors
/// `validation_failed` naming the part (`filter.tags_any`, `filter.conditions[2].value`, ...).
pub fn filter_condition(
    backend: DbBackend,
    tenant: Tenant,
    fields: &FieldSet,
    filter: &SegmentFilter,
) -> AppResult<Condition> {
    let mut condition = Condition::all();
    let tags = |raw: &[String], name: &str| {
        normalise_tags(raw).map_err(|e| e.with_field(&format!("filter.{name}")))
    };
    let any = tags(&filter.tags_any, "tags_any")?;
    if !any.is_empty() {
        condition = condition.add(contacts::Column::Id.in_subquery(tagged(tenant, &any)));
    }
    for tag in tags(&filter.tags_all, "tags_all")? {
        condition = condition.add(contacts::Column::Id.in_subquery(tagged(tenant, &[tag])));
    }
    let none = tags(&filter.tags_none, "tags_none")?;
    if !none.is_empty() {
        condition = condition.add(contacts::Column::Id.not_in_subquery(tagged(tenant, &none)));
    }
    if filter.conditions.len() > MAX_CONDITIONS {
        return Err(AppError::field(
            "filter.conditions",
            format!("Use at most {MAX_CONDITIONS} conditions."),
        ));
    }
    for (index, rule) in filter.conditions.iter().enumerate() {
        condition = condition.add(
            attribute_condition(backend, fields, rule)
                .map_err(|msg| AppError::field(&format!("filter.conditions[{index}]"), msg))?,
        );
    }
    Ok(condition)
}

/// `SELECT contact_id FROM contact_tags WHERE company_id = ? AND tag IN (...)`.
fn tagged(tenant: Tenant, tags: &[String]) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(contact_tags::Column::ContactId)
        .from(contact_tags::Entity)
        .and_where(contact_tags::Column::CompanyId.eq(tenant.company_id()))
        .and_where(contact_tags::Column::Tag.is_in(tags.iter().cloned()))
        .to_owned()
}

/// The attribute as SQL text (strings unquoted, numbers and booleans as written).
fn text_of(backend: DbBackend, key: &str) -> SimpleExpr {
    match backend {
        DbBackend::Postgres => Expr::cust(format!("(attributes->>'{key}')")),
        _ => Expr::cust(format!("CAST(json_extract(attributes, '$.{key}') AS TEXT)")),
    }
}

/// The attribute as a number, `NULL` unless it is a JSON number.
fn number_of(backend: DbBackend, key: &str) -> SimpleExpr {
    match backend {
        DbBackend::Postgres => Expr::cust(format!(
            "(CASE WHEN json_typeof(attributes->'{key}') = 'number' \
             THEN CAST(attributes->>'{key}' AS DOUBLE PRECISION) END)"
        )),
        _ => Expr::cust(format!(
            "(CASE WHEN json_type(attributes, '$.{key}') IN ('integer', 'real') \
             THEN json_extract(attributes, '$.{key}') END)"
        )),
    }
}

/// The attribute's JSON boolean as the text `true`/`false`, `NULL` otherwise.
fn bool_of(backend: DbBackend, key: &str) -> SimpleExpr {
    match backend {
        DbBackend::Postgres => Expr::cust(format!(
            "(CASE WHEN json_typeof(attributes->'{key}') = 'boolean' THEN attributes->>'{key}' END)"
        )),
        _ => Expr::cust(format!(
            "(CASE WHEN json_type(attributes, '$.{key}') IN ('true', 'false') \
             THEN json_type(attributes, '$.{key}') END)"
        )),
    }
}

fn attribute_condition(
    backend: DbBackend,
    fields: &FieldSet,
    rule: &AttributeCondition,
) -> Result<SimpleExpr, String> {
    let key = rule.field.trim();
    if !fields::is_valid_key(key) {
        return Err(format!("{key:?} is not a field name."));
    }
    let kind = fields.kind_of(key);
    match rule.op {
        ConditionOp::IsSet => return Ok(text_of(backend, key).is_not_null()),
        ConditionOp::IsNotSet => return Ok(text_of(backend, key).is_null()),
        _ => {}
    }
    let raw = rule.value.clone().unwrap_or(Value::Null);
    if Value::is_null(&raw) || raw == "" {
        return Err("Enter a value to compare with.".to_owned());
    }
    let value = match kind {
        Some(_) => fields.coerce(key, &raw)?,
        None => raw,
    };
    let ordered =
        matches!(rule.op, ConditionOp::Gt | ConditionOp::Gte | ConditionOp::Lt | ConditionOp::Lte);
    if ordered && !matches!(kind, Some(FieldKind::Number | FieldKind::Date)) {
        return Err("Greater/less than needs a number or date field.".to_owned());
    }
    // Numbers compare as numbers, booleans as JSON booleans, everything else as text
    // (dates are ISO `YYYY-MM-DD`, so text order is date order).
    let (left, right): (SimpleExpr, sea_orm::Value) = match &value {
        Value::Number(n) if kind != Some(FieldKind::Text) && rule.op != ConditionOp::Contains => {
            (number_of(backend, key), n.as_f64().unwrap_or_default().into())
        }
        Value::Bool(b) => (bool_of(backend, key), b.to_string().into()),
        Value::String(s) => (text_of(backend, key), s.clone().into()),
        other => (text_of(backend, key), other.to_string().into()),
    };
    Ok(match rule.op {
        ConditionOp::Eq => left.eq(right),
        // "Plan is not gold" includes contacts without a plan.
        ConditionOp::Ne => left.clone().ne(right).or(left.is_null()),
        ConditionOp::Contains => {
            let needle = match &value {
                Value::String(s) => s.to_lowercase(),
                other => other.to_string(),
            };
            Expr::expr(Func::lower(left)).like(like(&needle))
        }
        ConditionOp::Gt => left.gt(right),
        ConditionOp::Gte => left.gte(right),
        ConditionOp::Lt => left.lt(right),
        ConditionOp::Lte => left.lte(right),
        // Answered before reading the value.
        ConditionOp::IsSet => left.is_not_null(),
        ConditionOp::IsNotSet => left.is_null(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }

    #[test]
    fn ordered_comparisons_need_typed_fields() {
        let rule = AttributeCondition {
            field: "plan".into(),
            op: ConditionOp::Gt,
            value: Some(Value::from("gold")),
        };
        assert!(attribute_condition(DbBackend::Sqlite, &FieldSet::default(), &rule).is_err());
        let bad_key = AttributeCondition { field: "x'; DROP".into(), ..rule };
        assert!(attribute_condition(DbBackend::Postgres, &FieldSet::default(), &bad_key).is_err());
    }
}
