//! `/settings/business-hours`: when the company answers (weekly windows in its time zone) and
//! the days it is closed. Automation rules read them ("outside business hours").
//!
//! Owners and admins change them; agents see them read-only (the API answers `403` anyway).

use chrono::NaiveDate;
use leptos::prelude::*;
use shared::{
    automation::{BusinessHoursDto, Holiday},
    i18n::Key,
};

use crate::api::use_api;
use crate::components::feedback::{ListError, ListLoading};
use crate::components::hours::WorkingHoursEditor;
use crate::components::icons::{Icon, IconName};
use crate::components::layout::PageHeader;
use crate::components::problems::{
    within, ExactProblem, GeneralProblem, PathProblem, PathProblems,
};
use crate::components::toast::use_toasts;
use crate::hydration::use_hydrated;
use crate::i18n::{fill, t, use_i18n};
use crate::pages::automations::use_manager;
use crate::pages::settings::ReadOnlyNote;

/// The most holidays the API keeps.
const MAX_HOLIDAYS: usize = 100;

/// A holiday as typed: the date as the date input gives it (`YYYY-MM-DD`).
#[derive(Debug, Clone, PartialEq)]
pub struct HolidayForm {
    pub date: String,
    pub name: String,
    pub every_year: bool,
}

impl HolidayForm {
    pub fn of(holiday: &Holiday) -> Self {
        HolidayForm {
            date: holiday.date.format("%Y-%m-%d").to_string(),
            name: holiday.name.clone(),
            every_year: holiday.every_year,
        }
    }

    /// # Errors
    /// The field (`holidays[<index>].date`) when the date is missing or not a date.
    pub fn holiday(&self, index: usize) -> Result<Holiday, (String, Key)> {
        let date = NaiveDate::parse_from_str(self.date.trim(), "%Y-%m-%d")
            .map_err(|_| (format!("holidays[{index}].date"), Key::HolidayDateInvalid))?;
        Ok(Holiday { date, name: self.name.trim().to_owned(), every_year: self.every_year })
    }
}

/// Whether this page shows the problems of an API field.
fn shown(field: &str) -> bool {
    within(field, "windows") || within(field, "holidays")
}

#[component]
pub fn BusinessHoursSettings() -> impl IntoView {
    let api = use_api();
    let retry = RwSignal::new(0u64);
    let loaded = RwSignal::new(None::<Result<BusinessHoursDto, Key>>);
    Effect::new(move |_| {
        retry.get();
        leptos::task::spawn_local(async move {
            let result = api.get::<BusinessHoursDto>("/company/business-hours").await;
            loaded.try_set(Some(result.map_err(|f| f.key())));
        });
    });
    view! {
        <PageHeader title=Key::NavBusinessHours subtitle=Key::BusinessHoursSubtitle/>
        <div class="max-w-3xl">
            {move || match loaded.get() {
                None => view! { <ListLoading/> }.into_any(),
                Some(Err(key)) => {
                    view! { <ListError key retry=Callback::new(move |_| retry.update(|v| *v += 1))/> }
                        .into_any()
                }
                Some(Ok(current)) => view! { <BusinessHoursForm current/> }.into_any(),
            }}
        </div>
    }
    .into_any()
}

