//! `/contacts/segments`: saved filters that campaigns use as audiences. The builder shows the live
//! count of the filter being edited (`POST /api/v1/segments/preview`, debounced), so a person sees
//! who they are about to reach before saving. Opted-out contacts are never counted.

use std::time::Duration;

use leptos::prelude::*;
use serde_json::Value;
use shared::{
    api::{
        AttributeCondition, ConditionOp, ContactFieldDto, CountResponse, CreateSegmentRequest,
        FieldKind, SegmentDto, SegmentFilter, UpdateSegmentRequest,
    },
    i18n::Key,
};
use uuid::Uuid;

use crate::api::{use_api, ApiFailure};
use crate::components::feedback::{ConfirmInline, ListError, ListLoading};
use crate::components::icons::{Icon, IconName};
use crate::components::layout::PageTitle;
use crate::components::toast::use_toasts;
use crate::hydration::use_hydrated;
use crate::i18n::{fill, t, use_i18n};
use crate::live::use_live;

const PREVIEW_DEBOUNCE: Duration = Duration::from_millis(350);

/// A condition row as typed (values stay text until sent).
#[derive(Debug, Clone, PartialEq)]
struct Row {
    id: u64,
    field: String,
    op: ConditionOp,
    value: String,
}

/// The builder's state.
#[derive(Clone, Copy)]
struct Draft {
    editing: RwSignal<Option<Uuid>>,
    name: RwSignal<String>,
    tags_any: RwSignal<String>,
    tags_all: RwSignal<String>,
    tags_none: RwSignal<String>,
    rows: RwSignal<Vec<Row>>,
    next_row: StoredValue<u64>,
}

fn split_tags(raw: &str) -> Vec<String> {
    raw.split(',').map(|t| t.trim().to_lowercase()).filter(|t| !t.is_empty()).collect()
}

impl Draft {
    fn new() -> Self {
        Draft {
            editing: RwSignal::new(None),
            name: RwSignal::new(String::new()),
            tags_any: RwSignal::new(String::new()),
            tags_all: RwSignal::new(String::new()),
            tags_none: RwSignal::new(String::new()),
            rows: RwSignal::new(Vec::new()),
            next_row: StoredValue::new(0),
        }
    }

    fn load(self, segment: Option<&SegmentDto>) {
        let filter = segment.map(|s| s.filter.clone()).unwrap_or_default();
        self.editing.set(segment.map(|s| s.id));
        self.name.set(segment.map(|s| s.name.clone()).unwrap_or_default());
        self.tags_any.set(filter.tags_any.join(", "));
        self.tags_all.set(filter.tags_all.join(", "));
        self.tags_none.set(filter.tags_none.join(", "));
        let rows = filter
            .conditions
            .into_iter()
            .map(|c| Row {
                id: self.bump(),
                field: c.field,
                op: c.op,
                value: match c.value {
                    Some(Value::String(s)) => s,
                    Some(Value::Null) | None => String::new(),
                    Some(other) => other.to_string(),
                },
            })
            .collect();
        self.rows.set(rows);
    }

    fn bump(self) -> u64 {
        self.next_row
            .try_update_value(|n| {
                *n += 1;
                *n
            })
            .unwrap_or_default()
    }

    /// The filter as the API wants it; values are sent as text and typed by the server.
    fn filter(self) -> SegmentFilter {
        SegmentFilter {
            tags_any: split_tags(&self.tags_any.get()),
            tags_all: split_tags(&self.tags_all.get()),
            tags_none: split_tags(&self.tags_none.get()),
            conditions: self
                .rows
                .get()
                .into_iter()
                .filter(|row| !row.field.is_empty())
                .map(|row| AttributeCondition {
                    field: row.field,
                    op: row.op,
                    value: row.op.takes_value().then_some(Value::String(row.value)),
                })
                .collect(),
        }
    }
}

