//! Request and response bodies of the REST API (`/api/v1/...`). The UI uses the very same
//! types, so a field renamed here fails to compile on both sides instead of failing at run time.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::role::Role;

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// A page of a list: `{"items": [...], "next_cursor": "..." | null}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Auth

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SignupRequest {
    pub company_name: String,
    pub name: String,
    pub email: String,
    pub password: String,
    /// UI language for the emails we send (`en` or `pt-BR`); defaults to English.
    #[serde(default)]
    pub language: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SignupResponse {
    pub user_id: Uuid,
    pub company_id: Uuid,
    pub email: String,
    /// Always true: the account stays locked until the emailed link is opened.
    pub verification_sent: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TokenRequest {
    pub token: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct EmailRequest {
    pub email: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ResetPasswordRequest {
    pub token: String,
    pub password: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: String,
}

/// A generic acknowledgement for actions that have nothing else to return.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Ack {
    pub ok: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UserDto {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CompanyDto {
    pub id: Uuid,
    pub name: String,
}

/// `GET /api/v1/company`: the company's own settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CompanySettingsDto {
    pub name: String,
    /// ISO 3166 alpha-2 (e.g. `BR`): phone numbers typed without a country code are read in it.
    pub default_country: String,
    /// New conversations go to the members who are online, in turn.
    pub auto_assign: bool,
    /// IANA time zone (`America/Sao_Paulo`): campaign schedules and quiet hours are read in it.
    pub time_zone: String,
}

/// `PATCH /api/v1/company` (owners and admins): any of the fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UpdateCompanySettingsRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_assign: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
}

/// Who is calling: the body of `GET /api/v1/me` and of a successful login.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MeResponse {
    pub user: UserDto,
    pub company: CompanyDto,
    /// Send it back as `X-CSRF-Token` on every cookie-authenticated change. `null` for API keys,
    /// which need none.
    pub csrf_token: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Team: members and invitations

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MemberDto {
    pub user_id: Uuid,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub joined_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UpdateMemberRequest {
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CreateInvitationRequest {
    pub email: String,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct InvitationDto {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    pub invited_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// What the invitation page shows before the invitee accepts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct InvitationPreview {
    pub company_name: String,
    pub email: String,
    pub role: Role,
    /// When true the invitee already has an account and accepts with their current password.
    pub existing_user: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AcceptInvitationRequest {
    pub token: String,
    /// Required for a new account.
    #[serde(default)]
    pub name: Option<String>,
    /// The new account's password, or the existing account's current one.
    pub password: String,
}

// ---------------------------------------------------------------------------------------------
// API keys

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CreateApiKeyRequest {
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ApiKeyDto {
    pub id: Uuid,
    pub name: String,
    /// The first characters of the key, enough to recognise it in a list.
    pub prefix: String,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// Returned once, at creation: the only time the full key is ever shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CreatedApiKey {
    pub id: Uuid,
    pub name: String,
    pub prefix: String,
    pub key: String,
    pub created_at: DateTime<Utc>,
}

// ---------------------------------------------------------------------------------------------
// Contacts

/// A customer of the company.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ContactDto {
    pub id: Uuid,
    /// E.164, e.g. `+5511999990000`.
    pub phone: String,
    /// May be empty when only the number is known.
    pub name: String,
    pub email: Option<String>,
    /// Lower-case tags, sorted.
    pub tags: Vec<String>,
    /// Company-defined attributes (`{"plan": "gold", "birthday": "1990-04-01"}`).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub attributes: serde_json::Map<String, serde_json::Value>,
    pub notes: Option<String>,
    pub opted_out: bool,
    pub opted_out_at: Option<DateTime<Utc>>,
    /// How the opt-out happened: `manual`, `keyword` (a STOP/SAIR reply) or `import`.
    pub opted_out_via: Option<String>,
    pub last_contacted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CreateContactRequest {
    /// As people type it: spaces, dashes, parentheses, a leading `00` or `+`; numbers without a
    /// country code use the company's default country.
    pub phone: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub attributes: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub opted_out: bool,
}

/// Only the fields present change. An empty `email` or `notes` clears it; `tags` and
/// `attributes` replace the whole set (an attribute set to `null` is removed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UpdateContactRequest {
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub attributes: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub opted_out: Option<bool>,
}

/// The type of a company-defined contact field; attribute values are checked against it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// Any text up to 1000 characters.
    Text,
    /// A JSON number (imports also read `1.234,56` and `1,234.56`).
    Number,
    /// A calendar day, stored as `YYYY-MM-DD` (imports also read `DD/MM/YYYY`).
    Date,
    /// `true`/`false` (imports also read yes/no, sim/não, 1/0).
    Boolean,
    /// One of the field's `options`.
    Choice,
}

impl FieldKind {
    pub const ALL: [FieldKind; 5] = [
        FieldKind::Text,
        FieldKind::Number,
        FieldKind::Date,
        FieldKind::Boolean,
        FieldKind::Choice,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FieldKind::Text => "text",
            FieldKind::Number => "number",
            FieldKind::Date => "date",
            FieldKind::Boolean => "boolean",
            FieldKind::Choice => "choice",
        }
    }

    pub fn parse(raw: &str) -> Option<FieldKind> {
        FieldKind::ALL.into_iter().find(|kind| kind.as_str() == raw)
    }
}

/// A custom field the company defined for its contacts (`attributes[key]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ContactFieldDto {
    pub id: Uuid,
    /// The attribute name: `snake_case`, fixed once created.
    pub key: String,
    /// What people see, e.g. "Plan".
    pub label: String,
    pub kind: FieldKind,
    /// The allowed values of a `choice` field; empty otherwise.
    pub options: Vec<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CreateContactFieldRequest {
    pub key: String,
    pub label: String,
    pub kind: FieldKind,
    #[serde(default)]
    pub options: Vec<String>,
}

/// The key and kind of a field never change (values already stored depend on them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UpdateContactFieldRequest {
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub options: Option<Vec<String>>,
}

/// A comparison in an attribute condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConditionOp {
    Eq,
    Ne,
    /// Text contains (case-insensitive).
    Contains,
    Gt,
    Gte,
    Lt,
    Lte,
    IsSet,
    IsNotSet,
}

impl ConditionOp {
    pub const ALL: [ConditionOp; 9] = [
        ConditionOp::Eq,
        ConditionOp::Ne,
        ConditionOp::Contains,
        ConditionOp::Gt,
        ConditionOp::Gte,
        ConditionOp::Lt,
        ConditionOp::Lte,
        ConditionOp::IsSet,
        ConditionOp::IsNotSet,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ConditionOp::Eq => "eq",
            ConditionOp::Ne => "ne",
            ConditionOp::Contains => "contains",
            ConditionOp::Gt => "gt",
            ConditionOp::Gte => "gte",
            ConditionOp::Lt => "lt",
            ConditionOp::Lte => "lte",
            ConditionOp::IsSet => "is_set",
            ConditionOp::IsNotSet => "is_not_set",
        }
    }

    pub fn parse(raw: &str) -> Option<ConditionOp> {
        ConditionOp::ALL.into_iter().find(|op| op.as_str() == raw)
    }

    /// Whether the condition compares against a `value`.
    pub fn takes_value(self) -> bool {
        !matches!(self, ConditionOp::IsSet | ConditionOp::IsNotSet)
    }
}

/// `attributes[field] <op> value`. `gt`/`gte`/`lt`/`lte` need a `number` or `date` field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AttributeCondition {
    pub field: String,
    pub op: ConditionOp,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub value: Option<serde_json::Value>,
}

/// Which contacts a segment (and so a campaign audience) holds. Every part must match; opted-out
/// contacts are never part of a segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SegmentFilter {
    /// At least one of these tags (ignored when empty).
    #[serde(default)]
    pub tags_any: Vec<String>,
    /// Every one of these tags.
    #[serde(default)]
    pub tags_all: Vec<String>,
    /// None of these tags.
    #[serde(default)]
    pub tags_none: Vec<String>,
    #[serde(default)]
    pub conditions: Vec<AttributeCondition>,
}

