//! The right pane: one conversation's header and its messages, oldest at the top.

use chrono::{DateTime, NaiveDate, Utc};
use leptos::{html, prelude::*};
use shared::{
    ai::{AiReplyInfo, AssistReply, AssistRequest},
    api::{ContactDto, ConversationDto, MessageDto},
    i18n::Key,
};

use super::{
    actions::ConversationActions, composer::Composer, format, list::display_name, LoadState,
    Members, Thread,
};
use crate::api::use_api;
use crate::components::feedback::{ListError, ListLoading};
use crate::components::icons::{Icon, IconName};
use crate::components::toast::use_toasts;
use crate::i18n::{fill, t, use_i18n};
use crate::pages::contacts::list::{ContactDrawer, Editing};
use crate::pages::format_local_datetime;

/// Within this many pixels of the bottom the pane follows new messages down.
const STICK_MARGIN: i32 = 120;

/// One line of the thread: a day separator or a message.
#[derive(Debug, Clone, PartialEq)]
enum Item {
    Day(NaiveDate),
    Message(Box<MessageDto>),
}

impl Item {
    /// Changes whenever what the line shows changes, so `For` re-renders it.
    fn key(&self) -> String {
        match self {
            Item::Day(day) => format!("day-{day}"),
            Item::Message(m) => format!(
                "{}:{}:{:?}:{:?}:{}:{}",
                m.id,
                m.status,
                m.edited_at,
                m.revoked_at,
                m.text.as_deref().map_or(0, str::len),
                m.media_url.is_some()
            ),
        }
    }
}

/// The messages with a separator before each new local day.
fn with_days(messages: &[MessageDto]) -> Vec<Item> {
    let mut items = Vec::with_capacity(messages.len() + 4);
    let mut last = None;
    for message in messages {
        let day = format::local_day(message.created_at);
        if last != Some(day) {
            items.push(Item::Day(day));
            last = Some(day);
        }
        items.push(Item::Message(Box::new(message.clone())));
    }
    items
}

/// Runs `f` after the browser has laid out the latest changes.
fn after_render(f: impl FnOnce() + 'static) {
    #[cfg(feature = "hydrate")]
    request_animation_frame(f);
    #[cfg(not(feature = "hydrate"))]
    let _ = f;
}

