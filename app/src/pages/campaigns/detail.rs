//! `/campaigns/:id`: one campaign — its actions (start, pause, resume, cancel, delete), live
//! progress (counts, rate, time left), and its report: the funnel, failures by reason, sends
//! per minute, and every recipient with their outcome (filterable, exportable as CSV).

use leptos::prelude::*;
use leptos_router::{
    hooks::{use_navigate, use_params_map, use_query_map},
    NavigateOptions,
};
use shared::{
    api::Page,
    campaigns::{
        CampaignCounts, CampaignDto, CampaignRecipientDto, CampaignReport, CampaignStatus,
    },
    i18n::Key,
    ServerEvent,
};
use uuid::Uuid;

use super::{ProgressBar, StatusBadge};
use crate::api::{encode_query, use_api, Api};
use crate::auth::use_auth;
use crate::components::feedback::{ConfirmInline, ListError, ListLoading};
use crate::components::form::{Alert, AlertKind};
use crate::components::icons::{Icon, IconName};
use crate::components::layout::PageTitle;
use crate::components::toast::use_toasts;
use crate::hydration::use_hydrated;
use crate::i18n::{fill, t, use_i18n};
use crate::live::use_live;
use crate::pages::format_local_datetime;

/// Live numbers that only progress events carry.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Pace {
    rate: f64,
    eta_seconds: Option<u64>,
}

fn duration_words(seconds: u64) -> String {
    match seconds {
        0..=59 => format!("{seconds} s"),
        60..=3599 => format!("{} min", seconds.div_ceil(60)),
        _ => format!("{} h {} min", seconds / 3600, (seconds % 3600) / 60),
    }
}

#[component]
pub fn CampaignPage() -> impl IntoView {
    let api = use_api();
    let auth = use_auth();
    let live = use_live();
    let params = use_params_map();
    let query = use_query_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|v| v.parse::<Uuid>().ok())));
    let manager =
        Signal::derive(move || auth.session().map(|s| s.can_manage_team()).unwrap_or(false));
    let campaign = RwSignal::new(None::<Result<CampaignDto, Key>>);
    let pace = RwSignal::new(Pace::default());
    let version = RwSignal::new(0u64);
    // Why "Save and start" saved but did not start (from the new-campaign form).
    let not_started = Memo::new(move |_| query.with(|q| q.get("not_started")));

    Effect::new(move |_| {
        version.get();
        live.resync_version();
        let Some(id) = id.get() else {
            campaign.set(Some(Err(Key::ErrNotFound)));
            return;
        };
        leptos::task::spawn_local(async move {
            let result = api.get::<CampaignDto>(&format!("/campaigns/{id}")).await;
            campaign.try_set(Some(result.map_err(|f| f.key())));
        });
    });
    live.subscribe(move |event| {
        if let ServerEvent::CampaignProgress { progress } = event {
            if Some(progress.campaign_id) != id.get_untracked() {
                return;
            }
            let progress = progress.clone();
            pace.set(Pace { rate: progress.rate, eta_seconds: progress.eta_seconds });
            campaign.update(|current| {
                if let Some(Ok(c)) = current {
                    c.counts = progress.counts;
                    c.status = progress.status;
                    c.last_error = progress.last_error.clone();
                }
            });
        }
    });

    view! {
        <PageTitle key=Key::NavCampaigns/>
        <a href="/campaigns" class="link mb-3 inline-flex items-center gap-1 text-sm" data-testid="campaign-back">
            <Icon icon=IconName::ArrowLeft class="size-4"/>
            {t(Key::NavCampaigns)}
        </a>
        {move || match campaign.get() {
            None => view! { <ListLoading/> }.into_any(),
            Some(Err(key)) => {
                view! { <ListError key retry=Callback::new(move |_| version.update(|v| *v += 1))/> }.into_any()
            }
            Some(Ok(_)) => view! {
                <CampaignView campaign pace manager not_started reload=Callback::new(move |_| version.update(|v| *v += 1))/>
            }
            .into_any(),
        }}
    }
    .into_any()
}

