//! "Then": a rule's actions, in the order they run, each with the inputs of its kind.

use leptos::prelude::*;
use shared::{
    automation::{Action, MAX_ACTIONS},
    i18n::Key,
};

use super::{
    draft::{ActionForm, ActionKind, Invalid},
    rule::Choices,
};
use crate::components::icons::{Icon, IconName};
use crate::components::problems::{PathProblem, PathProblems};
use crate::i18n::{fill, t, use_i18n};

/// At most this many values for a template's variables.
const MAX_VARIABLES: usize = 20;

/// One action of the form. `id` keeps its inputs in place while rows move.
#[derive(Clone, Copy)]
pub struct ActionRow {
    id: u64,
    form: RwSignal<ActionForm>,
}

impl ActionRow {
    fn new(form: ActionForm) -> Self {
        ActionRow { id: super::next_row_id(), form: RwSignal::new(form) }
    }

    pub fn of(action: &Action) -> Self {
        Self::new(ActionForm::of(action))
    }

    /// # Errors
    /// See [`ActionForm::action`].
    pub fn action(&self, index: usize) -> Result<Action, Invalid> {
        self.form.with_untracked(|f| f.action(index))
    }
}

/// Moves the row with `id` one place up (`-1`) or down (`1`) when it can.
fn shift(rows: &mut [ActionRow], id: u64, by: isize) {
    let Some(at) = rows.iter().position(|r| r.id == id) else { return };
    let Some(to) = at.checked_add_signed(by).filter(|to| *to < rows.len()) else { return };
    rows.swap(at, to);
}

#[component]
pub fn ActionList(
    rows: RwSignal<Vec<ActionRow>>,
    problems: PathProblems,
    choices: Choices,
) -> impl IntoView {
    let i18n = use_i18n();
    let count = Memo::new(move |_| rows.with(Vec::len));
    // Rows added later belong to the form, not to the click that added them.
    let owner = Owner::current();
    let add = move |_| {
        let make = || ActionRow::new(ActionForm::new(ActionKind::AddLabel));
        let row = match &owner {
            Some(owner) => owner.with(make),
            None => make(),
        };
        rows.update(|r| r.push(row));
    };
    view! {
        <fieldset class="space-y-3" data-testid="rule-actions">
            <legend class="text-sm font-semibold text-slate-800">{t(Key::RuleThen)}</legend>
            <p class="text-xs leading-5 text-slate-500">{t(Key::RuleThenHint)}</p>
            <ol role="list" class="space-y-3">
                <For each=move || rows.get() key=|row| row.id let:row>
                    {
                        let id = row.id;
                        let index = Memo::new(move |_| {
                            rows.with(|all| all.iter().position(|r| r.id == id).unwrap_or(0))
                        });
                        view! {
                            <ActionItem row index choices problems>
                                <button
                                    type="button"
                                    class="btn-icon size-9 shrink-0"
                                    data-testid="rule-action-up"
                                    title=move || i18n.lang().t(Key::MoveUp)
                                    disabled=move || index.get() == 0
                                    on:click=move |_| rows.update(|all| shift(all, id, -1))
                                >
                                    <Icon icon=IconName::ChevronDown class="size-4 rotate-180"/>
                                    <span class="sr-only">{t(Key::MoveUp)}</span>
                                </button>
                                <button
                                    type="button"
                                    class="btn-icon size-9 shrink-0"
                                    data-testid="rule-action-down"
                                    title=move || i18n.lang().t(Key::MoveDown)
                                    disabled=move || { index.get() + 1 >= count.get() }
                                    on:click=move |_| rows.update(|all| shift(all, id, 1))
                                >
                                    <Icon icon=IconName::ChevronDown class="size-4"/>
                                    <span class="sr-only">{t(Key::MoveDown)}</span>
                                </button>
                                <button
                                    type="button"
                                    class="btn-icon size-9 shrink-0"
                                    data-testid="rule-action-remove"
                                    title=move || i18n.lang().t(Key::RuleRemoveAction)
                                    on:click=move |_| rows.update(|all| all.retain(|r| r.id != id))
                                >
                                    <Icon icon=IconName::Trash class="size-4"/>
                                    <span class="sr-only">{t(Key::RuleRemoveAction)}</span>
                                </button>
                            </ActionItem>
                        }
                    }
                </For>
            </ol>
            <PathProblem problems path="actions".to_owned()/>
            <button
                type="button"
                class="btn btn-secondary btn-sm"
                data-testid="rule-action-add"
                disabled=move || { count.get() >= MAX_ACTIONS }
                on:click=add
            >
                <Icon icon=IconName::Plus class="size-4"/>
                <span>{t(Key::RuleAddAction)}</span>
            </button>
        </fieldset>
    }
    .into_any()
}

