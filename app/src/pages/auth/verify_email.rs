//! `/verify-email?token=...`: the link from the confirmation email. Confirms on load.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::de::IgnoredAny;
use shared::{api::TokenRequest, i18n::Key};

use crate::api::use_api;
use crate::components::form::{Alert, AlertKind};
use crate::components::layout::AuthLayout;
use crate::i18n::t;

#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    Working,
    Done,
    Failed(Key),
}

#[component]
pub fn VerifyEmail() -> impl IntoView {
    let api = use_api();
    let token = use_query_map().with_untracked(|q| q.get("token")).filter(|t| !t.is_empty());
    // Without a token there is nothing to try, and the server renders that state too.
    let state = RwSignal::new(if token.is_some() {
        State::Working
    } else {
        State::Failed(Key::LinkIncomplete)
    });

    // Runs once, in the browser only: a token is single-use.
    Effect::new(move |_| {
        let Some(token) = token.clone() else { return };
        leptos::task::spawn_local(async move {
            let result =
                api.post::<_, IgnoredAny>("/auth/verify-email", &TokenRequest { token }).await;
            state.set(match result {
                Ok(_) => State::Done,
                Err(failure) => State::Failed(failure.key()),
            });
        });
    });

    view! {
        <AuthLayout title=Key::VerifyTitle>
            {move || match state.get() {
                State::Working => {
                    view! {
                        <p class="flex items-center gap-3 text-sm text-slate-600" role="status" data-testid="verify-working">
                            <span class="spinner text-brand-600" aria-hidden="true"></span>
                            {t(Key::VerifyWorking)}
                        </p>
                    }
                        .into_any()
                }
                State::Done => {
                    view! {
                        <div class="space-y-5">
                            <Alert kind=AlertKind::Success testid="verify-success">
                                <p>{t(Key::VerifySuccess)}</p>
                            </Alert>
                            <a href="/login?notice=email_verified" class="btn btn-primary w-full" data-testid="verify-login">
                                {t(Key::GoToLogin)}
                            </a>
                        </div>
                    }
                        .into_any()
                }
                State::Failed(key) => {
                    view! {
                        <div class="space-y-5">
                            <Alert kind=AlertKind::Error testid="verify-failed">
                                <p>{t(key)}</p>
                                <p class="text-slate-600">{t(Key::VerifyFailedHint)}</p>
                            </Alert>
                            <a href="/login" class="btn btn-secondary w-full">
                                {t(Key::GoToLogin)}
                            </a>
                        </div>
                    }
                        .into_any()
                }
            }}
        </AuthLayout>
    }
    .into_any()
}
