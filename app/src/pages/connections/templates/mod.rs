//! `/connections/{id}/templates`: a WhatsApp number's message templates as Meta last reported
//! them. Anyone on the team syncs them from Meta and previews one with its variables filled in;
//! owners and admins submit new ones for Meta's review.
//!
//! The list refetches on `templates.changed` (a colleague's sync, the hourly sync, Meta's review
//! result arriving by webhook), so a template moves from "In review" to "Approved" on screen.

mod form;
pub mod preview;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use shared::{
    api::{ConnectionDto, Page, TemplateDto, TemplateSyncResult},
    i18n::Key,
    ErrorCode,
};
use uuid::Uuid;

use super::card::quality;
use crate::api::{use_api, Api};
use crate::auth::use_auth;
use crate::components::feedback::{set_if_changed, ListError, ListLoading};
use crate::components::form::{Alert, AlertKind};
use crate::components::icons::{Icon, IconName};
use crate::components::layout::PageTitle;
use crate::components::toast::use_toasts;
use crate::hydration::use_hydrated;
use crate::i18n::{fill, t, use_i18n};
use crate::live::use_live;
use crate::pages::settings::ReadOnlyNote;

use form::NewTemplateForm;
use preview::TemplatePreview;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ListState {
    Loading,
    Ready,
    Failed(Key),
}

/// A template's review status in words and colour.
fn status_badge(status: &str) -> (Option<Key>, &'static str) {
    match status.to_ascii_uppercase().as_str() {
        "APPROVED" => (Some(Key::TplApproved), "bg-emerald-50 text-emerald-700 ring-emerald-200"),
        "PENDING" | "IN_APPEAL" | "PENDING_DELETION" => {
            (Some(Key::TplPending), "bg-amber-50 text-amber-800 ring-amber-200")
        }
        "REJECTED" => (Some(Key::TplRejected), "bg-red-50 text-red-700 ring-red-200"),
        "PAUSED" => (Some(Key::TplPaused), "bg-orange-50 text-orange-800 ring-orange-200"),
        "DISABLED" => (Some(Key::TplDisabled), "bg-slate-100 text-slate-700 ring-slate-200"),
        _ => (None, "bg-slate-100 text-slate-700 ring-slate-200"),
    }
}

fn category_key(category: &str) -> Option<Key> {
    match category.to_ascii_uppercase().as_str() {
        "MARKETING" => Some(Key::CategoryMarketing),
        "UTILITY" => Some(Key::CategoryUtility),
        "AUTHENTICATION" => Some(Key::CategoryAuthentication),
        _ => None,
    }
}

/// The page's data: the connection (for its name) and its templates.
#[derive(Clone, Copy)]
struct Templates {
    connection: RwSignal<Option<ConnectionDto>>,
    rows: RwSignal<Vec<TemplateDto>>,
    state: RwSignal<ListState>,
    ticket: StoredValue<u64>,
}

impl Templates {
    fn new() -> Self {
        Templates {
            connection: RwSignal::new(None),
            rows: RwSignal::new(Vec::new()),
            state: RwSignal::new(ListState::Loading),
            ticket: StoredValue::new(0),
        }
    }

    /// Fetches both; an answer overtaken by a newer load is dropped.
    fn load(self, api: Api, id: Option<Uuid>) {
        let Some(id) = id else {
            set_if_changed(self.state, ListState::Failed(Key::ErrNotFound));
            return;
        };
        let Some(ticket) = self.ticket.try_update_value(|n| {
            *n += 1;
            *n
        }) else {
            return;
        };
        leptos::task::spawn_local(async move {
            let (connection_path, templates_path) =
                (format!("/connections/{id}"), format!("/connections/{id}/templates"));
            let (connection, page) = futures::join!(
                api.get::<ConnectionDto>(&connection_path),
                api.get::<Page<TemplateDto>>(&templates_path),
            );
            if self.ticket.try_get_value() != Some(ticket) {
                return;
            }
            match (connection, page) {
                (Ok(connection), Ok(page)) => {
                    self.connection.try_set(Some(connection));
                    self.rows.try_set(page.items);
                    set_if_changed(self.state, ListState::Ready);
                }
                (Err(failure), _) | (_, Err(failure)) => {
                    set_if_changed(self.state, ListState::Failed(failure.key()));
                }
            }
        });
    }
}

