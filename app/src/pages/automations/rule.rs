//! `/automations/new` and `/automations/:id`: a rule's name, its trigger with its parameters,
//! its conditions, its actions in order, on/off; below a saved rule, its execution log.

use leptos::prelude::*;
use leptos_router::{
    hooks::{use_navigate, use_params_map},
    NavigateOptions,
};
use shared::{
    ai::PersonaDto,
    api::{ConnectionDto, ConnectionKind, ContactFieldDto, MemberDto, Page, TagCount, TemplateDto},
    automation::{
        AutomationRuleDto, CreateAutomationRuleRequest, TriggerKind, UpdateAutomationRuleRequest,
    },
    campaigns::CampaignDto,
    i18n::Key,
};
use uuid::Uuid;

use super::{
    actions::{ActionList, ActionRow},
    conditions::{ConditionList, ConditionRow},
    draft::{trigger_key, TriggerForm},
    runs::RunsLog,
    use_manager, Switch,
};
use crate::api::{use_api, Api};
use crate::components::feedback::{ListError, ListLoading, SaveOrDelete};
use crate::components::form::{Alert, AlertKind};
use crate::components::icons::{Icon, IconName};
use crate::components::layout::PageTitle;
use crate::components::problems::{
    within, ExactProblem, GeneralProblem, PathProblem, PathProblems,
};
use crate::components::toast::use_toasts;
use crate::i18n::{fill, t, use_i18n};

/// What the pickers offer, each loaded once when the editor opens. A list that cannot be loaded
/// (an agent may not list the team) is simply empty.
#[derive(Clone, Copy)]
pub struct Choices {
    pub members: LocalResource<Vec<MemberDto>>,
    pub personas: LocalResource<Vec<PersonaDto>>,
    pub connections: LocalResource<Vec<ConnectionDto>>,
    pub tags: LocalResource<Vec<TagCount>>,
    pub campaigns: LocalResource<Vec<CampaignDto>>,
    /// Approved templates of every WhatsApp Cloud number, one per name and language.
    pub templates: LocalResource<Vec<TemplateDto>>,
    pub fields: LocalResource<Vec<ContactFieldDto>>,
}

impl Choices {
    fn load(api: Api) -> Self {
        Choices {
            members: LocalResource::new(move || async move {
                api.get::<Page<MemberDto>>("/members?limit=100")
                    .await
                    .map(|p| p.items)
                    .unwrap_or_default()
            }),
            personas: LocalResource::new(move || async move {
                api.get::<Vec<PersonaDto>>("/personas").await.unwrap_or_default()
            }),
            connections: LocalResource::new(move || async move {
                api.get::<Vec<ConnectionDto>>("/connections").await.unwrap_or_default()
            }),
            tags: LocalResource::new(move || async move {
                api.get::<Vec<TagCount>>("/contact-tags").await.unwrap_or_default()
            }),
            campaigns: LocalResource::new(move || async move {
                api.get::<Page<CampaignDto>>("/campaigns?limit=100")
                    .await
                    .map(|p| p.items)
                    .unwrap_or_default()
            }),
            templates: LocalResource::new(move || async move { approved_templates(api).await }),
            fields: LocalResource::new(move || async move {
                api.get::<Vec<ContactFieldDto>>("/contact-fields").await.unwrap_or_default()
            }),
        }
    }
}

async fn approved_templates(api: Api) -> Vec<TemplateDto> {
    let connections = api.get::<Vec<ConnectionDto>>("/connections").await.unwrap_or_default();
    let mut found: Vec<TemplateDto> = Vec::new();
    for connection in connections.iter().filter(|c| c.kind == ConnectionKind::WhatsappCloud) {
        let Ok(page) = api
            .get::<Page<TemplateDto>>(&format!("/connections/{}/templates", connection.id))
            .await
        else {
            continue;
        };
        for template in page.items {
            let known =
                found.iter().any(|t| t.name == template.name && t.language == template.language);
            if template.status.eq_ignore_ascii_case("APPROVED") && !known {
                found.push(template);
            }
        }
    }
    found.sort_by(|a, b| (&a.name, &a.language).cmp(&(&b.name, &b.language)));
    found
}

