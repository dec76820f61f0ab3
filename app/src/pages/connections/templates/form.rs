//! "New template": the parts Meta reviews (name, language, category, header, body, footer), a
//! sample value for every variable (Meta refuses a template with variables and no samples), and
//! the bubble the customer would see, filled with those samples.

use leptos::{ev::SubmitEvent, html, prelude::*};
use serde_json::{json, Value};
use shared::{
    api::{CreateTemplateRequest, TemplateDto},
    i18n::Key,
    templates::placeholder_count,
    ErrorCode,
};
use uuid::Uuid;

use super::preview::{preview, Bubble};
use crate::api::use_api;
use crate::components::form::{
    value_of, Alert, AlertKind, FormError, FormErrors, SubmitButton, TextField,
};
use crate::i18n::{fill, t, use_i18n};

/// The API fields this form has inputs for (`components` errors show under the body).
const FIELDS: &[&str] = &["name", "language", "category", "components", "examples"];

/// What Meta accepts as a template name.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 512
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// The typed parts of a new template.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Draft {
    pub header: String,
    pub body: String,
    pub footer: String,
    pub header_example: String,
    pub body_examples: Vec<String>,
}

impl Draft {
    /// Meta's component objects, with the samples in the `example` fields Meta reviews.
    pub fn components(&self) -> Value {
        let mut components = Vec::new();
        let header = self.header.trim();
        if !header.is_empty() {
            let mut part = json!({"type": "HEADER", "format": "TEXT", "text": header});
            if placeholder_count(header) > 0 {
                part["example"] = json!({"header_text": [self.header_example.trim()]});
            }
            components.push(part);
        }
        let body = self.body.trim();
        let mut part = json!({"type": "BODY", "text": body});
        let needed = placeholder_count(body);
        if needed > 0 {
            let samples: Vec<&str> =
                (0..needed).map(|i| self.body_examples.get(i).map_or("", |s| s.trim())).collect();
            part["example"] = json!({"body_text": [samples]});
        }
        components.push(part);
        let footer = self.footer.trim();
        if !footer.is_empty() {
            components.push(json!({"type": "FOOTER", "text": footer}));
        }
        Value::Array(components)
    }

    /// Whether every variable has a sample.
    pub fn examples_complete(&self) -> bool {
        let body_ok = (0..placeholder_count(self.body.trim()))
            .all(|i| self.body_examples.get(i).is_some_and(|s| !s.trim().is_empty()));
        let header_ok =
            placeholder_count(self.header.trim()) == 0 || !self.header_example.trim().is_empty();
        body_ok && header_ok
    }
}

