use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "messages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub company_id: Uuid,
    pub conversation_id: Uuid,
    pub connection_id: Uuid,
    pub contact_id: Uuid,
    /// `in` or `out`.
    pub direction: String,
    /// `text`, `image`, `audio`, `video`, `document`, `sticker`, `location`, `contacts`,
    /// `reaction`, `interactive`, `button`, `order`, `system`, `unsupported`, `template`.
    pub kind: String,
    pub text: Option<String>,
    /// Kind-specific details.
    pub payload: Json,
    /// Meta's `wamid...`; unique per connection.
    pub provider_message_id: Option<String>,
    pub reply_to_provider_id: Option<String>,
    /// in: `received`; out: `queued`, `sent`, `delivered`, `read`, `played`, `failed`.
    pub status: String,
    pub error_code: Option<i32>,
    pub error_message: Option<String>,
    pub sent_by_user_id: Option<Uuid>,
    /// Outbound: send attempts made.
    pub send_attempts: i32,
    /// Outbound: set while an attempt is in flight; still set after a crash = outcome unknown.
    pub attempt_started_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub edited_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
