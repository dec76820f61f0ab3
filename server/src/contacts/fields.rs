//! Company-defined contact fields: a key, a label and a type for `contacts.attributes[key]`.
//!
//! Attributes without a definition stay free-form (text, number or true/false). Once a key is
//! defined, every write — the API, the UI, a CSV import — goes through [`FieldSet::coerce`], so a
//! `number` field holds numbers and a `choice` field one of its options, which is what lets segment
//! conditions compare them.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::{Map, Number, Value};
use shared::{
    api::{ContactFieldDto, CreateContactFieldRequest, FieldKind, UpdateContactFieldRequest},
    ErrorCode, ServerEvent,
};
use uuid::Uuid;

use crate::{
    auth::AuthUser,
    db::{self, entities::contact_fields, Tenant},
    error::{AppError, AppResult},
    state::AppState,
};

const MAX_FIELDS: u64 = 100;
const MAX_OPTIONS: usize = 100;
pub const MAX_TEXT: usize = 1000;

/// Keys are `snake_case` identifiers and may not shadow a contact column; the same rules as
/// the import's header mapping.
pub use shared::import::{is_attribute_key as is_valid_key, BUILT_IN as RESERVED_KEYS};

/// The field definitions of one company, loaded once per request or import.
#[derive(Debug, Clone, Default)]
pub struct FieldSet {
    by_key: HashMap<String, Definition>,
}

#[derive(Debug, Clone)]
struct Definition {
    label: String,
    kind: FieldKind,
    options: Vec<String>,
}

impl FieldSet {
    pub async fn load<C: ConnectionTrait>(conn: &C, tenant: Tenant) -> AppResult<FieldSet> {
        let rows = tenant.select::<contact_fields::Entity>().all(conn).await?;
        let by_key = rows
            .into_iter()
            .map(|row| {
                let definition = Definition {
                    kind: FieldKind::parse(&row.kind).unwrap_or(FieldKind::Text),
                    options: options_of(&row.options),
                    label: row.label,
                };
                (row.key, definition)
            })
            .collect();
        Ok(FieldSet { by_key })
    }

    pub fn kind_of(&self, key: &str) -> Option<FieldKind> {
        self.by_key.get(key).map(|d| d.kind)
    }

    /// Checks and normalises one attribute value. `null` passes through (it removes the key).
    ///
    /// # Errors
    /// A sentence naming the field, for the API's `validation_failed` or an import's reject.
    pub fn coerce(&self, key: &str, value: &Value) -> Result<Value, String> {
        if value.is_null() {
            return Ok(Value::Null);
        }
        let Some(definition) = self.by_key.get(key) else {
            return free_form(key, value);
        };
        let label = &definition.label;
        // The UI and CSV files send text; accept it for every kind and read it by the kind.
        let text = match value {
            Value::String(s) => Some(s.trim()),
            _ => None,
        };
        if text == Some("") {
            return Ok(Value::Null);
        }
        match definition.kind {
            FieldKind::Text => match value {
                Value::String(s) if s.chars().count() <= MAX_TEXT => {
                    Ok(Value::String(s.trim().to_owned()))
                }
                Value::String(_) => Err(format!("{label} is limited to {MAX_TEXT} characters.")),
                Value::Number(n) => Ok(Value::String(n.to_string())),
                _ => Err(format!("{label} must be text.")),
            },
            FieldKind::Number => {
                let number = match (value, text) {
                    (Value::Number(n), _) => n.as_f64(),
                    (_, Some(text)) => parse_number(text),
                    _ => None,
                };
                number
                    .and_then(json_number)
                    .ok_or_else(|| format!("{label} must be a number, like 42 or 3,5."))
            }
            FieldKind::Date => text
                .and_then(parse_date)
                .map(|d| Value::String(d.format("%Y-%m-%d").to_string()))
                .ok_or_else(|| format!("{label} must be a date, like 2024-03-31 or 31/03/2024.")),
            FieldKind::Boolean => match (value, text) {
                (Value::Bool(b), _) => Ok(Value::Bool(*b)),
                (_, Some(text)) => parse_bool(text)
                    .map(Value::Bool)
                    .ok_or_else(|| format!("{label} must be yes or no.")),
                _ => Err(format!("{label} must be yes or no.")),
            },
            FieldKind::Choice => {
                let wanted = match (value, text) {
                    (_, Some(text)) => text.to_owned(),
                    (Value::Number(n), _) => n.to_string(),
                    _ => String::new(),
                };
                definition
                    .options
                    .iter()
                    .find(|option| option.to_lowercase() == wanted.to_lowercase())
                    .map(|option| Value::String(option.clone()))
                    .ok_or_else(|| {
                        format!("{label} must be one of: {}.", definition.options.join(", "))
                    })
            }
        }
    }

