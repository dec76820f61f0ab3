//! A knowledge base's documents: the list with live status and progress, adding one (a file,
//! pasted text, questions and answers) and the drawer to read or edit one.

use leptos::{html, prelude::*};
use shared::{
    ai::{
        CreateDocumentRequest, DocumentKind, DocumentStatus, FaqEntry, KnowledgeDocumentDetail,
        KnowledgeDocumentDto, UpdateDocumentRequest,
    },
    i18n::Key,
};
use uuid::Uuid;

use super::{failure_text, input_class, FieldProblem, FormProblem, Problems};
use crate::api::{encode_query, use_api};
use crate::components::feedback::{ConfirmInline, ListError, ListLoading};
use crate::components::icons::{Icon, IconName};
use crate::components::toast::use_toasts;
use crate::file::PickedFile;
use crate::hydration::use_hydrated;
use crate::i18n::{fill, t, use_i18n};

/// The largest file the API takes.
const MAX_UPLOAD_BYTES: f64 = 20.0 * 1024.0 * 1024.0;

/// The API fields of the add and edit forms.
const DOC_FIELDS: &[&str] = &["title", "text", "faq", "file"];

type Docs = RwSignal<Option<Result<Vec<KnowledgeDocumentDto>, Key>>>;

/// The status in words and colour.
fn status_badge(status: DocumentStatus) -> (Key, &'static str) {
    match status {
        DocumentStatus::Queued => (Key::DocQueued, "bg-slate-100 text-slate-700 ring-slate-200"),
        DocumentStatus::Indexing => (Key::DocIndexing, "bg-amber-50 text-amber-800 ring-amber-200"),
        DocumentStatus::Ready => (Key::DocReady, "bg-emerald-50 text-emerald-700 ring-emerald-200"),
        DocumentStatus::Failed => (Key::DocFailed, "bg-red-50 text-red-700 ring-red-200"),
    }
}

/// The content type a file is sent with, from its name (browsers often know no type for `.md`).
fn content_type(name: &str, browser_type: &str) -> String {
    let lower = name.to_ascii_lowercase();
    let by_name = match lower.rsplit_once('.').map(|(_, ext)| ext) {
        Some("txt" | "text") => Some("text/plain"),
        Some("md" | "markdown") => Some("text/markdown"),
        Some("pdf") => Some("application/pdf"),
        _ => None,
    };
    match (by_name, browser_type.is_empty()) {
        (Some(known), _) => known.to_owned(),
        (None, false) => browser_type.to_owned(),
        (None, true) => "application/octet-stream".to_owned(),
    }
}

/// `12 KB`, `1.4 MB`.
fn size_words(bytes: u64) -> String {
    match bytes {
        0..=1023 => format!("{bytes} B"),
        1024..=1_048_575 => format!("{} KB", bytes.div_ceil(1024)),
        _ => format!("{:.1} MB", bytes as f64 / 1_048_576.0),
    }
}

/// Share of the passages embedded, 0–100.
fn percent(doc: &KnowledgeDocumentDto) -> u32 {
    (doc.chunks_done.min(doc.chunks_total) * 100).checked_div(doc.chunks_total).unwrap_or(0)
}

#[component]
pub fn DocumentList(
    kb_id: Uuid,
    docs: Docs,
    manager: Signal<bool>,
    open: RwSignal<Option<Uuid>>,
    reload: Callback<()>,
) -> impl IntoView {
    // Rows are rebuilt only when documents come or go; progress changes a row in place.
    let state = Memo::new(move |_| {
        docs.with(|d| match d {
            None => None,
            Some(Err(key)) => Some(Err(*key)),
            Some(Ok(list)) => Some(Ok(list.iter().map(|d| d.id).collect::<Vec<_>>())),
        })
    });
    move || {
        match state.get() {
        None => view! { <ListLoading/> }.into_any(),
        Some(Err(key)) => view! { <ListError key retry=reload/> }.into_any(),
        Some(Ok(ids)) if ids.is_empty() => view! {
            <p class="text-sm text-slate-500" data-testid="kb-documents-empty">{t(Key::NoDocuments)}</p>
        }
        .into_any(),
        Some(Ok(_)) => view! {
            <ul role="list" class="-my-3 divide-y divide-slate-100" data-testid="kb-document-list">
                <For
                    each=move || state.get().and_then(Result::ok).unwrap_or_default()
                    key=|id| *id
                    let:doc_id
                >
                    <DocumentRow kb_id doc_id docs manager open/>
                </For>
            </ul>
        }
        .into_any(),
    }
    }
}

