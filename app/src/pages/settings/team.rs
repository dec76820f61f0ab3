//! `/settings/team`: members, pending invitations and the invite form.
//!
//! Owners and admins change roles, remove members and invite; agents see the same lists read-only
//! (the server enforces this anyway and answers `403 forbidden`). Lists refetch after our own
//! changes and on every `team.changed` live event, so two admins see each other's work.

use leptos::{ev::SubmitEvent, html, prelude::*};
use serde::de::IgnoredAny;
use shared::{
    api::{CreateInvitationRequest, InvitationDto, MemberDto, Page, UpdateMemberRequest},
    i18n::Key,
    ErrorCode, Role,
};

use crate::api::{use_api, ApiFailure};
use crate::auth::{use_auth, Session};
use crate::components::app_shell::initials;
use crate::components::feedback::page_list;
use crate::components::form::{
    looks_like_email, value_of, FormError, FormErrors, SubmitButton, TextField,
};
use crate::components::layout::PageHeader;
use crate::components::toast::use_toasts;
use crate::i18n::{fill, role_key, t, use_i18n};
use crate::live::use_live;
use crate::pages::format_date;
use crate::pages::settings::company::CompanyCard;
use crate::pages::settings::{ConfirmInline, Panel, ReadOnlyNote};

type Members = LocalResource<Result<Page<MemberDto>, ApiFailure>>;
type Invitations = LocalResource<Result<Page<InvitationDto>, ApiFailure>>;

#[component]
pub fn TeamSettings() -> impl IntoView {
    let api = use_api();
    let auth = use_auth();
    let live = use_live();

    let members: Members = LocalResource::new(move || {
        live.team_version();
        async move { api.get::<Page<MemberDto>>("/members").await }
    });
    let invitations: Invitations = LocalResource::new(move || {
        live.team_version();
        async move { api.get::<Page<InvitationDto>>("/invitations").await }
    });
    let reload = Callback::new(move |_: ()| {
        members.refetch();
        invitations.refetch();
    });
    let manager = move || auth.session().map(|s| s.can_manage_team()).unwrap_or(false);

    view! {
        <PageHeader title=Key::TeamTitle subtitle=Key::TeamSubtitle/>
        <div class="grid items-start gap-6 lg:grid-cols-3">
            <div class="space-y-6 lg:order-2">
                {move || {
                    if manager() {
                        view! { <InviteForm on_sent=reload/> }.into_any()
                    } else {
                        view! { <ReadOnlyNote key=Key::TeamReadOnly/> }.into_any()
                    }
                }}
                <CompanyCard manager=Signal::derive(manager)/>
            </div>
            <div class="space-y-6 lg:order-1 lg:col-span-2">
                <Panel title=Key::MembersTitle testid="members-panel">
                    <MemberList members reload/>
                </Panel>
                <Panel title=Key::PendingInvitationsTitle testid="invitations-panel">
                    <InvitationList invitations reload/>
                </Panel>
            </div>
        </div>
    }
    .into_any()
}

/// The roles the current person may hand out: only owners create other owners.
fn assignable_roles(me: Role) -> &'static [Role] {
    match me {
        Role::Owner => &[Role::Agent, Role::Admin, Role::Owner],
        _ => &[Role::Agent, Role::Admin],
    }
}

