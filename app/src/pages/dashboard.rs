//! `/dashboard`: the greeting, the product areas and a getting-started checklist whose ticks
//! come from real data (members, invitations, API keys), never from a stored flag.

use leptos::prelude::*;
use shared::{
    api::{ApiKeyDto, ConnectionDto, InvitationDto, MemberDto, Page},
    i18n::Key,
};

use crate::api::use_api;
use crate::auth::use_auth;
use crate::components::icons::{Icon, IconName};
use crate::components::layout::PageTitle;
use crate::components::nav::{self, NavItem};
use crate::i18n::{fill, t, use_i18n};
use crate::live::use_live;

#[component]
pub fn Dashboard() -> impl IntoView {
    let auth = use_auth();
    let i18n = use_i18n();
    let greeting = move || {
        let name = auth.session().map(|s| s.user.name).unwrap_or_default();
        let first = name.split_whitespace().next().unwrap_or(&name).to_owned();
        fill(i18n.lang().t(Key::DashboardGreeting), &[("name", &first)])
    };
    let subtitle = move || {
        let company = auth.session().map(|s| s.company.name).unwrap_or_default();
        fill(i18n.lang().t(Key::DashboardSubtitle), &[("company", &company)])
    };

    view! {
        <PageTitle key=Key::NavDashboard/>
        <div class="mb-8">
            <h1 class="text-2xl font-semibold tracking-tight text-slate-900 sm:text-3xl" data-testid="dashboard-greeting">
                {greeting}
            </h1>
            <p class="mt-2 max-w-2xl text-sm leading-6 text-slate-600 sm:text-base">{subtitle}</p>
        </div>
        <div class="grid gap-6 lg:grid-cols-3 lg:gap-8">
            <div class="lg:order-2">
                <GettingStarted/>
            </div>
            <section class="lg:order-1 lg:col-span-2" aria-labelledby="areas-title">
                <h2 id="areas-title" class="text-sm font-semibold text-slate-900">
                    {t(Key::AreasTitle)}
                </h2>
                <ul role="list" class="mt-3 grid gap-4 sm:grid-cols-2">
                    {[nav::INBOX, nav::CONTACTS, nav::CAMPAIGNS, nav::CONNECTIONS, nav::AI, nav::AUTOMATIONS]
                        .into_iter()
                        .map(|item| view! { <AreaCard item/> })
                        .collect_view()}
                    <SettingsCard/>
                </ul>
            </section>
        </div>
    }
    .into_any()
}

/// Accent colours per area, spelled out in full so Tailwind finds every class.
fn accent(item: &NavItem) -> &'static str {
    match item.path {
        "/inbox" => "bg-sky-50 text-sky-600 ring-sky-100",
        "/contacts" => "bg-violet-50 text-violet-600 ring-violet-100",
        "/campaigns" => "bg-amber-50 text-amber-600 ring-amber-100",
        "/connections" => "bg-emerald-50 text-emerald-600 ring-emerald-100",
        "/ai" => "bg-fuchsia-50 text-fuchsia-600 ring-fuchsia-100",
        "/automations" => "bg-orange-50 text-orange-600 ring-orange-100",
        _ => "bg-brand-50 text-brand-600 ring-brand-100",
    }
}

#[component]
fn AreaCard(item: NavItem) -> impl IntoView {
    view! {
        <li>
            <a
                href=item.path
                class="card group flex h-full flex-col gap-3 p-5 transition hover:-translate-y-0.5 hover:shadow-md hover:ring-slate-300 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600"
                data-testid=format!("card-{}", item.testid.trim_start_matches("nav-"))
            >
                <div class="flex items-start justify-between gap-3">
                    <span class=format!("grid size-10 place-items-center rounded-lg ring-1 {}", accent(&item))>
                        <Icon icon=item.icon class="size-5"/>
                    </span>
                    {item
                        .upcoming
                        .then(|| view! { <span class="badge">{t(Key::UpcomingBadge)}</span> })}
                </div>
                <div>
                    <h3 class="flex items-center gap-1 font-semibold text-slate-900">
                        {t(item.label)}
                        <Icon icon=IconName::ChevronRight class="size-4 text-slate-400 transition group-hover:translate-x-0.5 group-hover:text-slate-600"/>
                    </h3>
                    <p class="mt-1 text-sm leading-6 text-slate-600">{t(item.description)}</p>
                </div>
            </a>
        </li>
    }
    .into_any()
}

/// The settings area as a wide card with a link per page.
#[component]
fn SettingsCard() -> impl IntoView {
    view! {
        <li class="sm:col-span-2">
            <div class="card flex flex-col gap-4 p-5 sm:flex-row sm:items-center" data-testid="card-settings">
                <span class="grid size-10 shrink-0 place-items-center rounded-lg bg-slate-100 text-slate-600 ring-1 ring-slate-200">
                    <Icon icon=IconName::Sliders class="size-5"/>
                </span>
                <div class="min-w-0 flex-1">
                    <h3 class="font-semibold text-slate-900">{t(Key::NavSettings)}</h3>
                    <p class="mt-1 text-sm leading-6 text-slate-600">{t(Key::AreaSettingsDesc)}</p>
                </div>
                <div class="flex flex-wrap gap-2">
                    {nav::SETTINGS
                        .into_iter()
                        .map(|item| {
                            view! {
                                <a href=item.path class="btn btn-secondary btn-sm">
                                    <Icon icon=item.icon class="size-4 text-slate-500"/>
                                    <span>{t(item.label)}</span>
                                </a>
                            }
                        })
                        .collect_view()}
                </div>
            </div>
        </li>
    }
    .into_any()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StepState {
    Done,
    Todo,
    /// Its area ships in a later release.
    Soon,
}

/// What the checklist knows from the API.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Progress {
    invited: bool,
    api_key: bool,
    channel: bool,
}

