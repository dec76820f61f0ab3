use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "companies")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    /// ISO 3166 alpha-2 country for phone numbers typed without a country code.
    pub default_country: String,
    /// New conversations go round-robin to agents who are online.
    pub auto_assign: bool,
    /// IANA zone (`America/Sao_Paulo`) in which campaign schedules and quiet hours are read.
    pub time_zone: String,
    /// Weekly hours and holidays (`shared::automation::BusinessHoursDto` without the zone);
    /// `None`: the company keeps no hours.
    pub business_hours: Option<Json>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
