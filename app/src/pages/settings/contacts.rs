//! `/settings/contacts`: the company's custom contact fields and the tags in use.
//!
//! Owners and admins add fields, change a field's name or options, delete fields, and rename
//! (merge) or delete tags; agents see both lists read-only (the server enforces this anyway and
//! answers `403 forbidden`). The field list refetches after our own changes and on every
//! `contact_settings.changed` live event; the tag list on `contacts.changed`, because renaming or
//! deleting a tag changes contacts.

use leptos::{ev::SubmitEvent, html, prelude::*};
use serde::de::IgnoredAny;
use shared::{
    api::{
        ContactFieldDto, CreateContactFieldRequest, FieldKind, RenameTagRequest, TagCount,
        UpdateContactFieldRequest,
    },
    i18n::Key,
    import::{fold, is_attribute_key, BUILT_IN},
    ErrorCode,
};
use uuid::Uuid;

use crate::api::{encode_query, use_api, ApiFailure};
use crate::auth::use_auth;
use crate::components::feedback::{ListError, ListLoading};
use crate::components::form::{value_of, FormError, FormErrors, SubmitButton, TextField};
use crate::components::layout::PageHeader;
use crate::components::toast::use_toasts;
use crate::i18n::{fill, t, use_i18n};
use crate::live::use_live;
use crate::pages::settings::{ConfirmInline, Panel, ReadOnlyNote};

type Fields = LocalResource<Result<Vec<ContactFieldDto>, ApiFailure>>;
type Tags = LocalResource<Result<Vec<TagCount>, ApiFailure>>;

/// The longest tag the server accepts (characters).
const MAX_TAG_LEN: usize = 64;

#[component]
pub fn ContactSettings() -> impl IntoView {
    let api = use_api();
    let auth = use_auth();
    let live = use_live();

    let fields: Fields = LocalResource::new(move || {
        live.contact_settings_version();
        async move { api.get::<Vec<ContactFieldDto>>("/contact-fields").await }
    });
    let tags: Tags = LocalResource::new(move || {
        live.contacts_version();
        async move { api.get::<Vec<TagCount>>("/contact-tags").await }
    });
    let reload_fields = Callback::new(move |_: ()| fields.refetch());
    let reload_tags = Callback::new(move |_: ()| tags.refetch());
    let manager =
        Signal::derive(move || auth.session().map(|s| s.can_manage_team()).unwrap_or(false));

    view! {
        <PageHeader title=Key::ContactSettingsTitle subtitle=Key::ContactSettingsSubtitle/>
        <div class="space-y-6">
            {move || {
                (!manager.get()).then(|| view! { <ReadOnlyNote key=Key::ContactSettingsReadOnly/> })
            }}
            <Panel
                title=Key::CustomFieldsTitle
                description=Key::CustomFieldsHint
                testid="contact-fields-panel"
            >
                <FieldList fields manager reload=reload_fields/>
                {move || manager.get().then(|| view! { <AddFieldForm reload=reload_fields/> })}
            </Panel>
            <Panel title=Key::TagsTitle description=Key::TagsHint testid="contact-tags-panel">
                <TagList tags manager reload=reload_tags/>
            </Panel>
        </div>
    }
    .into_any()
}

// ---------------------------------------------------------------------------------------------
// Custom fields

/// The translation key of a field type's name.
fn kind_key(kind: FieldKind) -> Key {
    match kind {
        FieldKind::Text => Key::FieldTypeText,
        FieldKind::Number => Key::FieldTypeNumber,
        FieldKind::Date => Key::FieldTypeDate,
        FieldKind::Boolean => Key::FieldTypeBoolean,
        FieldKind::Choice => Key::FieldTypeChoice,
    }
}

/// The key suggested for a label: `Data de nascimento` → `data_de_nascimento`. A label that
/// starts with a digit or names a built-in column gets a prefix, so the suggestion is valid.
fn suggest_key(label: &str) -> String {
    let key = fold(label);
    if key.is_empty() {
        return key;
    }
    let mut key = if key.starts_with(|c: char| c.is_ascii_digit()) || BUILT_IN.contains(&&*key) {
        format!("custom_{key}")
    } else {
        key
    };
    key.truncate(64);
    key.trim_end_matches('_').to_owned()
}

