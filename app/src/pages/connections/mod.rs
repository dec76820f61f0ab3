//! `/connections`: the company's channels. Owners and admins add a WhatsApp Cloud API number,
//! see the callback URL to paste into Meta's dashboard, test it, edit it and remove it; agents
//! see the same list read-only.
//!
//! The rows live in a signal and each card is keyed by the connection's id, reading its own row
//! from it: a refresh (our own change, or `connections.changed` from a colleague) updates the
//! cards in place and keeps what a card is doing (a test result, an open confirmation).

mod card;
mod form;
pub mod templates;

use leptos::prelude::*;
use shared::{ai::PersonaDto, api::ConnectionDto, i18n::Key};
use uuid::Uuid;

use crate::api::{use_api, Api};
use crate::auth::use_auth;
use crate::components::copy::CopyButton;
use crate::components::feedback::{set_if_changed, ListError, ListLoading};
use crate::components::icons::{Icon, IconName};
use crate::components::layout::PageTitle;
use crate::components::toast::use_toasts;
use crate::hydration::use_hydrated;
use crate::i18n::t;
use crate::live::use_live;
use crate::pages::settings::ReadOnlyNote;

use card::ConnectionCard;
use form::ConnectionForm;

/// Which form is open: at most one, so input ids stay unique on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FormTarget {
    New,
    Edit(Uuid),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ListState {
    Loading,
    Ready,
    Failed(Key),
}

/// The connections on screen.
#[derive(Clone, Copy)]
struct ConnectionList {
    rows: RwSignal<Vec<ConnectionDto>>,
    state: RwSignal<ListState>,
    ticket: StoredValue<u64>,
}

impl ConnectionList {
    fn new() -> Self {
        ConnectionList {
            rows: RwSignal::new(Vec::new()),
            state: RwSignal::new(ListState::Loading),
            ticket: StoredValue::new(0),
        }
    }

    /// Fetches the list; an answer overtaken by a newer request is dropped.
    fn load(self, api: Api) {
        let Some(ticket) = self.ticket.try_update_value(|n| {
            *n += 1;
            *n
        }) else {
            return;
        };
        if matches!(self.state.get_untracked(), ListState::Failed(_)) {
            self.state.set(ListState::Loading);
        }
        leptos::task::spawn_local(async move {
            let result = api.get::<Vec<ConnectionDto>>("/connections").await;
            if self.ticket.try_get_value() != Some(ticket) {
                return;
            }
            match result {
                Ok(rows) => {
                    self.rows.try_set(rows);
                    set_if_changed(self.state, ListState::Ready);
                }
                Err(failure) => {
                    set_if_changed(self.state, ListState::Failed(failure.key()));
                }
            }
        });
    }

    /// Puts what the server just answered into the list, without waiting for the refetch.
    fn upsert(self, connection: ConnectionDto) {
        self.rows.update(|rows| match rows.iter_mut().find(|row| row.id == connection.id) {
            Some(row) => *row = connection,
            None => rows.push(connection),
        });
    }

    fn remove(self, id: Uuid) {
        self.rows.update(|rows| rows.retain(|row| row.id != id));
    }
}

/// What the person needs right after adding a connection: the callback URL and the verify token
/// they typed, to paste into Meta's dashboard.
#[derive(Debug, Clone, PartialEq)]
struct JustCreated {
    connection: ConnectionDto,
    verify_token: String,
}

