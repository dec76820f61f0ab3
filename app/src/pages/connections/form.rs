//! The add / edit form of a WhatsApp Cloud API connection.
//!
//! Adding asks for everything; the verify token comes pre-filled with a random suggestion the
//! person may keep or replace (it only has to match what they paste into Meta's dashboard).
//! Editing shows the stored name and ids; secret inputs start empty and an empty one keeps the
//! stored value, since secrets are never sent back to the browser.

use leptos::{ev::SubmitEvent, html, prelude::*};
use shared::{
    api::{ConnectionDto, CreateConnectionRequest, UpdateConnectionRequest},
    i18n::Key,
    ErrorCode,
};

use crate::api::{use_api, ApiFailure};
use crate::components::copy::CopyButton;
use crate::components::form::{
    raw_value_of, value_of, FormError, FormErrors, SubmitButton, TextField,
};
use crate::i18n::t;

/// The API fields this form has inputs for.
const FIELDS: &[&str] =
    &["name", "phone_number_id", "waba_id", "access_token", "app_secret", "verify_token"];

/// A fresh random verify token (122 random bits from the browser's CSPRNG via UUID v4).
pub fn suggest_verify_token() -> String {
    format!("mia-{}", uuid::Uuid::new_v4().simple())
}

/// Meta's ids are digits only.
fn is_graph_id(value: &str) -> bool {
    !value.is_empty() && value.len() <= 64 && value.bytes().all(|b| b.is_ascii_digit())
}

/// A secret as the server accepts it: no whitespace inside.
fn is_secret(value: &str) -> bool {
    !value.chars().any(char::is_whitespace)
}

fn non_empty(value: String) -> Option<String> {
    (!value.is_empty()).then_some(value)
}

/// The message for a refusal, next to the input it concerns when there is one.
fn show_failure(errors: FormErrors, failure: &ApiFailure) {
    let field = failure.field().and_then(|f| FIELDS.iter().copied().find(|known| *known == f));
    match (failure.code(), field) {
        (Some(ErrorCode::Conflict), Some("phone_number_id")) => {
            errors.field("phone_number_id", Key::PhoneNumberIdTaken)
        }
        (Some(ErrorCode::ValidationFailed), Some(f @ ("phone_number_id" | "waba_id"))) => {
            errors.field(f, Key::GraphIdInvalid)
        }
        (
            Some(ErrorCode::ValidationFailed),
            Some(f @ ("access_token" | "app_secret" | "verify_token")),
        ) => errors.field(f, Key::SecretInvalid),
        _ => errors.api(failure),
    }
}

