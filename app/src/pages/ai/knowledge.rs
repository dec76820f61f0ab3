//! Knowledge bases: a new one (`/ai/knowledge/new`) and one base (`/ai/knowledge/:id`) with its
//! documents — added as a file, pasted text or questions and answers, indexed in the background
//! with live progress, opened to read or edit — and a "try a question" search that shows the
//! passages a persona would be given.

use leptos::prelude::*;
use leptos_router::{
    hooks::{use_navigate, use_params_map},
    NavigateOptions,
};
use shared::{
    ai::{
        CreateKnowledgeBaseRequest, DocumentStatus, KnowledgeBaseDto, KnowledgeDocumentDto,
        UpdateKnowledgeBaseRequest,
    },
    i18n::Key,
};
use uuid::Uuid;

use super::{
    documents::{AddDocument, DocumentDrawer, DocumentList},
    embedding::{embedding_summary, EmbeddingDraft, EmbeddingFields},
    failure_text, input_class, use_manager, FieldProblem, FormProblem, Problems, SourceItem,
};
use crate::api::use_api;
use crate::components::feedback::{ConfirmInline, ListError, ListLoading};
use crate::components::form::{Alert, AlertKind};
use crate::components::icons::{Icon, IconName};
use crate::components::layout::PageTitle;
use crate::components::toast::use_toasts;
use crate::hydration::use_hydrated;
use crate::i18n::{fill, t, use_i18n};
use crate::live::use_live;

/// The API fields the base forms have inputs for.
const KB_FIELDS: &[&str] = &[
    "name",
    "description",
    "embedding",
    "embedding.provider",
    "embedding.model",
    "embedding.base_url",
    "embedding.api_key",
];

fn back_link() -> impl IntoView {
    view! {
        <a href="/ai?tab=knowledge" class="link mb-3 inline-flex items-center gap-1 text-sm" data-testid="kb-back">
            <Icon icon=IconName::ArrowLeft class="size-4"/>
            {t(Key::KnowledgeBases)}
        </a>
    }
}

/// Name and description inputs, shared by the new and edit forms.
#[component]
fn NameFields(
    name: RwSignal<String>,
    description: RwSignal<String>,
    problems: Problems,
) -> impl IntoView {
    view! {
        <div class="space-y-1.5">
            <label for="kb-name" class="block text-sm font-medium text-slate-700">{t(Key::KbName)}</label>
            <input
                id="kb-name"
                class=input_class(problems, &["name"])
                data-testid="kb-name"
                autocomplete="off"
                prop:value=move || name.get()
                on:input=move |ev| name.set(event_target_value(&ev))
            />
            <FieldProblem problems fields=&["name"]/>
        </div>
        <div class="space-y-1.5">
            <label for="kb-description" class="block text-sm font-medium text-slate-700">{t(Key::KbDescription)}</label>
            <textarea
                id="kb-description"
                rows="2"
                class=input_class(problems, &["description"])
                data-testid="kb-description"
                prop:value=move || description.get()
                on:input=move |ev| description.set(event_target_value(&ev))
            ></textarea>
            <p class="text-xs leading-5 text-slate-500">{t(Key::KbDescriptionHint)}</p>
            <FieldProblem problems fields=&["description"]/>
        </div>
    }
}

