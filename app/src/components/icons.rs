//! A small set of line icons drawn for this app (24×24, stroked with the text colour), so the UI
//! needs no icon font or image requests. Icons are decorative: the text next to them carries
//! the meaning, so they are hidden from screen readers.

use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IconName {
    Home,
    Inbox,
    Users,
    Megaphone,
    Link,
    Sparkles,
    Bolt,
    Sliders,
    Key,
    UserCircle,
    Menu,
    Close,
    Check,
    Logout,
    Copy,
    Globe,
    ChevronDown,
    ChevronRight,
    Mail,
    Warning,
    Info,
    Trash,
    Plus,
    Circle,
    Clock,
    Chat,
    Search,
    Tag,
    Upload,
    Download,
    Filter,
    ArrowLeft,
    Refresh,
    MapPin,
    Paperclip,
    Book,
}

impl IconName {
    fn paths(self) -> &'static [&'static str] {
        const CIRCLE_9: &str = "M3 12a9 9 0 1 0 18 0a9 9 0 1 0-18 0";
        match self {
            IconName::Home => &["M3 11.5 12 4l9 7.5", "M5.5 9.5V20h4.5v-5.5h4V20h4.5V9.5"],
            IconName::Inbox => &[
                "M4 13l2.4-7.2A1.2 1.2 0 0 1 7.5 5h9a1.2 1.2 0 0 1 1.1.8L20 13v5a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2z",
                "M4 13h4.5l1.5 2.5h4l1.5-2.5H20",
            ],
            IconName::Users => &[
                "M5.5 8a3.5 3.5 0 1 0 7 0a3.5 3.5 0 1 0-7 0",
                "M2.5 20c.8-3.6 3.3-5.5 6.5-5.5s5.7 1.9 6.5 5.5",
                "M15.5 4.6a3.5 3.5 0 0 1 0 6.8",
                "M18 14.8c1.9.8 3.1 2.5 3.5 5.2",
            ],
            IconName::Megaphone => &[
                "M4 10v4a1 1 0 0 0 1 1h2l6 4V5L7 9H5a1 1 0 0 0-1 1z",
                "M16.5 9.2a4 4 0 0 1 0 5.6",
                "M19 6.5a7.8 7.8 0 0 1 0 11",
            ],
            IconName::Link => &[
                "M10 14a4 4 0 0 0 5.7 0l3-3A4 4 0 0 0 13 5.3l-1 1",
                "M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1",
            ],
            IconName::Sparkles => &[
                "M11 3.5l1.9 4.6 4.6 1.9-4.6 1.9L11 16.5l-1.9-4.6L4.5 10l4.6-1.9z",
                "M18 14.5l.8 1.9 1.9.8-1.9.8-.8 1.9-.8-1.9-1.9-.8 1.9-.8z",
            ],
            IconName::Bolt => &["M13 2.5 4.5 13.5H11l-1 8 8.5-11H12z"],
            IconName::Sliders => &[
                "M4 6h10M18 6h2M4 12h4M12 12h8M4 18h10M18 18h2",
                "M14 6a2 2 0 1 0 4 0a2 2 0 1 0-4 0",
                "M8 12a2 2 0 1 0 4 0a2 2 0 1 0-4 0",
                "M14 18a2 2 0 1 0 4 0a2 2 0 1 0-4 0",
            ],
            IconName::Key => &["M4 15.5a3.5 3.5 0 1 0 7 0a3.5 3.5 0 1 0-7 0", "M10 13l9-9M15.5 7.5l2.5 2.5M13.5 9.5l2 2"],
            IconName::UserCircle => &[
                CIRCLE_9,
                "M9 10a3 3 0 1 0 6 0a3 3 0 1 0-6 0",
                "M6.5 18.5c1.3-2 3.2-3 5.5-3s4.2 1 5.5 3",
            ],
            IconName::Menu => &["M4 7h16M4 12h16M4 17h16"],
            IconName::Close => &["M6 6l12 12M18 6 6 18"],
            IconName::Check => &["M5 12.5l4.5 4.5L19 7.5"],
            IconName::Logout => &["M9 20H6a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2h3", "M16 16l4-4-4-4", "M20 12H9"],
            IconName::Copy => &[
                "M10 8h8a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2h-8a2 2 0 0 1-2-2v-8a2 2 0 0 1 2-2z",
                "M16 8V6a2 2 0 0 0-2-2H6a2 2 0 0 0-2 2v8a2 2 0 0 0 2 2h2",
            ],
            IconName::Globe => &[
                CIRCLE_9,
                "M3 12h18",
                "M12 3c2.5 2.6 3.8 5.6 3.8 9s-1.3 6.4-3.8 9c-2.5-2.6-3.8-5.6-3.8-9S9.5 5.6 12 3z",
            ],
            IconName::ChevronDown => &["M6 9l6 6 6-6"],
            IconName::ChevronRight => &["M9 6l6 6-6 6"],
            IconName::Mail => &[
                "M5 5h14a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V7a2 2 0 0 1 2-2z",
                "M3.5 6.5 12 13l8.5-6.5",
            ],
            IconName::Warning => &[
                "M10.3 4.2 2.6 17.5A2 2 0 0 0 4.3 20.5h15.4a2 2 0 0 0 1.7-3L13.7 4.2a2 2 0 0 0-3.4 0z",
                "M12 9.5v4M12 17h.01",
            ],
            IconName::Info => &[CIRCLE_9, "M12 11v5.5M12 7.5h.01"],
            IconName::Trash => &[
                "M4 7h16M10 11v6M14 11v6",
                "M6 7l1 12a2 2 0 0 0 2 2h6a2 2 0 0 0 2-2l1-12M9 7V4.5h6V7",
            ],
            IconName::Plus => &["M12 5v14M5 12h14"],
            IconName::Upload => &["M12 15V4M7.5 8.5 12 4l4.5 4.5", "M4 15v3a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-3"],
            IconName::Download => &["M12 4v11M7.5 10.5 12 15l4.5-4.5", "M4 15v3a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-3"],
            IconName::Filter => &["M4 5h16l-6 7.5V19l-4 1.5v-8z"],
            IconName::ArrowLeft => &["M19 12H5", "M11 6l-6 6 6 6"],
            IconName::Refresh => &["M20 11a8 8 0 0 0-14.6-4.5L4 8", "M4 4v4h4", "M4 13a8 8 0 0 0 14.6 4.5L20 16", "M20 20v-4h-4"],
            IconName::MapPin => &[
                "M12 21s-6.5-5.6-6.5-11a6.5 6.5 0 1 1 13 0c0 5.4-6.5 11-6.5 11z",
                "M9.5 10a2.5 2.5 0 1 0 5 0a2.5 2.5 0 1 0-5 0",
            ],
            IconName::Paperclip => &["M20 11.5l-8.1 8.1a5 5 0 0 1-7.1-7.1l8.5-8.5a3.3 3.3 0 0 1 4.7 4.7l-8.5 8.5a1.7 1.7 0 0 1-2.4-2.4l7.8-7.8"],
            IconName::Book => &[
                "M5 5.5A2.5 2.5 0 0 1 7.5 3H19v15H7.5A2.5 2.5 0 0 0 5 20.5z",
                "M5 20.5A2.5 2.5 0 0 0 7.5 23H19v-5",
                "M9 7.5h6",
            ],
            IconName::Circle => &[CIRCLE_9],
            IconName::Clock => &[CIRCLE_9, "M12 7v5l3.5 2"],
            IconName::Chat => &[
                "M5 5h14a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2h-7l-4.5 3.5V17H5a2 2 0 0 1-2-2V7a2 2 0 0 1 2-2z",
                "M8 10h8M8 13.5h5",
            ],
            IconName::Search => &["M4 11a7 7 0 1 0 14 0a7 7 0 1 0-14 0", "M20 20l-4.2-4.2"],
            IconName::Tag => &[
                "M3.5 12.2V5A1.5 1.5 0 0 1 5 3.5h7.2l8.3 8.3a1.5 1.5 0 0 1 0 2.1l-7.1 7.1a1.5 1.5 0 0 1-2.1 0z",
                "M8 8h.01",
            ],
        }
    }
}

/// An inline SVG icon; size and colour come from `class` (e.g. `size-5 text-slate-500`).
#[component]
pub fn Icon(icon: IconName, #[prop(optional)] class: &'static str) -> impl IntoView {
    view! {
        <svg
            class=class
            viewBox="0 0 24 24"
            fill="none"
            stroke="currentColor"
            stroke-width="1.75"
            stroke-linecap="round"
            stroke-linejoin="round"
            aria-hidden="true"
            focusable="false"
        >
            {icon.paths().iter().map(|d| view! { <path d=*d></path> }).collect_view()}
        </svg>
    }
    .into_any()
}
