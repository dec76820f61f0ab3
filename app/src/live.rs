//! The live connection: one WebSocket to `/api/v1/ws` while someone is logged in.
//!
//! Pages do not talk to the socket. They read per-topic version counters from [`Live`] and
//! refetch when a counter moves (the Team page on `team.changed`, the API keys page on
//! `api_keys.changed`, the Contacts page on `contacts.changed`, the contact settings page on
//! `contact_settings.changed`, the Connections page on `connections.changed`, a connection's
//! Templates page on `templates.changed`, the AI pages on `personas.changed` and
//! `knowledge.changed`, the Automations page on `automations.changed` and `automation.ran`).
//! A rule's execution log follows only its own rule's runs through [`Live::subscribe`].
//!
//! A knowledge base's page also follows each document's indexing progress as it comes
//! ([`Live::on_knowledge`]): those frames arrive every few chunks, so they do not move the
//! `knowledge` counter (lists would refetch for every one of them).
//!
//! Every event frame carries a `cursor`. After a dropped connection the socket reopens with
//! `?since=<last cursor>` and the server replays what was missed (`ready` says `resumed`), so
//! the screens simply receive the events late. When the server cannot (too long away, a
//! restart), every counter moves and the inbox refetches: nothing stays stale.
//!
//! The inbox needs every `message.*` and `conversation.updated` event, not only "something
//! changed": it [`Live::subscribe`]s a listener that is called synchronously for each event, so
//! two frames arriving in one tick are never collapsed into one (as a signal would do).

use std::sync::Arc;

use leptos::prelude::*;
use shared::{
    ai::{DocumentStatus, KnowledgeDocumentDto},
    ServerEvent,
};
use uuid::Uuid;

use crate::auth::Auth;

/// What the header's indicator shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveState {
    Connecting,
    Live,
    Offline,
}

impl LiveState {
    /// The `data-state` attribute value the end-to-end test waits for.
    pub fn as_str(self) -> &'static str {
        match self {
            LiveState::Connecting => "connecting",
            LiveState::Live => "live",
            LiveState::Offline => "offline",
        }
    }
}

/// The live connection's state and the events it delivered, shared through context.
#[derive(Clone, Copy)]
pub struct Live {
    state: RwSignal<LiveState>,
    last_event: RwSignal<Option<ServerEvent>>,
    team: RwSignal<u64>,
    api_keys: RwSignal<u64>,
    contacts: RwSignal<u64>,
    contact_settings: RwSignal<u64>,
    connections: RwSignal<u64>,
    templates: RwSignal<u64>,
    personas: RwSignal<u64>,
    knowledge: RwSignal<u64>,
    automations: RwSignal<u64>,
    /// Moves after a reconnect that could not replay the missed events: listeners refetch.
    resync: RwSignal<u64>,
    /// The `cursor` of the last event received, sent back as `?since=` on reconnect.
    cursor: StoredValue<Option<String>>,
    /// Whether a socket of this login was live before (the first `ready` needs no refetch).
    was_live: StoredValue<bool>,
    listeners: StoredValue<Vec<(u64, Listener)>>,
    next_listener: StoredValue<u64>,
    /// Cancels the running connection loop; `None` when stopped.
    task: StoredValue<Option<futures::future::AbortHandle>>,
}

impl Live {
    pub fn provide() -> Self {
        let live = Live {
            state: RwSignal::new(LiveState::Connecting),
            last_event: RwSignal::new(None),
            team: RwSignal::new(0),
            api_keys: RwSignal::new(0),
            contacts: RwSignal::new(0),
            contact_settings: RwSignal::new(0),
            connections: RwSignal::new(0),
            templates: RwSignal::new(0),
            personas: RwSignal::new(0),
            knowledge: RwSignal::new(0),
            automations: RwSignal::new(0),
            resync: RwSignal::new(0),
            cursor: StoredValue::new(None),
            was_live: StoredValue::new(false),
            listeners: StoredValue::new(Vec::new()),
            next_listener: StoredValue::new(0),
            task: StoredValue::new(None),
        };
        provide_context(live);
        live
    }

    /// Tracked read of the connection state.
    pub fn state(self) -> LiveState {
        self.state.get()
    }

    /// The most recent event, for pages that want to react to any of them.
    pub fn last_event(self) -> Option<ServerEvent> {
        self.last_event.get()
    }

    /// Moves on `team.changed` (and on reconnect).
    pub fn team_version(self) -> u64 {
        self.team.get()
    }

