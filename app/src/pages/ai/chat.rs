//! The test chat of a persona: someone plays the customer and sees what the persona would
//! answer, from which passages, and whether it would hand over to a person. Nothing is sent to
//! any customer. The API is stateless, so the whole conversation (kept here, in the tab) goes
//! with every message.

use leptos::{html, prelude::*};
use shared::{
    ai::{ChatRole, ChatTurn, PersonaChatReply, PersonaChatRequest},
    i18n::Key,
};
use uuid::Uuid;

use super::{failure_text, SourceItem};
use crate::api::use_api;
use crate::components::icons::{Icon, IconName};
use crate::hydration::use_hydrated;
use crate::i18n::{fill, t, use_i18n};

/// One line of the transcript.
#[derive(Debug, Clone, PartialEq)]
enum Entry {
    Customer(String),
    Persona(PersonaChatReply),
    /// The call failed (the provider refused, a network error): shown, never sent back.
    Failed(String),
}

/// What goes to the API: the customer's messages and the persona's answers, oldest first. A
/// customer message whose answer failed is left out, so the model never sees two questions in a
/// row for one it did not answer.
fn history(entries: &[(u64, Entry)]) -> Vec<ChatTurn> {
    let mut turns = Vec::new();
    for (i, (_, entry)) in entries.iter().enumerate() {
        let failed_next = matches!(entries.get(i + 1), Some((_, Entry::Failed(_))));
        match entry {
            Entry::Customer(text) if !failed_next => {
                turns.push(ChatTurn { role: ChatRole::User, text: text.clone() })
            }
            Entry::Persona(reply) => {
                turns.push(ChatTurn { role: ChatRole::Assistant, text: reply.reply.clone() })
            }
            _ => {}
        }
    }
    turns
}

#[component]
pub fn TestChat(persona_id: Uuid) -> impl IntoView {
    let api = use_api();
    let i18n = use_i18n();
    let hydrated = use_hydrated();
    let entries = RwSignal::new(Vec::<(u64, Entry)>::new());
    let next_id = StoredValue::new(0u64);
    // Moves on "Clear": an answer to the cleared conversation is dropped.
    let conversation = StoredValue::new(0u64);
    let message = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let transcript = NodeRef::<html::Div>::new();

    let push = move |entry: Entry| {
        let Some(id) = next_id.try_update_value(|n| {
            *n += 1;
            *n
        }) else {
            return;
        };
        entries.try_update(|all| all.push((id, entry)));
    };
    // Keep the newest line in view.
    Effect::new(move |_| {
        entries.track();
        busy.track();
        if let Some(el) = transcript.get() {
            el.set_scroll_top(el.scroll_height());
        }
    });

    let send = move || {
        let text = message.get_untracked().trim().to_owned();
        if text.is_empty() || busy.get_untracked() {
            return;
        }
        push(Entry::Customer(text));
        message.set(String::new());
        busy.set(true);
        let request = PersonaChatRequest { messages: entries.with_untracked(|all| history(all)) };
        let asked_in = conversation.get_value();
        leptos::task::spawn_local(async move {
            let result = api
                .post::<_, PersonaChatReply>(&format!("/personas/{persona_id}/chat"), &request)
                .await;
            if conversation.try_get_value() != Some(asked_in) {
                return;
            }
            busy.try_set(false);
            match result {
                Ok(reply) => push(Entry::Persona(reply)),
                Err(failure) => push(Entry::Failed(failure_text(&failure, i18n.lang()))),
            }
        });
    };
    let clear = move |_: leptos::ev::MouseEvent| {
        conversation.update_value(|n| *n += 1);
        entries.set(Vec::new());
        busy.set(false);
    };

    view! {
        <aside class="card flex flex-col lg:sticky lg:top-20 lg:max-h-[calc(100dvh-7rem)]" data-testid="test-chat">
            <header class="flex items-start justify-between gap-3 border-b border-slate-100 px-5 py-4">
                <div class="min-w-0">
                    <h2 class="flex items-center gap-2 font-semibold text-slate-900">
                        <Icon icon=IconName::Chat class="size-5 text-brand-600"/>
                        {t(Key::TestChat)}
                    </h2>
                    <p class="mt-1 text-xs leading-5 text-slate-500">{t(Key::TestChatHint)}</p>
                </div>
                <button
                    type="button"
                    class="btn btn-ghost btn-sm"
                    data-testid="test-chat-clear"
                    disabled=move || entries.with(Vec::is_empty) && !busy.get()
                    on:click=clear
                >
                    <Icon icon=IconName::Refresh class="size-4"/>
                    {t(Key::TestChatClear)}
                </button>
            </header>
            <div
                node_ref=transcript
                class="min-h-64 flex-1 space-y-3 overflow-y-auto bg-slate-50 px-4 py-4 lg:min-h-80"
                data-testid="test-chat-transcript"
                aria-live="polite"
            >
                <Show when=move || entries.with(Vec::is_empty) && !busy.get()>
                    <p class="py-8 text-center text-sm text-slate-500" data-testid="test-chat-empty">{t(Key::TestChatEmpty)}</p>
                </Show>
                <For each=move || entries.get() key=|(id, _)| *id let:item>
                    {match item.1 {
                        Entry::Customer(text) => view! {
                            <div class="flex justify-end">
                                <div class="max-w-[85%] rounded-2xl rounded-br-md bg-brand-600 px-3.5 py-2 text-sm whitespace-pre-wrap break-words text-white shadow-xs" data-testid="test-chat-customer">
                                    <span class="sr-only">{t(Key::YouAsCustomer)}": "</span>
                                    {text}
                                </div>
                            </div>
                        }
                        .into_any(),
                        Entry::Persona(reply) => view! { <PersonaBubble reply/> }.into_any(),
                        Entry::Failed(text) => view! {
                            <div class="flex justify-start">
                                <div class="flex max-w-[85%] items-start gap-2 rounded-2xl rounded-bl-md bg-red-50 px-3.5 py-2 text-sm text-red-800 ring-1 ring-red-200" role="alert" data-testid="test-chat-error">
                                    <Icon icon=IconName::Warning class="mt-0.5 size-4 shrink-0"/>
                                    <p class="min-w-0 break-words"><span class="font-medium">{t(Key::TestChatFailed)}</span>" "{text}</p>
                                </div>
                            </div>
                        }
                        .into_any(),
                    }}
                </For>
                <Show when=move || busy.get()>
                    <div class="flex justify-start" data-testid="test-chat-thinking">
                        <div class="flex items-center gap-2 rounded-2xl rounded-bl-md bg-white px-3.5 py-2 text-sm text-slate-500 ring-1 ring-slate-200" role="status">
                            <span class="spinner size-3 text-brand-600" aria-hidden="true"></span>
                            {t(Key::TestChatThinking)}
                        </div>
                    </div>
                </Show>
            </div>
            <form
                class="flex items-end gap-2 border-t border-slate-100 p-3"
                novalidate
                on:submit=move |ev| {
                    ev.prevent_default();
                    send();
                }
            >
                <label for="test-chat-input" class="sr-only">{t(Key::TestChatPlaceholder)}</label>
                <textarea
                    id="test-chat-input"
                    rows="1"
                    class="input max-h-32 min-h-10 resize-none"
                    data-testid="test-chat-input"
                    placeholder=move || i18n.lang().t(Key::TestChatPlaceholder)
                    prop:value=move || message.get()
                    on:input=move |ev| message.set(event_target_value(&ev))
                    on:keydown=move |ev| {
                        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
                            ev.prevent_default();
                            send();
                        }
                    }
                ></textarea>
                <button
                    type="submit"
                    class="btn btn-primary shrink-0"
                    data-testid="test-chat-send"
                    disabled=move || !hydrated.get() || busy.get() || message.with(|m| m.trim().is_empty())
                >
                    {t(Key::SendReply)}
                </button>
            </form>
        </aside>
    }
    .into_any()
}