#[component]
pub fn ThreadPane(
    thread: Thread,
    now: RwSignal<DateTime<Utc>>,
    members: Members,
    me: Signal<Option<uuid::Uuid>>,
) -> impl IntoView {
    let api = use_api();
    let toasts = use_toasts();
    let scroller = NodeRef::<html::Div>::new();
    // Whether the reader is at the bottom, checked before the DOM grows.
    let at_bottom = StoredValue::new(true);
    let on_scroll = move |_| {
        if let Some(el) = scroller.get_untracked() {
            at_bottom.set_value(
                el.scroll_height() - el.scroll_top() - el.client_height() <= STICK_MARGIN,
            );
        }
    };
    // A new message at the end: follow it if the reader was at the bottom (always on open).
    Effect::new(move |previous: Option<Option<uuid::Uuid>>| {
        thread.appended.track();
        let id = thread.id.get_untracked();
        let opened = previous.is_none_or(|previous| previous != id);
        if opened || at_bottom.get_value() {
            after_render(move || {
                if let Some(el) = scroller.get_untracked() {
                    el.set_scroll_top(el.scroll_height());
                    at_bottom.set_value(true);
                }
            });
        }
        id
    });
    // Older messages added above: keep the message in view where it was.
    let from_bottom = StoredValue::new(None::<i32>);
    Effect::new(move |_| {
        thread.prepended.track();
        if let Some(distance) = from_bottom.try_update_value(Option::take).flatten() {
            after_render(move || {
                if let Some(el) = scroller.get_untracked() {
                    el.set_scroll_top(el.scroll_height() - distance);
                }
            });
        }
    });
    let load_older = move |_| {
        from_bottom
            .set_value(scroller.get_untracked().map(|el| el.scroll_height() - el.scroll_top()));
        thread.load_older(api, toasts);
    };
    let items = Memo::new(move |_| thread.messages.with(|messages| with_days(messages)));

    move || {
        if thread.id.get().is_none() {
            return view! {
                <div class="grid flex-1 place-items-center p-6 text-center" data-testid="thread-none">
                    <div>
                        <Icon icon=IconName::Chat class="mx-auto size-10 text-slate-300"/>
                        <p class="mt-3 text-sm text-slate-500">{t(Key::SelectConversation)}</p>
                    </div>
                </div>
            }
            .into_any();
        }
        view! {
            <Header thread now members me/>
            <div
                class="min-h-0 flex-1 overflow-y-auto overscroll-contain bg-slate-50 px-3 py-4 sm:px-6"
                node_ref=scroller
                on:scroll=on_scroll
                data-testid="thread"
                data-id=move || thread.id.get().map(|id| id.to_string())
            >
                {move || match thread.state.get() {
                    LoadState::Loading => view! { <ListLoading/> }.into_any(),
                    LoadState::Failed(key) => {
                        let retry = Callback::new(move |_| {
                            let id = thread.id.get_untracked();
                            thread.id.set(None);
                            thread.open(api, id, None);
                        });
                        view! { <ListError key retry/> }.into_any()
                    }
                    LoadState::Ready => view! {
                        <Show when=move || thread.older.with(Option::is_some)>
                            <div class="mb-4 flex justify-center">
                                <button
                                    type="button"
                                    class="btn btn-secondary btn-sm"
                                    data-testid="thread-load-older"
                                    disabled=move || thread.loading_older.get()
                                    on:click=load_older
                                >
                                    {move || {
                                        thread.loading_older
                                            .get()
                                            .then(|| view! { <span class="spinner" aria-hidden="true"></span> })
                                    }}
                                    <span>{t(Key::LoadOlderMessages)}</span>
                                </button>
                            </div>
                        </Show>
                        <Show when=move || thread.messages.with(Vec::is_empty)>
                            <p class="py-8 text-center text-sm text-slate-500">{t(Key::NoMessagesYet)}</p>
                        </Show>
                        <ol role="list" class="space-y-2" data-testid="messages">
                            <For each=move || items.get() key=Item::key let:item>
                                {match item {
                                    Item::Day(day) => view! { <DaySeparator day now/> }.into_any(),
                                    Item::Message(message) if message.direction == "internal" => {
                                        view! { <Internal message=*message members/> }.into_any()
                                    }
                                    Item::Message(message) => view! { <Bubble message=*message thread/> }.into_any(),
                                }}
                            </For>
                        </ol>
                    }
                    .into_any(),
                }}
            </div>
            <Composer thread now/>
        }
        .into_any()
    }
}