    /// Checks a whole attribute map; `null`s are dropped.
    ///
    /// # Errors
    /// `validation_failed` on `attributes`.
    pub fn coerce_all(&self, attributes: &Map<String, Value>) -> AppResult<Map<String, Value>> {
        if attributes.len() > super::domain::MAX_ATTRIBUTES {
            return Err(AppError::field(
                "attributes",
                format!("At most {} attributes per contact.", super::domain::MAX_ATTRIBUTES),
            ));
        }
        let mut clean = Map::new();
        for (key, value) in attributes {
            if !is_valid_key(key) {
                return Err(AppError::field(
                    "attributes",
                    format!("Attribute name {key:?} must be 1–64 characters of a–z, 0–9 and _, starting with a letter."),
                ));
            }
            let value =
                self.coerce(key, value).map_err(|msg| AppError::field("attributes", msg))?;
            if !value.is_null() {
                clean.insert(key.clone(), value);
            }
        }
        Ok(clean)
    }
}

fn free_form(key: &str, value: &Value) -> Result<Value, String> {
    match value {
        Value::String(s) if s.chars().count() <= MAX_TEXT => Ok(Value::String(s.trim().to_owned())),
        Value::Number(_) | Value::Bool(_) => Ok(value.clone()),
        _ => Err(format!(
            "Attribute {key:?} must be text (up to {MAX_TEXT} characters), a number or true/false."
        )),
    }
}

fn json_number(value: f64) -> Option<Value> {
    if !value.is_finite() {
        return None;
    }
    // Whole numbers stay integers so they print as `3`, not `3.0`.
    if value.fract() == 0.0 && value.abs() < 9.0e15 {
        return Some(Value::Number(Number::from(value as i64)));
    }
    Number::from_f64(value).map(Value::Number)
}

/// Reads numbers as people write them: `42`, `-3.5`, `3,5`, `1.234,56`, `1,234.56`, `R$ 10`.
pub fn parse_number(raw: &str) -> Option<f64> {
    let cleaned: String = raw
        .trim()
        .trim_start_matches("R$")
        .trim_start_matches('$')
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if cleaned.is_empty() || !cleaned.chars().all(|c| c.is_ascii_digit() || ".,-+".contains(c)) {
        return None;
    }
    let last_dot = cleaned.rfind('.');
    let last_comma = cleaned.rfind(',');
    let decimal = match (last_dot, last_comma) {
        // Both present: the later one separates decimals, the other groups thousands.
        (Some(dot), Some(comma)) => Some(if dot > comma { '.' } else { ',' }),
        // One kind, several times: thousands groups (1.234.567).
        (Some(_), None) if cleaned.matches('.').count() > 1 => None,
        (None, Some(_)) if cleaned.matches(',').count() > 1 => None,
        (Some(_), None) => Some('.'),
        (None, Some(_)) => Some(','),
        (None, None) => None,
    };
    let normalised: String = cleaned
        .chars()
        .filter_map(|c| match c {
            '.' | ',' if Some(c) == decimal => Some('.'),
            '.' | ',' => None,
            other => Some(other),
        })
        .collect();
    normalised.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// `2024-03-31` or the Brazilian/European `31/03/2024` (also with `-` or `.`).
pub fn parse_date(raw: &str) -> Option<NaiveDate> {
    let raw = raw.trim();
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(raw, "%d/%m/%Y"))
        .or_else(|_| NaiveDate::parse_from_str(raw, "%d-%m-%Y"))
        .or_else(|_| NaiveDate::parse_from_str(raw, "%d.%m.%Y"))
        .ok()
}

/// yes/no in English and Portuguese, 1/0, true/false, x (a ticked spreadsheet cell).
pub fn parse_bool(raw: &str) -> Option<bool> {
    match raw.trim().to_lowercase().as_str() {
        "true" | "yes" | "y" | "sim" | "s" | "1" | "x" | "verdadeiro" => Some(true),
        "false" | "no" | "n" | "não" | "nao" | "0" | "falso" => Some(false),
        _ => None,
    }
}

fn options_of(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect(),
        _ => Vec::new(),
    }
}