/// Whether the rule form shows the problems of an API field.
fn shown(field: &str) -> bool {
    ["name", "enabled", "trigger", "conditions", "actions"].iter().any(|path| within(field, path))
}

/// What the form holds, as typed.
#[derive(Clone, Copy)]
struct Draft {
    name: RwSignal<String>,
    trigger: RwSignal<TriggerForm>,
    conditions: RwSignal<Vec<ConditionRow>>,
    actions: RwSignal<Vec<ActionRow>>,
    enabled: RwSignal<bool>,
}

impl Draft {
    fn of(rule: Option<&AutomationRuleDto>) -> Self {
        Draft {
            name: RwSignal::new(rule.map(|r| r.name.clone()).unwrap_or_default()),
            trigger: RwSignal::new(rule.map(|r| TriggerForm::of(&r.trigger)).unwrap_or_default()),
            conditions: RwSignal::new(
                rule.map(|r| r.conditions.iter().map(ConditionRow::of).collect())
                    .unwrap_or_default(),
            ),
            actions: RwSignal::new(
                rule.map(|r| r.actions.iter().map(ActionRow::of).collect()).unwrap_or_default(),
            ),
            enabled: RwSignal::new(rule.map(|r| r.enabled).unwrap_or(true)),
        }
    }

    /// The request parts, or the first problem our own checks find.
    fn parts(self) -> Result<CreateAutomationRuleRequest, (String, Key)> {
        let name = self.name.get_untracked().trim().to_owned();
        if name.is_empty() {
            return Err(("name".into(), Key::FieldRequired));
        }
        let trigger = self.trigger.with_untracked(TriggerForm::trigger)?;
        let conditions =
            self.conditions.with_untracked(|rows| rows.iter().map(|r| r.condition()).collect());
        let actions = self.actions.with_untracked(|rows| {
            rows.iter().enumerate().map(|(i, r)| r.action(i)).collect::<Result<Vec<_>, _>>()
        })?;
        Ok(CreateAutomationRuleRequest {
            name,
            trigger,
            conditions,
            actions,
            enabled: Some(self.enabled.get_untracked()),
        })
    }
}

#[component]
pub fn RulePage() -> impl IntoView {
    let api = use_api();
    let params = use_params_map();
    // `None`: the new-rule route; `Some(None)`: an id that is not one.
    let id = Memo::new(move |_| params.with(|p| p.get("id").map(|v| v.parse::<Uuid>().ok())));
    let loaded = RwSignal::new(None::<Result<AutomationRuleDto, Key>>);
    let version = RwSignal::new(0u64);
    Effect::new(move |_| {
        version.get();
        match id.get() {
            None => {}
            Some(None) => loaded.set(Some(Err(Key::ErrNotFound))),
            Some(Some(id)) => {
                leptos::task::spawn_local(async move {
                    let result =
                        api.get::<AutomationRuleDto>(&format!("/automation-rules/{id}")).await;
                    loaded.try_set(Some(result.map_err(|f| f.key())));
                });
            }
        }
    });
    let choices = Choices::load(api);

    view! {
        <PageTitle key=Key::NavAutomations/>
        <a href="/automations" class="link mb-3 inline-flex items-center gap-1 text-sm" data-testid="rule-back">
            <Icon icon=IconName::ArrowLeft class="size-4"/>
            {t(Key::NavAutomations)}
        </a>
        <div class="max-w-4xl space-y-6">
            {move || match (id.get(), loaded.get()) {
                (None, _) => view! { <RuleEditor original=None choices/> }.into_any(),
                (Some(_), None) => view! { <ListLoading/> }.into_any(),
                (Some(_), Some(Err(key))) => {
                    view! { <ListError key retry=Callback::new(move |_| version.update(|v| *v += 1))/> }
                        .into_any()
                }
                (Some(_), Some(Ok(rule))) => {
                    let rule_id = rule.id;
                    view! {
                        <RuleEditor original=Some(rule) choices/>
                        <RunsLog rule_id/>
                    }
                    .into_any()
                }
            }}
        </div>
    }
    .into_any()
}

