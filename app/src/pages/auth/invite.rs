//! `/invite?token=...`: the link from an invitation email. Shows which company invites whom,
//! then creates the account (or, for an existing account, confirms with its password).

use leptos::{ev::SubmitEvent, prelude::*};
use leptos_router::hooks::{use_navigate, use_query_map};
use serde::de::IgnoredAny;
use shared::{
    api::{AcceptInvitationRequest, InvitationPreview},
    i18n::Key,
    ErrorCode,
};

use crate::api::{encode_query, use_api};
use crate::components::form::{
    raw_value_of, value_of, Alert, AlertKind, FormError, FormErrors, SubmitButton, TextField,
};
use crate::components::layout::AuthLayout;
use crate::i18n::{fill, role_key, t, use_i18n};
use crate::pages::auth::signup::MIN_PASSWORD_CHARS;

#[component]
pub fn AcceptInvitation() -> impl IntoView {
    let api = use_api();
    let token = use_query_map().with_untracked(|q| q.get("token")).filter(|t| !t.is_empty());

    let preview = {
        let token = token.clone();
        LocalResource::new(move || {
            let token = token.clone();
            async move {
                match token {
                    Some(token) => {
                        let path = format!("/invitations/preview?token={}", encode_query(&token));
                        api.get::<InvitationPreview>(&path).await.map_err(|f| f.key())
                    }
                    None => Err(Key::LinkIncomplete),
                }
            }
        })
    };

    view! {
        <AuthLayout title=Key::InviteAccept>
            {move || match preview.get() {
                None => {
                    view! {
                        <p class="flex items-center gap-3 text-sm text-slate-600" role="status">
                            <span class="spinner text-brand-600" aria-hidden="true"></span>
                            {t(Key::Loading)}
                        </p>
                    }
                        .into_any()
                }
                Some(Err(key)) => {
                    view! {
                        <div class="space-y-5">
                            <Alert kind=AlertKind::Error testid="invite-invalid">
                                <p>{t(key)}</p>
                            </Alert>
                            <a href="/login" class="btn btn-secondary w-full">
                                {t(Key::GoToLogin)}
                            </a>
                        </div>
                    }
                        .into_any()
                }
                Some(Ok(preview)) => {
                    view! { <AcceptForm preview token=token.clone().unwrap_or_default()/> }.into_any()
                }
            }}
        </AuthLayout>
    }
    .into_any()
}

#[component]
fn AcceptForm(preview: InvitationPreview, token: String) -> impl IntoView {
    let api = use_api();
    let i18n = use_i18n();
    let navigate = use_navigate();
    let name_ref = NodeRef::new();
    let password_ref = NodeRef::new();
    let errors = FormErrors::new(&["name", "password"]);
    let busy = RwSignal::new(false);
    let existing = preview.existing_user;
    let email = preview.email.clone();

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        errors.clear();
        let name = (!existing).then(|| value_of(name_ref));
        if name.as_deref() == Some("") {
            return errors.field("name", Key::FieldRequired);
        }
        let password = raw_value_of(password_ref);
        if password.is_empty() {
            return errors.field("password", Key::FieldRequired);
        }
        if !existing && password.chars().count() < MIN_PASSWORD_CHARS {
            return errors.field("password", Key::ErrWeakPassword);
        }
        busy.set(true);
        let request = AcceptInvitationRequest { token: token.clone(), name, password };
        let target = format!("/login?notice=invite_accepted&email={}", encode_query(&email));
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let result = api.post::<_, IgnoredAny>("/invitations/accept", &request).await;
            busy.set(false);
            match result {
                Ok(_) => navigate(&target, Default::default()),
                Err(failure)
                    if existing
                        && failure.is(ErrorCode::ValidationFailed)
                        && failure.field() == Some("password") =>
                {
                    errors.api_as("password", Key::CurrentPasswordWrong)
                }
                Err(failure) => errors.api(&failure),
            }
        });
    };

    let company = preview.company_name.clone();
    let heading = move || fill(i18n.lang().t(Key::InviteTitle), &[("company", &company)]);
    let (role, invited_email) = (preview.role, preview.email.clone());
    let subtitle = move || {
        let lang = i18n.lang();
        fill(
            lang.t(Key::InviteSubtitle),
            &[("role", lang.t(role_key(role))), ("email", &invited_email)],
        )
    };

    view! {
        <div class="mb-6 space-y-1.5" data-testid="invite-preview">
            <h2 class="text-lg font-semibold text-slate-900">{heading}</h2>
            <p class="break-words text-sm text-slate-600">{subtitle}</p>
            <p class="text-sm text-slate-600">
                {t(if existing { Key::InviteExistingHint } else { Key::InviteNewHint })}
            </p>
        </div>
        <form class="space-y-5" novalidate data-testid="accept-form" on:submit=on_submit>
            {(!existing)
                .then(|| {
                    view! {
                        <TextField
                            id="accept-name"
                            label=Key::YourName
                            autocomplete="name"
                            node_ref=name_ref
                            errors
                            field="name"
                            testid="accept-name"
                        />
                    }
                })}
            <TextField
                id="accept-password"
                label=if existing { Key::CurrentPassword } else { Key::Password }
                input_type="password"
                autocomplete=if existing { "current-password" } else { "new-password" }
                nostrip:hint=(!existing).then_some(Key::PasswordHint)
                node_ref=password_ref
                errors
                field="password"
                testid="accept-password"
            />
            <FormError errors testid="accept-error"/>
            <SubmitButton label=Key::InviteAccept busy testid="accept-submit"/>
        </form>
    }
    .into_any()
}
