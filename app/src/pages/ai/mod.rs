//! The AI area: personas (`/ai`, `/ai/personas/new`, `/ai/personas/:id` with a test chat) and
//! knowledge bases (`/ai?tab=knowledge`, `/ai/knowledge/new`, `/ai/knowledge/:id` with its
//! documents, their live indexing and a "try a question" search).
//!
//! Owners and admins change things; agents see the same screens read-only (the API answers
//! `403` to their changes anyway) and can still try personas and searches.

pub mod chat;
pub mod documents;
pub mod embedding;
pub mod knowledge;
pub mod persona;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use shared::{
    ai::{KnowledgeBaseDto, PersonaDto},
    i18n::{Key, Lang},
};
use uuid::Uuid;

use crate::api::{use_api, ApiFailure};
use crate::components::feedback::{ListError, ListLoading};
use crate::components::form::{Alert, AlertKind};
use crate::components::icons::{Icon, IconName};
use crate::components::layout::PageTitle;
use crate::i18n::{fill, t, use_i18n};
use crate::live::use_live;

pub use knowledge::{KnowledgeBasePage, NewKnowledgeBasePage};
pub use persona::PersonaPage;

/// What to tell the person about a failed call (a provider's refusal in its own words).
pub use crate::components::problems::failure_text;

/// The current error of an AI form: the server's field (or a check of our own) and the text to
/// show. Shown under the input of that field when the form has one, otherwise above the buttons.
#[derive(Clone, Copy)]
pub struct Problems {
    current: RwSignal<Option<(Option<&'static str>, String)>>,
    /// The field names this form shows inputs for.
    known: &'static [&'static str],
}

impl Problems {
    pub fn new(known: &'static [&'static str]) -> Self {
        Problems { current: RwSignal::new(None), known }
    }

    pub fn clear(self) {
        self.current.set(None);
    }

    /// A problem of our own check, on `field`.
    pub fn at_field(self, field: &'static str, text: String) {
        self.current.set(Some((self.known_field(field), text)));
    }

    /// An API failure, next to the field it names (`handoff.keywords` falls back to `handoff`).
    pub fn api(self, failure: &ApiFailure, lang: Lang) {
        let field = failure.field().and_then(|f| {
            self.known_field(f)
                .or_else(|| f.split_once('.').and_then(|(head, _)| self.known_field(head)))
        });
        self.current.try_set(Some((field, failure_text(failure, lang))));
    }

    fn known_field(self, field: &str) -> Option<&'static str> {
        self.known.iter().copied().find(|known| *known == field)
    }

    /// Tracked: the problem of one of `fields`.
    pub fn at(self, fields: &[&'static str]) -> Option<String> {
        self.current.with(|c| {
            c.as_ref()
                .filter(|(f, _)| f.is_some_and(|f| fields.contains(&f)))
                .map(|(_, t)| t.clone())
        })
    }

    /// Tracked: a problem no input of the form shows.
    pub fn general(self) -> Option<String> {
        self.current.with(|c| c.as_ref().filter(|(f, _)| f.is_none()).map(|(_, t)| t.clone()))
    }
}

/// The problem of `fields`, under their input.
#[component]
pub fn FieldProblem(problems: Problems, fields: &'static [&'static str]) -> impl IntoView {
    move || {
        problems.at(fields).map(|text| {
            view! {
                <p class="field-error break-words" data-testid="field-error" data-field=fields.first().copied().unwrap_or_default()>
                    {text}
                </p>
            }
        })
    }
}

/// The problem no input shows, above the form's buttons.
#[component]
pub fn FormProblem(problems: Problems, testid: &'static str) -> impl IntoView {
    move || {
        problems.general().map(|text| {
            view! {
                <Alert kind=AlertKind::Error testid>
                    <p class="break-words">{text}</p>
                </Alert>
            }
        })
    }
}

/// `input input-invalid` when `fields` have a problem.
pub fn input_class(
    problems: Problems,
    fields: &'static [&'static str],
) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    move || if problems.at(fields).is_some() { "input input-invalid" } else { "input" }
}

