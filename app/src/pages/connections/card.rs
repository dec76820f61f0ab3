//! One connection: what Meta last said about it, its callback URL, and its actions.

use leptos::prelude::*;
use serde::de::IgnoredAny;
use shared::{
    ai::PersonaDto,
    api::{
        ConnectionDto, ConnectionKind, ConnectionStatus, ConnectionTestResult,
        UpdateConnectionRequest,
    },
    i18n::Key,
};
use uuid::Uuid;

use super::{form::ConnectionForm, FormTarget, SetupSteps};
use crate::api::use_api;
use crate::components::copy::CopyButton;
use crate::components::feedback::ConfirmInline;
use crate::components::icons::{Icon, IconName};
use crate::components::toast::use_toasts;
use crate::i18n::{fill, t, use_i18n};
use crate::pages::format_local_datetime;

/// What the last press of "Test connection" on this card found.
#[derive(Debug, Clone, PartialEq)]
enum TestOutcome {
    Ok {
        name: String,
        phone: String,
    },
    Refused(String),
    /// The request itself failed (network, role): our own translated message.
    Failed(Key),
}

pub fn kind_key(kind: ConnectionKind) -> Key {
    match kind {
        ConnectionKind::WhatsappCloud => Key::KindWhatsappCloud,
    }
}

fn status_key(status: ConnectionStatus) -> (Key, &'static str) {
    match status {
        ConnectionStatus::Pending => {
            (Key::ConnStatusPending, "bg-slate-100 text-slate-700 ring-slate-200")
        }
        ConnectionStatus::Connected => {
            (Key::ConnStatusConnected, "bg-emerald-50 text-emerald-700 ring-emerald-200")
        }
        ConnectionStatus::Error => (Key::ConnStatusError, "bg-red-50 text-red-700 ring-red-200"),
    }
}

/// Meta's quality rating as a coloured dot and words.
pub fn quality(rating: &str) -> (Key, &'static str) {
    match rating.to_ascii_uppercase().as_str() {
        "GREEN" => (Key::QualityGreen, "bg-emerald-500"),
        "YELLOW" => (Key::QualityYellow, "bg-amber-400"),
        "RED" => (Key::QualityRed, "bg-red-500"),
        _ => (Key::QualityUnknown, "bg-slate-300"),
    }
}