#[component]
fn DocumentRow(
    kb_id: Uuid,
    doc_id: Uuid,
    docs: Docs,
    manager: Signal<bool>,
    open: RwSignal<Option<Uuid>>,
) -> impl IntoView {
    let api = use_api();
    let i18n = use_i18n();
    let toasts = use_toasts();
    let hydrated = use_hydrated();
    let doc = Memo::new(move |_| {
        docs.with(|d| {
            d.as_ref()
                .and_then(|r| r.as_ref().ok())
                .and_then(|list| list.iter().find(|d| d.id == doc_id).cloned())
        })
    });
    let status = move || doc.with(|d| d.as_ref().map_or(DocumentStatus::Queued, |d| d.status));
    let busy = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let path = format!("/knowledge-bases/{kb_id}/documents/{doc_id}");

    let reindex = {
        let path = path.clone();
        move |_: leptos::ev::MouseEvent| {
            busy.set(true);
            let path = format!("{path}/reindex");
            leptos::task::spawn_local(async move {
                let result = api.post_empty::<serde_json::Value>(&path).await;
                busy.try_set(false);
                match result {
                    Ok(answer) => {
                        let fresh = serde_json::from_value::<KnowledgeDocumentDto>(answer).ok();
                        docs.try_update(|docs| {
                            if let Some(Ok(docs)) = docs {
                                if let Some(row) = docs.iter_mut().find(|d| d.id == doc_id) {
                                    match fresh {
                                        Some(fresh) => *row = fresh,
                                        None => {
                                            row.status = DocumentStatus::Queued;
                                            row.error = None;
                                        }
                                    }
                                }
                            }
                        });
                        toasts.success(Key::DocReindexed);
                    }
                    Err(failure) => toasts.error(failure.key()),
                }
            });
        }
    };
    let delete = move || {
        busy.set(true);
        let path = path.clone();
        leptos::task::spawn_local(async move {
            let result = api.delete::<serde_json::Value>(&path).await;
            busy.try_set(false);
            confirming.try_set(false);
            match result {
                Ok(_) => {
                    docs.try_update(|docs| {
                        if let Some(Ok(docs)) = docs {
                            docs.retain(|d| d.id != doc_id);
                        }
                    });
                    toasts.success(Key::DocDeleted);
                }
                Err(failure) => toasts.error(failure.key()),
            }
        });
    };
    let question = Signal::derive(move || {
        let title = doc.with(|d| d.as_ref().map(|d| d.title.clone()).unwrap_or_default());
        fill(i18n.lang().t(Key::DeleteDocumentQuestion), &[("title", &title)])
    });

    view! {
        <li
            class="space-y-2 py-3"
            data-testid="kb-document"
            data-status=move || status().as_str()
            data-title=move || doc.with(|d| d.as_ref().map(|d| d.title.clone()).unwrap_or_default())
        >
            <div class="flex flex-wrap items-center gap-x-3 gap-y-1.5">
                <button
                    type="button"
                    class="min-w-0 flex-1 basis-40 cursor-pointer text-left text-sm font-medium break-words text-slate-900 hover:text-brand-700"
                    data-testid="kb-document-open"
                    on:click=move |_| open.set(Some(doc_id))
                >
                    {move || doc.with(|d| d.as_ref().map(|d| d.title.clone()).unwrap_or_default())}
                </button>
                <span
                    class=move || format!("badge ring-1 ring-inset {}", status_badge(status()).1)
                    data-testid="kb-document-status"
                    data-status=move || status().as_str()
                >
                    {move || t(status_badge(status()).0)()}
                </span>
                <Show when=move || manager.get()>
                    <button
                        type="button"
                        class="btn-icon size-8"
                        data-testid="kb-document-delete"
                        disabled=move || !hydrated.get() || busy.get()
                        on:click=move |_| confirming.set(true)
                    >
                        <Icon icon=IconName::Trash class="size-4"/>
                        <span class="sr-only">{t(Key::Delete)}</span>
                    </button>
                </Show>
            </div>
            <p class="text-xs text-slate-500" data-testid="kb-document-meta">
                {move || {
                    doc.with(|d| {
                        let Some(d) = d.as_ref() else { return String::new() };
                        let mut parts = vec![d.kind.as_str().to_owned()];
                        if let Some(name) = &d.filename {
                            parts.push(name.clone());
                        }
                        if d.bytes > 0 {
                            parts.push(size_words(d.bytes));
                        }
                        if d.status == DocumentStatus::Ready {
                            parts.push(fill(i18n.lang().t(Key::DocPassages), &[("count", &d.chunks_total.to_string())]));
                        }
                        parts.join(" · ")
                    })
                }}
            </p>
            <Show when=move || status() == DocumentStatus::Indexing>
                <div class="space-y-1">
                    <div
                        class="h-2 w-full overflow-hidden rounded-full bg-slate-100"
                        role="progressbar"
                        aria-valuemin="0"
                        aria-valuemax="100"
                        aria-valuenow=move || doc.with(|d| d.as_ref().map(percent).unwrap_or(0)).to_string()
                        data-testid="kb-document-progress"
                    >
                        <div
                            class="h-full rounded-full bg-amber-500 transition-all duration-500"
                            style=move || format!("width: {}%", doc.with(|d| d.as_ref().map(percent).unwrap_or(0)))
                        ></div>
                    </div>
                    <p class="text-xs text-slate-500 tabular-nums">
                        {move || {
                            doc.with(|d| {
                                d.as_ref()
                                    .map(|d| fill(
                                        i18n.lang().t(Key::DocProgress),
                                        &[("done", &d.chunks_done.to_string()), ("total", &d.chunks_total.to_string())],
                                    ))
                                    .unwrap_or_default()
                            })
                        }}
                    </p>
                </div>
            </Show>
            {move || {
                doc.with(|d| d.as_ref().filter(|d| d.status == DocumentStatus::Failed).map(|d| d.error.clone().unwrap_or_default()))
                    .map(|error| {
                        let reindex = reindex.clone();
                        view! {
                            <div class="flex flex-wrap items-center gap-2 rounded-lg bg-red-50 px-3 py-2 text-sm text-red-800" role="alert">
                                <Icon icon=IconName::Warning class="size-4 shrink-0"/>
                                <p class="min-w-0 flex-1 break-words" data-testid="kb-document-error">{error}</p>
                                <Show when=move || manager.get()>
                                    <button
                                        type="button"
                                        class="btn btn-secondary btn-sm"
                                        data-testid="kb-document-reindex"
                                        disabled=move || !hydrated.get() || busy.get()
                                        on:click=reindex.clone()
                                    >
                                        <Icon icon=IconName::Refresh class="size-3.5"/>
                                        {t(Key::DocReindex)}
                                    </button>
                                </Show>
                            </div>
                        }
                    })
            }}
            <Show when=move || confirming.get()>
                <ConfirmInline
                    question
                    confirm_label=Key::Delete
                    busy
                    on_confirm=Callback::new({
                        let delete = delete.clone();
                        move |_| delete()
                    })
                    on_cancel=Callback::new(move |_| confirming.set(false))
                    confirm_testid="kb-document-delete-confirm"
                />
            </Show>
        </li>
    }
    .into_any()
}