#[component]
pub fn SegmentsPage() -> impl IntoView {
    let api = use_api();
    let live = use_live();
    let segments = LocalResource::new(move || {
        live.contacts_version();
        async move { api.get::<Vec<SegmentDto>>("/segments").await }
    });
    let fields = LocalResource::new(move || async move {
        api.get::<Vec<ContactFieldDto>>("/contact-fields").await.unwrap_or_default()
    });
    let draft = Draft::new();
    let open = RwSignal::new(false);
    let reload = Callback::new(move |_: ()| segments.refetch());
    let edit = Callback::new(move |segment: Option<SegmentDto>| {
        draft.load(segment.as_ref());
        open.set(true);
    });
    let hydrated = use_hydrated();

    view! {
        <PageTitle key=Key::SegmentsTitle/>
        <div class="mb-6 flex flex-wrap items-end justify-between gap-4">
            <div class="min-w-0">
                <h1 class="text-2xl font-semibold tracking-tight text-slate-900">
                    {t(Key::SegmentsTitle)}
                </h1>
                <p class="mt-1.5 max-w-2xl text-sm leading-6 text-slate-600">
                    {t(Key::SegmentsSubtitle)}
                </p>
            </div>
            <button
                type="button"
                class="btn btn-primary"
                data-testid="segment-new"
                disabled=move || !hydrated.get()
                on:click=move |_| edit.run(None)
            >
                <Icon icon=IconName::Plus class="size-5"/>
                <span>{t(Key::NewSegment)}</span>
            </button>
        </div>
        <div class="space-y-6">
            <Show when=move || open.get()>
                <Builder draft fields open reload/>
            </Show>
            <SegmentList segments edit reload/>
        </div>
    }
    .into_any()
}

#[component]
fn SegmentList(
    segments: LocalResource<Result<Vec<SegmentDto>, ApiFailure>>,
    edit: Callback<Option<SegmentDto>>,
    reload: Callback<()>,
) -> impl IntoView {
    move || {
        match segments.get() {
        None => view! { <ListLoading/> }.into_any(),
        Some(Err(failure)) => view! { <ListError key=failure.key() retry=reload/> }.into_any(),
        Some(Ok(list)) if list.is_empty() => view! {
            <div class="card p-8 text-center" data-testid="segments-empty">
                <p class="font-medium text-slate-900">{t(Key::NoSegmentsYet)}</p>
                <p class="mt-1 text-sm text-slate-600">{t(Key::NoSegmentsYetHint)}</p>
            </div>
        }
        .into_any(),
        Some(Ok(list)) => view! {
            <ul role="list" class="grid gap-4 sm:grid-cols-2">
                {list.into_iter().map(|segment| view! { <SegmentCard segment edit reload/> }).collect_view()}
            </ul>
        }
        .into_any(),
    }
    }
}

#[component]
fn SegmentCard(
    segment: SegmentDto,
    edit: Callback<Option<SegmentDto>>,
    reload: Callback<()>,
) -> impl IntoView {
    let api = use_api();
    let i18n = use_i18n();
    let toasts = use_toasts();
    let confirming = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let id = segment.id;
    let count = segment.contact_count;
    let name = segment.name.clone();
    let summary = describe(&segment.filter);
    let for_edit = segment.clone();
    let delete = Callback::new(move |_: ()| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = api.delete::<()>(&format!("/segments/{id}")).await;
            busy.try_set(false);
            match result {
                Ok(()) => {
                    toasts.success(Key::SegmentDeleted);
                    reload.run(());
                }
                Err(failure) => toasts.error(failure.key()),
            }
        });
    });
    let question = {
        let name = name.clone();
        Signal::derive(move || fill(i18n.lang().t(Key::ConfirmDeleteSegment), &[("name", &name)]))
    };
    view! {
        <li class="card flex flex-col gap-3 p-5" data-testid="segment-card" data-name=name.clone()>
            <div class="flex items-start justify-between gap-3">
                <h2 class="min-w-0 font-semibold break-words text-slate-900">{name.clone()}</h2>
                <span class="badge shrink-0 bg-brand-50 text-brand-700 tabular-nums" data-testid="segment-count">
                    {move || count_text(i18n.lang(), count)}
                </span>
            </div>
            <p class="text-sm text-slate-600">{summary}</p>
            <div class="mt-auto flex flex-wrap gap-2">
                <a class="btn btn-secondary btn-sm" href=format!("/contacts?segment={id}") data-testid="segment-view">
                    {t(Key::SegmentViewContacts)}
                </a>
                <button type="button" class="btn btn-secondary btn-sm" data-testid="segment-edit" on:click=move |_| edit.run(Some(for_edit.clone()))>
                    {t(Key::Edit)}
                </button>
                <button type="button" class="btn btn-ghost btn-sm text-red-700" data-testid="segment-delete" on:click=move |_| confirming.set(true)>
                    {t(Key::Delete)}
                </button>
            </div>
            <Show when=move || confirming.get()>
                <ConfirmInline
                    question
                    confirm_label=Key::Delete
                    busy
                    on_confirm=delete
                    on_cancel=Callback::new(move |_| confirming.set(false))
                    confirm_testid="segment-delete-confirm"
                />
            </Show>
        </li>
    }
    .into_any()
}

