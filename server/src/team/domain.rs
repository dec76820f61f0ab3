//! The people of a company: members with roles, and invitations to join.
//!
//! Rules: owners and admins manage the team; only owners grant, change or remove the owner role;
//! a company always keeps at least one owner.

use chrono::TimeDelta;
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use shared::{
    api::{AcceptInvitationRequest, InvitationDto, InvitationPreview, MemberDto, Page},
    i18n::{Key, Lang},
    ErrorCode, Role, ServerEvent,
};
use uuid::Uuid;

use crate::{
    audit::{self, AuditEntry},
    auth::{
        domain::{find_user_by_email, hash_blocking, invalid_token, verify_blocking},
        password,
        tokens::{hash_token, random_token},
        AuthUser, ClientInfo,
    },
    db::{
        self,
        entities::{companies, invitations, memberships, sessions, users},
        Tenant,
    },
    email,
    error::{AppError, AppResult},
    pagination::{page, PageParams},
    state::AppState,
    types::{DisplayName, EmailAddress},
};

const INVITATION_TTL: TimeDelta = TimeDelta::days(7);

fn role_of(raw: &str) -> AppResult<Role> {
    Role::parse(raw)
        .ok_or_else(|| AppError::internal(format!("unknown role {raw:?} in the database")))
}

#[tracing::instrument(skip_all, fields(company_id = %auth.company_id()))]
pub async fn list_members(
    state: &AppState,
    auth: &AuthUser,
    params: &PageParams,
) -> AppResult<Page<MemberDto>> {
    let limit = params.limit();
    let mut query = auth
        .tenant()
        .select::<memberships::Entity>()
        .find_also_related(users::Entity)
        .order_by_asc(memberships::Column::Id)
        .limit(limit + 1);
    if let Some(cursor) = params.cursor()? {
        query = query.filter(memberships::Column::Id.gt(cursor));
    }
    let rows = query.all(&state.db).await?;
    let mut members = Vec::with_capacity(rows.len());
    let mut ids = Vec::with_capacity(rows.len());
    for (membership, user) in rows {
        let Some(user) = user else { continue };
        ids.push(membership.id);
        members.push(MemberDto {
            user_id: user.id,
            name: user.name,
            email: user.email,
            role: role_of(&membership.role)?,
            joined_at: membership.created_at,
        });
    }
    let mut paged = page(members, limit, |_| Uuid::nil());
    if paged.next_cursor.is_some() {
        paged.next_cursor = ids.get(limit as usize - 1).map(Uuid::to_string);
    }
    Ok(paged)
}

async fn find_membership<C: ConnectionTrait>(
    conn: &C,
    tenant: Tenant,
    user_id: Uuid,
) -> AppResult<memberships::Model> {
    tenant
        .select::<memberships::Entity>()
        .filter(memberships::Column::UserId.eq(user_id))
        .one(conn)
        .await?
        .ok_or_else(AppError::not_found)
}

async fn owner_count<C: ConnectionTrait>(conn: &C, tenant: Tenant) -> AppResult<u64> {
    Ok(tenant
        .select::<memberships::Entity>()
        .filter(memberships::Column::Role.eq(Role::Owner.as_str()))
        .count(conn)
        .await?)
}

fn last_owner() -> AppError {
    AppError::new(
        ErrorCode::Conflict,
        "A company needs at least one owner: make someone else owner first.",
    )
}

