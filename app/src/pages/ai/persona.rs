//! `/ai/personas/new` and `/ai/personas/:id`: a persona's settings — model and key, the
//! instructions, the knowledge base it answers from, when it hands over to a person — and, once
//! saved, a test chat beside the form (below it on phones).

use leptos::prelude::*;
use leptos_router::{
    hooks::{use_navigate, use_params_map},
    NavigateOptions,
};
use shared::{
    ai::{
        AiProvider, CreatePersonaRequest, HandoffPolicy, KnowledgeBaseDto, PersonaDto,
        UpdatePersonaRequest, WorkingWindow,
    },
    i18n::{Key, Lang},
};
use uuid::Uuid;

use super::{chat::TestChat, input_class, use_manager, FieldProblem, FormProblem, Problems};
use crate::api::use_api;
use crate::components::feedback::{ListError, ListLoading, SaveOrDelete};
use crate::components::form::{Alert, AlertKind};
use crate::components::hours::WorkingHoursEditor;
use crate::components::icons::{Icon, IconName};
use crate::components::layout::PageTitle;
use crate::components::toast::use_toasts;
use crate::i18n::{fill, t, use_i18n};

/// The API fields this form has inputs for.
const FIELDS: &[&str] = &[
    "name",
    "provider",
    "model",
    "api_key",
    "base_url",
    "system_prompt",
    "temperature",
    "max_tokens",
    "language",
    "tone",
    "knowledge_base_id",
    "handoff",
    "working_hours",
    "enabled",
];

/// Language tags offered for answers (any BCP 47 tag can be typed).
const LANGUAGES: [&str; 3] = ["pt-BR", "en", "es"];
/// Tones offered (any word can be typed).
const TONES: [&str; 4] = ["friendly", "formal", "casual", "empathetic"];

/// What the form holds, as typed.
#[derive(Clone, Copy)]
struct Draft {
    name: RwSignal<String>,
    provider: RwSignal<AiProvider>,
    model: RwSignal<String>,
    api_key: RwSignal<String>,
    remove_key: RwSignal<bool>,
    base_url: RwSignal<String>,
    system_prompt: RwSignal<String>,
    temperature: RwSignal<String>,
    max_tokens: RwSignal<String>,
    language: RwSignal<String>,
    tone: RwSignal<String>,
    /// A base's id, or empty for none.
    knowledge_base: RwSignal<String>,
    keywords: RwSignal<String>,
    max_turns: RwSignal<String>,
    on_low_confidence: RwSignal<bool>,
    handoff_message: RwSignal<String>,
    /// Empty: any time.
    hours: RwSignal<Vec<WorkingWindow>>,
    enabled: RwSignal<bool>,
}

/// The numbers of the form, once they parse.
struct Numbers {
    temperature: Option<f32>,
    max_tokens: Option<u32>,
    max_turns: Option<u32>,
}

impl Draft {
    fn of(persona: Option<&PersonaDto>) -> Self {
        let handoff = persona.map(|p| p.handoff.clone()).unwrap_or_default();
        Draft {
            name: RwSignal::new(persona.map(|p| p.name.clone()).unwrap_or_default()),
            provider: RwSignal::new(persona.map(|p| p.provider).unwrap_or_default()),
            model: RwSignal::new(persona.map(|p| p.model.clone()).unwrap_or_default()),
            api_key: RwSignal::new(String::new()),
            remove_key: RwSignal::new(false),
            base_url: RwSignal::new(persona.and_then(|p| p.base_url.clone()).unwrap_or_default()),
            system_prompt: RwSignal::new(
                persona.map(|p| p.system_prompt.clone()).unwrap_or_default(),
            ),
            temperature: RwSignal::new(
                persona.map(|p| format!("{:.1}", p.temperature)).unwrap_or_default(),
            ),
            max_tokens: RwSignal::new(
                persona.map(|p| p.max_tokens.to_string()).unwrap_or_default(),
            ),
            language: RwSignal::new(
                persona.map(|p| p.language.clone()).unwrap_or_else(|| "pt-BR".to_owned()),
            ),
            tone: RwSignal::new(persona.and_then(|p| p.tone.clone()).unwrap_or_default()),
            knowledge_base: RwSignal::new(
                persona
                    .and_then(|p| p.knowledge_base_id)
                    .map(|id| id.to_string())
                    .unwrap_or_default(),
            ),
            keywords: RwSignal::new(handoff.keywords.join(", ")),
            max_turns: RwSignal::new(handoff.max_turns.map(|n| n.to_string()).unwrap_or_default()),
            on_low_confidence: RwSignal::new(handoff.on_low_confidence),
            handoff_message: RwSignal::new(handoff.message),
            hours: RwSignal::new(persona.and_then(|p| p.working_hours.clone()).unwrap_or_default()),
            enabled: RwSignal::new(persona.map(|p| p.enabled).unwrap_or(true)),
        }
    }