#[component]
pub fn ConnectionForm(
    /// `None` to add a connection.
    existing: Option<ConnectionDto>,
    /// After adding: the new connection and the verify token typed.
    on_created: Callback<(ConnectionDto, String)>,
    on_updated: Callback<ConnectionDto>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let api = use_api();
    let errors = FormErrors::new(FIELDS);
    let busy = RwSignal::new(false);
    let name_ref = NodeRef::<html::Input>::new();
    let phone_ref = NodeRef::<html::Input>::new();
    let waba_ref = NodeRef::<html::Input>::new();
    let token_ref = NodeRef::<html::Input>::new();
    let secret_ref = NodeRef::<html::Input>::new();
    let verify_ref = NodeRef::<html::Input>::new();
    let editing = existing.as_ref().map(|c| c.id);
    let (name, phone_id, waba_id) = existing
        .as_ref()
        .map(|c| {
            (
                c.name.clone(),
                c.phone_number_id.clone().unwrap_or_default(),
                c.waba_id.clone().unwrap_or_default(),
            )
        })
        .unwrap_or_default();
    let suggested = if editing.is_none() { suggest_verify_token() } else { String::new() };
    let secret_hint = editing.map(|_| Key::SecretKeepHint);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        errors.clear();
        let name = value_of(name_ref);
        let phone_number_id = value_of(phone_ref);
        let waba_id = value_of(waba_ref);
        let access_token = value_of(token_ref);
        let app_secret = value_of(secret_ref);
        let verify_token = raw_value_of(verify_ref).trim().to_owned();
        // Checked in the order of the inputs, so the first problem on screen is the one named.
        if name.is_empty() {
            return errors.field("name", Key::FieldRequired);
        }
        for (field, value) in [("phone_number_id", &phone_number_id), ("waba_id", &waba_id)] {
            if value.is_empty() {
                return errors.field(field, Key::FieldRequired);
            }
            if !is_graph_id(value) {
                return errors.field(field, Key::GraphIdInvalid);
            }
        }
        for (field, value) in [
            ("access_token", &access_token),
            ("app_secret", &app_secret),
            ("verify_token", &verify_token),
        ] {
            if value.is_empty() && editing.is_none() {
                return errors.field(field, Key::FieldRequired);
            }
            if !is_secret(value) {
                return errors.field(field, Key::SecretInvalid);
            }
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            match editing {
                None => {
                    let request = CreateConnectionRequest::WhatsappCloud {
                        name,
                        phone_number_id,
                        waba_id,
                        access_token,
                        app_secret,
                        verify_token: verify_token.clone(),
                    };
                    let result = api.post::<_, ConnectionDto>("/connections", &request).await;
                    busy.try_set(false);
                    match result {
                        Ok(created) => on_created.run((created, verify_token)),
                        Err(failure) => show_failure(errors, &failure),
                    }
                }
                Some(id) => {
                    let request = UpdateConnectionRequest {
                        name: Some(name),
                        phone_number_id: Some(phone_number_id),
                        waba_id: Some(waba_id),
                        access_token: non_empty(access_token),
                        app_secret: non_empty(app_secret),
                        verify_token: non_empty(verify_token),
                        default_persona_id: None,
                    };
                    let result = api
                        .patch::<_, ConnectionDto>(&format!("/connections/{id}"), &request)
                        .await;
                    busy.try_set(false);
                    match result {
                        Ok(updated) => on_updated.run(updated),
                        Err(failure) => show_failure(errors, &failure),
                    }
                }
            }
        });
    };

    let suggest = move |_| {
        if let Some(input) = verify_ref.get_untracked() {
            input.set_value(&suggest_verify_token());
        }
    };
    let verify_value = Signal::derive(move || raw_value_of(verify_ref).trim().to_owned());
    let submit_label = if editing.is_some() { Key::Save } else { Key::SaveConnection };

    view! {
        <form class="space-y-4" novalidate data-testid="connection-form" on:submit=on_submit>
            <TextField
                id="conn-name"
                label=Key::Name
                placeholder=Key::ConnectionNamePlaceholder
                autocomplete="off"
                value=name
                node_ref=name_ref
                errors
                field="name"
                testid="conn-name"
            />
            <div class="grid gap-4 sm:grid-cols-2">
                <TextField
                    id="conn-phone-number-id"
                    label=Key::PhoneNumberId
                    autocomplete="off"
                    value=phone_id
                    node_ref=phone_ref
                    errors
                    field="phone_number_id"
                    testid="conn-phone-number-id"
                />
                <TextField
                    id="conn-waba-id"
                    label=Key::WabaId
                    autocomplete="off"
                    value=waba_id
                    node_ref=waba_ref
                    errors
                    field="waba_id"
                    testid="conn-waba-id"
                />
            </div>
            <TextField
                id="conn-access-token"
                label=Key::AccessToken
                input_type="password"
                autocomplete="new-password"
                hint=secret_hint.unwrap_or(Key::AccessTokenHint)
                node_ref=token_ref
                errors
                field="access_token"
                testid="conn-access-token"
            />
            <TextField
                id="conn-app-secret"
                label=Key::AppSecret
                input_type="password"
                autocomplete="new-password"
                hint=secret_hint.unwrap_or(Key::AppSecretHint)
                node_ref=secret_ref
                errors
                field="app_secret"
                testid="conn-app-secret"
            />
            <div class="space-y-2">
                <TextField
                    id="conn-verify-token"
                    label=Key::VerifyToken
                    autocomplete="off"
                    hint=secret_hint.unwrap_or(Key::VerifyTokenHint)
                    value=suggested
                    node_ref=verify_ref
                    errors
                    field="verify_token"
                    testid="conn-verify-token"
                />
                {editing
                    .is_none()
                    .then(|| {
                        view! {
                            <div class="flex flex-wrap gap-2">
                                <CopyButton text=verify_value testid="conn-verify-copy"/>
                                <button
                                    type="button"
                                    class="btn btn-secondary btn-sm"
                                    data-testid="conn-verify-suggest"
                                    on:click=suggest
                                >
                                    {t(Key::SuggestAnother)}
                                </button>
                            </div>
                        }
                    })}
            </div>
            <FormError errors testid="connection-form-error"/>
            <div class="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
                <button
                    type="button"
                    class="btn btn-secondary"
                    data-testid="conn-cancel"
                    on:click=move |_| on_cancel.run(())
                >
                    {t(Key::Cancel)}
                </button>
                <SubmitButton label=submit_label busy testid="conn-submit" class="btn btn-primary"/>
            </div>
        </form>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggested_tokens_are_random_and_paste_safe() {
        let (a, b) = (suggest_verify_token(), suggest_verify_token());
        assert_ne!(a, b);
        assert!(a.starts_with("mia-") && a.len() == 36, "{a}");
        assert!(is_secret(&a));
    }

    #[test]
    fn graph_ids_are_digits_only() {
        assert!(is_graph_id("106540352242922"));
        for bad in ["", "12a4", "1 2", "../1"] {
            assert!(!is_graph_id(bad), "{bad}");
        }
    }
}