#[component]
pub fn NewKnowledgeBasePage() -> impl IntoView {
    let api = use_api();
    let i18n = use_i18n();
    let toasts = use_toasts();
    let hydrated = use_hydrated();
    let navigate = use_navigate();
    let manager = use_manager();
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let server_default = RwSignal::new(false);
    let embedding = EmbeddingDraft::for_new_base();
    let problems = Problems::new(KB_FIELDS);
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        problems.clear();
        let lang = i18n.lang();
        if name.get_untracked().trim().is_empty() {
            problems.at_field("name", lang.t(Key::FieldRequired).to_owned());
            return;
        }
        let request = CreateKnowledgeBaseRequest {
            name: name.get_untracked().trim().to_owned(),
            description: Some(description.get_untracked().trim().to_owned())
                .filter(|d| !d.is_empty()),
            embedding: (!server_default.get_untracked()).then(|| embedding.settings()),
        };
        busy.set(true);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let result = api.post::<_, KnowledgeBaseDto>("/knowledge-bases", &request).await;
            busy.try_set(false);
            match result {
                Ok(created) => {
                    toasts.success(Key::KnowledgeBaseCreated);
                    navigate(&format!("/ai/knowledge/{}", created.id), NavigateOptions::default());
                }
                // No default embedder on this server: the settings are needed after all.
                Err(failure)
                    if request.embedding.is_none() && failure.field() == Some("embedding") =>
                {
                    server_default.try_set(false);
                    problems.at_field(
                        "embedding",
                        lang.t(Key::EmbeddingServerDefaultMissing).to_owned(),
                    );
                }
                Err(failure) => problems.api(&failure, lang),
            }
        });
    };

    view! {
        <PageTitle key=Key::NewKnowledgeBase/>
        {back_link()}
        <form class="card max-w-3xl space-y-6 px-5 py-5 sm:px-6" novalidate on:submit=submit data-testid="kb-form">
            <h1 class="text-xl font-semibold tracking-tight text-slate-900">{t(Key::NewKnowledgeBase)}</h1>
            <Show when=move || !manager.get()>
                <Alert kind=AlertKind::Info testid="ai-read-only">
                    <p>{t(Key::AiReadOnly)}</p>
                </Alert>
            </Show>
            <fieldset class="space-y-6" disabled=move || !manager.get()>
                <NameFields name description problems/>
                <fieldset class="space-y-4 rounded-lg bg-slate-50 p-4 ring-1 ring-slate-200" data-testid="kb-embedding">
                    <legend class="px-1 text-sm font-semibold text-slate-800">{t(Key::Embedding)}</legend>
                    <p class="text-xs leading-5 text-slate-600">{t(Key::EmbeddingHint)}</p>
                    <label class="flex items-start gap-2 text-sm text-slate-700">
                        <input
                            type="checkbox"
                            class="mt-0.5 size-4 shrink-0 rounded border-slate-300 text-brand-600"
                            data-testid="kb-server-default"
                            prop:checked=move || server_default.get()
                            on:change=move |ev| server_default.set(event_target_checked(&ev))
                        />
                        {t(Key::EmbeddingServerDefault)}
                    </label>
                    <Show
                        when=move || !server_default.get()
                        fallback=move || view! { <FieldProblem problems fields=&["embedding"]/> }
                    >
                        <EmbeddingFields draft=embedding problems/>
                    </Show>
                </fieldset>
            </fieldset>
            <FormProblem problems testid="kb-form-error"/>
            <Show when=move || manager.get()>
                <button
                    type="submit"
                    class="btn btn-primary"
                    data-testid="kb-save"
                    disabled=move || !hydrated.get() || busy.get()
                    aria-busy=move || busy.get().then_some("true")
                >
                    {move || busy.get().then(|| view! { <span class="spinner" aria-hidden="true"></span> })}
                    {t(Key::CreateKnowledgeBase)}
                </button>
            </Show>
        </form>
    }
    .into_any()
}

/// Puts a document's new state into the list: replaced in place, or first when it is new.
/// Rows of `fetched` that `known` has a later version of (from live events) take that version.
fn keep_newer(fetched: &mut [KnowledgeDocumentDto], known: &[KnowledgeDocumentDto]) {
    for row in fetched.iter_mut() {
        if let Some(newer) = known.iter().find(|k| k.id == row.id && k.updated_at > row.updated_at)
        {
            *row = newer.clone();
        }
    }
}

fn apply_document(docs: &mut Vec<KnowledgeDocumentDto>, document: &KnowledgeDocumentDto) {
    match docs.iter_mut().find(|d| d.id == document.id) {
        Some(row) => *row = document.clone(),
        None => docs.insert(0, document.clone()),
    }
}

