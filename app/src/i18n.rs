//! The reactive language of the page and the switcher that changes it.
//!
//! The language is decided once per page load: on the server from the `lang` cookie or the
//! `Accept-Language` header, and in the browser from `<html lang>`, which the server wrote. Both
//! sides therefore start from the same value and hydration never sees two different texts.

use leptos::prelude::*;
use shared::i18n::{Key, Lang};

use crate::hydration::use_hydrated;

/// The language of the interface, shared by every component through context.
#[derive(Clone, Copy)]
pub struct I18n {
    lang: RwSignal<Lang>,
}

impl I18n {
    /// Creates the context with the language this page load started in.
    pub fn provide() -> Self {
        let i18n = I18n { lang: RwSignal::new(initial_lang()) };
        provide_context(i18n);
        i18n
    }

    /// The current language (tracked: a closure calling it re-runs on a switch).
    pub fn lang(self) -> Lang {
        self.lang.get()
    }

    /// Switches the interface without a reload and remembers the choice in the `lang` cookie,
    /// which the server reads on the next request.
    pub fn set(self, lang: Lang) {
        self.lang.set(lang);
        #[cfg(feature = "hydrate")]
        browser::remember(lang);
    }
}

/// The language context; panics outside `App`, which always provides it.
pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

/// A reactive translation, usable directly as a view child or an attribute value.
pub fn t(key: Key) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let i18n = use_i18n();
    move || i18n.lang().t(key)
}

/// Fills `{name}`-style placeholders of a translated template.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut text = template.to_owned();
    for (name, value) in values {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

/// A reactive translation with placeholders filled in.
pub fn tf(
    key: Key,
    values: Vec<(&'static str, String)>,
) -> impl Fn() -> String + Clone + Send + Sync + 'static {
    let i18n = use_i18n();
    move || {
        let pairs: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
        fill(i18n.lang().t(key), &pairs)
    }
}

/// The translation key of a role's name.
pub fn role_key(role: shared::Role) -> Key {
    match role {
        shared::Role::Owner => Key::RoleOwner,
        shared::Role::Admin => Key::RoleAdmin,
        shared::Role::Agent => Key::RoleAgent,
    }
}

/// The language the server chose for this request (see [`lang_for_headers`]).
#[cfg(feature = "ssr")]
pub fn request_lang() -> Lang {
    use_context::<http::request::Parts>()
        .map(|parts| lang_for_headers(&parts.headers))
        .unwrap_or_default()
}

/// The `lang` cookie when it names a language we have, otherwise the best match of
/// `Accept-Language`, otherwise English.
#[cfg(feature = "ssr")]
pub fn lang_for_headers(headers: &http::HeaderMap) -> Lang {
    let from_cookie = headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == "lang")
        .and_then(|(_, value)| Lang::ALL.into_iter().find(|lang| lang.tag() == value.trim()));
    from_cookie.unwrap_or_else(|| {
        let header = headers
            .get(http::header::ACCEPT_LANGUAGE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("");
        Lang::negotiate(header)
    })
}

#[cfg(feature = "ssr")]
fn initial_lang() -> Lang {
    request_lang()
}

#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
fn initial_lang() -> Lang {
    browser::document_lang()
}

#[cfg(not(any(feature = "ssr", feature = "hydrate")))]
fn initial_lang() -> Lang {
    Lang::default()
}

#[cfg(feature = "hydrate")]
mod browser {
    use shared::i18n::Lang;
    use wasm_bindgen::JsCast;

    /// `<html lang>` as the server rendered it.
    pub fn document_lang() -> Lang {
        let tag = web_sys::window()
            .and_then(|window| window.document())
            .and_then(|document| document.document_element())
            .and_then(|root| root.get_attribute("lang"))
            .unwrap_or_default();
        Lang::ALL.into_iter().find(|lang| lang.tag() == tag).unwrap_or_default()
    }

    /// Stores the choice for the server and updates `<html lang>` for screen readers.
    pub fn remember(lang: Lang) {
        let Some(document) = web_sys::window().and_then(|window| window.document()) else {
            return;
        };
        if let Some(root) = document.document_element() {
            let _ = root.set_attribute("lang", lang.tag());
        }
        if let Ok(html) = document.dyn_into::<web_sys::HtmlDocument>() {
            let cookie = format!("lang={}; path=/; max-age=31536000; samesite=lax", lang.tag());
            let _ = html.set_cookie(&cookie);
        }
    }
}

/// A `<select>` of the available languages. Disabled until the page is interactive, so a choice
/// made before hydration is not silently lost.
#[component]
pub fn LangSwitcher(
    /// Extra classes for the wrapper, e.g. to stretch it in a sidebar.
    #[prop(optional)]
    class: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let hydrated = use_hydrated();
    view! {
        <div class=format!("relative flex min-w-0 items-center {class}")>
            <label for="lang-switcher" class="sr-only">
                {t(Key::Language)}
            </label>
            <crate::components::icons::Icon
                icon=crate::components::icons::IconName::Globe
                class="pointer-events-none absolute left-2.5 size-4 text-slate-500"
            />
            <select
                id="lang-switcher"
                data-testid="lang-switcher"
                class="w-full appearance-none rounded-lg border border-slate-300 bg-white py-1.5 pr-7 pl-8 text-sm text-slate-700 shadow-xs hover:border-slate-400 focus:border-brand-500 focus:outline-none focus:ring-2 focus:ring-brand-500/30 disabled:cursor-wait disabled:opacity-70"
                disabled=move || !hydrated.get()
                prop:value=move || i18n.lang().tag()
                on:change=move |ev| {
                    let tag = event_target_value(&ev);
                    if let Some(lang) = Lang::ALL.into_iter().find(|lang| lang.tag() == tag) {
                        i18n.set(lang);
                    }
                }
            >
                {Lang::ALL
                    .into_iter()
                    .map(|lang| {
                        view! {
                            <option value=lang.tag() selected=move || i18n.lang() == lang>
                                {lang.native_name()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <crate::components::icons::Icon
                icon=crate::components::icons::IconName::ChevronDown
                class="pointer-events-none absolute right-2.5 size-4 text-slate-500"
            />
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(fill("Hello, {name}", &[("name", "Ana")]), "Hello, Ana");
        assert_eq!(fill("{done} of {total}", &[("done", "1"), ("total", "4")]), "1 of 4");
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn cookie_wins_over_accept_language() {
        let mut headers = http::HeaderMap::new();
        headers.insert(http::header::ACCEPT_LANGUAGE, "en-US,en;q=0.9".parse().unwrap());
        assert_eq!(lang_for_headers(&headers), Lang::En);
        headers.insert(http::header::COOKIE, "theme=dark; lang=pt-BR".parse().unwrap());
        assert_eq!(lang_for_headers(&headers), Lang::PtBr);
        headers.insert(http::header::COOKIE, "lang=fr".parse().unwrap());
        assert_eq!(lang_for_headers(&headers), Lang::En, "an unknown cookie value is ignored");
        let mut portuguese = http::HeaderMap::new();
        portuguese.insert(http::header::ACCEPT_LANGUAGE, "pt-BR,pt;q=0.9".parse().unwrap());
        assert_eq!(lang_for_headers(&portuguese), Lang::PtBr);
    }
}
