use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_inbox")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub company_id: Uuid,
    pub connection_id: Uuid,
    /// `meta` (later `twilio`).
    pub provider: String,
    /// SHA-256 (hex) of the raw body.
    pub dedup_key: String,
    /// The raw body as received (its signature was checked over these bytes).
    pub body: String,
    /// `pending`, `processed` or `failed`.
    pub status: String,
    pub outcome: Option<String>,
    pub received_at: DateTimeUtc,
    pub processed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