/// What is wrong with a typed key, before asking the server.
fn key_problem(key: &str) -> Option<Key> {
    if key.is_empty() {
        Some(Key::FieldRequired)
    } else if !is_attribute_key(key) {
        Some(Key::FieldKeyInvalid)
    } else if BUILT_IN.contains(&key) {
        Some(Key::FieldKeyReserved)
    } else {
        None
    }
}

/// `"Gold, Silver\nbronze,gold"` → `["Gold", "Silver", "bronze"]`: one option per line or per
/// comma, trimmed, without empties or repeats (ignoring case, as the server does).
fn parse_options(raw: &str) -> Vec<String> {
    let mut options: Vec<String> = Vec::new();
    for option in raw.split(['\n', ',']).map(str::trim).filter(|o| !o.is_empty()) {
        if !options.iter().any(|o| o.to_lowercase() == option.to_lowercase()) {
            options.push(option.to_owned());
        }
    }
    options
}

/// Puts a failed create or update next to the input it concerns, in the UI's own words.
fn show_field_failure(errors: FormErrors, failure: &ApiFailure) {
    match (failure.code(), failure.field()) {
        (Some(ErrorCode::Conflict), _) => errors.api_as("key", Key::FieldKeyTaken),
        // The key passed our own checks, so what is left is the company's field limit.
        (Some(ErrorCode::ValidationFailed), Some("key")) => {
            errors.api_as("key", Key::FieldLimitReached)
        }
        (Some(ErrorCode::ValidationFailed), Some("label")) => {
            errors.api_as("label", Key::FieldLabelInvalid)
        }
        (Some(ErrorCode::ValidationFailed), Some("options")) => {
            errors.api_as("options", Key::FieldOptionsInvalid)
        }
        _ => errors.api(failure),
    }
}

/// The textarea of a choice field's options, with its hint and error line.
#[component]
fn OptionsField(
    /// DOM id; also the base of the hint and error ids.
    id: &'static str,
    node_ref: NodeRef<html::Textarea>,
    errors: FormErrors,
    #[prop(optional, into)] value: String,
    testid: &'static str,
) -> impl IntoView {
    // Tall enough for the options already there, within reason.
    let rows = value.lines().count().clamp(3, 8).to_string();
    let error = move || errors.for_field("options");
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described_by = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || match error() {
            Some(_) => format!("{hint_id} {error_id}"),
            None => hint_id.clone(),
        }
    };
    view! {
        <div class="space-y-1.5">
            <label for=id class="block text-sm font-medium text-slate-700">
                {t(Key::FieldOptions)}
            </label>
            <textarea
                id=id
                rows=rows
                node_ref=node_ref
                prop:value=value
                data-testid=testid
                aria-invalid=move || error().map(|_| "true")
                aria-describedby=described_by
                class=move || if error().is_some() { "input input-invalid" } else { "input" }
            ></textarea>
            <p id=hint_id class="text-xs leading-5 text-slate-500">
                {t(Key::FieldOptionsHint)}
            </p>
            {move || {
                error()
                    .map(|key| {
                        view! {
                            <p id=error_id.clone() class="field-error" data-testid="field-error">
                                {t(key)}
                            </p>
                        }
                    })
            }}
        </div>
    }
    .into_any()
}