    /// Parses the numbers, or says which one is wrong.
    fn numbers(self, problems: Problems, lang: Lang) -> Option<Numbers> {
        let temperature = match parse_decimal(&self.temperature.get_untracked()) {
            Ok(t) if t.is_none_or(|t| (0.0..=2.0).contains(&t)) => t,
            _ => {
                problems.at_field("temperature", lang.t(Key::TemperatureInvalid).to_owned());
                return None;
            }
        };
        let Ok(max_tokens) = parse_count(&self.max_tokens.get_untracked()) else {
            problems.at_field("max_tokens", lang.t(Key::NumberInvalid).to_owned());
            return None;
        };
        let Ok(max_turns) = parse_count(&self.max_turns.get_untracked()) else {
            problems.at_field("handoff", lang.t(Key::NumberInvalid).to_owned());
            return None;
        };
        Some(Numbers { temperature, max_tokens, max_turns })
    }

    fn handoff(self, max_turns: Option<u32>) -> HandoffPolicy {
        HandoffPolicy {
            keywords: self
                .keywords
                .get_untracked()
                .split(',')
                .map(|k| k.trim().to_owned())
                .filter(|k| !k.is_empty())
                .collect(),
            max_turns,
            on_low_confidence: self.on_low_confidence.get_untracked(),
            message: self.handoff_message.get_untracked().trim().to_owned(),
        }
    }

    fn knowledge_base_id(self) -> Option<Uuid> {
        self.knowledge_base.get_untracked().parse().ok()
    }

    fn trimmed(signal: RwSignal<String>) -> String {
        signal.get_untracked().trim().to_owned()
    }

    fn create(self, n: Numbers) -> CreatePersonaRequest {
        CreatePersonaRequest {
            name: Self::trimmed(self.name),
            provider: self.provider.get_untracked(),
            model: Self::trimmed(self.model),
            api_key: Some(self.api_key.get_untracked()).filter(|k| !k.trim().is_empty()),
            base_url: Some(Self::trimmed(self.base_url)).filter(|u| !u.is_empty()),
            system_prompt: self.system_prompt.get_untracked(),
            temperature: n.temperature,
            max_tokens: n.max_tokens,
            language: Some(Self::trimmed(self.language)).filter(|l| !l.is_empty()),
            tone: Some(Self::trimmed(self.tone)).filter(|t| !t.is_empty()),
            working_hours: Some(self.hours.get_untracked()).filter(|w| !w.is_empty()),
            handoff: Some(self.handoff(n.max_turns)),
            knowledge_base_id: self.knowledge_base_id(),
            enabled: Some(self.enabled.get_untracked()),
        }
    }

    /// Everything the form shows; an emptied optional text is sent as `""` (which clears it),
    /// and the key only when typed or removed.
    fn update(self, n: Numbers, original: &PersonaDto) -> UpdatePersonaRequest {
        let cleared = |value: String, had: bool| match (value.is_empty(), had) {
            (false, _) => Some(value),
            (true, true) => Some(String::new()),
            (true, false) => None,
        };
        let knowledge_base_id = self.knowledge_base_id();
        UpdatePersonaRequest {
            name: Some(Self::trimmed(self.name)),
            provider: Some(self.provider.get_untracked()),
            model: Some(Self::trimmed(self.model)),
            api_key: if self.remove_key.get_untracked() {
                Some(String::new())
            } else {
                Some(self.api_key.get_untracked()).filter(|k| !k.trim().is_empty())
            },
            base_url: cleared(Self::trimmed(self.base_url), original.base_url.is_some()),
            system_prompt: Some(self.system_prompt.get_untracked()),
            temperature: n.temperature,
            max_tokens: n.max_tokens,
            language: Some(Self::trimmed(self.language)).filter(|l| !l.is_empty()),
            tone: cleared(Self::trimmed(self.tone), original.tone.is_some()),
            working_hours: Some(self.hours.get_untracked()).filter(|w| !w.is_empty()),
            clear_working_hours: self.hours.with_untracked(Vec::is_empty),
            handoff: Some(self.handoff(n.max_turns)),
            knowledge_base_id,
            clear_knowledge_base: knowledge_base_id.is_none()
                && original.knowledge_base_id.is_some(),
            enabled: Some(self.enabled.get_untracked()),
        }
    }
}

