//! The header badge that says whether live updates are flowing.

use leptos::prelude::*;
use shared::i18n::Key;

use crate::i18n::use_i18n;
use crate::live::{use_live, LiveState};

#[component]
pub fn LiveIndicator() -> impl IntoView {
    let live = use_live();
    let i18n = use_i18n();
    let state = Memo::new(move |_| live.state());
    view! {
        <span
            data-testid="live-indicator"
            data-state=move || state.get().as_str()
            title=move || i18n.lang().t(Key::LiveHint)
            class=move || {
                match state.get() {
                    LiveState::Live => "live-badge border-emerald-200 bg-emerald-50 text-emerald-700",
                    LiveState::Connecting => "live-badge border-amber-200 bg-amber-50 text-amber-700",
                    LiveState::Offline => "live-badge border-slate-200 bg-slate-100 text-slate-600",
                }
            }
        >
            <span class="relative flex size-2" aria-hidden="true">
                {move || {
                    (state.get() == LiveState::Live)
                        .then(|| {
                            view! {
                                <span class="absolute inline-flex size-full animate-ping rounded-full bg-emerald-400 opacity-60"></span>
                            }
                        })
                }}
                <span class=move || {
                    match state.get() {
                        LiveState::Live => "relative inline-flex size-2 rounded-full bg-emerald-500",
                        LiveState::Connecting => "relative inline-flex size-2 animate-pulse rounded-full bg-amber-500",
                        LiveState::Offline => "relative inline-flex size-2 rounded-full bg-slate-400",
                    }
                }></span>
            </span>
            <span>
                {move || {
                    i18n.lang()
                        .t(
                            match state.get() {
                                LiveState::Live => Key::LiveOnline,
                                LiveState::Connecting => Key::LiveConnecting,
                                LiveState::Offline => Key::LiveOffline,
                            },
                        )
                }}
            </span>
        </span>
    }
    .into_any()
}
