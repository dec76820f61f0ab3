//! The frame of the public pages (login, signup, links from emails): a centred card under the
//! logo, with the language switcher in reach before anyone logs in.

use leptos::prelude::*;
use leptos_meta::Title;
use shared::i18n::Key;

use crate::components::icons::{Icon, IconName};
use crate::i18n::{t, use_i18n, LangSwitcher};

/// The logo mark and product name.
#[component]
pub fn Brand(#[prop(optional)] light: bool) -> impl IntoView {
    let text = if light { "text-white" } else { "text-slate-900" };
    view! {
        <span class="flex items-center gap-2.5">
            <span class="grid size-8 shrink-0 place-items-center rounded-lg bg-linear-to-br from-brand-500 to-brand-700 text-white shadow-sm">
                <Icon icon=IconName::Chat class="size-5"/>
            </span>
            <span class=format!("whitespace-nowrap text-base font-semibold tracking-tight {text}")>
                {t(Key::AppName)}
            </span>
        </span>
    }
    .into_any()
}

/// Sets the document title to "`key` · Master IA", following the language.
#[component]
pub fn PageTitle(key: Key) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || {
            let lang = i18n.lang();
            format!("{} · {}", lang.t(key), lang.t(Key::AppName))
        }/>
    }
    .into_any()
}

/// A public page: logo and switcher on top, the card in the middle.
#[component]
pub fn AuthLayout(
    title: Key,
    #[prop(optional)] subtitle: Option<Key>,
    children: Children,
) -> impl IntoView {
    view! {
        <PageTitle key=title/>
        <div class="flex min-h-dvh flex-col bg-slate-50 bg-[radial-gradient(ellipse_at_top,var(--color-brand-100),transparent_60%)]">
            <header class="mx-auto flex w-full max-w-5xl items-center justify-between gap-4 px-4 py-5 sm:px-6">
                <a href="/login" class="shrink-0 rounded-lg focus-visible:outline-2 focus-visible:outline-offset-4 focus-visible:outline-brand-600">
                    <Brand/>
                </a>
                <LangSwitcher class="w-48 max-w-[52vw] sm:w-52"/>
            </header>
            <main id="main" class="flex flex-1 items-start justify-center px-4 pb-16 pt-4 sm:items-center sm:pt-0">
                <div class="w-full max-w-md">
                    <div class="card p-6 sm:p-8">
                        <h1 class="text-xl font-semibold tracking-tight text-slate-900">{t(title)}</h1>
                        {subtitle
                            .map(|subtitle| {
                                view! { <p class="mt-1.5 text-sm leading-6 text-slate-600">{t(subtitle)}</p> }
                            })}
                        <div class="mt-6">{children()}</div>
                    </div>
                    <p class="mt-6 text-center text-xs leading-5 text-slate-500">{t(Key::Tagline)}</p>
                </div>
            </main>
        </div>
    }
    .into_any()
}

/// The heading of a logged-in page, with the document title to match.
#[component]
pub fn PageHeader(title: Key, #[prop(optional)] subtitle: Option<Key>) -> impl IntoView {
    view! {
        <PageTitle key=title/>
        <div class="mb-8">
            <h1 class="text-2xl font-semibold tracking-tight text-slate-900">{t(title)}</h1>
            {subtitle
                .map(|subtitle| {
                    view! { <p class="mt-1.5 max-w-2xl text-sm leading-6 text-slate-600">{t(subtitle)}</p> }
                })}
        </div>
    }
    .into_any()
}