/// Who the conversation is with, the way back on a phone, and the 24-hour window.
#[component]
fn Header(
    thread: Thread,
    now: RwSignal<DateTime<Utc>>,
    members: Members,
    me: Signal<Option<uuid::Uuid>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let toasts = use_toasts();
    // The customer's details, edited in the same drawer as on the Contacts page.
    let contact = RwSignal::new(None::<ContactDto>);
    let open_contact = move |_| {
        let Some(conversation) = thread.conversation.get_untracked() else { return };
        leptos::task::spawn_local(async move {
            match api.get::<ContactDto>(&format!("/contacts/{}", conversation.contact.id)).await {
                Ok(found) => {
                    contact.try_set(Some(found));
                }
                Err(failure) => toasts.error(failure.key()),
            }
        });
    };
    // "Summarise": a persona's few lines about the conversation, shown under the header.
    let summary = RwSignal::new(None::<AssistReply>);
    let summarizing = RwSignal::new(false);
    Effect::new(move |_| {
        thread.id.track();
        summary.set(None);
    });
    let summarize = move |_| {
        let Some(id) = thread.id.get_untracked() else { return };
        summarizing.set(true);
        leptos::task::spawn_local(async move {
            let result: Result<AssistReply, crate::api::ApiFailure> = api
                .post(&format!("/conversations/{id}/assist/summary"), &AssistRequest::default())
                .await;
            summarizing.try_set(false);
            match result {
                Ok(found) => {
                    summary.try_set(Some(found));
                }
                Err(failure) if failure.is(shared::ErrorCode::InvalidState) => {
                    toasts.error(Key::AssistNeedsPersona)
                }
                Err(failure) => toasts.error(failure.key()),
            }
        });
    };
    let on_saved = Callback::new(move |key: Key| {
        toasts.success(key);
        contact.set(None);
        let Some(id) = thread.id.get_untracked() else { return };
        leptos::task::spawn_local(async move {
            if let Ok(fresh) = api.get::<ConversationDto>(&format!("/conversations/{id}")).await {
                thread.show_conversation(fresh);
            }
        });
    });
    view! {
        {move || {
            contact
                .get()
                .map(|found| {
                    view! {
                        <ContactDrawer
                            editing=Editing::Existing(Box::new(found))
                            on_close=Callback::new(move |_| contact.set(None))
                            on_saved
                        />
                    }
                })
        }}
        <div class="shrink-0 border-b border-slate-200 bg-white px-3 py-3 sm:px-5">
            <div class="flex items-center gap-2">
                <a
                    href="/inbox"
                    class="btn-icon -ml-1 shrink-0 md:hidden"
                    data-testid="inbox-back"
                >
                    <Icon icon=IconName::ArrowLeft class="size-5"/>
                    <span class="sr-only">{t(Key::BackToConversations)}</span>
                </a>
                {move || {
                    thread
                        .conversation
                        .get()
                        .map(|c| {
                            let name = display_name(&c);
                            let phone = (name != c.contact.phone).then(|| c.contact.phone.clone());
                            view! {
                                <div class="min-w-0 flex-1">
                                    <h2 class="truncate font-semibold text-slate-900" data-testid="thread-name">{name}</h2>
                                    {phone.map(|phone| view! { <p class="truncate text-xs text-slate-500" data-testid="thread-phone">{phone}</p> })}
                                </div>
                            }
                        })
                }}
                <button
                    type="button"
                    class="btn btn-secondary btn-sm shrink-0"
                    data-testid="thread-summarize"
                    disabled=move || summarizing.get()
                    aria-busy=move || summarizing.get().then_some("true")
                    on:click=summarize
                >
                    {move || if summarizing.get() {
                        view! { <span class="spinner" aria-hidden="true"></span> }.into_any()
                    } else {
                        view! { <Icon icon=IconName::Sparkles class="size-4 text-violet-600"/> }.into_any()
                    }}
                    <span class="hidden sm:inline">{t(Key::Summarize)}</span>
                    <span class="sr-only sm:hidden">{t(Key::Summarize)}</span>
                </button>
                <button type="button" class="btn btn-secondary btn-sm shrink-0" data-testid="thread-contact" on:click=open_contact>
                    <Icon icon=IconName::UserCircle class="size-4"/>
                    <span class="hidden sm:inline">{t(Key::ContactDetails)}</span>
                    <span class="sr-only sm:hidden">{t(Key::ContactDetails)}</span>
                </button>
            </div>
            <ConversationActions thread members me/>
            {move || summary.get().map(|found| {
                let name = found.persona_name.clone();
                view! {
                    <div class="mt-2 rounded-lg bg-violet-50 px-3 py-2 text-sm text-violet-950 ring-1 ring-violet-200 ring-inset" data-testid="thread-summary">
                        <div class="flex items-center gap-2">
                            <Icon icon=IconName::Sparkles class="size-4 shrink-0 text-violet-600"/>
                            <p class="flex-1 text-xs font-semibold">{move || fill(i18n.lang().t(Key::SummaryBy), &[("name", &name)])}</p>
                            <button type="button" class="btn-icon size-7" data-testid="thread-summary-close" on:click=move |_| summary.set(None)>
                                <Icon icon=IconName::Close class="size-4"/>
                                <span class="sr-only">{t(Key::CloseSummary)}</span>
                            </button>
                        </div>
                        <p class="mt-1 max-h-40 overflow-y-auto whitespace-pre-line leading-6" data-testid="thread-summary-text">{found.text}</p>
                    </div>
                }
            })}
            {move || {
                let conversation = thread.conversation.get()?;
                let closes = conversation.window_closes_at.filter(|at| *at > now.get());
                Some(match closes {
                    None => view! {
                        <p class="mt-2 flex items-start gap-2 rounded-lg bg-amber-50 px-3 py-2 text-xs leading-5 text-amber-900 ring-1 ring-amber-200 ring-inset" data-testid="window-closed">
                            <Icon icon=IconName::Clock class="mt-0.5 size-4 shrink-0"/>
                            <span>{t(Key::WindowClosed)}</span>
                        </p>
                    }
                    .into_any(),
                    Some(at) => {
                        let time = format_local_datetime(&at);
                        view! {
                            <p class="mt-1 text-xs text-slate-500" data-testid="window-open">
                                {move || fill(i18n.lang().t(Key::WindowOpenUntil), &[("time", &time)])}
                            </p>
                        }
                        .into_any()
                    }
                })
            }}
        </div>
    }
    .into_any()
}