/// "1 contact" / "12 contacts".
fn count_text(lang: shared::i18n::Lang, count: u64) -> String {
    let key = if count == 1 { Key::SegmentCountOne } else { Key::SegmentCount };
    fill(lang.t(key), &[("count", &count.to_string())])
}

/// "tags: vip or sp · spend gt 500": a compact, language-neutral description of a filter.
fn describe(filter: &SegmentFilter) -> String {
    let mut parts = Vec::new();
    if !filter.tags_any.is_empty() {
        parts.push(format!("#{}", filter.tags_any.join(" | #")));
    }
    if !filter.tags_all.is_empty() {
        parts.push(format!("#{}", filter.tags_all.join(" & #")));
    }
    if !filter.tags_none.is_empty() {
        parts.push(format!("¬#{}", filter.tags_none.join(" ¬#")));
    }
    for condition in &filter.conditions {
        let value = match &condition.value {
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => String::new(),
        };
        parts.push(
            format!("{} {} {value}", condition.field, op_symbol(condition.op)).trim().to_owned(),
        );
    }
    if parts.is_empty() {
        "∗".to_owned()
    } else {
        parts.join(" · ")
    }
}

fn op_symbol(op: ConditionOp) -> &'static str {
    match op {
        ConditionOp::Eq => "=",
        ConditionOp::Ne => "≠",
        ConditionOp::Contains => "∋",
        ConditionOp::Gt => ">",
        ConditionOp::Gte => "≥",
        ConditionOp::Lt => "<",
        ConditionOp::Lte => "≤",
        ConditionOp::IsSet => "✓",
        ConditionOp::IsNotSet => "∅",
    }
}

fn op_label(op: ConditionOp) -> Key {
    match op {
        ConditionOp::Eq => Key::OpEq,
        ConditionOp::Ne => Key::OpNe,
        ConditionOp::Contains => Key::OpContains,
        ConditionOp::Gt => Key::OpGt,
        ConditionOp::Gte => Key::OpGte,
        ConditionOp::Lt => Key::OpLt,
        ConditionOp::Lte => Key::OpLte,
        ConditionOp::IsSet => Key::OpIsSet,
        ConditionOp::IsNotSet => Key::OpIsNotSet,
    }
}

/// The comparisons that make sense for a field type (`None`: a free-form attribute).
fn ops_for(kind: Option<FieldKind>) -> Vec<ConditionOp> {
    use ConditionOp::*;
    match kind {
        Some(FieldKind::Number | FieldKind::Date) => {
            vec![Eq, Ne, Gt, Gte, Lt, Lte, IsSet, IsNotSet]
        }
        Some(FieldKind::Boolean | FieldKind::Choice) => vec![Eq, Ne, IsSet, IsNotSet],
        Some(FieldKind::Text) | None => vec![Eq, Ne, Contains, IsSet, IsNotSet],
    }
}

