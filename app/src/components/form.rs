//! Form building blocks: labelled inputs with their error line, the submit button and inline
//! alerts.
//!
//! Inputs are read through `NodeRef`s at submit time rather than mirrored into signals: text
//! typed before the WASM bundle finished hydrating is still in the DOM and is not lost.

use leptos::{html, prelude::*};
use shared::{i18n::Key, ErrorCode};

use crate::api::ApiFailure;
use crate::components::icons::{Icon, IconName};
use crate::hydration::use_hydrated;
use crate::i18n::{t, use_i18n};

/// An error to show on a form: next to `field` when it names one of the form's inputs,
/// otherwise above the submit button.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    pub field: Option<String>,
    pub key: Key,
}

/// The current error of one form.
#[derive(Clone, Copy)]
pub struct FormErrors {
    current: RwSignal<Option<FieldError>>,
    fields: &'static [&'static str],
}

impl FormErrors {
    /// `fields` are the API field names this form shows inputs for.
    pub fn new(fields: &'static [&'static str]) -> Self {
        FormErrors { current: RwSignal::new(None), fields }
    }

    pub fn clear(self) {
        self.current.set(None);
    }

    /// A client-side check failed on `field`.
    pub fn field(self, field: &'static str, key: Key) {
        self.current.set(Some(FieldError { field: Some(field.to_owned()), key }));
    }

    /// A form-level message.
    pub fn general(self, key: Key) {
        self.current.set(Some(FieldError { field: None, key }));
    }

    /// Shows an API failure next to the field it names, or above the button.
    pub fn api(self, failure: &ApiFailure) {
        let field = failure.field().filter(|f| self.fields.contains(f)).map(str::to_owned);
        // A rejected email address is nearly always a typo; say so rather than "check the field".
        let key = match (failure.code(), failure.field()) {
            (Some(ErrorCode::ValidationFailed), Some("email")) => Key::InvalidEmail,
            _ => failure.key(),
        };
        self.current.set(Some(FieldError { field, key }));
    }

    /// Shows `key` for an API failure, next to `field` (a form may name its inputs differently
    /// from the API, e.g. `new_password` for the API's `password`).
    pub fn api_as(self, field: &'static str, key: Key) {
        self.field(field, key);
    }

    /// Tracked: the error of one field.
    pub fn for_field(self, field: &'static str) -> Option<Key> {
        self.current.with(|error| {
            error.as_ref().filter(|e| e.field.as_deref() == Some(field)).map(|e| e.key)
        })
    }

    /// Tracked: the form-level error.
    pub fn for_form(self) -> Option<Key> {
        self.current.with(|error| error.as_ref().filter(|e| e.field.is_none()).map(|e| e.key))
    }

    /// Tracked: the raw error, for forms that special-case a code.
    pub fn get(self) -> Option<FieldError> {
        self.current.get()
    }
}

/// The trimmed value of an input right now.
pub fn value_of(input: NodeRef<html::Input>) -> String {
    input.get_untracked().map(|el| el.value()).unwrap_or_default().trim().to_owned()
}

/// The exact value of an input (passwords are not trimmed: spaces may be part of them).
pub fn raw_value_of(input: NodeRef<html::Input>) -> String {
    input.get_untracked().map(|el| el.value()).unwrap_or_default()
}

/// A very loose email check: the server decides, this only catches obvious typos early.
pub fn looks_like_email(value: &str) -> bool {
    match value.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !value.contains(' ')
        }
        None => false,
    }
}

/// A labelled input with optional hint and its error line.
#[component]
pub fn TextField(
    /// DOM id; also the base of the hint and error ids.
    id: &'static str,
    label: Key,
    node_ref: NodeRef<html::Input>,
    errors: FormErrors,
    /// The API field name whose errors appear under this input.
    field: &'static str,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] hint: Option<Key>,
    #[prop(optional)] placeholder: Option<Key>,
    #[prop(optional, into)] value: Option<String>,
    #[prop(optional)] readonly: bool,
    #[prop(optional)] testid: Option<&'static str>,
) -> impl IntoView {
    let i18n = use_i18n();
    let error = move || errors.for_field(field);
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described_by = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if error().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="space-y-1.5">
            <label for=id class="block text-sm font-medium text-slate-700">
                {t(label)}
            </label>
            <input
                id=id
                type=input_type
                node_ref=node_ref
                autocomplete=autocomplete
                placeholder=move || placeholder.map(|key| i18n.lang().t(key))
                value=value
                readonly=readonly
                data-testid=testid
                aria-invalid=move || error().map(|_| "true")
                aria-describedby=described_by
                class=move || {
                    if error().is_some() { "input input-invalid" } else { "input" }
                }
            />
            {hint
                .map(|hint| {
                    view! {
                        <p id=hint_id class="text-xs leading-5 text-slate-500">
                            {t(hint)}
                        </p>
                    }
                })}
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

/// The form's main button. Disabled while the request runs and until the page is interactive.
#[component]
pub fn SubmitButton(
    label: Key,
    #[prop(into)] busy: Signal<bool>,
    #[prop(optional)] testid: Option<&'static str>,
    #[prop(default = "btn btn-primary w-full")] class: &'static str,
) -> impl IntoView {
    let hydrated = use_hydrated();
    let label_text = t(label);
    let wait_text = t(Key::PleaseWait);
    view! {
        <button
            type="submit"
            class=class
            data-testid=testid
            disabled=move || busy.get() || !hydrated.get()
            aria-busy=move || busy.get().then_some("true")
        >
            {move || busy.get().then(|| view! { <span class="spinner" aria-hidden="true"></span> })}
            <span>{move || if busy.get() { wait_text() } else { label_text() }}</span>
        </button>
    }
    .into_any()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertKind {
    Error,
    Success,
    Info,
}

/// An inline message box.
#[component]
pub fn Alert(
    kind: AlertKind,
    #[prop(optional)] testid: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    let (class, icon) = match kind {
        AlertKind::Error => ("alert alert-error", IconName::Warning),
        AlertKind::Success => ("alert alert-success", IconName::Check),
        AlertKind::Info => ("alert alert-info", IconName::Info),
    };
    let role = (kind == AlertKind::Error).then_some("alert");
    view! {
        <div class=class role=role data-testid=testid>
            <Icon icon=icon class="mt-0.5 size-5 shrink-0"/>
            <div class="min-w-0 flex-1 space-y-2">{children()}</div>
        </div>
    }
    .into_any()
}

/// The form-level error of `errors`, if any.
#[component]
pub fn FormError(
    errors: FormErrors,
    #[prop(optional)] testid: Option<&'static str>,
) -> impl IntoView {
    move || {
        errors.for_form().map(|key| {
            view! {
                <Alert kind=AlertKind::Error testid=testid.unwrap_or("form-error")>
                    <p>{t(key)}</p>
                </Alert>
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::looks_like_email;

    #[test]
    fn email_check_catches_obvious_typos_only() {
        assert!(looks_like_email("ana@example.com"));
        assert!(looks_like_email("ana+tag@mail.example.com.br"));
        assert!(!looks_like_email("ana@example"));
        assert!(!looks_like_email("@example.com"));
        assert!(!looks_like_email("ana @example.com"));
        assert!(!looks_like_email("ana.example.com"));
    }
}
