//! The settings area: team, API keys, contact fields and tags, business hours, account.

pub mod account;
pub mod api_keys;
pub mod business_hours;
pub mod company;
pub mod contacts;
pub mod team;

use leptos::prelude::*;
use shared::i18n::Key;

use crate::components::icons::{Icon, IconName};
use crate::i18n::t;

// List and confirmation building blocks, used beyond settings too.
pub use crate::components::feedback::ConfirmInline;

/// A titled white panel of a settings page.
#[component]
pub fn Panel(
    title: Key,
    #[prop(optional)] description: Option<Key>,
    #[prop(optional)] testid: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    view! {
        <section class="card" data-testid=testid>
            <div class="border-b border-slate-100 px-5 py-4 sm:px-6">
                <h2 class="font-semibold text-slate-900">{t(title)}</h2>
                {description
                    .map(|d| view! { <p class="mt-1 text-sm leading-6 text-slate-600">{t(d)}</p> })}
            </div>
            <div class="px-5 py-5 sm:px-6">{children()}</div>
        </section>
    }
    .into_any()
}

/// A short note for people whose role only allows reading this page.
#[component]
pub fn ReadOnlyNote(key: Key) -> impl IntoView {
    view! {
        <p class="flex items-start gap-2 rounded-lg bg-slate-100 px-4 py-3 text-sm text-slate-700" data-testid="read-only-note">
            <Icon icon=IconName::Info class="mt-0.5 size-4 shrink-0 text-slate-500"/>
            {t(key)}
        </p>
    }
    .into_any()
}