    /// Moves on `api_keys.changed` (and on reconnect).
    pub fn api_keys_version(self) -> u64 {
        self.api_keys.get()
    }

    /// Moves on `contacts.changed` (and on reconnect).
    pub fn contacts_version(self) -> u64 {
        self.contacts.get()
    }

    /// Moves on `contact_settings.changed`: custom fields or segments (and on reconnect).
    pub fn contact_settings_version(self) -> u64 {
        self.contact_settings.get()
    }

    /// Moves on `connections.changed` (and on reconnect).
    pub fn connections_version(self) -> u64 {
        self.connections.get()
    }

    /// Moves on `templates.changed` of any connection (and on reconnect).
    pub fn templates_version(self) -> u64 {
        self.templates.get()
    }

    /// Moves on `personas.changed` (and on reconnect).
    pub fn personas_version(self) -> u64 {
        self.personas.get()
    }

    /// Moves on `knowledge.changed` when a knowledge base changes or one of its documents is
    /// added, removed, queued, finished or failed (and on reconnect); not on the progress frames
    /// of a document still being indexed — follow those with [`Live::on_knowledge`].
    pub fn knowledge_version(self) -> u64 {
        self.knowledge.get()
    }

    /// Moves on `automations.changed` (rules or business hours) and on every `automation.ran`,
    /// whose run counts the rule list shows (and on reconnect).
    pub fn automations_version(self) -> u64 {
        self.automations.get()
    }

    /// Calls `listener` with every `knowledge.changed` from now on — the base's id and, when
    /// the event is about one document, that document as it is now (status, `chunks_done` of
    /// `chunks_total`, error) — until the current reactive owner is cleaned up.
    pub fn on_knowledge(
        self,
        listener: impl Fn(Uuid, Option<&KnowledgeDocumentDto>) + Send + Sync + 'static,
    ) {
        self.subscribe(move |event| {
            if let ServerEvent::KnowledgeChanged { knowledge_base_id, document } = event {
                listener(*knowledge_base_id, document.as_deref());
            }
        });
    }

    /// Moves after a reconnect: whoever follows single events through [`Live::subscribe`]
    /// missed some and refetches.
    pub fn resync_version(self) -> u64 {
        self.resync.get()
    }

    /// Calls `listener` with every event from now on, until the current reactive owner (the
    /// component that subscribed) is cleaned up.
    pub fn subscribe(self, listener: impl Fn(&ServerEvent) + Send + Sync + 'static) {
        let Some(id) = self.next_listener.try_update_value(|n| {
            *n += 1;
            *n
        }) else {
            return;
        };
        let listener: Listener = Arc::new(listener);
        self.listeners.update_value(|all| all.push((id, listener)));
        on_cleanup(move || {
            self.listeners.try_update_value(|all| all.retain(|(other, _)| *other != id));
        });
    }

    /// Opens the connection unless it is already running. Browser only. `auth` is asked to
    /// re-check the session when the socket cannot open (a revoked session is refused at the
    /// upgrade, and this is how another tab's logout or a password change is noticed).
    pub fn start(self, auth: Auth) {
        #[cfg(not(feature = "hydrate"))]
        let _ = auth;
        #[cfg(feature = "hydrate")]
        {
            if self.task.with_value(|task| task.is_some()) {
                return;
            }
            let (handle, registration) = futures::future::AbortHandle::new_pair();
            self.task.set_value(Some(handle));
            self.state.set(LiveState::Connecting);
            leptos::task::spawn_local(async move {
                let _ =
                    futures::future::Abortable::new(socket::run(self, auth), registration).await;
            });
        }
    }

    /// Closes the connection and stops reconnecting (logout, leaving the logged-in area).
    /// Dropping the aborted loop drops the socket, which closes it.
    pub fn stop(self) {
        if let Some(handle) = self.task.try_update_value(|task| task.take()).flatten() {
            handle.abort();
        }
        // The next login starts afresh: its screens load everything anyway.
        self.cursor.try_set_value(None);
        self.was_live.try_set_value(false);
        self.state.try_set(LiveState::Offline);
    }

