use sea_orm::entity::prelude::*;

/// One entry of a rule's execution log.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "automation_runs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub company_id: Uuid,
    pub rule_id: Uuid,
    pub trigger_kind: String,
    pub conversation_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub contact_name: Option<String>,
    /// `done`, `failed` or `skipped` (`shared::automation::RunOutcome`).
    pub outcome: String,
    /// `Vec<shared::automation::RunStep>`.
    pub steps: Json,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