#[component]
fn DaySeparator(day: NaiveDate, now: RwSignal<DateTime<Utc>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <li class="flex justify-center py-2" data-testid="day-separator" data-day=day.to_string()>
            <span class="rounded-full bg-white px-3 py-0.5 text-xs font-medium text-slate-500 shadow-xs ring-1 ring-slate-200">
                {move || format::day_label(i18n.lang(), day, format::local_day(now.get()))}
            </span>
        </li>
    }
    .into_any()
}

/// One message from or to the customer.
#[component]
fn Bubble(message: MessageDto, thread: Thread) -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let toasts = use_toasts();
    let retrying = RwSignal::new(false);
    let message_id = message.id;
    let retry = move |_| {
        let Some(conversation_id) = thread.id.get_untracked() else { return };
        retrying.set(true);
        leptos::task::spawn_local(async move {
            let path = format!("/conversations/{conversation_id}/messages/{message_id}/retry");
            let result = api.post_empty::<MessageDto>(&path).await;
            retrying.try_set(false);
            match result {
                Ok(message) => thread.show_sent(message),
                Err(failure) => toasts.error(failure.key()),
            }
        });
    };
    let outbound = message.direction == "out";
    // Written by an AI persona: marked, with the passages it answered from.
    let ai = message.ai.clone().filter(|_| outbound);
    let (row, bubble) = if ai.is_some() {
        ("flex justify-end", "max-w-[85%] rounded-2xl rounded-br-md bg-violet-600 px-3.5 py-2 text-white shadow-xs sm:max-w-[70%]")
    } else if outbound {
        ("flex justify-end", "max-w-[85%] rounded-2xl rounded-br-md bg-brand-600 px-3.5 py-2 text-white shadow-xs sm:max-w-[70%]")
    } else {
        ("flex justify-start", "max-w-[85%] rounded-2xl rounded-bl-md bg-white px-3.5 py-2 text-slate-900 shadow-xs ring-1 ring-slate-200 sm:max-w-[70%]")
    };
    let muted = match (ai.is_some(), outbound) {
        (true, _) => "text-violet-100",
        (false, true) => "text-brand-100",
        (false, false) => "text-slate-500",
    };
    let time = format::local_time(message.created_at);
    let edited = message.edited_at.is_some() && message.revoked_at.is_none();
    let forwarded = format::forwarded(&message.payload);
    // Sent by a campaign (shown above the customer's answer to it).
    let campaign =
        message.payload.pointer("/campaign/name").and_then(|n| n.as_str()).map(str::to_owned);
    // Sent by an automation rule.
    let automation = message
        .payload
        .pointer("/automation/rule_name")
        .and_then(|n| n.as_str())
        .filter(|_| outbound)
        .map(str::to_owned);
    let automation_rule = automation.clone();
    let status = outbound.then(|| message.status.clone());
    let failure = (outbound && message.status == "failed").then(|| message.error.clone()).flatten();
    view! {
        <li
            class=row
            data-testid="message"
            data-id=message.id.to_string()
            data-direction=message.direction.clone()
            data-kind=message.kind.clone()
            data-status=message.status.clone()
            data-ai=ai.as_ref().map(|ai| ai.persona_id.to_string())
            data-automation=automation_rule
        >
            <div class=bubble>
                {ai.clone().map(|ai| view! { <AiByline ai muted/> })}
                {forwarded
                    .then(|| view! { <p class=format!("mb-0.5 text-xs italic {muted}")>{t(Key::Forwarded)}</p> })}
                {campaign
                    .map(|name| {
                        view! {
                            <p class=format!("mb-0.5 text-xs font-medium {muted}") data-testid="message-campaign">
                                {move || fill(i18n.lang().t(Key::CampaignMessage), &[("name", &name)])}
                            </p>
                        }
                    })}
                {automation
                    .map(|name| {
                        view! {
                            <p class=format!("mb-0.5 text-xs font-medium {muted}") data-testid="message-automation">
                                {move || fill(i18n.lang().t(Key::AutomationMessage), &[("name", &name)])}
                            </p>
                        }
                    })}
                <Content message=message.clone() muted/>
                {ai.clone().filter(|ai| !ai.sources.is_empty()).map(|ai| view! { <AiSources ai muted/> })}
                <p class=format!("mt-1 flex items-center justify-end gap-1.5 text-[0.6875rem] {muted}")>
                    {edited.then(|| view! { <span data-testid="message-edited">{t(Key::Edited)}</span> })}
                    <time datetime=message.created_at.to_rfc3339()>{time}</time>
                    {status.map(|status| view! { <Ticks status/> })}
                </p>
                {failure
                    .map(|error| {
                        view! {
                            <div class="mt-1.5 rounded-md bg-red-50 px-2 py-1 text-xs text-red-800">
                                <p data-testid="message-error">{error}</p>
                                <button
                                    type="button"
                                    class="mt-1 font-semibold underline underline-offset-2"
                                    data-testid="message-retry"
                                    disabled=move || retrying.get()
                                    on:click=retry
                                >
                                    {t(Key::RetrySend)}
                                </button>
                            </div>
                        }
                    })}
            </div>
        </li>
    }
    .into_any()
}

