//! `/inbox`: the shared inbox, live and (in this release) read-only.
//!
//! Two panes: the conversation list (status tabs, most recent first, more pages as it scrolls)
//! and the thread of the conversation named by `?c=<id>`, so reloads and links land on it. On a
//! phone only one pane shows at a time, with a back link from the thread.
//!
//! Both panes keep their rows in signals and follow single live events through
//! [`crate::live::Live::subscribe`]: `message.created` appends to the open thread (deduplicated
//! by id, since our own fetch may already hold it), `message.updated` replaces a message in place
//! (ticks, edits, deletions), and `conversation.updated` moves its row to where its last activity
//! puts it, or inserts it. After a reconnect both panes refetch, since events were missed.

mod actions;
mod composer;
pub(crate) mod format;
mod list;
mod thread;

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use shared::{
    ai::PersonaDto,
    api::{ConversationDto, MemberDto, MessageDto, Page},
    i18n::Key,
    ServerEvent,
};
use uuid::Uuid;

use crate::api::{encode_query, use_api, Api};
use crate::auth::use_auth;
use crate::components::feedback::set_if_changed;
use crate::components::layout::PageTitle;
use crate::components::toast::Toasts;
use crate::live::{use_live, Live};

use list::ConversationPane;
use thread::ThreadPane;

/// Conversations asked per page.
const PAGE_SIZE: usize = 30;
/// Messages asked per page of a thread.
const THREAD_PAGE: usize = 50;

/// The status tabs above the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Open,
    Pending,
    Snoozed,
    Resolved,
    All,
}

impl Tab {
    const ALL: [Tab; 5] = [Tab::Open, Tab::Pending, Tab::Snoozed, Tab::Resolved, Tab::All];

    fn status(self) -> Option<&'static str> {
        match self {
            Tab::Open => Some("open"),
            Tab::Pending => Some("pending"),
            Tab::Snoozed => Some("snoozed"),
            Tab::Resolved => Some("resolved"),
            Tab::All => None,
        }
    }

    fn key(self) -> Key {
        match self {
            Tab::Open => Key::TabOpen,
            Tab::Pending => Key::TabPending,
            Tab::Snoozed => Key::TabSnoozed,
            Tab::Resolved => Key::TabResolved,
            Tab::All => Key::TabAll,
        }
    }

    fn as_str(self) -> &'static str {
        self.status().unwrap_or("all")
    }
}

/// Whose conversations: the agent's own, nobody's yet, or everyone's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Mine,
    /// The team's queue: nobody has it and no AI persona is answering.
    Unassigned,
    /// An AI persona is answering.
    Ai,
    All,
}

impl Scope {
    const ALL: [Scope; 4] = [Scope::Mine, Scope::Unassigned, Scope::Ai, Scope::All];

    fn key(self) -> Key {
        match self {
            Scope::Mine => Key::ScopeMine,
            Scope::Unassigned => Key::ScopeUnassigned,
            Scope::Ai => Key::ScopeAi,
            Scope::All => Key::ScopeAll,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Scope::Mine => "mine",
            Scope::Unassigned => "unassigned",
            Scope::Ai => "ai",
            Scope::All => "all",
        }
    }
}

/// What the list shows: a status tab, a scope, words searched for, a label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub tab: Tab,
    pub scope: Scope,
    pub q: String,
    pub label: Option<String>,
}

impl Default for Filter {
    fn default() -> Self {
        Filter { tab: Tab::Open, scope: Scope::All, q: String::new(), label: None }
    }
}

impl Filter {
    /// Whether a changed conversation belongs in this list. A search is decided by the server
    /// (it reads message text), so while searching only rows already listed are updated.
    fn shows(&self, conversation: &ConversationDto, me: Option<Uuid>, listed: bool) -> bool {
        let status = self.tab.status().is_none_or(|wanted| wanted == conversation.status);
        let scope = match self.scope {
            Scope::Mine => me.is_some() && conversation.assignee_id == me,
            Scope::Unassigned => {
                conversation.assignee_id.is_none() && conversation.persona_id.is_none()
            }
            Scope::Ai => conversation.persona_id.is_some(),
            Scope::All => true,
        };
        let label = self.label.as_ref().is_none_or(|label| conversation.labels.contains(label));
        let search = self.q.trim().is_empty() || listed;
        status && scope && label && search
    }