/// One question-and-answer row being edited.
#[derive(Clone, Copy)]
struct FaqRow {
    id: u64,
    question: RwSignal<String>,
    answer: RwSignal<String>,
}

/// The question-and-answer rows of a form, with their "add" and "remove" buttons.
#[derive(Clone, Copy)]
struct FaqRows {
    rows: RwSignal<Vec<FaqRow>>,
    next: StoredValue<u64>,
}

impl FaqRows {
    fn of(entries: &[FaqEntry]) -> Self {
        let rows = FaqRows { rows: RwSignal::new(Vec::new()), next: StoredValue::new(0) };
        for entry in entries {
            rows.add(&entry.question, &entry.answer);
        }
        if entries.is_empty() {
            rows.add("", "");
        }
        rows
    }

    fn add(self, question: &str, answer: &str) {
        let Some(id) = self.next.try_update_value(|n| {
            *n += 1;
            *n
        }) else {
            return;
        };
        let row = FaqRow {
            id,
            question: RwSignal::new(question.to_owned()),
            answer: RwSignal::new(answer.to_owned()),
        };
        self.rows.update(|rows| rows.push(row));
    }

    /// The rows with both a question and an answer.
    fn entries(self) -> Vec<FaqEntry> {
        self.rows
            .get_untracked()
            .iter()
            .map(|row| FaqEntry {
                question: row.question.get_untracked().trim().to_owned(),
                answer: row.answer.get_untracked().trim().to_owned(),
            })
            .filter(|e| !e.question.is_empty() && !e.answer.is_empty())
            .collect()
    }

