//! The composer under a thread: a reply to the customer or a private note for the team.
//!
//! Replies: Enter sends (Shift+Enter for a new line); `/` at the start lists the team's canned
//! replies and picks one into the text; a file is uploaded and sent as media with the text as its
//! caption; a few emoji are a tap away. Outside WhatsApp's 24-hour window free text cannot be
//! sent, so the composer turns into a template sender: pick an approved template, fill in its
//! variables while the bubble shows what the customer will read, send.

use chrono::{DateTime, Utc};
use leptos::{html, prelude::*};
use shared::{
    ai::{AssistReply, AssistRequest},
    api::{
        CannedReplyDto, MediaKind, MediaSend, MediaUploadDto, MessageDto, NoteRequest, Page,
        SendMessageRequest, TemplateDto, TemplateHeaderSend, TemplateSend,
    },
    i18n::Key,
    ErrorCode,
};
use uuid::Uuid;

use super::Thread;
use crate::api::{encode_query, use_api, ApiFailure};
use crate::components::icons::{Icon, IconName};
use crate::components::toast::use_toasts;
use crate::file::PickedFile;
use crate::i18n::{fill, t, use_i18n};
use crate::pages::connections::templates::preview::{header_variables, preview, Bubble};

/// The emoji offered by the picker: the ones agents reach for.
const EMOJI: &[&str] = &[
    "😀", "😊", "😉", "😍", "🙏", "👍", "👏", "🙌", "🎉", "✅", "❤️", "😅", "🤔", "😢", "🚚", "📦",
    "💳", "📅", "⏰", "📍",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Reply,
    Note,
}

/// The canned replies whose shortcut starts with what follows `/` (only while the text is a
/// lone `/word`).
fn canned_matches<'a>(text: &str, canned: &'a [CannedReplyDto]) -> Vec<&'a CannedReplyDto> {
    let Some(prefix) = text.strip_prefix('/') else { return Vec::new() };
    if prefix.contains(char::is_whitespace) {
        return Vec::new();
    }
    let prefix = prefix.to_lowercase();
    canned.iter().filter(|c| c.shortcut.starts_with(&prefix)).take(8).collect()
}

#[component]
pub fn Composer(thread: Thread, now: RwSignal<DateTime<Utc>>) -> impl IntoView {
    let i18n = use_i18n();
    let mode = RwSignal::new(Mode::Reply);
    let window_open = Memo::new(move |_| {
        thread
            .conversation
            .with(|c| c.as_ref().and_then(|c| c.window_closes_at).is_some_and(|at| at > now.get()))
    });
    let tab = move |value: Mode, key: Key, testid: &'static str| {
        view! {
            <button
                type="button"
                role="tab"
                data-testid=testid
                aria-selected=move || if mode.get() == value { "true" } else { "false" }
                class=move || {
                    if mode.get() == value {
                        "rounded-md px-2.5 py-1 text-xs font-semibold text-slate-900 bg-white shadow-xs"
                    } else {
                        "rounded-md px-2.5 py-1 text-xs font-medium text-slate-600 hover:text-slate-900"
                    }
                }
                on:click=move |_| mode.set(value)
            >
                {t(key)}
            </button>
        }
    };
    view! {
        <div class="shrink-0 border-t border-slate-200 bg-white px-3 pt-2 pb-[max(0.75rem,env(safe-area-inset-bottom))] sm:px-4" data-testid="composer">
            <div class="mb-2 inline-flex gap-1 rounded-lg bg-slate-100 p-0.5" role="tablist" aria-label=move || i18n.lang().t(Key::ComposerMode)>
                {tab(Mode::Reply, Key::ComposerReply, "composer-reply-tab")}
                {tab(Mode::Note, Key::ComposerNote, "composer-note-tab")}
            </div>
            {move || match (mode.get(), window_open.get()) {
                (Mode::Note, _) => view! { <TextComposer thread mode=Mode::Note/> }.into_any(),
                (Mode::Reply, true) => view! { <TextComposer thread mode=Mode::Reply/> }.into_any(),
                (Mode::Reply, false) => view! { <TemplateComposer thread/> }.into_any(),
            }}
        </div>
    }
    .into_any()
}

