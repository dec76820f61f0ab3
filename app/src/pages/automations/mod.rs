//! The automations area: the rule list (`/automations`), a rule's editor with its execution log
//! (`/automations/new`, `/automations/:id`).
//!
//! Owners and admins change rules; agents see the same screens read-only (the API answers `403`
//! to their changes anyway). The list follows `automations.changed` and `automation.ran`, so run
//! counts move while it is open.

pub mod actions;
pub mod conditions;
pub mod draft;
pub mod rule;
pub mod runs;
pub mod summary;

use leptos::prelude::*;
use shared::{
    automation::{AutomationRuleDto, UpdateAutomationRuleRequest},
    i18n::Key,
};
use uuid::Uuid;

use crate::api::use_api;
use crate::components::feedback::{ListError, ListLoading};
use crate::components::icons::{Icon, IconName};
use crate::components::layout::PageTitle;
use crate::components::toast::use_toasts;
use crate::i18n::{fill, t, use_i18n};
use crate::live::use_live;
use crate::pages::format_local_datetime;
use crate::pages::settings::ReadOnlyNote;

pub use rule::RulePage;

/// A new key for a condition or action row of the form (keeps its inputs in place while other
/// rows come, go and move).
fn next_row_id() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

pub use crate::auth::use_manager;

/// An on/off switch: a real checkbox (for keyboards and screen readers) drawn as a slider.
#[component]
pub fn Switch(
    checked: Signal<bool>,
    on_change: Callback<bool>,
    /// `data-testid` of the checkbox; the label around it gets `<testid>-label`.
    testid: &'static str,
    #[prop(into)] label: Signal<String>,
    /// Shows the label next to the slider (otherwise it is only read out).
    #[prop(optional)]
    visible_label: bool,
    #[prop(into, optional)] disabled: Signal<bool>,
) -> impl IntoView {
    view! {
        <label
            class="inline-flex cursor-pointer items-center gap-3 text-sm font-medium text-slate-800 has-disabled:cursor-default has-disabled:opacity-70"
            data-testid=format!("{testid}-label")
        >
            <input
                type="checkbox"
                role="switch"
                class="peer sr-only"
                data-testid=testid
                disabled=move || disabled.get()
                prop:checked=move || checked.get()
                on:change=move |ev| on_change.run(event_target_checked(&ev))
            />
            <span
                aria-hidden="true"
                class="relative inline-flex h-6 w-11 shrink-0 rounded-full bg-slate-300 transition-colors peer-checked:bg-brand-600 peer-focus-visible:outline-2 peer-focus-visible:outline-offset-2 peer-focus-visible:outline-brand-600 after:absolute after:top-0.5 after:left-0.5 after:size-5 after:rounded-full after:bg-white after:shadow after:transition-transform peer-checked:after:translate-x-5"
            ></span>
            <span class=if visible_label { "" } else { "sr-only" }>{move || label.get()}</span>
        </label>
    }
    .into_any()
}

#[component]
pub fn AutomationsPage() -> impl IntoView {
    let api = use_api();
    let live = use_live();
    let manager = use_manager();
    let retry = RwSignal::new(0u64);
    let rules = RwSignal::new(None::<Result<Vec<AutomationRuleDto>, Key>>);
    Effect::new(move |_| {
        retry.get();
        live.automations_version();
        leptos::task::spawn_local(async move {
            let result = api.get::<Vec<AutomationRuleDto>>("/automation-rules").await;
            rules.try_set(Some(result.map_err(|f| f.key())));
        });
    });

    view! {
        <PageTitle key=Key::NavAutomations/>
        <div class="mb-6 flex flex-wrap items-end justify-between gap-4">
            <div class="min-w-0">
                <h1 class="text-2xl font-semibold tracking-tight text-slate-900">{t(Key::NavAutomations)}</h1>
                <p class="mt-1.5 max-w-2xl text-sm leading-6 text-slate-600">{t(Key::AutomationsSubtitle)}</p>
            </div>
            <div class="flex flex-wrap gap-2">
                <a href="/settings/business-hours" class="btn btn-secondary" data-testid="automations-business-hours">
                    <Icon icon=IconName::Clock class="size-5 text-slate-500"/>
                    <span>{t(Key::NavBusinessHours)}</span>
                </a>
                <Show when=move || manager.get()>
                    <a href="/automations/new" class="btn btn-primary" data-testid="automation-new">
                        <Icon icon=IconName::Plus class="size-5"/>
                        <span>{t(Key::NewRule)}</span>
                    </a>
                </Show>
            </div>
        </div>
        <Show when=move || !manager.get()>
            <div class="mb-4">
                <ReadOnlyNote key=Key::AutomationsReadOnly/>
            </div>
        </Show>
        {move || match rules.get() {
            None => view! { <ListLoading/> }.into_any(),
            Some(Err(key)) => {
                view! { <ListError key retry=Callback::new(move |_| retry.update(|v| *v += 1))/> }
                    .into_any()
            }
            Some(Ok(list)) if list.is_empty() => view! {
                <section class="card flex flex-col items-center px-6 py-12 text-center" data-testid="automations-empty">
                    <div class="grid size-12 place-items-center rounded-2xl bg-orange-50 text-orange-600 ring-1 ring-orange-100">
                        <Icon icon=IconName::Bolt class="size-6"/>
                    </div>
                    <h2 class="mt-4 font-semibold text-slate-900">{t(Key::NoRules)}</h2>
                    <p class="mt-1.5 max-w-md text-sm leading-6 text-slate-600">{t(Key::NoRulesHint)}</p>
                </section>
            }
            .into_any(),
            Some(Ok(list)) => view! {
                <ul role="list" class="card divide-y divide-slate-100" data-testid="automations-list">
                    {list
                        .into_iter()
                        .map(|rule| view! { <RuleRow rule rules manager/> })
                        .collect_view()}
                </ul>
            }
            .into_any(),
        }}
    }
    .into_any()
}