    fn reset(self) {
        self.rows.set(Vec::new());
        self.add("", "");
    }
}

#[component]
fn FaqEditor(rows: FaqRows, problems: Problems) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="space-y-3" data-testid="kb-faq-rows">
            <For each=move || rows.rows.get() key=|row| row.id let:row>
                <div class="space-y-2 rounded-lg bg-slate-50 p-3 ring-1 ring-slate-200" data-testid="kb-faq-row">
                    <div class="flex items-start gap-2">
                        <input
                            class="input"
                            data-testid="kb-faq-question"
                            aria-label=move || i18n.lang().t(Key::FaqQuestion)
                            placeholder=move || i18n.lang().t(Key::FaqQuestion)
                            prop:value=move || row.question.get()
                            on:input=move |ev| row.question.set(event_target_value(&ev))
                        />
                        <button
                            type="button"
                            class="btn-icon size-9 shrink-0"
                            data-testid="kb-faq-remove"
                            disabled=move || rows.rows.with(|r| r.len() <= 1)
                            on:click=move |_| rows.rows.update(|r| r.retain(|other| other.id != row.id))
                        >
                            <Icon icon=IconName::Close class="size-4"/>
                            <span class="sr-only">{t(Key::FaqRemoveRow)}</span>
                        </button>
                    </div>
                    <textarea
                        rows="2"
                        class="input"
                        data-testid="kb-faq-answer"
                        aria-label=move || i18n.lang().t(Key::FaqAnswer)
                        placeholder=move || i18n.lang().t(Key::FaqAnswer)
                        prop:value=move || row.answer.get()
                        on:input=move |ev| row.answer.set(event_target_value(&ev))
                    ></textarea>
                </div>
            </For>
            <button type="button" class="btn btn-secondary btn-sm" data-testid="kb-faq-add" on:click=move |_| rows.add("", "")>
                <Icon icon=IconName::Plus class="size-4"/>
                {t(Key::FaqAddRow)}
            </button>
            <FieldProblem problems fields=&["faq"]/>
        </div>
    }
    .into_any()
}

/// How a document is being added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    File,
    Text,
    Faq,
}

