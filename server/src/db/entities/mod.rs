//! sea-orm entities, one file per table, kept apart from behaviour (which lives in the areas).
//! They mirror `migration/`; change both together.

pub mod api_keys;
pub mod audit_log;
pub mod automation_events;
pub mod automation_rules;
pub mod automation_runs;
pub mod campaign_recipients;
pub mod campaigns;
pub mod canned_replies;
pub mod companies;
pub mod connections;
pub mod contact_fields;
pub mod contact_imports;
pub mod contact_tags;
pub mod contacts;
pub mod conversation_labels;
pub mod conversations;
pub mod email_tokens;
pub mod invitations;
pub mod jobs;
pub mod knowledge_bases;
pub mod knowledge_chunks;
pub mod knowledge_documents;
pub mod memberships;
pub mod message_status_events;
pub mod message_templates;
pub mod messages;
pub mod personas;
pub mod segments;
pub mod sessions;
pub mod users;
pub mod webhook_inbox;

use super::tenant::TenantScoped;

impl TenantScoped for api_keys::Entity {
    fn company_column() -> Self::Column {
        api_keys::Column::CompanyId
    }
}
impl TenantScoped for audit_log::Entity {
    fn company_column() -> Self::Column {
        audit_log::Column::CompanyId
    }
}
impl TenantScoped for automation_events::Entity {
    fn company_column() -> Self::Column {
        automation_events::Column::CompanyId
    }
}
impl TenantScoped for automation_rules::Entity {
    fn company_column() -> Self::Column {
        automation_rules::Column::CompanyId
    }
}
impl TenantScoped for automation_runs::Entity {
    fn company_column() -> Self::Column {
        automation_runs::Column::CompanyId
    }
}
impl TenantScoped for campaigns::Entity {
    fn company_column() -> Self::Column {
        campaigns::Column::CompanyId
    }
}
impl TenantScoped for campaign_recipients::Entity {
    fn company_column() -> Self::Column {
        campaign_recipients::Column::CompanyId
    }
}
impl TenantScoped for contacts::Entity {
    fn company_column() -> Self::Column {
        contacts::Column::CompanyId
    }
}
impl TenantScoped for contact_tags::Entity {
    fn company_column() -> Self::Column {
        contact_tags::Column::CompanyId
    }
}
impl TenantScoped for invitations::Entity {
    fn company_column() -> Self::Column {
        invitations::Column::CompanyId
    }
}
impl TenantScoped for memberships::Entity {
    fn company_column() -> Self::Column {
        memberships::Column::CompanyId
    }
}
impl TenantScoped for sessions::Entity {
    fn company_column() -> Self::Column {
        sessions::Column::CompanyId
    }
}
impl TenantScoped for contact_fields::Entity {
    fn company_column() -> Self::Column {
        contact_fields::Column::CompanyId
    }
}
impl TenantScoped for contact_imports::Entity {
    fn company_column() -> Self::Column {
        contact_imports::Column::CompanyId
    }
}
impl TenantScoped for segments::Entity {
    fn company_column() -> Self::Column {
        segments::Column::CompanyId
    }
}
impl TenantScoped for connections::Entity {
    fn company_column() -> Self::Column {
        connections::Column::CompanyId
    }
}
impl TenantScoped for conversations::Entity {
    fn company_column() -> Self::Column {
        conversations::Column::CompanyId
    }
}
impl TenantScoped for messages::Entity {
    fn company_column() -> Self::Column {
        messages::Column::CompanyId
    }
}
impl TenantScoped for message_status_events::Entity {
    fn company_column() -> Self::Column {
        message_status_events::Column::CompanyId
    }
}
impl TenantScoped for message_templates::Entity {
    fn company_column() -> Self::Column {
        message_templates::Column::CompanyId
    }
}
impl TenantScoped for webhook_inbox::Entity {
    fn company_column() -> Self::Column {
        webhook_inbox::Column::CompanyId
    }
}
impl TenantScoped for conversation_labels::Entity {
    fn company_column() -> Self::Column {
        conversation_labels::Column::CompanyId
    }
}
impl TenantScoped for canned_replies::Entity {
    fn company_column() -> Self::Column {
        canned_replies::Column::CompanyId
    }
}
impl TenantScoped for knowledge_bases::Entity {
    fn company_column() -> Self::Column {
        knowledge_bases::Column::CompanyId
    }
}
impl TenantScoped for knowledge_chunks::Entity {
    fn company_column() -> Self::Column {
        knowledge_chunks::Column::CompanyId
    }
}
impl TenantScoped for knowledge_documents::Entity {
    fn company_column() -> Self::Column {
        knowledge_documents::Column::CompanyId
    }
}
impl TenantScoped for personas::Entity {
    fn company_column() -> Self::Column {
        personas::Column::CompanyId
    }
}
