//! Who is logged in, as far as this browser tab knows.
//!
//! The session itself is an HttpOnly cookie that JavaScript cannot read, so the tab learns about
//! it by asking `GET /api/v1/me` after hydration. Until that answer arrives the status is
//! [`AuthStatus::Loading`], which is also what the server renders: protected pages show the same
//! skeleton on both sides, and hydration matches.

use leptos::prelude::*;
use shared::{
    api::{CompanyDto, MeResponse, UserDto},
    i18n::Key,
    Role,
};

use crate::api::{self, Method};

/// The person and company of the current session.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub user: UserDto,
    pub company: CompanyDto,
}

impl Session {
    pub fn can_manage_team(&self) -> bool {
        self.user.role.can_manage_team()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum AuthStatus {
    /// `GET /me` has not answered yet (always the case on the server).
    Loading,
    /// No valid session: protected pages send the person to `/login`.
    LoggedOut,
    LoggedIn(Session),
    /// `GET /me` failed for another reason (server unreachable): protected pages offer a retry.
    Failed(Key),
}

/// The auth state shared through context. `Copy`, so handlers and async blocks can hold it.
#[derive(Clone, Copy)]
pub struct Auth {
    status: RwSignal<AuthStatus>,
    /// Sent back as `X-CSRF-Token`; not reactive, nothing is rendered from it.
    csrf: StoredValue<Option<String>>,
    /// Where to go once the logged-in area notices the session ended (set by explicit logouts).
    exit_to: StoredValue<Option<String>>,
}

impl Auth {
    pub fn provide() -> Self {
        let auth = Auth {
            status: RwSignal::new(AuthStatus::Loading),
            csrf: StoredValue::new(None),
            exit_to: StoredValue::new(None),
        };
        provide_context(auth);
        auth
    }

    /// Tracked read of the status.
    pub fn status(self) -> AuthStatus {
        self.status.get()
    }

    /// Tracked read of the session, `None` unless logged in.
    pub fn session(self) -> Option<Session> {
        self.status.with(|status| match status {
            AuthStatus::LoggedIn(session) => Some(session.clone()),
            _ => None,
        })
    }

    /// Tracked read of the current role.
    pub fn role(self) -> Option<Role> {
        self.status.with(|status| match status {
            AuthStatus::LoggedIn(session) => Some(session.user.role),
            _ => None,
        })
    }

    pub fn csrf_token(self) -> Option<String> {
        self.csrf.try_get_value().flatten()
    }

    /// Stores what login or `GET /me` returned.
    pub fn sign_in(self, me: MeResponse) {
        self.csrf.set_value(me.csrf_token);
        self.exit_to.set_value(None);
        self.status.set(AuthStatus::LoggedIn(Session { user: me.user, company: me.company }));
    }

    /// Asks the server who we are. Called once after hydration, and again by "try again".
    pub fn load(self) {
        if matches!(self.status.get_untracked(), AuthStatus::Failed(_)) {
            self.status.set(AuthStatus::Loading);
        }
        leptos::task::spawn_local(async move {
            let result = api::send::<MeResponse>(Method::Get, "/me", None, None).await;
            // A login that finished meanwhile is newer than this answer.
            if self.status.try_get_untracked() != Some(AuthStatus::Loading) {
                return;
            }
            match result {
                Ok(me) => self.sign_in(me),
                Err(failure) if matches!(failure.status(), Some(401 | 403)) => {
                    self.status.set(AuthStatus::LoggedOut)
                }
                Err(failure) => self.status.set(AuthStatus::Failed(failure.key())),
            }
        });
    }

    /// Fetches a fresh CSRF token (after `csrf_failed`). Returns whether the session is valid.
    pub async fn refresh(self) -> bool {
        match api::send::<MeResponse>(Method::Get, "/me", None, None).await {
            Ok(me) => {
                self.sign_in(me);
                true
            }
            Err(failure) => {
                if failure.status() == Some(401) {
                    self.session_expired();
                }
                false
            }
        }
    }

    /// The server no longer knows our session: forget it locally. The logged-in layout notices
    /// and sends the person to the login page.
    pub fn session_expired(self) {
        let current = self.status.try_get_untracked();
        if matches!(current, Some(AuthStatus::LoggedIn(_) | AuthStatus::Loading)) {
            self.csrf.set_value(None);
            self.status.set(AuthStatus::LoggedOut);
        }
    }

    /// Ends the session locally after an explicit logout (or password change) and decides where
    /// the logged-in layout sends the person.
    pub fn signed_out(self, exit_to: &str) {
        self.exit_to.set_value(Some(exit_to.to_owned()));
        self.csrf.set_value(None);
        self.status.set(AuthStatus::LoggedOut);
    }

    /// The destination chosen by [`Auth::signed_out`], once.
    pub fn take_exit_target(self) -> Option<String> {
        self.exit_to.try_update_value(|target| target.take()).flatten()
    }
}

pub fn use_auth() -> Auth {
    expect_context::<Auth>()
}

/// Whether the logged-in person may change the company's shared setup — personas, knowledge
/// bases, automation rules, business hours (owners and admins); agents see it read-only.
pub fn use_manager() -> Signal<bool> {
    let auth = use_auth();
    Signal::derive(move || auth.session().map(|s| s.can_manage_team()).unwrap_or(false))
}