#[component]
fn Builder(
    draft: Draft,
    fields: LocalResource<Vec<ContactFieldDto>>,
    open: RwSignal<bool>,
    reload: Callback<()>,
) -> impl IntoView {
    let api = use_api();
    let i18n = use_i18n();
    let toasts = use_toasts();
    let count = RwSignal::new(None::<Result<u64, ApiFailure>>);
    let saving = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiFailure>);
    let ticket = StoredValue::new(0u64);

    // The live count: every change waits for a pause, then asks; stale answers are dropped.
    Effect::new(move |_| {
        let filter = draft.filter();
        let Some(mine) = ticket.try_update_value(|n| {
            *n += 1;
            *n
        }) else {
            return;
        };
        set_timeout(
            move || {
                if ticket.try_get_value() != Some(mine) {
                    return;
                }
                leptos::task::spawn_local(async move {
                    let result = api.post::<_, CountResponse>("/segments/preview", &filter).await;
                    if ticket.try_get_value() == Some(mine) {
                        count.try_set(Some(result.map(|c| c.count)));
                    }
                });
            },
            PREVIEW_DEBOUNCE,
        );
    });

    let save = move |_| {
        if saving.get_untracked() {
            return;
        }
        error.set(None);
        saving.set(true);
        let name = draft.name.get_untracked();
        let filter = draft.filter();
        let editing = draft.editing.get_untracked();
        leptos::task::spawn_local(async move {
            let result = match editing {
                Some(id) => {
                    api.patch::<_, SegmentDto>(
                        &format!("/segments/{id}"),
                        &UpdateSegmentRequest { name: Some(name), filter: Some(filter) },
                    )
                    .await
                }
                None => {
                    api.post::<_, SegmentDto>("/segments", &CreateSegmentRequest { name, filter })
                        .await
                }
            };
            saving.try_set(false);
            match result {
                Ok(_) => {
                    toasts.success(Key::SegmentSaved);
                    open.try_set(false);
                    reload.run(());
                }
                Err(failure) => {
                    error.try_set(Some(failure));
                }
            }
        });
    };

    let tag_input = move |id: &'static str, label: Key, signal: RwSignal<String>| {
        view! {
            <div>
                <label for=id class="block text-sm font-medium text-slate-900">{t(label)}</label>
                <input
                    id=id
                    type="text"
                    class="input mt-1"
                    autocomplete="off"
                    data-testid=id
                    placeholder=move || i18n.lang().t(Key::SegmentTagsPlaceholder)
                    prop:value=move || signal.get()
                    on:input=move |ev| signal.set(event_target_value(&ev))
                />
            </div>
        }
    };

    view! {
        <section class="card" data-testid="segment-builder">
            <div class="flex flex-wrap items-center justify-between gap-3 border-b border-slate-100 px-5 py-4 sm:px-6">
                <h2 class="font-semibold text-slate-900">
                    {move || if draft.editing.get().is_some() { t(Key::EditSegment)() } else { t(Key::NewSegment)() }}
                </h2>
                <p class="text-sm font-medium text-brand-700 tabular-nums" aria-live="polite" data-testid="segment-live-count">
                    {move || match count.get() {
                        None => String::new(),
                        Some(Ok(n)) => count_text(i18n.lang(), n),
                        Some(Err(failure)) => failure.message().map(str::to_owned).unwrap_or_else(|| i18n.lang().t(failure.key()).to_owned()),
                    }}
                </p>
            </div>
            <div class="space-y-4 px-5 py-4 sm:px-6">
                <div>
                    <label for="segment-name" class="block text-sm font-medium text-slate-900">{t(Key::Name)}</label>
                    <input
                        id="segment-name"
                        type="text"
                        class="input mt-1"
                        autocomplete="off"
                        data-testid="segment-name"
                        prop:value=move || draft.name.get()
                        on:input=move |ev| draft.name.set(event_target_value(&ev))
                    />
                </div>
                <div class="grid gap-4 sm:grid-cols-3">
                    {tag_input("segment-tags-any", Key::SegmentTagsAny, draft.tags_any)}
                    {tag_input("segment-tags-all", Key::SegmentTagsAll, draft.tags_all)}
                    {tag_input("segment-tags-none", Key::SegmentTagsNone, draft.tags_none)}
                </div>
                <fieldset>
                    <legend class="text-sm font-medium text-slate-900">{t(Key::SegmentConditions)}</legend>
                    <ul role="list" class="mt-2 space-y-2">
                        <For each=move || draft.rows.get() key=|row| row.id let:row>
                            <ConditionRow row_id=row.id draft fields/>
                        </For>
                    </ul>
                    <button
                        type="button"
                        class="btn btn-secondary btn-sm mt-2"
                        data-testid="segment-add-condition"
                        on:click=move |_| {
                            let id = draft.bump();
                            let first = fields.get().unwrap_or_default().first().map(|f| f.key.clone()).unwrap_or_default();
                            draft.rows.update(|rows| rows.push(Row { id, field: first, op: ConditionOp::Eq, value: String::new() }));
                        }
                    >
                        <Icon icon=IconName::Plus class="size-4"/>
                        <span>{t(Key::SegmentAddCondition)}</span>
                    </button>
                </fieldset>
                <p class="text-xs text-slate-500">{t(Key::SegmentOptOutNote)}</p>
                {move || error.get().map(|failure| view! {
                    <p class="text-sm text-red-700" role="alert" data-testid="segment-error">
                        {failure.message().map(str::to_owned).unwrap_or_else(|| i18n.lang().t(failure.key()).to_owned())}
                    </p>
                })}
                <div class="flex gap-2">
                    <button type="button" class="btn btn-primary" data-testid="segment-save" disabled=move || saving.get() on:click=save>
                        {t(Key::Save)}
                    </button>
                    <button type="button" class="btn btn-secondary" on:click=move |_| open.set(false)>
                        {t(Key::Cancel)}
                    </button>
                </div>
            </div>
        </section>
    }
    .into_any()
}

