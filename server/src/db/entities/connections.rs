use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "connections")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub company_id: Uuid,
    /// `whatsapp_cloud` (later `sms_twilio`, `whatsapp_qr`).
    pub kind: String,
    pub name: String,
    /// `pending`, `connected` or `error`.
    pub status: String,
    /// Unguessable; the webhook URL is `/api/webhooks/meta/{webhook_slug}`.
    pub webhook_slug: String,
    /// Non-secret, kind-specific settings.
    pub settings: Json,
    /// What the provider reported at the last check.
    pub provider_info: Json,
    /// Sealed (AES-256-GCM) JSON of the kind's secrets.
    pub secrets: String,
    pub last_error: Option<String>,
    pub last_checked_at: Option<DateTimeUtc>,
    /// The AI persona that answers new conversations on this number.
    pub default_persona_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