#[component]
fn CampaignView(
    campaign: RwSignal<Option<Result<CampaignDto, Key>>>,
    pace: RwSignal<Pace>,
    manager: Signal<bool>,
    not_started: Memo<Option<String>>,
    reload: Callback<()>,
) -> impl IntoView {
    let api = use_api();
    let i18n = use_i18n();
    let current = move || campaign.get().and_then(Result::ok);
    let status = Signal::derive(move || current().map_or(CampaignStatus::Draft, |c| c.status));
    let counts = Signal::derive(move || current().map(|c| c.counts).unwrap_or_default());
    let id = current().map(|c| c.id).unwrap_or_default();
    let name = move || current().map(|c| c.name).unwrap_or_default();

    view! {
        <div class="mb-6 flex flex-wrap items-start justify-between gap-4">
            <div class="min-w-0">
                <h1 class="flex flex-wrap items-center gap-3 text-2xl font-semibold tracking-tight break-words text-slate-900" data-testid="campaign-title">
                    {name}
                    <StatusBadge status/>
                </h1>
                <p class="mt-1.5 text-sm text-slate-600" data-testid="campaign-setup">
                    {move || {
                        current()
                            .map(|c| {
                                let mut parts = vec![format!("{} ({})", c.template.name, c.template.language)];
                                parts.push(fill(i18n.lang().t(Key::CampaignRateLine), &[("rate", &c.rate_per_second.to_string())]));
                                if let Some(at) = c.scheduled_at {
                                    parts.push(fill(i18n.lang().t(Key::CampaignScheduledFor), &[("at", &format_local_datetime(&at))]));
                                }
                                if let Some(q) = &c.quiet_hours {
                                    parts.push(fill(i18n.lang().t(Key::CampaignQuietLine), &[("start", &q.start), ("end", &q.end), ("zone", &c.time_zone)]));
                                }
                                parts.join(" · ")
                            })
                            .unwrap_or_default()
                    }}
                </p>
            </div>
            <Show when=move || manager.get()>
                <Actions campaign status reload/>
            </Show>
        </div>
        <div class="space-y-6">
            {move || {
                not_started
                    .get()
                    .filter(|_| status.get() == CampaignStatus::Draft)
                    .map(|message| {
                        view! {
                            <Alert kind=AlertKind::Error testid="campaign-not-started">
                                <p class="font-medium">{t(Key::CampaignNotStarted)}</p>
                                <p class="break-words">{message}</p>
                            </Alert>
                        }
                    })
            }}
            {move || {
                current()
                    .and_then(|c| c.last_error)
                    .map(|message| {
                        view! {
                            <Alert kind=AlertKind::Error testid="campaign-last-error">
                                <p class="font-medium">{t(Key::CampaignStoppedBecause)}</p>
                                <p class="break-words">{message}</p>
                            </Alert>
                        }
                    })
            }}
            <section class="card space-y-4 px-5 py-5 sm:px-6" data-testid="campaign-live">
                <div class="flex flex-wrap items-baseline justify-between gap-2">
                    <h2 class="font-semibold text-slate-900">{t(Key::CampaignProgress)}</h2>
                    <p class="text-sm text-slate-600" data-testid="campaign-pace">
                        {move || {
                            let p = pace.get();
                            let mut line = String::new();
                            if status.get() == CampaignStatus::Running {
                                line = fill(i18n.lang().t(Key::CampaignPace), &[("rate", &format!("{:.0}", p.rate))]);
                                if let Some(eta) = p.eta_seconds {
                                    line.push_str(" · ");
                                    line.push_str(&fill(i18n.lang().t(Key::CampaignEta), &[("time", &duration_words(eta))]));
                                }
                            }
                            line
                        }}
                    </p>
                </div>
                <ProgressBar counts/>
                <Funnel counts/>
                <p class="text-xs text-slate-500" data-testid="campaign-excluded">
                    {move || {
                        current()
                            .filter(|c| c.started_at.is_some())
                            .map(|c| fill(
                                i18n.lang().t(Key::CampaignExcludedAtStart),
                                &[
                                    ("opted_out", &c.excluded.opted_out.to_string()),
                                    ("invalid", &c.excluded.invalid.to_string()),
                                ],
                            ))
                            .unwrap_or_default()
                    }}
                </p>
            </section>
            <Report id status/>
            <Recipients id api counts/>
        </div>
    }
    .into_any()
}