#[component]
fn BusinessHoursForm(current: BusinessHoursDto) -> impl IntoView {
    let api = use_api();
    let i18n = use_i18n();
    let toasts = use_toasts();
    let hydrated = use_hydrated();
    let manager = use_manager();
    let time_zone = current.time_zone.clone();
    let windows = RwSignal::new(current.windows);
    let holidays = RwSignal::new(current.holidays.iter().map(HolidayForm::of).collect::<Vec<_>>());
    let count = Memo::new(move |_| holidays.with(Vec::len));
    let problems = PathProblems::new(shown);
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() || !manager.get_untracked() {
            return;
        }
        problems.clear();
        let lang = i18n.lang();
        let parsed = holidays.with_untracked(|all| {
            all.iter().enumerate().map(|(i, h)| h.holiday(i)).collect::<Result<Vec<_>, _>>()
        });
        let holiday_list = match parsed {
            Ok(list) => list,
            Err((field, key)) => {
                problems.at(field, lang.t(key).to_owned());
                return;
            }
        };
        let request = BusinessHoursDto {
            windows: windows.get_untracked(),
            holidays: holiday_list,
            time_zone: time_zone.clone(),
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = api.put::<_, BusinessHoursDto>("/company/business-hours", &request).await;
            busy.try_set(false);
            match result {
                Ok(saved) => {
                    windows.try_set(saved.windows);
                    holidays.try_set(saved.holidays.iter().map(HolidayForm::of).collect());
                    toasts.success(Key::BusinessHoursSaved);
                }
                Err(failure) => problems.api(&failure, lang),
            }
        });
    };

    let zone = current.time_zone;
    let zone_text = zone.clone();
    view! {
        <form class="card space-y-6 px-5 py-5 sm:px-6" novalidate on:submit=submit data-testid="business-hours-form">
            <Show when=move || !manager.get()>
                <ReadOnlyNote key=Key::BusinessHoursReadOnly/>
            </Show>
            <p class="flex flex-wrap items-center gap-x-2 gap-y-1 text-sm text-slate-700" data-testid="business-hours-time-zone" data-zone=zone>
                <Icon icon=IconName::Globe class="size-4 shrink-0 text-slate-500"/>
                <span>{move || fill(i18n.lang().t(Key::BusinessHoursTimeZone), &[("zone", &zone_text)])}</span>
                <a href="/settings/team" class="link" data-testid="business-hours-zone-link">{t(Key::BusinessHoursChangeZone)}</a>
            </p>
            <fieldset class="space-y-6" disabled=move || !manager.get()>
                <div class="space-y-1.5">
                    <WorkingHoursEditor
                        windows
                        testid="business-hours"
                        legend=Key::BusinessHoursWeekly
                        hint=Key::BusinessHoursWeeklyHint
                    />
                    <PathProblem problems path="windows".to_owned()/>
                </div>
                <fieldset class="space-y-3 rounded-lg bg-slate-50 p-4 ring-1 ring-slate-200" data-testid="holidays">
                    <legend class="px-1 text-sm font-semibold text-slate-800">{t(Key::Holidays)}</legend>
                    <p class="text-xs leading-5 text-slate-500">{t(Key::HolidaysHint)}</p>
                    <Show when=move || count.get() == 0>
                        <p class="text-sm text-slate-500" data-testid="holidays-empty">{t(Key::NoHolidays)}</p>
                    </Show>
                    <For each=move || 0..count.get() key=|i| *i let:index>
                        <HolidayRow holidays index problems/>
                    </For>
                    // The list's own problem (too many); a row's shows in the row.
                    <ExactProblem problems field="holidays"/>
                    <button
                        type="button"
                        class="btn btn-secondary btn-sm"
                        data-testid="holiday-add"
                        disabled=move || { count.get() >= MAX_HOLIDAYS }
                        on:click=move |_| holidays.update(|all| all.push(HolidayForm {
                            date: String::new(),
                            name: String::new(),
                            every_year: false,
                        }))
                    >
                        <Icon icon=IconName::Plus class="size-4"/>
                        <span>{t(Key::AddHoliday)}</span>
                    </button>
                </fieldset>
            </fieldset>
            <GeneralProblem problems testid="business-hours-error"/>
            <Show when=move || manager.get()>
                <div class="border-t border-slate-100 pt-5">
                    <button
                        type="submit"
                        class="btn btn-primary"
                        data-testid="business-hours-save"
                        disabled=move || !hydrated.get() || busy.get()
                        aria-busy=move || busy.get().then_some("true")
                    >
                        {move || busy.get().then(|| view! { <span class="spinner" aria-hidden="true"></span> })}
                        {t(Key::Save)}
                    </button>
                </div>
            </Show>
        </form>
    }
    .into_any()
}