#[component]
fn ActionItem(
    row: ActionRow,
    index: Memo<usize>,
    choices: Choices,
    problems: PathProblems,
    /// The move and remove buttons.
    children: Children,
) -> impl IntoView {
    let i18n = use_i18n();
    let form = row.form;
    let kind = Memo::new(move |_| form.with(|f| f.kind));
    let path = Signal::derive(move || format!("actions[{}]", index.get()));
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
    let hint = |key: Key| view! { <p class="text-xs leading-5 text-slate-500">{t(key)}</p> };
    let body = move || {
        match kind.get() {
        ActionKind::AddLabel | ActionKind::RemoveLabel => view! {
            <input
                class=invalid("label")
                data-testid="rule-action-label"
                autocomplete="off"
                maxlength="40"
                placeholder="vendas"
                aria-label=move || i18n.lang().t(Key::ActLabel)
                prop:value=move || form.with(|f| f.label.clone())
                on:input=move |ev| form.update(|f| f.label = event_target_value(&ev))
            />
        }
        .into_any(),
        ActionKind::AddTag | ActionKind::RemoveTag => view! {
            <input
                class=invalid("tag")
                data-testid="rule-action-tag"
                list="rule-known-tags"
                autocomplete="off"
                placeholder="lead"
                aria-label=move || i18n.lang().t(Key::TriggerTag)
                prop:value=move || form.with(|f| f.tag.clone())
                on:input=move |ev| form.update(|f| f.tag = event_target_value(&ev))
            />
        }
        .into_any(),
        ActionKind::ReplyText => view! {
            <textarea
                rows="3"
                class=invalid("text")
                data-testid="rule-action-text"
                aria-label=move || i18n.lang().t(Key::ActReplyMessage)
                placeholder="Olá {{contact.first_name|amigo}}, já vamos te responder!"
                prop:value=move || form.with(|f| f.text.clone())
                on:input=move |ev| form.update(|f| f.text = event_target_value(&ev))
            ></textarea>
            {hint(Key::ActReplyTextHint)}
        }
        .into_any(),
        ActionKind::ReplyTemplate => view! { <TemplateInputs form choices invalid_name=invalid("name") invalid_language=invalid("language")/> }.into_any(),
        ActionKind::AssignAgent => view! {
            <select
                class=invalid("user_id")
                data-testid="rule-action-user"
                aria-label=move || i18n.lang().t(Key::ActTeammate)
                prop:value=move || {
                    choices.members.track();
                    form.with(|f| f.user_id.clone())
                }
                on:change=move |ev| form.update(|f| f.user_id = event_target_value(&ev))
            >
                <option value="">{t(Key::ActChooseTeammate)}</option>
                {move || {
                    choices
                        .members
                        .get()
                        .unwrap_or_default()
                        .into_iter()
                        .map(|m| {
                            let value = m.user_id.to_string();
                            let selected = {
                                let value = value.clone();
                                move || form.with(|f| f.user_id == value)
                            };
                            view! { <option value=value selected=selected>{m.name}</option> }
                        })
                        .collect_view()
                }}
            </select>
        }
        .into_any(),
        ActionKind::SendToAi => view! {
            <select
                class=invalid("persona_id")
                data-testid="rule-action-persona"
                aria-label=move || i18n.lang().t(Key::ActPersona)
                prop:value=move || {
                    choices.personas.track();
                    form.with(|f| f.persona_id.clone())
                }
                on:change=move |ev| form.update(|f| f.persona_id = event_target_value(&ev))
            >
                <option value="">{t(Key::ActNumbersPersona)}</option>
                {move || {
                    choices
                        .personas
                        .get()
                        .unwrap_or_default()
                        .into_iter()
                        .map(|p| {
                            let value = p.id.to_string();
                            let selected = {
                                let value = value.clone();
                                move || form.with(|f| f.persona_id == value)
                            };
                            view! { <option value=value selected=selected>{p.name}</option> }
                        })
                        .collect_view()
                }}
            </select>
        }
        .into_any(),
        ActionKind::Webhook => view! {
            <input
                type="url"
                class=invalid("url")
                data-testid="rule-action-url"
                autocomplete="off"
                placeholder="https://example.com/hooks/master-ia"
                aria-label=move || i18n.lang().t(Key::ActWebhookUrl)
                prop:value=move || form.with(|f| f.url.clone())
                on:input=move |ev| form.update(|f| f.url = event_target_value(&ev))
            />
            {hint(Key::ActWebhookHint)}
        }
        .into_any(),
        ActionKind::AssignTeam => hint(Key::ActAssignTeamHint).into_any(),
        ActionKind::OptOut => hint(Key::ActOptOutHint).into_any(),
        ActionKind::Close => hint(Key::ActCloseHint).into_any(),
    }
    };
    view! {
        <li
            class="space-y-2 rounded-lg bg-slate-50 p-3 ring-1 ring-slate-200 sm:p-4"
            data-testid="rule-action"
            data-index=move || index.get().to_string()
            data-type=move || kind.get().as_str()
        >
            <div class="flex flex-wrap items-start gap-2">
                <span class="mt-2 w-5 shrink-0 text-right text-sm font-semibold text-slate-500 tabular-nums" aria-hidden="true">
                    {move || format!("{}.", index.get() + 1)}
                </span>
                <select
                    class="input min-w-0 flex-1 basis-48"
                    data-testid="rule-action-type"
                    aria-label=move || i18n.lang().t(Key::ActionLabel)
                    prop:value=move || kind.get().as_str()
                    on:change=move |ev| {
                        if let Some(k) = ActionKind::parse(&event_target_value(&ev)) {
                            form.update(|f| f.kind = k);
                        }
                    }
                >
                    {ActionKind::ALL
                        .into_iter()
                        .map(|k| view! { <option value=k.as_str() selected=move || kind.get() == k>{t(k.key())}</option> })
                        .collect_view()}
                </select>
                <div class="flex shrink-0 gap-1">{children()}</div>
            </div>
            <div class="space-y-2 sm:pl-7">{body}</div>
            <PathProblem problems path/>
        </li>
    }
    .into_any()
}