/// The persona's answer, its sources (folded) and, when it would hand over, why.
#[component]
fn PersonaBubble(reply: PersonaChatReply) -> impl IntoView {
    let i18n = use_i18n();
    let count = reply.sources.len();
    let handoff = reply.handoff.clone();
    let has_handoff = handoff.is_some();
    view! {
        <div class="flex justify-start">
            <div class="max-w-[92%] space-y-2 sm:max-w-[85%]">
                <div
                    class="rounded-2xl rounded-bl-md bg-white px-3.5 py-2 text-sm whitespace-pre-wrap break-words text-slate-900 shadow-xs ring-1 ring-slate-200"
                    data-testid="test-chat-reply"
                    data-handoff=has_handoff.to_string()
                    data-sources=count.to_string()
                >
                    {reply.reply.clone()}
                </div>
                {reply.truncated.then(|| view! {
                    <p class="px-1 text-xs text-amber-700" data-testid="test-chat-truncated">{t(Key::TestChatTruncated)}</p>
                })}
                {handoff.map(|reason| view! {
                    <p class="flex items-start gap-1.5 rounded-lg bg-amber-50 px-3 py-2 text-xs font-medium text-amber-900 ring-1 ring-amber-200" data-testid="test-chat-handoff">
                        <Icon icon=IconName::Users class="size-4 shrink-0"/>
                        <span class="min-w-0 break-words">
                            {move || fill(i18n.lang().t(Key::TestChatHandoff), &[("reason", &reason)])}
                        </span>
                    </p>
                })}
                {if count == 0 {
                    view! { <p class="px-1 text-xs text-slate-500" data-testid="test-chat-no-sources">{t(Key::TestChatNoSources)}</p> }.into_any()
                } else {
                    view! {
                        <details class="group px-1" data-testid="test-chat-sources">
                            <summary class="flex cursor-pointer list-none items-center gap-1 text-xs font-medium text-brand-700 hover:text-brand-600" data-testid="test-chat-sources-toggle">
                                <Icon icon=IconName::ChevronRight class="size-3.5 transition-transform group-open:rotate-90"/>
                                {move || fill(i18n.lang().t(Key::TestChatSources), &[("count", &count.to_string())])}
                            </summary>
                            <ul role="list" class="mt-2 space-y-2">
                                {reply.sources.iter().cloned().map(|source| view! { <SourceItem source testid="test-chat-source"/> }).collect_view()}
                            </ul>
                        </details>
                    }
                    .into_any()
                }}
            </div>
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(text: &str) -> Entry {
        Entry::Persona(PersonaChatReply {
            reply: text.to_owned(),
            sources: Vec::new(),
            truncated: false,
            handoff: None,
        })
    }

    #[test]
    fn the_history_leaves_out_unanswered_questions_and_errors() {
        let entries = vec![
            (1, Entry::Customer("oi".into())),
            (2, reply("Olá!")),
            (3, Entry::Customer("prazo?".into())),
            (4, Entry::Failed("provider down".into())),
            (5, Entry::Customer("prazo de entrega?".into())),
        ];
        let turns = history(&entries);
        let texts: Vec<_> = turns.iter().map(|t| (t.role, t.text.as_str())).collect();
        assert_eq!(
            texts,
            vec![
                (ChatRole::User, "oi"),
                (ChatRole::Assistant, "Olá!"),
                (ChatRole::User, "prazo de entrega?"),
            ]
        );
    }
}