#[component]
pub fn ConnectionCard(
    id: Uuid,
    rows: RwSignal<Vec<ConnectionDto>>,
    personas: RwSignal<Vec<PersonaDto>>,
    form: RwSignal<Option<FormTarget>>,
    manager: Signal<bool>,
    on_updated: Callback<ConnectionDto>,
    on_deleted: Callback<Uuid>,
) -> impl IntoView {
    let api = use_api();
    let toasts = use_toasts();
    let i18n = use_i18n();
    let connection =
        Memo::new(move |_| rows.with(|rows| rows.iter().find(|c| c.id == id).cloned()));
    let testing = RwSignal::new(false);
    let outcome = RwSignal::new(None::<TestOutcome>);
    let confirming = RwSignal::new(false);
    let deleting = RwSignal::new(false);
    let editing = Memo::new(move |_| form.get() == Some(FormTarget::Edit(id)));

    let test = move |_| {
        if testing.get_untracked() {
            return;
        }
        testing.set(true);
        outcome.set(None);
        leptos::task::spawn_local(async move {
            let result =
                api.post_empty::<ConnectionTestResult>(&format!("/connections/{id}/test")).await;
            testing.try_set(false);
            let found = match result {
                Ok(result) => {
                    let found = if result.ok {
                        TestOutcome::Ok {
                            name: result.connection.verified_name.clone().unwrap_or_default(),
                            phone: result
                                .connection
                                .display_phone_number
                                .clone()
                                .unwrap_or_default(),
                        }
                    } else {
                        TestOutcome::Refused(
                            result
                                .error
                                .clone()
                                .or_else(|| result.connection.last_error.clone())
                                .unwrap_or_default(),
                        )
                    };
                    on_updated.run(result.connection);
                    found
                }
                Err(failure) => TestOutcome::Failed(failure.key()),
            };
            outcome.try_set(Some(found));
        });
    };

    let delete = Callback::new(move |_: ()| {
        deleting.set(true);
        leptos::task::spawn_local(async move {
            let result = api.delete::<IgnoredAny>(&format!("/connections/{id}")).await;
            deleting.try_set(false);
            match result {
                Ok(_) => {
                    toasts.success(Key::ConnectionDeleted);
                    on_deleted.run(id);
                }
                Err(failure) => {
                    confirming.try_set(false);
                    toasts.error(failure.key());
                }
            }
        });
    });

    let on_saved = Callback::new(move |saved: ConnectionDto| {
        form.set(None);
        toasts.success(Key::ConnectionSaved);
        on_updated.run(saved);
    });

    let question = Signal::derive(move || {
        let name = connection.with(|c| c.as_ref().map(|c| c.name.clone()).unwrap_or_default());
        fill(i18n.lang().t(Key::ConfirmDeleteConnection), &[("name", &name)])
    });
    let field = move |read: fn(&ConnectionDto) -> String| {
        move || connection.with(|c| c.as_ref().map(read).unwrap_or_default())
    };
    let actions = move || {
        view! {
            <div class="flex w-full flex-wrap gap-2 sm:w-auto">
                <a
                    href=format!("/connections/{id}/templates")
                    class="btn btn-secondary btn-sm"
                    data-testid="connection-templates"
                >
                    <Icon icon=IconName::Megaphone class="size-4"/>
                    <span>{t(Key::Templates)}</span>
                </a>
            <Show when=move || manager.get() && !editing.get()>
                <div class="contents">
                    <button
                        type="button"
                        class="btn btn-primary btn-sm"
                        data-testid="connection-test"
                        disabled=move || testing.get()
                        aria-busy=move || testing.get().then_some("true")
                        on:click=test
                    >
                        {move || {
                            if testing.get() {
                                view! { <span class="spinner" aria-hidden="true"></span> }.into_any()
                            } else {
                                view! { <Icon icon=IconName::Refresh class="size-4"/> }.into_any()
                            }
                        }}
                        <span>{t(Key::TestConnection)}</span>
                    </button>
                    <button
                        type="button"
                        class="btn btn-secondary btn-sm"
                        data-testid="connection-edit"
                        on:click=move |_| form.set(Some(FormTarget::Edit(id)))
                    >
                        {t(Key::Edit)}
                    </button>
                    <button
                        type="button"
                        class="btn btn-secondary btn-sm text-red-600 hover:text-red-700"
                        data-testid="connection-delete"
                        disabled=move || confirming.get() || deleting.get()
                        on:click=move |_| confirming.set(true)
                    >
                        {t(Key::Delete)}
                    </button>
                </div>
            </Show>
            </div>
        }
        .into_any()
    };

    view! {
        <li
            class="card px-5 py-5 sm:px-6"
            data-testid="connection-card"
            data-name=field(|c| c.name.clone())
            data-status=field(|c| c.status.as_str().to_owned())
        >
            {move || connection.get().map(|c| view! { <Summary c actions=actions()/> })}
            <PersonaPicker id connection personas manager on_updated/>
            {move || outcome.get().map(|found| view! { <TestResult found/> })}
            <Show when=move || confirming.get()>
                <div class="mt-3">
                    <ConfirmInline
                        question
                        confirm_label=Key::Delete
                        busy=deleting
                        on_confirm=delete
                        on_cancel=Callback::new(move |_| confirming.set(false))
                        confirm_testid="connection-delete-confirm"
                    />
                </div>
            </Show>
            // Only re-rendered when the form opens or closes: a refresh meanwhile (a colleague's
            // change) does not wipe what is being typed.
            {move || {
                editing
                    .get()
                    .then(|| {
                        let existing = connection.get_untracked();
                        let name = existing.as_ref().map(|c| c.name.clone()).unwrap_or_default();
                        view! {
                            <div class="mt-5 border-t border-slate-100 pt-5" data-testid="connection-edit-form">
                                <h3 class="mb-4 font-semibold text-slate-900">
                                    {move || fill(i18n.lang().t(Key::EditConnectionTitle), &[("name", &name)])}
                                </h3>
                                <ConnectionForm
                                    existing
                                    on_created=Callback::new(|_| {})
                                    on_updated=on_saved
                                    on_cancel=Callback::new(move |_| form.set(None))
                                />
                            </div>
                        }
                    })
            }}
            {move || {
                let url = field(|c| c.webhook_url.clone())();
                let copy_url = url.clone();
                view! {
                    <div class="mt-4 flex flex-col gap-2 sm:flex-row sm:items-center">
                        <p class="shrink-0 text-xs font-semibold tracking-wide text-slate-500 uppercase">
                            {t(Key::CallbackUrl)}
                        </p>
                        <code
                            class="block min-w-0 flex-1 select-all break-all rounded-md bg-slate-50 px-2.5 py-1.5 font-mono text-xs text-slate-800 ring-1 ring-slate-200"
                            data-testid="connection-webhook-url"
                        >
                            {url.clone()}
                        </code>
                        <CopyButton text=Signal::derive(move || copy_url.clone()) testid="connection-webhook-copy"/>
                    </div>
                    <details class="group mt-3 text-slate-700">
                        <summary class="inline-flex cursor-pointer list-none items-center gap-1 rounded text-sm font-medium text-brand-600 hover:text-brand-500">
                            <Icon icon=IconName::ChevronRight class="size-4 transition-transform group-open:rotate-90"/>
                            {t(Key::ShowSetup)}
                        </summary>
                        <div class="mt-3 rounded-lg bg-slate-50 p-4">
                            <SetupSteps webhook_url=url in_card=true/>
                        </div>
                    </details>
                }
            }}
        </li>
    }
    .into_any()
}