#[component]
pub fn KnowledgeBasePage() -> impl IntoView {
    let api = use_api();
    let live = use_live();
    let manager = use_manager();
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|v| v.parse::<Uuid>().ok())));
    let kb = RwSignal::new(None::<Result<KnowledgeBaseDto, Key>>);
    let docs = RwSignal::new(None::<Result<Vec<KnowledgeDocumentDto>, Key>>);
    let kb_version = RwSignal::new(0u64);
    let docs_version = RwSignal::new(0u64);
    // The document open in the drawer.
    let open = RwSignal::new(None::<Uuid>);

    Effect::new(move |_| {
        kb_version.get();
        live.resync_version();
        let Some(id) = id.get() else {
            kb.set(Some(Err(Key::ErrNotFound)));
            return;
        };
        leptos::task::spawn_local(async move {
            let result = api.get::<KnowledgeBaseDto>(&format!("/knowledge-bases/{id}")).await;
            kb.try_set(Some(result.map_err(|f| f.key())));
        });
    });
    Effect::new(move |_| {
        docs_version.get();
        live.resync_version();
        let Some(id) = id.get() else { return };
        leptos::task::spawn_local(async move {
            let result = api
                .get::<Vec<KnowledgeDocumentDto>>(&format!("/knowledge-bases/{id}/documents"))
                .await;
            // Progress events may have arrived while the list was on its way (a short document
            // is indexed in milliseconds): a row they made newer is kept, not overwritten.
            docs.try_update(|current| {
                let fetched = result.map(|mut fetched| {
                    if let Some(Ok(known)) = current.as_ref() {
                        keep_newer(&mut fetched, known);
                    }
                    fetched
                });
                *current = Some(fetched.map_err(|f| f.key()));
            });
        });
    });
    // Progress comes document by document: the row changes in place. When a document finishes,
    // fails or the base itself changes, the header's counts are fetched again.
    live.on_knowledge(move |base_id, document| {
        if Some(base_id) != id.get_untracked() {
            return;
        }
        match document {
            Some(document) => {
                docs.update(|docs| {
                    if let Some(Ok(docs)) = docs {
                        apply_document(docs, document);
                    }
                });
                if document.status != DocumentStatus::Indexing {
                    kb_version.update(|v| *v += 1);
                }
            }
            None => {
                kb_version.update(|v| *v += 1);
                docs_version.update(|v| *v += 1);
            }
        }
    });
    let reload_docs = Callback::new(move |_| docs_version.update(|v| *v += 1));

    // Which of the three states the base is in; the page is only rebuilt when that changes, so
    // a refetched header keeps the forms below as they are.
    let state = Memo::new(move |_| {
        kb.with(|kb| match kb {
            None => None,
            Some(Err(key)) => Some(Err(*key)),
            Some(Ok(_)) => Some(Ok(())),
        })
    });

    view! {
        <PageTitle key=Key::KnowledgeBases/>
        {back_link()}
        {move || match (state.get(), id.get()) {
            (None, _) => view! { <ListLoading/> }.into_any(),
            (Some(Err(key)), _) => {
                view! { <ListError key retry=Callback::new(move |_| kb_version.update(|v| *v += 1))/> }.into_any()
            }
            (Some(Ok(())), None) => ().into_any(),
            (Some(Ok(())), Some(kb_id)) => view! {
                <KbHeader kb manager/>
                <div class="grid items-start gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(0,24rem)]">
                    <div class="min-w-0 space-y-6">
                        <Show when=move || manager.get()>
                            <AddDocument kb_id on_added=reload_docs/>
                        </Show>
                        <section class="card px-5 py-5 sm:px-6" data-testid="kb-documents">
                            <h2 class="mb-4 font-semibold text-slate-900">{t(Key::Documents)}</h2>
                            <DocumentList kb_id docs manager open reload=reload_docs/>
                        </section>
                    </div>
                    <SearchBox kb_id/>
                </div>
                {move || open.get().map(|doc_id| view! {
                    <DocumentDrawer
                        kb_id
                        doc_id
                        manager
                        on_close=Callback::new(move |_| open.set(None))
                        on_saved=reload_docs
                    />
                })}
            }
            .into_any(),
        }}
    }
    .into_any()
}

