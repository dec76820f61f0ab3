use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "contacts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub company_id: Uuid,
    /// E.164.
    pub phone: String,
    pub name: String,
    pub email: Option<String>,
    /// Lower-cased name, phone and email, for search.
    pub search_text: String,
    pub attributes: Json,
    pub notes: Option<String>,
    pub opted_out: bool,
    pub opted_out_at: Option<DateTimeUtc>,
    pub opted_out_via: Option<String>,
    pub last_contacted_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub deleted_at: Option<DateTimeUtc>,
    /// Personal data removed for good (GDPR/LGPD); the row is a tombstone.
    pub erased_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