/// Sent → delivered → read → replied, with failed beside them, as bars of the total.
#[component]
fn Funnel(counts: Signal<CampaignCounts>) -> impl IntoView {
    let bar = move |key: Key,
                    testid: &'static str,
                    colour: &'static str,
                    value: fn(&CampaignCounts) -> u64| {
        view! {
            <div class="grid grid-cols-[7rem_minmax(0,1fr)_4rem] items-center gap-3 text-sm" data-testid=testid>
                <span class="text-slate-600">{t(key)}</span>
                <div class="h-2.5 overflow-hidden rounded-full bg-slate-100">
                    <div
                        class=format!("h-full rounded-full {colour}")
                        style=move || {
                            let c = counts.get();
                            let width = (value(&c) * 100).checked_div(c.total).unwrap_or(0);
                            format!("width: {width}%")
                        }
                    ></div>
                </div>
                <span class="text-right font-medium tabular-nums text-slate-900" data-testid="count">
                    {move || value(&counts.get())}
                </span>
            </div>
        }
    };
    view! {
        <div class="space-y-2" data-testid="campaign-funnel">
            {bar(Key::CountTotal, "count-total", "bg-slate-400", |c| c.total)}
            {bar(Key::CountSent, "count-sent", "bg-brand-600", |c| c.sent)}
            {bar(Key::CountDelivered, "count-delivered", "bg-sky-500", |c| c.delivered)}
            {bar(Key::CountRead, "count-read", "bg-emerald-500", |c| c.read)}
            {bar(Key::CountReplied, "count-replied", "bg-violet-500", |c| c.replied)}
            {bar(Key::CountFailed, "count-failed", "bg-red-500", |c| c.failed)}
            {bar(Key::CountPending, "count-pending", "bg-amber-400", |c| c.pending)}
        </div>
    }
    .into_any()
}