/// Free text (a reply inside the window, or a note), with canned replies, emoji and files.
#[component]
fn TextComposer(thread: Thread, mode: Mode) -> impl IntoView {
    let api = use_api();
    let toasts = use_toasts();
    let i18n = use_i18n();
    let text = RwSignal::new(String::new());
    let sending = RwSignal::new(false);
    let file = RwSignal::new(None::<PickedFile>);
    let file_name = RwSignal::new(None::<String>);
    let emoji_open = RwSignal::new(false);
    let canned = RwSignal::new(Vec::<CannedReplyDto>::new());
    let area = NodeRef::<html::Textarea>::new();
    let file_input = NodeRef::<html::Input>::new();
    let note = mode == Mode::Note;
    // An AI draft put in the box: whose, shown until the text is sent or cleared.
    let drafted_by = RwSignal::new(None::<String>);
    let suggesting = RwSignal::new(false);
    // "Typing…" on the customer's phone: at most every 20 s while the agent writes a reply.
    let typing_sent_at = StoredValue::new(None::<DateTime<Utc>>);
    let signal_typing = move || {
        let Some(conversation_id) = thread.id.get_untracked() else { return };
        let now = Utc::now();
        if note || typing_sent_at.get_value().is_some_and(|at| (now - at).num_seconds() < 20) {
            return;
        }
        typing_sent_at.set_value(Some(now));
        leptos::task::spawn_local(async move {
            // Best effort: a lost signal only means no "typing…" on the customer's phone.
            let _ = api.post_empty::<()>(&format!("/conversations/{conversation_id}/typing")).await;
        });
    };

    // The team's canned replies, read once when the composer appears.
    leptos::task::spawn_local(async move {
        if let Ok(page) = api.get::<Page<CannedReplyDto>>("/canned-replies").await {
            canned.try_set(page.items);
        }
    });
    let suggestions = Memo::new(move |_| {
        text.with(|text| {
            canned.with(|all| canned_matches(text, all).into_iter().cloned().collect::<Vec<_>>())
        })
    });
    let pick = move |reply: CannedReplyDto| {
        text.set(reply.body.clone());
        if let Some(el) = area.get_untracked() {
            el.set_value(&reply.body);
            let _ = el.focus();
        }
    };
    let suggest = move |_| {
        let Some(conversation_id) = thread.id.get_untracked() else { return };
        if suggesting.get_untracked() {
            return;
        }
        suggesting.set(true);
        leptos::task::spawn_local(async move {
            let result: Result<AssistReply, ApiFailure> = api
                .post(
                    &format!("/conversations/{conversation_id}/assist/reply"),
                    &AssistRequest::default(),
                )
                .await;
            suggesting.try_set(false);
            match result {
                Ok(draft) => {
                    text.set(draft.text.clone());
                    drafted_by.set(Some(draft.persona_name));
                    if let Some(el) = area.get_untracked() {
                        el.set_value(&draft.text);
                        let _ = el.focus();
                    }
                }
                Err(failure) if failure.is(ErrorCode::InvalidState) => {
                    toasts.error(Key::AssistNeedsPersona)
                }
                Err(failure) => toasts.error(failure.key()),
            }
        });
    };
    let clear = move || {
        drafted_by.set(None);
        text.set(String::new());
        file.set(None);
        file_name.set(None);
        if let Some(el) = area.get_untracked() {
            el.set_value("");
        }
        if let Some(el) = file_input.get_untracked() {
            el.set_value("");
        }
    };

    let send = move || {
        let Some(conversation_id) = thread.id.get_untracked() else { return };
        let body = text.get_untracked().trim().to_owned();
        let attachment = file.get_untracked();
        if sending.get_untracked() || (body.is_empty() && attachment.is_none()) {
            return;
        }
        sending.set(true);
        leptos::task::spawn_local(async move {
            let result: Result<MessageDto, ApiFailure> = if note {
                api.post(
                    &format!("/conversations/{conversation_id}/notes"),
                    &NoteRequest { text: body },
                )
                .await
            } else if let Some(picked) = attachment {
                send_file(api, conversation_id, &picked, body).await
            } else {
                let request = SendMessageRequest { text: Some(body), ..Default::default() };
                api.post(&format!("/conversations/{conversation_id}/messages"), &request).await
            };
            sending.try_set(false);
            match result {
                Ok(message) => {
                    thread.show_sent(message);
                    clear();
                }
                Err(failure) if failure.is(ErrorCode::ProviderError) => {
                    toasts.error(Key::ErrProviderError);
                }
                Err(failure) => toasts.error(failure.key()),
            }
        });
    };

    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() != "Enter" || ev.shift_key() || ev.is_composing() {
            return;
        }
        ev.prevent_default();
        // Enter on a lone `/shortcut` picks the first canned reply instead of sending it.
        if let Some(first) = suggestions.with_untracked(|s| s.first().cloned()) {
            pick(first);
        } else {
            send();
        }
    };
    let placeholder =
        move || i18n.lang().t(if note { Key::NotePlaceholder } else { Key::ReplyPlaceholder });

    view! {
        <div class="relative">
            <Show when=move || suggestions.with(|s| !s.is_empty())>
                <ul role="listbox" class="absolute right-0 bottom-full left-0 z-10 mb-1 max-h-56 overflow-y-auto rounded-lg bg-white py-1 shadow-lg ring-1 ring-slate-200" data-testid="canned-suggestions">
                    <For each=move || suggestions.get() key=|c| c.id let:reply>
                        {
                            let chosen = reply.clone();
                            view! {
                                <li role="option">
                                    <button
                                        type="button"
                                        class="block w-full px-3 py-2 text-left hover:bg-slate-50"
                                        data-testid="canned-suggestion"
                                        data-shortcut=reply.shortcut.clone()
                                        on:click=move |_| pick(chosen.clone())
                                    >
                                        <span class="font-mono text-xs font-semibold text-brand-700">"/" {reply.shortcut.clone()}</span>
                                        <span class="block truncate text-sm text-slate-700">{reply.body.clone()}</span>
                                    </button>
                                </li>
                            }
                        }
                    </For>
                </ul>
            </Show>
            {move || {
                drafted_by.get().map(|name| {
                    view! {
                        <p class="mb-2 flex items-center gap-2 rounded-lg bg-violet-50 px-3 py-1.5 text-xs text-violet-900 ring-1 ring-violet-200" data-testid="composer-ai-draft">
                            <Icon icon=IconName::Sparkles class="size-4 shrink-0"/>
                            <span>{move || fill(i18n.lang().t(Key::SuggestedBy), &[("name", &name)])}</span>
                        </p>
                    }
                })
            }}
            {move || {
                file_name
                    .get()
                    .map(|name| {
                        view! {
                            <p class="mb-2 flex items-center gap-2 rounded-lg bg-slate-50 px-3 py-1.5 text-sm text-slate-700 ring-1 ring-slate-200" data-testid="composer-file">
                                <Icon icon=IconName::Paperclip class="size-4 shrink-0"/>
                                <span class="min-w-0 flex-1 truncate">{name}</span>
                                <button
                                    type="button"
                                    class="btn-icon size-7"
                                    data-testid="composer-file-remove"
                                    on:click=move |_| {
                                        file.set(None);
                                        file_name.set(None);
                                    }
                                >
                                    <Icon icon=IconName::Close class="size-4"/>
                                    <span class="sr-only">{t(Key::RemoveFile)}</span>
                                </button>
                            </p>
                        }
                    })
            }}
            <div class=move || {
                if note {
                    "flex items-end gap-2 rounded-xl bg-amber-50 p-1.5 ring-1 ring-amber-200"
                } else {
                    "flex items-end gap-2 rounded-xl bg-slate-50 p-1.5 ring-1 ring-slate-200"
                }
            }>
                <Show when=move || !note>
                    <label class="btn-icon size-10 shrink-0 cursor-pointer" data-testid="composer-attach" title=move || i18n.lang().t(Key::AttachFile)>
                        <Icon icon=IconName::Paperclip class="size-5"/>
                        <span class="sr-only">{t(Key::AttachFile)}</span>
                        <input
                            type="file"
                            class="sr-only"
                            node_ref=file_input
                            data-testid="composer-file-input"
                            on:change=move |ev| {
                                if let Some(picked) = PickedFile::from_event(&ev) {
                                    file_name.set(Some(picked.name()));
                                    file.set(Some(picked));
                                }
                            }
                        />
                    </label>
                </Show>
                <Show when=move || !note>
                    <button
                        type="button"
                        class="btn-icon size-10 shrink-0 text-violet-600"
                        data-testid="composer-suggest"
                        title=move || i18n.lang().t(Key::SuggestReply)
                        disabled=move || suggesting.get()
                        aria-busy=move || suggesting.get().then_some("true")
                        on:click=suggest
                    >
                        {move || if suggesting.get() {
                            view! { <span class="spinner" aria-hidden="true"></span> }.into_any()
                        } else {
                            view! { <Icon icon=IconName::Sparkles class="size-5"/> }.into_any()
                        }}
                        <span class="sr-only">{t(Key::SuggestReply)}</span>
                    </button>
                </Show>
                <div class="relative shrink-0">
                    <button
                        type="button"
                        class="btn-icon size-10"
                        data-testid="composer-emoji"
                        aria-expanded=move || if emoji_open.get() { "true" } else { "false" }
                        on:click=move |_| emoji_open.update(|open| *open = !*open)
                    >
                        <span aria-hidden="true" class="text-lg">"🙂"</span>
                        <span class="sr-only">{t(Key::InsertEmoji)}</span>
                    </button>
                    <Show when=move || emoji_open.get()>
                        <div class="absolute bottom-full left-0 z-10 mb-1 grid w-60 grid-cols-5 gap-1 rounded-lg bg-white p-2 shadow-lg ring-1 ring-slate-200" data-testid="emoji-picker">
                            {EMOJI
                                .iter()
                                .map(|emoji| {
                                    view! {
                                        <button
                                            type="button"
                                            class="rounded-md p-1 text-xl hover:bg-slate-100"
                                            data-testid="emoji"
                                            on:click=move |_| {
                                                let next = format!("{}{emoji}", text.get_untracked());
                                                text.set(next.clone());
                                                if let Some(el) = area.get_untracked() {
                                                    el.set_value(&next);
                                                    let _ = el.focus();
                                                }
                                                emoji_open.set(false);
                                            }
                                        >
                                            {*emoji}
                                        </button>
                                    }
                                })
                                .collect_view()}
                        </div>
                    </Show>
                </div>
                <textarea
                    node_ref=area
                    rows="1"
                    class="max-h-40 min-h-10 flex-1 resize-none border-0 bg-transparent px-1 py-2 text-sm leading-6 text-slate-900 placeholder:text-slate-400 focus:ring-0 focus:outline-none"
                    data-testid=if note { "composer-note" } else { "composer-text" }
                    aria-label=placeholder
                    placeholder=placeholder
                    on:input=move |ev| {
                        let value = event_target_value(&ev);
                        if !value.trim().is_empty() && !value.starts_with('/') {
                            signal_typing();
                        }
                        text.set(value);
                    }
                    on:keydown=on_keydown
                ></textarea>
                <button
                    type="button"
                    class="btn btn-primary size-10 shrink-0 p-0"
                    data-testid="composer-send"
                    disabled=move || sending.get() || (text.with(|t| t.trim().is_empty()) && file.with(Option::is_none))
                    aria-busy=move || sending.get().then_some("true")
                    on:click=move |_| send()
                >
                    {move || {
                        if sending.get() {
                            view! { <span class="spinner" aria-hidden="true"></span> }.into_any()
                        } else {
                            view! { <Icon icon=IconName::ArrowLeft class="size-5 rotate-180"/> }.into_any()
                        }
                    }}
                    <span class="sr-only">{move || i18n.lang().t(if note { Key::AddNote } else { Key::SendReply })}</span>
                </button>
            </div>
            <p class="mt-1 hidden text-[0.6875rem] text-slate-400 sm:block">
                {move || i18n.lang().t(if note { Key::NoteHint } else { Key::ComposerHint })}
            </p>
        </div>
    }
    .into_any()
}