/// One rule: its name and summary, how often it ran, and its switch.
#[component]
fn RuleRow(
    rule: AutomationRuleDto,
    rules: RwSignal<Option<Result<Vec<AutomationRuleDto>, Key>>>,
    manager: Signal<bool>,
) -> impl IntoView {
    let api = use_api();
    let i18n = use_i18n();
    let toasts = use_toasts();
    let id = rule.id;
    let enabled = RwSignal::new(rule.enabled);
    let busy = RwSignal::new(false);
    let summary = {
        let rule = rule.clone();
        move || {
            summary::rule_summary(&rule.trigger, rule.conditions.len(), &rule.actions, i18n.lang())
        }
    };
    let (runs, last_run_at) = (rule.runs, rule.last_run_at);
    let runs_line = move || {
        let lang = i18n.lang();
        let count = match runs {
            0 => return lang.t(Key::RuleNeverRan).to_owned(),
            1 => lang.t(Key::RuleRunsOne).to_owned(),
            n => fill(lang.t(Key::RuleRunsMany), &[("count", &n.to_string())]),
        };
        match last_run_at {
            Some(at) => format!(
                "{count} · {}",
                fill(lang.t(Key::RuleLastRun), &[("when", &format_local_datetime(&at))])
            ),
            None => count,
        }
    };
    let toggle = Callback::new(move |on: bool| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        enabled.set(on);
        leptos::task::spawn_local(async move {
            let request = UpdateAutomationRuleRequest { enabled: Some(on), ..Default::default() };
            let result = api
                .patch::<_, AutomationRuleDto>(&format!("/automation-rules/{id}"), &request)
                .await;
            busy.try_set(false);
            match result {
                Ok(saved) => {
                    enabled.try_set(saved.enabled);
                    set_rule(rules, id, saved);
                    toasts.success(if on { Key::RuleTurnedOn } else { Key::RuleTurnedOff });
                }
                Err(failure) => {
                    enabled.try_set(!on);
                    toasts.error(failure.key());
                }
            }
        });
    });
    view! {
        <li
            class="relative flex items-start gap-4 px-5 py-4 hover:bg-slate-50 sm:px-6"
            data-testid="automation-row"
            data-id=id.to_string()
            data-name=rule.name.clone()
            data-enabled=move || enabled.get().to_string()
        >
            <div class="min-w-0 flex-1">
                <a
                    href=format!("/automations/{id}")
                    class="font-semibold break-words text-slate-900 after:absolute after:inset-0 hover:text-brand-700"
                    data-testid="automation-link"
                >
                    {rule.name.clone()}
                </a>
                <p class="mt-0.5 text-sm break-words text-slate-600" data-testid="automation-summary">{summary}</p>
                <p class="mt-1 flex items-center gap-1.5 text-xs text-slate-500" data-testid="automation-runs" data-runs=runs.to_string()>
                    <Icon icon=IconName::Clock class="size-3.5 shrink-0"/>
                    {runs_line}
                </p>
            </div>
            // Above the row's link, so switching does not open the rule.
            <div class="relative z-10 shrink-0 pt-0.5">
                <Switch
                    checked=enabled.into()
                    on_change=toggle
                    testid="automation-enabled"
                    label=Signal::derive(move || i18n.lang().t(Key::RuleOnOff).to_owned())
                    disabled=Signal::derive(move || !manager.get() || busy.get())
                />
            </div>
        </li>
    }
    .into_any()
}

/// Puts the saved version of rule `id` in the list, without a refetch.
fn set_rule(
    rules: RwSignal<Option<Result<Vec<AutomationRuleDto>, Key>>>,
    id: Uuid,
    saved: AutomationRuleDto,
) {
    rules.try_update_untracked(|current| {
        if let Some(Ok(list)) = current {
            if let Some(rule) = list.iter_mut().find(|r| r.id == id) {
                *rule = saved;
            }
        }
    });
}
