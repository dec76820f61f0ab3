//! New customer messages while the tab is in the background: the count shows in the tab's title
//! ("(3) Inbox · Master IA") and, for the installed app, on its icon (the Badging API where the
//! platform has it). Both clear when the person comes back to the tab.

use leptos::prelude::*;
use shared::ServerEvent;

use crate::live::use_live;

/// The title with `count` in front, or without any count when it is 0.
pub fn badged_title(title: &str, count: u32) -> String {
    let bare = strip_count(title);
    if count == 0 {
        bare.to_owned()
    } else {
        format!("({count}) {bare}")
    }
}

fn strip_count(title: &str) -> &str {
    title
        .strip_prefix('(')
        .and_then(|rest| rest.split_once(") "))
        .filter(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        .map_or(title, |(_, bare)| bare)
}

/// Counts inbound messages that arrive while the page is hidden; renders nothing.
#[component]
pub fn BackgroundBadge() -> impl IntoView {
    let live = use_live();
    let unseen = RwSignal::new(0u32);
    live.subscribe(move |event| {
        if let ServerEvent::MessageCreated { message } = event {
            if message.direction == "in" && platform::hidden() {
                unseen.update(|n| *n = n.saturating_add(1));
            }
        }
    });
    platform::on_visible(move || unseen.set(0));
    Effect::new(move |_| platform::show(unseen.get()));
}

#[cfg(feature = "hydrate")]
mod platform {
    use wasm_bindgen::{closure::Closure, JsCast, JsValue};

    pub fn hidden() -> bool {
        leptos::prelude::document().hidden()
    }

    /// Calls `f` whenever the tab comes to the front.
    pub fn on_visible(f: impl Fn() + 'static) {
        let document = leptos::prelude::document();
        let handler = Closure::<dyn Fn()>::new(move || {
            if !leptos::prelude::document().hidden() {
                f();
            }
        });
        let _ = document
            .add_event_listener_with_callback("visibilitychange", handler.as_ref().unchecked_ref());
        // Lives as long as the page: the app shell is never unmounted while logged in.
        handler.forget();
    }

    pub fn show(count: u32) {
        let document = leptos::prelude::document();
        let title = super::badged_title(&document.title(), count);
        document.set_title(&title);
        // `navigator.setAppBadge(n)` / `clearAppBadge()` where supported (installed PWAs).
        let navigator = leptos::prelude::window().navigator();
        let (name, args) = if count == 0 {
            ("clearAppBadge", js_sys::Array::new())
        } else {
            ("setAppBadge", js_sys::Array::of1(&JsValue::from(count)))
        };
        if let Ok(method) = js_sys::Reflect::get(&navigator, &JsValue::from_str(name)) {
            if let Some(method) = method.dyn_ref::<js_sys::Function>() {
                let _ = method.apply(&navigator, &args);
            }
        }
    }
}

#[cfg(not(feature = "hydrate"))]
mod platform {
    pub fn hidden() -> bool {
        false
    }

    pub fn on_visible(_f: impl Fn() + 'static) {}

    pub fn show(_count: u32) {}
}

#[cfg(test)]
mod tests {
    use super::badged_title;

    #[test]
    fn the_count_goes_in_front_of_the_title_once() {
        assert_eq!(badged_title("Inbox · Master IA", 3), "(3) Inbox · Master IA");
        assert_eq!(badged_title("(3) Inbox · Master IA", 4), "(4) Inbox · Master IA");
        assert_eq!(badged_title("(4) Inbox · Master IA", 0), "Inbox · Master IA");
        assert_eq!(badged_title("(draft) notes", 0), "(draft) notes");
    }
}
