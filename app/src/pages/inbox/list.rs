//! The left pane: whose conversations (mine, unassigned, all), their status, a search box, an
//! optional label filter, and the conversations, most recent first.

use chrono::{DateTime, Utc};
use leptos::{html, prelude::*};
use shared::{api::ConversationDto, i18n::Key};
use uuid::Uuid;

use super::{format, Conversations, Filter, LoadState, Scope, Tab};
use crate::api::use_api;
use crate::components::feedback::{ListError, ListLoading};
use crate::components::icons::{Icon, IconName};
use crate::components::toast::use_toasts;
use crate::i18n::{fill, t, use_i18n};

/// How close to the bottom (px) the list asks for the next page.
const LOAD_MORE_MARGIN: i32 = 160;

/// The name to show for a contact: their name, or their number when we do not know it.
pub fn display_name(conversation: &ConversationDto) -> String {
    let name = conversation.contact.name.trim();
    if name.is_empty() {
        conversation.contact.phone.clone()
    } else {
        name.to_owned()
    }
}

#[component]
pub fn ConversationPane(
    conversations: Conversations,
    filter: RwSignal<Filter>,
    selected: Memo<Option<Uuid>>,
    now: RwSignal<DateTime<Utc>>,
) -> impl IntoView {
    let api = use_api();
    let toasts = use_toasts();
    let scroller = NodeRef::<html::Div>::new();
    let on_scroll = move |_| {
        let Some(el) = scroller.get_untracked() else { return };
        if el.scroll_top() + el.client_height() >= el.scroll_height() - LOAD_MORE_MARGIN {
            conversations.load_more(api, toasts);
        }
    };
    let empty = Memo::new(move |_| conversations.rows.with(Vec::is_empty));

    // Typing narrows the list after a short pause, not on every key.
    let search_ticket = StoredValue::new(0u64);
    let on_search = move |ev: leptos::ev::Event| {
        let q = event_target_value(&ev);
        let Some(ticket) = search_ticket.try_update_value(|n| {
            *n += 1;
            *n
        }) else {
            return;
        };
        leptos::task::spawn_local(async move {
            #[cfg(feature = "hydrate")]
            gloo_timers::future::TimeoutFuture::new(300).await;
            if search_ticket.try_get_value() == Some(ticket) {
                filter.update(|f| f.q = q);
            }
        });
    };
    let i18n = use_i18n();
    view! {
        <div class="shrink-0 space-y-3 border-b border-slate-200 px-4 pt-4">
            <h1 class="text-lg font-semibold tracking-tight text-slate-900">{t(Key::NavInbox)}</h1>
            <div class="flex gap-1 rounded-lg bg-slate-100 p-1" role="group" aria-label=t(Key::InboxScopeFilter)>
                {Scope::ALL
                    .into_iter()
                    .map(|option| {
                        let active = move || filter.with(|f| f.scope == option);
                        view! {
                            <button
                                type="button"
                                data-testid="inbox-scope"
                                data-scope=option.as_str()
                                aria-pressed=move || if active() { "true" } else { "false" }
                                class=move || {
                                    if active() {
                                        "flex-1 rounded-md bg-white px-2 py-1.5 text-sm font-semibold text-slate-900 shadow-xs"
                                    } else {
                                        "flex-1 rounded-md px-2 py-1.5 text-sm font-medium text-slate-600 hover:text-slate-900"
                                    }
                                }
                                on:click=move |_| filter.update(|f| f.scope = option)
                            >
                                {t(option.key())}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
            <div class="relative">
                <Icon icon=IconName::Search class="pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-slate-400"/>
                <input
                    type="search"
                    class="input pl-9"
                    data-testid="inbox-search"
                    aria-label=t(Key::InboxSearch)
                    placeholder=move || i18n.lang().t(Key::InboxSearch)
                    on:input=on_search
                />
            </div>
            {move || {
                filter
                    .with(|f| f.label.clone())
                    .map(|label| {
                        let shown = label.clone();
                        view! {
                            <p class="flex items-center gap-2 text-sm text-slate-600" data-testid="inbox-label-filter" data-label=label>
                                {t(Key::FilteredByLabel)}
                                <span class="badge badge-role">{shown}</span>
                                <button
                                    type="button"
                                    class="btn-icon size-7"
                                    data-testid="inbox-label-clear"
                                    on:click=move |_| filter.update(|f| f.label = None)
                                >
                                    <Icon icon=IconName::Close class="size-4"/>
                                    <span class="sr-only">{t(Key::ClearFilter)}</span>
                                </button>
                            </p>
                        }
                    })
            }}
            <div class="-mx-1 flex gap-1 overflow-x-auto" role="tablist" aria-label=t(Key::InboxStatusFilter)>
                {Tab::ALL
                    .into_iter()
                    .map(|option| {
                        let active = move || filter.with(|f| f.tab == option);
                        view! {
                            <button
                                type="button"
                                role="tab"
                                data-testid="inbox-tab"
                                data-tab=option.as_str()
                                aria-selected=move || if active() { "true" } else { "false" }
                                class=move || {
                                    if active() {
                                        "-mb-px shrink-0 border-b-2 border-brand-600 px-2.5 pb-2.5 text-sm font-semibold text-brand-700"
                                    } else {
                                        "-mb-px shrink-0 border-b-2 border-transparent px-2.5 pb-2.5 text-sm font-medium text-slate-500 hover:text-slate-800"
                                    }
                                }
                                on:click=move |_| filter.update(|f| f.tab = option)
                            >
                                {t(option.key())}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
        </div>
        <div
            class="min-h-0 flex-1 overflow-y-auto overscroll-contain"
            node_ref=scroller
            on:scroll=on_scroll
            data-testid="conversation-list"
        >
            {move || match conversations.state.get() {
                LoadState::Loading => view! { <div class="p-4"><ListLoading/></div> }.into_any(),
                LoadState::Failed(key) => {
                    let retry = Callback::new(move |_| conversations.load(api, filter.get_untracked()));
                    view! { <div class="p-4"><ListError key retry/></div> }.into_any()
                }
                LoadState::Ready if empty.get() => {
                    view! { <EmptyList filter=conversations.filter.get()/> }.into_any()
                }
                LoadState::Ready => view! {
                    <ul role="list" class="divide-y divide-slate-100">
                        <For
                            each=move || conversations.rows.get()
                            key=|c| (c.id, c.last_message_at, c.unread_count, c.status.clone(), c.last_message_preview.clone(), c.assignee_id, c.labels.clone())
                            let:conversation
                        >
                            <ConversationRow conversation selected now filter/>
                        </For>
                    </ul>
                    <Show when=move || conversations.next_cursor.with(Option::is_some)>
                        <div class="flex justify-center p-3">
                            <button
                                type="button"
                                class="btn btn-secondary btn-sm"
                                data-testid="conversations-load-more"
                                disabled=move || conversations.loading_more.get()
                                on:click=move |_| conversations.load_more(api, toasts)
                            >
                                {move || {
                                    conversations
                                        .loading_more
                                        .get()
                                        .then(|| view! { <span class="spinner" aria-hidden="true"></span> })
                                }}
                                <span>{t(Key::LoadMore)}</span>
                            </button>
                        </div>
                    </Show>
                }
                .into_any(),
            }}
        </div>
    }
    .into_any()
}

#[component]
fn ConversationRow(
    conversation: ConversationDto,
    selected: Memo<Option<Uuid>>,
    now: RwSignal<DateTime<Utc>>,
    filter: RwSignal<Filter>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = conversation.id;
    let name = display_name(&conversation);
    let initial =
        name.chars().find(|c| c.is_alphanumeric()).unwrap_or('#').to_uppercase().to_string();
    let at = conversation.last_message_at;
    let unread = conversation.unread_count.max(0);
    let is_selected = move || selected.get() == Some(id);
    let name_class = if unread > 0 {
        "min-w-0 flex-1 truncate text-sm font-semibold text-slate-900"
    } else {
        "min-w-0 flex-1 truncate text-sm font-medium text-slate-800"
    };
    let unread_label =
        move || fill(i18n.lang().t(Key::UnreadCount), &[("count", &unread.to_string())]);
    let labels = conversation.labels.clone();
    view! {
        <li>
            <a
                href=format!("/inbox?c={id}")
                class=move || {
                    if is_selected() {
                        "flex gap-3 bg-brand-50 px-4 py-3 focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-brand-600"
                    } else {
                        "flex gap-3 px-4 py-3 hover:bg-slate-50 focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-brand-600"
                    }
                }
                aria-current=move || is_selected().then_some("true")
                data-testid="conversation-row"
                data-id=id.to_string()
                data-phone=conversation.contact.phone.clone()
                data-unread=unread.to_string()
                data-status=conversation.status.clone()
                data-assignee=conversation.assignee_id.map(|id| id.to_string()).unwrap_or_default()
                data-persona=conversation.persona_id.map(|id| id.to_string()).unwrap_or_default()
            >
                <span class="grid size-10 shrink-0 place-items-center rounded-full bg-slate-100 text-sm font-semibold text-slate-600" aria-hidden="true">
                    {initial}
                </span>
                <span class="min-w-0 flex-1">
                    <span class="flex items-baseline gap-2">
                        <span
                            class=name_class
                            data-testid="conversation-name"
                        >
                            {name}
                        </span>
                        {conversation.persona_id.is_some().then(|| view! {
                            <span class="shrink-0 self-center text-violet-600" data-testid="conversation-ai" title=move || i18n.lang().t(Key::ScopeAi)>
                                <Icon icon=IconName::Sparkles class="size-3.5"/>
                            </span>
                        })}
                        <time
                            class="shrink-0 text-xs text-slate-500"
                            datetime=at.to_rfc3339()
                            data-testid="conversation-time"
                        >
                            {move || format::relative(i18n.lang(), at, now.get())}
                        </time>
                    </span>
                    <span class="mt-0.5 flex items-center gap-2">
                        <span class="min-w-0 flex-1 truncate text-sm text-slate-600" data-testid="conversation-preview">
                            {conversation.last_message_preview.clone().unwrap_or_default()}
                        </span>
                        {(unread > 0)
                            .then(|| {
                                view! {
                                    <span
                                        class="grid h-5 min-w-5 shrink-0 place-items-center rounded-full bg-brand-600 px-1.5 text-[0.6875rem] font-semibold text-white"
                                        data-testid="conversation-unread"
                                        title=unread_label
                                    >
                                        {unread}
                                        <span class="sr-only">{unread_label}</span>
                                    </span>
                                }
                            })}
                    </span>
                    {(!labels.is_empty())
                        .then(|| {
                            view! {
                                <span class="mt-1 flex flex-wrap gap-1">
                                    {labels
                                        .into_iter()
                                        .map(|label| {
                                            let chosen = label.clone();
                                            view! {
                                                <button
                                                    type="button"
                                                    class="badge hover:bg-slate-200"
                                                    data-testid="conversation-label"
                                                    on:click=move |ev| {
                                                        // A label in a row filters by it instead of opening the row.
                                                        ev.prevent_default();
                                                        ev.stop_propagation();
                                                        let chosen = chosen.clone();
                                                        filter.update(|f| f.label = Some(chosen));
                                                    }
                                                >
                                                    {label}
                                                </button>
                                            }
                                        })
                                        .collect_view()}
                                </span>
                            }
                        })}
                </span>
            </a>
        </li>
    }
    .into_any()
}

/// Nothing matches the filter; with no conversations at all, the way to get some.
#[component]
fn EmptyList(filter: Filter) -> impl IntoView {
    let tab = filter.tab;
    let everything = filter == Filter::default();
    if !everything {
        return view! {
            <p class="p-6 text-center text-sm text-slate-500" data-testid="inbox-empty" data-tab=tab.as_str()>
                {t(Key::NoConversationsHere)}
            </p>
        }
        .into_any();
    }
    view! {
        <div class="flex flex-col items-center px-6 py-12 text-center" data-testid="inbox-empty" data-tab=tab.as_str()>
            <div class="grid size-12 place-items-center rounded-2xl bg-sky-50 text-sky-600 ring-1 ring-sky-100">
                <Icon icon=IconName::Inbox class="size-6"/>
            </div>
            <h2 class="mt-4 font-semibold text-slate-900">{t(Key::NoConversations)}</h2>
            <p class="mt-1.5 max-w-xs text-sm leading-6 text-slate-600">{t(Key::NoConversationsHint)}</p>
            <a href="/connections" class="btn btn-secondary mt-5" data-testid="inbox-connections-link">
                <Icon icon=IconName::Link class="size-4"/>
                <span>{t(Key::SetUpConnection)}</span>
            </a>
        </div>
    }
    .into_any()
}