/// Start / pause / resume / cancel / delete, as the status allows.
#[component]
fn Actions(
    campaign: RwSignal<Option<Result<CampaignDto, Key>>>,
    status: Signal<CampaignStatus>,
    reload: Callback<()>,
) -> impl IntoView {
    let api = use_api();
    let toasts = use_toasts();
    let hydrated = use_hydrated();
    let navigate = use_navigate();
    let i18n = use_i18n();
    let busy = RwSignal::new(false);
    let confirming = RwSignal::new(None::<&'static str>);
    let refusal = RwSignal::new(None::<String>);
    let id = move || campaign.get_untracked().and_then(Result::ok).map(|c| c.id);
    let act = move |verb: &'static str| {
        let Some(id) = id() else { return };
        busy.set(true);
        refusal.set(None);
        leptos::task::spawn_local(async move {
            let result = api.post_empty::<CampaignDto>(&format!("/campaigns/{id}/{verb}")).await;
            busy.try_set(false);
            confirming.try_set(None);
            match result {
                Ok(updated) => {
                    campaign.try_set(Some(Ok(updated)));
                }
                Err(failure) => {
                    refusal.try_set(Some(
                        failure
                            .message()
                            .map(str::to_owned)
                            .unwrap_or_else(|| i18n.lang().t(failure.key()).to_owned()),
                    ));
                    reload.run(());
                }
            }
        });
    };
    let delete = move || {
        let Some(id) = id() else { return };
        busy.set(true);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let result = api.delete::<serde_json::Value>(&format!("/campaigns/{id}")).await;
            busy.try_set(false);
            match result {
                Ok(_) => {
                    toasts.success(Key::CampaignDeleted);
                    navigate("/campaigns", NavigateOptions::default());
                }
                Err(failure) => toasts.error(failure.key()),
            }
        });
    };
    let button = move |verb: &'static str, key: Key, class: &'static str| {
        view! {
            <button
                type="button"
                class=format!("btn {class}")
                data-testid=format!("campaign-{verb}")
                disabled=move || !hydrated.get() || busy.get()
                on:click=move |_| act(verb)
            >
                {t(key)}
            </button>
        }
    };
    view! {
        <div class="flex flex-col items-end gap-2">
            <div class="flex flex-wrap gap-2">
                {move || match status.get() {
                    CampaignStatus::Draft => view! {
                        {button("start", Key::StartCampaign, "btn-primary")}
                    }
                    .into_any(),
                    CampaignStatus::Running | CampaignStatus::Scheduled => view! {
                        {button("pause", Key::PauseCampaign, "btn-secondary")}
                    }
                    .into_any(),
                    CampaignStatus::Paused => view! {
                        {button("resume", Key::ResumeCampaign, "btn-primary")}
                    }
                    .into_any(),
                    CampaignStatus::Completed | CampaignStatus::Cancelled => ().into_any(),
                }}
                <Show when=move || !status.get().is_finished()>
                    <button
                        type="button"
                        class="btn btn-secondary"
                        data-testid="campaign-cancel"
                        disabled=move || !hydrated.get() || busy.get()
                        on:click=move |_| confirming.set(Some("cancel"))
                    >
                        {t(Key::CancelCampaign)}
                    </button>
                </Show>
                <Show when=move || matches!(status.get(), CampaignStatus::Draft | CampaignStatus::Completed | CampaignStatus::Cancelled)>
                    <button
                        type="button"
                        class="btn btn-secondary"
                        data-testid="campaign-delete"
                        disabled=move || !hydrated.get() || busy.get()
                        on:click=move |_| confirming.set(Some("delete"))
                    >
                        <Icon icon=IconName::Trash class="size-4"/>
                        <span>{t(Key::Delete)}</span>
                    </button>
                </Show>
            </div>
            {move || {
                confirming
                    .get()
                    .map(|what| {
                        let question = if what == "cancel" { Key::CancelCampaignQuestion } else { Key::DeleteCampaignQuestion };
                        let delete = delete.clone();
                        view! {
                            <ConfirmInline
                                question=Signal::derive(move || i18n.lang().t(question).to_owned())
                                confirm_label=if what == "cancel" { Key::CancelCampaign } else { Key::Delete }
                                busy
                                on_confirm=Callback::new(move |_| if what == "cancel" { act("cancel") } else { delete() })
                                on_cancel=Callback::new(move |_| confirming.set(None))
                                confirm_testid="campaign-confirm"
                            />
                        }
                    })
            }}
            {move || {
                refusal
                    .get()
                    .map(|message| view! {
                        <p class="max-w-md text-right text-sm text-red-700" role="alert" data-testid="campaign-refusal">{message}</p>
                    })
            }}
        </div>
    }
    .into_any()
}

