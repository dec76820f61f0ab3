//! The public pages: everything before (and around) a session.

pub mod forgot_password;
pub mod invite;
pub mod login;
pub mod reset_password;
pub mod signup;
pub mod verify_email;

/// A same-site path to return to after login; anything else (absent, absolute URL,
/// protocol-relative `//host`) falls back to the dashboard.
pub fn safe_next(next: Option<String>) -> String {
    match next {
        Some(path)
            if path.starts_with('/') && !path.starts_with("//") && !path.starts_with("/\\") =>
        {
            path
        }
        _ => "/dashboard".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_only_allows_local_paths() {
        assert_eq!(safe_next(Some("/settings/team".into())), "/settings/team");
        assert_eq!(safe_next(Some("//evil.example".into())), "/dashboard");
        assert_eq!(safe_next(Some("https://evil.example".into())), "/dashboard");
        assert_eq!(safe_next(None), "/dashboard");
    }
}
