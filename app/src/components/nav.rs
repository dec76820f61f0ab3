//! The navigation of the logged-in area: one list drives the sidebar links and the dashboard
//! cards, so a new area is added in one place.

use leptos::prelude::*;
use leptos_router::components::A;
use shared::i18n::Key;

use crate::components::icons::{Icon, IconName};
use crate::i18n::t;

/// One destination in the sidebar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NavItem {
    pub path: &'static str,
    pub label: Key,
    pub icon: IconName,
    /// `data-testid` of the link (`nav-<name>`).
    pub testid: &'static str,
    /// What the area does, for its dashboard card and empty state.
    pub description: Key,
    /// Built by a later milestone: shown with a "Soon" badge and an honest empty state.
    pub upcoming: bool,
}

pub const DASHBOARD: NavItem = NavItem {
    path: "/dashboard",
    label: Key::NavDashboard,
    icon: IconName::Home,
    testid: "nav-dashboard",
    description: Key::Tagline,
    upcoming: false,
};
pub const INBOX: NavItem = NavItem {
    path: "/inbox",
    label: Key::NavInbox,
    icon: IconName::Inbox,
    testid: "nav-inbox",
    description: Key::AreaInboxDesc,
    upcoming: false,
};
pub const CONTACTS: NavItem = NavItem {
    path: "/contacts",
    label: Key::NavContacts,
    icon: IconName::Users,
    testid: "nav-contacts",
    description: Key::AreaContactsDesc,
    upcoming: false,
};
pub const CAMPAIGNS: NavItem = NavItem {
    path: "/campaigns",
    label: Key::NavCampaigns,
    icon: IconName::Megaphone,
    testid: "nav-campaigns",
    description: Key::AreaCampaignsDesc,
    upcoming: false,
};
pub const CONNECTIONS: NavItem = NavItem {
    path: "/connections",
    label: Key::NavConnections,
    icon: IconName::Link,
    testid: "nav-connections",
    description: Key::AreaConnectionsDesc,
    upcoming: false,
};
pub const AI: NavItem = NavItem {
    path: "/ai",
    label: Key::NavAi,
    icon: IconName::Sparkles,
    testid: "nav-ai",
    description: Key::AreaAiDesc,
    upcoming: false,
};
pub const AUTOMATIONS: NavItem = NavItem {
    path: "/automations",
    label: Key::NavAutomations,
    icon: IconName::Bolt,
    testid: "nav-automations",
    description: Key::AreaAutomationDesc,
    upcoming: false,
};
pub const TEAM: NavItem = NavItem {
    path: "/settings/team",
    label: Key::NavTeam,
    icon: IconName::Users,
    testid: "nav-team",
    description: Key::TeamSubtitle,
    upcoming: false,
};
pub const API_KEYS: NavItem = NavItem {
    path: "/settings/api-keys",
    label: Key::NavApiKeys,
    icon: IconName::Key,
    testid: "nav-api-keys",
    description: Key::ApiKeysSubtitle,
    upcoming: false,
};
pub const CONTACT_SETTINGS: NavItem = NavItem {
    path: "/settings/contacts",
    label: Key::NavContactSettings,
    icon: IconName::Tag,
    testid: "nav-contact-settings",
    description: Key::ContactSettingsSubtitle,
    upcoming: false,
};
pub const BUSINESS_HOURS: NavItem = NavItem {
    path: "/settings/business-hours",
    label: Key::NavBusinessHours,
    icon: IconName::Clock,
    testid: "nav-business-hours",
    description: Key::BusinessHoursSubtitle,
    upcoming: false,
};
pub const ACCOUNT: NavItem = NavItem {
    path: "/settings/account",
    label: Key::NavAccount,
    icon: IconName::UserCircle,
    testid: "nav-account",
    description: Key::AccountSubtitle,
    upcoming: false,
};

/// The product areas, in sidebar order.
pub const WORKSPACE: [NavItem; 7] =
    [DASHBOARD, INBOX, CONTACTS, CAMPAIGNS, CONNECTIONS, AI, AUTOMATIONS];
/// The settings pages, in sidebar order.
pub const SETTINGS: [NavItem; 5] = [TEAM, API_KEYS, CONTACT_SETTINGS, BUSINESS_HOURS, ACCOUNT];

/// One sidebar link; the router marks the current one with `aria-current="page"`. Areas of a
/// later release are muted and carry a small clock (a text badge would not fit the Portuguese
/// labels in the sidebar's width); screen readers hear "Soon".
#[component]
pub fn NavLink(item: NavItem) -> impl IntoView {
    let label_class =
        if item.upcoming { "flex-1 truncate text-slate-400" } else { "flex-1 truncate" };
    view! {
        <li>
            <A href=item.path {..} class="nav-link group" data-testid=item.testid>
                <Icon icon=item.icon class="size-5 shrink-0 text-slate-400 group-hover:text-slate-200 group-aria-[current=page]:text-white"/>
                <span class=label_class>{t(item.label)}</span>
                {item
                    .upcoming
                    .then(|| {
                        view! {
                            <span class="shrink-0 text-slate-500" title=t(Key::UpcomingBadge)>
                                <Icon icon=IconName::Clock class="size-3.5"/>
                                <span class="sr-only">{t(Key::UpcomingBadge)}</span>
                            </span>
                        }
                    })}
            </A>
        </li>
    }
    .into_any()
}

/// The sidebar's two link groups.
#[component]
pub fn SidebarNav() -> impl IntoView {
    view! {
        <nav aria-label=t(Key::MainNavigation) class="flex-1 space-y-7 overflow-y-auto px-3 py-5">
            <div>
                <p class="nav-heading">{t(Key::NavWorkspace)}</p>
                <ul role="list" class="mt-2 space-y-0.5">
                    {WORKSPACE.into_iter().map(|item| view! { <NavLink item/> }).collect_view()}
                </ul>
            </div>
            <div>
                <p class="nav-heading">{t(Key::NavSettings)}</p>
                <ul role="list" class="mt-2 space-y-0.5">
                    {SETTINGS.into_iter().map(|item| view! { <NavLink item/> }).collect_view()}
                </ul>
            </div>
        </nav>
    }
    .into_any()
}
