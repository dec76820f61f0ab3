//! The background job queue (see server/src/jobs): one row per job, claimed with a lease so a
//! crashed worker's job becomes claimable again when the lease expires.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Jobs::Table)
                    .col(uuid(Jobs::Id).primary_key())
                    .col(string_len(Jobs::Kind, 64))
                    .col(json(Jobs::Payload))
                    .col(uuid_null(Jobs::CompanyId))
                    // pending | running | done | dead
                    .col(string_len(Jobs::Status, 16))
                    .col(integer(Jobs::Attempts).default(0))
                    .col(integer(Jobs::MaxAttempts))
                    .col(timestamp_with_time_zone(Jobs::RunAt))
                    .col(string_len_null(Jobs::LockedBy, 64))
                    .col(timestamp_with_time_zone_null(Jobs::LockedUntil))
                    .col(text_null(Jobs::LastError))
                    // Optional idempotency key: enqueueing the same key twice keeps one job.
                    .col(string_len_null(Jobs::UniqueKey, 200).unique_key())
                    .col(timestamp_with_time_zone(Jobs::CreatedAt))
                    .col(timestamp_with_time_zone(Jobs::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_jobs_claimable")
                    .table(Jobs::Table)
                    .col(Jobs::Status)
                    .col(Jobs::RunAt)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Jobs::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Jobs {
    Table,
    Id,
    Kind,
    Payload,
    CompanyId,
    Status,
    Attempts,
    MaxAttempts,
    RunAt,
    LockedBy,
    LockedUntil,
    LastError,
    UniqueKey,
    CreatedAt,
    UpdatedAt,
}