pub use crate::auth::use_manager;

/// A similarity score (-1 to 1) as a whole percentage, 0–100.
pub fn score_percent(score: f32) -> u32 {
    (score.clamp(0.0, 1.0) * 100.0).round() as u32
}

/// "{score}% match" in a small badge.
#[component]
pub fn ScoreBadge(score: f32) -> impl IntoView {
    let i18n = use_i18n();
    let percent = score_percent(score);
    view! {
        <span class="badge bg-brand-50 text-brand-700 tabular-nums" data-testid="score" data-score=percent.to_string()>
            {move || fill(i18n.lang().t(Key::ScoreMatch), &[("score", &percent.to_string())])}
        </span>
    }
    .into_any()
}

/// One found passage: its document, how close it is, its text.
#[component]
pub fn SourceItem(source: shared::ai::KnowledgeSource, testid: &'static str) -> impl IntoView {
    view! {
        <li class="rounded-lg bg-slate-50 px-3 py-2 ring-1 ring-slate-200" data-testid=testid data-document=source.document_id.to_string()>
            <div class="flex flex-wrap items-center justify-between gap-2">
                <span class="min-w-0 text-xs font-semibold break-words text-slate-700" data-testid="source-title">
                    {source.document_title.clone()}
                </span>
                <ScoreBadge score=source.score/>
            </div>
            <p class="mt-1 text-sm leading-6 whitespace-pre-wrap break-words text-slate-700">{source.text.clone()}</p>
        </li>
    }
    .into_any()
}

/// The tab of `/ai` in view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tab {
    Personas,
    Knowledge,
}

#[component]
pub fn AiPage() -> impl IntoView {
    let query = use_query_map();
    let tab = Memo::new(move |_| {
        if query.with(|q| q.get("tab").as_deref() == Some("knowledge")) {
            Tab::Knowledge
        } else {
            Tab::Personas
        }
    });
    let api = use_api();
    let live = use_live();
    let manager = use_manager();

    let retry = RwSignal::new(0u64);
    let bases = RwSignal::new(None::<Result<Vec<KnowledgeBaseDto>, Key>>);
    let personas = RwSignal::new(None::<Result<Vec<PersonaDto>, Key>>);
    Effect::new(move |_| {
        retry.get();
        live.knowledge_version();
        leptos::task::spawn_local(async move {
            let result = api.get::<Vec<KnowledgeBaseDto>>("/knowledge-bases").await;
            bases.try_set(Some(result.map_err(|f| f.key())));
        });
    });
    Effect::new(move |_| {
        retry.get();
        live.personas_version();
        leptos::task::spawn_local(async move {
            let result = api.get::<Vec<PersonaDto>>("/personas").await;
            personas.try_set(Some(result.map_err(|f| f.key())));
        });
    });

    let tab_link = move |which: Tab, href: &'static str, key: Key, testid: &'static str| {
        view! {
            <a
                href=href
                role="tab"
                data-testid=testid
                aria-selected=move || if tab.get() == which { "true" } else { "false" }
                class=move || {
                    if tab.get() == which {
                        "-mb-px border-b-2 border-brand-600 px-1 pb-3 text-sm font-semibold text-brand-700"
                    } else {
                        "-mb-px border-b-2 border-transparent px-1 pb-3 text-sm font-medium text-slate-500 hover:border-slate-300 hover:text-slate-700"
                    }
                }
            >
                {t(key)}
            </a>
        }
    };

    view! {
        <PageTitle key=Key::NavAi/>
        <div class="mb-6 flex flex-wrap items-end justify-between gap-4">
            <div class="min-w-0">
                <h1 class="text-2xl font-semibold tracking-tight text-slate-900">{t(Key::NavAi)}</h1>
                <p class="mt-1.5 max-w-2xl text-sm leading-6 text-slate-600">{t(Key::AiSubtitle)}</p>
            </div>
            <Show when=move || manager.get()>
                {move || match tab.get() {
                    Tab::Personas => view! {
                        <a href="/ai/personas/new" class="btn btn-primary" data-testid="persona-new">
                            <Icon icon=IconName::Plus class="size-5"/>
                            <span>{t(Key::NewPersona)}</span>
                        </a>
                    }
                    .into_any(),
                    Tab::Knowledge => view! {
                        <a href="/ai/knowledge/new" class="btn btn-primary" data-testid="kb-new">
                            <Icon icon=IconName::Plus class="size-5"/>
                            <span>{t(Key::NewKnowledgeBase)}</span>
                        </a>
                    }
                    .into_any(),
                }}
            </Show>
        </div>
        <nav class="mb-6 flex gap-6 border-b border-slate-200" role="tablist" aria-label=t(Key::AiTabs)>
            {tab_link(Tab::Personas, "/ai", Key::Personas, "ai-tab-personas")}
            {tab_link(Tab::Knowledge, "/ai?tab=knowledge", Key::KnowledgeBases, "ai-tab-knowledge")}
        </nav>
        {move || match tab.get() {
            Tab::Personas => view! { <PersonaList personas bases retry/> }.into_any(),
            Tab::Knowledge => view! { <KnowledgeList bases retry/> }.into_any(),
        }}
    }
    .into_any()
}