#[component]
pub fn ConnectionsPage() -> impl IntoView {
    let api = use_api();
    let auth = use_auth();
    let live = use_live();
    let toasts = use_toasts();
    let hydrated = use_hydrated();
    let list = ConnectionList::new();
    let form = RwSignal::new(None::<FormTarget>);
    let created = RwSignal::new(None::<JustCreated>);
    let manager =
        Signal::derive(move || auth.session().map(|s| s.can_manage_team()).unwrap_or(false));

    Effect::new(move |_| {
        live.connections_version();
        list.load(api);
    });
    // For the "AI answers new conversations" menu of each card.
    let personas = RwSignal::new(Vec::<PersonaDto>::new());
    Effect::new(move |_| {
        live.personas_version();
        leptos::task::spawn_local(async move {
            if let Ok(found) = api.get::<Vec<PersonaDto>>("/personas").await {
                personas.try_set(found);
            }
        });
    });

    let on_created = Callback::new(move |(connection, verify_token): (ConnectionDto, String)| {
        form.set(None);
        toasts.success(Key::ConnectionCreated);
        list.upsert(connection.clone());
        created.set(Some(JustCreated { connection, verify_token }));
    });
    let on_updated = Callback::new(move |connection: ConnectionDto| list.upsert(connection));
    let on_deleted = Callback::new(move |id: Uuid| {
        list.remove(id);
        if created.with_untracked(|c| c.as_ref().is_some_and(|c| c.connection.id == id)) {
            created.set(None);
        }
    });
    let close_form = Callback::new(move |_: ()| form.set(None));

    view! {
        <PageTitle key=Key::NavConnections/>
        <div class="mb-6 flex flex-wrap items-end justify-between gap-4">
            <div class="min-w-0">
                <h1 class="text-2xl font-semibold tracking-tight text-slate-900">
                    {t(Key::NavConnections)}
                </h1>
                <p class="mt-1.5 max-w-2xl text-sm leading-6 text-slate-600">
                    {t(Key::ConnectionsSubtitle)}
                </p>
            </div>
            <Show when=move || manager.get()>
                <button
                    type="button"
                    class="btn btn-primary"
                    data-testid="connection-add"
                    disabled=move || !hydrated.get() || form.get() == Some(FormTarget::New)
                    on:click=move |_| {
                        created.set(None);
                        form.set(Some(FormTarget::New));
                    }
                >
                    <Icon icon=IconName::Plus class="size-5"/>
                    <span>{t(Key::AddConnection)}</span>
                </button>
            </Show>
        </div>
        <div class="space-y-6">
            <Show when=move || !manager.get()>
                <ReadOnlyNote key=Key::ConnectionsReadOnly/>
            </Show>
            <Show when=move || form.get() == Some(FormTarget::New)>
                <section class="card px-5 py-5 sm:px-6" data-testid="connection-new">
                    <h2 class="font-semibold text-slate-900">{t(Key::NewConnectionTitle)}</h2>
                    <p class="mt-1 text-sm leading-6 text-slate-600">{t(Key::NewConnectionHint)}</p>
                    <div class="mt-5">
                        <ConnectionForm
                            existing=None
                            on_created
                            on_updated
                            on_cancel=close_form
                        />
                    </div>
                </section>
            </Show>
            {move || {
                created
                    .get()
                    .map(|just| {
                        view! { <SetupBox just on_dismiss=Callback::new(move |_| created.set(None))/> }
                    })
            }}
            <ListBody list personas form manager on_updated on_deleted/>
        </div>
    }
    .into_any()
}

#[component]
fn ListBody(
    list: ConnectionList,
    personas: RwSignal<Vec<PersonaDto>>,
    form: RwSignal<Option<FormTarget>>,
    manager: Signal<bool>,
    on_updated: Callback<ConnectionDto>,
    on_deleted: Callback<Uuid>,
) -> impl IntoView {
    let api = use_api();
    let hydrated = use_hydrated();
    let empty = Memo::new(move |_| list.rows.with(Vec::is_empty));
    let ids =
        Memo::new(move |_| list.rows.with(|rows| rows.iter().map(|r| r.id).collect::<Vec<_>>()));
    move || {
        match list.state.get() {
        ListState::Loading => view! { <ListLoading/> }.into_any(),
        ListState::Failed(key) => {
            view! { <ListError key retry=Callback::new(move |_| list.load(api))/> }.into_any()
        }
        ListState::Ready if empty.get() => view! {
            <section class="card flex flex-col items-center px-6 py-12 text-center" data-testid="connections-empty">
                <div class="grid size-12 place-items-center rounded-2xl bg-emerald-50 text-emerald-600 ring-1 ring-emerald-100">
                    <Icon icon=IconName::Link class="size-6"/>
                </div>
                <h2 class="mt-4 font-semibold text-slate-900">{t(Key::NoConnections)}</h2>
                <p class="mt-1.5 max-w-md text-sm leading-6 text-slate-600">{t(Key::NoConnectionsHint)}</p>
                <Show when=move || manager.get() && form.get().is_none()>
                    <button
                        type="button"
                        class="btn btn-primary mt-5"
                        disabled=move || !hydrated.get()
                        on:click=move |_| form.set(Some(FormTarget::New))
                    >
                        <Icon icon=IconName::Plus class="size-5"/>
                        <span>{t(Key::AddConnection)}</span>
                    </button>
                </Show>
            </section>
        }
        .into_any(),
        ListState::Ready => view! {
            <ul role="list" class="space-y-4" data-testid="connections-list">
                <For each=move || ids.get() key=|id| *id let:id>
                    <ConnectionCard id rows=list.rows personas form manager on_updated on_deleted/>
                </For>
            </ul>
        }
        .into_any(),
    }
    }
}

