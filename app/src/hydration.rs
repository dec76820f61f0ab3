//! Whether the page is interactive yet.
//!
//! The server sends working HTML before the WASM bundle has loaded. Until hydration finishes,
//! submit buttons and the language switcher stay disabled: a click or a typed Enter would
//! otherwise do nothing (or submit the form the browser's native way, putting fields in the URL).

use leptos::prelude::*;

/// `true` once the browser has hydrated the page. Always `false` on the server.
#[derive(Clone, Copy)]
pub struct Hydrated(RwSignal<bool>);

impl Hydrated {
    /// Creates the flag and flips it after the first render in the browser (effects never run
    /// on the server, so the server's HTML and the first client render agree on `false`).
    pub fn provide() -> Self {
        let flag = Hydrated(RwSignal::new(false));
        provide_context(flag);
        Effect::new(move |_| flag.0.set(true));
        flag
    }

    /// Tracked read.
    pub fn get(self) -> bool {
        self.0.get()
    }
}

pub fn use_hydrated() -> Hydrated {
    expect_context::<Hydrated>()
}