/// An empty list: an icon, what is missing and what it is for.
#[component]
fn EmptyState(icon: IconName, title: Key, hint: Key, testid: &'static str) -> impl IntoView {
    view! {
        <section class="card flex flex-col items-center px-6 py-12 text-center" data-testid=testid>
            <div class="grid size-12 place-items-center rounded-2xl bg-brand-50 text-brand-600 ring-1 ring-brand-100">
                <Icon icon class="size-6"/>
            </div>
            <h2 class="mt-4 font-semibold text-slate-900">{t(title)}</h2>
            <p class="mt-1.5 max-w-md text-sm leading-6 text-slate-600">{t(hint)}</p>
        </section>
    }
    .into_any()
}

#[component]
fn PersonaList(
    personas: RwSignal<Option<Result<Vec<PersonaDto>, Key>>>,
    bases: RwSignal<Option<Result<Vec<KnowledgeBaseDto>, Key>>>,
    retry: RwSignal<u64>,
) -> impl IntoView {
    let base_name = move |id: Option<Uuid>| -> Option<String> {
        let id = id?;
        bases.with(|b| {
            b.as_ref()
                .and_then(|r| r.as_ref().ok())
                .and_then(|list| list.iter().find(|kb| kb.id == id).map(|kb| kb.name.clone()))
        })
    };
    move || {
        match personas.get() {
        None => view! { <ListLoading/> }.into_any(),
        Some(Err(key)) => {
            view! { <ListError key retry=Callback::new(move |_| retry.update(|v| *v += 1))/> }
                .into_any()
        }
        Some(Ok(list)) if list.is_empty() => view! {
            <EmptyState icon=IconName::Sparkles title=Key::NoPersonas hint=Key::NoPersonasHint testid="personas-empty"/>
        }
        .into_any(),
        Some(Ok(list)) => view! {
            <ul role="list" class="grid gap-3 sm:grid-cols-2 xl:grid-cols-3" data-testid="personas-list">
                {list
                    .into_iter()
                    .map(|p| {
                        let model = if p.model.trim().is_empty() {
                            p.provider.default_chat_model().to_owned()
                        } else {
                            p.model.clone()
                        };
                        let kb = p.knowledge_base_id;
                        let enabled = p.enabled;
                        view! {
                            <li class="card relative flex flex-col gap-2 px-5 py-4 hover:ring-brand-300" data-testid="persona-row" data-name=p.name.clone() data-enabled=enabled.to_string()>
                                <div class="flex items-start justify-between gap-3">
                                    <a
                                        href=format!("/ai/personas/{}", p.id)
                                        class="min-w-0 font-semibold break-words text-slate-900 after:absolute after:inset-0 hover:text-brand-700"
                                        data-testid="persona-link"
                                    >
                                        {p.name.clone()}
                                    </a>
                                    {if enabled {
                                        view! { <span class="badge bg-emerald-50 text-emerald-700 ring-1 ring-emerald-200 ring-inset" data-testid="persona-enabled">{t(Key::PersonaEnabled)}</span> }.into_any()
                                    } else {
                                        view! { <span class="badge" data-testid="persona-disabled">{t(Key::PersonaDisabled)}</span> }.into_any()
                                    }}
                                </div>
                                <p class="text-sm break-words text-slate-600" data-testid="persona-model-line">
                                    {format!("{} · {}", p.provider.label(), model)}
                                </p>
                                <p class="flex items-center gap-1.5 text-xs text-slate-500" data-testid="persona-kb-line">
                                    <Icon icon=IconName::Book class="size-4 shrink-0"/>
                                    {move || match base_name(kb) {
                                        Some(name) => name.into_any(),
                                        None => t(Key::NoKnowledgeBase)().into_any(),
                                    }}
                                </p>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any(),
    }
    }
}

#[component]
fn KnowledgeList(
    bases: RwSignal<Option<Result<Vec<KnowledgeBaseDto>, Key>>>,
    retry: RwSignal<u64>,
) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        match bases.get() {
        None => view! { <ListLoading/> }.into_any(),
        Some(Err(key)) => {
            view! { <ListError key retry=Callback::new(move |_| retry.update(|v| *v += 1))/> }
                .into_any()
        }
        Some(Ok(list)) if list.is_empty() => view! {
            <EmptyState icon=IconName::Book title=Key::NoKnowledgeBases hint=Key::NoKnowledgeBasesHint testid="kbs-empty"/>
        }
        .into_any(),
        Some(Ok(list)) => view! {
            <ul role="list" class="grid gap-3 sm:grid-cols-2 xl:grid-cols-3" data-testid="kbs-list">
                {list
                    .into_iter()
                    .map(|kb| {
                        let (documents, chunks, indexing) = (kb.documents, kb.chunks, kb.indexing);
                        view! {
                            <li class="card relative flex flex-col gap-2 px-5 py-4 hover:ring-brand-300" data-testid="kb-row" data-name=kb.name.clone()>
                                <div class="flex items-start justify-between gap-3">
                                    <a
                                        href=format!("/ai/knowledge/{}", kb.id)
                                        class="min-w-0 font-semibold break-words text-slate-900 after:absolute after:inset-0 hover:text-brand-700"
                                        data-testid="kb-link"
                                    >
                                        {kb.name.clone()}
                                    </a>
                                    {(indexing > 0).then(|| view! {
                                        <span class="badge gap-1.5 bg-amber-50 text-amber-800 ring-1 ring-amber-200 ring-inset" data-testid="kb-indexing">
                                            <span class="spinner size-3" aria-hidden="true"></span>
                                            {move || fill(i18n.lang().t(Key::KbIndexingCount), &[("count", &indexing.to_string())])}
                                        </span>
                                    })}
                                </div>
                                {kb.description.clone().filter(|d| !d.trim().is_empty()).map(|d| view! {
                                    <p class="line-clamp-2 text-sm break-words text-slate-600">{d}</p>
                                })}
                                <p class="text-xs text-slate-500" data-testid="kb-counts">
                                    {move || fill(
                                        i18n.lang().t(Key::KbCounts),
                                        &[("documents", &documents.to_string()), ("chunks", &chunks.to_string())],
                                    )}
                                </p>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any(),
    }
    }
}

#[cfg(test)]
mod tests {
    use super::score_percent;

    #[test]
    fn scores_become_whole_percentages() {
        assert_eq!(score_percent(0.834), 83);
        assert_eq!(score_percent(1.2), 100);
        assert_eq!(score_percent(-0.3), 0);
    }
}