/// Which AI persona answers new conversations on this number; managers change it here (it
/// saves at once), agents see it.
#[component]
fn PersonaPicker(
    id: Uuid,
    connection: Memo<Option<ConnectionDto>>,
    personas: RwSignal<Vec<PersonaDto>>,
    manager: Signal<bool>,
    on_updated: Callback<ConnectionDto>,
) -> impl IntoView {
    let api = use_api();
    let toasts = use_toasts();
    let busy = RwSignal::new(false);
    let current =
        Memo::new(move |_| connection.with(|c| c.as_ref().and_then(|c| c.default_persona_id)));
    let on_change = move |ev: leptos::ev::Event| {
        let chosen = event_target_value(&ev).parse::<Uuid>().ok();
        if chosen == current.get_untracked() {
            return;
        }
        busy.set(true);
        let name = chosen.and_then(|id| {
            personas.with_untracked(|list| list.iter().find(|p| p.id == id).map(|p| p.name.clone()))
        });
        leptos::task::spawn_local(async move {
            let request = UpdateConnectionRequest {
                name: None,
                phone_number_id: None,
                waba_id: None,
                access_token: None,
                app_secret: None,
                verify_token: None,
                default_persona_id: Some(chosen),
            };
            let result =
                api.patch::<_, ConnectionDto>(&format!("/connections/{id}"), &request).await;
            busy.try_set(false);
            match result {
                Ok(saved) => {
                    match name {
                        Some(name) => {
                            toasts.success_with(Key::ConnectionPersonaSaved, vec![("name", name)])
                        }
                        None => toasts.success(Key::ConnectionPersonaCleared),
                    }
                    on_updated.run(saved);
                }
                Err(failure) => toasts.error(failure.key()),
            }
        });
    };
    let select_id = format!("connection-persona-{id}");
    view! {
        <div class="mt-4 flex flex-col gap-1.5 border-t border-slate-100 pt-4 sm:flex-row sm:items-center sm:gap-3">
            <label for=select_id.clone() class="flex shrink-0 items-center gap-1.5 text-sm font-medium text-slate-700">
                <Icon icon=IconName::Sparkles class="size-4 text-violet-600"/>
                {t(Key::ConnectionPersona)}
            </label>
            <select
                id=select_id
                class="input h-9 w-full py-0 text-sm sm:w-64"
                data-testid="connection-persona"
                disabled=move || busy.get() || !manager.get()
                prop:value=move || current.get().map(|id| id.to_string()).unwrap_or_default()
                on:change=on_change
            >
                <option value="">{t(Key::ConnectionPersonaNone)}</option>
                {move || {
                    personas
                        .get()
                        .into_iter()
                        .filter(|p| p.enabled || current.get() == Some(p.id))
                        .map(|p| {
                            let selected = current.get() == Some(p.id);
                            view! { <option value=p.id.to_string() selected=selected>{p.name}</option> }
                        })
                        .collect_view()
                }}
            </select>
        </div>
    }
    .into_any()
}