#[component]
fn GettingStarted() -> impl IntoView {
    let api = use_api();
    let auth = use_auth();
    let live = use_live();
    let i18n = use_i18n();

    // Agents may not list the team or the keys: their checklist simply shows "to do".
    let progress = LocalResource::new(move || {
        let manager = auth.session().map(|s| s.can_manage_team()).unwrap_or(false);
        live.team_version();
        live.api_keys_version();
        live.connections_version();
        async move {
            // Everyone may list the connections.
            let channel = api
                .get::<Vec<ConnectionDto>>("/connections")
                .await
                .map(|list| !list.is_empty())
                .unwrap_or(false);
            if !manager {
                return Progress { channel, ..Progress::default() };
            }
            let (members, invitations, keys) = futures::join!(
                api.get::<Page<MemberDto>>("/members"),
                api.get::<Page<InvitationDto>>("/invitations"),
                api.get::<Page<ApiKeyDto>>("/api-keys"),
            );
            Progress {
                invited: members.map(|p| p.items.len() > 1).unwrap_or(false)
                    || invitations.map(|p| !p.items.is_empty()).unwrap_or(false),
                api_key: keys.map(|p| !p.items.is_empty()).unwrap_or(false),
                channel,
            }
        }
    });
    let steps = move || {
        let p = progress.get().unwrap_or_default();
        let done = |yes: bool| if yes { StepState::Done } else { StepState::Todo };
        [
            (Key::StepInvite, Key::StepInviteHint, nav::TEAM.path, done(p.invited)),
            (Key::StepApiKey, Key::StepApiKeyHint, nav::API_KEYS.path, done(p.api_key)),
            (Key::StepChannel, Key::StepChannelHint, nav::CONNECTIONS.path, done(p.channel)),
            (Key::StepContacts, Key::StepContactsHint, nav::CONTACTS.path, StepState::Soon),
        ]
    };
    let count = move || {
        let all = steps();
        let done = all.iter().filter(|s| s.3 == StepState::Done).count();
        (done, all.len())
    };

    view! {
        <section class="card p-5 sm:p-6" aria-labelledby="getting-started-title" data-testid="getting-started">
            <h2 id="getting-started-title" class="font-semibold text-slate-900">
                {t(Key::GettingStartedTitle)}
            </h2>
            <p class="mt-1 text-sm text-slate-600">{t(Key::GettingStartedHint)}</p>
            <div class="mt-4 flex items-center gap-3">
                <div class="h-2 flex-1 overflow-hidden rounded-full bg-slate-100" aria-hidden="true">
                    <div
                        class="h-full rounded-full bg-brand-600 transition-all"
                        style=move || {
                            let (done, total) = count();
                            format!("width: {}%", done * 100 / total.max(1))
                        }
                    ></div>
                </div>
                <p class="shrink-0 text-xs font-medium text-slate-600">
                    {move || {
                        let (done, total) = count();
                        fill(
                            i18n.lang().t(Key::StepsProgress),
                            &[("done", &done.to_string()), ("total", &total.to_string())],
                        )
                    }}
                </p>
            </div>
            <ol role="list" class="mt-5 space-y-1">
                {move || {
                    steps()
                        .into_iter()
                        .map(|(title, hint, href, state)| view! { <Step title hint href state/> })
                        .collect_view()
                }}
            </ol>
        </section>
    }
    .into_any()
}

#[component]
fn Step(title: Key, hint: Key, href: &'static str, state: StepState) -> impl IntoView {
    let (icon, icon_class, status) = match state {
        StepState::Done => {
            (IconName::Check, "bg-emerald-500 text-white ring-emerald-500", Key::StepDone)
        }
        StepState::Todo => {
            (IconName::Circle, "bg-white text-transparent ring-slate-300", Key::StepTodo)
        }
        StepState::Soon => {
            (IconName::Clock, "bg-slate-50 text-slate-400 ring-slate-200", Key::StepSoon)
        }
    };
    view! {
        <li>
            <a
                href=href
                class="-mx-2 flex items-start gap-3 rounded-lg p-2 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-brand-600"
                data-state=match state {
                    StepState::Done => "done",
                    StepState::Todo => "todo",
                    StepState::Soon => "soon",
                }
            >
                <span class=format!("mt-0.5 grid size-6 shrink-0 place-items-center rounded-full ring-1 {icon_class}")>
                    <Icon icon class="size-4"/>
                </span>
                <span class="min-w-0 flex-1">
                    <span class=if state == StepState::Done {
                        "block text-sm font-medium text-slate-500 line-through decoration-slate-300"
                    } else {
                        "block text-sm font-medium text-slate-900"
                    }>{t(title)}</span>
                    <span class="block text-xs leading-5 text-slate-500">{t(hint)}</span>
                </span>
                <span class="sr-only">{t(status)}</span>
                {(state == StepState::Soon)
                    .then(|| view! { <span class="badge shrink-0">{t(Key::UpcomingBadge)}</span> })}
            </a>
        </li>
    }
    .into_any()
}
