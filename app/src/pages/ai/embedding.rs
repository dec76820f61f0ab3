//! The embedding settings of a knowledge base (provider, model, base URL, API key), used when
//! creating one and when changing it.

use leptos::prelude::*;
use shared::{
    ai::{AiProvider, EmbeddingSettings, KnowledgeBaseDto},
    i18n::Key,
};

use super::{input_class, FieldProblem, Problems};
use crate::i18n::{fill, t, use_i18n};

/// What the embedding inputs hold.
#[derive(Clone, Copy)]
pub struct EmbeddingDraft {
    pub provider: RwSignal<AiProvider>,
    pub model: RwSignal<String>,
    pub base_url: RwSignal<String>,
    pub api_key: RwSignal<String>,
}

impl EmbeddingDraft {
    /// A new base's settings: the first provider with its usual model.
    pub fn for_new_base() -> Self {
        let provider = AiProvider::default();
        EmbeddingDraft {
            provider: RwSignal::new(provider),
            model: RwSignal::new(provider.default_embedding_model().to_owned()),
            base_url: RwSignal::new(String::new()),
            api_key: RwSignal::new(String::new()),
        }
    }

    /// A base's current settings (its key is never shown: the input starts empty).
    pub fn of(kb: &KnowledgeBaseDto) -> Self {
        EmbeddingDraft {
            provider: RwSignal::new(kb.embedding_provider),
            model: RwSignal::new(kb.embedding_model.clone()),
            base_url: RwSignal::new(kb.embedding_base_url.clone().unwrap_or_default()),
            api_key: RwSignal::new(String::new()),
        }
    }

    /// Switching provider replaces the model when it was the old provider's usual one (or
    /// empty); a model someone typed stays.
    pub fn set_provider(self, provider: AiProvider) {
        let old = self.provider.get_untracked();
        let model = self.model.get_untracked();
        if model.trim().is_empty() || model == old.default_embedding_model() {
            self.model.set(provider.default_embedding_model().to_owned());
        }
        self.provider.set(provider);
    }

    pub fn settings(self) -> EmbeddingSettings {
        let key = self.api_key.get_untracked();
        EmbeddingSettings {
            provider: self.provider.get_untracked(),
            model: self.model.get_untracked().trim().to_owned(),
            base_url: Some(self.base_url.get_untracked().trim().to_owned())
                .filter(|u| !u.is_empty()),
            api_key: Some(key).filter(|k| !k.trim().is_empty()),
        }
    }

    /// Whether anything differs from `kb` (a typed key counts as a change).
    pub fn differs_from(self, kb: &KnowledgeBaseDto) -> bool {
        let now = self.settings();
        now.provider != kb.embedding_provider
            || now.model != kb.embedding_model
            || now.base_url != kb.embedding_base_url
            || now.api_key.is_some()
    }
}

/// The four inputs, with the API's errors under them (`embedding.model`, ...; a bare
/// `embedding` shows under the provider).
#[component]
pub fn EmbeddingFields(
    draft: EmbeddingDraft,
    problems: Problems,
    /// Whether the base being edited has a key stored.
    #[prop(optional)]
    has_key: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let provider = move || draft.provider.get();
    view! {
        <div class="grid gap-4 sm:grid-cols-2">
            <div class="space-y-1.5">
                <label for="kb-provider" class="block text-sm font-medium text-slate-700">{t(Key::AiProviderLabel)}</label>
                <select
                    id="kb-provider"
                    class=input_class(problems, &["embedding", "embedding.provider"])
                    data-testid="kb-provider"
                    prop:value=move || provider().as_str()
                    on:change=move |ev| {
                        if let Some(p) = AiProvider::parse(&event_target_value(&ev)) {
                            draft.set_provider(p);
                        }
                    }
                >
                    {AiProvider::ALL
                        .into_iter()
                        .map(|p| view! { <option value=p.as_str() selected=move || provider() == p>{p.label()}</option> })
                        .collect_view()}
                </select>
                <FieldProblem problems fields=&["embedding", "embedding.provider"]/>
            </div>
            <div class="space-y-1.5">
                <label for="kb-model" class="block text-sm font-medium text-slate-700">{t(Key::AiModel)}</label>
                <input
                    id="kb-model"
                    class=input_class(problems, &["embedding.model"])
                    data-testid="kb-model"
                    autocomplete="off"
                    placeholder=move || provider().default_embedding_model()
                    prop:value=move || draft.model.get()
                    on:input=move |ev| draft.model.set(event_target_value(&ev))
                />
                <FieldProblem problems fields=&["embedding.model"]/>
            </div>
            <div class="space-y-1.5">
                <label for="kb-base-url" class="block text-sm font-medium text-slate-700">{t(Key::AiBaseUrl)}</label>
                <input
                    id="kb-base-url"
                    type="url"
                    class=input_class(problems, &["embedding.base_url"])
                    data-testid="kb-base-url"
                    autocomplete="off"
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
                <FieldProblem problems fields=&["embedding.base_url"]/>
            </div>
            <div class="space-y-1.5">
                <label for="kb-api-key" class="block text-sm font-medium text-slate-700">{t(Key::AiApiKey)}</label>
                <input
                    id="kb-api-key"
                    type="password"
                    class=input_class(problems, &["embedding.api_key"])
                    data-testid="kb-api-key"
                    autocomplete="new-password"
                    prop:value=move || draft.api_key.get()
                    on:input=move |ev| draft.api_key.set(event_target_value(&ev))
                />
                <p class="text-xs leading-5 text-slate-500">
                    {move || {
                        if has_key {
                            fill(i18n.lang().t(Key::AiApiKeyStored), &[("hint", "…")])
                        } else if provider().needs_api_key() {
                            i18n.lang().t(Key::AiApiKeyNeeded).to_owned()
                        } else {
                            i18n.lang().t(Key::AiApiKeyOptional).to_owned()
                        }
                    }}
                </p>
                <FieldProblem problems fields=&["embedding.api_key"]/>
            </div>
        </div>
    }
    .into_any()
}

/// "Embeddings: OpenAI · text-embedding-3-small · key stored", for a base's header.
pub fn embedding_summary(kb: &KnowledgeBaseDto, lang: shared::i18n::Lang) -> String {
    let model = if kb.embedding_model.trim().is_empty() {
        kb.embedding_provider.default_embedding_model().to_owned()
    } else {
        kb.embedding_model.clone()
    };
    let mut line = fill(
        lang.t(Key::KbEmbeddingLine),
        &[("provider", kb.embedding_provider.label()), ("model", &model)],
    );
    if let Some(url) = &kb.embedding_base_url {
        line.push_str(" · ");
        line.push_str(url);
    }
    line.push_str(" · ");
    line.push_str(lang.t(if kb.has_api_key {
        Key::EmbeddingKeyStored
    } else {
        Key::EmbeddingNoKey
    }));
    line
}