#[component]
fn ConditionRow(
    row_id: u64,
    draft: Draft,
    fields: LocalResource<Vec<ContactFieldDto>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let row = move || draft.rows.with(|rows| rows.iter().find(|r| r.id == row_id).cloned());
    let change = move |apply: &dyn Fn(&mut Row)| {
        draft.rows.update(|rows| {
            if let Some(r) = rows.iter_mut().find(|r| r.id == row_id) {
                apply(r);
            }
        });
    };
    let kind = move || {
        let field = row().map(|r| r.field).unwrap_or_default();
        fields.get().unwrap_or_default().into_iter().find(|f| f.key == field)
    };
    view! {
        <li class="grid gap-2 rounded-lg bg-slate-50 p-2 sm:grid-cols-[minmax(0,1fr)_minmax(0,1fr)_minmax(0,1fr)_auto]" data-testid="segment-condition">
            <select
                class="input"
                aria-label=move || i18n.lang().t(Key::SegmentField)
                data-testid="condition-field"
                on:change=move |ev| {
                    let value = event_target_value(&ev);
                    change(&|r: &mut Row| {
                        r.field = value.clone();
                        r.value.clear();
                        r.op = ConditionOp::Eq;
                    });
                }
            >
                {move || {
                    let current = row().map(|r| r.field).unwrap_or_default();
                    fields.get().unwrap_or_default().into_iter().map(|f| {
                        let selected = f.key == current;
                        view! { <option value=f.key.clone() selected=selected>{f.label.clone()}</option> }
                    }).collect_view()
                }}
            </select>
            <select
                class="input"
                aria-label=move || i18n.lang().t(Key::SegmentComparison)
                data-testid="condition-op"
                on:change=move |ev| {
                    let value = event_target_value(&ev);
                    if let Some(op) = ConditionOp::parse(&value) {
                        change(&|r: &mut Row| r.op = op);
                    }
                }
            >
                {move || {
                    let current = row().map(|r| r.op).unwrap_or(ConditionOp::Eq);
                    ops_for(kind().map(|f| f.kind)).into_iter().map(|op| view! {
                        <option value=op.as_str() selected=op == current>{t(op_label(op))}</option>
                    }).collect_view()
                }}
            </select>
            {move || {
                let field = kind();
                let op = row().map(|r| r.op).unwrap_or(ConditionOp::Eq);
                let value = row().map(|r| r.value).unwrap_or_default();
                if !op.takes_value() {
                    return view! { <span></span> }.into_any();
                }
                let on_input = move |ev: leptos::ev::Event| {
                    let v = event_target_value(&ev);
                    change(&|r: &mut Row| r.value = v.clone());
                };
                match field.as_ref().map(|f| f.kind) {
                    Some(FieldKind::Choice | FieldKind::Boolean) => {
                        let options: Vec<(String, String)> = match field.map(|f| (f.kind, f.options)) {
                            Some((FieldKind::Boolean, _)) => vec![
                                ("true".into(), i18n.lang().t(Key::Yes).to_owned()),
                                ("false".into(), i18n.lang().t(Key::No).to_owned()),
                            ],
                            Some((_, options)) => options.into_iter().map(|o| (o.clone(), o)).collect(),
                            None => Vec::new(),
                        };
                        view! {
                            <select class="input" data-testid="condition-value" aria-label=move || i18n.lang().t(Key::SegmentValue) on:change=on_input>
                                <option value="" selected=value.is_empty()>"—"</option>
                                {options.into_iter().map(|(v, label)| {
                                    let selected = v == value;
                                    view! { <option value=v selected=selected>{label}</option> }
                                }).collect_view()}
                            </select>
                        }.into_any()
                    }
                    kind => {
                        let input_type = match kind {
                            Some(FieldKind::Number) => "number",
                            Some(FieldKind::Date) => "date",
                            _ => "text",
                        };
                        view! {
                            <input
                                type=input_type
                                class="input"
                                data-testid="condition-value"
                                aria-label=move || i18n.lang().t(Key::SegmentValue)
                                prop:value=value
                                on:input=on_input
                            />
                        }.into_any()
                    }
                }
            }}
            <button
                type="button"
                class="btn btn-ghost btn-sm"
                aria-label=move || i18n.lang().t(Key::Delete)
                data-testid="condition-remove"
                on:click=move |_| draft.rows.update(|rows| rows.retain(|r| r.id != row_id))
            >
                <Icon icon=IconName::Trash class="size-4"/>
            </button>
        </li>
    }
    .into_any()
}
