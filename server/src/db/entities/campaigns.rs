use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "campaigns")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub company_id: Uuid,
    pub name: String,
    pub connection_id: Uuid,
    /// `draft`, `scheduled`, `running`, `paused`, `completed` or `cancelled`.
    pub status: String,
    /// `shared::campaigns::CampaignTemplate`.
    pub template: Json,
    /// `shared::campaigns::CampaignAudience`.
    pub audience: Json,
    pub scheduled_at: Option<DateTimeUtc>,
    pub rate_per_second: i32,
    /// `shared::campaigns::QuietHours`.
    pub quiet_hours: Option<Json>,
    /// Recipients materialised at the start.
    pub total: i64,
    pub excluded_opted_out: i64,
    pub excluded_invalid: i64,
    /// Why the server paused it (e.g. the access token was refused).
    pub last_error: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub started_at: Option<DateTimeUtc>,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
