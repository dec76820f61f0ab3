//! `/reset-password?token=...`: the link from the reset email. Sets a new password.

use leptos::{ev::SubmitEvent, prelude::*};
use leptos_router::hooks::use_query_map;
use serde::de::IgnoredAny;
use shared::{api::ResetPasswordRequest, i18n::Key};

use crate::api::use_api;
use crate::components::form::{
    raw_value_of, Alert, AlertKind, FormError, FormErrors, SubmitButton, TextField,
};
use crate::components::layout::AuthLayout;
use crate::i18n::t;
use crate::pages::auth::signup::MIN_PASSWORD_CHARS;

#[component]
pub fn ResetPassword() -> impl IntoView {
    let api = use_api();
    let token = use_query_map().with_untracked(|q| q.get("token")).filter(|t| !t.is_empty());
    let password_ref = NodeRef::new();
    let confirm_ref = NodeRef::new();
    let errors = FormErrors::new(&["password", "password_confirm"]);
    let busy = RwSignal::new(false);
    let done = RwSignal::new(false);
    let has_token = token.is_some();

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        errors.clear();
        let Some(token) = token.clone() else { return };
        let password = raw_value_of(password_ref);
        if password.chars().count() < MIN_PASSWORD_CHARS {
            return errors.field("password", Key::ErrWeakPassword);
        }
        if raw_value_of(confirm_ref) != password {
            return errors.field("password_confirm", Key::PasswordsDontMatch);
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            let request = ResetPasswordRequest { token, password };
            let result = api.post::<_, IgnoredAny>("/auth/reset-password", &request).await;
            busy.set(false);
            match result {
                Ok(_) => done.set(true),
                Err(failure) => errors.api(&failure),
            }
        });
    };

    let form = move || {
        view! {
            <form class="space-y-5" novalidate data-testid="reset-form" on:submit=on_submit.clone()>
                <TextField
                    id="reset-password"
                    label=Key::NewPassword
                    input_type="password"
                    autocomplete="new-password"
                    hint=Key::PasswordHint
                    node_ref=password_ref
                    errors
                    field="password"
                    testid="reset-password"
                />
                <TextField
                    id="reset-password-confirm"
                    label=Key::ConfirmNewPassword
                    input_type="password"
                    autocomplete="new-password"
                    node_ref=confirm_ref
                    errors
                    field="password_confirm"
                    testid="reset-password-confirm"
                />
                <FormError errors testid="reset-error"/>
                <SubmitButton label=Key::ResetSubmit busy testid="reset-submit"/>
            </form>
        }
    };

    view! {
        <AuthLayout title=Key::ResetTitle>
            {move || {
                if !has_token {
                    view! {
                        <Alert kind=AlertKind::Error testid="reset-invalid">
                            <p>{t(Key::LinkIncomplete)}</p>
                        </Alert>
                    }
                        .into_any()
                } else if done.get() {
                    view! {
                        <div class="space-y-5">
                            <Alert kind=AlertKind::Success testid="reset-done">
                                <p>{t(Key::ResetDone)}</p>
                            </Alert>
                            <a href="/login?notice=password_reset" class="btn btn-primary w-full">
                                {t(Key::GoToLogin)}
                            </a>
                        </div>
                    }
                        .into_any()
                } else {
                    form().into_any()
                }
            }}
            <p class="mt-6 text-center text-sm">
                <a href="/login" class="link">
                    {t(Key::BackToLogin)}
                </a>
            </p>
        </AuthLayout>
    }
    .into_any()
}