/// # Errors
/// 403 (agent, or an admin touching the owner role), 404 (not a member here), 409 (last owner).
#[tracing::instrument(skip_all, fields(company_id = %auth.company_id()))]
pub async fn change_role(
    state: &AppState,
    auth: &AuthUser,
    user_id: Uuid,
    new_role: Role,
) -> AppResult<MemberDto> {
    auth.require_admin()?;
    let txn = state.db.begin().await?;
    let membership = find_membership(&txn, auth.tenant(), user_id).await?;
    let current = role_of(&membership.role)?;
    if (current == Role::Owner || new_role == Role::Owner) && auth.role != Role::Owner {
        return Err(AppError::new(
            ErrorCode::Forbidden,
            "Only an owner can grant or change the owner role.",
        ));
    }
    if current == Role::Owner
        && new_role != Role::Owner
        && owner_count(&txn, auth.tenant()).await? <= 1
    {
        return Err(last_owner());
    }
    let mut active: memberships::ActiveModel = membership.clone().into();
    active.role = Set(new_role.as_str().to_owned());
    let updated = active.update(&txn).await?;
    audit::record(
        &txn,
        auth.tenant(),
        AuditEntry::new(Some(auth.user_id), "member.role_changed")
            .target("user", user_id)
            .meta(serde_json::json!({"from": current, "to": new_role})),
    )
    .await?;
    let user =
        users::Entity::find_by_id(user_id).one(&txn).await?.ok_or_else(AppError::not_found)?;
    txn.commit().await?;
    state
        .events
        .publish(auth.company_id(), ServerEvent::TeamChanged { by_user_id: Some(auth.user_id) });
    Ok(MemberDto {
        user_id,
        name: user.name,
        email: user.email,
        role: new_role,
        joined_at: updated.created_at,
    })
}

/// Removes a member from the company and ends their sessions in it.
///
/// # Errors
/// 403, 404, 409 as for [`change_role`].
#[tracing::instrument(skip_all, fields(company_id = %auth.company_id()))]
pub async fn remove_member(state: &AppState, auth: &AuthUser, user_id: Uuid) -> AppResult<()> {
    auth.require_admin()?;
    let txn = state.db.begin().await?;
    let membership = find_membership(&txn, auth.tenant(), user_id).await?;
    if role_of(&membership.role)? == Role::Owner {
        if auth.role != Role::Owner {
            return Err(AppError::new(ErrorCode::Forbidden, "Only an owner can remove an owner."));
        }
        if owner_count(&txn, auth.tenant()).await? <= 1 {
            return Err(last_owner());
        }
    }
    auth.tenant()
        .delete_many::<memberships::Entity>()
        .filter(memberships::Column::Id.eq(membership.id))
        .exec(&txn)
        .await?;
    auth.tenant()
        .update_many::<sessions::Entity>()
        .col_expr(sessions::Column::RevokedAt, Expr::value(db::now()))
        .filter(sessions::Column::UserId.eq(user_id))
        .filter(sessions::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        auth.tenant(),
        AuditEntry::new(Some(auth.user_id), "member.removed").target("user", user_id),
    )
    .await?;
    txn.commit().await?;
    state
        .events
        .publish(auth.company_id(), ServerEvent::TeamChanged { by_user_id: Some(auth.user_id) });
    Ok(())
}

fn invitation_dto(row: invitations::Model) -> AppResult<InvitationDto> {
    Ok(InvitationDto {
        id: row.id,
        email: row.email,
        role: role_of(&row.role)?,
        invited_by: row.invited_by,
        created_at: row.created_at,
        expires_at: row.expires_at,
    })
}