    /// Applies one text frame. Frames that are not a known [`ServerEvent`] (a type added by a
    /// newer server, or garbage) are ignored.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn dispatch(self, text: &str) {
        let Ok(mut frame) = serde_json::from_str::<serde_json::Value>(text) else {
            return;
        };
        let cursor = frame
            .as_object_mut()
            .and_then(|fields| fields.remove("cursor"))
            .and_then(|cursor| cursor.as_str().map(str::to_owned));
        let Ok(event) = serde_json::from_value::<ServerEvent>(frame) else {
            return;
        };
        if cursor.is_some() {
            self.cursor.set_value(cursor);
        }
        match &event {
            ServerEvent::Ready { resumed, .. } => {
                self.state.set(LiveState::Live);
                // Back after a gap the server could not replay: everything refetches.
                if self.was_live.get_value() && !resumed {
                    self.bump_all();
                }
                self.was_live.set_value(true);
            }
            ServerEvent::TeamChanged { .. } => self.team.update(|v| *v += 1),
            ServerEvent::ApiKeysChanged { .. } => self.api_keys.update(|v| *v += 1),
            ServerEvent::ContactsChanged { .. } => self.contacts.update(|v| *v += 1),
            ServerEvent::ContactSettingsChanged { .. } => self.contact_settings.update(|v| *v += 1),
            ServerEvent::ConnectionsChanged { .. } => self.connections.update(|v| *v += 1),
            ServerEvent::TemplatesChanged { .. } => self.templates.update(|v| *v += 1),
            ServerEvent::PersonasChanged { .. } => self.personas.update(|v| *v += 1),
            ServerEvent::KnowledgeChanged { document, .. } if !is_progress(document.as_deref()) => {
                self.knowledge.update(|v| *v += 1)
            }
            ServerEvent::AutomationsChanged { .. } | ServerEvent::AutomationRan { .. } => {
                self.automations.update(|v| *v += 1)
            }
            _ => {}
        }
        // Copied out first: a listener may subscribe or unsubscribe while it runs.
        let listeners: Vec<Listener> = self
            .listeners
            .with_value(|all| all.iter().map(|(_, listener)| Arc::clone(listener)).collect());
        for listener in listeners {
            listener(&event);
        }
        self.last_event.set(Some(event));
    }

    /// After a gap that was not replayed: whatever happened meanwhile was missed, so every
    /// topic refetches.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn bump_all(self) {
        self.team.update(|v| *v += 1);
        self.api_keys.update(|v| *v += 1);
        self.contacts.update(|v| *v += 1);
        self.contact_settings.update(|v| *v += 1);
        self.connections.update(|v| *v += 1);
        self.templates.update(|v| *v += 1);
        self.personas.update(|v| *v += 1);
        self.knowledge.update(|v| *v += 1);
        self.automations.update(|v| *v += 1);
        self.resync.update(|v| *v += 1);
    }
}

/// Whether a `knowledge.changed` only reports a document's progress through indexing (no
/// count a list shows changes until it finishes).
fn is_progress(document: Option<&KnowledgeDocumentDto>) -> bool {
    document.is_some_and(|d| d.status == DocumentStatus::Indexing && d.chunks_done > 0)
}

/// A [`Live::subscribe`] callback.
type Listener = Arc<dyn Fn(&ServerEvent) + Send + Sync>;

pub fn use_live() -> Live {
    expect_context::<Live>()
}

/// Milliseconds to wait before reconnect attempt `attempt` (0-based): 1 s doubling up to 30 s,
/// then spread by ±20 % (`jitter` in `[0, 1)`) so many tabs do not reconnect in lockstep.
pub fn backoff_ms(attempt: u32, jitter: f64) -> u32 {
    let base = 1_000u64.saturating_mul(1u64 << attempt.min(5)).min(30_000) as f64;
    (base * (0.8 + 0.4 * jitter.clamp(0.0, 1.0))) as u32
}

#[cfg(feature = "hydrate")]
mod socket {
    use futures::{future::Either, SinkExt, StreamExt};
    use gloo_net::websocket::{futures::WebSocket, Message};
    use gloo_timers::future::{IntervalStream, TimeoutFuture};
    use leptos::prelude::{GetValue, Set};
    use shared::ClientMessage;

    use super::{backoff_ms, Live, LiveState};
    use crate::auth::Auth;

    const PING_EVERY_MS: u32 = 25_000;
    /// Without any frame for this long (pongs included) the connection is presumed dead.
    const SILENCE_LIMIT_MS: f64 = 65_000.0;
    const OPEN_TIMEOUT_MS: u32 = 15_000;

