//! `/login`: email and password. Also where other flows land, with a notice in the query
//! (`?notice=password_changed`, `?email=` to pre-fill after accepting an invitation).

use leptos::{ev::SubmitEvent, prelude::*};
use leptos_router::hooks::{use_navigate, use_query_map};
use serde::de::IgnoredAny;
use shared::{
    api::{EmailRequest, LoginRequest, MeResponse},
    i18n::Key,
    ErrorCode,
};

use crate::api::use_api;
use crate::auth::use_auth;
use crate::components::form::{
    looks_like_email, raw_value_of, value_of, Alert, AlertKind, FormError, FormErrors,
    SubmitButton, TextField,
};
use crate::components::layout::AuthLayout;
use crate::i18n::t;
use crate::pages::auth::safe_next;

/// The message for a `?notice=` value set by the flow that sent the person here.
fn notice_key(notice: &str) -> Option<(AlertKind, Key)> {
    Some(match notice {
        "password_changed" => (AlertKind::Success, Key::NoticePasswordChanged),
        "password_reset" => (AlertKind::Success, Key::NoticePasswordReset),
        "invite_accepted" => (AlertKind::Success, Key::NoticeInviteAccepted),
        "email_verified" => (AlertKind::Success, Key::NoticeEmailVerified),
        "logged_out" => (AlertKind::Info, Key::NoticeLoggedOut),
        "session_expired" => (AlertKind::Info, Key::NoticeSessionExpired),
        _ => return None,
    })
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Resend {
    Idle,
    Busy,
    Sent,
    Failed(Key),
}

#[component]
pub fn Login() -> impl IntoView {
    let api = use_api();
    let auth = use_auth();
    let navigate = use_navigate();
    let query = use_query_map();

    let email_ref = NodeRef::new();
    let password_ref = NodeRef::new();
    let errors = FormErrors::new(&["email", "password"]);
    let busy = RwSignal::new(false);
    // Set when the server says the address is unconfirmed: offers to resend the link.
    let unverified = RwSignal::new(None::<String>);
    let resend = RwSignal::new(Resend::Idle);

    let notice = move || query.with(|q| q.get("notice")).as_deref().and_then(notice_key);
    let prefilled_email = query.with_untracked(|q| q.get("email"));

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        errors.clear();
        unverified.set(None);
        resend.set(Resend::Idle);
        let email = value_of(email_ref);
        let password = raw_value_of(password_ref);
        if email.is_empty() {
            return errors.field("email", Key::FieldRequired);
        }
        if !looks_like_email(&email) {
            return errors.field("email", Key::InvalidEmail);
        }
        if password.is_empty() {
            return errors.field("password", Key::FieldRequired);
        }
        busy.set(true);
        let next = safe_next(query.with_untracked(|q| q.get("next")));
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let request = LoginRequest { email: email.clone(), password };
            let result = api.post::<_, MeResponse>("/auth/login", &request).await;
            busy.set(false);
            match result {
                Ok(me) => {
                    auth.sign_in(me);
                    navigate(&next, Default::default());
                }
                Err(failure) => {
                    if failure.is(ErrorCode::EmailNotVerified) {
                        unverified.set(Some(email));
                    }
                    errors.api(&failure);
                }
            }
        });
    };

    let resend_link = move |_| {
        let Some(email) = unverified.get_untracked() else { return };
        resend.set(Resend::Busy);
        leptos::task::spawn_local(async move {
            let result = api
                .post::<_, IgnoredAny>("/auth/resend-verification", &EmailRequest { email })
                .await;
            resend.set(match result {
                Ok(_) => Resend::Sent,
                Err(failure) => Resend::Failed(failure.key()),
            });
        });
    };

    view! {
        <AuthLayout title=Key::LoginTitle subtitle=Key::LoginSubtitle>
            {move || {
                notice()
                    .map(|(kind, key)| {
                        view! {
                            <div class="mb-5">
                                <Alert kind testid="login-notice">
                                    <p>{t(key)}</p>
                                </Alert>
                            </div>
                        }
                    })
            }}
            <form class="space-y-5" novalidate data-testid="login-form" on:submit=on_submit>
                <TextField
                    id="login-email"
                    label=Key::Email
                    input_type="email"
                    autocomplete="email"
                    node_ref=email_ref
                    errors
                    field="email"
                    value=prefilled_email.unwrap_or_default()
                    testid="login-email"
                />
                <div class="space-y-1.5">
                    <TextField
                        id="login-password"
                        label=Key::Password
                        input_type="password"
                        autocomplete="current-password"
                        node_ref=password_ref
                        errors
                        field="password"
                        testid="login-password"
                    />
                    <div class="text-right">
                        <a href="/forgot-password" class="link text-sm">
                            {t(Key::ForgotPasswordLink)}
                        </a>
                    </div>
                </div>
                <FormError errors testid="login-error"/>
                {move || {
                    unverified
                        .get()
                        .map(|_| {
                            view! {
                                <div class="rounded-lg border border-slate-200 bg-slate-50 p-4 text-sm">
                                    {move || match resend.get() {
                                        Resend::Sent => {
                                            view! {
                                                <p class="text-emerald-700" data-testid="resend-sent" role="status">
                                                    {t(Key::VerificationResent)}
                                                </p>
                                            }
                                                .into_any()
                                        }
                                        state => {
                                            view! {
                                                <button
                                                    type="button"
                                                    class="btn btn-secondary w-full"
                                                    data-testid="resend-verification"
                                                    disabled=state == Resend::Busy
                                                    on:click=resend_link
                                                >
                                                    {t(Key::ResendVerification)}
                                                </button>
                                                {match state {
                                                    Resend::Failed(key) => {
                                                        Some(view! { <p class="field-error mt-2">{t(key)}</p> })
                                                    }
                                                    _ => None,
                                                }}
                                            }
                                                .into_any()
                                        }
                                    }}
                                </div>
                            }
                        })
                }}
                <SubmitButton label=Key::LoginSubmit busy testid="login-submit"/>
            </form>
            <p class="mt-6 text-center text-sm text-slate-600">
                {t(Key::NoAccountYet)} " "
                <a href="/signup" class="link" data-testid="signup-link">
                    {t(Key::CreateAccountLink)}
                </a>
            </p>
        </AuthLayout>
    }
    .into_any()
}