/// Which persona wrote an AI message and why it handed off (if it did).
#[component]
fn AiByline(ai: AiReplyInfo, muted: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let name = ai.persona_name.clone();
    view! {
        <p class=format!("mb-0.5 flex items-center gap-1 text-xs font-medium {muted}") data-testid="message-ai">
            <Icon icon=IconName::Sparkles class="size-3.5"/>
            {move || fill(i18n.lang().t(Key::AiReplyBy), &[("name", &name)])}
        </p>
        {ai.handoff.clone().map(|reason| view! {
            <p class=format!("mb-1 text-xs italic {muted}") data-testid="message-ai-handoff">
                {move || fill(i18n.lang().t(Key::AiHandoffNote), &[("reason", &reason)])}
            </p>
        })}
    }
    .into_any()
}

/// The knowledge passages an AI answer was grounded in, folded under it.
#[component]
fn AiSources(ai: AiReplyInfo, muted: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let count = ai.sources.len().to_string();
    view! {
        {(!ai.sources.is_empty()).then(|| view! {
            <details class="mt-1.5 text-xs" data-testid="message-ai-sources">
                <summary class=format!("cursor-pointer select-none {muted}")>
                    {move || fill(i18n.lang().t(Key::AiSources), &[("count", &count)])}
                </summary>
                <ol class="mt-1 space-y-1.5 rounded-lg bg-white/10 p-2">
                    {ai.sources.iter().map(|source| view! {
                        <li data-testid="message-ai-source" data-document=source.document_id.to_string()>
                            <p class="font-semibold">{source.document_title.clone()}
                                <span class=format!("ml-1 font-normal {muted}")>{format!("{:.2}", source.score)}</span>
                            </p>
                            <p class="line-clamp-3 whitespace-pre-line">{source.text.clone()}</p>
                        </li>
                    }).collect_view()}
                </ol>
            </details>
        })}
    }
    .into_any()
}