/// Name, description, embedding settings and counts; admins edit or delete the base here.
#[component]
fn KbHeader(
    kb: RwSignal<Option<Result<KnowledgeBaseDto, Key>>>,
    manager: Signal<bool>,
) -> impl IntoView {
    let api = use_api();
    let i18n = use_i18n();
    let toasts = use_toasts();
    let hydrated = use_hydrated();
    let navigate = use_navigate();
    let current = move || kb.get().and_then(Result::ok);
    let editing = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let busy = RwSignal::new(false);

    let delete = move || {
        let Some(id) = kb.get_untracked().and_then(Result::ok).map(|kb| kb.id) else { return };
        busy.set(true);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let result = api.delete::<serde_json::Value>(&format!("/knowledge-bases/{id}")).await;
            busy.try_set(false);
            match result {
                Ok(_) => {
                    toasts.success(Key::KnowledgeBaseDeleted);
                    navigate("/ai?tab=knowledge", NavigateOptions::default());
                }
                Err(failure) => {
                    confirming.try_set(false);
                    toasts.error(failure.key());
                }
            }
        });
    };
    let on_delete = Callback::new(move |_| delete());
    let question = Signal::derive(move || {
        let name = kb.with(|kb| {
            kb.as_ref().and_then(|r| r.as_ref().ok()).map(|kb| kb.name.clone()).unwrap_or_default()
        });
        fill(i18n.lang().t(Key::DeleteKnowledgeBaseQuestion), &[("name", &name)])
    });

    view! {
        <div class="mb-6 space-y-3" data-testid="kb-header">
            <Show
                when=move || editing.get()
                fallback=move || {
                    view! {
                        <div class="flex flex-wrap items-start justify-between gap-4">
                            <div class="min-w-0 space-y-1.5">
                                <h1 class="flex items-center gap-2 text-2xl font-semibold tracking-tight break-words text-slate-900" data-testid="kb-title">
                                    <Icon icon=IconName::Book class="size-6 shrink-0 text-brand-600"/>
                                    {move || current().map(|kb| kb.name).unwrap_or_default()}
                                </h1>
                                {move || {
                                    current()
                                        .and_then(|kb| kb.description)
                                        .filter(|d| !d.trim().is_empty())
                                        .map(|d| view! { <p class="max-w-2xl text-sm leading-6 break-words text-slate-600" data-testid="kb-description-text">{d}</p> })
                                }}
                                <p class="text-xs text-slate-500" data-testid="kb-embedding-summary">
                                    {move || current().map(|kb| embedding_summary(&kb, i18n.lang())).unwrap_or_default()}
                                </p>
                                <p class="flex flex-wrap items-center gap-2 text-xs text-slate-500" data-testid="kb-counts">
                                    {move || {
                                        current()
                                            .map(|kb| fill(
                                                i18n.lang().t(Key::KbCounts),
                                                &[("documents", &kb.documents.to_string()), ("chunks", &kb.chunks.to_string())],
                                            ))
                                            .unwrap_or_default()
                                    }}
                                    {move || {
                                        current().filter(|kb| kb.indexing > 0).map(|kb| view! {
                                            <span class="badge gap-1.5 bg-amber-50 text-amber-800 ring-1 ring-amber-200 ring-inset" data-testid="kb-indexing">
                                                <span class="spinner size-3" aria-hidden="true"></span>
                                                {move || fill(i18n.lang().t(Key::KbIndexingCount), &[("count", &kb.indexing.to_string())])}
                                            </span>
                                        })
                                    }}
                                </p>
                            </div>
                            <Show when=move || manager.get()>
                                <div class="flex gap-2">
                                    <button type="button" class="btn btn-secondary" data-testid="kb-edit" on:click=move |_| editing.set(true)>
                                        {t(Key::Edit)}
                                    </button>
                                    <button
                                        type="button"
                                        class="btn btn-secondary"
                                        data-testid="kb-delete"
                                        disabled=move || !hydrated.get() || busy.get()
                                        on:click=move |_| confirming.set(true)
                                    >
                                        <Icon icon=IconName::Trash class="size-4"/>
                                        <span>{t(Key::Delete)}</span>
                                    </button>
                                </div>
                            </Show>
                        </div>
                        <Show when=move || confirming.get()>
                            <ConfirmInline
                                question
                                confirm_label=Key::Delete
                                busy
                                on_confirm=on_delete
                                on_cancel=Callback::new(move |_| confirming.set(false))
                                confirm_testid="kb-delete-confirm"
                            />
                        </Show>
                    }
                }
            >
                // Built once per opening: a refetched header must not reset what is being typed.
                {kb.get_untracked().and_then(Result::ok).map(|original| view! {
                    <KbEditForm original kb on_done=Callback::new(move |_| editing.set(false))/>
                })}
            </Show>
        </div>
    }
    .into_any()
}