#[component]
fn AddFieldForm(reload: Callback<()>) -> impl IntoView {
    let api = use_api();
    let toasts = use_toasts();
    let i18n = use_i18n();
    let label_ref = NodeRef::<html::Input>::new();
    let key_ref = NodeRef::<html::Input>::new();
    let options_ref = NodeRef::<html::Textarea>::new();
    let kind = RwSignal::new(FieldKind::Text);
    // Once the person types a key of their own, the label stops overwriting it (until they
    // empty the key again).
    let key_typed = StoredValue::new(false);
    let errors = FormErrors::new(&["key", "label", "options"]);
    let busy = RwSignal::new(false);

    let on_label_input = move |_| {
        if key_typed.get_value() {
            return;
        }
        if let Some(input) = key_ref.get_untracked() {
            input.set_value(&suggest_key(&value_of(label_ref)));
        }
    };
    let on_key_input = move |_| key_typed.set_value(!value_of(key_ref).is_empty());

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        errors.clear();
        let label = value_of(label_ref);
        if label.is_empty() {
            return errors.field("label", Key::FieldRequired);
        }
        let key = value_of(key_ref);
        if let Some(problem) = key_problem(&key) {
            return errors.field("key", problem);
        }
        let kind = kind.get_untracked();
        let options = if kind == FieldKind::Choice {
            let raw = options_ref.get_untracked().map(|el| el.value()).unwrap_or_default();
            let options = parse_options(&raw);
            if options.is_empty() {
                return errors.field("options", Key::FieldOptionsRequired);
            }
            options
        } else {
            Vec::new()
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let request = CreateContactFieldRequest { key, label, kind, options };
            let result = api.post::<_, ContactFieldDto>("/contact-fields", &request).await;
            busy.try_set(false);
            match result {
                Ok(_) => {
                    for input in [label_ref, key_ref] {
                        if let Some(input) = input.get_untracked() {
                            input.set_value("");
                        }
                    }
                    if let Some(options) = options_ref.get_untracked() {
                        options.set_value("");
                    }
                    key_typed.set_value(false);
                    toasts.success(Key::FieldAdded);
                    reload.run(());
                }
                Err(failure) => show_field_failure(errors, &failure),
            }
        });
    };

    view! {
        <form
            class="mt-6 border-t border-slate-100 pt-5"
            novalidate
            data-testid="field-form"
            on:submit=on_submit
        >
            <h3 class="text-sm font-semibold text-slate-900">{t(Key::AddFieldTitle)}</h3>
            <div class="mt-4 grid items-start gap-4 sm:grid-cols-2 lg:grid-cols-3">
                <div on:input=on_label_input>
                    <TextField
                        id="field-label"
                        label=Key::FieldLabel
                        placeholder=Key::FieldLabelPlaceholder
                        autocomplete="off"
                        node_ref=label_ref
                        errors
                        field="label"
                        testid="field-label"
                    />
                </div>
                <div on:input=on_key_input>
                    <TextField
                        id="field-key"
                        label=Key::FieldKey
                        hint=Key::FieldKeyHint
                        autocomplete="off"
                        node_ref=key_ref
                        errors
                        field="key"
                        testid="field-key"
                    />
                </div>
                <div class="space-y-1.5">
                    <label for="field-kind" class="block text-sm font-medium text-slate-700">
                        {t(Key::FieldType)}
                    </label>
                    <select
                        id="field-kind"
                        class="input"
                        data-testid="field-kind"
                        prop:value=move || kind.get().as_str()
                        on:change=move |ev| {
                            kind.set(FieldKind::parse(&event_target_value(&ev)).unwrap_or(FieldKind::Text))
                        }
                    >
                        {FieldKind::ALL
                            .into_iter()
                            .map(|option| {
                                view! {
                                    <option value=option.as_str() selected=option == FieldKind::Text>
                                        {move || i18n.lang().t(kind_key(option))}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
            </div>
            <Show when=move || kind.get() == FieldKind::Choice>
                <div class="mt-4 max-w-xl">
                    <OptionsField id="field-options" node_ref=options_ref errors testid="field-options"/>
                </div>
            </Show>
            <div class="mt-4">
                <FormError errors testid="field-form-error"/>
            </div>
            <div class="mt-4">
                <SubmitButton label=Key::AddField busy testid="field-submit" class="btn btn-primary w-full sm:w-auto"/>
            </div>
        </form>
    }
    .into_any()
}

/// Loading, failure, the empty state or the table of fields. One row is edited at a time.
#[component]
fn FieldList(fields: Fields, manager: Signal<bool>, reload: Callback<()>) -> impl IntoView {
    let editing = RwSignal::new(None::<Uuid>);
    move || match fields.get() {
        None => view! { <ListLoading/> }.into_any(),
        Some(Err(failure)) => view! { <ListError key=failure.key() retry=reload/> }.into_any(),
        Some(Ok(list)) if list.is_empty() => {
            let hint = if manager.get() {
                Key::NoContactFieldsHint
            } else {
                Key::NoContactFieldsReadOnlyHint
            };
            view! {
                <div class="text-sm" data-testid="no-contact-fields">
                    <p class="font-medium text-slate-900">{t(Key::NoContactFields)}</p>
                    <p class="mt-1 text-slate-600">{t(hint)}</p>
                </div>
            }
            .into_any()
        }
        Some(Ok(list)) => {
            let manager = manager.get();
            view! {
                <table class="block w-full text-left text-sm md:table" data-testid="field-table">
                    <thead class="hidden border-b border-slate-200 text-xs font-semibold tracking-wide text-slate-500 uppercase md:table-header-group">
                        <tr>
                            <th scope="col" class="py-2 pr-4">{t(Key::FieldLabel)}</th>
                            <th scope="col" class="py-2 pr-4">{t(Key::FieldKey)}</th>
                            <th scope="col" class="py-2 pr-4">{t(Key::FieldType)}</th>
                            <th scope="col" class="py-2 pr-4">{t(Key::FieldOptions)}</th>
                            {manager
                                .then(|| {
                                    view! {
                                        <th scope="col" class="py-2">
                                            <span class="sr-only">{t(Key::Actions)}</span>
                                        </th>
                                    }
                                })}
                        </tr>
                    </thead>
                    <tbody class="-my-3 block divide-y divide-slate-100 md:my-0 md:table-row-group">
                        {list
                            .into_iter()
                            .map(|field| view! { <FieldRow field manager editing reload/> })
                            .collect_view()}
                    </tbody>
                </table>
            }
            .into_any()
        }
    }
}

/// One field: its row, or its edit form while it is the one being edited.
#[component]
fn FieldRow(
    field: ContactFieldDto,
    manager: bool,
    editing: RwSignal<Option<Uuid>>,
    reload: Callback<()>,
) -> impl IntoView {
    let id = field.id;
    let is_editing = Memo::new(move |_| editing.get() == Some(id));
    move || {
        let field = field.clone();
        if is_editing.get() {
            view! { <FieldEditRow field editing reload/> }.into_any()
        } else {
            view! { <FieldShownRow field manager editing reload/> }.into_any()
        }
    }
}

/// A field as a table row on wide screens and a small card on phones, with its delete
/// confirmation underneath.
#[component]
fn FieldShownRow(
    field: ContactFieldDto,
    manager: bool,
    editing: RwSignal<Option<Uuid>>,
    reload: Callback<()>,
) -> impl IntoView {
    let api = use_api();
    let toasts = use_toasts();
    let i18n = use_i18n();
    let confirming = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let id = field.id;

    let remove = Callback::new(move |_: ()| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = api.delete::<IgnoredAny>(&format!("/contact-fields/{id}")).await;
            busy.try_set(false);
            match result {
                Ok(_) => toasts.success(Key::FieldDeleted),
                Err(failure) => toasts.error(failure.key()),
            }
            confirming.try_set(false);
            reload.run(());
        });
    });
    let question = {
        let label = field.label.clone();
        Signal::derive(move || fill(i18n.lang().t(Key::ConfirmDeleteField), &[("label", &label)]))
    };
    let aria = {
        let label = field.label.clone();
        move |key: Key| {
            let label = label.clone();
            move || fill(i18n.lang().t(key), &[("label", &label)])
        }
    };
    let options = field.options.clone();
    let no_options = options.is_empty();

    view! {
        <tr
            class="grid grid-cols-[minmax(0,1fr)_auto] items-center gap-x-3 gap-y-1 py-3 md:table-row md:py-0"
            data-testid="field-row"
            data-key=field.key.clone()
        >
            <td class="min-w-0 font-medium break-words text-slate-900 md:py-3 md:pr-4" data-testid="field-row-label">
                {field.label.clone()}
            </td>
            <td class="col-start-1 min-w-0 font-mono text-xs break-all text-slate-600 md:py-3 md:pr-4" data-testid="field-row-key">
                {field.key.clone()}
            </td>
            <td class="col-start-1 md:py-3 md:pr-4">
                <span class="badge" data-testid="field-row-kind" data-kind=field.kind.as_str()>
                    {t(kind_key(field.kind))}
                </span>
            </td>
            <td class=if no_options {
                "hidden text-slate-400 md:table-cell md:py-3 md:pr-4"
            } else {
                "col-span-2 col-start-1 pt-1 md:py-3 md:pr-4"
            }>
                {if no_options {
                    view! { <span aria-hidden="true">"—"</span> }.into_any()
                } else {
                    view! {
                        <ul role="list" class="flex flex-wrap gap-1.5">
                            {options
                                .into_iter()
                                .map(|option| {
                                    view! {
                                        <li class="inline-flex items-center rounded-full bg-brand-50 px-2 py-0.5 text-xs font-medium text-brand-700 ring-1 ring-brand-200 ring-inset" data-testid="field-option">
                                            {option}
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                        .into_any()
                }}
            </td>
            {manager
                .then(|| {
                    view! {
                        <td class="col-start-2 row-span-3 row-start-1 self-start md:py-3 md:text-right md:whitespace-nowrap">
                            <div class="flex flex-col items-stretch gap-2 sm:flex-row sm:justify-end">
                                <button
                                    type="button"
                                    class="btn btn-secondary btn-sm"
                                    data-testid="field-edit"
                                    aria-label=aria(Key::EditFieldFor)
                                    disabled=move || busy.get()
                                    on:click=move |_| editing.set(Some(id))
                                >
                                    {t(Key::Edit)}
                                </button>
                                <button
                                    type="button"
                                    class="btn btn-secondary btn-sm text-red-600 hover:text-red-700"
                                    data-testid="field-delete"
                                    aria-label=aria(Key::DeleteFieldFor)
                                    disabled=move || busy.get() || confirming.get()
                                    on:click=move |_| confirming.set(true)
                                >
                                    {t(Key::Delete)}
                                </button>
                            </div>
                        </td>
                    }
                })}
        </tr>
        <Show when=move || confirming.get()>
            <tr class="block md:table-row" data-testid="field-confirm-row">
                <td colspan="5" class="block pb-3 md:table-cell">
                    <ConfirmInline
                        question
                        confirm_label=Key::Delete
                        busy
                        on_confirm=remove
                        on_cancel=Callback::new(move |_| confirming.set(false))
                        confirm_testid="field-delete-confirm"
                    />
                </td>
            </tr>
        </Show>
    }
    .into_any()
}

/// The inline form that changes a field's name and, for a choice field, its options.
#[component]
fn FieldEditRow(
    field: ContactFieldDto,
    editing: RwSignal<Option<Uuid>>,
    reload: Callback<()>,
) -> impl IntoView {
    let api = use_api();
    let toasts = use_toasts();
    let i18n = use_i18n();
    let label_ref = NodeRef::<html::Input>::new();
    let options_ref = NodeRef::<html::Textarea>::new();
    let errors = FormErrors::new(&["label", "options"]);
    let busy = RwSignal::new(false);
    let id = field.id;
    let choice = field.kind == FieldKind::Choice;

    // Start typing right away.
    Effect::new(move |_| {
        if let Some(input) = label_ref.get() {
            let _ = input.focus();
        }
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        errors.clear();
        let label = value_of(label_ref);
        if label.is_empty() {
            return errors.field("label", Key::FieldRequired);
        }
        let options = if choice {
            let raw = options_ref.get_untracked().map(|el| el.value()).unwrap_or_default();
            let options = parse_options(&raw);
            if options.is_empty() {
                return errors.field("options", Key::FieldOptionsRequired);
            }
            Some(options)
        } else {
            None
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let request = UpdateContactFieldRequest { label: Some(label), options };
            let result =
                api.patch::<_, IgnoredAny>(&format!("/contact-fields/{id}"), &request).await;
            busy.try_set(false);
            match result {
                Ok(_) => {
                    editing.try_set(None);
                    toasts.success(Key::FieldSaved);
                    reload.run(());
                }
                Err(failure) => show_field_failure(errors, &failure),
            }
        });
    };
    let fixed_note = {
        let key = field.key.clone();
        move || fill(i18n.lang().t(Key::FieldFixedNote), &[("key", &key)])
    };

    view! {
        <tr class="block md:table-row" data-testid="field-edit-row" data-key=field.key.clone()>
            <td colspan="5" class="block py-3 md:table-cell">
                <form
                    class="space-y-4 rounded-lg bg-slate-50 p-4 ring-1 ring-slate-200"
                    novalidate
                    data-testid="field-edit-form"
                    on:submit=on_submit
                    on:keydown=move |ev| {
                        if ev.key() == "Escape" {
                            editing.set(None);
                        }
                    }
                >
                    <div class="grid items-start gap-4 sm:grid-cols-2">
                        <TextField
                            id="field-edit-label"
                            label=Key::FieldLabel
                            autocomplete="off"
                            node_ref=label_ref
                            value=field.label.clone()
                            errors
                            field="label"
                            testid="field-edit-label"
                        />
                        {choice
                            .then(|| {
                                view! {
                                    <OptionsField
                                        id="field-edit-options"
                                        node_ref=options_ref
                                        errors
                                        value=field.options.join("\n")
                                        testid="field-edit-options"
                                    />
                                }
                            })}
                    </div>
                    <p class="text-xs text-slate-500">{fixed_note}</p>
                    <FormError errors testid="field-edit-error"/>
                    <div class="flex flex-wrap justify-end gap-2">
                        <button
                            type="button"
                            class="btn btn-secondary"
                            data-testid="field-edit-cancel"
                            on:click=move |_| editing.set(None)
                        >
                            {t(Key::Cancel)}
                        </button>
                        <SubmitButton label=Key::Save busy testid="field-edit-save" class="btn btn-primary"/>
                    </div>
                </form>
            </td>
        </tr>
    }
    .into_any()
}

// ---------------------------------------------------------------------------------------------
// Tags

/// Loading, failure, the empty state or the table of tags. One tag is renamed at a time.
#[component]
fn TagList(tags: Tags, manager: Signal<bool>, reload: Callback<()>) -> impl IntoView {
    let renaming = RwSignal::new(None::<String>);
    move || match tags.get() {
        None => view! { <ListLoading/> }.into_any(),
        Some(Err(failure)) => view! { <ListError key=failure.key() retry=reload/> }.into_any(),
        Some(Ok(list)) if list.is_empty() => view! {
            <div class="text-sm" data-testid="no-tags">
                <p class="font-medium text-slate-900">{t(Key::NoTags)}</p>
                <p class="mt-1 text-slate-600">{t(Key::NoTagsHint)}</p>
            </div>
        }
        .into_any(),
        Some(Ok(list)) => {
            let manager = manager.get();
            view! {
                <table class="block w-full text-left text-sm md:table" data-testid="tag-table">
                    <thead class="hidden border-b border-slate-200 text-xs font-semibold tracking-wide text-slate-500 uppercase md:table-header-group">
                        <tr>
                            <th scope="col" class="py-2 pr-4">{t(Key::TagColumn)}</th>
                            <th scope="col" class="py-2 pr-4">{t(Key::TagContactsColumn)}</th>
                            {manager
                                .then(|| {
                                    view! {
                                        <th scope="col" class="py-2">
                                            <span class="sr-only">{t(Key::Actions)}</span>
                                        </th>
                                    }
                                })}
                        </tr>
                    </thead>
                    <tbody class="-my-3 block divide-y divide-slate-100 md:my-0 md:table-row-group">
                        {list
                            .into_iter()
                            .map(|tag| view! { <TagRow tag manager renaming reload/> })
                            .collect_view()}
                    </tbody>
                </table>
            }
            .into_any()
        }
    }
}

/// One tag: its row, or the rename form while it is the one being renamed.
#[component]
fn TagRow(
    tag: TagCount,
    manager: bool,
    renaming: RwSignal<Option<String>>,
    reload: Callback<()>,
) -> impl IntoView {
    let name = tag.tag.clone();
    let is_renaming = Memo::new(move |_| renaming.with(|r| r.as_deref() == Some(name.as_str())));
    move || {
        let tag = tag.clone();
        if is_renaming.get() {
            view! { <TagRenameRow tag renaming reload/> }.into_any()
        } else {
            view! { <TagShownRow tag manager renaming reload/> }.into_any()
        }
    }
}

/// "1 contact", "12 contacts".
fn count_text(lang: shared::i18n::Lang, count: u64) -> String {
    if count == 1 {
        lang.t(Key::TagCountOne).to_owned()
    } else {
        fill(lang.t(Key::TagCountMany), &[("count", &count.to_string())])
    }
}

/// A tag as a table row on wide screens and a small card on phones: the tag links to the
/// contacts that carry it.
#[component]
fn TagShownRow(
    tag: TagCount,
    manager: bool,
    renaming: RwSignal<Option<String>>,
    reload: Callback<()>,
) -> impl IntoView {
    let api = use_api();
    let toasts = use_toasts();
    let i18n = use_i18n();
    let confirming = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let name = tag.tag.clone();
    let count = tag.count;
    let href = format!("/contacts?tag={}", encode_query(&name));

    let remove = {
        let name = name.clone();
        Callback::new(move |_: ()| {
            busy.set(true);
            let path = format!("/contact-tags/{}", encode_query(&name));
            leptos::task::spawn_local(async move {
                let result = api.delete::<IgnoredAny>(&path).await;
                busy.try_set(false);
                match result {
                    Ok(_) => toasts.success(Key::TagDeleted),
                    Err(failure) => toasts.error(failure.key()),
                }
                confirming.try_set(false);
                reload.run(());
            });
        })
    };
    let filled = {
        let name = name.clone();
        move |key: Key| {
            let name = name.clone();
            move || fill(i18n.lang().t(key), &[("tag", &name)])
        }
    };
    let question = Signal::derive(filled(Key::ConfirmDeleteTag));
    let start_rename = {
        let name = name.clone();
        move |_| {
            confirming.set(false);
            renaming.set(Some(name.clone()));
        }
    };

    view! {
        <tr
            class="grid grid-cols-[minmax(0,1fr)_auto] items-center gap-x-3 gap-y-1 py-3 md:table-row md:py-0"
            data-testid="tag-row"
            data-tag=name.clone()
        >
            <td class="min-w-0 md:py-3 md:pr-4">
                <a
                    href=href
                    class="inline-flex max-w-full items-center gap-1 rounded-full bg-brand-50 px-2.5 py-0.5 text-sm font-medium break-all text-brand-700 ring-1 ring-brand-200 ring-inset hover:bg-brand-100 focus-visible:outline-2 focus-visible:outline-brand-600"
                    data-testid="tag-link"
                    title=filled(Key::TagShowContacts)
                >
                    {name.clone()}
                </a>
            </td>
            <td class="col-start-1 text-slate-600 tabular-nums md:py-3 md:pr-4" data-testid="tag-count" data-count=count.to_string()>
                {move || count_text(i18n.lang(), count)}
            </td>
            {manager
                .then(|| {
                    view! {
                        <td class="col-start-2 row-span-2 row-start-1 md:py-3 md:whitespace-nowrap">
                            <div class="flex justify-end gap-2">
                                <button
                                    type="button"
                                    class="btn btn-secondary btn-sm"
                                    data-testid="tag-rename"
                                    aria-label=filled(Key::RenameTagFor)
                                    disabled=move || busy.get()
                                    on:click=start_rename
                                >
                                    {t(Key::Rename)}
                                </button>
                                <button
                                    type="button"
                                    class="btn btn-secondary btn-sm text-red-600 hover:text-red-700"
                                    data-testid="tag-delete"
                                    aria-label=filled(Key::DeleteTagFor)
                                    disabled=move || busy.get() || confirming.get()
                                    on:click=move |_| confirming.set(true)
                                >
                                    {t(Key::Delete)}
                                </button>
                            </div>
                        </td>
                    }
                })}
        </tr>
        <Show when=move || confirming.get()>
            <tr class="block md:table-row" data-testid="tag-confirm-row">
                <td colspan="3" class="block pb-3 md:table-cell">
                    <ConfirmInline
                        question
                        confirm_label=Key::Delete
                        busy
                        on_confirm=remove
                        on_cancel=Callback::new(move |_| confirming.set(false))
                        confirm_testid="tag-delete-confirm"
                    />
                </td>
            </tr>
        </Show>
    }
    .into_any()
}

/// What is wrong with a typed tag name, before asking the server.
fn tag_problem(name: &str) -> Option<Key> {
    if name.is_empty() {
        Some(Key::FieldRequired)
    } else if name.contains(',')
        || name.chars().count() > MAX_TAG_LEN
        || name.chars().any(char::is_control)
    {
        Some(Key::TagNameInvalid)
    } else {
        None
    }
}

/// The inline rename form: a new name (an existing tag's name merges the two) and save.
#[component]
fn TagRenameRow(
    tag: TagCount,
    renaming: RwSignal<Option<String>>,
    reload: Callback<()>,
) -> impl IntoView {
    let api = use_api();
    let toasts = use_toasts();
    let input_ref = NodeRef::<html::Input>::new();
    let errors = FormErrors::new(&["name"]);
    let busy = RwSignal::new(false);
    let from = tag.tag.clone();

    Effect::new(move |_| {
        if let Some(input) = input_ref.get() {
            let _ = input.focus();
            input.select();
        }
    });

    let on_submit = {
        let from = from.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            if busy.get_untracked() {
                return;
            }
            errors.clear();
            // Tags are stored lower-case; compare the way the server will.
            let name = value_of(input_ref).to_lowercase();
            if let Some(problem) = tag_problem(&name) {
                return errors.field("name", problem);
            }
            if name == from {
                renaming.set(None);
                return;
            }
            busy.set(true);
            let path = format!("/contact-tags/{}", encode_query(&from));
            leptos::task::spawn_local(async move {
                let result = api.patch::<_, IgnoredAny>(&path, &RenameTagRequest { name }).await;
                busy.try_set(false);
                match result {
                    Ok(_) => {
                        renaming.try_set(None);
                        toasts.success(Key::TagRenamed);
                        reload.run(());
                    }
                    Err(failure)
                        if failure.is(ErrorCode::ValidationFailed)
                            && failure.field() == Some("name") =>
                    {
                        errors.api_as("name", Key::TagNameInvalid)
                    }
                    Err(failure) => errors.api(&failure),
                }
            });
        }
    };

    view! {
        <tr class="block md:table-row" data-testid="tag-rename-row" data-tag=from.clone()>
            <td colspan="3" class="block py-3 md:table-cell">
                <form
                    class="flex flex-col gap-3 rounded-lg bg-slate-50 p-4 ring-1 ring-slate-200 sm:flex-row sm:items-start"
                    novalidate
                    data-testid="tag-rename-form"
                    on:submit=on_submit
                    on:keydown=move |ev| {
                        if ev.key() == "Escape" {
                            renaming.set(None);
                        }
                    }
                >
                    <div class="min-w-0 flex-1">
                        <TextField
                            id="tag-rename-input"
                            label=Key::TagNewName
                            autocomplete="off"
                            node_ref=input_ref
                            value=from.clone()
                            errors
                            field="name"
                            testid="tag-rename-input"
                        />
                        <div class="mt-2">
                            <FormError errors testid="tag-rename-error"/>
                        </div>
                    </div>
                    <div class="flex gap-2 sm:pt-7">
                        <button
                            type="button"
                            class="btn btn-secondary flex-1 sm:flex-none"
                            data-testid="tag-rename-cancel"
                            on:click=move |_| renaming.set(None)
                        >
                            {t(Key::Cancel)}
                        </button>
                        <SubmitButton label=Key::Save busy testid="tag-rename-save" class="btn btn-primary flex-1 sm:flex-none"/>
                    </div>
                </form>
            </td>
        </tr>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_suggested_from_labels() {
        assert_eq!(suggest_key("Plan"), "plan");
        assert_eq!(suggest_key("Data de nascimento"), "data_de_nascimento");
        assert_eq!(suggest_key("  Observações internas! "), "observacoes_internas");
        assert_eq!(suggest_key("2nd phone"), "custom_2nd_phone");
        assert_eq!(suggest_key("Email"), "custom_email", "built-in columns are not suggested");
        assert_eq!(suggest_key("!!!"), "");
        let long = suggest_key(&"a".repeat(200));
        assert!(long.len() <= 64 && key_problem(&long).is_none());
        for label in ["Plan", "2nd phone", "Name", "Cidade / Estado", "Ação"] {
            assert_eq!(key_problem(&suggest_key(label)), None, "{label}");
        }
    }

    #[test]
    fn keys_are_checked_like_the_server_does() {
        assert_eq!(key_problem(""), Some(Key::FieldRequired));
        assert_eq!(key_problem("Plan"), Some(Key::FieldKeyInvalid));
        assert_eq!(key_problem("1plan"), Some(Key::FieldKeyInvalid));
        assert_eq!(key_problem("phone"), Some(Key::FieldKeyReserved));
        assert_eq!(key_problem("plan_2"), None);
    }

    #[test]
    fn options_split_on_lines_and_commas_without_repeats() {
        assert_eq!(
            parse_options("Gold, Silver\nbronze,gold\n\n , "),
            vec!["Gold", "Silver", "bronze"]
        );
        assert!(parse_options(" \n ,").is_empty());
    }

    #[test]
    fn tag_names_are_checked_before_sending() {
        assert_eq!(tag_problem(""), Some(Key::FieldRequired));
        assert_eq!(tag_problem("a,b"), Some(Key::TagNameInvalid));
        assert_eq!(tag_problem(&"x".repeat(65)), Some(Key::TagNameInvalid));
        assert_eq!(tag_problem("são paulo"), None);
    }

    #[test]
    fn counts_read_naturally() {
        assert_eq!(count_text(shared::i18n::Lang::En, 1), "1 contact");
        assert_eq!(count_text(shared::i18n::Lang::PtBr, 3), "3 contatos");
    }
}