/// Uploads the file for this conversation, then sends it with `caption` (documents keep their
/// name; audio and stickers carry no caption on WhatsApp, so the text follows as its own message).
async fn send_file(
    api: crate::api::Api,
    conversation_id: Uuid,
    picked: &PickedFile,
    caption: String,
) -> Result<MessageDto, ApiFailure> {
    let mime = Some(picked.mime())
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| "application/octet-stream".into());
    let name = picked.name();
    let path = format!("/conversations/{conversation_id}/media?filename={}", encode_query(&name));
    let uploaded: MediaUploadDto = api.upload(&path, picked, &mime).await?;
    let captioned =
        matches!(uploaded.kind, MediaKind::Image | MediaKind::Video | MediaKind::Document);
    let media = MediaSend {
        kind: uploaded.kind,
        link: None,
        media_id: Some(uploaded.media_id),
        caption: (captioned && !caption.is_empty()).then(|| caption.clone()),
        filename: (uploaded.kind == MediaKind::Document).then_some(name),
    };
    let messages = format!("/conversations/{conversation_id}/messages");
    let sent: MessageDto = api
        .post(&messages, &SendMessageRequest { media: Some(media), ..Default::default() })
        .await?;
    if !captioned && !caption.is_empty() {
        api.post::<_, MessageDto>(
            &messages,
            &SendMessageRequest { text: Some(caption), ..Default::default() },
        )
        .await?;
    }
    Ok(sent)
}

