//! The per-company live event bus behind `GET /api/v1/ws`.
//!
//! Publishing goes through an [`EventTransport`]; subscribers always read from this process's
//! [`LocalFanout`]. Today the transport is in-process (one instance). To run several instances,
//! add a transport that broadcasts to the others (PostgreSQL `LISTEN/NOTIFY`, Redis or NATS
//! pub/sub) and, on receipt, calls [`LocalFanout::deliver`]; nothing else changes.
//!
//! Every delivered event gets a sequence number, and each company keeps its last few hundred
//! events for a few minutes. A client that lost its socket reconnects with the [`Cursor`] of the
//! last event it saw and receives exactly what it missed; when that is no longer known (too long
//! away, too many events, another process), it is told to refetch instead.

mod presence;

pub use presence::{Online, Presence};

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use dashmap::DashMap;
use shared::ServerEvent;
use tokio::sync::broadcast;
use uuid::Uuid;

/// How many events a slow subscriber may fall behind before it is told it lagged.
const CHANNEL_CAPACITY: usize = 256;
/// Events kept per company for clients that reconnect.
const HISTORY_LEN: usize = 512;
/// How long they are kept.
const HISTORY_AGE: Duration = Duration::from_secs(5 * 60);

/// An event with its place in the stream: later events have larger numbers.
#[derive(Debug, Clone)]
pub struct Sequenced {
    pub seq: u64,
    pub event: Arc<ServerEvent>,
}

impl std::ops::Deref for Sequenced {
    type Target = ServerEvent;

    fn deref(&self) -> &ServerEvent {
        &self.event
    }
}

/// Where a client got to in this process's stream: `"<stream>-<seq>"` on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    /// Random per process start: a cursor from before a restart is recognised as foreign.
    pub stream: u64,
    pub seq: u64,
}

impl Cursor {
    pub fn encode(self) -> String {
        format!("{:x}-{}", self.stream, self.seq)
    }

    pub fn parse(raw: &str) -> Option<Cursor> {
        let (stream, seq) = raw.trim().split_once('-')?;
        Some(Cursor { stream: u64::from_str_radix(stream, 16).ok()?, seq: seq.parse().ok()? })
    }
}

/// Sends an event to every instance's local fan-out.
pub trait EventTransport: Send + Sync + 'static {
    fn publish(&self, company_id: Uuid, event: Arc<ServerEvent>);
}

struct CompanyStream {
    sender: broadcast::Sender<Sequenced>,
    history: VecDeque<(Instant, Sequenced)>,
    /// Events up to this number may have been dropped from `history`.
    forgotten_upto: u64,
}

/// What a new subscriber gets: the live receiver, and what it missed since its cursor.
pub struct Subscription {
    pub receiver: broadcast::Receiver<Sequenced>,
    /// The position now (for a client that has seen nothing yet).
    pub cursor: Cursor,
    /// Events after the given cursor, oldest first; `None` when they are not all known (the
    /// client must refetch) or no cursor was given.
    pub missed: Option<Vec<Sequenced>>,
}

/// Per-company broadcast channels and recent history of this process.
pub struct LocalFanout {
    stream: u64,
    next_seq: AtomicU64,
    companies: DashMap<Uuid, CompanyStream>,
}

impl Default for LocalFanout {
    fn default() -> Self {
        LocalFanout {
            stream: rand::random::<u64>() >> 1,
            next_seq: AtomicU64::new(1),
            companies: DashMap::new(),
        }
    }
}

impl LocalFanout {
    fn new_stream(&self) -> CompanyStream {
        CompanyStream {
            sender: broadcast::channel(CHANNEL_CAPACITY).0,
            history: VecDeque::new(),
            // Nothing of this company before now is known.
            forgotten_upto: self.next_seq.load(Ordering::SeqCst).saturating_sub(1),
        }
    }

    /// Subscribes to a company's events; with `since`, also returns what happened after it.
    /// Done under the company's lock, so no event falls between the replay and the receiver.
    pub fn subscribe(&self, company_id: Uuid, since: Option<Cursor>) -> Subscription {
        let mut company = self.companies.entry(company_id).or_insert_with(|| self.new_stream());
        let receiver = company.sender.subscribe();
        let cursor = Cursor {
            stream: self.stream,
            seq: self.next_seq.load(Ordering::SeqCst).saturating_sub(1),
        };
        let missed = since.and_then(|since| {
            let known = since.stream == self.stream
                && since.seq >= company.forgotten_upto
                && since.seq <= cursor.seq;
            known.then(|| {
                company
                    .history
                    .iter()
                    .filter(|(_, item)| item.seq > since.seq)
                    .map(|(_, item)| item.clone())
                    .collect()
            })
        });
        trim(&mut company, Instant::now());
        Subscription { receiver, cursor, missed }
    }

    /// Numbers the event, keeps it for reconnecting clients, and hands it to this process's
    /// subscribers of that company.
    pub fn deliver(&self, company_id: Uuid, event: Arc<ServerEvent>) {
        let mut company = self.companies.entry(company_id).or_insert_with(|| self.new_stream());
        // Numbered under the company's lock: its events are numbered in the order they are sent.
        let item = Sequenced { seq: self.next_seq.fetch_add(1, Ordering::SeqCst), event };
        let now = Instant::now();
        company.history.push_back((now, item.clone()));
        trim(&mut company, now);
        let _ = company.sender.send(item);
    }