/// Name, status, what Meta said at the last check, and the actions.
#[component]
fn Summary(c: ConnectionDto, actions: AnyView) -> impl IntoView {
    let i18n = use_i18n();
    let (status_label, status_class) = status_key(c.status);
    let checked = c.last_checked_at.as_ref().map(format_local_datetime);
    let meta_identity = match (&c.verified_name, &c.display_phone_number) {
        (None, None) => None,
        (name, phone) => Some(
            [name.clone(), phone.clone()].into_iter().flatten().collect::<Vec<_>>().join(" · "),
        ),
    };
    let ids = {
        let (phone_id, waba_id) = (c.phone_number_id.clone(), c.waba_id.clone());
        move || {
            let lang = i18n.lang();
            let mut parts = vec![lang.t(kind_key(c.kind)).to_owned()];
            if let Some(id) = &phone_id {
                parts.push(fill(lang.t(Key::PhoneNumberIdShort), &[("id", id)]));
            }
            if let Some(id) = &waba_id {
                parts.push(fill(lang.t(Key::WabaIdShort), &[("id", id)]));
            }
            parts.join(" · ")
        }
    };
    view! {
        <div class="flex flex-wrap items-start gap-x-4 gap-y-3">
            <span class="grid size-10 shrink-0 place-items-center rounded-lg bg-emerald-50 text-emerald-600 ring-1 ring-emerald-100" aria-hidden="true">
                <Icon icon=IconName::Chat class="size-5"/>
            </span>
            <div class="min-w-0 flex-1 basis-48">
                <div class="flex flex-wrap items-center gap-2">
                    <h2 class="break-words font-semibold text-slate-900" data-testid="connection-name">
                        {c.name.clone()}
                    </h2>
                    <span
                        class=format!("badge ring-1 ring-inset {status_class}")
                        data-testid="connection-status"
                        data-status=c.status.as_str()
                    >
                        {t(status_label)}
                    </span>
                </div>
                <p class="mt-0.5 break-words text-xs text-slate-500">{ids}</p>
                {meta_identity
                    .map(|identity| {
                        view! {
                            <p class="mt-2 break-words text-sm text-slate-800" data-testid="connection-verified-name">
                                {identity}
                            </p>
                        }
                    })}
                {c.quality_rating
                    .clone()
                    .map(|rating| {
                        let (label, dot) = quality(&rating);
                        view! {
                            <p class="mt-1 flex items-center gap-2 text-xs text-slate-600" data-testid="connection-quality" data-quality=rating.clone()>
                                <span class=format!("inline-block size-2.5 rounded-full {dot}") aria-hidden="true"></span>
                                {t(label)}
                            </p>
                        }
                    })}
                <p class="mt-1 text-xs text-slate-500" data-testid="connection-checked">
                    {move || match &checked {
                        Some(when) => fill(i18n.lang().t(Key::LastChecked), &[("when", when)]),
                        None => i18n.lang().t(Key::NeverChecked).to_owned(),
                    }}
                </p>
            </div>
            {actions}
        </div>
        {c.last_error
            .clone()
            .filter(|_| c.status == ConnectionStatus::Error)
            .map(|error| {
                view! {
                    <p class="mt-3 flex items-start gap-2 rounded-lg bg-red-50 px-3 py-2 text-sm text-red-800" data-testid="connection-last-error">
                        <Icon icon=IconName::Warning class="mt-0.5 size-4 shrink-0"/>
                        <span class="min-w-0 break-words">{error}</span>
                    </p>
                }
            })}
    }
    .into_any()
}

#[component]
fn TestResult(found: TestOutcome) -> impl IntoView {
    let i18n = use_i18n();
    match found {
        TestOutcome::Ok { name, phone } => view! {
            <p class="alert alert-success mt-3" role="status" data-testid="connection-test-result" data-ok="true">
                <Icon icon=IconName::Check class="mt-0.5 size-5 shrink-0"/>
                <span class="min-w-0 break-words">
                    {move || fill(i18n.lang().t(Key::TestOk), &[("name", &name), ("phone", &phone)])}
                </span>
            </p>
        }
        .into_any(),
        TestOutcome::Refused(error) => view! {
            <div class="alert alert-error mt-3" role="alert" data-testid="connection-test-result" data-ok="false">
                <Icon icon=IconName::Warning class="mt-0.5 size-5 shrink-0"/>
                <div class="min-w-0 break-words">
                    <p class="font-medium">{t(Key::TestFailed)}</p>
                    <p>{error}</p>
                </div>
            </div>
        }
        .into_any(),
        TestOutcome::Failed(key) => view! {
            <p class="alert alert-error mt-3" role="alert" data-testid="connection-test-result" data-ok="false">
                <Icon icon=IconName::Warning class="mt-0.5 size-5 shrink-0"/>
                <span>{t(key)}</span>
            </p>
        }
        .into_any(),
    }
}