#[component]
pub fn AddDocument(kb_id: Uuid, on_added: Callback<()>) -> impl IntoView {
    let api = use_api();
    let i18n = use_i18n();
    let toasts = use_toasts();
    let hydrated = use_hydrated();
    let mode = RwSignal::new(Mode::File);
    let problems = Problems::new(DOC_FIELDS);
    let busy = RwSignal::new(false);
    let title = RwSignal::new(String::new());
    let text = RwSignal::new(String::new());
    let faq = FaqRows::of(&[]);
    let file_input = NodeRef::<html::Input>::new();
    let path = format!("/knowledge-bases/{kb_id}/documents");

    let on_file = {
        let path = path.clone();
        move |ev: leptos::ev::Event| {
            let Some(picked) = PickedFile::from_event(&ev) else { return };
            problems.clear();
            let lang = i18n.lang();
            if picked.size() > MAX_UPLOAD_BYTES {
                problems.at_field("file", lang.t(Key::FileTooLarge).to_owned());
                return;
            }
            let url = format!("{path}?filename={}", encode_query(&picked.name()));
            let content_type = content_type(&picked.name(), &picked.mime());
            busy.set(true);
            leptos::task::spawn_local(async move {
                let result = api.upload::<serde_json::Value>(&url, &picked, &content_type).await;
                busy.try_set(false);
                if let Some(input) = file_input.get_untracked() {
                    input.set_value("");
                }
                match result {
                    Ok(_) => {
                        toasts.success(Key::DocAdded);
                        on_added.run(());
                    }
                    Err(failure) => {
                        problems.api(&failure, lang);
                        // A refusal that names no field of ours still belongs to the file.
                        if problems.general().is_some() {
                            problems.at_field("file", failure_text(&failure, lang));
                        }
                    }
                }
            });
        }
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        problems.clear();
        let lang = i18n.lang();
        let doc_title = title.get_untracked().trim().to_owned();
        if doc_title.is_empty() {
            problems.at_field("title", lang.t(Key::FieldRequired).to_owned());
            return;
        }
        let request = if mode.get_untracked() == Mode::Faq {
            let entries = faq.entries();
            if entries.is_empty() {
                problems.at_field("faq", lang.t(Key::FaqNeedsOne).to_owned());
                return;
            }
            CreateDocumentRequest { title: doc_title, text: None, faq: Some(entries) }
        } else {
            let body = text.get_untracked();
            if body.trim().is_empty() {
                problems.at_field("text", lang.t(Key::FieldRequired).to_owned());
                return;
            }
            CreateDocumentRequest { title: doc_title, text: Some(body), faq: None }
        };
        busy.set(true);
        let path = path.clone();
        leptos::task::spawn_local(async move {
            let result = api.post::<_, serde_json::Value>(&path, &request).await;
            busy.try_set(false);
            match result {
                Ok(_) => {
                    title.try_set(String::new());
                    text.try_set(String::new());
                    faq.reset();
                    toasts.success(Key::DocAdded);
                    on_added.run(());
                }
                Err(failure) => problems.api(&failure, lang),
            }
        });
    };

    let tab = move |which: Mode, key: Key, icon: IconName, testid: &'static str| {
        view! {
            <button
                type="button"
                role="tab"
                data-testid=testid
                aria-selected=move || if mode.get() == which { "true" } else { "false" }
                class=move || {
                    if mode.get() == which {
                        "inline-flex items-center gap-1.5 rounded-md bg-white px-3 py-1.5 text-sm font-semibold text-slate-900 shadow-xs ring-1 ring-slate-200"
                    } else {
                        "inline-flex items-center gap-1.5 rounded-md px-3 py-1.5 text-sm font-medium text-slate-600 hover:text-slate-900"
                    }
                }
                on:click=move |_| {
                    problems.clear();
                    mode.set(which);
                }
            >
                <Icon icon class="size-4"/>
                {t(key)}
            </button>
        }
    };

    view! {
        <section class="card space-y-4 px-5 py-5 sm:px-6" data-testid="kb-add">
            <h2 class="font-semibold text-slate-900">{t(Key::AddDocument)}</h2>
            <div class="flex flex-wrap gap-1 rounded-lg bg-slate-100 p-1" role="tablist">
                {tab(Mode::File, Key::AddFile, IconName::Upload, "kb-add-file")}
                {tab(Mode::Text, Key::AddText, IconName::Paperclip, "kb-add-text")}
                {tab(Mode::Faq, Key::AddFaq, IconName::Chat, "kb-add-faq")}
            </div>
            {move || match mode.get() {
                Mode::File => view! {
                    <div class="space-y-2">
                        <label for="kb-upload-input" class="sr-only">{t(Key::AddFile)}</label>
                        <input
                            id="kb-upload-input"
                            node_ref=file_input
                            type="file"
                            accept=".txt,.md,.markdown,.pdf,text/plain,text/markdown,application/pdf"
                            class="block w-full text-sm text-slate-600 file:mr-3 file:cursor-pointer file:rounded-md file:border-0 file:bg-brand-50 file:px-3 file:py-2 file:text-sm file:font-semibold file:text-brand-700 hover:file:bg-brand-100"
                            data-testid="kb-upload-input"
                            disabled=move || !hydrated.get() || busy.get()
                            on:change=on_file.clone()
                        />
                        <p class="text-xs leading-5 text-slate-500">{t(Key::UploadHint)}</p>
                        <Show when=move || busy.get()>
                            <p class="flex items-center gap-2 text-sm text-slate-600" role="status" data-testid="kb-uploading">
                                <span class="spinner text-brand-600" aria-hidden="true"></span>
                                {t(Key::Uploading)}
                            </p>
                        </Show>
                        {move || problems.at(&["file", "title", "text"]).map(|text| view! {
                            <p class="field-error break-words" role="alert" data-testid="kb-upload-error">{text}</p>
                        })}
                    </div>
                }
                .into_any(),
                current => view! {
                    <form class="space-y-4" novalidate on:submit=submit.clone() data-testid="kb-add-form">
                        <div class="space-y-1.5">
                            <label for="kb-paste-title" class="block text-sm font-medium text-slate-700">{t(Key::DocTitle)}</label>
                            <input
                                id="kb-paste-title"
                                class=input_class(problems, &["title"])
                                data-testid=if current == Mode::Faq { "kb-faq-title" } else { "kb-paste-title" }
                                autocomplete="off"
                                prop:value=move || title.get()
                                on:input=move |ev| title.set(event_target_value(&ev))
                            />
                            <FieldProblem problems fields=&["title"]/>
                        </div>
                        {if current == Mode::Faq {
                            view! { <FaqEditor rows=faq problems/> }.into_any()
                        } else {
                            view! {
                                <div class="space-y-1.5">
                                    <label for="kb-paste-text" class="block text-sm font-medium text-slate-700">{t(Key::DocText)}</label>
                                    <textarea
                                        id="kb-paste-text"
                                        rows="8"
                                        class=input_class(problems, &["text"])
                                        data-testid="kb-paste-text"
                                        prop:value=move || text.get()
                                        on:input=move |ev| text.set(event_target_value(&ev))
                                    ></textarea>
                                    <p class="text-xs leading-5 text-slate-500">{t(Key::DocTextHint)}</p>
                                    <FieldProblem problems fields=&["text"]/>
                                </div>
                            }
                            .into_any()
                        }}
                        <FormProblem problems testid="kb-add-error"/>
                        <button
                            type="submit"
                            class="btn btn-primary"
                            data-testid=if current == Mode::Faq { "kb-faq-save" } else { "kb-paste-save" }
                            disabled=move || !hydrated.get() || busy.get()
                        >
                            {move || busy.get().then(|| view! { <span class="spinner" aria-hidden="true"></span> })}
                            {t(Key::AddToBase)}
                        </button>
                    </form>
                }
                .into_any(),
            }}
        </section>
    }
    .into_any()
}