/// `""` → `None`; accepts a decimal comma (`0,7`).
fn parse_decimal(raw: &str) -> Result<Option<f32>, ()> {
    let raw = raw.trim().replace(',', ".");
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse::<f32>().map(Some).map_err(|_| ())
}

/// `""` → `None`; otherwise a whole number above 0.
fn parse_count(raw: &str) -> Result<Option<u32>, ()> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    match raw.parse::<u32>() {
        Ok(n) if n > 0 => Ok(Some(n)),
        _ => Err(()),
    }
}

#[component]
pub fn PersonaPage() -> impl IntoView {
    let api = use_api();
    let params = use_params_map();
    // `None`: the new-persona route; `Some(None)`: an id that is not one.
    let id = Memo::new(move |_| params.with(|p| p.get("id").map(|v| v.parse::<Uuid>().ok())));
    let loaded = RwSignal::new(None::<Result<PersonaDto, Key>>);
    let version = RwSignal::new(0u64);
    Effect::new(move |_| {
        version.get();
        match id.get() {
            None => {}
            Some(None) => loaded.set(Some(Err(Key::ErrNotFound))),
            Some(Some(id)) => {
                leptos::task::spawn_local(async move {
                    let result = api.get::<PersonaDto>(&format!("/personas/{id}")).await;
                    loaded.try_set(Some(result.map_err(|f| f.key())));
                });
            }
        }
    });
    let bases = LocalResource::new(move || async move {
        api.get::<Vec<KnowledgeBaseDto>>("/knowledge-bases").await.unwrap_or_default()
    });

    view! {
        <PageTitle key=Key::Personas/>
        <a href="/ai" class="link mb-3 inline-flex items-center gap-1 text-sm" data-testid="persona-back">
            <Icon icon=IconName::ArrowLeft class="size-4"/>
            {t(Key::BackToAi)}
        </a>
        <div class="grid items-start gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(0,26rem)]">
            {move || match (id.get(), loaded.get()) {
                (None, _) => view! { <PersonaEditor original=None bases/> }.into_any(),
                (Some(_), None) => view! { <ListLoading/> }.into_any(),
                (Some(_), Some(Err(key))) => {
                    view! { <ListError key retry=Callback::new(move |_| version.update(|v| *v += 1))/> }.into_any()
                }
                (Some(_), Some(Ok(persona))) => {
                    view! { <PersonaEditor original=Some(persona) bases/> }.into_any()
                }
            }}
            {move || match id.get() {
                Some(Some(id)) => view! { <TestChat persona_id=id/> }.into_any(),
                Some(None) => ().into_any(),
                None => view! {
                    <aside class="card px-5 py-5 text-sm text-slate-600 lg:sticky lg:top-20" data-testid="test-chat-unsaved">
                        <h2 class="mb-1.5 font-semibold text-slate-900">{t(Key::TestChat)}</h2>
                        {t(Key::TestChatSaveFirst)}
                    </aside>
                }
                .into_any(),
            }}
        </div>
    }
    .into_any()
}