/// A saved filter, with the number of contacts it holds right now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SegmentDto {
    pub id: Uuid,
    pub name: String,
    pub filter: SegmentFilter,
    pub contact_count: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CreateSegmentRequest {
    pub name: String,
    #[serde(default)]
    pub filter: SegmentFilter,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UpdateSegmentRequest {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub filter: Option<SegmentFilter>,
}

/// `{"count": 1234}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CountResponse {
    pub count: u64,
}

/// A tag in use, with how many live contacts carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TagCount {
    pub tag: String,
    pub count: u64,
}

/// Rename a tag on every contact (merging into `name` when that tag exists too).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RenameTagRequest {
    pub name: String,
}

/// The contacts a bulk action applies to: explicit ids, or everything a list filter matches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ContactSelection {
    /// Up to 1000 contact ids.
    Ids(Vec<Uuid>),
    /// The same filter as `GET /api/v1/contacts`.
    Filter(ContactListFilter),
}

/// The list filters, as a body (bulk actions) rather than a query string.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ContactListFilter {
    #[serde(default)]
    pub q: Option<String>,
    #[serde(default)]
    pub tag: Option<String>,
    #[serde(default)]
    pub segment_id: Option<Uuid>,
    #[serde(default)]
    pub opted_out: Option<bool>,
    /// Tags and attribute conditions, as in a segment (opted-out contacts are not excluded
    /// unless `opted_out` is `false`).
    #[serde(default)]
    pub filter: Option<SegmentFilter>,
}