#[component]
fn RuleEditor(original: Option<AutomationRuleDto>, choices: Choices) -> impl IntoView {
    let api = use_api();
    let i18n = use_i18n();
    let toasts = use_toasts();
    let navigate = use_navigate();
    let manager = use_manager();
    let draft = Draft::of(original.as_ref());
    let is_new = original.is_none();
    // The rule as last saved.
    let saved = RwSignal::new(original);
    let problems = PathProblems::new(shown);
    let busy = RwSignal::new(false);
    let confirming = RwSignal::new(false);

    let submit = {
        let navigate = navigate.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if busy.get_untracked() || !manager.get_untracked() {
                return;
            }
            problems.clear();
            let lang = i18n.lang();
            let parts = match draft.parts() {
                Ok(parts) => parts,
                Err((field, key)) => {
                    problems.at(field, lang.t(key).to_owned());
                    return;
                }
            };
            busy.set(true);
            let navigate = navigate.clone();
            let existing = saved.with_untracked(|r| r.as_ref().map(|r| r.id));
            leptos::task::spawn_local(async move {
                match existing {
                    None => {
                        let result =
                            api.post::<_, AutomationRuleDto>("/automation-rules", &parts).await;
                        busy.try_set(false);
                        match result {
                            Ok(created) => {
                                toasts.success(Key::RuleCreated);
                                navigate(
                                    &format!("/automations/{}", created.id),
                                    NavigateOptions::default(),
                                );
                            }
                            Err(failure) => problems.api(&failure, lang),
                        }
                    }
                    Some(id) => {
                        let request = UpdateAutomationRuleRequest {
                            name: Some(parts.name),
                            trigger: Some(parts.trigger),
                            conditions: Some(parts.conditions),
                            actions: Some(parts.actions),
                            enabled: parts.enabled,
                        };
                        let result = api
                            .patch::<_, AutomationRuleDto>(
                                &format!("/automation-rules/{id}"),
                                &request,
                            )
                            .await;
                        busy.try_set(false);
                        match result {
                            Ok(updated) => {
                                saved.try_set(Some(updated));
                                toasts.success(Key::RuleSaved);
                            }
                            Err(failure) => problems.api(&failure, lang),
                        }
                    }
                }
            });
        }
    };

    let delete = move || {
        let Some(id) = saved.with_untracked(|r| r.as_ref().map(|r| r.id)) else { return };
        busy.set(true);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let result = api.delete::<serde_json::Value>(&format!("/automation-rules/{id}")).await;
            busy.try_set(false);
            match result {
                Ok(_) => {
                    toasts.success(Key::RuleDeleted);
                    navigate("/automations", NavigateOptions::default());
                }
                Err(failure) => {
                    confirming.try_set(false);
                    toasts.error(failure.key());
                }
            }
        });
    };
    let on_delete = Callback::new(move |_| delete());
    let delete_question = Signal::derive(move || {
        let name = saved.with(|r| r.as_ref().map(|r| r.name.clone()).unwrap_or_default());
        fill(i18n.lang().t(Key::DeleteRuleQuestion), &[("name", &name)])
    });

    view! {
        <form class="card space-y-6 px-5 py-5 sm:px-6" novalidate on:submit=submit data-testid="rule-form">
            <h1 class="text-xl font-semibold tracking-tight break-words text-slate-900" data-testid="rule-title">
                {move || {
                    if is_new {
                        t(Key::NewRule)().to_owned()
                    } else {
                        saved.with(|r| r.as_ref().map(|r| r.name.clone()).unwrap_or_default())
                    }
                }}
            </h1>
            <Show when=move || !manager.get()>
                <Alert kind=AlertKind::Info testid="rule-read-only">
                    <p>{t(Key::AutomationsReadOnly)}</p>
                </Alert>
            </Show>
            <KnownLists choices/>
            <fieldset class="space-y-6" disabled=move || !manager.get()>
                <div class="space-y-1.5">
                    <label for="rule-name" class="block text-sm font-medium text-slate-700">{t(Key::RuleNameLabel)}</label>
                    <input
                        id="rule-name"
                        class=problems.input_class("name")
                        data-testid="rule-name"
                        autocomplete="off"
                        maxlength="120"
                        prop:value=move || draft.name.get()
                        on:input=move |ev| draft.name.set(event_target_value(&ev))
                    />
                    <p class="text-xs leading-5 text-slate-500">{t(Key::RuleNameHint)}</p>
                    <ExactProblem problems field="name"/>
                </div>
                <TriggerSection trigger=draft.trigger choices problems/>
                <ConditionList rows=draft.conditions problems choices/>
                <ActionList rows=draft.actions problems choices/>
                <Switch
                    checked=draft.enabled.into()
                    on_change=Callback::new(move |on| draft.enabled.set(on))
                    testid="rule-enabled"
                    label=Signal::derive(move || i18n.lang().t(Key::RuleEnabledLabel).to_owned())
                    visible_label=true
                />
            </fieldset>
            <GeneralProblem problems testid="rule-form-error"/>
            <SaveOrDelete
                save_label=Key::SaveRule
                manager
                deletable=Signal::derive(move || saved.with(Option::is_some))
                busy
                confirming
                question=delete_question
                on_delete
                testid="rule"
            />
        </form>
    }
    .into_any()
}

