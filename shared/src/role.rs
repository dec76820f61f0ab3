use serde::{Deserialize, Serialize};

/// What a member may do inside one company.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Created the company; manages everything including other owners.
    Owner,
    /// Manages team, connections and settings, but cannot remove owners.
    Admin,
    /// Works the inbox and contacts.
    Agent,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Owner, Role::Admin, Role::Agent];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Agent => "agent",
        }
    }

    pub fn parse(value: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == value)
    }

    /// Owners and admins manage the team, API keys and company settings.
    pub fn can_manage_team(self) -> bool {
        matches!(self, Role::Owner | Role::Admin)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_round_trips_every_role() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("superuser"), None);
    }

    #[test]
    fn only_owner_and_admin_manage_team() {
        assert!(Role::Owner.can_manage_team());
        assert!(Role::Admin.can_manage_team());
        assert!(!Role::Agent.can_manage_team());
    }
}
