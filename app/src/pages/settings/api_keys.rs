//! `/settings/api-keys`: keys for integrators. A new key's secret is shown exactly once, right
//! after creation; the list only ever shows its prefix.

use leptos::{ev::SubmitEvent, html, prelude::*};
use serde::de::IgnoredAny;
use shared::{
    api::{ApiKeyDto, CreateApiKeyRequest, CreatedApiKey, Page},
    i18n::Key,
};

use crate::api::{use_api, ApiFailure};
use crate::auth::use_auth;
use crate::components::copy::copy_to_clipboard;
use crate::components::feedback::page_list;
use crate::components::form::{value_of, FormError, FormErrors, SubmitButton, TextField};
use crate::components::icons::{Icon, IconName};
use crate::components::layout::PageHeader;
use crate::components::toast::use_toasts;
use crate::i18n::{fill, t, use_i18n};
use crate::live::use_live;
use crate::pages::format_date;
use crate::pages::settings::{ConfirmInline, Panel, ReadOnlyNote};

type Keys = LocalResource<Result<Page<ApiKeyDto>, ApiFailure>>;

#[component]
pub fn ApiKeysSettings() -> impl IntoView {
    let api = use_api();
    let auth = use_auth();
    let live = use_live();
    let keys: Keys = LocalResource::new(move || {
        live.api_keys_version();
        async move { api.get::<Page<ApiKeyDto>>("/api-keys").await }
    });
    let reload = Callback::new(move |_: ()| keys.refetch());
    let created = RwSignal::new(None::<CreatedApiKey>);
    let manager = move || auth.session().map(|s| s.can_manage_team()).unwrap_or(false);

    view! {
        <PageHeader title=Key::ApiKeysTitle subtitle=Key::ApiKeysSubtitle/>
        <div class="space-y-6">
            {move || created.get().map(|key| view! { <NewKeyBox key created/> })}
            {move || {
                if manager() {
                    view! { <CreateKeyForm created reload/> }.into_any()
                } else {
                    view! { <ReadOnlyNote key=Key::ApiKeysReadOnly/> }.into_any()
                }
            }}
            <Panel title=Key::ApiKeysTitle testid="api-keys-panel">
                <KeyList keys reload/>
            </Panel>
        </div>
    }
    .into_any()
}

#[component]
fn CreateKeyForm(created: RwSignal<Option<CreatedApiKey>>, reload: Callback<()>) -> impl IntoView {
    let api = use_api();
    let toasts = use_toasts();
    let name_ref = NodeRef::<html::Input>::new();
    let errors = FormErrors::new(&["name"]);
    let busy = RwSignal::new(false);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        errors.clear();
        let name = value_of(name_ref);
        if name.is_empty() {
            return errors.field("name", Key::FieldRequired);
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result =
                api.post::<_, CreatedApiKey>("/api-keys", &CreateApiKeyRequest { name }).await;
            busy.set(false);
            match result {
                Ok(key) => {
                    if let Some(input) = name_ref.get_untracked() {
                        input.set_value("");
                    }
                    created.set(Some(key));
                    toasts.success(Key::ApiKeyCreated);
                    reload.run(());
                }
                Err(failure) => errors.api(&failure),
            }
        });
    };

    view! {
        <section class="card px-5 py-5 sm:px-6">
            <form class="flex flex-col gap-4 sm:flex-row sm:items-start" novalidate data-testid="api-key-form" on:submit=on_submit>
                <div class="flex-1">
                    <TextField
                        id="api-key-name"
                        label=Key::ApiKeyName
                        placeholder=Key::ApiKeyNamePlaceholder
                        autocomplete="off"
                        node_ref=name_ref
                        errors
                        field="name"
                        testid="api-key-name"
                    />
                </div>
                <div class="sm:pt-7">
                    <SubmitButton label=Key::CreateApiKey busy testid="api-key-submit" class="btn btn-primary w-full sm:w-auto"/>
                </div>
            </form>
            <div class="mt-3">
                <FormError errors testid="api-key-error"/>
            </div>
        </section>
    }
    .into_any()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CopyState {
    Idle,
    Copied,
    Failed,
}