/// Failures by reason and sends per minute; fetched again when the status changes.
#[component]
fn Report(id: Uuid, status: Signal<CampaignStatus>) -> impl IntoView {
    let api = use_api();
    let report = LocalResource::new(move || {
        status.get();
        async move { api.get::<CampaignReport>(&format!("/campaigns/{id}/report")).await.ok() }
    });
    view! {
        <section class="grid gap-6 lg:grid-cols-2">
            <div class="card px-5 py-5 sm:px-6" data-testid="campaign-failures">
                <h2 class="font-semibold text-slate-900">{t(Key::FailuresByReason)}</h2>
                {move || {
                    let failures = report.get().flatten().map(|r| r.failures).unwrap_or_default();
                    if failures.is_empty() {
                        view! { <p class="mt-2 text-sm text-slate-500">{t(Key::NoFailures)}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="mt-3 space-y-2" role="list">
                                {failures
                                    .into_iter()
                                    .map(|f| view! {
                                        <li class="flex gap-3 text-sm" data-testid="campaign-failure">
                                            <span class="w-10 shrink-0 text-right font-medium tabular-nums text-red-700">{f.count}</span>
                                            <span class="min-w-0 break-words text-slate-700">
                                                {f.reason}
                                            </span>
                                        </li>
                                    })
                                    .collect_view()}
                            </ul>
                        }
                        .into_any()
                    }
                }}
            </div>
            <div class="card px-5 py-5 sm:px-6" data-testid="campaign-timeline">
                <h2 class="font-semibold text-slate-900">{t(Key::SendsPerMinute)}</h2>
                {move || {
                    let points = report.get().flatten().map(|r| r.timeline).unwrap_or_default();
                    if points.is_empty() {
                        return view! { <p class="mt-2 text-sm text-slate-500">{t(Key::NothingSentYet)}</p> }.into_any();
                    }
                    let highest = points.iter().map(|p| p.sent).max().unwrap_or(1).max(1);
                    let width = 100.0 / points.len() as f64;
                    view! {
                        <svg class="mt-3 h-32 w-full" viewBox="0 0 100 40" preserveAspectRatio="none" role="img" aria-label="sends per minute">
                            {points
                                .iter()
                                .enumerate()
                                .map(|(i, p)| {
                                    let h = p.sent as f64 / highest as f64 * 38.0;
                                    view! {
                                        <rect
                                            x=format!("{:.3}", i as f64 * width + width * 0.1)
                                            y=format!("{:.3}", 40.0 - h)
                                            width=format!("{:.3}", width * 0.8)
                                            height=format!("{h:.3}")
                                            class="fill-brand-500"
                                        >
                                            <title>{format!("{} · {}", format_local_datetime(&p.minute), p.sent)}</title>
                                        </rect>
                                    }
                                })
                                .collect_view()}
                        </svg>
                        <p class="mt-1 text-xs text-slate-500">
                            {format!("{} – {}", format_local_datetime(&points[0].minute), format_local_datetime(&points[points.len() - 1].minute))}
                        </p>
                    }
                    .into_any()
                }}
            </div>
        </section>
    }
    .into_any()
}

const RECIPIENT_FILTERS: &[(&str, Key)] = &[
    ("", Key::TabAll),
    ("pending", Key::CountPending),
    ("sent", Key::CountSent),
    ("delivered", Key::CountDelivered),
    ("read", Key::CountRead),
    ("replied", Key::CountReplied),
    ("failed", Key::CountFailed),
    ("skipped", Key::CountSkipped),
    ("cancelled", Key::CampaignCancelled),
];

