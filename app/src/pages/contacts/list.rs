//! `/contacts`: the company's contacts, searchable and filterable by tag and segment, sortable,
//! with bulk actions on a selection and a drawer to create, edit, delete or erase one.
//!
//! The rows live in signals rather than a resource because "Load more" appends pages to them.
//! Every first-page fetch takes a ticket, and an answer whose ticket is no longer the latest (the
//! person typed on, or another refresh started) is dropped. Everyone in the company may change
//! contacts, so there is no role check here; the list refetches after our own changes and on every
//! `contacts.changed` live event, re-asking as many rows as are on screen so "Load more" is not
//! undone by a colleague's edit.

use std::{collections::HashSet, time::Duration};

use leptos::{ev::SubmitEvent, html, prelude::*};
use leptos_router::hooks::use_query_map;
use serde::de::IgnoredAny;
use serde_json::{Map, Value};
use shared::{
    api::{
        BulkAction, BulkContactsRequest, BulkResult, ContactDto, ContactFieldDto, ContactSelection,
        CreateContactRequest, FieldKind, Page, SegmentDto, UpdateContactRequest,
    },
    i18n::Key,
    ErrorCode,
};
use uuid::Uuid;

use super::conversations::ContactConversations;
use crate::api::{encode_query, use_api, Api, ApiFailure};
use crate::auth::use_auth;
use crate::components::feedback::{ConfirmInline, ListError, ListLoading};
use crate::components::form::{
    looks_like_email, value_of, FormError, FormErrors, SubmitButton, TextField,
};
use crate::components::icons::{Icon, IconName};
use crate::components::layout::PageTitle;
use crate::components::toast::{use_toasts, Toasts};
use crate::hydration::use_hydrated;
use crate::i18n::{fill, t, use_i18n};
use crate::live::use_live;
use crate::pages::format_date;

/// Rows asked per page.
const PAGE_SIZE: usize = 50;
/// The server's largest page: a refresh re-asks every loaded row, up to this many.
const MAX_PAGE: usize = 200;
/// How long typing must pause before the list is asked again.
const DEBOUNCE: Duration = Duration::from_millis(300);

/// What the list shows: the settled search text, tag, segment and order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Filters {
    q: String,
    tag: String,
    /// A segment id, or empty.
    segment: String,
    /// `newest` (empty), `oldest` or `name`.
    sort: String,
}

impl Filters {
    /// Whether anything narrows the list (the order does not).
    fn is_empty(&self) -> bool {
        self.q.is_empty() && self.tag.is_empty() && self.segment.is_empty()
    }

    /// The query string of these filters: `q=..&tag=..` (no leading `?` or `&`).
    fn query(&self) -> String {
        [
            ("q", self.q.as_str()),
            ("tag", self.tag.as_str()),
            ("segment_id", self.segment.as_str()),
            ("sort", self.sort.as_str()),
        ]
        .into_iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(name, value)| format!("{name}={}", encode_query(value)))
        .collect::<Vec<_>>()
        .join("&")
    }

    /// The list request for these filters.
    fn path(&self, limit: usize, cursor: Option<&str>) -> String {
        let mut path = format!("/contacts?limit={limit}");
        let query = self.query();
        if !query.is_empty() {
            path.push('&');
            path.push_str(&query);
        }
        if let Some(cursor) = cursor.filter(|c| !c.is_empty()) {
            path.push_str(&format!("&cursor={}", encode_query(cursor)));
        }
        path
    }

    /// The CSV export of the same filters (a plain link: the session cookie authenticates it).
    fn export_href(&self) -> String {
        let query = self.query();
        if query.is_empty() {
            "/api/v1/contacts/export".to_owned()
        } else {
            format!("/api/v1/contacts/export?{query}")
        }
    }
}

/// A text box whose value settles once the person stops typing for [`DEBOUNCE`].
#[derive(Clone, Copy)]
struct Debounced {
    typed: RwSignal<String>,
    settled: RwSignal<String>,
    ticket: StoredValue<u64>,
}

impl Debounced {
    fn new() -> Self {
        Debounced {
            typed: RwSignal::new(String::new()),
            settled: RwSignal::new(String::new()),
            ticket: StoredValue::new(0),
        }
    }

    /// A keystroke: settles later unless another one follows.
    fn input(self, value: String) {
        self.typed.set(value);
        let Some(ticket) = self.ticket.try_update_value(|n| {
            *n += 1;
            *n
        }) else {
            return;
        };
        set_timeout(
            move || {
                if self.ticket.try_get_value() == Some(ticket) {
                    self.settle();
                }
            },
            DEBOUNCE,
        );
    }

    /// A value chosen at once (a tag chip, "clear filters").
    fn set_now(self, value: String) {
        self.ticket.update_value(|n| *n += 1);
        self.typed.set(value);
        self.settle();
    }

