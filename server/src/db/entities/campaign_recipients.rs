use sea_orm::entity::prelude::*;

/// One contact of a campaign: the send queue and the outcome. Status moves
/// `pending` → `claimed` (a sender took it) → `sending` (the call to Meta started) → `sent` →
/// `delivered` → `read`, or to `failed` / `skipped` / `cancelled`; `unknown` when a send was
/// interrupted and Meta's answer was lost (resolved by a status webhook or re-queued).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "campaign_recipients")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub campaign_id: Uuid,
    pub company_id: Uuid,
    pub contact_id: Uuid,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    pub claimed_by: Option<String>,
    pub claimed_at: Option<DateTimeUtc>,
    pub attempt_started_at: Option<DateTimeUtc>,
    pub provider_message_id: Option<String>,
    pub error_code: Option<i32>,
    pub error_message: Option<String>,
    pub sent_at: Option<DateTimeUtc>,
    pub delivered_at: Option<DateTimeUtc>,
    pub read_at: Option<DateTimeUtc>,
    pub failed_at: Option<DateTimeUtc>,
    pub replied_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
