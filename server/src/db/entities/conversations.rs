use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "conversations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub company_id: Uuid,
    pub contact_id: Uuid,
    pub connection_id: Uuid,
    /// `open`, `pending`, `resolved` or `snoozed`.
    pub status: String,
    pub assignee_id: Option<Uuid>,
    pub last_message_at: DateTimeUtc,
    /// Free-form replies are allowed until 24 hours after this (WhatsApp's service window).
    pub last_inbound_at: Option<DateTimeUtc>,
    pub unread_count: i32,
    pub last_message_preview: Option<String>,
    /// With status `snoozed`: when it reopens.
    pub snoozed_until: Option<DateTimeUtc>,
    /// The campaign this customer answered (the latest one sent to them before they wrote).
    pub campaign_id: Option<Uuid>,
    /// The AI persona answering it; `None` once people have it (handoff, a teammate took it).
    pub persona_id: Option<Uuid>,
    /// The persona's answers since it took the conversation (the `max_turns` handoff).
    pub ai_turns: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
