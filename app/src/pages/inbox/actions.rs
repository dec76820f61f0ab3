//! The controls under a conversation's name: who has it (take it, hand it on), its status
//! (including snoozing until a time), and its labels. Each change goes to
//! `PATCH /conversations/{id}` (or `POST .../claim`); the answer updates this tab at once and the
//! live `conversation.updated` event updates everyone else's.

use chrono::{DateTime, Datelike, Duration, Local, NaiveTime, TimeZone, Utc, Weekday};
use leptos::prelude::*;
use shared::{
    api::{ConversationDto, UpdateConversationRequest},
    i18n::Key,
    ErrorCode,
};
use uuid::Uuid;

use super::{format, Members, Thread};
use crate::api::{use_api, Api, ApiFailure};
use crate::auth::use_auth;
use crate::components::icons::{Icon, IconName};
use crate::components::toast::{use_toasts, Toasts};
use crate::i18n::{fill, t, use_i18n};

/// The snooze choices offered: in an hour, tomorrow morning, next Monday morning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Snooze {
    Hour,
    Tomorrow,
    NextWeek,
}

impl Snooze {
    const ALL: [Snooze; 3] = [Snooze::Hour, Snooze::Tomorrow, Snooze::NextWeek];

    fn as_str(self) -> &'static str {
        match self {
            Snooze::Hour => "hour",
            Snooze::Tomorrow => "tomorrow",
            Snooze::NextWeek => "next_week",
        }
    }

    fn key(self) -> Key {
        match self {
            Snooze::Hour => Key::SnoozeHour,
            Snooze::Tomorrow => Key::SnoozeTomorrow,
            Snooze::NextWeek => Key::SnoozeNextWeek,
        }
    }

    /// When the snooze ends, from `now` in the browser's time zone (mornings are 9:00 local).
    fn until(self, now: DateTime<Local>) -> DateTime<Utc> {
        let morning = |days: i64| {
            let day = now.date_naive() + Duration::days(days);
            let at = day.and_time(NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default());
            Local.from_local_datetime(&at).earliest().unwrap_or(now + Duration::days(days))
        };
        let local = match self {
            Snooze::Hour => now + Duration::hours(1),
            Snooze::Tomorrow => morning(1),
            Snooze::NextWeek => {
                let ahead = 7 - i64::from(now.weekday().num_days_from_monday());
                morning(if now.weekday() == Weekday::Mon { 7 } else { ahead })
            }
        };
        local.with_timezone(&Utc)
    }

    fn parse(value: &str) -> Option<Snooze> {
        Snooze::ALL.into_iter().find(|s| s.as_str() == value)
    }
}

/// Sends a change and shows its answer; a conversation someone else took is re-read and said so.
fn change(
    api: Api,
    toasts: Toasts,
    thread: Thread,
    busy: RwSignal<bool>,
    id: Uuid,
    request: Option<UpdateConversationRequest>,
) {
    busy.set(true);
    leptos::task::spawn_local(async move {
        let result = match &request {
            Some(body) => {
                api.patch::<_, ConversationDto>(&format!("/conversations/{id}"), body).await
            }
            None => api.post_empty::<ConversationDto>(&format!("/conversations/{id}/claim")).await,
        };
        busy.try_set(false);
        match result {
            Ok(conversation) => thread.show_conversation(conversation),
            Err(failure) => {
                toasts.error(failure.key());
                if failure.is(ErrorCode::ConversationTaken) {
                    refresh(api, thread, id).await;
                }
            }
        }
    });
}

async fn refresh(api: Api, thread: Thread, id: Uuid) {
    let fresh: Result<ConversationDto, ApiFailure> = api.get(&format!("/conversations/{id}")).await;
    if let Ok(conversation) = fresh {
        thread.show_conversation(conversation);
    }
}