    /// Drops companies nobody listens to whose history has aged out (run every minute).
    pub fn prune(&self) {
        let now = Instant::now();
        self.companies.retain(|_, company| {
            trim(company, now);
            company.sender.receiver_count() > 0 || !company.history.is_empty()
        });
    }

    pub fn active_companies(&self) -> usize {
        self.companies.len()
    }
}

fn trim(company: &mut CompanyStream, now: Instant) {
    while company.history.len() > HISTORY_LEN
        || company.history.front().is_some_and(|(at, _)| now.duration_since(*at) > HISTORY_AGE)
    {
        if let Some((_, dropped)) = company.history.pop_front() {
            company.forgotten_upto = company.forgotten_upto.max(dropped.seq);
        }
    }
}

/// The single-instance transport: delivers straight to the local fan-out.
pub struct InProcessTransport {
    fanout: Arc<LocalFanout>,
}

impl EventTransport for InProcessTransport {
    fn publish(&self, company_id: Uuid, event: Arc<ServerEvent>) {
        self.fanout.deliver(company_id, event);
    }
}

#[derive(Clone)]
pub struct EventBus {
    fanout: Arc<LocalFanout>,
    transport: Arc<dyn EventTransport>,
    presence: Arc<Presence>,
}

impl EventBus {
    pub fn in_process() -> Self {
        let fanout = Arc::new(LocalFanout::default());
        let transport = Arc::new(InProcessTransport { fanout: fanout.clone() });
        EventBus { fanout, transport, presence: Arc::new(Presence::default()) }
    }

    pub fn publish(&self, company_id: Uuid, event: ServerEvent) {
        metrics::counter!("master_ia_events_published_total").increment(1);
        self.transport.publish(company_id, Arc::new(event));
    }

    /// The company's events from now on.
    pub fn subscribe(&self, company_id: Uuid) -> broadcast::Receiver<Sequenced> {
        self.fanout.subscribe(company_id, None).receiver
    }

    /// The company's events from now on, and those after `since` (see [`Subscription`]).
    pub fn resume(&self, company_id: Uuid, since: Option<Cursor>) -> Subscription {
        self.fanout.subscribe(company_id, since)
    }

    pub fn prune(&self) {
        self.fanout.prune();
    }

    /// Who is online, for auto-assignment.
    pub fn presence(&self) -> &Arc<Presence> {
        &self.presence
    }

    /// This process's stream id (the first half of every cursor it hands out).
    pub fn stream(&self) -> u64 {
        self.fanout.stream
    }

    pub fn active_companies(&self) -> usize {
        self.fanout.active_companies()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn team(n: u8) -> ServerEvent {
        ServerEvent::TeamChanged { by_user_id: Some(Uuid::from_u128(u128::from(n))) }
    }

    #[tokio::test]
    async fn subscribers_only_see_their_company() {
        let bus = EventBus::in_process();
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let mut rx_a = bus.subscribe(a);
        let mut rx_b = bus.subscribe(b);
        bus.publish(a, team(1));
        assert_eq!(*rx_a.recv().await.unwrap(), team(1));
        assert!(matches!(rx_b.try_recv(), Err(broadcast::error::TryRecvError::Empty)));
    }

    #[test]
    fn a_returning_client_gets_exactly_what_it_missed() {
        let bus = EventBus::in_process();
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let first = bus.resume(a, None);
        bus.publish(a, team(1));
        bus.publish(b, team(9));
        bus.publish(a, team(2));
        let again = bus.resume(a, Some(first.cursor));
        let missed: Vec<ServerEvent> =
            again.missed.unwrap().iter().map(|item| (*item.event).clone()).collect();
        assert_eq!(missed, [team(1), team(2)]);
        // Nothing missed since then; the new cursor is past both.
        assert!(bus.resume(a, Some(again.cursor)).missed.unwrap().is_empty());
    }

    #[test]
    fn an_unknown_cursor_asks_for_a_refetch() {
        let bus = EventBus::in_process();
        let company = Uuid::new_v4();
        let now = bus.resume(company, None).cursor;
        let foreign = Cursor { stream: now.stream ^ 1, seq: now.seq };
        assert!(bus.resume(company, Some(foreign)).missed.is_none(), "another process's cursor");
        let future = Cursor { seq: now.seq + 10, ..now };
        assert!(bus.resume(company, Some(future)).missed.is_none(), "a cursor from the future");
        for n in 0..(HISTORY_LEN + 5) {
            bus.publish(company, team((n % 200) as u8));
        }
        assert!(bus.resume(company, Some(now)).missed.is_none(), "more than the history holds");
        assert_eq!(Cursor::parse(&now.encode()), Some(now));
        assert_eq!(Cursor::parse("zz-1"), None);
    }

    #[test]
    fn idle_companies_are_dropped_only_when_their_history_is_gone() {
        let bus = EventBus::in_process();
        let company = Uuid::new_v4();
        let rx = bus.subscribe(company);
        drop(rx);
        bus.prune();
        assert_eq!(bus.active_companies(), 0, "no listener, no history");
        bus.publish(company, team(1));
        bus.prune();
        assert_eq!(bus.active_companies(), 1, "kept for a client that comes back");
    }
}