#[component]
fn PersonaEditor(
    original: Option<PersonaDto>,
    bases: LocalResource<Vec<KnowledgeBaseDto>>,
) -> impl IntoView {
    let api = use_api();
    let i18n = use_i18n();
    let toasts = use_toasts();
    let navigate = use_navigate();
    let manager = use_manager();
    let draft = Draft::of(original.as_ref());
    // The persona as last saved (the key hint and what an update compares with).
    let saved = RwSignal::new(original);
    let problems = Problems::new(FIELDS);
    let busy = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let provider = move || draft.provider.get();
    let is_new = saved.with_untracked(Option::is_none);

    let submit = {
        let navigate = navigate.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if busy.get_untracked() || !manager.get_untracked() {
                return;
            }
            problems.clear();
            let lang = i18n.lang();
            if draft.name.get_untracked().trim().is_empty() {
                problems.at_field("name", lang.t(Key::FieldRequired).to_owned());
                return;
            }
            if draft.provider.get_untracked() == AiProvider::OpenaiCompatible {
                if draft.base_url.get_untracked().trim().is_empty() {
                    problems.at_field("base_url", lang.t(Key::FieldRequired).to_owned());
                    return;
                }
                if draft.model.get_untracked().trim().is_empty() {
                    problems.at_field("model", lang.t(Key::AiModelRequired).to_owned());
                    return;
                }
            }
            let Some(numbers) = draft.numbers(problems, lang) else { return };
            busy.set(true);
            let navigate = navigate.clone();
            match saved.get_untracked() {
                None => {
                    let request = draft.create(numbers);
                    leptos::task::spawn_local(async move {
                        let result = api.post::<_, PersonaDto>("/personas", &request).await;
                        busy.try_set(false);
                        match result {
                            Ok(created) => {
                                toasts.success(Key::PersonaCreated);
                                navigate(
                                    &format!("/ai/personas/{}", created.id),
                                    NavigateOptions::default(),
                                );
                            }
                            Err(failure) => problems.api(&failure, lang),
                        }
                    });
                }
                Some(original) => {
                    let request = draft.update(numbers, &original);
                    leptos::task::spawn_local(async move {
                        let result = api
                            .patch::<_, PersonaDto>(&format!("/personas/{}", original.id), &request)
                            .await;
                        busy.try_set(false);
                        match result {
                            Ok(updated) => {
                                draft.api_key.try_set(String::new());
                                draft.remove_key.try_set(false);
                                saved.try_set(Some(updated));
                                toasts.success(Key::PersonaSaved);
                            }
                            Err(failure) => problems.api(&failure, lang),
                        }
                    });
                }
            }
        }
    };

    let delete = move || {
        let Some(id) = saved.get_untracked().map(|p| p.id) else { return };
        busy.set(true);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let result = api.delete::<serde_json::Value>(&format!("/personas/{id}")).await;
            busy.try_set(false);
            match result {
                Ok(_) => {
                    toasts.success(Key::PersonaDeleted);
                    navigate("/ai", NavigateOptions::default());
                }
                Err(failure) => {
                    confirming.try_set(false);
                    toasts.error(failure.key());
                }
            }
        });
    };
    let on_delete = Callback::new(move |_| delete());
    let delete_question = Signal::derive(move || {
        let name = saved.with(|p| p.as_ref().map(|p| p.name.clone()).unwrap_or_default());
        fill(i18n.lang().t(Key::DeletePersonaQuestion), &[("name", &name)])
    });

    let label = |for_: &'static str, key: Key| {
        view! { <label for=for_ class="block text-sm font-medium text-slate-700">{t(key)}</label> }
    };
    let hint = |key: Key| view! { <p class="text-xs leading-5 text-slate-500">{t(key)}</p> };

    view! {
        <form class="card space-y-6 px-5 py-5 sm:px-6" novalidate on:submit=submit data-testid="persona-form">
            <h1 class="text-xl font-semibold tracking-tight break-words text-slate-900" data-testid="persona-title">
                {move || {
                    if is_new {
                        t(Key::NewPersona)().to_owned()
                    } else {
                        saved.with(|p| p.as_ref().map(|p| p.name.clone()).unwrap_or_default())
                    }
                }}
            </h1>
            <Show when=move || !manager.get()>
                <Alert kind=AlertKind::Info testid="ai-read-only">
                    <p>{t(Key::AiReadOnly)}</p>
                </Alert>
            </Show>
            <fieldset class="space-y-6" disabled=move || !manager.get()>
                <div class="space-y-1.5">
                    {label("persona-name", Key::PersonaName)}
                    <input
                        id="persona-name"
                        class=input_class(problems, &["name"])
                        data-testid="persona-name"
                        autocomplete="off"
                        prop:value=move || draft.name.get()
                        on:input=move |ev| draft.name.set(event_target_value(&ev))
                    />
                    {hint(Key::PersonaNameHint)}
                    <FieldProblem problems fields=&["name"]/>
                </div>
                <div class="grid gap-4 sm:grid-cols-2">
                    <div class="space-y-1.5">
                        {label("persona-provider", Key::AiProviderLabel)}
                        <select
                            id="persona-provider"
                            class=input_class(problems, &["provider"])
                            data-testid="persona-provider"
                            prop:value=move || provider().as_str()
                            on:change=move |ev| {
                                if let Some(p) = AiProvider::parse(&event_target_value(&ev)) {
                                    draft.provider.set(p);
                                }
                            }
                        >
                            {AiProvider::ALL
                                .into_iter()
                                .map(|p| view! { <option value=p.as_str() selected=move || provider() == p>{p.label()}</option> })
                                .collect_view()}
                        </select>
                        <FieldProblem problems fields=&["provider"]/>
                    </div>
                    <div class="space-y-1.5">
                        {label("persona-model", Key::AiModel)}
                        <input
                            id="persona-model"
                            class=input_class(problems, &["model"])
                            data-testid="persona-model"
                            autocomplete="off"
                            placeholder=move || provider().default_chat_model()
                            prop:value=move || draft.model.get()
                            on:input=move |ev| draft.model.set(event_target_value(&ev))
                        />
                        <p class="text-xs leading-5 text-slate-500">
                            {move || {
                                let p = provider();
                                if p.default_chat_model().is_empty() {
                                    i18n.lang().t(Key::AiModelRequired).to_owned()
                                } else {
                                    fill(i18n.lang().t(Key::AiModelHint), &[("model", p.default_chat_model())])
                                }
                            }}
                        </p>
                        <FieldProblem problems fields=&["model"]/>
                    </div>
                    <div class="space-y-1.5">
                        {label("persona-api-key", Key::AiApiKey)}
                        <input
                            id="persona-api-key"
                            type="password"
                            class=input_class(problems, &["api_key"])
                            data-testid="persona-api-key"
                            autocomplete="new-password"
                            disabled=move || draft.remove_key.get()
                            prop:value=move || draft.api_key.get()
                            on:input=move |ev| draft.api_key.set(event_target_value(&ev))
                        />
                        <p class="text-xs leading-5 text-slate-500" data-testid="persona-api-key-hint">
                            {move || {
                                let lang = i18n.lang();
                                let stored = saved.with(|p| p.as_ref().filter(|p| p.has_api_key).map(|p| p.api_key_hint.clone().unwrap_or_default()));
                                match stored {
                                    Some(hint) => fill(lang.t(Key::AiApiKeyStored), &[("hint", &hint)]),
                                    None if provider().needs_api_key() => lang.t(Key::AiApiKeyNeeded).to_owned(),
                                    None => lang.t(Key::AiApiKeyOptional).to_owned(),
                                }
                            }}
                        </p>
                        <Show when=move || saved.with(|p| p.as_ref().is_some_and(|p| p.has_api_key))>
                            <label class="flex items-center gap-2 text-sm text-slate-700">
                                <input
                                    type="checkbox"
                                    class="size-4 rounded border-slate-300 text-brand-600"
                                    data-testid="persona-remove-key"
                                    prop:checked=move || draft.remove_key.get()
                                    on:change=move |ev| draft.remove_key.set(event_target_checked(&ev))
                                />
                                {t(Key::AiRemoveKey)}
                            </label>
                        </Show>
                        <FieldProblem problems fields=&["api_key"]/>
                    </div>
                    <div class="space-y-1.5">
                        {label("persona-base-url", Key::AiBaseUrl)}
                        <input
                            id="persona-base-url"
                            type="url"
                            class=input_class(problems, &["base_url"])
                            data-testid="persona-base-url"
                            autocomplete="off"
                            required=move || provider() == AiProvider::OpenaiCompatible
                            placeholder=move || match provider() {
                                AiProvider::Ollama => "http://localhost:11434",
                                AiProvider::OpenaiCompatible => "http://localhost:8000/v1",
                                _ => "",
                            }
                            prop:value=move || draft.base_url.get()
                            on:input=move |ev| draft.base_url.set(event_target_value(&ev))
                        />
                        <p class="text-xs leading-5 text-slate-500">
                            {move || {
                                if provider() == AiProvider::OpenaiCompatible {
                                    t(Key::AiBaseUrlRequired)()
                                } else {
                                    t(Key::AiBaseUrlOptional)()
                                }
                            }}
                        </p>
                        <FieldProblem problems fields=&["base_url"]/>
                    </div>
                </div>
                <div class="space-y-1.5">
                    {label("persona-prompt", Key::SystemPrompt)}
                    <textarea
                        id="persona-prompt"
                        rows="7"
                        class=input_class(problems, &["system_prompt"])
                        data-testid="persona-prompt"
                        placeholder=move || i18n.lang().t(Key::SystemPromptPlaceholder)
                        prop:value=move || draft.system_prompt.get()
                        on:input=move |ev| draft.system_prompt.set(event_target_value(&ev))
                    ></textarea>
                    {hint(Key::SystemPromptHint)}
                    <FieldProblem problems fields=&["system_prompt"]/>
                </div>
                <div class="grid gap-4 sm:grid-cols-2">
                    <div class="space-y-1.5">
                        {label("persona-temperature", Key::Temperature)}
                        <input
                            id="persona-temperature"
                            type="number"
                            min="0"
                            max="2"
                            step="0.1"
                            inputmode="decimal"
                            class=input_class(problems, &["temperature"])
                            data-testid="persona-temperature"
                            prop:value=move || draft.temperature.get()
                            on:input=move |ev| draft.temperature.set(event_target_value(&ev))
                        />
                        {hint(Key::TemperatureHint)}
                        <FieldProblem problems fields=&["temperature"]/>
                    </div>
                    <div class="space-y-1.5">
                        {label("persona-max-tokens", Key::MaxTokens)}
                        <input
                            id="persona-max-tokens"
                            type="number"
                            min="1"
                            step="1"
                            inputmode="numeric"
                            class=input_class(problems, &["max_tokens"])
                            data-testid="persona-max-tokens"
                            prop:value=move || draft.max_tokens.get()
                            on:input=move |ev| draft.max_tokens.set(event_target_value(&ev))
                        />
                        {hint(Key::MaxTokensHint)}
                        <FieldProblem problems fields=&["max_tokens"]/>
                    </div>
                    <div class="space-y-1.5">
                        {label("persona-language", Key::AnswerLanguage)}
                        <input
                            id="persona-language"
                            class=input_class(problems, &["language"])
                            list="persona-language-options"
                            data-testid="persona-language"
                            autocomplete="off"
                            prop:value=move || draft.language.get()
                            on:input=move |ev| draft.language.set(event_target_value(&ev))
                        />
                        <datalist id="persona-language-options">
                            {LANGUAGES.into_iter().map(|l| view! { <option value=l></option> }).collect_view()}
                        </datalist>
                        <FieldProblem problems fields=&["language"]/>
                    </div>
                    <div class="space-y-1.5">
                        {label("persona-tone", Key::Tone)}
                        <input
                            id="persona-tone"
                            class=input_class(problems, &["tone"])
                            list="persona-tone-options"
                            data-testid="persona-tone"
                            autocomplete="off"
                            prop:value=move || draft.tone.get()
                            on:input=move |ev| draft.tone.set(event_target_value(&ev))
                        />
                        <datalist id="persona-tone-options">
                            {TONES.into_iter().map(|tone| view! { <option value=tone></option> }).collect_view()}
                        </datalist>
                        {hint(Key::ToneHint)}
                        <FieldProblem problems fields=&["tone"]/>
                    </div>
                </div>
                <div class="space-y-1.5">
                    {label("persona-knowledge-base", Key::KnowledgeBase)}
                    <select
                        id="persona-knowledge-base"
                        class=input_class(problems, &["knowledge_base_id"])
                        data-testid="persona-knowledge-base"
                        prop:value=move || {
                            // Read after the options exist, so the choice shows once they load.
                            bases.track();
                            draft.knowledge_base.get()
                        }
                        on:change=move |ev| draft.knowledge_base.set(event_target_value(&ev))
                    >
                        <option value="">{t(Key::NoKnowledgeBase)}</option>
                        {move || {
                            bases
                                .get()
                                .unwrap_or_default()
                                .into_iter()
                                .map(|kb| {
                                    let value = kb.id.to_string();
                                    let selected = {
                                        let value = value.clone();
                                        move || draft.knowledge_base.with(|v| *v == value)
                                    };
                                    view! { <option value=value selected=selected>{kb.name.clone()}</option> }
                                })
                                .collect_view()
                        }}
                    </select>
                    {hint(Key::KnowledgeBaseHint)}
                    <FieldProblem problems fields=&["knowledge_base_id"]/>
                </div>
                <fieldset class="space-y-4 rounded-lg bg-slate-50 p-4 ring-1 ring-slate-200" data-testid="persona-handoff">
                    <legend class="px-1 text-sm font-semibold text-slate-800">{t(Key::Handoff)}</legend>
                    <div class="space-y-1.5">
                        {label("persona-handoff-keywords", Key::HandoffKeywords)}
                        <input
                            id="persona-handoff-keywords"
                            class="input"
                            data-testid="persona-handoff-keywords"
                            autocomplete="off"
                            prop:value=move || draft.keywords.get()
                            on:input=move |ev| draft.keywords.set(event_target_value(&ev))
                        />
                    </div>
                    <div class="space-y-1.5">
                        {label("persona-handoff-max-turns", Key::HandoffMaxTurns)}
                        <input
                            id="persona-handoff-max-turns"
                            type="number"
                            min="1"
                            step="1"
                            inputmode="numeric"
                            class="input sm:max-w-40"
                            data-testid="persona-handoff-max-turns"
                            prop:value=move || draft.max_turns.get()
                            on:input=move |ev| draft.max_turns.set(event_target_value(&ev))
                        />
                        {hint(Key::HandoffMaxTurnsHint)}
                    </div>
                    <label class="flex items-start gap-2 text-sm text-slate-700">
                        <input
                            type="checkbox"
                            class="mt-0.5 size-4 shrink-0 rounded border-slate-300 text-brand-600"
                            data-testid="persona-handoff-low-confidence"
                            prop:checked=move || draft.on_low_confidence.get()
                            on:change=move |ev| draft.on_low_confidence.set(event_target_checked(&ev))
                        />
                        {t(Key::HandoffLowConfidence)}
                    </label>
                    <div class="space-y-1.5">
                        {label("persona-handoff-message", Key::HandoffMessage)}
                        <textarea
                            id="persona-handoff-message"
                            rows="2"
                            class="input"
                            data-testid="persona-handoff-message"
                            prop:value=move || draft.handoff_message.get()
                            on:input=move |ev| draft.handoff_message.set(event_target_value(&ev))
                        ></textarea>
                    </div>
                    <FieldProblem problems fields=&["handoff"]/>
                </fieldset>
                <div class="space-y-1.5">
                    <WorkingHoursEditor windows=draft.hours/>
                    <FieldProblem problems fields=&["working_hours"]/>
                </div>
                <label class="flex items-center gap-3 text-sm font-medium text-slate-800">
                    <input
                        type="checkbox"
                        role="switch"
                        class="peer sr-only"
                        data-testid="persona-enabled"
                        prop:checked=move || draft.enabled.get()
                        on:change=move |ev| draft.enabled.set(event_target_checked(&ev))
                    />
                    <span
                        aria-hidden="true"
                        class="relative inline-flex h-6 w-11 shrink-0 rounded-full bg-slate-300 transition-colors peer-checked:bg-brand-600 peer-focus-visible:outline-2 peer-focus-visible:outline-offset-2 peer-focus-visible:outline-brand-600 after:absolute after:top-0.5 after:left-0.5 after:size-5 after:rounded-full after:bg-white after:shadow after:transition-transform peer-checked:after:translate-x-5"
                    ></span>
                    {t(Key::PersonaEnabledToggle)}
                </label>
                <FieldProblem problems fields=&["enabled"]/>
            </fieldset>
            <FormProblem problems testid="persona-form-error"/>
            <SaveOrDelete
                save_label=Key::SavePersona
                manager
                deletable=Signal::derive(move || saved.with(Option::is_some))
                busy
                confirming
                question=delete_question
                on_delete
                testid="persona"
            />
        </form>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::{parse_count, parse_decimal};

    #[test]
    fn numbers_parse_with_either_decimal_mark() {
        assert_eq!(parse_decimal(""), Ok(None));
        assert_eq!(parse_decimal("0,7"), Ok(Some(0.7)));
        assert_eq!(parse_decimal(" 1.5 "), Ok(Some(1.5)));
        assert!(parse_decimal("warm").is_err());
    }

    #[test]
    fn counts_are_whole_and_positive() {
        assert_eq!(parse_count(""), Ok(None));
        assert_eq!(parse_count("512"), Ok(Some(512)));
        assert!(parse_count("0").is_err());
        assert!(parse_count("1.5").is_err());
    }
}