/// Outside the 24-hour window: an approved template with its variables filled in.
#[component]
fn TemplateComposer(thread: Thread) -> impl IntoView {
    let api = use_api();
    let toasts = use_toasts();
    let templates = RwSignal::new(None::<Vec<TemplateDto>>);
    let chosen = RwSignal::new(None::<TemplateDto>);
    let header = RwSignal::new(String::new());
    let body = RwSignal::new(Vec::<String>::new());
    let sending = RwSignal::new(false);
    let connection_id =
        Memo::new(move |_| thread.conversation.with(|c| c.as_ref().map(|c| c.connection_id)));
    Effect::new(move |_| {
        let Some(connection_id) = connection_id.get() else { return };
        leptos::task::spawn_local(async move {
            let answer = api
                .get::<Page<TemplateDto>>(&format!("/connections/{connection_id}/templates"))
                .await;
            let approved = answer
                .map(|page| page.items.into_iter().filter(|t| t.status == "APPROVED").collect())
                .unwrap_or_default();
            templates.try_set(Some(approved));
        });
    });
    let on_choose = move |ev: leptos::ev::Event| {
        let id = event_target_value(&ev).parse::<Uuid>().ok();
        let template = id.and_then(|id| {
            templates.with_untracked(|all| all.iter().flatten().find(|t| t.id == id).cloned())
        });
        header.set(String::new());
        body.set(vec![String::new(); template.as_ref().map_or(0, |t| t.body_variables)]);
        chosen.set(template);
    };
    let rendered = Memo::new(move |_| {
        chosen.with(|t| {
            t.as_ref()
                .map(|t| body.with(|values| preview(&t.components, &header.get(), values)))
                .unwrap_or_default()
        })
    });
    let complete = Memo::new(move |_| {
        chosen.with(|t| {
            t.as_ref().is_some_and(|t| {
                body.with(|values| values.iter().all(|v| !v.trim().is_empty()))
                    && (header_variables(&t.components) == 0 || !header.get().trim().is_empty())
            })
        })
    });
    let send = move |_| {
        let (Some(conversation_id), Some(template)) =
            (thread.id.get_untracked(), chosen.get_untracked())
        else {
            return;
        };
        if sending.get_untracked() || !complete.get_untracked() {
            return;
        }
        let header_text = header.get_untracked().trim().to_owned();
        let request = SendMessageRequest {
            template: Some(TemplateSend {
                name: template.name.clone(),
                language: template.language.clone(),
                body: body.get_untracked().into_iter().map(|v| v.trim().to_owned()).collect(),
                header: (header_variables(&template.components) > 0)
                    .then_some(TemplateHeaderSend::Text { text: header_text }),
                buttons: Vec::new(),
            }),
            ..Default::default()
        };
        sending.set(true);
        leptos::task::spawn_local(async move {
            let result = api
                .post::<_, MessageDto>(
                    &format!("/conversations/{conversation_id}/messages"),
                    &request,
                )
                .await;
            sending.try_set(false);
            match result {
                Ok(message) => {
                    thread.show_sent(message);
                    chosen.try_set(None);
                }
                Err(failure) => toasts.error(failure.key()),
            }
        });
    };
    let i18n = use_i18n();
    view! {
        <div class="space-y-3" data-testid="template-composer">
            <p class="flex items-start gap-2 text-xs leading-5 text-amber-900">
                <Icon icon=IconName::Clock class="mt-0.5 size-4 shrink-0"/>
                {t(Key::ComposerWindowClosed)}
            </p>
            {move || match templates.get() {
                None => view! { <p class="text-sm text-slate-500">{t(Key::Loading)}</p> }.into_any(),
                Some(list) if list.is_empty() => view! {
                    <p class="text-sm text-slate-600" data-testid="template-composer-none">
                        {t(Key::NoApprovedTemplates)} " "
                        {move || connection_id.get().map(|id| view! {
                            <a class="link" href=format!("/connections/{id}/templates")>{t(Key::Templates)}</a>
                        })}
                    </p>
                }
                .into_any(),
                Some(list) => view! {
                    <select class="input" data-testid="template-composer-select" aria-label=move || i18n.lang().t(Key::ChooseTemplate) on:change=on_choose>
                        <option value="">{t(Key::ChooseTemplate)}</option>
                        {list
                            .into_iter()
                            .map(|t| view! { <option value=t.id.to_string()>{format!("{} ({})", t.name, t.language)}</option> })
                            .collect_view()}
                    </select>
                }
                .into_any(),
            }}
            {move || {
                chosen
                    .get()
                    .map(|template| {
                        let header_count = header_variables(&template.components);
                        view! {
                            <div class="grid gap-3 sm:grid-cols-2">
                                <div class="space-y-2">
                                    {(header_count > 0)
                                        .then(|| view! {
                                            <input class="input" data-testid="template-composer-header" aria-label=t(Key::TemplateHeaderVariable)
                                                placeholder=move || i18n.lang().t(Key::TemplateHeaderVariable)
                                                on:input=move |ev| header.set(event_target_value(&ev))/>
                                        })}
                                    {(0..template.body_variables)
                                        .map(|index| {
                                            let label = move || fill(i18n.lang().t(Key::TemplateVariableN), &[("n", &(index + 1).to_string())]);
                                            view! {
                                                <input
                                                    class="input"
                                                    data-testid="template-composer-var"
                                                    data-index=index + 1
                                                    aria-label=label
                                                    placeholder=label
                                                    on:input=move |ev| {
                                                        let value = event_target_value(&ev);
                                                        body.update(|values| if let Some(slot) = values.get_mut(index) { *slot = value; });
                                                    }
                                                />
                                            }
                                        })
                                        .collect_view()}
                                </div>
                                <Bubble rendered/>
                            </div>
                        }
                    })
            }}
            <div class="flex justify-end">
                <button
                    type="button"
                    class="btn btn-primary btn-sm"
                    data-testid="template-composer-send"
                    disabled=move || sending.get() || !complete.get()
                    on:click=send
                >
                    {t(Key::SendTemplate)}
                </button>
            </div>
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(shortcut: &str) -> CannedReplyDto {
        CannedReplyDto {
            id: Uuid::new_v4(),
            shortcut: shortcut.into(),
            body: format!("{shortcut}!"),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn a_lone_slash_word_lists_the_canned_replies_it_starts() {
        let all = [reply("horario"), reply("horas"), reply("pix")];
        let names = |text: &str| {
            canned_matches(text, &all).iter().map(|c| c.shortcut.clone()).collect::<Vec<_>>()
        };
        assert_eq!(names("/ho"), ["horario", "horas"]);
        assert_eq!(names("/"), ["horario", "horas", "pix"]);
        assert_eq!(names("/HO"), ["horario", "horas"]);
        assert!(names("/ho e mais").is_empty());
        assert!(names("ho").is_empty());
    }
}
