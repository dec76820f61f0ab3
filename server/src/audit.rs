//! The audit log: who did what in a company, and when. Written in the same transaction as the
//! change it describes.

use sea_orm::{ConnectionTrait, EntityTrait, Set};
use uuid::Uuid;

use crate::db::{self, entities::audit_log, Tenant};

pub struct AuditEntry<'a> {
    pub actor: Option<Uuid>,
    pub action: &'a str,
    pub target_type: Option<&'a str>,
    pub target_id: Option<String>,
    pub meta: Option<serde_json::Value>,
    pub ip: Option<String>,
}

impl<'a> AuditEntry<'a> {
    pub fn new(actor: Option<Uuid>, action: &'a str) -> Self {
        AuditEntry { actor, action, target_type: None, target_id: None, meta: None, ip: None }
    }

    pub fn target(mut self, kind: &'a str, id: impl ToString) -> Self {
        self.target_type = Some(kind);
        self.target_id = Some(id.to_string());
        self
    }

    pub fn meta(mut self, meta: serde_json::Value) -> Self {
        self.meta = Some(meta);
        self
    }

    pub fn ip(mut self, ip: impl ToString) -> Self {
        self.ip = Some(ip.to_string());
        self
    }
}

pub async fn record<C: ConnectionTrait>(
    conn: &C,
    tenant: Tenant,
    entry: AuditEntry<'_>,
) -> Result<(), sea_orm::DbErr> {
    let row = audit_log::ActiveModel {
        id: Set(Uuid::now_v7()),
        company_id: Set(tenant.company_id()),
        actor_user_id: Set(entry.actor),
        action: Set(entry.action.to_owned()),
        target_type: Set(entry.target_type.map(str::to_owned)),
        target_id: Set(entry.target_id),
        meta: Set(entry.meta),
        ip: Set(entry.ip),
        created_at: Set(db::now()),
    };
    audit_log::Entity::insert(row).exec(conn).await?;
    Ok(())
}
