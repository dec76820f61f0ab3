//! Tenants and identity: companies, users, memberships, invitations, API keys, one-time email
//! tokens, sessions (for server-side revocation of JWTs) and the audit log.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Companies::Table)
                    .col(uuid(Companies::Id).primary_key())
                    .col(string_len(Companies::Name, 120))
                    .col(timestamp_with_time_zone(Companies::CreatedAt))
                    .col(timestamp_with_time_zone(Companies::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(uuid(Users::Id).primary_key())
                    // Stored lower-cased; unique across the installation (one login per person).
                    .col(string_len(Users::Email, 254).unique_key())
                    .col(string_len(Users::Name, 120))
                    .col(string(Users::PasswordHash))
                    .col(timestamp_with_time_zone_null(Users::EmailVerifiedAt))
                    .col(string_len(Users::Language, 8).default("en"))
                    // Reserved for TOTP 2FA: the encrypted secret (crypto::SecretBox), null = off.
                    .col(text_null(Users::TotpSecret))
                    .col(timestamp_with_time_zone(Users::CreatedAt))
                    .col(timestamp_with_time_zone(Users::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Memberships::Table)
                    .col(uuid(Memberships::Id).primary_key())
                    .col(uuid(Memberships::CompanyId))
                    .col(uuid(Memberships::UserId))
                    .col(string_len(Memberships::Role, 16))
                    .col(timestamp_with_time_zone(Memberships::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Memberships::Table, Memberships::CompanyId)
                            .to(Companies::Table, Companies::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Memberships::Table, Memberships::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_memberships_company_user")
                    .table(Memberships::Table)
                    .col(Memberships::CompanyId)
                    .col(Memberships::UserId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_memberships_user")
                    .table(Memberships::Table)
                    .col(Memberships::UserId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Invitations::Table)
                    .col(uuid(Invitations::Id).primary_key())
                    .col(uuid(Invitations::CompanyId))
                    .col(string_len(Invitations::Email, 254))
                    .col(string_len(Invitations::Role, 16))
                    .col(string_len(Invitations::TokenHash, 64).unique_key())
                    .col(uuid_null(Invitations::InvitedBy))
                    .col(timestamp_with_time_zone(Invitations::CreatedAt))
                    .col(timestamp_with_time_zone(Invitations::ExpiresAt))
                    .col(timestamp_with_time_zone_null(Invitations::AcceptedAt))
                    .col(timestamp_with_time_zone_null(Invitations::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Invitations::Table, Invitations::CompanyId)
                            .to(Companies::Table, Companies::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Invitations::Table, Invitations::InvitedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_invitations_company")
                    .table(Invitations::Table)
                    .col(Invitations::CompanyId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ApiKeys::Table)
                    .col(uuid(ApiKeys::Id).primary_key())
                    .col(uuid(ApiKeys::CompanyId))
                    .col(string_len(ApiKeys::Name, 80))
                    // Public lookup part of the key; the secret part is only stored hashed.
                    .col(string_len(ApiKeys::Prefix, 32).unique_key())
                    .col(string_len(ApiKeys::KeyHash, 64))
                    .col(uuid_null(ApiKeys::CreatedBy))
                    .col(timestamp_with_time_zone(ApiKeys::CreatedAt))
                    .col(timestamp_with_time_zone_null(ApiKeys::LastUsedAt))
                    .col(timestamp_with_time_zone_null(ApiKeys::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ApiKeys::Table, ApiKeys::CompanyId)
                            .to(Companies::Table, Companies::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ApiKeys::Table, ApiKeys::CreatedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_api_keys_company")
                    .table(ApiKeys::Table)
                    .col(ApiKeys::CompanyId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(EmailTokens::Table)
                    .col(uuid(EmailTokens::Id).primary_key())
                    .col(uuid(EmailTokens::UserId))
                    .col(string_len(EmailTokens::Purpose, 32))
                    .col(string_len(EmailTokens::TokenHash, 64).unique_key())
                    .col(timestamp_with_time_zone(EmailTokens::CreatedAt))
                    .col(timestamp_with_time_zone(EmailTokens::ExpiresAt))
                    .col(timestamp_with_time_zone_null(EmailTokens::UsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(EmailTokens::Table, EmailTokens::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .col(uuid(Sessions::Id).primary_key())
                    .col(uuid(Sessions::UserId))
                    .col(uuid(Sessions::CompanyId))
                    .col(string_len(Sessions::CsrfToken, 64))
                    .col(string_len_null(Sessions::UserAgent, 255))
                    .col(string_len_null(Sessions::Ip, 64))
                    .col(timestamp_with_time_zone(Sessions::CreatedAt))
                    .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                    .col(timestamp_with_time_zone_null(Sessions::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Sessions::Table, Sessions::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Sessions::Table, Sessions::CompanyId)
                            .to(Companies::Table, Companies::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_sessions_user")
                    .table(Sessions::Table)
                    .col(Sessions::UserId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(uuid(AuditLog::Id).primary_key())
                    .col(uuid(AuditLog::CompanyId))
                    .col(uuid_null(AuditLog::ActorUserId))
                    .col(string_len(AuditLog::Action, 64))
                    .col(string_len_null(AuditLog::TargetType, 32))
                    .col(string_len_null(AuditLog::TargetId, 64))
                    .col(json_null(AuditLog::Meta))
                    .col(string_len_null(AuditLog::Ip, 64))
                    .col(timestamp_with_time_zone(AuditLog::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AuditLog::Table, AuditLog::CompanyId)
                            .to(Companies::Table, Companies::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_audit_log_company_created")
                    .table(AuditLog::Table)
                    .col(AuditLog::CompanyId)
                    .col(AuditLog::CreatedAt)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AuditLog::Table.into_iden(),
            Sessions::Table.into_iden(),
            EmailTokens::Table.into_iden(),
            ApiKeys::Table.into_iden(),
            Invitations::Table.into_iden(),
            Memberships::Table.into_iden(),
            Users::Table.into_iden(),
            Companies::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Companies {
    Table,
    Id,
    Name,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Email,
    Name,
    PasswordHash,
    EmailVerifiedAt,
    Language,
    TotpSecret,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Memberships {
    Table,
    Id,
    CompanyId,
    UserId,
    Role,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Invitations {
    Table,
    Id,
    CompanyId,
    Email,
    Role,
    TokenHash,
    InvitedBy,
    CreatedAt,
    ExpiresAt,
    AcceptedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum ApiKeys {
    Table,
    Id,
    CompanyId,
    Name,
    Prefix,
    KeyHash,
    CreatedBy,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum EmailTokens {
    Table,
    Id,
    UserId,
    Purpose,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    UserId,
    CompanyId,
    CsrfToken,
    UserAgent,
    Ip,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    CompanyId,
    ActorUserId,
    Action,
    TargetType,
    TargetId,
    Meta,
    Ip,
    CreatedAt,
}