/// A template reply: pick one of the approved templates (or type its name and language), then
/// a value per variable.
#[component]
fn TemplateInputs(
    form: RwSignal<ActionForm>,
    choices: Choices,
    invalid_name: impl Fn() -> &'static str + Send + Sync + 'static,
    invalid_language: impl Fn() -> &'static str + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let chosen = move || form.with(|f| format!("{}|{}", f.template_name, f.template_language));
    let count = Memo::new(move |_| form.with(|f| f.variables.len()));
    view! {
        <select
            class="input"
            data-testid="rule-action-template"
            aria-label=move || i18n.lang().t(Key::ChooseTemplate)
            prop:value=move || {
                choices.templates.track();
                chosen()
            }
            on:change=move |ev| {
                let value = event_target_value(&ev);
                let Some((name, language)) = value.split_once('|') else { return };
                let needed = choices
                    .templates
                    .get_untracked()
                    .unwrap_or_default()
                    .into_iter()
                    .find(|t| t.name == name && t.language == language)
                    .map_or(0, |t| t.body_variables);
                form.update(|f| {
                    f.template_name = name.to_owned();
                    f.template_language = language.to_owned();
                    f.variables.resize(needed.min(MAX_VARIABLES), String::new());
                });
            }
        >
            <option value="|">{t(Key::ChooseTemplate)}</option>
            {move || {
                choices
                    .templates
                    .get()
                    .unwrap_or_default()
                    .into_iter()
                    .map(|tpl| {
                        let value = format!("{}|{}", tpl.name, tpl.language);
                        let label = format!("{} ({})", tpl.name, tpl.language);
                        let selected = {
                            let value = value.clone();
                            move || chosen() == value
                        };
                        view! { <option value=value selected=selected>{label}</option> }
                    })
                    .collect_view()
            }}
        </select>
        <div class="grid gap-2 sm:grid-cols-2">
            <input
                class=invalid_name
                data-testid="rule-action-template-name"
                autocomplete="off"
                placeholder="boas_vindas"
                aria-label=move || i18n.lang().t(Key::TemplateName)
                prop:value=move || form.with(|f| f.template_name.clone())
                on:input=move |ev| form.update(|f| f.template_name = event_target_value(&ev))
            />
            <input
                class=invalid_language
                data-testid="rule-action-template-language"
                autocomplete="off"
                placeholder="pt_BR"
                aria-label=move || i18n.lang().t(Key::TemplateLanguage)
                prop:value=move || form.with(|f| f.template_language.clone())
                on:input=move |ev| form.update(|f| f.template_language = event_target_value(&ev))
            />
        </div>
        <div class="space-y-2">
            <p class="text-xs font-medium text-slate-700">{t(Key::ActTemplateValues)}</p>
            <For each=move || 0..count.get() key=|i| *i let:index>
                <div class="flex items-center gap-2">
                    <input
                        class="input min-w-0 flex-1"
                        data-testid="rule-action-variable"
                        autocomplete="off"
                        placeholder="{{contact.first_name|amigo}}"
                        aria-label=move || {
                            fill(i18n.lang().t(Key::TemplateVariableN), &[("n", &(index + 1).to_string())])
                        }
                        prop:value=move || form.with(|f| f.variables.get(index).cloned().unwrap_or_default())
                        on:input=move |ev| {
                            let value = event_target_value(&ev);
                            form.update(|f| {
                                if let Some(slot) = f.variables.get_mut(index) {
                                    *slot = value;
                                }
                            });
                        }
                    />
                    <button
                        type="button"
                        class="btn-icon size-9 shrink-0"
                        data-testid="rule-action-variable-remove"
                        title=move || i18n.lang().t(Key::ActRemoveValue)
                        on:click=move |_| form.update(|f| {
                            if index < f.variables.len() {
                                f.variables.remove(index);
                            }
                        })
                    >
                        <Icon icon=IconName::Trash class="size-4"/>
                        <span class="sr-only">{t(Key::ActRemoveValue)}</span>
                    </button>
                </div>
            </For>
            <button
                type="button"
                class="btn btn-secondary btn-sm"
                data-testid="rule-action-variable-add"
                disabled=move || { count.get() >= MAX_VARIABLES }
                on:click=move |_| form.update(|f| f.variables.push(String::new()))
            >
                <Icon icon=IconName::Plus class="size-4"/>
                <span>{t(Key::ActAddValue)}</span>
            </button>
            <p class="text-xs leading-5 text-slate-500">{t(Key::ActTemplateHint)}</p>
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(rows: &[ActionRow]) -> Vec<u64> {
        rows.iter().map(|r| r.id).collect()
    }

    #[test]
    fn actions_move_one_place_within_the_list() {
        let owner = Owner::new();
        owner.with(|| {
            let mut rows: Vec<ActionRow> =
                (0..3).map(|_| ActionRow::new(ActionForm::new(ActionKind::Close))).collect();
            let [a, b, c] = [rows[0].id, rows[1].id, rows[2].id];
            shift(&mut rows, c, -1);
            assert_eq!(ids(&rows), vec![a, c, b]);
            shift(&mut rows, a, -1);
            assert_eq!(ids(&rows), vec![a, c, b], "the first stays first");
            shift(&mut rows, b, 1);
            assert_eq!(ids(&rows), vec![a, c, b], "the last stays last");
            shift(&mut rows, a, 1);
            assert_eq!(ids(&rows), vec![c, a, b]);
        });
    }
}