/// A document's text (or questions and answers), to read or — for admins — edit; saving
/// re-indexes it.
#[component]
pub fn DocumentDrawer(
    kb_id: Uuid,
    doc_id: Uuid,
    manager: Signal<bool>,
    on_close: Callback<()>,
    on_saved: Callback<()>,
) -> impl IntoView {
    let api = use_api();
    let path = format!("/knowledge-bases/{kb_id}/documents/{doc_id}");
    let detail = RwSignal::new(None::<Result<KnowledgeDocumentDetail, Key>>);
    let version = RwSignal::new(0u64);
    {
        let path = path.clone();
        Effect::new(move |_| {
            version.get();
            let path = path.clone();
            leptos::task::spawn_local(async move {
                let result = api.get::<KnowledgeDocumentDetail>(&path).await;
                detail.try_set(Some(result.map_err(|f| f.key())));
            });
        });
    }

    view! {
        <div
            class="fixed inset-0 z-[45] flex justify-end"
            on:keydown=move |ev| {
                if ev.key() == "Escape" {
                    on_close.run(());
                }
            }
        >
            <div class="absolute inset-0 bg-slate-900/50 backdrop-blur-[1px]" aria-hidden="true" on:click=move |_| on_close.run(())></div>
            <section
                role="dialog"
                aria-modal="true"
                aria-labelledby="kb-document-drawer-title"
                class="relative flex h-full w-full flex-col bg-white shadow-xl sm:max-w-2xl"
                data-testid="kb-document-drawer"
            >
                <header class="flex h-14 shrink-0 items-center justify-between gap-3 border-b border-slate-200 px-5">
                    <h2 id="kb-document-drawer-title" class="font-semibold text-slate-900">{t(Key::DocumentDetails)}</h2>
                    <button type="button" class="btn-icon -mr-2" data-testid="kb-doc-close" on:click=move |_| on_close.run(())>
                        <Icon icon=IconName::Close class="size-5"/>
                        <span class="sr-only">{t(Key::Close)}</span>
                    </button>
                </header>
                {move || match detail.get() {
                    None => view! { <div class="px-5 py-5"><ListLoading/></div> }.into_any(),
                    Some(Err(key)) => view! {
                        <div class="px-5 py-5">
                            <ListError key retry=Callback::new(move |_| version.update(|v| *v += 1))/>
                        </div>
                    }
                    .into_any(),
                    Some(Ok(loaded)) => view! {
                        <DocumentEditor detail=loaded path=path.clone() manager on_close on_saved/>
                    }
                    .into_any(),
                }}
            </section>
        </div>
    }
    .into_any()
}

