//! The frame of the logged-in area: sidebar (a drawer on phones), top bar with the live
//! indicator, and the current page. It also owns the session's side effects: it opens the live
//! connection once logged in and sends the person to `/login` when the session ends.

use leptos::prelude::*;
use leptos_router::{
    components::Outlet,
    hooks::{use_location, use_navigate},
    NavigateOptions,
};
use shared::i18n::Key;

use crate::api::{self, encode_query, Method};
use crate::auth::{use_auth, AuthStatus};
use crate::components::badge::BackgroundBadge;
use crate::components::handoff::HandoffNotices;
use crate::components::icons::{Icon, IconName};
use crate::components::layout::Brand;
use crate::components::live_indicator::LiveIndicator;
use crate::components::nav::SidebarNav;
use crate::i18n::{role_key, t, use_i18n, LangSwitcher};
use crate::live::use_live;

/// Which big state the frame is in; a memo so that refreshing the session (new CSRF token)
/// does not rebuild the page underneath.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Loading,
    In,
    Failed(Key),
}

#[component]
pub fn AppLayout() -> impl IntoView {
    let auth = use_auth();
    let live = use_live();
    let navigate = use_navigate();
    let location = use_location();

    // Session side effects. The previous run's "was logged in" tells an expired session (show a
    // notice) from a visitor who never had one.
    Effect::new(move |was_logged_in: Option<bool>| match auth.status() {
        AuthStatus::LoggedIn(_) => {
            live.start(auth);
            true
        }
        AuthStatus::LoggedOut => {
            live.stop();
            let target = auth.take_exit_target().unwrap_or_else(|| {
                let here = format!(
                    "{}{}",
                    location.pathname.get_untracked(),
                    location.search.get_untracked()
                );
                let notice =
                    if was_logged_in == Some(true) { "&notice=session_expired" } else { "" };
                format!("/login?next={}{notice}", encode_query(&here))
            });
            navigate(&target, NavigateOptions { replace: true, ..Default::default() });
            false
        }
        AuthStatus::Loading | AuthStatus::Failed(_) => was_logged_in.unwrap_or(false),
    });
    on_cleanup(move || live.stop());

    let phase = Memo::new(move |_| match auth.status() {
        AuthStatus::LoggedIn(_) => Phase::In,
        AuthStatus::Failed(key) => Phase::Failed(key),
        AuthStatus::Loading | AuthStatus::LoggedOut => Phase::Loading,
    });

    move || match phase.get() {
        Phase::Loading => view! { <AppSkeleton/> }.into_any(),
        Phase::Failed(key) => view! { <LoadFailed key/> }.into_any(),
        Phase::In => view! { <AppFrame/> }.into_any(),
    }
}

/// Sidebar + top bar + page.
#[component]
fn AppFrame() -> impl IntoView {
    let auth = use_auth();
    let location = use_location();
    let menu_open = RwSignal::new(false);

    // Any navigation (a link in the drawer, the browser's back button) closes the drawer.
    Effect::new(move |_| {
        let _ = location.pathname.get();
        menu_open.set(false);
    });

    let company = move || auth.session().map(|s| s.company.name).unwrap_or_default();

    view! {
        <div class="min-h-dvh bg-slate-50">
            <a href="#main" class="skip-link">
                {t(Key::SkipToContent)}
            </a>
            <Show when=move || menu_open.get()>
                <div
                    class="fixed inset-0 z-30 bg-slate-900/50 backdrop-blur-[1px] lg:hidden"
                    aria-hidden="true"
                    on:click=move |_| menu_open.set(false)
                ></div>
            </Show>
            <aside
                id="sidebar"
                class=move || {
                    if menu_open.get() { "sidebar translate-x-0" } else { "sidebar sidebar-closed" }
                }
                on:keydown=move |ev| {
                    if ev.key() == "Escape" {
                        menu_open.set(false);
                    }
                }
            >
                <Sidebar menu_open/>
            </aside>
            <div class="lg:pl-64">
                <header class="sticky top-0 z-20 flex h-14 items-center gap-3 border-b border-slate-200 bg-white/90 px-4 backdrop-blur sm:px-6 lg:px-8">
                    <button
                        type="button"
                        class="btn-icon -ml-1.5 lg:hidden"
                        data-testid="menu-button"
                        aria-controls="sidebar"
                        aria-expanded=move || if menu_open.get() { "true" } else { "false" }
                        on:click=move |_| menu_open.update(|open| *open = !*open)
                    >
                        <Icon icon=IconName::Menu class="size-6"/>
                        <span class="sr-only">{t(Key::OpenMenu)}</span>
                    </button>
                    <div class="min-w-0 lg:hidden">
                        <Brand/>
                    </div>
                    <p class="hidden min-w-0 truncate text-sm font-medium text-slate-600 lg:block">
                        {company}
                    </p>
                    <div class="ml-auto shrink-0">
                        <LiveIndicator/>
                        <BackgroundBadge/>
                        <HandoffNotices/>
                    </div>
                </header>
                <main id="main" tabindex="-1" class="mx-auto w-full max-w-6xl px-4 py-6 focus:outline-none sm:px-6 lg:px-8 lg:py-10">
                    <Outlet/>
                </main>
            </div>
        </div>
    }
    .into_any()
}

