use sea_orm::entity::prelude::*;

/// Something that happened that rules may act on (the automation outbox), processed in id order.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "automation_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub company_id: Uuid,
    /// `message_received`, `conversation_created`, `contact_tagged`, `no_reply`.
    pub kind: String,
    pub conversation_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub message_id: Option<Uuid>,
    /// Kind-specific facts: the message text, the campaign answered, the tag, the rule waited on.
    pub data: Json,
    /// Ids of the rules whose actions led to this event (loop protection).
    pub chain: Json,
    pub created_at: DateTimeUtc,
    pub processed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
