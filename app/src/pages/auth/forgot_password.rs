//! `/forgot-password`: asks for a reset link. The answer never says whether the account exists.

use leptos::{ev::SubmitEvent, prelude::*};
use serde::de::IgnoredAny;
use shared::{api::EmailRequest, i18n::Key};

use crate::api::use_api;
use crate::components::form::{
    looks_like_email, value_of, Alert, AlertKind, FormError, FormErrors, SubmitButton, TextField,
};
use crate::components::layout::AuthLayout;
use crate::i18n::t;

#[component]
pub fn ForgotPassword() -> impl IntoView {
    let api = use_api();
    let email_ref = NodeRef::new();
    let errors = FormErrors::new(&["email"]);
    let busy = RwSignal::new(false);
    let sent = RwSignal::new(false);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        errors.clear();
        let email = value_of(email_ref);
        if !looks_like_email(&email) {
            let key = if email.is_empty() { Key::FieldRequired } else { Key::InvalidEmail };
            return errors.field("email", key);
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result =
                api.post::<_, IgnoredAny>("/auth/forgot-password", &EmailRequest { email }).await;
            busy.set(false);
            match result {
                Ok(_) => sent.set(true),
                Err(failure) => errors.api(&failure),
            }
        });
    };

    view! {
        <AuthLayout title=Key::ForgotTitle subtitle=Key::ForgotSubtitle>
            <Show
                when=move || sent.get()
                fallback=move || {
                    view! {
                        <form class="space-y-5" novalidate data-testid="forgot-form" on:submit=on_submit>
                            <TextField
                                id="forgot-email"
                                label=Key::Email
                                input_type="email"
                                autocomplete="email"
                                node_ref=email_ref
                                errors
                                field="email"
                                testid="forgot-email"
                            />
                            <FormError errors/>
                            <SubmitButton label=Key::ForgotSubmit busy testid="forgot-submit"/>
                        </form>
                    }
                }
            >
                <Alert kind=AlertKind::Success testid="forgot-sent">
                    <p>{t(Key::ForgotSent)}</p>
                </Alert>
            </Show>
            <p class="mt-6 text-center text-sm">
                <a href="/login" class="link">
                    {t(Key::BackToLogin)}
                </a>
            </p>
        </AuthLayout>
    }
    .into_any()
}