/// The one-time display of a new key's secret.
#[component]
fn NewKeyBox(key: CreatedApiKey, created: RwSignal<Option<CreatedApiKey>>) -> impl IntoView {
    let i18n = use_i18n();
    let copy_state = RwSignal::new(CopyState::Idle);
    let secret = key.key.clone();
    let copy = move |_| {
        let secret = secret.clone();
        leptos::task::spawn_local(async move {
            let ok = copy_to_clipboard(&secret).await;
            copy_state.set(if ok { CopyState::Copied } else { CopyState::Failed });
        });
    };
    view! {
        <section
            class="rounded-xl border border-amber-300 bg-amber-50 p-5 shadow-sm sm:p-6"
            data-testid="new-api-key"
            aria-labelledby="new-key-title"
        >
            <div class="flex items-start gap-3">
                <Icon icon=IconName::Key class="mt-0.5 size-5 shrink-0 text-amber-600"/>
                <div class="min-w-0 flex-1">
                    <h2 id="new-key-title" class="font-semibold text-amber-950">
                        {t(Key::NewKeyTitle)} " · " {key.name.clone()}
                    </h2>
                    <p class="mt-1 text-sm text-amber-900">{t(Key::NewKeyWarning)}</p>
                    <div class="mt-4 flex flex-col gap-2 sm:flex-row sm:items-stretch">
                        <code
                            class="block min-w-0 flex-1 select-all break-all rounded-lg bg-white px-3 py-2.5 font-mono text-sm text-slate-900 ring-1 ring-amber-200"
                            data-testid="api-key-secret"
                        >
                            {key.key.clone()}
                        </code>
                        <button type="button" class="btn btn-primary" data-testid="api-key-copy" on:click=copy>
                            <Icon icon=IconName::Copy class="size-4"/>
                            <span>
                                {move || {
                                    let copied = copy_state.get() == CopyState::Copied;
                                    i18n.lang().t(if copied { Key::Copied } else { Key::Copy })
                                }}
                            </span>
                        </button>
                    </div>
                    {move || {
                        (copy_state.get() == CopyState::Failed)
                            .then(|| view! { <p class="field-error mt-2">{t(Key::CopyFailed)}</p> })
                    }}
                    <button
                        type="button"
                        class="btn btn-secondary btn-sm mt-4"
                        data-testid="api-key-dismiss"
                        on:click=move |_| created.set(None)
                    >
                        {t(Key::NewKeySaved)}
                    </button>
                </div>
            </div>
        </section>
    }
    .into_any()
}

#[component]
fn KeyList(keys: Keys, reload: Callback<()>) -> impl IntoView {
    let auth = use_auth();
    page_list(keys, Key::NoApiKeys, "no-api-keys", move |key| {
        let manager = auth.session().map(|s| s.can_manage_team()).unwrap_or(false);
        view! { <KeyRow key manager reload/> }
    })
}

#[component]
fn KeyRow(key: ApiKeyDto, manager: bool, reload: Callback<()>) -> impl IntoView {
    let api = use_api();
    let toasts = use_toasts();
    let i18n = use_i18n();
    let confirming = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let id = key.id;
    let created_on = format_date(&key.created_at);
    let last_used = key.last_used_at.as_ref().map(format_date);

    let revoke = Callback::new(move |_: ()| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = api.delete::<IgnoredAny>(&format!("/api-keys/{id}")).await;
            busy.set(false);
            match result {
                Ok(_) => toasts.success(Key::ApiKeyRevoked),
                Err(failure) => toasts.error(failure.key()),
            }
            confirming.set(false);
            reload.run(());
        });
    });
    let question = {
        let name = key.name.clone();
        Signal::derive(move || fill(i18n.lang().t(Key::ConfirmRevokeKey), &[("name", &name)]))
    };

    view! {
        <li class="flex flex-wrap items-center gap-x-4 gap-y-3 py-3" data-testid="api-key-row" data-name=key.name.clone()>
            <span class="grid size-10 shrink-0 place-items-center rounded-lg bg-slate-100 text-slate-500" aria-hidden="true">
                <Icon icon=IconName::Key class="size-5"/>
            </span>
            <div class="min-w-0 flex-1 basis-40">
                <p class="break-words text-sm font-medium text-slate-900">{key.name.clone()}</p>
                <p class="font-mono text-xs text-slate-600">{format!("{}…", key.prefix)}</p>
                <p class="text-xs text-slate-500">
                    {move || {
                        let lang = i18n.lang();
                        let created = fill(lang.t(Key::KeyCreatedOn), &[("date", &created_on)]);
                        let used = match &last_used {
                            Some(date) => fill(lang.t(Key::KeyLastUsed), &[("date", date)]),
                            None => lang.t(Key::KeyNeverUsed).to_owned(),
                        };
                        format!("{created} · {used}")
                    }}
                </p>
            </div>
            {manager
                .then(|| {
                    view! {
                        <button
                            type="button"
                            class="btn btn-secondary btn-sm text-red-600 hover:text-red-700"
                            data-testid="api-key-revoke"
                            disabled=move || busy.get() || confirming.get()
                            on:click=move |_| confirming.set(true)
                        >
                            {t(Key::Revoke)}
                        </button>
                    }
                })}
            <Show when=move || confirming.get()>
                <ConfirmInline
                    question
                    confirm_label=Key::Revoke
                    busy
                    on_confirm=revoke
                    on_cancel=Callback::new(move |_| confirming.set(false))
                />
            </Show>
        </li>
    }
    .into_any()
}
