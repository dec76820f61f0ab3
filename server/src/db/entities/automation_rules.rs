use sea_orm::entity::prelude::*;

/// An automation rule: trigger, conditions and actions (`shared::automation`), stored as JSON.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "automation_rules")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub company_id: Uuid,
    pub name: String,
    pub enabled: bool,
    /// `shared::automation::TriggerKind`, so the worker reads only the rules an event can start.
    pub trigger_kind: String,
    /// `shared::automation::Trigger`.
    pub trigger: Json,
    /// `Vec<shared::automation::Condition>`.
    pub conditions: Json,
    /// `Vec<shared::automation::Action>`.
    pub actions: Json,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
