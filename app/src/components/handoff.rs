//! Tells whoever is signed in, on any page, when an AI persona hands a conversation to people
//! (the customer asked for a person, the AI had no answer, the provider failed): a notice with
//! the customer, the reason, and a link to the conversation.

use leptos::prelude::*;
use shared::{i18n::Key, ServerEvent};

use crate::components::toast::use_toasts;
use crate::live::use_live;

/// Renders nothing; shows a notice per `conversation.handoff` event.
#[component]
pub fn HandoffNotices() -> impl IntoView {
    let live = use_live();
    let toasts = use_toasts();
    live.subscribe(move |event| {
        if let ServerEvent::ConversationHandoff { conversation_id, contact_name, reason } = event {
            toasts.notice(
                Key::HandoffToast,
                vec![("name", contact_name.clone()), ("reason", reason.clone())],
                format!("/inbox?c={conversation_id}"),
            );
        }
    });
}