fn to_dto(row: contact_fields::Model) -> ContactFieldDto {
    ContactFieldDto {
        id: row.id,
        kind: FieldKind::parse(&row.kind).unwrap_or(FieldKind::Text),
        options: options_of(&row.options),
        key: row.key,
        label: row.label,
        created_at: row.created_at,
    }
}

fn clean_label(raw: &str) -> AppResult<String> {
    let label = raw.trim();
    if label.is_empty() || label.chars().count() > 80 || label.chars().any(char::is_control) {
        return Err(AppError::field("label", "Give the field a name of 1–80 characters."));
    }
    Ok(label.to_owned())
}

fn clean_options(kind: FieldKind, raw: &[String]) -> AppResult<Vec<String>> {
    if kind != FieldKind::Choice {
        return if raw.iter().all(|o| o.trim().is_empty()) {
            Ok(Vec::new())
        } else {
            Err(AppError::field("options", "Only choice fields have options."))
        };
    }
    let mut seen = BTreeSet::new();
    let mut options = Vec::new();
    for option in raw.iter().map(|o| o.trim()).filter(|o| !o.is_empty()) {
        if option.chars().count() > 100 || option.chars().any(char::is_control) {
            return Err(AppError::field("options", "Each option is limited to 100 characters."));
        }
        if seen.insert(option.to_lowercase()) {
            options.push(option.to_owned());
        }
    }
    if options.is_empty() || options.len() > MAX_OPTIONS {
        return Err(AppError::field(
            "options",
            format!("A choice field needs between 1 and {MAX_OPTIONS} options."),
        ));
    }
    Ok(options)
}

fn field_exists() -> AppError {
    AppError::new(ErrorCode::Conflict, "A field with this key already exists.").with_field("key")
}

fn changed(state: &AppState, auth: &AuthUser) {
    state.events.publish(
        auth.company_id(),
        ServerEvent::ContactSettingsChanged { by_user_id: Some(auth.user_id) },
    );
}

pub async fn list(state: &AppState, auth: &AuthUser) -> AppResult<Vec<ContactFieldDto>> {
    let rows = auth
        .tenant()
        .select::<contact_fields::Entity>()
        .order_by_asc(contact_fields::Column::Label)
        .all(&state.db)
        .await?;
    Ok(rows.into_iter().map(to_dto).collect())
}

