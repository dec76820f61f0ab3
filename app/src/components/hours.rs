//! Weekly time windows (days of the week, from–until, in the company's time zone): a persona's
//! working hours, the company's business hours, an automation rule's "time of day" condition.
//! No window means any time.

use leptos::prelude::*;
use shared::{ai::WorkingWindow, i18n::Key};

use crate::components::icons::{Icon, IconName};
use crate::i18n::{t, use_i18n};

/// Days as the API numbers them (1 = Monday … 7 = Sunday) with their short names.
const DAYS: [(u8, Key); 7] = [
    (1, Key::DayMon),
    (2, Key::DayTue),
    (3, Key::DayWed),
    (4, Key::DayThu),
    (5, Key::DayFri),
    (6, Key::DaySat),
    (7, Key::DaySun),
];

/// A window as a person starts one: Monday to Friday, office hours.
pub fn new_window() -> WorkingWindow {
    WorkingWindow { days: vec![1, 2, 3, 4, 5], start: "09:00".into(), end: "18:00".into() }
}

/// Toggles `day` in the window's days, keeping them in week order.
pub fn toggle_day(window: &mut WorkingWindow, day: u8) {
    if let Some(at) = window.days.iter().position(|d| *d == day) {
        window.days.remove(at);
    } else {
        window.days.push(day);
        window.days.sort_unstable();
    }
}

/// The windows of `windows`, each with its days and times, and buttons to add and remove them.
/// Every `data-testid` starts with `testid` (`persona-hours`, `persona-hours-day`, ...).
#[component]
pub fn WorkingHoursEditor(
    windows: RwSignal<Vec<WorkingWindow>>,
    #[prop(default = "persona-hours")] testid: &'static str,
    #[prop(default = Key::WorkingHours)] legend: Key,
    #[prop(default = Key::WorkingHoursHint)] hint: Key,
) -> impl IntoView {
    let count = Memo::new(move |_| windows.with(Vec::len));
    let id = move |part: &str| format!("{testid}-{part}");
    view! {
        <fieldset class="space-y-3 rounded-lg bg-slate-50 p-4 ring-1 ring-slate-200" data-testid=testid>
            <legend class="px-1 text-sm font-semibold text-slate-800">{t(legend)}</legend>
            <p class="text-xs leading-5 text-slate-500">{t(hint)}</p>
            <For each=move || 0..count.get() key=|i| *i let:index>
                <div class="flex flex-wrap items-center gap-2" data-testid=id("window")>
                    <div class="flex flex-wrap gap-1" role="group">
                        {DAYS
                            .into_iter()
                            .map(|(day, key)| {
                                let on = move || {
                                    windows.with(|w| w.get(index).is_some_and(|w| w.days.contains(&day)))
                                };
                                view! {
                                    <button
                                        type="button"
                                        data-testid=id("day")
                                        data-day=day.to_string()
                                        aria-pressed=move || if on() { "true" } else { "false" }
                                        class=move || if on() {
                                            "rounded-md bg-brand-600 px-2 py-1 text-xs font-semibold text-white"
                                        } else {
                                            "rounded-md bg-white px-2 py-1 text-xs font-medium text-slate-600 ring-1 ring-slate-200"
                                        }
                                        on:click=move |_| windows.update(|w| {
                                            if let Some(window) = w.get_mut(index) {
                                                toggle_day(window, day);
                                            }
                                        })
                                    >
                                        {t(key)}
                                    </button>
                                }
                            })
                            .collect_view()}
                    </div>
                    <TimeInput windows index testid=id("start") label=Key::WorkingFrom end=false/>
                    <span class="text-sm text-slate-500">"–"</span>
                    <TimeInput windows index testid=id("end") label=Key::WorkingUntil end=true/>
                    <button
                        type="button"
                        class="btn-icon size-8"
                        data-testid=id("remove")
                        on:click=move |_| windows.update(|w| {
                            if index < w.len() {
                                w.remove(index);
                            }
                        })
                    >
                        <Icon icon=IconName::Trash class="size-4"/>
                        <span class="sr-only">{t(Key::RemoveWorkingWindow)}</span>
                    </button>
                </div>
            </For>
            <button
                type="button"
                class="btn btn-secondary btn-sm"
                data-testid=id("add")
                disabled=move || { count.get() >= 21 }
                on:click=move |_| windows.update(|w| w.push(new_window()))
            >
                <Icon icon=IconName::Plus class="size-4"/>
                <span>{t(Key::AddWorkingWindow)}</span>
            </button>
        </fieldset>
    }
    .into_any()
}

/// The start (or, with `end`, the end) time of window `index`.
#[component]
fn TimeInput(
    windows: RwSignal<Vec<WorkingWindow>>,
    index: usize,
    testid: String,
    label: Key,
    end: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let read = move |w: &WorkingWindow| if end { w.end.clone() } else { w.start.clone() };
    view! {
        <input
            type="time"
            class="input h-8 w-32 py-0 text-sm"
            data-testid=testid
            aria-label=move || i18n.lang().t(label)
            prop:value=move || windows.with(|w| w.get(index).map(read).unwrap_or_default())
            on:change=move |ev| {
                let value = event_target_value(&ev);
                windows.update(|w| {
                    if let Some(window) = w.get_mut(index) {
                        *(if end { &mut window.end } else { &mut window.start }) = value;
                    }
                });
            }
        />
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_toggle_in_week_order() {
        let mut window = new_window();
        toggle_day(&mut window, 6);
        toggle_day(&mut window, 2);
        assert_eq!(window.days, vec![1, 3, 4, 5, 6]);
        toggle_day(&mut window, 2);
        assert_eq!(window.days, vec![1, 2, 3, 4, 5, 6]);
        assert!(new_window().is_valid());
    }
}
