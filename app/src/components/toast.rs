//! Short confirmations ("Invitation sent.") and errors of background actions.
//!
//! Toasts live at the app root, so one shown right before a navigation survives it. They hold a
//! translation key rather than text, so switching language re-renders them too.

use std::time::Duration;

use leptos::prelude::*;
use shared::i18n::Key;

use crate::components::icons::{Icon, IconName};
use crate::i18n::{fill, use_i18n};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToastKind {
    Success,
    Error,
    /// Something that needs someone's attention (a conversation handed to people).
    Notice,
}

#[derive(Debug, Clone, PartialEq)]
struct Toast {
    id: u64,
    kind: ToastKind,
    key: Key,
    /// `{name}` placeholders of the message and their values.
    values: Vec<(&'static str, String)>,
    /// Where "Open" leads, for notices about something.
    href: Option<String>,
}

#[derive(Clone, Copy)]
pub struct Toasts {
    list: RwSignal<Vec<Toast>>,
    next_id: StoredValue<u64>,
}

const VISIBLE_FOR: Duration = Duration::from_secs(5);

impl Toasts {
    pub fn provide() -> Self {
        let toasts = Toasts { list: RwSignal::new(Vec::new()), next_id: StoredValue::new(0) };
        provide_context(toasts);
        toasts
    }

    pub fn success(self, key: Key) {
        self.push(ToastKind::Success, key, Vec::new());
    }

    /// A confirmation with values filled in, e.g. `BulkDone` with `count`.
    pub fn success_with(self, key: Key, values: Vec<(&'static str, String)>) {
        self.push(ToastKind::Success, key, values);
    }

    pub fn error(self, key: Key) {
        self.push(ToastKind::Error, key, Vec::new());
    }

    /// A notice with an "Open" link to what it is about.
    pub fn notice(self, key: Key, values: Vec<(&'static str, String)>, href: String) {
        self.push_with_link(ToastKind::Notice, key, values, Some(href));
    }

    fn push(self, kind: ToastKind, key: Key, values: Vec<(&'static str, String)>) {
        self.push_with_link(kind, key, values, None);
    }

    fn push_with_link(
        self,
        kind: ToastKind,
        key: Key,
        values: Vec<(&'static str, String)>,
        href: Option<String>,
    ) {
        let id = self.next_id.try_update_value(|n| {
            *n += 1;
            *n
        });
        let Some(id) = id else { return };
        self.list.update(|list| {
            // Keep the stack short; the newest matters most.
            if list.len() >= 3 {
                list.remove(0);
            }
            list.push(Toast { id, kind, key, values, href });
        });
        set_timeout(move || self.dismiss(id), VISIBLE_FOR);
    }

    fn dismiss(self, id: u64) {
        self.list.try_update(|list| list.retain(|toast| toast.id != id));
    }
}

pub fn use_toasts() -> Toasts {
    expect_context::<Toasts>()
}

/// The fixed area where toasts appear (bottom centre on phones, bottom right on desktops).
#[component]
pub fn ToastHost() -> impl IntoView {
    let toasts = use_toasts();
    let i18n = use_i18n();
    view! {
        <div
            aria-live="polite"
            role="status"
            class="pointer-events-none fixed inset-x-0 bottom-0 z-[35] flex flex-col items-center gap-2 p-4 sm:items-end sm:p-6"
        >
            <For each=move || toasts.list.get() key=|toast| toast.id let:toast>
                <div
                    data-testid="toast"
                    data-kind=match toast.kind {
                        ToastKind::Success => "success",
                        ToastKind::Error => "error",
                        ToastKind::Notice => "notice",
                    }
                    class="toast-in pointer-events-auto flex w-full max-w-sm items-start gap-3 rounded-xl bg-slate-900 px-4 py-3 text-sm text-white shadow-lg ring-1 ring-black/5"
                >
                    {match toast.kind {
                        ToastKind::Success => {
                            view! { <Icon icon=IconName::Check class="mt-0.5 size-5 shrink-0 text-emerald-400"/> }
                        }
                        ToastKind::Error => {
                            view! { <Icon icon=IconName::Warning class="mt-0.5 size-5 shrink-0 text-red-400"/> }
                        }
                        ToastKind::Notice => {
                            view! { <Icon icon=IconName::Sparkles class="mt-0.5 size-5 shrink-0 text-amber-300"/> }
                        }
                    }}
                    <p class="flex-1">
                        {move || {
                            let values: Vec<(&str, &str)> =
                                toast.values.iter().map(|(k, v)| (*k, v.as_str())).collect();
                            fill(i18n.lang().t(toast.key), &values)
                        }}
                    </p>
                    {toast.href.clone().map(|href| view! {
                        <a href=href class="shrink-0 font-semibold text-amber-300 underline underline-offset-2 hover:text-amber-200" data-testid="toast-open">
                            {move || i18n.lang().t(Key::OpenConversation)}
                        </a>
                    })}
                    <button
                        type="button"
                        class="-m-1 rounded-md p-1 text-slate-400 hover:text-white focus-visible:outline-2 focus-visible:outline-white"
                        on:click=move |_| toasts.dismiss(toast.id)
                    >
                        <span class="sr-only">{move || i18n.lang().t(Key::Dismiss)}</span>
                        <Icon icon=IconName::Close class="size-4"/>
                    </button>
                </div>
            </For>
        </div>
    }
    .into_any()
}