/// What a message says, by kind.
#[component]
fn Content(message: MessageDto, muted: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let text = message.text.clone().filter(|t| !t.trim().is_empty());
    let body = |text: Option<String>| {
        text.map(|text| {
            view! { <p class="whitespace-pre-wrap break-words text-sm leading-6" data-testid="message-text">{text}</p> }
        })
    };
    let label = move |key: Key, icon: IconName| {
        view! {
            <p class=format!("flex items-center gap-1.5 text-xs font-semibold uppercase tracking-wide {muted}")>
                <Icon icon class="size-4 shrink-0"/>
                {t(key)}
            </p>
        }
    };
    if message.revoked_at.is_some() {
        return view! {
            <p class=format!("text-sm italic {muted}") data-testid="message-deleted">{t(Key::MessageDeleted)}</p>
        }
        .into_any();
    }
    if let Some(key) = format::media_label(&message.kind) {
        let caption = body(text);
        return match message.media_url.clone() {
            Some(url) => view! {
                <div data-testid="message-media" data-kind=message.kind.clone()>
                    <Media kind=message.kind.clone() url filename=format::media_filename(&message.payload) muted/>
                    {caption}
                </div>
            }
            .into_any(),
            // The `media.fetch` job has not finished yet; `message.updated` brings the URL.
            None => view! {
                <div data-testid="message-media" data-kind=message.kind.clone()>
                    {label(key, IconName::Paperclip)}
                    {caption}
                    <p class=format!("mt-0.5 text-xs {muted}") data-testid="message-media-pending">
                        {t(Key::MediaDownloading)}
                    </p>
                </div>
            }
            .into_any(),
        };
    }
    match message.kind.as_str() {
        "text" | "system" => body(text).into_any(),
        "location" => {
            let link = format::maps_link(&message.payload);
            view! {
                <div data-testid="message-location">
                    {label(Key::MsgLocation, IconName::MapPin)}
                    {body(text)}
                    {link
                        .map(|href| {
                            view! {
                                <a href=href target="_blank" rel="noopener noreferrer" class="text-sm font-medium underline underline-offset-2" data-testid="message-map-link">
                                    {t(Key::OpenInMaps)}
                                </a>
                            }
                        })}
                </div>
            }
            .into_any()
        }
        "contacts" => {
            let names = format::contact_card_names(&message.payload);
            let names = if names.is_empty() { text.into_iter().collect() } else { names };
            view! {
                <div data-testid="message-contacts">
                    {label(Key::MsgContacts, IconName::UserCircle)}
                    <ul class="mt-0.5 text-sm leading-6">
                        {names.into_iter().map(|name| view! { <li class="break-words">{name}</li> }).collect_view()}
                    </ul>
                </div>
            }
            .into_any()
        }
        "reaction" => {
            let emoji = text.unwrap_or_default();
            view! {
                <p class="text-sm" data-testid="message-reaction">
                    {move || {
                        if emoji.is_empty() {
                            i18n.lang().t(Key::MsgReactionRemoved).to_owned()
                        } else {
                            fill(i18n.lang().t(Key::MsgReacted), &[("emoji", &emoji)])
                        }
                    }}
                </p>
            }
            .into_any()
        }
        "interactive" | "button" => view! {
            <div data-testid="message-reply">
                <p class=format!("text-xs {muted}")>{t(Key::MsgReply)}</p>
                {body(text)}
            </div>
        }
        .into_any(),
        "order" => view! {
            <div>
                {label(Key::MsgOrder, IconName::Tag)}
                {body(text)}
            </div>
        }
        .into_any(),
        "template" => {
            let name = message.payload.get("name").and_then(|n| n.as_str()).map(str::to_owned);
            let text = text.or(name);
            view! {
                <div>
                    {label(Key::MsgTemplate, IconName::Megaphone)}
                    {body(text)}
                </div>
            }
            .into_any()
        }
        _ => match text {
            Some(text) => body(Some(text)).into_any(),
            None => view! {
                <p class=format!("text-sm italic {muted}") data-testid="message-unsupported">{t(Key::MsgUnsupported)}</p>
            }
            .into_any(),
        },
    }
}