#[component]
fn InviteForm(on_sent: Callback<()>) -> impl IntoView {
    let api = use_api();
    let auth = use_auth();
    let toasts = use_toasts();
    let i18n = use_i18n();
    let email_ref = NodeRef::<html::Input>::new();
    let role_ref = NodeRef::<html::Select>::new();
    let errors = FormErrors::new(&["email", "role"]);
    let busy = RwSignal::new(false);
    let my_role = move || auth.role().unwrap_or(Role::Agent);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        errors.clear();
        let email = value_of(email_ref);
        if !looks_like_email(&email) {
            let key = if email.is_empty() { Key::FieldRequired } else { Key::InvalidEmail };
            return errors.field("email", key);
        }
        let role = role_ref
            .get_untracked()
            .and_then(|select| Role::parse(&select.value()))
            .unwrap_or(Role::Agent);
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = api
                .post::<_, InvitationDto>("/invitations", &CreateInvitationRequest { email, role })
                .await;
            busy.set(false);
            match result {
                Ok(_) => {
                    if let Some(input) = email_ref.get_untracked() {
                        input.set_value("");
                    }
                    toasts.success(Key::InvitationSent);
                    on_sent.run(());
                }
                Err(failure) if failure.is(ErrorCode::Conflict) => {
                    errors.api_as("email", Key::AlreadyMember)
                }
                Err(failure) => errors.api(&failure),
            }
        });
    };

    view! {
        <section class="card lg:sticky lg:top-20" data-testid="invite-panel">
            <div class="border-b border-slate-100 px-5 py-4 sm:px-6">
                <h2 class="font-semibold text-slate-900">{t(Key::InviteFormTitle)}</h2>
                <p class="mt-1 text-sm leading-6 text-slate-600">{t(Key::InviteFormHint)}</p>
            </div>
            <form class="space-y-4 px-5 py-5 sm:px-6" novalidate data-testid="invite-form" on:submit=on_submit>
                <TextField
                    id="invite-email"
                    label=Key::Email
                    input_type="email"
                    autocomplete="off"
                    node_ref=email_ref
                    errors
                    field="email"
                    testid="invite-email"
                />
                <div class="space-y-1.5">
                    <label for="invite-role" class="block text-sm font-medium text-slate-700">
                        {t(Key::Role)}
                    </label>
                    <select id="invite-role" class="input" node_ref=role_ref data-testid="invite-role">
                        {move || {
                            assignable_roles(my_role())
                                .iter()
                                .map(|role| {
                                    view! {
                                        <option value=role.as_str() selected=*role == Role::Agent>
                                            {move || i18n.lang().t(role_key(*role))}
                                        </option>
                                    }
                                })
                                .collect_view()
                        }}
                    </select>
                </div>
                <FormError errors testid="invite-error"/>
                <SubmitButton label=Key::InviteSubmit busy testid="invite-submit"/>
            </form>
        </section>
    }
    .into_any()
}

#[component]
fn MemberList(members: Members, reload: Callback<()>) -> impl IntoView {
    let auth = use_auth();
    page_list(members, Key::NoMembers, "no-members", move |member| {
        view! { <MemberRow member me=auth.session() reload/> }
    })
}