/// The suggestions of the tag and contact-field inputs, once for the whole form.
#[component]
fn KnownLists(choices: Choices) -> impl IntoView {
    view! {
        <datalist id="rule-known-tags">
            {move || {
                choices
                    .tags
                    .get()
                    .unwrap_or_default()
                    .into_iter()
                    .map(|t| view! { <option value=t.tag></option> })
                    .collect_view()
            }}
        </datalist>
        <datalist id="rule-known-fields">
            {["name", "email", "phone"]
                .into_iter()
                .map(|f| view! { <option value=f></option> })
                .collect_view()}
            {move || {
                choices
                    .fields
                    .get()
                    .unwrap_or_default()
                    .into_iter()
                    .map(|f| view! { <option value=f.key>{f.label}</option> })
                    .collect_view()
            }}
        </datalist>
    }
}

/// "When": the trigger and its parameters.
#[component]
fn TriggerSection(
    trigger: RwSignal<TriggerForm>,
    choices: Choices,
    problems: PathProblems,
) -> impl IntoView {
    let i18n = use_i18n();
    let kind = Memo::new(move |_| trigger.with(|t| t.kind));
    let label = |for_: &'static str, key: Key| {
        view! { <label for=for_ class="block text-sm font-medium text-slate-700">{t(key)}</label> }
    };
    let hint = |key: Key| view! { <p class="text-xs leading-5 text-slate-500">{t(key)}</p> };
    view! {
        <fieldset class="space-y-3 rounded-lg bg-slate-50 p-4 ring-1 ring-slate-200" data-testid="rule-when">
            <legend class="px-1 text-sm font-semibold text-slate-800">{t(Key::RuleWhen)}</legend>
            <select
                class="input"
                data-testid="rule-trigger"
                aria-label=move || i18n.lang().t(Key::TriggerLabel)
                prop:value=move || kind.get().as_str()
                on:change=move |ev| {
                    if let Some(k) = TriggerKind::parse(&event_target_value(&ev)) {
                        trigger.update(|t| t.kind = k);
                    }
                }
            >
                {TriggerKind::ALL
                    .into_iter()
                    .map(|k| view! { <option value=k.as_str() selected=move || kind.get() == k>{t(trigger_key(k))}</option> })
                    .collect_view()}
            </select>
            {move || match kind.get() {
                TriggerKind::Keyword => view! {
                    <div class="space-y-1.5">
                        {label("rule-trigger-keywords", Key::TriggerKeywords)}
                        <input
                            id="rule-trigger-keywords"
                            class="input"
                            data-testid="rule-trigger-keywords"
                            autocomplete="off"
                            placeholder="preço, valor, quanto custa"
                            prop:value=move || trigger.with(|t| t.keywords.clone())
                            on:input=move |ev| trigger.update(|t| t.keywords = event_target_value(&ev))
                        />
                        {hint(Key::TriggerKeywordsHint)}
                    </div>
                }
                .into_any(),
                TriggerKind::CampaignReply => view! {
                    <div class="space-y-1.5">
                        {label("rule-trigger-campaign", Key::TriggerCampaign)}
                        <select
                            id="rule-trigger-campaign"
                            class="input"
                            data-testid="rule-trigger-campaign"
                            prop:value=move || {
                                choices.campaigns.track();
                                trigger.with(|t| t.campaign_id.clone())
                            }
                            on:change=move |ev| trigger.update(|t| t.campaign_id = event_target_value(&ev))
                        >
                            <option value="">{t(Key::AnyCampaign)}</option>
                            {move || {
                                choices
                                    .campaigns
                                    .get()
                                    .unwrap_or_default()
                                    .into_iter()
                                    .map(|c| {
                                        let value = c.id.to_string();
                                        let selected = {
                                            let value = value.clone();
                                            move || trigger.with(|t| t.campaign_id == value)
                                        };
                                        view! { <option value=value selected=selected>{c.name}</option> }
                                    })
                                    .collect_view()
                            }}
                        </select>
                    </div>
                }
                .into_any(),
                TriggerKind::ContactTagged => view! {
                    <div class="space-y-1.5">
                        {label("rule-trigger-tag", Key::TriggerTag)}
                        <input
                            id="rule-trigger-tag"
                            class="input"
                            data-testid="rule-trigger-tag"
                            list="rule-known-tags"
                            autocomplete="off"
                            prop:value=move || trigger.with(|t| t.tag.clone())
                            on:input=move |ev| trigger.update(|t| t.tag = event_target_value(&ev))
                        />
                    </div>
                }
                .into_any(),
                TriggerKind::NoReply => view! {
                    <div class="space-y-1.5">
                        {label("rule-trigger-minutes", Key::TriggerMinutes)}
                        <input
                            id="rule-trigger-minutes"
                            type="number"
                            min="1"
                            max="10080"
                            step="1"
                            inputmode="numeric"
                            class="input sm:max-w-40"
                            data-testid="rule-trigger-minutes"
                            prop:value=move || trigger.with(|t| t.minutes.clone())
                            on:input=move |ev| trigger.update(|t| t.minutes = event_target_value(&ev))
                        />
                        {hint(Key::TriggerMinutesHint)}
                    </div>
                }
                .into_any(),
                TriggerKind::OutsideBusinessHours => view! {
                    <p class="text-xs leading-5 text-slate-500">
                        {t(Key::TriggerOutsideHoursHint)}
                        " "
                        <a href="/settings/business-hours" class="link" data-testid="rule-business-hours-link">
                            {t(Key::NavBusinessHours)}
                        </a>
                    </p>
                }
                .into_any(),
                TriggerKind::MessageReceived | TriggerKind::ConversationCreated => ().into_any(),
            }}
            <PathProblem problems path="trigger".to_owned()/>
        </fieldset>
    }
    .into_any()
}
