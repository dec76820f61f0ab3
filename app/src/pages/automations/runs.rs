//! A rule's execution log: its latest runs, newest first — when, for whom, what set it off, how
//! it ended and what each action did. New runs come in live (`automation.ran` of this rule).

use leptos::prelude::*;
use shared::{
    automation::{AutomationRunDto, RunOutcome, RunStep},
    i18n::Key,
    ServerEvent,
};
use uuid::Uuid;

use super::draft::{trigger_key, ActionKind};
use crate::api::use_api;
use crate::components::feedback::{ListError, ListLoading};
use crate::components::icons::{Icon, IconName};
use crate::i18n::{t, use_i18n};
use crate::live::use_live;
use crate::pages::format_local_datetime;

/// How many runs the log shows.
const RUNS_SHOWN: u32 = 50;

/// The badge of an outcome: its `data-outcome`, its label and its colours.
pub fn outcome_badge(outcome: RunOutcome) -> (&'static str, Key, &'static str) {
    match outcome {
        RunOutcome::Done => (
            "done",
            Key::RunDone,
            "bg-emerald-50 text-emerald-700 ring-1 ring-emerald-200 ring-inset",
        ),
        RunOutcome::Failed => {
            ("failed", Key::RunFailed, "bg-red-50 text-red-700 ring-1 ring-red-200 ring-inset")
        }
        RunOutcome::Skipped => ("skipped", Key::RunSkipped, "bg-slate-100 text-slate-600"),
    }
}

#[component]
pub fn RunsLog(rule_id: Uuid) -> impl IntoView {
    let api = use_api();
    let live = use_live();
    let version = RwSignal::new(0u64);
    let runs = RwSignal::new(None::<Result<Vec<AutomationRunDto>, Key>>);
    live.subscribe(move |event| {
        if matches!(event, ServerEvent::AutomationRan { rule_id: ran } if *ran == rule_id) {
            version.try_update(|v| *v += 1);
        }
    });
    Effect::new(move |_| {
        version.get();
        live.resync_version();
        leptos::task::spawn_local(async move {
            let path = format!("/automation-rules/{rule_id}/runs?limit={RUNS_SHOWN}");
            let result = api.get::<Vec<AutomationRunDto>>(&path).await;
            runs.try_set(Some(result.map_err(|f| f.key())));
        });
    });
    let head = "px-2 text-xs font-medium tracking-wide text-slate-500 uppercase";
    view! {
        <section class="card" data-testid="rule-runs">
            <div class="border-b border-slate-100 px-5 py-4 sm:px-6">
                <h2 class="font-semibold text-slate-900">{t(Key::RunsTitle)}</h2>
                <p class="mt-1 text-sm leading-6 text-slate-600">{t(Key::RunsHint)}</p>
            </div>
            <div class="px-3 py-3 sm:px-4">
                {move || match runs.get() {
                    None => view! { <div class="px-2"><ListLoading/></div> }.into_any(),
                    Some(Err(key)) => {
                        view! { <ListError key retry=Callback::new(move |_| version.update(|v| *v += 1))/> }
                            .into_any()
                    }
                    Some(Ok(list)) if list.is_empty() => view! {
                        <p class="px-2 py-3 text-sm text-slate-500" data-testid="rule-runs-empty">{t(Key::NoRuns)}</p>
                    }
                    .into_any(),
                    Some(Ok(list)) => view! {
                        <div role="table" class="text-sm">
                            <div role="row" class="hidden py-2 md:grid md:grid-cols-[9rem_minmax(0,11rem)_minmax(0,11rem)_6rem_minmax(0,1fr)]">
                                <span role="columnheader" class=head>{t(Key::RunWhen)}</span>
                                <span role="columnheader" class=head>{t(Key::RunContact)}</span>
                                <span role="columnheader" class=head>{t(Key::RunTrigger)}</span>
                                <span role="columnheader" class=head>{t(Key::RunOutcomeLabel)}</span>
                                <span role="columnheader" class=head>{t(Key::RunStepsLabel)}</span>
                            </div>
                            <ul role="rowgroup" class="divide-y divide-slate-100">
                                {list.into_iter().map(|run| view! { <RunItem run/> }).collect_view()}
                            </ul>
                        </div>
                    }
                    .into_any(),
                }}
            </div>
        </section>
    }
    .into_any()
}