    /// Connects, and reconnects with backoff, until aborted by [`Live::stop`].
    pub async fn run(live: Live, auth: Auth) {
        let mut attempt = 0u32;
        loop {
            live.state.set(LiveState::Connecting);
            if session(live).await {
                attempt = 0;
            } else {
                // Refused or unreachable: if the session ended, this ends it here too (and the
                // layout stops this loop); if the server is down, nothing changes.
                auth.refresh().await;
            }
            live.state.set(LiveState::Offline);
            TimeoutFuture::new(backoff_ms(attempt, js_sys::Math::random())).await;
            attempt = attempt.saturating_add(1);
        }
    }

    fn url(since: Option<String>) -> Option<String> {
        let location = web_sys::window()?.location();
        let scheme = if location.protocol().ok()? == "https:" { "wss" } else { "ws" };
        let base = format!("{scheme}://{}{}/ws", location.host().ok()?, crate::api::API_BASE);
        Some(match since {
            Some(cursor) => format!("{base}?since={}", crate::api::encode_query(&cursor)),
            None => base,
        })
    }

    fn ping() -> Message {
        Message::Text(serde_json::to_string(&ClientMessage::Ping).unwrap_or_default())
    }

    enum Input {
        Frame(Option<Result<Message, gloo_net::websocket::WebSocketError>>),
        Tick,
    }

    /// One connection, from open to close. Returns whether it ever became live: whether the
    /// server's first frame (`ready`) arrived. A refused upgrade (a session that ended) can look
    /// "open" for an instant in the browser, so sending succeeding proves nothing.
    async fn session(live: Live) -> bool {
        let Some(url) = url(live.cursor.get_value()) else { return false };
        let Ok(socket) = WebSocket::open(&url) else { return false };
        let (mut sink, stream) = socket.split();

        // The sink only accepts a frame once the socket is open, so the first ping doubles as
        // the "opened" signal.
        let opened = match futures::future::select(
            Box::pin(sink.send(ping())),
            TimeoutFuture::new(OPEN_TIMEOUT_MS),
        )
        .await
        {
            Either::Left((sent, _)) => sent.is_ok(),
            Either::Right(_) => false,
        };
        if !opened {
            return false;
        }
        // Live once the server's `ready` arrives (it says whether missed events follow).

        let frames = stream
            .map(|frame| Input::Frame(Some(frame)))
            .chain(futures::stream::once(async { Input::Frame(None) }));
        let ticks = IntervalStream::new(PING_EVERY_MS).map(|_| Input::Tick);
        let mut inputs = Box::pin(futures::stream::select(frames, ticks));
        let mut last_frame_at = js_sys::Date::now();
        let mut became_live = false;
        while let Some(input) = inputs.next().await {
            match input {
                Input::Frame(Some(Ok(Message::Text(text)))) => {
                    last_frame_at = js_sys::Date::now();
                    became_live = true;
                    live.dispatch(&text);
                }
                Input::Frame(Some(Ok(Message::Bytes(_)))) => last_frame_at = js_sys::Date::now(),
                Input::Frame(Some(Err(_)) | None) => break,
                Input::Tick => {
                    if js_sys::Date::now() - last_frame_at > SILENCE_LIMIT_MS {
                        break;
                    }
                    if sink.send(ping()).await.is_err() {
                        break;
                    }
                }
            }
        }
        became_live
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_mid_indexing_progress_leaves_the_knowledge_counter_alone() {
        let at = chrono::Utc::now();
        let doc = |status, chunks_done| KnowledgeDocumentDto {
            id: Uuid::nil(),
            knowledge_base_id: Uuid::nil(),
            title: "FAQ".into(),
            kind: shared::ai::DocumentKind::Faq,
            filename: None,
            bytes: 10,
            status,
            chunks_total: 4,
            chunks_done,
            error: None,
            created_at: at,
            updated_at: at,
        };
        assert!(is_progress(Some(&doc(DocumentStatus::Indexing, 2))));
        assert!(!is_progress(Some(&doc(DocumentStatus::Indexing, 0))), "it started");
        assert!(!is_progress(Some(&doc(DocumentStatus::Ready, 4))));
        assert!(!is_progress(Some(&doc(DocumentStatus::Failed, 1))));
        assert!(!is_progress(None), "the base itself changed");
    }

    #[test]
    fn backoff_doubles_from_one_second_to_thirty() {
        let middle = |attempt| backoff_ms(attempt, 0.5);
        assert_eq!(middle(0), 1_000);
        assert_eq!(middle(1), 2_000);
        assert_eq!(middle(4), 16_000);
        assert_eq!(middle(5), 30_000);
        assert_eq!(middle(40), 30_000);
        assert!(backoff_ms(0, 0.0) >= 800 && backoff_ms(0, 0.999) <= 1_200);
    }
}
