#![recursion_limit = "512"]
//! Browser entry point: `HydrationScripts` (rendered by the server) imports this module and calls
//! `hydrate()`, which attaches the Leptos app to the HTML the server already sent.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
