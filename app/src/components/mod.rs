//! Building blocks shared by pages.

pub mod app_shell;
pub mod badge;
pub mod copy;
pub mod feedback;
pub mod form;
pub mod handoff;
pub mod hours;
pub mod icons;
pub mod layout;
pub mod live_indicator;
pub mod nav;
pub mod problems;
pub mod toast;
