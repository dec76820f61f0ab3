//! A contact's conversations (on every number), newest first, each a link into the inbox. Shown
//! in the contact drawer, on the Contacts page and from a conversation in the inbox.

use leptos::prelude::*;
use shared::{
    api::{ConversationDto, Page},
    i18n::Key,
};
use uuid::Uuid;

use crate::api::use_api;
use crate::i18n::t;
use crate::pages::format_date;
use crate::pages::inbox::format::status_word;

#[component]
pub fn ContactConversations(contact_id: Uuid) -> impl IntoView {
    let api = use_api();
    let conversations = LocalResource::new(move || async move {
        api.get::<Page<ConversationDto>>(&format!(
            "/conversations?contact_id={contact_id}&limit=20"
        ))
        .await
        .map(|page| page.items)
    });
    view! {
        <section class="space-y-2 border-t border-slate-100 pt-4" data-testid="contact-conversations">
            <h3 class="text-sm font-medium text-slate-700">{t(Key::ContactConversations)}</h3>
            {move || match conversations.get() {
                None => view! { <p class="text-sm text-slate-500">{t(Key::Loading)}</p> }.into_any(),
                Some(Err(failure)) => view! { <p class="text-sm text-red-700">{t(failure.key())}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => {
                    view! { <p class="text-sm text-slate-500">{t(Key::NoContactConversations)}</p> }.into_any()
                }
                Some(Ok(list)) => view! {
                    <ul role="list" class="divide-y divide-slate-100 rounded-lg ring-1 ring-slate-200">
                        {list
                            .into_iter()
                            .map(|c| {
                                view! {
                                    <li>
                                        <a
                                            href=format!("/inbox?c={}", c.id)
                                            class="block px-3 py-2 hover:bg-slate-50"
                                            data-testid="contact-conversation"
                                            data-id=c.id.to_string()
                                        >
                                            <span class="flex items-center justify-between gap-2 text-xs text-slate-500">
                                                <span class="badge">{t(status_word(&c.status).unwrap_or(Key::StatusOpen))}</span>
                                                <time datetime=c.last_message_at.to_rfc3339()>{format_date(&c.last_message_at)}</time>
                                            </span>
                                            <span class="mt-1 block truncate text-sm text-slate-700">
                                                {c.last_message_preview.clone().unwrap_or_default()}
                                            </span>
                                        </a>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                .into_any(),
            }}
        </section>
    }
    .into_any()
}