/// Name, description and embedding settings of an existing base.
#[component]
fn KbEditForm(
    original: KnowledgeBaseDto,
    kb: RwSignal<Option<Result<KnowledgeBaseDto, Key>>>,
    on_done: Callback<()>,
) -> impl IntoView {
    let api = use_api();
    let i18n = use_i18n();
    let toasts = use_toasts();
    let hydrated = use_hydrated();
    let name = RwSignal::new(original.name.clone());
    let description = RwSignal::new(original.description.clone().unwrap_or_default());
    let embedding = EmbeddingDraft::of(&original);
    let problems = Problems::new(KB_FIELDS);
    let busy = RwSignal::new(false);
    let has_key = original.has_api_key;
    let original = StoredValue::new(original);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        problems.clear();
        let lang = i18n.lang();
        if name.get_untracked().trim().is_empty() {
            problems.at_field("name", lang.t(Key::FieldRequired).to_owned());
            return;
        }
        let (id, embedding_changed) = original.with_value(|o| (o.id, embedding.differs_from(o)));
        let request = UpdateKnowledgeBaseRequest {
            name: Some(name.get_untracked().trim().to_owned()),
            description: Some(description.get_untracked().trim().to_owned()),
            embedding: embedding_changed.then(|| embedding.settings()),
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result =
                api.patch::<_, KnowledgeBaseDto>(&format!("/knowledge-bases/{id}"), &request).await;
            busy.try_set(false);
            match result {
                Ok(updated) => {
                    kb.try_set(Some(Ok(updated)));
                    toasts.success(Key::KnowledgeBaseSaved);
                    on_done.run(());
                }
                Err(failure) => problems.api(&failure, lang),
            }
        });
    };

    view! {
        <form class="card space-y-5 px-5 py-5 sm:px-6" novalidate on:submit=submit data-testid="kb-edit-form">
            <NameFields name description problems/>
            <fieldset class="space-y-4 rounded-lg bg-slate-50 p-4 ring-1 ring-slate-200" data-testid="kb-embedding">
                <legend class="px-1 text-sm font-semibold text-slate-800">{t(Key::Embedding)}</legend>
                <p class="flex items-start gap-1.5 text-xs leading-5 text-amber-800">
                    <Icon icon=IconName::Warning class="size-4 shrink-0"/>
                    {t(Key::EmbeddingChangeWarning)}
                </p>
                <EmbeddingFields draft=embedding problems has_key/>
            </fieldset>
            <FormProblem problems testid="kb-form-error"/>
            <div class="flex flex-wrap gap-2">
                <button
                    type="submit"
                    class="btn btn-primary"
                    data-testid="kb-edit-save"
                    disabled=move || !hydrated.get() || busy.get()
                >
                    {move || busy.get().then(|| view! { <span class="spinner" aria-hidden="true"></span> })}
                    {t(Key::Save)}
                </button>
                <button type="button" class="btn btn-secondary" data-testid="kb-edit-cancel" on:click=move |_| on_done.run(())>
                    {t(Key::Cancel)}
                </button>
            </div>
        </form>
    }
    .into_any()
}