/// What a bulk action does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum BulkAction {
    AddTags {
        tags: Vec<String>,
    },
    RemoveTags {
        tags: Vec<String>,
    },
    /// Soft delete (message history stays).
    Delete,
    /// Mark as opted out (`opted_out_via: "manual"`); campaigns skip them.
    OptOut,
}

/// `POST /api/v1/contacts/bulk`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct BulkContactsRequest {
    pub selection: ContactSelection,
    pub action: BulkAction,
}

/// `{"affected": n}`: how many contacts the action changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct BulkResult {
    pub affected: u64,
}

/// A CSV line the import did not take, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RejectedLine {
    /// 1-based line of the file (the header is line 1).
    pub line: u64,
    pub reason: String,
}

/// The outcome of `POST /api/v1/contacts/import`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ImportSummary {
    pub import_id: Uuid,
    /// Data lines read (the header excluded).
    pub lines: u64,
    /// New contacts.
    pub imported: u64,
    /// Existing contacts (same phone) that were updated.
    pub updated: u64,
    /// The first 1000 rejected lines; `rejected_count` has the total.
    pub rejected: Vec<RejectedLine>,
    pub rejected_count: u64,
}

/// A past import, newest first in `GET /api/v1/contacts/imports`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ImportDto {
    pub id: Uuid,
    /// `completed` or `failed` (nothing of a failed import was kept).
    pub status: String,
    pub filename: Option<String>,
    pub user_id: Option<Uuid>,
    pub lines: u64,
    pub imported: u64,
    pub updated: u64,
    pub rejected_count: u64,
    /// The first rejected lines.
    pub rejected: Vec<RejectedLine>,
    /// Why a failed import stopped.
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

// ---------------------------------------------------------------------------------------------
// Connections (channels)

/// What carries a connection's messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConnectionKind {
    /// Meta's WhatsApp Business Cloud API (Graph API).
    WhatsappCloud,
}

impl ConnectionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionKind::WhatsappCloud => "whatsapp_cloud",
        }
    }

    pub fn parse(value: &str) -> Option<ConnectionKind> {
        match value {
            "whatsapp_cloud" => Some(ConnectionKind::WhatsappCloud),
            _ => None,
        }
    }
}

/// `pending` until first checked, `connected` when the provider answered, `error` when it did not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConnectionStatus {
    Pending,
    Connected,
    Error,
}

impl ConnectionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionStatus::Pending => "pending",
            ConnectionStatus::Connected => "connected",
            ConnectionStatus::Error => "error",
        }
    }

    pub fn parse(value: &str) -> ConnectionStatus {
        match value {
            "connected" => ConnectionStatus::Connected,
            "error" => ConnectionStatus::Error,
            _ => ConnectionStatus::Pending,
        }
    }
}

