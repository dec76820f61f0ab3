//! Campaigns: the list (`/campaigns`), a new campaign (`/campaigns/new`) and one campaign with
//! its live progress and report (`/campaigns/:id`).
//!
//! Counts move live: the server sends `campaign.progress` about once a second while a campaign
//! sends (and when statuses arrive later), and `campaigns.changed` when one is created or changes
//! status; the screens patch what they show from those events.

pub mod detail;
pub mod new;

use leptos::prelude::*;
use shared::{
    api::Page,
    campaigns::{CampaignCounts, CampaignDto, CampaignStatus},
    i18n::Key,
    ServerEvent,
};

use crate::api::use_api;
use crate::auth::use_auth;
use crate::components::feedback::{ListError, ListLoading};
use crate::components::icons::{Icon, IconName};
use crate::components::layout::PageTitle;
use crate::i18n::{fill, t, use_i18n};
use crate::live::use_live;
use crate::pages::format_local_datetime;

pub use detail::CampaignPage;
pub use new::NewCampaignPage;

/// A status in words and colour.
pub fn status_badge(status: CampaignStatus) -> (Key, &'static str) {
    match status {
        CampaignStatus::Draft => (Key::CampaignDraft, "bg-slate-100 text-slate-700 ring-slate-200"),
        CampaignStatus::Scheduled => {
            (Key::CampaignScheduled, "bg-sky-50 text-sky-800 ring-sky-200")
        }
        CampaignStatus::Running => {
            (Key::CampaignRunning, "bg-brand-50 text-brand-700 ring-brand-200")
        }
        CampaignStatus::Paused => {
            (Key::CampaignPaused, "bg-amber-50 text-amber-800 ring-amber-200")
        }
        CampaignStatus::Completed => {
            (Key::CampaignCompleted, "bg-emerald-50 text-emerald-700 ring-emerald-200")
        }
        CampaignStatus::Cancelled => {
            (Key::CampaignCancelled, "bg-red-50 text-red-700 ring-red-200")
        }
    }
}

#[component]
pub fn StatusBadge(#[prop(into)] status: Signal<CampaignStatus>) -> impl IntoView {
    view! {
        <span
            class=move || format!("badge ring-1 ring-inset {}", status_badge(status.get()).1)
            data-testid="campaign-status"
            data-status=move || status.get().as_str()
        >
            {move || t(status_badge(status.get()).0)()}
        </span>
    }
    .into_any()
}

/// Share of the recipients with an outcome, 0–100.
pub fn percent_done(counts: &CampaignCounts) -> u64 {
    (counts.done() * 100).checked_div(counts.total).unwrap_or(0)
}

#[component]
pub fn ProgressBar(#[prop(into)] counts: Signal<CampaignCounts>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div
            class="h-2 w-full overflow-hidden rounded-full bg-slate-100"
            role="progressbar"
            aria-valuemin="0"
            aria-valuemax="100"
            aria-valuenow=move || percent_done(&counts.get()).to_string()
            aria-label=move || i18n.lang().t(Key::CampaignProgress)
            data-testid="campaign-progress"
        >
            <div
                class="h-full rounded-full bg-brand-600 transition-all duration-500"
                style=move || format!("width: {}%", percent_done(&counts.get()))
            ></div>
        </div>
    }
    .into_any()
}

