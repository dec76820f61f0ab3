//! The per-company live event bus behind `GET /api/v1/ws`.
//!
//! Publishing goes through an [`EventTransport`]; subscribers always read from this process's
//! [`LocalFanout`]. Today the transport is in-process (one instance). To run several instances,
//! add a transport that broadcasts to the others (PostgreSQL `LISTEN/NOTIFY`, Redis or NATS
//! pub/sub) and, on receipt, calls [`LocalFanout::deliver`]; nothing else changes.

use std::sync::Arc;

use dashmap::DashMap;
use shared::ServerEvent;
use tokio::sync::broadcast;
use uuid::Uuid;

/// How many events a slow subscriber may fall behind before it is told it lagged.
const CHANNEL_CAPACITY: usize = 256;

/// Sends an event to every instance's local fan-out.
pub trait EventTransport: Send + Sync + 'static {
    fn publish(&self, company_id: Uuid, event: Arc<ServerEvent>);
}

/// Per-company broadcast channels of this process.
#[derive(Default)]
pub struct LocalFanout {
    channels: DashMap<Uuid, broadcast::Sender<Arc<ServerEvent>>>,
}

impl LocalFanout {
    pub fn subscribe(&self, company_id: Uuid) -> broadcast::Receiver<Arc<ServerEvent>> {
        self.channels
            .entry(company_id)
            .or_insert_with(|| broadcast::channel(CHANNEL_CAPACITY).0)
            .subscribe()
    }

    /// Hands an event to this process's subscribers of that company, if any.
    pub fn deliver(&self, company_id: Uuid, event: Arc<ServerEvent>) {
        let no_listeners = match self.channels.get(&company_id) {
            Some(sender) => sender.send(event).is_err(),
            None => return,
        };
        if no_listeners {
            // The last socket of this company closed: drop the channel so idle companies cost nothing.
            self.channels.remove_if(&company_id, |_, sender| sender.receiver_count() == 0);
        }
    }

    pub fn active_companies(&self) -> usize {
        self.channels.len()
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
}

impl EventBus {
    pub fn in_process() -> Self {
        let fanout = Arc::new(LocalFanout::default());
        let transport = Arc::new(InProcessTransport { fanout: fanout.clone() });
        EventBus { fanout, transport }
    }

    pub fn publish(&self, company_id: Uuid, event: ServerEvent) {
        metrics::counter!("master_ia_events_published_total").increment(1);
        self.transport.publish(company_id, Arc::new(event));
    }

    pub fn subscribe(&self, company_id: Uuid) -> broadcast::Receiver<Arc<ServerEvent>> {
        self.fanout.subscribe(company_id)
    }

    pub fn active_companies(&self) -> usize {
        self.fanout.active_companies()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn subscribers_only_see_their_company() {
        let bus = EventBus::in_process();
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let mut rx_a = bus.subscribe(a);
        let mut rx_b = bus.subscribe(b);
        bus.publish(a, ServerEvent::TeamChanged { by_user_id: None });
        assert_eq!(*rx_a.recv().await.unwrap(), ServerEvent::TeamChanged { by_user_id: None });
        assert!(matches!(rx_b.try_recv(), Err(broadcast::error::TryRecvError::Empty)));
    }

    #[tokio::test]
    async fn channels_of_companies_without_listeners_are_dropped() {
        let bus = EventBus::in_process();
        let company = Uuid::new_v4();
        let rx = bus.subscribe(company);
        assert_eq!(bus.active_companies(), 1);
        drop(rx);
        bus.publish(company, ServerEvent::Pong);
        assert_eq!(bus.active_companies(), 0);
    }
}