/// A channel the company sends and receives through. Secrets are never part of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ConnectionDto {
    pub id: Uuid,
    pub kind: ConnectionKind,
    pub name: String,
    pub status: ConnectionStatus,
    /// Paste into Meta's app dashboard (WhatsApp → Configuration → Callback URL).
    pub webhook_url: String,
    /// WhatsApp Cloud: the phone number id and the WhatsApp Business Account id.
    pub phone_number_id: Option<String>,
    pub waba_id: Option<String>,
    /// What Meta reported at the last check.
    pub display_phone_number: Option<String>,
    pub verified_name: Option<String>,
    /// `GREEN`, `YELLOW`, `RED` or `UNKNOWN`.
    pub quality_rating: Option<String>,
    /// The last check's failure, in plain words.
    pub last_error: Option<String>,
    pub last_checked_at: Option<DateTime<Utc>>,
    /// The AI persona that answers new conversations on this number (`null`: people only).
    #[serde(default)]
    pub default_persona_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `POST /api/v1/connections`: the fields of the chosen `kind`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CreateConnectionRequest {
    WhatsappCloud {
        name: String,
        phone_number_id: String,
        waba_id: String,
        /// A system-user access token with `whatsapp_business_messaging` and
        /// `whatsapp_business_management`.
        access_token: String,
        /// The Meta app's secret: signs every webhook delivery.
        app_secret: String,
        /// Any string you choose; Meta sends it back when you register the callback URL.
        verify_token: String,
    },
}

/// `PATCH /api/v1/connections/{id}`: only the fields present change; a secret left out (or
/// empty) keeps its stored value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UpdateConnectionRequest {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub phone_number_id: Option<String>,
    #[serde(default)]
    pub waba_id: Option<String>,
    #[serde(default)]
    pub access_token: Option<String>,
    #[serde(default)]
    pub app_secret: Option<String>,
    #[serde(default)]
    pub verify_token: Option<String>,
    /// The persona that answers new conversations on this number until it hands off; `null`:
    /// people only. Conversations already open keep whoever has them.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Uuid>, nullable))]
    pub default_persona_id: Option<Option<Uuid>>,
}

/// `POST /api/v1/connections/{id}/test`: what the provider answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ConnectionTestResult {
    pub ok: bool,
    /// The provider's refusal in plain words, when `ok` is false.
    pub error: Option<String>,
    /// The connection with what the check learned.
    pub connection: ConnectionDto,
}

// ---------------------------------------------------------------------------------------------
// Conversations and messages

/// Who a conversation is with, as the inbox shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ContactSummary {
    pub id: Uuid,
    pub phone: String,
    pub name: String,
    pub opted_out: bool,
}

/// A thread with one customer on one connection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ConversationDto {
    pub id: Uuid,
    pub contact: ContactSummary,
    pub connection_id: Uuid,
    /// `open`, `pending`, `resolved` or `snoozed`.
    pub status: String,
    pub assignee_id: Option<Uuid>,
    pub labels: Vec<String>,
    pub last_message_at: DateTime<Utc>,
    /// Free-form replies are possible until then; after it only templates (WhatsApp's
    /// 24-hour customer-service window). `null` when the customer never wrote.
    pub window_closes_at: Option<DateTime<Utc>>,
    pub unread_count: i32,
    /// The last message, shortened, for the list.
    pub last_message_preview: Option<String>,
    /// A snoozed conversation reopens by itself then (or when the customer writes).
    pub snoozed_until: Option<DateTime<Utc>>,
    /// The campaign the customer answered (the latest one sent to them before they wrote).
    #[serde(default)]
    pub campaign_id: Option<Uuid>,
    /// The AI persona answering the customer; `null` when people have the conversation.
    #[serde(default)]
    pub persona_id: Option<Uuid>,
}