#[component]
pub fn NewTemplateForm(
    connection_id: Uuid,
    on_created: Callback<TemplateDto>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let api = use_api();
    let i18n = use_i18n();
    let errors = FormErrors::new(FIELDS);
    let busy = RwSignal::new(false);
    // Meta's refusal in its own words (502 `provider_error`).
    let refusal = RwSignal::new(None::<String>);
    let name_ref = NodeRef::<html::Input>::new();
    let language_ref = NodeRef::<html::Input>::new();
    let category = RwSignal::new("UTILITY".to_owned());
    let draft = RwSignal::new(Draft::default());
    let body_variables = Memo::new(move |_| draft.with(|d| placeholder_count(d.body.trim())));
    let header_variables = Memo::new(move |_| draft.with(|d| placeholder_count(d.header.trim())));
    let rendered = Memo::new(move |_| {
        draft.with(|d| preview(&d.components(), &d.header_example, &d.body_examples))
    });

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        errors.clear();
        refusal.set(None);
        let name = value_of(name_ref);
        let language = value_of(language_ref);
        let current = draft.get_untracked();
        if !valid_name(&name) {
            return errors.field("name", Key::TemplateNameInvalid);
        }
        if language.is_empty() {
            return errors.field("language", Key::TemplateLanguageRequired);
        }
        if current.body.trim().is_empty() {
            return errors.field("components", Key::TemplateBodyRequired);
        }
        if !current.examples_complete() {
            return errors.field("examples", Key::TemplateExamplesRequired);
        }
        let request = CreateTemplateRequest {
            name,
            language,
            category: category.get_untracked(),
            components: current.components(),
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = api
                .post::<_, TemplateDto>(
                    &format!("/connections/{connection_id}/templates"),
                    &request,
                )
                .await;
            busy.try_set(false);
            match result {
                Ok(created) => on_created.run(created),
                Err(failure) => match failure.code() {
                    Some(ErrorCode::Conflict) => errors.field("name", Key::TemplateExists),
                    Some(ErrorCode::ProviderError) => {
                        refusal.try_set(Some(failure.message().unwrap_or_default().to_owned()));
                    }
                    _ => errors.api(&failure),
                },
            }
        });
    };

    let set = move |write: fn(&mut Draft, String)| {
        move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
            draft.update(|d| write(d, value));
        }
    };
    let example_inputs = move || {
        (0..body_variables.get())
            .map(|index| {
                let id = format!("tpl-new-example-{}", index + 1);
                let value = draft.with_untracked(|d| d.body_examples.get(index).cloned());
                view! {
                    <div class="space-y-1">
                        <label for=id.clone() class="block text-xs font-medium text-slate-600">
                            {move || fill(i18n.lang().t(Key::TemplateVariableN), &[("n", &(index + 1).to_string())])}
                        </label>
                        <input
                            id=id
                            class="input"
                            data-testid="tpl-new-example"
                            data-index=index + 1
                            prop:value=value.unwrap_or_default()
                            on:input=move |ev| {
                                let value = event_target_value(&ev);
                                draft.update(|d| {
                                    if d.body_examples.len() <= index {
                                        d.body_examples.resize(index + 1, String::new());
                                    }
                                    d.body_examples[index] = value;
                                });
                            }
                        />
                    </div>
                }
            })
            .collect_view()
    };
    let field_error = move |field: &'static str| {
        move || {
            errors.for_field(field).map(|key| {
                view! { <p id=format!("tpl-new-{field}-error") class="field-error" data-testid="field-error">{t(key)}</p> }
            })
        }
    };

    view! {
        <form class="grid gap-6 lg:grid-cols-2" novalidate on:submit=submit data-testid="template-form">
            <div class="space-y-4">
                <TextField
                    id="tpl-new-name"
                    label=Key::TemplateName
                    node_ref=name_ref
                    errors
                    field="name"
                    hint=Key::TemplateNameHint
                    autocomplete="off"
                    testid="tpl-new-name"
                />
                <div class="grid gap-4 sm:grid-cols-2">
                    <TextField
                        id="tpl-new-language"
                        label=Key::TemplateLanguage
                        node_ref=language_ref
                        errors
                        field="language"
                        value="pt_BR"
                        hint=Key::TemplateLanguageHint
                        autocomplete="off"
                        testid="tpl-new-language"
                    />
                    <div class="space-y-1.5">
                        <label for="tpl-new-category" class="block text-sm font-medium text-slate-700">{t(Key::TemplateCategory)}</label>
                        <select
                            id="tpl-new-category"
                            class="input"
                            data-testid="tpl-new-category"
                            on:change=move |ev| category.set(event_target_value(&ev))
                        >
                            <option value="UTILITY" selected>{t(Key::CategoryUtility)}</option>
                            <option value="MARKETING">{t(Key::CategoryMarketing)}</option>
                            <option value="AUTHENTICATION">{t(Key::CategoryAuthentication)}</option>
                        </select>
                        <p class="text-xs leading-5 text-slate-500">{t(Key::TemplateCategoryHint)}</p>
                    </div>
                </div>
                <div class="space-y-1.5">
                    <label for="tpl-new-header" class="block text-sm font-medium text-slate-700">{t(Key::TemplateHeader)}</label>
                    <input id="tpl-new-header" class="input" maxlength="60" data-testid="tpl-new-header" on:input=set(|d, v| d.header = v)/>
                </div>
                <Show when=move || { header_variables.get() > 0 }>
                    <div class="space-y-1">
                        <label for="tpl-new-header-example" class="block text-xs font-medium text-slate-600">{t(Key::TemplateHeaderVariable)}</label>
                        <input id="tpl-new-header-example" class="input" data-testid="tpl-new-header-example" on:input=set(|d, v| d.header_example = v)/>
                    </div>
                </Show>
                <div class="space-y-1.5">
                    <label for="tpl-new-body" class="block text-sm font-medium text-slate-700">{t(Key::TemplateBody)}</label>
                    <textarea
                        id="tpl-new-body"
                        rows="5"
                        maxlength="1024"
                        class=move || if errors.for_field("components").is_some() { "input input-invalid" } else { "input" }
                        aria-invalid=move || errors.for_field("components").map(|_| "true")
                        aria-describedby="tpl-new-body-hint"
                        data-testid="tpl-new-body"
                        on:input=set(|d, v| d.body = v)
                    ></textarea>
                    <p id="tpl-new-body-hint" class="text-xs leading-5 text-slate-500">{t(Key::TemplateBodyHint)}</p>
                    {field_error("components")}
                </div>
                <div class="space-y-1.5">
                    <label for="tpl-new-footer" class="block text-sm font-medium text-slate-700">{t(Key::TemplateFooter)}</label>
                    <input id="tpl-new-footer" class="input" maxlength="60" data-testid="tpl-new-footer" on:input=set(|d, v| d.footer = v)/>
                </div>
            </div>
            <div class="space-y-4">
                <Show when=move || { body_variables.get() > 0 }>
                    <fieldset class="space-y-3 rounded-lg bg-slate-50 p-4 ring-1 ring-slate-200" data-testid="tpl-new-examples">
                        <legend class="text-sm font-medium text-slate-700">{t(Key::TemplateExamples)}</legend>
                        <p class="text-xs leading-5 text-slate-500">{t(Key::TemplateExamplesHint)}</p>
                        {example_inputs}
                        {field_error("examples")}
                    </fieldset>
                </Show>
                <div>
                    <p class="mb-2 text-xs font-semibold tracking-wide text-slate-500 uppercase">{t(Key::CustomerSees)}</p>
                    <Bubble rendered/>
                </div>
                {move || {
                    refusal
                        .get()
                        .map(|message| {
                            view! {
                                <Alert kind=AlertKind::Error testid="template-refused">
                                    <p class="font-medium">{t(Key::ErrProviderError)}</p>
                                    <p class="break-words">{message}</p>
                                </Alert>
                            }
                        })
                }}
                <FormError errors/>
                <div class="flex flex-wrap gap-3">
                    <SubmitButton label=Key::SubmitTemplate busy testid="tpl-new-submit" class="btn btn-primary"/>
                    <button type="button" class="btn btn-secondary" data-testid="tpl-new-cancel" on:click=move |_| on_cancel.run(())>
                        {t(Key::Cancel)}
                    </button>
                </div>
            </div>
        </form>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_lower_case_digits_and_underscores() {
        assert!(valid_name("order_update_2"));
        assert!(!valid_name("Order update"));
        assert!(!valid_name(""));
        assert!(!valid_name("pedido-novo"));
    }

    #[test]
    fn components_carry_a_sample_for_every_variable() {
        let draft = Draft {
            header: "Pedido {{1}}".into(),
            body: " Olá {{1}}, seu pedido {{2}} saiu. ".into(),
            footer: "Loja da Ana".into(),
            header_example: "#123".into(),
            body_examples: vec!["Ana".into(), "#123".into()],
        };
        assert!(draft.examples_complete());
        assert_eq!(
            draft.components(),
            json!([
                {"type": "HEADER", "format": "TEXT", "text": "Pedido {{1}}", "example": {"header_text": ["#123"]}},
                {"type": "BODY", "text": "Olá {{1}}, seu pedido {{2}} saiu.", "example": {"body_text": [["Ana", "#123"]]}},
                {"type": "FOOTER", "text": "Loja da Ana"}
            ])
        );
    }

    #[test]
    fn a_missing_sample_is_noticed_and_plain_bodies_need_none() {
        let missing = Draft {
            body: "Olá {{1}} e {{2}}".into(),
            body_examples: vec!["Ana".into()],
            ..Draft::default()
        };
        assert!(!missing.examples_complete());
        let plain = Draft { body: "Obrigado!".into(), ..Draft::default() };
        assert!(plain.examples_complete());
        assert_eq!(plain.components(), json!([{"type": "BODY", "text": "Obrigado!"}]));
    }
}