/// The sidebar's content: brand, company, navigation, and the person with their controls.
#[component]
fn Sidebar(menu_open: RwSignal<bool>) -> impl IntoView {
    let auth = use_auth();
    let i18n = use_i18n();
    let busy = RwSignal::new(false);
    let session = move || auth.session();

    let logout = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            // Whatever the answer (even "already logged out"), this tab forgets the session.
            let _ = api::send::<()>(Method::Post, "/auth/logout", None, auth.csrf_token()).await;
            busy.try_set(false);
            auth.signed_out("/login?notice=logged_out");
        });
    };

    view! {
        <div class="flex h-14 shrink-0 items-center justify-between gap-2 border-b border-white/10 px-4">
            <a href="/dashboard" class="rounded-lg focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-white">
                <Brand light=true/>
            </a>
            <button
                type="button"
                class="btn-icon text-slate-300 hover:bg-white/10 hover:text-white lg:hidden"
                on:click=move |_| menu_open.set(false)
            >
                <Icon icon=IconName::Close class="size-5"/>
                <span class="sr-only">{t(Key::CloseMenu)}</span>
            </button>
        </div>
        <div class="px-4 pt-4">
            <div class="rounded-lg bg-white/5 px-3 py-2.5 ring-1 ring-white/10">
                <p class="text-[0.6875rem] font-medium uppercase tracking-wider text-slate-400">
                    {t(Key::Company)}
                </p>
                <p class="truncate text-sm font-semibold text-white" data-testid="company-name">
                    {move || session().map(|s| s.company.name).unwrap_or_default()}
                </p>
            </div>
        </div>
        // A tap on a link closes the drawer right away, before the next page renders.
        <div class="flex min-h-0 flex-1 flex-col" on:click=move |_| menu_open.set(false)>
            <SidebarNav/>
        </div>
        <div class="shrink-0 space-y-3 border-t border-white/10 p-4">
            <div class="flex items-center gap-3">
                <span class="grid size-9 shrink-0 place-items-center rounded-full bg-brand-600 text-sm font-semibold text-white" aria-hidden="true">
                    {move || session().map(|s| initials(&s.user.name)).unwrap_or_default()}
                </span>
                <div class="min-w-0">
                    <p class="truncate text-sm font-medium text-white" data-testid="user-name">
                        {move || session().map(|s| s.user.name).unwrap_or_default()}
                    </p>
                    <p class="truncate text-xs text-slate-400" data-testid="user-role">
                        {move || session().map(|s| i18n.lang().t(role_key(s.user.role))).unwrap_or_default()}
                    </p>
                </div>
            </div>
            <LangSwitcher class="w-full"/>
            <button
                type="button"
                class="btn w-full justify-start bg-white/5 text-slate-200 ring-1 ring-white/10 hover:bg-white/10 hover:text-white"
                data-testid="logout-button"
                disabled=move || busy.get()
                on:click=logout
            >
                <Icon icon=IconName::Logout class="size-5"/>
                <span>{t(Key::Logout)}</span>
            </button>
        </div>
    }
    .into_any()
}

/// Up to two initials for the avatar.
pub fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|word| word.chars().next())
        .take(2)
        .flat_map(char::to_uppercase)
        .collect()
}

/// What protected pages show until the session is known: the server renders exactly this too.
#[component]
pub fn AppSkeleton() -> impl IntoView {
    view! {
        <div class="min-h-dvh bg-slate-50" aria-busy="true" data-testid="app-loading">
            <p class="sr-only" role="status">
                {t(Key::Loading)}
            </p>
            <div class="fixed inset-y-0 left-0 hidden w-64 bg-slate-900 lg:block" aria-hidden="true">
                <div class="space-y-3 p-4">
                    <div class="h-8 w-32 rounded-lg bg-white/10"></div>
                    <div class="h-14 rounded-lg bg-white/5"></div>
                    <div class="space-y-2 pt-4">
                        {(0..7).map(|_| view! { <div class="h-8 rounded-md bg-white/5"></div> }).collect_view()}
                    </div>
                </div>
            </div>
            <div class="lg:pl-64" aria-hidden="true">
                <div class="h-14 border-b border-slate-200 bg-white"></div>
                <div class="mx-auto max-w-6xl animate-pulse space-y-6 px-4 py-8 sm:px-6 lg:px-8">
                    <div class="h-8 w-64 max-w-full rounded-lg bg-slate-200"></div>
                    <div class="h-4 w-96 max-w-full rounded bg-slate-200"></div>
                    <div class="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
                        {(0..6).map(|_| view! { <div class="h-32 rounded-xl bg-slate-200/70"></div> }).collect_view()}
                    </div>
                </div>
            </div>
        </div>
    }
    .into_any()
}

/// `GET /me` failed for a reason other than "not logged in" (server unreachable).
#[component]
fn LoadFailed(key: Key) -> impl IntoView {
    let auth = use_auth();
    view! {
        <div class="grid min-h-dvh place-items-center bg-slate-50 px-4">
            <div class="card w-full max-w-md p-6 text-center" role="alert">
                <Icon icon=IconName::Warning class="mx-auto size-10 text-amber-500"/>
                <p class="mt-4 text-sm text-slate-700">{t(key)}</p>
                <button type="button" class="btn btn-primary mt-6" on:click=move |_| auth.load()>
                    {t(Key::TryAgain)}
                </button>
            </div>
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::initials;

    #[test]
    fn initials_take_the_first_two_words() {
        assert_eq!(initials("ana maria souza"), "AM");
        assert_eq!(initials("Zé"), "Z");
        assert_eq!(initials(""), "");
    }
}