/// `PATCH /api/v1/conversations/{id}`: any of status, assignee (`null` unassigns), labels
/// (replace the set). Each change is recorded as an activity line in the thread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UpdateConversationRequest {
    /// `open`, `pending`, `resolved`, or `snoozed` (with `snoozed_until`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// A teammate's user id, or `null` to leave it unassigned. Agents may take an unassigned
    /// conversation and hand on their own; owners and admins assign any.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Uuid>, nullable))]
    pub assignee_id: Option<Option<Uuid>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<String>>,
    /// With `status: snoozed`: when it reopens (in the future).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snoozed_until: Option<DateTime<Utc>>,
    /// A persona's id to let it answer (the conversation is unassigned), or `null` to stop the
    /// AI and leave the conversation to people. Owners and admins only; assigning a teammate
    /// also stops the AI.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Uuid>, nullable))]
    pub persona_id: Option<Option<Uuid>>,
}

/// Tells "absent" (`None`) from "null" (`Some(None)`) for fields where null means "clear it".
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// `POST /api/v1/conversations/{id}/notes`: a private note, seen by the team only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NoteRequest {
    pub text: String,
}

/// A saved answer agents insert with `/shortcut` in the composer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CannedReplyDto {
    pub id: Uuid,
    /// Lower-case letters, digits, `-` and `_`, typed after `/`.
    pub shortcut: String,
    pub body: String,
    pub updated_at: DateTime<Utc>,
}

/// `POST /api/v1/canned-replies`, `PATCH /api/v1/canned-replies/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CannedReplyRequest {
    pub shortcut: String,
    pub body: String,
}

/// One message of a conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MessageDto {
    pub id: Uuid,
    pub conversation_id: Uuid,
    /// `in` (from the customer), `out`, or `internal` (the team's notes and activity lines).
    pub direction: String,
    /// `text`, `image`, `audio`, `video`, `document`, `sticker`, `location`, `contacts`,
    /// `reaction`, `interactive`, `button`, `order`, `system`, `unsupported`, `template`; internal
    /// ones: `note`, and `activity` (`payload.action` says what changed: `assigned`,
    /// `unassigned`, `status`, `labels`, with who did it in `payload.by_name`).
    pub kind: String,
    pub text: Option<String>,
    /// Where the UI fetches the media (authenticated), for media kinds.
    pub media_url: Option<String>,
    /// in: `received`; out: `queued`, `sent`, `delivered`, `read`, `played`, `failed`;
    /// internal (notes and activity lines, never sent): `internal`.
    pub status: String,
    /// Why it failed, in plain words (with the provider's code).
    pub error: Option<String>,
    pub error_code: Option<i32>,
    /// The teammate who sent it (replies) or wrote it (notes, activity lines).
    pub sent_by_user_id: Option<Uuid>,
    /// Kind-specific details (location, shared contacts, reply ids, reaction, ...).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub payload: serde_json::Value,
    pub provider_message_id: Option<String>,
    pub reply_to_provider_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// Sent by an AI persona (not a teammate): which one, and the knowledge it used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ai: Option<crate::ai::AiReplyInfo>,
}

/// `POST /api/v1/conversations/{id}/messages`: exactly one of `text`, `media`, `template`,
/// `interactive` or `reaction`. Outside the 24-hour window only `template` is accepted
/// (409 `window_closed`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SendMessageRequest {
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub media: Option<MediaSend>,
    #[serde(default)]
    pub template: Option<TemplateSend>,
    #[serde(default)]
    pub interactive: Option<InteractiveSend>,
    #[serde(default)]
    pub reaction: Option<ReactionSend>,
    /// Quote this message (an id of this conversation).
    #[serde(default)]
    pub reply_to: Option<Uuid>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    Image,
    Audio,
    Video,
    Document,
    Sticker,
}

impl MediaKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Image => "image",
            MediaKind::Audio => "audio",
            MediaKind::Video => "video",
            MediaKind::Document => "document",
            MediaKind::Sticker => "sticker",
        }
    }
}

/// Media by a public `link`, or by a `media_id` returned from an upload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MediaSend {
    pub kind: MediaKind,
    #[serde(default)]
    pub link: Option<String>,
    #[serde(default)]
    pub media_id: Option<String>,
    /// Images, videos and documents only.
    #[serde(default)]
    pub caption: Option<String>,
    /// Documents only: the name the customer sees.
    #[serde(default)]
    pub filename: Option<String>,
}