    fn settle(self) {
        let Some(value) = self.typed.try_get_untracked() else { return };
        let value = value.trim().to_owned();
        // Only a real change asks the server again (a trailing space does not).
        if self.settled.try_get_untracked().is_some_and(|settled| settled != value) {
            self.settled.set(value);
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum ListState {
    /// Nothing loaded yet.
    Loading,
    Ready,
    Failed(Key),
}

/// The rows on screen and how they got there.
#[derive(Clone, Copy)]
struct ContactList {
    rows: RwSignal<Vec<ContactDto>>,
    next_cursor: RwSignal<Option<String>>,
    state: RwSignal<ListState>,
    /// The filters the rows on screen answer.
    shown: RwSignal<Filters>,
    /// A first-page request is running; the older rows stay visible meanwhile.
    refreshing: RwSignal<bool>,
    loading_more: RwSignal<bool>,
    ticket: StoredValue<u64>,
}

impl ContactList {
    fn new() -> Self {
        ContactList {
            rows: RwSignal::new(Vec::new()),
            next_cursor: RwSignal::new(None),
            state: RwSignal::new(ListState::Loading),
            shown: RwSignal::new(Filters::default()),
            refreshing: RwSignal::new(false),
            loading_more: RwSignal::new(false),
            ticket: StoredValue::new(0),
        }
    }

    /// Asks for the first page of `filters`. For the filters already on screen (a refresh) it
    /// asks for as many rows as are loaded.
    fn load(self, api: Api, filters: Filters) {
        let limit = if self.shown.get_untracked() == filters {
            self.rows.with_untracked(Vec::len).clamp(PAGE_SIZE, MAX_PAGE)
        } else {
            PAGE_SIZE
        };
        let Some(ticket) = self.ticket.try_update_value(|n| {
            *n += 1;
            *n
        }) else {
            return;
        };
        self.refreshing.set(true);
        // "Try again" after a failure shows the loading line rather than the old error.
        if matches!(self.state.get_untracked(), ListState::Failed(_)) {
            self.state.set(ListState::Loading);
        }
        leptos::task::spawn_local(async move {
            let result = api.get::<Page<ContactDto>>(&filters.path(limit, None)).await;
            if self.ticket.try_get_value() != Some(ticket) {
                return;
            }
            self.refreshing.try_set(false);
            match result {
                Ok(page) => {
                    self.rows.try_set(page.items);
                    self.next_cursor.try_set(page.next_cursor);
                    self.shown.try_set(filters);
                    self.state.try_set(ListState::Ready);
                }
                Err(failure) => {
                    self.state.try_set(ListState::Failed(failure.key()));
                }
            }
        });
    }

    /// Appends the next page of the filters on screen.
    fn load_more(self, api: Api, toasts: Toasts) {
        let Some(cursor) = self.next_cursor.get_untracked() else { return };
        if self.loading_more.get_untracked() {
            return;
        }
        let ticket = self.ticket.get_value();
        let filters = self.shown.get_untracked();
        self.loading_more.set(true);
        leptos::task::spawn_local(async move {
            let result = api.get::<Page<ContactDto>>(&filters.path(PAGE_SIZE, Some(&cursor))).await;
            self.loading_more.try_set(false);
            // A newer first page replaced the rows this page would extend.
            if self.ticket.try_get_value() != Some(ticket) {
                return;
            }
            match result {
                Ok(page) => {
                    self.rows.try_update(|rows| {
                        for contact in page.items {
                            if !rows.iter().any(|row| row.id == contact.id) {
                                rows.push(contact);
                            }
                        }
                    });
                    self.next_cursor.try_set(page.next_cursor);
                }
                Err(failure) => toasts.error(failure.key()),
            }
        });
    }
}

/// Which contact the drawer edits.
#[derive(Debug, Clone, PartialEq)]
pub enum Editing {
    New,
    Existing(Box<ContactDto>),
}

#[component]
pub fn ContactsPage() -> impl IntoView {
    let api = use_api();
    let live = use_live();
    let toasts = use_toasts();
    let hydrated = use_hydrated();
    let search = Debounced::new();
    let tag = Debounced::new();
    let segment = RwSignal::new(String::new());
    let sort = RwSignal::new(String::new());
    let list = ContactList::new();
    let reload = RwSignal::new(0u64);
    let editing = RwSignal::new(None::<Editing>);
    let selected = RwSignal::new(HashSet::<Uuid>::new());

    // Links from elsewhere land filtered: `/contacts?tag=vip`, `/contacts?segment=<id>`.
    let query = use_query_map();
    query.with_untracked(|params| {
        if let Some(value) = params.get("tag") {
            tag.set_now(value);
        }
        if let Some(value) = params.get("segment") {
            segment.set(value);
        }
    });

    // Runs in the browser only: on the first render, when a filter settles, after our own saves
    // and on `contacts.changed`.
    Effect::new(move |_| {
        let filters = Filters {
            q: search.settled.get(),
            tag: tag.settled.get().to_lowercase(),
            segment: segment.get(),
            sort: sort.get(),
        };
        live.contacts_version();
        reload.track();
        list.load(api, filters);
    });
    // A selection only means something for the rows it was made on.
    Effect::new(move |_| {
        list.shown.track();
        selected.set(HashSet::new());
    });

    let refresh = Callback::new(move |_: ()| reload.update(|n| *n += 1));
    let open_new = Callback::new(move |_: ()| editing.set(Some(Editing::New)));
    let open_edit = Callback::new(move |contact: ContactDto| {
        editing.set(Some(Editing::Existing(Box::new(contact))));
    });
    let filter_tag = Callback::new(move |chip: String| tag.set_now(chip));
    let clear_filters = Callback::new(move |_: ()| {
        search.set_now(String::new());
        tag.set_now(String::new());
        segment.set(String::new());
    });
    let close = Callback::new(move |_: ()| editing.set(None));
    let saved = Callback::new(move |key: Key| {
        editing.set(None);
        toasts.success(key);
        refresh.run(());
    });

    view! {
        <PageTitle key=Key::NavContacts/>
        <div class="mb-6 flex flex-wrap items-end justify-between gap-4">
            <div class="min-w-0">
                <h1 class="text-2xl font-semibold tracking-tight text-slate-900">
                    {t(Key::NavContacts)}
                </h1>
                <p class="mt-1.5 max-w-2xl text-sm leading-6 text-slate-600">
                    {t(Key::ContactsSubtitle)}
                </p>
            </div>
            <div class="flex flex-wrap gap-2">
                <a href="/contacts/segments" class="btn btn-secondary" data-testid="contacts-segments">
                    <Icon icon=IconName::Filter class="size-5"/>
                    <span>{t(Key::NavSegments)}</span>
                </a>
                <a href="/contacts/import" class="btn btn-secondary" data-testid="contacts-import">
                    <Icon icon=IconName::Upload class="size-5"/>
                    <span>{t(Key::ImportContacts)}</span>
                </a>
                <a
                    href=move || list.shown.with(Filters::export_href)
                    class="btn btn-secondary"
                    data-testid="contacts-export"
                    download
                >
                    <Icon icon=IconName::Download class="size-5"/>
                    <span>{t(Key::ExportContacts)}</span>
                </a>
                <button
                    type="button"
                    class="btn btn-primary"
                    data-testid="contacts-new"
                    disabled=move || !hydrated.get()
                    on:click=move |_| open_new.run(())
                >
                    <Icon icon=IconName::Plus class="size-5"/>
                    <span>{t(Key::NewContact)}</span>
                </button>
            </div>
        </div>
        <FilterBar search tag segment sort/>
        <ListCount list/>
        <BulkBar list selected refresh/>
        <ListBody list selected open_new open_edit filter_tag clear_filters refresh/>
        {move || {
            editing
                .get()
                .map(|editing| view! { <ContactDrawer editing on_close=close on_saved=saved/> })
        }}
    }
    .into_any()
}

/// The search box, the tag filter, the segment and the order.
#[component]
fn FilterBar(
    search: Debounced,
    tag: Debounced,
    segment: RwSignal<String>,
    sort: RwSignal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let segments = LocalResource::new(move || async move {
        api.get::<Vec<SegmentDto>>("/segments").await.unwrap_or_default()
    });
    view! {
        <div class="mb-3 grid gap-3 sm:grid-cols-2 lg:grid-cols-[minmax(0,2fr)_minmax(0,1fr)_minmax(0,1fr)_minmax(0,1fr)]" role="search">
            <div class="relative">
                <label for="contacts-search" class="sr-only">
                    {t(Key::ContactsSearchLabel)}
                </label>
                <Icon
                    icon=IconName::Search
                    class="pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-slate-400"
                />
                <input
                    id="contacts-search"
                    type="search"
                    class="input pl-9"
                    autocomplete="off"
                    data-testid="contacts-search"
                    placeholder=move || i18n.lang().t(Key::ContactsSearchPlaceholder)
                    prop:value=move || search.typed.get()
                    on:input=move |ev| search.input(event_target_value(&ev))
                />
            </div>
            <div class="relative">
                <label for="contacts-tag" class="sr-only">
                    {t(Key::ContactsTagLabel)}
                </label>
                <Icon
                    icon=IconName::Tag
                    class="pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-slate-400"
                />
                <input
                    id="contacts-tag"
                    type="search"
                    class="input pl-9"
                    autocomplete="off"
                    data-testid="contacts-tag"
                    placeholder=move || i18n.lang().t(Key::ContactsTagPlaceholder)
                    prop:value=move || tag.typed.get()
                    on:input=move |ev| tag.input(event_target_value(&ev))
                />
            </div>
            <div>
                <label for="contacts-segment" class="sr-only">{t(Key::SegmentFilterLabel)}</label>
                <select
                    id="contacts-segment"
                    class="input"
                    data-testid="contacts-segment"
                    on:change=move |ev| segment.set(event_target_value(&ev))
                >
                    <option value="" selected=move || segment.with(String::is_empty)>
                        {t(Key::AllContacts)}
                    </option>
                    {move || {
                        let current = segment.get();
                        segments
                            .get()
                            .unwrap_or_default()
                            .into_iter()
                            .map(|s| {
                                let id = s.id.to_string();
                                let selected = id == current;
                                view! { <option value=id selected=selected>{s.name}</option> }
                            })
                            .collect_view()
                    }}
                </select>
            </div>
            <div>
                <label for="contacts-sort" class="sr-only">{t(Key::SortLabel)}</label>
                <select
                    id="contacts-sort"
                    class="input"
                    data-testid="contacts-sort"
                    on:change=move |ev| sort.set(event_target_value(&ev))
                >
                    {[("", Key::SortNewest), ("oldest", Key::SortOldest), ("name", Key::SortName)]
                        .into_iter()
                        .map(|(value, key)| {
                            view! {
                                <option value=value selected=move || sort.get() == value>{t(key)}</option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
        </div>
    }
    .into_any()
}

/// The bar over a selection: add or remove a tag, opt out, delete (with a confirmation).
#[component]
fn BulkBar(
    list: ContactList,
    selected: RwSignal<HashSet<Uuid>>,
    refresh: Callback<()>,
) -> impl IntoView {
    let api = use_api();
    let i18n = use_i18n();
    let toasts = use_toasts();
    let tag_ref = NodeRef::<html::Input>::new();
    let busy = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let count = move || selected.with(HashSet::len);
    let run = move |action: BulkAction| {
        let ids: Vec<Uuid> = selected.get_untracked().into_iter().collect();
        if ids.is_empty() || busy.get_untracked() {
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            let request = BulkContactsRequest { selection: ContactSelection::Ids(ids), action };
            let result = api.post::<_, BulkResult>("/contacts/bulk", &request).await;
            busy.try_set(false);
            confirming.try_set(false);
            match result {
                Ok(done) => {
                    toasts.success_with(Key::BulkDone, vec![("count", done.affected.to_string())]);
                    selected.try_set(HashSet::new());
                    refresh.run(());
                }
                Err(failure) => toasts.error(failure.key()),
            }
        });
    };
    let with_tag = move |make: fn(Vec<String>) -> BulkAction| {
        let tags = parse_tags(&value_of(tag_ref));
        if tags.is_empty() {
            if let Some(input) = tag_ref.get_untracked() {
                let _ = input.focus();
            }
            return;
        }
        run(make(tags));
    };
    let question = Signal::derive(move || {
        fill(i18n.lang().t(Key::ConfirmBulkDelete), &[("count", &count().to_string())])
    });
    let all_shown = move || {
        let shown = list.rows.with(|rows| rows.iter().map(|r| r.id).collect::<HashSet<_>>());
        !shown.is_empty() && selected.with(|s| shown.iter().all(|id| s.contains(id)))
    };
    view! {
        <div class="mb-3 flex flex-wrap items-center gap-2" data-testid="bulk-bar">
            <label class="inline-flex cursor-pointer items-center gap-2 text-sm text-slate-600">
                <input
                    type="checkbox"
                    class="size-4 accent-brand-600"
                    data-testid="select-all"
                    prop:checked=all_shown
                    on:change=move |ev| {
                        if event_target_checked(&ev) {
                            selected.set(list.rows.with(|rows| rows.iter().map(|r| r.id).collect()));
                        } else {
                            selected.set(HashSet::new());
                        }
                    }
                />
                <span>{t(Key::SelectAllShown)}</span>
            </label>
            <Show when=move || { count() > 0 }>
                <span class="text-sm font-medium text-slate-900" data-testid="bulk-count">
                    {move || fill(i18n.lang().t(Key::BulkSelected), &[("count", &count().to_string())])}
                </span>
                <input
                    type="text"
                    class="input w-32 py-1"
                    node_ref=tag_ref
                    data-testid="bulk-tag"
                    autocomplete="off"
                    aria-label=move || i18n.lang().t(Key::Tags)
                    placeholder=move || i18n.lang().t(Key::BulkTagPlaceholder)
                />
                <button type="button" class="btn btn-secondary btn-sm" data-testid="bulk-add-tag" disabled=move || busy.get()
                    on:click=move |_| with_tag(|tags| BulkAction::AddTags { tags })>
                    {t(Key::BulkAddTag)}
                </button>
                <button type="button" class="btn btn-secondary btn-sm" data-testid="bulk-remove-tag" disabled=move || busy.get()
                    on:click=move |_| with_tag(|tags| BulkAction::RemoveTags { tags })>
                    {t(Key::BulkRemoveTag)}
                </button>
                <button type="button" class="btn btn-secondary btn-sm" data-testid="bulk-opt-out" disabled=move || busy.get()
                    on:click=move |_| run(BulkAction::OptOut)>
                    {t(Key::BulkOptOut)}
                </button>
                <button type="button" class="btn btn-secondary btn-sm text-red-700" data-testid="bulk-delete" disabled=move || busy.get()
                    on:click=move |_| confirming.set(true)>
                    {t(Key::BulkDelete)}
                </button>
                <button type="button" class="btn btn-ghost btn-sm" data-testid="bulk-clear" on:click=move |_| selected.set(HashSet::new())>
                    {t(Key::BulkClear)}
                </button>
            </Show>
        </div>
        <Show when=move || { confirming.get() && count() > 0 }>
            <div class="mb-3">
                <ConfirmInline
                    question
                    confirm_label=Key::BulkDelete
                    busy
                    on_confirm=Callback::new(move |_| run(BulkAction::Delete))
                    on_cancel=Callback::new(move |_| confirming.set(false))
                    confirm_testid="bulk-delete-confirm"
                />
            </div>
        </Show>
    }
    .into_any()
}

/// "12 contacts" (or "First 50 contacts" while more pages exist), with a spinner during a
/// refresh.
#[component]
fn ListCount(list: ContactList) -> impl IntoView {
    let i18n = use_i18n();
    let text = move || {
        let count = list.rows.with(Vec::len);
        let key = match (count, list.next_cursor.with(Option::is_some)) {
            (_, true) => Key::ContactsCountMore,
            (1, false) => Key::ContactsCountOne,
            _ => Key::ContactsCount,
        };
        fill(i18n.lang().t(key), &[("count", &count.to_string())])
    };
    view! {
        <p class="mb-3 flex min-h-6 items-center gap-2 text-sm text-slate-600" aria-live="polite">
            // The empty state says it better than "0 contacts".
            <Show when=move || {
                list.state.get() == ListState::Ready && !list.rows.with(Vec::is_empty)
            }>
                <span data-testid="contacts-count">{text}</span>
            </Show>
            <Show when=move || list.refreshing.get() && list.state.get() == ListState::Ready>
                <span class="spinner text-brand-600" aria-hidden="true"></span>
            </Show>
        </p>
    }
    .into_any()
}

#[component]
fn ListBody(
    list: ContactList,
    selected: RwSignal<HashSet<Uuid>>,
    open_new: Callback<()>,
    open_edit: Callback<ContactDto>,
    filter_tag: Callback<String>,
    clear_filters: Callback<()>,
    refresh: Callback<()>,
) -> impl IntoView {
    let api = use_api();
    let toasts = use_toasts();
    let empty = Memo::new(move |_| list.rows.with(Vec::is_empty));
    let filtered = Signal::derive(move || !list.shown.with(Filters::is_empty));
    move || {
        match list.state.get() {
            ListState::Loading => view! { <ListLoading/> }.into_any(),
            ListState::Failed(key) => view! { <ListError key retry=refresh/> }.into_any(),
            ListState::Ready if empty.get() => {
                view! { <EmptyState filtered open_new clear_filters/> }.into_any()
            }
            ListState::Ready => {
                view! {
                    <div class="card overflow-hidden">
                        <table class="block w-full text-left text-sm md:table">
                            <thead class="hidden border-b border-slate-200 bg-slate-50 text-xs font-semibold tracking-wide text-slate-500 uppercase md:table-header-group">
                                <tr>
                                    <th scope="col" class="w-10 py-3 pl-4">
                                        <span class="sr-only">{t(Key::SelectAllShown)}</span>
                                    </th>
                                    <th scope="col" class="px-4 py-3">{t(Key::Name)}</th>
                                    <th scope="col" class="px-4 py-3">{t(Key::Phone)}</th>
                                    <th scope="col" class="px-4 py-3">{t(Key::Email)}</th>
                                    <th scope="col" class="px-4 py-3">{t(Key::Tags)}</th>
                                    <th scope="col" class="px-4 py-3">
                                        <span class="sr-only">{t(Key::Actions)}</span>
                                    </th>
                                </tr>
                            </thead>
                            <tbody class="block divide-y divide-slate-100 md:table-row-group">
                                <For
                                    each=move || list.rows.get()
                                    key=|contact| (contact.id, contact.updated_at)
                                    let:contact
                                >
                                    <ContactRow contact selected open_edit filter_tag/>
                                </For>
                            </tbody>
                        </table>
                    </div>
                    <Show when=move || list.next_cursor.with(Option::is_some)>
                        <div class="mt-4 flex justify-center">
                            <button
                                type="button"
                                class="btn btn-secondary"
                                data-testid="contacts-load-more"
                                disabled=move || list.loading_more.get()
                                aria-busy=move || list.loading_more.get().then_some("true")
                                on:click=move |_| list.load_more(api, toasts)
                            >
                                {move || {
                                    list.loading_more
                                        .get()
                                        .then(|| view! { <span class="spinner" aria-hidden="true"></span> })
                                }}
                                <span>{t(Key::LoadMore)}</span>
                            </button>
                        </div>
                    </Show>
                }
                    .into_any()
            }
        }
    }
}

/// One contact: a table row on wide screens, a small card on phones.
#[component]
fn ContactRow(
    contact: ContactDto,
    selected: RwSignal<HashSet<Uuid>>,
    open_edit: Callback<ContactDto>,
    filter_tag: Callback<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let has_name = !contact.name.trim().is_empty();
    let name = contact.name.clone();
    let edit_label = {
        let who = if has_name { contact.name.clone() } else { contact.phone.clone() };
        move || format!("{} {who}", i18n.lang().t(Key::Edit))
    };
    let edit = {
        let contact = contact.clone();
        move |_| open_edit.run(contact.clone())
    };
    let open = {
        let contact = contact.clone();
        move |_| open_edit.run(contact.clone())
    };
    let id = contact.id;
    let select_label = {
        let who = if has_name { contact.name.clone() } else { contact.phone.clone() };
        move || fill(i18n.lang().t(Key::SelectContact), &[("name", &who)])
    };
    view! {
        <tr
            class="grid grid-cols-[auto_minmax(0,1fr)_auto] items-center gap-x-3 gap-y-1 px-4 py-3 md:table-row md:p-0"
            data-testid="contact-row"
            data-phone=contact.phone.clone()
            data-id=contact.id.to_string()
        >
            <td class="row-span-3 self-start pt-0.5 md:py-3 md:pl-4">
                <input
                    type="checkbox"
                    class="size-4 cursor-pointer accent-brand-600"
                    data-testid="contact-select"
                    aria-label=select_label
                    prop:checked=move || selected.with(|s| s.contains(&id))
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        selected.update(|s| {
                            if on {
                                s.insert(id);
                            } else {
                                s.remove(&id);
                            }
                        });
                    }
                />
            </td>
            <td class="min-w-0 md:px-4 md:py-3">
                <div class="flex flex-wrap items-center gap-2">
                    <button
                        type="button"
                        class="min-w-0 cursor-pointer rounded-sm text-left font-medium break-words text-slate-900 hover:text-brand-600 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600"
                        data-testid="contact-name-cell"
                        on:click=open
                    >
                        {if has_name {
                            view! { <span>{name}</span> }.into_any()
                        } else {
                            view! { <span class="font-normal text-slate-500 italic">{t(Key::ContactNoName)}</span> }
                                .into_any()
                        }}
                    </button>
                    {contact
                        .opted_out
                        .then(|| {
                            view! {
                                <span
                                    class="badge bg-red-50 text-red-700 ring-1 ring-red-200 ring-inset"
                                    data-testid="contact-opted-out-badge"
                                >
                                    {t(Key::OptedOutBadge)}
                                </span>
                            }
                        })}
                </div>
            </td>
            <td class="col-start-2 text-slate-700 tabular-nums md:px-4 md:py-3 md:whitespace-nowrap">
                {contact.phone.clone()}
            </td>
            <td class=if contact.email.is_some() {
                "col-start-2 min-w-0 break-all text-slate-600 md:px-4 md:py-3"
            } else {
                "hidden text-slate-400 md:table-cell md:px-4 md:py-3"
            }>{contact.email.clone().unwrap_or_else(|| "—".into())}</td>
            <td class=if contact.tags.is_empty() {
                "hidden md:table-cell md:px-4 md:py-3"
            } else {
                "col-span-2 col-start-2 pt-1 md:px-4 md:py-3"
            }>
                <div class="flex flex-wrap gap-1.5">
                    {contact
                        .tags
                        .iter()
                        .map(|chip| {
                            let value = chip.clone();
                            let title = {
                                let chip = chip.clone();
                                move || fill(i18n.lang().t(Key::FilterByTag), &[("tag", &chip)])
                            };
                            view! {
                                <button
                                    type="button"
                                    class="inline-flex cursor-pointer items-center rounded-full bg-brand-50 px-2 py-0.5 text-xs font-medium text-brand-700 ring-1 ring-brand-200 ring-inset hover:bg-brand-100 focus-visible:outline-2 focus-visible:outline-brand-600"
                                    data-testid="contact-tag"
                                    title=title
                                    on:click=move |_| filter_tag.run(value.clone())
                                >
                                    {chip.clone()}
                                </button>
                            }
                        })
                        .collect_view()}
                </div>
            </td>
            <td class="col-start-3 row-start-1 text-right md:px-4 md:py-3">
                <button
                    type="button"
                    class="btn btn-secondary btn-sm"
                    data-testid="contact-edit"
                    aria-label=edit_label
                    on:click=edit
                >
                    {t(Key::Edit)}
                </button>
            </td>
        </tr>
    }
    .into_any()
}

#[component]
fn EmptyState(
    filtered: Signal<bool>,
    open_new: Callback<()>,
    clear_filters: Callback<()>,
) -> impl IntoView {
    view! {
        <section
            class="card flex flex-col items-center px-6 py-14 text-center"
            data-testid="contacts-empty"
            data-kind=move || if filtered.get() { "filtered" } else { "none" }
        >
            <div class="grid size-14 place-items-center rounded-2xl bg-violet-50 text-violet-600 ring-1 ring-violet-100">
                <Icon icon=IconName::Users class="size-7"/>
            </div>
            {move || {
                if filtered.get() {
                    view! {
                        <h2 class="mt-5 text-lg font-semibold text-slate-900">{t(Key::NoContactMatches)}</h2>
                        <button type="button" class="btn btn-secondary mt-6" on:click=move |_| clear_filters.run(())>
                            {t(Key::ClearFilters)}
                        </button>
                    }
                        .into_any()
                } else {
                    view! {
                        <h2 class="mt-5 text-lg font-semibold text-slate-900">{t(Key::NoContactsYet)}</h2>
                        <p class="mt-2 max-w-md text-sm leading-6 text-slate-600">{t(Key::NoContactsYetHint)}</p>
                        <button type="button" class="btn btn-primary mt-6" on:click=move |_| open_new.run(())>
                            <Icon icon=IconName::Plus class="size-5"/>
                            <span>{t(Key::NewContact)}</span>
                        </button>
                    }
                        .into_any()
                }
            }}
        </section>
    }
    .into_any()
}

/// What the form holds when submitted.
#[derive(Debug, Clone, Default, PartialEq)]
struct ContactInput {
    phone: String,
    name: String,
    email: String,
    tags: Vec<String>,
    notes: String,
    opted_out: bool,
    /// Every attribute: the custom fields as typed (text; the server reads them by type, an
    /// empty one is removed) and the free-form ones unchanged.
    attributes: Map<String, Value>,
}

impl ContactInput {
    fn create_request(self) -> CreateContactRequest {
        CreateContactRequest {
            phone: self.phone,
            name: non_empty(self.name),
            email: non_empty(self.email),
            tags: self.tags,
            attributes: self.attributes,
            notes: non_empty(self.notes),
            opted_out: self.opted_out,
        }
    }

    /// The number goes along only when it was edited: it is shown in E.164 and re-sending it
    /// would only ask the server to normalise it again. Empty email and notes clear them.
    fn update_request(self, original: &ContactDto) -> UpdateContactRequest {
        UpdateContactRequest {
            phone: (self.phone != original.phone).then_some(self.phone),
            name: Some(self.name),
            email: Some(self.email),
            tags: Some(self.tags),
            attributes: Some(self.attributes),
            notes: Some(self.notes),
            opted_out: Some(self.opted_out),
        }
    }
}

fn non_empty(value: String) -> Option<String> {
    (!value.is_empty()).then_some(value)
}

/// `"VIP, customer ,,vip"` → `["vip", "customer"]`: trimmed, lower-case (as the server stores
/// them), without empties or repeats, in the order typed.
fn parse_tags(raw: &str) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for tag in raw.split(',').map(|tag| tag.trim().to_lowercase()).filter(|tag| !tag.is_empty()) {
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    tags
}

/// An attribute as the text an input shows.
fn attribute_text(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    }
}

/// Puts an API failure next to the field it concerns.
fn show_failure(errors: FormErrors, failure: &ApiFailure) {
    if failure.is(ErrorCode::ValidationFailed) && failure.field() == Some("phone") {
        errors.api_as("phone", Key::ContactPhoneInvalid);
    } else if failure.status() == Some(409) && failure.field().is_none() {
        // A conflict on a contact is about its number even when the server names no field.
        errors.api_as("phone", failure.key());
    } else {
        errors.api(failure);
    }
}

/// The side panel (full screen on phones) with the contact form.
#[component]
pub fn ContactDrawer(
    editing: Editing,
    on_close: Callback<()>,
    on_saved: Callback<Key>,
) -> impl IntoView {
    let api = use_api();
    let i18n = use_i18n();
    let errors = FormErrors::new(&["phone", "name", "email", "tags", "notes", "attributes"]);
    let auth = use_auth();
    let toasts = use_toasts();
    let fields = LocalResource::new(move || async move {
        api.get::<Vec<ContactFieldDto>>("/contact-fields").await.unwrap_or_default()
    });
    let erasing = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let phone_ref = NodeRef::<html::Input>::new();
    let name_ref = NodeRef::<html::Input>::new();
    let email_ref = NodeRef::<html::Input>::new();
    let tags_ref = NodeRef::<html::Input>::new();
    let notes_ref = NodeRef::<html::Textarea>::new();
    let opted_out_ref = NodeRef::<html::Input>::new();

    let original = match editing {
        Editing::New => None,
        Editing::Existing(contact) => Some(*contact),
    };
    let initial = original.clone().map(|c| ContactInput {
        phone: c.phone,
        name: c.name,
        email: c.email.unwrap_or_default(),
        tags: c.tags,
        notes: c.notes.unwrap_or_default(),
        opted_out: c.opted_out,
        attributes: c.attributes,
    });
    let initial = initial.unwrap_or_default();
    // The custom-field inputs, by key, as text.
    let attributes = RwSignal::new(initial.attributes.clone());
    let title = if original.is_some() { Key::EditContact } else { Key::NewContact };

    // Start typing right away.
    Effect::new(move |_| {
        if let Some(input) = phone_ref.get() {
            let _ = input.focus();
        }
    });

    let read = move || ContactInput {
        phone: value_of(phone_ref),
        name: value_of(name_ref),
        email: value_of(email_ref),
        tags: parse_tags(&value_of(tags_ref)),
        notes: notes_ref.get_untracked().map(|el| el.value()).unwrap_or_default().trim().to_owned(),
        opted_out: opted_out_ref.get_untracked().map(|el| el.checked()).unwrap_or(false),
        attributes: attributes.get_untracked(),
    };

    let on_submit = {
        let original = original.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            if busy.get_untracked() {
                return;
            }
            errors.clear();
            confirming.set(false);
            let input = read();
            if input.phone.is_empty() {
                return errors.field("phone", Key::FieldRequired);
            }
            if !input.email.is_empty() && !looks_like_email(&input.email) {
                return errors.field("email", Key::InvalidEmail);
            }
            busy.set(true);
            let original = original.clone();
            leptos::task::spawn_local(async move {
                let result = match original {
                    None => api
                        .post::<_, ContactDto>("/contacts", &input.create_request())
                        .await
                        .map(|_| Key::ContactCreated),
                    Some(contact) => api
                        .patch::<_, ContactDto>(
                            &format!("/contacts/{}", contact.id),
                            &input.update_request(&contact),
                        )
                        .await
                        .map(|_| Key::ContactUpdated),
                };
                busy.try_set(false);
                match result {
                    Ok(key) => on_saved.run(key),
                    Err(failure) => show_failure(errors, &failure),
                }
            });
        }
    };

    let contact_id = original.as_ref().map(|c| c.id);
    let delete = Callback::new(move |_: ()| {
        let Some(id) = contact_id else { return };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = api.delete::<IgnoredAny>(&format!("/contacts/{id}")).await;
            busy.try_set(false);
            match result {
                Ok(_) => on_saved.run(Key::ContactDeleted),
                Err(failure) => {
                    confirming.try_set(false);
                    errors.api(&failure);
                }
            }
        });
    });
    let erase = Callback::new(move |_: ()| {
        let Some(id) = contact_id else { return };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = api.post_empty::<IgnoredAny>(&format!("/contacts/{id}/erase")).await;
            busy.try_set(false);
            match result {
                Ok(_) => on_saved.run(Key::ContactErased),
                Err(failure) => {
                    erasing.try_set(false);
                    toasts.error(failure.key());
                }
            }
        });
    });
    let erase_question = {
        let who = original
            .as_ref()
            .map(|c| if c.name.trim().is_empty() { c.phone.clone() } else { c.name.clone() })
            .unwrap_or_default();
        Signal::derive(move || fill(i18n.lang().t(Key::ConfirmErase), &[("name", &who)]))
    };
    let can_erase = move || auth.session().map(|s| s.can_manage_team()).unwrap_or(false);
    let opt_out_note = original.as_ref().and_then(|c| {
        let at = c.opted_out_at.as_ref()?;
        Some((format_date(at), c.opted_out_via.clone().unwrap_or_default()))
    });
    let question = {
        let who = original
            .as_ref()
            .map(|c| if c.name.trim().is_empty() { c.phone.clone() } else { c.name.clone() })
            .unwrap_or_default();
        Signal::derive(move || fill(i18n.lang().t(Key::ConfirmDeleteContact), &[("name", &who)]))
    };
    let notes_error = move || errors.for_field("notes");

    view! {
        <div
            class="fixed inset-0 z-[45] flex justify-end"
            on:keydown=move |ev| {
                if ev.key() == "Escape" {
                    on_close.run(());
                }
            }
        >
            <div
                class="absolute inset-0 bg-slate-900/50 backdrop-blur-[1px]"
                aria-hidden="true"
                on:click=move |_| on_close.run(())
            ></div>
            <section
                role="dialog"
                aria-modal="true"
                aria-labelledby="contact-form-title"
                class="relative flex h-full w-full flex-col bg-white shadow-xl sm:max-w-md"
            >
                <header class="flex h-14 shrink-0 items-center justify-between gap-3 border-b border-slate-200 px-5">
                    <h2 id="contact-form-title" class="font-semibold text-slate-900">
                        {t(title)}
                    </h2>
                    <button
                        type="button"
                        class="btn-icon -mr-2"
                        data-testid="contact-close"
                        on:click=move |_| on_close.run(())
                    >
                        <Icon icon=IconName::Close class="size-5"/>
                        <span class="sr-only">{t(Key::Close)}</span>
                    </button>
                </header>
                <form
                    class="flex min-h-0 flex-1 flex-col"
                    novalidate
                    data-testid="contact-form"
                    on:submit=on_submit
                >
                    <div class="flex-1 space-y-4 overflow-y-auto px-5 py-5">
                        <TextField
                            id="contact-phone"
                            label=Key::Phone
                            input_type="tel"
                            autocomplete="off"
                            hint=Key::ContactPhoneHint
                            node_ref=phone_ref
                            value=initial.phone.clone()
                            errors
                            field="phone"
                            testid="contact-phone"
                        />
                        <TextField
                            id="contact-name"
                            label=Key::Name
                            autocomplete="off"
                            node_ref=name_ref
                            value=initial.name.clone()
                            errors
                            field="name"
                            testid="contact-name"
                        />
                        <TextField
                            id="contact-email"
                            label=Key::Email
                            input_type="email"
                            autocomplete="off"
                            node_ref=email_ref
                            value=initial.email.clone()
                            errors
                            field="email"
                            testid="contact-email"
                        />
                        <TextField
                            id="contact-tags"
                            label=Key::Tags
                            autocomplete="off"
                            hint=Key::ContactTagsHint
                            node_ref=tags_ref
                            value=initial.tags.join(", ")
                            errors
                            field="tags"
                            testid="contact-tags"
                        />
                        <div class="space-y-1.5">
                            <label for="contact-notes" class="block text-sm font-medium text-slate-700">
                                {t(Key::Notes)}
                            </label>
                            <textarea
                                id="contact-notes"
                                rows="3"
                                node_ref=notes_ref
                                prop:value=initial.notes.clone()
                                data-testid="contact-notes"
                                aria-invalid=move || notes_error().map(|_| "true")
                                aria-describedby=move || notes_error().map(|_| "contact-notes-error")
                                class=move || {
                                    if notes_error().is_some() { "input input-invalid" } else { "input" }
                                }
                            ></textarea>
                            {move || {
                                notes_error()
                                    .map(|key| {
                                        view! {
                                            <p id="contact-notes-error" class="field-error" data-testid="field-error">
                                                {t(key)}
                                            </p>
                                        }
                                    })
                            }}
                        </div>
                        <CustomFieldInputs fields attributes errors/>
                        {opt_out_note.map(|(date, via)| view! {
                            <p class="text-xs text-slate-500" data-testid="contact-opted-out-note">
                                {move || fill(i18n.lang().t(Key::ContactOptedOutVia), &[("date", &date), ("via", &via)])}
                            </p>
                        })}
                        <div class="flex items-start gap-3">
                            <input
                                id="contact-opted-out"
                                type="checkbox"
                                class="mt-0.5 size-4 shrink-0 cursor-pointer accent-brand-600"
                                node_ref=opted_out_ref
                                prop:checked=initial.opted_out
                                data-testid="contact-opted-out"
                                aria-describedby="contact-opted-out-hint"
                            />
                            <div>
                                <label for="contact-opted-out" class="block cursor-pointer text-sm font-medium text-slate-700">
                                    {t(Key::ContactOptedOut)}
                                </label>
                                <p id="contact-opted-out-hint" class="text-xs leading-5 text-slate-500">
                                    {t(Key::ContactOptedOutHint)}
                                </p>
                            </div>
                        </div>
                        <FormError errors testid="contact-form-error"/>
                        {original.as_ref().map(|c| view! { <ContactConversations contact_id=c.id/> })}
                    </div>
                    <div class="shrink-0 space-y-3 border-t border-slate-200 px-5 py-4">
                        <Show when=move || confirming.get()>
                            <ConfirmInline
                                question
                                confirm_label=Key::Delete
                                busy
                                on_confirm=delete
                                on_cancel=Callback::new(move |_| confirming.set(false))
                                confirm_testid="contact-delete-confirm"
                            />
                        </Show>
                        <Show when=move || erasing.get()>
                            <ConfirmInline
                                question=erase_question
                                confirm_label=Key::EraseContact
                                busy
                                on_confirm=erase
                                on_cancel=Callback::new(move |_| erasing.set(false))
                                confirm_testid="contact-erase-confirm"
                            />
                        </Show>
                        {contact_id.map(|_| view! {
                            <Show when=can_erase>
                                <button
                                    type="button"
                                    class="text-xs font-medium text-red-700 underline-offset-2 hover:underline"
                                    data-testid="contact-erase"
                                    disabled=move || busy.get()
                                    on:click=move |_| erasing.set(true)
                                >
                                    {t(Key::EraseContact)}
                                </button>
                            </Show>
                        })}
                        <div class="flex flex-wrap items-center gap-2">
                            {contact_id
                                .map(|_| {
                                    view! {
                                        <button
                                            type="button"
                                            class="btn btn-secondary px-3 text-red-600 hover:text-red-700 sm:px-4"
                                            data-testid="contact-delete"
                                            title=t(Key::DeleteContact)
                                            disabled=move || busy.get() || confirming.get()
                                            on:click=move |_| confirming.set(true)
                                        >
                                            <Icon icon=IconName::Trash class="size-4"/>
                                            // Icon only on phones, so the three buttons share one line.
                                            <span class="sr-only sm:not-sr-only">{t(Key::Delete)}</span>
                                        </button>
                                    }
                                })}
                            <div class="ml-auto flex gap-2">
                                <button
                                    type="button"
                                    class="btn btn-secondary"
                                    on:click=move |_| on_close.run(())
                                >
                                    {t(Key::Cancel)}
                                </button>
                                <SubmitButton
                                    label=Key::Save
                                    busy
                                    testid="contact-save"
                                    class="btn btn-primary"
                                />
                            </div>
                        </div>
                    </div>
                </form>
            </section>
        </div>
    }
    .into_any()
}