#[component]
pub fn CampaignsPage() -> impl IntoView {
    let api = use_api();
    let auth = use_auth();
    let live = use_live();
    let i18n = use_i18n();
    let manager =
        Signal::derive(move || auth.session().map(|s| s.can_manage_team()).unwrap_or(false));
    let version = RwSignal::new(0u64);
    let rows = RwSignal::new(None::<Result<Vec<CampaignDto>, Key>>);
    Effect::new(move |_| {
        version.get();
        live.resync_version();
        leptos::task::spawn_local(async move {
            let result = api.get::<Page<CampaignDto>>("/campaigns?limit=100").await;
            rows.try_set(Some(result.map(|page| page.items).map_err(|f| f.key())));
        });
    });
    live.subscribe(move |event| match event {
        ServerEvent::CampaignsChanged { .. } => version.update(|v| *v += 1),
        ServerEvent::CampaignProgress { progress } => {
            let progress = progress.clone();
            rows.update(|rows| {
                if let Some(Ok(rows)) = rows {
                    if let Some(row) = rows.iter_mut().find(|r| r.id == progress.campaign_id) {
                        row.counts = progress.counts;
                        row.status = progress.status;
                        row.last_error = progress.last_error.clone();
                    }
                }
            });
        }
        _ => {}
    });

    view! {
        <PageTitle key=Key::NavCampaigns/>
        <div class="mb-6 flex flex-wrap items-end justify-between gap-4">
            <div class="min-w-0">
                <h1 class="text-2xl font-semibold tracking-tight text-slate-900">{t(Key::NavCampaigns)}</h1>
                <p class="mt-1.5 max-w-2xl text-sm leading-6 text-slate-600">{t(Key::CampaignsSubtitle)}</p>
            </div>
            <Show when=move || manager.get()>
                <a href="/campaigns/new" class="btn btn-primary" data-testid="campaign-new">
                    <Icon icon=IconName::Plus class="size-5"/>
                    <span>{t(Key::NewCampaign)}</span>
                </a>
            </Show>
        </div>
        {move || match rows.get() {
            None => view! { <ListLoading/> }.into_any(),
            Some(Err(key)) => {
                view! { <ListError key retry=Callback::new(move |_| version.update(|v| *v += 1))/> }.into_any()
            }
            Some(Ok(list)) if list.is_empty() => view! {
                <section class="card flex flex-col items-center px-6 py-12 text-center" data-testid="campaigns-empty">
                    <div class="grid size-12 place-items-center rounded-2xl bg-brand-50 text-brand-600 ring-1 ring-brand-100">
                        <Icon icon=IconName::Megaphone class="size-6"/>
                    </div>
                    <h2 class="mt-4 font-semibold text-slate-900">{t(Key::NoCampaigns)}</h2>
                    <p class="mt-1.5 max-w-md text-sm leading-6 text-slate-600">{t(Key::NoCampaignsHint)}</p>
                </section>
            }
            .into_any(),
            Some(Ok(_)) => view! {
                <ul role="list" class="space-y-3" data-testid="campaigns-list">
                    <For
                        each=move || rows.get().and_then(Result::ok).unwrap_or_default()
                        key=|row| (row.id, row.status, row.counts)
                        let:campaign
                    >
                        <li class="card px-5 py-4 sm:px-6" data-testid="campaign-row" data-name=campaign.name.clone()>
                            <div class="flex flex-wrap items-center gap-x-4 gap-y-2">
                                <a
                                    href=format!("/campaigns/{}", campaign.id)
                                    class="min-w-0 flex-1 basis-48 font-semibold break-words text-slate-900 hover:text-brand-700"
                                    data-testid="campaign-link"
                                >
                                    {campaign.name.clone()}
                                </a>
                                <StatusBadge status=campaign.status/>
                                <span class="text-xs text-slate-500">{format_local_datetime(&campaign.created_at)}</span>
                            </div>
                            <div class="mt-3 space-y-1.5">
                                <ProgressBar counts=campaign.counts/>
                                <p class="text-xs text-slate-600" data-testid="campaign-summary">
                                    {move || {
                                        let c = campaign.counts;
                                        fill(
                                            i18n.lang().t(Key::CampaignCountsLine),
                                            &[
                                                ("sent", &c.sent.to_string()),
                                                ("total", &c.total.to_string()),
                                                ("delivered", &c.delivered.to_string()),
                                                ("read", &c.read.to_string()),
                                                ("failed", &c.failed.to_string()),
                                            ],
                                        )
                                    }}
                                </p>
                            </div>
                        </li>
                    </For>
                </ul>
            }
            .into_any(),
        }}
    }
    .into_any()
}