/// A template with its placeholders filled: `body` fills `{{1}}`, `{{2}}`, ... of the body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TemplateSend {
    pub name: String,
    /// e.g. `pt_BR`, `en_US`.
    pub language: String,
    #[serde(default)]
    pub body: Vec<String>,
    /// A text header's `{{1}}`, or the media of an image/video/document header.
    #[serde(default)]
    pub header: Option<TemplateHeaderSend>,
    /// Dynamic parts of buttons: the suffix of a URL button, the payload of a quick reply.
    #[serde(default)]
    pub buttons: Vec<TemplateButtonSend>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TemplateHeaderSend {
    Text {
        text: String,
    },
    Image {
        link: String,
    },
    Video {
        link: String,
    },
    Document {
        link: String,
        #[serde(default)]
        filename: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TemplateButtonSend {
    /// Position of the button in the template (0-based).
    pub index: u8,
    /// `url` or `quick_reply`.
    pub sub_type: String,
    /// The URL suffix, or the quick-reply payload.
    pub value: String,
}

/// Reply buttons (up to 3) or a list (up to 10 rows in total).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct InteractiveSend {
    pub body: String,
    #[serde(default)]
    pub header: Option<String>,
    #[serde(default)]
    pub footer: Option<String>,
    /// Reply buttons `{id, title}`; or leave empty and give `list`.
    #[serde(default)]
    pub buttons: Vec<ChoiceSend>,
    #[serde(default)]
    pub list: Option<ListSend>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ChoiceSend {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ListSend {
    /// The label of the button that opens the list.
    pub button: String,
    pub sections: Vec<ListSectionSend>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ListSectionSend {
    pub title: String,
    pub rows: Vec<ChoiceSend>,
}

/// React to a message of the conversation; an empty `emoji` removes the reaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ReactionSend {
    pub message_id: Uuid,
    pub emoji: String,
}

// ---------------------------------------------------------------------------------------------
// Message templates (WhatsApp)

/// A template of a WhatsApp Cloud connection, as Meta last reported it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TemplateDto {
    pub id: Uuid,
    pub connection_id: Uuid,
    /// Meta's template id.
    pub provider_id: Option<String>,
    pub name: String,
    pub language: String,
    /// `MARKETING`, `UTILITY` or `AUTHENTICATION`.
    pub category: String,
    /// `APPROVED`, `PENDING`, `REJECTED`, `PAUSED`, `DISABLED`, ...
    pub status: String,
    /// `GREEN`, `YELLOW`, `RED` or `UNKNOWN`.
    pub quality: Option<String>,
    /// Meta's components (`HEADER`, `BODY`, `FOOTER`, `BUTTONS`).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub components: serde_json::Value,
    /// How many `{{n}}` variables the body needs.
    pub body_variables: usize,
    pub rejected_reason: Option<String>,
    pub updated_at: DateTime<Utc>,
}

/// `POST /api/v1/connections/{id}/templates/sync`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TemplateSyncResult {
    /// Templates read from Meta (created or updated here).
    pub synced: u64,
    /// Templates no longer at Meta, removed here.
    pub removed: u64,
}

/// `POST /api/v1/connections/{id}/templates`: submitted to Meta for review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CreateTemplateRequest {
    /// Lower-case letters, digits and `_`.
    pub name: String,
    /// e.g. `pt_BR`.
    pub language: String,
    /// `MARKETING`, `UTILITY` or `AUTHENTICATION`.
    pub category: String,
    /// Meta's component objects, e.g.
    /// `[{"type": "BODY", "text": "Olá {{1}}", "example": {"body_text": [["Ana"]]}}]`.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub components: serde_json::Value,
}

/// `POST /api/v1/conversations/{id}/media`: a file uploaded to the provider for a reply; send
/// it with `{"media": {"kind": ..., "media_id": ...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MediaUploadDto {
    /// The provider's media id.
    pub media_id: String,
    /// What to send it as, from its type.
    pub kind: MediaKind,
    pub mime_type: String,
    pub size: u64,
    pub filename: Option<String>,
}
