//! "Only if": a rule's conditions, each with the inputs of its kind.

use leptos::prelude::*;
use shared::{
    ai::WorkingWindow,
    automation::{AssignmentState, AttributeOp, Condition, TagsMode, MAX_CONDITIONS},
    i18n::Key,
};

use super::{
    draft::{ConditionForm, ConditionKind, ASSIGNMENT_STATES, ATTRIBUTE_OPS, STATUSES, TAGS_MODES},
    rule::Choices,
};
use crate::components::hours::WorkingHoursEditor;
use crate::components::icons::{Icon, IconName};
use crate::components::problems::{PathProblem, PathProblems};
use crate::i18n::{t, use_i18n};

/// One condition of the form: what is typed, and its time windows (the hours editor works on a
/// signal of its own). `id` keeps its inputs in place while others are added or removed.
#[derive(Clone, Copy)]
pub struct ConditionRow {
    id: u64,
    form: RwSignal<ConditionForm>,
    windows: RwSignal<Vec<WorkingWindow>>,
}

impl ConditionRow {
    fn new(form: ConditionForm, windows: Vec<WorkingWindow>) -> Self {
        ConditionRow {
            id: super::next_row_id(),
            form: RwSignal::new(form),
            windows: RwSignal::new(windows),
        }
    }

    pub fn of(condition: &Condition) -> Self {
        let (form, windows) = ConditionForm::of(condition);
        Self::new(form, windows)
    }

    pub fn condition(&self) -> Condition {
        self.form.with_untracked(|f| f.condition(self.windows.get_untracked()))
    }
}

#[component]
pub fn ConditionList(
    rows: RwSignal<Vec<ConditionRow>>,
    problems: PathProblems,
    choices: Choices,
) -> impl IntoView {
    let i18n = use_i18n();
    let count = Memo::new(move |_| rows.with(Vec::len));
    // Rows added later belong to the form, not to the click that added them.
    let owner = Owner::current();
    let add = move |_| {
        let make = || ConditionRow::of(&Condition::TextContains { values: Vec::new() });
        let row = match &owner {
            Some(owner) => owner.with(make),
            None => make(),
        };
        rows.update(|r| r.push(row));
    };
    view! {
        <fieldset class="space-y-3" data-testid="rule-conditions">
            <legend class="text-sm font-semibold text-slate-800">{t(Key::RuleIf)}</legend>
            <Show when=move || count.get() == 0>
                <p class="text-xs leading-5 text-slate-500" data-testid="rule-conditions-none">{t(Key::RuleIfHint)}</p>
            </Show>
            <ul role="list" class="space-y-3">
                <For each=move || rows.get() key=|row| row.id let:row>
                    {
                        let index = Memo::new(move |_| {
                            rows.with(|all| all.iter().position(|r| r.id == row.id).unwrap_or(0))
                        });
                        let remove = move |_| rows.update(|all| all.retain(|r| r.id != row.id));
                        view! {
                            <ConditionItem row index choices problems>
                                <button
                                    type="button"
                                    class="btn-icon size-9 shrink-0"
                                    data-testid="rule-condition-remove"
                                    title=move || i18n.lang().t(Key::RuleRemoveCondition)
                                    on:click=remove
                                >
                                    <Icon icon=IconName::Trash class="size-4"/>
                                    <span class="sr-only">{t(Key::RuleRemoveCondition)}</span>
                                </button>
                            </ConditionItem>
                        }
                    }
                </For>
            </ul>
            <PathProblem problems path="conditions".to_owned()/>
            <button
                type="button"
                class="btn btn-secondary btn-sm"
                data-testid="rule-condition-add"
                disabled=move || { count.get() >= MAX_CONDITIONS }
                on:click=add
            >
                <Icon icon=IconName::Plus class="size-4"/>
                <span>{t(Key::RuleAddCondition)}</span>
            </button>
        </fieldset>
    }
    .into_any()
}