/// "Try a question": the passages the base finds for it, closest first.
#[component]
fn SearchBox(kb_id: Uuid) -> impl IntoView {
    let api = use_api();
    let i18n = use_i18n();
    let hydrated = use_hydrated();
    let query = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let results = RwSignal::new(None::<Result<Vec<shared::ai::KnowledgeSource>, String>>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = query.get_untracked().trim().to_owned();
        if text.is_empty() || busy.get_untracked() {
            return;
        }
        busy.set(true);
        let request = shared::ai::KnowledgeSearchRequest { query: text, limit: Some(5) };
        leptos::task::spawn_local(async move {
            let result = api
                .post::<_, Vec<shared::ai::KnowledgeSource>>(
                    &format!("/knowledge-bases/{kb_id}/search"),
                    &request,
                )
                .await;
            busy.try_set(false);
            results.try_set(Some(result.map_err(|f| failure_text(&f, i18n.lang()))));
        });
    };
    view! {
        <section class="card space-y-4 px-5 py-5 lg:sticky lg:top-20" data-testid="kb-search">
            <div>
                <h2 class="flex items-center gap-2 font-semibold text-slate-900">
                    <Icon icon=IconName::Search class="size-5 text-brand-600"/>
                    {t(Key::TryQuestion)}
                </h2>
                <p class="mt-1 text-xs leading-5 text-slate-500">{t(Key::TryQuestionHint)}</p>
            </div>
            <form class="flex gap-2" novalidate on:submit=submit>
                <label for="kb-search-input" class="sr-only">{t(Key::TryQuestion)}</label>
                <input
                    id="kb-search-input"
                    type="search"
                    class="input"
                    data-testid="kb-search-input"
                    placeholder=move || i18n.lang().t(Key::TryQuestionPlaceholder)
                    prop:value=move || query.get()
                    on:input=move |ev| query.set(event_target_value(&ev))
                />
                <button
                    type="submit"
                    class="btn btn-secondary shrink-0"
                    data-testid="kb-search-submit"
                    disabled=move || !hydrated.get() || busy.get() || query.with(|q| q.trim().is_empty())
                >
                    {move || busy.get().then(|| view! { <span class="spinner" aria-hidden="true"></span> })}
                    {t(Key::SearchAction)}
                </button>
            </form>
            {move || match results.get() {
                None => ().into_any(),
                Some(Err(text)) => view! {
                    <p class="rounded-lg bg-red-50 px-3 py-2 text-sm break-words text-red-700" role="alert" data-testid="kb-search-error">{text}</p>
                }
                .into_any(),
                Some(Ok(found)) if found.is_empty() => view! {
                    <p class="text-sm text-slate-500" data-testid="kb-search-empty">{t(Key::NothingFound)}</p>
                }
                .into_any(),
                Some(Ok(found)) => view! {
                    <ul role="list" class="space-y-2" data-testid="kb-search-results">
                        {found.into_iter().map(|source| view! { <SourceItem source testid="kb-search-result"/> }).collect_view()}
                    </ul>
                }
                .into_any(),
            }}
        </section>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use shared::ai::DocumentKind;

    use super::*;

    fn doc(id: u128, status: DocumentStatus, second: u32) -> KnowledgeDocumentDto {
        let at = Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, second).unwrap();
        KnowledgeDocumentDto {
            id: Uuid::from_u128(id),
            knowledge_base_id: Uuid::nil(),
            title: "pagamentos".into(),
            kind: DocumentKind::Text,
            filename: None,
            bytes: 10,
            status,
            chunks_total: 1,
            chunks_done: 0,
            error: None,
            created_at: at,
            updated_at: at,
        }
    }

    #[test]
    fn a_list_fetched_before_the_last_progress_event_does_not_undo_it() {
        let known = vec![doc(1, DocumentStatus::Ready, 5)];
        let mut fetched =
            vec![doc(1, DocumentStatus::Queued, 1), doc(2, DocumentStatus::Queued, 1)];
        keep_newer(&mut fetched, &known);
        assert_eq!(fetched[0].status, DocumentStatus::Ready);
        assert_eq!(fetched[1].status, DocumentStatus::Queued, "rows without news stay");
        let mut later = vec![doc(1, DocumentStatus::Failed, 9)];
        keep_newer(&mut later, &known);
        assert_eq!(later[0].status, DocumentStatus::Failed, "a newer fetch wins");
    }
}