/// # Errors
/// 403 for agents, `validation_failed`, 409 `conflict` for a key in use.
pub async fn create(
    state: &AppState,
    auth: &AuthUser,
    req: CreateContactFieldRequest,
) -> AppResult<ContactFieldDto> {
    auth.require_admin()?;
    let key = req.key.trim().to_owned();
    if !is_valid_key(&key) {
        return Err(AppError::field(
            "key",
            "Use 1–64 characters of a–z, 0–9 and _, starting with a letter (e.g. birthday).",
        ));
    }
    if RESERVED_KEYS.contains(&key.as_str()) {
        return Err(AppError::field("key", format!("{key:?} is a built-in contact column.")));
    }
    let label = clean_label(&req.label)?;
    let options = clean_options(req.kind, &req.options)?;
    let tenant = auth.tenant();
    if tenant.select::<contact_fields::Entity>().count(&state.db).await? >= MAX_FIELDS {
        return Err(AppError::field(
            "key",
            format!("A company can define at most {MAX_FIELDS} fields."),
        ));
    }
    let now = db::now();
    let row = contact_fields::ActiveModel {
        id: Set(Uuid::now_v7()),
        company_id: Set(tenant.company_id()),
        key: Set(key),
        label: Set(label),
        kind: Set(req.kind.as_str().to_owned()),
        options: Set(Value::from(options)),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let inserted = match row.insert(&state.db).await {
        Err(err) if db::is_unique_violation(&err) => return Err(field_exists()),
        other => other?,
    };
    changed(state, auth);
    Ok(to_dto(inserted))
}

/// # Errors
/// 403 for agents, 404, `validation_failed`.
pub async fn update(
    state: &AppState,
    auth: &AuthUser,
    id: Uuid,
    req: UpdateContactFieldRequest,
) -> AppResult<ContactFieldDto> {
    auth.require_admin()?;
    let current = auth
        .tenant()
        .select_by_id::<contact_fields::Entity>(id)
        .one(&state.db)
        .await?
        .ok_or_else(AppError::not_found)?;
    let kind = FieldKind::parse(&current.kind).unwrap_or(FieldKind::Text);
    let mut active: contact_fields::ActiveModel = current.into();
    if let Some(label) = &req.label {
        active.label = Set(clean_label(label)?);
    }
    if let Some(options) = &req.options {
        active.options = Set(Value::from(clean_options(kind, options)?));
    }
    active.updated_at = Set(db::now());
    let updated = active.update(&state.db).await?;
    changed(state, auth);
    Ok(to_dto(updated))
}

/// Removes the definition; values already stored on contacts stay as free-form attributes.
pub async fn delete(state: &AppState, auth: &AuthUser, id: Uuid) -> AppResult<()> {
    auth.require_admin()?;
    let result = auth
        .tenant()
        .delete_many::<contact_fields::Entity>()
        .filter(contact_fields::Column::Id.eq(id))
        .exec(&state.db)
        .await?;
    if result.rows_affected == 0 {
        return Err(AppError::not_found());
    }
    changed(state, auth);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(kind: FieldKind, options: &[&str]) -> FieldSet {
        let mut by_key = HashMap::new();
        by_key.insert(
            "f".to_owned(),
            Definition {
                label: "F".into(),
                kind,
                options: options.iter().map(|o| (*o).to_owned()).collect(),
            },
        );
        FieldSet { by_key }
    }

    #[test]
    fn numbers_are_read_the_way_people_write_them() {
        assert_eq!(parse_number("42"), Some(42.0));
        assert_eq!(parse_number("3,5"), Some(3.5));
        assert_eq!(parse_number("1.234,56"), Some(1234.56));
        assert_eq!(parse_number("1,234.56"), Some(1234.56));
        assert_eq!(parse_number("1.234.567"), Some(1_234_567.0));
        assert_eq!(parse_number("R$ 10,00"), Some(10.0));
        assert_eq!(parse_number("-7"), Some(-7.0));
        assert_eq!(parse_number("abc"), None);
        assert_eq!(parse_number(""), None);
    }

    #[test]
    fn dates_accept_iso_and_brazilian_order() {
        let day = NaiveDate::from_ymd_opt(2024, 3, 31);
        assert_eq!(parse_date("2024-03-31"), day);
        assert_eq!(parse_date("31/03/2024"), day);
        assert_eq!(parse_date("31.03.2024"), day);
        assert_eq!(parse_date("31/02/2024"), None);
        assert_eq!(parse_date("tomorrow"), None);
    }

    #[test]
    fn values_are_coerced_by_the_field_kind() {
        let number = set(FieldKind::Number, &[]);
        assert_eq!(number.coerce("f", &Value::from("1.234,5")), Ok(Value::from(1234.5)));
        assert_eq!(number.coerce("f", &Value::from("10")), Ok(Value::from(10)));
        assert!(number.coerce("f", &Value::from("ten")).is_err());
        assert_eq!(number.coerce("f", &Value::from("")), Ok(Value::Null));

        let date = set(FieldKind::Date, &[]);
        assert_eq!(date.coerce("f", &Value::from("01/02/1990")), Ok(Value::from("1990-02-01")));
        assert!(date.coerce("f", &Value::from(19900201)).is_err());

        let boolean = set(FieldKind::Boolean, &[]);
        assert_eq!(boolean.coerce("f", &Value::from("Sim")), Ok(Value::Bool(true)));
        assert_eq!(boolean.coerce("f", &Value::Bool(false)), Ok(Value::Bool(false)));
        assert!(boolean.coerce("f", &Value::from("maybe")).is_err());

        let choice = set(FieldKind::Choice, &["Gold", "Silver"]);
        assert_eq!(choice.coerce("f", &Value::from("gold")), Ok(Value::from("Gold")));
        let err = choice.coerce("f", &Value::from("bronze")).unwrap_err();
        assert!(err.contains("Gold, Silver"), "{err}");

        // Keys without a definition stay free-form but flat.
        let none = FieldSet::default();
        assert_eq!(none.coerce("other", &Value::from(3)), Ok(Value::from(3)));
        assert!(none.coerce("other", &serde_json::json!({"a": 1})).is_err());
    }

    #[test]
    fn keys_are_snake_case_identifiers() {
        assert!(is_valid_key("birthday"));
        assert!(is_valid_key("plan_2"));
        assert!(!is_valid_key("2plan"));
        assert!(!is_valid_key("Plan"));
        assert!(!is_valid_key(""));
        assert!(clean_options(FieldKind::Choice, &[]).is_err());
        assert_eq!(
            clean_options(FieldKind::Choice, &["a".into(), " A ".into(), "b".into()]).unwrap(),
            ["a", "b"]
        );
        assert!(clean_options(FieldKind::Text, &["a".into()]).is_err());
    }
}