/// Every recipient with their outcome, 50 at a time.
#[component]
fn Recipients(id: Uuid, api: Api, counts: Signal<CampaignCounts>) -> impl IntoView {
    let filter = RwSignal::new(String::new());
    let rows = RwSignal::new(Vec::<CampaignRecipientDto>::new());
    let next = RwSignal::new(None::<String>);
    let loading = RwSignal::new(false);
    let ticket = StoredValue::new(0u64);
    let load = move |more: bool| {
        let Some(mine) = ticket.try_update_value(|n| {
            *n += 1;
            *n
        }) else {
            return;
        };
        let status = filter.get_untracked();
        let cursor = if more { next.get_untracked() } else { None };
        loading.set(true);
        leptos::task::spawn_local(async move {
            let mut path =
                format!("/campaigns/{id}/recipients?limit=50&status={}", encode_query(&status));
            if let Some(cursor) = cursor {
                path.push_str(&format!("&cursor={}", encode_query(&cursor)));
            }
            let result = api.get::<Page<CampaignRecipientDto>>(&path).await;
            if ticket.try_get_value() != Some(mine) {
                return;
            }
            loading.try_set(false);
            if let Ok(page) = result {
                next.try_set(page.next_cursor);
                if more {
                    rows.try_update(|rows| rows.extend(page.items));
                } else {
                    rows.try_set(page.items);
                }
            }
        });
    };
    // The first page follows the filter and, roughly, the progress: it reloads when a count
    // crosses a 5 % step (at most 20 times per count over a whole campaign).
    let steps = Memo::new(move |_| {
        let c = counts.get();
        let step = |n: u64| (n * 20).checked_div(c.total).unwrap_or(0);
        (step(c.done()), step(c.delivered), step(c.read), step(c.replied), step(c.failed))
    });
    Effect::new(move |_| {
        filter.get();
        steps.get();
        load(false);
    });
    let export_href = move || {
        let status = filter.get();
        format!("/api/v1/campaigns/{id}/recipients/export?status={}", encode_query(&status))
    };
    view! {
        <section class="card px-5 py-5 sm:px-6" data-testid="campaign-recipients">
            <div class="flex flex-wrap items-center justify-between gap-3">
                <h2 class="font-semibold text-slate-900">{t(Key::Recipients)}</h2>
                <div class="flex flex-wrap items-center gap-2">
                    <select
                        class="input h-9 w-auto py-0 text-sm"
                        aria-label="status"
                        data-testid="recipients-filter"
                        prop:value=move || filter.get()
                        on:change=move |ev| filter.set(event_target_value(&ev))
                    >
                        {RECIPIENT_FILTERS
                            .iter()
                            .map(|(value, key)| view! { <option value=*value>{t(*key)}</option> })
                            .collect_view()}
                    </select>
                    <a class="btn btn-secondary btn-sm" href=export_href download data-testid="recipients-export">
                        <Icon icon=IconName::Download class="size-4"/>
                        <span>{t(Key::ExportContacts)}</span>
                    </a>
                </div>
            </div>
            <div class="mt-4 overflow-x-auto">
                <table class="w-full min-w-[36rem] text-left text-sm">
                    <thead class="text-xs text-slate-500">
                        <tr>
                            <th class="py-2 pr-3 font-medium">{t(Key::Name)}</th>
                            <th class="py-2 pr-3 font-medium">{t(Key::Phone)}</th>
                            <th class="py-2 pr-3 font-medium">{t(Key::Status)}</th>
                            <th class="py-2 font-medium">{t(Key::Details)}</th>
                        </tr>
                    </thead>
                    <tbody class="divide-y divide-slate-100">
                        <For each=move || rows.get() key=|r| (r.id, r.status.clone(), r.replied_at) let:r>
                            <tr data-testid="recipient-row" data-status=r.status.clone()>
                                <td class="py-2 pr-3 text-slate-900">{r.name.clone()}</td>
                                <td class="py-2 pr-3 font-mono text-xs text-slate-700">{r.phone.clone()}</td>
                                <td class="py-2 pr-3"><span class="badge">{r.status.clone()}</span></td>
                                <td class="py-2 text-xs break-words text-slate-600">
                                    {r.error_message.clone().or_else(|| r.sent_at.map(|at| format_local_datetime(&at))).unwrap_or_default()}
                                </td>
                            </tr>
                        </For>
                    </tbody>
                </table>
            </div>
            <Show when=move || next.get().is_some()>
                <button type="button" class="btn btn-secondary btn-sm mt-3" disabled=move || loading.get() on:click=move |_| load(true)>
                    {t(Key::LoadMore)}
                </button>
            </Show>
        </section>
    }
    .into_any()
}