/// Invites someone by email. Inviting the same address again replaces the pending invitation
/// (a fresh link, the old one stops working).
///
/// # Errors
/// 403 (agent; admin inviting an owner), `validation_failed` on `email`, 409 when already a member.
#[tracing::instrument(skip_all, fields(company_id = %auth.company_id()))]
pub async fn invite(
    state: &AppState,
    auth: &AuthUser,
    raw_email: &str,
    role: Role,
) -> AppResult<InvitationDto> {
    auth.require_admin()?;
    if role == Role::Owner && auth.role != Role::Owner {
        return Err(AppError::new(ErrorCode::Forbidden, "Only an owner can invite another owner."));
    }
    let email = EmailAddress::parse(raw_email, "email")?;
    let now = db::now();
    let txn = state.db.begin().await?;
    if let Some(user) = find_user_by_email(&txn, &email).await? {
        let already = auth
            .tenant()
            .select::<memberships::Entity>()
            .filter(memberships::Column::UserId.eq(user.id))
            .count(&txn)
            .await?;
        if already > 0 {
            return Err(AppError::new(
                ErrorCode::Conflict,
                "This person is already a member of the team.",
            )
            .with_field("email"));
        }
    }
    auth.tenant()
        .update_many::<invitations::Entity>()
        .col_expr(invitations::Column::RevokedAt, Expr::value(now))
        .filter(invitations::Column::Email.eq(email.as_str()))
        .filter(invitations::Column::AcceptedAt.is_null())
        .filter(invitations::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    let token = random_token();
    let row = invitations::ActiveModel {
        id: Set(Uuid::now_v7()),
        company_id: Set(auth.company_id()),
        email: Set(email.as_str().to_owned()),
        role: Set(role.as_str().to_owned()),
        token_hash: Set(hash_token(&token)),
        invited_by: Set(Some(auth.user_id).filter(|id| !id.is_nil())),
        created_at: Set(now),
        expires_at: Set(now + INVITATION_TTL),
        accepted_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(&txn)
    .await?;
    let company = companies::Entity::find_by_id(auth.company_id())
        .one(&txn)
        .await?
        .ok_or_else(AppError::not_found)?;
    let inviter = users::Entity::find_by_id(auth.user_id).one(&txn).await?;
    let lang = inviter.as_ref().map(|u| Lang::negotiate(&u.language)).unwrap_or_default();
    let link = format!("{}/invite?token={token}", state.config.public_base_url());
    let context = match &inviter {
        Some(inviter) => format!("{} ({}) · {}", company.name, role, inviter.name),
        None => format!("{} ({})", company.name, role),
    };
    let message = email::compose(
        lang,
        email.as_str(),
        Key::EmailInviteSubject,
        Key::EmailInviteBody,
        &link,
        Some(&context),
    );
    email::enqueue(&txn, message).await?;
    audit::record(
        &txn,
        auth.tenant(),
        AuditEntry::new(Some(auth.user_id), "invitation.created")
            .target("invitation", row.id)
            .meta(serde_json::json!({"email": email.as_str(), "role": role})),
    )
    .await?;
    txn.commit().await?;
    state.jobs.notify();
    state
        .events
        .publish(auth.company_id(), ServerEvent::TeamChanged { by_user_id: Some(auth.user_id) });
    invitation_dto(row)
}

/// Pending (not accepted, revoked or expired) invitations.
#[tracing::instrument(skip_all, fields(company_id = %auth.company_id()))]
pub async fn list_invitations(
    state: &AppState,
    auth: &AuthUser,
    params: &PageParams,
) -> AppResult<Page<InvitationDto>> {
    let limit = params.limit();
    let mut query = auth
        .tenant()
        .select::<invitations::Entity>()
        .filter(invitations::Column::AcceptedAt.is_null())
        .filter(invitations::Column::RevokedAt.is_null())
        .filter(invitations::Column::ExpiresAt.gt(db::now()))
        .order_by_asc(invitations::Column::Id)
        .limit(limit + 1);
    if let Some(cursor) = params.cursor()? {
        query = query.filter(invitations::Column::Id.gt(cursor));
    }
    let rows = query.all(&state.db).await?;
    let items = rows.into_iter().map(invitation_dto).collect::<AppResult<Vec<_>>>()?;
    Ok(page(items, limit, |i| i.id))
}

/// # Errors
/// 403 for agents; 404 for an unknown invitation, one of another company, or one already closed.
#[tracing::instrument(skip_all, fields(company_id = %auth.company_id()))]
pub async fn revoke_invitation(state: &AppState, auth: &AuthUser, id: Uuid) -> AppResult<()> {
    auth.require_admin()?;
    let txn = state.db.begin().await?;
    let result = auth
        .tenant()
        .update_many::<invitations::Entity>()
        .col_expr(invitations::Column::RevokedAt, Expr::value(db::now()))
        .filter(invitations::Column::Id.eq(id))
        .filter(invitations::Column::AcceptedAt.is_null())
        .filter(invitations::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    if result.rows_affected == 0 {
        return Err(AppError::not_found());
    }
    audit::record(
        &txn,
        auth.tenant(),
        AuditEntry::new(Some(auth.user_id), "invitation.revoked").target("invitation", id),
    )
    .await?;
    txn.commit().await?;
    state
        .events
        .publish(auth.company_id(), ServerEvent::TeamChanged { by_user_id: Some(auth.user_id) });
    Ok(())
}

async fn open_invitation<C: ConnectionTrait>(
    conn: &C,
    token: &str,
) -> AppResult<invitations::Model> {
    invitations::Entity::find()
        .filter(invitations::Column::TokenHash.eq(hash_token(token.trim())))
        .filter(invitations::Column::AcceptedAt.is_null())
        .filter(invitations::Column::RevokedAt.is_null())
        .filter(invitations::Column::ExpiresAt.gt(db::now()))
        .one(conn)
        .await?
        .ok_or_else(invalid_token)
}

/// What the invitation page shows (public: the token is the credential).
pub async fn preview(state: &AppState, token: &str) -> AppResult<InvitationPreview> {
    let invitation = open_invitation(&state.db, token).await?;
    let company = companies::Entity::find_by_id(invitation.company_id)
        .one(&state.db)
        .await?
        .ok_or_else(invalid_token)?;
    let existing_user = users::Entity::find()
        .filter(users::Column::Email.eq(invitation.email.as_str()))
        .count(&state.db)
        .await?
        > 0;
    Ok(InvitationPreview {
        company_name: company.name,
        email: invitation.email,
        role: role_of(&invitation.role)?,
        existing_user,
    })
}

/// Accepts an invitation: creates the account (already verified: the emailed link proves the
/// address) or, for an existing account, checks its password; then adds the membership.
///
/// # Errors
/// 400 `invalid_token`, `validation_failed` on `name`/`password`, `weak_password`, 429.
pub async fn accept(
    state: &AppState,
    client: &ClientInfo,
    req: AcceptInvitationRequest,
) -> AppResult<()> {
    state.limits.check_ip(client.ip)?;
    let invitation = open_invitation(&state.db, &req.token).await?;
    let email = EmailAddress::parse(&invitation.email, "email")?;
    let role = role_of(&invitation.role)?;
    let existing = find_user_by_email(&state.db, &email).await?;
    let now = db::now();

    let (user_id, new_user) = match existing {
        Some(user) => {
            if !verify_blocking(req.password, user.password_hash.clone()).await? {
                return Err(AppError::field(
                    "password",
                    "This is not the password of your existing account.",
                ));
            }
            (user.id, None)
        }
        None => {
            let name = DisplayName::parse(req.name.as_deref().unwrap_or(""), "name")?;
            password::check_strength(&req.password, &[email.as_str(), name.as_str()])?;
            let hash = hash_blocking(req.password).await?;
            let id = Uuid::now_v7();
            (
                id,
                Some(users::ActiveModel {
                    id: Set(id),
                    email: Set(email.as_str().to_owned()),
                    name: Set(name.into_inner()),
                    password_hash: Set(hash),
                    email_verified_at: Set(Some(now)),
                    language: Set(Lang::En.tag().to_owned()),
                    totp_secret: Set(None),
                    created_at: Set(now),
                    updated_at: Set(now),
                }),
            )
        }
    };

    let txn = state.db.begin().await?;
    // Claim the invitation first: of two concurrent accepts, only one gets past this.
    let claimed = invitations::Entity::update_many()
        .col_expr(invitations::Column::AcceptedAt, Expr::value(now))
        .filter(invitations::Column::Id.eq(invitation.id))
        .filter(invitations::Column::AcceptedAt.is_null())
        .filter(invitations::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Err(invalid_token());
    }
    if let Some(user) = new_user {
        match users::Entity::insert(user).exec(&txn).await {
            Err(err) if db::is_unique_violation(&err) => {
                return Err(AppError::new(
                    ErrorCode::Conflict,
                    "An account with this email was just created; open the link again.",
                ));
            }
            other => {
                other?;
            }
        }
    }
    let tenant = Tenant::new(invitation.company_id);
    let already_member = tenant
        .select::<memberships::Entity>()
        .filter(memberships::Column::UserId.eq(user_id))
        .count(&txn)
        .await?
        > 0;
    if !already_member {
        memberships::ActiveModel {
            id: Set(Uuid::now_v7()),
            company_id: Set(invitation.company_id),
            user_id: Set(user_id),
            role: Set(role.as_str().to_owned()),
            created_at: Set(now),
        }
        .insert(&txn)
        .await?;
    }
    audit::record(
        &txn,
        tenant,
        AuditEntry::new(Some(user_id), "invitation.accepted")
            .target("invitation", invitation.id)
            .ip(client.ip),
    )
    .await?;
    txn.commit().await?;
    state
        .events
        .publish(invitation.company_id, ServerEvent::TeamChanged { by_user_id: Some(user_id) });
    Ok(())
}