/// The steps in Meta's dashboard, with the values to paste.
#[component]
fn SetupSteps(
    webhook_url: String,
    #[prop(optional)] verify_token: Option<String>,
    /// Inside a connection's card (its own test ids, apart from the box after adding one).
    #[prop(optional)]
    in_card: bool,
) -> impl IntoView {
    let url = webhook_url.clone();
    let (url_testid, copy_testid) = if in_card {
        ("card-setup-webhook-url", "card-setup-webhook-copy")
    } else {
        ("setup-webhook-url", "setup-webhook-copy")
    };
    view! {
        <div class="space-y-4">
            <p class="text-sm leading-6">{t(Key::SetupIntro)}</p>
            <ol class="list-decimal space-y-1.5 pl-5 text-sm leading-6">
                <li>{t(Key::SetupStep1)}</li>
                <li>{t(Key::SetupStep2)}</li>
                <li>{t(Key::SetupStep3)}</li>
                <li>{t(Key::SetupStep4)}</li>
            </ol>
            <CopyValue label=Key::CallbackUrl value=url testid=url_testid copy_testid/>
            {verify_token
                .map(|token| {
                    view! {
                        <CopyValue label=Key::VerifyToken value=token testid="setup-verify-token" copy_testid="setup-verify-copy"/>
                        <p class="text-xs leading-5">{t(Key::SetupVerifyTokenNote)}</p>
                    }
                })}
        </div>
    }
    .into_any()
}

/// A labelled value in a code box with its copy button; long values wrap rather than scroll.
#[component]
fn CopyValue(
    label: Key,
    value: String,
    testid: &'static str,
    copy_testid: &'static str,
) -> impl IntoView {
    let copied = value.clone();
    view! {
        <div>
            <p class="text-xs font-semibold tracking-wide uppercase opacity-80">{t(label)}</p>
            <div class="mt-1 flex flex-col gap-2 sm:flex-row sm:items-stretch">
                <code
                    class="block min-w-0 flex-1 select-all break-all rounded-lg bg-white px-3 py-2 font-mono text-sm text-slate-900 ring-1 ring-slate-200"
                    data-testid=testid
                >
                    {value}
                </code>
                <CopyButton text=Signal::derive(move || copied.clone()) testid=copy_testid class="btn btn-secondary"/>
            </div>
        </div>
    }
    .into_any()
}

/// Shown once after adding a connection: where to paste what in Meta's dashboard.
#[component]
fn SetupBox(just: JustCreated, on_dismiss: Callback<()>) -> impl IntoView {
    view! {
        <section
            class="rounded-xl border border-emerald-300 bg-emerald-50 p-5 text-emerald-950 shadow-sm sm:p-6"
            data-testid="connection-setup"
            aria-labelledby="connection-setup-title"
        >
            <div class="flex items-start gap-3">
                <Icon icon=IconName::Link class="mt-0.5 size-5 shrink-0 text-emerald-600"/>
                <div class="min-w-0 flex-1">
                    <h2 id="connection-setup-title" class="font-semibold">
                        {t(Key::SetupTitle)} " · " {just.connection.name.clone()}
                    </h2>
                    <div class="mt-3">
                        <SetupSteps webhook_url=just.connection.webhook_url.clone() verify_token=just.verify_token.clone()/>
                    </div>
                    <button
                        type="button"
                        class="btn btn-secondary btn-sm mt-4"
                        data-testid="connection-setup-dismiss"
                        on:click=move |_| on_dismiss.run(())
                    >
                        {t(Key::StepDone)}
                    </button>
                </div>
            </div>
        </section>
    }
    .into_any()
}
