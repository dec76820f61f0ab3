use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "message_status_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub company_id: Uuid,
    pub connection_id: Uuid,
    pub provider_message_id: String,
    /// `sent`, `delivered`, `read`, `played` or `failed`.
    pub status: String,
    pub recipient_id: Option<String>,
    pub error_code: Option<i32>,
    pub error_message: Option<String>,
    /// Pricing, conversation and error details as Meta sent them.
    pub details: Json,
    pub occurred_at: DateTimeUtc,
    pub received_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
