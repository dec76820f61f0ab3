//! `/settings/account`: who I am, my password, my language.

use leptos::{ev::SubmitEvent, prelude::*};
use serde::de::IgnoredAny;
use shared::{
    api::ChangePasswordRequest,
    i18n::{Key, Lang},
    ErrorCode,
};

use crate::api::use_api;
use crate::auth::use_auth;
use crate::components::form::{raw_value_of, FormError, FormErrors, SubmitButton, TextField};
use crate::components::layout::PageHeader;
use crate::i18n::{role_key, t, use_i18n};
use crate::pages::auth::signup::MIN_PASSWORD_CHARS;
use crate::pages::settings::Panel;

#[component]
pub fn AccountSettings() -> impl IntoView {
    view! {
        <PageHeader title=Key::AccountTitle subtitle=Key::AccountSubtitle/>
        <div class="grid items-start gap-6 lg:grid-cols-2">
            <div class="space-y-6">
                <Profile/>
                <LanguageChoice/>
            </div>
            <ChangePassword/>
        </div>
    }
    .into_any()
}

#[component]
fn Profile() -> impl IntoView {
    let auth = use_auth();
    let i18n = use_i18n();
    let session = move || auth.session();
    let row = |label: Key, value: Box<dyn Fn() -> String + Send + Sync>| {
        view! {
            <div class="grid gap-1 py-3 sm:grid-cols-3 sm:gap-4">
                <dt class="text-sm font-medium text-slate-500">{t(label)}</dt>
                <dd class="break-words text-sm text-slate-900 sm:col-span-2">{value}</dd>
            </div>
        }
    };
    view! {
        <Panel title=Key::ProfileTitle testid="profile-panel">
            <dl class="-my-3 divide-y divide-slate-100">
                {row(Key::Name, Box::new(move || session().map(|s| s.user.name).unwrap_or_default()))}
                {row(Key::Email, Box::new(move || session().map(|s| s.user.email).unwrap_or_default()))}
                {row(
                    Key::Role,
                    Box::new(move || {
                        session().map(|s| i18n.lang().t(role_key(s.user.role)).to_owned()).unwrap_or_default()
                    }),
                )}
                {row(Key::Company, Box::new(move || session().map(|s| s.company.name).unwrap_or_default()))}
            </dl>
        </Panel>
    }
    .into_any()
}

/// Radio cards for the interface language (the sidebar's switcher does the same).
#[component]
fn LanguageChoice() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Panel title=Key::Language description=Key::LanguageHint testid="language-panel">
            <fieldset>
                <legend class="sr-only">{t(Key::Language)}</legend>
                <div class="grid gap-3 sm:grid-cols-2">
                    {Lang::ALL
                        .into_iter()
                        .map(|lang| {
                            view! {
                                <label class="flex cursor-pointer items-center gap-3 rounded-lg border border-slate-200 px-4 py-3 text-sm font-medium text-slate-800 hover:bg-slate-50 has-[:checked]:border-brand-500 has-[:checked]:bg-brand-50 has-[:checked]:ring-1 has-[:checked]:ring-brand-500">
                                    <input
                                        type="radio"
                                        name="language"
                                        value=lang.tag()
                                        class="size-4 accent-brand-600"
                                        data-testid=format!("language-{}", lang.tag())
                                        prop:checked=move || i18n.lang() == lang
                                        on:change=move |_| i18n.set(lang)
                                    />
                                    {lang.native_name()}
                                </label>
                            }
                        })
                        .collect_view()}
                </div>
            </fieldset>
        </Panel>
    }
    .into_any()
}

#[component]
fn ChangePassword() -> impl IntoView {
    let api = use_api();
    let auth = use_auth();
    let current_ref = NodeRef::new();
    let new_ref = NodeRef::new();
    let confirm_ref = NodeRef::new();
    let errors = FormErrors::new(&["current_password", "new_password", "new_password_confirm"]);
    let busy = RwSignal::new(false);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        errors.clear();
        let current_password = raw_value_of(current_ref);
        let new_password = raw_value_of(new_ref);
        if current_password.is_empty() {
            return errors.field("current_password", Key::FieldRequired);
        }
        if new_password.chars().count() < MIN_PASSWORD_CHARS {
            return errors.field("new_password", Key::ErrWeakPassword);
        }
        if raw_value_of(confirm_ref) != new_password {
            return errors.field("new_password_confirm", Key::PasswordsDontMatch);
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            let request = ChangePasswordRequest { current_password, new_password };
            let result = api.post::<_, IgnoredAny>("/auth/change-password", &request).await;
            busy.set(false);
            match result {
                // The server has ended every session, this one included: log in again.
                Ok(_) => auth.signed_out("/login?notice=password_changed"),
                Err(failure)
                    if failure.is(ErrorCode::InvalidCredentials)
                        || failure.field() == Some("current_password") =>
                {
                    errors.api_as("current_password", Key::CurrentPasswordWrong)
                }
                // Password rules name the API's `password` field.
                Err(failure) if failure.field() == Some("password") => {
                    errors.api_as("new_password", failure.key())
                }
                Err(failure) => errors.api(&failure),
            }
        });
    };

    view! {
        <Panel title=Key::ChangePasswordTitle description=Key::ChangePasswordHint testid="password-panel">
            <form class="space-y-5" novalidate data-testid="password-form" on:submit=on_submit>
                <TextField
                    id="current-password"
                    label=Key::CurrentPassword
                    input_type="password"
                    autocomplete="current-password"
                    node_ref=current_ref
                    errors
                    field="current_password"
                    testid="current-password"
                />
                <TextField
                    id="new-password"
                    label=Key::NewPassword
                    input_type="password"
                    autocomplete="new-password"
                    hint=Key::PasswordHint
                    node_ref=new_ref
                    errors
                    field="new_password"
                    testid="new-password"
                />
                <TextField
                    id="new-password-confirm"
                    label=Key::ConfirmNewPassword
                    input_type="password"
                    autocomplete="new-password"
                    node_ref=confirm_ref
                    errors
                    field="new_password_confirm"
                    testid="new-password-confirm"
                />
                <FormError errors testid="password-error"/>
                <SubmitButton label=Key::ChangePasswordSubmit busy testid="password-submit" class="btn btn-primary w-full sm:w-auto"/>
            </form>
        </Panel>
    }
    .into_any()
}