#[component]
fn RunItem(run: AutomationRunDto) -> impl IntoView {
    let (outcome, outcome_key, outcome_class) = outcome_badge(run.outcome);
    let contact = run.contact_name.clone().unwrap_or_else(|| "—".to_owned());
    let skipped = run.outcome == RunOutcome::Skipped;
    view! {
        <li
            role="row"
            class="grid grid-cols-[minmax(0,1fr)_auto] gap-x-3 gap-y-1 px-2 py-3 md:grid-cols-[9rem_minmax(0,11rem)_minmax(0,11rem)_6rem_minmax(0,1fr)] md:gap-y-0"
            data-testid="rule-run"
            data-id=run.id.to_string()
            data-outcome=outcome
        >
            <time
                role="cell"
                class="text-xs text-slate-500 tabular-nums md:px-2 md:text-sm md:text-slate-700"
                datetime=run.created_at.to_rfc3339()
                data-testid="rule-run-time"
            >
                {format_local_datetime(&run.created_at)}
            </time>
            <span role="cell" class="col-start-1 min-w-0 font-medium break-words text-slate-900 md:col-start-auto md:px-2" data-testid="rule-run-contact">
                {match run.conversation_id {
                    Some(id) => view! { <a href=format!("/inbox?c={id}") class="link" data-testid="rule-run-conversation">{contact}</a> }.into_any(),
                    None => contact.into_any(),
                }}
            </span>
            <span role="cell" class="col-start-1 min-w-0 text-xs text-slate-600 md:col-start-auto md:px-2 md:text-sm" data-testid="rule-run-trigger" data-trigger=run.trigger.as_str()>
                {t(trigger_key(run.trigger))}
            </span>
            <span role="cell" class="col-start-2 row-start-1 md:col-start-auto md:row-start-auto md:px-2">
                <span class=format!("badge {outcome_class}") data-testid="rule-run-outcome" data-outcome=outcome>
                    {t(outcome_key)}
                </span>
            </span>
            <div role="cell" class="col-span-2 min-w-0 pt-1 md:col-span-1 md:px-2 md:pt-0">
                {skipped.then(|| view! { <p class="text-xs text-slate-500">{t(Key::RunSkippedHint)}</p> })}
                <ul role="list" class="space-y-1">
                    {run.steps.into_iter().map(|step| view! { <StepLine step/> }).collect_view()}
                </ul>
            </div>
        </li>
    }
    .into_any()
}

/// One action of a run: ok or failed, which action, and what happened.
#[component]
fn StepLine(step: RunStep) -> impl IntoView {
    let i18n = use_i18n();
    let kind = ActionKind::parse(&step.action);
    let action = step.action.clone();
    let (icon, colour, status) = if step.ok {
        (IconName::Check, "mt-0.5 size-3.5 shrink-0 text-emerald-600", Key::RunStepOk)
    } else {
        (IconName::Warning, "mt-0.5 size-3.5 shrink-0 text-red-600", Key::RunStepFailed)
    };
    view! {
        <li class="flex items-start gap-1.5 text-xs leading-5" data-testid="rule-run-step" data-ok=step.ok.to_string() data-action=step.action.clone()>
            <Icon icon class=colour/>
            <span class="sr-only">{t(status)}</span>
            <span class="min-w-0 break-words text-slate-700">
                <span class="font-medium">
                    {move || match kind {
                        Some(kind) => i18n.lang().t(kind.key()).to_owned(),
                        None => action.clone(),
                    }}
                </span>
                {(!step.detail.is_empty()).then(|| format!(" — {}", step.detail))}
            </span>
        </li>
    }
    .into_any()
}