#[component]
pub fn TemplatesPage() -> impl IntoView {
    let api = use_api();
    let auth = use_auth();
    let live = use_live();
    let toasts = use_toasts();
    let hydrated = use_hydrated();
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|v| v.parse::<Uuid>().ok())));
    let templates = Templates::new();
    let creating = RwSignal::new(false);
    let syncing = RwSignal::new(false);
    // Meta's refusal of the last sync, in its own words.
    let sync_refused = RwSignal::new(None::<String>);
    let manager =
        Signal::derive(move || auth.session().map(|s| s.can_manage_team()).unwrap_or(false));

    Effect::new(move |_| {
        live.templates_version();
        live.connections_version();
        templates.load(api, id.get());
    });

    let sync = move |_| {
        let Some(connection_id) = id.get_untracked() else {
            return;
        };
        if syncing.get_untracked() {
            return;
        }
        syncing.set(true);
        sync_refused.set(None);
        leptos::task::spawn_local(async move {
            let result = api
                .post_empty::<TemplateSyncResult>(&format!(
                    "/connections/{connection_id}/templates/sync"
                ))
                .await;
            syncing.try_set(false);
            match result {
                Ok(done) => {
                    toasts.success_with(
                        Key::TemplatesSynced,
                        vec![
                            ("synced", done.synced.to_string()),
                            ("removed", done.removed.to_string()),
                        ],
                    );
                    templates.load(api, Some(connection_id));
                }
                Err(failure) if failure.is(ErrorCode::ProviderError) => {
                    sync_refused.try_set(Some(failure.message().unwrap_or_default().to_owned()));
                }
                Err(failure) => toasts.error(failure.key()),
            }
        });
    };

    let on_created = Callback::new(move |created: TemplateDto| {
        creating.set(false);
        toasts.success(Key::TemplateSubmitted);
        templates.rows.update(|rows| {
            rows.retain(|row| row.id != created.id);
            rows.push(created);
            rows.sort_by(|a, b| (&a.name, &a.language).cmp(&(&b.name, &b.language)));
        });
    });

    let connection_name = move || {
        templates.connection.with(|c| c.as_ref().map(|c| c.name.clone()).unwrap_or_default())
    };

    view! {
        <PageTitle key=Key::TemplatesTitle/>
        <a href="/connections" class="link mb-3 inline-flex items-center gap-1 text-sm" data-testid="templates-back">
            <Icon icon=IconName::ArrowLeft class="size-4"/>
            {t(Key::NavConnections)}
        </a>
        <div class="mb-6 flex flex-wrap items-end justify-between gap-4">
            <div class="min-w-0">
                <h1 class="text-2xl font-semibold tracking-tight break-words text-slate-900" data-testid="templates-title">
                    {t(Key::TemplatesTitle)}
                    {move || {
                        let name = connection_name();
                        (!name.is_empty()).then(|| view! { <span class="text-slate-500">" · " {name}</span> })
                    }}
                </h1>
                <p class="mt-1.5 max-w-2xl text-sm leading-6 text-slate-600">{t(Key::TemplatesSubtitle)}</p>
            </div>
            <div class="flex w-full flex-wrap gap-2 sm:w-auto">
                <button
                    type="button"
                    class="btn btn-secondary"
                    data-testid="templates-sync"
                    disabled=move || !hydrated.get() || syncing.get() || id.get().is_none()
                    aria-busy=move || syncing.get().then_some("true")
                    on:click=sync
                >
                    {move || {
                        if syncing.get() {
                            view! { <span class="spinner" aria-hidden="true"></span> }.into_any()
                        } else {
                            view! { <Icon icon=IconName::Refresh class="size-5"/> }.into_any()
                        }
                    }}
                    <span>{t(Key::SyncTemplates)}</span>
                </button>
                <Show when=move || manager.get()>
                    <button
                        type="button"
                        class="btn btn-primary"
                        data-testid="template-new"
                        disabled=move || !hydrated.get() || creating.get() || id.get().is_none()
                        on:click=move |_| creating.set(true)
                    >
                        <Icon icon=IconName::Plus class="size-5"/>
                        <span>{t(Key::NewTemplate)}</span>
                    </button>
                </Show>
            </div>
        </div>
        <div class="space-y-6">
            <Show when=move || !manager.get()>
                <ReadOnlyNote key=Key::TemplatesReadOnly/>
            </Show>
            {move || {
                sync_refused
                    .get()
                    .map(|message| {
                        view! {
                            <Alert kind=AlertKind::Error testid="templates-sync-refused">
                                <p class="font-medium">{t(Key::TemplatesSyncRefused)}</p>
                                <p class="break-words">{message}</p>
                            </Alert>
                        }
                    })
            }}
            {move || {
                (creating.get())
                    .then(|| id.get_untracked())
                    .flatten()
                    .map(|connection_id| {
                        view! {
                            <section class="card px-5 py-5 sm:px-6" data-testid="template-new-section">
                                <h2 class="font-semibold text-slate-900">{t(Key::NewTemplate)}</h2>
                                <p class="mt-1 text-sm leading-6 text-slate-600">{t(Key::NewTemplateHint)}</p>
                                <div class="mt-5">
                                    <NewTemplateForm
                                        connection_id
                                        on_created
                                        on_cancel=Callback::new(move |_| creating.set(false))
                                    />
                                </div>
                            </section>
                        }
                    })
            }}
            {move || match templates.state.get() {
                ListState::Loading => view! { <ListLoading/> }.into_any(),
                ListState::Failed(key) => {
                    view! { <ListError key retry=Callback::new(move |_| templates.load(api, id.get_untracked()))/> }
                        .into_any()
                }
                ListState::Ready if templates.rows.with(Vec::is_empty) => view! {
                    <section class="card flex flex-col items-center px-6 py-12 text-center" data-testid="templates-empty">
                        <div class="grid size-12 place-items-center rounded-2xl bg-emerald-50 text-emerald-600 ring-1 ring-emerald-100">
                            <Icon icon=IconName::Megaphone class="size-6"/>
                        </div>
                        <h2 class="mt-4 font-semibold text-slate-900">{t(Key::NoTemplates)}</h2>
                        <p class="mt-1.5 max-w-md text-sm leading-6 text-slate-600">{t(Key::NoTemplatesHint)}</p>
                    </section>
                }
                .into_any(),
                ListState::Ready => view! {
                    <ul role="list" class="space-y-3" data-testid="templates-list">
                        <For
                            each=move || templates.rows.get()
                            key=|row| (row.id, row.status.clone(), row.quality.clone(), row.category.clone(), row.updated_at)
                            let:template
                        >
                            <TemplateRow template/>
                        </For>
                    </ul>
                }
                .into_any(),
            }}
        </div>
    }
    .into_any()
}

