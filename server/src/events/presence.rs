//! Who has the app open right now (one or more live sockets), per company, and the round-robin
//! that hands new conversations to them in turn.
//!
//! Per process, like the rest of the bus: with several instances each knows its own sockets (a
//! shared presence set — Redis, PostgreSQL — would replace this type).

use std::collections::HashMap;
use std::sync::Arc;

use dashmap::DashMap;
use uuid::Uuid;

#[derive(Default)]
pub struct Presence {
    /// Open sockets per user, per company.
    online: DashMap<Uuid, HashMap<Uuid, usize>>,
    /// The user who got the company's last automatic assignment.
    last_assigned: DashMap<Uuid, Uuid>,
}

/// Keeps a user online while it lives (held by a WebSocket for its lifetime).
pub struct Online {
    presence: Arc<Presence>,
    company_id: Uuid,
    user_id: Uuid,
}

impl Drop for Online {
    fn drop(&mut self) {
        if let Some(mut users) = self.presence.online.get_mut(&self.company_id) {
            if let Some(count) = users.get_mut(&self.user_id) {
                *count = count.saturating_sub(1);
                if *count == 0 {
                    users.remove(&self.user_id);
                }
            }
        }
        self.presence.online.remove_if(&self.company_id, |_, users| users.is_empty());
    }
}

impl Presence {
    pub fn enter(self: &Arc<Self>, company_id: Uuid, user_id: Uuid) -> Online {
        *self.online.entry(company_id).or_default().entry(user_id).or_default() += 1;
        Online { presence: self.clone(), company_id, user_id }
    }

    pub fn is_online(&self, company_id: Uuid, user_id: Uuid) -> bool {
        self.online.get(&company_id).is_some_and(|users| users.contains_key(&user_id))
    }

    /// The next of `candidates` who is online, after the one chosen last time (in id order, so
    /// everyone takes turns); `None` when nobody is online.
    pub fn next_in_turn(&self, company_id: Uuid, candidates: &[Uuid]) -> Option<Uuid> {
        let mut online: Vec<Uuid> =
            candidates.iter().copied().filter(|id| self.is_online(company_id, *id)).collect();
        online.sort();
        online.dedup();
        let last = self.last_assigned.get(&company_id).map(|id| *id);
        let next = match last {
            Some(last) => online.iter().find(|id| **id > last).or(online.first()),
            None => online.first(),
        }
        .copied()?;
        self.last_assigned.insert(company_id, next);
        Some(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn online_people_take_turns_and_offline_ones_are_skipped() {
        let presence = Arc::new(Presence::default());
        let company = Uuid::new_v4();
        let (a, b, c) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        assert_eq!(presence.next_in_turn(company, &[a, b, c]), None, "nobody online");
        let _a = presence.enter(company, a);
        let b_tab = presence.enter(company, b);
        let b_other_tab = presence.enter(company, b);
        let turns: Vec<_> =
            (0..4).map(|_| presence.next_in_turn(company, &[c, b, a]).unwrap()).collect();
        assert_eq!(turns, [a, b, a, b]);
        drop(b_tab);
        assert!(presence.is_online(company, b), "one tab still open");
        drop(b_other_tab);
        assert_eq!(presence.next_in_turn(company, &[a, b, c]), Some(a));
        assert_eq!(presence.next_in_turn(company, &[a, b, c]), Some(a), "alone, a gets them all");
        assert!(!presence.is_online(Uuid::new_v4(), a), "per company");
    }
}
