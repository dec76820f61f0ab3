//! Copying a value to the clipboard: the function, and a button that says whether it worked.

use leptos::prelude::*;
use shared::i18n::Key;

use crate::components::icons::{Icon, IconName};
use crate::i18n::t;

/// Writes `text` to the clipboard (needs a secure context: https or localhost). Answers whether
/// the browser accepted it.
pub async fn copy_to_clipboard(text: &str) -> bool {
    #[cfg(feature = "hydrate")]
    {
        let Some(window) = web_sys::window() else { return false };
        let promise = window.navigator().clipboard().write_text(text);
        wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = text;
        false
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CopyState {
    Idle,
    Copied,
    Failed,
}

/// A small "Copy" button for `text` (read when pressed), turning into "Copied" or "Copy failed".
#[component]
pub fn CopyButton(
    /// What to copy, read at the moment of the click.
    #[prop(into)]
    text: Signal<String>,
    #[prop(optional)] testid: Option<&'static str>,
    #[prop(default = "btn btn-secondary btn-sm")] class: &'static str,
) -> impl IntoView {
    let state = RwSignal::new(CopyState::Idle);
    let copy = move |_| {
        let value = text.get_untracked();
        leptos::task::spawn_local(async move {
            let ok = copy_to_clipboard(&value).await;
            state.try_set(if ok { CopyState::Copied } else { CopyState::Failed });
        });
    };
    let copied = t(Key::Copied);
    let idle = t(Key::Copy);
    let failed = t(Key::CopyFailedShort);
    view! {
        <button
            type="button"
            class=class
            data-testid=testid
            data-copy-state=move || match state.get() {
                CopyState::Idle => "idle",
                CopyState::Copied => "copied",
                CopyState::Failed => "failed",
            }
            on:click=copy
        >
            <Icon
                icon=IconName::Copy
                class="size-4 shrink-0"
            />
            <span>
                {move || match state.get() {
                    CopyState::Idle => idle(),
                    CopyState::Copied => copied(),
                    CopyState::Failed => failed(),
                }}
            </span>
        </button>
    }
    .into_any()
}