#[component]
pub fn ConversationActions(
    thread: Thread,
    members: Members,
    me: Signal<Option<Uuid>>,
) -> impl IntoView {
    let api = use_api();
    let toasts = use_toasts();
    let auth = use_auth();
    let i18n = use_i18n();
    let busy = RwSignal::new(false);
    let manager = Signal::derive(move || auth.session().is_some_and(|s| s.can_manage_team()));
    let conversation = Memo::new(move |_| thread.conversation.get());
    let id = move || conversation.with(|c| c.as_ref().map(|c| c.id));
    let assignee =
        Memo::new(move |_| conversation.with(|c| c.as_ref().and_then(|c| c.assignee_id)));
    let persona = Memo::new(move |_| conversation.with(|c| c.as_ref().and_then(|c| c.persona_id)));
    let status = Memo::new(move |_| {
        conversation.with(|c| c.as_ref().map(|c| c.status.clone()).unwrap_or_default())
    });
    let labels = Memo::new(move |_| {
        conversation.with(|c| c.as_ref().map(|c| c.labels.clone()).unwrap_or_default())
    });
    // Agents take what is free and hand on what is theirs; owners and admins move anything.
    let may_assign = Signal::derive(move || {
        manager.get() || assignee.get().is_none() || assignee.get() == me.get()
    });

    let patch = move |request: UpdateConversationRequest| {
        if let Some(id) = id() {
            change(api, toasts, thread, busy, id, Some(request));
        }
    };
    let claim = move |_| {
        if let Some(id) = id() {
            change(api, toasts, thread, busy, id, None);
        }
    };
    // The menu holds teammates and AI personas ("persona:<id>"); "" leaves it to the team's
    // queue (and stops the AI when one was answering).
    let on_assign = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        if let Some(id) = value.strip_prefix("persona:").and_then(|raw| raw.parse::<Uuid>().ok()) {
            if Some(id) != persona.get_untracked() {
                patch(UpdateConversationRequest {
                    persona_id: Some(Some(id)),
                    ..Default::default()
                });
            }
            return;
        }
        let to = value.parse::<Uuid>().ok();
        if to.is_none() && persona.get_untracked().is_some() {
            patch(UpdateConversationRequest { persona_id: Some(None), ..Default::default() });
        } else if to != assignee.get_untracked() {
            patch(UpdateConversationRequest { assignee_id: Some(to), ..Default::default() });
        }
    };
    let selected_owner = move || match (assignee.get(), persona.get()) {
        (Some(user), _) => user.to_string(),
        (None, Some(persona)) => format!("persona:{persona}"),
        (None, None) => String::new(),
    };
    let on_status = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        if let Some(snooze) = value.strip_prefix("snooze:").and_then(Snooze::parse) {
            patch(UpdateConversationRequest {
                status: Some("snoozed".into()),
                snoozed_until: Some(snooze.until(Local::now())),
                ..Default::default()
            });
        } else if value != status.get_untracked() {
            patch(UpdateConversationRequest { status: Some(value), ..Default::default() });
        }
    };
    let set_labels = move |next: Vec<String>| {
        patch(UpdateConversationRequest { labels: Some(next), ..Default::default() });
    };
    let label_input = NodeRef::<leptos::html::Input>::new();
    let add_label = move || {
        let Some(input) = label_input.get_untracked() else { return };
        let label = input.value().trim().to_owned();
        if label.is_empty() {
            return;
        }
        input.set_value("");
        let mut next = labels.get_untracked();
        if !next.iter().any(|l| l.eq_ignore_ascii_case(&label)) {
            next.push(label);
            set_labels(next);
        }
    };

    let holder = move || {
        let assignee = assignee.get()?;
        Some(if Some(assignee) == me.get() {
            i18n.lang().t(Key::AssignedToYou).to_owned()
        } else {
            let name =
                members.name(assignee).unwrap_or_else(|| i18n.lang().t(Key::ATeammate).to_owned());
            fill(i18n.lang().t(Key::AssignedTo), &[("name", &name)])
        })
    };

    let persona_badge = move || {
        let id = persona.get()?;
        let name = members.persona_name(id).unwrap_or_else(|| "AI".to_owned());
        Some(view! {
            <span class="badge gap-1 bg-violet-50 text-violet-800 ring-1 ring-violet-200 ring-inset" data-testid="conversation-persona" data-persona=id.to_string()>
                <Icon icon=IconName::Sparkles class="size-3.5"/>
                {move || fill(i18n.lang().t(Key::PersonaAnswering), &[("name", &name)])}
            </span>
        })
    };

    view! {
        <div class="mt-2 flex flex-wrap items-center gap-2" data-testid="conversation-actions" aria-busy=move || busy.get().then_some("true")>
            {persona_badge}
            {move || match holder() {
                None => view! {
                    <button type="button" class="btn btn-primary btn-sm" data-testid="conversation-claim" disabled=move || busy.get() on:click=claim>
                        {t(Key::TakeConversation)}
                    </button>
                }
                .into_any(),
                Some(text) => view! {
                    <span
                        class="badge badge-role"
                        data-testid="conversation-assignee"
                        data-assignee=assignee.get().map(|id| id.to_string()).unwrap_or_default()
                    >
                        {text}
                    </span>
                }
                .into_any(),
            }}
            <label class="sr-only" for="conversation-assign">{t(Key::AssignTo)}</label>
            <select
                id="conversation-assign"
                class="input h-8 w-auto py-0 text-sm"
                data-testid="conversation-assign"
                disabled=move || busy.get() || !may_assign.get()
                on:change=on_assign
                prop:value=selected_owner
            >
                <option value="">{t(Key::Unassigned)}</option>
                {move || {
                    members
                        .list
                        .get()
                        .into_iter()
                        .map(|member| {
                            let value = member.user_id.to_string();
                            let selected = assignee.get() == Some(member.user_id);
                            view! { <option value=value selected=selected>{member.name}</option> }
                        })
                        .collect_view()
                }}
                <optgroup label=move || i18n.lang().t(Key::AiPersonasGroup)>
                    {move || {
                        members
                            .personas
                            .get()
                            .into_iter()
                            .filter(|p| p.enabled || persona.get() == Some(p.id))
                            .map(|p| {
                                let selected = persona.get() == Some(p.id) && assignee.get().is_none();
                                view! { <option value=format!("persona:{}", p.id) selected=selected>{p.name}</option> }
                            })
                            .collect_view()
                    }}
                </optgroup>
            </select>
            <label class="sr-only" for="conversation-status">{t(Key::ConversationStatus)}</label>
            <select
                id="conversation-status"
                class="input h-8 w-auto py-0 text-sm"
                data-testid="conversation-status"
                disabled=move || busy.get()
                on:change=on_status
                prop:value=move || status.get()
            >
                {["open", "pending", "resolved", "snoozed"]
                    .into_iter()
                    .map(|value| {
                        let key = format::status_word(value).unwrap_or(Key::StatusOpen);
                        // "Snoozed" is shown, not chosen: a time is needed, picked below.
                        view! { <option value=value disabled=value == "snoozed" selected=move || status.get() == value>{t(key)}</option> }
                    })
                    .collect_view()}
                <optgroup label=move || i18n.lang().t(Key::SnoozeUntil)>
                    {Snooze::ALL
                        .into_iter()
                        .map(|snooze| view! { <option value=format!("snooze:{}", snooze.as_str())>{t(snooze.key())}</option> })
                        .collect_view()}
                </optgroup>
            </select>
            {move || {
                conversation
                    .with(|c| c.as_ref().and_then(|c| c.snoozed_until))
                    .map(|until| {
                        let until = crate::pages::format_local_datetime(&until);
                        view! {
                            <span class="flex items-center gap-1 text-xs text-slate-500" data-testid="conversation-snoozed-until">
                                <Icon icon=IconName::Clock class="size-3.5"/>
                                {move || fill(i18n.lang().t(Key::SnoozedUntil), &[("until", &until)])}
                            </span>
                        }
                    })
            }}
            <ul role="list" class="flex flex-wrap items-center gap-1" data-testid="conversation-labels">
                {move || {
                    labels
                        .get()
                        .into_iter()
                        .map(|label| {
                            let removed = label.clone();
                            let spoken = label.clone();
                            view! {
                                <li class="badge gap-1" data-testid="conversation-label-chip" data-label=label.clone()>
                                    {label.clone()}
                                    <button
                                        type="button"
                                        class="-mr-1 rounded-full p-0.5 hover:bg-slate-200"
                                        data-testid="conversation-label-remove"
                                        disabled=move || busy.get()
                                        on:click=move |_| {
                                            let next = labels.get_untracked().into_iter().filter(|l| *l != removed).collect();
                                            set_labels(next);
                                        }
                                    >
                                        <Icon icon=IconName::Close class="size-3"/>
                                        <span class="sr-only">{move || fill(i18n.lang().t(Key::RemoveLabel), &[("label", &spoken)])}</span>
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()
                }}
                <li>
                    <input
                        node_ref=label_input
                        class="input h-7 w-28 py-0 text-xs"
                        maxlength="40"
                        data-testid="conversation-label-input"
                        aria-label=t(Key::AddLabel)
                        placeholder=move || i18n.lang().t(Key::AddLabel)
                        disabled=move || busy.get()
                        on:keydown=move |ev| {
                            if ev.key() == "Enter" {
                                ev.prevent_default();
                                add_label();
                            }
                        }
                    />
                </li>
            </ul>
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snoozes_end_in_an_hour_or_on_a_morning_ahead() {
        // A Wednesday afternoon.
        let now = Local.with_ymd_and_hms(2026, 11, 25, 15, 30, 0).unwrap();
        assert_eq!(Snooze::Hour.until(now), (now + Duration::hours(1)).with_timezone(&Utc));
        let tomorrow = Snooze::Tomorrow.until(now).with_timezone(&Local);
        assert_eq!((tomorrow.day(), tomorrow.hour_minute()), (26, (9, 0)));
        let monday = Snooze::NextWeek.until(now).with_timezone(&Local);
        assert_eq!((monday.weekday(), monday.day()), (Weekday::Mon, 30));
        // On a Monday, "next week" is the Monday after.
        let on_monday = Local.with_ymd_and_hms(2026, 11, 30, 8, 0, 0).unwrap();
        assert_eq!(Snooze::NextWeek.until(on_monday).with_timezone(&Local).day(), 7);
    }

    trait HourMinute {
        fn hour_minute(&self) -> (u32, u32);
    }

    impl HourMinute for DateTime<Local> {
        fn hour_minute(&self) -> (u32, u32) {
            use chrono::Timelike;
            (self.hour(), self.minute())
        }
    }
}