/// A stored media file, shown the way a phone would: pictures inline, players for sound and
/// video, a download for documents. `url` is our tenant-checked route, same origin.
#[component]
fn Media(
    kind: String,
    url: String,
    filename: Option<String>,
    muted: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    match kind.as_str() {
        "image" | "sticker" => {
            let size = if kind == "sticker" { "size-32 object-contain" } else { "max-h-72 w-auto rounded-lg object-cover" };
            let href = url.clone();
            view! {
                <a href=href target="_blank" rel="noopener" class="block" data-testid="message-image-link">
                    <img
                        src=url
                        loading="lazy"
                        alt=move || i18n.lang().t(if kind == "sticker" { Key::MsgSticker } else { Key::MsgImage })
                        class=format!("{size} max-w-full")
                        data-testid="message-image"
                    />
                </a>
            }
            .into_any()
        }
        "audio" => view! {
            <audio controls preload="none" src=url class="w-64 max-w-full" data-testid="message-audio"></audio>
        }
        .into_any(),
        "video" => view! {
            <video controls preload="metadata" src=url class="max-h-72 max-w-full rounded-lg" data-testid="message-video"></video>
        }
        .into_any(),
        _ => {
            let name = filename.unwrap_or_default();
            let shown = name.clone();
            view! {
                <a
                    href=url
                    download=(!name.is_empty()).then_some(name)
                    class=format!("flex items-center gap-2 rounded-lg bg-black/5 px-3 py-2 text-sm font-medium underline-offset-2 hover:underline {muted}")
                    data-testid="message-document"
                >
                    <Icon icon=IconName::Download class="size-4 shrink-0"/>
                    <span class="min-w-0 break-all">
                        {move || if shown.is_empty() { i18n.lang().t(Key::MsgDocument).to_owned() } else { shown.clone() }}
                    </span>
                </a>
            }
            .into_any()
        }
    }
}

/// A line only the team sees: a private note (with its author), or what someone changed.
#[component]
fn Internal(message: MessageDto, members: Members) -> impl IntoView {
    let i18n = use_i18n();
    let time = format::local_time(message.created_at);
    let author = message.payload.get("by_name").and_then(|n| n.as_str()).map(str::to_owned);
    let author = move || {
        message
            .sent_by_user_id
            .and_then(|id| members.name(id))
            .or_else(|| author.clone())
            .unwrap_or_default()
    };
    if message.kind == "note" {
        let text = message.text.clone().unwrap_or_default();
        return view! {
            <li class="flex justify-end" data-testid="message" data-id=message.id.to_string() data-direction="internal" data-kind="note">
                <div class="max-w-[85%] rounded-2xl rounded-br-md bg-amber-50 px-3.5 py-2 text-amber-950 shadow-xs ring-1 ring-amber-200 sm:max-w-[70%]">
                    <p class="flex items-center gap-1.5 text-xs font-semibold text-amber-800">
                        <Icon icon=IconName::Key class="size-3.5"/>
                        {move || fill(i18n.lang().t(Key::NoteBy), &[("name", &author())])}
                    </p>
                    <p class="mt-0.5 whitespace-pre-wrap break-words text-sm leading-6" data-testid="message-text">{text}</p>
                    <p class="mt-1 text-right text-[0.6875rem] text-amber-700">
                        <time datetime=message.created_at.to_rfc3339()>{time}</time>
                    </p>
                </div>
            </li>
        }
        .into_any();
    }
    let payload = message.payload.clone();
    let fallback = message.text.clone().unwrap_or_default();
    let line = move || {
        format::activity_line(i18n.lang(), &payload, &author()).unwrap_or_else(|| fallback.clone())
    };
    view! {
        <li class="flex justify-center py-1" data-testid="message" data-id=message.id.to_string() data-direction="internal" data-kind="activity">
            <p class="max-w-[90%] text-center text-xs text-slate-500" data-testid="activity-line">
                {line} " · " <time datetime=message.created_at.to_rfc3339()>{time}</time>
            </p>
        </li>
    }
    .into_any()
}

/// Delivery ticks of an outbound message: ✓ sent, ✓✓ delivered, blue ✓✓ read, ! failed.
#[component]
fn Ticks(status: String) -> impl IntoView {
    let i18n = use_i18n();
    let label = format::status_key(&status);
    let (glyph, class) = match status.as_str() {
        "queued" => ("🕓", ""),
        "sent" => ("✓", ""),
        "delivered" => ("✓✓", ""),
        "read" | "played" => ("✓✓", "text-sky-300"),
        "failed" => ("!", "rounded-full bg-red-500 px-1 font-bold text-white"),
        _ => ("", ""),
    };
    view! {
        <span data-testid="message-status" data-status=status.clone() class=class title=move || label.map(|key| i18n.lang().t(key))>
            <span aria-hidden="true">{glyph}</span>
            {label.map(|key| view! { <span class="sr-only">{t(key)}</span> })}
        </span>
    }
    .into_any()
}
