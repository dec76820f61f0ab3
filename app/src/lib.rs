//! The Leptos UI. Rendered to HTML on the server (`ssr`) and hydrated in the browser (`hydrate`).
//!
//! The UI talks to the server only through the public REST API ([`api`]), like any integrator
//! would; it has no private back door. Layout of the crate:
//! - [`api`], [`auth`], [`live`], [`i18n`]: app-wide state and the network, provided as context;
//! - [`components`]: frames and building blocks;
//! - [`pages`]: one module per screen, grouped by area.

#![recursion_limit = "256"]

pub mod api;
pub mod auth;
pub mod components;
pub mod file;
pub mod hydration;
pub mod i18n;
pub mod live;
pub mod pages;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{ParentRoute, Redirect, Route, Router, Routes},
    path,
};

use crate::components::{app_shell::AppLayout, toast::ToastHost};
use crate::pages::{
    ai::{AiPage, KnowledgeBasePage, NewKnowledgeBasePage, PersonaPage},
    auth::{
        forgot_password::ForgotPassword, invite::AcceptInvitation, login::Login,
        reset_password::ResetPassword, signup::Signup, verify_email::VerifyEmail,
    },
    automations::{AutomationsPage, RulePage},
    campaigns::{CampaignPage, CampaignsPage, NewCampaignPage},
    connections::{templates::TemplatesPage, ConnectionsPage},
    contacts::{ContactImportPage, ContactsPage, SegmentsPage},
    dashboard::Dashboard,
    inbox::InboxPage,
    not_found::NotFound,
    settings::{
        account::AccountSettings, api_keys::ApiKeysSettings, business_hours::BusinessHoursSettings,
        contacts::ContactSettings, team::TeamSettings,
    },
};

/// A tiny inline favicon (the logo's speech bubble), so browsers do not ask for `/favicon.ico`.
const FAVICON: &str = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E%3Crect width='32' height='32' rx='8' fill='%234f46e5'/%3E%3Cpath d='M9 9h14a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2h-7l-4.5 3.5V21H9a2 2 0 0 1-2-2v-8a2 2 0 0 1 2-2z' fill='none' stroke='white' stroke-width='2' stroke-linejoin='round'/%3E%3C/svg%3E";

/// The HTML document around the app; the server renders it for every page route. `<html lang>`
/// carries the language chosen for this request, which the browser reads back on hydration.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let lang = i18n::request_lang();
    #[cfg(not(feature = "ssr"))]
    let lang = shared::i18n::Lang::default();
    view! {
        <!DOCTYPE html>
        <html lang=lang.tag()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <meta name="theme-color" content="#0f172a"/>
                <link rel="icon" href=FAVICON/>
                <link rel="manifest" href="/manifest.webmanifest"/>
                <link rel="apple-touch-icon" href="/icon-192.png"/>
                // Installable app + the shell available offline (public/sw.js).
                <script>
                    "if ('serviceWorker' in navigator) { addEventListener('load', () => navigator.serviceWorker.register('/sw.js').catch(() => {})); }"
                </script>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body class="bg-slate-50 text-slate-900 antialiased">
                <App/>
            </body>
        </html>
    }
    .into_any()
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let hydrated = hydration::Hydrated::provide();
    i18n::I18n::provide();
    let auth = auth::Auth::provide();
    live::Live::provide();
    components::toast::Toasts::provide();

    // Who is logged in is asked once the page is interactive; effects never run on the server,
    // so the server and the first browser render both show the "loading" state.
    Effect::new(move |_| auth.load());

    view! {
        <Stylesheet id="leptos" href="/pkg/master-ia.css"/>
        <Title text="Master IA"/>
        <Router>
            <div class="contents" data-hydrated=move || hydrated.get().then_some("true")>
                <Routes fallback=|| view! { <NotFound/> }>
                    <Route path=path!("/") view=|| view! { <Redirect path="/dashboard"/> }/>
                    <Route path=path!("/login") view=Login/>
                    <Route path=path!("/signup") view=Signup/>
                    <Route path=path!("/verify-email") view=VerifyEmail/>
                    <Route path=path!("/forgot-password") view=ForgotPassword/>
                    <Route path=path!("/reset-password") view=ResetPassword/>
                    <Route path=path!("/invite") view=AcceptInvitation/>
                    <ParentRoute path=path!("") view=AppLayout>
                        <Route path=path!("/dashboard") view=Dashboard/>
                        <Route path=path!("/inbox") view=InboxPage/>
                        <Route path=path!("/contacts") view=ContactsPage/>
                        <Route path=path!("/contacts/import") view=ContactImportPage/>
                        <Route path=path!("/contacts/segments") view=SegmentsPage/>
                        <Route path=path!("/campaigns") view=CampaignsPage/>
                        <Route path=path!("/campaigns/new") view=NewCampaignPage/>
                        <Route path=path!("/campaigns/:id") view=CampaignPage/>
                        <Route path=path!("/connections") view=ConnectionsPage/>
                        <Route path=path!("/connections/:id/templates") view=TemplatesPage/>
                        <Route path=path!("/ai") view=AiPage/>
                        <Route path=path!("/ai/personas/new") view=PersonaPage/>
                        <Route path=path!("/ai/personas/:id") view=PersonaPage/>
                        <Route path=path!("/ai/knowledge/new") view=NewKnowledgeBasePage/>
                        <Route path=path!("/ai/knowledge/:id") view=KnowledgeBasePage/>
                        <Route path=path!("/automations") view=AutomationsPage/>
                        <Route path=path!("/automations/new") view=RulePage/>
                        <Route path=path!("/automations/:id") view=RulePage/>
                        <Route
                            path=path!("/automation")
                            view=|| view! { <Redirect path="/automations"/> }
                        />
                        <Route
                            path=path!("/settings")
                            view=|| view! { <Redirect path="/settings/team"/> }
                        />
                        <Route path=path!("/settings/team") view=TeamSettings/>
                        <Route path=path!("/settings/api-keys") view=ApiKeysSettings/>
                        <Route path=path!("/settings/contacts") view=ContactSettings/>
                        <Route path=path!("/settings/business-hours") view=BusinessHoursSettings/>
                        <Route path=path!("/settings/account") view=AccountSettings/>
                    </ParentRoute>
                </Routes>
                <ToastHost/>
            </div>
        </Router>
    }
    .into_any()
}