/// One input per custom field, typed by the field's kind; values stay text until the server
/// reads them (so `1.234,56` or `31/12/1990` work as typed).
#[component]
fn CustomFieldInputs(
    fields: LocalResource<Vec<ContactFieldDto>>,
    attributes: RwSignal<Map<String, Value>>,
    errors: FormErrors,
) -> impl IntoView {
    let i18n = use_i18n();
    let error = move || errors.for_field("attributes");
    move || {
        let fields = fields.get().unwrap_or_default();
        if fields.is_empty() {
            return view! { <span></span> }.into_any();
        }
        view! {
            <fieldset class="space-y-3 rounded-lg bg-slate-50 p-3" data-testid="contact-fields">
                <legend class="sr-only">{t(Key::ContactFields)}</legend>
                {fields
                    .into_iter()
                    .map(|field| {
                        let id = format!("contact-attr-{}", field.key);
                        let key = field.key.clone();
                        let current = attributes.with_untracked(|a| attribute_text(a.get(&key)));
                        let set = {
                            let key = key.clone();
                            move |ev: leptos::ev::Event| {
                                let value = event_target_value(&ev);
                                attributes.update(|a| {
                                    a.insert(key.clone(), if value.trim().is_empty() { Value::Null } else { Value::String(value) });
                                });
                            }
                        };
                        let input = match field.kind {
                            FieldKind::Boolean | FieldKind::Choice => {
                                let options: Vec<(String, String)> = if field.kind == FieldKind::Boolean {
                                    vec![
                                        ("true".into(), i18n.lang().t(Key::Yes).to_owned()),
                                        ("false".into(), i18n.lang().t(Key::No).to_owned()),
                                    ]
                                } else {
                                    field.options.iter().map(|o| (o.clone(), o.clone())).collect()
                                };
                                view! {
                                    <select id=id.clone() class="input" data-testid=format!("contact-attr-{}", field.key) on:change=set>
                                        <option value="" selected=current.is_empty()>"—"</option>
                                        {options.into_iter().map(|(value, label)| {
                                            let selected = value == current;
                                            view! { <option value=value selected=selected>{label}</option> }
                                        }).collect_view()}
                                    </select>
                                }.into_any()
                            }
                            kind => {
                                let input_type = match kind {
                                    FieldKind::Number => "number",
                                    FieldKind::Date => "date",
                                    _ => "text",
                                };
                                view! {
                                    <input id=id.clone() type=input_type step="any" class="input" autocomplete="off"
                                        data-testid=format!("contact-attr-{}", field.key) prop:value=current on:input=set/>
                                }.into_any()
                            }
                        };
                        view! {
                            <div class="space-y-1">
                                <label for=id class="block text-sm font-medium text-slate-700">{field.label.clone()}</label>
                                {input}
                            </div>
                        }
                    })
                    .collect_view()}
                {move || error().map(|key| view! {
                    <p id="contact-attributes-error" class="field-error" data-testid="field-error">{t(key)}</p>
                })}
            </fieldset>
        }
        .into_any()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_split_trimmed_lowercased_and_deduplicated() {
        assert_eq!(parse_tags("VIP, customer ,,vip"), vec!["vip", "customer"]);
        assert_eq!(parse_tags("  "), Vec::<String>::new());
        assert_eq!(parse_tags("são paulo"), vec!["são paulo"]);
    }

    #[test]
    fn list_path_carries_only_the_filters_in_use() {
        let none = Filters::default();
        assert_eq!(none.path(50, None), "/contacts?limit=50");
        let both = Filters { q: "ana maria".into(), tag: "vip".into(), ..Default::default() };
        assert_eq!(
            both.path(50, Some("abc")),
            "/contacts?limit=50&q=ana%20maria&tag=vip&cursor=abc"
        );
        let plus = Filters { q: "+55".into(), ..Default::default() };
        assert_eq!(plus.path(10, None), "/contacts?limit=10&q=%2B55");
        let sorted = Filters { segment: "s1".into(), sort: "name".into(), ..Default::default() };
        assert_eq!(
            sorted.path(10, Some("id:Ana")),
            "/contacts?limit=10&segment_id=s1&sort=name&cursor=id%3AAna"
        );
        assert_eq!(sorted.export_href(), "/api/v1/contacts/export?segment_id=s1&sort=name");
        assert!(
            Filters { sort: "name".into(), ..Default::default() }.is_empty(),
            "an order alone filters nothing"
        );
    }

    fn contact() -> ContactDto {
        let now = chrono::Utc::now();
        ContactDto {
            id: uuid::Uuid::nil(),
            phone: "+5511987654321".into(),
            name: "Ana".into(),
            email: Some("ana@example.com".into()),
            tags: vec!["vip".into()],
            attributes: Default::default(),
            notes: None,
            opted_out: false,
            opted_out_at: None,
            opted_out_via: None,
            last_contacted_at: None,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn an_unchanged_number_is_not_sent_again() {
        let original = contact();
        let input = ContactInput {
            phone: original.phone.clone(),
            name: "Ana Maria".into(),
            ..Default::default()
        };
        let request = input.update_request(&original);
        assert_eq!(request.phone, None);
        assert_eq!(request.name.as_deref(), Some("Ana Maria"));
        assert_eq!(request.email.as_deref(), Some(""), "an emptied email is cleared");
        let moved = ContactInput { phone: "(11) 91234-5678".into(), ..Default::default() };
        assert_eq!(moved.update_request(&original).phone.as_deref(), Some("(11) 91234-5678"));
    }

    #[test]
    fn empty_optional_fields_are_left_out_on_create() {
        let request =
            ContactInput { phone: "11 98765-4321".into(), ..Default::default() }.create_request();
        assert_eq!(request.name, None);
        assert_eq!(request.email, None);
        assert_eq!(request.notes, None);
        assert!(request.tags.is_empty());
    }
}