/// Holiday `index`: its date, name, "every year", and a remove button.
#[component]
fn HolidayRow(
    holidays: RwSignal<Vec<HolidayForm>>,
    index: usize,
    problems: PathProblems,
) -> impl IntoView {
    let i18n = use_i18n();
    let read = move |f: fn(&HolidayForm) -> String| {
        move || holidays.with(|all| all.get(index).map(f).unwrap_or_default())
    };
    let edit = move |change: Box<dyn FnOnce(&mut HolidayForm)>| {
        holidays.update(|all| {
            if let Some(holiday) = all.get_mut(index) {
                change(holiday);
            }
        })
    };
    let path = format!("holidays[{index}]");
    let invalid = move |name: &'static str| {
        let field = format!("holidays[{index}].{name}");
        move || if problems.under(&field).is_some() { "input input-invalid" } else { "input" }
    };
    view! {
        <div class="space-y-1" data-testid="holiday-row">
            <div class="flex flex-wrap items-center gap-2">
                <input
                    type="date"
                    class=move || format!("{} h-9 w-40 py-0 text-sm", invalid("date")())
                    data-testid="holiday-date"
                    aria-label=move || i18n.lang().t(Key::HolidayDate)
                    prop:value=read(|h| h.date.clone())
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        edit(Box::new(move |h| h.date = value));
                    }
                />
                <input
                    class=move || format!("{} h-9 min-w-0 flex-1 basis-40 py-0 text-sm", invalid("name")())
                    data-testid="holiday-name"
                    autocomplete="off"
                    maxlength="80"
                    placeholder=move || i18n.lang().t(Key::HolidayName)
                    aria-label=move || i18n.lang().t(Key::HolidayName)
                    prop:value=read(|h| h.name.clone())
                    on:input=move |ev| {
                        let value = event_target_value(&ev);
                        edit(Box::new(move |h| h.name = value));
                    }
                />
                <label class="flex items-center gap-2 text-sm text-slate-700">
                    <input
                        type="checkbox"
                        class="size-4 rounded border-slate-300 text-brand-600"
                        data-testid="holiday-every-year"
                        prop:checked=move || holidays.with(|all| all.get(index).is_some_and(|h| h.every_year))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            edit(Box::new(move |h| h.every_year = on));
                        }
                    />
                    {t(Key::HolidayEveryYear)}
                </label>
                <button
                    type="button"
                    class="btn-icon size-8"
                    data-testid="holiday-remove"
                    title=move || i18n.lang().t(Key::RemoveHoliday)
                    on:click=move |_| holidays.update(|all| {
                        if index < all.len() {
                            all.remove(index);
                        }
                    })
                >
                    <Icon icon=IconName::Trash class="size-4"/>
                    <span class="sr-only">{t(Key::RemoveHoliday)}</span>
                </button>
            </div>
            <PathProblem problems path/>
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holidays_are_read_from_the_date_input() {
        let form =
            HolidayForm { date: "2026-12-25".into(), name: " Natal ".into(), every_year: true };
        let holiday = form.holiday(0).unwrap();
        assert_eq!(holiday.name, "Natal");
        assert_eq!(holiday.date, NaiveDate::from_ymd_opt(2026, 12, 25).unwrap());
        assert_eq!(HolidayForm::of(&holiday).date, "2026-12-25");
        let empty = HolidayForm { date: String::new(), name: "x".into(), every_year: false };
        assert_eq!(empty.holiday(3), Err(("holidays[3].date".to_owned(), Key::HolidayDateInvalid)));
    }

    #[test]
    fn the_page_shows_problems_of_hours_and_holidays() {
        assert!(shown("windows"));
        assert!(shown("holidays[2].name"));
        assert!(!shown("time_zone"));
    }
}