    fn path(&self, cursor: Option<&str>) -> String {
        let mut path = format!("/conversations?limit={PAGE_SIZE}");
        if let Some(status) = self.tab.status() {
            path.push_str(&format!("&status={status}"));
        }
        match self.scope {
            Scope::Mine => path.push_str("&assignee=me"),
            Scope::Unassigned => path.push_str("&assignee=unassigned"),
            Scope::Ai => path.push_str("&assignee=ai"),
            Scope::All => {}
        }
        if !self.q.trim().is_empty() {
            path.push_str(&format!("&q={}", encode_query(self.q.trim())));
        }
        if let Some(label) = &self.label {
            path.push_str(&format!("&label={}", encode_query(label)));
        }
        if let Some(cursor) = cursor {
            path.push_str(&format!("&cursor={}", encode_query(cursor)));
        }
        path
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadState {
    Loading,
    Ready,
    Failed(Key),
}

/// A conversation change received while the list was loading, with who was looking.
type Arrived = (ConversationDto, Option<Uuid>);

/// The conversation list.
#[derive(Clone, Copy)]
pub struct Conversations {
    pub rows: RwSignal<Vec<ConversationDto>>,
    pub next_cursor: RwSignal<Option<String>>,
    pub state: RwSignal<LoadState>,
    pub loading_more: RwSignal<bool>,
    /// The filter the rows on screen answer (or are being loaded for).
    pub filter: RwSignal<Filter>,
    ticket: StoredValue<u64>,
    /// Changes that arrived while a page was loading: the page may predate them, so they are
    /// applied again on top of it.
    during_load: StoredValue<Option<Vec<Arrived>>>,
}

impl Conversations {
    fn new() -> Self {
        Conversations {
            rows: RwSignal::new(Vec::new()),
            next_cursor: RwSignal::new(None),
            state: RwSignal::new(LoadState::Loading),
            loading_more: RwSignal::new(false),
            filter: RwSignal::new(Filter::default()),
            ticket: StoredValue::new(0),
            during_load: StoredValue::new(None),
        }
    }

    /// The first page of `filter`.
    pub fn load(self, api: Api, filter: Filter) {
        let Some(ticket) = self.ticket.try_update_value(|n| {
            *n += 1;
            *n
        }) else {
            return;
        };
        if self.filter.with_untracked(|current| *current != filter)
            || matches!(self.state.get_untracked(), LoadState::Failed(_))
        {
            self.state.set(LoadState::Loading);
        }
        // Live changes from now on are judged by the new filter, and kept to replay.
        set_if_changed(self.filter, filter.clone());
        self.during_load.set_value(Some(Vec::new()));
        leptos::task::spawn_local(async move {
            let result = api.get::<Page<ConversationDto>>(&filter.path(None)).await;
            if self.ticket.try_get_value() != Some(ticket) {
                return;
            }
            let arrived = self.during_load.try_update_value(Option::take).flatten();
            match result {
                Ok(page) => {
                    self.rows.try_set(page.items);
                    self.next_cursor.try_set(page.next_cursor);
                    set_if_changed(self.state, LoadState::Ready);
                    for (conversation, me) in arrived.unwrap_or_default() {
                        self.apply(conversation, me);
                    }
                }
                Err(failure) => {
                    set_if_changed(self.state, LoadState::Failed(failure.key()));
                }
            }
        });
    }

    /// Appends the next page (infinite scroll).
    pub fn load_more(self, api: Api, toasts: Toasts) {
        let Some(cursor) = self.next_cursor.get_untracked() else { return };
        if self.loading_more.get_untracked() {
            return;
        }
        let ticket = self.ticket.get_value();
        let filter = self.filter.get_untracked();
        self.loading_more.set(true);
        leptos::task::spawn_local(async move {
            let result = api.get::<Page<ConversationDto>>(&filter.path(Some(&cursor))).await;
            self.loading_more.try_set(false);
            if self.ticket.try_get_value() != Some(ticket) {
                return;
            }
            match result {
                Ok(page) => {
                    self.rows.try_update(|rows| {
                        for conversation in page.items {
                            if !rows.iter().any(|row| row.id == conversation.id) {
                                rows.push(conversation);
                            }
                        }
                    });
                    self.next_cursor.try_set(page.next_cursor);
                }
                Err(failure) => toasts.error(failure.key()),
            }
        });
    }

    /// A conversation changed: it leaves the list when it no longer fits the tab, otherwise it
    /// takes the place its last activity gives it. One older than every loaded row while more
    /// pages remain is left for "load more" to bring, so the order never has gaps.
    pub fn apply(self, conversation: ConversationDto, me: Option<Uuid>) {
        self.during_load.update_value(|arrived| {
            if let Some(arrived) = arrived {
                arrived.push((conversation.clone(), me));
            }
        });
        let more = self.next_cursor.with_untracked(Option::is_some);
        self.rows.update(|rows| {
            let listed = rows.iter().any(|row| row.id == conversation.id);
            rows.retain(|row| row.id != conversation.id);
            if !self.filter.with_untracked(|filter| filter.shows(&conversation, me, listed)) {
                return;
            }
            // Among equal times (Meta's timestamps are whole seconds) the one that just changed
            // goes first: it is the latest news.
            let at = rows.partition_point(|row| row.last_message_at > conversation.last_message_at);
            if at == rows.len() && more {
                return;
            }
            rows.insert(at, conversation);
        });
    }
}

/// The open thread.
#[derive(Clone, Copy)]
pub struct Thread {
    /// The conversation the rest answers (`None`: nothing selected).
    pub id: RwSignal<Option<Uuid>>,
    pub conversation: RwSignal<Option<ConversationDto>>,
    pub messages: RwSignal<Vec<MessageDto>>,
    /// Reaches older messages.
    pub older: RwSignal<Option<String>>,
    pub state: RwSignal<LoadState>,
    pub loading_older: RwSignal<bool>,
    /// Moves when a message was added at the end (the pane then scrolls down if it was there).
    pub appended: RwSignal<u64>,
    /// Moves when older messages were added at the top.
    pub prepended: RwSignal<u64>,
    ticket: StoredValue<u64>,
}

impl Thread {
    fn new() -> Self {
        Thread {
            id: RwSignal::new(None),
            conversation: RwSignal::new(None),
            messages: RwSignal::new(Vec::new()),
            older: RwSignal::new(None),
            state: RwSignal::new(LoadState::Loading),
            loading_older: RwSignal::new(false),
            appended: RwSignal::new(0),
            prepended: RwSignal::new(0),
            ticket: StoredValue::new(0),
        }
    }

    /// Shows conversation `id` (or nothing), fetching it and its newest messages.
    fn open(self, api: Api, id: Option<Uuid>, known: Option<ConversationDto>) {
        let Some(ticket) = self.ticket.try_update_value(|n| {
            *n += 1;
            *n
        }) else {
            return;
        };
        let same = self.id.get_untracked() == id;
        self.id.set(id);
        let Some(id) = id else {
            self.conversation.set(None);
            self.messages.set(Vec::new());
            return;
        };
        if !same {
            // What the list already knows shows at once; the fetch completes it.
            self.conversation.set(known);
            self.messages.set(Vec::new());
            self.older.set(None);
            self.state.set(LoadState::Loading);
        }
        leptos::task::spawn_local(async move {
            let conversation_path = format!("/conversations/{id}");
            let messages_path = format!("/conversations/{id}/messages?limit={THREAD_PAGE}");
            let (conversation, page) = futures::join!(
                api.get::<ConversationDto>(&conversation_path),
                api.get::<Page<MessageDto>>(&messages_path),
            );
            if self.ticket.try_get_value() != Some(ticket) {
                return;
            }
            match (conversation, page) {
                (Ok(conversation), Ok(page)) => {
                    self.conversation.try_set(Some(conversation));
                    // Live events that arrived during the fetch are kept.
                    self.messages.try_update(|messages| {
                        let live: Vec<MessageDto> = std::mem::take(messages)
                            .into_iter()
                            .filter(|m| !page.items.iter().any(|p| p.id == m.id))
                            .collect();
                        *messages = page.items;
                        messages.extend(live);
                        messages.sort_by_key(|m| m.created_at);
                    });
                    self.older.try_set(page.next_cursor);
                    set_if_changed(self.state, LoadState::Ready);
                    self.appended.try_update(|n| *n += 1);
                    self.mark_read(api);
                }
                (Err(failure), _) | (_, Err(failure)) => {
                    set_if_changed(self.state, LoadState::Failed(failure.key()));
                }
            }
        });
    }

    /// Prepends the page before the oldest message shown.
    pub fn load_older(self, api: Api, toasts: Toasts) {
        let (Some(id), Some(cursor)) = (self.id.get_untracked(), self.older.get_untracked()) else {
            return;
        };
        if self.loading_older.get_untracked() {
            return;
        }
        let ticket = self.ticket.get_value();
        self.loading_older.set(true);
        leptos::task::spawn_local(async move {
            let result = api
                .get::<Page<MessageDto>>(&format!(
                    "/conversations/{id}/messages?limit={THREAD_PAGE}&cursor={}",
                    encode_query(&cursor)
                ))
                .await;
            self.loading_older.try_set(false);
            if self.ticket.try_get_value() != Some(ticket) {
                return;
            }
            match result {
                Ok(page) => {
                    self.messages.try_update(|messages| {
                        let mut older: Vec<MessageDto> = page
                            .items
                            .into_iter()
                            .filter(|m| !messages.iter().any(|shown| shown.id == m.id))
                            .collect();
                        older.append(messages);
                        *messages = older;
                    });
                    self.older.try_set(page.next_cursor);
                    self.prepended.try_update(|n| *n += 1);
                }
                Err(failure) => toasts.error(failure.key()),
            }
        });
    }

    /// The agent has the conversation open: its unread count goes to zero here and for the
    /// team, and the customer sees blue ticks. Nothing to do (and no request) when all is read.
    fn mark_read(self, api: Api) {
        let Some(conversation) = self.conversation.get_untracked() else {
            return;
        };
        if conversation.unread_count == 0 || !page_visible() {
            return;
        }
        leptos::task::spawn_local(async move {
            // The server answers `conversation.updated` with the new count; a failure leaves the
            // count as it was and the next message or visit tries again.
            let _ = api.post_empty::<()>(&format!("/conversations/{}/read", conversation.id)).await;
        });
    }

    /// Shows what the server answered to a change made in this tab.
    pub fn show_conversation(self, conversation: ConversationDto) {
        if self.id.get_untracked() == Some(conversation.id) {
            self.conversation.set(Some(conversation));
        }
    }

    /// Shows a message this tab just sent, without waiting for its live event.
    pub fn show_sent(self, message: MessageDto) {
        self.apply_message(message);
    }

    /// A message was created or changed somewhere in the company.
    fn apply_message(self, message: MessageDto) {
        if self.id.get_untracked() != Some(message.conversation_id) {
            return;
        }
        let mut added = false;
        self.messages.update(|messages| {
            if let Some(shown) = messages.iter_mut().find(|m| m.id == message.id) {
                *shown = message;
                return;
            }
            added = true;
            let at = messages.partition_point(|m| m.created_at <= message.created_at);
            messages.insert(at, message);
        });
        if added {
            self.appended.update(|n| *n += 1);
        }
    }

    /// A change of the open conversation; a message that arrived while it is open (unread
    /// above zero) is read at once.
    fn apply_conversation(self, api: Api, conversation: &ConversationDto) {
        if self.id.get_untracked() == Some(conversation.id) {
            self.conversation.set(Some(conversation.clone()));
            if self.state.get_untracked() == LoadState::Ready {
                self.mark_read(api);
            }
        }
    }
}

/// Whether the tab is in front: a message is not "read" while the agent looks elsewhere.
fn page_visible() -> bool {
    #[cfg(feature = "hydrate")]
    {
        !leptos::prelude::document().hidden()
    }
    #[cfg(not(feature = "hydrate"))]
    false
}

/// Who can have a conversation: the company's members (names of assignees and note authors,
/// the assign menu) and its AI personas.
#[derive(Clone, Copy)]
pub struct Members {
    pub list: RwSignal<Vec<MemberDto>>,
    pub personas: RwSignal<Vec<PersonaDto>>,
}

impl Members {
    /// Loads the members and personas now and again whenever they change.
    fn load(api: Api, live: Live) -> Self {
        let members =
            Members { list: RwSignal::new(Vec::new()), personas: RwSignal::new(Vec::new()) };
        Effect::new(move |_| {
            live.team_version();
            leptos::task::spawn_local(async move {
                if let Ok(page) = api.get::<Page<MemberDto>>("/members?limit=100").await {
                    members.list.try_set(page.items);
                }
            });
        });
        Effect::new(move |_| {
            live.personas_version();
            leptos::task::spawn_local(async move {
                if let Ok(list) = api.get::<Vec<PersonaDto>>("/personas").await {
                    members.personas.try_set(list);
                }
            });
        });
        members
    }

    /// A member's name, tracked; `None` while unknown.
    pub fn name(self, user_id: Uuid) -> Option<String> {
        self.list.with(|list| list.iter().find(|m| m.user_id == user_id).map(|m| m.name.clone()))
    }

    /// A persona's name, tracked; `None` while unknown.
    pub fn persona_name(self, persona_id: Uuid) -> Option<String> {
        self.personas.with(|list| list.iter().find(|p| p.id == persona_id).map(|p| p.name.clone()))
    }
}

/// The current time, moving every 30 s so relative times and the 24-hour window stay true.
fn ticking_now() -> RwSignal<DateTime<Utc>> {
    let now = RwSignal::new(Utc::now());
    #[cfg(feature = "hydrate")]
    leptos::task::spawn_local(async move {
        loop {
            gloo_timers::future::TimeoutFuture::new(30_000).await;
            // Stops once the page is gone and the signal with it.
            if now.try_set(Utc::now()).is_some() {
                break;
            }
        }
    });
    now
}

#[component]
pub fn InboxPage() -> impl IntoView {
    let api = use_api();
    let live = use_live();
    let query = use_query_map();
    let auth = use_auth();
    let conversations = Conversations::new();
    let thread = Thread::new();
    let filter = RwSignal::new(Filter::default());
    let members = Members::load(api, live);
    let me = Signal::derive(move || auth.session().map(|s| s.user.id));
    let now = ticking_now();
    let selected =
        Memo::new(move |_| query.with(|q| q.get("c").and_then(|raw| raw.parse::<Uuid>().ok())));

    live.subscribe(move |event| match event {
        ServerEvent::MessageCreated { message } | ServerEvent::MessageUpdated { message } => {
            thread.apply_message(message.as_ref().clone());
        }
        ServerEvent::ConversationUpdated { conversation } => {
            thread.apply_conversation(api, conversation);
            conversations.apply(conversation.as_ref().clone(), me.get_untracked());
        }
        _ => {}
    });

    // The list: on the first render, when the filter changes, and after a reconnect.
    Effect::new(move |_| {
        live.resync_version();
        conversations.load(api, filter.get());
    });
    // The thread: when the selection changes, and after a reconnect.
    Effect::new(move |_| {
        live.resync_version();
        let id = selected.get();
        let known = id.and_then(|id| {
            conversations.rows.with_untracked(|rows| rows.iter().find(|c| c.id == id).cloned())
        });
        thread.open(api, id, known);
    });

    let has_selection = move || selected.get().is_some();
    view! {
        <PageTitle key=Key::NavInbox/>
        <div
            class="card flex h-[calc(100dvh-6.5rem)] min-h-[26rem] overflow-hidden lg:h-[calc(100dvh-8.5rem)]"
            data-testid="inbox"
        >
            <div class=move || {
                if has_selection() {
                    "hidden w-full min-w-0 shrink-0 flex-col border-r border-slate-200 md:flex md:w-80 lg:w-96"
                } else {
                    "flex w-full min-w-0 shrink-0 flex-col border-r border-slate-200 md:w-80 lg:w-96"
                }
            }>
                <ConversationPane conversations filter selected now/>
            </div>
            <div class=move || {
                if has_selection() { "flex min-w-0 flex-1 flex-col" } else { "hidden min-w-0 flex-1 flex-col md:flex" }
            }>
                <ThreadPane thread now members me/>
            </div>
        </div>
    }
    .into_any()
}