#[component]
fn ConditionItem(
    row: ConditionRow,
    index: Memo<usize>,
    choices: Choices,
    problems: PathProblems,
    /// The remove button.
    children: Children,
) -> impl IntoView {
    let i18n = use_i18n();
    let form = row.form;
    let kind = Memo::new(move |_| form.with(|f| f.kind));
    let path = Signal::derive(move || format!("conditions[{}]", index.get()));
    let invalid = move |name: &'static str| {
        move || {
            let field = format!("{}.{name}", path.get());
            if problems.under(&field).is_some() {
                "input input-invalid"
            } else {
                "input"
            }
        }
    };
    let body = move || {
        match kind.get() {
        ConditionKind::TextContains => view! {
            <input
                class=invalid("values")
                data-testid="rule-condition-values"
                autocomplete="off"
                placeholder="boleto, pix"
                aria-label=move || i18n.lang().t(Key::CondTexts)
                prop:value=move || form.with(|f| f.values.clone())
                on:input=move |ev| form.update(|f| f.values = event_target_value(&ev))
            />
            <p class="text-xs leading-5 text-slate-500">{t(Key::CondTexts)}</p>
        }
        .into_any(),
        ConditionKind::TextMatches => view! {
            <input
                class=move || format!("{} font-mono", invalid("pattern")())
                data-testid="rule-condition-pattern"
                autocomplete="off"
                spellcheck="false"
                aria-label=move || i18n.lang().t(Key::CondPattern)
                prop:value=move || form.with(|f| f.pattern.clone())
                on:input=move |ev| form.update(|f| f.pattern = event_target_value(&ev))
            />
            <p class="text-xs leading-5 text-slate-500">{t(Key::CondPatternHint)}</p>
        }
        .into_any(),
        ConditionKind::Tags => view! {
            <div class="grid gap-2 sm:grid-cols-[minmax(0,14rem)_minmax(0,1fr)]">
                <select
                    class="input"
                    data-testid="rule-condition-tags-mode"
                    aria-label=move || i18n.lang().t(Key::CondTags)
                    prop:value=move || mode_value(form.with(|f| f.tags_mode))
                    on:change=move |ev| {
                        let raw = event_target_value(&ev);
                        if let Some((mode, _, _)) = TAGS_MODES.iter().find(|(_, v, _)| *v == raw) {
                            form.update(|f| f.tags_mode = *mode);
                        }
                    }
                >
                    {TAGS_MODES
                        .into_iter()
                        .map(|(mode, value, key)| view! {
                            <option value=value selected=move || form.with(|f| f.tags_mode == mode)>{t(key)}</option>
                        })
                        .collect_view()}
                </select>
                <input
                    class=invalid("tags")
                    data-testid="rule-condition-tags"
                    autocomplete="off"
                    placeholder="vip, lead"
                    aria-label=move || i18n.lang().t(Key::CondTagsList)
                    prop:value=move || form.with(|f| f.tags.clone())
                    on:input=move |ev| form.update(|f| f.tags = event_target_value(&ev))
                />
            </div>
            <p class="text-xs leading-5 text-slate-500">
                {t(Key::CondTagsList)}
                {move || {
                    let known: Vec<String> =
                        choices.tags.get().unwrap_or_default().into_iter().take(12).map(|t| t.tag).collect();
                    (!known.is_empty()).then(|| format!(": {}", known.join(", ")))
                }}
            </p>
        }
        .into_any(),
        ConditionKind::Attribute => view! {
            <div class="grid gap-2 sm:grid-cols-3">
                <input
                    class=invalid("field")
                    data-testid="rule-condition-field"
                    list="rule-known-fields"
                    autocomplete="off"
                    placeholder="plan"
                    aria-label=move || i18n.lang().t(Key::SegmentField)
                    prop:value=move || form.with(|f| f.field.clone())
                    on:input=move |ev| form.update(|f| f.field = event_target_value(&ev))
                />
                <select
                    class="input"
                    data-testid="rule-condition-op"
                    aria-label=move || i18n.lang().t(Key::SegmentComparison)
                    prop:value=move || op_value(form.with(|f| f.op))
                    on:change=move |ev| {
                        let raw = event_target_value(&ev);
                        if let Some((op, _, _)) = ATTRIBUTE_OPS.iter().find(|(_, v, _)| *v == raw) {
                            form.update(|f| f.op = *op);
                        }
                    }
                >
                    {ATTRIBUTE_OPS
                        .into_iter()
                        .map(|(op, value, key)| view! {
                            <option value=value selected=move || form.with(|f| f.op == op)>{t(key)}</option>
                        })
                        .collect_view()}
                </select>
                <Show when=move || form.with(|f| f.op.needs_value())>
                    <input
                        class=invalid("value")
                        data-testid="rule-condition-value"
                        autocomplete="off"
                        aria-label=move || i18n.lang().t(Key::SegmentValue)
                        prop:value=move || form.with(|f| f.value.clone())
                        on:input=move |ev| form.update(|f| f.value = event_target_value(&ev))
                    />
                </Show>
            </div>
            <p class="text-xs leading-5 text-slate-500">{t(Key::CondAttributeFieldHint)}</p>
        }
        .into_any(),
        ConditionKind::Connection => view! {
            <div class="flex flex-wrap gap-x-5 gap-y-2">
                {move || {
                    let all = choices.connections.get().unwrap_or_default();
                    if all.is_empty() {
                        return view! { <p class="text-sm text-slate-500">{t(Key::CondNoConnections)}</p> }.into_any();
                    }
                    all.into_iter()
                        .map(|c| {
                            let id = c.id;
                            view! {
                                <label class="flex items-center gap-2 text-sm text-slate-700">
                                    <input
                                        type="checkbox"
                                        class="size-4 rounded border-slate-300 text-brand-600"
                                        data-testid="rule-condition-connection"
                                        data-id=id.to_string()
                                        prop:checked=move || form.with(|f| f.connection_ids.contains(&id))
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            form.update(|f| {
                                                f.connection_ids.retain(|other| *other != id);
                                                if on {
                                                    f.connection_ids.push(id);
                                                }
                                            });
                                        }
                                    />
                                    {c.name}
                                </label>
                            }
                        })
                        .collect_view()
                        .into_any()
                }}
            </div>
        }
        .into_any(),
        ConditionKind::Status => view! {
            <div class="flex flex-wrap gap-x-5 gap-y-2">
                {STATUSES
                    .into_iter()
                    .map(|(status, key)| view! {
                        <label class="flex items-center gap-2 text-sm text-slate-700">
                            <input
                                type="checkbox"
                                class="size-4 rounded border-slate-300 text-brand-600"
                                data-testid="rule-condition-status"
                                data-status=status
                                prop:checked=move || form.with(|f| f.statuses.iter().any(|s| s == status))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    form.update(|f| {
                                        f.statuses.retain(|s| s != status);
                                        if on {
                                            f.statuses.push(status.to_owned());
                                        }
                                    });
                                }
                            />
                            {t(key)}
                        </label>
                    })
                    .collect_view()}
            </div>
        }
        .into_any(),
        ConditionKind::Assignment => view! {
            <select
                class="input sm:max-w-xs"
                data-testid="rule-condition-assignment"
                aria-label=move || i18n.lang().t(Key::CondAssignment)
                prop:value=move || assignment_value(form.with(|f| f.assignment))
                on:change=move |ev| {
                    let raw = event_target_value(&ev);
                    if let Some((state, _, _)) = ASSIGNMENT_STATES.iter().find(|(_, v, _)| *v == raw) {
                        form.update(|f| f.assignment = *state);
                    }
                }
            >
                {ASSIGNMENT_STATES
                    .into_iter()
                    .map(|(state, value, key)| view! {
                        <option value=value selected=move || form.with(|f| f.assignment == state)>{t(key)}</option>
                    })
                    .collect_view()}
            </select>
        }
        .into_any(),
        ConditionKind::BusinessHours => view! {
            <select
                class="input sm:max-w-sm"
                data-testid="rule-condition-business-hours"
                aria-label=move || i18n.lang().t(Key::CondBusinessHours)
                prop:value=move || if form.with(|f| f.outside) { "outside" } else { "inside" }
                on:change=move |ev| {
                    let outside = event_target_value(&ev) == "outside";
                    form.update(|f| f.outside = outside);
                }
            >
                <option value="inside" selected=move || !form.with(|f| f.outside)>{t(Key::CondInsideHours)}</option>
                <option value="outside" selected=move || form.with(|f| f.outside)>{t(Key::CondOutsideHours)}</option>
            </select>
        }
        .into_any(),
        ConditionKind::TimeWindow => view! {
            <WorkingHoursEditor windows=row.windows testid="rule-hours" legend=Key::CondHours hint=Key::CondHoursHint/>
        }
        .into_any(),
    }
    };
    view! {
        <li
            class="space-y-2 rounded-lg bg-slate-50 p-3 ring-1 ring-slate-200 sm:p-4"
            data-testid="rule-condition"
            data-index=move || index.get().to_string()
            data-type=move || kind.get().as_str()
        >
            <div class="flex items-start gap-2">
                <select
                    class="input min-w-0 flex-1"
                    data-testid="rule-condition-type"
                    aria-label=move || i18n.lang().t(Key::ConditionLabel)
                    prop:value=move || kind.get().as_str()
                    on:change=move |ev| {
                        if let Some(k) = ConditionKind::parse(&event_target_value(&ev)) {
                            form.update(|f| f.kind = k);
                        }
                    }
                >
                    {ConditionKind::ALL
                        .into_iter()
                        .map(|k| view! { <option value=k.as_str() selected=move || kind.get() == k>{t(k.key())}</option> })
                        .collect_view()}
                </select>
                {children()}
            </div>
            {body}
            <PathProblem problems path/>
        </li>
    }
    .into_any()
}

fn mode_value(mode: TagsMode) -> &'static str {
    TAGS_MODES.iter().find(|(m, _, _)| *m == mode).map_or("any", |(_, v, _)| v)
}

fn op_value(op: AttributeOp) -> &'static str {
    ATTRIBUTE_OPS.iter().find(|(o, _, _)| *o == op).map_or("equals", |(_, v, _)| v)
}

fn assignment_value(state: AssignmentState) -> &'static str {
    ASSIGNMENT_STATES.iter().find(|(s, _, _)| *s == state).map_or("unassigned", |(_, v, _)| v)
}
