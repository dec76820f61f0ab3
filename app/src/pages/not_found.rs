//! The answer to an unknown path (with status 404 when rendered by the server).

use leptos::prelude::*;
use shared::i18n::Key;

use crate::components::icons::{Icon, IconName};
use crate::components::layout::{Brand, PageTitle};
use crate::i18n::{t, LangSwitcher};

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <PageTitle key=Key::NotFoundTitle/>
        <div class="flex min-h-dvh flex-col bg-slate-50">
            <header class="mx-auto flex w-full max-w-5xl items-center justify-between gap-4 px-4 py-5 sm:px-6">
                <a href="/dashboard" class="shrink-0 rounded-lg">
                    <Brand/>
                </a>
                <LangSwitcher class="w-48 max-w-[52vw] sm:w-52"/>
            </header>
            <main id="main" class="grid flex-1 place-items-center px-4 pb-24">
                <div class="max-w-md text-center" data-testid="not-found">
                    <p class="text-sm font-semibold text-brand-600">"404"</p>
                    <h1 class="mt-2 text-3xl font-semibold tracking-tight text-slate-900">
                        {t(Key::NotFoundTitle)}
                    </h1>
                    <p class="mt-3 text-sm leading-6 text-slate-600">{t(Key::NotFoundBody)}</p>
                    <a href="/dashboard" class="btn btn-primary mt-8">
                        <Icon icon=IconName::Home class="size-5"/>
                        <span>{t(Key::GoToDashboard)}</span>
                    </a>
                </div>
            </main>
        </div>
    }
    .into_any()
}