#[component]
fn DocumentEditor(
    detail: KnowledgeDocumentDetail,
    path: String,
    manager: Signal<bool>,
    on_close: Callback<()>,
    on_saved: Callback<()>,
) -> impl IntoView {
    let api = use_api();
    let i18n = use_i18n();
    let toasts = use_toasts();
    let hydrated = use_hydrated();
    let problems = Problems::new(DOC_FIELDS);
    let busy = RwSignal::new(false);
    let title = RwSignal::new(detail.document.title.clone());
    let text = RwSignal::new(detail.text.clone());
    let is_faq = detail.document.kind == DocumentKind::Faq || detail.faq.is_some();
    let faq = FaqRows::of(detail.faq.as_deref().unwrap_or_default());
    let meta = {
        let d = &detail.document;
        let mut parts = vec![d.kind.as_str().to_owned()];
        if let Some(name) = &d.filename {
            parts.push(name.clone());
        }
        if d.bytes > 0 {
            parts.push(size_words(d.bytes));
        }
        parts.join(" · ")
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() || !manager.get_untracked() {
            return;
        }
        problems.clear();
        let lang = i18n.lang();
        let new_title = title.get_untracked().trim().to_owned();
        if new_title.is_empty() {
            problems.at_field("title", lang.t(Key::FieldRequired).to_owned());
            return;
        }
        let request = if is_faq {
            let entries = faq.entries();
            if entries.is_empty() {
                problems.at_field("faq", lang.t(Key::FaqNeedsOne).to_owned());
                return;
            }
            UpdateDocumentRequest { title: Some(new_title), text: None, faq: Some(entries) }
        } else {
            UpdateDocumentRequest {
                title: Some(new_title),
                text: Some(text.get_untracked()),
                faq: None,
            }
        };
        busy.set(true);
        let path = path.clone();
        leptos::task::spawn_local(async move {
            let result = api.patch::<_, serde_json::Value>(&path, &request).await;
            busy.try_set(false);
            match result {
                Ok(_) => {
                    toasts.success(Key::DocSaved);
                    on_saved.run(());
                    on_close.run(());
                }
                Err(failure) => problems.api(&failure, lang),
            }
        });
    };

    view! {
        <form class="flex min-h-0 flex-1 flex-col" novalidate on:submit=submit data-testid="kb-doc-form">
            <fieldset class="min-h-0 flex-1 space-y-4 overflow-y-auto px-5 py-5" disabled=move || !manager.get()>
                <p class="text-xs text-slate-500" data-testid="kb-doc-meta">{meta}</p>
                <div class="space-y-1.5">
                    <label for="kb-doc-title" class="block text-sm font-medium text-slate-700">{t(Key::DocTitle)}</label>
                    <input
                        id="kb-doc-title"
                        class=input_class(problems, &["title"])
                        data-testid="kb-doc-title"
                        prop:value=move || title.get()
                        on:input=move |ev| title.set(event_target_value(&ev))
                    />
                    <FieldProblem problems fields=&["title"]/>
                </div>
                {if is_faq {
                    view! { <FaqEditor rows=faq problems/> }.into_any()
                } else {
                    view! {
                        <div class="space-y-1.5">
                            <label for="kb-doc-text" class="block text-sm font-medium text-slate-700">{t(Key::DocText)}</label>
                            <textarea
                                id="kb-doc-text"
                                rows="18"
                                class=move || format!("{} font-mono text-sm", input_class(problems, &["text"])())
                                data-testid="kb-doc-text"
                                prop:value=move || text.get()
                                on:input=move |ev| text.set(event_target_value(&ev))
                            ></textarea>
                            <FieldProblem problems fields=&["text"]/>
                        </div>
                    }
                    .into_any()
                }}
                <FormProblem problems testid="kb-doc-error"/>
            </fieldset>
            <Show when=move || manager.get()>
                <footer class="flex shrink-0 gap-2 border-t border-slate-200 px-5 py-3">
                    <button
                        type="submit"
                        class="btn btn-primary"
                        data-testid="kb-doc-save"
                        disabled=move || !hydrated.get() || busy.get()
                    >
                        {move || busy.get().then(|| view! { <span class="spinner" aria-hidden="true"></span> })}
                        {t(Key::Save)}
                    </button>
                    <button type="button" class="btn btn-secondary" on:click=move |_| on_close.run(())>
                        {t(Key::Cancel)}
                    </button>
                </footer>
            </Show>
        </form>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_sent_with_the_type_their_name_says() {
        assert_eq!(content_type("Política.MD", ""), "text/markdown");
        assert_eq!(content_type("faq.txt", "text/plain"), "text/plain");
        assert_eq!(content_type("manual.pdf", ""), "application/pdf");
        assert_eq!(content_type("photo.png", "image/png"), "image/png");
        assert_eq!(content_type("noext", ""), "application/octet-stream");
    }

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(size_words(512), "512 B");
        assert_eq!(size_words(2048), "2 KB");
        assert_eq!(size_words(3 * 1_048_576), "3.0 MB");
    }
}
