//! The company card on the Team page: its name, the country phone numbers are read in, the time
//! zone campaign schedules are read in, and whether new conversations are assigned
//! automatically to the members who are online.

use leptos::{ev::SubmitEvent, html, prelude::*};
use shared::{
    api::{CompanySettingsDto, UpdateCompanySettingsRequest},
    i18n::Key,
};

use super::Panel;
use crate::api::use_api;
use crate::components::form::{value_of, FormError, FormErrors, SubmitButton, TextField};
use crate::components::toast::use_toasts;
use crate::i18n::t;
use crate::live::use_live;

const FIELDS: &[&str] = &["name", "default_country", "time_zone"];

#[component]
pub fn CompanyCard(#[prop(into)] manager: Signal<bool>) -> impl IntoView {
    let api = use_api();
    let live = use_live();
    let settings = LocalResource::new(move || {
        live.team_version();
        async move { api.get::<CompanySettingsDto>("/company").await.ok() }
    });
    view! {
        <Panel title=Key::CompanyTitle testid="company-panel">
            {move || {
                settings
                    .get()
                    .flatten()
                    .map(|current| view! { <CompanyForm current manager/> })
            }}
        </Panel>
    }
    .into_any()
}

#[component]
fn CompanyForm(current: CompanySettingsDto, manager: Signal<bool>) -> impl IntoView {
    let api = use_api();
    let toasts = use_toasts();
    let errors = FormErrors::new(FIELDS);
    let busy = RwSignal::new(false);
    let name_ref = NodeRef::<html::Input>::new();
    let country_ref = NodeRef::<html::Input>::new();
    let zone_ref = NodeRef::<html::Input>::new();
    let auto_ref = NodeRef::<html::Input>::new();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        errors.clear();
        let request = UpdateCompanySettingsRequest {
            name: Some(value_of(name_ref)),
            default_country: Some(value_of(country_ref)),
            auto_assign: auto_ref.get_untracked().map(|el| el.checked()),
            time_zone: Some(value_of(zone_ref)),
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = api.patch::<_, CompanySettingsDto>("/company", &request).await;
            busy.try_set(false);
            match result {
                Ok(_) => toasts.success(Key::CompanySaved),
                Err(failure) => errors.api(&failure),
            }
        });
    };
    view! {
        <form class="space-y-4 p-5" novalidate on:submit=submit data-testid="company-form">
            <fieldset class="space-y-4" disabled=move || !manager.get()>
                <TextField id="company-name" label=Key::CompanyName node_ref=name_ref errors field="name" value=current.name.clone() testid="company-name"/>
                <TextField
                    id="company-country"
                    label=Key::DefaultCountry
                    node_ref=country_ref
                    errors
                    field="default_country"
                    value=current.default_country.clone()
                    hint=Key::DefaultCountryHint
                    testid="company-country"
                />
                <TextField
                    id="company-time-zone"
                    label=Key::TimeZone
                    node_ref=zone_ref
                    errors
                    field="time_zone"
                    value=current.time_zone.clone()
                    hint=Key::TimeZoneHint
                    testid="company-time-zone"
                />
                <div class="flex items-start gap-3">
                    <input
                        id="company-auto-assign"
                        type="checkbox"
                        class="mt-1 size-4 rounded border-slate-300 text-brand-600"
                        node_ref=auto_ref
                        prop:checked=current.auto_assign
                        data-testid="company-auto-assign"
                        aria-describedby="company-auto-assign-hint"
                    />
                    <div>
                        <label for="company-auto-assign" class="block cursor-pointer text-sm font-medium text-slate-700">
                            {t(Key::AutoAssign)}
                        </label>
                        <p id="company-auto-assign-hint" class="text-xs leading-5 text-slate-500">{t(Key::AutoAssignHint)}</p>
                    </div>
                </div>
            </fieldset>
            <FormError errors/>
            <Show when=move || manager.get()>
                <SubmitButton label=Key::Save busy testid="company-save" class="btn btn-primary"/>
            </Show>
        </form>
    }
    .into_any()
}