#[component]
fn MemberRow(member: MemberDto, me: Option<Session>, reload: Callback<()>) -> impl IntoView {
    let api = use_api();
    let toasts = use_toasts();
    let i18n = use_i18n();
    let confirming = RwSignal::new(false);
    let busy = RwSignal::new(false);

    let is_me = me.as_ref().map(|s| s.user.id == member.user_id).unwrap_or(false);
    let my_role = me.as_ref().map(|s| s.user.role).unwrap_or(Role::Agent);
    // Admins cannot touch owners; nobody edits themselves here.
    let can_edit = !is_me
        && my_role.can_manage_team()
        && (my_role == Role::Owner || member.role != Role::Owner);
    let user_id = member.user_id;
    let name = member.name.clone();
    let current_role = member.role;

    let change_role = move |ev: leptos::ev::Event| {
        let Some(role) = Role::parse(&event_target_value(&ev)) else { return };
        if role == current_role {
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            let path = format!("/members/{user_id}");
            let result = api.patch::<_, IgnoredAny>(&path, &UpdateMemberRequest { role }).await;
            busy.set(false);
            match result {
                Ok(_) => toasts.success(Key::RoleUpdated),
                Err(failure) => toasts.error(failure.key()),
            }
            reload.run(());
        });
    };
    let remove = Callback::new(move |_: ()| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = api.delete::<IgnoredAny>(&format!("/members/{user_id}")).await;
            busy.set(false);
            match result {
                Ok(_) => toasts.success(Key::MemberRemoved),
                Err(failure) => toasts.error(failure.key()),
            }
            confirming.set(false);
            reload.run(());
        });
    });
    let question = {
        let name = name.clone();
        Signal::derive(move || fill(i18n.lang().t(Key::ConfirmRemoveMember), &[("name", &name)]))
    };
    let role_label = {
        let name = name.clone();
        move || fill(i18n.lang().t(Key::ChangeRoleFor), &[("name", &name)])
    };
    let joined = format_date(&member.joined_at);
    let select_id = format!("role-{user_id}");

    view! {
        <li class="flex flex-wrap items-center gap-x-4 gap-y-3 py-3" data-testid="member-row" data-email=member.email.clone()>
            <span class="grid size-10 shrink-0 place-items-center rounded-full bg-slate-100 text-sm font-semibold text-slate-600" aria-hidden="true">
                {initials(&member.name)}
            </span>
            <div class="min-w-0 flex-1 basis-40">
                <p class="flex flex-wrap items-center gap-2 text-sm font-medium text-slate-900">
                    <span class="break-words">{member.name.clone()}</span>
                    {is_me.then(|| view! { <span class="badge">{t(Key::You)}</span> })}
                </p>
                <p class="break-all text-sm text-slate-600">{member.email.clone()}</p>
                <p class="text-xs text-slate-500">
                    {move || fill(i18n.lang().t(Key::JoinedOn), &[("date", &joined)])}
                </p>
            </div>
            <div class="flex items-center gap-2">
                {if can_edit {
                    view! {
                        <label for=select_id.clone() class="sr-only">
                            {role_label}
                        </label>
                        <select
                            id=select_id
                            class="input w-auto py-1.5"
                            data-testid="member-role"
                            disabled=move || busy.get()
                            on:change=change_role
                        >
                            {assignable_roles(my_role)
                                .iter()
                                .map(|role| {
                                    view! {
                                        <option value=role.as_str() selected=*role == current_role>
                                            {move || i18n.lang().t(role_key(*role))}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                        <button
                            type="button"
                            class="btn btn-secondary btn-sm text-red-600 hover:text-red-700"
                            data-testid="member-remove"
                            disabled=move || busy.get() || confirming.get()
                            on:click=move |_| confirming.set(true)
                        >
                            {t(Key::Remove)}
                        </button>
                    }
                        .into_any()
                } else {
                    view! {
                        <span class="badge badge-role" data-testid="member-role-label">
                            {move || i18n.lang().t(role_key(current_role))}
                        </span>
                    }
                        .into_any()
                }}
            </div>
            <Show when=move || confirming.get()>
                <ConfirmInline
                    question
                    confirm_label=Key::Remove
                    busy
                    on_confirm=remove
                    on_cancel=Callback::new(move |_| confirming.set(false))
                />
            </Show>
        </li>
    }
    .into_any()
}

#[component]
fn InvitationList(invitations: Invitations, reload: Callback<()>) -> impl IntoView {
    let auth = use_auth();
    page_list(invitations, Key::NoPendingInvitations, "no-invitations", move |invitation| {
        let manager = auth.session().map(|s| s.can_manage_team()).unwrap_or(false);
        view! { <InvitationRow invitation manager reload/> }
    })
}

#[component]
fn InvitationRow(invitation: InvitationDto, manager: bool, reload: Callback<()>) -> impl IntoView {
    let api = use_api();
    let toasts = use_toasts();
    let i18n = use_i18n();
    let confirming = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let id = invitation.id;
    let role = invitation.role;
    let expires = format_date(&invitation.expires_at);

    let revoke = Callback::new(move |_: ()| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = api.delete::<IgnoredAny>(&format!("/invitations/{id}")).await;
            busy.set(false);
            match result {
                Ok(_) => toasts.success(Key::InvitationRevoked),
                Err(failure) => toasts.error(failure.key()),
            }
            confirming.set(false);
            reload.run(());
        });
    });
    let question = {
        let email = invitation.email.clone();
        Signal::derive(move || {
            fill(i18n.lang().t(Key::ConfirmRevokeInvitation), &[("email", &email)])
        })
    };

    view! {
        <li class="flex flex-wrap items-center gap-x-4 gap-y-3 py-3" data-testid="invitation-row" data-email=invitation.email.clone()>
            <div class="min-w-0 flex-1 basis-40">
                <p class="break-all text-sm font-medium text-slate-900">{invitation.email.clone()}</p>
                <p class="text-xs text-slate-500">
                    {move || fill(i18n.lang().t(Key::ExpiresOn), &[("date", &expires)])}
                </p>
            </div>
            <span class="badge badge-role">{move || i18n.lang().t(role_key(role))}</span>
            {manager
                .then(|| {
                    view! {
                        <button
                            type="button"
                            class="btn btn-secondary btn-sm"
                            data-testid="invitation-revoke"
                            disabled=move || busy.get() || confirming.get()
                            on:click=move |_| confirming.set(true)
                        >
                            {t(Key::Revoke)}
                        </button>
                    }
                })}
            <Show when=move || confirming.get()>
                <ConfirmInline
                    question
                    confirm_label=Key::Revoke
                    busy
                    on_confirm=revoke
                    on_cancel=Callback::new(move |_| confirming.set(false))
                />
            </Show>
        </li>
    }
    .into_any()
}