/// One template: what Meta says about it, its body, and a preview on demand.
#[component]
fn TemplateRow(template: TemplateDto) -> impl IntoView {
    let i18n = use_i18n();
    let open = RwSignal::new(false);
    let (status_key, status_class) = status_badge(&template.status);
    let status_raw = template.status.clone();
    let category = category_key(&template.category);
    let category_raw = template.category.clone();
    let body = shared::templates::body_text(&template.components).unwrap_or("").to_owned();
    let reason = template.rejected_reason.clone();
    let quality_view = template.quality.clone().filter(|q| !q.eq_ignore_ascii_case("UNKNOWN")).map(|rating| {
        let (label, dot) = quality(&rating);
        view! {
            <span class="flex items-center gap-1.5 text-xs text-slate-600" data-testid="template-quality">
                <span class=format!("inline-block size-2 rounded-full {dot}") aria-hidden="true"></span>
                {t(label)}
            </span>
        }
    });
    let preview_id = format!("tpl-preview-{}", template.id.simple());
    let controls = preview_id.clone();
    let shown = template.clone();
    view! {
        <li
            class="card px-5 py-4 sm:px-6"
            data-testid="template-row"
            data-name=template.name.clone()
            data-language=template.language.clone()
            data-status=template.status.clone()
        >
            <div class="flex flex-wrap items-start gap-x-4 gap-y-2">
                <div class="min-w-0 flex-1 basis-56">
                    <div class="flex flex-wrap items-center gap-2">
                        <h2 class="font-mono text-sm font-semibold break-all text-slate-900" data-testid="template-name">
                            {template.name.clone()}
                        </h2>
                        <span class="badge" data-testid="template-language">{template.language.clone()}</span>
                        <span class="badge">
                            {move || category.map_or_else(|| category_raw.clone(), |key| i18n.lang().t(key).to_owned())}
                        </span>
                        <span class=format!("badge ring-1 ring-inset {status_class}") data-testid="template-status">
                            {move || status_key.map_or_else(|| status_raw.clone(), |key| i18n.lang().t(key).to_owned())}
                        </span>
                        {quality_view}
                    </div>
                    <p class="mt-1.5 line-clamp-2 text-sm leading-6 whitespace-pre-wrap break-words text-slate-700" data-testid="template-body">
                        {body}
                    </p>
                    {reason
                        .map(|reason| {
                            view! {
                                <p class="mt-1.5 text-xs text-red-700" data-testid="template-rejected-reason">
                                    {move || fill(i18n.lang().t(Key::TemplateRejectedReason), &[("reason", &reason)])}
                                </p>
                            }
                        })}
                </div>
                <button
                    type="button"
                    class="btn btn-secondary btn-sm"
                    data-testid="template-preview-toggle"
                    aria-expanded=move || if open.get() { "true" } else { "false" }
                    aria-controls=controls
                    on:click=move |_| open.update(|o| *o = !*o)
                >
                    {move || if open.get() { i18n.lang().t(Key::HidePreview) } else { i18n.lang().t(Key::Preview) }}
                </button>
            </div>
            <div id=preview_id>
                <Show when=move || open.get()>
                    <TemplatePreview template=shown.clone()/>
                </Show>
            </div>
        </li>
    }
    .into_any()
}
