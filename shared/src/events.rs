//! Live events pushed over `GET /api/v1/ws`, always scoped to the subscriber's company.
//!
//! Wire shape: `{"type": "team.changed", "data": {...}, "cursor": "..."}`. `cursor` marks the
//! event's place in the company's stream: reconnecting with `?since=<cursor>` replays what was
//! missed. Later areas add variants here; clients ignore types they do not know.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    ai::KnowledgeDocumentDto,
    api::{ConversationDto, MessageDto},
    campaigns::CampaignProgress,
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", content = "data")]
pub enum ServerEvent {
    /// First frame after the socket opens: the subscription is live. `resumed`: the socket was
    /// opened with `?since=<cursor>` and the events missed since then follow this frame; `false`
    /// means they are not known (or no cursor was given) and a returning client refetches.
    #[serde(rename = "ready")]
    Ready {
        company_id: Uuid,
        user_id: Uuid,
        #[serde(default)]
        resumed: bool,
    },
    /// Answer to a client `ping`.
    #[serde(rename = "pong")]
    Pong,
    /// Members or invitations changed; team screens refetch.
    #[serde(rename = "team.changed")]
    TeamChanged { by_user_id: Option<Uuid> },
    /// Contacts were created, changed or deleted; contact lists refetch.
    #[serde(rename = "contacts.changed")]
    ContactsChanged { by_user_id: Option<Uuid> },
    /// A CSV import is running: sent every few thousand lines and once at the end.
    #[serde(rename = "contacts.import_progress")]
    ContactsImportProgress {
        import_id: Uuid,
        lines: u64,
        imported: u64,
        updated: u64,
        rejected: u64,
        done: bool,
    },
    /// Company-defined contact fields or segments changed.
    #[serde(rename = "contact_settings.changed")]
    ContactSettingsChanged { by_user_id: Option<Uuid> },
    /// A connection was added, changed, checked or removed.
    #[serde(rename = "connections.changed")]
    ConnectionsChanged { by_user_id: Option<Uuid> },
    /// A connection's templates were synced, created, or changed at Meta (approved, rejected,
    /// paused, re-rated); template screens refetch.
    #[serde(rename = "templates.changed")]
    TemplatesChanged { connection_id: Uuid },
    /// A message was stored (inbound from a customer, or outbound).
    #[serde(rename = "message.created")]
    MessageCreated { message: Box<MessageDto> },
    /// A message moved on (delivered, read, failed), was edited or revoked.
    #[serde(rename = "message.updated")]
    MessageUpdated { message: Box<MessageDto> },
    /// A conversation was opened, reopened or changed (status, assignee, unread count).
    #[serde(rename = "conversation.updated")]
    ConversationUpdated { conversation: Box<ConversationDto> },
    /// A campaign's counts moved (about once a second while it runs) or its status changed.
    #[serde(rename = "campaign.progress")]
    CampaignProgress { progress: Box<CampaignProgress> },
    /// A campaign was created, edited or deleted; campaign lists refetch.
    #[serde(rename = "campaigns.changed")]
    CampaignsChanged { by_user_id: Option<Uuid> },
    /// An API key was created or revoked.
    #[serde(rename = "api_keys.changed")]
    ApiKeysChanged { by_user_id: Option<Uuid> },
    /// Personas were created, changed or deleted.
    #[serde(rename = "personas.changed")]
    PersonasChanged { by_user_id: Option<Uuid> },
    /// A knowledge base or one of its documents changed; while a document is indexed this comes
    /// every few chunks with the document's progress.
    #[serde(rename = "knowledge.changed")]
    KnowledgeChanged { knowledge_base_id: Uuid, document: Option<Box<KnowledgeDocumentDto>> },
    /// An AI persona handed a conversation to people (the customer asked, it had no answer,
    /// the provider failed, ...): agents are told, with why.
    #[serde(rename = "conversation.handoff")]
    ConversationHandoff { conversation_id: Uuid, contact_name: String, reason: String },
    /// Automation rules or business hours were created, changed or deleted.
    #[serde(rename = "automations.changed")]
    AutomationsChanged { by_user_id: Option<Uuid> },
    /// A rule ran (its execution log has a new entry).
    #[serde(rename = "automation.ran")]
    AutomationRan { rule_id: Uuid },
}

/// Frames a client may send.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ClientMessage {
    #[serde(rename = "ping")]
    Ping,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_use_type_and_data_fields() {
        let event = ServerEvent::TeamChanged { by_user_id: None };
        let value = serde_json::to_value(&event).unwrap();
        assert_eq!(
            value,
            serde_json::json!({"type": "team.changed", "data": {"by_user_id": null}})
        );
        let pong = serde_json::to_value(ServerEvent::Pong).unwrap();
        assert_eq!(pong, serde_json::json!({"type": "pong"}));
    }

    #[test]
    fn client_ping_parses() {
        let msg: ClientMessage = serde_json::from_str(r#"{"type":"ping"}"#).unwrap();
        assert_eq!(msg, ClientMessage::Ping);
    }
}
