//! `/signup`: creates a company and its first owner. No automatic login: the account stays
//! locked until the emailed link is opened, so the page ends on "check your email".

use leptos::{ev::SubmitEvent, prelude::*};
use shared::{
    api::{SignupRequest, SignupResponse},
    i18n::Key,
};

use crate::api::use_api;
use crate::components::form::{
    looks_like_email, raw_value_of, value_of, Alert, AlertKind, FormError, FormErrors,
    SubmitButton, TextField,
};
use crate::components::icons::{Icon, IconName};
use crate::components::layout::AuthLayout;
use crate::i18n::{t, tf, use_i18n};

/// The shortest password the client lets through; the server has the final word.
pub const MIN_PASSWORD_CHARS: usize = 10;

#[component]
pub fn Signup() -> impl IntoView {
    let api = use_api();
    let i18n = use_i18n();
    let company_ref = NodeRef::new();
    let name_ref = NodeRef::new();
    let email_ref = NodeRef::new();
    let password_ref = NodeRef::new();
    let errors = FormErrors::new(&["company_name", "name", "email", "password"]);
    let busy = RwSignal::new(false);
    let sent_to = RwSignal::new(None::<String>);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        errors.clear();
        let company_name = value_of(company_ref);
        let name = value_of(name_ref);
        let email = value_of(email_ref);
        let password = raw_value_of(password_ref);
        if company_name.is_empty() {
            return errors.field("company_name", Key::FieldRequired);
        }
        if name.is_empty() {
            return errors.field("name", Key::FieldRequired);
        }
        if !looks_like_email(&email) {
            let key = if email.is_empty() { Key::FieldRequired } else { Key::InvalidEmail };
            return errors.field("email", key);
        }
        if password.chars().count() < MIN_PASSWORD_CHARS {
            return errors.field("password", Key::ErrWeakPassword);
        }
        busy.set(true);
        let language = Some(i18n.lang().tag().to_owned());
        leptos::task::spawn_local(async move {
            let request = SignupRequest { company_name, name, email, password, language };
            let result = api.post::<_, SignupResponse>("/auth/signup", &request).await;
            busy.set(false);
            match result {
                Ok(created) => sent_to.set(Some(created.email)),
                Err(failure) => errors.api(&failure),
            }
        });
    };

    view! {
        <AuthLayout title=Key::SignupTitle subtitle=Key::SignupSubtitle>
            {move || match sent_to.get() {
                Some(email) => view! { <CheckEmail email/> }.into_any(),
                None => {
                    view! {
                        <form class="space-y-5" novalidate data-testid="signup-form" on:submit=on_submit>
                            <TextField
                                id="signup-company"
                                label=Key::CompanyName
                                autocomplete="organization"
                                node_ref=company_ref
                                errors
                                field="company_name"
                                testid="signup-company"
                            />
                            <TextField
                                id="signup-name"
                                label=Key::YourName
                                autocomplete="name"
                                node_ref=name_ref
                                errors
                                field="name"
                                testid="signup-name"
                            />
                            <TextField
                                id="signup-email"
                                label=Key::Email
                                input_type="email"
                                autocomplete="email"
                                node_ref=email_ref
                                errors
                                field="email"
                                testid="signup-email"
                            />
                            <TextField
                                id="signup-password"
                                label=Key::Password
                                input_type="password"
                                autocomplete="new-password"
                                hint=Key::PasswordHint
                                node_ref=password_ref
                                errors
                                field="password"
                                testid="signup-password"
                            />
                            <FormError errors testid="signup-error"/>
                            <SubmitButton label=Key::SignupSubmit busy testid="signup-submit"/>
                            <p class="text-center text-sm text-slate-600">
                                {t(Key::HaveAccount)} " "
                                <a href="/login" class="link">
                                    {t(Key::LoginLink)}
                                </a>
                            </p>
                        </form>
                    }
                        .into_any()
                }
            }}
        </AuthLayout>
    }
    .into_any()
}

/// The end of signup: where the confirmation link went.
#[component]
fn CheckEmail(email: String) -> impl IntoView {
    view! {
        <div class="space-y-5 text-center" data-testid="signup-done">
            <div class="mx-auto grid size-12 place-items-center rounded-full bg-brand-50 text-brand-600">
                <Icon icon=IconName::Mail class="size-6"/>
            </div>
            <h2 class="text-lg font-semibold text-slate-900">{t(Key::CheckEmailTitle)}</h2>
            <Alert kind=AlertKind::Info>
                <p class="text-left break-words">{tf(Key::CheckEmailBody, vec![("email", email)])}</p>
            </Alert>
            <a href="/login" class="btn btn-secondary w-full">
                {t(Key::BackToLogin)}
            </a>
        </div>
    }
    .into_any()
}
